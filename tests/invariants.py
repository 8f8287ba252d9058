"""Accounting invariants of one run, read from its outputs (monthly table, claims, summary).

Shared by ``test_invariants.py`` (random valid scenarios) and ``test_fuzz.py`` (whatever the
CLI accepted). Each ``check_*`` function raises ``AssertionError`` naming the month and the
quantities that disagree. Money is compared with a relative tolerance of 1e-9 (sums of the
same numbers in another order) and an absolute one of 1e-6 USD.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from intsim.money.claims import FAMILIES
from intsim.money.ledger import COST_LINES, REVENUE_LINES
from intsim.params import PAYERS

RTOL = 1e-9
ATOL = 1e-6  # USD
#: Ledger lines paid under payer contracts (besides claims), by payer.
CONTRACT_LINES: tuple[str, ...] = (
    "revenue_pmpm",
    "revenue_case_rate",
    "revenue_p4p",
    "revenue_shared_savings",
)
#: Ledger lines neither claims nor payer contracts: extra PCP visits, partner, grant.
OTHER_LINES: tuple[str, ...] = ("revenue_pcp_extra_visits", "revenue_partner", "revenue_grant")


def _close(a: Any, b: Any, what: str) -> None:
    a, b = np.asarray(a, float), np.asarray(b, float)
    bad = ~np.isclose(a, b, rtol=RTOL, atol=ATOL)
    if bad.any():
        i = int(np.flatnonzero(bad)[0]) if a.ndim else 0
        where = f" (month {i + 1})" if a.ndim else ""
        raise AssertionError(
            f"{what}{where}: {a.flat[i] if a.ndim else a!r} != {b.flat[i] if b.ndim else b!r}"
        )


def _claims_by_month(claims: pd.DataFrame, key: str, n: int) -> dict[str, np.ndarray]:
    """Claim revenue (payer paid + collected cost-sharing) per month, by ``key`` value."""
    out: dict[str, np.ndarray] = {}
    if claims.empty:
        return out
    revenue = claims["paid"].to_numpy(float) + claims["collected"].to_numpy(float)
    months = claims["month"].to_numpy(int)
    keys = claims[key].astype(str).to_numpy()
    for k in np.unique(keys):
        sel = keys == k
        out[str(k)] = np.bincount(months[sel] - 1, weights=revenue[sel], minlength=n)[:n]
    return out


def check_revenue_identity(monthly: pd.DataFrame, claims: pd.DataFrame) -> None:
    """Revenue = paid claims + contract payments + grant draws (and the other named lines).

    * each claim family's ledger line equals its claim lines' paid + collected amounts;
    * each payer's revenue equals its claim lines plus its contract payments, and the payers
      together receive every contract payment;
    * total revenue is the sum of the revenue lines, cost the sum of the cost lines, and
      net = revenue - cost, every month;
    * grant draws are >= 0 and no line is negative except shared savings (two-sided
      contracts can claw back).
    """
    n = len(monthly)
    by_family = _claims_by_month(claims, "family", n)
    for fam in FAMILIES:
        _close(
            monthly[f"revenue_{fam}"], by_family.get(fam, np.zeros(n)), f"revenue_{fam} vs claims"
        )
    unknown = set(by_family) - set(FAMILIES)
    assert not unknown, f"claims of unknown families {unknown}"
    by_payer = _claims_by_month(claims, "payer", n)
    claims_total = sum((by_family.get(f, np.zeros(n)) for f in FAMILIES), np.zeros(n))
    contract_total = sum((monthly[line].to_numpy(float) for line in CONTRACT_LINES), np.zeros(n))
    payer_total = sum((monthly[f"revenue_{p}"].to_numpy(float) for p in PAYERS), np.zeros(n))
    _close(payer_total, claims_total + contract_total, "sum of revenue_<payer> vs claims+contracts")
    for p in PAYERS:
        extra = monthly[f"revenue_{p}"].to_numpy(float) - by_payer.get(p, np.zeros(n))
        if not monthly[[*CONTRACT_LINES]].to_numpy().any():
            _close(extra, np.zeros(n), f"revenue_{p} vs its claims (no contract payments)")
    lines = sum((monthly[line].to_numpy(float) for line in REVENUE_LINES), np.zeros(n))
    _close(monthly["revenue_total"], lines, "revenue_total vs its lines")
    _close(
        monthly["revenue_total"],
        claims_total + contract_total + sum(monthly[x].to_numpy(float) for x in OTHER_LINES),
        "revenue_total vs claims + contract payments + grant + other lines",
    )
    costs = sum((monthly[line].to_numpy(float) for line in COST_LINES), np.zeros(n))
    _close(monthly["cost_total"], costs, "cost_total vs its lines")
    _close(monthly["net"], monthly["revenue_total"] - monthly["cost_total"], "net vs rev - cost")
    for line in (*REVENUE_LINES, *COST_LINES):
        if line == "revenue_shared_savings":
            continue
        low = float(monthly[line].min()) if n else 0.0
        assert low >= 0.0, f"{line}: negative amount {low}"


def check_grant_draws(monthly: pd.DataFrame, values: Mapping[str, Any]) -> None:
    """Grant draws happen only with a grant and never exceed the award paid in so far.

    Under ``grants.undrawn: lapse`` no month draws more than one monthly award; under
    ``carry_over`` (decision 55) a month may also draw what earlier months left undrawn.
    """
    g = values["grants"]
    drawn = float(monthly["revenue_grant"].sum())
    if g["annual_amount"] <= 0:
        assert drawn == 0.0, f"grant draws {drawn} without a grant"
        return
    award = g["annual_amount"] * g["duration_months"] / 12.0
    assert drawn <= award * (1 + RTOL) + ATOL, f"grant draws {drawn} exceed the award {award}"
    monthly_award = g["annual_amount"] / 12.0
    draws = monthly["revenue_grant"].to_numpy(float)
    if g.get("undrawn", "carry_over") == "lapse":
        per_month = float(draws.max()) if len(draws) else 0.0
        assert per_month <= monthly_award * (1 + RTOL) + ATOL, (
            f"a month draws {per_month} > the monthly award {monthly_award} (undrawn: lapse)"
        )
    # with carry_over a month may draw what earlier months left, never money not yet awarded:
    # by month t at most t monthly awards have been paid in (the grant starts at month >= 1)
    cumulative = np.cumsum(draws)
    ceiling = monthly_award * np.arange(1, len(draws) + 1)
    over = np.flatnonzero(cumulative > ceiling * (1 + RTOL) + ATOL)
    if len(over):
        t = int(over[0])
        raise AssertionError(
            f"by month {t + 1} the grant drew {cumulative[t]}, more than the {t + 1} monthly "
            f"awards paid in so far ({ceiling[t]})"
        )


#: Claim family -> monthly column of the delivered service it bills.
SERVICE_OF_FAMILY: dict[str, str] = {
    "cocm": "cm_minutes",
    "bhc_psychotherapy": "bhc_visits",
    "bhc_hbai": "bhc_visits",
    "fqhc_mental_health": "bhc_visits",
    "general_bhi": "bhi_minutes",
}


def check_claims_follow_services(monthly: pd.DataFrame, claims: pd.DataFrame) -> None:
    """No claim without a delivered service: a month's claim lines of a family imply its service.

    Per month, the patients with claim lines of a visit family are at most the BHC visits, and
    care-management lines occur only in months with care-manager (CoCM) or BHC (general BHI)
    minutes; claims fall within the horizon.
    """
    if claims.empty:
        return
    n = len(monthly)
    months = claims["month"].to_numpy(int)
    assert months.min() >= 1, "claim before month 1"
    assert months.max() <= n, "claim after the horizon"
    for fam, column in SERVICE_OF_FAMILY.items():
        sel = claims["family"].astype(str).to_numpy() == fam
        if not sel.any():
            continue
        patients = claims.loc[sel, ["month", "slot"]].drop_duplicates().groupby("month").size()
        service = monthly[column].to_numpy(float)
        for month, count in patients.items():
            delivered = service[int(month) - 1]
            assert delivered > 0, f"month {month}: {count} {fam} claims but {column} = 0"
            if column == "bhc_visits":
                assert count <= delivered, (
                    f"month {month}: {count} patients with {fam} claims > {delivered} BHC visits"
                )


def check_capacity(monthly: pd.DataFrame) -> None:
    """Minutes and visits used never exceed the month's capacity."""
    m = monthly
    over = m["cm_minutes"] > m["cm_capacity_minutes"]
    assert not over.any(), f"care-manager minutes above capacity in months {_months(m, over)}"
    for column in ("cm_utilization", "bhc_utilization", "pcp_utilization"):
        over = m[column] > 1.0 + 1e-12
        assert not over.any(), f"{column} > 1 in months {_months(m, over)}"
    idle = (m["bhc_utilization"] == 0) & (m["bhc_visits"] + m["bhc_no_shows"] > 0)
    assert not idle.any(), f"BHC visits without BHC slots in months {_months(m, idle)}"
    idle = (m["pcp_utilization"] == 0) & (m["pcp_visits"] > 0)
    assert not idle.any(), f"PCP visits without PCP capacity in months {_months(m, idle)}"
    over = m["psych_minutes"] > m["psych_paid_minutes"]
    assert not over.any(), f"psychiatric minutes above paid minutes in {_months(m, over)}"
    over = m["psych_reviews"] > m["psych_reviews_due"]
    assert not over.any(), f"more psychiatric reviews than due in months {_months(m, over)}"


