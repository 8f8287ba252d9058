"""Startup phasing: all at once vs phased vs pilot-then-scale, with and without a startup grant.

Usage:
    python experiments/startup_phasing.py                  # 50 seeds, 5 plans x 2 arms (~3 min)
    python experiments/startup_phasing.py --seeds 100 --jobs 2
    python experiments/startup_phasing.py --grant-amount 250000 --grant-months 36
    python experiments/startup_phasing.py --scenario FILE --set KEY.PATH=VALUE --out DIR
    python experiments/startup_phasing.py --quick          # 2 seeds, 12 months, small panel

Every rollout plan of the experiment file (configs/experiments/startup_phasing.yaml: the default
organisation's hybrid programme, fee-for-service, rolled out all at once, in three phases, as a
pilot then scale-up, and two gated variants) is run on the same seeds 1..N (common random
numbers) twice:

* ``no_grant``: ``grants.annual_amount: 0``;
* ``grant``: ``grants.annual_amount: 200000`` for ``grants.duration_months: 24`` with
  ``grants.covers: any`` (startup costs and operating deficits), the scenario's
  ``grants.start_month`` (1), no taper and undrawn money carried over within the grant (the
  defaults since decision 55: the award of $400,000 is paid as far as eligible costs reach).
  $200,000 a year is the SAMHSA PIPBHC-States ceiling (SM-24-003,
  up to 3 years) and lies between HRSA's AIMS (~$170k average) and BHI ($250k ceiling) awards
  (docs/billing.md 6.1); ``--grant-amount`` and ``--grant-months`` change it.

Within a plan and seed both arms simulate the same clinic month by month (the grant is booked in
the ledger afterwards; the ``net_positive`` phase gate reads the operating net without grant
money), so the grant changes the money only.

Reported per plan and arm (mean and spread over seeds: SD, 10th, 50th, 90th percentiles):

* the cash trough (lowest cumulative cash incl. startup) and the bridge funding it implies
  (``bridge_funding`` = -trough), its month;
* the payback month (cumulative net incl. startup >= 0 from then to the horizon) and the share of
  seeds paying back;
* patients served, phases live at the end;
* P(break-even within the grant period): the share of seeds whose ``break_even_month`` (first of
  3 months with net >= 0) is at most the grant's last month (month 24; the no-grant arm uses the
  same window). With ``grants.covers: any`` the grant pays deficits up to its monthly amount, so
  counting grant money a small deficit "breaks even"; the same share on the net without grant
  money (``..._excl_grant``: the programme pays its way on its own before the grant ends) is
  reported next to it;
* the grant money received and the yearly shortfall left after the grant ends (mean monthly
  deficit without grant money after the window, x12).

Outputs (in --out, default results/startup_phasing/):
    runs.csv                   one row per plan x grant arm x seed
    summary.csv                one row per plan x grant arm: n_seeds, shares
                               (p_break_even_in_grant_period, ..._excl_grant, payback_share,
                               break_even_share) and <metric>_mean/_sd/_p10/_p50/_p90
    cumulative_cash.png/.pdf   cumulative cash position (incl. startup) by month per plan, mean
                               and p10-p90 band, without and with the grant
    trough_payback.png/.pdf    bridge funding needed, payback month, patients served and
                               P(break-even within the grant period) per plan and grant arm
"""

from __future__ import annotations

import math
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim import argcheck
from intsim.analysis import figures as fg
from intsim.argcheck import run_main
from intsim.params.scenario import Scenario

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # so that the script also imports when loaded by file path
    sys.path.insert(0, str(HERE))

import _common as common  # noqa: E402

OUT = Path("results/startup_phasing")
SCENARIO = common.ROOT / "configs" / "experiments" / "startup_phasing.yaml"
DEFAULT_SEEDS = 50

#: The grant arm (docs/billing.md 6.1: SAMHSA PIPBHC-States, SM-24-003, ceiling $200,000 a year
#: for up to 3 years; HRSA AIMS ~$170k average, HRSA BHI supplements $250k ceiling): size and
#: length are options, the grant may pay startup costs and operating deficits.
GRANT_AMOUNT = 200_000.0
GRANT_MONTHS = 24
GRANT_COVERS = "any"
ARMS: tuple[str, ...] = ("no_grant", "grant")
ARM_LABELS: dict[str, str] = {"no_grant": "no grant", "grant": "grant"}
ARM_COLORS: dict[str, str] = {"no_grant": "#7f7f7f", "grant": "#E69F00"}

#: ``--quick`` only: a 1-PCP pilot scaled up after 6 months and phases 3 months apart, so the
#: plans differ on the 2-PCP, 12-month quick panel.
QUICK_ROLLOUT: dict[str, Any] = {
    "rollout.pilot_pcps": 1,
    "rollout.pilot_months": 6,
    "rollout.phase_interval_months": 3,
}

