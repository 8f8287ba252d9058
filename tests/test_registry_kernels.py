"""The compiled CoCM registry steps (``kernels.registry``, ``pathways.care_manager_month``).

Each kernel is checked against a readable numpy reference: the former Python bodies of
``intsim.sim.care.cocm.psychiatric_reviews``, ``measure_at_three_months``,
``expire_cocm_waits`` and ``limit_cocm_queue`` (now ``queues.expire_queue`` and
``queues.turn_away_newest``, for both queues), and ``pathways.care_manager_time`` with its
uniforms drawn as ``RandomStreams.uniform`` does. Random small populations with fixed seeds;
edge cases: empty caseloads and queues, slot counts that are not a multiple of the scan's word,
ties in the leading keys (treatment month, join month), picks of none, some, more than 256 and
all.
"""

from __future__ import annotations

import numpy as np
import pytest

from intsim.measures import IMPROVED_BELOW_SCORE, IMPROVED_SHARE_OF_ENROLMENT_SCORE
from intsim.sim.kernels import pathways, registry
from intsim.sim.kernels.codes import BH_ACTIVE, TX_COCM
from intsim.sim.kernels.queues import expire_queue, turn_away_newest
from intsim.sim.kernels.rng import sparse_uniforms
from intsim.sim.kernels.state import (
    CareManagerRecord,
    CareManagerWork,
    EpisodeState,
    PersonState,
    TreatmentState,
)
from intsim.sim.providers import first_by_priority

KEY = np.uint64(0xD1B54A32D192ED03)
KEY_2 = np.uint64(0x8CB92BA72F3D8DD7)


# --- psychiatric reviews ----------------------------------------------------------------------


def reviews_reference(
    caseload: np.ndarray,
    key: np.uint64,
    rule: tuple[int, int, bool, int, int],
    treatment_month: np.ndarray,
    bh: np.ndarray,
    reviewed: np.ndarray,
    last_review: np.ndarray,
    psych_minutes: np.ndarray,
) -> tuple[int, int]:
    """The former numpy body of ``cocm.psychiatric_reviews`` (priority: the same uniforms)."""
    review_month, rereview_months, review_new, capacity, minutes = rule
    tm = treatment_month[caseload]
    stuck = caseload[
        (tm >= review_month)
        & (bh[caseload] == BH_ACTIVE)
        & ((last_review[caseload] == 0) | (tm - last_review[caseload] >= rereview_months))
    ]
    new = caseload[tm <= 1] if review_new else caseload[:0]
    due = len(stuck) + len(new)
    n = min(due, capacity)
    if n == 0:
        return due, n
    n_stuck = min(n, len(stuck))
    chosen = first_by_priority(stuck, sparse_uniforms(key, stuck), n_stuck, -treatment_month[stuck])
    reviewed[chosen] = True
    last_review[chosen] = treatment_month[chosen]
    seen_new = first_by_priority(new, sparse_uniforms(key, new), n - n_stuck)
    psych_minutes[np.concatenate([chosen, seen_new])] = minutes
    return due, n


def review_population(seed: int, n: int, in_cocm: float) -> dict[str, np.ndarray]:
    """Random review state of ``n`` slots, a share ``in_cocm`` of them in the caseload."""
    rng = np.random.default_rng(seed)
    return {
        "caseload": np.flatnonzero(rng.random(n) < in_cocm).astype(np.int64),
        "treatment_month": rng.integers(0, 8, n).astype(np.int16),  # many ties
        "bh": rng.integers(0, 5, n).astype(np.int8),
        "reviewed": rng.random(n) < 0.3,
        "last_review": np.where(rng.random(n) < 0.5, 0, rng.integers(0, 8, n)).astype(np.int16),
        "psych_minutes": np.zeros(n, np.int16),
    }


def run_reviews(fn, p: dict[str, np.ndarray], rule) -> tuple:
    state = {k: v.copy() for k, v in p.items()}
    counts = fn(
        state["caseload"], KEY, rule, state["treatment_month"], state["bh"],
        state["reviewed"], state["last_review"], state["psych_minutes"],
    )  # fmt: skip
    return tuple(int(x) for x in counts), state


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("capacity", [0, 1, 5, 40, 300, 10_000])
@pytest.mark.parametrize(
    ("review_month", "rereview_months", "review_new"),
    [(2, 1, True), (3, 2, False), (1, 1, True), (12, 12, True)],
)
def test_psychiatric_review_month_matches_the_numpy_reference(
    seed, capacity, review_month, rereview_months, review_new
):
    p = review_population(seed, 3000, 0.4)
    rule = (review_month, rereview_months, review_new, capacity, 10)
    got, got_state = run_reviews(registry.psychiatric_review_month, p, rule)
    want, want_state = run_reviews(reviews_reference, p, rule)
    assert got == want
    for name in ("reviewed", "last_review", "psych_minutes"):
        np.testing.assert_array_equal(got_state[name], want_state[name], err_msg=name)


