"""Solara components of the workshop dashboard: the participant's page and the facilitator's page.

The participant's page (:func:`ParticipantPage`) has a controls column (the
run controls, the estate number and its neighbourhoods, the strategy, a pilot
on some estates, its levers, "more settings", "what we tried" and downloads)
and a main area (the estate, the monitors with the community measures, one
row per neighbourhood, and four live plots). On a screen narrower than 900 px the two become one column,
and the controls can be hidden.

**What redraws.** Only the live parts read the session's redraw counter
(``tick``): the week, the monitors, the estate picture, the neighbourhoods'
table and the plots' numbers.
Sliders and menus are drawn again only when the participant changes them. The
plots are drawn in the browser (:mod:`dashboard.linechart`), so a redraw sends
numbers, not pictures of plots.

**Playing.** :class:`Player` steps the model in a thread of its own session,
several weeks per redraw at the chosen speed, and stops exactly at its target
week (the end of the run, or one or five years on); it stops when the page is
disconnected or the session closes, so nothing runs for an empty chair.

No state lives at module level except the room (:data:`dashboard.room.ROOM`),
which is shared on purpose; every participant's estate is created inside the
components, which Solara keeps per browser session.
"""

from __future__ import annotations

import html
import io
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import ipyvuetify as v
import numpy as np
import reacton
import solara
import solara.lab
from solara.server import kernel_context

from dashboard import charts, controls, measures, room
from dashboard.controls import Control
from dashboard.estate import MARKS, TRUST_LUT, estate_png, legend_png
from dashboard.linechart import LineChart
from dashboard.room import ROOM, Saved, Snapshot
from dashboard.session import SIDES, Pilot, Settings, Workshop
from model import outcomes, params
from model.model import TrustModel
from model.scenario import MAX_WEEKS, NEIGHBOURHOOD_LEVERS, builtin_names
from model.submodels import YEAR

__all__ = [
    "CSS",
    "SPEEDS",
    "FacilitatorPage",
    "ParticipantPage",
    "Player",
    "neighbourhoods_csv",
    "weekly_csv",
]

#: Styles: a two-column layout that becomes one column on small screens, readable in light and dark mode.
CSS = """
.tt-layout { display: grid; grid-template-columns: minmax(300px, 380px) 1fr; gap: 12px; padding: 8px; }
.tt-layout.tt-hidden { grid-template-columns: 1fr; }
.tt-main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; min-width: 0; }
.tt-controls { min-width: 0; display: flex; flex-direction: column; gap: 10px; }
@media (max-width: 900px) {
  .tt-layout { grid-template-columns: 1fr; padding: 4px; }
  .tt-main { grid-template-columns: 1fr; }
}
@media (min-width: 1800px) { .tt-main { grid-template-columns: repeat(3, 1fr); } }
.tt-week { font-size: 30px; font-weight: 700; }
.tt-estate-img { image-rendering: pixelated; width: 100% !important; height: auto !important; max-width: 760px;
  display: block; margin: 0 auto; }
.tt-legend-img { image-rendering: pixelated; width: 140px; height: 14px; }
.tt-hint { display: block; font-size: 14px; opacity: 0.8; line-height: 1.35; }
.tt-pending { display: block; font-size: 14px; color: #c2410c; font-weight: 600; }
.tt-control { margin-bottom: 8px; }
.tt-control-head { display: flex; justify-content: space-between; gap: 4px; font-size: 15px; }
.tt-control .v-input__slot { margin-bottom: 0; }
.tt-control .v-messages { display: none; }
.tt-monitors td { padding: 2px 10px 2px 0; font-size: 15px; }
.tt-monitors th { text-align: left; font-size: 14px; padding-right: 10px; }
.tt-card-title { font-weight: 700; font-size: 18px; display: block; margin-bottom: 4px; }
.tt-room td, .tt-room th { padding: 3px 10px 3px 0; font-size: 15px; text-align: left; }
.tt-buttons { display: flex; flex-wrap: wrap; gap: 6px; }
.tt-nbhd-wrap { overflow-x: auto; }
.tt-nbhd { border-collapse: collapse; }
.tt-nbhd td, .tt-nbhd th { padding: 2px 10px 2px 0; font-size: 14px; text-align: right; }
.tt-nbhd td { white-space: nowrap; }
.tt-nbhd th { font-size: 12px; font-weight: 600; vertical-align: bottom; }
.tt-nbhd td:first-child, .tt-nbhd th:first-child { text-align: left; }
.tt-heat { color: #111; padding-left: 6px !important; border-radius: 2px; }
"""
#: Play speeds in words: weeks per redraw, and seconds between redraws.
SPEEDS: dict[str, tuple[int, float]] = {
    "Slow: a week at a time": (1, 0.5),
    "Steady: a month a second": (2, 0.5),
    "Fast: a year in ten seconds": (3, 0.5),
    "Fastest: a quarter at a time": (13, 0.5),
}
#: The speed a new page starts at.
DEFAULT_SPEED = "Steady: a month a second"
#: The monitors (NetLogo's name for a live number), labelled as in the reports (:mod:`model.outcomes`); the
#: community measures (:data:`dashboard.charts.COMMUNITY`) are those ``community()`` returns, whatever they are.
MONITORS = (
    "trust_mean",
    "trust_digitally_excluded",
    "trust_underrepresented",
    "participation_rate",
    "representation_ratio",
    "satisfaction_true",
    "tsm_tp01",
    "repair_wait_weeks_mean",
    "cost_per_home",
    *charts.COMMUNITY,
)
#: Seconds between refreshes of the facilitator's page.
FACILITATOR_REFRESH = 2.0


