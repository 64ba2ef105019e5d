"""The room: what a facilitator sees of every participant, snapshots, and the debrief export.

One :class:`Room` is shared by every browser session of a server (that is its
purpose; each participant's estate stays their own). It holds:

- the **room code**, printed when the server starts, that opens the
  facilitator's page (and the server's diagnostics);
- the room's **starting strategy and estate number**, which new participants
  start from and which the facilitator can send to everyone;
- one :class:`Participant` record per browser (keyed by Solara's session
  cookie): a name, a weak reference to their live :class:`~dashboard.session.Workshop`
  (so a closed session's estate is freed), and what is needed to rebuild
  their run after a reload (:class:`Saved`);
- the **snapshots** ("what we tried"), each enough to rebuild the run exactly
  (:meth:`~dashboard.session.Workshop.rebuild`) and to put in the debrief.

:func:`debrief_csv` and :func:`debrief_html` turn the room into the debrief's
table and one-page summary with plots. Beside the headline outcomes
(:data:`HEADLINES`) they show every community measure the model's
``community()`` returned (:func:`outcome_names`), labelled by
:func:`dashboard.measures.measure`, and each run's neighbourhoods and pilot.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
import os
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dashboard import charts, controls, measures
from dashboard.session import SIDES, Change, Settings, Workshop
from model import outcomes, params
from model.scenario import builtin_names, load_scenario

__all__ = [
    "CODE_ALPHABET",
    "HEADLINES",
    "ROOM",
    "Participant",
    "Room",
    "Saved",
    "Snapshot",
    "debrief_csv",
    "debrief_html",
    "headline",
    "label",
    "new_code",
    "outcome_names",
]

#: Characters of a room code: capitals and digits that cannot be mistaken for one another on a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
#: Length of a room code.
CODE_LENGTH = 6
#: The outcomes the facilitator's table, the snapshots and the debrief show, in order.
HEADLINES = (
    "trust_mean",
    "trust_digitally_excluded",
    "participation_rate",
    "representation_ratio",
    "tsm_tp01",
    "repair_wait_weeks_mean",
    "cost_per_home",
)
#: Outcomes whose whole series a snapshot keeps, for the debrief's plots.
KEPT_SERIES = ("trust_mean", "participation_rate")


def new_code() -> str:
    """A fresh random room code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def headline(model: Workshop) -> list[dict[str, float]]:
    """The headline outcomes and every community measure of each strategy now, in displayed units.

    A value not measured yet, or not a number, is NaN.
    """
    with model.lock:
        names, community = measures.community_values(model.runs)
        results = []
        for run, values in zip(model.runs, community, strict=True):
            shown = {name: charts.latest(run, name) for name in HEADLINES}
            for name in names:
                number = measures.display(measures.measure(name), values.get(name))
                shown[name] = math.nan if number is None else number
            results.append(shown)
        return results


def outcome_names(results: list[dict[str, float]]) -> list[str]:
    """The outcomes of ``results`` (:func:`headline` dicts) in display order: the headlines, then the community's."""
    return [*HEADLINES, *measures.ordered(n for r in results for n in r if n not in HEADLINES)]


def label(name: str) -> str:
    """A headline's declared label, or a community measure's (:func:`dashboard.measures.measure`)."""
    return outcomes.label(name) if name in HEADLINES else measures.measure(name).label


def pilot_text(settings: Settings, side: int) -> str:
    """Strategy ``side``'s pilot in words ("" without one)."""
    pilot = settings.pilot(side)
    return "" if pilot is None else f"{controls.strategy_name(pilot.preset)} on {pilot.estates_text()}"


def describe(settings: Settings) -> str:
    """The strategies in sector language, with the levers moved from each preset and any pilot."""
    parts = []
    for side, preset in enumerate(settings.presets):
        text = controls.strategy_name(preset)
        moved = settings.levers[side]
        if moved:
            text += " (" + ", ".join(f"{controls.get_control(n).label.lower()} {v}" for n, v in moved.items()) + ")"
        if settings.pilot(side) is not None:
            text += f"; pilot: {pilot_text(settings, side)}"
        parts.append(f"{SIDES[side]}: {text}" if settings.side_by_side else text)
    return "; ".join(parts)


