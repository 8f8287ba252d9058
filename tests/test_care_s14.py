"""Session-14 speed-ups of the care kernels against readable copies of the former code.

Each rewritten kernel is compared with a plain-Python copy of what it replaced, on fixed-seed
inputs: empty panels, one slot, panels ending at and around word and block boundaries, and
states dense enough that the kernels' growing buffers must grow.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from intsim.sim.kernels import pathways, queues, scan
from intsim.sim.kernels.codes import (
    BH_ACTIVE,
    BH_NONE,
    KIND_MENTAL_HEALTH,
    TX_COCM,
    TX_NONE,
    TX_PCBH,
    TX_PCP,
)
from intsim.sim.kernels.rng import unit_uniform
from intsim.sim.population import BH, Population, Tx

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


# --------------------------------------------------------------------------- care kernels
# classify_visitors now takes the chronic flags alone and returns its counts as a tuple of
# ints; start_pcbh_episodes takes the BH states and chronic flags alone.


def random_population(seed: int, n: int = 300) -> Population:
    """A population of ``n`` slots with random states, treatments, waits and knowledge."""
    rng = np.random.default_rng(seed)
    pop = Population(n)
    pop.n_used = n
    pop.in_panel[:] = True
    pop.bh[:] = rng.choice([BH.NONE, BH.SUBTHRESHOLD, BH.ACTIVE, BH.IMPROVED, BH.REMITTED], n)
    pop.score[:] = rng.integers(0, 27, n)
    pop.known[:] = rng.random(n) < 0.4
    pop.chronic[:] = rng.random(n) < 0.4
    pop.treatment[:] = rng.choice([Tx.NONE, Tx.NONE, Tx.PCP, Tx.COCM, Tx.PCBH], n)
    pop.treatment_month[:] = rng.integers(0, 12, n)
    pop.waitlist_since[:] = np.where(rng.random(n) < 0.2, rng.integers(0, 5, n), -1)
    pop.bhc_wait_since[:] = np.where(rng.random(n) < 0.2, rng.integers(0, 5, n), -1)
    pop.bhc_visits_left[:] = rng.integers(0, 4, n)
    pop.pcp_cotreat[:] = rng.random(n) < 0.3
    pop.screen_score[:] = -1
    pop.program_start[:] = -1
    return pop


def ref_classify_visitors(
    pop: Population,
    visitors: NDArray[np.int64],
    screened_mask: NDArray[np.bool_],
    scores: NDArray[np.int64],
    key: np.uint64,
    detection: tuple[float, int],
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Former ``pathways.classify_visitors``, one visitor at a time (counts as a list)."""
    sensitivity, positive_score = detection
    thr: list[int] = []
    sub: list[int] = []
    hb: list[int] = []
    n_screened = n_positive = n_detected = 0
    j = 0
    for i, s in enumerate(visitors):
        screened = bool(screened_mask[i])
        score = int(scores[min(j, len(scores) - 1)]) if len(scores) else 0
        j += screened
        state = pop.bh[s]
        positive = screened and score >= positive_score
        is_sub = screened and 5 <= score < positive_score
        recognised = (not screened) and state == BH_ACTIVE and unit_uniform(key, s) < sensitivity
        if screened:
            pop.screen_score[s] = score
        identified = positive or recognised
        free = pop.treatment[s] == TX_NONE and pop.waitlist_since[s] < 0
        free = free and pop.bhc_wait_since[s] < 0
        n_screened += screened
        n_positive += positive
        n_detected += identified and not pop.known[s] and state == BH_ACTIVE
        pop.known[s] |= identified
        if identified and free:
            thr.append(int(s))
        if (not identified) and is_sub and free:
            sub.append(int(s))
        if (not identified) and pop.chronic[s] and state == BH_NONE and free:
            hb.append(int(s))
    return thr, sub, hb, [n_screened, n_positive, n_detected, len(thr)]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("n_visitors", [0, 1, 7, 120])
