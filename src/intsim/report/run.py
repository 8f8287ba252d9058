"""Figures and printed tables of a run.

Figures follow the house style of :mod:`intsim.analysis.figures` (Okabe–Ito palette, 300 dpi PNG
plus SVG, human labels); they are drawn with matplotlib's non-interactive Agg backend, so they work
without a display.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim.analysis import figures as fg

#: Colours of the roles in the workforce figure.
ROLE_COLOURS: dict[str, str] = {
    "cm": fg.PALETTE["blue"],
    "bhc": fg.PALETTE["orange"],
    "psych": fg.PALETTE["green"],
    "pcp": fg.GREY,
}


def _title(what: str, title: str) -> str:
    return f"{what}: {fg.display_name(title)}" if title else what


def _month_axis(ax: Any) -> None:
    ax.set_xlabel("Month")
    fg.format_axis(ax.xaxis, "month")


def plot_patient_flow(monthly: pd.DataFrame, path: Path, title: str = "") -> tuple[Path, ...]:
    """Patient flow by month: who is in care and waiting (top), monthly events (bottom)."""
    plt = fg.pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 8), sharex=True)
    m = monthly["month"]
    top.stackplot(
        m,
        monthly["active_cocm"],
        monthly["active_pcbh"],
        monthly["in_usual_care_treatment"],
        labels=["In CoCM", "In a PCBH episode", "In usual-care treatment"],
        colors=[fg.PALETTE["blue"], fg.PALETTE["orange"], fg.PALETTE["sky"]],
        alpha=0.85,
    )
    top.plot(m, monthly["waitlist"], color="black", lw=1.5, ls="--", label="Waiting")
    top.plot(
        m,
        monthly["bh_prevalent"],
        color=fg.PALETTE["vermillion"],
        lw=1.4,
        label="In a threshold episode",
    )
    top.set_ylabel("Patients")
    fg.format_axis(top.yaxis, "patients")
    top.set_title("Patients in care, waiting and in a threshold episode", loc="left", fontsize=10)
    fg.legend_right(top)
    for col, label in (
        ("detected", "Newly detected"),
        ("enrolled_new", "New CoCM or PCBH starts"),
        ("responders", "Improved (response)"),
        ("remissions", "Remissions"),
        ("relapses", "Relapses"),
        ("dropouts", "CoCM dropouts"),
    ):
        bottom.plot(m, monthly[col], lw=1.4, label=label)
    bottom.set_ylabel("Patients per month")
    fg.format_axis(bottom.yaxis, "patients")
    bottom.set_title("Monthly events", loc="left", fontsize=10)
    _month_axis(bottom)
    fg.legend_right(bottom)
    fig.suptitle(_title("Patient flow", title))
    return fg.save(fig, path)


def plot_capacity(monthly: pd.DataFrame, path: Path, title: str = "") -> tuple[Path, ...]:
    """Capacity use by month: utilization of PCPs, care managers and BHCs."""
    plt = fg.pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    m = monthly["month"]
    for col, label in (
        ("pcp_utilization", "PCP visit slots"),
        ("cm_utilization", "Care-manager minutes"),
        ("bhc_utilization", "BHC visit slots"),
    ):
        if monthly[col].any():
            ax.plot(m, 100 * monthly[col], lw=1.7, label=label)
    ax.axhline(100, color=fg.GREY, lw=0.8)
    ax.set_ylim(0, 110)
    ax.set_ylabel("Capacity used (%)")
    fg.format_axis(ax.yaxis, "%")
    _month_axis(ax)
    ax.set_title(_title("Capacity use", title))
    fg.legend_below(ax, ncols=3)
    return fg.save(fig, path)


def plot_workforce(monthly: pd.DataFrame, path: Path, title: str = "") -> tuple[Path, ...]:
    """Effective FTE by role (top), vacant positions (middle), mean burnout by role (bottom)."""
    plt = fg.pyplot()
    fig, (top, middle, bottom) = plt.subplots(
        3, 1, figsize=(9, 8), sharex=True, gridspec_kw={"height_ratios": [3, 2, 2]}
    )
    m = monthly["month"].to_numpy()
    roles = (
        ("cm", "Care managers"),
        ("bhc", "BHCs"),
        ("psych", "Psychiatric consultant"),
        ("pcp", "PCPs"),
    )
    stacked = np.zeros(len(m))
    for role, label in roles:
        colour = ROLE_COLOURS[role]
        if role != "pcp" and monthly[f"effective_fte_{role}"].any():
            top.plot(m, monthly[f"effective_fte_{role}"], lw=1.7, color=colour, label=label)
        vac = monthly[f"vacancies_{role}"].to_numpy(float)
        if vac.any():
            middle.bar(m, vac, bottom=stacked, color=colour, width=0.9, label=label)
            stacked += vac
        if monthly[f"burnout_{role}"].any():
            bottom.plot(m, monthly[f"burnout_{role}"], lw=1.4, color=colour, label=label)
    top.set_ylabel("Effective FTE")
    top.set_title("Effective staff by role", loc="left", fontsize=10)
    middle.set_ylabel("Vacant positions")
    fg.format_axis(middle.yaxis, "positions")
    middle.set_title("Vacancies", loc="left", fontsize=10)
    bottom.set_ylabel("Mean burnout (0–1)")
    bottom.set_ylim(0, 1.05)
    bottom.set_title("Burnout", loc="left", fontsize=10)
    _month_axis(bottom)
    for ax in (top, middle, bottom):
        fg.legend_right(ax)
    fig.suptitle(_title("Workforce", title))
    return fg.save(fig, path)


def go_live_months(monthly: pd.DataFrame) -> list[int]:
    """Months in which a rollout phase goes live (``phases_live`` rises; 0 before month 1)."""
    if "phases_live" not in monthly:
        return []
    live = monthly["phases_live"].to_numpy(float)
    rises = np.diff(live, prepend=0.0) > 0
    return [int(x) for x in monthly.loc[rises, "month"]]


def grant_months(monthly: pd.DataFrame) -> tuple[int, int] | None:
    """First and last month with grant money in the revenue (``None`` without a grant)."""
    if "revenue_grant" not in monthly:
        return None
    paid = monthly.loc[monthly["revenue_grant"] > 0, "month"]
    return (int(paid.min()), int(paid.max())) if len(paid) else None


def _mark_events(axes: Any, monthly: pd.DataFrame) -> None:
    """Vertical lines at rollout go-live months and at the first and last month of grant money."""
    for k, month in enumerate(go_live_months(monthly)):
        for ax in axes:
            ax.axvline(
                month,
                color="black",
                lw=1.0,
                ls=":",
                label="Rollout phase goes live" if k == 0 and ax is axes[0] else None,
            )
    grant = grant_months(monthly)
    if grant is not None:
        for ax in axes:
            first = ax is axes[0]
            ax.axvline(
                grant[0] - 0.5,
                color=fg.PALETTE["orange"],
                lw=1.2,
                ls="--",
                label="First month of grant money" if first else None,
            )
            ax.axvline(
                grant[1] + 0.5,
                color=fg.PALETTE["orange"],
                lw=1.2,
                ls="-.",
                label="Last month of grant money" if first else None,
            )


def plot_cash_flow(monthly: pd.DataFrame, path: Path, title: str = "") -> tuple[Path, ...]:
    """Monthly revenue (grant money apart), cost and net; cumulative net with and without grant.

    Vertical lines mark the months rollout phases go live and the first and last month of grant
    money (both read from the monthly record).
    """
    plt = fg.pyplot()
    fig, (top, middle, bottom) = plt.subplots(
        3, 1, figsize=(9, 9.5), sharex=True, gridspec_kw={"height_ratios": [3, 2, 3]}
    )
    m = monthly["month"].to_numpy()
    grant = (
        monthly["revenue_grant"].to_numpy(float) if "revenue_grant" in monthly else np.zeros(len(m))
    )
    revenue = monthly["revenue_total"].to_numpy(float)
    earned = revenue - grant
    top.fill_between(
        m, 0, earned, step="mid", color=fg.PALETTE["blue"], alpha=0.35, label="Revenue excl. grant"
    )
    if grant.any():
        top.fill_between(
            m,
            earned,
            revenue,
            step="mid",
            color=fg.PALETTE["orange"],
            alpha=0.55,
            hatch="//",
            label="Grant money",
        )
    top.step(
        m,
        monthly["cost_total"],
        where="mid",
        color=fg.PALETTE["vermillion"],
        lw=1.7,
        label="Operating cost",
    )
    top.set_ylabel("USD per month")
    top.set_title("Revenue by kind and operating cost", loc="left", fontsize=10)
    net = monthly["net"].to_numpy(float)
    middle.bar(
        m,
        net,
        color=[fg.PALETTE["green"] if v >= 0 else fg.PALETTE["vermillion"] for v in net],
        alpha=0.6,
        width=0.9,
        label="Net (green ≥ 0, red < 0)",
    )
    if grant.any():
        middle.step(
            m,
            net - grant,
            where="mid",
            color="black",
            lw=1.2,
            ls="--",
            label="Net without grant money",
        )
    middle.axhline(0, color=fg.GREY, lw=0.8)
    middle.set_ylabel("USD per month")
    middle.set_title("Monthly net (revenue − operating cost)", loc="left", fontsize=10)
    bottom.plot(m, monthly["cumulative_net"], lw=1.9, label="Cumulative net (accrual)")
    bottom.plot(m, monthly["cumulative_cash"], lw=1.4, ls="--", label="Cash position")
    if grant.any():
        bottom.plot(
            m,
            monthly["cumulative_net"].to_numpy(float) - np.cumsum(grant),
            lw=1.4,
            ls=":",
            color="black",
            label="Cumulative net without grant money",
        )
    bottom.axhline(0, color=fg.GREY, lw=0.8)
    bottom.set_ylabel("USD, incl. startup")
    bottom.set_title("Cumulative position, startup cost included", loc="left", fontsize=10)
    _month_axis(bottom)
    _mark_events((top, middle, bottom), monthly)
    for ax in (top, middle, bottom):
        fg.format_axis(ax.yaxis, "USD")
        fg.legend_right(ax)
    fig.suptitle(_title("Cash flow", title))
    return fg.save(fig, path)


#: Revenue lines by payer (the revenue mix shows revenue by source instead).
_PAYER_REVENUE = tuple(
    f"revenue_{p}" for p in ("medicare", "medicaid", "commercial", "dual", "uninsured")
)


def plot_revenue_mix(monthly: pd.DataFrame, path: Path, title: str = "") -> tuple[Path, ...]:
    """Revenue by source per year (stacked bars; grant money hatched, on top)."""
    plt = fg.pyplot()
    lines = [
        c
        for c in monthly.columns
        if c.startswith("revenue_") and c not in ("revenue_total", *_PAYER_REVENUE)
    ]
    lines = [c for c in lines if c != "revenue_grant"] + (
        ["revenue_grant"] if "revenue_grant" in lines else []
    )
    year = (monthly["month"] - 1) // 12 + 1
    by_year = monthly[lines].groupby(year).sum()
    by_year = by_year.loc[:, by_year.sum() > 0]
    fig, ax = plt.subplots(figsize=(9, 4.8))
    bottom = None
    colours = iter(fg.COLOURS * 3)
    for col in by_year.columns:
        is_grant = col == "revenue_grant"
        ax.bar(
            by_year.index,
            by_year[col],
            bottom=bottom,
            color=fg.PALETTE["orange"] if is_grant else next(colours),
            hatch="//" if is_grant else None,
            edgecolor="white",
            label="Grant money" if is_grant else fg.display_name(col.removeprefix("revenue_")),
        )
        bottom = by_year[col] if bottom is None else bottom + by_year[col]
    ax.set_xlabel("Year of the simulation")
    ax.set_xticks(list(by_year.index))
    ax.set_ylabel("Revenue (USD per year)")
    fg.format_axis(ax.yaxis, "USD")
    ax.grid(False, axis="x")
    ax.set_title(_title("Revenue by source and year", title))
    fg.legend_right(ax)
    return fg.save(fig, path)


def save_run_figures(monthly: pd.DataFrame, out_dir: Path, title: str = "") -> list[Path]:
    """Draw the standard figures of a run into ``out_dir`` (PNG and SVG); return their paths."""
    paths: list[Path] = []
    paths += plot_patient_flow(monthly, out_dir / "patient_flow.png", title)
    paths += plot_capacity(monthly, out_dir / "capacity.png", title)
    if "effective_fte_cm" in monthly:
        paths += plot_workforce(monthly, out_dir / "workforce.png", title)
    if "revenue_total" in monthly:
        paths += plot_cash_flow(monthly, out_dir / "cash_flow.png", title)
        paths += plot_revenue_mix(monthly, out_dir / "revenue_mix.png", title)
    return paths


SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("care_model", "Care model", "s"),
    ("months", "Months simulated", "d"),
    ("panel_size_end", "Panel size at end", ",d"),
    ("screened", "Screenings", ",d"),
    ("detected", "Newly detected threshold episodes", ",d"),
    ("patients_served", "Patients served by CoCM or PCBH", ",d"),
    ("cocm_enrolments", "CoCM enrolments", ",d"),
    ("pcbh_episodes", "PCBH episodes", ",d"),
    ("responders", "Improvements (response), whole panel", ",d"),
    ("remissions", "Remissions, whole panel", ",d"),
    ("relapses", "Relapses, whole panel", ",d"),
    ("mean_bh_prevalence", "Mean threshold prevalence", ".1%"),
    ("mean_active_cocm", "Mean CoCM caseload", ",.0f"),
    ("mean_waitlist", "Mean waiting (CoCM + BHC)", ",.0f"),
    ("cocm_mean_wait_weeks", "Mean wait for CoCM (weeks)", ".1f"),
    ("bhc_mean_wait_weeks", "Mean wait for a BHC episode (weeks)", ".1f"),
    ("mean_cm_utilization", "Care-manager time used", ".0%"),
    ("cm_caseload_per_fte", "CoCM caseload per care-manager FTE", ",.0f"),
    ("cm_minutes_per_patient_month", "Care-manager minutes per patient-month", ",.0f"),
    ("psych_hours_used_share", "Psychiatric consultant hours used", ".0%"),
    ("bhc_visits_per_fte_day", "BHC visits per FTE-day", ".1f"),
    ("cocm_enrolled_share_of_eligible", "CoCM enrolments per eligible patient", ".0%"),
    ("mean_bhc_utilization", "BHC slots used", ".0%"),
    ("mean_pcp_utilization", "PCP visit slots used", ".0%"),
    ("staff_departures", "Programme staff departures", ",d"),
    ("staff_vacancy_months", "Vacancy-months (programme staff)", ",d"),
    ("mean_burnout", "Mean burnout (0-1)", ".2f"),
    ("last_go_live_month", "Go-live month of the last phase live", "d"),
    ("ed_visits_per_100py", "ED visits per 100 person-years", ".1f"),
    ("admissions_per_100py", "Admissions per 100 person-years", ".1f"),
    ("programme_end_month", "Programme takes no new patients after month", "d"),
    ("programme_wind_down_months", "Months of wind-down after the end", "d"),
    ("cohort_size", "Cohort members at month 1", ",d"),
    ("cohort_depression_free_days_per_member", "Cohort depression-free days per member", ",.1f"),
    ("cohort_responders_end", "Cohort responders in the last month", ",d"),
)
#: Rows shown only when the programme stops (``rollout.end_month``).
_END_ROWS = frozenset({"programme_end_month", "programme_wind_down_months"})


MONEY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("total_revenue", "Revenue (USD)", ",.0f"),
    ("total_cost", "Cost incl. startup (USD)", ",.0f"),
    ("startup_cost", "  of which startup (USD)", ",.0f"),
    ("net", "Net (USD)", ",.0f"),
    ("net_margin_pct", "Net margin (%)", ".1f"),
    ("break_even_month", "Break-even month (net >= 0 for 3 months)", "d"),
    ("payback_month", "Payback month (cumulative incl. startup)", "d"),
    ("cash_trough", "Cash trough (USD)", ",.0f"),
    ("cash_trough_month", "Cash trough month", "d"),
    ("npv", "NPV (USD)", ",.0f"),
    ("roi", "ROI", ".2f"),
    ("cost_per_patient_served", "Cost per patient served (USD)", ",.0f"),
    ("incremental_responders", "Responders beyond usual care", ",d"),
    ("cost_per_responder", "Cost per incremental responder (USD)", ",.0f"),
    ("billable_share_cm_time", "Care-manager time billed", ".0%"),
    ("billable_share_bhi_time", "BHC care-management time billed (general BHI)", ".0%"),
    ("revenue_per_cocm_patient_month", "Revenue per CoCM patient-month (USD)", ",.2f"),
    ("revenue_per_pcbh_episode_month", "Revenue per PCBH episode-month (USD)", ",.2f"),
    ("grant_awarded", "Grant awarded (USD)", ",.0f"),
    ("grant_drawn", "Grant drawn within the horizon (USD)", ",.0f"),
    ("break_even_month_without_grant", "Break-even month without grant money", "d"),
    ("funding_gap_after_grant_per_year", "Funding gap after the grant (USD/yr)", ",.0f"),
)
PAYER_ROWS: tuple[tuple[str, str, str], ...] = (
    ("tcoc_pmpm", "Payer: total cost of care PMPM (USD)", ",.2f"),
    ("tcoc_pmpm_change", "Payer: PMPM change vs usual care (USD)", "+,.2f"),
    ("payer_net_savings", "Payer: net savings vs usual care (USD)", ",.0f"),
    ("ed_visits_avoided", "ED visits avoided", ",d"),
    ("admissions_avoided", "Admissions avoided", ",d"),
)


def _format(value: Any, fmt: str) -> str:
    if value is None:
        return "never" if fmt == "d" else "n/a"
    return format(value, fmt)


def summary_table(summary: dict[str, Any]) -> str:
    """Format the headline clinical, sustainability and payer outcomes as a text table."""
    rows = []
    stops = summary.get("programme_end_month") is not None
    for key, label, fmt in SUMMARY_ROWS:
        if key in summary and (stops or key not in _END_ROWS):
            rows.append((label, _format(summary[key], fmt)))
    if summary.get("total_cost") or summary.get("total_revenue"):
        rows.append(("", ""))
        has_grant = summary.get("revenue_by_line", {}).get("revenue_grant", 0.0) > 0
        grant_keys = (
            "grant_awarded",
            "grant_drawn",
            "break_even_month_without_grant",
            "funding_gap_after_grant_per_year",
        )
        for key, label, fmt in MONEY_ROWS:
            if key in summary and (has_grant or key not in grant_keys):
                rows.append((label, _format(summary[key], fmt)))
    payer = summary.get("payer", {})
    if "tcoc_pmpm_change" in payer:
        rows.append(("", ""))
        for key, label, fmt in PAYER_ROWS:
            if key in payer:
                rows.append((label, _format(payer[key], fmt)))
    width = max(len(label) for label, _ in rows)
    vwidth = max(len(v) for _, v in rows)
    line = "-" * (width + vwidth + 3)
    out = [line] + [f"{label:<{width}}   {value:>{vwidth}}" for label, value in rows] + [line]
    return "\n".join(out)


#: Printed columns of the budget by year: (key, heading).
BUDGET_PRINT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("revenue", "Revenue"),
    ("grant", "of which grant"),
    ("startup", "Startup"),
    ("operating_cost", "Operating cost"),
    ("net", "Net"),
    ("gap_without_grant", "Gap w/o grant"),
)


def budget_table(summary: dict[str, Any]) -> str:
    """The budget by programme year (USD) as a text table; ``""`` when the run has none.

    Year nets add up to the run's net (startup is counted in year 1); "Gap w/o grant" is what
    the year would lack without grant money (0 when it pays for itself).
    """
    rows = summary.get("budget_by_year") or []
    if not rows:
        return ""
    width = 15
    head = f"{'Year':<6}" + "".join(f"{h:>{width}}" for _, h in BUDGET_PRINT_COLUMNS)
    lines = ["Budget by year (USD; startup in year 1; year nets add up to the net)", head]
    for row in rows:
        cells = "".join(f"{round(row.get(k, 0.0)):>{width},}" for k, _ in BUDGET_PRINT_COLUMNS)
        lines.append(f"{row['year']:<6}{cells}")
    return "\n".join(lines)
