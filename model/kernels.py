"""The week's household updates as compiled loops over the households.

Each kernel runs one part of the weekly schedule (``docs/ODD.md``, section 3)
for every household in one compiled pass, calling the rules of
:mod:`model.submodels` household by household, so a week costs a few calls
from Python rather than one NumPy call per rule (on a small estate those
calls, not the arithmetic, were most of a week's cost). Kernels hold no
rules of their own: they decide only the order of the calls and who is
affected.

Randomness: the draws every household needs each week (a visit, a new need,
a report, a talk) come in one block from the model's NumPy generator and are
passed in; the few that depend on what happened (repairs done, contacts,
stories passed on, who joins) come from Numba's Mersenne Twister (one stream
per thread), which the model reseeds with :func:`seed` at the start of every
week from the same generator (:meth:`model.model.TrustModel.step`), and the
kernels draw from it in the fixed order of the week. One master seed still
decides every draw, and a run gives the same numbers in any process or thread.

Arrays passed in are updated in place; the kernels return what the model
needs besides (who was visited, which repairs were completed, who has a
story to tell).

Inputs are named: household state comes in NamedTuples of arrays
(:class:`Repairs`, :class:`Memories`, ...), and rates in NamedTuples of
floats built by name from the parameters (``WordOfMouthRates.from_params(p)``
reads ``p["bad_story_reach"]`` into the field ``bad_story_reach``), so no
kernel unpacks anything by position. Numba compiles attribute access on them
to the same code as on plain tuples.

Numba takes a NamedTuple argument from Python several times more slowly than
a plain tuple, so the model passes each structure as :func:`plain` makes it
(its values in its fields' order) and the kernels called from Python rebuild
it first thing with its own class (``rates = WordOfMouthRates(*rates)``):
the order is the class's on both sides, never written by hand. Tests pass
the NamedTuples themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from model import submodels as sm
from model.submodels import compiled

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.int64]


def _by_name(cls: type, p: Mapping[str, float | int], derived: Mapping[str, float]) -> Any:
    """Every field of ``cls`` from ``derived`` if given there, else from the parameter of the same name."""
    return cls(*(float(derived[name] if name in derived else p[name]) for name in cls._fields))


def plain(structure: tuple) -> tuple:
    """A NamedTuple as a plain tuple of its values in its fields' order, for a kernel call.

    :class:`RepairRates`, the one that holds others, becomes a tuple of plain tuples.
    """
    if type(structure) is RepairRates:
        return tuple(plain(value) if isinstance(value, tuple) else value for value in structure)
    return tuple(structure)


# --- household state ------------------------------------------------------------------
class Ties(NamedTuple):
    """The neighbour network in CSR form: household ``i``'s neighbours are ``indices[indptr[i]:indptr[i + 1]]``."""

    indptr: Ints
    indices: Ints


class Homes(NamedTuple):
    """What each home brings to the week's repairs and contacts (read only)."""

    digital: Bools
    need_rate: Floats
    fix_rate: Floats
    visit_quality: Floats
    quality_gap: Floats
    damp: Bools


class Repairs(NamedTuple):
    """Each home's open repair (updated)."""

    need: Bools
    reported: Bools
    raised_week: Ints
    expected_wait: Floats


class Memories(NamedTuple):
    """Trust and the memories a survey asks about (updated)."""

    trust: Floats
    relationship: Floats
    outcome_score: Floats
    treatment_score: Floats
    informed_score: Floats


class ReportDraws(NamedTuple):
    """One uniform draw per home for a new need and one for a report."""

    need: Floats
    report: Floats


class Stories(NamedTuple):
    """Who has a bad and who has a good story to tell this week."""

    bad: Bools
    good: Bools


class Opinions(NamedTuple):
    """Trust and disposition (updated) and the outlook from outside the tenancy."""

    trust: Floats
    disposition: Floats
    outlook: Floats


class Readiness(NamedTuple):
    """What readiness to take part is made of."""

    trust: Floats
    efficacy: Floats
    cost: Floats
    threshold: Floats
    fatigue: Floats


class TookPart(NamedTuple):
    """Seat-holders, each household's latest week of taking part, its fatigue and the ties it formed (updated)."""

    active: Bools
    last_took_part: Ints
    fatigue: Floats
    ties_formed: Floats


class Seats(NamedTuple):
    """The panel seats of each neighbourhood, and where each neighbourhood's homes are (read only).

    Neighbourhood ``k`` is homes ``starts[k]`` to ``starts[k + 1] - 1`` and
    has ``per_neighbourhood[k]`` seats (:func:`~model.submodels.allocate_seats`).
    """

    starts: Ints
    per_neighbourhood: Ints


class NeighbourhoodVoice(NamedTuple):
    """What each neighbourhood's own voice levers make of its priorities (read only).

    Attributes:
        visible_change: Share of its priorities acted on (:func:`~model.submodels.visible_change`).
        promised: What its rung promises (:func:`~model.submodels.promised_influence`).
        local_share: Share it decides itself (:func:`~model.submodels.local_share`).
    """

    visible_change: Floats
    promised: Floats
    local_share: Floats


class Voice(NamedTuple):
    """What the landlord's "you said, we did" moves (updated)."""

    efficacy: Floats
    trust: Floats
    informed_score: Floats
    efficacy_outlook: Floats


#: The structures whose fields are all :class:`~model.households.Households` arrays of the same names.
OF_HOUSEHOLDS = (Ties, Repairs, Memories, Opinions, TookPart, Voice)
_GETTERS = {cls: attrgetter(*cls._fields) for cls in OF_HOUSEHOLDS}


def gather(cls: type, households: object) -> tuple:
    """The plain tuple (as :func:`plain` gives) of ``cls``'s fields, each the households' array of that name."""
    return _GETTERS[cls](households)


# --- rates -------------------------------------------------------------------------------
class RelationshipRates(NamedTuple):
    """Parameters of :func:`frontline_visits`."""

    relationship_gain: float
    relationship_decay: float

    @classmethod
    def from_params(cls, p: Mapping[str, float | int]) -> RelationshipRates:
        """Each field from the parameter of the same name."""
        return _by_name(cls, p, {})


class Channels(NamedTuple):
    """Parameters of :func:`report_needs`; ``phone_open`` is ``1 - digital_first``."""

    phone_open: float
    phone_answer_rate: float
    portal_success_rate: float
    proxy_report_rate: float

    @classmethod
    def from_params(cls, p: Mapping[str, float | int], phone_open: float) -> Channels:
        """Each field from the parameter of the same name, but ``phone_open``."""
        return _by_name(cls, p, {"phone_open": phone_open})


