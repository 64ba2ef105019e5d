"""Each mechanism in model/submodels.py on small scripted cases, expectations worked out by hand."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scripted import F, T, arr, bools, ints

from model import params
from model import submodels as sm


# --- 1. repairs and contact ----------------------------------------------------
def test_new_repair_needs_uses_draws_and_skips_open_requests():
    has_need = bools(F, F, T, F, F)
    rate = arr(0.1, 0.1, 0.9, 0.5, 0.0)
    draws = arr(0.05, 0.1, 0.0, 0.49, 0.0)
    # 0.05 < 0.1 yes; 0.1 < 0.1 no (strict); open request blocks; 0.49 < 0.5 yes; rate 0 never.
    assert_array_equal(sm.new_repair_needs(has_need, rate, draws), bools(T, F, F, T, F))


def test_report_probability_all_channel_combinations():
    digital = bools(T, T, F, F)
    visited = bools(F, T, F, T)
    p = sm.report_probability(digital, visited, 0.5, 0.8, 0.9, 0.0)
    # phone: 0.5 * 0.8 = 0.4; portal 0.9 for the digitally included; a visit always logs it.
    assert_allclose(p, [1 - 0.1 * 0.6, 1.0, 0.4, 1.0])


def test_report_probability_digital_only_leaves_excluded_with_only_the_officer():
    digital = bools(T, T, F, F)
    visited = bools(F, T, F, T)
    p = sm.report_probability(digital, visited, 0.0, 0.8, 0.9, 0.0)
    assert_allclose(p, [0.9, 1.0, 0.0, 1.0])


def test_report_probability_proxies_report_online_for_the_excluded():
    digital = bools(T, F, F)
    visited = bools(F, F, T)
    p = sm.report_probability(digital, visited, 0.0, 0.8, 0.9, 0.1)
    assert_allclose(p, [0.9, 0.1, 1.0])
    p = sm.report_probability(digital, visited, 0.5, 0.8, 0.9, 0.1)
    assert_allclose(p, [1 - 0.1 * 0.6, 1 - 0.9 * 0.6, 1.0])


def test_report_probability_fully_open_phone_helps_everyone():
    digital = bools(T, F)
    visited = bools(F, F)
    p = sm.report_probability(digital, visited, 1.0, 0.5, 0.5, 0.0)
    assert_allclose(p, [0.75, 0.5])


RAISED = np.zeros(10, dtype=np.int64)
RAISED[[7, 2, 5, 9]] = [3, 5, 3, 1]
WAITING = ints(7, 2, 5, 9)


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        (1, [9]),
        (2, [9, 5]),  # 5 and 7 both raised in week 3: the lower index first
        (3, [9, 5, 7]),
        (0, []),
        (-2, []),
    ],
)
def test_repairs_to_complete_first_come_first_served_ties_by_index(capacity, expected):
    done = sm.repairs_to_complete(WAITING, RAISED, capacity)
    assert done.tolist() == expected


@pytest.mark.parametrize("capacity", [4, 5, 100])
def test_repairs_to_complete_capacity_at_least_waiting_completes_all(capacity):
    done = sm.repairs_to_complete(WAITING, RAISED, capacity)
    assert sorted(done.tolist()) == [2, 5, 7, 9]


def test_repairs_to_complete_nothing_waiting():
    assert sm.repairs_to_complete(ints(), RAISED, 3).size == 0


def test_repair_outcome_cases():
    expected = arr(2, 2, 2, 2, 2, 2)
    wait = arr(2, 3, 3.2, 4, 10, 1)
    fixed = bools(T, T, T, T, T, F)
    out = sm.repair_outcome(wait, expected, fixed, 1.5)
    # r = 1 on time: +1; r = 1.5 at the tolerance: +1; r = 1.6: -(0.5 + 0.05);
    # r = 2: -(0.5 + 0.25); r = 5: -min(1, 2.25) = -1; not fixed: -1 however quick.
    assert_allclose(out, [1.0, 1.0, -0.55, -0.75, -1.0, -1.0])


def test_repair_outcome_default_tolerance_is_1_4_times_the_expected_wait():
    tolerance = params.get("repair_tolerance").default
    assert tolerance == 1.4
    out = sm.repair_outcome(arr(2.8, 4.0), arr(2.0, 2.0), bools(T, T), tolerance)
    # r = 1.4 at the tolerance: +1; r = 2: -(0.5 + 0.6 / 2).
    assert_allclose(out, [1.0, -0.8])


def test_jobs_ready_with_chance_one_over_job_weeks():
    waiting = ints(3, 7, 9, 12)
    draws = arr(0.1, 0.25, 0.24, 0.9)
    # 1 / 4 weeks = 0.25: 0.1 and 0.24 are below (strict), 0.25 and 0.9 are not.
    assert_array_equal(sm.jobs_ready(waiting, 4.0, draws), ints(3, 9))
    assert_array_equal(sm.jobs_ready(waiting, 1.0, draws), waiting)


def test_overdue_beyond_the_zone_of_tolerance_only_when_open_and_logged():
    open_logged = bools(T, T, T, F)
    waited = ints(4, 5, 9, 9)
    expected = arr(2.0, 2.0, 2.0, 2.0)
    # 4 = 2 x 2 is not beyond; 5 is; 9 is; the last is not logged.
    assert_array_equal(sm.overdue(open_logged, waited, expected, 2.0), bools(F, T, T, F))
    assert_array_equal(sm.overdue(open_logged, waited, expected, 1.0), bools(T, T, T, F))


def test_remember_repair_weighs_bad_jobs_by_the_negativity_bias():
    score = arr(0.5, 0.5, 0.5)
    out = sm.remember_repair(score, arr(1.0, -1.0, -0.5), 0.3, 4.0)
    # good: 1 - 0.5 e^-0.3; bad: 0.5 e^-1.2; chasing (-0.5): 0.5 e^-0.6.
    assert_allclose(out, [1 - 0.5 * math.exp(-0.3), 0.5 * math.exp(-1.2), 0.5 * math.exp(-0.6)])
    assert_allclose(sm.remember_repair(arr(0.4), arr(0.0), 0.3, 4.0), [0.4])


def test_repair_outcome_custom_tolerance():
    out = sm.repair_outcome(arr(3.0, 2.0), arr(2.0, 2.0), bools(T, T), 1.0)
    assert_allclose(out, [-0.75, 1.0])


def test_adapt_expectation_fully_adaptive_moves_a_fifth_of_the_way_to_the_wait():
    # Weight 0 on the target: e + 0.2 (wait - e), whatever the target.
    assert_allclose(sm.adapt_expectation(arr(3.0, 5.0), arr(8.0, 5.0), 4.0, 0.2, 0.0), [4.0, 5.0])
    assert_allclose(sm.adapt_expectation(arr(4.0), arr(2.0), 99.0, 0.5, 0.0), [3.0])


def test_adapt_expectation_is_anchored_to_the_published_target():
    # Half weight on a 4-week target: towards 0.5 * 12 + 0.5 * 4 = 8 from 3, a fifth of the way: 4;
    # from 8 it stays; fully normative (w = 1) it moves towards the target alone: 3 + 0.2 * (4 - 3).
    out = sm.adapt_expectation(arr(3.0, 8.0, 3.0), arr(12.0, 12.0, 12.0), 4.0, 0.2, arr(0.5, 0.5, 1.0))
    assert_allclose(out, [4.0, 8.0, 3.2])


def test_a_long_predictable_queue_no_longer_becomes_the_expectation():
    # Two hundred repairs, each after 12 weeks: fully adaptive, the expectation nears 12 and a 12-week wait is on time;
    # anchored half-way to a 4-week target it nears 8, and 12 / 8 = 1.5 is at the edge of the tolerance.
    adaptive, anchored = 3.0, 3.0
    for _ in range(200):
        adaptive = sm.adapt_expectation(adaptive, 12.0, 4.0, 0.2, 0.0)
        anchored = sm.adapt_expectation(anchored, 12.0, 4.0, 0.2, 0.5)
    assert adaptive == pytest.approx(12.0) and anchored == pytest.approx(8.0)


def test_past_target_counts_weeks_beyond_the_published_target_whatever_was_expected():
    open_logged = bools(T, T, T, F)
    waited = arr(4.0, 5.0, 20.0, 20.0)
    # 4 weeks is within a 4-week target; 5 and 20 are past it; an unlogged need is not (it pays failed contact).
    assert_array_equal(sm.past_target(open_logged, waited, 4.0), bools(F, T, T, F))


def test_waiting_signal_costs_a_week_past_target_and_a_week_of_damp():
    late, damp = bools(F, T, F, T, T), bools(F, F, T, T, T)
    out = sm.waiting_signal(late, damp, 0.1, arr(0.2, 0.2, 0.2, 0.2, 0.95))
    # Nothing; late: -0.1; damp: -0.2; both: -0.3; both, capped at -1.
    assert_allclose(out, [0.0, -0.1, -0.2, -0.3, -1.0])


def test_week_outcome_adds_the_wait_to_the_repair_and_stays_in_range():
    out = sm.week_outcome(arr(0.0, 1.0, -1.0, -0.5, 0.0), arr(-0.1, 0.0, -0.3, -0.2, 0.0))
    assert_allclose(out, [-0.1, 1.0, -1.0, -0.7, 0.0])


def test_waiting_memory_signal_counts_the_worse_of_chasing_and_past_target_once():
    chasing, late = bools(F, T, F, T), bools(F, F, T, T)
    assert_allclose(sm.waiting_memory_signal(chasing, late, -0.5, 0.1), [0.0, -0.5, -0.1, -0.5])


# --- 2. experience -> trust ----------------------------------------------------
def test_pushed_is_push_with_its_exponentials_taken():
    level, up, down = arr(0.1, 0.5, 0.9), arr(0.3, 0.0, 2.0), arr(0.0, 1.0, 0.5)
    assert_allclose(sm.pushed(level, np.exp(-up), np.exp(-down)), sm.push(level, up, down))
    assert_allclose(sm.pushed(arr(0.5), 0.5, 1.0), [0.75])


def test_push_keeps_are_the_exponentials_push_takes_for_each_count():
    keeps = sm.push_keeps(0.003, 6)
    assert keeps.shape == (7,) and keeps[0] == 1.0
    for k in range(7):
        assert keeps[k] == np.exp(-(0.003 * float(k)))  # to the bit
        for level in (0.0, 0.2, 0.7, 1.0):
            assert sm.pushed(level, keeps[k], keeps[0]) == sm.push(level, 0.003 * float(k), 0.0)


def test_push_exact_values():
    ln2 = math.log(2.0)
    assert_allclose(sm.push(arr(0.5), ln2, 0.0), [0.75])
    assert_allclose(sm.push(arr(0.5), 0.0, ln2), [0.25])
    assert_allclose(sm.push(arr(0.5), ln2, ln2), [0.375])  # up first, then down
    assert_allclose(sm.push(arr(0.0), 1.0, 0.0), [1 - math.exp(-1)])
    assert_allclose(sm.push(arr(1.0), 0.0, 2.0), [math.exp(-2)])
    assert_array_equal(sm.push(arr(0.5), 0.0, 0.0), [0.5])


def test_push_keeps_unit_interval_even_for_huge_pushes():
    level = arr(0.0, 0.3, 1.0, 0.0, 1.0)
    up = arr(1e6, 50.0, 0.0, 0.0, 1e6)
    down = arr(0.0, 0.0, 1e6, 1e6, 0.0)
    out = sm.push(level, up, down)
    assert np.all((out >= 0) & (out <= 1))
    assert_allclose(out, [1.0, 1.0, 0.0, 0.0, 1.0])


def test_push_elementwise_arrays():
    out = sm.push(arr(0.2, 0.8), arr(0.0, 0.0), arr(0.0, math.log(4)))
    assert_allclose(out, [0.2, 0.2])


def _experience(trust, outcome, treatment=0.0, lr=0.03, bias=5.0, weight=0.03, buffer=0.0):
    n = np.size(trust)
    return sm.trust_after_experience(
        np.full(n, trust, dtype=float),
        np.full(n, outcome, dtype=float),
        np.full(n, treatment, dtype=float),
        lr,
        bias,
        weight,
        buffer,
    )[0]


def test_trust_after_experience_exact_values():
    lr, bias = 0.1, 4.0
    assert _experience(0.5, 1.0, lr=lr, bias=bias) == pytest.approx(1 - 0.5 * math.exp(-lr))
    assert _experience(0.5, -1.0, lr=lr, bias=bias) == pytest.approx(0.5 * math.exp(-lr * bias))
    assert _experience(0.5, -0.5, lr=lr, bias=bias) == pytest.approx(0.5 * math.exp(-lr * bias * 0.5))
    assert _experience(0.5, 0.0, lr=lr, bias=bias) == pytest.approx(0.5)


@pytest.mark.parametrize("bias", [1.0, 5.0, 14.0])
def test_negativity_bias_bad_moves_trust_bias_times_more_than_good(bias):
    lr, trust = 1e-4, 0.5
    gain = _experience(trust, 1.0, lr=lr, bias=bias, weight=0.0) - trust
    loss = trust - _experience(trust, -1.0, lr=lr, bias=bias, weight=0.0)
    assert gain > 0 and loss > 0
    # For small rates: gain ~ (1 - t) lr, loss ~ t lr b, so loss / gain ~ b at t = 0.5.
    assert loss / gain == pytest.approx(bias, rel=2e-3)
    if bias > 1:
        assert loss > gain


def test_treatment_is_symmetric_and_ignores_negativity_bias_and_buffer():
    w = 0.05
    fair = _experience(0.5, 0.0, treatment=1.0, weight=w, bias=14.0, buffer=0.9)
    unfair = _experience(0.5, 0.0, treatment=-1.0, weight=w, bias=14.0, buffer=0.9)
    assert fair - 0.5 == pytest.approx(0.5 - unfair)
    assert unfair == pytest.approx(0.5 * math.exp(-w))
    assert unfair == pytest.approx(_experience(0.5, 0.0, treatment=-1.0, weight=w, bias=1.0, buffer=0.0))


def test_buffer_halves_the_weight_of_a_bad_outcome_only():
    lr, bias = 0.05, 6.0
    buffered = _experience(0.6, -1.0, lr=lr, bias=bias, buffer=0.5)
    assert buffered == pytest.approx(0.6 * math.exp(-lr * bias * 0.5))
    assert buffered == pytest.approx(_experience(0.6, -1.0, lr=lr, bias=bias / 2, buffer=0.0))
    # Good outcomes are not touched by the buffer.
    assert _experience(0.6, 1.0, lr=lr, buffer=0.5) == pytest.approx(_experience(0.6, 1.0, lr=lr, buffer=0.0))


def test_trust_after_experience_combines_good_outcome_and_unfair_treatment():
    lr, w = 0.1, 0.05
    out = _experience(0.4, 1.0, treatment=-1.0, lr=lr, weight=w)
    assert out == pytest.approx((1 - 0.6 * math.exp(-lr)) * math.exp(-w))


def test_trust_after_experience_array_buffer_per_household():
    out = sm.trust_after_experience(arr(0.5, 0.5), arr(-1.0, -1.0), arr(0.0, 0.0), 0.1, 2.0, 0.0, arr(0.0, 1.0))
    assert_allclose(out, [0.5 * math.exp(-0.2), 0.5])


def test_experience_buffer():
    out = sm.experience_buffer(arr(0.5, 0.0, 1.0), 0.5, 0.3, 0.3)
    # 1 - (1 - 0.25)(1 - 0.09); 1 - (1)(1 - 0.09); 1 - (1 - 0.5)(1 - 0.09)
    assert_allclose(out, [1 - 0.75 * 0.91, 0.09, 1 - 0.5 * 0.91])
    assert_allclose(sm.experience_buffer(arr(0.7), 0.5, 0.0, 0.9), [0.35])
    assert_allclose(sm.experience_buffer(arr(0.0), 0.9, 0.0, 0.9), [0.0])


def test_ewma_moves_a_share_of_the_way_to_the_new_experience():
    out = sm.ewma(arr(0.5, 0.5, 0.2), arr(1.0, 0.5, 0.0), 0.3)
    assert_allclose(out, [0.65, 0.5, 0.14])
    assert_allclose(sm.ewma(arr(0.0), arr(1.0), 0.5), [0.5])


def test_elementwise_rules_do_not_modify_their_input():
    score = arr(0.5, 0.5)
    sm.ewma(score, arr(1.0, 1.0), 0.3)
    sm.push(score, 1.0, 1.0)
    assert_array_equal(score, [0.5, 0.5])


def test_anchor_pulls_towards_disposition():
    assert_allclose(sm.anchor(arr(0.2, 0.9), arr(0.8, 0.5), 0.5), [0.5, 0.7])
    assert_allclose(sm.anchor(arr(0.2), arr(0.8), 0.0), [0.2])


def test_settle_disposition_moves_slowly_towards_lived_trust():
    outlook = arr(0.0, 0.0, 0.0)
    out = sm.settle_disposition(arr(0.5, 0.5, 0.8), arr(0.9, 0.1, 0.8), outlook, 0.25, 0.0, 1.0)
    assert_allclose(out, [0.6, 0.4, 0.8])
    assert_array_equal(sm.settle_disposition(arr(0.3), arr(0.9), arr(0.3), 0.0, 0.5, 3.0), [0.3])


def test_settle_disposition_loses_faster_than_it_gains():
    outlook = arr(0.0, 0.0)
    # Up by 0.1 * (0.9 - 0.5) = 0.04; down by 3 * 0.1 * (0.1 - 0.5) = -0.12.
    out = sm.settle_disposition(arr(0.5, 0.5), arr(0.9, 0.1), outlook, 0.1, 0.0, 3.0)
    assert_allclose(out, [0.54, 0.38])


def test_settle_disposition_keeps_the_outlook_it_brings_from_outside():
    # Target (1 - 0.5) * 0.9 + 0.5 * 0.3 = 0.6: half of the way from 0.4 is 0.5.
    assert_allclose(sm.settle_disposition(arr(0.4), arr(0.9), arr(0.3), 0.5, 0.5, 3.0), [0.5])
    # With all of it from outside, the disposition returns to the outlook whatever trust does.
    assert_allclose(sm.settle_disposition(arr(0.7), arr(0.1), arr(0.3), 1.0, 1.0, 1.0), [0.3])


# --- 3. word of mouth ----------------------------------------------------------
def test_bounded_confidence_only_pairs_within_bound_move():
    trust = arr(0.25, 0.5, 0.75, 0.0)
    partner = ints(1, 0, 3, 2)
    out = sm.bounded_confidence(trust, trust[partner], bools(T, T, T, T), 0.3, 0.5)
    # 0 <-> 1 differ by 0.25 < 0.3 and meet halfway (simultaneous update); 2 <-> 3 differ by 0.75.
    assert_array_equal(out, [0.375, 0.375, 0.75, 0.0])


def test_bounded_confidence_gap_equal_to_bound_does_not_move():
    trust = arr(0.25, 0.5)
    out = sm.bounded_confidence(trust, trust[ints(1, 0)], bools(T, T), 0.25, 0.5)
    assert_array_equal(out, [0.25, 0.5])


def test_bounded_confidence_only_talkers_move_and_use_last_weeks_values():
    trust = arr(0.5, 0.75, 0.625)
    partner = ints(1, 2, 0)
    out = sm.bounded_confidence(trust, trust[partner], bools(T, F, T), 0.5, 0.5)
    # 0 moves towards 1's old value; 1 does not talk; 2 moves towards 0's old value.
    assert_allclose(out, [0.625, 0.75, 0.5625])


def test_stories_heard_counts_per_listener():
    teller = ints(0, 0, 1, 2, 2, 3)
    listener = ints(1, 2, 0, 0, 3, 2)
    has_story = bools(T, F, T, F, F)
    draws = arr(0.1, 0.6, 0.2, 0.3, 0.4, 0.0)
    out = sm.stories_heard(teller, listener, has_story, 0.5, draws, homes=5)
    assert out.dtype == np.float64
    assert_array_equal(out, [1, 1, 0, 1, 0])
    assert_array_equal(sm.stories_heard(teller, listener, has_story, 1.0, draws, homes=5), [1, 1, 1, 1, 0])
    assert_array_equal(sm.stories_heard(teller, listener, has_story, 0.0, draws, homes=5), [0, 0, 0, 0, 0])


def test_stories_heard_counts_several_stories_to_one_listener():
    out = sm.stories_heard(ints(0, 1, 2), ints(3, 3, 3), bools(T, T, T, F), 1.0, arr(0.5, 0.5, 0.5), homes=4)
    assert_array_equal(out, [0, 0, 0, 3])


# --- 4. participation -------------------------------------------------------------
def test_neighbour_share():
    # 0 talks to 1 and 2; 1 to 0; 2 to 0, 1 and 3; 3 to 2.
    indptr = ints(0, 2, 3, 6, 7)
    indices = ints(1, 2, 0, 0, 1, 3, 2)
    out = sm.neighbour_share(bools(F, T, F, T), indptr, indices)
    assert_allclose(out, [0.5, 0.0, 2 / 3, 0.0])
    assert_allclose(sm.neighbour_share(bools(T, T, T, T), indptr, indices), [1, 1, 1, 1])


def test_readiness():
    out = sm.readiness(arr(0.6, 1.0), arr(0.4, 1.0), arr(0.5, 0.0), arr(0.1, 0.0), arr(0.2, 0.25), 0.2)
    # 0.5 * (0.6 + 0.4) + 0.2 * 0.5 - 0.1 - 0.2 = 0.3;  1 + 0 - 0 - 0.25 = 0.75
    assert_allclose(out, [0.3, 0.75])
    assert_allclose(sm.readiness(arr(0.0), arr(0.0), arr(1.0), arr(0.0), arr(0.0), 1.0), [1.0])


def test_fatigue_builds_with_taking_part_and_wears_off():
    out = sm.fatigue_after_week(arr(0.5, 0.5, 0.0), bools(T, F, T), 0.5, 0.5)
    # 0.5 -> 0.25 rested, then half-way to 1: 0.625;  0.5 -> 0.25;  0 -> 0.5
    assert_allclose(out, [0.625, 0.25, 0.5])
    # Taking part every week settles at g / (1 - (1 - r)(1 - g)) = 0.5 / 0.75 = 2/3.
    f = 0.0
    for _ in range(200):
        f = sm.fatigue_after_week(f, True, 0.5, 0.5)
    assert f == pytest.approx(2 / 3)


def test_participation_cost():
    support = bools(T, F, T, F)
    under = bools(F, T, T, F)
    out = sm.participation_cost(support, under, 0.05, 0.08, 0.5, 100.0)
    assert_allclose(out, np.array([0.05, 0.04, 0.09, 0.0]) * math.exp(-1.0))
    # No spending; full outreach closes the gap for the under-represented group.
    assert_allclose(sm.participation_cost(support, under, 0.05, 0.08, 1.0, 0.0), [0.05, 0.0, 0.05, 0.0])
    assert_allclose(sm.participation_cost(support, under, 0.05, 0.08, 0.0, 0.0), [0.05, 0.08, 0.13, 0.0])


def test_take_part():
    willing = bools(T, T, T, F, T)
    channel = arr(1.0, 1.0, 0.5, 1.0, 0.0)
    visited = bools(F, F, F, T, T)
    draws = arr(0.1, 0.3, 0.15, 0.0, 0.9)
    # 0.1 < 0.2 joins; 0.3 no; 0.15 < 0.2 * 0.5 no; not willing never; a visit asks a willing one.
    assert_array_equal(sm.take_part(willing, channel, visited, 0.2, draws), bools(T, F, F, F, T))


def test_fill_seats_top_margins_ties_by_index():
    margin = arr(0.3, 0.5, 0.5, 0.9, 0.1, 0.5)
    willing = bools(T, T, T, F, T, T)
    assert_array_equal(sm.fill_seats(margin, willing, 3), bools(F, T, T, F, F, T))
    assert_array_equal(sm.fill_seats(margin, willing, 2), bools(F, T, T, F, F, F))
    assert_array_equal(sm.fill_seats(margin, willing, 4), bools(T, T, T, F, F, T))
    assert_array_equal(sm.fill_seats(margin, willing, 10), willing)
    assert not sm.fill_seats(margin, willing, 0).any()
    assert not sm.fill_seats(margin, np.zeros(6, dtype=bool), 3).any()


# --- 5. power-sharing -----------------------------------------------------------------
@pytest.mark.parametrize("rung", [1, 2])
@pytest.mark.parametrize("responsiveness", [0.0, 0.5, 1.0])
def test_visible_change_non_participation_rungs_give_nothing_without_delegated_budget(rung, responsiveness):
    assert sm.visible_change(rung, responsiveness, 0.0) == 0.0


def test_visible_change_exact_values():
    assert sm.visible_change(4, 0.3, 0.0) == pytest.approx(0.15 * 0.3)
    assert sm.visible_change(8, 1.0, 0.0) == pytest.approx(1.0)
    assert sm.visible_change(1, 0.0, 100.0) == pytest.approx(1 - math.exp(-1))
    assert sm.visible_change(6, 0.5, 100.0) == pytest.approx(1 - 0.75 * math.exp(-1))


def test_visible_change_increases_with_rung():
    values = [sm.visible_change(rung, 0.5, 0.0) for rung in range(1, 9)]
    assert values[0] == values[1] == 0.0
    assert all(a < b for a, b in itertools.pairwise(values[1:]))
    with_budget = [sm.visible_change(rung, 0.5, 40.0) for rung in range(1, 9)]
    assert all(a <= b for a, b in itertools.pairwise(with_budget))
    assert with_budget[0] > 0


def test_promised_influence_rises_with_consultation_and_the_rung():
    assert sm.promised_influence(1, 0.4) == 0.0  # nothing promised below consultation
    assert sm.promised_influence(3, 0.4) == pytest.approx(0.05)  # informing: its power only
    assert sm.promised_influence(4, 0.4) == pytest.approx(0.4)  # consulted: expects its views to count
    assert sm.promised_influence(7, 0.4) == pytest.approx(0.75)  # delegated power promises its power


def test_influence_per_participant_dilutes_beyond_capacity():
    assert sm.influence_per_participant(0.6, 50, 100.0) == pytest.approx(0.6)
    assert sm.influence_per_participant(0.6, 300, 100.0) == pytest.approx(0.2)
    assert sm.influence_per_participant(0.6, 0, 100.0) == pytest.approx(0.6)


def test_felt_influence_counts_what_falls_short_of_expectation_against_it():
    # expected = 0.5 * 0.4 + 0.5 * 0.1 = 0.25; felt = 0.1 - 1.0 * 0.15 = -0.05
    assert sm.felt_influence(0.1, 0.4, 0.5, 1.0) == pytest.approx(-0.05)
    # consulted and ignored is worse than never consulted (Folger's frustration effect)
    assert sm.felt_influence(0.0, 0.4, 0.5, 1.0) < sm.felt_influence(0.0, 0.0, 0.5, 1.0) == 0.0
    # influence above expectation is felt in full
    assert sm.felt_influence(0.6, 0.4, 0.5, 1.0) == pytest.approx(0.6)


def test_voice_push_softens_bad_news_with_openness_but_never_hides_it():
    assert sm.voice_push(0.2, 0.1, 0.5, 0.8, 0.5) == (pytest.approx(0.01), 0.0)
    up, down = sm.voice_push(-0.2, 0.1, 1.0, 0.8, 0.5)
    assert up == 0.0 and down == pytest.approx(0.02 * (1 - 0.4))
    assert sm.voice_push(-0.2, 0.1, 1.0, 1.0, 0.9)[1] > 0.0


def test_efficacy_after_push_then_fades_towards_the_outlook():
    out = sm.efficacy_after_push(arr(0.5, 0.5), arr(0.3, 0.3), arr(math.exp(-0.2), 1.0), arr(1.0, 1.0), 0.5)
    pushed_up = 1 - 0.5 * math.exp(-0.2)
    assert_allclose(out, [pushed_up + 0.5 * (0.3 - pushed_up), 0.4])


def test_efficacy_equilibrium_is_the_fixed_point_of_the_weekly_update():
    a, b, fade, outlook = math.exp(-0.01), math.exp(-0.02), 0.05, 0.6
    e = sm.efficacy_equilibrium(outlook, a, b, fade)
    assert sm.efficacy_after_push(e, outlook, a, b, fade) == pytest.approx(e)
    assert sm.efficacy_equilibrium(outlook, 1.0, 1.0, fade) == pytest.approx(outlook)


# --- 6. frontline staff -------------------------------------------------------------
def test_officer_quality():
    assert sm.officer_quality(0.75, 0.0, 0.15, 300, 350) == pytest.approx(0.75)
    assert sm.officer_quality(0.75, 0.0, 0.15, 350, 350) == pytest.approx(0.75)
    assert sm.officer_quality(0.75, 0.0, 0.15, 700, 350) == pytest.approx(0.375)  # overload halves it
    assert sm.officer_quality(0.75, 1.0, 0.2, 300, 350) == pytest.approx(0.8)  # culture closes 20% of the gap
    assert sm.officer_quality(0.75, 0.5, 0.2, 300, 350) == pytest.approx(0.775)
    assert sm.officer_quality(0.75, 1.0, 0.2, 700, 350) == pytest.approx(0.4)


def test_visit_probability():
    assert sm.visit_probability(60.0, 0.2, 300) == pytest.approx(0.04)
    assert sm.visit_probability(60.0, 0.9, 30) == 1.0
    assert sm.visit_probability(60.0, 0.0, 300) == 0.0
    assert sm.visit_probability(10.0, 0.5, 0) == 1.0  # an empty patch does not divide by zero


def test_relationship_after_week():
    out = sm.relationship_after_week(arr(0.5, 0.5, 0.0, 1.0), bools(T, F, T, F), 0.3, 0.1)
    assert_allclose(out, [0.45 + 0.3 * 0.55, 0.45, 0.3, 0.9])
    assert_allclose(sm.relationship_after_week(arr(0.2), bools(T), 1.0, 0.0), [1.0])


# --- 7. budget -----------------------------------------------------------------------
def test_engagement_cost_per_home():
    assert sm.engagement_cost_per_home(42000.0, 300, 40.0, 0.0) == pytest.approx(180.0)
    assert sm.engagement_cost_per_home(42000.0, 250, 50.0, 30.0) == pytest.approx(248.0)


def repair_capacity(envelope, engagement, phone_office, phone_open, unit_cost):
    return sm.repair_capacity(
        envelope=envelope,
        engagement_cost=engagement,
        phone_office_cost=phone_office,
        phone_open=phone_open,
        unit_cost=unit_cost,
    )


def test_repair_capacity():
    # (envelope - engagement - phone_office * phone_open) / unit cost / 52 weeks
    assert repair_capacity(800.0, 180.0, 60.0, 0.7, 150.0) == pytest.approx(578.0 / 150 / 52)
    assert repair_capacity(800.0, 248.0, 60.0, 0.8, 150.0) == pytest.approx(504.0 / 150 / 52)
    assert repair_capacity(800.0, 180.0, 60.0, 0.0, 100.0) == pytest.approx(620.0 / 100 / 52)


def test_costs_by_use_add_up_to_the_engagement_cost():
    assert sm.frontline_cost_per_home(42000.0, 300) == pytest.approx(140.0)
    assert sm.involvement_cost_per_home(40.0, 25.0) == 65.0
    assert sm.engagement_cost_per_home(42000.0, 300, 40.0, 25.0) == pytest.approx(140.0 + 65.0)
    assert sm.channel_cost_per_home(60.0, 0.7) == pytest.approx(42.0)
    assert sm.channel_cost_per_home(60.0, 0.0) == 0.0


def test_repair_capacity_spends_what_the_channels_do_not():
    # 620 - 180 - channel_cost(60, 0.7) = 398: 398 / 150 jobs a home a year.
    engagement, channels = 180.0, sm.channel_cost_per_home(60.0, 0.7)
    capacity = repair_capacity(620.0, engagement, 60.0, 0.7, 150.0)
    assert capacity * 52 == pytest.approx((620.0 - engagement - channels) / 150)


def test_repair_spend_per_home_annualises_the_jobs_done():
    # 260 jobs on 100 homes over 26 weeks: 2.6 jobs a home over half a year, 5.2 a year, at £150.
    assert sm.repair_spend_per_home(260.0, 100, 26, 150.0) == pytest.approx(5.2 * 150.0)
    assert sm.repair_spend_per_home(0.0, 100, 52, 150.0) == 0.0
    assert sm.repair_spend_per_home(10.0, 100, 0, 150.0) == 0.0


def test_repair_capacity_floors_at_zero():
    assert repair_capacity(400.0, 500.0, 60.0, 1.0, 150.0) == 0.0
    assert repair_capacity(400.0, 340.0, 60.0, 1.0, 150.0) == 0.0
    assert repair_capacity(400.0, 340.0, 60.0, 0.5, 150.0) == pytest.approx(30.0 / 150 / 52)


# --- 9. measurement -------------------------------------------------------------------
def test_survey_response_probability():
    trust = arr(1.0, 0.0, 0.5, 0.5, 0.5)
    digital = bools(T, T, F, F, T)
    by_phone = bools(F, T, F, T, F)
    out = sm.survey_response_probability(trust, digital, by_phone, 0.35)
    assert_allclose(out, [0.35, 0.35 * 0.4, 0.35 * 0.7 * 0.05, 0.35 * 0.7, 0.35 * 0.7])


def test_survey_response_lower_for_online_invited_excluded():
    trust = arr(0.6, 0.6, 0.6)
    out = sm.survey_response_probability(trust, bools(F, T, F), bools(F, F, T), 0.5)
    assert out[0] < out[1]
    assert out[0] < out[2]
    assert out[1] == pytest.approx(out[2])


def test_answer_by_mode_lifts_telephone_answers_only():
    out = sm.answer_by_mode(arr(0.4, 0.4, 0.7), bools(T, F, T), 0.05)
    assert_allclose(out, [0.45, 0.4, 0.75])
    assert_allclose(sm.answer_by_mode(arr(0.4), bools(T), 0.0), [0.4])


def test_satisfied_strictly_above_half():
    out = sm.satisfied(arr(0.25, 0.5, 0.75, 0.75), arr(0.5, 0.0, -0.125, -0.5))
    assert_array_equal(out, bools(T, F, T, F))


# --- rules the compiled loops and the landlord call (moved out of the loops) ------------------
def test_occurs_strictly_below_the_chance():
    assert_array_equal(sm.occurs(arr(0.0, 0.49, 0.5, 0.99, 0.0), arr(0.5, 0.5, 0.5, 1.0, 0.0)), bools(T, T, F, T, F))


def test_may_have_phoned_only_an_excluded_tenants_report_without_a_visit():
    logged, digital, visited = bools(T, T, T, F), bools(F, T, F, F), bools(F, F, T, F)
    assert_array_equal(sm.may_have_phoned(logged, digital, visited), bools(T, F, F, F))


def test_phone_share_of_excluded_reports():
    # phone 0.5 * 0.8 = 0.4; either 1 - 0.6 * 0.9 = 0.46.
    assert sm.phone_share_of_excluded_reports(0.5, 0.8, 0.1) == pytest.approx(0.4 / 0.46)
    assert sm.phone_share_of_excluded_reports(1.0, 0.5, 0.0) == pytest.approx(1.0)
    assert sm.phone_share_of_excluded_reports(0.0, 0.8, 0.3) == 0.0
    assert sm.phone_share_of_excluded_reports(0.0, 0.8, 0.0) == 0.0  # neither channel open


def test_contact_signal_fair_with_the_contacts_quality():
    assert_allclose(sm.contact_signal(arr(0.0, 0.69, 0.7, 0.5), arr(0.7, 0.7, 0.7, 0.0)), [1.0, 1.0, -1.0, -1.0])


def test_failed_contact_signal():
    assert_allclose(sm.failed_contact_signal(bools(T, F), -0.5), [-0.5, 0.0])
    assert_allclose(sm.failed_contact_signal(bools(T, F), -0.2), [-0.2, 0.0])


def test_withdrawal_counts_a_cut_of_a_programme_as_a_share_of_its_range():
    assert sm.withdrawal(0.6, 0.2, 0.0, 0.8, 1) == pytest.approx(0.5)
    assert sm.withdrawal(0.2, 0.6, 0.0, 0.8, 1) == 0.0  # more of the programme withdraws nothing
    assert sm.withdrawal(200, 300, 100, 600, -1) == pytest.approx(0.2)  # larger patches withdraw presence
    assert sm.withdrawal(0.6, 0.2, 0.0, 0.8, 0) == 0.0  # not a programme


def test_broken_promise_signal_is_bad_news_in_proportion_capped_at_one():
    assert sm.broken_promise_signal(0.5, 0.5) == pytest.approx(-0.25)
    assert sm.broken_promise_signal(3.0, 0.5) == -1.0
    assert sm.broken_promise_signal(0.0, 0.5) == 0.0


def test_culture_builds_towards_the_programme_and_fades_without_it():
    assert sm.culture_after_week(0.2, 0.7, 0.1, 0.05) == pytest.approx(0.25)  # 0.2 + 0.1 * 0.5
    assert sm.culture_after_week(0.6, 0.0, 0.1, 0.05) == pytest.approx(0.57)  # 0.6 - 0.05 * 0.6
    assert sm.culture_after_week(0.6, 0.6, 0.1, 0.05) == pytest.approx(0.6)


def test_culture_raises_a_lever_towards_one_and_costs_while_it_runs():
    assert sm.culture_raised(0.3, 0.5, 0.2) == pytest.approx(0.37)  # 0.3 + 0.2 * 0.5 * 0.7
    assert sm.culture_raised(0.3, 0.0, 0.2) == 0.3
    assert sm.culture_cost_per_home(0.7, 15.0) == pytest.approx(10.5)
    assert sm.frontline_cost_per_home(42_000.0, 300.0, 10.5) == pytest.approx(150.5)


def test_tsm_latent_blends_trust_with_the_perception():
    assert_allclose(sm.tsm_latent(arr(0.8, 0.2), arr(0.4, 0.6), 0.5), [0.6, 0.4])
    assert_allclose(sm.tsm_latent(arr(0.8), arr(0.4), 0.25), [0.5])  # 0.25 * 0.8 + 0.75 * 0.4
    assert_allclose(sm.tsm_latent(arr(0.8), arr(0.4), 1.0), [0.8])


def test_overall_perception_is_a_weighted_mean():
    assert_allclose(sm.overall_perception(0.8, 0.4, 0.6, 0.2, 1.0, 1.0, 1.0, 1.0), 0.5)
    # (2 * 0.8 + 0.4 + 0.6 + 0.2) / 5 = 0.56
    assert_allclose(sm.overall_perception(0.8, 0.4, 0.6, 0.2, 2.0, 1.0, 1.0, 1.0), 0.56)


def test_weeks_waited_counts_this_week():
    assert_allclose(sm.weeks_waited(10, ints(10, 9, 0)), [1.0, 2.0, 11.0])


def test_first_time_fix_scrutiny_fits_the_represented_better():
    under = bools(F, T)
    # 0.6 + 0.4 * 0.5 * 0.5 = 0.7 for the majority; the under-represented get a quarter of the gain.
    assert_allclose(sm.first_time_fix(under, 0.6, 0.5, 0.5, 0.25), [0.7, 0.6 + 0.4 * 0.5 * 0.5 * 0.25])
    assert_allclose(sm.first_time_fix(under, 0.6, 0.5, 0.0, 1.0), [0.6, 0.6])
    assert_allclose(sm.first_time_fix(under, 0.6, 1.0, 1.0, 1.0), [1.0, 1.0])


def test_representation_fit_capped_at_one_and_neutral_when_undefined():
    assert sm.representation_fit(0.4) == 0.4
    assert sm.representation_fit(1.7) == 1.0
    assert sm.representation_fit(math.nan) == 1.0


def test_jobs_this_week_draws_the_fraction():
    assert sm.jobs_this_week(3.25, 0.2) == 4
    assert sm.jobs_this_week(3.25, 0.25) == 3  # strict
    assert sm.jobs_this_week(3.0, 0.0) == 3
    assert sm.jobs_this_week(0.5, 0.7) == 0


def test_had_experience_any_outcome_or_treatment():
    assert_array_equal(sm.had_experience(arr(0.0, 1.0, 0.0, -0.5), arr(0.0, 0.0, -0.5, 1.0)), bools(F, T, T, T))


def test_fairly_treated_positive_signal_only():
    assert_array_equal(sm.fairly_treated(arr(1.0, 0.5, 0.0, -0.5, -1.0)), bools(T, T, F, F, F))


def test_heard_from_landlord_and_kept_informed():
    outcome, treatment = arr(0.0, 1.0, 0.0, -1.0, 1.0, 0.0), arr(0.0, 0.0, 1.0, 0.0, -0.5, 0.0)
    late = bools(F, F, F, F, F, T)
    assert_array_equal(sm.heard_from_landlord(outcome, treatment, late), bools(F, T, T, T, T, T))
    # Good repair, fair contact: kept informed; bad repair, failed contact, an overdue repair: not.
    assert_array_equal(sm.kept_informed(outcome, treatment, late), bools(T, T, T, F, F, F))


def test_bad_and_good_stories_one_kind_a_week_bad_wins():
    outcome, treatment = arr(1.0, -1.0, 0.0, 1.0, 0.0, 0.0), arr(0.0, 1.0, -0.5, -1.0, 1.0, 0.0)
    assert_array_equal(sm.bad_story(outcome, treatment), bools(F, T, T, T, F, F))
    # A good repair or a fair contact is a good story, as a bad one or an unfair contact is a bad one.
    assert_array_equal(sm.good_story(outcome, treatment), bools(T, F, F, F, T, F))


def test_talk_partner_one_draw_decides_talk_and_partner():
    # talk_rate 0.5, three neighbours: draw / 0.5 * 3 -> 0, 1, 2; 0.5 and above: no talk.
    out = sm.talk_partner(arr(0.0, 0.1, 0.2, 0.4999, 0.5, 0.9), 0.5, ints(3, 3, 3, 3, 3, 3))
    assert_array_equal(out, ints(0, 0, 1, 2, -1, -1))
    assert sm.talk_partner(0.3, 0.0, 4) == -1
    assert sm.talk_partner(0.99, 1.0, 1) == 0


def test_chance_took_part_last_year():
    assert_allclose(sm.chance_took_part_last_year(arr(1.0, 0.5, 0.0), 0.1), [1 - 0.9**52, 1 - 0.95**52, 0.0])


def test_panel_seats_none_below_consultation():
    assert sm.panel_seats(3, 5.0, 6000) == 0
    assert sm.panel_seats(4, 5.0, 6000) == 30
    assert sm.panel_seats(8, 2.5, 500) == 1  # round(1.25)
    assert sm.panel_seats(6, 3.0, 500) == 2  # round(1.5), to even


def test_weekly_rate_spreads_a_quarter():
    assert sm.weekly_rate(1.3) == pytest.approx(0.1)
    assert sm.weekly_rate(0.2) == pytest.approx(0.2 / 13)


def test_voice_keeps_scales_the_push_by_reach_and_weight():
    assert sm.voice_keeps(0.2, 0.4, 1.0, 1.0) == pytest.approx((math.exp(-0.2), math.exp(-0.4)))
    assert sm.voice_keeps(0.2, 0.4, 0.5, 0.5) == pytest.approx((math.exp(-0.05), math.exp(-0.1)))
    assert sm.voice_keeps(0.0, 0.0, 0.5, 1.0) == (1.0, 1.0)


def test_hear_landlord_news_informs_with_openness_and_fades_in_silence():
    informed = arr(0.0, 1.0, 0.5)
    # No fading: news at openness 0.5 and rate 0.1 pushes up by 1 - exp(-0.05) of the gap.
    assert_allclose(sm.hear_landlord_news(informed, 0.5, 0.1, 0.0), 1.0 - (1.0 - informed) * np.exp(-0.05))
    # A closed landlord's news informs nobody; silence fades the memory by exp(-fade).
    assert_allclose(sm.hear_landlord_news(informed, 0.0, 0.1, 0.1), informed * np.exp(-0.1))
    # It never goes to the lever's value: a fully informed household stays above openness.
    assert sm.hear_landlord_news(1.0, 0.2, 0.1, 0.01) > 0.9


def test_news_push_is_symmetric_second_hand():
    assert sm.news_push(0.5, 0.1) == pytest.approx((0.05, 0.0))
    assert sm.news_push(-0.5, 0.1) == pytest.approx((0.0, 0.05))
    assert sm.news_push(0.0, 0.1) == (0.0, 0.0)


def test_lived_loss_push_weighs_a_withdrawal_with_the_negativity_bias():
    assert sm.lived_loss_push(-0.5, 0.1, 4.0) == pytest.approx((0.0, 0.2))
    assert sm.lived_loss_push(0.5, 0.1, 4.0) == (0.0, 0.0)


def test_felt_quality_lowers_the_chance_of_fair_treatment_by_the_gap():
    assert_allclose(sm.felt_quality(arr(0.75, 0.75, 0.5), arr(0.0, 0.15, 0.15)), [0.75, 0.6, 0.35])


def test_every_submodel_has_a_scripted_test_here():
    """New mechanisms in model/submodels.py must get a hand-worked case in this file."""
    source = Path(__file__).read_text(encoding="utf-8")
    public = sm.mechanism_names()
    assert len(public) > 20
    missing = [name for name in public if f"sm.{name}(" not in source]
    assert not missing, f"submodels without a scripted test: {missing}"


def test_spin_up_rate_accelerates_the_disposition_but_never_past_its_target():
    assert sm.spin_up_rate(0.002, 10.0, 3.0) == pytest.approx(0.02)
    assert sm.spin_up_rate(0.02, 20.0, 6.0) == pytest.approx(1.0 / 6.0)  # 0.4 would overshoot the loss step
    # at the limit, a downward step lands on the target and no further
    assert sm.settle_disposition(0.8, 0.2, 0.2, sm.spin_up_rate(0.02, 20.0, 6.0), 0.5, 6.0) == pytest.approx(0.2)


# --- neighbourhoods (ODD 7.21) --------------------------------------------------------------
def test_seats_are_shared_by_largest_remainder_and_add_up():
    assert sm.allocate_seats(5, np.array([1, 1])).tolist() == [3, 2]
    # quotas 1.066 for each estate of 500 and 0.213 for the one of 100: the seat left over goes to the 0.213
    assert sm.allocate_seats(13, np.array([500] * 12 + [100])).tolist() == [1] * 13
    assert sm.allocate_seats(14, np.array([500] * 12 + [100])).tolist() == [2] + [1] * 12
    assert sm.allocate_seats(24, np.array([6000])).tolist() == [24]
    assert sm.allocate_seats(0, np.array([3, 4])).tolist() == [0, 0]


def test_each_neighbourhood_fills_only_its_own_seats():
    rng = np.random.default_rng(1)
    margin, willing = rng.random(20), rng.random(20) < 0.8
    starts = np.array([0, 10, 20])
    active = sm.fill_seats_by_neighbourhood(margin, willing, np.array([2, 3]), starts)
    assert active[:10].sum() == 2 and active[10:].sum() == 3
    assert not (active & ~willing).any()
    one = sm.fill_seats_by_neighbourhood(margin, willing, np.array([4]), np.array([0, 20]))
    assert np.array_equal(one, sm.fill_seats(margin, willing, 4))


def test_central_capacity_grows_with_size_at_the_declared_exponent():
    assert sm.central_agendas(12.0, 6000, 0.5) == 12.0
    assert sm.central_agendas(12.0, 24000, 0.0) == 12.0
    assert sm.central_agendas(12.0, 24000, 1.0) == pytest.approx(48.0)
    assert sm.central_agendas(12.0, 24000, 0.5) == pytest.approx(24.0)


def test_the_centre_passes_everything_until_more_neighbourhoods_ask_than_it_can_take():
    assert sm.central_pass_through(12.0, 0) == 1.0
    assert sm.central_pass_through(12.0, 12) == 1.0
    assert sm.central_pass_through(12.0, 48) == 0.25


def test_what_a_neighbourhood_decides_itself_bypasses_the_centre():
    assert sm.local_share(0.3, 0.0) == pytest.approx(0.3)
    assert sm.local_share(0.3, 100.0) > sm.local_share(0.3, 30.0) > 0.3
    assert sm.through_the_centre(0.3, 1.0) == 1.0
    assert sm.through_the_centre(0.3, 0.0) == pytest.approx(0.3)
    assert sm.through_the_centre(1.0, 0.0) == 1.0


def test_only_consultation_and_above_have_a_panel():
    assert [sm.has_panel(rung) for rung in range(1, 9)] == [False] * 3 + [True] * 5


def test_ties_form_in_weeks_of_taking_part_and_fade_without():
    assert sm.ties_after_week(1.0, True, 0.3, 0.02) == pytest.approx(1.28)  # 1 x 0.98 + 0.3
    assert sm.ties_after_week(1.0, False, 0.3, 0.02) == pytest.approx(0.98)
    ties = 0.0
    for _ in range(2000):  # taking part every week settles at formation / fade
        ties = sm.ties_after_week(ties, True, 0.3, 0.02)
    assert ties == pytest.approx(15.0)


def test_each_tie_lowers_the_odds_of_loneliness():
    assert sm.lonely_probability(0.0, 0.14, 0.25) == pytest.approx(0.14)
    # odds 0.14 / 0.86 times exp(-0.5) for two ties
    odds = 0.14 / 0.86 * math.exp(-0.5)
    assert sm.lonely_probability(2.0, 0.14, 0.25) == pytest.approx(odds / (1 + odds))
    assert sm.lonely_probability(5.0, 0.03, 0.0) == pytest.approx(0.03)


# --- community-led governance, cohesion and assets (ODD 7.23) ---------------------------------------------


@pytest.mark.parametrize(
    ("governance", "rung", "expected"),
    [(sm.LANDLORD_MANAGED, 4, 4), (sm.TENANT_MANAGED, 4, 7), (sm.TENANT_MANAGED, 8, 8), (sm.COMMUNITY_OWNED, 3, 8)],
)
def test_governance_sets_the_rung_a_neighbourhood_stands_on(governance, rung, expected):
    assert sm.governance_rung(governance, rung) == expected


def test_tenants_act_on_at_least_their_committees_responsiveness():
    assert sm.governance_responsiveness(sm.LANDLORD_MANAGED, 0.3, 0.8) == 0.3
    assert sm.governance_responsiveness(sm.TENANT_MANAGED, 0.3, 0.8) == 0.8
    assert sm.governance_responsiveness(sm.COMMUNITY_OWNED, 0.9, 0.8) == 0.9


def test_a_tmo_decides_its_share_locally_and_a_coop_decides_everything():
    assert sm.governance_local_share(sm.LANDLORD_MANAGED, 0.3, 0.7) == 0.3
    assert sm.governance_local_share(sm.TENANT_MANAGED, 0.3, 0.7) == 0.7
    assert sm.governance_local_share(sm.TENANT_MANAGED, 0.9, 0.7) == 0.9
    assert sm.governance_local_share(sm.COMMUNITY_OWNED, 0.3, 0.7) == 1.0


def test_only_the_landlord_managing_is_not_community_led():
    assert not sm.is_community_led(sm.LANDLORD_MANAGED)
    assert sm.is_community_led(sm.TENANT_MANAGED) and sm.is_community_led(sm.COMMUNITY_OWNED)


def test_committee_seats_quorum_and_ballot():
    assert sm.committee_seats(30.0, 500) == 15
    assert sm.committee_seats(30.0, 10) == 1
    assert sm.committee_viable(9, 18, 0.5) and not sm.committee_viable(8, 18, 0.5)
    assert sm.ballot_passes(0.5, 0.5) and not sm.ballot_passes(0.49, 0.5)


def test_cohesion_target_sits_at_the_reference_when_nothing_has_moved_and_rises_with_ties_efficacy_and_assets():
    assert sm.cohesion_target(0.61, 0.0, 0.0, 0, 0.3, 2.0, 0.1) == pytest.approx(0.61, abs=1e-15)
    assert sm.cohesion_target(0.5, 1.0, 0.0, 0, 0.3, 2.0, 0.1) == pytest.approx(1 / (1 + math.exp(-0.3)))
    assert sm.cohesion_target(0.5, 0.0, -0.1, 0, 0.3, 2.0, 0.1) == pytest.approx(1 / (1 + math.exp(0.2)))
    assert sm.cohesion_target(0.5, 0.0, 0.0, 3, 0.3, 2.0, 0.1) == pytest.approx(1 / (1 + math.exp(-0.3)))


def test_cohesion_after_a_quarter_is_thirteen_weekly_steps():
    weekly = 0.5
    for _ in range(13):
        weekly += 0.02 * (0.7 - weekly)
    assert sm.cohesion_after(0.5, 0.7, 0.02, 13) == pytest.approx(weekly, rel=1e-12)


def test_assets_need_cohesion_above_the_threshold():
    assert sm.asset_chance(0.55, 0.2, 0.6) == 0.0
    assert sm.asset_chance(1.0, 0.2, 0.6) == pytest.approx(0.2)
    assert sm.asset_chance(0.8, 0.2, 0.6) == pytest.approx(0.1)
