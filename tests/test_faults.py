"""Fault tests: concurrent writers, inputs edited before a resume, damaged or foreign parts, a lost or damaged
manifest, a read-only output folder, a full disk (an injected OSError) and an interrupted calibration.

Each fault must end in a clear error (exit 2, no traceback) or in a correct result, never in a silent mix.
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments import cli, outputs, runner
from experiments import sweep as sweeping
from experiments.design import load_experiment
from experiments.sweep import SweepError, load_runs, plan, sweep
from model.scenario import ScenarioError, read_posterior

EXPERIMENT = """
name = "faults"
scenarios = ["baseline", "mine.toml"]
shocks = ["cut.toml"]
homes = 120
weeks = 20
replications = 2
seed = {seed}
outcomes = ["trust_mean"]
[design]
method = "lhs"
samples = 2
[parameters]
negativity_bias = [1.0, 10.0]
"""
MINE = 'description = "mine"\nposterior = "post.csv"\n[parameters]\nestate_presence = 0.5\n'
POSTERIOR = "weight,initial_trust\n0.5,0.4\n0.5,0.6\n"
CUT = 'description = "a cut"\n[[shocks]]\nkind = "budget_cut"\nweek = 10\n'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "mine.toml").write_text(MINE, encoding="utf-8")
    (tmp_path / "cut.toml").write_text(CUT, encoding="utf-8")
    (tmp_path / "post.csv").write_text(POSTERIOR, encoding="utf-8")
    for seed in (3, 4):
        (tmp_path / f"exp{seed}.toml").write_text(EXPERIMENT.format(seed=seed), encoding="utf-8")
    return tmp_path


def _sweep(folder: Path, out: Path, seed: int = 3, **options) -> pd.DataFrame:
    return sweep(load_experiment(folder / f"exp{seed}.toml"), out, progress=False, flush_every=2, **options)


def _cli(capsys: pytest.CaptureFixture, *argv: str, quiet: bool = True) -> tuple[int, str]:
    status = cli.main([*argv, *(["--quiet"] if quiet else [])])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


def _planned_ok(folder: Path, out: Path, seed: int = 3) -> None:
    """Every planned run stored exactly once, with the plan's seed."""
    runs = load_runs(out)
    expected = {r.run_id: r.seed for r in plan(load_experiment(folder / f"exp{seed}.toml"))}
    assert runs["run_id"].tolist() == sorted(expected)
    assert dict(zip(runs["run_id"], runs["seed"], strict=True)) == expected


