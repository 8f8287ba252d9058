"""Provider agents (shared by both patient engines) and capacity allocation.

Providers are :class:`mesa.Agent` subclasses with an FTE, a monthly capacity and a caseload or
queue. When demand exceeds capacity, patients are served in order of a per-slot random priority
drawn each month from its own stream (``priority``), so both engines choose the same patients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from intsim.model import ClinicModel

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


def lowest_priority_first(slots: Slots, priority: NDArray[np.float64], k: int) -> Slots:
    """The ``k`` slots with the lowest priority values, in ascending slot order.

    Selection uses a partition (no full sort); priorities are continuous uniforms, and an exact
    tie at the cut keeps every tied slot's order by slot number.
    """
    if k >= len(slots):
        return slots
    if k <= 0:
        return slots[:0]
    order = np.lexsort((slots, priority))
    return np.sort(slots[order[:k]])


def serve_minutes(needs: NDArray[np.int64], capacity_minutes: int) -> NDArray[np.int64]:
    """Minutes delivered to patients served in order, each up to its need, within capacity.

    Args:
        needs: Minutes needed per patient, in service order.
        capacity_minutes: Minutes available.

    Returns:
        Minutes delivered per patient (a patient reached when time runs out gets the rest).
    """
    before = np.cumsum(needs) - needs
    return np.clip(capacity_minutes - before, 0, needs)


def split_fte(total_fte: float) -> list[float]:
    """Split a total FTE into positions of 1.0 FTE and one remainder (e.g. 2.5 -> 1, 1, 0.5)."""
    whole = int(total_fte)
    out = [1.0] * whole
    rest = round(total_fte - whole, 6)
    if rest > 0:
        out.append(rest)
    return out


class Provider(mesa.Agent):
    """Common attributes of a provider.

    Args:
        model: The clinic model.
        index: Index of the provider within its role (0-based).
        fte: Full-time equivalents of the position.
    """

    role = "provider"

    def __init__(self, model: ClinicModel, index: int, fte: float) -> None:
        super().__init__(model)
        self.index = index
        self.fte = fte

    @property
    def paid_minutes_per_month(self) -> float:
        """Paid minutes per month of the position."""
        return self.fte * self.model.values.staffing.hours_per_fte_month * 60.0

    def step(self) -> None:
        """Monthly provider step: workforce dynamics (none yet; see the workforce issue)."""


class PrimaryCareProvider(Provider):
    """A PCP: a panel of patients and a monthly visit capacity."""

    role = "pcp"

    @property
    def base_visit_capacity(self) -> int:
        """Visits per month without behavioral-health consultants on the team."""
        s = self.model.values.staffing
        return int(self.fte * s.pcp_visits_per_day * s.working_days_per_month)

    @property
    def visit_capacity(self) -> int:
        """Visits per month: BHCs on the team free some PCP time (``productivity``)."""
        gain = self.model.values.productivity.pcp_capacity_gain if self.model.bhcs else 0.0
        return int(self.base_visit_capacity * (1.0 + gain))


class BehavioralHealthConsultant(Provider):
    """A PCBH behavioral health consultant: same-day (warm handoff) and scheduled visit slots."""

    role = "bhc"

    @property
    def visit_slots(self) -> int:
        """Visit slots per month."""
        s, p = self.model.values.staffing, self.model.values.pcbh
        return int(self.fte * p.visits_per_day * s.working_days_per_month)

    @property
    def same_day_slots(self) -> int:
        """Slots per month held open for same-day warm handoffs."""
        return round(self.visit_slots * self.model.values.pcbh.same_day_slot_share)


class CareManager(Provider):
    """A CoCM behavioral health care manager: a capped caseload and monthly minutes."""

    role = "care_manager"

    @property
    def caseload_cap(self) -> int:
        """Maximum active caseload."""
        return int(self.fte * self.model.values.cocm.caseload_per_fte)

    @property
    def patient_minutes(self) -> int:
        """Minutes per month available for patient-related work."""
        share = self.model.values.staffing.cm_patient_time_share
        return int(self.paid_minutes_per_month * share)


class PsychiatricConsultant(Provider):
    """A psychiatric consultant: weekly hours of systematic caseload review."""

    role = "psychiatric_consultant"

    def __init__(self, model: ClinicModel, index: int, hours_per_week: float) -> None:
        super().__init__(model, index, hours_per_week / 40.0)
        self.hours_per_week = hours_per_week

    @property
    def review_minutes(self) -> int:
        """Review minutes per month (hours per week x 52 / 12 x 60)."""
        return int(self.hours_per_week * 52.0 / 12.0 * 60.0)
