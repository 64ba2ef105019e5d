"""Scenario discovery with PRIM (the EMA Workbench's), CART beside it, and feature scoring with a noise floor.

Each sampled future of a robustness sweep is labelled a failure of a strategy
or not (:func:`experiments.robustness.failures`: worse than baseline by the
tie tolerance or more, or an outcome below / above a threshold). Then:

* :func:`prim_box`: the Patient Rule Induction Method (Friedman & Fisher
  1999) as the EMA Workbench implements it (``ema_workbench.analysis.prim``,
  the field's reference): the input space is peeled, ``peel_alpha`` of the
  futures at a time, towards the failures and then pasted back, which gives
  a trajectory of boxes trading coverage (the share of all failures inside
  the box) against density (the share of the box's futures that fail). Each
  restriction gets a quasi-p-value (a one-sided binomial test, Bryant &
  Lempert 2010). Each box with at least ``min_coverage`` coverage has its
  restrictions with a quasi-p-value of ``significance`` or more dropped,
  worst first (the Workbench's ``drop_restriction``); the densest of the
  results that still cover enough is reported. PRIM is then resampled on
  random halves of the futures to say how often each restriction comes back
  (reproducibility).
* CART (:func:`experiments.robustness.discover`) is kept beside it: the same
  labels, one classification-tree box.
* :func:`feature_scores`: extra-trees feature scores of the failure labels
  (the Workbench's ``get_ex_feature_scores``) with :data:`NOISE_COLUMNS`
  inputs of uniform noise; a parameter scoring no higher than the best of
  them is no better than noise.

:func:`discovery_report` writes all three for every strategy and outcome.
Every random step takes its seed from the caller: the same seed gives the
same boxes and scores.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from experiments.design import TIE_TOLERANCE
from experiments.robustness import _failure_phrase, _number, discover, failures
from model import outcomes

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # "ipyparallel not installed": an evaluator not used here
    from ema_workbench.analysis import feature_scoring, prim
    from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

#: The feature-scoring noise columns: uniform noise, no parameter of the model (named "noise (dummy) 1", ...).
NOISE_FEATURE = "noise (dummy)"
#: How many noise columns; the noise floor is the highest score among them (one alone scores low by chance).
NOISE_COLUMNS = 3


@dataclass(frozen=True)
class PrimSettings:
    """PRIM's settings (recorded in the manifest).

    Attributes:
        peel_alpha: Share of the box's futures peeled away at each step.
        paste_alpha: Share pasted back at each step.
        mass_min: Smallest share of all futures a box may hold.
        min_coverage: Smallest coverage of the reported box.
        significance: Largest quasi-p-value of a reported restriction.
        min_failures: Fewest failing futures PRIM is run on (fewer: no box).
        resamples: PRIM runs on random halves of the futures, for reproducibility.
        trees: Trees of the feature-scoring forest.
        seed: Seed of the resampling and the feature scoring.
    """

    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    mass_min: float = 0.05
    min_coverage: float = 0.5
    significance: float = 0.05
    min_failures: int = 5
    resamples: int = 10
    trees: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        """Check every setting.

        Raises:
            ValueError: Naming the setting, its value and what is allowed.
        """
        for name in ("peel_alpha", "paste_alpha", "mass_min", "min_coverage", "significance"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"PRIM setting {name} = {value!r}; allowed: a number strictly between 0 and 1")
        for name, low in (("min_failures", 1), ("resamples", 0), ("trees", 1), ("seed", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"PRIM setting {name} = {value!r}; allowed: a whole number, {low} or more")


def labelled_futures(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    strategy: str,
    outcome: str,
    baseline: str = "baseline",
    rule: str = "worse_than_baseline",
    threshold: float | None = None,
    tie_tolerance: float = TIE_TOLERANCE,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The uncertain parameters of every judged future and whether the strategy fails there.

    Returns:
        ``(x, y)``: one row per future (``sample_id`` order) with the parameters
        as columns, and a boolean array of failures.

    Raises:
        ValueError: As :func:`experiments.robustness.failures`, or no future judged.
    """
    labels = failures(runs, strategy, outcome, baseline, rule, threshold, tie_tolerance)
    if labels.empty:
        raise ValueError(f"no sampled future can be judged for '{strategy}' on '{outcome}'")
    x = runs.groupby("sample_id")[list(parameters)].first().loc[labels.index].reset_index(drop=True)
    return x, labels.to_numpy(dtype=bool)


