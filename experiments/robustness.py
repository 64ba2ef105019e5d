"""Robustness of strategies across sampled futures, and where each one fails.

A sweep that crosses strategies with a sample of the uncertain parameters
(``experiments/sweep.py``) gives, for every sampled future (``sample_id``),
one run per replicate and strategy. Replicate ``r`` of a future uses the same
seed for every strategy (common random numbers), so strategies meet the same
luck and can be compared future by future. This module answers the questions
of robust decision making, after the EMA Workbench:

* :func:`summarise`: how each strategy's outcome is spread over the futures,
  the shares of futures in which it beats, ties or loses to baseline (a
  difference within the tie tolerance is a tie), each with a 95% Wilson score
  interval, its regret (how far it falls short of the best strategy in each
  future), and how many futures each metric rests on.
* :func:`discover`: scenario discovery, the region of the uncertain
  parameters in which a strategy fails, described as a box of conditions.
  The EMA Workbench uses PRIM or CART; here the box is a leaf of
  scikit-learn's ``DecisionTreeClassifier`` (CART), a maintained library.
* :func:`robustness_report`: both, written as CSV, JSON, Markdown and figures.

Every comparison uses :func:`goodness`, which turns an outcome into a value
where higher is always better. Functions are pure apart from the plots and
the report, which write files.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from scipy.stats import norm
from sklearn.tree import DecisionTreeClassifier

from experiments.design import TIE_TOLERANCE
from model import outcomes
from model.outcomes import better, goodness, label, scale, undefined_reason

#: Failure rules known to :func:`discover`.
RULES = ("worse_than_baseline", "below", "above")
SUMMARY_COLUMNS = [
    "strategy",
    "outcome",
    "better",
    "mean",
    "p05",
    "p25",
    "median",
    "p75",
    "p95",
    "wins",
    "wins_low",
    "wins_high",
    "ties",
    "ties_low",
    "ties_high",
    "losses",
    "losses_low",
    "losses_high",
    "tie_tolerance",
    "mean_regret",
    "max_regret",
    "n_samples",
    "n_futures",
    "n_undefined",
    "n_failed",
]
#: Confidence level of the Wilson score intervals on the shares.
CONFIDENCE = 0.95
#: Scenario discovery's tree: most splits along a box's path, smallest share of futures in a box, seed.
DISCOVERY_MAX_DEPTH = 3
DISCOVERY_MIN_SHARE = 0.05
DISCOVERY_SEED = 0
_QUANTILES = {"p05": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}


# --- per-future values -------------------------------------------------------


def _ok(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"] if "status" in runs.columns else runs


def _require(runs: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in runs.columns]
    if missing:
        raise ValueError(f"runs has no column(s) {', '.join(missing)}; columns are: {', '.join(runs.columns)}")


def strategies(runs: pd.DataFrame, baseline: str = "baseline") -> list[str]:
    """Strategy names in ``runs``: baseline first, the others in order of appearance."""
    names = list(dict.fromkeys(runs["scenario"]))
    return [baseline, *(n for n in names if n != baseline)] if baseline in names else names


def per_sample(runs: pd.DataFrame, outcome: str, baseline: str = "baseline") -> pd.DataFrame:
    """Each strategy's outcome in each sampled future: the mean over replicates of ok runs.

    Failed runs (``status != "ok"``) and missing values are ignored; a future
    in which a strategy has no usable run holds NaN for it.

    Args:
        runs: Sweep results (one row per run).
        outcome: Outcome column.
        baseline: Strategy put first among the columns.

    Returns:
        Frame indexed by ``sample_id``, one column per strategy.
    """
    _require(runs, ["sample_id", "scenario", outcome])
    table = _ok(runs).pivot_table(index="sample_id", columns="scenario", values=outcome, aggfunc="mean")
    order = [s for s in strategies(runs, baseline) if s in table.columns]
    table = table.reindex(columns=order).sort_index()
    table.columns.name = None
    return table


def wilson(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a share ``successes / n`` (NaN, NaN when ``n`` is 0).

    statsmodels (``proportion_confint(method="wilson")``) is not a dependency;
    the interval is one formula: (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n).
    """
    if n == 0:
        return math.nan, math.nan
    z, p = float(norm.ppf(0.5 + confidence / 2)), successes / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)
    return max(0.0, min(low, p)), min(1.0, max(high, p))  # holds p despite rounding at 0 and 1


