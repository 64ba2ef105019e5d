"""The workshop at room scale, without a browser: runs rebuilt exactly, the defects fixed, the room and its debrief.

The browser tests of the same features (two participants and a facilitator in
three browser contexts, the debrief downloads) are in ``tests/test_dashboard.py``.
"""

from __future__ import annotations

import asyncio
import csv
import gc
import io

import ipyvuetify as v
import numpy as np
import pytest
import solara

from dashboard import charts, components, controls, room, serve
from dashboard.components import Player
from dashboard.room import Room, Saved
from dashboard.session import Settings, Workshop
from model import builtin_names, params
from model.scenario import MAX_WEEKS
from model.submodels import YEAR

SMALL = Settings().with_value(0, "homes", 200)


def _same_estates(first: Workshop, second: Workshop) -> bool:
    pairs = zip(first.runs, second.runs, strict=True)
    return all(a.week == b.week and np.array_equal(a.households.trust, b.households.trust) for a, b in pairs)


# --- a run is rebuilt exactly from its settings, estate number and history ------------------------------------
def test_a_run_with_moved_levers_and_a_switched_strategy_is_rebuilt_with_the_same_numbers():
    model = Workshop(SMALL, seed=3)
    model.advance(10)
    moved = SMALL.with_value(0, "digital_first", 1.0)
    assert model.apply(moved, 0, "digital_first") is True
    model.advance(5)
    model.switch(moved.with_side_by_side(True, "power_sharing"))
    model.advance(7)
    again = Workshop.rebuild(model.built_with, model.seed, model.history, model.week)
    assert again.week == 22 and _same_estates(model, again)
    assert [c.kind for c in again.history] == ["set", "strategy"]


def test_rebuild_refuses_a_week_before_the_last_change():
    model = Workshop(SMALL, seed=3)
    model.advance(4)
    model.apply(SMALL.with_value(0, "openness", 0.9), 0, "openness")
    with pytest.raises(ValueError, match="allowed: from the last change's week"):
        Workshop.rebuild(model.built_with, model.seed, model.history, 2)


# --- the defects of the issue ----------------------------------------------------------------------------------------
def test_changing_strategy_b_leaves_strategy_a_where_it_is():
    both = SMALL.with_side_by_side(True, "baseline")
    model = Workshop(both, seed=4)
    model.advance(30)
    alone = Workshop(both, seed=4)
    alone.advance(30)
    rebuilt = model.switch(both.with_preset(1, "frontline_presence"))
    assert rebuilt == [1] and model.week == 30
    assert np.array_equal(model.runs[0].households.trust, alone.runs[0].households.trust)
    fresh_b = Workshop(both.with_preset(1, "frontline_presence"), seed=4)
    fresh_b.advance(30)
    assert np.array_equal(model.runs[1].households.trust, fresh_b.runs[1].households.trust)
    assert model.runs[1].p["estate_presence"] == 0.6


def test_a_new_estate_is_needed_when_the_estate_number_or_an_estate_setting_changed():
    model = Workshop(SMALL, seed=4)
    assert not model.needs_new_estate(SMALL.with_preset(0, "digital_only").with_value(0, "homes", 200), 4)
    assert model.needs_new_estate(SMALL, 5)
    assert model.needs_new_estate(SMALL.with_value(0, "homes", 300), 4)


def test_advance_stops_exactly_at_its_limit_and_at_fifty_years():
    model = Workshop(Settings().with_value(0, "homes", 100), seed=1)
    assert model.advance(13, until=20) == 13 and model.advance(13, until=20) == 7 and model.week == 20
    assert model.advance(5, until=20) == 0 and model.week == 20
    assert model.end == model.horizon == 520
    model._step_to(MAX_WEEKS - 3)
    assert model.end == MAX_WEEKS and model.advance(13) == 3 and model.week == MAX_WEEKS
    model.step()
    assert model.week == MAX_WEEKS and model.running is False


