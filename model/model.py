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

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from operator import attrgetter
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from model import kernels, outcomes, params, policies, shocks, submodels
from model.agents import HousingOfficer, Landlord, Tenant
from model.community import CommunityState
from model.households import NEVER, OVER_65, create_households, patch_officers
from model.params import FIXED_AT_START
from model.scenario import NEIGHBOURHOOD_LEVERS, Scenario, ScenarioError, load_scenario
from model.submodels import QUARTER, YEAR

#: The survey's TSM questions, in the order :meth:`TrustModel.latent_answers` gives them (and answers are drawn).
SURVEY_QUESTIONS = ("tp01", "tp06", "tp07", "tp08")
#: Scale of the logistic answer noise on the latent satisfaction scale
#: (standard deviation 0.15). Assumption.
ANSWER_NOISE = 0.15 * math.sqrt(3.0) / math.pi
#: Uniform draws every household gets each week, in one block: a visit, a new
#: repair need, a report, a talk with a neighbour (:mod:`model.kernels`). The
#: block goes on with the week's draws for the repair jobs and for staff
#: turnover (:meth:`TrustModel._new_draws`).
WEEKLY_DRAWS = 4
#: Rounds of the warm start's search for participation at equilibrium (:meth:`TrustModel._warm_start_participation`).
WARM_START_ROUNDS = 30
#: Series recorded every week (the columns of ``weekly()``), from :mod:`model.outcomes`.
WEEKLY_SERIES = outcomes.WEEKLY
#: Numeric outcomes of ``summary()`` (besides ``weeks`` and ``homes``), from :mod:`model.outcomes`.
SUMMARY_OUTCOMES = outcomes.NAMES


def satisfied_probability(latent: np.ndarray, noise_scale: float = ANSWER_NOISE) -> np.ndarray:
    """Chance of answering "satisfied": P(latent + noise > 0.5), with logistic noise.

    Rule: ``logistic((latent - 0.5) / s)``, written with ``tanh`` (several
    times faster than scipy's ``expit``); ``s`` is the noise's logistic scale.
    """
    return 0.5 + 0.5 * np.tanh((latent - 0.5) / (2.0 * noise_scale))


#: The fields of the kernels' household structures that are the model's own arrays (worked out from the
#: parameters), by the attribute that holds each; every other field is the households' array of its name.
MODEL_ARRAYS = {
    "need_rate": "_need_rate",
    "fix_rate": "_fix_rate",
    "visit_quality": "_visit_quality",
    "quality_gap": "_quality_gap",
    "cost": "_participation_cost",
}


def plain_getter(cls: type) -> Callable[[Any], tuple]:
    """A function of a :class:`TrustModel` giving its plain ``cls`` (as :func:`model.kernels.plain` gives).

    Each field is read from where its array lives now (:data:`MODEL_ARRAYS`,
    else ``households.<field>``), in one call, without building the NamedTuple.
    """
    return attrgetter(*(MODEL_ARRAYS.get(name, f"households.{name}") for name in cls._fields))


#: The two structures of the week that mix the households' arrays with the model's own (the others are all the
#: households', :func:`model.kernels.gather`).
_HOMES = plain_getter(kernels.Homes)
_READINESS = plain_getter(kernels.Readiness)


