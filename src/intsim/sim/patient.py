"""The ``agents`` patient engine: each patient is a :class:`mesa.Agent` applying the rules alone.

This is the readable reference implementation of the patient submodels (ODD): every method of
:class:`PatientAgent` applies one rule to one patient. Its attributes live in the shared
:class:`~intsim.sim.population.Population` arrays at the agent's slot, so organisation-level code
(providers, care models, billing) serves both engines. :class:`intsim.sim.engine_arrays.ArrayEngine`
holds the vectorised twins; the docking tests prove both give identical results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from intsim.sim.clinical import (
    MAX_EPISODE_MONTH,
    NOISE_QUANTILES,
    MonthTables,
    StaticTables,
    Variant,
)
from intsim.sim.engine_arrays import ClinicalCounts, Slots
from intsim.sim.population import (
    BH,
    MAX_SCORE,
    Condition,
    Population,
    Tx,
    threshold_score_one,
)
from intsim.sim.risk import acute_probabilities_one, risk_class_one
from intsim.sim.streams import RandomStreams

if TYPE_CHECKING:
    from intsim.sim.context import ClinicContext


def treatment_variant_one(
    treatment: int,
    treatment_month: int,
    followup_ok: bool,
    reviewed: bool,
    pcp_cotreat: bool,
    review_month: int,
) -> int:
    """Scalar twin of :func:`intsim.sim.kernels.clinical.treatment_variant`."""
    if treatment == Tx.PCP:
        return Variant.PCP
    if treatment == Tx.SPECIALTY:
        return Variant.SPECIALTY
    if treatment == Tx.PCBH:
        return Variant.PCBH_WITH_PCP if pcp_cotreat else Variant.PCBH
    if treatment == Tx.COCM:
        no_follow = treatment_month >= 2 and not followup_ok
        no_review = treatment_month > review_month and not reviewed
        return Variant.COCM + int(no_follow) + 2 * int(no_review)
    return Variant.NONE


class PatientAgent(mesa.Agent):
    """One primary-care patient.

    Args:
        model: The clinic model.
        slot: The patient's permanent slot index in the population arrays.
    """

    def __init__(self, model: ClinicContext, slot: int) -> None:
        super().__init__(model)
        self.slot = slot
        self.pop: Population = model.pop
        self.streams: RandomStreams = model.streams
        self.static: StaticTables = model.static

    def _u(self, stream: str, month: int) -> float:
        return self.streams.uniform_one(stream, month, self.slot)

    # ------------------------------------------------------------------ rules

    def leaves_panel(self, month: int) -> bool:
        """Whether the patient leaves the panel this month."""
        return self.pop.leave_month[self.slot] == month

    def _start_episode(self, month: int) -> None:
        pop, s, p = self.pop, self.slot, self.model.values.population
        pop.bh[s] = BH.ACTIVE
        anxious = self._u("onset_condition", month) < p.anxiety_share
        pop.condition[s] = Condition.ANXIETY if anxious else Condition.DEPRESSION
        pop.chronic_episode[s] = self._u("onset_chronic_episode", month) < p.chronic_episode_share
        score = threshold_score_one(
            self._u("onset_severity", month), p.severe_share, p.moderately_severe_share
        )
        pop.score[s] = score
        pop.baseline_score[s] = score
        pop.episode_month[s] = 0
        pop.known[s] = False

    def onset(self, month: int) -> None:
        """New episodes, subthreshold course and chronic-condition onset for this patient."""
        pop, st, s = self.pop, self.static, self.slot
        bh = pop.bh[s]
        if bh == BH.NONE:
            u = self._u("incidence", month)
            if u < st.incidence_prob:
                self._start_episode(month)
            elif u < st.incidence_prob + st.sub_incidence_prob:
                pop.bh[s] = BH.SUBTHRESHOLD
                pop.score[s] = 5 + min(max(int(self._u("onset_severity", month) * 5), 0), 4)
        elif bh == BH.SUBTHRESHOLD:
            u = self._u("sub_resolve", month)
            resolve_p = st.sub_resolve_prob[1 if pop.treatment[s] == Tx.PCBH else 0]
            if u < resolve_p:
                pop.bh[s] = BH.NONE
                pop.score[s] = 0
            elif u < resolve_p + st.sub_progress_prob:
                self._start_episode(month)
        if not pop.chronic[s] and self._u("chronic_onset", month) < st.chronic_onset_prob:
            pop.chronic[s] = True

    def wants_visit(self, month: int) -> bool:
        """Whether the patient seeks a PCP visit this month."""
        pop, s = self.pop, self.slot
        episode = pop.bh[s] in (BH.ACTIVE, BH.IMPROVED)
        p = self.static.visit_prob[int(pop.chronic[s]), int(episode)]
        return self._u("visit", month) < p

    def observed_score(self, month: int, stream: str) -> int:
        """Observed PHQ-9/GAD-7 score (true score + measurement noise drawn from ``stream``)."""
        noise = self.static.score_noise[int(self._u(stream, month) * NOISE_QUANTILES)]
        return min(max(int(self.pop.score[self.slot]) + int(noise), 0), MAX_SCORE)

    def consents(self, month: int) -> bool:
        """Whether the patient consents to CoCM when offered."""
        return self._u("consent", month) < self.model.values.cocm.consent_probability

    def disengages(self, month: int) -> bool:
        """Whether an enrolled CoCM patient, or one waiting for CoCM or a BHC visit, disengages."""
        pop, s, v = self.pop, self.slot, self.model.values
        if pop.treatment[s] == Tx.COCM:
            p = (
                v.cocm.early_disengagement
                if pop.treatment_month[s] == 2
                else v.cocm.monthly_dropout
            )
        elif pop.waitlist_since[s] >= 0:
            p = v.cocm.waitlist_dropout
        elif pop.bhc_wait_since[s] >= 0:
            p = v.pcbh.wait_abandonment
        else:
            return False
        return self._u("dropout", month) < p

    def leaves_after_cm_departure(self, month: int) -> bool:
        """Whether the patient disengages when its care manager leaves and no one takes over."""
        p = self.model.values.workforce.cm_departure_disengagement
        return self._u("cm_departure", month) < p

    def engages_with_bhc(self, month: int) -> bool:
        """Whether the patient engages when offered a BHC contact."""
        return self._u("bhc_engage", month) < self.model.values.pcbh.handoff_acceptance

    def misses_bhc_visit(self, month: int) -> bool:
        """Whether the patient misses a scheduled BHC visit."""
        return self._u("bhc_no_show", month) < self.model.values.pcbh.scheduled_no_show

    def step_clinical(self, month: int, tables: MonthTables, counts: ClinicalCounts) -> None:
        """Improvement, remission, relapse and recovery of this patient's episode."""
        pop, st, s = self.pop, self.static, self.slot
        bh = pop.bh[s]
        if bh == BH.ACTIVE:
            v = treatment_variant_one(
                int(pop.treatment[s]),
                int(pop.treatment_month[s]),
                bool(pop.followup_ok[s]),
                bool(pop.reviewed[s]),
                bool(pop.pcp_cotreat[s]),
                self.model.values.cocm.review_month,
            )
            anxiety = int(pop.condition[s] == Condition.ANXIETY)
            if pop.chronic_episode[s]:
                p = tables.improve_chronic[anxiety, v]
            else:
                t = min(int(pop.episode_month[s]), MAX_EPISODE_MONTH - 1)
                p = tables.improve_acute[anxiety, v, t]
            if self._u("improve", month) < p:
                pop.bh[s] = BH.IMPROVED
                c = self.model.values.clinical
                low, high = c.response_residual_low, c.response_residual_high
                share = low + (high - low) * self._u("improve_depth", month)
                pop.score[s] = int(int(pop.score[s]) * share)
                counts.improvements += 1
            else:
                pop.episode_month[s] += 1
        elif bh == BH.IMPROVED:
            u = self._u("recover", month)
            if u < st.recover_prob:
                self._remit()
                counts.remissions += 1
            elif u < st.recover_prob + st.residual_relapse_prob:
                self._relapse()
                counts.relapses += 1
        elif bh == BH.REMITTED:
            if self._u("relapse", month) < st.relapse_prob:
                self._relapse()
                counts.relapses += 1
            else:
                pop.remission_months[s] += 1
                if pop.remission_months[s] >= self.model.values.clinical.sustained_remission_months:
                    pop.bh[s] = BH.NONE
                    pop.score[s] = 0
                    pop.condition[s] = 0
                    pop.known[s] = False
                    counts.recoveries += 1

    def _remit(self) -> None:
        pop, s = self.pop, self.slot
        pop.bh[s] = BH.REMITTED
        pop.score[s] = min(int(pop.score[s]), 4)
        pop.remission_months[s] = 0

    def _relapse(self) -> None:
        pop, s = self.pop, self.slot
        pop.bh[s] = BH.ACTIVE
        pop.score[s] = pop.baseline_score[s]
        pop.episode_month[s] = 0

    def use_acute_care(self, month: int) -> None:
        """ED visit or hospital admission this month (rates by risk class x cost frailty)."""
        pop, st, s = self.pop, self.static, self.slot
        k = risk_class_one(pop.bh[s], pop.condition[s], pop.chronic[s], pop.age65[s])
        pa, pe = acute_probabilities_one(
            float(st.admit_rate[k]), float(st.ed_rate[k]), float(pop.cost_frailty[s])
        )
        u = self._u("acute", month)
        pop.admission[s] = u < pa
        pop.ed_visit[s] = pa <= u < pa + pe


