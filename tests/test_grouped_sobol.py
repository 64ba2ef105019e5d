"""Grouped Sobol' (``[design] groups = true``): one index per part of the model, every parameter varied."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from SALib.sample import sobol

from experiments import sensitivity as sa
from experiments.design import DUMMY, ExperimentError, design_points, load_experiment, part_of, uncertain_parameters
from experiments.study import run_sensitivity
from model import params

GROUPED = """
name = "grouped"
scenario = "baseline"
homes = 100
weeks = {weeks}
replications = 1
seed = 11
outcomes = ["trust_mean"]
vary_uncertain = {vary}
[design]
method = "{method}"
samples = {samples}
groups = {groups}
dummy = {dummy}
[parameters]
negativity_bias = [1.0, 10.0]
"""


def _file(tmp_path: Path, method="sobol", samples=8, groups="true", dummy="false", vary="true", weeks=8) -> Path:
    path = tmp_path / "grouped.toml"
    text = GROUPED.format(method=method, samples=samples, groups=groups, dummy=dummy, vary=vary, weeks=weeks)
    path.write_text(text)
    return path


def test_a_grouped_design_has_n_times_parts_plus_two_rows_and_one_part_per_declared_group(tmp_path: Path) -> None:
    experiment = load_experiment(_file(tmp_path, dummy="true"))
    declared = list(dict.fromkeys(params.get(name).group for name in uncertain_parameters()))
    assert experiment.factors() == [*declared, DUMMY]
    assert design_points(experiment) == 8 * (len(declared) + 1 + 2)
    assert experiment.design().shape == (8 * (len(declared) + 3), len(uncertain_parameters()) + 1)
    assert experiment.problem["groups"] == [part_of(name) for name in experiment.problem["names"]]
    ungrouped = load_experiment(_file(tmp_path, groups="false", dummy="true"))
    assert design_points(ungrouped) == 8 * (len(uncertain_parameters()) + 1 + 2)


def test_in_a_grouped_design_each_row_moves_the_parameters_of_one_part_together(tmp_path: Path) -> None:
    experiment = load_experiment(_file(tmp_path))
    matrix, parts = experiment.design(), np.array(experiment.problem["groups"])
    block = len(experiment.factors()) + 2
    for start in range(0, len(matrix), block):
        a, b = matrix[start], matrix[start + block - 1]
        for offset, part in enumerate(experiment.factors(), start=1):
            row = matrix[start + offset]
            inside = parts == part
            assert np.array_equal(row[inside], b[inside]) and np.array_equal(row[~inside], a[~inside])


@pytest.mark.parametrize(
    ("method", "groups", "fragment"),
    [
        ("lhs", "true", "true only with method sobol; method is 'lhs'"),
        ("morris", "true", "true only with method sobol; method is 'morris'"),
        ("sobol", '"yes"', "'yes'"),
    ],
)
def test_groups_are_refused_where_they_cannot_be_analysed(tmp_path: Path, method, groups, fragment) -> None:
    with pytest.raises(ExperimentError) as refused:
        load_experiment(_file(tmp_path, method=method, groups=groups))
    message = str(refused.value)
    assert "grouped.toml" in message and "'groups'" in message and fragment in message


def test_grouped_indices_find_the_part_that_matters_and_not_the_one_that_does_not() -> None:
    # y = x0 + 2 x1 (part "a") + 0.1 x2 (part "b"), x3 unused (part "c"): part a carries nearly all the variance
    problem = {"num_vars": 4, "names": ["x0", "x1", "x2", "x3"], "bounds": [[0, 1]] * 4, "groups": ["a", "a", "b", "c"]}
    X = sobol.sample(problem, 1024, calc_second_order=False, seed=2)  # noqa: N806
    Y = X[:, 0] + 2 * X[:, 1] + 0.1 * X[:, 2]  # noqa: N806
    found = sa.analyse(problem, X, Y, "sobol", seed=1).set_index(["parameter", "index"])["value"]
    assert list(dict.fromkeys(i[0] for i in found.index)) == ["a", "b", "c"]
    share_b = 0.01 / (1 + 4 + 0.01)  # Var(0.1 x2) over the total, with Var(U) = 1/12 cancelling
    assert found["a", "ST"] > 0.97 and found["a", "S1"] > 0.97
    assert abs(found["b", "ST"] - share_b) < 0.01
    assert abs(found["c", "ST"]) < 1e-12 and abs(found["c", "S1"]) < 0.02
    converged = sa.convergence(problem, X, Y, steps=3, seed=1)
    assert sorted(converged["n"].unique()) == [256, 512, 1024] and set(converged["parameter"]) == {"a", "b", "c"}


def test_grouped_problems_are_refused_by_methods_that_cannot_group_them() -> None:
    problem = {"num_vars": 2, "names": ["x0", "x1"], "bounds": [[0, 1]] * 2, "groups": ["a", "a"]}
    X = np.random.default_rng(1).random((40, 2))  # noqa: N806
    with pytest.raises(ValueError, match="delta: grouped problems are analysed only by sobol"):
        sa.analyse(problem, X, X.sum(axis=1), "delta")
    with pytest.raises(ValueError, match="2 groups for 3 parameters"):
        sa.factors({"names": ["x0", "x1", "x2"], "groups": ["a", "b"]})


def test_a_grouped_sensitivity_study_writes_one_index_per_part_and_records_the_parts(tmp_path: Path) -> None:
    path = _file(tmp_path, samples=2, dummy="true", vary="false", weeks=6)
    path.write_text(path.read_text() + 'talk_rate = "declared"\nrepair_unit_cost = "declared"\n')
    experiment = load_experiment(path)
    expected = [params.get("negativity_bias").group, params.get("talk_rate").group, "repairs", DUMMY]
    assert sorted(experiment.factors()) == sorted(dict.fromkeys(expected))
    result = run_sensitivity(experiment, tmp_path / "out", workers=1, progress=False)
    assert result["runs"] == 2 * (len(experiment.factors()) + 2)
    indices = result["indices"]
    assert sorted(indices["parameter"].unique()) == sorted(experiment.factors())
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    parts = manifest["analyses"]["sensitivity"]["settings"]["groups"]
    assert parts[params.get("repair_unit_cost").group] == ["repair_unit_cost"] and parts[DUMMY] == [DUMMY]


def test_grouped_second_order_indices_are_given_for_pairs_of_parts() -> None:
    # y = x0 * x2: parts "a" (x0, x1) and "b" (x2) act only together, part "c" (x3) not at all
    problem = {"num_vars": 4, "names": ["x0", "x1", "x2", "x3"], "bounds": [[0, 1]] * 4, "groups": ["a", "a", "b", "c"]}
    X = sobol.sample(problem, 1024, calc_second_order=True, seed=4)  # noqa: N806
    assert len(X) == 1024 * (2 * 3 + 2)
    found = sa.analyse(problem, X, X[:, 0] * X[:, 2], "sobol", second_order=True, seed=1)
    pairs = found[found["index"] == "S2"].set_index("parameter")["value"]
    assert list(pairs.index) == [f"a{sa.PAIR}b", f"a{sa.PAIR}c", f"b{sa.PAIR}c"]
    # Var(x0 x2) = 7/144 of which each main effect is 1/48 and the interaction 1/144: S2(a, b) = 1/7
    assert abs(pairs[f"a{sa.PAIR}b"] - 1 / 7) < 0.05 and abs(pairs[f"b{sa.PAIR}c"]) < 0.05
