"""Each compiled loop of model/kernels.py on a handful of scripted households, expectations worked out by hand.

Where a kernel draws from Numba's generator, the chances are 0 or 1 so the
outcome does not depend on the draw.
"""

from __future__ import annotations

import ast
import inspect
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scripted import F, T, arr, bools, ints

from model import TrustModel, kernels, load_scenario, params
from model.households import NEVER

e = math.exp


#: A ring of four homes, 0-1-2-3-0: each home's neighbours in order.
RING = kernels.Ties(indptr=ints(0, 2, 4, 6, 8), indices=ints(1, 3, 0, 2, 1, 3, 2, 0))
#: A line of three homes, 0-1-2.
LINE = kernels.Ties(indptr=ints(0, 1, 3, 4), indices=ints(1, 0, 2, 1))


@pytest.fixture(autouse=True)
def _seeded() -> None:
    kernels.seed(1)


# --- the week's phases ----------------------------------------------------------------
def test_frontline_visits_draws_against_each_patch_chance_and_moves_relationships():
    relationship = arr(0.5, 0.5, 0.0, 1.0)
    rates = kernels.RelationshipRates(relationship_gain=0.5, relationship_decay=0.1)
    visited = kernels.frontline_visits(arr(0.5, 0.5, 1.0, 0.0), arr(0.4, 0.6, 0.99, 0.0), relationship, rates)
    # 0.4 < 0.5 yes; 0.6 no; 0.99 < 1 yes; chance 0 never.
    assert_array_equal(visited, bools(T, F, T, F))
    # Fade by 10%, then a visit closes half the gap to 1.
    assert_allclose(relationship, [0.45 + 0.5 * 0.55, 0.45, 0.5, 0.9])


def report_case() -> tuple[kernels.Repairs, kernels.Homes]:
    repairs = kernels.Repairs(
        need=bools(F, F, T, T, T),
        reported=bools(F, F, F, T, F),
        raised_week=ints(0, 0, 3, 2, 7),
        expected_wait=arr(3, 3, 3, 3, 3),
    )
    homes = kernels.Homes(
        digital=bools(T, T, F, T, F),
        need_rate=arr(0.5, 0.5, 0.5, 0.5, 0.5),
        fix_rate=arr(1, 1, 1, 1, 1),
        visit_quality=arr(1, 1, 1, 1, 1),
        quality_gap=arr(0, 0, 0, 0, 0),
        damp=bools(F, F, F, F, F),
    )
    return repairs, homes


def test_report_needs_raises_new_needs_and_logs_them_through_the_open_channels():
    repairs, homes = report_case()
    channels = kernels.Channels(phone_open=0.5, phone_answer_rate=0.8, portal_success_rate=0.9, proxy_report_rate=0.0)
    draws = kernels.ReportDraws(need=arr(0.1, 0.9, 0.0, 0.0, 0.0), report=arr(0.5, 0.0, 0.5, 0.0, 0.99))
    visited = bools(F, F, F, F, T)
    logged, failed = kernels.report_needs(10, repairs, homes, visited, channels, draws)
    # 0: new need (0.1 < 0.5), portal or phone 1 - 0.1 * 0.6 = 0.94 > 0.5: logged.
    # 1: no new need (0.9), nothing to report. 2: open need, excluded: phone only, 0.4 < 0.5: failed.
    # 3: already logged, untouched. 4: a visit always logs it.
    assert_array_equal(logged, bools(T, F, F, F, T))
    assert_array_equal(failed, bools(F, F, T, F, F))
    assert_array_equal(repairs.need, bools(T, F, T, T, T))
    assert_array_equal(repairs.reported, bools(T, F, F, T, T))
    assert_array_equal(repairs.raised_week, ints(10, 0, 3, 2, 7))


#: The old rules: a tolerance of twice the expected wait and fully adaptive expectations (no weight on the target).
ADAPTIVE = kernels.RepairStandards(
    repair_target_weeks=4.0,
    repair_tolerance=2.0,
    expectation_rate=0.2,
    expectation_norm_weight=0.0,
    past_target_cost=0.1,
    damp_need_cost=0.2,
    memory_rate=0.3,
    chasing_signal=-0.5,
)


