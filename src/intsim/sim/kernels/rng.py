"""Counter-based random numbers of the kernels (decision 44).

Recorded in docs/decisions/0044-compiled-per-slot-kernels.md.

Uniforms are drawn inline, only for the slots that need them, by :func:`unit_uniform` — the
SplitMix64 finaliser of ``key + slot * golden`` with wrapping 64-bit arithmetic, bit-identical to
:mod:`intsim.sim.streams` — and compared with float64 probabilities.

A uniform is its 53 random bits times 2**-53 (:func:`draw_bits`). Where a kernel only compares a
draw with a probability fixed for the loop, it compares the bits with the integer
:func:`draw_threshold` of the probability instead — the same answer for every draw, without the
integer-to-float conversion that AVX2 processors lack as a vector instruction.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import JIT

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53
_TWO53 = 9007199254740992.0  # 2**53
_S1 = np.uint64(1)
_ONE = np.uint64(1)
# exponent bits of 2**52: OR-ed with an integer below 2**52 they give the double 2**52 + integer
_EXP52 = np.uint64(0x4330000000000000)
_TWO52 = 4503599627370496.0  # 2**52
_TO_UNIT52 = 1.0 / 4503599627370496.0  # 2**-52


@njit(**JIT)
def mix64(x: np.uint64) -> np.uint64:
    """SplitMix64 finaliser (wrapping 64-bit arithmetic)."""
    x ^= x >> _S30
    x *= _C1
    x ^= x >> _S27
    x *= _C2
    return x ^ (x >> _S31)


@njit(**JIT)
def draw_bits(key: np.uint64, slot: np.int64) -> np.uint64:
    """The 53 random bits of one slot's draw: :func:`unit_uniform` is ``draw_bits * 2**-53``."""
    return mix64(np.uint64(slot) * _GOLDEN + key) >> _S11


@njit(**JIT)
def unit_uniform(key: np.uint64, slot: np.int64) -> float:
    """Counter-based uniform in [0, 1) of one slot: SplitMix64 of ``key + slot * golden``."""
    return float(draw_bits(key, slot)) * _TO_UNIT


@njit(**JIT)
def draw_threshold(p: float) -> np.uint64:
    """The integer ``t`` with ``draw_bits < t`` exactly when ``unit_uniform < p``.

    A draw is ``x * 2**-53`` with ``x`` an integer below ``2**53``, and ``p * 2**53`` is exact
    (a power-of-two scaling), so ``x * 2**-53 < p`` holds exactly when ``x < ceil(p * 2**53)``.
    ``p <= 0`` or NaN gives 0 (never below), ``p >= 1`` gives ``2**53`` (always below).
    """
    if not p > 0.0:  # also NaN: no uniform is below NaN
        return np.uint64(0)
    if p >= 1.0:
        return np.uint64(9007199254740992)
    return np.uint64(np.ceil(p * _TWO53))


@njit(**JIT)
def draw_thresholds(p: NDArray[np.float64]) -> NDArray[np.uint64]:
    """:func:`draw_threshold` of each probability."""
    out = np.empty(len(p), np.uint64)
    for i in range(len(p)):
        out[i] = draw_threshold(p[i])
    return out


@njit(**JIT)
def first_uniforms(key: np.uint64, n: int) -> NDArray[np.float64]:
    """Counter-based uniforms of slots ``0 .. n-1``, bit-identical to :func:`unit_uniform`.

    Kernels that need a draw for most slots take them from here. The loops vectorise: AVX2 has
    no vector conversion of 64-bit integers to doubles, so the 53 bits are converted exactly by
    their halves — the high 52 bits by setting the exponent of ``2**52`` over them (then
    subtracting ``2**52``), the lowest bit as ``0.5`` — about 30% faster than ``float(x)``.
    """
    high = np.empty(n, np.uint64)
    low = np.empty(n, np.float64)
    for s in range(n):
        x = draw_bits(key, s)
        high[s] = (x >> _S1) | _EXP52
        low[s] = 0.5 if (x & _ONE) else 0.0
    out = high.view(np.float64)
    for s in range(n):
        out[s] = ((out[s] - _TWO52) + low[s]) * _TO_UNIT52  # (x >> 1) + (x & 1) / 2, exact
    return out


@njit(**JIT)
def sparse_uniforms(key: np.uint64, slots: NDArray[np.int64]) -> NDArray[np.float64]:
    """Counter-based uniforms of the given slots (see :func:`unit_uniform`)."""
    out = np.empty(len(slots), np.float64)
    for i in range(len(slots)):
        out[i] = unit_uniform(key, slots[i])
    return out


@njit(**JIT)
def stream_keys(root_key: np.uint64, n_streams: int, n_months: int) -> NDArray[np.uint64]:
    """Keys of every (stream, month) pair, months ``0 .. n_months - 1``.

    ``key = mix64(root + mix64((stream << 32) + month + 1))``, as
    :meth:`intsim.sim.streams.RandomStreams.key` computes one at a time.
    """
    out = np.empty((n_streams, n_months), np.uint64)
    for sid in range(n_streams):
        for month in range(n_months):
            counter = mix64((np.uint64(sid) << np.uint64(32)) + np.uint64(month + 1))
            out[sid, month] = mix64(root_key + counter)
    return out


@njit(**JIT)
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
