"""Every model parameter, declared once.

Each :class:`Parameter` carries its default, the bounds used for sensitivity
analysis and validation, its unit, a plain-language meaning and its evidence
(a source from ``shared/evidence.md`` or the word "assumption"). Scenario
validation, the CLI's ``--set`` and ``params`` listing, SALib problems and the
parameter table in ``docs/ODD.md`` are all generated from :data:`PARAMETERS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "FIXED_AT_START",
    "PARAMETERS",
    "Parameter",
    "ParameterError",
    "defaults",
    "get",
    "neighbourhood_count",
    "parse_value",
    "validate",
]


class ParameterError(ValueError):
    """A parameter name or value that is not allowed."""


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes:
        name: Identifier used in scenario files, the CLI and the code.
        default: Value used when a scenario does not set it.
        low: Smallest allowed value (also the lower sensitivity bound).
        high: Largest allowed value (also the upper sensitivity bound).
        unit: Unit of measurement ("share", "£/home/year", ...).
        description: What the parameter means, in plain language.
        source: Evidence for the default, or "assumption".
        kind: "float" or "int".
        group: Which part of the model it belongs to.
        lever: True when it is a strategy choice a landlord makes (shown
            first on the dashboard); False for an uncertain fact of the world.
        step: For integers, values must be multiples of this.
        programme: For a lever: +1 when raising it is a programme tenants are
            promised (so lowering it mid-run withdraws it), -1 when lowering it
            is (patch size), 0 when it is not a programme (the channel shift).
        read_at_start: True when it is read only when the estate is built
            (every "estate" parameter is, and a few others), so a schedule
            cannot change it (see :attr:`fixed_at_start`).
    """

    name: str
    default: float
    low: float
    high: float
    unit: str
    description: str
    source: str
    kind: str = "float"
    group: str = "world"
    lever: bool = False
    step: int = 1
    read_at_start: bool = False
    programme: int = 0

    @property
    def fixed_at_start(self) -> bool:
        """Whether it is set when the estate is built and cannot change mid-run."""
        return self.group == "estate" or self.read_at_start

    def __post_init__(self) -> None:
        """Check the declaration itself is coherent."""
        if self.kind not in ("float", "int"):
            raise ParameterError(f"{self.name}: kind must be 'float' or 'int'")
        if not self.low <= self.default <= self.high:
            raise ParameterError(f"{self.name}: default {self.default} outside [{self.low}, {self.high}]")

    def allowed(self) -> str:
        """Describe the allowed values in words."""
        noun = "a number"
        if self.kind == "int":
            noun = "an integer" if self.step == 1 else f"a multiple of {self.step}"
        return f"{noun} in [{self.low:g}, {self.high:g}] ({self.unit})"

    def check(self, value: Any, origin: str = "parameters") -> float | int:
        """Return ``value`` if it is allowed, otherwise raise.

        Args:
            value: The candidate value.
            origin: Where the value came from (a file name), for the message.

        Returns:
            The value as an ``int`` or ``float``.

        Raises:
            ParameterError: Wrong type or out of bounds; never clamped.
        """
        if isinstance(value, np.integer | np.floating):  # NumPy scalars, e.g. from a design matrix
            value = value.item()
        where = f"{origin}: key '{self.name}' = {value!r}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(f"{where} has the wrong type; allowed: {self.allowed()}")
        if self.kind == "int" and not float(value).is_integer():
            raise ParameterError(f"{where} is not whole; allowed: {self.allowed()}")
        if self.kind == "int" and value % self.step:
            raise ParameterError(f"{where} is not a multiple of {self.step}; allowed: {self.allowed()}")
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise ParameterError(f"{where} is out of range; allowed: {self.allowed()}")
        return int(value) if self.kind == "int" else float(value)


_P = Parameter
A = "assumption"

