"""Experiment files and their designs (the sample of parameter values to run).

An experiment is a TOML file in ``experiments/`` (see ``what_drives_trust.toml``)::

    name = "what-drives-trust"
    scenario = "baseline"          # or scenarios = [...] to cross strategies with the design
    homes = 1000
    weeks = 260
    replications = 2
    seed = 20261123
    outcomes = ["trust_mean", "participation_rate"]
    [design]
    method = "sobol"               # factorial | lhs | sobol | morris | fast
    samples = 256                  # the run count follows the method
    [parameters]                   # [low, high]; "declared" takes the declaration's bounds
    negativity_bias = [1.0, 10.0]

``dummy = true`` in ``[design]`` (Sobol' and Morris) adds a dummy parameter
that no run reads: its indices are the noise floor (the seed's share) that
the real parameters' indices are judged against.
``groups = true`` in ``[design]`` (Sobol' only) gives indices for each
part of the model instead of each parameter: the parameters of one declared
``group`` (``model.params``; ``docs/ODD.md`` has a parameter table per part) move
together, as SALib's grouped designs do, so a Sobol' design over every
uncertain parameter has ``N * (G + 2)`` runs for ``G`` parts rather than
``N * (D + 2)`` for ``D`` parameters. The dummy is a part of its own.
``series_every = 13`` also keeps every run's weekly series, every 13 weeks.
``vary_uncertain = true`` adds every uncertain parameter (not a strategy
lever and not the estate size) with its declared bounds. The SALib problem is
generated from the declarations (after the EMA Workbench): samples are drawn
in the declared ranges and whole-number parameters are rounded (to their
declared step).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model import outcomes, params
from model import outcomes as outcomes_table
from model.resources import package_dir
from model.scenario import ScenarioError, check_labels, load_scenario

METHODS = ("factorial", "lhs", "sobol", "morris", "fast")
#: Outcomes an experiment can ask for: every numeric value of ``TrustModel.summary()``.
OUTCOMES = outcomes.NAMES
#: The shipped experiments: the ``experiments`` package's ``*.toml`` data.
EXPERIMENT_DIR = package_dir("experiments")
_TOP_KEYS = {
    "name",
    "description",
    "scenario",
    "scenarios",
    "shocks",
    "homes",
    "weeks",
    "replications",
    "seed",
    "outcomes",
    "design",
    "parameters",
    "vary_uncertain",
    "series_every",
    "robustness",
    "search",
}
_SEARCH_KEYS = {"levers", "objectives", "budget", "statistic", "population", "generations"}
#: What the robust-strategy search judges by default: trust, participation, representation and cost.
SEARCH_OBJECTIVES = ("trust_mean", "participation_rate", "representation_ratio", "spend_total_per_home")
#: How the search summarises an outcome across futures.
SEARCH_STATISTICS = ("mean", "p10")
_DESIGN_KEYS = {"method", "samples", "levels", "second_order", "dummy", "groups"}
#: The dummy parameter's name (``[design] dummy = true``): a column of the design that no run reads.
DUMMY = "dummy"
#: Design methods that can carry a dummy parameter.
DUMMY_METHODS = ("sobol", "morris")
#: Design methods that can vary the parameters in groups (``[design] groups = true``).
GROUP_METHODS = ("sobol",)
_ROBUSTNESS_KEYS = {"tie_tolerance"}
#: Default tie tolerance of ``robustness``: differences from baseline smaller than this
#: (in the outcome's stored units) are ties.
TIE_TOLERANCE = 1e-9
#: Largest tie tolerance allowed (outcomes' stored units rarely exceed a few hundred).
MAX_TIE_TOLERANCE = 1e6
MAX_RUNS = 5_000_000
#: An experiment's name becomes a folder under results/: letters, digits, '-', '_' and '.', not leading '.'.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
#: Weeks before the first yearly survey: outcomes from it are missing in shorter runs.
SURVEY_WEEKS = 52


class ExperimentError(ValueError):
    """An experiment file that cannot be used."""


@dataclass(frozen=True)
class Experiment:
    """A validated experiment.

    Attributes:
        name: Short name.
        path: The file it came from.
        digest: SHA-256 of the file's bytes (recorded in the manifest).
        scenarios: Strategy names or paths, crossed with the design.
        shocks: Shock layers added to every strategy.
        homes: Homes per run.
        weeks: Weeks per run.
        replications: Seeded replications of every design point.
        seed: Master seed.
        outcomes: Summary values to keep.
        method: Design method (one of :data:`METHODS`).
        samples: Base sample size (its meaning follows the method).
        levels: Levels per parameter (factorial, morris).
        second_order: Sobol second-order indices wanted.
        dummy: ``[design] dummy = true``: the design has one more column,
            :data:`DUMMY`, that no run reads. Its rows differ from others
            only in the run seed, so its indices measure the seed noise: the
            noise floor every parameter's index is judged against.
        groups: ``[design] groups = true``: the parameters of each declared
            part of the model (:attr:`model.params.Parameter.group`) move
            together and get one index per part (:meth:`factors`).
        bounds: Varied parameter -> (low, high).
        description: What the experiment asks.
        series_every: Keep every run's weekly series every this many weeks
            (0: only end-of-run outcomes), as BehaviorSpace's "measure runs
            at every step".
        tie_tolerance: ``[robustness] tie_tolerance``: a difference from
            baseline smaller than this, in the outcome's stored units, is a tie.
        search: The ``[search]`` table (levers, objectives, budget), for
            ``tenant-trust search``; None when absent.
    """

    name: str
    path: Path
    digest: str
    scenarios: tuple[str, ...]
    shocks: tuple[str, ...]
    homes: int
    weeks: int
    replications: int
    seed: int
    outcomes: tuple[str, ...]
    method: str
    samples: int
    levels: int
    second_order: bool
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)
    description: str = ""
    series_every: int = 0
    tie_tolerance: float = TIE_TOLERANCE
    dummy: bool = False
    groups: bool = False
    search: SearchSpec | None = None

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem, generated from the varied parameters (and the dummy, last, if asked for)."""
        names, bounds = list(self.bounds), [list(b) for b in self.bounds.values()]
        if self.dummy:
            names, bounds = [*names, DUMMY], [*bounds, [0.0, 1.0]]
        problem: dict[str, Any] = {"num_vars": len(names), "names": names, "bounds": bounds}
        if self.groups:
            problem["groups"] = [part_of(name) for name in names]
        return problem

    def factors(self) -> list[str]:
        """What the indices are given for: each varied parameter, or each part of the model (``groups``)."""
        problem = self.problem
        return list(dict.fromkeys(problem.get("groups") or problem["names"]))

    def design(self) -> np.ndarray:
        """The design matrix: one row per design point, one column per varied parameter."""
        return sample(self)


