"""The dashboard's neighbourhoods: the control, one row per estate, a pilot on chosen estates, the community measures.

No browser: the pages are rendered in-process (the browser test of the same
cards is in ``tests/test_dashboard.py``).
"""

from __future__ import annotations

import csv
import io
import re

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara

from dashboard import components, controls, estate, measures, room
from dashboard.room import Room
from dashboard.session import Pilot, Settings, Workshop
from model import load_scenario, params
from model.scenario import NEIGHBOURHOOD_LEVERS, ScenarioError

FOUR = Settings().with_value(0, "homes", 1200).with_value(0, "neighbourhoods", 4)


def _widgets(widget):
    yield widget
    for child in getattr(widget, "children", None) or []:
        if not isinstance(child, str):
            yield from _widgets(child)


def _page_text(rc) -> str:
    """Every text and HTML snippet of a rendered page, the live cards' own render included."""
    parts = []
    for widget in _widgets(rc.container):
        parts += [c for c in getattr(widget, "children", None) or [] if isinstance(c, str)]
        parts.append(getattr(widget, "unsafe_innerHTML", "") or "")
    return " ".join(parts)


def _table_rows(markup: str) -> list[list[str]]:
    """The cells of each row of an HTML table's rows (header cells included)."""
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr>(.*?)</tr>", markup)]


def _slider(rc, name: str):
    declared = params.get(name)
    return rc.find(v.Slider, min=declared.low, max=declared.high).widget


@pytest.fixture
def page(monkeypatch):
    """The participant's page in a room of its own; yields the render context and the room."""
    here = Room("ABC234")
    monkeypatch.setattr(components, "ROOM", here)
    _, rc = solara.render(components.ParticipantPage(), handle_error=False)
    yield rc, here
    rc.close()


def _live(here: Room) -> Workshop:
    (record,) = here.everyone()
    return record.live


# --- the control -------------------------------------------------------------------------------------------------
def test_the_neighbourhood_control_has_the_declared_bounds_and_changes_the_estate_count_the_model_has(page):
    rc, here = page
    slider = _slider(rc, "neighbourhoods")
    declared = params.get("neighbourhoods")
    assert (slider.min, slider.max) == (declared.low, declared.high)
    assert _live(here).runs[0].households.neighbourhood_starts.size - 1 == params.neighbourhood_count(params.defaults())
    slider.v_model = 5
    assert "Changed: press Reset to build the estate with it." in _page_text(rc)
    rc.find(v.Btn, children=["Reset"]).widget.click()
    model = _live(here)
    assert model.runs[0].households.neighbourhood_starts.size - 1 == 5
    assert len(model.runs[0].neighbourhood_summary()) == 5


def test_too_many_neighbourhoods_for_the_homes_are_refused_with_the_models_message_not_clamped(page):
    rc, here = page
    rc.find(v.Btn, children=["Show more settings"]).widget.click()
    _slider(rc, "homes").v_model = 100
    _slider(rc, "neighbourhoods").v_model = 50
    with pytest.raises(ScenarioError) as refused:
        load_scenario("baseline", homes=100, neighbourhoods=50)
    assert str(refused.value) in _page_text(rc) and "at most 14 neighbourhoods" in str(refused.value)
    kept = here.everyone()[0].saved.settings.values(0)["neighbourhoods"]
    assert kept == params.get("neighbourhoods").default  # not applied, and not clamped to 14
    with pytest.raises(ScenarioError, match="at most 14 neighbourhoods for 100 homes"):
        Settings().with_value(0, "homes", 100).with_value(0, "neighbourhoods", 50)


def test_the_room_starts_participants_on_the_neighbourhoods_the_facilitator_set():
    here = Room("ABC234")
    here.set_start("frontline_presence", 3, 6)
    model = Workshop(here.start_settings(), seed=here.start_seed)
    assert model.runs[0].households.neighbourhood_starts.size - 1 == 6
    assert model.runs[0].p["estate_presence"] == load_scenario("frontline_presence").params["estate_presence"]
    with pytest.raises(params.ParameterError, match="neighbourhoods"):
        here.set_start("baseline", 3, int(params.get("neighbourhoods").high) + 1)
    assert here.start_neighbourhoods == 6


