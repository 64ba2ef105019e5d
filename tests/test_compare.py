"""Confidence intervals and the comparison table (experiments/compare.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.compare import COLUMNS, OUTCOMES, compare, comparison_table, mean_ci
from experiments.runner import spawn_seeds
from model import load_scenario


def test_mean_ci_of_one_two_three():
    mean, low, high = mean_ci([1.0, 2.0, 3.0])
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)  # sd = 1
    assert mean == 2.0
    assert low == pytest.approx(2.0 - half)
    assert high == pytest.approx(2.0 + half)


def test_mean_ci_other_level():
    mean, low, high = mean_ci([2.0, 4.0, 6.0, 8.0], level=0.9)
    half = stats.t.ppf(0.95, 3) * np.std([2, 4, 6, 8], ddof=1) / 2
    assert (mean, low, high) == (5.0, pytest.approx(5.0 - half), pytest.approx(5.0 + half))


def test_mean_ci_drops_nans():
    mean, low, high = mean_ci([1.0, math.nan, 3.0])
    half = stats.t.ppf(0.975, 1) * math.sqrt(2) / math.sqrt(2)
    assert mean == 2.0
    assert (low, high) == (pytest.approx(2.0 - half), pytest.approx(2.0 + half))


def test_mean_ci_degenerate_cases():
    assert mean_ci([4.0, 4.0, 4.0]) == (4.0, 4.0, 4.0)
    mean, low, high = mean_ci([5.0])
    assert mean == 5.0 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in mean_ci([]))
    assert all(math.isnan(v) for v in mean_ci([math.nan, math.nan]))


@pytest.fixture
def runs() -> pd.DataFrame:
    # 'alt' is listed out of replicate order: differences must pair by replicate, not by row.
    return pd.DataFrame(
        {
            "scenario": ["baseline"] * 3 + ["alt"] * 3,
            "replicate": [0, 1, 2, 2, 0, 1],
            "x": [1.0, 2.0, 3.0, 3.0, 2.0, 4.0],  # alt by replicate: 2, 4, 3 -> diffs 1, 2, 0
            "y": [10.0, 10.0, 10.0, 7.0, 7.0, 7.0],
        }
    )


def test_comparison_table_exact_values(runs):
    table = comparison_table(runs, outcomes=("x", "y"))
    assert list(table.columns) == list(COLUMNS)
    assert list(zip(table["scenario"], table["outcome"], strict=True)) == [
        ("baseline", "x"),
        ("baseline", "y"),
        ("alt", "x"),
        ("alt", "y"),
    ]
    rows = table.set_index(["scenario", "outcome"])
    half = stats.t.ppf(0.975, 2) / math.sqrt(3)  # every sd below is 1
    assert rows.loc[("baseline", "x")].tolist() == pytest.approx([2.0, 2 - half, 2 + half, 0.0, 0.0, 0.0])
    assert rows.loc[("alt", "x")].tolist() == pytest.approx([3.0, 3 - half, 3 + half, 1.0, 1 - half, 1 + half])
    assert rows.loc[("baseline", "y")].tolist() == pytest.approx([10.0, 10.0, 10.0, 0.0, 0.0, 0.0])
    assert rows.loc[("alt", "y")].tolist() == pytest.approx([7.0, 7.0, 7.0, -3.0, -3.0, -3.0])


def test_comparison_table_missing_values_are_dropped(runs):
    runs.loc[(runs["scenario"] == "alt") & (runs["replicate"] == 1), "x"] = np.nan
    row = comparison_table(runs, outcomes=("x",)).set_index("scenario").loc["alt"]
    # alt x by replicate: 2, NaN, 3 -> mean 2.5; diffs 1, NaN, 0 -> mean 0.5
    assert row["mean"] == pytest.approx(2.5)
    assert row["diff_vs_baseline"] == pytest.approx(0.5)


def test_compare_runs_every_scenario_on_the_same_seeds():
    scenarios = [load_scenario("baseline", homes=100), load_scenario("power_sharing", homes=100)]
    result = compare(scenarios, replications=2, weeks=20, seed=11, workers=1, progress=False)
    assert result.seeds == spawn_seeds(11, 2)
    assert list(result.runs["scenario"]) == ["baseline", "baseline", "power_sharing", "power_sharing"]
    assert list(result.runs["seed"]) == result.seeds * 2
    assert len(result.weekly) == 4 * 21
    assert list(result.table.columns) == list(COLUMNS)
    assert set(result.table["outcome"]) == set(OUTCOMES)
    assert len(result.table) == 2 * len(OUTCOMES)
    base = result.table[result.table["scenario"] == "baseline"].dropna(subset=["mean"])
    assert (base["diff_vs_baseline"] == 0).all()
    # The table is the runs summarised: recompute one cell by hand.
    ps = result.runs[result.runs["scenario"] == "power_sharing"]["trust_mean"]
    row = result.table[(result.table["scenario"] == "power_sharing") & (result.table["outcome"] == "trust_mean")]
    assert row["mean"].item() == pytest.approx(ps.mean())


def test_compare_refuses_without_baseline_or_with_one_replication():
    with pytest.raises(ValueError, match="baseline"):
        compare([load_scenario("hybrid", homes=100)], 2, 5, 1, progress=False)
    with pytest.raises(ValueError, match="replications"):
        compare([load_scenario("baseline", homes=100)], 1, 5, 1, progress=False)
