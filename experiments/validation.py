"""Pattern-oriented validation: does one parameter set reproduce several observed patterns at once?

Pattern-oriented modelling (Grimm et al. 2005, *Science* 310) judges a model by
whether a single parameter set reproduces several independent observed
patterns at the same time. The patterns, each with its target, tolerance,
source and role (calibration target, fitted, guided, or held out), are declared in
``experiments/patterns/sector.toml``. :func:`validate` runs the baseline with seeded
replications (replicate seeds from :func:`experiments.runner.spawn_seeds`,
each run a :class:`~experiments.runner.RunSpec` recording the observation of
:mod:`model.observation`, results in replicate order, so the worker count
never changes a number), and checks each pattern against the mean over
replications. A pattern passes when the mean meets its criterion; the 95% t
interval over replications is reported beside it (``ci_passed`` says whether
the whole interval meets the criterion too). Nothing is tuned here: the
tolerances come from the precision of the evidence (see the TOML file).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
from tabulate import tabulate

from experiments.compare import mean_ci
from experiments.runner import DEFAULT_SEED, executor, provenance, spawn_seeds
from model import params
from model.observation import NEITHER_BAND, ObservedModel
from model.resources import package_dir
from model.scenario import CALIBRATED_POSTERIOR, Scenario, draw_from_posterior, load_scenario
from model.scenario import DEFAULT_WEEKS as SCENARIO_WEEKS

#: The observed patterns, shipped as data of the ``experiments`` package: one landlord's snapshot
#: (``sector.toml``), a population of landlords (``landlords.toml``) and changes over time (``dynamics.toml``).
PATTERNS_DIR = package_dir("experiments") / "patterns"
PATTERNS_PATH = PATTERNS_DIR / "sector.toml"
KINDS = ("near", "above", "below")
ROLES = ("calibration", "fitted", "guided", "held-out")
#: Levels a pattern can be observed at: one landlord's replications, a population of simulated landlords
#: (:mod:`experiments.population`), or paired runs before and after a documented change.
LEVELS = ("landlord", "population", "dynamic")
#: Optional keys: ``level`` ("landlord" unless given) and ``parameters`` (the uncertain parameters that mainly
#: set the statistic; required for a held-out pattern, so that its independence from the calibration is checkable).
_OPTIONAL = {"level", "parameters"}
_KEYS = {
    "name",
    "description",
    "statistic",
    "kind",
    "target",
    "tolerance",
    "unit",
    "role",
    "source",
    "tolerance_basis",
}
#: Defaults of the ``validate`` command: a typical large housing association
#: (Cobalt Housing's 6,000 homes, seeds/000) after the ten years that
#: ``compare`` reports.
DEFAULT_HOMES = int(params.get("homes").default)
DEFAULT_WEEKS = SCENARIO_WEEKS
DEFAULT_REPLICATIONS = 10


class PatternError(ValueError):
    """A pattern file that cannot be used."""


@dataclass(frozen=True)
class Pattern:
    """One observed pattern and how the model is checked against it.

    Attributes:
        name: Short identifier.
        description: The pattern in words.
        statistic: Key of :func:`statistics` compared with the target.
        kind: "near" (within ``tolerance`` of ``target``), "above" or "below" ``target``.
        target: The observed value (or the bound, for "above" and "below").
        tolerance: Half-width of the accepted band ("near" only; 0 otherwise).
        unit: Unit of the statistic.
        role: "calibration", "fitted", "guided" or "held-out" (see the pattern file).
        source: Where the target comes from (as named in ``shared/evidence.md``).
        tolerance_basis: Why the tolerance is what it is.
        level: "landlord", "population" or "dynamic" (see :data:`LEVELS`).
        parameters: The uncertain parameters that mainly set the statistic (held-out patterns name them, so a
            test can check that none of them is fitted by the calibration).
    """

    name: str
    description: str
    statistic: str
    kind: str
    target: float
    tolerance: float
    unit: str
    role: str
    source: str
    tolerance_basis: str
    level: str = "landlord"
    parameters: tuple[str, ...] = ()

    def passes(self, value: float) -> bool:
        """Whether ``value`` meets this pattern's criterion (False for NaN)."""
        if math.isnan(value):
            return False
        if self.kind == "near":
            return abs(value - self.target) <= self.tolerance
        return value > self.target if self.kind == "above" else value < self.target

    def criterion(self) -> str:
        """The criterion in words, e.g. ``71 ± 3.6`` or ``> 0``."""
        if self.kind == "near":
            return f"{self.target:g} ± {self.tolerance:g}"
        return f"{'>' if self.kind == 'above' else '<'} {self.target:g}"


