"""What every result records about how it was made, and the check that Dask workers run the same code.

:func:`environment` is recorded beside every result (``summary.json``, every
``manifest.json``): the version of every package the project depends on
(:data:`RECORDED_PACKAGES`), Python, the git commit and whether the working
tree had uncommitted changes (``git_dirty``, with the changed paths), the
machine and the time. :func:`identity` is what must be the same on every
machine that runs a sweep's runs: the package versions, Python, and the
SHA-256 of the model's source files. Over Dask, the client asks every worker
for its identity and refuses to start when one differs
(:func:`check_workers`); each batch of runs also checks the worker it lands
on (:func:`require_identity`), so a worker that joins later with other code
is refused too, instead of silently giving other numbers.

:func:`record_analysis` adds an analysis' settings (bootstrap resamples and
seed, confidence level, tree depth, ...) to the sweep's ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import socket
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from experiments.outputs import write_json_atomically
from model.resources import package_dir

#: Packages whose versions every result records: the project and every package it depends on
#: (``pyproject.toml``), with the ones they rest on that shape numbers (llvmlite, threadpoolctl).
RECORDED_PACKAGES = (
    "tenant-trust",
    "mesa",
    "solara",
    "ipyvuetify",
    "ipyvue",
    "numpy",
    "numba",
    "llvmlite",
    "scipy",
    "pandas",
    "pyarrow",
    "matplotlib",
    "networkx",
    "tqdm",
    "tabulate",
    "SALib",
    "dask",
    "distributed",
    "scikit-learn",
    "threadpoolctl",
    "ema-workbench",
    "pymoo",
    "dask-jobqueue",
)
#: Most changed paths listed under ``git_changes`` (the count is always given).
MAX_LISTED_CHANGES = 50


class WorkerMismatchError(RuntimeError):
    """A Dask worker whose packages or model code differ from the client's."""


def versions() -> dict[str, str | None]:
    """The installed version of every package in :data:`RECORDED_PACKAGES` (None if not installed)."""
    found: dict[str, str | None] = {}
    for package in RECORDED_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def _git(where: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout


def git_state(where: Path | None = None) -> dict[str, Any]:
    """The commit, and whether the working tree differs from it (``git_dirty``; None outside a checkout).

    Untracked files count as changes (a new scenario file can change results).

    Args:
        where: A folder in the checkout (default: this package's).
    """
    where = Path(__file__).resolve().parent if where is None else where
    commit = _git(where, "rev-parse", "HEAD")
    status = _git(where, "status", "--porcelain", "--untracked-files=normal") if commit else None
    if commit is None or status is None:
        return {"git_commit": None, "git_dirty": None, "git_changed_files": None, "git_changes": []}
    changes = [line[3:] for line in status.splitlines() if line.strip()]
    return {
        "git_commit": commit.strip() or None,
        "git_dirty": bool(changes),
        "git_changed_files": len(changes),
        "git_changes": changes[:MAX_LISTED_CHANGES],
    }


def environment() -> dict[str, Any]:
    """Versions, commit and dirty-tree flag, machine and time: recorded beside every result."""
    return {
        "versions": versions(),
        "python": platform.python_version(),
        **git_state(),
        "machine": platform.platform(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


#: What a run's numbers depend on besides the packages: each package and the files of it that are read.
CODE_FILES: tuple[tuple[str, str], ...] = (
    ("model", "*.py"),
    ("experiments", "*.py"),
    ("scenarios", "**/*.toml"),
    ("calibration", "posterior.csv"),
)


def model_code_digest() -> str:
    """SHA-256 of everything a run reads besides the packages, as this process would import or open it.

    The model's and the experiments' source (``model/*.py``, ``experiments/*.py``, so the runner and a
    design point's execution too), the built-in strategies and shocks (``scenarios/**/*.toml``) and the
    committed posterior: a worker with another built-in strategy gives other numbers as surely as one
    with other code.
    """
    digest = hashlib.sha256()
    for package, pattern in CODE_FILES:
        root = package_dir(package)
        for path in sorted(root.glob(pattern)):
            digest.update(f"{package}/{path.relative_to(root).as_posix()}".encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@cache
def identity() -> dict[str, Any]:
    """What must match on every machine running a sweep: package versions, Python, model code (cached)."""
    return {"versions": versions(), "python": platform.python_version(), "model_code_sha256": model_code_digest()}


def worker_identity() -> dict[str, Any]:
    """A worker's identity, as it reports it to the client (run on the worker by ``Client.run``)."""
    return identity() | {"host": socket.gethostname(), "pid": os.getpid()}


def differences(local: Mapping[str, Any], other: Mapping[str, Any]) -> list[str]:
    """What differs between two identities, in words (empty when they match)."""
    found = []
    mine, theirs = local.get("versions", {}), other.get("versions", {})
    for package in sorted(mine.keys() | theirs.keys()):
        if mine.get(package) != theirs.get(package):
            found.append(f"{package} {theirs.get(package)} (here {mine.get(package)})")
    if local.get("python") != other.get("python"):
        found.append(f"Python {other.get('python')} (here {local.get('python')})")
    if local.get("model_code_sha256") != other.get("model_code_sha256"):
        found.append(
            f"model code sha256 {str(other.get('model_code_sha256'))[:12]} "
            f"(here {str(local.get('model_code_sha256'))[:12]})"
        )
    return found


def check_workers(workers: Mapping[str, Mapping[str, Any]], local: Mapping[str, Any] | None = None) -> None:
    """Refuse when any worker's identity differs from the client's.

    Args:
        workers: Worker address -> its :func:`worker_identity` (``Client.run``'s answer).
        local: The client's identity (default: :func:`identity`).

    Raises:
        WorkerMismatchError: Naming each differing worker and what differs.
    """
    local = identity() if local is None else local
    problems = [
        f"{address}: {', '.join(found)}" for address, other in workers.items() if (found := differences(local, other))
    ]
    if problems:
        raise WorkerMismatchError(
            f"{len(problems)} of {len(workers)} Dask worker(s) differ from this machine, so their runs would not be "
            f"comparable: {'; '.join(problems)}. Install the same commit and packages on every worker "
            "(e.g. make setup from the same checkout and requirements.lock), restart them, and resume"
        )


def require_identity(expected: Mapping[str, Any]) -> None:
    """In a worker, before a batch of runs: refuse if this process's identity differs from the client's.

    Raises:
        WorkerMismatchError: Naming this worker's host and what differs.
    """
    found = differences(expected, identity())
    if found:
        raise WorkerMismatchError(
            f"worker {socket.gethostname()} (pid {os.getpid()}) differs from the client: {', '.join(found)}; "
            "install the same commit and packages there, restart it, and resume"
        )


def record_analysis(out: Path, command: str, settings: Mapping[str, Any]) -> None:
    """Add an analysis' settings, with the environment it ran in, to ``out/manifest.json`` (atomically).

    Args:
        out: The sweep's folder (its ``manifest.json`` exists).
        command: The analysis (``sensitivity``, ``robustness``, ``discover``, ...).
        settings: Every setting the analysis' numbers depend on.
    """
    path = Path(out) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    analyses = manifest.get("analyses", {})
    analyses[command] = {"settings": dict(settings), **environment()}
    manifest["analyses"] = analyses
    write_json_atomically(path, manifest, indent=2, default=str, tag="analysis")
