"""Run an experiment's design: every design point x replicate x strategy.

Runs are enumerated in a fixed order and each gets its seed from the master
seed (:func:`experiments.runner.derive_seeds` on :data:`~experiments.runner.SWEEP_STREAM`),
stored with its row; replicate ``r`` of design point ``i`` uses the same seed
for every strategy (common random numbers). Each run is one
:class:`~experiments.runner.RunSpec` run by :func:`experiments.runner.run`.
Results stream to a Parquet dataset ``DIR/runs/`` as runs finish (and, with
``series_every``, every run's weekly series to ``DIR/series/``), in small
part files written atomically, so memory stays flat and a sweep killed at any
moment can be resumed (``resume=True``) with no run lost or repeated.

Executors (:func:`experiments.runner.executor`): the calling process
(``workers=1``), local processes (``workers>1``), or a Dask distributed
cluster (``scheduler="tcp://host:port"``) through its client's
``concurrent.futures`` executor. Runs go out in batches, a few per worker in
flight at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from experiments import runner
from experiments.design import Experiment
from experiments.outputs import check_out, folder_lock, write_json_atomically
from experiments.provenance import identity, model_code_digest, require_identity
from experiments.runner import (
    NO_WORKERS_TIMEOUT,
    SWEEP_STREAM,
    NoWorkersError,
    RunSpec,
    derive_seeds,
    executor,
    no_workers_message,
    provenance,
)
from model import load_scenario, params

#: Runs buffered before a part file is written (also flushed every few seconds).
FLUSH_EVERY = 64
FLUSH_SECONDS = 5.0
#: Longest ``no_workers_timeout`` allowed (a day).
MAX_NO_WORKERS_TIMEOUT = 86_400.0


@dataclass(frozen=True)
class Run:
    """One run of a sweep: its identity, seed and parameter values."""

    run_id: int
    sample_id: int
    replicate: int
    scenario: str
    seed: int
    values: dict[str, float | int]


class SweepError(RuntimeError):
    """A sweep that cannot start or resume."""


def plan(experiment: Experiment) -> list[Run]:
    """Every run of the experiment, in a fixed order, with its seed."""
    design = experiment.design()
    points = design.shape[0]
    seeds = derive_seeds(experiment.seed, points * experiment.replications, SWEEP_STREAM)
    names = list(experiment.bounds)
    columns = [_as_kind(name, design[:, column]) for column, name in enumerate(names)]
    points_values = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    runs = []
    for scenario in experiment.scenarios:
        for sample_id, values in enumerate(points_values):
            for replicate in range(experiment.replications):
                seed = seeds[sample_id * experiment.replications + replicate]
                runs.append(Run(len(runs), sample_id, replicate, scenario, seed, values))
    return runs


def _as_kind(name: str, column: np.ndarray) -> list[float] | list[int]:
    """A design column as Python numbers of the parameter's kind (ints truncated, as ``int()``)."""
    return column.astype(np.int64).tolist() if params.get(name).kind == "int" else column.astype(float).tolist()


def execute(run: Run, experiment: Experiment) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one design point; return its result row and, if asked for, its weekly series.

    Failures are recorded in the row (status "failed" and the error), not raised.
    """
    row: dict[str, Any] = {
        "run_id": run.run_id,
        "sample_id": run.sample_id,
        "replicate": run.replicate,
        "scenario": Path(run.scenario).stem,
        "seed": run.seed,
        **run.values,
    }
    series = None
    started = time.perf_counter()
    try:
        overrides = {"homes": experiment.homes, **run.values}
        scenario = load_scenario(run.scenario, shocks=experiment.shocks, **overrides)
        outcome = runner.run(RunSpec(scenario, run.seed, experiment.weeks, weekly_every=experiment.series_every))
        row |= {o: _number(outcome.summary.get(o)) for o in experiment.outcomes}
        row |= {"status": "ok", "error": ""}
        if outcome.weekly is not None:
            series = outcome.weekly.reset_index().assign(run_id=run.run_id)
    except Exception as error:
        row |= dict.fromkeys(experiment.outcomes, float("nan"))
        row |= {"status": "failed", "error": f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}"}
    row["seconds"] = time.perf_counter() - started
    return row, series


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _execute_batch(
    runs: list[Run], experiment: Experiment, expected: dict[str, Any] | None = None
) -> list[tuple[dict[str, Any], pd.DataFrame | None]]:
    """Run a batch; on a Dask worker, first check that it runs the client's packages and model code."""
    if expected is not None:
        require_identity(expected)
    return [execute(run, experiment) for run in runs]


