"""The monthly record counts eight slots at a time: the same counts as slot by slot.

``kernels.counts.month_record`` reads byte arrays as 64-bit words of eight slots and int16
arrays as words of four. These tests compare it with the former slot-by-slot loop (the
reference below) on random populations, and the word helpers with brute force.
"""

import numpy as np
import pytest

from intsim.sim.kernels.codes import (
    BH_ACTIVE,
    BH_IMPROVED,
    BH_REMITTED,
    BH_SUB,
    TX_COCM,
    TX_PCBH,
    TX_PCP,
    TX_SPECIALTY,
)
from intsim.sim.kernels.counts import (
    COUNT_FIELDS,
    bytes_equal,
    bytes_sum,
    lane_word,
    lanes_equal,
    lanes_negative,
    month_record,
)
from intsim.sim.kernels.scan import byte_pattern
from intsim.sim.kernels.state import (
    AcuteEvents,
    EpisodeState,
    PersonState,
    ReachFlags,
    ReachServices,
    TreatmentState,
)


def slot_by_slot(n, due_starts, in_panel, bh, ts, events, program_start):
    """The counts of :func:`month_record` as the former loop formed them."""
    due6, due12 = due_starts
    c = dict.fromkeys(COUNT_FIELDS, 0)
    for s in range(n):
        state, tx = bh[s], ts.treatment[s]
        c["panel_size"] += in_panel[s]
        c["bh_prevalent"] += state == BH_ACTIVE
        c["subthreshold"] += state == BH_SUB
        c["active_cocm"] += tx == TX_COCM
        c["active_pcbh"] += tx == TX_PCBH
        c["in_usual_care_treatment"] += int(tx == TX_PCP) + int(tx == TX_SPECIALTY)
        c["in_specialty_care"] += tx == TX_SPECIALTY
        for_cocm = ts.waitlist_since[s] >= 0
        c["waitlist"] += int(for_cocm) + int(ts.bhc_wait_since[s] >= 0)
        c["waitlist_cocm"] += for_cocm
        c["ed_visits"] += events.ed_visit[s]
        c["admissions"] += events.admission[s]
        start = program_start[s]
        c["quality_measured_6m"] += start == due6
        c["quality_met_6m"] += (start == due6) and state in (BH_IMPROVED, BH_REMITTED)
        c["quality_measured_12m"] += start == due12
        c["quality_met_12m"] += (start == due12) and state == BH_REMITTED
    return [int(c[f]) for f in COUNT_FIELDS]


def random_population(rng, capacity):
    i16 = np.int16

    def months(share_waiting):
        return np.where(
            rng.random(capacity) < share_waiting, rng.integers(0, 400, capacity), -1
        ).astype(i16)

    person = PersonState(
        rng.random(capacity) < 0.8,
        rng.integers(0, 5, capacity).astype(np.int8),
        rng.random(capacity) < 0.4,
        rng.random(capacity) < 0.2,
        np.ones(capacity),
    )
    z8, z16 = np.zeros(capacity, np.int8), np.zeros(capacity, i16)
    zb = np.zeros(capacity, bool)
    ep = EpisodeState(rng.integers(0, 5, capacity).astype(np.int8), z8, z8, z8, zb, z16, z16, zb)
    ts = TreatmentState(
        rng.integers(0, 5, capacity).astype(np.int8),
        z16,
        z16,
        months(0.1),
        months(0.05),
        zb,
        zb,
        z16,
        z8,
        zb,
    )
    events = AcuteEvents(rng.random(capacity) < 0.01, rng.random(capacity) < 0.04)
    # start months cluster on a few values so that the measures fall due often
    program_start = rng.choice(np.array([-1, 0, 5, 11, 12, 300], i16), capacity)
    return person, ep, ts, events, program_start


@pytest.mark.parametrize("n", [0, 1, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1003, 20000])
@pytest.mark.parametrize("due_starts", [(-2, -2), (5, -2), (11, 5), (12, 0), (300, 11), (-1, -1)])
def test_word_counts_equal_the_slot_by_slot_counts(n, due_starts):
    rng = np.random.default_rng([n, due_starts[0] + 2, due_starts[1] + 2])
    capacity = n + 13  # slots beyond n hold states that must not be counted
    person, ep, ts, events, program_start = random_population(rng, capacity)
    services = ReachServices(
        rng.integers(0, 3, capacity).astype(np.int16) * (rng.random(capacity) < 0.1),
        rng.random(capacity) < 0.05,
    )
    reach = ReachFlags(
        np.zeros(capacity, bool), np.zeros(capacity, bool), np.zeros((3, capacity), bool)
    )
    got = month_record(n, due_starts, person, ep, ts, events, program_start, services, reach)
    want = slot_by_slot(n, due_starts, person.in_panel, ep.bh, ts, events, program_start)
    assert got.tolist() == want
    # the reach flags: served this month, and active episodes among panel members
    assert np.array_equal(reach.served_cocm[:n], services.cm_minutes[:n] > 0)
    assert np.array_equal(reach.served_pcbh[:n], services.bhc_visit[:n])
    assert np.array_equal(reach.year_flags[2, :n], person.in_panel[:n] & (ep.bh[:n] == BH_ACTIVE))
    assert not reach.served_cocm[n:].any()


def test_byte_and_lane_helpers_count_like_brute_force():
    rng = np.random.default_rng(3)
    words = rng.integers(0, 2**63, 2000, dtype=np.uint64) * np.uint64(2) + rng.integers(
        0, 2, 2000
    ).astype(np.uint64)
    # words made of a few byte values, so equal bytes are common
    small = rng.choice(np.array([0, 1, 2, 127, 128, 255], np.uint8), (2000, 8))
    words = np.concatenate([words, small.view(np.uint64).ravel()])
    for word in words:
        as_bytes = np.array([word], np.uint64).view(np.uint8)
        as_lanes = np.array([word], np.uint64).view(np.int16)
        for code in (0, 1, 2, 4, 127, 128, 255):
            assert bytes_equal(word, byte_pattern(code)) == (as_bytes == code).sum()
        for value in (-2, -1, 0, 5, 32767, -32768):
            assert lanes_equal(word, lane_word(value)) == (as_lanes == value).sum()
        assert lanes_negative(word) == (as_lanes < 0).sum()
    flags = (rng.random((500, 8)) < 0.5).view(np.uint64).ravel()
    for word in flags:
        assert bytes_sum(word) == np.array([word], np.uint64).view(np.uint8).sum()
