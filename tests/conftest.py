"""Shared helpers for the Tenant Trust tests.

Every model run in the suite goes through :func:`run_model` on a small estate,
so the whole suite stays fast.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from model import TrustModel, load_scenario

# Modest defaults keep the suite fast; HYPOTHESIS_PROFILE=thorough searches harder.
settings.register_profile(
    "tenant-trust",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "tenant-trust"))


def _run_model(name: str = "baseline", weeks: int = 20, seed: int = 1, **overrides: float) -> TrustModel:
    """Build ``name`` on a small estate (100 homes unless overridden), run it ``weeks`` weeks."""
    overrides.setdefault("homes", 100)
    model = TrustModel(load_scenario(name, **overrides), rng=seed)
    if weeks:
        model.run_for(weeks)
    return model


@pytest.fixture
def run_model() -> Callable[..., TrustModel]:
    """:func:`_run_model`: build a scenario on a small estate and run it."""
    return _run_model


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented TOML text to ``tmp_path / name`` and return the path."""

    def write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
