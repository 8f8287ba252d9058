"""Primary Care Behavioral Health (PCBH): BHC warm handoffs and brief episodes.

At a PCP visit, identified patients — threshold conditions, subthreshold distress (with
probability ``pcbh.subthreshold_referral``) and health-behaviour needs of chronic patients (with
probability ``pcbh.health_behavior_referral``) — are offered a BHC contact. Those who engage are
seen the same day when a held-open slot is free (warm handoff), otherwise they are scheduled and
wait for a slot; scheduled visits carry a no-show risk. An episode plans 1-4 brief visits (mean
``pcbh.episode_visits_mean``), one a month; a follow-up that finds no free slot is lost.

Between visits, BHCs give care management (phone follow-up, coordination) in a share
``pcbh.followup_cm_share`` of the months of open threshold episodes, out of their time outside
visit slots; the minutes are recorded per patient-month (``bhi_minutes``) and billed as general
BHI (:mod:`intsim.money.claims`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from intsim.params import Param
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
from intsim.sim.kernels import pathways, queues
from intsim.sim.providers import order_by_priority

if TYPE_CHECKING:
    from intsim.sim.context import ClinicContext


class BhcSchedule:
    """Monthly BHC slot book: held-open same-day slots and scheduled slots."""

    def __init__(self) -> None:
        self.same_day_left = 0
        self.scheduled_left = 0
        self.total = 0
        self.requested = 0  # visits sought this month (new referrals and follow-ups due)

    def open_month(self, model: ClinicContext, c: MonthCounters) -> None:
        """Open this month's slots from the BHCs' capacity."""
        self.same_day_left = sum(b.same_day_slots for b in model.bhcs)
        self.total = sum(b.visit_slots for b in model.bhcs)
        self.scheduled_left = self.total - self.same_day_left
        self.requested = 0
        c.bhc_slots += self.total

    def record_load(self, model: ClinicContext) -> None:
        """Load of the pooled BHCs: visits sought / slots (the same for every BHC).

        Visits sought are this month's new referrals who engaged and the follow-ups due; the
        patients already waiting from earlier months are backlog and do not count again.
        """
        load = self.requested / self.total if self.total > 0 else None
        for b in model.bhcs:
            b.load = load if b.visit_slots > 0 else None

    def unused_minutes(self, model: ClinicContext) -> int:
        """BHC minutes left unused this month."""
        return (self.same_day_left + self.scheduled_left) * model.values.pcbh.visit_minutes


def record_bhc_visits(model: ClinicContext, slots: Slots) -> None:
    """Record delivered BHC visits and what each addressed (for billing)."""
    pop = model.pop
    pathways.record_bhc_visits(slots, pop.bh, pop.chronic, pop.bhc_visit, pop.bhc_kind)


def start_pcbh_episodes(model: ClinicContext, month: int, slots: Slots, c: MonthCounters) -> None:
    """Start episodes with a first visit delivered this month.

    The PCP stays the treating clinician: a patient it already treats keeps that treatment
    (co-treatment). The episode's planned visits (1-4) come from the ``bhc_episode_visits``
    stream; quality measures follow patients treated for a threshold episode. Nothing to do
    (no kernel call) when ``slots`` is empty.
    """
    if len(slots) == 0:
        return
    pop = model.pop
    pathways.start_pcbh_episodes(
        np.asarray(slots, dtype=np.int64),
        month,
        model.streams.uint64_key("bhc_episode_visits", month),
        model.static.pcbh_visits_cum,
        pop.bh,
        pop.chronic,
        pop.treatment_state(),
        pop.bhc_record(),
        pop.program_start,
    )
    c.pcbh_started_new += len(slots)
    c.bhc_visits += len(slots)


def refer_to_bhc(
    model: ClinicContext, month: int, outcome: VisitOutcome, threshold: Slots
) -> Slots:
    """Candidates for a BHC contact (ascending slots).

    The threshold patients given (except those referred to specialty care), plus referred
    subthreshold and health-behaviour patients.
    """
    p = model.values.pcbh
    return pathways.bhc_referrals(
        np.asarray(threshold, np.int64),
        np.asarray(outcome.subthreshold, np.int64),
        np.asarray(outcome.health_behavior, np.int64),
        model.pop.treatment,
        model.streams.uint64_key("bhc_refer", month),
        (float(p.subthreshold_referral), float(p.health_behavior_referral)),
    )


def warm_handoffs(
    model: ClinicContext, month: int, slots: Slots, book: BhcSchedule, c: MonthCounters
) -> Slots:
    """Offer BHC contacts: same-day if a slot is free, else scheduled (queue).

    Returns:
        Patients who declined the BHC contact.
    """
    pop = model.pop
    engaged_mask = model.engine.bhc_engage(month, slots)
    engaged = slots[engaged_mask]
    book.requested += len(engaged)
    same_day = queues.first_served(  # lowest priority uniforms first (one key for all)
        engaged, np.zeros(len(engaged), np.int64), model.streams.uint64_key("priority", month),
        book.same_day_left,
    )  # fmt: skip
    book.same_day_left -= len(same_day)
    start_pcbh_episodes(model, month, same_day, c)
    pop.bhc_same_day[same_day] = True
    c.bhc_same_day_starts += len(same_day)
    pop.bhc_wait_since[engaged] = month
    pop.bhc_wait_since[same_day] = -1
    return slots[~engaged_mask]


def limit_bhc_queue(model: ClinicContext, month: int, c: MonthCounters) -> None:
    """Waitlist policy ``pcbh.max_waitlist_per_fte`` after the month's scheduled visits."""
    limit = queue_limit(int(model.values.pcbh.max_waitlist_per_fte), model.bhcs)
    c.bhc_turned_away += turn_away_newcomers(model, month, model.pop.bhc_wait_since, limit)


