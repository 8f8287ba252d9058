"""Unit conversions and measure windows that used to be bare numbers in the code.

Each is now a declared parameter (``staffing.hours_per_fte_week``, ``staffing.weeks_per_year``,
``billing.payment_lag_days_per_month``, ``contracts.<payer>.p4p_payment_lag_months``) or a named
definition (:mod:`intsim.measures`). The defaults reproduce the old numbers (the regression
baselines); these tests check that each value is actually read where it is used.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from intsim import measures
from intsim.money.claims import payment_lag_months
from intsim.money.ledger import _p4p_payments
from intsim.params import PARAMS_BY_PATH, PAYERS, is_money_only
from intsim.params.money import P4P_MEASURES
from intsim.params.scenario import default_scenario
from intsim.sim.kernels.counts import COUNT_FIELDS
from intsim.sim.model import MONTHLY_COLUMNS, ClinicModel

SMALL = {
    "care_model": "cocm",
    "population.n_patients": 1500,
    "staffing.n_pcps": 1,
    "staffing.psychiatric_consultant_hours_per_week": 6.0,
}


def _consultant(overrides: dict[str, float]):
    model = ClinicModel(default_scenario().with_overrides({**SMALL, **overrides}).values, seed=1)
    (consultant,) = model.psychiatrists
    return consultant


def test_defaults_are_the_numbers_they_replace() -> None:
    assert PARAMS_BY_PATH["staffing.hours_per_fte_week"].default == 40.0
    assert PARAMS_BY_PATH["staffing.weeks_per_year"].default == 52.0
    assert PARAMS_BY_PATH["billing.payment_lag_days_per_month"].default == 30.0
    for payer in PAYERS:
        assert PARAMS_BY_PATH[f"contracts.{payer}.p4p_payment_lag_months"].default == 3
    assert (measures.RESPONSE_MONTHS, measures.REMISSION_MONTHS) == (6, 12)
    assert measures.COCM_MEASUREMENT_MONTH == 3


def test_the_conversions_that_disagree_keep_their_own_numbers() -> None:
    # 4 weeks a month in the paid hours of an FTE, 52 / 12 weeks a month for weekly hours: 8%
    # apart (docs/decisions/0064-bare-numbers-become-parameters.md);
    # unifying them is a result change left for later
    staffing = default_scenario().values.staffing
    weekly_based = staffing.hours_per_fte_week * staffing.weeks_per_year / 12.0
    assert staffing.hours_per_fte_month == pytest.approx(160.0)
    assert weekly_based / staffing.hours_per_fte_month == pytest.approx(52.0 / 48.0)


def test_consultant_fte_divides_weekly_hours_by_the_full_time_week() -> None:
    assert _consultant({}).fte == pytest.approx(6.0 / 40.0)
    assert _consultant({"staffing.hours_per_fte_week": 30.0}).fte == pytest.approx(6.0 / 30.0)


def test_consultant_review_minutes_use_weeks_per_year() -> None:
    default = _consultant({})
    assert default.review_minutes == int(6.0 * 52.0 / 12.0 * 60.0 * default.capacity_share)
    fewer = _consultant({"staffing.weeks_per_year": 48.0})
    assert fewer.review_minutes == int(6.0 * 48.0 / 12.0 * 60.0 * fewer.capacity_share)
    assert fewer.review_minutes < default.review_minutes


@pytest.mark.parametrize(
    ("days", "per_month", "months"),
    [(0.0, 30.0, 0), (30.0, 30.0, 1), (31.0, 30.0, 2), (45.0, 30.0, 2), (31.0, 31.0, 1)],
)
def test_payment_lag_is_whole_months_of_the_declared_length(
    days: float, per_month: float, months: int
) -> None:
    assert payment_lag_months(days, per_month) == months


def test_payment_lag_and_p4p_lag_are_money_only() -> None:
    assert is_money_only("billing.payment_lag_days_per_month")
    assert all(is_money_only(f"contracts.{p}.p4p_payment_lag_months") for p in PAYERS)
    assert not is_money_only("staffing.weeks_per_year")
    assert not is_money_only("staffing.hours_per_fte_week")


def _contract(lag: int) -> SimpleNamespace:
    return SimpleNamespace(
        p4p_bonus_share=0.1,
        p4p_measure="response_6m",
        p4p_target=0.5,
        p4p_payment_lag_months=lag,
    )


def test_p4p_bonus_is_paid_the_contract_lag_after_the_year() -> None:
    n = 36
    monthly = {
        "quality_measured_6m": np.full(n, 10.0),
        "quality_met_6m": np.full(n, 8.0),
        "quality_measured_12m": np.zeros(n),
        "quality_met_12m": np.zeros(n),
    }
    revenue = np.full(n, 1000.0)
    on_time = _p4p_payments(_contract(3), monthly, revenue)
    later = _p4p_payments(_contract(5), monthly, revenue)
    paid = np.flatnonzero(on_time)
    assert paid.tolist() == [11 + 3, 23 + 3]  # months 15 and 27 (0-based 14, 26)
    assert np.flatnonzero(later).tolist() == [11 + 5, 23 + 5]
    assert on_time.sum() == pytest.approx(later.sum())


def test_quality_columns_are_named_after_the_measure_windows() -> None:
    for months in (measures.RESPONSE_MONTHS, measures.REMISSION_MONTHS):
        for kind in ("measured", "met"):
            assert f"quality_{kind}_{months}m" in COUNT_FIELDS
            assert f"quality_{kind}_{months}m" in MONTHLY_COLUMNS
    assert tuple(measures.P4P_MEASURE_MONTHS) == P4P_MEASURES
    for measure, months in measures.P4P_MEASURE_MONTHS.items():
        assert measure.endswith(f"_{months}m")
