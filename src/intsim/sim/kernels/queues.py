"""Queues and rationing: PCP visits over capacity, first-in-order picks, waitlists, BHC bookings."""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import JIT, TX_PCBH
from intsim.sim.kernels.rng import sparse_uniforms
from intsim.sim.kernels.scan import NOBODY_WAITING, append, flagged_slots, grown, padded_flags


@njit(**JIT)
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


@njit(**JIT)
def _before(key_a: int, prio_a: float, slot_a: int, key_b: int, prio_b: float, slot_b: int) -> bool:
    """Whether (key, priority, slot) ``a`` comes before ``b`` (lexicographic order)."""
    if key_a != key_b:
        return key_a < key_b
    if prio_a != prio_b:
        return prio_a < prio_b
    return slot_a < slot_b


@njit(**JIT)
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


@njit(**JIT)
def in_order(priority: NDArray[np.float64], key: NDArray[np.int64]) -> NDArray[np.int64]:
    """Positions of ascending slots ordered by (``key``, ``priority``, slot).

    Two stable sorts (priority, then key) keep equal pairs in slot order: the order of
    ``np.lexsort((slots, priority, key))`` (:func:`intsim.sim.providers.order_by_priority`).
    """
    by_priority = np.argsort(priority, kind="mergesort")
    return by_priority[np.argsort(key[by_priority], kind="mergesort")]


#: Largest ``k`` that :func:`head_in_order` picks with the insertion buffer of
#: :func:`first_in_order` (as :data:`intsim.sim.providers.FIRST_BY_INSERTION_MAX`).
INSERTION_MAX = 256


@njit(**JIT)
def head_in_order(
    slots: NDArray[np.int64], priority: NDArray[np.float64], key: NDArray[np.int64], k: int
) -> NDArray[np.int64]:
    """The first ``k`` of ascending ``slots`` ordered by (``key``, ``priority``, slot), in order.

    A few from a long queue by the insertion buffer of :func:`first_in_order`, more by the full
    stable sort of :func:`in_order`.
    """
    if k < len(slots) and k <= INSERTION_MAX:
        return first_in_order(slots, priority, key, k)
    return slots[in_order(priority, key)[: max(k, 0)]]


@njit(**JIT)
def first_served(
    slots: NDArray[np.int64], key: NDArray[np.int64], priority_key: np.uint64, k: int
) -> NDArray[np.int64]:
    """The first ``k`` of ascending ``slots`` by (``key``, ``priority`` uniform, slot), as a set.

    The patients :func:`intsim.sim.providers.first_by_priority` serves, returned in ascending
    slot order (callers only need who is served). ``priority_key``: key of the ``priority``
    stream this month.
    """
    if k >= len(slots):
        return slots
    priority = sparse_uniforms(priority_key, slots)
    if k >= SELECT_MIN and _all_equal(key):
        return lowest_priority(slots, priority, k)
    return np.sort(head_in_order(slots, priority, key, k))


#: Smallest ``k`` that :func:`first_served` picks by :func:`lowest_priority` when every key is the
#: same (below it the insertion buffer of :func:`first_in_order` is as fast).
SELECT_MIN = 32


@njit(**JIT)
def _all_equal(key: NDArray[np.int64]) -> bool:
    """Whether every entry of ``key`` is the same (true when empty)."""
    return len(key) == 0 or key.min() == key.max()


@njit(**JIT)
def lowest_priority(
    slots: NDArray[np.int64], priority: NDArray[np.float64], k: int
) -> NDArray[np.int64]:
    """The first ``k`` (``0 < k < len(slots)``) of ascending ``slots`` by (priority, slot): a set.

    The same patients as the first ``k`` of :func:`head_in_order` with one key for all, found
    without ordering them: the ``k``-th smallest priority is the cut (``np.partition``);
    everyone below it is taken, then those at the cut in slot order while places are left.

    Returns:
        The patients taken, ascending.
    """
    cut = np.partition(priority, k - 1)[k - 1]
    below = 0
    for p in priority:
        below += p < cut
    ties_left = k - below  # at least 1: the cut itself
    out = np.empty(k, np.int64)
    m = 0
    for i in range(len(slots)):
        p = priority[i]
        if p < cut or (p == cut and ties_left > 0):
            ties_left -= p == cut
            out[m] = slots[i]
            m += 1
    return out


