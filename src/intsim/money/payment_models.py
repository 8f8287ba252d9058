"""Settlements of payer contracts beyond fee-for-service, and grants.

See docs/billing.md 5 (payment models) and docs/billing.md 6 (grants).

Pure functions, no I/O and no global state. They turn the quantities the simulation produces
(attributed members, episodes, quality indicators, annual spending) into payments to the
practice; the caller (the payment layer) decides which contracts apply and adds the results to the
ledger. Conventions:

* Monthly arrays: element ``i`` (0-based) is **month** ``i + 1``; months in arguments are
  1-based. Amounts whose payment month falls after the horizon are dropped: every function
  returns the horizon's months only.
* Money is nominal USD; monthly flows are USD per month. Payments are positive when they go to
  the practice, negative when the practice pays (two-sided shared-savings losses).
* Rates and shares are fractions (0.5 means 50%).

Models covered: pay-for-performance bonuses and withholds (§5.4), capitation / PMPM (§5.2),
MSSP-style shared savings and its annual reconciliation (§5.1), episode case rates (§5.5) and
grant awards and their drawdown (§6.1).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from intsim.money.finance import finite_monthly_series

__all__ = [
    "MHIP_WITHHOLD_SHARE",
    "case_rate_payments",
    "grant_schedule",
    "p4p_bonus",
    "pmpm_payments",
    "reconciliation_schedule",
    "shared_savings",
    "withhold_settlement",
]

#: Share of care-coordination payments withheld and tied to quality indicators in the
#: Washington Mental Health Integration Program (docs/billing.md 5.4; Unützer et al. 2012).
MHIP_WITHHOLD_SHARE: float = 0.25


def _check_fraction(value: float, name: str) -> None:
    """Raise ``ValueError`` unless ``0 <= value <= 1``."""
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value}")


def _check_nonnegative(value: float, name: str) -> None:
    """Raise ``ValueError`` unless ``value`` is finite and >= 0."""
    if not (np.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be finite and >= 0, got {value}")


def _monthly_series(values: npt.ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``values`` as a finite, non-negative 1-D float array, or raise ``ValueError``."""
    arr = finite_monthly_series(values, name)
    if np.any(arr < 0.0):
        raise ValueError(f"{name} must be >= 0 in every month")
    return arr


def p4p_bonus(
    base_revenue_usd: float,
    indicator: float | None,
    target: float,
    bonus_share: float,
    *,
    floor: float | None = None,
) -> float:
    """Pay-for-performance bonus on a revenue base (docs/billing.md 5.4).

    The earned fraction of the maximum bonus (``bonus_share * base_revenue_usd``) is:

    * without ``floor`` (all-or-nothing): 1 if ``indicator >= target``, else 0;
    * with ``floor``: ``clip((indicator - floor) / (target - floor), 0, 1)``, i.e. 0 at or below
      the floor, rising linearly to 1 at the target and 1 above it.

    Higher indicator values are better (e.g. the share of patients with depression remission,
    MIPS #370 / NQF 0710, or response, NQF 1884).

    Args:
        base_revenue_usd: Revenue the bonus is a share of, USD (>= 0), e.g. a year's BH revenue
            from the payer.
        indicator: Measured quality indicator, in the unit of ``target`` (e.g. a proportion), or
            ``None`` when no patient was measured: then no bonus is earned.
        target: Indicator value that earns the full bonus.
        bonus_share: Maximum bonus as a fraction of the base (>= 0; 0.01-0.05 in §5.4).
        floor: Indicator value below which nothing is earned, strictly below ``target``; ``None``
            for all-or-nothing.

    Returns:
        Bonus in USD (>= 0).

    Raises:
        ValueError: If the base or share is negative, ``floor >= target``, or ``indicator`` is
            NaN (pass ``None`` for "not measured").
    """
    _check_nonnegative(base_revenue_usd, "base_revenue_usd")
    _check_nonnegative(bonus_share, "bonus_share")
    if floor is not None and not floor < target:
        raise ValueError(f"floor must be < target, got floor={floor}, target={target}")
    if indicator is None:
        return 0.0
    if np.isnan(indicator):
        raise ValueError("indicator is NaN; pass None when no patients were measured")
    if floor is None:
        earned = 1.0 if indicator >= target else 0.0
    else:
        earned = min(max((indicator - floor) / (target - floor), 0.0), 1.0)
    return float(earned * bonus_share * base_revenue_usd)


