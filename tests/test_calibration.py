"""ABC-SMC calibration: a toy problem with a known answer, the posterior file, and scenario draws from it."""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from experiments.calibration import (
    BAND_GRID,
    CALIBRATED,
    CALIBRATION_DIR,
    POSTERIOR_META,
    TOY_PRIOR,
    TOY_TARGETS,
    FloorStop,
    Generation,
    ModelSimulator,
    Prior,
    _kernel_covariance,
    _kernel_density,
    _propose,
    abc_smc,
    convergence,
    distance,
    fitted_band,
    linear_sensitivity,
    model_targets,
    noise_floor,
    posterior_structure,
    summarise,
    toy_simulate,
    weighted_quantile,
)
from model import load_scenario, params, paramtable
from model.scenario import ScenarioError, draw_from_posterior, read_posterior


@pytest.fixture(scope="module")
def toy():
    return abc_smc(toy_simulate, TOY_PRIOR, TOY_TARGETS, population=100, generations=6, max_simulations=4000, seed=1)


# --- the sampler on a problem with a known answer ------------------------------------
def test_toy_posterior_concentrates_near_the_truth(toy) -> None:
    summary = summarise(toy)["parameters"]
    assert summary["a"]["median"] == pytest.approx(0.3, abs=0.05)
    assert summary["b"]["median"] == pytest.approx(0.7, abs=0.05)
    for name in ("a", "b"):
        assert summary[name]["q05"] < summary[name]["median"] < summary[name]["q95"]
        assert summary[name]["narrowed"], "a 90% interval at most half the prior's"


def test_toy_tolerances_shrink_and_weights_are_normalised(toy) -> None:
    epsilons = [g.epsilon for g in toy.generations]
    assert math.isinf(epsilons[0])
    assert all(later < earlier for earlier, later in itertools.pairwise(epsilons[1:]))
    for generation in toy.generations:
        assert generation.weights.sum() == pytest.approx(1.0)
        assert (generation.weights > 0).all()
        assert (generation.distances <= generation.epsilon).all()
        assert ((generation.theta >= 0.0) & (generation.theta <= 1.0)).all()


def test_toy_posterior_frame_has_the_declared_columns(toy) -> None:
    frame = toy.posterior()
    assert list(frame.columns) == [*POSTERIOR_META, "a", "b"]
    assert len(frame) == 100


def test_same_seed_same_posterior_for_any_number_of_workers(toy) -> None:
    parallel = abc_smc(
        toy_simulate, TOY_PRIOR, TOY_TARGETS, population=100, generations=6, max_simulations=4000, seed=1, workers=2
    )
    assert np.array_equal(parallel.final.theta, toy.final.theta)
    assert np.array_equal(parallel.final.weights, toy.final.weights)


def test_the_budget_stops_the_sampler_before_a_generation_it_cannot_pay_for() -> None:
    result = abc_smc(toy_simulate, TOY_PRIOR, TOY_TARGETS, population=50, generations=20, max_simulations=300, seed=2)
    assert sum(g.simulations for g in result.generations) <= 300
    assert len(result.generations) < 20
    with pytest.raises(ValueError, match="at least the population"):
        abc_smc(toy_simulate, TOY_PRIOR, TOY_TARGETS, population=50, max_simulations=10)


# --- the pieces ----------------------------------------------------------------------
def test_distance_is_the_rms_of_scaled_misses() -> None:
    assert distance({"x": 0.4, "y": 0.7}, TOY_TARGETS) == pytest.approx(math.sqrt((2.0**2 + 0.0) / 2))
    assert distance({"x": math.nan, "y": 0.7}, TOY_TARGETS) == math.inf
    assert distance({"y": 0.7}, TOY_TARGETS) == math.inf


def test_weighted_quantiles_of_equal_and_unequal_weights() -> None:
    values = np.array([1.0, 2.0, 3.0])
    assert weighted_quantile(values, np.ones(3), 0.5)[0] == pytest.approx(2.0)
    assert weighted_quantile(values, np.array([0.0, 0.0, 1.0]), 0.5)[0] == pytest.approx(3.0)


