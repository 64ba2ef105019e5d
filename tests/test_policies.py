"""Landlord policies (model/policies.py): the rules, the file format, and what they do in a run."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments.compare import compare, starting_preset
from experiments.report import POLICY_OUTCOMES, policy_findings
from model import TrustModel, load_scenario
from model.policies import (
    BUDGET_YEAR,
    REVIEW_WEEKS,
    WATCHABLE,
    effective_week,
    is_review_week,
    recovered,
    triggered,
)
from model.scenario import ScenarioError

POLICY = """
[[policies]]
name = "{name}"
watch = "{watch}"
when = "{when}"
threshold = {threshold}
set = {{ {values} }}
lag_weeks = {lag}
budget_cycle = {budget}
"""


def policy_file(write_toml, base: str = "", name: str = "test policy", **fields: object) -> object:
    """A scenario file of ``base`` (its [parameters]) and one policy (by default it starts at the first review)."""
    entry = {
        "name": name,
        "watch": "repair_backlog_per_1000",
        "when": "above",
        "threshold": 0.0,
        "values": "estate_presence = 0.6",
        "lag": 0,
        "budget": "false",
    } | fields
    extra = fields.pop("extra", "")
    return write_toml(base + POLICY.format(**entry) + str(extra), name="policy.toml")


# --- the rules ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "when", "threshold", "expected"),
    [
        (64.9, "below", 65.0, True),
        (65.0, "below", 65.0, False),
        (121.0, "above", 120.0, True),
        (120.0, "above", 120.0, False),
    ],
)
def test_a_policy_starts_only_past_its_threshold(value, when, threshold, expected):
    assert triggered(value, when, threshold) is expected


def test_a_missing_measurement_starts_and_ends_nothing():
    assert not triggered(math.nan, "below", 65.0)
    assert not triggered(math.nan, "above", 65.0)
    assert not recovered(math.nan, "below", 70.0)


@pytest.mark.parametrize(
    ("value", "when", "release", "expected"),
    [
        (70.0, "below", 70.0, True),
        (69.9, "below", 70.0, False),
        (80.0, "above", 80.0, True),
        (80.1, "above", 80.0, False),
    ],
)
def test_a_policy_ends_once_back_past_its_release_level(value, when, release, expected):
    assert recovered(value, when, release) is expected


def test_a_policy_without_a_release_level_never_ends():
    assert not recovered(1e9, "below", None)
    assert not recovered(-1e9, "above", None)


@pytest.mark.parametrize(
    ("review", "lag", "budget", "expected"),
    [
        (12, 13, False, 26),  # the week after the review, plus the lag
        (12, 0, False, 13),
        (51, 13, True, 104),  # the survey's review: lag to week 65, then the next budget year
        (38, 13, True, 52),  # lands on a budget year's first week: no wait
        (12, 0, True, 52),
    ],
)
def test_a_decision_takes_effect_after_its_lag_and_at_the_budget_year(review, lag, budget, expected):
    assert effective_week(review, lag, budget) == expected


def test_reviews_fall_at_the_end_of_each_quarter_of_the_run_only():
    weeks = [w for w in range(-60, 60) if is_review_week(w)]
    assert weeks == [REVIEW_WEEKS - 1, 2 * REVIEW_WEEKS - 1, 3 * REVIEW_WEEKS - 1, 4 * REVIEW_WEEKS - 1]
    assert (4 * REVIEW_WEEKS) % BUDGET_YEAR == 0


def test_a_landlord_watches_what_it_can_see_never_true_trust():
    assert "tsm_tp01" in WATCHABLE and "repair_backlog_per_1000" in WATCHABLE
    assert not {"trust_mean", "satisfaction_true", "efficacy_mean"} & set(WATCHABLE)


# --- the file format ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"watch": "trust_mean"}, "'watch' = 'trust_mean'"),
        ({"when": "under"}, "'when' = 'under'"),
        ({"threshold": 1001.0}, "'threshold' = 1001.0"),
        ({"threshold": '"high"'}, "'threshold' = 'high'"),
        ({"values": "negativity_bias = 5.0"}, "'negativity_bias'"),
        ({"values": "estate_presence = 2.0"}, "estate_presence"),
        ({"lag": -1}, "'lag_weeks' = -1"),
        ({"budget": '"yes"'}, "'budget_cycle' = 'yes'"),
        ({"name": ""}, "'name' = ''"),
        ({"extra": "colour = 'red'\n"}, "unknown key 'colour'"),
        ({"extra": "release = -5.0\n"}, "'release' = -5.0"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_file_key_and_value(write_toml, fields, named):
    path = policy_file(write_toml, **fields)
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    message = str(error.value)
    assert str(path) in message and "policy 1" in message and named in message and "allowed" in message


def test_a_policy_missing_a_required_key_is_refused(write_toml):
    path = write_toml('[[policies]]\nname = "x"\nwatch = "tsm_tp01"\nwhen = "below"\nthreshold = 60.0\n')
    with pytest.raises(ScenarioError, match=r"policy 1: key 'set' is missing"):
        load_scenario(path)


def test_two_policies_with_one_name_are_refused(write_toml):
    one = POLICY.format(
        name="same", watch="tsm_tp01", when="below", threshold=60.0, values="openness = 0.5", lag=0, budget="true"
    )
    path = write_toml(one + one)
    with pytest.raises(ScenarioError, match="policy name 'same' is given twice"):
        load_scenario(path)


def test_a_shock_layer_may_not_hold_policies(write_toml, tmp_path):
    layer = write_toml(
        'description = "x"\n'
        + POLICY.format(
            name="p", watch="tsm_tp01", when="below", threshold=60.0, values="openness = 0.5", lag=0, budget="true"
        ),
        name="layer.toml",
    )
    with pytest.raises(ScenarioError, match="a shock layer may only hold"):
        load_scenario("baseline", shocks=[layer])


def test_a_scenario_records_its_policies_and_one_without_records_none(write_toml):
    scenario = load_scenario(policy_file(write_toml, release="", name="recorded"))
    record = scenario.to_dict()
    assert [p["name"] for p in record["policies"]] == ["recorded"]
    assert record["policies"][0]["set"] == {"estate_presence": 0.6}
    assert "policies" not in load_scenario("baseline").to_dict()


# --- in a run -----------------------------------------------------------------------------
def test_a_decided_change_takes_effect_in_the_week_the_lag_gives(write_toml, run_model):
    model = run_model(policy_file(write_toml, lag=5), weeks=40)
    [decision] = model.decisions
    assert (decision["week"], decision["decision"], decision["takes_effect"]) == (12, "start", 18)
    changes = model.lever_changes()
    later = changes[changes["week"] > 0]
    assert later[["week", "lever", "value", "cause"]].values.tolist() == [[18, "estate_presence", 0.6, "test policy"]]
    assert model.p["estate_presence"] == 0.6


def test_with_a_budget_cycle_the_change_waits_for_the_next_budget_year(write_toml, run_model):
    model = run_model(policy_file(write_toml, lag=0, budget="true"), weeks=51)
    assert model.decisions[0]["takes_effect"] == BUDGET_YEAR
    assert model.p["estate_presence"] == 0.2  # week 51: not yet
    model.run_for(2)
    assert model.p["estate_presence"] == 0.6


def test_a_survey_policy_decides_nothing_before_the_first_survey(write_toml, run_model):
    path = policy_file(write_toml, watch="tsm_tp01", when="below", threshold=100.0)
    model = run_model(path, weeks=60, homes=1000)
    assert [d["week"] for d in model.decisions] == [BUDGET_YEAR - 1]
    assert model.decisions[0]["value"] == model.last_survey["tsm_tp01"]


def test_a_policy_that_never_starts_changes_nothing(write_toml, run_model):
    path = policy_file(write_toml, watch="repair_backlog_per_1000", when="above", threshold=1000.0)
    with_policy, without = run_model(path, weeks=120, seed=4), run_model("baseline", weeks=120, seed=4)
    assert with_policy.decisions == []
    assert with_policy.summary() == without.summary()


def test_a_policy_that_ends_restores_the_levers_it_changed(write_toml, run_model):
    base = "[parameters]\npatch_size = 200\nestate_presence = 0.6\n"
    path = policy_file(
        write_toml,
        base=base,
        threshold=120.0,
        values="patch_size = 300",
        budget="false",
        lag=0,
        extra="release = 100.0\n",
    )
    model = run_model(path, weeks=260, homes=1000, seed=2)
    kinds = [d["decision"] for d in model.decisions]
    assert kinds[:2] == ["start", "end"]
    ended = model.decisions[1]
    assert ended["value"] <= 100.0
    changes = model.lever_changes()
    restored = changes[(changes["cause"] == "test policy (ended)")]
    assert restored["value"].iloc[0] == 200.0 and restored["week"].iloc[0] == ended["takes_effect"]


def test_policies_decide_the_same_with_the_same_seed(run_model):
    first, second = (run_model("respond_to_falling_tp01", weeks=312, homes=400, seed=9) for _ in range(2))
    assert first.decisions == second.decisions
    assert first.summary() == second.summary()


def test_moving_money_from_officers_to_repairs_shortens_waits():
    """Protect repairs first against frontline presence, where it starts: the same estates, shorter waits."""
    waits = {}
    for name in ("frontline_presence", "protect_repairs_first"):
        runs = [TrustModel(load_scenario(name, homes=1000), rng=seed) for seed in (1, 2, 3)]
        for model in runs:
            model.run_for(260)
        waits[name] = np.mean([m.summary()["repair_wait_weeks_mean"] for m in runs])
    assert waits["protect_repairs_first"] < waits["frontline_presence"] - 0.5


# --- in a comparison and its report --------------------------------------------------------
def test_a_policy_strategy_is_compared_with_the_preset_it_starts_from():
    scenarios = [load_scenario(n, homes=300) for n in ("baseline", "frontline_presence", "protect_repairs_first")]
    assert starting_preset(scenarios[2], scenarios) == "frontline_presence"
    assert starting_preset(scenarios[1], scenarios) is None
    result = compare(scenarios, replications=2, weeks=120, seed=3, progress=False)
    assert set(result.decisions["scenario"]) == {"protect_repairs_first"}
    assert set(result.levers.loc[result.levers["week"] > 0, "scenario"]) == {"protect_repairs_first"}
    [line] = policy_findings(scenarios, result.runs, result.decisions, replications=2, weeks=120)
    assert line.startswith("**protect_repairs_first**: 'Repairs first when the backlog grows' took effect in 2 of 2")
    assert "in week 52 (median; range 52-52)" in line
    assert "against frontline_presence, where it starts" in line


def test_a_decision_too_late_to_act_is_not_counted_as_taking_effect():
    scenarios = [load_scenario(n, homes=300) for n in ("baseline", "respond_to_falling_tp01")]
    decisions = pd.DataFrame(
        [
            {
                "week": 51,
                "policy": "Estate presence when TP01 falls",
                "decision": "start",
                "watch": "tsm_tp01",
                "value": 60.0,
                "takes_effect": 104,
                "scenario": "respond_to_falling_tp01",
                "replicate": 0,
            },
            {
                "week": 207,
                "policy": "Estate presence when TP01 falls",
                "decision": "start",
                "watch": "tsm_tp01",
                "value": 60.0,
                "takes_effect": 260,
                "scenario": "respond_to_falling_tp01",
                "replicate": 1,
            },
        ]
    )
    runs = pd.DataFrame(
        [
            {"scenario": s, "replicate": r, **{o: 0.5 + r for o in POLICY_OUTCOMES}}
            for s in ("baseline", "respond_to_falling_tp01")
            for r in (0, 1)
        ]
    )
    [line] = policy_findings(scenarios, runs, decisions, replications=2, weeks=208)
    assert "took effect in 1 of 2 replications (1 more decided it too late to act before week 208), in week 104" in line
