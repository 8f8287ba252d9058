"""The Excel pro forma of the grant report (``grant_report.xlsx``).

Sheets: **Inputs** (the organisation, programme, grant and run settings, then every parameter
that differs from its declared default), **Budget by year** (the central run's lines as values;
total revenue, total cost, net, net without grant money, the funding gap and the all-years
column are live formulas, so a grant writer can change a line and see its effect), **Reach**
and **Outcomes** (values), **Uncertainty** (Monte Carlo mean and 80% / 95% bands of every
metric) and **Sources** (where each assumption and each sampled distribution comes from).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from intsim.params import PARAMS_BY_PATH
from intsim.report import workbook as wbk

if TYPE_CHECKING:
    from intsim.report.grant_runs import GrantReport

BUDGET_SHEET = "Budget by year"
#: Budget rows whose values are formulas (the others are the simulated values).
FORMULA_LINES = (
    "revenue_total",
    "cost_total",
    "net",
    "net_without_grant",
    "funding_gap_without_grant",
)


def _inputs_sheet(wb: Any, report: GrantReport) -> Worksheet:
    sc = report.scenario
    v = sc.values
    facts = [
        ("Scenario", sc.name),
        ("Description", getattr(sc, "description", "") or ""),
        ("Care model", v.care_model),
        ("Patients (panel at start)", v.population.n_patients),
        ("Primary care providers", v.staffing.n_pcps),
        ("Care-manager FTE", v.staffing.care_manager_fte),
        ("BHC FTE", v.staffing.bhc_fte),
        ("Psychiatric consultant hours per week", v.staffing.psychiatric_consultant_hours_per_week),
        ("Grant per year (USD)", v.grants.annual_amount),
        ("Grant start month", v.grants.start_month),
        ("Grant duration (months)", v.grants.duration_months),
        ("Horizon (months)", v.simulation.months),
        ("Seed of the central run", report.seed),
        ("Monte Carlo draws", report.runs),
    ]
    ws = wb.create_sheet("Inputs")
    ws.cell(row=1, column=1, value="Inputs of this report").font = Font(bold=True)
    for i, (name, value) in enumerate(facts, start=2):
        ws.cell(row=i, column=1, value=name)
        ws.cell(row=i, column=2, value=value)
    row = len(facts) + 3
    ws.cell(
        row=row, column=1, value="Parameters that differ from their declared defaults"
    ).font = Font(bold=True)
    cols = ["parameter", "path", "value", "default", "unit"]
    for j, c in enumerate(cols, start=1):
        ws.cell(row=row + 1, column=j, value=c.capitalize()).font = wbk.HEADER_FONT
    for i, rec in enumerate(report.assumptions[cols].to_dict("records"), start=row + 2):
        for j, c in enumerate(cols, start=1):
            value = rec[c]
            ws.cell(
                row=i, column=j, value=value if isinstance(value, int | float | str) else str(value)
            )
    wbk.autosize(ws)
    return ws


def _budget_sheet(wb: Any, report: GrantReport) -> Worksheet:
    """The budget with live formulas (see :data:`FORMULA_LINES`)."""
    ws = wb.create_sheet(BUDGET_SHEET)
    ws.cell(
        row=1,
        column=1,
        value="Expected budget (mean of the Monte Carlo draws), USD. Change any line: totals, "
        "net and the funding gap recompute.",
    ).font = Font(italic=True)
    budget = report.budget
    years = [c for c in budget.columns if c.startswith("year_")]
    header = [
        "Line",
        *[report.year_label(int(c.removeprefix("year_"))) for c in years],
        "All years",
    ]
    for j, name in enumerate(header, start=1):
        cell = ws.cell(row=3, column=j, value=name)
        cell.font, cell.fill = wbk.HEADER_FONT, wbk.HEADER_FILL
    first_col, last_col = 2, 1 + len(years)
    total_col = last_col + 1
    row_of: dict[str, int] = {}
    r = 4
    for section, title in (("revenue", "Revenue"), ("cost", "Cost")):
        ws.cell(row=r, column=1, value=title).font = Font(bold=True)
        r += 1
        lines = budget[budget["section"] == section]
        start = r
        for rec in lines.to_dict("records"):
            if rec["line"] in FORMULA_LINES:
                continue
            _value_row(ws, r, rec["label"], [rec[c] for c in years], first_col, total_col)
            row_of[rec["line"]] = r
            r += 1
        end = r - 1
        key = f"{section}_total"
        label = "Total revenue" if section == "revenue" else "Total cost"
        ws.cell(row=r, column=1, value=label).font = Font(bold=True)
        for j in range(first_col, total_col + 1):
            letter = wbk.column_letter(j)
            ws.cell(row=r, column=j, value=f"=SUM({letter}{start}:{letter}{end})")
        row_of[key] = r
        r += 2
    results = (
        ("net", "Net (revenue minus cost)", "={c}{rev}-{c}{cost}"),
        ("net_without_grant", "Net without grant money", "={c}{net}-{c}{grant}"),
        ("funding_gap_without_grant", "Funding gap without the grant", "=MAX(0,-{c}{nwg})"),
    )
    for key, label, template in results:
        ws.cell(row=r, column=1, value=label).font = Font(bold=True)
        row_of[key] = r
        for j in range(first_col, total_col + 1):
            c = wbk.column_letter(j)
            formula = template.format(
                c=c,
                rev=row_of["revenue_total"],
                cost=row_of["cost_total"],
                net=row_of.get("net", 0),
                grant=row_of["revenue_grant"],
                nwg=row_of.get("net_without_grant", 0),
            )
            if key == "funding_gap_without_grant" and j == total_col:
                # over all years the gap is the sum of the years' gaps
                a, b = wbk.column_letter(first_col), wbk.column_letter(last_col)
                formula = f"=SUM({a}{r}:{b}{r})"
            ws.cell(row=r, column=j, value=formula)
        r += 1
    for row in ws.iter_rows(min_row=4, min_col=2, max_col=total_col):
        for cell in row:
            cell.number_format = wbk.NUMBER_FORMATS["usd"]
    wbk.autosize(ws)
    ws.column_dimensions["A"].width = 42
    for j in range(first_col, total_col + 1):
        ws.column_dimensions[wbk.column_letter(j)].width = 14
    ws.freeze_panes = ws.cell(row=4, column=2)
    return ws


def _value_row(
    ws: Worksheet, r: int, label: str, values: list[float], first_col: int, total_col: int
) -> None:
    """A budget line: its yearly values and an all-years ``=SUM`` across them."""
    ws.cell(row=r, column=1, value=label)
    for j, value in enumerate(values, start=first_col):
        ws.cell(row=r, column=j, value=float(value))
    a, b = wbk.column_letter(first_col), wbk.column_letter(total_col - 1)
    ws.cell(row=r, column=total_col, value=f"=SUM({a}{r}:{b}{r})")


def _uncertainty_frame(report: GrantReport) -> pd.DataFrame:
    frame = report.bands.rename(
        columns={
            "p2_5": "2.5th percentile",
            "p10": "10th percentile",
            "p50": "median",
            "p90": "90th percentile",
            "p97_5": "97.5th percentile",
        }
    )
    central = report.metrics
    frame.insert(
        2, "scenario as written, one run", [central.get(m, float("nan")) for m in frame["metric"]]
    )
    return frame


def _sources_frame(report: GrantReport) -> pd.DataFrame:
    rows = [
        {
            "use": "scenario value",
            "path": rec["path"],
            "parameter": rec["parameter"],
            "value": str(rec["value"]),
            "source": rec["source"],
        }
        for rec in report.assumptions.to_dict("records")
    ]
    for path in report.mc.draws.columns:
        p = PARAMS_BY_PATH.get(path)
        if p is None:
            continue
        rows.append(
            {
                "use": "Monte Carlo distribution",
                "path": path,
                "parameter": path,
                "value": " ".join(str(x) for x in p.dist or ()),
                "source": p.source,
            }
        )
    return pd.DataFrame(rows, columns=["use", "path", "parameter", "value", "source"])


def write_workbook(report: GrantReport, path: Path) -> Path:
    """Write ``grant_report.xlsx`` (sheets described in the module docstring)."""
    wb = wbk.new_workbook()
    _inputs_sheet(wb, report)
    _budget_sheet(wb, report)
    wbk.table_sheet(
        wb,
        "Reach",
        report.reach,
        kinds={"share_of_eligible_reached": "pct"},
        note="Expected unduplicated patients reached per programme year (Monte Carlo mean).",
    )
    wbk.table_sheet(
        wb,
        "Outcomes",
        report.outcomes,
        note="Programme patients minus the same patients under usual care (Monte Carlo mean).",
    )
    wbk.table_sheet(
        wb,
        "Uncertainty",
        _uncertainty_frame(report),
        note=(
            f"Monte Carlo over {report.runs} draws: mean, median and the 80% (10th-90th) and "
            "95% (2.5th-97.5th) ranges; y<k>. metrics are programme year k."
        ),
    )
    wbk.table_sheet(wb, "Sources", _sources_frame(report))
    return wbk.save(wb, path)
