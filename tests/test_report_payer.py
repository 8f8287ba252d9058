"""``intsim report payer``: the payer-negotiation brief (issue 13, item 2).

One brief is built once (module fixture) through the command line on a small clinic, in this
process (``--serial``), and its HTML, CSV and Excel outputs are checked against each other; the
pricing shortcut (one clinic per draw, priced at every lever value) is checked against the
threshold machinery that simulates every value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from tests.browser import print_to_pdf

from intsim.analysis.batch import SerialExecutor
from intsim.analysis.threshold import evaluate_values
from intsim.cli import main
from intsim.report import payer as report
from intsim.report.negotiation import (
    SPLITS,
    Pricer,
    lever_for,
    prepare_negotiation,
    simulate_draws,
)

ROOT = Path(__file__).resolve().parents[1]
#: A 1,500-patient, 24-month version of the shipped rural FQHC (a second of simulation a draw).
SMALL = f"""name: small_rural
extends: {ROOT / "configs" / "rural_fqhc_hybrid.yaml"}
population: {{n_patients: 1500}}
staffing: {{n_pcps: 1}}
simulation: {{months: 24}}
"""
RUNS = 12
RANGE = ("0", "200")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "small_rural.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def brief_dir(small: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("brief") / "brief"
    argv = ["report", "payer", str(small), "--payer", "medicaid", "--runs", str(RUNS)]
    argv += ["--range", *RANGE, "--serial", "--out", str(out)]
    assert main(argv) == 0
    return out


def test_every_output_is_written(brief_dir: Path) -> None:
    names = {p.name for p in brief_dir.iterdir()}
    assert {"payer_brief.html", "payer_brief.xlsx", "manifest.json", *report.TABLE_FILES} <= names
    for stem in ("acceptability", "tornado_net", "twoway_net"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    manifest = json.loads((brief_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["runs"] == RUNS
    assert manifest["lever"]["paths"] == ["contracts.medicaid.pmpm_usd"]
    assert manifest["lever"]["fixed"] == {"contracts.medicaid.fee_for_service": False}


def test_html_has_every_section_and_embeds_its_figures(brief_dir: Path) -> None:
    html = (brief_dir / "payer_brief.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings == [
        "Summary",
        "Break-even value of the lever",
        "Acceptability curve",
        "Medicaid&#x27;s total cost of care",
        "Shared-savings splits",
        "Two-way grid: the lever against the most influential input",
        "Drivers",
        "Inputs and sources",
    ]
    assert html.count('src="data:image/png;base64,') == 3  # self-contained
    assert "@media print" in html


def test_break_even_rises_with_confidence(brief_dir: Path) -> None:
    table = pd.read_csv(brief_dir / "breakeven.csv")
    assert list(table["confidence"]) == [0.5, 0.8, 0.95]
    assert (table["status"] == "reached").all(), table
    values = table["break_even"].to_numpy(float)
    assert values[0] <= values[1] <= values[2]
    assert values[0] < values[2]  # 12 draws disagree: not one value for every level
    assert (table["p_at_break_even"] >= table["confidence"]).all()


def test_narrative_quotes_the_table_numbers(brief_dir: Path) -> None:
    html = (brief_dir / "payer_brief.html").read_text(encoding="utf-8")
    summary = re.search(r"<h2>Summary</h2>\s*<p>(.*?)</p>", html, re.S)
    assert summary is not None
    text = summary.group(1)
    table = pd.read_csv(brief_dir / "breakeven.csv")
    quoted = re.findall(r"\$([0-9,]+\.[0-9]{2}) for ([0-9]+)% confidence", text)
    assert len(quoted) == len(table)
    for (amount, level), row in zip(quoted, table.itertuples(), strict=True):
        assert int(level) == round(100 * row.confidence)
        shown = report.lever_text("pmpm", row.break_even)  # as in the HTML table
        assert f"${amount}" == shown
        assert f"<td>{shown}</td>" in html
        assert float(amount.replace(",", "")) == pytest.approx(row.break_even, abs=0.0051)
    # the payer's view at the 80% break-even: the PMPM paid is the lever itself
    tcoc = pd.read_csv(brief_dir / "tcoc.csv")
    paid = tcoc[(tcoc["quantity"] == "payments_pmpm") & (tcoc["at"] == "break-even at 80%")]
    be80 = float(table.loc[table["confidence"] == 0.8, "break_even"].iloc[0])
    assert float(paid["mean"].iloc[0]) == pytest.approx(be80, rel=0.02)
    change = tcoc[(tcoc["quantity"] == "tcoc_change_pmpm") & (tcoc["at"] == "break-even at 80%")]
    assert f"changes by {report.usd_pmpm(float(change['mean'].iloc[0]))} (" in text
    splits = pd.read_csv(brief_dir / "shared_savings.csv")
    paying = splits[splits["organisation_receives"] > 0]
    if len(paying):
        first = paying.iloc[0]
        assert f"pay the organisation {report.usd(first['organisation_receives'])} at a" in text
    else:
        assert "pay nothing at any share from 25% to 75%" in text
    top = pd.read_csv(brief_dir / "tornado.csv").iloc[0]
    assert f"from {report.usd(top['output_low'])} to {report.usd(top['output_high'])}" in text


def test_workbook_reads_back(brief_dir: Path) -> None:
    wb = openpyxl.load_workbook(brief_dir / "payer_brief.xlsx")
    assert wb.sheetnames == list(report.SHEETS)
    sheet = wb["Break-even"]
    header = [c.value for c in sheet[1]]
    table = pd.read_csv(brief_dir / "breakeven.csv")
    col = header.index("break_even")
    values = [row[col].value for row in sheet.iter_rows(min_row=2)]
    assert values == pytest.approx(list(table["break_even"]))
    splits = wb["Shared savings"]
    rates = [row[0].value for row in splits.iter_rows(min_row=2)]
    assert rates == pytest.approx(list(SPLITS))
    inputs = {row[0].value: row[1].value for row in wb["Inputs"].iter_rows(min_row=2)}
    assert inputs["payer"] == "medicaid"
    assert inputs["draws K"] == str(RUNS)
    sources = [row[0].value for row in wb["Sources"].iter_rows(min_row=2)]
    assert "contracts.medicaid.pmpm_usd" in sources
    twoway = pd.read_csv(brief_dir / "twoway.csv")
    assert wb["Two-way"].max_row == len(twoway) + 1


def test_pricing_each_draw_once_equals_simulating_each_value(small: Path) -> None:
    # the brief simulates one clinic per draw and prices it at every lever value; the threshold
    # command simulates every (draw, value): same draws, same seeds, same events and means
    neg = prepare_negotiation(str(small), payer="medicaid", lever="pmpm", runs=4, seed=5)
    executor = SerialExecutor()
    pricer = Pricer(neg, simulate_draws(neg, executor), executor)
    for x in (0.0, 60.0):
        net = pricer.at_lever([x])[0][:, 0]
        (point,) = evaluate_values(neg.search, [x], executor)
        assert point.events == int((net >= 0).sum())
        assert point.mean == pytest.approx(float(net.mean()), rel=1e-9)


def test_relativity_moves_both_bh_and_cocm_rates() -> None:
    lever = lever_for("relativity", "commercial")
    assert lever.overrides(1.2) == {
        "payers.commercial.relativity_bh": 1.2,
        "payers.commercial.relativity_cocm": 1.2,
    }


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--payer", "uninsured", "--payer uninsured"),
        ("--payer", "nobody", "--payer"),
        ("--lever", "discount", "--lever"),
        ("--confidence", "1.5", "--confidence"),
        ("--confidence", "0", "--confidence"),
        ("--runs", "0", "--runs"),
        ("--range", "-5", "--range"),
        ("--set", "nosuch.key=1", "--set nosuch.key"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(
    small: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    named: str,
) -> None:
    out = tmp_path / "out"
    argv = ["report", "payer", str(small), "--payer", "medicaid", "--serial", "--out", str(out)]
    values = [value, "10"] if option == "--range" else [value]
    assert main([*argv, option, *values]) == 2
    err = capsys.readouterr().err
    assert named in err
    assert "Traceback" not in err
    assert not out.exists()


def test_an_experiment_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    experiment = ROOT / "configs" / "experiments" / "threshold_caseload.yaml"
    out = tmp_path / "out"
    code = main(["report", "payer", str(experiment), "--payer", "medicaid", "--out", str(out)])
    assert code == 2
    assert "expected a plain scenario file" in capsys.readouterr().err
    assert not out.exists()


def test_a_folder_of_user_files_is_left_alone(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    argv = ["report", "payer", str(small), "--payer", "medicaid", "--runs", "2", "--serial"]
    assert main([*argv, "--out", str(out)]) == 2
    assert "--out" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_html_prints_to_pdf_in_a_real_browser(brief_dir: Path, tmp_path: Path) -> None:
    # headless Chromium prints the page as a user's "print to PDF" would: every embedded
    # figure decodes into the PDF, and the brief spans a few pages, not one endless strip
    html = brief_dir / "payer_brief.html"
    printed = print_to_pdf(html, tmp_path / "payer_brief.pdf")
    assert printed.images == html.read_text(encoding="utf-8").count("<img ")
    assert 3 <= printed.pages <= 30