class TrustModel(mesa.Model):
    """Agent-based model of tenants' trust in their social landlord.

    The model can be built from keyword parameters, as Mesa's ``batch_run``
    and other tools build models: ``TrustModel(negativity_bias=4.0, homes=500,
    rng=1)`` runs the baseline with those two parameters changed, and
    ``TrustModel("frontline_presence", homes=500, rng=1)`` a built-in strategy;
    ``TrustModel(load_scenario("baseline", negativity_bias=4.0, homes=500), rng=1)``
    gives the same numbers to the bit.

    Args:
        scenario: A resolved :class:`~model.scenario.Scenario`, or the name of
            a built-in strategy (or a path to a scenario file); the built-in
            baseline when omitted.
        rng: Seed (or generator) deciding every random draw of the run.
        record_weekly: Record the weekly series (``weekly()``); sweeps that need
            only the end-of-run ``summary()`` switch it off to save time. The
            random draws, and so the results, are the same either way.
        shocks: Shock layers (built-in names or paths) added to a scenario
            given by name.
        **parameters: Declared parameters (``tenant-trust params``) that
            override the scenario's values, checked against their declarations.

    Raises:
        ScenarioError: An unknown parameter or strategy, or a value outside
            its declared range (the message names the key, the value and what
            is allowed).

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
        scenario: Scenario | str | Path | None = None,
        rng: int | np.random.Generator | None = None,
        record_weekly: bool = True,
        *,
        shocks: Sequence[str | Path] = (),
        **parameters: float | int,
    ) -> None:
        """Build the estate, its officers and landlord, and start recording."""
        super().__init__(rng=rng)
        self.record_weekly = record_weekly
        self.scenario_spec = resolve_scenario(scenario, shocks, parameters)
        self.p: dict[str, float | int] = dict(self.scenario_spec.params)
        self.week = -int(self.p["burn_in_weeks"])
        self.culture = 0.0
        strategy = self._baseline_levers_until_week_0()
        self.households = create_households(self.p, self.rng)
        self._symmetric_ties = kernels.is_symmetric(self.households.indptr, self.households.indices)
        self._tenants: mesa.AgentSet | None = None
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
        self.policy_states = [policies.PolicyState(policy) for policy in self.scenario_spec.policies]
        self.decisions: list[dict[str, Any]] = []
        self._lever_log: list[tuple[int, str, float, str]] | None = None
        self._change_cause = "schedule"
        neighbourhoods = self.households.neighbourhood_starts.size - 1
        self.community_state = CommunityState.unsettled(neighbourhoods)
        self._refresh()
        self._warm_start_participation()
        self.landlord.settle_efficacy()
        self._burn_in(strategy)
        self._settle_community()
        self._lever_log = [(self.week, p.name, float(self.p[p.name]), "strategy") for p in params.PARAMETERS if p.lever]
        self.datacollector = mesa.DataCollector(model_reporters=_REPORTERS, tables={"weekly": ["week", *WEEKLY_SERIES]})
        self._record()

    def _baseline_levers_until_week_0(self) -> dict[str, float | int]:
        """With a burn-in, set every lever to its baseline value and return the strategy's own values.

        Levers read only when the estate is built keep the strategy's values.
        """
        if self.week >= 0:
            return {}
        strategy = {name: value for name, value in self.p.items() if params.get(name).lever}
        self.p.update({name: params.get(name).default for name in strategy if name not in FIXED_AT_START})
        return {name: value for name, value in strategy.items() if value != self.p[name]}

    def _burn_in(self, strategy: Mapping[str, float | int]) -> None:
        """Run the estate at the baseline levers up to week 0, then switch to the strategy.

        Rule: ``burn_in_weeks`` weeks (weeks ``-burn_in_weeks`` to -1) of the
        weekly process at the baseline levers, with no schedule, shocks or
        recording, so that week 0 of every strategy is the same settled estate
        (common random numbers start from the same state); the strategy's own
        levers then take effect at week 0, as a change of strategy would, and
        the survey record starts afresh. The slow disposition settles
        ``burn_in_acceleration`` times faster during the burn-in (an
        accelerated spin-up), so a burn-in of a few years settles a stock
        whose time scale is a decade; the run itself uses the declared rate.
        The ties formed through taking part settle at their declared rates
        (their time scale, at most 100 weeks, is within the burn-in).
        Assumption (a documented burn-in; its length and acceleration are
        declared parameters).
        """
        settle = self.p["disposition_learning_rate"]
        if self.week < 0:
            rate = submodels.spin_up_rate(settle, self.p["burn_in_acceleration"], self.p["disposition_loss_multiplier"])
            spin_up = {"disposition_learning_rate": rate}
            self.set_params(spin_up, checked=False, announced=False)
        while self.week < 0:
            self._week()
        self.last_survey = {}
        self.set_params({**strategy, "disposition_learning_rate": settle}, checked=False, announced=False)

    # --- agents ----------------------------------------------------------------
    @property
    def tenants(self) -> mesa.AgentSet:
        """The tenant households as Mesa agents, one per home.

        Each :class:`~model.agents.Tenant` is a view of one slot of the
        household arrays, so the week never needs them; they are created on
        first use (here, or through ``agents``, ``agents_by_type`` or
        ``agent_types``), which spares a sweep's runs the cost of registering
        thousands of agents.
        """
        if self._tenants is None:
            size = self.households.size
            self._tenants = Tenant.create_agents(self, size, slot=list(range(size)))
        return self._tenants

    @property
    def agents(self) -> mesa.AgentSet:
        """Every agent (tenants, officers, landlord); see :attr:`tenants`."""
        _ = self.tenants
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.AgentSet]:
        """Agents by class; see :attr:`tenants`."""
        _ = self.tenants
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """Agent classes present; see :attr:`tenants`."""
        _ = self.tenants
        return super().agent_types

    # --- set-up and strategy changes ------------------------------------------
    def set_params(
        self, values: Mapping[str, float | int], checked: bool = True, announced: bool = True, cause: str = ""
    ) -> None:
        """Change parameters mid-run (a scheduled change of strategy or a shock).

        A change that withdraws a programme tenants were promised is bad news
        for every household (:meth:`withdraw_news`).

        Args:
            values: Parameter names and new values.
            checked: Validate the values first (False when they were validated
                when the scenario was loaded).
            announced: Tenants see the change (False for the strategy taking
                effect at week 0, after the burn-in).
            cause: What made the change, for :meth:`lever_changes` (empty:
                the scheduled change or shock being applied).

        Raises:
            params.ParameterError: Unknown name or value out of bounds.
            ValueError: A parameter that shapes the estate.
        """
        values = params.validate(values, "set_params") if checked else dict(values)
        fixed = FIXED_AT_START & values.keys()
        if fixed:
            raise ValueError(f"cannot change {sorted(fixed)} mid-run: they are set when the estate is built")
        patch_changed = "patch_size" in values and values["patch_size"] != self.p["patch_size"]
        withdrawn = self._withdrawn(values) if announced else 0.0
        self._log_levers(values, cause or self._change_cause)
        self.p.update(values)
        if withdrawn > 0.0:
            self.withdraw_news(withdrawn)
        if patch_changed:
            self.replace_all_officers()
        self._refresh()
        if np.count_nonzero(self.households.active) > self.landlord.seats():
            willing, margin = self._willingness()
            self.households.active = self._fill_seats(margin, willing)

    def _log_levers(self, values: Mapping[str, float | int], cause: str) -> None:
        """Note each lever ``values`` changes, with its week and cause (once the strategy has started)."""
        if self._lever_log is None:
            return
        for name, value in values.items():
            if params.get(name).lever and value != self.p[name]:
                self._lever_log.append((self.week, name, float(value), cause))

    def lever_changes(self) -> Any:
        """Every lever's value at week 0 and each later change, as a pandas DataFrame.

        Columns ``week``, ``lever``, ``value`` and ``cause`` ("strategy" at
        week 0, then a schedule entry's note or "schedule", "shock: KIND", or
        the policy that made it).
        """
        return pd.DataFrame(self._lever_log or [], columns=["week", "lever", "value", "cause"])

    def replace_all_officers(self) -> None:
        """Redraw patches at the current patch size; every relationship resets."""
        for officer in self.officers:
            officer.remove()
        officer = patch_officers(self.households.neighbourhood_starts, int(self.p["patch_size"]))
        firsts = np.flatnonzero(np.diff(officer, prepend=-1))
        ends = np.append(firsts[1:], officer.size)
        self.officers = [HousingOfficer(self, range(a, b)) for a, b in zip(firsts.tolist(), ends.tolist(), strict=True)]
        self.households.officer = officer
        self.households.relationship[:] = 0.0
        self._new_draws()

    def _new_draws(self) -> None:
        """Room for the week's uniform draws from the model's generator, in the order the week uses them.

        :data:`WEEKLY_DRAWS` rows of one draw per household (``_draws``), then
        one for the repair jobs (:meth:`~model.agents.Landlord.jobs_this_week`)
        and one per officer for staff turnover (:meth:`staff_turnover`): the
        draws those would make one after another, made in one call.
        """
        homes = self.households.size
        self._week_draws = np.empty(WEEKLY_DRAWS * homes + 1 + len(self.officers))
        self._draws = self._week_draws[: WEEKLY_DRAWS * homes].reshape(WEEKLY_DRAWS, homes)

    def _refresh(self) -> None:
        """Recompute the quantities that depend only on parameters and patches."""
        p, h = self.p, self.households
        multiplier = np.where(h.damp, p["damp_repair_multiplier"], 1.0)
        self._need_rate = p["repairs_per_home_year"] / YEAR * multiplier
        self._visit_p = np.array([o.visit_probability for o in self.officers])[h.officer]
        self._channel_open = np.where(h.digital, 1.0, self.landlord.phone_open)
        self._base_participation_cost = submodels.participation_cost(
            h.support_needs,
            h.underrepresented,
            p["support_needs_cost"],
            p["outreach_gap"],
            p["targeted_outreach"],
            p["involvement_spend_per_home"],
        )
        self._participation_cost = self._with_cohesion_pull(self._base_participation_cost)
        self._fix_rate = self._first_time_fix()
        self.landlord.refresh_organisation()
        self._refresh_culture()
        self._plain_ties = kernels.gather(kernels.Ties, h)
        self._relationship_rates = kernels.RelationshipRates.from_params(p)
        self._word_of_mouth_rates = kernels.WordOfMouthRates.from_params(p)
        self._participation_rates = kernels.ParticipationRates.from_params(p)
        self._plain_rates = {
            "relationship": kernels.plain(self._relationship_rates),
            "word_of_mouth": kernels.plain(self._word_of_mouth_rates),
            "participation": kernels.plain(self._participation_rates),
        }
        self._perception_weights = kernels.plain(kernels.PerceptionWeights.from_params(p))

    def _culture_raised_levers(self) -> dict[str, float | int]:
        """The parameters as the embedded culture makes them act: responsiveness, openness and turnover.

        Rules: :func:`model.submodels.culture_raised` (responsiveness, openness);
        staff turnover ``x (1 - culture_turnover_effect * culture)``. Assumption.
        """
        p, c = self.p, self.culture
        return p | {
            "responsiveness": submodels.culture_raised(p["responsiveness"], c, p["culture_responsiveness_effect"]),
            "openness": submodels.culture_raised(p["openness"], c, p["culture_openness_effect"]),
            "staff_turnover": p["staff_turnover"] * (1.0 - p["culture_turnover_effect"] * c),
        }

    def culture_week(self) -> None:
        """The culture programme embeds (or fades) a week further (:func:`model.submodels.culture_after_week`)."""
        p = self.p
        culture = submodels.culture_after_week(
            self.culture, p["culture_programme"], p["culture_ramp_rate"], p["culture_decay_rate"]
        )
        if culture != self.culture:
            self.culture = culture
            self._refresh_culture()

    def _refresh_culture(self) -> None:
        """Recompute what the embedded culture shapes: the effective levers, contact quality, the repair rates."""
        p, h = self.p, self.households
        self.effective = self._culture_raised_levers()
        self._visit_quality = np.array([o.quality for o in self.officers])[h.officer]
        self._quality_gap = p["underrepresented_fairness_gap"] * h.underrepresented
        self._phone_quality = submodels.officer_quality(
            p["treatment_quality"], self.culture, p["culture_effect"], 1.0, 1.0
        )
        self._repair_rates = self._rates_for_repairs()
        self._plain_repair_rates = kernels.plain(self._repair_rates)
        self.landlord.refresh()

    def _rates_for_repairs(self) -> kernels.RepairRates:
        """The parameters of the week's repairs and contacts (:func:`model.kernels.repairs_and_contact`)."""
        p, phone_open = self.p, self.landlord.phone_open
        phone_share = submodels.phone_share_of_excluded_reports(
            phone_open, p["phone_answer_rate"], p["proxy_report_rate"]
        )
        return kernels.RepairRates(
            channels=kernels.Channels.from_params(p, phone_open=phone_open),
            contact=kernels.ContactRates(
                phone_share=phone_share,
                phone_quality=self._phone_quality,
                failed_contact_signal=float(p["failed_contact_signal"]),
            ),
            experience=kernels.ExperienceRates.from_params(self.effective),
            repair_job_weeks=float(p["repair_job_weeks"]),
            standards=kernels.RepairStandards.from_params(p),
        )

    def _first_time_fix(self) -> np.ndarray:
        """Chance a repair fixes the problem (:func:`model.submodels.first_time_fix`)."""
        p = self.p
        fit = submodels.representation_fit(self._representation_ratio())
        return submodels.first_time_fix(
            self.households.underrepresented,
            p["first_time_fix"],
            p["scrutiny_fit_gain"],
            self.landlord.visible_change,
            fit,
        )

    def _warm_start_participation(self) -> None:
        """Give households willing to take part a past participation, at its conditional equilibrium.

        Each willing household took part within the last year with the
        probability implied by ``activity_rate`` over 52 weeks
        (:func:`model.submodels.chance_took_part_last_year`), at a uniform past
        week; seats are filled at once. Who is willing depends on how many
        neighbours took part, so the assignment is repeated, with the same
        draws, until it no longer changes (at most :data:`WARM_START_ROUNDS`
        rounds): participation starts at its equilibrium given the estate's
        trust and efficacy, rather than relaxing to it through the slow
        year-on-year feedback of neighbours taking part.
        """
        h, p = self.households, self.p
        chance = submodels.chance_took_part_last_year(self._channel_open, p["activity_rate"])
        draws = self.rng.random(h.size)
        past_week = self.week - self.rng.integers(0, YEAR, h.size)
        for _ in range(WARM_START_ROUNDS):
            willing, margin = self._willingness()
            took_part = np.where(willing & (draws < chance), past_week, NEVER)
            if np.array_equal(took_part, h.last_took_part):
                break
            h.last_took_part = took_part
        h.active = self._fill_seats(margin, willing)
        self._fix_rate = self._first_time_fix()

    def _fill_seats(self, margin: np.ndarray, willing: np.ndarray) -> np.ndarray:
        """Who holds each neighbourhood's seats now (:func:`model.submodels.fill_seats_by_neighbourhood`)."""
        seats = kernels.Seats(*self.landlord.seats_by_neighbourhood())
        return submodels.fill_seats_by_neighbourhood(margin, willing, seats.per_neighbourhood, seats.starts)

    # --- the week -----------------------------------------------------------------
    def step(self) -> None:
        """One week on the estate."""
        self._apply_timeline()
        self._week()
        self._record()

    def _week(self) -> None:
        """The weekly process (the schedule and shocks apart); the week counter moves on.

        Visits, repairs and contact, word of mouth and participation run in one
        compiled call (:func:`model.kernels.estate_week`), exactly as
        :meth:`frontline_visits`, :meth:`repairs_and_contact`,
        :meth:`word_of_mouth` and :meth:`participation` one after another.
        The uniform draws the week needs from the model's generator, those
        for the repair jobs and staff turnover too, are made in one block
        (:meth:`_new_draws`).
        """
        self.culture_week()
        seed = self.kernel_seed()
        self.rng.random(out=self._week_draws)
        jobs_draw, *turnover_draws = self._week_draws[self._draws.size :].tolist()
        self._estate_week(seed, jobs_draw)
        self.landlord.share_power()
        quarter_end = self.week % QUARTER == QUARTER - 1
        if quarter_end:
            self._fix_rate = self._first_time_fix()
        self.staff_turnover(turnover_draws)
        if quarter_end and self.week >= 0:
            self.community_quarter()
        if self.week % YEAR == YEAR - 1:
            self.survey() if self.week >= 0 else self._burn_in_survey()
            if self.week >= 0:
                self.community_year()
        if self.policy_states and policies.is_review_week(self.week):
            self.review_policies()
        self.week += 1

    def _apply_timeline(self) -> None:
        for change in self.scenario_spec.schedule:
            if change.week == self.week:
                self.set_params(change.values, checked=False, cause=change.note or "schedule")
        for shock in self.scenario_spec.shocks:
            if shock.week == self.week:
                self._change_cause = f"shock: {shock.kind}"
                shocks.apply(shock, self)
                self._change_cause = "schedule"
                self._refresh()
        for state in self.policy_states:
            if state.due == self.week:
                self._enact(state)

    # --- the landlord's policies (model.policies) ----------------------------------
    def landlord_view(self) -> dict[str, float]:
        """What the landlord can see of its results (:data:`model.policies.WATCHABLE`).

        The latest yearly survey's TSMs (NaN before the first) and this week's
        operational figures; never tenants' true trust.
        """
        measured = self.measure()
        return {
            name: float(self.last_survey.get(name, math.nan)) if name.startswith("tsm_") else float(measured[name])
            for name in policies.WATCHABLE
        }

    def review_policies(self) -> None:
        """The quarter's review: decide to start or end each policy with nothing pending.

        Rules: :func:`model.policies.triggered`, :func:`model.policies.recovered`
        and :func:`model.policies.effective_week`; each decision is noted in
        :attr:`decisions`.
        """
        view = self.landlord_view()
        for state in self.policy_states:
            policy, value = state.policy, view[state.policy.watch]
            if state.due is not None:
                continue
            starts = not state.in_force and policies.triggered(value, policy.when, policy.threshold)
            ends = state.in_force and policies.recovered(value, policy.when, policy.release)
            if starts or ends:
                state.due = policies.effective_week(self.week, policy.lag_weeks, policy.budget_cycle)
                self.decisions.append(
                    {
                        "week": self.week,
                        "policy": policy.name,
                        "decision": "start" if starts else "end",
                        "watch": policy.watch,
                        "value": value,
                        "takes_effect": state.due,
                    }
                )

    def neighbourhood_voice_levers(
        self, acting: Mapping[str, float | int] | None = None
    ) -> list[dict[str, float | int]]:
        """Each neighbourhood's voice levers as they act now: the landlord's, or its own (a pilot).

        ``acting`` holds the landlord's own values (default: :attr:`effective`, as the culture makes them act).

        Rule: from week 0, a neighbourhood the scenario's ``[[neighbourhood]]``
        entries name takes their values of ``ladder_rung``,
        ``responsiveness`` (raised by the embedded culture as the landlord's
        is, :func:`model.submodels.culture_raised`) and
        ``delegated_budget_per_home``, later entries winning; landlord-wide
        changes of those levers (a schedule, a policy) then reach only the
        other neighbourhoods. In the burn-in every neighbourhood has the
        landlord's. Assumption.
        """
        effective = self.effective if acting is None else acting
        landlord = {name: effective[name] for name in NEIGHBOURHOOD_LEVERS}
        own = [dict(landlord) for _ in range(self.households.neighbourhood_starts.size - 1)]
        if self.week < 0:
            return own
        for entry in self.scenario_spec.neighbourhood_levers:
            values = dict(entry.values)
            if "responsiveness" in values:
                values["responsiveness"] = submodels.culture_raised(
                    values["responsiveness"], self.culture, self.p["culture_responsiveness_effect"]
                )
            for index in entry.indices:
                own[index].update(values)
        for index in self.community_state.ended:
            own[index]["governance"] = submodels.LANDLORD_MANAGED
        return own

    def _enact(self, state: policies.PolicyState) -> None:
        """A decided policy change takes effect: its levers are set, or restored to their values before it."""
        policy = state.policy
        if state.in_force:
            self.set_params(state.saved, checked=False, cause=f"{policy.name} (ended)")
        else:
            state.saved = {name: self.p[name] for name in policy.values}
            self.set_params(policy.values, checked=False, cause=policy.name)
        state.in_force, state.due = not state.in_force, None

    def kernel_seed(self) -> int:
        """A seed for the compiled kernels' draws this week, drawn from the model's generator."""
        return int(self.rng.integers(0, 2**32))

    def _estate_week(self, seed: int, jobs_draw: float) -> None:
        """Seed the kernels' draws, then the week's visits, repairs, word of mouth and participation in one call.

        ``jobs_draw`` is the week's uniform draw for the repair jobs
        (:meth:`~model.agents.Landlord.jobs_this_week`).

        The structures of arrays are taken straight from where their arrays
        live (:func:`model.kernels.gather`, :func:`plain_getter`), every week, so an
        array replaced since last week (a shock, a change of parameters) is the one the kernels see.
        """
        h, rates = self.households, self._plain_rates
        _, finished, waits, outcomes, self._stories = kernels.estate_week(
            seed,
            self.week,
            self.landlord.jobs_this_week(jobs_draw),
            self.landlord.seats_by_neighbourhood(),
            self._draws,
            self._visit_p,
            rates["relationship"],
            _HOMES(self),
            kernels.gather(kernels.Repairs, h),
            kernels.gather(kernels.Memories, h),
            self._plain_repair_rates,
            kernels.gather(kernels.Opinions, h),
            rates["word_of_mouth"],
            self._plain_ties,
            _READINESS(self),
            kernels.gather(kernels.TookPart, h),
            self._channel_open,
            rates["participation"],
            self._symmetric_ties,
        )
        self._officers_step()
        self._repairs_completed(finished, waits, outcomes)

    def frontline_visits(self) -> np.ndarray:
        """Officers on the estate visit homes; visits build relationships."""
        visited = kernels.frontline_visits(
            visit_p=self._visit_p,
            draws=self._draws[0],
            relationship=self.households.relationship,
            rates=self._plain_rates["relationship"],
        )
        self._officers_step()
        return visited

    def _officers_step(self) -> None:
        """Every officer is a week longer in post."""
        for officer in self.officers:
            officer.step()

    def _homes(self) -> tuple:
        """What each home brings to the week's repairs and contacts (a plain :class:`~model.kernels.Homes`)."""
        return _HOMES(self)

    def repairs_and_contact(self, visited: np.ndarray) -> None:
        """Needs arise, get reported and (budget allowing) fixed; trust responds."""
        h = self.households
        finished, waits, outcomes, self._stories = kernels.repairs_and_contact(
            week=self.week,
            jobs=self.landlord.jobs_this_week(),
            visited=visited,
            draws=kernels.plain(kernels.ReportDraws(need=self._draws[1], report=self._draws[2])),
            homes=self._homes(),
            repairs=kernels.gather(kernels.Repairs, h),
            memories=kernels.gather(kernels.Memories, h),
            rates=self._plain_repair_rates,
        )
        self._repairs_completed(finished, waits, outcomes)

    def _repairs_completed(self, finished: np.ndarray, waits: np.ndarray, outcomes: np.ndarray) -> None:
        """Note this week's completed repairs (homes, waits in weeks, outcome signals) for the wait series."""
        slot = self.week % YEAR
        self._wait_sum[slot], self._wait_count[slot] = waits.sum(), waits.size

    def _ties(self) -> tuple:
        """The neighbour network as the kernels take it (a plain :class:`~model.kernels.Ties`; fixed at set-up)."""
        return self._plain_ties

    def _readiness(self) -> tuple:
        """What readiness to take part is made of (a plain :class:`~model.kernels.Readiness`)."""
        return _READINESS(self)

    def _took_part(self) -> tuple:
        """Seats and latest participation (a plain :class:`~model.kernels.TookPart`)."""
        return kernels.gather(kernels.TookPart, self.households)

    def word_of_mouth(self) -> None:
        """Stories spread along ties (bad further than good); neighbours compare views."""
        h = self.households
        kernels.word_of_mouth(
            opinions=kernels.gather(kernels.Opinions, h),
            stories=kernels.plain(self._stories),
            talk_draws=self._draws[3],
            ties=self._ties(),
            rates=self._plain_rates["word_of_mouth"],
        )

    def _willingness(self) -> tuple[np.ndarray, np.ndarray]:
        """Who is ready to take part, and by how much (readiness minus threshold)."""
        return kernels.willingness(
            week=self.week,
            readiness=self._readiness(),
            took_part=self._took_part(),
            ties=self._ties(),
            rates=self._plain_rates["participation"],
        )

    def participation(self, visited: np.ndarray) -> None:
        """Willing tenants join surveys and meetings; seats are refilled each quarter."""
        kernels.participation(
            week=self.week,
            seats=self.landlord.seats_by_neighbourhood(),
            visited=visited,
            readiness=self._readiness(),
            took_part=self._took_part(),
            ties=self._ties(),
            channel_open=self._channel_open,
            rates=self._plain_rates["participation"],
        )

    def staff_turnover(self, draws: Sequence[float] | None = None) -> None:
        """Each officer leaves with probability turnover / 52 a week; relationships reset.

        Rule: an officer leaves when its uniform draw is below the week's chance
        (one draw per officer, in patch order), as :func:`model.submodels.occurs`.

        Args:
            draws: The officers' draws, made with the week's others
                (:meth:`_new_draws`); drawn from the model's generator now when not given.
        """
        chance = self.effective["staff_turnover"] / YEAR
        if draws is None:
            draws = self.rng.random(len(self.officers)).tolist()
        for officer, draw in zip(self.officers, draws, strict=True):
            if draw < chance:
                officer.hand_over()

    def _withdrawn(self, values: Mapping[str, float | int]) -> float:
        """Summed :func:`model.submodels.withdrawal` of the programme levers in ``values``."""
        total = 0.0
        for name, new in values.items():
            declared = params.get(name)
            if declared.programme:
                total += submodels.withdrawal(self.p[name], new, declared.low, declared.high, declared.programme)
        return total

    def withdraw_news(self, withdrawn: float) -> None:
        """Every household lives through a promised programme's withdrawal: trust and disposition fall.

        Rule: :func:`model.submodels.broken_promise_signal` as a lived loss
        (:func:`model.submodels.lived_loss_push`, weighed by the negativity
        bias once) on trust and on the slowly earned disposition alike, so the
        mark lasts. Assumption (Kampen, Van de Walle & Bouckaert 2006).
        """
        p, h = self.p, self.households
        signal = submodels.broken_promise_signal(withdrawn, p["broken_promise_weight"])
        up, down = submodels.lived_loss_push(signal, p["trust_learning_rate"], p["negativity_bias"])
        h.trust = submodels.push(h.trust, up, down)
        h.disposition = submodels.push(h.disposition, up, down)

    def hear_news(self, signal: float) -> None:
        """Every household hears news of weight ``signal`` in [-1, 1] (:func:`model.submodels.news_push`)."""
        p, h = self.p, self.households
        up, down = submodels.news_push(signal, p["trust_learning_rate"])
        h.trust = submodels.push(h.trust, up, down)

    # --- community: cohesion, community-led governance and assets (ODD 7.23) --------------------
    def _neighbourhood_means(self, values: np.ndarray) -> np.ndarray:
        """Each neighbourhood's mean of a per-household array."""
        starts = self.households.neighbourhood_starts
        return np.add.reduceat(values, starts[:-1]) / np.diff(starts)

    def _cohesion_targets(self) -> np.ndarray:
        """What each neighbourhood's ties, efficacy and assets support (:func:`model.submodels.cohesion_target`)."""
        p, h, state = self.p, self.households, self.community_state
        ties_gap = self._neighbourhood_means(h.ties_formed) - state.ties_reference
        efficacy_gap = self._neighbourhood_means(h.efficacy) - state.efficacy_reference
        return np.array(
            [
                submodels.cohesion_target(
                    p["cohesion_reference"],
                    float(ties),
                    float(efficacy),
                    int(assets),
                    p["cohesion_tie_weight"],
                    p["cohesion_efficacy_weight"],
                    p["asset_cohesion_effect"],
                )
                for ties, efficacy, assets in zip(ties_gap, efficacy_gap, state.assets, strict=True)
            ]
        )

    def _settle_community(self) -> None:
        """At week 0: the settled levels cohesion is measured against, and each neighbourhood's cohesion.

        Rule: the landlord-wide mean ties formed through taking part and mean
        efficacy at week 0 (after the burn-in, at the baseline levers) are the
        reference levels, so the settled baseline belongs at
        ``cohesion_reference`` (the Community Life Survey's 61%); each
        neighbourhood starts at its :func:`model.submodels.cohesion_target`.
        Assumption (initialisation at the conditional equilibrium, as efficacy).
        """
        h, state = self.households, self.community_state
        state.ties_reference, state.efficacy_reference = float(h.ties_formed.mean()), float(h.efficacy.mean())
        state.cohesion = self._cohesion_targets()

    def community_quarter(self) -> None:
        """At the end of each quarter: cohesion moves, and each community-led committee's quorum is checked.

        Rules: :func:`model.submodels.cohesion_after` (13 weeks towards
        :func:`model.submodels.cohesion_target`); with ``cohesion_pull`` the
        new cohesion eases taking part (:meth:`_with_cohesion_pull`); a
        community-led neighbourhood whose committee (its seat holders, against
        its seats) is not :func:`model.submodels.committee_viable` for
        ``committee_grace_quarters`` quarters in a row goes back to the
        landlord (:meth:`end_governance`).
        """
        p, state = self.p, self.community_state
        targets = self._cohesion_targets()
        state.cohesion = np.array(
            [
                submodels.cohesion_after(float(x), float(target), p["cohesion_rate"], QUARTER)
                for x, target in zip(state.cohesion, targets, strict=True)
            ]
        )
        if p["cohesion_pull"] != 0.0:
            self._participation_cost = self._with_cohesion_pull(self._base_participation_cost)
        led = np.flatnonzero(self.landlord.community_led)
        if led.size == 0:
            return
        members = np.add.reduceat(self.households.active.astype(np.int64), self.households.neighbourhood_starts[:-1])
        seats = kernels.Seats(*self.landlord.seats_by_neighbourhood()).per_neighbourhood
        for k in led.tolist():
            quorate = submodels.committee_viable(int(members[k]), int(seats[k]), p["committee_quorum"])
            state.inquorate[k] = 0 if quorate else state.inquorate[k] + 1
            if state.inquorate[k] >= p["committee_grace_quarters"]:
                self.end_governance(k, "committee members", float(members[k]))

    def community_year(self) -> None:
        """At the end of each year: continuation ballots fall due, and community-led estates may take on assets.

        Rules: every ``ballot_interval_weeks`` weeks from week 0 each TMO holds
        a continuation ballot, in favour the share of its households who would
        answer "satisfied" to TP01 (:meth:`satisfaction_probability`); if it
        does not :func:`model.submodels.ballot_passes`, management goes back to
        the landlord. Each community-led neighbourhood takes a place to meet
        into community ownership with chance :func:`model.submodels.asset_chance`
        (draws from a stream of their own, so runs without a community-led
        neighbourhood keep every other random number). Assets are never lost.
        """
        p, state = self.p, self.community_state
        led = np.flatnonzero(self.landlord.community_led)
        if led.size == 0:
            return
        if (self.week + 1) % int(p["ballot_interval_weeks"]) < YEAR:
            in_favour = self._neighbourhood_means(self.satisfaction_probability())
            for k in led.tolist():
                tenant_managed = self.landlord.governance[k] == submodels.TENANT_MANAGED
                if tenant_managed and not submodels.ballot_passes(float(in_favour[k]), p["ballot_majority"]):
                    self.end_governance(k, "continuation ballot in favour", float(in_favour[k]))
        draws = state.asset_draws(self.rng, led.size)
        for k, draw in zip(led.tolist(), draws.tolist(), strict=True):
            if self.landlord.community_led[k]:
                chance = submodels.asset_chance(float(state.cohesion[k]), p["asset_rate"], p["asset_threshold"])
                state.assets[k] += submodels.occurs(draw, chance)

    def end_governance(self, neighbourhood: int, watch: str, value: float) -> None:
        """A community-led neighbourhood goes back to the landlord: its tenants live it as a broken promise.

        Rule: from now on the neighbourhood is landlord-managed (its seats,
        voice and support cost follow; its committee's members lose their
        seats at once, and the landlord's panel seats there, if any, are
        filled at the next quarter's start); its households, and only they, live
        :func:`model.submodels.withdrawal` of their governance as a lived loss
        (as :meth:`withdraw_news`). Recorded in :attr:`decisions` with what
        ended it (``watch``, and its ``value``).
        Assumption (Kampen, Van de Walle & Bouckaert 2006).
        """
        p, h = self.p, self.households
        declared = params.get("governance")
        withdrawn = submodels.withdrawal(
            float(self.landlord.governance[neighbourhood]), 0.0, declared.low, declared.high, declared.programme
        )
        self.community_state.ended[neighbourhood] = self.week
        self.community_state.inquorate[neighbourhood] = 0
        self.landlord.refresh_organisation()
        self.landlord.refresh()
        block = slice(*h.neighbourhood_starts[neighbourhood : neighbourhood + 2].tolist())
        h.active[block] = False
        signal = submodels.broken_promise_signal(withdrawn, p["broken_promise_weight"])
        up, down = submodels.lived_loss_push(signal, p["trust_learning_rate"], p["negativity_bias"])
        h.trust[block] = submodels.push(h.trust[block], up, down)
        h.disposition[block] = submodels.push(h.disposition[block], up, down)
        self.decisions.append(
            {
                "week": self.week,
                "policy": f"community-led governance of neighbourhood {neighbourhood}",
                "decision": "end",
                "watch": watch,
                "value": value,
                "takes_effect": self.week,
            }
        )

    def _with_cohesion_pull(self, cost: np.ndarray) -> np.ndarray:
        """Participation costs eased by cohesion above its settled level, ``cohesion_pull`` a unit.

        Rule: ``cost_i - cohesion_pull * (X_k - cohesion_reference)`` for a
        household of neighbourhood ``k`` (the costs as they are when
        ``cohesion_pull`` is 0). Assumption (seeds/004, "a local muscle").
        """
        pull = self.p["cohesion_pull"]
        if pull == 0.0:
            return cost
        gap = self.community_state.cohesion - self.p["cohesion_reference"]
        return cost - pull * np.repeat(gap, np.diff(self.households.neighbourhood_starts))

    # --- measurement ---------------------------------------------------------------
    def latent_answers(self) -> dict[str, np.ndarray]:
        """Each household's latent view behind TP01, TP06, TP07 and TP08.

        Rule: :func:`model.submodels.tsm_latent`, trust blended with the
        perception the question is about: efficacy (TP06, listens and acts),
        being kept informed (TP07), fair treatment (TP08); overall satisfaction
        (TP01) blends trust with the weighted mean of all four perceptions,
        repair outcomes included (:func:`model.submodels.overall_perception`).
        The weights are declared parameters. Assumption.
        """
        h, w = self.households, self.p["tsm_trust_weight"]
        return {
            "tp01": self._overall_latent(),
            "tp06": submodels.tsm_latent(h.trust, h.efficacy, w),
            "tp07": submodels.tsm_latent(h.trust, h.informed_score, w),
            "tp08": submodels.tsm_latent(h.trust, h.treatment_score, w),
        }

    def _overall_latent(self) -> np.ndarray:
        """The latent view behind TP01: trust blended with the weighted mean of the four perceptions."""
        h, p = self.households, self.p
        perceptions = submodels.overall_perception(
            h.outcome_score,
            h.efficacy,
            h.informed_score,
            h.treatment_score,
            p["tp01_repairs_weight"],
            p["tp01_voice_weight"],
            p["tp01_informed_weight"],
            p["tp01_treatment_weight"],
        )
        return submodels.tsm_latent(h.trust, perceptions, p["tsm_trust_weight"])

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

    def _burn_in_survey(self) -> None:
        """A yearly survey in the burn-in: its draws alone, as :meth:`survey` makes them.

        The burn-in discards its surveys' results (:meth:`_burn_in`), so only
        their draws, which every later draw follows, are made.
        """
        size = self.households.size
        self.rng.random((3, size))
        for _ in SURVEY_QUESTIONS:
            self.rng.logistic(0.0, ANSWER_NOISE, size)

    def _record(self) -> None:
        """Measure this week and add it to the data collector's weekly table."""
        if not self.record_weekly and self.week > 0:
            return
        self.metrics = self.measure()
        self.datacollector.add_table_row("weekly", {"week": self.week, **self.metrics})
        self.datacollector.collect(self)

    def _representation_ratio(self, taking_part: np.ndarray | None = None) -> float:
        """Under-represented group's share among participants over its share of tenants."""
        h = self.households
        if taking_part is None:
            taking_part = h.took_part_within(self.week, YEAR)
        return self._ratio_among(np.count_nonzero(taking_part & h.underrepresented), np.count_nonzero(taking_part))

    def _ratio_among(self, underrepresented: int, participants: int) -> float:
        """The representation ratio of ``underrepresented`` participants among ``participants`` (NaN if none)."""
        if participants == 0 or self._group_sizes[2] == 0:
            return math.nan
        among = underrepresented / participants
        return float(among / (self._group_sizes[2] / self.households.size))

    def measure(self) -> dict[str, float]:
        """This week's outcomes (the weekly series).

        The means, counts and sums come from one compiled pass
        (:func:`model.kernels.measures`), to the same bits as NumPy's; so does
        ``satisfaction_true``, the mean of :meth:`satisfaction_probability`.
        """
        h = self.households
        m, arguments = kernels.measures(
            self.week,
            kernels.gather(kernels.Measured, h),
            self._perception_weights,
            2.0 * ANSWER_NOISE,
            self._wait_sum,
            self._wait_count,
        )
        excluded, included, under, majority = h.trust @ self._group_weights
        return {
            "trust_mean": m.trust_mean,
            "trust_digitally_excluded": float(excluded),
            "trust_digitally_included": float(included),
            "trust_underrepresented": float(under),
            "trust_majority": float(majority),
            "efficacy_mean": m.efficacy_mean,
            "participation_rate": m.participants / h.size,
            "active_share": m.active / h.size,
            "representation_ratio": self._ratio_among(m.underrepresented_participants, m.participants),
            "satisfaction_true": 100.0 * kernels.mean_satisfied(np.tanh(arguments, out=arguments)),
            "repair_backlog_per_1000": 1000.0 * m.open_needs / h.size,
            "repair_wait_weeks_mean": m.waited / m.completed if m.completed else math.nan,
            "cost_per_home": float(self.landlord.engagement_cost_per_home),
            "visible_change": float(self.landlord.visible_change),
            "tsm_tp01": self.last_survey.get("tsm_tp01", math.nan),
        }

    def summary(self) -> dict[str, Any]:
        """Outcomes at the end of the run so far (the keys of ``summary.json``).

        Every outcome of :mod:`model.outcomes`: the estate's, then ``weeks``
        and ``homes``, then the survey's. Trust, efficacy and participation
        are shares or means in [0, 1]; ``satisfaction_true`` and ``tsm_*`` are
        percentages; survey values are ``None`` until the first yearly survey
        (week 52).
        """
        h = self.households
        satisfied = self.satisfaction_probability()
        older, middle = h.age_band == OVER_65, h.age_band == 1
        values: dict[str, Any] = self.measure() | {
            "satisfaction_true_underrepresented": 100.0 * _mean(satisfied, h.underrepresented),
            "satisfaction_true_majority": 100.0 * _mean(satisfied, ~h.underrepresented),
            "satisfaction_true_over_65": 100.0 * _mean(satisfied, older),
            "satisfaction_true_25_54": 100.0 * _mean(satisfied, middle),
            "repair_budget_per_home": float(self.landlord.repairs_per_home_week * YEAR * self.p["repair_unit_cost"]),
            "central_pass_through": float(self.landlord.central_pass_through),
            **self.community(),
            **self.spending(),
        }
        out = {name: values[name] for name in outcomes.ESTATE}
        out |= {"weeks": self.week, "homes": h.size}
        out |= {name: self.last_survey.get(name) for name in outcomes.SURVEY}
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}

    def community(self) -> dict[str, float]:
        """The community outcomes now (ODD 7.22-7.23).

        ``ties_per_household`` and ``lonely_share`` (%); ``cohesion``, the
        homes-weighted share who belong strongly (%); ``community_assets``,
        places to meet in community ownership; ``community_led_share``, the
        share of homes run by a TMO, co-op or community land trust (%).
        """
        homes = np.diff(self.households.neighbourhood_starts)
        led = self.landlord.community_led
        return {
            "ties_per_household": float(self.households.ties_formed.mean()),
            "lonely_share": 100.0 * float(self.lonely_probability().mean()),
            "cohesion": 100.0 * float(np.dot(self.community_state.cohesion, homes) / homes.sum()),
            "community_assets": float(self.community_state.assets.sum()),
            "community_led_share": 100.0 * float(homes[led].sum() / homes.sum()),
        }

    def lonely_probability(self) -> np.ndarray:
        """Each household's chance of feeling lonely often or always (:func:`model.submodels.lonely_probability`)."""
        h, p = self.households, self.p
        base = np.where(h.support_needs, p["loneliness_with_support_needs"], p["loneliness_without_support_needs"])
        return submodels.lonely_probability(h.ties_formed, base, p["loneliness_tie_effect"])

    def neighbourhood_summary(self) -> pd.DataFrame:
        """Outcomes at the end of the run so far, one row per neighbourhood.

        Columns: ``neighbourhood``, ``homes``, ``seats``, ``governance`` (who
        runs it now: 0 the landlord, 1 a TMO, 2 a co-op or community land
        trust) and ``governance_ended_week`` (when community-led governance
        ended, else None), then ``trust_mean``, ``efficacy_mean``,
        ``participation_rate`` (took part in the last year or holds a seat),
        ``active_share``, ``satisfaction_true``, ``ties_per_household`` and
        ``lonely_share``, measured as the landlord-wide outcomes of the same
        names over that neighbourhood's homes, and its ``cohesion`` (%) and
        ``community_assets``. The yearly survey is landlord-wide, so there are
        no per-neighbourhood TSMs.
        """
        h = self.households
        starts = h.neighbourhood_starts
        seats = kernels.Seats(*self.landlord.seats_by_neighbourhood()).per_neighbourhood
        took_part = h.took_part_within(self.week, YEAR) | h.active
        satisfied = self.satisfaction_probability()
        lonely = self.lonely_probability()
        community = self.community_state
        rows = []
        for k, (start, end) in enumerate(itertools.pairwise(starts.tolist())):
            block = slice(start, end)
            rows.append(
                {
                    "neighbourhood": k,
                    "homes": end - start,
                    "seats": int(seats[k]),
                    "governance": int(self.landlord.governance[k]),
                    "governance_ended_week": community.ended.get(k),
                    "trust_mean": float(h.trust[block].mean()),
                    "efficacy_mean": float(h.efficacy[block].mean()),
                    "participation_rate": float(took_part[block].mean()),
                    "active_share": float(h.active[block].mean()),
                    "satisfaction_true": 100.0 * float(satisfied[block].mean()),
                    "ties_per_household": float(h.ties_formed[block].mean()),
                    "lonely_share": 100.0 * float(lonely[block].mean()),
                    "cohesion": 100.0 * float(community.cohesion[k]),
                    "community_assets": int(community.assets[k]),
                }
            )
        return pd.DataFrame(rows)

    def spending(self) -> dict[str, float]:
        """What the landlord spends, £ a home a year, by use, from the rules its budget uses.

        Officers (:func:`model.submodels.frontline_cost_per_home`), involvement
        and a delegated budget (:func:`model.submodels.involvement_cost_per_home`),
        phone lines and offices (:func:`model.submodels.channel_cost_per_home`)
        at the current parameters; repairs are the jobs actually done over the
        last year (or the run so far, if shorter) at the unit cost
        (:func:`model.submodels.repair_spend_per_home`), so money the budget
        allows but no need used is not counted as spent.
        """
        landlord = self.landlord
        repairs = submodels.repair_spend_per_home(
            float(self._wait_count.sum()), self.households.size, min(self.week, YEAR), float(self.p["repair_unit_cost"])
        )
        spend = {
            "spend_frontline_per_home": float(landlord.frontline_cost_per_home),
            "spend_involvement_per_home": float(landlord.involvement_cost_per_home),
            "spend_channels_per_home": float(landlord.channel_cost_per_home),
            "spend_repairs_per_home": float(repairs),
        }
        return spend | {"spend_total_per_home": float(sum(spend.values()))}

    def weekly(self) -> Any:
        """The weekly series as a pandas DataFrame indexed by week."""
        return self.datacollector.get_table_dataframe("weekly").set_index("week")


