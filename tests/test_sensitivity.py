"""The sensitivity pipeline checked against functions with known answers (after SALib's own tests)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from SALib.sample import fast_sampler, latin, morris, sobol
from SALib.test_functions import Ishigami

from experiments import sensitivity as sa

PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def fresh_problem() -> dict:
    """SALib's samplers add keys to the problem they are given: hand each a copy."""
    return {key: list(value) if isinstance(value, list) else value for key, value in PROBLEM.items()}


def ishigami_analytic(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """Sobol' indices of Ishigami-Homma: V1 = (1 + b pi^4/5)^2 / 2, V2 = a^2/8, V13 = 8 b^2 pi^8 / 225."""
    v1, v2, v13 = 0.5 * (1 + b * np.pi**4 / 5) ** 2, a**2 / 8, 8 * b**2 * np.pi**8 / 225
    v = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / v, "x2": v2 / v, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / v, "x2": v2 / v, "x3": v13 / v},
        "S2": {"x1×x2": 0.0, "x1×x3": v13 / v, "x2×x3": 0.0},
    }


def table(indices: pd.DataFrame, index: str, column: str = "value") -> dict[str, float]:
    rows = indices[indices["index"] == index]
    return dict(zip(rows["parameter"], rows[column], strict=True))


@pytest.fixture(scope="module")
def saltelli() -> tuple[np.ndarray, np.ndarray]:
    x = sobol.sample(fresh_problem(), 1024, calc_second_order=True, seed=7)
    return x, Ishigami.evaluate(x)


@pytest.fixture(scope="module")
def lhs() -> tuple[np.ndarray, np.ndarray]:
    x = latin.sample(fresh_problem(), 1000, seed=11)
    return x, Ishigami.evaluate(x)


def designs() -> dict[str, tuple[np.ndarray, dict]]:
    """A small design of the right kind for every method, and its analyse() options."""
    return {
        "sobol": (sobol.sample(fresh_problem(), 64, calc_second_order=True, seed=1), {"second_order": True}),
        "morris": (morris.sample(fresh_problem(), 20, num_levels=4, seed=1), {"num_levels": 4}),
        "fast": (fast_sampler.sample(fresh_problem(), 65, seed=1), {}),
        "delta": (latin.sample(fresh_problem(), 200, seed=1), {}),
        "pawn": (latin.sample(fresh_problem(), 200, seed=1), {}),
    }


def test_analytic_helper_matches_published_ishigami_values():
    truth = ishigami_analytic()
    assert [round(truth["S1"][p], 4) for p in ("x1", "x2", "x3")] == [0.3139, 0.4424, 0.0]
    assert [round(truth["ST"][p], 4) for p in ("x1", "x2", "x3")] == [0.5576, 0.4424, 0.2437]


@pytest.mark.parametrize("index", ["S1", "ST", "S2"])
def test_sobol_recovers_ishigami_indices_within_their_intervals(saltelli, index):
    x, y = saltelli
    found = sa.analyse(PROBLEM, x, y, "sobol", second_order=True, seed=3)
    truth = ishigami_analytic()[index]
    value, low, high = table(found, index), table(found, index, "ci_low"), table(found, index, "ci_high")
    assert set(value) == set(truth)
    for name, expected in truth.items():
        assert value[name] == pytest.approx(expected, abs=0.05), name
        assert low[name] - 0.01 <= expected <= high[name] + 0.01, name


@pytest.mark.filterwarnings("ignore:FAST confidence intervals")
def test_fast_recovers_ishigami_indices():
    x = fast_sampler.sample(fresh_problem(), 1000, seed=5)
    found = sa.analyse(PROBLEM, x, Ishigami.evaluate(x), "fast", num_resamples=100)
    truth = ishigami_analytic()
    for index in ("S1", "ST"):
        assert table(found, index) == pytest.approx(truth[index], abs=0.05)