def _number(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"


def _session_key() -> str:
    """The browser's session cookie (a fresh id outside Solara's server, e.g. in tests)."""
    if kernel_context.has_current_context():
        return kernel_context.get_current_context().session_id
    return uuid.uuid4().hex


def weekly_csv(model: Workshop) -> str:
    """The weekly series of every strategy as CSV text (one row per strategy and week).

    The community measures, which the model measures on demand rather than in
    its weekly series, come from the record the session keeps of them each
    week (:meth:`Workshop.community_frame`); a measure the weekly series has
    already is not repeated.
    """
    with model.lock:
        frames = []
        for side, (name, run) in enumerate(zip(model.names, model.runs, strict=True)):
            weekly, community = run.weekly(), model.community_frame(side)
            extra = [c for c in community.columns if c not in weekly.columns]
            frames.append((SIDES[side], name, weekly.join(community[extra])))
    buffer = io.StringIO()
    for index, (side, name, frame) in enumerate(frames):
        frame = frame.reset_index()  # the week, the index of weekly(), becomes a column
        frame.insert(0, "strategy", name)
        frame.insert(0, "side", side)
        frame.insert(0, "estate_number", model.seed)
        frame.to_csv(buffer, index=False, header=index == 0)
    return buffer.getvalue()


def neighbourhoods_csv(model: Workshop) -> str:
    """Every strategy's neighbourhoods now as CSV text: a row per strategy and neighbourhood, every column reported."""
    with model.lock:
        frames = []
        for side, (name, run, pilot) in enumerate(zip(model.names, model.runs, model.pilots, strict=True)):
            frame = run.neighbourhood_summary()
            frame.insert(0, "in_pilot", [pilot is not None and k in pilot.estates for k in range(len(frame))])
            frame.insert(0, "pilot", "" if pilot is None else pilot.preset)
            frame.insert(0, "week", run.week)
            frame.insert(0, "strategy", name)
            frame.insert(0, "side", SIDES[side])
            frame.insert(0, "estate_number", model.seed)
            frames.append(frame)
    buffer = io.StringIO()
    for index, frame in enumerate(frames):
        frame.to_csv(buffer, index=False, header=index == 0)
    return buffer.getvalue()


@dataclass
class Kept:
    """A run kept for comparison ("keep this run"): its name and the series of strategy A by outcome."""

    name: str
    series: dict[str, tuple[np.ndarray, np.ndarray]]

    @classmethod
    def of(cls, model: Workshop) -> Kept:
        """Strategy A's series so far."""
        with model.lock:
            run = model.runs[0]
            wanted = {o for chart in charts.CHARTS.values() for panel in chart.panels for o in panel.series}
            name = f"{controls.strategy_name(model.names[0])}, week {model.week}"
            return cls(name, {o: charts.series(run, o) for o in wanted})


class Player:
    """Plays one session's model in a thread of its own: several weeks per redraw, stopping at a target week.

    Args:
        model: The session's model (a reactive: Reset replaces the model).
        speed: The session's speed (a key of :data:`SPEEDS`).
        playing: Set while playing (the Play button shows Pause).
        redraw: Moves the page on (increments its redraw counter).
    """

    def __init__(
        self,
        model: solara.Reactive[Workshop],
        speed: solara.Reactive[str],
        playing: solara.Reactive[bool],
        redraw: Callable[[], None],
    ) -> None:
        """A player that is not playing."""
        self.model, self.speed, self.playing, self.redraw = model, speed, playing, redraw
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.target = 0

    def play(self, weeks: int | None = None) -> None:
        """Play on: ``weeks`` weeks, or (None) to the end of the run (:attr:`Workshop.end`)."""
        self.stop()
        model = self.model.value
        self.target = model.end if weeks is None else min(model.week + weeks, MAX_WEEKS)
        if self.target <= model.week:
            return
        self._stop.clear()
        self.playing.set(True)
        context = kernel_context.get_current_context() if kernel_context.has_current_context() else None
        self._thread = threading.Thread(target=self._run, args=(context,), daemon=True, name="tenant-trust-play")
        self._thread.start()

    def stop(self) -> None:
        """Pause (waits for the week being stepped)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._thread = None
        if self.playing.value:
            self.playing.set(False)

    def _away(self, context: kernel_context.VirtualKernelContext | None) -> bool:
        if context is None:
            return False
        return context.closed_event.is_set() or kernel_context.PageStatus.CONNECTED not in context.page_status.values()

    def _run(self, context: kernel_context.VirtualKernelContext | None) -> None:
        try:
            while not self._stop.is_set() and not self._away(context):
                started = time.monotonic()
                weeks, pause = SPEEDS.get(self.speed.value, SPEEDS[DEFAULT_SPEED])
                model = self.model.value
                done = model.advance(weeks, until=self.target)
                self.redraw()
                if done == 0 or model.week >= self.target:
                    break
                self._stop.wait(max(0.0, pause - (time.monotonic() - started)))
        finally:
            if not self._stop.is_set() and not (context is not None and context.closed_event.is_set()):
                self.playing.set(False)


@solara.component
def ControlSlider(control: Control, value: float | int, on_value: Callable[[float], None], pending: bool) -> None:
    """A slider for one parameter: its name and value, the slider, and its plain-language line."""
    with solara.Div(classes=["tt-control"]):
        # one widget for the name and the value: a page has dozens of sliders, and every widget costs its load
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>{html.escape(control.label)}</b><span class='tt-value'>"
            f"{html.escape(control.format(value))}</span>",
            classes=["tt-control-head"],
        )
        if control.is_int:
            solara.SliderInt(
                "",
                value=int(value),
                min=int(control.low),
                max=int(control.high),
                step=int(control.step),
                on_value=on_value,
                thumb_label=False,
            )
        else:
            solara.SliderFloat(
                "",
                value=float(value),
                min=control.low,
                max=control.high,
                step=control.step,
                on_value=on_value,
                thumb_label=False,
            )
        note = " Applies to a new estate (Reset)." if control.at_reset else ""
        solara.Text(control.description + note, classes=["tt-hint"])
        if pending:
            solara.Text("Changed: press Reset to build the estate with it.", classes=["tt-pending"])


@dataclass
class Session:
    """One participant's reactive state, passed to the page's components."""

    key: str
    settings: solara.Reactive[Settings]
    seed: solara.Reactive[int]
    model: solara.Reactive[Workshop]
    tick: solara.Reactive[int]
    kept: solara.Reactive[Kept | None]
    player: Player
    error: solara.Reactive[tuple[str, str]]

    def redraw(self) -> None:
        """Move the live parts of the page on, and tell the room."""
        self.tick.set(self.tick.value + 1)
        ROOM.update(self.key, self.model.value, self.settings.value)

    def new_estate(self, settings: Settings, seed: int) -> None:
        """A fresh estate at week 0 with ``settings`` and estate number ``seed``."""
        self.player.stop()
        self.settings.set(settings)
        self.seed.set(seed)
        self.model.set(Workshop(settings, seed=seed))
        self.redraw()

    def step(self) -> None:
        """Step: one week (nothing at the 50-year limit)."""
        self.model.value.advance(1)
        self.redraw()

    def reset(self) -> None:
        """Reset: a fresh estate, week 0, with the levers and estate number as set now."""
        self.new_estate(self.settings.value, self.seed.value)

    def strategies(self, settings: Settings) -> None:
        """A strategy chosen, or B added or removed: on this estate if it is unchanged, else a new one."""
        model = self.model.value
        if model.needs_new_estate(settings, self.seed.value):
            self.new_estate(settings, self.seed.value)
            return
        self.player.stop()
        self.settings.set(settings)
        model.switch(settings)
        self.redraw()

    def move(self, side: int, name: str, value: float, card: str = "strategy") -> None:
        """A slider moved on strategy ``side``: applied at once where the model allows it.

        A value the declarations or the model refuse (e.g. more neighbourhoods
        than the homes allow) is not applied; the model's message is shown on
        ``card``, the card the slider is on.
        """
        try:
            new = self.settings.value.with_value(side, name, value)
        except ValueError as problem:  # a ParameterError, ScenarioError or a pilot the change would break
            self.error.set((card, str(problem)))
            return
        self.error.set(("", ""))
        self.settings.set(new)
        if self.model.value.apply(new, side, name):
            self.redraw()

    def pilot(self, side: int, preset: str, estates: list[int]) -> None:
        """Strategy ``side``'s pilot: ``preset``'s voice levers on ``estates`` (from 0); none if either is empty.

        The strategy is rebuilt on the same estate and run up to the current
        week, as when a strategy is switched.
        """
        try:
            chosen = Pilot(preset, tuple(estates)) if preset and estates else None
            new = self.settings.value.with_pilot(side, chosen)
        except ValueError as problem:
            self.error.set(("pilot", str(problem)))
            return
        self.error.set(("", ""))
        self.strategies(new)

    def restore(self, saved: Saved) -> None:
        """Go back to a saved run: the same numbers, at the same week."""
        self.player.stop()
        model = saved.rebuild()
        self.settings.set(saved.settings)
        self.seed.set(saved.seed)
        self.model.set(model)
        self.redraw()


def _first_model(key: str) -> tuple[Settings, Workshop]:
    """This browser's run if it had one (a reload), else the room's start."""
    record = ROOM.join(key)
    if record.saved is not None:
        try:
            return record.saved.settings, record.saved.rebuild()
        except (ValueError, params.ParameterError):
            pass
    settings = ROOM.start_settings()
    return settings, Workshop(settings, seed=ROOM.start_seed)


def use_session() -> Session:
    """The participant's state, made once per browser session (a reload rebuilds the same run)."""
    key = solara.use_memo(_session_key, [])
    first_settings, first = solara.use_memo(lambda: _first_model(key), [])
    settings = solara.use_reactive(first_settings)
    seed = solara.use_reactive(first.seed)
    model = solara.use_reactive(first)
    tick = solara.use_reactive(0)
    kept: solara.Reactive[Kept | None] = solara.use_reactive(None)
    speed = solara.use_reactive(DEFAULT_SPEED)
    playing = solara.use_reactive(False)
    error = solara.use_reactive(("", ""))
    holder: list[Session] = solara.use_memo(list, [])
    if not holder:
        player = Player(model, speed, playing, lambda: holder[0].redraw())
        holder.append(Session(key, settings, seed, model, tick, kept, player, error))
    session = holder[0]
    session.player.speed, session.player.playing = speed, playing

    def register() -> Callable[[], None]:
        ROOM.update(key, model.value, settings.value)
        context = kernel_context.get_current_context() if kernel_context.has_current_context() else None

        def push() -> None:
            def apply_start() -> None:
                session.new_estate(ROOM.start_settings(), ROOM.start_seed)

            if context is not None:
                with context:
                    threading.Thread(target=apply_start, daemon=True, name="tenant-trust-room-start").start()

        record = ROOM.join(key)
        record.push = push
        if context is not None:
            record.connected = lambda: kernel_context.PageStatus.CONNECTED in context.page_status.values()

        def leave() -> None:
            # the room keeps the run (record.saved), not the session: its closures would keep the estate alive
            session.player.stop()
            with ROOM.lock:
                if record.push is push:
                    record.push, record.connected = None, lambda: False

        return leave

    solara.use_effect(register, [])
    return session


@solara.component
def RunControls(session: Session, speed: solara.Reactive[str], playing: solara.Reactive[bool]) -> None:
    """Reset, Step, Play or Pause, run one year or five, and the speed in words.

    It does not read the redraw counter (the week is shown by :func:`WeekHeader`),
    so playing never draws the controls again.
    """
    with solara.Card(margin=0):
        with solara.Div(classes=["tt-buttons"]):
            solara.Button("Reset", on_click=session.reset, outlined=True)
            solara.Button("Step", on_click=session.step, disabled=playing.value, outlined=True)
            if playing.value:
                solara.Button("Pause", on_click=session.player.stop, color="primary")
            else:
                solara.Button("Play", on_click=lambda: session.player.play(), color="primary")
            solara.Button("Run one year", on_click=lambda: session.player.play(YEAR), outlined=True)
            solara.Button("Run five years", on_click=lambda: session.player.play(5 * YEAR), outlined=True)
        solara.Select(label="Speed", values=list(SPEEDS), value=speed)


@solara.component
def WeekHeader(model: Workshop, tick: int) -> None:
    """The week, the year, the estate number and where the run ends."""
    week, end = model.week, model.end
    with solara.Div(style={"grid-column": "1 / -1"}):
        solara.Text(f"Week {week}", classes=["tt-week"])
        solara.Text(
            f"Year {week // YEAR + 1}, week {week % YEAR + 1} of the year · estate number {model.seed} · "
            f"the run ends at week {end}",
            classes=["tt-hint"],
        )
        if week >= MAX_WEEKS:
            solara.Text("This run reached the 50-year limit: press Reset.", classes=["tt-pending"])


def _error_on(session: Session, card: str) -> None:
    """The last refused change's message, on the card it was made on."""
    where, message = session.error.value
    if where == card and message:
        solara.Error(message)


@solara.component
def EstateNumber(session: Session) -> None:
    """The estate number and its neighbourhoods: both apply whenever an estate is built.

    The number of neighbourhoods (estates) has the declared range of
    ``neighbourhoods``; a number the homes cannot hold is refused with the
    model's message, not clamped.
    """
    control = Control("seed", "Estate number", "", "", 1, 99, 1, True, False, "estate", True)
    chosen = session.settings.value
    pending = set(session.model.value.pending(chosen))
    values = chosen.values(0)
    count = chosen.neighbourhoods(0)
    with solara.Card(margin=0):
        with solara.Row(justify="space-between"):
            solara.Text("Estate number", style={"font-weight": "600", "font-size": "15px"})
            solara.Text(str(session.seed.value), style={"font-size": "15px"}, classes=["tt-value"])
        solara.SliderInt("", value=session.seed, min=int(control.low), max=int(control.high), thumb_label=False)
        solara.Text(
            "The same number gives the same estate, so a table can all use one. It applies when an estate is "
            "built: Reset, or a change that needs a new estate.",
            classes=["tt-hint"],
        )
        if session.seed.value != session.model.value.seed:
            solara.Text(f"Changed to {session.seed.value}: press Reset to build that estate.", classes=["tt-pending"])
        for split in map(controls.get_control, controls.ON_ESTATE_CARD):
            move = lambda value, name=split.name: session.move(0, name, value, card="estate")  # noqa: E731
            ControlSlider(split, values[split.name], move, split.name in pending)
        solara.Text(
            f"The homes make {_split(count)} of about {int(values['homes']) // count:,} homes each.",
            classes=["tt-hint"],
        )
        _error_on(session, "estate")


def _pilot_levers(preset: str) -> str:
    """The voice levers a pilot of ``preset`` gives its estates, in words."""
    values = controls.preset_values(preset)
    parts = [
        f"{controls.get_control(name).label.lower()} {controls.get_control(name).format(values[name]).strip()}"
        for name in NEIGHBOURHOOD_LEVERS
        if name in values
    ]
    return ", ".join(parts)


@solara.component
def PilotPanel(session: Session, side: int) -> None:
    """A pilot: another strategy's voice levers on the chosen estates only (the model's per-neighbourhood levers).

    The choice is kept here until both a strategy and at least one estate are
    chosen; then the strategy is rebuilt on the same estate with the pilot.
    """
    chosen = session.settings.value
    count = chosen.neighbourhoods(side)
    pilot = chosen.pilot(side)
    by_name = {controls.strategy_name(name): name for name in builtin_names()}
    draft_preset = solara.use_reactive(pilot.preset if pilot else "")
    draft_estates = solara.use_reactive(list(pilot.estates) if pilot else [])
    preset = pilot.preset if pilot else draft_preset.value
    estates = list(pilot.estates) if pilot else draft_estates.value
    labels = [f"Estate {k + 1}" for k in range(count)]

    def choose(new_preset: str, new_estates: list[int]) -> None:
        draft_preset.set(new_preset)
        draft_estates.set(new_estates)
        session.pilot(side, new_preset, new_estates)

    title = f"Pilot on some estates (strategy {SIDES[side]})" if chosen.side_by_side else "Pilot on some estates"
    with solara.Card(title, margin=0):
        if count < 2 and pilot is None:
            solara.Text(
                "Split the homes into neighbourhoods (on the estate card) to try a strategy on some estates only.",
                classes=["tt-hint"],
            )
            return
        solara.Select(
            label="Pilot strategy",
            values=["No pilot", *by_name],
            value=controls.strategy_name(preset) if preset else "No pilot",
            on_value=lambda label: choose(by_name.get(label, ""), estates),
        )
        solara.SelectMultiple(
            "Estates in the pilot",
            values=[labels[k] for k in estates if k < count],
            all_values=labels,
            on_value=lambda picked: choose(preset, sorted(labels.index(p) for p in picked if p in labels)),
            dense=True,
        )
        if pilot is not None:
            solara.Text(
                f"{pilot.estates_text().capitalize()} take the voice of {controls.strategy_name(pilot.preset)}: "
                f"{_pilot_levers(pilot.preset)}. Officers, repairs and the survey stay the landlord's; the other "
                "estates keep the strategy's own levers.",
                classes=["tt-hint"],
            )
        else:
            solara.Text("Choose a strategy and one or more estates to start the pilot.", classes=["tt-hint"])
        _error_on(session, "pilot")


@solara.component
def StrategyPanel(session: Session) -> None:
    """Strategies in sector language, side-by-side mode, the levers and "more settings"."""
    editing = solara.use_reactive(0)
    show_more = solara.use_reactive(False)
    chosen = session.settings.value
    side = min(editing.value, len(chosen.presets) - 1)
    pending = set(session.model.value.pending(chosen))
    by_name = {controls.strategy_name(name): name for name in builtin_names()}

    with solara.Card("Strategy", margin=0):
        solara.Switch(
            label="Compare two strategies side by side",
            value=chosen.side_by_side,
            on_value=lambda on: session.strategies(session.settings.value.with_side_by_side(on)),
        )
        for index, preset in enumerate(chosen.presets):
            solara.Select(
                label=f"Strategy {SIDES[index]}" if chosen.side_by_side else "Strategy",
                values=list(by_name),
                value=controls.strategy_name(preset),
                on_value=lambda label, index=index: session.strategies(
                    session.settings.value.with_preset(index, by_name[label])
                ),
            )
            solara.Text(controls.preset_description(preset), classes=["tt-hint"])
        if chosen.side_by_side:
            solara.Text(
                "Both run on the same estate and step together; changing one leaves the other where it is.",
                classes=["tt-hint"],
            )
            with solara.Row(gap="8px", style={"align-items": "center"}):
                solara.Text("Levers of:")
                solara.ToggleButtonsSingle(
                    value=SIDES[side], values=list(SIDES), on_value=lambda s: editing.set(SIDES.index(s))
                )
    PilotPanel(session, side).key(f"pilot-{side}")
    _error_on(session, "strategy")
    if pending:
        solara.Text(f"Waiting for Reset: {', '.join(pending)}.", classes=["tt-pending"])
    values = chosen.values(side)
    heading = f"Levers of strategy {SIDES[side]}" if chosen.side_by_side else "Levers"
    with solara.Card(heading, subtitle="Moving a lever changes the running estate at once.", margin=0):
        for control in controls.levers():
            move = lambda v, n=control.name: session.move(side, n, v)  # noqa: E731
            ControlSlider(control, values[control.name], move, control.name in pending)
    with solara.Card(
        "More settings", subtitle="Facts of the world, uncertain; they apply to every strategy.", margin=0
    ):
        solara.Button(
            "Hide more settings" if show_more.value else "Show more settings",
            on_click=lambda: show_more.set(not show_more.value),
            text=True,
            color="primary",
        )
        if show_more.value:
            for title, group in controls.more_settings().items():
                solara.Text(title, style={"font-weight": "700", "margin-top": "8px", "display": "block"})
                for control in group:
                    move = lambda v, n=control.name: session.move(side, n, v)  # noqa: E731
                    ControlSlider(control, values[control.name], move, control.name in pending)


@solara.component
def WhatWeTried(session: Session) -> None:
    """Snapshots ("what we tried"), "keep this run" for the plots, and the downloads."""
    note = solara.use_reactive("")
    saved = solara.use_reactive(0)
    name = solara.use_reactive(ROOM.join(session.key).name)
    mine: list[Snapshot] = ROOM.snapshots_of(session.key)
    _ = saved.value

    def rename(text: str) -> None:
        name.set(text)
        with ROOM.lock:
            record = ROOM.join(session.key)
            old, record.name = record.name, text.strip() or record.name
            for shot in ROOM.snapshots:
                if shot.participant == old:
                    shot.participant = record.name

    def save() -> None:
        ROOM.snapshot(session.key, note.value, session.model.value, session.settings.value)
        note.set("")
        saved.set(saved.value + 1)

    with solara.Card("What we tried", margin=0):
        solara.InputText("Your name or table", value=name.value, on_value=rename, continuous_update=False)
        solara.InputText("Note for this snapshot (optional)", value=note)
        with solara.Div(classes=["tt-buttons"]):
            solara.Button("Save what we tried", on_click=save, color="primary", outlined=True)
            solara.Button("Keep this run on the plots", on_click=lambda: session.kept.set(Kept.of(session.model.value)))
            if session.kept.value is not None:
                solara.Button("Clear kept run", on_click=lambda: session.kept.set(None), text=True)
        for shot in mine:
            with solara.Row(style={"align-items": "center"}, justify="space-between"):
                solara.Text(shot.title, classes=["tt-hint"])
                solara.Button("Go back to this", on_click=lambda s=shot: session.restore(s.saved), text=True)
        solara.FileDownload(
            lambda: weekly_csv(session.model.value),
            filename="tenant-trust-run.csv",
            label="Download this run (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: neighbourhoods_csv(session.model.value),
            filename="tenant-trust-neighbourhoods.csv",
            label="Download estates now (CSV)",
            mime_type="text/csv",
        )


@solara.component
def EstateCard(model: Workshop, tick: int) -> None:
    """The estate(s): homes coloured by trust, dots on marked households, officers' patches as blocks."""
    mark = solara.use_reactive("took part")
    with solara.Card(margin=0):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            solara.Text("The estate", classes=["tt-card-title"])
            solara.Select(label="Dots show", values=list(MARKS), value=mark, dense=True, style={"max-width": "210px"})
        with solara.Row(gap="8px", justify="center"):
            for title, run in zip(_titles(model), model.runs, strict=True):
                with solara.Column(gap="2px", align="center", style={"flex": "1", "min-width": "0"}):
                    if len(model.runs) > 1:
                        solara.Text(title, style={"font-weight": "600"})
                    with model.lock:
                        picture = estate_png(run, mark.value)
                    solara.Image(picture, classes=["tt-estate-img"])
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.Text("low trust", classes=["tt-hint"])
            solara.Image(legend_png(), classes=["tt-legend-img"])
            solara.Text("high trust", classes=["tt-hint"])
            if MARKS[mark.value]:
                solara.Text(f"· dots: {MARKS[mark.value]}", classes=["tt-hint"])
        run = model.runs[0]
        split = run.households.neighbourhood_starts.size - 1
        within = f"; patches never span two of the {split} neighbourhoods" if split > 1 else ""
        solara.Text(
            f"Each block is one officer's patch: {len(run.officers)} officers, up to {int(run.p['patch_size'])} homes "
            f"each{within}.",
            classes=["tt-hint"],
        )


def _titles(model: Workshop) -> list[str]:
    names = [controls.strategy_name(name) for name in model.names]
    return names if len(names) == 1 else [f"{side}: {name}" for side, name in zip(SIDES, names, strict=False)]


@solara.component
def MonitorCard(model: Workshop, tick: int) -> None:
    """The latest value of the key outcomes, one column per strategy (NetLogo's monitors).

    Below them, every community measure the model's ``community()`` returns
    now, landlord-wide, labelled by :func:`dashboard.measures.measure`.
    """
    shown = [o for o in MONITORS if o not in charts.COMMUNITY]
    with model.lock:
        latest = {outcome: [charts.latest(run, outcome) for run in model.runs] for outcome in shown}
        names, community = measures.community_values(model.runs)
    header = "".join(f"<th>{html.escape(title)}</th>" for title in _titles(model))
    rows = []
    for outcome in shown:
        cells = "".join(f"<td>{_number(value)}</td>" for value in latest[outcome])
        rows.append(f"<tr><td>{outcomes.label(outcome)}</td>{cells}</tr>")
    if names:
        rows.append(f"<tr><td colspan='{len(model.runs) + 1}'><b>The community</b></td></tr>")
    for name in names:
        measure = measures.measure(name)
        cells = "".join(f"<td>{html.escape(measure.format(values.get(name)))}</td>" for values in community)
        rows.append(f"<tr><td>{html.escape(measure.label)}</td>{cells}</tr>")
    with solara.Card(margin=0):
        solara.Text("Now", classes=["tt-card-title"])
        solara.HTML(tag="table", unsafe_innerHTML=f"<tr><th></th>{header}</tr>{''.join(rows)}", classes=["tt-monitors"])


@solara.component
def ChartCard(model: Workshop, key: str, tick: int, kept: Kept | None) -> None:
    """One live plot: title, the plot drawn in the browser, how to read it."""
    chart = charts.CHARTS[key]
    names = [controls.strategy_name(name) for name in model.names]
    with model.lock:
        data = charts.chart_data(
            key, model.runs, names, model.horizon, kept.series if kept else None, kept.name if kept else ""
        )
    with solara.Card(margin=0):
        solara.Text(chart.title, classes=["tt-card-title"])
        LineChart(chart=data, title=chart.title, filename=f"tenant-trust-{key}")
        solara.Text(chart.reading, classes=["tt-hint"])


def _heat(value: float | None) -> str:
    """A table cell's style: its background the estate picture's colour of trust ``value`` (0-100)."""
    if value is None:
        return ""
    red, green, blue = TRUST_LUT[min(max(int(value / 100.0 * 255), 0), 255)].tolist()
    return f" class='tt-heat' style='background: rgb({red}, {green}, {blue})'"


def neighbourhood_table(run: TrustModel, pilot: Pilot | None) -> str:
    """One row per neighbourhood of ``run`` now, as the rows of an HTML table (header first).

    Every column of ``neighbourhood_summary()`` is shown (labelled by
    :func:`dashboard.measures.measure`); the trust cell is coloured as the
    estate picture colours trust, and the pilot's estates are marked.
    """
    columns, rows = measures.neighbourhood_rows(run.neighbourhood_summary())
    shown = [measures.measure(c) for c in columns]
    head = "".join(f"<th>{html.escape(m.label)}</th>" for m in shown)
    texts = {m.name: [html.escape(t) for t in m.format_all([row[m.name] for row in rows])] for m in shown}
    body = []
    for index, row in enumerate(rows):
        estate = row["estate"]
        tag = " (pilot)" if pilot is not None and estate - 1 in pilot.estates else ""
        cells = []
        for m in shown:
            style = _heat(measures.display(m, row[m.name])) if m.name == "trust_mean" else ""
            cells.append(f"<td{style}>{texts[m.name][index]}</td>")
        body.append(f"<tr><td>{estate}{tag}</td>{''.join(cells)}</tr>")
    return f"<tr><th>Estate</th>{head}</tr>{''.join(body)}"


@solara.component
def NeighbourhoodCard(model: Workshop, tick: int) -> None:
    """One row per neighbourhood (estate) of each strategy: trust, belief, taking part, satisfaction, community.

    An estate of one neighbourhood has no table: its one row would be the
    landlord-wide numbers of the monitors, and measuring it would cost every
    redraw about a millisecond for nothing.
    """
    with model.lock:
        split = model.runs[0].households.neighbourhood_starts.size - 1
        tables = [] if split < 2 else [neighbourhood_table(r, p) for r, p in zip(model.runs, model.pilots, strict=True)]
    # the whole width of the grid, and a wider table scrolls inside the card, not the page
    with solara.Card(margin=0, style={"min-width": "0", "grid-column": "1 / -1"}):
        solara.Text("Neighbourhoods", classes=["tt-card-title"])
        if not tables:
            solara.Text(
                "One estate: its numbers are the landlord's, under Now. Set Neighbourhoods on the estate card and "
                "press Reset to compare estates, one row each.",
                classes=["tt-hint"],
            )
            return
        for title, table in zip(_titles(model), tables, strict=True):
            if len(tables) > 1:
                solara.Text(title, style={"font-weight": "600"})
            with solara.Div(classes=["tt-nbhd-wrap"]):
                solara.HTML(tag="table", unsafe_innerHTML=table, classes=["tt-nbhd"])
        solara.Text(
            "One row per estate, now. The trust cell is coloured as on the estate picture. Split the homes into "
            "neighbourhoods on the estate card; the survey (TP01) is landlord-wide, so it has no row here.",
            classes=["tt-hint"],
        )


@solara.component
def LiveArea(model: Workshop, tick: int, kept: Kept | None, header: bool = True) -> None:
    """The week (if ``header``), the estate, the monitors and the plots of ``model``, as one grid.

    Everything is placed directly in the grid (a component that renders
    several elements would be wrapped in one column by Solara).
    """
    with solara.Div(classes=["tt-main"]):
        if header:
            WeekHeader(model, tick)
        EstateCard(model, tick)
        MonitorCard(model, tick)
        NeighbourhoodCard(model, tick)
        for key in charts.CHARTS:
            ChartCard(model, key, tick, kept)


@solara.component
def SessionArea(session: Session) -> None:
    """The participant's week and :func:`LiveArea`: the only part of the page that reads the redraw counter."""
    LiveArea(session.model.value, session.tick.value, session.kept.value)


@solara.component
def Island(session: Session) -> None:
    """:func:`SessionArea` in a render of its own, inside the page.

    Solara (reacton) compares the whole element tree of a render after any
    change, so a redraw of the live cards in the page's own render would also
    walk every slider and menu of the controls: measured, 54 ms a redraw on
    the default estate against 17 ms for the live cards alone. Rendered into
    a container of its own, a redraw walks only the live cards; the page sees
    one widget.
    """
    container = solara.use_memo(lambda: v.Html(tag="div", style_="min-width: 0; width: 100%"), [])

    def mount() -> Callable[[], None]:
        # after the page's render, not inside it, so the live cards subscribe to their own render only
        _, context = reacton.render(SessionArea(session), container, handle_error=False)
        return context.close

    solara.use_effect(mount, [])
    solara.Div(children=[container], style={"min-width": "0", "width": "100%"})


@solara.component
def ParticipantPage() -> None:
    """One participant's dashboard; Solara calls it once per browser session."""
    session = use_session()
    hidden = solara.use_reactive(False)
    solara.Style(CSS)
    solara.Title("Tenant Trust workshop")
    with solara.Row(justify="space-between", style={"align-items": "center", "padding": "4px 8px"}):
        solara.Text("Tenant Trust: workshop", style={"font-size": "20px", "font-weight": "700"})
        with solara.Row(gap="4px", style={"align-items": "center"}):
            solara.lab.ThemeToggle(enable_auto=False)
            solara.Button(
                "Show controls" if hidden.value else "Hide controls",
                on_click=lambda: hidden.set(not hidden.value),
                text=True,
            )
    with solara.Div(classes=["tt-layout", "tt-hidden"] if hidden.value else ["tt-layout"]):
        if not hidden.value:
            with solara.Div(classes=["tt-controls"]):
                RunControls(session, session.player.speed, session.player.playing)
                EstateNumber(session)
                StrategyPanel(session)
                WhatWeTried(session)
        Island(session)


# --- the facilitator's page -------------------------------------------------------------------------------------
@solara.component
def RoomTable(tick: int, shown: solara.Reactive[str]) -> None:
    """Every participant: name, strategy (and pilot), estate number, week, headline and community outcomes."""
    people = ROOM.everyone()
    measured = [
        (person, room.headline(person.live) if person.live is not None else [])
        for person in people
        if person.saved is not None
    ]
    names = room.outcome_names([r for _, results in measured for r in results])
    head = "".join(f"<th>{html.escape(room.label(o))}</th>" for o in names)
    rows = []
    for person, results in measured:
        model, saved = person.live, person.saved
        for side, preset in enumerate(saved.settings.presets):
            values = results[side] if side < len(results) else {}
            cells = "".join(f"<td>{_number(values[o]) if o in values else '-'}</td>" for o in names)
            label = f"{SIDES[side]}: " if saved.settings.side_by_side else ""
            pilot = room.pilot_text(saved.settings, side)
            what = controls.strategy_name(preset) + (f"; pilot: {pilot}" if pilot else "")
            status = "" if person.here else " (away)"
            rows.append(
                f"<tr><td>{html.escape(person.name)}{status}</td><td>{label}{html.escape(what)}</td>"
                f"<td>{saved.seed}</td><td>{saved.settings.neighbourhoods(side)}</td>"
                f"<td>{model.week if model is not None else saved.week}</td>{cells}</tr>"
            )
    solara.Text(f"{len(people)} in the room", classes=["tt-card-title"])
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<tr><th>Who</th><th>Strategy</th><th>Estate</th><th>Neighbourhoods</th><th>Week</th>{head}"
        f"</tr>{''.join(rows)}",
        classes=["tt-room"],
    )
    names = [p.name for p in people if p.here]
    if names:
        solara.Select(label="Show on the projector", values=["nobody", *names], value=shown)


