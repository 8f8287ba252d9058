"""Session-14 boundary changes give what the former code gave (fixed seeds, edge cases).

* :func:`intsim.sim.kernels.clinical.clinical_step` flags the slots with an episode
  (``scan.padded_flags``) instead of collecting them one store a slot, and returns its counts as
  a tuple of ints instead of an array;
* :func:`intsim.sim.kernels.costs.cost_of_care` takes the BH state and condition instead of the
  whole episode state and writes members and cost by payer into arrays the meter owns;
* :meth:`intsim.money.claims.ClaimsBook._month_billing` builds its dictionaries from
  precomputed places.

Each is compared with a readable copy of the former code on model states after a few months
and on prefixes of them (no slot, one slot, either side of an 8-slot word).
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from numpy.typing import NDArray

from intsim.money.claims import FAMILIES, ClaimsBook, MonthBilling, month_total_places
from intsim.params import PAYERS
from intsim.params.scenario import default_scenario
from intsim.sim.engine_arrays import CLINICAL_STREAMS, ClinicalCounts
from intsim.sim.kernels import clinical as clinical_kernels
from intsim.sim.kernels.codes import BH_ACTIVE, TX_SPECIALTY
from intsim.sim.kernels.costs import cost_of_care, payer_class_costs, risk_classes
from intsim.sim.kernels.rules import (
    NO_EVENT,
    RECOVERY,
    clinical_course,
    improvement_cell,
    partial_response_possible,
)
from intsim.sim.kernels.state import (
    AcuteEvents,
    EpisodeState,
    Fields,
    PersonState,
    TreatmentState,
)
from intsim.sim.model import ClinicModel
from intsim.sim.tcoc import _RECORD_COLUMNS

#: A small CoCM clinic (treatments, episodes and events after a few months).
SMALL = {
    "population.n_patients": 1500,
    "staffing.n_pcps": 1,
    "staffing.pcp_visits_per_day": 18,
    "staffing.care_manager_fte": 0.4,
    "staffing.bhc_fte": 0.3,
    "simulation.months": 12,
}
#: Slots in use tried besides the whole panel: none, one, either side of 8-slot words.
PREFIXES = (0, 1, 7, 8, 9, 63, 64, 65, 1001)


@pytest.fixture(scope="module")
def model() -> ClinicModel:
    """The small clinic after eight months (seed 4)."""
    m = ClinicModel(default_scenario().with_overrides(SMALL).values, seed=4)
    for _ in range(8):
        m.step()
    return m


def _copy(fields: Fields) -> Fields:
    return tuple(a.copy() for a in fields)


# ------------------------------------------------------------------ former code (reference)


@njit(cache=False)
def former_clinical_step(
    n: int,
    ep: Fields,
    tx: Fields,
    improve: NDArray[np.float64],
    improve_shape: tuple[int, int],
    keys: NDArray[np.uint64],
    probs: NDArray[np.float64],
    review_month: int,
    sustained_months: int,
) -> NDArray[np.int64]:
    """The former ``clinical_step``: slots collected one store a slot, counts as an array."""
    ep = EpisodeState(*ep)
    tx = TreatmentState(*tx)
    n_variants, max_episode_month = improve_shape
    bh, score, condition, known = ep.bh, ep.score, ep.condition, ep.known
    episode_month, remission_months = ep.episode_month, ep.remission_months
    counts = np.zeros(6, np.int64)
    in_episode = np.empty(n, np.int64)
    m = 0
    for s in range(n):
        in_episode[m] = s
        m += bh[s] >= BH_ACTIVE
    key_tuple = (keys[0], keys[1], keys[2], keys[3], keys[4], keys[5])
    prob_tuple = (probs[0], probs[1], probs[2], probs[3], probs[4], probs[5], probs[6], probs[7])
    for i in range(m):
        s = in_episode[i]
        p_improve = 0.0
        treated = False
        if bh[s] == BH_ACTIVE:
            treated = partial_response_possible(tx.treatment[s], tx.pcp_cotreat[s])
            p_improve = improve[
                improvement_cell(
                    tx.treatment[s], tx.treatment_month[s], tx.followup_ok[s], tx.reviewed[s],
                    tx.pcp_cotreat[s], review_month, condition[s], ep.chronic_episode[s],
                    episode_month[s], n_variants, max_episode_month,
                )
            ]  # fmt: skip
        event, new_bh, new_score, new_condition, months, remission, new_known = clinical_course(
            s, bh[s], score[s], ep.baseline_score[s], condition[s], episode_month[s],
            remission_months[s], known[s], p_improve, treated, key_tuple, prob_tuple,
            sustained_months,
        )  # fmt: skip
        episode_month[s] = months
        remission_months[s] = remission
        if event != NO_EVENT:
            bh[s] = new_bh
            score[s] = new_score
            if event == RECOVERY:
                condition[s] = new_condition
                known[s] = new_known
            counts[event] += 1
    return counts[1:]


@njit(cache=False)
def former_cost_of_care(
    n: int,
    person: Fields,
    ep: Fields,
    treatment: NDArray[np.int8],
    events: Fields,
    nonacute: NDArray[np.float64],
    multiplier: NDArray[np.float64],
    unit_costs: NDArray[np.float64],
    slot_cost: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The former ``cost_of_care``: the whole episode state in, members and cost returned."""
    person = PersonState(*person)
    ep = EpisodeState(*ep)
    events = AcuteEvents(*events)
    in_panel, payer, frailty = person.in_panel, person.payer, person.cost_frailty
    ed_visit, admission = events.ed_visit, events.admission
    ed_cost, admit_cost, specialty_cost = unit_costs[0], unit_costs[1], unit_costs[2]
    classes = risk_classes(n, ep.bh, ep.condition, person.chronic, person.age65)
    base = payer_class_costs(nonacute, multiplier)
    n_classes = len(multiplier)
    for s in range(n):
        slot_cost[s] = base[np.int64(payer[s]) * n_classes + classes[s]]
    for s in range(n):
        unit = slot_cost[s] * frailty[s]
        unit += ed_cost * ed_visit[s]
        unit += admit_cost * admission[s]
        unit += specialty_cost * (treatment[s] == TX_SPECIALTY)
        slot_cost[s] = unit * in_panel[s]
    members = np.zeros(len(nonacute), np.int64)
    cost = np.zeros(len(nonacute), np.float64)
    for s in range(n):
        k = payer[s]
        members[k] += in_panel[s]
        cost[k] += slot_cost[s]
    return members, cost