def coverage(runs: pd.DataFrame, outcome: str, baseline: str = "baseline") -> dict[str, int]:
    """How many futures there are and why some cannot be judged on ``outcome``.

    Returns:
        ``n_futures`` (every sampled future), ``n_samples`` (those where every
        strategy has a value), ``n_failed`` (dropped: a strategy has no
        successful run there) and ``n_undefined`` (dropped: a strategy's
        successful runs all leave the outcome undefined, see
        :attr:`model.outcomes.Outcome.when_undefined`).
    """
    names = strategies(runs, baseline)
    ran = _ok(runs).groupby(["sample_id", "scenario"]).size().unstack()
    ran = ran.reindex(index=sorted(runs["sample_id"].unique()), columns=names)
    table = per_sample(runs, outcome, baseline).reindex(index=ran.index, columns=names)
    failed = ran.isna().any(axis=1)
    undefined = ~failed & table.isna().any(axis=1)
    return {
        "n_futures": len(ran),
        "n_samples": int((~failed & ~undefined).sum()),
        "n_failed": int(failed.sum()),
        "n_undefined": int(undefined.sum()),
    }


def dropped_warnings(summary: pd.DataFrame) -> list[str]:
    """One sentence per outcome judged on fewer futures than were sampled, saying why."""
    lines = []
    for outcome, rows in summary.groupby("outcome", sort=False):
        row = rows.iloc[0]
        if row["n_samples"] == row["n_futures"]:
            continue
        parts = []
        if row["n_undefined"]:
            parts.append(f"{row['n_undefined']} because it is undefined for some strategy: {undefined_reason(outcome)}")
        if row["n_failed"]:
            parts.append(f"{row['n_failed']} because some strategy has no successful run")
        lines.append(
            f"{outcome} is judged on {row['n_samples']} of {row['n_futures']} futures; dropped: {'; '.join(parts)}"
        )
    return lines


def _complete(runs: pd.DataFrame, outcome: str, baseline: str) -> pd.DataFrame:
    """Futures where every strategy has a value, so all are judged on the same futures."""
    names = strategies(runs, baseline)
    if baseline not in names:
        raise ValueError(f"baseline strategy '{baseline}' is not in runs; strategies are: {', '.join(names)}")
    table = per_sample(runs, outcome, baseline).reindex(columns=names).dropna()
    if table.empty:
        raise ValueError(f"no sampled future has a successful run of every strategy for '{outcome}'")
    return table


def regret(outcome: str, table: pd.DataFrame) -> pd.DataFrame:
    """Regret of each strategy in each future: the best goodness minus its own (0 for the best).

    Args:
        outcome: Outcome name (sets the direction, see :func:`goodness`).
        table: Per-future values, one column per strategy (see :func:`per_sample`).

    Returns:
        Frame shaped like ``table``, non-negative, in the outcome's units.
    """
    good = goodness(outcome, table)
    return good.rsub(good.max(axis=1), axis=0)


# --- summary -----------------------------------------------------------------


def _shares(outcome: str, table: pd.DataFrame, strategy: str, baseline: str, tolerance: float) -> dict[str, float]:
    """Shares of futures won, tied and lost against baseline, each with its Wilson interval (NaN for baseline)."""
    names = ("wins", "ties", "losses")
    if strategy == baseline:
        return {f"{name}{end}": math.nan for name in names for end in ("", "_low", "_high")}
    good = goodness(outcome, table)
    difference = (good[strategy] - good[baseline]).to_numpy(dtype=float)
    counts = {
        "wins": int(((difference > 0) & (difference >= tolerance)).sum()),
        "losses": int(((difference < 0) & (difference <= -tolerance)).sum()),
    }
    counts["ties"] = len(difference) - counts["wins"] - counts["losses"]
    row: dict[str, float] = {}
    for name in names:
        low, high = wilson(counts[name], len(difference))
        row |= {name: counts[name] / len(difference), f"{name}_low": low, f"{name}_high": high}
    return row


