"""Invariants of whole runs for random parameter values drawn from the declarations.

Values are generated from ``model.params.PARAMETERS`` so that a new parameter
is covered without touching this file. Estates are small (60-300 homes) and
runs short, so each example takes a fraction of a second.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from model import PARAMETERS, ScenarioError, TrustModel, load_scenario, shocks
from model.agents import HousingOfficer, Landlord, Tenant
from model.params import FIXED_AT_START
from model.scenario import Change

SMALL_HOMES = st.integers(60, 300)


def value_strategy(parameter) -> st.SearchStrategy:
    if parameter.name == "homes":
        return SMALL_HOMES
    if parameter.kind == "int":
        step = int(getattr(parameter, "step", 1))
        low, high = -(-int(parameter.low) // step), int(parameter.high) // step
        return st.integers(low, high).map(lambda k: k * step)
    return st.floats(parameter.low, parameter.high, allow_nan=False, allow_infinity=False)


PARAMETER_VALUES = st.fixed_dictionaries({p.name: value_strategy(p) for p in PARAMETERS})
CHANGEABLE = [p for p in PARAMETERS if p.name not in FIXED_AT_START]


@st.composite
def shock_entries(draw, weeks: int) -> dict[str, float | int | str]:
    kind = draw(st.sampled_from(sorted(shocks.KINDS)))
    entry: dict[str, float | int | str] = {"kind": kind, "week": draw(st.integers(0, weeks - 1))}
    for option, declared in shocks.KINDS[kind].options.items():
        low, high = declared.low, declared.high
        entry[option] = draw(st.floats(low, high, allow_nan=False))
    return entry


def toml_table(values: dict) -> str:
    return "\n".join(f"{key} = {value!r}" for key, value in values.items()) + "\n"


def timeline_file(folder: Path, week: int, changes: dict, shock_list: list[dict]) -> Path:
    """A scenario file holding the drawn schedule entry and shocks (checked when loaded)."""
    text = ""
    if changes:
        text += f"[[schedule]]\nweek = {week}\n[schedule.set]\n" + toml_table(changes)
    for entry in shock_list:
        text += "[[shocks]]\n" + toml_table(entry)
    path = folder / "timeline.toml"
    path.write_text(text, encoding="utf-8")
    return path


@st.composite
def runs(draw, with_timeline: bool):
    values = draw(PARAMETER_VALUES)
    # every neighbourhood needs more homes than a household has street ties (scenario.py refuses fewer)
    most = values["homes"] // (values["neighbour_ties"] + 1)
    values["neighbourhoods"] = 1 + (values["neighbourhoods"] - 1) % most
    weeks = draw(st.integers(27, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    if not with_timeline:
        return load_scenario("baseline", **values), weeks, seed
    changed = draw(st.lists(st.sampled_from(CHANGEABLE), unique_by=lambda p: p.name, max_size=4))
    changes = {p.name: draw(value_strategy(p)) for p in changed}
    week = draw(st.integers(0, weeks - 1))
    shock_list = draw(st.lists(shock_entries(weeks), max_size=3))
    with tempfile.TemporaryDirectory() as folder:
        try:
            scenario = load_scenario(timeline_file(Path(folder), week, changes, shock_list), **values)
        except ScenarioError:
            # A timeline that would leave a declared range (e.g. a deep budget cut of a small
            # envelope) is refused when loaded; that refusal is tested in test_shocks.py.
            assume(False)
    return scenario, weeks, seed


def check_state(model: TrustModel) -> None:
    h = model.households
    for name in ("trust", "efficacy", "disposition", "relationship", "outcome_score", "treatment_score"):
        values = getattr(h, name)
        assert np.all(np.isfinite(values)), f"{name} has NaN/inf at week {model.week}"
        assert np.all((values >= 0.0) & (values <= 1.0)), f"{name} leaves [0, 1] at week {model.week}"
    assert np.all((h.informed_score >= 0.0) & (h.informed_score <= 1.0))
    assert 0.0 <= model.metrics["trust_mean"] <= 1.0
    assert 0.0 <= model.metrics["efficacy_mean"] <= 1.0


def check_counts(model: TrustModel, homes: int) -> None:
    h = model.households
    assert h.size == homes
    tenants = model.agents_by_type[Tenant]
    assert len(tenants) == homes
    assert sorted(t.slot for t in tenants) == list(range(homes))
    assert len(model.agents_by_type[Landlord]) == 1
    # Every home belongs to exactly one officer's patch, and the arrays agree.
    assert len(model.agents_by_type[HousingOfficer]) == len(model.officers)
    owner = np.full(homes, -1)
    for index, officer in enumerate(model.officers):
        patch = np.arange(officer.patch.start, officer.patch.stop)
        assert np.all(owner[patch] == -1), "a home is in two patches"
        owner[patch] = index
    assert np.all(owner >= 0), "a home is in no patch"
    np.testing.assert_array_equal(h.officer, owner)


@given(runs(with_timeline=False))
def test_state_stays_in_unit_interval_and_counts_conserve(run):
    scenario, weeks, seed = run
    homes = scenario.params["homes"]
    model = TrustModel(scenario, rng=seed)
    check_state(model)
    check_counts(model, homes)
    for _ in range(weeks):
        model.step()
        check_state(model)
        # Seats on the panel never exceed what the landlord offers.
        assert int(model.households.active.sum()) <= model.landlord.seats()
    check_counts(model, homes)
    weekly = model.weekly()
    assert len(weekly) == weeks + 1
    assert list(weekly.index) == list(range(weeks + 1))
    assert weekly["trust_mean"].between(0, 1).all()
    assert model.summary()["weeks"] == weeks


@given(runs(with_timeline=True))
def test_invariants_hold_through_schedule_changes_and_shocks(run):
    scenario, weeks, seed = run
    homes = scenario.params["homes"]
    model = TrustModel(scenario, rng=seed)
    for _ in range(weeks):
        model.step()
        check_state(model)
        if model.week % 13 == 1:  # just after the quarterly refill of seats
            assert int(model.households.active.sum()) <= model.landlord.seats()
    check_counts(model, homes)
    assert len(model.weekly()) == weeks + 1


def test_active_seats_never_exceed_offer_after_mid_quarter_cut():
    scenario = load_scenario("baseline", homes=1000)
    assert TrustModel(scenario, rng=1).landlord.seats() == 2
    scenario = dataclasses.replace(scenario, schedule=(Change(2, {"ladder_rung": 3}),))
    model = TrustModel(scenario, rng=1)
    for _ in range(13):
        model.step()
        assert int(model.households.active.sum()) <= model.landlord.seats(), f"week {model.week}"
