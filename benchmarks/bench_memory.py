"""Memory benchmark: peak resident memory of a 100,000-home estate run for 10 years.

Target (issue 2): within 2 GB. Runs the model in a fresh child process and
reads its peak resident set size; the same is measured for a child that only
imports the package, as the reference.

Usage: python benchmarks/bench_memory.py [--homes N] [--weeks N]
"""

import argparse
import json
import subprocess
import sys
import time

TARGET_MB = 2048

CHILD = """
import json, resource, sys, time
from model import TrustModel, load_scenario
homes, weeks = int(sys.argv[1]), int(sys.argv[2])
start = time.perf_counter()
if homes:
    model = TrustModel(load_scenario("baseline", homes=homes), rng=1)
    model.run_for(weeks)
    frame = model.weekly()
elapsed = time.perf_counter() - start
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "seconds": elapsed}))
"""


def measure(homes: int, weeks: int) -> dict[str, float]:
    """Peak RSS (MB) and seconds of a child process running the model."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(homes), str(weeks)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def main() -> None:
    """Print the reference and the model's peak memory against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--homes", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=520)
    args = parser.parse_args()
    start = time.perf_counter()
    reference = measure(0, 0)
    run = measure(args.homes, args.weeks)
    print(f"imports only: peak {reference['peak_mb']:,.0f} MB")
    print(f"{args.homes:,} homes x {args.weeks} weeks: peak {run['peak_mb']:,.0f} MB, {run['seconds']:.1f} s")
    print(f"model's own share: {run['peak_mb'] - reference['peak_mb']:,.0f} MB")
    verdict = "meets" if run["peak_mb"] <= TARGET_MB else "misses"
    print(f"target <= {TARGET_MB:,} MB: {verdict} (total {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