def test_complete_repairs_oldest_first_within_the_budget():
    repairs = kernels.Repairs(
        need=bools(T, T, T, T),
        reported=bools(T, T, F, T),
        raised_week=ints(5, 0, 1, 4),
        expected_wait=arr(2.0, 1.0, 1.0, 1.25),
    )
    outcome_score = arr(0.5, 0.5, 0.5, 0.5)
    fix_rate = arr(1.0, 0.0, 1.0, 1.0)
    # One week a job (every waiting job is ready), two jobs: homes 1 (raised week 0) and 3 (week 4).
    finished, waits, outcomes = kernels.complete_repairs(6, 2, 1.0, repairs, fix_rate, outcome_score, 2.0, ADAPTIVE)
    assert_array_equal(finished, ints(1, 3))
    assert_allclose(waits, [7.0, 3.0])  # week - raised + 1
    # Home 1 is never fixed first time: -1. Home 3 waited 3 / 1.25 = 2.4 > 2: -(0.5 + 0.4 / 2).
    assert_allclose(outcomes, [-1.0, -0.7])
    assert_allclose(repairs.expected_wait, [2.0, 1.0 + 0.2 * 6, 1.0, 1.25 + 0.2 * 1.75])
    assert_allclose(outcome_score, [0.5, 0.5 * e(-0.3 * 2.0), 0.5, 0.5 * e(-0.3 * 2.0 * 0.7)])
    # Home 1's need stays open, to be reported again; home 3 is done. Both restart this week.
    assert_array_equal(repairs.need, bools(T, T, T, F))
    assert_array_equal(repairs.reported, bools(T, F, F, F))
    assert_array_equal(repairs.raised_week, ints(5, 6, 1, 6))


def test_complete_repairs_anchors_expectations_to_the_target():
    repairs = kernels.Repairs(need=bools(T), reported=bools(T), raised_week=ints(0), expected_wait=arr(3.0))
    standards = ADAPTIVE._replace(repair_tolerance=1.5, expectation_norm_weight=0.5)
    # Waited 12 weeks against 3 expected: r = 4 > 1.5, -1. Expectation towards 0.5 * 12 + 0.5 * 4 = 8: 3 + 0.2 * 5.
    _, waits, outcomes = kernels.complete_repairs(11, 1, 1.0, repairs, arr(1.0), arr(0.5), 2.0, standards)
    assert_allclose(waits, [12.0])
    assert_allclose(outcomes, [-1.0])
    assert_allclose(repairs.expected_wait, [4.0])


def test_complete_repairs_a_fixed_repair_in_time_is_good_news():
    repairs = kernels.Repairs(need=bools(T), reported=bools(T), raised_week=ints(5), expected_wait=arr(2.0))
    outcome_score = arr(0.5)
    finished, waits, outcomes = kernels.complete_repairs(6, 5, 1.0, repairs, arr(1.0), outcome_score, 2.0, ADAPTIVE)
    assert_array_equal(finished, ints(0))
    assert_allclose(waits, [2.0])
    assert_allclose(outcomes, [1.0])
    assert_allclose(outcome_score, [1.0 - 0.5 * e(-0.3)])
    assert_array_equal(repairs.need, bools(F))


def test_complete_repairs_none_without_a_budget():
    repairs = kernels.Repairs(need=bools(T, T), reported=bools(T, T), raised_week=ints(0, 1), expected_wait=arr(2, 2))
    finished, waits, _ = kernels.complete_repairs(6, 0, 1.0, repairs, arr(1, 1), arr(0.5, 0.5), 2.0, ADAPTIVE)
    assert finished.size == 0 and waits.size == 0
    assert_array_equal(repairs.need, bools(T, T))


def contact_homes(visit_quality: np.ndarray, quality_gap: np.ndarray | None = None) -> kernels.Homes:
    five = arr(0, 0, 0, 0, 0)
    return kernels.Homes(
        digital=bools(F, T, F, F, F),
        need_rate=five,
        fix_rate=five,
        visit_quality=visit_quality,
        quality_gap=five if quality_gap is None else quality_gap,
        damp=bools(F, F, F, F, F),
    )