class ContactRates(NamedTuple):
    """Parameters of :func:`contact_signals`.

    Attributes:
        phone_share: Chance a digitally excluded tenant's report logged without a
            visit went by phone (:func:`~model.submodels.phone_share_of_excluded_reports`).
        phone_quality: Chance a phone contact is fair (:func:`~model.submodels.officer_quality`).
        failed_contact_signal: Treatment signal of a week of failing to get through.
    """

    phone_share: float
    phone_quality: float
    failed_contact_signal: float


class ExperienceRates(NamedTuple):
    """Parameters of :func:`experience` (and ``negativity_bias`` of :func:`complete_repairs`)."""

    trust_learning_rate: float
    negativity_bias: float
    treatment_weight: float
    relationship_buffer: float
    openness: float
    openness_buffer: float

    @classmethod
    def from_params(cls, p: Mapping[str, float | int]) -> ExperienceRates:
        """Each field from the parameter of the same name."""
        return _by_name(cls, p, {})


class RepairStandards(NamedTuple):
    """What tenants judge a repair against, and what waiting costs them.

    Parameters of :func:`complete_repairs` (the zone of tolerance, and how
    expectations adapt) and :func:`experience` (weeks overdue, past the
    published target, and with damp).
    """

    repair_target_weeks: float
    repair_tolerance: float
    expectation_rate: float
    expectation_norm_weight: float
    past_target_cost: float
    damp_need_cost: float
    memory_rate: float
    chasing_signal: float

    @classmethod
    def from_params(cls, p: Mapping[str, float | int]) -> RepairStandards:
        """Each field from the parameter of the same name."""
        return _by_name(cls, p, {})


class RepairRates(NamedTuple):
    """Everything :func:`repairs_and_contact` needs besides the households."""

    channels: Channels
    contact: ContactRates
    experience: ExperienceRates
    repair_job_weeks: float
    standards: RepairStandards


class WordOfMouthRates(NamedTuple):
    """Parameters of :func:`word_of_mouth`; ``story_push`` is ``trust_learning_rate * story_weight``."""

    story_push: float
    bad_story_reach: float
    good_story_reach: float
    talk_rate: float
    confidence_bound: float
    convergence_rate: float
    trust_anchor_rate: float
    disposition_learning_rate: float
    outside_trust_weight: float
    disposition_loss_multiplier: float

    @classmethod
    def from_params(cls, p: Mapping[str, float | int]) -> WordOfMouthRates:
        """Each field from the parameter of the same name, but ``story_push``."""
        return _by_name(cls, p, {"story_push": p["trust_learning_rate"] * p["story_weight"]})


class ParticipationRates(NamedTuple):
    """Parameters of :func:`willingness`, :func:`take_part` and :func:`participation`."""

    neighbour_pull: float
    activity_rate: float
    fatigue_gain: float
    fatigue_recovery: float
    tie_formation_rate: float
    tie_fade_rate: float

    @classmethod
    def from_params(cls, p: Mapping[str, float | int]) -> ParticipationRates:
        """Each field from the parameter of the same name."""
        return _by_name(cls, p, {})


class VoiceRates(NamedTuple):
    """Parameters of :func:`hear_voice`.

    Attributes:
        participants_up: The week's push up on participants' efficacy
            (:func:`~model.submodels.voice_push` with reach 1).
        participants_down: The week's push down on it.
        others_up: The week's push up on everyone else's efficacy (reach ``news_reach``).
        others_down: The week's push down on it.
        efficacy_fade_rate: Weekly pull of efficacy towards each household's outlook.
        voice_trust_weight: Share of the push on efficacy that reaches trust.
        openness: How openly the landlord reports back.
        news_rate: Weekly weight of the landlord's news.
        informed_fade_rate: Weekly fading of the sense of being kept informed.
    """

    participants_up: float
    participants_down: float
    others_up: float
    others_down: float
    efficacy_fade_rate: float
    voice_trust_weight: float
    openness: float
    news_rate: float
    informed_fade_rate: float

    @classmethod
    def from_params(
        cls,
        p: Mapping[str, float | int],
        participants_up: float,
        participants_down: float,
        others_up: float,
        others_down: float,
        news_rate: float,
    ) -> VoiceRates:
        """``efficacy_fade_rate``, ``voice_trust_weight``, ``openness``, ``informed_fade_rate`` from their parameters.

        The pushes and the news rate are as given.
        """
        given = {
            "participants_up": participants_up,
            "participants_down": participants_down,
            "others_up": others_up,
            "others_down": others_down,
            "news_rate": news_rate,
        }
        return _by_name(cls, p, given)


class InfluenceRates(NamedTuple):
    """What :func:`share_power` works the week's voice pushes out from.

    Each neighbourhood's visible change and promise come with its own voice
    levers (:class:`NeighbourhoodVoice`).

    Attributes:
        capacity: Participants whose priorities the landlord can take through in a quarter.
        rate: The week's share of ``efficacy_learning_rate`` (:func:`~model.submodels.weekly_rate`).
        expectation_adaptation: How far expectations adapt to experienced influence.
        frustration_weight: Weight of influence short of what was expected.
        openness: How openly the landlord reports back (as the culture makes it act).
        openness_buffer: How far openness softens bad news.
        news_reach: Share of the push that reaches those who did not take part.
        central_agendas: Neighbourhood agendas the central layer takes through
            in a quarter (:func:`~model.submodels.central_agendas`).
    """

    capacity: float
    rate: float
    expectation_adaptation: float
    frustration_weight: float
    openness: float
    openness_buffer: float
    news_reach: float
    central_agendas: float

    @classmethod
    def from_params(
        cls,
        p: Mapping[str, float | int],
        capacity: float,
        rate: float,
        central_agendas: float,
    ) -> InfluenceRates:
        """``expectation_adaptation`` to ``news_reach`` from their parameters; the rest as given."""
        given = {"capacity": capacity, "rate": rate, "central_agendas": central_agendas}
        return _by_name(cls, p, given)


#: The rate structures built from parameters, for checks that each field reads its namesake.
RATES_FROM_PARAMS = (
    RelationshipRates,
    Channels,
    ExperienceRates,
    RepairStandards,
    WordOfMouthRates,
    ParticipationRates,
    VoiceRates,
    InfluenceRates,
)


