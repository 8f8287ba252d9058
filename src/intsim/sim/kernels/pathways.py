"""Care pathways both engines share: identification, ending treatment, PCBH and CoCM work.

Who is identified and offered care, who ends treatment, PCBH episodes and BHC follow-up, and
care-manager time and caseloads (CoCM).

Called by :mod:`intsim.sim.care` and :mod:`intsim.sim.population`.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import (
    BH_ACTIVE,
    BH_IMPROVED,
    BH_NONE,
    BH_REMITTED,
    JIT,
    KIND_HEALTH_BEHAVIOR,
    KIND_MENTAL_HEALTH,
    KIND_UNBILLABLE,
    TX_COCM,
    TX_NONE,
    TX_PCBH,
    TX_PCP,
    TX_SPECIALTY,
)
from intsim.sim.kernels.queues import assign_to_most_room, head_in_order
from intsim.sim.kernels.rng import unit_uniform
from intsim.sim.kernels.scan import slots_in_treatment, slots_treated, slots_waiting
from intsim.sim.kernels.state import (
    BhcRecord,
    CareManagerRecord,
    CareManagerStaff,
    CareManagerWork,
    EnrolmentRecord,
    EnrolmentRule,
    EpisodeState,
    Fields,
    TreatmentState,
)

#: Care-manager work phases, in the order of clinical priority when minutes are short.
CM_INTAKE, CM_ACTIVE, CM_OUTREACH, CM_MAINTENANCE = 0, 1, 2, 3
N_CM_PHASES = 4


@njit(**JIT)
def classify_visitors(
    visitors: NDArray[np.int64],
    screened_mask: NDArray[np.bool_],
    scores: NDArray[np.int64],
    detect_key: np.uint64,
    detection: tuple[float, int],
    ep: Fields,
    chronic: NDArray[np.bool_],
    tx: Fields,
    screen_score: NDArray[np.int8],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], tuple[int, int, int, int]]:
    """Identify needs among the month's PCP visitors (kernel of ``care.base.detect_at_visits``).

    Screened visitors are identified by their observed score (threshold: ``>= positive_score``,
    subthreshold: 5 to ``positive_score - 1``); unscreened visitors with a threshold episode are
    recognised by the PCP with probability ``pcp_sensitivity`` (``detect`` stream). Identified
    patients become known to the practice and the screening score is kept.

    Args:
        visitors: Patients seen this month (ascending slots).
        screened_mask: Whether each visitor was screened.
        scores: Observed scores of the screened visitors, in visitor order.
        detect_key: Key of the ``detect`` stream this month.
        detection: Unassisted recognition probability of a threshold episode
            (``pcp_sensitivity``) and the lowest positive (threshold) score.
        ep: Episode state (BH state read; ``known`` updated).
        chronic: Whether each slot has a chronic condition (alone, not the person group: each
            array passed costs about 0.1 us to unbox).
        tx: Treatment state (treatment and waitlists read).
        screen_score: Last observed screening score (updated for the screened).

    Returns:
        Untreated identified threshold patients, untreated subthreshold patients, untreated
        chronic patients with no BH need (ascending slots each), and the counts
        ``(screened, positive screens, newly detected, eligible)`` as a tuple of ints (an
        array of them cost about 0.85 us to box).
    """
    ep = EpisodeState(*ep)  # rebuilt from its fields (see Fields)
    tx = TreatmentState(*tx)  # rebuilt from its fields (see Fields)
    pcp_sensitivity, positive_score = detection
    bh, known = ep.bh, ep.known
    treatment, waitlist_since, bhc_wait_since = tx.treatment, tx.waitlist_since, tx.bhc_wait_since
    n = len(visitors)
    threshold = np.empty(n, np.int64)
    sub = np.empty(n, np.int64)
    health_behavior = np.empty(n, np.int64)
    n_thr = n_sub = n_hb = 0
    n_screened = n_positive = n_detected = 0
    j = 0
    # flags are combined arithmetically: on random data branches mispredict
    for i in range(n):
        s = visitors[i]
        screened = screened_mask[i]
        score = scores[min(j, len(scores) - 1)] if len(scores) else 0
        j += screened
        state = bh[s]
        positive = screened & (score >= positive_score)
        is_sub = screened & (score >= 5) & (score < positive_score)
        recognised = False
        if (not screened) and state == BH_ACTIVE:  # rare: draw only when needed
            recognised = unit_uniform(detect_key, s) < pcp_sensitivity
        if screened:
            screen_score[s] = score
        identified = positive | recognised
        free = (treatment[s] == TX_NONE) & (waitlist_since[s] < 0) & (bhc_wait_since[s] < 0)
        n_screened += screened
        n_positive += positive
        n_detected += identified & (not known[s]) & (state == BH_ACTIVE)
        known[s] |= identified
        threshold[n_thr] = s
        n_thr += identified & free
        sub[n_sub] = s
        n_sub += (not identified) & is_sub & free
        health_behavior[n_hb] = s
        n_hb += (not identified) & chronic[s] & (state == BH_NONE) & free
    counts = (n_screened, n_positive, n_detected, n_thr)
    return threshold[:n_thr], sub[:n_sub], health_behavior[:n_hb], counts


@njit(**JIT)
def _end_treatment(s: int, tx: TreatmentState) -> None:
    """End one patient's treatment and clear its CoCM/PCBH bookkeeping, waitlists included."""
    tx.treatment[s] = TX_NONE
    tx.treatment_month[s] = 0
    tx.care_manager[s] = -1
    tx.waitlist_since[s] = -1
    tx.bhc_wait_since[s] = -1
    tx.followup_ok[s] = False
    tx.reviewed[s] = False
    tx.improved_months[s] = 0
    tx.bhc_visits_left[s] = 0
    tx.pcp_cotreat[s] = False