def test_contact_signals_phone_visit_and_failed_contact():
    logged, failed, visited = bools(T, T, T, F, F), bools(F, F, F, T, F), bools(F, F, T, F, F)
    homes = contact_homes(arr(1.0, 1.0, 0.0, 1.0, 1.0))
    rates = kernels.ContactRates(phone_share=1.0, phone_quality=1.0, failed_contact_signal=-0.5)
    treatment = kernels.contact_signals(logged, failed, visited, homes, rates)
    # 0: excluded, logged without a visit: by phone, fair (+1). 1: the portal: no signal.
    # 2: a visit by an officer who is never fair (-1). 3: failed to get through (-0.5). 4: no contact.
    assert_allclose(treatment, [1.0, 0.0, -1.0, -0.5, 0.0])


def test_contact_signals_a_household_the_service_serves_less_well_feels_it_less_fair():
    logged, failed, visited = bools(T, F, F, F, F), bools(F, F, F, F, F), bools(F, F, T, F, F)
    # A phone line and an officer who are always fair, less 1.0 for households 0 and 2: never fair.
    homes = contact_homes(arr(1.0, 1.0, 1.0, 1.0, 1.0), quality_gap=arr(1.0, 0.0, 1.0, 0.0, 0.0))
    treatment = kernels.contact_signals(logged, failed, visited, homes, kernels.ContactRates(1.0, 1.0, -0.5))
    assert_allclose(treatment, [-1.0, 0.0, -1.0, 0.0, 0.0])


def test_contact_signals_a_proxy_report_carries_no_signal_and_an_unfair_phone_line_hurts():
    logged, failed, visited = bools(T, T), bools(F, F), bools(F, F)
    homes = kernels.Homes(
        digital=bools(F, F),
        need_rate=arr(0, 0),
        fix_rate=arr(0, 0),
        visit_quality=arr(1, 1),
        quality_gap=arr(0, 0),
        damp=bools(F, F),
    )
    by_proxy = kernels.contact_signals(logged, failed, visited, homes, kernels.ContactRates(0.0, 1.0, -0.5))
    assert_allclose(by_proxy, [0.0, 0.0])
    unfair = kernels.contact_signals(logged, failed, visited, homes, kernels.ContactRates(1.0, 0.0, -0.5))
    assert_allclose(unfair, [-1.0, -1.0])


EXPERIENCE = kernels.ExperienceRates(
    trust_learning_rate=0.1,
    negativity_bias=2.0,
    treatment_weight=0.05,
    relationship_buffer=0.5,
    openness=0.4,
    openness_buffer=0.5,
)


def test_experience_moves_trust_memories_and_tells_stories():
    halves = [0.5] * 5
    memories = kernels.Memories(
        trust=arr(*halves),
        relationship=arr(0.0, 0.0, 0.4, 0.0, 0.0),
        outcome_score=arr(*halves),
        treatment_score=arr(*halves),
        informed_score=arr(*halves),
    )
    repairs = kernels.Repairs(
        need=bools(F, F, F, T, T),
        reported=bools(F, F, F, T, T),
        raised_week=ints(0, 0, 0, 2, 9),
        expected_wait=arr(2, 2, 2, 2, 2),
    )
    outcome, treatment = arr(1.0, 0.0, -1.0, 0.0, 0.0), arr(0.0, -1.0, 1.0, 0.0, 0.0)
    stories = kernels.experience(10, outcome, treatment, memories, repairs, bools(F, F, F, F, F), EXPERIENCE, ADAPTIVE)
    # 0: a good repair. 1: unfair contact. 2: a bad repair buffered by
    # 1 - (1 - 0.5 * 0.4)(1 - 0.5 * 0.4) = 0.36, and fair contact.
    # 3: waited 10 - 2 + 1 = 9 > 2 * 2 weeks: chasing an overdue repair, and past the 4-week target,
    # which costs trust 0.1 as a bad outcome, buffered by openness, 0.5 * 0.4. 4: waited 2: not late.
    assert_allclose(
        memories.trust,
        [
            1 - 0.5 * e(-0.1),
            0.5 * e(-0.05),
            (1 - 0.5 * e(-0.05)) * e(-0.1 * 2.0 * 0.64),
            0.5 * e(-0.1 * 2.0 * 0.8 * 0.1),
            0.5,
        ],
    )
    assert_allclose(memories.treatment_score, [0.5, 0.35, 0.65, 0.5, 0.5])
    assert_allclose(memories.outcome_score, [0.5, 0.5, 0.5, 0.5 * e(-0.3 * 2.0 * 0.5), 0.5])
    assert_allclose(memories.informed_score, [0.65, 0.35, 0.35, 0.35, 0.5])
    assert_array_equal(stories.bad, bools(F, T, T, F, F))
    assert_array_equal(stories.good, bools(T, F, F, F, F))
    assert_allclose(memories.relationship, [0.0, 0.0, 0.4, 0.0, 0.0])  # read only