def _check_entry(entry: Any, where: str) -> Pattern:
    allowed_keys = _KEYS | _OPTIONAL
    if not isinstance(entry, dict):
        raise PatternError(f"{where} = {entry!r}; allowed: a table with keys {', '.join(sorted(allowed_keys))}")
    unknown = sorted(entry.keys() - allowed_keys)
    if unknown:
        raise PatternError(f"{where}: unknown key '{unknown[0]}'; allowed keys: {', '.join(sorted(allowed_keys))}")
    missing = sorted(_KEYS - entry.keys())
    if missing:
        raise PatternError(f"{where}: missing key '{missing[0]}'")
    for key in ("target", "tolerance"):
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise PatternError(f"{where}: key '{key}' = {value!r}; allowed: a finite number")
    if entry["tolerance"] < 0:
        raise PatternError(f"{where}: key 'tolerance' = {entry['tolerance']!r}; allowed: a number >= 0")
    level = entry.get("level", "landlord")
    for key, value, allowed in (
        ("kind", entry["kind"], KINDS),
        ("role", entry["role"], ROLES),
        ("level", level, LEVELS),
        ("statistic", entry["statistic"], statistics_of(level) if level in LEVELS else ()),
    ):
        if value not in allowed:
            raise PatternError(f"{where}: key '{key}' = {value!r}; allowed: {', '.join(allowed)}")
    drivers = _check_parameters(entry.get("parameters", []), where)
    if entry["role"] == "held-out" and not drivers:
        raise PatternError(
            f"{where}: key 'parameters' missing; allowed: a held-out pattern names the uncertain parameters that "
            "mainly set it"
        )
    fields = {k: float(v) if k in ("target", "tolerance") else str(v) for k, v in entry.items() if k in _KEYS}
    return Pattern(**fields, level=level, parameters=drivers)


def _check_parameters(value: Any, where: str) -> tuple[str, ...]:
    """The ``parameters`` key: a list of declared parameter names."""
    names = params.defaults()
    if not isinstance(value, list) or any(not isinstance(v, str) or v not in names for v in value):
        raise PatternError(f"{where}: key 'parameters' = {value!r}; allowed: a list of declared parameter names")
    return tuple(value)