def withhold_settlement(
    withheld_usd: float,
    indicator: float | None,
    target: float,
    floor: float | None = None,
) -> float:
    """Amount of a quality withhold paid back to the practice (MHIP design, docs/billing.md 5.4).

    In the Washington MHIP, 25% of care-coordination payments (:data:`MHIP_WITHHOLD_SHARE`) are
    withheld and earned back on quality indicators. The caller withholds that share from the
    payments as they accrue; this function settles the withheld pool with the same rule as
    :func:`p4p_bonus` (all-or-nothing at ``target`` or linear from ``floor``), i.e.
    ``p4p_bonus(withheld_usd, indicator, target, 1.0, floor=floor)``. The part not earned back is
    kept by the payer.

    Args:
        withheld_usd: Total withheld over the measurement period, USD (>= 0).
        indicator: Measured quality indicator, or ``None`` if no patient was measured (nothing
            is earned back).
        target: Indicator value that earns back the whole withhold.
        floor: Indicator value at or below which nothing is earned back; ``None`` for
            all-or-nothing.

    Returns:
        Amount paid back to the practice, USD (between 0 and ``withheld_usd``).

    Raises:
        ValueError: As :func:`p4p_bonus`.
    """
    return p4p_bonus(withheld_usd, indicator, target, 1.0, floor=floor)


def pmpm_payments(members_by_month: npt.ArrayLike, pmpm_usd: float) -> NDArray[np.float64]:
    """Capitation payments: a per-member-per-month rate for attributed members.

    See docs/billing.md 5.2.

    ``payment[m] = members_by_month[m] * pmpm_usd``. Capitation *replaces* fee-for-service for
    the services it covers: the caller must zero the FFS claims of covered services for the
    capitated payer, otherwise the practice is paid twice. Conditions on the payment (e.g.
    Medicaid Health Homes paying only for members with at least one core service in the month)
    are applied by the caller when counting members.

    Args:
        members_by_month: Attributed (eligible) members in each month (>= 0; whole members, or
            fractional member-months for partial-month attribution); element 0 is month 1.
        pmpm_usd: Rate in USD per member per month (>= 0), e.g. $5-15 per panel enrollee or
            $50-150 per engaged BH patient (§5.2 estimates).

    Returns:
        Capitation revenue per month, USD per month.

    Raises:
        ValueError: If members are negative or non-finite, or the rate is negative.
    """
    members = _monthly_series(members_by_month, "members_by_month")
    _check_nonnegative(pmpm_usd, "pmpm_usd")
    return members * pmpm_usd


