"""The patient rules, each written once, shared by both patient engines (issue 12 item 3).

Every function here applies one rule of the patient submodels (ODD) to **one** patient: it is
given the patient's state (values, or the population arrays and the patient's slot ``s``), the
month's uniforms (or a stream key, drawn with :func:`~intsim.sim.kernels.rng.unit_uniform` for slot
``s``) and the parameters, and returns the decision or writes the new state at ``s``.

* the ``arrays`` engine's kernels (:mod:`intsim.sim.kernels.clinical`,
  :mod:`intsim.sim.kernels.costs`)
  call them inside their slot loops; a kernel may skip slots by a pure performance pre-check
  (slots on which the rule provably does nothing) and draw its uniforms in a vectorised pass;
* the ``agents`` engine (:class:`intsim.sim.patient.PatientAgent`) calls the same functions for its
  own slot.

So a rule has one source, the engines cannot drift apart, and the random-number discipline is
the rule's: the same (stream, month, slot) uniforms, compared with the same probabilities, in
the same order. ``tests/test_shared_rules.py`` checks that both engines reference these
functions and unit-tests each one on hand-made cases.
"""

from __future__ import annotations

from typing import Final

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
from intsim.sim.kernels.rng import unit_uniform

#: Options of the rules: those of every kernel (:data:`~intsim.sim.kernels.codes.JIT`), and inlined
#: into the kernels at numba IR level, so a kernel's loop compiles as if the rule were written in
#: it (a call to a separately compiled function passing arrays costs reference counting and
#: blocks vectorisation: twenty times slower on the clinical course).
RULE: Final = {**JIT, "inline": "always"}

#: Events returned by :func:`clinical_course` (index into the month's clinical counts).
NO_EVENT, IMPROVEMENT, REMISSION, RELAPSE, RECOVERY, PARTIAL_RESPONSE = 0, 1, 2, 3, 4, 5

# ---------------------------------------------------------------------------------- scores


@njit(**RULE)
def threshold_score_of(u: float, severe_share: float, modsevere_share: float) -> int:
    """Onset score of a threshold episode: severe 20-27, moderately severe 15-19, else 10-14.

    Pure arithmetic (no transcendental functions) on the ``onset_severity`` uniform ``u``.
    """
    if u < severe_share:
        return 20 + min(max(int(u / severe_share * 8), 0), 7)
    if u < severe_share + modsevere_share:
        return 15 + min(max(int((u - severe_share) / modsevere_share * 5), 0), 4)
    mild_share = 1.0 - severe_share - modsevere_share
    return 10 + min(
        max(int((u - severe_share - modsevere_share) / max(mild_share, 1e-300) * 5), 0), 4
    )


@njit(**RULE)
def subthreshold_score_of(u: float) -> int:
    """Subthreshold score 5-9 of the ``onset_severity`` uniform ``u``."""
    return 5 + min(max(int(u * 5), 0), 4)


@njit(**JIT)
def threshold_scores(
    u: NDArray[np.float64], severe_share: float, modsevere_share: float
) -> NDArray[np.int8]:
    """:func:`threshold_score_of` of each uniform (initialisation of the panel)."""
    out = np.empty(len(u), np.int8)
    for i in range(len(u)):
        out[i] = threshold_score_of(u[i], severe_share, modsevere_share)
    return out


@njit(**JIT)
def subthreshold_scores(u: NDArray[np.float64]) -> NDArray[np.int8]:
    """:func:`subthreshold_score_of` of each uniform (initialisation of the panel)."""
    out = np.empty(len(u), np.int8)
    for i in range(len(u)):
        out[i] = subthreshold_score_of(u[i])
    return out


# ---------------------------------------------------------------------------------- onset


@njit(**RULE)
def gains_chronic_condition(u: float, chronic_onset_prob: float) -> bool:
    """Whether a panel member gets a chronic physical condition (``chronic_onset`` uniform).

    A condition once gained is kept (the callers or it into the state). The kernels pass the
    draw's bits and the probability's :func:`~intsim.sim.kernels.rng.draw_threshold` instead of
    the uniform and the probability: the comparison gives the same answer.
    """
    return u < chronic_onset_prob


