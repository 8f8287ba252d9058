"""Workforce shortage x BH turnover x telehealth substitution for CoCM, PCBH and hybrid.

Usage:
    python experiments/workforce_shortage.py                 # 20 seeds x 54 cells (~5.5 min)
    python experiments/workforce_shortage.py --seeds 40 --jobs 2
    python experiments/workforce_shortage.py --scenario FILE --set KEY.PATH=VALUE --out DIR
    python experiments/workforce_shortage.py --severities none severe --turnover 0.3
    python experiments/workforce_shortage.py --quick         # 2 seeds, 12 months, small panel

Every strategy of the experiment file (configs/experiments/workforce_shortage.yaml: CoCM, PCBH
and hybrid on the default organisation, fee-for-service, no usual-care twin) is run on the grid

* ``workforce.shortage_severity`` none / moderate / severe: the median time to fill a vacancy
  x0.5 / x1 / x2.5 (docs/evidence.md D6);
* ``workforce.bh_turnover_annual`` 0.15 / 0.30 / 0.50 per year (care managers and BHCs;
  docs/evidence.md D6: ~30% average, 25-50% reported);
* telehealth substitution off / on: ``workforce.tele_cm_backfill`` and
  ``workforce.telepsychiatry_backfill`` together (docs/evidence.md D7). They cover vacant
  care-manager and psychiatric-consultant positions (tele care management, a telepsychiatry
  vendor) from ``workforce.vendor_contract_months`` after the vacancy opened: vacancies left by a
  departure and positions still unfilled at go-live alike (src/intsim/sim/workforce.py). BHCs are
  not covered, and PCBH has neither care managers nor a psychiatric consultant, so its two
  telehealth arms are identical.

Every cell runs on the same seeds 1..N (common random numbers: the same patients, and the same
draws for each staff position's departures and times to fill, in every cell). For each cell the
script reports the mean and spread (SD, 10th, 50th and 90th percentiles) over seeds of the
programme's sustainability (net margin, break-even and payback, cash trough, NPV), its reach
(patients served, mean waitlist) and its workforce (vacancy-months, departures, effective FTE,
burnout, substitution and recruitment cost).

Outputs (in --out, default results/workforce_shortage/):
    runs.csv                    one row per cell x seed: strategy, care_model, severity,
                                bh_turnover, telehealth, seed and every metric
    summary.csv                 one row per cell: n_seeds, break_even_share, payback_share and
                                <metric>_mean/_sd/_p10/_p50/_p90 (<metric>_n: seeds where a
                                month metric is defined)
    net_margin_heatmap.png/.pdf mean net margin, turnover x severity, per care model, telehealth
                                off (top) and on (bottom)
    by_severity.png/.pdf        net margin, cash trough, patients served, waitlist, vacancy-months
                                and effective BH FTE vs severity at 30%/yr turnover (mean,
                                p10-p90 bars), telehealth off (solid) and on (dashed)
    workforce_timeline.png/.pdf vacancies by role, effective care-manager and BHC FTE and
                                cumulative cash by month in one illustrative cell (hybrid, severe
                                shortage, 30%/yr turnover), telehealth off vs on (mean, p10-p90)
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim import argcheck
from intsim.analysis import figures as fg
from intsim.argcheck import run_main
from intsim.params.scenario import Scenario
from intsim.params.workforce import SHORTAGE_SEVERITIES

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # so that the script also imports when loaded by file path
    sys.path.insert(0, str(HERE))

import _common as common  # noqa: E402

OUT = Path("results/workforce_shortage")
SCENARIO = common.ROOT / "configs" / "experiments" / "workforce_shortage.yaml"
DEFAULT_SEEDS = 20

#: Default grid: shortage severity and annual BH turnover.
SEVERITIES: tuple[str, ...] = SHORTAGE_SEVERITIES
TURNOVERS: tuple[float, ...] = (0.15, 0.30, 0.50)
#: Telehealth substitution arms.
TELEHEALTH: dict[str, dict[str, Any]] = {
    "off": {"workforce.tele_cm_backfill": False, "workforce.telepsychiatry_backfill": False},
    "on": {"workforce.tele_cm_backfill": True, "workforce.telepsychiatry_backfill": True},
}
#: Turnover of the by-severity figure (the declared default) and the illustrative cell.
FOCUS_TURNOVER = 0.30
ILLUSTRATIVE = ("hybrid", "severe")

ROLES: tuple[str, ...] = ("pcp", "cm", "bhc", "psych")
#: Monthly columns kept from every run.
MONTHLY: tuple[str, ...] = (
    *(f"vacancies_{r}" for r in ROLES),
    *(f"departures_{r}" for r in ROLES),
    *(f"hires_{r}" for r in ROLES),
    *(f"effective_fte_{r}" for r in ROLES),
    "mean_burnout",
    "tele_fte_cm",
    "tele_psych_hours",
    "cost_substitution",
    "cost_recruitment",
    "waitlist",
)

#: Metrics summarised over seeds, in report order.
METRICS: tuple[str, ...] = (
    "net_margin_pct",
    "net",
    "npv",
    "break_even_month",
    "payback_month",
    "cash_trough",
    "cash_trough_month",
    "total_revenue",
    "total_cost",
    "startup_cost",
    "patients_served",
    "responders",
    "mean_waitlist",
    "vacancy_months",
    "vacancy_months_pcp",
    "vacancy_months_cm",
    "vacancy_months_bhc",
    "vacancy_months_psych",
    "departures_bh",
    "hires_bh",
    "effective_bh_fte",
    "effective_bh_fte_share",
    "mean_burnout",
    "tele_cm_fte_months",
    "cost_substitution",
    "cost_recruitment",
)
#: 0/1 indicators whose mean over seeds is a share.
SHARES: dict[str, str] = {"broke_even": "break_even_share", "paid_back": "payback_share"}
#: Month metrics that may be undefined (never reached within the horizon).
MONTHS: tuple[str, ...] = ("break_even_month", "payback_month")

MODEL_COLORS: dict[str, str] = {"cocm": "#0072B2", "pcbh": "#009E73", "hybrid": "#D55E00"}
MODEL_LABELS: dict[str, str] = {"cocm": "CoCM", "pcbh": "PCBH", "hybrid": "hybrid"}
ROLE_LABELS: dict[str, str] = {
    "pcp": "PCPs",
    "cm": "care managers",
    "bhc": "BHCs",
    "psych": "psychiatric consultant",
}
EXTRA_COLORS = ("#CC79A7", "#56B4E9", "#000000", "#7f7f7f", "#999999", "#F0E442")


def add_arguments(parser: Any) -> None:
    """The grid options of this script."""
    parser.add_argument(
        "--severities",
        nargs="+",
        choices=SEVERITIES,
        default=list(SEVERITIES),
        help="workforce.shortage_severity values (default: all three)",
    )
    parser.add_argument(
        "--turnover",
        nargs="+",
        type=argcheck.unit_interval,
        default=list(TURNOVERS),
        help="workforce.bh_turnover_annual values (default 0.15 0.30 0.50)",
    )


def label(strategy: str) -> str:
    """Display name of a strategy."""
    return MODEL_LABELS.get(strategy, strategy)


def color(strategy: str, strategies: list[str]) -> str:
    """Colour of a strategy (care-model colours, others in turn)."""
    if strategy in MODEL_COLORS:
        return MODEL_COLORS[strategy]
    others = [s for s in strategies if s not in MODEL_COLORS]
    return EXTRA_COLORS[others.index(strategy) % len(EXTRA_COLORS)]


def turnover_key(turnover: float) -> str:
    """A turnover as a task label."""
    return f"{turnover:g}"


def cell_overrides(severity: str, turnover: float, telehealth: str) -> dict[str, Any]:
    """The overrides of one grid cell."""
    return {
        "workforce.shortage_severity": severity,
        "workforce.bh_turnover_annual": turnover,
        **TELEHEALTH[telehealth],
    }


def planned_bh_fte(scenario: Scenario) -> float:
    """Care-manager plus BHC FTE of the scenario's staffing plan (trainees excluded)."""
    s = scenario.values.staffing
    return float(s.care_manager_fte + s.bhc_fte)


