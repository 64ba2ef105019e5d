"""Sweeps: fixed plan and seeds, serial == parallel == Dask, streaming, failure and resume."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.design import load_experiment
from experiments.sweep import SweepError, completed_run_ids, load_runs, plan, sweep

SMALL = """
name = "small"
scenarios = ["baseline", "digital_only"]
homes = 120
weeks = 20
replications = 2
seed = 11
outcomes = ["trust_mean", "participation_rate", "tsm_tp01"]
[design]
method = "lhs"
samples = 4
[parameters]
negativity_bias = [1.0, 10.0]
patch_size = "declared"
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


def _frame(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=["seconds"]).sort_values("run_id").reset_index(drop=True)


def test_plan_is_fixed_and_shares_seeds_across_strategies(small):
    experiment = load_experiment(small)
    first, second = plan(experiment), plan(experiment)
    assert [r.seed for r in first] == [r.seed for r in second]
    assert [r.run_id for r in first] == list(range(4 * 2 * 2))
    by_key = {(r.scenario, r.sample_id, r.replicate): r.seed for r in first}
    assert by_key[("baseline", 3, 1)] == by_key[("digital_only", 3, 1)]
    assert len({r.seed for r in first if r.scenario == "baseline"}) == 8
    assert all(isinstance(r.values["patch_size"], int) for r in first)


def test_serial_parallel_and_dask_give_identical_results(small, tmp_path):
    from distributed import LocalCluster

    experiment = load_experiment(small)
    serial = sweep(experiment, tmp_path / "serial", workers=1, progress=False)
    parallel = sweep(experiment, tmp_path / "parallel", workers=2, progress=False, flush_every=3)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as c:
        dask = sweep(experiment, tmp_path / "dask", scheduler=c.scheduler_address, progress=False, batch_size=2)
    assert len(serial) == 16 and (serial["status"] == "ok").all()
    pd.testing.assert_frame_equal(_frame(serial), _frame(parallel))
    pd.testing.assert_frame_equal(_frame(serial), _frame(dask))
    assert len(list((tmp_path / "parallel" / "runs").glob("part-*.parquet"))) >= 2


def test_results_are_readable_with_pandas_and_record_provenance(small, tmp_path):
    experiment = load_experiment(small)
    sweep(experiment, tmp_path / "out", progress=False)
    runs = pd.read_parquet(tmp_path / "out" / "runs")
    expected = {"run_id", "sample_id", "replicate", "seed", "negativity_bias", "patch_size", "trust_mean", "status"}
    assert expected <= set(runs.columns)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["experiment_sha256"] == experiment.digest
    assert manifest["runs_done"] == 16 and manifest["runs_failed"] == 0
    assert manifest["versions"]["mesa"].startswith("3.")
    assert "finished" in manifest and "started" in manifest


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(small, tmp_path, monkeypatch):
    from model import TrustModel

    original = TrustModel.run_for

    def flaky(self, weeks):
        if self.p["negativity_bias"] > 5.0:
            raise RuntimeError("boom")
        return original(self, weeks)

    monkeypatch.setattr(TrustModel, "run_for", flaky)
    runs = sweep(load_experiment(small), tmp_path / "out", progress=False)
    failed = runs[runs["status"] == "failed"]
    assert len(runs) == 16
    assert len(failed) == int((runs["negativity_bias"] > 5.0).sum()) > 0
    assert failed["error"].str.contains("RuntimeError: boom").all()
    assert failed["trust_mean"].isna().all()
    assert runs.loc[runs["status"] == "ok", "trust_mean"].notna().all()
    monkeypatch.undo()
    retried = sweep(load_experiment(small), tmp_path / "out", resume=True, retry_failed=True, progress=False)
    assert len(retried) == 16 and (retried["status"] == "ok").all()
    assert sorted(retried["run_id"]) == list(range(16))


def test_existing_results_need_resume_and_resume_needs_the_same_file(small, tmp_path):
    experiment = load_experiment(small)
    sweep(experiment, tmp_path / "out", progress=False)
    with pytest.raises(SweepError, match="--resume"):
        sweep(experiment, tmp_path / "out", progress=False)
    changed = tmp_path / "changed.toml"
    changed.write_text(SMALL.replace("seed = 11", "seed = 12"))
    with pytest.raises(SweepError, match="different experiment file"):
        sweep(load_experiment(changed), tmp_path / "out", resume=True, progress=False)
    with pytest.raises(SweepError, match="nothing to resume"):
        sweep(experiment, tmp_path / "fresh", resume=True, progress=False)


KILLABLE = """
import sys
from pathlib import Path
from experiments.design import load_experiment
from experiments.sweep import sweep
sweep(load_experiment(sys.argv[1]), Path(sys.argv[2]), workers=1, progress=False, flush_every=2)
"""


def test_resume_after_kill_9_loses_and_repeats_no_run(tmp_path):
    path = tmp_path / "longer.toml"
    longer = SMALL.replace("samples = 4", "samples = 30").replace("weeks = 20", "weeks = 40")
    path.write_text(longer.replace("seed = 11", "seed = 11\nseries_every = 10"))
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLABLE), str(path), str(out)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "runs").glob("part-*.parquet"))) < 2:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    before = completed_run_ids(out)
    total = 30 * 2 * 2
    assert 0 < len(before) < total, "the kill must land mid-sweep"
    runs = sweep(load_experiment(path), out, resume=True, progress=False)
    assert sorted(runs["run_id"]) == list(range(total))
    assert not runs["run_id"].duplicated().any()
    assert not list((out / "runs").glob(".*tmp"))
    from experiments.sweep import load_series

    series = load_series(out)
    assert not series.duplicated(["run_id", "week"]).any()
    assert sorted(series["run_id"].unique()) == list(range(total))
    fresh = sweep(load_experiment(path), tmp_path / "fresh", progress=False)
    pd.testing.assert_frame_equal(_frame(load_runs(out)), _frame(fresh))


def test_memory_stays_flat_rows_are_streamed_in_parts(small, tmp_path):
    runs = sweep(load_experiment(small), tmp_path / "out", progress=False, flush_every=5, flush_seconds=1e9)
    parts = sorted((tmp_path / "out" / "runs").glob("part-*.parquet"))
    sizes = [len(pd.read_parquet(p)) for p in parts]
    assert sizes[:-1] == [5] * (len(parts) - 1) and sum(sizes) == len(runs) == 16
    assert np.isfinite(runs["trust_mean"]).all()


def test_weekly_series_are_kept_when_asked_and_match_a_direct_run(small, tmp_path):
    from experiments.sweep import load_series
    from model import TrustModel, load_scenario

    path = tmp_path / "series.toml"
    path.write_text(SMALL.replace("seed = 11", "seed = 11\nseries_every = 5"))
    experiment = load_experiment(path)
    runs = sweep(experiment, tmp_path / "out", progress=False, flush_every=3)
    series = load_series(tmp_path / "out")
    assert sorted(series["run_id"].unique()) == sorted(runs["run_id"])
    assert sorted(series["week"].unique()) == [0, 5, 10, 15, 20]
    run = runs.iloc[5]
    scenario = load_scenario(
        run["scenario"], homes=120, negativity_bias=run["negativity_bias"], patch_size=int(run["patch_size"])
    )
    model = TrustModel(scenario, rng=int(run["seed"]))
    model.run_for(20)
    direct = model.weekly()["trust_mean"].iloc[::5].to_numpy()
    kept = series[series["run_id"] == run["run_id"]]["trust_mean"].to_numpy()
    assert np.allclose(direct, kept)
    assert np.isclose(kept[-1], run["trust_mean"])