def _row(
    outcome: str, table: pd.DataFrame, strategy: str, baseline: str, regrets: pd.DataFrame, tolerance: float
) -> dict[str, Any]:
    values = table[strategy].to_numpy(dtype=float)
    quantiles = {name: float(np.quantile(values, q)) for name, q in _QUANTILES.items()}
    return {
        "strategy": strategy,
        "outcome": outcome,
        "better": better(outcome),
        "mean": float(values.mean()),
        **quantiles,
        **_shares(outcome, table, strategy, baseline, tolerance),
        "tie_tolerance": tolerance,
        "mean_regret": float(regrets[strategy].mean()),
        "max_regret": float(regrets[strategy].max()),
    }


def summarise(
    runs: pd.DataFrame, outcomes: Sequence[str], baseline: str = "baseline", tie_tolerance: float = TIE_TOLERANCE
) -> pd.DataFrame:
    """Robustness of every strategy on every outcome across the sampled futures.

    For each outcome only the futures in which every strategy has a value
    (a successful run with the outcome defined) are used, so all strategies
    are judged on the same futures; ``n_samples`` says how many, and
    ``n_failed`` and ``n_undefined`` how many were dropped and why (see
    :func:`coverage`). Failed runs are ignored.

    Args:
        runs: Sweep results (one row per run).
        outcomes: Outcome columns to summarise.
        baseline: The strategy the others are compared with.
        tie_tolerance: A difference from baseline smaller than this, in the
            outcome's stored units (after :func:`goodness`), is a tie; 0
            counts only exact equality as a tie.

    Returns:
        One row per (strategy, outcome) with columns :data:`SUMMARY_COLUMNS`:
        ``better`` (direction), ``mean`` and quantiles ``p05`` to ``p95`` of
        the per-future values; ``wins``, ``ties`` and ``losses``, the shares of
        futures where the strategy is better than, within ``tie_tolerance`` of,
        or worse than baseline, each with a 95% Wilson interval
        (``_low``/``_high``; all NaN for baseline); ``tie_tolerance``;
        ``mean_regret`` and ``max_regret`` (see :func:`regret`); ``n_samples``,
        ``n_futures``, ``n_undefined``, ``n_failed``.

    Raises:
        ValueError: If ``baseline`` or an outcome column is missing, or the
            tolerance is negative or not finite.
    """
    if not (math.isfinite(tie_tolerance) and tie_tolerance >= 0):
        raise ValueError(f"tie_tolerance = {tie_tolerance!r}; allowed: a finite number >= 0")
    rows = []
    for outcome in outcomes:
        table = _complete(runs, outcome, baseline)
        regrets = regret(outcome, table)
        counts = coverage(runs, outcome, baseline)
        rows += [
            _row(outcome, table, strategy, baseline, regrets, tie_tolerance) | counts for strategy in table.columns
        ]
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


# --- scenario discovery ------------------------------------------------------


def _parameters(runs: pd.DataFrame, parameters: Sequence[str]) -> pd.DataFrame:
    """The uncertain parameters of each sampled future, indexed by ``sample_id``."""
    _require(runs, ["sample_id", *parameters])
    return runs.groupby("sample_id")[list(parameters)].first().sort_index()