def _quiet() -> Any:
    """Silence the Workbench's INFO logging and its warnings about dropped columns."""
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return warnings.catch_warnings()


def _restrictions(box: Any, i: int) -> list[dict[str, Any]]:
    """The restricted parameters of box ``i``: limits and quasi-p-values (NaN for an unrestricted side)."""
    limits, initial = box.box_lims[i], box.box_lims[0]
    found = []
    for parameter, (p_low, p_high) in box.p_values[i].items():
        low, high = float(limits[parameter].iloc[0]), float(limits[parameter].iloc[1])
        lowered = low > float(initial[parameter].iloc[0])
        raised = high < float(initial[parameter].iloc[1])
        found.append(
            {
                "parameter": parameter,
                "low": low if lowered else None,
                "high": high if raised else None,
                "qp_low": float(p_low) if lowered and p_low >= 0 else None,
                "qp_high": float(p_high) if raised and p_high >= 0 else None,
            }
        )
    return found


def _significant(restrictions: list[dict[str, Any]], level: float) -> bool:
    values = [r[k] for r in restrictions for k in ("qp_low", "qp_high") if r[k] is not None]
    return all(v < level for v in values)


def _worst(box: Any, i: int) -> tuple[str, float] | None:
    """The restriction of box ``i`` with the largest quasi-p-value (None when nothing is restricted)."""
    worst = None
    for r in _restrictions(box, i):
        value = max(v for v in (r["qp_low"], r["qp_high"], -1.0) if v is not None)
        if worst is None or value > worst[1]:
            worst = (r["parameter"], value)
    return worst


def _significant_version(box: Any, i: int, level: float) -> tuple[int, list[str]]:
    """Box ``i`` with its insignificant restrictions dropped, worst first (Bryant & Lempert 2010).

    Each drop adds the wider box to the trajectory (the Workbench's
    ``drop_restriction``). Returns the resulting box's id and what was dropped.
    """
    dropped = []
    while (worst := _worst(box, i)) is not None and worst[1] >= level:
        box.drop_restriction(worst[0], i)
        i = len(box.peeling_trajectory) - 1
        dropped.append(worst[0])
    return i, dropped


def _choose(box: Any, settings: PrimSettings) -> tuple[int | None, list[str]]:
    """The densest box with enough coverage once its insignificant restrictions are dropped, and what was dropped.

    Every box of the peeling and pasting trajectory with at least
    ``min_coverage`` coverage is made significant (:func:`_significant_version`);
    of those still restricting something and still covering enough, the
    densest is chosen (the earlier on ties).
    """
    trajectory = box.peeling_trajectory
    best: tuple[float, int, list[str]] | None = None
    for i in range(1, len(trajectory)):
        if trajectory.iloc[i]["coverage"] < settings.min_coverage:
            continue
        j, dropped = _significant_version(box, i, settings.significance)
        row = box.peeling_trajectory.iloc[j]
        if row["res_dim"] == 0 or row["coverage"] < settings.min_coverage:
            continue
        if best is None or row["density"] > best[0]:
            best = (float(row["density"]), j, dropped)
    return (None, []) if best is None else (best[1], best[2])


def _resample(box: Any, i: int, settings: PrimSettings) -> dict[str, dict[str, float]]:
    if settings.resamples == 0:
        return {}
    scores = box.resample(i, iterations=settings.resamples, p=0.5, rng=settings.seed)
    return {
        str(p): {
            "reproduce_coverage": round(float(r["reproduce coverage"]), 1),
            "reproduce_density": round(float(r["reproduce density"]), 1),
        }
        for p, r in scores.iterrows()
    }