def _player(model: Workshop, speed: str) -> tuple[Player, list[int]]:
    redraws: list[int] = []
    reactive = solara.reactive(model)
    player = Player(
        reactive, solara.reactive(speed), solara.reactive(False), lambda: redraws.append(reactive.value.week)
    )
    return player, redraws


def test_run_one_year_stops_at_its_last_week_and_redraws_every_few_weeks():
    model = Workshop(Settings().with_value(0, "homes", 100), seed=2)
    model.advance(5)
    player, redraws = _player(model, "Fastest: a quarter at a time")
    components.SPEEDS["Test: no pause"] = (13, 0.0)
    try:
        player.speed.set("Test: no pause")
        player.play(YEAR)
        player._thread.join(timeout=120)
    finally:
        del components.SPEEDS["Test: no pause"]
    assert model.week == 5 + YEAR
    assert redraws == [18, 31, 44, 57] and player.playing.value is False


def test_pending_estate_changes_are_listed_from_the_settings_without_a_step():
    model = Workshop(SMALL, seed=1)
    wanted = SMALL.with_value(0, "homes", 400)
    assert model.pending(wanted) == ["homes"]
    assert model.pending() == []


# --- the participant's page, rendered without a browser ---------------------------------------------------------
def _widgets(widget):
    """Every widget under ``widget``, the live cards' own render included (rc.find sees only the page's)."""
    yield widget
    for child in getattr(widget, "children", None) or []:
        if not isinstance(child, str):
            yield from _widgets(child)


def _texts(rc) -> list[str]:
    found = [w for w in _widgets(rc.container) if isinstance(w, v.Html)]
    return [w.children[0] for w in found if w.children and isinstance(w.children[0], str)]


def _button(rc, label: str) -> v.Btn:
    return rc.find(v.Btn, children=[label]).widget


def test_the_page_steps_lists_pending_changes_at_once_and_builds_with_the_estate_number_set():
    _, rc = solara.render(components.ParticipantPage(), handle_error=False)
    assert "Week 0" in _texts(rc)
    _button(rc, "Step").click()
    assert "Week 1" in _texts(rc)
    estate = rc.find(v.Slider, max=99).widget
    estate.v_model = 7
    assert "Changed to 7: press Reset to build that estate." in _texts(rc)
    _button(rc, "Show more settings").click()
    homes = params.get("homes")
    rc.find(v.Slider, min=homes.low, max=homes.high).widget.v_model = 3000
    assert "Waiting for Reset: homes." in _texts(rc)  # listed at once, before any step
    strategy = rc.find(v.Select, label="Strategy").widget
    strategy.v_model = controls.strategy_name("frontline_presence")
    texts = " ".join(_texts(rc))
    assert "Week 0" in texts and "estate number 7" in texts and "Waiting for Reset" not in texts


def test_the_page_has_workshop_controls_not_developer_ones():
    _, rc = solara.render(components.ParticipantPage(), handle_error=False)
    labels = {w.children[0] for w in rc.find(v.Btn).widgets if w.children and isinstance(w.children[0], str)}
    assert {"Reset", "Step", "Play", "Run one year", "Run five years", "Save what we tried"} <= labels
    speed = rc.find(v.Select, label="Speed").widget
    assert speed.items == list(components.SPEEDS)
    texts = " ".join(_texts(rc))
    for gone in ("Play Interval", "Render Interval", "Use Threads", "frontline_presence"):
        assert gone not in texts


# --- strategies in sector language ---------------------------------------------------------------------------------
def test_every_built_in_strategy_has_a_name_in_sector_language():
    names = [controls.strategy_name(name) for name in builtin_names()]
    assert set(controls.STRATEGY_NAMES) == set(builtin_names())
    assert len(set(names)) == len(names) and all("_" not in name for name in names)