def shared_savings(
    benchmark_usd: float,
    actual_usd: float,
    *,
    minimum_savings_rate: float,
    sharing_rate: float,
    quality_score: float = 1.0,
    savings_cap_rate: float = 0.10,
    two_sided: bool = False,
    minimum_loss_rate: float = 0.02,
    loss_sharing_rate: float = 0.30,
    loss_cap_rate: float = 0.04,
    practice_share: float = 1.0,
) -> float:
    """MSSP-style annual shared-savings (or shared-loss) reconciliation (docs/billing.md 5.1).

    With ``savings = benchmark_usd - actual_usd``:

    * **Savings**: if ``savings / benchmark_usd >= minimum_savings_rate`` (and savings > 0), the
      ACO earns ``savings * sharing_rate * quality_score``, capped at
      ``savings_cap_rate * benchmark_usd``. Sharing is from the **first dollar** once the MSR is
      met, as in MSSP (not only the savings above the MSR).
    * **Losses** (``two_sided`` only): if ``-savings / benchmark_usd >= minimum_loss_rate``, the ACO
      owes ``-savings * loss_sharing_rate``, capped at ``loss_cap_rate * benchmark_usd``, again
      from the first dollar. One-sided contracts never owe losses.
    * Otherwise nothing is paid.

    The ACO-level amount is multiplied by ``practice_share``, the ACO's internal distribution to
    this practice (commonly 40-60%; an estimate in §5.1).

    Defaults follow the MSSP BASIC track (savings cap 10% of benchmark; at the two-sided levels
    30% loss sharing; loss cap 4% of benchmark, level E's). ENHANCED: ``sharing_rate`` up to
    0.75, ``savings_cap_rate=0.20``, ``loss_sharing_rate = 1 - final sharing rate`` (0.40-0.75)
    and ``loss_cap_rate=0.15``. MSSP's revenue-based loss caps are not modelled: pass the
    benchmark-equivalent cap.

    Args:
        benchmark_usd: Updated benchmark expenditure for the performance year, USD (> 0).
        actual_usd: Actual expenditure of the assigned population in the year, USD (>= 0).
        minimum_savings_rate: MSR as a fraction of the benchmark (0.02-0.039 one-sided by
            population size; 0-0.02 two-sided).
        sharing_rate: Maximum share of savings (0.40 BASIC A-B, 0.50 C-E, 0.75 ENHANCED).
        quality_score: Quality-performance factor scaling the sharing rate, in [0, 1].
        savings_cap_rate: Cap on the savings payment as a fraction of the benchmark.
        two_sided: Whether the contract carries downside risk.
        minimum_loss_rate: Minimum loss rate (MLR) as a fraction of the benchmark.
        loss_sharing_rate: Share of losses the ACO repays.
        loss_cap_rate: Cap on repaid losses as a fraction of the benchmark.
        practice_share: Fraction of the ACO's payment (or repayment) passed to the practice.

    Returns:
        Payment to the practice for the year in USD: positive for shared savings, negative for
        shared losses the practice bears, 0 otherwise.

    Raises:
        ValueError: If the benchmark is not positive, the actual is negative, or a rate, share
            or score is outside [0, 1].
    """
    if not (np.isfinite(benchmark_usd) and benchmark_usd > 0.0):
        raise ValueError(f"benchmark_usd must be finite and > 0, got {benchmark_usd}")
    _check_nonnegative(actual_usd, "actual_usd")
    for name, value in (
        ("minimum_savings_rate", minimum_savings_rate),
        ("sharing_rate", sharing_rate),
        ("quality_score", quality_score),
        ("savings_cap_rate", savings_cap_rate),
        ("minimum_loss_rate", minimum_loss_rate),
        ("loss_sharing_rate", loss_sharing_rate),
        ("loss_cap_rate", loss_cap_rate),
        ("practice_share", practice_share),
    ):
        _check_fraction(value, name)
    savings = benchmark_usd - actual_usd
    rate = savings / benchmark_usd
    if savings > 0.0 and rate >= minimum_savings_rate:
        aco = min(savings * sharing_rate * quality_score, savings_cap_rate * benchmark_usd)
    elif two_sided and savings < 0.0 and -rate >= minimum_loss_rate:
        aco = -min(-savings * loss_sharing_rate, loss_cap_rate * benchmark_usd)
    else:
        aco = 0.0
    return float(aco * practice_share)


def reconciliation_schedule(
    annual_amounts_usd: npt.ArrayLike, horizon_months: int, lag_months: int
) -> NDArray[np.float64]:
    """Place annual settlements (e.g. shared savings) in the month they are paid.

    Performance year ``k`` (``k = 1, 2, ...``) covers months ``12(k-1)+1 .. 12k``; its settlement
    is paid in month ``12k + lag_months`` (lag 0: in the year's last month). Settlements that
    would be paid after the horizon are dropped (MSSP reconciles about 8-9 months after the
    performance year ends, so with a short horizon the last years' savings never arrive).

    Args:
        annual_amounts_usd: Settlement of each performance year in order, USD (signed: losses
            are negative).
        horizon_months: Number of months in the horizon (>= 0).
        lag_months: Months between the end of a performance year and payment (>= 0).

    Returns:
        Settlement cash per month over the horizon, USD per month.

    Raises:
        ValueError: If the horizon or lag is negative, or the amounts are not a finite 1-D array.
    """
    amounts = np.asarray(annual_amounts_usd, dtype=np.float64)
    if amounts.ndim != 1 or not np.all(np.isfinite(amounts)):
        raise ValueError("annual_amounts_usd must be a finite 1-D array")
    if horizon_months < 0:
        raise ValueError(f"horizon_months must be >= 0, got {horizon_months}")
    if lag_months < 0:
        raise ValueError(f"lag_months must be >= 0, got {lag_months}")
    out = np.zeros(horizon_months, dtype=np.float64)
    pay_month = 12 * np.arange(1, amounts.size + 1) + lag_months  # 1-based
    inside = pay_month <= horizon_months
    out[pay_month[inside] - 1] = amounts[inside]  # one settlement per month at most
    return out