def run_row(out: common.Outcome, planned: float) -> dict[str, float]:
    """The metrics of one run (programme view; workforce totals over the horizon)."""
    base = common.run_metrics(out)
    m, s = out.monthly, out.summary
    bh_fte = (m["effective_fte_cm"] + m["effective_fte_bhc"]).to_numpy(float)
    row: dict[str, float] = {
        k: base[k]
        for k in (
            "net_margin_pct",
            "net",
            "npv",
            "break_even_month",
            "broke_even",
            "payback_month",
            "paid_back",
            "cash_trough",
            "cash_trough_month",
            "total_revenue",
            "total_cost",
            "startup_cost",
            "patients_served",
            "responders",
        )
    }
    row["mean_waitlist"] = float(s["mean_waitlist"])
    for r in ROLES:
        row[f"vacancy_months_{r}"] = float(m[f"vacancies_{r}"].sum())
    row["vacancy_months"] = sum(row[f"vacancy_months_{r}"] for r in ROLES)
    row["departures_bh"] = float((m["departures_cm"] + m["departures_bhc"]).sum())
    row["hires_bh"] = float((m["hires_cm"] + m["hires_bhc"]).sum())
    row["effective_bh_fte"] = float(bh_fte.mean())
    row["effective_bh_fte_share"] = float(bh_fte.mean() / planned) if planned > 0 else math.nan
    row["mean_burnout"] = float(m["mean_burnout"].mean())
    row["tele_cm_fte_months"] = float(m["tele_fte_cm"].sum())
    row["cost_substitution"] = float(m["cost_substitution"].sum())
    row["cost_recruitment"] = float(m["cost_recruitment"].sum())
    return row


