"""What the model's components see of the clinic: :class:`ClinicContext`, a protocol.

The care models (:mod:`intsim.sim.care`), the provider agents (:mod:`intsim.sim.providers`)
and the agents engine (:mod:`intsim.sim.patient`) are handed the
:class:`~intsim.sim.model.ClinicModel` at run time, but typed against this protocol, which lists
exactly the attributes and methods they use; the workforce (:mod:`intsim.sim.workforce`) is
typed against the narrower :class:`WorkforceContext` (it reads the recorded rows through a
callback and leaves the BHC billing share for the model to hand to the claims book), and the
total-cost-of-care meter (:mod:`intsim.sim.tcoc`) sees the population only. So no component
imports the model, and the model is the only module that knows them all (docs/architecture.md:
no import cycles).

The model's parts that are themselves components (its care model, workforce and provider
agents) appear here as the narrow protocols their peers use, or loosely typed, so this module
imports no component either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

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


class WorkforceContext(Protocol):
    """The clinic as the workforce (:mod:`intsim.sim.workforce`) sees it.

    The scenario values, the population, the random streams, the patient engine (a departed care
    manager's patients decide whether to stay), the provider lists, and three callbacks: queue
    priorities and CoCM caseloads (caseload reassignment), and the recorded rows with their
    operating net (the rollout gates). The provider lists hold the agents of
    :mod:`intsim.sim.providers`, typed loosely (``list[Any]``) because those agents receive the
    context themselves.
    """

    values: Any
    pop: Population
    streams: RandomStreams
    engine: PatientEngine
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

    def recorded_row(self, month: int) -> Mapping[str, float]:
        """The monthly row recorded for ``month`` (a month already simulated)."""
        ...

    def operating_net(self, row: Mapping[str, float], month: int) -> float:
        """The month's operating revenue minus operating cost (USD) of a monthly row."""
        ...


class ClinicContext(WorkforceContext, Protocol):
    """The clinic as its components see it (implemented by :class:`~intsim.sim.model.ClinicModel`).

    What the workforce sees (:class:`WorkforceContext`), plus the month, the static tables, the
    care model and the workforce themselves (as the narrow protocols their peers use).
    """

    month: int
    static: StaticTables
    care: CareOffer
    workforce: Rollout
