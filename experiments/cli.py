"""The ``tenant-trust`` command line.

``tenant-trust scenarios`` lists strategies and shocks, ``params`` lists every
declared parameter, ``run`` runs one scenario and ``compare`` (the main job)
runs strategies against baseline with seeded replications.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard import serve as dashboard
from experiments import evidence_cli, plots, scale
from experiments.cluster import ClusterError
from experiments.compare import BASELINE, DEFAULT_REPLICATIONS, compare
from experiments.design import ExperimentError, load_experiment
from experiments.outputs import MAX_SEED, MAX_WEEKS, OutputError, bounded, check_out, folder_lock, staged_output
from experiments.outputs import workers as _workers
from experiments.provenance import WorkerMismatchError
from experiments.report import neighbourhood_findings, policy_findings, write_report
from experiments.runner import (
    DEFAULT_SEED,
    NO_WORKERS_TIMEOUT,
    NoWorkersError,
    RunSpec,
    default_workers,
    provenance,
    run,
)
from experiments.search import SearchError
from experiments.sweep import MAX_NO_WORKERS_TIMEOUT, SweepError
from experiments.validation import PatternError
from model import params, paramtable
from model.scenario import (
    DEFAULT_WEEKS,
    Scenario,
    ScenarioError,
    builtin_names,
    check_labels,
    load_scenario,
    shock_description,
    shock_names,
)
from model.shocks import KINDS, describe

if TYPE_CHECKING:
    import pandas as pd


class UsageError(Exception):
    """A command-line value that is not allowed."""


def _parse_sets(pairs: Sequence[str]) -> dict[str, float | int]:
    values: dict[str, float | int] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise UsageError(f"--set {pair!r}: expected NAME=VALUE, e.g. --set estate_presence=0.5")
        values[name.strip()] = params.parse_value(name.strip(), text.strip(), "--set")
    return values


_positive = bounded(1)
_seed = bounded(0, MAX_SEED, "seed")
_weeks = bounded(1, MAX_WEEKS, "number of weeks")
_replications = bounded(1, 1000, "number of replications")
_batch = bounded(1, 10_000, "batch size")
_resamples = bounded(0, 1000, "number of resamples")


def _timeout(text: str) -> float:
    """``--no-workers-timeout``: seconds, above 0 and at most a day."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_NO_WORKERS_TIMEOUT:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: seconds above 0, at most {MAX_NO_WORKERS_TIMEOUT:g}")
    return value


def _overrides(args: argparse.Namespace) -> dict[str, float | int]:
    values = _parse_sets(getattr(args, "set", []) or [])
    if args.homes is not None:
        values["homes"] = check_homes(args.homes)
    return values


def check_homes(homes: int) -> int:
    """``--homes``, checked against the declared range, with the option named."""
    declared = params.get("homes")
    try:
        return declared.check(homes, "--homes")
    except params.ParameterError:
        raise UsageError(f"--homes {homes}: allowed: {declared.allowed()}") from None


def cmd_scenarios(args: argparse.Namespace) -> None:
    """List built-in scenarios and shock layers."""
    print("Strategies (tenant-trust run NAME, tenant-trust compare NAME ...):")
    for name in builtin_names():
        scenario = load_scenario(name)
        changes = ", ".join(f"{k}={v:g}" for k, v in scenario.differences().items()) or "the declared defaults"
        print(f"  {name:26s} {scenario.description}\n  {'':26s} sets: {changes}")
    print("\nShock layers (add with --shock NAME; they layer onto any strategy):")
    for name in shock_names():
        print(f"  {name:26s} {shock_description(name)}")
    print("\nShock kinds for [[shocks]] tables in your own scenario files:")
    for kind, spec in KINDS.items():
        options = ", ".join(f"{k} (default {o.default:g}, {o.low:g}-{o.high:g})" for k, o in spec.options.items())
        print(f"  {kind:26s} {describe(kind)} Options: {options}")


def cmd_params(args: argparse.Namespace) -> None:
    """List every declared parameter, with its posterior where it was calibrated."""
    posterior = paramtable.posterior_summary()
    if args.json:
        rows = [
            {
                "name": p.name,
                "default": p.default,
                "low": p.low,
                "high": p.high,
                "unit": p.unit,
                "description": p.description,
                "source": p.source,
                "kind": p.kind,
                "group": p.group,
                "lever": p.lever,
                "posterior": posterior.get(p.name),
            }
            for p in params.PARAMETERS
        ]
        print(json.dumps(rows, indent=2))
        return
    for p in params.PARAMETERS:
        print(f"{p.name:30s} {p.default:>10g}  [{p.low:g}, {p.high:g}] {p.unit}\n{'':30s} {p.description}")
        print(f"{'':30s} source: {p.source}")
        if p.name in posterior:
            print(f"{'':30s} posterior median (90% interval): {paramtable.posterior_cell(posterior[p.name])}")


