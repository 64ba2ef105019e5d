"""Search for robust strategies: lever settings that do best across uncertain futures (a Pareto set).

An experiment with a ``[search]`` table (:class:`experiments.design.SearchSpec`)
names the strategy levers to search over, the outcomes to judge them on
(trust, participation, representation and cost by default), an optional
budget on total spend, and, through its ``[parameters]`` and ``[design]``,
the uncertain futures. Every candidate setting of the levers is run in every
future, each future (and replicate) with the same seed for every candidate
(common random numbers, :data:`SEARCH_STREAM`), and each outcome is
summarised across the futures (the mean, or the 10th percentile: the level
reached in 90% of futures) as a goodness (:func:`model.outcomes.goodness`:
higher is better; representation is judged by its distance from 1).

The optimiser is pymoo's NSGA-II (Deb et al. 2002), a maintained
many-objective evolutionary algorithm, seeded from the experiment's master
seed. A candidate whose mean spend exceeds the budget, or whose outcome is
undefined in more than half of the futures (:data:`MIN_DEFINED_SHARE`), is
infeasible. The result is the non-dominated set of feasible candidates: no
candidate in it can be improved on one objective without losing on another.
:func:`search` writes them as a table, a plain-language report and one
scenario file per candidate, which ``tenant-trust run`` or ``compare``
accept as they are.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import provenance
from experiments.design import Experiment, ExperimentError, SearchSpec
from experiments.outputs import check_out, folder_lock
from experiments.runner import RunSpec, derive_seeds, executor, run_all
from model import outcomes, params
from model.scenario import load_scenario

#: Seed stream of the search's futures (see :mod:`experiments.runner`): run seeds are children ``(3, i)``.
SEARCH_STREAM: tuple[int, ...] = (3,)
#: A candidate whose objective is undefined in more than this share of futures is infeasible.
MIN_DEFINED_SHARE = 0.5
#: Percentile of the ``p10`` statistic.
CAUTIOUS_PERCENTILE = 10.0


class SearchError(ValueError):
    """A search that cannot run, or that found no feasible strategy."""


@dataclass(frozen=True)
class Futures:
    """The uncertain futures every candidate is run in: parameter values and seeds.

    Attributes:
        values: One dict of uncertain parameter values per future.
        seeds: ``seeds[j][r]``: the seed of replicate ``r`` in future ``j``.
    """

    values: list[dict[str, float | int]]
    seeds: list[list[int]]


def spec_of(experiment: Experiment) -> SearchSpec:
    """The experiment's ``[search]`` table, or an error saying it needs one."""
    if experiment.search is None:
        raise ExperimentError(
            f"{experiment.path}: no [search] table; allowed: an experiment with [search] levers = {{...}} "
            "(and optionally objectives, budget, statistic, population, generations)"
        )
    if len(experiment.scenarios) != 1:
        raise ExperimentError(
            f"{experiment.path}: key 'scenarios' = {list(experiment.scenarios)}; allowed: one strategy "
            "(scenario = NAME) whose levers the search changes"
        )
    return experiment.search


def _kind(name: str, value: float) -> float | int:
    declared = params.get(name)
    if declared.kind == "int":
        return int(round(value / declared.step) * declared.step)
    return float(value)


def futures(experiment: Experiment) -> Futures:
    """The design's points as futures, each with its replicate seeds (the same for every candidate)."""
    design = experiment.design()
    names = list(experiment.bounds)
    values = [{n: _kind(n, row[i]) for i, n in enumerate(names)} for row in design]
    r = experiment.replications
    flat = derive_seeds(experiment.seed, len(values) * r, SEARCH_STREAM)
    return Futures(values, [flat[j * r : (j + 1) * r] for j in range(len(values))])


def decode(spec: SearchSpec, x: Sequence[float]) -> dict[str, float | int]:
    """A candidate's lever values from the optimiser's vector (whole-number levers rounded to their step)."""
    return {name: _kind(name, float(v)) for name, v in zip(spec.levers, x, strict=True)}