@njit(**RULE)
def bh_onset(
    s: int,
    u_incidence: float,
    bh: int,
    treatment: int,
    score: int,
    keys: tuple[np.uint64, np.uint64, np.uint64, np.uint64, np.uint64, np.uint64],
    incidence_prob: float,
    sub_incidence_prob: float,
    sub_resolve_prob: tuple[float, float],
    sub_progress_prob: float,
) -> tuple[int, int, bool]:
    """New episode, subthreshold onset or subthreshold course of a panel member.

    Without a BH condition, ``u_incidence`` (the ``incidence`` uniform) below the incidence
    probability starts a threshold episode, in the next interval of the subthreshold incidence
    subthreshold distress (score from ``onset_severity``). Subthreshold distress resolves
    (``sub_resolve`` uniform below the resolution probability, higher in a PCBH episode) or, in
    the next interval, progresses to a threshold episode. Other states do not change. Scalars in
    and out: a rule passed arrays would cost the kernels reference counting on every slot.

    Args:
        s: The patient's slot (its uniforms are drawn for it).
        u_incidence: The patient's ``incidence`` uniform this month.
        bh, treatment, score: The patient's state.
        keys: Stream keys of the month: ``incidence``, ``chronic_onset``, ``sub_resolve``,
            ``onset_condition``, ``onset_chronic_episode``, ``onset_severity``.
        incidence_prob: Threshold-episode incidence, probability per month.
        sub_incidence_prob: Subthreshold-distress incidence, probability per month.
        sub_resolve_prob: Resolution probability per month of subthreshold distress, by
            (not in PCBH, in PCBH).
        sub_progress_prob: Progression probability per month of subthreshold distress.

    Returns:
        ``(bh, score, start)``: the new state, and whether a threshold episode starts (then the
        caller applies :func:`episode_onset`, which sets the state).
    """
    start = False
    if bh == BH_NONE:
        if u_incidence < incidence_prob:
            start = True
        elif u_incidence < incidence_prob + sub_incidence_prob:
            bh = BH_SUB
            score = subthreshold_score_of(unit_uniform(keys[5], s))
    elif bh == BH_SUB:
        u = unit_uniform(keys[2], s)
        p = sub_resolve_prob[1] if treatment == TX_PCBH else sub_resolve_prob[0]
        if u < p:
            bh = BH_NONE
            score = 0
        elif u < p + sub_progress_prob:
            start = True
    return bh, score, start


@njit(**RULE)
def episode_onset(
    s: int,
    keys: tuple[np.uint64, np.uint64, np.uint64, np.uint64, np.uint64, np.uint64],
    shares: tuple[float, float, float, float],
) -> tuple[int, int, int, int, bool, int, bool]:
    """State of a patient whose threshold episode starts (:func:`bh_onset` says when).

    The episode starts active, unknown to the practice, in episode month 0, with its condition
    (``onset_condition``), chronicity (``onset_chronic_episode``) and onset score
    (``onset_severity``, :func:`threshold_score_of`, kept as the baseline score) drawn.

    Args:
        s: The patient's slot.
        keys: As :func:`bh_onset`.
        shares: ``anxiety_share, chronic_episode_share, severe_share,
            moderately_severe_share``.

    Returns:
        The new ``(bh, score, baseline_score, condition, chronic_episode, episode_month,
        known)``.
    """
    condition = ANXIETY if unit_uniform(keys[3], s) < shares[0] else DEPRESSION
    chronic_episode = unit_uniform(keys[4], s) < shares[1]
    score = threshold_score_of(unit_uniform(keys[5], s), shares[2], shares[3])
    return BH_ACTIVE, score, score, condition, chronic_episode, 0, False


# ---------------------------------------------------------------------------------- visits


