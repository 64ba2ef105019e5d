"""Run the model: one run specification, one function that runs it, one seed derivation.

Every experiment runs models the same way. It describes each run as a
:class:`RunSpec` (a resolved scenario, a seed, a number of weeks and what to
record) and maps :func:`run` over the specs with :func:`run_all`, in any
:class:`concurrent.futures.Executor`: the calling process
(:class:`SerialExecutor`), local worker processes (:func:`process_pool`) or a
Dask cluster (``distributed.Client.get_executor()``); :func:`executor` picks
one. :func:`run` is a pure, module-level function (it pickles), so the
results are the same whichever executor runs it, and it is the one place
where a scenario's posterior draw (:func:`model.scenario.draw_from_posterior`)
is applied. Experiments never touch agents (after the EMA Workbench's
``f(**params) -> outcomes``).

**Seeds.** Every run seed comes from :func:`derive_seeds`: child ``i`` of the
master seed's :class:`numpy.random.SeedSequence` on a stream (its spawn key
``(*stream, i)``), reduced to a 63-bit integer. The streams:

- ``compare`` and ``validate``: :data:`REPLICATE_STREAM` (``()``), replicate
  ``r`` gets child ``r`` (``SeedSequence(master).spawn(n)[r]``), shared by
  every strategy (common random numbers);
- ``sweep`` (and ``sensitivity``, ``robustness``): :data:`SWEEP_STREAM`
  (``(1,)``), run ``i * replications + r`` of design point ``i`` gets that
  child (``SeedSequence(master).spawn(2)[1].spawn(n)``); the design's own
  sampling seed is child ``(0,)`` (``experiments.design``);
- ``calibrate``: :data:`CALIBRATION_STREAM` (``(2,)``), candidate ``j`` of
  generation ``t`` gets child ``(2, t, j)``.

A run's posterior draw, if its scenario has a posterior, comes from its run
seed on :data:`model.scenario.POSTERIOR_STREAM` (``default_rng([POSTERIOR_STREAM,
seed])``), apart from the run's own random numbers. The default master seed
is :data:`DEFAULT_SEED`; the same master seed gives the same numbers serially
or in parallel, on any executor.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from experiments.provenance import check_workers, environment, worker_identity
from model import TrustModel
from model.observation import (
    NEITHER_BAND,
    ObservedModel,
    dissatisfied_probability,
    expected_survey,
    observe,
    survey_modes,
)
from model.scenario import Scenario, draw_from_posterior

#: The master seed every command uses unless told otherwise (``--seed``).
DEFAULT_SEED = 20261127
#: Seed streams of :func:`derive_seeds` (see the module docstring).
REPLICATE_STREAM: tuple[int, ...] = ()
SWEEP_STREAM: tuple[int, ...] = (1,)
CALIBRATION_STREAM: tuple[int, ...] = (2,)
#: Seconds a Dask sweep waits with no worker connected before it stops with an error (``--no-workers-timeout``).
NO_WORKERS_TIMEOUT = 120.0


def derive_seeds(master: int, count: int, stream: Sequence[int] = (), start: int = 0) -> list[int]:
    """Run seeds ``start ... start + count - 1`` of ``stream``, from the master seed: the one seed derivation.

    Seed ``i`` is the first 64-bit word of ``SeedSequence(master, spawn_key=(*stream, i))``
    shifted right by one bit (a non-negative 63-bit integer). With the empty
    stream that is child ``i`` of ``SeedSequence(master).spawn(n)``; with
    ``stream=(1,)`` it is child ``i`` of ``SeedSequence(master).spawn(2)[1].spawn(n)``
    (a spawned child's spawn key is its parent's plus its index). A seed never
    depends on how many seeds are asked for.

    Args:
        master: The master seed (a non-negative integer).
        count: How many seeds.
        stream: Spawn-key prefix keeping one use of the master seed apart from
            another (:data:`REPLICATE_STREAM`, :data:`SWEEP_STREAM`,
            :data:`CALIBRATION_STREAM` plus the generation).
        start: Index of the first seed.

    Returns:
        ``count`` seeds, in index order.
    """
    prefix = tuple(int(k) for k in stream)
    return [
        int(np.random.SeedSequence(master, spawn_key=(*prefix, i)).generate_state(1, dtype=np.uint64)[0] >> 1)
        for i in range(start, start + count)
    ]


def spawn_seeds(master_seed: int, count: int) -> list[int]:
    """The replicate seeds of ``compare`` and ``validate``: ``derive_seeds(master_seed, count)``."""
    return derive_seeds(master_seed, count, REPLICATE_STREAM)


@dataclass(frozen=True)
class RunSpec:
    """One run: what to run, from which seed, for how long, and what to record.

    The end-of-run summary is always recorded.

    Attributes:
        scenario: A resolved scenario; if it has a posterior, its calibrated
            parameters are drawn for ``seed`` when the run starts.
        seed: Seed of the run's random number generator.
        weeks: Weeks to simulate.
        weekly_every: Record the weekly series, keeping the weeks divisible by
            this (1: every week; 0: no series, which is faster).
        observe: Record the validation observation
            (:meth:`model.observation.ObservedModel.observe`).
        neither_band: Width of the observation's "neither" band.
        dissatisfied_bands: With ``observe``, also the dissatisfied share
            (expected survey) at each of these "neither" bands, as
            ``dissatisfied@BAND`` (the calibration fits the band with them).
    """

    scenario: Scenario
    seed: int
    weeks: int
    weekly_every: int = 0
    observe: bool = False
    neither_band: float = NEITHER_BAND
    dissatisfied_bands: tuple[float, ...] = ()


@dataclass(frozen=True)
class RunOutcome:
    """What :func:`run` returns.

    Attributes:
        spec: The run's specification.
        scenario: The scenario as run (after its posterior draw, if any).
        summary: The end-of-run summary (``TrustModel.summary()``).
        weekly: The weekly series indexed by week (``weekly_every`` > 0), else None.
        observed: The observation (``observe``), else None.
        levers: Every lever at week 0 and each later change, with its cause
            (:meth:`model.model.TrustModel.lever_changes`).
        decisions: The landlord's policy decisions (week, policy, decision,
            watch, value, takes_effect); empty without policies.
        neighbourhoods: End-of-run outcomes per neighbourhood
            (:meth:`model.model.TrustModel.neighbourhood_summary`).
    """

    spec: RunSpec
    scenario: Scenario
    summary: dict[str, Any]
    weekly: pd.DataFrame | None = None
    observed: dict[str, float] | None = None
    levers: pd.DataFrame | None = None
    decisions: pd.DataFrame | None = None
    neighbourhoods: pd.DataFrame | None = None


#: Columns of a run's policy decisions (:attr:`model.model.TrustModel.decisions`).
DECISION_COLUMNS = ("week", "policy", "decision", "watch", "value", "takes_effect")


def run(spec: RunSpec, progress: bool = False) -> RunOutcome:
    """Run one specification and return its outcomes.

    Args:
        spec: What to run and record.
        progress: Show a progress bar over weeks.

    Returns:
        The summary, and the weekly series and observation if asked for.
    """
    scenario = draw_from_posterior(spec.scenario, spec.seed)
    kind = ObservedModel if spec.observe else TrustModel
    model = kind(scenario, rng=spec.seed, record_weekly=spec.weekly_every > 0)
    if progress:
        for _ in tqdm(range(spec.weeks), desc=scenario.name, unit="week"):
            model.run_for(1)
    else:
        model.run_for(spec.weeks)
    summary = model.summary()
    weekly = observed = None
    if spec.weekly_every > 0:
        weekly = model.weekly()
        if spec.weekly_every > 1:
            weekly = weekly[weekly.index % spec.weekly_every == 0]
    if spec.observe:
        observed = observe(model, spec.neither_band)
        if spec.dissatisfied_bands:
            latent = model.latent_answers()["tp01"]
            modes = survey_modes(model.households, model.p)
            for band in spec.dissatisfied_bands:
                answers = modes.answer(lambda x, band=band: dissatisfied_probability(x, band), latent)
                observed[f"dissatisfied@{band:g}"] = expected_survey(answers, modes.weights)
    decisions = pd.DataFrame(model.decisions, columns=DECISION_COLUMNS)
    return RunOutcome(
        spec, scenario, summary, weekly, observed, model.lever_changes(), decisions, model.neighbourhood_summary()
    )


def run_all(
    specs: Sequence[RunSpec], executor: Executor | None = None, progress: bool = False, label: str = "runs"
) -> list[RunOutcome]:
    """Run every specification with ``executor`` (the calling process if None); outcomes in spec order.

    Args:
        specs: What to run.
        executor: Any :class:`concurrent.futures.Executor` (see :func:`executor`).
        progress: Show a progress bar.
        label: Progress bar label.

    Returns:
        One :class:`RunOutcome` per spec, in the order given, whatever the executor.
    """
    mapper: Callable[..., Iterable[RunOutcome]] = map if executor is None else executor.map
    return list(tqdm(mapper(run, specs), total=len(specs), desc=label, unit="run", disable=not progress))


class SerialExecutor(Executor):
    """A :class:`concurrent.futures.Executor` that runs each call at once, in the calling process."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn(*args, **kwargs)`` now; return its finished future."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future
            future.set_exception(error)
        return future

    def map(
        self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[Any]:
        """``map(fn, *iterables)``, lazily: each call runs when its result is asked for."""
        return map(fn, *iterables)


@contextmanager
def executor(
    workers: int = 1, scheduler: str | None = None, no_workers_timeout: float = NO_WORKERS_TIMEOUT
) -> Iterator[Executor]:
    """The executor for ``workers`` local processes, or for a Dask scheduler's cluster.

    Args:
        workers: Local processes; 1 (or fewer) runs in the calling process.
        scheduler: Address of a Dask distributed scheduler, e.g.
            ``tcp://host:8786`` (then ``workers`` is ignored).
        no_workers_timeout: With a scheduler, seconds to wait for a first
            worker before giving up (:func:`dask_client`).

    Yields:
        A :class:`SerialExecutor`, a :func:`process_pool` or a Dask client's
        executor (``distributed.Client.get_executor``), shut down on exit.
    """
    if scheduler is not None:
        with dask_client(scheduler, no_workers_timeout) as client:
            yield client.get_executor(pure=False)
    elif workers > 1:
        with process_pool(workers) as pool:
            yield pool
    else:
        with SerialExecutor() as serial:
            yield serial


class NoWorkersError(RuntimeError):
    """A Dask scheduler that has had no worker for longer than the allowed time."""


@contextmanager
def dask_client(scheduler: str, no_workers_timeout: float = NO_WORKERS_TIMEOUT) -> Iterator[Any]:
    """A Dask client whose workers are checked: at least one, each running this machine's code and packages.

    Args:
        scheduler: Address of the Dask scheduler.
        no_workers_timeout: Seconds to wait for a first worker.

    Yields:
        The connected ``distributed.Client``; its workers' identities are in
        ``client.tenant_trust_workers`` (address -> :func:`experiments.provenance.worker_identity`).

    Raises:
        NoWorkersError: No worker joined within ``no_workers_timeout`` seconds.
        WorkerMismatchError: A worker's package versions or model code differ
            from this machine's (:func:`experiments.provenance.check_workers`).
    """
    from distributed import Client

    with Client(scheduler, timeout=max(no_workers_timeout, 10.0)) as client:
        try:
            client.wait_for_workers(1, timeout=no_workers_timeout)
        except TimeoutError:
            raise NoWorkersError(no_workers_message(scheduler, no_workers_timeout)) from None
        identities = client.run(worker_identity)
        check_workers(identities)
        client.tenant_trust_workers = identities
        yield client


def no_workers_message(scheduler: str, timeout: float) -> str:
    """The error for a scheduler with no worker for ``timeout`` seconds, with what to do."""
    return (
        f"Dask scheduler {scheduler} has had no worker for {timeout:g} s (--no-workers-timeout), so no run can "
        f"go on; start workers (dask worker {scheduler} --nthreads 1) and resume with --resume"
    )


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


def provenance() -> dict[str, Any]:
    """Versions, commit, dirty-tree flag, machine and time: recorded beside every result.

    See :func:`experiments.provenance.environment`.
    """
    return environment()
