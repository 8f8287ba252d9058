"""Queues and rationing: PCP visits over capacity, first-in-order picks, waitlist scans."""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import JIT


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
