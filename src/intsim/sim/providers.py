"""Provider agents (shared by both patient engines) and capacity allocation.

Providers are :class:`mesa.Agent` subclasses with an FTE, a monthly capacity and a caseload or
queue. When demand exceeds capacity, patients are served in order of a per-slot random priority
drawn each month from its own stream (``priority``), so both engines choose the same patients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from intsim.sim.kernels import queues

if TYPE_CHECKING:
    from intsim.sim.context import ClinicContext

Slots = NDArray[np.int64]


def order_by_priority(slots: Slots, priority: NDArray[np.float64], *keys: NDArray) -> Slots:
    """Return ``slots`` sorted by the given keys (most significant first), then priority, then slot.

    Args:
        slots: Patient slots.
        priority: Per-slot random priority (uniforms; lower is served first).
        *keys: Optional leading sort keys aligned with ``slots`` (ascending).
    """
    order = np.lexsort((slots, priority, *reversed(keys)))
    return slots[order]


#: Largest ``k`` served by the insertion buffer of :func:`intsim.sim.kernels.queues.first_in_order`.
FIRST_BY_INSERTION_MAX = 256


def first_by_priority(
    slots: Slots, priority: NDArray[np.float64], k: int, key: NDArray | None = None
) -> Slots:
    """The first ``k`` of ``order_by_priority(slots, priority[, key])``, in that order.

    Serving a few patients from a long queue does not sort the whole queue (one compiled pass
    keeps the best ``k``); the result is exactly the head of the full ordering.

    Args:
        slots: Patient slots.
        priority: Per-slot random priority (lower is served first).
        k: Number of patients wanted.
        key: Optional leading sort key (ascending), e.g. the month a patient joined a queue.
    """
    n = len(slots)
    if k <= 0:
        return slots[:0]
    if k >= n or k > FIRST_BY_INSERTION_MAX:  # a full sort is as cheap
        keys = () if key is None else (key,)
        return order_by_priority(slots, priority, *keys)[:k]
    lead = np.zeros(n, np.int64) if key is None else np.asarray(key, dtype=np.int64)
    return queues.first_in_order(
        np.asarray(slots, dtype=np.int64), np.asarray(priority, dtype=np.float64), lead, int(k)
    )


def assign_to_most_room(room: Sequence[int], n: int) -> NDArray[np.int64]:
    """Assign up to ``n`` patients, one at a time, to the provider with the most room.

    Args:
        room: Free caseload places per provider (negative counts as none).
        n: Patients to place.

    Returns:
        The provider (list index) of each placed patient, in placement order; ties go to the
        lowest index. Fewer than ``n`` when the room runs out.
    """
    return queues.assign_to_most_room(np.asarray(room, dtype=np.int64), int(n))


#: Offsets of position ids by role, so a position keeps its id (and its random draws) whatever
#: other roles the care model staffs.
POSITION_ID_OFFSET: dict[str, int] = {
    "pcp": 0,
    "care_manager": 100_000,
    "bhc": 200_000,
    "psychiatric_consultant": 300_000,
}
#: Extra offset of trainee positions within their role.
TRAINEE_ID_OFFSET = 50_000
SHORT_ROLE: dict[str, str] = {
    "pcp": "pcp",
    "care_manager": "cm",
    "bhc": "bhc",
    "psychiatric_consultant": "psych",
}


class Provider(mesa.Agent):
    """A position and the provider holding it (see :mod:`intsim.sim.workforce`).

    Args:
        model: The clinic model.
        index: Index of the provider within its role (0-based).
        fte: Full-time equivalents of the position.
        phase: Rollout phase (1-based) whose go-live the position serves.
        trainee: Whether the position is an academic trainee placement.

    Attributes:
        state: ``"planned"`` (recruitment not yet open), ``"vacant"``, ``"filled"`` or
            ``"released"`` (the programme has ended and no longer needs the position).
        fill_month: Month a vacancy is filled (when vacant).
        hired_month: Month the current holder started (ramp-up runs from it).
        burnout: Burnout on a 0-1 scale.
        load: Work demanded / capacity this month (None when undefined).
        capacity_share: Share of the position's full capacity available this month (0 when
            vacant or before go-live; ramp-up, trainee and tele-coverage discounts).
        caseload_share: Share of the caseload cap allowed by the go-live ramp (care managers).
        supervision_minutes: Minutes per month this position spends supervising trainees.
    """

    role = "provider"

    def __init__(
        self, model: ClinicContext, index: int, fte: float, phase: int = 1, trainee: bool = False
    ) -> None:
        super().__init__(model)
        self.index = index
        self.fte = fte
        self.phase = phase
        self.is_trainee = trainee
        self.position_id = (
            POSITION_ID_OFFSET.get(self.role, 400_000) + index + (TRAINEE_ID_OFFSET * trainee)
        )
        self.state = "planned"
        self.fill_month: int | None = None
        self.vacant_since: int | None = None
        self.hired_month = 0
        self.burnout = 0.0
        self.load: float | None = None
        self.capacity_share = 1.0
        self.caseload_share = 1.0
        self.supervision_minutes = 0.0
        self.backfill_from: int | None = None
        self.backfilled = False
        self.lpc = False

    @property
    def short_role(self) -> str:
        """Role name used in output columns (``pcp``, ``cm``, ``bhc``, ``psych``)."""
        return SHORT_ROLE[self.role]

    @property
    def paid_minutes_per_month(self) -> float:
        """Paid minutes per month of the position."""
        return self.fte * self.model.values.staffing.hours_per_fte_month * 60.0

    def step(self) -> None:
        """Monthly provider step: turnover of the holder, or the hire that fills a vacancy."""
        self.model.workforce.step_position(self, self.model.month)


class PrimaryCareProvider(Provider):
    """A PCP: a panel of patients and a monthly visit capacity."""

    role = "pcp"

    def __init__(
        self, model: ClinicContext, index: int, fte: float, phase: int = 1, trainee: bool = False
    ) -> None:
        super().__init__(model, index, fte, phase, trainee)
        #: capacity share :attr:`base_visit_capacity` was last computed for
        self._visits_for: float | None = None
        self._visits = 0

    @property
    def base_visit_capacity(self) -> int:
        """Visits per month without behavioral-health consultants on the team.

        Recomputed only when the capacity share changed since the last call.
        """
        if self.capacity_share != self._visits_for:
            self._visits = self._compute_base_visit_capacity()
            self._visits_for = self.capacity_share
        return self._visits

    def _compute_base_visit_capacity(self) -> int:
        """Visits per month without behavioral-health consultants on the team, computed afresh."""
        s = self.model.values.staffing
        return int(self.fte * s.pcp_visits_per_day * s.working_days_per_month * self.capacity_share)

    @property
    def visit_capacity(self) -> int:
        """Visits per month: BHCs on a live team free some PCP time (``productivity``).

        The gain is scaled by the BHCs' effective FTE over their planned FTE this month, so
        vacant BHC positions free no PCP time.
        """
        return self.visit_capacity_from(self.base_visit_capacity)

    def visit_capacity_from(self, base_visit_capacity: int) -> int:
        """:attr:`visit_capacity` given this month's :attr:`base_visit_capacity` (visits)."""
        gain = bhc_capacity_gain(self.model) if self.model.workforce.pcp_live[self.index] else 0.0
        return int(base_visit_capacity * (1.0 + gain))


