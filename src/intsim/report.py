"""Figures and printed tables of a run.

Figures are drawn with matplotlib's non-interactive Agg backend, so they work without a display.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")
import matplotlib.pyplot as plt
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


def save_run_figures(monthly: pd.DataFrame, out_dir: Path, title: str = "") -> list[Path]:
    """Draw the standard figures of a run into ``out_dir``; return their paths."""
    paths = [out_dir / "patient_flow.png", out_dir / "capacity.png"]
    plot_patient_flow(monthly, paths[0], title)
    plot_capacity(monthly, paths[1], title)
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
    ("responders", "Improvements (response)", ",d"),
    ("remissions", "Remissions", ",d"),
    ("relapses", "Relapses", ",d"),
    ("mean_bh_prevalence", "Mean threshold prevalence", ".1%"),
    ("mean_active_cocm", "Mean CoCM caseload", ",.0f"),
    ("mean_waitlist", "Mean waiting (CoCM + BHC)", ",.0f"),
    ("mean_cm_utilization", "Care-manager time used", ".0%"),
    ("mean_bhc_utilization", "BHC slots used", ".0%"),
    ("mean_pcp_utilization", "PCP visit slots used", ".0%"),
    ("ed_visits_per_100py", "ED visits per 100 person-years", ".1f"),
    ("admissions_per_100py", "Admissions per 100 person-years", ".1f"),
)


def summary_table(summary: dict[str, Any]) -> str:
    """Format the headline outcomes as a two-column text table."""
    rows = []
    for key, label, fmt in SUMMARY_ROWS:
        if key in summary:
            rows.append((label, format(summary[key], fmt)))
    width = max(len(label) for label, _ in rows)
    vwidth = max(len(v) for _, v in rows)
    line = "-" * (width + vwidth + 3)
    out = [line] + [f"{label:<{width}}   {value:>{vwidth}}" for label, value in rows] + [line]
    return "\n".join(out)