@dataclass
class Saved:
    """What rebuilds a participant's run: the build, the estate number, the history, the week, the settings now."""

    built_with: Settings
    seed: int
    history: tuple[Change, ...]
    week: int
    settings: Settings

    @classmethod
    def of(cls, model: Workshop, settings: Settings) -> Saved:
        """The run of ``model`` as it stands, with the participant's ``settings``."""
        with model.lock:
            return cls(model.built_with, model.seed, tuple(model.history), model.week, settings)

    def rebuild(self) -> Workshop:
        """The same run again (same numbers), at the same week."""
        model = Workshop.rebuild(self.built_with, self.seed, list(self.history), self.week)
        model.settings = self.settings
        return model


@dataclass
class Snapshot:
    """A saved "what we tried": who, what, and the outcomes, enough to rebuild the run exactly."""

    number: int
    participant: str
    note: str
    made_at: float
    saved: Saved
    outcomes: list[dict[str, float]]
    series: list[dict[str, tuple[list[float], list[float]]]]

    @property
    def strategy(self) -> str:
        """The strategies in sector language."""
        return describe(self.saved.settings)

    @property
    def title(self) -> str:
        """A one-line title: number, note, week."""
        note = self.note or self.strategy
        return f"#{self.number} {note} (estate {self.saved.seed}, week {self.saved.week})"


@dataclass
class Participant:
    """One browser in the room.

    Attributes:
        key: Solara's session cookie of the browser.
        name: Their name or table, as they typed it.
        model: Weak reference to their live estate (dead once their session closes).
        saved: Their run, updated at each redraw, so a reload rebuilds it.
        joined: When they first opened the page.
        seen: When their page last redrew or changed.
        push: Sends them the room's start (set by their page; runs in their session).
        connected: Says whether their page is connected now (set by their page).
    """

    key: str
    name: str
    model: Callable[[], Workshop | None] = lambda: None
    saved: Saved | None = None
    joined: float = field(default_factory=time.time)
    seen: float = field(default_factory=time.time)
    push: Callable[[], None] | None = None
    connected: Callable[[], bool] = lambda: True

    @property
    def live(self) -> Workshop | None:
        """Their estate, while their session is open."""
        return self.model()

    @property
    def here(self) -> bool:
        """Their session is open and their page connected."""
        return self.live is not None and self.connected()