# --------------------------------------------------------------------------- printed table


def _fmt_spread(row: pd.Series, metric: str, kind: str) -> str:
    mean, lo, hi = (float(row[f"{metric}_{s}"]) for s in ("mean", "p10", "p90"))
    if math.isnan(mean):
        return "n/a"
    if kind == "money":
        return f"{common.fmt_money(mean)} [{common.fmt_money(lo)}, {common.fmt_money(hi)}]"
    if kind == "pct":
        return f"{mean:.1f} [{lo:.1f}, {hi:.1f}]"
    return f"{mean:,.0f} [{lo:,.0f}, {hi:,.0f}]"


def format_summary(summary: pd.DataFrame) -> str:
    """One block per strategy; one row per severity x turnover x telehealth."""
    header = [
        "severity / turnover / tele",
        "net margin % [p10, p90]",
        "breaks even",
        "cash trough [p10, p90]",
        "patients served",
        "mean waitlist",
        "vacancy-months",
        "BH FTE",
    ]
    blocks = []
    for strategy, block in summary.groupby("strategy", sort=False):
        rows = []
        for _, row in block.iterrows():
            share = float(row["effective_bh_fte_share_mean"])
            rows.append(
                [
                    f"{row['severity']} / {row['bh_turnover']:g} / {row['telehealth']}",
                    _fmt_spread(row, "net_margin_pct", "pct"),
                    common.fmt_share(float(row["break_even_share"])),
                    _fmt_spread(row, "cash_trough", "money"),
                    _fmt_spread(row, "patients_served", "count"),
                    common.fmt_number(float(row["mean_waitlist_mean"])),
                    common.fmt_number(float(row["vacancy_months_mean"])),
                    common.fmt_share(share),
                ]
            )
        blocks.append(f"{label(str(strategy))}\n" + common.text_table(header, rows))
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------- figures


