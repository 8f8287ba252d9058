"""Excel workbooks (openpyxl) for the decision reports: tables, inputs and sources sheets.

Sheets written here hold values; a report adds its own formula sheets (e.g. a budget whose
totals and net are live ``=SUM(...)`` formulas) with :func:`column_letter` and plain cell
assignment. Read a workbook back with ``openpyxl.load_workbook(path)`` (formulas as text) or
``load_workbook(path, data_only=False)``; openpyxl does not compute formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F3F3F3")
#: Excel number formats by kind of column.
NUMBER_FORMATS: dict[str, str] = {
    "usd": '"$"#,##0;[Red]-"$"#,##0',
    "pct": "0.0%",
    "count": "#,##0",
    "float": "#,##0.00",
}


def column_letter(index: int) -> str:
    """Excel column letter of a 1-based column index (1 -> A, 27 -> AA)."""
    return get_column_letter(index)


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _header(ws: Worksheet, row: int, names: Sequence[str]) -> None:
    for j, name in enumerate(names, start=1):
        cell = ws.cell(row=row, column=j, value=str(name))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def _excel_value(value: object) -> object:
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()  # type: ignore[union-attr]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def table_sheet(
    wb: Workbook,
    title: str,
    frame: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    note: str = "",
) -> Worksheet:
    """A sheet holding ``frame`` (header row bold; ``kinds`` maps columns to NUMBER_FORMATS)."""
    ws = wb.create_sheet(title=title[:31])
    row = 1
    if note:
        ws.cell(row=1, column=1, value=note).font = Font(italic=True)
        row = 3
    _header(ws, row, list(frame.columns))
    kinds = kinds or {}
    for i, record in enumerate(frame.itertuples(index=False, name=None), start=row + 1):
        for j, (column, value) in enumerate(zip(frame.columns, record, strict=True), start=1):
            cell = ws.cell(row=i, column=j, value=_excel_value(value))
            if column in kinds:
                cell.number_format = NUMBER_FORMATS[kinds[column]]
    autosize(ws)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    return ws


def autosize(ws: Worksheet, minimum: int = 8, maximum: int = 60) -> None:
    """Set column widths from the longest text in each column."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                n = len(str(cell.value))
                widths[cell.column] = max(widths.get(cell.column, 0), n)
    for column, n in widths.items():
        ws.column_dimensions[column_letter(column)].width = max(minimum, min(maximum, n + 2))


def save(wb: Workbook, path: Path) -> Path:
    """Write the workbook to ``path`` and return the path."""
    path = Path(path)
    wb.save(path)
    return path
