"""Figures and printed tables of a run.

Figures are drawn with matplotlib's non-interactive Agg backend, so they work without a display.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

FIGURE_DPI = 130


def plot_patient_flow(monthly: pd.DataFrame, path: Path, title: str = "") -> None:
    """Patient flow by month: who is in care and waiting (top), monthly events (bottom)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    m = monthly["month"]
    top.stackplot(
        m,
        monthly["active_cocm"],
        monthly["active_pcbh"],
        monthly["in_usual_care_treatment"],
        labels=["CoCM caseload", "PCBH episodes", "usual-care treatment"],
        alpha=0.85,
    )
    top.plot(m, monthly["waitlist"], color="black", lw=1.5, ls="--", label="waiting")
    top.plot(m, monthly["bh_prevalent"], color="firebrick", lw=1.2, label="threshold episodes")
    top.set_ylabel("patients")
    top.legend(loc="upper left", fontsize=8, ncols=2)
    top.set_title(f"Patient flow{': ' + title if title else ''}")
    for col, label in (
        ("detected", "newly detected"),
        ("enrolled_new", "new CoCM/PCBH starts"),
        ("responders", "improved (response)"),
        ("remissions", "remissions"),
        ("relapses", "relapses"),
        ("dropouts", "CoCM dropouts"),
    ):
        bottom.plot(m, monthly[col], lw=1.4, label=label)
    bottom.set_ylabel("patients per month")
    bottom.set_xlabel("month")
    bottom.legend(loc="upper right", fontsize=8, ncols=2)
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def plot_capacity(monthly: pd.DataFrame, path: Path, title: str = "") -> None:
    """Capacity use by month: utilization of PCPs, care managers and BHCs."""
    fig, ax = plt.subplots(figsize=(9, 4))
    m = monthly["month"]
    for col, label in (
        ("pcp_utilization", "PCP visit slots"),
        ("cm_utilization", "care-manager minutes"),
        ("bhc_utilization", "BHC visit slots"),
    ):
        if monthly[col].any():
            ax.plot(m, 100 * monthly[col], lw=1.6, label=label)
    ax.axhline(100, color="grey", lw=0.8)
    ax.set_ylim(0, 110)
    ax.set_ylabel("% of capacity used")
    ax.set_xlabel("month")
    ax.set_title(f"Capacity use{': ' + title if title else ''}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


#: Colours of the roles in the workforce figure.
ROLE_COLOURS: dict[str, str] = {"cm": "C0", "bhc": "C1", "psych": "C2", "pcp": "grey"}


def plot_workforce(monthly: pd.DataFrame, path: Path, title: str = "") -> None:
    """Effective FTE by role (top), vacant positions (middle), mean burnout by role (bottom)."""
    fig, (top, middle, bottom) = plt.subplots(
        3, 1, figsize=(9, 7.5), sharex=True, gridspec_kw={"height_ratios": [3, 2, 2]}
    )
    m = monthly["month"].to_numpy()
    roles = (
        ("cm", "care managers"),
        ("bhc", "BHCs"),
        ("psych", "psychiatric consultant"),
        ("pcp", "PCPs"),
    )
    stacked = np.zeros(len(m))
    for role, label in roles:
        colour = ROLE_COLOURS[role]
        if role != "pcp" and monthly[f"effective_fte_{role}"].any():
            top.plot(m, monthly[f"effective_fte_{role}"], lw=1.6, color=colour, label=label)
        vac = monthly[f"vacancies_{role}"].to_numpy(float)
        if vac.any():
            middle.bar(m, vac, bottom=stacked, color=colour, width=0.9, label=label)
            stacked += vac
        if monthly[f"burnout_{role}"].any():
            bottom.plot(m, monthly[f"burnout_{role}"], lw=1.4, color=colour, label=label)
    top.set_ylabel("effective FTE")
    top.set_title(f"Workforce{': ' + title if title else ''}")
    middle.set_ylabel("vacant positions")
    bottom.set_ylabel("mean burnout (0-1)")
    bottom.set_ylim(0, 1.05)
    bottom.set_xlabel("month")
    for ax in (top, middle, bottom):
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def plot_cash_flow(monthly: pd.DataFrame, path: Path, title: str = "") -> None:
    """Monthly revenue, cost and net (top); cumulative net and cash position (bottom)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    m = monthly["month"]
    top.plot(m, monthly["revenue_total"] / 1e3, lw=1.6, label="revenue")
    top.plot(m, monthly["cost_total"] / 1e3, lw=1.6, label="operating cost")
    top.bar(
        m,
        monthly["net"] / 1e3,
        color=["tab:green" if v >= 0 else "tab:red" for v in monthly["net"]],
        alpha=0.4,
        label="net",
    )
    top.axhline(0, color="grey", lw=0.8)
    top.set_ylabel("thousand USD per month")
    top.set_title(f"Cash flow{': ' + title if title else ''}")
    top.legend(loc="upper left", fontsize=8)
    bottom.plot(m, monthly["cumulative_net"] / 1e3, lw=1.8, label="cumulative net (accrual)")
    bottom.plot(m, monthly["cumulative_cash"] / 1e3, lw=1.4, ls="--", label="cash position")
    bottom.axhline(0, color="grey", lw=0.8)
    bottom.set_ylabel("thousand USD (incl. startup)")
    bottom.set_xlabel("month")
    bottom.legend(loc="lower right", fontsize=8)
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def plot_revenue_mix(monthly: pd.DataFrame, path: Path, title: str = "") -> None:
    """Revenue by source per year (stacked bars)."""
    lines = [
        c
        for c in monthly.columns
        if c.startswith("revenue_")
        and c
        not in (
            "revenue_total",
            *(f"revenue_{p}" for p in ("medicare", "medicaid", "commercial", "dual", "uninsured")),
        )
    ]
    year = (monthly["month"] - 1) // 12 + 1
    by_year = monthly[lines].groupby(year).sum() / 1e3
    by_year = by_year.loc[:, by_year.sum() > 0]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = None
    for col in by_year.columns:
        ax.bar(
            by_year.index,
            by_year[col],
            bottom=bottom,
            label=col.removeprefix("revenue_").replace("_", " "),
        )
        bottom = by_year[col] if bottom is None else bottom + by_year[col]
    ax.set_xlabel("year")
    ax.set_ylabel("thousand USD")
    ax.set_title(f"Revenue mix{': ' + title if title else ''}")
    if len(by_year.columns):
        ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def save_run_figures(monthly: pd.DataFrame, out_dir: Path, title: str = "") -> list[Path]:
    """Draw the standard figures of a run into ``out_dir``; return their paths."""
    paths = [out_dir / "patient_flow.png", out_dir / "capacity.png"]
    plot_patient_flow(monthly, paths[0], title)
    plot_capacity(monthly, paths[1], title)
    if "effective_fte_cm" in monthly:
        paths.append(out_dir / "workforce.png")
        plot_workforce(monthly, paths[-1], title)
    if "revenue_total" in monthly:
        paths += [out_dir / "cash_flow.png", out_dir / "revenue_mix.png"]
        plot_cash_flow(monthly, paths[-2], title)
        plot_revenue_mix(monthly, paths[-1], title)
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