def _sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def code_digest() -> str:
    """SHA-256 of the model's source files (``model/*.py``): the code version a sweep's results depend on."""
    return model_code_digest()


def fingerprint(experiment: Experiment) -> dict[str, Any]:
    """SHA-256 of every input a sweep reads: the experiment, strategy, shock and posterior files, and the model code."""
    files = {str(experiment.path.resolve()): experiment.digest}
    for name in experiment.scenarios:
        scenario = load_scenario(name, shocks=experiment.shocks)
        for source in [*scenario.sources, *([scenario.posterior] if scenario.posterior else [])]:
            files[str(Path(source).resolve())] = _sha256(source)
    return {"files": files, "model_code_sha256": code_digest()}


def _fingerprint_changes(recorded: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between two fingerprints, in words."""
    changes = []
    before, after = recorded.get("files", {}), now["files"]
    for path in sorted(before.keys() | after.keys()):
        if path not in after:
            changes.append(f"{path} is no longer read")
        elif path not in before:
            changes.append(f"{path} is read now but was not then")
        elif before[path] != after[path]:
            changes.append(f"{path} was edited (sha256 {before[path][:12]}, now {after[path][:12]})")
    if recorded.get("model_code_sha256") != now["model_code_sha256"]:
        changes.append(
            f"the model code changed (sha256 {str(recorded.get('model_code_sha256'))[:12]}, "
            f"now {now['model_code_sha256'][:12]})"
        )
    return changes


def _quarantine(out: Path, part: Path, reason: str, notice: Callable[[str], None]) -> None:
    """Move a part file (and its series part) out of the dataset into ``out/quarantine``, saying why."""
    target = out / "quarantine"
    target.mkdir(exist_ok=True)
    part.replace(target / part.name)
    series = out / "series" / part.name
    if series.exists():
        (target / "series").mkdir(exist_ok=True)
        series.replace(target / "series" / part.name)
    notice(f"{part}: {reason}; moved to {target}/ (its runs will run again)")


def _stderr(line: str) -> None:
    print(f"tenant-trust: warning: {line}", file=sys.stderr, flush=True)


def check_parts(out: Path, runs: list[Run], notice: Callable[[str], None] = _stderr) -> int:
    """Quarantine part files that are damaged, belong to another plan, or repeat runs already stored.

    A part is kept only if it can be read and every row's run id, seed and
    strategy are those of this experiment's plan. Returns the parts moved.
    """
    planned = {run.run_id: (run.seed, Path(run.scenario).stem) for run in runs}
    seen: set[int] = set()
    moved = 0
    for part in sorted((out / "runs").glob("part-*.parquet")):
        try:
            frame = pd.read_parquet(part, columns=["run_id", "seed", "scenario"])
        except Exception as error:  # pyarrow raises several types for a damaged file
            _quarantine(out, part, f"cannot be read ({type(error).__name__}: {error})", notice)
            moved += 1
            continue
        rows = list(zip(frame["run_id"].tolist(), frame["seed"].tolist(), frame["scenario"].tolist(), strict=True))
        foreign = [r for r in rows if planned.get(int(r[0])) != (int(r[1]), str(r[2]))]
        repeated = [r for r in rows if int(r[0]) in seen]
        if foreign:
            reason = f"{len(foreign)} of its {len(rows)} runs are not in this experiment's plan (another experiment?)"
        elif repeated or len({r[0] for r in rows}) != len(rows):
            reason = f"repeats {max(len(repeated), 1)} runs stored in another part (two writers at once?)"
        else:
            seen.update(int(r[0]) for r in rows)
            continue
        _quarantine(out, part, reason, notice)
        moved += 1
    return moved


def completed_run_ids(out: Path) -> set[int]:
    """Run ids already stored in ``out/runs`` (only whole part files exist there)."""
    parts = sorted((out / "runs").glob("part-*.parquet"))
    if not parts:
        return set()
    return set(pd.concat(pd.read_parquet(p, columns=["run_id"]) for p in parts)["run_id"].tolist())


def _write_atomically(frame: pd.DataFrame, final: Path) -> None:
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.parent / f".{final.name}.tmp"
    frame.to_parquet(temporary, index=False)
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    temporary.replace(final)


def write_part(
    out: Path, rows: list[dict[str, Any]], columns: list[str], series: list[pd.DataFrame] | None = None
) -> Path:
    """Write finished runs as one Parquet part file, atomically (temporary name, then rename).

    A run's weekly series, when kept, goes to ``out/series`` under the same
    part name, written first: a run counts as done only once its row is in
    ``out/runs``.
    """
    frame = pd.DataFrame(rows, columns=columns).sort_values("run_id")
    name = f"part-{int(frame['run_id'].iloc[0]):09d}-{uuid.uuid4().hex[:8]}.parquet"
    if series:
        _write_atomically(pd.concat(series, ignore_index=True), out / "series" / name)
    final = out / "runs" / name
    _write_atomically(frame, final)
    return final


def _forget_failed(out: Path) -> None:
    """Rewrite each part file without its failed runs, so that they run again."""
    for part in sorted((out / "runs").glob("part-*.parquet")):
        frame = pd.read_parquet(part)
        failed = frame["status"] == "failed"
        if failed.all():
            part.unlink()
        elif failed.any():
            _write_atomically(frame[~failed], part)


def _drop_orphan_series(out: Path) -> None:
    """Remove series parts whose runs part was never written (the sweep died in between)."""
    for part in (out / "series").glob("part-*.parquet"):
        if not (out / "runs" / part.name).exists():
            part.unlink()


def _columns(experiment: Experiment) -> list[str]:
    fixed = ["run_id", "sample_id", "replicate", "scenario", "seed"]
    return [*fixed, *experiment.bounds, *experiment.outcomes, "status", "error", "seconds"]


def _write_manifest(out: Path, record: dict[str, Any]) -> None:
    write_json_atomically(out / "manifest.json", record, indent=2, default=str)


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        manifest, reason = None, f"{type(error).__name__}: {error}"
    else:
        reason = "no experiment_sha256 in it"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("experiment_sha256"), str):
        raise SweepError(
            f"{path}: damaged ({reason}), so the stored runs cannot be checked against the experiment; "
            f"move {path.parent} aside (or delete it) and start afresh, or choose another --out"
        )
    return manifest


def _start(out: Path, experiment: Experiment, resume: bool, total: int, inputs: dict[str, Any]) -> dict[str, Any]:
    manifest_path = out / "manifest.json"
    parts = list((out / "runs").glob("part-*.parquet")) if (out / "runs").is_dir() else []
    if parts and not manifest_path.is_file():
        raise SweepError(
            f"{out}: holds {len(parts)} part files in runs/ but no manifest.json, so they cannot be checked against "
            f"{experiment.path}; move {out / 'runs'} aside (or delete it) to start afresh, or choose another --out"
        )
    if resume:
        if not manifest_path.is_file():
            raise SweepError(f"{out}: nothing to resume (no manifest.json); run without --resume")
        manifest = _read_manifest(manifest_path)
        if manifest["experiment_sha256"] != experiment.digest:
            raise SweepError(
                f"{out}: was started from a different experiment file "
                f"(sha256 {manifest['experiment_sha256'][:12]}, now {experiment.digest[:12]}); "
                "resume with the same file or use another --out"
            )
        changes = _fingerprint_changes(manifest["inputs"], inputs) if "inputs" in manifest else []
        if changes:
            raise SweepError(
                f"{out}: cannot resume: {'; '.join(changes)} since the sweep started, so old and new runs would "
                "mix two versions; restore the inputs as they were, or start afresh in another --out"
            )
        now = provenance()
        resumed = {
            "at": now["created"],
            "git_commit": now["git_commit"],
            "git_dirty": now["git_dirty"],
            "versions": now["versions"],
        }
        manifest["resumed"] = [*manifest.get("resumed", []), resumed]
        return manifest
    if (out / "runs").is_dir() and any((out / "runs").glob("part-*.parquet")):
        raise SweepError(f"{out}: already holds results; use --resume to finish them or choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    return {
        "experiment": experiment.name,
        "scenarios": resolved_scenarios(experiment),
        "experiment_file": str(experiment.path),
        "experiment_sha256": experiment.digest,
        "experiment_text": experiment.path.read_text(encoding="utf-8"),
        "runs_planned": total,
        "inputs": inputs,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        **provenance(),
    }


def resolved_scenarios(experiment: Experiment) -> dict[str, dict[str, Any]]:
    """Every strategy of the experiment as it runs before the design's values are set: all its parameters.

    Keyed by the strategy's label (the ``scenario`` column); each is
    :meth:`model.scenario.Scenario.to_dict` with the experiment's estate size
    and shocks, so the manifest says what every parameter not in the design was.
    """
    resolved = {}
    for name in experiment.scenarios:
        scenario = load_scenario(name, shocks=experiment.shocks, homes=experiment.homes)
        resolved[Path(name).stem] = scenario.to_dict()
    return resolved


def _auto_batch(runs: int, workers: int) -> int:
    """Batch size giving each worker about 32 tasks, between 1 and 16 runs each."""
    return max(1, min(16, runs // (32 * max(workers, 1))))


def _batches(runs: list[Run], size: int) -> Iterator[list[Run]]:
    for start in range(0, len(runs), size):
        yield runs[start : start + size]


def _results(
    batches: Iterable[list[Run]],
    experiment: Experiment,
    workers: int,
    scheduler: str | None,
    no_workers_timeout: float = NO_WORKERS_TIMEOUT,
    dask_workers: dict[str, Any] | None = None,
) -> Iterator[list[tuple[dict[str, Any], pd.DataFrame | None]]]:
    """Each batch's results as batches finish, at most four batches per worker (or Dask thread) in flight.

    Over Dask, every worker's identity is checked when the sweep connects
    (and stored in ``dask_workers``), each batch checks the worker it lands
    on, and the sweep stops with :class:`~experiments.runner.NoWorkersError`
    once the scheduler has had no worker for ``no_workers_timeout`` seconds.
    """
    if scheduler is None and workers <= 1:
        for batch in batches:
            yield _execute_batch(batch, experiment)
        return
    with executor(workers, scheduler, no_workers_timeout) as pool:
        if scheduler is None:
            yield from _windowed(lambda b: pool.submit(_execute_batch, b, experiment), batches, max(2, 4 * workers))
            return
        client = _dask_client()
        if dask_workers is not None:
            dask_workers |= client.tenant_trust_workers
        expected = identity()
        window = max(2, 4 * sum(client.nthreads().values()))
        watch = _no_workers_watch(client, scheduler, no_workers_timeout)
        yield from _windowed(lambda b: pool.submit(_execute_batch, b, experiment, expected), batches, window, watch)


def _dask_client() -> Any:
    """The Dask client that :func:`experiments.runner.executor` connected."""
    from distributed import default_client

    return default_client()


def _no_workers_watch(client: Any, scheduler: str, timeout: float) -> Callable[[], None]:
    """A check, called while waiting for results, that raises once no worker has been seen for ``timeout`` s."""
    last_seen = [time.monotonic()]

    def check() -> None:
        if client.nthreads():
            last_seen[0] = time.monotonic()
        elif time.monotonic() - last_seen[0] > timeout:
            raise NoWorkersError(no_workers_message(scheduler, timeout))

    return check


#: Seconds between checks for workers while a Dask sweep waits for results.
WATCH_SECONDS = 1.0


def _windowed(
    submit: Callable[[list[Run]], Future],
    batches: Iterable[list[Run]],
    window: int,
    watch: Callable[[], None] | None = None,
) -> Iterator[Any]:
    """Keep at most ``window`` batches in flight; yield results as they finish.

    ``watch``, if given, is called whenever nothing finished for
    :data:`WATCH_SECONDS` (it raises to stop the sweep).
    """
    pending: set[Future] = set()
    queue = iter(batches)
    for batch in queue:
        pending.add(submit(batch))
        if len(pending) >= window:
            break
    while pending:
        done, pending = wait(pending, timeout=WATCH_SECONDS if watch else None, return_when=FIRST_COMPLETED)
        if not done and watch is not None:
            watch()
        for future in done:
            yield future.result()
            following = next(queue, None)
            if following is not None:
                pending.add(submit(following))


def sweep(
    experiment: Experiment,
    out: Path,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    batch_size: int | None = None,
    flush_every: int = FLUSH_EVERY,
    flush_seconds: float = FLUSH_SECONDS,
    retry_failed: bool = False,
    no_workers_timeout: float = NO_WORKERS_TIMEOUT,
) -> pd.DataFrame:
    """Run every planned run not yet stored in ``out`` and return all results.

    Args:
        experiment: The validated experiment.
        out: Output folder (``runs/`` Parquet dataset and ``manifest.json``).
        workers: Local processes (ignored when ``scheduler`` is given).
        scheduler: Address of a Dask distributed scheduler, e.g. ``tcp://host:8786``.
        resume: Finish a sweep that was interrupted.
        progress: Show a progress bar with rate and time left.
        batch_size: Runs sent to a worker at once (default: enough to keep
            per-task overhead small while every worker gets dozens of tasks).
        flush_every: Finished runs buffered before a part file is written.
        flush_seconds: Longest wait before buffered runs are written anyway.
        retry_failed: With ``resume``, run the runs that failed again (their
            rows are replaced).
        no_workers_timeout: With ``scheduler``, seconds with no Dask worker
            after which the sweep stops with an error instead of waiting.

    Returns:
        Every run's row (all part files), sorted by ``run_id``.

    Raises:
        SweepError: Results already present without ``resume``, or a resume
            whose inputs (experiment, strategy, shock or posterior files, model
            code) changed since the sweep started.
        OutputError: Another process is writing into ``out``
            (:func:`experiments.outputs.folder_lock`).
        NoWorkersError: The Dask scheduler had no worker for ``no_workers_timeout`` s.
        WorkerMismatchError: A Dask worker runs other packages or model code.
    """
    out = check_out(out, "out")
    if isinstance(no_workers_timeout, bool) or not 0 < no_workers_timeout <= MAX_NO_WORKERS_TIMEOUT:
        raise SweepError(
            f"no_workers_timeout = {no_workers_timeout!r}; allowed: seconds in (0, {MAX_NO_WORKERS_TIMEOUT:g}]"
        )
    settings = _Settings(workers, scheduler, resume, progress, batch_size, flush_every, flush_seconds, retry_failed)
    with folder_lock(out):
        return _sweep(experiment, out, settings, no_workers_timeout)


@dataclass(frozen=True)
class _Settings:
    """How :func:`sweep` runs (everything but the experiment, the folder and the Dask timeout)."""

    workers: int
    scheduler: str | None
    resume: bool
    progress: bool
    batch_size: int | None
    flush_every: int
    flush_seconds: float
    retry_failed: bool


def _sweep(experiment: Experiment, out: Path, s: _Settings, no_workers_timeout: float) -> pd.DataFrame:
    workers, scheduler, resume, progress = s.workers, s.scheduler, s.resume, s.progress
    batch_size, flush_every, flush_seconds, retry_failed = s.batch_size, s.flush_every, s.flush_seconds, s.retry_failed
    runs = plan(experiment)
    manifest = _start(out, experiment, resume, len(runs), fingerprint(experiment))
    _write_manifest(out, manifest)
    if resume:
        check_parts(out, runs)
    _drop_orphan_series(out)
    if resume and retry_failed:
        _forget_failed(out)
    done = completed_run_ids(out)
    todo = [run for run in runs if run.run_id not in done]
    columns = _columns(experiment)
    batches = _batches(todo, batch_size or _auto_batch(len(todo), 1 if scheduler else workers))
    dask_workers: dict[str, Any] = {}
    results = _results(batches, experiment, workers, scheduler, no_workers_timeout, dask_workers)
    bar = tqdm(total=len(runs), initial=len(done), desc=experiment.name, unit="run", disable=not progress)
    buffer: list[dict[str, Any]] = []
    last_flush = time.monotonic()
    series: list[pd.DataFrame] = []
    try:
        for finished in results:
            buffer.extend(row for row, _ in finished)
            series.extend(frame for _, frame in finished if frame is not None)
            bar.update(len(finished))
            if len(buffer) >= flush_every or time.monotonic() - last_flush > flush_seconds:
                write_part(out, buffer, columns, series)
                buffer, series, last_flush = [], [], time.monotonic()
    finally:  # a sweep stopped by an error (no Dask workers, a mismatched worker) or Ctrl-C keeps what finished
        if buffer:
            write_part(out, buffer, columns, series)
        bar.close()
    frame = load_runs(out)
    manifest |= {
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs_done": len(frame),
        "runs_failed": int((frame["status"] == "failed").sum()),
        "executor": scheduler or f"{workers} local process(es)",
    }
    if dask_workers:
        manifest["dask_workers"] = dask_workers
    _write_manifest(out, manifest)
    return frame


def load_runs(out: Path) -> pd.DataFrame:
    """Every stored run of the sweep in ``out``, sorted by ``run_id``."""
    return pd.read_parquet(out / "runs").sort_values("run_id").reset_index(drop=True)


def load_series(out: Path) -> pd.DataFrame:
    """The weekly series kept by a sweep (``series_every``), sorted by run and week."""
    return pd.read_parquet(out / "series").sort_values(["run_id", "week"]).reset_index(drop=True)
