"""Patterns above one landlord: a population of simulated landlords, and documented changes over time.

**A population of landlords.** The Regulator publishes every large landlord's
TSMs, so the sector's patterns include how landlords *differ*: how widely
TP01 and TP06 spread, how they move together, and how much a landlord's
results move from one year to the next. The model has one landlord, so a
population is simulated: each simulated landlord draws the parameters that
describe its tenants and its service (:data:`VARIED`), and nothing else.

*The sampling rule* (fixed before any population was run, and not changed
after): each parameter of :data:`VARIED` is drawn independently and uniformly
from the half-range around its default, ``[d - ½(d - low), d + ½(high - d)]``
for default ``d`` and declared bounds ``[low, high]`` (:data:`SPREAD` = ½).
Strategy levers stay at their defaults: a lever is reset to its baseline
during the burn-in and would start every landlord with a transient at week
0, whereas the varied parameters hold through the burn-in, so each landlord
starts settled. Draws come from ``SeedSequence(seed, spawn_key=(3,))`` and
landlord ``i`` runs from seed ``i`` of :func:`experiments.runner.derive_seeds`
on the stream :data:`POPULATION_STREAM`. The spread it gives is therefore a
test of the declared ranges as much as of the mechanisms; correlations,
orderings and year-on-year movement depend much less on it.

**Documented changes.** Each dynamic pattern compares paired runs (common
random numbers: the same seed and so the same settled estate at week 0)
before and after a change a landlord has made:

- a repairs service that improves at week 0 (first-time fixes from
  :data:`POOR_FIRST_TIME_FIX` to the default): how long the gain in TP01
  takes to reach half of its five-year size;
- a patch-size cut (from :data:`WIDE_PATCH` to :data:`NARROW_PATCH` homes an
  officer, with the envelope raised by the extra officers' cost, as Bromford
  added posts): the difference in TP01 at each run length.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from experiments.runner import DEFAULT_SEED, derive_seeds, executor, spawn_seeds
from experiments.validation import Pattern, check, check_values, observe_at
from model import params
from model.observation import NEITHER_BAND
from model.scenario import Change, Scenario, load_scenario
from model.submodels import YEAR

#: Seed stream of the population (see :func:`experiments.runner.derive_seeds`).
POPULATION_STREAM: tuple[int, ...] = (3,)
#: Seed stream of the bootstrap intervals of population statistics.
BOOTSTRAP_STREAM: tuple[int, ...] = (4,)
#: What differs between simulated landlords: their tenants and their service, not their strategy.
VARIED = (
    "initial_trust",
    "initial_efficacy",
    "share_underrepresented",
    "share_over_65",
    "share_digitally_excluded",
    "share_damp_risk",
    "treatment_quality",
    "first_time_fix",
    "repairs_per_home_year",
    "repair_job_weeks",
    "envelope_per_home",
    "survey_phone_share",
    "staff_turnover",
)
#: Share of the way from each default to its declared bounds that the population spans.
SPREAD = 0.5
#: Defaults of the population: landlords, homes each (a small large landlord), bootstrap resamples.
DEFAULT_LANDLORDS = 100
DEFAULT_POPULATION_HOMES = 2000
BOOTSTRAP_RESAMPLES = 1000
#: Statistics of a population of landlords at one run length (see :func:`population_statistics`).
POPULATION_STATISTICS = (
    "spread_tp01",
    "spread_tp06",
    "corr_tp01_tp06",
    "corr_tp01_tp02",
    "share_tp06_lowest",
    "median_tp01_minus_tp06",
    "yoy_rms_tp01",
)
#: Statistics of the documented changes (see :func:`dynamic_statistics`).
DYNAMIC_STATISTICS = ("repairs_half_time_weeks", "patch_cut_tp01_effect")
#: The repairs improvement: first-time fixes before it; the horizon over which its effect is measured.
POOR_FIRST_TIME_FIX = 0.8
IMPROVEMENT_WEEKS = 5 * YEAR
#: The patch-size cut: homes per officer before and after (Bromford: about 450 before it cut patches).
WIDE_PATCH = 450
NARROW_PATCH = 250
DEFAULT_PAIRS = 10


def landlord_ranges(names: Sequence[str] = VARIED, spread: float = SPREAD) -> dict[str, tuple[float, float]]:
    """Each varied parameter's sampling interval: ``spread`` of the way from its default to each bound."""
    out = {}
    for name in names:
        p = params.get(name)
        out[name] = (p.default - spread * (p.default - p.low), p.default + spread * (p.high - p.default))
    return out


