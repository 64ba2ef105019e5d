"""A one-page comparison report a strategy team could forward (Markdown and HTML)."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.compare import comparison_table, starting_preset
from model.outcomes import label, scale
from model.scenario import Scenario

#: Outcomes in the headline table, in order.
HEADLINE = (
    "trust_mean",
    "satisfaction_true",
    "tsm_tp01",
    "participation_rate",
    "representation_ratio",
    "trust_digitally_excluded",
    "repair_wait_weeks_mean",
    "cost_per_home",
)

#: Community outcomes, in their own table beside the headline (ODD 7.22-7.23).
COMMUNITY = ("ties_per_household", "lonely_share", "cohesion", "community_assets", "community_led_share")


def _fmt(value: float, outcome: str) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    shown = value * scale(outcome)
    return f"{shown:,.0f}" if abs(shown) >= 100 else f"{shown:.2f}" if abs(shown) < 2 else f"{shown:.1f}"


def _cell(row: pd.Series, baseline: bool) -> str:
    outcome = row["outcome"]
    text = _fmt(row["mean"], outcome)
    if baseline:
        return text
    diff, low, high = row["diff_vs_baseline"], row["diff_ci_low"], row["diff_ci_high"]
    sign = "+" if diff >= 0 else ""
    marker = "" if math.isnan(low) or low <= 0 <= high else " *"
    return f"{text} ({sign}{_fmt(diff, outcome)}{marker})"


def headline_table(table: pd.DataFrame, outcomes: Sequence[str] = HEADLINE, baseline: str = "baseline") -> pd.DataFrame:
    """Scenario rows, outcome columns: value and difference from baseline."""
    cells: dict[str, dict[str, str]] = {}
    for _, row in table[table["outcome"].isin(outcomes)].iterrows():
        cells.setdefault(row["scenario"], {})[label(row["outcome"])] = _cell(row, row["scenario"] == baseline)
    frame = pd.DataFrame.from_dict(cells, orient="index")
    return frame[[label(o) for o in outcomes if label(o) in frame.columns]]


def findings(table: pd.DataFrame, baseline: str = "baseline") -> list[str]:
    """One plain sentence per strategy: key differences whose 95% CI excludes zero."""
    key = ("trust_mean", "satisfaction_true", "participation_rate", "trust_digitally_excluded", "representation_ratio")
    lines = []
    for scenario, group in table[table["scenario"] != baseline].groupby("scenario", sort=False):
        parts = []
        for _, row in group[group["outcome"].isin(key)].iterrows():
            low, high = row["diff_ci_low"], row["diff_ci_high"]
            if math.isnan(low) or low <= 0 <= high:
                continue
            parts.append(_difference(row))
        verdict = "; ".join(parts) if parts else "no clear difference on the key outcomes"
        lines.append(f"**{scenario}** against {baseline}: {verdict}.")
    return lines


#: Outcomes a policy strategy is compared on against the preset it starts from.
POLICY_OUTCOMES = ("trust_mean", "satisfaction_true", "tsm_tp01", "participation_rate", "repair_wait_weeks_mean")


def policy_findings(
    scenarios: Sequence[Scenario], runs: pd.DataFrame, decisions: pd.DataFrame, replications: int, weeks: int
) -> list[str]:
    """Plain sentences on each policy strategy: what it did, when, and its effect against its starting preset.

    For every policy: in how many replications it took effect within the
    run's ``weeks`` (and ended), the median week; how many more decided too
    late to take effect; then the paired differences (95% CI) on
    :data:`POLICY_OUTCOMES` against the compared strategy it starts from
    (:func:`experiments.compare.starting_preset`), when that was run.
    """
    lines = []
    for scenario in (s for s in scenarios if s.policies):
        parts = []
        for policy in scenario.policies:
            mine = decisions[(decisions["scenario"] == scenario.name) & (decisions["policy"] == policy.name)]
            parts.append(_policy_course(policy.name, mine, replications, weeks))
        preset = starting_preset(scenario, scenarios)
        effect = "its starting preset was not run, so its effect is shown against baseline only"
        if preset is not None:
            pair = runs[runs["scenario"].isin([preset, scenario.name])]
            table = comparison_table(pair, POLICY_OUTCOMES, baseline=preset)
            effect = f"against {preset}, where it starts: " + _differences(table[table["scenario"] == scenario.name])
        lines.append(f"**{scenario.name}**: {'; '.join(parts)}; {effect}.")
    return lines


#: Outcomes compared neighbourhood by neighbourhood (``neighbourhoods.csv``).
NEIGHBOURHOOD_OUTCOMES = (
    "trust_mean",
    "efficacy_mean",
    "participation_rate",
    "ties_per_household",
    "lonely_share",
    "cohesion",
)


def neighbourhood_findings(
    scenarios: Sequence[Scenario], neighbourhoods: pd.DataFrame, baseline: str = "baseline"
) -> list[str]:
    """Plain sentences on where in the organisation each strategy's effect falls.

    With more than one neighbourhood: for each strategy, the paired
    differences from baseline (95% CI) on :data:`NEIGHBOURHOOD_OUTCOMES`,
    homes-weighted over its pilot neighbourhoods (those its
    ``[[neighbourhood]]`` entries name) and over the others, or over every
    neighbourhood when it has no pilot. Empty with one neighbourhood.
    """
    if neighbourhoods.empty or neighbourhoods["neighbourhood"].max() == 0:
        return []
    every = sorted(set(neighbourhoods["neighbourhood"]))
    lines = []
    for scenario in (s for s in scenarios if s.name != baseline):
        pilots = sorted({index for entry in scenario.neighbourhood_levers for index in entry.indices})
        rest = [k for k in every if k not in pilots]
        groups = [(f"its pilot neighbourhoods ({', '.join(map(str, pilots))})", pilots), ("the others", rest)]
        parts = []
        for where, chosen in groups if pilots else [("every neighbourhood", every)]:
            if not chosen:
                continue
            runs = _pooled(neighbourhoods[neighbourhoods["neighbourhood"].isin(chosen)], [baseline, scenario.name])
            table = comparison_table(runs, NEIGHBOURHOOD_OUTCOMES, baseline=baseline)
            parts.append(f"in {where}: {_differences(table[table['scenario'] == scenario.name])}")
        lines.append(f"**{scenario.name}** against {baseline}, {'; '.join(parts)}.")
    return lines


def _pooled(rows: pd.DataFrame, scenarios: Sequence[str]) -> pd.DataFrame:
    """Each run's homes-weighted mean of :data:`NEIGHBOURHOOD_OUTCOMES` over the neighbourhoods in ``rows``."""
    rows = rows[rows["scenario"].isin(scenarios)]
    weighted = (
        rows[list(NEIGHBOURHOOD_OUTCOMES)]
        .mul(rows["homes"], axis=0)
        .assign(homes=rows["homes"], scenario=rows["scenario"], replicate=rows["replicate"])
    )
    sums = weighted.groupby(["scenario", "replicate"], sort=False).sum()
    means = sums[list(NEIGHBOURHOOD_OUTCOMES)].div(sums["homes"], axis=0)
    return means.reset_index()


