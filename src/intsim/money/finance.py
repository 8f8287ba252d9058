"""Financial-sustainability metrics over monthly revenue and cost series (the ledger layer).

Every function is pure: it takes numpy arrays or numbers and returns new ones, with no I/O and no
global state. Conventions shared by all functions:

* **Monthly time step.** Element ``i`` of a monthly array (0-based) is **month** ``i + 1``; all
  months returned to callers are 1-based (month 1 is the first simulated month). ``None`` means the
  event never happens within the horizon.
* **Month 0** is the instant before month 1, at which one-off startup (implementation) costs are
  paid (docs/billing.md 6.2). It appears in results only as the month of a cash trough that the
  startup payment itself causes (:func:`cash_trough` with ``opening_usd``).
* **Money** is nominal USD; monthly flows are USD per month.
* **Discounting** uses the end-of-month convention: a flow in month ``m`` is discounted by
  ``(1 + annual_rate) ** (-m / 12)``; month-0 amounts are not discounted.

The high-level entry point is :func:`sustainability_metrics`; the other functions are its building
blocks and are useful on their own (for example :func:`cash_lag` to turn accrued claims into cash
receipts, :func:`annual_totals` for yearly tables).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

__all__ = [
    "annual_totals",
    "break_even_month",
    "cash_lag",
    "cash_trough",
    "finite_monthly_series",
    "monthly_discount_factors",
    "net_margin_pct",
    "npv",
    "payback_month",
    "roi",
    "sustainability_metrics",
]


def finite_monthly_series(values: npt.ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``values`` as a finite 1-D float array, or raise ``ValueError`` naming ``name``."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D monthly series, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite values (NaN or infinity)")
    return arr


def _check_annual_rate(annual_rate: float) -> None:
    """Raise ``ValueError`` unless ``annual_rate`` is a finite rate above -100%."""
    if not np.isfinite(annual_rate) or annual_rate <= -1.0:
        raise ValueError(f"annual_rate must be finite and > -1, got {annual_rate}")


def monthly_discount_factors(n_months: int, annual_rate: float) -> NDArray[np.float64]:
    """Discount factors for months 1..``n_months`` under the end-of-month convention.

    The factor for month ``m`` is ``(1 + annual_rate) ** (-m / 12)``, so a flow in month 12 is
    discounted by exactly one year.

    Args:
        n_months: Number of months in the horizon (>= 0).
        annual_rate: Annual discount rate as a fraction per year (0.03 for 3%); must be > -1.

    Returns:
        Array of length ``n_months``; element ``i`` is the factor of month ``i + 1``
        (dimensionless).

    Raises:
        ValueError: If ``n_months`` is negative or ``annual_rate`` is not finite and > -1.
    """
    if n_months < 0:
        raise ValueError(f"n_months must be >= 0, got {n_months}")
    _check_annual_rate(annual_rate)
    months = np.arange(1, n_months + 1, dtype=np.float64)
    return np.power(1.0 + annual_rate, -months / 12.0)


def npv(net_usd: npt.ArrayLike, annual_rate: float, upfront_usd: float = 0.0) -> float:
    """Net present value of an upfront amount plus a monthly net cash-flow series.

    ``npv = upfront_usd + sum_m net_usd[m] * (1 + annual_rate) ** (-m / 12)`` with ``m`` the
    1-based month (see :func:`monthly_discount_factors`). The upfront amount is at month 0 and is
    not discounted.

    Args:
        net_usd: Monthly net cash flow (revenue minus cost), USD per month; element 0 is month 1.
        annual_rate: Annual discount rate as a fraction per year (0.03 for 3%).
        upfront_usd: Amount at month 0 in USD, signed: a startup cost is negative.

    Returns:
        Net present value in USD (of month 0).

    Raises:
        ValueError: If ``net_usd`` is not a finite 1-D series, ``upfront_usd`` is not finite or
            the rate is invalid.
    """
    net = finite_monthly_series(net_usd, "net_usd")
    if not np.isfinite(upfront_usd):
        raise ValueError(f"upfront_usd must be finite, got {upfront_usd}")
    factors = monthly_discount_factors(net.size, annual_rate)
    return float(upfront_usd + np.dot(net, factors))


def break_even_month(
    net_usd: npt.ArrayLike, run_months: int = 3, active: npt.ArrayLike | None = None
) -> int | None:
    """First month from which the monthly net stays non-negative for ``run_months`` months.

    Month ``m`` qualifies when the nets of months ``m, m + 1, ..., m + run_months - 1`` are all
    ``>= 0`` (zero counts as breaking even) and the programme is active in each of them. The
    run must fit inside the horizon: a non-negative tail shorter than ``run_months`` is not
    (yet) a break-even. This is the operational
    break-even (monthly income covers monthly cost); it ignores startup costs, which
    :func:`payback_month` accounts for.

    Args:
        net_usd: Monthly net (revenue minus cost), USD per month; element 0 is month 1.
        run_months: Number of consecutive non-negative months required (>= 1).
        active: Optional boolean per month: whether the programme runs (has any cost or
            revenue). A month with nothing running (every position vacant, no revenue) has a
            net of 0 but does not count as breaking even. Default: every month is active.

    Returns:
        The 1-based month ``m``, or ``None`` if no run of ``run_months`` non-negative months
        starts within the horizon (including when the horizon is shorter than ``run_months``).

    Raises:
        ValueError: If ``run_months < 1`` or ``net_usd`` is not a finite 1-D series.
    """
    if run_months < 1:
        raise ValueError(f"run_months must be >= 1, got {run_months}")
    net = finite_monthly_series(net_usd, "net_usd")
    if net.size < run_months:
        return None
    ok = net >= 0.0
    if active is not None:
        flags = np.asarray(active, dtype=bool)
        if flags.shape != net.shape:
            raise ValueError(f"active must have the shape of net_usd {net.shape}")
        ok &= flags
    windows = np.lib.stride_tricks.sliding_window_view(ok, run_months)
    qualifies = windows.all(axis=1)
    if not qualifies.any():
        return None
    return int(np.argmax(qualifies)) + 1


def payback_month(cumulative_net_usd: npt.ArrayLike) -> int | None:
    """First month from which the cumulative net position is and stays non-negative.

    The cumulative position should include startup costs (see :func:`sustainability_metrics`).
    Payback requires the position to remain ``>= 0`` from that month **to the end of the
    horizon**: a cumulative line that crosses zero and later dips below it again has not paid
    back, and the payback month is the month after its last negative month. Consequently a
    position that is negative in the final month gives ``None``.

    Args:
        cumulative_net_usd: Cumulative cash position at the end of each month, USD; element 0
            is month 1.

    Returns:
        The 1-based payback month, or ``None`` if the position is negative at the end of the
        horizon (or the series is empty).

    Raises:
        ValueError: If the series is not a finite 1-D array.
    """
    cum = finite_monthly_series(cumulative_net_usd, "cumulative_net_usd")
    if cum.size == 0:
        return None
    negative = np.flatnonzero(cum < 0.0)
    if negative.size == 0:
        return 1
    last_negative = int(negative[-1])
    if last_negative == cum.size - 1:
        return None
    return last_negative + 2  # the month after the last negative one, 1-based


def cash_trough(
    cumulative_net_usd: npt.ArrayLike, *, opening_usd: float = 0.0
) -> tuple[float, int | None]:
    """Lowest cumulative cash position (the largest cash need) and the month it occurs.

    Args:
        cumulative_net_usd: Cumulative cash position at the end of each month, USD; element 0
            is month 1.
        opening_usd: Position at month 0, before month 1 (minus the startup cost, USD). When it
            is negative and at or below every monthly position, the trough is at month 0. The
            default 0 considers months 1..n only.

    Returns:
        ``(trough_usd, month)``: the minimum position in USD (negative) and its month (the
        earliest if the minimum is reached more than once; 0 denotes month 0), or
        ``(0.0, None)`` if the position never goes below zero.

    Raises:
        ValueError: If the series is not a finite 1-D array or ``opening_usd`` is not finite.
    """
    cum = finite_monthly_series(cumulative_net_usd, "cumulative_net_usd")
    if not np.isfinite(opening_usd):
        raise ValueError(f"opening_usd must be finite, got {opening_usd}")
    positions = np.concatenate(([opening_usd], cum))  # index == month (0 = month 0)
    month = int(np.argmin(positions))
    trough = float(positions[month])
    if trough >= 0.0:
        return 0.0, None
    return trough, month


def roi(total_revenue_usd: float, total_cost_usd: float) -> float | None:
    """Return on investment, ``(revenue - cost) / cost``.

    Args:
        total_revenue_usd: Total revenue over the horizon, USD.
        total_cost_usd: Total cost over the horizon including startup costs, USD.

    Returns:
        ROI as a fraction (0.25 means revenue exceeds cost by 25% of cost), or ``None`` if the
        cost is 0.
    """
    if total_cost_usd == 0:
        return None
    return float((total_revenue_usd - total_cost_usd) / total_cost_usd)


def net_margin_pct(total_revenue_usd: float, total_cost_usd: float) -> float | None:
    """Net margin, ``100 * (revenue - cost) / revenue``.

    Args:
        total_revenue_usd: Total revenue over the horizon, USD.
        total_cost_usd: Total cost over the horizon including startup costs, USD.

    Returns:
        Net margin in percent of revenue, or ``None`` if the revenue is 0.
    """
    if total_revenue_usd == 0:
        return None
    return float(100.0 * (total_revenue_usd - total_cost_usd) / total_revenue_usd)


def cash_lag(
    amounts_by_month: npt.ArrayLike, lag_months: int | npt.ArrayLike
) -> NDArray[np.float64]:
    """Move accrued amounts to the month their cash arrives.

    An amount accrued in month ``m`` with lag ``L`` arrives in month ``m + L`` (lag 0: the same
    month). Amounts accrued in the same arrival month add up.

    Amounts whose arrival month falls after the horizon are **dropped**: the result has the
    horizon's length and this function returns nothing else, so the money still in the pipeline
    at the end of the horizon is ``amounts_by_month.sum() - result.sum()``, which the caller must
    compute if it needs it (e.g. as accounts receivable).

    Args:
        amounts_by_month: Accrued amounts (e.g. claims by date of service), USD per month;
            element 0 is month 1.
        lag_months: Payment lag in whole months (>= 0): a scalar for every month, or an array of
            the same length giving the lag of the amounts accrued in each month.

    Returns:
        Cash received per month over the same horizon, USD per month.

    Raises:
        ValueError: If a lag is negative or not a whole number, the lag array's length differs
            from the amounts', or the amounts are not a finite 1-D series.
    """
    amounts = finite_monthly_series(amounts_by_month, "amounts_by_month")
    n = amounts.size
    lags = np.asarray(lag_months)
    if lags.ndim == 0:
        lags = np.full(n, lags)
    elif lags.shape != amounts.shape:
        raise ValueError(
            f"lag_months must be a scalar or have the shape of amounts_by_month {amounts.shape}, "
            f"got {lags.shape}"
        )
    lags_f = lags.astype(np.float64)
    if n and (not np.all(np.isfinite(lags_f)) or np.any(lags_f != np.round(lags_f))):
        raise ValueError("lag_months must be whole numbers of months")
    if n and np.any(lags_f < 0):
        raise ValueError("lag_months must be >= 0")
    arrival = np.arange(n) + lags_f.astype(np.int64)
    inside = arrival < n
    return np.bincount(arrival[inside], weights=amounts[inside], minlength=n).astype(np.float64)


def annual_totals(monthly: npt.ArrayLike, start_month: int = 1) -> NDArray[np.float64]:
    """Sum a monthly series by 12-month year.

    Years are aligned so that a year starts at months 1, 13, 25, ... of a 12-month cycle in which
    ``monthly[0]`` has position ``start_month`` (only ``(start_month - 1) % 12`` matters). With the
    default ``start_month=1`` the years are months 1-12, 13-24, ... of the series. With, say,
    ``start_month=7`` (a series that starts in the 7th month of a fiscal or calendar year) the
    first total covers only the first 6 elements. A partial last year is included as its own
    total, so the totals always add up to the series total.

    Args:
        monthly: Monthly values (e.g. USD per month); element 0 is the month ``start_month``.
        start_month: 1-based position of ``monthly[0]`` in the 12-month cycle (>= 1; 1 and 13
            are equivalent).

    Returns:
        One total per year touched by the series, in order (empty for an empty series); each in
        the series' unit times one year (e.g. USD per year).

    Raises:
        ValueError: If ``start_month < 1`` or ``monthly`` is not a finite 1-D series.
    """
    if start_month < 1:
        raise ValueError(f"start_month must be >= 1, got {start_month}")
    values = finite_monthly_series(monthly, "monthly")
    offset = (start_month - 1) % 12
    year_index = (np.arange(values.size) + offset) // 12
    if values.size == 0:
        return np.zeros(0, dtype=np.float64)
    return np.bincount(year_index, weights=values).astype(np.float64)


def sustainability_metrics(
    revenue_usd: npt.ArrayLike,
    cost_usd: npt.ArrayLike,
    startup_cost_usd: float,
    annual_discount_rate: float,
) -> dict[str, float | int | None]:
    """Headline sustainability metrics of a programme over its horizon.

    The startup cost is paid at month 0 (before month 1). The cumulative cash position at the
    end of month ``m`` is ``cumsum(revenue - cost)[m] - startup_cost_usd``.

    Args:
        revenue_usd: Cash revenue per month, USD per month; element 0 is month 1. Include every
            source (claims, capitation, bonuses, settlements, grants) in the month it is
            received.
        cost_usd: Operating cost per month, USD per month, same length as ``revenue_usd``.
        startup_cost_usd: One-off implementation cost at month 0, USD (>= 0; docs/billing.md 6.2).
        annual_discount_rate: Annual discount rate for the NPV, fraction per year.

    Returns:
        A dict with keys:

        * ``total_revenue``: sum of revenue, USD;
        * ``total_cost``: sum of cost plus the startup cost, USD;
        * ``net``: ``total_revenue - total_cost``, USD;
        * ``net_margin_pct``: :func:`net_margin_pct` (``None`` if revenue is 0);
        * ``break_even_month``: :func:`break_even_month` of the monthly net with its default run
          of 3 months, counting only months with some cost or revenue (``None`` if never);
        * ``payback_month``: :func:`payback_month` of the cumulative position (``None`` if
          never);
        * ``cash_trough``: lowest cumulative position including month 0, USD (0.0 if it never
          goes below zero);
        * ``cash_trough_month``: its month (0 = the startup payment itself is the trough;
          ``None`` if never below zero);
        * ``npv``: :func:`npv` of the monthly net with the startup cost as a negative upfront
          amount, USD;
        * ``roi``: :func:`roi` of the totals (``None`` if total cost is 0).

    Raises:
        ValueError: If the series differ in length or are not finite 1-D arrays, the startup cost
            is negative or not finite, or the discount rate is invalid.
    """
    revenue = finite_monthly_series(revenue_usd, "revenue_usd")
    cost = finite_monthly_series(cost_usd, "cost_usd")
    if revenue.shape != cost.shape:
        raise ValueError(
            f"revenue_usd and cost_usd must have the same length, got {revenue.size} and "
            f"{cost.size}"
        )
    if not np.isfinite(startup_cost_usd) or startup_cost_usd < 0:
        raise ValueError(f"startup_cost_usd must be finite and >= 0, got {startup_cost_usd}")
    net_monthly = revenue - cost
    cumulative = np.cumsum(net_monthly) - startup_cost_usd
    total_revenue = float(revenue.sum())
    total_cost = float(cost.sum() + startup_cost_usd)
    trough, trough_month = cash_trough(cumulative, opening_usd=-float(startup_cost_usd))
    return {
        "total_revenue": total_revenue,
        "total_cost": total_cost,
        "net": total_revenue - total_cost,
        "net_margin_pct": net_margin_pct(total_revenue, total_cost),
        "break_even_month": break_even_month(net_monthly, active=(cost > 0) | (revenue != 0)),
        "payback_month": payback_month(cumulative),
        "cash_trough": trough,
        "cash_trough_month": trough_month,
        "npv": npv(net_monthly, annual_discount_rate, upfront_usd=-float(startup_cost_usd)),
        "roi": roi(total_revenue, total_cost),
    }