class AgentEngine:
    """Patient engine in which every patient is a :class:`PatientAgent` (same API as ArrayEngine).

    Args:
        model: The clinic model (owns the population, streams and tables).
    """

    name = "agents"

    def __init__(self, model: ClinicContext) -> None:
        self.model = model
        self.pop = model.pop
        self.by_slot: dict[int, PatientAgent] = {}

    def add_patients(self, slots: Slots) -> None:
        """Create one agent per new slot."""
        for s in slots:
            self.by_slot[int(s)] = PatientAgent(self.model, int(s))

    def remove_patients(self, slots: Slots) -> None:
        """Remove the agents of departed patients from the model."""
        for s in slots:
            self.by_slot.pop(int(s)).remove()

    def _panel(self) -> list[PatientAgent]:
        return [self.by_slot[int(s)] for s in self.pop.panel_slots()]

    def _pick(self, agents: list[PatientAgent]) -> Slots:
        return np.array([a.slot for a in agents], dtype=np.int64)

    def leave_panel(self, month: int) -> Slots:
        """Patients who leave the panel this month (ascending slots)."""
        return self._pick([a for a in self._panel() if a.leaves_panel(month)])

    def onset(self, month: int) -> None:
        """Apply the onset rule to every patient in the panel."""
        for a in self._panel():
            a.onset(month)

    def visit_requests(self, month: int) -> Slots:
        """Patients who seek a PCP visit this month (ascending slots)."""
        return self._pick([a for a in self._panel() if a.wants_visit(month)])

    def observed_scores(self, month: int, slots: Slots, stream: str) -> NDArray[np.int64]:
        """Observed PHQ-9/GAD-7 scores of these patients."""
        return np.array(
            [self.by_slot[int(s)].observed_score(month, stream) for s in slots], np.int64
        )

    def consent(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each offered patient consents to CoCM."""
        return np.array([self.by_slot[int(s)].consents(month) for s in slots], bool)

    def disengage(self, month: int) -> Slots:
        """Patients who disengage at the start of the month (ascending slots)."""
        return self._pick([a for a in self._panel() if a.disengages(month)])

    def leave_after_cm_departure(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient whose care manager left (and was not reassigned) disengages."""
        return np.array(
            [self.by_slot[int(s)].leaves_after_cm_departure(month) for s in slots], bool
        )

    def bhc_engage(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient offered a BHC contact engages."""
        return np.array([self.by_slot[int(s)].engages_with_bhc(month) for s in slots], bool)

    def bhc_no_show(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient misses a scheduled BHC visit."""
        return np.array([self.by_slot[int(s)].misses_bhc_visit(month) for s in slots], bool)

    def clinical_step(self, month: int, tables: MonthTables) -> ClinicalCounts:
        """Apply the clinical rule to every patient in the panel."""
        counts = ClinicalCounts()
        for a in self._panel():
            a.step_clinical(month, tables, counts)
        return counts

    def acute_care(self, month: int) -> None:
        """Apply the acute-care rule to every patient in the panel."""
        for a in self._panel():
            a.use_acute_care(month)
