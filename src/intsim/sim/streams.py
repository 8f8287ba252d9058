"""Slot-indexed common random numbers (docs/architecture.md decision 3).

Every stochastic decision has its own named stream. The uniform a patient gets from a stream in a
month is a function of ``(root seed, stream, month, patient slot)`` alone, so it does not depend on
what other patients did, on the care model, or on the engine. It is a counter-based hash, as
Starsim's counter-based RNG: the SplitMix64 finaliser of ``key(stream, month) + slot * golden``,
mapped to a double in [0, 1) (53 bits), computed only for the slots that need it. The key of a
(stream, month) pair mixes the root key (``SeedSequence(seed)``) with the pair through the same
finaliser.

Both engines call the same functions: :meth:`RandomStreams.uniform_one` (scalar, pure Python) is
bit-identical to :meth:`RandomStreams.uniform` (vectorised) and to the compiled kernels'
:func:`intsim.sim.kernels.rng.unit_uniform`, which draw inline from the keys of
:meth:`RandomStreams.keys`. (Until 2026-11-27 the four decisions nearly every patient takes every
month were drawn as single-precision PCG64 arrays;
docs/decisions/0044-compiled-per-slot-kernels.md says why they are not.)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from intsim.sim.kernels.rng import sparse_uniforms, stream_keys

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
    "cm_contact",
    "bhc_followup",
    "bhc_followup_minutes",
    "init_cost_frailty",
    "init_treatment",
    "init_treatment_month",
    "partial_response",
    "partial_depth",
)
STREAM_ID: dict[str, int] = {name: i for i, name in enumerate(STREAM_NAMES)}


class RandomStreams:
    """Named, slot-indexed uniform random streams derived from one root seed.

    Args:
        seed: Root seed (>= 1).
        n_slots: Number of patient slots; every slot index used must be below it (draws do not
            depend on it).
        months: Horizon; the keys of months ``0 .. months`` are computed up front (others on
            demand, with the same result).
    """

    def __init__(self, seed: int, n_slots: int, months: int = 0) -> None:
        if seed < 1:
            raise ValueError(f"seed must be >= 1, got {seed}")
        self.seed = int(seed)
        self.n_slots = int(n_slots)
        self._root_key = int(np.random.SeedSequence(self.seed).generate_state(1, np.uint64)[0])
        # keys of months 0 .. months, computed at once (the run asks for nearly all of them)
        self._key_table = stream_keys(np.uint64(self._root_key), len(STREAM_NAMES), months + 1)
        self._table_months = months + 1  # months 0 .. months are in the table
        # a stream's keys by month, as Python ints and as numpy scalars, built from the table on
        # the stream's first use (a run asks each (stream, month) key about once, so a cache by
        # pair would miss; a row indexed by month costs no tuple, hash or conversion per call)
        self._int_rows: dict[str, list[int]] = {}
        self._uint64_rows: dict[str, list[np.uint64]] = {}
        self._keys: dict[tuple[str, int], int] = {}  # keys of months beyond the table
        # keys of several streams by month (a contiguous row per month), for ``keys``
        self._key_rows: dict[tuple[str, ...], NDArray[np.uint64]] = {}

    def key(self, stream: str, month: int) -> int:
        """Return the 64-bit key of a (stream, month) pair.

        The key is the SplitMix64 finaliser of the root key (from ``SeedSequence(seed)``) plus a
        mixed (stream, month) counter, so distinct pairs get unrelated keys.
        """
        if 0 <= month < self._table_months:
            try:
                return self._int_rows[stream][month]
            except KeyError:  # the stream's first use
                row = self._int_rows[stream] = self._key_table[STREAM_ID[stream]].tolist()
                return row[month]
        k = self._keys.get((stream, month))
        if k is None:
            counter = _mix64((STREAM_ID[stream] << 32) + month + 1)
            k = self._keys[(stream, month)] = _mix64((self._root_key + counter) & _MASK64)
        return k

    def uniform(self, stream: str, month: int, slots: NDArray[np.integer]) -> NDArray[np.float64]:
        """Return one uniform in [0, 1) per slot for this stream and month.

        Args:
            stream: Stream name (see :data:`STREAM_NAMES`).
            month: Month index (0 = initialisation).
            slots: Patient slot indices.

        Returns:
            Array of uniforms aligned with ``slots``.
        """
        return sparse_uniforms(self.uint64_key(stream, month), np.asarray(slots, np.int64))

    def uint64_key(self, stream: str, month: int) -> np.uint64:
        """:meth:`key` as a numpy ``uint64``, the form the compiled kernels take."""
        if 0 <= month < self._table_months:
            try:
                return self._uint64_rows[stream][month]
            except KeyError:  # the stream's first use: its row of numpy scalars
                row = self._uint64_rows[stream] = list(self._key_table[STREAM_ID[stream]])
                return row[month]
        return np.uint64(self.key(stream, month))

    def keys(self, streams: tuple[str, ...], month: int) -> NDArray[np.uint64]:
        """Keys of several streams in a month, for the compiled kernels (as :meth:`key`)."""
        if 0 <= month < self._table_months:  # a row of the streams' table, by month
            rows = self._key_rows.get(streams)
            if rows is None:
                ids = np.array([STREAM_ID[n] for n in streams])
                rows = self._key_rows[streams] = np.ascontiguousarray(self._key_table[ids].T)
            return rows[month]
        return np.array([self.key(name, month) for name in streams], dtype=np.uint64)

    def uniform_one(self, stream: str, month: int, slot: int) -> float:
        """Scalar version of :meth:`uniform`, bit-identical to it."""
        return (_mix64((slot * _GOLDEN + self.key(stream, month)) & _MASK64) >> 11) * _TO_UNIT


def _mix64(x: int) -> int:
    """SplitMix64 finaliser of a 64-bit integer (pure Python, exact)."""
    x ^= x >> 30
    x = (x * _C1) & _MASK64
    x ^= x >> 27
    x = (x * _C2) & _MASK64
    return x ^ (x >> 31)
