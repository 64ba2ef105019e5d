"""Landlord policies: rules that watch the landlord's own measurements and move its levers.

A strategy team's real plan is often a policy, not a fixed preset: "if TP01
falls below 70%, put officers back on the estate"; "if the repairs backlog
passes 100 per 1,000 homes, move money from officers to repairs". A scenario
file states such rules as ``[[policies]]``::

    [[policies]]
    name = "Estate presence when TP01 falls"
    watch = "tsm_tp01"               # what the landlord sees (see WATCHABLE)
    when = "below"                   # or "above"
    threshold = 70.0                 # in the measure's stored unit (TSMs in %)
    set = { estate_presence = 0.6, patch_size = 200 }   # levers only
    lag_weeks = 13                   # decision to change: the time to act
    budget_cycle = true              # changes that cost money wait for the next budget year
    release = 80.0                   # optional: undo the change when the measure recovers past this

Rules (every one an assumption about how landlords decide, stated so a
scenario can vary it):

- **Review.** The landlord reviews every policy at the end of each quarter
  (:data:`REVIEW_WEEKS`), after the yearly survey when one falls in that
  week, against the latest value it can see: the survey's TSMs (yearly, with
  the survey's sampling and mode error) or its own operational figures (the
  repairs backlog and waits, who took part). It never sees tenants' true trust.
- **Decision.** A policy that is idle starts when its measure is past the
  threshold (:func:`triggered`); one in force ends when a ``release`` is
  given and the measure has recovered past it (:func:`recovered`), restoring
  the levers it changed to their values before it started. A measure not yet
  available (no survey before week 52) decides nothing.
- **Lag and budget cycle.** A decision takes effect ``lag_weeks`` after the
  review, and, with ``budget_cycle``, not before the next budget year starts
  (a multiple of 52 weeks from the strategy's start; :func:`effective_week`).
- **Consequences.** The change is applied as a scheduled change is
  (:meth:`model.model.TrustModel.set_params`), so ending a programme tenants
  were promised is a broken promise they live through.

If a schedule entry or a shock changes a lever a policy also sets, the later
change wins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from model import outcomes, params

#: Weeks between reviews: the end of each quarter.
REVIEW_WEEKS = 13
#: Weeks in a budget year.
BUDGET_YEAR = 52
#: What a landlord can watch: its survey's TSMs and its own operational figures (never true trust).
WATCHABLE: tuple[str, ...] = (
    *(o.name for o in outcomes.OUTCOMES if o.name.startswith("tsm_")),
    "repair_backlog_per_1000",
    "repair_wait_weeks_mean",
    "participation_rate",
)
_KEYS = {"name", "watch", "when", "threshold", "set", "lag_weeks", "budget_cycle", "release", "note"}
_REQUIRED = ("name", "watch", "when", "threshold", "set")
MAX_LAG_WEEKS = 520


class PolicyError(ValueError):
    """A policy entry that cannot be used."""


@dataclass(frozen=True)
class Policy:
    """One landlord policy, as a scenario file states it.

    Attributes:
        name: What the policy is called in reports.
        watch: The measurement it watches (one of :data:`WATCHABLE`).
        when: ``"below"`` or ``"above"``: which side of ``threshold`` starts it.
        threshold: The value past which it starts, in the measure's stored unit.
        values: The levers it sets when it starts.
        lag_weeks: Weeks from the review that decides to the change.
        budget_cycle: The change waits for the next budget year to start.
        release: The value past which, back on the good side, it ends (None: it never ends).
        note: Free text for the report.
    """

    name: str
    watch: str
    when: Literal["below", "above"]
    threshold: float
    values: dict[str, float | int]
    lag_weeks: int = REVIEW_WEEKS
    budget_cycle: bool = True
    release: float | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record, with the file's key names."""
        return {
            "name": self.name,
            "watch": self.watch,
            "when": self.when,
            "threshold": self.threshold,
            "set": dict(self.values),
            "lag_weeks": self.lag_weeks,
            "budget_cycle": self.budget_cycle,
            "release": self.release,
            "note": self.note,
        }


@dataclass
class PolicyState:
    """Where one policy stands in a run.

    Attributes:
        policy: The policy.
        in_force: Its levers are set.
        due: The week a decided change takes effect (None: nothing pending).
        saved: The levers' values before it started (to restore when it ends).
    """

    policy: Policy
    in_force: bool = False
    due: int | None = None
    saved: dict[str, float | int] = field(default_factory=dict)


# --- the rules ---------------------------------------------------------------------------
def triggered(value: float, when: str, threshold: float) -> bool:
    """Whether a measurement is past the threshold that starts a policy.

    Rule: ``value < threshold`` for ``"below"``, ``value > threshold`` for
    ``"above"``; a missing measurement (NaN) starts nothing. Assumption.
    """
    if math.isnan(value):
        return False
    return value < threshold if when == "below" else value > threshold


def recovered(value: float, when: str, release: float | None) -> bool:
    """Whether a measurement has come back past a policy's release level, so it ends.

    Rule: ``value >= release`` for a ``"below"`` policy, ``value <= release``
    for an ``"above"`` one; never without a release level or a measurement.
    Assumption.
    """
    if release is None or math.isnan(value):
        return False
    return value >= release if when == "below" else value <= release


