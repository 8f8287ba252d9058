"""Compiled per-slot kernels (numba; docs/decisions.md 44).

Written as chains of numpy expressions, one month costs hundreds of small array operations, each
paying Python and numpy call overhead; here the hottest rules are single loops over the slots,
compiled once (``cache=True`` keeps the machine code between processes). Two kinds:

* **patient rules of the arrays engine** (onset, visit requests, clinical course, acute care,
  disengagement): twins of the scalar rules of :mod:`intsim.patient`, so the engines dock
  exactly;
* **organisation-side steps both engines share** (visit classification, PCP rationing,
  care-manager time, PCBH episode starts, end-of-month bookkeeping, queues, monthly counts):
  called by :mod:`intsim.care`, :mod:`intsim.model` and :mod:`intsim.tcoc`.

Uniforms are drawn inline, only for the slots that need them, by :func:`unit_uniform` — the
SplitMix64 finaliser of ``key + slot * golden`` with wrapping 64-bit arithmetic, bit-identical to
:mod:`intsim.streams` — and compared with float64 probabilities. Loops run over contiguous
slots with branch-free common paths: on random data a branch mispredicts often, and such loops
vectorise.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

# state codes (mirrors intsim.population; numba needs plain integers)
_BH_NONE, _BH_SUB, _BH_ACTIVE, _BH_IMPROVED, _BH_REMITTED = 0, 1, 2, 3, 4
_TX_NONE, _TX_PCP, _TX_SPECIALTY, _TX_COCM, _TX_PCBH = 0, 1, 2, 3, 4
_ANXIETY, _DEPRESSION = 2, 1
# improvement-hazard variants (mirrors intsim.clinical.Variant)
_V_PCP, _V_SPECIALTY, _V_COCM, _V_PCBH, _V_PCBH_WITH_PCP = 1, 2, 3, 7, 8

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}


# --------------------------------------------------------------------------- random numbers


@njit(**_JIT)
def mix64(x: np.uint64) -> np.uint64:
    """SplitMix64 finaliser (wrapping 64-bit arithmetic)."""
    x ^= x >> _S30
    x *= _C1
    x ^= x >> _S27
    x *= _C2
    return x ^ (x >> _S31)


@njit(**_JIT)
def unit_uniform(key: np.uint64, slot: np.int64) -> float:
    """Counter-based uniform in [0, 1) of one slot: SplitMix64 of ``key + slot * golden``."""
    return float(mix64(np.uint64(slot) * _GOLDEN + key) >> _S11) * _TO_UNIT


@njit(**_JIT)
def first_uniforms(key: np.uint64, n: int) -> NDArray[np.float64]:
    """Counter-based uniforms of slots ``0 .. n-1``.

    A branch-free loop over contiguous slots, which the compiler vectorises (well under a
    nanosecond per draw); kernels that need a draw for most slots take them from here.
    """
    out = np.empty(n, np.float64)
    for s in range(n):
        out[s] = unit_uniform(key, s)
    return out


@njit(**_JIT)
def sparse_uniforms(key: np.uint64, slots: NDArray[np.int64]) -> NDArray[np.float64]:
    """Counter-based uniforms of the given slots (see :func:`unit_uniform`)."""
    out = np.empty(len(slots), np.float64)
    for i in range(len(slots)):
        out[i] = unit_uniform(key, slots[i])
    return out


@njit(**_JIT)
def quantile_by_logit(
    key: np.uint64, slots: NDArray[np.int64], log_q: NDArray[np.float64], logit_max: float
) -> NDArray[np.float64]:
    """Variates of the given slots by inversion of a tabulated quantile function.

    ``log_q`` holds the log-quantiles at nodes evenly spaced in ``logit(u)`` over
    ``[-logit_max, logit_max]``; each slot's uniform (stream ``key``) is placed by arithmetic and
    its log-quantile interpolated linearly (beyond the range: the end nodes).
    """
    m = len(log_q)
    step = 2.0 * logit_max / (m - 1)
    out = np.empty(len(slots), np.float64)
    for i in range(len(slots)):
        u = unit_uniform(key, slots[i])
        x = np.log(max(u, 1e-300) / (1.0 - u))
        pos = (min(max(x, -logit_max), logit_max) + logit_max) / step
        j = min(np.int64(pos), m - 2)
        out[i] = np.exp(log_q[j] + (pos - j) * (log_q[j + 1] - log_q[j]))
    return out


# --------------------------------------------------------------------------- scores


@njit(**_JIT)
def threshold_score_of(u: float, severe_share: float, modsevere_share: float) -> int:
    """Onset score of a threshold episode (twin of :func:`intsim.population.threshold_score`)."""
    if u < severe_share:
        return 20 + min(max(int(u / severe_share * 8), 0), 7)
    if u < severe_share + modsevere_share:
        return 15 + min(max(int((u - severe_share) / modsevere_share * 5), 0), 4)
    mild_share = 1.0 - severe_share - modsevere_share
    return 10 + min(
        max(int((u - severe_share - modsevere_share) / max(mild_share, 1e-300) * 5), 0), 4
    )


@njit(**_JIT)
def subthreshold_score_of(u: float) -> int:
    """Subthreshold score 5-9 (twin of :func:`intsim.population.subthreshold_score`)."""
    return 5 + min(max(int(u * 5), 0), 4)


# --------------------------------------------------------------------------- onset


@njit(**_JIT)
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

    Twin of :meth:`intsim.engine_arrays.ArrayEngine.onset`.

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
            (state == _BH_SUB)
            | (in_panel[s] & (state == _BH_NONE) & (u_incidence[s] < incidence_limit))
        ):
            continue  # most slots: no change
        start = False
        if state == _BH_NONE:
            u = u_incidence[s]
            if u < incidence_prob:
                start = True
            elif u < incidence_prob + sub_incidence_prob:
                bh[s] = _BH_SUB
                score[s] = subthreshold_score_of(unit_uniform(k_severity, s))
        elif state == _BH_SUB:
            u64 = unit_uniform(k_resolve, s)
            p = sub_resolve_prob[1 if treatment[s] == _TX_PCBH else 0]
            if u64 < p:
                bh[s] = _BH_NONE
                score[s] = 0
            elif u64 < p + sub_progress_prob:
                start = True
        if start:
            bh[s] = _BH_ACTIVE
            u_cond = unit_uniform(k_condition, s)
            condition[s] = _ANXIETY if u_cond < anxiety_share else _DEPRESSION
            chronic_episode[s] = unit_uniform(k_chronic_ep, s) < chronic_ep_share
            sc = threshold_score_of(unit_uniform(k_severity, s), severe, modsevere)
            score[s] = sc
            baseline_score[s] = sc
            episode_month[s] = 0
            known[s] = False


# --------------------------------------------------------------------------- visits, acute care


@njit(**_JIT)
def _state_of(chronic: bool, bh: int) -> int:
    """Index into the [chronic, in-episode] tables (arithmetic, no branches)."""
    return 2 * np.int64(chronic) + np.int64((bh == _BH_ACTIVE) | (bh == _BH_IMPROVED))


@njit(**_JIT)
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


@njit(**_JIT)
def risk_classes(
    n: int,
    bh: NDArray[np.int8],
    condition: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    age65: NDArray[np.bool_],
) -> NDArray[np.int32]:
    """Risk class of slots ``0 .. n-1``: BH state x condition x chronic x 65+.

    Twin of :func:`intsim.risk.risk_class_one`, in narrow integer arithmetic, which vectorises.
    """
    out = np.empty(n, np.int32)
    for s in range(n):
        out[s] = (
            (np.int32(bh[s]) * 3 + np.int32(condition[s])) * 2 + np.int32(chronic[s])
        ) * 2 + np.int32(age65[s])
    return out


@njit(**_JIT)
def acute_care(
    n: int,
    in_panel: NDArray[np.bool_],
    chronic: NDArray[np.bool_],
    bh: NDArray[np.int8],
    condition: NDArray[np.int8],
    age65: NDArray[np.bool_],
    frailty: NDArray[np.float64],
    key: np.uint64,
    admit_rate: NDArray[np.float64],
    ed_rate: NDArray[np.float64],
    admission: NDArray[np.bool_],
    ed_visit: NDArray[np.bool_],
) -> None:
    """ED visits and admissions of the month, written to ``admission`` and ``ed_visit``.

    Each patient's probabilities are its risk class's rates per month times its cost frailty
    (capped at one event; ``risk.acute_probabilities_one``). One uniform decides both: below the
    admission probability an admission, in the next interval of the ED-visit probability an ED
    visit (``key``: the ``acute`` stream's key this month; twin of
    ``PatientAgent.use_acute_care``). Classes, table look-ups and the arithmetic run as separate
    passes: the first and last vectorise, the look-ups (gathers) do not.
    """
    uniforms = first_uniforms(key, n)
    classes = risk_classes(n, bh, condition, chronic, age65)
    admit = np.empty(n, np.float64)
    ed = np.empty(n, np.float64)
    for s in range(n):
        admit[s] = admit_rate[classes[s]]
        ed[s] = ed_rate[classes[s]]
    for s in range(n):
        f = frailty[s]
        pa = min(admit[s] * f, 1.0)
        pe = min(ed[s] * f, 1.0 - pa)
        u = uniforms[s]
        admission[s] = in_panel[s] & (u < pa)
        ed_visit[s] = in_panel[s] & (u >= pa) & (u < pa + pe)


# --------------------------------------------------------------------------- clinical course


@njit(**_JIT)
def treatment_variant(
    treatment: int,
    treatment_month: int,
    followup_ok: bool,
    reviewed: bool,
    pcp_cotreat: bool,
    review_month: int,
) -> int:
    """Improvement-hazard variant of a patient (twin of ``patient.treatment_variant_one``)."""
    if treatment == _TX_PCP:
        return _V_PCP
    if treatment == _TX_SPECIALTY:
        return _V_SPECIALTY
    if treatment == _TX_PCBH:
        return _V_PCBH_WITH_PCP if pcp_cotreat else _V_PCBH
    if treatment == _TX_COCM:
        no_follow = 1 if (treatment_month >= 2 and not followup_ok) else 0
        no_review = 1 if (treatment_month > review_month and not reviewed) else 0
        return _V_COCM + no_follow + 2 * no_review
    return 0


@njit(**_JIT)
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

    Twin of :meth:`intsim.engine_arrays.ArrayEngine.clinical_step`.

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
        m += bh[s] >= _BH_ACTIVE
    for i in range(m):
        s = in_episode[i]
        state = bh[s]
        if state == _BH_ACTIVE:
            v = treatment_variant(
                treatment[s],
                treatment_month[s],
                followup_ok[s],
                reviewed[s],
                pcp_cotreat[s],
                review_month,
            )
            anxiety = 1 if condition[s] == _ANXIETY else 0
            if chronic_episode[s]:
                p = improve_chronic[anxiety, v]
            else:
                p = improve_acute[anxiety, v, min(episode_month[s], max_episode_month - 1)]
            if unit_uniform(k_improve, s) < p:
                bh[s] = _BH_IMPROVED
                share = low + (high - low) * unit_uniform(k_depth, s)
                score[s] = np.int8(score[s] * share)
                counts[0] += 1
            else:
                episode_month[s] += 1
        elif state == _BH_IMPROVED:
            u = unit_uniform(k_recover, s)
            if u < recover_p:
                bh[s] = _BH_REMITTED
                score[s] = min(score[s], 4)
                remission_months[s] = 0
                counts[1] += 1
            elif u < recover_p + residual_relapse_p:
                bh[s] = _BH_ACTIVE
                score[s] = baseline_score[s]
                episode_month[s] = 0
                counts[2] += 1
        elif state == _BH_REMITTED:
            if unit_uniform(k_relapse, s) < relapse_p:
                bh[s] = _BH_ACTIVE
                score[s] = baseline_score[s]
                episode_month[s] = 0
                counts[2] += 1
            else:
                remission_months[s] += 1
                if remission_months[s] >= sustained_months:
                    bh[s] = _BH_NONE
                    score[s] = 0
                    condition[s] = 0
                    known[s] = False
                    counts[3] += 1
    return counts


# --------------------------------------------------------------------------- monthly record

#: Layout of the integer counts returned by :func:`month_counts`.
COUNT_FIELDS: tuple[str, ...] = (
    "panel_size",
    "bh_prevalent",
    "subthreshold",
    "active_cocm",
    "active_pcbh",
    "in_usual_care_treatment",
    "in_specialty_care",
    "waitlist",
    "ed_visits",
    "admissions",
    "quality_measured_6m",
    "quality_met_6m",
    "quality_measured_12m",
    "quality_met_12m",
)


@njit(**_JIT)
def month_counts(
    n: int,
    month: int,
    in_panel: NDArray[np.bool_],
    bh: NDArray[np.int8],
    treatment: NDArray[np.int8],
    waitlist_since: NDArray[np.int16],
    bhc_wait_since: NDArray[np.int16],
    ed_visit: NDArray[np.bool_],
    admission: NDArray[np.bool_],
    program_start: NDArray[np.int16],
) -> NDArray[np.int64]:
    """Head counts of the monthly record, in the order of :data:`COUNT_FIELDS`.

    Departed patients have cleared states (:meth:`intsim.population.Population.remove`), so
    counting over all slots counts panel members only. Branch-free sums over contiguous slots
    (the compiler vectorises them).
    """
    # programme start months due for the 6- and 12-month measures (-2 matches nobody: a start
    # month is >= 0, or -1 for patients never in a programme)
    due6 = month - 6 if month >= 6 else -2
    due12 = month - 12 if month >= 12 else -2
    panel = active = sub = cocm = pcbh = pcp = specialty = waiting = ed = admitted = 0
    m6 = met6 = m12 = met12 = 0
    for s in range(n):
        state = bh[s]
        tx = treatment[s]
        panel += in_panel[s]
        active += state == _BH_ACTIVE
        sub += state == _BH_SUB
        cocm += tx == _TX_COCM
        pcbh += tx == _TX_PCBH
        pcp += tx == _TX_PCP
        specialty += tx == _TX_SPECIALTY
        waiting += (waitlist_since[s] >= 0) + (bhc_wait_since[s] >= 0)
        ed += ed_visit[s]
        admitted += admission[s]
        start = program_start[s]
        is6 = start == due6
        is12 = start == due12
        m6 += is6
        met6 += is6 & ((state == _BH_IMPROVED) | (state == _BH_REMITTED))
        m12 += is12
        met12 += is12 & (state == _BH_REMITTED)
    c = np.zeros(len(COUNT_FIELDS), np.int64)
    c[0] = panel
    c[1] = active
    c[2] = sub
    c[3] = cocm
    c[4] = pcbh
    c[5] = pcp + specialty
    c[6] = specialty
    c[7] = waiting
    c[8] = ed
    c[9] = admitted
    c[10] = m6
    c[11] = met6
    c[12] = m12
    c[13] = met12
    return c


@njit(**_JIT)
def cost_of_care(
    n: int,
    in_panel: NDArray[np.bool_],
    payer: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    bh: NDArray[np.int8],
    condition: NDArray[np.int8],
    age65: NDArray[np.bool_],
    frailty: NDArray[np.float64],
    treatment: NDArray[np.int8],
    ed_visit: NDArray[np.bool_],
    admission: NDArray[np.bool_],
    nonacute: NDArray[np.float64],
    multiplier: NDArray[np.float64],
    unit_costs: NDArray[np.float64],
    n_payers: int,
    slot_cost: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Members and total cost of care (USD) by payer this month (kernel of ``TcocMeter.measure``).

    Args:
        n: Slots in use.
        in_panel, payer, chronic, bh, condition, age65, frailty, treatment, ed_visit, admission:
            Population arrays.
        nonacute: Non-acute cost per member-month by payer (USD).
        multiplier: Non-acute cost multiplier by risk class (:func:`risk_classes`).
        unit_costs: ED visit, admission and specialty care month costs (USD).
        n_payers: Number of payers.
        slot_cost: Written: each slot's cost of care this month (USD; 0 out of the panel).

    Returns:
        Members by payer and cost by payer (summed in slot order, as ``np.bincount`` does).
    """
    ed_cost, admit_cost, specialty_cost = unit_costs[0], unit_costs[1], unit_costs[2]
    # branch-free passes (a departed slot costs 0.0); the look-ups (gathers) get their own pass
    classes = risk_classes(n, bh, condition, chronic, age65)
    for s in range(n):
        slot_cost[s] = nonacute[payer[s]] * multiplier[classes[s]]
    for s in range(n):
        unit = slot_cost[s] * frailty[s]
        unit += ed_cost * ed_visit[s]
        unit += admit_cost * admission[s]
        unit += specialty_cost * (treatment[s] == _TX_SPECIALTY)
        slot_cost[s] = unit * in_panel[s]
    members = np.zeros(n_payers, np.int64)
    cost = np.zeros(n_payers, np.float64)
    for s in range(n):
        k = payer[s]
        members[k] += in_panel[s]
        cost[k] += slot_cost[s]
    return members, cost