def test_experience_waiting_past_target_and_with_damp_costs_whatever_was_expected():
    halves = arr(0.5, 0.5, 0.5, 0.5)
    memories = kernels.Memories(halves.copy(), arr(0, 0, 0, 0), halves.copy(), halves.copy(), halves.copy())
    repairs = kernels.Repairs(
        need=bools(T, T, T, T),
        reported=bools(T, T, F, T),
        raised_week=ints(0, 8, 0, 0),
        expected_wait=arr(20, 20, 20, 20),
    )
    damp = bools(F, T, T, T)
    zero = arr(0, 0, 0, 0)
    stories = kernels.experience(10, zero, zero, memories, repairs, damp, EXPERIENCE, ADAPTIVE)
    # Expected 20 weeks, so nothing is overdue to the tenant. 0: waited 11 > 4, past target: -0.1.
    # 1: waited 3, on target, but damp with an open need: -0.2. 2: not logged, damp: -0.2.
    # 3: past target and damp: -0.3. The negativity bias (2) weighs each once, buffered by openness (0.2).
    assert_allclose(memories.trust, 0.5 * np.exp(-0.1 * 2.0 * 0.8 * arr(0.1, 0.2, 0.2, 0.3)))
    # The repairs memory counts only weeks past the target: -0.1 at rate 0.3 and bias 2.
    assert_allclose(memories.outcome_score, [0.5 * e(-0.3 * 2.0 * 0.1), 0.5, 0.5, 0.5 * e(-0.3 * 2.0 * 0.1)])
    assert_allclose(memories.informed_score, [0.5] * 4)  # not overdue to the tenant: no week counts
    assert not stories.bad.any() and not stories.good.any()  # waiting is not a story


WORD_OF_MOUTH = kernels.WordOfMouthRates(
    story_push=0.1,
    bad_story_reach=1.0,
    good_story_reach=0.0,
    talk_rate=0.5,
    confidence_bound=0.5,
    convergence_rate=0.5,
    trust_anchor_rate=0.1,
    disposition_learning_rate=0.1,
    outside_trust_weight=0.5,
    disposition_loss_multiplier=1.0,
)


def test_word_of_mouth_spreads_stories_compares_views_and_settles():
    opinions = kernels.Opinions(
        trust=arr(0.2, 0.4, 0.6, 0.8), disposition=arr(0.5, 0.5, 0.5, 0.5), outlook=arr(*[0.3] * 4)
    )
    stories = kernels.Stories(bad=bools(T, F, F, F), good=bools(F, F, T, F))
    # Home 0's bad story reaches both its neighbours (1 and 3); home 2's good story reaches no one.
    b1, b3 = 0.4 * e(-0.1), 0.8 * e(-0.1)
    # Talk draws: 0 and 3 do not talk (0.9 >= 0.5); 1 picks neighbour floor(0.1 / 0.5 * 2) = 0 of [0, 2],
    # home 0; 2 picks neighbour floor(0.3 / 0.5 * 2) = 1 of [1, 3], home 3.
    kernels.word_of_mouth(opinions, stories, arr(0.9, 0.1, 0.3, 0.9), RING, WORD_OF_MOUTH)
    talked = [0.2, b1 + 0.5 * (0.2 - b1), 0.6 + 0.5 * (b3 - 0.6), b3]
    anchored = [t + 0.1 * (0.5 - t) for t in talked]
    assert_allclose(opinions.trust, anchored)
    assert_allclose(opinions.disposition, [0.5 + 0.1 * (0.5 * t + 0.5 * 0.3 - 0.5) for t in anchored])
    assert_allclose(opinions.outlook, [0.3] * 4)


