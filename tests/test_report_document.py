"""The HTML document builder and the Excel sheet helpers of the decision reports."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from openpyxl import load_workbook

from intsim.report import document, workbook


def test_document_escapes_text_and_embeds_figures(tmp_path: Path) -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    png = tmp_path / "line.png"
    fig.savefig(png)
    plt.close(fig)
    doc = document.Document("Report <A&B>", subtitle="made by a test")
    doc.heading("Budget")
    doc.paragraph("Net is < 0 & falling.")
    doc.table(
        pd.DataFrame({"year": [1, 2], "net": [-1234.5, 99.0]}),
        caption="Net by year",
        formats={"net": document.usd},
    )
    doc.figure(png, caption="A line")
    page = doc.write(tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Report &lt;A&amp;B&gt;" in page
    assert "Net is &lt; 0 &amp; falling." in page
    assert "-$1,234" in page
    assert "$99" in page
    assert page.count("data:image/png;base64,") == 1
    assert "@media print" in page
    assert "<script" not in page  # nothing runs; the page is self-contained


def test_heading_level_is_checked() -> None:
    with pytest.raises(ValueError, match="level"):
        document.Document("x").heading("y", level=1)


@pytest.mark.parametrize(
    ("fmt", "value", "text"),
    [
        (document.usd, -12345.4, "-$12,345"),
        (document.usd, float("nan"), "–"),
        (document.pct, 0.456, "46%"),
        (document.count, 1234.6, "1,235"),
    ],
)
def test_formatters(fmt, value: float, text: str) -> None:
    assert fmt(value) == text


def test_table_sheet_round_trips_values_and_formats(tmp_path: Path) -> None:
    wb = workbook.new_workbook()
    frame = pd.DataFrame({"year": [1, 2], "net": [-10.0, float("nan")], "share": [0.5, 0.25]})
    workbook.table_sheet(wb, "Budget", frame, kinds={"net": "usd", "share": "pct"}, note="n")
    ws = wb["Budget"]
    ws["A6"] = "=SUM(B4:B5)"
    path = workbook.save(wb, tmp_path / "b.xlsx")
    back = load_workbook(path)["Budget"]
    assert back["A1"].value == "n"
    assert [c.value for c in back[3]] == ["year", "net", "share"]
    assert back["B4"].value == -10.0
    assert back["B5"].value is None
    assert back["C4"].number_format == workbook.NUMBER_FORMATS["pct"]
    assert back["A6"].value == "=SUM(B4:B5)"
    assert workbook.column_letter(27) == "AA"
