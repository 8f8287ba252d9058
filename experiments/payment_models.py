"""One programme under five payment contracts, for each integrated care model (CoCM, PCBH, hybrid).

Usage:
    python experiments/payment_models.py                 # 5 seeds, 60 months (~40 s)
    python experiments/payment_models.py --seeds 10 --jobs 2
    python experiments/payment_models.py --config-dir DIR --out DIR
    python experiments/payment_models.py --quick         # 2 seeds, 12 months, small panel

Each care model's shipped scenario (configs/cocm.yaml, pcbh.yaml, hybrid.yaml) is run under each
contract on the same fixed seeds 1..N (common random numbers: within a care model and seed the
patients and the services delivered are identical across contracts; only the money differs).
Usual care is the reference for savings: every run simulates usual care on its own seed as the
counterfactual for the payer's total cost of care (TCOC), the shared-savings benchmark and the
incremental outcomes.

Contracts (overrides applied on top of the scenario; "insured payers" are medicare, medicaid,
commercial and dual -- the uninsured have no payer to pay a bonus):

* ``ffs`` -- fee-for-service: the defaults, no overrides. Every payer pays claims for the
  delivered services (CoCM codes, BHC psychotherapy/HBAI, FQHC encounters).
* ``p4p`` -- fee-for-service plus a pay-for-performance bonus from every insured payer:
  ``contracts.<p>.p4p_bonus_share: 0.10``, ``contracts.<p>.p4p_measure: response_6m``,
  ``contracts.<p>.p4p_target: 0.5``: 10% of the year's BH-integration revenue from that payer if
  at least half of the measured patients respond at 6 months (settled 3 months after each
  complete performance year).
* ``pmpm`` -- capitation for Medicaid and commercial: ``contracts.medicaid.pmpm_usd: 8`` and
  ``contracts.commercial.pmpm_usd: 8`` (USD per attributed member per month, docs/billing.md 5.2:
  $5-15). Capitation replaces fee-for-service for integration services from those payers; the
  other payers still pay claims.
* ``shared_savings`` -- fee-for-service plus one-sided MSSP-style shared savings with Medicare and
  commercial: ``contracts.medicare.shared_savings: true``, ``contracts.commercial.shared_savings:
  true``, other ``ss_*`` at their defaults (sharing rate 50%, minimum savings rate 2%, cap 10% of
  the benchmark, quality score 0.9, practice share 50%, benchmark = usual-care TCOC, settled 6
  months after each performance year).
* ``blended`` -- fee-for-service plus P4P 0.05 (response_6m, target 0.5) from every insured payer,
  shared savings with Medicare, and a $5 PMPM from Medicaid (which then replaces Medicaid
  fee-for-service for integration services).

The exact overrides are also written to ``contracts.json`` and to the ``contract_overrides``
column of the CSVs.

Outputs (in --out, default results/payment_models/):
    summary.csv            care model x contract x metric: mean, sd, min, p5, p95, max, n_seeds,
                           n_defined, contract_overrides
    runs.csv               care model x contract x seed: every metric of one run
    contracts.json         the override dict of each contract
    npv_margin_heatmap.png/.pdf
                           mean NPV, mean net margin and share of seeds breaking even, by care
                           model x contract
    cumulative_net_by_contract.png/.pdf
                           cumulative net (incl. startup) by month, one line per contract (mean and
                           p5-p95 band), one panel per care model
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim.argcheck import run_main
from intsim.params.scenario import Scenario, load_scenario

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # so that the script also imports when loaded by file path
    sys.path.insert(0, str(HERE))

import _common as common  # noqa: E402

OUT = Path("results/payment_models")
DEFAULT_SEEDS = 5

#: Integrated care models (usual care is the counterfactual inside every run).
MODELS: tuple[str, ...] = ("cocm", "pcbh", "hybrid")
MODEL_LABELS: dict[str, str] = {"cocm": "CoCM", "pcbh": "PCBH", "hybrid": "hybrid"}
#: Payers that can pay a bonus (the uninsured pay themselves).
INSURED: tuple[str, ...] = ("medicare", "medicaid", "commercial", "dual")


def for_payers(payers: tuple[str, ...], **settings: Any) -> dict[str, Any]:
    """Contract overrides ``contracts.<payer>.<key>: value`` for each named payer."""
    return {f"contracts.{p}.{k}": v for p in payers for k, v in settings.items()}


P4P = {"p4p_measure": "response_6m", "p4p_target": 0.5}

#: Contract name -> overrides (see the module docstring).
CONTRACTS: dict[str, dict[str, Any]] = {
    "ffs": {},
    "p4p": for_payers(INSURED, p4p_bonus_share=0.10, **P4P),
    "pmpm": for_payers(("medicaid", "commercial"), pmpm_usd=8.0),
    "shared_savings": for_payers(("medicare", "commercial"), shared_savings=True),
    "blended": {
        **for_payers(INSURED, p4p_bonus_share=0.05, **P4P),
        **for_payers(("medicare",), shared_savings=True),
        **for_payers(("medicaid",), pmpm_usd=5.0),
    },
}
CONTRACT_LABELS: dict[str, str] = {
    "ffs": "FFS",
    "p4p": "P4P 10%",
    "pmpm": "PMPM $8",
    "shared_savings": "shared savings",
    "blended": "blended",
}
CONTRACT_STYLES: dict[str, str] = {
    "ffs": "-",
    "p4p": "-.",
    "pmpm": "-",
    "shared_savings": "--",
    "blended": "-",
}
CONTRACT_COLORS: dict[str, str] = {
    "ffs": "#7f7f7f",
    "p4p": "#CC79A7",
    "pmpm": "#0072B2",
    "shared_savings": "#009E73",
    "blended": "#E69F00",
}

#: Metrics summarised over seeds.
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
    "total_revenue",
    "total_cost",
    "direct_claims_revenue",
    "revenue_pmpm",
    "revenue_p4p",
    "revenue_shared_savings",
    "revenue_pcp_extra_visits",
    "patients_served",
    "responders",
    "incremental_responders",
    "cost_per_responder",
    "tcoc_pmpm_change",
    "payer_net_savings",
)
SHARES: dict[str, str] = {"broke_even": "break_even_share", "paid_back": "payback_share"}


def load_models(config_dir: Path, quick: bool) -> dict[str, Scenario]:
    """Load the integrated care-model scenarios (``--quick``: small panel)."""
    scenarios: dict[str, Scenario] = {}
    for model in MODELS:
        path = config_dir / f"{model}.yaml"
        if not path.is_file():
            raise SystemExit(f"payment_models: {path} not found")
        sc = load_scenario(path)
        if sc.values.care_model != model:
            raise SystemExit(
                f"payment_models: {path} has care_model {sc.values.care_model}, expected {model}"
            )
        if quick:
            sc = sc.with_overrides(common.quick_overrides(sc))
        scenarios[model] = sc
    return scenarios


def pivot(summary: pd.DataFrame, metric: str, stat: str = "mean") -> pd.DataFrame:
    """Care model (rows) x contract (columns) table of one statistic of one metric."""
    sub = summary[summary["metric"] == metric]
    table = sub.pivot(index="care_model", columns="contract", values=stat)
    return table.loc[list(MODELS), list(CONTRACTS)]


def verdict(paid_back: float, npv: float) -> str:
    """Sustainability verdict from the share of seeds paying back and the mean NPV."""
    if math.isnan(paid_back):
        return "n/a"
    if paid_back >= 1.0 and npv > 0:
        return "yes"
    if paid_back > 0:
        return f"{paid_back:.0%} of seeds"
    return "no"


def format_summary(summary: pd.DataFrame) -> str:
    """Printed tables: one block per care model, one row per contract."""
    header = [
        "contract",
        "net",
        "NPV",
        "margin",
        "break-even",
        "payback",
        "cash trough",
        "PMPM",
        "P4P",
        "shared sav.",
        "payer savings",
        "sustainable",
    ]
    table = summary.set_index(["care_model", "contract", "metric"])
    blocks = []
    for model in MODELS:
        rows = []
        for contract in CONTRACTS:

            def mean(metric: str, c: str = contract, m: str = model) -> float:
                return float(table.loc[(m, c, metric), "mean"])

            margin = mean("net_margin_pct")
            rows.append(
                [
                    CONTRACT_LABELS[contract],
                    common.fmt_money(mean("net")),
                    common.fmt_money(mean("npv")),
                    "n/a" if math.isnan(margin) else f"{margin:.1f}%",
                    common.fmt_share(mean("break_even_share")),
                    common.fmt_share(mean("payback_share")),
                    common.fmt_money(mean("cash_trough")),
                    common.fmt_money(mean("revenue_pmpm")),
                    common.fmt_money(mean("revenue_p4p")),
                    common.fmt_money(mean("revenue_shared_savings")),
                    common.fmt_money(mean("payer_net_savings")),
                    verdict(mean("payback_share"), mean("npv")),
                ]
            )
        blocks.append(f"{MODEL_LABELS[model]}\n" + common.text_table(header, rows))
    return "\n\n".join(blocks)


def plot_heatmap(summary: pd.DataFrame, stem: Path) -> list[Path]:
    """Mean NPV, mean net margin and break-even share by care model x contract."""
    plt = common.pyplot()
    from matplotlib.colors import TwoSlopeNorm  # noqa: PLC0415

    panels = (
        ("npv", "mean NPV (thousand USD)", 1e3, "{:,.0f}"),
        ("net_margin_pct", "mean net margin (%)", 1.0, "{:.1f}"),
        ("break_even_share", "share of seeds breaking even", 0.01, "{:.0f}%"),
    )
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.9))
    for ax, (metric, title, scale, fmt) in zip(axes, panels, strict=True):
        data = pivot(summary, metric).to_numpy(float) / scale
        if metric == "break_even_share":
            im = ax.imshow(data, cmap="Greens", vmin=0, vmax=100, aspect="auto")
            ax.grid(False)
        else:
            finite = data[np.isfinite(data)]
            lo = min(float(finite.min()), -1e-9) if finite.size else -1.0
            hi = max(float(finite.max()), 1e-9) if finite.size else 1.0
            norm = TwoSlopeNorm(vcenter=0.0, vmin=lo, vmax=hi)
            im = ax.imshow(data, cmap="RdBu", norm=norm, aspect="auto")
            ax.grid(False)
        for i in range(data.shape[0]):
            for j in range(data.shape[1]):
                v = data[i, j]
                label = "n/a" if math.isnan(v) else fmt.format(v)
                dark = metric == "break_even_share" and v > 60
                color = "white" if dark else "black"
                ax.text(j, i, label, ha="center", va="center", fontsize=8, color=color)
        ticks = [CONTRACT_LABELS[c].replace(" ", "\n", 1) for c in CONTRACTS]
        ax.set_xticks(range(len(CONTRACTS)), ticks, fontsize=8)
        ax.set_yticks(range(len(MODELS)), [MODEL_LABELS[m] for m in MODELS])
        ax.set_title(title, fontsize=10)
        fig.colorbar(im, ax=ax, shrink=0.8)
    n = int(summary["n_seeds"].iloc[0])
    fig.suptitle(f"Payment contracts by care model ({n} seeds, common random numbers)")
    return common.save_figure(fig, stem)


def plot_cumulative(outcomes: list[common.Outcome], stem: Path) -> list[Path]:
    """Cumulative net by month, one line per contract, one panel per care model."""
    plt = common.pyplot()
    fig, axes = plt.subplots(1, len(MODELS), figsize=(15, 4.4), sharey=True)
    for ax, model in zip(axes, MODELS, strict=True):
        for contract in CONTRACTS:
            frames = [o.monthly for o in outcomes if o.key == (model, contract)]
            month, mean, lo, hi = common.band(frames, "cumulative_net")
            color = CONTRACT_COLORS[contract]
            ax.plot(
                month,
                mean / 1e3,
                color=color,
                ls=CONTRACT_STYLES[contract],
                lw=1.7,
                label=CONTRACT_LABELS[contract],
            )
            ax.fill_between(month, lo / 1e3, hi / 1e3, color=color, alpha=0.15, lw=0)
        ax.axhline(0, color="black", lw=0.7)
        ax.set_title(MODEL_LABELS[model])
        ax.set_xlabel("Month")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("Cumulative net incl. startup (thousand USD)")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=5)
    n = len({o.seed for o in outcomes})
    fig.suptitle(
        f"Cumulative net by contract: mean and p5-p95 band over {n} seeds "
        "(contracts that pay nothing extra coincide with FFS)"
    )
    return common.save_figure(fig, stem)


def main(argv: list[str] | None = None) -> int:
    """Run every care model under every contract, write the tables and figures, print them."""
    args = common.parse_options(
        argv,
        description=__doc__.splitlines()[0],
        config_help="folder holding cocm.yaml, pcbh.yaml, hybrid.yaml",
        default_seeds=DEFAULT_SEEDS,
        out=OUT,
    )
    common.claim_out(args.out)
    n_seeds, months = args.n_seeds, args.horizon
    seeds = common.seed_list(n_seeds)
    base = load_models(args.config_dir, args.quick)

    tasks = [
        common.Task((model, contract), base[model].with_overrides(overrides), seed, months)
        for model in MODELS
        for contract, overrides in CONTRACTS.items()
        for seed in seeds
    ]
    print(f"payment_models: {len(tasks)} runs ({len(seeds)} seeds)", file=sys.stderr)
    start = time.perf_counter()
    outcomes = common.run_tasks(tasks, jobs=args.jobs)
    overrides_json = {c: json.dumps(o, sort_keys=True) for c, o in CONTRACTS.items()}
    runs = pd.DataFrame(
        [
            {
                "care_model": o.key[0],
                "contract": o.key[1],
                "seed": o.seed,
                **common.run_metrics(o),
                "contract_overrides": overrides_json[o.key[1]],
            }
            for o in outcomes
        ]
    )
    summary = common.summarise_runs(runs, ["care_model", "contract"], METRICS, rename=SHARES)
    summary["contract_overrides"] = summary["contract"].map(overrides_json)

    with common.staged_out(args.out) as out:
        runs.to_csv(out / "runs.csv", index=False)
        summary.to_csv(out / "summary.csv", index=False)
        (out / "contracts.json").write_text(
            json.dumps(CONTRACTS, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        written = [out / f for f in ("runs.csv", "summary.csv", "contracts.json")]
        written += plot_heatmap(summary, out / "npv_margin_heatmap")
        written += plot_cumulative(outcomes, out / "cumulative_net_by_contract")

    horizon = len(outcomes[0].monthly)
    print(
        f"\nPayment contracts: {len(seeds)} seeds (1-{seeds[-1]}), {horizon} months; means over "
        "seeds (USD); break-even and payback: share of seeds reaching them within the horizon;\n"
        "sustainable = pays back (cumulative net incl. startup >= 0 to the end) in every seed "
        "with NPV > 0\n"
    )
    print(format_summary(summary))
    print(
        "\nPayer savings: the payer's total cost of care under usual care minus under the "
        "programme (incl. what it pays the programme), same seed."
    )
    print(f"\n{len(tasks)} runs in {time.perf_counter() - start:.0f} s; written to {args.out}/:")
    for path in written:
        print(f"  {path.name}")
    return 0


if __name__ == "__main__":
    run_main(main)
