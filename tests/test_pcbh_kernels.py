"""PCBH referral and same-day kernels against the numpy steps they replaced (decision 90)."""

import numpy as np
import pytest

from intsim.sim.kernels.pathways import bhc_referrals
from intsim.sim.kernels.queues import first_served
from intsim.sim.kernels.rng import sparse_uniforms
from intsim.sim.population import Tx


def lowest_priority_first(slots, priority, k):
    """The former same-day selection: the ``k`` lowest priorities, in ascending slot order."""
    if k >= len(slots):
        return slots
    if k <= 0:
        return slots[:0]
    order = np.lexsort((slots, priority))
    return np.sort(slots[order[:k]])


def _former_referrals(threshold, sub, hb, treatment, key, sub_p, hb_p):
    threshold = threshold[treatment[threshold] != Tx.SPECIALTY]
    sub = sub[sparse_uniforms(key, sub) < sub_p]
    hb = hb[sparse_uniforms(key, hb) < hb_p]
    return np.sort(np.concatenate([threshold, sub, hb]))


def _random_lists(rng, n):
    pick = lambda m: np.sort(rng.choice(n, size=m, replace=False)).astype(np.int64)  # noqa: E731
    return pick(rng.integers(0, 40)), pick(rng.integers(0, 60)), pick(rng.integers(0, 60))


@pytest.mark.parametrize("seed", range(12))
def test_bhc_referrals_equal_the_former_numpy_steps(seed):
    rng = np.random.default_rng(seed)
    n = 500
    treatment = rng.integers(0, 5, n).astype(np.int8)
    threshold, sub, hb = _random_lists(rng, n)
    key = np.uint64(rng.integers(1, 2**62))
    sub_p, hb_p = float(rng.random()), float(rng.random())
    got = bhc_referrals(threshold, sub, hb, treatment, key, (sub_p, hb_p))
    want = _former_referrals(threshold, sub, hb, treatment, key, sub_p, hb_p)
    assert got.tolist() == want.tolist()


def test_bhc_referrals_keep_a_patient_on_both_lists_twice_and_handle_empty_lists():
    treatment = np.zeros(10, np.int8)
    both = np.array([3, 7], np.int64)
    empty = np.zeros(0, np.int64)
    got = bhc_referrals(empty, both, both, treatment, np.uint64(9), (1.0, 1.0))
    assert got.tolist() == [3, 3, 7, 7]
    assert bhc_referrals(empty, empty, empty, treatment, np.uint64(9), (1.0, 1.0)).size == 0


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("k", [0, 1, 5, 30, 300, 1000])
def test_first_served_with_one_key_is_lowest_priority_first(seed, k):
    rng = np.random.default_rng(seed)
    slots = np.sort(rng.choice(5000, size=int(rng.integers(0, 600)), replace=False))
    slots = slots.astype(np.int64)
    key = np.uint64(rng.integers(1, 2**62))
    want = lowest_priority_first(slots, sparse_uniforms(key, slots), k)
    got = first_served(slots, np.zeros(len(slots), np.int64), key, k)
    assert got.tolist() == want.tolist()
