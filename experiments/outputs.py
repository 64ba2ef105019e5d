"""Output folders: checked before any work, locked while a command writes into them.

Every command that writes results checks its output folder first
(:func:`check_out`: not empty, not an existing file, writable), so a bad
``--out`` fails in a second rather than after the computing. While it writes,
it holds an exclusive lock on the folder (:func:`folder_lock`, ``fcntl.flock``
on ``.DIR.lock`` beside it), so two commands cannot write into one folder at once; the
lock is released when the command ends, however it ends (the operating system
drops it when the process dies).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere the lock is not taken
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: Suffix of the lock file kept beside a locked output folder (``results/.NAME.lock``).
LOCK_SUFFIX = ".lock"
#: Memory one local worker process needs, about (the model and its compiled kernels).
WORKER_BYTES = 300 * 2**20
#: Longest run the command line accepts, in weeks (as scenario files: 50 years).
MAX_WEEKS = 52 * 50
#: Largest master seed (as an experiment file's ``seed``).
MAX_SEED = 2**63 - 1


#: Folders whose lock this process holds (the lock is re-entrant within a process).
_HELD: set[str] = set()


class OutputError(ValueError):
    """An output folder or option that cannot be used (exit status 2)."""


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def probe_writable(folder: Path) -> None:
    """Create and remove a temporary file in ``folder``; raise OSError if that is not possible."""
    with tempfile.TemporaryFile(dir=folder):
        pass


def write_json_atomically(
    path: Path, record: Any, indent: int | None = None, default: Callable[[Any], Any] | None = None, tag: str = ""
) -> None:
    """Write ``record`` as JSON to ``path`` through a temporary file renamed into place.

    A kill leaves either the old file or the new one, never half of one. ``indent`` and ``default`` are
    :func:`json.dumps`'s (without ``default`` a value JSON cannot hold raises ``TypeError``); ``tag`` names
    the temporary file (``.NAME.TAG.tmp``) where two writers may share a folder.
    """
    temporary = path.parent / f".{path.name}{'.' + tag if tag else ''}.tmp"
    temporary.write_text(json.dumps(record, indent=indent, default=default), encoding="utf-8")
    temporary.replace(path)


def check_out(out: str | Path | None, option: str = "--out") -> Path:
    """The output folder ``out``, checked before any work starts.

    Raises:
        OutputError: Empty, an existing file, inside a file, or not writable;
            the message names the option, the value and what is allowed.
    """
    if out is None or str(out).strip() == "":
        raise OutputError(f"{option} {str(out or '')!r}: allowed: the path of a folder (it is created if missing)")
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{option} {str(out)!r}: is an existing file; allowed: a folder (new or existing)")
    existing = _nearest_existing(path)
    if not existing.is_dir():
        raise OutputError(f"{option} {str(out)!r}: {existing} is a file, so no folder can be made under it")
    try:
        probe_writable(existing)
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputError(
            f"{option} {str(out)!r}: cannot write in {existing} ({reason}); allowed: a writable folder"
        ) from None
    return path


@contextlib.contextmanager
def folder_lock(out: Path, option: str = "--out") -> Iterator[Path]:
    """Hold an exclusive lock on the folder ``out`` while the block runs (its parent is created if missing).

    Raises:
        OutputError: Another process holds the lock (another command is writing there).
    """
    folder = out.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    key = str(folder)
    if fcntl is None or key in _HELD:  # this process holds it already (a study's sweep inside its command)
        yield out
        return
    handle = lock_path(folder).open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputError(
                f"{option} {str(out)!r}: another tenant-trust command ({holder}) is writing to this folder; "
                "wait for it to finish or choose another folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        _HELD.add(key)
        try:
            yield out
        finally:
            _HELD.discard(key)
    finally:
        handle.close()


def lock_path(out: Path) -> Path:
    """The lock file of the output folder ``out``: beside it, so the folder holds only results."""
    folder = out.resolve()
    return folder.parent / f".{folder.name}{LOCK_SUFFIX}"


def max_workers() -> int:
    """Most local worker processes allowed: twice the cores, and no more than memory holds (at least 2)."""
    cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # pragma: no cover
        memory = 0
    by_memory = memory // WORKER_BYTES if memory > 0 else 2 * cores
    return max(2, min(2 * cores, by_memory))


def bounded(low: int, high: int | None = None, what: str = "whole number"):
    """An argparse type: a whole number in [low, high] (``high`` None: no upper bound)."""

    def parse(text: str) -> int:
        allowed = f"a {what} in [{low:,}, {high:,}]" if high is not None else f"a {what} of at least {low:,}"
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; allowed: {allowed}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text} is out of range; allowed: {allowed}")
        return value

    parse.__name__ = what
    return parse


def workers(text: str) -> int:
    """``--workers``: 1 up to :func:`max_workers` (each local process needs about 300 MB)."""
    high = max_workers()
    try:
        return bounded(1, high, "number of processes")(text)
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"{error} (each needs about 300 MB; this machine holds {high})") from None


@contextlib.contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Write into a temporary folder; move the files into ``out`` only on success.

    A run that fails leaves nothing half-written in ``out``.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        yield stage
        out.mkdir(exist_ok=True)
        for item in stage.iterdir():
            target = out / item.name
            if target.is_dir():
                shutil.rmtree(target)
            item.replace(target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
