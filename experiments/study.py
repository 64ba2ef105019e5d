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

from experiments import provenance, robustness, sensitivity
from experiments.design import DUMMY, Experiment, ExperimentError, check_analysable
from experiments.sweep import SweepError, load_series, sweep
from model.model import WEEKLY_SERIES
from model.submodels import YEAR

#: Bootstrap resamples for the delta method (SALib's delta is slow; see experiments/sensitivity.py).
DELTA_RESAMPLES = 100
#: SALib methods available per design (delta reuses any sample).
ANALYSIS_FOR = {"sobol": "sobol", "morris": "morris", "fast": "fast", "lhs": "delta", "factorial": "delta"}


#: Bootstrap resamples of every other method's intervals.
RESAMPLES = 1000
#: Confidence level of the indices' intervals (SALib's ``conf_level``).
CONFIDENCE = 0.95
#: Most sample sizes in a Sobol' convergence check (N/8, N/4, N/2, N).
CONVERGENCE_STEPS = 4


def sensitivity_settings(experiment: Experiment, method: str) -> dict[str, Any]:
    """Every setting the indices depend on, as recorded in the manifest (``analyses.sensitivity``)."""
    return {
        "method": method,
        "design": experiment.method,
        "samples": experiment.samples,
        "second_order": experiment.second_order,
        "num_levels": experiment.levels,
        "confidence_level": CONFIDENCE,
        "bootstrap_resamples": DELTA_RESAMPLES if method == "delta" else RESAMPLES,
        "bootstrap_seed": experiment.seed,
        "replicates_averaged": experiment.replications,
        "convergence_steps": min(CONVERGENCE_STEPS, int(math.log2(experiment.samples))) if method == "sobol" else None,
        "dummy": DUMMY if experiment.dummy else None,
        "groups": _groups(experiment) if experiment.groups else None,
        "convergence_width": sensitivity.CONVERGENCE_WIDTH,
        "by_year": series_outcomes(experiment) if experiment.series_every else [],
        "salib": _version("SALib"),
    }


def _groups(experiment: Experiment) -> dict[str, list[str]]:
    """Each part of the model the indices are given for, and the parameters that move with it."""
    problem = experiment.problem
    parts: dict[str, list[str]] = {}
    for name, part in zip(problem["names"], problem["groups"], strict=True):
        parts.setdefault(part, []).append(name)
    return parts


def _version(package: str) -> str | None:
    return provenance.versions().get(package)


def _analyse_one(
    experiment: Experiment,
    runs: pd.DataFrame,
    method: str,
    scenario: str,
    outcomes: list[str] | None = None,
    convergence: bool = True,
) -> list[pd.DataFrame]:
    """Indices (with their verdicts), seed noise, convergence (Sobol') and refused outcomes of one strategy."""
    subset = runs[runs["scenario"] == scenario]
    outcomes = list(experiment.outcomes) if outcomes is None else outcomes
    problem, design = experiment.problem, experiment.design()
    settings = sensitivity_settings(experiment, method)
    indices, noise, refused = sensitivity.analyse_sweep(
        subset,
        problem,
        design,
        outcomes,
        method,
        second_order=experiment.second_order,
        num_levels=experiment.levels,
        seed=experiment.seed,
        num_resamples=settings["bootstrap_resamples"],
    )
    indices = sensitivity.judge(indices, DUMMY if experiment.dummy else None)
    analysed = [o for o in outcomes if o not in set(refused["outcome"])]
    settled = _convergence(experiment, subset, analysed) if method == "sobol" and convergence else pd.DataFrame()
    tables = [indices, noise, settled, refused]
    for frame in tables:
        if not frame.empty:
            frame["scenario"] = scenario
    return tables


