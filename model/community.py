"""Each neighbourhood's community state: cohesion, community assets and community-led governance (ODD 7.23).

The rules that move it are in :mod:`model.submodels` (``cohesion_target``,
``cohesion_after``, ``committee_viable``, ``ballot_passes``,
``asset_chance``); :class:`model.model.TrustModel` applies them at the end of
each quarter and year.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["CommunityState"]


@dataclass
class CommunityState:
    """What a landlord's neighbourhoods hold in common, one entry per neighbourhood.

    Attributes:
        cohesion: Share of households who would say they belong strongly (cohesion and
            collective efficacy), in (0, 1).
        assets: Places to meet in community ownership (never fall).
        inquorate: Quarters in a row a community-led committee has been inquorate.
        ended: Neighbourhoods whose community-led governance ended, and the week it did.
        ties_reference: Landlord-wide mean ties formed through taking part at week 0.
        efficacy_reference: Landlord-wide mean efficacy at week 0.
    """

    cohesion: np.ndarray
    assets: np.ndarray
    inquorate: np.ndarray
    ended: dict[int, int] = field(default_factory=dict)
    ties_reference: float = 0.0
    efficacy_reference: float = 0.0
    _asset_rng: np.random.Generator | None = None

    @classmethod
    def unsettled(cls, neighbourhoods: int) -> CommunityState:
        """The state before week 0 (cohesion is set when the burn-in ends)."""
        return cls(
            cohesion=np.full(neighbourhoods, np.nan),
            assets=np.zeros(neighbourhoods, dtype=np.int64),
            inquorate=np.zeros(neighbourhoods, dtype=np.int64),
        )

    def asset_draws(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """``count`` uniform draws for community assets, from a stream spawned from ``rng`` at first use.

        The model's own stream is not advanced (``Generator.spawn`` derives a
        child seed without drawing), so a run without community-led
        neighbourhoods keeps every other random number.
        """
        if self._asset_rng is None:
            self._asset_rng = rng.spawn(1)[0]
        return self._asset_rng.random(count)