def _policy_course(name: str, decisions: pd.DataFrame, replications: int, weeks: int) -> str:
    """When one policy took effect across replications, in words."""
    in_time = decisions[decisions["takes_effect"] < weeks]
    started = in_time[in_time["decision"] == "start"]
    late = decisions[(decisions["takes_effect"] >= weeks) & ~decisions["replicate"].isin(started["replicate"])]
    too_late = (
        f" ({late['replicate'].nunique()} more decided it too late to act before week {weeks})" if len(late) else ""
    )
    if started.empty:
        return f"'{name}' took effect in none of {replications} replications{too_late}"
    first = started.groupby("replicate")["takes_effect"].min()
    text = (
        f"'{name}' took effect in {first.size} of {replications} replications{too_late}, in week "
        f"{int(first.median())} (median; range {int(first.min())}-{int(first.max())})"
    )
    ended = in_time[in_time["decision"] == "end"]
    return text + (f", and ended in {ended['replicate'].nunique()}" if len(ended) else "")


def _difference(row: pd.Series) -> str:
    """One comparison row's paired difference and its 95% CI, in words."""
    outcome, diff, low, high = row["outcome"], row["diff_vs_baseline"], row["diff_ci_low"], row["diff_ci_high"]
    return (
        f"{label(outcome).lower()} {'+' if diff > 0 else ''}{_fmt(diff, outcome)} "
        f"(95% CI {_fmt(low, outcome)} to {_fmt(high, outcome)})"
    )


def _differences(rows: pd.DataFrame) -> str:
    """Each row's paired difference and its 95% CI, in words; * where the interval excludes zero."""
    parts = []
    for _, row in rows[rows["diff_vs_baseline"].notna()].iterrows():
        low, high = row["diff_ci_low"], row["diff_ci_high"]
        parts.append(_difference(row) + ("" if math.isnan(low) or low <= 0 <= high else " *"))
    return "; ".join(parts) or "no outcome could be compared"


