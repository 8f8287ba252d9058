"""Comparing scenarios on common random numbers: the incremental table and its figure.

Every scenario runs on the same seed, so the same patients meet the same luck; differences between
scenarios are due to the strategies, not to noise (docs/architecture.md decision 3).
The first scenario is the reference of the incremental columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from intsim.params.scenario import Scenario
from intsim.sim.runner import Results, simulate

#: Columns of the comparison table: (key, label); money values in USD.
COMPARE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("care_model", "care model"),
    ("net", "net (USD)"),
    ("net_margin_pct", "net margin (%)"),
    ("break_even_month", "break-even month"),
    ("payback_month", "payback month"),
    ("cash_trough", "cash trough (USD)"),
    ("npv", "NPV (USD)"),
    ("patients_served", "patients served"),
    ("responders", "responders"),
    ("payer_net_savings", "payer savings (USD)"),
)
INCREMENTAL: tuple[str, ...] = ("net", "npv", "patients_served", "responders", "payer_net_savings")


def _row(name: str, res: Results) -> dict[str, Any]:
    s = res.summary
    row: dict[str, Any] = {"scenario": name}
    for key, _ in COMPARE_COLUMNS:
        row[key] = s.get("payer", {}).get(key) if key == "payer_net_savings" else s.get(key)
    return row


def compare_scenarios(
    scenarios: list[Scenario], seed: int | None = None
) -> tuple[pd.DataFrame, dict[str, Results]]:
    """Run scenarios on one seed; return the comparison table and each run's results.

    The table has one row per scenario with its outcomes, then ``delta_<metric>`` columns:
    the difference from the first scenario.
    """
    results: dict[str, Results] = {}
    for sc in scenarios:
        name = sc.name
        while name in results:  # two files with one name: keep both
            name += "'"
        results[name] = simulate(sc, seed=seed)
    table = pd.DataFrame([_row(name, res) for name, res in results.items()])
    for key in INCREMENTAL:
        base = table[key].iloc[0]
        table[f"delta_{key}"] = [
            None if v is None or base is None else v - base for v in table[key]
        ]
    return table, results


def _cell(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "never" if key.endswith("_month") else "n/a"
    if key.endswith("_month"):
        return str(int(value))
    if key == "net_margin_pct":
        return f"{value:.1f}"
    if isinstance(value, str):
        return value
    return f"{value:,.0f}"


def format_table(table: pd.DataFrame) -> str:
    """The comparison as a text table: one column per scenario, outcomes then deltas as rows."""
    rows: list[tuple[str, list[str]]] = []
    for key, label in COMPARE_COLUMNS:
        rows.append((label, [_cell(key, v) for v in table[key]]))
    reference = table["scenario"].iloc[0]
    for key in INCREMENTAL:
        label = dict(COMPARE_COLUMNS)[key]
        rows.append((f"vs {reference}: {label}", [_cell(key, v) for v in table[f"delta_{key}"]]))
    names = list(table["scenario"])
    width = max(len(label) for label, _ in rows)
    cols = [max(len(n), *(len(r[1][i]) for r in rows)) for i, n in enumerate(names)]
    head = " " * width + "  " + "  ".join(n.rjust(w) for n, w in zip(names, cols, strict=True))
    body = [
        label.ljust(width) + "  " + "  ".join(v.rjust(w) for v, w in zip(vals, cols, strict=True))
        for label, vals in rows
    ]
    return "\n".join([head, *body])


def plot_cumulative_net(results: dict[str, Results], path: Path) -> tuple[Path, ...]:
    """Cumulative net (incl. startup) by month, one line per scenario (PNG and SVG)."""
    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    plt = fg.pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for name, res in results.items():
        m = res.monthly
        ax.plot(m["month"], m["cumulative_net"], lw=1.8, label=fg.display_name(name))
    ax.axhline(0, color=fg.GREY, lw=0.8)
    ax.set_xlabel("Month")
    fg.format_axis(ax.xaxis, "month")
    ax.set_ylabel("Cumulative net incl. startup (USD)")
    fg.format_axis(ax.yaxis, "USD")
    ax.set_title("Cumulative net by month (same seed: common random numbers)")
    fg.legend_right(ax)
    return fg.save(fig, path)
