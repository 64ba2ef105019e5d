"""Robustness analysis on hand-made sweeps whose answers are known exactly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments import robustness as rb

# Per-future means (sample 0..3) of each strategy; replicates are mean -/+ 0.01.
MEANS = {
    "trust_mean": {
        "baseline": [0.50, 0.50, 0.30, 0.70],
        "power_sharing": [0.60, 0.40, 0.35, 0.65],
        "listening": [0.55, 0.55, 0.30, 0.80],
    },
    "cost_per_home": {
        "baseline": [100.0, 100.0, 100.0, 100.0],
        "power_sharing": [120.0, 90.0, 100.0, 80.0],
        "listening": [110.0, 130.0, 95.0, 100.0],
    },
    "representation_ratio": {
        "baseline": [0.80, 1.10, 0.90, 1.00],
        "power_sharing": [1.30, 1.05, 0.70, 1.00],
        "listening": [0.90, 1.30, 1.05, 0.95],
    },
}
# (strategy, outcome) -> ((wins, ties, losses), mean_regret, max_regret), worked out by hand.
NONE = (np.nan, np.nan, np.nan)
EXPECTED = {
    ("baseline", "trust_mean"): (NONE, 0.075, 0.10),
    ("power_sharing", "trust_mean"): ((0.50, 0.0, 0.50), 0.075, 0.15),
    ("listening", "trust_mean"): ((0.75, 0.25, 0.0), 0.025, 0.05),  # ties baseline in future 2: not a win
    ("baseline", "cost_per_home"): (NONE, 8.75, 20.0),
    ("power_sharing", "cost_per_home"): ((0.50, 0.25, 0.25), 6.25, 20.0),
    ("listening", "cost_per_home"): ((0.25, 0.25, 0.50), 17.5, 40.0),
    ("baseline", "representation_ratio"): (NONE, 0.05, 0.10),
    ("power_sharing", "representation_ratio"): ((0.25, 0.25, 0.50), 0.1125, 0.25),  # 1.3 is further from 1 than 0.8
    ("listening", "representation_ratio"): ((0.50, 0.0, 0.50), 0.075, 0.25),
}
OUTCOMES = list(MEANS)


def hand_runs(failed: bool = False) -> pd.DataFrame:
    """Two ok replicates per future and strategy; optionally failed runs carrying absurd values."""
    rows = []
    for strategy in MEANS["trust_mean"]:
        for sample in range(4):
            for replicate, shift in enumerate((-0.01, 0.01)):
                row = {
                    "sample_id": sample,
                    "replicate": replicate,
                    "scenario": strategy,
                    "seed": 10 * sample + replicate,
                }
                row |= {o: MEANS[o][strategy][sample] + shift for o in OUTCOMES}
                rows.append(row | {"status": "ok", "error": ""})
            if failed:
                row = {"sample_id": sample, "replicate": 2, "scenario": strategy, "seed": 10 * sample + 2}
                rows.append(row | dict.fromkeys(OUTCOMES, 999.0) | {"status": "failed", "error": "boom"})
    if failed:  # a fifth future in which one strategy never ran successfully
        for strategy in MEANS["trust_mean"]:
            status = "failed" if strategy == "listening" else "ok"
            row = {"sample_id": 4, "replicate": 0, "scenario": strategy, "seed": 40}
            rows.append(row | dict.fromkeys(OUTCOMES, 0.5) | {"status": status, "error": ""})
    frame = pd.DataFrame(rows)
    frame.insert(0, "run_id", range(len(frame)))
    frame["a"] = frame["sample_id"] / 10
    return frame.assign(seconds=0.1)


def synthetic(n: int = 200, noise: float = 0.0, seed: int = 1) -> pd.DataFrame:
    """power_sharing loses trust against baseline exactly when a > 0.6; b is irrelevant."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    fail = (a > 0.6) ^ (rng.uniform(0, 1, n) < noise)
    rows = []
    for strategy in ("baseline", "power_sharing", "listening"):
        for i in range(n):
            for replicate in range(2):
                if strategy == "power_sharing":
                    trust = (0.4 if fail[i] else 0.6) + 0.01 * b[i]
                else:
                    trust = 0.5 + (0.05 if strategy == "listening" else 0.0)
                cost = 100.0 + 10 * a[i] + (5 if strategy == "listening" else 0)
                rows.append(
                    {"sample_id": i, "replicate": replicate, "scenario": strategy, "seed": 2 * i + replicate}
                    | {"a": a[i], "b": b[i], "trust_mean": trust, "cost_per_home": cost, "status": "ok"}
                )
    frame = pd.DataFrame(rows)
    frame.insert(0, "run_id", range(len(frame)))
    return frame


