"""The ``validate`` and ``calibrate`` sub-commands of ``tenant-trust``.

``tenant-trust validate`` checks the baseline against the observed patterns of
``experiments/patterns/sector.toml`` and exits with status 1 when a pattern fails;
``tenant-trust calibrate`` fits the uncertain parameters to the calibration
patterns by ABC-SMC and writes the posterior (see
:mod:`experiments.validation` and :mod:`experiments.calibration`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from experiments import calibration, validation
from experiments.outputs import MAX_SEED, MAX_WEEKS, bounded, check_out, folder_lock, workers
from experiments.runner import DEFAULT_SEED, default_workers
from experiments.validation import PatternError, format_table
from model import params
from model.scenario import CALIBRATED_POSTERIOR


class EvidenceUsageError(PatternError):
    """A ``validate`` or ``calibrate`` option that is not allowed (exit status 2)."""


_positive = bounded(1)
_seed = bounded(0, MAX_SEED, "seed")
_weeks = bounded(1, MAX_WEEKS, "number of weeks")
_replications = bounded(1, 1000, "number of replications")
_population = bounded(1, 100_000, "population")
_generations = bounded(1, 1000, "number of generations")
_simulations = bounded(1, 100_000_000, "simulation budget")


def _homes(homes: int) -> int:
    """``--homes`` checked against the declared range, with the option named."""
    declared = params.get("homes")
    try:
        return declared.check(homes, "--homes")
    except params.ParameterError:
        raise EvidenceUsageError(f"--homes {homes}: allowed: {declared.allowed()}") from None


def cmd_validate(args: argparse.Namespace) -> int:
    """Run the baseline's replications, check every pattern, print the table; 1 if a pattern fails."""
    if args.replications < 2:
        raise EvidenceUsageError(
            f"--replications {args.replications}: allowed: 2 or more (confidence intervals need 2)"
        )
    if args.weeks < 52:
        raise EvidenceUsageError(
            f"--weeks {args.weeks}: allowed: 52 or more (repairs and involvement are measured over a year)"
        )
    if args.posterior and not CALIBRATED_POSTERIOR.is_file():
        raise EvidenceUsageError(f"--posterior: no {CALIBRATED_POSTERIOR}; run `tenant-trust calibrate` first")
    _homes(args.homes)
    out = check_out(args.out)
    with folder_lock(out):
        return _validate(args, out)