def case_rate_payments(
    episode_starts_by_month: npt.ArrayLike, case_rate_usd: float, installments: int = 1
) -> NDArray[np.float64]:
    """Episode-based (bundled) payments: a case rate per new episode (docs/billing.md 5.5).

    Each episode starting in month ``m`` is paid ``case_rate_usd / installments`` in each of the
    months ``m, m + 1, ..., m + installments - 1``. Installments falling after the horizon are
    dropped, so the horizon total can be less than ``starts * case_rate_usd``. The payment does not
    depend on whether the episode completes (no gain/risk sharing against cost thresholds).

    Args:
        episode_starts_by_month: Number of new episodes in each month (>= 0); element 0 is
            month 1. Its length is the horizon.
        case_rate_usd: Payment per episode, USD (>= 0).
        installments: Number of equal monthly installments (>= 1; 1 pays the whole rate in the
            start month).

    Returns:
        Case-rate revenue per month, USD per month.

    Raises:
        ValueError: If starts are negative or non-finite, the rate is negative or
            ``installments < 1``.
    """
    starts = _monthly_series(episode_starts_by_month, "episode_starts_by_month")
    _check_nonnegative(case_rate_usd, "case_rate_usd")
    if installments < 1:
        raise ValueError(f"installments must be >= 1, got {installments}")
    per_installment = starts * (case_rate_usd / installments)
    return np.convolve(per_installment, np.ones(installments))[: starts.size]


def grant_schedule(
    annual_amount_usd: float,
    start_month: int,
    duration_months: int,
    horizon_months: int,
    phase_out_months: int = 0,
) -> NDArray[np.float64]:
    """Monthly grant money available to draw (docs/billing.md 6.1).

    The grant runs in months ``start_month .. start_month + duration_months - 1`` and makes
    ``annual_amount_usd / 12`` available in each of them. During its final ``P =
    phase_out_months`` months the amount tapers linearly towards zero: in the ``j``-th of those
    months (``j = 1..P``) it is

        ``annual_amount_usd / 12 * (P + 1 - j) / (P + 1)``,

    e.g. with ``P = 3``: 3/4, 1/2 and 1/4 of the full monthly amount; the next step, the month
    after the grant ends, would be zero. The taper reduces the total award by
    ``annual_amount_usd / 12 * P / 2`` (it does not move money to other months). Months outside
    the horizon are dropped.

    Args:
        annual_amount_usd: Award per year, USD per year (>= 0), e.g. a HRSA BHSE award of
            $600,000 or a PIPBHC-States ceiling of $200,000 per year.
        start_month: First month of the grant, 1-based (>= 1).
        duration_months: Length of the grant in months (>= 0).
        horizon_months: Number of months in the horizon (>= 0).
        phase_out_months: Length of the taper at the end of the grant (0 <= P <=
            ``duration_months``).

    Returns:
        Grant money available in each month of the horizon, USD per month.

    Raises:
        ValueError: If an argument is out of the ranges above.
    """
    _check_nonnegative(annual_amount_usd, "annual_amount_usd")
    if start_month < 1:
        raise ValueError(f"start_month must be >= 1, got {start_month}")
    if duration_months < 0 or horizon_months < 0:
        raise ValueError("duration_months and horizon_months must be >= 0")
    if not 0 <= phase_out_months <= duration_months:
        raise ValueError(
            f"phase_out_months must be in [0, duration_months={duration_months}], "
            f"got {phase_out_months}"
        )
    weights = np.ones(duration_months, dtype=np.float64)
    if phase_out_months:
        j = np.arange(1, phase_out_months + 1, dtype=np.float64)
        weights[duration_months - phase_out_months :] = (phase_out_months + 1 - j) / (
            phase_out_months + 1
        )
    months = np.arange(start_month, start_month + duration_months)  # 1-based
    inside = months <= horizon_months
    out = np.zeros(horizon_months, dtype=np.float64)
    out[months[inside] - 1] = annual_amount_usd / 12.0 * weights[inside]
    return out