#: Parameters that say how big the landlord is and how it is organised: choices of the study, not uncertain facts.
ORGANISATION = ("homes", "neighbourhoods", "neighbourhood_homes")


def part_of(name: str) -> str:
    """The part of the model a varied parameter belongs to: its declared group (the dummy is its own)."""
    return DUMMY if name == DUMMY else params.get(name).group


def uncertain_parameters() -> list[str]:
    """Parameters that describe the world rather than a strategy choice.

    The organisation's size and shape (:data:`ORGANISATION`) and run settings are excluded.
    """
    return [p.name for p in params.PARAMETERS if not p.lever and p.name not in ORGANISATION and p.group != "run"]


def _fail(where: str, key: str, value: Any, allowed: str) -> ExperimentError:
    return ExperimentError(f"{where}: key '{key}' = {value!r}; allowed: {allowed}")


def _integer(data: dict[str, Any], key: str, default: int | None, low: int, high: int, where: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(where, key, value, f"an integer in [{low}, {high}]")
    return value


def _robustness(data: dict[str, Any], where: str) -> float:
    """The ``[robustness]`` table's tie tolerance (the default when the table is absent)."""
    table = data.get("robustness", {})
    if not isinstance(table, dict):
        raise _fail(where, "robustness", table, "a [robustness] table with tie_tolerance")
    at = f"{where} [robustness]"
    for key, value in table.items():
        if key not in _ROBUSTNESS_KEYS:
            raise _fail(at, key, value, f"one of the keys {', '.join(sorted(_ROBUSTNESS_KEYS))}")
    value = table.get("tie_tolerance", TIE_TOLERANCE)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_TIE_TOLERANCE:
        allowed = f"a number in [0, {MAX_TIE_TOLERANCE:g}] in the outcome's units (default {TIE_TOLERANCE:g})"
        raise _fail(at, "tie_tolerance", value, allowed)
    return float(value)


def _range(at: str, name: str, value: Any) -> tuple[float, float]:
    """One parameter's range from ``[low, high]`` or ``"declared"``, checked against its declaration."""
    try:
        declared = params.get(name)
    except params.ParameterError:
        allowed = ", ".join(p.name for p in params.PARAMETERS)
        raise _fail(at, name, value, f"a declared parameter ({allowed})") from None
    if value == "declared":
        return float(declared.low), float(declared.high)
    if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
        raise _fail(at, name, value, '[low, high] or "declared"')
    low, high = float(value[0]), float(value[1])
    if not declared.low <= low < high <= declared.high:
        raise _fail(at, name, value, f"low < high within the declared range [{declared.low:g}, {declared.high:g}]")
    if declared.kind == "int" and math.ceil(low / declared.step) >= math.floor(high / declared.step) + 1:
        raise _fail(at, name, value, f"a range holding at least one {declared.allowed()}")
    return low, high


@dataclass(frozen=True)
class SearchSpec:
    """An experiment's ``[search]`` table: the robust-strategy search (:mod:`experiments.search`).

    Attributes:
        levers: Strategy lever -> (low, high) searched over.
        objectives: Outcomes the strategies are judged on across the futures.
        budget: Largest mean total spend (``spend_total_per_home``, £ a home
            a year) a candidate may have across the futures (None: no limit).
        statistic: How an outcome is summarised across futures: ``mean``, or
            ``p10`` (the goodness reached in 90% of futures: a cautious view).
        population: Candidates per generation of the optimiser.
        generations: Generations of the optimiser.
    """

    levers: dict[str, tuple[float, float]]
    objectives: tuple[str, ...] = SEARCH_OBJECTIVES
    budget: float | None = None
    statistic: str = "mean"
    population: int = 16
    generations: int = 8


def _search(data: dict[str, Any], varied: dict[str, tuple[float, float]], where: str) -> SearchSpec | None:
    """The ``[search]`` table, checked (None when absent)."""
    if "search" not in data:
        return None
    table, at = data["search"], f"{where} [search]"
    if not isinstance(table, dict):
        raise _fail(where, "search", table, "a [search] table with levers")
    for key, value in table.items():
        if key not in _SEARCH_KEYS:
            raise _fail(at, key, value, f"one of the keys {', '.join(sorted(_SEARCH_KEYS))}")
    raw = table.get("levers")
    if not isinstance(raw, dict) or not raw:
        raise _fail(at, "levers", raw, 'a table of strategy lever = [low, high] or "declared"')
    levers = {name: _range(f"{at} levers", name, value) for name, value in raw.items()}
    for name in levers:
        if not params.get(name).lever:
            allowed = ", ".join(p.name for p in params.PARAMETERS if p.lever)
            raise _fail(f"{at} levers", name, raw[name], f"a strategy lever ({allowed})")
        if name in varied:
            raise _fail(f"{at} levers", name, raw[name], "a lever not also sampled as an uncertainty in [parameters]")
    objectives = _strings(table, "objectives", list(SEARCH_OBJECTIVES), at)
    unknown = [o for o in objectives if o not in OUTCOMES]
    if not objectives or unknown or len(set(objectives)) != len(objectives):
        raise _fail(at, "objectives", objectives, f"two or more different outcomes of {', '.join(OUTCOMES)}")
    if len(objectives) < 2:
        raise _fail(at, "objectives", objectives, "two or more outcomes (a Pareto set needs several)")
    budget = table.get("budget")
    if budget is not None and (isinstance(budget, bool) or not _is_number(budget) or budget <= 0):
        raise _fail(at, "budget", budget, "a total spend in £ a home a year, above 0 (spend_total_per_home)")
    statistic = table.get("statistic", "mean")
    if statistic not in SEARCH_STATISTICS:
        raise _fail(at, "statistic", statistic, " | ".join(SEARCH_STATISTICS))
    return SearchSpec(
        levers=levers,
        objectives=tuple(objectives),
        budget=None if budget is None else float(budget),
        statistic=statistic,
        population=_integer(table, "population", 16, 4, 1000, at),
        generations=_integer(table, "generations", 8, 1, 1000, at),
    )


def _bounds(data: dict[str, Any], vary_uncertain: bool, where: str) -> dict[str, tuple[float, float]]:
    raw = data.get("parameters", {})
    if not isinstance(raw, dict):
        raise _fail(where, "parameters", raw, "a table of parameter = [low, high] or 'declared'")
    names = dict.fromkeys(uncertain_parameters()) if vary_uncertain else {}
    names.update(dict.fromkeys(raw))
    at = f"{where} [parameters]"
    bounds = {name: _range(at, name, raw.get(name, "declared")) for name in names}
    if not bounds:
        raise ExperimentError(f"{where}: no parameter is varied; add a [parameters] table or vary_uncertain = true")
    return bounds


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _strings(data: dict[str, Any], key: str, default: list[str], where: str) -> list[str]:
    value = data.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, key, value, "a list of strings")
    return value


