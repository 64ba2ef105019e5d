"""The model's mechanisms as small pure functions, compiled with Numba.

Each function states its rule and its evidence (or says "assumption") and
takes every random draw it needs as an argument, so it can be tested on
small scripted cases with exact expectations. ``model.TrustModel`` calls them
in the weekly order described in ``docs/ODD.md``, through the compiled
weekly loops of :mod:`model.kernels`.

Two kinds of function:

* **elementwise** rules (``@elementwise``) are written for one household and
  compiled into NumPy ufuncs: called with arrays they work household by
  household (with broadcasting), and the compiled weekly loops call them
  with single values;
* **array** rules (``@compiled``) act on a whole set of households at once
  (queues, seats, ties).

Plain-Python rules at the end act on the landlord and its officers, once a week.

Trust, efficacy and the perception scores live in [0, 1]. Updates use the
multiplicative form ``x' = 1 - (1 - x) * exp(-up)`` then ``x'' = x' * exp(-down)``
so they stay in [0, 1] for any non-negative push without clamping.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
from numpy.typing import NDArray

from model.compilation import compiled, elementwise

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.int64]

#: Weeks in a quarter and in a year (a step is a week).
QUARTER = 13
YEAR = 52

#: Arnstein's ladder (1969): rung -> share of tenants' priorities that can turn
#: into decisions. Rungs 1-2 are non-participation, 3-5 tokenism, 6-8 citizen
#: power. The numbers are an assumption; the ordering is Arnstein's.
RUNG_POWER: dict[int, float] = {1: 0.0, 2: 0.0, 3: 0.05, 4: 0.15, 5: 0.25, 6: 0.5, 7: 0.75, 8: 1.0}


# --- 0. chance -------------------------------------------------------------------
@elementwise
def occurs(draw: float, chance: float) -> bool:
    """Whether an event of probability ``chance`` happens, given a uniform [0, 1) draw.

    Rule: it happens when ``draw < chance`` (strict, so chance 0 never
    happens and chance 1 always does). Used for a visit, a report getting
    through, a report going by phone and a repair fixing the problem first time.
    """
    return draw < chance


# --- 1. repairs and contact --------------------------------------------------
@elementwise
def new_repair_needs(has_need: bool, weekly_rate: float, draw: float) -> bool:
    """Which homes develop a repair need this week.

    Rule: a home without an open request needs a repair with probability
    ``weekly_rate`` (requests a year / 52, higher in damp-risk homes); one open
    request per home at a time.
    Evidence: 3-4 repair requests a home a year (Housemark); damp and mould in
    over half of maintenance concerns (DLUHC 2022). Damp multiplier: assumption.

    Args:
        has_need: The home has an open request.
        weekly_rate: The home's chance of a new need this week.
        draw: A uniform [0, 1) draw.
    """
    return not has_need and draw < weekly_rate


@elementwise
def report_probability(
    digital: bool,
    visited: bool,
    phone_open: float,
    phone_answer_rate: float,
    portal_success_rate: float,
    proxy_report_rate: float,
) -> float:
    """Chance a tenant with an unreported need gets it logged this week.

    Rule: ``p = 1 - (1 - p_portal)(1 - p_phone)(1 - visited)`` with
    ``p_portal = portal_success_rate`` for digitally included tenants and
    ``proxy_report_rate`` (family or a neighbour reporting online for them)
    for excluded ones, ``p_phone = (1 - digital_first) * phone_answer_rate``;
    a visit from the housing officer always logs it. Digital-only contact
    (``phone_open = 0``) leaves digitally excluded tenants with proxies and
    the officer. Evidence: 1 in 5 adults lack foundation digital skills
    (Lloyds 2022); rates are assumptions.
    """
    if visited:
        return 1.0
    p_portal = portal_success_rate if digital else proxy_report_rate
    p_phone = phone_open * phone_answer_rate
    return 1.0 - (1.0 - p_portal) * (1.0 - p_phone)


@elementwise
def may_have_phoned(logged: bool, digital: bool, visited: bool) -> bool:
    """Whose report logged this week may have gone by phone.

    Rule: a digitally excluded tenant's report logged without a visit went
    either by phone or through a proxy online (with the chance of
    :func:`phone_share_of_excluded_reports`); a digitally included tenant's
    went through the portal and a visited tenant's through the officer.
    Assumption.
    """
    return logged and not digital and not visited


def phone_share_of_excluded_reports(phone_open: float, phone_answer_rate: float, proxy_report_rate: float) -> float:
    """Chance a digitally excluded tenant's report (without a visit) went by phone, not by a proxy online.

    Rule: ``p_phone / (1 - (1 - p_phone)(1 - p_proxy))`` with ``p_phone =
    phone_open * phone_answer_rate``: of the reports that got through by
    either channel (:func:`report_probability`), the share the phone carried;
    0 when neither channel is open. Assumption.
    """
    phone = phone_open * phone_answer_rate
    either = 1.0 - (1.0 - phone) * (1.0 - proxy_report_rate)
    return phone / either if either > 0 else 0.0


@elementwise
def contact_signal(draw: float, quality: float) -> float:
    """Treatment signal of one contact with a person (a phone call or a visit).

    Rule: fair (+1) with probability ``quality`` (the phone line's or the
    officer's, :func:`officer_quality`), unfair (-1) otherwise, given a
    uniform [0, 1) draw. Evidence: procedural fairness in each encounter
    (Tyler 2003); the all-or-nothing signal is an assumption.
    """
    return 1.0 if draw < quality else -1.0


@elementwise
def felt_quality(quality: float, gap: float) -> float:
    """Chance a contact leaves this household feeling fairly treated.

    Rule: ``quality - gap``, where ``gap`` is ``underrepresented_fairness_gap``
    for a household of an under-represented group and 0 otherwise: services
    built around the majority serve others less well, so the same officer or
    phone line is less often felt fair (a chance below 0 acts as 0 in
    :func:`contact_signal`). Evidence: Tpas/CaCHE 2025 (over half of staff say
    nothing specific is done to involve ethnic-minority tenants; 54% say
    involvement structures do not reflect the tenant base); the size of the
    gap is an assumption, fitted with ``underrepresented_trust_gap`` to the
    DLUHC 2022 satisfaction gap (57% against 69%).
    """
    return quality - gap


@elementwise
def failed_contact_signal(failed: bool, signal: float) -> float:
    """Treatment signal of a week spent failing to get through.

    Rule: ``signal`` (``failed_contact_signal``, -0.5) for a tenant who tried to
    report a need and was not heard, 0 otherwise. Assumption.
    """
    return signal if failed else 0.0


@elementwise
def weeks_waited(week: int, raised_week: int) -> float:
    """Weeks a tenant has waited for a repair by the end of this week.

    Rule: ``week - raised_week + 1``: a need that arose this week has waited
    one week. Used for a completed repair's wait and for an open one's
    (:func:`overdue`).
    """
    return week - raised_week + 1.0


@compiled
def jobs_ready(waiting: Ints, job_weeks: float, draws: Floats) -> Ints:
    """Logged jobs that can be done this week, if the budget allows.

    Rule: each logged, unfinished job is ready with probability ``1 /
    job_weeks`` a week, so the work itself (diagnosis, parts, a contractor's
    slot, access to the home) takes a geometric number of weeks with mean
    ``job_weeks``. The geometric form is an assumption; the mean is
    calibrated to about 88% of repairs completed within target (Housemark),
    with a four-week target (an assumption).

    Args:
        waiting: Indices of homes with a logged, unfinished request.
        job_weeks: Mean weeks the work takes.
        draws: Uniform [0, 1) draws, one per waiting job.
    """
    return waiting[draws < 1.0 / job_weeks]


@compiled
def repairs_to_complete(waiting: Ints, raised_week: Ints, capacity: int) -> Ints:
    """Pick the requests the landlord completes this week.

    Rule: first come, first served: the ``capacity`` logged requests raised
    earliest (ties broken by home index). Capacity comes from the repair
    budget (:func:`repair_capacity`).

    Args:
        waiting: Indices of homes with a logged, unfinished request.
        raised_week: Week each home's need arose (all homes).
        capacity: Jobs that can be done this week.

    Returns:
        Indices of homes whose repair is completed.
    """
    if capacity >= waiting.size:
        return waiting
    if capacity <= 0:
        return waiting[:0]
    by_home = waiting[np.argsort(waiting, kind="mergesort")]
    order = np.argsort(raised_week[by_home], kind="mergesort")  # stable: ties stay in home order
    return by_home[order[:capacity]]


@elementwise
def repair_outcome(wait: float, expected: float, fixed: bool, tolerance: float) -> float:
    """Signal in [-1, 1] a completed repair sends to its tenant.

    Rule (expectancy-disconfirmation, Van Ryzin 2004, with a zone of
    tolerance): with ``r = wait / expected``, +1 when fixed and ``r <=
    tolerance``; when fixed late, ``-min(1, 0.5 + (r - tolerance) / 2)``; -1
    when not fixed at all. The tolerance (``repair_tolerance``, 2) is an
    assumption. The expectation is partly the landlord's published target
    (:func:`adapt_expectation`), and weeks waited past that target cost
    whatever the tenant expected (:func:`past_target`, :func:`waiting_signal`).
    """
    if not fixed:
        return -1.0
    ratio = wait / expected
    if ratio <= tolerance:
        return 1.0
    return -min(1.0, 0.5 + (ratio - tolerance) / 2.0)


@elementwise
def overdue(open_logged: bool, waited: float, expected: float, tolerance: float) -> bool:
    """Logged repairs still open beyond the tenant's zone of tolerance.

    Rule: open and logged, with ``waited > tolerance * expected`` weeks since
    the need arose. A tenant with an overdue repair is not being kept
    informed and counts the week against the repairs service. Evidence: the
    top reasons for dissatisfaction with repairs are "slow" (30%) and
    "landlord does not bother" (30%) (English Housing Survey 2021-22); the
    tolerance (``repair_tolerance``) is an assumption.
    """
    return open_logged and waited > tolerance * expected


@elementwise
def past_target(open_logged: bool, waited: float, target: float) -> bool:
    """Logged repairs still open after the landlord's published target.

    Rule: open and logged, with ``waited > target`` weeks since the need
    arose (``repair_target_weeks``, 4). Unlike :func:`overdue` this does not
    depend on what the tenant has come to expect: a long, predictable queue
    is still late. Evidence: landlords publish repair targets and report
    completions within them (Housemark: 88% within target); "slow" is a top
    reason for dissatisfaction with repairs (30%, English Housing Survey
    2021-22). The four-week target is an assumption (landlords set their own).
    """
    return open_logged and waited > target


@elementwise
def waiting_signal(late: bool, damp_open: bool, past_target_cost: float, damp_need_cost: float) -> float:
    """Outcome signal in [-1, 0] of a week spent waiting for a repair, whatever the tenant expected.

    Rule: ``-(c_late * late + c_damp * damp_open)``, capped at -1: a week past
    the published target (:func:`past_target`) costs ``past_target_cost``, and
    a damp-risk home with any open need (reported or not) pays
    ``damp_need_cost`` more, for living with unmet need, damp and mould. The
    signal is a bad outcome like a bad repair's, so the negativity bias
    weighs it once, where it weighs every outcome
    (:func:`trust_after_experience`). Evidence: "slow" is a top reason for
    dissatisfaction with repairs (30%, English Housing Survey 2021-22); over
    half of tenants with maintenance or safety concerns named damp, mould or
    condensation (DLUHC 2022). Both costs: assumption.
    """
    cost = (past_target_cost if late else 0.0) + (damp_need_cost if damp_open else 0.0)
    return -min(1.0, cost)


@elementwise
def week_outcome(outcome: float, waiting: float) -> float:
    """The outcome signal a week's experience brings to trust: a completed repair's and the wait's.

    Rule: ``max(-1, o + w)`` for the completed repair's signal ``o``
    (:func:`repair_outcome`, 0 when none) and the waiting signal ``w`` <= 0
    (:func:`waiting_signal`), so it stays in [-1, 1]. Assumption.
    """
    return max(-1.0, outcome + waiting)


@elementwise
def waiting_memory_signal(chasing: bool, late: bool, chasing_signal: float, past_target_cost: float) -> float:
    """Signal a week spent waiting sends to the memory of the repairs service (what TP02 asks about).

    Rule: ``chasing_signal`` (-0.5) for a week chasing an overdue repair
    (:func:`overdue`), else ``-past_target_cost`` for a week past the
    published target (:func:`past_target`), else 0: the worse of the two,
    counted once. Evidence: "slow" and "landlord does not bother" are the
    top reasons for dissatisfaction with repairs (30% each, English Housing
    Survey 2021-22); the sizes are assumptions.
    """
    if chasing:
        return chasing_signal
    return -past_target_cost if late else 0.0


@elementwise
def adapt_expectation(expected: float, wait: float, target: float, rate: float, norm_weight: float) -> float:
    """Tenants' expected wait moves towards a mix of the wait they just had and the published target.

    Rule: ``e' = e + rate * ((1 - w) * wait + w * target - e)``: expectations
    are partly adaptive (the wait just had) and partly normative (the
    landlord's published target, ``repair_target_weeks``, and what a
    repairs service should do), so a long queue does not become the norm.
    With ``w = 0`` they are fully adaptive. Evidence: expectations are partly
    normative, not only adaptive (Van Ryzin 2004, 2006); the rate
    (``expectation_rate``) and the weight (``expectation_norm_weight``) are
    assumptions.
    """
    anchor_wait = (1.0 - norm_weight) * wait + norm_weight * target
    return expected + rate * (anchor_wait - expected)


def first_time_fix(
    underrepresented: Bools, first_time_fix_rate: float, fit_gain: float, visible: float, fit: float
) -> Floats:
    """Chance a repair fixes the problem, improved where tenants' priorities shape the service.

    Rule: ``ftf + (1 - ftf) * gain * v``, and for the under-represented
    group ``v`` is scaled by ``fit`` (:func:`representation_fit`): a service
    shaped by an unrepresentative panel fits them less.
    Assumption (seeds/003, "who's not in the room?").

    Args:
        underrepresented: Each household belongs to the under-represented group.
        first_time_fix_rate: Chance before any scrutiny (``first_time_fix``).
        fit_gain: Share of the remaining gap scrutiny can close (``scrutiny_fit_gain``).
        visible: Share of tenants' priorities acted on (:func:`visible_change`).
        fit: How well the service fits the under-represented group.
    """
    base, gain, v = first_time_fix_rate, fit_gain, visible
    improved = base + (1.0 - base) * gain * v
    improved_for_under = base + (1.0 - base) * gain * v * fit
    return np.where(underrepresented, improved_for_under, improved)


def representation_fit(ratio: float) -> float:
    """How well a service shaped by participants fits the under-represented group.

    Rule: the representation ratio (the group's share among participants
    over its share of tenants), capped at 1; 1 when it is undefined (no
    participants, or no such group). Assumption (seeds/003).
    """
    return 1.0 if math.isnan(ratio) else min(1.0, ratio)


def jobs_this_week(expected: float, draw: float) -> int:
    """Whole repair jobs the budget pays for this week.

    Rule: the whole part of ``expected`` (capacity per home times homes,
    :func:`repair_capacity`), plus one more when a uniform [0, 1) ``draw``
    falls below its fraction, so the jobs average ``expected``. Assumption.
    """
    whole = int(expected)
    return whole + int(draw < expected - whole)


# --- 2. experience -> trust ---------------------------------------------------
@elementwise
def push(level: float, up: float, down: float) -> float:
    """Move values in [0, 1] up and down without leaving [0, 1].

    Rule: ``x' = 1 - (1 - x) exp(-up)``, then ``x'' = x' exp(-down)``.
    ``up`` and ``down`` must be non-negative.
    """
    return pushed(level, np.exp(-up), np.exp(-down))


@compiled
def push_keeps(push_per_count: float, most: int) -> Floats:
    """The factor :func:`push` takes, ``exp(-up)``, for ``up = push_per_count * k``, ``k = 0 ... most``.

    Rule: as :func:`push` takes it, so :func:`pushed` with these factors is
    :func:`push` to the bit; a push that comes in whole counts (a number of
    stories heard) takes its exponentials once a week rather than once a household.
    """
    keeps = np.empty(most + 1)
    for k in range(most + 1):
        keeps[k] = np.exp(-(push_per_count * k))
    return keeps


@elementwise
def pushed(level: float, keep_gap: float, keep_level: float) -> float:
    """:func:`push` with its two exponentials already taken.

    Rule: ``(1 - (1 - x) * keep_gap) * keep_level`` with ``keep_gap =
    exp(-up)`` and ``keep_level = exp(-down)``: the same push given once to
    many households takes its exponentials once.
    """
    return (1.0 - (1.0 - level) * keep_gap) * keep_level


@elementwise
def trust_after_experience(
    trust: float,
    outcome: float,
    treatment: float,
    learning_rate: float,
    negativity_bias: float,
    treatment_weight: float,
    buffer: float,
) -> float:
    """Trust after this week's outcomes and treatment.

    Rule: with outcome ``o`` in [-1, 1] and treatment ``t`` in [-1, 1],
    ``up = lr * o+ + w * t+`` and ``down = lr * b * (1 - buffer) * o- + w * t-``
    applied by :func:`push`. Bad outcomes weigh ``b`` times good ones; fair or
    unfair treatment acts symmetrically with weight ``w``; a relationship with
    the officer and openness about hard choices (``buffer``) soften bad outcomes.
    Evidence: negativity bias 4-14x (Skogan 2006; Slovic 1993); near-symmetric
    procedural fairness (Oliveira et al. 2021; Tyler 2003). Buffers: assumption.
    """
    good, bad = max(outcome, 0.0), max(-outcome, 0.0)
    fair, unfair = max(treatment, 0.0), max(-treatment, 0.0)
    up = learning_rate * good + treatment_weight * fair
    down = learning_rate * negativity_bias * (1.0 - buffer) * bad + treatment_weight * unfair
    return push(trust, up, down)


@elementwise
def experience_buffer(
    relationship: float, relationship_buffer: float, openness: float, openness_buffer: float
) -> float:
    """Share of a bad outcome's weight that is absorbed.

    Rule: ``1 - (1 - rb * relationship)(1 - ob * openness)``. Assumption, after
    the seeds' 'adult-to-adult conversation' (seeds/003) and relationship
    continuity with housing officers.
    """
    return 1.0 - (1.0 - relationship_buffer * relationship) * (1.0 - openness_buffer * openness)


@elementwise
def ewma(score: float, observed: float, rate: float) -> float:
    """Exponentially weighted memory of experiences, for a household with a new one.

    Rule: ``s' = s + rate * (x - s)`` for a new experience ``x`` in [0, 1].
    Used for the perceptions a survey asks about. Assumption.
    """
    return score + rate * (observed - score)


@elementwise
def remember_repair(score: float, outcome: float, rate: float, negativity_bias: float) -> float:
    """Memory of the repairs service after a completed repair (what TP02 asks about).

    Rule: ``push(score, rate * o+, rate * b * o-)`` for outcome ``o`` in
    [-1, 1]: a year of repairs is remembered with bad jobs weighing ``b``
    times good ones, as for trust. A transactional survey, asked just after
    one job, hears about that job alone, which is why it reads above the
    yearly perception survey. Evidence: negativity bias holds for perceived
    effectiveness (Oliveira et al. 2021; Skogan 2006); transactional surveys
    about 15 points above perception surveys (Housemark). The memory rate is
    an assumption.
    """
    return push(score, rate * max(outcome, 0.0), rate * negativity_bias * max(-outcome, 0.0))


@elementwise
def had_experience(outcome: float, treatment: float) -> bool:
    """Whether this week's outcome or treatment moves a household's trust.

    Rule: a completed repair (outcome signal not 0) or a contact with a
    person or a failed attempt (treatment signal not 0). Assumption.
    """
    return outcome != 0.0 or treatment != 0.0


@elementwise
def fairly_treated(treatment: float) -> bool:
    """Whether a week's contacts leave a tenant feeling fairly treated (TP08's memory).

    Rule: a positive treatment signal counts as fair treatment, a negative one
    as unfair (a week with no signal leaves the memory alone). Assumption.
    """
    return treatment > 0.0


@elementwise
def heard_from_landlord(outcome: float, treatment: float, late: bool) -> bool:
    """Whether a week counts in the memory of being kept informed (TP07).

    Rule: a completed repair, a contact (or failed attempt) or a week
    chasing an overdue repair (:func:`overdue`) counts; other weeks do not.
    Assumption.
    """
    return treatment != 0.0 or outcome != 0.0 or late


@elementwise
def kept_informed(outcome: float, treatment: float, late: bool) -> bool:
    """Whether a week that counts (:func:`heard_from_landlord`) left the tenant kept informed.

    Rule: no bad outcome, no unfair or failed contact and no overdue repair
    (``o >= 0``, ``t >= 0``, not late). Evidence: "landlord does not bother"
    is among the top reasons for dissatisfaction with repairs (English
    Housing Survey 2021-22); the rule is an assumption.
    """
    return treatment >= 0.0 and outcome >= 0.0 and not late


@elementwise
def bad_story(outcome: float, treatment: float) -> bool:
    """Whether a household has a bad story to tell this week.

    Rule: a bad repair outcome or unfair (or failed) contact: ``o < 0`` or
    ``t < 0``. Assumption.
    """
    return outcome < 0.0 or treatment < 0.0


@elementwise
def good_story(outcome: float, treatment: float) -> bool:
    """Whether a household has a good story to tell this week.

    Rule: a good repair outcome or fair contact (``o > 0`` or ``t > 0``) and
    no bad story (:func:`bad_story`): a household tells one kind of story a
    week, and a bad one wins. Good and bad experiences of the same kind make
    stories alike, so second-hand information carries no negativity bias of
    its own beyond which experiences happen. Evidence: asymmetry appears for
    first-hand experience but not for described, second-hand information
    (Zhu, Yao & Jiang 2023); the one-story rule is an assumption.
    """
    return (outcome > 0.0 or treatment > 0.0) and not bad_story(outcome, treatment)


@elementwise
def anchor(trust: float, disposition: float, rate: float) -> float:
    """Trust drifts back towards each household's disposition.

    Rule: ``t' = t + rate * (d - t)``: without new experiences, trust relaxes
    to a household's standing disposition (set from age and group). Assumption.
    """
    return trust + rate * (disposition - trust)


@elementwise
def settle_disposition(
    disposition: float, trust: float, outlook: float, rate: float, outside_weight: float, loss_multiplier: float
) -> float:
    """A household's disposition slowly takes on the trust it has lived with, and loses it faster than it gains it.

    Rule: ``d' = d + rate * m * ((1 - w) * t + w * o - d)``, with ``m =
    loss_multiplier`` when the target lies below the disposition and 1
    otherwise: a slowly earned stock of trust that is lost faster than it
    was gained (Pant & Yu 2025: gain rate 0.10 against loss rate 0.30, a 3:1
    ratio; Earle, Siegrist & Cvetkovich: performance-based confidence is
    fragile and asymmetric). The disposition moves
    towards a mix of lived trust ``t`` and the household's outlook ``o``, the
    view of landlords and institutions it brings from outside the tenancy
    (set from age and group when the estate is built, and fixed). Years of good
    or bad experience leave a lasting mark, so stopping a strategy early does
    not simply reset trust ("trust comes on foot and goes away on horseback",
    Kampen, Van de Walle & Bouckaert 2006); the outlook keeps the groups'
    standing differences (DLUHC 2022: 57% of ethnic-minority against 69% of
    white respondents satisfied, 74-83% at 65+) from being averaged away by
    neighbours' talk. The rate and the outside weight ``w`` are assumptions.
    """
    target = (1.0 - outside_weight) * trust + outside_weight * outlook
    speed = rate * loss_multiplier if target < disposition else rate
    return disposition + speed * (target - disposition)


def spin_up_rate(rate: float, acceleration: float, loss_multiplier: float) -> float:
    """The disposition's learning rate during the burn-in: accelerated, but never past its target.

    Rule: ``min(k * rate, 1 / m)`` for the acceleration ``k``
    (``burn_in_acceleration``) and the loss multiplier ``m``: the spin-up
    multiplies the rate, and the limit keeps the faster, downward step of
    :func:`settle_disposition` (``rate * m``) from passing its target, as a
    stable explicit step must (with the defaults, ``k * rate * m = 0.06``,
    far from the limit). Evidence: accelerated spin-up of slow stocks
    (Thornton & Rosenbloom 2005); the limit is the stability condition of
    the update, not an assumption.
    """
    return min(acceleration * rate, 1.0 / loss_multiplier)


# --- 3. word of mouth ---------------------------------------------------------
@elementwise
def bounded_confidence(trust: float, partner_trust: float, talks: bool, bound: float, rate: float) -> float:
    """Trust after talking with one neighbour (Deffuant et al. 2000).

    Rule: a talking household moves ``rate * (t_j - t_i)`` towards its partner
    ``j`` when ``|t_j - t_i| < bound``; everyone updates at once from the values
    before the exchange (``partner_trust`` is the partner's trust before it).
    With bound >= 0.5 views converge; smaller bounds leave about
    1/(2 * bound) clusters (Hegselmann & Krause 2002).
    """
    gap = partner_trust - trust
    if talks and abs(gap) < bound:
        return trust + rate * gap
    return trust


@elementwise
def talk_partner(draw: float, talk_rate: float, degree: int) -> int:
    """Whether a household talks with a neighbour this week, and with which.

    Rule: it talks when ``draw < talk_rate`` and then picks one of its
    ``degree`` neighbours uniformly with the same draw, neighbour
    ``min(floor(draw / talk_rate * degree), degree - 1)`` in its list
    (``draw / talk_rate`` is uniform on [0, 1) given that it talks); -1 when
    it does not talk. Assumption (Deffuant et al. 2000 pick partners at random).
    """
    if not draw < talk_rate:
        return -1
    return min(int(draw / talk_rate * degree), degree - 1)


@compiled
def stories_heard(teller: Ints, listener: Ints, has_story: Bools, reach: float, draws: Floats, homes: int) -> Floats:
    """How many neighbours' stories each household hears this week.

    Rule: every tie from a household with a fresh story passes it on with
    probability ``reach``. Bad stories have a larger reach than good ones, so
    bad news travels further. Evidence: Kampen, Van de Walle & Bouckaert 2006
    ("trust comes on foot and goes on horseback"); reach values: assumption.

    Args:
        teller: Tie sources (one entry per directed tie).
        listener: Tie targets, aligned with ``teller``.
        has_story: Households with a story to tell.
        reach: Chance a story passes along one tie.
        draws: Uniform draws, one per tie.
        homes: Number of households.
    """
    heard = np.zeros(homes)
    for tie in range(teller.size):
        heard[listener[tie]] += 1.0 if has_story[teller[tie]] and draws[tie] < reach else 0.0
    return heard


# --- 4. participation ---------------------------------------------------------
@compiled
def neighbour_share(flag: Bools, indptr: Ints, indices: Ints) -> Floats:
    """Share of each household's neighbours for whom ``flag`` is true.

    Args:
        flag: One boolean per household.
        indptr: Neighbour ties in CSR form: household ``i``'s neighbours are
            ``indices[indptr[i]:indptr[i + 1]]`` (every household has one or more).
        indices: See ``indptr``.
    """
    share = np.empty(indptr.size - 1)
    for i in range(share.size):
        flagged = 0
        for tie in range(indptr[i], indptr[i + 1]):
            flagged += flag[indices[tie]]
        share[i] = flagged / (indptr[i + 1] - indptr[i])
    return share


@elementwise
def readiness(
    trust: float, efficacy: float, peer_share: float, cost: float, fatigue: float, neighbour_pull: float
) -> float:
    """Readiness to take part, compared with each household's threshold.

    Rule: ``r = (trust + efficacy) / 2 + w * peers - cost - fatigue``; a
    household takes part when ``r >= threshold``. Neighbours taking part can
    only raise readiness (``w >= 0``, ``peers`` the share of neighbours who
    took part in the last year): with normally distributed thresholds a few
    joiners can tip their neighbours, a threshold cascade (Granovetter 1978).
    Fatigue from recent participation (:func:`fatigue_after_week`) lowers it.
    Weights and costs: assumption.
    """
    return 0.5 * (trust + efficacy) + neighbour_pull * peer_share - cost - fatigue


@elementwise
def fatigue_after_week(fatigue: float, took_part: bool, gain: float, recovery: float) -> float:
    """Participation fatigue after a week: it builds with each week of taking part and wears off.

    Rule: ``f' = f * (1 - recovery)``, then, for a household that took part
    this week (a meeting, a survey or a seat), ``f'' = f' + gain * (1 - f')``.
    A household taking part every week settles at ``f* = g / (1 - (1 - r)(1 -
    g))``; one that stops recovers geometrically. Evidence: in repeated
    public-goods games contributions decline with repetition, never to zero
    (Amin et al. 2018, JASSS 21(1)3); rates: assumption.
    """
    rested = fatigue * (1.0 - recovery)
    return rested + gain * (1.0 - rested) if took_part else rested


@elementwise
def participation_cost(
    support_needs: bool,
    underrepresented: bool,
    support_needs_cost: float,
    outreach_gap: float,
    targeted_outreach: float,
    involvement_spend_per_home: float,
) -> Floats:
    """Cost of taking part, on the readiness scale.

    Rule: ``cost = (support * c_s + under * gap * (1 - outreach)) * exp(-spend / 100)``:
    involvement spending (training, expenses, childcare) lowers every cost.
    Evidence: structures do not reflect the tenant base and little targets
    ethnic-minority tenants (Tpas/CaCHE 2025); the functional form: assumption.
    """
    raw = (support_needs_cost if support_needs else 0.0) + (
        outreach_gap * (1.0 - targeted_outreach) if underrepresented else 0.0
    )
    return raw * np.exp(-involvement_spend_per_home / 100.0)


@elementwise
def take_part(willing: bool, channel_open: float, visited: bool, activity_rate: float, draw: float) -> bool:
    """Who joins a survey or meeting this week.

    Rule: a willing household joins with probability ``activity_rate *
    channel_open`` (meetings held online are closed to the digitally excluded
    in proportion to ``digital_first``), and always when an officer on the
    doorstep asks. Assumption.
    """
    return willing and (draw < activity_rate * channel_open or visited)


def chance_took_part_last_year(channel_open: Floats, activity_rate: float) -> Floats:
    """Chance a willing household took part at least once in the year before the run (warm start).

    Rule: ``1 - (1 - activity_rate * channel_open) ** 52``: a year of weekly
    chances of :func:`take_part` without a visit. Assumption.
    """
    return 1.0 - (1.0 - channel_open * activity_rate) ** YEAR


def has_panel(ladder_rung: int) -> bool:
    """Whether a rung of Arnstein's ladder has a scrutiny panel or board seats to sit on.

    Rule: consultation (rung 4) and above. Evidence: panels at rungs 4-6 and
    board members at 5-6 (evidence.md).
    """
    return ladder_rung >= 4


def panel_seats(ladder_rung: int, panel_seats_per_1000: float, homes: int) -> int:
    """Seats on scrutiny panels and the board.

    Rule: ``round(seats_per_1000 * homes / 1000)``, and none below
    consultation (:func:`has_panel`): there is no panel to sit on. Evidence:
    panels at rungs 4-6 and board members at 5-6 (evidence.md); the seat
    count is an assumption.
    """
    if not has_panel(ladder_rung):
        return 0
    return round(panel_seats_per_1000 * homes / 1000)


@compiled
def fill_seats(margin: Floats, willing: Bools, seats: int) -> Bools:
    """Who sits on the scrutiny panel or board.

    Rule: the ``seats`` willing households with the largest readiness margin
    (readiness minus threshold) take the seats; ties by index. Assumption.
    """
    active = np.zeros(margin.size, dtype=np.bool_)
    candidates = np.flatnonzero(willing)
    if seats <= 0 or candidates.size == 0:
        return active
    if candidates.size > seats:
        order = np.argsort(-margin[candidates], kind="mergesort")  # stable: ties stay in home order
        candidates = candidates[order[:seats]]
    active[candidates] = True
    return active


@compiled
def ties_after_week(ties: float, took_part: bool, formation_rate: float, fade_rate: float) -> float:
    """Ties a household formed with other tenants through taking part, after a week.

    Rule: ``t' = t (1 - fade) + formation [took part]``: a week of taking part
    (a meeting, a panel, an activity) forms ties, and without shared weeks
    they fade, so a household that stops taking part loses half of them in
    ``ln 2 / fade`` weeks; the stock settles at ``formation * p / fade`` for a
    household taking part a share ``p`` of weeks. Evidence: ties decay
    without contact (Burt 2002; Roberts & Dunbar 2015); seeds/004 (community
    activity builds "local muscle"); sizes: assumption.
    """
    return ties * (1.0 - fade_rate) + (formation_rate if took_part else 0.0)


@elementwise
def lonely_probability(ties: float, base: float, tie_effect: float) -> float:
    """Chance that a household feels lonely often or always.

    Rule: ``expit(logit(base) - beta * ties)``: ``base`` is the chance for its
    group (with or without support needs) with no tie formed through taking
    part, and each such tie lowers the log-odds by ``beta``. Evidence: the
    bases from the Community Life Survey 2023/24 (14% of disabled adults, 3%
    of others); the direction from ONS 2018 and Hudson et al. 2021; ``beta``:
    assumption.
    """
    log_odds = math.log(base) - math.log1p(-base) - tie_effect * ties
    return 1.0 / (1.0 + math.exp(-log_odds))


def allocate_seats(total: int, homes: Ints) -> Ints:
    """The landlord's panel and board seats shared among its neighbourhoods.

    Rule: largest remainder (Hamilton): each neighbourhood gets the whole part
    of ``total * homes_k / sum(homes)``, and the seats left over go to the
    largest remainders, ties to the first; the seats add up to ``total``, so
    splitting a landlord into neighbourhoods never adds or removes a seat.
    With one neighbourhood it has them all. Assumption.
    """
    homes = np.asarray(homes, dtype=np.int64)
    quotas = total * homes / homes.sum()
    seats = np.floor(quotas).astype(np.int64)
    left = total - int(seats.sum())
    if left > 0:
        seats[np.argsort(-(quotas - seats), kind="mergesort")[:left]] += 1
    return seats


@compiled
def fill_seats_by_neighbourhood(margin: Floats, willing: Bools, seats: Ints, starts: Ints) -> Bools:
    """Who sits on each neighbourhood's panel.

    Rule: :func:`fill_seats` within each neighbourhood (homes
    ``starts[k]`` to ``starts[k + 1] - 1``) with its own ``seats[k]``: a
    household can sit only on its own neighbourhood's panel. Assumption.
    """
    active = np.zeros(margin.size, dtype=np.bool_)
    for k in range(seats.size):
        start, end = starts[k], starts[k + 1]
        active[start:end] = fill_seats(margin[start:end], willing[start:end], seats[k])
    return active


# --- 5. power-sharing -------------------------------------------------------------
def visible_change(rung: int, responsiveness: float, delegated_budget_per_home: float) -> float:
    """Share of tenants' priorities that visibly change the landlord's decisions.

    Rule: ``v = 1 - (1 - power(rung) * responsiveness) * exp(-delegated / 100)``
    where ``power`` follows Arnstein's ladder (:data:`RUNG_POWER`); a delegated
    budget is decided by tenants directly. Evidence: Arnstein 1969; mapping of
    panels (4-6), board members (5-6), TMOs (7) and co-ops/CLTs (8) to rungs
    from evidence.md; the numbers are an assumption.
    """
    acted_on = RUNG_POWER[int(rung)] * responsiveness
    return 1.0 - (1.0 - acted_on) * np.exp(-delegated_budget_per_home / 100.0)


@elementwise
def efficacy_equilibrium(outlook: float, keep_gap: float, keep_level: float, fade: float) -> float:
    """The efficacy at which a constant weekly push and the fading balance exactly.

    Rule: the fixed point of :func:`efficacy_after_push`, ``e* = ((1 - f) b (1
    - a) + f o) / (1 - (1 - f) a b)`` with ``a = keep_gap``, ``b =
    keep_level``, ``f = fade`` and outlook ``o``; the estate's efficacy
    starts there (its conditional equilibrium), so the run has no start-up
    drift from it. With no push (``a = b = 1``) it is the outlook.
    """
    return ((1.0 - fade) * keep_level * (1.0 - keep_gap) + fade * outlook) / (
        1.0 - (1.0 - fade) * keep_gap * keep_level
    )


def promised_influence(rung: int, consultation_expectation: float) -> float:
    """Share of their priorities tenants expect to be acted on, from what the landlord's rung offers.

    Rule: ``max(x_c * [rung >= 4], power(rung))``: consulting tenants (rung 4,
    consultation, and above) raises the expectation that their views count to
    at least ``x_c``, and the citizen-power rungs promise their full power
    (:data:`RUNG_POWER`); below consultation nothing is promised. Evidence:
    Arnstein 1969; seeds/003 ("you've just come in to tick the box"); ``x_c``:
    assumption.
    """
    consulted = consultation_expectation if rung >= 4 else 0.0
    return max(consulted, RUNG_POWER[int(rung)])


@compiled
def influence_per_participant(visible: float, participants: int, capacity: float) -> float:
    """Share of one participant's priorities that changes a decision, with the landlord's finite capacity.

    Rule: ``v * min(1, capacity / participants)`` (``v`` when nobody takes
    part): the landlord can take only so many participants' priorities
    through to decisions in a quarter, so as participants multiply the
    influence of each dilutes. Assumption (seeds/003: "how scalable are these
    models?").
    """
    if participants <= 0:
        return visible
    return visible * min(1.0, capacity / participants)


def central_agendas(capacity_at_6000: float, homes: int, scaling: float) -> float:
    """Neighbourhood agendas the central layer can take through to decisions in a quarter.

    Rule: ``c0 * (homes / 6000) ** alpha``: the capacity declared for a
    6,000-home landlord, grown with size at the declared exponent (0: one
    board whatever the size; 1: in proportion to homes). Assumption (boards
    of 5-12 meeting about monthly; large groups add area boards).
    """
    return capacity_at_6000 * (homes / 6000.0) ** scaling


@compiled
def central_pass_through(agendas: float, neighbourhoods_asking: int) -> float:
    """Share of each neighbourhood's priorities the central layer takes through, in [0, 1].

    Rule: ``min(1, agendas / K)`` for the ``K`` neighbourhoods with someone
    taking part in the last quarter (each sends an agenda); 1 when none
    asks. Assumption (a board and area managers of finite time stand
    between a neighbourhood's priorities and a decision).
    """
    if neighbourhoods_asking <= 0:
        return 1.0
    return min(1.0, agendas / neighbourhoods_asking)


def local_share(local_decision_share: float, delegated_budget_per_home: float) -> float:
    """Share of a neighbourhood's priorities it decides itself, without the central layer.

    Rule: ``1 - (1 - lambda) * exp(-delegated / 100)``: a delegated budget is
    decided on the estate, as in :func:`visible_change`. Assumption.
    """
    return 1.0 - (1.0 - local_decision_share) * math.exp(-delegated_budget_per_home / 100.0)


@compiled
def through_the_centre(local: float, pass_through: float) -> float:
    """Share of a neighbourhood's acted-on priorities that reach a decision, local and central together.

    Rule: ``1 - (1 - local) * (1 - g)``: what the neighbourhood decides
    itself, plus the central layer's pass-through ``g`` of the rest; 1 when
    the centre is not congested (``g = 1``). Assumption.
    """
    return 1.0 - (1.0 - local) * (1.0 - pass_through)


@compiled
def felt_influence(experienced: float, promised: float, adaptation: float, frustration: float) -> float:
    """How a round of "you said, we did" feels, in [-frustration, 1].

    Rule: the expected influence is ``x = (1 - a) * promised + a * experienced``
    (reference dependence: expectations adapt to experience, partly, and stay
    anchored to what was promised); the felt signal is ``phi = experienced -
    lambda * max(0, x - experienced)``: influence counts for itself, and
    influence short of what was expected counts against it, so voice that is
    visibly ignored is worse than no voice at all (below rung 4 nothing is
    promised and ``phi = experienced``). Evidence: Folger 1977 (the
    frustration effect); Van Ryzin 2004 (expectations partly normative);
    ``a`` and ``lambda``: assumption.
    """
    expected = (1.0 - adaptation) * promised + adaptation * experienced
    return experienced - frustration * max(0.0, expected - experienced)


@compiled
def voice_push(felt: float, rate: float, reach: float, openness: float, openness_buffer: float) -> tuple[float, float]:
    """Weekly push (up, down) on efficacy from the felt influence, for a given reach.

    Rule: ``up = rate * reach * phi+``, ``down = rate * reach * phi- * (1 -
    ob * openness)``: participants feel it fully (``reach = 1``), everyone else
    through news at ``news_reach``; a landlord that explains its hard choices
    softens how bad news is read (``openness``), but never hides it.
    Evidence: Peters, Covello & McCallum 1997 (openness and honesty); seeds/003;
    sizes: assumption.
    """
    good, bad = max(felt, 0.0), max(-felt, 0.0)
    return rate * reach * good, rate * reach * bad * (1.0 - openness_buffer * openness)


@elementwise
def efficacy_after_push(efficacy: float, outlook: float, keep_gap: float, keep_level: float, fade: float) -> float:
    """Efficacy after the week's voice push and its fading towards the household's own outlook.

    Rule: ``e' = pushed(e)`` (:func:`pushed`, with the factors of
    :func:`voice_keeps`), then ``e'' = e' + fade * (outlook - e')``: without
    fresh experience of being heard, efficacy returns to what the household
    brings (set when the estate is built), so it settles where the push and the
    fading balance, ``e* = (fade * o + up) / (fade + up + down)`` to first
    order, rather than drifting. Assumption.
    """
    moved = pushed(efficacy, keep_gap, keep_level)
    return moved + fade * (outlook - moved)


def weekly_rate(quarterly_rate: float) -> float:
    """A quarterly rate spread evenly over the weeks of a quarter.

    Rule: ``rate / 13``: the quarterly "you said, we did" round reaches
    tenants a thirteenth at a time, every week. Assumption.
    """
    return quarterly_rate / QUARTER


@compiled
def voice_keeps(up: float, down: float, reach: float, weight: float) -> tuple[float, float]:
    """The voice feedback's push as :func:`pushed` takes it, for a reach and a weight.

    Rule: ``(exp(-weight * up * reach), exp(-weight * down * reach))``:
    efficacy moves with weight 1 and trust with the declared
    ``voice_trust_weight``. Assumption (seeds/003).
    """
    return np.exp(-weight * up * reach), np.exp(-weight * down * reach)


@elementwise
def hear_landlord_news(informed: float, openness: float, rate: float, fade: float) -> float:
    """Every household's sense of being kept informed after a week of the landlord's news, or silence (TP07).

    Rule: ``push(s, rate * openness, fade)``: news informs, more the more
    openly the landlord reports back, with diminishing returns, while a week
    of hearing nothing lets the memory fade (out of sight, out of mind). The
    memory is never set to the lever's value: lived experience moves it too,
    up after a contact or repair that kept the tenant informed and down after
    an overdue repair or a failed or unfair contact (:func:`kept_informed`),
    so TP07 is a balance of these flows, and a landlord that says much but
    leaves repairs overdue is not felt to keep tenants informed. Evidence:
    "landlord does not bother" is a top reason for dissatisfaction with
    repairs (English Housing Survey 2021-22); the rule and the fade rate are
    assumptions.
    """
    return push(informed, rate * openness, fade)


def withdrawal(old: float, new: float, low: float, high: float, direction: int) -> float:
    """How much of a programme a change of one lever withdraws, as a share of the lever's range.

    Rule: ``max(0, direction * (old - new)) / (high - low)``: with ``direction
    = +1`` (more is the programme) a cut withdraws it, with ``-1`` (patch
    size: fewer homes an officer is the programme) a rise does; 0 for a
    lever that is not a programme. Assumption.
    """
    return max(0.0, direction * (old - new)) / (high - low)


def broken_promise_signal(withdrawn: float, weight: float) -> float:
    """News of weight in [-1, 0] that every household hears when a promised programme is withdrawn.

    Rule: ``-min(1, weight * withdrawn)`` with ``withdrawn`` the summed
    :func:`withdrawal` of the week's changes: stopping a programme is itself
    news, and bad news, so a programme that is started and then withdrawn
    leaves tenants no better off than one never started. Evidence: Kampen, Van
    de Walle & Bouckaert 2006 ("trust comes on foot and goes away on
    horseback"); seeds/001 ("consistent engagement: the marathon of
    trust-building"); the weight is an assumption.
    """
    return -min(1.0, weight * withdrawn)


def news_push(signal: float, learning_rate: float) -> tuple[float, float]:
    """Push on every household's trust from news of weight ``signal`` in [-1, 1] (e.g. a damp scandal).

    Rule: ``up = lr * signal+``, ``down = lr * signal-`` for :func:`push`:
    news is second-hand, described information, so good and bad news of the
    same weight move trust equally; the negativity bias belongs to first-hand
    experience (:func:`trust_after_experience`) and is counted there once.
    Evidence: asymmetry appears for first-hand experience but not for
    described, second-hand information (Zhu, Yao & Jiang 2023); the scale
    ``lr`` is an assumption.
    """
    return learning_rate * max(signal, 0.0), learning_rate * max(-signal, 0.0)


def lived_loss_push(signal: float, learning_rate: float, negativity_bias: float) -> tuple[float, float]:
    """Push on trust from a loss every household lives through itself (a programme withdrawn).

    Rule: ``up = 0``, ``down = lr * b * signal-``: a withdrawn programme is
    first-hand (the officer stops coming, the panel stops meeting), so it is
    weighed as a bad first-hand outcome, once, with the negativity bias ``b``.
    Evidence: negativity bias 4-14x for first-hand experience (Skogan 2006);
    "trust comes on foot and goes away on horseback" (Kampen, Van de Walle &
    Bouckaert 2006). Assumption that a withdrawal counts as lived.
    """
    return 0.0, learning_rate * negativity_bias * max(-signal, 0.0)


# --- 6. frontline staff -------------------------------------------------------
def officer_quality(
    base_quality: float, culture: float, culture_effect: float, patch_size: float, reference: float
) -> float:
    """Chance one of an officer's contacts is fair, respectful and informative.

    Rule: ``q = (q0 + e * c * (1 - q0)) * min(1, reference / patch)``: a culture
    programme closes part of the gap to 1; patches above the reference size
    overload officers. Evidence: TP08 median 78% (TSM 2024/25); patch sizes
    125-450 (evidence.md); culture effect and overload form: assumption.
    """
    trained = base_quality + culture_effect * culture * (1.0 - base_quality)
    return trained * min(1.0, reference / patch_size)


def visit_probability(visits_per_week: float, presence: float, patch_homes: int) -> float:
    """Chance a home gets a doorstep visit from its officer this week.

    Rule: ``min(1, visits * presence / patch_homes)``: visits spread evenly
    over the patch. Assumption.
    """
    return min(1.0, visits_per_week * presence / max(patch_homes, 1))


@elementwise
def relationship_after_week(relationship: float, visited: bool, gain: float, decay: float) -> float:
    """Relationship with the officer: built by visits, fading without them.

    Rule: ``r' = r(1 - decay)`` then visited ``r'' = r' + gain (1 - r')``.
    Turnover resets it to 0 (in the model). Assumption.
    """
    faded = relationship * (1.0 - decay)
    return faded + gain * (1.0 - faded) if visited else faded


# --- 7. budget ----------------------------------------------------------------
def frontline_cost_per_home(officer_cost: float, patch_size: float, culture_spend: float = 0.0) -> float:
    """£ a home a year on housing officers and their culture programme.

    Rule: ``officer_cost / patch_size + culture_spend`` (the culture programme
    is paid while it runs, :func:`culture_cost_per_home`). Evidence: patches
    of 125-450 homes (evidence.md); the officer's cost is an assumption.
    """
    return officer_cost / patch_size + culture_spend


def culture_cost_per_home(programme: float, full_cost: float) -> float:
    """£ a home a year a culture programme of intensity ``programme`` (0-1) costs.

    Rule: ``programme * full_cost``: the programme is paid while it runs,
    whatever it has embedded so far. Assumption.
    """
    return programme * full_cost


def culture_after_week(culture: float, programme: float, ramp_rate: float, decay_rate: float) -> float:
    """The culture a programme has embedded, after a week.

    Rule: ``c' = c + ramp * (P - c)`` while the programme ``P`` runs above
    what is embedded (it builds up), ``c' = c - decay * (c - P)`` otherwise
    (without reinforcement it fades): the programme's effects ramp up, and
    they outlast it for a while but not for ever. Evidence: seeds/000 and
    seeds/001 describe culture change as a programme sustained over years;
    the rates are assumptions (the evidence brief names them as unsettled).
    """
    if programme > culture:
        return culture + ramp_rate * (programme - culture)
    return culture - decay_rate * (culture - programme)


def culture_raised(value: float, culture: float, effect: float) -> float:
    """A lever's value as an embedded culture raises it: responsiveness or openness.

    Rule: ``x + effect * culture * (1 - x)``: a landlord whose staff have
    taken on the culture acts on more of what it hears and explains more of
    its hard choices than its formal policy says. Evidence: seeds/000 (a
    housing association changing its culture to understand tenants),
    seeds/001 (openly sharing data builds trust); sizes: assumption.
    """
    return value + effect * culture * (1.0 - value)


def involvement_cost_per_home(involvement: float, delegated: float) -> float:
    """£ a home a year on tenant involvement and a budget delegated to tenants.

    Rule: ``involvement + delegated``. Evidence: involvement spend £30-£64 a
    home (Housemark).
    """
    return involvement + delegated


def engagement_cost_per_home(
    officer_cost: float, patch_size: float, involvement: float, delegated: float, culture_spend: float = 0.0
) -> float:
    """£ a home a year on frontline staff, their culture programme and tenant engagement.

    Rule: :func:`frontline_cost_per_home` plus :func:`involvement_cost_per_home`,
    ``officer_cost / patch_size + culture_spend + involvement + delegated``.
    """
    frontline = frontline_cost_per_home(officer_cost, patch_size, culture_spend)
    return frontline + involvement_cost_per_home(involvement, delegated)


def channel_cost_per_home(phone_office_cost: float, phone_open: float) -> float:
    """£ a home a year on phone lines and offices.

    Rule: ``phone_office_cost * phone_open``: closing channels (digital-first)
    saves their running cost in proportion. Assumption.
    """
    return phone_office_cost * phone_open


def repair_capacity(
    envelope: float,
    engagement_cost: float,
    phone_office_cost: float,
    phone_open: float,
    unit_cost: float,
) -> float:
    """Responsive repairs the budget pays for, per home per week.

    Rule: ``(envelope - engagement - channels) / unit_cost / 52``, floored at
    0, with ``channels`` from :func:`channel_cost_per_home`: whatever is not
    spent on staff, engagement (including a budget delegated to tenants, who
    spend it on their own priorities) or phone lines and offices buys
    repairs. Evidence: £115-£171 a repair (Housemark); the envelope is set so
    that it pays for about Housemark's 2.8 repairs a home a year
    (``envelope_per_home``).
    """
    repairs_money = envelope - engagement_cost - channel_cost_per_home(phone_office_cost, phone_open)
    return max(0.0, repairs_money) / unit_cost / 52.0


def repair_spend_per_home(jobs_done: float, homes: int, weeks: int, unit_cost: float) -> float:
    """£ a home a year spent on the repair jobs actually done.

    Rule: ``jobs_done / homes * 52 / weeks * unit_cost`` over the last
    ``weeks`` weeks (0 before any week has passed): the budget's
    :func:`repair_capacity` read backwards, counting the jobs done rather
    than the jobs paid for. Evidence: £115-£171 a repair (Housemark).
    """
    if weeks <= 0 or homes <= 0:
        return 0.0
    return jobs_done / homes * YEAR / weeks * unit_cost


# --- 9. measurement -------------------------------------------------------------
@elementwise
def survey_response_probability(trust: float, digital: bool, by_phone: bool, base_rate: float) -> float:
    """Chance an invited household answers the TSM survey.

    Rule: ``base * (0.4 + 0.6 * trust)``, and an online invitation reaches a
    digitally excluded household with probability 0.05: the least trusting and
    the excluded answer least. Evidence: Leeds capped online responses because
    online respondents differ (Leeds TSM 2024/25); weights: assumption.
    """
    reach = 1.0 if by_phone or digital else 0.05
    return base_rate * (0.4 + 0.6 * trust) * reach


@elementwise
def tsm_latent(trust: float, perception: float, trust_weight: float) -> float:
    """The latent view behind a TSM answer: trust blended with the perception the question asks about.

    Rule: ``w * trust + (1 - w) * perception`` with ``w = tsm_trust_weight``
    (0.5: the mean of the two). Evidence: none sets the weights (evidence
    brief: "the weights with which repairs, treatment, voice and information
    combine into overall satisfaction" are unsettled; a key driver analysis of
    landlord-level TSM returns would estimate them); assumption.
    """
    return trust_weight * trust + (1.0 - trust_weight) * perception


@elementwise
def overall_perception(
    repairs: float,
    voice: float,
    informed: float,
    treatment: float,
    repairs_weight: float,
    voice_weight: float,
    informed_weight: float,
    treatment_weight: float,
) -> float:
    """The perception behind TP01: a weighted mean of the four perceptions the survey asks about.

    Rule: ``(w_r * repairs + w_v * efficacy + w_i * informed + w_t * treatment) /
    (w_r + w_v + w_i + w_t)``; equal weights give their plain mean. The
    weights are relative (declared ``tp01_*_weight``). Assumption (see
    :func:`tsm_latent`).
    """
    total = repairs_weight + voice_weight + informed_weight + treatment_weight
    weighted = (
        repairs_weight * repairs + voice_weight * voice + informed_weight * informed + treatment_weight * treatment
    )
    return weighted / total


@elementwise
def answer_by_mode(latent: float, by_phone: bool, phone_lift: float) -> float:
    """The latent view a household gives in its answer, by survey mode.

    Rule: ``latent + phone_lift * by_phone``: people tell a telephone
    interviewer a slightly more positive view than they give an online form
    (social desirability and acquiescence). Evidence: Leeds capped online
    responses at 20% because online respondents were less satisfied (Leeds TSM
    approach 2024/25); the mode effect is documented in survey research
    (Dillman et al. 2009, *Social Science Research* 38; not in
    ``shared/evidence.md``). The size is an assumption.
    """
    return latent + phone_lift if by_phone else latent


@elementwise
def satisfied(latent: float, noise: float) -> bool:
    """A TSM answer: satisfied (or agrees) when ``latent + noise > 0.5``."""
    return latent + noise > 0.5


def mechanism_names() -> list[str]:
    """Names of the public mechanisms defined in this module (plain, elementwise or compiled)."""

    def defined_here(value: object) -> bool:
        dispatcher = getattr(value, "_dispatcher", value)  # an elementwise rule wraps a compiled one
        function = getattr(dispatcher, "py_func", value)
        return inspect.isfunction(function) and function.__module__ == __name__

    return sorted(
        name
        for name, value in globals().items()
        if not name.startswith("_") and name != "mechanism_names" and defined_here(value)
    )


# --- community-led governance, cohesion and community assets (ODD 7.23) -------------------------------
#: Who runs a neighbourhood (the ``governance`` lever): the landlord, a tenant
#: management organisation (TMO), or a co-operative or community land trust (co-op).
LANDLORD_MANAGED, TENANT_MANAGED, COMMUNITY_OWNED = 0, 1, 2
#: The rung of Arnstein's ladder a community-led neighbourhood stands on at least:
#: delegated power for a TMO, citizen control for a co-op or CLT (Arnstein 1969).
GOVERNANCE_RUNG = {LANDLORD_MANAGED: 1, TENANT_MANAGED: 7, COMMUNITY_OWNED: 8}


def is_community_led(governance: int) -> bool:
    """Whether tenants run the neighbourhood (a TMO, a co-op or a community land trust)."""
    return governance != LANDLORD_MANAGED


def governance_rung(governance: int, ladder_rung: int) -> int:
    """The rung a neighbourhood's voice stands on under its governance.

    Rule: ``max(rung, 7)`` under a TMO (delegated power: the management
    agreement hands tenants day-to-day management), ``8`` under a co-op or
    community land trust (citizen control), the landlord's own rung
    otherwise. Evidence: Arnstein 1969; NFTMO, *What is a TMO?* (a TMO runs
    repairs, caretaking and lettings under an agreement).
    """
    return max(ladder_rung, GOVERNANCE_RUNG[governance])


def governance_responsiveness(governance: int, responsiveness: float, community_responsiveness: float) -> float:
    """How much of what tenants ask for is acted on, under the neighbourhood's governance.

    Rule: under tenants' control the committee acts on members' priorities
    at ``community_responsiveness`` or the landlord's responsiveness,
    whichever is higher; the landlord's otherwise. Assumption (TMOs "compare
    favourably with the top 25% of local authorities" on repairs, relets and
    satisfaction: ODPM 2002, unverified).
    """
    if not is_community_led(governance):
        return responsiveness
    return max(responsiveness, community_responsiveness)


def governance_local_share(governance: int, local: float, tmo_local_share: float) -> float:
    """Share of the neighbourhood's priorities decided on the estate, under its governance.

    Rule: a TMO decides at least ``tmo_local_share`` (the landlord keeps
    capital works and allocations policy); a co-op or community land trust
    decides everything (1: nothing waits for the central layer); landlord
    management keeps :func:`local_share`. Evidence: Power 2017 and NFTMO
    (what a management agreement devolves); the share is an assumption.
    """
    if governance == COMMUNITY_OWNED:
        return 1.0
    if governance == TENANT_MANAGED:
        return max(local, tmo_local_share)
    return local


def committee_seats(committee_seats_per_1000: float, homes: int) -> int:
    """Seats on a community-led neighbourhood's committee or board.

    Rule: ``round(committee_seats_per_1000 * homes / 1000)``, at least one.
    Evidence: Watmos, about 150 active volunteers for 3,049 homes in 11 TMOs
    (about 49 per 1,000, self-reported); boards of 5-12 (single
    associations' rules). The default, 30 per 1,000, is an assumption.
    """
    return max(1, round(committee_seats_per_1000 * homes / 1000))


def committee_viable(members: int, seats: int, quorum: float) -> bool:
    """Whether a community-led neighbourhood's committee is quorate: at least ``quorum`` of its seats filled.

    Rule: ``members >= quorum * seats``. Assumption (quorums of a third to a half of a board are common;
    burnout and too few volunteers are the recorded risk of co-operative housing: Crabtree et al. 2019;
    NCVO 2019, unverified).
    """
    return members >= quorum * seats


def ballot_passes(share_in_favour: float, majority: float) -> bool:
    """Whether a TMO's continuation ballot passes: the share in favour reaches ``majority``.

    Evidence: tenants re-ballot on their TMO every five years (NFTMO); a
    majority ballot is needed to form one (Right to Manage Regulations 2012).
    """
    return share_in_favour >= majority


def cohesion_target(
    reference: float,
    ties_gap: float,
    efficacy_gap: float,
    assets: int,
    tie_weight: float,
    efficacy_weight: float,
    asset_effect: float,
) -> float:
    """The cohesion (collective efficacy) a neighbourhood tends towards, in (0, 1).

    Rule: ``expit(logit(reference) + tie_weight * ties_gap + efficacy_weight
    * efficacy_gap + asset_effect * assets)``: the share who would say they
    belong strongly rises with the ties formed through taking part (against
    the landlord's settled level at week 0), with the shared sense of being
    able to change things (efficacy, against its settled level) and with
    each place to meet the community owns. Evidence: collective efficacy is
    cohesion combined with a shared willingness to act (Sampson, Raudenbush
    & Earls 1997) and it follows the neighbourhood's experience of success
    and failure (Hipp 2016); 61% of adults in England belong strongly to
    their neighbourhood (Community Life Survey 2023/24), the ``reference``;
    places to meet (Scotland's National Performance Framework). The weights
    are assumptions.
    """
    log_odds = math.log(reference) - math.log1p(-reference)
    log_odds += tie_weight * ties_gap + efficacy_weight * efficacy_gap + asset_effect * assets
    return 1.0 / (1.0 + math.exp(-log_odds))


def cohesion_after(cohesion: float, target: float, weekly_rate: float, weeks: int) -> float:
    """Cohesion after ``weeks`` weeks of relaxing towards ``target`` at ``weekly_rate`` a week.

    Rule: ``X + (1 - (1 - rate)^weeks) (X* - X)``, the weekly
    ``X' = X + rate (X* - X)`` taken ``weeks`` times with the target held.
    Assumption (the rate).
    """
    return cohesion + (1.0 - (1.0 - weekly_rate) ** weeks) * (target - cohesion)


def asset_chance(cohesion: float, yearly_rate: float, threshold: float) -> float:
    """Chance that a community-led neighbourhood takes a place to meet into community ownership this year.

    Rule: ``rate * max(0, X - threshold) / (1 - threshold)``: none below the
    threshold, ``rate`` at full cohesion. Evidence: community groups took
    about 48 assets a year into ownership in Scotland in 2021 (590 in 2019),
    where cohesion and a group to act are preconditions (seeds/004: "save
    shops and pubs, create local workspace"); the rate and threshold are
    assumptions.
    """
    return yearly_rate * max(0.0, cohesion - threshold) / (1.0 - threshold)