# --- kernels -----------------------------------------------------------------------------
@compiled
def seed(value: int) -> None:
    """Reseed the compiled code's random numbers (in this thread)."""
    np.random.seed(value)


@compiled
def frontline_visits(visit_p: Floats, draws: Floats, relationship: Floats, rates: RelationshipRates) -> Bools:
    """Officers visit homes (each with its patch's chance); relationships fade and grow.

    Rules: :func:`~model.submodels.occurs` (a visit),
    :func:`~model.submodels.relationship_after_week`; ``draws`` holds one
    uniform draw per home.
    """
    rates = RelationshipRates(*rates)
    visited = np.zeros(visit_p.size, dtype=np.bool_)
    for i in range(visit_p.size):
        visited[i] = sm.occurs(draws[i], visit_p[i])
        relationship[i] = sm.relationship_after_week(
            relationship[i], visited[i], rates.relationship_gain, rates.relationship_decay
        )
    return visited


@compiled
def report_needs(
    week: int, repairs: Repairs, homes: Homes, visited: Bools, channels: Channels, draws: ReportDraws
) -> tuple[Bools, Bools]:
    """New needs arise and tenants try to report them through the open channels.

    Rules: :func:`~model.submodels.new_repair_needs`,
    :func:`~model.submodels.report_probability`, :func:`~model.submodels.occurs`.

    Returns:
        Who logged a need this week, and who tried and failed to get through.
    """
    need, reported, raised_week = repairs.need, repairs.reported, repairs.raised_week
    logged = np.zeros(need.size, dtype=np.bool_)
    failed = np.zeros(need.size, dtype=np.bool_)
    for i in range(need.size):
        if need[i] and reported[i]:
            continue  # a need already logged: no new one arises, and nothing to report
        if sm.new_repair_needs(need[i], homes.need_rate[i], draws.need[i]):
            need[i], reported[i], raised_week[i] = True, False, week
        if need[i] and not reported[i]:
            chance = sm.report_probability(
                homes.digital[i],
                visited[i],
                channels.phone_open,
                channels.phone_answer_rate,
                channels.portal_success_rate,
                channels.proxy_report_rate,
            )
            logged[i] = sm.occurs(draws.report[i], chance)
            failed[i] = not logged[i]
            reported[i] = logged[i]
    return logged, failed


@compiled
def complete_repairs(
    week: int,
    jobs: int,
    job_weeks: float,
    repairs: Repairs,
    fix_rate: Floats,
    outcome_score: Floats,
    negativity_bias: float,
    standards: RepairStandards,
) -> tuple[Ints, Floats, Floats]:
    """The landlord completes the ready jobs its budget pays for, oldest first.

    Rules: :func:`~model.submodels.jobs_ready`,
    :func:`~model.submodels.repairs_to_complete`,
    :func:`~model.submodels.weeks_waited`, :func:`~model.submodels.occurs` (fixed first time),
    :func:`~model.submodels.repair_outcome` (with ``standards.repair_tolerance``),
    :func:`~model.submodels.adapt_expectation` (towards the wait and the
    published target), :func:`~model.submodels.remember_repair`. A repair that fails leaves the
    need open, to be reported again from this week. Draws: one per waiting job
    (ready or not), then one per completed job (fixed or not).

    Returns:
        The homes whose repair was completed, each one's wait (weeks, counted
        from the need arising) and its outcome signal.
    """
    need, reported, raised_week, expected_wait = (
        repairs.need,
        repairs.reported,
        repairs.raised_week,
        repairs.expected_wait,
    )
    waiting = np.flatnonzero(need & reported)
    ready = sm.jobs_ready(waiting, job_weeks, np.random.random(waiting.size))
    finished = sm.repairs_to_complete(ready, raised_week, jobs)
    waits = np.empty(finished.size)
    outcomes = np.empty(finished.size)
    for k in range(finished.size):
        home = finished[k]
        waits[k] = sm.weeks_waited(week, raised_week[home])
        fixed = sm.occurs(np.random.random(), fix_rate[home])  # fixed first time
        outcomes[k] = sm.repair_outcome(waits[k], expected_wait[home], fixed, standards.repair_tolerance)
        expected_wait[home] = sm.adapt_expectation(
            expected_wait[home],
            waits[k],
            standards.repair_target_weeks,
            standards.expectation_rate,
            standards.expectation_norm_weight,
        )
        outcome_score[home] = sm.remember_repair(
            outcome_score[home], outcomes[k], standards.memory_rate, negativity_bias
        )
        need[home], reported[home], raised_week[home] = not fixed, False, week
    return finished, waits, outcomes


@compiled
def contact_signals(logged: Bools, failed: Bools, visited: Bools, homes: Homes, rates: ContactRates) -> Floats:
    """Treatment signal of each household's contacts with a person this week.

    Rules: :func:`~model.submodels.may_have_phoned` (then whether it did,
    :func:`~model.submodels.occurs` with ``rates.phone_share``),
    :func:`~model.submodels.contact_signal` for a phone call (with
    ``rates.phone_quality``) and for a visit (with the officer's quality),
    :func:`~model.submodels.failed_contact_signal`. Reports through the
    portal carry no signal. Draws, household by household: one for the
    phone when it may have been used, one more for its signal when it was,
    one for a visit's signal.
    """
    treatment = np.zeros(logged.size)
    for i in range(logged.size):
        if not (logged[i] or failed[i] or visited[i]):
            continue  # no report, failed attempt or visit: no contact, and no draw
        if sm.may_have_phoned(logged[i], homes.digital[i], visited[i]) and sm.occurs(
            np.random.random(), rates.phone_share
        ):
            treatment[i] += sm.contact_signal(
                np.random.random(), sm.felt_quality(rates.phone_quality, homes.quality_gap[i])
            )
        if visited[i]:
            treatment[i] += sm.contact_signal(
                np.random.random(), sm.felt_quality(homes.visit_quality[i], homes.quality_gap[i])
            )
        treatment[i] += sm.failed_contact_signal(failed[i], rates.failed_contact_signal)
    return treatment


