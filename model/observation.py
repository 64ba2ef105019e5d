"""Observation: measurements of the model's state that the validation patterns need.

The model's own outputs (``TrustModel.summary()``) cover trust, participation,
the four TSM values and "true" satisfaction. Pattern-oriented validation
(Grimm et al. 2005) needs a few more ways of *looking* at the same state. None
of them changes what the model does: the pure functions below read the
household arrays, and :class:`ObservedModel` only records what happens (each
completed repair, who took part each quarter) without making a random draw of
its own, so an observed run is exactly the run :class:`~model.TrustModel`
makes from the same seed.

Measurements (every "expected survey" is the survey's expectation over who is
invited, who answers and the answer noise, i.e. the value a very large TSM
survey would give; it keeps the survey's response bias but not its sampling
noise):

* **Five-point answers.** A household answers "satisfied" when its latent view
  plus logistic noise exceeds 0.5 (:func:`model.submodels.satisfied`), and
  "dissatisfied" when it falls below ``0.5 - neither_band``; in between it
  answers "neither". ``neither_band`` is a measurement constant with no direct
  evidence: :data:`NEITHER_BAND` is fitted once to the 18% dissatisfied of
  TSM 2024/25 (see ``calibration/summary.json``), so that pattern is a fit,
  not a test.
* **Expected survey** (:func:`expected_survey`): each household weighted by
  its chance of answering if invited (phone and online invitations mixed as
  ``survey_phone_share`` says, :class:`SurveyModes`), its answer mixed over
  the two modes (a telephone answer carries ``phone_mode_lift``).
* **TP02, repairs service** (perception): asked of households with a repair
  completed in the last 52 weeks; latent view ``tsm_latent(trust, outcome_score)``,
  the model's rule for the TSM items (the mean of trust and the perception
  the question is about); ``outcome_score`` remembers a year of repairs with
  bad jobs and overdue weeks weighing more (:func:`model.submodels.remember_repair`).
* **Transactional repair survey**: asked of households whose repair was
  completed in the last :data:`TRANSACTIONAL_WEEKS` weeks, about that repair;
  latent view ``tsm_latent(trust, x)`` with ``x = 1`` if the repair fixed the
  problem on time (outcome signal > 0) and 0 otherwise: the one job, where the
  perception survey hears a year of repairs remembered with bad jobs and
  overdue weeks weighing more.
* **Consistently involved**: took part in each of the last
  :data:`CONSISTENT_QUARTERS` quarters, or holds a panel or board seat.
* **Repairs completed** per home a year, and the share completed within the
  landlord's published target (``repair_target_weeks`` weeks of the need
  arising, the target tenants' expectations are anchored to).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model import submodels
from model.households import OVER_65, Households
from model.model import ANSWER_NOISE, TrustModel, satisfied_probability
from model.scenario import Scenario, load_scenario
from model.submodels import QUARTER, YEAR

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

#: Width of the "neither satisfied nor dissatisfied" band below the satisfied
#: cut (0.5), on the latent scale. Fitted to TSM 2024/25's 18% dissatisfied:
#: the posterior median of the band that gives 18% in each accepted particle of
#: ``tenant-trust calibrate`` (0.049, 90% interval 0.014-0.082; see
#: ``calibration/summary.json``, key ``neither_band``).
NEITHER_BAND = 0.049
#: Weeks after completion within which a transactional survey asks about a
#: repair. Assumption (such surveys follow within days or weeks).
TRANSACTIONAL_WEEKS = 4
#: Quarters in a row a household must take part in to count as consistently
#: involved (a full year). Assumption.
CONSISTENT_QUARTERS = 4
#: Satisfaction cut of :func:`model.submodels.satisfied`.
SATISFIED_CUT = 0.5


def _logistic(x: Floats) -> Floats:
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def dissatisfied_probability(
    latent: Floats, neither_band: float = NEITHER_BAND, noise_scale: float = ANSWER_NOISE
) -> Floats:
    """Chance of answering "dissatisfied" (fairly or very): P(latent + noise < 0.5 - band).

    Rule: ``logistic((0.5 - neither_band - latent) / s)``. With ``neither_band``
    0 every answer is satisfied or dissatisfied; the wider the band, the more
    answer "neither". Assumption: the five-point scale is an ordered-logit
    reading of the same latent view as the satisfied cut.

    Args:
        latent: Latent views in [0, 1].
        neither_band: Width of the "neither" band below the satisfied cut.
        noise_scale: Logistic scale of the answer noise.
    """
    return _logistic((SATISFIED_CUT - neither_band - latent) / noise_scale)


@dataclass(frozen=True)
class SurveyModes:
    """Each household's chance of answering the yearly survey, by mode, if invited.

    Attributes:
        phone: ``phone_share * r(phone)``, with ``r`` from
            :func:`model.submodels.survey_response_probability` (the least
            trusting answer least).
        online: ``(1 - phone_share) * r(online)`` (the digitally excluded
            rarely answer online).
        phone_lift: Lift of a telephone answer (:func:`model.submodels.answer_by_mode`).
    """

    phone: Floats
    online: Floats
    phone_lift: float

    @property
    def weights(self) -> Floats:
        """Each household's chance of answering in either mode."""
        return self.phone + self.online

    def answer(self, probability: Callable[[Floats], Floats], latent: Floats) -> Floats:
        """Each household's chance of an answer, mixed over the mode it would answer in.

        Args:
            probability: Chance of the answer counted, given the latent view
                the answer carries (e.g. :func:`model.model.satisfied_probability`).
            latent: Latent views.
        """
        weights = self.weights
        by_phone = submodels.answer_by_mode(latent, True, self.phone_lift)
        mixed = self.phone * probability(by_phone) + self.online * probability(latent)
        return np.divide(mixed, weights, out=probability(latent), where=weights > 0)


