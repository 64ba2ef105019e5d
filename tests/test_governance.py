"""Community-led governance, cohesion and community assets: what they do over time (ODD 7.23).

The rules' scripted cases are in ``tests/test_submodels.py``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from model import TrustModel, load_scenario
from model import submodels as sm
from model.scenario import Change, NeighbourhoodLevers, ScenarioError

# --- scenarios ------------------------------------------------------------------------------------

HOMES, NEIGHBOURHOODS = 1200, 4
#: A readiness threshold so high that hardly anyone is willing to sit on a committee, so it is never quorate.
INQUORATE = {"participation_threshold_mean": 0.9}
PILOT = (0, 1)


def organisation(pilot: int | None = None, name: str = "baseline", **overrides: float):
    """``name`` as 1,200 homes in 4 neighbourhoods, with governance ``pilot`` on neighbourhoods 0 and 1."""
    scenario = load_scenario(name, homes=HOMES, neighbourhoods=NEIGHBOURHOODS, **overrides)
    if pilot is None:
        return scenario
    return replace(scenario, neighbourhood_levers=(NeighbourhoodLevers(PILOT, {"governance": pilot}),))


def run(scenario, weeks: int, seed: int = 1) -> TrustModel:
    model = TrustModel(scenario, rng=seed, record_weekly=False)
    if weeks:
        model.run_for(weeks)
    return model


def by_place(model: TrustModel, column: str) -> tuple[float, float]:
    """Homes-weighted mean of a neighbourhood column over the pilot neighbourhoods and over the others."""
    rows = model.neighbourhood_summary()
    pilot = rows["neighbourhood"].isin(PILOT)
    return tuple(float(np.average(rows[column][m], weights=rows["homes"][m])) for m in (pilot, ~pilot))


def test_governance_is_a_neighbourhood_lever_with_its_declared_bounds(write_toml):
    text = """
    [parameters]
    neighbourhoods = 4
    [[neighbourhood]]
    index = [0]
    set = { governance = %s }
    """
    assert load_scenario(write_toml(text % "1"), homes=HOMES).neighbourhood_levers[0].values == {"governance": 1}
    with pytest.raises(ScenarioError, match=r"governance.*3"):
        load_scenario(write_toml(text % "3"), homes=HOMES)


def test_with_no_community_led_neighbourhood_the_community_parameters_change_nothing_but_cohesion():
    moved = {
        "cohesion_tie_weight": 1.2,
        "asset_rate": 0.5,
        "committee_quorum": 0.75,
        "community_responsiveness": 0.3,
        "tmo_local_share": 1.0,
        "committee_seats_per_1000": 60.0,
        "community_support_cost_per_home": 60.0,
    }
    default = run(organisation(name="power_sharing"), 104).summary()
    changed = run(organisation(name="power_sharing", **moved), 104).summary()
    assert default.pop("cohesion") != changed.pop("cohesion")
    assert default == changed


def test_the_settled_baseline_belongs_at_the_reference_and_stays_there():
    model = TrustModel(organisation(), rng=2, record_weekly=False)
    assert model.summary()["cohesion"] == pytest.approx(61.0, abs=0.5)
    model.run_for(520)
    assert model.summary()["cohesion"] == pytest.approx(61.0, abs=1.0)
    assert model.summary()["community_led_share"] == 0.0


@pytest.fixture(scope="module")
def tmo_pilot() -> dict[str, list[TrustModel]]:
    """Two seeds of the baseline organisation with and without a TMO on neighbourhoods 0 and 1, five years."""
    return {
        label: [run(scenario, 260, seed) for seed in (1, 2)]
        for label, scenario in (("without", organisation()), ("with", organisation(sm.TENANT_MANAGED)))
    }


def _mean_by_place(models: list[TrustModel], column: str) -> np.ndarray:
    return np.mean([by_place(m, column) for m in models], axis=0)


@pytest.mark.parametrize(
    ("column", "least"),
    [("efficacy_mean", 0.02), ("ties_per_household", 0.2), ("cohesion", 2.0), ("participation_rate", 0.01)],
)
def test_a_tmo_raises_efficacy_ties_cohesion_and_taking_part_where_it_runs(tmo_pilot, column, least):
    with_pilot, without = (_mean_by_place(tmo_pilot[k], column) for k in ("with", "without"))
    assert with_pilot[0] - without[0] > least


def test_a_tmo_lowers_loneliness_where_it_runs(tmo_pilot):
    with_pilot, without = (_mean_by_place(tmo_pilot[k], "lonely_share") for k in ("with", "without"))
    assert with_pilot[0] < without[0] - 0.1


def test_a_tmo_pilot_stays_local(tmo_pilot):
    with_pilot, without = (_mean_by_place(tmo_pilot[k], "efficacy_mean") for k in ("with", "without"))
    assert abs(with_pilot[1] - without[1]) < 0.01
    assert with_pilot[0] - without[0] > 5 * abs(with_pilot[1] - without[1])


def test_a_tmo_has_its_committee_and_costs_its_support(tmo_pilot):
    model = tmo_pilot["with"][0]
    rows = model.neighbourhood_summary()
    assert rows["governance"].tolist() == [1, 1, 0, 0]
    assert rows["seats"].tolist()[:2] == [9, 9]  # 30 a 1,000 homes of 300
    assert model.summary()["community_led_share"] == pytest.approx(50.0)
    baseline_cost = tmo_pilot["without"][0].summary()["cost_per_home"]
    support = model.p["community_support_cost_per_home"]
    assert model.summary()["cost_per_home"] == pytest.approx(baseline_cost + support * 0.5)


def _centre_from_week_0(governance: int, capacity: float) -> dict[str, float]:
    """Power-sharing with ``governance`` everywhere, the central layer's capacity set to ``capacity`` at week 0.

    The burn-in is the same settled estate either way (common random numbers), so only the run can differ.
    """
    scenario = organisation(name="power_sharing", governance=governance, central_capacity_scaling=0.0)
    scenario = replace(scenario, schedule=(Change(week=0, values={"central_capacity": capacity}),))
    summary = run(scenario, 104).summary()
    summary["pass_through"] = summary.pop("central_pass_through")
    return summary


def test_a_coop_ignores_a_congested_centre_to_the_bit():
    """A co-op decides everything on the estate (local share 1), so the central layer's capacity cannot touch it."""
    jammed, roomy = (_centre_from_week_0(sm.COMMUNITY_OWNED, capacity) for capacity in (1.0, 200.0))
    assert jammed.pop("pass_through") < 1.0 == roomy.pop("pass_through")
    assert jammed == roomy