@compiled
def experience(
    week: int,
    outcome: Floats,
    treatment: Floats,
    memories: Memories,
    repairs: Repairs,
    damp: Bools,
    rates: ExperienceRates,
    standards: RepairStandards,
) -> Stories:
    """Outcomes, waiting and treatment move trust and the memories a survey asks about.

    Rules: :func:`~model.submodels.weeks_waited`,
    :func:`~model.submodels.overdue` (past the tenant's zone of tolerance),
    :func:`~model.submodels.past_target` (past the published target),
    :func:`~model.submodels.waiting_signal` (with damp and an open need) and
    :func:`~model.submodels.week_outcome` (the trust signal of the completed
    repair and the wait), :func:`~model.submodels.had_experience`,
    :func:`~model.submodels.experience_buffer`,
    :func:`~model.submodels.trust_after_experience`,
    :func:`~model.submodels.ewma` of :func:`~model.submodels.fairly_treated`
    (treatment, TP08), :func:`~model.submodels.waiting_memory_signal` and
    :func:`~model.submodels.remember_repair` (a week chasing an overdue repair
    or past target), :func:`~model.submodels.heard_from_landlord` and
    :func:`~model.submodels.kept_informed` (TP07),
    :func:`~model.submodels.bad_story`, :func:`~model.submodels.good_story`
    (stories are of completed repairs and contacts, not of waiting).

    Args:
        week: This week.
        outcome: Outcome signal of each household's completed repair (0 if none).
        treatment: Treatment signal of its contacts (0 if none).
        memories: Updated.
        repairs: Read only.
        damp: Each home is at risk of damp and mould (read only).
        rates: The experience parameters.
        standards: The repair target, tolerance and costs of waiting.

    Returns:
        Who has a bad and who has a good story to tell this week.
    """
    trust, relationship = memories.trust, memories.relationship
    outcome_score, treatment_score, informed_score = (
        memories.outcome_score,
        memories.treatment_score,
        memories.informed_score,
    )
    bad = np.zeros(trust.size, dtype=np.bool_)
    good = np.zeros(trust.size, dtype=np.bool_)
    for i in range(trust.size):
        o, t = outcome[i], treatment[i]
        if o == 0.0 and t == 0.0 and not repairs.need[i]:
            continue  # no repair, contact or open need: every rule below leaves the household as it is
        waited = sm.weeks_waited(week, repairs.raised_week[i])
        open_logged = repairs.need[i] and repairs.reported[i]
        late = sm.overdue(open_logged, waited, repairs.expected_wait[i], standards.repair_tolerance)
        after_target = sm.past_target(open_logged, waited, standards.repair_target_weeks)
        waiting = sm.waiting_signal(
            after_target, damp[i] and repairs.need[i], standards.past_target_cost, standards.damp_need_cost
        )
        felt = sm.week_outcome(o, waiting)
        if sm.had_experience(felt, t):
            buffer = sm.experience_buffer(
                relationship[i], rates.relationship_buffer, rates.openness, rates.openness_buffer
            )
            trust[i] = sm.trust_after_experience(
                trust[i], felt, t, rates.trust_learning_rate, rates.negativity_bias, rates.treatment_weight, buffer
            )
        if t != 0.0:
            fair = 1.0 if sm.fairly_treated(t) else 0.0
            treatment_score[i] = sm.ewma(treatment_score[i], fair, standards.memory_rate)
        remembered = sm.waiting_memory_signal(late, after_target, standards.chasing_signal, standards.past_target_cost)
        if remembered != 0.0:
            outcome_score[i] = sm.remember_repair(
                outcome_score[i], remembered, standards.memory_rate, rates.negativity_bias
            )
        if sm.heard_from_landlord(o, t, late):
            informed = 1.0 if sm.kept_informed(o, t, late) else 0.0
            informed_score[i] = sm.ewma(informed_score[i], informed, standards.memory_rate)
        bad[i] = sm.bad_story(o, t)
        good[i] = sm.good_story(o, t)
    return Stories(bad, good)


@compiled
def word_of_mouth(
    opinions: Opinions, stories: Stories, talk_draws: Floats, ties: Ties, rates: WordOfMouthRates
) -> None:
    """Stories spread along ties; neighbours compare views; trust and disposition settle.

    Rules: :func:`~model.submodels.stories_heard` (one draw per tie of a
    teller: a household has at most one kind of story in a week),
    :func:`~model.submodels.push` (each story heard, as :func:`~model.submodels.pushed`
    with the week's :func:`~model.submodels.push_keeps`),
    :func:`~model.submodels.talk_partner` (whether a household talks, and to
    which neighbour, from one draw), :func:`~model.submodels.bounded_confidence`,
    :func:`~model.submodels.anchor`, :func:`~model.submodels.settle_disposition`.

    Args:
        opinions: Trust and disposition are updated.
        stories: This week's stories.
        talk_draws: One uniform draw per home: whether it talks, and to whom.
        ties: The neighbour network.
        rates: The word-of-mouth parameters.
    """
    opinions, stories, ties, rates = Opinions(*opinions), Stories(*stories), Ties(*ties), WordOfMouthRates(*rates)
    trust, disposition, outlook = opinions.trust, opinions.disposition, opinions.outlook
    indptr, indices = ties.indptr, ties.indices
    tellers, listeners = ties_of(stories.bad | stories.good, indptr, indices)
    draws = np.random.random(tellers.size)
    bad = sm.stories_heard(tellers, listeners, stories.bad, rates.bad_story_reach, draws, trust.size)
    good = sm.stories_heard(tellers, listeners, stories.good, rates.good_story_reach, draws, trust.size)
    keeps = sm.push_keeps(rates.story_push, int(max(bad.max(), good.max())))
    for i in heard_a_story(bad, good):
        trust[i] = sm.pushed(trust[i], keeps[int(good[i])], keeps[int(bad[i])])
    before = trust.copy()
    for i in range(trust.size):
        partner = sm.talk_partner(talk_draws[i], rates.talk_rate, indptr[i + 1] - indptr[i])
        talks = partner >= 0
        partner_trust = before[indices[indptr[i] + partner]] if talks else before[i]
        talked = sm.bounded_confidence(before[i], partner_trust, talks, rates.confidence_bound, rates.convergence_rate)
        trust[i] = sm.anchor(talked, disposition[i], rates.trust_anchor_rate)
        disposition[i] = sm.settle_disposition(
            disposition[i],
            trust[i],
            outlook[i],
            rates.disposition_learning_rate,
            rates.outside_trust_weight,
            rates.disposition_loss_multiplier,
        )


