"""Labels and formats of the community measures and the per-neighbourhood columns, whatever the model returns.

The model reports its community measures as a dict
(:meth:`~model.model.TrustModel.community`) and its neighbourhoods as a table
(:meth:`~model.model.TrustModel.neighbourhood_summary`), and both grow as
measures are added. The dashboard shows every key or column they return:
a known name gets its short label and number format from :data:`KNOWN`
(the planned ``cohesion``, ``community_assets`` and ``community_led_share``
included), a name declared in :mod:`model.outcomes` its declared label and
scale, and any other name a plain label made from the name itself
(:func:`measure`). A value that is missing, ``None``, NaN or not a number is
shown as a dash or as it is, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from model import outcomes

__all__ = [
    "IDENTITY",
    "KNOWN",
    "Measure",
    "community_values",
    "display",
    "measure",
    "neighbourhood_rows",
    "ordered",
]


@dataclass(frozen=True)
class Measure:
    """How one measure is shown: a short label, a factor to its displayed unit, and its decimal places.

    Attributes:
        name: The key or column name the model uses.
        label: Short label for a table's header or a monitor's row.
        scale: Factor from the model's value to the displayed one.
        decimals: Decimal places shown (None: one, or none from 1,000 up).
        known: Whether the dashboard knows the name (False: the plain fallback).
    """

    name: str
    label: str
    scale: float = 1.0
    decimals: int | None = None
    known: bool = True

    def format(self, value: Any) -> str:
        """``value`` in the displayed unit: "-" when missing or NaN; as it is when it is not a number.

        A code (:data:`CODES`) is shown in words.
        """
        number = display(self, value)
        words = CODES.get(self.name, {})
        if number is not None and number.is_integer() and int(number) in words:
            return words[int(number)]
        if number is None:
            return "-" if value is None or _is_nan(value) else str(value)
        if self.decimals is not None:
            return f"{number:,.{self.decimals}f}"
        return f"{number:,.1f}" if abs(number) < 1000 else f"{number:,.0f}"

    def format_all(self, values: list[Any]) -> list[str]:
        """:meth:`format` of each value; a column of plain finite numbers (the usual case) is done at once."""
        plain = all(type(v) in (int, float) for v in values) and self.name not in CODES
        if not plain or not all(math.isfinite(v) for v in values):
            return [self.format(v) for v in values]
        if self.decimals is not None:
            return [f"{v * self.scale:,.{self.decimals}f}" for v in values]
        return [f"{v * self.scale:,.1f}" if abs(v * self.scale) < 1000 else f"{v * self.scale:,.0f}" for v in values]


#: Values that are codes, in words (their declared meanings).
CODES: dict[str, dict[int, str]] = {
    "governance": {0: "landlord", 1: "TMO", 2: "co-op or CLT"},
    "neighbourhoods": {0: "0: one per neighbourhood homes"},
}
#: Measures the dashboard knows, with short labels; the community measures first, in display order.
KNOWN: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("ties_per_household", "Ties formed through taking part, per household", decimals=2),
        Measure("lonely_share", "Lonely often or always (%)"),
        Measure("cohesion", "Belong strongly to their neighbourhood (%)"),
        Measure("community_assets", "Places to meet in community ownership", decimals=0),
        Measure("community_led_share", "Homes run by a TMO, co-op or community land trust (%)"),
        Measure("governance", "Run by", decimals=0),
        Measure("governance_ended_week", "Community-led until week", decimals=0),
        Measure("trust_mean", "Trust (0-100)", scale=100.0),
        Measure("efficacy_mean", "Speaking up works (0-100)", scale=100.0),
        Measure("participation_rate", "Took part (%)", scale=100.0),
        Measure("active_share", "On a panel (%)", scale=100.0),
        Measure("satisfaction_true", "True satisfaction (%)"),
        Measure("homes", "Homes", decimals=0),
        Measure("seats", "Panel seats", decimals=0),
    )
}
#: Columns of the neighbourhood table that name a neighbourhood rather than measure it.
IDENTITY = ("neighbourhood",)
#: The per-neighbourhood columns shown first, in this order; any other column follows in the model's order.
FIRST_COLUMNS = (
    "homes",
    "governance",
    "trust_mean",
    "efficacy_mean",
    "participation_rate",
    "satisfaction_true",
    "active_share",
    "seats",
)


def measure(name: str) -> Measure:
    """How ``name`` is shown: :data:`KNOWN`, else its declaration in :mod:`model.outcomes`, else a plain label."""
    if name in KNOWN:
        return KNOWN[name]
    if name in outcomes.BY_NAME:
        return Measure(name, outcomes.label(name), scale=outcomes.scale(name))
    return Measure(name, name.replace("_", " ").strip().capitalize() or name, known=False)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def display(shown: Measure, value: Any) -> float | None:
    """``value`` in the displayed unit, or None when it is missing, NaN or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number * shown.scale


def ordered(names: Iterable[str], first: Iterable[str] = tuple(KNOWN)) -> list[str]:
    """``names`` once each: those in ``first`` in its order, then the rest in the order given."""
    given = list(dict.fromkeys(names))
    leading = [n for n in dict.fromkeys(first) if n in given]
    return leading + [n for n in given if n not in leading]


def community_values(runs: Iterable[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Every run's community measures now (one call of ``community()`` each), and their names in display order.

    A run whose model has no ``community()`` gives an empty dict; a key one
    run lacks is shown as missing for it.
    """
    measured = [dict(run.community()) if hasattr(run, "community") else {} for run in runs]
    return ordered(name for values in measured for name in values), measured


def neighbourhood_rows(table: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns to show and the rows of a ``neighbourhood_summary()`` table, one row per neighbourhood.

    Args:
        table: A pandas DataFrame, one row per neighbourhood (any columns).

    Returns:
        ``(columns, rows)``: the measure columns in display order
        (:data:`FIRST_COLUMNS`, then the community measures, then any other),
        and each row as a dict with ``"estate"`` (the neighbourhood's number
        counted from 1, as the page shows it) and the model's values.
    """
    values: Mapping[str, list[Any]] = {c: column.tolist() for c, column in table.items()}  # cheaper than records
    columns = ordered((c for c in values if c not in IDENTITY), (*FIRST_COLUMNS, *KNOWN))
    numbers = values.get("neighbourhood", range(len(table)))
    return columns, [{"estate": int(k) + 1, **{c: values[c][i] for c in columns}} for i, k in enumerate(numbers)]
