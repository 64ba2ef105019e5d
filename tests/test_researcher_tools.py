"""The model where researchers already are: keyword construction, mesa.batch_run, f(**params), the EMA Workbench."""

from __future__ import annotations

import math
import warnings

import mesa
import numpy as np
import pandas as pd
import pytest

from experiments.runner import RunSpec, derive_seeds, run
from experiments.workbench import ema_model, ema_parameter, simulate
from model import TrustModel, load_scenario, params
from model.model import WEEKLY_SERIES
from model.scenario import ScenarioError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # "ipyparallel not installed": an evaluator not used here
    from ema_workbench import IntegerParameter, RealParameter, ReplicatorModel, perform_experiments

HOMES = 100


def _weekly(model: TrustModel, weeks: int) -> pd.DataFrame:
    model.run_for(weeks)
    return model.weekly()


def test_keyword_parameters_give_the_same_run_as_a_loaded_scenario() -> None:
    by_hand = TrustModel(load_scenario("baseline", negativity_bias=4.0, homes=HOMES), rng=5)
    by_keyword = TrustModel(negativity_bias=4.0, homes=HOMES, rng=5)
    pd.testing.assert_frame_equal(_weekly(by_hand, 12), _weekly(by_keyword, 12), check_exact=True)
    assert by_hand.summary() == by_keyword.summary()


def test_a_strategy_by_name_and_a_resolved_scenario_with_keywords() -> None:
    named = TrustModel("frontline_presence", homes=HOMES, rng=2)
    loaded = TrustModel(load_scenario("frontline_presence", homes=HOMES), rng=2)
    assert named.scenario_spec == loaded.scenario_spec
    changed = TrustModel(load_scenario("frontline_presence", homes=HOMES), rng=2, talk_rate=0.5)
    assert changed.p["talk_rate"] == 0.5
    assert changed.p["estate_presence"] == loaded.p["estate_presence"]
    assert changed.scenario_spec.params == loaded.scenario_spec.params | {"talk_rate": 0.5}


def test_keyword_errors_name_the_key_and_what_is_allowed() -> None:
    with pytest.raises(ScenarioError, match="unknown key 'negativity'"):
        TrustModel(negativity=4.0, homes=HOMES)
    declared = params.get("negativity_bias")
    with pytest.raises(ScenarioError, match="negativity_bias"):
        TrustModel(negativity_bias=declared.high * 10, homes=HOMES)
    with pytest.raises(ScenarioError, match="shocks only with a scenario name"):
        TrustModel(load_scenario("baseline", homes=HOMES), shocks=["budget_cut"])


def test_shocks_layer_onto_a_strategy_given_by_name() -> None:
    model = TrustModel("baseline", homes=HOMES, shocks=["budget_cut"], rng=1)
    assert model.scenario_spec == load_scenario("baseline", shocks=["budget_cut"], homes=HOMES)


def test_mesa_batch_run_returns_a_row_per_run_with_every_weekly_series() -> None:
    steps = 4
    rows = mesa.batch_run(
        TrustModel,
        parameters={"homes": HOMES, "negativity_bias": [2.0, 6.0], "scenario": ["baseline", "frontline_presence"]},
        rng=[1, 2],
        max_steps=steps,
        display_progress=False,
    )
    assert len(rows) == 2 * 2 * 2
    frame = pd.DataFrame(rows)
    assert set(WEEKLY_SERIES) <= set(frame.columns)
    assert (frame["week"] == steps).all()
    one = frame[(frame["negativity_bias"] == 6.0) & (frame["scenario"] == "frontline_presence") & (frame["rng"] == 2)]
    by_hand = TrustModel("frontline_presence", homes=HOMES, negativity_bias=6.0, rng=2)
    expected = _weekly(by_hand, steps).loc[steps]
    assert one["trust_mean"].item() == expected["trust_mean"]
    assert one["participation_rate"].item() == expected["participation_rate"]
    assert frame["trust_mean"].nunique() > 1  # the parameters and seeds make a difference


def test_batch_run_every_step_matches_the_weekly_table() -> None:
    rows = mesa.batch_run(
        TrustModel, parameters={"homes": HOMES}, rng=[3], max_steps=3, data_collection_period=1, display_progress=False
    )
    frame = pd.DataFrame(rows).set_index("week")
    weekly = _weekly(TrustModel(homes=HOMES, rng=3), 3)
    assert list(frame.index) == [0, 1, 2, 3]
    np.testing.assert_array_equal(frame["trust_mean"].to_numpy(), weekly["trust_mean"].to_numpy())


