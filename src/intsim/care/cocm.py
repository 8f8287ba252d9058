"""Collaborative Care (CoCM): screen, offer, consent, enrol within caseload caps, manage by minutes.

Screening at PCP visits identifies eligible patients (score >= eligibility); each is reached and
offered CoCM (``cocm.offer_probability``) and consents or not (a patient decision). Consenting
patients join the queue and are enrolled when a care manager has room under the caseload cap
(oldest first); otherwise they wait. Care managers spend front-loaded minutes on their caseload
within their monthly time; a patient who gets contact in the month after enrolment has the
4-week follow-up (Bao 2016). The psychiatric consultant reviews non-improvers from the review
month on, within its weekly hours. Patients are discharged after sustained improvement or at the
maximum episode length; they may disengage early (no follow-up) or later (monthly dropout).
Patients not offered or declining fall back to usual care.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from intsim import kernels
from intsim.care.base import (
    CareModel,
    MonthCounters,
    Slots,
    VisitOutcome,
    disengagement,
    usual_care_treatment,
)
from intsim.population import BH, Tx
from intsim.providers import assign_to_most_room, first_by_priority

if TYPE_CHECKING:
    from intsim.model import ClinicModel


def offer_cocm(model: ClinicModel, month: int, slots: Slots) -> None:
    """Offer CoCM to eligible patients; consenting ones join the queue.

    Patients keep any usual-care treatment while they wait for a care manager.
    """
    pop = model.pop
    offered_mask = (
        model.streams.uniform("offer", month, slots) < model.values.cocm.offer_probability
    )
    offered = slots[offered_mask]
    consent = model.engine.consent(month, offered)
    pop.waitlist_since[offered[consent]] = month


def enrol_from_queue(model: ClinicModel, month: int, c: MonthCounters) -> None:
    """Enrol queued patients (oldest first, then priority) while care managers have room."""
    pop = model.pop
    queue = pop.waiting_for_cocm()
    if len(queue) == 0 or not model.care_managers:
        return
    caseload = model.cocm_caseloads()
    room = [cm.caseload_cap - int(n) for cm, n in zip(model.care_managers, caseload, strict=True)]
    # the care manager with most room first (lowest index on ties)
    assigned = [model.care_managers[k].index for k in assign_to_most_room(room, len(queue))]
    if not assigned:
        return
    prio = model.priority(month, queue)
    new = first_by_priority(queue, prio, len(assigned), pop.waitlist_since[queue])
    pop.waitlist_since[new] = -1
    pop.treatment[new] = Tx.COCM
    pop.treatment_month[new] = 1
    pop.program_start[new] = month
    pop.care_manager[new] = assigned
    pop.followup_ok[new] = False
    pop.reviewed[new] = False
    pop.improved_months[new] = 0
    # baseline of measurement-based care: the last observed screening score, if any
    screen = pop.screen_score[new]
    pop.enrol_score[new] = np.where(screen >= 0, screen, pop.score[new])
    c.cocm_enrolled_new += len(new)
    c.new_cocm_slots = np.concatenate([c.new_cocm_slots, new])


def care_manager_minutes(
    model: ClinicModel, month: int, c: MonthCounters, extra_minutes: int = 0
) -> Slots:
    """Each care manager spends minutes on its caseload, new patients first, within capacity.

    Args:
        model: The clinic model.
        month: Current month.
        c: Counters to update.
        extra_minutes: Minutes lent by other staff this month (hybrid sharing), split evenly.

    Returns:
        The CoCM caseload (ascending slots; minutes change no one's treatment, so the
        psychiatric reviews that follow can use it).
    """
    pop, v = model.pop, model.values.cocm
    enrolled = pop.in_treatment(Tx.COCM)
    n_cm = max(len(model.care_managers), 1)
    capacity = np.zeros(max((cm.index for cm in model.care_managers), default=-1) + 1, np.int64)
    for cm in model.care_managers:
        cap = cm.patient_minutes + extra_minutes // n_cm if cm.capacity_share > 0 else 0
        capacity[cm.index] = cap
        c.cm_capacity_minutes += cap
    needed, delivered, followups = kernels.care_manager_time(
        enrolled,
        model.streams.uniform("cm_minutes", month, enrolled),
        model.priority(month, enrolled),
        model.static.cm_minutes_multiplier,
        float(v.minutes_initial_month),
        float(v.minutes_followup_month),
        capacity,
        pop.treatment_month,
        pop.care_manager,
        pop.cm_minutes,
        pop.cm_initial,
        pop.followup_ok,
    )
    for cm in model.care_managers:
        cap = int(capacity[cm.index])
        cm.load = float(needed[cm.index]) / cap if cap > 0 else None
    c.cm_minutes += int(delivered.sum())
    c.early_followup += int(followups)
    return enrolled


def psychiatric_reviews(
    model: ClinicModel, month: int, c: MonthCounters, caseload: Slots | None = None
) -> None:
    """Review non-improving CoCM patients (longest in treatment first) within consultant hours.

    ``caseload``: the CoCM patients, if the caller has them (else found here).
    """
    pop, v = model.pop, model.values.cocm
    cand = pop.in_treatment(Tx.COCM) if caseload is None else caseload
    cand = cand[
        (pop.treatment_month[cand] >= v.review_month)
        & (pop.bh[cand] == BH.ACTIVE)
        & ~pop.reviewed[cand]
    ]
    minutes = sum(p.review_minutes for p in model.psychiatrists)
    for p in model.psychiatrists:
        p.load = len(cand) * v.psychiatric_review_minutes / minutes if minutes > 0 else None
    n = min(len(cand), int(minutes // v.psychiatric_review_minutes))
    if n == 0:
        return
    chosen = first_by_priority(cand, model.priority(month, cand), n, -pop.treatment_month[cand])
    pop.reviewed[chosen] = True
    pop.psych_minutes[chosen] = int(v.psychiatric_review_minutes)
    c.psych_minutes += int(n * v.psychiatric_review_minutes)
    c.psych_reviews += n


def measure_at_three_months(model: ClinicModel, month: int, c: MonthCounters) -> None:
    """Measurement-based care: PHQ-9/GAD-7 at episode month 3 (10-14 weeks).

    Patients who had the 4-week follow-up are measured. "Significant improvement" (AIMS Center)
    is read off the observed score, as a clinic would: below 10, or at most half the enrolment
    score.
    """
    pop = model.pop
    due = pop.in_treatment(Tx.COCM)
    due = due[(pop.treatment_month[due] == 3) & pop.followup_ok[due]]
    observed = model.engine.observed_scores(month, due, "measure")
    improved = (observed < 10) | (2 * observed <= pop.enrol_score[due])
    c.assessed_3mo += len(due)
    c.improved_3mo += int(improved.sum())


class CollaborativeCare(CareModel):
    """The Collaborative Care Model with universal screening at PCP visits."""

    name = "cocm"
    screening = True
    offers_cocm = True

    def start_month(self, month: int, c: MonthCounters) -> None:
        """CoCM disengagement (a month-1 cohort is offered CoCM by :mod:`intsim.care.cohort`)."""
        disengagement(self.model, month, c)

    def route(self, month: int, outcome: VisitOutcome, c: MonthCounters) -> None:
        """Usual-care decision by the PCP (who treats until CoCM has room), then the CoCM offer."""
        usual_care_treatment(self.model, month, outcome.threshold, c)
        offer_cocm(self.model, month, outcome.threshold)

    def deliver(self, month: int, c: MonthCounters) -> None:
        """Enrol from the queue, care-manager minutes, psychiatric reviews."""
        enrol_from_queue(self.model, month, c)
        caseload = care_manager_minutes(self.model, month, c)
        psychiatric_reviews(self.model, month, c, caseload)

    def end_month(self, month: int, c: MonthCounters) -> None:
        """Three-month measurement, then discharge and the usual-care bookkeeping."""
        measure_at_three_months(self.model, month, c)
        super().end_month(month, c)
