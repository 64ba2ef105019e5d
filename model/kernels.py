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
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from model import submodels as sm
from model.submodels import compiled

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Ints = NDArray[np.int64]


@compiled
def seed(value: int) -> None:
    """Reseed the compiled code's random numbers (in this thread)."""
    np.random.seed(value)


@compiled
def frontline_visits(visit_p: Floats, draws: Floats, relationship: Floats, gain: float, decay: float) -> Bools:
    """Officers visit homes (each with its patch's chance); relationships fade and grow.

    Rules: :func:`~model.submodels.relationship_after_week`; ``draws`` holds
    one uniform draw per home.
    """
    visited = np.zeros(visit_p.size, dtype=np.bool_)
    for i in range(visit_p.size):
        visited[i] = draws[i] < visit_p[i]
        relationship[i] = sm.relationship_after_week(relationship[i], visited[i], gain, decay)
    return visited


@compiled
def report_needs(
    week: int,
    need: Bools,
    reported: Bools,
    raised_week: Ints,
    need_rate: Floats,
    digital: Bools,
    visited: Bools,
    channels: tuple[float, float, float, float],
    draws: tuple[Floats, Floats],
) -> tuple[Bools, Bools]:
    """New needs arise and tenants try to report them through the open channels.

    Rules: :func:`~model.submodels.new_repair_needs`,
    :func:`~model.submodels.report_probability`; ``channels`` holds
    ``(phone_open, phone_answer_rate, portal_success_rate, proxy_report_rate)``
    and ``draws`` one uniform draw per home for a new need and one for a report.

    Returns:
        Who logged a need this week, and who tried and failed to get through.
    """
    phone_open, answer_rate, portal_rate, proxy_rate = channels
    need_draws, report_draws = draws
    logged = np.zeros(need.size, dtype=np.bool_)
    failed = np.zeros(need.size, dtype=np.bool_)
    for i in range(need.size):
        if sm.new_repair_needs(need[i], need_rate[i], need_draws[i]):
            need[i], reported[i], raised_week[i] = True, False, week
        if need[i] and not reported[i]:
            chance = sm.report_probability(digital[i], visited[i], phone_open, answer_rate, portal_rate, proxy_rate)
            logged[i] = report_draws[i] < chance
            failed[i] = not logged[i]
            reported[i] = logged[i]
    return logged, failed


@compiled
def complete_repairs(
    week: int,
    jobs: int,
    job_weeks: float,
    need: Bools,
    reported: Bools,
    raised_week: Ints,
    expected_wait: Floats,
    fix_rate: Floats,
    outcome_score: Floats,
    negativity_bias: float,
) -> tuple[Ints, Floats, Floats]:
    """The landlord completes the ready jobs its budget pays for, oldest first.

    Rules: :func:`~model.submodels.jobs_ready`,
    :func:`~model.submodels.repairs_to_complete`,
    :func:`~model.submodels.repair_outcome`,
    :func:`~model.submodels.adapt_expectation`,
    :func:`~model.submodels.remember_repair`. A repair that fails leaves the
    need open, to be reported again from this week.

    Returns:
        The homes whose repair was completed, each one's wait (weeks, counted
        from the need arising) and its outcome signal.
    """
    waiting = np.flatnonzero(need & reported)
    ready = sm.jobs_ready(waiting, job_weeks, np.random.random(waiting.size))
    finished = sm.repairs_to_complete(ready, raised_week, jobs)
    waits = np.empty(finished.size)
    outcomes = np.empty(finished.size)
    for k in range(finished.size):
        home = finished[k]
        waits[k] = week - raised_week[home] + 1.0
        fixed = np.random.random() < fix_rate[home]
        outcomes[k] = sm.repair_outcome(waits[k], expected_wait[home], fixed, sm.REPAIR_TOLERANCE)
        expected_wait[home] = sm.adapt_expectation(expected_wait[home], waits[k], sm.EXPECTATION_RATE)
        outcome_score[home] = sm.remember_repair(outcome_score[home], outcomes[k], sm.MEMORY_RATE, negativity_bias)
        need[home], reported[home], raised_week[home] = not fixed, False, week
    return finished, waits, outcomes