def test_the_kernel_is_the_multivariate_normal_density() -> None:
    centre, covariance = np.array([[0.9]]), np.array([[0.09]])
    mass, _ = integrate.quad(lambda u: _kernel_density(np.array([[u]]), centre, covariance)[0, 0], -np.inf, np.inf)
    assert mass == pytest.approx(1.0, abs=1e-6)
    centres = np.array([[0.2, 0.3], [0.6, 0.5]])
    covariance = np.array([[0.04, 0.03], [0.03, 0.05]])
    points = np.array([[0.25, 0.35], [0.9, 0.1], [0.5, 0.5]])
    expected = np.column_stack([stats.multivariate_normal(c, covariance).pdf(points) for c in centres])
    assert np.allclose(_kernel_density(points, centres, covariance), expected)


def test_the_kernel_follows_the_previous_generations_correlation() -> None:
    rng = np.random.default_rng(0)
    a = rng.random(400)
    previous = Generation(1.0, np.column_stack([a, 0.2 + 0.6 * a]), np.full(400, 1 / 400), np.zeros(400), [], 400)
    covariance = _kernel_covariance(previous, TOY_PRIOR)
    assert covariance[0, 1] / math.sqrt(covariance[0, 0] * covariance[1, 1]) == pytest.approx(1.0, abs=1e-6)
    assert covariance[0, 0] == pytest.approx(2 * np.var(a), rel=1e-6)


def test_proposals_stay_inside_the_prior_box_and_are_reproducible() -> None:
    previous = Generation(1.0, np.array([[0.01, 0.99], [0.5, 0.5]]), np.array([0.5, 0.5]), np.zeros(2), [], 2)
    covariance = np.eye(2) * 0.05
    first = _propose(np.random.default_rng(3), previous, TOY_PRIOR, covariance, 500)
    again = _propose(np.random.default_rng(3), previous, TOY_PRIOR, covariance, 500)
    assert first.shape == (500, 2) and np.array_equal(first, again)
    assert ((first >= 0.0) & (first <= 1.0)).all()


def test_fitted_band_inverts_the_dissatisfied_curve() -> None:
    shares = {f"dissatisfied@{b:g}": 30.0 - 100.0 * b for b in BAND_GRID}
    assert fitted_band(shares, 20.0) == pytest.approx(0.1)
    assert fitted_band(shares, 50.0) == pytest.approx(0.0)  # clipped to the grid


def test_calibration_targets_and_priors_come_from_the_declarations() -> None:
    targets = model_targets()
    assert targets["tp01"] == (71.0, 3.6)
    prior = Prior.declared()
    assert prior.names == CALIBRATED
    for name, low, high in zip(prior.names, prior.low, prior.high, strict=True):
        assert (low, high) == (params.get(name).low, params.get(name).high)
        assert not params.get(name).lever, "levers are choices, not facts to calibrate"


def test_a_tiny_model_calibration_runs_in_seconds() -> None:
    simulate = ModelSimulator(homes=100, weeks=52)
    result = abc_smc(
        simulate, Prior.declared(), model_targets(), population=4, generations=2, max_simulations=40, seed=3
    )
    frame = result.posterior()
    assert list(frame.columns) == [*POSTERIOR_META, *CALIBRATED]
    for name in CALIBRATED:
        assert frame[name].between(params.get(name).low, params.get(name).high).all()
    assert set(model_targets()) <= set(result.final.stats[0])


# --- the committed calibration ------------------------------------------------------------
committed = pytest.mark.skipif(not (CALIBRATION_DIR / "posterior.csv").is_file(), reason="no committed calibration yet")


@committed
def test_committed_posterior_has_the_declared_columns_and_respects_the_bounds() -> None:
    frame = pd.read_csv(CALIBRATION_DIR / "posterior.csv")
    assert list(frame.columns) == [*POSTERIOR_META, *CALIBRATED]
    assert frame["weight"].sum() == pytest.approx(1.0, abs=1e-4)
    for name in CALIBRATED:
        assert frame[name].between(params.get(name).low, params.get(name).high).all()


@committed
def test_committed_summary_agrees_with_the_posterior_and_the_declarations() -> None:
    summary = json.loads((CALIBRATION_DIR / "summary.json").read_text(encoding="utf-8"))
    for name in CALIBRATED:
        entry = summary["parameters"][name]
        assert entry["q05"] <= entry["median"] <= entry["q95"]
        declared = params.get(name)
        if entry["narrowed"]:
            assert declared.default == pytest.approx(entry["median"], rel=0.05), f"{name}: default not updated"
            assert "calibrated" in declared.source
        else:
            assert "calibrated" not in declared.source
    assert summary["settings"]["seed"] and summary["versions"]["numpy"]


