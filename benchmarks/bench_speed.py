"""Speed benchmark: tenant-weeks per second on one core, beside Mesa's BoltzmannWealth.

Target (issue 2): the 6,000-home default estate for 520 weeks at >= 5 million
tenant-weeks per second on one core of a 2-core machine. The reference is
Mesa's own BoltzmannWealth example (agent-steps per second), measured in the
same process, so the ratio between the two is comparable across machines.

Usage: python benchmarks/bench_speed.py [--homes N] [--weeks N] [--repeats R]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import mesa  # noqa: E402
from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth  # noqa: E402

from model import TrustModel, load_scenario  # noqa: E402

TARGET = 5_000_000


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
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, Mesa {mesa.__version__}, one core")
    print(f"BoltzmannWealth (1,000 agents): {reference_median:,.0f} agent-steps/s (median of {args.repeats})")
    print(
        f"TrustModel ({args.homes:,} homes x {args.weeks} weeks): {ours_median:,.0f} tenant-weeks/s "
        f"(median of {args.repeats}; range {min(ours):,.0f}-{max(ours):,.0f}); set-up {statistics.median(setups):.2f} s"
    )
    print(f"ratio TrustModel / BoltzmannWealth: {ours_median / reference_median:.1f}x")
    verdict = "meets" if ours_median >= TARGET else "misses"
    print(f"target >= {TARGET:,} tenant-weeks/s: {verdict}")


if __name__ == "__main__":
    main()
