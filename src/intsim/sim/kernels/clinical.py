"""Patient rules of the arrays engine over the panel: onset, visit requests, course, dropout.

Each kernel loops over the slots and applies a rule of :mod:`intsim.sim.kernels.rules` — the one
source the agents engine (:mod:`intsim.sim.patient`) calls too — to each slot. What a kernel adds
is only how it finds the slots: vectorised draws and branch-free pre-checks that skip slots on
which the rule provably changes nothing.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import BH_ACTIVE, BH_NONE, BH_SUB, JIT, TX_COCM
from intsim.sim.kernels.rng import draw_bits, draw_threshold, draw_thresholds, unit_uniform
from intsim.sim.kernels.rules import (
    NO_EVENT,
    RECOVERY,
    bh_onset,
    clinical_course,
    consents,
    disengagements,
    engages_with_bhc,
    episode_onset,
    gains_chronic_condition,
    improvement_cell,
    leaves_after_cm_departure,
    misses_bhc_visit,
    observed_score,
    partial_response_possible,
    wants_visit,
)
from intsim.sim.kernels.scan import flagged_slots, padded_flags
from intsim.sim.kernels.state import EpisodeState, Fields, TreatmentState

#: Yes/no rules of :func:`choices`.
CONSENT, BHC_ENGAGE, BHC_NO_SHOW, CM_DEPARTURE_LEAVE = 0, 1, 2, 3


@njit(**JIT)
def onset(
    n: int,
    in_panel: NDArray[np.bool_],
    ep: Fields,
    treatment: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    keys: NDArray[np.uint64],
    probs: NDArray[np.float64],
    shares: NDArray[np.float64],
) -> None:
    """New episodes, subthreshold course and chronic onset of one month (in place).

    Applies :func:`~intsim.sim.kernels.rules.gains_chronic_condition` and
    :func:`~intsim.sim.kernels.rules.bh_onset` to the panel (``ArrayEngine.onset``).

    The common case (nothing happens) is decided without branches: on random data a branch
    mispredicts often, and loops over contiguous slots vectorise, so kernels scan slots
    ``0 .. n-1`` with ``in_panel`` as a mask rather than a list of panel slots.

    Args:
        n: Slots in use.
        in_panel: Whether each slot is in the panel.
        ep: Episode state (``Population.episode_state``; updated in place).
        treatment: Current treatment of each slot.
        chronic: Whether each slot has a chronic condition (updated in place).
        keys: Stream keys of the month: ``incidence``, ``chronic_onset``, ``sub_resolve``,
            ``onset_condition``, ``onset_chronic_episode``, ``onset_severity``.
        probs: Probabilities per month (:func:`intsim.sim.engine_arrays.onset_probs`):
            threshold-episode incidence, subthreshold-distress incidence, chronic-condition
            incidence, resolution of subthreshold distress not in PCBH and in PCBH, progression
            of subthreshold distress.
        shares: ``anxiety_share, chronic_episode_share, severe_share,
            moderately_severe_share``.
    """
    ep = EpisodeState(*ep)  # rebuilt from its fields (see Fields)
    incidence_prob, sub_incidence_prob, chronic_onset_prob = probs[0], probs[1], probs[2]
    sub_progress_prob = probs[5]
    bh, score = ep.bh, ep.score
    k_incidence, k_chronic_onset = keys[0], keys[1]
    key_tuple = (keys[0], keys[1], keys[2], keys[3], keys[4], keys[5])
    share_tuple = (shares[0], shares[1], shares[2], shares[3])
    resolve = (probs[3], probs[4])
    # the loop-wide comparisons run on the draws' bits (exact: rng.draw_threshold)
    chronic_limit = draw_threshold(chronic_onset_prob)
    incidence_limit = draw_threshold(incidence_prob + sub_incidence_prob)
    # pre-check: bh_onset changes nothing without subthreshold distress or an incidence draw
    # below the incidence limits; flag the others in a loop that vectorises, then visit them
    flagged = padded_flags(n)
    for s in range(n):
        chronic[s] |= in_panel[s] & gains_chronic_condition(
            draw_bits(k_chronic_onset, s), chronic_limit
        )
        state = bh[s]
        flagged[s] = (state == BH_SUB) | (
            in_panel[s] & (state == BH_NONE) & (draw_bits(k_incidence, s) < incidence_limit)
        )
    for s in flagged_slots(flagged):
        new_bh, new_score, start = bh_onset(
            s, unit_uniform(k_incidence, s), bh[s], treatment[s], score[s], key_tuple,
            incidence_prob, sub_incidence_prob, resolve, sub_progress_prob,
        )  # fmt: skip
        if start:
            (
                bh[s],
                score[s],
                ep.baseline_score[s],
                ep.condition[s],
                ep.chronic_episode[s],
                ep.episode_month[s],
                ep.known[s],
            ) = episode_onset(s, key_tuple, share_tuple)
        else:
            bh[s] = new_bh
            score[s] = new_score


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

    Applies :func:`~intsim.sim.kernels.rules.wants_visit` to every panel member.

    Args:
        n: Slots in use.
        in_panel, chronic, bh: Population arrays.
        key: Key of the ``visit`` stream this month.
        visit_prob: Visit probability per month by state (flattened [chronic, in episode]).
    """
    limits = draw_thresholds(visit_prob)  # compared with the draws' bits (rng.draw_threshold)
    by_state = (limits[0], limits[1], limits[2], limits[3])  # values: the loop vectorises
    seeks = padded_flags(n)
    for s in range(n):
        seeks[s] = in_panel[s] & wants_visit(draw_bits(key, s), chronic[s], bh[s], by_state)
    return flagged_slots(seeks)


