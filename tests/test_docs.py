"""The documentation cannot drift from the code: docs/ODD.md and README.md are checked against it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model import TrustModel, builtin_names, load_scenario, params, paramtable, shock_names, shocks, submodels

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "ODD.md"
README = ROOT / "README.md"


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


def submodel_functions() -> list[str]:
    """Public functions defined in model/submodels.py (not imported ones)."""
    return submodels.mechanism_names()


def test_parameter_table_is_exactly_what_the_declarations_generate(odd: str) -> None:
    begin, end = odd.index(paramtable.BEGIN), odd.index(paramtable.END)
    between = odd[begin + len(paramtable.BEGIN) : end]
    assert between == f"\n\n{paramtable.markdown_table()}\n\n", (
        "run `python -m model.paramtable` to refresh docs/ODD.md"
    )
    assert paramtable.replace_table(odd, paramtable.markdown_table()) == odd


def test_parameter_table_markers_appear_once_each(odd: str) -> None:
    assert odd.count(paramtable.BEGIN) == 1
    assert odd.count(paramtable.END) == 1


@pytest.mark.parametrize("name", [p.name for p in params.PARAMETERS])
def test_every_declared_parameter_is_in_the_odd(odd: str, name: str) -> None:
    assert f"`{name}`" in odd


def test_the_table_has_one_row_per_parameter() -> None:
    rows = [line for line in paramtable.markdown_table().splitlines() if re.match(r"^\| `\w+` \|", line)]
    assert [row.split("`")[1] for row in rows] == [p.name for p in params.PARAMETERS]


def test_the_table_shows_each_default_bounds_and_source() -> None:
    table = paramtable.markdown_table()
    for p in params.PARAMETERS:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{p.name}` |"))
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[1] == f"{p.default:,g}"
        assert cells[2] == f"{p.low:,g}–{p.high:,g}"
        assert cells[3] == p.unit
        assert cells[4].endswith(p.description)
        assert cells[4].startswith("**Lever.**") == p.lever
        assert cells[5] == p.source


def test_submodels_are_found() -> None:
    assert "trust_after_experience" in submodel_functions()


@pytest.mark.parametrize("name", submodel_functions())
def test_every_submodel_function_is_in_the_odd(odd: str, name: str) -> None:
    assert f"`{name}`" in odd, f"docs/ODD.md does not describe submodels.{name}"


@pytest.mark.parametrize("name", builtin_names() + shock_names())
def test_odd_lists_every_built_in_scenario_and_shock_layer(odd: str, name: str) -> None:
    assert f"`{name}`" in odd


def test_odd_has_every_protocol_section(odd: str) -> None:
    headings = [
        "Purpose and patterns",
        "Entities, state variables and scales",
        "Process overview and scheduling",
        "Design concepts",
        "Initialisation",
        "Input data",
        "Submodels",
        "Known limitations",
    ]
    for heading in headings:
        assert re.search(rf"^##+ (\d+\. )?{re.escape(heading)}", odd, re.MULTILINE), heading


def test_readme_gives_the_two_quickstart_commands(readme: str) -> None:
    assert "make demo" in readme
    assert "make test" in readme


def test_readme_explains_every_summary_key(readme: str) -> None:
    model = TrustModel(load_scenario("baseline", homes=100), rng=1)
    model.run_for(1)
    missing = [key for key in model.summary() if f"`{key}`" not in readme]
    assert not missing, f"README.md does not explain these summary.json keys: {missing}"


@pytest.mark.parametrize("kind", sorted(shocks.KINDS))
def test_readme_lists_every_shock_kind(readme: str, kind: str) -> None:
    assert f"`{kind}`" in readme


def test_update_file_rewrites_only_between_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"# Title\n\nBefore.\n\n{paramtable.BEGIN}\nstale\n{paramtable.END}\n\nAfter.\n", encoding="utf-8")
    assert paramtable.update_file(doc) is True
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nBefore.\n\n")
    assert text.endswith(f"{paramtable.END}\n\nAfter.\n")
    assert "stale" not in text
    assert paramtable.markdown_table() in text
    assert paramtable.update_file(doc) is False


@pytest.mark.parametrize(
    "text",
    [
        "no markers at all",
        f"{paramtable.END}\n{paramtable.BEGIN}",
        f"{paramtable.BEGIN}\n{paramtable.BEGIN}\n{paramtable.END}",
    ],
)
def test_update_file_refuses_missing_or_misplaced_markers(tmp_path: Path, text: str) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="PARAMETER TABLE"):
        paramtable.update_file(doc)
    assert doc.read_text(encoding="utf-8") == text