def _specs(experiment: Experiment, levers: dict[str, float | int], world: Futures) -> list[RunSpec]:
    base, shocks = experiment.scenarios[0], experiment.shocks
    specs = []
    for values, seeds in zip(world.values, world.seeds, strict=True):
        scenario = load_scenario(base, shocks=shocks, homes=experiment.homes, **values, **levers)
        specs.extend(RunSpec(scenario, seed, experiment.weeks) for seed in seeds)
    return specs


def _statistic(values: np.ndarray, statistic: str) -> float:
    if statistic == "p10":
        return float(np.percentile(values, CAUTIOUS_PERCENTILE))
    return float(np.mean(values))


def summarise(summaries: list[dict[str, Any]], replications: int, spec: SearchSpec) -> dict[str, float]:
    """One candidate's objectives across futures, from its runs' summaries (futures in order, replicates inside).

    Returns:
        Per objective ``O``: ``O`` (the statistic of the outcome's value over
        the futures where it is defined, each future the mean of its
        replicates), ``O_goodness`` and ``O_defined`` (share of futures);
        and ``spend_total_per_home`` (mean over futures).
    """
    row: dict[str, float] = {}
    for name in dict.fromkeys([*spec.objectives, "spend_total_per_home"]):
        raw = np.array([math.nan if s.get(name) is None else float(s[name]) for s in summaries]).reshape(
            -1, replications
        )
        per_future = raw.mean(axis=1)
        defined = per_future[~np.isnan(per_future)]
        row[f"{name}_defined"] = defined.size / per_future.size
        if name == "spend_total_per_home":
            row[name] = float(np.mean(defined)) if defined.size else math.nan
        if name not in spec.objectives:
            continue
        goodness = np.asarray(outcomes.goodness(name, defined), dtype=float)
        row[f"{name}_goodness"] = _statistic(goodness, spec.statistic) if defined.size else math.nan
        row[name] = _statistic(defined, spec.statistic) if defined.size else math.nan
    return row


class _Evaluator:
    """Runs candidates in every future (in a given executor) and keeps every evaluation."""

    def __init__(self, experiment: Experiment, spec: SearchSpec, world: Futures, pool: Any) -> None:
        self.experiment, self.spec, self.world, self.pool = experiment, spec, world, pool
        self.history: list[dict[str, Any]] = []

    def __call__(self, candidates: list[dict[str, float | int]], generation: int) -> list[dict[str, Any]]:
        specs = [s for c in candidates for s in _specs(self.experiment, c, self.world)]
        summaries = [o.summary for o in run_all(specs, self.pool)]
        per = len(self.world.values) * self.experiment.replications
        rows = []
        for i, candidate in enumerate(candidates):
            found = summarise(summaries[i * per : (i + 1) * per], self.experiment.replications, self.spec)
            rows.append({"generation": generation, **candidate, **found})
        self.history.extend(rows)
        return rows


def objectives_and_constraints(row: dict[str, Any], spec: SearchSpec) -> tuple[list[float], list[float]]:
    """Pymoo's minimised objectives (minus goodness) and constraints (feasible when <= 0) for one candidate."""
    f = [0.0 if math.isnan(row[f"{o}_goodness"]) else -row[f"{o}_goodness"] for o in spec.objectives]
    g = [max(MIN_DEFINED_SHARE - row[f"{o}_defined"] for o in spec.objectives)]
    if spec.budget is not None:
        spend = row["spend_total_per_home"]
        g.append(math.inf if math.isnan(spend) else spend - spec.budget)
    return f, g


