"""Care-model glue rewrites (session 13) against readable copies of the former code.

* ``scan.slots_in_treatment`` / ``scan.slots_waiting`` (the word scans ``enrol_cocm`` now
  uses for its caseload and queue) against the former full slot scans;
* ``pathways.end_of_month_treatment`` (skips words of eight untreated slots) against its former
  slot-by-slot loop (:func:`reference_end_of_month`);
* ``queues.first_served`` (picks by a partition cut when every key is the same and ``k`` is
  large) against the former ``np.sort(head_in_order(...))``, ties included;
* ``care.pcbh.start_pcbh_episodes`` makes no kernel call for an empty list.

Random small inputs with fixed seeds, empty inputs, lengths that are not whole words.
"""

import numpy as np
import pytest

from intsim.sim.care import pcbh
from intsim.sim.care.base import MonthCounters
from intsim.sim.kernels import pathways, queues, scan
from intsim.sim.kernels.codes import (
    BH_ACTIVE,
    BH_IMPROVED,
    BH_REMITTED,
    TX_COCM,
    TX_NONE,
    TX_PCBH,
    TX_PCP,
    TX_SPECIALTY,
)
from intsim.sim.kernels.rng import sparse_uniforms
from intsim.sim.kernels.state import TreatmentState

KEY = np.uint64(0x9E3779B97F4A7C15)
SIZES = [0, 1, 7, 8, 9, 63, 64, 65, 1001]


# --------------------------------------------------------------------------- references