#: Monthly columns kept from every run.
MONTHLY: tuple[str, ...] = ("phases_live", "cost_phase_launch")

#: Metrics summarised over seeds, in report order.
METRICS: tuple[str, ...] = (
    "bridge_funding",
    "cash_trough",
    "cash_trough_month",
    "payback_month",
    "break_even_month",
    "break_even_month_excl_grant",
    "patients_served",
    "responders",
    "mean_waitlist",
    "phases_live_end",
    "net",
    "net_margin_pct",
    "npv",
    "total_revenue",
    "total_cost",
    "startup_cost",
    "cost_phase_launch",
    "grant_received",
    "shortfall_after_grant_per_year",
)
#: 0/1 indicators -> the name of their share in summary.csv.
SHARES: dict[str, str] = {
    "break_even_in_grant_period": "p_break_even_in_grant_period",
    "break_even_in_grant_period_excl_grant": "p_break_even_in_grant_period_excl_grant",
    "paid_back": "payback_share",
    "broke_even": "break_even_share",
}
#: Month metrics that may be undefined.
MONTHS: tuple[str, ...] = ("payback_month", "break_even_month", "break_even_month_excl_grant")

PLAN_COLORS: tuple[str, ...] = (
    "#0072B2",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#000000",
    "#F0E442",
    "#999999",
)


def add_arguments(parser: Any) -> None:
    """The grant options of this script."""
    parser.add_argument(
        "--grant-amount",
        type=argcheck.non_negative_float,
        default=GRANT_AMOUNT,
        help=f"grants.annual_amount of the grant arm, USD per year ({GRANT_AMOUNT:,.0f})",
    )
    parser.add_argument(
        "--grant-months",
        type=argcheck.months,
        default=GRANT_MONTHS,
        help=f"grants.duration_months of the grant arm and the break-even window ({GRANT_MONTHS})",
    )


def arm_overrides(arm: str, amount: float, months: int) -> dict[str, Any]:
    """Overrides of a grant arm."""
    if arm == "no_grant":
        return {"grants.annual_amount": 0.0}
    return {
        "grants.annual_amount": amount,
        "grants.duration_months": months,
        "grants.covers": GRANT_COVERS,
    }


def grant_window_end(scenario: Scenario, phases_live: np.ndarray) -> int | None:
    """Last month of the grant arm's grant in this run (as the ledger dates it).

    ``grants.phase: 0`` starts the grant at ``grants.start_month``; ``k >= 1`` at the first month
    with at least k phases live (None if that never happens).
    """
    g = scenario.values.grants
    if g.phase == 0:
        start = int(g.start_month)
    else:
        live = np.flatnonzero(phases_live >= g.phase)
        if not len(live):
            return None
        start = int(live[0]) + 1
    return start + int(g.duration_months) - 1


def run_row(out: common.Outcome, window_end: int | None) -> dict[str, float]:
    """The metrics of one run; break-even shares use the grant window ending in ``window_end``."""
    base = common.run_metrics(out)
    m, s = out.monthly, out.summary
    keep = (
        "cash_trough",
        "cash_trough_month",
        "payback_month",
        "paid_back",
        "break_even_month",
        "broke_even",
        "break_even_month_excl_grant",
        "patients_served",
        "responders",
        "net",
        "net_margin_pct",
        "npv",
        "total_revenue",
        "total_cost",
        "startup_cost",
    )
    row: dict[str, float] = {k: base[k] for k in keep}
    row["bridge_funding"] = max(0.0, -row["cash_trough"])
    row["mean_waitlist"] = float(s["mean_waitlist"])
    row["phases_live_end"] = float(m["phases_live"].iloc[-1])
    row["cost_phase_launch"] = float(m["cost_phase_launch"].sum())
    row["grant_received"] = float(m["revenue_grant"].sum())
    row["grant_end_month"] = math.nan if window_end is None else float(window_end)

    def within(month: float) -> float:
        return float(window_end is not None and not math.isnan(month) and month <= window_end)

    row["break_even_in_grant_period"] = within(row["break_even_month"])
    row["break_even_in_grant_period_excl_grant"] = within(row["break_even_month_excl_grant"])
    net_without = (m["net"] - m["revenue_grant"]).to_numpy(float)
    after = net_without[window_end:] if window_end is not None else net_without[:0]
    row["shortfall_after_grant_per_year"] = (
        max(0.0, -float(after.mean()) * 12.0) if len(after) else math.nan
    )
    return row


# --------------------------------------------------------------------------- printed table