@njit(**RULE)
def wants_visit(u: float, chronic: bool, bh: int, visit_prob: NDArray[np.float64]) -> bool:
    """Whether a panel member seeks a PCP visit (``visit`` uniform below its state's probability).

    The state is chronic condition or not, and in an episode (active or improved) or not. The
    kernels pass the draw's bits and, as a 4-tuple, the probabilities'
    :func:`~intsim.sim.kernels.rng.draw_thresholds` instead: the comparison gives the same
    answer. The probability is chosen by selects, not by indexing, so that a loop applying the
    rule to every slot vectorises.

    Args:
        visit_prob: Visit probability per month, flattened [chronic, in episode] (4 entries).
    """
    in_episode = (bh == BH_ACTIVE) | (bh == BH_IMPROVED)
    if_chronic = visit_prob[3] if in_episode else visit_prob[2]
    if_not_chronic = visit_prob[1] if in_episode else visit_prob[0]
    return u < (if_chronic if chronic else if_not_chronic)


# ---------------------------------------------------------------------------------- course


@njit(**RULE)
def treatment_variant(
    treatment: int,
    treatment_month: int,
    followup_ok: bool,
    reviewed: bool,
    pcp_cotreat: bool,
    review_month: int,
) -> int:
    """Improvement-hazard variant of a patient (:class:`intsim.sim.clinical.Variant` codes).

    CoCM loses fidelity without the 4-week follow-up (from treatment month 2) and without a
    psychiatric case review (after ``review_month``).
    """
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


@njit(**RULE)
def partial_response_possible(treatment: int, pcp_cotreat: bool) -> bool:
    """Whether a patient's treatment can bring a partial response (:func:`clinical_course`).

    The evidence is that of antidepressant courses (docs/evidence.md B4), so: PCP treatment,
    specialty care, CoCM (medication managed with the consultant) and PCBH with PCP
    co-treatment. PCBH alone — a few brief BHC visits — is not: its evidence (B5) shows little
    symptom change, and the model's PCBH effect is deliberately sceptical.
    """
    if treatment == TX_PCBH:
        return pcp_cotreat
    return treatment in (TX_PCP, TX_SPECIALTY, TX_COCM)


@njit(**RULE)
def improvement_cell(
    treatment: int,
    treatment_month: int,
    followup_ok: bool,
    reviewed: bool,
    pcp_cotreat: bool,
    review_month: int,
    condition: int,
    chronic_episode: bool,
    episode_month: int,
    n_variants: int,
    max_episode_month: int,
) -> int:
    """Cell of a patient's improvement probability in the month's flat table.

    The table (:func:`improvement_table`) holds the probabilities of acute episodes by
    [anxiety, variant, episode month] and then those of chronic episodes by [anxiety, variant];
    the variant is :func:`treatment_variant`, the episode month is capped at the last column.
    """
    v = treatment_variant(
        treatment, treatment_month, followup_ok, reviewed, pcp_cotreat, review_month
    )
    anxiety = 1 if condition == ANXIETY else 0
    if chronic_episode:
        return 2 * n_variants * max_episode_month + anxiety * n_variants + v
    return (anxiety * n_variants + v) * max_episode_month + min(
        episode_month, max_episode_month - 1
    )


