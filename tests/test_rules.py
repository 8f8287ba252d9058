"""Unit tests of the submodels: scores and variants, allocation, tables, closed-form cases."""

import math

import numpy as np
import pytest

from intsim.params.scenario import default_scenario
from intsim.params.workforce import split_fte
from intsim.sim.clinical import (
    Variant,
    build_month_tables,
    build_static_tables,
    condition_hazard_ratios,
    hazard_to_probability,
    learning_factor,
    pcbh_visit_distribution,
    residual_relapse_probability,
    variant_hazard_ratios,
)
from intsim.sim.kernels.pathways import care_manager_time
from intsim.sim.kernels.queues import (
    book_bhc_visits,
    first_served,
    in_order,
    sort_out_bookings,
    turn_away_newest,
)
from intsim.sim.kernels.rules import risk_class, threshold_score_of, treatment_variant
from intsim.sim.kernels.state import CareManagerWork
from intsim.sim.population import BH, Condition, Population, Tx, threshold_score
from intsim.sim.providers import (
    assign_to_most_room,
    first_by_priority,
    order_by_priority,
)
from intsim.sim.risk import reference_weights
from intsim.sim.streams import RandomStreams


def test_treatment_variant_applies_fidelity_penalties():
    def v(month, followup, reviewed):
        return treatment_variant(Tx.COCM, month, followup, reviewed, False, 2)

    assert v(1, False, False) == Variant.COCM  # no follow-up is due in the enrolment month
    assert v(2, False, False) == Variant.COCM_NO_FOLLOWUP
    assert v(3, True, False) == Variant.COCM_NO_REVIEW
    assert v(3, False, False) == Variant.COCM_NO_FOLLOWUP_NO_REVIEW
    assert v(3, True, True) == Variant.COCM


def test_threshold_score_applies_the_shared_rule_and_respects_bands():
    u = np.random.default_rng(0).random(20_000)
    vec = threshold_score(u, 0.2, 0.3)
    assert vec[:2000].tolist() == [threshold_score_of(float(x), 0.2, 0.3) for x in u[:2000]]
    assert vec.min() >= 10
    assert vec.max() <= 27
    assert np.mean(vec >= 20) == pytest.approx(0.2, abs=0.01)
    assert np.mean((vec >= 15) & (vec < 20)) == pytest.approx(0.3, abs=0.01)


def _cm_time(treatment_month, bh, care_manager, capacity, u_contact, unreached=0.0):
    """Run the care-manager time kernel on a small caseload (multiplier 1)."""
    n = len(treatment_month)
    pop = Population(capacity=n)
    pop.n_used = n
    pop.treatment_month[:] = treatment_month
    pop.bh[:] = bh
    pop.care_manager[:] = care_manager
    enrolled = np.arange(n, dtype=np.int64)
    work = CareManagerWork(
        np.ones(200),  # multiplier 1 (a flat quantile table)
        np.array([80.0, 50.0, 30.0, 20.0]),  # intake, active, outreach, maintenance
        np.ones(5),  # payer ratios
        unreached,
    )
    needed, delivered, by_phase, followups, _ = care_manager_time(
        enrolled,
        np.full(n, 0.5),
        np.asarray(u_contact, dtype=np.float64),
        work,
        np.asarray(capacity, dtype=np.int64),
        pop.bh,
        pop.payer,
        pop.treatment_state(),
        pop.care_manager_record(),
    )
    cm_minutes, cm_initial, followup_ok = pop.cm_minutes, pop.cm_initial, pop.followup_ok
    return cm_minutes, cm_initial, followup_ok, needed, delivered, by_phase, followups


ACTIVE, IMPROVED, REMITTED = int(BH.ACTIVE), int(BH.IMPROVED), int(BH.REMITTED)


def test_care_manager_time_gives_each_phase_its_minutes_when_time_suffices():
    #          intake  active  improved  remitted  unreached(active)
    tm = [1, 3, 4, 5, 2]
    bh = [ACTIVE, ACTIVE, IMPROVED, REMITTED, ACTIVE]
    u = [0.5, 0.5, 0.5, 0.5, 0.05]  # the last is below the unreached probability
    minutes, initial, follow, needed, delivered, by_phase, followups = _cm_time(
        tm, bh, [0] * 5, [1000], u, unreached=0.1
    )
    assert minutes.tolist() == [80, 50, 20, 20, 30]
    assert initial.tolist() == [True, False, False, False, False]
    assert by_phase.tolist() == [1, 1, 1, 2]  # intake, active, outreach, maintenance
    assert needed.tolist() == delivered.tolist() == [200]
    assert followups == 0
    assert not follow[4]


