"""Calibration by approximate Bayesian computation (ABC-SMC).

The uncertain parameters that set the levels the calibration patterns test
(:data:`CALIBRATED`) are fitted to the patterns whose role is "calibration"
in ``experiments/patterns/sector.toml``, with a sequential Monte Carlo ABC sampler
(Toni et al. 2009; Beaumont et al. 2009), written here on NumPy and SciPy:

1. Generation 0 draws ``population`` particles from the prior: uniform over
   each parameter's declared bounds (:mod:`model.params`).
2. Generation ``t`` sets the tolerance ``ε_t`` to the ``alpha`` quantile of the
   previous generation's distances (Del Moral, Doucet & Jasra 2012), then
   proposes particles by picking a previous particle by weight and moving it
   with a multivariate Gaussian kernel of covariance twice the weighted
   covariance of the previous generation (Beaumont et al. 2009; Filippi et al.
   2013), redrawing any proposal outside the prior's box. A particle is
   accepted when its run's distance is at most ``ε_t``; its weight is
   ``prior / Σ_j w_j K(θ | θ_j)``. (Until Evidence v2 the kernel was
   independent in each parameter; the posterior's strong correlations, e.g.
   ``initial_trust`` with ``treatment_quality``, made most proposals miss.)
3. It stops after ``generations`` generations, or before starting one whose
   expected cost (``population`` over the expected acceptance rate, the last
   rate times ``alpha``) exceeds what is left of the simulation budget. The
   acceptance rate counts every candidate within the tolerance, those
   simulated past the population in a generation's last batch too, so the
   batches are sized to the true rate (until Evidence v2 it counted only the
   kept particles, which halved the estimate each generation and ran every
   batch at its cap of four populations). A
   generation that still runs out of budget is dropped, and its simulations
   are counted as discarded.

The distance is the root mean square of ``(statistic - target) / tolerance``
over the calibration patterns, so a distance of 1 means "on average at the
edge of the evidence's tolerance".

**Why not pyabc, ELFI or sbi** (the maintained libraries on PyPI; checked
for Evidence v2, none installed or run here). pyabc 0.13 does what this
sampler now does (a multivariate normal transition, adaptive tolerances) and
more (adaptive distances and population sizes), but it brings ipykernel,
redis, SQLAlchemy and GitPython into the model's dependencies, and its
multicore samplers reseed each worker from the operating system
(``np.random.seed()``), so the same master seed does not give the same
posterior. ELFI 0.8.7 (whose BOLFI would need far fewer simulations) declares
GPy, ipyparallel and numpy 1.24 or older, and the project needs numpy 2. sbi
(neural posterior estimation) needs PyTorch and trains a network whose result
is not reproducible to the bit. Above all, the fit is limited by what the
targets can identify and by the model's misfit (:func:`linear_sensitivity`,
:func:`noise_floor`), which no sampler changes.

**Determinism.** Every candidate's parameters come from one generator per generation (``default_rng([seed, t])``),
candidate ``j`` of generation ``t`` runs from seed ``j`` of
:func:`experiments.runner.derive_seeds` on the stream
``(*CALIBRATION_STREAM, t)``, candidates are simulated in fixed batches and
accepted in candidate order, so the posterior is the same for any number of
workers (tested), as for every other result of this project. Each model run
is one :class:`~experiments.runner.RunSpec` run by :func:`experiments.runner.run`.

**Convergence.** :class:`FloorStop` measures, after each generation, the
*noise floor*: the median distance of runs at the particles' weighted medians
that differ only in their seeds. Once the tolerance reaches it, the sampler
rejects most runs of its own best point for their seeds alone, and a smaller
tolerance would select seeds rather than parameters, so it stops
(:func:`convergence` gives the verdict and, if it did not converge, why).
:func:`linear_sensitivity` and :func:`posterior_structure` report which
parameters and combinations the targets pin down.

**Resuming.** :class:`Checkpoint` keeps each completed generation in
``OUT/checkpoint/`` as it finishes, and the generation in progress after each
batch (its generator's state and the particles accepted so far), as JSON, so
every float comes back to the bit. ``tenant-trust calibrate --resume`` starts
from there: because generation ``t`` draws only from ``[seed, t]`` and its own
seed stream, the resumed run gives the same posterior, to the bit, as one
never interrupted (tested). A kill loses at most the batch in progress. The same
``--resume`` extends a run that stopped on its budget or its generation
limit, with a larger ``--max-simulations`` or ``--generations``; every other
setting, the targets, the priors and the model's code must be as they were.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from experiments.outputs import write_json_atomically
from experiments.runner import CALIBRATION_STREAM, DEFAULT_SEED, RunSpec, derive_seeds, executor, provenance, run
from experiments.validation import Pattern, load_patterns, statistics
from model import params
from model.resources import package_dir
from model.scenario import DEFAULT_WEEKS as SCENARIO_WEEKS
from model.scenario import POSTERIOR_META, load_scenario

#: Quantile of the previous generation's distances that sets the next tolerance.
DEFAULT_ALPHA = 0.5

#: Parameters fitted by ``tenant-trust calibrate``: for each calibration
#: pattern, the uncertain parameter that sets its level most directly (see
#: ``docs/interpreting.md`` for the reasons and for what is left out).
CALIBRATED = (
    "initial_trust",
    "treatment_quality",
    "first_time_fix",
    "underrepresented_trust_gap",
    "participation_threshold_mean",
    "repairs_per_home_year",
    "over_65_trust_lift",
    "repair_job_weeks",
)
#: Defaults of ``tenant-trust calibrate``: estate size and run length of each
#: simulation, particles per generation, generations at most, simulation budget.
DEFAULT_HOMES = 2000
DEFAULT_WEEKS = SCENARIO_WEEKS
DEFAULT_POPULATION = 200
DEFAULT_GENERATIONS = 8
DEFAULT_MAX_SIMULATIONS = 5000
#: A default is replaced by the posterior median only when the posterior's 90%
#: interval is at most this share of the prior's.
NARROWED_RATIO = 0.5
#: "Neither" band widths at which each run's dissatisfied share is measured.
BAND_GRID = tuple(np.round(np.arange(0.0, 0.3001, 0.025), 3))
#: The committed calibration, shipped (read-only) as the ``calibration`` package's data. ``tenant-trust calibrate``
#: writes to its ``--out`` folder instead: ``calibration/`` in the current directory unless told otherwise, which
#: is this folder when run from the repository's root.
CALIBRATION_DIR = package_dir("calibration")

Simulator = Callable[[Mapping[str, float], int], Mapping[str, float]]
StopRule = Callable[[int, "Generation", Executor], "str | None"]


@dataclass(frozen=True)
class Prior:
    """Independent uniform priors on a box.

    Attributes:
        names: Parameter names.
        low: Lower bounds.
        high: Upper bounds.
    """

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def declared(cls, names: Sequence[str] = CALIBRATED) -> Prior:
        """Uniform over each parameter's declared bounds."""
        declared = [params.get(n) for n in names]
        return cls(tuple(names), np.array([p.low for p in declared]), np.array([p.high for p in declared]))

    def to_unit(self, theta: np.ndarray) -> np.ndarray:
        """Parameters scaled to the unit cube."""
        return (theta - self.low) / (self.high - self.low)

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        """Unit-cube points back on the parameters' scale."""
        return self.low + unit * (self.high - self.low)


