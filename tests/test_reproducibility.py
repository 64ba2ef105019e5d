"""Seeds decide everything: same seed, same run; serial and parallel give the same results."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from experiments.runner import RunSpec, run, spawn_seeds
from model import TrustModel, load_scenario, shocks
from model.model import SURVEY_QUESTIONS

WEEKS = 60  # past the first yearly survey, so the TSM values are compared too


def run_scenario(scenario, weeks, seed):
    """The summary and weekly series of one run, through the one run function."""
    outcome = run(RunSpec(scenario, seed, weeks, weekly_every=1))
    return outcome.summary, outcome.weekly


@pytest.fixture(scope="module")
def scenario():
    """Hybrid with random shocks inside the run, so their draws are covered too."""
    base = load_scenario("hybrid", homes=200)
    drawn = (
        shocks.parse({"kind": "damp_crisis", "week": 10}, "test"),
        shocks.parse({"kind": "welfare_reform", "week": 20}, "test"),
    )
    return dataclasses.replace(base, shocks=drawn)


def test_same_seed_gives_identical_summary_and_weekly_frame(scenario):
    first = TrustModel(scenario, rng=42)
    second = TrustModel(scenario, rng=42)
    first.run_for(WEEKS)
    second.run_for(WEEKS)
    assert first.summary() == second.summary()
    assert first.summary()["tsm_tp01"] is not None
    pd.testing.assert_frame_equal(first.weekly(), second.weekly())


def test_same_seed_gives_identical_estate():
    scenario = load_scenario("baseline", homes=150)
    a, b = TrustModel(scenario, rng=7).households, TrustModel(scenario, rng=7).households
    for name in ("trust", "efficacy", "digital", "underrepresented", "threshold", "indptr", "indices"):
        pd.testing.assert_series_equal(pd.Series(getattr(a, name)), pd.Series(getattr(b, name)))


def test_different_seeds_differ(scenario):
    a, _ = run_scenario(scenario, WEEKS, 1)
    b, _ = run_scenario(scenario, WEEKS, 2)
    assert a != b
    assert a["trust_mean"] != b["trust_mean"]


def test_run_scenario_matches_a_model_run_by_hand(scenario):
    summary, weekly = run_scenario(scenario, 30, 5)
    model = TrustModel(scenario, rng=5)
    model.run_for(30)
    assert summary == model.summary()
    pd.testing.assert_frame_equal(weekly, model.weekly())


def test_spawn_seeds_is_deterministic_and_distinct():
    seeds = spawn_seeds(20261127, 50)
    assert seeds == spawn_seeds(20261127, 50)
    assert len(seeds) == 50
    assert len(set(seeds)) == 50
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in seeds)
    # The first seeds do not depend on how many are asked for.
    assert spawn_seeds(20261127, 5) == seeds[:5]
    assert set(spawn_seeds(1, 50)).isdisjoint(seeds)


def test_burn_in_survey_makes_the_surveys_draws():
    """The burn-in's survey, whose results are discarded, draws exactly what a survey draws."""
    model = TrustModel(load_scenario("baseline", homes=200), rng=5)
    assert tuple(model.latent_answers()) == SURVEY_QUESTIONS
    start = model.rng.bit_generator.state
    model.survey()
    after_survey = model.rng.bit_generator.state
    model.rng.bit_generator.state = start
    model._burn_in_survey()
    assert model.rng.bit_generator.state == after_survey
