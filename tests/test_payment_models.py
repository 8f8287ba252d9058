"""Payer-contract settlements and grants: hand-computed cases and properties.

See docs/billing.md 5-6.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from intsim.money.payment_models import (
    MHIP_WITHHOLD_SHARE,
    case_rate_payments,
    grant_schedule,
    p4p_bonus,
    pmpm_payments,
    reconciliation_schedule,
    shared_savings,
    withhold_settlement,
)

# --- pay for performance and withholds ---------------------------------------------------------


def test_p4p_all_or_nothing():
    assert p4p_bonus(100_000.0, 0.50, 0.50, 0.03) == pytest.approx(3_000.0)  # at target
    assert p4p_bonus(100_000.0, 0.70, 0.50, 0.03) == pytest.approx(3_000.0)
    assert p4p_bonus(100_000.0, 0.4999, 0.50, 0.03) == 0.0
    assert p4p_bonus(100_000.0, None, 0.50, 0.03) == 0.0


def test_p4p_linear_between_floor_and_target():
    kw = {"floor": 0.40}
    assert p4p_bonus(100_000.0, 0.50, 0.60, 0.05, **kw) == pytest.approx(2_500.0)
    assert p4p_bonus(100_000.0, 0.45, 0.60, 0.05, **kw) == pytest.approx(1_250.0)
    assert p4p_bonus(100_000.0, 0.40, 0.60, 0.05, **kw) == 0.0
    assert p4p_bonus(100_000.0, 0.10, 0.60, 0.05, **kw) == 0.0
    assert p4p_bonus(100_000.0, 0.90, 0.60, 0.05, **kw) == pytest.approx(5_000.0)
    assert p4p_bonus(100_000.0, None, 0.60, 0.05, **kw) == 0.0


def test_p4p_rejects_bad_arguments():
    with pytest.raises(ValueError, match="floor"):
        p4p_bonus(1.0, 0.5, 0.5, 0.1, floor=0.5)
    with pytest.raises(ValueError, match="None"):
        p4p_bonus(1.0, float("nan"), 0.5, 0.1)
    with pytest.raises(ValueError, match="bonus_share"):
        p4p_bonus(1.0, 0.5, 0.5, -0.1)


def test_mhip_withhold_is_earned_back_by_the_same_rule():
    payments = 10_000.0
    withheld = MHIP_WITHHOLD_SHARE * payments
    assert withheld == 2_500.0
    assert withhold_settlement(withheld, 0.6, 0.5) == pytest.approx(2_500.0)
    assert withhold_settlement(withheld, 0.4, 0.5) == 0.0
    assert withhold_settlement(withheld, 0.45, 0.5, floor=0.4) == pytest.approx(1_250.0)
    assert withhold_settlement(withheld, None, 0.5) == 0.0


@given(
    st.floats(min_value=0, max_value=1e7),
    st.one_of(st.none(), st.floats(min_value=-1, max_value=2)),
    st.floats(min_value=0.01, max_value=1),
    st.floats(min_value=0, max_value=1),
)
def test_p4p_is_bounded_and_monotone(base, indicator, target, share):
    linear = p4p_bonus(base, indicator, target, share, floor=0.0)
    step = p4p_bonus(base, indicator, target, share)
    assert 0.0 <= linear <= share * base * (1 + 1e-12)
    assert 0.0 <= step <= share * base * (1 + 1e-12)
    assert step <= linear * (1 + 1e-12)  # all-or-nothing never beats the linear scale
    if indicator is not None:
        assert p4p_bonus(base, indicator + 0.1, target, share, floor=0.0) >= linear


# --- capitation --------------------------------------------------------------------------------


def test_pmpm_payments():
    np.testing.assert_allclose(pmpm_payments(np.array([0, 10, 25]), 12.5), [0.0, 125.0, 312.5])
    with pytest.raises(ValueError, match="members_by_month"):
        pmpm_payments([-1], 10.0)
    with pytest.raises(ValueError, match="pmpm_usd"):
        pmpm_payments([1], -10.0)


# --- shared savings ----------------------------------------------------------------------------

BENCHMARK = 10_000_000.0


def test_savings_below_msr_pay_nothing():
    assert shared_savings(BENCHMARK, 9_800_000.0, minimum_savings_rate=0.03, sharing_rate=0.5) == 0


def test_savings_above_msr_are_shared_from_the_first_dollar():
    got = shared_savings(
        BENCHMARK, 9_600_000.0, minimum_savings_rate=0.03, sharing_rate=0.5, quality_score=0.9
    )
    assert got == pytest.approx(400_000 * 0.5 * 0.9)  # 180,000, not (400k - 300k) * ...
    # exactly at the MSR counts
    at_msr = shared_savings(BENCHMARK, 9_700_000.0, minimum_savings_rate=0.03, sharing_rate=0.5)
    assert at_msr == pytest.approx(150_000.0)


def test_savings_payment_is_capped():
    got = shared_savings(BENCHMARK, 8_000_000.0, minimum_savings_rate=0.02, sharing_rate=0.75)
    assert got == pytest.approx(1_000_000.0)  # 0.75 * 2M = 1.5M > 10% of benchmark
    enhanced = shared_savings(
        BENCHMARK, 8_000_000.0, minimum_savings_rate=0.02, sharing_rate=0.75, savings_cap_rate=0.2
    )
    assert enhanced == pytest.approx(1_500_000.0)


def test_two_sided_losses_mlr_and_cap():
    kw = {"minimum_savings_rate": 0.02, "sharing_rate": 0.5, "two_sided": True}
    assert shared_savings(BENCHMARK, 10_300_000.0, **kw) == pytest.approx(-90_000.0)
    assert shared_savings(BENCHMARK, 10_100_000.0, **kw) == 0.0  # 1% loss < 2% MLR
    assert shared_savings(BENCHMARK, 12_000_000.0, **kw) == pytest.approx(-400_000.0)  # 4% cap
    # a one-sided contract never owes losses
    one_sided = {"minimum_savings_rate": 0.02, "sharing_rate": 0.5}
    assert shared_savings(BENCHMARK, 12_000_000.0, **one_sided) == 0.0


def test_practice_share_scales_savings_and_losses():
    savings = shared_savings(
        BENCHMARK,
        9_600_000.0,
        minimum_savings_rate=0.03,
        sharing_rate=0.5,
        quality_score=0.9,
        practice_share=0.5,
    )
    assert savings == pytest.approx(90_000.0)
    loss = shared_savings(
        BENCHMARK,
        10_300_000.0,
        minimum_savings_rate=0.02,
        sharing_rate=0.5,
        two_sided=True,
        practice_share=0.4,
    )
    assert loss == pytest.approx(-36_000.0)


def test_shared_savings_rejects_bad_arguments():
    with pytest.raises(ValueError, match="benchmark_usd"):
        shared_savings(0.0, 1.0, minimum_savings_rate=0.02, sharing_rate=0.5)
    with pytest.raises(ValueError, match="sharing_rate"):
        shared_savings(BENCHMARK, 1.0, minimum_savings_rate=0.02, sharing_rate=1.5)


@given(
    st.floats(min_value=0, max_value=3 * BENCHMARK),
    st.floats(min_value=0, max_value=0.1),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.booleans(),
)
def test_shared_savings_stays_within_caps(actual, msr, rate, share, two_sided):
    got = shared_savings(
        BENCHMARK,
        actual,
        minimum_savings_rate=msr,
        sharing_rate=rate,
        two_sided=two_sided,
        practice_share=share,
    )
    assert -0.04 * BENCHMARK * share - 1e-6 <= got <= 0.10 * BENCHMARK * share + 1e-6
    if actual >= BENCHMARK:
        assert got <= 0.0
    else:
        assert got >= 0.0


# --- reconciliation timing ---------------------------------------------------------------------


def test_reconciliation_months_and_truncation():
    out = reconciliation_schedule(np.array([100.0, -200.0, 300.0]), horizon_months=30, lag_months=6)
    expected = np.zeros(30)
    expected[17] = 100.0  # year 1 -> month 18
    expected[29] = -200.0  # year 2 -> month 30; year 3 (month 42) is dropped
    np.testing.assert_array_equal(out, expected)
    no_lag = reconciliation_schedule([1.0, 2.0], horizon_months=24, lag_months=0)
    assert np.flatnonzero(no_lag).tolist() == [11, 23]
    assert reconciliation_schedule([5.0], horizon_months=12, lag_months=1).sum() == 0.0


# --- case rates --------------------------------------------------------------------------------


def test_case_rate_single_payment():
    np.testing.assert_allclose(case_rate_payments([2, 0, 1], 300.0), [600.0, 0.0, 300.0])


def test_case_rate_installments_truncated_at_horizon():
    out = case_rate_payments(np.array([2, 0, 1, 0]), 300.0, installments=3)
    # 100 per episode-installment: month 1: 2x, month 2: 2x, month 3: 2x + 1x, month 4: 1x
    np.testing.assert_allclose(out, [200.0, 200.0, 300.0, 100.0])
    assert out.sum() == pytest.approx(800.0)  # 100 of the third episode's rate falls outside
    with pytest.raises(ValueError, match="installments"):
        case_rate_payments([1], 300.0, installments=0)


@given(
    st.lists(st.integers(min_value=0, max_value=20), max_size=24),
    st.integers(min_value=1, max_value=12),
)
def test_case_rates_conserve_money_when_the_horizon_is_long_enough(starts, installments):
    padded = np.array([*starts, *([0] * installments)])
    out = case_rate_payments(padded, 120.0, installments)
    assert out.sum() == pytest.approx(120.0 * sum(starts))


# --- grants ------------------------------------------------------------------------------------


def test_grant_schedule_taper_exact_numbers():
    out = grant_schedule(
        120_000.0, start_month=3, duration_months=6, horizon_months=12, phase_out_months=3
    )
    expected = [0, 0, 10_000, 10_000, 10_000, 7_500, 5_000, 2_500, 0, 0, 0, 0]
    np.testing.assert_allclose(out, expected)
    assert out.sum() == pytest.approx(120_000 / 12 * (6 - 3 / 2))


def test_grant_schedule_without_taper_and_truncated():
    flat = grant_schedule(24_000.0, start_month=1, duration_months=3, horizon_months=4)
    np.testing.assert_allclose(flat, [2_000, 2_000, 2_000, 0])
    cut = grant_schedule(120_000.0, 3, 6, horizon_months=6, phase_out_months=3)
    np.testing.assert_allclose(cut, [0, 0, 10_000, 10_000, 10_000, 7_500])
    whole_taper = grant_schedule(12_000.0, 1, 1, 1, phase_out_months=1)
    np.testing.assert_allclose(whole_taper, [500.0])
    assert grant_schedule(12_000.0, 20, 6, 12).sum() == 0.0
    with pytest.raises(ValueError, match="phase_out_months"):
        grant_schedule(12_000.0, 1, 3, 12, phase_out_months=4)