def failures(
    runs: pd.DataFrame,
    strategy: str,
    outcome: str,
    baseline: str = "baseline",
    rule: str = "worse_than_baseline",
    threshold: float | None = None,
    tie_tolerance: float = TIE_TOLERANCE,
) -> pd.Series:
    """Whether the strategy fails in each sampled future.

    Rules: ``"worse_than_baseline"``, its goodness is below baseline's in that
    future by ``tie_tolerance`` or more (a tie is not a failure);
    ``"below"`` / ``"above"``, its outcome (mean over replicates) is below /
    above ``threshold`` (e.g. trust collapse, repair waits too long).

    Returns:
        Boolean Series indexed by ``sample_id`` over the futures where the
        strategy (and, for the first rule, baseline) has a successful run.

    Raises:
        ValueError: For an unknown rule, a missing threshold or strategy, or
            comparing baseline with itself.
    """
    if rule not in RULES:
        raise ValueError(f"rule '{rule}' is unknown; allowed: {', '.join(RULES)}")
    if rule != "worse_than_baseline" and threshold is None:
        raise ValueError(f"rule '{rule}' needs a threshold (a value of {outcome})")
    if rule == "worse_than_baseline" and strategy == baseline:
        raise ValueError(f"strategy '{strategy}' is the baseline; it cannot do worse than itself")
    table = per_sample(runs, outcome, baseline)
    needed = [strategy, baseline] if rule == "worse_than_baseline" else [strategy]
    absent = [s for s in needed if s not in table.columns]
    if absent:
        raise ValueError(f"no successful run of {', '.join(absent)} for '{outcome}'")
    table = table[needed].dropna()
    if rule == "below":
        return table[strategy] < threshold
    if rule == "above":
        return table[strategy] > threshold
    difference = goodness(outcome, table[strategy]) - goodness(outcome, table[baseline])
    return (difference < 0) & (difference <= -tie_tolerance)


def _leaf_conditions(tree: DecisionTreeClassifier, names: Sequence[str]) -> dict[int, list[dict[str, Any]]]:
    """Every leaf's box: the path's conditions, merged to the tightest per parameter and side."""
    nodes = tree.tree_
    boxes: dict[int, list[dict[str, Any]]] = {}
    stack: list[tuple[int, list[tuple[str, str, float]]]] = [(0, [])]
    while stack:
        node, path = stack.pop()
        left, right = nodes.children_left[node], nodes.children_right[node]
        if left == right:
            boxes[node] = _merge(path)
            continue
        name, cut = names[nodes.feature[node]], float(nodes.threshold[node])
        stack.append((right, [*path, (name, ">", cut)]))
        stack.append((left, [*path, (name, "<=", cut)]))
    return boxes


def _merge(path: list[tuple[str, str, float]]) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], float] = {}
    for name, op, cut in path:
        key = (name, op)
        merged[key] = cut if key not in merged else (min if op == "<=" else max)(merged[key], cut)
    return [{"parameter": name, "op": op, "value": cut} for (name, op), cut in merged.items()]


def _fit(x: np.ndarray, y: np.ndarray, max_depth: int, min_leaf: int, seed: int) -> DecisionTreeClassifier:
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_leaf, random_state=seed)
    return tree.fit(x, y)


def _best_leaf(leaves: np.ndarray, y: np.ndarray, min_leaf: int, depth: dict[int, int]) -> int:
    """The leaf of highest failure density; ties go to more failures, then fewer conditions."""
    best, best_key = -1, None
    for leaf in np.unique(leaves):
        inside = y[leaves == leaf]
        if len(inside) < min_leaf:
            continue
        key = (inside.mean(), inside.sum(), -depth[leaf], -leaf)
        if best_key is None or key > best_key:
            best, best_key = int(leaf), key
    return best