@njit(**JIT)
def clinical_step(
    n: int,
    ep: Fields,
    tx: Fields,
    improve: NDArray[np.float64],
    improve_shape: tuple[int, int],
    keys: NDArray[np.uint64],
    probs: NDArray[np.float64],
    review_month: int,
    sustained_months: int,
) -> tuple[int, int, int, int, int]:
    """Improvement, remission, relapse and recovery of one month (in place).

    Applies :func:`~intsim.sim.kernels.rules.clinical_course` to every slot with an episode
    (``ArrayEngine.clinical_step``).

    Args:
        n: Slots in use (departed patients have no episode).
        ep: Episode state (``Population.episode_state``; updated in place).
        tx: Treatment state (``Population.treatment_state``; read only).
        improve: Improvement probabilities of the month, flat
            (:func:`~intsim.sim.kernels.rules.improvement_table`).
        improve_shape: Number of treatment variants of the improvement tables and length of
            the episode-month axis of the acute improvement table.
        keys: Stream keys of the month: ``improve``, ``improve_depth``, ``recover``,
            ``relapse``, ``partial_response``, ``partial_depth``.
        probs: ``recover, residual_relapse, relapse, residual_low, residual_high, partial,
            partial_low, partial_high`` (probabilities per month; score share bounds).
        review_month: Treatment month from which a CoCM patient should have had a review.
        sustained_months: Months of remission after which the episode is over.

    Returns:
        Counts: improvements, remissions, relapses, recoveries, partial responses (a tuple of
        ints: a returned array would cost a boxing of about a microsecond a call).
    """
    ep = EpisodeState(*ep)  # rebuilt from its fields (see Fields)
    tx = TreatmentState(*tx)  # rebuilt from its fields (see Fields)
    n_variants, max_episode_month = improve_shape
    counts = np.zeros(6, np.int64)  # by event: none, then the five returned
    key_tuple = (keys[0], keys[1], keys[2], keys[3], keys[4], keys[5])
    prob_tuple = (probs[0], probs[1], probs[2], probs[3], probs[4], probs[5], probs[6], probs[7])
    # most patients have no episode (clinical_course changes nothing then). The others are
    # visited in two groups, active episodes then improved or remitted ones: within a group the
    # rule's branches go the same way for nearly every patient (one mixed loop mispredicted them
    # about half the time). A patient's course reads and writes its own slot only, so the order
    # of the patients does not change the outcome.
    order, n_active = episode_order(n, ep.bh)
    for i in range(len(order)):
        s = order[i]
        p_improve = 0.0  # improved or remitted: no improvement probability, no partial response
        treated = False
        if i < n_active:
            treated = partial_response_possible(tx.treatment[s], tx.pcp_cotreat[s])
            p_improve = improve[
                improvement_cell(
                    tx.treatment[s], tx.treatment_month[s], tx.followup_ok[s], tx.reviewed[s],
                    tx.pcp_cotreat[s], review_month, ep.condition[s], ep.chronic_episode[s],
                    ep.episode_month[s], n_variants, max_episode_month,
                )
            ]  # fmt: skip
        event, bh, score, condition, months, remission, known = clinical_course(
            s, ep.bh[s], ep.score[s], ep.baseline_score[s], ep.condition[s],
            ep.episode_month[s], ep.remission_months[s], ep.known[s], p_improve, treated,
            key_tuple, prob_tuple, sustained_months,
        )  # fmt: skip
        # without an event only the clocks move; condition and known change only at
        # recovery (pure performance checks: writing back unchanged values would give the
        # same state)
        ep.episode_month[s] = months
        ep.remission_months[s] = remission
        if event != NO_EVENT:
            ep.bh[s] = bh
            ep.score[s] = score
            if event == RECOVERY:
                ep.condition[s] = condition
                ep.known[s] = known
            counts[event] += 1
    return counts[1], counts[2], counts[3], counts[4], counts[5]