HOLDER = """
import sys
from pathlib import Path
from experiments.outputs import folder_lock
with folder_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


def _hold_lock(out: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_writer_is_refused_while_another_process_writes(folder, capsys):
    out = folder / "out"
    holder = _hold_lock(out)
    try:
        status, err = _cli(capsys, "sweep", str(folder / "exp3.toml"), "--out", str(out), "--workers", "1")
        assert status == 2 and f"pid {holder.pid}" in err and "is writing to this folder" in err
        status, err = _cli(capsys, "compare", "baseline", "--out", str(out), "--workers", "1", "--homes", "120")
        assert status == 2 and "is writing to this folder" in err
        assert not (out / "runs").exists()
    finally:
        holder.kill()  # killed, not closed: the lock goes with the process
        holder.wait()
    status, _ = _cli(capsys, "sweep", str(folder / "exp3.toml"), "--out", str(out), "--workers", "1")
    assert status == 0
    _planned_ok(folder, out)


def test_the_lock_is_reentrant_within_a_process_and_refuses_a_second_holder(tmp_path):
    out = tmp_path / "out"
    with outputs.folder_lock(out), outputs.folder_lock(out):  # a study's sweep inside its own command
        holder = subprocess.run(
            [sys.executable, "-c", HOLDER, str(out)], input="", capture_output=True, text=True, timeout=60
        )
        assert holder.returncode != 0 and "is writing to this folder" in holder.stderr
    assert not out.exists()  # the lock lives beside the folder, not in it


@pytest.mark.parametrize("edited", ["mine.toml", "cut.toml", "post.csv"])
def test_resume_refuses_an_edited_strategy_shock_or_posterior_file(folder, capsys, edited):
    out = folder / "out"
    _sweep(folder, out)
    text = (folder / edited).read_text(encoding="utf-8")
    edit = text.replace("0.6", "0.7") if edited.endswith(".csv") else text + "# edited\n"
    (folder / edited).write_text(edit, encoding="utf-8")
    read_posterior.cache_clear()
    status, err = _cli(capsys, "sweep", str(folder / "exp3.toml"), "--out", str(out), "--resume", "--workers", "1")
    assert status == 2 and f"{folder / edited} was edited" in err and "mix two versions" in err


def test_resume_refuses_changed_model_code(folder, monkeypatch):
    out = folder / "out"
    _sweep(folder, out)
    monkeypatch.setattr(sweeping, "code_digest", lambda: "f" * 64)
    with pytest.raises(SweepError, match="the model code changed"):
        _sweep(folder, out, resume=True)


def test_a_foreign_part_is_quarantined_and_its_runs_run_again(folder, capsys):
    mine, other = folder / "mine-out", folder / "other-out"
    _sweep(folder, mine)
    _sweep(folder, other, seed=4)
    parts = sorted((mine / "runs").glob("part-*.parquet"))
    parts[0].unlink()  # a crash lost it
    foreign = sorted((other / "runs").glob("part-*.parquet"))[1]
    shutil.copy(foreign, mine / "runs" / foreign.name)
    _sweep(folder, mine, resume=True)
    err = capsys.readouterr().err
    assert "not in this experiment's plan" in err and (mine / "quarantine" / foreign.name).is_file()
    _planned_ok(folder, mine)


def test_a_damaged_part_is_quarantined_and_resume_is_not_blocked(folder, capsys):
    out = folder / "out"
    _sweep(folder, out)
    damaged = sorted((out / "runs").glob("part-*.parquet"))[0]
    damaged.write_bytes(b"PAR1 not really parquet")
    status, err = _cli(capsys, "sweep", str(folder / "exp3.toml"), "--out", str(out), "--resume", "--workers", "1")
    assert status == 0 and "cannot be read" in err and (out / "quarantine" / damaged.name).is_file()
    _planned_ok(folder, out)


def test_a_part_repeated_by_two_writers_is_quarantined(folder, capsys):
    out = folder / "out"
    _sweep(folder, out)
    first = sorted((out / "runs").glob("part-*.parquet"))[0]
    shutil.copy(first, first.with_name(first.name.replace(".parquet", "-copy.parquet")))
    _sweep(folder, out, resume=True)
    assert "repeats" in capsys.readouterr().err
    _planned_ok(folder, out)


def test_a_damaged_manifest_is_a_clear_error(folder, capsys):
    out = folder / "out"
    _sweep(folder, out)
    (out / "manifest.json").write_text("{", encoding="utf-8")
    status, err = _cli(capsys, "sweep", str(folder / "exp3.toml"), "--out", str(out), "--resume")
    assert status == 2 and "manifest.json: damaged" in err and "start afresh" in err


def test_a_lost_manifest_gives_one_way_forward_with_or_without_resume(folder, capsys):
    out = folder / "out"
    _sweep(folder, out)
    (out / "manifest.json").unlink()
    messages = []
    for extra in ([], ["--resume"]):
        status, err = _cli(capsys, "sweep", str(folder / "exp3.toml"), "--out", str(out), *extra)
        assert status == 2 and "no manifest.json, so they cannot be checked" in err
        messages.append(err)
    assert messages[0] == messages[1] and "--resume" not in messages[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "baseline", "--homes", "120", "--weeks", "5"],
        ["compare", "baseline", "--homes", "120", "--weeks", "5", "--replications", "2", "--workers", "1"],
        ["sweep", "{folder}/exp3.toml", "--workers", "1"],
        ["validate", "--homes", "120", "--weeks", "52", "--replications", "2", "--workers", "1"],
    ],
    ids=["run", "compare", "sweep", "validate"],
)
def test_a_read_only_output_fails_before_any_run(folder, capsys, monkeypatch, argv):
    def read_only(path):
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))

    def no_run(*args, **kwargs):
        raise AssertionError("a run started")

    monkeypatch.setattr(outputs, "probe_writable", read_only)
    monkeypatch.setattr(runner, "run", no_run)
    monkeypatch.setattr(cli, "run", no_run)
    out = folder / "out"
    status, err = _cli(capsys, *[a.format(folder=folder) for a in argv], "--out", str(out), quiet=argv[0] != "validate")
    assert status == 2 and "cannot write in" in err and "Read-only file system" in err
    assert not out.exists()


def test_a_full_disk_in_a_sweep_is_a_clear_error_and_resume_finishes(folder, capsys, monkeypatch):
    out = folder / "out"
    real = sweeping._write_atomically

    def fills_up(frame, final):
        raise OSError(errno.ENOSPC, "No space left on device", str(final))

    monkeypatch.setattr(sweeping, "_write_atomically", fills_up)
    status, err = _cli(capsys, "sweep", str(folder / "exp3.toml"), "--out", str(out), "--workers", "1")
    assert status == 2 and "No space left on device" in err and "part-" in err
    monkeypatch.setattr(sweeping, "_write_atomically", real)
    status, _ = _cli(capsys, "sweep", str(folder / "exp3.toml"), "--out", str(out), "--workers", "1", "--resume")
    assert status == 0
    _planned_ok(folder, out)


def test_a_full_disk_in_compare_leaves_nothing_half_written(folder, capsys, monkeypatch):
    def full(self, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    out = folder / "out"
    argv = ["compare", "baseline", "--homes", "120", "--weeks", "5", "--replications", "2", "--workers", "1"]
    status, err = _cli(capsys, *argv, "--out", str(out))
    assert status == 2 and "No space left on device" in err
    assert not out.exists() or not any(out.iterdir())
    assert not [p for p in folder.iterdir() if p.name.startswith(".out-")]  # the staging folder is gone


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("calibration")
    argv = ["calibrate", "--homes", "100", "--weeks", "52", "--population", "3", "--generations", "1"]
    assert cli.main([*argv, "--max-simulations", "6", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_an_interrupted_calibration_leaves_the_previous_files_as_they_were(calibrated, capsys, monkeypatch):
    from experiments import calibration

    before = _snapshot(calibrated)

    def killed(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "fit.png")

    monkeypatch.setattr(calibration, "plot_fit", killed)
    argv = ["calibrate", "--homes", "100", "--weeks", "52", "--population", "3", "--generations", "1", "--seed", "9"]
    status, err = _cli(capsys, *argv, "--max-simulations", "6", "--workers", "1", "--out", str(calibrated))
    assert status == 2 and "No space left on device" in err
    assert _snapshot(calibrated) == before
    # No staging folder left behind; only the checkpoint, which keeps the unfinished run for --resume.
    assert [p.name for p in calibrated.iterdir() if p.is_dir()] == ["checkpoint"]
    assert (calibrated / "checkpoint" / "generation-000.json").is_file()
    assert '"finished": false' in (calibrated / "checkpoint" / "inputs.json").read_text(encoding="utf-8")


def test_a_posterior_cut_short_or_beside_another_summary_is_refused(calibrated, tmp_path):
    summary = json.loads((calibrated / "summary.json").read_text(encoding="utf-8"))
    assert summary["posterior_rows"] == 3 and set(summary["files_sha256"]) >= {"posterior.csv", "fit.csv"}
    for name in ("posterior.csv", "summary.json"):
        shutil.copy(calibrated / name, tmp_path / name)
    read_posterior.cache_clear()
    read_posterior(str(tmp_path / "posterior.csv"))  # as written: accepted
    lines = (calibrated / "posterior.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "posterior.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    read_posterior.cache_clear()
    with pytest.raises(ScenarioError, match="does not match"):  # the digest catches it first
        read_posterior(str(tmp_path / "posterior.csv"))
    del summary["posterior_sha256"]
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    read_posterior.cache_clear()
    with pytest.raises(ScenarioError, match=r"1 particles; .* kept 3: the file may be cut short"):
        read_posterior(str(tmp_path / "posterior.csv"))
    read_posterior.cache_clear()