@compiled
def contact_signals(
    logged: Bools,
    failed: Bools,
    visited: Bools,
    digital: Bools,
    visit_quality: Floats,
    phone: tuple[float, float],
) -> Floats:
    """Treatment signal of each household's contacts with a person this week.

    A digitally excluded tenant whose report was logged without a visit went
    by phone with chance ``phone[0]`` (rather than through a proxy online); a
    phone call or visit is fair (+1) with the contact's quality (``phone[1]``
    or the officer's) and unfair (-1) otherwise; a week of failing to get
    through adds :data:`~model.submodels.FAILED_CONTACT_SIGNAL`. Reports
    through the portal carry no signal. Assumption.
    """
    by_phone, phone_quality = phone
    treatment = np.zeros(logged.size)
    for i in range(logged.size):
        if logged[i] and not digital[i] and not visited[i] and np.random.random() < by_phone:
            treatment[i] += 1.0 if np.random.random() < phone_quality else -1.0
        if visited[i]:
            treatment[i] += 1.0 if np.random.random() < visit_quality[i] else -1.0
        if failed[i]:
            treatment[i] += sm.FAILED_CONTACT_SIGNAL
    return treatment


@compiled
def experience(
    week: int,
    outcome: Floats,
    treatment: Floats,
    state: tuple[Floats, Floats, Floats, Floats, Floats],
    repairs: tuple[Bools, Bools, Ints, Floats],
    weights: tuple[float, float, float, float, float, float],
) -> tuple[Bools, Bools]:
    """Outcomes and treatment move trust and the memories a survey asks about.

    Rules: :func:`~model.submodels.experience_buffer`,
    :func:`~model.submodels.trust_after_experience`,
    :func:`~model.submodels.ewma` (treatment, TP08; being kept informed, TP07),
    :func:`~model.submodels.overdue` and
    :func:`~model.submodels.remember_repair` (a week chasing an overdue repair).

    Args:
        week: This week.
        outcome: Outcome signal of each household's completed repair (0 if none).
        treatment: Treatment signal of its contacts (0 if none).
        state: ``(trust, relationship, outcome_score, treatment_score, informed_score)``, updated.
        repairs: ``(need, reported, raised_week, expected_wait)``.
        weights: ``(trust_learning_rate, negativity_bias, treatment_weight,
            relationship_buffer, openness, openness_buffer)``.

    Returns:
        Who has a bad and who has a good story to tell this week.
    """
    trust, relationship, outcome_score, treatment_score, informed_score = state
    need, reported, raised_week, expected_wait = repairs
    learning_rate, negativity_bias, treatment_weight, relationship_buffer, openness, openness_buffer = weights
    bad_story = np.zeros(trust.size, dtype=np.bool_)
    good_story = np.zeros(trust.size, dtype=np.bool_)
    for i in range(trust.size):
        o, t = outcome[i], treatment[i]
        if o != 0.0 or t != 0.0:
            buffer = sm.experience_buffer(relationship[i], relationship_buffer, openness, openness_buffer)
            trust[i] = sm.trust_after_experience(
                trust[i], o, t, learning_rate, negativity_bias, treatment_weight, buffer
            )
        if t != 0.0:
            treatment_score[i] = sm.ewma(treatment_score[i], 1.0 if t > 0.0 else 0.0, sm.MEMORY_RATE)
        waited = week - raised_week[i] + 1.0
        late = sm.overdue(need[i] and reported[i], waited, expected_wait[i], sm.REPAIR_TOLERANCE)
        if late:
            outcome_score[i] = sm.remember_repair(outcome_score[i], sm.CHASING_SIGNAL, sm.MEMORY_RATE, negativity_bias)
        if t != 0.0 or o != 0.0 or late:
            kept_informed = t >= 0.0 and o >= 0.0 and not late
            informed_score[i] = sm.ewma(informed_score[i], 1.0 if kept_informed else 0.0, sm.MEMORY_RATE)
        bad_story[i] = o < 0.0 or t < 0.0
        good_story[i] = o > 0.0 and not bad_story[i]
    return bad_story, good_story