def _scenario(args: argparse.Namespace, name: str) -> Scenario:
    return load_scenario(name, shocks=args.shock or [], **_overrides(args))


def cmd_run(args: argparse.Namespace) -> None:
    """Run one scenario and write summary.json, weekly.csv and a plot."""
    scenario = _scenario(args, args.scenario)
    weeks = args.weeks or scenario.weeks
    out = check_out(args.out if args.out is not None else f"results/run-{scenario.name}")
    with folder_lock(out), staged_output(out) as stage:
        print(f"Running {scenario.name}: {scenario.params['homes']:,} homes, {weeks} weeks, seed {args.seed}")
        outcome = run(RunSpec(scenario, args.seed, weeks, weekly_every=1), progress=not args.quiet)
        summary, weekly = outcome.summary, outcome.weekly
        record = {"summary": summary, "seed": args.seed, "weeks": weeks, "scenario": scenario.to_dict()}
        (stage / "summary.json").write_text(json.dumps(record | provenance(), indent=2), encoding="utf-8")
        weekly.to_csv(stage / "weekly.csv")
        plots.single_run(weekly, stage / "run.png", f"{scenario.name}, seed {args.seed}")
    print(json.dumps(summary, indent=2))
    print(f"Wrote {out}/summary.json, weekly.csv and run.png")


