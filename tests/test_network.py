"""The neighbour network: a Watts-Strogatz small world drawn with NumPy only."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from model.households import estate_network


def network(homes: int, ties: int, rewiring: float, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    return estate_network(homes, ties, rewiring, np.random.default_rng(seed))


def adjacency(indptr: np.ndarray, indices: np.ndarray) -> sparse.csr_array:
    homes = indptr.size - 1
    return sparse.csr_array((np.ones(indices.size), indices, indptr), shape=(homes, homes))


def clustering(indptr: np.ndarray, indices: np.ndarray) -> float:
    """Average local clustering coefficient (Watts & Strogatz 1998)."""
    a = adjacency(indptr, indices)
    triangles = (a @ a).multiply(a).sum(axis=1) / 2
    degree = np.diff(indptr)
    pairs = degree * (degree - 1) / 2
    return float(np.mean(np.divide(triangles, pairs, out=np.zeros(degree.size), where=pairs > 0)))


def assert_simple_small_world(indptr: np.ndarray, indices: np.ndarray, homes: int, ties: int) -> None:
    assert indptr.dtype == np.int64 and indices.dtype == np.int64
    assert indptr.size == homes + 1 and indptr[0] == 0 and indptr[-1] == indices.size
    degree = np.diff(indptr)
    assert degree.sum() == homes * ties
    assert degree.min() >= ties // 2
    sources = np.repeat(np.arange(homes), degree)
    assert np.all(sources != indices), "self-loop"
    within_row = np.diff(indices)[np.diff(sources) == 0]
    assert np.all(within_row > 0), "indices unsorted or a tie twice"
    a = adjacency(indptr, indices)
    assert (a != a.T).nnz == 0, "not symmetric"


@pytest.mark.parametrize(
    ("homes", "ties", "rewiring"),
    [(1000, 6, 0.1), (1000, 6, 0.5), (400, 20, 0.3), (50, 20, 0.5), (50, 2, 1.0), (200, 12, 1.0)],
)
def test_ties_are_symmetric_simple_and_add_up(homes, ties, rewiring):
    for seed in range(5):
        assert_simple_small_world(*network(homes, ties, rewiring, seed), homes, ties)


@settings(max_examples=200)
@given(homes=st.integers(3, 30), half=st.integers(0, 14), rewiring=st.floats(0.0, 1.0), seed=st.integers(0, 2**32))
def test_tiny_and_crowded_estates_are_still_simple(homes, half, rewiring, seed):
    # Nearly complete graphs, where a tie often has nowhere left to go.
    ties = min(2 * half, homes - 1 - (homes - 1) % 2)
    assert_simple_small_world(*network(homes, ties, rewiring, seed), homes, ties)


@pytest.mark.parametrize(("homes", "ties"), [(100, 4), (57, 6), (21, 20)])
def test_no_rewiring_gives_exactly_the_ring_lattice(homes, ties):
    indptr, indices = network(homes, ties, 0.0)
    for home in range(homes):
        expected = sorted({(home + d) % homes for d in range(-(ties // 2), ties // 2 + 1) if d})
        assert indices[indptr[home] : indptr[home + 1]].tolist() == expected


def test_full_rewiring_destroys_the_lattice_clustering():
    lattice = clustering(*network(1000, 6, 0.0))
    assert lattice == pytest.approx(0.6)  # 3(k - 2) / 4(k - 1) for k = 6
    assert clustering(*network(1000, 6, 1.0)) < 0.05 * lattice


def test_the_rewired_share_of_ties_follows_the_parameter():
    homes, ties = 2000, 6
    indptr, indices = network(homes, ties, 0.2)
    sources = np.repeat(np.arange(homes), np.diff(indptr))
    gap = np.abs(sources - indices)
    on_street = np.minimum(gap, homes - gap) <= ties // 2
    # A moved tie rarely lands back on the street (about ties / homes of them).
    assert 1.0 - on_street.mean() == pytest.approx(0.2, abs=0.02)


def test_a_complete_lattice_stays_complete():
    # Every home is already tied to every other: networkx keeps the street ties.
    indptr, indices = network(5, 4, 1.0)
    assert np.diff(indptr).tolist() == [4] * 5
    assert indices.tolist() == [j for i in range(5) for j in range(5) if j != i]


def test_the_same_seed_gives_the_same_network():
    first = network(1000, 6, 0.3, seed=7)
    second = network(1000, 6, 0.3, seed=7)
    other = network(1000, 6, 0.3, seed=8)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[1], other[1])


def test_only_the_given_generator_is_drawn_from():
    np.random.seed(0)
    legacy = np.random.get_state()[1].copy()
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    network_a = estate_network(500, 6, 0.4, a)
    network_b = estate_network(500, 6, 0.4, b)
    np.testing.assert_array_equal(network_a[1], network_b[1])
    assert a.random() == b.random()
    np.testing.assert_array_equal(np.random.get_state()[1], legacy)


@pytest.mark.parametrize(("homes", "ties"), [(100, 3), (100, -2), (10, 10), (10, 12)])
def test_impossible_ties_are_refused(homes, ties):
    with pytest.raises(ValueError, match="ties"):
        network(homes, ties, 0.1)
