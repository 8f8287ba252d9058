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

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from intsim.measures import (
    COCM_MEASUREMENT_MONTH,
    IMPROVED_BELOW_SCORE,
    IMPROVED_SHARE_OF_ENROLMENT_SCORE,
)
from intsim.params import PAYERS, Param
from intsim.params.components import declared_section, register
from intsim.sim.care.base import (
    CareModel,
    MonthCounters,
    Slots,
    VisitOutcome,
    disengagement,
    expire_waits,
    queue_limit,
    turn_away_newcomers,
    usual_care_treatment,
)
from intsim.sim.kernels import pathways, registry
from intsim.sim.kernels.state import CareManagerWork, EnrolmentRule
from intsim.sim.population import Tx

if TYPE_CHECKING:
    from intsim.sim.context import ClinicContext


#: Payers whose CoCM patients need more care-manager time (``cocm.safety_net_minutes_ratio``).
SAFETY_NET_PAYERS: frozenset[str] = frozenset({"medicaid", "dual", "uninsured"})


def offer_cocm(model: ClinicContext, month: int, slots: Slots) -> None:
    """Offer CoCM to eligible patients; consenting ones join the queue.

    Patients keep any usual-care treatment while they wait for a care manager.
    """
    pop = model.pop
    offered = registry.offered_slots(
        np.asarray(slots, np.int64),
        model.streams.uint64_key("offer", month),
        float(model.values.cocm.offer_probability),
    )
    consent = model.engine.consent(month, offered)
    pop.waitlist_since[offered[consent]] = month


def limit_cocm_queue(model: ClinicContext, month: int, c: MonthCounters) -> None:
    """Waitlist policy ``cocm.max_waitlist_per_fte`` after the month's enrolments.

    See :func:`intsim.sim.care.base.turn_away_newcomers`.
    """
    limit = queue_limit(int(model.values.cocm.max_waitlist_per_fte), model.care_managers)
    c.cocm_turned_away += turn_away_newcomers(model, month, model.pop.waitlist_since, limit)


def expire_cocm_waits(model: ClinicContext, month: int, c: MonthCounters) -> None:
    """Hand patients waiting ``cocm.max_wait_months`` or longer back to usual care."""
    limit = int(model.values.cocm.max_wait_months)
    c.cocm_wait_expired += expire_waits(model, month, model.pop.waitlist_since, limit)


def payer_minutes_ratio(model: ClinicContext) -> NDArray[np.float64]:
    """Care-manager minutes multiplier by payer (``PAYERS`` order): safety-net payers need more."""
    ratio = float(model.values.cocm.safety_net_minutes_ratio)
    return _payer_ratios(ratio)


@cache
def _payer_ratios(ratio: float) -> NDArray[np.float64]:
    out = np.array([ratio if p in SAFETY_NET_PAYERS else 1.0 for p in PAYERS], np.float64)
    out.flags.writeable = False
    return out


def phase_minutes(model: ClinicContext) -> NDArray[np.float64]:
    """Mean care-manager minutes by work phase (intake, active, outreach, maintenance)."""
    v = model.values.cocm
    return np.array(
        [v.minutes_intake, v.minutes_active, v.outreach_minutes, v.minutes_maintenance],
        np.float64,
    )