def test_care_manager_time_serves_phases_by_priority_and_shares_the_short_one():
    # capacity 80 + 2 x 50 = 180 covers intake and active; 20 left for two maintenance
    # patients needing 20 each: each gets floor(20 x 20 / 40) = 10 (partial, not all-or-nothing)
    tm = [3, 1, 3, 4, 5, 2]
    bh = [IMPROVED, ACTIVE, ACTIVE, REMITTED, ACTIVE, ACTIVE]
    cm = [0, 0, 0, 0, 0, 1]
    minutes, _, follow, needed, delivered, _, followups = _cm_time(tm, bh, cm, [200, 25], [0.5] * 6)
    assert minutes.tolist() == [10, 80, 50, 10, 50, 25]
    assert needed.tolist() == [220, 50]
    assert delivered.tolist() == [200, 25]
    assert followups == 1
    assert follow[5]


def test_care_manager_time_vacant_care_manager_gives_nothing():
    minutes, _, follow, _, delivered, _, followups = _cm_time(
        [2, 2], [ACTIVE, ACTIVE], [0, 1], [100, 0], [0.5, 0.5]
    )
    assert minutes.tolist() == [50, 0]
    assert delivered.tolist() == [50, 0]
    assert follow.tolist() == [True, False]
    assert followups == 1


def test_priority_ordering_and_selection():
    slots = np.array([5, 3, 9, 1])
    prio = np.array([0.4, 0.1, 0.9, 0.2])
    assert order_by_priority(slots, prio).tolist() == [3, 1, 5, 9]
    assert order_by_priority(slots, prio, np.array([1, 1, 0, 0])).tolist() == [1, 9, 3, 5]
    served = np.zeros(4, np.int64)
    assert first_served(slots, served, np.uint64(1), 10).tolist() == slots.tolist()


def test_split_fte():
    assert split_fte(2.5) == [1.0, 1.0, 0.5]
    assert split_fte(2.0) == [1.0, 1.0]
    assert split_fte(0.0) == []


def test_learning_factor_ramps_linearly():
    assert learning_factor(1, 0.6, 24) == 0.6
    assert learning_factor(13, 0.6, 24) == pytest.approx(0.8)
    assert learning_factor(25, 0.6, 24) == 1.0
    assert learning_factor(99, 0.6, 24) == 1.0
    assert learning_factor(1, 0.6, 0) == 1.0


@pytest.mark.parametrize("mean", [1.0, 1.5, 2.5, 3.5, 3.9])
def test_pcbh_visit_distribution_matches_mean(mean):
    cum = pcbh_visit_distribution(mean)
    pmf = np.diff(np.concatenate([[0.0], cum]))
    assert (pmf >= 0).all()
    assert cum[-1] == 1.0
    assert float((pmf * np.arange(1, 5)).sum()) == pytest.approx(mean, abs=1e-6)


def test_residual_relapse_probability_applies_the_odds_ratio_to_12_months():
    h = 0.0389
    p = residual_relapse_probability(h, 3.3)
    p12_base = 1 - math.exp(-12 * h)
    odds = 3.3 * p12_base / (1 - p12_base)
    assert 1 - (1 - p) ** 12 == pytest.approx(odds / (1 + odds))
    assert residual_relapse_probability(h, 1.0) == pytest.approx(1 - math.exp(-h))


def test_weibull_increments_reproduce_the_survival_function():
    values = default_scenario().values
    static = build_static_tables(values)
    c = values.clinical
    cum = static.weibull_increment[:12].sum()
    assert cum == pytest.approx((12 / c.remission_weibull_scale) ** c.remission_weibull_shape)
    tables = build_month_tables(values, static, month=100)
    # untreated improvement probability = 1 - S(t)/S(t-1)
    assert tables.improve_acute[0, Variant.NONE, 0] == pytest.approx(
        float(hazard_to_probability(static.weibull_increment[0]))
    )