def bhc_capacity_gain(model: ClinicContext) -> float:
    """Share of visits BHCs add to a PCP's month on a live team (0 without BHCs).

    ``productivity.pcp_capacity_gain`` scaled by the BHCs' effective over planned FTE this month
    (:attr:`intsim.sim.workforce.Workforce.bhc_coverage`).
    """
    if not model.bhcs:
        return 0.0
    return model.values.productivity.pcp_capacity_gain * model.workforce.bhc_coverage


def visit_capacities(model: ClinicContext, base: list[int]) -> list[int]:
    """Every PCP's :meth:`PrimaryCareProvider.visit_capacity_from` at once (visits a month).

    Args:
        model: The model (its workforce's ``pcp_live`` flags, one per PCP, and BHC coverage).
        base: Each PCP's :attr:`PrimaryCareProvider.base_visit_capacity` (PCP index order).

    The gain is the same for every live PCP, so it is looked up once; a PCP that is not live
    keeps its base capacity (``int(b * (1.0 + 0.0))`` is ``b``).
    """
    factor = 1.0 + bhc_capacity_gain(model)
    live = model.workforce.pcp_live.tolist()
    return [int(b * factor) if on else b for b, on in zip(base, live, strict=True)]


class BehavioralHealthConsultant(Provider):
    """A PCBH behavioral health consultant: same-day (warm handoff) and scheduled visit slots."""

    role = "bhc"

    def __init__(
        self, model: ClinicContext, index: int, fte: float, phase: int = 1, trainee: bool = False
    ) -> None:
        super().__init__(model, index, fte, phase, trainee)
        #: capacity share and supervision minutes :attr:`visit_slots` was last computed for
        self._slots_for: tuple[float, float] | None = None
        self._slots = 0

    @property
    def visit_slots(self) -> int:
        """Visit slots per month (after supervision time).

        Recomputed only when the capacity share or the supervision minutes changed since the
        last call (it is read several times a month).
        """
        inputs = (self.capacity_share, self.supervision_minutes)
        if inputs != self._slots_for:
            self._slots = self._compute_visit_slots()
            self._slots_for = inputs
        return self._slots

    def _compute_visit_slots(self) -> int:
        """Visit slots per month (after supervision time), computed afresh."""
        s, p = self.model.values.staffing, self.model.values.pcbh
        full = self.fte * p.visits_per_day * s.working_days_per_month * self.capacity_share
        return max(int(full - self.supervision_minutes / p.visit_minutes), 0)

    @property
    def same_day_slots(self) -> int:
        """Slots per month held open for same-day warm handoffs."""
        return round(self.visit_slots * self.model.values.pcbh.same_day_slot_share)

    @property
    def care_management_minutes(self) -> int:
        """Minutes per month for between-visit care management (general BHI).

        A share ``pcbh.followup_cm_time_share`` of the paid time outside visit slots, after
        supervision; visit slots are not used.
        """
        p = self.model.values.pcbh
        paid = self.paid_minutes_per_month * self.capacity_share - self.supervision_minutes
        outside = paid - self.visit_slots * p.visit_minutes
        return int(max(outside, 0.0) * p.followup_cm_time_share)