class Room:
    """Everything the facilitator's page reads and sets (thread-safe).

    Args:
        code: The room code; a new random one when omitted.
    """

    def __init__(self, code: str | None = None) -> None:
        """An empty room starting from the baseline on estate 1, with the declared default of neighbourhoods."""
        self.code = code or new_code()
        self.start_preset = "baseline"
        self.start_seed = 1
        self.start_neighbourhoods = int(params.get("neighbourhoods").default)
        self.participants: dict[str, Participant] = {}
        self.snapshots: list[Snapshot] = []
        self.lock = threading.RLock()

    def check_code(self, code: str) -> bool:
        """Whether ``code`` is the room code (letter case and spaces ignored)."""
        return secrets.compare_digest(code.strip().upper().encode(), self.code.encode())

    def set_start(self, preset: str, seed: int, neighbourhoods: int | None = None) -> None:
        """The strategy, estate number and number of neighbourhoods that new participants start from.

        Args:
            preset: A built-in strategy.
            seed: The estate number, 1-99.
            neighbourhoods: Neighbourhoods the homes are split into (None: as now).

        Raises:
            ValueError: Not a built-in strategy, an estate number outside 1-99,
                or a number of neighbourhoods the declaration or the model
                refuses (its message names the key, the value and what is allowed).
        """
        if preset not in builtin_names():
            raise ValueError(f"strategy '{preset}' is not a built-in scenario; allowed: {', '.join(builtin_names())}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 1 <= seed <= 99:
            raise ValueError(f"estate number = {seed!r}; allowed: a whole number 1-99")
        count = self.start_neighbourhoods if neighbourhoods is None else neighbourhoods
        count = int(params.get("neighbourhoods").check(count, "the room's start"))
        load_scenario(preset, neighbourhoods=count)  # the model's own check of the homes against the count
        with self.lock:
            self.start_preset, self.start_seed, self.start_neighbourhoods = preset, seed, count

    def start_settings(self) -> Settings:
        """The settings a participant starts with: the room's strategy, split into its neighbourhoods."""
        with self.lock:
            preset, count = self.start_preset, self.start_neighbourhoods
        same = controls.preset_values(preset)["neighbourhoods"] == count
        return Settings(presets=(preset,), levers=({},), world={} if same else {"neighbourhoods": count})

    def join(self, key: str) -> Participant:
        """The record of browser ``key``, made (with a default name) the first time it is seen."""
        with self.lock:
            if key not in self.participants:
                self.participants[key] = Participant(key, f"Participant {len(self.participants) + 1}")
            return self.participants[key]

    def update(self, key: str, model: Workshop, settings: Settings) -> None:
        """Browser ``key`` shows ``model`` with ``settings`` now (called at each redraw and change)."""
        record = self.join(key)
        saved = Saved.of(model, settings)
        with self.lock:
            if record.live is not model:
                record.model = weakref.ref(model)
            record.saved = saved
            record.seen = time.time()

    def snapshot(self, key: str, note: str, model: Workshop, settings: Settings) -> Snapshot:
        """Save "what we tried" for browser ``key``: its levers, estate number, week and outcomes."""
        record = self.join(key)
        saved = Saved.of(model, settings)
        with model.lock:
            kept = [{name: _lists(*charts.series(run, name)) for name in KEPT_SERIES} for run in model.runs]
        with self.lock:
            made = Snapshot(
                len(self.snapshots) + 1, record.name, note.strip(), time.time(), saved, headline(model), kept
            )
            self.snapshots.append(made)
        return made

    def snapshots_of(self, key: str) -> list[Snapshot]:
        """The snapshots browser ``key`` made, oldest first."""
        with self.lock:
            name = self.participants[key].name if key in self.participants else None
            return [s for s in self.snapshots if s.participant == name]

    def everyone(self) -> list[Participant]:
        """Every participant, in the order they joined."""
        with self.lock:
            return sorted(self.participants.values(), key=lambda p: p.joined)


def _lists(x: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    return [float(v) for v in x], [float(v) for v in y]


def _rows(room: Room) -> list[dict[str, str | int | float]]:
    rows: list[dict[str, str | int | float]] = []
    for participant in room.everyone():
        if participant.saved is not None:
            results = headline(participant.live) if participant.live is not None else []
            rows += _run_rows("current run", participant.name, "", participant.saved, results)
    for shot in room.snapshots:
        rows += _run_rows(f"snapshot {shot.number}", shot.participant, shot.note, shot.saved, shot.outcomes)
    return rows


#: The debrief's columns that describe a run, before its outcomes.
RUN_COLUMNS = (
    "kind",
    "participant",
    "note",
    "side",
    "strategy",
    "preset",
    "levers_moved",
    "pilot",
    "estate_number",
    "neighbourhoods",
    "week",
)


def _run_rows(kind: str, name: str, note: str, saved: Saved, results: list[dict[str, float]]) -> list[dict]:
    rows = []
    for side, preset in enumerate(saved.settings.presets):
        row: dict[str, str | int | float] = {
            "kind": kind,
            "participant": name,
            "note": note,
            "side": SIDES[side] if saved.settings.side_by_side else "",
            "strategy": controls.strategy_name(preset),
            "preset": preset,
            "levers_moved": "; ".join(f"{k}={v}" for k, v in saved.settings.overrides(side).items()),
            "pilot": pilot_text(saved.settings, side),
            "estate_number": saved.seed,
            "neighbourhoods": saved.settings.neighbourhoods(side),
            "week": saved.week,
        }
        measured = results[side] if side < len(results) else {}
        for outcome in outcome_names([measured]):
            value = measured.get(outcome, math.nan)
            row[outcome] = "" if math.isnan(value) else round(value, 3)
        rows.append(row)
    return rows


def _outcome_columns(rows: list[dict]) -> list[str]:
    return outcome_names([{k: v for k, v in row.items() if k not in RUN_COLUMNS} for row in rows])


def debrief_csv(room: Room) -> str:
    """Every participant's current run and every snapshot, one row per strategy, as CSV text.

    The columns are the run's description (:data:`RUN_COLUMNS`), the
    headlines and every community measure any run reported; a run that lacks
    one has it empty.
    """
    rows = _rows(room)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*RUN_COLUMNS, *_outcome_columns(rows)], restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _plot(room: Room, outcome: str) -> str:
    """A PNG (base64) of ``outcome`` over time for every snapshot: the debrief's picture of what was tried."""
    figure = Figure(figsize=(7.5, 3.2), dpi=110)
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    for shot in room.snapshots:
        for side, kept in enumerate(shot.series):
            x, y = kept[outcome]
            tag = f"#{shot.number}" + (f"{SIDES[side]}" if len(shot.series) > 1 else "")
            ax.plot(x, np.asarray(y) * 1.0, linewidth=1.6, label=f"{tag} {shot.participant}")
    ax.set_xlabel("years")
    ax.set_ylabel(outcomes.label(outcome))
    ax.grid(alpha=0.3)
    if room.snapshots:
        ax.legend(fontsize=7, ncol=2, loc="best")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def debrief_html(room: Room) -> str:
    """A one-page HTML summary for the debrief: what each person tried, the outcomes, and plots."""
    rows = _rows(room)
    names = _outcome_columns(rows)
    head = "".join(f"<th>{html.escape(label(o))}</th>" for o in names)
    body = []
    for row in rows:
        cells = "".join(f"<td>{html.escape(str(row.get(o, '')))}</td>" for o in names)
        what = html.escape(f"{row['strategy']} {row['side']}".strip())
        if row["pilot"]:
            what += html.escape(f"; pilot: {row['pilot']}")
        levers = html.escape(str(row["levers_moved"]) or "-")
        who = html.escape(f"{row['participant']} · {row['kind']}" + (f" · {row['note']}" if row["note"] else ""))
        body.append(
            f"<tr><td>{who}</td><td>{what}</td><td>{levers}</td><td>{row['estate_number']}</td>"
            f"<td>{row['neighbourhoods']}</td><td>{row['week']}</td>{cells}</tr>"
        )
    plots = "".join(
        f'<h2>{html.escape(outcomes.label(o))}, snapshot by snapshot</h2><img alt="{html.escape(o)}" '
        f'src="data:image/png;base64,{_plot(room, o)}">'
        for o in KEPT_SERIES
    )
    when = time.strftime("%d %B %Y, %H:%M")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tenant Trust workshop: debrief</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:24px auto;padding:0 12px}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}
img{{max-width:100%}}</style></head><body>
<h1>Tenant Trust workshop: what we tried</h1>
<p>{html.escape(when)} · {len(room.participants)} participants · {len(room.snapshots)} snapshots.
The model is a tool for thinking, not a forecast: compare strategies with each other, not with real figures.</p>
<table><tr><th>Who</th><th>Strategy</th><th>Levers moved</th><th>Estate</th><th>Neighbourhoods</th><th>Week</th>
{head}</tr>
{"".join(body)}</table>
{plots}
</body></html>
"""


#: The room of this server (the code comes from the server's start, :mod:`dashboard.serve`).
ROOM = Room(os.environ.get("TENANT_TRUST_ROOM_CODE") or None)