@compiled
def heard_a_story(bad: Floats, good: Floats) -> Ints:
    """The households that heard a bad or a good story (a count above 0), in order."""
    heard = np.empty(bad.size, dtype=np.int64)
    count = 0
    for i in range(bad.size):
        heard[count] = i
        count += bad[i] > 0.0 or good[i] > 0.0
    return heard[:count]


@compiled
def ties_of(flag: Bools, indptr: Ints, indices: Ints) -> tuple[Ints, Ints]:
    """The ties (source, target) of the households where ``flag`` is true, in CSR order."""
    count = 0
    for i in range(flag.size):
        if flag[i]:
            count += indptr[i + 1] - indptr[i]
    sources = np.empty(count, dtype=np.int64)
    targets = np.empty(count, dtype=np.int64)
    k = 0
    for i in range(flag.size):
        if flag[i]:
            for tie in range(indptr[i], indptr[i + 1]):
                sources[k], targets[k] = i, indices[tie]
                k += 1
    return sources, targets


@compiled
def took_part_within(active: Bools, last_took_part: Ints, week: int, weeks: int) -> Bools:
    """Households holding a seat or that took part in anything in the last ``weeks`` weeks."""
    return active | (last_took_part > week - weeks)


@compiled
def willingness(
    week: int, readiness: Readiness, took_part: TookPart, ties: Ties, rates: ParticipationRates
) -> tuple[Bools, Floats]:
    """Who is ready to take part, and by how much (readiness minus threshold).

    Rules: :func:`~model.submodels.neighbour_share` (neighbours who took part
    in the last year), :func:`~model.submodels.readiness` (with
    ``rates.neighbour_pull``).
    """
    readiness, took_part, ties, rates = (
        Readiness(*readiness),
        TookPart(*took_part),
        Ties(*ties),
        ParticipationRates(*rates),
    )
    recent = took_part_within(took_part.active, took_part.last_took_part, week, sm.YEAR)
    return willing_given_peers(readiness, sm.neighbour_share(recent, ties.indptr, ties.indices), rates)


@compiled
def willing_given_peers(readiness: Readiness, peers: Floats, rates: ParticipationRates) -> tuple[Bools, Floats]:
    """Who is willing, and by what margin, given each household's share of neighbours who took part.

    Rule: :func:`~model.submodels.readiness` (with ``rates.neighbour_pull``)
    against the household's threshold; shared by :func:`willingness` and
    :func:`willingness_in_symmetric_network`, which count the shares two ways.
    """
    margin = np.empty(readiness.trust.size)
    for i in range(margin.size):
        ready = sm.readiness(
            readiness.trust[i],
            readiness.efficacy[i],
            peers[i],
            readiness.cost[i],
            readiness.fatigue[i],
            rates.neighbour_pull,
        )
        margin[i] = ready - readiness.threshold[i]
    return margin >= 0.0, margin


@compiled
def take_part(willing: Bools, channel_open: Floats, visited: Bools, activity_rate: float) -> Bools:
    """Willing households join a survey or meeting this week (:func:`~model.submodels.take_part`; a draw each)."""
    joined = np.zeros(willing.size, dtype=np.bool_)
    for i in range(willing.size):
        if willing[i]:
            joined[i] = sm.take_part(True, channel_open[i], visited[i], activity_rate, np.random.random())
    return joined


@compiled
def hear_voice(heard: Bools, voice: Voice, rates: VoiceRates) -> None:
    """Participants, fully, and everyone else, through news, feel the week's voice push; efficacy fades back.

    Rules: :func:`~model.submodels.voice_keeps` (the push on efficacy, and on
    trust at ``rates.voice_trust_weight`` of it),
    :func:`~model.submodels.efficacy_after_push` (push, then fading towards
    the household's outlook), :func:`~model.submodels.pushed` (trust), then
    every household's :func:`~model.submodels.hear_landlord_news`.

    Args:
        heard: Took part in the last quarter.
        voice: Updated (``efficacy_outlook`` is read only).
        rates: The week's pushes for participants and for everyone else, and
            the landlord's openness and news rate.
    """
    voice, rates = Voice(*voice), VoiceRates(*rates)
    efficacy, trust, informed = voice.efficacy, voice.trust, voice.informed_score
    # Two groups (participants and the rest): their push factors, taken once.
    pushes = ((rates.participants_up, rates.participants_down), (rates.others_up, rates.others_down))
    efficacy_keeps = (sm.voice_keeps(*pushes[0], 1.0, 1.0), sm.voice_keeps(*pushes[1], 1.0, 1.0))
    weight = rates.voice_trust_weight
    trust_keeps = (sm.voice_keeps(*pushes[0], 1.0, weight), sm.voice_keeps(*pushes[1], 1.0, weight))
    for i in range(heard.size):
        group = 0 if heard[i] else 1
        keep_gap, keep_level = efficacy_keeps[group]
        efficacy[i] = sm.efficacy_after_push(
            efficacy[i], voice.efficacy_outlook[i], keep_gap, keep_level, rates.efficacy_fade_rate
        )
        trust[i] = sm.pushed(trust[i], trust_keeps[group][0], trust_keeps[group][1])
        informed[i] = sm.hear_landlord_news(informed[i], rates.openness, rates.news_rate, rates.informed_fade_rate)