@dataclass
class Generation:
    """One ABC-SMC population.

    Attributes:
        epsilon: Tolerance on the distance (``inf`` for generation 0).
        theta: Accepted parameters, shape (population, parameters).
        weights: Normalised importance weights.
        distances: Each particle's distance.
        stats: Each particle's simulated statistics.
        simulations: Simulations run for this generation.
        hits: Candidates within the tolerance, counting those past the population (which are simulated
            in the last batch but not kept); None when not counted.
    """

    epsilon: float
    theta: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    stats: list[dict[str, float]]
    simulations: int
    hits: int | None = None

    @property
    def acceptance_rate(self) -> float:
        """Candidates within the tolerance over simulations (accepted particles, if hits were not counted)."""
        return (len(self.weights) if self.hits is None else self.hits) / self.simulations

    @property
    def ess(self) -> float:
        """Effective sample size of the weights."""
        return float(1.0 / np.sum(self.weights**2))


@dataclass
class ABCResult:
    """The outcome of :func:`abc_smc`: the prior, every generation, and the run's settings.

    ``discarded`` counts the simulations of a generation dropped because the
    budget ran out before it was complete.
    """

    prior: Prior
    generations: list[Generation]
    settings: dict[str, Any] = field(default_factory=dict)
    discarded: int = 0

    @property
    def final(self) -> Generation:
        """The last complete generation: the posterior sample."""
        return self.generations[-1]

    def posterior(self) -> pd.DataFrame:
        """The final population: ``particle``, ``weight``, ``distance`` and one column per parameter."""
        g = self.final
        frame = pd.DataFrame(g.theta, columns=list(self.prior.names))
        for column, (name, values) in enumerate(
            zip(POSTERIOR_META, (np.arange(len(g.weights)), g.weights, g.distances), strict=True)
        ):
            frame.insert(column, name, values)
        return frame

    def history(self) -> pd.DataFrame:
        """One row per generation: tolerance, simulations, acceptance rate, effective sample size."""
        rows = [
            {
                "generation": t,
                "epsilon": g.epsilon,
                "simulations": g.simulations,
                "acceptance_rate": g.acceptance_rate,
                "ess": g.ess,
                "distance_median": float(np.median(g.distances)),
            }
            for t, g in enumerate(self.generations)
        ]
        return pd.DataFrame(rows)


def distance(simulated: Mapping[str, float], targets: Mapping[str, tuple[float, float]]) -> float:
    """Root mean square of ``(statistic - target) / scale``; ``inf`` if a statistic is missing or NaN.

    Args:
        simulated: Statistics of one run.
        targets: Statistic name -> (target, scale).
    """
    terms = []
    for name, (target, scale) in targets.items():
        value = simulated.get(name, math.nan)
        if not math.isfinite(value):
            return math.inf
        terms.append(((value - target) / scale) ** 2)
    return math.sqrt(sum(terms) / len(terms))


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float | Sequence[float]) -> np.ndarray:
    """Quantiles of a weighted sample (linear interpolation of the weighted CDF at mid-points)."""
    order = np.argsort(values)
    v, w = np.asarray(values)[order], np.asarray(weights)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.atleast_1d(q), cdf, v)


def _kernel_covariance(generation: Generation, prior: Prior) -> np.ndarray:
    """Kernel covariance in the unit cube: twice the previous generation's weighted covariance.

    A multivariate kernel (Filippi et al. 2013, *Stat. Appl. Genet. Mol. Biol.* 12(1); pyabc's default
    ``MultivariateNormalTransition``) follows the ridges of a posterior whose parameters are correlated,
    where one independent in each parameter proposes mostly off the ridge.
    """
    unit = prior.to_unit(generation.theta)
    centred = unit - generation.weights @ unit
    covariance = (centred * generation.weights[:, None]).T @ centred
    return 2.0 * covariance + 1e-10 * np.eye(unit.shape[1])