def _luminance(rgba: Any) -> float:
    """Relative luminance (0 dark - 1 light) of a matplotlib RGBA colour."""
    r, g, b = (float(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def plot_heatmap(
    summary: pd.DataFrame,
    strategies: list[str],
    severities: list[str],
    turnovers: list[float],
    stem: Path,
) -> list[Path]:
    """Mean net margin, turnover (rows) x severity (columns), per strategy and telehealth arm."""
    plt = common.pyplot()
    from matplotlib.colors import Normalize, TwoSlopeNorm  # noqa: PLC0415

    values = summary["net_margin_pct_mean"].to_numpy(float)
    finite = values[np.isfinite(values)]
    lo = float(finite.min()) if finite.size else -1.0
    hi = float(finite.max()) if finite.size else 1.0
    # red-green around 0 when margins have both signs; else one hue spread over the data range
    if lo < 0 < hi:
        cmap, norm = "RdBu", TwoSlopeNorm(vcenter=0.0, vmin=lo, vmax=hi)
    else:
        cmap = "Reds_r" if hi <= 0 else "Greens"
        norm = Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1.0)
    arms = list(TELEHEALTH)
    fig, axes = plt.subplots(
        len(arms),
        len(strategies),
        figsize=(3.6 * len(strategies) + 1.2, 2.9 * len(arms) + 0.6),
        squeeze=False,
    )
    table = summary.set_index(["strategy", "severity", "bh_turnover", "telehealth"])
    im = None
    for i, arm in enumerate(arms):
        for j, strategy in enumerate(strategies):
            ax = axes[i][j]
            data = np.array(
                [
                    [
                        float(table.loc[(strategy, sev, to, arm), "net_margin_pct_mean"])
                        for sev in severities
                    ]
                    for to in turnovers
                ]
            )
            im = ax.imshow(data, cmap=cmap, norm=norm, aspect="auto", origin="lower")
            ax.grid(False)
            for y in range(data.shape[0]):
                for x in range(data.shape[1]):
                    v = data[y, x]
                    text = "n/a" if math.isnan(v) else f"{v:.0f}%"
                    # white text on dark cells, black on light ones
                    dark = not math.isnan(v) and _luminance(im.cmap(norm(v))) < 0.45
                    ax.text(
                        x,
                        y,
                        text,
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="white" if dark else "black",
                    )
            ax.set_xticks(range(len(severities)), severities, fontsize=8)
            ax.set_yticks(range(len(turnovers)), [f"{t:.0%}" for t in turnovers], fontsize=8)
            ax.set_title(f"{label(strategy)}, telehealth {arm}", fontsize=10)
            if j == 0:
                ax.set_ylabel("BH turnover (share per year)")
            if i == len(arms) - 1:
                ax.set_xlabel("Shortage severity")
    if im is not None:
        fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label="mean net margin (%)")
    n = int(summary["n_seeds"].iloc[0])
    fig.suptitle(f"Net margin by workforce shortage and BH turnover ({n} seeds, common seeds)")
    return common.save_figure(fig, stem)


#: Panels of the by-severity figure: (metric, title, scale).
SEVERITY_PANELS: tuple[tuple[str, str, float], ...] = (
    ("net_margin_pct", "net margin (%)", 1.0),
    ("cash_trough", "cash trough (thousand USD)", 1e3),
    ("patients_served", "patients served", 1.0),
    ("mean_waitlist", "mean waitlist (patients)", 1.0),
    ("vacancy_months", "vacancy-months (all positions)", 1.0),
    ("effective_bh_fte_share", "effective CM + BHC FTE / planned", 0.01),
)


