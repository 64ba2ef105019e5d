"""Figures for runs and comparisons (matplotlib, written as PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from model.outcomes import label, scale

TRAJECTORY_PANELS = ("trust_mean", "participation_rate", "satisfaction_true", "representation_ratio")
GROUPS = ("trust_mean", "trust_digitally_excluded", "trust_digitally_included", "trust_underrepresented")


def _band(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per-week mean and 95% t-interval across replicates."""
    grouped = frame.groupby("week")[column]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    return pd.DataFrame({"mean": mean, "low": mean - half, "high": mean + half})


def trajectories(weekly: pd.DataFrame, path: Path, panels: Sequence[str] = TRAJECTORY_PANELS) -> Path:
    """Each scenario's weekly mean with a 95% band across replications."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    for ax, column in zip(axes.flat, panels, strict=True):
        for scenario, group in weekly.groupby("scenario", sort=False):
            band = _band(group, column) * scale(column)
            years = band.index / 52.0
            ax.plot(years, band["mean"], label=scenario, linewidth=1.5)
            ax.fill_between(years, band["low"], band["high"], alpha=0.2)
        ax.set_title(label(column), fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("years")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Trajectories: mean and 95% band across replications")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def trust_by_group(table: pd.DataFrame, path: Path) -> Path:
    """End-of-run trust by group and scenario, with 95% confidence intervals."""
    scenarios = list(dict.fromkeys(table["scenario"]))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(GROUPS)
    for offset, outcome in enumerate(GROUPS):
        rows = table[table["outcome"] == outcome].set_index("scenario").reindex(scenarios)
        x = np.arange(len(scenarios)) + (offset - (len(GROUPS) - 1) / 2) * width
        err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]]) * 100
        ax.bar(x, rows["mean"] * 100, width, yerr=err, capsize=2, label=label(outcome).replace(" (0-100)", ""))
    ax.set_xticks(np.arange(len(scenarios)), scenarios, rotation=15)
    ax.set_ylabel("trust at the end (0-100)")
    ax.set_title("Who is left out: trust by group at the end of the run (95% CI)")
    ax.legend(fontsize=8, ncols=2)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def differences(table: pd.DataFrame, outcomes: Sequence[str], path: Path, baseline: str = "baseline") -> Path:
    """Forest plot: each strategy's difference from baseline with its 95% CI."""
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.2 * len(outcomes), 3.6), sharey=True)
    others = [s for s in dict.fromkeys(table["scenario"]) if s != baseline]
    for ax, outcome in zip(np.atleast_1d(axes), outcomes, strict=True):
        rows = table[table["outcome"] == outcome].set_index("scenario").reindex(others)
        factor = scale(outcome)
        y = np.arange(len(others))
        err = np.vstack(
            [rows["diff_vs_baseline"] - rows["diff_ci_low"], rows["diff_ci_high"] - rows["diff_vs_baseline"]]
        )
        ax.errorbar(rows["diff_vs_baseline"] * factor, y, xerr=err * factor, fmt="o", capsize=3)
        ax.axvline(0, color="grey", linewidth=1)
        ax.set_title(label(outcome), fontsize=9)
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].set_yticks(np.arange(len(others)), others)
    fig.suptitle(f"Difference from {baseline} (95% CI)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def single_run(weekly: pd.DataFrame, path: Path, title: str) -> Path:
    """The main weekly series of one run."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    years = weekly.index / 52.0
    panels = {
        axes[0, 0]: ("trust_mean", "trust_digitally_excluded", "trust_underrepresented"),
        axes[0, 1]: ("participation_rate", "active_share"),
        axes[1, 0]: ("satisfaction_true", "tsm_tp01"),
        axes[1, 1]: ("repair_wait_weeks_mean",),
    }
    for ax, columns in panels.items():
        for column in columns:
            style = "o" if column.startswith("tsm") else "-"
            ax.plot(years, weekly[column] * scale(column), style, label=label(column), markersize=4)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("years")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def lever_paths(levers: pd.DataFrame, weeks: int, path: Path) -> Path | None:
    """The mean value across replications, week by week, of every lever that changed during a run.

    One panel per lever that changed after week 0 in any run (a scheduled
    change, a shock or a landlord policy), one line per strategy in which it
    changed, each strategy in the colour it has in :func:`trajectories`.
    Returns None (and draws nothing) when no lever changed.
    """
    later = levers[levers["week"] > 0]
    if later.empty:
        return None
    names = list(dict.fromkeys(later["lever"]))
    colours = {scenario: f"C{i}" for i, scenario in enumerate(dict.fromkeys(levers["scenario"]))}
    fig, axes = plt.subplots(len(names), 1, figsize=(11, 2.6 * len(names)), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        for scenario in dict.fromkeys(later.loc[later["lever"] == name, "scenario"]):
            runs = levers[(levers["lever"] == name) & (levers["scenario"] == scenario)]
            paths = [_step_path(group, weeks) for _, group in runs.groupby("replicate")]
            years = np.arange(weeks + 1) / 52.0
            ax.step(years, np.mean(paths, axis=0), where="post", label=scenario, color=colours[scenario], linewidth=1.5)
        ax.set_title(f"{name} (mean across replications)", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[-1, 0].set_xlabel("years")
    fig.suptitle("Levers over time: scheduled changes, shocks and landlord policies")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _step_path(changes: pd.DataFrame, weeks: int) -> np.ndarray:
    """A lever's value in each week 0..weeks from its value at week 0 and its later changes."""
    values = np.empty(weeks + 1)
    for week, value in zip(changes["week"], changes["value"], strict=True):
        values[int(week) :] = value
    return values
