"""A self-contained HTML document: headings, generated prose, tables and embedded figures.

The decision reports (``intsim report grant``, ``intsim report payer``) are written with this
builder. The page carries everything it needs (figures are embedded as base64 PNG, styles are
inline), so it can be e-mailed or archived as one file; its print stylesheet keeps tables and
figures whole across pages, so "print to PDF" in a browser gives a clean document.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Inline stylesheet: readable on screen, clean on paper (Letter or A4).
CSS = """
body { font-family: "Helvetica Neue", Arial, sans-serif; color: #222; max-width: 58rem;
       margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #bbb; padding-bottom: 0.2rem; margin-top: 2rem; }
h3 { font-size: 1.1rem; margin-top: 1.4rem; }
p.subtitle { color: #555; margin-top: 0; }
p.note { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; }
figcaption { color: #444; font-size: 0.9rem; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  h2 { page-break-after: avoid; }
  table, figure { page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 18mm 15mm; }
"""

#: A cell formatter: value -> text.
Formatter = Callable[[object], str]


def _cell_class(value: object) -> str:
    return ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""


@dataclass
class Document:
    """An HTML report assembled block by block, in order."""

    title: str
    subtitle: str = ""
    blocks: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        """A section heading (level 2 or 3; level 1 is the title)."""
        if level not in (2, 3):
            raise ValueError(f"heading level must be 2 or 3, got {level}")
        self.blocks.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def paragraph(self, text: str) -> None:
        """A paragraph of (generated) prose; the text is escaped."""
        self.blocks.append(f"<p>{html.escape(text)}</p>")

    def note(self, text: str) -> None:
        """A small-print note (assumptions, definitions)."""
        self.blocks.append(f'<p class="note">{html.escape(text)}</p>')

    def table(
        self,
        frame: pd.DataFrame,
        caption: str = "",
        formats: Mapping[str, Formatter] | None = None,
    ) -> None:
        """A table of ``frame`` (its index is not shown); ``formats`` maps columns to formatters."""
        formats = formats or {}
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
        rows = []
        for record in frame.itertuples(index=False, name=None):
            cells = []
            for column, value in zip(frame.columns, record, strict=True):
                text = formats[column](value) if column in formats else _default_text(value)
                cells.append(f"<td{_cell_class(value)}>{html.escape(text)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        self.blocks.append(
            f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def figure(self, png: Path, caption: str = "") -> None:
        """Embed a PNG file (base64) with a caption."""
        data = base64.b64encode(Path(png).read_bytes()).decode("ascii")
        cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        alt = html.escape(caption or Path(png).stem, quote=True)
        self.blocks.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">{cap}</figure>'
        )

    def render(self) -> str:
        """The whole page as one HTML string."""
        sub = f'<p class="subtitle">{html.escape(self.subtitle)}</p>' if self.subtitle else ""
        body = "\n".join(self.blocks)
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head>"
            f"<body><h1>{html.escape(self.title)}</h1>{sub}\n{body}\n</body></html>\n"
        )

    def write(self, path: Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.render(), encoding="utf-8")
        return path


def _default_text(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def usd(value: object) -> str:
    """Whole dollars with a sign and thousands separators: ``-$12,345``."""
    v = float(value)  # type: ignore[arg-type]
    if math.isnan(v):
        return "–"
    return f"-${-v:,.0f}" if v < 0 else f"${v:,.0f}"


def pct(value: object, digits: int = 0) -> str:
    """A share (0-1) as a percentage: ``0.456`` -> ``46%``."""
    v = float(value)  # type: ignore[arg-type]
    if math.isnan(v):
        return "–"
    return f"{100 * v:.{digits}f}%"


def count(value: object) -> str:
    """A whole count with thousands separators."""
    v = float(value)  # type: ignore[arg-type]
    if math.isnan(v):
        return "–"
    return f"{round(v):,}"