@pytest.mark.parametrize("rate", [0.0, 0.5, 1.0])
def test_classify_visitors_matches_former_code(seed: int, n_visitors: int, rate: float) -> None:
    rng = np.random.default_rng(seed)
    ref, new = random_population(seed), random_population(seed)
    visitors = np.sort(rng.choice(300, n_visitors, replace=False)).astype(np.int64)
    mask = rng.random(n_visitors) < rate
    scores = rng.integers(0, 27, int(mask.sum())).astype(np.int64)
    key, detection = np.uint64(12345 + seed), (0.45, 10)
    thr, sub, hb, counts = pathways.classify_visitors(
        visitors,
        mask,
        scores,
        key,
        detection,
        new.episode_state(),
        new.chronic,
        new.treatment_state(),
        new.screen_score,
    )
    expected = ref_classify_visitors(ref, visitors, mask, scores, key, detection)
    assert (thr.tolist(), sub.tolist(), hb.tolist(), list(counts)) == expected
    assert all(type(c) is int for c in counts)
    np.testing.assert_array_equal(new.known, ref.known)
    np.testing.assert_array_equal(new.screen_score, ref.screen_score)


def ref_start_pcbh_episodes(
    pop: Population, slots: NDArray[np.int64], month: int, key: np.uint64, cum: NDArray
) -> None:
    """Former ``pathways.start_pcbh_episodes`` in plain Python."""
    pathways.record_bhc_visits(slots, pop.bh, pop.chronic, pop.bhc_visit, pop.bhc_kind)
    for s in slots:
        pop.pcp_cotreat[s] = pop.treatment[s] == TX_PCP
        pop.treatment[s] = TX_PCBH
        pop.treatment_month[s] = 1
        pop.bhc_wait_since[s] = -1
        u = unit_uniform(key, s)
        pop.bhc_visits_left[s] = sum(1 for c in cum if c <= u)
        if pop.bhc_kind[s] == KIND_MENTAL_HEALTH:
            pop.program_start[s] = month


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("n_slots", [0, 1, 9, 80])
def test_start_pcbh_episodes_matches_former_code(seed: int, n_slots: int) -> None:
    rng = np.random.default_rng(seed)
    ref, new = random_population(seed), random_population(seed)
    slots = np.sort(rng.choice(300, n_slots, replace=False)).astype(np.int64)
    key, cum = np.uint64(999 + seed), np.array([0.3, 0.6, 0.85])
    ref_start_pcbh_episodes(ref, slots, 7, key, cum)
    pathways.start_pcbh_episodes(
        slots, 7, key, cum, new.bh, new.chronic, new.treatment_state(), new.bhc_record(),
        new.program_start,
    )  # fmt: skip
    for a, b in zip(ref.treatment_state(), new.treatment_state(), strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(ref.bhc_record(), new.bhc_record(), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ref.program_start, new.program_start)


# --------------------------------------------------------------------------- end of month


def ref_slots_treated(treatment: NDArray[np.int8], n: int) -> NDArray[np.int64]:
    """The slots ``0 .. n-1`` with a treatment code other than ``TX_NONE``."""
    return np.array([s for s in range(n) if treatment[s] != TX_NONE], np.int64)


@pytest.mark.parametrize("n", [*SIZES, 9000])
@pytest.mark.parametrize("share", [0.0, 0.02, 0.3, 1.0])
def test_slots_treated_finds_every_treated_slot(n: int, share: float) -> None:
    codes = treatment_codes(n, seed=n + 1, share=share)
    got = scan.slots_treated(codes, n)
    np.testing.assert_array_equal(got, ref_slots_treated(codes, n))
    assert got.dtype == np.int64


def ref_end_of_month_treatment(
    pop: Population, discharge_cocm: bool, end_pcbh: bool, after: int, max_cocm: int, usual: int
) -> None:
    """Former ``pathways.end_of_month_treatment``: one pass over every slot in use."""
    for s in range(pop.n_used):
        code = pop.treatment[s]
        if code == TX_NONE:
            continue
        done = False
        if code == TX_COCM and discharge_cocm:
            if pop.bh[s] in (BH.IMPROVED, BH.REMITTED):
                pop.improved_months[s] += 1
            else:
                pop.improved_months[s] = 0
            done = pop.improved_months[s] >= after or pop.treatment_month[s] >= max_cocm
        elif code == TX_PCBH and end_pcbh and pop.bhc_visits_left[s] <= 0:
            if pop.pcp_cotreat[s] and pop.treatment_month[s] < usual:
                pop.treatment[s] = TX_PCP
                pop.pcp_cotreat[s] = False
            else:
                done = True
        if not done and pop.treatment[s] in (Tx.PCP, Tx.SPECIALTY):
            done = pop.treatment_month[s] >= usual
        if done:
            pop.end_treatment(np.array([s], np.int64))
        else:
            pop.treatment_month[s] += 1


@pytest.mark.parametrize("seed", [6, 7, 8])
@pytest.mark.parametrize("n_used", [0, 1, 8, 17, 300])
@pytest.mark.parametrize("flags", [(True, True), (True, False), (False, True), (False, False)])
def test_end_of_month_treatment_matches_former_pass(seed: int, n_used: int, flags) -> None:
    ref, new = random_population(seed), random_population(seed)
    for pop in (ref, new):
        pop.treatment[:] = np.random.default_rng(seed).choice(list(Tx), 300)
        pop.improved_months[:] = np.random.default_rng(seed + 1).integers(0, 3, 300)
        pop.care_manager[:] = 1
        pop.n_used = n_used
    ref_end_of_month_treatment(ref, *flags, 2, 9, 6)
    pathways.end_of_month_treatment(n_used, new.bh, new.treatment_state(), *flags, 2, 9, 6)
    for a, b in zip(ref.treatment_state(), new.treatment_state(), strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- hybrid triage


def ref_triage_split(
    slots: NDArray[np.int64], score: NDArray[np.int8], severity: int, chronic, episode, c, e
) -> tuple[list[int], list[int]]:
    """Former ``pathways.triage_split``: the CoCM patients and the others, in slot order."""
    to_cocm: list[int] = []
    rest: list[int] = []
    for s in slots:
        if score[s] >= severity or (c and chronic[s]) or (e and episode[s]):
            to_cocm.append(int(s))
        else:
            rest.append(int(s))
    return to_cocm, rest


@pytest.mark.parametrize("n", [0, 1, 2, 9, 200])
@pytest.mark.parametrize("rules", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("severity", [0, 15, 28])
def test_triage_split_kernel_matches_former_code(n: int, rules, severity: int) -> None:
    rng = np.random.default_rng(n + severity)
    score = rng.integers(0, 27, 300).astype(np.int8)
    chronic, episode = rng.random(300) < 0.3, rng.random(300) < 0.2
    slots = rng.permutation(300)[:n].astype(np.int64)  # any order is kept
    ordered, k = pathways.triage_split(slots, score, severity, chronic, episode, *rules)
    want_cocm, want_rest = ref_triage_split(slots, score, severity, chronic, episode, *rules)
    assert (ordered[:k].tolist(), ordered[k:].tolist()) == (want_cocm, want_rest)
    assert type(k) is int


# --------------------------------------------------------------------------- BHC follow-up


def ref_bhc_followup(
    n_used: int, kf: np.uint64, km: np.uint64, share: float, mean: float, pop: Population
) -> tuple[list[int], int]:
    """Former ``pathways.bhc_followup`` (and its ``_followup_slot``) over slots in PCBH."""
    slots: list[int] = []
    total = 0
    for s in range(n_used):
        if pop.treatment[s] != TX_PCBH or pop.bh[s] not in (BH.ACTIVE, BH.IMPROVED):
            continue
        if unit_uniform(kf, s) >= share:
            continue
        minutes = max(int(np.rint(mean * (0.5 + unit_uniform(km, s)))), 1)
        pop.bhi_minutes[s] = minutes
        total += minutes
        slots.append(s)
    return slots, total


@pytest.mark.parametrize("seed", [9, 10])
@pytest.mark.parametrize("n_used", [0, 1, 8, 9, 300])
@pytest.mark.parametrize("share", [0.0, 0.4, 1.0])
def test_bhc_followup_matches_former_code(seed: int, n_used: int, share: float) -> None:
    ref, new = random_population(seed), random_population(seed)
    kf, km = np.uint64(777 + seed), np.uint64(888 + seed)
    want = ref_bhc_followup(n_used, kf, km, share, 20.0, ref)
    slots, total = pathways.bhc_followup(
        n_used, kf, km, share, 20.0, new.treatment, new.bh, new.bhi_minutes
    )
    assert (slots.tolist(), total) == want
    np.testing.assert_array_equal(new.bhi_minutes, ref.bhi_minutes)


# --------------------------------------------------------------------------- PCP rationing cut


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n", [1, 2, 3, 65, 70, 520])
def test_kth_smallest_is_numpy_partition(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    for values in (rng.random(n), np.round(rng.random(n), 1), np.full(n, 0.25)):
        for k in {0, n // 2, max(n - 66, 0), max(n - 65, 0), max(n - 64, 0), n - 2, n - 1}:
            if k < 0:
                continue
            assert pathways.kth_smallest(values, k) == np.partition(values, k)[k], (n, k)
