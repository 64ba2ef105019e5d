"""Every outcome the model reports, declared once.

Each :class:`Outcome` says what the number is (label, unit, the factor that
turns it into its displayed unit, its range), which direction is better, which
group of tenants it is measured for, and where it comes from: the estate's
state at any week, or the latest yearly TSM-style survey. The model's weekly
series and end-of-run summary (:meth:`model.model.TrustModel.measure`,
:meth:`~model.model.TrustModel.summary`), the comparison report and figures,
the robustness analysis, experiment files' ``outcomes`` and the dashboard's
monitors and charts all take their names, labels, scales and directions from
here.

The order of :data:`OUTCOMES` is the order of ``summary()``: the estate's
outcomes, then the survey's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

#: The groups of tenants an outcome can be measured for, with a plain-language name.
GROUPS: dict[str, str] = {
    "everyone": "every household",
    "digitally_excluded": "households without online access",
    "digitally_included": "households with online access",
    "underrepresented": "the under-represented (ethnic-minority) group",
    "majority": "everyone outside the under-represented group",
    "over_65": "households aged 65 and over",
    "aged_25_54": "households aged 25-54",
}
#: Which way an outcome is better.
Better = Literal["higher", "lower", "closer to 1"]


class OutcomeError(KeyError):
    """A name that is not a declared outcome."""


@dataclass(frozen=True)
class Outcome:
    """One declared outcome.

    Attributes:
        name: Column name in every table (``summary.json``, ``runs.csv``, sweeps).
        label: Plain-language label with its displayed unit, for tables and figures.
        unit: Displayed unit (after multiplying by ``scale``).
        scale: Factor that turns the stored value into its displayed unit.
        low: Smallest possible stored value.
        high: Largest possible stored value (``math.inf`` if unbounded).
        better: Which direction is better.
        group: The tenants it is measured over (a key of :data:`GROUPS`).
        source: ``"estate"`` (measured from the state any week) or
            ``"survey"`` (the latest yearly survey; missing before week 52).
        weekly: Recorded in the weekly series.
        brief: A short name for sentences ("trust"); the name in words if empty.
        when_undefined: When the value is NaN because its denominator is
            empty, and why (e.g. nobody took part); empty if it is always
            defined. The value stays NaN: no number is invented for it.
    """

    name: str
    label: str
    unit: str
    scale: float
    low: float
    high: float
    better: Better
    group: str = "everyone"
    source: Literal["estate", "survey"] = "estate"
    weekly: bool = False
    brief: str = ""
    when_undefined: str = ""

    def words(self) -> str:
        """The outcome's short name for plain-language sentences."""
        return self.brief or self.name.replace("_", " ")

    def undefined_reason(self) -> str:
        """Why the outcome can be NaN, for messages ("it is always defined" if it cannot)."""
        return self.when_undefined or "it is always defined"


#: Why a group's outcome can be undefined.
_EMPTY_GROUP = "NaN when the estate has no household in the group (an empty group has no mean)"
#: Why a survey outcome can be undefined.
_NO_SURVEY = "NaN before the first yearly survey (week 52) or when nobody answered the question"


def _undefined_for(group: str) -> str:
    return "" if group == "everyone" else _EMPTY_GROUP


def _trust(name: str, label: str, group: str, brief: str = "") -> Outcome:
    return Outcome(
        name,
        label,
        "0-100",
        100.0,
        0.0,
        1.0,
        "higher",
        group,
        weekly=True,
        brief=brief,
        when_undefined=_undefined_for(group),
    )


def _satisfaction(name: str, label: str, group: str) -> Outcome:
    return Outcome(name, label, "%", 1.0, 0.0, 100.0, "higher", group, when_undefined=_EMPTY_GROUP)


def _spend(name: str, label: str, brief: str) -> Outcome:
    return Outcome(name, label, "£/home/year", 1.0, 0.0, math.inf, "lower", brief=brief)


def _survey(name: str, label: str, brief: str = "", weekly: bool = False) -> Outcome:
    return Outcome(
        name,
        label,
        "%",
        1.0,
        0.0,
        100.0,
        "higher",
        source="survey",
        weekly=weekly,
        brief=brief,
        when_undefined=_NO_SURVEY,
    )


