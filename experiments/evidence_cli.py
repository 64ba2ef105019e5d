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

import pandas as pd

from experiments import calibration, validation
from experiments.outputs import MAX_SEED, MAX_WEEKS, bounded, check_out, folder_lock, workers
from experiments.population import DEFAULT_LANDLORDS, DEFAULT_PAIRS, DEFAULT_POPULATION_HOMES
from experiments.runner import DEFAULT_SEED, default_workers, provenance
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
_landlords = bounded(3, 100_000, "number of landlords")
_pairs = bounded(2, 10_000, "number of pairs")
_noise_runs = bounded(2, 100_000, "number of noise-floor runs")
DEFAULT_YEARS = (2, 10, 30)


def _homes(homes: int) -> int:
    """``--homes`` checked against the declared range, with the option named."""
    declared = params.get("homes")
    try:
        return declared.check(homes, "--homes")
    except params.ParameterError:
        raise EvidenceUsageError(f"--homes {homes}: allowed: {declared.allowed()}") from None


def cmd_validate(args: argparse.Namespace) -> int:
    """Run every level's patterns at each run length, print the tables; 1 if a pattern fails."""
    if args.replications < 2:
        raise EvidenceUsageError(
            f"--replications {args.replications}: allowed: 2 or more (confidence intervals need 2)"
        )
    horizons = _horizons(args)
    if horizons[0] < 52:
        raise EvidenceUsageError(
            f"--weeks/--years {horizons[0]} weeks: allowed: 52 or more (repairs and involvement are measured over "
            "a year)"
        )
    if args.posterior and not CALIBRATED_POSTERIOR.is_file():
        raise EvidenceUsageError(f"--posterior: no {CALIBRATED_POSTERIOR}; run `tenant-trust calibrate` first")
    _homes(args.homes)
    _homes(args.population_homes)
    out = check_out(args.out)
    with folder_lock(out):
        return _validate(args, out, horizons)


def _horizons(args: argparse.Namespace) -> tuple[int, ...]:
    """The run lengths in weeks: ``--weeks`` if given, else ``--years``."""
    if args.weeks is not None:
        return (args.weeks,)
    return tuple(sorted({52 * y for y in args.years}))


