"""``intsim report payer``: a payer-negotiation brief (HTML, CSV tables, Excel workbook).

::

    intsim report payer SCENARIO --payer P [--lever pmpm|case_rate|relativity|shared_savings]
                        [--confidence 0.5 0.8 0.95] [--runs K] [--range LOW HIGH] [--seed S]
                        [--set KEY.PATH=VALUE]... [--workers N | --serial] [--out DIR] [--strict]

The numbers come from :mod:`intsim.report.negotiation` (break-even value of the lever at each
confidence level with its 95% interval, the acceptability curve, the payer's total cost of care
against usual care on common random numbers, shared-savings splits, the drivers and a two-way
grid); this module renders them. The narrative paragraph is generated from the same formatted
values as the tables, never typed. Outputs, written into a staged folder renamed into ``--out``
at the end (nothing half-written; a folder holding files intsim did not write is refused):

* ``payer_brief.html`` — self-contained, print-friendly (figures embedded);
* ``payer_brief.xlsx`` — sheets Inputs, Break-even, Acceptability, TCOC, Shared savings,
  Two-way, Drivers and Sources;
* ``breakeven.csv``, ``acceptability.csv``, ``tcoc.csv``, ``shared_savings.csv``,
  ``twoway.csv``, ``tornado.csv``, ``inputs.csv``, ``sources.csv``;
* ``acceptability.png``/``.svg``, ``tornado_net.png``/``.svg``, ``twoway_net.png``/``.svg``;
* ``manifest.json`` (command, versions, settings, timings, warnings, files with SHA-256).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from intsim import argcheck
from intsim.params import PARAMS_BY_PATH, PAYERS
from intsim.params.scenario import ScenarioError
from intsim.report.document import Document, count, pct, usd
from intsim.report.negotiation import (
    DEFAULT_CONFIDENCES,
    DRIVER_REPS,
    LEVERS,
    TCOC_LABELS,
    Brief,
    Negotiation,
    build_brief,
    clinic_inputs,
    prepare_negotiation,
)

#: Draws K when ``--runs`` is not given: about a minute for configs/rural_fqhc_hybrid.yaml on
#: the shared 2-core development machine (78 s wall, 51 s CPU; docs/walkthrough-payer.md).
DEFAULT_RUNS = 40
#: Output files of a brief (besides figures and manifest.json).
TABLE_FILES: tuple[str, ...] = (
    "breakeven.csv",
    "acceptability.csv",
    "tcoc.csv",
    "shared_savings.csv",
    "twoway.csv",
    "tornado.csv",
    "inputs.csv",
    "sources.csv",
)
SHEETS: tuple[str, ...] = (
    "Inputs",
    "Break-even",
    "Acceptability",
    "TCOC",
    "Shared savings",
    "Two-way",
    "Drivers",
    "Sources",
)


# --------------------------------------------------------------------------- arguments


def add_payer_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``intsim report payer`` (every one with an :mod:`intsim.argcheck` type)."""
    parser.add_argument("scenario", type=Path, help="plain scenario YAML file")
    parser.add_argument("--payer", required=True, choices=PAYERS, help="the payer negotiated with")
    parser.add_argument(
        "--lever",
        choices=LEVERS,
        default="pmpm",
        help="contract term negotiated (default pmpm): pmpm = integration capitation replacing "
        "the payer's fee-for-service for integration services; case_rate = CoCM episode case "
        "rate; relativity = BH and CoCM fee-schedule ratio to Medicare; shared_savings = "
        "shared-savings rate",
    )
    parser.add_argument(
        "--confidence",
        type=argcheck.open_unit_interval,
        nargs="+",
        default=list(DEFAULT_CONFIDENCES),
        metavar="C",
        help="confidence levels in (0, 1) (default 0.5 0.8 0.95)",
    )
    parser.add_argument(
        "--runs",
        type=argcheck.positive_int,
        default=DEFAULT_RUNS,
        help=f"parameter draws K (default {DEFAULT_RUNS}: about a minute for a 7,000-patient "
        "clinic on 2 cores)",
    )
    parser.add_argument(
        "--range",
        type=argcheck.finite_float,
        nargs=2,
        metavar=("LOW", "HIGH"),
        help="lever search range (default: pmpm 0 30, case_rate 0 1500, relativity 0.4 2, "
        "shared_savings 0 1)",
    )
    parser.add_argument("--seed", type=argcheck.seed, default=1, help="root seed (default 1)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override a scenario parameter (repeatable)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=argcheck.positive_int, help="process-pool workers (default: all cores)"
    )
    where.add_argument("--serial", action="store_true", help="run in this process")
    parser.add_argument(
        "--out",
        type=argcheck.out_dir,
        help="output folder (default: results/payer-<scenario>-<payer>-<lever>/)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse (exit 2) values outside their plausible range instead of warning",
    )


