"""Sustainability metrics: hand-computed cases, closed forms and properties."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from intsim.money.finance import (
    annual_totals,
    break_even_month,
    cash_lag,
    cash_trough,
    monthly_discount_factors,
    net_margin_pct,
    npv,
    payback_month,
    roi,
    sustainability_metrics,
)

money = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
series = st.lists(money, min_size=0, max_size=40)


# --- discounting and NPV ---------------------------------------------------------------------


def test_discount_factors_end_of_month_convention():
    f = monthly_discount_factors(24, 0.03)
    assert f.shape == (24,)
    assert f[0] == pytest.approx(1.03 ** (-1 / 12))
    assert f[11] == pytest.approx(1 / 1.03)  # month 12 is one full year
    assert f[23] == pytest.approx(1 / 1.03**2)
    assert monthly_discount_factors(0, 0.03).shape == (0,)
    np.testing.assert_array_equal(monthly_discount_factors(5, 0.0), np.ones(5))


def test_npv_of_level_stream_equals_closed_form_annuity():
    payment, rate = 1000.0, 0.03
    i = 1.03 ** (1 / 12) - 1  # equivalent monthly rate
    annuity = payment * (1 - (1 + i) ** -12) / i  # ordinary annuity, paid at month ends
    assert npv(np.full(12, payment), rate) == pytest.approx(annuity, rel=1e-12)
    # and about 1.6% below the undiscounted sum, not 3%: the average flow waits ~half a year
    assert 11_800 < annuity < 11_850


def test_npv_upfront_is_not_discounted():
    net = np.zeros(12)
    net[11] = 103.0
    assert npv(net, 0.03, upfront_usd=-100.0) == pytest.approx(0.0, abs=1e-9)
    assert npv([], 0.05, upfront_usd=-250.0) == -250.0


@given(series, money)
def test_npv_at_zero_rate_is_the_plain_sum(values, upfront):
    assert npv(np.array(values), 0.0, upfront_usd=upfront) == pytest.approx(
        upfront + sum(values), abs=1e-6
    )


@pytest.mark.parametrize("rate", [-1.0, float("nan"), float("inf")])
def test_invalid_discount_rate_is_rejected(rate):
    with pytest.raises(ValueError, match="annual_rate"):
        npv([1.0], rate)


def test_non_finite_series_is_rejected():
    with pytest.raises(ValueError, match="non-finite"):
        npv([1.0, float("nan")], 0.03)


# --- break-even --------------------------------------------------------------------------------


def test_break_even_skips_a_short_positive_run_before_a_dip():
    # months 2-3 are >= 0 but month 4 dips; months 5-7 are the first run of three
    net = [-5.0, 1.0, 1.0, -1.0, 2.0, 2.0, 2.0]
    assert break_even_month(net) == 5
    assert break_even_month(net, run_months=2) == 2
    assert break_even_month(net, run_months=1) == 2


def test_break_even_never_at_month_one_and_too_short():
    assert break_even_month([-1.0] * 6) is None
    assert break_even_month([0.0, 1.0, 2.0, -3.0]) == 1  # zero counts as breaking even
    assert break_even_month([1.0, 1.0]) is None  # fewer months than the run
    assert break_even_month([-1.0, 1.0, 1.0]) is None  # run would end after the horizon
    assert break_even_month([]) is None


def test_break_even_rejects_bad_run():
    with pytest.raises(ValueError, match="run_months"):
        break_even_month([1.0], run_months=0)


@given(series, st.integers(min_value=1, max_value=5))
def test_break_even_month_is_the_first_full_nonnegative_run(values, run):
    net = np.array(values)
    m = break_even_month(net, run_months=run)
    starts = [k for k in range(len(values) - run + 1) if np.all(net[k : k + run] >= 0)]
    if m is None:
        assert starts == []
    else:
        assert np.all(net[m - 1 : m - 1 + run] >= 0)
        assert m - 1 + run <= len(values)
        assert starts[0] == m - 1


# --- payback and trough ------------------------------------------------------------------------


def test_payback_waits_for_the_position_to_stay_nonnegative():
    cum = [-10.0, -5.0, 1.0, -2.0, 3.0, 4.0]  # crosses in month 3, dips in month 4
    assert payback_month(cum) == 5


def test_payback_never_always_and_last_month():
    assert payback_month([-10.0, 5.0, -1.0]) is None  # ends below zero
    assert payback_month([0.0, 1.0]) == 1
    assert payback_month([-3.0, -1.0, 0.0]) == 3
    assert payback_month([]) is None


@given(series)
def test_payback_month_property(values):
    cum = np.array(values)
    m = payback_month(cum)
    if m is None:
        assert cum.size == 0 or cum[-1] < 0
    else:
        assert np.all(cum[m - 1 :] >= 0)
        assert m == 1 or cum[m - 2] < 0


def test_cash_trough_value_and_month():
    assert cash_trough([-10.0, -30.0, -20.0, 5.0]) == (-30.0, 2)
    assert cash_trough([-5.0, -7.0, -7.0, 1.0]) == (-7.0, 2)  # earliest of ties
    assert cash_trough([0.0, 3.0]) == (0.0, None)
    assert cash_trough([]) == (0.0, None)


def test_cash_trough_at_month_zero_when_startup_is_the_deepest_point():
    assert cash_trough([-60.0, -20.0], opening_usd=-100.0) == (-100.0, 0)
    assert cash_trough([-160.0, -20.0], opening_usd=-100.0) == (-160.0, 1)
    assert cash_trough([], opening_usd=-5.0) == (-5.0, 0)


# --- ratios ------------------------------------------------------------------------------------


def test_roi_and_margin():
    assert roi(150.0, 100.0) == pytest.approx(0.5)
    assert roi(50.0, 100.0) == pytest.approx(-0.5)
    assert roi(10.0, 0.0) is None
    assert net_margin_pct(150.0, 100.0) == pytest.approx(100 / 3)
    assert net_margin_pct(100.0, 150.0) == pytest.approx(-50.0)
    assert net_margin_pct(0.0, 100.0) is None


# --- cash lag ----------------------------------------------------------------------------------


def test_cash_lag_scalar_shifts_and_drops_after_horizon():
    amounts = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(cash_lag(amounts, 0), amounts)
    np.testing.assert_array_equal(cash_lag(amounts, 1), [0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(cash_lag(amounts, 3), [0.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(cash_lag(amounts, 9), np.zeros(4))
    assert cash_lag(amounts, 1) is not amounts


def test_cash_lag_per_month_lags_accumulate_in_the_arrival_month():
    amounts = np.array([1.0, 2.0, 3.0, 4.0])
    # month 1 -> 1, month 2 -> 4, month 3 -> 4, month 4 -> 4
    np.testing.assert_array_equal(cash_lag(amounts, np.array([0, 2, 1, 0])), [1.0, 0.0, 0.0, 9.0])
    np.testing.assert_array_equal(cash_lag(amounts, [0, 3, 5, 0]), [1.0, 0.0, 0.0, 4.0])


@pytest.mark.parametrize(("lag", "match"), [(-1, ">= 0"), (1.5, "whole"), ([0, 1], "shape")])
def test_cash_lag_rejects_bad_lags(lag, match):
    with pytest.raises(ValueError, match=match):
        cash_lag([1.0, 2.0, 3.0], lag)


@given(series, st.integers(min_value=0, max_value=50))
def test_cash_lag_keeps_exactly_what_arrives_inside_the_horizon(values, lag):
    amounts = np.array(values)
    out = cash_lag(amounts, lag)
    assert out.shape == amounts.shape
    kept = amounts[: max(amounts.size - lag, 0)]
    np.testing.assert_allclose(out[lag:], kept, atol=0)
    assert out.sum() == pytest.approx(kept.sum(), abs=1e-6)


# --- annual totals -----------------------------------------------------------------------------


def test_annual_totals_with_partial_last_year():
    monthly = np.arange(1.0, 27.0)  # 26 months
    np.testing.assert_array_equal(annual_totals(monthly), [78.0, 222.0, 51.0])
    np.testing.assert_array_equal(annual_totals(np.ones(12)), [12.0])
    assert annual_totals([]).shape == (0,)


def test_annual_totals_with_a_mid_year_start():
    monthly = np.arange(1.0, 13.0)
    np.testing.assert_array_equal(annual_totals(monthly, start_month=7), [21.0, 57.0])
    np.testing.assert_array_equal(annual_totals(monthly, start_month=13), [78.0])
    with pytest.raises(ValueError, match="start_month"):
        annual_totals(monthly, start_month=0)


@given(series, st.integers(min_value=1, max_value=12))
def test_annual_totals_add_up(values, start):
    totals = annual_totals(values, start_month=start)
    assert totals.sum() == pytest.approx(sum(values), abs=1e-6)
    first_year = 12 - (start - 1)
    expected_years = 0 if not values else 1 + -(-max(len(values) - first_year, 0) // 12)
    assert totals.size == expected_years


# --- headline metrics --------------------------------------------------------------------------


def test_sustainability_metrics_hand_case():
    revenue = [0.0, 50.0, 100.0, 100.0, 100.0]
    cost = [50.0] * 5
    m = sustainability_metrics(revenue, cost, startup_cost_usd=100.0, annual_discount_rate=0.0)
    # net = [-50, 0, 50, 50, 50]; cumulative = [-150, -150, -100, -50, 0]
    assert m == {
        "total_revenue": 350.0,
        "total_cost": 350.0,
        "net": 0.0,
        "net_margin_pct": 0.0,
        "break_even_month": 2,
        "payback_month": 5,
        "cash_trough": -150.0,
        "cash_trough_month": 1,
        "npv": 0.0,
        "roi": 0.0,
    }


def test_sustainability_metrics_discounting_trough_at_startup_and_empty_totals():
    m = sustainability_metrics([0.0] * 11 + [206.0], [0.0] * 12, 100.0, 0.03)
    assert m["npv"] == pytest.approx(100.0)  # 206 / 1.03 - 100
    assert m["cash_trough"] == -100.0
    assert m["cash_trough_month"] == 0  # the startup payment is the deepest point
    assert m["payback_month"] == 12
    assert m["roi"] == pytest.approx(1.06)
    # nothing runs in months 1-11 (no cost, no revenue): zero nets there are not a break-even
    assert m["break_even_month"] is None
    running = sustainability_metrics([5.0] * 12, [5.0] * 12, 100.0, 0.03)
    assert running["break_even_month"] == 1  # operating net never negative while running
    empty = sustainability_metrics([0.0], [0.0], 0.0, 0.03)
    assert empty["roi"] is None
    assert empty["net_margin_pct"] is None
    assert empty["cash_trough_month"] is None
    assert empty["payback_month"] == 1


def test_sustainability_metrics_types_are_plain_python():
    m = sustainability_metrics(np.array([10.0, 10.0, 10.0]), np.array([5, 5, 5]), 1.0, 0.03)
    for key in ("total_revenue", "total_cost", "net", "cash_trough", "npv", "roi"):
        assert type(m[key]) is float
    assert type(m["break_even_month"]) is int
    assert type(m["payback_month"]) is int


def test_sustainability_metrics_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        sustainability_metrics([1.0, 2.0], [1.0], 0.0, 0.03)
    with pytest.raises(ValueError, match="startup_cost_usd"):
        sustainability_metrics([1.0], [1.0], -5.0, 0.03)


@given(
    st.lists(st.tuples(money, money), min_size=1, max_size=36),
    st.floats(min_value=0, max_value=1e6),
)
def test_sustainability_metrics_identities(pairs, startup):
    revenue = np.array([abs(r) for r, _ in pairs])
    cost = np.array([abs(c) for _, c in pairs])
    m = sustainability_metrics(revenue, cost, startup, 0.0)
    assert m["net"] == pytest.approx(m["total_revenue"] - m["total_cost"])
    assert m["npv"] == pytest.approx(m["net"], abs=1e-4)
    cumulative = np.cumsum(revenue - cost) - startup
    lowest = min(-startup, float(cumulative.min()))
    if lowest < 0:
        assert m["cash_trough"] == pytest.approx(lowest)
        assert m["cash_trough_month"] in range(len(pairs) + 1)
    else:
        assert (m["cash_trough"], m["cash_trough_month"]) == (0.0, None)
    if m["payback_month"] is not None:
        assert np.all(cumulative[m["payback_month"] - 1 :] >= 0)


def test_break_even_ignores_inactive_months():
    net = [0.0, 0.0, 0.0, 1.0, 0.0, 2.0]
    assert break_even_month(net) == 1
    active = [False, False, True, True, True, True]
    assert break_even_month(net, active=active) == 3
    assert break_even_month(net, active=[False] * 6) is None
    with pytest.raises(ValueError, match="active must have the shape"):
        break_even_month(net, active=[True])