@njit(**JIT)
def end_treatments(slots: NDArray[np.int64], tx: Fields) -> None:
    """End the treatment of each of ``slots`` (:func:`_end_treatment`).

    Args:
        slots: Patients whose treatment ends.
        tx: Treatment state (``Population.treatment_state``; updated in place).
    """
    tx = TreatmentState(*tx)  # rebuilt from its fields (see Fields)
    for s in slots:
        _end_treatment(s, tx)


@njit(**JIT)
def leave_panel(
    slots: NDArray[np.int64],
    tx: Fields,
    ep: Fields,
    in_panel: NDArray[np.bool_],
    chronic: NDArray[np.bool_],
    leave_month: NDArray[np.int32],
    screen_score: NDArray[np.int8],
    program_start: NDArray[np.int16],
    never: int,
) -> None:
    """Patients leave the panel: their treatment ends and their state is cleared (in place).

    Kernel of :meth:`intsim.sim.population.Population.remove`: :func:`_end_treatment`, then
    out of the panel, leave month ``never``, no condition, no chronic condition, unknown to the
    practice, no screening score, no programme start.

    Args:
        slots: Departing patients.
        tx: Treatment state (``Population.treatment_state``; updated in place).
        ep: Episode state (``Population.episode_state``; updated in place).
        in_panel, chronic, leave_month, screen_score, program_start: Population arrays
            (updated in place).
        never: The leave month that never comes.
    """
    tx = TreatmentState(*tx)  # rebuilt from its fields (see Fields)
    ep = EpisodeState(*ep)  # rebuilt from its fields (see Fields)
    for s in slots:
        _end_treatment(s, tx)
        in_panel[s] = False
        leave_month[s] = never
        ep.bh[s] = BH_NONE
        ep.score[s] = 0
        ep.condition[s] = 0
        chronic[s] = False
        ep.known[s] = False
        screen_score[s] = -1
        program_start[s] = -1


@njit(**JIT)
def end_of_month_treatment(
    n: int,
    bh: NDArray[np.int8],
    tx: Fields,
    discharge_cocm: bool,
    end_pcbh: bool,
    discharge_after_response_months: int,
    max_cocm_months: int,
    usual_care_months: int,
) -> None:
    """Treatment bookkeeping at the end of the month, slot by slot (in place).

    In the order of the care models' ``end_month`` hooks: CoCM discharge after sustained
    improvement or at the maximum episode length (``discharge_cocm``); end of PCBH episodes with
    no visits left, PCP co-treatment continuing to its planned length (``end_pcbh``); end of
    usual-care courses that reached ``usual_care_months``; then one more month on the treatment
    clock of everyone still in treatment (:func:`intsim.sim.care.base.end_of_month_treatment`).
    Ending a treatment clears the patient's programme bookkeeping (as
    :meth:`intsim.sim.population.Population.end_treatment`), waitlists included.
    The treated slots are found first (:func:`intsim.sim.kernels.scan.slots_treated`, ascending);
    a slot's step changes only that slot, so the order and the result are those of a pass over
    every slot.

    Args:
        n: Slots in use.
        bh: BH state of each slot.
        tx: Treatment state (``Population.treatment_state``; updated in place).
        discharge_cocm: Whether CoCM discharges patients (a CoCM care model runs).
        end_pcbh: Whether PCBH episodes with no visits left end (a PCBH care model runs).
        discharge_after_response_months: Months improved or remitted before CoCM discharge.
        max_cocm_months: Maximum CoCM episode length (months).
        usual_care_months: Length of a usual-care course (months).
    """
    tx = TreatmentState(*tx)  # rebuilt from its fields (see Fields)
    treatment, treatment_month = tx.treatment, tx.treatment_month
    improved_months, visits_left, pcp_cotreat = (
        tx.improved_months,
        tx.bhc_visits_left,
        tx.pcp_cotreat,
    )
    for s in slots_treated(treatment, n):  # few slots are in treatment (a word scan)
        code = treatment[s]
        done = False
        if code == TX_COCM and discharge_cocm:
            if bh[s] in (BH_IMPROVED, BH_REMITTED):
                improved_months[s] += 1
            else:
                improved_months[s] = 0
            done = (
                improved_months[s] >= discharge_after_response_months
                or treatment_month[s] >= max_cocm_months
            )
        elif code == TX_PCBH and end_pcbh and visits_left[s] <= 0:
            if pcp_cotreat[s] and treatment_month[s] < usual_care_months:
                treatment[s] = TX_PCP
                pcp_cotreat[s] = False
            else:
                done = True
        if not done and treatment[s] in (TX_PCP, TX_SPECIALTY):
            done = treatment_month[s] >= usual_care_months
        if done:
            _end_treatment(s, tx)
        else:
            treatment_month[s] += 1


