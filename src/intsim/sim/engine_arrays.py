"""The ``arrays`` patient engine: the patient rules over columnar numpy state.

Each method applies, over the panel, the rule a :class:`intsim.sim.patient.PatientAgent` method
applies to one patient: the compiled kernels call the shared scalar rules of
:mod:`intsim.sim.kernels.rules`, which the agents call too; the docking tests prove the engines give
identical results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.clinical import MAX_EPISODE_MONTH, MonthTables, StaticTables
from intsim.sim.kernels import clinical as clinical_kernels
from intsim.sim.kernels import costs as cost_kernels
from intsim.sim.kernels.codes import JIT
from intsim.sim.kernels.rules import improvement_table
from intsim.sim.population import (
    MAX_SCORE,
    Population,
)
from intsim.sim.streams import RandomStreams

#: Sparse streams read by the onset kernel, in the kernel's order.
ONSET_STREAMS = (
    "incidence",
    "chronic_onset",
    "sub_resolve",
    "onset_condition",
    "onset_chronic_episode",
    "onset_severity",
)
#: Sparse streams read by the clinical kernel, in the kernel's order.
CLINICAL_STREAMS = (
    "improve",
    "improve_depth",
    "recover",
    "relapse",
    "partial_response",
    "partial_depth",
)

Slots = NDArray[np.int64]


@dataclass
class ClinicalCounts:
    """Clinical transitions of one month."""

    improvements: int = 0
    remissions: int = 0
    relapses: int = 0
    recoveries: int = 0
    partial_responses: int = 0


def onset_shares(values: object) -> NDArray[np.float64]:
    """``shares`` of :func:`intsim.sim.kernels.rules.bh_onset`.

    Anxiety, chronic-episode, severe and moderately severe shares.
    """
    p = values.population  # type: ignore[attr-defined]
    return np.array(
        [p.anxiety_share, p.chronic_episode_share, p.severe_share, p.moderately_severe_share]
    )


def onset_probs(static: StaticTables) -> NDArray[np.float64]:
    """``probs`` of :func:`intsim.sim.kernels.clinical.onset` (probabilities per month).

    Threshold-episode incidence, subthreshold-distress incidence, chronic-condition incidence,
    resolution of subthreshold distress (not in PCBH, in PCBH), progression of subthreshold
    distress.
    """
    st = static
    return np.array(
        [
            float(st.incidence_prob),
            float(st.sub_incidence_prob),
            float(st.chronic_onset_prob),
            float(st.sub_resolve_prob[0]),
            float(st.sub_resolve_prob[1]),
            float(st.sub_progress_prob),
        ],
        dtype=np.float64,
    )


def disengagement_probs(values: object) -> NDArray[np.float64]:
    """``probs`` of :func:`intsim.sim.kernels.rules.disengagements` (per month, by list)."""
    v = values
    return np.array(
        [
            v.cocm.early_disengagement,  # type: ignore[attr-defined]
            v.cocm.monthly_dropout,  # type: ignore[attr-defined]
            v.cocm.waitlist_dropout,  # type: ignore[attr-defined]
            v.pcbh.wait_abandonment,  # type: ignore[attr-defined]
        ],
        dtype=np.float64,
    )


def clinical_probs(static: StaticTables, values: object) -> NDArray[np.float64]:
    """``probs`` of :func:`intsim.sim.kernels.rules.clinical_course`."""
    c = values.clinical  # type: ignore[attr-defined]
    return np.array(
        [
            static.recover_prob,
            static.residual_relapse_prob,
            static.relapse_prob,
            c.response_residual_low,
            c.response_residual_high,
            c.partial_response_probability,
            c.partial_response_residual_low,
            c.partial_response_residual_high,
        ],
        dtype=np.float64,
    )


#: Columns of the table of :class:`LeaveIndex` (a row per leave month): the month's slots of
#: the first batch are ``order[BEGIN:END]``; the later ones a linked list from FIRST to LAST
#: (``-1`` when empty) of LATER slots.
BEGIN, END, FIRST, LAST, LATER = range(5)


@njit(**JIT)
def _sort_first_batch(
    leave_month: NDArray[np.int32], n: int, table: NDArray[np.int64], order: NDArray[np.int64]
) -> None:
    """Index slots ``0 .. n-1`` afresh: a stable counting sort by leave month into ``order``."""
    n_months = table.shape[0]
    table[:, :] = 0
    table[:, FIRST] = -1
    table[:, LAST] = -1
    for s in range(n):
        m = leave_month[s]
        if 0 <= m < n_months:
            table[m, END] += 1
    begin = 0
    for m in range(n_months):
        table[m, BEGIN] = begin
        begin += table[m, END]
        table[m, END] = table[m, BEGIN]
    for s in range(n):
        m = leave_month[s]
        if 0 <= m < n_months:
            order[table[m, END]] = s
            table[m, END] += 1


@njit(**JIT)
def _append_later(
    leave_month: NDArray[np.int32],
    start: int,
    n: int,
    table: NDArray[np.int64],
    after: NDArray[np.int64],
) -> None:
    """Append slots ``start .. n-1``, ascending, to the linked list of their leave month."""
    n_months = table.shape[0]
    for s in range(start, n):
        m = leave_month[s]
        if 0 <= m < n_months:
            last = table[m, LAST]
            if last < 0:
                table[m, FIRST] = s
            else:
                after[last] = s
            table[m, LAST] = s
            table[m, LATER] += 1
            after[s] = -1


@njit(**JIT)
def month_leavers(
    leave_month: NDArray[np.int32],
    start: int,
    n: int,
    month: int,
    table: NDArray[np.int64],
    order: NDArray[np.int64],
    after: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Slots ``0 .. n-1`` whose leave month is ``month`` (ascending), from an index by month.

    Slots ``start .. n-1`` are indexed first: with ``start == 0`` by a counting sort of every
    slot (the first batch, contiguous by month), otherwise appended to per-month linked lists
    (slots above the first batch, so a month's slots stay ascending). Indexed slots whose leave
    month has since changed (cleared when the patient left) are skipped. Months outside
    ``table``'s rows are not indexed.

    Args:
        leave_month: Leave month of each slot (``Population.leave_month``).
        start: First slot not yet indexed (0: index afresh).
        n: Slots in use; ``start .. n-1`` are indexed now.
        month: Month asked for, a row of ``table``.
        table: Per month, columns :data:`BEGIN` .. :data:`LATER` (updated in place).
        order: The first batch's slots by month (updated in place when ``start == 0``).
        after: Next slot in a month's linked list, per slot (updated in place).

    Returns:
        The slots whose leave month is ``month``, ascending.
    """
    if start == 0:
        _sort_first_batch(leave_month, n, table, order)
    else:
        _append_later(leave_month, start, n, table, after)
    row = table[month]
    out = np.empty(row[END] - row[BEGIN] + row[LATER], np.int64)
    i = 0
    for j in range(row[BEGIN], row[END]):  # contiguous: the loads overlap
        s = order[j]
        out[i] = s
        i += leave_month[s] == month
    s = row[FIRST]
    while s >= 0:
        out[i] = s
        i += leave_month[s] == month
        s = after[s]
    return out[:i]