@compiled
def share_power(
    week: int,
    took_part: TookPart,
    voice: Voice,
    influence: InfluenceRates,
    rates: VoiceRates,
    starts: Ints,
    own: NeighbourhoodVoice,
) -> tuple[float, float]:
    """The week's voice pushes, neighbourhood by neighbourhood, from who took part in the last quarter.

    As :meth:`model.agents.Landlord.voice_pushes` works them out, for each
    neighbourhood ``k`` (homes ``starts[k]`` to ``starts[k + 1] - 1``):
    :func:`took_part_within` the last quarter,
    :func:`~model.submodels.influence_per_participant` of its own visible
    change (``own``) among its participants with its homes' share of the
    capacity, times
    :func:`~model.submodels.through_the_centre` (its local share, and the
    central layer's :func:`~model.submodels.central_pass_through` among the
    neighbourhoods with someone taking part), then
    :func:`~model.submodels.felt_influence` against what its own rung promised, and
    :func:`~model.submodels.voice_push` for its participants (reach 1) and its
    other households (reach ``news_reach``), which :func:`hear_voice` applies
    there with the other fields of ``rates`` (whose pushes are ignored). With
    one neighbourhood and an uncongested centre this is the landlord-wide rule
    (``own`` then holds the landlord's visible change and promise).

    Returns:
        The influence per participant (homes-weighted mean over
        neighbourhoods) and the central pass-through.
    """
    took_part, influence, rates = TookPart(*took_part), InfluenceRates(*influence), VoiceRates(*rates)
    voice, own = Voice(*voice), NeighbourhoodVoice(*own)
    heard = took_part_within(took_part.active, took_part.last_took_part, week, sm.QUARTER)
    neighbourhoods = starts.size - 1
    participants = np.empty(neighbourhoods, dtype=np.int64)
    for k in range(neighbourhoods):
        participants[k] = np.count_nonzero(heard[starts[k] : starts[k + 1]])
    pass_through = sm.central_pass_through(influence.central_agendas, np.count_nonzero(participants))
    mean_influence = 0.0
    for k in range(neighbourhoods):
        start, end = starts[k], starts[k + 1]
        share = (end - start) / heard.size
        per_participant = sm.influence_per_participant(
            own.visible_change[k], participants[k], influence.capacity * share
        ) * sm.through_the_centre(own.local_share[k], pass_through)
        felt = sm.felt_influence(
            per_participant, own.promised[k], influence.expectation_adaptation, influence.frustration_weight
        )
        mine = sm.voice_push(felt, influence.rate, 1.0, influence.openness, influence.openness_buffer)
        news = sm.voice_push(felt, influence.rate, influence.news_reach, influence.openness, influence.openness_buffer)
        pushed = VoiceRates(
            participants_up=mine[0],
            participants_down=mine[1],
            others_up=news[0],
            others_down=news[1],
            efficacy_fade_rate=rates.efficacy_fade_rate,
            voice_trust_weight=rates.voice_trust_weight,
            openness=rates.openness,
            news_rate=rates.news_rate,
            informed_fade_rate=rates.informed_fade_rate,
        )
        within = Voice(
            efficacy=voice.efficacy[start:end],
            trust=voice.trust[start:end],
            informed_score=voice.informed_score[start:end],
            efficacy_outlook=voice.efficacy_outlook[start:end],
        )
        hear_voice(heard[start:end], within, pushed)
        mean_influence += per_participant * share
    return mean_influence, pass_through


@compiled
def repairs_and_contact(
    week: int,
    jobs: int,
    visited: Bools,
    draws: ReportDraws,
    homes: Homes,
    repairs: Repairs,
    memories: Memories,
    rates: RepairRates,
) -> tuple[Ints, Floats, Floats, Stories]:
    """The week's repairs and contacts, one phase after another.

    In order: :func:`report_needs`, :func:`complete_repairs`,
    :func:`contact_signals`, :func:`experience`.

    Args:
        week: This week.
        jobs: Jobs the budget pays for this week.
        visited: Homes visited by their officer this week.
        draws: The week's draws for new needs and reports.
        homes: Read only.
        repairs: Updated.
        memories: Updated.
        rates: The parameters of the four phases.

    Returns:
        The completed homes, their waits and outcome signals, and the week's stories.
    """
    draws, homes, repairs, memories = ReportDraws(*draws), Homes(*homes), Repairs(*repairs), Memories(*memories)
    rates = RepairRates(*rates)
    channels, contact, weights, standards = (
        Channels(*rates.channels),
        ContactRates(*rates.contact),
        ExperienceRates(*rates.experience),
        RepairStandards(*rates.standards),
    )
    logged, failed = report_needs(week, repairs, homes, visited, channels, draws)
    finished, waits, outcomes = complete_repairs(
        week,
        jobs,
        rates.repair_job_weeks,
        repairs,
        homes.fix_rate,
        memories.outcome_score,
        weights.negativity_bias,
        standards,
    )
    outcome = np.zeros(repairs.need.size)
    for k in range(finished.size):
        outcome[finished[k]] = outcomes[k]
    treatment = contact_signals(logged, failed, visited, homes, contact)
    stories = experience(week, outcome, treatment, memories, repairs, homes.damp, weights, standards)
    return finished, waits, outcomes, stories


@compiled
def participation(
    week: int,
    seats: Seats,
    visited: Bools,
    readiness: Readiness,
    took_part: TookPart,
    ties: Ties,
    channel_open: Floats,
    rates: ParticipationRates,
) -> None:
    """Willing households join surveys and meetings; seats are refilled at the start of each quarter.

    :func:`willingness`, :func:`take_part`, then (in the first week of a
    quarter) :func:`~model.submodels.fill_seats_by_neighbourhood` with
    ``seats``; joiners and seat-holders record ``week`` as their latest
    participation.

    Args:
        week: This week.
        seats: Each neighbourhood's panel and board seats (a plain :class:`Seats`).
        visited: Homes visited this week (an officer on the doorstep always gets an answer).
        readiness: As :func:`willingness` takes it.
        took_part: Updated.
        ties: The neighbour network.
        channel_open: How far each household can reach meetings held online or in person.
        rates: The participation parameters.
    """
    willing, margin = willingness(week, readiness, took_part, ties, rates)
    take_part_and_settle(week, seats, visited, willing, margin, took_part, channel_open, rates)


@compiled
def take_part_and_settle(
    week: int,
    seats: Seats,
    visited: Bools,
    willing: Bools,
    margin: Floats,
    took_part: TookPart,
    channel_open: Floats,
    rates: ParticipationRates,
) -> None:
    """The willing join (:func:`take_part`), seats are refilled each quarter, and fatigue follows who took part.

    Rules: :func:`take_part`, then (in the first week of a quarter)
    :func:`~model.submodels.fill_seats_by_neighbourhood` with ``seats``; joiners and
    seat-holders record ``week`` as their latest participation;
    :func:`~model.submodels.fatigue_after_week`. Shared by
    :func:`participation` and :func:`participation_in_symmetric_network`.
    """
    took_part, rates = TookPart(*took_part), ParticipationRates(*rates)
    active, last_took_part = took_part.active, took_part.last_took_part
    joined = take_part(willing, channel_open, visited, rates.activity_rate)
    if week % sm.QUARTER == 0:
        seats = Seats(*seats)
        active[:] = sm.fill_seats_by_neighbourhood(margin, willing, seats.per_neighbourhood, seats.starts)
    for i in range(active.size):
        took_part_now = joined[i] or active[i]
        if took_part_now:
            last_took_part[i] = week
        took_part.fatigue[i] = sm.fatigue_after_week(
            took_part.fatigue[i], took_part_now, rates.fatigue_gain, rates.fatigue_recovery
        )
        took_part.ties_formed[i] = sm.ties_after_week(
            took_part.ties_formed[i], took_part_now, rates.tie_formation_rate, rates.tie_fade_rate
        )


