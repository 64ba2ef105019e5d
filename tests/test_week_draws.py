"""The week's plumbing: its draws in one block, and the arrays its compiled call is given."""

from __future__ import annotations

import numpy as np
import pytest

from model import TrustModel, kernels, load_scenario, shocks
from model.model import MODEL_ARRAYS, WEEKLY_DRAWS, plain_getter
from model.submodels import QUARTER, YEAR

#: The household structures the week's compiled call takes (a plain tuple each, read by :func:`plain_getter`).
WEEK_STRUCTURES = (
    kernels.Homes,
    kernels.Repairs,
    kernels.Memories,
    kernels.Opinions,
    kernels.Readiness,
    kernels.TookPart,
)


def week_drawing_once_per_use(model: TrustModel) -> None:
    """A week with no quarter or year end, with one call to the generator for each use of its draws.

    The households' rows, then the jobs' draw (as ``jobs_this_week()`` makes
    it), then the officers' (as ``staff_turnover()`` makes them).
    """
    assert model.week % QUARTER != QUARTER - 1 and model.week % YEAR != YEAR - 1
    model.culture_week()
    seed = model.kernel_seed()
    model.rng.random(out=model._draws)
    model._estate_week(seed, model.rng.random())
    model.landlord.share_power()
    model.staff_turnover()
    model.week += 1


def same_state(a: TrustModel, b: TrustModel) -> bool:
    """The two models' households, officers and generators are the same to the bit."""
    fields = ("trust", "disposition", "efficacy", "relationship", "last_took_part", "need", "fatigue", "active")
    return (
        all(np.array_equal(getattr(a.households, f), getattr(b.households, f)) for f in fields)
        and [o.weeks_in_post for o in a.officers] == [o.weeks_in_post for o in b.officers]
        and a.rng.bit_generator.state == b.rng.bit_generator.state
    )


def test_the_weeks_block_of_draws_is_one_call_per_use_before_and_after_a_restructure():
    scenario = load_scenario("baseline", homes=600, patch_size=100, staff_turnover=0.6)
    block, once = TrustModel(scenario, rng=3), TrustModel(scenario, rng=3)
    for patch_size in (100, 150):  # a restructure changes the officers, and so the block's length
        for model in (block, once):
            model.set_params({"patch_size": patch_size})
        for _ in range(QUARTER - 1):
            block._week()
            week_drawing_once_per_use(once)
            assert same_state(block, once)
        block.run_for(1)
        once.run_for(1)
    assert len(block.officers) == 4
    assert any(o.weeks_in_post < QUARTER - 1 for o in block.officers)  # someone left: turnover's draws were used


def test_the_block_holds_the_households_rows_then_one_draw_for_the_jobs_and_one_per_officer():
    model = TrustModel(load_scenario("baseline", homes=300, patch_size=100), rng=1)
    homes, officers = model.households.size, len(model.officers)
    assert model._week_draws.shape == (WEEKLY_DRAWS * homes + 1 + officers,)
    assert model._draws.shape == (WEEKLY_DRAWS, homes)
    assert np.shares_memory(model._draws, model._week_draws)
    model.set_params({"patch_size": 150})
    assert len(model.officers) != officers
    assert model._week_draws.size == WEEKLY_DRAWS * homes + 1 + len(model.officers)


def test_jobs_and_turnover_take_the_draws_they_are_given():
    model = TrustModel(load_scenario("baseline", homes=300, patch_size=100, staff_turnover=0.6), rng=1)
    expected = model.landlord._expected_jobs
    assert model.landlord.jobs_this_week(0.0) == int(expected) + 1
    assert model.landlord.jobs_this_week(np.nextafter(1.0, 0.0)) == int(expected)
    model.households.relationship[:] = 0.5
    before = model.rng.bit_generator.state
    model.staff_turnover([0.0, 0.5, 0.9])
    assert model.rng.bit_generator.state == before  # no draw of its own
    assert model.households.relationship[:100].tolist() == [0.0] * 100
    assert model.households.relationship[100:].tolist() == [0.5] * 200
    with pytest.raises(ValueError):
        model.staff_turnover([0.5])  # one draw per officer


@pytest.mark.parametrize("cls", WEEK_STRUCTURES, ids=lambda cls: cls.__name__)
def test_the_weeks_structures_are_the_arrays_where_they_live_now(cls):
    model = TrustModel(load_scenario("baseline", homes=100), rng=1)
    shocks.apply(shocks.parse({"kind": "welfare_reform", "week": 0}, "test"), model)  # replaces trust
    model.hear_news(-0.2)  # and again
    model._refresh()  # replaces the model's own arrays
    gathered = plain_getter(cls)(model)
    assert len(gathered) == len(cls._fields)
    for field, value in zip(cls._fields, gathered, strict=True):
        owner = model if field in MODEL_ARRAYS else model.households
        assert value is getattr(owner, MODEL_ARRAYS.get(field, field)), field