def test_a_tmo_still_feels_a_congested_centre():
    """A TMO leaves capital works and allocations to the landlord (local share 0.7), so congestion still bites."""
    jammed, roomy = (_centre_from_week_0(sm.TENANT_MANAGED, capacity) for capacity in (1.0, 200.0))
    assert jammed["efficacy_mean"] < roomy["efficacy_mean"] - 0.005


def test_an_ended_committee_loses_its_seats_at_once():
    model = run(organisation(sm.TENANT_MANAGED, **INQUORATE), 52)  # ended at week 51, refilled at 52
    starts = model.households.neighbourhood_starts
    assert not model.households.active[starts[0] : starts[2]].any()


def test_an_inquorate_committee_hands_management_back_after_its_grace_quarters():
    model = run(organisation(sm.TENANT_MANAGED, **INQUORATE), 104)
    ended = [d for d in model.decisions if d["decision"] == "end"]
    assert [d["week"] for d in ended] == [51, 51]  # four quarter-ends in a row: weeks 12, 25, 38 and 51
    assert {d["watch"] for d in ended} == {"committee members"} and all(d["value"] < 0.5 * 9 for d in ended)
    rows = model.neighbourhood_summary()
    assert rows["governance"].tolist() == [0, 0, 0, 0]
    assert rows["governance_ended_week"].tolist()[:2] == [51, 51]
    assert model.summary()["community_led_share"] == 0.0
    assert rows["seats"].tolist() == run(organisation(**INQUORATE), 0).neighbourhood_summary()["seats"].tolist()