def as_real(x: pd.DataFrame) -> pd.DataFrame:
    """``x`` with its whole-number columns (such as ``workload_reference``) as floats.

    The Workbench's PRIM pastes a box edge half-way between two sampled values, which an integer column
    cannot hold: pandas refuses the write with a ``TypeError`` (EMA Workbench 3.0 with pandas 3), so a
    sweep with an integer parameter would crash in resampling. As floats, PRIM treats them as any other
    real parameter, and a box reads "workload_reference <= 481.5".
    """
    whole = x.select_dtypes(include="integer").columns
    return x.astype(dict.fromkeys(whole, "float64")) if len(whole) else x


def prim_box(x: pd.DataFrame, y: np.ndarray, settings: PrimSettings | None = None) -> dict[str, Any]:
    """PRIM on labelled futures: the trajectory, the chosen box, its significance and reproducibility.

    Args:
        x: The futures' uncertain parameters (one row each).
        y: Whether each future is a failure.
        settings: PRIM's settings (defaults: :class:`PrimSettings`).

    Returns:
        ``trajectory`` (one dict per box: ``id, coverage, density, mass,
        res_dim, n, k, step``; ``step`` says whether peeling and pasting or
        dropping an insignificant restriction made it), ``dropped`` (the
        restrictions dropped to reach the reported box), ``chosen`` (the reported box's id, or None when no
        box qualifies or there are too few failures: ``reason`` says which),
        its ``coverage``, ``density``, ``mass``, ``failures`` (k),
        ``samples`` (n), ``restrictions`` (``parameter, low, high, qp_low,
        qp_high``; None for an unrestricted side), ``significant``, and
        ``reproducibility`` (parameter -> percent of resamples in which it is
        restricted near the same coverage and density).
    """
    settings = settings or PrimSettings()
    total = int(np.sum(y))
    empty: dict[str, Any] = {"chosen": None, "trajectory": [], "restrictions": [], "reproducibility": {}, "dropped": []}
    base = {"total_failures": total, "total_samples": len(y)}
    if total < settings.min_failures:
        return (
            base | empty | {"reason": f"{total} failing future(s), fewer than min_failures = {settings.min_failures}"}
        )
    if total == len(y):
        return base | empty | {"reason": "the strategy fails in every judged future"}
    with _quiet():
        warnings.simplefilter("ignore")
        finder = prim.Prim(
            as_real(x), y, peel_alpha=settings.peel_alpha, paste_alpha=settings.paste_alpha, mass_min=settings.mass_min
        )
        box = finder.find_box()
        peeled = len(box.peeling_trajectory)
        chosen, dropped = _choose(box, settings)
        trajectory = box.peeling_trajectory[["id", "coverage", "density", "mass", "res_dim", "n", "k"]].astype(float)
        trajectory["step"] = ["peel or paste"] * peeled + ["restriction dropped"] * (len(trajectory) - peeled)
        result = base | {"trajectory": trajectory.to_dict(orient="records"), "chosen": chosen, "dropped": dropped}
        if chosen is None:
            reason = (
                f"no box on the trajectory keeps coverage of at least {settings.min_coverage:g} once its "
                f"restrictions that are not significant (quasi-p of {settings.significance:g} or more) are dropped"
            )
            return result | {"restrictions": [], "reproducibility": {}, "reason": reason, "dropped": []}
        row = trajectory.iloc[chosen]
        restrictions = _restrictions(box, chosen)
        return result | {
            "coverage": float(row["coverage"]),
            "density": float(row["density"]),
            "mass": float(row["mass"]),
            "failures": int(row["k"]),
            "samples": int(row["n"]),
            "restrictions": restrictions,
            "significant": _significant(restrictions, settings.significance),
            "reproducibility": _resample(box, chosen, settings),
            "reason": "",
        }


