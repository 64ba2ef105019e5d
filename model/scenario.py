"""Scenario files: a strategy stated as its differences from the defaults.

A scenario is a TOML file in ``scenarios/``::

    description = "Officers back on the estate."
    weeks = 520                      # optional: suggested run length
    [parameters]                     # only what differs from the defaults
    estate_presence = 0.6
    [[schedule]]                     # optional: change strategy at a week
    week = 260
    set = { estate_presence = 0.2 }
    note = "presence stopped after five years"
    [[shocks]]                       # optional: see model/shocks.py
    kind = "budget_cut"
    week = 104
    [[neighbourhood]]                # optional: a neighbourhood's own voice levers (a pilot)
    index = [0, 1]
    set = { ladder_rung = 6, responsiveness = 0.7 }
    [[policies]]                     # optional: see model/policies.py
    name = "Estate presence when TP01 falls"
    watch = "tsm_tp01"
    when = "below"
    threshold = 70.0
    set = { estate_presence = 0.6 }

An optional top-level ``posterior = "calibrated"`` (the project's
``calibration/posterior.csv``) or ``posterior = "path/to/posterior.csv"``
(relative to the scenario file) makes each run draw the calibrated parameters
from that posterior instead of using their point defaults
(:func:`draw_from_posterior`).

Shock files in ``scenarios/shocks/`` hold only ``description`` and
``[[shocks]]`` and layer onto any scenario. Every key and value is checked
against the declarations before anything runs; errors name the file, the
key, the value and what is allowed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from model import params
from model import policies as policy_rules
from model import shocks as shock_kinds
from model.params import FIXED_AT_START  # declared there, from each Parameter's fixed_at_start
from model.resources import package_dir

#: The built-in strategies: the ``scenarios`` package's data (in a checkout, the repository's ``scenarios/``).
SCENARIO_DIR = package_dir("scenarios")
SHOCK_DIR = SCENARIO_DIR / "shocks"
DEFAULT_WEEKS = 520
MAX_WEEKS = 52 * 50

_TOP_KEYS = {"description", "weeks", "parameters", "schedule", "shocks", "policies", "neighbourhood", "posterior"}
#: The project's committed posterior (``posterior = "calibrated"``), shipped in the ``calibration`` package.
CALIBRATED_POSTERIOR = package_dir("calibration") / "posterior.csv"
#: Columns of a posterior file that are not parameters.
POSTERIOR_META = ("particle", "weight", "distance")
#: Stream key that keeps posterior draws apart from the run's own random numbers.
POSTERIOR_STREAM = 0x706F7374
_SCHEDULE_KEYS = {"week", "set", "note"}
_NEIGHBOURHOOD_KEYS = {"index", "set", "note"}
#: The levers a neighbourhood can set for itself (``[[neighbourhood]]``): where its panel sits on the
#: ladder, how much of what it hears the landlord acts on, a budget its tenants decide, and who runs it.
NEIGHBOURHOOD_LEVERS = ("ladder_rung", "responsiveness", "delegated_budget_per_home", "governance")


class ScenarioError(ValueError):
    """A scenario or shock file that cannot be used."""


@dataclass(frozen=True)
class Change:
    """A scheduled change of strategy: at ``week``, set ``values``."""

    week: int
    values: dict[str, float | int]
    note: str = ""


@dataclass(frozen=True)
class NeighbourhoodLevers:
    """Some neighbourhoods' own values of the voice levers (a pilot): ``values`` in ``indices``."""

    indices: tuple[int, ...]
    values: dict[str, float | int]
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """A fully resolved scenario: every parameter, plus its timeline.

    Attributes:
        name: Short name (the file's stem).
        description: What the strategy is, in a sentence or two.
        params: Every declared parameter's value.
        weeks: Suggested run length in weeks.
        schedule: Changes of strategy, in week order.
        shocks: Shocks, in week order.
        sources: Files the scenario was read from.
        posterior: Posterior file whose draws replace the calibrated
            parameters in each run (None: point values).
        policies: The landlord's policies (:mod:`model.policies`), in file order.
        neighbourhood_levers: Neighbourhoods' own voice levers, in file order
            (a later entry wins where two set one lever of one neighbourhood).
    """

    name: str
    description: str
    params: dict[str, float | int]
    weeks: int = DEFAULT_WEEKS
    schedule: tuple[Change, ...] = ()
    shocks: tuple[shock_kinds.Shock, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)
    posterior: str | None = None
    policies: tuple[policy_rules.Policy, ...] = ()
    neighbourhood_levers: tuple[NeighbourhoodLevers, ...] = ()

    def __post_init__(self) -> None:
        """Check every value on construction, so a Scenario built directly is as safe as a loaded one.

        Raises:
            ScenarioError: A parameter missing, unknown or out of range, or a
                run length or schedule week outside what a scenario file allows.
        """
        where = f"Scenario '{self.name}'"
        if not isinstance(self.params, Mapping):
            raise ScenarioError(f"{where}: params = {self.params!r}; allowed: a mapping of every parameter to a value")
        missing = sorted(params.defaults().keys() - self.params.keys())
        if missing:
            raise ScenarioError(
                f"{where}: params lacks {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}; allowed: every "
                "declared parameter (start from model.params.defaults(), or use load_scenario)"
            )
        weeks = self.weeks
        if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or not 1 <= weeks <= MAX_WEEKS:
            raise ScenarioError(f"{where}: weeks = {self.weeks!r}; allowed: an integer in [1, {MAX_WEEKS}]")
        try:
            object.__setattr__(self, "params", params.validate(self.params, where))
            _check_neighbourhoods(self.params, where)
            _check_neighbourhood_levers(self.neighbourhood_levers, params.neighbourhood_count(self.params), where)
            for change in self.schedule:
                _check_week(change.week, f"{where}: schedule")
                fixed = sorted(FIXED_AT_START & change.values.keys())
                if fixed:
                    raise ScenarioError(
                        f"{where}: schedule at week {change.week}: key '{fixed[0]}' is set when the estate is built "
                        "and cannot change mid-run"
                    )
                params.validate(change.values, f"{where}: schedule at week {change.week}")
            for policy in self.policies:
                if not isinstance(policy, policy_rules.Policy):
                    raise ScenarioError(f"{where}: policies holds {policy!r}; allowed: model.policies.Policy objects")
                policy_rules.parse([policy.to_dict()], where)
        except (params.ParameterError, policy_rules.PolicyError) as error:
            raise ScenarioError(str(error)) from None
        object.__setattr__(self, "weeks", int(self.weeks))

    def differences(self) -> dict[str, float | int]:
        """Parameters whose values differ from the defaults."""
        base = params.defaults()
        return {k: v for k, v in self.params.items() if v != base[k]}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record of the scenario."""
        return (
            {
                "name": self.name,
                "description": self.description,
                "weeks": self.weeks,
                "params": dict(self.params),
                "schedule": [{"week": c.week, "set": c.values, "note": c.note} for c in self.schedule],
                "shocks": [s.to_dict() for s in self.shocks],
                "sources": list(self.sources),
            }
            | ({"policies": [p.to_dict() for p in self.policies]} if self.policies else {})
            | ({"neighbourhood": [_record(n) for n in self.neighbourhood_levers]} if self.neighbourhood_levers else {})
            | ({"posterior": self.posterior, "posterior_sha256": _digest(self.posterior)} if self.posterior else {})
        )


def _record(entry: NeighbourhoodLevers) -> dict[str, Any]:
    return {"index": list(entry.indices), "set": dict(entry.values), "note": entry.note}


def _check_neighbourhood_levers(entries: Iterable[NeighbourhoodLevers], count: int, where: str) -> None:
    """Each entry names existing neighbourhoods and sets only neighbourhood levers, within their bounds.

    Raises:
        ScenarioError: Naming the entry, the key, the value and what is allowed.
    """
    for number, entry in enumerate(entries, start=1):
        at = f"{where}: neighbourhood entry {number}"
        if not isinstance(entry, NeighbourhoodLevers):
            raise ScenarioError(f"{at} = {entry!r}; allowed: a model.scenario.NeighbourhoodLevers")
        for index in entry.indices:
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
                raise ScenarioError(
                    f"{at}: key 'index' holds {index!r}; allowed: whole numbers from 0 to {count - 1} "
                    f"(the scenario has {count} neighbourhood{'s' if count > 1 else ''}; "
                    "set neighbourhoods or neighbourhood_homes)"
                )
        for name in entry.values:
            if name not in NEIGHBOURHOOD_LEVERS:
                raise ScenarioError(
                    f"{at}: key 'set' names '{name}'; allowed: {', '.join(NEIGHBOURHOOD_LEVERS)} (the voice "
                    "levers; every other parameter is the landlord's)"
                )
        params.validate(entry.values, f"{at}: set")


def _parse_neighbourhood_levers(entries: Any, where: str) -> list[NeighbourhoodLevers]:
    if not isinstance(entries, list):
        raise ScenarioError(
            f"{where}: key 'neighbourhood' = {entries!r}; allowed: an array of tables [[neighbourhood]]"
        )
    parsed = []
    for number, entry in enumerate(entries, start=1):
        at = f"{where}: neighbourhood entry {number}"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{at} = {entry!r}; allowed: a table with index, set, note")
        _check_keys(entry, _NEIGHBOURHOOD_KEYS, at)
        index = entry.get("index")
        indices = [index] if isinstance(index, int) and not isinstance(index, bool) else index
        if not isinstance(indices, list) or not indices:
            raise ScenarioError(f"{at}: key 'index' = {index!r}; allowed: a neighbourhood number or a list of them")
        values = entry.get("set")
        if not isinstance(values, dict) or not values:
            raise ScenarioError(f"{at}: key 'set' = {values!r}; allowed: a non-empty table of neighbourhood levers")
        note = entry.get("note", "")
        if not isinstance(note, str):
            raise ScenarioError(f"{at}: key 'note' = {note!r}; allowed: a string")
        parsed.append(NeighbourhoodLevers(tuple(indices), dict(values), note))
    return parsed


def _check_neighbourhoods(values: Mapping[str, float | int], where: str) -> None:
    """Each neighbourhood must have more homes than a household has street ties.

    Raises:
        ScenarioError: Naming ``neighbourhoods`` (or ``neighbourhood_homes``), its value and the most allowed.
    """
    homes, count, ties = int(values["homes"]), params.neighbourhood_count(values), int(values["neighbour_ties"])
    most = homes // (ties + 1)
    if count > most:
        key = "neighbourhoods" if int(values["neighbourhoods"]) > 0 else "neighbourhood_homes"
        value = values[key]
        made = "" if key == "neighbourhoods" else f" makes {count} neighbourhoods and"
        raise ScenarioError(
            f"{where}: key '{key}' = {value}{made} leaves neighbourhoods of {homes // count} homes, too few for "
            f"neighbour_ties = {ties}; allowed: at most {most} neighbourhoods for {homes:,} homes"
        )


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, baseline first."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    return sorted(names, key=lambda n: n != "baseline")


def shock_names() -> list[str]:
    """Names of the built-in shock layers."""
    return sorted(p.stem for p in SHOCK_DIR.glob("*.toml"))


def shock_description(name_or_path: str | Path) -> str:
    """The description of a shock layer."""
    return _parse_file(_resolve(name_or_path, SHOCK_DIR, "shock", shock_names()))["description"]


def _resolve(name_or_path: str | Path, folder: Path, kind: str, names: list[str]) -> Path:
    """A built-in name wins over a same-named folder; anything else must be a file."""
    path = Path(name_or_path)
    builtin = folder / f"{name_or_path}.toml"
    if path.suffix != ".toml" and builtin.is_file():
        return builtin
    if path.is_file():
        return path
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, not a {kind} file; allowed: a built-in name or a .toml file")
    if path.suffix == ".toml" or path.exists():
        raise ScenarioError(f"{path}: no such {kind} file")
    raise ScenarioError(f"unknown {kind} '{name_or_path}'; built-in: {', '.join(names)}, or a path to a .toml file")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {error.start}); allowed: a UTF-8 TOML file") from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot be read: {error.strerror or error}") from None


def check_labels(names: Iterable[str | Path], where: str) -> list[str]:
    """The strategies' labels (file stems), checked to be unique and not to borrow a built-in's name.

    Results are pooled by label, so two strategies with one label would be
    counted as one (a user's ``my/baseline.toml`` with the built-in baseline,
    or a strategy given twice).

    Raises:
        ScenarioError: A label given twice, or a file that is not the built-in
            strategy of that name but has its name.
    """
    builtin = builtin_names()
    seen: dict[str, str] = {}
    for name in names:
        path = _resolve(name, SCENARIO_DIR, "scenario", builtin)
        label = path.stem
        if label in builtin and path.resolve() != (SCENARIO_DIR / f"{label}.toml").resolve():
            raise ScenarioError(
                f"{where}: {path} has the label '{label}', the name of a built-in strategy, so their results "
                f"would be mixed; allowed: a file name that no built-in strategy has (e.g. my_{label}.toml)"
            )
        if label in seen:
            raise ScenarioError(
                f"{where}: strategy '{label}' is given twice ({seen[label]!s} and {name!s}), so its runs would be "
                "counted twice; allowed: each strategy once, each file with its own name"
            )
        seen[label] = str(name)
    return list(seen)


def _check_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key, value in data.items():
        if key not in allowed:
            raise ScenarioError(f"{where}: unknown key '{key}' = {value!r}; allowed keys: {', '.join(sorted(allowed))}")


def _check_week(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WEEKS:
        raise ScenarioError(f"{where}: key 'week' = {value!r}; allowed: an integer week in [0, {MAX_WEEKS}]")
    return value


def _changeable() -> list[str]:
    return sorted(p.name for p in params.PARAMETERS if p.name not in FIXED_AT_START)


def _parse_schedule(entries: Any, where: str) -> list[Change]:
    if not isinstance(entries, list):
        raise ScenarioError(f"{where}: key 'schedule' = {entries!r}; allowed: an array of tables [[schedule]]")
    changes = []
    for number, entry in enumerate(entries, start=1):
        at = f"{where}: schedule entry {number}"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{at} = {entry!r}; allowed: a table with week, set, note")
        _check_keys(entry, _SCHEDULE_KEYS, at)
        week = _check_week(entry.get("week"), at)
        values = entry.get("set")
        if not isinstance(values, dict) or not values:
            raise ScenarioError(f"{at}: key 'set' = {values!r}; allowed: a non-empty table of parameter values")
        fixed = sorted(FIXED_AT_START & values.keys())
        if fixed:
            raise ScenarioError(
                f"{at}: key '{fixed[0]}' = {values[fixed[0]]!r} is set when the estate is built and cannot change "
                "mid-run; "
                f"allowed in a schedule: {', '.join(_changeable())}"
            )
        note = entry.get("note", "")
        if not isinstance(note, str):
            raise ScenarioError(f"{at}: key 'note' = {note!r}; allowed: a string")
        changes.append(Change(week, params.validate(values, at), note))
    return changes


def _parse_shocks(entries: Any, where: str) -> list[shock_kinds.Shock]:
    if not isinstance(entries, list):
        raise ScenarioError(f"{where}: key 'shocks' = {entries!r}; allowed: an array of tables [[shocks]]")
    try:
        return [shock_kinds.parse(entry, f"{where}: shock {n}") for n, entry in enumerate(entries, start=1)]
    except shock_kinds.ShockError as error:
        raise ScenarioError(str(error)) from None


def _parse_file(path: Path) -> dict[str, Any]:
    """Read and check one scenario or shock file; return its parts."""
    data = _read_toml(path)
    where = str(path)
    _check_keys(data, _TOP_KEYS, where)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(f"{where}: key 'description' = {description!r}; allowed: a string")
    weeks = data.get("weeks", DEFAULT_WEEKS)
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise ScenarioError(f"{where}: key 'weeks' = {weeks!r}; allowed: an integer in [1, {MAX_WEEKS}]")
    values = data.get("parameters", {})
    if not isinstance(values, dict):
        raise ScenarioError(f"{where}: key 'parameters' = {values!r}; allowed: a table of parameter values")
    try:
        return {
            "posterior": _parse_posterior(data.get("posterior"), path),
            "description": description,
            "weeks": weeks,
            "params": params.validate(values, f"{where} [parameters]"),
            "schedule": _parse_schedule(data.get("schedule", []), where),
            "shocks": _parse_shocks(data.get("shocks", []), where),
            "policies": policy_rules.parse(data.get("policies", []), where),
            "neighbourhood": _parse_neighbourhood_levers(data.get("neighbourhood", []), where),
        }
    except (params.ParameterError, policy_rules.PolicyError) as error:
        raise ScenarioError(str(error)) from None


def _check_timeline(values: dict[str, float | int], schedule: list[Change], shocks: list[shock_kinds.Shock]) -> None:
    """Play the timeline's parameter changes forward and check every value stays allowed."""
    current = dict(values)
    events = sorted([(c.week, 0, c) for c in schedule] + [(s.week, 1, s) for s in shocks], key=lambda e: e[:2])
    for _, _, event in events:
        if isinstance(event, Change):
            current.update(event.values)
            continue
        try:
            current.update(params.validate(shock_kinds.changed_params(event, current), event.origin))
        except params.ParameterError as error:
            raise ScenarioError(f"{error} (after the {event.kind} at week {event.week})") from None