# --- measurement ---------------------------------------------------------------------------
#: Values NumPy's pairwise summation adds in eight running sums before it splits a sum in two.
PAIRWISE_BLOCK = 128


class Measured(NamedTuple):
    """The households' state the weekly series is measured from (read only)."""

    trust: Floats
    efficacy: Floats
    active: Bools
    last_took_part: Ints
    underrepresented: Bools
    need: Bools
    outcome_score: Floats
    informed_score: Floats
    treatment_score: Floats


class PerceptionWeights(NamedTuple):
    """Parameters of :func:`satisfaction_argument` (the weights of TP01's perception and of trust)."""

    tp01_repairs_weight: float
    tp01_voice_weight: float
    tp01_informed_weight: float
    tp01_treatment_weight: float
    tsm_trust_weight: float

    @classmethod
    def from_params(cls, p: Mapping[str, float | int]) -> PerceptionWeights:
        """Each field from the parameter of the same name."""
        return _by_name(cls, p, {})


class Measures(NamedTuple):
    """The week's means, counts and sums behind the weekly series (:func:`measures`).

    Attributes:
        trust_mean: Mean trust.
        efficacy_mean: Mean efficacy.
        participants: Households holding a seat or that took part in the last year.
        active: Seat-holders.
        underrepresented_participants: Participants in the under-represented group.
        open_needs: Homes with an open repair need.
        waited: Weeks waited for the repairs completed in the last year.
        completed: Repairs completed in the last year.
    """

    trust_mean: float
    efficacy_mean: float
    participants: int
    active: int
    underrepresented_participants: int
    open_needs: int
    waited: float
    completed: float


#: The measurement structure, whose fields are all household arrays of the same names.
_GETTERS[Measured] = attrgetter(*Measured._fields)
RATES_FROM_PARAMS += (PerceptionWeights,)


@compiled
def block_sum(values: Floats, start: int, count: int) -> float:
    """The sum of ``values[start:start + count]`` (at most :data:`PAIRWISE_BLOCK` values) in NumPy's order.

    Under 8 values one by one; otherwise in eight running sums (of every
    eighth value), added in pairs, then the rest one by one.
    """
    if count < 8:
        total = 0.0
        for i in range(start, start + count):
            total += values[i]
        return total
    s0, s1, s2, s3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    s4, s5, s6, s7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    whole = start + count - count % 8
    for i in range(start + 8, whole, 8):
        s0, s1, s2, s3 = s0 + values[i], s1 + values[i + 1], s2 + values[i + 2], s3 + values[i + 3]
        s4, s5, s6, s7 = s4 + values[i + 4], s5 + values[i + 5], s6 + values[i + 6], s7 + values[i + 7]
    total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    for i in range(whole, start + count):
        total += values[i]
    return total


@compiled
def pairwise_sum(values: Floats, start: int, count: int) -> float:
    """The sum of ``values[start:start + count]``, added in exactly NumPy's order (so to the same bits).

    NumPy's pairwise summation: up to :data:`PAIRWISE_BLOCK` values as
    :func:`block_sum` adds them; above that, the sum of the two halves (the
    first rounded down to a multiple of 8), each summed the same way. The
    halving is walked with a stack (Numba cannot cache a recursive function).
    """
    starts, counts = np.empty(64, dtype=np.int64), np.empty(64, dtype=np.int64)
    left_done, left_sums = np.zeros(64, dtype=np.bool_), np.empty(64)
    top, starts[0], counts[0] = 0, start, count
    while True:
        if counts[top] > PAIRWISE_BLOCK:  # split: the left half first
            half = counts[top] // 2 - (counts[top] // 2) % 8
            starts[top + 1], counts[top + 1], left_done[top + 1] = starts[top], half, False
            top += 1
            continue
        total = block_sum(values, starts[top], counts[top])
        while True:  # hand the sum up: a left half waits for its right half, a right half completes its parent
            top -= 1
            if top < 0:
                return total
            half = counts[top] // 2 - (counts[top] // 2) % 8
            if not left_done[top]:
                left_done[top], left_sums[top] = True, total
                starts[top + 1], counts[top + 1], left_done[top + 1] = starts[top] + half, counts[top] - half, False
                top += 1
                break
            total = left_sums[top] + total


@compiled
def mean(values: Floats) -> float:
    """The mean of ``values``, to the same bits as NumPy's ``values.mean()`` (:func:`pairwise_sum`)."""
    return pairwise_sum(values, 0, values.size) / values.size


@compiled
def measures(
    week: int, measured: Measured, weights: PerceptionWeights, scale: float, wait_sum: Floats, wait_count: Floats
) -> tuple[Measures, Floats]:
    """The week's means, counts and sums behind the weekly series, and the arguments of TP01's ``tanh``, in one pass.

    Participants are the households :func:`took_part_within` the last year
    counts (a seat, or taking part in the last 52 weeks); the means and sums
    are NumPy's (:func:`mean`, :func:`pairwise_sum`) of the households' values
    and of the weekly waits ``wait_sum`` and repairs ``wait_count``. Each
    household's argument is its :func:`satisfaction_argument`.
    """
    measured, weights = Measured(*measured), PerceptionWeights(*weights)
    participants = active = under = needs = 0
    arguments = np.empty(measured.trust.size)
    for i in range(arguments.size):
        taking_part = measured.active[i] or measured.last_took_part[i] > week - sm.YEAR
        participants += taking_part
        active += measured.active[i]
        under += taking_part and measured.underrepresented[i]
        needs += measured.need[i]
        arguments[i] = satisfaction_argument(
            measured.trust[i],
            measured.outcome_score[i],
            measured.efficacy[i],
            measured.informed_score[i],
            measured.treatment_score[i],
            weights,
            scale,
        )
    waited, completed = pairwise_sum(wait_sum, 0, wait_sum.size), pairwise_sum(wait_count, 0, wait_count.size)
    counts = Measures(
        mean(measured.trust), mean(measured.efficacy), participants, active, under, needs, waited, completed
    )
    return counts, arguments