def test_hazard_ratios_order_and_learning_curve():
    values = default_scenario().values
    early = variant_hazard_ratios(values, 1)
    mature = variant_hazard_ratios(values, 200)
    assert mature[Variant.COCM] == pytest.approx(values.clinical.cocm_response_hr)
    assert early[Variant.COCM] < mature[Variant.COCM]
    assert (
        mature[Variant.COCM]
        > mature[Variant.COCM_NO_FOLLOWUP]
        > mature[Variant.COCM_NO_FOLLOWUP_NO_REVIEW]
    )
    assert mature[Variant.PCBH_WITH_PCP] == pytest.approx(
        mature[Variant.PCBH] * values.clinical.pcp_treatment_hr
    )
    assert early[Variant.NONE] == 1.0
    both = condition_hazard_ratios(values, 200)
    np.testing.assert_allclose(both[0], mature)
    ratio = values.clinical.anxiety_cocm_effect_ratio
    assert both[1, Variant.COCM] == pytest.approx(mature[Variant.COCM] * ratio)
    assert both[1, Variant.PCBH] == mature[Variant.PCBH]


def test_acute_care_rates_average_to_the_published_panel_rates():
    """The month-1 panel (declared prevalences) reproduces the published rates; the ratio of an
    active depression episode to no BH condition, without chronic condition or age 65+, is the
    published IRR (the risk classes of intsim.sim.risk replace the old [chronic, episode] cells)."""
    values = default_scenario().values
    static = build_static_tables(values)
    w = reference_weights(values)
    u = values.utilization
    assert float(w @ static.ed_rate) * 1200 == pytest.approx(u.ed_visits_per_100py)
    assert float(w @ static.admit_rate) * 1200 == pytest.approx(u.admissions_per_100py)
    none = risk_class(BH.NONE, Condition.NONE, False, False)
    depressed = risk_class(BH.ACTIVE, Condition.DEPRESSION, False, False)
    assert static.ed_rate[depressed] / static.ed_rate[none] == pytest.approx(u.depression_ed_irr)
    assert static.admit_rate[depressed] / static.admit_rate[none] == pytest.approx(
        u.depression_admission_irr
    )


