"""Compare strategies against baseline with seeded replications.

Replication ``r`` of every strategy uses the same seed (common random
numbers), so each strategy starts from the same simulated estate (households,
ties, dispositions and thresholds) as baseline; the weekly draws then diverge
as the strategies differ. Differences are estimated pairwise: the
difference's confidence interval is a paired t-interval over replications.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from experiments.runner import RunOutcome, RunSpec, executor, run_all, spawn_seeds
from model.scenario import Scenario

BASELINE = "baseline"
#: Seeded replications per strategy unless told otherwise.
DEFAULT_REPLICATIONS = 10
#: The outcomes compared (all from ``TrustModel.summary()``).
OUTCOMES = (
    "trust_mean",
    "trust_digitally_excluded",
    "trust_digitally_included",
    "trust_underrepresented",
    "participation_rate",
    "active_share",
    "representation_ratio",
    "efficacy_mean",
    "repair_wait_weeks_mean",
    "cost_per_home",
    "tsm_tp01",
    "tsm_tp06",
    "tsm_tp07",
    "tsm_tp08",
    "satisfaction_true",
    "central_pass_through",
    "ties_per_household",
    "lonely_share",
    "cohesion",
    "community_assets",
    "community_led_share",
)
COLUMNS = ("scenario", "outcome", "mean", "ci_low", "ci_high", "diff_vs_baseline", "diff_ci_low", "diff_ci_high")


@dataclass(frozen=True)
class Comparison:
    """Everything a comparison produced.

    Attributes:
        table: One row per scenario and outcome (:data:`COLUMNS`).
        runs: One row per run: scenario, replicate, seed and every summary value.
        weekly: Weekly series of every run, with scenario and replicate columns.
        seeds: Seed of each replicate (shared by all scenarios).
        baseline: Name of the scenario the others are compared with.
        levers: Every run's lever values at week 0 and later changes
            (:attr:`experiments.runner.RunOutcome.levers`), with scenario and replicate.
        decisions: Every run's landlord policy decisions, with scenario and replicate.
        neighbourhoods: Every run's end-of-run outcomes per neighbourhood, with scenario and replicate.
    """

    table: pd.DataFrame
    runs: pd.DataFrame
    weekly: pd.DataFrame
    seeds: list[int]
    baseline: str = BASELINE
    levers: pd.DataFrame | None = None
    decisions: pd.DataFrame | None = None
    neighbourhoods: pd.DataFrame | None = None


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t confidence interval of ``values`` (NaNs dropped).

    Returns ``(mean, low, high)``; the interval is NaN with fewer than two values.
    """
    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(data.mean())
    if data.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
    return mean, mean - half, mean + half


def comparison_table(runs: pd.DataFrame, outcomes: Sequence[str] = OUTCOMES, baseline: str = BASELINE) -> pd.DataFrame:
    """Means, confidence intervals and paired differences from baseline.

    Args:
        runs: One row per run with ``scenario``, ``replicate`` and outcome columns;
            must include the baseline scenario.
        outcomes: Outcome columns to compare.
        baseline: Name of the scenario the others are compared with.
    """
    base = runs[runs["scenario"] == baseline].set_index("replicate")
    rows = []
    for scenario, group in runs.groupby("scenario", sort=False):
        group = group.set_index("replicate")
        for outcome in outcomes:
            values = group[outcome].astype(float)
            diffs = values - base[outcome].astype(float).reindex(values.index)
            rows.append((scenario, outcome, *mean_ci(values), *mean_ci(diffs)))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _collect(replicates: Sequence[int], results: Sequence[RunOutcome]) -> tuple[pd.DataFrame, pd.DataFrame]:
    pairs = list(zip(replicates, results, strict=True))
    runs = pd.DataFrame(
        [{"scenario": o.spec.scenario.name, "replicate": r, "seed": o.spec.seed, **o.summary} for r, o in pairs]
    )
    weekly = pd.concat(
        [o.weekly.reset_index().assign(scenario=o.spec.scenario.name, replicate=r) for r, o in pairs],
        ignore_index=True,
    )
    return runs, weekly


def compare(
    scenarios: Sequence[Scenario],
    replications: int,
    weeks: int,
    seed: int,
    workers: int = 1,
    progress: bool = True,
    baseline: str = BASELINE,
) -> Comparison:
    """Run every scenario ``replications`` times and compare each with baseline.

    Args:
        scenarios: Resolved scenarios; one must be named ``baseline``.
        baseline: The scenario's name that counts as baseline (e.g. ``baseline+budget_cut``).
        replications: Seeded replications per scenario.
        weeks: Weeks per run.
        seed: Master seed; replicate ``r`` runs from ``spawn_seeds(seed, replications)[r]``
            (:func:`experiments.runner.derive_seeds`).
        workers: Processes to use.
        progress: Show a progress bar.

    Raises:
        ValueError: No baseline among the scenarios, or fewer than 2 replications.
    """
    names = [s.name for s in scenarios]
    if baseline not in names:
        raise ValueError(f"compare needs the '{baseline}' scenario among {names}")
    if replications < 2:
        raise ValueError(f"replications = {replications}; allowed: 2 or more (confidence intervals need 2)")
    seeds = spawn_seeds(seed, replications)
    replicates = [r for _ in scenarios for r in range(replications)]
    specs = [RunSpec(s, seeds[r], weeks, weekly_every=1) for s in scenarios for r in range(replications)]
    with executor(workers) as pool:
        results = run_all(specs, pool, progress=progress, label="compare")
    runs, weekly = _collect(replicates, results)
    levers = _stack(replicates, results, "levers")
    decisions = _stack(replicates, results, "decisions")
    neighbourhoods = _stack(replicates, results, "neighbourhoods")
    table = comparison_table(runs, baseline=baseline)
    return Comparison(table, runs, weekly, seeds, baseline, levers, decisions, neighbourhoods)


def _stack(replicates: Sequence[int], results: Sequence[RunOutcome], part: str) -> pd.DataFrame:
    """One table of every run's ``levers``, ``decisions`` or ``neighbourhoods``, with scenario and replicate."""
    frames = [
        getattr(o, part).assign(scenario=o.spec.scenario.name, replicate=r)
        for r, o in zip(replicates, results, strict=True)
    ]
    filled = [frame for frame in frames if len(frame)]
    return pd.concat(filled, ignore_index=True) if filled else frames[0].iloc[0:0]


def starting_preset(policy: Scenario, others: Sequence[Scenario]) -> str | None:
    """The compared strategy a policy strategy starts from: the same levers and parameters, no policies.

    Returns the name of the first such strategy among ``others``, or None.
    """
    for other in others:
        if other.name != policy.name and not other.policies and other.params == policy.params:
            return other.name
    return None
