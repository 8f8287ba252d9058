"""The numbers of the grant report (``intsim report grant``), computed from runs; no rendering.

Everything here is a function of simulation results (:class:`intsim.sim.runner.Results`) or of a
table of per-run metrics, so the same definitions serve the deterministic run and every Monte
Carlo draw:

* **reach**: unduplicated patients per programme year reached by CoCM (any care-manager
  minutes) or PCBH (any BHC visit), and the patients with a threshold episode in the panel that
  year (the programme's eligible population), from ``summary["patients_reached_by_year"]``;
* **outcomes among programme patients**: the run minus its usual-care counterfactual on the
  same seed (``finance.counterfactual``; common random numbers give every patient the same
  draws in both runs, so the difference is the programme's effect on the people it treats:
  responders and remissions beyond usual care, episode-free (depression-free) patient-months
  gained, ED visits and admissions avoided). They are never whole-panel totals;
* **budget by year**: revenue by source (claims by payer, PCP visits freed by BHCs, contract
  payments, staffing partner, grant), the startup cost in year 1 and cost by line, net, and the
  funding gap without grant money; the years' nets add up to the run's overall net;
* **sustainability**: ``break_even_month_without_grant`` per draw, as P(self-sustaining by
  month m); cost per patient served and per additional responder;
* **Monte Carlo bands**: mean, median and the 80% (10th-90th percentile) and 95%
  (2.5th-97.5th) intervals of every metric over the draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from intsim.money.ledger import COST_LINES
from intsim.params import PARAMETERS, PAYERS, defaults
from intsim.params.scenario import Scenario
from intsim.sim.runner import Results

#: Quantiles of the uncertainty bands: 95% (2.5-97.5) and 80% (10-90) intervals.
BAND_QUANTILES: dict[str, float] = {"p2_5": 0.025, "p10": 0.10, "p50": 0.50, "p90": 0.90}
BAND_QUANTILES["p97_5"] = 0.975
#: Reach columns of ``patients_reached_by_year`` (besides ``year``).
REACH_KEYS = (
    "reached",
    "reached_cocm",
    "reached_pcbh",
    "with_threshold_episode",
    "reached_with_threshold_episode",
)
#: Outcomes among programme patients: (metric, counterfactual minus programme column, sign).
#: ``sign`` +1: programme minus usual care (more is better); -1: usual care minus programme.
OUTCOMES: tuple[tuple[str, str, int], ...] = (
    ("responders_beyond_usual_care", "responders", 1),
    ("remissions_beyond_usual_care", "remissions", 1),
    ("episode_free_months_gained", "bh_prevalent", -1),
    ("ed_visits_avoided", "ed_visits", -1),
    ("admissions_avoided", "admissions", -1),
)
OUTCOME_LABELS: dict[str, str] = {
    "responders_beyond_usual_care": "Responders beyond usual care",
    "remissions_beyond_usual_care": "Remissions beyond usual care",
    "episode_free_months_gained": "Depression-free months gained (patient-months)",
    "ed_visits_avoided": "ED visits avoided",
    "admissions_avoided": "Hospital admissions avoided",
}
#: Contract revenue lines (payments that are not claims) of the ledger.
CONTRACT_LINES: dict[str, str] = {
    "revenue_pmpm": "Contract: PMPM capitation",
    "revenue_case_rate": "Contract: case rates",
    "revenue_p4p": "Contract: pay-for-performance bonuses",
    "revenue_shared_savings": "Contract: shared savings",
}
OTHER_REVENUE_LINES: dict[str, str] = {
    "revenue_pcp_extra_visits": "PCP visits freed by BHCs",
    "revenue_partner": "Staffing partner (salary share)",
}
COST_LABELS: dict[str, str] = {
    "cost_care_managers": "Care managers",
    "cost_bhcs": "Behavioral health consultants",
    "cost_psychiatry": "Psychiatric consultant",
    "cost_substitution": "Tele-coverage of vacancies",
    "cost_trainees": "Trainee stipends",
    "cost_space": "Space",
    "cost_registry": "Registry",
    "cost_recruitment": "Recruitment",
    "cost_phase_launch": "Launch of later rollout phases",
    "cost_billing": "Billing and collection",
}
#: Metrics of the whole horizon reported with bands (besides the per-year ones).
TOTAL_METRICS: tuple[str, ...] = (
    "patients_served",
    "patients_served_cocm",
    "patients_served_pcbh",
    *(name for name, _, _ in OUTCOMES),
    "total_revenue",
    "total_cost",
    "startup_cost",
    "net",
    "grant_drawn",
    "funding_gap_without_grant",
    "funding_gap_after_grant_per_year",
    "break_even_month_without_grant",
    "cost_per_patient_served",
    "cost_per_additional_responder",
)


# --------------------------------------------------------------------------- one run


def year_of_month(months: Sequence[int] | np.ndarray) -> np.ndarray:
    """Programme year of each month (months 1-12 are year 1)."""
    return (np.asarray(months, dtype=np.int64) - 1) // 12 + 1


def year_label(year: int, horizon_months: int) -> str:
    """``Year 2``, or ``Year 3 (months 25-30)`` for a year the horizon cuts short."""
    first, last = 12 * (year - 1) + 1, min(12 * year, horizon_months)
    return f"Year {year}" if last == 12 * year else f"Year {year} (months {first}-{last})"


def horizon_text(horizon_months: int) -> str:
    """``5 years``, ``1 year`` or ``30 months``."""
    if horizon_months % 12:
        return f"{horizon_months} months"
    years = horizon_months // 12
    return f"{years} year" if years == 1 else f"{years} years"


def reach_by_year(summary: Mapping[str, Any]) -> pd.DataFrame:
    """Unduplicated reach per programme year, with the share of eligible patients reached.

    ``share_of_eligible_reached`` is reached patients with a threshold episode that year over all
    patients with a threshold episode in the panel that year.
    """
    frame = pd.DataFrame(summary["patients_reached_by_year"], columns=["year", *REACH_KEYS])
    eligible = frame["with_threshold_episode"].to_numpy(float)
    reached = frame["reached_with_threshold_episode"].to_numpy(float)
    frame["share_of_eligible_reached"] = np.divide(
        reached, eligible, out=np.full(len(frame), np.nan), where=eligible > 0
    )
    return frame


def outcomes_by_year(results: Results) -> pd.DataFrame:
    """Outcomes among programme patients against the same patients under usual care, per year.

    Raises:
        ValueError: If the run has no usual-care counterfactual.
    """
    cf = results.counterfactual
    if cf is None:
        raise ValueError("the run has no usual-care counterfactual (finance.counterfactual)")
    monthly = results.monthly
    years = year_of_month(monthly["month"])
    frame = pd.DataFrame({"year": np.unique(years)})
    for name, column, sign in OUTCOMES:
        diff = sign * (monthly[column].to_numpy(float) - cf[column].to_numpy(float))
        frame[name] = [float(diff[years == y].sum()) for y in frame["year"]]
    return frame


def budget_lines(results: Results) -> pd.DataFrame:
    """The budget by year: one row per line, one column per programme year (USD).

    Rows, in order: ``section`` (``revenue``, ``cost`` or ``result``), ``line`` (a key) and
    ``label``. Revenue: claims by payer (payer payments plus collected cost-sharing, from the
    claim lines), the other non-grant lines, contract payments and the grant, then
    ``revenue_total``. Cost: ``startup`` (month 0, in year 1) and each cost line, then
    ``cost_total``. Result: ``net`` (revenue minus cost), ``net_without_grant`` and
    ``funding_gap_without_grant`` (``max(0, -net_without_grant)`` per year).

    Raises:
        ValueError: If the run was simulated without its claim lines (``claims=False``).
    """
    monthly = results.monthly
    years = year_of_month(monthly["month"])
    year_list = [int(y) for y in np.unique(years)]
    startup = float(results.summary["startup_cost"])

    def per_year(values: np.ndarray) -> list[float]:
        return [float(values[years == y].sum()) for y in year_list]

    claims = results.claims
    family_total = sum(
        monthly[c].to_numpy(float)
        for c in monthly.columns
        if c.startswith("revenue_") and c.removeprefix("revenue_") in _claim_families()
    )
    if claims.empty and float(np.sum(family_total)) != 0.0:
        raise ValueError("budget_lines needs the run's claim lines (simulate(claims=True))")
    rows: list[tuple[str, str, str, list[float]]] = []
    for payer in PAYERS:
        if claims.empty:
            by_month = np.zeros(len(monthly))
        else:
            mine = claims[claims["payer"] == payer]
            money = (mine["paid"] + mine["collected"]).groupby(mine["month"]).sum()
            by_month = money.reindex(monthly["month"], fill_value=0.0).to_numpy(float)
        rows.append(
            ("revenue", f"claims_{payer}", f"Claims: {_payer_name(payer)}", per_year(by_month))
        )
    for line, label in {**OTHER_REVENUE_LINES, **CONTRACT_LINES}.items():
        rows.append(("revenue", line, label, per_year(monthly[line].to_numpy(float))))
    rows.append(
        ("revenue", "revenue_grant", "Grant", per_year(monthly["revenue_grant"].to_numpy(float)))
    )
    revenue_total = per_year(monthly["revenue_total"].to_numpy(float))
    rows.append(("revenue", "revenue_total", "Total revenue", revenue_total))
    startup_row = [startup if y == 1 else 0.0 for y in year_list]
    rows.append(("cost", "startup", "Startup and one-off costs (month 0)", startup_row))
    rows.extend(
        ("cost", line, COST_LABELS[line], per_year(monthly[line].to_numpy(float)))
        for line in COST_LINES
    )
    cost_total = [
        c + s
        for c, s in zip(per_year(monthly["cost_total"].to_numpy(float)), startup_row, strict=True)
    ]
    rows.append(("cost", "cost_total", "Total cost", cost_total))
    grant = rows[[r[1] for r in rows].index("revenue_grant")][3]
    net = [r - c for r, c in zip(revenue_total, cost_total, strict=True)]
    without = [n - g for n, g in zip(net, grant, strict=True)]
    rows.append(("result", "net", "Net (revenue minus cost)", net))
    rows.append(("result", "net_without_grant", "Net without grant money", without))
    gap = [max(0.0, -x) for x in without]
    rows.append(("result", "funding_gap_without_grant", "Funding gap without the grant", gap))
    frame = pd.DataFrame(
        [(s, k, lab, *vals) for s, k, lab, vals in rows],
        columns=["section", "line", "label", *[f"year_{y}" for y in year_list]],
    )
    frame["total"] = frame[[f"year_{y}" for y in year_list]].sum(axis=1)
    return frame


def _claim_families() -> tuple[str, ...]:
    from intsim.money.claims import FAMILIES  # noqa: PLC0415

    return tuple(FAMILIES)


def _payer_name(payer: str) -> str:
    return "Dual-eligible" if payer == "dual" else payer.capitalize()


def run_metrics(results: Results) -> dict[str, float]:
    """Flat metrics of one run (one row of the Monte Carlo table); ``None`` becomes NaN.

    Keys: the horizon totals of :data:`TOTAL_METRICS` and, per programme year ``y``,
    ``y<y>.<reach key>``, ``y<y>.share_of_eligible_reached``, ``y<y>.<outcome>``,
    ``y<y>.revenue``, ``y<y>.grant``, ``y<y>.cost``, ``y<y>.net`` and
    ``y<y>.gap_without_grant`` (from ``summary["budget_by_year"]``).
    """
    s = results.summary
    out: dict[str, float] = {}
    for row in reach_by_year(s).to_dict("records"):
        y = int(row.pop("year"))
        out.update({f"y{y}.{k}": float(v) for k, v in row.items()})
    outcomes = outcomes_by_year(results)
    for row in outcomes.to_dict("records"):
        y = int(row.pop("year"))
        out.update({f"y{y}.{k}": float(v) for k, v in row.items()})
    for b in s["budget_by_year"]:
        y = int(b["year"])
        for key in ("revenue", "grant", "cost", "net", "gap_without_grant"):
            out[f"y{y}.{key}"] = float(b[key])
    if not results.claims.empty or results.summary["total_revenue"] == 0:
        budget = budget_lines(results)
        for col in (c for c in budget.columns if c.startswith("year_")):
            y = int(col.removeprefix("year_"))
            for line, value in zip(budget["line"], budget[col], strict=True):
                out[f"y{y}.budget.{line}"] = float(value)
    totals = outcomes.drop(columns="year").sum()
    extra = float(totals["responders_beyond_usual_care"])
    gap = sum(float(b["gap_without_grant"]) for b in s["budget_by_year"])
    values: dict[str, Any] = {
        **{
            k: s.get(k) for k in ("patients_served", "patients_served_cocm", "patients_served_pcbh")
        },
        **{k: float(v) for k, v in totals.items()},
        "total_revenue": s["total_revenue"],
        "total_cost": s["total_cost"],
        "startup_cost": s["startup_cost"],
        "net": s["net"],
        "grant_drawn": s["grant_drawn"],
        "funding_gap_without_grant": gap,
        "funding_gap_after_grant_per_year": s.get("funding_gap_after_grant_per_year"),
        "break_even_month_without_grant": s.get("break_even_month_without_grant"),
        "cost_per_patient_served": s.get("cost_per_patient_served"),
        "cost_per_additional_responder": s["total_cost"] / extra if extra > 0 else None,
    }
    out.update({k: math.nan if v is None else float(v) for k, v in values.items()})
    return out


# --------------------------------------------------------------------------- many runs


def years_of(runs: pd.DataFrame) -> list[int]:
    """The programme years present in a table of :func:`run_metrics` rows."""
    return sorted({int(c.split(".")[0][1:]) for c in runs.columns if c.endswith(".reached")})


def mean_reach(runs: pd.DataFrame) -> pd.DataFrame:
    """Expected reach per year: the mean over the draws (share: ratio of the means)."""
    rows = []
    for y in years_of(runs):
        row: dict[str, float] = {"year": y}
        row.update({k: float(runs[f"y{y}.{k}"].mean()) for k in REACH_KEYS})
        eligible = row["with_threshold_episode"]
        row["share_of_eligible_reached"] = (
            row["reached_with_threshold_episode"] / eligible if eligible > 0 else math.nan
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=["year", *REACH_KEYS, "share_of_eligible_reached"])


def mean_outcomes(runs: pd.DataFrame) -> pd.DataFrame:
    """Expected outcomes among programme patients per year: the mean over the draws."""
    names = [name for name, _, _ in OUTCOMES]
    rows = [
        {"year": y, **{k: float(runs[f"y{y}.{k}"].mean()) for k in names}} for y in years_of(runs)
    ]
    return pd.DataFrame(rows, columns=["year", *names])


def mean_budget(runs: pd.DataFrame, template: pd.DataFrame) -> pd.DataFrame:
    """Expected budget by year: each line's mean over the draws (``template``: its layout).

    Means are linear, so the expected lines still add up to the expected totals and nets, and
    the years' nets to the overall net; the funding gap row is the gap of the expected budget,
    ``max(0, -expected net without grant)`` per year.
    """
    frame = template[["section", "line", "label"]].copy()
    years = years_of(runs)
    for y in years:
        frame[f"year_{y}"] = [float(runs[f"y{y}.budget.{line}"].mean()) for line in frame["line"]]
    cols = [f"year_{y}" for y in years]
    gap = frame["line"] == "funding_gap_without_grant"
    without = frame.loc[frame["line"] == "net_without_grant", cols].to_numpy(float)
    frame.loc[gap, cols] = np.maximum(0.0, -without)
    frame["total"] = frame[cols].sum(axis=1)
    return frame


def bands(runs: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean and quantiles (:data:`BAND_QUANTILES`) of each metric over the draws.

    NaN values (e.g. a break-even that never happens) are left out of a metric's statistics;
    ``n`` counts the draws with a value.
    """
    columns = list(columns if columns is not None else runs.columns)
    records = []
    for c in columns:
        x = runs[c].to_numpy(float)
        x = x[np.isfinite(x)]
        rec: dict[str, Any] = {"metric": c, "n": int(x.size)}
        rec["mean"] = float(x.mean()) if x.size else math.nan
        for name, q in BAND_QUANTILES.items():
            rec[name] = float(np.quantile(x, q)) if x.size else math.nan
        records.append(rec)
    return pd.DataFrame.from_records(records, columns=["metric", "n", "mean", *BAND_QUANTILES])


