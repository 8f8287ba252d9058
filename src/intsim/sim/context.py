"""What the model's components see of the clinic: :class:`ClinicContext`, a protocol.

The care models (:mod:`intsim.sim.care`), the workforce (:mod:`intsim.sim.workforce`), the
provider agents (:mod:`intsim.sim.providers`), the agents engine (:mod:`intsim.sim.patient`)
and the total-cost-of-care meter (:mod:`intsim.sim.tcoc`) are handed the
:class:`~intsim.sim.model.ClinicModel` at run time, but typed against this protocol, which lists
exactly the attributes and methods they use. So no component imports the model, and the model
is the only module that knows them all (docs/architecture.md: no import cycles).

The model's parts that are themselves components (its care model, workforce and provider
agents) appear here as the narrow protocols their peers use, or loosely typed, so this module
imports no component either.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from intsim.money.claims import ClaimsBook
from intsim.sim.clinical import StaticTables
from intsim.sim.population import Population
from intsim.sim.streams import RandomStreams

Slots = NDArray[np.int64]


class PatientEngine(Protocol):
    """The patient rules the care models and the workforce call (both engines provide them)."""

    def observed_scores(self, month: int, slots: Slots, stream: str) -> NDArray[np.int64]:
        """Symptom scores as measured (screening or follow-up) for ``slots``."""
        ...

    def consent(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each offered patient consents to CoCM."""
        ...

    def disengage(self, month: int) -> Slots:
        """Slots of patients who leave their treatment this month."""
        ...

    def leave_after_cm_departure(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient of a departed care manager leaves CoCM."""
        ...

    def bhc_engage(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient handed off to the BHC engages."""
        ...

    def bhc_no_show(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each booked BHC visit is missed."""
        ...


class CareOffer(Protocol):
    """What the month-1 cohort reads of the care model."""

    offers_cocm: bool


class Rollout(Protocol):
    """What the provider agents and the month-1 cohort read of the workforce."""

    pcp_live: NDArray[np.bool_]

    def step_position(self, p: Any, month: int) -> None:
        """One position's month: its holder may leave; a vacancy due this month is filled."""
        ...


class ClinicContext(Protocol):
    """The clinic as its components see it (implemented by :class:`~intsim.sim.model.ClinicModel`).

    The provider lists hold the agents of :mod:`intsim.sim.providers`; they are typed loosely
    (``list[Any]``) because those agents receive this context themselves.
    """

    values: Any
    month: int
    pop: Population
    streams: RandomStreams
    static: StaticTables
    engine: PatientEngine
    care: CareOffer
    workforce: Rollout
    claims: ClaimsBook
    rows: list[dict[str, float]]
    pcps: list[Any]
    care_managers: list[Any]
    bhcs: list[Any]
    psychiatrists: list[Any]

    def priority(self, month: int, slots: Slots) -> NDArray[np.float64]:
        """Random priority of ``slots`` this month (ties in queues are broken by it)."""
        ...

    def cocm_caseloads(self) -> NDArray[np.int64]:
        """Active CoCM caseload of each care manager."""
        ...

    def operating_net(self, row: dict[str, float], month: int) -> float:
        """The month's operating revenue minus operating cost (USD) of a monthly row."""
        ...
