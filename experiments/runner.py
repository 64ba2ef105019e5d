"""Run the model: one function from a scenario and a seed to its outcomes.

Experiments never touch agents: they call :func:`run_scenario` and get a
summary dict and the weekly series back (after the EMA Workbench's
``f(**params) -> outcomes``). Every replication's seed is spawned from one
master seed with :class:`numpy.random.SeedSequence`, in a fixed order, so the
same master seed gives the same numbers serially or in parallel.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import subprocess
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from model import TrustModel
from model.scenario import Scenario, draw_from_posterior

#: Packages whose versions every result records.
RECORDED_PACKAGES = ("tenant-trust", "mesa", "numpy", "numba", "scipy", "pandas", "networkx", "matplotlib")


@dataclass(frozen=True)
class RunResult:
    """What one run returns: its identity, end-of-run summary and weekly series."""

    scenario: str
    replicate: int
    seed: int
    summary: dict[str, Any]
    weekly: pd.DataFrame


def spawn_seeds(master_seed: int, count: int) -> list[int]:
    """``count`` independent 63-bit seeds drawn from ``master_seed`` in a fixed order."""
    children = np.random.SeedSequence(master_seed).spawn(count)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


def run_scenario(
    scenario: Scenario, weeks: int, seed: int, progress: bool = False
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Run ``scenario`` for ``weeks`` weeks from ``seed``.

    Args:
        scenario: What to run.
        weeks: How long.
        seed: Seed of the run's random number generator.
        progress: Show a progress bar over weeks.

    Returns:
        The end-of-run summary and the weekly series (indexed by week). A
        scenario with a ``posterior`` runs with its calibrated parameters
        drawn for this seed (:func:`model.scenario.draw_from_posterior`).
    """
    model = TrustModel(draw_from_posterior(scenario, seed), rng=seed)
    if progress:
        for _ in tqdm(range(weeks), desc=scenario.name, unit="week"):
            model.run_for(1)
    else:
        model.run_for(weeks)
    return model.summary(), model.weekly()


def _run_task(task: tuple[Scenario, int, int, int]) -> RunResult:
    scenario, replicate, seed, weeks = task
    summary, weekly = run_scenario(scenario, weeks, seed)
    return RunResult(scenario.name, replicate, seed, summary, weekly)


def run_many(
    tasks: Sequence[tuple[Scenario, int, int, int]], workers: int = 1, progress: bool = True, label: str = "runs"
) -> list[RunResult]:
    """Run ``(scenario, replicate, seed, weeks)`` tasks, in task order.

    Args:
        tasks: What to run.
        workers: Processes to use (1 runs in this process).
        progress: Show a progress bar.
        label: Progress bar label.

    Returns:
        One :class:`RunResult` per task, in the order given, whatever the
        number of workers.
    """
    with ExitStack() as stack:
        mapper = map if workers <= 1 else stack.enter_context(process_pool(workers)).map
        return list(tqdm(mapper(_run_task, tasks), total=len(tasks), desc=label, unit="run", disable=not progress))


#: Modules the fork server imports before it forks workers (it forks each
#: worker from itself, so they start with these already imported).
WORKER_PRELOAD = ("model", "model.kernels", "experiments.sweep", "experiments.runner")


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Local worker processes (started by a fork server) that exit once this process is gone.

    Used by every parallel runner, so a sweep or comparison killed with
    ``kill -9`` leaves no worker behind. The fork server imports the model and
    the runners once (:data:`WORKER_PRELOAD`), so each worker starts warm.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_PRELOAD))
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_watch_parent, initargs=(os.getpid(),))


def _watch_parent(parent: int) -> None:
    """In a worker process: exit once the main process is gone (e.g. after kill -9)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def default_workers() -> int:
    """Worker processes to use by default: every core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def provenance() -> dict[str, Any]:
    """Versions, commit, machine and time: recorded beside every result."""
    versions = {}
    for package in RECORDED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "versions": versions,
        "python": platform.python_version(),
        "git_commit": _git_commit(),
        "machine": platform.platform(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