def test_goodness_makes_higher_better() -> None:
    values = np.array([0.5, 1.0, 1.5])
    assert rb.goodness("trust_mean", values).tolist() == [0.5, 1.0, 1.5]
    assert rb.goodness("cost_per_home", values).tolist() == [-0.5, -1.0, -1.5]
    assert rb.goodness("representation_ratio", values).tolist() == [-0.5, 0.0, -0.5]
    assert [rb.better(o) for o in ("tsm_tp01", "repair_wait_weeks_mean", "representation_ratio")] == [
        "higher",
        "lower",
        "closer to 1",
    ]


def test_per_sample_averages_ok_replicates_with_baseline_first() -> None:
    table = rb.per_sample(hand_runs(failed=True).iloc[::-1], "trust_mean")
    assert list(table.columns) == ["baseline", "listening", "power_sharing"]  # baseline, then as they appear
    assert table.index.tolist() == [0, 1, 2, 3, 4]
    assert table.loc[:3, "listening"].to_numpy() == pytest.approx(MEANS["trust_mean"]["listening"])
    assert np.isnan(table.loc[4, "listening"])


@pytest.mark.parametrize("failed", [False, True])
def test_summary_matches_hand_computation(failed: bool) -> None:
    summary = rb.summarise(hand_runs(failed), OUTCOMES).set_index(["strategy", "outcome"])
    assert len(summary) == 9
    assert (summary["n_samples"] == 4).all()  # future 4 lacks listening, so it is left out for all
    assert (summary["n_futures"] == (5 if failed else 4)).all() and (summary["n_failed"] == int(failed)).all()
    assert (summary["n_undefined"] == 0).all() and (summary["tie_tolerance"] == 1e-9).all()
    for key, (shares, mean_regret, max_regret) in EXPECTED.items():
        row = summary.loc[key]
        assert [row["wins"], row["ties"], row["losses"]] == pytest.approx(shares, nan_ok=True), key
        for name in ("wins", "ties", "losses"):
            assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"] or np.isnan(row[name]), key
        assert row["mean_regret"] == pytest.approx(mean_regret), key
        assert row["max_regret"] == pytest.approx(max_regret), key
    base = summary.loc[("baseline", "trust_mean")]
    assert [base[c] for c in ("mean", "p05", "p25", "median", "p75", "p95")] == pytest.approx(
        [0.5, 0.33, 0.45, 0.5, 0.55, 0.67]
    )
    assert summary.loc[("listening", "cost_per_home"), "better"] == "lower"


def test_missing_baseline_or_outcome_raises() -> None:
    runs = hand_runs()
    with pytest.raises(ValueError, match="baseline strategy 'status_quo'"):
        rb.summarise(runs, ["trust_mean"], baseline="status_quo")
    with pytest.raises(ValueError, match="baseline strategy 'baseline'"):
        rb.summarise(runs[runs["scenario"] != "baseline"], ["trust_mean"])
    with pytest.raises(ValueError, match="tsm_tp06"):
        rb.summarise(runs, ["tsm_tp06"])