def draw_landlords(count: int, seed: int = DEFAULT_SEED, spread: float = SPREAD) -> list[dict[str, float | int]]:
    """``count`` landlords' parameter values, by the sampling rule of the module docstring.

    Raises:
        ValueError: ``count`` below 3 (a correlation needs 3) or ``spread`` outside [0, 1].
    """
    if count < 3 or not 0.0 <= spread <= 1.0:
        raise ValueError(f"count = {count}, spread = {spread}; allowed: 3 or more landlords, a spread in [0, 1]")
    ranges = landlord_ranges(VARIED, spread)
    unit = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=POPULATION_STREAM)).random((count, len(VARIED)))
    landlords = []
    for row in unit:
        values: dict[str, float | int] = {}
        for u, (name, (low, high)) in zip(row, ranges.items(), strict=True):
            value = low + float(u) * (high - low)
            values[name] = round(value) if params.get(name).kind == "int" else value
        landlords.append(values)
    return landlords


def population_weeks(horizons: Sequence[int]) -> tuple[int, ...]:
    """The weeks each landlord is observed at: every run length, and the year before it (for year-on-year)."""
    return tuple(sorted({w for h in horizons for w in (h - YEAR, h) if w >= YEAR}))


def population_statistics(now: Sequence[Mapping[str, float]], year_before: Sequence[Mapping[str, float]]) -> dict:
    """The population statistics of landlords observed at one run length and a year before it.

    ``spread_*`` is the standard deviation across landlords (points), ``corr_*`` Pearson's correlation
    across landlords, ``share_tp06_lowest`` the % of landlords whose TP06 is the lowest of TP06-TP08,
    ``median_tp01_minus_tp06`` the median gap, and ``yoy_rms_tp01`` the root mean square of each
    landlord's change in TP01 over the year (expected survey: no sampling noise).
    """
    tp01, tp02, tp06 = (np.array([row[k] for row in now]) for k in ("tp01", "tp02", "tp06"))
    margin = np.array([row["tp06_margin"] for row in now])
    before = np.array([row["tp01"] for row in year_before])
    return {
        "spread_tp01": float(np.std(tp01, ddof=1)),
        "spread_tp06": float(np.std(tp06, ddof=1)),
        "corr_tp01_tp06": _correlation(tp01, tp06),
        "corr_tp01_tp02": _correlation(tp01, tp02),
        "share_tp06_lowest": 100.0 * float(np.mean(margin > 0)),
        "median_tp01_minus_tp06": float(np.median(tp01 - tp06)),
        "yoy_rms_tp01": float(np.sqrt(np.mean((tp01 - before) ** 2))) if before.size else math.nan,
    }


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or np.std(x) == 0 or np.std(y) == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def _bootstrap(now: list, before: list, seed: int, resamples: int) -> dict[str, tuple[float, float]]:
    """Percentile 95% intervals of every population statistic, resampling landlords."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=BOOTSTRAP_STREAM))
    draws = []
    for _ in range(resamples):
        pick = rng.integers(0, len(now), len(now))
        draws.append(population_statistics([now[i] for i in pick], [before[i] for i in pick]))
    return {k: tuple(np.nanpercentile([d[k] for d in draws], [2.5, 97.5])) for k in POPULATION_STATISTICS}


def validate_population(
    patterns: Sequence[Pattern],
    horizons: Sequence[int],
    landlords: int = DEFAULT_LANDLORDS,
    homes: int = DEFAULT_POPULATION_HOMES,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Simulate a population of landlords and check the population patterns at each run length.

    Returns:
        The rows (as :func:`experiments.validation.check`, with ``weeks``; the interval is a bootstrap
        over landlords) and one record per landlord and week observed (its drawn values and statistics).
    """
    drawn = draw_landlords(landlords, seed)
    seeds = derive_seeds(seed, landlords, POPULATION_STREAM)
    weeks = population_weeks(horizons)
    scenarios = [load_scenario("baseline", homes=homes, **values) for values in drawn]
    tasks = [(scenario, s, weeks, NEITHER_BAND) for scenario, s in zip(scenarios, seeds, strict=True)]
    with executor(min(workers, len(tasks))) as pool:
        observed = list(pool.map(observe_at, tasks))
    rows = []
    for h in horizons:
        now = [o[h] for o in observed]
        before = [o[h - YEAR] for o in observed] if h - YEAR >= YEAR else []
        values = population_statistics(now, before or now)
        if not before:
            values["yoy_rms_tp01"] = math.nan
        intervals = _bootstrap(now, before or now, seed, resamples)
        for p in patterns:
            low, high = intervals[p.statistic]
            rows.append(check_values(p, values[p.statistic], float(low), float(high), h))
    pairs = enumerate(zip(seeds, observed, strict=True))
    records = [{"landlord": i, "seed": s, "weeks": w, **o[w]} for i, (s, o) in pairs for w in weeks]
    return rows, records


