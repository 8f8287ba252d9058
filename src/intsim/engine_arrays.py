"""The ``arrays`` patient engine: the patient rules over columnar numpy state.

Each method is the vectorised twin of a :class:`intsim.patient.PatientAgent` method; the docking
tests prove the two give identical results. Rules read uniforms from slot-indexed streams and
probabilities from :mod:`intsim.clinical` tables, so both engines decide identically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from intsim.clinical import MAX_EPISODE_MONTH, NOISE_QUANTILES, MonthTables, StaticTables, Variant
from intsim.population import (
    BH,
    MAX_SCORE,
    Condition,
    Population,
    Tx,
    start_episode,
    subthreshold_score,
)
from intsim.streams import RandomStreams

Slots = NDArray[np.int64]


@dataclass
class ClinicalCounts:
    """Clinical transitions of one month."""

    improvements: int = 0
    remissions: int = 0
    relapses: int = 0
    recoveries: int = 0


def residual_score(
    score: NDArray[np.int8], u: NDArray[np.float64], low: float, high: float
) -> NDArray[np.int8]:
    """Score after a response: a share uniform in [low, high) of the score, rounded down."""
    return (score * (low + (high - low) * u)).astype(np.int8)


def treatment_variant(
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
    followup_ok: NDArray[np.bool_],
    reviewed: NDArray[np.bool_],
    pcp_cotreat: NDArray[np.bool_],
    review_month: int,
) -> NDArray[np.int64]:
    """Return the :class:`intsim.clinical.Variant` of each patient's improvement hazard."""
    v = np.zeros(treatment.shape, np.int64)
    v[treatment == Tx.PCP] = Variant.PCP
    v[treatment == Tx.SPECIALTY] = Variant.SPECIALTY
    pcbh = treatment == Tx.PCBH
    v[pcbh] = np.where(pcp_cotreat[pcbh], Variant.PCBH_WITH_PCP, Variant.PCBH)
    cocm = treatment == Tx.COCM
    no_follow = (treatment_month >= 2) & ~followup_ok
    no_review = (treatment_month > review_month) & ~reviewed
    v[cocm] = Variant.COCM + no_follow[cocm].astype(np.int64) + 2 * no_review[cocm]
    return v


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

    def add_patients(self, slots: Slots) -> None:
        """Register new patients (nothing to do: state lives in the arrays)."""

    def remove_patients(self, slots: Slots) -> None:
        """Unregister departed patients (nothing to do: state lives in the arrays)."""

    # ------------------------------------------------------------------ rules

    def leave_panel(self, month: int) -> Slots:
        """Patients who leave the panel this month (ascending slots)."""
        pop = self.pop
        return np.flatnonzero(pop.leave_month[: pop.n_used] == month)

    def onset(self, month: int) -> None:
        """New threshold and subthreshold episodes, subthreshold course, chronic-condition onset."""
        pop, st, p = self.pop, self.static, self.values.population  # type: ignore[attr-defined]
        n = pop.n_used
        in_panel, bh = pop.in_panel[:n], pop.bh[:n]
        none = in_panel & (bh == BH.NONE)
        u = self.streams.uniform_first("incidence", month, n)
        onset_active = none & (u < st.incidence_prob)
        new_sub = np.flatnonzero(
            none & (u >= st.incidence_prob) & (u < st.incidence_prob + st.sub_incidence_prob)
        )
        sub = np.flatnonzero(bh == BH.SUBTHRESHOLD)
        u = self.streams.uniform("sub_resolve", month, sub)
        resolve_p = st.sub_resolve_prob[(pop.treatment[sub] == Tx.PCBH).astype(np.int64)]
        resolved = sub[u < resolve_p]
        onset_active[sub[(u >= resolve_p) & (u < resolve_p + st.sub_progress_prob)]] = True
        pop.bh[resolved] = BH.NONE
        pop.score[resolved] = 0
        active = np.flatnonzero(onset_active)
        start_episode(
            pop,
            active,
            self.streams.uniform("onset_condition", month, active),
            self.streams.uniform("onset_chronic_episode", month, active),
            self.streams.uniform("onset_severity", month, active),
            p.anxiety_share,
            p.chronic_episode_share,
            p.severe_share,
            p.moderately_severe_share,
        )
        pop.bh[new_sub] = BH.SUBTHRESHOLD
        pop.score[new_sub] = subthreshold_score(
            self.streams.uniform("onset_severity", month, new_sub)
        )
        u = self.streams.uniform_first("chronic_onset", month, n)
        pop.chronic[:n] |= in_panel & (u < st.chronic_onset_prob)

    def _state_index(self) -> NDArray[np.int64]:
        """Index into the [chronic, in-episode] tables for slots ``0 .. n_used-1``."""
        pop = self.pop
        n = pop.n_used
        bh = pop.bh[:n]
        episode = (bh == BH.ACTIVE) | (bh == BH.IMPROVED)
        return 2 * pop.chronic[:n] + episode

    def visit_requests(self, month: int) -> Slots:
        """Patients who seek a PCP visit this month (ascending slots)."""
        pop = self.pop
        n = pop.n_used
        p = self.static.visit_prob.ravel()[self._state_index()]
        u = self.streams.uniform_first("visit", month, n)
        return np.flatnonzero(pop.in_panel[:n] & (u < p))

    def observed_scores(self, month: int, slots: Slots, stream: str) -> NDArray[np.int64]:
        """Observed PHQ-9/GAD-7 scores (true score + measurement noise drawn from ``stream``)."""
        u = self.streams.uniform(stream, month, slots)
        noise = self.static.score_noise[(u * NOISE_QUANTILES).astype(np.int64)]
        return np.clip(self.pop.score[slots].astype(np.int64) + noise, 0, MAX_SCORE)

    def consent(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each offered patient consents to CoCM."""
        p = self.values.cocm.consent_probability  # type: ignore[attr-defined]
        return self.streams.uniform("consent", month, slots) < p

    def disengage(self, month: int) -> Slots:
        """Patients who disengage at the start of the month (ascending slots).

        Enrolled CoCM patients (early, i.e. before the first follow-up, or later), and patients
        waiting for CoCM or a BHC visit.
        """
        pop, v = self.pop, self.values  # type: ignore[attr-defined]
        cocm = pop.where(pop.treatment == Tx.COCM)
        cocm_wait = pop.where(pop.waitlist_since >= 0)
        bhc_wait = pop.where(pop.bhc_wait_since >= 0)
        p_cocm = np.where(
            pop.treatment_month[cocm] == 2, v.cocm.early_disengagement, v.cocm.monthly_dropout
        )
        cand = np.concatenate([cocm, cocm_wait, bhc_wait])
        p = np.concatenate(
            [
                p_cocm,
                np.full(len(cocm_wait), v.cocm.waitlist_dropout),
                np.full(len(bhc_wait), v.pcbh.wait_abandonment),
            ]
        )
        order = np.argsort(cand, kind="stable")
        cand, p = cand[order], p[order]
        return cand[self.streams.uniform("dropout", month, cand) < p]

    def leave_after_cm_departure(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient whose care manager left (and was not reassigned) disengages."""
        p = self.values.workforce.cm_departure_disengagement  # type: ignore[attr-defined]
        return self.streams.uniform("cm_departure", month, slots) < p

    def bhc_engage(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient offered a BHC contact engages."""
        p = self.values.pcbh.handoff_acceptance  # type: ignore[attr-defined]
        return self.streams.uniform("bhc_engage", month, slots) < p

    def bhc_no_show(self, month: int, slots: Slots) -> NDArray[np.bool_]:
        """Whether each patient misses a scheduled BHC visit."""
        p = self.values.pcbh.scheduled_no_show  # type: ignore[attr-defined]
        return self.streams.uniform("bhc_no_show", month, slots) < p

    def clinical_step(self, month: int, tables: MonthTables) -> ClinicalCounts:
        """Improvement, remission, relapse and recovery of threshold episodes."""
        pop, st = self.pop, self.static
        review_month = self.values.cocm.review_month  # type: ignore[attr-defined]
        sustained = self.values.clinical.sustained_remission_months  # type: ignore[attr-defined]
        bh = pop.bh[: pop.n_used].copy()
        counts = ClinicalCounts()

        active = np.flatnonzero(bh == BH.ACTIVE)
        v = treatment_variant(
            pop.treatment[active],
            pop.treatment_month[active],
            pop.followup_ok[active],
            pop.reviewed[active],
            pop.pcp_cotreat[active],
            review_month,
        )
        t = np.minimum(pop.episode_month[active], MAX_EPISODE_MONTH - 1).astype(np.int64)
        anxiety = (pop.condition[active] == Condition.ANXIETY).astype(np.int64)
        p = np.where(
            pop.chronic_episode[active],
            tables.improve_chronic[anxiety, v],
            tables.improve_acute[anxiety, v, t],
        )
        hit = self.streams.uniform("improve", month, active) < p
        improved, still = active[hit], active[~hit]
        pop.bh[improved] = BH.IMPROVED
        c = self.values.clinical  # type: ignore[attr-defined]
        pop.score[improved] = residual_score(
            pop.score[improved],
            self.streams.uniform("improve_depth", month, improved),
            c.response_residual_low,
            c.response_residual_high,
        )
        pop.episode_month[still] += 1
        counts.improvements = len(improved)

        imp = np.flatnonzero(bh == BH.IMPROVED)
        u = self.streams.uniform("recover", month, imp)
        remit = imp[u < st.recover_prob]
        relapse_a = imp[(u >= st.recover_prob) & (u < st.recover_prob + st.residual_relapse_prob)]

        rem = np.flatnonzero(bh == BH.REMITTED)
        u = self.streams.uniform("relapse", month, rem)
        relapse_b = rem[u < st.relapse_prob]
        stay = rem[u >= st.relapse_prob]
        pop.remission_months[stay] += 1
        recovered = stay[pop.remission_months[stay] >= sustained]

        pop.bh[remit] = BH.REMITTED
        pop.score[remit] = np.minimum(pop.score[remit], 4)
        pop.remission_months[remit] = 0
        relapsed = np.concatenate([relapse_a, relapse_b])
        pop.bh[relapsed] = BH.ACTIVE
        pop.score[relapsed] = pop.baseline_score[relapsed]
        pop.episode_month[relapsed] = 0
        pop.bh[recovered] = BH.NONE
        pop.score[recovered] = 0
        pop.condition[recovered] = 0
        pop.known[recovered] = False
        counts.remissions = len(remit)
        counts.relapses = len(relapsed)
        counts.recoveries = len(recovered)
        return counts

    def acute_care(self, month: int) -> None:
        """ED visits and hospital admissions this month (written to the service arrays)."""
        pop, st = self.pop, self.static
        n = pop.n_used
        idx = self._state_index()
        pa = st.admit_prob.ravel()[idx]
        pe = st.ed_prob.ravel()[idx]
        u = self.streams.uniform_first("acute", month, n)
        in_panel = pop.in_panel[:n]
        pop.admission[:n] = in_panel & (u < pa)
        pop.ed_visit[:n] = in_panel & (u >= pa) & (u < pa + pe)