def feature_scores(x: pd.DataFrame, y: np.ndarray, trees: int = 100, seed: int = 0) -> pd.DataFrame:
    """Extra-trees feature scores of the failure labels, with columns of uniform noise as the floor.

    Args:
        x: The futures' uncertain parameters.
        y: Whether each future is a failure.
        trees: Trees in the forest.
        seed: Seed of the noise columns and of the forest.

    Returns:
        Columns ``parameter, score, noise_floor, above_noise``, highest score
        first; the noise columns' rows are ``NOISE_FEATURE 1``, ... and
        ``noise_floor`` is the highest of their scores.
    """
    rng = np.random.default_rng(seed)
    noise = {f"{NOISE_FEATURE} {k + 1}": rng.random(len(x)) for k in range(NOISE_COLUMNS)}
    noisy = x.assign(**noise)
    with _quiet():
        warnings.simplefilter("ignore")
        scores, _ = feature_scoring.get_ex_feature_scores(
            noisy, y.astype(int), mode=RuleInductionType.CLASSIFICATION, nr_trees=trees, random_state=seed
        )
    table = scores.iloc[:, 0].rename("score").rename_axis("parameter").reset_index()
    is_noise = table["parameter"].isin(list(noise))
    floor = float(table.loc[is_noise, "score"].max())
    table["noise_floor"] = floor
    table["above_noise"] = (table["score"] > floor) & ~is_noise
    return table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def _limit(r: dict[str, Any]) -> str:
    parts = []
    if r["low"] is not None:
        parts.append(f"{r['parameter']} ≥ {_number(r['low'])}")
    if r["high"] is not None:
        parts.append(f"{r['parameter']} ≤ {_number(r['high'])}")
    return " and ".join(parts)


def prim_sentence(result: dict[str, Any]) -> str:
    """A PRIM result in plain words."""
    phrase = _failure_phrase(result)
    total, fails = result["total_samples"], result["total_failures"]
    if result["chosen"] is None:
        return f"{phrase} in {fails} of {total} futures; PRIM reports no box: {result['reason']}."
    where = "; ".join(_limit(r) for r in result["restrictions"])
    stable = result["reproducibility"]
    kept = [
        f"{p} {v['reproduce_coverage']:.0f}%"
        for p, v in stable.items()
        if p in {r["parameter"] for r in result["restrictions"]}
    ]
    again = f"; restrictions found again in resamples: {', '.join(kept)}" if kept else ""
    if result["dropped"]:
        again += f"; dropped as not significant: {', '.join(result['dropped'])}"
    return (
        f"{phrase} in {fails} of {total} futures; PRIM's box where {where} holds {result['failures']} of them "
        f"(coverage {result['coverage']:.0%}) among {result['samples']} futures (density {result['density']:.0%}), "
        f"every limit significant (quasi-p < {result['significance']:g}){again}."
    )


def discover_strategy(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    strategy: str,
    outcome: str,
    baseline: str = "baseline",
    tie_tolerance: float = TIE_TOLERANCE,
    settings: PrimSettings | None = None,
) -> dict[str, Any]:
    """PRIM, CART and feature scores for one strategy's failures (worse than baseline) on one outcome."""
    settings = settings or PrimSettings()
    x, y = labelled_futures(runs, parameters, strategy, outcome, baseline, tie_tolerance=tie_tolerance)
    head = {
        "strategy": strategy,
        "outcome": outcome,
        "rule": "worse_than_baseline",
        "baseline": baseline,
        "threshold": None,
        "tie_tolerance": tie_tolerance,
        "significance": settings.significance,
    }
    found = head | prim_box(x, y, settings)
    scores = feature_scores(x, y, settings.trees, settings.seed) if 0 < y.sum() < len(y) else pd.DataFrame()
    cart = discover(runs, parameters, strategy, outcome, baseline, tie_tolerance=tie_tolerance)
    return found | {
        "sentence": prim_sentence(found),
        "cart": {k: cart[k] for k in ("conditions", "density", "coverage", "support", "sentence")},
        "feature_scores": scores.to_dict(orient="records"),
    }