# --- scenarios drawing from a posterior -----------------------------------------------------
def _posterior_file(tmp_path: Path, rows: list[dict[str, float]]) -> Path:
    path = tmp_path / "post.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _scenario_file(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "s.toml"
    path.write_text(f'description = "with a posterior"\nposterior = "post.csv"\n{body}', encoding="utf-8")
    return path


def test_a_scenario_draws_one_particle_per_seed_from_its_posterior(tmp_path: Path) -> None:
    rows = [
        {"particle": 0, "weight": 0.5, "distance": 1.0, "initial_trust": 0.4, "treatment_quality": 0.6},
        {"particle": 1, "weight": 0.5, "distance": 1.0, "initial_trust": 0.8, "treatment_quality": 0.9},
    ]
    _posterior_file(tmp_path, rows)
    scenario = load_scenario(_scenario_file(tmp_path), homes=200)
    assert scenario.posterior == str((tmp_path / "post.csv").resolve())
    drawn = [draw_from_posterior(scenario, seed).params for seed in range(40)]
    pairs = {(d["initial_trust"], d["treatment_quality"]) for d in drawn}
    assert pairs == {(0.4, 0.6), (0.8, 0.9)}, "whole particles are drawn, never mixed"
    assert draw_from_posterior(scenario, 7) == draw_from_posterior(scenario, 7)
    assert all(d["homes"] == 200 for d in drawn)
    assert "posterior_sha256" in scenario.to_dict()


def test_a_zero_weight_particle_is_never_drawn_and_explicit_values_are_kept(tmp_path: Path) -> None:
    rows = [
        {"weight": 0.0, "initial_trust": 0.3, "treatment_quality": 0.5},
        {"weight": 1.0, "initial_trust": 0.7, "treatment_quality": 0.8},
    ]
    _posterior_file(tmp_path, rows)
    scenario = load_scenario(_scenario_file(tmp_path, "[parameters]\ntreatment_quality = 0.45\n"))
    for seed in range(10):
        drawn = draw_from_posterior(scenario, seed).params
        assert drawn["initial_trust"] == 0.7
        assert drawn["treatment_quality"] == 0.45


def test_a_scenario_without_a_posterior_is_unchanged() -> None:
    scenario = load_scenario("baseline", homes=100)
    assert draw_from_posterior(scenario, 1) is scenario
    assert "posterior" not in scenario.to_dict()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"weight": 1.0, "initial_trust": 1.5}], "key 'initial_trust' = 1.5 is out of range"),
        ([{"weight": 1.0, "happiness": 0.5}], "unknown column 'happiness'"),
        ([{"weight": -1.0, "initial_trust": 0.5}], "'weight' must be non-negative"),
        ([{"initial_trust": 0.5}], "needs a 'weight' column"),
    ],
)
def test_bad_posterior_files_are_refused_at_load(tmp_path: Path, rows: list[dict], message: str) -> None:
    read_posterior.cache_clear()
    _posterior_file(tmp_path, rows)
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_scenario_file(tmp_path))


