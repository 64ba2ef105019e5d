"""Experiment files: validation before any run, and designs generated from the declarations."""

from pathlib import Path

import numpy as np
import pytest

from experiments.design import (
    METHODS,
    OUTCOMES,
    ExperimentError,
    design_points,
    load_experiment,
    uncertain_parameters,
)
from model import params

GOOD = """
name = "t"
scenario = "baseline"
homes = 100
weeks = 10
replications = 1
seed = 3
outcomes = ["trust_mean"]
[design]
method = "{method}"
samples = {samples}
[parameters]
negativity_bias = [1.0, 10.0]
patch_size = "declared"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("method", "samples", "rows"),
    [
        ("sobol", 8, 8 * (2 + 2)),
        ("morris", 5, 5 * (2 + 1)),
        ("lhs", 7, 7),
        ("factorial", 1, 3 * 3),
        ("fast", 65, 65 * 2),
    ],
)
def test_each_method_gives_its_run_count_within_bounds(tmp_path, method, samples, rows):
    experiment = load_experiment(write(tmp_path, GOOD.format(method=method, samples=samples)))
    design = experiment.design()
    assert design.shape == (rows, 2)
    assert design[:, 0].min() >= 1.0 and design[:, 0].max() <= 10.0
    declared = params.get("patch_size")
    assert design[:, 1].min() >= declared.low and design[:, 1].max() <= declared.high
    assert np.array_equal(design[:, 1], np.round(design[:, 1])), "whole-number parameters are rounded"
    assert experiment.problem == {
        "num_vars": 2,
        "names": ["negativity_bias", "patch_size"],
        "bounds": [[1.0, 10.0], [declared.low, declared.high]],
    }
    assert np.array_equal(design, experiment.design()), "the design is seeded"


def test_vary_uncertain_takes_every_non_lever_parameter(tmp_path):
    text = GOOD.format(method="lhs", samples=4).replace("[design]", "vary_uncertain = true\n[design]")
    experiment = load_experiment(write(tmp_path, text))
    names = set(experiment.bounds)
    assert set(uncertain_parameters()) <= names
    assert "homes" not in uncertain_parameters()
    assert not any(params.get(n).lever for n in uncertain_parameters())


def test_the_tie_tolerance_defaults_to_1e_9_and_can_be_set(tmp_path):
    text = GOOD.format(method="lhs", samples=4)
    assert load_experiment(write(tmp_path, text)).tie_tolerance == 1e-9
    text = text.replace("[parameters]", "[robustness]\ntie_tolerance = 0.001\n[parameters]")
    assert load_experiment(write(tmp_path, text)).tie_tolerance == 0.001


def test_shipped_experiments_load():
    folder = Path(__file__).resolve().parent.parent / "experiments"
    shipped = sorted(folder.glob("*.toml"))
    assert len(shipped) >= 3
    methods = {load_experiment(p).method for p in shipped}
    assert {"sobol", "morris", "lhs"} <= methods


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        ("seed = 3", "seed = 3\ncolour = 1", ["colour", "1", "allowed"]),
        ('method = "lhs"', 'method = "grid"', ["method", "grid", "sobol"]),
        ("negativity_bias = [1.0, 10.0]", "negativity_bias = [1.0, 99.0]", ["negativity_bias", "99", "14"]),
        ("negativity_bias = [1.0, 10.0]", "negativity_bias = [5.0, 2.0]", ["negativity_bias", "low < high"]),
        ("negativity_bias = [1.0, 10.0]", 'negativity_bias = "wide"', ["negativity_bias", "wide", "declared"]),
        ("negativity_bias = [1.0, 10.0]", "no_such_thing = [1.0, 2.0]", ["no_such_thing", "declared parameter"]),
        ('outcomes = ["trust_mean"]', 'outcomes = ["happiness"]', ["outcomes", "happiness", "trust_mean"]),
        ("replications = 1", "replications = 0", ["replications", "0", "integer"]),
        ("homes = 100", 'homes = "many"', ["homes", "many", "integer"]),
        ('scenario = "baseline"', 'scenario = "utopia"', ["utopia", "baseline"]),
        ("samples = 4", "samples = 4\nrepeats = 2", ["repeats", "allowed"]),
        ("[parameters]", "[robustness]\ntie = 1\n[parameters]", ["[robustness]", "tie", "tie_tolerance"]),
        ("[parameters]", '[robustness]\ntie_tolerance = "small"\n[parameters]', ["tie_tolerance", "small", "number"]),
        ("[parameters]", "[robustness]\ntie_tolerance = -0.1\n[parameters]", ["tie_tolerance", "-0.1", "[0, "]),
        ("[parameters]", "[robustness]\ntie_tolerance = true\n[parameters]", ["tie_tolerance", "True", "number"]),
        ("seed = 3", "seed = 3\nrobustness = 1", ["robustness", "[robustness] table"]),
    ],
)
def test_bad_files_are_refused_naming_file_key_value_and_allowed(tmp_path, old, new, fragments):
    text = GOOD.format(method="lhs", samples=4)
    assert old in text
    path = write(tmp_path, text.replace(old, new))
    with pytest.raises(ExperimentError) as caught:
        load_experiment(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_sobol_samples_must_be_a_power_of_two(tmp_path):
    with pytest.raises(ExperimentError, match="power of two"):
        load_experiment(write(tmp_path, GOOD.format(method="sobol", samples=100)))


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ExperimentError, match="no such experiment file"):
        load_experiment(tmp_path / "absent.toml")
    with pytest.raises(ExperimentError, match="not valid TOML"):
        load_experiment(write(tmp_path, "name = [unclosed"))


def test_known_lists_are_complete():
    assert set(METHODS) == {"factorial", "lhs", "sobol", "morris", "fast"}
    from model import TrustModel, load_scenario

    model = TrustModel(load_scenario("baseline", homes=100), rng=1)
    model.run_for(53)
    summary = model.summary()
    assert set(OUTCOMES) <= set(summary)
    assert all(isinstance(summary[o], float | int) for o in OUTCOMES)


@pytest.mark.parametrize(
    ("method", "samples", "extra"),
    [
        ("sobol", 8, ""),
        ("sobol", 8, "second_order = true"),
        ("morris", 5, "levels = 6"),
        ("lhs", 7, ""),
        ("factorial", 1, "levels = 4"),
        ("fast", 65, ""),
        ("fast", 3, ""),
    ],
)
def test_design_points_counts_the_rows_without_drawing(tmp_path, method, samples, extra):
    text = GOOD.format(method=method, samples=samples).replace("[parameters]", f"{extra}\n[parameters]")
    text = text.replace("[parameters]", "[parameters]\nshare_over_65 = 'declared'")
    experiment = load_experiment(write(tmp_path, text))
    assert design_points(experiment) == len(experiment.design())


def test_a_huge_factorial_is_refused_before_it_is_drawn(tmp_path):
    text = GOOD.format(method="factorial", samples=1).replace("[design]", "vary_uncertain = true\n[design]")
    with pytest.raises(ExperimentError, match="runs; allowed: at most"):
        load_experiment(write(tmp_path, text))


def test_every_design_point_lies_within_the_declared_ranges_despite_rounding():
    """SALib scales ``low + u (high - low)``, which can overshoot a bound by a rounding error (0.9000000000000001)."""
    from experiments.design import load_experiment, sample
    from model import params

    experiment = load_experiment(Path(__file__).resolve().parent.parent / "experiments" / "screening.toml")
    matrix = sample(experiment)
    for column, name in enumerate(experiment.bounds):
        declared = params.get(name)
        assert declared.low <= matrix[:, column].min() and matrix[:, column].max() <= declared.high, name
    assert matrix[:, list(experiment.bounds).index("asset_threshold")].max() == 0.9  # a bound Morris reaches
