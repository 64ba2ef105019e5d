"""Sweep throughput: one worker against two, and the time a full Sobol' analysis would take.

Targets (issue 3), on a 2-core machine:
- two workers reach >= 85% of twice one worker's runs per minute;
- a full Sobol' analysis with N = 1024 over every uncertain parameter at
  1,000 homes for 5 years finishes within 30 minutes.

The first is measured directly on the same Latin-hypercube sweep run with one
and then two local worker processes. The second is projected from the
two-worker rate: a first- and total-order Sobol' design has N * (D + 2) runs
for D parameters (with ``--full`` the whole analysis is run instead, which
takes as long as it takes). It also projects a grouped Sobol' over the same
parameters (``[design] groups = true``: N * (G + 2) runs for G parts of the
model), a different and coarser analysis, for comparison.

Usage: python benchmarks/bench_parallel.py [--runs N] [--full]
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from experiments.design import load_experiment, uncertain_parameters
from experiments.study import run_sensitivity
from experiments.sweep import sweep
from model import params

EXPERIMENT = """
name = "bench"
scenario = "baseline"
homes = 1000
weeks = 260
replications = 1
seed = 1
outcomes = ["trust_mean", "participation_rate"]
vary_uncertain = true
[design]
method = "{method}"
samples = {samples}
"""
TARGET_EFFICIENCY = 0.85
TARGET_MINUTES = 30.0


def _experiment(folder: Path, method: str, samples: int) -> Path:
    path = folder / f"{method}.toml"
    path.write_text(EXPERIMENT.format(method=method, samples=samples))
    return path


def runs_per_minute(path: Path, workers: int, folder: Path) -> float:
    """Runs per minute of the sweep in ``path`` with ``workers`` local processes."""
    out = folder / f"out-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    experiment = load_experiment(path)
    start = time.perf_counter()
    runs = sweep(experiment, out, workers=workers, progress=False)
    rate = len(runs) / (time.perf_counter() - start) * 60.0
    failed = runs[runs["status"] == "failed"]
    if len(failed):
        raise SystemExit(
            f"{len(failed)} of {len(runs)} runs failed, so the rate means nothing; "
            f"first error:\n{failed['error'].iloc[0]}"
        )
    return rate


def main() -> None:
    """Measure, project and print against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=1440, help="runs in the measured sweep (enough to amortise start-up)"
    )
    parser.add_argument("--full", action="store_true", help="run the full N = 1024 Sobol' analysis")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-parallel-"))
    try:
        path = _experiment(folder, "lhs", args.runs)
        one = runs_per_minute(path, 1, folder)
        two = runs_per_minute(path, 2, folder)
        efficiency = two / (2 * one)
        print(f"{args.runs} runs of 1,000 homes x 260 weeks (every uncertain parameter varied)")
        print(f"1 worker: {one:,.0f} runs/min; 2 workers: {two:,.0f} runs/min")
        verdict = "meets" if efficiency >= TARGET_EFFICIENCY else "misses"
        print(f"parallel efficiency (2 workers / twice 1 worker): {efficiency:.0%}; target >= 85%: {verdict}")
        parameters = len(uncertain_parameters())
        sobol_runs = 1024 * (parameters + 2)
        minutes = sobol_runs / two
        verdict = "meets" if minutes <= TARGET_MINUTES else "misses"
        print(
            f"full Sobol' (N = 1024, D = {parameters}, first and total order): {sobol_runs:,} runs; "
            f"projected {minutes:.0f} min at the 2-worker rate; target <= 30 min: {verdict}"
        )
        parts = len({params.get(name).group for name in uncertain_parameters()})
        grouped_runs = 1024 * (parts + 2)
        print(
            f"grouped Sobol' over the same parameters (N = 1024, G = {parts} parts of the model, "
            f"`groups = true`, not the target's analysis): {grouped_runs:,} runs; "
            f"projected {grouped_runs / two:.0f} min at the 2-worker rate"
        )
        if args.full:
            start = time.perf_counter()
            run_sensitivity(load_experiment(_experiment(folder, "sobol", 1024)), folder / "sobol", workers=2)
            print(f"full Sobol' analysis measured: {(time.perf_counter() - start) / 60:.1f} min")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
