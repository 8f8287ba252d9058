"""Compiled per-patient kernels of the ``arrays`` engine (numba; docs/decisions.md 44).

The arrays engine applies the patient rules of :mod:`intsim.patient` to every slot at once. Written
as chains of numpy expressions, one month costs hundreds of small array operations, each paying
Python and numpy call overhead; here the hottest rules are single loops over the slots, compiled
once (``cache=True`` keeps the machine code between processes).

Each kernel is a line-by-line twin of the scalar rule in :mod:`intsim.patient`, so the engines
dock exactly: uniforms are drawn inline, only for the slots that need them, by
:func:`unit_uniform` — the SplitMix64 finaliser of ``key + slot * golden`` with wrapping 64-bit
arithmetic, bit-identical to :mod:`intsim.streams` — and compared with float64 probabilities.
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
def unit_uniform(key: np.uint64, slot: np.int64) -> float:
    """Counter-based uniform in [0, 1) of one slot: SplitMix64 of ``key + slot * golden``."""
    x = np.uint64(slot) * _GOLDEN + key
    x ^= x >> _S30
    x *= _C1
    x ^= x >> _S27
    x *= _C2
    x ^= x >> _S31
    return float(x >> _S11) * _TO_UNIT


@njit(**_JIT)
def sparse_uniforms(key: np.uint64, slots: NDArray[np.int64]) -> NDArray[np.float64]:
    """Counter-based uniforms of the given slots (see :func:`unit_uniform`)."""
    out = np.empty(len(slots), np.float64)
    for i in range(len(slots)):
        out[i] = unit_uniform(key, slots[i])
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

    Args:
        n: Slots in use.
        in_panel, bh, treatment, score, baseline_score, condition, chronic_episode,
            episode_month, known, chronic: Population arrays (updated in place).
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
    for s in range(n):
        state = bh[s]
        start = False
        if state == _BH_NONE:
            if in_panel[s]:
                u = unit_uniform(k_incidence, s)
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
        if in_panel[s] and not chronic[s]:
            chronic[s] = unit_uniform(k_chronic_onset, s) < chronic_onset_prob


# --------------------------------------------------------------------------- visits, acute care


@njit(**_JIT)
def _state_of(chronic: bool, bh: int) -> int:
    """Index into the [chronic, in-episode] tables."""
    episode = 1 if bh in (_BH_ACTIVE, _BH_IMPROVED) else 0
    return 2 * (1 if chronic else 0) + episode


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
    out = np.empty(n, np.int64)
    k = 0
    for s in range(n):
        if in_panel[s]:
            out[k] = s
            k += unit_uniform(key, s) < visit_prob[_state_of(chronic[s], bh[s])]
    return out[:k]


@njit(**_JIT)
def acute_care(
    n: int,
    in_panel: NDArray[np.bool_],
    chronic: NDArray[np.bool_],
    bh: NDArray[np.int8],
    key: np.uint64,
    admit_prob: NDArray[np.float64],
    ed_prob: NDArray[np.float64],
    admission: NDArray[np.bool_],
    ed_visit: NDArray[np.bool_],
) -> None:
    """ED visits and admissions of the month, written to ``admission`` and ``ed_visit``.

    One uniform decides both: below the admission probability an admission, in the next
    interval of the ED-visit probability an ED visit (``key``: the ``acute`` stream's key this
    month; twin of ``PatientAgent.use_acute_care``).
    """
    for s in range(n):
        if not in_panel[s]:
            admission[s] = False
            ed_visit[s] = False
            continue
        k = _state_of(chronic[s], bh[s])
        pa = admit_prob[k]
        u = unit_uniform(key, s)
        admission[s] = u < pa
        ed_visit[s] = (u >= pa) and (u < pa + ed_prob[k])


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
        n: Slots in use.
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
    for s in range(n):
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

    Departed patients have cleared states, so counting states over all slots counts panel
    members only (:meth:`intsim.population.Population.remove`).
    """
    c = np.zeros(len(COUNT_FIELDS), np.int64)
    for s in range(n):
        if in_panel[s]:
            c[0] += 1
        state = bh[s]
        if state == _BH_ACTIVE:
            c[1] += 1
        elif state == _BH_SUB:
            c[2] += 1
        tx = treatment[s]
        if tx == _TX_COCM:
            c[3] += 1
        elif tx == _TX_PCBH:
            c[4] += 1
        elif tx == _TX_PCP:
            c[5] += 1
        elif tx == _TX_SPECIALTY:
            c[5] += 1
            c[6] += 1
        if waitlist_since[s] >= 0:
            c[7] += 1
        if bhc_wait_since[s] >= 0:
            c[7] += 1
        if ed_visit[s]:
            c[8] += 1
        if admission[s]:
            c[9] += 1
        start = program_start[s]  # -1: never in a programme episode
        if start < 0:
            continue
        if start == month - 6:
            c[10] += 1
            if state in (_BH_IMPROVED, _BH_REMITTED):
                c[11] += 1
        elif start == month - 12:
            c[12] += 1
            if state == _BH_REMITTED:
                c[13] += 1
    return c


@njit(**_JIT)
def cost_of_care(
    n: int,
    in_panel: NDArray[np.bool_],
    payer: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    bh: NDArray[np.int8],
    treatment: NDArray[np.int8],
    ed_visit: NDArray[np.bool_],
    admission: NDArray[np.bool_],
    nonacute: NDArray[np.float64],
    multiplier: NDArray[np.float64],
    unit_costs: NDArray[np.float64],
    n_payers: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Members and total cost of care (USD) by payer this month (twin of ``TcocMeter.measure``).

    Args:
        n: Slots in use.
        in_panel, payer, chronic, bh, treatment, ed_visit, admission: Population arrays.
        nonacute: Non-acute cost per member-month by payer (USD).
        multiplier: Non-acute cost multiplier by state (flattened [chronic, in episode]).
        unit_costs: ED visit, admission and specialty care month costs (USD).
        n_payers: Number of payers.

    Returns:
        Members by payer and cost by payer (summed in slot order, as ``np.bincount`` does).
    """
    members = np.zeros(n_payers, np.int64)
    cost = np.zeros(n_payers, np.float64)
    ed_cost, admit_cost, specialty_cost = unit_costs[0], unit_costs[1], unit_costs[2]
    for s in range(n):
        if not in_panel[s]:
            continue
        k = payer[s]
        unit = nonacute[k] * multiplier[_state_of(chronic[s], bh[s])]
        if ed_visit[s]:
            unit += ed_cost
        if admission[s]:
            unit += admit_cost
        if treatment[s] == _TX_SPECIALTY:
            unit += specialty_cost
        members[k] += 1
        cost[k] += unit
    return members, cost


# --------------------------------------------------------------------------- slot queries


@njit(**_JIT)
def slots_equal(values: NDArray[np.integer], n: int, value: int) -> NDArray[np.int64]:
    """Slots ``s < n`` (ascending) with ``values[s] == value``."""
    out = np.empty(n, np.int64)
    k = 0
    for s in range(n):
        out[k] = s
        k += values[s] == value
    return out[:k]


@njit(**_JIT)
def slots_at_least(values: NDArray[np.integer], n: int, value: int) -> NDArray[np.int64]:
    """Slots ``s < n`` (ascending) with ``values[s] >= value``."""
    out = np.empty(n, np.int64)
    k = 0
    for s in range(n):
        out[k] = s
        k += values[s] >= value
    return out[:k]
