"""The workshop dashboard: a Mesa SolaraViz app (``tenant-trust dashboard``).

Run it with ``tenant-trust dashboard`` (or ``solara run dashboard.app``) and open
the address it prints. The sidebar has SolaraViz's controls (Reset, Play and
Pause, Step, and the speed sliders), the estate number, the strategy presets
and the levers; the main area shows the estate, monitors and live plots.

**One model per participant.** A model created at module level in a Solara
app is shared by every browser that connects, so one person's Step would move
everyone's estate. Here nothing is created at module level: :func:`Page` runs
once per browser session and creates that session's settings and
:class:`~dashboard.session.Workshop` with ``solara.use_reactive`` and
``solara.use_memo``, which Solara keeps per session (per virtual kernel).
SolaraViz receives the session's reactive model and steps only that one; its
redraw signal (``mesa.visualization.utils.update_counter``) is a
``solara.reactive``, whose value Solara also keeps per session.

**Reset keeps the levers.** SolaraViz's Reset rebuilds the model from
``model_params``; the session's reactive settings are passed there, so the
new estate is built with the levers as they are set now.

**Play is paced to the page.** :func:`~dashboard.components.Pacing` lets the
model step only when the page has drawn the previous week and a browser is
connected, so a fast Play never outruns its redraws, and a laptop closed
mid-Play leaves nothing running on a shared server.
"""

from __future__ import annotations

import solara
from mesa.visualization import Slider, SolaraViz

from dashboard.components import CARDS, CSS, Pacing, StrategySidebar
from dashboard.session import Settings, Workshop

__all__ = ["ESTATE_NUMBER", "Page"]

#: The estate number (seed) a new session starts with; the same number gives the same estate.
ESTATE_NUMBER = 1
#: Milliseconds between weeks when playing (SolaraViz's "Play Interval" slider starts here).
PLAY_INTERVAL = 20


@solara.component
def Page() -> None:
    """One participant's dashboard; Solara calls it once per browser session."""
    settings = solara.use_reactive(solara.use_memo(Settings, []))
    first = solara.use_memo(lambda: Workshop(settings.value, seed=ESTATE_NUMBER), [])
    model = solara.use_reactive(first)
    solara.Style(CSS)
    solara.Title("Tenant Trust workshop")
    model_params = {
        "settings": settings,
        "seed": Slider("Estate number (at Reset)", value=ESTATE_NUMBER, min=1, max=99, step=1),
    }
    SolaraViz(
        model,
        components=[(card, 0) for card in CARDS],
        model_params=model_params,
        name="Tenant Trust: workshop dashboard",
        play_interval=PLAY_INTERVAL,
    )
    StrategySidebar(model, settings)
    Pacing(model)
