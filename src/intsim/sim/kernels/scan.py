"""Scans of the panel for the few slots a step concerns (decision 90).

Recorded in docs/decisions/0090-exact-draw-thresholds-and-sparse-scans.md.

Most steps concern a small share of the panel: patients on a waitlist, in CoCM, due for a visit.
A kernel first flags the slots in a branch-free pass over slots ``0 .. n-1`` (which the compiler
vectorises), then collects them with :func:`flagged_slots`, which reads the flags eight at a
time as one 64-bit word and skips the words with none set.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import JIT

#: Slots per word of :func:`flagged_slots`.
WORD = 8


@njit(**JIT)
def padded_flags(n: int) -> NDArray[np.bool_]:
    """A flag per slot ``0 .. n-1``, padded with ``False`` to a whole number of 8-slot words.

    The first ``n`` flags are left for the caller to write.
    """
    flags = np.empty((n + WORD - 1) // WORD * WORD, np.bool_)
    for s in range(n, len(flags)):
        flags[s] = False
    return flags


@njit(**JIT)
def flagged_slots(flags: NDArray[np.bool_]) -> NDArray[np.int64]:
    """The slots whose flag is set, ascending (``flags`` from :func:`padded_flags`)."""
    words = flags.view(np.uint64)
    out = np.empty(len(flags), np.int64)
    m = 0
    for w in range(len(words)):
        if words[w] != 0:
            for s in range(WORD * w, WORD * w + WORD):
                out[m] = s
                m += flags[s]
    return out[:m]