def test_morris_mu_star_matches_its_four_level_analytic_values():
    """With 4 levels on [-pi, pi] every step joins -pi and pi/3, or -pi/3 and pi (step 2/3 of the range).

    x2's effect 7 (sin^2 u - sin^2 l) / (2/3) is 7.875 in size at every step, whatever
    the other inputs; x1's is |sin u - sin l| (1 + 0.1 x3^4) / (2/3) and x3's
    0.1 (u^4 - l^4) |sin x1| / (2/3), averaged over the other input's four levels.
    x3 has no first-order effect yet a large mu_star and sigma > mu_star: it acts only
    through its interaction with x1, which Morris sees and S1 does not.
    """
    x = morris.sample(fresh_problem(), 1000, num_levels=4, seed=2)
    found = sa.analyse(PROBLEM, x, Ishigami.evaluate(x), "morris", num_levels=4, num_resamples=200)
    levels, step = np.pi * np.array([-1, -1 / 3, 1 / 3, 1]), 2 / 3
    expected = {
        "x1": np.sin(np.pi / 3) * np.mean(1 + 0.1 * levels**4) / step,
        "x2": 7 * np.sin(np.pi / 3) ** 2 / step,
        "x3": 0.1 * (np.pi**4 - (np.pi / 3) ** 4) * np.mean(np.abs(np.sin(levels))) / step,
    }
    mu_star, sigma = table(found, "mu_star"), table(found, "sigma")
    assert mu_star["x2"] == pytest.approx(7.875, rel=1e-9)
    assert mu_star == pytest.approx(expected, abs=0.5)
    assert mu_star["x3"] < min(mu_star["x1"], mu_star["x2"])
    assert mu_star["x3"] > 0.5 * max(mu_star.values())
    assert sigma["x3"] > mu_star["x3"]


def test_delta_on_lhs_puts_x3_first_order_effect_last_but_its_delta_clearly_above_zero(lhs):
    x, y = lhs
    found = sa.analyse(PROBLEM, x, y, "delta", num_resamples=20, seed=4)
    s1, delta = table(found, "S1"), table(found, "delta")
    assert s1["x3"] < 0.05 < 0.2 < min(s1["x1"], s1["x2"])
    # moment-independent: the x1-x3 interaction changes y's distribution, so delta(x3) > 0
    assert min(delta.values()) > 0.05


@pytest.mark.parametrize("sample", ["lhs", "saltelli"])
def test_pawn_on_any_sample_ranks_x3_lowest(request, sample):
    x, y = request.getfixturevalue(sample)
    found = sa.analyse(PROBLEM, x, y, "pawn")
    median = table(found, "median")
    assert median["x3"] < min(median["x1"], median["x2"])
    assert found["ci_low"].isna().all() and found["ci_high"].isna().all()


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("method", sa.METHODS)
def test_constant_output_gives_zero_indices_without_warnings(method):
    x, options = designs()[method]
    found = sa.analyse(PROBLEM, x, np.full(len(x), 3.5), method, **options)
    expected_rows = {"sobol": 9, "morris": 6, "fast": 6, "delta": 6, "pawn": 3}[method]
    assert len(found) == expected_rows
    assert list(found.columns) == list(sa.COLUMNS)
    assert (found[["value", "ci_low", "ci_high"]] == 0.0).all().all()


def test_problem_the_morris_sampler_has_touched_is_still_accepted():
    problem = fresh_problem()
    x = morris.sample(problem, 10, num_levels=4, seed=1)
    assert problem["groups"] == problem["names"]  # SALib's sampler adds the trivial grouping
    found = sa.analyse(problem, x, Ishigami.evaluate(x), "morris", num_resamples=10)
    assert found["parameter"].tolist() == ["x1", "x2", "x3"] * 2


def test_analyse_leaves_problem_global_rng_and_warning_state_alone(lhs):
    x_morris = morris.sample(fresh_problem(), 10, num_levels=4, seed=1)
    problem = fresh_problem()
    before, formatter = np.random.get_state(), warnings.formatwarning
    sa.analyse(problem, x_morris, Ishigami.evaluate(x_morris), "morris", num_resamples=10)
    sa.analyse(problem, lhs[0][:300], lhs[1][:300], "delta", num_resamples=5)
    after = np.random.get_state()
    assert problem == fresh_problem()
    assert warnings.formatwarning is formatter
    assert np.array_equal(before[1], after[1]) and before[2] == after[2]


def test_seed_zero_is_reproducible_whatever_the_global_generator(saltelli):
    x, y = saltelli
    first = sa.analyse(PROBLEM, x, y, "sobol", second_order=True, num_resamples=100, seed=0)
    np.random.default_rng().random()
    np.random.random(17)  # SALib draws its bootstrap from this generator when seed == 0
    again = sa.analyse(PROBLEM, x, y, "sobol", second_order=True, num_resamples=100, seed=0)
    pd.testing.assert_frame_equal(first, again)