def former_month_billing(book: ClaimsBook, totals: list[float]) -> MonthBilling:
    """The former ``ClaimsBook._month_billing`` (strict zips of slices)."""
    n_fam, n_pay, n_money = len(FAMILIES), len(PAYERS), book._n_money
    paid_by_payer = totals[n_fam + n_pay : n_fam + 2 * n_pay]
    cash_by_lag: dict[int, float] = {}
    for lag, paid in zip(book.lag, paid_by_payer, strict=True):
        cash_by_lag[lag] = cash_by_lag.get(lag, 0.0) + paid
    cash_by_lag[0] = cash_by_lag.get(0, 0.0) + totals[n_money - 2]
    return MonthBilling(
        revenue_by_family=dict(zip(FAMILIES, totals[:n_fam], strict=True)),
        revenue_by_payer=dict(zip(PAYERS, totals[n_fam : n_fam + n_pay], strict=True)),
        payer_paid_by_payer=dict(zip(PAYERS, paid_by_payer, strict=True)),
        cash_by_lag=cash_by_lag,
        collections=totals[n_money - 1],
        billed_cm_minutes=totals[n_money] * book._cm_capture,
        billed_bhi_minutes=totals[n_money + 1] * book._cm_capture,
        episodes_started_by_payer=dict(
            zip(PAYERS, map(int, totals[n_money + 2 : n_money + 2 + n_pay]), strict=True)
        ),
    )


# ------------------------------------------------------------------ clinical_step


def _clinical_args(model: ClinicModel, month: int) -> tuple:
    eng = model.engine
    improve, shape = eng._improvement_table(model._month_tables(month))
    keys = model.streams.keys(CLINICAL_STREAMS, month)
    return improve, shape, keys, eng._clinical_probs, eng._review_month, eng._sustained_months


@pytest.mark.parametrize("n", [*PREFIXES, None])
@pytest.mark.parametrize("month", [9, 10])
def test_clinical_step_matches_the_former_kernel(model, n, month):
    pop = model.pop
    n = pop.n_used if n is None else min(n, pop.n_used)
    improve, shape, keys, probs, review, sustained = _clinical_args(model, month)
    tx = _copy(pop.treatment_state())
    ep_former, ep_new = _copy(pop.episode_state()), _copy(pop.episode_state())
    former = former_clinical_step(n, ep_former, tx, improve, shape, keys, probs, review, sustained)
    new = clinical_kernels.clinical_step(
        n, ep_new, tx, improve, shape, keys, probs, review, sustained
    )
    assert isinstance(new, tuple)
    assert all(isinstance(c, int) for c in new)
    assert list(new) == former.tolist()
    for a, b in zip(ep_former, ep_new, strict=True):
        assert np.array_equal(a, b)
    if n == pop.n_used:
        assert sum(new) > 0  # the month has events


def test_engine_clinical_step_gives_the_former_counts(model):
    pop, month = model.pop, 9
    improve, shape, keys, probs, review, sustained = _clinical_args(model, month)
    ep = _copy(pop.episode_state())
    former = former_clinical_step(
        pop.n_used, ep, pop.treatment_state(), improve, shape, keys, probs, review, sustained
    )
    saved = _copy(pop.episode_state())
    try:
        counts = model.engine.clinical_step(month, model._month_tables(month))
        for a, b in zip(ep, pop.episode_state(), strict=True):
            assert np.array_equal(a, b)
    finally:
        for a, b in zip(pop.episode_state(), saved, strict=True):
            a[...] = b
    improvements, remissions, relapses, recoveries, partial = former.tolist()
    assert counts == ClinicalCounts(improvements, remissions, relapses, recoveries, partial)
    assert all(type(v) is int for v in vars(counts).values())