def plot_tradeoff(result: dict[str, Any], path: Path) -> Path:
    """PRIM's coverage-density trade-off: every box on the trajectory, coloured by restricted parameters."""
    trajectory = pd.DataFrame(result["trajectory"])
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    peeled = trajectory["step"] == "peel or paste"
    points = ax.scatter(
        trajectory.loc[peeled, "coverage"], trajectory.loc[peeled, "density"], c=trajectory.loc[peeled, "res_dim"], s=18
    )
    if (~peeled).any():
        dropped = trajectory[~peeled]
        ax.scatter(dropped["coverage"], dropped["density"], marker="x", s=18, color="grey", label="restriction dropped")
    if result["chosen"] is not None:
        chosen = trajectory.iloc[result["chosen"]]
        ax.scatter(
            [chosen["coverage"]], [chosen["density"]], s=120, facecolors="none", edgecolors="red", label="reported box"
        )
    if result["chosen"] is not None or (~peeled).any():
        ax.legend(loc="lower left", fontsize=8)
    fig.colorbar(points, ax=ax, label="restricted parameters")
    ax.set(xlim=(0, 1.05), ylim=(0, 1.05), xlabel="coverage", ylabel="density")
    ax.set_title(
        f"{result['strategy']} worse than {result['baseline']} on {outcomes.get(result['outcome']).words()}", fontsize=9
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _tables(results: list[dict[str, Any]]) -> dict[str, pd.DataFrame]:
    keys = ("strategy", "outcome")
    trajectory = [
        {**{k: r[k] for k in keys}, **row, "chosen": row["id"] == r["chosen"]}
        for r in results
        for row in r["trajectory"]
    ]
    scores = [{**{k: r[k] for k in keys}, **row} for r in results for row in r["feature_scores"]]
    stability = [
        {**{k: r[k] for k in keys}, "parameter": p, **v} for r in results for p, v in r["reproducibility"].items()
    ]
    return {
        "prim_tradeoff.csv": pd.DataFrame(trajectory),
        "feature_scores.csv": pd.DataFrame(scores),
        "prim_resample.csv": pd.DataFrame(stability),
    }


def discovery_report(
    runs: pd.DataFrame,
    parameters: Sequence[str],
    outcome_names: Sequence[str],
    out: Path,
    baseline: str = "baseline",
    tie_tolerance: float = TIE_TOLERANCE,
    settings: PrimSettings | None = None,
) -> dict[str, Any]:
    """PRIM, CART and feature scores for every strategy other than baseline and every outcome, written to ``out``.

    Files: ``prim.json`` (every :func:`discover_strategy` result),
    ``prim.md`` (PRIM's and CART's sentences side by side),
    ``prim_tradeoff.csv`` (every trajectory, the reported box marked),
    ``prim_resample.csv`` (reproducibility), ``feature_scores.csv`` and
    ``figures/prim_tradeoff_STRATEGY_OUTCOME.png``.

    Returns:
        ``results`` (the list written to ``prim.json``) and ``written`` (file name -> path).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    strategies = [s for s in dict.fromkeys(runs["scenario"]) if s != baseline]
    results = [
        discover_strategy(runs, parameters, s, o, baseline, tie_tolerance, settings)
        for o in outcome_names
        for s in strategies
    ]
    written = {"prim.json": out / "prim.json", "prim.md": out / "prim.md"}
    written["prim.json"].write_text(json.dumps(results, indent=2, default=_json), encoding="utf-8")
    lines = ["# Scenario discovery: PRIM (EMA Workbench) and CART", ""]
    for r in results:
        lines += [
            f"## {r['strategy']}, {r['outcome']}",
            "",
            f"- PRIM: {r['sentence']}",
            f"- CART: {r['cart']['sentence']}",
            "",
        ]
    written["prim.md"].write_text("\n".join(lines), encoding="utf-8")
    for name, table in _tables(results).items():
        table.to_csv(out / name, index=False)
        written[name] = out / name
    for r in results:
        if r["trajectory"]:
            key = f"figures/prim_tradeoff_{r['strategy']}_{r['outcome']}.png"
            written[key] = plot_tradeoff(r, out / key)
    return {"results": results, "written": written}


def _json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    raise TypeError(f"not JSON: {value!r}")


def settings_record(settings: PrimSettings) -> dict[str, Any]:
    """PRIM's settings as recorded in the manifest (``analyses.discover``)."""
    return {"method": "PRIM (ema_workbench.analysis.prim) with CART beside it", **asdict(settings)}
