"""Dashboard controls generated from the parameter declarations.

Every slider is built from :data:`model.params.PARAMETERS`: its range is the
declared range, its plain-language line is the declared description, and its
starting value comes from the chosen preset (a built-in scenario), which in
turn starts from the declared defaults. Nothing here types a default.

Levers (``lever=True``) come first; the uncertain facts of the world follow,
grouped as in the declarations, under "more settings".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from dashboard.measures import CODES
from model import params
from model.params import FIXED_AT_START
from model.scenario import builtin_names, load_scenario

__all__ = [
    "ON_ESTATE_CARD",
    "Control",
    "controls",
    "decimals",
    "get_control",
    "levers",
    "more_settings",
    "preset_description",
    "preset_values",
    "snap",
    "strategy_name",
]

#: The built-in strategies as a room of housing staff and tenants would name them.
STRATEGY_NAMES: dict[str, str] = {
    "baseline": "Business as usual: office-based officers, consultation",
    "digital_only": "Go digital-only: close phone lines and offices",
    "frontline_presence": "Officers back on the estate",
    "frontline_stopped_early": "Officers back on the estate, stopped after two years",
    "hybrid": "Presence plus power-sharing",
    "power_sharing": "Give the scrutiny panel real power and a budget",
    "protect_repairs_first": "Officers back on the estate, until the repairs backlog grows",
    "respond_to_falling_tp01": "Put officers back when satisfaction (TP01) falls below 70%",
    "tenant_management": "Hand every estate to its own tenant management organisation",
    "tokenistic_consultation": "Ticking the box: consultation, little acted on",
}

#: Parameters shown on the estate card, beside the estate number, rather than under "more settings".
ON_ESTATE_CARD = ("neighbourhoods", "neighbourhood_homes")
#: Headings of the parameter groups under "more settings", in display order.
GROUP_TITLES: dict[str, str] = {
    "estate": "The estate and its households",
    "staff": "Housing officers",
    "strategy": "The landlord's strategy",
    "money": "Money",
    "repairs": "Repairs and getting through",
    "trust": "How experience moves trust",
    "social": "Word of mouth",
    "participation": "Taking part",
    "community": "Community: belonging, tenant-run estates and assets",
    "survey": "The yearly TSM survey",
}


@dataclass(frozen=True)
class Control:
    """One slider on the dashboard, derived from a parameter declaration.

    Attributes:
        name: The parameter's name.
        label: Short title shown above the slider.
        description: The declaration's plain-language meaning.
        unit: The declared unit.
        low: Smallest value on the slider (the declared lower bound).
        high: Largest value on the slider (the declared upper bound).
        step: Slider increment: the declared step for whole numbers, otherwise
            a round step on which the default and every preset's value lie.
        is_int: Whole-number parameter.
        lever: A strategy choice (shown first) rather than a fact of the world.
        group: The declaration's group.
        at_reset: Read only when the estate is built, so a change applies at
            the next Reset rather than straight away.
    """

    name: str
    label: str
    description: str
    unit: str
    low: float
    high: float
    step: float
    is_int: bool
    lever: bool
    group: str
    at_reset: bool

    def format(self, value: float) -> str:
        """The value as shown beside the slider, with its unit (a code in words: :data:`dashboard.measures.CODES`)."""
        if self.name in CODES and int(value) in CODES[self.name]:
            return CODES[self.name][int(value)]
        if self.is_int:
            return f"{int(value):,} {self.unit}"
        return f"{value:,.{decimals(self.step)}f} {self.unit}"


def decimals(step: float) -> int:
    """Decimal places needed to show multiples of ``step`` exactly."""
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0


def _on_grid(value: float, low: float, step: float) -> bool:
    ticks = (value - low) / step
    return abs(ticks - round(ticks)) < 1e-6


def _float_step(parameter: params.Parameter, values: list[float]) -> float:
    """A power-of-ten step giving about 50-500 positions, fine enough to reach every value in ``values``."""
    step = 10.0 ** math.floor(math.log10((parameter.high - parameter.low) / 50.0))
    while not all(_on_grid(v, parameter.low, step) for v in values):
        step /= 10.0
    return step


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


@cache
def preset_values(preset: str) -> dict[str, float | int]:
    """Every parameter's value in a built-in scenario (the declared defaults plus its own values)."""
    return dict(load_scenario(preset).params)


@cache
def preset_description(preset: str) -> str:
    """The built-in scenario's description, in plain language."""
    return load_scenario(preset).description


@cache
def controls() -> tuple[Control, ...]:
    """One control per declared parameter: levers first, then the rest by group."""
    presets = [preset_values(name) for name in builtin_names()]
    made = []
    for parameter in params.PARAMETERS:
        is_int = parameter.kind == "int"
        if is_int:
            step = float(parameter.step)
        else:
            step = _float_step(parameter, [parameter.default] + [values[parameter.name] for values in presets])
        made.append(
            Control(
                name=parameter.name,
                label=_label(parameter.name),
                description=parameter.description,
                unit=parameter.unit,
                low=parameter.low,
                high=parameter.high,
                step=step,
                is_int=is_int,
                lever=parameter.lever,
                group=parameter.group,
                at_reset=parameter.name in FIXED_AT_START,
            )
        )
    order = list(GROUP_TITLES)
    rank = {group: order.index(group) if group in order else len(order) for group in {c.group for c in made}}
    return tuple(sorted(made, key=lambda c: (not c.lever, rank[c.group])))


def levers() -> tuple[Control, ...]:
    """The strategy levers, in declaration order."""
    return tuple(c for c in controls() if c.lever)


def more_settings() -> dict[str, tuple[Control, ...]]:
    """The other parameters by group title ("more settings"), less those on the estate card (:data:`ON_ESTATE_CARD`)."""
    grouped: dict[str, list[Control]] = {}
    for control in controls():
        if not control.lever and control.name not in ON_ESTATE_CARD:
            grouped.setdefault(GROUP_TITLES.get(control.group, control.group.capitalize()), []).append(control)
    return {title: tuple(items) for title, items in grouped.items()}


def strategy_name(preset: str) -> str:
    """A built-in strategy's name in sector language (its file name if it has none yet)."""
    return STRATEGY_NAMES.get(preset, preset.replace("_", " ").capitalize())


def get_control(name: str) -> Control:
    """The control of parameter ``name``.

    Raises:
        params.ParameterError: No parameter has that name.
    """
    params.get(name)
    return next(c for c in controls() if c.name == name)


def snap(name: str, value: float) -> float | int:
    """Turn a slider's value into the parameter's value, and check it.

    The slider reports floats with binary noise (``0.30000000000000004``);
    the value is rounded to the slider's step, which is a multiple of the
    declared precision, then checked against the declaration.

    Raises:
        params.ParameterError: The value is outside the declared range or of
            the wrong kind; it is never clamped.
    """
    control = get_control(name)
    rounded = round(float(value), decimals(control.step)) if not control.is_int else value
    return params.get(name).check(rounded, "dashboard")