@compiled
def word_of_mouth(
    state: tuple[Floats, Floats, Floats],
    stories: tuple[Bools, Bools],
    talk_draws: Floats,
    ties: tuple[Ints, Ints],
    rates: tuple[float, float, float, float, float, float, float, float, float],
) -> None:
    """Stories spread along ties; neighbours compare views; trust and disposition settle.

    Rules: :func:`~model.submodels.stories_heard` (one draw per tie of a
    teller: a household has at most one kind of story in a week),
    :func:`~model.submodels.push` (each story heard),
    :func:`~model.submodels.bounded_confidence` (a talker picks one
    neighbour, uniformly, with the same draw that decided it talks),
    :func:`~model.submodels.anchor`, :func:`~model.submodels.settle_disposition`.

    Args:
        state: ``(trust, disposition, outlook)``; the first two are updated.
        stories: ``(bad_story, good_story)``.
        talk_draws: One uniform draw per home: whether it talks, and to whom.
        ties: ``(indptr, indices)`` of the neighbour network.
        rates: ``(story weight (trust_learning_rate * story_weight),
            bad_story_reach, good_story_reach, talk_rate, confidence_bound,
            convergence_rate, trust_anchor_rate, disposition_learning_rate,
            outside_trust_weight)``.
    """
    trust, disposition, outlook = state
    bad_story, good_story = stories
    indptr, indices = ties
    weight, bad_reach, good_reach, talk_rate, bound, convergence, anchor_rate, settle_rate, outside = rates
    tellers, listeners = ties_of(bad_story | good_story, indptr, indices)
    draws = np.random.random(tellers.size)
    bad = sm.stories_heard(tellers, listeners, bad_story, bad_reach, draws, trust.size)
    good = sm.stories_heard(tellers, listeners, good_story, good_reach, draws, trust.size)
    for i in range(trust.size):
        if bad[i] > 0.0 or good[i] > 0.0:
            trust[i] = sm.push(trust[i], weight * good[i], weight * bad[i])
    before = trust.copy()
    for i in range(trust.size):
        draw = talk_draws[i]
        talks = draw < talk_rate
        partner_trust = before[i]
        if talks:
            degree = indptr[i + 1] - indptr[i]
            partner_trust = before[indices[indptr[i] + min(int(draw / talk_rate * degree), degree - 1)]]
        talked = sm.bounded_confidence(before[i], partner_trust, talks, bound, convergence)
        trust[i] = sm.anchor(talked, disposition[i], anchor_rate)
        disposition[i] = sm.settle_disposition(disposition[i], trust[i], outlook[i], settle_rate, outside)


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
    week: int,
    state: tuple[Floats, Floats, Floats, Floats],
    took_part: tuple[Bools, Ints],
    ties: tuple[Ints, Ints],
    neighbour_pull: float,
) -> tuple[Bools, Floats]:
    """Who is ready to take part, and by how much (readiness minus threshold).

    Rules: :func:`~model.submodels.neighbour_share` (neighbours who took part
    in the last year), :func:`~model.submodels.readiness`.

    Args:
        week: This week.
        state: ``(trust, efficacy, participation cost, threshold)``.
        took_part: ``(active, last_took_part)``.
        ties: ``(indptr, indices)``.
        neighbour_pull: Weight of neighbours taking part.
    """
    trust, efficacy, cost, threshold = state
    active, last_took_part = took_part
    indptr, indices = ties
    recent = took_part_within(active, last_took_part, week, sm.YEAR)
    peers = sm.neighbour_share(recent, indptr, indices)
    margin = np.empty(trust.size)
    for i in range(trust.size):
        margin[i] = sm.readiness(trust[i], efficacy[i], peers[i], cost[i], neighbour_pull) - threshold[i]
    return margin >= 0.0, margin


@compiled
def take_part(willing: Bools, channel_open: Floats, visited: Bools, activity_rate: float) -> Bools:
    """Willing households join a survey or meeting this week (:func:`~model.submodels.take_part`)."""
    joined = np.zeros(willing.size, dtype=np.bool_)
    for i in range(willing.size):
        if willing[i]:
            joined[i] = sm.take_part(True, channel_open[i], visited[i], activity_rate, np.random.random())
    return joined


@compiled
def hear_voice(
    heard: Bools,
    state: tuple[Floats, Floats, Floats],
    push: tuple[float, float],
    openness: float,
    news_rate: float,
) -> None:
    """Participants, fully, and everyone else, in proportion to openness, feel the voice feedback.

    Rules: :func:`~model.submodels.push` on efficacy by ``push`` (``up,
    down``) and on trust at half that, scaled by 1 where ``heard`` and by
    ``openness`` elsewhere; then every household's sense of being kept
    informed moves ``news_rate`` of the way towards the landlord's openness.

    Args:
        heard: Took part in the last quarter.
        state: ``(efficacy, trust, informed_score)``, updated.
        push: The week's ``(up, down)`` from :func:`~model.submodels.voice_feedback`.
        openness: How openly the landlord reports back.
        news_rate: Weekly weight of the landlord's news.
    """
    efficacy, trust, informed = state
    up, down = push
    # The push reaches participants fully and everyone else scaled by openness: two exponentials a group.
    gaps = (np.exp(-up), np.exp(-up * openness), np.exp(-0.5 * up), np.exp(-0.5 * up * openness))
    levels = (np.exp(-down), np.exp(-down * openness), np.exp(-0.5 * down), np.exp(-0.5 * down * openness))
    for i in range(heard.size):
        group = 0 if heard[i] else 1
        if up > 0.0 or down > 0.0:
            efficacy[i] = sm.pushed(efficacy[i], gaps[group], levels[group])
            trust[i] = sm.pushed(trust[i], gaps[2 + group], levels[2 + group])
        informed[i] = sm.ewma(informed[i], openness, news_rate)