def _validate(args: argparse.Namespace, out: Path) -> int:
    from experiments.validation import validate

    if not args.json:
        print(
            f"Validating baseline: {args.homes:,} homes, {args.weeks} weeks, {args.replications} replications, "
            f"master seed {args.seed}",
            file=sys.stderr,
        )
    result = validate(
        replications=args.replications,
        homes=args.homes,
        weeks=args.weeks,
        seed=args.seed,
        workers=args.workers or default_workers(),
        posterior=args.posterior,
    )
    (out / "validation.json").write_text(json.dumps(result.record(), indent=2) + "\n", encoding="utf-8")
    result.runs.to_csv(out / "runs.csv", index=False)
    if args.json:
        print(json.dumps(result.rows, indent=2))
    else:
        print(format_table(result.rows))
        failed = [row["pattern"] for row in result.rows if not row["passed"]]
        verdict = "every pattern passed" if not failed else f"{len(failed)} of {len(result.rows)} patterns failed"
        print(f"\n{verdict}. Seeds, parameters and versions: {out}/validation.json; per-run values: {out}/runs.csv")
    return 0 if result.passed else 1


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the calibrated parameters by ABC-SMC and write the posterior, its summary and plots."""

    def report(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    if args.population < 2 or args.max_simulations < args.population:
        raise EvidenceUsageError(
            f"--population {args.population}, --max-simulations {args.max_simulations}: allowed: a population of "
            "2 or more and a budget of at least one population"
        )
    _homes(args.homes)
    out = check_out(args.out)
    with folder_lock(out):
        return _calibrate(args, out, report)


def _calibrate(args: argparse.Namespace, out: Path, report) -> int:
    from experiments.calibration import CALIBRATED, calibrate, write_outputs

    workers = args.workers or default_workers()
    report(
        f"Calibrating {', '.join(CALIBRATED)}: {args.homes:,} homes, {args.weeks} weeks, population "
        f"{args.population}, at most {args.generations} generations and {args.max_simulations:,} simulations, "
        f"{workers} workers"
    )
    result, summary = calibrate(
        homes=args.homes,
        weeks=args.weeks,
        population=args.population,
        generations=args.generations,
        max_simulations=args.max_simulations,
        seed=args.seed,
        workers=workers,
        progress=report,
    )
    paths = write_outputs(result, summary, out)
    for name, entry in summary["parameters"].items():
        flag = "narrowed" if entry["narrowed"] else "not narrowed"
        print(
            f"{name:30s} median {entry['median']:.4g}  90% [{entry['q05']:.4g}, {entry['q95']:.4g}]  "
            f"prior [{entry['prior'][0]:g}, {entry['prior'][1]:g}]  ({flag}, width ratio {entry['width_ratio']:.2f})"
        )
    band = summary.get("neither_band")
    if band:
        print(
            f"{'neither band (measurement)':30s} median {band['median']:.4g}  "
            f"90% [{band['q05']:.4g}, {band['q95']:.4g}]"
        )
    print(
        f"{summary['simulations']:,} simulations in {summary['runtime_seconds']:.0f} s; "
        f"wrote {', '.join(map(str, paths))}"
    )
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``validate`` and ``calibrate`` on the ``tenant-trust`` parser."""
    p_val = sub.add_parser("validate", help="check the baseline against observed patterns (exit 1 if one fails)")
    p_val.add_argument("--json", action="store_true", help="print the pattern rows as JSON")
    replications, homes, weeks = validation.DEFAULT_REPLICATIONS, validation.DEFAULT_HOMES, validation.DEFAULT_WEEKS
    p_val.add_argument(
        "--replications", type=_replications, default=replications, help=f"seeded replications (default {replications})"
    )
    p_val.add_argument("--homes", type=_positive, default=homes, help=f"homes (default {homes:,})")
    p_val.add_argument("--weeks", type=_weeks, default=weeks, help=f"weeks (default {weeks})")
    p_val.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"master seed (default {DEFAULT_SEED})")
    p_val.add_argument("--workers", type=workers, help="processes (default: every core)")
    p_val.add_argument("--out", default="results/validate", help="folder for validation.json and runs.csv")
    p_val.add_argument(
        "--posterior",
        action="store_true",
        help="draw the calibrated parameters from calibration/posterior.csv for each replication",
    )
    p_val.set_defaults(func=cmd_validate)
    p_cal = sub.add_parser("calibrate", help="fit uncertain parameters to the patterns (ABC-SMC)")
    c = calibration
    p_cal.add_argument(
        "--homes", type=_positive, default=c.DEFAULT_HOMES, help=f"homes per simulation (default {c.DEFAULT_HOMES:,})"
    )
    p_cal.add_argument("--weeks", type=_weeks, default=c.DEFAULT_WEEKS, help=f"weeks (default {c.DEFAULT_WEEKS})")
    p_cal.add_argument(
        "--population",
        type=_population,
        default=c.DEFAULT_POPULATION,
        help=f"particles per generation (default {c.DEFAULT_POPULATION})",
    )
    p_cal.add_argument(
        "--generations",
        type=_generations,
        default=c.DEFAULT_GENERATIONS,
        help=f"generations at most (default {c.DEFAULT_GENERATIONS})",
    )
    p_cal.add_argument(
        "--max-simulations",
        type=_simulations,
        default=c.DEFAULT_MAX_SIMULATIONS,
        help=f"simulation budget (default {c.DEFAULT_MAX_SIMULATIONS:,})",
    )
    p_cal.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"master seed (default {DEFAULT_SEED})")
    p_cal.add_argument("--workers", type=workers, help="processes (default: every core)")
    p_cal.add_argument(
        "--out", default="calibration", help="output folder (default calibration/ in the current directory)"
    )
    p_cal.add_argument("--quiet", action="store_true", help="no progress lines")
    p_cal.set_defaults(func=cmd_calibrate)