# --- plots drawn in the browser ------------------------------------------------------------------------------------
def test_chart_data_sends_at_most_max_points_a_line_ending_at_the_current_week(run_model):
    run = run_model("baseline", weeks=700, homes=100)
    data = charts.chart_data("trust", [run], ["baseline"], 520)
    lines = data["panels"][0]["lines"]
    assert len(lines) == 3 and data["xmax"] == pytest.approx(700 / YEAR, abs=1e-3)
    for line in lines:
        assert len(line["points"]) <= charts.MAX_POINTS + 1
        assert line["points"][-1][0] == pytest.approx(700 / YEAR, abs=1e-3)
    _, y = charts.series(run, "trust_mean")
    assert lines[0]["points"][-1][1] == pytest.approx(y[-1], abs=0.01)


def test_chart_data_draws_a_kept_run_dotted_and_the_survey_as_steps(run_model):
    a, b = run_model("baseline", weeks=120, homes=100), run_model("power_sharing", weeks=120, homes=100)
    kept = {"trust_mean": charts.series(a, "trust_mean")}
    data = charts.chart_data("trust", [a, b], ["A", "B"], 520, kept, "earlier")
    labels = [line["label"] for line in data["panels"][0]["lines"]]
    assert labels[0] == "everyone (kept: earlier)" and len(labels) == 7
    assert data["panels"][0]["lines"][0]["colour"] == charts.KEPT_COLOUR
    survey = charts.chart_data("survey", [a], ["A"], 520)["panels"][0]["lines"][1]["points"]
    xs = [p[0] for p in survey]
    assert len(xs) > 2 and xs[1] == xs[2]  # a step: two points at the same time