def discover(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    strategy: str,
    outcome: str = "trust_mean",
    baseline: str = "baseline",
    rule: str = "worse_than_baseline",
    threshold: float | None = None,
    max_depth: int = DISCOVERY_MAX_DEPTH,
    min_share: float = DISCOVERY_MIN_SHARE,
    seed: int = DISCOVERY_SEED,
    tie_tolerance: float = TIE_TOLERANCE,
) -> dict[str, Any]:
    """Scenario discovery: the box of uncertain parameters where a strategy fails most.

    Each sampled future is labelled a failure or not (see :func:`failures`).
    A classification tree (CART, scikit-learn's ``DecisionTreeClassifier``, a
    maintained library, used instead of PRIM) is fitted to the labels on the
    uncertain parameters, every leaf holding at least ``min_share`` of the
    futures. Each leaf is a box (a conjunction of conditions); the one with
    the highest failure density is returned (ties: more failures, then fewer
    conditions).

    Args:
        runs: Sweep results (one row per run).
        parameters: The uncertain parameters (columns of ``runs``).
        strategy: The strategy whose failures are explained.
        outcome: The outcome judged.
        baseline: The strategy compared with under ``"worse_than_baseline"``.
        rule: ``"worse_than_baseline"``, ``"below"`` or ``"above"``.
        threshold: The outcome value for ``"below"`` / ``"above"``.
        max_depth: Largest number of splits along a box's path.
        min_share: Smallest share of futures a box may hold.
        seed: Seed of the tree (breaks ties between equally good splits).
        tie_tolerance: Differences from baseline smaller than this are ties,
            not failures (see :func:`summarise`).

    Returns:
        ``strategy``, ``outcome``, ``rule``, ``baseline``, ``threshold``,
        ``tie_tolerance``;
        ``conditions`` (list of ``{"parameter", "op", "value"}``, op ``"<="``
        or ``">"``); ``density`` (failure share inside the box), ``coverage``
        (share of all failures inside it), ``support`` (share of futures
        inside it), ``failures`` and ``samples`` (counts inside it),
        ``total_failures`` and ``total_samples``; ``importance`` (the tree's
        feature importances) and ``sentence`` in plain words. With no
        failures the box is the whole space: no conditions, density and
        coverage 0, support 1.

    Raises:
        ValueError: For bad arguments or missing columns (see :func:`failures`).
    """
    if not (isinstance(max_depth, int) and max_depth >= 1) or not 0 < min_share <= 1:
        raise ValueError(f"max_depth must be an integer >= 1 and min_share in (0, 1]; got {max_depth}, {min_share}")
    labels = failures(runs, strategy, outcome, baseline, rule, threshold, tie_tolerance)
    if labels.empty:
        raise ValueError(f"no sampled future can be judged for '{strategy}' on '{outcome}'")
    x = _parameters(runs, parameters).loc[labels.index].to_numpy(dtype=float)
    y = labels.to_numpy(dtype=int)
    min_leaf = max(1, math.ceil(min_share * len(y)))
    tree = _fit(x, y, max_depth, min_leaf, seed)
    boxes = _leaf_conditions(tree, list(parameters))
    leaves = tree.apply(x)
    leaf = _best_leaf(leaves, y, min_leaf, {k: len(v) for k, v in boxes.items()})
    inside = leaves == leaf  # with no failures the tree is a single leaf: the whole space
    result = {
        "strategy": strategy,
        "outcome": outcome,
        "rule": rule,
        "baseline": baseline,
        "threshold": threshold,
        "tie_tolerance": tie_tolerance,
        "conditions": boxes[leaf],
        "density": float(y[inside].mean()),
        "coverage": float(y[inside].sum() / y.sum()) if y.sum() else 0.0,
        "support": float(inside.mean()),
        "failures": int(y[inside].sum()),
        "samples": int(inside.sum()),
        "total_failures": int(y.sum()),
        "total_samples": len(y),
        "importance": dict(zip(parameters, map(float, tree.feature_importances_), strict=True)),
    }
    return result | {"sentence": sentence(result)}


# --- sentences ---------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _condition(condition: dict[str, Any]) -> str:
    op = "≤" if condition["op"] == "<=" else ">"
    return f"{condition['parameter']} {op} {_number(condition['value'])}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _failure_phrase(result: dict[str, Any]) -> str:
    name = outcomes.get(result["outcome"]).words()
    if result["rule"] == "worse_than_baseline":
        return f"{result['strategy']} does worse than {result['baseline']} on {name}"
    verb = "falls below" if result["rule"] == "below" else "rises above"
    return f"{result['strategy']}'s {name} {verb} {_number(result['threshold'])}"