def _design(data: dict[str, Any], where: str) -> tuple[str, int, int, bool, bool, bool]:
    design = data.get("design")
    if not isinstance(design, dict):
        raise _fail(where, "design", design, "a [design] table with method and samples")
    for key, value in design.items():
        if key not in _DESIGN_KEYS:
            raise _fail(f"{where} [design]", key, value, f"one of the keys {', '.join(sorted(_DESIGN_KEYS))}")
    method = design.get("method")
    if method not in METHODS:
        raise _fail(f"{where} [design]", "method", method, " | ".join(METHODS))
    samples = _integer(design, "samples", 64, 1, 1_000_000, f"{where} [design]")
    levels = _integer(design, "levels", 4 if method == "morris" else 3, 2, 100, f"{where} [design]")
    second = design.get("second_order", False)
    if not isinstance(second, bool):
        raise _fail(f"{where} [design]", "second_order", second, "true or false")
    if method == "sobol" and (samples < 2 or samples & (samples - 1)):
        raise _fail(
            f"{where} [design]", "samples", samples, "a power of two, 2 or more, for the Sobol' sequence (e.g. 256)"
        )
    dummy = design.get("dummy", False)
    if not isinstance(dummy, bool) or (dummy and method not in DUMMY_METHODS):
        allowed = f"true or false (true only with method {' or '.join(DUMMY_METHODS)}; method is {method!r})"
        raise _fail(f"{where} [design]", "dummy", dummy, allowed)
    groups = design.get("groups", False)
    if not isinstance(groups, bool) or (groups and method not in GROUP_METHODS):
        allowed = f"true or false (true only with method {' or '.join(GROUP_METHODS)}; method is {method!r})"
        raise _fail(f"{where} [design]", "groups", groups, allowed)
    return method, samples, levels, second, dummy, groups


