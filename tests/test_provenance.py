"""Provenance: every dependency's version, the dirty-tree flag, resolved strategies, analysis settings, Dask workers."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from experiments import provenance
from experiments import runner as running
from experiments import sweep as sweeping
from experiments.cli import main
from experiments.design import load_experiment
from experiments.provenance import WorkerMismatchError, check_workers, git_state, identity, require_identity
from experiments.runner import NoWorkersError
from experiments.study import run_robustness, run_sensitivity
from experiments.sweep import sweep
from model import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SMALL = """
name = "small"
scenarios = ["baseline", "digital_only"]
homes = 100
weeks = 8
replications = 2
seed = 11
outcomes = ["trust_mean"]
[design]
method = "lhs"
samples = 3
[parameters]
negativity_bias = [1.0, 10.0]
"""
SOBOL = """
name = "tiny-sobol"
scenario = "baseline"
homes = 100
weeks = 4
replications = 1
seed = 5
outcomes = ["trust_mean"]
[design]
method = "sobol"
samples = 4
[parameters]
negativity_bias = [1.0, 10.0]
talk_rate = "declared"
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _requirement_names() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0] for spec in project["dependencies"]]


def test_every_declared_dependency_is_recorded_with_its_version() -> None:
    recorded = provenance.versions()
    for name in _requirement_names():
        assert name in recorded, f"{name} (pyproject.toml) is not in RECORDED_PACKAGES"
    for name in ("SALib", "scikit-learn", "dask", "distributed", "pyarrow", "pandas", "numpy", "numba", "mesa"):
        assert recorded[name], f"{name}: no version recorded"


def _git(where: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=where, check=True, capture_output=True)


def test_git_state_flags_a_dirty_tree_and_names_the_changes(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "model.py").write_text("x = 1\n")
    _git(tmp_path, "add", "model.py")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    clean = git_state(tmp_path)
    assert clean["git_dirty"] is False and clean["git_changes"] == [] and len(clean["git_commit"]) == 40
    (tmp_path / "model.py").write_text("x = 2\n")
    (tmp_path / "new.toml").write_text("")
    dirty = git_state(tmp_path)
    assert dirty["git_dirty"] is True
    assert dirty["git_commit"] == clean["git_commit"]
    assert sorted(dirty["git_changes"]) == ["model.py", "new.toml"] and dirty["git_changed_files"] == 2


def test_git_state_outside_a_checkout_says_unknown(tmp_path: Path) -> None:
    assert git_state(tmp_path)["git_dirty"] is None


