"""The estate drawn at the start: households, groups, neighbour ties and patches."""

from __future__ import annotations

import numpy as np
import pytest

from model import ScenarioError, TrustModel, load_scenario
from model.households import OVER_65


def estate(seed: int = 1, **overrides):
    """The estate as drawn (no burn-in)."""
    overrides.setdefault("homes", 1000)
    overrides.setdefault("burn_in_weeks", 0)
    return TrustModel(load_scenario("baseline", **overrides), rng=seed).households


@pytest.mark.parametrize(("homes", "share"), [(1000, 0.2), (333, 0.05), (120, 0.45)])
def test_exactly_the_declared_share_is_digitally_excluded(homes, share):
    h = estate(homes=homes, share_digitally_excluded=share)
    assert int((~h.digital).sum()) == round(share * homes)


def test_over_65s_are_more_often_digitally_excluded():
    h = estate(homes=2000)
    older = h.age_band == OVER_65
    assert (~h.digital[older]).mean() > 1.5 * (~h.digital[~older]).mean()


def test_group_shares_follow_the_parameters():
    h = estate(homes=2000, share_underrepresented=0.3, share_support_needs=0.5, share_over_65=0.25)
    assert h.underrepresented.mean() == pytest.approx(0.3, abs=0.04)
    assert h.support_needs.mean() == pytest.approx(0.5, abs=0.04)
    assert (h.age_band == OVER_65).mean() == pytest.approx(0.25, abs=0.04)


def test_underrepresented_start_with_lower_trust_and_over_65s_higher():
    h = estate(homes=2000)
    assert h.trust[h.underrepresented].mean() < h.trust[~h.underrepresented].mean() - 0.05
    older = h.age_band == OVER_65
    majority = ~h.underrepresented
    assert h.trust[older & majority].mean() > h.trust[~older & majority].mean()
    np.testing.assert_array_equal(h.trust, h.disposition)


def test_initial_trust_sets_the_level():
    low = estate(initial_trust=0.3, underrepresented_trust_gap=0.0, over_65_trust_lift=0.0)
    high = estate(initial_trust=0.8, underrepresented_trust_gap=0.0, over_65_trust_lift=0.0)
    assert low.trust.mean() == pytest.approx(0.3, abs=0.05)
    assert high.trust.mean() == pytest.approx(0.8, abs=0.05)


@pytest.mark.parametrize("ties", [2, 4, 6, 12])
def test_neighbour_ties_are_symmetric_and_average_the_parameter(ties):
    h = estate(homes=400, neighbour_ties=ties, tie_rewiring=0.3)
    degree = np.diff(h.indptr)
    assert degree.mean() == pytest.approx(ties)
    assert degree.min() >= ties // 2
    pairs = set(zip(np.repeat(np.arange(h.size), degree).tolist(), h.indices.tolist(), strict=True))
    assert all((j, i) in pairs for i, j in pairs)
    assert all(i != j for i, j in pairs)


def test_no_rewiring_gives_a_ring_of_next_doors():
    h = estate(homes=100, neighbour_ties=4, tie_rewiring=0.0)
    for home in (0, 50, 99):
        neighbours = set(h.indices[h.indptr[home] : h.indptr[home + 1]].tolist())
        assert neighbours == {(home + d) % 100 for d in (-2, -1, 1, 2)}


@pytest.mark.parametrize("ties", [3, 7])
def test_odd_neighbour_ties_are_refused(ties):
    # A ring lattice ties each home to ties / 2 neighbours on each side, so only even values are allowed.
    with pytest.raises(ScenarioError) as error:
        load_scenario("baseline", neighbour_ties=ties)
    assert "'neighbour_ties'" in str(error.value) and str(ties) in str(error.value)


def test_patches_follow_patch_size():
    one = load_scenario("baseline", homes=1000, patch_size=300, neighbourhoods=1, burn_in_weeks=0)
    model = TrustModel(one, rng=1)
    assert [len(o.patch) for o in model.officers] == [300, 300, 300, 100]
    np.testing.assert_array_equal(np.bincount(model.households.officer), [300, 300, 300, 100])
    # By default 1,000 homes are two neighbourhoods of 500 (one per 600 homes, rounded), and patches nest in them.
    nested = TrustModel(load_scenario("baseline", homes=1000, patch_size=300, burn_in_weeks=0), rng=1)
    assert [len(o.patch) for o in nested.officers] == [300, 200, 300, 200]
    assert np.all(model.households.relationship == 0.0)