@njit(**JIT)
def turn_away_newest(
    since: NDArray[np.int16], n: int, month: int, limit: int, priority_key: np.uint64
) -> int:
    """Waitlist policy: turn away this month's newcomers while the queue exceeds ``limit``.

    ``since`` holds each slot's join month (``-1``: not waiting; slots ``0 .. n-1``). While the
    queue is longer than ``limit``, patients who joined in ``month`` leave it, highest
    ``priority`` uniform (``priority_key``) first (ties: highest slot first), until it is no
    longer than ``limit`` or no newcomer is left; their ``since`` is reset to ``-1`` in place.
    The queue and its newcomers are found in one pass that reads four int16 slots (C-contiguous)
    a 64-bit word and looks at single slots only in a word that is not all ``-1`` (the buffer's
    room checked once per such word, as :func:`intsim.sim.kernels.scan.slots_waiting`).

    Returns:
        How many were turned away.
    """
    new = np.empty(256, np.int64)  # this month's newcomers (ascending), grown when full
    joined = 0
    waiting = 0
    n_words = n // 4
    words = since[: n_words * 4].view(np.uint64)
    for w in range(n_words):
        if words[w] != NOBODY_WAITING:
            new = grown(new, joined) if joined + 4 > len(new) else new  # room for the word
            for s in range(w * 4, w * 4 + 4):
                waiting += since[s] >= 0
                if since[s] == month:
                    new[joined] = s
                    joined += 1
    for s in range(n_words * 4, n):
        waiting += since[s] >= 0
        if since[s] == month:
            new = append(new, joined, s)
            joined += 1
    n_out = min(waiting - limit, joined)
    if n_out <= 0:
        return 0
    # the newcomers who stay are the first ``joined - n_out`` by (priority, slot): everyone
    # else leaves (a few kept out of a long list: no full sort)
    new = new[:joined]
    stay = head_in_order(
        new, sparse_uniforms(priority_key, new), np.zeros(joined, np.int64), joined - n_out
    )
    for s in new:
        since[s] = -1
    for s in stay:
        since[s] = month
    return n_out


@njit(**JIT)
def expire_queue(since: NDArray[np.int16], n: int, joined_by: int) -> int:
    """Take the slots (``0 .. n-1``) that joined in month ``joined_by`` or earlier off the queue.

    Their join month ``since`` is reset to ``-1`` in place. Few slots wait: the scan ANDs four
    64-bit words of four int16 join months and looks at single slots only in a block of 16 that
    is not all ``-1`` (:data:`intsim.sim.kernels.scan.NOBODY_WAITING`). Returns how many left
    the queue.
    """
    n_words = n // 4
    words = since[: n_words * 4].view(np.uint64)
    n_blocks = n_words // 4
    count = 0
    for b in range(n_blocks):
        w = 4 * b
        if (words[w] & words[w + 1] & words[w + 2] & words[w + 3]) != NOBODY_WAITING:
            for s in range(16 * b, 16 * b + 16):
                count += _expire_slot(s, since, joined_by)
    for s in range(16 * n_blocks, n):
        count += _expire_slot(s, since, joined_by)
    return count


@njit(**JIT)
def _expire_slot(s: int, since: NDArray[np.int16], joined_by: int) -> bool:
    """Whether slot ``s`` joined by month ``joined_by`` (then its ``since`` is reset to -1)."""
    w = since[s]
    if w >= 0 and w <= joined_by:
        since[s] = -1
        return True
    return False


