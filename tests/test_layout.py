"""The package boundaries, read from the source: the model stands alone, the dashboard uses only the model.

``model/`` imports neither ``experiments`` nor ``dashboard``; ``dashboard/``
imports nothing of ``experiments``; and the modules of ``model/`` import each
other without a cycle. Every import statement in a file counts, wherever it
is: at module level, inside a function, or under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def modules(package: str) -> dict[str, Path]:
    """Every module of ``package`` (a top-level folder of the repository), by dotted name."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(source: str, module: str, is_package: bool = False, submodules: frozenset[str] = frozenset()) -> set[str]:
    """The modules that ``source`` (the text of ``module``) imports, relative imports made absolute.

    ``from a import b`` imports module ``a.b`` if that is one of
    ``submodules``, otherwise the name ``b`` from module ``a``. A package's
    ``__init__`` run on the way to one of its modules is not counted.
    """
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join([*parent, base] if base else parent)
            names.update(f"{base}.{a.name}" if f"{base}.{a.name}" in submodules else base for a in node.names)
    return names


#: The repository's own packages, whose modules are told apart from names defined in them.
PACKAGES = ("model", "dashboard", "experiments")


def imports_of(package: str) -> dict[str, set[str]]:
    """What each module of ``package`` imports."""
    submodules = frozenset(name for each in PACKAGES for name in modules(each))
    return {
        name: imported(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", submodules)
        for name, path in modules(package).items()
    }


def crossings(package: str, forbidden: tuple[str, ...]) -> list[str]:
    """``module -> imported`` for each import by ``package`` of one of the ``forbidden`` packages."""
    return sorted(
        f"{name} -> {target}"
        for name, targets in imports_of(package).items()
        for target in targets
        if target.split(".")[0] in forbidden
    )


def test_the_reader_finds_every_kind_of_import():
    source = """
from typing import TYPE_CHECKING
import experiments.runner
from . import params
from .scenario import Scenario
if TYPE_CHECKING:
    from dashboard.session import Workshop
def later():
    from experiments import plots
"""
    submodules = frozenset({"model.params", "model.scenario", "dashboard.session", "experiments.plots"})
    found = imported(source, "model.model", submodules=submodules)
    expected = {"typing", "experiments.runner", "experiments.plots", "model.params", "model.scenario"}
    assert found == expected | {"dashboard.session"}
    assert imported("from . import params, PARAMETERS", "model", True, submodules) == {"model.params", "model"}
    assert "model" in modules("model") and "dashboard.app" in modules("dashboard")


def test_the_model_imports_neither_the_experiments_nor_the_dashboard():
    assert crossings("model", ("experiments", "dashboard")) == []


def test_the_dashboard_imports_nothing_of_the_experiments():
    assert crossings("dashboard", ("experiments",)) == []


def test_the_model_modules_import_each_other_without_a_cycle():
    inside = set(modules("model"))
    graph = {name: {t for t in targets if t in inside and t != name} for name, targets in imports_of("model").items()}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as cycle:
        pytest.fail(f"import cycle in model/ (each imports the next): {' -> '.join(reversed(cycle.args[1]))}")
