"""The Model v2 issue's measurements, as a sceptical referee runs them (prints figures; not a test).

2,000 homes, seeds 11-13, means over seeds. Run with ``python benchmarks/referee_model_v2.py [1 2 ...]``
to print some or all of:

1. baseline drift: trust, efficacy, participation and true satisfaction at years 0, 1, 2, 10, 20, 30;
2. power-sharing at years 0, 10, 20, 30: participation, efficacy, seats, trust;
3. frontline presence: its ten-year trust gain and how fast it builds; the stopped-early run's gain at
   the stop, how fast half of it is lost, and where it ends against baseline;
4. tokenistic consultation against baseline at ten years;
5. money: true satisfaction and waits at envelopes of £800 and £500 and the default, and with ``budget_cut``;
6. participation at neighbour pulls of 0, 0.3 and 0.6;
7. the culture programme: its embedded stock and spend as it ramps up, and as it fades once stopped;
8. the measurement model: power-sharing against frontline presence with the declared TP01 blend and
   with trust alone; the kept-informed memory at openness 0, 0.3 and 1; good and bad news of equal
   weight, with the negativity bias at 1 and 14 (second-hand news carries none of it).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from model import TrustModel, load_scenario

HOMES = 2000
SEEDS = (11, 12, 13)
YEAR = 52


def weekly(name: str, weeks: int, shocks: tuple[str, ...] = (), **overrides: float) -> list[pd.DataFrame]:
    """The weekly series of one run per seed."""
    frames = []
    for seed in SEEDS:
        model = TrustModel(load_scenario(name, homes=HOMES, shocks=list(shocks), **overrides), rng=seed)
        model.run_for(weeks)
        frames.append(model.weekly())
    return frames


def ending(name: str, weeks: int = 10 * YEAR, shocks: tuple[str, ...] = (), **overrides: float) -> dict[str, float]:
    """The mean end-of-run summary over seeds (numeric outcomes only)."""
    summaries = []
    for seed in SEEDS:
        model = TrustModel(load_scenario(name, homes=HOMES, shocks=list(shocks), **overrides), rng=seed)
        model.run_for(weeks)
        summaries.append(model.summary())
    keys = [k for k, v in summaries[0].items() if isinstance(v, float)]
    return {k: float(np.mean([s[k] for s in summaries])) for k in keys}


def at_years(frames: list[pd.DataFrame], column: str, years: tuple[int, ...], scale: float) -> list[float]:
    """The seeds' mean of ``column`` at each year, displayed at ``scale``."""
    return [round(scale * float(np.mean([f.loc[y * YEAR, column] for f in frames])), 1) for y in years]


def drift() -> None:
    """Measurement 1: does the baseline settle?"""
    frames = weekly("baseline", 30 * YEAR)
    years = (0, 1, 2, 10, 20, 30)
    for column, scale in (("trust_mean", 100), ("efficacy_mean", 100), ("participation_rate", 100)):
        print("1 baseline", column, at_years(frames, column, years, scale))
    print("1 baseline satisfaction_true", at_years(frames, "satisfaction_true", years, 1))


def power_sharing() -> None:
    """Measurement 2: does power-sharing's participation level off?"""
    frames = weekly("power_sharing", 30 * YEAR)
    for column in ("participation_rate", "efficacy_mean", "active_share", "trust_mean"):
        print("2 power_sharing", column, at_years(frames, column, (0, 10, 20, 30), 100))


def mean_gap(frames: list[pd.DataFrame], base: list[pd.DataFrame]) -> np.ndarray:
    """The seeds' mean trust difference, week by week."""
    gaps = [f["trust_mean"].to_numpy() - b["trust_mean"].to_numpy() for f, b in zip(frames, base, strict=True)]
    return np.mean(gaps, axis=0)


def asymmetry() -> None:
    """Measurement 3: is trust slow to build and quick to lose, and does stopping leave a trace?"""
    base = weekly("baseline", 10 * YEAR)
    gain = mean_gap(weekly("frontline_presence", 10 * YEAR), base)
    after = mean_gap(weekly("frontline_stopped_early", 10 * YEAR), base)
    half_gain = int(np.argmax(gain >= gain[-1] / 2))
    at_stop = after[104]
    half_loss = int(np.argmax(after[104:] <= at_stop / 2))
    print(
        f"3 frontline_presence gain at 10 years {100 * gain[-1]:.2f} points, half of it by week {half_gain}; "
        f"frontline_stopped_early gain at the stop {100 * at_stop:.2f}, half lost in {half_loss} weeks, "
        f"ends {100 * after[-1]:+.2f} against baseline"
    )


