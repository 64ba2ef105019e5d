"""The workshop dashboard as a Solara app (``tenant-trust dashboard``).

Run it with ``tenant-trust dashboard`` and open the address it prints. Two pages:

- ``/``: a participant's dashboard (:func:`dashboard.components.ParticipantPage`):
  their own estate, workshop controls (Reset, Step, Play, run one year or
  five, a speed in words), strategies, levers, snapshots and downloads;
- ``/facilitator``: the facilitator's page (:func:`dashboard.components.FacilitatorPage`),
  opened with the room code the server prints: everyone's strategy, week and
  outcomes, the room's start, one participant's estate for the projector, and
  the debrief export.

**One model per participant.** Nothing of a participant is created at module
level: the pages create each session's settings and model with
``solara.use_reactive`` and ``solara.use_memo``, which Solara keeps per
browser session. The room (:data:`dashboard.room.ROOM`) is the one thing
shared, on purpose.
"""

from __future__ import annotations

import solara

from dashboard.components import FacilitatorPage, ParticipantPage

__all__ = ["ESTATE_NUMBER", "Layout", "routes"]

#: The estate number a room starts with unless the facilitator sets another.
ESTATE_NUMBER = 1


@solara.component
def Layout(children: list | None = None) -> None:
    """The pages without Solara's app bar and tabs: participants see no link to the facilitator's page."""
    solara.Column(children=children or [], style={"padding": "0"})


routes = [
    solara.Route(path="/", component=ParticipantPage, label="Workshop", layout=Layout),
    solara.Route(path="facilitator", component=FacilitatorPage, label="Facilitator"),
]
