"""Global sensitivity analysis of a sweep's results (SALib).

The pipeline is SALib's: the design draws the sample (:mod:`experiments.design`),
the sweep evaluates the model at every row (:mod:`experiments.sweep`), and this
module turns the outputs into indices. The model is none of its business.

======  ==========================  ==========================================
method  indices (``index`` column)  sample it needs
======  ==========================  ==========================================
sobol   S1, ST (and S2, ``a×b``)    Saltelli/Sobol' (design method ``sobol``)
morris  mu_star, sigma              Morris trajectories (``morris``)
fast    S1, ST                      eFAST search curves (``fast``)
delta   delta, S1                   any sample (``lhs``, ``sobol``, ...)
pawn    median                      any sample
======  ==========================  ==========================================

Every function is pure. SALib itself is not, so each analysis runs on a copy of
the problem (Morris adds a ``groups`` key to the caller's), with NumPy's global
generator seeded from ``seed`` and restored afterwards (delta, FAST and PAWN
seed it, and Sobol' draws from it, and all of them ignore ``seed=0``), with the
warning filters and formatter restored (delta replaces both) and with one BLAS
thread (delta's many small kernel-density solves run several times slower on
threaded OpenBLAS). A constant output gets every index exactly 0 with a
confidence interval [0, 0]; SALib would return NaN, warn, or raise (delta).

Reading the methods: delta reports SALib's plain-bootstrap estimate
(``delta_raw`` in SALib 1.6, ``delta`` in 1.5), and its S1 is a coarse binned
estimate, biased low (about 0.29 for Ishigami's x2, whose S1 is 0.44, from 1000
points): use both for ranking. FAST's intervals are, by SALib's own warning,
indicative only. Morris sigma and PAWN come without intervals.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from SALib.analyze import delta as salib_delta
from SALib.analyze import fast as salib_fast
from SALib.analyze import morris as salib_morris
from SALib.analyze import pawn as salib_pawn
from SALib.analyze import sobol as salib_sobol

from model.outcomes import undefined_reason

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # optional: only makes delta faster
    threadpool_limits = None

METHODS = ("sobol", "morris", "fast", "delta", "pawn")
#: Methods that analyse a grouped problem (one index per group; the design drawn with the groups). SALib's Morris
#: takes groups too but defines no sigma for a group, so it is left out.
GROUPED_METHODS = ("sobol",)
#: Indices each method reports, in order (Sobol' adds S2 when asked).
INDICES = {
    "sobol": ("S1", "ST"),
    "morris": ("mu_star", "sigma"),
    "fast": ("S1", "ST"),
    "delta": ("delta", "S1"),
    "pawn": ("median",),
}
COLUMNS = ("parameter", "method", "index", "value", "ci_low", "ci_high")
#: Columns of the refused outcomes (see :func:`analyse_sweep`).
REFUSED_COLUMNS = ("outcome", "method", "undefined", "points", "reason")
#: Methods whose estimator works on any subset of the design's rows; the others
#: (Sobol', Morris, FAST) combine rows in fixed blocks and need every one.
SUBSET_METHODS = ("delta", "pawn")
CONVERGENCE_COLUMNS = ("n", "parameter", "index", "value", "ci_low", "ci_high")
NOISE_COLUMNS = ("outcome", "noise_variance", "total_variance", "noise_share", "replicates")
#: Joins the two parameters of a second-order index, e.g. ``"a×b"``.
PAIR = "×"

#: One index for several parameters: name, labels, values, CI half-widths (None: no CI).
Block = tuple[str, list[str], np.ndarray, np.ndarray | None]


@dataclass(frozen=True)
class _Settings:
    second_order: bool
    num_levels: int
    conf_level: float
    num_resamples: int
    seed: int


# --- replicates and seed noise ---------------------------------------------------------------


def average_replicates(
    runs: pd.DataFrame, outcomes: Sequence[str], scenario: str | None = None, *, points: int | None = None
) -> pd.DataFrame:
    """Mean of each outcome over the successful replicates of every design point.

    Args:
        runs: A sweep's rows (``sample_id``, ``status``, the outcomes; ``scenario`` if several).
        outcomes: Outcome columns to average.
        scenario: Keep only this scenario's runs; required when the runs hold several.
        points: Rows of the design; sample ids ``0 .. points-1`` absent from the runs
            count as missing too, and ids beyond it are an error.

    Returns:
        One row per ``sample_id`` (sorted): ``sample_id`` and one column per outcome.

    Raises:
        ValueError: A missing column or scenario, or design points with no successful run
            (named): every SALib analysis needs an output for every row of the design.
    """
    chosen = _one_scenario(runs, scenario)
    _require_columns(chosen, ["sample_id", "status", *outcomes])
    ok = chosen[chosen["status"] == "ok"]
    means = ok.groupby("sample_id", sort=True)[list(outcomes)].mean().reset_index()
    ids = set(chosen["sample_id"].tolist())
    where = f" (scenario {scenario})" if scenario else ""
    if points is not None:
        beyond = sorted(i for i in ids if not 0 <= i < points)
        if beyond:
            raise ValueError(f"sample id(s) {_listed(beyond)}{where} are outside the design's {points} rows")
        ids |= set(range(points))
    missing = sorted(ids - set(means["sample_id"].tolist()))
    if missing:
        raise ValueError(
            f"no successful run for sample id(s) {_listed(missing)}{where}; the sensitivity analysis needs "
            "an output for every design point: rerun those points"
        )
    return means


def seed_noise(runs: pd.DataFrame, outcome: str) -> dict[str, float | int]:
    """How much of an outcome's spread is replicate (seed) noise rather than parameters.

    Only successful runs count. Design points are told apart by ``sample_id`` (and
    ``scenario`` when present).

    Args:
        runs: A sweep's rows.
        outcome: The outcome column.

    Returns:
        ``noise_variance``: mean over design points of the variance across replicates
        (ddof=1; NaN when no point has two replicates); ``total_variance``: variance of
        the single-run outputs (ddof=1); ``noise_share``: their ratio (0 when the total
        is 0); ``replicates``: most successful replicates at any design point.

    Raises:
        ValueError: A missing column, or no successful run with a value.
    """
    _require_columns(runs, ["sample_id", "status", outcome])
    ok = runs[(runs["status"] == "ok") & runs[outcome].notna()]
    if ok.empty:
        raise ValueError(f"no successful run with a value of {outcome!r}")
    keys = ["scenario", "sample_id"] if "scenario" in ok.columns else ["sample_id"]
    grouped = ok.groupby(keys)[outcome]
    replicates = int(grouped.count().max())
    constant = np.ptp(ok[outcome].to_numpy(float)) == 0
    noise, total = float(grouped.var(ddof=1).mean()), float(ok[outcome].var(ddof=1))
    if constant:  # exactly 0, not the rounding error of a mean of equal values
        noise, total = noise * 0.0, total * 0.0
    if replicates < 2:
        noise = float("nan")
    share = 0.0 if total == 0 else noise / total
    return {"noise_variance": noise, "total_variance": total, "noise_share": share, "replicates": replicates}


def _one_scenario(runs: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    if "scenario" not in runs.columns:
        if scenario is not None:
            raise ValueError(f"cannot select scenario {scenario!r}: the runs have no 'scenario' column")
        return runs
    present = list(dict.fromkeys(runs["scenario"].tolist()))
    if scenario is None:
        if len(present) > 1:
            raise ValueError(
                f"the runs hold {len(present)} scenarios ({', '.join(map(str, present))}); "
                "indices are per strategy: pass scenario= one of them"
            )
        return runs
    if scenario not in present:
        raise ValueError(f"scenario {scenario!r} is not in the runs; present: {', '.join(map(str, present))}")
    return runs[runs["scenario"] == scenario]


def _require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise ValueError(f"the runs have no column(s) {', '.join(absent)}; columns: {', '.join(map(str, frame))}")


def _listed(ids: Sequence[Any], most: int = 20) -> str:
    shown = ", ".join(str(i) for i in ids[:most])
    return shown if len(ids) <= most else f"{shown}, ... ({len(ids)} in all)"


# --- analysis ----------------------------------------------------------------------------------


def analyse(
    problem: dict[str, Any],
    X: np.ndarray,  # noqa: N803 - SALib's name for the design
    Y: np.ndarray,  # noqa: N803 - SALib's name for the outputs
    method: str,
    *,
    second_order: bool = False,
    num_levels: int = 4,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Sensitivity indices of one output with one SALib method.

    Args:
        problem: The SALib problem (``num_vars``, ``names``, ``bounds`` and, for
            Sobol', ``groups``: then each index is a group's); not modified.
        X: The design, one row per model evaluation (as drawn for ``method``).
        Y: One output per row of ``X``.
        method: One of :data:`METHODS` (see the module docstring for the indices).
        second_order: Sobol' only: the design has second-order rows; add S2 indices.
        num_levels: Morris only: the levels the design was drawn with.
        conf_level: Confidence level of the intervals.
        num_resamples: Bootstrap resamples for the intervals (sobol, morris, fast, delta).
        seed: Seed of the bootstrap; the same seed gives the same result.

    Returns:
        Columns ``parameter, method, index, value, ci_low, ci_high``; the interval is
        value ± SALib's half-width, NaN where the method gives none (Morris sigma, PAWN).
        A constant ``Y`` gives every index 0 with interval [0, 0].

    Raises:
        ValueError: An unknown method, a design or output that does not fit the
            problem or the method, or a non-finite output.
    """
    X, Y = _checked(problem, X, Y, method, second_order)  # noqa: N806
    settings = _Settings(second_order, num_levels, conf_level, num_resamples, _legacy_seed(seed))
    if np.ptp(Y) == 0:
        return _frame(method, _zero_blocks(factors(problem), method, second_order))
    with _isolated(settings.seed):
        blocks = _ANALYSERS[method](dict(problem), X, Y, settings)
    return _frame(method, blocks)


