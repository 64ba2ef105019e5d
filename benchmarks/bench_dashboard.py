"""Dashboard responsiveness: one Step of the default estate with the redraw of the participant's page.

The participant's page is rendered in-process (no browser, no server) and its
Step button clicked; the time covers the week stepped and the page's live
cards drawn again (the estate picture, the monitors with the community
measures, the neighbourhoods' table, the numbers of the four plots). With
``--neighbourhoods N`` the estate is split into N neighbourhoods (the room's
start; by default the declared default, 0: one for every ``neighbourhood_homes``
homes), so the neighbourhoods' table has N rows (none for one neighbourhood).
The model's step alone (the TrustModel, without the session) is measured in
the same run as the reference, and the redraw's cost printed beside it. For a room of participants on one
server, see ``benchmarks/bench_workshop.py``. It asserts nothing: timings on a
shared machine are for reading, not for tests.

Usage: python benchmarks/bench_dashboard.py [--steps N] [--neighbourhoods N]
"""

import argparse
import statistics
import time

import ipyvuetify as v
import solara

from dashboard import components
from dashboard.components import ParticipantPage
from dashboard.session import Workshop


def _times(action, steps: int) -> list[float]:
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="steps to time (default 30)")
    parser.add_argument(
        "--neighbourhoods", type=int, default=None, help="neighbourhoods of the estate (default: the declared default)"
    )
    arguments = parser.parse_args()
    steps = arguments.steps
    components.ROOM.set_start("baseline", 1, arguments.neighbourhoods)
    _, rc = solara.render(ParticipantPage(), handle_error=False)
    button = rc.find(v.Btn, children=["Step"]).widget
    _times(button.click, 3)
    page = _times(button.click, steps)
    model = Workshop(components.ROOM.start_settings(), seed=1)
    alone = _times(model.runs[0].step, steps)  # the TrustModel alone, without the session or its page
    homes = model.runs[0].households.size
    split = model.runs[0].households.neighbourhood_starts.size - 1
    print(
        f"Step + redraw of the participant's page ({homes:,} homes, {split} neighbourhood{'s' if split > 1 else ''}): "
        f"median {statistics.median(page) * 1000:.1f} ms, "
        f"range {min(page) * 1000:.1f}-{max(page) * 1000:.1f} ms over {steps} steps"
    )
    print(
        f"the model's step alone: median {statistics.median(alone) * 1000:.1f} ms; "
        f"the page costs {statistics.median(page) / statistics.median(alone):.1f}x a step"
    )


if __name__ == "__main__":
    main()
