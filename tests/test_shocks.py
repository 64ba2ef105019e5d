"""Each shock kind's immediate effect, and shocks that leave the declared parameter space."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model import ScenarioError, TrustModel, load_scenario, params, shocks


def model_after(weeks: int = 10, homes: int = 1000, seed: int = 4, **overrides) -> TrustModel:
    model = TrustModel(load_scenario("baseline", homes=homes, **overrides), rng=seed)
    model.run_for(weeks)
    return model


def shock(kind: str, **options) -> shocks.Shock:
    return shocks.parse({"kind": kind, "week": 0, **options}, "test")


def test_parse_fills_in_default_options():
    parsed = shock("damp_crisis")
    assert parsed.options == {name: option.default for name, option in shocks.KINDS["damp_crisis"].options.items()}
    assert parsed.to_dict() == {"kind": "damp_crisis", "week": 0, **parsed.options}


def test_damp_crisis_adds_damp_homes_and_everyone_hears_the_news():
    model = model_after()
    h = model.households
    damp, trust = h.damp.copy(), h.trust.copy()
    shocks.apply(shock("damp_crisis", extra_share=0.5, publicity=0.5), model)
    assert np.all(h.damp[damp])  # no home stops being at risk
    # Half of the homes not yet at risk become so: 1 - (1 - d) / 2 of all homes.
    assert h.damp.mean() == pytest.approx(1 - (1 - damp.mean()) / 2, abs=0.05)
    factor = math.exp(-model.p["trust_learning_rate"] * 0.5)  # second-hand news: no negativity bias
    np.testing.assert_allclose(h.trust, trust * factor)


def test_damp_crisis_without_publicity_leaves_trust_alone():
    model = model_after()
    trust = model.households.trust.copy()
    shocks.apply(shock("damp_crisis", extra_share=0.1, publicity=0.0), model)
    np.testing.assert_allclose(model.households.trust, trust)


def test_welfare_reform_hits_only_the_affected():
    model = model_after()
    h = model.households
    trust, support = h.trust.copy(), h.support_needs.copy()
    shocks.apply(shock("welfare_reform", affected_share=0.5, hardship_hit=0.2), model)
    hit = h.trust < trust
    assert hit.mean() == pytest.approx(0.5, abs=0.06)
    np.testing.assert_allclose(h.trust[hit], trust[hit] * math.exp(-0.2))
    np.testing.assert_array_equal(h.trust[~hit], trust[~hit])
    assert np.all(h.support_needs[hit])
    assert np.all(h.support_needs[support])


def test_staff_restructure_resizes_patches_and_resets_relationships():
    model = model_after(weeks=20, estate_presence=0.6, patch_size=300)
    assert model.households.relationship.max() > 0
    shocks.apply(shock("staff_restructure", patch_change=0.25), model)
    assert model.p["patch_size"] == 375
    assert [len(o.patch) for o in model.officers] == [375, 125, 375, 125]  # nested in two neighbourhoods of 500
    assert model.households.relationship.max() == 0.0


def test_budget_cut_scales_the_envelope():
    model = model_after(weeks=1)
    shocks.apply(shock("budget_cut", cut=0.25), model)
    assert model.p["envelope_per_home"] == pytest.approx(0.75 * params.get("envelope_per_home").default)


def test_shock_in_a_scenario_fires_at_its_week(write_toml):
    path = write_toml('[[shocks]]\nkind = "budget_cut"\nweek = 3\ncut = 0.3\n')
    model = TrustModel(load_scenario(path, homes=100), rng=1)
    envelope = params.get("envelope_per_home").default
    model.run_for(3)
    assert model.p["envelope_per_home"] == envelope
    model.step()
    assert model.p["envelope_per_home"] == pytest.approx(envelope * 0.7)


def test_staff_restructure_beyond_patch_bounds_is_refused_before_anything_runs():
    # patch 500 * 1.25 = 625 > the declared maximum: once refused only at week 156, mid-run.
    with pytest.raises(ScenarioError) as error:
        load_scenario("baseline", shocks=["staff_restructure"], homes=100, patch_size=500)
    message = str(error.value)
    assert "staff_restructure" in message and "'patch_size'" in message and "625" in message
    assert params.get("patch_size").allowed() in message


def test_staff_restructure_within_bounds_runs_past_the_shock():
    scenario = load_scenario("baseline", shocks=["staff_restructure"], homes=100, patch_size=400)
    model = TrustModel(scenario, rng=1)
    model.run_for(scenario.shocks[0].week + 1)
    assert model.p["patch_size"] == 500


def test_budget_cut_below_the_declared_envelope_is_refused(write_toml):
    # cut = 0.6 is an allowed option, but 620 * 0.4 = 248 is below envelope_per_home's low.
    path = write_toml('[[shocks]]\nkind = "budget_cut"\nweek = 0\ncut = 0.6\n')
    with pytest.raises(ScenarioError) as error:
        load_scenario(path, homes=100)
    message = str(error.value)
    assert str(path) in message and "'envelope_per_home'" in message and "248" in message


def test_stacked_budget_cuts_are_checked_together(write_toml):
    one_cut = '[[shocks]]\nkind = "budget_cut"\nweek = {week}\ncut = 0.3\n'
    path = write_toml(one_cut.format(week=5) + one_cut.format(week=9))  # 620 * 0.7 * 0.7 = 303.8
    with pytest.raises(ScenarioError, match="envelope_per_home"):
        load_scenario(path, homes=100)
    assert load_scenario(path, homes=100, envelope_per_home=1000.0).shocks[1].week == 9


def test_every_run_keeps_parameters_within_their_declarations(write_toml):
    text = '[[shocks]]\nkind = "budget_cut"\nweek = 0\ncut = 0.35\n'
    text += '[[shocks]]\nkind = "staff_restructure"\nweek = 1\npatch_change = 1.0\n'
    model = TrustModel(load_scenario(write_toml(text), homes=100), rng=1)
    model.run_for(3)
    assert model.p["patch_size"] == 600
    assert params.validate(model.p) == model.p


def test_every_shock_option_declares_its_default_bounds_and_meaning():
    for kind in shocks.KINDS.values():
        for option in kind.options.values():
            assert isinstance(option, shocks.Option)
            assert option.low <= option.default <= option.high
            assert option.meaning.endswith(".")


def test_a_shock_acts_through_the_narrow_interface_only():
    class Estate:
        """Just what :class:`model.shocks.ShockTarget` names."""

        def __init__(self) -> None:
            self.households = model_after(weeks=1).households
            self.rng = np.random.default_rng(1)
            self.p = {"envelope_per_home": 800.0}
            self.news: list[float] = []
            self.set: list[dict] = []

        def set_params(self, values, checked=True):
            self.set.append(dict(values))

        def hear_news(self, signal):
            self.news.append(signal)

        def replace_all_officers(self):
            pass

    estate = Estate()
    shocks.apply(shock("damp_crisis", extra_share=0.0, publicity=0.25), estate)
    shocks.apply(shock("budget_cut", cut=0.5), estate)
    assert estate.news == [-0.25]
    assert estate.set == [{"envelope_per_home": 400.0}]