# --------------------------------------------------------------------------- care pathways


@njit(**_JIT)
def classify_visitors(
    visitors: NDArray[np.int64],
    screened_mask: NDArray[np.bool_],
    scores: NDArray[np.int64],
    detect_key: np.uint64,
    pcp_sensitivity: float,
    positive_score: int,
    bh: NDArray[np.int8],
    known: NDArray[np.bool_],
    chronic: NDArray[np.bool_],
    treatment: NDArray[np.int8],
    waitlist_since: NDArray[np.int16],
    bhc_wait_since: NDArray[np.int16],
    screen_score: NDArray[np.int8],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
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
        pcp_sensitivity: Unassisted recognition probability of a threshold episode.
        positive_score: Lowest positive (threshold) score.

    Returns:
        Untreated identified threshold patients, untreated subthreshold patients, untreated
        chronic patients with no BH need (ascending slots each), and the counts
        ``screened, positive screens, newly detected, eligible``.
    """
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
        if (not screened) and state == _BH_ACTIVE:  # rare: draw only when needed
            recognised = unit_uniform(detect_key, s) < pcp_sensitivity
        if screened:
            screen_score[s] = score
        identified = positive | recognised
        free = (treatment[s] == _TX_NONE) & (waitlist_since[s] < 0) & (bhc_wait_since[s] < 0)
        n_screened += screened
        n_positive += positive
        n_detected += identified & (not known[s]) & (state == _BH_ACTIVE)
        known[s] |= identified
        threshold[n_thr] = s
        n_thr += identified & free
        sub[n_sub] = s
        n_sub += (not identified) & is_sub & free
        health_behavior[n_hb] = s
        n_hb += (not identified) & chronic[s] & (state == _BH_NONE) & free
    counts = np.array([n_screened, n_positive, n_detected, n_thr], dtype=np.int64)
    return threshold[:n_thr], sub[:n_sub], health_behavior[:n_hb], counts


@njit(**_JIT)
def _end_treatment(
    s: int,
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
    care_manager: NDArray[np.int16],
    waitlist_since: NDArray[np.int16],
    bhc_wait_since: NDArray[np.int16],
    followup_ok: NDArray[np.bool_],
    reviewed: NDArray[np.bool_],
    improved_months: NDArray[np.int16],
    bhc_visits_left: NDArray[np.int8],
    pcp_cotreat: NDArray[np.bool_],
) -> None:
    """End one patient's treatment and clear its CoCM/PCBH bookkeeping, waitlists included."""
    treatment[s] = _TX_NONE
    treatment_month[s] = 0
    care_manager[s] = -1
    waitlist_since[s] = -1
    bhc_wait_since[s] = -1
    followup_ok[s] = False
    reviewed[s] = False
    improved_months[s] = 0
    bhc_visits_left[s] = 0
    pcp_cotreat[s] = False


@njit(**_JIT)
def end_treatments(
    slots: NDArray[np.int64],
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
    care_manager: NDArray[np.int16],
    waitlist_since: NDArray[np.int16],
    bhc_wait_since: NDArray[np.int16],
    followup_ok: NDArray[np.bool_],
    reviewed: NDArray[np.bool_],
    improved_months: NDArray[np.int16],
    bhc_visits_left: NDArray[np.int8],
    pcp_cotreat: NDArray[np.bool_],
) -> None:
    """End the treatment of each of ``slots`` (:func:`_end_treatment`; one list of fields)."""
    for s in slots:
        _end_treatment(
            s,
            treatment,
            treatment_month,
            care_manager,
            waitlist_since,
            bhc_wait_since,
            followup_ok,
            reviewed,
            improved_months,
            bhc_visits_left,
            pcp_cotreat,
        )


@njit(**_JIT)
def end_of_month_treatment(
    n: int,
    bh: NDArray[np.int8],
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
    care_manager: NDArray[np.int16],
    waitlist_since: NDArray[np.int16],
    bhc_wait_since: NDArray[np.int16],
    followup_ok: NDArray[np.bool_],
    reviewed: NDArray[np.bool_],
    improved_months: NDArray[np.int16],
    bhc_visits_left: NDArray[np.int8],
    pcp_cotreat: NDArray[np.bool_],
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
    clock of everyone still in treatment (:func:`intsim.care.base.end_of_month_treatment`).
    Ending a treatment clears the patient's programme bookkeeping (as
    :meth:`intsim.population.Population.end_treatment`), waitlists included.
    """
    for s in range(n):
        tx = treatment[s]
        if tx == _TX_NONE:
            continue
        done = False
        if tx == _TX_COCM and discharge_cocm:
            if bh[s] in (_BH_IMPROVED, _BH_REMITTED):
                improved_months[s] += 1
            else:
                improved_months[s] = 0
            done = (
                improved_months[s] >= discharge_after_response_months
                or treatment_month[s] >= max_cocm_months
            )
        elif tx == _TX_PCBH and end_pcbh and bhc_visits_left[s] <= 0:
            if pcp_cotreat[s] and treatment_month[s] < usual_care_months:
                treatment[s] = _TX_PCP
                pcp_cotreat[s] = False
            else:
                done = True
        if not done and treatment[s] in (_TX_PCP, _TX_SPECIALTY):
            done = treatment_month[s] >= usual_care_months
        if done:
            _end_treatment(
                s,
                treatment,
                treatment_month,
                care_manager,
                waitlist_since,
                bhc_wait_since,
                followup_ok,
                reviewed,
                improved_months,
                bhc_visits_left,
                pcp_cotreat,
            )
        else:
            treatment_month[s] += 1


@njit(**_JIT)
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
        m += (treatment[s] == _TX_COCM) | (waitlist_since[s] >= 0) | (bhc_wait_since[s] >= 0)
    out = np.empty(3 * m, np.int64)
    k = 0
    for i in range(m):
        s = listed[i]
        cocm = treatment[s] == _TX_COCM
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


@njit(**_JIT)
def assign_to_most_room(room: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """Place up to ``n`` patients one at a time with the provider that has the most room.

    Args:
        room: Free places per provider (negative counts as none).
        n: Patients to place.

    Returns:
        The provider index of each placed patient, in placement order; ties go to the lowest
        index. Fewer than ``n`` when the room runs out.
    """
    left = np.maximum(room, 0)
    total = min(n, int(left.sum()))
    out = np.empty(total, np.int64)
    for i in range(total):
        k = int(np.argmax(left))  # the first maximum: lowest index on ties
        left[k] -= 1
        out[i] = k
    return out


@njit(**_JIT)
def ration_visits(
    provider_of_request: NDArray[np.int64],
    capacity: NDArray[np.int64],
    priority: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Which visit requests each provider grants: all within capacity, else the lowest priorities.

    Args:
        provider_of_request: Provider index of each request.
        capacity: Visits each provider can give this month (0 for a vacant position).
        priority: Random priority of each request (lower is served first; read only for
            providers over capacity).

    Returns:
        Whether each request is granted. A provider over capacity grants the ``capacity``
        requests with the lowest priority (ties at the cut are all granted).
    """
    n_providers = len(capacity)
    n = len(provider_of_request)
    # group the requests by provider (counting sort, request order kept within a group)
    start = np.zeros(n_providers + 1, np.int64)
    for p in provider_of_request:
        start[p + 1] += 1
    for p in range(n_providers):
        start[p + 1] += start[p]
    fill = start[:-1].copy()
    grouped = np.empty(n, np.int64)
    for i in range(n):
        p = provider_of_request[i]
        grouped[fill[p]] = i
        fill[p] += 1
    keep = np.ones(n, np.bool_)
    for p in range(n_providers):
        cap = capacity[p]
        mine = grouped[start[p] : start[p + 1]]
        if len(mine) <= cap:
            continue
        if cap <= 0:
            keep[mine] = False
            continue
        mine_priority = priority[mine]
        cut = np.partition(mine_priority, cap - 1)[cap - 1]
        for j in range(len(mine)):
            keep[mine[j]] = mine_priority[j] <= cut
    return keep


_KIND_MENTAL_HEALTH, _KIND_HEALTH_BEHAVIOR, _KIND_UNBILLABLE = 1, 2, 3  # BhcVisitKind


@njit(**_JIT)
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
        if bh[s] == _BH_ACTIVE or bh[s] == _BH_IMPROVED:
            bhc_kind[s] = _KIND_MENTAL_HEALTH
        elif chronic[s]:
            bhc_kind[s] = _KIND_HEALTH_BEHAVIOR
        else:
            bhc_kind[s] = _KIND_UNBILLABLE


@njit(**_JIT)
def start_pcbh_episodes(
    slots: NDArray[np.int64],
    month: int,
    key: np.uint64,
    visits_cum: NDArray[np.float64],
    bh: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
    bhc_wait_since: NDArray[np.int16],
    bhc_visits_left: NDArray[np.int8],
    pcp_cotreat: NDArray[np.bool_],
    bhc_visit: NDArray[np.bool_],
    bhc_kind: NDArray[np.int8],
    program_start: NDArray[np.int16],
) -> None:
    """Start PCBH episodes with a first visit delivered this month (in place).

    The PCP stays the treating clinician of a patient it already treats (co-treatment). An
    episode plans ``1 + #{k: visits_cum[k] <= u}`` visits (``u`` from the
    ``bhc_episode_visits`` stream, ``key``), the first one today; episodes for a threshold
    condition start the clock of the quality measures (``program_start``).
    """
    record_bhc_visits(slots, bh, chronic, bhc_visit, bhc_kind)
    for s in slots:
        pcp_cotreat[s] = treatment[s] == _TX_PCP
        treatment[s] = _TX_PCBH
        treatment_month[s] = 1
        bhc_wait_since[s] = -1
        u = unit_uniform(key, s)
        planned = 1
        for c in visits_cum:
            planned += c <= u
        bhc_visits_left[s] = planned - 1
        if bhc_kind[s] == _KIND_MENTAL_HEALTH:
            program_start[s] = month


#: Care-manager work phases, in the order of clinical priority when minutes are short.
CM_INTAKE, CM_ACTIVE, CM_OUTREACH, CM_MAINTENANCE = 0, 1, 2, 3
N_CM_PHASES = 4


@njit(**_JIT)
def care_manager_phase(treatment_month: int, bh: int, reached: bool) -> int:
    """Work phase of a CoCM patient this month (:data:`CM_INTAKE` ... :data:`CM_MAINTENANCE`).

    Intake/assessment in the enrolment month; otherwise outreach when the patient could not be
    reached, maintenance/relapse prevention once improved or remitted, else active treatment.
    """
    if treatment_month <= 1:
        return CM_INTAKE
    if not reached:
        return CM_OUTREACH
    if bh in (_BH_IMPROVED, _BH_REMITTED):
        return CM_MAINTENANCE
    return CM_ACTIVE


@njit(**_JIT)
def care_manager_time(
    enrolled: NDArray[np.int64],
    u_minutes: NDArray[np.float64],
    u_contact: NDArray[np.float64],
    minutes_multiplier: NDArray[np.float64],
    phase_minutes: NDArray[np.float64],
    payer_minutes_ratio: NDArray[np.float64],
    unreached_probability: float,
    capacity: NDArray[np.int64],
    treatment_month: NDArray[np.int16],
    bh: NDArray[np.int8],
    payer: NDArray[np.int8],
    care_manager: NDArray[np.int16],
    cm_minutes: NDArray[np.int16],
    cm_initial: NDArray[np.bool_],
    followup_ok: NDArray[np.bool_],
    followed_up: NDArray[np.bool_],
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
        minutes_multiplier: Quantiles of the minutes multiplier (mean 1).
        phase_minutes: Mean minutes per patient-month by phase (minutes).
        payer_minutes_ratio: Multiplier of the minutes by payer (payer order of ``PAYERS``).
        unreached_probability: Probability a patient past intake is not reached this month.
        capacity: Minutes available to each care manager (by care-manager index).

    Returns:
        Minutes needed and delivered by care manager, patients by phase, the number of 4-week
        follow-ups and the number of patients with their first follow-up contact this month.
    """
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


@njit(**_JIT)
def _before(key_a: int, prio_a: float, slot_a: int, key_b: int, prio_b: float, slot_b: int) -> bool:
    """Whether (key, priority, slot) ``a`` comes before ``b`` (lexicographic order)."""
    if key_a != key_b:
        return key_a < key_b
    if prio_a != prio_b:
        return prio_a < prio_b
    return slot_a < slot_b


@njit(**_JIT)
def first_in_order(
    slots: NDArray[np.int64], priority: NDArray[np.float64], key: NDArray[np.int64], k: int
) -> NDArray[np.int64]:
    """The first ``k`` slots ordered by (``key``, ``priority``, slot), in that order.

    One pass keeping the best ``k`` in a sorted buffer (insertion; ``k`` is small next to the
    queues it serves), so serving a few patients from a long queue costs about one comparison
    per patient.
    """
    n = len(slots)
    k = max(min(k, n), 0)
    best = np.empty(k, np.int64)  # indices into slots, in order
    if k == 0:
        return slots[best]
    m = 0
    for i in range(n):
        if m == k:
            w = best[k - 1]
            if not _before(key[i], priority[i], slots[i], key[w], priority[w], slots[w]):
                continue
            m -= 1  # the worst of the buffer drops out
        j = m
        while j > 0:
            w = best[j - 1]
            if not _before(key[i], priority[i], slots[i], key[w], priority[w], slots[w]):
                break
            best[j] = w
            j -= 1
        best[j] = i
        m += 1
    return slots[best[:m]]


@njit(**_JIT)
def stream_keys(root_key: np.uint64, n_streams: int, n_months: int) -> NDArray[np.uint64]:
    """Keys of every (stream, month) pair, months ``0 .. n_months - 1``.

    ``key = mix64(root + mix64((stream << 32) + month + 1))``, as
    :meth:`intsim.streams.RandomStreams.key` computes one at a time.
    """
    out = np.empty((n_streams, n_months), np.uint64)
    for sid in range(n_streams):
        for month in range(n_months):
            counter = mix64((np.uint64(sid) << np.uint64(32)) + np.uint64(month + 1))
            out[sid, month] = mix64(root_key + counter)
    return out


# --------------------------------------------------------------------------- BHC care management


#: Byte patterns of the word-at-a-time scan in :func:`bhc_followup` (8 int8 slots a word).
_BYTES_LOW = np.uint64(0x0101010101010101)
_BYTES_HIGH = np.uint64(0x8080808080808080)
_BYTES_PCBH = np.uint64(0x0101010101010101 * _TX_PCBH)


@njit(**_JIT)
def _followup_slot(
    s: int,
    key_followup: np.uint64,
    key_minutes: np.uint64,
    share: float,
    mean_minutes: float,
    bh: NDArray[np.int8],
    bhi_minutes: NDArray[np.int16],
) -> int:
    """Minutes of one PCBH slot's follow-up this month (0 if none; see :func:`bhc_followup`)."""
    if bh[s] != _BH_ACTIVE and bh[s] != _BH_IMPROVED:
        return 0
    if unit_uniform(key_followup, s) >= share:
        return 0
    minutes = max(int(np.rint(mean_minutes * (0.5 + unit_uniform(key_minutes, s)))), 1)
    bhi_minutes[s] = minutes
    return minutes


@njit(**_JIT)
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
    ``rint(mean_minutes * (0.5 + u))``, at least 1, with ``u`` from ``key_minutes``. Writes
    ``bhi_minutes`` of the slots followed up (capacity is the caller's concern). Few slots are
    in a PCBH episode, so the scan tests eight slots of ``treatment`` (C-contiguous int8) at a
    time and looks at single slots only in a word holding a PCBH byte.

    Returns:
        ``(slots, total minutes)``: the slots followed up (ascending) and their minutes.
    """
    out = np.empty(256, np.int64)  # grown when full: a large buffer would cost a page mapping
    n = 0
    total = 0
    n_words = n_used // 8
    words = treatment[: n_words * 8].view(np.uint64)
    for w in range(n_words):
        v = words[w] ^ _BYTES_PCBH  # a zero byte where the slot is in PCBH
        if (v - _BYTES_LOW) & ~v & _BYTES_HIGH:
            for s in range(w * 8, w * 8 + 8):
                if treatment[s] == _TX_PCBH:
                    minutes = _followup_slot(
                        s, key_followup, key_minutes, share, mean_minutes, bh, bhi_minutes
                    )
                    if minutes:
                        total += minutes
                        out = _append(out, n, s)
                        n += 1
    for s in range(n_words * 8, n_used):
        if treatment[s] == _TX_PCBH:
            minutes = _followup_slot(
                s, key_followup, key_minutes, share, mean_minutes, bh, bhi_minutes
            )
            if minutes:
                total += minutes
                out = _append(out, n, s)
                n += 1
    return out[:n].copy(), total


@njit(**_JIT)
def _append(buffer: NDArray[np.int64], n: int, value: int) -> NDArray[np.int64]:
    """Store ``value`` at ``buffer[n]``, doubling the buffer when it is full; the buffer."""
    if n == len(buffer):
        grown = np.empty(2 * len(buffer), np.int64)
        grown[:n] = buffer
        buffer = grown
    buffer[n] = value
    return buffer


# --------------------------------------------------------------------------- waitlists


@njit(**_JIT)
def queue_scan(since: NDArray[np.int16], n: int, joined_by: int) -> tuple[int, NDArray[np.int64]]:
    """One pass over a queue's join months (``-1``: not waiting), slots ``0 .. n-1``.

    Returns:
        How many are waiting, and the slots (ascending) that joined in month ``joined_by`` or
        earlier (``joined_by < 0``: none).
    """
    waiting = 0
    hits = 0
    for s in range(n):
        w = since[s]
        waiting += w >= 0
        hits += (w >= 0) & (w <= joined_by)
    out = np.empty(hits, np.int64)
    k = 0
    if hits:
        for s in range(n):
            w = since[s]
            if w >= 0 and w <= joined_by:
                out[k] = s
                k += 1
    return waiting, out


@njit(**_JIT)
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
            settled = bh[s] == _BH_IMPROVED or bh[s] == _BH_REMITTED
            reached = phase_minutes[CM_MAINTENANCE] if settled else phase_minutes[CM_ACTIVE]
            need = (1.0 - p) * reached + p * phase_minutes[CM_OUTREACH]
        count[k] += 1
        busy[k] += need * payer_minutes_ratio[payer[s]]
    return count, busy