def test_improvement_table_is_kept_while_the_tables_are_reused(model):
    eng = model.engine
    tables = model._month_tables(9)
    flat, shape = eng._improvement_table(tables)
    assert eng._improvement_table(tables)[0] is flat
    assert shape == (tables.improve_acute.shape[1], 600)


# ------------------------------------------------------------------ cost_of_care


@pytest.mark.parametrize("n", [*PREFIXES, None])
@pytest.mark.parametrize("has_payer", [[True] * 5, [True, False, True, True, False]])
def test_cost_of_care_matches_the_former_kernel(model, n, has_payer):
    pop, meter = model.pop, model.tcoc
    n = pop.n_used if n is None else min(n, pop.n_used)
    former_slot = np.full(pop.capacity, -1.0)
    new_slot = former_slot.copy()
    members, cost = former_cost_of_care(
        n, pop.person_state(), pop.episode_state(), pop.treatment, pop.acute_events(),
        meter.nonacute, meter.multiplier, meter.unit_costs, former_slot,
    )  # fmt: skip
    sums = (np.full(len(PAYERS), 7, np.int64), np.full(len(PAYERS), 7.0))  # overwritten
    has_payer = np.array(has_payer)
    cost = cost * has_payer  # the former TcocMeter.measure
    rates = (meter.nonacute, meter.multiplier, meter.unit_costs, has_payer.astype(np.float64))
    result = cost_of_care(
        n, pop.person_state(), pop.bh, pop.condition, pop.treatment, pop.acute_events(),
        rates, new_slot, sums,
    )  # fmt: skip
    assert result is None
    assert np.array_equal(sums[0], members)
    assert np.array_equal(sums[1], cost)  # bit-identical: same order of the sums
    assert np.array_equal(new_slot, former_slot)


def test_tcoc_meter_gives_the_former_record_and_measure(model):
    pop, meter = model.pop, model.tcoc
    members, cost = former_cost_of_care(
        pop.n_used, pop.person_state(), pop.episode_state(), pop.treatment, pop.acute_events(),
        meter.nonacute, meter.multiplier, meter.unit_costs, np.zeros(pop.capacity),
    )  # fmt: skip
    cost = cost * meter.has_payer
    expected = dict(zip(_RECORD_COLUMNS, members.tolist() + cost.tolist(), strict=True))
    record = meter.record(pop)
    assert list(record) == list(expected)
    assert repr(record) == repr(expected)
    assert [type(v) for v in record.values()] == [type(v) for v in expected.values()]
    got_members, got_cost = meter.measure(pop)
    assert np.array_equal(got_members, members)
    assert np.array_equal(got_cost, cost)
    meter.record(pop)  # measure's arrays are the caller's: not overwritten by the meter
    assert got_members is not meter._sums[0]
    assert got_cost is not meter._sums[1]


# ------------------------------------------------------------------ _month_billing


@pytest.mark.parametrize(
    "lags", [[1, 2, 1, 3, 2], [0, 0, 0, 0, 0], [2, 2, 2, 2, 2], [0, 1, 0, 4, 0]]
)
def test_month_billing_matches_the_former_code(lags):
    book = ClaimsBook(default_scenario().values)
    book.lag = lags
    book._places = month_total_places(book._n_money, book.lag)
    rng = np.random.default_rng(sum(lags) + 3)
    n_totals = book._n_money + 2 + len(PAYERS)
    for _ in range(20):
        totals = (rng.random(n_totals) * rng.choice([0.0, 1.0, 1e6], n_totals)).tolist()
        totals[book._n_money :] = [float(rng.integers(0, 1000)) for _ in range(2 + len(PAYERS))]
        assert repr(book._month_billing(totals)) == repr(former_month_billing(book, totals))


def test_month_total_places_follow_the_kernel_layout():
    n_money = len(FAMILIES) + 2 * len(PAYERS) + 2
    families, revenue, paid, episodes, cash = month_total_places(n_money, [3, 1, 4, 1, 5])
    assert families == tuple(enumerate(FAMILIES))
    assert [k for k, _ in revenue] == list(range(len(FAMILIES), len(FAMILIES) + len(PAYERS)))
    assert [k for k, _ in paid] == [k + len(PAYERS) for k, _ in revenue]
    assert episodes[0] == (n_money + 2, PAYERS[0])
    assert len(episodes) == len(PAYERS)
    assert cash == tuple(zip([3, 1, 4, 1, 5], [k for k, _ in paid], strict=True))