def enrolment_room(model: ClinicContext, queue: Slots, caseload: Slots) -> list[int]:
    """New patients each care manager can take this month (by care-manager order).

    The smaller of the room under the caseload ceiling and the room in its minutes: new
    patients (intake minutes each) are taken while the expected minutes of its ``caseload``
    (:func:`intsim.sim.kernels.pathways.caseload_minutes`) stay within ``cocm.panel_fill_target`` of
    its patient minutes (a new patient's intake minutes are the mean over the ``queue`` it comes
    from). The sustainable caseload per FTE therefore emerges from the minutes each work phase
    needs.
    """
    pop, v = model.pop, model.values.cocm
    cms = model.care_managers
    ratios = payer_minutes_ratio(model)
    count, busy = pathways.caseload_minutes(
        caseload,
        pop.care_manager,
        pop.treatment_month,
        pop.bh,
        pop.payer,
        ratios,
        phase_minutes(model),
        float(v.unreached_probability),
        len(cms),
    )
    intake = float(v.minutes_intake) * float(ratios[pop.payer[queue]].mean())
    room = []
    for cm in cms:
        by_cap = cm.caseload_cap - int(count[cm.index])
        spare = float(v.panel_fill_target) * cm.patient_minutes - float(busy[cm.index])
        by_minutes = int(spare // intake) if intake > 0 else by_cap
        room.append(min(by_cap, max(by_minutes, 0)))
    return room


@dataclass(frozen=True)
class CocmRules:
    """The ``cocm.*`` rules of a run, as the kernels take them (fixed for the whole run).

    Built once by the care model (:func:`cocm_rules`); only the staff's capacities change from
    month to month.

    Attributes:
        enrolment: The enrolment rule (:class:`~intsim.sim.kernels.state.EnrolmentRule`) as a
            plain tuple.
        work: The care-manager work model (:class:`~intsim.sim.kernels.state.CareManagerWork`)
            as a plain tuple.
        review: ``cocm.review_month``, ``cocm.rereview_months`` (months) and
            ``cocm.review_new_patients``.
        per_review: Minutes of one psychiatric review (``cocm.psychiatric_review_minutes``).
    """

    enrolment: tuple[NDArray[np.float64], NDArray[np.float64], float, float, float]
    work: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float]
    review: tuple[int, int, bool]
    per_review: float


def cocm_rules(model: ClinicContext) -> CocmRules:
    """The run's :class:`CocmRules` from ``model.values.cocm`` and ``model.static``."""
    v = model.values.cocm
    phases, ratios = phase_minutes(model), payer_minutes_ratio(model)
    unreached = float(v.unreached_probability)
    enrolment = EnrolmentRule(
        phases, ratios, unreached, float(v.minutes_intake), float(v.panel_fill_target)
    )
    work = CareManagerWork(model.static.cm_minutes_multiplier, phases, ratios, unreached)
    return CocmRules(
        enrolment=tuple(enrolment),  # type: ignore[arg-type]
        work=tuple(work),  # type: ignore[arg-type]
        review=(int(v.review_month), int(v.rereview_months), bool(v.review_new_patients)),
        per_review=float(v.psychiatric_review_minutes),
    )