def test_word_of_mouth_good_stories_raise_trust_and_the_bound_stops_talk():
    opinions = kernels.Opinions(
        trust=arr(0.2, 0.4, 0.9, 0.8), disposition=arr(0.5, 0.5, 0.5, 0.5), outlook=arr(*[0.5] * 4)
    )
    rates = WORD_OF_MOUTH._replace(
        bad_story_reach=0.0, good_story_reach=1.0, confidence_bound=0.1, trust_anchor_rate=0.0
    )
    stories = kernels.Stories(bad=bools(F, F, F, F), good=bools(T, F, F, F))
    # Home 1 talks to home 2 (draw 0.3 picks neighbour 1 of [0, 2]): 0.9 is too far from its view.
    kernels.word_of_mouth(opinions, stories, arr(0.9, 0.3, 0.9, 0.9), RING, rates)
    assert_allclose(opinions.trust, [0.2, 1 - 0.6 * e(-0.1), 0.9, 1 - 0.2 * e(-0.1)])


def test_ties_of_lists_the_ties_of_flagged_homes_in_order():
    sources, targets = kernels.ties_of(bools(T, F, T), LINE.indptr, LINE.indices)
    assert_array_equal(sources, ints(0, 2))
    assert_array_equal(targets, ints(1, 1))
    sources, targets = kernels.ties_of(bools(F, T, F, F), RING.indptr, RING.indices)
    assert_array_equal(sources, ints(1, 1))
    assert_array_equal(targets, ints(0, 2))
    sources, targets = kernels.ties_of(bools(F, F, F), LINE.indptr, LINE.indices)
    assert sources.size == 0 and targets.size == 0


def test_took_part_within_counts_seats_and_recent_participation():
    out = kernels.took_part_within(bools(F, F, T, F), ints(90, 49, NEVER, 48), 100, 52)
    assert_array_equal(out, bools(T, T, T, F))  # 49 > 100 - 52 = 48; 48 is not


READY = kernels.Readiness(
    trust=arr(0.75, 0.5, 1.0),
    efficacy=arr(0.25, 0.5, 1.0),
    cost=arr(0.0, 0.125, 0.5),
    threshold=arr(0.5, 0.75, 0.375),
    fatigue=arr(0.0, 0.0, 0.25),
)
PARTICIPATION = kernels.ParticipationRates(
    neighbour_pull=0.5,
    activity_rate=0.0,
    fatigue_gain=0.5,
    fatigue_recovery=0.5,
    tie_formation_rate=0.3,
    tie_fade_rate=0.1,
)


def test_willingness_compares_readiness_with_thresholds():
    took_part = kernels.TookPart(
        active=bools(F, F, T), last_took_part=ints(90, NEVER, NEVER), fatigue=arr(0, 0, 0), ties_formed=arr(1, 0, 0)
    )
    willing, margin = kernels.willingness(100, READY, took_part, LINE, PARTICIPATION)
    # Recent: home 0 (week 90) and home 2 (a seat). Peers: 0 -> [1]: 0; 1 -> [0, 2]: 1; 2 -> [1]: 0.
    # Readiness (t + e) / 2 + 0.5 * peers - cost - fatigue: 0.5, 0.875, 0.25.
    assert_allclose(margin, [0.0, 0.125, -0.125])
    assert_array_equal(willing, bools(T, T, F))  # a margin of 0 is enough