def survey_modes(h: Households, p: Mapping[str, float | int], response_base: float | None = None) -> SurveyModes:
    """The :class:`SurveyModes` of the households ``h`` under parameters ``p``.

    Args:
        h: The households.
        p: Parameters (``survey_phone_share``, ``survey_response_base``, ``phone_mode_lift``).
        response_base: Overrides ``survey_response_base`` (1 gives each mode's
            relative chance of answering).
    """
    base = p["survey_response_base"] if response_base is None else response_base
    share = p["survey_phone_share"]
    phone = submodels.survey_response_probability(h.trust, h.digital, np.ones(h.size, bool), base)
    online = submodels.survey_response_probability(h.trust, h.digital, np.zeros(h.size, bool), base)
    return SurveyModes(share * phone, (1.0 - share) * online, float(p["phone_mode_lift"]))


def expected_survey(probability: Floats, weights: Floats, mask: Bools | None = None) -> float:
    """Expected survey result (%): the answer probabilities averaged with answer weights.

    Args:
        probability: Each household's chance of the answer counted.
        weights: Each household's chance of answering if invited.
        mask: Households asked (all when omitted).

    Returns:
        ``100 * sum(w * p) / sum(w)`` over the households asked; NaN if none.
    """
    if mask is not None:
        probability, weights = probability[mask], weights[mask]
    total = float(weights.sum())
    return 100.0 * float(weights @ probability) / total if total > 0 else math.nan


def consistently_involved(quarters: NDArray[np.bool_], active: Bools) -> Bools:
    """Households that took part in every recorded quarter, or hold a seat.

    Args:
        quarters: Shape (quarters, households): took part in that quarter.
        active: Holds a panel or board seat now.
    """
    return active | quarters.all(axis=0) if quarters.shape[0] else active.copy()


def representation(group: Bools, among: Bools) -> float:
    """A group's share among ``among`` over its share of all households (NaN if undefined)."""
    if not among.any() or not group.any():
        return math.nan
    return float(np.count_nonzero(group & among) / np.count_nonzero(among) / group.mean())


