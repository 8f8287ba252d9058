"""The compiled CoCM enrolment (``pathways.enrol_cocm``) against a plain numpy reference.

The reference is the former Python body of ``intsim.sim.care.cocm.enrol_from_queue``: full
scans for the caseload and the queue, ``caseload_minutes``, the room per care manager with
numpy's ``.mean()`` of the queue's payer ratios, ``assign_to_most_room`` and a full lexsort of
the queue by (waitlist month, priority uniform, slot). Random small populations (fixed seeds),
with queues longer than 256, many ties in the waitlist month, and picks of fewer than 256,
more than 256 and the whole queue.
"""

import numpy as np
import pytest

from intsim.sim.kernels import pathways
from intsim.sim.kernels.codes import TX_COCM
from intsim.sim.kernels.rng import sparse_uniforms
from intsim.sim.kernels.state import (
    CareManagerStaff,
    EnrolmentRecord,
    EnrolmentRule,
    EpisodeState,
    TreatmentState,
)
from intsim.sim.providers import assign_to_most_room

N_SLOTS = 4000
N_CM = 4
KEY = np.uint64(0x9E3779B97F4A7C15)


def population(seed: int, n_used: int) -> dict[str, np.ndarray]:
    """Random patient arrays (capacity ``N_SLOTS``; ``n_used`` slots in use)."""
    rng = np.random.default_rng(seed)
    n = N_SLOTS
    treatment = rng.integers(0, 5, n).astype(np.int8)
    waiting = rng.random(n) < 0.3
    return {
        "treatment": treatment,
        "treatment_month": rng.integers(0, 12, n).astype(np.int16),
        "care_manager": np.where(treatment == TX_COCM, rng.integers(0, N_CM, n), -1).astype(
            np.int16
        ),
        "waitlist_since": np.where(waiting, rng.integers(0, 6, n), -1).astype(np.int16),
        "bhc_wait_since": np.full(n, -1, np.int16),
        "followup_ok": rng.random(n) < 0.5,
        "reviewed": rng.random(n) < 0.5,
        "improved_months": rng.integers(0, 4, n).astype(np.int16),
        "bhc_visits_left": np.zeros(n, np.int8),
        "pcp_cotreat": np.zeros(n, np.bool_),
        "bh": rng.integers(0, 5, n).astype(np.int8),
        "score": rng.integers(0, 27, n).astype(np.int8),
        "payer": rng.integers(0, 5, n).astype(np.int8),
        "program_start": rng.integers(-1, 10, n).astype(np.int16),
        "last_review": rng.integers(0, 5, n).astype(np.int16),
        "enrol_score": rng.integers(0, 27, n).astype(np.int8),
        "screen_score": rng.integers(-1, 27, n).astype(np.int8),
        "followed_up": rng.random(n) < 0.5,
        "n_used": np.array(n_used),
    }


RATIOS = np.array([1.0, 1.37, 1.0, 1.37, 1.37])
PHASES = np.array([60.0, 45.0, 15.0, 20.0])
RULE = EnrolmentRule(PHASES, RATIOS, 0.17, 60.0, 0.85)


def call_kernel(p: dict[str, np.ndarray], staff: CareManagerStaff, month: int):
    tx = TreatmentState(*(p[f] for f in TreatmentState._fields))
    ep = EpisodeState(
        p["bh"], p["score"], p["score"], p["bh"], p["reviewed"], p["treatment_month"],
        p["treatment_month"], p["reviewed"],
    )  # fmt: skip
    record = EnrolmentRecord(*(p[f] for f in EnrolmentRecord._fields))
    return pathways.enrol_cocm(
        int(p["n_used"]), month, KEY, tuple(staff), tuple(RULE), tuple(tx), tuple(ep),
        p["payer"], tuple(record),
    )  # fmt: skip


