"""Whole studies built on a sweep: sensitivity analysis and robustness across uncertainty.

Each function runs (or resumes) the experiment's sweep, then analyses it and
writes its tables and figures into the same folder. Notebooks and the CLI
call these; the model is reached only through the sweep.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import robustness, sensitivity
from experiments.design import Experiment, ExperimentError, check_analysable
from experiments.sweep import SweepError, sweep

#: Bootstrap resamples for the delta method (SALib's delta is slow; see experiments/sensitivity.py).
DELTA_RESAMPLES = 100
#: SALib methods available per design (delta reuses any sample).
ANALYSIS_FOR = {"sobol": "sobol", "morris": "morris", "fast": "fast", "lhs": "delta", "factorial": "delta"}


def _analyse_one(
    experiment: Experiment, runs: pd.DataFrame, method: str, scenario: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    subset = runs[runs["scenario"] == scenario]
    problem, design = experiment.problem, experiment.design()
    indices, noise = sensitivity.analyse_sweep(
        subset,
        problem,
        design,
        experiment.outcomes,
        method,
        second_order=experiment.second_order,
        num_levels=experiment.levels,
        seed=experiment.seed,
        num_resamples=DELTA_RESAMPLES if method == "delta" else 1000,
    )
    convergence = pd.DataFrame()
    if method == "sobol":
        means = sensitivity.average_replicates(subset, experiment.outcomes)
        parts = []
        for outcome in experiment.outcomes:
            conv = sensitivity.convergence(
                problem,
                design,
                means[outcome].to_numpy(),
                steps=min(4, int(math.log2(experiment.samples))),
                second_order=experiment.second_order,
                seed=experiment.seed,
            )
            parts.append(conv.assign(outcome=outcome))
        convergence = pd.concat(parts, ignore_index=True)
    for frame in (indices, noise, convergence):
        if not frame.empty:
            frame["scenario"] = scenario
    return indices, noise, convergence


def _plots(indices: pd.DataFrame, convergence: pd.DataFrame, method: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for (scenario, outcome), group in indices.groupby(["scenario", "outcome"], sort=False):
        stem = f"{scenario}-{outcome}"
        title = f"{outcome} ({scenario}): {method} indices"
        if method == "morris":
            paths.append(sensitivity.plot_morris(group, out / f"morris-{stem}.png", title))
        paths.append(sensitivity.plot_indices(group, out / f"indices-{stem}.png", title))
    if not convergence.empty:
        for (scenario, outcome), group in convergence.groupby(["scenario", "outcome"], sort=False):
            title = f"{outcome} ({scenario}): Sobol indices against base sample size"
            paths.append(sensitivity.plot_convergence(group, out / f"convergence-{scenario}-{outcome}.png", title))
    return paths


def run_sensitivity(experiment: Experiment, out: Path, **options: Any) -> dict[str, Any]:
    """Sweep, then SALib indices per strategy and outcome, seed noise and convergence.

    Writes ``indices.csv`` (outcome, parameter, method, index, value, ci_low,
    ci_high, then the strategy in a ``scenario`` column),
    ``noise.csv``, ``convergence.csv`` (Sobol) and figures in ``figures/``.
    """
    check_analysable(experiment, "sensitivity")
    runs = sweep(experiment, out, **options)
    method = ANALYSIS_FOR[experiment.method]
    try:
        tables = [_analyse_one(experiment, runs, method, s) for s in dict.fromkeys(runs["scenario"])]
    except ValueError as error:
        failed = int((runs["status"] == "failed").sum())
        advice = (
            f"Fix the cause, then re-run the {failed} failed runs with `--resume --retry-failed`"
            if failed
            else "No run failed, so the experiment itself cannot be analysed this way: check its design and outcomes"
        )
        raise SweepError(f"{out}: the runs cannot be analysed: {error}. {advice}") from None
    indices = pd.concat([t[0] for t in tables], ignore_index=True)
    noise = pd.concat([t[1] for t in tables], ignore_index=True)
    convergence = pd.concat([t[2] for t in tables], ignore_index=True)
    indices.to_csv(out / "indices.csv", index=False)
    noise.to_csv(out / "noise.csv", index=False)
    if not convergence.empty:
        convergence.to_csv(out / "convergence.csv", index=False)
    figures = _plots(indices, convergence, method, out / "figures")
    failed = int((runs["status"] == "failed").sum())
    return {
        "runs": len(runs),
        "failed": failed,
        "method": method,
        "indices": indices,
        "noise": noise,
        "figures": figures,
    }


def run_robustness(experiment: Experiment, out: Path, **options: Any) -> dict[str, Any]:
    """Sweep strategies across sampled uncertainty, then compare them and discover failure regions."""
    if "baseline" not in {Path(s).stem for s in experiment.scenarios}:
        raise ExperimentError(
            f"{experiment.path}: key 'scenarios' = {list(experiment.scenarios)}; allowed: a list that includes "
            "'baseline' (robustness compares every strategy with it)"
        )
    check_analysable(experiment, "robustness")
    runs = sweep(experiment, out, **options)
    written = robustness.robustness_report(runs, list(experiment.bounds), list(experiment.outcomes), out)
    failed = int((runs["status"] == "failed").sum())
    discoveries = json.loads((out / "discovery.json").read_text(encoding="utf-8"))
    return {"runs": len(runs), "failed": failed, "written": written, "sentences": [d["sentence"] for d in discoveries]}
