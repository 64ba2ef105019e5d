"""The model as a function, ``f(**params) -> outcomes``, and as an EMA Workbench model.

:func:`simulate` is the one entry point other tools need: keyword parameters
in (any declared parameter, ``tenant-trust params``, plus the run settings
``scenario``, ``weeks``, ``seed``, ``shocks`` and ``series``), a dict of
outcomes out (every numeric value of ``TrustModel.summary()``; an outcome
that is undefined for the run, :func:`model.outcomes.undefined_reason`, is
NaN). It is what the EMA Workbench calls (``ema_workbench.Model(name,
function=simulate)``); :func:`ema_model` builds that model with its
uncertainties, levers, constants and outcomes generated from the parameter
and outcome declarations, so nothing is typed twice. A run's weekly series
can be returned too (``series``), for the Workbench's time-series outcomes.

**Seeds.** :func:`simulate` runs one model from ``seed``. Called once per
future with the same seed, every future shares its random numbers (common
random numbers, as ``compare`` and ``sweep`` do): differences between
futures are the parameters', not the seed's. :func:`ema_model` with
``replications`` > 1 gives each replicate its own seed, derived from the
master seed (:func:`experiments.runner.derive_seeds`), through the
Workbench's ``ReplicatorModel``.

Example:
    >>> from experiments.workbench import simulate
    >>> out = simulate(negativity_bias=4.0, homes=200, weeks=26, seed=1)
    >>> 0.0 <= out["trust_mean"] <= 1.0
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from experiments.runner import DEFAULT_SEED, RunSpec, derive_seeds, run
from model import outcomes, params
from model.model import WEEKLY_SERIES
from model.scenario import ScenarioError, load_scenario

#: Suffix of a returned weekly series' key (``trust_mean_by_week``), apart from the end-of-run value.
SERIES_SUFFIX = "_by_week"
#: Run length of :func:`simulate` unless told otherwise (five years, as the shipped experiments).
DEFAULT_WEEKS = 260


def simulate(
    *,
    scenario: str = "baseline",
    weeks: int = DEFAULT_WEEKS,
    seed: int = DEFAULT_SEED,
    shocks: Sequence[str] = (),
    series: Sequence[str] = (),
    series_every: int = 52,
    **parameters: float | int,
) -> dict[str, Any]:
    """Run the model once with keyword parameters; return its outcomes.

    Args:
        scenario: Built-in strategy name or path to a scenario file.
        weeks: Weeks to simulate after the burn-in.
        seed: Seed of the run (the same seed gives the same numbers).
        shocks: Shock layers added to the strategy.
        series: Weekly series (:data:`model.model.WEEKLY_SERIES`) to return as
            arrays named ``NAME_by_week``, one value every ``series_every``
            weeks from week 0, with their weeks as ``TIME``.
        series_every: Spacing of the returned series, in weeks.
        **parameters: Declared parameters overriding the strategy's values.

    Returns:
        Every outcome of :data:`model.outcomes.NAMES` as a float (NaN when it
        is undefined for this run), and the asked-for series as arrays
        (``NAME_by_week``, for the Workbench's ``TimeSeriesOutcome``).

    Raises:
        ScenarioError: Unknown strategy, parameter or series, or a value
            outside what is allowed (the message names it).
    """
    _check_series(series, series_every)
    spec = load_scenario(scenario, shocks=shocks, **parameters)
    every = series_every if series else 0
    outcome = run(RunSpec(spec, int(seed), int(weeks), weekly_every=every))
    result: dict[str, Any] = {name: _number(outcome.summary.get(name)) for name in outcomes.NAMES}
    if series:
        weekly = outcome.weekly
        result["TIME"] = weekly.index.to_numpy(dtype=float)
        result |= {f"{name}{SERIES_SUFFIX}": weekly[name].to_numpy(dtype=float) for name in series}
    return result


def _check_series(series: Sequence[str], every: int) -> None:
    unknown = sorted(set(series) - set(WEEKLY_SERIES))
    if unknown:
        raise ScenarioError(f"simulate: series = {unknown!r}; allowed: any of {', '.join(WEEKLY_SERIES)}")
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ScenarioError(f"simulate: series_every = {every!r}; allowed: a whole number of weeks, 1 or more")


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def ema_parameter(name: str, low: float | None = None, high: float | None = None) -> Any:
    """An EMA Workbench parameter for a declared parameter, with its declared bounds unless narrowed.

    Args:
        name: A declared parameter.
        low: Lower bound (default: the declaration's).
        high: Upper bound (default: the declaration's).

    Returns:
        An ``IntegerParameter`` for a whole-number parameter, else a ``RealParameter``.

    Raises:
        ParameterError: Unknown name, or bounds outside the declared range.
    """
    from ema_workbench import IntegerParameter, RealParameter

    declared = params.get(name)
    low = declared.low if low is None else declared.check(low, f"ema_parameter({name}) low")
    high = declared.high if high is None else declared.check(high, f"ema_parameter({name}) high")
    if not low < high:
        raise params.ParameterError(f"ema_parameter({name}): low {low!r} must be below high {high!r}")
    if declared.kind == "int":
        return IntegerParameter(name, int(low), int(high))
    return RealParameter(name, float(low), float(high))


def ema_model(
    uncertainties: Sequence[str] | dict[str, tuple[float, float]],
    levers: Sequence[str] | dict[str, tuple[float, float]] = (),
    outcome_names: Sequence[str] = ("trust_mean", "participation_rate", "representation_ratio", "cost_per_home"),
    *,
    name: str = "tenant_trust",
    replications: int = 1,
    seed: int = DEFAULT_SEED,
    **constants: Any,
) -> Any:
    """The model as an EMA Workbench model calling :func:`simulate`.

    Args:
        uncertainties: Declared parameters to sample (names, with their
            declared bounds, or name -> (low, high)).
        levers: Declared strategy levers, likewise.
        outcome_names: Outcomes (:data:`model.outcomes.NAMES`) the Workbench keeps.
        name: The Workbench model's name.
        replications: Seeded replicates per experiment (a ``ReplicatorModel``
            when more than one; each outcome is then the replicates' mean,
            NaN if any replicate's is undefined).
        seed: Master seed: the run seed with one replicate, else the seeds'
            source (:func:`experiments.runner.derive_seeds`).
        **constants: Fixed keyword arguments of :func:`simulate` (``homes``,
            ``weeks``, ``scenario``, other parameters).

    Returns:
        An ``ema_workbench.Model`` (or ``ReplicatorModel``) ready for
        ``perform_experiments`` or ``optimize``.

    Raises:
        ParameterError: An unknown parameter or out-of-range bound.
        OutcomeError: An unknown outcome.
    """
    from ema_workbench import Constant, Model, ReplicatorModel, ScalarOutcome

    for outcome in outcome_names:
        outcomes.get(outcome)
    kind = ReplicatorModel if replications > 1 else Model
    model = kind(name, function=simulate)
    model.uncertainties = _parameters(uncertainties)
    model.levers = _parameters(levers)
    mean = {"function": np.mean} if replications > 1 else {}
    model.outcomes = [ScalarOutcome(o, kind=_kind(o), **mean) for o in outcome_names]
    if replications > 1:
        model.replications = [{"seed": s} for s in derive_seeds(seed, replications)]
        model.constants = [Constant(k, v) for k, v in constants.items()]
    else:
        model.constants = [Constant(k, v) for k, v in {"seed": seed, **constants}.items()]
    return model


def _parameters(spec: Sequence[str] | dict[str, tuple[float, float]]) -> list[Any]:
    if isinstance(spec, dict):
        return [ema_parameter(n, *bounds) for n, bounds in spec.items()]
    return [ema_parameter(n) for n in spec]


def _kind(outcome: str) -> int:
    """The Workbench's direction for an outcome (MAXIMIZE, MINIMIZE; INFO for 'closer to 1')."""
    from ema_workbench import ScalarOutcome

    better = outcomes.better(outcome)
    return {"higher": ScalarOutcome.MAXIMIZE, "lower": ScalarOutcome.MINIMIZE}.get(better, ScalarOutcome.INFO)