#: Every outcome, in the order of ``summary()``.
OUTCOMES: tuple[Outcome, ...] = (
    _trust("trust_mean", "Trust in the landlord (0-100)", "everyone", brief="trust"),
    _trust("trust_digitally_excluded", "Trust: digitally excluded (0-100)", "digitally_excluded"),
    _trust("trust_digitally_included", "Trust: digitally included (0-100)", "digitally_included"),
    _trust("trust_underrepresented", "Trust: under-represented group (0-100)", "underrepresented"),
    _trust("trust_majority", "Trust: everyone else (0-100)", "majority"),
    Outcome("efficacy_mean", "Belief that speaking up works (0-100)", "0-100", 100.0, 0.0, 1.0, "higher", weekly=True),
    Outcome(
        "participation_rate",
        "Took part in the last year (%)",
        "%",
        100.0,
        0.0,
        1.0,
        "higher",
        weekly=True,
        brief="participation",
    ),
    Outcome("active_share", "On a panel or the board (%)", "%", 100.0, 0.0, 1.0, "higher", weekly=True),
    Outcome(
        "representation_ratio",
        "Representation of under-represented group (1 = fair)",
        "ratio",
        1.0,
        0.0,
        math.inf,
        "closer to 1",
        "underrepresented",
        weekly=True,
        brief="representation",
        when_undefined=(
            "NaN when nobody took part in the last year (there are no participants to take the group's share of)"
            " or the estate has no under-represented household"
        ),
    ),
    Outcome(
        "satisfaction_true",
        "True overall satisfaction (%)",
        "%",
        1.0,
        0.0,
        100.0,
        "higher",
        weekly=True,
        brief="true satisfaction",
    ),
    Outcome(
        "repair_backlog_per_1000",
        "Open repairs per 1,000 homes",
        "per 1,000 homes",
        1.0,
        0.0,
        1000.0,
        "lower",
        weekly=True,
        brief="the repair backlog",
    ),
    Outcome(
        "repair_wait_weeks_mean",
        "Average repair wait (weeks)",
        "weeks",
        1.0,
        0.0,
        math.inf,
        "lower",
        weekly=True,
        brief="repair waits",
        when_undefined="NaN when no repair has been completed yet (there is no wait to average)",
    ),
    Outcome(
        "cost_per_home",
        "Staff and engagement cost (£/home/year)",
        "£/home/year",
        1.0,
        0.0,
        math.inf,
        "lower",
        weekly=True,
        brief="cost per home",
    ),
    Outcome("visible_change", "Priorities visibly acted on (share)", "share", 1.0, 0.0, 1.0, "higher", weekly=True),
    Outcome(
        "central_pass_through",
        "Neighbourhood priorities the central layer takes through (share)",
        "share",
        1.0,
        0.0,
        1.0,
        "higher",
        brief="central pass-through",
    ),
    Outcome(
        "ties_per_household",
        "Ties formed through taking part, per household",
        "ties",
        1.0,
        0.0,
        math.inf,
        "higher",
        brief="ties formed through taking part",
    ),
    Outcome(
        "lonely_share",
        "Lonely often or always (%)",
        "%",
        1.0,
        0.0,
        100.0,
        "lower",
        brief="loneliness",
    ),
    Outcome(
        "cohesion",
        "Belong strongly to their neighbourhood (%)",
        "%",
        1.0,
        0.0,
        100.0,
        "higher",
        brief="cohesion",
    ),
    Outcome(
        "community_assets",
        "Places to meet in community ownership",
        "assets",
        1.0,
        0.0,
        math.inf,
        "higher",
        brief="community assets",
    ),
    Outcome(
        "community_led_share",
        "Homes run by a TMO, co-op or community land trust (%)",
        "%",
        1.0,
        0.0,
        100.0,
        "higher",
        brief="homes in community control",
    ),
    _satisfaction(
        "satisfaction_true_underrepresented", "True satisfaction: under-represented group (%)", "underrepresented"
    ),
    _satisfaction("satisfaction_true_majority", "True satisfaction: everyone else (%)", "majority"),
    _satisfaction("satisfaction_true_over_65", "True satisfaction: aged 65 and over (%)", "over_65"),
    _satisfaction("satisfaction_true_25_54", "True satisfaction: aged 25-54 (%)", "aged_25_54"),
    Outcome("repair_budget_per_home", "Repair budget (£/home/year)", "£/home/year", 1.0, 0.0, math.inf, "higher"),
    _spend("spend_frontline_per_home", "Spend on housing officers (£/home/year)", "officer spend"),
    _spend("spend_involvement_per_home", "Spend on involvement, delegated budget (£/home/year)", "involvement spend"),
    _spend("spend_channels_per_home", "Spend on phone lines and offices (£/home/year)", "channel spend"),
    _spend("spend_repairs_per_home", "Spend on repairs done, last year (£/home/year)", "repair spend"),
    _spend("spend_total_per_home", "Total spend (£/home/year)", "total spend"),
    _survey("tsm_tp01", "TP01 overall satisfaction, survey (%)", brief="TP01 overall satisfaction", weekly=True),
    _survey("tsm_tp06", "TP06 listens and acts, survey (%)"),
    _survey("tsm_tp07", "TP07 keeps informed, survey (%)"),
    _survey("tsm_tp08", "TP08 fair and respectful, survey (%)"),
    Outcome(
        "survey_response_rate",
        "Survey response rate (share)",
        "share",
        1.0,
        0.0,
        1.0,
        "higher",
        source="survey",
        when_undefined="NaN before the first yearly survey (week 52)",
    ),
)
BY_NAME: dict[str, Outcome] = {outcome.name: outcome for outcome in OUTCOMES}
#: Names of every outcome, in the order of ``summary()``.
NAMES: tuple[str, ...] = tuple(BY_NAME)
#: The weekly series (the columns of ``TrustModel.weekly()`` besides the week).
WEEKLY: tuple[str, ...] = tuple(o.name for o in OUTCOMES if o.weekly)
#: Outcomes measured from the estate's state.
ESTATE: tuple[str, ...] = tuple(o.name for o in OUTCOMES if o.source == "estate")
#: Outcomes that come from the latest yearly survey.
SURVEY: tuple[str, ...] = tuple(o.name for o in OUTCOMES if o.source == "survey")


