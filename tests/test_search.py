"""The search for robust strategies: a Pareto set over levers across sampled futures, within a budget."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.cli import main
from experiments.design import SEARCH_OBJECTIVES, ExperimentError, load_experiment
from experiments.runner import RunSpec, run
from experiments.search import futures, search
from model import load_scenario, outcomes

SEARCH = """
name = "search-small"
scenario = "baseline"
homes = 100
weeks = 20
replications = 1
seed = 8
[design]
method = "lhs"
samples = 3
[parameters]
negativity_bias = "declared"
[search]
levers = {{ estate_presence = [0.1, 0.6], involvement_spend_per_home = [0.0, 150.0] }}
{extra}
population = 8
generations = 3
"""


def _file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "search.toml"
    path.write_text(SEARCH.format(extra=extra))
    return path


def _dominates(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(a >= b) and np.any(a > b))


@pytest.fixture(scope="module")
def found(tmp_path_factory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("search")
    spend = run(RunSpec(load_scenario("baseline", homes=100), 1, 20)).summary["spend_total_per_home"]
    path = _file(folder, f"budget = {spend + 60.0}")
    return search(load_experiment(path), folder / "out", workers=1), folder / "out"


def test_the_search_returns_a_pareto_set_no_member_of_which_dominates_another(found) -> None:
    result, _ = found
    pareto = result["pareto"]
    goodness = pareto[[f"{o}_goodness" for o in SEARCH_OBJECTIVES]].to_numpy()
    assert len(pareto) >= 2
    for i in range(len(goodness)):
        for j in range(len(goodness)):
            assert i == j or not _dominates(goodness[j], goodness[i])


def test_no_evaluated_feasible_candidate_dominates_the_pareto_set(found) -> None:
    result, _ = found
    history, pareto = result["history"].iloc[1:], result["pareto"]
    budget = load_experiment(_file_for(found)).search.budget
    feasible = history[history["spend_total_per_home"] <= budget]
    columns = [f"{o}_goodness" for o in SEARCH_OBJECTIVES]
    for _, member in pareto.iterrows():
        assert not any(
            _dominates(other, member[columns].to_numpy(float)) for other in feasible[columns].to_numpy(float)
        )


def _file_for(found) -> Path:
    return Path(json.loads((found[1] / "manifest.json").read_text())["experiment_file"])


def test_the_budget_excludes_candidates_that_spend_too_much(found) -> None:
    result, _ = found
    budget = load_experiment(_file_for(found)).search.budget
    assert (result["pareto"]["spend_total_per_home"] <= budget).all()
    assert (result["history"]["spend_total_per_home"] > budget).any()  # the constraint had something to exclude


def test_a_candidate_s_objectives_are_its_runs_in_every_future(found) -> None:
    result, _ = found
    experiment = load_experiment(_file_for(found))
    member = result["pareto"].iloc[0]
    world = futures(experiment)
    levers = {"estate_presence": float(member["estate_presence"])}
    levers["involvement_spend_per_home"] = float(member["involvement_spend_per_home"])
    trust = []
    for values, (seed,) in zip(world.values, world.seeds, strict=True):
        scenario = load_scenario("baseline", homes=100, **values, **levers)
        trust.append(run(RunSpec(scenario, seed, 20)).summary["trust_mean"])
    assert member["trust_mean"] == pytest.approx(np.mean(trust), rel=1e-12)


def test_every_candidate_is_a_scenario_file_a_strategy_team_can_run(found) -> None:
    result, out = found
    for _, member in result["pareto"].iterrows():
        scenario = load_scenario(out / "candidates" / f"{member['candidate']}.toml")
        assert scenario.params["estate_presence"] == member["estate_presence"]
        assert scenario.params["involvement_spend_per_home"] == member["involvement_spend_per_home"]
        assert scenario.params["homes"] == load_scenario("baseline").params["homes"]  # the estate is not fixed
    report = (out / "search.md").read_text()
    assert "| baseline (as it is) |" in report and outcomes.label("trust_mean") in report
    assert "tenant-trust compare candidates/candidate-01.toml" in report
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["search"]["optimiser"].startswith("NSGA-II") and manifest["search"]["evaluated"] == 8 * 3


def test_the_same_seed_gives_the_same_pareto_set(tmp_path: Path, found) -> None:
    result, _ = found
    again = search(load_experiment(_file_for(found)), tmp_path / "again", workers=1)
    pd.testing.assert_frame_equal(result["pareto"], again["pareto"])


def test_an_impossible_budget_is_refused_with_advice(tmp_path: Path, capsys) -> None:
    path = _file(tmp_path, "budget = 1.0")
    assert main(["search", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 2
    assert "none of the 24 candidates is feasible" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ('objectives = ["trust_mean"]', "two or more outcomes"),
        ('objectives = ["trust", "cost"]', "two or more different outcomes"),
        ("budget = -5", "key 'budget' = -5"),
        ('statistic = "median"', "mean | p10"),
    ],
)
def test_bad_search_tables_name_the_key(tmp_path: Path, extra: str, fragment: str) -> None:
    with pytest.raises(ExperimentError, match=fragment):
        load_experiment(_file(tmp_path, extra))


def test_levers_must_be_levers_and_not_uncertainties(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(SEARCH.format(extra="").replace("estate_presence = [0.1, 0.6]", "negativity_bias = [1.0, 2.0]"))
    with pytest.raises(ExperimentError, match="a strategy lever"):
        load_experiment(path)


def test_the_search_command_writes_the_pareto_set(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["search", str(_file(tmp_path, 'statistic = "p10"')), "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "24 candidates evaluated" in printed and "candidate-01.toml" in printed
    assert {"pareto.csv", "evaluations.csv", "search.md", "manifest.json", "candidates"} <= {
        p.name for p in out.iterdir()
    }