def test_the_facilitators_start_sets_the_neighbourhoods_and_shows_a_refusal_without_applying_it(monkeypatch):
    here = Room("ABC234")
    monkeypatch.setattr(components, "ROOM", here)
    _, rc = solara.render(components.RoomStart(), handle_error=False)
    _slider(rc, "neighbourhoods").v_model = 6
    rc.find(v.Btn, children=["Use for new participants"]).widget.click()
    assert here.start_neighbourhoods == 6 and "on estate 1, 6 neighbourhoods." in _page_text(rc)

    def refuse(name, **values):  # as the model refuses a count the homes cannot hold
        raise ScenarioError(f"Scenario '{name}': key 'neighbourhoods' = {values['neighbourhoods']}; allowed: at most 8")

    monkeypatch.setattr(room, "load_scenario", refuse)
    _slider(rc, "neighbourhoods").v_model = 9
    rc.find(v.Btn, children=["Send to everyone now"]).widget.click()
    assert "key 'neighbourhoods' = 9; allowed: at most 8" in _page_text(rc) and here.start_neighbourhoods == 6


# --- one row per estate ------------------------------------------------------------------------------------------
def test_the_neighbourhood_table_has_one_row_per_estate_with_the_models_values():
    model = Workshop(FOUR, seed=2)
    model.advance(30)
    run = model.runs[0]
    expected = run.neighbourhood_summary()
    header, *rows = _table_rows(components.neighbourhood_table(run, None))
    assert len(rows) == 4 and [r[0] for r in rows] == ["1", "2", "3", "4"]
    trust, took_part = header.index("Trust (0-100)"), header.index("Took part (%)")
    satisfied, lonely = header.index("True satisfaction (%)"), header.index("Lonely often or always (%)")
    for k, row in enumerate(rows):
        assert row[trust] == f"{100 * expected['trust_mean'][k]:.1f}"
        assert row[took_part] == f"{100 * expected['participation_rate'][k]:.1f}"
        assert row[satisfied] == f"{expected['satisfaction_true'][k]:.1f}"
        assert row[lonely] == f"{expected['lonely_share'][k]:.1f}"
    labels = {measures.measure(c).label for c in expected.columns if c != "neighbourhood"}
    assert labels == set(header[1:])  # every column the model reports, once


def test_one_estate_has_no_table_only_the_hint_and_several_have_one_table_per_strategy():
    one = Workshop(Settings().with_value(0, "homes", 200), seed=1)
    _, rc = solara.render(components.NeighbourhoodCard(one, 0), handle_error=False)
    assert "One estate: its numbers are the landlord's" in _page_text(rc) and rc.find(solara.widgets.HTML).widgets == []
    both = Workshop(FOUR.with_side_by_side(True, "hybrid"), seed=1)
    _, rc = solara.render(components.NeighbourhoodCard(both, 0), handle_error=False)
    tables = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    assert [len(_table_rows(t)) for t in tables] == [1 + 4, 1 + 4]


def test_the_neighbourhood_table_moves_on_with_the_run():
    model = Workshop(FOUR, seed=2)
    before = components.neighbourhood_table(model.runs[0], None)
    model.advance(26)
    assert components.neighbourhood_table(model.runs[0], None) != before


# --- a pilot on chosen estates -------------------------------------------------------------------------------------
def test_a_pilot_changes_only_the_chosen_estates_levers():
    piloted = FOUR.with_pilot(0, Pilot("power_sharing", (0, 1)))
    model, plain = Workshop(piloted, seed=4), Workshop(FOUR, seed=4)
    model.advance(3)
    plain.advance(3)
    pilot_values = {n: load_scenario("power_sharing").params[n] for n in NEIGHBOURHOOD_LEVERS}
    landlord = {n: load_scenario("baseline").params[n] for n in NEIGHBOURHOOD_LEVERS}
    assert pilot_values != landlord
    levers = model.runs[0].neighbourhood_voice_levers()
    assert levers[0] == levers[1] == pilot_values and levers[2] == levers[3] == landlord
    assert plain.runs[0].neighbourhood_voice_levers() == [landlord] * 4
    assert model.runs[0].p == plain.runs[0].p  # the landlord's own levers are untouched