@njit(**JIT)
def record_bhc_visits(
    slots: NDArray[np.int64],
    bh: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    bhc_visit: NDArray[np.bool_],
    bhc_kind: NDArray[np.int8],
) -> None:
    """Record delivered BHC visits and what each addressed (for billing).

    A threshold episode (active or improved) is mental-health work; otherwise a chronic
    condition makes it health-behaviour work; anything else is not billable.
    """
    for s in slots:
        bhc_visit[s] = True
        if bh[s] == BH_ACTIVE or bh[s] == BH_IMPROVED:
            bhc_kind[s] = KIND_MENTAL_HEALTH
        elif chronic[s]:
            bhc_kind[s] = KIND_HEALTH_BEHAVIOR
        else:
            bhc_kind[s] = KIND_UNBILLABLE


@njit(**JIT)
def bhc_referrals(
    threshold: NDArray[np.int64],
    subthreshold: NDArray[np.int64],
    health_behavior: NDArray[np.int64],
    treatment: NDArray[np.int8],
    refer_key: np.uint64,
    referral_probs: tuple[float, float],
) -> NDArray[np.int64]:
    """Candidates for a BHC contact (ascending slots; ``pcbh.refer_to_bhc``).

    The threshold patients not referred to specialty care, then the subthreshold and the
    health-behaviour patients whose ``bhc_refer`` uniform (``refer_key``) is below their
    referral probability (``referral_probs``: subthreshold, health behaviour). A patient on both
    of the last two lists is a candidate twice, as the sorted concatenation it replaces had it.
    """
    out = np.empty(len(threshold) + len(subthreshold) + len(health_behavior), np.int64)
    k = 0
    for s in threshold:
        out[k] = s
        k += treatment[s] != TX_SPECIALTY
    sub_p, hb_p = referral_probs
    for s in subthreshold:
        out[k] = s
        k += unit_uniform(refer_key, s) < sub_p
    for s in health_behavior:
        out[k] = s
        k += unit_uniform(refer_key, s) < hb_p
    return np.sort(out[:k])


@njit(**JIT)
def triage_split(
    slots: NDArray[np.int64],
    score: NDArray[np.int8],
    severity_score: float,
    chronic: NDArray[np.bool_],
    chronic_episode: NDArray[np.bool_],
    chronic_to_cocm: bool,
    chronic_episode_to_cocm: bool,
) -> tuple[NDArray[np.int64], int]:
    """Split threshold patients by the hybrid triage rule (``hybrid.*``); no draws.

    A patient goes to CoCM when its ``score`` is at or above ``severity_score`` (PHQ-9/GAD-7
    points), or it has a chronic physical condition (with ``chronic_to_cocm``) or a chronic
    episode (with ``chronic_episode_to_cocm``).

    Returns:
        ``(ordered, k)``: the patients sent to CoCM (``ordered[:k]``) followed by the others
        (``ordered[k:]``), each part in the order of ``slots``. One array and a split point
        rather than two arrays: boxing an array for Python costs about 0.85 us.
    """
    n = len(slots)
    ordered = np.empty(n, np.int64)
    to_cocm = np.empty(n, np.bool_)
    k = 0
    for i in range(n):  # the rule inline: a helper taking arrays costs about 20 ns a call
        s = slots[i]
        to_cocm[i] = (
            score[s] >= severity_score
            or (chronic_to_cocm and chronic[s])
            or (chronic_episode_to_cocm and chronic_episode[s])
        )
        k += to_cocm[i]
    a = 0  # next place of a CoCM patient
    b = k  # next place of another patient
    for i in range(n):
        if to_cocm[i]:
            ordered[a] = slots[i]
            a += 1
        else:
            ordered[b] = slots[i]
            b += 1
    return ordered, k


@njit(**JIT)
def start_pcbh_episodes(
    slots: NDArray[np.int64],
    month: int,
    key: np.uint64,
    visits_cum: NDArray[np.float64],
    bh: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    tx: Fields,
    visits: Fields,
    program_start: NDArray[np.int16],
) -> None:
    """Start PCBH episodes with a first visit delivered this month (in place).

    The PCP stays the treating clinician of a patient it already treats (co-treatment). An
    episode plans ``1 + #{k: visits_cum[k] <= u}`` visits (``u`` from the
    ``bhc_episode_visits`` stream, ``key``), the first one today; episodes for a threshold
    condition start the clock of the quality measures (``program_start``). ``tx`` (treatment,
    its month, the BHC wait, visits left, PCP co-treatment), ``visits`` and ``program_start``
    are updated; ``bh`` (BH state) and ``chronic`` (chronic condition) are read, passed alone
    rather than in their groups of eight and five arrays (each array passed costs about 0.1 us
    to unbox).
    """
    tx = TreatmentState(*tx)  # rebuilt from its fields (see Fields)
    visits = BhcRecord(*visits)  # rebuilt from its fields (see Fields)
    treatment, treatment_month, pcp_cotreat = tx.treatment, tx.treatment_month, tx.pcp_cotreat
    bhc_wait_since, bhc_visits_left = tx.bhc_wait_since, tx.bhc_visits_left
    bhc_kind = visits.bhc_kind
    record_bhc_visits(slots, bh, chronic, visits.bhc_visit, bhc_kind)
    for s in slots:
        pcp_cotreat[s] = treatment[s] == TX_PCP
        treatment[s] = TX_PCBH
        treatment_month[s] = 1
        bhc_wait_since[s] = -1
        u = unit_uniform(key, s)
        planned = 1
        for c in visits_cum:
            planned += c <= u
        bhc_visits_left[s] = planned - 1
        if bhc_kind[s] == KIND_MENTAL_HEALTH:
            program_start[s] = month