def load_scenario(
    name_or_path: str | Path = "baseline",
    shocks: Iterable[str | Path] = (),
    **overrides: float | int,
) -> Scenario:
    """Load a built-in scenario by name, or a scenario file by path.

    Args:
        name_or_path: A built-in name (``tenant-trust scenarios``) or a path.
        shocks: Shock layers (built-in names or paths) to add.
        **overrides: Parameter values that override the file's, e.g. ``homes=2000``.

    Returns:
        The resolved :class:`Scenario`.

    Raises:
        ScenarioError: Unknown name, missing file, unknown key, wrong type or
            out-of-range value; the message names the file, key and value.
    """
    path = _resolve(name_or_path, SCENARIO_DIR, "scenario", builtin_names())
    parts = _parse_file(path)
    sources = [str(path)]
    for layer in shocks:
        layer_path = _resolve(layer, SHOCK_DIR, "shock", shock_names())
        layer_parts = _parse_file(layer_path)
        if (
            layer_parts["params"]
            or layer_parts["schedule"]
            or layer_parts["posterior"]
            or layer_parts["policies"]
            or layer_parts["neighbourhood"]
        ):
            raise ScenarioError(f"{layer_path}: a shock layer may only hold description and [[shocks]]")
        parts["shocks"] += layer_parts["shocks"]
        parts["description"] += f" Shock: {layer_parts['description']}"
        sources.append(str(layer_path))
    try:
        values = params.defaults() | parts["params"] | params.validate(overrides, "overrides")
    except params.ParameterError as error:
        raise ScenarioError(str(error)) from None
    _check_timeline(values, parts["schedule"], parts["shocks"])
    name = path.stem if not shocks else "+".join([path.stem, *(Path(s).stem for s in shocks)])
    return Scenario(
        name=name,
        description=parts["description"],
        params=values,
        weeks=parts["weeks"],
        schedule=tuple(sorted(parts["schedule"], key=lambda c: c.week)),
        shocks=tuple(sorted(parts["shocks"], key=lambda s: s.week)),
        sources=tuple(sources),
        posterior=parts["posterior"],
        policies=tuple(parts["policies"]),
        neighbourhood_levers=tuple(parts["neighbourhood"]),
    )


