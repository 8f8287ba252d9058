"""CoCM registry bookkeeping in one compiled call each: reviews, measurement, the offer.

The psychiatric consultant's registry reviews, the three-month measurement and the CoCM offer,
called by :mod:`intsim.sim.care.cocm` (both engines; the waitlist's upkeep is in
:mod:`intsim.sim.kernels.queues`). Each kernel replaces several numpy passes over the panel,
fancy indexing and ``priority`` draws with one call that hands back counts where it can: boxing
an array for Python costs about 2 us, an int next to nothing. Scans over the whole panel read
eight int8 slots a 64-bit word and look at single slots only in words that hold a CoCM patient
(:mod:`intsim.sim.kernels.scan`).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import BH_ACTIVE, JIT, TX_COCM
from intsim.sim.kernels.queues import first_served
from intsim.sim.kernels.rng import unit_uniform
from intsim.sim.kernels.scan import slots_in_treatment


@njit(**JIT)
def measurement_due(
    n: int,
    measure_month: int,
    treatment: NDArray[np.int8],
    treatment_month: NDArray[np.int16],
    followup_ok: NDArray[np.bool_],
) -> NDArray[np.int64]:
    """CoCM patients (slots ``0 .. n-1``) in treatment month ``measure_month`` with the follow-up.

    Few slots are in CoCM: they are found by
    :func:`intsim.sim.kernels.scan.slots_in_treatment`.

    Returns:
        The slots due for the measurement (ascending).
    """
    in_cocm = slots_in_treatment(treatment, n, TX_COCM)
    out = np.empty(len(in_cocm), np.int64)
    m = 0
    for s in in_cocm:
        out[m] = s
        m += (treatment_month[s] == measure_month) & followup_ok[s]
    return out[:m].copy()


@njit(**JIT)
def count_improved(
    observed: NDArray[np.int64],
    slots: NDArray[np.int64],
    enrol_score: NDArray[np.int8],
    below: int,
    share: float,
) -> int:
    """How many measured patients improved significantly (AIMS Center).

    ``observed[i]`` is the observed score of ``slots[i]``; improved is below ``below`` or at
    most ``share`` times the enrolment score (compared in float64, as numpy does).
    """
    count = 0
    for i in range(len(slots)):
        score = observed[i]
        count += (score < below) or (float(score) <= share * float(enrol_score[slots[i]]))
    return count


@njit(**JIT)
def psychiatric_review_month(
    caseload: NDArray[np.int64],
    priority_key: np.uint64,
    rule: tuple[int, int, bool, int, int],
    treatment_month: NDArray[np.int16],
    bh: NDArray[np.int8],
    reviewed: NDArray[np.bool_],
    last_review: NDArray[np.int16],
    psych_minutes: NDArray[np.int16],
) -> tuple[int, int]:
    """The psychiatric consultant's reviews of the month over the CoCM ``caseload`` (in place).

    Due: non-improvers (BH active) from treatment month ``review_month`` on, not reviewed yet
    (``last_review == 0``) or reviewed ``rereview_months`` or more ago; with ``review_new``,
    each patient in treatment month 1 (or 0) too. Up to ``capacity`` reviews are held:
    non-improvers first, by (longest in treatment, ``priority`` uniform of ``priority_key``,
    slot), then new patients by (priority, slot) — the order of
    :func:`intsim.sim.providers.first_by_priority`. A reviewed non-improver gets ``reviewed``
    and ``last_review`` (its treatment month); every reviewed patient ``minutes`` of
    ``psych_minutes``.

    Args:
        caseload: CoCM patients (ascending slots).
        priority_key: Key of the ``priority`` stream this month.
        rule: ``(review_month, rereview_months, review_new, capacity, minutes)``: months,
            months, flag, reviews the consultant's minutes allow, minutes a review.
        treatment_month: Months in treatment of each slot (months).
        bh: BH state of each slot.
        reviewed, last_review, psych_minutes: Written for the reviewed patients.

    Returns:
        Reviews due and reviews held (``min(due, capacity)``).
    """
    review_month, rereview_months, review_new, capacity, minutes = rule
    m = len(caseload)
    stuck = np.empty(m, np.int64)
    new = np.empty(m, np.int64)
    n_stuck = 0
    n_new = 0
    for s in caseload:
        t = np.int64(treatment_month[s])
        last = np.int64(last_review[s])
        if t >= review_month and bh[s] == BH_ACTIVE and (last == 0 or t - last >= rereview_months):
            stuck[n_stuck] = s
            n_stuck += 1
        if review_new and t <= 1:
            new[n_new] = s
            n_new += 1
    due = n_stuck + n_new
    n = min(due, capacity)
    if n <= 0:
        return due, n
    k_stuck = min(n, n_stuck)
    chosen = _first_reviewed(stuck[:n_stuck], k_stuck, priority_key, treatment_month, True)
    for s in chosen:
        reviewed[s] = True
        last_review[s] = treatment_month[s]
        psych_minutes[s] = minutes
    for s in _first_reviewed(new[:n_new], n - k_stuck, priority_key, treatment_month, False):
        psych_minutes[s] = minutes
    return due, n


@njit(**JIT)
def _first_reviewed(
    slots: NDArray[np.int64],
    k: int,
    priority_key: np.uint64,
    treatment_month: NDArray[np.int16],
    longest_first: bool,
) -> NDArray[np.int64]:
    """The ``k`` of ascending ``slots`` first by (key, priority uniform, slot), as a set.

    Key: minus the treatment month with ``longest_first``, else none
    (:func:`intsim.sim.kernels.queues.first_served`; no draws when ``k`` covers every slot,
    none chosen when ``k <= 0``).
    """
    if k <= 0:
        return slots[:0]
    key = np.zeros(len(slots), np.int64)
    if longest_first:
        for i in range(len(slots)):
            key[i] = -np.int64(treatment_month[slots[i]])
    return first_served(slots, key, priority_key, k)


@njit(**JIT)
def offered_slots(
    slots: NDArray[np.int64], offer_key: np.uint64, probability: float
) -> NDArray[np.int64]:
    """The ``slots`` offered CoCM: their ``offer`` uniform is below ``probability``.

    As ``slots[streams.uniform("offer", month, slots) < probability]`` (order kept), with
    ``offer_key`` the key of the ``offer`` stream this month.
    """
    out = np.empty(len(slots), np.int64)
    m = 0
    for s in slots:
        out[m] = s
        m += unit_uniform(offer_key, s) < probability
    return out[:m].copy()
