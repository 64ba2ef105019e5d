"""The three kinds of agent: tenant households, housing officers, the landlord.

Tenants' state lives in the model's :class:`~model.households.Households`
arrays; each ``Tenant`` reads and writes its own slot, so the weekly update is
vectorised while Mesa's AgentSet and data collection still see agents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

import mesa
import numpy as np

from model import kernels, submodels
from model.households import AGE_BANDS, ENGAGEMENT, Households
from model.submodels import QUARTER


class Estate(Protocol):
    """What the agents need from their model (:class:`model.model.TrustModel` is one).

    Attributes:
        p: Current parameter values.
        households: Tenant households' state arrays.
        officers: Housing officers, one per patch.
        week: Weeks completed.
        rng: The run's random number generator.
        culture: What the culture programme has embedded so far, 0-1.
        effective: The parameters as the embedded culture makes them act
            (responsiveness, openness and staff turnover raised or lowered).
    """

    p: Mapping[str, float | int]
    households: Households
    officers: Sequence[HousingOfficer]
    week: int
    rng: np.random.Generator
    culture: float
    effective: Mapping[str, float | int]


class Tenant(mesa.Agent):
    """A tenant household: one slot of the model's household arrays."""

    model: Estate

    def __init__(self, model: Estate, slot: int) -> None:
        """Create the tenant living in home ``slot``."""
        super().__init__(model)
        self.slot = slot

    @property
    def trust(self) -> float:
        """Trust in the landlord, 0-1."""
        return float(self.model.households.trust[self.slot])

    @trust.setter
    def trust(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"trust must be in [0, 1], got {value}")
        self.model.households.trust[self.slot] = value

    @property
    def efficacy(self) -> float:
        """Belief that speaking up changes anything, 0-1."""
        return float(self.model.households.efficacy[self.slot])

    @property
    def digital(self) -> bool:
        """Can use online services."""
        return bool(self.model.households.digital[self.slot])

    @property
    def underrepresented(self) -> bool:
        """Belongs to the under-represented (ethnic-minority) group."""
        return bool(self.model.households.underrepresented[self.slot])

    @property
    def age_band(self) -> str:
        """Age band of the tenant."""
        return AGE_BANDS[self.model.households.age_band[self.slot]]

    @property
    def engagement(self) -> str:
        """'none', 'occasional' (took part in the last year) or 'active' (panel or board)."""
        households, week = self.model.households, self.model.week
        if households.active[self.slot]:
            return ENGAGEMENT[2]
        return ENGAGEMENT[int(households.took_part_within(week, 52)[self.slot])]

    @property
    def officer(self) -> HousingOfficer:
        """The housing officer whose patch holds this home."""
        return self.model.officers[int(self.model.households.officer[self.slot])]

    @property
    def neighbours(self) -> list[int]:
        """Slots of the households this one talks to."""
        h = self.model.households
        return h.indices[h.indptr[self.slot] : h.indptr[self.slot + 1]].tolist()


class HousingOfficer(mesa.Agent):
    """A housing officer looking after a patch of homes.

    Attributes:
        patch: Range of home slots in the patch.
        weeks_in_post: Weeks since the current officer started.
    """

    model: Estate

    def __init__(self, model: Estate, patch: range) -> None:
        """Create an officer for the homes in ``patch``."""
        super().__init__(model)
        self.patch = patch
        self.weeks_in_post = 0

    @property
    def quality(self) -> float:
        """Chance a contact is fair, respectful and informative."""
        p = self.model.p
        return submodels.officer_quality(
            p["treatment_quality"],
            self.model.culture,
            p["culture_effect"],
            self.caseload,
            p["workload_reference"],
        )

    @property
    def caseload(self) -> int:
        """Homes per full-time officer on this patch.

        Rule: ``max(len(patch), patch_size)``. A patch smaller than
        ``patch_size`` (the last of a neighbourhood whose homes are not a
        multiple of it) has a part-time officer, for the time its homes
        need, so the same caseload, visits and quality per home as a full
        patch; this is what the costing assumes (``officer_cost /
        patch_size`` a home). Assumption.
        """
        return max(len(self.patch), int(self.model.p["patch_size"]))

    @property
    def visit_probability(self) -> float:
        """Chance a home in the patch gets a visit in a week (visits spread over the officer's caseload)."""
        p = self.model.p
        return submodels.visit_probability(p["officer_visits_per_week"], p["estate_presence"], self.caseload)

    def step(self) -> None:
        """Another week in post."""
        self.weeks_in_post += 1

    def hand_over(self) -> None:
        """The officer leaves; a newcomer starts and every relationship resets."""
        self.model.households.relationship[self.patch.start : self.patch.stop] = 0.0
        self.weeks_in_post = 0