# --- posterior draws ---------------------------------------------------------------
def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _parse_posterior(value: object, scenario_path: Path) -> str | None:
    """Resolve and check a scenario's ``posterior`` key; None when absent."""
    if value is None:
        return None
    where = f"{scenario_path}: key 'posterior' = {value!r}"
    if not isinstance(value, str) or not value:
        raise ScenarioError(f'{where}; allowed: "calibrated" or the path of a posterior .csv file')
    path = CALIBRATED_POSTERIOR if value == "calibrated" else scenario_path.parent / value
    if not path.is_file():
        raise ScenarioError(f'{where}: no such file {path}; allowed: "calibrated" or an existing posterior .csv file')
    read_posterior(str(path.resolve()))
    return str(path.resolve())


@cache
def read_posterior(path: str) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Read and check a posterior file: a ``weight`` column and one column per calibrated parameter.

    The columns ``particle`` and ``distance`` are allowed and ignored; every
    other column must be a declared parameter, every value within its
    declared bounds, and the weights non-negative with a positive sum.

    Returns:
        The parameter names, the values (one row per particle) and the
        normalised weights.

    Raises:
        ScenarioError: Naming the file, the column or row, the value and what is allowed.
    """
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            table = list(csv.reader(handle))
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {error.start}); allowed: a UTF-8 posterior .csv") from None
    except (OSError, csv.Error) as error:
        raise ScenarioError(f"{path}: cannot be read as a posterior .csv: {error}") from None
    if len(table) < 2 or "weight" not in table[0]:
        raise ScenarioError(f"{path}: a posterior needs a 'weight' column and at least one row")
    header = table[0]
    if len(set(header)) != len(header) or "" in header:
        raise ScenarioError(f"{path}: line 1: columns {header}; allowed: distinct, non-empty column names")
    for number, cells in enumerate(table[1:], start=2):
        if len(cells) != len(header):
            raise ScenarioError(
                f"{path}: line {number} has {len(cells)} values; allowed: {len(header)}, one per column "
                f"({', '.join(header)}); the file may be cut short or damaged"
            )
    rows = [dict(zip(header, cells, strict=True)) for cells in table[1:]]
    names = tuple(c for c in header if c not in POSTERIOR_META)
    if not names:
        raise ScenarioError(f"{path}: no parameter columns; allowed: declared parameter names")
    unknown = [c for c in names if c not in params.defaults()]
    if unknown:
        raise ScenarioError(
            f"{path}: line 1: unknown column '{unknown[0]}'; allowed: {', '.join(POSTERIOR_META)} and declared "
            "parameter names"
        )
    _check_posterior_summary(Path(path), len(rows))
    values = np.empty((len(rows), len(names)))
    weights = np.empty(len(rows))
    for number, row in enumerate(rows, start=2):
        weights[number - 2] = _posterior_number(row["weight"], f"{path}: line {number}, column 'weight'")
        for column, name in enumerate(names):
            where = f"{path}: line {number}"
            try:
                value = params.get(name).check(_posterior_number(row[name], f"{where}, column '{name}'"), where)
            except params.ParameterError as error:
                raise ScenarioError(str(error)) from None
            values[number - 2, column] = value
    if (weights < 0).any() or weights.sum() <= 0:
        raise ScenarioError(f"{path}: column 'weight' must be non-negative with a positive sum")
    return names, values, weights / weights.sum()


def _check_posterior_summary(path: Path, rows: int) -> None:
    """Check a posterior against the ``summary.json`` that ``tenant-trust calibrate`` wrote beside it, if any.

    The summary records the population (rows expected) and, since atomic
    writes, the posterior's SHA-256: a posterior cut short, or one left beside
    another calibration's summary, is refused.
    """
    summary_path = path.parent / "summary.json"
    if not summary_path.is_file():
        return
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ScenarioError(f"{summary_path}: not a readable calibration summary ({error}) beside {path}") from None
    if not isinstance(summary, dict):
        return
    recorded = summary.get("posterior_sha256")
    if recorded and recorded != _digest(str(path)):
        raise ScenarioError(
            f"{path}: does not match {summary_path} (sha256 {recorded[:12]} recorded, {_digest(str(path))[:12]} "
            "found): the files come from different calibrations or an interrupted write; run "
            "`tenant-trust calibrate` again"
        )
    expected = summary.get("posterior_rows", (summary.get("settings") or {}).get("population"))
    if isinstance(expected, int) and expected != rows:
        raise ScenarioError(
            f"{path}: {rows} particles; {summary_path} says the calibration kept {expected}: the file may be cut "
            "short; run `tenant-trust calibrate` again"
        )


def _posterior_number(text: str | None, where: str) -> float:
    try:
        value = float(text or "")
    except ValueError:
        raise ScenarioError(f"{where} = {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ScenarioError(f"{where} = {text!r}; allowed: a finite number")
    return value


def draw_from_posterior(scenario: Scenario, seed: int) -> Scenario:
    """The scenario with its calibrated parameters drawn from its posterior for the run seeded ``seed``.

    One particle is drawn by weight with a generator seeded from ``seed`` and
    :data:`POSTERIOR_STREAM`, so the run's own random numbers are untouched and
    replicate ``r`` of every strategy (which share a seed) meets the same
    draw. Parameters the scenario sets to a value other than the default keep
    that value. A scenario without a posterior is returned unchanged.
    """
    if scenario.posterior is None:
        return scenario
    names, values, weights = read_posterior(scenario.posterior)
    particle = np.random.default_rng([POSTERIOR_STREAM, seed]).choice(len(weights), p=weights)
    kept = scenario.differences()
    drawn = {
        name: params.get(name).check(float(values[particle, i])) for i, name in enumerate(names) if name not in kept
    }
    values = scenario.params | drawn
    _check_timeline(values, list(scenario.schedule), list(scenario.shocks))
    return replace(scenario, params=values)