def resolve_scenario(
    scenario: Scenario | str | Path | None,
    shocks: Sequence[str | Path] = (),
    parameters: Mapping[str, float | int] | None = None,
) -> Scenario:
    """The scenario a :class:`TrustModel` runs: a given one, or a built-in or file by name, with ``parameters`` set.

    Args:
        scenario: A resolved scenario, a built-in name or a path (None: the baseline).
        shocks: Shock layers to add (only with a name or path).
        parameters: Declared parameters overriding the scenario's values.

    Returns:
        The resolved scenario (``scenario`` itself when nothing is overridden).

    Raises:
        ScenarioError: Unknown name or parameter, a value out of range, or
            shocks given with a scenario that is already resolved.
    """
    parameters = dict(parameters or {})
    if not isinstance(scenario, Scenario):
        return load_scenario("baseline" if scenario is None else scenario, shocks=shocks, **parameters)
    if shocks:
        raise ScenarioError(
            f"TrustModel: shocks = {list(shocks)!r} with a resolved Scenario '{scenario.name}'; allowed: shocks only "
            "with a scenario name (or add them with load_scenario(name, shocks=...))"
        )
    if not parameters:
        return scenario
    try:
        values = params.validate(parameters, f"TrustModel({scenario.name})")
    except params.ParameterError as error:
        raise ScenarioError(str(error)) from None
    return replace(scenario, params=scenario.params | values)


def _reporter(name: str) -> Callable[[TrustModel], float]:
    """A Mesa model reporter for one weekly series: the value :meth:`TrustModel.measure` gave this week."""

    def report(model: TrustModel) -> float:
        return model.metrics[name]

    return report


#: Model reporters of the data collector: the week and every weekly series, so that ``mesa.batch_run`` returns rows.
_REPORTERS: dict[str, Callable[[TrustModel], float]] = {"week": lambda model: model.week} | {
    name: _reporter(name) for name in WEEKLY_SERIES
}


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