def improvement_table(
    improve_acute: NDArray[np.float64], improve_chronic: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The month's improvement probabilities as one flat table (see :func:`improvement_cell`)."""
    return np.concatenate((improve_acute.ravel(), improve_chronic.ravel()))


@njit(**RULE)
def partial_response_score(score: int, u: float, low: float, high: float) -> int:
    """Score after a partial response: the share ``low + (high - low) * u`` of ``score``.

    A partial response is a 25-50% reduction of the score without a response (docs/evidence.md
    B4), so the shares are 0.5-0.75 by default (``clinical.partial_response_residual_*``).
    The new score is rounded to the nearest point (truncating would add up to a point to every
    reduction: a 25% fall from 13 would read 9, below the threshold of 10, instead of 10).
    """
    return np.int8(np.floor(score * (low + (high - low) * u) + 0.5))


@njit(**JIT)
def partial_response_scores(
    scores: NDArray[np.int8], u: NDArray[np.float64], low: float, high: float
) -> NDArray[np.int8]:
    """:func:`partial_response_score` of each score and uniform (initialisation of the panel)."""
    out = np.empty(len(scores), np.int8)
    for i in range(len(scores)):
        out[i] = partial_response_score(scores[i], float(u[i]), low, high)
    return out


@njit(**RULE)
def clinical_course(
    s: int,
    bh: int,
    score: int,
    baseline_score: int,
    condition: int,
    episode_month: int,
    remission_months: int,
    known: bool,
    p_improve: float,
    treated: bool,
    keys: tuple[np.uint64, np.uint64, np.uint64, np.uint64, np.uint64, np.uint64],
    probs: tuple[float, float, float, float, float, float, float, float],
    sustained_months: int,
) -> tuple[int, int, int, int, int, int, bool]:
    """Improvement, remission, relapse or recovery of one patient's episode.

    An active episode improves (``improve`` uniform below ``p_improve``, the probability of its
    :func:`improvement_cell`) to a residual share of its baseline score drawn from
    ``improve_depth``; else its
    episode month advances and, if it is in treatment and has not improved partially yet (its
    score is still the baseline score), it responds partially (``partial_response`` uniform below
    the partial-response probability): the score falls to a share drawn from ``partial_depth``
    (:func:`partial_response_score`), the state stays active. An improved episode remits
    (``recover`` uniform below the recovery probability) or, in the next interval, relapses. A
    remitted one relapses (``relapse``) or counts one more month in remission and is over after
    ``sustained_months``. Other states do not change. Scalars in and out: a rule passed arrays
    would cost the kernels reference counting on every slot.

    Args:
        s: The patient's slot (its uniforms are drawn for it).
        bh, score, baseline_score, condition, episode_month, remission_months, known: The
            patient's state.
        p_improve: Improvement probability of an active episode this month.
        treated: Whether the patient's treatment can bring a partial response
            (:func:`partial_response_possible`).
        keys: Stream keys of the month: ``improve``, ``improve_depth``, ``recover``,
            ``relapse``, ``partial_response``, ``partial_depth``.
        probs: ``recover, residual_relapse, relapse, residual_low, residual_high, partial,
            partial_low, partial_high`` (probabilities per month; score share bounds).
        sustained_months: Months of remission after which the episode is over.

    Returns:
        ``(event, bh, score, condition, episode_month, remission_months, known)``: the event
        (:data:`NO_EVENT`, :data:`IMPROVEMENT`, :data:`REMISSION`, :data:`RELAPSE`,
        :data:`RECOVERY` or :data:`PARTIAL_RESPONSE`) and the new state.
    """
    recover_p, residual_relapse_p, relapse_p, low, high, partial_p, partial_low, partial_high = (
        probs
    )
    event = NO_EVENT
    if bh == BH_ACTIVE:
        if unit_uniform(keys[0], s) < p_improve:
            bh = BH_IMPROVED
            # a response keeps a share of the baseline score, partial response or not
            score = np.int8(baseline_score * (low + (high - low) * unit_uniform(keys[1], s)))
            event = IMPROVEMENT
        else:
            episode_month += 1
            if treated and score == baseline_score and unit_uniform(keys[4], s) < partial_p:
                score = partial_response_score(
                    score, unit_uniform(keys[5], s), partial_low, partial_high
                )
                event = PARTIAL_RESPONSE
    elif bh == BH_IMPROVED:
        u = unit_uniform(keys[2], s)
        if u < recover_p:
            bh = BH_REMITTED
            score = min(score, 4)
            remission_months = 0
            event = REMISSION
        elif u < recover_p + residual_relapse_p:
            bh = BH_ACTIVE
            score = baseline_score
            episode_month = 0
            event = RELAPSE
    elif bh == BH_REMITTED:
        if unit_uniform(keys[3], s) < relapse_p:
            bh = BH_ACTIVE
            score = baseline_score
            episode_month = 0
            event = RELAPSE
        else:
            remission_months += 1
            if remission_months >= sustained_months:
                bh = BH_NONE
                score = 0
                condition = 0
                known = False
                event = RECOVERY
    return event, bh, score, condition, episode_month, remission_months, known


# ---------------------------------------------------------------------------------- dropout


@njit(**RULE)
def disengagements(
    key: np.uint64,
    s: int,
    treatment: int,
    treatment_month: int,
    waitlist_since: int,
    bhc_wait_since: int,
    probs: tuple[float, float, float, float],
) -> int:
    """How many of its lists a patient leaves this month (0 when on none; branch-free).

    One ``dropout`` uniform (``key``, slot ``s``) is compared with the probability of each list
    the patient is on: enrolled in CoCM (early disengagement in treatment month 2, later the
    monthly dropout), waiting for CoCM, waiting for a BHC visit.

    Args:
        key: Key of the ``dropout`` stream this month.
        s: The patient's slot.
        treatment, treatment_month, waitlist_since, bhc_wait_since: The patient's state.
        probs: Probabilities per month: early CoCM disengagement, later CoCM dropout, CoCM
            waitlist dropout, abandonment of the BHC waitlist.
    """
    early, later, waitlist, bhc_waitlist = probs
    u = unit_uniform(key, s)
    p_cocm = early if treatment_month == 2 else later
    return (
        np.int64((treatment == TX_COCM) & (u < p_cocm))
        + np.int64((waitlist_since >= 0) & (u < waitlist))
        + np.int64((bhc_wait_since >= 0) & (u < bhc_waitlist))
    )


# ---------------------------------------------------------------------------------- acute care


@njit(**RULE)
def risk_class(bh: int, condition: int, chronic: bool, age65: bool) -> np.int32:
    """Risk class of a patient: BH state x condition x chronic x 65+ (narrow integer arithmetic).

    The index of :func:`intsim.sim.risk.class_multipliers` (3 conditions, 2 x 2 flags).
    """
    return ((np.int32(bh) * 3 + np.int32(condition)) * 2 + np.int32(chronic)) * 2 + np.int32(age65)


@njit(**RULE)
def acute_probabilities(admit_rate: float, ed_rate: float, frailty: float) -> tuple[float, float]:
    """Admission and ED-visit probabilities of a month.

    The probability of an event is its expected number in the month (rate x frailty), so the
    panel keeps the published counts whatever the frailty spread; the rare person whose rate
    exceeds one event a month is capped (admission first, an ED visit in what is left).
    """
    pa = min(admit_rate * frailty, 1.0)
    pe = min(ed_rate * frailty, 1.0 - pa)
    return pa, pe


@njit(**RULE)
def acute_event(u: float, admit_rate: float, ed_rate: float, frailty: float) -> tuple[bool, bool]:
    """Admission and ED visit of a month: one ``acute`` uniform decides both (branch-free).

    Below the admission probability an admission, in the next interval of the ED-visit
    probability an ED visit (:func:`acute_probabilities`).
    """
    pa, pe = acute_probabilities(admit_rate, ed_rate, frailty)
    return u < pa, (u >= pa) & (u < pa + pe)


# ---------------------------------------------------------------------------------- choices


@njit(**RULE)
def consents(u: float, consent_probability: float) -> bool:
    """Whether a patient offered CoCM consents (``consent`` uniform below the probability)."""
    return u < consent_probability


@njit(**RULE)
def engages_with_bhc(u: float, handoff_acceptance: float) -> bool:
    """Whether a patient offered a BHC contact engages (``bhc_engage`` uniform below it)."""
    return u < handoff_acceptance


@njit(**RULE)
def misses_bhc_visit(u: float, scheduled_no_show: float) -> bool:
    """Whether a patient misses a scheduled BHC visit (``bhc_no_show`` uniform below it)."""
    return u < scheduled_no_show


@njit(**RULE)
def leaves_after_cm_departure(u: float, cm_departure_disengagement: float) -> bool:
    """Whether a patient whose care manager left, with no one taking over, disengages.

    ``cm_departure`` uniform below the disengagement probability.
    """
    return u < cm_departure_disengagement


# ---------------------------------------------------------------------------------- measurement


@njit(**RULE)
def observed_score(score: int, u: float, score_noise: NDArray[np.int64], max_score: int) -> int:
    """Observed PHQ-9/GAD-7 score: the true score plus measurement noise, within 0..max_score.

    The noise is the quantile of ``score_noise`` (equally spaced quantiles of the measurement
    error, points) picked by the uniform ``u`` of the measuring stream.
    """
    noise = score_noise[np.int64(u * len(score_noise))]
    return min(max(np.int64(score) + noise, 0), max_score)