def test_a_missing_posterior_file_is_refused_with_the_key(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('posterior = "nowhere.csv"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape("key 'posterior' = 'nowhere.csv': no such file")):
        load_scenario(path)


# --- provenance in the parameter table ------------------------------------------------------
def test_the_parameter_table_shows_posterior_medians_for_calibrated_parameters_only() -> None:
    posterior = {"initial_trust": {"median": 0.61, "q05": 0.55, "q95": 0.66, "narrowed": True}}
    table = paramtable.markdown_table(posterior=posterior)
    row = next(line for line in table.splitlines() if line.startswith("| `initial_trust` |"))
    assert row.endswith("| 0.61 (0.55–0.66) |")
    other = next(line for line in table.splitlines() if line.startswith("| `homes` |"))
    assert other.endswith("| — |")
    wide = {"median": 0.5, "q05": 0.1, "q95": 0.9, "narrowed": False}
    assert paramtable.posterior_cell(wide) == "0.5 (0.1–0.9), not narrowed by the data"


def test_runs_and_validation_use_the_posterior_draw_for_their_seed(tmp_path: Path) -> None:
    from experiments.runner import RunSpec, run
    from experiments.validation import validate
    from model import TrustModel

    rows = [{"weight": 1.0, "initial_trust": 0.31, "treatment_quality": 0.91}]
    _posterior_file(tmp_path, rows)
    read_posterior.cache_clear()
    scenario = load_scenario(_scenario_file(tmp_path), homes=150)
    summary = run(RunSpec(scenario, seed=4, weeks=20)).summary
    model = TrustModel(draw_from_posterior(scenario, 4), rng=4)
    model.run_for(20)
    assert summary == model.summary()
    assert summary != run(RunSpec(load_scenario("baseline", homes=150), seed=4, weeks=20)).summary
    checked = validate(replications=2, homes=150, weeks=52, seed=1, scenario=_scenario_file(tmp_path))
    assert checked.runs["param:initial_trust"].tolist() == [0.31, 0.31]
    assert checked.runs["param:treatment_quality"].tolist() == [0.91, 0.91]


def test_calibrate_command_writes_posterior_summary_and_plots(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from experiments import cli

    argv = ["calibrate", "--homes", "100", "--weeks", "52", "--population", "4", "--generations", "2"]
    status = cli.main([*argv, "--max-simulations", "40", "--workers", "1", "--out", str(tmp_path), "--quiet"])
    assert status == 0
    for name in ("posterior.csv", "summary.json", "history.csv", "fit.csv", "posterior.png", "fit.png"):
        assert (tmp_path / name).is_file(), name
    frame = pd.read_csv(tmp_path / "posterior.csv")
    assert list(frame.columns) == [*POSTERIOR_META, *CALIBRATED]
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["settings"]["homes"] == 100 and summary["model_sources_sha256"]
    assert set(summary["parameters"]) == set(CALIBRATED)
    assert "median" in capsys.readouterr().out
    assert cli.main(["calibrate", "--population", "1"]) == 2


# --- what the targets pin down, and convergence ---------------------------------------------
def _prior_generation(simulate, n: int = 400, seed: int = 0) -> Generation:
    unit = np.random.default_rng(seed).random((n, 2))
    rows = [simulate({"a": float(a), "b": float(b)}, i) for i, (a, b) in enumerate(unit)]
    return Generation(math.inf, unit, np.full(n, 1 / n), np.zeros(n), rows, n)


def _sum_only(values, seed):
    """Only a + b is observed: the targets see one combination and not the other."""
    return {"x": values["a"] + values["b"], "y": values["a"] + values["b"]}


def test_linear_sensitivity_recovers_a_known_jacobian() -> None:
    found = linear_sensitivity(_prior_generation(toy_simulate), TOY_PRIOR, TOY_TARGETS)
    # x = a + noise, tolerance 0.05: crossing a's prior moves x by 1 / 0.05 = 20 tolerances, and b not at all.
    assert found["jacobian"]["a"]["x"] == pytest.approx(20.0, rel=0.02)
    assert found["jacobian"]["b"]["x"] == pytest.approx(0.0, abs=0.3)
    assert [d["singular_value"] for d in found["directions"]] == pytest.approx([20.0, 20.0], rel=0.03)
    assert found["r2"]["x"] > 0.99


def test_linear_sensitivity_finds_the_combination_the_targets_cannot_see() -> None:
    found = linear_sensitivity(_prior_generation(_sum_only), TOY_PRIOR, TOY_TARGETS)
    seen, unseen = found["directions"]
    assert seen["singular_value"] == pytest.approx(20.0 * math.sqrt(2) * math.sqrt(2), rel=1e-6)
    assert unseen["singular_value"] == pytest.approx(0.0, abs=1e-6)
    assert abs(unseen["loadings"]["a"]) == pytest.approx(abs(unseen["loadings"]["b"]), abs=1e-3)
    assert unseen["loadings"]["a"] == pytest.approx(-unseen["loadings"]["b"], abs=1e-3)


def test_posterior_structure_marks_a_ridge_as_a_constrained_combination() -> None:
    a = np.linspace(0.1, 0.9, 200)
    ridge = Generation(0.5, np.column_stack([a, 1.0 - a]), np.full(200, 1 / 200), np.zeros(200), [], 200)
    found = posterior_structure(ridge, TOY_PRIOR)
    assert found["correlations"]["a"]["b"] == pytest.approx(-1.0, abs=1e-3)
    narrow, wide = found["directions"]
    assert narrow["constrained"] and narrow["sd_ratio"] == pytest.approx(0.0, abs=1e-3)
    assert narrow["loadings"]["a"] == pytest.approx(narrow["loadings"]["b"], abs=1e-3)
    assert not wide["constrained"]
    assert wide["sd_ratio"] == pytest.approx(math.sqrt(2) * np.std(a) * math.sqrt(12), rel=1e-3)


def test_noise_floor_measures_seed_noise_and_names_the_misses() -> None:
    floor = noise_floor(toy_simulate, {"a": 0.3, "b": 0.9}, TOY_TARGETS, runs=200, seed=4)
    assert floor["targets"]["x"]["mean_miss"] == pytest.approx(0.0, abs=0.1)
    assert floor["targets"]["y"]["mean_miss"] == pytest.approx(4.0, abs=0.1)  # (0.9 - 0.7) / 0.05
    assert floor["targets"]["x"]["sd_miss"] == pytest.approx(0.4, rel=0.15)  # 0.02 / 0.05
    assert floor["q10"] <= floor["median"] <= floor["q90"]
    assert floor == noise_floor(toy_simulate, {"a": 0.3, "b": 0.9}, TOY_TARGETS, runs=200, seed=4)


def test_convergence_is_the_tolerance_reaching_the_noise_floor(toy) -> None:
    floor = {"median": toy.final.epsilon + 0.01, "targets": {"x": {"mean_miss": 0.1}, "y": {"mean_miss": -2.5}}}
    verdict = convergence(toy, floor)
    assert verdict["converged"]
    assert "y by -2.50 tolerances" in verdict["reason"] and "x by" not in verdict["reason"]
    floor["median"] = toy.final.epsilon - 0.01
    verdict = convergence(toy, floor)
    assert not verdict["converged"] and "stopped by the generation limit" in verdict["reason"]


def test_the_floor_stop_ends_the_sampler_once_the_tolerance_reaches_seed_noise() -> None:
    stop = FloorStop(toy_simulate, TOY_PRIOR.names, TOY_TARGETS, runs=40, seed=1)
    result = abc_smc(
        toy_simulate, TOY_PRIOR, TOY_TARGETS, population=100, generations=30, max_simulations=20000, seed=1, stop=stop
    )
    assert result.settings["stopped_by"].startswith("convergence")
    assert len(result.generations) < 30
    medians = summarise(result)["parameters"]
    floor = noise_floor(toy_simulate, {n: medians[n]["median"] for n in TOY_PRIOR.names}, TOY_TARGETS, runs=40, seed=1)
    assert result.final.epsilon <= floor["median"] * 1.2


def test_the_acceptance_rate_counts_every_candidate_within_the_tolerance(toy) -> None:
    for generation in toy.generations[1:]:
        within = generation.hits
        assert within >= len(generation.weights)
        assert generation.acceptance_rate == pytest.approx(within / generation.simulations)
    # Generation 1 expects half its candidates within the median distance: one batch of two populations.
    assert toy.generations[1].simulations == 2 * len(toy.generations[1].weights)


FITS = ("evidence-v2", "evidence-v3", "evidence-v4")


@pytest.mark.parametrize("fit", FITS)
def test_each_committed_fit_records_its_verdict_and_agrees_with_its_posterior(fit: str) -> None:
    folder = CALIBRATION_DIR / fit
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    frame = pd.read_csv(folder / "posterior.csv")
    assert len(frame) == summary["posterior_rows"]
    verdict = summary["convergence"]
    assert verdict["converged"] is (verdict["epsilon"] <= summary["noise_floor"]["median"])
    assert verdict["epsilon"] == pytest.approx(summary["generations"][-1]["epsilon"])
    for name in CALIBRATED:
        q05, q95 = weighted_quantile(frame[name].to_numpy(), frame["weight"].to_numpy(), [0.05, 0.95])
        assert (q05, q95) == pytest.approx(
            (summary["parameters"][name]["q05"], summary["parameters"][name]["q95"]), rel=1e-4
        )
    directions = summary["posterior_structure"]["directions"]
    assert [d["sd_ratio"] for d in directions] == sorted(d["sd_ratio"] for d in directions)


def test_the_evidence_v4_fit_converged_after_being_resumed() -> None:
    summary = json.loads((CALIBRATION_DIR / "evidence-v4" / "summary.json").read_text(encoding="utf-8"))
    assert summary["convergence"]["converged"] and summary["settings"]["stopped_by"].startswith("convergence")
    assert summary["resumed_after_generation"] == 10
    v3 = json.loads((CALIBRATION_DIR / "evidence-v3" / "summary.json").read_text(encoding="utf-8"))
    # Same master seed and settings: the resumed run repeats Evidence v3's generations, then goes on. They ran
    # on different processors, whose floating-point results can differ in the last bit, so floats are compared
    # to 1e-12 and counts exactly.
    for mine, theirs in zip(summary["generations"], v3["generations"], strict=False):
        assert mine["simulations"] == theirs["simulations"]
        assert mine == pytest.approx(theirs, rel=1e-12)