@njit(**JIT)
def book_bhc_visits(
    n: int,
    free: int,
    priority_key: np.uint64,
    treatment: NDArray[np.int8],
    visits_left: NDArray[np.int8],
    since: NDArray[np.int16],
    bhc_visit: NDArray[np.bool_],
) -> tuple[NDArray[np.int64], int]:
    """Book the month's scheduled BHC slots: follow-ups due first, then the waiting queue.

    Follow-ups due are PCBH episodes (slots ``0 .. n-1``) with planned visits left and no visit
    yet this month; each uses up one planned visit, booked or not. When the ``free`` slots are
    fewer, follow-ups are booked by ``priority`` uniform (``priority_key``), then patients
    waiting (``bhc_wait_since >= 0``) by join month, priority and slot.

    Args:
        n: Slots in use.
        free: Unused slots this month (scheduled and same-day).
        priority_key: Key of the ``priority`` stream this month.
        treatment: Treatment of each slot.
        visits_left: Planned BHC visits left in each slot's PCBH episode (decremented).
        since: Month each slot started waiting for a BHC visit (-1: not waiting).
        bhc_visit: Whether each slot saw a BHC already this month.

    The three treatment arrays it reads are passed alone, not as the treatment group of ten
    (each array passed costs about 0.1 us to unbox).

    Returns:
        The booked slots (ascending) and the number of follow-ups due.
    """
    is_due = padded_flags(n)
    is_waiting = padded_flags(n)
    for s in range(n):
        is_due[s] = (treatment[s] == TX_PCBH) & (visits_left[s] > 0) & ~bhc_visit[s]
        is_waiting[s] = since[s] >= 0
    due = flagged_slots(is_due)
    waiting = flagged_slots(is_waiting)
    n_due, n_waiting = len(due), len(waiting)
    for s in due:
        visits_left[s] -= 1
    due = first_served(due, np.zeros(n_due, np.int64), priority_key, free)
    free -= len(due)
    wait_key = np.empty(n_waiting, np.int64)
    for i in range(n_waiting):
        wait_key[i] = since[waiting[i]]
    waiting = first_served(waiting, wait_key, priority_key, free)
    return np.sort(np.concatenate((due, waiting))), n_due


@njit(**JIT)
def sort_out_bookings(
    month: int,
    booked: NDArray[np.int64],
    missed: NDArray[np.bool_],
    treatment: NDArray[np.int8],
    since: NDArray[np.int16],
) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """Split the month's BHC bookings by who came: follow-ups seen and first visits.

    A patient waiting for a first visit who misses it leaves the queue (its
    ``bhc_wait_since`` is reset in place).

    Args:
        month: Current month.
        booked: Booked slots (ascending).
        missed: Whether each booking was missed (the patients' no-show rule).
        treatment: Treatment of each slot.
        since: Month each slot started waiting for a BHC visit (``bhc_wait_since``; reset for
            a missed first visit). Passed alone, not as the treatment group of ten arrays
            (each array passed costs about 0.1 us to unbox).

    Returns:
        The follow-ups seen (PCBH episodes), the patients starting an episode (both ascending)
        and the months the starters waited, summed.
    """
    n_followups = 0
    n_starting = 0
    for i in range(len(booked)):
        s = booked[i]
        n_followups += (not missed[i]) and treatment[s] == TX_PCBH
        n_starting += (not missed[i]) and treatment[s] != TX_PCBH
    followups = np.empty(n_followups, np.int64)
    starting = np.empty(n_starting, np.int64)
    a = 0
    b = 0
    wait_months = 0
    for i in range(len(booked)):
        s = booked[i]
        if treatment[s] == TX_PCBH:
            if not missed[i]:
                followups[a] = s
                a += 1
        elif missed[i]:
            since[s] = -1
        else:
            starting[b] = s
            b += 1
            wait_months += month - np.int64(since[s])
    return followups, starting, wait_months
