"""Money has the right sign: less of it, all else equal, never makes tenants more satisfied.

Every comparison is paired: the same seeds build the same estates, so the
only difference between two runs is the one being tested. 1,000 homes, five
years, ten seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import load_scenario, params
from model import submodels as sm
from model.observation import ObservedModel

HOMES = 1000
WEEKS = 260
SEEDS = tuple(range(1, 11))
#: Envelopes (£ a home a year) from generous (the budget never binds) to scarce.
ENVELOPES = (800.0, 700.0, 620.0, 560.0, 500.0)
#: How many standard errors of the paired steps' mean a rise may reach before it counts as real (about a
#: 1% one-sided test on ten seeds): where the budget does not bind (£800 and £700) the paired steps are
#: seed noise alone, up to about 1 point of true satisfaction for a single seed on 1,000 homes.
SIGNIFICANT = 2.5
#: How far scarce money must lower each measure on average (£800 to £500): true satisfaction in points, the
#: repairs memory's mean (0-1).
CLEAR_COST = {"satisfaction_true": 2.5, "repairs_memory": 0.125}
#: How far above demand the default budget's capacity may be (a share): "close to demand".
CAPACITY_MARGIN = 0.10


def run(name: str = "baseline", shocks: tuple[str, ...] = (), seed: int = 1, **values: float) -> dict[str, float]:
    """One run's summary, observed measures, the repairs memory's mean and the budget's capacity."""
    model = ObservedModel(load_scenario(name, shocks=shocks, homes=HOMES, **values), rng=seed)
    capacity = model.landlord.repairs_per_home_week * sm.YEAR
    model.run_for(WEEKS)
    out = model.summary() | model.observe()
    return out | {"repairs_memory": float(model.households.outcome_score.mean()), "capacity_at_start": capacity}


@pytest.fixture(scope="module")
def by_envelope() -> dict[float, list[dict[str, float]]]:
    return {envelope: [run(seed=seed, envelope_per_home=envelope) for seed in SEEDS] for envelope in ENVELOPES}


@pytest.fixture(scope="module")
def budget_cut() -> list[dict[str, float]]:
    return [run(shocks=("budget_cut",), seed=seed) for seed in SEEDS]


def paired(results: dict[float, list[dict[str, float]]], key: str) -> np.ndarray:
    """``key`` by envelope (rows, generous first) and seed (columns)."""
    return np.array([[r[key] for r in results[envelope]] for envelope in ENVELOPES])


@pytest.mark.parametrize("key", sorted(CLEAR_COST))
def test_less_money_never_raises_satisfaction_or_the_repairs_memory(by_envelope, key):
    values = paired(by_envelope, key)
    steps = np.diff(values, axis=0)  # each seed, from one envelope to the next smaller one
    rise = steps.mean(axis=1)
    standard_error = steps.std(axis=1, ddof=1) / np.sqrt(len(SEEDS))
    assert np.all(rise <= SIGNIFICANT * standard_error), f"{key} rose with less money: {values.mean(axis=1)}"
    assert values[-1].mean() < values[0].mean() - CLEAR_COST[key]  # and scarce money costs clearly


def test_less_money_lowers_repairs_within_target_and_lengthens_waits(by_envelope):
    within = paired(by_envelope, "repairs_within_target")
    waits = paired(by_envelope, "repair_wait_weeks_mean")
    assert np.all(np.diff(within, axis=0) <= 1.0)  # percentage points of seed noise
    assert np.all(np.diff(waits, axis=0) >= -0.1)  # weeks
    assert within[-1].mean() < within[0].mean() - 30.0
    assert waits[-1].mean() > waits[0].mean() + 2.0


def test_budget_cut_lowers_satisfaction_by_more_than_the_seed_noise(by_envelope, budget_cut):
    baseline = by_envelope[params.get("envelope_per_home").default]
    before = np.array([r["satisfaction_true"] for r in baseline])
    after = np.array([r["satisfaction_true"] for r in budget_cut])
    noise = before.std(ddof=1)  # how far seeds alone move the baseline
    assert np.all(after < before)
    assert (before - after).mean() > 2.0 * noise
    assert np.mean([r["repairs_within_target"] for r in budget_cut]) < np.mean(
        [r["repairs_within_target"] for r in baseline]
    )


def test_at_the_defaults_capacity_is_close_to_demand(by_envelope):
    p = params.defaults()
    capacity = by_envelope[p["envelope_per_home"]][0]["capacity_at_start"]
    # Demand 1: the jobs done a home a year when the budget never binds (the generous envelope).
    done = np.mean([r["repairs_per_home_year"] for r in by_envelope[ENVELOPES[0]]])
    # Demand 2: the needs arising a home a year, damp-risk homes needing them more often.
    arising = p["repairs_per_home_year"] * (1.0 + p["share_damp_risk"] * (p["damp_repair_multiplier"] - 1.0))
    for demand in (done, arising):
        assert 1.0 < capacity / demand < 1.0 + CAPACITY_MARGIN, (capacity, demand)
    # A 10% cut then leaves less than the jobs needed, so the budget_cut shock binds.
    assert capacity * 0.9 < done


def spending(name: str, seed: int = 1) -> dict[str, float]:
    model = ObservedModel(load_scenario(name, homes=300), rng=seed)
    model.run_for(60)
    return model.summary() | model.observe()


def test_digital_only_saves_its_channels_and_frontline_presence_pays_for_officers():
    p = params.defaults()
    baseline, digital, frontline = spending("baseline"), spending("digital_only"), spending("frontline_presence")
    # Phone lines and offices: 60 a home when fully open, 70% open at the baseline, closed under digital_only.
    assert baseline["spend_channels_per_home"] == pytest.approx(sm.channel_cost_per_home(60.0, 0.7))
    assert digital["spend_channels_per_home"] == 0.0
    assert baseline["spend_channels_per_home"] - digital["spend_channels_per_home"] == pytest.approx(42.0)
    # Officers: £42,000 over 300 homes, and over 200 under frontline_presence.
    assert baseline["spend_frontline_per_home"] == pytest.approx(140.0)
    assert frontline["spend_frontline_per_home"] == pytest.approx(sm.frontline_cost_per_home(42000.0, 200))
    assert frontline["spend_frontline_per_home"] - baseline["spend_frontline_per_home"] == pytest.approx(70.0)
    for out in (baseline, digital, frontline):
        parts = ("frontline", "involvement", "channels", "repairs")
        total = sum(out[f"spend_{part}_per_home"] for part in parts)
        assert out["spend_total_per_home"] == pytest.approx(total)
        assert out["spend_involvement_per_home"] == pytest.approx(p["involvement_spend_per_home"])
        # Never more than the envelope, but for whole jobs drawn week by week (a few per cent on 300 homes).
        assert out["spend_total_per_home"] <= 1.03 * p["envelope_per_home"]
        # Repairs spend is the jobs done over the last year at the unit cost.
        done = out["repairs_per_home_year"] * p["repair_unit_cost"]
        assert out["spend_repairs_per_home"] == pytest.approx(done)
        assert out["spend_repairs_per_home"] <= 1.03 * out["repair_budget_per_home"]
