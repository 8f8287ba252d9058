"""Compiled kernels of :mod:`intsim.money.claims`: one month's claim lines and their totals (numba).

Written as numpy expressions, a month of claims costs dozens of small array operations (masks per
code, per status, per payer and per family); here each step is one loop over the month's few
hundred claim lines, compiled once (``cache=True`` keeps the machine code between processes).

The kernels know no billing rule: which codes a patient-month bills, and how many units, comes
in as lookup tables built by :mod:`intsim.money.claims` from the rule functions of
:mod:`intsim.money.billing`, so the rules keep a single source. The arithmetic is that of the numpy
code it replaces, operation for operation, and sums use numpy's pairwise summation
(:func:`pairwise_sum`), so every amount is bit-identical.

Claim lines come in *groups*, one per code and kind of service, numbered in the order of the
claim table: the CoCM groups (APCM add-ons first, then the timed codes), then the groups billing
mental-health BHC visits, then the health-behavior ones, then the general-BHI care-management
ones. Within a group, lines are in ascending slot order.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numba import njit
from numpy.typing import NDArray

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}

# claim statuses (mirrors intsim.money.claims.STATUSES; numba needs plain integers)
_PAID, _NOT_COVERED, _SAME_DAY, _CAPITATED, _CASE_RATE, _NO_FFS = 0, 1, 2, 3, 4, 5
# revenue families (mirrors intsim.money.claims.FAMILIES; tests/test_money.py ties the two)
_COCM, _PSYCHOTHERAPY, _HBAI, _FQHC_MH, _GENERAL_BHI = 0, 1, 2, 3, 4
#: Revenue family codes by name, for the test that ties them to
#: :data:`intsim.money.claims.FAMILIES`.
FAMILY_CODES: dict[str, int] = {
    "cocm": _COCM,
    "bhc_psychotherapy": _PSYCHOTHERAPY,
    "bhc_hbai": _HBAI,
    "fqhc_mental_health": _FQHC_MH,
    "general_bhi": _GENERAL_BHI,
}

#: Rows of the per-payer amount table passed to :func:`price_lines`.
RATE_ROWS: tuple[str, ...] = (
    "relativity_cocm",
    "relativity_bh",
    "denial",
    "coinsurance",
    "collection",
)
#: Rows of the per-payer rule table passed to :func:`line_status`.
RULE_ROWS: tuple[str, ...] = (
    "covers_cocm",
    "covers_hbai",
    "same_day",
    "case_rate",
    "pmpm",
    "ffs",
    "covers_general_bhi",
)
#: Rows of the integer claim-line block returned by :func:`bill_lines`.
INT_ROWS: tuple[str, ...] = ("month", "slot", "code", "family", "payer", "units", "status")
#: Rows of the float claim-line block returned by :func:`bill_lines` (USD).
FLOAT_ROWS: tuple[str, ...] = (
    "allowed",
    "paid",
    "patient_share",
    "collected",
    "denied",
    "uncaptured",
)

# row indices (plain integers: numba would unpickle a global tuple of strings at every call)
_R_REL_COCM, _R_REL_BH, _R_DENY, _R_COINS, _R_COLLECT = range(len(RATE_ROWS))
_B_COVERS_COCM, _B_COVERS_HBAI, _B_SAME_DAY, _B_CASE_RATE, _B_PMPM, _B_FFS, _B_COVERS_BHI = range(
    len(RULE_ROWS)
)
_I_MONTH, _I_SLOT, _I_CODE, _I_FAMILY, _I_PAYER, _I_UNITS, _I_STATUS = range(len(INT_ROWS))
_F_ALLOWED, _F_PAID, _F_SHARE, _F_COLLECTED, _F_DENIED, _F_UNCAPTURED = range(len(FLOAT_ROWS))
_N_INT_ROWS, _N_FLOAT_ROWS = len(INT_ROWS), len(FLOAT_ROWS)

#: A group of arrays passed to a kernel as one argument: the fields of one of the named tuples
#: below, in order, as a plain tuple (``tuple(MonthSlots(...))``). Numba dispatches a plain tuple
#: of arrays at a few hundredths of a microsecond per array, a named tuple at about a quarter of
#: a microsecond per array: for the four groups of :func:`bill_lines` (24 arrays) about 6 us
#: more per month.
ArrayTuple = tuple[NDArray[Any], ...]


class MonthSlots(NamedTuple):
    """The slots served in a month, by kind of service (ascending slots, :func:`service_slots`).

    Attributes:
        cm: Slots with care-manager minutes (CoCM months).
        mh: Slots with a mental-health BHC visit.
        hb: Slots with a health-behavior BHC visit.
        bhi: Slots with general-BHI care-management minutes.
        new_episodes: Slots whose CoCM episode started this month.
    """

    cm: NDArray[np.int64]
    mh: NDArray[np.int64]
    hb: NDArray[np.int64]
    bhi: NDArray[np.int64]
    new_episodes: NDArray[np.int64]


class ServedPatients(NamedTuple):
    """What a claim line reads of its patient, by slot (the population's or compact arrays).

    Attributes:
        payer: Payer code.
        cm_minutes: Care-manager minutes this month.
        cm_initial: Whether the month is the first of the CoCM episode.
        bhi_minutes: General-BHI care-management minutes this month.
        bhc_same_day: Whether the BHC visit was on the day of a PCP visit.
    """

    payer: NDArray[np.int8]
    cm_minutes: NDArray[np.int16]
    cm_initial: NDArray[np.bool_]
    bhi_minutes: NDArray[np.int16]
    bhc_same_day: NDArray[np.bool_]


class ServicePopulation(NamedTuple):
    """The population arrays a month's claims read, by slot (:func:`bill_population`).

    Attributes:
        payer, cm_minutes, cm_initial, bhi_minutes, bhc_same_day: As in
            :class:`ServedPatients` (the same arrays, in the same order).
        bhc_visit: Whether the slot had a BHC visit this month (C-contiguous).
        bhc_kind: What the BHC visit addressed (:class:`intsim.money.services.BhcVisitKind`).
    """

    payer: NDArray[np.int8]
    cm_minutes: NDArray[np.int16]
    cm_initial: NDArray[np.bool_]
    bhi_minutes: NDArray[np.int16]
    bhc_same_day: NDArray[np.bool_]
    bhc_visit: NDArray[np.bool_]
    bhc_kind: NDArray[np.int8]


class PlanTables(NamedTuple):
    """A year's coding plan as the kernels read it (:class:`intsim.money.claims.YearPlan`).

    Attributes:
        apcm_payer: By payer code, whether its CoCM months bill the APCM add-ons instead of
            timed codes.
        apcm_units: APCM add-on units by ``[initial, APCM group]``.
        timed_units: Timed CoCM units by ``[initial, minutes, timed group]``; must cover the
            month's largest minutes.
        mh_units: Units of a mental-health visit by ``[payer, mental-health group]``.
        hb_units: Units of a health-behavior visit by ``[payer, health-behavior group]``.
        bhi_units: General-BHI units by ``[minutes, general-BHI group]``; must cover the month's
            largest minutes.
        bhi_payer: Whether a general-BHI group bills the payer's patients, by ``[payer, group]``.
        bhi_dropped_with_cocm: By general-BHI group, whether a CoCM month excludes it.
        group_code: Code id (:func:`intsim.money.claims.code_id`) by group.
        group_family: Revenue family code by group.
        group_fee: USD per unit by group (fee schedule x practitioner share, or encounter rate).
    """

    apcm_payer: NDArray[np.bool_]
    apcm_units: NDArray[np.int64]
    timed_units: NDArray[np.int64]
    mh_units: NDArray[np.int64]
    hb_units: NDArray[np.int64]
    bhi_units: NDArray[np.int64]
    bhi_payer: NDArray[np.bool_]
    bhi_dropped_with_cocm: NDArray[np.bool_]
    group_code: NDArray[np.int64]
    group_family: NDArray[np.int64]
    group_fee: NDArray[np.float64]


class PayerTables(NamedTuple):
    """The scenario's per-payer and per-family pricing rules.

    Attributes:
        rates: Per-payer amounts by ``[row of RATE_ROWS, payer]``.
        rules: Per-payer booleans by ``[row of RULE_ROWS, payer]``.
        capture: Billing capture (share of billable lines documented and submitted) by revenue
            family.
    """

    rates: NDArray[np.float64]
    rules: NDArray[np.bool_]
    capture: NDArray[np.float64]


#: Slots tested at once by :func:`service_slots`: one 64-bit word of ``bhc_visit``.
_WORD_SLOTS = 8


# --------------------------------------------------------------------------- services


@njit(**_JIT)
def service_slots(
    cm_minutes: NDArray[np.int16],
    bhi_minutes: NDArray[np.int16],
    bhc_visit: NDArray[np.bool_],
    bhc_kind: NDArray[np.int8],
    n_used: int,
    mental_health: int,
    health_behavior: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int]:
    """Slots that received billable services this month, in one pass over the population.

    Most slots received nothing, so the pass first tests eight slots at a time (one 64-bit word
    of ``bhc_visit`` and, for int16 minutes, two of ``cm_minutes`` and of ``bhi_minutes``) and
    looks at single slots only where a word is not zero.

    Args:
        cm_minutes: Care-manager minutes by slot (C-contiguous integers).
        bhi_minutes: BHC general-BHI care-management minutes by slot (C-contiguous, the dtype
            of ``cm_minutes``).
        bhc_visit: Whether the slot had a BHC visit (C-contiguous).
        bhc_kind: What the BHC visit addressed (:class:`intsim.money.services.BhcVisitKind`).
        n_used: Slots in use (higher slots are ignored).
        mental_health: Code of a mental-health visit.
        health_behavior: Code of a health-behavior visit.

    Returns:
        ``(cm_slots, mh_slots, hb_slots, bhi_slots, max_minutes)``: ascending slots with
        care-manager minutes, with a mental-health BHC visit, with a health-behavior BHC visit
        and with general-BHI minutes, and the largest care-manager or general-BHI minutes of the
        month (0 if none).
    """
    n_words = n_used // _WORD_SLOTS
    tail = n_words * _WORD_SLOTS
    minutes_words = cm_minutes[:tail].view(np.uint64)
    bhi_words = bhi_minutes[:tail].view(np.uint64)
    visit_words = bhc_visit[:tail].view(np.uint64)
    per_word = cm_minutes.itemsize  # words of minutes per word of visits (8 slots)
    served = np.empty(n_used, np.int64)
    n_served = 0
    for w in range(n_words):
        any_service = visit_words[w]
        if per_word == 2:  # int16 minutes (the population's dtype): unrolled
            any_service |= minutes_words[2 * w] | minutes_words[2 * w + 1]
            any_service |= bhi_words[2 * w] | bhi_words[2 * w + 1]
        else:
            for m in range(w * per_word, (w + 1) * per_word):
                any_service |= minutes_words[m] | bhi_words[m]
        if any_service:
            for i in range(w * _WORD_SLOTS, (w + 1) * _WORD_SLOTS):
                if cm_minutes[i] != 0 or bhi_minutes[i] != 0 or bhc_visit[i]:
                    served[n_served] = i
                    n_served += 1
    for i in range(tail, n_used):
        if cm_minutes[i] != 0 or bhi_minutes[i] != 0 or bhc_visit[i]:
            served[n_served] = i
            n_served += 1
    return _split_services(
        served[:n_served],
        cm_minutes,
        bhi_minutes,
        bhc_visit,
        bhc_kind,
        mental_health,
        health_behavior,
    )


@njit(**_JIT)
def _split_services(
    served: NDArray[np.int64],
    cm_minutes: NDArray[np.int16],
    bhi_minutes: NDArray[np.int16],
    bhc_visit: NDArray[np.bool_],
    bhc_kind: NDArray[np.int8],
    mental_health: int,
    health_behavior: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], int]:
    """Split served slots by service (see :func:`service_slots`)."""
    cm = np.empty(len(served), np.int64)
    mh = np.empty(len(served), np.int64)
    hb = np.empty(len(served), np.int64)
    bhi = np.empty(len(served), np.int64)
    n_cm = n_mh = n_hb = n_bhi = 0
    max_minutes = 0
    for s in served:
        if cm_minutes[s] > 0:
            cm[n_cm] = s
            n_cm += 1
            max_minutes = max(max_minutes, int(cm_minutes[s]))
        if bhi_minutes[s] > 0:
            bhi[n_bhi] = s
            n_bhi += 1
            max_minutes = max(max_minutes, int(bhi_minutes[s]))
        if bhc_visit[s]:
            if bhc_kind[s] == mental_health:
                mh[n_mh] = s
                n_mh += 1
            elif bhc_kind[s] == health_behavior:
                hb[n_hb] = s
                n_hb += 1
    return cm[:n_cm].copy(), mh[:n_mh].copy(), hb[:n_hb].copy(), bhi[:n_bhi].copy(), max_minutes


# --------------------------------------------------------------------------- lines


@njit(**_JIT)
def cocm_month_units(
    cm_slots: NDArray[np.int64],
    payer: NDArray[np.int8],
    cm_minutes: NDArray[np.int16],
    cm_initial: NDArray[np.bool_],
    apcm_payer: NDArray[np.bool_],
    apcm_units: NDArray[np.int64],
    timed_units: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Units each CoCM patient-month bills in each CoCM group (APCM add-ons, then timed codes).

    Args:
        cm_slots: Slots with care-manager minutes.
        payer: Payer code by slot.
        cm_minutes: Care-manager minutes by slot.
        cm_initial: Whether the month is the first of the slot's CoCM episode, by slot.
        apcm_payer: By payer code, whether its CoCM months bill the APCM add-ons instead of
            timed codes.
        apcm_units: APCM add-on units by ``[initial, APCM group]``.
        timed_units: Timed CoCM units by ``[initial, minutes, timed group]``; must cover the
            month's largest minutes.

    Returns:
        int64 units by ``[patient-month, CoCM group]``.
    """
    n_apcm, n_timed = apcm_units.shape[1], timed_units.shape[2]
    out = np.zeros((len(cm_slots), n_apcm + n_timed), np.int64)
    for k, s in enumerate(cm_slots):
        initial = 1 if cm_initial[s] else 0
        if apcm_payer[payer[s]]:
            out[k, :n_apcm] = apcm_units[initial]
        else:
            out[k, n_apcm:] = timed_units[initial, cm_minutes[s]]
    return out


@njit(**_JIT)
def visit_units(
    slots: NDArray[np.int64], payer: NDArray[np.int8], units_by_payer: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Units each BHC visit bills in each of its groups, from the patient's payer.

    Args:
        slots: Slots with a visit.
        payer: Payer code by slot.
        units_by_payer: Units by ``[payer, group]``.

    Returns:
        int64 units by ``[visit, group]``.
    """
    out = np.empty((len(slots), units_by_payer.shape[1]), np.int64)
    for k, s in enumerate(slots):
        out[k] = units_by_payer[payer[s]]
    return out


@njit(**_JIT)
def general_bhi_month_units(
    bhi_slots: NDArray[np.int64],
    cm_slots: NDArray[np.int64],
    cocm_units: NDArray[np.int64],
    payer: NDArray[np.int8],
    bhi_minutes: NDArray[np.int16],
    bhi_units: NDArray[np.int64],
    bhi_payer: NDArray[np.bool_],
    dropped_with_cocm: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """Units each general-BHI care-management month bills in each general-BHI group.

    A month bills, in each group that bills its payer, the group's units for its minutes; groups
    dropped in a month that bills CoCM (same-month exclusion) bill nothing for a patient
    with any CoCM unit this month.

    Args:
        bhi_slots: Ascending slots with general-BHI minutes.
        cm_slots: Ascending slots with care-manager minutes.
        cocm_units: Units of each CoCM month by ``[cm_slots index, CoCM group]``.
        payer: Payer code by slot.
        bhi_minutes: General-BHI minutes by slot.
        bhi_units: Units by ``[minutes, general-BHI group]``; must cover the month's largest
            minutes.
        bhi_payer: Whether the group bills the payer's patients, by ``[payer, general-BHI
            group]``.
        dropped_with_cocm: By general-BHI group, whether a CoCM month excludes it.

    Returns:
        int64 units by ``[patient-month, general-BHI group]``.
    """
    n_groups = bhi_units.shape[1]
    out = np.zeros((len(bhi_slots), n_groups), np.int64)
    j = 0
    for k, s in enumerate(bhi_slots):
        while j < len(cm_slots) and cm_slots[j] < s:
            j += 1
        cocm_month = False
        if j < len(cm_slots) and cm_slots[j] == s:
            for g in range(cocm_units.shape[1]):
                if cocm_units[j, g] > 0:
                    cocm_month = True
        m, p = bhi_minutes[s], payer[s]
        for g in range(n_groups):
            if bhi_payer[p, g] and not (cocm_month and dropped_with_cocm[g]):
                out[k, g] = bhi_units[m, g]
    return out


@njit(**_JIT)
def emit_lines(
    slots: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
    units: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The month's claim lines: one per group and slot with units to bill, in table order.

    Args:
        slots: Ascending slots of each kind of service: CoCM months, mental-health visits,
            health-behavior visits and general-BHI care-management months.
        units: Units by ``[service, group]`` of each kind (see :func:`cocm_month_units`,
            :func:`visit_units` and :func:`general_bhi_month_units`).

    Returns:
        ``(slot, group, units)`` of each line. Groups are numbered across the kinds: CoCM,
        mental-health, health-behavior, then general BHI.
    """
    n_max = 0
    for u in units:
        n_max += u.size
    line_slot = np.empty(n_max, np.int64)
    line_group = np.empty(n_max, np.int64)
    line_units = np.empty(n_max, np.int64)
    n = 0
    first_group = 0
    for kind in range(len(units)):
        s, u = slots[kind], units[kind]
        for g in range(u.shape[1]):
            for k in range(len(s)):
                if u[k, g] > 0:
                    line_slot[n], line_group[n], line_units[n] = s[k], first_group + g, u[k, g]
                    n += 1
        first_group += u.shape[1]
    return line_slot[:n].copy(), line_group[:n].copy(), line_units[:n].copy()


@njit(**_JIT)
def claim_lines(
    slots: ArrayTuple, patients: ArrayTuple, plan: ArrayTuple
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The month's claim lines from the slots served (:func:`service_slots`), in table order.

    Args:
        slots: The month's served slots by kind of service (:class:`MonthSlots` fields).
        patients: The served patients' arrays by slot (:class:`ServedPatients` fields).
        plan: The year's coding plan (:class:`PlanTables` fields).

    Returns:
        ``(slot, group, units)`` of each line (see :func:`emit_lines`).
    """
    cm_slots, mh_slots, hb_slots, bhi_slots, _new_episodes = slots
    payer, cm_minutes, cm_initial, bhi_minutes, _same_day = patients
    apcm_payer, apcm_units, timed_units, mh_units, hb_units = plan[0:5]
    bhi_units, bhi_payer, bhi_dropped_with_cocm = plan[5:8]
    cocm = cocm_month_units(
        cm_slots, payer, cm_minutes, cm_initial, apcm_payer, apcm_units, timed_units
    )
    mh = visit_units(mh_slots, payer, mh_units)
    hb = visit_units(hb_slots, payer, hb_units)
    bhi = general_bhi_month_units(
        bhi_slots, cm_slots, cocm, payer, bhi_minutes, bhi_units, bhi_payer, bhi_dropped_with_cocm
    )
    return emit_lines((cm_slots, mh_slots, hb_slots, bhi_slots), (cocm, mh, hb, bhi))


# --------------------------------------------------------------------------- status and amounts


@njit(**_JIT)
def line_status(family: int, payer: int, same_day_visit: bool, rules: NDArray[np.bool_]) -> int:
    """Status of one claim line (:data:`intsim.money.claims.STATUSES`), the first rule that applies.

    Args:
        family: Revenue family code of the line.
        payer: Payer code of the patient.
        same_day_visit: Whether the patient's BHC visit was on the day of a PCP visit.
        rules: Per-payer booleans by ``[row of RULE_ROWS, payer]``.

    Returns:
        The status code.
    """
    if family == _COCM and not rules[_B_COVERS_COCM, payer]:
        return _NOT_COVERED
    if family == _HBAI and not rules[_B_COVERS_HBAI, payer]:
        return _NOT_COVERED
    if family == _GENERAL_BHI and not rules[_B_COVERS_BHI, payer]:
        return _NOT_COVERED
    # same-day restriction: a BHC visit on the day of the PCP visit (warm handoff) is not paid
    # when only one of a medical and a behavioral visit is payable (monthly care management is
    # not a visit)
    visit = family not in (_COCM, _GENERAL_BHI)
    if visit and rules[_B_SAME_DAY, payer] and same_day_visit:
        return _SAME_DAY
    if family == _COCM and rules[_B_CASE_RATE, payer]:
        return _CASE_RATE
    if rules[_B_PMPM, payer]:
        return _CAPITATED
    if not rules[_B_FFS, payer]:
        return _NO_FFS
    return _PAID


@njit(**_JIT)
def price_lines(
    month: int,
    slot: NDArray[np.int64],
    group: NDArray[np.int64],
    units: NDArray[np.int64],
    patients: ArrayTuple,
    plan: ArrayTuple,
    pricing: ArrayTuple,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Status and amounts of each claim line (formulas in :mod:`intsim.money.claims`).

    Args:
        month: Simulation month.
        slot: Slot of each line.
        group: Group of each line.
        units: Units of each line.
        patients: The served patients' arrays by slot (:class:`ServedPatients` fields; payer
            and same-day BHC visit are read).
        plan: The year's coding plan (:class:`PlanTables` fields; code, family and fee by
            group are read).
        pricing: The scenario's per-payer rates and rules and per-family capture
            (:class:`PayerTables` fields).

    Returns:
        ``(ints, floats)``: blocks with one column per line and the rows :data:`INT_ROWS`
        and :data:`FLOAT_ROWS` (USD).
    """
    payer, bhc_same_day = patients[0], patients[4]
    group_code, group_family, group_fee = plan[8:11]
    rates, rules, capture = pricing
    n = len(slot)
    ints = np.empty((_N_INT_ROWS, n), np.int64)
    floats = np.empty((_N_FLOAT_ROWS, n), np.float64)
    for i in range(n):
        s, g = slot[i], group[i]
        p, family = int(payer[s]), group_family[g]
        status = line_status(family, p, bhc_same_day[s], rules)
        if family == _FQHC_MH:
            relativity = 1.0  # PPS rates are payer-specific
        elif family == _COCM:
            relativity = rates[_R_REL_COCM, p]
        else:
            relativity = rates[_R_REL_BH, p]
        allowed = group_fee[g] * units[i] * relativity
        ok = status == _PAID
        captured = allowed * capture[family] if ok else 0.0
        denied = captured * rates[_R_DENY, p] if ok else 0.0
        net_allowed = captured - denied if ok else 0.0
        patient_share = net_allowed * rates[_R_COINS, p]
        ints[_I_MONTH, i] = month
        ints[_I_SLOT, i] = s
        ints[_I_CODE, i] = group_code[g]
        ints[_I_FAMILY, i] = family
        ints[_I_PAYER, i] = p
        ints[_I_UNITS, i] = units[i]
        ints[_I_STATUS, i] = status
        floats[_F_ALLOWED, i] = allowed
        floats[_F_PAID, i] = net_allowed * (1.0 - rates[_R_COINS, p])
        floats[_F_SHARE, i] = patient_share
        floats[_F_COLLECTED, i] = patient_share * rates[_R_COLLECT, p]
        floats[_F_DENIED, i] = denied
        floats[_F_UNCAPTURED, i] = allowed - captured if ok else 0.0
    return ints, floats


# --------------------------------------------------------------------------- totals


@njit(**_JIT)
def _block_sum(values: NDArray[np.float64], start: int, n: int) -> float:
    """Sum of at most 128 contiguous values as numpy adds them (eight accumulators from 8 on)."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = start + 8
    stop = start + n - n % 8
    while i < stop:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for k in range(i, start + n):
        total += values[k]
    return total


@njit(**_JIT)
def pairwise_sum(values: NDArray[np.float64], start: int, n: int) -> float:
    """Sum of ``values[start:start + n]`` in the order of numpy's pairwise summation.

    ``np.sum`` of a contiguous float64 array sums blocks of up to 128 values
    (:func:`_block_sum`) and splits longer ranges in two halves (the first a multiple of 8 long),
    adding the halves' sums; reproducing that order keeps totals bit-identical to numpy's. The
    halving is walked with an explicit stack: numba's cache mishandles recursive functions.

    Args:
        values: Contiguous values.
        start: First index summed.
        n: How many values are summed.

    Returns:
        The sum (0.0 for ``n == 0``).
    """
    if n <= 128:
        return _block_sum(values, start, n)
    # frames of the halving: range, stage (0 new, 1 left half summed, 2 both) and left sum
    first = np.empty(64, np.int64)
    size = np.empty(64, np.int64)
    stage = np.empty(64, np.int64)
    left = np.empty(64, np.float64)
    top = 0
    first[0], size[0], stage[0] = start, n, 0
    result = 0.0
    while top >= 0:
        m = size[top]
        half = m // 2 - (m // 2) % 8
        if stage[top] == 0 and m <= 128:
            result = _block_sum(values, first[top], m)
            top -= 1
        elif stage[top] == 0:
            stage[top] = 1
            top += 1
            first[top], size[top], stage[top] = first[top - 1], half, 0
        elif stage[top] == 1:
            left[top], stage[top] = result, 2
            top += 1
            first[top], size[top], stage[top] = first[top - 1] + half, m - half, 0
        else:
            result = left[top] + result
            top -= 1
    return result


@njit(**_JIT)
def sum_by_key(
    values: NDArray[np.float64], keys: NDArray[np.int64], n_keys: int
) -> NDArray[np.float64]:
    """Sum of the values of each key, as numpy's ``values[keys == k].sum()``.

    The values are grouped by key in one stable pass (a counting sort), then each group is
    summed with :func:`pairwise_sum`.

    Args:
        values: Values, one per line.
        keys: Key in ``[0, n_keys)``, one per line.
        n_keys: Number of keys.

    Returns:
        float64 sums by key.
    """
    first = np.zeros(n_keys + 1, np.int64)
    for k in keys:
        first[k + 1] += 1
    for k in range(n_keys):
        first[k + 1] += first[k]
    grouped = np.empty(len(values), np.float64)
    filled = first[:-1].copy()
    for i in range(len(values)):
        grouped[filled[keys[i]]] = values[i]
        filled[keys[i]] += 1
    out = np.empty(n_keys, np.float64)
    for k in range(n_keys):
        out[k] = 0.0 + pairwise_sum(grouped, first[k], first[k + 1] - first[k])
    return out


@njit(**_JIT)
def billed_minutes(
    slot: NDArray[np.int64],
    family: NDArray[np.int64],
    status: NDArray[np.int64],
    cm_minutes: NDArray[np.int16],
    bhi_minutes: NDArray[np.int16],
) -> tuple[int, int]:
    """Minutes of the patient-months with a paid CoCM line, and with a paid general-BHI line.

    Each patient-month counts once per family (a month billing 99492 and 99494 counts its
    minutes once).

    Args:
        slot: Slot of each line.
        family: Revenue family code of each line.
        status: Status code of each line.
        cm_minutes: Care-manager minutes by slot.
        bhi_minutes: General-BHI minutes by slot (same length).

    Returns:
        ``(care-manager minutes, general-BHI minutes)``.
    """
    counted = np.zeros(len(cm_minutes), np.uint8)  # bit 1: CoCM counted, bit 2: general BHI
    cm_total = 0
    bhi_total = 0
    for i in range(len(slot)):
        if status[i] != _PAID:
            continue
        s = slot[i]
        if family[i] == _COCM and not counted[s] & 1:
            counted[s] |= 1
            cm_total += int(cm_minutes[s])
        elif family[i] == _GENERAL_BHI and not counted[s] & 2:
            counted[s] |= 2
            bhi_total += int(bhi_minutes[s])
    return cm_total, bhi_total


@njit(**_JIT)
def count_by_payer(
    slots: NDArray[np.int64], payer: NDArray[np.int8], n_payers: int
) -> NDArray[np.int64]:
    """Number of the given slots by payer code.

    Args:
        slots: Slots.
        payer: Payer code by slot.
        n_payers: Number of payers.

    Returns:
        int64 counts by payer.
    """
    out = np.zeros(n_payers, np.int64)
    for s in slots:
        out[payer[s]] += 1
    return out


@njit(**_JIT)
def month_totals(
    ints: NDArray[np.int64], floats: NDArray[np.float64], n_families: int, n_payers: int
) -> NDArray[np.float64]:
    """Revenue totals of a month's claim lines (USD), summed as numpy sums them.

    Args:
        ints: Integer line block (rows :data:`INT_ROWS`).
        floats: Float line block (rows :data:`FLOAT_ROWS`, USD).
        n_families: Number of revenue families.
        n_payers: Number of payers.

    Returns:
        Concatenated: revenue (payer paid + collected) by family, revenue by payer, payer paid
        by payer, then the month's collected and revenue totals.
    """
    paid = floats[_F_PAID]
    collected = floats[_F_COLLECTED]
    revenue = paid + collected
    n = len(revenue)
    out = np.empty(n_families + 2 * n_payers + 2, np.float64)
    out[:n_families] = sum_by_key(revenue, ints[_I_FAMILY], n_families)
    out[n_families : n_families + n_payers] = sum_by_key(revenue, ints[_I_PAYER], n_payers)
    out[n_families + n_payers : n_families + 2 * n_payers] = sum_by_key(
        paid, ints[_I_PAYER], n_payers
    )
    out[-2] = 0.0 + pairwise_sum(collected, 0, n)
    out[-1] = 0.0 + pairwise_sum(revenue, 0, n)
    return out


# --------------------------------------------------------------------------- the month


@njit(**_JIT)
def bill_lines(
    month: int,
    slots: ArrayTuple,
    patients: ArrayTuple,
    plan: ArrayTuple,
    pricing: ArrayTuple,
    n_families: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """A month's claim lines and totals from the slots served (:func:`service_slots`).

    One call for :func:`claim_lines`, :func:`price_lines`, :func:`month_totals`,
    :func:`billed_minutes` and :func:`count_by_payer`.

    Args:
        month: Simulation month.
        slots: The month's served slots by kind of service, and the CoCM episodes started
            (:class:`MonthSlots` fields).
        patients: The served patients' arrays by slot (:class:`ServedPatients` fields).
        plan: The year's coding plan (:class:`PlanTables` fields).
        pricing: The scenario's per-payer rates and rules and per-family capture
            (:class:`PayerTables` fields).
        n_families: Number of revenue families.

    Returns:
        ``(ints, floats, money, counts)``: the line blocks of :func:`price_lines`, the totals of
        :func:`month_totals` (USD), and the care-manager then the general-BHI minutes of
        patient-months with a paid line (before capture) followed by the CoCM episodes started
        by payer.
    """
    slot, group, units = claim_lines(slots, patients, plan)
    ints, floats = price_lines(month, slot, group, units, patients, plan, pricing)
    payer, cm_minutes, bhi_minutes, new_episodes = patients[0], patients[1], patients[3], slots[4]
    n_payers = pricing[0].shape[1]
    money = month_totals(ints, floats, n_families, n_payers)
    counts = np.empty(2 + n_payers, np.int64)
    counts[0], counts[1] = billed_minutes(
        ints[_I_SLOT], ints[_I_FAMILY], ints[_I_STATUS], cm_minutes, bhi_minutes
    )
    counts[2:] = count_by_payer(new_episodes, payer, n_payers)
    return ints, floats, money, counts


@njit(**_JIT)
def bill_population(
    month: int,
    population: ArrayTuple,
    n_used: int,
    new_episodes: NDArray[np.int64],
    plan: ArrayTuple,
    pricing: ArrayTuple,
    n_families: int,
    mental_health: int,
    health_behavior: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """A month's claim lines and totals straight from the population arrays.

    :func:`service_slots` then :func:`bill_lines` in one call: the served slots stay inside the
    compiled code (no slot arrays boxed and unboxed between two calls), and the totals come back
    as one array.

    Args:
        month: Simulation month.
        population: The population's arrays by slot (:class:`ServicePopulation` fields).
        n_used: Slots in use.
        new_episodes: Slots whose CoCM episode started this month (int64).
        plan: The year's coding plan (:class:`PlanTables` fields), with minute tables of some
            size; if they do not cover the month's largest minutes, nothing is billed (see
            Returns).
        pricing: The scenario's per-payer rates and rules and per-family capture
            (:class:`PayerTables` fields).
        n_families: Number of revenue families.
        mental_health: Code of a mental-health BHC visit.
        health_behavior: Code of a health-behavior BHC visit.

    Returns:
        ``(ints, floats, totals)``: the line blocks of :func:`bill_lines`, and its ``money``
        then its ``counts`` (as floats, exact) followed by the month's largest care-manager or
        general-BHI minutes. When the plan's minute tables are too small for those minutes, the
        blocks have no line and only that last total is set: bill again with larger tables.
    """
    payer, cm_minutes, cm_initial, bhi_minutes, same_day, bhc_visit, bhc_kind = population
    n_payers = pricing[0].shape[1]
    n_totals = n_families + 2 * n_payers + 2 + 2 + n_payers + 1
    cm, mh, hb, bhi, max_minutes = service_slots(
        cm_minutes, bhi_minutes, bhc_visit, bhc_kind, n_used, mental_health, health_behavior
    )
    if max_minutes >= plan[2].shape[1] or max_minutes >= plan[5].shape[0]:  # tables too small
        totals = np.zeros(n_totals, np.float64)
        totals[-1] = max_minutes
        return np.empty((_N_INT_ROWS, 0), np.int64), np.empty((_N_FLOAT_ROWS, 0)), totals
    ints, floats, money, counts = bill_lines(
        month,
        (cm, mh, hb, bhi, new_episodes),
        (payer, cm_minutes, cm_initial, bhi_minutes, same_day),
        plan,
        pricing,
        n_families,
    )
    totals = np.empty(n_totals, np.float64)
    totals[: len(money)] = money
    for k in range(len(counts)):
        totals[len(money) + k] = counts[k]
    totals[-1] = max_minutes
    return ints, floats, totals
