"""The parameter table of ``docs/ODD.md``, generated from :data:`model.params.PARAMETERS`.

The table is never typed by hand: :func:`markdown_table` renders it from the
declarations and :func:`update_file` writes it between two markers in a
Markdown file, so the documentation cannot drift from the code (a test checks
that ``docs/ODD.md`` holds exactly what :func:`markdown_table` returns now).

Run ``python -m model.paramtable`` to refresh ``docs/ODD.md`` (or give other
Markdown files as arguments).

The last column gives, for each parameter fitted by ``tenant-trust calibrate``,
the posterior median and 90% interval from ``calibration/summary.json``
(:func:`posterior_summary`), and says when the data did not narrow the prior.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from model.params import PARAMETERS, Parameter
from model.resources import package_dir

__all__ = [
    "BEGIN",
    "CALIBRATION_SUMMARY",
    "END",
    "GROUP_TITLES",
    "ODD_PATH",
    "main",
    "markdown_table",
    "posterior_cell",
    "posterior_summary",
    "replace_table",
    "update_file",
]

BEGIN = "<!-- BEGIN PARAMETER TABLE -->"
END = "<!-- END PARAMETER TABLE -->"
#: The ODD document whose table ``python -m model.paramtable`` refreshes (in a checkout: docs are not installed).
ODD_PATH = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
#: The committed calibration summary (written by ``tenant-trust calibrate``), shipped in the ``calibration`` package.
CALIBRATION_SUMMARY = package_dir("calibration") / "summary.json"
#: Headings for the parameter groups; a group missing here is shown by its key.
GROUP_TITLES: dict[str, str] = {
    "estate": "The estate and its households (fixed at the start of a run)",
    "repairs": "Repairs and contact",
    "trust": "Experience and trust",
    "social": "Word of mouth",
    "participation": "Participation and voice",
    "community": "Community: cohesion, community-led governance and assets",
    "staff": "Frontline staff",
    "strategy": "The landlord's strategy",
    "money": "Money",
    "survey": "Measurement (the yearly TSM survey)",
    "run": "The run (numerical settings)",
}
_HEADER = ("name", "default", "low–high", "unit", "meaning", "source", "posterior median (90% interval)")


def _number(value: float) -> str:
    """A declared number as shown in the table (``6,000``, ``0.2``, ``42,000``)."""
    return f"{value:,g}"


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def posterior_summary(path: Path = CALIBRATION_SUMMARY) -> dict[str, dict]:
    """Calibrated parameters' posterior entries (median, q05, q95, narrowed), or {} without a calibration."""
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("parameters", {}))


def posterior_cell(entry: Mapping | None) -> str:
    """The posterior column's text: ``median (q05–q95)``, flagged when the data did not narrow the prior."""
    if not entry:
        return "—"
    text = f"{entry['median']:.3g} ({entry['q05']:.3g}–{entry['q95']:.3g})"
    return text if entry.get("narrowed") else f"{text}, not narrowed by the data"


def _row(parameter: Parameter, posterior: Mapping[str, Mapping]) -> str:
    """One table row; strategy levers are marked in the meaning column."""
    meaning = ("**Lever.** " if parameter.lever else "") + parameter.description
    cells = (
        f"`{parameter.name}`",
        _number(parameter.default),
        f"{_number(parameter.low)}–{_number(parameter.high)}",
        parameter.unit,
        meaning,
        parameter.source,
        posterior_cell(posterior.get(parameter.name)),
    )
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _groups(parameters: Iterable[Parameter]) -> dict[str, list[Parameter]]:
    """Parameters by group, groups in order of first declaration."""
    grouped: dict[str, list[Parameter]] = {}
    for parameter in parameters:
        grouped.setdefault(parameter.group, []).append(parameter)
    return grouped


def markdown_table(parameters: Sequence[Parameter] = PARAMETERS, posterior: Mapping[str, Mapping] | None = None) -> str:
    """Render the parameter table as Markdown, one table per group.

    Args:
        parameters: The declarations to show; every declared parameter by default.
        posterior: Calibrated parameters' posterior entries; the committed
            calibration (:func:`posterior_summary`) by default.

    Returns:
        Markdown text (no trailing newline): for each group, a bold heading
        and a table with the columns name, default, low–high, unit, meaning,
        source and posterior median (90% interval). Integers are shown without
        decimals; levers (strategy choices a landlord makes) are marked
        **Lever.**; parameters that were not calibrated show "—".
    """
    posterior = posterior_summary() if posterior is None else posterior
    blocks = []
    for group, members in _groups(parameters).items():
        title = GROUP_TITLES.get(group, group.capitalize())
        lines = [f"**{title}** (group `{group}`)", ""]
        lines.append("| " + " | ".join(_HEADER) + " |")
        lines.append("|" + "|".join(["---"] * len(_HEADER)) + "|")
        lines.extend(_row(p, posterior) for p in members)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def replace_table(text: str, table: str) -> str:
    """Return ``text`` with everything between the markers replaced by ``table``.

    Args:
        text: A Markdown document holding :data:`BEGIN` and then :data:`END`,
            each exactly once.
        table: What goes between them.

    Returns:
        The new document: ``BEGIN``, a blank line, ``table``, a blank line, ``END``.

    Raises:
        ValueError: A marker is missing, repeated or out of order.
    """
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise ValueError(f"expected {BEGIN!r} and {END!r} exactly once each")
    start, stop = text.index(BEGIN), text.index(END)
    if stop < start:
        raise ValueError(f"{END!r} comes before {BEGIN!r}")
    return f"{text[:start]}{BEGIN}\n\n{table}\n\n{text[stop:]}"


def update_file(path: str | Path) -> bool:
    """Write the current parameter table between the markers in a Markdown file.

    Args:
        path: The Markdown file; it must already hold both markers.

    Returns:
        True when the file changed, False when it was already up to date.

    Raises:
        ValueError: A marker is missing, repeated or out of order (the file
            is left untouched).
        OSError: The file cannot be read or written.
    """
    path = Path(path)
    old = path.read_text(encoding="utf-8")
    new = replace_table(old, markdown_table())
    if new == old:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Refresh the table in each file named in ``argv`` (default: ``docs/ODD.md``).

    Returns:
        The exit status: 0 on success, 1 if a file lacks its markers.
    """
    paths = [Path(a) for a in (sys.argv[1:] if argv is None else argv)] or [ODD_PATH]
    for path in paths:
        try:
            changed = update_file(path)
        except ValueError as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        print(f"{path}: {'parameter table updated' if changed else 'parameter table already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
