"""What money reads of the delivered services: a record of them, not the model.

:class:`~intsim.money.claims.ClaimsBook` bills a month from the patient arrays the simulation
keeps (:class:`intsim.sim.population.Population`), typed here by :class:`ServiceArrays` with
exactly the arrays it reads, so money never imports the simulation (docs/architecture.md).
:class:`BhcVisitKind`, the code of what a BHC visit addressed, decides how it can be billed;
the simulation records it with this enum.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Protocol

from numpy.typing import NDArray


class BhcVisitKind(IntEnum):
    """What a BHC visit addressed (decides how it can be billed)."""

    NONE = 0
    MENTAL_HEALTH = 1  # a threshold episode: psychotherapy codes
    HEALTH_BEHAVIOR = 2  # psychosocial factors of a chronic physical condition: HBAI codes
    UNBILLABLE = 3  # subthreshold distress without a physical diagnosis


class ServiceArrays(Protocol):
    """The per-slot patient arrays a month is billed from (one entry per patient slot)."""

    n_used: int
    payer: NDArray[Any]
    cm_minutes: NDArray[Any]
    cm_initial: NDArray[Any]
    bhc_visit: NDArray[Any]
    bhc_kind: NDArray[Any]
    bhc_same_day: NDArray[Any]
    bhi_minutes: NDArray[Any]


class DeliveredServices(Protocol):
    """A month's delivered services: whatever holds the patient arrays as ``pop``."""

    @property
    def pop(self) -> ServiceArrays:
        """The patient arrays after the month's services were delivered."""
        ...