def reference(p: dict[str, np.ndarray], staff: CareManagerStaff, month: int):
    """The former numpy body of ``enrol_from_queue`` on the same arrays."""
    n_used = int(p["n_used"])
    caseload = np.flatnonzero(p["treatment"][:n_used] == TX_COCM)
    queue = np.flatnonzero(p["waitlist_since"][:n_used] >= 0)
    nobody = np.empty(0, np.int64)
    if len(queue) == 0 or len(staff.index) == 0:
        return caseload, nobody, 0
    count, busy = pathways.caseload_minutes(
        caseload, p["care_manager"], p["treatment_month"], p["bh"], p["payer"], RATIOS,
        PHASES, RULE.unreached_probability, len(staff.index),
    )  # fmt: skip
    intake = RULE.minutes_intake * float(RATIOS[p["payer"][queue]].mean())
    room = []
    for cap, minutes, k in zip(staff.caseload_cap, staff.patient_minutes, staff.index, strict=True):
        by_cap = int(cap) - int(count[k])
        spare = RULE.panel_fill_target * float(minutes) - float(busy[k])
        by_minutes = int(spare // intake) if intake > 0 else by_cap
        room.append(min(by_cap, max(by_minutes, 0)))
    assigned = [int(staff.index[k]) for k in assign_to_most_room(room, len(queue))]
    if not assigned:
        return caseload, nobody, 0
    prio = sparse_uniforms(KEY, queue)
    new = queue[np.lexsort((queue, prio, p["waitlist_since"][queue]))][: len(assigned)]
    waited = int((month - p["waitlist_since"][new].astype(np.int64)).sum())
    p["waitlist_since"][new] = -1
    p["treatment"][new] = TX_COCM
    p["treatment_month"][new] = 1
    p["program_start"][new] = month
    p["care_manager"][new] = assigned
    p["followup_ok"][new] = False
    p["followed_up"][new] = False
    p["reviewed"][new] = False
    p["last_review"][new] = 0
    p["improved_months"][new] = 0
    screen = p["screen_score"][new]
    p["enrol_score"][new] = np.where(screen >= 0, screen, p["score"][new])
    return np.sort(np.concatenate([caseload, new])), new, waited


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    ("caps", "minutes", "n_used"),
    [
        ([30, 25, 40, 10], [9000.0, 7000.0, 12000.0, 3000.0], 3000),  # few: insertion buffer
        ([300, 270, 250, 240], [1e6, 1e6, 1e6, 1e6], 3000),  # over 256 of about 900
        ([5000, 5000, 5000, 5000], [1e7, 1e7, 1e7, 1e7], 3000),  # the whole queue
        ([800, 800, 800, 800], [1e6, 1e6, 1e6, 1e6], 40),  # a short queue
        ([0, 0, 0, 0], [1e6, 1e6, 1e6, 1e6], 3000),  # no room
        ([30, 25, 40, 10], [30.0, 2000.0, 0.0, 5000.0], 3000),  # minutes bind
    ],
)
def test_enrol_kernel_matches_numpy_reference(seed, caps, minutes, n_used):
    staff = CareManagerStaff(
        np.array(caps, np.int64), np.array(minutes, np.float64), np.array([2, 0, 3, 1], np.int64)
    )
    month = 7
    got_p = population(seed, n_used)
    want_p = population(seed, n_used)
    n_queue = int(np.count_nonzero(got_p["waitlist_since"][:n_used] >= 0))
    assert n_queue > (256 if n_used > 256 else 0)
    got = call_kernel(got_p, staff, month)
    want = reference(want_p, staff, month)
    if caps[0] == 300:
        assert 256 < len(want[1]) < n_queue
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert int(got[2]) == want[2]
    for name in got_p:
        np.testing.assert_array_equal(got_p[name], want_p[name], err_msg=name)


def test_enrol_kernel_without_care_managers_or_queue_changes_nothing():
    staff = CareManagerStaff(np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64))
    p = population(4, 3000)
    before = {k: v.copy() for k, v in p.items()}
    caseload, new, waited = call_kernel(p, staff, 7)
    np.testing.assert_array_equal(caseload, np.flatnonzero(p["treatment"][:3000] == TX_COCM))
    assert len(new) == 0
    assert waited == 0
    for name in p:
        np.testing.assert_array_equal(p[name], before[name])
    p["waitlist_since"][:] = -1  # care managers with room but nobody waiting
    staff = CareManagerStaff(np.full(4, 50), np.full(4, 1e6), np.arange(4))
    caseload, new, waited = call_kernel(p, staff, 7)
    assert len(new) == 0
    assert len(caseload) == np.count_nonzero(p["treatment"][:3000] == TX_COCM)


@pytest.mark.parametrize("n", [1, 7, 8, 9, 127, 128, 129, 255, 256, 300, 1023, 1025, 5000])
def test_pairwise_sum_is_numpy_sum(n):
    rng = np.random.default_rng(n)
    values = np.where(rng.random(n) < 0.4, 1.37, 1.0) + rng.random(n) * 1e-3
    assert pathways.pairwise_sum(values) == values.sum()
    assert pathways.pairwise_sum(values) / n == values.mean()