def sustainability_curve(runs: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """P(self-sustaining without grant money by month m), m = 1 ... horizon.

    Self-sustaining from month m: the monthly net without grant money is >= 0 from m for at least
    three consecutive months (``break_even_month_without_grant``); a draw that never gets there
    counts as not self-sustaining in any month.
    """
    months = np.arange(1, horizon + 1)
    be = runs["break_even_month_without_grant"].to_numpy(float)
    n = max(len(be), 1)
    prob = [(np.isfinite(be) & (be <= m)).sum() / n for m in months]
    return pd.DataFrame({"month": months, "probability_self_sustaining": prob})


# --------------------------------------------------------------------------- assumptions


def changed_parameters(scenario: Scenario) -> list[str]:
    """Declared parameters whose value in the scenario differs from the declared default."""
    base = defaults()
    out = []
    for p in PARAMETERS:
        value = scenario.get(p.path)
        default = base.get(p.path, p.default)
        if isinstance(value, float) or isinstance(default, float):
            same = math.isclose(float(value), float(default), rel_tol=1e-12, abs_tol=0.0)
        else:
            same = value == default
        if not same:
            out.append(p.path)
    return out


def assumptions_table(scenario: Scenario) -> pd.DataFrame:
    """Every parameter that differs from its declared default: value, default, unit, source."""
    from intsim.analysis import figures as fg  # noqa: PLC0415 (labels only; no matplotlib import)

    by_path = {p.path: p for p in PARAMETERS}
    base = defaults()
    rows = []
    for path in changed_parameters(scenario):
        p = by_path[path]
        rows.append(
            {
                "parameter": fg.param_name(path),
                "path": path,
                "value": scenario.get(path),
                "default": base.get(path, p.default),
                "unit": p.unit,
                "source": p.source,
            }
        )
    return pd.DataFrame(rows, columns=["parameter", "path", "value", "default", "unit", "source"])
