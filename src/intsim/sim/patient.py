"""The ``agents`` patient engine: each patient is a :class:`mesa.Agent` applying the rules alone.

This is the readable reference implementation of the patient submodels (ODD): every method of
:class:`PatientAgent` applies one rule to one patient. Its attributes live in the shared
:class:`~intsim.sim.population.Population` arrays at the agent's slot, so organisation-level code
(providers, care models, billing) serves both engines. Each rule proper is a scalar function of
:mod:`intsim.sim.kernels.rules`, which the kernels of
:class:`intsim.sim.engine_arrays.ArrayEngine` call
too, so the rules have one source; the docking tests prove both engines give identical results.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from intsim.sim.clinical import MAX_EPISODE_MONTH, MonthTables, StaticTables
from intsim.sim.engine_arrays import (
    CLINICAL_STREAMS,
    ONSET_STREAMS,
    ClinicalCounts,
    Slots,
    clinical_probs,
    disengagement_probs,
    onset_shares,
)
from intsim.sim.kernels.rules import (
    IMPROVEMENT,
    PARTIAL_RESPONSE,
    RECOVERY,
    RELAPSE,
    REMISSION,
    acute_event,
    bh_onset,
    clinical_course,
    consents,
    disengagements,
    engages_with_bhc,
    episode_onset,
    gains_chronic_condition,
    improvement_cell,
    improvement_table,
    leaves_after_cm_departure,
    misses_bhc_visit,
    observed_score,
    partial_response_possible,
    risk_class,
    wants_visit,
)
from intsim.sim.population import MAX_SCORE, Population
from intsim.sim.streams import RandomStreams

if TYPE_CHECKING:
    from intsim.sim.context import ClinicContext


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

    def onset(self, month: int) -> None:
        """New episodes, subthreshold course and chronic-condition onset for this patient.

        Applies :func:`~intsim.sim.kernels.rules.bh_onset` (then
        :func:`~intsim.sim.kernels.rules.episode_onset` when an episode starts) and
        :func:`~intsim.sim.kernels.rules.gains_chronic_condition` to the agent's slot.
        """
        pop, st, s, e = self.pop, self.static, self.slot, self.model.engine
        new_bh, new_score, start = bh_onset(
            s, self._u("incidence", month), int(pop.bh[s]), int(pop.treatment[s]),
            int(pop.score[s]), e.month_keys(ONSET_STREAMS, month), float(st.incidence_prob),
            float(st.sub_incidence_prob), e.sub_resolve_prob, float(st.sub_progress_prob),
        )  # fmt: skip
        if start:
            (
                pop.bh[s],
                pop.score[s],
                pop.baseline_score[s],
                pop.condition[s],
                pop.chronic_episode[s],
                pop.episode_month[s],
                pop.known[s],
            ) = episode_onset(s, e.month_keys(ONSET_STREAMS, month), e.onset_shares)
        else:
            pop.bh[s], pop.score[s] = new_bh, new_score
        u = self._u("chronic_onset", month)
        pop.chronic[s] |= gains_chronic_condition(u, float(st.chronic_onset_prob))

    def wants_visit(self, month: int) -> bool:
        """Whether the patient seeks a PCP visit (:func:`~intsim.sim.kernels.rules.wants_visit`)."""
        pop, s = self.pop, self.slot
        u = self._u("visit", month)
        return bool(
            wants_visit(u, bool(pop.chronic[s]), int(pop.bh[s]), self.model.engine.visit_prob)
        )

    def observed_score(self, month: int, stream: str) -> int:
        """Observed PHQ-9/GAD-7 score (:func:`~intsim.sim.kernels.rules.observed_score`).

        The true score plus measurement noise drawn from ``stream``.
        """
        u = self._u(stream, month)
        return int(observed_score(self.pop.score[self.slot], u, self.static.score_noise, MAX_SCORE))

    def consents(self, month: int) -> bool:
        """Whether the patient consents to CoCM when offered.

        Applies :func:`~intsim.sim.kernels.rules.consents`.
        """
        return bool(consents(self._u("consent", month), self.model.values.cocm.consent_probability))

    def disengagements(self, month: int) -> int:
        """How many of its lists (CoCM, CoCM waitlist, BHC waitlist) the patient leaves.

        Applies :func:`~intsim.sim.kernels.rules.disengagements` to the agent's slot.
        """
        pop, s = self.pop, self.slot
        return int(
            disengagements(
                np.uint64(self.streams.key("dropout", month)), s, int(pop.treatment[s]),
                int(pop.treatment_month[s]), int(pop.waitlist_since[s]),
                int(pop.bhc_wait_since[s]), self.model.engine.disengagement_probs,
            )
        )  # fmt: skip

    def leaves_after_cm_departure(self, month: int) -> bool:
        """Whether the patient disengages when its care manager leaves and no one takes over.

        :func:`~intsim.sim.kernels.rules.leaves_after_cm_departure`.
        """
        p = self.model.values.workforce.cm_departure_disengagement
        return bool(leaves_after_cm_departure(self._u("cm_departure", month), p))

    def engages_with_bhc(self, month: int) -> bool:
        """Whether the patient engages when offered a BHC contact.

        Applies :func:`~intsim.sim.kernels.rules.engages_with_bhc`.
        """
        p = self.model.values.pcbh.handoff_acceptance
        return bool(engages_with_bhc(self._u("bhc_engage", month), p))

    def misses_bhc_visit(self, month: int) -> bool:
        """Whether the patient misses a scheduled BHC visit.

        Applies :func:`~intsim.sim.kernels.rules.misses_bhc_visit`.
        """
        p = self.model.values.pcbh.scheduled_no_show
        return bool(misses_bhc_visit(self._u("bhc_no_show", month), p))

    def step_clinical(self, month: int, tables: MonthTables, counts: ClinicalCounts) -> None:
        """Improvement, remission, relapse and recovery of this patient's episode.

        Applies :func:`~intsim.sim.kernels.rules.clinical_course` to the agent's slot.
        """
        pop, s, e = self.pop, self.slot, self.model.engine
        improve = e.month_improvement(month, tables)
        cell = improvement_cell(
            int(pop.treatment[s]), int(pop.treatment_month[s]), bool(pop.followup_ok[s]),
            bool(pop.reviewed[s]), bool(pop.pcp_cotreat[s]), e.review_month,
            int(pop.condition[s]), bool(pop.chronic_episode[s]), int(pop.episode_month[s]),
            tables.improve_acute.shape[1], MAX_EPISODE_MONTH,
        )  # fmt: skip
        event, pop.bh[s], pop.score[s], pop.condition[s], *rest = clinical_course(
            s, int(pop.bh[s]), int(pop.score[s]), int(pop.baseline_score[s]),
            int(pop.condition[s]), int(pop.episode_month[s]), int(pop.remission_months[s]),
            bool(pop.known[s]), float(improve[cell]),
            partial_response_possible(int(pop.treatment[s]), bool(pop.pcp_cotreat[s])),
            e.month_keys(CLINICAL_STREAMS, month), e.clinical_probs, e.sustained_months,
        )  # fmt: skip
        pop.episode_month[s], pop.remission_months[s], pop.known[s] = rest
        counts.improvements += event == IMPROVEMENT
        counts.remissions += event == REMISSION
        counts.relapses += event == RELAPSE
        counts.recoveries += event == RECOVERY
        counts.partial_responses += event == PARTIAL_RESPONSE

    def use_acute_care(self, month: int) -> None:
        """ED visit or hospital admission this month (rates by risk class x cost frailty).

        Applies :func:`~intsim.sim.kernels.rules.risk_class` and
        :func:`~intsim.sim.kernels.rules.acute_event` to the agent's slot.
        """
        pop, st, s = self.pop, self.static, self.slot
        k = risk_class(
            int(pop.bh[s]), int(pop.condition[s]), bool(pop.chronic[s]), bool(pop.age65[s])
        )
        pop.admission[s], pop.ed_visit[s] = acute_event(
            self._u("acute", month), float(st.admit_rate[k]), float(st.ed_rate[k]),
            float(pop.cost_frailty[s]),
        )  # fmt: skip


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
        values, static = model.values, model.static
        # run-constant parameters of the shared rules, built as the arrays engine builds them
        self.visit_prob = static.visit_prob.ravel()
        self.onset_shares = tuple(onset_shares(values))
        self.sub_resolve_prob = tuple(static.sub_resolve_prob)
        self.disengagement_probs = tuple(disengagement_probs(values))
        self.clinical_probs = tuple(clinical_probs(static, values))
        self.review_month = int(values.cocm.review_month)
        self.sustained_months = int(values.clinical.sustained_remission_months)
        self._keys: dict[tuple[tuple[str, ...], int], tuple[np.uint64, ...]] = {}
        self._improvement: tuple[int, NDArray[np.float64]] | None = None

    def month_keys(self, streams: tuple[str, ...], month: int) -> tuple[np.uint64, ...]:
        """Keys of these streams this month (computed once per month)."""
        keys = self._keys.get((streams, month))
        if keys is None:
            keys = tuple(self.model.streams.keys(streams, month))
            self._keys[(streams, month)] = keys
        return keys

    def month_improvement(self, month: int, tables: MonthTables) -> NDArray[np.float64]:
        """The month's flat improvement table.

        From :func:`~intsim.sim.kernels.rules.improvement_table`.
        """
        if self._improvement is None or self._improvement[0] != month:
            self._improvement = (
                month,
                improvement_table(tables.improve_acute, tables.improve_chronic),
            )
        return self._improvement[1]

    def add_patients(self, slots: Slots) -> None:
        """Create one agent per new slot."""
        for s in slots:
            self.by_slot[int(s)] = PatientAgent(self.model, int(s))

    def remove_patients(self, slots: Slots) -> None:
        """Remove the agents of departed patients from the model."""
        for s in slots:
            self.by_slot.pop(int(s)).remove()

    def _patients(self) -> mesa.AgentSet:
        """The patient agents: the panel, in ascending slot order (the order agents joined)."""
        agents = self.model.agents_by_type.get(PatientAgent)
        return agents if agents is not None else mesa.AgentSet([], random=self.model.random)

    def _pick(self, agents: Iterable[PatientAgent]) -> Slots:
        return np.array([a.slot for a in agents], dtype=np.int64)

    def leave_panel(self, month: int) -> Slots:
        """Patients who leave the panel this month (ascending slots)."""
        return self._pick(self._patients().select(lambda a: a.leaves_panel(month)))

    def onset(self, month: int) -> None:
        """Apply the onset rule to every patient in the panel."""
        self._patients().do("onset", month)

    def visit_requests(self, month: int) -> Slots:
        """Patients who seek a PCP visit this month (ascending slots)."""
        return self._pick(self._patients().select(lambda a: a.wants_visit(month)))

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
        return np.array(
            [a.slot for a in self._patients() for _ in range(a.disengagements(month))],
            np.int64,
        )

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
        self._patients().do("step_clinical", month, tables, counts)
        return counts

    def acute_care(self, month: int) -> None:
        """Apply the acute-care rule to every patient in the panel."""
        self._patients().do("use_acute_care", month)