@given(scale=st.floats(1e-3, 1e3), shift=st.floats(-1e3, 1e3))
def test_sobol_indices_do_not_change_with_the_output_unit(scale, shift):
    x = sobol.sample(fresh_problem(), 128, calc_second_order=False, seed=5)
    y = Ishigami.evaluate(x)
    plain = sa.analyse(PROBLEM, x, y, "sobol", num_resamples=50)
    moved = sa.analyse(PROBLEM, x, scale * y + shift, "sobol", num_resamples=50)
    pd.testing.assert_frame_equal(plain, moved, check_exact=False, atol=1e-6, rtol=0)


def test_convergence_has_steps_sizes_and_ends_at_the_full_analysis(saltelli):
    x, y = saltelli
    conv = sa.convergence(PROBLEM, x, y, steps=4, second_order=True, seed=9, num_resamples=200)
    assert list(conv.columns) == list(sa.CONVERGENCE_COLUMNS)
    assert sorted(conv["n"].unique()) == [128, 256, 512, 1024]
    full = sa.analyse(PROBLEM, x, y, "sobol", second_order=True, seed=9, num_resamples=200)
    full = full[full["index"].isin(["S1", "ST"])].drop(columns="method").reset_index(drop=True)
    last = conv[conv["n"] == 1024].drop(columns="n").reset_index(drop=True)
    pd.testing.assert_frame_equal(last, full)


def test_convergence_refuses_more_halvings_than_the_sample_allows(saltelli):
    x, y = saltelli
    with pytest.raises(ValueError, match=r"steps = 11.*N = 1024"):
        sa.convergence(PROBLEM, x, y, steps=11, second_order=True)


def runs_frame() -> pd.DataFrame:
    """Two design points, two replicates each, and a failed run with a stray value."""
    return pd.DataFrame(
        {
            "run_id": [0, 1, 2, 3, 4],
            "sample_id": [0, 0, 1, 1, 1],
            "replicate": [0, 1, 0, 1, 2],
            "scenario": "baseline",
            "y": [1.0, 3.0, 9.0, 11.0, 100.0],
            "z": [2.0, 2.0, 2.0, 2.0, 2.0],
            "status": ["ok", "ok", "ok", "ok", "failed"],
        }
    )


def test_seed_noise_matches_hand_computation():
    noise = sa.seed_noise(runs_frame(), "y")
    # within points: var(1, 3) = var(9, 11) = 2; all four runs: mean 6, squares 25+9+9+25 = 68, / 3
    assert noise["noise_variance"] == pytest.approx(2.0)
    assert noise["total_variance"] == pytest.approx(68 / 3)
    assert noise["noise_share"] == pytest.approx(3 / 34)
    assert noise["replicates"] == 2


def test_seed_noise_of_constant_and_single_replicate_outcomes():
    assert sa.seed_noise(runs_frame(), "z") == {
        "noise_variance": 0.0,
        "total_variance": 0.0,
        "noise_share": 0.0,
        "replicates": 2,
    }
    single = sa.seed_noise(runs_frame().query("replicate == 0"), "y")
    assert np.isnan(single["noise_variance"]) and np.isnan(single["noise_share"])
    assert single["total_variance"] == pytest.approx(32.0)
    assert single["replicates"] == 1


def test_average_replicates_ignores_failed_runs():
    means = sa.average_replicates(runs_frame(), ["y", "z"], scenario="baseline")
    assert means.to_dict("list") == {"sample_id": [0, 1], "y": [2.0, 10.0], "z": [2.0, 2.0]}


def test_average_replicates_names_points_without_a_successful_run():
    runs = runs_frame()
    runs.loc[runs["sample_id"] == 1, "status"] = "failed"
    with pytest.raises(ValueError, match=r"no successful run for sample id\(s\) 1;"):
        sa.average_replicates(runs, ["y"])
    with pytest.raises(ValueError, match=r"sample id\(s\) 2, 3;"):
        sa.average_replicates(runs_frame(), ["y"], points=4)


def test_average_replicates_wants_one_scenario():
    runs = pd.concat([runs_frame(), runs_frame().assign(scenario="digital_first")])
    with pytest.raises(ValueError, match=r"2 scenarios \(baseline, digital_first\).*scenario="):
        sa.average_replicates(runs, ["y"])
    assert sa.average_replicates(runs, ["y"], "digital_first")["y"].tolist() == [2.0, 10.0]


