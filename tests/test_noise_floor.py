"""Indices with a noise floor and verdicts: the dummy parameter, convergence, out-of-range flags, indices by year."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol
from SALib.test_functions import Ishigami

from experiments import sensitivity as sa
from experiments.cli import main
from experiments.design import DUMMY, ExperimentError, design_points, load_experiment
from experiments.study import run_sensitivity
from experiments.sweep import plan

TINY = """
name = "tiny-dummy"
scenario = "baseline"
homes = 100
weeks = {weeks}
replications = 1
seed = 3
outcomes = ["trust_mean", "participation_rate"]
series_every = {series}
[design]
method = "{method}"
samples = 4
dummy = true
[parameters]
negativity_bias = [1.0, 10.0]
"""


def _experiment(tmp_path: Path, method: str = "sobol", weeks: int = 8, series: int = 0) -> Path:
    path = tmp_path / f"{method}.toml"
    path.write_text(TINY.format(method=method, weeks=weeks, series=series))
    return path


def _row(parameter: str, index: str, value: float, low: float, high: float, outcome: str = "y") -> dict:
    return {"outcome": outcome, "parameter": parameter, "index": index, "value": value, "ci_low": low, "ci_high": high}


def test_judge_flags_out_of_range_unconverged_and_noise_floor() -> None:
    frame = pd.DataFrame(
        [
            _row("a", "S1", 1.14, 1.10, 1.18),
            _row("b", "S1", -0.20, -0.25, -0.15),
            _row("c", "S1", 0.30, 0.10, 0.50),
            _row("d", "S1", 0.40, 0.37, 0.43),
            _row("e", "S1", 0.06, 0.03, 0.09),
            _row(DUMMY, "S1", 0.02, -0.01, 0.05),
        ]
    )
    judged = sa.judge(frame, DUMMY).set_index("parameter")
    assert judged.loc["a", "verdict"] == "out of range (above 1)"
    assert judged.loc["b", "verdict"] == "out of range (negative beyond its interval)"
    assert judged.loc["c", "verdict"] == "not converged" and judged.loc["c", "ci_width"] == pytest.approx(0.4)
    assert judged.loc["d", "verdict"] == "above the noise floor"
    assert judged.loc["e", "verdict"] == "within the noise floor"  # 0.03 is not above the dummy's top, 0.05
    assert judged.loc[DUMMY, "verdict"] == "noise floor (dummy)"
    assert (judged["noise_floor"] == 0.05).all()


def test_without_a_dummy_indices_are_judged_against_zero() -> None:
    frame = pd.DataFrame([_row("a", "ST", 0.2, 0.17, 0.23), _row("b", "ST", 0.01, -0.02, 0.04)])
    judged = sa.judge(frame).set_index("parameter")
    assert judged.loc["a", "verdict"] == "above zero"
    assert judged.loc["b", "verdict"] == "not distinguishable from zero"
    assert judged["noise_floor"].isna().all()


def test_morris_convergence_is_judged_relative_to_the_largest_index() -> None:
    frame = pd.DataFrame(
        [
            _row("a", "mu_star", 50.0, 48.0, 52.0),
            _row("b", "mu_star", 10.0, 2.0, 18.0),
            _row("c", "sigma", 3, *[math.nan] * 2),
        ]
    )
    judged = sa.judge(frame).set_index("parameter")
    assert judged.loc["a", "converged"] is True  # width 4 of 50: 0.08
    assert judged.loc["b", "converged"] is False  # width 16 of 50: 0.32
    assert judged.loc["c", "converged"] is None and judged.loc["c", "verdict"] == "above zero"


def _ishigami_with_dummy(n: int) -> pd.DataFrame:
    problem = {"num_vars": 4, "names": ["x1", "x2", "x3", DUMMY], "bounds": [[-math.pi, math.pi]] * 3 + [[0.0, 1.0]]}
    x = sobol.sample(problem, n, calc_second_order=False, seed=1)
    indices = sa.analyse(problem, x, Ishigami.evaluate(x[:, :3]), "sobol", seed=2).assign(outcome="y")
    return sa.judge(indices, DUMMY).set_index(["index", "parameter"])["verdict"]


def test_ishigami_with_a_dummy_every_real_effect_stands_above_the_floor_once_converged() -> None:
    small, large = _ishigami_with_dummy(1024), _ishigami_with_dummy(4096)
    assert small[("ST", "x1")] == "not converged"  # interval 0.17 wide at N = 1024
    for parameter in ("x1", "x2", "x3"):  # analytic ST: 0.56, 0.44, 0.24
        assert large[("ST", parameter)] == "above the noise floor"
    assert large[("S1", "x3")] == "within the noise floor"  # analytic S1 of x3: 0
    assert large[("S1", "x1")] == "above the noise floor"


def test_a_dummy_adds_a_design_column_that_only_the_seed_tells_apart(tmp_path: Path) -> None:
    experiment = load_experiment(_experiment(tmp_path))
    assert experiment.problem["names"] == ["negativity_bias", DUMMY]
    design = experiment.design()
    assert design.shape == (4 * (2 + 2), 2) == (design_points(experiment), 2)
    runs = plan(experiment)
    assert all(set(run.values) == {"negativity_bias"} for run in runs)
    # in each Saltelli block (A, AB_bias, AB_dummy, B) the dummy's row has A's parameter values and its own seed
    for block in range(4):
        a, ab_dummy = runs[4 * block], runs[4 * block + 2]
        assert a.values == ab_dummy.values and a.seed != ab_dummy.seed


def test_a_dummy_is_refused_with_designs_that_cannot_carry_one(tmp_path: Path) -> None:
    with pytest.raises(ExperimentError, match=r"key 'dummy' = True; allowed: true or false \(true only with method"):
        load_experiment(_experiment(tmp_path, method="lhs"))


def test_sensitivity_writes_verdicts_and_the_dummy_s_floor(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    status = main(["sensitivity", str(_experiment(tmp_path)), "--out", str(out), "--workers", "1", "--quiet"])
    assert status == 0
    indices = pd.read_csv(out / "indices.csv")
    assert {"ci_width", "converged", "noise_floor", "out_of_range", "verdict"} <= set(indices.columns)
    for _, rows in indices.groupby(["outcome", "index"]):
        dummy = rows[rows["parameter"] == DUMMY].iloc[0]
        assert dummy["verdict"] == "noise floor (dummy)"
        np.testing.assert_allclose(rows["noise_floor"], dummy["ci_high"])
    assert "trust_mean (baseline) ST: " in capsys.readouterr().out


def test_indices_year_by_year_end_at_the_run_s_own(tmp_path: Path) -> None:
    experiment = load_experiment(_experiment(tmp_path, weeks=104, series=26))
    result = run_sensitivity(experiment, tmp_path / "out", progress=False)
    by_year = pd.read_csv(tmp_path / "out" / "indices_by_year.csv")
    assert sorted(by_year["year"].unique()) == [1, 2] and sorted(by_year["week"].unique()) == [52, 104]
    last = by_year[by_year["year"] == 2].drop(columns=["year", "week"]).reset_index(drop=True)
    whole = result["indices"][last.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        last[["outcome", "parameter", "index", "value"]], whole[["outcome", "parameter", "index", "value"]]
    )
    first = by_year[by_year["year"] == 1]
    assert not np.allclose(first["value"].to_numpy(), last["value"].to_numpy())  # year 1 is not year 2
    assert any(Path(f).name.startswith("by-year-baseline-trust_mean") for f in result["figures"])
