"""Dask clusters from a job scheduler (SLURM, PBS, SGE, LSF, HTCondor, OAR, Moab) with dask-jobqueue.

On a cluster managed by a job scheduler, :func:`job_cluster` starts a Dask
scheduler on the machine that runs ``tenant-trust`` and submits batch jobs,
each starting Dask workers, one process with one thread per core (the
model's runs are single-threaded), through dask-jobqueue (a maintained
Dask project). :func:`jobqueue_scheduler` does that for the length of a
sweep and yields the scheduler's address, which the sweep uses exactly as
``--scheduler``: the same checks of every worker's packages and model code,
the same no-workers timeout while jobs wait in the queue, and results that
are the same as serial ones. ``kind="local"`` runs the same job scripts as
local processes (dask-jobqueue's own test cluster): it is how this is tested.

From the command line, ``--jobqueue slurm --jobs 4 --job-cores 8 --job-memory 16GB
--job-walltime 02:00:00 --job-prologue "source .venv/bin/activate"`` on
``sweep``, ``sensitivity``, ``robustness`` or ``discover``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: Job schedulers dask-jobqueue can submit to, by the name ``--jobqueue`` takes.
KINDS = {
    "slurm": "SLURMCluster",
    "pbs": "PBSCluster",
    "sge": "SGECluster",
    "lsf": "LSFCluster",
    "htcondor": "HTCondorCluster",
    "oar": "OARCluster",
    "moab": "MoabCluster",
    "local": "LocalCluster",
}
#: Default resources of one job.
DEFAULT_CORES = 1
DEFAULT_MEMORY = "2GB"
DEFAULT_WALLTIME = "01:00:00"


class ClusterError(ValueError):
    """A job-scheduler setting that cannot be used."""


def _cluster_class(kind: str) -> type:
    if kind not in KINDS:
        raise ClusterError(f"--jobqueue {kind!r}; allowed: {', '.join(KINDS)}")
    if kind == "local":
        from dask_jobqueue.local import LocalCluster

        return LocalCluster
    import dask_jobqueue

    return getattr(dask_jobqueue, KINDS[kind])


def job_cluster(
    kind: str = "slurm",
    *,
    cores: int = DEFAULT_CORES,
    memory: str = DEFAULT_MEMORY,
    walltime: str | None = DEFAULT_WALLTIME,
    queue: str | None = None,
    account: str | None = None,
    prologue: Sequence[str] = (),
    **options: Any,
) -> Any:
    """A dask-jobqueue cluster whose jobs each run ``cores`` single-threaded Dask worker processes.

    Args:
        kind: The job scheduler (a key of :data:`KINDS`).
        cores: Cores of one job (one worker process each).
        memory: Memory of one job, e.g. ``"16GB"``.
        walltime: Longest run time of one job (``HH:MM:SS``; ignored by ``local``).
        queue: Queue or partition to submit to.
        account: Account to charge.
        prologue: Shell lines each job runs before starting its workers, e.g.
            ``source /path/to/.venv/bin/activate`` so that it runs this code.
        **options: Any other keyword of the dask-jobqueue cluster class.

    Returns:
        The cluster (not yet scaled: call ``cluster.scale(jobs=N)``).

    Raises:
        ClusterError: Unknown kind or a number of cores below 1.
    """
    kind_class = _cluster_class(kind)
    if isinstance(cores, bool) or not isinstance(cores, int) or cores < 1:
        raise ClusterError(f"--job-cores {cores!r}; allowed: a whole number, 1 or more")
    settings: dict[str, Any] = {
        "cores": cores,
        "processes": cores,
        "memory": memory,
        "job_script_prologue": list(prologue),
        "python": sys.executable,
        **options,
    }
    if kind != "local":
        settings |= {"walltime": walltime, "queue": queue, "account": account}
    settings.setdefault("scheduler_options", {"dashboard_address": None})
    return kind_class(**settings)


@contextmanager
def jobqueue_scheduler(kind: str, jobs: int = 1, show_script: bool = True, **options: Any) -> Iterator[str]:
    """Start a job-scheduler cluster, ask for ``jobs`` jobs, and yield its scheduler address; stop it on exit.

    Args:
        kind: The job scheduler (a key of :data:`KINDS`).
        jobs: Jobs to submit.
        show_script: Print the job script on stderr before submitting.
        **options: As :func:`job_cluster`.

    Yields:
        The Dask scheduler address (for ``sweep(..., scheduler=...)``).

    Raises:
        ClusterError: As :func:`job_cluster`, or fewer than 1 job.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ClusterError(f"--jobs {jobs!r}; allowed: a whole number, 1 or more")
    with job_cluster(kind, **options) as cluster:
        if show_script:
            print(
                f"tenant-trust: submitting {jobs} {kind} job(s) of this script:\n{cluster.job_script()}",
                file=sys.stderr,
            )
        cluster.scale(jobs=jobs)
        yield cluster.scheduler_address