def test_an_ended_tmo_leaves_its_tenants_worse_off_than_never_starting():
    """A broken promise: trust on the estates whose TMO collapsed ends below the same estates never given one."""
    ended, never = [], []
    for seed in (1, 2, 3):
        ended.append(by_place(run(organisation(sm.TENANT_MANAGED, **INQUORATE), 156, seed), "trust_mean")[0])
        never.append(by_place(run(organisation(**INQUORATE), 156, seed), "trust_mean")[0])
    assert np.mean(ended) < np.mean(never)


def test_a_lost_continuation_ballot_ends_a_tmo_at_the_year_end_after_each_interval():
    model = run(organisation(sm.TENANT_MANAGED, ballot_majority=0.9, ballot_interval_weeks=104), 156)
    ended = [d for d in model.decisions if d["decision"] == "end"]
    assert [d["week"] for d in ended] == [103, 103]
    assert all(d["watch"] == "continuation ballot in favour" and d["value"] < 0.9 for d in ended)


def test_a_won_ballot_keeps_the_tmo():
    model = run(organisation(sm.TENANT_MANAGED, ballot_majority=0.5, ballot_interval_weeks=104), 156)
    assert not model.decisions
    assert model.neighbourhood_summary()["governance"].tolist() == [1, 1, 0, 0]


def test_community_assets_come_only_with_cohesion_and_community_control_and_are_never_lost():
    model = TrustModel(
        organisation(sm.COMMUNITY_OWNED, asset_rate=0.5, asset_threshold=0.3), rng=3, record_weekly=False
    )
    held = []
    for _ in range(10):
        model.run_for(52)
        held.append(model.community_state.assets.copy())
    held = np.array(held)
    assert (np.diff(held, axis=0) >= 0).all()
    assert held[-1][:2].sum() > 0 and held[-1][2:].sum() == 0
    assert model.summary()["community_assets"] == held[-1].sum()
    out_of_reach = run(organisation(sm.COMMUNITY_OWNED, asset_rate=0.5, asset_threshold=0.9), 520)
    assert out_of_reach.summary()["community_assets"] == 0


def test_assets_draw_from_their_own_stream():
    """A co-op pilot with assets and one without them differ only through the assets' effect on cohesion."""
    with_assets = run(organisation(sm.COMMUNITY_OWNED, asset_rate=0.5, asset_threshold=0.3), 260).summary()
    without = run(organisation(sm.COMMUNITY_OWNED, asset_rate=0.0, asset_threshold=0.3), 260).summary()
    for name in ("cohesion", "community_assets"):
        with_assets.pop(name), without.pop(name)
    assert with_assets == without


def test_more_cohesion_pull_never_lowers_taking_part_where_cohesion_has_risen(tmo_pilot):
    pulled = [run(organisation(sm.TENANT_MANAGED, cohesion_pull=0.3), 260, seed) for seed in (1, 2)]
    assert _mean_by_place(pulled, "participation_rate")[0] >= _mean_by_place(tmo_pilot["with"], "participation_rate")[0]


def test_the_baseline_with_cohesion_pull_stays_settled():
    model = TrustModel(organisation(cohesion_pull=0.3), rng=5, record_weekly=False)
    model.run_for(52)
    start = model.summary()
    model.run_for(520)
    end = model.summary()
    assert end["participation_rate"] == pytest.approx(start["participation_rate"], abs=0.012)
    assert end["cohesion"] == pytest.approx(start["cohesion"], abs=1.0)