def load_patterns(path: str | Path = PATTERNS_PATH) -> list[Pattern]:
    """Read and check a pattern file.

    Raises:
        PatternError: Naming the file, the pattern, the key, the value and what is allowed.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise PatternError(f"{path}: {error}") from None
    entries = data.get("pattern")
    if not isinstance(entries, list) or not entries or data.keys() != {"pattern"}:
        raise PatternError(f"{path}: expected only [[pattern]] tables, at least one")
    patterns = [_check_entry(e, f"{path}: pattern {n}") for n, e in enumerate(entries, start=1)]
    names = [p.name for p in patterns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise PatternError(f"{path}: pattern name '{duplicated[0]}' appears more than once")
    return patterns


def pattern_files() -> list[Path]:
    """Every shipped pattern file: ``sector.toml`` first, then the others by name."""
    others = sorted(p for p in PATTERNS_DIR.glob("*.toml") if p != PATTERNS_PATH)
    return [PATTERNS_PATH, *others]


def load_all_patterns() -> list[Pattern]:
    """Every shipped pattern, at every level, in file order.

    Raises:
        PatternError: A file cannot be used, or a name appears in two files.
    """
    patterns = [p for path in pattern_files() for p in load_patterns(path)]
    names = [p.name for p in patterns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise PatternError(f"{PATTERNS_DIR}: pattern name '{duplicated[0]}' appears in more than one file")
    return patterns


#: Statistics a pattern can use: every measurement of
#: :func:`model.observation.observe` plus the two TSM orderings.
STATISTICS = (
    "tp01",
    "tp02",
    "tp06",
    "tp07",
    "tp08",
    "tp08_margin",
    "tp06_margin",
    "tp01_minus_tp06",
    "transactional",
    "transactional_uplift",
    "dissatisfied",
    "dissatisfied_25_54_gap",
    "ethnic_gap",
    "over_65_gap",
    "age_gap",
    "online_minus_phone",
    "consistently_involved",
    "representation_ratio",
    "representation_consistent",
    "repairs_per_home_year",
    "repairs_within_target",
)


def statistics(observed: Mapping[str, Any]) -> dict[str, float]:
    """The pattern statistics of one observed run (see :data:`STATISTICS`).

    ``tp08_margin`` is TP08 minus the larger of TP06 and TP07 (positive when
    TP08 is the highest); ``tp06_margin`` is the smaller of TP07 and TP08 minus
    TP06 (positive when TP06 is the lowest); ``tp01_minus_tp06`` is how far
    TP06 sits below TP01.
    """
    derived = ("tp08_margin", "tp06_margin", "tp01_minus_tp06")
    out = {k: _number(observed.get(k)) for k in STATISTICS if k not in derived}
    out["tp08_margin"] = out["tp08"] - max(out["tp06"], out["tp07"])
    out["tp06_margin"] = min(out["tp07"], out["tp08"]) - out["tp06"]
    out["tp01_minus_tp06"] = out["tp01"] - out["tp06"]
    return out


def statistics_of(level: str) -> tuple[str, ...]:
    """The statistics a pattern of ``level`` can use."""
    if level == "landlord":
        return STATISTICS
    from experiments import population  # imported here: population builds on this module

    return population.POPULATION_STATISTICS if level == "population" else population.DYNAMIC_STATISTICS


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def observe_at(task: tuple[Scenario, int, tuple[int, ...], float]) -> dict[int, dict[str, float]]:
    """Run a scenario from a seed and observe it at each of several weeks (a module-level function: it pickles).

    Args:
        task: ``(scenario, seed, weeks, neither_band)``; ``weeks`` in increasing order (a year or more for
            the repair and involvement statistics to be complete). A scenario with a posterior has its
            calibrated parameters drawn for ``seed`` first.

    Returns:
        Week -> the pattern statistics (:func:`statistics`) observed at the end of that week, with the
        model's summary (``satisfaction_true`` and the like) and, as ``param:NAME``, every parameter the run
        set or drew.
    """
    scenario, seed, weeks, neither_band = task
    drawn = draw_from_posterior(scenario, seed)
    model = ObservedModel(drawn, rng=seed)
    set_values = {f"param:{k}": float(drawn.params[k]) for k in drawn.differences()}
    out: dict[int, dict[str, float]] = {}
    for week in weeks:
        model.run_for(week - model.week)
        measured = model.summary() | model.observe(neither_band)
        out[week] = statistics(measured) | _numbers(measured) | set_values
    return out


def _numbers(measured: Mapping[str, Any]) -> dict[str, float]:
    """The numeric entries of a summary (so that a row of ``runs`` holds numbers only)."""
    return {k: float(v) for k, v in measured.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def check_values(pattern: Pattern, value: float, low: float, high: float, weeks: int | None = None) -> dict[str, Any]:
    """A pattern's row for an observed value and its 95% interval (see :func:`check` for the keys).

    ``weeks`` (the run length the value was observed at, if any) is added as the row's ``weeks``.
    """
    ci_passed = pattern.passes(low) and pattern.passes(high)
    row = {
        "pattern": pattern.name,
        "target": pattern.target,
        "observed": _json_number(value),
        "ci_low": _json_number(low),
        "ci_high": _json_number(high),
        "tolerance": pattern.tolerance,
        "source": pattern.source,
        "passed": pattern.passes(value),
        "kind": pattern.kind,
        "criterion": pattern.criterion(),
        "ci_passed": ci_passed,
        "role": pattern.role,
        "level": pattern.level,
        "statistic": pattern.statistic,
        "unit": pattern.unit,
        "description": pattern.description,
        "tolerance_basis": pattern.tolerance_basis,
    }
    return row if weeks is None else row | {"weeks": weeks}


def check(pattern: Pattern, values: Sequence[float], weeks: int | None = None) -> dict[str, Any]:
    """Check one pattern against a statistic's values over replications.

    Returns:
        The row the ``validate`` command prints: ``pattern``, ``target``,
        ``observed`` (mean over replications), ``ci_low``, ``ci_high`` (95% t
        interval), ``tolerance``, ``source``, ``passed`` (the mean meets the
        criterion), and ``kind``, ``criterion``, ``ci_passed`` (both ends of
        the interval meet it), ``role``, ``level``, ``statistic``, ``unit``,
        ``description``, ``tolerance_basis`` and, when given, ``weeks``.
    """
    mean, low, high = mean_ci(values)
    return check_values(pattern, mean, low, high, weeks)


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class Validation:
    """Everything one validation produced.

    Attributes:
        rows: One :func:`check` row per pattern and run length, in file order (run lengths within a pattern).
        runs: One row per replication and run length: ``replicate``, ``seed``, ``weeks`` and every statistic.
        seeds: Seed of each replication (spawned from ``settings['seed']``).
        settings: Scenario name, homes, weeks (every run length), replications, master seed, neither band, workers.
        scenario: The resolved scenario (every parameter value).
    """

    rows: list[dict[str, Any]]
    runs: pd.DataFrame
    seeds: list[int]
    settings: dict[str, Any]
    scenario: Scenario

    @property
    def passed(self) -> bool:
        """Whether every pattern passed at every run length."""
        return all(row["passed"] for row in self.rows)

    def record(self) -> dict[str, Any]:
        """A JSON-ready record: patterns, settings, seeds, every parameter and provenance."""
        return {
            "patterns": self.rows,
            "passed": self.passed,
            "settings": self.settings,
            "seeds": self.seeds,
            "scenario": self.scenario.to_dict(),
        } | provenance()


def check_horizons(horizons: Sequence[int]) -> tuple[int, ...]:
    """Run lengths in weeks, sorted and without repeats.

    Raises:
        ValueError: None given, or one shorter than 52 weeks.
    """
    chosen = tuple(sorted({int(h) for h in horizons}))
    if not chosen or chosen[0] < 52:
        raise ValueError(f"weeks = {list(horizons)}; allowed: one or more run lengths of 52 weeks or more")
    return chosen


def validate(
    replications: int = DEFAULT_REPLICATIONS,
    homes: int = DEFAULT_HOMES,
    weeks: int | Sequence[int] = DEFAULT_WEEKS,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    scenario: str | Path = "baseline",
    patterns: Sequence[Pattern] | None = None,
    neither_band: float = NEITHER_BAND,
    posterior: bool = False,
) -> Validation:
    """Run the baseline with seeded replications and check every landlord-level pattern at each run length.

    Each replication runs once to the longest run length and is observed at the end of each
    (so the shorter run lengths are the same runs, seen earlier).

    Args:
        replications: Seeded replications (2 or more: the intervals need 2).
        homes: Homes on the estate.
        weeks: Weeks per run, or several run lengths (each at least 52: some statistics need a year).
        seed: Master seed; the replicate seeds are spawned from it.
        workers: Processes to use; results do not depend on it.
        scenario: Built-in scenario name or path (the baseline by default).
        patterns: Patterns to check (``experiments/patterns/sector.toml`` by default).
        neither_band: Width of the "neither" band (see :mod:`model.observation`).
        posterior: Draw the calibrated parameters of each replication from the
            committed posterior (``calibration/posterior.csv``) instead of using
            their defaults: a posterior predictive check. Each drawn value is
            recorded in ``runs`` as ``param:NAME``.

    Raises:
        ValueError: Fewer than 2 replications or a run length under 52 weeks.
    """
    if replications < 2:
        raise ValueError(f"replications = {replications}; allowed: 2 or more (confidence intervals need 2)")
    horizons = check_horizons([weeks] if isinstance(weeks, int) else weeks)
    patterns = load_patterns() if patterns is None else list(patterns)
    resolved = load_scenario(scenario, homes=homes)
    if posterior:
        resolved = replace(resolved, posterior=str(CALIBRATED_POSTERIOR))
    seeds = spawn_seeds(seed, replications)
    tasks = [(resolved, s, horizons, neither_band) for s in seeds]
    with executor(min(workers, len(tasks))) as pool:
        observed = list(pool.map(observe_at, tasks))
    runs = pd.DataFrame(
        [
            {"replicate": r, "seed": s, "weeks": w, **o[w]}
            for r, (s, o) in enumerate(zip(seeds, observed, strict=True))
            for w in horizons
        ]
    )
    single = isinstance(weeks, int)
    rows = [
        check(p, runs.loc[runs["weeks"] == w, p.statistic].to_list(), None if single else w)
        for p in patterns
        for w in horizons
    ]
    settings = {
        "scenario": resolved.name,
        "homes": homes,
        "weeks": horizons[0] if single else list(horizons),
        "replications": replications,
        "seed": seed,
        "neither_band": neither_band,
        "workers": workers,
        "posterior": resolved.posterior,
    }
    return Validation(rows, runs, seeds, settings, resolved)


def _show(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The validation rows as a plain-text table, sources below.

    Rows with a ``weeks`` key are grouped by pattern, one column per run length (in years).
    """
    if rows and "weeks" in rows[0]:
        return _format_by_horizon(rows)
    table = [
        (
            row["pattern"],
            row["role"],
            row["criterion"],
            _show(row["observed"]),
            f"[{_show(row['ci_low'])}, {_show(row['ci_high'])}]",
            "pass" if row["passed"] else "FAIL",
        )
        for row in rows
    ]
    headers = ("pattern", "role", "target", "observed", "95% CI", "result")
    return f"{tabulate(table, headers=headers)}\n\nSources:\n{_sources(rows)}"


def _format_by_horizon(rows: Sequence[Mapping[str, Any]]) -> str:
    horizons = sorted({row["weeks"] for row in rows})
    names = list(dict.fromkeys(row["pattern"] for row in rows))
    by_key = {(row["pattern"], row["weeks"]): row for row in rows}
    table = []
    for name in names:
        first = next(row for row in rows if row["pattern"] == name)
        cells = []
        for weeks in horizons:
            row = by_key.get((name, weeks))
            cells.append("" if row is None else f"{_show(row['observed'])} {'pass' if row['passed'] else 'FAIL'}")
        table.append((name, first["role"], first["criterion"], *cells))
    headers = ("pattern", "role", "target", *(f"{w / 52:g} year{'' if w == 52 else 's'}" for w in horizons))
    return f"{tabulate(table, headers=headers)}\n\nSources:\n{_sources(rows)}"


def _sources(rows: Sequence[Mapping[str, Any]]) -> str:
    seen = dict.fromkeys((row["pattern"], row["source"]) for row in rows)
    return "\n".join(f"  {name}: {source}" for name, source in seen)