@njit(**JIT)
def care_manager_phase(treatment_month: int, bh: int, reached: bool) -> int:
    """Work phase of a CoCM patient this month (:data:`CM_INTAKE` ... :data:`CM_MAINTENANCE`).

    Intake/assessment in the enrolment month; otherwise outreach when the patient could not be
    reached, maintenance/relapse prevention once improved or remitted, else active treatment.
    """
    if treatment_month <= 1:
        return CM_INTAKE
    if not reached:
        return CM_OUTREACH
    if bh in (BH_IMPROVED, BH_REMITTED):
        return CM_MAINTENANCE
    return CM_ACTIVE


@njit(**JIT)
def care_manager_time(
    enrolled: NDArray[np.int64],
    u_minutes: NDArray[np.float64],
    u_contact: NDArray[np.float64],
    work: Fields,
    capacity: NDArray[np.int64],
    bh: NDArray[np.int8],
    payer: NDArray[np.int8],
    tx: Fields,
    record: Fields,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int, int]:
    """Care managers spend their minutes on their caseloads by clinical priority (in place).

    Each enrolled patient is in one work phase this month (:func:`care_manager_phase`): after
    the enrolment month a patient is not reached with ``unreached_probability`` (``u_contact``)
    and then costs only failed outreach attempts. The patient needs ``rint(mean x ratio x
    multiplier)`` minutes (mean: ``phase_minutes[phase]``; ratio: ``payer_minutes_ratio`` of
    its payer; multiplier: a quantile of the between-patient minutes distribution picked by
    ``u_minutes``). Each care manager serves the phases in order
    (intake, active treatment, outreach, maintenance): a phase whose needs fit in the minutes
    left is served in full; the first phase that does not fit shares what is left in
    proportion to need (everyone gets ``floor(need x left / phase need)``: partial time, not
    all-or-nothing) and later phases get nothing this month. A patient in treatment month 2
    who was reached and got minutes had the 4-week follow-up; a patient reached with minutes
    after its enrolment month has had a follow-up contact (``followed_up``, kept for the
    episode).

    Args:
        enrolled: CoCM patients (ascending slots).
        u_minutes: Uniform of each patient picking its minutes multiplier.
        u_contact: Uniform of each patient deciding whether the care manager reaches it.
        work: The work model: minutes multiplier quantiles, mean minutes by phase, payer
            ratios, probability of not reaching a patient past intake.
        capacity: Minutes available to each care manager (by care-manager index).
        bh: BH state of each slot (read).
        payer: Payer of each slot (read). These two are passed alone, not in the episode and
            person groups (each array passed costs about 0.1 us to unbox).
        tx: Treatment state (treatment month and care manager read; ``followup_ok`` written).
        record: Written: minutes, intake flag and the episode's follow-up contact.

    Returns:
        Minutes needed and delivered by care manager, patients by phase, the number of 4-week
        follow-ups and the number of patients with their first follow-up contact this month.
    """
    work = CareManagerWork(*work)  # rebuilt from its fields (see Fields)
    tx = TreatmentState(*tx)  # rebuilt from its fields (see Fields)
    record = CareManagerRecord(*record)  # rebuilt from its fields (see Fields)
    minutes_multiplier, phase_minutes = work.minutes_multiplier, work.phase_minutes
    payer_minutes_ratio, unreached_probability = (
        work.payer_minutes_ratio,
        work.unreached_probability,
    )
    treatment_month, care_manager, followup_ok = tx.treatment_month, tx.care_manager, tx.followup_ok
    cm_minutes, cm_initial, followed_up = record.cm_minutes, record.cm_initial, record.followed_up
    m = len(enrolled)
    n_cm = len(capacity)
    n_quantiles = len(minutes_multiplier)
    needs = np.empty(m, np.int64)
    phase = np.empty(m, np.int64)
    demand = np.zeros((n_cm, N_CM_PHASES), np.int64)
    by_phase = np.zeros(N_CM_PHASES, np.int64)
    needed = np.zeros(n_cm, np.int64)
    for i in range(m):
        s = enrolled[i]
        cm_initial[s] = treatment_month[s] <= 1
        reached = u_contact[i] >= unreached_probability
        ph = care_manager_phase(treatment_month[s], bh[s], reached)
        phase[i] = ph
        mult = minutes_multiplier[np.int64(u_minutes[i] * n_quantiles)]
        ratio = payer_minutes_ratio[payer[s]]
        needs[i] = np.int64(np.rint(phase_minutes[ph] * ratio * mult))
        k = care_manager[s]
        demand[k, ph] += needs[i]
        needed[k] += needs[i]
        by_phase[ph] += 1
    # share of each phase's need each care manager can give (1.0: in full)
    share = np.zeros((n_cm, N_CM_PHASES), np.float64)
    for k in range(n_cm):
        left = max(capacity[k], 0)
        for ph in range(N_CM_PHASES):
            d = demand[k, ph]
            if d <= left:
                share[k, ph] = 1.0
                left -= d
            else:
                share[k, ph] = left / d
                left = 0
    delivered = np.zeros(n_cm, np.int64)
    followups = 0
    first_contacts = 0
    for i in range(m):
        s = enrolled[i]
        k = care_manager[s]
        f = share[k, phase[i]]
        given = needs[i] if f >= 1.0 else np.int64(np.floor(needs[i] * f))
        cm_minutes[s] = given
        delivered[k] += given
        contact = phase[i] != CM_INTAKE and phase[i] != CM_OUTREACH and given > 0
        if treatment_month[s] == 2:
            followup_ok[s] = contact
            followups += contact
        if contact and not followed_up[s]:
            followed_up[s] = True
            first_contacts += 1
    return needed, delivered, by_phase, followups, first_contacts