# --------------------------------------------------------------------------- formatting


def lever_text(lever_name: str, value: float | None) -> str:
    """A lever value for people: ``$12.50`` PMPM, ``$640`` case rate, ``0.95x``, ``45%``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if lever_name == "pmpm":
        return f"${value:,.2f}"
    if lever_name == "case_rate":
        return f"${value:,.0f}"
    if lever_name == "relativity":
        return f"{value:.2f}x"
    return pct(value)


def usd_pmpm(value: object) -> str:
    """Dollars and cents per member-month with a sign: ``-$1.25``."""
    v = float(value)  # type: ignore[arg-type]
    if math.isnan(v):
        return "–"
    return f"-${-v:,.2f}" if v < 0 else f"${v:,.2f}"


FORMAT_BY_KIND = {"usd": usd, "usd_pmpm": usd_pmpm, "count": count}


def breakeven_display(brief: Brief) -> pd.DataFrame:
    """The break-even table as people read it (the narrative quotes these cells)."""
    lev = brief.negotiation.lever.name
    table = brief.break_even.table()
    rows = []
    for r in table.to_dict("records"):
        reached = r["break_even"] is not None
        rows.append(
            {
                "Confidence": pct(r["confidence"]),
                "Break-even": lever_text(lev, r["break_even"]) if reached else "not reached",
                "95% interval": interval_text(lev, r["interval_low"], r["interval_high"], brief),
                "P(net ≥ 0) at break-even": "–"
                if r["p_at_break_even"] is None
                else f"{r['p_at_break_even']:.2f} ± {r['se_at_break_even']:.2f}",
                "Status": r["status"].replace("_", " "),
            }
        )
    return pd.DataFrame(rows)


def interval_text(lev: str, low: Any, high: Any, brief: Brief) -> str:
    """A break-even interval for people: ``$8.10 to $9.90``.

    An end beyond the range reads ``< LOW`` or ``> HIGH``; with both ends beyond it, "beyond the
    range" (the Wilson bounds never cross the level in the range).
    """
    s = brief.negotiation.search

    def missing(x: Any) -> bool:
        return x is None or (isinstance(x, float) and math.isnan(x))

    if missing(low) and missing(high):
        return "beyond the range"
    lo = f"< {lever_text(lev, s.low)}" if missing(low) else lever_text(lev, float(low))
    hi = f"> {lever_text(lev, s.high)}" if missing(high) else lever_text(lev, float(high))
    return f"{lo} to {hi}"


def tcoc_display(brief: Brief) -> pd.DataFrame:
    """The payer's view: one row per quantity, mean and 90% range at each lever value."""
    t = brief.tcoc
    rows = []
    for key, (label, kind) in TCOC_LABELS.items():
        fmt = FORMAT_BY_KIND[kind]
        row: dict[str, str] = {"Quantity": label}
        for _, r in t[t["quantity"] == key].iterrows():
            at = f"{r['at']} ({lever_text(brief.negotiation.lever.name, r['lever_value'])})"
            row[at] = f"{fmt(r['mean'])} ({fmt(r['p5'])} to {fmt(r['p95'])})"
        rows.append(row)
    return pd.DataFrame(rows)