def test_the_sweep_manifest_records_each_strategy_resolved_and_the_dirty_flag(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    sweep(load_experiment(small), out, progress=False)
    manifest = _manifest(out)
    assert set(manifest["scenarios"]) == {"baseline", "digital_only"}
    for name, recorded in manifest["scenarios"].items():
        assert recorded["params"] == load_scenario(name, homes=100).params
    assert manifest["scenarios"]["digital_only"]["params"] != manifest["scenarios"]["baseline"]["params"]
    assert isinstance(manifest["git_dirty"], bool)
    assert manifest["versions"]["pyarrow"] and manifest["versions"]["scikit-learn"]


def test_the_sensitivity_settings_are_in_the_manifest(tmp_path: Path) -> None:
    path = tmp_path / "sobol.toml"
    path.write_text(SOBOL)
    out = tmp_path / "out"
    run_sensitivity(load_experiment(path), out, progress=False)
    settings = _manifest(out)["analyses"]["sensitivity"]["settings"]
    assert settings["method"] == "sobol" and settings["bootstrap_resamples"] == 1000
    assert settings["bootstrap_seed"] == 5 and settings["confidence_level"] == 0.95
    assert settings["convergence_steps"] == 2 and settings["salib"] == provenance.versions()["SALib"]


def test_the_robustness_settings_are_in_the_manifest(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_robustness(load_experiment(small), out, progress=False)
    analysis = _manifest(out)["analyses"]["robustness"]
    assert analysis["settings"]["discovery"]["max_depth"] == 3
    assert analysis["settings"]["tie_tolerance"] == load_experiment(small).tie_tolerance
    assert analysis["settings"]["confidence_level"] == 0.95
    assert "git_dirty" in analysis and analysis["versions"]["scikit-learn"]


# --- Dask workers -------------------------------------------------------------------------------------------------


def test_check_workers_names_the_worker_and_what_differs() -> None:
    local = identity()
    other = local | {"versions": local["versions"] | {"numpy": "0.0.1"}, "model_code_sha256": "0" * 64}
    check_workers({"tcp://a:1": local})
    with pytest.raises(WorkerMismatchError, match=r"tcp://b:2: numpy 0\.0\.1 \(here .*model code sha256 000000000000"):
        check_workers({"tcp://a:1": local, "tcp://b:2": other})


def test_a_batch_refuses_to_run_on_a_worker_with_other_model_code() -> None:
    expected = identity() | {"model_code_sha256": "f" * 64}
    with pytest.raises(WorkerMismatchError, match="model code sha256 "):
        require_identity(expected)
    require_identity(identity())


@pytest.fixture
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        yield c


def test_a_dask_sweep_records_every_worker_s_identity(small: Path, tmp_path: Path, cluster) -> None:
    out = tmp_path / "dask"
    sweep(load_experiment(small), out, scheduler=cluster.scheduler_address, progress=False)
    workers = _manifest(out)["dask_workers"]
    assert len(workers) == 1
    (recorded,) = workers.values()
    assert recorded["model_code_sha256"] == identity()["model_code_sha256"]
    assert recorded["versions"] == identity()["versions"]


def test_a_dask_sweep_refuses_a_worker_with_other_code(small: Path, tmp_path: Path, cluster, monkeypatch) -> None:
    other = identity() | {"model_code_sha256": "e" * 64}
    monkeypatch.setattr(running, "worker_identity", lambda: other)
    with pytest.raises(WorkerMismatchError, match="1 of 1 Dask worker"):
        sweep(load_experiment(small), tmp_path / "out", scheduler=cluster.scheduler_address, progress=False)
    assert not list(tmp_path.glob("out/runs/part-*"))  # refused before any run


def test_a_worker_that_differs_mid_sweep_stops_it(small: Path, tmp_path: Path, cluster, monkeypatch) -> None:
    monkeypatch.setattr(sweeping, "identity", lambda: identity() | {"python": "2.7.18"})
    with pytest.raises(WorkerMismatchError, match=r"Python 3\.\d+\.\d+ \(here 2\.7\.18\)"):
        sweep(load_experiment(small), tmp_path / "out", scheduler=cluster.scheduler_address, progress=False)


def test_a_scheduler_with_no_workers_fails_clearly_instead_of_hanging(small: Path, tmp_path: Path, capsys) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty:
        with pytest.raises(NoWorkersError, match=r"no worker for 0\.5 s"):
            sweep(load_experiment(small), tmp_path / "a", scheduler=empty.scheduler_address, no_workers_timeout=0.5)
        options = ["--scheduler", empty.scheduler_address, "--no-workers-timeout", "0.5", "--quiet"]
        status = main(["sweep", str(small), "--out", str(tmp_path / "b"), *options])
    assert status == 2
    assert "has had no worker for 0.5 s (--no-workers-timeout)" in capsys.readouterr().err


def test_workers_lost_mid_sweep_stop_it_after_the_timeout(monkeypatch) -> None:
    class Gone:
        def nthreads(self) -> dict:
            return {}

    now = [100.0]
    monkeypatch.setattr(sweeping.time, "monotonic", lambda: now[0])
    watch = sweeping._no_workers_watch(Gone(), "tcp://x:1", 30.0)
    now[0] = 129.0
    watch()  # 29 s without a worker: still waiting
    now[0] = 131.0
    with pytest.raises(NoWorkersError, match="tcp://x:1 has had no worker for 30 s"):
        watch()


def test_the_timeout_is_bounded(small: Path, tmp_path: Path) -> None:
    with pytest.raises(sweeping.SweepError, match="no_workers_timeout = 0"):
        sweep(load_experiment(small), tmp_path / "out", no_workers_timeout=0)
    with pytest.raises(SystemExit):
        main(["sweep", str(small), "--no-workers-timeout", "-1"])


def test_a_sweep_whose_last_worker_leaves_stops_after_the_timeout(small: Path, tmp_path: Path, monkeypatch) -> None:
    import threading

    from distributed import LocalCluster

    started = threading.Event()
    original = sweeping.execute

    def slow(run, experiment):
        started.set()
        threading.Event().wait(0.3)
        return original(run, experiment)

    monkeypatch.setattr(sweeping, "execute", slow)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:

        def leave() -> None:
            started.wait(30)
            cluster.scale(0)

        threading.Thread(target=leave, daemon=True).start()
        with pytest.raises(NoWorkersError, match=r"no worker for 1 s"):
            sweep(
                load_experiment(small),
                tmp_path / "out",
                scheduler=cluster.scheduler_address,
                progress=False,
                batch_size=1,
                no_workers_timeout=1.0,
            )


def test_runs_finished_before_a_sweep_stops_are_kept_for_resume(small: Path, tmp_path: Path, monkeypatch) -> None:
    original, calls = sweeping.execute, []

    def interrupted(run, experiment):
        if len(calls) == 4:
            raise KeyboardInterrupt
        calls.append(run.run_id)
        return original(run, experiment)

    monkeypatch.setattr(sweeping, "execute", interrupted)
    experiment = load_experiment(small)
    with pytest.raises(KeyboardInterrupt):
        sweep(experiment, tmp_path / "out", progress=False, flush_every=1000, flush_seconds=1000.0)
    assert sweeping.completed_run_ids(tmp_path / "out") == set(calls) == {0, 1, 2, 3}
    monkeypatch.setattr(sweeping, "execute", original)
    runs = sweep(experiment, tmp_path / "out", progress=False, resume=True)
    assert len(runs) == len(sweeping.plan(experiment)) and runs["run_id"].is_unique


def test_the_code_digest_covers_the_built_in_strategies_as_well_as_the_code(tmp_path: Path, monkeypatch) -> None:
    import shutil

    from experiments import provenance

    real = provenance.package_dir
    before = provenance.model_code_digest()
    copy = tmp_path / "scenarios"
    shutil.copytree(real("scenarios"), copy)
    monkeypatch.setattr(provenance, "package_dir", lambda name: copy if name == "scenarios" else real(name))
    assert provenance.model_code_digest() == before  # the same files: the same digest
    (copy / "hybrid.toml").write_text((copy / "hybrid.toml").read_text() + "\n# edited\n")
    assert provenance.model_code_digest() != before