def _convergence(experiment: Experiment, runs: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Sobol' indices on growing parts of the sample, for the outcomes defined in every run."""
    means = sensitivity.average_replicates(runs, outcomes)
    parts = [
        sensitivity.convergence(
            experiment.problem,
            experiment.design(),
            means[outcome].to_numpy(),
            steps=min(CONVERGENCE_STEPS, int(math.log2(experiment.samples))),
            second_order=experiment.second_order,
            seed=experiment.seed,
        ).assign(outcome=outcome)
        for outcome in outcomes
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


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
    ci_high, n_points, then the strategy in a ``scenario`` column),
    ``noise.csv``, ``convergence.csv`` (Sobol), figures in ``figures/`` and,
    when an outcome's indices are refused (see
    :func:`experiments.sensitivity.analyse_sweep`), ``refused.csv`` with the
    reason; the other outcomes' indices are still written.
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
    indices, noise, convergence, refused = (pd.concat([t[k] for t in tables], ignore_index=True) for k in range(4))
    indices.to_csv(out / "indices.csv", index=False)
    noise.to_csv(out / "noise.csv", index=False)
    refused_path = out / "refused.csv"
    if refused.empty:
        refused_path.unlink(missing_ok=True)
    else:
        refused.to_csv(refused_path, index=False)
    if not convergence.empty:
        convergence.to_csv(out / "convergence.csv", index=False)
    figures = _plots(indices, convergence, method, out / "figures") if not indices.empty else []
    by_year = _indices_by_year(experiment, runs, method, out)
    figures += _plots_by_year(by_year, method, out / "figures")
    provenance.record_analysis(out, "sensitivity", sensitivity_settings(experiment, method))
    failed = int((runs["status"] == "failed").sum())
    return {
        "runs": len(runs),
        "failed": failed,
        "method": method,
        "indices": indices,
        "noise": noise,
        "refused": refused,
        "figures": figures,
        "by_year": by_year,
    }


def series_outcomes(experiment: Experiment) -> list[str]:
    """The experiment's outcomes that are weekly series too (so they can be analysed year by year)."""
    return [o for o in experiment.outcomes if o in WEEKLY_SERIES]


def _yearly_weeks(series: pd.DataFrame) -> list[int]:
    weeks = sorted(int(w) for w in series["week"].unique())
    return [w for w in weeks if w > 0 and w % YEAR == 0]