def convergence(
    problem: dict[str, Any],
    X: np.ndarray,  # noqa: N803
    Y: np.ndarray,  # noqa: N803
    *,
    steps: int = 4,
    second_order: bool = False,
    seed: int = 0,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
) -> pd.DataFrame:
    """Sobol' S1 and ST recomputed on growing leading parts of a Sobol' sample.

    The Saltelli rows come in blocks of D+2 rows per base sample (2D+2 with second
    order), so the first ``n`` base samples are the first ``n`` blocks; ``n`` runs
    over N/2^(steps-1), ..., N/2, N. Indices that still move between the last steps
    have not settled: the sample is too small. With groups, D is the number of groups.

    Args:
        problem: The SALib problem.
        X: A Sobol' design (``sobol.sample``).
        Y: One output per row of ``X``.
        steps: How many sample sizes.
        second_order: The design has second-order rows.
        seed: Seed of the bootstrap intervals.
        conf_level: Confidence level of the intervals.
        num_resamples: Bootstrap resamples.

    Returns:
        Columns ``n, parameter, index, value, ci_low, ci_high``; ``n`` is the number of
        base samples (model runs: n × block). The rows of the full ``n`` equal
        :func:`analyse` on the whole sample.

    Raises:
        ValueError: As :func:`analyse`, or fewer than 2 base samples in the smallest part.
    """
    X, Y = _checked(problem, X, Y, "sobol", second_order)  # noqa: N806
    block = _block("sobol", len(factors(problem)), second_order)
    base = len(X) // block
    if steps < 1 or base >> (steps - 1) < 2:
        raise ValueError(f"steps = {steps}: need 1 <= steps and at least 2 base samples at N/2^(steps-1) (N = {base})")
    frames = []
    for k in range(steps - 1, -1, -1):
        n = base >> k
        found = analyse(
            problem,
            X[: n * block],
            Y[: n * block],
            "sobol",
            second_order=second_order,
            conf_level=conf_level,
            num_resamples=num_resamples,
            seed=seed,
        )
        frames.append(found[found["index"].isin(INDICES["sobol"])].assign(n=n))
    return pd.concat(frames, ignore_index=True)[list(CONVERGENCE_COLUMNS)]