def care_manager_staff(
    model: ClinicContext,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:
    """This month's :class:`~intsim.sim.kernels.state.CareManagerStaff` as a plain tuple.

    Caseload caps (patients), patient minutes (minutes) and indices, in care-manager order.
    """
    caps: list[int] = []
    minutes: list[int] = []
    index: list[int] = []
    for cm in model.care_managers:
        caps.append(cm.caseload_cap)
        minutes.append(cm.patient_minutes)
        index.append(cm.index)
    return (
        np.array(caps, np.int64),
        np.array(minutes, np.float64),
        np.array(index, np.int64),
    )


def enrol_from_queue(
    model: ClinicContext, month: int, c: MonthCounters, rules: CocmRules | None = None
) -> Slots:
    """Enrol queued patients (oldest first, then priority) while care managers have room.

    One compiled pass (:func:`intsim.sim.kernels.pathways.enrol_cocm`): the room of each care
    manager as :func:`enrolment_room`, placement with the most room first (lowest index on
    ties), the queue's head by (waitlist month, ``priority`` uniform, slot). ``rules``: the
    run's :class:`CocmRules`, if the caller has them (else built here).

    Returns:
        The CoCM caseload after enrolment (ascending slots).
    """
    pop = model.pop
    if rules is None:
        rules = cocm_rules(model)
    caseload, new, waited = pathways.enrol_cocm(
        pop.n_used,
        month,
        model.streams.uint64_key("priority", month),
        care_manager_staff(model),  # CareManagerStaff as a plain tuple (kernels.state)
        rules.enrolment,
        pop.treatment_state(),
        pop.episode_state(),
        pop.payer,
        pop.enrolment_record(),
    )
    if len(new):
        c.cocm_wait_months += int(waited)
        c.cocm_enrolled_new += len(new)
        c.new_cocm_slots = np.concatenate([c.new_cocm_slots, new])
    return caseload


def care_manager_minutes(
    model: ClinicContext,
    month: int,
    c: MonthCounters,
    extra_minutes: int = 0,
    caseload: Slots | None = None,
    rules: CocmRules | None = None,
) -> Slots:
    """Each care manager spends minutes on its caseload by work phase and clinical priority.

    See :func:`intsim.sim.kernels.pathways.care_manager_time`: intake, active treatment, outreach to
    patients not reached, then maintenance; partial time for the first phase that does not fit.

    Args:
        model: The clinic model.
        month: Current month.
        c: Counters to update.
        extra_minutes: Minutes lent by other staff this month (hybrid sharing), split evenly.
        caseload: The CoCM caseload, if the caller has it (else found here).
        rules: The run's :class:`CocmRules`, if the caller has them (else built here).

    Returns:
        The CoCM caseload (ascending slots; minutes change no one's treatment, so the
        psychiatric reviews that follow can use it).
    """
    pop = model.pop
    enrolled = pop.in_treatment(Tx.COCM) if caseload is None else caseload
    if rules is None:
        rules = cocm_rules(model)
    cms = model.care_managers
    n_cm = max(len(cms), 1)
    capacity = np.zeros(max((cm.index for cm in cms), default=-1) + 1, np.int64)
    total = 0
    for cm in cms:
        cap = cm.patient_minutes + extra_minutes // n_cm if cm.capacity_share > 0 else 0
        capacity[cm.index] = cap
        total += cap
    c.cm_capacity_minutes += total
    streams = model.streams
    needed, needed_total, delivered, unreached, maintenance, followups, first = (
        pathways.care_manager_month(
            np.asarray(enrolled, np.int64),
            streams.uint64_key("cm_minutes", month),
            streams.uint64_key("cm_contact", month),
            rules.work,  # CareManagerWork as a plain tuple (kernels.state)
            capacity,
            pop.bh,
            pop.payer,
            pop.treatment_state(),
            pop.care_manager_record(),
        )
    )
    for cm in cms:
        cap = int(capacity[cm.index])
        cm.load = float(needed[cm.index]) / cap if cap > 0 else None
    c.cm_minutes += int(delivered)
    c.cm_minutes_needed += int(needed_total)
    c.cm_unreached += int(unreached)
    c.cm_maintenance += int(maintenance)
    c.early_followup += int(followups)
    c.first_followups += int(first)
    return enrolled


def psychiatric_reviews(
    model: ClinicContext,
    month: int,
    c: MonthCounters,
    caseload: Slots | None = None,
    rules: CocmRules | None = None,
) -> None:
    """The psychiatric consultant's weekly registry reviews of the month, within its hours.

    Due for review: patients not improving from ``cocm.review_month`` on, again every
    ``cocm.rereview_months`` after their last review (the review after a treatment change),
    and — with ``cocm.review_new_patients`` — each new patient once in its enrolment month.
    Non-improvers come first (longest in treatment first), then new patients; each review
    takes ``cocm.psychiatric_review_minutes``. A non-improver's review is the consultation
    whose absence the fidelity penalty measures (``reviewed``); ties are broken by the
    ``priority`` uniforms. ``caseload``: the CoCM patients, if the caller has them (else found
    here); ``rules``: the run's :class:`CocmRules`, if the caller has them (else built here).
    One compiled call (:func:`intsim.sim.kernels.registry.psychiatric_review_month`).
    """
    pop = model.pop
    enrolled = pop.in_treatment(Tx.COCM) if caseload is None else caseload
    if rules is None:
        rules = cocm_rules(model)
    psychiatrists = model.psychiatrists
    minutes = 0
    for p in psychiatrists:
        minutes += p.review_minutes
    per_review = rules.per_review
    # the kernel's review rule (see registry.psychiatric_review_month)
    rule = (*rules.review, int(minutes // per_review), int(per_review))
    due, n = registry.psychiatric_review_month(
        np.asarray(enrolled, np.int64),
        model.streams.uint64_key("priority", month),
        rule,
        pop.treatment_month,
        pop.bh,
        pop.reviewed,
        pop.last_review,
        pop.psych_minutes,
    )
    for p in psychiatrists:
        p.load = due * per_review / minutes if minutes > 0 else None
    c.psych_paid_minutes += int(minutes)
    c.psych_reviews_due += due
    if n == 0:
        return
    c.psych_minutes += int(n * per_review)
    c.psych_reviews += n


def measure_at_three_months(model: ClinicContext, month: int, c: MonthCounters) -> None:
    """Measurement-based care: PHQ-9/GAD-7 at episode month 3 (10-14 weeks).

    Patients who had the 4-week follow-up are measured. "Significant improvement" (AIMS Center)
    is read off the observed score, as a clinic would: below 10, or at most half the enrolment
    score (the definitions in :mod:`intsim.measures`). The patients due are found in one
    compiled scan (:func:`intsim.sim.kernels.registry.measurement_due`), their scores by the
    engine (``observed_scores``).
    """
    pop = model.pop
    due = registry.measurement_due(
        pop.n_used, COCM_MEASUREMENT_MONTH, pop.treatment, pop.treatment_month, pop.followup_ok
    )
    observed = model.engine.observed_scores(month, due, "measure")
    c.assessed_3mo += len(due)
    c.improved_3mo += int(
        registry.count_improved(
            np.asarray(observed, np.int64),
            due,
            pop.enrol_score,
            IMPROVED_BELOW_SCORE,
            IMPROVED_SHARE_OF_ENROLMENT_SCORE,
        )
    )


#: Monthly output columns only a care model with CoCM fills (zero under the others).
COCM_RESULTS: tuple[str, ...] = (
    "cocm_enrolled_new",
    "active_cocm",
    "waitlist_cocm",
    "cocm_turned_away",
    "cocm_wait_expired",
    "cocm_wait_months",
    "cm_minutes",
    "cm_minutes_needed",
    "cm_capacity_minutes",
    "psych_minutes",
    "psych_reviews",
)


@register
class CollaborativeCare(CareModel):
    """The Collaborative Care Model with universal screening at PCP visits."""

    name = "cocm"
    roles = ("care_manager", "psychiatric_consultant")
    screening = True
    offers_cocm = True

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The ``cocm.*`` section of the declaration."""
        return declared_section("cocm")

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """The monthly columns only CoCM (and the hybrid) fill."""
        return COCM_RESULTS

    def __init__(self, model: ClinicContext) -> None:
        super().__init__(model)
        self.rules = cocm_rules(model)

    def start_month(self, month: int, c: MonthCounters) -> None:
        """CoCM disengagement and expired waits (month-1 cohort: :mod:`intsim.sim.care.cohort`)."""
        disengagement(self.model, month, c)
        expire_cocm_waits(self.model, month, c)

    def route(self, month: int, outcome: VisitOutcome, c: MonthCounters) -> None:
        """Usual-care decision by the PCP (who treats until CoCM has room), then the CoCM offer."""
        usual_care_treatment(self.model, month, outcome.threshold, c)
        offer_cocm(self.model, month, outcome.threshold)

    def deliver(self, month: int, c: MonthCounters) -> None:
        """Enrol from the queue (then the waitlist policy), care-manager minutes, reviews."""
        rules = self.rules
        caseload = enrol_from_queue(self.model, month, c, rules)
        limit_cocm_queue(self.model, month, c)
        caseload = care_manager_minutes(self.model, month, c, caseload=caseload, rules=rules)
        psychiatric_reviews(self.model, month, c, caseload, rules)

    def end_month(self, month: int, c: MonthCounters) -> None:
        """Three-month measurement, then discharge and the usual-care bookkeeping."""
        measure_at_three_months(self.model, month, c)
        super().end_month(month, c)