def splits_display(brief: Brief) -> pd.DataFrame:
    """The shared-savings splits as people read them."""
    return pd.DataFrame(
        {
            "Organisation's share": [pct(x) for x in brief.splits["sharing_rate"]],
            "Payer's care savings": [usd(x) for x in brief.splits["payer_care_savings"]],
            "Organisation receives": [usd(x) for x in brief.splits["organisation_receives"]],
            "Payer keeps (net savings)": [usd(x) for x in brief.splits["payer_keeps"]],
            "Organisation net": [usd(x) for x in brief.splits["organisation_net"]],
            "P(net ≥ 0)": [f"{x:.2f}" for x in brief.splits["p_net_nonnegative"]],
        }
    )


def tornado_display(brief: Brief) -> pd.DataFrame:
    """The drivers as people read them."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    t = brief.drivers.tornado
    return pd.DataFrame(
        {
            "Input": [fg.factor_label(f) for f in t["factor"]],
            "Low value": [
                fg.value_text(v, fg.param_unit(f))
                for f, v in zip(t["factor"], t["low_value"], strict=True)
            ],
            "High value": [
                fg.value_text(v, fg.param_unit(f))
                for f, v in zip(t["factor"], t["high_value"], strict=True)
            ],
            "Net at low": [usd(x) for x in t["output_low"]],
            "Net at high": [usd(x) for x in t["output_high"]],
            "Largest change": [usd(x) for x in t["reach"]],
        }
    )


def twoway_display(brief: Brief) -> pd.DataFrame:
    """Mean net over the two-way grid: rows the clinic input, columns the lever."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    d = brief.drivers
    lev = brief.negotiation.lever
    grid = d.twoway.pivot_table(index=d.top, columns=lev.path, values="net", sort=True)
    unit = fg.param_unit(d.top)
    out = pd.DataFrame({fg.param_name(d.top): [fg.value_text(v, unit) for v in grid.index]})
    for x in grid.columns:
        out[lever_text(lev.name, float(x))] = [usd(v) for v in grid[x]]
    return out


# --------------------------------------------------------------------------- narrative


