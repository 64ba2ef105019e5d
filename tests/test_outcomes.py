import math

import numpy as np
import pytest

from model import TrustModel, load_scenario, outcomes


@pytest.fixture(scope="module")
def small_run() -> TrustModel:
    model = TrustModel(load_scenario("baseline", homes=200), rng=5)
    model.run_for(53)
    return model


def test_summary_holds_every_declared_outcome_in_order(small_run: TrustModel) -> None:
    keys = [k for k in small_run.summary() if k not in ("weeks", "homes")]
    assert keys == list(outcomes.NAMES)
    assert list(small_run.summary())[len(outcomes.ESTATE) : len(outcomes.ESTATE) + 2] == ["weeks", "homes"]


def test_weekly_series_are_the_weekly_outcomes(small_run: TrustModel) -> None:
    assert list(small_run.weekly().columns) == list(outcomes.WEEKLY)


def test_values_lie_in_their_declared_range(small_run: TrustModel) -> None:
    for name, value in small_run.summary().items():
        if name in ("weeks", "homes") or value is None:
            continue
        declared = outcomes.get(name)
        assert declared.low <= value <= declared.high, name


def test_survey_outcomes_are_missing_before_the_first_survey() -> None:
    model = TrustModel(load_scenario("baseline", homes=100), rng=1)
    model.run_for(10)
    summary = model.summary()
    assert all(summary[name] is None for name in outcomes.SURVEY)
    assert all(summary[name] is not None for name in ("trust_mean", "participation_rate"))


def test_declarations_are_complete_and_distinct() -> None:
    assert len(set(outcomes.NAMES)) == len(outcomes.NAMES)
    assert len({o.label for o in outcomes.OUTCOMES}) == len(outcomes.OUTCOMES)
    for o in outcomes.OUTCOMES:
        assert o.group in outcomes.GROUPS
        assert o.better in ("higher", "lower", "closer to 1")
        assert o.low < o.high and o.scale > 0


def test_goodness_follows_the_declared_direction() -> None:
    values = np.array([0.5, 1.0, 1.5])
    assert outcomes.goodness("trust_mean", values).tolist() == [0.5, 1.0, 1.5]
    assert outcomes.goodness("repair_wait_weeks_mean", values).tolist() == [-0.5, -1.0, -1.5]
    assert outcomes.goodness("representation_ratio", values).tolist() == [-0.5, 0.0, -0.5]


def test_unknown_outcome_names_what_is_declared() -> None:
    with pytest.raises(outcomes.OutcomeError, match="trust_mean"):
        outcomes.get("trust")
    assert outcomes.label("not_declared") == "not_declared" and math.isclose(outcomes.scale("x"), 1.0)