def improvement_scenarios(homes: int) -> tuple[Scenario, Scenario]:
    """The repairs improvement: a landlord with poor first-time fixes that improves at week 0, and one that does not."""
    before = load_scenario("baseline", homes=homes, first_time_fix=POOR_FIRST_TIME_FIX)
    better = Change(0, {"first_time_fix": params.get("first_time_fix").default}, "repairs service improves")
    return replace(before, name="poor_repairs"), replace(before, name="repairs_improve", schedule=(better,))


def patch_cut_scenarios(homes: int) -> tuple[Scenario, Scenario]:
    """The patch-size cut: officers with wide patches, and the same landlord cutting them (and paying for it)."""
    wide = load_scenario("baseline", homes=homes, patch_size=WIDE_PATCH)
    cost = params.get("officer_cost").default * (1 / NARROW_PATCH - 1 / WIDE_PATCH)
    envelope = params.get("envelope_per_home").default + cost
    cut = Change(0, {"patch_size": NARROW_PATCH, "envelope_per_home": envelope}, "patches cut, posts paid for")
    return replace(wide, name="wide_patches"), replace(wide, name="patches_cut", schedule=(cut,))


def half_time(effect: Sequence[float], weeks: Sequence[int]) -> float:
    """The first week at which ``effect`` reaches half its last value (NaN if the last value is not positive)."""
    final = effect[-1]
    if not final > 0:
        return math.nan
    return float(next(w for e, w in zip(effect, weeks, strict=True) if e >= 0.5 * final))


def validate_dynamics(
    patterns: Sequence[Pattern],
    horizons: Sequence[int],
    pairs: int = DEFAULT_PAIRS,
    homes: int = DEFAULT_POPULATION_HOMES,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
) -> list[dict[str, Any]]:
    """Run each documented change as paired runs and check the dynamic patterns.

    The repairs half-time is one number per pair (the change at week 0, its effect observed each
    quarter for five years; its row's ``weeks`` is that horizon, :data:`IMPROVEMENT_WEEKS`); the
    patch-cut effect is checked at every run length. Intervals are t intervals over pairs.
    """
    seeds = spawn_seeds(seed, pairs)
    quarters = tuple(range(13, IMPROVEMENT_WEEKS + 1, 13))
    lengths = tuple(sorted(horizons))
    designs = ((improvement_scenarios(homes), quarters), (patch_cut_scenarios(homes), lengths))
    runs = [(scenario, s, weeks, NEITHER_BAND) for pair, weeks in designs for s in seeds for scenario in pair]
    with executor(min(workers, len(runs))) as pool:
        observed = list(pool.map(observe_at, runs))
    rows = []
    for p in patterns:
        offset = 0 if p.statistic == "repairs_half_time_weeks" else 2 * pairs
        results = [(observed[offset + 2 * i], observed[offset + 2 * i + 1]) for i in range(pairs)]
        if p.statistic == "repairs_half_time_weeks":
            times = [half_time([b[w]["tp01"] - a[w]["tp01"] for w in quarters], quarters) for a, b in results]
            rows.append(check(p, times, IMPROVEMENT_WEEKS))
        else:
            for h in lengths:
                rows.append(check(p, [b[h]["tp01"] - a[h]["tp01"] for a, b in results], h))
    return rows