def narrative(brief: Brief) -> str:
    """The summary paragraph, generated from the numbers of the tables."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    neg = brief.negotiation
    lev, s = neg.lever, neg.search
    months = int(s.scenario.values.simulation.months)
    payer = lev.payer.capitalize()
    shown = breakeven_display(brief)
    parts = []
    for r in shown.to_dict("records"):
        if r["Break-even"] == "not reached":
            continue
        parts.append(
            f"{r['Break-even']} for {r['Confidence']} confidence (95% interval {r['95% interval']})"
        )
    missed = [r["Confidence"] for r in shown.to_dict("records") if r["Break-even"] == "not reached"]
    text = f"Negotiating the {lev.noun} with {payer}: "
    if parts:
        text += (
            f"the programme's net over the {months}-month horizon is at least $0 at "
            + "; ".join(parts)
            + "."
        )
    if missed:
        best = max(brief.break_even.points, key=lambda p: (p.p, -p.value))
        text += (
            f"{' ' if parts else ''}P(net ≥ $0 over the {months}-month horizon) does not reach "
            f"{', '.join(missed)} between {lever_text(lev.name, s.low)} and "
            f"{lever_text(lev.name, s.high)}: the highest probability is {best.p:.2f}, at "
            f"{lever_text(lev.name, best.value)}."
        )
    tc = tcoc_display(brief)
    deal_key = f"break-even at {100 * neg.deal_confidence:g}%"
    columns = [c for c in tc.columns if c != "Quantity"]
    col = next((c for c in columns if c.startswith(deal_key + " ")), columns[-1])
    by = dict(zip(tc["Quantity"], tc[col], strict=True))
    change = by[TCOC_LABELS["tcoc_change_pmpm"][0]]
    care = by[TCOC_LABELS["care_cost_change_pmpm"][0]]
    paid = by[TCOC_LABELS["payments_pmpm"][0]]
    ed = by[TCOC_LABELS["ed_visits_avoided"][0]]
    adm = by[TCOC_LABELS["admissions_avoided"][0]]
    text += (
        f" At the {col}, {payer}'s total cost of care changes by {change} per member-month against "
        f"usual care on the same random numbers: {care} in its members' care and {paid} paid to "
        f"the organisation; the whole panel avoids {ed} ED visits and {adm} admissions "
        "(means, with 90% ranges in brackets)."
    )
    sp = splits_display(brief)
    share, saved = "Organisation's share", "Payer's care savings"
    paying = brief.splits[brief.splits["organisation_receives"] > 0]
    if len(paying):
        first = sp.iloc[int(paying.index[0])]
        text += (
            " Shared savings on top of the deal pay the organisation "
            f"{first['Organisation receives']} at a {first[share]} share."
        )
    else:
        text += (
            " Shared savings on top of the deal pay nothing at any share from "
            f"{sp.iloc[0][share]} to {sp.iloc[-1][share]}: "
            f"{payer}'s cost of care with the deal's payments does not fall below the usual-care "
            "benchmark by the minimum savings rate (its care alone saves "
            f"{sp.iloc[0][saved]})."
        )
    top = tornado_display(brief).iloc[0]
    text += (
        f" Of the organisation's own inputs, {fg.lower_first(top['Input'])} moves the net most "
        f"(from {top['Net at low']} to {top['Net at high']})."
    )
    text += (
        f" Each probability is from {len(s.draws)} draws of the declared uncertainty, each "
        "on its own seed."
    )
    return text


# --------------------------------------------------------------------------- inputs


def inputs_table(brief: Brief, argv: Sequence[str]) -> pd.DataFrame:
    """The settings of the brief and every parameter that differs from its declared default."""
    neg = brief.negotiation
    s = neg.search
    rows = [
        ("command", "intsim " + " ".join(argv), ""),
        ("scenario", neg.scenario_path, ""),
        ("payer", neg.lever.payer, ""),
        ("lever", neg.lever.name, neg.lever.label),
        ("lever parameters", ", ".join(neg.lever.paths), "set to the same value"),
        ("lever range", f"{s.low:g} to {s.high:g}", ""),
        ("confidence levels", ", ".join(f"{c:g}" for c in neg.confidences), ""),
        ("draws K", str(len(s.draws)), f"{s.experiment.method} sampling, declared distributions"),
        ("seed", str(s.experiment.seed), "root seed; draw d runs on task_seed(seed, d, 0)"),
        ("deal point", f"{brief.deal:g}", brief.deal_reason),
    ]
    rows += [(k, str(v), "set for this lever") for k, v in neg.lever.fixed.items()]
    frame = pd.DataFrame(rows, columns=["setting", "value", "note"])
    diffs = [
        (path, str(value), f"default {PARAMS_BY_PATH[path].default}")
        for path, value in changed_parameters(neg)
    ]
    return pd.concat(
        [frame, pd.DataFrame(diffs, columns=["setting", "value", "note"])], ignore_index=True
    )


def changed_parameters(neg: Negotiation) -> list[tuple[str, Any]]:
    """Declared parameters whose value in the scenario differs from the default."""
    scenario = neg.search.scenario
    out = []
    for path, param in PARAMS_BY_PATH.items():
        try:
            value = scenario.get(path)
        except (KeyError, ScenarioError, AttributeError):
            continue
        if value != param.default:
            out.append((path, value))
    return out


def sources_table(brief: Brief) -> pd.DataFrame:
    """Where the lever, the screened inputs and the changed parameters come from."""
    neg = brief.negotiation
    paths = list(
        dict.fromkeys(
            [
                *neg.lever.paths,
                *clinic_inputs(neg.search.scenario),
                *(p for p, _ in changed_parameters(neg)),
            ]
        )
    )
    return pd.DataFrame(
        [
            {
                "parameter": p,
                "unit": PARAMS_BY_PATH[p].unit,
                "description": PARAMS_BY_PATH[p].description,
                "source": PARAMS_BY_PATH[p].source,
            }
            for p in paths
            if p in PARAMS_BY_PATH
        ]
    )


# --------------------------------------------------------------------------- figures


def plot_acceptability(brief: Brief, path: Path) -> tuple[Path, ...]:
    """P(net ≥ 0) against the lever with its Wilson band, each confidence and its break-even."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    plt = fg.pyplot()
    neg = brief.negotiation
    lev = neg.lever
    curve = brief.break_even.curve()
    x = curve["value"].to_numpy(float)
    blue = fg.PALETTE["blue"]
    fig, (a1, a2) = plt.subplots(
        2, 1, figsize=(9, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    a1.fill_between(
        x,
        curve["wilson_low"],
        curve["wilson_high"],
        color=blue,
        alpha=0.2,
        label="95% Wilson interval",
    )
    a1.plot(x, curve["p"], "o-", color=blue, lw=1.6, ms=4, label="P(net ≥ 0)")
    colours = [fg.PALETTE["vermillion"], fg.PALETTE["orange"], fg.PALETTE["green"]]
    for k, (c, res) in enumerate(sorted(brief.break_even.results.items())):
        colour = colours[k % len(colours)] if k < 3 else fg.COLOURS[k % len(fg.COLOURS)]
        be = res.location.threshold
        text = lever_text(lev.name, be) if be is not None else "not reached"
        a1.axhline(c, color=colour, lw=1, ls="--", label=f"{100 * c:g}% confidence: {text}")
        if be is not None:
            a1.axvline(be, color=colour, lw=1.2)
            a2.axvline(be, color=colour, lw=1.2)
    a1.set_ylim(-0.03, 1.03)
    a1.set_ylabel("Probability that net ≥ $0")
    fg.format_axis(a1.yaxis, "share")
    a1.set_title(f"{fg.param_name(lev.path)}: break-even by confidence", loc="left", fontsize=10)
    fg.legend_right(a1)
    orange = fg.PALETTE["orange"]
    a2.fill_between(x, curve["p5"], curve["p95"], color=orange, alpha=0.25, label="5–95% of draws")
    a2.plot(x, curve["mean"], color=orange, lw=1.6, label="Mean")
    a2.axhline(0, color=fg.GREY, lw=0.8, ls="--", label="Break-even, $0")
    a2.set_ylabel("Net over the horizon (USD)")
    fg.format_axis(a2.yaxis, "USD")
    a2.set_xlabel(fg.param_label(lev.path))
    fg.format_axis(a2.xaxis, "USD" if lev.unit.startswith("USD") else "")
    fg.legend_right(a2)
    fig.suptitle(
        f"Financial acceptability for {lev.payer.capitalize()}: {len(neg.search.draws)} draws "
        "per value"
    )
    return fg.save(fig, path)


def write_figures(brief: Brief, out: Path) -> dict[str, Path]:
    """The acceptability curve, the tornado and the two-way heat map (PNG + SVG)."""
    from intsim.analysis.deterministic import plot_tornado, plot_twoway  # noqa: PLC0415

    lev = brief.negotiation.lever
    plot_acceptability(brief, out / "acceptability.png")
    plot_tornado(brief.drivers.tornado, out)
    plot_twoway(
        brief.drivers.twoway,
        PARAMS_BY_PATH[lev.path],
        PARAMS_BY_PATH[brief.drivers.top],
        ["net"],
        out,
    )
    return {
        "acceptability": out / "acceptability.png",
        "tornado": out / "tornado_net.png",
        "twoway": out / "twoway_net.png",
    }


# --------------------------------------------------------------------------- documents


def write_tables(brief: Brief, out: Path, argv: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The CSV tables (machine-readable values, not the formatted text)."""
    tables = {
        "breakeven.csv": brief.break_even.table(),
        "acceptability.csv": brief.break_even.curve(),
        "tcoc.csv": brief.tcoc,
        "shared_savings.csv": brief.splits,
        "twoway.csv": brief.drivers.twoway.drop(columns=["strategy"]),
        "tornado.csv": brief.drivers.tornado.drop(columns=["strategy"]),
        "inputs.csv": inputs_table(brief, argv),
        "sources.csv": sources_table(brief),
    }
    for name, frame in tables.items():
        frame.to_csv(out / name, index=False)
    return tables


def write_html(brief: Brief, figures: dict[str, Path], path: Path, argv: Sequence[str]) -> str:
    """The self-contained HTML brief; returns the narrative paragraph."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    neg = brief.negotiation
    lev = neg.lever
    months = int(neg.search.scenario.values.simulation.months)
    doc = Document(
        title=f"Payer negotiation brief: {lev.payer.capitalize()}, {lev.name.replace('_', ' ')}",
        subtitle=f"Scenario {neg.search.scenario.name} ({neg.scenario_path}), {months} months, "
        f"{len(neg.search.draws)} draws, seed {neg.experiment.seed}",
    )
    doc.heading("Summary")
    text = narrative(brief)
    doc.paragraph(text)
    doc.heading("Break-even value of the lever")
    doc.table(breakeven_display(brief), caption=f"{lev.label}: break-even by confidence")
    doc.note(
        "Break-even: the smallest lever value at which the probability that the programme's net "
        "over the horizon is at least $0 reaches the confidence level (grid of 9 values, then "
        "bisection). The 95% interval is where the Wilson bounds of that probability cross the "
        "level (Monte Carlo uncertainty given the draws)."
    )
    doc.heading("Acceptability curve")
    doc.figure(figures["acceptability"], "Probability that net ≥ $0 against the lever.")
    curve = brief.break_even.curve()
    doc.table(
        pd.DataFrame(
            {
                fg.param_name(lev.path): [lever_text(lev.name, v) for v in curve["value"]],
                "P(net ≥ 0)": [f"{p:.2f}" for p in curve["p"]],
                "95% interval": [
                    f"{a:.2f} to {b:.2f}"
                    for a, b in zip(curve["wilson_low"], curve["wilson_high"], strict=True)
                ],
                "Mean net": [usd(v) for v in curve["mean"]],
                "Net, 5th percentile": [usd(v) for v in curve["p5"]],
                "Net, 95th percentile": [usd(v) for v in curve["p95"]],
            }
        ),
        caption="Acceptability curve (every evaluated value)",
    )
    doc.heading(f"{lev.payer.capitalize()}'s total cost of care")
    doc.table(tcoc_display(brief), caption="Against usual care on the same random numbers")
    doc.note(
        "The payer's cost of care for its members comes from who is well, sick and treated "
        "(intsim.sim.tcoc); payments are what it pays the organisation for its members (claims, "
        "capitation, case rates, bonuses, shared savings). ED visits and admissions avoided "
        "count the whole panel. Means over the draws, 5th to 95th percentile in brackets."
    )
    doc.heading("Shared-savings splits")
    doc.table(
        splits_display(brief),
        caption=f"At the deal point ({lever_text(lev.name, brief.deal)}, {brief.deal_reason})",
    )
    doc.note(
        "Shared savings switched on for this payer at each rate (other terms as in the "
        "scenario: minimum savings rate, cap, quality score, practice share); the organisation "
        "receives the difference against the same deal without shared savings."
    )
    doc.heading("Two-way grid: the lever against the most influential input")
    doc.figure(figures["twoway"], "Mean net over the grid, with the break-even line.")
    doc.table(
        twoway_display(brief),
        caption=f"Mean net (USD) over {DRIVER_REPS} seeds: {fg.param_name(brief.drivers.top)} "
        f"against {fg.param_name(lev.path)}",
    )
    doc.heading("Drivers")
    doc.figure(figures["tornado"], "One-way sensitivity of the net at the deal point.")
    doc.table(
        tornado_display(brief),
        caption="The organisation's inputs at their 5th and 95th percentiles, at the deal point",
    )
    doc.heading("Inputs and sources")
    doc.table(inputs_table(brief, argv), caption="Settings and parameters differing from defaults")
    doc.table(sources_table(brief), caption="Sources")
    doc.note(
        f"Run time {brief.timings['total']:.0f} s: {brief.clinics_simulated} clinics simulated "
        f"(each with its usual-care twin), {brief.runs_priced} pricings of them."
    )
    doc.write(path)
    return text


def write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> Path:
    """The Excel workbook: one sheet per table of :data:`SHEETS`."""
    from intsim.report.workbook import new_workbook, save, table_sheet  # noqa: PLC0415

    wb = new_workbook()
    kinds = {
        "Inputs": ("inputs.csv", {}),
        "Break-even": ("breakeven.csv", {"confidence": "pct", "p_at_break_even": "float"}),
        "Acceptability": (
            "acceptability.csv",
            {"p": "float", "mean": "usd", "p5": "usd", "p95": "usd"},
        ),
        "TCOC": ("tcoc.csv", {"mean": "float", "p5": "float", "p95": "float"}),
        "Shared savings": (
            "shared_savings.csv",
            {
                "sharing_rate": "pct",
                "organisation_receives": "usd",
                "payer_keeps": "usd",
                "organisation_net": "usd",
            },
        ),
        "Two-way": ("twoway.csv", {"net": "usd"}),
        "Drivers": ("tornado.csv", {"output_low": "usd", "output_high": "usd", "reach": "usd"}),
        "Sources": ("sources.csv", {}),
    }
    for sheet in SHEETS:
        name, fmt = kinds[sheet]
        table_sheet(wb, sheet, tables[name], fmt)
    return save(wb, path)


# --------------------------------------------------------------------------- command


def default_out(args: argparse.Namespace) -> Path:
    """``results/payer-<scenario stem>-<payer>-<lever>``."""
    return Path("results") / f"payer-{Path(args.scenario).stem}-{args.payer}-{args.lever}"


def cmd_report_payer(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim report payer``: validate, compute the brief, write HTML, CSV and XLSX."""
    from intsim.analysis.batch import make_executor  # noqa: PLC0415
    from intsim.provenance import manifest_base, write_json  # noqa: PLC0415
    from intsim.report.outputs import claim_out_dir, staged_directory  # noqa: PLC0415

    neg = prepare_negotiation(
        str(args.scenario),
        payer=args.payer,
        lever=args.lever,
        confidences=args.confidence,
        runs=args.runs,
        seed=args.seed,
        overrides=args.overrides,
        value_range=args.range,
    )
    warnings = list(neg.search.scenario.warnings)
    if args.strict and warnings:
        raise argcheck.UsageError("\n".join(f"{line}; refused under --strict" for line in warnings))
    for line in warnings:
        print(f"intsim: warning: {line}", file=sys.stderr)
    out = args.out if args.out is not None else default_out(args)
    try:
        claim_out_dir(out)
    except OSError as exc:
        raise argcheck.UsageError(f"--out {exc}") from None

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    kind = "serial" if args.serial else "process"
    with make_executor(kind, workers=args.workers) as executor:
        brief = build_brief(neg, executor, progress=progress)
    try:
        with staged_directory(out) as tmp:
            figures = write_figures(brief, tmp)
            tables = write_tables(brief, tmp, argv)
            text = write_html(brief, figures, tmp / "payer_brief.html", argv)
            write_workbook(tables, tmp / "payer_brief.xlsx")
            write_json(
                tmp / "manifest.json",
                {
                    **manifest_base(["intsim", *argv]),
                    "scenario": neg.search.scenario.to_dict(),
                    "payer": neg.lever.payer,
                    "lever": {
                        "name": neg.lever.name,
                        "paths": list(neg.lever.paths),
                        "fixed": neg.lever.fixed,
                    },
                    "range": [neg.search.low, neg.search.high],
                    "confidence": list(neg.confidences),
                    "runs": len(neg.search.draws),
                    "seed": neg.experiment.seed,
                    "deal": brief.deal,
                    "timings_s": brief.timings,
                    "warnings": warnings,
                },
            )
    except OSError as exc:
        raise argcheck.UsageError(f"--out {out}: cannot write the outputs ({exc})") from None
    print_brief(brief, text, out)
    return 0


def print_brief(brief: Brief, text: str, out: Path) -> None:
    """The headline on standard output: the break-even table and the narrative."""
    neg = brief.negotiation
    print(
        f"intsim report payer {neg.search.scenario.name}: {neg.lever.payer}, lever "
        f"{neg.lever.name}, {len(neg.search.draws)} draws, seed {neg.experiment.seed}, "
        f"{brief.timings['total']:.0f} s"
    )
    print(breakeven_display(brief).to_string(index=False))
    print()
    import textwrap  # noqa: PLC0415

    print(textwrap.fill(text, 100))
    print(f"outputs written to {out}/")
