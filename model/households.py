"""Tenant households' state, held in NumPy arrays (one slot per home).

Every ``Tenant`` agent reads and writes its own slot, so a week for every
household is a handful of vectorised operations while Mesa's AgentSet, data
collection and portrayals still see one agent per household.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from model import kernels, params

#: Age bands: 16-24, 25-54, 55-64, 65 and over (DLUHC 2022 reports by age).
AGE_BANDS = ("16-24", "25-54", "55-64", "65+")
OVER_65 = 3
#: Engagement states.
ENGAGEMENT = ("none", "occasional", "active")
NEVER = -(10**6)
#: How much more likely an over-65 household is to be digitally excluded.
#: Good Things Foundation 2023 reports limited users six times as likely to be
#: over 65; the weight 3 used here is an assumption.
OLDER_EXCLUSION_WEIGHT = 3.0
#: Spread of dispositions around the group mean on the log-odds scale. Assumption.
DISPOSITION_SPREAD = 0.6


@dataclass
class Households:
    """State of every household; index ``i`` is home ``i``.

    Attributes:
        trust: Trust in the landlord, 0-1.
        disposition: Level trust relaxes to without new experiences, 0-1.
        outlook: View of landlords and institutions the household brings from
            outside the tenancy (from age and group), 0-1; fixed.
        efficacy: Belief that speaking up changes anything, 0-1.
        efficacy_outlook: The efficacy the household brings from outside the
            tenancy, which its efficacy returns to without fresh experience of
            being heard, 0-1; fixed.
        fatigue: Participation fatigue, on the readiness scale, 0-1.
        ties_formed: Ties with other tenants formed through taking part and
            not yet faded (:func:`model.submodels.ties_after_week`).
        digital: Can use online services.
        support_needs: Has a disability, long-term condition or hardship.
        underrepresented: Belongs to an under-represented (ethnic-minority) group.
        age_band: Index into :data:`AGE_BANDS`.
        damp: Home at risk of damp and mould.
        threshold: Readiness needed before taking part (Granovetter).
        last_took_part: Week of the latest participation (``NEVER`` if none).
        active: Holds a seat on a scrutiny panel or the board.
        relationship: Relationship with the housing officer, 0-1.
        officer: Index of the officer whose patch holds the home.
        need: Has an open repair need.
        reported: That need has been logged with the landlord.
        raised_week: Week the open need arose.
        expected_wait: Wait the tenant expects for a repair, weeks.
        outcome_score: Memory of repair outcomes, 0-1 (TP01-TP04).
        treatment_score: Memory of fair, respectful treatment, 0-1 (TP08).
        informed_score: Memory of being kept informed, 0-1 (TP07).
        indptr: Neighbour ties in CSR form: ties of ``i`` are ``indices[indptr[i]:indptr[i+1]]``.
        indices: See ``indptr``.
        neighbourhood_starts: Neighbourhood ``k`` is homes
            ``neighbourhood_starts[k]`` to ``neighbourhood_starts[k + 1] - 1``
            (:func:`neighbourhood_blocks`).
    """

    trust: NDArray[np.float64]
    disposition: NDArray[np.float64]
    outlook: NDArray[np.float64]
    efficacy: NDArray[np.float64]
    efficacy_outlook: NDArray[np.float64]
    fatigue: NDArray[np.float64]
    ties_formed: NDArray[np.float64]
    digital: NDArray[np.bool_]
    support_needs: NDArray[np.bool_]
    underrepresented: NDArray[np.bool_]
    age_band: NDArray[np.int8]
    damp: NDArray[np.bool_]
    threshold: NDArray[np.float64]
    last_took_part: NDArray[np.int64]
    active: NDArray[np.bool_]
    relationship: NDArray[np.float64]
    officer: NDArray[np.int64]
    need: NDArray[np.bool_]
    reported: NDArray[np.bool_]
    raised_week: NDArray[np.int64]
    expected_wait: NDArray[np.float64]
    outcome_score: NDArray[np.float64]
    treatment_score: NDArray[np.float64]
    informed_score: NDArray[np.float64]
    indptr: NDArray[np.int64]
    indices: NDArray[np.int64]
    neighbourhood_starts: NDArray[np.int64]

    @property
    def size(self) -> int:
        """Number of households."""
        return self.trust.size

    def took_part_within(self, week: int, weeks: int) -> NDArray[np.bool_]:
        """Households that took part in anything in the last ``weeks`` weeks."""
        return kernels.took_part_within(self.active, self.last_took_part, week, weeks)


def _logit(p: float | NDArray[np.float64]) -> NDArray[np.float64]:
    return np.log(p) - np.log1p(-np.asarray(p))


def _expit(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-x))


def neighbourhood_blocks(homes: int, neighbourhoods: int) -> NDArray[np.int64]:
    """Where each neighbourhood's homes start: ``neighbourhoods + 1`` boundaries.

    Rule: the homes are split into ``neighbourhoods`` contiguous blocks whose
    sizes differ by at most one, the larger first (homes along a street
    belong to one estate). Assumption.

    Raises:
        ValueError: Fewer than one neighbourhood, or more than there are homes.
    """
    if not 1 <= neighbourhoods <= homes:
        raise ValueError(f"neighbourhoods = {neighbourhoods}: allowed 1 to homes = {homes}")
    size, extra = divmod(homes, neighbourhoods)
    sizes = np.full(neighbourhoods, size, dtype=np.int64)
    sizes[:extra] += 1
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def neighbourhood_networks(
    starts: NDArray[np.int64], ties: int, rewiring: float, rng: np.random.Generator
) -> tuple[NDArray, NDArray]:
    """Every neighbourhood's own :func:`estate_network`, joined into one CSR network.

    Rule: neighbours are drawn within each neighbourhood, in neighbourhood
    order, from ``rng``; no tie crosses from one estate to another. With one
    neighbourhood it is :func:`estate_network` of all the homes. Assumption.
    """
    if starts.size == 2:
        return estate_network(int(starts[1]), ties, rewiring, rng)
    pointers, neighbours = [np.zeros(1, dtype=np.int64)], []
    for start, end in itertools.pairwise(starts.tolist()):
        indptr, indices = estate_network(int(end - start), ties, rewiring, rng)
        pointers.append(indptr[1:] + pointers[-1][-1])
        neighbours.append(indices + start)
    return np.concatenate(pointers), np.concatenate(neighbours)


def patch_officers(starts: NDArray[np.int64], patch_size: int) -> NDArray[np.int64]:
    """Each home's officer: patches of ``patch_size`` homes in a row, nested in neighbourhoods.

    Rule: within each neighbourhood, homes ``0..patch_size-1`` are the first
    patch, and so on; the last patch of a neighbourhood may be smaller, and no
    patch spans two neighbourhoods. Officers are numbered in home order. With
    one neighbourhood it is ``home // patch_size``. Assumption.
    """
    homes = int(starts[-1])
    officer = np.empty(homes, dtype=np.int64)
    first = 0
    for start, end in itertools.pairwise(starts.tolist()):
        local = np.arange(end - start, dtype=np.int64) // patch_size
        officer[start:end] = first + local
        first += int(local[-1]) + 1 if local.size else 0
    return officer


def estate_network(homes: int, ties: int, rewiring: float, rng: np.random.Generator) -> tuple[NDArray, NDArray]:
    """Neighbour ties as a Watts-Strogatz small world, in CSR form.

    Rule: homes sit along streets (a ring lattice, each tied to its ``ties``
    nearest neighbours, half on each side) and a share ``rewiring`` of ties
    reach further away: each street tie from home ``u`` to home ``u + j``
    (``j`` = 1 to ``ties // 2``) is, with probability ``rewiring``, moved to a
    home drawn uniformly from those ``u`` is not already tied to, never ``u``
    itself (Watts & Strogatz 1998, as networkx's ``watts_strogatz_graph``).
    A moved tie keeps ``u``, so every home keeps at least ``ties // 2`` ties
    and the ties still total ``homes * ties / 2``. Assumption.

    The ties are taken in networkx's order (every ``u`` for ``j = 1``, then
    ``j = 2``, ...): a tie may not land on a street tie still to be taken,
    nor on where an earlier tie went. Instead of one draw at a time, every
    tie's draw is made at once and the ones that break the rule are drawn
    again, round after round, until none do. A home already tied to every
    other keeps its street tie, as in networkx. Only ``rng`` is drawn from,
    so a seed gives the same network.

    Args:
        homes: Homes on the estate.
        ties: Ties per home on the street; even, below ``homes``.
        rewiring: Probability that a street tie is moved, 0-1.
        rng: The model's random number generator.

    Returns:
        ``indptr`` and ``indices`` (int64) of the symmetric adjacency in
        CSR form, each home's neighbours in increasing order.

    Raises:
        ValueError: ``ties`` is odd, negative or not below ``homes``.
    """
    if ties % 2 or not 0 <= ties < homes:
        raise ValueError(f"ties = {ties}: allowed an even number in [0, homes = {homes})")
    source = np.tile(np.arange(homes, dtype=np.int64), ties // 2)
    street = (source + np.repeat(np.arange(1, ties // 2 + 1, dtype=np.int64), homes)) % homes
    target = street.copy()
    moved = rng.random(source.size) < rewiring
    street_keys = _tie_keys(source, street, homes)
    street_order = np.argsort(street_keys)
    redraw, rounds = moved.copy(), 0
    while redraw.any():
        rounds += 1
        if rounds % _ROUNDS_BEFORE_ONE_AT_A_TIME:
            target[redraw] = rng.integers(homes, size=np.count_nonzero(redraw))
        else:
            _place_exactly(int(np.flatnonzero(redraw)[0]), source, target, street, moved, homes, rng)
        redraw = _misplaced(source, target, moved, street_keys, street_order, homes)
    rows = np.concatenate([source, target])
    columns = np.concatenate([target, source])
    order = np.argsort(rows * homes + columns)
    indptr = np.zeros(homes + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=homes), out=indptr[1:])
    return indptr, columns[order]


#: Rounds of redrawing after which the first tie still misplaced is placed on its own.
_ROUNDS_BEFORE_ONE_AT_A_TIME = 32


def _tie_keys(a: NDArray[np.int64], b: NDArray[np.int64], homes: int) -> NDArray[np.int64]:
    """One number per undirected tie, the same whichever end comes first."""
    return np.minimum(a, b) * homes + np.maximum(a, b)


def _misplaced(
    source: NDArray[np.int64],
    target: NDArray[np.int64],
    moved: NDArray[np.bool_],
    street_keys: NDArray[np.int64],
    street_order: NDArray[np.int64],
    homes: int,
) -> NDArray[np.bool_]:
    """Moved ties that loop back, land on a street tie not yet taken, or on an earlier tie."""
    keys = _tie_keys(source, target, homes)
    tie = np.arange(keys.size)
    at = np.minimum(np.searchsorted(street_keys, keys, sorter=street_order), keys.size - 1)
    on_later_street_tie = (street_keys[street_order[at]] == keys) & (street_order[at] >= tie)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    on_earlier_tie = first[inverse] < tie
    return moved & ((source == target) | on_later_street_tie | on_earlier_tie)


def _place_exactly(
    tie: int,
    source: NDArray[np.int64],
    target: NDArray[np.int64],
    street: NDArray[np.int64],
    moved: NDArray[np.bool_],
    homes: int,
    rng: np.random.Generator,
) -> None:
    """Place one tie among the homes its source is free to reach when its turn comes (networkx's rule)."""
    u = source[tie]
    ends = np.concatenate([source[:tie], target[:tie], source[tie:], street[tie:]])
    others = np.concatenate([target[:tie], source[:tie], street[tie:], source[tie:]])
    free = np.ones(homes, dtype=bool)
    free[u] = False
    free[others[ends == u]] = False
    if free.any():
        target[tie] = rng.choice(np.flatnonzero(free))
    else:
        target[tie], moved[tie] = street[tie], False


def _age_bands(homes: int, share_over_65: float, rng: np.random.Generator) -> NDArray[np.int8]:
    rest = 1.0 - share_over_65 - 0.06
    weights = [0.06, 0.7 * rest, 0.3 * rest, share_over_65]
    return rng.choice(len(AGE_BANDS), size=homes, p=weights).astype(np.int8)


def _digital_access(age: NDArray[np.int8], share_excluded: float, rng: np.random.Generator) -> NDArray[np.bool_]:
    """Exactly ``round(share * homes)`` excluded households, older ones more likely."""
    weights = np.where(age == OVER_65, OLDER_EXCLUSION_WEIGHT, 1.0)
    excluded = rng.choice(age.size, size=round(share_excluded * age.size), replace=False, p=weights / weights.sum())
    digital = np.ones(age.size, dtype=bool)
    digital[excluded] = False
    return digital


def _thresholds(n: int, p: dict[str, float | int], rng: np.random.Generator) -> NDArray[np.float64]:
    """Participation thresholds: normal (Granovetter 1978), infinite for the never-involved."""
    drawn = rng.normal(p["participation_threshold_mean"], p["participation_threshold_sd"], n)
    return np.where(rng.random(n) < p["share_never_involved"], np.inf, drawn)


def create_households(p: dict[str, float | int], rng: np.random.Generator) -> Households:
    """Draw a new estate from the parameters ``p``.

    Dispositions are logit-normal around ``initial_trust``, lowered for the
    under-represented group and raised for over-65s (DLUHC 2022); each
    household's outlook (what it brings from outside the tenancy) starts
    equal to its disposition and stays fixed; efficacy is
    logit-normal around ``initial_efficacy``; participation thresholds are
    normal (Granovetter 1978), and infinite for the share who never take part.
    Households already willing to take part are
    given a past participation within the last year, so participation is near
    a plausible level from week 0 (it still settles over the first years).
    """
    n = int(p["homes"])
    age = _age_bands(n, float(p["share_over_65"]), rng)
    under = rng.random(n) < p["share_underrepresented"]
    shift = 4.0 * (p["over_65_trust_lift"] * (age == OVER_65) - p["underrepresented_trust_gap"] * under)
    disposition = _expit(_logit(p["initial_trust"]) + shift + rng.normal(0.0, DISPOSITION_SPREAD, n))
    efficacy = _expit(_logit(p["initial_efficacy"]) + rng.normal(0.0, DISPOSITION_SPREAD, n))
    starts = neighbourhood_blocks(n, params.neighbourhood_count(p))
    indptr, indices = neighbourhood_networks(starts, int(p["neighbour_ties"]), float(p["tie_rewiring"]), rng)
    return Households(
        trust=disposition.copy(),
        disposition=disposition,
        outlook=disposition.copy(),
        efficacy=efficacy,
        efficacy_outlook=efficacy.copy(),
        fatigue=np.zeros(n),
        ties_formed=np.zeros(n),
        digital=_digital_access(age, float(p["share_digitally_excluded"]), rng),
        support_needs=rng.random(n) < p["share_support_needs"],
        underrepresented=under,
        age_band=age,
        damp=rng.random(n) < p["share_damp_risk"],
        threshold=_thresholds(n, p, rng),
        last_took_part=np.full(n, NEVER, dtype=np.int64),
        active=np.zeros(n, dtype=bool),
        relationship=np.zeros(n),
        officer=patch_officers(starts, int(p["patch_size"])),
        need=np.zeros(n, dtype=bool),
        reported=np.zeros(n, dtype=bool),
        raised_week=np.zeros(n, dtype=np.int64),
        expected_wait=np.full(n, float(p["expected_wait_weeks"])),
        outcome_score=disposition.copy(),
        treatment_score=np.full(n, float(p["treatment_quality"])),
        informed_score=disposition.copy(),
        indptr=indptr,
        indices=indices,
        neighbourhood_starts=starts,
    )
