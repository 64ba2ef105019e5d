"""A calibration that dies, or stops on its budget, goes on from its last generation to the same posterior."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.calibration import (
    TOY_PRIOR,
    TOY_TARGETS,
    ABCResult,
    Checkpoint,
    CheckpointError,
    FloorStop,
    abc_smc,
    toy_simulate,
)

INPUTS = {"population": 60, "generations": 6, "max_simulations": 4000, "seed": 3}


CALLS: list[int] = []


def _counted(values, seed):
    CALLS.append(seed)
    return toy_simulate(values, seed)


class KilledError(Exception):
    """What a kill looks like to the sampler in these tests."""


def _dies_after(calls: int):
    def simulate(values, seed):
        if len(CALLS) >= calls:
            raise KilledError
        return _counted(values, seed)

    return simulate


def _toy(
    generations: int,
    checkpoint: Checkpoint | None = None,
    resume: bool = False,
    stop=None,
    simulate=_counted,
    budget: int = 4000,
) -> ABCResult:
    done, _, partial = checkpoint.begin(resume) if checkpoint is not None else ([], 0.0, None)
    return abc_smc(
        simulate,
        TOY_PRIOR,
        TOY_TARGETS,
        population=60,
        generations=generations,
        max_simulations=budget,
        seed=3,
        stop=stop,
        start=done,
        on_generation=None if checkpoint is None else lambda t, g: checkpoint.save(t, g, float(t)),
        partial=partial,
        on_batch=None if checkpoint is None else lambda state: checkpoint.save_partial(state, 0.5),
    )


def _same(a: ABCResult, b: ABCResult) -> None:
    assert len(a.generations) == len(b.generations)
    for x, y in zip(a.generations, b.generations, strict=True):
        assert x.epsilon == y.epsilon and x.simulations == y.simulations and x.hits == y.hits
        np.testing.assert_array_equal(x.theta, y.theta)
        np.testing.assert_array_equal(x.weights, y.weights)
        np.testing.assert_array_equal(x.distances, y.distances)
        assert x.stats == y.stats
    assert a.settings["stopped_by"] == b.settings["stopped_by"]


def test_a_run_resumed_after_generation_two_gives_the_uninterrupted_posterior_to_the_bit(tmp_path: Path) -> None:
    whole = _toy(6)
    first = _toy(3, Checkpoint(tmp_path, INPUTS))
    assert len(first.generations) == 3 and len(list(tmp_path.glob("generation-*.json"))) == 3
    CALLS.clear()
    resumed = _toy(6, Checkpoint(tmp_path, INPUTS), resume=True)
    _same(whole, resumed)
    assert len(CALLS) == sum(g.simulations for g in whole.generations[3:])  # nothing run twice
    assert resumed.history().equals(whole.history())


def test_a_run_killed_inside_a_generation_goes_on_from_its_last_batch_to_the_same_posterior(tmp_path: Path) -> None:
    unfinished: list[tuple[int, int]] = []  # (generation, simulations) after each batch that left it unfinished
    CALLS.clear()
    whole = abc_smc(
        _counted,
        TOY_PRIOR,
        TOY_TARGETS,
        population=60,
        generations=8,
        max_simulations=8000,
        seed=3,
        on_batch=lambda state: unfinished.append((state["generation"], state["simulations"])),
    )
    total = len(CALLS)
    t, saved = unfinished[0]
    before = sum(g.simulations for g in whole.generations[:t])
    CALLS.clear()
    with pytest.raises(KilledError):  # dies 7 runs into the batch after the first one kept
        _toy(8, Checkpoint(tmp_path, INPUTS), simulate=_dies_after(before + saved + 7), budget=8000)
    partial = json.loads((tmp_path / "partial.json").read_text(encoding="utf-8"))
    assert (partial["generation"], partial["simulations"]) == (t, saved)
    CALLS.clear()
    resumed = _toy(8, Checkpoint(tmp_path, INPUTS), resume=True, budget=8000)
    _same(whole, resumed)
    assert len(CALLS) == total - before - saved  # nothing kept is run again
    assert not (tmp_path / "partial.json").exists()


def test_a_half_written_generation_left_by_a_kill_is_ignored(tmp_path: Path) -> None:
    _toy(2, Checkpoint(tmp_path, INPUTS))
    (tmp_path / ".generation-002.json.tmp").write_text('{"generation": 2, "thet', encoding="utf-8")
    done, elapsed, partial = Checkpoint(tmp_path, INPUTS).begin(resume=True)
    assert len(done) == 2 and elapsed == 1.0 and partial is None  # the seconds recorded with generation 1


def test_a_run_that_had_converged_stays_stopped_when_resumed(tmp_path: Path) -> None:
    stop = FloorStop(toy_simulate, TOY_PRIOR.names, TOY_TARGETS, runs=40, seed=1)
    converged = _toy(30, Checkpoint(tmp_path, INPUTS), stop=stop)
    assert converged.settings["stopped_by"].startswith("convergence")
    again = _toy(40, Checkpoint(tmp_path, INPUTS), resume=True, stop=stop)
    _same(converged, again)


def test_resuming_refuses_other_inputs_and_names_them(tmp_path: Path) -> None:
    _toy(2, Checkpoint(tmp_path, INPUTS))
    with pytest.raises(CheckpointError, match=r"seed: 3 -> 4"):
        Checkpoint(tmp_path, INPUTS | {"seed": 4}).begin(resume=True)
    with pytest.raises(CheckpointError, match=r"max_simulations: 4000 -> 100"):
        Checkpoint(tmp_path, INPUTS | {"max_simulations": 100}).begin(resume=True)
    done, _, _ = Checkpoint(tmp_path, INPUTS | {"max_simulations": 9000, "generations": 12}).begin(resume=True)
    assert len(done) == 2  # a larger budget or generation limit extends the run
    with pytest.raises(CheckpointError, match="no calibration to resume"):
        Checkpoint(tmp_path / "empty", INPUTS).begin(resume=True)


def test_a_fresh_run_keeps_an_unfinished_checkpoint_and_replaces_a_finished_one(tmp_path: Path) -> None:
    _toy(2, Checkpoint(tmp_path, INPUTS))
    with pytest.raises(CheckpointError, match=r"unfinished calibration \(2 generations\).*--resume"):
        Checkpoint(tmp_path, INPUTS).begin(resume=False)
    assert len(list(tmp_path.glob("generation-*.json"))) == 2
    Checkpoint.finish(tmp_path)
    assert Checkpoint(tmp_path, INPUTS).begin(resume=False) == ([], 0.0, None)
    assert not list(tmp_path.glob("generation-*.json"))


def test_calibrate_resume_extends_a_run_to_the_posterior_of_one_that_was_never_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from experiments import cli

    base = ["calibrate", "--homes", "100", "--weeks", "26", "--population", "4", "--noise-runs", "2"]
    base += ["--workers", "1", "--quiet"]
    whole, part = tmp_path / "whole", tmp_path / "part"
    assert cli.main([*base, "--generations", "3", "--max-simulations", "300", "--out", str(whole)]) == 0
    assert cli.main([*base, "--generations", "2", "--max-simulations", "300", "--out", str(part)]) == 0
    resumed = [*base, "--generations", "3", "--max-simulations", "300", "--out", str(part), "--resume"]
    assert cli.main(resumed) == 0
    summary = json.loads((part / "summary.json").read_text(encoding="utf-8"))
    reference = json.loads((whole / "summary.json").read_text(encoding="utf-8"))
    assert len(reference["generations"]) == 3
    assert summary["settings"]["stopped_by"] == reference["settings"]["stopped_by"]
    assert summary["resumed_after_generation"] == 1 and summary["generations"] == reference["generations"]
    assert summary["simulations"] == reference["simulations"]
    pd.testing.assert_frame_equal(pd.read_csv(part / "posterior.csv"), pd.read_csv(whole / "posterior.csv"))
    assert cli.main([*resumed, "--seed", "9"]) == 2
    assert "seed: 20261127 -> 9" in capsys.readouterr().err
    assert cli.main([*base, "--out", str(tmp_path / "none"), "--resume"]) == 2
    assert "no calibration to resume" in capsys.readouterr().err
