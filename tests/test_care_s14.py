"""Session-14 speed-ups of the care kernels against readable copies of the former code.

Each rewritten kernel is compared with a plain-Python copy of what it replaced, on fixed-seed
inputs: empty panels, one slot, panels ending at and around word and block boundaries, and
states dense enough that the kernels' growing buffers must grow.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from intsim.sim.kernels import queues, scan
from intsim.sim.kernels.codes import TX_COCM, TX_NONE, TX_PCBH, TX_PCP
from intsim.sim.kernels.rng import unit_uniform

#: Panel sizes around the 4-, 8- and 16-slot words and blocks of the scans.
SIZES = (0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 4099)


# --------------------------------------------------------------------------- references


def ref_slots_in_treatment(treatment: NDArray[np.int8], n: int, code: int) -> NDArray[np.int64]:
    """Former ``scan.slots_in_treatment``: the slots ``0 .. n-1`` with ``code``, ascending."""
    return np.array([s for s in range(n) if treatment[s] == code], np.int64)


def ref_slots_waiting(since: NDArray[np.int16], n: int) -> NDArray[np.int64]:
    """Former ``scan.slots_waiting``: the slots ``0 .. n-1`` with ``since >= 0``, ascending."""
    return np.array([s for s in range(n) if since[s] >= 0], np.int64)


def ref_expire_queue(since: NDArray[np.int16], n: int, joined_by: int) -> int:
    """Former ``queues.expire_queue``: reset joins in month ``joined_by`` or earlier to -1."""
    count = 0
    for s in range(n):
        if 0 <= since[s] <= joined_by:
            since[s] = -1
            count += 1
    return count


def ref_turn_away_newest(
    since: NDArray[np.int16], n: int, month: int, limit: int, priority_key: np.uint64
) -> int:
    """Former ``queues.turn_away_newest``: newcomers leave, highest (priority, slot) first."""
    waiting = sum(1 for s in range(n) if since[s] >= 0)
    new = [s for s in range(n) if since[s] == month]
    n_out = min(waiting - limit, len(new))
    if n_out <= 0:
        return 0
    order = sorted(new, key=lambda s: (unit_uniform(priority_key, s), s))
    for s in order[len(new) - n_out :]:
        since[s] = -1
    return n_out


# --------------------------------------------------------------------------- inputs


def treatment_codes(n: int, seed: int, share: float) -> NDArray[np.int8]:
    """Treatment codes of ``n`` slots (plus padding that must not be read as slots)."""
    rng = np.random.default_rng(seed)
    codes = np.full(n + 11, TX_COCM, np.int8)  # padding holds the code sought
    treated = rng.random(n) < share
    codes[:n] = np.where(treated, rng.choice([TX_PCP, TX_COCM, TX_PCBH], n), TX_NONE)
    return codes


def join_months(n: int, seed: int, share: float, months: int = 4) -> NDArray[np.int16]:
    """Queue join months of ``n`` slots (-1: not waiting), padded with waiting slots."""
    rng = np.random.default_rng(seed)
    since = np.full(n + 13, 2, np.int16)  # padding: "waiting", must not be read as slots
    waiting = rng.random(n) < share
    since[:n] = np.where(waiting, rng.integers(0, months, n), -1)
    return since


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("share", [0.0, 0.02, 0.3, 1.0])
def test_slots_in_treatment_matches_former_scan(n: int, share: float) -> None:
    codes = treatment_codes(n, seed=n + 7, share=share)
    for code in (TX_NONE, TX_PCP, TX_COCM, TX_PCBH):
        got = scan.slots_in_treatment(codes, n, code)
        np.testing.assert_array_equal(got, ref_slots_in_treatment(codes, n, code))
        assert got.dtype == np.int64


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("share", [0.0, 0.02, 0.3, 1.0])
def test_slots_waiting_matches_former_scan(n: int, share: float) -> None:
    since = join_months(n, seed=n + 3, share=share)
    got = scan.slots_waiting(since, n)
    np.testing.assert_array_equal(got, ref_slots_waiting(since, n))
    assert got.dtype == np.int64


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("share", [0.0, 0.02, 0.3, 1.0])
def test_expire_queue_matches_former_scan(n: int, share: float) -> None:
    for joined_by in (-1, 0, 1, 3):
        since = join_months(n, seed=n + 5, share=share)
        expected = since.copy()
        count = queues.expire_queue(since, n, joined_by)
        assert count == ref_expire_queue(expected, n, joined_by)
        np.testing.assert_array_equal(since, expected)  # padding untouched too


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 1.0])
def test_turn_away_newest_matches_former_scan(n: int, share: float) -> None:
    key = np.uint64(0x9E3779B97F4A7C15)
    for month in (0, 3):
        for limit in (0, 1, n // 4, n):
            since = join_months(n, seed=n + 11, share=share)
            expected = since.copy()
            out = queues.turn_away_newest(since, n, month, limit, key)
            assert out == ref_turn_away_newest(expected, n, month, limit, key)
            np.testing.assert_array_equal(since, expected)


def test_grown_keeps_values_and_doubles() -> None:
    buffer = np.arange(8, dtype=np.int64)
    out = scan.grown(buffer, 5)
    assert len(out) == 16
    np.testing.assert_array_equal(out[:5], np.arange(5))