class VoiceLevers(NamedTuple):
    """What the landlord's weekly voice pushes take from the parameters as the culture makes them act.

    Attributes:
        visible_change: :func:`model.submodels.visible_change`.
        capacity: Participants whose priorities the landlord can take through in
            a quarter (``decision_capacity_per_1000`` per 1,000 homes).
        promised: :func:`model.submodels.promised_influence`.
        rate: The week's share of ``efficacy_learning_rate`` (:func:`model.submodels.weekly_rate`).
        voice_rates: :class:`model.kernels.VoiceRates` with the pushes still at 0.
        influence_rates: :class:`model.kernels.InfluenceRates`, what
            :func:`model.kernels.share_power` works the pushes out from.
    """

    visible_change: float
    capacity: float
    promised: float
    rate: float
    voice_rates: kernels.VoiceRates
    influence_rates: kernels.InfluenceRates


def voice_levers(effective: Mapping[str, float | int], homes: int) -> VoiceLevers:
    """The :class:`VoiceLevers` of parameters ``effective`` (as the culture makes them act) on ``homes`` homes."""
    visible_change = submodels.visible_change(
        effective["ladder_rung"], effective["responsiveness"], effective["delegated_budget_per_home"]
    )
    capacity = effective["decision_capacity_per_1000"] * homes / 1000.0
    promised = submodels.promised_influence(effective["ladder_rung"], effective["consultation_expectation"])
    rate = submodels.weekly_rate(effective["efficacy_learning_rate"])
    agendas = submodels.central_agendas(effective["central_capacity"], homes, effective["central_capacity_scaling"])
    return VoiceLevers(
        visible_change=visible_change,
        capacity=capacity,
        promised=promised,
        rate=rate,
        influence_rates=kernels.InfluenceRates.from_params(effective, capacity, rate, agendas),
        voice_rates=kernels.VoiceRates.from_params(
            effective,
            participants_up=0.0,
            participants_down=0.0,
            others_up=0.0,
            others_down=0.0,
            news_rate=submodels.weekly_rate(effective["news_weight"]),
        ),
    )


def _homes_mean(values: Sequence[float], homes: np.ndarray) -> float:
    """The homes-weighted mean of per-neighbourhood values (the landlord's own value when all agree)."""
    if all(v == values[0] for v in values):
        return float(values[0])
    return float(np.dot(values, homes) / homes.sum())


def _neighbourhood_voice(
    own: Sequence[Mapping[str, float]], effective: Mapping[str, float | int]
) -> kernels.NeighbourhoodVoice:
    """Each neighbourhood's visible change, promised influence and local share, from its own levers.

    Rules: :func:`model.submodels.visible_change`,
    :func:`model.submodels.promised_influence`, :func:`model.submodels.local_share`,
    with the landlord's ``consultation_expectation`` and ``local_decision_share``,
    each under the neighbourhood's governance (:func:`model.submodels.governance_rung`,
    :func:`model.submodels.governance_responsiveness`,
    :func:`model.submodels.governance_local_share`; a landlord-managed
    neighbourhood keeps its levers as they are).
    """
    rungs = [submodels.governance_rung(k["governance"], k["ladder_rung"]) for k in own]
    responsiveness = [
        submodels.governance_responsiveness(k["governance"], k["responsiveness"], effective["community_responsiveness"])
        for k in own
    ]
    return kernels.NeighbourhoodVoice(
        visible_change=np.array(
            [
                submodels.visible_change(rung, acted, k["delegated_budget_per_home"])
                for rung, acted, k in zip(rungs, responsiveness, own, strict=True)
            ]
        ),
        promised=np.array(
            [submodels.promised_influence(rung, effective["consultation_expectation"]) for rung in rungs]
        ),
        local_share=np.array(
            [
                submodels.governance_local_share(
                    k["governance"],
                    submodels.local_share(effective["local_decision_share"], k["delegated_budget_per_home"]),
                    effective["tmo_local_share"],
                )
                for k in own
            ]
        ),
    )


