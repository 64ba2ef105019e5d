"""The compiled passes added for speed give the same results, to the bit, as the code they stand in for."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model import TrustModel, kernels, load_scenario, submodels
from model.model import satisfied_probability
from model.submodels import YEAR

#: Sizes around NumPy's pairwise blocks (8 and 128) and halvings, and estates' sizes.
SIZES = [*range(1, 40), 127, 128, 129, 255, 256, 257, 1000, 1001, 6000, 8192, 8193, 50_003]


@pytest.mark.parametrize("size", SIZES)
def test_mean_is_numpys_mean_to_the_bit(size):
    rng = np.random.default_rng(size)
    for scale in (1.0, 1e-6, 1e6):
        values = scale * rng.random(size) - rng.normal(size=size)
        assert kernels.mean(values) == values.mean()
        assert kernels.pairwise_sum(values, 0, size) == values.sum()


def test_pairwise_sum_of_a_slice_is_numpys_sum_of_it():
    values = np.random.default_rng(3).normal(size=3000)
    assert kernels.pairwise_sum(values, 17, 2000) == values[17:2017].sum()


def reference_measure(model: TrustModel) -> dict[str, float]:
    """The weekly series' means, counts and ratios as NumPy expressions over the households."""
    h = model.households
    taking_part = h.took_part_within(model.week, YEAR)
    under = h.underrepresented
    among = np.count_nonzero(taking_part & under) / np.count_nonzero(taking_part)
    return {
        "trust_mean": float(h.trust.mean()),
        "efficacy_mean": float(h.efficacy.mean()),
        "participation_rate": np.count_nonzero(taking_part) / h.size,
        "active_share": np.count_nonzero(h.active) / h.size,
        "representation_ratio": float(among / (np.count_nonzero(under) / h.size)),
        "satisfaction_true": float(100.0 * satisfied_probability(model._overall_latent()).mean()),
        "repair_backlog_per_1000": 1000.0 * np.count_nonzero(h.need) / h.size,
    }


@pytest.mark.parametrize("name", ["baseline", "power_sharing", "digital_only"])
def test_measure_matches_the_numpy_expressions_exactly(name):
    model = TrustModel(load_scenario(name, homes=700), rng=5)
    for _ in range(3):
        model.run_for(30)
        measured = model.measure()
        for key, value in reference_measure(model).items():
            assert measured[key] == value or (math.isnan(value) and math.isnan(measured[key])), key


def test_measure_counts_seats_and_recent_participation():
    model = TrustModel(load_scenario("baseline", homes=300), rng=2)
    h = model.households
    h.active[:] = False
    h.last_took_part[:] = model.week - YEAR  # just outside the year
    h.active[:3] = True
    h.last_took_part[10:15] = model.week - YEAR + 1  # just inside
    h.need[:] = False
    h.need[:7] = True
    wait_sum, wait_count = np.array([3.0, 0.0, 9.5]), np.array([2.0, 0.0, 4.0])
    counts, arguments = kernels.measures(
        model.week, kernels.gather(kernels.Measured, h), model._perception_weights, 0.2, wait_sum, wait_count
    )
    assert (counts.waited, counts.completed) == (12.5, 6.0)
    assert np.array_equal(arguments, (model._overall_latent() - 0.5) / 0.2)
    assert counts.participants == 8
    assert counts.active == 3
    assert counts.underrepresented_participants == np.count_nonzero(h.underrepresented[[0, 1, 2, 10, 11, 12, 13, 14]])
    assert counts.open_needs == 7


# --- participation in a symmetric network ------------------------------------------------
def estate(homes: int, seed: int) -> TrustModel:
    """A small estate a year into its run (so households have taken part)."""
    model = TrustModel(load_scenario("power_sharing", homes=homes), rng=seed)
    model.run_for(52)
    return model


def test_the_estate_network_is_symmetric_and_a_one_way_tie_is_not():
    h = estate(200, 1).households
    assert kernels.is_symmetric(h.indptr, h.indices)
    one_way = kernels.Ties(indptr=np.array([0, 1, 1, 2]), indices=np.array([1, 0]))  # 0 -> 1, 2 -> 0
    assert not kernels.is_symmetric(*one_way)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_neighbour_share_from_flagged_is_neighbour_share_to_the_bit(seed):
    h = estate(400, seed).households
    rng = np.random.default_rng(seed)
    for share in (0.0, 0.05, 0.5, 1.0):
        flag = rng.random(h.size) < share
        expected = submodels.neighbour_share(flag, h.indptr, h.indices)
        assert np.array_equal(kernels.neighbour_share_from_flagged(flag, h.indptr, h.indices), expected)


@pytest.mark.parametrize("week", [52, 65, 66])  # 65 starts a quarter: seats are refilled
def test_participation_in_symmetric_network_is_participation(week):
    model = estate(500, 4)
    h = model.households
    visited = np.random.default_rng(week).random(h.size) < 0.1
    results = []
    for kernel in (kernels.participation, kernels.participation_in_symmetric_network):
        took_part = tuple(array.copy() for array in model._took_part())
        kernels.seed(11)
        kernel(
            week,
            model.landlord.seats_by_neighbourhood(),
            visited,
            model._readiness(),
            took_part,
            model._ties(),
            model._channel_open,
            kernels.plain(model._participation_rates),
        )
        results.append(took_part)
    for plain, symmetric in zip(*results, strict=True):
        assert np.array_equal(plain, symmetric)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stories_heard_counts_as_numpys_bincount(seed):
    h = estate(300, seed).households
    rng = np.random.default_rng(seed)
    has_story = rng.random(h.size) < 0.2
    tellers, listeners = kernels.ties_of(has_story | (rng.random(h.size) < 0.1), h.indptr, h.indices)
    draws = rng.random(tellers.size)
    for reach in (0.0, 0.3, 1.0):
        passed = has_story[tellers] & (draws < reach)
        expected = np.bincount(listeners[passed], minlength=h.size).astype(np.float64)
        heard = submodels.stories_heard(tellers, listeners, has_story, reach, draws, h.size)
        assert np.array_equal(heard, expected)
        assert heard.dtype == expected.dtype


@pytest.mark.parametrize("name", ["baseline", "power_sharing", "tokenistic_consultation"])
def test_share_power_kernel_is_voice_pushes_then_hear_voice(name):
    model = TrustModel(load_scenario(name, homes=400), rng=6)
    landlord, h = model.landlord, model.households
    for _ in range(3):
        model.run_for(20)
        heard, participants, others = landlord.voice_pushes()
        expected_influence = landlord.influence
        rates = landlord.levers().voice_rates._replace(
            participants_up=participants[0],
            participants_down=participants[1],
            others_up=others[0],
            others_down=others[1],
        )
        expected = tuple(array.copy() for array in kernels.gather(kernels.Voice, h))
        kernels.hear_voice(heard, expected, kernels.plain(rates))
        landlord.influence = math.nan
        landlord.share_power()
        assert landlord.influence == expected_influence
        for array, reference in zip(kernels.gather(kernels.Voice, h), expected, strict=True):
            assert np.array_equal(array, reference)


def test_heard_a_story_lists_the_households_with_a_count_above_zero():
    rng = np.random.default_rng(8)
    for share in (0.0, 0.1, 1.0):
        bad = (rng.random(500) < share) * rng.integers(1, 4, 500).astype(np.float64)
        good = (rng.random(500) < share) * rng.integers(1, 4, 500).astype(np.float64)
        assert np.array_equal(kernels.heard_a_story(bad, good), np.flatnonzero((bad > 0.0) | (good > 0.0)))
