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
from experiments.runner import DEFAULT_SEED, RunOutcome, RunSpec, executor, provenance, run_all, spawn_seeds
from model import params
from model.observation import NEITHER_BAND
from model.resources import package_dir
from model.scenario import CALIBRATED_POSTERIOR, Scenario, load_scenario
from model.scenario import DEFAULT_WEEKS as SCENARIO_WEEKS

#: The observed patterns, shipped as data of the ``experiments`` package.
PATTERNS_PATH = package_dir("experiments") / "patterns" / "sector.toml"
KINDS = ("near", "above", "below")
ROLES = ("calibration", "fitted", "guided", "held-out")
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
    if not isinstance(entry, dict):
        raise PatternError(f"{where} = {entry!r}; allowed: a table with keys {', '.join(sorted(_KEYS))}")
    unknown = sorted(entry.keys() - _KEYS)
    if unknown:
        raise PatternError(f"{where}: unknown key '{unknown[0]}'; allowed keys: {', '.join(sorted(_KEYS))}")
    missing = sorted(_KEYS - entry.keys())
    if missing:
        raise PatternError(f"{where}: missing key '{missing[0]}'")
    for key in ("target", "tolerance"):
        value = entry[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise PatternError(f"{where}: key '{key}' = {value!r}; allowed: a finite number")
    if entry["tolerance"] < 0:
        raise PatternError(f"{where}: key 'tolerance' = {entry['tolerance']!r}; allowed: a number >= 0")
    for key, allowed in (("kind", KINDS), ("role", ROLES), ("statistic", STATISTICS)):
        if entry[key] not in allowed:
            raise PatternError(f"{where}: key '{key}' = {entry[key]!r}; allowed: {', '.join(allowed)}")
    return Pattern(**{k: float(v) if k in ("target", "tolerance") else str(v) for k, v in entry.items()})


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
    TP06 (positive when TP06 is the lowest).
    """
    out = {k: _number(observed.get(k)) for k in STATISTICS if k not in ("tp08_margin", "tp06_margin")}
    out["tp08_margin"] = out["tp08"] - max(out["tp06"], out["tp07"])
    out["tp06_margin"] = min(out["tp07"], out["tp08"]) - out["tp06"]
    return out


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def _observed_row(outcome: RunOutcome) -> dict[str, float]:
    """A replication's statistics and, as ``param:NAME``, every parameter it set or drew."""
    drawn = outcome.scenario
    values = statistics(outcome.summary | outcome.observed)
    return values | {f"param:{k}": float(drawn.params[k]) for k in drawn.differences()}


def check(pattern: Pattern, values: Sequence[float]) -> dict[str, Any]:
    """Check one pattern against a statistic's values over replications.

    Returns:
        The row the ``validate`` command prints: ``pattern``, ``target``,
        ``observed`` (mean over replications), ``ci_low``, ``ci_high`` (95% t
        interval), ``tolerance``, ``source``, ``passed`` (the mean meets the
        criterion), and ``kind``, ``criterion``, ``ci_passed`` (both ends of
        the interval meet it), ``role``, ``statistic``, ``unit``,
        ``description`` and ``tolerance_basis``.
    """
    mean, low, high = mean_ci(values)
    ci_passed = pattern.passes(low) and pattern.passes(high)
    return {
        "pattern": pattern.name,
        "target": pattern.target,
        "observed": _json_number(mean),
        "ci_low": _json_number(low),
        "ci_high": _json_number(high),
        "tolerance": pattern.tolerance,
        "source": pattern.source,
        "passed": pattern.passes(mean),
        "kind": pattern.kind,
        "criterion": pattern.criterion(),
        "ci_passed": ci_passed,
        "role": pattern.role,
        "statistic": pattern.statistic,
        "unit": pattern.unit,
        "description": pattern.description,
        "tolerance_basis": pattern.tolerance_basis,
    }


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class Validation:
    """Everything one validation produced.

    Attributes:
        rows: One :func:`check` row per pattern, in file order.
        runs: One row per replication: ``replicate``, ``seed`` and every statistic.
        seeds: Seed of each replication (spawned from ``settings['seed']``).
        settings: Scenario name, homes, weeks, replications, master seed, neither band, workers.
        scenario: The resolved scenario (every parameter value).
    """

    rows: list[dict[str, Any]]
    runs: pd.DataFrame
    seeds: list[int]
    settings: dict[str, Any]
    scenario: Scenario

    @property
    def passed(self) -> bool:
        """Whether every pattern passed."""
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


def validate(
    replications: int = DEFAULT_REPLICATIONS,
    homes: int = DEFAULT_HOMES,
    weeks: int = DEFAULT_WEEKS,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    scenario: str | Path = "baseline",
    patterns: Sequence[Pattern] | None = None,
    neither_band: float = NEITHER_BAND,
    posterior: bool = False,
) -> Validation:
    """Run the baseline with seeded replications and check every pattern.

    Args:
        replications: Seeded replications (2 or more: the intervals need 2).
        homes: Homes on the estate.
        weeks: Weeks per run (at least 52: some statistics need a year).
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
        ValueError: Fewer than 2 replications or fewer than 52 weeks.
    """
    if replications < 2:
        raise ValueError(f"replications = {replications}; allowed: 2 or more (confidence intervals need 2)")
    if weeks < 52:
        raise ValueError(f"weeks = {weeks}; allowed: 52 or more (repairs and involvement are measured over a year)")
    patterns = load_patterns() if patterns is None else list(patterns)
    resolved = load_scenario(scenario, homes=homes)
    if posterior:
        resolved = replace(resolved, posterior=str(CALIBRATED_POSTERIOR))
    seeds = spawn_seeds(seed, replications)
    specs = [RunSpec(resolved, s, weeks, observe=True, neither_band=neither_band) for s in seeds]
    with executor(min(workers, len(specs))) as pool:
        observed = [_observed_row(outcome) for outcome in run_all(specs, pool)]
    runs = pd.DataFrame(
        [{"replicate": r, "seed": s, **o} for r, (s, o) in enumerate(zip(seeds, observed, strict=True))]
    )
    rows = [check(p, runs[p.statistic].to_list()) for p in patterns]
    settings = {
        "scenario": resolved.name,
        "homes": homes,
        "weeks": weeks,
        "replications": replications,
        "seed": seed,
        "neither_band": neither_band,
        "workers": workers,
        "posterior": resolved.posterior,
    }
    return Validation(rows, runs, seeds, settings, resolved)


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The validation rows as a plain-text table (one line per pattern, sources below)."""

    def show(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"

    table = [
        (
            row["pattern"],
            row["role"],
            row["criterion"],
            show(row["observed"]),
            f"[{show(row['ci_low'])}, {show(row['ci_high'])}]",
            "pass" if row["passed"] else "FAIL",
        )
        for row in rows
    ]
    headers = ("pattern", "role", "target", "observed", "95% CI", "result")
    sources = "\n".join(f"  {row['pattern']}: {row['source']}" for row in rows)
    return f"{tabulate(table, headers=headers)}\n\nSources:\n{sources}"
