"""Slot-indexed common random numbers (DESIGN.md decision 3).

Every stochastic decision has its own named stream. The uniform a patient gets from a stream in a
month is a function of ``(root seed, stream, month, patient slot)`` alone, so it does not depend on
what other patients did, on the care model, or on the engine. Two generators realise this:

* **dense** streams (decisions nearly every patient takes every month, e.g. whether they visit
  their PCP): one full-length array per (stream, month) from a PCG64 generator seeded with the
  pair's 64-bit key (below); a slot's value is the slot-th output, which does not depend on the
  array length;
* **sparse** streams (decisions few patients take, e.g. consent): a counter-based hash — the
  SplitMix64 finaliser of ``key(stream, month) + slot * golden`` — computed only for the slots that
  need it, as Starsim's counter-based RNG does.

The key of a (stream, month) pair mixes the root key (``SeedSequence(seed)``) with the pair
through the SplitMix64 finaliser.

Both engines call the same functions; :meth:`RandomStreams.uniform_one` (scalar, pure Python) is
bit-identical to :meth:`RandomStreams.uniform` (vectorised).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from intsim.kernels import sparse_uniforms

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_C1 = 0xBF58476D1CE4E5B9
_C2 = 0x94D049BB133111EB
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

#: Stream names, in a fixed order (the index is the stream id; never reorder, only append).
STREAM_NAMES: tuple[str, ...] = (
    "init_payer",
    "init_age",
    "init_chronic",
    "init_bh",
    "init_pcp",
    "incidence",
    "chronic_onset",
    "sub_resolve",
    "onset_condition",
    "onset_chronic_episode",
    "onset_severity",
    "visit",
    "priority",
    "screen",
    "detect",
    "treat_choice",
    "referral",
    "specialty_attend",
    "offer",
    "consent",
    "dropout",
    "cm_minutes",
    "bhc_refer",
    "bhc_engage",
    "bhc_no_show",
    "bhc_episode_visits",
    "improve",
    "recover",
    "relapse",
    "acute",
    "init_episode_month",
    "screen_offer",
    "measure",
    "improve_depth",
    "init_tenure",
    "staff_turnover",
    "staff_fill",
    "staff_initial_fill",
    "cm_departure",
)
STREAM_ID: dict[str, int] = {name: i for i, name in enumerate(STREAM_NAMES)}
DENSE_STREAMS: frozenset[str] = frozenset({"incidence", "visit", "acute", "chronic_onset"})
#: Dense streams are drawn in single precision (24-bit resolution, ample for comparisons with
#: probabilities; cheaper). Sparse streams, including ``priority`` used to rank patients, are
#: double precision (53 bits), so ties are practically impossible.
SINGLE_PRECISION_STREAMS: frozenset[str] = DENSE_STREAMS


class RandomStreams:
    """Named, slot-indexed uniform random streams derived from one root seed.

    Args:
        seed: Root seed (>= 1).
        n_slots: Number of patient slots (the length of dense arrays); every slot index used
            must be below it.
    """

    def __init__(self, seed: int, n_slots: int) -> None:
        if seed < 1:
            raise ValueError(f"seed must be >= 1, got {seed}")
        self.seed = int(seed)
        self.n_slots = int(n_slots)
        self._root_key = int(np.random.SeedSequence(self.seed).generate_state(1, np.uint64)[0])
        self._dense: dict[tuple[int, int], NDArray[np.float64]] = {}
        self._dense_month = -1

    def key(self, stream: str, month: int) -> int:
        """Return the 64-bit key of a (stream, month) pair.

        The key is the SplitMix64 finaliser of the root key (from ``SeedSequence(seed)``) plus a
        mixed (stream, month) counter, so distinct pairs get unrelated keys.
        """
        counter = _mix64((STREAM_ID[stream] << 32) + month + 1)
        return _mix64((self._root_key + counter) & _MASK64)

    def _dense_array(self, stream: str, month: int) -> NDArray[np.floating]:
        """The (stream, month) array over all slots, generated once per month.

        A slot's value is the slot-th output of a PCG64 generator keyed by the pair, so it does
        not depend on how many slots there are.
        """
        if month != self._dense_month:  # keep only the current month's arrays in memory
            self._dense.clear()
            self._dense_month = month
        sid = STREAM_ID[stream]
        arr = self._dense.get((sid, month))
        if arr is None:
            gen = np.random.Generator(np.random.PCG64(self.key(stream, month)))
            dtype = np.float32 if stream in SINGLE_PRECISION_STREAMS else np.float64
            arr = gen.random(self.n_slots, dtype=dtype)
            self._dense[(sid, month)] = arr
        return arr

    def uniform(self, stream: str, month: int, slots: NDArray[np.integer]) -> NDArray[np.float64]:
        """Return one uniform in [0, 1) per slot for this stream and month.

        Args:
            stream: Stream name (see :data:`STREAM_NAMES`).
            month: Month index (0 = initialisation).
            slots: Patient slot indices.

        Returns:
            Array of uniforms aligned with ``slots``.
        """
        if stream in DENSE_STREAMS:
            return self._dense_array(stream, month)[slots]
        return sparse_uniforms(np.uint64(self.key(stream, month)), np.asarray(slots, np.int64))

    def uniform_first(self, stream: str, month: int, n: int) -> NDArray[np.float64]:
        """Return the uniforms of slots ``0 .. n-1`` (slot ``i`` at index ``i``)."""
        if stream in DENSE_STREAMS:
            return self._dense_array(stream, month)[:n]
        return sparse_uniforms(np.uint64(self.key(stream, month)), np.arange(n, dtype=np.int64))

    def keys(self, streams: tuple[str, ...], month: int) -> NDArray[np.uint64]:
        """Keys of several sparse streams in a month, for the compiled kernels."""
        return np.array([self.key(name, month) for name in streams], dtype=np.uint64)

    def dense(self, stream: str, month: int) -> NDArray[np.floating]:
        """The dense stream's uniforms of every slot this month (index = slot; read-only use)."""
        if stream not in DENSE_STREAMS:
            raise ValueError(f"{stream!r} is not a dense stream")
        return self._dense_array(stream, month)

    def uniform_one(self, stream: str, month: int, slot: int) -> float:
        """Scalar version of :meth:`uniform`, bit-identical to it."""
        if stream in DENSE_STREAMS:
            return float(self._dense_array(stream, month)[slot])
        return (_mix64((slot * _GOLDEN + self.key(stream, month)) & _MASK64) >> 11) * _TO_UNIT


def _mix64(x: int) -> int:
    """SplitMix64 finaliser of a 64-bit integer (pure Python, exact)."""
    x ^= x >> 30
    x = (x * _C1) & _MASK64
    x ^= x >> 27
    x = (x * _C2) & _MASK64
    return x ^ (x >> 31)
