"""TrustModel: tenants, housing officers and a landlord, week by week.

One step is one week. Each week, in this order (see ``docs/ODD.md``):

1. the scenario's timeline applies any scheduled change of strategy or shock;
2. officers out on the estate visit homes in their patch (frontline presence);
3. repair needs arise, tenants try to report them through the channels open
   to them, the landlord completes what its repair budget pays for, and each
   outcome and each contact's treatment moves the tenant's trust (negativity
   bias for outcomes, symmetric for treatment);
4. tenants tell neighbours about good and bad experiences and compare views
   with one neighbour (bounded confidence); trust relaxes towards disposition,
   and disposition slowly takes on lived trust;
5. tenants take part in surveys and meetings by a threshold rule; every
   quarter panel and board seats are refilled;
6. the landlord acts on participants' priorities in proportion to its rung on
   Arnstein's ladder and its responsiveness, and tells tenants what changed;
   every quarter the repairs service is reshaped by those priorities;
7. officers may leave (turnover resets relationships);
8. at the end of each year a TSM-style survey is run on a sample.

Symbols follow ``model/params.py``; each mechanism is a pure function in
``model/submodels.py`` whose docstring gives its rule and evidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np

from model import params, shocks, submodels
from model.agents import HousingOfficer, Landlord, Tenant
from model.households import OVER_65, create_households
from model.scenario import FIXED_AT_START, Scenario, load_scenario
from model.submodels import QUARTER, YEAR

#: Scale of the logistic answer noise on the latent satisfaction scale
#: (standard deviation 0.15). Assumption.
ANSWER_NOISE = 0.15 * math.sqrt(3.0) / math.pi
#: Weight of one new experience in the memories a survey asks about (the
#: ``rate`` of :func:`model.submodels.ewma` and :func:`model.submodels.remember_repair`). Assumption.
MEMORY_RATE = 0.3
#: Series recorded every week (the columns of ``weekly()``).
WEEKLY_SERIES = (
    "trust_mean",
    "trust_digitally_excluded",
    "trust_digitally_included",
    "trust_underrepresented",
    "trust_majority",
    "efficacy_mean",
    "participation_rate",
    "active_share",
    "representation_ratio",
    "satisfaction_true",
    "repair_backlog_per_1000",
    "repair_wait_weeks_mean",
    "cost_per_home",
    "visible_change",
    "tsm_tp01",
)
#: Numeric outcomes of ``summary()`` (besides ``weeks`` and ``homes``).
SUMMARY_OUTCOMES = (
    *(name for name in WEEKLY_SERIES if name != "tsm_tp01"),
    "satisfaction_true_underrepresented",
    "satisfaction_true_majority",
    "satisfaction_true_over_65",
    "satisfaction_true_25_54",
    "repair_budget_per_home",
    "tsm_tp01",
    "tsm_tp06",
    "tsm_tp07",
    "tsm_tp08",
    "survey_response_rate",
)


def satisfied_probability(latent: np.ndarray, noise_scale: float = ANSWER_NOISE) -> np.ndarray:
    """Chance of answering "satisfied": P(latent + noise > 0.5), with logistic noise.

    Rule: ``logistic((latent - 0.5) / s)``, written with ``tanh`` (several
    times faster than scipy's ``expit``); ``s`` is the noise's logistic scale.
    """
    return 0.5 + 0.5 * np.tanh((latent - 0.5) / (2.0 * noise_scale))


class TrustModel(mesa.Model):
    """Agent-based model of tenants' trust in their social landlord.

    Args:
        scenario: A resolved :class:`~model.scenario.Scenario`; the built-in
            baseline when omitted.
        rng: Seed (or generator) deciding every random draw of the run.
        record_weekly: Record the weekly series (``weekly()``); sweeps that need
            only the end-of-run ``summary()`` switch it off to save time. The
            random draws, and so the results, are the same either way.

    Attributes:
        p: Current parameter values (they change when the schedule says so).
        households: Tenant households' state arrays.
        officers: Housing officers, one per patch.
        landlord: The landlord agent.
        week: Weeks completed.
        last_survey: Results of the latest yearly TSM survey (empty before one).
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        rng: int | np.random.Generator | None = None,
        record_weekly: bool = True,
    ) -> None:
        """Build the estate, its officers and landlord, and start recording."""
        super().__init__(rng=rng)
        self.record_weekly = record_weekly
        self.scenario_spec = scenario if scenario is not None else load_scenario("baseline")
        self.p: dict[str, float | int] = dict(self.scenario_spec.params)
        self.week = 0
        self.households = create_households(self.p, self.rng)
        self._tie_sources = self.households.tie_sources
        self.tenants = Tenant.create_agents(self, self.households.size, slot=list(range(self.households.size)))
        self.landlord = Landlord(self)
        self.officers: list[HousingOfficer] = []
        self.replace_all_officers()
        self.last_survey: dict[str, float] = {}
        self._group_weights, self._group_sizes = _group_weights(
            ~self.households.digital,
            self.households.digital,
            self.households.underrepresented,
            ~self.households.underrepresented,
        )
        self._wait_sum = np.zeros(YEAR)
        self._wait_count = np.zeros(YEAR)
        self._refresh()
        self._warm_start_participation()
        self.datacollector = mesa.DataCollector(tables={"weekly": ["week", *WEEKLY_SERIES]})
        self._record()

    # --- set-up and strategy changes ------------------------------------------
    def set_params(self, values: Mapping[str, float | int], checked: bool = True) -> None:
        """Change parameters mid-run (a scheduled change of strategy or a shock).

        Args:
            values: Parameter names and new values.
            checked: Validate the values first (False when they were validated
                when the scenario was loaded).

        Raises:
            params.ParameterError: Unknown name or value out of bounds.
            ValueError: A parameter that shapes the estate.
        """
        values = params.validate(values, "set_params") if checked else dict(values)
        fixed = FIXED_AT_START & values.keys()
        if fixed:
            raise ValueError(f"cannot change {sorted(fixed)} mid-run: they are set when the estate is built")
        patch_changed = "patch_size" in values and values["patch_size"] != self.p["patch_size"]
        self.p.update(values)
        if patch_changed:
            self.replace_all_officers()
        self._refresh()
        if np.count_nonzero(self.households.active) > self.landlord.seats():
            willing, margin = self._willingness()
            self.households.active = submodels.fill_seats(margin, willing, self.landlord.seats())

    def replace_all_officers(self) -> None:
        """Redraw patches at the current patch size; every relationship resets."""
        for officer in self.officers:
            officer.remove()
        size, homes = int(self.p["patch_size"]), self.households.size
        patches = [range(start, min(start + size, homes)) for start in range(0, homes, size)]
        self.officers = [HousingOfficer(self, patch) for patch in patches]
        self.households.officer = np.arange(homes, dtype=np.int64) // size
        self.households.relationship[:] = 0.0

    def _refresh(self) -> None:
        """Recompute the quantities that depend only on parameters and patches."""
        p, h = self.p, self.households
        multiplier = np.where(h.damp, p["damp_repair_multiplier"], 1.0)
        self._need_rate = p["repairs_per_home_year"] / YEAR * multiplier
        self._visit_p = np.array([o.visit_probability for o in self.officers])[h.officer]
        self._visit_quality = np.array([o.quality for o in self.officers])[h.officer]
        self._phone_quality = submodels.officer_quality(
            p["treatment_quality"], p["culture_programme"], p["culture_effect"], 1.0, 1.0
        )
        self._channel_open = np.where(h.digital, 1.0, self.landlord.phone_open)
        self._participation_cost = submodels.participation_cost(
            h.support_needs,
            h.underrepresented,
            p["support_needs_cost"],
            p["outreach_gap"],
            p["targeted_outreach"],
            p["involvement_spend_per_home"],
        )
        self._fix_rate = self._first_time_fix()

    def _first_time_fix(self) -> np.ndarray:
        """Chance a repair fixes the problem, improved where tenants' priorities shape the service.

        Rule: ``ftf + (1 - ftf) * gain * v``, and for the under-represented
        group ``v`` is scaled by the representation ratio (capped at 1): a
        service shaped by an unrepresentative panel fits them less.
        Assumption (seeds/003, "who's not in the room?").
        """
        p, h = self.p, self.households
        base, gain = p["first_time_fix"], p["scrutiny_fit_gain"]
        v = self.landlord.visible_change
        ratio = self._representation_ratio()
        fit = 1.0 if math.isnan(ratio) else min(1.0, ratio)
        improved = base + (1.0 - base) * gain * v
        improved_for_under = base + (1.0 - base) * gain * v * fit
        return np.where(h.underrepresented, improved_for_under, improved)

    def _warm_start_participation(self) -> None:
        """Give households already willing to take part a past participation.

        Each willing household took part within the last year with the
        probability implied by ``activity_rate`` over 52 weeks, at a uniform
        past week; seats are filled at once. This avoids starting from nobody
        having taken part; participation still settles over the first year or two.
        """
        h, p = self.households, self.p
        willing, margin = self._willingness()
        channel = self._channel_open * p["activity_rate"]
        took_part = willing & (self.rng.random(h.size) < 1.0 - (1.0 - channel) ** YEAR)
        h.last_took_part = np.where(took_part, -self.rng.integers(0, YEAR, h.size), h.last_took_part)
        h.active = submodels.fill_seats(margin, willing, self.landlord.seats())
        self._fix_rate = self._first_time_fix()

    # --- the week -----------------------------------------------------------------
    def step(self) -> None:
        """One week on the estate."""
        self._apply_timeline()
        visited = self.frontline_visits()
        self.repairs_and_contact(visited)
        self.word_of_mouth()
        self.participation(visited)
        self.landlord.share_power()
        if self.week % QUARTER == QUARTER - 1:
            self._fix_rate = self._first_time_fix()
        self.staff_turnover()
        if self.week % YEAR == YEAR - 1:
            self.survey()
        self.week += 1
        self._record()

    def _apply_timeline(self) -> None:
        for change in self.scenario_spec.schedule:
            if change.week == self.week:
                self.set_params(change.values, checked=False)
        for shock in self.scenario_spec.shocks:
            if shock.week == self.week:
                shocks.apply(shock, self)
                self._refresh()

    def frontline_visits(self) -> np.ndarray:
        """Officers on the estate visit homes; visits build relationships."""
        h, p = self.households, self.p
        visited = self.rng.random(h.size) < self._visit_p
        h.relationship = submodels.relationship_after_week(
            h.relationship, visited, p["relationship_gain"], p["relationship_decay"]
        )
        for officer in self.officers:
            officer.step()
        return visited

    def _chance(self, among: np.ndarray, probability: np.ndarray | float) -> np.ndarray:
        """Bernoulli draws for the households in ``among`` (False elsewhere).

        Draws are made only where needed, in home order, from the model's ``rng``.
        """
        slots = among.nonzero()[0]
        hit = np.zeros(among.size, dtype=bool)
        chance = probability[slots] if isinstance(probability, np.ndarray) else probability
        hit[slots] = self.rng.random(slots.size) < chance
        return hit

    def repairs_and_contact(self, visited: np.ndarray) -> None:
        """Needs arise, get reported and (budget allowing) fixed; trust responds."""
        h, p, week = self.households, self.p, self.week
        new = submodels.new_repair_needs(h.need, self._need_rate, self.rng.random(h.size))
        h.need |= new
        h.reported &= ~new
        h.raised_week[new] = week
        trying = h.need & ~h.reported
        chance = submodels.report_probability(
            h.digital,
            visited,
            self.landlord.phone_open,
            p["phone_answer_rate"],
            p["portal_success_rate"],
            p["proxy_report_rate"],
        )
        logged = self._chance(trying, chance)
        failed = trying & ~logged
        h.reported |= logged
        outcome, done = self._complete_repairs()
        phoned = self._chance(logged & ~h.digital & ~visited, self._phone_share_of_excluded_reports())
        treatment = self._treatment(phoned, failed, visited)
        self._experience(((outcome != 0) | (treatment != 0)).nonzero()[0], outcome, treatment)
        h.treatment_score = submodels.ewma(
            h.treatment_score, (treatment > 0).astype(float), treatment != 0, MEMORY_RATE
        )
        late = submodels.overdue(h.need & h.reported, week - h.raised_week + 1, h.expected_wait)
        self._remember_chasing(late.nonzero()[0])
        kept_informed = (treatment >= 0) & (outcome >= 0) & ~late
        h.informed_score = submodels.ewma(
            h.informed_score, kept_informed.astype(float), (treatment != 0) | done | late, MEMORY_RATE
        )
        self._bad_story = (outcome < 0) | (treatment < 0)
        self._good_story = (outcome > 0) & ~self._bad_story

    def _remember_chasing(self, slots: np.ndarray) -> None:
        """A week of chasing an overdue repair counts against the repairs service."""
        h = self.households
        h.outcome_score[slots] = submodels.remember_repair(
            h.outcome_score[slots], submodels.CHASING_SIGNAL, MEMORY_RATE, self.p["negativity_bias"]
        )

    def _experience(self, slots: np.ndarray, outcome: np.ndarray, treatment: np.ndarray) -> None:
        """Move the trust of the households in ``slots`` by this week's outcome and treatment."""
        h, p = self.households, self.p
        buffer = submodels.experience_buffer(
            h.relationship[slots], p["relationship_buffer"], p["openness"], p["openness_buffer"]
        )
        h.trust[slots] = submodels.trust_after_experience(
            h.trust[slots],
            outcome[slots],
            treatment[slots],
            p["trust_learning_rate"],
            p["negativity_bias"],
            p["treatment_weight"],
            buffer,
        )

    def _complete_repairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The landlord completes what capacity allows; returns outcome signals and the done mask."""
        h, week = self.households, self.week
        waiting = (h.need & h.reported).nonzero()[0]
        ready = submodels.jobs_ready(waiting, self.p["repair_job_weeks"], self.rng.random(waiting.size))
        finished = submodels.repairs_to_complete(ready, h.raised_week, self.landlord.jobs_this_week())
        wait = (week - h.raised_week[finished] + 1).astype(float)
        fixed = self.rng.random(finished.size) < self._fix_rate[finished]
        outcome = np.zeros(h.size)
        outcome[finished] = submodels.repair_outcome(wait, h.expected_wait[finished], fixed)
        h.expected_wait[finished] = submodels.adapt_expectation(h.expected_wait[finished], wait)
        done = np.zeros(h.size, dtype=bool)
        done[finished] = True
        h.outcome_score[finished] = submodels.remember_repair(
            h.outcome_score[finished], outcome[finished], MEMORY_RATE, self.p["negativity_bias"]
        )
        h.need[finished] = ~fixed
        h.reported[finished] = False
        h.raised_week[finished] = week
        slot = week % YEAR
        self._wait_sum[slot], self._wait_count[slot] = wait.sum(), wait.size
        return outcome, done

    def _phone_share_of_excluded_reports(self) -> float:
        """Chance a digitally excluded tenant's report (without a visit) went by phone, not by a proxy online."""
        phone = self.landlord.phone_open * self.p["phone_answer_rate"]
        either = 1.0 - (1.0 - phone) * (1.0 - self.p["proxy_report_rate"])
        return phone / either if either > 0 else 0.0

    def _treatment(self, phoned: np.ndarray, failed: np.ndarray, visited: np.ndarray) -> np.ndarray:
        """Treatment signal per household: +1 fair, -1 unfair, per contact with a person.

        Reports through the portal carry no treatment signal; a week of failing
        to get through counts as -0.5 (not being heard). Assumption.
        """
        phone_fair = self._chance(phoned, self._phone_quality)
        visit_fair = self._chance(visited, self._visit_quality)
        phone = np.where(phone_fair, 1.0, -1.0) * phoned
        visit = np.where(visit_fair, 1.0, -1.0) * visited
        return phone + visit - 0.5 * failed

    def word_of_mouth(self) -> None:
        """Stories spread along ties (bad further than good); neighbours compare views."""
        h, p = self.households, self.p
        bad, good = self._stories()
        weight = p["trust_learning_rate"] * p["story_weight"]
        listeners = (good + bad).nonzero()[0]
        h.trust[listeners] = submodels.push(h.trust[listeners], weight * good[listeners], weight * bad[listeners])
        draws = self.rng.random(h.size)
        talks = draws < p["talk_rate"]
        # A talker's draw, rescaled, is uniform again: it picks the partner among the ties.
        position = np.where(talks, draws / max(p["talk_rate"], 1e-12), 0.0)
        degree = h.degree
        partner = h.indices[h.indptr[:-1] + np.minimum((position * degree).astype(np.int64), degree - 1)]
        h.trust = submodels.bounded_confidence(h.trust, partner, talks, p["confidence_bound"], p["convergence_rate"])
        h.trust = submodels.anchor(h.trust, h.disposition, p["trust_anchor_rate"])
        h.disposition = submodels.settle_disposition(
            h.disposition, h.trust, h.outlook, p["disposition_learning_rate"], p["outside_trust_weight"]
        )

    def _stories(self) -> tuple[np.ndarray, np.ndarray]:
        """Bad and good stories each household hears, drawn only along the ties of tellers.

        A household has at most one kind of story in a week, so one draw per
        tie serves both kinds.
        """
        h, p = self.households, self.p
        ties = (self._bad_story | self._good_story)[self._tie_sources].nonzero()[0]
        draws = self.rng.random(ties.size)
        sources, listeners = self._tie_sources[ties], h.indices[ties]
        bad = submodels.stories_heard(sources, listeners, self._bad_story, p["bad_story_reach"], draws, h.size)
        good = submodels.stories_heard(sources, listeners, self._good_story, p["good_story_reach"], draws, h.size)
        return bad, good

    def _willingness(self) -> tuple[np.ndarray, np.ndarray]:
        """Who is ready to take part, and by how much (readiness minus threshold)."""
        h = self.households
        peers = submodels.neighbour_share(h.took_part_within(self.week, YEAR), self._tie_sources, h.indices, h.degree)
        ready = submodels.readiness(h.trust, h.efficacy, peers, self._participation_cost, self.p["neighbour_pull"])
        margin = ready - h.threshold
        return margin >= 0.0, margin

    def participation(self, visited: np.ndarray) -> None:
        """Willing tenants join surveys and meetings; seats are refilled each quarter."""
        h = self.households
        willing, margin = self._willingness()
        draws = np.ones(h.size)
        candidates = willing.nonzero()[0]
        draws[candidates] = self.rng.random(candidates.size)
        joined = submodels.take_part(willing, self._channel_open, visited, self.p["activity_rate"], draws)
        if self.week % QUARTER == 0:
            h.active = submodels.fill_seats(margin, willing, self.landlord.seats())
        h.last_took_part = np.where(joined | h.active, self.week, h.last_took_part)

    def staff_turnover(self) -> None:
        """Each officer leaves with probability turnover / 52 a week; relationships reset."""
        leaving = self.rng.random(len(self.officers)) < self.p["staff_turnover"] / YEAR
        for index in np.flatnonzero(leaving):
            self.officers[index].hand_over()

    def hear_news(self, signal: float) -> None:
        """Every household hears news of weight ``signal`` in [-1, 1] (e.g. a damp scandal)."""
        p, h = self.p, self.households
        rate = p["trust_learning_rate"]
        h.trust = submodels.push(h.trust, rate * max(signal, 0.0), rate * p["negativity_bias"] * max(-signal, 0.0))

    # --- measurement ---------------------------------------------------------------
    def latent_answers(self) -> dict[str, np.ndarray]:
        """Each household's latent view behind TP01, TP06, TP07 and TP08.

        Rule: the mean of trust and the perception the question is about:
        efficacy (TP06, listens and acts), being kept informed (TP07), fair
        treatment (TP08); overall satisfaction (TP01) takes the mean of all
        four perceptions, repair outcomes included. Assumption.
        """
        h = self.households
        return {
            "tp01": self._overall_latent(),
            "tp06": 0.5 * (h.trust + h.efficacy),
            "tp07": 0.5 * (h.trust + h.informed_score),
            "tp08": 0.5 * (h.trust + h.treatment_score),
        }

    def _overall_latent(self) -> np.ndarray:
        """The latent view behind TP01: trust averaged with the mean of the four perceptions."""
        h = self.households
        perceptions = (h.outcome_score + h.efficacy + h.informed_score + h.treatment_score) / 4.0
        return 0.5 * (h.trust + perceptions)

    def satisfaction_probability(self) -> np.ndarray:
        """Each household's chance of answering 'satisfied' to TP01 (no survey error)."""
        return satisfied_probability(self._overall_latent())

    def survey(self) -> dict[str, float]:
        """Run the yearly TSM-style survey on a sample and store the results.

        Invitations go to ``survey_sample_share`` of households, by phone or
        online; who answers follows :func:`model.submodels.survey_response_probability`
        (the least trusting and the excluded answer least). Answers are
        satisfied when latent view plus logistic noise exceeds 0.5; telephone
        answers are lifted by ``phone_mode_lift`` (:func:`model.submodels.answer_by_mode`).
        """
        h, p = self.households, self.p
        draws = self.rng.random((3, h.size))
        invited = draws[0] < p["survey_sample_share"]
        by_phone = draws[1] < p["survey_phone_share"]
        answered = invited & (
            draws[2] < submodels.survey_response_probability(h.trust, h.digital, by_phone, p["survey_response_base"])
        )
        results = {"survey_week": float(self.week + 1), "survey_respondents": float(answered.sum())}
        results["survey_response_rate"] = float(answered.sum() / max(invited.sum(), 1))
        for code, latent in self.latent_answers().items():
            noise = self.rng.logistic(0.0, ANSWER_NOISE, h.size)
            heard = submodels.answer_by_mode(latent, by_phone, p["phone_mode_lift"])
            results[f"tsm_{code}"] = _percent(submodels.satisfied(heard[answered], noise[answered]))
        self.last_survey = results
        return results

    def _record(self) -> None:
        """Measure this week and add it to the data collector's weekly table."""
        if not self.record_weekly and self.week > 0:
            return
        self.metrics = self.measure()
        self.datacollector.add_table_row("weekly", {"week": self.week, **self.metrics})

    def _representation_ratio(self, taking_part: np.ndarray | None = None) -> float:
        """Under-represented group's share among participants over its share of tenants."""
        h = self.households
        if taking_part is None:
            taking_part = h.took_part_within(self.week, YEAR)
        participants = np.count_nonzero(taking_part)
        if participants == 0 or self._group_sizes[2] == 0:
            return math.nan
        among = np.count_nonzero(taking_part & h.underrepresented) / participants
        return float(among / (self._group_sizes[2] / h.size))

    def measure(self) -> dict[str, float]:
        """This week's outcomes (the weekly series)."""
        h = self.households
        taking_part = h.took_part_within(self.week, YEAR)
        counted = self._wait_count.sum()
        excluded, included, under, majority = h.trust @ self._group_weights
        return {
            "trust_mean": float(h.trust.mean()),
            "trust_digitally_excluded": float(excluded),
            "trust_digitally_included": float(included),
            "trust_underrepresented": float(under),
            "trust_majority": float(majority),
            "efficacy_mean": float(h.efficacy.mean()),
            "participation_rate": np.count_nonzero(taking_part) / h.size,
            "active_share": np.count_nonzero(h.active) / h.size,
            "representation_ratio": self._representation_ratio(taking_part),
            "satisfaction_true": float(100.0 * self.satisfaction_probability().mean()),
            "repair_backlog_per_1000": 1000.0 * np.count_nonzero(h.need) / h.size,
            "repair_wait_weeks_mean": float(self._wait_sum.sum() / counted) if counted else math.nan,
            "cost_per_home": float(self.landlord.engagement_cost_per_home),
            "visible_change": float(self.landlord.visible_change),
            "tsm_tp01": self.last_survey.get("tsm_tp01", math.nan),
        }

    def summary(self) -> dict[str, Any]:
        """Outcomes at the end of the run so far (the keys of ``summary.json``).

        Trust, efficacy and participation are shares or means in [0, 1];
        ``satisfaction_true`` and ``tsm_*`` are percentages; TSM values are
        ``None`` until the first yearly survey (week 52).
        """
        h = self.households
        satisfied = self.satisfaction_probability()
        older, middle = h.age_band == OVER_65, h.age_band == 1
        out: dict[str, Any] = self.measure()
        out.pop("tsm_tp01")
        out |= {
            "satisfaction_true_underrepresented": 100.0 * _mean(satisfied, h.underrepresented),
            "satisfaction_true_majority": 100.0 * _mean(satisfied, ~h.underrepresented),
            "satisfaction_true_over_65": 100.0 * _mean(satisfied, older),
            "satisfaction_true_25_54": 100.0 * _mean(satisfied, middle),
            "repair_budget_per_home": float(self.landlord.repairs_per_home_week * YEAR * self.p["repair_unit_cost"]),
            "weeks": self.week,
            "homes": h.size,
        }
        for code in ("tp01", "tp06", "tp07", "tp08"):
            out[f"tsm_{code}"] = self.last_survey.get(f"tsm_{code}")
        out["survey_response_rate"] = self.last_survey.get("survey_response_rate")
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}

    def weekly(self) -> Any:
        """The weekly series as a pandas DataFrame indexed by week."""
        return self.datacollector.get_table_dataframe("weekly").set_index("week")


def _group_weights(*groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns that turn a dot product into each group's mean (NaN for an empty group)."""
    masks = np.column_stack(groups).astype(np.float64)
    sizes = masks.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = np.where(sizes > 0, masks / sizes, np.nan)
    return weights, sizes


def _mean(values: np.ndarray, mask: np.ndarray) -> float:
    return float(values[mask].mean()) if mask.any() else math.nan


def _percent(answers: np.ndarray) -> float:
    return float(100.0 * answers.mean()) if answers.size else math.nan