@given(
    st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["trust_mean", "cost_per_home", "representation_ratio"]),
)
def test_regret_invariants(values: list[tuple[float, float, float]], outcome: str) -> None:
    """Regret is non-negative, zero for some strategy in every future; a copy of baseline never beats it."""
    table = pd.DataFrame(values, columns=["baseline", "twin", "other"])
    table["twin"] = table["baseline"]
    regrets = rb.regret(outcome, table)
    assert (regrets >= 0).all().all()
    assert (regrets.min(axis=1) == 0).all()
    runs = table.stack().rename(outcome).reset_index()
    runs.columns = ["sample_id", "scenario", outcome]
    summary = rb.summarise(runs, [outcome]).set_index("strategy")
    assert summary.loc["twin", "wins"] == 0 and summary.loc["twin", "ties"] == 1
    assert summary.loc["twin", "mean_regret"] == pytest.approx(summary.loc["baseline", "mean_regret"])


def test_wilson_interval_matches_the_published_formula() -> None:
    # Wilson (1927), z = 1.959964: 42 of 100 -> [0.3280, 0.5179]; 0 of 10 -> [0, 0.2775].
    assert rb.wilson(42, 100) == pytest.approx((0.32798, 0.51794), abs=1e-4)
    assert rb.wilson(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-4)
    assert rb.wilson(10, 10)[1] == 1.0
    assert all(np.isnan(rb.wilson(0, 0)))


def test_a_difference_within_the_tie_tolerance_is_a_tie_not_a_loss() -> None:
    runs = hand_runs()
    runs.loc[runs["scenario"] == "listening", "trust_mean"] -= 1e-12  # below baseline by less than 1e-9
    runs.loc[(runs["scenario"] == "listening") & (runs["sample_id"] < 2), "trust_mean"] -= 0.2
    row = rb.summarise(runs, ["trust_mean"]).set_index("strategy").loc["listening"]
    assert [row["wins"], row["ties"], row["losses"]] == pytest.approx([0.25, 0.25, 0.50])
    exact = rb.summarise(runs, ["trust_mean"], tie_tolerance=0.0).set_index("strategy").loc["listening"]
    assert exact["ties"] == 0 and exact["losses"] == pytest.approx(0.75)
    wide = rb.summarise(runs, ["trust_mean"], tie_tolerance=0.5).set_index("strategy").loc["listening"]
    assert wide["ties"] == 1
    with pytest.raises(ValueError, match=r"tie_tolerance = -1\.0; allowed: a finite number >= 0"):
        rb.summarise(runs, ["trust_mean"], tie_tolerance=-1.0)
    assert not rb.failures(runs, "listening", "trust_mean").loc[2]  # a tie is not a failure


def test_futures_where_the_outcome_is_undefined_are_counted_and_warned_about() -> None:
    runs = hand_runs(failed=True)
    undefined = (runs["scenario"] == "power_sharing") & (runs["sample_id"] == 1)
    runs.loc[undefined, "representation_ratio"] = np.nan
    summary = rb.summarise(runs, ["trust_mean", "representation_ratio"])
    rows = summary.set_index(["strategy", "outcome"])
    assert rows.loc[("listening", "representation_ratio"), ["n_samples", "n_undefined", "n_failed"]].tolist() == [
        3,
        1,
        1,
    ]
    warnings = rb.dropped_warnings(summary)
    assert warnings[0] == (
        "trust_mean is judged on 4 of 5 futures; dropped: 1 because some strategy has no successful run"
    )
    assert warnings[1].startswith("representation_ratio is judged on 3 of 5 futures; dropped: 1 because it is ")
    assert "nobody took part" in warnings[1]