def get(name: str) -> Outcome:
    """The declaration of outcome ``name``.

    Raises:
        OutcomeError: ``name`` is not declared (the message lists what is).
    """
    try:
        return BY_NAME[name]
    except KeyError:
        raise OutcomeError(f"unknown outcome {name!r}; declared: {', '.join(NAMES)}") from None


def undefined_reason(name: str) -> str:
    """Why outcome ``name`` can be NaN (see :attr:`Outcome.when_undefined`); a plain note if not declared."""
    return BY_NAME[name].undefined_reason() if name in BY_NAME else "it is not a declared outcome"


def label(name: str) -> str:
    """Plain-language label of an outcome (its name if it is not declared)."""
    return BY_NAME[name].label if name in BY_NAME else name


def scale(name: str) -> float:
    """Factor that turns an outcome into its displayed unit (1 if it is not declared)."""
    return BY_NAME[name].scale if name in BY_NAME else 1.0


def better(name: str) -> Better:
    """Which way an outcome is better: "higher", "lower" or "closer to 1"."""
    return get(name).better


def goodness(name: str, values: Any) -> Any:
    """Map an outcome's values so that higher is always better.

    Rule: "lower is better" outcomes are negated; "closer to 1" outcomes
    become ``-|x - 1|`` (over- and under-representation are equally bad);
    others are returned unchanged, so differences of goodness are in the
    outcome's own units.

    Args:
        name: Outcome name.
        values: A number, NumPy array, Series or DataFrame of that outcome.

    Returns:
        The same kind of object, higher is better.
    """
    direction = better(name)
    if direction == "closer to 1":
        return -abs(values - 1.0)
    if direction == "lower":
        return -values
    return values