def test_a_pilot_chosen_mid_run_rebuilds_that_strategy_on_the_same_estate_and_rebuilds_exactly():
    model = Workshop(FOUR.with_side_by_side(True, "baseline"), seed=4)
    model.advance(10)
    b_before = model.runs[1].households.trust.copy()
    chosen = model.settings.with_pilot(0, Pilot("power_sharing", (2,)))
    assert model.switch(chosen) == [0]
    assert np.array_equal(model.runs[1].households.trust, b_before)  # strategy B stays where it was
    assert model.week == 10 and model.runs[0].scenario_spec.neighbourhood_levers[-1].indices == (2,)
    model.advance(5)
    again = Workshop.rebuild(model.built_with, 4, list(model.history), 15)
    assert np.array_equal(again.runs[0].households.trust, model.runs[0].households.trust)


def test_a_tenant_management_pilot_hands_only_its_estate_to_a_tmo_and_the_table_says_who_runs_each():
    model = Workshop(FOUR.with_pilot(0, Pilot("tenant_management", (1,))), seed=4)
    model.advance(2)
    assert [levers["governance"] for levers in model.runs[0].neighbourhood_voice_levers()] == [0, 1, 0, 0]
    header, *rows = _table_rows(components.neighbourhood_table(model.runs[0], model.pilots[0]))
    run_by = header.index("Run by")
    assert [r[run_by] for r in rows] == ["landlord", "TMO", "landlord", "landlord"]
    assert [r[0] for r in rows] == ["1", "2 (pilot)", "3", "4"]
    assert controls.get_control("governance").format(2) == "co-op or CLT"


def test_a_pilot_on_an_estate_the_settings_lack_is_refused_in_the_pages_numbers():
    with pytest.raises(ValueError, match="pilot on estates 4-5: the estate has 4 neighbourhoods; allowed: estates 1-4"):
        FOUR.with_pilot(0, Pilot("power_sharing", (3, 4)))
    piloted = FOUR.with_pilot(0, Pilot("hybrid", (3,)))
    with pytest.raises(ValueError, match="pilot on estate 4: the estate has 2 neighbourhoods"):
        piloted.with_value(0, "neighbourhoods", 2)
    with pytest.raises(ValueError, match="not a built-in scenario"):
        Pilot("nonsense", (0,))


def test_the_page_runs_a_pilot_on_the_estates_chosen(page):
    rc, here = page
    _slider(rc, "neighbourhoods").v_model = 3
    rc.find(v.Btn, children=["Reset"]).widget.click()
    rc.find(v.Select, label="Pilot strategy").widget.v_model = controls.strategy_name("power_sharing")
    assert _live(here).settings.pilot(0) is None  # no estate chosen yet
    rc.find(v.Select, label="Estates in the pilot").widget.v_model = ["Estate 1", "Estate 3"]
    model = _live(here)
    assert model.settings.pilot(0) == Pilot("power_sharing", (0, 2))
    assert model.runs[0].scenario_spec.neighbourhood_levers[-1].indices == (0, 2)
    text = _page_text(rc)
    assert "Estates 1, 3 take the voice of" in text and "1 (pilot)" in text and "3 (pilot)" in text
    assert "pilot: " + room.pilot_text(model.settings, 0) in room.describe(model.settings)


# --- the community measures, whatever the model returns -----------------------------------------------------------
NEW = {"ties_per_household": 1.234, "cohesion": 61.0, "community_assets": 3, "mystery_index": 0.5, "blank": None}


def _with_new_measures(model: Workshop) -> Workshop:
    """The model's runs report the planned and an unknown community measure (as a newer model would)."""
    for run in model.runs:
        run.community = lambda: dict(NEW)
        table = run.neighbourhood_summary()
        table["mystery_column"] = 7.25
        run.neighbourhood_summary = lambda table=table: table.copy()
    return model


