"""The detection kernels (kernels.pathways, detection section) against the numpy code they replace.

Each test keeps a readable copy of the former numpy glue of ``care.base`` or
``model.ClinicModel._pcp_visits`` as the reference and compares the kernel with it on random small
populations with fixed seeds, empty inputs and repeated slots included.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from intsim.sim.kernels.pathways import (
    allocate_pcp_visits,
    disengage_patients,
    screening_draws,
    usual_care_decisions,
)
from intsim.sim.population import BH, Population, Tx
from intsim.sim.streams import RandomStreams

STREAMS = ("treat_choice", "referral", "specialty_attend")
SEEDS = [1, 2, 3, 7, 11]


def ration_visits(  # the former rationing of ClinicModel._pcp_visits
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


def test_reference_rationing_within_capacity_lowest_priority_first_and_none_when_vacant():
    provider = np.array([0, 1, 0, 2, 1, 0, 2, 2], dtype=np.int64)
    priority = np.array([0.9, 0.1, 0.2, 0.5, 0.3, 0.4, 0.7, 0.6])
    # provider 0: 3 requests, room for 2 -> priorities 0.2 and 0.4 are seen
    # provider 1: 2 requests, room for 5 -> both seen
    # provider 2: vacant (capacity 0) -> nobody is seen
    keep = ration_visits(provider, np.array([2, 5, 0], dtype=np.int64), priority)
    assert keep.tolist() == [False, True, True, False, True, True, False, False]


def random_population(seed: int, n: int = 400) -> Population:
    """A population of ``n`` slots with random BH states, treatments, waitlists and knowledge."""
    rng = np.random.default_rng(seed)
    pop = Population(n)
    pop.n_used = n
    pop.in_panel[:] = True
    pop.bh[:] = rng.choice([BH.NONE, BH.ACTIVE, BH.IMPROVED, BH.REMITTED], n)
    pop.known[:] = rng.random(n) < 0.6
    pop.treatment[:] = rng.choice([Tx.NONE, Tx.NONE, Tx.PCP, Tx.COCM, Tx.PCBH], n)
    pop.treatment_month[:] = rng.integers(0, 12, n)
    pop.care_manager[:] = np.where(pop.treatment == Tx.COCM, rng.integers(0, 3, n), -1)
    pop.waitlist_since[:] = np.where(rng.random(n) < 0.2, rng.integers(0, 5, n), -1)
    pop.bhc_wait_since[:] = np.where(rng.random(n) < 0.2, rng.integers(0, 5, n), -1)
    pop.followup_ok[:] = rng.random(n) < 0.5
    pop.reviewed[:] = rng.random(n) < 0.5
    pop.improved_months[:] = rng.integers(0, 3, n)
    pop.bhc_visits_left[:] = rng.integers(0, 4, n)
    pop.pcp_cotreat[:] = rng.random(n) < 0.3
    pop.pcp[:] = rng.integers(0, 5, n)
    return pop


def treatment_arrays(pop: Population) -> list[NDArray]:
    """Copies of every treatment-state array."""
    return [a.copy() for a in pop.treatment_state()]


# ------------------------------------------------------------------ usual care


def usual_care_reference(
    pop: Population, st: RandomStreams, month: int, slots: NDArray, probs: tuple
) -> int:
    """The former numpy ``care.base.usual_care_treatment``; returns the referrals."""
    pcp_treats, referral_share, attendance = probs
    slots = slots[
        (pop.bh[slots] == BH.ACTIVE) & (pop.treatment[slots] == Tx.NONE) & pop.known[slots]
    ]
    treat = slots[st.uniform("treat_choice", month, slots) < pcp_treats]
    refer_mask = st.uniform("referral", month, treat) < referral_share
    referred, pcp = treat[refer_mask], treat[~refer_mask]
    attends = referred[st.uniform("specialty_attend", month, referred) < attendance]
    pop.treatment[pcp] = Tx.PCP
    pop.treatment[attends] = Tx.SPECIALTY
    pop.treatment_month[pcp] = 1
    pop.treatment_month[attends] = 1
    return len(referred)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("probs", [(0.65, 0.3, 0.5), (1.0, 0.0, 1.0), (0.0, 0.5, 0.5)])
@pytest.mark.parametrize("kind", ["random", "empty", "repeated"])
def test_usual_care_decisions_match_the_numpy_code(seed, probs, kind):
    rng = np.random.default_rng(seed + 100)
    st = RandomStreams(seed, 400, 12)
    month = int(rng.integers(1, 12))
    slots = {
        "random": np.sort(rng.choice(400, 150, replace=False)),
        "empty": np.zeros(0, np.int64),
        "repeated": np.sort(rng.integers(0, 400, 200)),
    }[kind].astype(np.int64)
    ref, new = random_population(seed), random_population(seed)
    expected = usual_care_reference(ref, st, month, slots, probs)
    got = usual_care_decisions(
        slots, st.keys(STREAMS, month), probs, new.bh, new.known, new.treatment, new.treatment_month
    )
    assert got == expected
    for a, b in zip(treatment_arrays(ref), treatment_arrays(new), strict=True):
        np.testing.assert_array_equal(a, b)


def test_usual_care_keys_are_the_uniform_keys():
    st = RandomStreams(5, 10, 3)
    assert st.keys(STREAMS, 2).tolist() == [st.uint64_key(name, 2) for name in STREAMS]


# ------------------------------------------------------------------ disengagement


def disengagement_reference(pop: Population, gone: NDArray) -> int:
    """The former numpy ``care.base.disengagement``; returns the CoCM dropouts."""
    enrolled = gone[pop.treatment[gone] == Tx.COCM]
    pop.end_treatment(enrolled)
    pop.waitlist_since[gone] = -1
    pop.bhc_wait_since[gone] = -1
    return len(enrolled)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["random", "empty", "repeated"])
def test_disengage_patients_matches_the_numpy_code(seed, kind):
    rng = np.random.default_rng(seed + 200)
    gone = {
        "random": np.sort(rng.choice(400, 80, replace=False)),
        "empty": np.zeros(0, np.int64),
        "repeated": np.sort(rng.integers(0, 400, 120)),
    }[kind].astype(np.int64)
    ref, new = random_population(seed), random_population(seed)
    assert disengage_patients(gone, new.treatment_state()) == disengagement_reference(ref, gone)
    for a, b in zip(treatment_arrays(ref), treatment_arrays(new), strict=True):
        np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------ screening


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("rate", [0.0, 0.3, 0.85, 1.0])
def test_screening_draws_match_the_uniform_comparison(seed, rate):
    rng = np.random.default_rng(seed + 300)
    st = RandomStreams(seed, 5000, 12)
    for drawn in (np.sort(rng.choice(5000, 700, replace=False)), np.zeros(0, np.int64)):
        visitors = drawn.astype(np.int64)
        mask = st.uniform("screen_offer", 4, visitors) < rate
        got_mask, got = screening_draws(st.uint64_key("screen_offer", 4), visitors, rate)
        np.testing.assert_array_equal(got_mask, mask)
        np.testing.assert_array_equal(got, visitors[mask])
        assert got.dtype == np.int64


# ------------------------------------------------------------------ PCP visits


def pcp_visits_reference(
    requests: NDArray, pcp: NDArray, capacity: NDArray, base: NDArray, st: RandomStreams, month
) -> tuple[NDArray, NDArray, int]:
    """The former numpy glue of ``ClinicModel._pcp_visits``: granted, demand, extra."""
    provider = pcp[requests].astype(np.int64)
    demand = np.bincount(provider, minlength=len(capacity))
    extra, over = 0, False
    for wanted, cap, without_bhc in zip(demand.tolist(), capacity, base, strict=True):
        extra += max(0, min(wanted, cap) - without_bhc)
        over |= wanted > cap
    prio = st.uniform("priority", month, requests) if over else np.zeros(len(requests))
    return requests[ration_visits(provider, capacity, prio)], demand, extra


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["over", "under", "exact", "vacant", "empty"])
def test_allocate_pcp_visits_matches_the_numpy_code(seed, kind):
    rng = np.random.default_rng(seed + 400)
    n, n_pcps, month = 3000, 6, 7
    st = RandomStreams(seed, n, 12)
    pcp = rng.integers(0, n_pcps, n).astype(np.int16)
    requests = np.sort(rng.choice(n, 0 if kind == "empty" else 1500, replace=False))
    requests = requests.astype(np.int64)
    demand = np.bincount(pcp[requests], minlength=n_pcps)
    capacity = {
        "over": rng.integers(150, 300, n_pcps),
        "under": demand + rng.integers(0, 50, n_pcps),
        "exact": demand.copy(),
        "vacant": np.where(np.arange(n_pcps) % 3 == 0, 0, rng.integers(200, 300, n_pcps)),
        "empty": rng.integers(0, 10, n_pcps),
    }[kind].astype(np.int64)
    base = (capacity * rng.uniform(0.9, 1.0, n_pcps)).astype(np.int64)
    seen = np.zeros(n, bool)
    granted, got_demand, extra = allocate_pcp_visits(
        requests, pcp, capacity, base, st.uint64_key("priority", month), seen
    )
    expected, want_demand, want_extra = pcp_visits_reference(
        requests, pcp, capacity, base, st, month
    )
    np.testing.assert_array_equal(granted, expected)
    np.testing.assert_array_equal(got_demand, want_demand)
    assert extra == want_extra
    np.testing.assert_array_equal(np.flatnonzero(seen), expected)
    assert granted.dtype == np.int64