@compiled
def satisfaction_argument(
    trust: float,
    repairs: float,
    voice: float,
    informed: float,
    treatment: float,
    weights: PerceptionWeights,
    scale: float,
) -> float:
    """A household's ``(latent - 0.5) / scale``, the argument of ``tanh`` in its chance of answering "satisfied".

    Rules: :func:`~model.submodels.overall_perception` (the perception behind
    TP01) and :func:`~model.submodels.tsm_latent` (the latent view), as
    :meth:`model.model.TrustModel.satisfaction_probability` takes them;
    ``scale`` is twice the answer noise's logistic scale.
    """
    perception = sm.overall_perception(
        repairs,
        voice,
        informed,
        treatment,
        weights.tp01_repairs_weight,
        weights.tp01_voice_weight,
        weights.tp01_informed_weight,
        weights.tp01_treatment_weight,
    )
    return (sm.tsm_latent(trust, perception, weights.tsm_trust_weight) - 0.5) / scale


@compiled
def mean_satisfied(tanh_values: Floats) -> float:
    """The mean chance of answering "satisfied", ``0.5 + 0.5 * tanh(...)``, from each household's ``tanh(...)``.

    Rule: as :func:`model.model.satisfied_probability` then ``mean()`` give it
    (:func:`mean`); ``tanh_values`` is overwritten with the chances.
    """
    for i in range(tanh_values.size):
        tanh_values[i] = 0.5 + 0.5 * tanh_values[i]
    return mean(tanh_values)


# --- participation in a symmetric network ---------------------------------------------------
@compiled
def is_symmetric(indptr: Ints, indices: Ints) -> bool:
    """Whether every tie ``i -> j`` of the network in CSR form has its tie ``j -> i`` (as often)."""
    homes = indptr.size - 1
    sources = np.empty(indices.size, dtype=np.int64)
    for i in range(homes):
        sources[indptr[i] : indptr[i + 1]] = i
    forward = np.sort(sources * homes + indices)
    backward = np.sort(indices * homes + sources)
    return bool(np.all(forward == backward))


@compiled
def neighbour_share_from_flagged(flag: Bools, indptr: Ints, indices: Ints) -> Floats:
    """:func:`~model.submodels.neighbour_share` in a symmetric network, counted from the flagged households' side.

    In a symmetric network (:func:`is_symmetric`) the flagged neighbours of
    household ``i`` are the flagged households with ``i`` among their
    neighbours, so following the ties of the flagged households alone gives
    the same counts, and the same shares to the bit, with work in proportion
    to the few who took part rather than to every tie.
    """
    counts = np.zeros(indptr.size - 1, dtype=np.int64)
    for j in range(flag.size):
        if flag[j]:
            for tie in range(indptr[j], indptr[j + 1]):
                counts[indices[tie]] += 1
    share = np.empty(counts.size)
    for i in range(share.size):
        share[i] = counts[i] / (indptr[i + 1] - indptr[i])
    return share


@compiled
def willingness_in_symmetric_network(
    week: int, readiness: Readiness, took_part: TookPart, ties: Ties, rates: ParticipationRates
) -> tuple[Bools, Floats]:
    """:func:`willingness` in a symmetric network, with the neighbour shares of :func:`neighbour_share_from_flagged`.

    Rules: as :func:`willingness` (:func:`willing_given_peers`).
    """
    readiness, took_part, ties, rates = (
        Readiness(*readiness),
        TookPart(*took_part),
        Ties(*ties),
        ParticipationRates(*rates),
    )
    recent = took_part_within(took_part.active, took_part.last_took_part, week, sm.YEAR)
    return willing_given_peers(readiness, neighbour_share_from_flagged(recent, ties.indptr, ties.indices), rates)


@compiled
def participation_in_symmetric_network(
    week: int,
    seats: Seats,
    visited: Bools,
    readiness: Readiness,
    took_part: TookPart,
    ties: Ties,
    channel_open: Floats,
    rates: ParticipationRates,
) -> None:
    """:func:`participation` in a symmetric network, with :func:`willingness_in_symmetric_network`.

    Rules and arguments as :func:`participation`: :func:`take_part`, then (in
    the first week of a quarter) :func:`~model.submodels.fill_seats_by_neighbourhood`, and
    :func:`~model.submodels.fatigue_after_week`; the same draws in the same order.
    """
    willing, margin = willingness_in_symmetric_network(week, readiness, took_part, ties, rates)
    take_part_and_settle(week, seats, visited, willing, margin, took_part, channel_open, rates)


# --- the week in one call --------------------------------------------------------------------
@compiled
def estate_week(
    seed_value: int,
    week: int,
    jobs: int,
    seats: Seats,
    draws: Floats,
    visit_p: Floats,
    relationship_rates: RelationshipRates,
    homes: Homes,
    repairs: Repairs,
    memories: Memories,
    repair_rates: RepairRates,
    opinions: Opinions,
    word_of_mouth_rates: WordOfMouthRates,
    ties: Ties,
    readiness: Readiness,
    took_part: TookPart,
    channel_open: Floats,
    participation_rates: ParticipationRates,
    symmetric: bool,
) -> tuple[Bools, Ints, Floats, Floats, Stories]:
    """The week's household updates from one call from Python: the same kernels, in the same order, as four calls.

    :func:`seed` (with ``seed_value``), then :func:`frontline_visits` (draws
    ``draws[0]``), :func:`repairs_and_contact` (``draws[1]`` for needs,
    ``draws[2]`` for reports), :func:`word_of_mouth` (``draws[3]`` for talks)
    and :func:`participation` (:func:`participation_in_symmetric_network`
    when ``symmetric`` says the network is, which gives the same); arguments
    are as those kernels take them, and ``draws`` holds the week's four rows
    of uniform draws, one per home.

    Returns:
        Who was visited, the completed homes, their waits and outcome signals,
        and the week's stories.
    """
    seed(seed_value)
    visited = frontline_visits(visit_p, draws[0], Memories(*memories).relationship, relationship_rates)
    finished, waits, outcomes, stories = repairs_and_contact(
        week, jobs, visited, ReportDraws(need=draws[1], report=draws[2]), homes, repairs, memories, repair_rates
    )
    word_of_mouth(opinions, stories, draws[3], ties, word_of_mouth_rates)
    if symmetric:
        participation_in_symmetric_network(
            week, seats, visited, readiness, took_part, ties, channel_open, participation_rates
        )
    else:
        participation(week, seats, visited, readiness, took_part, ties, channel_open, participation_rates)
    return visited, finished, waits, outcomes, stories
