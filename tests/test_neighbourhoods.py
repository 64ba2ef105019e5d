"""An organisation of neighbourhoods: blocks, networks, patches, seats, the central layer and the scale study."""

from __future__ import annotations

import numpy as np
import pytest

from experiments import cli
from experiments.scale import ScaleError, ScaleSettings, scale_study
from model import TrustModel, load_scenario
from model.households import estate_network, neighbourhood_blocks, neighbourhood_networks, patch_officers
from model.kernels import Seats
from model.scenario import ScenarioError


# --- structure ----------------------------------------------------------------------------
def test_homes_split_into_contiguous_blocks_differing_by_at_most_one():
    assert neighbourhood_blocks(10, 3).tolist() == [0, 4, 7, 10]
    assert neighbourhood_blocks(6000, 1).tolist() == [0, 6000]
    assert np.ptp(np.diff(neighbourhood_blocks(6001, 12))) == 1


@pytest.mark.parametrize("count", [0, 11])
def test_impossible_block_counts_are_refused(count):
    with pytest.raises(ValueError, match="allowed 1 to homes = 10"):
        neighbourhood_blocks(10, count)


def test_no_tie_crosses_from_one_neighbourhood_to_another():
    starts = neighbourhood_blocks(900, 6)
    indptr, indices = neighbourhood_networks(starts, 6, 0.3, np.random.default_rng(2))
    block = np.repeat(np.arange(6), np.diff(starts))
    sources = np.repeat(np.arange(900), np.diff(indptr))
    assert np.array_equal(block[sources], block[indices])
    assert indptr[-1] == 900 * 6  # every home keeps its share of ties


def test_one_neighbourhood_is_the_single_estate_network():
    one = neighbourhood_networks(neighbourhood_blocks(300, 1), 4, 0.2, np.random.default_rng(5))
    whole = estate_network(300, 4, 0.2, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(one, whole, strict=True))


def test_patches_nest_inside_neighbourhoods():
    officer = patch_officers(neighbourhood_blocks(10, 2), 3)
    assert officer.tolist() == [0, 0, 0, 1, 1, 2, 2, 2, 3, 3]
    assert np.array_equal(patch_officers(neighbourhood_blocks(1000, 1), 300), np.arange(1000) // 300)


# --- seats --------------------------------------------------------------------------------
def test_a_built_estate_seats_no_more_than_each_neighbourhood_has(run_model):
    model = run_model("power_sharing", weeks=30, homes=1200, neighbourhoods=4)
    seats = Seats(*model.landlord.seats_by_neighbourhood())
    assert seats.per_neighbourhood.sum() == model.landlord.seats()
    for k in range(4):
        assert model.households.active[seats.starts[k] : seats.starts[k + 1]].sum() <= seats.per_neighbourhood[k]


# --- the central layer in a run ------------------------------------------------------------
def test_a_congested_centre_is_reported_and_a_bigger_one_never_hurts():
    """48 neighbourhoods of 100 homes, a fixed board of 12 agendas, then one of 200: the same estates."""
    runs = {}
    for capacity in (12.0, 200.0):
        scenario = load_scenario(
            "power_sharing", homes=4800, neighbourhoods=48, central_capacity=capacity, central_capacity_scaling=0.0
        )
        runs[capacity] = TrustModel(scenario, rng=3)
        runs[capacity].run_for(156)
    congested, free = runs[12.0].summary(), runs[200.0].summary()
    assert congested["central_pass_through"] == pytest.approx(12 / 48)
    assert free["central_pass_through"] == 1.0
    assert free["efficacy_mean"] > congested["efficacy_mean"] + 0.01


def test_too_many_neighbourhoods_for_the_street_ties_are_refused():
    with pytest.raises(ScenarioError, match=r"key 'neighbourhoods' = 50 .* allowed: at most 14 neighbourhoods"):
        load_scenario("baseline", homes=100, neighbourhoods=50)


def test_neighbourhood_outcomes_add_up_to_the_landlords(run_model):
    model = run_model("hybrid", weeks=60, homes=1500, neighbourhoods=3)
    table = model.neighbourhood_summary()
    assert table["homes"].tolist() == [500, 500, 500]
    assert table["trust_mean"].mean() == pytest.approx(model.summary()["trust_mean"])
    assert table["seats"].sum() == model.landlord.seats()


# --- the scale study ------------------------------------------------------------------------
def test_the_scale_study_pairs_each_size_and_scaling_with_its_baseline():
    settings = ScaleSettings(sizes=(500, 2000), scalings=(0.0, 1.0), replications=2, weeks=60, seed=4)
    table = scale_study(settings, progress=False)
    assert sorted(set(zip(table["homes"], table["central_capacity_scaling"], strict=True))) == [
        (500, 0.0),
        (500, 1.0),
        (2000, 0.0),
        (2000, 1.0),
    ]
    assert set(table["neighbourhoods"]) == {1, 4}
    assert set(table["strategy"]) == {"power_sharing"}
    trust = table[table["outcome"] == "trust_mean"]
    assert (trust["diff_ci_low"] <= trust["diff_vs_baseline"]).all()
    assert (trust["diff_vs_baseline"] <= trust["diff_ci_high"]).all()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"replications": 1}, "--replications 1"),
        ({"strategies": ("baseline",)}, "includes baseline"),
        ({"sizes": (100,), "homes_per_neighbourhood": 500}, "under half of --homes-per-neighbourhood"),
    ],
)
def test_bad_scale_settings_are_refused(settings, message):
    with pytest.raises(ScaleError, match=message):
        ScaleSettings(**settings)


def test_a_bad_size_on_the_command_line_is_refused(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["scale", "--sizes", "1000,x"])
    assert exit_.value.code == 2
    assert "comma-separated whole numbers of homes" in capsys.readouterr().err
