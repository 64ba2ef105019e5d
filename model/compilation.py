"""Numba compilation, with a machine-code cache that follows every source it compiles.

Numba caches a compiled function beside its source and checks only that
file for changes (its documentation notes that changes to functions called
from a cached function, in other files, are not detected), so a weekly loop in
:mod:`model.kernels` would keep running an old copy of a rule after
:mod:`model.submodels` changed. Here the cache lives in a directory named
after a hash of both files, so any edit to either starts a fresh cache and
no stale machine code can run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numba
from numba import njit, vectorize

__all__ = ["cache_root", "compiled", "elementwise", "source_fingerprint"]

#: The source files whose compiled code calls into one another.
COMPILED_SOURCES = ("submodels.py", "kernels.py")


def source_fingerprint(paths: list[Path]) -> str:
    """A short hash of the contents of ``paths``, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError:
        return False
    return True


def cache_root() -> Path:
    """Where the cache directories go.

    ``NUMBA_CACHE_DIR`` if it is set, else the first writable of the
    package's ``__pycache__``, the user's cache directory and the temporary
    directory.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tenant-trust"
    for candidate in (Path(__file__).parent / "__pycache__", user_cache):
        if _writable(candidate):
            return candidate
    return Path(tempfile.gettempdir()) / "tenant-trust-numba"


def _configure_cache() -> None:
    here = Path(__file__).parent
    fingerprint = source_fingerprint([here / name for name in COMPILED_SOURCES])
    numba.config.CACHE_DIR = str(cache_root() / f"numba-{fingerprint}")


_configure_cache()

#: Compile a one-household rule into a NumPy ufunc (types are inferred at the
#: first call and the machine code is cached, see the module docstring).
elementwise = vectorize(cache=True)
#: Compile a rule over arrays.
compiled = njit(cache=True)