def test_unknown_method_names_it_and_the_allowed_ones(lhs):
    with pytest.raises(ValueError, match=r"'sobolev'; allowed: sobol, morris, fast, delta, pawn"):
        sa.analyse(PROBLEM, *lhs, "sobolev")


def test_wrong_output_length_names_both_lengths(lhs):
    x, y = lhs
    with pytest.raises(ValueError, match=r"Y has 999 values .* X has 1000 rows"):
        sa.analyse(PROBLEM, x, y[:-1], "pawn")


def test_design_that_does_not_fit_the_method_is_refused(saltelli, lhs):
    x, y = saltelli
    with pytest.raises(ValueError, match=r"8192 design rows .* blocks of 5.*second_order=False"):
        sa.analyse(PROBLEM, x, y, "sobol")
    grouped = fresh_problem() | {"groups": ["g", "g", "x3"]}
    with pytest.raises(ValueError, match=r"8192 design rows .* blocks of 6"):  # 2 groups: 2 * 2 + 2 rows a block
        sa.analyse(grouped, x, y, "sobol", second_order=True)
    with pytest.raises(ValueError, match="not a Morris design"):
        sa.analyse(PROBLEM, lhs[0][:996], lhs[1][:996], "morris")
    with pytest.raises(ValueError, match=r"1 non-finite value.*row\(s\) 2$"):
        sa.analyse(PROBLEM, x, np.where(np.arange(len(y)) == 2, np.nan, y), "sobol", second_order=True)


def test_analyse_sweep_averages_replicates_and_measures_seed_noise():
    x = sobol.sample(fresh_problem(), 256, calc_second_order=False, seed=3)
    rng = np.random.default_rng(0)
    clean = Ishigami.evaluate(x)
    rows = [
        {"sample_id": i, "replicate": r, "scenario": "baseline", "x1": x[0], "x2": x[1], "x3": x[2],
         "y": clean[i] + rng.normal(), "flat": 5.0, "status": "ok"}
        for i, x in enumerate(x) for r in range(2)
    ]  # fmt: skip
    rows.append(rows[0] | {"replicate": 2, "y": 1e6, "status": "failed"})
    indices, noise, refused = sa.analyse_sweep(
        pd.DataFrame(rows), PROBLEM, x, ["y", "flat"], "sobol", num_resamples=100
    )
    assert list(indices.columns) == ["outcome", *sa.COLUMNS, "n_points"]
    assert (indices["n_points"] == len(x)).all() and refused.empty
    assert (indices.loc[indices["outcome"] == "flat", "value"] == 0).all()
    s1 = table(indices[indices["outcome"] == "y"], "S1")
    assert s1 == pytest.approx(ishigami_analytic()["S1"], abs=0.15)
    noise = noise.set_index("outcome")
    assert noise.loc["y", "noise_variance"] == pytest.approx(1.0, abs=0.15)
    assert noise.loc["y", "noise_share"] == pytest.approx(1.0 / noise.loc["y", "total_variance"], rel=0.15)
    assert noise.loc["flat", "noise_share"] == 0.0
    assert noise.loc["y", "replicates"] == 2