@njit(**JIT)
def episode_order(n: int, bh: NDArray[np.int8]) -> tuple[NDArray[np.int64], int]:
    """Slots ``0 .. n-1`` with an episode: the active ones, then those improved or remitted.

    Returns the slots (ascending within each group) and the number of active ones. One
    branch-free pass: every slot is stored at the end of both groups' lists, which grow only by
    the slots that belong to them.
    """
    order = np.empty(n, np.int64)
    later = np.empty(n, np.int64)
    n_active = n_later = 0
    for s in range(n):
        state = bh[s]
        order[n_active] = s
        n_active += state == BH_ACTIVE
        later[n_later] = s
        n_later += state > BH_ACTIVE
    order[n_active : n_active + n_later] = later[:n_later]
    return order[: n_active + n_later], n_active


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
    """Patients who disengage at the start of the month (``ArrayEngine.disengage``).

    Applies :func:`~intsim.sim.kernels.rules.disengagements` to every slot on a list.

    Args:
        n: Slots in use.
        treatment, treatment_month, waitlist_since, bhc_wait_since: Population arrays.
        key: Key of the ``dropout`` stream this month.
        probs: Probabilities per month: early CoCM disengagement (treatment month 2), later
            CoCM dropout, CoCM waitlist dropout, abandonment of the BHC waitlist.

    Returns:
        Slots (ascending; a patient on two lists is drawn for each, with the same uniform).
    """
    # most patients are on no list: flag the others without branches, then visit them
    on_list = padded_flags(n)
    for s in range(n):
        on_list[s] = (treatment[s] == TX_COCM) | (waitlist_since[s] >= 0) | (bhc_wait_since[s] >= 0)
    listed = flagged_slots(on_list)
    out = np.empty(3 * len(listed), np.int64)
    k = 0
    prob_tuple = (probs[0], probs[1], probs[2], probs[3])
    for s in listed:
        times = disengagements(
            key, s, treatment[s], treatment_month[s], waitlist_since[s], bhc_wait_since[s],
            prob_tuple,
        )  # fmt: skip
        for _ in range(times):
            out[k] = s
            k += 1
    return out[:k]


@njit(**JIT)
def choices(key: np.uint64, slots: NDArray[np.int64], rule: int, p: float) -> NDArray[np.bool_]:
    """One yes/no patient rule of :mod:`~intsim.sim.kernels.rules` applied to each of ``slots``.

    Args:
        key: Key of the rule's stream this month (its uniform of each slot is drawn here).
        slots: Patients the rule applies to.
        rule: :data:`CONSENT`, :data:`BHC_ENGAGE`, :data:`BHC_NO_SHOW` or
            :data:`CM_DEPARTURE_LEAVE` (:func:`~intsim.sim.kernels.rules.consents`,
            :func:`~intsim.sim.kernels.rules.engages_with_bhc`,
            :func:`~intsim.sim.kernels.rules.misses_bhc_visit`,
            :func:`~intsim.sim.kernels.rules.leaves_after_cm_departure`).
        p: The rule's probability.

    Returns:
        The rule's answer for each slot, in the order of ``slots``.
    """
    out = np.empty(len(slots), np.bool_)
    for i in range(len(slots)):
        u = unit_uniform(key, slots[i])
        if rule == CONSENT:
            out[i] = consents(u, p)
        elif rule == BHC_ENGAGE:
            out[i] = engages_with_bhc(u, p)
        elif rule == BHC_NO_SHOW:
            out[i] = misses_bhc_visit(u, p)
        else:
            out[i] = leaves_after_cm_departure(u, p)
    return out


@njit(**JIT)
def observed_scores(
    key: np.uint64,
    slots: NDArray[np.int64],
    score: NDArray[np.int8],
    score_noise: NDArray[np.int64],
    max_score: int,
) -> NDArray[np.int64]:
    """:func:`~intsim.sim.kernels.rules.observed_score` of each of ``slots``.

    Args:
        key: Key of the measuring stream this month.
        slots: Patients measured.
        score: True score of each slot.
        score_noise: Quantiles of the measurement error (points).
        max_score: Highest score of the instrument.
    """
    out = np.empty(len(slots), np.int64)
    for i in range(len(slots)):
        s = slots[i]
        out[i] = observed_score(score[s], unit_uniform(key, s), score_noise, max_score)
    return out
