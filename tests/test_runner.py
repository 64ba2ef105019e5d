"""The one runner: a run spec, one run function on any executor, one seed derivation."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from experiments.runner import (
    CALIBRATION_STREAM,
    DEFAULT_SEED,
    SWEEP_STREAM,
    RunSpec,
    SerialExecutor,
    derive_seeds,
    executor,
    process_pool,
    run,
    run_all,
    spawn_seeds,
)
from model import TrustModel, load_scenario
from model.observation import ObservedModel, observe

WEEKS = 55  # past the first yearly survey


@pytest.fixture(scope="module")
def specs() -> list[RunSpec]:
    scenarios = [load_scenario("baseline", homes=120), load_scenario("digital_only", homes=120)]
    seeds = spawn_seeds(99, 2)
    return [RunSpec(s, seeds[r], WEEKS, weekly_every=1) for s in scenarios for r in range(2)]


@pytest.fixture(scope="module")
def serial(specs: list[RunSpec]):
    return run_all(specs)


def _legacy_seeds(sequence: np.random.SeedSequence, count: int) -> list[int]:
    """The seeds as ``spawn_seeds`` and ``sweep.plan`` derived them before there was one derivation."""
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in sequence.spawn(count)]


def test_derive_seeds_reproduces_the_compare_and_validate_seeds() -> None:
    assert derive_seeds(DEFAULT_SEED, 40) == _legacy_seeds(np.random.SeedSequence(DEFAULT_SEED), 40)
    assert spawn_seeds(DEFAULT_SEED, 40) == derive_seeds(DEFAULT_SEED, 40)
    # The first three seeds of the default comparison, as its manifest records them.
    assert spawn_seeds(DEFAULT_SEED, 3) == [3032992847545676027, 5164284244883526129, 7355106299531788528]


def test_derive_seeds_reproduces_the_sweep_seeds() -> None:
    legacy = _legacy_seeds(np.random.SeedSequence(20261124).spawn(2)[1], 30)
    assert derive_seeds(20261124, 30, SWEEP_STREAM) == legacy
    assert legacy[:3] == [6109904730343257039, 7396738725647926714, 5950187744319070307]


def test_derive_seeds_start_and_streams() -> None:
    seeds = derive_seeds(5, 12, (*CALIBRATION_STREAM, 3))
    assert derive_seeds(5, 4, (*CALIBRATION_STREAM, 3), start=8) == seeds[8:]
    assert all(isinstance(s, int) and 0 <= s < 2**63 for s in seeds)
    streams = [derive_seeds(5, 12, stream) for stream in ((), SWEEP_STREAM, (*CALIBRATION_STREAM, 3))]
    assert len({s for stream in streams for s in stream}) == 36


def test_run_gives_the_summary_of_a_model_built_by_hand(specs: list[RunSpec], serial) -> None:
    spec = specs[1]
    model = TrustModel(spec.scenario, rng=spec.seed)
    model.run_for(WEEKS)
    assert serial[1].summary == model.summary()
    assert serial[1].summary["tsm_tp01"] is not None
    pd.testing.assert_frame_equal(serial[1].weekly, model.weekly())
    assert serial[1].observed is None
    assert run(RunSpec(spec.scenario, spec.seed, WEEKS)).weekly is None


def test_run_records_the_observation(specs: list[RunSpec]) -> None:
    spec = RunSpec(specs[0].scenario, specs[0].seed, WEEKS, observe=True, dissatisfied_bands=(0.0, 0.1))
    outcome = run(spec)
    model = ObservedModel(spec.scenario, rng=spec.seed)
    model.run_for(WEEKS)
    assert outcome.summary == model.summary()
    expected = observe(model)
    assert {k: outcome.observed[k] for k in expected} == expected
    assert outcome.observed["dissatisfied@0"] > outcome.observed["dissatisfied@0.1"]


def test_weekly_every_k_keeps_the_weeks_divisible_by_k(specs: list[RunSpec], serial) -> None:
    spec = specs[0]
    every = run(RunSpec(spec.scenario, spec.seed, WEEKS, weekly_every=5))
    assert every.weekly.index.tolist() == list(range(0, WEEKS + 1, 5))
    pd.testing.assert_frame_equal(every.weekly, serial[0].weekly.loc[list(range(0, WEEKS + 1, 5))])
    assert every.summary == serial[0].summary
    assert serial[0].weekly.index.tolist() == list(range(WEEKS + 1))


def _assert_same(one, other) -> None:
    assert [(o.spec.scenario.name, o.spec.seed) for o in one] == [(o.spec.scenario.name, o.spec.seed) for o in other]
    for a, b in zip(one, other, strict=True):
        assert a.summary == b.summary
        pd.testing.assert_frame_equal(a.weekly, b.weekly)


def test_serial_equals_process_pool_equals_threads(specs: list[RunSpec], serial) -> None:
    seeds = spawn_seeds(99, 2)
    assert [(o.spec.scenario.name, o.spec.seed) for o in serial] == [
        ("baseline", seeds[0]),
        ("baseline", seeds[1]),
        ("digital_only", seeds[0]),
        ("digital_only", seeds[1]),
    ]
    # Different replicates really are different runs.
    assert serial[0].summary != serial[1].summary
    with process_pool(2) as pool:
        _assert_same(serial, run_all(specs, pool))
    with ThreadPoolExecutor(2) as threads:
        _assert_same(serial, run_all(specs, threads))
    with SerialExecutor() as here:
        _assert_same(serial, run_all(specs, here))


def test_serial_equals_dask(specs: list[RunSpec], serial) -> None:
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    with cluster, executor(scheduler=cluster.scheduler_address) as pool:
        _assert_same(serial, run_all(specs, pool))


def test_the_serial_executor_hands_errors_back_through_the_future() -> None:
    future = SerialExecutor().submit(int, "not a number")
    with pytest.raises(ValueError):
        future.result()