def _runs_with_undefined(x: np.ndarray, undefined: list[int]) -> pd.DataFrame:
    """One run per design point: Ishigami as ``y`` and as ``representation_ratio``, NaN at ``undefined``."""
    y = Ishigami.evaluate(x)
    ratio = np.where(np.isin(np.arange(len(x)), undefined), np.nan, y)
    frame = {"sample_id": range(len(x)), "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2], "status": "ok"}
    return pd.DataFrame(frame | {"y": y, "representation_ratio": ratio})


def test_sobol_refuses_an_outcome_undefined_in_some_runs_and_keeps_the_others():
    x = sobol.sample(fresh_problem(), 16, calc_second_order=False, seed=3)
    runs = _runs_with_undefined(x, [1, 7, 30])
    indices, _, refused = sa.analyse_sweep(runs, PROBLEM, x, ["y", "representation_ratio"], "sobol", num_resamples=50)
    assert set(indices["outcome"]) == {"y"} and indices["value"].notna().all()
    assert (indices["n_points"] == len(x)).all()
    row = refused.iloc[0]
    assert (row["outcome"], row["method"], row["undefined"], row["points"]) == ("representation_ratio", "sobol", 3, 80)
    assert row["reason"].startswith("representation_ratio is undefined in 3 of 80 design points because nobody took")
    assert "Sobol' indices need it in every design point" in row["reason"] and "drop the outcome" in row["reason"]


def test_morris_refuses_and_delta_analyses_the_defined_points_saying_how_many():
    x = morris.sample(fresh_problem(), 6, num_levels=4, seed=1)
    runs = _runs_with_undefined(x, [0])
    indices, _, refused = sa.analyse_sweep(runs, PROBLEM, x, ["representation_ratio"], "morris", num_resamples=20)
    assert indices.empty and "Morris indices need it in every design point" in refused.iloc[0]["reason"]
    x = latin.sample(fresh_problem(), 60, seed=2)
    runs = _runs_with_undefined(x, [0, 5])
    indices, _, refused = sa.analyse_sweep(runs, PROBLEM, x, ["representation_ratio"], "delta", num_resamples=10)
    assert refused.empty and (indices["n_points"] == 58).all() and indices["value"].notna().all()


def test_an_index_the_method_leaves_undefined_is_refused_not_written(monkeypatch):
    x = latin.sample(fresh_problem(), 20, seed=2)
    nan = pd.DataFrame({"parameter": ["x1"], "method": "delta", "index": "S1", "value": [np.nan]})
    monkeypatch.setattr(sa, "analyse", lambda *args, **kwargs: nan.assign(ci_low=np.nan, ci_high=np.nan))
    indices, _, refused = sa.analyse_sweep(_runs_with_undefined(x, []), PROBLEM, x, ["y"], "delta")
    assert indices.empty and refused.iloc[0]["reason"] == "y: delta returned undefined (NaN) indices for S1 of x1"


def test_analyse_sweep_refuses_a_design_other_than_the_one_run():
    x = sobol.sample(fresh_problem(), 8, calc_second_order=False, seed=3)
    runs = pd.DataFrame({"sample_id": range(len(x)), "x1": x[:, 0], "y": 1.0, "status": "ok"})
    with pytest.raises(ValueError, match=r"x1 = .* at sample id 0 in the runs but"):
        sa.analyse_sweep(runs, PROBLEM, x[::-1], ["y"], "sobol")


def test_plots_write_png_files(tmp_path, saltelli):
    x, y = saltelli
    indices = sa.analyse(PROBLEM, x, y, "sobol", second_order=True, num_resamples=50)
    conv = sa.convergence(PROBLEM, x, y, steps=3, second_order=True, num_resamples=50)
    x_morris = morris.sample(fresh_problem(), 20, num_levels=4, seed=1)
    screening = sa.analyse(PROBLEM, x_morris, Ishigami.evaluate(x_morris), "morris", num_resamples=50)
    written = [
        sa.plot_indices(indices, tmp_path / "sobol.png", "Ishigami"),
        sa.plot_convergence(conv, tmp_path / "conv.png", "Ishigami"),
        sa.plot_morris(screening, tmp_path / "deep" / "morris.png", "Ishigami"),
    ]
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    with pytest.raises(ValueError, match="one outcome at a time"):
        sa.plot_indices(pd.concat([indices.assign(outcome="a"), indices.assign(outcome="b")]), tmp_path / "x.png", "")
    with pytest.raises(ValueError, match="no Morris indices"):
        sa.plot_morris(indices, tmp_path / "m.png", "")


@pytest.mark.filterwarnings("error::UserWarning")  # e.g. a legend too large for its axes
def test_convergence_plot_draws_only_the_largest_parameters_at_the_full_sample(tmp_path):
    names = [f"p{i}" for i in range(60)]  # as many as the uncertain parameters
    rows = [
        {"index": index, "parameter": name, "n": n, "value": value * (n / 64), "ci_low": 0.0, "ci_high": 1.0}
        for index in ("S1", "ST")
        for n in (16, 64)
        for name, value in zip(names, np.linspace(0.01, 0.2, len(names)), strict=True)
    ]
    conv = pd.DataFrame(rows)
    assert sa._largest_at_full_sample(conv, 3) == ["p59", "p58", "p57"]
    path = sa.plot_convergence(conv, tmp_path / "conv.png", "many")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