@solara.component
def RoomStart() -> None:
    """The room's starting strategy, estate number and neighbourhoods, and sending it to everyone."""
    by_name = {controls.strategy_name(name): name for name in builtin_names()}
    preset = solara.use_reactive(controls.strategy_name(ROOM.start_preset))
    seed = solara.use_reactive(ROOM.start_seed)
    split = solara.use_reactive(ROOM.start_neighbourhoods)
    message = solara.use_reactive("")
    refused = solara.use_reactive("")
    control = controls.get_control("neighbourhoods")

    def keep() -> bool:
        try:
            ROOM.set_start(by_name[preset.value], seed.value, split.value)
        except ValueError as problem:  # the model refuses more neighbourhoods than the homes allow
            refused.set(str(problem))
            return False
        refused.set("")
        count = ROOM.start_settings().neighbourhoods(0)
        message.set(f"New participants start with {preset.value} on estate {seed.value}, {_split(count)}.")
        return True

    def send() -> None:
        if not keep():
            return
        sent = 0
        for person in ROOM.everyone():
            if person.push is not None and person.here:
                person.push()
                sent += 1
        start = f"{preset.value} on estate {seed.value}, {_split(ROOM.start_settings().neighbourhoods(0))}"
        message.set(f"Sent to {sent} participants: {start}, week 0.")

    with solara.Card("The room's start", margin=0):
        solara.Select(label="Starting strategy", values=list(by_name), value=preset)
        with solara.Row(justify="space-between"):
            solara.Text("Estate number")
            solara.Text(str(seed.value), classes=["tt-value"])
        solara.SliderInt("", value=seed, min=1, max=99, thumb_label=False)
        ControlSlider(control, split.value, lambda value: split.set(int(value)), False)
        if refused.value:
            solara.Error(refused.value)
        with solara.Div(classes=["tt-buttons"]):
            solara.Button("Use for new participants", on_click=keep, outlined=True)
            solara.Button("Send to everyone now", on_click=send, color="primary")
        solara.Text("Sending restarts every connected participant's run at week 0.", classes=["tt-hint"])
        if message.value:
            solara.Text(message.value, classes=["tt-hint"])


