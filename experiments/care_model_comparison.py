"""Usual care vs CoCM vs PCBH vs hybrid on one population: money, reach and indirect benefits.

Usage:
    python experiments/care_model_comparison.py                 # 10 seeds, 60 months (~20 s)
    python experiments/care_model_comparison.py --seeds 20 --jobs 2
    python experiments/care_model_comparison.py --config-dir DIR --out DIR
    python experiments/care_model_comparison.py --quick         # 2 seeds, 12 months, small panel

The four shipped scenarios (configs/usual_care.yaml, cocm.yaml, pcbh.yaml, hybrid.yaml: one
organisation and panel) are each run on the same fixed seeds 1..N (common random numbers: the same
patients meet the same luck in every care model). For each care model the script reports the mean
and spread over seeds of the programme's sustainability (net, net margin, break-even and payback,
cash trough, NPV), its reach and outcomes (patients served, responders, incremental responders and
cost per incremental responder), the payer's view (total cost of care change PMPM, payer net
savings) and the indirect benefits next to direct claims revenue: ED visits and admissions avoided
and their cost, specialty-care months avoided, extra PCP visits made possible by BHCs and their
revenue. "Avoided" and "incremental" are relative to usual care on the same seed.

Chronic-disease management: the model does not output admissions among chronic patients, so no
chronic-care proxy beyond ED visits and admissions avoided (all patients) is reported.

Outputs (in --out, default results/care_model_comparison/):
    summary.csv            care model x metric: mean, sd, min, p5, p95, max, n_seeds, n_defined
    runs.csv               care model x seed: every metric of one run
    monthly_net.png/.pdf   monthly net and cumulative net (incl. startup) by month, mean and
                           p5-p95 band across seeds
    direct_vs_indirect.png/.pdf
                           direct claims revenue vs indirect benefits per care model
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import pandas as pd

from intsim.analysis import figures as fg
from intsim.argcheck import run_main
from intsim.params.scenario import Scenario, load_scenario

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # so that the script also imports when loaded by file path
    sys.path.insert(0, str(HERE))

import _common as common  # noqa: E402

OUT = Path("results/care_model_comparison")
DEFAULT_SEEDS = 10

#: Care models in report order; usual care first (the reference).
MODELS: tuple[str, ...] = ("usual_care", "cocm", "pcbh", "hybrid")
LABELS: dict[str, str] = {
    "usual_care": "usual care",
    "cocm": "CoCM",
    "pcbh": "PCBH",
    "hybrid": "hybrid",
}
COLORS: dict[str, str] = {
    "usual_care": "#7f7f7f",
    "cocm": "#0072B2",
    "pcbh": "#009E73",
    "hybrid": "#D55E00",
}

#: Metrics summarised over seeds (run columns), in report order.
METRICS: tuple[str, ...] = (
    "net",
    "net_margin_pct",
    "npv",
    "roi",
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
    "incremental_responders",
    "cost_per_responder",
    "cost_per_patient_served",
    "tcoc_pmpm_change",
    "payer_net_savings",
    "direct_claims_revenue",
    "pcp_visits_extra",
    "revenue_pcp_extra_visits",
    "ed_visits_avoided",
    "admissions_avoided",
    "acute_care_cost_avoided",
    "specialty_care_months_avoided",
    "specialty_care_cost_avoided",
)
#: 0/1 indicators per run whose mean over seeds is a share.
SHARES: dict[str, str] = {"broke_even": "break_even_share", "paid_back": "payback_share"}

#: Rows of the printed table: (metric in summary.csv, label, kind).
TABLE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("", "Sustainability (programme view)", "heading"),
    ("net", "net incl. startup (USD)", "money"),
    ("net_margin_pct", "net margin (%)", "pct"),
    ("npv", "NPV (USD)", "money"),
    ("break_even_share", "seeds breaking even", "share"),
    ("break_even_month", "break-even month (if any)", "month"),
    ("payback_share", "seeds paying back", "share"),
    ("payback_month", "payback month (if any)", "month"),
    ("cash_trough", "cash trough (USD)", "money"),
    ("", "Reach and outcomes", "heading"),
    ("patients_served", "patients served", "count"),
    ("responders", "responders", "count"),
    ("incremental_responders", "responders beyond usual care", "count"),
    ("cost_per_responder", "cost per incremental responder", "usd"),
    ("", "Payer view (vs usual care, same seed)", "heading"),
    ("tcoc_pmpm_change", "TCOC change PMPM (USD)", "usd2"),
    ("payer_net_savings", "payer net savings (USD)", "money"),
    ("", "Direct revenue vs indirect benefits", "heading"),
    ("direct_claims_revenue", "direct claims revenue (USD)", "money"),
    ("pcp_visits_extra", "extra PCP visits", "count"),
    ("revenue_pcp_extra_visits", "extra PCP visit revenue (USD)", "money"),
    ("ed_visits_avoided", "ED visits avoided", "count1"),
    ("admissions_avoided", "admissions avoided", "count1"),
    ("acute_care_cost_avoided", "acute-care cost avoided (USD)", "money"),
    ("specialty_care_months_avoided", "specialty-care months avoided", "count"),
)

#: Bars of the direct-vs-indirect figure: (metric, label, colour).
BARS: tuple[tuple[str, str, str], ...] = (
    ("direct_claims_revenue", "direct claims revenue", "#0072B2"),
    ("revenue_pcp_extra_visits", "extra PCP visit revenue", "#56B4E9"),
    ("acute_care_cost_avoided", "acute-care cost avoided (payer)", "#E69F00"),
    ("specialty_care_cost_avoided", "specialty-care cost avoided (payer)", "#CC79A7"),
    ("payer_net_savings", "payer net savings (TCOC incl. programme payments)", "#009E73"),
)


def load_models(config_dir: Path, quick: bool) -> dict[str, Scenario]:
    """Load the four care-model scenarios from ``config_dir`` (``--quick``: small panel)."""
    scenarios: dict[str, Scenario] = {}
    for model in MODELS:
        path = config_dir / f"{model}.yaml"
        if not path.is_file():
            raise SystemExit(f"care_model_comparison: {path} not found")
        sc = load_scenario(path)
        if sc.values.care_model != model:
            raise SystemExit(
                f"care_model_comparison: {path} has care_model {sc.values.care_model}, "
                f"expected {model}"
            )
        if quick:
            sc = sc.with_overrides(common.quick_overrides(sc))
        scenarios[model] = sc
    populations = {m: sc.to_dict()["population"] for m, sc in scenarios.items()}
    if any(p != populations["usual_care"] for p in populations.values()):
        print(
            "warning: the scenarios do not share one population section; comparisons with usual "
            "care are still on each run's own usual-care counterfactual",
            file=sys.stderr,
        )
    return scenarios


def _cell(stats: pd.Series, kind: str) -> str:
    mean, sd = float(stats["mean"]), float(stats["sd"])
    spread = "" if math.isnan(sd) else sd
    if kind == "share":
        return common.fmt_share(mean)
    if kind == "month":
        if math.isnan(mean):
            return "never"
        return f"{mean:.0f} [{stats['min']:.0f}-{stats['max']:.0f}]"
    if kind == "money":
        text = common.fmt_money(mean)
        return text if spread == "" or math.isnan(mean) else f"{text} ± {common.fmt_money(sd)}"
    digits = {"pct": 1, "usd2": 2, "count1": 1}.get(kind, 0)
    text = common.fmt_number(mean, digits)
    return text if spread == "" or math.isnan(mean) else f"{text} ± {sd:,.{digits}f}"


def format_summary(summary: pd.DataFrame) -> str:
    """The printed table: one row per metric, one column per care model (mean ± SD)."""
    table = summary.set_index(["care_model", "metric"])
    rows: list[list[str]] = []
    for metric, label, kind in TABLE_ROWS:
        if kind == "heading":
            rows.append([label, *[""] * len(MODELS)])
            continue
        rows.append([f"  {label}", *(_cell(table.loc[(m, metric)], kind) for m in MODELS)])
    return common.text_table(["", *(LABELS[m] for m in MODELS)], rows)


def plot_monthly_net(outcomes: list[common.Outcome], stem: Path) -> list[Path]:
    """Monthly net and cumulative net by month per care model: mean and p5-p95 band."""
    plt = common.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), sharex=True)
    for model in MODELS:
        frames = [o.monthly for o in outcomes if o.key[0] == model]
        for ax, column in zip(axes, ("net", "cumulative_net"), strict=True):
            month, mean, lo, hi = common.band(frames, column)
            ax.plot(month, mean / 1e3, color=COLORS[model], lw=1.8, label=LABELS[model])
            ax.fill_between(month, lo / 1e3, hi / 1e3, color=COLORS[model], alpha=0.18, lw=0)
    n = len({o.seed for o in outcomes})
    axes[0].set_title("Monthly net (revenue - operating cost)")
    axes[1].set_title("Cumulative net incl. startup cost")
    for ax in axes:
        ax.axhline(0, color="black", lw=0.7)
        ax.set_xlabel("Month")
        ax.set_ylabel("Thousand USD")
        ax.grid(alpha=0.3)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=4)
    fig.suptitle(f"Programme net by care model: mean and p5-p95 band over {n} seeds (CRN)")
    return common.save_figure(fig, stem)


def plot_direct_vs_indirect(summary: pd.DataFrame, stem: Path) -> list[Path]:
    """Grouped bars per integrated care model: direct revenue next to indirect benefits."""
    plt = common.pyplot()
    table = summary.set_index(["care_model", "metric"])
    models = [m for m in MODELS if m != "usual_care"]
    fig, ax = plt.subplots(figsize=(10, 5.6))
    width = 0.8 / len(BARS)
    for j, (metric, label, color) in enumerate(BARS):
        xs, means, lows, highs = [], [], [], []
        for i, model in enumerate(models):
            st = table.loc[(model, metric)]
            xs.append(i - 0.4 + width * (j + 0.5))
            means.append(st["mean"] / 1e3)
            lows.append((st["mean"] - st["p5"]) / 1e3)
            highs.append((st["p95"] - st["mean"]) / 1e3)
        ax.bar(xs, means, width, color=color, label=label, yerr=[lows, highs], capsize=2)
    ax.axhline(0, color="black", lw=0.7)
    ax.set_xticks(range(len(models)), [LABELS[m] for m in models])
    ax.set_ylabel("Thousand USD over the horizon (mean; bars p5–p95)")
    n = int(table["n_seeds"].iloc[0])
    ax.set_title(f"Direct revenue vs indirect benefits, relative to usual care ({n} seeds)")
    ax.grid(axis="y", alpha=0.3)
    fg.legend_below(ax, ncols=3)
    return common.save_figure(fig, stem)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison, write the tables and figures, print the summary."""
    args = common.parse_options(
        argv,
        description=__doc__.splitlines()[0],
        config_help="folder holding usual_care.yaml, cocm.yaml, pcbh.yaml, hybrid.yaml",
        default_seeds=DEFAULT_SEEDS,
        out=OUT,
    )
    common.claim_out(args.out)
    n_seeds, months = args.n_seeds, args.horizon
    seeds = common.seed_list(n_seeds)
    scenarios = load_models(args.config_dir, args.quick)

    tasks = [
        common.Task((model,), scenarios[model], seed, months) for model in MODELS for seed in seeds
    ]
    print(f"care_model_comparison: {len(tasks)} runs ({len(seeds)} seeds)", file=sys.stderr)
    start = time.perf_counter()
    outcomes = common.run_tasks(tasks, jobs=args.jobs)
    runs = pd.DataFrame(
        [{"care_model": o.key[0], "seed": o.seed, **common.run_metrics(o)} for o in outcomes]
    )
    summary = common.summarise_runs(runs, ["care_model"], METRICS, rename=SHARES)

    with common.staged_out(args.out) as out:
        runs.to_csv(out / "runs.csv", index=False)
        summary.to_csv(out / "summary.csv", index=False)
        written = [out / "runs.csv", out / "summary.csv"]
        written += plot_monthly_net(outcomes, out / "monthly_net")
        written += plot_direct_vs_indirect(summary, out / "direct_vs_indirect")

    horizon = len(outcomes[0].monthly)
    print(
        f"\nCare models on one population: {len(seeds)} seeds (1-{seeds[-1]}), {horizon} months, "
        "mean ± SD over seeds (months: mean [min-max] over seeds that reach them)\n"
    )
    print(format_summary(summary))
    print(
        "\nAvoided and incremental quantities are relative to usual care on the same seed.\n"
        "Admissions among chronic patients are not a model output: chronic-disease management is\n"
        "proxied only by ED visits and admissions avoided (all patients)."
    )
    print(f"\n{len(tasks)} runs in {time.perf_counter() - start:.0f} s; written to {args.out}/:")
    for path in written:
        print(f"  {path.name}")
    return 0


if __name__ == "__main__":
    run_main(main)
