"""The path to a cluster scheduler: dask-jobqueue job scripts, and a sweep over jobs run locally."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from experiments.cli import main
from experiments.cluster import ClusterError, job_cluster, jobqueue_scheduler
from experiments.design import load_experiment
from experiments.provenance import identity
from experiments.sweep import sweep

SMALL = """
name = "jobs"
scenario = "baseline"
homes = 100
weeks = 6
replications = 2
seed = 21
outcomes = ["trust_mean", "participation_rate"]
[design]
method = "lhs"
samples = 3
[parameters]
negativity_bias = [1.0, 10.0]
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.toml"
    path.write_text(SMALL)
    return path


def _rows(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=["seconds"]).sort_values("run_id").reset_index(drop=True)


def test_a_slurm_job_script_asks_for_the_resources_and_single_threaded_workers() -> None:
    with job_cluster(
        "slurm", cores=4, memory="8GB", walltime="02:30:00", queue="short", account="proj", prologue=["module load x"]
    ) as cluster:
        script = cluster.job_script()
    assert "#SBATCH -p short" in script and "#SBATCH -A proj" in script
    assert "#SBATCH -t 02:30:00" in script and "#SBATCH --cpus-per-task=4" in script
    assert "module load x" in script
    assert "--nworkers 4" in script and "--nthreads 1" in script


def test_unknown_schedulers_and_bad_resources_are_refused() -> None:
    with pytest.raises(ClusterError, match="allowed: slurm, pbs, sge"):
        job_cluster("kubernetes")
    with pytest.raises(ClusterError, match="--job-cores 0"):
        job_cluster("local", cores=0)
    with pytest.raises(ClusterError, match="--jobs 0"), jobqueue_scheduler("local", jobs=0):
        pass


def test_a_sweep_over_local_jobs_gives_the_serial_results(small: Path, tmp_path: Path) -> None:
    experiment = load_experiment(small)
    serial = sweep(experiment, tmp_path / "serial", progress=False)
    with jobqueue_scheduler("local", jobs=1, cores=2, memory="2GB", show_script=False) as address:
        jobs = sweep(experiment, tmp_path / "jobs", scheduler=address, progress=False, no_workers_timeout=60)
    pd.testing.assert_frame_equal(_rows(serial), _rows(jobs))
    workers = json.loads((tmp_path / "jobs" / "manifest.json").read_text())["dask_workers"]
    assert 1 <= len(workers) <= 2  # the job's two workers; the sweep starts once the first has joined
    assert all(w["model_code_sha256"] == identity()["model_code_sha256"] for w in workers.values())


def test_the_command_line_submits_jobs_and_shows_their_script(small: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    status = main(["sweep", str(small), "--out", str(out), "--jobqueue", "local", "--jobs", "1", "--quiet"])
    assert status == 0
    err = capsys.readouterr().err
    assert "submitting 1 local job(s) of this script" in err and "--nthreads 1" in err
    assert len(pd.read_parquet(out / "runs")) == 6
    assert main(["sweep", str(small), "--jobqueue", "local", "--scheduler", "tcp://x:1", "--quiet"]) == 2
    assert "--jobqueue and --scheduler: give one" in capsys.readouterr().err
