"""``intsim report grant``: the grant report's outputs, numbers and error contract (issue 13).

One small scenario (300 patients, 2 years, a one-year grant) is reported once through the CLI
with 10 Monte Carlo draws in this process; the tests read its HTML, CSV and Excel outputs back.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from tests.browser import print_to_pdf
from tests.test_figures import human_text_problems, svg_texts

from intsim.cli import main
from intsim.params.scenario import load_scenario
from intsim.report import grant_tables as gt
from intsim.report.document import count, usd
from intsim.report.grant_workbook import BUDGET_SHEET
from intsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parents[1]
SMALL = """\
name: grant_small
extends: {default}
care_model: hybrid
simulation: {{months: 24, seed: 5}}
population: {{n_patients: 300}}
staffing:
  n_pcps: 2
  care_manager_fte: 0.4
  bhc_fte: 0.3
  psychiatric_consultant_hours_per_week: 1.2
grants: {{annual_amount: 60000.0, start_month: 1, duration_months: 12}}
"""
RUNS = 10
SECTIONS = (
    "Summary",
    "Patients reached",
    "Outcomes among programme patients",
    "Budget by year",
    "Sustainability and unit costs",
    "What moves the funding gap",
    "Assumptions",
)
CSVS = (
    "reach_by_year.csv",
    "outcomes_by_year.csv",
    "budget_by_year.csv",
    "uncertainty_bands.csv",
    "self_sustaining_by_month.csv",
    "funding_gap_tornado.csv",
    "assumptions.csv",
    "mc_runs.csv",
    "mc_draws.csv",
)


def _scenario_file(folder: Path, text: str = SMALL, name: str = "grant_small.yaml") -> Path:
    path = folder / name
    path.write_text(text.format(default=ROOT / "configs" / "default.yaml"), encoding="utf-8")
    return path


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("grant")
    scenario = _scenario_file(tmp)
    out = tmp / "report"
    argv = ["report", "grant", str(scenario), "--runs", str(RUNS), "--jobs", "1", "--out", str(out)]
    code, stdout, err = _run(argv)
    assert code == 0, err
    assert "In year 2 the programme is expected to reach" in stdout
    return out


def _html_text(out: Path) -> str:
    page = (out / "grant_report.html").read_text(encoding="utf-8")
    page = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    return re.sub(r"<[^>]+>", " ", page).replace("&#x27;", "'").replace("&amp;", "&")


# --------------------------------------------------------------------------- outputs


def test_html_csv_xlsx_and_figures_exist(report: Path) -> None:
    assert (report / "grant_report.html").stat().st_size > 10_000
    assert (report / "grant_report.xlsx").is_file()
    for name in CSVS:
        assert (report / name).is_file(), name
    stems = {"reach_by_year", "budget_by_year", "self_sustaining"}
    stems.add("tornado_funding_gap_without_grant")
    for stem in stems:
        assert (report / "figures" / f"{stem}.png").is_file(), stem
        assert (report / "figures" / f"{stem}.svg").is_file(), stem
    page = (report / "grant_report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 4  # self-contained: figures embedded
    assert "@media print" in page


def test_html_has_every_section(report: Path) -> None:
    text = _html_text(report)
    for section in SECTIONS:
        assert f" {section} " in text, section
    assert "80% range" in text
    assert "95% range" in text


def test_figure_text_is_human(report: Path) -> None:
    for svg in sorted((report / "figures").glob("*.svg")):
        bad = {t: human_text_problems(t) for t in svg_texts(svg) if human_text_problems(t)}
        assert not bad, f"{svg.name}: {bad}"


def test_narrative_numbers_are_the_table_numbers(report: Path) -> None:
    text = " ".join(_html_text(report).split())
    reach = pd.read_csv(report / "reach_by_year.csv").set_index("year")
    budget = pd.read_csv(report / "budget_by_year.csv").set_index("line")
    outcomes = pd.read_csv(report / "outcomes_by_year.csv")
    y2 = reach.loc[2]
    assert f"In year 2 the programme is expected to reach {count(y2['reached'])} patients" in text
    assert f"{count(y2['reached_cocm'])} through Collaborative Care" in text
    assert f"{count(y2['reached_pcbh'])} through PCBH" in text
    responders = outcomes["responders_beyond_usual_care"].sum()
    assert f"expected to have {count(responders)} more treatment responses" in text
    assert f"Costs over the 2 years are {usd(budget.loc['cost_total', 'total'])}" in text
    assert f"the net is {usd(budget.loc['net', 'total'])}" in text
    gap = budget.loc["funding_gap_without_grant"]
    assert f"the funding gap would be {usd(gap['year_1'])} in year 1" in text
    # the same numbers appear in the tables of the page
    assert f" {count(y2['reached'])} " in _html_text(report).split("Patients reached", 2)[2]


# --------------------------------------------------------------------------- numbers


def test_budget_year_nets_add_up_to_the_overall_net(report: Path) -> None:
    budget = pd.read_csv(report / "budget_by_year.csv").set_index("line")
    years = [c for c in budget.columns if c.startswith("year_")]
    assert years == ["year_1", "year_2"]
    net = budget.loc["net"]
    assert math.isclose(net[years].sum(), net["total"], rel_tol=1e-12)
    revenue = budget[budget["section"] == "revenue"].drop(index="revenue_total")
    cost = budget[budget["section"] == "cost"].drop(index="cost_total")
    for col in [*years, "total"]:
        assert math.isclose(revenue[col].sum(), budget.loc["revenue_total", col], rel_tol=1e-9)
        assert math.isclose(cost[col].sum(), budget.loc["cost_total", col], rel_tol=1e-9)
    # the expected budget is the mean of the draws: its net is the mean of the draws' nets
    runs = pd.read_csv(report / "mc_runs.csv")
    assert len(runs) == RUNS
    assert math.isclose(net["total"], runs["net"].mean(), rel_tol=1e-9)
    assert budget.loc["startup", "year_1"] > 0
    assert budget.loc["startup", "year_2"] == 0


def test_one_run_budget_matches_the_summary(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario_file(tmp_path))
    results = simulate(scenario, seed=3)
    budget = gt.budget_lines(results).set_index("line")
    s = results.summary
    assert math.isclose(budget.loc["net", "total"], s["net"], rel_tol=1e-9)
    for row in s["budget_by_year"]:
        col = f"year_{row['year']}"
        assert math.isclose(budget.loc["net", col], row["net"], rel_tol=1e-9, abs_tol=1e-6)
        gap = budget.loc["funding_gap_without_grant", col]
        assert math.isclose(gap, row["gap_without_grant"], rel_tol=1e-9, abs_tol=1e-6)
    claims = budget.loc[[f"claims_{p}" for p in ("medicare", "medicaid", "commercial")], "total"]
    assert claims.sum() > 0


def test_reach_of_a_one_year_horizon_is_the_patients_served(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario_file(tmp_path)).with_overrides({"simulation.months": 12})
    s = simulate(scenario, seed=2, claims=False).summary
    (year,) = s["patients_reached_by_year"]
    assert year["reached"] == s["patients_served"] > 0
    assert year["reached_cocm"] == s["patients_served_cocm"]
    assert year["reached_pcbh"] == s["patients_served_pcbh"]


def test_reach_by_year_is_unduplicated_within_each_year(tmp_path: Path) -> None:
    s = simulate(load_scenario(_scenario_file(tmp_path)), seed=4, claims=False).summary
    years = s["patients_reached_by_year"]
    assert [y["year"] for y in years] == [1, 2]
    for y in years:
        assert max(y["reached_cocm"], y["reached_pcbh"]) <= y["reached"]
        assert y["reached"] <= y["reached_cocm"] + y["reached_pcbh"]
        assert y["reached_with_threshold_episode"] <= y["with_threshold_episode"]
    # a patient served in both years counts once in each year but once over the horizon
    assert max(y["reached"] for y in years) <= s["patients_served"]
    assert s["patients_served"] <= sum(y["reached"] for y in years)


def test_outcomes_are_programme_minus_usual_care_on_the_same_seed(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario_file(tmp_path))
    results = simulate(scenario, seed=6, claims=False)
    outcomes = gt.outcomes_by_year(results)
    cf = results.counterfactual
    assert cf is not None
    extra = outcomes["responders_beyond_usual_care"].sum()
    assert extra == results.summary["incremental_responders"]
    avoided = outcomes["ed_visits_avoided"].sum()
    assert avoided == results.summary["payer"]["ed_visits_avoided"]
    free = outcomes["episode_free_months_gained"].sum()
    assert free == cf["bh_prevalent"].sum() - results.monthly["bh_prevalent"].sum()


def test_report_outcomes_and_reach_are_means_of_the_draws(report: Path) -> None:
    runs = pd.read_csv(report / "mc_runs.csv")
    reach = pd.read_csv(report / "reach_by_year.csv").set_index("year")
    outcomes = pd.read_csv(report / "outcomes_by_year.csv").set_index("year")
    for y in (1, 2):
        assert math.isclose(reach.loc[y, "reached"], runs[f"y{y}.reached"].mean())
        got = outcomes.loc[y, "remissions_beyond_usual_care"]
        assert math.isclose(got, runs[f"y{y}.remissions_beyond_usual_care"].mean())
    bands = pd.read_csv(report / "uncertainty_bands.csv").set_index("metric")
    row = bands.loc["net"]
    assert row["p2_5"] <= row["p10"] <= row["p50"] <= row["p90"] <= row["p97_5"]
    curve = pd.read_csv(report / "self_sustaining_by_month.csv")
    assert list(curve["month"]) == list(range(1, 25))
    assert np.all(np.diff(curve["probability_self_sustaining"]) >= 0)


def test_tornado_ranks_inputs_by_their_reach_on_the_gap(report: Path) -> None:
    tornado = pd.read_csv(report / "funding_gap_tornado.csv")
    assert set(tornado["output"]) == {"funding_gap_without_grant"}
    assert len(tornado) == 10
    assert list(tornado["reach"]) == sorted(tornado["reach"], reverse=True)
    ends = np.abs(
        tornado[["output_low", "output_high"]].to_numpy() - tornado[["base_output"]].to_numpy()
    )
    assert np.allclose(tornado["reach"], ends.max(axis=1))


def test_assumptions_list_every_changed_parameter_with_its_source(report: Path) -> None:
    table = pd.read_csv(report / "assumptions.csv").set_index("path")
    assert {"population.n_patients", "staffing.n_pcps", "grants.annual_amount"} <= set(table.index)
    assert "cocm.consent_probability" not in table.index  # left at its default
    assert (
        table.loc["staffing.n_pcps", "value"] == "2" or table.loc["staffing.n_pcps", "value"] == 2
    )
    assert table["source"].str.len().min() > 0


# --------------------------------------------------------------------------- workbook


_RANGE = re.compile(r"SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)")
_CELL = re.compile(r"\b([A-Z]+\d+)\b")


def evaluate(ws: openpyxl.worksheet.worksheet.Worksheet, ref: str) -> float:
    """Value of a cell, computing the formulas the budget sheet uses (SUM, +, -, MAX)."""
    value = ws[ref].value
    if not (isinstance(value, str) and value.startswith("=")):
        return float(value or 0.0)

    def total(m: re.Match[str]) -> str:
        c1, r1, c2, r2 = m.groups()
        cells = ws[f"{c1}{r1}:{c2}{r2}"]
        return repr(sum(evaluate(ws, c.coordinate) for row in cells for c in row))

    expr = _RANGE.sub(total, value[1:])
    expr = _CELL.sub(lambda m: repr(evaluate(ws, m.group(1))), expr)
    assert set(expr) <= set("0123456789.+-e(),MAX "), expr
    return float(eval(expr.replace("MAX", "max")))  # the expression holds digits and max only


def _row_of(ws: openpyxl.worksheet.worksheet.Worksheet, label: str) -> int:
    (row,) = [c.row for c in ws["A"] if c.value == label]
    return row


def test_workbook_sheets_values_and_live_formulas(report: Path) -> None:
    wb = openpyxl.load_workbook(report / "grant_report.xlsx")
    assert {"Inputs", BUDGET_SHEET, "Uncertainty", "Sources", "Reach", "Outcomes"} <= set(
        wb.sheetnames
    )
    ws = wb[BUDGET_SHEET]
    budget = pd.read_csv(report / "budget_by_year.csv").set_index("label")
    # values: each line of the budget as simulated
    grant_row = _row_of(ws, "Grant")
    assert math.isclose(ws[f"B{grant_row}"].value, budget.loc["Grant", "year_1"])
    # formulas: totals, net, gap and the all-years column
    for label in (
        "Total revenue",
        "Total cost",
        "Net (revenue minus cost)",
        "Net without grant money",
        "Funding gap without the grant",
    ):
        row = _row_of(ws, label)
        for col in "BCD":
            assert str(ws[f"{col}{row}"].value).startswith("="), (label, col)
        got = evaluate(ws, f"D{row}")  # all years
        assert math.isclose(got, budget.loc[label, "total"], rel_tol=1e-9, abs_tol=1e-6), label
    assert str(ws[f"D{grant_row}"].value).startswith("=SUM(")
    # live: raising a cost line by $1,000 lowers the net by $1,000
    net_row = _row_of(ws, "Net (revenue minus cost)")
    before = evaluate(ws, f"D{net_row}")
    space = _row_of(ws, "Space")
    ws[f"B{space}"] = ws[f"B{space}"].value + 1000.0
    assert math.isclose(evaluate(ws, f"D{net_row}"), before - 1000.0, rel_tol=1e-12)


def test_workbook_uncertainty_inputs_and_sources(report: Path) -> None:
    wb = openpyxl.load_workbook(report / "grant_report.xlsx")
    unc = wb["Uncertainty"]
    header = [c.value for c in unc[3]]
    assert {"metric", "mean", "10th percentile", "90th percentile", "2.5th percentile"} <= set(
        header
    )
    metrics = [r[0].value for r in unc.iter_rows(min_row=4)]
    assert "funding_gap_without_grant" in metrics
    inputs = [c.value for c in wb["Inputs"]["A"]]
    assert "Monte Carlo draws" in inputs
    sources = wb["Sources"]
    paths = {r[1].value for r in sources.iter_rows(min_row=2)}
    assert "grants.annual_amount" in paths
    assert "costs.care_manager_salary" in paths  # a sampled distribution


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("option", "value"),
    [("--runs", "9"), ("--runs", "x"), ("--seed", "0"), ("--jobs", "0"), ("--out", "{file}")],
)
def test_bad_options_exit_2_naming_the_option_and_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, value: str
) -> None:
    scenario = _scenario_file(tmp_path)
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("keep me", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    value = value.replace("{file}", str(a_file))
    code, _, err = _run(["report", "grant", str(scenario), option, value])
    assert code == 2
    assert option in err
    assert "Traceback" not in err
    assert list(work.iterdir()) == []
    assert a_file.read_text(encoding="utf-8") == "keep me"


def test_a_usual_care_scenario_is_refused(tmp_path: Path) -> None:
    scenario = _scenario_file(
        tmp_path, SMALL.replace("care_model: hybrid", "care_model: usual_care")
    )
    out = tmp_path / "out"
    code, _, err = _run(["report", "grant", str(scenario), "--runs", "10", "--out", str(out)])
    assert code == 2
    assert "care_model" in err
    assert not out.exists()


def test_an_existing_foreign_out_folder_is_refused(tmp_path: Path) -> None:
    scenario = _scenario_file(tmp_path)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    code, _, err = _run(["report", "grant", str(scenario), "--runs", "10", "--out", str(out)])
    assert code == 2
    assert "--out" in err
    assert "notes.txt" in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"


def test_reach_by_year_docks_between_engines(tmp_path: Path) -> None:
    scenario = load_scenario(_scenario_file(tmp_path))
    arrays = simulate(scenario, seed=7, engine="arrays", claims=False).summary
    agents = simulate(scenario, seed=7, engine="agents", claims=False).summary
    assert arrays["patients_reached_by_year"] == agents["patients_reached_by_year"]
    assert arrays["patients_reached_by_year"][1]["reached"] > 0


def test_a_year_the_horizon_cuts_short_is_labelled_with_its_months(tmp_path: Path) -> None:
    assert gt.year_label(2, 60) == "Year 2"
    assert gt.year_label(3, 30) == "Year 3 (months 25-30)"
    assert gt.horizon_text(60) == "5 years"
    assert gt.horizon_text(12) == "1 year"
    assert gt.horizon_text(30) == "30 months"
    scenario = load_scenario(_scenario_file(tmp_path)).with_overrides({"simulation.months": 18})
    results = simulate(scenario, seed=2)
    budget = gt.budget_lines(results).set_index("line")
    assert [c for c in budget.columns if c.startswith("year_")] == ["year_1", "year_2"]
    assert math.isclose(budget.loc["net", "total"], results.summary["net"], rel_tol=1e-9)
    assert [y["year"] for y in results.summary["patients_reached_by_year"]] == [1, 2]


def test_html_prints_to_pdf_in_a_real_browser(report: Path, tmp_path: Path) -> None:
    # headless Chromium prints the page as a user's "print to PDF" would: every embedded
    # figure decodes into the PDF, and the report spans a few pages, not one endless strip
    html = report / "grant_report.html"
    printed = print_to_pdf(html, tmp_path / "grant_report.pdf")
    assert printed.images == html.read_text(encoding="utf-8").count("<img ")
    assert 3 <= printed.pages <= 30