def reference_caseload_and_queue(
    treatment: np.ndarray, waitlist_since: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """The former scans of ``enrol_cocm``: every slot of ``0 .. n-1`` looked at."""
    caseload = [s for s in range(n) if treatment[s] == TX_COCM]
    queue = [s for s in range(n) if waitlist_since[s] >= 0]
    return np.array(caseload, np.int64), np.array(queue, np.int64)


def reference_end_of_month(
    n: int,
    bh: np.ndarray,
    tx: TreatmentState,
    discharge_cocm: bool,
    end_pcbh: bool,
    discharge_after_response_months: int,
    max_cocm_months: int,
    usual_care_months: int,
) -> None:
    """The former slot-by-slot loop of ``pathways.end_of_month_treatment`` (in place)."""
    for s in range(n):
        code = tx.treatment[s]
        if code == TX_NONE:
            continue
        done = False
        if code == TX_COCM and discharge_cocm:
            if bh[s] in (BH_IMPROVED, BH_REMITTED):
                tx.improved_months[s] += 1
            else:
                tx.improved_months[s] = 0
            done = (
                tx.improved_months[s] >= discharge_after_response_months
                or tx.treatment_month[s] >= max_cocm_months
            )
        elif code == TX_PCBH and end_pcbh and tx.bhc_visits_left[s] <= 0:
            if tx.pcp_cotreat[s] and tx.treatment_month[s] < usual_care_months:
                tx.treatment[s] = TX_PCP
                tx.pcp_cotreat[s] = False
            else:
                done = True
        if not done and tx.treatment[s] in (TX_PCP, TX_SPECIALTY):
            done = tx.treatment_month[s] >= usual_care_months
        if done:
            tx.treatment[s] = TX_NONE
            tx.treatment_month[s] = 0
            tx.care_manager[s] = -1
            tx.waitlist_since[s] = -1
            tx.bhc_wait_since[s] = -1
            tx.followup_ok[s] = False
            tx.reviewed[s] = False
            tx.improved_months[s] = 0
            tx.bhc_visits_left[s] = 0
            tx.pcp_cotreat[s] = False
        else:
            tx.treatment_month[s] += 1


def reference_first_served(
    slots: np.ndarray, key: np.ndarray, priority_key: np.uint64, k: int
) -> np.ndarray:
    """The former ``first_served``: ``head_in_order`` (ordered pick), then sorted."""
    if k >= len(slots):
        return slots
    return np.sort(queues.head_in_order(slots, sparse_uniforms(priority_key, slots), key, k))


# --------------------------------------------------------------------------- inputs


def treatment_state(rng: np.random.Generator, n: int, treated: float) -> TreatmentState:
    """Random treatment arrays of capacity ``n + 5`` (a share ``treated`` in some treatment)."""
    cap = n + 5
    treatment = np.where(rng.random(cap) < treated, rng.integers(1, 5, cap), 0).astype(np.int8)
    return TreatmentState(
        treatment,
        rng.integers(0, 14, cap).astype(np.int16),
        rng.integers(-1, 3, cap).astype(np.int16),
        np.where(rng.random(cap) < 0.1, rng.integers(0, 5, cap), -1).astype(np.int16),
        np.where(rng.random(cap) < 0.1, rng.integers(0, 5, cap), -1).astype(np.int16),
        rng.random(cap) < 0.5,
        rng.random(cap) < 0.5,
        rng.integers(0, 4, cap).astype(np.int16),
        rng.integers(0, 3, cap).astype(np.int16),
        rng.random(cap) < 0.5,
    )


def copy_state(tx: TreatmentState) -> TreatmentState:
    """A deep copy of the treatment arrays."""
    return TreatmentState(*(a.copy() for a in tx))


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("share", [0.0, 0.02, 0.5, 1.0])
def test_caseload_and_queue_scans_match_full_scans(n: int, share: float) -> None:
    rng = np.random.default_rng(1000 + n + int(share * 100))
    cap = n + 9  # slots past n must be ignored
    treatment = np.where(rng.random(cap) < share, rng.integers(1, 5, cap), 0).astype(np.int8)
    treatment[n:] = TX_COCM
    since = np.where(rng.random(cap) < share, rng.integers(0, 40, cap), -1).astype(np.int16)
    since[n:] = 3
    caseload, queue = reference_caseload_and_queue(treatment, since, n)
    got_caseload = scan.slots_in_treatment(treatment, n, TX_COCM)
    got_queue = scan.slots_waiting(since, n)
    assert got_caseload.dtype == np.int64
    assert got_queue.dtype == np.int64
    np.testing.assert_array_equal(got_caseload, caseload)
    np.testing.assert_array_equal(got_queue, queue)
    for code in (TX_NONE, TX_PCP, TX_PCBH):
        expected = np.array([s for s in range(n) if treatment[s] == code], np.int64)
        np.testing.assert_array_equal(scan.slots_in_treatment(treatment, n, code), expected)


def test_scans_grow_past_their_first_buffer() -> None:
    n = 3000
    treatment = np.full(n, TX_COCM, np.int8)
    since = np.zeros(n, np.int16)
    np.testing.assert_array_equal(scan.slots_in_treatment(treatment, n, TX_COCM), np.arange(n))
    np.testing.assert_array_equal(scan.slots_waiting(since, n), np.arange(n))


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("treated", [0.0, 0.05, 0.9])
@pytest.mark.parametrize("flags", [(True, True), (True, False), (False, True), (False, False)])
def test_end_of_month_treatment_matches_slot_loop(
    n: int, treated: float, flags: tuple[bool, bool]
) -> None:
    rng = np.random.default_rng(2000 + n + int(treated * 100))
    tx = treatment_state(rng, n, treated)
    bh = rng.choice([0, BH_ACTIVE, BH_IMPROVED, BH_REMITTED], n + 5).astype(np.int8)
    expected = copy_state(tx)
    reference_end_of_month(n, bh, expected, *flags, 2, 12, 6)
    got = copy_state(tx)
    pathways.end_of_month_treatment(n, bh, tuple(got), *flags, 2, 12, 6)
    for name, a, b in zip(TreatmentState._fields, got, expected, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [0, 1, 31, 32, 33, 100, 199, 200, 250])
def test_first_served_matches_ordered_pick(seed: int, k: int) -> None:
    rng = np.random.default_rng(3000 + seed)
    n = int(rng.integers(150, 260))
    slots = np.sort(rng.choice(50_000, n, replace=False)).astype(np.int64)
    one_key = np.full(n, int(rng.integers(0, 3)), np.int64)
    many_keys = rng.integers(0, 3, n).astype(np.int64)
    key = np.uint64(int(rng.integers(1, 2**62)))
    for keys in (one_key, many_keys):
        np.testing.assert_array_equal(
            queues.first_served(slots, keys, key, k), reference_first_served(slots, keys, key, k)
        )


def test_first_served_empty_and_whole_queue() -> None:
    empty = np.zeros(0, np.int64)
    assert len(queues.first_served(empty, empty, KEY, 40)) == 0
    slots = np.arange(50, dtype=np.int64) * 3
    np.testing.assert_array_equal(
        queues.first_served(slots, np.zeros(50, np.int64), KEY, 50), slots
    )


@pytest.mark.parametrize("k", [1, 32, 40, 63])
def test_lowest_priority_breaks_ties_by_slot(k: int) -> None:
    rng = np.random.default_rng(4000 + k)
    slots = np.sort(rng.choice(10_000, 64, replace=False)).astype(np.int64)
    priority = rng.choice([0.1, 0.5, 0.5, 0.9], 64)  # many ties, at the cut too
    zeros = np.zeros(64, np.int64)
    expected = np.sort(queues.head_in_order(slots, priority, zeros, k))
    np.testing.assert_array_equal(queues.lowest_priority(slots, priority, k), expected)


def test_start_pcbh_episodes_skips_empty_list() -> None:
    class NoModel:
        """Any attribute access would fail: the empty call must return first."""

        def __getattr__(self, name: str) -> None:
            raise AssertionError(name)

    c = MonthCounters()
    pcbh.start_pcbh_episodes(NoModel(), 5, np.zeros(0, np.int64), c)  # type: ignore[arg-type]
    assert c.pcbh_started_new == 0
    assert c.bhc_visits == 0