def _indices_by_year(experiment: Experiment, runs: pd.DataFrame, method: str, out: Path) -> pd.DataFrame:
    """Indices of each series outcome at the end of every year of the run, from the stored weekly series.

    Needs ``series_every`` (dividing 52) in the experiment; writes
    ``indices_by_year.csv`` (the indices' columns with their verdicts, plus
    ``year`` and ``week``) and returns it (empty when there are no series).
    Outcomes refused in a year (undefined at some point) are left out of that year.
    """
    path = out / "indices_by_year.csv"
    outcomes = series_outcomes(experiment)
    if not experiment.series_every or not outcomes or not (out / "series").is_dir():
        path.unlink(missing_ok=True)
        return pd.DataFrame()
    series = load_series(out)
    keep = ["run_id", "sample_id", "replicate", "scenario", "status", *experiment.bounds]
    frames = []
    for week in _yearly_weeks(series):
        at = series.loc[series["week"] == week, ["run_id", *outcomes]]
        runs_then = runs[keep].merge(at, on="run_id", how="left")
        runs_then.loc[runs_then[outcomes].isna().all(axis=1), "status"] = "failed"
        for scenario in dict.fromkeys(runs_then["scenario"]):
            indices = _analyse_one(experiment, runs_then, method, scenario, outcomes, convergence=False)[0]
            frames.append(indices.assign(year=week // YEAR, week=week))
    by_year = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if by_year.empty:
        path.unlink(missing_ok=True)
    else:
        by_year.to_csv(path, index=False)
    return by_year


def _plots_by_year(by_year: pd.DataFrame, method: str, out: Path) -> list[Path]:
    if by_year.empty:
        return []
    index = {"sobol": "ST", "fast": "ST", "morris": "mu_star", "delta": "delta"}[method]
    paths = []
    for (scenario, outcome), group in by_year.groupby(["scenario", "outcome"], sort=False):
        title = f"{outcome} ({scenario}): {index} at the end of each year"
        paths.append(sensitivity.plot_by_year(group, out / f"by-year-{scenario}-{outcome}.png", title, index))
    return paths


def _require_baseline(experiment: Experiment) -> None:
    if "baseline" not in {Path(s).stem for s in experiment.scenarios}:
        raise ExperimentError(
            f"{experiment.path}: key 'scenarios' = {list(experiment.scenarios)}; allowed: a list that includes "
            "'baseline' (robustness and discovery compare every strategy with it)"
        )


def robustness_settings(experiment: Experiment) -> dict[str, Any]:
    """Every setting the robustness table and its CART discovery depend on (``analyses.robustness``)."""
    return {
        "baseline": "baseline",
        "tie_tolerance": experiment.tie_tolerance,
        "interval": "Wilson score",
        "confidence_level": robustness.CONFIDENCE,
        "discovery": {
            "method": "CART (scikit-learn DecisionTreeClassifier)",
            "rule": "worse_than_baseline",
            "max_depth": robustness.DISCOVERY_MAX_DEPTH,
            "min_share": robustness.DISCOVERY_MIN_SHARE,
            "seed": robustness.DISCOVERY_SEED,
        },
        "scikit-learn": _version("scikit-learn"),
    }


def run_robustness(experiment: Experiment, out: Path, **options: Any) -> dict[str, Any]:
    """Sweep strategies across sampled uncertainty, then compare them and discover failure regions.

    Returns the run counts, the written files, the summary table (wins, ties
    and losses against baseline with their intervals), a warning per outcome
    judged on fewer futures than were sampled, and the discovery sentences.
    """
    _require_baseline(experiment)
    check_analysable(experiment, "robustness")
    runs = sweep(experiment, out, **options)
    written = robustness.robustness_report(
        runs, list(experiment.bounds), list(experiment.outcomes), out, tie_tolerance=experiment.tie_tolerance
    )
    provenance.record_analysis(out, "robustness", robustness_settings(experiment))
    failed = int((runs["status"] == "failed").sum())
    discoveries = json.loads((out / "discovery.json").read_text(encoding="utf-8"))
    summary = pd.read_csv(out / "robustness.csv")
    return {
        "runs": len(runs),
        "failed": failed,
        "written": written,
        "summary": summary,
        "warnings": robustness.dropped_warnings(summary),
        "sentences": [d["sentence"] for d in discoveries],
    }


def run_discovery(experiment: Experiment, out: Path, settings: Any = None, **options: Any) -> dict[str, Any]:
    """Sweep strategies across sampled uncertainty, then PRIM, CART and feature scores of each strategy's failures.

    A future is a failure of a strategy when it does worse there than
    baseline by the tie tolerance or more (:func:`experiments.robustness.failures`).
    Writes the files of :func:`experiments.discovery.discovery_report` and
    records PRIM's settings in the manifest (``analyses.discover``).
    """
    from experiments import discovery

    _require_baseline(experiment)
    check_analysable(experiment, "discover")
    settings = settings or discovery.PrimSettings(seed=experiment.seed)
    runs = sweep(experiment, out, **options)
    report = discovery.discovery_report(
        runs,
        list(experiment.bounds),
        list(experiment.outcomes),
        out,
        tie_tolerance=experiment.tie_tolerance,
        settings=settings,
    )
    record = discovery.settings_record(settings) | {"tie_tolerance": experiment.tie_tolerance}
    provenance.record_analysis(out, "discover", record | {"ema-workbench": _version("ema-workbench")})
    return {"runs": len(runs), "failed": int((runs["status"] == "failed").sum()), **report}