def expire_bhc_waits(model: ClinicContext, month: int, c: MonthCounters) -> None:
    """Refer patients waiting ``pcbh.max_wait_months`` or longer back to their PCP."""
    limit = int(model.values.pcbh.max_wait_months)
    c.bhc_wait_expired += expire_waits(model, month, model.pop.bhc_wait_since, limit)


def scheduled_visits(model: ClinicContext, month: int, book: BhcSchedule, c: MonthCounters) -> None:
    """Fill scheduled slots (and unused same-day slots): follow-ups first, then the queue.

    Every month of an episode uses up one of its planned visits, booked or not: an episode whose
    follow-up finds no free slot is shortened rather than waiting forever. Who is booked is
    decided by :func:`intsim.sim.kernels.queues.book_bhc_visits`; who misses a booking by the
    patients' no-show rule (the engine).
    """
    pop = model.pop
    free = book.scheduled_left + book.same_day_left
    booked, n_due = queues.book_bhc_visits(
        pop.n_used, free, model.streams.uint64_key("priority", month), pop.treatment,
        pop.bhc_visits_left, pop.bhc_wait_since, pop.bhc_visit,
    )  # fmt: skip
    book.requested += n_due  # the standing queue is backlog, not new demand
    book.record_load(model)
    book.scheduled_left, book.same_day_left = free - len(booked), 0
    missed = model.engine.bhc_no_show(month, booked)
    followups, starting, wait_months = queues.sort_out_bookings(
        month, booked, missed, pop.treatment, pop.bhc_wait_since
    )
    c.bhc_no_shows += len(booked) - len(followups) - len(starting)
    record_bhc_visits(model, followups)
    c.bhc_visits += len(followups)
    c.bhc_wait_months += int(wait_months)
    start_pcbh_episodes(model, month, starting, c)
    limit_bhc_queue(model, month, c)


def bhc_care_management(model: ClinicContext, month: int, c: MonthCounters) -> None:
    """Between-visit care management of open threshold PCBH episodes (general BHI minutes).

    Each month of an open episode for a threshold condition has a follow-up with probability
    ``pcbh.followup_cm_share`` (stream ``bhc_followup``), of ``pcbh.followup_cm_minutes`` minutes
    on average (uniform over 50-150%, stream ``bhc_followup_minutes``). The BHCs' pooled
    :attr:`~intsim.sim.providers.BehavioralHealthConsultant.care_management_minutes` bound the
    month: when short, patients are followed up in priority order while the minutes last. Draws are
    organisation-side (the BHC's workflow), so both engines share this step.
    """
    p = model.values.pcbh
    if p.followup_cm_share <= 0.0:
        return
    pop, st = model.pop, model.streams
    slots, total = pathways.bhc_followup(
        pop.n_used,
        st.uint64_key("bhc_followup", month),
        st.uint64_key("bhc_followup_minutes", month),
        float(p.followup_cm_share),
        float(p.followup_cm_minutes),
        pop.treatment,
        pop.bh,
        pop.bhi_minutes,
    )
    capacity = sum(b.care_management_minutes for b in model.bhcs)
    if total > capacity:
        order = order_by_priority(slots, model.priority(month, slots))
        used = np.cumsum(pop.bhi_minutes[order].astype(np.int64))
        pop.bhi_minutes[order[used > capacity]] = 0
        total = int(used[used <= capacity][-1]) if (used <= capacity).any() else 0
    c.bhi_minutes += total


#: Monthly output columns only a care model with BHCs fills (zero under the others).
PCBH_RESULTS: tuple[str, ...] = (
    "pcbh_started_new",
    "active_pcbh",
    "bhc_turned_away",
    "bhc_wait_expired",
    "bhc_wait_months",
    "bhc_same_day_starts",
    "bhc_visits",
    "bhc_no_shows",
)


@register
class PrimaryCareBehavioralHealth(CareModel):
    """The PCBH model: behavioral health consultants embedded in the primary-care team."""

    name = "pcbh"
    roles = ("bhc",)
    screening = True
    offers_pcbh = True

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The ``pcbh.*`` section of the declaration."""
        return declared_section("pcbh")

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """The monthly columns only PCBH (and the hybrid) fill."""
        return PCBH_RESULTS

    def __init__(self, model: ClinicContext) -> None:
        super().__init__(model)
        self.book = BhcSchedule()

    def start_month(self, month: int, c: MonthCounters) -> None:
        """Patients waiting for a BHC visit may give up or be referred back; open the slots."""
        disengagement(self.model, month, c)
        expire_bhc_waits(self.model, month, c)
        self.book.open_month(self.model, c)

    def route(self, month: int, outcome: VisitOutcome, c: MonthCounters) -> None:
        """Usual-care decision by the PCP, then warm handoffs to the BHC."""
        usual_care_treatment(self.model, month, outcome.threshold, c)
        cand = refer_to_bhc(self.model, month, outcome, outcome.threshold)
        warm_handoffs(self.model, month, cand, self.book, c)

    def deliver(self, month: int, c: MonthCounters) -> None:
        """Scheduled BHC visits, then between-visit care management."""
        scheduled_visits(self.model, month, self.book, c)
        bhc_care_management(self.model, month, c)