def test_known_planned_and_unknown_community_keys_are_shown_with_their_labels_or_the_plain_fallback():
    assert measures.measure("mystery_index") == measures.Measure("mystery_index", "Mystery index", known=False)
    for planned in ("cohesion", "community_assets", "community_led_share"):
        assert measures.measure(planned).known
    model = _with_new_measures(Workshop(FOUR, seed=1))
    _, rc = solara.render(components.MonitorCard(model, 0), handle_error=False)
    rows = {r[0]: r[1:] for r in _table_rows(_page_text(rc))}
    assert rows["Mystery index"] == ["0.5"] and rows["Blank"] == ["-"]
    assert rows["Belong strongly to their neighbourhood (%)"] == ["61.0"]
    assert rows["Places to meet in community ownership"] == ["3"]
    assert rows["Ties formed through taking part, per household"] == ["1.23"]
    assert "Lonely often or always (%)" not in rows  # a key the model no longer returns is not invented
    header, *estates = _table_rows(components.neighbourhood_table(model.runs[0], None))
    assert header[-1] == "Mystery column" and {r[-1] for r in estates} == {"7.2"}


def test_odd_values_never_break_a_measure():
    shown = measures.measure("cohesion")
    odd = [None, float("nan"), "n/a", True, 12.345]
    assert [shown.format(x) for x in odd] == ["-", "-", "n/a", "True", "12.3"] == shown.format_all(odd)
    trust = measures.measure("trust_mean")
    assert trust.format_all([0.5, 12.5]) == ["50.0", "1,250"] == [trust.format(0.5), trust.format(12.5)]


def test_the_run_download_has_the_community_measures_week_by_week():
    model = Workshop(Settings().with_value(0, "homes", 200), seed=3)
    model.advance(4)
    rows = list(csv.DictReader(io.StringIO(components.weekly_csv(model))))
    assert [r["week"] for r in rows] == ["0", "1", "2", "3", "4"]
    now = model.runs[0].community()
    assert set(now) <= set(rows[0]) and float(rows[4]["lonely_share"]) == pytest.approx(now["lonely_share"])
    again = Workshop.rebuild(model.built_with, 3, [], 4)
    pd.testing.assert_frame_equal(again.community_frame(0), model.community_frame(0))


def test_the_debrief_and_the_estates_download_carry_neighbourhoods_pilot_and_community_measures():
    here = Room("ABC234")
    model = _with_new_measures(Workshop(FOUR.with_pilot(0, Pilot("power_sharing", (1,))), seed=5))
    model.advance(3)
    here.join("b").name = "Table 1"
    here.snapshot("b", "pilot", model, model.settings)
    (row,) = list(csv.DictReader(io.StringIO(room.debrief_csv(here))))
    assert row["neighbourhoods"] == "4" and row["pilot"] == f"{controls.strategy_name('power_sharing')} on estate 2"
    assert row["cohesion"] == "61.0" and row["mystery_index"] == "0.5" and row["blank"] == ""
    page = room.debrief_html(here)
    assert "Belong strongly to their neighbourhood (%)" in page and "Mystery index" in page
    estates = list(csv.DictReader(io.StringIO(components.neighbourhoods_csv(model))))
    assert [r["in_pilot"] for r in estates] == ["False", "True", "False", "False"]
    assert {r["mystery_column"] for r in estates} == {"7.25"}


# --- the estate picture follows the model's patches ----------------------------------------------------------------
def test_the_estate_picture_draws_the_models_own_patches_which_never_span_two_neighbourhoods(run_model):
    model = run_model("baseline", weeks=1, homes=1000, neighbourhoods=2, patch_size=300)
    sizes = estate.patch_sizes(model)
    assert sizes == (300, 200, 300, 200)
    slots, _ = estate.patch_layout(sizes)
    assert np.array_equal(np.unique(slots[slots >= 0]), np.arange(1000))
    officer = model.households.officer
    for patch in range(len(sizes)):
        rows, cols = np.nonzero((slots >= 0) & (officer[np.maximum(slots, 0)] == patch))
        box = slots[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        assert set(officer[box[box >= 0]].tolist()) == {patch}  # each block holds one patch only