def test_discover_finds_the_failure_region() -> None:
    result = rb.discover(synthetic(), ["a", "b"], "power_sharing")
    assert result["conditions"] and {c["parameter"] for c in result["conditions"]} == {"a"}
    (condition,) = result["conditions"]
    assert condition["op"] == ">"
    assert condition["value"] == pytest.approx(0.6, abs=0.03)
    assert result["density"] == pytest.approx(1.0)
    assert result["coverage"] == pytest.approx(1.0)
    assert result["failures"] == result["total_failures"] == result["samples"]
    assert result["support"] == pytest.approx(result["total_failures"] / 200)
    assert " a > 0.6" in result["sentence"]
    assert result["sentence"].startswith("power_sharing does worse than baseline on trust in 100% of sampled futures")
    assert result["importance"]["a"] > result["importance"]["b"]


def test_discover_threshold_rule_matches_trust_collapse() -> None:
    result = rb.discover(synthetic(), ["a", "b"], "power_sharing", rule="below", threshold=0.45)
    assert [c["parameter"] for c in result["conditions"]] == ["a"]
    assert result["density"] == pytest.approx(1.0)
    assert "power_sharing's trust falls below 0.45" in result["sentence"]
    high_cost = rb.discover(synthetic(), ["a", "b"], "listening", "cost_per_home", rule="above", threshold=110.0)
    assert high_cost["conditions"][0]["parameter"] == "a" and high_cost["density"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="needs a threshold"):
        rb.discover(synthetic(), ["a", "b"], "power_sharing", rule="below")
    with pytest.raises(ValueError, match="rule 'worst'"):
        rb.discover(synthetic(), ["a", "b"], "power_sharing", rule="worst")
    with pytest.raises(ValueError, match="is the baseline"):
        rb.discover(synthetic(), ["a", "b"], "baseline")


def test_discover_without_failures_says_so() -> None:
    result = rb.discover(synthetic(), ["a", "b"], "listening")  # always 0.05 above baseline
    assert result["conditions"] == []
    assert (result["density"], result["coverage"], result["support"]) == (0.0, 0.0, 1.0)
    assert result["total_failures"] == 0
    assert "in none of the 200 sampled futures" in result["sentence"]


def test_discover_is_deterministic_given_seed() -> None:
    runs = synthetic(noise=0.15, seed=4)
    first = rb.discover(runs, ["a", "b"], "power_sharing", seed=3)
    assert first == rb.discover(runs, ["a", "b"], "power_sharing", seed=3)
    assert 0.5 < first["density"] < 1.0
    assert first["samples"] >= 0.05 * first["total_samples"]


def test_robustness_report_writes_every_file(tmp_path) -> None:
    runs = synthetic(n=60)
    paths = rb.robustness_report(runs, ["a", "b"], ["trust_mean", "cost_per_home"], tmp_path)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    table = pd.read_csv(paths["robustness.csv"])
    assert len(table) == 6 and table.columns.tolist() == rb.SUMMARY_COLUMNS
    results = json.loads(paths["discovery.json"].read_text(encoding="utf-8"))
    assert [(r["strategy"], r["outcome"]) for r in results] == [
        ("power_sharing", "trust_mean"),
        ("listening", "trust_mean"),
        ("power_sharing", "cost_per_home"),
        ("listening", "cost_per_home"),
    ]
    markdown = paths["discovery.md"].read_text(encoding="utf-8")
    assert all(r["sentence"] in markdown for r in results)
    assert "figures/discovery_power_sharing_trust_mean.png" in paths
    assert "figures/beats_cost_per_home.png" in paths and "figures/distribution_trust_mean.png" in paths


def test_plot_discovery_with_one_parameter(tmp_path) -> None:
    runs = synthetic(n=40)
    result = rb.discover(runs, ["a"], "power_sharing")
    path = rb.plot_discovery(runs, ["a"], result, tmp_path / "one.png")
    assert path.is_file()


def test_discover_when_every_future_fails() -> None:
    result = rb.discover(synthetic(), ["a", "b"], "listening", "cost_per_home")  # always 5 above baseline
    assert result["conditions"] == []
    assert (result["density"], result["coverage"], result["support"]) == (1.0, 1.0, 1.0)
    assert result["sentence"] == "listening does worse than baseline on cost per home in all 200 sampled futures."