def tokenism() -> None:
    """Measurement 4: does tokenism hurt?"""
    for name in ("baseline", "tokenistic_consultation"):
        out = ending(name)
        shown = {k: round(out[k], 3) for k in ("trust_mean", "efficacy_mean", "tsm_tp06", "satisfaction_true")}
        print("4", name, shown)


def money() -> None:
    """Measurement 5: does less money ever raise satisfaction, and does budget_cut bite?"""
    keys = ("satisfaction_true", "repair_wait_weeks_mean", "repair_backlog_per_1000", "trust_mean")
    cases = {"default": {}, "envelope 800": {"envelope_per_home": 800.0}, "envelope 500": {"envelope_per_home": 500.0}}
    for label, overrides in cases.items():
        out = ending("baseline", **overrides)
        print("5", label, {k: round(out[k], 2) for k in keys})
    out = ending("baseline", shocks=("budget_cut",))
    print("5 budget_cut", {k: round(out[k], 2) for k in keys})


def neighbours() -> None:
    """Measurement 6: does a stronger neighbour pull draw more people in?"""
    for pull in (0.0, 0.3, 0.6):
        print("6 neighbour_pull", pull, round(100 * ending("baseline", neighbour_pull=pull)["participation_rate"], 1))


def culture() -> None:
    """Measurement 7: does a culture programme cost money, ramp up and fade without reinforcement?"""
    weeks = (0, 13, 52, 156, 169, 208, 312, 520)
    stock, spend = {w: [] for w in weeks}, []
    for seed in SEEDS:
        model = TrustModel(load_scenario("baseline", homes=HOMES, culture_programme=1.0), rng=seed)
        for week in weeks:
            if week > model.week:
                model.run_for(week - model.week)
            stock[week].append(model.culture)
            if week == 156:
                spend.append(model.summary()["spend_total_per_home"])
                model.set_params({"culture_programme": 0.0})
    base = ending("baseline", weeks=156)["spend_total_per_home"]
    print("7 culture stock by week (stopped at 156):", {w: round(float(np.mean(v)), 3) for w, v in stock.items()})
    print(f"7 culture spend per home while running: {np.mean(spend):.1f} against baseline {base:.1f}")


def measurement() -> None:
    """Measurement 8: the declared blend, the kept-informed memory and negativity counted once."""
    for label, overrides in (("declared TP01 blend", {}), ("trust alone", {"tsm_trust_weight": 1.0})):
        gaps = {
            name: ending(name, **overrides)["satisfaction_true"] - ending("baseline", **overrides)["satisfaction_true"]
            for name in ("power_sharing", "frontline_presence")
        }
        print("8", label, {k: round(v, 2) for k, v in gaps.items()})
    for openness in (0.0, 0.3, 1.0):
        informed = []
        for seed in SEEDS:
            model = TrustModel(load_scenario("baseline", homes=HOMES, openness=openness), rng=seed)
            model.run_for(5 * YEAR)
            informed.append(model.households.informed_score.mean())
        print(f"8 openness {openness}: kept-informed memory {np.mean(informed):.3f}")
    for bias in (1.0, 14.0):
        moves = []
        for signal in (0.5, -0.5):
            model = TrustModel(load_scenario("baseline", homes=HOMES, negativity_bias=bias), rng=SEEDS[0])
            before = model.households.trust.mean()
            model.hear_news(signal)
            moves.append(abs(model.households.trust.mean() - before))
        print(f"8 negativity_bias {bias}: news of +0.5 moves trust {moves[0]:.4f}, news of -0.5 {moves[1]:.4f}")


MEASUREMENTS = {
    "1": drift,
    "2": power_sharing,
    "3": asymmetry,
    "4": tokenism,
    "5": money,
    "6": neighbours,
    "7": culture,
    "8": measurement,
}

if __name__ == "__main__":
    for key in sys.argv[1:] or MEASUREMENTS:
        MEASUREMENTS[key]()