def test_simulate_is_the_runner_with_keyword_parameters() -> None:
    out = simulate(negativity_bias=3.0, homes=HOMES, weeks=10, seed=9)
    by_runner = run(RunSpec(load_scenario("baseline", negativity_bias=3.0, homes=HOMES), 9, 10)).summary
    assert out["trust_mean"] == by_runner["trust_mean"]
    assert out["participation_rate"] == by_runner["participation_rate"]
    assert math.isnan(out["tsm_tp01"])  # no yearly survey in 10 weeks: undefined, as declared
    assert all(isinstance(v, float) for v in out.values())


def test_simulate_returns_series_for_time_series_outcomes() -> None:
    out = simulate(homes=HOMES, weeks=12, seed=1, series=["trust_mean"], series_every=4)
    np.testing.assert_array_equal(out["TIME"], [0.0, 4.0, 8.0, 12.0])
    weekly = _weekly(TrustModel(homes=HOMES, rng=1), 12)
    np.testing.assert_array_equal(out["trust_mean_by_week"], weekly["trust_mean"].to_numpy()[::4])
    assert out["trust_mean"] == weekly["trust_mean"].iloc[-1]  # the end-of-run value kept beside the series
    with pytest.raises(ScenarioError, match="allowed: any of"):
        simulate(homes=HOMES, weeks=2, series=["trust"])


def test_simulate_refuses_unknown_parameters() -> None:
    with pytest.raises(ScenarioError, match="unknown key 'bias'"):
        simulate(bias=1.0, homes=HOMES, weeks=1)


def test_ema_parameters_come_from_the_declarations() -> None:
    bias, patch = ema_parameter("negativity_bias"), ema_parameter("patch_size")
    declared = params.get("negativity_bias")
    assert isinstance(bias, RealParameter) and (bias.lower_bound, bias.upper_bound) == (declared.low, declared.high)
    assert isinstance(patch, IntegerParameter)
    with pytest.raises(params.ParameterError):
        ema_parameter("negativity_bias", declared.low - 1.0, declared.high)


def test_the_workbench_runs_the_model_and_its_outcomes_are_simulate_s() -> None:
    model = ema_model(["negativity_bias"], {"estate_presence": (0.1, 0.5)}, homes=HOMES, weeks=8, seed=4)
    experiments, outcomes = perform_experiments(
        model,
        scenarios=2,
        policies=2,
        uncertainty_sampling_kwargs={"rng": 1},
        lever_sampling_kwargs={"rng": 2},
        log_progress=False,
    )
    assert len(experiments) == 4 and len(outcomes["trust_mean"]) == 4
    row = experiments.iloc[3]
    again = simulate(
        negativity_bias=float(row["negativity_bias"]),
        estate_presence=float(row["estate_presence"]),
        homes=HOMES,
        weeks=8,
        seed=4,
    )
    assert outcomes["trust_mean"][3] == again["trust_mean"]
    assert outcomes["participation_rate"][3] == again["participation_rate"]


def test_workbench_replicates_take_their_seeds_from_the_master_seed() -> None:
    model = ema_model(["negativity_bias"], replications=2, homes=HOMES, weeks=6, seed=11)
    assert isinstance(model, ReplicatorModel)
    experiments, outcomes = perform_experiments(model, scenarios=1, uncertainty_sampling_kwargs={"rng": 3})
    bias = float(experiments["negativity_bias"].iloc[0])
    seeds = derive_seeds(11, 2)
    runs = [simulate(negativity_bias=bias, homes=HOMES, weeks=6, seed=s)["trust_mean"] for s in seeds]
    assert outcomes["trust_mean"][0] == pytest.approx(np.mean(runs), abs=0, rel=1e-15)


def test_a_workbench_constant_can_name_the_strategy() -> None:
    model = ema_model(["negativity_bias"], scenario="frontline_presence", homes=HOMES, weeks=4, seed=2)
    experiments, outcomes = perform_experiments(model, scenarios=1, uncertainty_sampling_kwargs={"rng": 5})
    bias = float(experiments["negativity_bias"].iloc[0])
    strategy = simulate(scenario="frontline_presence", negativity_bias=bias, homes=HOMES, weeks=4, seed=2)
    baseline = simulate(negativity_bias=bias, homes=HOMES, weeks=4, seed=2)
    assert outcomes["trust_mean"][0] == strategy["trust_mean"] != baseline["trust_mean"]
