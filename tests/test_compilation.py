"""The compiled-code cache follows every source it compiles (model/compilation.py)."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from model import compilation

ROOT = Path(__file__).resolve().parent.parent

#: Runs one compiled weekly loop (which calls a rule of model/submodels.py) and prints a value it computed.
PROBE = """
import numpy as np
from model import kernels
voice = kernels.Voice(efficacy=np.array([0.5]), trust=np.array([0.5]), informed_score=np.array([0.0]),
                      efficacy_outlook=np.array([0.5]))
rates = kernels.VoiceRates(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.5, 0.0)
kernels.hear_voice(np.array([True]), voice, rates)
print(repr(float(voice.informed_score[0])))
"""


def test_the_fingerprint_changes_with_any_compiled_source(tmp_path):
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_text("x = 1\n")
    second.write_text("y = 2\n")
    before = compilation.source_fingerprint([first, second])
    second.write_text("y = 3\n")
    assert compilation.source_fingerprint([first, second]) != before
    second.write_text("y = 2\n")
    assert compilation.source_fingerprint([first, second]) == before


def test_the_cache_directory_is_named_after_the_sources_in_use():
    sources = [Path(compilation.__file__).parent / name for name in compilation.COMPILED_SOURCES]
    assert numba.config.CACHE_DIR.endswith(f"numba-{compilation.source_fingerprint(sources)}")


def test_the_cache_root_follows_numba_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert compilation.cache_root() == tmp_path


def _probe(package_root: Path, cache: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(package_root), "NUMBA_CACHE_DIR": str(cache)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=package_root, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_editing_a_rule_recompiles_the_loops_that_call_it(tmp_path):
    """Numba alone would keep the weekly loop's stale machine code; the keyed cache does not."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "model", copy / "model", ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    # News at full openness and rate 0.5 takes an uninformed household to 1 - exp(-0.5).
    assert float(_probe(copy, cache)) == pytest.approx(1.0 - math.exp(-0.5))
    rules = copy / "model" / "submodels.py"
    source = rules.read_text(encoding="utf-8")
    edited = source.replace("return push(informed, rate * openness, fade)", "return 0.25")
    assert edited != source
    rules.write_text(edited, encoding="utf-8")
    assert _probe(copy, cache) == "0.25"  # the loop in kernels.py, unchanged, runs the edited rule
