"""Patient rules of the arrays engine: onset, scores, visit requests, clinical course, dropout.

Each is the compiled twin of a scalar rule of :mod:`intsim.sim.patient` (the agents engine), so the
engines dock exactly (tests/test_docking*.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import (
    ANXIETY,
    BH_ACTIVE,
    BH_IMPROVED,
    BH_NONE,
    BH_REMITTED,
    BH_SUB,
    DEPRESSION,
    JIT,
    TX_COCM,
    TX_PCBH,
    TX_PCP,
    TX_SPECIALTY,
    V_COCM,
    V_NONE,
    V_PCBH,
    V_PCBH_WITH_PCP,
    V_PCP,
    V_SPECIALTY,
)
from intsim.sim.kernels.rng import first_uniforms, unit_uniform


@njit(**JIT)
def threshold_score_of(u: float, severe_share: float, modsevere_share: float) -> int:
    """Onset score of a threshold episode (:func:`intsim.sim.population.threshold_score`'s twin)."""
    if u < severe_share:
        return 20 + min(max(int(u / severe_share * 8), 0), 7)
    if u < severe_share + modsevere_share:
        return 15 + min(max(int((u - severe_share) / modsevere_share * 5), 0), 4)
    mild_share = 1.0 - severe_share - modsevere_share
    return 10 + min(
        max(int((u - severe_share - modsevere_share) / max(mild_share, 1e-300) * 5), 0), 4
    )


@njit(**JIT)
def subthreshold_score_of(u: float) -> int:
    """Subthreshold score 5-9 (twin of :func:`intsim.sim.population.subthreshold_score`)."""
    return 5 + min(max(int(u * 5), 0), 4)


@njit(**JIT)
def onset(
    n: int,
    in_panel: NDArray[np.bool_],
    bh: NDArray[np.int8],
    treatment: NDArray[np.int8],
    score: NDArray[np.int8],
    baseline_score: NDArray[np.int8],
    condition: NDArray[np.int8],
    chronic_episode: NDArray[np.bool_],
    episode_month: NDArray[np.int16],
    known: NDArray[np.bool_],
    chronic: NDArray[np.bool_],
    keys: NDArray[np.uint64],
    incidence_prob: float,
    sub_incidence_prob: float,
    chronic_onset_prob: float,
    sub_resolve_prob: NDArray[np.float64],
    sub_progress_prob: float,
    shares: NDArray[np.float64],
) -> None:
    """New episodes, subthreshold course and chronic onset of one month (in place).

    Twin of :meth:`intsim.sim.engine_arrays.ArrayEngine.onset`.

    The common case (nothing happens) is decided without branches: on random data a branch
    mispredicts often, and loops over contiguous slots vectorise, so kernels scan slots
    ``0 .. n-1`` with ``in_panel`` as a mask rather than a list of panel slots.

    Args:
        n: Slots in use.
        in_panel: Whether each slot is in the panel.
        bh, treatment, score, baseline_score, condition, chronic_episode, episode_month, known,
            chronic: Population arrays (updated in place).
        keys: Stream keys of the month: ``incidence``, ``chronic_onset``, ``sub_resolve``,
            ``onset_condition``, ``onset_chronic_episode``, ``onset_severity``.
        incidence_prob: Threshold-episode incidence, probability per month.
        sub_incidence_prob: Subthreshold-distress incidence, probability per month.
        chronic_onset_prob: Chronic-condition incidence, probability per month.
        sub_resolve_prob: Resolution probability per month of subthreshold distress, by
            [not in PCBH, in PCBH].
        sub_progress_prob: Progression probability per month of subthreshold distress.
        shares: ``anxiety_share, chronic_episode_share, severe_share,
            moderately_severe_share``.
    """
    k_incidence, k_chronic_onset = keys[0], keys[1]
    k_resolve, k_condition, k_chronic_ep, k_severity = keys[2], keys[3], keys[4], keys[5]
    anxiety_share, chronic_ep_share, severe, modsevere = shares[0], shares[1], shares[2], shares[3]
    u_incidence = first_uniforms(k_incidence, n)
    incidence_limit = incidence_prob + sub_incidence_prob
    for s in range(n):
        chronic[s] |= in_panel[s] & (unit_uniform(k_chronic_onset, s) < chronic_onset_prob)
    for s in range(n):
        state = bh[s]
        if not (
            (state == BH_SUB)
            | (in_panel[s] & (state == BH_NONE) & (u_incidence[s] < incidence_limit))
        ):
            continue  # most slots: no change
        start = False
        if state == BH_NONE:
            u = u_incidence[s]
            if u < incidence_prob:
                start = True
            elif u < incidence_prob + sub_incidence_prob:
                bh[s] = BH_SUB
                score[s] = subthreshold_score_of(unit_uniform(k_severity, s))
        elif state == BH_SUB:
            u64 = unit_uniform(k_resolve, s)
            p = sub_resolve_prob[1 if treatment[s] == TX_PCBH else 0]
            if u64 < p:
                bh[s] = BH_NONE
                score[s] = 0
            elif u64 < p + sub_progress_prob:
                start = True
        if start:
            bh[s] = BH_ACTIVE
            u_cond = unit_uniform(k_condition, s)
            condition[s] = ANXIETY if u_cond < anxiety_share else DEPRESSION
            chronic_episode[s] = unit_uniform(k_chronic_ep, s) < chronic_ep_share
            sc = threshold_score_of(unit_uniform(k_severity, s), severe, modsevere)
            score[s] = sc
            baseline_score[s] = sc
            episode_month[s] = 0
            known[s] = False


@njit(**JIT)
def _state_of(chronic: bool, bh: int) -> int:
    """Index into the [chronic, in-episode] tables (arithmetic, no branches)."""
    return 2 * np.int64(chronic) + np.int64((bh == BH_ACTIVE) | (bh == BH_IMPROVED))


@njit(**JIT)
def visit_requests(
    n: int,
    in_panel: NDArray[np.bool_],
    chronic: NDArray[np.bool_],
    bh: NDArray[np.int8],
    key: np.uint64,
    visit_prob: NDArray[np.float64],
) -> NDArray[np.int64]:
    """Slots (ascending) of panel members who seek a PCP visit this month.

    Args:
        n: Slots in use.
        in_panel, chronic, bh: Population arrays.
        key: Key of the ``visit`` stream this month.
        visit_prob: Visit probability per month by state (flattened [chronic, in episode]).
    """
    u = first_uniforms(key, n)
    out = np.empty(n, np.int64)
    k = 0
    for s in range(n):
        out[k] = s
        k += in_panel[s] & (u[s] < visit_prob[_state_of(chronic[s], bh[s])])
    return out[:k]


@njit(**JIT)
def treatment_variant(
    treatment: int,
    treatment_month: int,
    followup_ok: bool,
    reviewed: bool,
    pcp_cotreat: bool,
    review_month: int,
) -> int:
    """Improvement-hazard variant of a patient (twin of ``patient.treatment_variant_one``)."""
    if treatment == TX_PCP:
        return V_PCP
    if treatment == TX_SPECIALTY:
        return V_SPECIALTY
    if treatment == TX_PCBH:
        return V_PCBH_WITH_PCP if pcp_cotreat else V_PCBH
    if treatment == TX_COCM:
        no_follow = 1 if (treatment_month >= 2 and not followup_ok) else 0
        no_review = 1 if (treatment_month > review_month and not reviewed) else 0
        return V_COCM + no_follow + 2 * no_review
    return V_NONE


@njit(**JIT)
def clinical_step(
    n: int,
    bh: NDArray[np.int8],
    score: NDArray[np.int8],
    baseline_score: NDArray[np.int8],
    condition: NDArray[np.int8],
    chronic_episode: NDArray[np.bool_],
    episode_month: NDArray[np.int16],
    remission_months: NDArray[np.int16],
    known: NDArray[np.bool_],
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
    followup_ok: NDArray[np.bool_],
    reviewed: NDArray[np.bool_],
    pcp_cotreat: NDArray[np.bool_],
    improve_acute: NDArray[np.float64],
    improve_chronic: NDArray[np.float64],
    keys: NDArray[np.uint64],
    probs: NDArray[np.float64],
    review_month: int,
    sustained_months: int,
    max_episode_month: int,
) -> NDArray[np.int64]:
    """Improvement, remission, relapse and recovery of one month (in place).

    Twin of :meth:`intsim.sim.engine_arrays.ArrayEngine.clinical_step`.

    Args:
        n: Slots in use (departed patients have no episode).
        bh, ...: Population arrays (updated in place).
        improve_acute: Improvement probability by [anxiety, variant, episode month].
        improve_chronic: Improvement probability of chronic episodes by [anxiety, variant].
        keys: Stream keys of the month: ``improve``, ``improve_depth``, ``recover``,
            ``relapse``.
        probs: ``recover, residual_relapse, relapse, residual_low, residual_high``
            (probabilities per month; residual score share bounds).
        review_month: Treatment month from which a CoCM patient should have had a review.
        sustained_months: Months of remission after which the episode is over.
        max_episode_month: Length of the episode-month axis of ``improve_acute``.

    Returns:
        Counts: improvements, remissions, relapses, recoveries.
    """
    k_improve, k_depth, k_recover, k_relapse = keys[0], keys[1], keys[2], keys[3]
    recover_p, residual_relapse_p, relapse_p = probs[0], probs[1], probs[2]
    low, high = probs[3], probs[4]
    counts = np.zeros(4, np.int64)
    # most patients have no episode: collect the others without branches, then visit them
    in_episode = np.empty(n, np.int64)
    m = 0
    for s in range(n):
        in_episode[m] = s
        m += bh[s] >= BH_ACTIVE
    for i in range(m):
        s = in_episode[i]
        state = bh[s]
        if state == BH_ACTIVE:
            v = treatment_variant(
                treatment[s],
                treatment_month[s],
                followup_ok[s],
                reviewed[s],
                pcp_cotreat[s],
                review_month,
            )
            anxiety = 1 if condition[s] == ANXIETY else 0
            if chronic_episode[s]:
                p = improve_chronic[anxiety, v]
            else:
                p = improve_acute[anxiety, v, min(episode_month[s], max_episode_month - 1)]
            if unit_uniform(k_improve, s) < p:
                bh[s] = BH_IMPROVED
                share = low + (high - low) * unit_uniform(k_depth, s)
                score[s] = np.int8(score[s] * share)
                counts[0] += 1
            else:
                episode_month[s] += 1
        elif state == BH_IMPROVED:
            u = unit_uniform(k_recover, s)
            if u < recover_p:
                bh[s] = BH_REMITTED
                score[s] = min(score[s], 4)
                remission_months[s] = 0
                counts[1] += 1
            elif u < recover_p + residual_relapse_p:
                bh[s] = BH_ACTIVE
                score[s] = baseline_score[s]
                episode_month[s] = 0
                counts[2] += 1
        elif state == BH_REMITTED:
            if unit_uniform(k_relapse, s) < relapse_p:
                bh[s] = BH_ACTIVE
                score[s] = baseline_score[s]
                episode_month[s] = 0
                counts[2] += 1
            else:
                remission_months[s] += 1
                if remission_months[s] >= sustained_months:
                    bh[s] = BH_NONE
                    score[s] = 0
                    condition[s] = 0
                    known[s] = False
                    counts[3] += 1
    return counts


@njit(**JIT)
def disengaging(
    n: int,
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
    waitlist_since: NDArray[np.int16],
    bhc_wait_since: NDArray[np.int16],
    key: np.uint64,
    probs: NDArray[np.float64],
) -> NDArray[np.int64]:
    """Patients who disengage at the start of the month (twin of ``ArrayEngine.disengage``).

    Args:
        n: Slots in use.
        treatment, treatment_month, waitlist_since, bhc_wait_since: Population arrays.
        key: Key of the ``dropout`` stream this month.
        probs: Probabilities per month: early CoCM disengagement (treatment month 2), later
            CoCM dropout, CoCM waitlist dropout, abandonment of the BHC waitlist.

    Returns:
        Slots (ascending; a patient on two lists is drawn for each, with the same uniform).
    """
    # most patients are on no list: collect the others without branches, then visit them
    listed = np.empty(n, np.int64)
    m = 0
    for s in range(n):
        listed[m] = s
        m += (treatment[s] == TX_COCM) | (waitlist_since[s] >= 0) | (bhc_wait_since[s] >= 0)
    out = np.empty(3 * m, np.int64)
    k = 0
    for i in range(m):
        s = listed[i]
        cocm = treatment[s] == TX_COCM
        waits = waitlist_since[s] >= 0
        bhc_waits = bhc_wait_since[s] >= 0
        u = unit_uniform(key, s)
        if cocm:
            p = probs[0] if treatment_month[s] == 2 else probs[1]
            if u < p:
                out[k] = s
                k += 1
        if waits and u < probs[2]:
            out[k] = s
            k += 1
        if bhc_waits and u < probs[3]:
            out[k] = s
            k += 1
    return out[:k]
