"""Issue 12's community mechanisms, as a sceptical referee runs them (prints figures; not a test).

3,000 homes (5 neighbourhoods of 600), ten years, seeds 1-4, means of paired differences from
baseline. Run with ``python benchmarks/referee_community.py [1 2 3]`` to print some or all of:

1. channels: ``tenant_management`` and ``power_sharing`` against baseline, as they are and with their
   money taken apart (a TMO paying the most support; power-sharing with the envelope raised by its cost);
2. a TMO pilot on neighbourhoods 0 and 1: efficacy, ties, cohesion and loneliness there and elsewhere;
3. an ended TMO (too few willing members, so inquorate from the first year): trust on its estates against the same
   estates never given one, two years later;
4. tenant management in the robustness experiment's 100 futures: how often it wins on trust against
   baseline as shipped, how often its governance ended, and how often it wins with the ballot moved
   beyond the five-year run.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from experiments.design import load_experiment
from experiments.sweep import plan
from model import TrustModel, load_scenario
from model.scenario import NeighbourhoodLevers, Scenario

HOMES = 3000
SEEDS = (1, 2, 3, 4)
WEEKS = 520
PILOT = (0, 1)
SHOWN = ("satisfaction_true", "trust_mean", "efficacy_mean", "cost_per_home", "spend_repairs_per_home")


def summaries(scenario: Scenario, weeks: int = WEEKS) -> list[TrustModel]:
    """One finished run per seed."""
    runs = []
    for seed in SEEDS:
        model = TrustModel(scenario, rng=seed, record_weekly=False)
        model.run_for(weeks)
        runs.append(model)
    return runs


def paired(runs: list[TrustModel], base: list[TrustModel], key: str) -> float:
    """Mean paired difference of a summary key (trust and efficacy in points)."""
    scale = 100.0 if key in ("trust_mean", "efficacy_mean") else 1.0
    return float(np.mean([scale * (r.summary()[key] - b.summary()[key]) for r, b in zip(runs, base, strict=True)]))


def channels() -> None:
    base = summaries(load_scenario("baseline", homes=HOMES))
    arms = {
        "tenant_management": load_scenario("tenant_management", homes=HOMES),
        "tenant_management, support £60": load_scenario(
            "tenant_management", homes=HOMES, community_support_cost_per_home=60.0
        ),
        "power_sharing": load_scenario("power_sharing", homes=HOMES),
        "power_sharing, envelope +£64": load_scenario("power_sharing", homes=HOMES, envelope_per_home=684.0),
    }
    print("1. against baseline:", ", ".join(SHOWN))
    for label, scenario in arms.items():
        runs = summaries(scenario)
        print(f"   {label}: " + ", ".join(f"{paired(runs, base, key):+.2f}" for key in SHOWN))


def by_place(model: TrustModel, column: str) -> tuple[float, float]:
    rows = model.neighbourhood_summary()
    pilot = rows["neighbourhood"].isin(PILOT)
    return tuple(float(np.average(rows[column][m], weights=rows["homes"][m])) for m in (pilot, ~pilot))


def pilot(governance: int, **overrides: float) -> Scenario:
    scenario = load_scenario("baseline", homes=HOMES, **overrides)
    return replace(scenario, neighbourhood_levers=(NeighbourhoodLevers(PILOT, {"governance": governance}),))


def local_pilot() -> None:
    base, runs = summaries(load_scenario("baseline", homes=HOMES)), summaries(pilot(1))
    print("2. TMO pilot on neighbourhoods 0 and 1, against the same estates under baseline (pilot / others):")
    for column in ("efficacy_mean", "participation_rate", "ties_per_household", "cohesion", "lonely_share"):
        diff = np.mean(
            [np.subtract(by_place(r, column), by_place(b, column)) for r, b in zip(runs, base, strict=True)], axis=0
        )
        scale = 100.0 if column in ("efficacy_mean", "participation_rate") else 1.0
        print(f"   {column}: {scale * diff[0]:+.2f} / {scale * diff[1]:+.2f}")


def ended() -> None:
    weeks = 156
    never = summaries(load_scenario("baseline", homes=HOMES, participation_threshold_mean=0.9), weeks)
    gone = summaries(pilot(1, participation_threshold_mean=0.9), weeks)
    diff = np.mean(
        [by_place(g, "trust_mean")[0] - by_place(n, "trust_mean")[0] for g, n in zip(gone, never, strict=True)]
    )
    weeks_ended = sorted({d["week"] for g in gone for d in g.decisions})
    print(f"3. TMO ended at week(s) {weeks_ended}; trust on its estates at week {weeks}: {100 * diff:+.2f} points")


def futures() -> None:
    path = Path(__file__).resolve().parent.parent / "experiments" / "strategies_under_uncertainty.toml"
    experiment = load_experiment(path)
    runs = {(Path(r.scenario).stem, r.sample_id): r for r in plan(experiment)}
    counts = {"wins": 0, "ended": 0, "wins without a ballot in the run": 0}
    samples = sorted({sample for _, sample in runs})
    for sample in samples:
        base, tmo = runs[("baseline", sample)], runs[("tenant_management", sample)]
        trust = {}
        for label, run, extra in (("base", base, {}), ("tmo", tmo, {}), ("late", tmo, {"ballot_interval_weeks": 520})):
            name = "baseline" if label == "base" else "tenant_management"
            scenario = load_scenario(name, homes=experiment.homes, **(run.values | extra))
            model = TrustModel(scenario, rng=run.seed, record_weekly=False)
            model.run_for(experiment.weeks)
            trust[label] = model.summary()["trust_mean"]
            if label == "tmo":
                counts["ended"] += bool(model.decisions)
        counts["wins"] += trust["tmo"] > trust["base"] + experiment.tie_tolerance
        counts["wins without a ballot in the run"] += trust["late"] > trust["base"] + experiment.tie_tolerance
    print(f"4. tenant_management over {len(samples)} futures: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


MEASUREMENTS = {1: channels, 2: local_pilot, 3: ended, 4: futures}

if __name__ == "__main__":
    chosen = [int(arg) for arg in sys.argv[1:]] or sorted(MEASUREMENTS)
    for number in chosen:
        MEASUREMENTS[number]()
