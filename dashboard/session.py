"""One participant's settings and estate(s): what each browser session owns, and how to rebuild them.

:class:`Settings` is what the participant has chosen: a preset (a built-in
scenario) for one strategy, or two for the side-by-side mode, the levers they
moved for each, and the "more settings" they changed for both. It is
immutable; every change returns a new one, checked against the declarations.

:class:`Workshop` is the Mesa model the dashboard steps: one
:class:`~model.model.TrustModel` per strategy, all built from the same seed,
so side by side both strategies start from the same simulated estate (the
same households, network and thresholds) and step together. A
:class:`Workshop` keeps its history (:class:`Change`: levers moved mid-run,
a strategy switched at some week), so the same run can be rebuilt exactly
from its settings, estate number and history: after a page reload, from a
saved snapshot ("what we tried"), or on the facilitator's screen.

:class:`Pilot` is a strategy tried on some neighbourhoods only ("estates 1-2
try power-sharing"): the model's own per-neighbourhood levers (a
``[[neighbourhood]]`` entry of a scenario file, :class:`model.scenario.NeighbourhoodLevers`)
given the neighbourhood levers of another built-in strategy.

A :class:`Workshop` also records every strategy's community measures
(:meth:`~model.model.TrustModel.community`, measured on demand rather than in
the model's weekly series) each week, for the run's download.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

import mesa
import pandas as pd

from dashboard.controls import preset_values, snap
from model import params
from model.model import TrustModel
from model.params import FIXED_AT_START
from model.scenario import (
    MAX_WEEKS,
    NEIGHBOURHOOD_LEVERS,
    NeighbourhoodLevers,
    Scenario,
    builtin_names,
    load_scenario,
)

__all__ = ["SIDES", "Change", "Pilot", "Settings", "Workshop", "build_run"]

#: Names of the strategies in side-by-side mode.
SIDES = ("A", "B")
#: Newly built estates kept to copy from (a room of twenty starting on one estate builds it once).
TEMPLATES = 4
_templates: OrderedDict[tuple, TrustModel] = OrderedDict()
_templates_lock = threading.Lock()


def build_run(settings: Settings, side: int, seed: int) -> TrustModel:
    """Strategy ``side`` of ``settings`` on estate ``seed`` at week 0: a copy of the same estate built before.

    Building an estate (its households, network and burn-in) takes about 0.4 s
    for 6,000 homes; a copy takes a few milliseconds and continues with exactly
    the same numbers, because the run's random generator is copied with it.
    """
    key = (settings.presets[side], tuple(sorted(settings.overrides(side).items())), settings.pilot(side), seed)
    with _templates_lock:
        template = _templates.get(key)
        if template is None:
            template = TrustModel(settings.scenario(side), rng=seed)
            _templates[key] = template
            while len(_templates) > TEMPLATES:
                _templates.popitem(last=False)
        _templates.move_to_end(key)
        return copy.deepcopy(template)


@dataclass(frozen=True)
class Pilot:
    """A pilot: some neighbourhoods take another built-in strategy's voice levers; the rest keep the landlord's.

    Attributes:
        preset: The built-in strategy whose neighbourhood levers the pilot's
            neighbourhoods take (:data:`model.scenario.NEIGHBOURHOOD_LEVERS`:
            where their panel sits on the ladder, how much of what it hears
            the landlord acts on, a budget their tenants decide and who runs
            them), whatever those levers are.
        estates: The neighbourhoods in the pilot, counted from 0 as the model
            counts them (the page shows them from 1).
    """

    preset: str
    estates: tuple[int, ...]

    def __post_init__(self) -> None:
        """Check the strategy exists and at least one neighbourhood is named (the model checks they exist)."""
        if self.preset not in builtin_names():
            raise ValueError(
                f"pilot strategy '{self.preset}' is not a built-in scenario; allowed: {', '.join(builtin_names())}"
            )
        if not self.estates:
            raise ValueError("pilot estates = (); allowed: one or more neighbourhoods")
        object.__setattr__(self, "estates", tuple(sorted(set(self.estates))))

    def levers(self) -> NeighbourhoodLevers:
        """The pilot as the model's per-neighbourhood levers: the strategy's value of each neighbourhood lever."""
        values = preset_values(self.preset)
        chosen = {name: values[name] for name in NEIGHBOURHOOD_LEVERS if name in values}
        return NeighbourhoodLevers(self.estates, chosen, f"dashboard pilot: {self.preset}")

    def estates_text(self) -> str:
        """The estates in words, counted from 1 ("estates 1-3, 5")."""
        spans: list[list[int]] = []
        for number in (e + 1 for e in self.estates):
            if spans and number == spans[-1][-1] + 1:
                spans[-1].append(number)
            else:
                spans.append([number])
        parts = [f"{s[0]}-{s[-1]}" if len(s) > 1 else str(s[0]) for s in spans]
        return ("estate " if len(self.estates) == 1 else "estates ") + ", ".join(parts)


@dataclass(frozen=True)
class Settings:
    """A participant's choices (immutable).

    Attributes:
        presets: The built-in scenario of each strategy: one, or two side by side.
        levers: Per strategy, the strategy levers moved away from its preset.
        world: "More settings" changed by the participant; they apply to every
            strategy, because both strategies run on the same world.
        pilots: Per strategy, its :class:`Pilot` or None; strategies past the
            end of the tuple have none.
    """

    presets: tuple[str, ...] = ("baseline",)
    levers: tuple[dict[str, float | int], ...] = ({},)
    world: dict[str, float | int] = field(default_factory=dict)
    pilots: tuple[Pilot | None, ...] = ()

    def __post_init__(self) -> None:
        """Check the presets exist and there is one lever set per strategy."""
        if not 1 <= len(self.presets) <= len(SIDES) or len(self.levers) != len(self.presets):
            raise ValueError(f"presets {self.presets!r}: allowed: one or two, with one set of levers each")
        for name in self.presets:
            if name not in builtin_names():
                raise ValueError(f"preset '{name}' is not a built-in scenario; allowed: {', '.join(builtin_names())}")
        if len(self.pilots) > len(self.presets):
            raise ValueError(f"pilots {self.pilots!r}: allowed: at most one per strategy ({len(self.presets)})")

    @property
    def side_by_side(self) -> bool:
        """Two strategies are shown."""
        return len(self.presets) == 2

    def overrides(self, side: int) -> dict[str, float | int]:
        """Values that differ from strategy ``side``'s preset."""
        return self.world | self.levers[side]

    def values(self, side: int) -> dict[str, float | int]:
        """Every parameter's value for strategy ``side``."""
        return preset_values(self.presets[side]) | self.overrides(side)

    def neighbourhoods(self, side: int) -> int:
        """How many neighbourhoods strategy ``side``'s estate has (:func:`model.params.neighbourhood_count`)."""
        return params.neighbourhood_count(self.values(side))

    def pilot(self, side: int) -> Pilot | None:
        """Strategy ``side``'s pilot, if it has one."""
        return self.pilots[side] if side < len(self.pilots) else None

    def scenario(self, side: int) -> Scenario:
        """The scenario of strategy ``side``: its preset (schedule and shocks included) with the changes and pilot.

        Raises:
            model.scenario.ScenarioError: The model refuses the combination
                (e.g. more neighbourhoods than the homes allow, or a pilot on a
                neighbourhood the estate does not have); its message names the
                key, the value and what is allowed.
        """
        scenario = load_scenario(self.presets[side], **self.overrides(side))
        chosen = self.pilot(side)
        if chosen is None:
            return scenario
        return replace(scenario, neighbourhood_levers=(*scenario.neighbourhood_levers, chosen.levers()))

    def checked(self) -> Settings:
        """These settings, once the model accepts every strategy's scenario.

        Raises:
            ValueError: A pilot names a neighbourhood the settings do not have.
            model.scenario.ScenarioError: As :meth:`scenario`, for the first
                strategy the model refuses.
        """
        for side in range(len(self.presets)):
            chosen = self.pilot(side)
            count = self.neighbourhoods(side)
            if chosen is not None and chosen.estates[-1] >= count:
                raise ValueError(
                    f"pilot on {chosen.estates_text()}: the estate has {count} neighbourhood"
                    f"{'s' if count > 1 else ''}; allowed: estates 1-{count} (remove the pilot, or choose "
                    "estates that exist, before lowering neighbourhoods)"
                )
            self.scenario(side)
        return self

    def with_pilot(self, side: int, pilot: Pilot | None) -> Settings:
        """Strategy ``side`` with ``pilot`` (None: no pilot), checked by the model.

        Raises:
            ValueError: The pilot names a neighbourhood the estate does not have
                (:meth:`checked`).
        """
        pilots = list(self.pilots) + [None] * (len(self.presets) - len(self.pilots))
        pilots[side] = pilot
        while pilots and pilots[-1] is None:
            pilots.pop()
        return replace(self, pilots=tuple(pilots)).checked()

    def with_preset(self, side: int, preset: str) -> Settings:
        """Strategy ``side`` switched to ``preset``; its levers go back to the preset's values."""
        presets = list(self.presets)
        presets[side] = preset
        levers = list(self.levers)
        levers[side] = {}
        return replace(self, presets=tuple(presets), levers=tuple(levers))

    def with_side_by_side(self, on: bool, second: str = "baseline") -> Settings:
        """Side-by-side mode on (adding ``second`` as strategy B) or off (keeping strategy A)."""
        if on and not self.side_by_side:
            return replace(self, presets=(*self.presets, second), levers=(*self.levers, {}))
        if not on and self.side_by_side:
            return replace(self, presets=self.presets[:1], levers=self.levers[:1], pilots=self.pilots[:1])
        return self

    def with_value(self, side: int, name: str, value: float) -> Settings:
        """A slider moved: a lever changes for strategy ``side`` only; anything else for every strategy.

        Raises:
            params.ParameterError: Unknown parameter or a value outside the
                declared range (never clamped).
            model.scenario.ScenarioError: The model refuses the new settings
                (e.g. more neighbourhoods than the homes allow); never clamped.
            ValueError: Fewer neighbourhoods than a pilot names (:meth:`checked`).
        """
        checked = snap(name, value)
        if params.get(name).lever:
            levers = list(self.levers)
            levers[side] = levers[side] | {name: checked}
            return replace(self, levers=tuple(levers)).checked()
        return replace(self, world=self.world | {name: checked}).checked()

    def sides_changed_by(self, name: str, side: int) -> list[int]:
        """Which strategies a change of ``name`` made on strategy ``side`` reaches."""
        return [side] if params.get(name).lever else list(range(len(self.presets)))