class LeaveIndex:
    """The panel's slots by leave month, for :meth:`ArrayEngine.leave_panel`.

    Equivalent to ``np.flatnonzero(pop.leave_month[: pop.n_used] == month)`` without reading
    every slot each month: a slot's leave month is written when the slot is first used (slots
    join at ``n_used`` and up) and later only cleared, so each slot is indexed once, when it is
    first seen in use, and an indexed slot whose leave month changed is skipped. Months outside
    ``0 .. months`` are answered by the full scan; a population whose ``n_used`` went down is
    indexed afresh.

    Args:
        pop: Shared patient state.
        months: Horizon; months ``0 .. months`` are indexed.
    """

    def __init__(self, pop: Population, months: int) -> None:
        self.pop = pop
        capacity = len(pop.leave_month)
        self.table = np.zeros((max(months, 0) + 1, LATER + 1), np.int64)
        self.order = np.empty(capacity, np.int64)
        self.after = np.empty(capacity, np.int64)
        self.indexed = 0  # slots 0 .. indexed-1 are in the index

    def leavers(self, month: int) -> Slots:
        """Slots whose leave month is ``month`` (ascending)."""
        pop = self.pop
        n = pop.n_used
        if n < self.indexed:  # slots were released: index afresh
            self.indexed = 0
        if not 0 <= month < len(self.table):
            return np.flatnonzero(pop.leave_month[:n] == month)
        slots = month_leavers(
            pop.leave_month, self.indexed, n, month, self.table, self.order, self.after
        )
        self.indexed = n
        return slots