@pytest.mark.parametrize("with_key", [False, True])
def test_first_by_priority_is_the_head_of_the_full_ordering(with_key):
    rng = np.random.default_rng(4)
    for trial in range(200):
        n = int(rng.integers(0, 60))
        slots = np.sort(rng.choice(10_000, n, replace=False)).astype(np.int64)
        # coarse priorities and keys force ties at the cut
        priority = rng.integers(0, 8, n) / 8.0
        key = rng.integers(0, 4, n) if with_key else None
        keys = () if key is None else (key,)
        full = order_by_priority(slots, priority, *keys)
        for k in (0, 1, n // 3, n - 1, n, n + 5):
            got = first_by_priority(slots, priority, k, key)
            assert got.tolist() == full[: max(k, 0)].tolist(), (trial, k)


def test_in_order_is_the_lexsort_of_key_priority_and_slot():
    rng = np.random.default_rng(11)
    for _ in range(200):
        n = int(rng.integers(0, 80))
        slots = np.sort(rng.choice(10_000, n, replace=False)).astype(np.int64)
        priority = rng.integers(0, 6, n) / 6.0  # coarse: ties are common
        key = rng.integers(0, 3, n).astype(np.int64)
        expected = np.lexsort((slots, priority, key))
        assert in_order(priority, key).tolist() == expected.tolist()


@pytest.mark.parametrize("with_key", [False, True])
def test_first_served_is_the_set_first_by_priority_serves(with_key):
    streams = RandomStreams(seed=3, n_slots=2_000, months=12)
    rng = np.random.default_rng(12)
    for month in range(1, 12):
        n = int(rng.integers(0, 600))  # beyond the insertion path's 256 too
        slots = np.sort(rng.choice(2_000, n, replace=False)).astype(np.int64)
        key = rng.integers(0, 4, n).astype(np.int64) if with_key else np.zeros(n, np.int64)
        prio = streams.uniform("priority", month, slots)
        for k in (-1, 0, 1, n // 2, 300, n, n + 3):
            expected = first_by_priority(slots, prio, k, key if with_key else None)
            got = first_served(slots, key, streams.uint64_key("priority", month), k)
            assert got.tolist() == sorted(expected.tolist()), (month, k)


def test_turn_away_newest_removes_the_highest_priority_newcomers_down_to_the_limit():
    streams = RandomStreams(seed=5, n_slots=500, months=6)
    rng = np.random.default_rng(13)
    for trial in range(100):
        n = 500
        since = rng.integers(-1, 5, n).astype(np.int16)
        month = 4
        limit = int(rng.integers(0, 450))
        new = np.flatnonzero(since == month)
        over = int((since >= 0).sum()) - limit
        n_out = max(min(over, len(new)), 0)
        order = order_by_priority(new, streams.uniform("priority", month, new))
        expected = since.copy()
        expected[order[len(new) - n_out :]] = -1
        got = turn_away_newest(since, n, month, limit, streams.uint64_key("priority", month))
        assert got == n_out, trial
        assert since.tolist() == expected.tolist(), trial


def _bhc_population(rng: np.random.Generator, n: int) -> Population:
    pop = Population(capacity=n)
    pop.n_used = n
    pop.treatment[:] = rng.choice([Tx.NONE, Tx.PCP, Tx.PCBH], n)
    pop.bhc_visits_left[:] = rng.integers(0, 3, n)
    pop.bhc_visit[:] = rng.random(n) < 0.2
    pop.bhc_wait_since[:] = np.where(rng.random(n) < 0.3, rng.integers(0, 6, n), -1)
    return pop


def test_book_bhc_visits_books_follow_ups_first_then_the_oldest_waits():
    streams = RandomStreams(seed=7, n_slots=400, months=8)
    rng = np.random.default_rng(14)
    for trial in range(60):
        pop = _bhc_population(rng, 400)
        month, free = 6, int(rng.integers(0, 200))
        tx, left = pop.treatment.copy(), pop.bhc_visits_left.copy()
        due = np.flatnonzero((tx == Tx.PCBH) & (left > 0) & ~pop.bhc_visit)
        waiting = np.flatnonzero(pop.bhc_wait_since >= 0)
        # the reference: the original numpy steps
        if free < len(due):
            due_booked = first_by_priority(due, streams.uniform("priority", month, due), free)
        else:
            due_booked = due
        rest = free - len(due_booked)
        if rest < len(waiting):
            prio = streams.uniform("priority", month, waiting)
            waiting = first_by_priority(waiting, prio, rest, pop.bhc_wait_since[waiting])
        expected = np.sort(np.concatenate([due_booked, waiting]))
        key = streams.uint64_key("priority", month)
        booked, n_due = book_bhc_visits(
            400, free, key, pop.treatment, pop.bhc_visits_left, pop.bhc_wait_since, pop.bhc_visit
        )
        assert booked.tolist() == expected.tolist(), trial
        assert n_due == len(due)
        left[due] -= 1  # every follow-up due uses up a planned visit, booked or not
        assert pop.bhc_visits_left.tolist() == left.tolist()


def test_sort_out_bookings_splits_follow_ups_starters_and_missed_first_visits():
    rng = np.random.default_rng(15)
    pop = _bhc_population(rng, 300)
    booked = np.flatnonzero((pop.treatment == Tx.PCBH) | (pop.bhc_wait_since >= 0))
    missed = rng.random(len(booked)) < 0.25
    since = pop.bhc_wait_since.copy()
    followups, starting, wait_months = sort_out_bookings(
        9, booked, missed, pop.treatment, pop.bhc_wait_since
    )
    came = booked[~missed]
    assert followups.tolist() == came[pop.treatment[came] == Tx.PCBH].tolist()
    assert starting.tolist() == came[pop.treatment[came] != Tx.PCBH].tolist()
    assert wait_months == int((9 - since[starting].astype(np.int64)).sum())
    lost = booked[missed & (pop.treatment[booked] != Tx.PCBH)]
    assert len(lost) > 0
    assert (pop.bhc_wait_since[lost] == -1).all()
    others = np.setdiff1d(np.arange(300), lost)
    assert pop.bhc_wait_since[others].tolist() == since[others].tolist()


def test_assign_to_most_room_fills_the_emptiest_provider_first():
    def reference(room, n):  # one patient at a time, most room first, lowest index on ties
        left = [max(r, 0) for r in room]
        out = []
        for _ in range(min(n, sum(left))):
            k = left.index(max(left))
            left[k] -= 1
            out.append(k)
        return out

    rng = np.random.default_rng(8)
    for _ in range(300):
        room = rng.integers(-3, 9, int(rng.integers(1, 6))).tolist()
        n = int(rng.integers(0, 30))
        assert assign_to_most_room(room, n).tolist() == reference(room, n)
    assert assign_to_most_room([2, 5, 5], 4).tolist() == [1, 2, 1, 2]