@dataclass(frozen=True)
class Change:
    """One event of a run's history, applied before the week after ``week`` is stepped.

    Attributes:
        week: Weeks completed when the change was made.
        kind: ``"set"`` (a slider moved mid-run: ``values`` per strategy) or
            ``"strategy"`` (the strategies became ``settings``: a strategy
            switched, or strategy B added or removed; the strategies that
            changed are rebuilt on the same estate and run up to ``week``).
        name: The parameter of a ``"set"``.
        values: ``(strategy, value)`` pairs of a ``"set"``.
        settings: The settings of a ``"strategy"`` change.
        rebuilt: The strategies a ``"strategy"`` change rebuilt.
    """

    week: int
    kind: str
    name: str = ""
    values: tuple[tuple[int, float | int], ...] = ()
    settings: Settings | None = None
    rebuilt: tuple[int, ...] = ()


class Workshop(mesa.Model):
    """The model a dashboard session steps: one estate per strategy, stepping together.

    Args:
        settings: The participant's :class:`Settings`, or anything holding them
            in ``.value``.
        seed: The estate number: seed of every strategy's estate and run; the
            same number gives the same estate.

    Attributes:
        runs: One :class:`~model.model.TrustModel` per strategy.
        names: The strategies' presets.
        pilots: The strategies' pilots (None: no pilot).
        community_log: Per strategy, ``(week, community measures)`` for every
            week since it was built (:meth:`community_frame`).
        settings: The settings as the participant has them now (levers moved
            since the build included).
        built_with: The settings the estates were built from at week 0.
        seed: The estate number.
        history: The changes made since the build, in order.
        lock: Held while the runs change, so a redraw never reads a week half done.
    """

    def __init__(self, settings: Settings | Any = None, seed: int = 1) -> None:
        """Build one estate per strategy from the same seed."""
        chosen = getattr(settings, "value", settings)
        if chosen is None:
            chosen = Settings()
        if not isinstance(chosen, Settings):
            raise TypeError(f"settings = {chosen!r}; allowed: a Settings (or a holder of one in .value)")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed = {seed!r}; allowed: a whole number, 0 or more")
        super().__init__(rng=seed)
        self.settings = chosen
        self.built_with = chosen
        self.seed = seed
        self.runs = [self._build(chosen, side) for side in range(len(chosen.presets))]
        self.names = list(chosen.presets)
        self.pilots = [chosen.pilot(side) for side in range(len(chosen.presets))]
        self.community_log: list[list[tuple[int, dict[str, Any]]]] = [[_measured(run)] for run in self.runs]
        self.history: list[Change] = []
        self.lock = threading.RLock()
        self.running = True

    def _build(self, settings: Settings, side: int) -> TrustModel:
        return build_run(settings, side, self.seed)

    @classmethod
    def rebuild(cls, built_with: Settings, seed: int, history: list[Change], week: int) -> Workshop:
        """The same run again: built from ``built_with`` and ``seed``, with ``history`` replayed, at ``week``.

        Raises:
            ValueError: ``week`` is before the last change of ``history`` or past :data:`MAX_WEEKS`.
        """
        if not 0 <= week <= MAX_WEEKS or (history and week < history[-1].week):
            raise ValueError(f"week = {week!r}; allowed: from the last change's week to {MAX_WEEKS}")
        model = cls(built_with, seed=seed)
        for change in history:
            model._step_to(change.week)
            model._replay(change)
        model._step_to(week)
        return model

    def _step_to(self, week: int) -> None:
        while self.week < week:
            for run, log in zip(self.runs, self.community_log, strict=True):
                run.step()
                log.append(_measured(run))

    def community_frame(self, side: int) -> pd.DataFrame:
        """Strategy ``side``'s community measures week by week since it was built, indexed by week."""
        with self.lock:
            log = list(self.community_log[side])
        return pd.DataFrame([values for _, values in log], index=pd.Index([w for w, _ in log], name="week"))

    def _replay(self, change: Change) -> None:
        if change.kind == "set":
            for side, value in change.values:
                self.runs[side].set_params({change.name: value})
            self.settings = self.settings if change.settings is None else change.settings
        else:
            assert change.settings is not None
            self._switch_runs(change.settings, change.rebuilt)
        self.history.append(change)

    @property
    def week(self) -> int:
        """Weeks completed (the same for every strategy)."""
        return self.runs[0].week

    @property
    def horizon(self) -> int:
        """The longest suggested run length among the strategies, in weeks."""
        return max(run.scenario_spec.weeks for run in self.runs)

    @property
    def end(self) -> int:
        """Where Play stops: the end of the suggested run, or, once past it, the 50-year limit."""
        return self.horizon if self.week < self.horizon else MAX_WEEKS

    def step(self) -> None:
        """One week for every strategy; nothing once the 50-year limit is reached."""
        self.advance(1)

    def advance(self, weeks: int, until: int = MAX_WEEKS) -> int:
        """Step every strategy ``weeks`` weeks, never past week ``until`` (nor :data:`MAX_WEEKS`).

        Returns:
            The weeks actually stepped.
        """
        with self.lock:
            stop = min(self.week + max(weeks, 0), until, MAX_WEEKS)
            done = max(stop - self.week, 0)
            self._step_to(stop)
            self.running = self.week < MAX_WEEKS
        return done

    def apply(self, settings: Settings, side: int, name: str) -> bool:
        """Apply a moved slider to the running estates at once, where the model allows it.

        Only ``name`` changes, so a scheduled change or a shock that already
        moved other parameters is not undone. The change joins :attr:`history`.

        Args:
            settings: The settings after the change.
            side: The strategy whose slider moved.
            name: The parameter.

        Returns:
            True if the change took effect now; False if it shapes the estate
            and so applies when the estate is next built.
        """
        self.settings = settings
        if name in FIXED_AT_START:
            return False
        with self.lock:
            values = tuple((i, settings.values(i)[name]) for i in settings.sides_changed_by(name, side))
            change = Change(self.week, "set", name=name, values=values, settings=settings)
            for index, value in values:
                self.runs[index].set_params({name: value})
            self.history.append(change)
        return True

    def needs_new_estate(self, settings: Settings, seed: int) -> bool:
        """Whether ``settings`` and ``seed`` describe a different estate from the running one."""
        if seed != self.seed:
            return True
        current = self.runs[0].scenario_spec.params
        wanted = settings.values(0)
        return any(wanted[name] != current[name] for name in FIXED_AT_START)

    def switch(self, settings: Settings) -> list[int]:
        """The strategies became ``settings`` (a preset chosen, strategy B added or removed) on this estate.

        Only the strategies whose preset changed (or that were added) are
        rebuilt, on the same estate, and run up to the current week, so
        changing strategy B leaves strategy A where it is. The caller builds a
        new :class:`Workshop` instead when :meth:`needs_new_estate` says so.

        Returns:
            The strategies rebuilt.
        """
        sides = len(settings.presets)
        rebuilt = tuple(
            side
            for side in range(sides)
            if side >= len(self.names)
            or settings.presets[side] != self.names[side]
            or settings.pilot(side) != self.pilots[side]
        )
        with self.lock:
            change = Change(self.week, "strategy", settings=settings, rebuilt=rebuilt)
            self._switch_runs(settings, rebuilt)
            self.history.append(change)
        return list(rebuilt)

    def _switch_runs(self, settings: Settings, rebuilt: tuple[int, ...]) -> None:
        week = self.week
        runs = self.runs[: len(settings.presets)]
        logs = self.community_log[: len(settings.presets)]
        for side in rebuilt:
            run = self._build(settings, side)
            log = [_measured(run)]
            while run.week < week:
                run.step()
                log.append(_measured(run))
            if side < len(runs):
                runs[side], logs[side] = run, log
            else:
                runs.append(run)
                logs.append(log)
        self.runs, self.community_log = runs, logs
        self.names = list(settings.presets)
        self.pilots = [settings.pilot(side) for side in range(len(settings.presets))]
        self.settings = settings

    def pending(self, settings: Settings | None = None) -> list[str]:
        """Parameters of ``settings`` (default: the current ones) that wait for a new estate to take effect."""
        chosen = self.settings if settings is None else settings
        names = []
        for index, run in enumerate(self.runs[: len(chosen.presets)]):
            wanted = chosen.values(index)
            names += [n for n in sorted(FIXED_AT_START) if wanted[n] != run.scenario_spec.params[n] and n not in names]
        return names


def _measured(run: TrustModel) -> tuple[int, dict[str, Any]]:
    """The run's week and its community measures now (whatever keys the model returns)."""
    return run.week, dict(run.community())