def _scenarios(data: dict[str, Any], where: str) -> tuple[list[str], list[str]]:
    if "scenario" in data and "scenarios" in data:
        raise ExperimentError(f"{where}: give either 'scenario' or 'scenarios', not both")
    if "scenario" in data:
        if not isinstance(data["scenario"], str):
            raise _fail(where, "scenario", data["scenario"], "a scenario name or path")
        names = [data["scenario"]]
    else:
        names = _strings(data, "scenarios", ["baseline"], where)
        if not names:
            raise _fail(where, "scenarios", names, "a non-empty list of strategy names or paths")
    base = Path(where).parent
    resolved = [_relative_to(base, n) for n in names]
    shocks = [_relative_to(base, n) for n in _strings(data, "shocks", [], where)]
    try:
        for name in resolved:
            load_scenario(name, shocks=shocks)
        check_labels(resolved, "key 'scenarios'")
    except ScenarioError as error:
        raise ExperimentError(f"{where}: {error}") from None
    return resolved, shocks


def _relative_to(base: Path, name: str) -> str:
    """A built-in name as it is; a .toml path made absolute, relative to the experiment file."""
    return name if not name.endswith(".toml") else str((base / name).resolve())


def _resolve(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix != ".toml" and not path.exists():
        path = EXPERIMENT_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in EXPERIMENT_DIR.glob("*.toml")))
        raise ExperimentError(f"{name_or_path}: no such experiment file; shipped experiments: {shipped}")
    return path