def format_summary(summary: pd.DataFrame) -> str:
    """One row per plan and grant arm."""
    header = [
        "plan / grant",
        "bridge funding [p10, p90]",
        "trough month",
        "pays back",
        "payback month",
        "P(BE<=end)",
        "excl. grant",
        "patients served",
        "grant received",
        "shortfall/yr after",
    ]
    rows = []
    for _, r in summary.iterrows():
        payback = float(r["payback_month_mean"])
        rows.append(
            [
                f"{r['strategy']} / {ARM_LABELS[r['grant']]}",
                f"{common.fmt_money(r['bridge_funding_mean'])} "
                f"[{common.fmt_money(r['bridge_funding_p10'])}, "
                f"{common.fmt_money(r['bridge_funding_p90'])}]",
                common.fmt_number(float(r["cash_trough_month_mean"])),
                common.fmt_share(float(r["payback_share"])),
                "never" if math.isnan(payback) else f"{payback:.0f}",
                common.fmt_share(float(r["p_break_even_in_grant_period"])),
                common.fmt_share(float(r["p_break_even_in_grant_period_excl_grant"])),
                common.fmt_number(float(r["patients_served_mean"])),
                common.fmt_money(float(r["grant_received_mean"])),
                common.fmt_money(float(r["shortfall_after_grant_per_year_mean"])),
            ]
        )
    return common.text_table(header, rows)


# --------------------------------------------------------------------------- figures


def plot_cumulative_cash(
    outcomes: list[common.Outcome], plans: list[str], window_end: int, stem: Path
) -> list[Path]:
    """Cumulative cash by month per plan (mean, p10-p90 band), one panel per grant arm."""
    plt = common.pyplot()
    fig, axes = plt.subplots(1, len(ARMS), figsize=(13, 4.8), sharey=True)
    for ax, arm in zip(axes, ARMS, strict=True):
        for k, plan in enumerate(plans):
            frames = [o.monthly for o in outcomes if o.key == (plan, arm)]
            month, mean, lo, hi = common.quantile_band(frames, "cumulative_cash")
            c = PLAN_COLORS[k % len(PLAN_COLORS)]
            ax.plot(month, mean / 1e3, color=c, lw=1.7, label=plan.replace("_", " "))
            ax.fill_between(month, lo / 1e3, hi / 1e3, color=c, alpha=0.13, lw=0)
        ax.axhline(0, color="black", lw=0.7)
        if window_end <= len(month):
            ax.axvline(window_end, color="#E69F00", lw=1.0, ls="--", label="grant period ends")
        ax.set_title(ARM_LABELS[arm])
        ax.set_xlabel("Month")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("Cumulative cash incl. startup (thousand USD)")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=4)
    n = len({o.seed for o in outcomes})
    fig.suptitle(f"Cumulative cash position by rollout plan: mean and p10-p90 over {n} seeds")
    return common.save_figure(fig, stem)