def effective_week(review_week: int, lag_weeks: int, budget_cycle: bool) -> int:
    """The week a change decided at ``review_week`` takes effect.

    Rule: the week after the review plus ``lag_weeks``, and with
    ``budget_cycle`` no earlier than the next budget year's first week (a
    multiple of :data:`BUDGET_YEAR`). Assumption.
    """
    due = review_week + 1 + lag_weeks
    return -(-due // BUDGET_YEAR) * BUDGET_YEAR if budget_cycle else due


def is_review_week(week: int) -> bool:
    """Whether the landlord reviews its policies at the end of ``week`` (the last week of a quarter)."""
    return week >= 0 and week % REVIEW_WEEKS == REVIEW_WEEKS - 1


# --- reading them from a scenario file ------------------------------------------------
def parse(entries: Any, where: str) -> list[Policy]:
    """Check and read a scenario file's ``[[policies]]`` entries.

    Raises:
        PolicyError: Naming the entry, the key, the value and what is allowed.
    """
    if not isinstance(entries, list):
        raise PolicyError(f"{where}: key 'policies' = {entries!r}; allowed: an array of tables [[policies]]")
    policies = [_parse_one(entry, f"{where}: policy {number}") for number, entry in enumerate(entries, start=1)]
    names = [p.name for p in policies]
    for name in names:
        if names.count(name) > 1:
            raise PolicyError(f"{where}: policy name '{name}' is given twice; allowed: a different name for each")
    return policies


def _parse_one(entry: Any, at: str) -> Policy:
    if not isinstance(entry, dict):
        raise PolicyError(f"{at} = {entry!r}; allowed: a table with {', '.join(sorted(_KEYS))}")
    for key, value in entry.items():
        if key not in _KEYS:
            raise PolicyError(f"{at}: unknown key '{key}' = {value!r}; allowed keys: {', '.join(sorted(_KEYS))}")
    for key in _REQUIRED:
        if key not in entry:
            raise PolicyError(f"{at}: key '{key}' is missing; required: {', '.join(_REQUIRED)}")
    name, note = _text(entry, "name", at, empty=False), _text(entry, "note", at, empty=True)
    watch = entry["watch"]
    if watch not in WATCHABLE:
        raise PolicyError(f"{at}: key 'watch' = {watch!r}; allowed: {', '.join(WATCHABLE)}")
    when = entry["when"]
    if when not in ("below", "above"):
        raise PolicyError(f"{at}: key 'when' = {when!r}; allowed: 'below' or 'above'")
    threshold = _level(entry["threshold"], "threshold", watch, at)
    release = None if entry.get("release") is None else _level(entry["release"], "release", watch, at)
    if release is not None and not (release > threshold if when == "below" else release < threshold):
        side = "above" if when == "below" else "below"
        raise PolicyError(
            f"{at}: key 'release' = {release!r}; allowed: a level {side} the threshold {threshold!r}, so the "
            "policy cannot start and end on the same reading"
        )
    return Policy(
        name=name,
        watch=watch,
        when=when,
        threshold=threshold,
        values=_levers(entry["set"], at),
        lag_weeks=_lag(entry.get("lag_weeks", REVIEW_WEEKS), at),
        budget_cycle=_flag(entry.get("budget_cycle", True), at),
        release=release,
        note=note,
    )


def _text(entry: Mapping[str, Any], key: str, at: str, empty: bool) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise PolicyError(f"{at}: key '{key}' = {value!r}; allowed: a {'' if empty else 'non-empty '}string")
    return value


def _level(value: Any, key: str, watch: str, at: str) -> float:
    declared = outcomes.get(watch)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PolicyError(f"{at}: key '{key}' = {value!r}; allowed: a number in [{declared.low}, {declared.high}]")
    if not declared.low <= value <= declared.high:
        raise PolicyError(
            f"{at}: key '{key}' = {value!r}; allowed: a number in [{declared.low}, {declared.high}] "
            f"({declared.label}, stored unit)"
        )
    return float(value)


def _levers(values: Any, at: str) -> dict[str, float | int]:
    levers = sorted(p.name for p in params.PARAMETERS if p.lever and not p.fixed_at_start)
    if not isinstance(values, dict) or not values:
        raise PolicyError(f"{at}: key 'set' = {values!r}; allowed: a non-empty table of lever values")
    for name, value in values.items():
        if name not in levers:
            raise PolicyError(f"{at}: key 'set' names '{name}' = {value!r}; allowed: the levers {', '.join(levers)}")
    try:
        return params.validate(values, f"{at}: set")
    except params.ParameterError as error:
        raise PolicyError(str(error)) from None


def _lag(value: Any, at: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_LAG_WEEKS:
        raise PolicyError(f"{at}: key 'lag_weeks' = {value!r}; allowed: an integer in [0, {MAX_LAG_WEEKS}]")
    return value


def _flag(value: Any, at: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"{at}: key 'budget_cycle' = {value!r}; allowed: true or false")
    return value