def load_experiment(name_or_path: str | Path) -> Experiment:
    """Read and validate an experiment file (or a shipped one by name).

    Raises:
        ExperimentError: Naming the file, the key, the value and what is allowed,
            before any run starts.
    """
    path = _resolve(name_or_path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ExperimentError(f"{path}: cannot be read: {error.strerror or error}") from None
    where = str(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ExperimentError(f"{where}: not UTF-8 text (byte {error.start}); allowed: a UTF-8 TOML file") from None
    except tomllib.TOMLDecodeError as error:
        raise ExperimentError(f"{where}: not valid TOML: {error}") from None
    for key, value in data.items():
        if key not in _TOP_KEYS:
            raise _fail(where, key, value, f"one of the keys {', '.join(sorted(_TOP_KEYS))}")
    scenarios, shocks = _scenarios(data, where)
    outcomes = _strings(data, "outcomes", ["trust_mean"], where)
    if not outcomes:
        raise _fail(where, "outcomes", outcomes, f"a non-empty list of outcomes ({', '.join(OUTCOMES)})")
    for outcome in outcomes:
        if outcome not in OUTCOMES:
            raise _fail(where, "outcomes", outcome, ", ".join(OUTCOMES))
    repeated = sorted({o for o in outcomes if outcomes.count(o) > 1})
    if repeated:
        raise _fail(where, "outcomes", outcomes, f"each outcome once ('{repeated[0]}' is given twice)")
    vary = data.get("vary_uncertain", False)
    if not isinstance(vary, bool):
        raise _fail(where, "vary_uncertain", vary, "true or false")
    method, samples, levels, second, dummy, groups = _design(data, where)
    homes_decl = params.get("homes")
    name = data.get("name", path.stem)
    description = data.get("description", "")
    for key, value in (("name", name), ("description", description)):
        if not isinstance(value, str):
            raise _fail(where, key, value, "a string")
    if not NAME_PATTERN.fullmatch(name):
        raise _fail(
            where,
            "name",
            name,
            "a folder name of letters, digits, '-', '_' and '.' (no '/', not starting with '.'); it names results/NAME",
        )
    bounds = _bounds(data, vary, where)
    experiment = Experiment(
        name=name,
        path=path,
        digest=hashlib.sha256(raw).hexdigest(),
        scenarios=tuple(scenarios),
        shocks=tuple(shocks),
        homes=_integer(data, "homes", 1000, int(homes_decl.low), int(homes_decl.high), where),
        weeks=_integer(data, "weeks", 260, 1, 52 * 50, where),
        replications=_integer(data, "replications", 1, 1, 1000, where),
        seed=_integer(data, "seed", 0, 0, 2**63 - 1, where),
        outcomes=tuple(outcomes),
        method=method,
        samples=samples,
        levels=levels,
        second_order=second,
        bounds=bounds,
        description=description,
        series_every=_integer(data, "series_every", 0, 0, 52 * 50, where),
        tie_tolerance=_robustness(data, where),
        dummy=dummy,
        groups=groups,
        search=_search(data, bounds, where),
    )
    runs = design_points(experiment) * experiment.replications * len(experiment.scenarios)
    if runs > MAX_RUNS:
        raise ExperimentError(f"{where}: the design asks for {runs:,} runs; allowed: at most {MAX_RUNS:,}")
    return experiment


def check_analysable(experiment: Experiment, command: str) -> None:
    """Refuse, before any run, an experiment whose runs could be swept but not analysed.

    Outcomes from the yearly survey are missing in runs shorter than
    :data:`SURVEY_WEEKS` (a sweep keeps them as missing; an analysis cannot use them).

    Raises:
        ExperimentError: Naming the file, the key, the value and what is allowed.
    """
    survey = [o for o in experiment.outcomes if outcomes_table.get(o).source == "survey"]
    if survey and experiment.weeks < SURVEY_WEEKS:
        raise _fail(
            str(experiment.path),
            "weeks",
            experiment.weeks,
            f"{SURVEY_WEEKS} or more for `{command}` with the survey outcome '{survey[0]}' (the first survey is at "
            f"week {SURVEY_WEEKS}; every run would leave it missing)",
        )


def _design_seed(experiment: Experiment) -> int:
    """The design's own (SALib sampling) seed: the first child of the master seed, spawn key ``(0,)``.

    It is not a run seed: the runs take theirs from the second child, spawn key
    ``(1,)`` (:data:`experiments.runner.SWEEP_STREAM`, :func:`experiments.runner.derive_seeds`).
    """
    child = np.random.SeedSequence(experiment.seed).spawn(1)[0]
    return int(child.generate_state(1)[0])


def design_points(experiment: Experiment) -> int:
    """Rows of the design matrix, counted without drawing it (so a huge design fails fast)."""
    n, dimensions = experiment.samples, len(experiment.factors())
    if experiment.method == "sobol":
        return n * (2 * dimensions + 2 if experiment.second_order else dimensions + 2)
    if experiment.method == "morris":
        return n * (dimensions + 1)
    if experiment.method == "fast":
        return max(n, 65) * dimensions
    if experiment.method == "lhs":
        return n
    return experiment.levels**dimensions


#: How far (relative to a range's width) SALib's scaling ``low + u * (high - low)`` may land outside the range
#: through rounding alone: 0.3 + 1.0 * (0.9 - 0.3) is 0.9000000000000001.
ROUNDING = 1e-12


def _onto_bounds(column: np.ndarray, low: float, high: float) -> np.ndarray:
    """A design column with values a rounding error outside ``[low, high]`` put on the bound they overshot.

    Raises:
        ExperimentError: If a value lies further outside, which only a fault in the design could produce.
    """
    slack = ROUNDING * max(high - low, abs(low), abs(high), 1.0)
    if np.any(column < low - slack) or np.any(column > high + slack):
        raise ExperimentError(f"the design drew values outside [{low}, {high}]: {column.min()} to {column.max()}")
    return np.clip(column, low, high)


def sample(experiment: Experiment) -> np.ndarray:
    """Draw the design with SALib (or a full factorial), rounded for whole-number parameters."""
    from SALib.sample import fast_sampler, latin, morris, sobol

    problem, seed, n = experiment.problem, _design_seed(experiment), experiment.samples
    if experiment.method == "sobol":
        matrix = sobol.sample(problem, n, calc_second_order=experiment.second_order, seed=seed)
    elif experiment.method == "morris":
        matrix = morris.sample(problem, n, num_levels=experiment.levels, seed=seed)
    elif experiment.method == "fast":
        matrix = fast_sampler.sample(problem, max(n, 65), seed=seed)
    elif experiment.method == "lhs":
        matrix = latin.sample(problem, n, seed=seed)
    else:
        grids = [np.linspace(low, high, experiment.levels) for low, high in experiment.bounds.values()]
        matrix = np.array(list(itertools.product(*grids)), dtype=float)
    for column, name in enumerate(experiment.bounds):
        declared = params.get(name)
        matrix[:, column] = _onto_bounds(matrix[:, column], *experiment.bounds[name])
        if declared.kind == "int":  # rounded to the step, kept within the asked-for range
            low, high = experiment.bounds[name]
            step = declared.step
            rounded = np.round(matrix[:, column] / step) * step
            matrix[:, column] = np.clip(rounded, math.ceil(low / step) * step, math.floor(high / step) * step)
    return matrix