def _split(count: int) -> str:
    return "one neighbourhood" if count == 1 else f"{count} neighbourhoods"


@solara.component
def Projector(name: str, tick: int) -> None:
    """One participant's estate and plots, for the projector."""
    person = next((p for p in ROOM.everyone() if p.name == name), None)
    model = person.live if person is not None else None
    if model is None:
        solara.Text(f"{name} has left the room.", classes=["tt-hint"])
        return
    solara.Text(f"{name}: week {model.week}", classes=["tt-week"])
    LiveArea(model, tick, None, header=False)


@solara.component
def Debrief(tick: int) -> None:
    """The snapshots so far, and the debrief downloads."""
    with solara.Card("What the room tried", margin=0):
        for shot in ROOM.snapshots:
            also = f" · {shot.strategy}" if shot.note else ""
            solara.Text(f"{shot.participant}: {shot.title}{also}", classes=["tt-hint"])
        if not ROOM.snapshots:
            solara.Text("No snapshots yet: participants press 'Save what we tried'.", classes=["tt-hint"])
        with solara.Div(classes=["tt-buttons"]):
            solara.FileDownload(
                lambda: room.debrief_csv(ROOM), filename="tenant-trust-debrief.csv", label="Debrief table (CSV)"
            )
            solara.FileDownload(
                lambda: room.debrief_html(ROOM),
                filename="tenant-trust-debrief.html",
                label="Debrief summary (HTML)",
                mime_type="text/html",
            )