class ArrayEngine:
    """Vectorised patient rules.

    Args:
        pop: Shared patient state.
        streams: Random streams.
        values: Scenario values.
        static: Run-constant probability tables.
    """

    name = "arrays"

    def __init__(
        self, pop: Population, streams: RandomStreams, values: object, static: StaticTables
    ) -> None:
        self.pop = pop
        self.streams = streams
        self.values = values
        self.static = static
        self._onset_probs = onset_probs(static)
        self._onset_shares = onset_shares(values)
        # run constants of the monthly kernels (values and static tables do not change)
        self._clinical_probs = clinical_probs(static, values)
        self._disengagement_probs = disengagement_probs(values)
        self._visit_prob = static.visit_prob.ravel()  # [chronic, in episode], flattened
        self._review_month = int(values.cocm.review_month)  # type: ignore[attr-defined]
        self._sustained_months = int(values.clinical.sustained_remission_months)  # type: ignore[attr-defined]
        # flat improvement table of each month-table object (the model caches those)
        self._improve: tuple[MonthTables, tuple[NDArray[np.float64], tuple[int, int]]] | None = None
        self._leave_index = LeaveIndex(pop, int(values.simulation.months))  # type: ignore[attr-defined]

    def add_patients(self, slots: Slots) -> None:
        """Register new patients (nothing to do: state lives in the arrays)."""

    def remove_patients(self, slots: Slots) -> None:
        """Unregister departed patients (nothing to do: state lives in the arrays)."""

    # ------------------------------------------------------------------ rules

    def leave_panel(self, month: int) -> Slots:
        """Patients who leave the panel this month (ascending slots)."""
        return self._leave_index.leavers(month)

    def onset(self, month: int) -> None:
        """New threshold and subthreshold episodes, subthreshold course, chronic-condition onset."""
        pop, streams = self.pop, self.streams
        clinical_kernels.onset(
            pop.n_used,
            pop.in_panel,
            pop.episode_state(),
            pop.treatment,
            pop.chronic,
            streams.keys(ONSET_STREAMS, month),
            self._onset_probs,
            self._onset_shares,
        )

    def visit_requests(self, month: int) -> Slots:
        """Patients who seek a PCP visit this month (ascending slots)."""
        pop = self.pop
        return clinical_kernels.visit_requests(
            pop.n_used,
            pop.in_panel,
            pop.chronic,
            pop.bh,
            self.streams.uint64_key("visit", month),
            self._visit_prob,
        )

    def observed_scores(self, month: int, slots: Slots, stream: str) -> NDArray[np.int64]:
        """Observed PHQ-9/GAD-7 scores (true score + measurement noise drawn from ``stream``).

        :func:`~intsim.sim.kernels.rules.observed_score` of each patient.
        """
        return clinical_kernels.observed_scores(
            self.streams.uint64_key(stream, month),
            np.asarray(slots, np.int64),
            self.pop.score,
            self.static.score_noise,
            MAX_SCORE,
        )

    def _choices(self, stream: str, month: int, slots: Slots, rule: int, p: float) -> NDArray:
        return clinical_kernels.choices(
            self.streams.uint64_key(stream, month), np.asarray(slots, np.int64), rule, float(p)
        )

    def consent(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each offered patient consents to CoCM.

        Applies :func:`~intsim.sim.kernels.rules.consents`.
        """
        p = self.values.cocm.consent_probability  # type: ignore[attr-defined]
        return self._choices("consent", month, slots, clinical_kernels.CONSENT, p)

    def disengage(self, month: int) -> Slots:
        """Patients who disengage at the start of the month (ascending slots).

        Enrolled CoCM patients (early, i.e. before the first follow-up, or later), and patients
        waiting for CoCM or a BHC visit.
        """
        pop = self.pop
        return clinical_kernels.disengaging(
            pop.n_used,
            pop.treatment,
            pop.treatment_month,
            pop.waitlist_since,
            pop.bhc_wait_since,
            self.streams.uint64_key("dropout", month),
            self._disengagement_probs,
        )

    def leave_after_cm_departure(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient whose care manager left (and was not reassigned) disengages.

        :func:`~intsim.sim.kernels.rules.leaves_after_cm_departure` of each patient.
        """
        p = self.values.workforce.cm_departure_disengagement  # type: ignore[attr-defined]
        return self._choices("cm_departure", month, slots, clinical_kernels.CM_DEPARTURE_LEAVE, p)

    def bhc_engage(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient offered a BHC contact engages.

        :func:`~intsim.sim.kernels.rules.engages_with_bhc` of each patient.
        """
        p = self.values.pcbh.handoff_acceptance  # type: ignore[attr-defined]
        return self._choices("bhc_engage", month, slots, clinical_kernels.BHC_ENGAGE, p)

    def bhc_no_show(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient misses a scheduled BHC visit.

        :func:`~intsim.sim.kernels.rules.misses_bhc_visit` of each patient.
        """
        p = self.values.pcbh.scheduled_no_show  # type: ignore[attr-defined]
        return self._choices("bhc_no_show", month, slots, clinical_kernels.BHC_NO_SHOW, p)

    def clinical_step(self, month: int, tables: MonthTables) -> ClinicalCounts:
        """Improvement, remission, relapse and recovery of threshold episodes."""
        pop = self.pop
        improve, improve_shape = self._improvement_table(tables)
        improvements, remissions, relapses, recoveries, partial = clinical_kernels.clinical_step(
            pop.n_used,
            pop.episode_state(),
            pop.treatment_state(),
            improve,
            improve_shape,
            self.streams.keys(CLINICAL_STREAMS, month),
            self._clinical_probs,
            self._review_month,
            self._sustained_months,
        )
        return ClinicalCounts(
            improvements=improvements,
            remissions=remissions,
            relapses=relapses,
            recoveries=recoveries,
            partial_responses=partial,
        )

    def _improvement_table(
        self, tables: MonthTables
    ) -> tuple[NDArray[np.float64], tuple[int, int]]:
        """:func:`~intsim.sim.kernels.rules.improvement_table` of ``tables`` and its shape.

        The shape is ``improve_shape`` of :func:`~intsim.sim.kernels.clinical.clinical_step`;
        both are kept while ``tables`` is reused.
        """
        if self._improve is None or self._improve[0] is not tables:
            flat = improvement_table(tables.improve_acute, tables.improve_chronic)
            shape = (int(tables.improve_acute.shape[1]), MAX_EPISODE_MONTH)
            self._improve = (tables, (flat, shape))
        return self._improve[1]

    def acute_care(self, month: int) -> None:
        """ED visits and hospital admissions this month (written to the service arrays)."""
        pop, st = self.pop, self.static
        cost_kernels.acute_care(
            pop.n_used,
            pop.person_state(),
            pop.bh,
            pop.condition,
            self.streams.uint64_key("acute", month),
            st.admit_rate,
            st.ed_rate,
            pop.acute_events(),
        )
