"""Where the built-in data files are: inside the installed packages, found with :mod:`importlib.resources`.

The strategies and shock layers (the ``scenarios`` package: ``scenarios/*.toml``,
``scenarios/shocks/*.toml``), the shipped experiments and patterns
(``experiments/*.toml``, ``experiments/patterns/``) and the committed
calibration (the ``calibration`` package: ``posterior.csv``, ``summary.json``)
are package data. In a checkout, whether installed with ``pip install -e .`` or
put on ``PYTHONPATH``, these packages are the repository's folders; from an
installed wheel they are the copies in site-packages. Either way the model finds
them the same way, and never through the repository's layout.

Nothing writes here: ``tenant-trust calibrate`` and every other command write
where ``--out`` says, relative to the current directory.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from functools import cache
from importlib import resources
from pathlib import Path

__all__ = ["package_dir"]

#: Keeps any folder that had to be extracted to disk (a package imported from a zip) until the process exits.
_on_disk = ExitStack()
atexit.register(_on_disk.close)


@cache
def package_dir(package: str) -> Path:
    """The folder of ``package`` (e.g. ``"scenarios"``) as a real path on disk.

    An installed or checked-out package is already a folder, which is returned
    as it is; a package inside a zip is extracted once to a temporary folder.
    """
    return _on_disk.enter_context(resources.as_file(resources.files(package)))
