"""One participant's settings and estate(s): what each browser session owns.

:class:`Settings` is what the participant has chosen: a preset (a built-in
scenario) for one strategy, or two for the side-by-side mode, the levers they
moved for each, and the "more settings" they changed for both. It is
immutable; every change returns a new one, checked against the declarations.

:class:`Workshop` is the Mesa model the dashboard steps: one
:class:`~model.model.TrustModel` per strategy, all built from the same seed,
so side by side both strategies start from the same simulated estate (the
same households, network and thresholds) and step together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import mesa

from dashboard.controls import preset_values, snap
from model import params
from model.model import TrustModel
from model.params import FIXED_AT_START
from model.scenario import MAX_WEEKS, Scenario, builtin_names, load_scenario

__all__ = ["SIDES", "Settings", "Workshop"]

#: Names of the strategies in side-by-side mode.
SIDES = ("A", "B")
#: Longest wait, in seconds, for the page's previous redraw before stepping again anyway.
REDRAW_WAIT = 2.0


@dataclass(frozen=True)
class Settings:
    """A participant's choices (immutable).

    Attributes:
        presets: The built-in scenario of each strategy: one, or two side by side.
        levers: Per strategy, the strategy levers moved away from its preset.
        world: "More settings" changed by the participant; they apply to every
            strategy, because both strategies run on the same world.
    """

    presets: tuple[str, ...] = ("baseline",)
    levers: tuple[dict[str, float | int], ...] = ({},)
    world: dict[str, float | int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check the presets exist and there is one lever set per strategy."""
        if not 1 <= len(self.presets) <= len(SIDES) or len(self.levers) != len(self.presets):
            raise ValueError(f"presets {self.presets!r}: allowed: one or two, with one set of levers each")
        for name in self.presets:
            if name not in builtin_names():
                raise ValueError(f"preset '{name}' is not a built-in scenario; allowed: {', '.join(builtin_names())}")

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

    def scenario(self, side: int) -> Scenario:
        """The scenario of strategy ``side``: its preset (schedule and shocks included) with the changes."""
        return load_scenario(self.presets[side], **self.overrides(side))

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
            return replace(self, presets=self.presets[:1], levers=self.levers[:1])
        return self

    def with_value(self, side: int, name: str, value: float) -> Settings:
        """A slider moved: a lever changes for strategy ``side`` only; anything else for every strategy.

        Raises:
            params.ParameterError: Unknown parameter or a value outside the
                declared range (never clamped).
        """
        checked = snap(name, value)
        if params.get(name).lever:
            levers = list(self.levers)
            levers[side] = levers[side] | {name: checked}
            return replace(self, levers=tuple(levers))
        return replace(self, world=self.world | {name: checked})

    def sides_changed_by(self, name: str, side: int) -> list[int]:
        """Which strategies a change of ``name`` made on strategy ``side`` reaches."""
        return [side] if params.get(name).lever else list(range(len(self.presets)))


class Workshop(mesa.Model):
    """The model a dashboard session steps: one estate per strategy, stepping together.

    Args:
        settings: The participant's :class:`Settings`, or anything holding them
            in ``.value`` (SolaraViz's Reset passes the session's reactive
            settings, so a Reset keeps the levers as set).
        seed: Seed of every strategy's estate and run; the same number gives
            the same estate.

    Attributes:
        runs: One :class:`~model.model.TrustModel` per strategy.
        names: The strategies' presets.
        settings: The settings the runs were built from.
        seed: The seed.
        lock: Held while the runs change. SolaraViz's Play steps the model in
            one thread while pages are drawn in another; drawing holds the lock
            so it never reads a week half done.
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
        self.seed = seed
        self.runs = [TrustModel(chosen.scenario(side), rng=seed) for side in range(len(chosen.presets))]
        self.names = list(chosen.presets)
        self.lock = threading.RLock()
        self.running = True
        self._viewer: Callable[[], bool] | None = None
        self._redraw_pending: Callable[[], bool] | None = None
        self._closed = threading.Event()

    @property
    def week(self) -> int:
        """Weeks completed (the same for every strategy)."""
        return self.runs[0].week

    @property
    def horizon(self) -> int:
        """The longest suggested run length among the strategies, in weeks."""
        return max(run.scenario_spec.weeks for run in self.runs)

    def watch(self, viewer: Callable[[], bool], closed: threading.Event, redraw_pending: Callable[[], bool]) -> None:
        """Pace stepping to the page that shows this model (the dashboard calls this).

        Two things go wrong without it on a server. A browser that disconnects
        (a laptop closed mid-Play) leaves its session behind, and SolaraViz's
        Play would go on stepping and drawing it for nobody; and Play steps
        again after its interval whether or not the page has been redrawn.
        Once watched, :meth:`step` first waits, using no processor time, while
        no browser is connected, then waits (at most :data:`REDRAW_WAIT`
        seconds) for the previous redraw to finish, and does nothing once the
        session is closed.

        Args:
            viewer: Says whether a browser shows this session now.
            closed: Set when the session is closed for good.
            redraw_pending: Says whether the page still has a redraw to finish.
        """
        self._viewer, self._closed, self._redraw_pending = viewer, closed, redraw_pending

    def _ready(self) -> bool:
        """Wait for a viewer and for the last redraw; False once the session is closed."""
        while self._viewer is not None and not self._viewer():
            if self._closed.wait(0.5):
                return False
        deadline = time.monotonic() + REDRAW_WAIT
        while self._redraw_pending is not None and self._redraw_pending() and time.monotonic() < deadline:
            if self._closed.wait(0.01):
                return False
        return not self._closed.is_set()

    def step(self) -> None:
        """One week for every strategy (paced to the page, when watched)."""
        if not self._ready():
            self.running = False
            return
        with self.lock:
            for run in self.runs:
                run.step()
            self.running = self.week < MAX_WEEKS

    def apply(self, settings: Settings, side: int, name: str) -> bool:
        """Apply a moved slider to the running estates at once, where the model allows it.

        Only ``name`` changes, so a scheduled change or a shock that already
        moved other parameters is not undone.

        Args:
            settings: The settings after the change.
            side: The strategy whose slider moved.
            name: The parameter.

        Returns:
            True if the change took effect now; False if it shapes the estate
            and so applies at the next Reset.
        """
        self.settings = settings
        if name in FIXED_AT_START:
            return False
        with self.lock:
            for index in settings.sides_changed_by(name, side):
                self.runs[index].set_params({name: settings.values(index)[name]})
        return True

    def pending(self) -> list[str]:
        """Parameters changed since the estates were built that take effect only at Reset."""
        names = []
        for index, run in enumerate(self.runs):
            wanted = self.settings.values(index)
            names += [n for n in sorted(FIXED_AT_START) if wanted[n] != run.scenario_spec.params[n] and n not in names]
        return names