@njit(**JIT)
def caseload_minutes(
    enrolled: NDArray[np.int64],
    care_manager: NDArray[np.int16],
    treatment_month: NDArray[np.int16],
    bh: NDArray[np.int8],
    payer: NDArray[np.int8],
    payer_minutes_ratio: NDArray[np.float64],
    phase_minutes: NDArray[np.float64],
    unreached_probability: float,
    n_cm: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Caseload and expected care-manager minutes of each care manager this month.

    A patient in its enrolment month needs the intake minutes; later, with probability
    ``1 - unreached_probability`` the active-treatment or maintenance minutes (by its state),
    else the outreach minutes; times its payer's ratio (``phase_minutes``: intake, active,
    outreach, maintenance, as :func:`care_manager_time`).
    """
    count = np.zeros(n_cm, np.int64)
    busy = np.zeros(n_cm, np.float64)
    p = unreached_probability
    for i in range(len(enrolled)):
        s = enrolled[i]
        k = care_manager[s]
        if treatment_month[s] <= 1:
            need = phase_minutes[CM_INTAKE]
        else:
            settled = bh[s] == BH_IMPROVED or bh[s] == BH_REMITTED
            reached = phase_minutes[CM_MAINTENANCE] if settled else phase_minutes[CM_ACTIVE]
            need = (1.0 - p) * reached + p * phase_minutes[CM_OUTREACH]
        count[k] += 1
        busy[k] += need * payer_minutes_ratio[payer[s]]
    return count, busy


@njit(**JIT)
def _block_sum(values: NDArray[np.float64], start: int, n: int) -> float:
    """Numpy's sum of ``n <= 128`` values from ``start`` (see :func:`pairwise_sum`)."""
    if n < 8:
        res = 0.0
        for i in range(start, start + n):
            res += values[i]
        return res
    r = values[start : start + 8].copy()
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += values[start + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += values[start + i]
        i += 1
    return res


@njit(**JIT)
def pairwise_sum(values: NDArray[np.float64]) -> float:
    """Sum of ``values`` in numpy's pairwise order (bit-identical to ``values.sum()``).

    Numpy sums a contiguous float64 array by blocks of at most 128 with eight accumulators,
    splitting longer runs in two (the first part a multiple of 8 long) and adding the halves
    (``pairwise_sum`` of its ``loops_utils``); ``.mean()`` divides that sum by the count. The
    halving is walked here with an explicit stack (compiled recursion does not cache).

    It repeats :func:`intsim.money.claims_kernels.pairwise_sum` on purpose: money may not import
    the simulation, and the kernels' stale-cache guard (:mod:`intsim.sim.kernels`) covers only
    this package's files, so a kernel here must not inline a function from another package.
    """
    starts = np.empty(256, np.int64)
    sizes = np.empty(256, np.int64)
    joins = np.empty(256, np.bool_)  # True: add the two sums on top of ``sums``
    sums = np.empty(256, np.float64)
    n_sums = 0
    starts[0], sizes[0], joins[0] = 0, len(values), False
    top = 1
    while top > 0:
        top -= 1
        start, n, join = starts[top], sizes[top], joins[top]
        if join:
            n_sums -= 1
            sums[n_sums - 1] = sums[n_sums - 1] + sums[n_sums]
        elif n <= 128:
            sums[n_sums] = _block_sum(values, start, n)
            n_sums += 1
        else:
            half = n // 2
            half -= half % 8
            starts[top], sizes[top], joins[top] = start, n, True
            starts[top + 1], sizes[top + 1], joins[top + 1] = start + half, n - half, False
            starts[top + 2], sizes[top + 2], joins[top + 2] = start, half, False
            top += 3
    return sums[0]


@njit(**JIT)
def enrol_cocm(
    n_used: int,
    month: int,
    key_priority: np.uint64,
    staff: Fields,
    rule: Fields,
    tx: Fields,
    ep: Fields,
    payer: NDArray[np.int8],
    record: Fields,
) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """Enrol queued CoCM patients (oldest first, then priority) while care managers have room.

    The caseload is the slots in CoCM, the queue the slots waiting (``waitlist_since >= 0``),
    both ascending over ``0 .. n_used - 1``. Each care manager (``staff``, a
    :class:`CareManagerStaff`) has room for the smaller of its caseload cap less its caseload
    and the intake minutes that fit in ``panel_fill_target`` of its patient minutes less the
    expected minutes of its caseload (:func:`caseload_minutes`; intake minutes are
    ``minutes_intake`` times the mean payer ratio over the queue). New patients go one at a
    time to the care manager with most room (lowest on ties); the patients taken are the first
    by (waitlist month, priority uniform of stream key ``key_priority``, slot), the i-th to the
    i-th care manager placed. Their treatment and programme bookkeeping are reset as a CoCM
    enrolment in month ``month`` (the enrolment score is the last screening score, else the
    true score).

    Args:
        n_used: Slots assigned so far.
        month: Current month.
        key_priority: Key of the ``priority`` stream this month (``RandomStreams.key``).
        staff: :class:`CareManagerStaff` fields (one entry per care manager).
        rule: :class:`EnrolmentRule` fields (minutes per phase in minutes a patient-month).
        tx: :class:`TreatmentState` fields (written).
        ep: :class:`EpisodeState` fields.
        payer: Payer of each slot (alone, not the
            :class:`~intsim.sim.kernels.state.PersonState` group: each array passed costs about
            0.1 us to unbox).
        record: :class:`EnrolmentRecord` fields (written).

    Returns:
        The caseload after enrolment (ascending slots), the new patients (in enrolment order)
        and their summed months on the waitlist (months).
    """
    cms = CareManagerStaff(*staff)
    r = EnrolmentRule(*rule)
    tx = TreatmentState(*tx)
    ep = EpisodeState(*ep)
    record = EnrolmentRecord(*record)
    caseload = slots_in_treatment(tx.treatment, n_used, TX_COCM)
    queue = slots_waiting(tx.waitlist_since, n_used)
    n_queue = len(queue)
    nobody = np.empty(0, np.int64)
    n_cm = len(cms.index)
    if n_queue == 0 or n_cm == 0:
        return caseload, nobody, 0
    count, busy = caseload_minutes(
        caseload,
        tx.care_manager,
        tx.treatment_month,
        ep.bh,
        payer,
        r.payer_minutes_ratio,
        r.phase_minutes,
        r.unreached_probability,
        n_cm,
    )
    ratios = np.empty(n_queue, np.float64)
    for i in range(n_queue):
        ratios[i] = r.payer_minutes_ratio[payer[queue[i]]]
    intake = r.minutes_intake * (pairwise_sum(ratios) / n_queue)
    room = np.empty(n_cm, np.int64)
    for j in range(n_cm):
        k = cms.index[j]
        by_cap = cms.caseload_cap[j] - count[k]
        spare = r.panel_fill_target * cms.patient_minutes[j] - busy[k]
        by_minutes = int(spare // intake) if intake > 0 else by_cap
        room[j] = min(by_cap, max(by_minutes, 0))
    placed = assign_to_most_room(room, n_queue)
    n_new = len(placed)
    if n_new == 0:
        return caseload, nobody, 0
    priority = np.empty(n_queue, np.float64)
    lead = np.empty(n_queue, np.int64)
    for i in range(n_queue):
        priority[i] = unit_uniform(key_priority, queue[i])
        lead[i] = tx.waitlist_since[queue[i]]
    new = head_in_order(queue, priority, lead, n_new)
    waited = 0
    for i in range(n_new):
        s = new[i]
        waited += month - np.int64(tx.waitlist_since[s])
        tx.waitlist_since[s] = -1
        tx.treatment[s] = TX_COCM
        tx.treatment_month[s] = 1
        record.program_start[s] = month
        tx.care_manager[s] = cms.index[placed[i]]
        tx.followup_ok[s] = False
        record.followed_up[s] = False
        tx.reviewed[s] = False
        record.last_review[s] = 0
        tx.improved_months[s] = 0
        screen = record.screen_score[s]
        record.enrol_score[s] = screen if screen >= 0 else ep.score[s]
    after = np.sort(np.concatenate((caseload, new)))
    return after, new, waited


@njit(**JIT)
def _followup_minutes(
    s: int, key_followup: np.uint64, key_minutes: np.uint64, share: float, mean_minutes: float
) -> int:
    """Minutes of an open threshold PCBH episode's follow-up this month (0 if none).

    Scalars only: a helper taking arrays, called once per slot, cost about 20 ns a call in
    reference counting (see :func:`bhc_followup`).
    """
    if unit_uniform(key_followup, s) >= share:
        return 0
    return max(int(np.rint(mean_minutes * (0.5 + unit_uniform(key_minutes, s)))), 1)


@njit(**JIT)
def bhc_followup(
    n_used: int,
    key_followup: np.uint64,
    key_minutes: np.uint64,
    share: float,
    mean_minutes: float,
    treatment: NDArray[np.int8],
    bh: NDArray[np.int8],
    bhi_minutes: NDArray[np.int16],
) -> tuple[NDArray[np.int64], int]:
    """BHC between-visit care management of open PCBH threshold episodes this month (in place).

    A slot in a PCBH episode with a threshold condition (active or improved) has a follow-up
    month with probability ``share`` (uniform from ``key_followup``); its minutes are
    ``rint(mean_minutes * (0.5 + u))``, at least 1, with ``u`` from ``key_minutes``
    (:func:`_followup_minutes`). Writes ``bhi_minutes`` of the slots followed up (capacity is
    the caller's concern). Few slots are in a PCBH episode: they are found by
    :func:`intsim.sim.kernels.scan.slots_in_treatment`.

    Returns:
        ``(slots, total minutes)``: the slots followed up (ascending) and their minutes.
    """
    in_pcbh = slots_in_treatment(treatment, n_used, TX_PCBH)
    out = np.empty(len(in_pcbh), np.int64)
    n = 0
    total = 0
    for s in in_pcbh:
        if bh[s] != BH_ACTIVE and bh[s] != BH_IMPROVED:
            continue
        minutes = _followup_minutes(s, key_followup, key_minutes, share, mean_minutes)
        if minutes:
            bhi_minutes[s] = minutes
            total += minutes
            out[n] = s
            n += 1
    return out[:n].copy(), total


# --------------------------------------------------------------------------- detection
# Detection, usual-care decisions and PCP visit rationing: the compiled steps of
# ``care.base.detect_at_visits``, ``care.base.usual_care_treatment``, ``care.base.disengagement``
# and ``model.ClinicModel._pcp_visits``.


@njit(**JIT)
def screening_draws(
    key: np.uint64, visitors: NDArray[np.int64], rate: float
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Which visitors are screened: their ``screen_offer`` uniform is below ``rate``.

    Args:
        key: Key of the ``screen_offer`` stream this month.
        visitors: Patients seen this month.
        rate: Probability that a visitor is screened (``detection.screening_rate``).

    Returns:
        The mask over ``visitors`` and the screened visitors, in visitor order.
    """
    n = len(visitors)
    mask = np.empty(n, np.bool_)
    screened = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        s = visitors[i]
        hit = unit_uniform(key, s) < rate
        mask[i] = hit
        screened[k] = s
        k += hit
    return mask, screened[:k].copy()


@njit(**JIT)
def usual_care_decisions(
    slots: NDArray[np.int64],
    keys: NDArray[np.uint64],
    probs: tuple[float, float, float],
    bh: NDArray[np.int8],
    known: NDArray[np.bool_],
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
) -> int:
    """The PCP's usual-care decision for identified threshold patients (``usual_care_treatment``).

    Patients with a threshold episode known to the practice and no current treatment (state
    before any decision) are treated with probability ``pcp_treats`` (``treat_choice`` stream);
    a treated patient is referred to specialty care with probability ``specialty_referral_share``
    (``referral``), where treatment starts if the patient attends (``specialty_attendance``,
    ``specialty_attend``); the others start PCP treatment. Treatment starts at month 1.

    Args:
        slots: Identified threshold patients.
        keys: Keys of the ``treat_choice``, ``referral`` and ``specialty_attend`` streams this
            month.
        probs: ``pcp_treats``, ``specialty_referral_share``, ``specialty_attendance``.
        bh: BH state of each slot (read).
        known: Whether the practice knows each slot's condition (read).
        treatment: Treatment of each slot (updated).
        treatment_month: Months in the current treatment (updated: 1 when treatment starts).

    Only these four arrays are passed (not the episode and treatment groups): each array
    passed costs about 0.1 us to unbox.

    Returns:
        How many patients were referred to specialty care.
    """
    p_treat, p_refer, p_attend = probs
    key_treat, key_refer, key_attend = keys[0], keys[1], keys[2]
    n = len(slots)
    eligible = np.empty(n, np.bool_)  # decided on the state before any patient starts
    for i in range(n):
        s = slots[i]
        eligible[i] = (bh[s] == BH_ACTIVE) & (treatment[s] == TX_NONE) & known[s]
    referred = 0
    for i in range(n):
        s = slots[i]
        if not eligible[i] or not unit_uniform(key_treat, s) < p_treat:
            continue
        if unit_uniform(key_refer, s) < p_refer:
            referred += 1
            if unit_uniform(key_attend, s) < p_attend:
                treatment[s] = TX_SPECIALTY
                treatment_month[s] = 1
        else:
            treatment[s] = TX_PCP
            treatment_month[s] = 1
    return referred


@njit(**JIT)
def disengage_patients(gone: NDArray[np.int64], tx: Fields) -> int:
    """Disengaging patients leave CoCM (treatment ended) and both waitlists (``disengagement``).

    Args:
        gone: Patients who disengage this month (a patient may appear more than once).
        tx: Treatment state (updated in place).

    Returns:
        How many of ``gone`` were enrolled in CoCM (state before any treatment ends).
    """
    tx = TreatmentState(*tx)  # rebuilt from its fields (see Fields)
    n = len(gone)
    enrolled = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        enrolled[k] = gone[i]
        k += tx.treatment[gone[i]] == TX_COCM
    for i in range(k):
        _end_treatment(enrolled[i], tx)
    for s in gone:
        tx.waitlist_since[s] = -1
        tx.bhc_wait_since[s] = -1
    return k


#: Most values :func:`kth_smallest` keeps in its buffer of largest values (beyond: a partition).
KTH_BUFFER_MAX = 64


@njit(**JIT)
def kth_smallest(values: NDArray[np.float64], k: int) -> float:
    """The ``k``-th smallest of ``values`` (0-based; ``np.partition(values, k)[k]``).

    A PCP just over capacity keeps nearly all its requests: the cut is then the
    ``m = len(values) - k``-th largest value, found with one pass that keeps the ``m`` largest
    so far in an ascending buffer (a value not above the buffer's smallest is skipped); for a
    larger ``m`` numpy's partition. The value is the same either way (no NaN among ``values``).
    """
    m = len(values) - k
    if m > KTH_BUFFER_MAX:
        return np.partition(values, k)[k]
    top = np.full(m, -np.inf)  # the m largest values so far, ascending
    for v in values:
        if v > top[0]:  # v enters, the smallest of the buffer drops out
            j = 1
            while j < m and top[j] < v:
                top[j - 1] = top[j]
                j += 1
            top[j - 1] = v
    return top[0]


@njit(**JIT)
def allocate_pcp_visits(
    requests: NDArray[np.int64],
    pcp: NDArray[np.int16],
    capacity: NDArray[np.int64],
    base_capacity: NDArray[np.int64],
    priority_key: np.uint64,
    pcp_visit: NDArray[np.bool_],
) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """Grant the month's PCP visit requests within each PCP's capacity, in priority order.

    A PCP with no more requests than its capacity grants them all; a PCP over capacity grants
    the ``capacity`` requests with the lowest ``priority`` uniforms (``priority_key``; ties at the
    cut are all granted), and a vacant one (capacity 0) none. The uniforms are drawn only for
    the requests of PCPs over capacity.

    Args:
        requests: Patients who seek a visit (ascending slots).
        pcp: Each slot's PCP index.
        capacity: Visits each PCP can give this month.
        base_capacity: Visits each PCP could give without BHCs on the team.
        priority_key: Key of the ``priority`` stream this month.
        pcp_visit: Whether each slot had a PCP visit this month (set for the granted).

    Returns:
        The patients seen (ascending slots), the requests each PCP received, and the visits
        given only thanks to the capacity freed by BHCs (``min(demand, capacity) - base``, at
        least 0, summed over PCPs).
    """
    n_pcps = len(capacity)
    n = len(requests)
    demand = np.zeros(n_pcps, np.int64)
    for s in requests:
        demand[pcp[s]] += 1
    extra = 0
    over = False
    for p in range(n_pcps):
        extra += max(0, min(demand[p], capacity[p]) - base_capacity[p])
        over |= demand[p] > capacity[p]
    keep = np.ones(n, np.bool_)
    if over:
        start = np.zeros(n_pcps + 1, np.int64)  # requests grouped by PCP, request order kept
        start[1:] = np.cumsum(demand)
        fill = start[:-1].copy()
        grouped = np.empty(n, np.int64)
        for i in range(n):
            p = pcp[requests[i]]
            grouped[fill[p]] = i
            fill[p] += 1
        for p in range(n_pcps):
            cap = capacity[p]
            if demand[p] <= cap:
                continue
            mine = grouped[start[p] : start[p + 1]]
            if cap <= 0:
                keep[mine] = False
                continue
            priority = np.empty(len(mine), np.float64)
            for j in range(len(mine)):
                priority[j] = unit_uniform(priority_key, requests[mine[j]])
            cut = kth_smallest(priority, cap - 1)
            for j in range(len(mine)):
                keep[mine[j]] = priority[j] <= cut
    granted = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        granted[k] = requests[i]
        k += keep[i]
    granted = granted[:k].copy()
    for s in granted:
        pcp_visit[s] = True
    return granted, demand, extra


# --- CoCM: care-manager minutes in one call (the registry steps: kernels.registry) -----------


@njit(**JIT)
def care_manager_month(
    enrolled: NDArray[np.int64],
    key_minutes: np.uint64,
    key_contact: np.uint64,
    work: Fields,
    capacity: NDArray[np.int64],
    bh: NDArray[np.int8],
    payer: NDArray[np.int8],
    tx: Fields,
    record: Fields,
) -> tuple[NDArray[np.int64], int, int, int, int, int, int]:
    """:func:`care_manager_time` with its uniforms drawn here and its totals returned as counts.

    ``key_minutes`` and ``key_contact`` are the keys of the ``cm_minutes`` and ``cm_contact``
    streams this month (one uniform of each per enrolled patient, as
    ``RandomStreams.uniform``); the other arguments as :func:`care_manager_time`. One call
    and one array handed back to Python instead of three (boxing an array costs about 2 us).

    Returns:
        Minutes needed by care manager, then total minutes needed and delivered (minutes),
        patients in outreach and in maintenance, 4-week follow-ups and first follow-up
        contacts.
    """
    m = len(enrolled)
    u_minutes = np.empty(m, np.float64)
    u_contact = np.empty(m, np.float64)
    for i in range(m):
        u_minutes[i] = unit_uniform(key_minutes, enrolled[i])
        u_contact[i] = unit_uniform(key_contact, enrolled[i])
    needed, delivered, by_phase, followups, first = care_manager_time(
        enrolled, u_minutes, u_contact, work, capacity, bh, payer, tx, record
    )
    return (
        needed,
        needed.sum(),
        delivered.sum(),
        by_phase[CM_OUTREACH],
        by_phase[CM_MAINTENANCE],
        followups,
        first,
    )
