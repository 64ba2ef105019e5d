"""Patterns above one landlord: the population's sampling rule, its statistics, and the documented changes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from experiments import cli, population
from experiments.population import (
    FUNDED,
    IMPROVEMENT_WEEKS,
    NARROW_PATCH,
    POOR_FIRST_TIME_FIX,
    VARIED,
    WIDE_PATCH,
    YEAR_EFFECT_SD,
    YEAR_VARIED,
    draw_landlords,
    funded_envelope,
    half_time,
    improvement_scenarios,
    landlord_ranges,
    landlord_scenario,
    patch_cut_scenarios,
    population_statistics,
    population_weeks,
    repair_jobs,
    validate_dynamics,
    validate_population,
    year_changes,
)
from experiments.validation import load_all_patterns
from model import TrustModel, params


def _patterns(level: str):
    return [p for p in load_all_patterns() if p.level == level]


# --- the sampling rule ------------------------------------------------------------------------
def test_each_landlord_draws_from_the_half_range_around_each_default() -> None:
    ranges = landlord_ranges()
    p = params.get("initial_trust")
    assert ranges["initial_trust"] == pytest.approx(
        (p.default - 0.5 * (p.default - p.low), p.default + 0.5 * (p.high - p.default))
    )
    landlords = draw_landlords(200, seed=9)
    for name in VARIED:
        values = np.array([d[name] for d in landlords])
        low, high = ranges[name]
        assert ((values >= low) & (values <= high)).all()
        assert values.std() > 0.2 * (high - low), f"{name}: drawn across its range"
    assert not any(params.get(name).lever for name in VARIED), "strategy levers are not varied"


def test_the_median_landlord_has_every_default() -> None:
    landlords = draw_landlords(400, seed=4)
    for name in VARIED:
        default = params.get(name).default
        below = np.mean([d[name] < default for d in landlords])
        assert 0.42 < below < 0.58, f"{name}: {below:.2f} of landlords below the default"


def test_each_landlord_pays_for_its_own_repairs() -> None:
    assert FUNDED not in VARIED
    default = params.get(FUNDED).default
    assert funded_envelope({}) == pytest.approx(default)
    assert repair_jobs({"first_time_fix": 0.5}) == pytest.approx(2 * repair_jobs({"first_time_fix": 1.0}))
    # Twice the jobs: the money left for repairs doubles, the spending before repairs stays.
    twice = {"repairs_per_home_year": 2 * params.get("repairs_per_home_year").default}
    other = default - (funded_envelope(twice) - default)
    assert funded_envelope(twice) - other == pytest.approx(2 * (default - other))
    assert 0 < other < default
    for landlord in draw_landlords(20, seed=5):
        assert landlord[FUNDED] == pytest.approx(funded_envelope(landlord))


def test_a_landlords_operations_move_each_year_within_their_bounds() -> None:
    values = {"repair_job_weeks": 1.2, "first_time_fix": 0.97}
    changes = year_changes(values, 400, landlord=2, seed=6)
    assert [c.week for c in changes] == [52 * k for k in range(400)]
    assert year_changes(values, 400, landlord=2, seed=6) == changes
    assert year_changes(values, 400, landlord=3, seed=6) != changes
    assert year_changes(values, 10, landlord=2, seed=6) == changes[:10], "a year does not depend on how many"
    for name in YEAR_VARIED:
        declared = params.get(name)
        moved = np.array([c.values[name] for c in changes])
        assert ((moved >= declared.low) & (moved <= declared.high)).all()
    log_effects = np.log([c.values["repair_job_weeks"] for c in changes]) - np.log(1.2)
    assert abs(np.std(log_effects) - YEAR_EFFECT_SD) < 0.05  # truncated only far below the bound of 1 week
    scenario = landlord_scenario(values, 200, 3, landlord=2, seed=6)
    assert scenario.schedule == changes[:3] and scenario.params["repair_job_weeks"] == 1.2


def test_the_population_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    assert draw_landlords(5, seed=1) == draw_landlords(5, seed=1)
    assert draw_landlords(5, seed=1) != draw_landlords(5, seed=2)
    assert draw_landlords(5, seed=1) == draw_landlords(8, seed=1)[:5]
    with pytest.raises(ValueError, match="3 or more landlords"):
        draw_landlords(2)


def test_each_run_length_is_observed_with_the_year_before_it() -> None:
    assert population_weeks([104, 520]) == (52, 104, 468, 520)
    assert population_weeks([52]) == (52,)


# --- the statistics, on scripted landlords ----------------------------------------------------
def _landlord(tp01: float, tp06: float, tp02: float, margin: float) -> dict[str, float]:
    return {"tp01": tp01, "tp06": tp06, "tp02": tp02, "tp06_margin": margin}


def test_population_statistics_are_exact_on_scripted_landlords() -> None:
    now = [_landlord(60, 50, 70, 2.0), _landlord(70, 55, 72, -1.0), _landlord(80, 70, 90, 3.0)]
    before = [_landlord(58, 50, 70, 0), _landlord(70, 55, 72, 0), _landlord(84, 70, 90, 0)]
    found = population_statistics(now, before)
    assert found["spread_tp01"] == pytest.approx(10.0)
    assert found["spread_tp06"] == pytest.approx(np.std([50, 55, 70], ddof=1))
    assert found["corr_tp01_tp06"] == pytest.approx(np.corrcoef([60, 70, 80], [50, 55, 70])[0, 1])
    assert found["corr_tp01_tp02"] == pytest.approx(np.corrcoef([60, 70, 80], [70, 72, 90])[0, 1])
    assert found["share_tp06_lowest"] == pytest.approx(200 / 3)
    assert found["median_tp01_minus_tp06"] == pytest.approx(10.0)
    assert found["yoy_rms_tp01"] == pytest.approx(math.sqrt((4 + 0 + 16) / 3))


def test_a_correlation_without_spread_is_undefined() -> None:
    flat = [_landlord(70, 50 + i, 70, 1.0) for i in range(3)]
    assert math.isnan(population_statistics(flat, flat)["corr_tp01_tp06"])


def test_half_time_is_the_first_week_at_half_the_last_effect() -> None:
    assert half_time([0.0, 1.0, 2.0, 3.0, 4.0], [13, 26, 39, 52, 65]) == 39
    assert half_time([3.0, 4.0, 4.0], [13, 26, 39]) == 13
    assert math.isnan(half_time([1.0, -0.5], [13, 26]))


# --- the documented changes ---------------------------------------------------------------------
def test_the_repairs_improvement_starts_poor_and_improves_at_week_0() -> None:
    before, after = improvement_scenarios(500)
    assert before.params["first_time_fix"] == after.params["first_time_fix"] == POOR_FIRST_TIME_FIX
    assert not before.schedule
    (change,) = after.schedule
    assert change.week == 0 and change.values == {"first_time_fix": params.get("first_time_fix").default}


def test_the_patch_cut_pays_for_its_extra_officers() -> None:
    wide, cut = patch_cut_scenarios(500)
    assert wide.params["patch_size"] == cut.params["patch_size"] == WIDE_PATCH
    (change,) = cut.schedule
    cost = params.get("officer_cost").default * (1 / NARROW_PATCH - 1 / WIDE_PATCH)
    assert change.week == 0 and change.values["patch_size"] == NARROW_PATCH
    assert change.values["envelope_per_home"] == pytest.approx(params.get("envelope_per_home").default + cost)


# --- end to end, small ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_population():
    return validate_population(_patterns("population"), (52, 104), landlords=6, homes=200, seed=3, resamples=50)


def test_population_rows_cover_every_pattern_at_every_run_length(small_population) -> None:
    rows, records = small_population
    assert [(r["pattern"], r["weeks"]) for r in rows] == [
        (p.name, w) for w in (52, 104) for p in _patterns("population")
    ]
    yoy = [r for r in rows if r["statistic"] == "yoy_rms_tp01"]
    assert yoy[0]["observed"] is None and yoy[1]["observed"] is not None  # no year before week 52
    assert {r["landlord"] for r in records} == set(range(6))
    assert all(r["level"] == "population" for r in rows)


def test_the_population_does_not_depend_on_the_number_of_workers(small_population) -> None:
    parallel = validate_population(
        _patterns("population"), (52, 104), landlords=6, homes=200, seed=3, workers=2, resamples=50
    )
    assert parallel[0] == small_population[0]


def test_dynamic_rows_and_their_run_lengths() -> None:
    rows = validate_dynamics(_patterns("dynamic"), (104,), pairs=2, homes=200, seed=3)
    assert [(r["pattern"], r["weeks"]) for r in rows] == [
        ("repairs_gain_takes_time", IMPROVEMENT_WEEKS),
        ("patch_cut_raises_satisfaction", 104),
        ("tenant_management_more_satisfied", 104),
        ("tenant_management_first_year_gain", 52),
    ]


def test_the_tenant_management_change_starts_from_the_same_settled_estate() -> None:
    """Common random numbers: the two landlords are the same at week 0, and differ only in who runs the estates."""
    without, with_tmos = population.tenant_management_scenarios(600)
    assert without.params["governance"] == 0 and with_tmos.params["governance"] == 1
    rest = {k: v for k, v in with_tmos.params.items() if k != "governance"}
    assert rest == {k: v for k, v in without.params.items() if k != "governance"}
    a, b = (TrustModel(s, rng=7, record_weekly=False) for s in (without, with_tmos))
    np.testing.assert_array_equal(a.households.trust, b.households.trust)


def test_validate_command_reports_every_level_and_role(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["validate", "--replications", "2", "--homes", "200", "--years", "1,2", "--landlords", "4"]
    argv += ["--pairs", "2", "--population-homes", "200", "--workers", "1", "--out", str(tmp_path)]
    status = cli.main(argv)
    out = capsys.readouterr().out
    for heading in ("== landlord patterns ==", "== population patterns ==", "== dynamic patterns =="):
        assert heading in out
    assert "Passed at every run length, by role:" in out and "held-out" in out
    record = json.loads((tmp_path / "validation.json").read_text(encoding="utf-8"))
    assert {r["level"] for r in record["patterns"]} == {"landlord", "population", "dynamic"}
    assert status == (0 if record["passed"] else 1)
    assert (tmp_path / "landlords.csv").is_file() and (tmp_path / "runs.csv").is_file()
    for bad, message in ((["--years", "0"], "years from 1 to 50"), (["--levels", "galaxy"], "allowed: any of")):
        with pytest.raises(SystemExit) as stopped:
            cli.main(["validate", *bad])
        assert stopped.value.code == 2 and message in capsys.readouterr().err


def test_the_module_declares_what_it_varies() -> None:
    assert set(VARIED) <= set(params.defaults())
    assert set(YEAR_VARIED) <= set(VARIED) and set(YEAR_VARIED.values()) <= {"log", "logit"}
    assert population.SPREAD == 0.5