def test_the_browser_chart_component_ships_with_the_package():
    import tomllib
    from pathlib import Path

    import dashboard

    folder = Path(dashboard.__file__).parent
    assert (folder / "linechart.vue").is_file()
    project = tomllib.loads((folder.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.vue" in project["tool"]["setuptools"]["package-data"]["dashboard"]


# --- the room ---------------------------------------------------------------------------------------------------------
def test_room_code_is_checked_ignoring_case_and_spaces():
    here = Room("ABC234")
    assert here.check_code(" abc234 ") and not here.check_code("ABC235") and not here.check_code("")
    assert all(c in room.CODE_ALPHABET for c in room.new_code())


def test_room_start_is_checked_not_clamped():
    here = Room("ABC234")
    here.set_start("digital_only", 7)
    assert (here.start_preset, here.start_seed) == ("digital_only", 7)
    with pytest.raises(ValueError, match="allowed: a whole number 1-99"):
        here.set_start("baseline", 100)
    with pytest.raises(ValueError, match="not a built-in scenario"):
        here.set_start("nonsense", 3)


def test_a_reload_rebuilds_the_run_and_a_new_browser_starts_from_the_room_start(monkeypatch):
    here = Room("ABC234")
    monkeypatch.setattr(components, "ROOM", here)
    model = Workshop(SMALL, seed=9)
    model.advance(12)
    here.update("browser-1", model, SMALL)
    settings, again = components._first_model("browser-1")
    assert settings == SMALL and again.seed == 9 and _same_estates(model, again)
    here.set_start("frontline_presence", 4)
    settings, fresh = components._first_model("browser-2")
    assert settings.presets == ("frontline_presence",) and fresh.seed == 4 and fresh.week == 0


def test_a_closed_session_frees_its_estate_but_the_room_keeps_its_run():
    here = Room("ABC234")
    model = Workshop(SMALL, seed=2)
    here.update("browser-1", model, SMALL)
    assert here.participants["browser-1"].live is model
    del model
    gc.collect()  # a model and its agents refer to each other: the cycle collector frees them
    assert here.participants["browser-1"].live is None
    assert here.participants["browser-1"].saved.rebuild().week == 0


def test_snapshots_rebuild_the_run_and_feed_the_debrief_csv_and_html():
    here = Room("ABC234")
    model = Workshop(SMALL.with_preset(0, "digital_only").with_value(0, "homes", 200), seed=5)
    model.advance(60)
    here.join("browser-1").name = "Table 1"
    shot = here.snapshot("browser-1", "  digital first  ", model, model.settings)
    assert shot.note == "digital first" and shot.saved.week == 60 and here.snapshots_of("browser-1") == [shot]
    assert _same_estates(shot.saved.rebuild(), model)
    here.update("browser-1", model, model.settings)
    rows = list(csv.DictReader(io.StringIO(room.debrief_csv(here))))
    assert [r["kind"] for r in rows] == ["current run", "snapshot 1"]
    assert rows[1]["participant"] == "Table 1" and rows[1]["week"] == "60" and rows[1]["estate_number"] == "5"
    assert rows[1]["strategy"] == controls.strategy_name("digital_only")
    assert float(rows[1]["trust_mean"]) == pytest.approx(charts.latest(model.runs[0], "trust_mean"), abs=1e-3)
    page = room.debrief_html(here)
    assert page.count("<tr>") == 3 and "Table 1" in page and page.count("data:image/png;base64,") == 2


# --- the server: diagnostics behind the room code ------------------------------------------------------------------
def _call(app, path: str, query: bytes = b"") -> int:
    sent: list[dict] = []

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": "http", "path": path, "query_string": query}
    asyncio.run(serve.guard_diagnostics(inner, "ABC234")(scope, receive, send))
    return sent[0]["status"]


def test_diagnostic_endpoints_answer_only_with_the_room_code():
    assert _call(None, "/resourcez") == 404
    assert _call(None, "/resourcez", b"verbose&code=WRONG2") == 404
    assert _call(None, "/_solara/api/evict/123") == 404
    assert _call(None, "/resourcez", b"code=abc234") == 200
    assert _call(None, "/") == 200 and _call(None, "/facilitator") == 200


def test_server_environment_releases_closed_sessions_within_minutes_and_switches_off_telemetry(monkeypatch):
    monkeypatch.delenv("SOLARA_KERNEL_CULL_TIMEOUT", raising=False)
    env = serve.server_environment("ABC234")
    assert env["SOLARA_KERNEL_CULL_TIMEOUT"] == serve.KEEP_SESSION == "2m"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False" and env["TENANT_TRUST_ROOM_CODE"] == "ABC234"
    assert env["SOLARA_MODE"] == "production"


def test_saved_of_copies_the_history_so_later_changes_do_not_leak_into_a_snapshot():
    model = Workshop(SMALL, seed=1)
    saved = Saved.of(model, SMALL)
    model.apply(SMALL.with_value(0, "openness", 0.9), 0, "openness")
    assert saved.history == () and len(model.history) == 1


def test_the_run_downloads_as_csv_one_row_per_strategy_and_week():
    both = SMALL.with_side_by_side(True, "digital_only")
    model = Workshop(both, seed=3)
    model.advance(4)
    rows = list(csv.DictReader(io.StringIO(components.weekly_csv(model))))
    assert [(r["side"], r["week"]) for r in rows] == [(s, str(w)) for s in "AB" for w in range(5)]
    assert {r["strategy"] for r in rows} == {"baseline", "digital_only"} and {r["estate_number"] for r in rows} == {"3"}
    assert float(rows[4]["trust_mean"]) == pytest.approx(model.runs[0].metrics["trust_mean"])


def test_a_closed_page_leaves_its_run_with_the_room_but_no_closure_that_would_keep_its_estate(monkeypatch):
    # Outside Solara's server the page's state is not dropped with a kernel, so whether the estate itself is
    # freed is shown on a real server by benchmarks/bench_workshop.py (--rooms 10 10: the second room reuses
    # the first room's memory); here: the room's record no longer refers to the page's session.
    here = Room("ABC234")
    monkeypatch.setattr(components, "ROOM", here)
    _, rc = solara.render(components.ParticipantPage(), handle_error=False)
    (record,) = here.everyone()
    assert record.push is not None and record.live is not None
    rc.close()
    assert record.push is None and record.connected() is False and not record.here
    assert record.saved is not None and record.saved.rebuild().week == 0  # its run is not