def plot_by_severity(
    summary: pd.DataFrame, strategies: list[str], severities: list[str], turnover: float, stem: Path
) -> list[Path]:
    """Six metrics vs severity at one turnover: a line per strategy and telehealth arm."""
    plt = common.pyplot()
    sub = summary[np.isclose(summary["bh_turnover"], turnover)]
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.2))
    xs = np.arange(len(severities))
    width = 0.08
    n_lines = len(strategies) * len(TELEHEALTH)
    for ax, (metric, title, scale) in zip(axes.ravel(), SEVERITY_PANELS, strict=True):
        k = 0
        for strategy in strategies:
            for arm, (ls, marker) in zip(TELEHEALTH, (("-", "o"), ("--", "s")), strict=True):
                rows = sub[(sub["strategy"] == strategy) & (sub["telehealth"] == arm)]
                rows = rows.set_index("severity").loc[severities]
                mean = rows[f"{metric}_mean"].to_numpy(float) / scale
                lo = rows[f"{metric}_p10"].to_numpy(float) / scale
                hi = rows[f"{metric}_p90"].to_numpy(float) / scale
                offset = (k - (n_lines - 1) / 2) * width
                ax.errorbar(
                    xs + offset,
                    mean,
                    yerr=[mean - lo, hi - mean],
                    color=color(strategy, strategies),
                    ls=ls,
                    marker=marker,
                    ms=4,
                    lw=1.4,
                    capsize=2,
                    label=f"{label(strategy)}, telehealth {arm}",
                )
                k += 1
        ax.set_xticks(xs, severities)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        if metric in ("net_margin_pct", "cash_trough"):
            ax.axhline(0, color="black", lw=0.7)
    for ax in axes[1]:
        ax.set_xlabel("Shortage severity")
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside lower center", ncols=3)
    n = int(summary["n_seeds"].iloc[0])
    fig.suptitle(
        f"By shortage severity at {turnover:.0%}/yr BH turnover: mean and p10-p90 over {n} "
        "seeds (common seeds)"
    )
    return common.save_figure(fig, stem)


def plot_timeline(
    outcomes: list[common.Outcome],
    cell: tuple[str, str, str],
    planned: dict[str, float],
    stem: Path,
) -> list[Path]:
    """Vacancies, effective FTE and cumulative cash by month in one cell, telehealth off vs on."""
    plt = common.pyplot()
    strategy, severity, turnover = cell
    frames = {
        arm: [o.monthly for o in outcomes if o.key == (strategy, severity, turnover, arm)]
        for arm in TELEHEALTH
    }
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    ax = axes[0][0]
    for r, c in zip(ROLES, ("#7f7f7f", "#0072B2", "#009E73", "#CC79A7"), strict=True):
        month, mean, lo, hi = common.quantile_band(frames["off"], f"vacancies_{r}")
        ax.plot(month, mean, color=c, lw=1.6, label=ROLE_LABELS[r])
        ax.fill_between(month, lo, hi, color=c, alpha=0.12, lw=0)
    ax.set_title("vacant positions by role (telehealth off; identical when on)", fontsize=10)
    ax.set_ylabel("Vacant positions")
    fg.legend_below(ax, ncols=4)
    arm_style = {"off": ("#D55E00", "-"), "on": ("#0072B2", "--")}
    panels = (
        (axes[0][1], "effective_fte_cm", "effective care-manager FTE", planned["cm"], 1.0),
        (axes[1][0], "effective_fte_bhc", "effective BHC FTE", planned["bhc"], 1.0),
        (axes[1][1], "cumulative_cash", "cumulative cash incl. startup (thousand USD)", None, 1e3),
    )
    for ax, column, title, plan, scale in panels:
        for arm, (c, ls) in arm_style.items():
            month, mean, lo, hi = common.quantile_band(frames[arm], column)
            ax.plot(month, mean / scale, color=c, ls=ls, lw=1.7, label=f"telehealth {arm}")
            ax.fill_between(month, lo / scale, hi / scale, color=c, alpha=0.15, lw=0)
        if plan is not None:
            ax.axhline(plan, color="black", lw=0.8, ls=":", label="planned")
        else:
            ax.axhline(0, color="black", lw=0.7)
        ax.set_title(title, fontsize=10)
        fg.legend_below(ax, ncols=3)
    for ax in axes.ravel():
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("Month")
    n = len(frames["off"])
    fig.suptitle(
        f"{label(strategy)}, {severity} shortage, {float(turnover):.0%}/yr BH turnover: mean and "
        f"p10-p90 over {n} seeds"
    )
    return common.save_figure(fig, stem)


