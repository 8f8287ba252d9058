"""The arrays engine's glue against the code it replaced (bit-identical results).

- :class:`intsim.sim.engine_arrays.LeaveIndex` (the month's leavers from lists by leave month)
  against the former full scan ``np.flatnonzero(pop.leave_month[: pop.n_used] == month)``;
- :meth:`RandomStreams.key` and :meth:`RandomStreams.uint64_key` (rows of the key table by
  stream) against the former caches by ``(stream, month)``.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from intsim.sim.engine_arrays import LeaveIndex
from intsim.sim.population import NEVER, Population
from intsim.sim.streams import _MASK64, STREAM_ID, STREAM_NAMES, RandomStreams, _mix64


def former_leave_panel(pop: Population, month: int) -> NDArray[np.int64]:
    """Reference copy of the former ``ArrayEngine.leave_panel``."""
    return np.flatnonzero(pop.leave_month[: pop.n_used] == month)


def _admit(pop: Population, rng: np.random.Generator, count: int, month: int, top: int) -> None:
    """Admit ``count`` fresh slots (from ``n_used``) leaving in months ``month .. month + top``."""
    slots = np.arange(pop.n_used, pop.n_used + count)
    tenure = rng.integers(0, top + 1, count)
    months = np.where(rng.random(count) < 0.1, NEVER, month + tenure)
    pop.leave_month[slots] = months
    pop.n_used += count


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_leave_index_finds_the_leavers_of_the_full_scan(seed):
    rng = np.random.default_rng(seed)
    horizon = 12
    pop = Population(capacity=2_000)
    index = LeaveIndex(pop, horizon)
    _admit(pop, rng, int(rng.integers(0, 300)), 0, 20)  # ties: many slots per month
    for month in range(0, horizon + 4):  # months beyond the horizon too
        expected = former_leave_panel(pop, month)
        got = index.leavers(month)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(index.leavers(month), expected)  # asked twice
        pop.leave_month[got] = NEVER  # the leavers' state is cleared (Population.remove)
        _admit(pop, rng, len(got) + int(rng.integers(0, 3)), month, 6)  # tenure 0 included


def test_leave_index_edge_cases():
    pop = Population(capacity=50)
    index = LeaveIndex(pop, 5)
    assert len(index.leavers(1)) == 0  # empty panel
    pop.leave_month[:10] = [3, 3, 1, 9, 3, -2, 0, 5, 6, 3]
    pop.n_used = 10
    for month in (-2, -1, 0, 1, 3, 5, 6, 9, 40):  # negative, inside and beyond the horizon
        np.testing.assert_array_equal(index.leavers(month), former_leave_panel(pop, month))
    pop.leave_month[[0, 4]] = NEVER  # cleared slots are skipped
    np.testing.assert_array_equal(index.leavers(3), [1, 9])
    pop.n_used = 4  # fewer slots in use: indexed again
    np.testing.assert_array_equal(index.leavers(3), [1])
    empty = LeaveIndex(pop, 0)  # no horizon: only month 0 is indexed
    for month in (0, 1, 3):
        np.testing.assert_array_equal(empty.leavers(month), former_leave_panel(pop, month))


class FormerKeys:
    """Reference copy of the former :meth:`RandomStreams.key` and ``uint64_key`` (dict caches)."""

    def __init__(self, streams: RandomStreams) -> None:
        self._root_key = streams._root_key
        self._key_table = streams._key_table
        self._keys: dict[tuple[str, int], int] = {}
        self._uint64_keys: dict[tuple[str, int], np.uint64] = {}

    def key(self, stream: str, month: int) -> int:
        k = self._keys.get((stream, month))
        if k is None:
            table = self._key_table
            if 0 <= month < table.shape[1]:
                k = int(table[STREAM_ID[stream], month])
            else:
                counter = _mix64((STREAM_ID[stream] << 32) + month + 1)
                k = _mix64((self._root_key + counter) & _MASK64)
            self._keys[(stream, month)] = k
        return k

    def uint64_key(self, stream: str, month: int) -> np.uint64:
        key = self._uint64_keys.get((stream, month))
        if key is None:
            key = self._uint64_keys[(stream, month)] = np.uint64(self.key(stream, month))
        return key


@pytest.mark.parametrize(("seed", "months"), [(1, 0), (7, 12), (123_456, 60)])
def test_keys_equal_the_former_cached_keys(seed, months):
    streams = RandomStreams(seed, 100, months)
    former = FormerKeys(RandomStreams(seed, 100, months))
    asked = [-3, -1, 0, 1, months // 2, months, months + 1, 400, np.int64(months)]
    for month in asked * 2:  # asked twice: the second time from the rows
        for stream in STREAM_NAMES:
            key, u64 = streams.key(stream, month), streams.uint64_key(stream, month)
            assert type(key) is int
            assert key == former.key(stream, month)
            assert type(u64) is np.uint64
            assert u64 == former.uint64_key(stream, month)


def test_unknown_stream_still_raises():
    streams = RandomStreams(3, 10, 4)
    for month in (2, 9):
        with pytest.raises(KeyError):
            streams.key("no_such_stream", month)
        with pytest.raises(KeyError):
            streams.uint64_key("no_such_stream", month)