PARAMETERS: tuple[Parameter, ...] = (
    # --- the estate and its households -------------------------------------
    _P(
        "homes",
        6000,
        50,
        200_000,
        "homes",
        "Homes on the estate (one tenant household each).",
        "Cobalt Housing, 6,000 homes (seeds/000)",
        "int",
        "estate",
    ),
    _P(
        "neighbourhoods",
        0,
        0,
        400,
        "neighbourhoods",
        "Neighbourhoods (estates) the landlord's homes are split into, each a contiguous block with its own "
        "network, officers' patches and panel seats; their priorities pass through one central layer. "
        "0: one for every neighbourhood_homes homes (at least one).",
        "see neighbourhood_homes; docs/ODD.md 7.21",
        "int",
        "estate",
    ),
    _P(
        "neighbourhood_homes",
        600,
        50,
        20000,
        "homes",
        "Homes per neighbourhood when neighbourhoods is 0: a 6,000-home landlord has 10 neighbourhoods.",
        A + " within the sourced range of about 345-686 homes (Social Housing 2017/18: associations of "
        "5,000-9,999 homes average 686 homes per local authority; Places for People's neighbourhood areas "
        "average 345; TMOs run 100-1,500 homes, Power 2017), chosen so the default 300-home patches nest exactly",
        "int",
        "estate",
    ),
    _P(
        "neighbour_ties",
        6,
        2,
        20,
        "ties/household",
        "Number of neighbours each household talks to (even: half on each side along the street).",
        A,
        "int",
        "estate",
        step=2,
    ),
    _P(
        "tie_rewiring",
        0.1,
        0.0,
        0.5,
        "share",
        "Share of neighbour ties that reach beyond the next doors (small-world).",
        A,
        "float",
        "estate",
    ),
    _P(
        "share_digitally_excluded",
        0.20,
        0.05,
        0.45,
        "share",
        "Households who cannot use online services.",
        "1 in 5 adults lack foundation digital skills (Lloyds 2022)",
        "float",
        "estate",
    ),
    _P(
        "share_underrepresented",
        0.20,
        0.05,
        0.50,
        "share",
        "Households from ethnic-minority groups.",
        A,
        "float",
        "estate",
    ),
    _P("share_over_65", 0.25, 0.05, 0.50, "share", "Households whose tenant is over 65.", A, "float", "estate"),
    _P(
        "share_support_needs",
        0.54,
        0.2,
        0.8,
        "share",
        "Households with a disability or long-term condition.",
        "EHS 2019/20: 54% of social-rented households",
        "float",
        "estate",
    ),
    _P(
        "share_damp_risk",
        0.06,
        0.01,
        0.20,
        "share",
        "Homes at notable or worse risk of damp and mould.",
        "RSH Feb 2023: <0.2% most serious, 1-2% serious, 3-4% notable",
        "float",
        "estate",
    ),
    _P(
        "initial_trust",
        0.48,
        0.2,
        0.9,
        "0-1",
        "Starting trust of a typical household (the median for tenants under 65 outside the under-represented group).",
        A + " (set so that baseline TP01 is near 70%, TSM 2024/25)",
        "float",
        "estate",
    ),
    _P(
        "initial_efficacy",
        0.55,
        0.1,
        0.9,
        "0-1",
        "Average belief, at the start, that speaking up changes anything.",
        A + " (MORI: 65% say the landlord takes their views into account [unverified])",
        "float",
        "estate",
    ),
    _P(
        "underrepresented_trust_gap",
        0.2,
        0.0,
        0.5,
        "0-1",
        "How much lower the under-represented group's starting trust is.",
        "DLUHC 2022: 57% vs 69% satisfied",
        "float",
        "estate",
    ),
    _P(
        "over_65_trust_lift",
        0.7,
        0.0,
        1.0,
        "0-1",
        "How much higher over-65s' starting trust is.",
        "DLUHC 2022: 74-83% satisfied at 65+ against two thirds overall (set to that gap)",
        "float",
        "estate",
    ),
    # --- repairs and contact -----------------------------------------------
    _P(
        "repairs_per_home_year",
        2.4,
        2.0,
        4.5,
        "requests/home/year",
        "Repair needs a home has a year (each needs one or more completed jobs).",
        "Housemark: 230 repairs completed a month per 1,000 homes, about 2.8 a home a year with repeat jobs"
        " (set to it); tenants report 3-4 a year, counting repeat reports",
        "float",
        "repairs",
    ),
    _P(
        "damp_repair_multiplier",
        2.0,
        1.0,
        4.0,
        "x",
        "How many times more often a damp-risk home needs a repair.",
        A,
        "float",
        "repairs",
    ),
    _P(
        "repair_unit_cost",
        150.0,
        115.0,
        171.0,
        "£/repair",
        "Average cost of one responsive repair.",
        "Housemark: £115-£171 a repair",
        "float",
        "repairs",
    ),
    _P(
        "first_time_fix",
        0.95,
        0.6,
        0.98,
        "share",
        "Share of completed repairs that actually fix the problem.",
        A + " (set with the other repair parameters so that TP02 is near 74%, TSM 2024/25)",
        "float",
        "repairs",
    ),
    _P(
        "repair_job_weeks",
        2.16,
        1.0,
        6.0,
        "weeks",
        "Average weeks a logged repair takes to do once the budget allows it (diagnosis, parts, contractor, access).",
        "calibrated: ABC-SMC posterior median (calibration/summary.json) to Housemark's 88% of repairs"
        " within target (a four-week target and geometric durations: assumption)",
        "float",
        "repairs",
    ),
    _P(
        "expected_wait_weeks",
        3.0,
        1.0,
        8.0,
        "weeks",
        "Wait tenants initially expect for a repair.",
        A,
        "float",
        "repairs",
        read_at_start=True,
    ),
    _P(
        "repair_target_weeks",
        4.0,
        1.0,
        8.0,
        "weeks",
        "The landlord's published target for completing a responsive repair, counted from the need arising.",
        "Housemark: 88% of repairs completed within target; a four-week (28-day) routine target: " + A,
        "float",
        "repairs",
    ),
    _P(
        "repair_tolerance",
        1.4,
        1.2,
        4.0,
        "x expected wait",
        "Zone of tolerance: a repair is late, to its tenant, once its wait exceeds this multiple of the expected wait.",
        A + " (Van Ryzin 2004: expectancy-disconfirmation with a zone of tolerance); set, with expectations"
        " anchored to the target, so that TP01 and TP02 stay at their calibrated levels (it was 2.0 when"
        " expectations were fully adaptive)",
        "float",
        "repairs",
    ),
    _P(
        "expectation_rate",
        0.2,
        0.05,
        0.5,
        "per repair",
        "How far a tenant's expected wait moves after each completed repair.",
        A,
        "float",
        "repairs",
    ),
    _P(
        "expectation_norm_weight",
        0.5,
        0.0,
        1.0,
        "share",
        "Weight of the published target (the norm) against the wait just had in what tenants come to expect.",
        A + " (Van Ryzin 2004, 2006: expectations are partly normative, not only adaptive)",
        "float",
        "repairs",
    ),
    _P(
        "past_target_cost",
        0.1,
        0.0,
        0.5,
        "outcome signal/week",
        "Bad-outcome signal of each week a logged repair stays open past the published target"
        " (a failed repair is 1), on trust and on the repairs memory, whatever the tenant expected.",
        A + " (English Housing Survey 2021-22: 'slow' is a top reason for dissatisfaction with repairs, 30%)",
        "float",
        "repairs",
    ),
    _P(
        "damp_need_cost",
        0.1,
        0.0,
        0.5,
        "outcome signal/week",
        "Further bad-outcome signal on trust of each week a damp-risk home has an open repair need.",
        A + " (DLUHC 2022: over half of tenants with maintenance or safety concerns named damp, mould or condensation)",
        "float",
        "repairs",
    ),
    _P(
        "phone_answer_rate",
        0.8,
        0.3,
        1.0,
        "share",
        "Chance a phone or office contact gets through in a week, when fully open.",
        A,
        "float",
        "repairs",
    ),
    _P(
        "proxy_report_rate",
        0.1,
        0.0,
        0.5,
        "per week",
        "Chance a digitally excluded tenant gets a report in online through family or a neighbour in a week.",
        A,
        "float",
        "repairs",
    ),
    _P(
        "portal_success_rate",
        0.9,
        0.5,
        1.0,
        "share",
        "Chance a digitally included tenant reports via the portal in a week.",
        A,
        "float",
        "repairs",
    ),
    # --- experience and trust ----------------------------------------------
    _P(
        "trust_learning_rate",
        0.03,
        0.01,
        0.2,
        "per event",
        "How far one good experience moves trust towards 1.",
        A,
        "float",
        "trust",
    ),
    _P(
        "negativity_bias",
        5.0,
        1.0,
        14.0,
        "x",
        "How many times more a bad outcome weighs than a good one.",
        "Skogan 2006: 4-14x; Slovic 1993",
        "float",
        "trust",
    ),
    _P(
        "treatment_weight",
        0.03,
        0.0,
        0.1,
        "per event",
        "How far being treated well (or badly) moves trust; symmetric.",
        "Oliveira et al. 2021 (near symmetric); Tyler 2003",
        "float",
        "trust",
    ),
    _P(
        "relationship_buffer",
        0.5,
        0.0,
        0.9,
        "share",
        "How much a relationship with one's officer softens a bad experience.",
        A,
        "float",
        "trust",
    ),
    _P(
        "openness_buffer",
        0.3,
        0.0,
        0.9,
        "share",
        "How much honesty about hard choices softens a bad outcome.",
        A + " (Peters et al. 1997; seeds/003 'adult-to-adult conversation')",
        "float",
        "trust",
    ),
    _P(
        "failed_contact_signal",
        -0.5,
        -1.0,
        0.0,
        "signal",
        "Treatment signal of a week spent trying and failing to get through (not being heard), on the -1 to "
        "1 scale of a contact.",
        A + " (Tyler 2003: being heard is part of fair treatment)",
        "float",
        "trust",
    ),
    _P(
        "chasing_signal",
        -0.5,
        -1.0,
        0.0,
        "signal",
        "Signal a week spent chasing an overdue repair sends to the memory of the repairs service.",
        A + " (English Housing Survey 2021-22: 'slow' and 'does not bother' top the reasons for dissatisfaction)",
        "float",
        "trust",
    ),
    _P(
        "memory_rate",
        0.3,
        0.05,
        0.8,
        "per experience",
        "Weight of one new experience in the memories a survey asks about (repairs, treatment, being kept informed).",
        A,
        "float",
        "trust",
    ),
    _P(
        "broken_promise_weight",
        0.5,
        0.0,
        2.0,
        "signal per withdrawal",
        "Weight of the news, heard by every household, that a programme it was promised is withdrawn mid-run "
        "(per unit of the levers' ranges withdrawn); it hits trust and the slowly earned disposition alike.",
        "Kampen, Van de Walle & Bouckaert 2006 ('trust comes on foot and goes away on horseback'); "
        "seeds/001 ('the marathon of trust-building'); size " + A,
        "float",
        "trust",
    ),
    _P(
        "disposition_loss_multiplier",
        3.0,
        1.0,
        6.0,
        "x",
        "How many times faster a household's slowly earned disposition falls towards a lower target than it rises "
        "towards a higher one.",
        "Pant & Yu 2025: gain rate 0.10, loss rate 0.30 (3:1); Earle, Siegrist & Cvetkovich (confidence is fragile)",
        "float",
        "trust",
    ),
    _P(
        "trust_anchor_rate",
        0.02,
        0.0,
        0.05,
        "per week",
        "Weekly pull of trust back towards each household's disposition.",
        A,
        "float",
        "trust",
    ),
    # --- word of mouth -------------------------------------------------------
    _P(
        "disposition_learning_rate",
        0.002,
        0.0,
        0.02,
        "per week",
        "Weekly pull of each household's disposition towards the trust it has lived with (long memory).",
        A + " (Kampen, Van de Walle & Bouckaert 2006)",
        "float",
        "trust",
    ),
    _P(
        "outside_trust_weight",
        0.5,
        0.0,
        1.0,
        "share",
        "Share of a household's standing disposition that comes from its view of institutions outside the tenancy"
        " (it keeps group differences); the rest is learnt from lived experience.",
        A + " (DLUHC 2022: group differences in satisfaction persist)",
        "float",
        "trust",
    ),
    _P(
        "talk_rate",
        0.3,
        0.0,
        1.0,
        "per week",
        "Chance a household compares views with a neighbour in a week.",
        A,
        "float",
        "social",
    ),
    _P(
        "confidence_bound",
        0.3,
        0.05,
        1.0,
        "0-1",
        "Neighbours only sway each other when their trust differs by less than this.",
        "Deffuant et al. 2000; Hegselmann & Krause 2002",
        "float",
        "social",
    ),
    _P(
        "convergence_rate",
        0.1,
        0.0,
        0.5,
        "share",
        "How far a household moves towards a like-minded neighbour.",
        A,
        "float",
        "social",
    ),
    _P(
        "bad_story_reach",
        0.3,
        0.0,
        1.0,
        "share",
        "Chance each neighbour hears about a bad experience.",
        A + " (second-hand information: near-symmetric, Zhu, Yao & Jiang 2023; so equal to good_story_reach)",
        "float",
        "social",
    ),
    _P(
        "good_story_reach",
        0.3,
        0.0,
        1.0,
        "share",
        "Chance each neighbour hears about a good experience.",
        A + " (second-hand information: near-symmetric, Zhu, Yao & Jiang 2023)",
        "float",
        "social",
    ),
    _P(
        "story_weight",
        0.1,
        0.0,
        1.0,
        "x",
        "Effect of a neighbour's story relative to one's own experience.",
        A,
        "float",
        "social",
    ),
    # --- participation -------------------------------------------------------
    _P(
        "participation_threshold_mean",
        0.7,
        0.2,
        0.9,
        "0-1",
        "Average readiness a household needs before taking part.",
        "Granovetter 1978 (threshold model); level " + A + " (set so that a few percent are consistently involved)",
        "float",
        "participation",
        read_at_start=True,
    ),
    _P(
        "share_never_involved",
        0.39,
        0.0,
        0.8,
        "share",
        "Households who will not take part whatever happens.",
        A + " (MORI: 39% did not want more involvement [unverified])",
        "float",
        "participation",
        read_at_start=True,
    ),
    _P(
        "participation_threshold_sd",
        0.12,
        0.01,
        0.3,
        "0-1",
        "Spread of those thresholds between households.",
        "Granovetter 1978: cascades appear as the spread passes ~0.1",
        "float",
        "participation",
        read_at_start=True,
    ),
    _P(
        "neighbour_pull",
        0.3,
        0.0,
        1.0,
        "0-1",
        "Weight of neighbours already taking part in one's readiness.",
        "Granovetter 1978",
        "float",
        "participation",
    ),
    _P(
        "support_needs_cost",
        0.05,
        0.0,
        0.3,
        "0-1",
        "Extra cost of taking part for households with support needs.",
        A,
        "float",
        "participation",
    ),
    _P(
        "outreach_gap",
        0.08,
        0.0,
        0.3,
        "0-1",
        "Extra cost for under-represented households when nothing targets them.",
        "Tpas/CaCHE 2025: over half of staff say nothing specific is done",
        "float",
        "participation",
    ),
    _P(
        "activity_rate",
        0.08,
        0.01,
        0.5,
        "per week",
        "Chance a willing household joins a survey or meeting in a week.",
        A,
        "float",
        "participation",
    ),
    _P(
        "panel_seats_per_1000",
        2.0,
        0.0,
        20.0,
        "seats/1000 homes",
        "Seats on scrutiny panels and the board per 1,000 homes.",
        A + " (a small involved pool: DCLG 2011 'only 3% consistently involved' [unverified] counts wider involvement)",
        "float",
        "participation",
    ),
    _P(
        "efficacy_learning_rate",
        0.8,
        0.0,
        2.0,
        "per quarter",
        "How far seeing (or not seeing) change moves efficacy.",
        A,
        "float",
        "participation",
    ),
    _P(
        "scrutiny_fit_gain",
        0.5,
        0.0,
        1.0,
        "share",
        "Share of failed repairs avoided when tenants' priorities fully shape the service.",
        A + " (scrutiny panels review services)",
        "float",
        "participation",
    ),
    _P(
        "frustration_weight",
        1.0,
        0.0,
        3.0,
        "x",
        "How much influence short of what consultation led tenants to expect counts against it (voice "
        "without influence).",
        "Folger 1977 (the frustration effect: voice that is visibly ignored is worse than no voice); size " + A,
        "float",
        "participation",
    ),
    _P(
        "consultation_expectation",
        0.4,
        0.0,
        1.0,
        "share",
        "Share of their priorities tenants expect to be acted on once they are consulted (rung 4 or above).",
        A + " (seeds/003: 'you've just come in to tick the box'; "
        "MORI: 65% say the landlord takes their views into account [unverified])",
        "float",
        "participation",
    ),
    _P(
        "expectation_adaptation",
        0.5,
        0.0,
        1.0,
        "share",
        "How far tenants' expected influence adapts to the influence they experience (the rest stays with "
        "what they were promised).",
        A + " (reference dependence; expectations are partly normative, Van Ryzin 2004)",
        "float",
        "participation",
    ),
    _P(
        "decision_capacity_per_1000",
        30.0,
        1.0,
        500.0,
        "participants/1000 homes/quarter",
        "Participants per 1,000 homes whose priorities the landlord can take through to decisions in a "
        "quarter; beyond it, influence per participant dilutes.",
        A + " (finite board and management capacity; seeds/003 'how scalable are these models?')",
        "float",
        "participation",
    ),
    _P(
        "tie_formation_rate",
        0.3,
        0.0,
        1.0,
        "ties/week taking part",
        "Ties a household forms with other tenants in a week it takes part (a meeting, a panel, an activity).",
        A + " (two or three shared weeks make a tie: early contact predicts a tie's life, Burt 2000)",
        "float",
        "participation",
    ),
    _P(
        "tie_fade_rate",
        0.02,
        0.01,
        0.05,
        "share/week",
        "Share of the ties formed through taking part that fade each week (half-life 35 weeks at 0.02).",
        "between about 0.3% a week (closeness lost without contact, Roberts & Dunbar; unverified) and 4.3% "
        "a week (nine in ten bridges gone within a year, Burt 2002); the value, and the lower bound of 1% "
        "(so that the burn-in settles the stock), assumption",
        "float",
        "participation",
    ),
    _P(
        "loneliness_with_support_needs",
        0.14,
        0.02,
        0.4,
        "share",
        "Chance that a household with a disability or support need, with no tie formed through taking part, "
        "feels lonely often or always.",
        "Community Life Survey 2023/24 (DCMS): 14% of disabled adults lonely often or always",
        "float",
        "participation",
    ),
    _P(
        "loneliness_without_support_needs",
        0.03,
        0.005,
        0.2,
        "share",
        "The same chance for a household without support needs.",
        "Community Life Survey 2023/24 (DCMS): 3% of adults without a disability lonely often or always",
        "float",
        "participation",
    ),
    _P(
        "loneliness_tie_effect",
        0.25,
        0.0,
        0.7,
        "log-odds/tie",
        "How much each tie formed through taking part lowers the log-odds of feeling lonely.",
        A + " (the direction: people who feel they belong and know neighbours are less lonely, ONS 2018; "
        "community-led housing members measurably less lonely, Hudson et al. 2021; no effect size found)",
        "float",
        "participation",
    ),
    _P(
        "central_capacity",
        12.0,
        1.0,
        200.0,
        "agendas/quarter at 6,000 homes",
        "Neighbourhood agendas the central layer (board, area management) can take through to decisions in "
        "a quarter, for a 6,000-home landlord; beyond it, each neighbourhood's priorities dilute.",
        A + " (boards of 5-12 meeting about monthly; set to about a 6,000-home landlord's number of "
        "neighbourhoods so the default organisation is not congested)",
        "float",
        "participation",
    ),
    _P(
        "central_capacity_scaling",
        0.5,
        0.0,
        1.0,
        "exponent",
        "How the central layer's capacity grows with the landlord's size: capacity x (homes / 6,000) to this "
        "power (0: a fixed board; 1: capacity in proportion to homes, as in earlier versions of the model).",
        A + " (large groups add area boards, so between 0 and 1; no source measures it: vary it)",
        "float",
        "participation",
    ),
    _P(
        "local_decision_share",
        0.3,
        0.0,
        1.0,
        "share",
        "Share of tenants' priorities a neighbourhood can decide without the central layer (a delegated "
        "budget raises it).",
        A + " (TMO agreements devolve day-to-day repairs, caretaking and lettings, not capital or "
        "allocations: ODPM 2002, unverified)",
        "float",
        "participation",
    ),
    _P(
        "news_reach",
        0.3,
        0.0,
        1.0,
        "share",
        "How strongly households who did not take part feel the landlord's record on acting on views, "
        "relative to those who did.",
        A + ' ("you said, we did" news and neighbours\' accounts)',
        "float",
        "participation",
    ),
    _P(
        "voice_trust_weight",
        0.15,
        0.0,
        1.0,
        "x",
        "Share of the weekly push on efficacy from being heard (or ignored) that also moves trust.",
        A + " (seeds/003)",
        "float",
        "participation",
    ),
    _P(
        "news_weight",
        0.2,
        0.0,
        1.0,
        "per quarter",
        "How far a quarter of the landlord's news, at full openness, raises every household's sense of "
        "being kept informed.",
        A,
        "float",
        "participation",
    ),
    _P(
        "informed_fade_rate",
        0.01,
        0.0,
        0.05,
        "per week",
        "How fast the sense of being kept informed fades in a week of hearing nothing.",
        A + " (memory decay without reinforcement)",
        "float",
        "participation",
    ),
    _P(
        "efficacy_fade_rate",
        0.02,
        0.001,
        0.1,
        "per week",
        "Weekly pull of efficacy back towards the household's own outlook on speaking up, without fresh "
        "experience of it.",
        A,
        "float",
        "participation",
    ),
    _P(
        "fatigue_gain",
        0.005,
        0.0,
        0.2,
        "per week",
        "How far a week of taking part moves a household's participation fatigue towards 1 (on the readiness scale).",
        "Amin et al. 2018 (JASSS 21(1)3): contributions decline with repetition, never to zero; size "
        + A
        + " (set so that a few per cent stay consistently involved)",
        "float",
        "participation",
    ),
    _P(
        "fatigue_recovery",
        0.02,
        0.001,
        0.2,
        "per week",
        "Share of participation fatigue that wears off each week.",
        A,
        "float",
        "participation",
    ),
    # --- frontline staff -----------------------------------------------------
    _P(
        "cohesion_reference",
        0.61,
        0.4,
        0.85,
        "share",
        "Share of tenants who feel they belong strongly to their neighbourhood in the settled baseline "
        "(cohesion and collective efficacy at week 0).",
        "Community Life Survey 2023/24 (DCMS): 61% of adults in England belong very or fairly strongly to "
        "their neighbourhood (no figure by tenure found)",
        "float",
        "community",
    ),
    _P(
        "cohesion_tie_weight",
        0.3,
        0.0,
        1.5,
        "log-odds/tie",
        "How much each tie formed through taking part (against the settled level) raises the log-odds "
        "that a tenant belongs strongly.",
        A + " (the direction: people who know neighbours feel they belong more, ONS 2018; Sampson, "
        "Raudenbush & Earls 1997)",
        "float",
        "community",
    ),
    _P(
        "cohesion_efficacy_weight",
        2.0,
        0.0,
        6.0,
        "log-odds/unit",
        "How much the neighbourhood's shared sense of being able to change things (efficacy, against the "
        "settled level) raises the log-odds of belonging strongly.",
        A + " (collective efficacy follows success and failure: Hipp 2016)",
        "float",
        "community",
    ),
    _P(
        "asset_cohesion_effect",
        0.1,
        0.0,
        0.5,
        "log-odds/asset",
        "How much each place to meet in community ownership raises the log-odds of belonging strongly.",
        A + " (places to meet are tracked beside belonging by Scotland's National Performance Framework)",
        "float",
        "community",
    ),
    _P(
        "cohesion_rate",
        0.02,
        0.005,
        0.1,
        "share/week",
        "How fast a neighbourhood's cohesion moves towards what its ties, efficacy and assets support "
        "(half-life 34 weeks at 0.02).",
        A + " (slower than single experiences: collective efficacy measured a wave later responds, Hipp 2016)",
        "float",
        "community",
    ),
    _P(
        "cohesion_pull",
        0.0,
        0.0,
        0.3,
        "readiness/unit",
        "How much a neighbourhood's cohesion above its settled level makes taking part easier (the "
        "'local muscle'); 0: cohesion is measured but does not feed back.",
        A + " (seeds/004 'build up a local muscle'; off by default until validated; analyses vary it)",
        "float",
        "community",
    ),
    _P(
        "community_responsiveness",
        0.8,
        0.3,
        1.0,
        "share",
        "Share of members' priorities a tenant-run committee (TMO, co-op) acts on.",
        A + " (TMOs compare with the top quarter of councils on repairs and satisfaction: ODPM 2002, unverified)",
        "float",
        "community",
    ),
    _P(
        "tmo_local_share",
        0.7,
        0.3,
        1.0,
        "share",
        "Share of its tenants' priorities a tenant management organisation decides on the estate (the "
        "landlord keeps capital works and allocations policy).",
        A + " (what a management agreement devolves: Power 2017; NFTMO)",
        "float",
        "community",
    ),
    _P(
        "committee_quorum",
        0.5,
        0.25,
        0.75,
        "share of seats",
        "Share of a community-led committee's seats that must be filled by willing members for it to be quorate.",
        A + " (quorums of a third to a half of a board are common in associations' model rules; burnout and "
        "too few volunteers are co-ops' recorded risk, Crabtree et al. 2019)",
        "float",
        "community",
    ),
    _P(
        "asset_rate",
        0.2,
        0.0,
        0.5,
        "assets/year",
        "Chance a year that a fully cohesive community-led neighbourhood takes a place to meet (a hall, a "
        "shop, a workspace) into community ownership.",
        A + " (about 48 assets a year came into community ownership in Scotland in 2021, 590 in all in 2019)",
        "float",
        "community",
    ),
    _P(
        "asset_threshold",
        0.6,
        0.3,
        0.9,
        "share",
        "Cohesion below which a community-led neighbourhood takes on no community asset.",
        A,
        "float",
        "community",
    ),
    _P(
        "patch_size",
        300,
        100,
        600,
        "homes/officer",
        "Homes each housing officer looks after.",
        "125 (Notting Hill), 250-405 (Leeds), ~450 (Bromford)",
        "int",
        "staff",
        True,
        programme=-1,
    ),
    _P(
        "estate_presence",
        0.2,
        0.0,
        0.9,
        "share",
        "Share of officers' time spent out on the estate.",
        A + " (seeds/003: 'staff on the ground')",
        "float",
        "staff",
        True,
        programme=1,
    ),
    _P(
        "officer_visits_per_week",
        60.0,
        10.0,
        150.0,
        "visits/week",
        "Doorstep contacts an officer makes in a full week on the estate.",
        A,
        "float",
        "staff",
    ),
    _P(
        "officer_cost",
        42000.0,
        30000.0,
        60000.0,
        "£/officer/year",
        "Cost of one housing officer including on-costs.",
        A,
        "float",
        "staff",
    ),
    _P(
        "treatment_quality",
        0.75,
        0.4,
        0.95,
        "share",
        "Chance a contact leaves the tenant feeling respected and informed.",
        "TSM 2024/25: TP08 median 78%",
        "float",
        "staff",
    ),
    _P(
        "underrepresented_fairness_gap",
        0.15,
        0.0,
        0.3,
        "share",
        "How much less often a contact leaves an under-represented household feeling fairly treated.",
        A + " (Tpas/CaCHE 2025: over half of staff say nothing specific is done for ethnic-minority tenants)",
        "float",
        "staff",
    ),
    _P(
        "culture_programme",
        0.0,
        0.0,
        1.0,
        "0-1",
        "Strength of a staff training and culture-change programme.",
        "seeds/001 culture change programme; effect size " + A,
        "float",
        "staff",
        True,
        programme=1,
    ),
    _P(
        "culture_effect",
        0.15,
        0.0,
        0.3,
        "share",
        "Rise in treatment quality from a fully embedded culture (the programme's stock at 1).",
        A,
        "float",
        "staff",
    ),
    _P(
        "culture_ramp_rate",
        0.02,
        0.001,
        0.2,
        "per week",
        "How fast a culture programme embeds: the weekly share of the gap between the programme and the culture "
        "it has built that closes.",
        A + " (evidence brief: how a culture programme's effect ramps and decays is unsettled)",
        "float",
        "staff",
    ),
    _P(
        "culture_decay_rate",
        0.01,
        0.0,
        0.1,
        "per week",
        "How fast an embedded culture fades once the programme no longer reinforces it.",
        A + " (evidence brief: unsettled)",
        "float",
        "staff",
    ),
    _P(
        "culture_cost_per_home",
        15.0,
        0.0,
        100.0,
        "£/home/year",
        "Cost of a full culture programme (training, coaching, time off the estate), from the same envelope.",
        A,
        "float",
        "staff",
    ),
    _P(
        "culture_responsiveness_effect",
        0.2,
        0.0,
        1.0,
        "share",
        "Share of the gap to full responsiveness that a fully embedded culture closes.",
        A + " (seeds/000: a culture changed to understand tenants)",
        "float",
        "staff",
    ),
    _P(
        "culture_openness_effect",
        0.2,
        0.0,
        1.0,
        "share",
        "Share of the gap to full openness that a fully embedded culture closes.",
        A + " (seeds/001: sharing data openly builds trust)",
        "float",
        "staff",
    ),
    _P(
        "culture_turnover_effect",
        0.3,
        0.0,
        1.0,
        "share",
        "Share of staff turnover that a fully embedded culture prevents.",
        A,
        "float",
        "staff",
    ),
    _P(
        "workload_reference",
        350,
        100,
        500,
        "homes/officer",
        "Patch size above which quality falls with overload.",
        "Leeds 250-405; Bromford cut patches from ~450",
        "int",
        "staff",
    ),
    _P(
        "relationship_gain",
        0.3,
        0.0,
        1.0,
        "share",
        "How far one visit builds the relationship with the officer.",
        A,
        "float",
        "staff",
    ),
    _P(
        "relationship_decay",
        0.01,
        0.0,
        0.1,
        "per week",
        "Weekly fading of a relationship without contact.",
        A,
        "float",
        "staff",
    ),
    _P(
        "staff_turnover",
        0.2,
        0.0,
        0.6,
        "per year",
        "Share of officers leaving a year; their relationships reset.",
        A,
        "float",
        "staff",
    ),
    # --- the landlord's strategy ---------------------------------------------
    _P(
        "digital_first",
        0.3,
        0.0,
        1.0,
        "share",
        "How far phone and office contact is closed in favour of the online portal (1 = digital only).",
        A,
        "float",
        "strategy",
        True,
    ),
    _P(
        "ladder_rung",
        4,
        1,
        8,
        "rung",
        "Arnstein's ladder: 1 manipulation ... 4 consultation ... 6 partnership ... 8 citizen control.",
        "Arnstein 1969",
        "int",
        "strategy",
        True,
        programme=1,
    ),
    _P(
        "responsiveness",
        0.3,
        0.0,
        1.0,
        "share",
        "Share of tenants' priorities the landlord is willing to act on.",
        A,
        "float",
        "strategy",
        True,
        programme=1,
    ),
    _P(
        "openness",
        0.3,
        0.0,
        1.0,
        "0-1",
        "How openly the landlord explains hard choices.",
        "Peters, Covello & McCallum 1997; seeds/003",
        "float",
        "strategy",
        True,
        programme=1,
    ),
    _P(
        "targeted_outreach",
        0.0,
        0.0,
        1.0,
        "0-1",
        "Effort to involve under-represented tenants (closes the outreach gap).",
        "Tpas/CaCHE 2025",
        "float",
        "strategy",
        True,
        programme=1,
    ),
    _P(
        "involvement_spend_per_home",
        40.0,
        0.0,
        200.0,
        "£/home/year",
        "Spending on tenant involvement (panels, training, expenses).",
        "Housemark: £30 (2008/09) to £64 (2009/10) a home",
        "float",
        "strategy",
        True,
        programme=1,
    ),
    _P(
        "delegated_budget_per_home",
        0.0,
        0.0,
        200.0,
        "£/home/year",
        "Budget whose use tenants' panels decide.",
        A,
        "float",
        "strategy",
        True,
        programme=1,
    ),
    _P(
        "governance",
        0,
        0,
        2,
        "code",
        "Who runs the neighbourhood: 0 the landlord, 1 a tenant management organisation (TMO), 2 a "
        "co-operative or community land trust.",
        "NFTMO, What is a TMO?; Power 2017 (about 200 TMOs of 100-1,500 homes); More Than Markets (974 "
        "co-ops averaging 203 homes)",
        "int",
        "strategy",
        True,
        programme=1,
    ),
    _P(
        "committee_seats_per_1000",
        30.0,
        5.0,
        60.0,
        "seats/1000 homes",
        "Seats on a community-led neighbourhood's committee or board, per 1,000 homes.",
        "Watmos: over 150 active volunteers for 3,049 homes in 11 TMOs (about 49 per 1,000, self-reported); "
        "the default, assumption",
        "float",
        "strategy",
        True,
    ),
    _P(
        "community_support_cost_per_home",
        15.0,
        0.0,
        60.0,
        "£/home/year",
        "What the landlord spends on a community-led neighbourhood's training, audit and support, per home "
        "(its management allowance is what the landlord would have spent).",
        A + " (allowances are based on what the landlord would spend: NFTMO)",
        "float",
        "strategy",
        True,
    ),
    _P(
        "ballot_interval_weeks",
        260,
        52,
        520,
        "weeks",
        "Weeks between a TMO's continuation ballots.",
        "NFTMO: tenants re-ballot on their TMO every five years",
        "int",
        "strategy",
        True,
    ),
    _P(
        "ballot_majority",
        0.5,
        0.5,
        0.9,
        "share",
        "Share of households in favour a TMO's continuation ballot needs.",
        "Right to Manage Regulations 2012 (a majority ballot)",
        "float",
        "strategy",
        True,
    ),
    _P(
        "committee_grace_quarters",
        4,
        1,
        12,
        "quarters",
        "Quarters in a row a community-led committee may be inquorate before the landlord takes management back.",
        A,
        "int",
        "strategy",
        True,
    ),
    _P(
        "envelope_per_home",
        620.0,
        400.0,
        1500.0,
        "£/home/year",
        "Money for responsive repairs, frontline staff, involvement and phone lines and offices together.",
        A + ", set so that at the defaults it pays for 2.65 repair jobs a home a year, about 5% above the 2.5 done"
        " when the budget does not bind (Housemark: about 2.8 completed a home a year); RSH: ~£2,300/home/year"
        " on all repairs and maintenance, planned work included",
        "float",
        "money",
    ),
    _P(
        "phone_office_cost_per_home",
        60.0,
        0.0,
        150.0,
        "£/home/year",
        "Running cost of phone lines and offices when fully open.",
        A,
        "float",
        "money",
    ),
    # --- measurement -----------------------------------------------------------
    _P(
        "survey_sample_share",
        0.2,
        0.02,
        1.0,
        "share",
        "Share of households invited to the yearly TSM survey.",
        A,
        "float",
        "survey",
    ),
    _P(
        "survey_phone_share",
        0.7,
        0.0,
        1.0,
        "share",
        "Share of survey invitations made by phone (the rest online).",
        "TSM 2024/25: 71% of landlords surveyed mainly by phone",
        "float",
        "survey",
    ),
    _P(
        "phone_mode_lift",
        0.02,
        0.0,
        0.1,
        "0-1",
        "How much more positive an answer given to a telephone interviewer is than one given online (latent scale).",
        A + " (Leeds TSM 2024/25: online respondents less satisfied; Dillman et al. 2009: mode effects)",
        "float",
        "survey",
    ),
    _P(
        "tsm_trust_weight",
        0.5,
        0.0,
        1.0,
        "share",
        "Weight of trust in the latent view behind each TSM answer; the rest is the perception the question "
        "asks about.",
        A + " (no source sets how trust and perceptions combine; a key driver analysis of TSM returns would)",
        "float",
        "survey",
    ),
    _P(
        "tp01_repairs_weight",
        1.0,
        0.05,
        5.0,
        "relative weight",
        "Relative weight of the repairs memory in the perception behind overall satisfaction (TP01).",
        A,
        "float",
        "survey",
    ),
    _P(
        "tp01_voice_weight",
        1.0,
        0.05,
        5.0,
        "relative weight",
        "Relative weight of efficacy (being listened to) in the perception behind overall satisfaction (TP01).",
        A,
        "float",
        "survey",
    ),
    _P(
        "tp01_informed_weight",
        1.0,
        0.05,
        5.0,
        "relative weight",
        "Relative weight of being kept informed in the perception behind overall satisfaction (TP01).",
        A,
        "float",
        "survey",
    ),
    _P(
        "tp01_treatment_weight",
        1.0,
        0.05,
        5.0,
        "relative weight",
        "Relative weight of fair treatment in the perception behind overall satisfaction (TP01).",
        A,
        "float",
        "survey",
    ),
    _P(
        "survey_response_base",
        0.35,
        0.05,
        0.9,
        "share",
        "Response rate of a fully trusting, reachable household.",
        A,
        "float",
        "survey",
    ),
    # --- the run ---------------------------------------------------------
    _P(
        "burn_in_weeks",
        260,
        0,
        520,
        "weeks",
        "Weeks the estate runs at the baseline levers before week 0, so every strategy starts from the same "
        "settled estate (a numerical setting, not a fact of the world).",
        A + " (long enough that the baseline shows no start-up transient: tests/test_behaviour.py)",
        "int",
        "run",
        read_at_start=True,
    ),
    _P(
        "burn_in_acceleration",
        10.0,
        1.0,
        20.0,
        "x",
        "How many times faster the slow disposition settles during the burn-in (an accelerated spin-up, "
        "a numerical setting: the run itself uses the declared rate).",
        A + " (accelerated spin-up of slow stocks, as in land-surface models: Thornton & Rosenbloom 2005)",
        "float",
        "run",
        read_at_start=True,
    ),
)

_BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}

#: Parameters read only when the estate is built; a schedule cannot change them.
FIXED_AT_START: frozenset[str] = frozenset(p.name for p in PARAMETERS if p.fixed_at_start)


def get(name: str) -> Parameter:
    """Return the declaration of ``name``.

    Raises:
        ParameterError: If no parameter has that name.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ParameterError(f"unknown parameter '{name}'; allowed: {', '.join(sorted(_BY_NAME))}") from None


def neighbourhood_count(values: Mapping[str, float | int]) -> int:
    """How many neighbourhoods a landlord's homes are split into.

    Rule: ``neighbourhoods`` when it is set (above 0), else one for every
    ``neighbourhood_homes`` homes, rounded half up, and at least one.
    """
    if int(values["neighbourhoods"]) > 0:
        return int(values["neighbourhoods"])
    return max(1, math.floor(int(values["homes"]) / int(values["neighbourhood_homes"]) + 0.5))


def defaults() -> dict[str, float | int]:
    """Return every parameter's default value."""
    return {p.name: p.default for p in PARAMETERS}


def validate(values: Mapping[str, Any], origin: str = "parameters") -> dict[str, float | int]:
    """Check every name and value in ``values``.

    Args:
        values: Parameter names mapped to candidate values.
        origin: Where the values came from (a file name), for messages.

    Returns:
        A new dict with each value converted to its declared kind.

    Raises:
        ParameterError: Naming the origin, key, value and what is allowed.
    """
    checked = {}
    for name, value in values.items():
        if name not in _BY_NAME:
            raise ParameterError(
                f"{origin}: unknown key '{name}' = {value!r}; allowed parameters: {', '.join(sorted(_BY_NAME))}"
            )
        checked[name] = _BY_NAME[name].check(value, origin)
    return checked


def parse_value(name: str, text: str, origin: str = "--set") -> float | int:
    """Parse a command-line ``NAME=VALUE`` value and check it.

    Args:
        name: Parameter name.
        text: The value as typed.
        origin: Where it came from, for messages.

    Returns:
        The checked value.
    """
    if name not in _BY_NAME:
        raise ParameterError(
            f"{origin}: unknown key '{name}' = {text!r}; allowed parameters: {', '.join(sorted(_BY_NAME))}"
        )
    parameter = _BY_NAME[name]
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(
            f"{origin}: key '{name}' = {text!r} is not a number; allowed: {parameter.allowed()}"
        ) from None
    return parameter.check(value, origin)