def plot_trough_payback(
    summary: pd.DataFrame, plans: list[str], window_end: int, horizon: int, stem: Path
) -> list[Path]:
    """Bridge funding, payback month, patients served and P(break-even) per plan and arm."""
    plt = common.pyplot()
    table = summary.set_index(["strategy", "grant"])
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.8))
    xs = np.arange(len(plans))
    width = 0.38
    for j, arm in enumerate(ARMS):
        x = xs + (j - 0.5) * width
        rows = table.loc[[(p, arm) for p in plans]]
        c = ARM_COLORS[arm]
        # bridge funding and patients served: mean with p10-p90 whiskers
        for ax, metric, scale in (
            (axes[0], "bridge_funding", 1e3),
            (axes[2], "patients_served", 1.0),
        ):
            mean = rows[f"{metric}_mean"].to_numpy(float) / scale
            lo = rows[f"{metric}_p10"].to_numpy(float) / scale
            hi = rows[f"{metric}_p90"].to_numpy(float) / scale
            ax.bar(x, mean, width, color=c, label=ARM_LABELS[arm], yerr=[mean - lo, hi - mean])
        # payback month among seeds paying back; the share of seeds on top
        pb = rows["payback_month_mean"].to_numpy(float)
        share = rows["payback_share"].to_numpy(float)
        axes[1].bar(x, np.nan_to_num(pb), width, color=c, label=ARM_LABELS[arm])
        for xi, p, s in zip(x, pb, share, strict=True):
            text = "never" if math.isnan(p) else f"{s:.0%}"
            y = 0.0 if math.isnan(p) else p
            axes[1].text(xi, y, text, ha="center", va="bottom", fontsize=8, rotation=90)
        p_be = rows["p_break_even_in_grant_period"].to_numpy(float)
        be_label = "grant: grant money counted" if arm == "grant" else ARM_LABELS[arm]
        axes[3].bar(x, p_be, width, color=c, label=be_label)
        # the share on each bar, so that bars of 0% are visible too
        for xi, p in zip(x, p_be, strict=True):
            if not math.isnan(p):
                axes[3].text(xi, p + 0.02, f"{p:.0%}", ha="center", va="bottom", fontsize=7)
        if arm == "grant":
            p_op = rows["p_break_even_in_grant_period_excl_grant"].to_numpy(float)
            axes[3].scatter(
                x,
                p_op,
                marker="D",
                color="black",
                zorder=3,
                clip_on=False,
                label="grant: grant money excluded",
            )
    titles = (
        "bridge funding needed (-cash trough, thousand USD)",
        "payback month (label: share of seeds paying back)",
        "patients served",
        f"P(break-even by month {window_end})",
    )
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xticks(xs, [textwrap.fill(p.replace("_", " "), 10) for p in plans], fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes[1].set_ylim(0, horizon)
    axes[1].set_ylabel("Payback month")
    if summary["payback_share"].fillna(0.0).max() == 0.0:
        axes[1].text(
            0.5,
            0.55,
            f"no plan pays back\nwithin {horizon} months",
            transform=axes[1].transAxes,
            ha="center",
            va="center",
            fontsize=11,
            color="#444444",
        )
    axes[3].set_ylim(0, 1.3)
    fg.legend_below(axes[0], ncols=1)
    fg.legend_below(axes[3], ncols=1)
    n = int(summary["n_seeds"].iloc[0])
    fig.suptitle(f"Rollout plans with and without a startup grant ({n} seeds; bars p10-p90)")
    return common.save_figure(fig, stem)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run every rollout plan with and without the grant, write tables and figures, print."""
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
    base = common.load_strategies(args.scenario, args.overrides, quick=args.quick)
    if args.quick:
        base = {name: sc.with_overrides(QUICK_ROLLOUT) for name, sc in base.items()}
    plans = list(base)
    scenarios = {
        (plan, arm): base[plan].with_overrides(
            arm_overrides(arm, args.grant_amount, args.grant_months)
        )
        for plan in plans
        for arm in ARMS
    }
    tasks = [
        common.Task((plan, arm), scenarios[(plan, arm)], seed, args.horizon, MONTHLY)
        for plan in plans
        for arm in ARMS
        for seed in seeds
    ]
    print(
        f"startup_phasing: {len(tasks)} runs ({len(plans)} plans x {len(ARMS)} grant arms x "
        f"{len(seeds)} seeds)",
        file=sys.stderr,
    )
    start = time.perf_counter()
    outcomes = common.run_tasks(tasks, jobs=args.jobs)
    rows = []
    for o in outcomes:
        plan, arm = o.key
        # both arms use the grant arm's window (the same clinic month by month)
        end = grant_window_end(scenarios[(plan, "grant")], o.monthly["phases_live"].to_numpy())
        rows.append(
            {
                "strategy": plan,
                "grant": arm,
                "seed": o.seed,
                "rollout": scenarios[(plan, arm)].values.rollout.strategy,
                "gate": scenarios[(plan, arm)].values.rollout.gate,
                **run_row(o, end),
            }
        )
    runs = pd.DataFrame(rows)
    summary = common.wide_summary(
        runs,
        ["strategy", "grant", "rollout", "gate"],
        METRICS,
        shares=SHARES,
        count_defined=MONTHS,
    )

    with common.staged_out(args.out) as out:
        runs.to_csv(out / "runs.csv", index=False)
        summary.to_csv(out / "summary.csv", index=False)
        written = [out / "runs.csv", out / "summary.csv"]
        ends = runs["grant_end_month"].dropna()
        window = int(ends.mode().iloc[0]) if len(ends) else args.grant_months
        written += plot_cumulative_cash(outcomes, plans, window, out / "cumulative_cash")
        horizon = len(outcomes[0].monthly)
        written += plot_trough_payback(summary, plans, window, horizon, out / "trough_payback")
    print(
        f"\nStartup phasing: {len(seeds)} seeds (1-{seeds[-1]}), {horizon} months; grant "
        f"${args.grant_amount:,.0f}/yr for {args.grant_months} months (covers startup and "
        f"deficits); means over seeds [p10, p90]\nP(BE<=end): share of seeds breaking even (3 "
        f"months of net >= 0) by the grant's last month ({window}); 'excl. grant': on the net "
        "without grant money\n"
    )
    print(format_summary(summary))
    print(f"\n{len(tasks)} runs in {time.perf_counter() - start:.0f} s; written to {args.out}/:")
    for path in written:
        print(f"  {path.name}")
    return 0


if __name__ == "__main__":
    run_main(main)
