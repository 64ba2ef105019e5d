"""Solara components of the workshop dashboard.

The sidebar's :func:`StrategyPanel` holds the presets, the side-by-side
switch, the levers and "more settings"; every slider is generated from the
parameter declarations (:mod:`dashboard.controls`). The main area's cards
(:data:`CARDS`) show the estate, the monitors and the live plots; each one
re-renders when SolaraViz's Step, Play or Reset moves the model on.

No state lives at module level: everything a participant changes is held in
Solara state created inside the components, which Solara keeps per browser
session, so one participant's Step never moves another's estate.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import solara
from mesa.visualization.utils import update_counter
from solara.server import kernel_context

from dashboard import charts, controls
from dashboard.controls import Control
from dashboard.estate import MARKS, estate_png, legend_png
from dashboard.session import SIDES, Settings, Workshop
from model import outcomes, params
from model.scenario import builtin_names

__all__ = [
    "CARDS",
    "CSS",
    "EstateCard",
    "MonitorCard",
    "Pacing",
    "StrategyPanel",
    "StrategySidebar",
    "chart_card",
]

#: Styles: a compact sidebar, pixelated estate pictures, and the week counter.
CSS = """
.tt-week { font-size: 28px; font-weight: 600; }
.tt-estate img, .tt-estate-img { image-rendering: pixelated; }
.tt-hint { display: block; font-size: 12px; color: #555; line-height: 1.3; }
.tt-pending { display: block; font-size: 12px; color: #b45309; }
.tt-control { margin-bottom: 8px; }
.tt-control .v-input__slot { margin-bottom: 0; }
.tt-control .v-messages { display: none; }
.tt-monitors td { padding: 1px 8px 1px 0; font-size: 13px; }
.tt-monitors th { text-align: left; font-size: 12px; padding-right: 8px; }
"""
#: The monitors (NetLogo's name for a live number), labelled as in the reports (:mod:`model.outcomes`).
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
)


def _number(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"


@solara.component
def ControlSlider(control: Control, value: float | int, on_value: Callable[[float], None], pending: bool) -> None:
    """A slider for one parameter: its name and value, the slider, and its plain-language line."""
    with solara.Column(gap="0px", classes=["tt-control"]):
        with solara.Row(justify="space-between", gap="4px"):
            solara.Text(control.label, style={"font-weight": "600", "font-size": "14px"})
            solara.Text(control.format(value), style={"font-size": "13px"})
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
        note = " Applies at Reset." if control.at_reset else ""
        solara.Text(control.description + note, classes=["tt-hint"])
        if pending:
            solara.Text("Changed: press Reset to build the estate with it.", classes=["tt-pending"])


@solara.component
def StrategyPanel(model: solara.Reactive[Workshop], settings: solara.Reactive[Settings]) -> None:
    """Presets, side-by-side mode, the levers and "more settings" of one participant."""
    editing = solara.use_reactive(0)
    show_more = solara.use_reactive(False)
    error = solara.use_reactive("")
    chosen = settings.value
    side = min(editing.value, len(chosen.presets) - 1)
    pending = set(model.value.pending())

    def rebuild(new: Settings) -> None:
        """A new strategy or mode: a fresh estate from the same seed, week 0."""
        settings.set(new)
        model.set(Workshop(new, seed=model.value.seed))

    def move(name: str, value: float) -> None:
        try:
            new = settings.value.with_value(side, name, value)
        except params.ParameterError as problem:
            error.set(str(problem))
            return
        error.set("")
        settings.set(new)
        model.value.apply(new, side, name)

    with solara.Card("Strategy", margin=0):
        solara.Switch(
            label="Compare two strategies side by side",
            value=chosen.side_by_side,
            on_value=lambda on: rebuild(settings.value.with_side_by_side(on)),
        )
        for index, preset in enumerate(chosen.presets):
            title = f"Strategy {SIDES[index]}" if chosen.side_by_side else "Strategy"
            solara.Select(
                label=title,
                values=builtin_names(),
                value=preset,
                on_value=lambda name, index=index: rebuild(settings.value.with_preset(index, name)),
            )
            solara.Text(controls.preset_description(preset), classes=["tt-hint"])
        if chosen.side_by_side:
            solara.Text(
                "Both strategies run on the same estate (same estate number) and step together.", classes=["tt-hint"]
            )
            with solara.Row(gap="8px", style={"align-items": "center"}):
                solara.Text("Levers of:")
                solara.ToggleButtonsSingle(
                    value=SIDES[side], values=list(SIDES), on_value=lambda s: editing.set(SIDES.index(s))
                )
    if error.value:
        solara.Error(error.value)
    values = chosen.values(side)
    heading = f"Levers of strategy {SIDES[side]}" if chosen.side_by_side else "Levers"
    with solara.Card(heading, subtitle="Moving a lever changes the running estate at once.", margin=0):
        for control in controls.levers():
            ControlSlider(control, values[control.name], lambda v, n=control.name: move(n, v), control.name in pending)
    with solara.Card(
        "More settings", subtitle="Facts of the world, uncertain; they apply to both strategies.", margin=0
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
                    move_this = lambda v, n=control.name: move(n, v)  # noqa: E731
                    ControlSlider(control, values[control.name], move_this, control.name in pending)


@solara.component
def StrategySidebar(model: solara.Reactive[Workshop], settings: solara.Reactive[Settings]) -> None:
    """The :func:`StrategyPanel` in the app's sidebar, below SolaraViz's Reset, Play and Step.

    Solara orders sidebar content by how deep in the page it is placed (then
    by the order it was added, which changes when a card is rebuilt); nesting
    the panel a few levels deeper than SolaraViz's own sidebar keeps it below.
    """
    with _Nested(), _Nested(), solara.Sidebar():
        StrategyPanel(model, settings)


@solara.component
def _Nested(children: list | None = None) -> None:
    """A plain column: one more level of nesting (see :func:`StrategySidebar`)."""
    solara.Column(children=children or [])


@solara.component
def Pacing(model: solara.Reactive[Workshop]) -> None:
    """Keep the session's Play in step with its page (see :meth:`Workshop.watch`); renders nothing.

    It tells the model when this browser is connected, when the session is
    closed, and whether the page still has a redraw to finish: SolaraViz's
    Play does not wait for the page to be drawn, and a step every few
    milliseconds against a redraw that takes a tenth of a second or more
    would keep Solara redrawing without ever sending a page. Outside
    Solara's server (a notebook, a test) there is no session to watch.
    """
    current = model.value
    counter = update_counter.value
    drawn = solara.use_ref(counter)

    def attach() -> None:
        if not kernel_context.has_current_context():
            return
        context = kernel_context.get_current_context()
        current.watch(
            viewer=lambda: kernel_context.PageStatus.CONNECTED in context.page_status.values(),
            closed=context.closed_event,
            redraw_pending=lambda: update_counter.peek() > drawn.current,
        )

    def mark_drawn() -> None:
        drawn.current = counter

    solara.use_effect(attach, [current])
    solara.use_effect(mark_drawn, [counter])


def _titles(model: Workshop) -> list[str]:
    if len(model.runs) == 1:
        return [model.names[0]]
    return [f"{side}: {name}" for side, name in zip(SIDES, model.names, strict=False)]


@solara.component
def EstatePictures(model: Workshop, mark: str) -> None:
    """The live part of :func:`EstateCard`: one picture per strategy, redrawn every step."""
    update_counter.get()
    width = "70%" if len(model.runs) == 1 else "100%"
    with solara.Row(gap="8px", justify="center"):
        for title, run in zip(_titles(model), model.runs, strict=False):
            with solara.Column(gap="2px", align="center", style={"flex": "1"}):
                if len(model.runs) > 1:
                    solara.Text(title, style={"font-weight": "600"})
                with model.lock:
                    picture = estate_png(run, mark)
                solara.Image(picture, width=width, classes=["tt-estate-img"])
    run = model.runs[0]
    solara.Text(
        f"Each block is one officer's patch: {len(run.officers)} officers, {int(run.p['patch_size'])} homes each.",
        classes=["tt-hint"],
    )


@solara.component
def EstateCard(model: Workshop) -> None:
    """The estate(s): homes coloured by trust, dots on marked households, officers' patches as blocks."""
    mark = solara.use_reactive("took part")
    with solara.Column(gap="4px", classes=["tt-estate"]):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            solara.Text("The estate", style={"font-weight": "700", "font-size": "16px"})
            solara.Select(label="Dots show", values=list(MARKS), value=mark, dense=True, style={"max-width": "210px"})
        EstatePictures(model, mark.value)
        with solara.Row(gap="6px", style={"align-items": "center"}):
            solara.Text("low trust", classes=["tt-hint"])
            solara.Image(legend_png(), width="120px", classes=["tt-estate-img"])
            solara.Text("high trust", classes=["tt-hint"])
            if MARKS[mark.value]:
                solara.Text(f"· dots: {MARKS[mark.value]}", classes=["tt-hint"])


@solara.component
def MonitorCard(model: Workshop) -> None:
    """The week counter and the latest value of the key outcomes (NetLogo's monitors)."""
    update_counter.get()
    with model.lock:
        week = model.week
        latest = {outcome: [charts.latest(run, outcome) for run in model.runs] for outcome in MONITORS}
    solara.Text(f"Week {week}", classes=["tt-week"])
    solara.Text(
        f"Year {week // 52 + 1}, week {week % 52 + 1} of the year · estate number {model.seed}", classes=["tt-hint"]
    )
    header = "".join(f"<th>{title}</th>" for title in _titles(model))
    rows = []
    for outcome in MONITORS:
        cells = "".join(f"<td>{_number(value)}</td>" for value in latest[outcome])
        rows.append(f"<tr><td>{outcomes.label(outcome)}</td>{cells}</tr>")
    solara.HTML(tag="table", unsafe_innerHTML=f"<tr><th></th>{header}</tr>{''.join(rows)}", classes=["tt-monitors"])
    pending = model.pending()
    if pending:
        solara.Text(f"Waiting for Reset: {', '.join(pending)}.", classes=["tt-pending"])


@solara.component
def ChartPicture(model: Workshop, key: str) -> None:
    """The live part of a chart card: the plot, redrawn every step from a figure kept per session."""
    update_counter.get()
    live = solara.use_memo(lambda: charts.LiveChart(key, model.names), [key, model])
    with model.lock:
        picture = live.png(model.runs, model.horizon)
    solara.Image(picture, width="100%")


def chart_card(key: str) -> Callable[[Workshop], None]:
    """The card of live plot ``key`` of :data:`dashboard.charts.CHARTS`: title, plot, how to read it."""
    chart = charts.CHARTS[key]

    @solara.component
    def ChartCard(model: Workshop) -> None:
        solara.Text(chart.title, style={"font-weight": "700", "font-size": "16px"})
        ChartPicture(model, key)
        solara.Text(chart.reading, classes=["tt-hint"])

    return ChartCard


#: The main area's cards, in display order (two to a row).
CARDS = [EstateCard, MonitorCard, *(chart_card(key) for key in charts.CHARTS)]