@compiled
def repairs_and_contact(
    week: int,
    jobs: int,
    visited: Bools,
    draws: tuple[Floats, Floats],
    homes: tuple[Bools, Floats, Floats, Floats],
    repairs: tuple[Bools, Bools, Ints, Floats],
    memories: tuple[Floats, Floats, Floats, Floats, Floats],
    rates: tuple[
        tuple[float, float, float, float], tuple[float, float], tuple[float, float, float, float, float, float]
    ],
    job_weeks: float,
) -> tuple[Ints, Floats, Floats, Bools, Bools]:
    """The week's repairs and contacts, one phase after another.

    In order: :func:`report_needs`, :func:`complete_repairs`,
    :func:`contact_signals`, :func:`experience`.

    Args:
        week: This week.
        jobs: Jobs the budget pays for this week.
        visited: Homes visited by their officer this week.
        draws: One uniform draw per home for a new need, and one for a report.
        homes: ``(digital, need_rate, fix_rate, visit_quality)``.
        repairs: ``(need, reported, raised_week, expected_wait)``, updated.
        memories: ``(trust, relationship, outcome_score, treatment_score, informed_score)``, updated.
        rates: ``(channels, phone, weights)`` as :func:`report_needs`,
            :func:`contact_signals` and :func:`experience` take them
            (``weights[1]`` is the negativity bias).
        job_weeks: Mean weeks a logged job takes.

    Returns:
        The completed homes, their waits and outcome signals, and who has a
        bad and who has a good story to tell.
    """
    digital, need_rate, fix_rate, visit_quality = homes
    need, reported, raised_week, expected_wait = repairs
    channels, phone, weights = rates
    logged, failed = report_needs(week, need, reported, raised_week, need_rate, digital, visited, channels, draws)
    finished, waits, outcomes = complete_repairs(
        week, jobs, job_weeks, need, reported, raised_week, expected_wait, fix_rate, memories[2], weights[1]
    )
    outcome = np.zeros(need.size)
    for k in range(finished.size):
        outcome[finished[k]] = outcomes[k]
    treatment = contact_signals(logged, failed, visited, digital, visit_quality, phone)
    bad_story, good_story = experience(week, outcome, treatment, memories, repairs, weights)
    return finished, waits, outcomes, bad_story, good_story


@compiled
def participation(
    week: int,
    seats: int,
    visited: Bools,
    state: tuple[Floats, Floats, Floats, Floats],
    took_part: tuple[Bools, Ints],
    ties: tuple[Ints, Ints],
    channel_open: Floats,
    rates: tuple[float, float],
) -> None:
    """Willing households join surveys and meetings; seats are refilled at the start of each quarter.

    :func:`willingness`, :func:`take_part`, then (in the first week of a
    quarter) :func:`~model.submodels.fill_seats` with ``seats`` seats; joiners
    and seat-holders record ``week`` as their latest participation.

    Args:
        week: This week.
        seats: Panel and board seats.
        visited: Homes visited this week (an officer on the doorstep always gets an answer).
        state: As :func:`willingness` takes it.
        took_part: ``(active, last_took_part)``, updated.
        ties: ``(indptr, indices)``.
        channel_open: How far each household can reach meetings held online or in person.
        rates: ``(neighbour_pull, activity_rate)``.
    """
    active, last_took_part = took_part
    neighbour_pull, activity_rate = rates
    willing, margin = willingness(week, state, took_part, ties, neighbour_pull)
    joined = take_part(willing, channel_open, visited, activity_rate)
    if week % sm.QUARTER == 0:
        active[:] = sm.fill_seats(margin, willing, seats)
    for i in range(active.size):
        if joined[i] or active[i]:
            last_took_part[i] = week