def illustrative_cell(
    strategies: list[str], severities: list[str], turnovers: list[float]
) -> tuple[str, str, str]:
    """The timeline's cell: hybrid, severe, 30%/yr if run, else the nearest available."""
    strategy = ILLUSTRATIVE[0] if ILLUSTRATIVE[0] in strategies else strategies[-1]
    severity = ILLUSTRATIVE[1] if ILLUSTRATIVE[1] in severities else severities[-1]
    turnover = min(turnovers, key=lambda t: abs(t - FOCUS_TURNOVER))
    return strategy, severity, turnover_key(turnover)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run the grid, write the tables and figures, print the summary."""
    args = common.parse_experiment_options(
        argv,
        description=__doc__.splitlines()[0],
        scenario=SCENARIO,
        default_seeds=DEFAULT_SEEDS,
        out=OUT,
        add_arguments=add_arguments,
    )
    common.claim_out(args.out)
    seeds = common.seed_list(args.n_seeds)
    severities = [s for s in SEVERITIES if s in args.severities]
    turnovers = sorted(set(args.turnover))
    base = common.load_strategies(args.scenario, args.overrides, quick=args.quick)
    strategies = list(base)

    tasks = [
        common.Task(
            (strategy, severity, turnover_key(turnover), arm),
            base[strategy].with_overrides(cell_overrides(severity, turnover, arm)),
            seed,
            args.horizon,
            MONTHLY,
        )
        for strategy in strategies
        for severity in severities
        for turnover in turnovers
        for arm in TELEHEALTH
        for seed in seeds
    ]
    n_cells = len(tasks) // len(seeds)
    print(
        f"workforce_shortage: {len(tasks)} runs ({n_cells} cells x {len(seeds)} seeds)",
        file=sys.stderr,
    )
    start = time.perf_counter()
    outcomes = common.run_tasks(tasks, jobs=args.jobs)
    planned = {s: planned_bh_fte(base[s]) for s in strategies}
    runs = pd.DataFrame(
        [
            {
                "strategy": o.key[0],
                "care_model": base[o.key[0]].values.care_model,
                "severity": o.key[1],
                "bh_turnover": float(o.key[2]),
                "telehealth": o.key[3],
                "seed": o.seed,
                **run_row(o, planned[o.key[0]]),
            }
            for o in outcomes
        ]
    )
    by = ["strategy", "care_model", "severity", "bh_turnover", "telehealth"]
    summary = common.wide_summary(runs, by, METRICS, shares=SHARES, count_defined=MONTHS)

    with common.staged_out(args.out) as out:
        runs.to_csv(out / "runs.csv", index=False)
        summary.to_csv(out / "summary.csv", index=False)
        written = [out / "runs.csv", out / "summary.csv"]
        written += plot_heatmap(
            summary, strategies, severities, turnovers, out / "net_margin_heatmap"
        )
        focus = min(turnovers, key=lambda t: abs(t - FOCUS_TURNOVER))
        written += plot_by_severity(summary, strategies, severities, focus, out / "by_severity")
        cell = illustrative_cell(strategies, severities, turnovers)
        staff = base[cell[0]].values.staffing
        written += plot_timeline(
            outcomes,
            cell,
            {"cm": float(staff.care_manager_fte), "bhc": float(staff.bhc_fte)},
            out / "workforce_timeline",
        )

    horizon = len(outcomes[0].monthly)
    print(
        f"\nWorkforce shortage: {len(seeds)} seeds (1-{seeds[-1]}), {horizon} months; mean "
        "[p10, p90] over seeds; breaks even = share of seeds with 3 months of net >= 0; "
        "BH FTE = mean effective care-manager + BHC FTE / planned\n"
    )
    print(format_summary(summary))
    print(
        "\nTelehealth substitution covers vacant care-manager and psychiatric-consultant "
        "positions (not BHCs); PCBH has neither, so its two telehealth arms coincide."
    )
    print(f"\n{len(tasks)} runs in {time.perf_counter() - start:.0f} s; written to {args.out}/:")
    for path in written:
        print(f"  {path.name}")
    return 0


if __name__ == "__main__":
    run_main(main)
