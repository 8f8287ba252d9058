"""The care-model interface and the pathways the four care models are built from.

A care model decides, each month, what happens to patients seen at PCP visits (screening,
detection, routing) and how providers spend their time. Every care model implements the same
three hooks, called by :class:`intsim.sim.model.ClinicModel` in this order:

1. :meth:`CareModel.at_visits` — screening and detection at the month's PCP visits, then routing
   (usual-care treatment, referral, CoCM offer/consent/queue, BHC warm handoff);
2. :meth:`CareModel.deliver` — providers allocate their limited time (CoCM enrolment from the
   queue, care-manager minutes, psychiatric reviews, BHC visits);
3. :meth:`CareModel.end_month` — treatment bookkeeping (discharge, course ends, month counters).

Patient behaviour (consent, engagement, no-shows, dropout) is asked of the patient engine, so it
is applied by :class:`~intsim.sim.patient.PatientAgent` in the ``agents`` engine; organisation-side
draws (screening done, PCP recognition, offers, minutes needed) use their own slot-indexed streams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from numpy.typing import NDArray

from intsim.params.components import Component
from intsim.sim.kernels.pathways import (
    classify_visitors,
    disengage_patients,
    screening_draws,
    usual_care_decisions,
)
from intsim.sim.kernels.pathways import end_of_month_treatment as end_of_month_treatment_kernel
from intsim.sim.kernels.queues import expire_queue, turn_away_newest
from intsim.sim.population import Tx

if TYPE_CHECKING:
    from collections.abc import Sequence

    from intsim.sim.context import ClinicContext
    from intsim.sim.providers import Provider

Slots = NDArray[np.int64]

#: Streams of the PCP's usual-care decision (:func:`usual_care_treatment`), in kernel order.
USUAL_CARE_STREAMS = ("treat_choice", "referral", "specialty_attend")


@dataclass
class VisitOutcome:
    """Result of screening and detection at the month's PCP visits.

    Attributes:
        threshold: Visitors identified with a threshold condition (positive screen or PCP
            recognition) and not in treatment or on a waitlist (ascending slots).
        subthreshold: Screened visitors with a subthreshold score, not in treatment.
        health_behavior: Visitors with a chronic condition and no BH need, not in treatment.
    """

    threshold: Slots
    subthreshold: Slots
    health_behavior: Slots


@dataclass
class MonthCounters:
    """Per-month event counters filled in by the care model."""

    screened: int = 0
    positive_screens: int = 0
    eligible: int = 0
    assessed_3mo: int = 0
    improved_3mo: int = 0
    detected: int = 0
    cocm_enrolled_new: int = 0
    pcbh_started_new: int = 0
    dropouts: int = 0
    specialty_referrals: int = 0
    bhc_visits: int = 0
    bhc_no_shows: int = 0
    bhc_slots: int = 0
    cm_minutes: int = 0
    cm_minutes_needed: int = 0
    cm_capacity_minutes: int = 0
    cm_unreached: int = 0
    cm_maintenance: int = 0
    bhi_minutes: int = 0
    psych_minutes: int = 0
    psych_paid_minutes: int = 0
    psych_reviews: int = 0
    psych_reviews_due: int = 0
    early_followup: int = 0
    cocm_turned_away: int = 0
    cocm_wait_expired: int = 0
    cocm_wait_months: int = 0
    bhc_turned_away: int = 0
    bhc_wait_expired: int = 0
    bhc_wait_months: int = 0
    bhc_same_day_starts: int = 0
    first_followups: int = 0
    new_cocm_slots: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))


class CareModel(Component):
    """Base class of the care models; subclasses combine the pathways below.

    A care model is a registered component (:mod:`intsim.params.components`, kind
    ``care_model``): decorate a subclass with :func:`~intsim.params.components.register` and
    ``care_model: <name>`` selects it. Its ``roles`` say which programme positions the model
    creates (``care_manager``, ``bhc``, ``psychiatric_consultant``); the output columns its
    :meth:`record` adds are listed by ``define_results`` (columns the built-in table already has
    are not added twice).
    """

    name: ClassVar[str] = "base"
    kind: ClassVar[str] = "care_model"
    screening: ClassVar[bool] = False
    offers_cocm: ClassVar[bool] = False  # CoCM caseloads to discharge at the end of the month
    offers_pcbh: ClassVar[bool] = False  # PCBH episodes to end at the end of the month

    def __init__(self, model: ClinicContext) -> None:
        self.model = model

    # hooks -------------------------------------------------------------

    def start_month(self, month: int, c: MonthCounters) -> None:
        """Start-of-month events (disengagement, slot books; nothing in usual care)."""

    def at_visits(self, month: int, visitors: Slots, c: MonthCounters) -> None:
        """Screen and detect at visits, then route identified patients."""
        outcome = detect_at_visits(self.model, month, visitors, self.screening, c)
        self.route(month, outcome, c)

    def route(self, month: int, outcome: VisitOutcome, c: MonthCounters) -> None:
        """Route identified patients (usual care by default)."""
        usual_care_treatment(self.model, month, outcome.threshold, c)

    def deliver(self, month: int, c: MonthCounters) -> None:
        """Allocate provider time (nothing beyond PCP visits in usual care)."""

    def record(self, month: int, c: MonthCounters) -> dict[str, float]:
        """Values of the care model's own output columns for the month (none by default).

        Only columns named by ``define_results`` and absent from
        :data:`intsim.sim.model.MONTHLY_COLUMNS` reach the monthly table.
        """
        return {}

    def end_month(self, month: int, c: MonthCounters) -> None:
        """Treatment bookkeeping at the end of the month."""
        end_of_month_treatment(
            self.model, discharge_cocm=self.offers_cocm, end_pcbh=self.offers_pcbh
        )


# --------------------------------------------------------------------------- pathways


def untreated(model: ClinicContext, slots: Slots) -> Slots:
    """Patients among ``slots`` with no current treatment and not on a waitlist."""
    pop = model.pop
    keep = (
        (pop.treatment[slots] == Tx.NONE)
        & (pop.waitlist_since[slots] < 0)
        & (pop.bhc_wait_since[slots] < 0)
    )
    return slots[keep]


def disengagement(model: ClinicContext, month: int, c: MonthCounters) -> None:
    """Patients who disengage at the start of the month leave CoCM or the BHC queue."""
    gone = np.asarray(model.engine.disengage(month), dtype=np.int64)
    c.dropouts += int(disengage_patients(gone, model.pop.treatment_state()))


def detect_at_visits(
    model: ClinicContext, month: int, visitors: Slots, screening: bool, c: MonthCounters
) -> VisitOutcome:
    """Screening (if the care model screens) and unassisted PCP recognition at visits.

    Screened visitors are identified by their observed score (threshold: ``>= eligibility``,
    subthreshold: 5 to eligibility - 1); unscreened visitors with a threshold episode are
    recognised with the PCP's unassisted sensitivity.
    """
    pop, st, d = model.pop, model.streams, model.values.detection
    if screening:
        rate = float(d.screening_rate)
        screened_mask, screened = screening_draws(
            st.uint64_key("screen_offer", month), visitors, rate
        )
    else:
        screened_mask, screened = np.zeros(len(visitors), bool), visitors[:0]
    scores = model.engine.observed_scores(month, screened, "screen")
    threshold, subthreshold, health_behavior, counts = classify_visitors(
        visitors,
        screened_mask,
        scores.astype(np.int64, copy=False),
        st.uint64_key("detect", month),
        (float(d.pcp_sensitivity), int(d.positive_score)),
        pop.episode_state(),
        pop.chronic,
        pop.treatment_state(),
        pop.screen_score,
    )
    screened, positive, detected, eligible = counts
    c.screened += screened
    c.positive_screens += positive
    c.detected += detected
    c.eligible += eligible
    return VisitOutcome(threshold, subthreshold, health_behavior)


def usual_care_treatment(model: ClinicContext, month: int, slots: Slots, c: MonthCounters) -> None:
    """Usual care for identified threshold patients: PCP treats, refers out, or waits.

    Only patients with a threshold episode known to the practice and no current treatment are
    considered. The PCP treats or refers with probability ``detection.pcp_treats``; a share
    ``detection.specialty_referral_share`` of treated patients are referred to specialty care,
    where they start treatment if they attend the first visit.
    """
    d, pop = model.values.detection, model.pop
    c.specialty_referrals += int(
        usual_care_decisions(
            np.asarray(slots, dtype=np.int64),
            model.streams.keys(USUAL_CARE_STREAMS, month),
            (float(d.pcp_treats), float(d.specialty_referral_share), float(d.specialty_attendance)),
            pop.bh,
            pop.known,
            pop.treatment,
            pop.treatment_month,
        )
    )


def close_programme(model: ClinicContext, month: int, c: MonthCounters, *, handback: bool) -> None:
    """The programme has ended (``rollout.end_month``): send patients back to usual care.

    Called at the start of every month after the end, before anything else happens to patients.
    Everyone waiting for CoCM or a BHC visit leaves the waitlist (patients keep any usual-care
    treatment they have). With ``handback`` (the first month after the end) every CoCM patient
    and every PCBH patient is discharged too; a PCBH patient the PCP co-treats keeps that PCP
    course. The PCP then decides on treatment for those returned, as at a visit
    (:func:`usual_care_treatment`: only known threshold episodes without treatment). Later
    months only find the patients of a departed care manager sent back to the waitlist.

    Args:
        model: The clinic model.
        month: Current month (after ``rollout.end_month``).
        c: Counters to update (usual-care treatment starts and referrals).
        handback: Discharge every programme patient (``rollout.end_policy: handback``).
    """
    pop = model.pop
    n = pop.n_used
    returned = np.flatnonzero((pop.waitlist_since[:n] >= 0) | (pop.bhc_wait_since[:n] >= 0))
    pop.waitlist_since[returned] = -1
    pop.bhc_wait_since[returned] = -1
    if handback:
        tx, cotreat = pop.treatment[:n], pop.pcp_cotreat[:n]
        cotreated = np.flatnonzero((tx == Tx.PCBH) & cotreat)
        discharged = np.flatnonzero((tx == Tx.COCM) | ((tx == Tx.PCBH) & ~cotreat))
        pop.treatment[cotreated] = Tx.PCP  # the PCP course goes on (treatment clock kept)
        pop.pcp_cotreat[cotreated] = False
        pop.bhc_visits_left[cotreated] = 0
        pop.end_treatment(discharged)
        returned = np.union1d(returned, discharged)
    if len(returned):
        usual_care_treatment(model, month, returned, c)


def queue_limit(per_fte: int, staff: Sequence[Provider]) -> int | None:
    """Longest queue a waitlist policy allows: ``per_fte`` x effective FTE (``None``: no limit)."""
    if per_fte <= 0:
        return None
    effective = 0  # summed in staff order, as sum() would
    for p in staff:
        effective += p.fte * p.capacity_share
    return int(per_fte * effective)


def turn_away_newcomers(
    model: ClinicContext, month: int, since: NDArray[np.int16], limit: int | None
) -> int:
    """Turn away patients who joined a queue this month beyond its ``limit``; return how many.

    ``since`` is the queue's join-month array (-1: not waiting; reset in place for those turned
    away). The waitlist policy is applied after the month's enrolments: a queue longer than its
    limit turns away this month's newcomers, highest ``priority`` uniform first (they stay with
    the PCP's usual-care decision); patients who joined earlier stay until they are served, give
    up or their wait expires (:func:`intsim.sim.kernels.queues.turn_away_newest`).
    """
    if limit is None:
        return 0
    key = model.streams.uint64_key("priority", month)
    return int(turn_away_newest(since, model.pop.n_used, month, limit, key))


def expire_waits(model: ClinicContext, month: int, since: NDArray[np.int16], limit: int) -> int:
    """Patients who have waited ``limit`` months or longer leave a queue; return how many.

    ``since`` is the queue's join-month array (reset in place for those leaving); ``limit`` 0:
    no limit (:func:`intsim.sim.kernels.queues.expire_queue`).
    """
    if limit <= 0:
        return 0
    return int(expire_queue(since, model.pop.n_used, month - limit))


def end_of_month_treatment(
    model: ClinicContext, *, discharge_cocm: bool = False, end_pcbh: bool = False
) -> None:
    """Treatment bookkeeping at the end of the month, slot by slot.

    CoCM discharge after sustained improvement or at the maximum episode length
    (``discharge_cocm``), end of PCBH episodes with no visits left — a PCP co-treatment continues
    to its planned length — (``end_pcbh``), end of usual-care (PCP and specialty) courses that
    reached ``detection.treatment_months``, then one more month on the treatment clock of
    everyone still in treatment (:func:`intsim.sim.kernels.pathways.end_of_month_treatment`).
    """
    pop, v = model.pop, model.values
    end_of_month_treatment_kernel(
        pop.n_used,
        pop.bh,
        pop.treatment_state(),
        discharge_cocm,
        end_pcbh,
        int(v.cocm.discharge_after_response_months),
        int(v.cocm.max_episode_months),
        int(v.detection.treatment_months),
    )