def write_report(
    out: Path,
    table: pd.DataFrame,
    settings: dict[str, Any],
    descriptions: dict[str, str],
    figures: Sequence[Path],
    baseline: str = "baseline",
    policies: Sequence[str] = (),
    neighbourhoods: Sequence[str] = (),
) -> tuple[Path, Path]:
    """Write ``report.md`` and a self-contained ``report.html`` into ``out``.

    ``policies`` holds :func:`policy_findings`' sentences and ``neighbourhoods``
    :func:`neighbourhood_findings`' (each a section of its own when any).
    """
    head = headline_table(table, baseline=baseline)
    community = headline_table(table, COMMUNITY, baseline=baseline)
    sentences = findings(table, baseline) or ["Only baseline was run: there is nothing to compare."]
    intro = (
        f"{settings['homes']:,} homes, {settings['weeks']} weeks ({settings['weeks'] / 52:.1f} years), "
        f"{settings['replications']} replications per strategy, master seed {settings['seed']}. "
        "Each strategy started from the same simulated estates as baseline (common random numbers); "
        "the weeks then unfold differently as the strategies differ."
    )
    notes = [
        "Cells show the end-of-run mean; brackets give the difference from baseline, "
        "and * marks a difference whose 95% confidence interval excludes zero.",
        "'True' satisfaction is every tenant's view; TP01 is what the yearly survey measured "
        "(who answers is biased towards the trusting and the digitally included).",
        "The model is a tool for thinking, not a forecast: many mechanisms are assumptions "
        "(see docs/ODD.md). Compare strategies with each other rather than reading levels literally.",
    ]
    md = ["# Tenant Trust: strategy comparison", "", intro, "", "## What changes", ""]
    md += [f"- {s}" for s in sentences]
    md += ["", "## Headline outcomes", "", head.to_markdown(), ""]
    if not community.empty:
        md += ["## Community outcomes", "", f"- {COMMUNITY_NOTE}", "", community.to_markdown(), ""]
    if policies:
        md += ["## Landlord policies", "", f"- {POLICY_NOTE}", *[f"- {line}" for line in policies], ""]
    if neighbourhoods:
        md += ["## Neighbourhoods", "", f"- {NEIGHBOURHOOD_NOTE}", *[f"- {line}" for line in neighbourhoods], ""]
    md += ["## Strategies", ""] + [f"- **{n}**: {d}" for n, d in descriptions.items()]
    md += ["", "## How to read this", ""] + [f"- {n}" for n in notes]
    md += ["", *[f"![{f.stem}]({f.name})" for f in figures], ""]
    md_path = out / "report.md"
    md_path.write_text("\n".join(md), encoding="utf-8")
    html_path = out / "report.html"
    html_path.write_text(
        _html(intro, sentences, head, descriptions, notes, figures, policies, neighbourhoods, community),
        encoding="utf-8",
    )
    return md_path, html_path


POLICY_NOTE = (
    "A policy watches what the landlord can see (the yearly survey, the repairs backlog) and changes its levers "
    "after a lag and at the next budget year; * marks a difference whose 95% CI excludes zero. The lever "
    "changes over time are in levers.png and levers.csv, every decision in decisions.csv."
)


COMMUNITY_NOTE = (
    "Ties formed through taking part, loneliness (the Community Life Survey's 'often or always'), cohesion "
    "(belonging strongly) and what the community runs or owns, landlord-wide; brackets and * as in the "
    "headline table. Cohesion starts at 61% (the survey's figure) in every settled baseline by construction."
)


NEIGHBOURHOOD_NOTE = (
    "Each neighbourhood's end-of-run outcomes are in neighbourhoods.csv; here they are pooled (weighted by homes) "
    "and compared with the same neighbourhoods under baseline, replicate by replicate; * marks a difference whose "
    "95% CI excludes zero."
)


def _community_html(community: pd.DataFrame | None) -> str:
    if community is None or community.empty:
        return ""
    return f"<h2>Community outcomes</h2><p>{html.escape(COMMUNITY_NOTE)}</p>{community.to_html(escape=True)}"


def _section_html(title: str, lines: Sequence[str]) -> str:
    if not lines:
        return ""
    return f"<h2>{html.escape(title)}</h2><ul>{''.join(f'<li>{_inline(line)}</li>' for line in lines)}</ul>"


def _inline(text: str) -> str:
    escaped = html.escape(text)
    parts = escaped.split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def _html(
    intro: str,
    sentences: Sequence[str],
    head: pd.DataFrame,
    descriptions: dict[str, str],
    notes: Sequence[str],
    figures: Sequence[Path],
    policies: Sequence[str] = (),
    neighbourhoods: Sequence[str] = (),
    community: pd.DataFrame | None = None,
) -> str:
    images = "".join(
        f'<img alt="{f.stem}" src="data:image/png;base64,{base64.b64encode(f.read_bytes()).decode()}">' for f in figures
    )
    strategies = "".join(f"<li><b>{html.escape(n)}</b>: {html.escape(d)}</li>" for n, d in descriptions.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tenant Trust: strategy comparison</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:0.85em}}td,th{{border:1px solid #ccc;padding:4px 6px;text-align:right}}
th:first-child,td:first-child{{text-align:left}}img{{max-width:100%;margin:1em 0}}</style></head><body>
<h1>Tenant Trust: strategy comparison</h1><p>{html.escape(intro)}</p>
<h2>What changes</h2><ul>{"".join(f"<li>{_inline(s)}</li>" for s in sentences)}</ul>
<h2>Headline outcomes</h2>{head.to_html(escape=True)}
{_community_html(community)}
{_section_html("Landlord policies", [POLICY_NOTE, *policies] if policies else [])}
{_section_html("Neighbourhoods", [NEIGHBOURHOOD_NOTE, *neighbourhoods] if neighbourhoods else [])}
<h2>Strategies</h2><ul>{strategies}</ul>
<h2>How to read this</h2><ul>{"".join(f"<li>{html.escape(n)}</li>" for n in notes)}</ul>
{images}</body></html>
"""
