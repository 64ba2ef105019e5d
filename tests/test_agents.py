"""The agents' public faces (tenants, officers, landlord) and mid-run parameter changes."""

from __future__ import annotations

import numpy as np
import pytest

from model import ParameterError, TrustModel, load_scenario
from model import submodels as sm
from model.agents import Tenant


def test_tenant_reads_its_own_slot(run_model):
    model = run_model(weeks=5)
    h = model.households
    for tenant in list(model.agents_by_type[Tenant])[:10]:
        assert tenant.trust == h.trust[tenant.slot]
        assert tenant.efficacy == h.efficacy[tenant.slot]
        assert tenant.digital == bool(h.digital[tenant.slot])
        assert tenant.slot in tenant.officer.patch
        assert tenant.neighbours == h.indices[h.indptr[tenant.slot] : h.indptr[tenant.slot + 1]].tolist()
        assert tenant.engagement in ("none", "occasional", "active")


def test_tenant_trust_setter_writes_the_array_and_refuses_values_outside_unit_interval(run_model):
    model = run_model(weeks=0)
    tenant = next(iter(model.agents_by_type[Tenant]))
    tenant.trust = 0.25
    assert model.households.trust[tenant.slot] == 0.25
    with pytest.raises(ValueError):
        tenant.trust = 1.5
    assert model.households.trust[tenant.slot] == 0.25


def test_officer_quality_and_visits_follow_the_submodels(run_model):
    model = run_model(weeks=0, homes=500, patch_size=400, workload_reference=200, culture_programme=0.5)
    p = model.p
    big, small = model.officers
    assert len(big.patch) == 400 and len(small.patch) == 100
    # Quality follows the culture the programme has embedded so far (none yet at week 0), not the lever itself.
    culture = model.culture
    assert big.quality == pytest.approx(
        sm.officer_quality(p["treatment_quality"], culture, p["culture_effect"], 400, 200)
    )
    # The short patch has a part-time officer: the same caseload, so the same quality and visits per home.
    assert small.caseload == big.caseload == 400
    assert small.quality == big.quality
    assert (
        small.visit_probability
        == big.visit_probability
        == pytest.approx(sm.visit_probability(p["officer_visits_per_week"], p["estate_presence"], 400))
    )


@pytest.mark.parametrize(("rung", "homes", "per_1000", "seats"), [(3, 1000, 2, 0), (4, 1000, 2, 2), (7, 2000, 4, 8)])
def test_landlord_seats(run_model, rung, homes, per_1000, seats):
    model = run_model(weeks=0, homes=homes, ladder_rung=rung, panel_seats_per_1000=per_1000)
    assert model.landlord.seats() == seats


def test_landlord_budget_follows_the_submodels(run_model):
    model = run_model(weeks=0, digital_first=0.4)
    p, landlord = model.p, model.landlord
    assert landlord.phone_open == pytest.approx(0.6)
    engagement = sm.engagement_cost_per_home(
        p["officer_cost"], p["patch_size"], p["involvement_spend_per_home"], p["delegated_budget_per_home"]
    )
    assert landlord.engagement_cost_per_home == pytest.approx(engagement)
    expected = sm.repair_capacity(
        envelope=p["envelope_per_home"],
        engagement_cost=engagement,
        phone_office_cost=p["phone_office_cost_per_home"],
        phone_open=0.6,
        unit_cost=p["repair_unit_cost"],
    )
    assert landlord.repairs_per_home_week == pytest.approx(expected)
    jobs = {landlord.jobs_this_week() for _ in range(200)}
    whole = int(expected * model.households.size)
    assert jobs == {whole, whole + 1}


def test_set_params_validates_and_protects_the_estate(run_model):
    model = run_model(weeks=2)
    with pytest.raises(ParameterError):
        model.set_params({"estate_presence": 5.0})
    with pytest.raises(ParameterError):
        model.set_params({"no_such_thing": 1})
    with pytest.raises(ValueError, match="homes"):
        model.set_params({"homes": 200})
    assert model.p["homes"] == 100


def test_set_params_patch_size_replaces_officers_and_resets_relationships(run_model):
    model = run_model(weeks=10, homes=500, estate_presence=0.9)
    assert model.households.relationship.max() > 0
    old = list(model.officers)
    model.set_params({"patch_size": 100})
    assert len(model.officers) == 5
    assert not set(old) & set(model.officers)
    np.testing.assert_array_equal(model.households.officer, np.arange(500) // 100)
    assert model.households.relationship.max() == 0.0


def test_model_without_arguments_is_the_baseline():
    model = TrustModel(rng=1)
    assert model.scenario_spec.name == "baseline"
    assert model.p == load_scenario("baseline").params
