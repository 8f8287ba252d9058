"""Scans of the panel for the few slots a step concerns (decision 90).

Recorded in docs/decisions/0090-exact-draw-thresholds-and-sparse-scans.md.

Most steps concern a small share of the panel: patients on a waitlist, in CoCM, due for a visit.
Two ways find them without looking at every slot:

- a kernel flags the slots in a branch-free pass over slots ``0 .. n-1`` (which the compiler
  vectorises), then collects them with :func:`flagged_slots`, which reads the flags eight at a
  time as one 64-bit word and skips the words with none set;
- a kernel reads a state array itself a 64-bit word at a time — eight int8 slots, tested with
  :func:`holds_byte` for a treatment code, or four int16 join months, compared with
  :data:`NOBODY_WAITING` — and looks at single slots only in the words that hold one of interest.

Found slots go into growing buffers (:func:`append`, :func:`grown`): a buffer as long as the
panel would cost a fresh page mapping on every call.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import JIT

#: Slots per word of :func:`flagged_slots`.
WORD = 8
#: A word of four int16 join months that are all ``-1`` (nobody waiting in those four slots).
NOBODY_WAITING = np.uint64(0xFFFFFFFFFFFFFFFF)
#: Byte patterns of :func:`holds_byte`: 1 and 128 in each byte.
BYTES_LOW = np.uint64(0x0101010101010101)
BYTES_HIGH = np.uint64(0x8080808080808080)


def byte_pattern(code: int) -> np.uint64:
    """A word with ``code`` in each of its eight bytes (the ``pattern`` of :func:`holds_byte`)."""
    return np.uint64(0x0101010101010101 * code)


@njit(**JIT)
def holds_byte(word: np.uint64, pattern: np.uint64) -> bool:
    """Whether any byte of ``word`` equals the byte repeated in ``pattern`` (:func:`byte_pattern`).

    The bytes equal to it are the zero bytes of ``word ^ pattern``; a zero byte is the only one
    whose high bit is set by subtracting 1 from it and clear in its complement.
    """
    v = word ^ pattern
    return ((v - BYTES_LOW) & ~v & BYTES_HIGH) != 0


@njit(**JIT)
def grown(buffer: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """A buffer twice as long as ``buffer`` holding its first ``n`` values."""
    out = np.empty(2 * len(buffer), np.int64)
    out[:n] = buffer[:n]
    return out


@njit(**JIT)
def append(buffer: NDArray[np.int64], n: int, value: int) -> NDArray[np.int64]:
    """Store ``value`` at ``buffer[n]``, doubling the buffer when it is full; the buffer."""
    if n == len(buffer):
        buffer = grown(buffer, n)
    buffer[n] = value
    return buffer


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


@njit(**JIT)
def slots_in_treatment(treatment: NDArray[np.int8], n: int, code: int) -> NDArray[np.int64]:
    """Slots ``0 .. n-1`` whose treatment code is ``code`` (``0 .. 127``), ascending.

    The scan reads eight int8 codes (C-contiguous) a 64-bit word and looks at single slots only
    in a word that holds the code (:func:`holds_byte`). The buffer's room is checked once per
    such word (grown by :func:`grown` when short), so its eight slots are stored with no call
    (a call per slot found cost about as much as the scan).
    """
    pattern = BYTES_LOW * np.uint64(code)  # the code in each byte (as byte_pattern)
    out = np.empty(256, np.int64)  # grown when full
    k = 0
    n_words = n // 8
    words = treatment[: n_words * 8].view(np.uint64)
    for w in range(n_words):
        if holds_byte(words[w], pattern):
            out = grown(out, k) if k + WORD > len(out) else out
            for s in range(w * 8, w * 8 + 8):
                if treatment[s] == code:
                    out[k] = s
                    k += 1
    for s in range(n_words * 8, n):
        if treatment[s] == code:
            out = append(out, k, s)
            k += 1
    return out[:k].copy()


@njit(**JIT)
def slots_treated(treatment: NDArray[np.int8], n: int) -> NDArray[np.int64]:
    """Slots ``0 .. n-1`` with any treatment (code other than 0, ``TX_NONE``), ascending.

    The scan reads eight int8 codes a 64-bit word and skips the words of eight untreated slots;
    in the others each slot is stored and kept only if treated, with no branch (about one word
    in three holds a treated slot: branching on each of its slots would mispredict often).
    """
    out = np.empty(1024, np.int64)  # grown when full
    k = 0
    n_words = n // 8
    words = treatment[: n_words * 8].view(np.uint64)
    for w in range(n_words):
        if words[w] != np.uint64(0):
            out = grown(out, k) if k + WORD > len(out) else out
            for s in range(w * 8, w * 8 + 8):
                out[k] = s
                k += treatment[s] != 0
    out = grown(out, k) if k + WORD > len(out) else out
    for s in range(n_words * 8, n):
        out[k] = s
        k += treatment[s] != 0
    return out[:k]


@njit(**JIT)
def slots_waiting(since: NDArray[np.int16], n: int) -> NDArray[np.int64]:
    """Slots ``0 .. n-1`` on a queue (join month ``since >= 0``), ascending.

    The scan reads four int16 join months (C-contiguous) a 64-bit word and looks at single
    slots only in a word that is not all ``-1`` (:data:`NOBODY_WAITING`); the buffer's room is
    checked once per such word, as in :func:`slots_in_treatment`.
    """
    out = np.empty(256, np.int64)  # grown when full
    k = 0
    n_words = n // 4
    words = since[: n_words * 4].view(np.uint64)
    for w in range(n_words):
        if words[w] != NOBODY_WAITING:
            out = grown(out, k) if k + 4 > len(out) else out
            for s in range(w * 4, w * 4 + 4):
                if since[s] >= 0:
                    out[k] = s
                    k += 1
    for s in range(n_words * 4, n):
        if since[s] >= 0:
            out = append(out, k, s)
            k += 1
    return out[:k].copy()