def cmd_compare(args: argparse.Namespace) -> None:
    """Run strategies against baseline and write the comparison, plots and report."""
    if args.replications < 2:
        raise UsageError(f"--replications {args.replications}: allowed: 2 or more (confidence intervals need 2)")
    out = check_out(args.out)
    names = args.scenarios or builtin_names()
    labels = check_labels(names, "compare")
    if BASELINE not in labels:
        names, labels = [BASELINE, *names], [BASELINE, *labels]
    scenarios = [_scenario(args, name) for name in names]
    weeks = args.weeks or scenarios[0].weeks
    workers = args.workers or default_workers()
    homes = scenarios[0].params["homes"]
    baseline = scenarios[labels.index(BASELINE)].name
    with folder_lock(out), staged_output(out) as stage:
        print(
            f"Comparing {len(scenarios)} strategies x {args.replications} replications: {homes:,} homes, {weeks} weeks"
        )
        result = compare(
            scenarios, args.replications, weeks, args.seed, workers=workers, progress=not args.quiet, baseline=baseline
        )
        result.table.to_csv(stage / "comparison.csv", index=False)
        result.runs.to_csv(stage / "runs.csv", index=False)
        result.weekly.to_parquet(stage / "weekly.parquet", index=False)
        result.levers.to_csv(stage / "levers.csv", index=False)
        result.decisions.to_csv(stage / "decisions.csv", index=False)
        result.neighbourhoods.to_csv(stage / "neighbourhoods.csv", index=False)
        figures = [
            plots.trajectories(result.weekly, stage / "trajectories.png"),
            plots.trust_by_group(result.table, stage / "trust_by_group.png"),
            plots.differences(
                result.table,
                ("trust_mean", "satisfaction_true", "participation_rate"),
                stage / "differences.png",
                baseline,
            ),
        ]
        figures += [f for f in [plots.lever_paths(result.levers, weeks, stage / "levers.png")] if f is not None]
        settings = {"homes": homes, "weeks": weeks, "replications": args.replications, "seed": args.seed}
        record = settings | {"seeds": result.seeds, "scenarios": [s.to_dict() for s in scenarios]} | provenance()
        (stage / "manifest.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        descriptions = {s.name: s.description for s in scenarios}
        policies = policy_findings(scenarios, result.runs, result.decisions, args.replications, weeks)
        places = neighbourhood_findings(scenarios, result.neighbourhoods, baseline)
        write_report(stage, result.table, settings, descriptions, figures, baseline, policies, places)
    print(
        f"Wrote {out}/report.html (and report.md, comparison.csv, runs.csv, weekly.parquet, levers.csv, "
        "decisions.csv, neighbourhoods.csv, plots, manifest.json)"
    )


def _experiment_options(args: argparse.Namespace) -> tuple[Path, dict]:
    experiment = load_experiment(args.file)
    out = check_out(args.out if args.out is not None else f"results/{experiment.name}")
    options = {
        "workers": args.workers or default_workers(),
        "scheduler": args.scheduler,
        "resume": args.resume,
        "retry_failed": args.retry_failed,
        "progress": not args.quiet,
        "batch_size": args.batch_size,
        "no_workers_timeout": args.no_workers_timeout,
    }
    return out, {"experiment": experiment, "out": out, **options}


def cmd_sweep(args: argparse.Namespace) -> None:
    """Run an experiment's design and stream the runs to DIR/runs."""
    from experiments.sweep import sweep

    out, options = _experiment_options(args)
    runs = sweep(**options)
    failed = int((runs["status"] == "failed").sum())
    print(f"{len(runs):,} runs in {out}/runs ({failed} failed); read with pandas.read_parquet('{out}/runs')")


#: Exit status of an analysis that wrote some results but refused others (see README).
REFUSED_STATUS = 3


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Run an experiment and analyse it with SALib; status 3 if some outcome's indices were refused."""
    from experiments.study import run_sensitivity

    out, options = _experiment_options(args)
    result = run_sensitivity(**options)
    print(f"{result['runs']:,} runs ({result['failed']} failed); {result['method']} indices in {out}/indices.csv")
    _print_points(result["indices"])
    _print_verdicts(result["indices"])
    if not result["by_year"].empty:
        print(f"  indices year by year in {out}/indices_by_year.csv")
    noise = result["noise"]
    for _, row in noise.iterrows():
        where = f"  seed noise in {row['outcome']} ({row['scenario']})"
        if math.isnan(row["noise_share"]):
            print(f"{where}: not estimated (it needs two or more replications)")
        else:
            print(f"{where}: {row['noise_share']:.0%} of the run-to-run variance")
    return _report_refused(result["refused"], out)


def _print_points(indices: pd.DataFrame) -> None:
    """How many design points each outcome's indices rest on."""
    if indices.empty:
        return
    for (outcome, scenario), rows in indices.groupby(["outcome", "scenario"], sort=False):
        print(f"  {outcome} ({scenario}): indices rest on {int(rows['n_points'].iloc[0]):,} design points")


def _print_verdicts(indices: pd.DataFrame) -> None:
    """How many indices of each kind are above the noise floor (or zero), within it, unconverged or out of range."""
    if indices.empty:
        return
    for (outcome, scenario, index), rows in indices.groupby(["outcome", "scenario", "index"], sort=False):
        counts = rows["verdict"].value_counts()
        parts = [f"{count} {verdict}" for verdict, count in counts.items() if verdict != "noise floor (dummy)"]
        print(f"  {outcome} ({scenario}) {index}: {', '.join(parts)}")
        for _, row in rows[rows["out_of_range"] != ""].iterrows():
            print(
                f"tenant-trust: warning: {index} of {row['parameter']} on {outcome} ({scenario}) is "
                f"{row['value']:.3g}, {row['out_of_range']}: the sample is too small to trust it",
                file=sys.stderr,
            )


def _report_refused(refused: pd.DataFrame, out: Path) -> int:
    """Print each refused outcome's reason on stderr; the exit status (0, or 3 if any)."""
    for _, row in refused.iterrows():
        print(f"tenant-trust: refused: {row['reason']} ({row['scenario']})", file=sys.stderr)
    if refused.empty:
        return 0
    print(f"tenant-trust: {len(refused)} outcome(s) have no indices; see {out}/refused.csv", file=sys.stderr)
    return REFUSED_STATUS


def cmd_robustness(args: argparse.Namespace) -> None:
    """Compare strategies across sampled uncertainty and say where they fail."""
    from experiments.study import run_robustness

    out, options = _experiment_options(args)
    result = run_robustness(**options)
    print(f"{result['runs']:,} runs ({result['failed']} failed); tables and figures in {out}")
    for warning in result["warnings"]:
        print(f"tenant-trust: warning: {warning}", file=sys.stderr)
    _print_shares(result["summary"])
    for sentence in result["sentences"]:
        print(f"  {sentence}")


def cmd_discover(args: argparse.Namespace) -> None:
    """Where each strategy does worse than baseline: PRIM boxes, CART beside them, and feature scores."""
    from experiments.discovery import PrimSettings
    from experiments.study import run_discovery

    out, options = _experiment_options(args)
    try:
        settings = PrimSettings(
            min_coverage=args.min_coverage, resamples=args.resamples, seed=options["experiment"].seed
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    result = run_discovery(settings=settings, **options)
    print(f"{result['runs']:,} runs ({result['failed']} failed); PRIM, CART and feature scores in {out} (prim.md)")
    for found in result["results"]:
        print(f"  PRIM: {found['sentence']}")
        print(f"  CART: {found['cart']['sentence']}")
        above = [row["parameter"] for row in found["feature_scores"] if row["above_noise"]]
        if found["feature_scores"]:
            print(f"  feature scores above the noise columns: {', '.join(above) or 'none'}")


def cmd_search(args: argparse.Namespace) -> None:
    """Search the levers for strategies that do best across the sampled futures (a Pareto set)."""
    from experiments.search import search

    experiment = load_experiment(args.file)
    out = check_out(args.out if args.out is not None else f"results/{experiment.name}")
    found = search(experiment, out, workers=args.workers or default_workers())
    pareto = found["pareto"]
    print(f"{len(found['history']) - 1} candidates evaluated; {len(pareto)} in the Pareto set; see {out}/search.md")
    for _, row in pareto.iterrows():
        print(f"  {row['candidate']}: {out}/candidates/{row['candidate']}.toml")


def _print_shares(summary: pd.DataFrame) -> None:
    """Wins, ties and losses against baseline with their 95% Wilson intervals, per outcome."""
    for outcome, rows in summary.groupby("outcome", sort=False):
        first = rows.iloc[0]
        print(
            f"  {outcome}, against baseline over {first['n_samples']} of {first['n_futures']} futures "
            f"(ties: differences below {first['tie_tolerance']:g}):"
        )
        for _, row in rows[rows["wins"].notna()].iterrows():
            parts = [
                f"{name} {row[name]:.0%} [{row[f'{name}_low']:.0%}, {row[f'{name}_high']:.0%}]"
                for name in ("wins", "ties", "losses")
            ]
            print(f"    {row['strategy']}: {', '.join(parts)}")


def _add_experiment_parser(sub: argparse._SubParsersAction, name: str, help_text: str, func) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text)
    parser.add_argument("file", metavar="FILE", help="experiment .toml (or the name of a shipped one)")
    parser.add_argument("--workers", type=_workers, help="local processes (default: every core)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--out", help="output folder (default results/EXPERIMENT-NAME)")
    parser.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out")
    parser.add_argument("--retry-failed", action="store_true", help="with --resume, run failed runs again")
    parser.add_argument("--batch-size", type=_batch, help="runs sent to a worker at once (default: automatic)")
    parser.add_argument(
        "--no-workers-timeout",
        type=_timeout,
        default=NO_WORKERS_TIMEOUT,
        metavar="SECONDS",
        help=f"with --scheduler, stop with an error after SECONDS with no Dask worker (default {NO_WORKERS_TIMEOUT:g})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_jobqueue_options(parser)
    parser.set_defaults(func=_on_jobqueue(func))
    return parser


def _add_jobqueue_options(parser: argparse.ArgumentParser) -> None:
    """``--jobqueue KIND`` and the resources of its jobs (see experiments/cluster.py)."""
    from experiments.cluster import DEFAULT_MEMORY, DEFAULT_WALLTIME, KINDS

    group = parser.add_argument_group("job scheduler (dask-jobqueue), instead of --scheduler")
    group.add_argument("--jobqueue", choices=list(KINDS), help="submit Dask workers as batch jobs to this scheduler")
    group.add_argument("--jobs", type=_positive, default=1, help="jobs to submit (default 1)")
    group.add_argument("--job-cores", type=_positive, default=1, help="cores per job, one worker each (default 1)")
    group.add_argument("--job-memory", default=DEFAULT_MEMORY, help=f"memory per job (default {DEFAULT_MEMORY})")
    group.add_argument(
        "--job-walltime", default=DEFAULT_WALLTIME, help=f"time limit per job (default {DEFAULT_WALLTIME})"
    )
    group.add_argument("--job-queue", help="queue or partition")
    group.add_argument("--job-account", help="account to charge")
    group.add_argument(
        "--job-prologue",
        action="append",
        default=[],
        metavar="LINE",
        help="shell line each job runs first (repeatable)",
    )


def _on_jobqueue(func):
    """``func``, run with ``--scheduler`` set to a job-scheduler cluster's address when ``--jobqueue`` is given."""

    def run(args: argparse.Namespace):
        if args.jobqueue is None:
            return func(args)
        if args.scheduler is not None:
            raise UsageError("--jobqueue and --scheduler: give one (--jobqueue starts its own scheduler)")
        from experiments.cluster import jobqueue_scheduler

        resources = {
            "cores": args.job_cores,
            "memory": args.job_memory,
            "walltime": args.job_walltime,
            "queue": args.job_queue,
            "account": args.job_account,
            "prologue": args.job_prologue,
        }
        with jobqueue_scheduler(args.jobqueue, args.jobs, **resources) as address:
            args.scheduler = address
            return func(args)

    return run


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    homes = int(params.get("homes").default)
    parser.add_argument("--homes", type=_positive, help=f"homes on the estate (default: the scenario's, {homes:,})")
    parser.add_argument(
        "--weeks", type=_weeks, help=f"weeks to simulate (default: the scenario's, {DEFAULT_WEEKS}; up to {MAX_WEEKS})"
    )
    parser.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"master seed (default {DEFAULT_SEED})")
    parser.add_argument("--shock", action="append", metavar="NAME", help="add a shock layer (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="tenant-trust",
        description="Simulate how engagement strategies shift tenants' trust in their social landlord.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("scenarios", help="list built-in strategies and shocks").set_defaults(func=cmd_scenarios)
    p_params = sub.add_parser("params", help="list every model parameter")
    p_params.add_argument("--json", action="store_true", help="print as JSON")
    p_params.set_defaults(func=cmd_params)
    p_run = sub.add_parser("run", help="run one scenario")
    p_run.add_argument("scenario", metavar="SCENARIO|FILE", help="built-in name or path to a scenario .toml")
    _add_model_options(p_run)
    p_run.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable)")
    p_run.add_argument("--out", help="output folder (default results/run-SCENARIO)")
    p_run.add_argument("--quiet", action="store_true", help="no progress bar")
    p_run.set_defaults(func=cmd_run)
    p_cmp = sub.add_parser("compare", help="compare strategies against baseline (the main job)")
    p_cmp.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="strategies (default: all built-in)")
    p_cmp.add_argument(
        "--replications",
        type=_replications,
        default=DEFAULT_REPLICATIONS,
        help=f"seeded replications each (default {DEFAULT_REPLICATIONS})",
    )
    _add_model_options(p_cmp)
    p_cmp.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter in every strategy")
    p_cmp.add_argument("--workers", type=_workers, help="processes (default: every core)")
    p_cmp.add_argument("--out", default="results/compare", help="output folder (default results/compare)")
    p_cmp.add_argument("--quiet", action="store_true", help="no progress bar")
    p_cmp.set_defaults(func=cmd_compare)
    _add_experiment_parser(sub, "sweep", "run an experiment's design (resumable)", cmd_sweep)
    _add_experiment_parser(sub, "sensitivity", "run an experiment and compute SALib indices", cmd_sensitivity)
    _add_experiment_parser(sub, "robustness", "compare strategies across sampled uncertainty", cmd_robustness)
    p_disc = _add_experiment_parser(
        sub, "discover", "scenario discovery: PRIM (EMA Workbench) and CART boxes where strategies fail", cmd_discover
    )
    p_disc.add_argument(
        "--min-coverage",
        type=float,
        default=0.5,
        help="smallest share of a strategy's failures the reported PRIM box must hold (default 0.5)",
    )
    p_disc.add_argument(
        "--resamples", type=_resamples, default=10, help="PRIM runs on random halves, for reproducibility (default 10)"
    )
    p_search = sub.add_parser("search", help="find lever settings that do best across uncertain futures (Pareto set)")
    p_search.add_argument("file", metavar="FILE", help="experiment .toml with a [search] table")
    p_search.add_argument("--workers", type=_workers, help="local processes (default: every core)")
    p_search.add_argument("--out", help="output folder (default results/EXPERIMENT-NAME)")
    p_search.set_defaults(func=cmd_search)
    evidence_cli.add_parsers(sub)
    scale.add_parser(sub)
    dashboard.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``tenant-trust``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
    except BrokenPipeError:  # e.g. `tenant-trust params | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's final flush
        return 0
    except (
        ScenarioError,
        params.ParameterError,
        UsageError,
        ExperimentError,
        SweepError,
        PatternError,
        OutputError,
        scale.ScaleError,
        NoWorkersError,
        WorkerMismatchError,
        SearchError,
        ClusterError,
    ) as error:
        print(f"tenant-trust: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a full disk, a folder made read-only mid-run: say which file, not a traceback
        where = f"{error.filename}: " if error.filename else ""
        print(f"tenant-trust: error: {where}{error.strerror or error}; nothing more was written", file=sys.stderr)
        return 2
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    sys.exit(main())
