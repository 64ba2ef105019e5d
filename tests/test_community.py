"""Ties formed through taking part, and loneliness: what they do over time (ODD 7.22)."""

from __future__ import annotations

import numpy as np
import pytest

from model import TrustModel, load_scenario

STOPPED = """
description = "power-sharing, then every activity stops at week 104"
[parameters]
ladder_rung = 7
responsiveness = 0.8
[[schedule]]
week = 104
set = { ladder_rung = 1, activity_rate = 0.01 }
"""


def ties(model: TrustModel) -> float:
    return float(model.households.ties_formed.mean())


def test_ties_settle_in_the_burn_in_and_stay_settled():
    model = TrustModel(load_scenario("baseline", homes=2000), rng=4)
    start = ties(model)
    model.run_for(520)
    assert start > 0.05
    assert ties(model) == pytest.approx(start, rel=0.1)


def test_ties_fade_at_their_declared_rate_once_none_form(write_toml):
    path = write_toml(STOPPED.replace("activity_rate = 0.01", "tie_formation_rate = 0.0"))
    model = TrustModel(load_scenario(path, homes=2000), rng=4)
    model.run_for(104)
    before = ties(model)
    model.run_for(35)
    assert ties(model) == pytest.approx(before * (1 - model.p["tie_fade_rate"]) ** 35, rel=1e-9)


def test_ties_fall_when_taking_part_stops(write_toml):
    model = TrustModel(load_scenario(write_toml(STOPPED), homes=2000), rng=4)
    model.run_for(104)
    before = ties(model)
    model.run_for(35)
    # seats are gone and joining is rare; the few who still join keep it above the pure fade (half)
    assert 0.5 * before < ties(model) < 0.8 * before


def test_more_taking_part_forms_more_ties_and_never_raises_loneliness():
    outcomes = {}
    for name in ("baseline", "power_sharing", "hybrid"):
        runs = [TrustModel(load_scenario(name, homes=1500), rng=seed) for seed in (1, 2)]
        for model in runs:
            model.run_for(260)
        outcomes[name] = (
            np.mean([m.summary()["ties_per_household"] for m in runs]),
            np.mean([m.summary()["lonely_share"] for m in runs]),
        )
    for name in ("power_sharing", "hybrid"):
        assert outcomes[name][0] > outcomes["baseline"][0] * 1.5
        assert outcomes[name][1] < outcomes["baseline"][1]


def test_with_no_ties_loneliness_is_the_groups_base_rates(run_model):
    model = run_model("baseline", weeks=10, homes=800, tie_formation_rate=0.0)
    h, p = model.households, model.p
    expected = (
        100.0
        * np.where(h.support_needs, p["loneliness_with_support_needs"], p["loneliness_without_support_needs"]).mean()
    )
    assert model.summary()["ties_per_household"] == 0.0
    assert model.summary()["lonely_share"] == pytest.approx(expected)


def test_ties_change_no_other_outcome_but_cohesion_while_it_pulls_nobody(run_model):
    """With ``cohesion_pull`` 0, ties feed only cohesion: a run with no ties formed is the same run otherwise."""
    keep = run_model("power_sharing", weeks=60, homes=600, seed=3).summary()
    none = run_model("power_sharing", weeks=60, homes=600, seed=3, tie_formation_rate=0.0).summary()
    assert keep["cohesion"] != none["cohesion"]
    for name in ("ties_per_household", "lonely_share", "cohesion"):
        keep.pop(name), none.pop(name)
    assert keep == none


def test_the_dashboard_shows_the_community_outcomes_as_the_summary_measures_them(run_model):
    from dashboard import charts
    from dashboard.components import MONITORS

    model = run_model("power_sharing", weeks=40, homes=500)
    assert {"ties_per_household", "lonely_share"} <= set(MONITORS)
    summary = model.summary()
    assert charts.latest(model, "ties_per_household") == pytest.approx(summary["ties_per_household"])
    assert charts.latest(model, "lonely_share") == pytest.approx(summary["lonely_share"])