class CareManager(Provider):
    """A CoCM behavioral health care manager: a capped caseload and monthly minutes."""

    role = "care_manager"

    @property
    def caseload_cap(self) -> int:
        """Maximum active caseload (ramp-up and go-live ramp applied)."""
        per_fte = self.model.values.cocm.caseload_per_fte
        return int(self.fte * per_fte * self.capacity_share * self.caseload_share)

    @property
    def patient_minutes(self) -> int:
        """Minutes per month available for patient-related work (after supervision time)."""
        share = self.model.values.staffing.cm_patient_time_share
        full = self.paid_minutes_per_month * share * self.capacity_share
        return max(int(full - self.supervision_minutes), 0)


class PsychiatricConsultant(Provider):
    """A psychiatric consultant: weekly hours of systematic caseload review."""

    role = "psychiatric_consultant"

    def __init__(self, model: ClinicContext, index: int, hours_per_week: float) -> None:
        super().__init__(model, index, hours_per_week / model.values.staffing.hours_per_fte_week)
        self.hours_per_week = hours_per_week

    @property
    def review_minutes(self) -> int:
        """Review minutes per month (hours per week x weeks per year / 12 x 60, x capacity share).

        Weeks per year: ``staffing.weeks_per_year`` (52).
        """
        weeks_per_year = self.model.values.staffing.weeks_per_year
        return int(self.hours_per_week * weeks_per_year / 12.0 * 60.0 * self.capacity_share)