def test_psychiatric_review_month_picks_some_of_many_due():
    """More than 256 due and fewer reviews than due (both selection paths of the head)."""
    p = review_population(7, 5000, 0.9)
    p["bh"][:] = BH_ACTIVE
    p["last_review"][:] = 0
    for capacity in (100, 700, 1200):
        rule = (2, 1, True, capacity, 15)
        got, got_state = run_reviews(registry.psychiatric_review_month, p, rule)
        want, want_state = run_reviews(reviews_reference, p, rule)
        assert got == want
        assert got[1] == capacity
        for name in ("reviewed", "last_review", "psych_minutes"):
            np.testing.assert_array_equal(got_state[name], want_state[name], err_msg=name)


def test_psychiatric_review_month_with_an_empty_caseload():
    p = review_population(4, 50, 0.0)
    assert len(p["caseload"]) == 0
    got, state = run_reviews(registry.psychiatric_review_month, p, (2, 1, True, 5, 10))
    assert got == (0, 0)
    assert not state["psych_minutes"].any()


# --- three-month measurement -------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 1001, 4003])
def test_measurement_due_matches_the_numpy_scan(seed, n):
    rng = np.random.default_rng(seed)
    size = n + 13  # slots beyond n are ignored
    treatment = rng.integers(0, 5, size).astype(np.int8)
    treatment_month = rng.integers(0, 6, size).astype(np.int16)
    followup_ok = rng.random(size) < 0.6
    due = np.flatnonzero(treatment[:n] == TX_COCM)
    due = due[(treatment_month[due] == 3) & followup_ok[due]]
    got = registry.measurement_due(n, 3, treatment, treatment_month, followup_ok)
    np.testing.assert_array_equal(got, due)
    assert got.dtype == np.int64


def test_measurement_due_finds_a_long_list():
    """Everyone due: the result buffer grows past its first size."""
    n = 1000
    got = registry.measurement_due(
        n, 3, np.full(n, TX_COCM, np.int8), np.full(n, 3, np.int16), np.ones(n, bool)
    )
    np.testing.assert_array_equal(got, np.arange(n))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_count_improved_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    enrol_score = rng.integers(0, 28, 500).astype(np.int8)
    slots = np.sort(rng.choice(500, 200, replace=False)).astype(np.int64)
    observed = rng.integers(0, 28, 200).astype(np.int64)
    improved = (observed < IMPROVED_BELOW_SCORE) | (
        observed <= IMPROVED_SHARE_OF_ENROLMENT_SCORE * enrol_score[slots]
    )
    got = registry.count_improved(
        observed, slots, enrol_score, IMPROVED_BELOW_SCORE, IMPROVED_SHARE_OF_ENROLMENT_SCORE
    )
    assert got == int(improved.sum())
    assert registry.count_improved(observed[:0], slots[:0], enrol_score, 10, 0.5) == 0


# --- the waitlist ------------------------------------------------------------------------------


def queue(seed: int, n: int, waiting: float, month: int) -> np.ndarray:
    """Join months of ``n`` slots (``-1``: not waiting); many joined in ``month``."""
    rng = np.random.default_rng(seed)
    since = np.where(rng.random(n + 5) < waiting, rng.integers(month - 3, month + 1, n + 5), -1)
    return since.astype(np.int16)


def former_turn_away(since: np.ndarray, n: int, month: int, limit: int, key: np.uint64) -> int:
    """The former waitlist policy: every newcomer ordered by (priority, slot), the last leave."""
    waiting = int((since[:n] >= 0).sum())
    new = np.flatnonzero(since[:n] == month)
    n_out = min(waiting - limit, len(new))
    if n_out <= 0:
        return 0
    order = np.lexsort((new, sparse_uniforms(key, new)))
    since[new[order[len(new) - n_out :]]] = -1
    return n_out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("n", [0, 3, 4, 5, 997, 5000])
@pytest.mark.parametrize("waiting", [0.0, 0.01, 0.3, 1.0])
@pytest.mark.parametrize("limit", [0, 10, 60, 2000])
def test_turn_away_newest_matches_the_former_policy(seed, n, waiting, limit):
    month = 9
    since = queue(seed, n, waiting, month)
    want = since.copy()
    n_want = former_turn_away(want, n, month, limit, KEY)
    got = since.copy()
    assert turn_away_newest(got, n, month, limit, KEY) == n_want
    np.testing.assert_array_equal(got, want)


