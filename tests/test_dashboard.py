"""The workshop dashboard: controls from the declarations, per-session models, the server, and real browsers.

The first tests need no browser. The last ones start ``tenant-trust dashboard``
on a free loopback port and drive Debian's ``chromium`` with Playwright (each
browser context is one participant, or the facilitator); they are skipped when
chromium is not installed (``make test`` installs it).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from dashboard import charts, controls, estate, serve
from dashboard.session import Settings, Workshop
from experiments.cli import build_parser
from model import PARAMETERS, builtin_names, load_scenario, params

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PNG = b"\x89PNG\r\n\x1a\n"
ROOM_CODE = "TRUST7"


# --- controls generated from the declarations ---------------------------------------------------------
def test_every_parameter_has_exactly_one_control_levers_first():
    made = controls.controls()
    assert sorted(c.name for c in made) == sorted(p.name for p in PARAMETERS)
    flags = [c.lever for c in made]
    assert flags == sorted(flags, reverse=True)
    assert [c.name for c in controls.levers()] == [p.name for p in PARAMETERS if p.lever]


def test_controls_take_range_unit_and_plain_line_from_the_declaration():
    for control in controls.controls():
        declared = params.get(control.name)
        assert (control.low, control.high, control.unit) == (declared.low, declared.high, declared.unit)
        assert control.description == declared.description


def test_every_default_and_preset_value_sits_on_its_slider():
    for name in builtin_names():
        for control in controls.controls():
            value = load_scenario(name).params[control.name]
            ticks = (value - control.low) / control.step
            assert abs(ticks - round(ticks)) < 1e-6, (name, control.name, value, control.step)


def test_slider_noise_is_rounded_but_out_of_range_is_refused_not_clamped():
    assert controls.snap("estate_presence", 0.30000000000000004) == 0.3
    assert controls.snap("patch_size", 250.0) == 250
    with pytest.raises(params.ParameterError, match="out of range"):
        controls.snap("estate_presence", 0.95)
    with pytest.raises(params.ParameterError, match="unknown parameter"):
        controls.snap("estate_presents", 0.5)


def test_more_settings_hold_every_uncertain_parameter_once_but_those_on_the_estate_card():
    names = [c.name for group in controls.more_settings().values() for c in group]
    assert "neighbourhoods" in controls.ON_ESTATE_CARD and "neighbourhoods" not in names
    assert sorted([*names, *controls.ON_ESTATE_CARD]) == sorted(p.name for p in PARAMETERS if not p.lever)


# --- one participant's settings and model ---------------------------------------------------------------
def test_settings_scenario_is_the_preset_with_the_moved_levers():
    chosen = Settings().with_preset(0, "frontline_presence").with_value(0, "estate_presence", 0.7)
    expected = load_scenario("frontline_presence", estate_presence=0.7)
    assert chosen.scenario(0).params == expected.params
    assert chosen.with_preset(0, "frontline_presence").values(0)["estate_presence"] == 0.6


def test_side_by_side_levers_are_per_strategy_and_world_settings_shared():
    chosen = Settings().with_side_by_side(True, "power_sharing").with_value(1, "openness", 0.9)
    chosen = chosen.with_value(1, "talk_rate", 0.5)
    assert chosen.values(0)["openness"] == load_scenario("baseline").params["openness"]
    assert chosen.values(1)["openness"] == 0.9
    assert chosen.values(0)["talk_rate"] == chosen.values(1)["talk_rate"] == 0.5
    assert chosen.with_side_by_side(False).presets == ("baseline",)


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="not a built-in scenario"):
        Settings(presets=("nonsense",))


def test_side_by_side_strategies_start_from_the_same_estate_and_step_together():
    chosen = Settings().with_preset(0, "baseline").with_side_by_side(True, "power_sharing")
    chosen = chosen.with_value(0, "homes", 300).with_value(1, "homes", 300)
    model = Workshop(chosen, seed=5)
    a, b = (run.households for run in model.runs)
    assert np.array_equal(a.trust, b.trust) and np.array_equal(a.indices, b.indices)
    for _ in range(3):
        model.step()
    assert [run.week for run in model.runs] == [3, 3]
    assert model.runs[1].p["ladder_rung"] == 7


def test_moving_a_lever_changes_the_running_estate_but_estate_settings_wait_for_reset():
    chosen = Settings().with_value(0, "homes", 200)
    model = Workshop(chosen, seed=2)
    model.step()
    moved = chosen.with_value(0, "digital_first", 1.0)
    assert model.apply(moved, 0, "digital_first") is True
    assert model.runs[0].p["digital_first"] == 1.0
    grown = moved.with_value(0, "homes", 400)
    assert model.apply(grown, 0, "homes") is False
    assert model.runs[0].households.size == 200
    assert model.pending() == ["homes"]


class _Holder:
    """Stands in for the session's reactive settings that SolaraViz's Reset passes on."""

    def __init__(self, value: Settings) -> None:
        self.value = value


def test_reset_rebuilds_with_the_levers_as_set_now():
    holder = _Holder(Settings().with_value(0, "homes", 200))
    first = Workshop(holder, seed=3)
    first.step()
    holder.value = holder.value.with_value(0, "estate_presence", 0.5)
    again = Workshop(holder, seed=3)
    assert again.week == 0
    assert again.runs[0].p["estate_presence"] == 0.5


def test_workshop_refuses_a_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        Workshop(Settings(), seed=-1)


# --- pictures and plots ---------------------------------------------------------------------------------------
def test_estate_layout_shows_every_home_once_in_patch_blocks():
    for homes, patch in [(6000, 300), (6000, 350), (150, 300), (1000, 100)]:
        slots, centre = estate.layout(homes, patch)
        shown = np.unique(slots[slots >= 0])
        assert np.array_equal(shown, np.arange(homes))
        assert centre.shape == slots.shape and centre.any()


def test_estate_picture_is_a_png_with_dots_on_the_marked_households(run_model):
    model = run_model("baseline", weeks=5, homes=300)
    for mark in estate.MARKS:
        png = estate.estate_png(model, mark)
        assert png.startswith(PNG)
    slots, _ = estate.layout(300, int(model.p["patch_size"]))
    image = np.asarray(Image.open(io.BytesIO(estate.estate_png(model, "digitally excluded"))))
    assert image.shape[:2] == slots.shape
    with pytest.raises(ValueError, match="allowed"):
        estate.marked(model, "everyone")


def test_live_chart_redraws_side_by_side_series(run_model):
    a, b = run_model("baseline", weeks=10, homes=200), run_model("power_sharing", weeks=10, homes=200)
    for key in charts.CHARTS:
        live = charts.LiveChart(key, ["baseline", "power_sharing"])
        first = live.png([a, b], 520)
        a.step()
        b.step()
        assert first.startswith(PNG) and live.png([a, b], 520) != first


# --- the command line ------------------------------------------------------------------------------------------
def test_dashboard_command_defaults_to_loopback_and_a_random_room_code():
    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port, args.room_code) == ("127.0.0.1", 8765, None)
    assert build_parser().parse_args(["dashboard", "--room-code", "trust7"]).room_code == "TRUST7"
    assert serve.server_environment("TRUST7")["SOLARA_APP"] == "dashboard.app"


def test_dashboard_command_refuses_a_room_code_that_reads_ambiguously(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["dashboard", "--room-code", "ROOM10"])
    assert "no 0, O, 1, I or L" in capsys.readouterr().err


def test_dashboard_command_refuses_a_bad_port(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["dashboard", "--port", "70000"])
    assert "allowed: a whole number 1-65535" in capsys.readouterr().err


# --- real browsers -------------------------------------------------------------------------------------------------
# Skipped only outside CI: in CI (CI=true) a missing chromium fails the browser tests instead.
browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="needs Debian's chromium (make test installs it)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(log) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [sys.executable, "-m", "experiments.cli", "dashboard", "--port", str(port), "--room-code", ROOM_CODE]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    _wait_until_up(server, url, log)
    return server, url


def _wait_until_up(server: subprocess.Popen, url: str, log) -> None:
    deadline = time.monotonic() + 90
    while True:
        if server.poll() is not None:
            pytest.fail(f"the dashboard stopped with status {server.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not answer on {url} within 90 s; see {log.name}")
            time.sleep(0.5)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory) -> Iterator[str]:
    """``tenant-trust dashboard`` on a free loopback port; yields its address and stops it afterwards."""
    log = (tmp_path_factory.mktemp("dashboard") / "server.log").open("w")
    server, url = _start(log)
    try:
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _open(chromium, url: str):
    context = chromium.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.locator(".tt-week").wait_for(timeout=60_000)
    return context, page


def _week(page) -> str:
    return page.locator(".tt-week").inner_text()


def _wait_for_week(page, week: int) -> None:
    page.wait_for_function(f"document.querySelector('.tt-week').innerText === 'Week {week}'", timeout=15_000)


@browser
def test_each_participant_steps_only_their_own_estate(dashboard, chromium):
    first_context, first = _open(chromium, dashboard)
    second_context, second = _open(chromium, dashboard)
    try:
        assert _week(first) == _week(second) == "Week 0"
        for week in (1, 2, 3):
            first.get_by_role("button", name="Step").click()
            _wait_for_week(first, week)
        second.wait_for_timeout(1500)  # time enough for any stray update to arrive
        assert _week(second) == "Week 0"
        second.get_by_role("button", name="Step").click()
        _wait_for_week(second, 1)
        first.wait_for_timeout(1000)
        assert _week(first) == "Week 3"
    finally:
        first_context.close()
        second_context.close()


@browser
def test_page_renders_the_estate_and_its_plots_in_the_browser_and_steps(dashboard, chromium, tmp_path):
    from playwright.sync_api import expect

    context, page = _open(chromium, dashboard)
    try:
        for title in ("The estate", *(chart.title for chart in charts.CHARTS.values())):
            assert page.get_by_text(title, exact=True).is_visible()
        for week in (1, 2, 3):
            page.get_by_role("button", name="Step").click()
            _wait_for_week(page, week)
        panels = sum(len(chart.panels) for chart in charts.CHARTS.values())
        page.wait_for_function(f"document.querySelectorAll('svg.tt-svg').length === {panels}")
        # weeks 0-3, drawn in the browser from the numbers sent
        first_line = "document.querySelector('svg.tt-svg polyline').getAttribute('points').split(' ').length"
        page.wait_for_function(f"{first_line} === 4")
        images = page.locator("img.solara-image")
        page.wait_for_function("[...document.querySelectorAll('img.solara-image')].every(i => i.naturalWidth > 0)")
        assert images.count() == 2  # the estate and its colour legend; no plot is a picture
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot))
        picture = np.asarray(Image.open(shot).convert("L"), dtype=float)
        assert picture.shape == (1000, 1500) and picture.std() > 20  # not a blank page
        for text in ("Play Interval", "Render Interval", "Use Threads", "PAGE 0"):
            assert page.get_by_text(text).count() == 0
        with page.expect_download() as got:
            page.get_by_role("button", name="Download PNG").first.click()
        assert got.value.suggested_filename == "tenant-trust-trust.png"
        assert got.value.path().read_bytes().startswith(PNG)  # drawn from the SVG in the browser
        with page.expect_download() as got:
            page.get_by_role("button", name="Download this run (CSV)").click()
        table = got.value.path().read_text().splitlines()
        assert table[0].startswith("estate_number,side,strategy,week") and len(table) == 1 + 4  # weeks 0-3
        assert "lonely_share" in table[0].split(",")  # the community measures, week by week
        # neighbourhoods: the estate card's control, then one row per estate in the live table
        expect(page.locator(".tt-card-title", has_text="Neighbourhoods")).to_be_visible()
        default = params.neighbourhood_count(params.defaults())
        expect(page.locator(".tt-nbhd tr")).to_have_count(1 + default)
        control = page.locator(".tt-control").filter(has_text="Neighbourhoods").first
        for count in (1, 2):  # from the declared default, 0 (one per neighbourhood_homes homes), to 2
            # one press at a time: the redraw after a press can replace the slider, and a press sent
            # while it does so is lost on a busy machine
            control.get_by_role("slider").focus()
            page.keyboard.press("ArrowRight")
            expect(control.locator(".tt-value")).to_have_text(controls.get_control("neighbourhoods").format(count))
        page.get_by_role("button", name="Reset").click()
        expect(page.locator(".tt-nbhd tr")).to_have_count(1 + 2)
        expect(page.locator(".tt-monitors")).to_contain_text("The community")
    finally:
        context.close()


@browser
def test_on_a_phone_the_page_is_one_column_and_the_controls_can_be_hidden(dashboard, chromium):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(dashboard)
        page.locator(".tt-week").wait_for(timeout=60_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the screen
        controls_box = page.locator(".tt-controls").bounding_box()
        estate_box = page.locator(".tt-estate-img").bounding_box()
        assert estate_box["y"] > controls_box["y"] + controls_box["height"] - 1  # below the controls, not beside
        page.get_by_role("button", name="Hide controls").click()
        expect(page.locator(".tt-controls")).to_have_count(0)
        assert page.locator(".tt-week").bounding_box()["y"] < 200
        page.get_by_role("button", name="Show controls").click()
        expect(page.get_by_role("button", name="Step")).to_be_visible()
    finally:
        context.close()


@browser
def test_preset_side_by_side_and_reset_keeps_the_levers(dashboard, chromium):
    from playwright.sync_api import expect

    digital = controls.strategy_name("digital_only")
    context, page = _open(chromium, dashboard)
    try:
        page.locator(".v-select").filter(has_text="Strategy").first.click()
        page.get_by_role("option", name=digital, exact=True).click()
        lever = page.locator(".tt-control").filter(has_text="Digital first").first
        expect(lever).to_contain_text("1.00 share")
        for week in (1, 2):
            page.get_by_role("button", name="Step").click()
            _wait_for_week(page, week)
        page.get_by_role("button", name="Reset").click()
        _wait_for_week(page, 0)
        expect(lever).to_contain_text("1.00 share")
        expect(page.locator(".tt-monitors")).to_contain_text(digital)
        page.get_by_role("button", name="Step").click()
        _wait_for_week(page, 1)
        page.get_by_text("Compare two strategies side by side").click()
        expect(page.locator(".tt-estate-img")).to_have_count(2)
        baseline = controls.strategy_name("baseline")
        expect(page.locator(".tt-monitors th")).to_have_text(["", f"A: {digital}", f"B: {baseline}"])
        _wait_for_week(page, 1)  # adding strategy B keeps strategy A at week 1
        page.get_by_role("button", name="Step").click()
        _wait_for_week(page, 2)
    finally:
        context.close()


@browser
def test_a_reload_keeps_the_estate_and_its_week(dashboard, chromium):
    from playwright.sync_api import expect

    context, page = _open(chromium, dashboard)
    try:
        page.locator(".tt-control").first.wait_for()
        page.get_by_role("button", name="Run one year").click()
        _wait_for_week(page, 52)
        expect(page.get_by_role("button", name="Play")).to_be_visible()
        before = page.locator(".tt-monitors").inner_text()
        page.reload()
        page.locator(".tt-week").wait_for(timeout=60_000)
        _wait_for_week(page, 52)
        assert page.locator(".tt-monitors").inner_text() == before
    finally:
        context.close()


@browser
def test_facilitator_sees_the_room_sets_its_start_shows_an_estate_and_exports_the_debrief(dashboard, chromium):
    from playwright.sync_api import expect

    first_context, first = _open(chromium, dashboard)
    second_context, second = _open(chromium, dashboard)
    boss_context = chromium.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    try:
        first.get_by_label("Your name or table").fill("Table one")
        first.get_by_label("Your name or table").press("Enter")
        for week in (1, 2, 3):
            first.get_by_role("button", name="Step").click()
            _wait_for_week(first, week)
        first.get_by_label("Note for this snapshot (optional)").fill("three weeks of business as usual")
        first.get_by_role("button", name="Save what we tried").click()
        expect(first.get_by_text("#1 three weeks of business as usual (estate 1, week 3)")).to_be_visible()
        second.get_by_label("Your name or table").fill("Table two")
        second.get_by_label("Your name or table").press("Enter")
        second.locator(".v-select").filter(has_text="Strategy").first.click()
        second.get_by_role("option", name=controls.strategy_name("frontline_presence"), exact=True).click()
        second.get_by_role("button", name="Step").click()
        _wait_for_week(second, 1)

        boss = boss_context.new_page()
        boss.goto(dashboard + "facilitator")
        boss.get_by_label("Room code (printed when the server started)").fill("WRONG2")
        boss.get_by_label("Room code (printed when the server started)").press("Enter")
        expect(boss.get_by_text("That is not this room's code.")).to_be_visible()
        boss.get_by_label("Room code (printed when the server started)").fill(ROOM_CODE.lower())
        boss.get_by_label("Room code (printed when the server started)").press("Enter")
        table = boss.locator(".tt-room")
        expect(table).to_contain_text("Table one", timeout=15_000)
        expect(table.locator("tr").filter(has_text="Table one")).to_contain_text(controls.strategy_name("baseline"))
        expect(table.locator("tr").filter(has_text="Table two")).to_contain_text(
            controls.strategy_name("frontline_presence")
        )
        expect(table.locator("tr").filter(has_text="Table one").locator("td").nth(4)).to_have_text("3")  # the week

        boss.locator(".v-select").filter(has_text="Show on the projector").click()
        boss.get_by_role("option", name="Table two", exact=True).click()
        expect(boss.get_by_text("Table two: week 1")).to_be_visible(timeout=15_000)
        expect(boss.locator(".tt-estate-img")).to_have_count(1)

        with boss.expect_download() as got:
            boss.get_by_role("button", name="Debrief table (CSV)").click()
        rows = got.value.path().read_text().splitlines()
        assert rows[0].startswith("kind,participant,note,side,strategy")
        assert any(r.startswith("snapshot 1,Table one,three weeks of business as usual") for r in rows)
        with boss.expect_download() as got:
            boss.get_by_role("button", name="Debrief summary (HTML)").click()
        summary = got.value.path().read_text()
        assert "Table two" in summary and summary.count("data:image/png;base64,") == 2

        boss.locator(".v-select").filter(has_text="Starting strategy").click()
        boss.get_by_role("option", name=controls.strategy_name("power_sharing"), exact=True).click()
        boss.get_by_role("slider").first.focus()
        for _ in range(6):  # the estate number from 1 to 7, as a trainer would with the arrow keys
            boss.keyboard.press("ArrowRight")
        expect(boss.locator(".tt-value").first).to_have_text("7")
        boss.get_by_role("button", name="Send to everyone now").click()
        expect(boss.get_by_text("Sent to 2 participants")).to_be_visible()
        for page in (first, second):
            _wait_for_week(page, 0)
            expect(page.locator(".tt-week + .tt-hint")).to_contain_text("estate number 7", timeout=15_000)
            expect(page.locator(".tt-monitors")).to_contain_text(controls.strategy_name("power_sharing"))
    finally:
        for context in (first_context, second_context, boss_context):
            context.close()


# --- the server ------------------------------------------------------------------------------------------------
def test_diagnostics_are_not_reachable_from_the_room_without_its_code(dashboard):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(dashboard + "resourcez?verbose")
    assert refused.value.code == 404
    with urllib.request.urlopen(dashboard + f"resourcez?code={ROOM_CODE}") as answer:
        assert "kernels" in answer.read().decode()


def _participant_socket(url: str):
    """An open connection like a participant's page (it keeps the server's graceful shutdown waiting)."""
    from websockets.sync.client import connect

    with urllib.request.urlopen(url) as answer:
        cookie = answer.headers.get("Set-Cookie", "").split(";")[0]
    address = url.replace("http", "ws", 1) + f"jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}"
    return connect(address, additional_headers={"Cookie": cookie})


def test_one_ctrl_c_or_sigterm_stops_the_server_with_a_participant_connected(tmp_path):
    with (tmp_path / "server.log").open("w") as log:
        for sig in (signal.SIGINT, signal.SIGTERM):
            server, url = _start(log)
            with _participant_socket(url):
                os.killpg(server.pid, sig)
                assert server.wait(timeout=serve.SHUTDOWN_GRACE + 30) in (0, -sig, 128 + sig)


def test_a_second_ctrl_c_ends_the_process_at_once_and_the_first_sets_a_deadline(monkeypatch):
    import uvicorn

    exits: list[int] = []
    timers: list[tuple[float, tuple]] = []

    class Timer:
        def __init__(self, seconds, function, args=()):
            timers.append((seconds, args))
            self.daemon = False

        def start(self):
            pass

    monkeypatch.setattr(serve.os, "_exit", exits.append)
    monkeypatch.setattr(serve.threading, "Timer", Timer)
    server = serve._server_class()(uvicorn.Config(app=None))
    server.handle_exit(signal.SIGINT, None)
    assert server.should_exit and exits == [] and timers == [(serve.SHUTDOWN_GRACE, (128 + signal.SIGINT,))]
    server.handle_exit(signal.SIGINT, None)
    assert exits == [128 + signal.SIGINT]
