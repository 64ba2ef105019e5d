"""Dashboard responsiveness: one step of the default estate plus the redraw of every card.

The workshop guide (docs/workshop.md) relies on a step and its redraw taking
well under a second on the default 6,000-home estate. This measures it
in-process (no browser), the same way the dashboard's cards are rendered, and
prints the median and range; it asserts nothing, since timings on a shared
machine are for reading, not for tests.

Usage: python benchmarks/bench_dashboard.py [--steps N]
"""

import argparse
import statistics
import time

import solara
from mesa.visualization.utils import force_update

from dashboard.components import CARDS
from dashboard.session import Settings, Workshop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="steps to time (default 10)")
    steps = parser.parse_args().steps
    model = Workshop(Settings(), seed=1)

    @solara.component
    def Cards():  # noqa: N802 - Solara components are named like classes
        with solara.Column():
            for card in CARDS:
                card(model)

    solara.render(Cards(), handle_error=False)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        model.step()
        force_update()
        times.append(time.perf_counter() - start)
    print(
        f"step + redraw of the default estate ({model.runs[0].households.size:,} homes): "
        f"median {statistics.median(times):.3f} s, range {min(times):.3f}-{max(times):.3f} s over {steps} steps"
    )


if __name__ == "__main__":
    main()