def sentence(result: dict[str, Any]) -> str:
    """A discovery result in plain words (see :func:`discover`)."""
    phrase, total = _failure_phrase(result), result["total_samples"]
    if result["total_failures"] == 0:
        return f"{phrase} in none of the {total} sampled futures, so there is no failure region to describe."
    if result["total_failures"] == total:
        return f"{phrase} in all {total} sampled futures."
    if not result["conditions"]:
        return (
            f"{phrase} in {result['density']:.0%} of the {total} sampled futures, "
            "and no region of the uncertain parameters concentrates these failures."
        )
    where = _join([_condition(c) for c in result["conditions"]])
    return (
        f"{phrase} in {result['density']:.0%} of sampled futures where {where} "
        f"(these hold {result['coverage']:.0%} of all its failures and {result['support']:.0%} of the futures)."
    )


# --- figures -----------------------------------------------------------------


def _save(fig: plt.Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_distributions(runs: pd.DataFrame, outcome: str, path: Path, baseline: str = "baseline") -> Path:
    """Box plot of each strategy's per-future values of an outcome, baseline first."""
    table = per_sample(runs, outcome, baseline) * scale(outcome)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.3 * table.shape[1]), 4))
    ax.boxplot([table[c].dropna() for c in table.columns], tick_labels=list(table.columns), whis=(5, 95))
    ax.set_ylabel(label(outcome))
    ax.set_title(f"Spread over sampled futures ({better(outcome)} is better; whiskers 5-95%)", fontsize=10)
    ax.tick_params(axis="x", rotation=15)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def plot_beats(summary: pd.DataFrame, outcome: str, path: Path) -> Path:
    """Stacked bars of the shares of futures each strategy wins, ties and loses against baseline.

    The error bar is the 95% Wilson interval on the share won.
    """
    rows = summary[(summary["outcome"] == outcome) & summary["wins"].notna()]
    fig, ax = plt.subplots(figsize=(max(5.0, 1.3 * len(rows)), 4))
    bottom = np.zeros(len(rows))
    for name, colour in (("wins", "tab:blue"), ("ties", "tab:grey"), ("losses", "tab:red")):
        ax.bar(rows["strategy"], rows[name] * 100, bottom=bottom, color=colour, label=name)
        bottom += rows[name].to_numpy(dtype=float) * 100
    wins = rows["wins"].to_numpy(dtype=float)
    errors = np.vstack([wins - rows["wins_low"].to_numpy(float), rows["wins_high"].to_numpy(float) - wins])
    errors = np.clip(errors, 0.0, None) * 100
    ax.errorbar(rows["strategy"], wins * 100, yerr=errors, fmt="none", ecolor="black", capsize=3)
    ax.axhline(50, color="grey", linewidth=1, linestyle="--")
    ax.set_ylim(0, 100)
    ax.set_ylabel("futures against baseline (%)")
    judged = int(rows["n_samples"].iloc[0]) if len(rows) else 0
    ax.set_title(f"{label(outcome)}: {better(outcome)} is better ({judged} futures; 95% Wilson on wins)", fontsize=9)
    ax.legend(fontsize=8, loc="upper right")
    ax.tick_params(axis="x", rotation=15)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def _axes_for(result: dict[str, Any], parameters: Sequence[str]) -> list[str]:
    """The two parameters named first in the box, filled up by the tree's importance."""
    named = list(dict.fromkeys(c["parameter"] for c in result["conditions"]))
    importance = result.get("importance", {})
    rest = sorted((p for p in parameters if p not in named), key=lambda p: -importance.get(p, 0.0))
    return [*named, *rest][:2]


def _limits(result: dict[str, Any], name: str, low: float, high: float) -> tuple[float, float]:
    for condition in result["conditions"]:
        if condition["parameter"] == name:
            if condition["op"] == "<=":
                high = min(high, condition["value"])
            else:
                low = max(low, condition["value"])
    return low, high