def test_take_part_joins_the_willing_who_can_reach_it_or_are_asked_on_the_doorstep():
    joined = kernels.take_part(bools(T, T, T, F), arr(1.0, 0.0, 0.0, 1.0), bools(F, F, T, T), 1.0)
    assert_array_equal(joined, bools(T, F, T, F))
    assert not kernels.take_part(bools(T, T), arr(1.0, 1.0), bools(F, F), 0.0).any()


#: One neighbourhood of the three homes, with one seat.
ONE_SEAT = kernels.Seats(starts=ints(0, 3), per_neighbourhood=ints(1))


def test_participation_refills_seats_at_the_start_of_a_quarter():
    took_part = kernels.TookPart(
        active=bools(F, F, T), last_took_part=ints(3, NEVER, NEVER), fatigue=arr(0.5, 0, 0.5), ties_formed=arr(1, 0, 0)
    )
    kernels.participation(13, ONE_SEAT, bools(T, F, F), READY, took_part, LINE, arr(1, 1, 1), PARTICIPATION)
    # Willing 0 and 1 (as above); the one seat goes to the larger margin (home 1); home 0 is visited: joins.
    assert_array_equal(took_part.active, bools(F, T, F))
    assert_array_equal(took_part.last_took_part, ints(13, 13, NEVER))
    # Fatigue halves, then those who took part move half-way to 1: 0.5 -> 0.25 -> 0.625; 0 -> 0.5; 0.5 -> 0.25.
    assert_allclose(took_part.fatigue, [0.625, 0.5, 0.25])
    # Ties fade by a tenth, and each who took part (homes 0 and 1) forms 0.3: 1 -> 1.2; 0 -> 0.3; 0 -> 0.
    assert_allclose(took_part.ties_formed, [1.2, 0.3, 0.0])


def test_participation_keeps_seats_between_quarters():
    took_part = kernels.TookPart(
        active=bools(F, F, T), last_took_part=ints(3, NEVER, NEVER), fatigue=arr(0, 0, 0), ties_formed=arr(1, 0, 0)
    )
    kernels.participation(14, ONE_SEAT, bools(T, F, F), READY, took_part, LINE, arr(1, 1, 1), PARTICIPATION)
    assert_array_equal(took_part.active, bools(F, F, T))
    assert_array_equal(took_part.last_took_part, ints(14, NEVER, 14))


def voice(efficacy: np.ndarray, trust: np.ndarray, informed: np.ndarray, outlook: np.ndarray) -> kernels.Voice:
    return kernels.Voice(efficacy=efficacy, trust=trust, informed_score=informed, efficacy_outlook=outlook)


def voice_rates(
    participants, others, fade=0.0, trust_weight=0.5, openness=0.5, news_rate=0.1, informed_fade=0.0
) -> kernels.VoiceRates:
    return kernels.VoiceRates(*participants, *others, fade, trust_weight, openness, news_rate, informed_fade)


def test_hear_voice_pushes_participants_and_others_by_their_own_push_and_trust_by_its_weight():
    state = voice(arr(0.5, 0.5), arr(0.5, 0.5), arr(0.0, 1.0), arr(0.5, 0.5))
    kernels.hear_voice(bools(T, F), state, voice_rates((0.2, 0.0), (0.1, 0.0)))
    assert_allclose(state.efficacy, [1 - 0.5 * e(-0.2), 1 - 0.5 * e(-0.1)])
    assert_allclose(state.trust, [1 - 0.5 * e(-0.1), 1 - 0.5 * e(-0.05)])
    # news at openness 0.5 and rate 0.1 closes 1 - exp(-0.05) of the gap to fully informed
    assert_allclose(state.informed_score, [1 - e(-0.05), 1.0])


def test_hear_voice_frustration_pushes_down():
    state = voice(arr(0.5, 0.5), arr(0.5, 0.5), arr(0.5, 0.5), arr(0.5, 0.5))
    kernels.hear_voice(bools(T, F), state, voice_rates((0.0, 0.4), (0.0, 0.1), openness=0.25, news_rate=0.0))
    assert_allclose(state.efficacy, [0.5 * e(-0.4), 0.5 * e(-0.1)])
    assert_allclose(state.trust, [0.5 * e(-0.2), 0.5 * e(-0.05)])
    assert_allclose(state.informed_score, [0.5, 0.5])


