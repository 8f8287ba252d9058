"""``intsim report grant``: the impact and budget report of an integration grant application.

One deterministic run of the scenario (central values, the budget whose lines add up) and a
Monte Carlo of ``K`` draws of the declared uncertainty (80% and 95% bands) are computed by
:mod:`intsim.report.grant_runs`; the tables by :mod:`intsim.report.grant_tables`. This module
renders them: ``grant_report.html`` (self-contained, figures embedded, print-friendly),
one CSV per table, ``grant_report.xlsx`` (an Excel pro forma whose budget totals and net are
live formulas) and the figures as PNG and SVG under ``figures/``. Everything is written into a
staged folder that replaces ``--out`` only when complete (:mod:`intsim.outdir`).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim import argcheck
from intsim.params.scenario import Scenario, load_scenario
from intsim.report import grant_runs as gr
from intsim.report import grant_tables as gt
from intsim.report.document import Document, count, pct, usd
from intsim.report.grant_runs import GrantReport

#: Monte Carlo draws when ``--runs`` is not given: the whole command takes about a minute on a
#: 2-core machine for the 12,000-patient example (docs/walkthrough-grant.md).
DEFAULT_RUNS = 60
#: Months at which the probability of being self-sustaining is tabulated (those in the horizon).
SUSTAIN_MONTHS = (12, 24, 36, 48, 60, 72, 84, 96, 108, 120)
FIGURES_DIR = "figures"


# --------------------------------------------------------------------------- computing


def check_scenario(scenario: Scenario) -> None:
    """Refuse scenarios the report cannot describe (exit 2 naming the key)."""
    values = scenario.values
    if values.care_model == "usual_care":
        raise argcheck.UsageError(
            f"{scenario.name}: care_model is usual_care; expected a programme (cocm, pcbh or "
            "hybrid) to report on"
        )
    if not values.finance.counterfactual:
        raise argcheck.UsageError(
            f"{scenario.name}: finance.counterfactual is false; the grant report compares "
            "programme patients with the same patients under usual care, so it must be true"
        )


def build_report(
    scenario: Scenario,
    runs: int,
    seed: int,
    executor: Any,
    log: Callable[[str], None] | None = None,
) -> GrantReport:
    """Run the scenario as written, the Monte Carlo and the tornado; compute every table.

    ``log`` receives one line as each stage starts (progress for the user).
    """
    say = log or (lambda _line: None)
    t0 = time.perf_counter()
    say(f"running the scenario as written (seed {seed})")
    det = gr.deterministic_run(scenario, seed)
    t1 = time.perf_counter()
    say(f"running {runs} Monte Carlo draws")
    mc = gr.monte_carlo(scenario, runs, seed, executor)
    t2 = time.perf_counter()
    screened = gr.screen_factors(mc)
    say(f"one-way sensitivity of the funding gap to {len(screened)} inputs")
    tornado = gr.gap_tornado(scenario, screened, seed, executor)
    t3 = time.perf_counter()
    horizon = int(scenario.values.simulation.months)
    report = GrantReport(
        scenario=scenario,
        seed=seed,
        runs=runs,
        deterministic=det,
        reach=gt.mean_reach(mc.runs),
        outcomes=gt.mean_outcomes(mc.runs),
        budget=gt.mean_budget(mc.runs, gt.budget_lines(det)),
        mc=mc,
        bands=gt.bands(mc.runs, [c for c in mc.runs.columns if c not in ("draw", "seed")]),
        sustainability=gt.sustainability_curve(mc.runs, horizon),
        tornado=tornado,
        assumptions=gt.assumptions_table(scenario),
        metrics=gt.run_metrics(det),
    )
    report.seconds = {
        "deterministic": t1 - t0,
        "monte_carlo": t2 - t1,
        "tornado": t3 - t2,
    }
    return report


# --------------------------------------------------------------------------- tables shown


def band_text(stats: pd.Series, low: str, high: str, fmt: Any) -> str:
    """``a – b`` from two quantile columns, formatted (``–`` when there is no value)."""
    a, b = float(stats[low]), float(stats[high])
    if not (math.isfinite(a) and math.isfinite(b)):
        return "–"
    return f"{fmt(a)} – {fmt(b)}"


def _bands_80_95(report: GrantReport, metric: str, fmt: Any) -> dict[str, str]:
    stats = report.band(metric)
    return {
        "80% range": band_text(stats, "p10", "p90", fmt),
        "95% range": band_text(stats, "p2_5", "p97_5", fmt),
    }


def reach_table(report: GrantReport) -> pd.DataFrame:
    """Patients reached per year (central values and the bands of the total reached)."""
    rows = []
    for r in report.reach.to_dict("records"):
        y = int(r["year"])
        rows.append(
            {
                "Year": report.year_label(y),
                "Patients reached": count(r["reached"]),
                **_bands_80_95(report, f"y{y}.reached", count),
                "CoCM": count(r["reached_cocm"]),
                "PCBH": count(r["reached_pcbh"]),
                "Patients with a threshold episode": count(r["with_threshold_episode"]),
                "Share of them reached": pct(r["share_of_eligible_reached"]),
                "Share, 80% range": band_text(
                    report.band(f"y{y}.share_of_eligible_reached"), "p10", "p90", pct
                ),
            }
        )
    return pd.DataFrame(rows)


def outcomes_table(report: GrantReport) -> pd.DataFrame:
    """Outcomes among programme patients beyond usual care, by year and in total, with bands."""
    rows = []
    for name, label in gt.OUTCOME_LABELS.items():
        row: dict[str, Any] = {"Outcome among programme patients": label}
        for r in report.outcomes.to_dict("records"):
            row[report.year_label(int(r["year"]))] = count(r[name])
        row["All years"] = count(report.central(name))
        row.update(_bands_80_95(report, name, count))
        rows.append(row)
    return pd.DataFrame(rows)


def budget_table(report: GrantReport) -> pd.DataFrame:
    """The budget by year of the deterministic run, every line (USD, formatted)."""
    years = [c for c in report.budget.columns if c.startswith("year_")]
    rows = []
    for r in report.budget.to_dict("records"):
        row = {"Line": r["label"]}
        row.update({report.year_label(int(c.removeprefix("year_"))): usd(r[c]) for c in years})
        row["All years"] = usd(r["total"])
        rows.append(row)
    return pd.DataFrame(rows)


def budget_bands_table(report: GrantReport) -> pd.DataFrame:
    """Net and funding gap per year: central value and Monte Carlo bands."""
    rows = []
    for y in report.years:
        rows.append(  # noqa: PERF401 (one record per year, readable)
            {
                "Year": report.year_label(y),
                "Net": usd(report.budget_value("net", f"year_{y}")),
                "Net, 80% range": band_text(report.band(f"y{y}.net"), "p10", "p90", usd),
                "Gap without grant": usd(
                    report.budget_value("funding_gap_without_grant", f"year_{y}")
                ),
                **{
                    f"Gap, {k}": v
                    for k, v in _bands_80_95(report, f"y{y}.gap_without_grant", usd).items()
                },
            }
        )
    return pd.DataFrame(rows)


def sustainability_table(report: GrantReport) -> pd.DataFrame:
    """P(self-sustaining without grant money by month m) at yearly months of the horizon."""
    curve = report.sustainability.set_index("month")["probability_self_sustaining"]
    months = [m for m in SUSTAIN_MONTHS if m in curve.index]
    return pd.DataFrame(
        {
            "By month": months,
            "Probability self-sustaining without grant money": [pct(curve[m]) for m in months],
        }
    )


def unit_cost_table(report: GrantReport) -> pd.DataFrame:
    """Cost per patient served and per additional responder, with bands."""
    rows = []
    for metric, label in (
        ("cost_per_patient_served", "Cost per patient served (startup included)"),
        ("cost_per_additional_responder", "Cost per additional responder (startup included)"),
        ("funding_gap_after_grant_per_year", "Funding gap per year after the grant ends"),
    ):
        rows.append(
            {
                "Measure": label,
                "Expected": usd(report.central(metric)),
                **_bands_80_95(report, metric, usd),
            }
        )
    return pd.DataFrame(rows)


def drivers_table(report: GrantReport, n: int = gr.TOP_DRIVERS) -> pd.DataFrame:
    """The inputs that move the funding gap most (largest distance from the base first)."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    rows = []
    for r in report.tornado.head(n).to_dict("records"):
        unit = fg.param_unit(r["factor"])
        rows.append(
            {
                "Input": fg.param_name(r["factor"]),
                "Scenario value": fg.value_text(r["base_value"], unit),
                "Low (5th percentile)": fg.value_text(r["low_value"], unit),
                "High (95th percentile)": fg.value_text(r["high_value"], unit),
                "Gap at low": usd(r["output_low"]),
                "Gap at high": usd(r["output_high"]),
                "Largest change of the gap": usd(r["reach"]),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- narrative


def narrative_year(report: GrantReport) -> int:
    """The year the narrative describes: year 2, or year 1 of a one-year horizon."""
    return 2 if 2 in report.years else report.years[0]


def narrative(report: GrantReport) -> str:
    """The report's summary paragraph, generated from the tables' numbers."""
    y = narrative_year(report)
    r = report.reach.set_index("year").loc[y]
    reach_band = report.band(f"y{y}.reached")
    span = gt.horizon_text(report.horizon)
    c = report.central
    grant = report.budget.set_index("line")
    gap = grant.loc["funding_gap_without_grant"]
    parts = [
        f"In year {y} the programme is expected to reach {count(r['reached'])} patients "
        f"(80% range {band_text(reach_band, 'p10', 'p90', count)}): "
        f"{count(r['reached_cocm'])} through Collaborative Care and {count(r['reached_pcbh'])} "
        f"through PCBH, {pct(r['share_of_eligible_reached'])} of the "
        f"{count(r['with_threshold_episode'])} patients with a threshold depression or anxiety "
        "episode that year.",
        f"Over the {span}, compared with the same patients under usual care, the "
        f"patients it treats are expected to have {count(c('responders_beyond_usual_care'))} "
        f"more treatment responses and {count(c('remissions_beyond_usual_care'))} "
        f"more remissions, {count(report.central('episode_free_months_gained'))} more "
        f"depression-free patient-months, {count(report.central('ed_visits_avoided'))} fewer ED "
        f"visits and {count(report.central('admissions_avoided'))} fewer hospital admissions.",
        f"Costs over the {span} are {usd(grant.loc['cost_total', 'total'])}, "
        f"including {usd(grant.loc['startup', 'total'])} of startup costs, against revenue of "
        f"{usd(grant.loc['revenue_total', 'total'])}, of which "
        f"{usd(grant.loc['revenue_grant', 'total'])} "
        f"is grant money; the net is {usd(grant.loc['net', 'total'])}.",
        f"Without the grant, the funding gap would be {usd(gap['year_1'])} in year 1 and "
        f"{usd(gap['total'])} over all years.",
    ]
    after = report.central("funding_gap_after_grant_per_year")
    after_band = report.band("funding_gap_after_grant_per_year")
    if math.isfinite(after):
        parts.append(
            f"After the grant ends the programme is expected to lack {usd(after)} a year "
            f"(80% range {band_text(after_band, 'p10', 'p90', usd)})."
        )
    horizon = int(report.sustainability["month"].max())
    p_end = float(report.sustainability["probability_self_sustaining"].iloc[-1])
    parts.append(
        f"The probability that it sustains itself without grant money by month {horizon} is "
        f"{pct(p_end)}."
    )
    one = report.metrics
    parts.append(
        f"A single run of the scenario as written (seed {report.seed}) reaches "
        f"{count(one[f'y{y}.reached'])} patients in year {y} and ends with a net of "
        f"{usd(one['net'])}; single runs differ from the expected values because staff "
        "turnover, vacancies and patients' courses are chance events."
    )
    if not report.tornado.empty:
        from intsim.analysis import figures as fg  # noqa: PLC0415

        top = report.tornado.iloc[0]
        name = fg.lower_first(fg.param_name(top["factor"]))
        parts.append(
            f"The input that moves the funding gap most is {name} "
            f"(the gap ranges from {usd(min(top['output_low'], top['output_high']))} to "
            f"{usd(max(top['output_low'], top['output_high']))} over its plausible range)."
        )
    return " ".join(parts)


# --------------------------------------------------------------------------- figures


def plot_reach(report: GrantReport, out_dir: Path) -> Path:
    """Patients reached per year by programme, with 80% and 95% bands of the total."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    plt = fg.pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    years = np.array(report.years)
    width = 0.26
    series = (
        ("reached", "All programme patients (unduplicated)", fg.PALETTE["blue"]),
        ("reached_cocm", "Collaborative Care (CoCM)", fg.PALETTE["orange"]),
        ("reached_pcbh", "PCBH", fg.PALETTE["green"]),
    )
    for k, (key, label, colour) in enumerate(series):
        x = years + (k - 1) * width
        ax.bar(x, report.reach[key], width=width, color=colour, label=label)
        lo95 = [report.band(f"y{y}.{key}")["p2_5"] for y in years]
        hi95 = [report.band(f"y{y}.{key}")["p97_5"] for y in years]
        lo80 = [report.band(f"y{y}.{key}")["p10"] for y in years]
        hi80 = [report.band(f"y{y}.{key}")["p90"] for y in years]
        ax.vlines(x, lo95, hi95, color="black", linewidth=0.8)
        ax.vlines(x, lo80, hi80, color="black", linewidth=2.5)
    ax.set_xticks(years, [report.year_label(int(y)) for y in years])
    ax.set_ylabel("Patients reached in the year")
    fg.format_axis(ax.yaxis, "patients")
    ax.set_title("Patients reached per year (bars: expected; lines: 80% and 95% ranges)")
    fg.legend_below(ax, ncols=3)
    return fg.save(fig, out_dir / "reach_by_year.png")[0]


def plot_budget(report: GrantReport, out_dir: Path) -> Path:
    """Revenue (grant apart), cost with startup, and the net without grant money, per year."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    plt = fg.pyplot()
    b = report.budget.set_index("line")
    years = np.array(report.years)
    cols = [f"year_{y}" for y in years]
    grant = b.loc["revenue_grant", cols].to_numpy(float)
    earned = b.loc["revenue_total", cols].to_numpy(float) - grant
    startup = b.loc["startup", cols].to_numpy(float)
    operating = b.loc["cost_total", cols].to_numpy(float) - startup
    fig, ax = plt.subplots(figsize=(8, 4.5))
    w = 0.38
    ax.bar(years - w / 2, earned, w, color=fg.PALETTE["blue"], label="Revenue earned")
    ax.bar(
        years - w / 2,
        grant,
        w,
        bottom=earned,
        color="white",
        edgecolor=fg.PALETTE["blue"],
        hatch="///",
        label="Grant money",
    )
    ax.bar(years + w / 2, operating, w, color=fg.PALETTE["vermillion"], label="Operating cost")
    ax.bar(
        years + w / 2,
        startup,
        w,
        bottom=operating,
        color=fg.PALETTE["orange"],
        label="Startup cost",
    )
    gap_lo = [report.band(f"y{y}.gap_without_grant")["p10"] for y in years]
    gap_hi = [report.band(f"y{y}.gap_without_grant")["p90"] for y in years]
    gap = b.loc["funding_gap_without_grant", cols].to_numpy(float)
    ax.errorbar(
        years,
        gap,
        yerr=[gap - np.array(gap_lo), np.array(gap_hi) - gap],
        fmt="D",
        color="black",
        capsize=4,
        label="Funding gap without the grant (80% range)",
    )
    ax.set_xticks(years, [report.year_label(int(y)) for y in years])
    ax.set_ylabel("USD per year")
    fg.format_axis(ax.yaxis, "USD")
    ax.set_title("Budget by year")
    fg.legend_below(ax, ncols=3)
    return fg.save(fig, out_dir / "budget_by_year.png")[0]


def plot_sustainability(report: GrantReport, out_dir: Path) -> Path:
    """P(self-sustaining without grant money by month)."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    plt = fg.pyplot()
    s = report.sustainability
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.step(s["month"], s["probability_self_sustaining"], where="post", color=fg.PALETTE["blue"])
    g = report.scenario.values.grants
    if g.annual_amount > 0:
        end = g.start_month + g.duration_months - 1
        ax.axvline(end, color=fg.GREY, linestyle="--", linewidth=1)
        ax.text(end, 1.02, " grant ends", color=fg.GREY, fontsize=8, va="bottom")
    ax.set_ylim(0, 1.08)
    ax.set_xlim(1, int(s["month"].max()))
    ax.set_xlabel("Month")
    ax.set_ylabel("Probability")
    fg.format_axis(ax.yaxis, "share")
    ax.set_title(f"Probability of being self-sustaining without grant money ({report.runs} draws)")
    return fg.save(fig, out_dir / "self_sustaining.png")[0]


def plot_drivers(report: GrantReport, out_dir: Path) -> Path | None:
    """Tornado of the funding gap: the five inputs that move it most."""
    if report.tornado.empty:
        return None
    from intsim.analysis.deterministic import plot_tornado  # noqa: PLC0415

    written = plot_tornado(report.tornado.head(gr.TOP_DRIVERS), out_dir)
    return next(p for p in written if p.suffix == ".png")


# --------------------------------------------------------------------------- writing


def write_csvs(report: GrantReport, out_dir: Path) -> list[str]:
    """The report's tables as CSV (raw numbers, not formatted text)."""
    files = {
        "reach_by_year.csv": report.reach,
        "outcomes_by_year.csv": report.outcomes,
        "budget_by_year.csv": report.budget,
        "uncertainty_bands.csv": report.bands,
        "self_sustaining_by_month.csv": report.sustainability,
        "funding_gap_tornado.csv": report.tornado,
        "assumptions.csv": report.assumptions,
        "mc_runs.csv": report.mc.runs,
        "mc_draws.csv": report.mc.draws,
    }
    for name, frame in files.items():
        frame.to_csv(out_dir / name, index=False)
    return list(files)


def render_html(report: GrantReport, figures: dict[str, Path | None]) -> Document:
    """The HTML document of the report."""
    sc = report.scenario
    v = sc.values
    doc = Document(
        title=f"Grant impact and budget report: {sc.name}",
        subtitle=(
            f"{v.care_model} programme, {v.staffing.n_pcps} PCPs, "
            f"{v.population.n_patients:,} patients, {v.simulation.months} months; expected "
            f"values and ranges from {report.runs} Monte Carlo draws of the declared parameter "
            "uncertainty. Generated by intsim."
        ),
    )
    doc.heading("Summary")
    doc.paragraph(narrative(report))
    doc.note(
        f"Expected values are means over {report.runs} Monte Carlo draws of the declared "
        "parameter uncertainty (docs/evidence.md), each simulated on its own random numbers; the "
        "80% and 95% ranges are the 10th-90th and 2.5th-97.5th percentiles over the same draws. "
        "Parameters the scenario sets itself are held at its values."
    )
    doc.heading("Patients reached")
    doc.table(reach_table(report), caption="Unduplicated patients reached per programme year")
    doc.note(
        "A patient is reached by CoCM in a year with any care-manager time and by PCBH with any "
        "BHC visit; patients reached by both count once in the total. Eligible patients are "
        "those with a threshold depression or anxiety episode while in the panel that year; the "
        "share is those of them the programme reached."
    )
    if figures.get("reach"):
        doc.figure(figures["reach"], "Patients reached per year, by programme")  # type: ignore[arg-type]
    doc.heading("Outcomes among programme patients")
    doc.table(
        outcomes_table(report),
        caption="Programme patients compared with the same patients under usual care",
    )
    doc.note(
        "Each outcome is the programme run minus a usual-care run of the same clinic on the "
        "same random numbers (finance.counterfactual): the same patients, with the same luck, "
        "with and without the programme. These are outcomes of the people the programme "
        "treats, not totals of the whole panel."
    )
    doc.heading("Budget by year")
    doc.table(budget_table(report), caption="Expected budget by programme year (USD)")
    doc.note(
        "Startup and one-off costs are paid before go-live and counted in year 1, so the years' "
        "nets add up to the overall net. Claims are payer payments plus patient cost-sharing "
        "collected, after capture and denials. The funding gap is what each year would lack "
        f"without grant money. Grant: {usd(report.deterministic.summary['grant_awarded'])} "
        f"awarded, {usd(report.central('grant_drawn'))} drawn within the horizon (expected)."
    )
    doc.table(budget_bands_table(report), caption="Net and funding gap per year, with ranges")
    if figures.get("budget"):
        doc.figure(figures["budget"], "Revenue, grant money, cost and funding gap per year")  # type: ignore[arg-type]
    doc.heading("Sustainability and unit costs")
    doc.table(
        sustainability_table(report),
        caption="When the programme sustains itself without grant money",
    )
    doc.note(
        "Self-sustaining from month m: the monthly net without grant money is at least zero "
        "for three consecutive months from m. The probability is the share of Monte Carlo draws "
        "self-sustaining by then."
    )
    if figures.get("sustain"):
        doc.figure(figures["sustain"], "Probability of being self-sustaining by month")  # type: ignore[arg-type]
    doc.table(unit_cost_table(report), caption="Unit costs over the horizon (USD)")
    doc.heading("What moves the funding gap")
    if report.tornado.empty:
        doc.paragraph("No declared-uncertain parameter is left free by this scenario.")
    else:
        doc.table(drivers_table(report), caption="The five inputs that move the funding gap most")
        doc.note(
            f"The funding gap over all years without grant money, with each input at the 5th "
            f"and 95th percentiles of its declared distribution and the others at the scenario's "
            f"values, all on the random numbers of seed {report.seed} (the base, "
            f"{usd(report.tornado['base_output'].iloc[0])}, is that single run, so it differs "
            "from the expected gap). The inputs were screened from the "
            f"{gr.SCREENED} most rank-correlated with the gap over the Monte Carlo draws."
        )
        if figures.get("drivers"):
            doc.figure(figures["drivers"], "One-way sensitivity of the funding gap")  # type: ignore[arg-type]
    doc.heading("Assumptions")
    shown = report.assumptions.assign(
        value=report.assumptions["value"].map(str), default=report.assumptions["default"].map(str)
    )
    doc.table(
        shown.rename(columns=str.capitalize),
        caption="Every parameter that differs from its declared default, with its source",
    )
    doc.note(
        "Source: the parameter declaration's source for the default value and its plausible "
        "range (docs/parameters.md); the reason for the scenario's own value belongs in the "
        "comments of the scenario file. All other parameters take their declared central "
        "estimates (`intsim params`)."
    )
    return doc


def write_report(report: GrantReport, out_dir: Path) -> dict[str, Any]:
    """Write the HTML, CSVs, workbook and figures into ``out_dir``; return what was written."""
    from intsim.report.grant_workbook import write_workbook  # noqa: PLC0415 (openpyxl is slow)

    fig_dir = out_dir / FIGURES_DIR
    fig_dir.mkdir()
    figures = {
        "reach": plot_reach(report, fig_dir),
        "budget": plot_budget(report, fig_dir),
        "sustain": plot_sustainability(report, fig_dir),
        "drivers": plot_drivers(report, fig_dir),
    }
    csvs = write_csvs(report, out_dir)
    render_html(report, figures).write(out_dir / "grant_report.html")
    write_workbook(report, out_dir / "grant_report.xlsx")
    return {"html": "grant_report.html", "xlsx": "grant_report.xlsx", "csv": csvs}


# --------------------------------------------------------------------------- command


def _executor(jobs: int | None) -> Any:
    from intsim.analysis.batch import make_executor  # noqa: PLC0415

    n = jobs if jobs is not None else (os.cpu_count() or 1)
    return make_executor("serial") if n == 1 else make_executor("process", workers=n)


def cmd_report_grant(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim report grant SCENARIO``: compute, write (staged) and print the headline."""
    from intsim.provenance import manifest_base, write_json  # noqa: PLC0415

    started = time.perf_counter()
    scenario = load_scenario(args.scenario)
    check_scenario(scenario)
    for line in scenario.warnings:
        print(f"intsim: warning: {line}", file=sys.stderr)
    seed = int(args.seed if args.seed is not None else scenario.values.simulation.seed)
    runs = int(args.runs if args.runs is not None else DEFAULT_RUNS)
    out_dir = args.out if args.out is not None else Path("results") / f"grant-{scenario.name}"
    argcheck.claim_out(out_dir)
    with _executor(args.jobs) as executor:
        report = build_report(scenario, runs, seed, executor, log=_progress)
    with argcheck.staged_out(out_dir) as tmp:
        written = write_report(report, tmp)
        report.seconds["total"] = time.perf_counter() - started
        write_json(
            tmp / "manifest.json",
            {
                **manifest_base(["intsim", *argv]),
                "scenario": scenario.to_dict(),
                "scenario_hash": scenario.scenario_hash(),
                "seed": seed,
                "runs": runs,
                "uncertain_parameters": [c for c in report.mc.draws.columns if c != "draw"],
                "tornado_screened": list(report.tornado["factor"])
                if not report.tornado.empty
                else [],
                "seconds": report.seconds,
                "outputs": written,
                "warnings": list(scenario.warnings),
            },
        )
    print_headline(report, out_dir)
    return 0


def _progress(line: str) -> None:
    print(f"intsim report grant: {line} ...", file=sys.stderr, flush=True)


def print_headline(report: GrantReport, out_dir: Path) -> None:
    """The narrative and where the outputs are."""
    import textwrap  # noqa: PLC0415

    print(
        f"intsim report grant {report.scenario.name}: {report.runs} Monte Carlo draws and "
        f"one run of the scenario as written, seed {report.seed}, "
        f"{report.seconds.get('total', 0.0):.0f} s"
    )
    print(textwrap.fill(narrative(report), width=100))
    print(f"report written to {out_dir}/grant_report.html (tables: CSV and grant_report.xlsx)")
