"""Acute care decides events only for candidate slots: the same events as the rule everywhere.

``kernels.costs.acute_care`` flags the panel members whose draw is within
``candidate_bound`` x frailty of an event, then applies ``rules.acute_event`` to them alone.
These tests compare it with the rule applied to every slot (the reference), including
probabilities a rounding away from the draw.
"""

import numpy as np
import pytest

from intsim.sim.kernels.costs import acute_care, candidate_bound
from intsim.sim.kernels.rng import unit_uniform
from intsim.sim.kernels.rules import acute_event, risk_class
from intsim.sim.kernels.state import AcuteEvents, PersonState
from intsim.sim.risk import N_CLASSES


def every_slot_reference(person, bh, condition, key, admit_rate, ed_rate):
    """The rule applied to every panel member (the kernel before candidates)."""
    n = len(bh)
    admission, ed_visit = np.zeros(n, bool), np.zeros(n, bool)
    for s in range(n):
        c = risk_class(bh[s], condition[s], person.chronic[s], person.age65[s])
        a, e = acute_event(unit_uniform(key, s), admit_rate[c], ed_rate[c], person.cost_frailty[s])
        admission[s] = person.in_panel[s] and a
        ed_visit[s] = person.in_panel[s] and e
    return admission, ed_visit


def random_panel(rng, n, frailty):
    person = PersonState(
        rng.random(n) < 0.8,
        np.zeros(n, np.int8),
        rng.random(n) < 0.4,
        rng.random(n) < 0.2,
        frailty,
    )
    bh = rng.integers(0, 5, n).astype(np.int8)
    condition = rng.integers(0, 3, n).astype(np.int8)
    return person, bh, condition


def run_kernel(person, bh, condition, key, admit_rate, ed_rate):
    n = len(bh)
    admission, ed_visit = np.ones(n, bool), np.ones(n, bool)  # stale values are overwritten
    acute_care(n, person, bh, condition, key, admit_rate, ed_rate, AcuteEvents(admission, ed_visit))
    return admission, ed_visit


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 1001, 20000])
@pytest.mark.parametrize("seed", [1, 2])
def test_candidates_give_the_rules_events_at_published_rates(n, seed):
    rng = np.random.default_rng(seed)
    person, bh, condition = random_panel(rng, n, rng.gamma(0.7, 1 / 0.7, n))
    admit_rate = rng.uniform(0.0005, 0.004, N_CLASSES)  # per month, as the defaults
    ed_rate = rng.uniform(0.01, 0.08, N_CLASSES)
    key = np.uint64(rng.integers(1, 2**63))
    got = run_kernel(person, bh, condition, key, admit_rate, ed_rate)
    want = every_slot_reference(person, bh, condition, key, admit_rate, ed_rate)
    assert np.array_equal(got[0], want[0])
    assert np.array_equal(got[1], want[1])
    if n == 20000:
        assert got[0].sum() > 0
        assert got[1].sum() > 0


def test_probabilities_within_a_rounding_of_the_draw_are_still_decided_by_the_rule():
    # each slot's frailty puts its event probability on its own draw, give or take ulps
    n = 4000
    rng = np.random.default_rng(5)
    key = np.uint64(987654321)
    u = np.array([unit_uniform(key, s) for s in range(n)])
    admit_rate = np.full(N_CLASSES, 0.002)
    ed_rate = np.full(N_CLASSES, 0.03)
    person, bh, condition = random_panel(rng, n, np.ones(n))
    ed_visits = []
    for nudge in (-2, -1, 0, 1, 2):
        frailty = u / (admit_rate[0] + ed_rate[0])
        frailty = frailty + nudge * np.spacing(frailty)
        at_the_edge = person._replace(in_panel=np.ones(n, bool), cost_frailty=frailty)
        got = run_kernel(at_the_edge, bh, condition, key, admit_rate, ed_rate)
        want = every_slot_reference(at_the_edge, bh, condition, key, admit_rate, ed_rate)
        assert np.array_equal(got[0], want[0])
        assert np.array_equal(got[1], want[1])
        ed_visits.append(int(want[1].sum()))
    assert ed_visits[0] < ed_visits[-1]  # the edge decides: below the draw none, above many


def test_capped_probabilities_and_zero_rates():
    n = 3000
    rng = np.random.default_rng(9)
    person, bh, condition = random_panel(rng, n, rng.gamma(0.1, 10.0, n) * 5.0)
    for admit_rate, ed_rate in [
        (rng.random(N_CLASSES) * 0.3, rng.random(N_CLASSES) * 0.5),  # many capped at 1
        (np.zeros(N_CLASSES), np.zeros(N_CLASSES)),  # no events at all
        (np.zeros(N_CLASSES), np.full(N_CLASSES, 2.0)),  # always an ED visit
    ]:
        key = np.uint64(rng.integers(1, 2**63))
        got = run_kernel(person, bh, condition, key, admit_rate, ed_rate)
        want = every_slot_reference(person, bh, condition, key, admit_rate, ed_rate)
        assert np.array_equal(got[0], want[0])
        assert np.array_equal(got[1], want[1])


def test_the_bound_covers_the_largest_class_with_slack():
    admit_rate = np.array([0.001, 0.003])
    ed_rate = np.array([0.05, 0.02])
    assert candidate_bound(admit_rate, ed_rate) == pytest.approx(0.053 * 2**31, rel=2e-9)
    assert candidate_bound(admit_rate, ed_rate) > 0.053 * 2**31
