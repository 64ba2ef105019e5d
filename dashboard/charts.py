"""The dashboard's live plots: data for the browser to draw, and Matplotlib pictures for downloads.

The live plots are drawn in the participant's browser (:mod:`dashboard.linechart`,
an SVG drawn by a small Vue component): the server sends each plot's series as
numbers (:func:`chart_data`, at most :data:`MAX_POINTS` points a line), which
costs it far less than drawing a picture per redraw. Matplotlib draws the same
plots only when a picture is asked for (:class:`LiveChart`, for the
facilitator's debrief summary). Each chart reads the weekly series that every :class:`~model.model.TrustModel`
records (the columns of ``weekly()``, straight from its data collector, so no
DataFrame is built per redraw). In side-by-side mode both strategies share a
chart: strategy A in solid lines, strategy B dashed. Outcome scales come from
the outcome declarations (:mod:`model.outcomes`), as in the reports.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from model.model import TrustModel
from model.outcomes import scale
from model.submodels import YEAR

__all__ = ["CHARTS", "MAX_POINTS", "Chart", "LiveChart", "Panel", "chart_data", "latest", "series"]

_STYLES = ("-", "--")
#: Outcomes measured on demand rather than in the weekly series (ODD 7.22); the monitors show these and any
#: other key ``community()`` returns (:mod:`dashboard.measures`).
COMMUNITY = ("ties_per_household", "lonely_share")


@dataclass(frozen=True)
class Panel:
    """One set of axes: the series it shows (outcome -> legend name) and its y label."""

    series: dict[str, str]
    ylabel: str
    reference: float | None = None


@dataclass(frozen=True)
class Chart:
    """A live plot: a title, a sentence saying how to read it, and one or two panels."""

    title: str
    reading: str
    panels: tuple[Panel, ...]


#: The live plots, in display order.
CHARTS: dict[str, Chart] = {
    "trust": Chart(
        "Trust in the landlord",
        "Trust of every household, and of the groups most often left out (0-100).",
        (
            Panel(
                {
                    "trust_mean": "everyone",
                    "trust_digitally_excluded": "digitally excluded",
                    "trust_underrepresented": "under-represented",
                },
                "trust (0-100)",
            ),
        ),
    ),
    "participation": Chart(
        "Who takes part",
        "Top: took part in anything in the last year. Bottom: under-represented group's share of "
        "participants over its share of tenants (below 1: missing from the room).",
        (
            Panel({"participation_rate": "took part"}, "% of households"),
            Panel({"representation_ratio": "representation"}, "ratio (1 = fair)", reference=1.0),
        ),
    ),
    "survey": Chart(
        "What the survey says, and what tenants feel",
        "TP01 as the yearly TSM survey measures it, against the true satisfaction of every household.",
        (Panel({"satisfaction_true": "true satisfaction", "tsm_tp01": "TP01 survey"}, "% satisfied"),),
    ),
    "repairs": Chart(
        "Repairs and cost",
        "Top: average wait for a repair. Bottom: £ a home a year on officers and tenant involvement.",
        (
            Panel({"repair_wait_weeks_mean": "repair wait"}, "weeks"),
            Panel({"cost_per_home": "staff and engagement"}, "£/home/year"),
        ),
    ),
}
_COLOURS = ("#1f5fa8", "#d9662a", "#2a9d55")
#: Most points a line of a live plot sends to the browser (a ten-year run has 521 weekly points).
MAX_POINTS = 260
#: Colour of a kept run ("keep this run"), drawn dotted behind the live lines.
KEPT_COLOUR = "#8a8a8a"
_DASHES = ("", "7 4")


def series(run: TrustModel, outcome: str) -> tuple[np.ndarray, np.ndarray]:
    """Years and the displayed values of ``outcome`` so far (scaled as in the reports)."""
    table = run.datacollector.tables["weekly"]
    rows = min(len(table["week"]), len(table[outcome]))  # equal unless a week is being recorded right now
    weeks = np.asarray(table["week"][:rows], dtype=float)
    values = np.asarray(table[outcome][:rows], dtype=float) * scale(outcome)
    return weeks / YEAR, values


class LiveChart:
    """One live plot, kept between redraws: each redraw only replaces the lines' data.

    Building a Matplotlib figure costs far more than drawing it, so a session
    keeps one :class:`LiveChart` per plot and per set of strategies.

    Args:
        key: Which chart of :data:`CHARTS`.
        names: The strategies' names: one, or two side by side (A solid, B dashed).
    """

    def __init__(self, key: str, names: list[str]) -> None:
        """Build the figure, its axes and one line per strategy and series."""
        self.chart = CHARTS[key]
        self.figure = Figure(figsize=(5.6, 3.0), dpi=96)
        self.canvas = FigureCanvasAgg(self.figure)
        self.axes = list(self.figure.subplots(len(self.chart.panels), 1, sharex=True, squeeze=False)[:, 0])
        self.lines: list[tuple[Axes, int, str, Line2D]] = []
        for ax, panel in zip(self.axes, self.chart.panels, strict=True):
            self._set_up(ax, panel, len(names))
        self.axes[-1].set_xlabel("years", fontsize=8)
        top = 0.95
        if len(names) > 1:
            styles = [Line2D([], [], color="black", linestyle=s, linewidth=1.4) for s in _STYLES]
            labels = [f"{side}: {name}" for side, name in zip("AB", names, strict=False)]
            self.figure.legend(styles, labels, loc="upper right", fontsize=7, ncol=2, frameon=False)
            top = 0.9
        self.figure.subplots_adjust(left=0.13, right=0.97, top=top, bottom=0.13, hspace=0.12)

    def _set_up(self, ax: Axes, panel: Panel, strategies: int) -> None:
        for side in range(strategies):
            for colour, outcome in zip(_COLOURS, panel.series, strict=False):
                steps = "steps-post" if outcome.startswith("tsm_") else "default"
                (line,) = ax.plot([], [], _STYLES[side], color=colour, linewidth=1.6, drawstyle=steps)
                self.lines.append((ax, side, outcome, line))
        if panel.reference is not None:
            ax.axhline(panel.reference, color="grey", linewidth=0.8, linestyle=":")
        ax.set_ylabel(panel.ylabel, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        if len(panel.series) > 1:
            handles = [Line2D([], [], color=c, linewidth=1.6) for c, _ in zip(_COLOURS, panel.series, strict=False)]
            ax.legend(handles, list(panel.series.values()), fontsize=7, loc="best", framealpha=0.8)

    def png(self, runs: list[TrustModel], horizon_weeks: int) -> bytes:
        """Redraw with the runs' series so far and return the PNG.

        Args:
            runs: The runs, in the order of the names given when the chart was built.
            horizon_weeks: Length of the x axis in weeks (it grows if a run goes on longer).
        """
        for _, side, outcome, line in self.lines:
            line.set_data(*series(runs[side], outcome))
        for ax in self.axes:
            ax.relim()
            ax.autoscale_view(scalex=False)
            ax.set_xlim(0, max(horizon_weeks, runs[0].week, 1) / YEAR)
        self.canvas.draw()
        picture = np.asarray(self.canvas.buffer_rgba())[:, :, :3]
        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(picture), mode="RGB").save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


def _thinned(x: np.ndarray, y: np.ndarray, steps: bool) -> list[list[float]]:
    """At most :data:`MAX_POINTS` points (the last always kept), as ``[x, y]`` pairs; NaN gaps dropped."""
    stride = max(1, math.ceil(len(x) / MAX_POINTS))
    keep = np.arange(0, len(x), stride)
    if len(x) and keep[-1] != len(x) - 1:
        keep = np.append(keep, len(x) - 1)
    x, y = x[keep], y[keep]
    if steps and len(x) > 1:  # a step each year: hold each value until the next one
        x = np.repeat(x, 2)[1:]
        y = np.repeat(y, 2)[:-1]
    good = np.isfinite(y)
    return [[round(float(a), 3), round(float(b), 2)] for a, b in zip(x[good], y[good], strict=True)]


def chart_data(
    key: str,
    runs: list[TrustModel],
    names: list[str],
    horizon_weeks: int,
    kept: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    kept_name: str = "",
) -> dict:
    """The numbers the browser needs to draw live plot ``key``.

    Args:
        key: Which chart of :data:`CHARTS`.
        runs: The strategies' runs (A solid, B dashed).
        names: Their legend names, in the same order.
        horizon_weeks: Length of the x axis in weeks (longer if a run goes on).
        kept: A kept run's series by outcome (:func:`series`), drawn dotted in grey.
        kept_name: The kept run's legend name.

    Returns:
        ``{"xmax": years, "panels": [{"ylabel", "reference", "lines": [{"label", "colour", "dash", "points"}]}]}``.
    """
    chart = CHARTS[key]
    panels = []
    for panel in chart.panels:
        lines = []
        for outcome, legend in panel.series.items():
            colour = _COLOURS[list(panel.series).index(outcome)]
            steps = outcome.startswith("tsm_")
            if kept and outcome in kept:
                points = _thinned(*kept[outcome], steps)
                lines.append(
                    {"label": f"{legend} (kept: {kept_name})", "colour": KEPT_COLOUR, "dash": "2 3", "points": points}
                )
            for side, (run, name) in enumerate(zip(runs, names, strict=True)):
                label = legend if len(runs) == 1 else f"{legend}, {name}"
                lines.append(
                    {
                        "label": label,
                        "colour": colour,
                        "dash": _DASHES[side],
                        "points": _thinned(*series(run, outcome), steps),
                    }
                )
        panels.append({"ylabel": panel.ylabel, "reference": panel.reference, "lines": lines})
    xmax = max(horizon_weeks, max(run.week for run in runs), 1) / YEAR
    return {"xmax": round(xmax, 3), "panels": panels}


def latest(run: TrustModel, outcome: str) -> float:
    """The latest displayed value of ``outcome`` (NaN before it is first measured).

    The community outcomes (:data:`COMMUNITY`) are not in the weekly series, so they are measured now; one
    the model does not report is NaN.
    """
    value = run.community().get(outcome) if outcome in COMMUNITY else run.metrics.get(outcome, math.nan)
    return float(value) * scale(outcome) if value is not None else math.nan
