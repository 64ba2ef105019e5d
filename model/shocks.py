"""Shocks a scenario can schedule.

The kinds: a damp and mould crisis, a budget cut, a welfare reform and a staff
restructure.

Each kind declares its options (default, bounds, meaning) once; scenario
files name a kind, a week and any options::

    [[shocks]]
    kind = "budget_cut"
    week = 104
    cut = 0.15
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from model.households import Households


class ShockTarget(Protocol):
    """What a shock may touch on the model (:class:`model.model.TrustModel` is one).

    Attributes:
        households: Tenant households' state arrays.
        rng: The run's random number generator.
        p: Current parameter values.
    """

    households: Households
    rng: np.random.Generator
    p: Mapping[str, float | int]

    def set_params(self, values: Mapping[str, float | int], checked: bool = True) -> None:
        """Change parameters now."""

    def hear_news(self, signal: float) -> None:
        """Every household hears news of weight ``signal`` in [-1, 1]."""

    def replace_all_officers(self) -> None:
        """Redraw patches at the current patch size; every relationship resets."""


class ShockError(ValueError):
    """A shock entry that cannot be used."""


@dataclass(frozen=True)
class Shock:
    """One scheduled shock (``origin`` says which file and entry it came from)."""

    kind: str
    week: int
    options: dict[str, float]
    origin: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {"kind": self.kind, "week": self.week, **self.options}


def _damp_crisis(model: ShockTarget, extra_share: float, publicity: float) -> None:
    """More homes develop damp and mould, and the news reaches every tenant.

    Rule: a further ``extra_share`` of homes become damp-risk; every household
    hears a bad story of weight ``publicity`` (media coverage), applied as a
    bad outcome. Evidence: damp, mould or condensation named by over half of
    tenants with maintenance concerns (DLUHC 2022); sizes: assumption.
    """
    h = model.households
    newly = model.rng.random(h.size) < extra_share
    h.damp |= newly
    model.hear_news(-publicity)


def _budget_cut(model: ShockTarget, cut: float) -> None:
    """The envelope for repairs, staff and engagement shrinks by ``cut``.

    Rule: ``envelope' = envelope * (1 - cut)``; the repair budget absorbs it.
    Assumption.
    """
    model.set_params(_budget_cut_params(model.p, cut))


def _budget_cut_params(p: Mapping[str, float | int], cut: float) -> dict[str, float | int]:
    return {"envelope_per_home": p["envelope_per_home"] * (1.0 - cut)}


def _welfare_reform(model: ShockTarget, affected_share: float, hardship_hit: float) -> None:
    """A welfare reform pushes a share of households into hardship.

    Rule: ``affected_share`` of households gain support needs and their trust
    falls in proportion, ``t' = t * exp(-hardship_hit)``. Evidence: seeds/001
    (welfare reform working group); the form and sizes are assumptions.
    """
    h = model.households
    affected = model.rng.random(h.size) < affected_share
    h.support_needs |= affected
    h.trust = np.where(affected, h.trust * np.exp(-hardship_hit), h.trust)


def _staff_restructure(model: ShockTarget, patch_change: float) -> None:
    """Patches are redrawn: every relationship resets, patch sizes change.

    Rule: ``patch' = round(patch * (1 + patch_change))`` and all officers are
    replaced. Assumption.
    """
    model.set_params(_restructure_params(model.p, patch_change))
    model.replace_all_officers()


def _restructure_params(p: Mapping[str, float | int], patch_change: float) -> dict[str, float | int]:
    return {"patch_size": round(p["patch_size"] * (1.0 + patch_change))}


@dataclass(frozen=True)
class Option:
    """One option of a shock kind.

    Attributes:
        default: Value when a scenario does not set it.
        low: Smallest allowed value.
        high: Largest allowed value.
        meaning: What the option means, in plain language.
    """

    default: float
    low: float
    high: float
    meaning: str


@dataclass(frozen=True)
class _Kind:
    apply: Callable[..., None]
    options: dict[str, Option]
    changes: Callable[..., dict[str, float | int]] | None = None  # the parameters it changes


KINDS: dict[str, _Kind] = {
    "damp_crisis": _Kind(
        _damp_crisis,
        {
            "extra_share": Option(0.10, 0.0, 0.5, "Further share of homes that become damp-risk."),
            "publicity": Option(0.5, 0.0, 1.0, "Weight of the bad news every household hears."),
        },
    ),
    "budget_cut": _Kind(
        _budget_cut, {"cut": Option(0.10, 0.0, 0.6, "Share cut from the envelope per home.")}, _budget_cut_params
    ),
    "welfare_reform": _Kind(
        _welfare_reform,
        {
            "affected_share": Option(0.15, 0.0, 0.5, "Share of households pushed into hardship."),
            "hardship_hit": Option(0.1, 0.0, 0.5, "Fall in an affected household's trust (log scale)."),
        },
    ),
    "staff_restructure": _Kind(
        _staff_restructure,
        {"patch_change": Option(0.25, -0.5, 1.0, "Relative change in patch size.")},
        _restructure_params,
    ),
}
#: Latest week a shock may be scheduled (as for schedule entries).
MAX_WEEK = 52 * 50


def describe(kind: str) -> str:
    """The first line of a shock kind's docstring."""
    return (KINDS[kind].apply.__doc__ or "").strip().splitlines()[0]


def parse(entry: Any, where: str) -> Shock:
    """Check one ``[[shocks]]`` table and return the :class:`Shock`.

    Raises:
        ShockError: Naming where, the key, the value and what is allowed.
    """
    if not isinstance(entry, Mapping):
        raise ShockError(f"{where} = {entry!r}; allowed: a table with kind, week and options")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ShockError(f"{where}: key 'kind' = {kind!r}; allowed: {', '.join(sorted(KINDS))}")
    week = entry.get("week")
    if isinstance(week, bool) or not isinstance(week, int) or not 0 <= week <= MAX_WEEK:
        raise ShockError(f"{where}: key 'week' = {week!r}; allowed: an integer week in [0, {MAX_WEEK}]")
    declared = KINDS[kind].options
    options = {name: option.default for name, option in declared.items()}
    for key, value in entry.items():
        if key in ("kind", "week"):
            continue
        if key not in declared:
            allowed = ", ".join(["kind", "week", *sorted(declared)])
            raise ShockError(f"{where}: unknown key '{key}' = {value!r} for {kind}; allowed keys: {allowed}")
        low, high = declared[key].low, declared[key].high
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ShockError(f"{where}: key '{key}' = {value!r}; allowed: a number in [{low:g}, {high:g}]")
        options[key] = float(value)
    return Shock(kind, week, options, where)


def changed_params(shock: Shock, values: Mapping[str, float | int]) -> dict[str, float | int]:
    """The parameter values ``shock`` would set, given the values before it (unchecked)."""
    changes = KINDS[shock.kind].changes
    return changes(values, **shock.options) if changes else {}


def apply(shock: Shock, model: ShockTarget) -> None:
    """Apply ``shock`` to ``model`` now."""
    KINDS[shock.kind].apply(model, **shock.options)
