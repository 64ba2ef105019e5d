"""Scenario discovery: PRIM from the EMA Workbench (trade-off, quasi-p-values, resampling), CART beside it, scores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.discovery import (
    NOISE_FEATURE,
    PrimSettings,
    discover_strategy,
    feature_scores,
    labelled_futures,
    prim_box,
)

FUTURES = 400


def _runs(seed: int = 1, flips: float = 0.03) -> pd.DataFrame:
    """Scripted futures: strategy 's' does worse than baseline exactly where a > 0.7 and b < 0.5 (a few flipped)."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.random(FUTURES), rng.random(FUTURES), rng.random(FUTURES)
    fails = ((a > 0.7) & (b < 0.5)) ^ (rng.random(FUTURES) < flips)
    rows = []
    for i in range(FUTURES):
        common = {"sample_id": i, "replicate": 0, "seed": i, "a": a[i], "b": b[i], "c": c[i], "status": "ok"}
        rows.append(common | {"run_id": 2 * i, "scenario": "baseline", "trust_mean": 0.5})
        rows.append(common | {"run_id": 2 * i + 1, "scenario": "s", "trust_mean": 0.4 if fails[i] else 0.6})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def found() -> dict:
    x, y = labelled_futures(_runs(), ["a", "b", "c"], "s", "trust_mean")
    return prim_box(x, y, PrimSettings(resamples=10, seed=4))


def test_prim_finds_the_scripted_box_with_significant_limits(found: dict) -> None:
    limits = {r["parameter"]: r for r in found["restrictions"]}
    assert set(limits) == {"a", "b"}
    assert limits["a"]["low"] == pytest.approx(0.7, abs=0.05) and limits["a"]["high"] is None
    assert limits["b"]["high"] == pytest.approx(0.5, abs=0.05) and limits["b"]["low"] is None
    assert found["significant"] and all(r["qp_low"] or r["qp_high"] for r in found["restrictions"])
    assert max(v for r in found["restrictions"] for v in (r["qp_low"], r["qp_high"]) if v is not None) < 0.05
    assert found["density"] > 0.8 and found["coverage"] >= 0.5


def test_the_reported_box_is_the_densest_significant_one_with_enough_coverage(found: dict) -> None:
    trajectory = pd.DataFrame(found["trajectory"])
    assert trajectory["coverage"].iloc[0] == 1.0 and trajectory["mass"].iloc[0] == 1.0  # box 0: every future
    chosen = trajectory.iloc[found["chosen"]]
    assert chosen["coverage"] == found["coverage"] >= 0.5 and chosen["k"] == found["failures"]
    peeled = trajectory[(trajectory["step"] == "peel or paste") & (trajectory["coverage"] >= 0.5)]
    assert found["density"] >= peeled["density"].iloc[1:].max() - 0.1  # close to the best peeled box


def test_insignificant_restrictions_are_dropped_before_a_box_is_reported() -> None:
    runs = _runs(flips=0.0)
    x, y = labelled_futures(runs, ["a", "b", "c"], "s", "trust_mean")
    result = prim_box(x, y, PrimSettings(resamples=0, min_coverage=0.5))
    assert {r["parameter"] for r in result["restrictions"]} == {"a", "b"}  # c never kept
    quasi = [v for r in result["restrictions"] for v in (r["qp_low"], r["qp_high"]) if v is not None]
    assert quasi and max(quasi) < 0.05
    assert set(result["dropped"]) <= {"c"}


def test_resampling_finds_the_scripted_restrictions_again_and_not_the_noise(found: dict) -> None:
    again = found["reproducibility"]
    assert again["a"]["reproduce_coverage"] == 100 and again["b"]["reproduce_coverage"] >= 80
    assert again["c"]["reproduce_coverage"] < again["b"]["reproduce_coverage"]  # noise: PRIM peels it only at times


def test_a_higher_coverage_floor_moves_the_box_along_the_trade_off() -> None:
    x, y = labelled_futures(_runs(), ["a", "b", "c"], "s", "trust_mean")
    loose, strict = (prim_box(x, y, PrimSettings(min_coverage=m, resamples=0)) for m in (0.5, 0.95))
    if strict["chosen"] is not None:
        assert strict["coverage"] >= 0.95 and strict["density"] <= loose["density"]
    else:
        assert "coverage of at least 0.95" in strict["reason"]


def test_too_few_failures_give_no_box_and_say_why() -> None:
    runs = _runs()
    runs.loc[runs["scenario"] == "s", "trust_mean"] = 0.6
    runs.loc[(runs["scenario"] == "s") & (runs["sample_id"] < 3), "trust_mean"] = 0.4
    x, y = labelled_futures(runs, ["a", "b", "c"], "s", "trust_mean")
    result = prim_box(x, y)
    assert result["chosen"] is None and result["reason"] == "3 failing future(s), fewer than min_failures = 5"