def test_turn_away_newest_keeps_more_than_256_newcomers():
    """Over 256 newcomers stay: the full ordering picks them (not the insertion buffer)."""
    since = np.full(3000, 4, np.int16)
    for limit in (2000, 2990, 100):
        want = since.copy()
        n_want = former_turn_away(want, 3000, 4, limit, KEY)
        got = since.copy()
        assert turn_away_newest(got, 3000, 4, limit, KEY) == n_want
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("n", [0, 1, 4, 6, 999, 4000])
@pytest.mark.parametrize("joined_by", [-1, 0, 5, 7, 100])
def test_expire_queue_matches_the_former_scan(seed, n, joined_by):
    since = queue(seed, n, 0.2, 8)
    want = since.copy()
    head = want[:n]
    old = np.flatnonzero((head >= 0) & (head <= joined_by))  # the former expire_waits
    want[old] = -1
    got = since.copy()
    assert expire_queue(got, n, joined_by) == len(old)
    np.testing.assert_array_equal(got, want)


# --- care-manager minutes ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("minutes", [0, 500, 3000, 100_000])
@pytest.mark.parametrize("in_cocm", [0.0, 0.3])
def test_care_manager_month_matches_care_manager_time(seed, minutes, in_cocm):
    rng = np.random.default_rng(seed)
    n, n_cm = 1200, 3
    enrolled = np.flatnonzero(rng.random(n) < in_cocm).astype(np.int64)
    work = CareManagerWork(
        np.sort(rng.gamma(4.0, 0.25, 50)),
        np.array([60.0, 45.0, 15.0, 20.0]),
        np.array([1.0, 1.37, 1.0, 1.37, 1.37]),
        0.17,
    )
    capacity = np.array([minutes, minutes // 2, 0], np.int64)

    def state() -> tuple:
        r = np.random.default_rng(seed + 100)
        tm = r.integers(0, 8, n).astype(np.int16)
        bh = r.integers(0, 5, n).astype(np.int8)
        flags = r.random((4, n)) < 0.5
        tx = TreatmentState(
            np.full(n, TX_COCM, np.int8), tm, r.integers(0, n_cm, n).astype(np.int16),
            np.full(n, -1, np.int16), np.full(n, -1, np.int16), flags[0].copy(),
            flags[1].copy(), np.zeros(n, np.int16), np.zeros(n, np.int8), np.zeros(n, bool),
        )  # fmt: skip
        ep = EpisodeState(bh, bh, bh, bh, flags[2], tm, tm, flags[2])
        person = PersonState(flags[3], r.integers(0, 5, n).astype(np.int8), flags[3],
                             flags[3], np.ones(n))  # fmt: skip
        record = CareManagerRecord(np.zeros(n, np.int16), np.zeros(n, bool), flags[2].copy())
        return tuple(ep), tuple(person), tuple(tx), tuple(record)

    ep, person, tx, record = state()
    needed, delivered, by_phase, followups, first = pathways.care_manager_time(
        enrolled, sparse_uniforms(KEY, enrolled), sparse_uniforms(KEY_2, enrolled),
        tuple(work), capacity, ep[0], person[1], tx, record,
    )  # fmt: skip
    want_arrays = (tx, record)
    ep, person, tx, record = state()
    got = pathways.care_manager_month(
        enrolled, KEY, KEY_2, tuple(work), capacity, ep[0], person[1], tx, record
    )
    np.testing.assert_array_equal(got[0], needed)
    assert tuple(int(x) for x in got[1:]) == (
        int(needed.sum()),
        int(delivered.sum()),
        int(by_phase[pathways.CM_OUTREACH]),
        int(by_phase[pathways.CM_MAINTENANCE]),
        int(followups),
        int(first),
    )
    for want_group, got_group in zip(want_arrays, (tx, record), strict=True):
        for w, g in zip(want_group, got_group, strict=True):
            np.testing.assert_array_equal(g, w)


# --- the CoCM offer ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("probability", [0.0, 0.35, 0.9, 1.0])
@pytest.mark.parametrize("n", [0, 1, 300])
def test_offered_slots_matches_the_numpy_mask(seed, probability, n):
    rng = np.random.default_rng(seed)
    slots = np.sort(rng.choice(20_000, n, replace=False)).astype(np.int64)
    want = slots[sparse_uniforms(KEY, slots) < probability]
    np.testing.assert_array_equal(registry.offered_slots(slots, KEY, probability), want)
