"""Speed benchmark: tenant-weeks per second on one core, beside Mesa's BoltzmannWealth.

Target (issue 2): the 6,000-home default estate for 520 weeks at >= 5 million
tenant-weeks per second on one core of a 2-core machine. The reference is
Mesa's own BoltzmannWealth example (agent-steps per second), measured in the
same process and interleaved with it (target, issue 12: a ratio >= 40).

The ratio takes out much of a machine's speed, not all of it: BoltzmannWealth
is pure Python and TrustModel's week is compiled, so a processor whose Python
is slow beside its arithmetic gives a higher ratio. The same commit gave 37.9x
on one 2-core machine and 56-64x on another (AMD EPYC, BoltzmannWealth at a
quarter of the first's rate), so the figure names the processor.

Usage: python benchmarks/bench_speed.py [--homes N] [--weeks N] [--repeats R]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import mesa  # noqa: E402
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth  # noqa: E402

from model import TrustModel, load_scenario  # noqa: E402

TARGET = 5_000_000
TARGET_RATIO = 40.0


def processor() -> str:
    """The processor's model name as Linux reports it (``platform.processor()`` is often empty)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "processor unknown"


def boltzmann_rate(agents: int = 1000, steps: int = 100) -> float:
    """Agent-steps per second of Mesa's BoltzmannWealth example."""
    model = BoltzmannWealth(BoltzmannScenario(n=agents, width=32, height=32, rng=1))
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return agents * steps / (time.perf_counter() - start)


def trust_rate(homes: int, weeks: int, seed: int) -> tuple[float, float]:
    """Tenant-weeks per second of TrustModel (run only) and the set-up time in seconds."""
    start = time.perf_counter()
    model = TrustModel(load_scenario("baseline", homes=homes), rng=seed)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    model.run_for(weeks)
    return homes * weeks / (time.perf_counter() - start), setup


def main() -> None:
    """Measure both, interleaved, and print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--homes", type=int, default=6000)
    parser.add_argument("--weeks", type=int, default=520)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    ours, setups, reference = [], [], []
    for repeat in range(args.repeats):
        reference.append(boltzmann_rate())
        rate, setup = trust_rate(args.homes, args.weeks, seed=repeat)
        ours.append(rate)
        setups.append(setup)
    ours_median, reference_median = statistics.median(ours), statistics.median(reference)
    print(
        f"machine: {platform.platform()}, {processor()}, Python {platform.python_version()}, "
        f"Mesa {mesa.__version__}, one core"
    )
    print(f"BoltzmannWealth (1,000 agents): {reference_median:,.0f} agent-steps/s (median of {args.repeats})")
    print(
        f"TrustModel ({args.homes:,} homes x {args.weeks} weeks): {ours_median:,.0f} tenant-weeks/s "
        f"(median of {args.repeats}; range {min(ours):,.0f}-{max(ours):,.0f}); set-up {statistics.median(setups):.2f} s"
    )
    ratio = ours_median / reference_median
    paired = [o / r for o, r in zip(ours, reference, strict=True)]  # each repeat measures both, one after the other
    print(
        f"ratio TrustModel / BoltzmannWealth: {ratio:.1f}x (of the medians; repeat by repeat "
        f"{min(paired):.1f}-{max(paired):.1f}x, median {statistics.median(paired):.1f}x)"
    )
    print(f"target >= {TARGET:,} tenant-weeks/s: {'meets' if ours_median >= TARGET else 'misses'}")
    print(f"target ratio >= {TARGET_RATIO:.0f}x: {'meets' if ratio >= TARGET_RATIO else 'misses'} on this processor")


if __name__ == "__main__":
    main()