def test_feature_scores_put_the_scripted_parameters_above_the_noise_column() -> None:
    x, y = labelled_futures(_runs(), ["a", "b", "c"], "s", "trust_mean")
    scores = feature_scores(x, y, trees=100, seed=3).set_index("parameter")
    assert scores.loc["a", "above_noise"] and scores.loc["b", "above_noise"]
    noise = scores.loc[[f"{NOISE_FEATURE} {k}" for k in (1, 2, 3)], "score"]
    assert noise.max() == scores["noise_floor"].iloc[0] and not scores.loc[noise.index, "above_noise"].any()
    assert scores.loc["a", "score"] > 2 * noise.max()


def test_discovery_is_reproducible_and_keeps_cart_beside_prim() -> None:
    settings = PrimSettings(resamples=3, seed=9)
    one = discover_strategy(_runs(), ["a", "b", "c"], "s", "trust_mean", settings=settings)
    two = discover_strategy(_runs(), ["a", "b", "c"], "s", "trust_mean", settings=settings)
    assert json.dumps(one, default=str) == json.dumps(two, default=str)
    assert one["cart"]["conditions"] and "sampled futures where" in one["cart"]["sentence"]
    assert one["sentence"].startswith("s does worse than baseline on trust in ")
    assert "PRIM's box where a ≥ 0.7" in one["sentence"]


def test_prim_settings_are_checked() -> None:
    with pytest.raises(ValueError, match=r"min_coverage = 1\.5; allowed: a number strictly between 0 and 1"):
        PrimSettings(min_coverage=1.5)
    with pytest.raises(ValueError, match="resamples = -1"):
        PrimSettings(resamples=-1)


EXPERIMENT = """
name = "tiny-discovery"
scenarios = [{scenarios}]
homes = 100
weeks = 8
replications = 1
seed = 4
outcomes = ["trust_mean"]
[design]
method = "lhs"
samples = 24
[parameters]
negativity_bias = "declared"
talk_rate = "declared"
"""


def test_the_discover_command_writes_prim_cart_scores_and_settings(tmp_path: Path, capsys) -> None:
    path = tmp_path / "d.toml"
    path.write_text(EXPERIMENT.format(scenarios='"baseline", "digital_only"'))
    out = tmp_path / "out"
    assert main(["discover", str(path), "--out", str(out), "--workers", "1", "--quiet", "--resamples", "2"]) == 0
    results = json.loads((out / "prim.json").read_text())
    assert [(r["strategy"], r["outcome"]) for r in results] == [("digital_only", "trust_mean")]
    assert {"prim_tradeoff.csv", "feature_scores.csv", "prim.md"} <= {p.name for p in out.iterdir()}
    settings = json.loads((out / "manifest.json").read_text())["analyses"]["discover"]["settings"]
    assert settings["resamples"] == 2 and settings["min_coverage"] == 0.5 and settings["seed"] == 4
    printed = capsys.readouterr().out
    assert "  PRIM: digital_only does worse than baseline on trust" in printed and "  CART: " in printed


def test_the_discover_command_needs_a_baseline_and_sane_settings(tmp_path: Path, capsys) -> None:
    path = tmp_path / "d.toml"
    path.write_text(EXPERIMENT.format(scenarios='"digital_only"'))
    assert main(["discover", str(path), "--out", str(tmp_path / "a"), "--quiet"]) == 2
    assert "a list that includes 'baseline'" in capsys.readouterr().err
    path.write_text(EXPERIMENT.format(scenarios='"baseline", "digital_only"'))
    assert main(["discover", str(path), "--out", str(tmp_path / "b"), "--min-coverage", "1.5", "--quiet"]) == 2
    assert "min_coverage = 1.5" in capsys.readouterr().err


def test_prim_resamples_a_box_on_a_whole_number_parameter() -> None:
    """An integer parameter (as ``workload_reference`` in a sweep) no longer crashes PRIM's resampling.

    The Workbench pastes box edges half-way between sampled values, which pandas refuses to write into an
    int64 column; before ``as_real`` this case raised "Invalid value '464.5' for dtype 'int64'".
    """
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"k": rng.integers(100, 900, 400), "a": rng.random(400), "b": rng.random(400)})
    y = (((x["k"] < 480) & (x["a"] < 0.6)) ^ (rng.random(400) < 0.1)).to_numpy()
    assert x["k"].dtype.kind == "i"
    result = prim_box(x, y, PrimSettings(resamples=10, seed=1))
    limits = {r["parameter"]: r for r in result["restrictions"]}
    assert result["chosen"] is not None and result["significant"]
    assert limits["k"]["low"] is None and 350 < limits["k"]["high"] < 520 and limits["k"]["high"] % 1 == 0.5
    assert limits["a"]["low"] is None and 0.5 < limits["a"]["high"] < 0.65
    assert set(result["reproducibility"]) >= {"k"}
    assert x["k"].dtype.kind == "i"  # the caller's frame is left as it was