def _years(text: str) -> tuple[int, ...]:
    """``--years``: a comma-separated list of whole years, each from 1 to the longest run allowed."""
    try:
        years = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: whole years separated by commas, e.g. 2,10,30") from None
    if not years or min(years) < 1 or max(years) * 52 > MAX_WEEKS:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: years from 1 to {MAX_WEEKS // 52}")
    return years


def _levels(text: str) -> tuple[str, ...]:
    """``--levels``: a comma-separated list of pattern levels."""
    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",")))
    bad = [level for level in chosen if level not in validation.LEVELS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(f"{text!r}: allowed: any of {', '.join(validation.LEVELS)}, comma-separated")
    return chosen


def _validate(args: argparse.Namespace, out: Path, horizons: tuple[int, ...]) -> int:
    from experiments import population
    from experiments.validation import load_all_patterns, validate

    workers = args.workers or default_workers()
    single = args.weeks is not None
    out.mkdir(parents=True, exist_ok=True)
    patterns = load_all_patterns()
    by_level = {level: [p for p in patterns if p.level == level] for level in args.levels}
    if not args.json:
        print(
            f"Validating {', '.join(args.levels)} patterns at {', '.join(f'{h / 52:g}' for h in horizons)} years: "
            f"baseline {args.homes:,} homes x {args.replications} replications; {args.landlords} landlords and "
            f"{args.pairs} pairs of {args.population_homes:,} homes; master seed {args.seed}",
            file=sys.stderr,
        )
    rows: list[dict] = []
    record: dict = {}
    if "landlord" in by_level:
        result = validate(
            replications=args.replications,
            homes=args.homes,
            weeks=args.weeks if single else horizons,
            seed=args.seed,
            workers=workers,
            patterns=by_level["landlord"],
            posterior=args.posterior,
        )
        rows += result.rows
        record = result.record()
        result.runs.to_csv(out / "runs.csv", index=False)
    if "population" in by_level:
        population_rows, landlords = population.validate_population(
            by_level["population"], horizons, args.landlords, args.population_homes, args.seed, workers
        )
        rows += population_rows
        pd.DataFrame(landlords).to_csv(out / "landlords.csv", index=False)
    if "dynamic" in by_level:
        rows += population.validate_dynamics(
            by_level["dynamic"], horizons, args.pairs, args.population_homes, args.seed, workers
        )
    settings = {"levels": list(args.levels), "weeks": list(horizons), "landlords": args.landlords}
    settings |= {"pairs": args.pairs, "population_homes": args.population_homes, "seed": args.seed}
    record = (record or provenance()) | {"patterns": rows, "passed": all(r["passed"] for r in rows)}
    record["evidence_settings"] = settings
    (out / "validation.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        _print_report(rows, by_level, out)
    return 0 if all(row["passed"] for row in rows) else 1


def _print_report(rows: list[dict], by_level: dict, out: Path) -> None:
    """Each level's table, then how many patterns of each role passed at every run length."""
    for level in by_level:
        chosen = [row for row in rows if row["level"] == level]
        if chosen:
            print(f"\n== {level} patterns ==\n{format_table(chosen)}")
    verdicts: dict[str, bool] = {}
    for row in rows:
        verdicts[row["pattern"]] = verdicts.get(row["pattern"], True) and row["passed"]
    roles = {row["pattern"]: row["role"] for row in rows}
    print("\nPassed at every run length, by role:")
    for role in validation.ROLES:
        names = [n for n in verdicts if roles[n] == role]
        if names:
            print(f"  {role:12s} {sum(verdicts[n] for n in names)} of {len(names)}")
    failed = [n for n, ok in verdicts.items() if not ok]
    verdict = "every pattern passed" if not failed else f"{len(failed)} of {len(verdicts)} patterns failed"
    print(
        f"\n{verdict}. Seeds, parameters and versions: {out}/validation.json; per-run values: {out}/runs.csv, "
        f"{out}/landlords.csv"
    )


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
    from experiments.calibration import CALIBRATED, Checkpoint, CheckpointError, calibrate, write_outputs

    workers = args.workers or default_workers()
    report(
        f"Calibrating {', '.join(CALIBRATED)}: {args.homes:,} homes, {args.weeks} weeks, population "
        f"{args.population}, at most {args.generations} generations and {args.max_simulations:,} simulations, "
        f"{workers} workers"
    )
    try:
        result, summary = calibrate(
            homes=args.homes,
            weeks=args.weeks,
            population=args.population,
            generations=args.generations,
            max_simulations=args.max_simulations,
            seed=args.seed,
            workers=workers,
            progress=report,
            noise_runs=args.noise_runs,
            checkpoint=out / "checkpoint",
            resume=args.resume,
        )
    except CheckpointError as error:
        raise EvidenceUsageError(str(error)) from None
    paths = write_outputs(result, summary, out)
    Checkpoint.finish(out / "checkpoint")
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
    _print_identification(summary)
    print(
        f"{summary['simulations']:,} simulations (and {summary['noise_floor']['runs']} noise-floor runs) in "
        f"{summary['runtime_seconds']:.0f} s; wrote {', '.join(map(str, paths))}"
    )
    return 0


def _print_identification(summary: dict) -> None:
    """The convergence verdict, the constrained combinations and what the targets can see."""
    verdict = summary["convergence"]
    print(f"\n{'Converged' if verdict['converged'] else 'Not converged'}: {verdict['reason']}.")
    print("Posterior directions (sd against a uniform prior's; constrained at 0.5 or less):")
    for direction in summary["posterior_structure"]["directions"]:
        top = sorted(direction["loadings"].items(), key=lambda kv: -abs(kv[1]))[:3]
        mark = "constrained" if direction["constrained"] else "free"
        print(f"  {direction['sd_ratio']:.2f} {mark:11s} " + ", ".join(f"{v:+.2f} {n}" for n, v in top))
    print("What the targets see over the prior (singular values in tolerances; below 1 = not identifiable):")
    for direction in summary["sensitivity"]["directions"]:
        top = sorted(direction["loadings"].items(), key=lambda kv: -abs(kv[1]))[:3]
        print(f"  {direction['singular_value']:6.2f}  " + ", ".join(f"{v:+.2f} {n}" for n, v in top))


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register ``validate`` and ``calibrate`` on the ``tenant-trust`` parser."""
    p_val = sub.add_parser("validate", help="check the baseline against observed patterns (exit 1 if one fails)")
    p_val.add_argument("--json", action="store_true", help="print the pattern rows as JSON")
    replications, homes = validation.DEFAULT_REPLICATIONS, validation.DEFAULT_HOMES
    p_val.add_argument(
        "--replications", type=_replications, default=replications, help=f"seeded replications (default {replications})"
    )
    p_val.add_argument("--homes", type=_positive, default=homes, help=f"homes of the baseline (default {homes:,})")
    p_val.add_argument("--weeks", type=_weeks, help="one run length in weeks (instead of --years)")
    p_val.add_argument(
        "--years", type=_years, default=DEFAULT_YEARS, help="run lengths in years past the burn-in (default 2,10,30)"
    )
    p_val.add_argument(
        "--levels", type=_levels, default=validation.LEVELS, help="pattern levels (default landlord,population,dynamic)"
    )
    landlords, pairs = DEFAULT_LANDLORDS, DEFAULT_PAIRS
    p_val.add_argument(
        "--landlords", type=_landlords, default=landlords, help=f"landlords simulated (default {landlords})"
    )
    p_val.add_argument("--pairs", type=_pairs, default=pairs, help=f"paired runs per change (default {pairs})")
    p_val.add_argument(
        "--population-homes",
        type=_positive,
        default=DEFAULT_POPULATION_HOMES,
        help=f"homes of each simulated landlord and paired run (default {DEFAULT_POPULATION_HOMES:,})",
    )
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
    p_cal.add_argument(
        "--noise-runs",
        type=_noise_runs,
        default=c.DEFAULT_NOISE_RUNS,
        help=f"runs at the posterior medians that measure the noise floor (default {c.DEFAULT_NOISE_RUNS})",
    )
    p_cal.add_argument(
        "--resume",
        action="store_true",
        help="go on from the last generation kept in OUT/checkpoint/ (a run that died, or one to extend with a "
        "larger --generations or --max-simulations, which counts the earlier simulations too); every other "
        "setting must be as it was",
    )
    p_cal.add_argument("--quiet", action="store_true", help="no progress lines")
    p_cal.set_defaults(func=cmd_calibrate)