def test_hear_voice_without_a_push_efficacy_fades_towards_the_outlook():
    state = voice(arr(0.3, 0.7), arr(0.2, 0.8), arr(0.0, 1.0), arr(0.5, 0.5))
    rates = voice_rates((0.0, 0.0), (0.0, 0.0), fade=0.25, openness=1.0, news_rate=0.5, informed_fade=0.1)
    kernels.hear_voice(bools(T, F), state, rates)
    assert_allclose(state.efficacy, [0.35, 0.65])  # a quarter of the way back to 0.5
    assert_allclose(state.trust, [0.2, 0.8])
    # news closes 1 - exp(-0.5) of the gap, then a week's fading keeps exp(-0.1)
    assert_allclose(state.informed_score, [(1 - e(-0.5)) * e(-0.1), e(-0.1)])


def test_repairs_and_contact_runs_the_phases_in_order():
    repairs, homes = report_case()
    homes = homes._replace(digital=bools(T, T, T, T, T))
    memories = kernels.Memories(*(arr(*[0.5] * 5) for _ in range(5)))
    rates = kernels.RepairRates(
        channels=kernels.Channels(1.0, 1.0, 1.0, 0.0),
        contact=kernels.ContactRates(0.0, 1.0, -0.5),
        experience=EXPERIENCE,
        repair_job_weeks=1.0,
        standards=ADAPTIVE,
    )
    draws = kernels.ReportDraws(need=arr(0.1, 0.9, 0.0, 0.0, 0.0), report=arr(0, 0, 0, 0, 0))
    finished, waits, outcomes, stories = kernels.repairs_and_contact(
        10, 10, bools(F, F, F, F, T), draws, homes, repairs, memories, rates
    )
    # Every open need is logged and ready, and the budget covers all: each waited week - raised + 1.
    assert_array_equal(finished, ints(0, 2, 3, 4))
    assert_allclose(waits, [1.0, 8.0, 9.0, 4.0])
    # Expected 3 weeks: up to 2 * 3 weeks is good; 8 and 9 weeks are late, by 8 / 3 - 2 and 1.
    assert_allclose(outcomes, [1.0, -(0.5 + (8 / 3 - 2) / 2), -1.0, 1.0])
    assert_array_equal(stories.bad, bools(F, F, T, T, F))
    assert_array_equal(stories.good, bools(T, F, F, F, T))  # home 4's good repair came with its visit's +1
    assert not repairs.need.any()


# --- named rates: each field reads the parameter of its name ---------------------------------
#: Fields computed from parameters rather than read from one.
DERIVED = {"story_push": lambda p: p["trust_learning_rate"] * p["story_weight"]}


@pytest.mark.parametrize("cls", kernels.RATES_FROM_PARAMS, ids=lambda cls: cls.__name__)
def test_rates_from_params_read_every_field_from_the_parameter_of_that_name(cls):
    declared = {p.name for p in params.PARAMETERS}
    p = {name: 0.001 * (n + 1) for n, name in enumerate(sorted(declared))}  # every value different
    given = [name for name in inspect.signature(cls.from_params).parameters if name != "p"]
    extra = {name: 100.0 + n for n, name in enumerate(given)}
    rates = cls.from_params(p, **extra)
    for field in cls._fields:
        value = getattr(rates, field)
        if field in extra:
            assert value == extra[field], field
        elif field in DERIVED:
            assert value == DERIVED[field](p), field
        else:
            assert field in declared, f"{cls.__name__}.{field} is not a declared parameter"
            assert value == p[field], f"{cls.__name__}.{field} does not read p[{field!r}]"


def test_the_model_builds_its_rates_from_its_parameters():
    model = TrustModel(load_scenario("baseline", homes=100), rng=1)
    assert model._word_of_mouth_rates == kernels.WordOfMouthRates.from_params(model.p)
    assert model._participation_rates == kernels.ParticipationRates.from_params(model.p)
    assert model._relationship_rates == kernels.RelationshipRates.from_params(model.p)
    assert model._repair_rates.experience == kernels.ExperienceRates.from_params(model.p)
    assert model._repair_rates.channels == kernels.Channels.from_params(model.p, phone_open=model.landlord.phone_open)
    assert model._repair_rates.repair_job_weeks == model.p["repair_job_weeks"]
    assert model._repair_rates.standards == kernels.RepairStandards.from_params(model.p)


