"""Property tests on the trust-moving submodels with arbitrary arrays in [0, 1]."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from model import submodels as sm

N = st.integers(1, 40)
UNIT = st.floats(0.0, 1.0, allow_nan=False)
SIGNED = st.floats(-1.0, 1.0, allow_nan=False)
PUSH = st.floats(0.0, 1e3, allow_nan=False)


def arrays(n: int, elements: st.SearchStrategy[float]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, n, elements=elements)


def in_unit(values: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(values)) and np.all(values >= 0.0) and np.all(values <= 1.0))


@settings(max_examples=100)
@given(st.data(), N)
def test_push_stays_in_unit_interval_and_moves_the_right_way(data, n):
    level = data.draw(arrays(n, UNIT))
    up = data.draw(arrays(n, PUSH))
    down = data.draw(arrays(n, PUSH))
    both = sm.push(level, up, down)
    raised = sm.push(level, up, 0.0)
    lowered = sm.push(level, 0.0, down)
    assert in_unit(both) and in_unit(raised) and in_unit(lowered)
    assert np.all(raised >= level - 1e-12)
    assert np.all(lowered <= level + 1e-12)
    assert np.all(both <= raised + 1e-12)


@settings(max_examples=100)
@given(
    st.data(),
    N,
    st.floats(0.01, 0.2),
    st.floats(1.0, 14.0),
    st.floats(0.0, 0.1),
    st.floats(0.0, 0.9),
)
def test_trust_after_experience_stays_in_unit_interval(data, n, lr, bias, weight, buffer):
    trust = data.draw(arrays(n, UNIT))
    outcome = data.draw(arrays(n, SIGNED))
    treatment = data.draw(arrays(n, SIGNED))
    out = sm.trust_after_experience(trust, outcome, treatment, lr, bias, weight, buffer)
    assert in_unit(out)
    good = (outcome >= 0) & (treatment >= 0)
    bad = (outcome <= 0) & (treatment <= 0)
    assert np.all(out[good] >= trust[good] - 1e-12)
    assert np.all(out[bad] <= trust[bad] + 1e-12)


@settings(max_examples=100)
@given(st.data(), N, st.floats(0.01, 0.2), st.floats(1.0, 14.0), st.floats(0.0, 0.9))
def test_bad_outcome_moves_trust_at_least_as_far_as_good_at_midpoint(data, n, lr, bias, buffer):
    # At trust 0.5 an outcome of size x raises trust by 0.5(1 - e^{-lr x}) and lowers it by
    # 0.5(1 - e^{-lr b (1 - buffer) x}); with b (1 - buffer) >= 1 the loss is never smaller.
    size = data.draw(arrays(n, st.floats(0.0, 1.0)))
    half = np.full(n, 0.5)
    gain = sm.trust_after_experience(half, size, np.zeros(n), lr, bias, 0.0, buffer) - 0.5
    loss = 0.5 - sm.trust_after_experience(half, -size, np.zeros(n), lr, bias, 0.0, buffer)
    stronger = bias * (1 - buffer) >= 1
    if stronger:
        assert np.all(loss >= gain - 1e-12)
    else:
        assert np.all(loss <= gain + 1e-12)


@settings(max_examples=100)
@given(st.data(), st.integers(2, 40), st.floats(0.05, 1.0), st.floats(0.0, 0.5))
def test_bounded_confidence_moves_only_within_bound_and_towards_partner(data, n, bound, rate):
    trust = data.draw(arrays(n, UNIT))
    partner = data.draw(hnp.arrays(np.int64, n, elements=st.integers(0, n - 1)))
    talks = data.draw(hnp.arrays(np.bool_, n))
    out = sm.bounded_confidence(trust, trust[partner], talks, bound, rate)
    assert in_unit(out)
    gap = trust[partner] - trust
    movers = talks & (np.abs(gap) < bound)
    np.testing.assert_array_equal(out[~movers], trust[~movers])
    low = np.minimum(trust, trust[partner])
    high = np.maximum(trust, trust[partner])
    assert np.all((out >= low - 1e-12) & (out <= high + 1e-12))
    np.testing.assert_allclose(out[movers], trust[movers] + rate * gap[movers], atol=1e-12)


@settings(max_examples=100)
@given(st.data(), st.integers(2, 40), st.floats(0.05, 1.0), st.floats(0.0, 0.5))
def test_bounded_confidence_mutual_pairs_conserve_their_sum(data, n, bound, rate):
    # Pair households (0,1), (2,3), ... with each other; both talk, so each pair's total is unchanged.
    n -= n % 2
    trust = data.draw(arrays(n, UNIT))
    partner = np.arange(n) ^ 1
    out = sm.bounded_confidence(trust, trust[partner], np.ones(n, dtype=bool), bound, rate)
    np.testing.assert_allclose(out[0::2] + out[1::2], trust[0::2] + trust[1::2], atol=1e-12)