def analyse_sweep(
    runs: pd.DataFrame,
    problem: dict[str, Any],
    X: np.ndarray,  # noqa: N803
    outcomes: Sequence[str],
    method: str,
    *,
    second_order: bool = False,
    num_levels: int = 4,
    seed: int = 0,
    scenario: str | None = None,
    num_resamples: int = 1000,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indices of every outcome of a sweep, how many design points each rests on, and seed noise.

    Replicates are averaged per design point (:func:`average_replicates`) and each
    outcome analysed with ``method`` (:func:`analyse`). An outcome undefined (NaN,
    see :attr:`model.outcomes.Outcome.when_undefined`) at some design points is
    analysed on the others by delta and PAWN, which accept any sample, and refused
    by Sobol', Morris and FAST, whose estimators need every point; an outcome whose
    method returns an undefined index is refused too. Refused outcomes have no
    indices, never NaN ones.

    Args:
        runs: The sweep's rows (:func:`experiments.sweep.load_runs`).
        problem: The experiment's SALib problem (``Experiment.problem``).
        X: The design the sweep ran (``Experiment.design()``), row i = sample id i.
        outcomes: Outcome columns to analyse.
        method: One of :data:`METHODS`.
        second_order: Sobol' second-order rows and indices.
        num_levels: Morris levels.
        seed: Seed of the bootstrap intervals.
        scenario: The strategy to analyse; required when the runs hold several.
        num_resamples: Bootstrap resamples.

    Returns:
        ``(indices, noise, refused)``: indices with columns ``outcome, parameter,
        method, index, value, ci_low, ci_high, n_points`` (the design points with a
        defined value the index rests on); noise with ``outcome, noise_variance,
        total_variance, noise_share, replicates`` (:func:`seed_noise`); refused with
        :data:`REFUSED_COLUMNS` (``undefined`` of ``points`` design points, and why).

    Raises:
        ValueError: As :func:`average_replicates` and :func:`analyse`, or runs whose
            parameter values differ from the design's.
    """
    chosen = _one_scenario(runs, scenario)
    means = average_replicates(chosen, outcomes, points=len(X))
    X = np.asarray(X, dtype=float)  # noqa: N806
    _check_design(chosen, problem, X)
    options = {"second_order": second_order, "num_levels": num_levels, "num_resamples": num_resamples, "seed": seed}
    found, refused = [], []
    for outcome in outcomes:
        result = _analyse_outcome(problem, X, means[outcome].to_numpy(float), method, outcome, options)
        (found if isinstance(result, pd.DataFrame) else refused).append(result)
    indices = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["outcome", *INDEX_COLUMNS])
    noise = pd.DataFrame([{"outcome": o, **seed_noise(chosen, o)} for o in outcomes], columns=list(NOISE_COLUMNS))
    return indices[["outcome", *INDEX_COLUMNS]], noise, pd.DataFrame(refused, columns=list(REFUSED_COLUMNS))


#: Columns of :func:`analyse_sweep`'s indices after ``outcome``.
INDEX_COLUMNS = (*COLUMNS, "n_points")


# --- verdicts: convergence, range and the noise floor ---------------------------------------------------------------

#: An index has converged when its confidence interval is at most this wide: on the index's own scale for the
#: variance-based indices (0-1), and as a share of the largest index of the outcome for Morris (outcome units).
#: Sarrazin, Pianosi & Wagener (2016, Environ. Model. Softw. 79) judge convergence by the interval's width, 0.05 to
#: 0.1 of the index scale; the looser end is used here.
CONVERGENCE_WIDTH = 0.1
#: Indices bounded by [0, 1] in theory (their estimates can stray outside it: a warning sign).
UNIT_INDICES = ("S1", "ST", "S2", "delta")
#: Columns :func:`judge` adds.
VERDICT_COLUMNS = ("ci_width", "converged", "noise_floor", "out_of_range", "verdict")


def judge(indices: pd.DataFrame, dummy: str | None = None) -> pd.DataFrame:
    """Each index's verdict: converged or not, out of range or not, above the noise floor or within it.

    Per outcome (and strategy, if there is a ``scenario`` column) and index:

    - ``ci_width``: the interval's width (NaN for an index without one);
    - ``converged``: ``ci_width`` at most :data:`CONVERGENCE_WIDTH` (Morris:
      as a share of the outcome's largest index of that kind); NaN without an interval;
    - ``noise_floor``: the dummy parameter's index of the same kind (the top of
      its interval), i.e. what seed noise alone gives; NaN without a dummy;
    - ``out_of_range``: why an index is impossible as estimated ("above 1"
      for an index bounded by 1, :data:`UNIT_INDICES`; "negative beyond its
      interval" when even the interval's top is below 0), else empty;
    - ``verdict``: ``out of range``, ``not converged``, ``within the noise
      floor`` (the interval's bottom is not above the floor), ``above the
      noise floor``, or without a dummy ``above zero`` / ``not distinguishable
      from zero``; the dummy's own rows read ``noise floor (dummy)``.

    Args:
        indices: :func:`analyse_sweep`'s indices (``outcome, parameter, index, value, ci_low, ci_high``).
        dummy: The dummy parameter's name, if the design had one.

    Returns:
        ``indices`` with :data:`VERDICT_COLUMNS` added (a new frame).
    """
    keys = [k for k in ("scenario", "outcome") if k in indices.columns] + ["index"]
    frame = indices.copy()
    frame["ci_width"] = frame["ci_high"] - frame["ci_low"]
    if frame.empty:
        return frame.assign(converged=pd.Series(dtype=object), noise_floor=np.nan, out_of_range="", verdict="")
    parts = [_judge_group(group, dummy) for _, group in frame.groupby(keys, sort=False)]
    return pd.concat(parts).loc[frame.index]


def _judge_group(group: pd.DataFrame, dummy: str | None) -> pd.DataFrame:
    """Verdicts of one index kind of one outcome."""
    group = group.copy()
    kind = str(group["index"].iloc[0])
    scale = 1.0
    if kind not in UNIT_INDICES:  # Morris: outcome units, judged against the largest index
        largest = float(np.nanmax(np.abs(group["value"].to_numpy(float)))) if len(group) else 0.0
        scale = largest if largest > 0 else 1.0
    width = group["ci_width"] / scale
    group["converged"] = [None if math.isnan(w) else bool(w <= CONVERGENCE_WIDTH) for w in width]
    floor = math.nan
    if dummy is not None and (group["parameter"] == dummy).any():
        row = group[group["parameter"] == dummy].iloc[0]
        floor = float(row["value"] if math.isnan(row["ci_high"]) else row["ci_high"])
    group["noise_floor"] = floor
    group["out_of_range"] = [_out_of_range(kind, v, hi) for v, hi in zip(group["value"], group["ci_high"], strict=True)]
    group["verdict"] = [_verdict(row, dummy, floor) for _, row in group.iterrows()]
    return group


def _out_of_range(kind: str, value: float, high: float) -> str:
    if kind in UNIT_INDICES and value > 1.0:
        return "above 1"
    if not math.isnan(high) and high < 0.0:
        return "negative beyond its interval"
    return ""


def _verdict(row: pd.Series, dummy: str | None, floor: float) -> str:
    if dummy is not None and row["parameter"] == dummy:
        return "noise floor (dummy)"
    if row["out_of_range"]:
        return f"out of range ({row['out_of_range']})"
    if row["converged"] is False:
        return "not converged"
    lower = row["value"] if math.isnan(row["ci_low"]) else row["ci_low"]
    if not math.isnan(floor):
        return "above the noise floor" if lower > floor else "within the noise floor"
    return "above zero" if lower > 0 else "not distinguishable from zero"


def _analyse_outcome(
    problem: dict[str, Any],
    X: np.ndarray,  # noqa: N803
    Y: np.ndarray,  # noqa: N803
    method: str,
    outcome: str,
    options: dict[str, Any],
) -> pd.DataFrame | dict[str, Any]:
    """One outcome's indices with ``n_points``, or the refusal (a :data:`REFUSED_COLUMNS` row)."""
    defined = np.isfinite(Y)
    undefined = int((~defined).sum())
    if undefined and (method not in SUBSET_METHODS or defined.sum() < 2):
        return _refusal(outcome, method, undefined, len(Y), _needs_every_point(outcome, method))
    found = analyse(problem, X[defined], Y[defined], method, **options)
    if found["value"].isna().any():
        why = f"{method} returned undefined (NaN) indices for {_listed(_nan_indices(found))}"
        return _refusal(outcome, method, undefined, len(Y), why)
    return found.assign(outcome=outcome, n_points=int(defined.sum()))


def _refusal(outcome: str, method: str, undefined: int, points: int, why: str) -> dict[str, Any]:
    cause = f"undefined in {undefined:,} of {points:,} design points because {_because(outcome)}; " if undefined else ""
    reason = f"{outcome} is {cause}{why}" if undefined else f"{outcome}: {why}"
    return {"outcome": outcome, "method": method, "undefined": undefined, "points": points, "reason": reason}


def _because(outcome: str) -> str:
    text = undefined_reason(outcome)
    return text[len("NaN when ") :] if text.startswith("NaN when ") else text


def _needs_every_point(outcome: str, method: str) -> str:
    if method in SUBSET_METHODS:
        return f"{method} needs at least 2 design points where it is defined: drop the outcome"
    name = {"sobol": "Sobol'", "morris": "Morris", "fast": "FAST"}[method]
    return (
        f"{name} indices need it in every design point: choose designs where it is always defined "
        "(e.g. where participation is possible) or drop the outcome"
    )


def _nan_indices(found: pd.DataFrame) -> list[str]:
    rows = found[found["value"].isna()]
    return [f"{i} of {p}" for i, p in zip(rows["index"], rows["parameter"], strict=True)]


def _checked(
    problem: dict[str, Any],
    X: np.ndarray,  # noqa: N803
    Y: np.ndarray,  # noqa: N803
    method: str,
    second_order: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The design and outputs as float arrays, once they fit the problem and the method."""
    if method not in METHODS:
        raise ValueError(f"unknown sensitivity method {method!r}; allowed: {', '.join(METHODS)}")
    names = list(problem["names"])
    groups = _groups(problem)
    if groups is not None and method not in GROUPED_METHODS:
        raise ValueError(f"{method}: grouped problems are analysed only by {' or '.join(GROUPED_METHODS)}")
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)  # noqa: N806
    if X.ndim != 2 or X.shape[1] != len(names):
        raise ValueError(f"X has shape {X.shape}; need one column per parameter ({len(names)}: {', '.join(names)})")
    if Y.ndim != 1 or len(Y) != len(X):
        raise ValueError(f"Y has {Y.size} values (shape {Y.shape}) but the design X has {len(X)} rows; need one each")
    block = _block(method, len(factors(problem)), second_order)
    if len(X) % block:
        order = f" with second_order={second_order}" if method == "sobol" else ""
        raise ValueError(
            f"{method}: {len(X)} design rows are not a whole number of blocks of {block}; "
            f"was the design drawn with method {method!r}{order}?"
        )
    if method == "morris":
        _check_morris(X, len(names))
    bad = np.flatnonzero(~np.isfinite(Y))
    if bad.size:
        raise ValueError(f"Y has {bad.size} non-finite value(s), at row(s) {_listed(bad.tolist())}")
    return X, Y


def _block(method: str, d: int, second_order: bool) -> int:
    """Rows per unit of the method's design (per base sample, trajectory or search curve)."""
    return {"sobol": 2 * d + 2 if second_order else d + 2, "morris": d + 1, "fast": d}.get(method, 1)


def _check_morris(X: np.ndarray, d: int) -> None:  # noqa: N803
    moved = (np.diff(X.reshape(-1, d + 1, d), axis=1) != 0).sum(axis=2)
    if np.any(moved != 1):
        raise ValueError(
            f"X is not a Morris design: every trajectory of {d + 1} rows must change exactly one parameter per step"
        )


def _groups(problem: dict[str, Any]) -> list[str] | None:
    """The problem's groups, one per parameter, or None when every parameter is its own.

    SALib's Morris sampler sets ``groups`` to the names, which is no grouping.
    """
    groups = problem.get("groups")
    if not groups or list(groups) == list(problem["names"]):
        return None
    if len(groups) != len(problem["names"]):
        raise ValueError(f"the problem has {len(groups)} groups for {len(problem['names'])} parameters; need one each")
    return list(groups)


def factors(problem: dict[str, Any]) -> list[str]:
    """What a problem's indices are given for: its parameters, or its groups in order of first appearance (SALib's)."""
    return list(dict.fromkeys(_groups(problem) or problem["names"]))


def _check_design(runs: pd.DataFrame, problem: dict[str, Any], X: np.ndarray) -> None:  # noqa: N803
    first = runs.drop_duplicates("sample_id").set_index("sample_id").sort_index()
    rows = first.index.to_numpy()
    for column, name in enumerate(problem["names"]):
        if name not in first.columns:
            continue
        ran, drawn = first[name].to_numpy(float), X[rows, column]
        wrong = np.flatnonzero(~np.isclose(ran, drawn))
        if wrong.size:
            i = wrong[0]
            raise ValueError(
                f"{name} = {ran[i]:g} at sample id {rows[i]} in the runs but {drawn[i]:g} in the design X; "
                "pass the design the sweep ran"
            )


def _legacy_seed(seed: int) -> int:
    """A 32-bit seed for SALib and NumPy's global generator, derived from any non-negative int."""
    return int(np.random.SeedSequence(seed).generate_state(1)[0])


def _one_blas_thread() -> AbstractContextManager[Any]:
    return nullcontext() if threadpool_limits is None else threadpool_limits(limits=1, user_api="blas")


@contextmanager
def _isolated(seed: int) -> Iterator[None]:
    """Seed NumPy's global generator for SALib; restore it, the warning state and BLAS threads after."""
    state, formatter = np.random.get_state(), warnings.formatwarning
    np.random.seed(seed)
    try:
        with warnings.catch_warnings(), _one_blas_thread():
            yield
    finally:
        np.random.set_state(state)
        warnings.formatwarning = formatter


def _sobol(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, s: _Settings) -> list[Block]:  # noqa: N803
    si = salib_sobol.analyze(
        problem,
        Y,
        calc_second_order=s.second_order,
        num_resamples=s.num_resamples,
        conf_level=s.conf_level,
        seed=s.seed,
    )
    names = factors(problem)
    blocks: list[Block] = [("S1", names, si["S1"], si["S1_conf"]), ("ST", names, si["ST"], si["ST_conf"])]
    if s.second_order:
        pairs = list(itertools.combinations(range(len(names)), 2))
        values = np.array([si["S2"][j, k] for j, k in pairs])
        half = np.array([si["S2_conf"][j, k] for j, k in pairs])
        blocks.append(("S2", _pair_labels(names), values, half))
    return blocks


def _morris(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, s: _Settings) -> list[Block]:  # noqa: N803
    si = salib_morris.analyze(
        problem,
        X,
        Y,
        num_resamples=s.num_resamples,
        conf_level=s.conf_level,
        num_levels=s.num_levels,
        seed=s.seed,
    )
    names = factors(problem)
    return [("mu_star", names, si["mu_star"], si["mu_star_conf"]), ("sigma", names, si["sigma"], None)]


def _fast(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, s: _Settings) -> list[Block]:  # noqa: N803
    si = salib_fast.analyze(problem, Y, num_resamples=s.num_resamples, conf_level=s.conf_level, seed=s.seed)
    names = list(problem["names"])
    return [("S1", names, si["S1"], si["S1_conf"]), ("ST", names, si["ST"], si["ST_conf"])]


def _delta(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, s: _Settings) -> list[Block]:  # noqa: N803
    si = salib_delta.analyze(problem, X, Y, num_resamples=s.num_resamples, conf_level=s.conf_level, seed=s.seed)
    key = "delta" if "delta" in si else "delta_raw"  # SALib 1.5 / 1.6 (plain bootstrap)
    names = list(problem["names"])
    return [("delta", names, si[key], si[f"{key}_conf"]), ("S1", names, si["S1"], si["S1_conf"])]


def _pawn(problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, s: _Settings) -> list[Block]:  # noqa: N803
    si = salib_pawn.analyze(problem, X, Y, seed=s.seed)
    return [("median", list(problem["names"]), si["median"], None)]


_ANALYSERS: dict[str, Callable[[dict[str, Any], np.ndarray, np.ndarray, _Settings], list[Block]]] = {
    "sobol": _sobol,
    "morris": _morris,
    "fast": _fast,
    "delta": _delta,
    "pawn": _pawn,
}


def _pair_labels(names: list[str]) -> list[str]:
    return [f"{a}{PAIR}{b}" for a, b in itertools.combinations(names, 2)]


def _zero_blocks(names: list[str], method: str, second_order: bool) -> list[Block]:
    zeros = np.zeros(len(names))
    blocks: list[Block] = [(index, names, zeros, zeros) for index in INDICES[method]]
    if method == "sobol" and second_order:
        labels = _pair_labels(names)
        blocks.append(("S2", labels, np.zeros(len(labels)), np.zeros(len(labels))))
    return blocks


def _frame(method: str, blocks: list[Block]) -> pd.DataFrame:
    parts = []
    for index, labels, values, half in blocks:
        value = np.asarray(values, dtype=float)
        width = np.full_like(value, np.nan) if half is None else np.asarray(half, dtype=float)
        part = {"parameter": labels, "method": method, "index": index, "value": value}
        parts.append(pd.DataFrame(part | {"ci_low": value - width, "ci_high": value + width}))
    return pd.concat(parts, ignore_index=True)[list(COLUMNS)]


# --- figures -----------------------------------------------------------------------------------


def plot_indices(indices: pd.DataFrame, path: Path, title: str) -> Path:
    """Horizontal bars of one outcome's indices with their intervals, one panel per index.

    Args:
        indices: :func:`analyse` output (or one outcome of :func:`analyse_sweep`'s).
        path: PNG file to write (folders are created).
        title: Figure title.

    Returns:
        ``path``.

    Raises:
        ValueError: No rows, or rows of several outcomes.
    """
    _one_outcome(indices)
    groups = list(dict.fromkeys(indices["index"]))
    tallest = max(int((indices["index"] == g).sum()) for g in groups)
    fig = _figure(4.0 * len(groups), 1.2 + 0.35 * tallest)
    for ax, index in zip(fig.subplots(1, len(groups), squeeze=False)[0], groups, strict=True):
        _bars(ax, indices[indices["index"] == index])
    fig.suptitle(title)
    return _save(fig, path)


def plot_morris(indices: pd.DataFrame, path: Path, title: str) -> Path:
    """Morris screening plot: sigma against mu_star, one labelled point per parameter.

    Points near the diagonal (sigma ≈ mu_star) act through interactions or
    non-linearity; points far right and low act alone and linearly.

    Args:
        indices: :func:`analyse` output with method ``morris``.
        path: PNG file to write.
        title: Figure title.

    Returns:
        ``path``.

    Raises:
        ValueError: No Morris rows, or rows of several outcomes.
    """
    _one_outcome(indices)
    rows = indices[indices["method"] == "morris"]
    if rows.empty:
        raise ValueError("no Morris indices (method 'morris') to plot")
    mu = rows[rows["index"] == "mu_star"].set_index("parameter")
    sigma = rows[rows["index"] == "sigma"].set_index("parameter")["value"].reindex(mu.index)
    fig = _figure(6.0, 5.0)
    ax = fig.subplots()
    ax.errorbar(mu["value"], sigma, xerr=_errors(mu), fmt="o", capsize=3)
    for name in mu.index:
        ax.annotate(str(name), (mu.at[name, "value"], sigma[name]), textcoords="offset points", xytext=(4, 4))
    top = 1.1 * float(np.nanmax([mu["value"].max(), sigma.max(), 0.0])) or 1.0
    ax.plot([0, top], [0, top], linestyle="--", color="grey", linewidth=0.8, label="σ = μ*")
    ax.set(xlabel="μ* (mean absolute elementary effect)", ylabel="σ (spread of elementary effects)", title=title)
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, path)


#: Parameters drawn in a convergence plot: the largest by their index at the
#: largest sample (all of them when there are no more than this).
CONVERGENCE_LINES = 8


def plot_convergence(conv: pd.DataFrame, path: Path, title: str) -> Path:
    """Each index against the base sample size, one line and interval band per parameter.

    With many parameters only the :data:`CONVERGENCE_LINES` largest (by their
    total or first-order index at the largest sample) are drawn, and the title
    says so; ``convergence.csv`` holds them all.

    Args:
        conv: :func:`convergence` output.
        path: PNG file to write.
        title: Figure title.

    Returns:
        ``path``.

    Raises:
        ValueError: No rows, or rows of several outcomes.
    """
    _one_outcome(conv)
    groups = list(dict.fromkeys(conv["index"]))
    shown = _largest_at_full_sample(conv, CONVERGENCE_LINES)
    if len(shown) < conv["parameter"].nunique():
        title = f"{title} (the {len(shown)} largest of {conv['parameter'].nunique()} parameters)"
    conv = conv[conv["parameter"].isin(shown)]
    fig = _figure(5.0 * len(groups), 4.0)
    axes = fig.subplots(1, len(groups), squeeze=False, sharey=True)[0]
    for ax, index in zip(axes, groups, strict=True):
        for parameter, rows in conv[conv["index"] == index].groupby("parameter", sort=False):
            rows = rows.sort_values("n")
            (line,) = ax.plot(rows["n"], rows["value"], marker="o", label=str(parameter))
            ax.fill_between(rows["n"], rows["ci_low"], rows["ci_high"], color=line.get_color(), alpha=0.15)
        ax.set_xscale("log", base=2)
        ax.set(xlabel="base samples N", title=f"Sobol' {index}")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("index")
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    return _save(fig, path)


def _largest_at_full_sample(conv: pd.DataFrame, count: int) -> list[str]:
    """The ``count`` parameters with the largest index (ST if present, else S1) at the largest N."""
    index = "ST" if (conv["index"] == "ST").any() else conv["index"].iloc[0]
    last = conv[(conv["index"] == index) & (conv["n"] == conv["n"].max())]
    return last.nlargest(count, "value")["parameter"].astype(str).tolist()


def _one_outcome(frame: pd.DataFrame) -> None:
    if frame.empty:
        raise ValueError("nothing to plot: no indices")
    if "outcome" in frame.columns and frame["outcome"].nunique() > 1:
        raise ValueError(f"plot one outcome at a time; got {', '.join(map(str, frame['outcome'].unique()))}")


def _errors(rows: pd.DataFrame) -> np.ndarray:
    """Asymmetric error-bar lengths from the interval; none where there is no interval."""
    below = rows["value"].to_numpy(float) - rows["ci_low"].to_numpy(float)
    above = rows["ci_high"].to_numpy(float) - rows["value"].to_numpy(float)
    return np.clip(np.nan_to_num(np.vstack([below, above])), 0.0, None)


def _bars(ax: Axes, rows: pd.DataFrame) -> None:
    y = np.arange(len(rows))
    ax.barh(y, rows["value"], xerr=_errors(rows), capsize=3, color="tab:blue", alpha=0.8)
    ax.set_yticks(y, labels=rows["parameter"].astype(str))
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_title(f"{rows['method'].iloc[0]} {rows['index'].iloc[0]}")
    ax.grid(axis="x", alpha=0.3)


def plot_by_year(by_year: pd.DataFrame, path: Path, title: str, index: str) -> Path:
    """One index of one outcome year by year: a line per parameter, with its interval as a band.

    Args:
        by_year: Rows of one outcome and strategy with ``year``, ``parameter``,
            ``index``, ``value``, ``ci_low``, ``ci_high``.
        path: Where to write the PNG.
        title: Figure title.
        index: Which index to draw (e.g. ``ST``).
    """
    rows = by_year[by_year["index"] == index]
    fig = _figure(6.5, 3.8)
    ax = fig.add_subplot()
    for parameter, line in rows.groupby("parameter", sort=False):
        line = line.sort_values("year")
        drawn = ax.plot(line["year"], line["value"], marker="o", label=parameter)
        ax.fill_between(line["year"], line["ci_low"], line["ci_high"], alpha=0.15, color=drawn[0].get_color())
    ax.set_xlabel("year of the run")
    ax.set_ylabel(index)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="best")
    return _save(fig, path)


def _figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas (no pyplot state, safe in worker threads)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