def _kernel_density(unit: np.ndarray, centres: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Multivariate normal kernel densities ``K(u | c)``: rows are new points, columns are centres."""
    chol = np.linalg.cholesky(covariance)
    diff = unit[:, None, :] - centres[None, :, :]
    z = np.linalg.solve(chol, diff.reshape(-1, unit.shape[1]).T).T
    log_norm = 0.5 * unit.shape[1] * math.log(2.0 * math.pi) + float(np.sum(np.log(np.diag(chol))))
    return np.exp(-0.5 * np.sum(z**2, axis=1) - log_norm).reshape(diff.shape[:2])


#: Rounds of redrawing proposals that fall outside the prior's box before the sampler gives up.
MAX_PROPOSAL_ROUNDS = 1000


def _propose(
    rng: np.random.Generator, previous: Generation, prior: Prior, covariance: np.ndarray, n: int
) -> np.ndarray:
    """``n`` proposals inside the prior's box: a previous particle picked by weight, moved by the kernel.

    A proposal outside the box has prior density 0; it is redrawn whole (particle and move), so the
    proposal density is ``Σ_j w_j K(θ | θ_j)`` restricted to the box, with one normalising constant
    that the normalised weights cancel.

    Raises:
        RuntimeError: Fewer than ``n`` proposals inside the box after :data:`MAX_PROPOSAL_ROUNDS` rounds.
    """
    chol = np.linalg.cholesky(covariance)
    centres = prior.to_unit(previous.theta)
    kept: list[np.ndarray] = []
    count = 0
    for _ in range(MAX_PROPOSAL_ROUNDS):
        if count >= n:
            break
        picks = rng.choice(len(previous.weights), size=n - count, p=previous.weights)
        moved = centres[picks] + rng.standard_normal((n - count, centres.shape[1])) @ chol.T
        inside = moved[np.all((moved >= 0.0) & (moved <= 1.0), axis=1)]
        kept.append(inside)
        count += len(inside)
    if count < n:
        raise RuntimeError(f"only {count} of {n} proposals fell inside the prior's box in {MAX_PROPOSAL_ROUNDS} rounds")
    return prior.from_unit(np.concatenate(kept)[:n])


def _evaluate(
    simulate: Simulator, prior: Prior, theta: np.ndarray, seeds: Sequence[int], pool: Executor
) -> list[dict[str, float]]:
    tasks = [
        (simulate, dict(zip(prior.names, map(float, row), strict=True)), int(s))
        for row, s in zip(theta, seeds, strict=True)
    ]
    return list(pool.map(_run_task, tasks))


def _run_task(task: tuple[Simulator, dict[str, float], int]) -> dict[str, float]:
    simulate, values, seed = task
    return dict(simulate(values, seed))


def _generation(
    t: int,
    epsilon: float,
    previous: Generation | None,
    context: _Context,
    budget: int,
    partial: Mapping[str, Any] | None = None,
    on_batch: Callable[[dict[str, Any]], None] | None = None,
) -> Generation:
    """Run generation ``t``, from the state ``partial`` of an interrupted run of it if given.

    After each batch that leaves the generation unfinished, ``on_batch`` gets its state (the
    generator's state, the particles accepted so far, simulations and hits), from which a run that
    dies in the next batch goes on exactly as it would have.

    Raises:
        _BudgetExhaustedError: The budget ran out before ``population`` particles were accepted.
    """
    rng = np.random.default_rng([context.seed, t])
    n, prior = context.population, context.prior
    covariance = _kernel_covariance(previous, prior) if previous is not None else None
    accepted: list[tuple[np.ndarray, float, dict[str, float]]] = []
    simulations, hits = 0, 0
    rate = 1.0 if previous is None else max(previous.acceptance_rate * context.alpha, 0.01)
    if partial is not None:
        rng.bit_generator.state = partial["rng"]
        accepted = [(np.array(row, dtype=float), float(d), dict(stats)) for row, d, stats in partial["accepted"]]
        simulations, hits = int(partial["simulations"]), int(partial["hits"])
        rate = max(hits / simulations, 0.01)
    while len(accepted) < n:
        batch = int(min(4 * n, max(n // 4, math.ceil((n - len(accepted)) / rate))))
        if simulations + batch > budget:
            raise _BudgetExhaustedError(simulations)
        if previous is None:
            theta = prior.from_unit(rng.random((batch, len(prior.names))))
        else:
            theta = _propose(rng, previous, prior, covariance, batch)
        seeds = derive_seeds(context.seed, batch, (*CALIBRATION_STREAM, t), start=simulations)
        results = _evaluate(context.simulate, prior, theta, seeds, context.pool)
        simulations += batch
        for row, result in zip(theta, results, strict=True):
            d = distance(result, context.targets)
            hits += d <= epsilon
            if d <= epsilon and len(accepted) < n:
                accepted.append((row, d, result))
        rate = max(hits / simulations, 0.01)
        if on_batch is not None and len(accepted) < n:
            on_batch(
                {
                    "generation": t,
                    "epsilon": epsilon,
                    "rng": rng.bit_generator.state,
                    "accepted": [[row.tolist(), d, stats] for row, d, stats in accepted],
                    "simulations": simulations,
                    "hits": int(hits),
                }
            )
    theta = np.array([a[0] for a in accepted])
    if previous is None:
        weights = np.full(n, 1.0 / n)
    else:
        density = _kernel_density(prior.to_unit(theta), prior.to_unit(previous.theta), covariance) @ previous.weights
        weights = 1.0 / density
        weights /= weights.sum()
    distances = np.array([a[1] for a in accepted])
    return Generation(epsilon, theta, weights, distances, [a[2] for a in accepted], simulations, int(hits))


class _BudgetExhaustedError(Exception):
    """The budget ran out during a generation, after ``simulations`` simulations."""

    def __init__(self, simulations: int) -> None:
        super().__init__(simulations)
        self.simulations = simulations


@dataclass(frozen=True)
class _Context:
    simulate: Simulator
    prior: Prior
    targets: Mapping[str, tuple[float, float]]
    population: int
    alpha: float
    seed: int
    pool: Executor


def abc_smc(
    simulate: Simulator,
    prior: Prior,
    targets: Mapping[str, tuple[float, float]],
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    max_simulations: int = DEFAULT_MAX_SIMULATIONS,
    alpha: float = DEFAULT_ALPHA,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
    stop: StopRule | None = None,
    start: Sequence[Generation] = (),
    on_generation: Callable[[int, Generation], None] | None = None,
    partial: Mapping[str, Any] | None = None,
    on_batch: Callable[[dict[str, Any]], None] | None = None,
) -> ABCResult:
    """ABC-SMC with adaptive tolerances (see the module docstring).

    Args:
        simulate: ``simulate(values, seed) -> statistics``; a module-level
            function when ``workers > 1`` (it is sent to other processes).
        prior: Uniform priors.
        targets: Statistic name -> (target, scale) for the distance.
        population: Particles per generation.
        generations: Generations at most (generation 0, from the prior, included).
        max_simulations: Simulation budget; a generation it cannot pay for is not started
            (or, if started, is dropped and the previous one kept).
        alpha: Quantile of the previous distances that sets the next tolerance.
        seed: Master seed: the same seed gives the same result for any ``workers``.
        workers: Processes to use.
        progress: Called with one line of text per generation.
        stop: Called after each generation with its index, the generation and the worker pool; a
            returned reason (text) ends the run there, recorded as ``settings["stopped_by"]``.
        start: Generations already completed by an earlier run with the same settings (a resumed
            run, :class:`Checkpoint`); the run goes on from the next one, after asking ``stop`` about
            the last of them again.
        on_generation: Called with each newly completed generation's index and the generation (to
            keep a checkpoint).
        partial: The state of the generation after ``start``, as an interrupted run left it (what
            ``on_batch`` was last given); that generation goes on from it.
        on_batch: Called with the state of the generation in progress after each batch that leaves it
            unfinished (to keep a checkpoint within a generation).

    Raises:
        ValueError: Settings out of range, a budget too small for generation 0, or a ``partial``
            that is not of the generation after ``start`` at its tolerance.

    Returns:
        Every completed generation; the last is the posterior sample.
    """
    if population < 2 or generations < 1 or not 0.0 < alpha < 1.0:
        raise ValueError(
            f"population = {population}, generations = {generations}, alpha = {alpha}; allowed: ≥2, ≥1, (0, 1)"
        )
    if max_simulations < population:
        raise ValueError(f"max_simulations = {max_simulations}; allowed: at least the population ({population})")
    settings = {"population": population, "generations": generations, "max_simulations": max_simulations}
    settings |= {"alpha": alpha, "seed": seed, "workers": workers}
    done: list[Generation] = list(start)
    used, discarded = sum(g.simulations for g in done), 0
    stopped_by = "the generation limit"
    with executor(workers) as pool:
        context = _Context(simulate, prior, dict(targets), population, alpha, seed, pool)
        reason = stop(len(done) - 1, done[-1], pool) if done and stop is not None else None
        first = generations if reason else len(done)  # a resumed run that had already stopped stays stopped
        for t in range(first, generations):
            if done and population / max(done[-1].acceptance_rate * alpha, 0.01) > max_simulations - used:
                stopped_by = "the simulation budget (the next generation's expected cost exceeded what was left)"
                break
            epsilon = math.inf if not done else float(np.quantile(done[-1].distances, alpha))
            state = partial if t == len(start) else None
            if state is not None and (state["generation"] != t or float(state["epsilon"]) != epsilon):
                raise ValueError(
                    f"the interrupted generation {state['generation']} at tolerance {state['epsilon']} does not "
                    f"follow the {len(start)} generations given (generation {t} at tolerance {epsilon})"
                )
            try:
                previous = done[-1] if done else None
                generation = _generation(t, epsilon, previous, context, max_simulations - used, state, on_batch)
            except _BudgetExhaustedError as stop:
                if not done:
                    raise ValueError(f"max_simulations = {max_simulations} ran out during generation 0") from None
                discarded = stop.simulations
                stopped_by = "the simulation budget (it ran out during a generation, which was dropped)"
                break
            done.append(generation)
            used += generation.simulations
            if on_generation is not None:
                on_generation(t, generation)
            if progress is not None:
                progress(
                    f"generation {t}: epsilon {epsilon:.3g}, {generation.simulations} simulations, "
                    f"acceptance {generation.acceptance_rate:.1%}, "
                    f"median distance {np.median(generation.distances):.3g}"
                )
            reason = stop(t, generation, pool) if stop is not None else None
            if reason:
                break
    stopped_by = reason or stopped_by
    return ABCResult(prior, done, settings | {"stopped_by": stopped_by}, discarded)


# --- the model's calibration ---------------------------------------------------------
def calibration_patterns(patterns: Sequence[Pattern] | None = None) -> list[Pattern]:
    """The patterns whose role is "calibration" (all of them "near" patterns)."""
    chosen = [p for p in (patterns or load_patterns()) if p.role == "calibration"]
    bad = [p.name for p in chosen if p.kind != "near"]
    if bad:
        raise ValueError(f"calibration patterns must be 'near' patterns; not: {', '.join(bad)}")
    return chosen


def model_targets(patterns: Sequence[Pattern] | None = None) -> dict[str, tuple[float, float]]:
    """Statistic -> (target, tolerance) of the calibration patterns."""
    return {p.statistic: (p.target, p.tolerance) for p in calibration_patterns(patterns)}


@dataclass(frozen=True)
class ModelSimulator:
    """``simulate(values, seed)`` for the baseline on a given estate size and run length.

    Returns every pattern statistic, plus ``dissatisfied@B`` for each "neither"
    band ``B`` in :data:`BAND_GRID`.
    """

    homes: int = DEFAULT_HOMES
    weeks: int = DEFAULT_WEEKS
    scenario: str = "baseline"

    def __call__(self, values: Mapping[str, float], seed: int) -> dict[str, float]:
        """Run the scenario with ``values`` from ``seed`` and measure it."""
        scenario = load_scenario(self.scenario, homes=self.homes, **values)
        outcome = run(RunSpec(scenario, seed, self.weeks, observe=True, dissatisfied_bands=BAND_GRID))
        observed = dict(outcome.observed)
        bands = {key: observed.pop(key) for key in list(observed) if key.startswith("dissatisfied@")}
        return statistics(observed) | bands


def fitted_band(stats_row: Mapping[str, float], target: float) -> float:
    """The "neither" band at which a run's dissatisfied share (expected survey) equals ``target`` (%).

    Interpolates over :data:`BAND_GRID` (dissatisfaction falls as the band
    widens); clipped to the grid's ends if the target is outside its range.
    """
    shares = np.array([stats_row[f"dissatisfied@{b:g}"] for b in BAND_GRID])
    return float(np.interp(target, shares[::-1], np.array(BAND_GRID)[::-1]))


def summarise(result: ABCResult, band_target: float | None = None) -> dict[str, Any]:
    """Posterior medians and 90% intervals, against the prior and the declared defaults.

    Returns:
        ``parameters``: name -> prior bounds, median, q05, q95, width ratio
        (posterior 90% width over the prior's), ``narrowed`` (ratio ≤
        :data:`NARROWED_RATIO`) and the declared default; ``neither_band``
        (when ``band_target`` is given); ``generations`` (the history).
    """
    g = result.final
    summary: dict[str, Any] = {"parameters": {}}
    for i, name in enumerate(result.prior.names):
        low, high = result.prior.low[i], result.prior.high[i]
        q05, median, q95 = weighted_quantile(g.theta[:, i], g.weights, [0.05, 0.5, 0.95])
        ratio = float((q95 - q05) / (0.9 * (high - low)))
        summary["parameters"][name] = {
            "prior": [float(low), float(high)],
            "median": float(median),
            "q05": float(q05),
            "q95": float(q95),
            "width_ratio": ratio,
            "narrowed": ratio <= NARROWED_RATIO,
            "declared_default": float(params.get(name).default) if name in params.defaults() else None,
        }
    if band_target is not None:
        bands = np.array([fitted_band(s, band_target) for s in g.stats])
        q05, median, q95 = weighted_quantile(bands, g.weights, [0.05, 0.5, 0.95])
        summary["neither_band"] = {"target_dissatisfied": band_target, "median": median, "q05": q05, "q95": q95}
    summary["generations"] = result.history().to_dict(orient="records")
    return summary


# --- what the data pin down, and whether the sampler has converged ---------------------------
#: Seed stream of the noise-floor runs: beyond any generation's (generations are bounded at 1,000).
NOISE_STREAM = (*CALIBRATION_STREAM, 100_000)
#: Runs at the posterior median that measure the noise floor.
DEFAULT_NOISE_RUNS = 40
#: A posterior direction counts as constrained when its standard deviation is at most this share of the prior's.
CONSTRAINED_RATIO = 0.5


def scaled_misses(row: Mapping[str, float], targets: Mapping[str, tuple[float, float]]) -> np.ndarray:
    """``(statistic - target) / tolerance`` for each target, in the targets' order (NaN if missing)."""
    return np.array([(row.get(k, math.nan) - t) / s for k, (t, s) in targets.items()], dtype=float)


def linear_sensitivity(generation: Generation, prior: Prior, targets: Mapping[str, tuple[float, float]]) -> dict:
    """What each target can tell about each parameter, from a sample over the prior (generation 0).

    Each target's scaled miss is regressed (least squares) on the parameters scaled to the unit cube, so
    coefficient ``J[i, k]`` is how many tolerances target ``k`` moves as parameter ``i`` crosses its whole
    prior range. The singular value decomposition of ``J`` gives the parameter combinations the targets
    see: a direction with singular value below 1 moves every target by less than a tolerance across the
    prior, so the targets cannot pin it down.

    Returns:
        ``jacobian`` (parameter -> target -> coefficient), ``r2`` (target -> share of its variance the
        linear fit explains), and ``directions`` (singular value and unit loadings, largest first).
    """
    unit = prior.to_unit(generation.theta)
    design = np.column_stack([np.ones(len(unit)), unit])
    misses = np.array([scaled_misses(row, targets) for row in generation.stats])
    keep = np.all(np.isfinite(misses), axis=1)
    coefficients, *_ = np.linalg.lstsq(design[keep], misses[keep], rcond=None)
    jacobian = coefficients[1:]
    residual = misses[keep] - design[keep] @ coefficients
    r2 = 1.0 - residual.var(axis=0) / np.maximum(misses[keep].var(axis=0), 1e-12)
    _, values, vectors = np.linalg.svd(jacobian.T, full_matrices=False)
    names, stats_names = prior.names, list(targets)
    return {
        "jacobian": {n: dict(zip(stats_names, map(float, jacobian[i]), strict=True)) for i, n in enumerate(names)},
        "r2": dict(zip(stats_names, map(float, r2), strict=True)),
        "directions": [
            _direction(vec, names) | {"singular_value": float(v)} for v, vec in zip(values, vectors, strict=True)
        ],
    }


def _direction(vector: np.ndarray, names: Sequence[str]) -> dict[str, Any]:
    """A direction's unit loadings, signed so that the largest is positive."""
    sign = 1.0 if vector[np.argmax(np.abs(vector))] > 0 else -1.0
    return {"loadings": {n: round(float(sign * v), 3) for n, v in zip(names, vector, strict=True)}}


def posterior_structure(generation: Generation, prior: Prior) -> dict[str, Any]:
    """The posterior's correlations and principal directions, against a uniform prior's spread.

    The weighted covariance of the particles in the unit cube is decomposed into principal directions;
    each direction's standard deviation is divided by a uniform prior's (``1/√12``). A ratio at most
    :data:`CONSTRAINED_RATIO` marks a combination of parameters that the targets constrain, even where
    no single parameter narrows.

    Returns:
        ``correlations`` (parameter -> parameter -> weighted correlation) and ``directions`` (sd ratio,
        ``constrained`` and unit loadings, most constrained first).
    """
    unit = prior.to_unit(generation.theta)
    centred = unit - generation.weights @ unit
    covariance = (centred * generation.weights[:, None]).T @ centred
    sd = np.sqrt(np.maximum(np.diag(covariance), 1e-300))
    correlation = covariance / np.outer(sd, sd)
    values, vectors = np.linalg.eigh(covariance)
    names = prior.names
    directions = []
    for value, vector in zip(values, vectors.T, strict=True):
        ratio = float(math.sqrt(max(value, 0.0) * 12.0))
        directions.append({"sd_ratio": ratio, "constrained": ratio <= CONSTRAINED_RATIO} | _direction(vector, names))
    return {
        "correlations": {
            a: {b: round(float(correlation[i, j]), 3) for j, b in enumerate(names)} for i, a in enumerate(names)
        },
        "directions": directions,
    }


def noise_floor(
    simulate: Simulator,
    values: Mapping[str, float],
    targets: Mapping[str, tuple[float, float]],
    runs: int,
    seed: int,
    pool: Executor | None = None,
) -> dict[str, Any]:
    """Distances of repeated runs at one parameter set: how close its seed noise lets any particle come.

    Runs ``simulate(values, s)`` for ``runs`` seeds of :data:`NOISE_STREAM`. The median distance is the
    floor: particles accepted below it are chosen partly for their seeds, so a tolerance much below it
    would fit noise. The mean scaled miss of each target says which targets the point misses.

    Returns:
        ``values``, ``runs``, ``median``, ``q10``, ``q90`` of the distances, and per target ``mean_miss``
        and ``sd_miss`` (in tolerances).
    """
    seeds = derive_seeds(seed, runs, NOISE_STREAM)
    tasks = [(simulate, dict(values), int(s)) for s in seeds]
    rows = list(map(_run_task, tasks) if pool is None else pool.map(_run_task, tasks))
    distances = np.array([distance(row, targets) for row in rows])
    misses = np.array([scaled_misses(row, targets) for row in rows])
    q10, median, q90 = np.quantile(distances, [0.1, 0.5, 0.9])
    per_target = {
        k: {"mean_miss": float(np.nanmean(misses[:, i])), "sd_miss": float(np.nanstd(misses[:, i], ddof=1))}
        for i, k in enumerate(targets)
    }
    return {"values": dict(values), "runs": runs, "median": float(median), "q10": float(q10), "q90": float(q90)} | {
        "targets": per_target
    }


def convergence(result: ABCResult, floor: Mapping[str, Any]) -> dict[str, Any]:
    """Whether the sampler converged, and if not, precisely why.

    Converged: the last tolerance ``ε`` is at most the noise floor's median distance at the posterior
    medians, so the sampler already rejects most runs of its own best point for their seeds alone, and a
    smaller tolerance would select seeds rather than parameters. Otherwise the verdict names what
    stopped the run. Either way it names the targets that the posterior medians miss by more than a
    tolerance, which no further sampling would fix.
    """
    epsilon = float(result.final.epsilon)
    converged = epsilon <= floor["median"]
    if converged:
        reason = (
            f"the last tolerance {epsilon:.3g} is at or below the noise floor {floor['median']:.3g} "
            "(the median distance of runs at the posterior medians, which differ only in their seeds)"
        )
    else:
        reason = (
            f"stopped by {result.settings['stopped_by']} with the last tolerance {epsilon:.3g} above the noise "
            f"floor {floor['median']:.3g}"
        )
    missed = sorted(
        ((k, v["mean_miss"]) for k, v in floor["targets"].items() if abs(v["mean_miss"]) > 1.0),
        key=lambda kv: -abs(kv[1]),
    )
    if missed:
        reason += "; at the posterior medians the model misses " + ", ".join(
            f"{k} by {m:+.2f} tolerances" for k, m in missed
        )
    final = float(np.median(result.final.distances))
    return {"converged": bool(converged), "epsilon": epsilon, "final_median_distance": final} | {
        "noise_floor_median": floor["median"],
        "reason": reason,
    }


def fit_table(result: ABCResult) -> pd.DataFrame:
    """Each accepted particle's statistics, generation by generation (for the fit plot)."""
    frames = [
        pd.DataFrame(g.stats).assign(generation=t, weight=g.weights, distance=g.distances)
        for t, g in enumerate(result.generations)
    ]
    return pd.concat(frames, ignore_index=True)


def plot_posterior(result: ABCResult, path: Path) -> Path:
    """Weighted posterior histograms over each prior's range, with the median and the declared default."""
    g, names = result.final, result.prior.names
    cols = 4
    rows = math.ceil(len(names) / cols)
    figure = Figure(figsize=(3.2 * cols, 2.6 * rows), layout="constrained")
    FigureCanvasAgg(figure)
    for i, name in enumerate(names):
        axes = figure.add_subplot(rows, cols, i + 1)
        low, high = result.prior.low[i], result.prior.high[i]
        axes.hist(g.theta[:, i], bins=20, range=(low, high), weights=g.weights, density=True, color="tab:blue")
        axes.axhline(1.0 / (high - low), color="grey", linestyle=":", label="prior")
        median = weighted_quantile(g.theta[:, i], g.weights, 0.5)[0]
        axes.axvline(median, color="black", label="median")
        default = params.get(name).default if name in params.defaults() else None
        if default is not None:
            axes.axvline(default, color="tab:red", linestyle="--", label="declared default")
        axes.set_xlim(low, high)
        axes.set_title(name, fontsize=9)
        axes.set_yticks([])
    figure.axes[0].legend(fontsize=7)
    figure.suptitle(f"ABC-SMC posterior (generation {len(result.generations) - 1}, {len(g.weights)} particles)")
    figure.savefig(path, dpi=110)
    return path


def plot_fit(result: ABCResult, patterns: Sequence[Pattern], path: Path) -> Path:
    """Each pattern's statistic under the prior (generation 0) and the posterior, against its target band."""
    cols = 4
    rows = math.ceil(len(patterns) / cols)
    figure = Figure(figsize=(3.2 * cols, 2.4 * rows), layout="constrained")
    FigureCanvasAgg(figure)
    first, last = result.generations[0], result.final
    for i, pattern in enumerate(patterns):
        axes = figure.add_subplot(rows, cols, i + 1)
        prior_values = np.array([s[pattern.statistic] for s in first.stats], dtype=float)
        post_values = np.array([s[pattern.statistic] for s in last.stats], dtype=float)
        finite = np.isfinite(prior_values).any() and np.isfinite(post_values).any()
        if finite:
            both = np.concatenate([prior_values, post_values])
            span = (np.nanmin(both), np.nanmax(both))
            kw = {"bins": 25, "range": span if span[1] > span[0] else None, "density": True, "alpha": 0.6}
            axes.hist(prior_values[np.isfinite(prior_values)], color="grey", label="prior", **kw)
            keep = np.isfinite(post_values)
            axes.hist(post_values[keep], weights=last.weights[keep], color="tab:blue", label="posterior", **kw)
        if pattern.kind == "near":
            axes.axvspan(
                pattern.target - pattern.tolerance, pattern.target + pattern.tolerance, color="tab:green", alpha=0.2
            )
        axes.axvline(pattern.target, color="tab:green")
        axes.set_title(f"{pattern.name} ({pattern.role})", fontsize=8)
        axes.set_yticks([])
    figure.axes[0].legend(fontsize=7)
    figure.suptitle("Pattern statistics under the prior and the posterior; green: target and tolerance")
    figure.savefig(path, dpi=110)
    return path


def calibrate(
    homes: int = DEFAULT_HOMES,
    weeks: int = DEFAULT_WEEKS,
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    max_simulations: int = DEFAULT_MAX_SIMULATIONS,
    seed: int = DEFAULT_SEED,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
    noise_runs: int = DEFAULT_NOISE_RUNS,
    checkpoint: Path | None = None,
    resume: bool = False,
) -> tuple[ABCResult, dict[str, Any]]:
    """Calibrate :data:`CALIBRATED` to the calibration patterns; return the result and its summary.

    The summary holds the settings, targets, parameter medians and 90%
    intervals, the fitted "neither" band, the history, the runtime, and
    provenance taken when the run starts (versions, git commit, and a digest
    of the model's source files, since the working tree may change during a
    long run). It also holds what the data pin down: ``sensitivity``
    (:func:`linear_sensitivity` over generation 0), ``posterior_structure``
    (:func:`posterior_structure`), ``noise_floor`` (:func:`noise_floor`, with
    ``noise_runs`` runs at the posterior medians) and ``convergence``
    (:func:`convergence`).

    With ``checkpoint`` (a folder), each completed generation is kept there
    (:class:`Checkpoint`); with ``resume`` too, the run goes on from the last
    generation kept, and ``runtime_seconds`` counts the earlier part's time.

    Raises:
        CheckpointError: ``resume`` with no checkpoint or other inputs, or a fresh run over an
            unfinished checkpoint.
    """
    patterns = load_patterns()
    targets = model_targets(patterns)
    band_target = next(p.target for p in patterns if p.statistic == "dissatisfied")
    record = provenance() | {"model_sources_sha256": model_sources_digest()}  # before the run: code may change
    simulator, prior = ModelSimulator(homes, weeks), Prior.declared()
    settings = {"population": population, "generations": generations, "max_simulations": max_simulations}
    settings |= {"seed": seed, "homes": homes, "weeks": weeks, "noise_runs": noise_runs}
    keeper = None if checkpoint is None else Checkpoint(checkpoint, _inputs(settings, prior, targets, record))
    done, elapsed, partial = keeper.begin(resume) if keeper is not None else Resumed([], 0.0, None)
    start = time.perf_counter() - elapsed
    if (done or partial) and progress is not None:
        within = f", and {partial['simulations']:,} of generation {len(done)}" if partial else ""
        progress(
            f"resuming after generation {len(done) - 1} ({sum(g.simulations for g in done):,} simulations{within})"
        )
    result = abc_smc(
        simulator,
        prior,
        targets,
        population=population,
        generations=generations,
        max_simulations=max_simulations,
        seed=seed,
        workers=workers,
        progress=progress,
        stop=FloorStop(simulator, prior.names, targets, noise_runs, seed, progress),
        start=done,
        on_generation=None if keeper is None else lambda t, g: keeper.save(t, g, time.perf_counter() - start),
        partial=partial,
        on_batch=None if keeper is None else lambda state: keeper.save_partial(state, time.perf_counter() - start),
    )
    summary = summarise(result, band_target)
    summary["resumed_after_generation"] = len(done) - 1 if done else None
    summary["resumed_within_generation"] = (
        {"generation": len(done), "simulations": partial["simulations"]} if partial else None
    )
    summary["settings"] = result.settings | {"homes": homes, "weeks": weeks, "scenario": "baseline"}
    summary["targets"] = {name: {"target": t, "tolerance": s} for name, (t, s) in targets.items()}
    summary["runtime_seconds"] = round(time.perf_counter() - start, 1)
    summary["simulations"] = int(sum(g.simulations for g in result.generations))
    summary["simulations_discarded"] = result.discarded
    summary |= identification(result, targets)
    medians = {name: entry["median"] for name, entry in summary["parameters"].items()}
    with executor(workers) as pool:
        floor = noise_floor(simulator, medians, targets, noise_runs, seed, pool)
    summary["noise_floor"] = floor
    summary["convergence"] = convergence(result, floor)
    summary["runtime_seconds"] = round(time.perf_counter() - start, 1)
    return result, summary | record


@dataclass(frozen=True)
class FloorStop:
    """A stop rule: end the run once the tolerance reaches the noise floor at the generation's medians.

    After each generation from the second on, it measures :func:`noise_floor` at the weighted medians
    of the particles (``runs`` runs; they are not counted against the simulation budget) and stops the
    sampler when the generation's tolerance is at or below that floor's median distance.
    """

    simulate: Simulator
    names: tuple[str, ...]
    targets: Mapping[str, tuple[float, float]]
    runs: int
    seed: int
    progress: Callable[[str], None] | None = None

    def __call__(self, t: int, generation: Generation, pool: Executor) -> str | None:
        """The reason to stop after generation ``t``, or None."""
        if t == 0:
            return None
        medians = {
            name: float(weighted_quantile(generation.theta[:, i], generation.weights, 0.5)[0])
            for i, name in enumerate(self.names)
        }
        floor = noise_floor(self.simulate, medians, self.targets, self.runs, self.seed, pool)
        if self.progress is not None:
            self.progress(f"  noise floor at the medians: {floor['median']:.3g} (epsilon {generation.epsilon:.3g})")
        if generation.epsilon <= floor["median"]:
            return f"convergence (tolerance {generation.epsilon:.3g} reached the noise floor {floor['median']:.3g})"
        return None


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed, or that a fresh run would overwrite unfinished."""


class Resumed(NamedTuple):
    """Where a calibration starts: the generations done, the seconds they took, the generation in progress."""

    generations: list[Generation]
    elapsed: float
    partial: dict[str, Any] | None


@dataclass(frozen=True)
class Checkpoint:
    """Each completed generation of one calibration, and the one in progress, kept so it can be resumed.

    ``folder/inputs.json`` holds what a resumed run must match (``inputs``: settings, priors, targets,
    the model's code digest) and whether the run finished; ``folder/generation-TTT.json`` holds
    generation ``TTT`` whole (tolerance, particles, weights, distances, statistics, simulations and
    candidates within the tolerance) and the seconds the run had taken when it was written;
    ``folder/partial.json`` holds the generation in progress after its last complete batch (the
    sampler's generator state, the particles accepted so far, simulations and hits). Every file is
    written to a temporary name and renamed, so a kill leaves whole files only and loses at most the
    batch in progress.
    """

    folder: Path
    inputs: Mapping[str, Any]

    def begin(self, resume: bool) -> Resumed:
        """Where the run starts: nothing for a fresh run, else the kept generations and any partial one.

        Raises:
            CheckpointError: Resuming with no checkpoint or with inputs that differ (named); or starting
                afresh over a checkpoint of a run that has not finished.
        """
        recorded = self._read("inputs.json")
        if not resume:
            if recorded is not None and not recorded.get("finished", False):
                raise CheckpointError(
                    f"{self.folder} holds an unfinished calibration ({len(self._files())} generations): "
                    "continue it with --resume, or delete that folder to start afresh"
                )
            shutil.rmtree(self.folder, ignore_errors=True)
            self._write("inputs.json", {"inputs": dict(self.inputs), "finished": False})
            return Resumed([], 0.0, None)
        if recorded is None:
            raise CheckpointError(
                f"--resume: no calibration to resume in {self.folder}; allowed: a folder a calibration has "
                "written its checkpoint into"
            )
        changed = _changed(recorded["inputs"], self.inputs)
        if changed:
            raise CheckpointError(
                f"--resume: {self.folder} was written with other inputs ({'; '.join(changed)}); "
                "allowed: the same settings, except a larger --generations or --max-simulations"
            )
        records = [json.loads(path.read_text(encoding="utf-8")) for path in self._files()]
        if [r["generation"] for r in records] != list(range(len(records))):
            raise CheckpointError(f"--resume: {self.folder} does not hold generations 0, 1, 2, ... in order")
        partial = self._read("partial.json")
        if partial is not None and partial["generation"] != len(records):
            partial = None  # left by a generation that was completed and kept after it
        self._write("inputs.json", {"inputs": dict(self.inputs), "finished": False})
        elapsed = partial or (records[-1] if records else {"elapsed_seconds": 0.0})
        return Resumed([_generation_from_record(r) for r in records], float(elapsed["elapsed_seconds"]), partial)

    def save(self, t: int, generation: Generation, elapsed: float) -> None:
        """Keep generation ``t``, written after ``elapsed`` seconds of the run; drop its partial state."""
        self._write(f"generation-{t:03d}.json", _generation_record(t, generation) | {"elapsed_seconds": elapsed})
        (self.folder / "partial.json").unlink(missing_ok=True)

    def save_partial(self, state: Mapping[str, Any], elapsed: float) -> None:
        """Keep the state of the generation in progress, after ``elapsed`` seconds of the run."""
        self._write("partial.json", dict(state) | {"elapsed_seconds": elapsed})

    @classmethod
    def finish(cls, folder: Path) -> None:
        """Mark the run in ``folder`` finished: its outputs are written, so a fresh run may replace it."""
        keeper = cls(folder, {})
        recorded = keeper._read("inputs.json")
        if recorded is not None:
            keeper._write("inputs.json", recorded | {"finished": True})

    def _read(self, name: str) -> dict[str, Any] | None:
        path = self.folder / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    def _files(self) -> list[Path]:
        return sorted(self.folder.glob("generation-*.json"))

    def _write(self, name: str, record: Mapping[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json_atomically(self.folder / name, record)


#: Settings a resumed calibration may raise: it then goes further.
EXTENSIBLE = ("generations", "max_simulations")


def _changed(recorded: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """Each input that differs, as "name: recorded -> now"; a smaller extensible setting counts as a change."""
    changes = []
    for name in sorted(set(recorded) | set(now)):
        before, after = recorded.get(name), now.get(name)
        if name in EXTENSIBLE and before is not None and after is not None and after >= before:
            continue
        if before != after:
            changes.append(f"{name}: {before!r} -> {after!r}")
    return changes


def _generation_record(t: int, g: Generation) -> dict[str, Any]:
    return {
        "generation": t,
        "epsilon": g.epsilon,
        "theta": g.theta.tolist(),
        "weights": g.weights.tolist(),
        "distances": g.distances.tolist(),
        "stats": g.stats,
        "simulations": g.simulations,
        "hits": g.hits,
    }


def _generation_from_record(record: Mapping[str, Any]) -> Generation:
    return Generation(
        float(record["epsilon"]),
        np.array(record["theta"], dtype=float),
        np.array(record["weights"], dtype=float),
        np.array(record["distances"], dtype=float),
        [dict(row) for row in record["stats"]],
        int(record["simulations"]),
        record["hits"],
    )


def _inputs(
    settings: Mapping[str, Any], prior: Prior, targets: Mapping[str, tuple[float, float]], record: Mapping[str, Any]
) -> dict[str, Any]:
    """What a resumed calibration must match, as JSON would give it back."""
    inputs = dict(settings) | {
        "scenario": "baseline",
        "alpha": DEFAULT_ALPHA,
        "prior": {n: [float(lo), float(hi)] for n, lo, hi in zip(prior.names, prior.low, prior.high, strict=True)},
        "targets": {name: list(pair) for name, pair in targets.items()},
        "model_sources_sha256": record["model_sources_sha256"],
    }
    return json.loads(json.dumps(inputs))


def identification(result: ABCResult, targets: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """``sensitivity`` over the prior (generation 0) and the final ``posterior_structure``."""
    return {
        "sensitivity": linear_sensitivity(result.generations[0], result.prior, targets),
        "posterior_structure": posterior_structure(result.final, result.prior),
    }


def model_sources_digest() -> str:
    """SHA-256 of the model's source files (``model/*.py``), to tie a posterior to the exact model code."""
    digest = hashlib.sha256()
    for path in sorted(package_dir("model").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def write_outputs(result: ABCResult, summary: Mapping[str, Any], out: Path) -> list[Path]:
    """Write posterior.csv, summary.json, history.csv, fit.csv, posterior.png and fit.png into ``out``, atomically.

    Every file is written into a temporary folder inside ``out`` first, then
    moved into place by rename, ``summary.json`` first: it records each
    file's SHA-256 and the posterior's row count, so a posterior cut short or
    left beside another calibration's summary (a kill between the renames) is
    refused when read (:func:`model.scenario.read_posterior`). A failure
    while writing leaves the previous files as they were.
    """
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".calibrate-", dir=out))
    try:
        posterior = result.posterior()
        posterior.to_csv(stage / "posterior.csv", index=False, float_format="%.6g")
        result.history().to_csv(stage / "history.csv", index=False, float_format="%.6g")
        fit_table(result).to_csv(stage / "fit.csv", index=False, float_format="%.6g")
        plot_posterior(result, stage / "posterior.png")
        plot_fit(result, load_patterns(), stage / "fit.png")
        names = ["posterior.csv", "history.csv", "fit.csv", "posterior.png", "fit.png"]
        digests = {name: hashlib.sha256((stage / name).read_bytes()).hexdigest() for name in names}
        record = dict(summary) | {
            "posterior_rows": len(posterior),
            "posterior_sha256": digests["posterior.csv"],
            "files_sha256": digests,
        }
        (stage / "summary.json").write_text(json.dumps(record, indent=2, default=float) + "\n", encoding="utf-8")
        for name in ["summary.json", *names]:
            with (stage / name).open("rb") as handle:
                os.fsync(handle.fileno())
            (stage / name).replace(out / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    written = ("posterior.csv", "summary.json", "history.csv", "fit.csv", "posterior.png", "fit.png")
    return [out / name for name in written]


# --- a problem with a known answer, for tests (as SALib ships Ishigami) --------------
def toy_simulate(values: Mapping[str, float], seed: int) -> dict[str, float]:
    """``x = a + N(0, 0.02²)``, ``y = b + N(0, 0.02²)``: the posterior for targets (x*, y*) sits at (x*, y*)."""
    rng = np.random.default_rng(seed)
    return {"x": values["a"] + rng.normal(0.0, 0.02), "y": values["b"] + rng.normal(0.0, 0.02)}


#: The toy problem's prior: ``a`` and ``b`` uniform on [0, 1].
TOY_PRIOR = Prior(("a", "b"), np.zeros(2), np.ones(2))
#: The toy problem's targets (target, tolerance): the posterior sits near ``a = 0.3``, ``b = 0.7``.
TOY_TARGETS = {"x": (0.3, 0.05), "y": (0.7, 0.05)}