class ObservedModel(TrustModel):
    """A :class:`~model.TrustModel` that also records what the validation patterns observe.

    It records, without any random draw of its own (so the run is identical to
    ``TrustModel`` with the same seed): the week and outcome signal of each
    household's latest completed repair, the wait of every completed repair,
    and who took part in each of the last :data:`CONSISTENT_QUARTERS` quarters.

    Args:
        scenario: As for :class:`~model.TrustModel`.
        rng: As for :class:`~model.TrustModel`.
        record_weekly: As for :class:`~model.TrustModel` (off by default here).
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        rng: int | np.random.Generator | None = None,
        record_weekly: bool = False,
    ) -> None:
        """Build the model, keeping records from week 0 on (the burn-in's repairs are not observed)."""
        size = int((scenario if scenario is not None else load_scenario("baseline")).params["homes"])
        self._new_records(size)
        super().__init__(scenario, rng=rng, record_weekly=record_weekly)
        self._new_records(size)

    def _new_records(self, size: int) -> None:
        """Empty records for ``size`` households."""
        self.last_repair_week = np.full(size, -(10**6), dtype=np.int64)
        self.last_repair_outcome = np.zeros(size)
        self.completed_weeks: list[int] = []
        self.completed_waits: list[NDArray[np.float64]] = []
        self.quarters: list[Bools] = []

    def _repairs_completed(self, finished: np.ndarray, waits: np.ndarray, outcomes: np.ndarray) -> None:
        super()._repairs_completed(finished, waits, outcomes)
        if self.week < 0:
            return  # the burn-in's repairs are not observed: the records start afresh at week 0
        self.last_repair_week[finished] = self.week
        self.last_repair_outcome[finished] = outcomes
        self.completed_weeks.append(self.week)
        self.completed_waits.append(waits.copy())

    def step(self) -> None:
        """One week of the model; at the end of each quarter, note who took part in it."""
        super().step()
        if self.week % QUARTER == 0:
            # Weeks week-13 ... week-1 (the model counts participation at the week index before it advances).
            self.quarters.append(self.households.took_part_within(self.week - 1, QUARTER))
            del self.quarters[:-CONSISTENT_QUARTERS]

    def observe(self, neither_band: float = NEITHER_BAND) -> dict[str, float]:
        """Every measurement the patterns use, at the current week (see the module docstring)."""
        return observe(self, neither_band)


def _recent_repairs(model: ObservedModel, weeks: int) -> tuple[float, float]:
    """Completed repairs per home a year, and the share within target, over the last ``weeks`` weeks."""
    start = model.week - weeks
    waits = [w for week, w in zip(model.completed_weeks, model.completed_waits, strict=True) if week >= start]
    if not waits:
        return math.nan, math.nan
    all_waits = np.concatenate(waits)
    per_home_year = all_waits.size / model.households.size * YEAR / min(weeks, model.week)
    target = model.p["repair_target_weeks"]
    within = 100.0 * float(np.mean(all_waits <= target)) if all_waits.size else math.nan
    return per_home_year, within


def _latents(h: Households, model: ObservedModel) -> dict[str, Floats]:
    latent = model.latent_answers()
    weight = model.p["tsm_trust_weight"]
    latent["tp02"] = submodels.tsm_latent(h.trust, h.outcome_score, weight)
    latent["transactional"] = submodels.tsm_latent(h.trust, (model.last_repair_outcome > 0).astype(float), weight)
    return latent


def observe(model: ObservedModel, neither_band: float = NEITHER_BAND) -> dict[str, float]:
    """The measurements behind the validation patterns, from an observed run.

    Args:
        model: A run of :class:`ObservedModel` (at least a year long for the
            repair and quarterly measures to be complete).
        neither_band: Width of the "neither" band (see :func:`dissatisfied_probability`).

    Returns:
        Percentages (``tp01`` ... ``tp08``, ``tp02``, ``transactional``,
        ``dissatisfied`` and the group versions), percentage-point gaps,
        shares in % and ratios; keys are documented in ``docs/interpreting.md``.
    """
    h, p = model.households, model.p
    latent = _latents(h, model)
    modes = survey_modes(h, p)
    weights = modes.weights
    sat = {code: modes.answer(satisfied_probability, value) for code, value in latent.items()}
    dis = modes.answer(lambda x: dissatisfied_probability(x, neither_band), latent["tp01"])
    older, middle, under = h.age_band == OVER_65, h.age_band == 1, h.underrepresented
    had_repair = model.last_repair_week > model.week - YEAR
    recent = model.last_repair_week > model.week - TRANSACTIONAL_WEEKS
    out = {f"{code}": expected_survey(sat[code], weights) for code in ("tp01", "tp06", "tp07", "tp08")}
    out["tp02"] = expected_survey(sat["tp02"], weights, had_repair)
    out["transactional"] = expected_survey(sat["transactional"], weights, recent)
    out["transactional_uplift"] = out["transactional"] - out["tp02"]
    out["dissatisfied"] = expected_survey(dis, weights)
    out["dissatisfied_25_54_gap"] = expected_survey(dis, weights, middle) - out["dissatisfied"]
    census = satisfied_probability(latent["tp01"])
    out["ethnic_gap"] = 100.0 * (census[~under].mean() - census[under].mean()) if under.any() else math.nan
    out["over_65_gap"] = 100.0 * (census[older].mean() - census.mean()) if older.any() else math.nan
    out["age_gap"] = (
        100.0 * (census[older].mean() - census[middle].mean()) if older.any() and middle.any() else math.nan
    )
    # Each mode's own respondents (the phone share only scales a mode's weights; 0.5 keeps both non-zero).
    each = survey_modes(h, p | {"survey_phone_share": 0.5}, response_base=1.0)
    by_phone = satisfied_probability(submodels.answer_by_mode(latent["tp01"], True, each.phone_lift))
    out["online_minus_phone"] = expected_survey(census, each.online) - expected_survey(by_phone, each.phone)
    steady = consistently_involved(np.array(model.quarters, dtype=bool).reshape(-1, h.size), h.active)
    out["consistently_involved"] = 100.0 * float(steady.mean())
    out["representation_ratio"] = representation(under, h.took_part_within(model.week, YEAR))
    out["representation_consistent"] = representation(under, steady)
    out["repairs_per_home_year"], out["repairs_within_target"] = _recent_repairs(model, YEAR)
    return out


def observe_run(scenario: Scenario, weeks: int, seed: int, neither_band: float = NEITHER_BAND) -> dict[str, Any]:
    """Run ``scenario`` for ``weeks`` weeks from ``seed`` and observe it.

    Returns:
        The model's ``summary()`` and every measurement of :func:`observe`
        (the measurement keys do not clash with the summary's, except
        ``representation_ratio``, which is the same number).
    """
    model = ObservedModel(scenario, rng=seed)
    model.run_for(weeks)
    return model.summary() | observe(model, neither_band)
