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
    assert ScaleSettings().homes_per_neighbourhood == 600 and ScaleSettings().strategies[-1] == "tenant_management"
    settings = ScaleSettings(
        sizes=(500, 2000),
        homes_per_neighbourhood=500,
        scalings=(0.0, 1.0),
        strategies=("power_sharing",),
        replications=2,
        weeks=60,
        seed=4,
    )
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
        ({"sizes": (200_000,), "homes_per_neighbourhood": 50}, "makes 4000 neighbourhoods; allowed: at most 400"),
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


# --- pilots: a neighbourhood's own voice levers ------------------------------------------------
PILOT = """
description = "a power-sharing pilot"
[[neighbourhood]]
index = {index}
set = {{ {values} }}
"""


def pilot(write_toml, index="[0, 1]", values="ladder_rung = 6, responsiveness = 0.7, delegated_budget_per_home = 30.0"):
    return write_toml(PILOT.format(index=index, values=values), name="pilot.toml")


def test_a_pilot_moves_its_own_neighbourhoods_and_leaves_the_others_as_they_were(write_toml):
    """Six estates, the same seed: the pilot's two gain efficacy and participation; the other four match baseline."""
    runs = {}
    for name in ("baseline", pilot(write_toml)):
        model = TrustModel(load_scenario(name, homes=3000, neighbourhoods=6), rng=2)
        model.run_for(260)
        runs[str(name)] = model.neighbourhood_summary()
    base, piloted = runs["baseline"], runs[str(pilot(write_toml))]
    gain = piloted["efficacy_mean"] - base["efficacy_mean"]
    assert (gain[:2] > 0.03).all()
    assert (piloted["participation_rate"][:2] > base["participation_rate"][:2]).all()
    assert (gain[2:].abs() < 0.01).all()


def test_a_pilot_pays_its_delegated_budget_from_the_landlords_envelope(write_toml, run_model):
    with_pilot = run_model(
        pilot(write_toml, values="delegated_budget_per_home = 60.0"), weeks=5, homes=600, neighbourhoods=3
    )
    without = run_model("baseline", weeks=5, homes=600, neighbourhoods=3)
    extra = with_pilot.summary()["spend_involvement_per_home"] - without.summary()["spend_involvement_per_home"]
    assert extra == pytest.approx(60.0 * 2 / 3)


def test_a_neighbourhood_below_consultation_has_no_seats(write_toml, run_model):
    model = run_model(pilot(write_toml, index="2", values="ladder_rung = 2"), weeks=30, homes=900, neighbourhoods=3)
    seats = Seats(*model.landlord.seats_by_neighbourhood())
    assert seats.per_neighbourhood[2] == 0 and seats.per_neighbourhood[:2].sum() == model.landlord.seats() > 0
    assert not model.households.active[seats.starts[2] :].any()


def test_a_pilot_setting_the_landlords_own_values_changes_nothing(write_toml, run_model):
    same = pilot(write_toml, values="ladder_rung = 4, responsiveness = 0.3")
    assert (
        run_model(same, weeks=80, homes=600, neighbourhoods=3).summary()
        == run_model("baseline", weeks=80, homes=600, neighbourhoods=3).summary()
    )


@pytest.mark.parametrize(
    ("index", "values", "message"),
    [
        ("[0, 3]", "ladder_rung = 6", r"key 'index' holds 3; allowed: whole numbers from 0 to 2"),
        ("[]", "ladder_rung = 6", r"key 'index' = \[\]; allowed: a neighbourhood number or a list"),
        ("0", "openness = 0.9", r"key 'set' names 'openness'; allowed: ladder_rung, responsiveness"),
        ("0", "ladder_rung = 9", r"ladder_rung"),
    ],
)
def test_a_bad_pilot_is_refused_naming_the_entry_key_and_value(write_toml, index, values, message):
    path = pilot(write_toml, index=index, values=values)
    with pytest.raises(ScenarioError, match=message) as error:
        load_scenario(path, homes=900, neighbourhoods=3)
    assert "neighbourhood entry 1" in str(error.value)


def test_a_pilot_needs_the_neighbourhoods_it_names(write_toml):
    with pytest.raises(ScenarioError, match=r"the scenario has 1 neighbourhood; set neighbourhoods"):
        load_scenario(pilot(write_toml), homes=500)  # one neighbourhood per 600 homes, rounded: one


# --- behaviour over time ------------------------------------------------------------------------
def test_a_landlord_of_several_neighbourhoods_settles_with_no_drift():
    model = TrustModel(load_scenario("baseline", homes=3000, neighbourhoods=6), rng=5)
    model.run_for(1040)
    weekly = model.weekly()
    assert abs(weekly["trust_mean"].iloc[1039] - weekly["trust_mean"].iloc[104]) < 0.005
    assert abs(weekly["participation_rate"].iloc[1039] - weekly["participation_rate"].iloc[104]) < 0.01
    assert abs(weekly["efficacy_mean"].iloc[1039] - weekly["efficacy_mean"].iloc[104]) < 0.005


def test_power_sharing_gains_less_where_the_centre_is_congested():
    """48 neighbourhoods; a board of 12 agendas against one of 200; the gain is power-sharing's over baseline."""
    gains = {}
    for capacity in (12.0, 200.0):
        efficacy = {}
        for name in ("baseline", "power_sharing"):
            scenario = load_scenario(
                name, homes=4800, neighbourhoods=48, central_capacity=capacity, central_capacity_scaling=0.0
            )
            model = TrustModel(scenario, rng=7)
            model.run_for(260)
            efficacy[name] = model.summary()["efficacy_mean"]
        gains[capacity] = efficacy["power_sharing"] - efficacy["baseline"]
    assert gains[200.0] > 0.03
    assert gains[12.0] < gains[200.0] - 0.005


def test_the_report_says_where_in_the_organisation_a_pilot_acts(write_toml):
    from experiments.compare import compare
    from experiments.report import neighbourhood_findings

    scenarios = [load_scenario(name, homes=1200, neighbourhoods=4) for name in ("baseline", pilot(write_toml))]
    result = compare(scenarios, replications=2, weeks=104, seed=3, progress=False)
    assert set(result.neighbourhoods["neighbourhood"]) == {0, 1, 2, 3}
    [line] = neighbourhood_findings(scenarios, result.neighbourhoods)
    assert line.startswith("**pilot** against baseline, in its pilot neighbourhoods (0, 1): trust")
    assert "; in the others: trust" in line
    one = [load_scenario(name, homes=600) for name in ("baseline", "power_sharing")]
    assert neighbourhood_findings(one, compare(one, 2, 30, 3, progress=False).neighbourhoods) == []