def _seats_by_neighbourhood(
    own: Sequence[Mapping[str, float]], homes: np.ndarray, p: Mapping[str, float]
) -> np.ndarray:
    """Each neighbourhood's seats: its committee's if tenants run it, else its share of the landlord's panel.

    Rules: :func:`model.submodels.committee_seats` for a community-led
    neighbourhood; the landlord's :func:`model.submodels.panel_seats` for the
    homes of the landlord-managed neighbourhoods whose rung has a panel
    (:func:`model.submodels.has_panel`), shared among them by
    :func:`model.submodels.allocate_seats`.
    """
    led = np.array([submodels.is_community_led(k["governance"]) for k in own])
    with_panel = np.array([submodels.has_panel(k["ladder_rung"]) for k in own]) & ~led
    seats = np.zeros(homes.size, dtype=np.int64)
    if with_panel.any():
        rung = max(k["ladder_rung"] for k, panel in zip(own, with_panel, strict=True) if panel)
        total = submodels.panel_seats(rung, p["panel_seats_per_1000"], int(homes[with_panel].sum()))
        seats[with_panel] = submodels.allocate_seats(total, homes[with_panel])
    for k in np.flatnonzero(led):
        seats[k] = submodels.committee_seats(p["committee_seats_per_1000"], int(homes[k]))
    return seats