def trust_after_stories(**values: float) -> float:
    """Mean trust after one round of word of mouth on a scripted estate: half the homes tell a bad story, half good."""
    model = TrustModel(load_scenario("baseline", homes=100, talk_rate=0.0, trust_anchor_rate=0.0), rng=1)
    model.set_params(values)
    size = model.households.size
    model.households.trust[:] = 0.5
    bad = np.arange(size) % 2 == 0
    model._stories = kernels.Stories(bad=bad, good=~bad)
    model._draws = np.full((4, size), 0.99)
    kernels.seed(7)
    model.word_of_mouth()
    return float(model.households.trust.mean())


def test_bad_stories_reaching_further_lower_trust_and_good_ones_raise_it():
    middle = trust_after_stories(bad_story_reach=0.3, good_story_reach=0.3)
    assert trust_after_stories(bad_story_reach=0.9, good_story_reach=0.3) < middle
    assert trust_after_stories(bad_story_reach=0.3, good_story_reach=0.9) > middle
    assert trust_after_stories(bad_story_reach=0.0, good_story_reach=0.0) == 0.5
    assert trust_after_stories(bad_story_reach=0.5, good_story_reach=0.0) < 0.5
    assert trust_after_stories(bad_story_reach=0.0, good_story_reach=0.5) > 0.5


def test_no_import_circle_inside_the_model_package():
    """Counting imports under ``if TYPE_CHECKING:`` too; the package's ``__init__`` is left out."""
    root = Path(__file__).resolve().parent.parent / "model"
    graph: dict[str, set[str]] = {}
    for path in root.glob("*.py"):
        if path.name == "__init__.py":
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "model":
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("model."):
                names.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("model.")}
        graph[path.stem] = {name for name in names if (root / f"{name}.py").exists()}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for name in graph.get(start, ()):
            if name == target or (name not in seen and reaches(name, target, seen | {name})):
                return True
        return False

    circles = sorted(name for name in graph if reaches(name, name, {name}))
    assert not circles, f"modules in an import circle: {circles}"


@pytest.mark.parametrize("cls", kernels.OF_HOUSEHOLDS, ids=lambda cls: cls.__name__)
def test_structures_gathered_from_the_households_read_the_arrays_of_their_names(cls):
    households = TrustModel(load_scenario("baseline", homes=100), rng=1).households
    gathered = kernels.gather(cls, households)
    assert len(gathered) == len(cls._fields)
    for field, value in zip(cls._fields, gathered, strict=True):
        assert value is getattr(households, field), field


def test_plain_keeps_each_value_in_its_fields_order_and_kernels_take_either_form():
    rates = kernels.WordOfMouthRates.from_params(params.defaults())
    assert kernels.WordOfMouthRates(*kernels.plain(rates)) == rates
    repair = kernels.RepairRates(
        kernels.Channels(1.0, 0.5, 0.25, 0.0), kernels.ContactRates(0.5, 0.75, -0.5), EXPERIENCE, 2.0, ADAPTIVE
    )
    flat = kernels.plain(repair)
    assert type(flat) is tuple and all(type(part) is tuple for part in (*flat[:3], flat[4]))
    assert kernels.ContactRates(*flat[1]) == repair.contact
    named, bare = arr(0.5, 0.5), arr(0.5, 0.5)
    rates = voice_rates((0.2, 0.0), (0.1, 0.0), fade=0.1)
    kernels.hear_voice(bools(T, F), voice(named, arr(0.5, 0.5), arr(0, 1), arr(0.4, 0.4)), rates)
    kernels.hear_voice(bools(T, F), (bare, arr(0.5, 0.5), arr(0, 1), arr(0.4, 0.4)), tuple(rates))
    assert_array_equal(named, bare)