def plot_discovery(runs: pd.DataFrame, parameters: Sequence[str], result: dict[str, Any], path: Path) -> Path:
    """Scatter of failing and other futures over two parameters, with the box drawn.

    The axes are the two parameters named first in the box, or the most
    important ones of the tree when the box names fewer; with a single
    uncertain parameter the vertical axis is the strategy's outcome.
    """
    labels = failures(
        runs,
        result["strategy"],
        result["outcome"],
        result["baseline"],
        result["rule"],
        result["threshold"],
        result.get("tie_tolerance", TIE_TOLERANCE),
    )
    values = _parameters(runs, parameters).loc[labels.index]
    names = _axes_for(result, parameters)
    if len(names) == 2:
        ys, y_name = values[names[1]], names[1]
    else:
        ys, y_name = per_sample(runs, result["outcome"])[result["strategy"]].loc[labels.index], result["outcome"]
    xs = values[names[0]]
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.scatter(xs[~labels], ys[~labels], s=14, color="tab:grey", alpha=0.6, label="other futures")
    ax.scatter(xs[labels], ys[labels], s=18, color="tab:red", marker="x", label="failures")
    x0, x1 = _limits(result, names[0], xs.min(), xs.max())
    y0, y1 = _limits(result, y_name, ys.min(), ys.max()) if len(names) == 2 else (ys.min(), ys.max())
    if result["conditions"]:
        box = Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="black", linewidth=1.5, label="box")
        ax.add_patch(box)
    ax.set_xlabel(names[0])
    ax.set_ylabel(y_name)
    ax.set_title(f"{result['strategy']}: where it fails on {result['outcome']}", fontsize=10)
    ax.legend(fontsize=8)
    return _save(fig, path)


# --- report ------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name)


def _markdown(results: list[dict[str, Any]], baseline: str) -> str:
    lines = [
        "# Where each strategy does worse than baseline",
        "",
        f"Each sampled future is a failure when the strategy does worse than {baseline} there",
        "by the tie tolerance or more (a tie is not a failure).",
        "Boxes are leaves of a classification tree (scikit-learn, CART) over the uncertain parameters:",
        "density is the failure share inside the box, coverage the share of all failures it holds.",
    ]
    for outcome in dict.fromkeys(r["outcome"] for r in results):
        lines += ["", f"## {label(outcome)}", ""]
        lines += [f"- {r['sentence']}" for r in results if r["outcome"] == outcome]
    return "\n".join(lines) + "\n"


def robustness_report(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    outcomes: Sequence[str],
    out: Path,
    baseline: str = "baseline",
    tie_tolerance: float = TIE_TOLERANCE,
) -> dict[str, Path]:
    """Write the robustness table, scenario discovery and figures for a sweep.

    ``tie_tolerance`` is as in :func:`summarise`.

    Files in ``out``: ``robustness.csv`` (:func:`summarise`),
    ``discovery.json`` (a :func:`discover` result per non-baseline strategy and
    outcome, rule ``"worse_than_baseline"``), ``discovery.md`` (their
    sentences) and ``figures/`` (distribution, beats-baseline and discovery
    plots: the beats-baseline figures show wins, ties and losses).

    Returns:
        Every written file, keyed by its path relative to ``out``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(runs, outcomes, baseline, tie_tolerance)
    others = [s for s in dict.fromkeys(summary["strategy"]) if s != baseline]
    results = [
        discover(runs, parameters, s, o, baseline, tie_tolerance=tie_tolerance) for o in outcomes for s in others
    ]
    written = {"robustness.csv": out / "robustness.csv", "discovery.json": out / "discovery.json"}
    summary.to_csv(written["robustness.csv"], index=False)
    written["discovery.json"].write_text(json.dumps(results, indent=2), encoding="utf-8")
    written["discovery.md"] = out / "discovery.md"
    written["discovery.md"].write_text(_markdown(results, baseline), encoding="utf-8")
    for outcome in outcomes:
        key = f"figures/distribution_{_slug(outcome)}.png"
        written[key] = plot_distributions(runs, outcome, out / key, baseline)
        key = f"figures/beats_{_slug(outcome)}.png"
        written[key] = plot_beats(summary, outcome, out / key)
    for result in results:
        key = f"figures/discovery_{_slug(result['strategy'])}_{_slug(result['outcome'])}.png"
        written[key] = plot_discovery(runs, parameters, result, out / key)
    return written
