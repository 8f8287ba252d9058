"""The fused monthly claims kernel and the month totals give what the former code gave.

:func:`intsim.money.claims_kernels.bill_population` replaced two calls
(:func:`~intsim.money.claims_kernels.service_slots` then
:func:`~intsim.money.claims_kernels.bill_lines`) in :meth:`ClaimsBook.bill_month`; the former
path is kept for runs that record their services (``keep_services``), so both are compared
here, on random small populations with fixed seeds, including empty months and months whose
minutes outgrow the plan's minute tables.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from intsim.money import claims_kernels as kernels
from intsim.money.claims import FAMILIES, ClaimsBook, MonthBilling, table_minutes
from intsim.money.services import BhcVisitKind
from intsim.params import PAYERS
from intsim.params.scenario import default_scenario

_MH, _HB = int(BhcVisitKind.MENTAL_HEALTH), int(BhcVisitKind.HEALTH_BEHAVIOR)


def _population(seed: int, n: int, served: float, max_minutes: int = 120) -> SimpleNamespace:
    """Random patient arrays of ``n`` slots, about ``served`` of them with some service."""
    rng = np.random.default_rng(seed)
    size = n + 5  # a few unused slots past n_used
    active = rng.random(size) < served
    cm = np.where(active & (rng.random(size) < 0.5), rng.integers(1, max_minutes, size), 0)
    bhi = np.where(active & (rng.random(size) < 0.3), rng.integers(1, max_minutes, size), 0)
    visit = active & (rng.random(size) < 0.5)
    return SimpleNamespace(
        n_used=n,
        payer=rng.integers(0, len(PAYERS), size).astype(np.int8),
        cm_minutes=cm.astype(np.int16),
        cm_initial=rng.random(size) < 0.3,
        bhc_visit=visit,
        bhc_kind=np.where(visit, rng.integers(0, 4, size), 0).astype(np.int8),
        bhc_same_day=rng.random(size) < 0.4,
        bhi_minutes=bhi.astype(np.int16),
    )


def _new_episodes(pop: SimpleNamespace, seed: int) -> np.ndarray:
    """Some CoCM slots, ascending."""
    cm = np.flatnonzero(pop.cm_minutes[: pop.n_used] > 0)
    rng = np.random.default_rng(seed + 1000)
    return np.sort(cm[rng.random(len(cm)) < 0.3]).astype(np.int64)


def _book(**over: Any) -> ClaimsBook:
    scenario = default_scenario().with_overrides(over) if over else default_scenario()
    return ClaimsBook(scenario.values)


# ------------------------------------------------------------------ former code (reference)


def reference_bill(book: ClaimsBook, pop: SimpleNamespace, month: int, new: np.ndarray) -> tuple:
    """The former :meth:`ClaimsBook.bill_month`: two kernel calls, then the month totals."""
    cm, mh, hb, bhi, max_minutes = kernels.service_slots(
        pop.cm_minutes, pop.bhi_minutes, pop.bhc_visit, pop.bhc_kind, pop.n_used, _MH, _HB
    )
    plan = book.plan(book.year(month))
    ints, floats, money, counts = kernels.bill_lines(
        month,
        (cm, mh, hb, bhi, new),
        (pop.payer, pop.cm_minutes, pop.cm_initial, pop.bhi_minutes, pop.bhc_same_day),
        plan.tables(int(max_minutes)),
        book._pricing,
        len(FAMILIES),
    )
    return ints, floats, reference_month_billing(book, money.tolist(), counts.tolist())


def reference_month_billing(
    book: ClaimsBook, money: list[float], counts: list[int]
) -> MonthBilling:
    """The former ``ClaimsBook._month_billing(money, counts)``."""
    n_fam, n_pay = len(FAMILIES), len(PAYERS)
    paid_by_payer = money[n_fam + n_pay : n_fam + 2 * n_pay]
    cash_by_lag: dict[int, float] = {}
    for lag, paid in zip(book.lag, paid_by_payer, strict=True):
        cash_by_lag[lag] = cash_by_lag.get(lag, 0.0) + paid
    cash_by_lag[0] = cash_by_lag.get(0, 0.0) + money[-2]
    return MonthBilling(
        revenue_by_family=dict(zip(FAMILIES, money[:n_fam], strict=True)),
        revenue_by_payer=dict(zip(PAYERS, money[n_fam : n_fam + n_pay], strict=True)),
        payer_paid_by_payer=dict(zip(PAYERS, paid_by_payer, strict=True)),
        cash_by_lag=cash_by_lag,
        collections=money[-1],
        billed_cm_minutes=counts[0] * float(book.values.billing.cm_capture_rate),
        billed_bhi_minutes=counts[1] * float(book.values.billing.cm_capture_rate),
        episodes_started_by_payer=dict(zip(PAYERS, counts[2:], strict=True)),
    )


def _same_billing(a: MonthBilling, b: MonthBilling) -> None:
    """Bit-identical totals, same keys in the same order, same value types."""
    assert repr(a) == repr(b)
    assert a == b


# ------------------------------------------------------------------ tests

CASES = [  # seed, slots in use, share served, largest minutes
    (1, 0, 0.0, 120),  # no slot in use
    (2, 40, 0.0, 120),  # nobody served
    (3, 7, 1.0, 120),  # fewer slots than one word
    (4, 300, 0.2, 120),
    (5, 1001, 0.05, 60),
    (6, 500, 0.5, 255),  # minutes at the edge of the smallest table
    (7, 400, 0.3, 900),  # minutes beyond it: larger tables
]


@pytest.mark.parametrize(("seed", "n", "served", "max_minutes"), CASES)
def test_bill_population_matches_service_slots_then_bill_lines(seed, n, served, max_minutes):
    book = _book()
    pop = _population(seed, n, served, max_minutes)
    new = _new_episodes(pop, seed)
    month = 1 + seed
    ints, floats, billing = reference_bill(book, pop, month, new)
    *_, largest = kernels.service_slots(
        pop.cm_minutes, pop.bhi_minutes, pop.bhc_visit, pop.bhc_kind, pop.n_used, _MH, _HB
    )
    plan = book.plan(book.year(month))
    population = (
        pop.payer,
        pop.cm_minutes,
        pop.cm_initial,
        pop.bhi_minutes,
        pop.bhc_same_day,
        pop.bhc_visit,
        pop.bhc_kind,
    )
    args = (book._pricing, len(FAMILIES), _MH, _HB)
    got_ints, got_floats, totals = kernels.bill_population(
        month, population, pop.n_used, new, plan.tables(int(largest)), *args
    )
    assert int(totals[-1]) == largest
    np.testing.assert_array_equal(got_ints, ints)
    assert got_floats.tobytes() == floats.tobytes()
    _same_billing(book._month_billing(totals.tolist()), billing)
    if largest >= 256:  # tables too small: nothing billed, the minutes reported
        small_ints, small_floats, small = kernels.bill_population(
            month, population, pop.n_used, new, plan.tables(0), *args
        )
        assert small_ints.shape == (len(kernels.INT_ROWS), 0)
        assert small_floats.shape == (len(kernels.FLOAT_ROWS), 0)
        assert int(small[-1]) == largest
        assert not small[:-1].any()


@pytest.mark.parametrize(
    "over",
    [
        {},
        {"billing.setting": "fqhc"},
        {"billing.apcm_bhi_addons": True, "simulation.start_year": 2026},
    ],
)
def test_bill_month_equals_the_former_code_and_the_recording_path(over):
    """A run of months: fused path, the ``keep_services`` path and the former code agree."""
    fused, recording, former = _book(**over), _book(**over), _book(**over)
    recording.keep_services = True
    expected_all = []
    for month, (seed, n, served, max_minutes) in enumerate(CASES * 3, start=1):
        pop = _population(seed + 10 * month, n, served, max_minutes)
        new = _new_episodes(pop, seed)
        model = SimpleNamespace(pop=pop)
        ints, floats, expected = reference_bill(former, pop, month, new)
        expected_all.append(expected)
        _same_billing(fused.bill_month(model, month, new), expected)
        _same_billing(recording.bill_month(model, month, new), expected)
        for book in (fused, recording):
            np.testing.assert_array_equal(book._rows[-1][0], ints)
            assert book._rows[-1][1].tobytes() == floats.tobytes()
    # the minute tables grew once past 256 minutes and stayed large
    assert table_minutes(fused._table_minutes) > 256
    assert fused.table().equals(recording.table())
    rebilled = _book(**over).rebill(recording.services)
    assert [repr(b) for b in rebilled] == [repr(b) for b in expected_all]


def test_month_billing_matches_the_former_code_on_random_totals():
    book = _book()
    rng = np.random.default_rng(11)
    n_money = len(FAMILIES) + 2 * len(PAYERS) + 2
    for _ in range(50):
        money = (rng.random(n_money) * rng.choice([0.0, 1.0, 1e6], n_money)).tolist()
        counts = rng.integers(0, 10_000, 2 + len(PAYERS)).tolist()
        expected = reference_month_billing(book, money, counts)
        _same_billing(book._month_billing(money + counts), expected)
        as_floats = money + [float(c) for c in counts]  # what bill_population returns
        _same_billing(book._month_billing(as_floats), expected)