def _months(monthly: pd.DataFrame, mask: pd.Series) -> list[int]:
    return monthly.loc[mask, "month"].astype(int).tolist()[:5]


def check_members(monthly: pd.DataFrame, n_patients: int) -> None:
    """Every panel member belongs to exactly one payer; the panel keeps its size.

    Departures are replaced one for one by newcomers (:mod:`intsim.sim.model`, phase 2), so the
    panel holds ``population.n_patients`` every month; people in a treatment or a queue are
    panel members.
    """
    members = sum(monthly[f"members_{p}"] for p in PAYERS)
    _close(members, monthly["panel_size"], "sum of members_<payer> vs panel_size")
    _close(monthly["panel_size"], np.full(len(monthly), n_patients), "panel_size vs n_patients")
    treated = (
        monthly["active_cocm"]
        + monthly["active_pcbh"]
        + monthly["in_usual_care_treatment"]
        + monthly["in_specialty_care"]
    )
    over = treated > monthly["panel_size"]
    assert not over.any(), f"more patients in treatment than in the panel: {_months(monthly, over)}"


def check_net_totals(monthly: pd.DataFrame, summary: Mapping[str, Any]) -> None:
    """Monthly net sums to the overall net with the startup cost counted once."""
    startup = float(summary["startup_cost"])
    assert startup >= 0.0, f"negative startup cost {startup}"
    _close(summary["total_revenue"], monthly["revenue_total"].sum(), "total_revenue")
    _close(summary["total_cost"], monthly["cost_total"].sum() + startup, "total_cost")
    _close(summary["net"], monthly["net"].sum() - startup, "net vs monthly net - startup")
    if len(monthly):
        _close(
            monthly["cumulative_net"],
            np.cumsum(monthly["net"].to_numpy(float)) - startup,
            "cumulative_net vs cumsum(net) - startup",
        )
        _close(summary["net"], monthly["cumulative_net"].iloc[-1], "net vs final cumulative_net")
    by_line = summary["revenue_by_line"]
    for line in (*REVENUE_LINES, *COST_LINES):
        _close(by_line[line], monthly[line].sum(), f"revenue_by_line[{line}]")


def check_budget_years(monthly: pd.DataFrame, summary: Mapping[str, Any]) -> None:
    """The budget by year adds up to the totals of the horizon (revenue, grant, cost, net)."""
    years = summary["budget_by_year"]
    assert len(years) == (len(monthly) + 11) // 12, "one budget row per (started) year"
    _close(sum(y["revenue"] for y in years), summary["total_revenue"], "budget revenue by year")
    _close(sum(y["grant"] for y in years), monthly["revenue_grant"].sum(), "budget grant by year")
    _close(sum(y["cost"] for y in years), summary["total_cost"], "budget cost by year")
    _close(sum(y["net"] for y in years), summary["net"], "budget net by year")


def check_outputs(
    monthly: pd.DataFrame, claims: pd.DataFrame, summary: Mapping[str, Any], values: Any
) -> None:
    """Every output-level invariant above."""
    check_revenue_identity(monthly, claims)
    check_grant_draws(monthly, values)
    check_claims_follow_services(monthly, claims)
    check_capacity(monthly)
    check_members(monthly, values["population"]["n_patients"])
    check_net_totals(monthly, summary)
    check_budget_years(monthly, summary)