@solara.component
def FacilitatorPage() -> None:
    """The facilitator's page: open with the room code; the room, its start, the projector and the debrief."""
    code = solara.use_reactive("")
    tick = solara.use_reactive(0)
    shown = solara.use_reactive("nobody")
    solara.Style(CSS)
    solara.Title("Tenant Trust workshop: facilitator")
    router = solara.use_router()
    given = router.search.split("code=")[-1].split("&")[0] if router.search and "code=" in router.search else ""
    allowed = ROOM.check_code(code.value or given)

    def refresh() -> Callable[[], None] | None:
        if not allowed:
            return None
        stop = threading.Event()
        context = kernel_context.get_current_context() if kernel_context.has_current_context() else None

        def loop() -> None:
            while not stop.wait(FACILITATOR_REFRESH):
                if context is not None and context.closed_event.is_set():
                    return
                tick.set(tick.value + 1)

        threading.Thread(target=loop, daemon=True, name="tenant-trust-facilitator").start()
        return stop.set

    solara.use_effect(refresh, [allowed])
    if not allowed:
        with solara.Card("Facilitator", margin=0, style={"max-width": "420px"}):
            solara.InputText("Room code (printed when the server started)", value=code, continuous_update=False)
            if code.value:
                solara.Error("That is not this room's code.")
        return
    with solara.Div(classes=["tt-layout"]):
        with solara.Div(classes=["tt-controls"]):
            RoomStart()
            Debrief(tick.value)
        with solara.Column():
            with solara.Card(margin=0):
                RoomTable(tick.value, shown)
            if shown.value != "nobody":
                Projector(shown.value, tick.value)