class Landlord(mesa.Agent):
    """The landlord: its strategy, its budget and the decisions tenants can change.

    Attributes:
        visible_change: Share of tenants' priorities that changed decisions at the
            latest quarterly round ("you said, we did").
        influence: Share of one participant's priorities that changed a
            decision, after the landlord's capacity is shared among them
            (homes-weighted mean over neighbourhoods).
        central_pass_through: Share of each neighbourhood's priorities the
            central layer took through this week
            (:func:`model.submodels.central_pass_through`).
        governance: Who runs each neighbourhood now (``model.submodels.LANDLORD_MANAGED``,
            ``TENANT_MANAGED`` or ``COMMUNITY_OWNED``).
    """

    model: Estate

    def __init__(self, model: Estate) -> None:
        """Create the landlord of ``model``'s estate."""
        super().__init__(model)
        self.visible_change = 0.0
        self.influence = 0.0
        self.central_pass_through = 1.0
        self._levers: VoiceLevers | None = None
        self._plain_rates: tuple[tuple, tuple] = ((), ())
        self._expected_jobs = 0.0
        self._seats: tuple = ()
        self._neighbourhood_voice: tuple = ()
        self._delegated = 0.0
        self._community_support = 0.0
        self.governance = np.zeros(1, dtype=np.int64)

    def refresh(self) -> None:
        """Work out again what the culture changes: the voice levers, each neighbourhood's, the jobs expected a week.

        The levers' rates are kept as plain tuples too, as :meth:`share_power` passes them each week.
        The model calls it whenever a parameter or the culture changes (``effective`` is replaced), after
        :meth:`refresh_organisation` when a parameter changed.
        """
        self._levers = voice_levers(self.model.effective, self.model.households.size)
        self._plain_rates = (kernels.plain(self._levers.influence_rates), kernels.plain(self._levers.voice_rates))
        own = self.model.neighbourhood_voice_levers()
        self._expected_jobs = self.repairs_per_home_week * self.model.households.size
        self._neighbourhood_voice = kernels.plain(_neighbourhood_voice(own, self.model.effective))

    def refresh_organisation(self) -> None:
        """Work out again what only the parameters change: seats, delegated budget, governance and its support.

        The model calls it whenever a parameter changes, or a neighbourhood's
        governance ends (not when only the culture does: none depends on it).
        ``governance`` holds each neighbourhood's, and a community-led
        neighbourhood costs ``community_support_cost_per_home`` a home (part of
        the involvement cost).
        """
        starts = self.model.households.neighbourhood_starts
        homes = np.diff(starts)
        p = self.model.p
        own = self.model.neighbourhood_voice_levers(p)  # rung, budget and governance: the culture raises none
        self._delegated = _homes_mean([k["delegated_budget_per_home"] for k in own], homes)
        self.governance = np.array([k["governance"] for k in own], dtype=np.int64)
        self._community_support = float(
            p["community_support_cost_per_home"] * homes[self.community_led].sum() / homes.sum()
        )
        per_neighbourhood = _seats_by_neighbourhood(own, homes, p)
        self._seats = kernels.plain(kernels.Seats(starts=starts, per_neighbourhood=per_neighbourhood))

    @property
    def community_led(self) -> np.ndarray:
        """Which neighbourhoods tenants run now (:func:`model.submodels.is_community_led` of :attr:`governance`)."""
        return self.governance != submodels.LANDLORD_MANAGED

    def levers(self) -> VoiceLevers:
        """The :class:`VoiceLevers` of the model's effective parameters (as of the last :meth:`refresh`)."""
        return self._levers

    @property
    def phone_open(self) -> float:
        """How far phone and office contact stays open (1 - digital_first)."""
        return 1.0 - self.model.p["digital_first"]

    @property
    def engagement_cost_per_home(self) -> float:
        """£ a home a year on frontline staff and tenant engagement."""
        p = self.model.p
        return submodels.engagement_cost_per_home(
            p["officer_cost"],
            p["patch_size"],
            p["involvement_spend_per_home"],
            self._delegated + self._community_support,
            self.culture_cost_per_home,
        )

    @property
    def culture_cost_per_home(self) -> float:
        """£ a home a year on the culture programme while it runs (part of the frontline cost)."""
        p = self.model.p
        return submodels.culture_cost_per_home(p["culture_programme"], p["culture_cost_per_home"])

    @property
    def frontline_cost_per_home(self) -> float:
        """£ a home a year on housing officers (part of :attr:`engagement_cost_per_home`)."""
        p = self.model.p
        return submodels.frontline_cost_per_home(p["officer_cost"], p["patch_size"], self.culture_cost_per_home)

    @property
    def involvement_cost_per_home(self) -> float:
        """£ a home a year on involvement and a delegated budget (the rest of :attr:`engagement_cost_per_home`)."""
        p = self.model.p
        return submodels.involvement_cost_per_home(
            p["involvement_spend_per_home"], self._delegated + self._community_support
        )

    @property
    def channel_cost_per_home(self) -> float:
        """£ a home a year on phone lines and offices, as open as they are."""
        return submodels.channel_cost_per_home(self.model.p["phone_office_cost_per_home"], self.phone_open)

    @property
    def repairs_per_home_week(self) -> float:
        """Responsive repairs the budget pays for, per home per week."""
        p = self.model.p
        return submodels.repair_capacity(
            p["envelope_per_home"],
            self.engagement_cost_per_home,
            p["phone_office_cost_per_home"],
            self.phone_open,
            p["repair_unit_cost"],
        )

    def jobs_this_week(self, draw: float | None = None) -> int:
        """Whole repair jobs this week (:func:`model.submodels.jobs_this_week`; one draw).

        The jobs expected (:attr:`repairs_per_home_week` for every home) are
        worked out when the parameters change (:meth:`refresh`).

        Args:
            draw: The week's uniform draw for the jobs, made with the week's
                others (:meth:`model.model.TrustModel._new_draws`); drawn from
                the model's generator now when not given.
        """
        return submodels.jobs_this_week(self._expected_jobs, self.rng.random() if draw is None else draw)

    def seats(self) -> int:
        """Seats on scrutiny panels and the board, every neighbourhood's together.

        Rule: :func:`model.submodels.panel_seats` over the homes of the
        neighbourhoods whose rung has a panel (consultation and above), shared
        among them by :func:`model.submodels.allocate_seats`. With every
        neighbourhood on the landlord's rung, ``panel_seats`` of all the homes.
        """
        return int(kernels.Seats(*self._seats).per_neighbourhood.sum())

    def seats_by_neighbourhood(self) -> tuple:
        """Each neighbourhood's share of :meth:`seats`, as a plain :class:`model.kernels.Seats`.

        Shared by :func:`model.submodels.allocate_seats` when the parameters change (:meth:`refresh`).
        """
        return self._seats

    def voice_pushes(self) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
        """Who took part in the last quarter, and this week's (up, down) pushes on participants and on everyone else.

        The share of priorities the landlord acts on (:func:`model.submodels.visible_change`)
        is diluted by its finite capacity among those who took part in the last
        quarter (:func:`model.submodels.influence_per_participant`), and set
        against what consultation led them to expect
        (:func:`model.submodels.promised_influence`,
        :func:`model.submodels.felt_influence`). Participants feel it fully and
        everyone else through news (:func:`model.submodels.voice_push`), a
        thirteenth of the quarterly rate each week (:func:`model.submodels.weekly_rate`).
        """
        p, h, levers = self.model.p, self.model.households, self.levers()
        self.visible_change = levers.visible_change
        heard = h.took_part_within(self.model.week, QUARTER)
        self.influence = submodels.influence_per_participant(
            levers.visible_change, int(np.count_nonzero(heard)), levers.capacity
        )
        felt = submodels.felt_influence(
            self.influence, levers.promised, p["expectation_adaptation"], p["frustration_weight"]
        )
        openness, buffer = self.model.effective["openness"], p["openness_buffer"]
        participants = submodels.voice_push(felt, levers.rate, 1.0, openness, buffer)
        others = submodels.voice_push(felt, levers.rate, p["news_reach"], openness, buffer)
        return heard, participants, others

    def share_power(self) -> None:
        """Each week: act on tenants' priorities, and tenants feel how much their voice counted.

        The pushes of :meth:`voice_pushes` move efficacy (and trust, at
        ``voice_trust_weight``) through :func:`model.kernels.hear_voice`; the landlord's news
        also moves every tenant's sense of being kept informed (TP07) towards
        its openness.

        The pushes are worked out and applied in one compiled call
        (:func:`model.kernels.share_power`), exactly as :meth:`voice_pushes` works them out,
        with the rates of :meth:`levers` as plain tuples made when they were (:meth:`refresh`).
        """
        h, (influence_rates, voice_rates) = self.model.households, self._plain_rates
        self.visible_change = self._levers.visible_change
        self.influence, self.central_pass_through = kernels.share_power(
            self.model.week,
            kernels.gather(kernels.TookPart, h),
            kernels.gather(kernels.Voice, h),
            influence_rates,
            voice_rates,
            h.neighbourhood_starts,
            self._neighbourhood_voice,
        )

    def settle_efficacy(self) -> None:
        """Start every household's efficacy at its conditional equilibrium under this week's pushes.

        Rule: :func:`model.submodels.efficacy_equilibrium` for each household,
        with the push of its group (participants of the last quarter, or
        everyone else) held at this week's. Assumption (initialisation at the
        conditional equilibrium, so the run has no start-up drift).
        """
        heard, participants, others = self.voice_pushes()
        h, fade = self.model.households, self.model.p["efficacy_fade_rate"]
        up = np.where(heard, participants[0], others[0])
        down = np.where(heard, participants[1], others[1])
        h.efficacy = submodels.efficacy_equilibrium(h.efficacy_outlook, np.exp(-up), np.exp(-down), fade)
