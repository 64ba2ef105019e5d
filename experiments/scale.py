"""Does power-sharing scale? The ``scale`` sub-command of ``tenant-trust``.

Seed 003 asks: "Most of the case studies … come from small organisations, so
how scalable are these models?". This study answers it inside the model: it
runs a strategy and baseline on landlords of several sizes, each split into
neighbourhoods of about the same number of homes (so a bigger landlord has
more neighbourhoods, each sending its priorities through one central layer),
under several assumptions about how the central layer's capacity grows with
size (``central_capacity_scaling``: 0 a fixed board, 1 capacity in proportion
to homes). Replicate ``r`` of every strategy at one size and scaling shares a
seed (common random numbers), so each difference from baseline is paired
(:func:`experiments.compare.comparison_table`).

Writes ``scale.csv`` (one row per size, scaling, strategy and outcome: the
strategy's mean, its paired difference from baseline with a 95% t-interval,
and the central layer's pass-through), ``scale.png`` and ``manifest.json``.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from experiments.compare import comparison_table
from experiments.outputs import MAX_SEED, MAX_WEEKS, bounded, check_out, folder_lock, staged_output, workers
from experiments.runner import DEFAULT_SEED, RunSpec, default_workers, executor, provenance, run_all, spawn_seeds
from model import params
from model.outcomes import label, scale
from model.scenario import load_scenario

#: Outcomes the study reports, as differences from baseline.
OUTCOMES = (
    "trust_mean",
    "efficacy_mean",
    "participation_rate",
    "satisfaction_true",
    "cohesion",
    "central_pass_through",
)
#: Panels of the figure.
PANELS = ("trust_mean", "efficacy_mean", "participation_rate", "central_pass_through")


class ScaleError(ValueError):
    """Settings the scale study cannot run with."""


@dataclass(frozen=True)
class ScaleSettings:
    """What the study runs.

    Attributes:
        sizes: Homes of each landlord studied.
        homes_per_neighbourhood: Homes per neighbourhood (a landlord of ``h``
            homes has ``max(1, round(h / homes_per_neighbourhood))``; default: the model's
            ``neighbourhood_homes``).
        scalings: Values of ``central_capacity_scaling`` studied.
        strategies: Strategies compared with baseline.
        replications: Seeded replications per strategy, size and scaling.
        weeks: Weeks per run.
        seed: Master seed.
    """

    sizes: tuple[int, ...] = (1000, 3000, 6000, 12000, 24000)
    homes_per_neighbourhood: int = int(params.get("neighbourhood_homes").default)
    scalings: tuple[float, ...] = (0.0, 0.5, 1.0)
    strategies: tuple[str, ...] = ("power_sharing", "tenant_management")
    replications: int = 5
    weeks: int = 520
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        """Check every setting against the declarations, naming what is allowed."""
        homes, scaling = params.get("homes"), params.get("central_capacity_scaling")
        for size in self.sizes:
            homes.check(size, "scale: --sizes")
            if size < self.homes_per_neighbourhood // 2:
                raise ScaleError(
                    f"scale: --sizes {size} is under half of --homes-per-neighbourhood {self.homes_per_neighbourhood}"
                    "; allowed: landlords of at least half a neighbourhood"
                )
        for value in self.scalings:
            scaling.check(value, "scale: --scalings")
        if self.replications < 2:
            raise ScaleError(f"scale: --replications {self.replications}; allowed: 2 or more (intervals need 2)")
        most = int(params.get("neighbourhoods").high)
        for size in self.sizes:
            if round(size / self.homes_per_neighbourhood) > most:
                raise ScaleError(
                    f"scale: --sizes {size} with --homes-per-neighbourhood {self.homes_per_neighbourhood} makes "
                    f"{round(size / self.homes_per_neighbourhood)} neighbourhoods; allowed: at most {most}"
                )
        if "baseline" in self.strategies:
            raise ScaleError("scale: --strategies includes baseline; allowed: strategies to compare with baseline")

    def neighbourhoods(self, homes: int) -> int:
        """How many neighbourhoods a landlord of ``homes`` homes has in the study."""
        return max(1, round(homes / self.homes_per_neighbourhood))


def scale_study(settings: ScaleSettings, workers: int = 1, progress: bool = True) -> pd.DataFrame:
    """Run the study; return one row per size, scaling, strategy and outcome.

    Columns: ``homes``, ``neighbourhoods``, ``central_capacity_scaling``,
    ``strategy``, ``outcome``, ``mean`` (the strategy's), ``baseline_mean``,
    ``diff_vs_baseline``, ``diff_ci_low``, ``diff_ci_high``.
    """
    seeds = spawn_seeds(settings.seed, settings.replications)
    names = ("baseline", *settings.strategies)
    cells = [(homes, alpha) for homes in settings.sizes for alpha in settings.scalings]
    specs, keys = [], []
    for homes, alpha in cells:
        overrides = {
            "homes": homes,
            "neighbourhoods": settings.neighbourhoods(homes),
            "central_capacity_scaling": alpha,
        }
        for name in names:
            scenario = load_scenario(name, **overrides)
            for replicate, seed in enumerate(seeds):
                specs.append(RunSpec(scenario, seed, settings.weeks))
                keys.append((homes, alpha, name, replicate))
    with executor(workers) as pool:
        results = run_all(specs, pool, progress=progress, label="scale")
    runs = pd.DataFrame(
        [
            {"homes": h, "alpha": a, "scenario": n, "replicate": r, **o.summary}
            for (h, a, n, r), o in zip(keys, results, strict=True)
        ]
    )
    return _differences(runs, settings)


def _differences(runs: pd.DataFrame, settings: ScaleSettings) -> pd.DataFrame:
    rows = []
    for (homes, alpha), group in runs.groupby(["homes", "alpha"], sort=False):
        table = comparison_table(group, OUTCOMES)
        base = table[table["scenario"] == "baseline"].set_index("outcome")["mean"]
        for _, row in table[table["scenario"] != "baseline"].iterrows():
            rows.append(
                {
                    "homes": int(homes),
                    "neighbourhoods": settings.neighbourhoods(int(homes)),
                    "central_capacity_scaling": float(alpha),
                    "strategy": row["scenario"],
                    "outcome": row["outcome"],
                    "mean": row["mean"],
                    "baseline_mean": base[row["outcome"]],
                    "diff_vs_baseline": row["diff_vs_baseline"],
                    "diff_ci_low": row["diff_ci_low"],
                    "diff_ci_high": row["diff_ci_high"],
                }
            )
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, path: Path) -> Path:
    """Each strategy's paired difference from baseline against the landlord's size, one line per scaling."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    for ax, outcome in zip(axes.flat, PANELS, strict=True):
        rows = table[table["outcome"] == outcome]
        for (strategy, alpha), group in rows.groupby(["strategy", "central_capacity_scaling"], sort=False):
            shown = scale(outcome)
            value = "mean" if outcome == "central_pass_through" else "diff_vs_baseline"
            ax.plot(group["homes"], group[value] * shown, marker="o", label=f"{strategy}, scaling {alpha:g}")
            if value == "diff_vs_baseline":
                ax.fill_between(group["homes"], group["diff_ci_low"] * shown, group["diff_ci_high"] * shown, alpha=0.15)
        title = label(outcome) if outcome == "central_pass_through" else f"{label(outcome)}: against baseline"
        ax.set_title(title, fontsize=10)
        ax.set_xscale("log")
        ax.axhline(0.0 if outcome != "central_pass_through" else 1.0, color="grey", linewidth=0.8)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("homes (log scale)")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Does power-sharing scale? Paired differences from baseline, 95% bands")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --- the command ----------------------------------------------------------------------
def _numbers(kind: type, low: float, high: float, what: str):
    def parse(text: str) -> tuple:
        try:
            values = tuple(kind(part) for part in text.split(","))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: allowed: comma-separated {what}") from None
        if not values or any(not (low <= v <= high) or (isinstance(v, float) and math.isnan(v)) for v in values):
            raise argparse.ArgumentTypeError(f"{text!r}: allowed: comma-separated {what} in [{low:g}, {high:g}]")
        return values

    return parse


def cmd_scale(args: argparse.Namespace) -> None:
    """Run the scale study and write scale.csv, scale.png and manifest.json."""
    try:
        settings = ScaleSettings(
            sizes=args.sizes,
            homes_per_neighbourhood=args.homes_per_neighbourhood,
            scalings=args.scalings,
            strategies=tuple(args.strategies),
            replications=args.replications,
            weeks=args.weeks,
            seed=args.seed,
        )
    except params.ParameterError as error:
        raise ScaleError(str(error)) from None
    for name in settings.strategies:
        load_scenario(name)
    out = check_out(args.out)
    with folder_lock(out), staged_output(out) as stage:
        table = scale_study(settings, workers=args.workers or default_workers(), progress=not args.quiet)
        table.to_csv(stage / "scale.csv", index=False)
        plot(table, stage / "scale.png")
        record = {"settings": asdict(settings)} | provenance()
        (stage / "manifest.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    trust = table[table["outcome"] == "trust_mean"]
    for _, row in trust.iterrows():
        print(
            f"{row['strategy']} at {row['homes']:,} homes ({row['neighbourhoods']} neighbourhoods), scaling "
            f"{row['central_capacity_scaling']:g}: trust {100 * row['diff_vs_baseline']:+.2f} "
            f"(95% CI {100 * row['diff_ci_low']:+.2f} to {100 * row['diff_ci_high']:+.2f})"
        )
    print(f"Wrote {out}/scale.csv, scale.png and manifest.json")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``scale`` to the ``tenant-trust`` sub-commands."""
    defaults = ScaleSettings()
    p = sub.add_parser("scale", help="does power-sharing scale? a strategy against baseline by landlord size")
    p.add_argument(
        "--sizes",
        type=_numbers(int, 50, 200_000, "whole numbers of homes"),
        default=defaults.sizes,
        help="landlord sizes in homes, comma-separated (default 1000,3000,6000,12000,24000)",
    )
    p.add_argument(
        "--homes-per-neighbourhood",
        type=bounded(50, 200_000, "number of homes"),
        default=defaults.homes_per_neighbourhood,
        help=f"homes per neighbourhood (default {defaults.homes_per_neighbourhood})",
    )
    p.add_argument(
        "--scalings",
        type=_numbers(float, 0.0, 1.0, "numbers"),
        default=defaults.scalings,
        help="central_capacity_scaling values, comma-separated (default 0,0.5,1)",
    )
    p.add_argument(
        "--strategies",
        nargs="+",
        default=list(defaults.strategies),
        help=f"strategies (default {' '.join(defaults.strategies)})",
    )
    p.add_argument("--replications", type=bounded(2, 1000, "number of replications"), default=defaults.replications)
    p.add_argument("--weeks", type=bounded(1, MAX_WEEKS, "number of weeks"), default=defaults.weeks)
    p.add_argument("--seed", type=bounded(0, MAX_SEED, "seed"), default=defaults.seed)
    p.add_argument("--workers", type=workers, help="local processes (default: every core)")
    p.add_argument("--out", default="results/scale", help="output folder (default results/scale)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_scale)
