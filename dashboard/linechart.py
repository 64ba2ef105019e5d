"""A line chart drawn in the browser: an SVG made by a small Vue component from the numbers it is sent.

The server sends a plot's series (:func:`dashboard.charts.chart_data`) as one
JSON text, a single widget property (Solara would otherwise walk every number
of nested lists at each redraw, looking for components); the browser draws the axes, the lines and the legend, and
redraws when the numbers change. Plot text is 14-15 px at any width, lines and
text take the page's text colour (so dark mode is readable), and a "Download
PNG" link turns the SVG into a PNG in the browser, without asking the server.
"""

from __future__ import annotations

import json

import solara

__all__ = ["LineChart"]


@solara.component_vue("linechart.vue")
def _LineChart(chart: str, title: str = "", filename: str = "chart") -> None:  # noqa: N802 - a Solara component
    """The Vue component: ``chart`` is the JSON text of the plot's numbers."""


def LineChart(chart: dict, title: str = "", filename: str = "chart") -> solara.Element:  # noqa: N802 - as a component
    """A live plot.

    Args:
        chart: The plot's numbers, as :func:`dashboard.charts.chart_data` gives them.
        title: The plot's title (in the PNG download and for screen readers).
        filename: Name of the PNG download, without ``.png``.
    """
    return _LineChart(chart=json.dumps(chart, separators=(",", ":")), title=title, filename=filename)
