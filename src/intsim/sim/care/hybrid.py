"""Hybrid: a triage rule routes complex or severe patients to CoCM and the rest to PCBH.

Threshold patients with a score at or above ``hybrid.cocm_severity_score``, a chronic physical
condition (``hybrid.chronic_to_cocm``) or a chronic episode (``hybrid.chronic_episode_to_cocm``)
are offered CoCM; other threshold, subthreshold and health-behaviour needs go to the BHCs. Staff
can be shared: a share ``staffing.shared_bhc_cm_share`` of BHC time left unused in a month is
lent to care management.
"""

from __future__ import annotations

import numpy as np

from intsim.params import Param
from intsim.params.components import declared_section, register
from intsim.sim.care.base import (
    CareModel,
    MonthCounters,
    Slots,
    VisitOutcome,
    disengagement,
    usual_care_treatment,
)
from intsim.sim.care.cocm import (
    COCM_RESULTS,
    care_manager_minutes,
    cocm_rules,
    enrol_from_queue,
    expire_cocm_waits,
    limit_cocm_queue,
    measure_at_three_months,
    offer_cocm,
    psychiatric_reviews,
)
from intsim.sim.care.pcbh import (
    PCBH_RESULTS,
    BhcSchedule,
    bhc_care_management,
    expire_bhc_waits,
    refer_to_bhc,
    scheduled_visits,
    warm_handoffs,
)
from intsim.sim.kernels import pathways


def triage_to_cocm(model: object, slots: Slots) -> np.ndarray:
    """Boolean mask: which threshold patients the triage rule sends to CoCM."""
    pop, h = model.pop, model.values.hybrid  # type: ignore[attr-defined]
    to_cocm = pop.score[slots] >= h.cocm_severity_score
    if h.chronic_to_cocm:
        to_cocm |= pop.chronic[slots]
    if h.chronic_episode_to_cocm:
        to_cocm |= pop.chronic_episode[slots]
    return to_cocm


def triage_split(model: object, slots: Slots) -> tuple[Slots, Slots]:
    """Threshold patients the triage rule sends to CoCM, and the others (order of ``slots``).

    The same rule as :func:`triage_to_cocm`, in one compiled pass
    (:func:`intsim.sim.kernels.pathways.triage_split`, which hands back one array and the split
    point: the two parts are views of it).
    """
    pop, h = model.pop, model.values.hybrid  # type: ignore[attr-defined]
    ordered, k = pathways.triage_split(
        np.asarray(slots, np.int64),
        pop.score,
        h.cocm_severity_score,  # int (kind "int"), compared exactly as numpy does
        pop.chronic,
        pop.chronic_episode,
        bool(h.chronic_to_cocm),
        bool(h.chronic_episode_to_cocm),
    )
    return ordered[:k], ordered[k:]


@register
class Hybrid(CareModel):
    """CoCM for complex or severe patients, PCBH for the rest."""

    name = "hybrid"
    roles = ("care_manager", "psychiatric_consultant", "bhc")
    screening = True
    offers_cocm = True
    offers_pcbh = True

    def __init__(self, model: object) -> None:
        super().__init__(model)  # type: ignore[arg-type]
        self.book = BhcSchedule()
        self.rules = cocm_rules(model)  # type: ignore[arg-type]

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The ``hybrid.*`` section (triage); it also reads ``cocm.*`` and ``pcbh.*``."""
        return declared_section("hybrid")

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """The CoCM and the PCBH columns."""
        return COCM_RESULTS + PCBH_RESULTS

    def start_month(self, month: int, c: MonthCounters) -> None:
        """CoCM disengagement, expired waits; open the BHC slots."""
        disengagement(self.model, month, c)
        expire_cocm_waits(self.model, month, c)
        expire_bhc_waits(self.model, month, c)
        self.book.open_month(self.model, c)

    def route(self, month: int, outcome: VisitOutcome, c: MonthCounters) -> None:
        """Triage identified threshold patients; everyone else to the BHCs."""
        thr = outcome.threshold
        usual_care_treatment(self.model, month, thr, c)
        to_cocm, rest = triage_split(self.model, thr)
        offer_cocm(self.model, month, to_cocm)
        cand = refer_to_bhc(self.model, month, outcome, rest)
        warm_handoffs(self.model, month, cand, self.book, c)

    def deliver(self, month: int, c: MonthCounters) -> None:
        """BHC visits and care management, CoCM enrolment, minutes (lent BHC time), reviews."""
        scheduled_visits(self.model, month, self.book, c)
        bhc_care_management(self.model, month, c)
        lent = int(
            self.book.unused_minutes(self.model) * self.model.values.staffing.shared_bhc_cm_share
        )
        rules = self.rules
        caseload = enrol_from_queue(self.model, month, c, rules)
        limit_cocm_queue(self.model, month, c)
        caseload = care_manager_minutes(
            self.model, month, c, extra_minutes=lent, caseload=caseload, rules=rules
        )
        psychiatric_reviews(self.model, month, c, caseload, rules)

    def end_month(self, month: int, c: MonthCounters) -> None:
        """Discharge CoCM patients, end BHC episodes, usual-care bookkeeping."""
        measure_at_three_months(self.model, month, c)
        super().end_month(month, c)