def _problem(spec: SearchSpec, evaluate: _Evaluator) -> Any:
    from pymoo.core.problem import Problem

    class RobustStrategies(Problem):
        """Levers in, minus each objective's goodness across futures out; budget and definedness as constraints."""

        def __init__(self) -> None:
            bounds = np.array(list(spec.levers.values()), dtype=float)
            constraints = 1 + (spec.budget is not None)
            super().__init__(
                n_var=len(spec.levers),
                n_obj=len(spec.objectives),
                n_ieq_constr=constraints,
                xl=bounds[:, 0],
                xu=bounds[:, 1],
            )
            self.generation = 0

        def _evaluate(self, x: np.ndarray, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            rows = evaluate([decode(spec, row) for row in x], self.generation)
            self.generation += 1
            pairs = [objectives_and_constraints(r, spec) for r in rows]
            out["F"] = np.array([f for f, _ in pairs])
            out["G"] = np.array([g for _, g in pairs])

    return RobustStrategies()


def optimise(experiment: Experiment, workers: int = 1) -> dict[str, Any]:
    """Run NSGA-II over the levers; return the Pareto set, the base strategy's reference row and every evaluation.

    Raises:
        SearchError: No feasible candidate (every one over budget or undefined).
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.optimize import minimize

    spec, world = spec_of(experiment), futures(experiment)
    with executor(workers) as pool:
        evaluate = _Evaluator(experiment, spec, world, pool)
        reference = evaluate([{}], generation=-1)[0]
        algorithm = NSGA2(pop_size=spec.population, eliminate_duplicates=True)
        seed = int(np.random.SeedSequence(experiment.seed, spawn_key=SEARCH_STREAM).generate_state(1)[0])
        result = minimize(_problem(spec, evaluate), algorithm, ("n_gen", spec.generations), seed=seed, verbose=False)
    if result.X is None:
        raise SearchError(
            f"{experiment.path}: none of the {len(evaluate.history) - 1} candidates is feasible: each spends more than "
            f"the budget ({spec.budget}) or leaves an objective undefined in more than {MIN_DEFINED_SHARE:.0%} of "
            "the futures; raise the budget or widen the levers"
        )
    pareto = _pareto_rows(np.atleast_2d(result.X), spec, evaluate.history)
    return {"pareto": pareto, "reference": reference, "history": pd.DataFrame(evaluate.history), "futures": world}


def _pareto_rows(x: np.ndarray, spec: SearchSpec, history: list[dict[str, Any]]) -> pd.DataFrame:
    """The Pareto set's rows (looked up among the evaluations), one per distinct lever setting."""
    levers = list(spec.levers)
    frame = pd.DataFrame(history[1:]).drop_duplicates(subset=levers)
    chosen = pd.DataFrame([decode(spec, row) for row in x]).drop_duplicates()
    rows = chosen.merge(frame, on=levers, how="left")
    goodness = [f"{o}_goodness" for o in spec.objectives]
    rows = rows.sort_values(goodness, ascending=False, kind="stable").reset_index(drop=True)
    rows.insert(0, "candidate", [f"candidate-{i + 1:02d}" for i in range(len(rows))])
    return rows.drop(columns=["generation"])


# --- what a strategy team reads --------------------------------------------------------------------------------------


def _toml_value(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def scenario_text(experiment: Experiment, row: pd.Series, spec: SearchSpec) -> str:
    """A candidate as a scenario file: the base strategy's own settings with the candidate's lever values."""
    base = load_scenario(experiment.scenarios[0])
    values = {k: v for k, v in base.differences().items() if k != "homes" and k not in experiment.bounds}
    values |= {name: _kind(name, row[name]) for name in spec.levers}
    judged = ", ".join(f"{outcomes.get(o).words()} {_shown(o, row[o], unit=True)}" for o in spec.objectives)
    description = (
        f"{row['candidate']} of the robust-strategy search '{experiment.name}' (based on {base.name}): "
        f"across {len(futures(experiment).values)} sampled futures ({spec.statistic}), {judged}."
    )
    lines = [f"description = {json.dumps(description, ensure_ascii=False)}", "", "[parameters]"]
    lines += [f"{name} = {_toml_value(value)}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


def _shown(outcome: str, value: float, unit: bool = False) -> str:
    """An outcome's value in its displayed unit (3 significant figures), with the unit in brackets if asked."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "undefined"
    declared = outcomes.get(outcome)
    number = (
        f"{value * declared.scale:,.0f}" if abs(value * declared.scale) >= 1000 else f"{value * declared.scale:.3g}"
    )
    return f"{number} ({declared.unit})" if unit and declared.unit else number


def report_markdown(experiment: Experiment, found: dict[str, Any]) -> str:
    """The Pareto set as a table a strategy team can read, with the base strategy as the reference row."""
    spec = spec_of(experiment)
    pareto, reference = found["pareto"], found["reference"]
    lever_cells = [f"{params.get(n).description.rstrip('.')} ({n})" for n in spec.levers]
    header = ["candidate", *lever_cells, *(outcomes.label(o) for o in spec.objectives)]
    rows = [
        [r["candidate"], *(f"{r[n]:.3g}" for n in spec.levers), *(_shown(o, r[o]) for o in spec.objectives)]
        for _, r in pareto.iterrows()
    ]
    base = [f"{experiment.scenarios[0]} (as it is)", *("" for _ in spec.levers)]
    rows.append([*base, *(_shown(o, reference[o]) for o in spec.objectives)])
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]
    budget = f"a budget of £{spec.budget:g} a home a year (mean total spend)" if spec.budget else "no budget limit"
    intro = [
        f"# Robust strategies: {experiment.name}",
        "",
        f"{len(pareto)} candidate strategies, none of which can do better on one of "
        f"{', '.join(outcomes.get(o).words() for o in spec.objectives)} without doing worse on another, "
        f"across {len(found['futures'].values)} sampled futures ({spec.statistic} over futures), with {budget}. "
        f"Found by NSGA-II (pymoo) over {spec.generations} generations of {spec.population} "
        f"({len(found['history']) - 1} candidates evaluated).",
        "",
    ]
    usage = [
        "",
        "Each candidate is saved as a scenario file in `candidates/`; compare one with the built-in strategies with "
        "`tenant-trust compare candidates/candidate-01.toml`.",
        "",
    ]
    return "\n".join(intro + table + usage)


def search(experiment: Experiment, out: Path, workers: int = 1) -> dict[str, Any]:
    """Search, then write the Pareto set and what a strategy team reads into ``out``.

    Files: ``pareto.csv``, ``evaluations.csv`` (every candidate evaluated),
    ``search.md``, ``candidates/candidate-NN.toml`` and ``manifest.json``.

    Returns:
        What :func:`optimise` returns, plus ``written`` (file name -> path).
    """
    out = check_out(out)
    spec = spec_of(experiment)
    with folder_lock(out):
        started = datetime.now(UTC).isoformat(timespec="seconds")
        found = optimise(experiment, workers)
        out.mkdir(parents=True, exist_ok=True)
        written = {"pareto.csv": out / "pareto.csv", "evaluations.csv": out / "evaluations.csv"}
        found["pareto"].to_csv(written["pareto.csv"], index=False)
        found["history"].to_csv(written["evaluations.csv"], index=False)
        written["search.md"] = out / "search.md"
        written["search.md"].write_text(report_markdown(experiment, found), encoding="utf-8")
        folder = out / "candidates"
        folder.mkdir(exist_ok=True)
        for _, row in found["pareto"].iterrows():
            path = folder / f"{row['candidate']}.toml"
            path.write_text(scenario_text(experiment, row, spec), encoding="utf-8")
            written[f"candidates/{path.name}"] = path
        manifest = _manifest(experiment, spec, found, started)
        written["manifest.json"] = out / "manifest.json"
        written["manifest.json"].write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return found | {"written": written}


def _manifest(experiment: Experiment, spec: SearchSpec, found: dict[str, Any], started: str) -> dict[str, Any]:
    base = experiment.scenarios[0]
    return {
        "experiment": experiment.name,
        "experiment_file": str(experiment.path),
        "experiment_sha256": experiment.digest,
        "experiment_text": experiment.path.read_text(encoding="utf-8"),
        "scenarios": {base: load_scenario(base, homes=experiment.homes).to_dict()},
        "search": {
            "optimiser": "NSGA-II (pymoo.algorithms.moo.nsga2.NSGA2, eliminate_duplicates=True)",
            "levers": {k: list(v) for k, v in spec.levers.items()},
            "objectives": list(spec.objectives),
            "statistic": spec.statistic,
            "budget": spec.budget,
            "population": spec.population,
            "generations": spec.generations,
            "min_defined_share": MIN_DEFINED_SHARE,
            "futures": found["futures"].values,
            "seeds": found["futures"].seeds,
            "evaluated": len(found["history"]) - 1,
        },
        "started": started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        **provenance.environment(),
    }
