"""Helpers shared by the experiment scripts (care_model_comparison.py, payment_models.py,
workforce_shortage.py, startup_phasing.py).

Everything here talks to the model through the public API only: ``load_scenario``,
``Scenario.with_overrides`` and ``simulate``. Runs are described by :class:`Task`, executed by
:func:`run_tasks` (serially or in a process pool, with a progress line per run on standard error)
and reduced to flat metric rows by :func:`run_metrics`; :func:`describe` summarises a metric over
seeds. The workforce and startup experiments read one experiment file (``--scenario``,
:func:`parse_experiment_options`, :func:`load_strategies`) and summarise each cell in one row
(:func:`wide_summary`, with 10th and 90th percentiles from :func:`spread`).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim import argcheck
from intsim.analysis.montecarlo import load_experiment
from intsim.money.finance import break_even_month
from intsim.params.scenario import Scenario, load_scenario, read_yaml_mapping
from intsim.sim.runner import simulate

#: Root of the repository (the experiments live in ``<root>/experiments``).
ROOT = Path(__file__).resolve().parents[1]

#: ``--quick`` settings: seeds, horizon and a smaller panel (staffing scaled to it).
QUICK_SEEDS = 2
QUICK_MONTHS = 12
QUICK_N_PATIENTS = 3000
QUICK_N_PCPS = 2

#: Claim-based revenue lines: money that follows delivered integration services.
CLAIMS_LINES: tuple[str, ...] = (
    "revenue_cocm",
    "revenue_bhc_psychotherapy",
    "revenue_bhc_hbai",
    "revenue_fqhc_mental_health",
    "revenue_general_bhi",
)
#: Revenue lines from contracts other than fee-for-service, and grants.
CONTRACT_LINES: tuple[str, ...] = (
    "revenue_pmpm",
    "revenue_case_rate",
    "revenue_p4p",
    "revenue_shared_savings",
    "revenue_grant",
)
#: Monthly ledger columns kept from each run (for the by-month figures).
MONTHLY_KEEP: tuple[str, ...] = ("month", "net", "cumulative_net", "cumulative_cash")


@dataclass(frozen=True)
class Task:
    """One simulation to run.

    Attributes:
        key: Labels of the run (e.g. care model and contract); returned with its outcome.
        scenario: The validated scenario.
        seed: Root seed.
        months: Horizon in months, or None for the scenario's ``simulation.months``.
        monthly_columns: Monthly columns to keep besides :data:`MONTHLY_KEEP` and the revenue
            lines (e.g. the workforce columns ``vacancies_cm``, ``effective_fte_bhc``).
    """

    key: tuple[str, ...]
    scenario: Scenario
    seed: int
    months: int | None = None
    monthly_columns: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What the experiments keep of a run: its summary and a few monthly ledger columns.

    Attributes:
        key: The task's labels.
        seed: Root seed.
        summary: ``Results.summary`` (nested ``payer`` dict included).
        monthly: ``Results.monthly`` restricted to the columns the experiments use.
        tcoc: Unit costs (USD) used to value avoided acute and specialty care.
        seconds: Wall time of the run.
    """

    key: tuple[str, ...]
    seed: int
    summary: dict[str, Any]
    monthly: pd.DataFrame
    tcoc: dict[str, float]
    seconds: float


def parse_options(
    argv: list[str] | None,
    *,
    description: str,
    config_help: str,
    default_seeds: int,
    out: Path,
) -> argparse.Namespace:
    """The options every experiment script takes (config folder, seeds, horizon, jobs, quick)."""
    parser = argcheck.Parser(description=description)
    parser.add_argument(
        "--config-dir", type=argcheck.existing_dir, default=ROOT / "configs", help=config_help
    )
    _add_run_options(parser, default_seeds, out)
    return _resolve_run_options(parser.parse_args(argv), default_seeds)


def _add_run_options(parser: argparse.ArgumentParser, default_seeds: int, out: Path) -> None:
    """Seeds, horizon, jobs, quick and output folder: the options every script shares."""
    parser.add_argument(
        "--seeds",
        type=argcheck.seed_count,
        default=None,
        help=f"number of seeds 1..N, N >= 1 (default {default_seeds}; {QUICK_SEEDS} with --quick)",
    )
    parser.add_argument(
        "--months",
        type=argcheck.months,
        default=None,
        help=f"horizon in months, >= 1 (default: the scenario's; {QUICK_MONTHS} with --quick)",
    )
    parser.add_argument(
        "--jobs", type=argcheck.positive_int, default=1, help="worker processes, >= 1 (1 = serial)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 seeds, 12 months, 3,000 patients and 2 PCPs with BH staff scaled (for tests)",
    )
    parser.add_argument(
        "--out",
        type=argcheck.out_dir,
        default=out,
        help="output folder (replaced only if every file in it was written by intsim)",
    )


def _resolve_run_options(args: argparse.Namespace, default_seeds: int) -> argparse.Namespace:
    """Add ``n_seeds`` and ``horizon``: the options given, else the (``--quick``) defaults.

    An option given is used as is (``--seeds 0`` is refused by the parser, never replaced).
    """
    if args.seeds is not None:
        args.n_seeds = args.seeds
    else:
        args.n_seeds = QUICK_SEEDS if args.quick else default_seeds
    if args.months is not None:
        args.horizon = args.months
    else:
        args.horizon = QUICK_MONTHS if args.quick else None
    return args


# --------------------------------------------------------------------------- output folders

#: Lock ``--out`` and check it before any run (exit 2 naming foreign files; nothing touched).
claim_out = argcheck.claim_out
#: A temporary sibling of ``--out`` renamed into place when the block succeeds.
staged_out = argcheck.staged_out


def seed_list(n: int) -> list[int]:
    """The fixed seeds ``1..n`` used for every model and contract (common random numbers)."""
    if n < 1:
        raise ValueError(f"need at least one seed, got {n}")
    return list(range(1, n + 1))


def quick_overrides(scenario: Scenario) -> dict[str, Any]:
    """Overrides of ``--quick``: a 3,000-patient panel with 2 PCPs, BH staffing scaled to it.

    Care-manager and BHC FTE and psychiatric-consultant hours are scaled by the ratio of panel
    sizes, so staff per patient (and hence capacity pressure) stays that of the full scenario.
    """
    v = scenario.values
    ratio = QUICK_N_PATIENTS / v.population.n_patients
    s = v.staffing
    return {
        "population.n_patients": QUICK_N_PATIENTS,
        "staffing.n_pcps": QUICK_N_PCPS,
        "staffing.care_manager_fte": round(s.care_manager_fte * ratio, 3),
        "staffing.bhc_fte": round(s.bhc_fte * ratio, 3),
        "staffing.psychiatric_consultant_hours_per_week": round(
            s.psychiatric_consultant_hours_per_week * ratio, 3
        ),
    }


def _run(task: Task) -> Outcome:
    """Run one task (module-level, so it can be sent to a process pool)."""
    start = time.perf_counter()
    res = simulate(task.scenario, seed=task.seed, months=task.months)
    t = task.scenario.values.tcoc
    return Outcome(
        key=task.key,
        seed=task.seed,
        summary=res.summary,
        monthly=res.monthly[
            [c for c in res.monthly.columns if _keep_monthly(c) or c in task.monthly_columns]
        ].copy(),
        tcoc={
            "ed_visit_cost": float(t.ed_visit_cost),
            "admission_cost": float(t.admission_cost),
            "specialty_month_cost": float(t.specialty_month_cost),
        },
        seconds=time.perf_counter() - start,
    )


def _keep_monthly(column: str) -> bool:
    return column in MONTHLY_KEEP or column.startswith("revenue_") or column == "pcp_visits_extra"


def _progress_writer(total: int) -> Callable[[Outcome], None]:
    """A callback reporting each finished run: tqdm on a terminal if installed, else a line."""
    if sys.stderr.isatty():
        try:
            from tqdm import tqdm  # noqa: PLC0415
        except ImportError:
            pass
        else:
            bar = tqdm(total=total, unit="run", file=sys.stderr)

            def tick(out: Outcome) -> None:
                bar.set_postfix_str(" ".join(out.key) + f" seed {out.seed}", refresh=False)
                bar.update(1)
                if bar.n >= total:
                    bar.close()

            return tick
    done = 0

    def line(out: Outcome) -> None:
        nonlocal done
        done += 1
        net = out.summary.get("net", 0.0)
        print(
            f"  [{done:>{len(str(total))}}/{total}] {' / '.join(out.key)}, seed {out.seed}: "
            f"net {net / 1e3:,.0f}k USD ({out.seconds:.1f} s)",
            file=sys.stderr,
            flush=True,
        )

    return line


def run_tasks(tasks: Sequence[Task], jobs: int = 1) -> list[Outcome]:
    """Run every task, in a process pool when ``jobs > 1``; outcomes come back in task order.

    Args:
        tasks: The runs.
        jobs: Worker processes (1 = serial, in this process).

    Returns:
        One :class:`Outcome` per task, in the order of ``tasks``.
    """
    report = _progress_writer(len(tasks))
    if jobs <= 1:
        outcomes = []
        for task in tasks:
            out = _run(task)
            report(out)
            outcomes.append(out)
        return outcomes
    results: list[Outcome | None] = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_run, task): i for i, task in enumerate(tasks)}
        for fut in as_completed(futures):
            out = fut.result()
            report(out)
            results[futures[fut]] = out
    return [r for r in results if r is not None]


def _num(value: Any) -> float:
    """A summary value as a float; None (not defined) becomes NaN."""
    if value is None:
        return math.nan
    return float(value)


def run_metrics(out: Outcome) -> dict[str, float]:
    """Flat metrics of one run: sustainability, reach and outcomes, the payer's view.

    Quantities "avoided" and "incremental" are relative to usual care on the same seed (the
    counterfactual every integrated run simulates; zero for usual care itself). Break-even and
    payback months are NaN when they do not occur within the horizon; ``broke_even`` and
    ``paid_back`` (1/0) say whether they did, and are NaN for usual care, which has no programme.
    """
    s, payer, m = out.summary, out.summary.get("payer", {}), out.monthly
    programme = (s.get("total_cost") or 0.0) > 0 or (s.get("total_revenue") or 0.0) > 0
    ed_avoided = _num(payer.get("ed_visits_avoided", 0))
    adm_avoided = _num(payer.get("admissions_avoided", 0))
    spec_avoided = _num(payer.get("specialty_care_months_avoided", 0))
    be = s.get("break_even_month")
    pb = s.get("payback_month")
    # operational break-even without grant money (a grant that covers deficits makes net >= 0)
    net_no_grant = (m["net"] - m["revenue_grant"]).to_numpy(float)
    be_no_grant = break_even_month(net_no_grant) if programme else None
    row: dict[str, float] = {
        "net": _num(s.get("net")),
        "net_margin_pct": _num(s.get("net_margin_pct")),
        "npv": _num(s.get("npv")),
        "roi": _num(s.get("roi")),
        "break_even_month": _num(be),
        "broke_even": float(be is not None) if programme else math.nan,
        "break_even_month_excl_grant": _num(be_no_grant),
        "payback_month": _num(pb),
        "paid_back": float(pb is not None) if programme else math.nan,
        "cash_trough": _num(s.get("cash_trough")),
        "cash_trough_month": _num(s.get("cash_trough_month")),
        "total_revenue": _num(s.get("total_revenue")),
        "total_cost": _num(s.get("total_cost")),
        "startup_cost": _num(s.get("startup_cost")),
        "patients_served": _num(s.get("patients_served")),
        "responders": _num(s.get("responders")),
        "incremental_responders": _num(s.get("incremental_responders", 0)),
        "cost_per_responder": _num(s.get("cost_per_responder")) if programme else math.nan,
        "cost_per_patient_served": _num(s.get("cost_per_patient_served")),
        "tcoc_pmpm_change": _num(payer.get("tcoc_pmpm_change", 0.0)),
        "payer_net_savings": _num(payer.get("payer_net_savings", 0.0)),
        "ed_visits_avoided": ed_avoided,
        "admissions_avoided": adm_avoided,
        "acute_care_cost_avoided": ed_avoided * out.tcoc["ed_visit_cost"]
        + adm_avoided * out.tcoc["admission_cost"],
        "specialty_care_months_avoided": spec_avoided,
        "specialty_care_cost_avoided": spec_avoided * out.tcoc["specialty_month_cost"],
        "pcp_visits_extra": float(m["pcp_visits_extra"].sum()),
        "revenue_pcp_extra_visits": float(m["revenue_pcp_extra_visits"].sum()),
        "direct_claims_revenue": float(sum(m[c].sum() for c in CLAIMS_LINES)),
    }
    for line in CONTRACT_LINES:
        row[line] = float(m[line].sum())
    return row


def describe(values: Iterable[float]) -> dict[str, float]:
    """Mean, SD, min, p5, p95 and max over seeds, ignoring NaN (undefined) values.

    Returns:
        The statistics plus ``n_seeds`` (all values) and ``n_defined`` (non-NaN values); the
        statistics are NaN when no value is defined, and ``sd`` is NaN with one defined value.
    """
    arr = np.asarray(list(values), dtype=float)
    ok = arr[~np.isnan(arr)]
    nan = math.nan
    return {
        "mean": float(ok.mean()) if ok.size else nan,
        "sd": float(ok.std(ddof=1)) if ok.size > 1 else nan,
        "min": float(ok.min()) if ok.size else nan,
        "p5": float(np.percentile(ok, 5)) if ok.size else nan,
        "p95": float(np.percentile(ok, 95)) if ok.size else nan,
        "max": float(ok.max()) if ok.size else nan,
        "n_seeds": int(arr.size),
        "n_defined": int(ok.size),
    }


def summarise_runs(
    runs: pd.DataFrame,
    by: list[str],
    metrics: Sequence[str],
    rename: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Long table: one row per group of ``by`` x metric with :func:`describe` statistics.

    Args:
        runs: One row per run, with the ``by`` columns and the metric columns.
        by: Grouping columns (kept in their order of appearance).
        metrics: Metric columns to summarise.
        rename: Names to give metrics in the output (e.g. a 0/1 indicator whose mean is a share).
    """
    rename = rename or {}
    rows: list[dict[str, Any]] = []
    for key, group in runs.groupby(by, sort=False):
        labels = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        rows.extend(
            {**labels, "metric": rename.get(metric, metric), **describe(group[metric])}
            for metric in metrics
        )
    return pd.DataFrame(rows)


def band(frames: Sequence[pd.DataFrame], column: str) -> tuple[np.ndarray, ...]:
    """Month, mean, p5 and p95 of a monthly column across runs (same horizon)."""
    stack = np.stack([f[column].to_numpy(float) for f in frames])
    month = frames[0]["month"].to_numpy()
    return (
        month,
        stack.mean(axis=0),
        np.percentile(stack, 5, axis=0),
        np.percentile(stack, 95, axis=0),
    )


def save_figure(fig: Any, stem: Path) -> list[Path]:
    """Save a figure as ``stem.png`` (300 dpi), ``stem.svg`` and ``stem.pdf`` and close it.

    The house style and formats of :mod:`intsim.analysis.figures`; the PDF is kept for the paper.
    """
    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    return list(fg.save(fig, stem, extra=("pdf",)))


def pyplot() -> Any:
    """matplotlib.pyplot, Agg backend, house style (:func:`intsim.analysis.figures.pyplot`)."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    return fg.pyplot()


def fmt_money(value: float) -> str:
    """USD in thousands, e.g. ``-1,060k``; ``n/a`` for NaN."""
    return "n/a" if math.isnan(value) else f"{value / 1e3:,.0f}k"


def fmt_share(value: float) -> str:
    """A 0-1 share as a percentage; ``n/a`` for NaN."""
    return "n/a" if math.isnan(value) else f"{100 * value:.0f}%"


def fmt_number(value: float, digits: int = 0) -> str:
    """A number with thousands separators; ``n/a`` for NaN."""
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table: first column left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def fmt(r: Sequence[str]) -> str:
        first = str(r[0]).ljust(widths[0])
        rest = [str(c).rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    return "\n".join([fmt(header), rule, *(fmt(r) for r in rows)])


# --------------------------------------------------------------------------- experiment files


def parse_experiment_options(
    argv: list[str] | None,
    *,
    description: str,
    scenario: Path,
    default_seeds: int,
    out: Path,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> argparse.Namespace:
    """Options of the scripts driven by one experiment file (workforce, startup phasing).

    As :func:`parse_options`, with ``--scenario FILE`` (an experiment file or a single scenario
    file, see :func:`load_strategies`) and repeatable ``--set KEY.PATH=VALUE`` in place of
    ``--config-dir``; ``add_arguments`` adds the script's own options.
    """
    parser = argcheck.Parser(description=description)
    parser.add_argument(
        "--scenario",
        type=argcheck.existing_file,
        default=scenario,
        help="experiment file (scenario: + strategies:) or one scenario file "
        f"(default {scenario.relative_to(ROOT) if scenario.is_relative_to(ROOT) else scenario})",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override a parameter of every strategy (repeatable)",
    )
    _add_run_options(parser, default_seeds, out)
    if add_arguments is not None:
        add_arguments(parser)
    return _resolve_run_options(parser.parse_args(argv), default_seeds)


def load_strategies(
    path: Path, overrides: Sequence[str] = (), *, quick: bool = False
) -> dict[str, Scenario]:
    """The named scenarios of an experiment file, or one scenario file as a single strategy.

    An experiment file (a ``scenario:`` key; ``intsim.analysis.montecarlo.load_experiment``) gives
    its ``strategies:`` (scenario files or overrides of the base, with ``set:`` applied); a scenario
    file gives one strategy named after its care model. ``overrides`` (``KEY.PATH=VALUE``) apply to
    every strategy; ``quick`` shrinks each to the :func:`quick_overrides` panel.

    Raises:
        intsim.params.scenario.ScenarioError: On an invalid file or override.
    """
    if "scenario" in read_yaml_mapping(path):
        strategies = dict(load_experiment(path, overrides=list(overrides)).strategies)
    else:
        sc = load_scenario(path, list(overrides) or None)
        strategies = {str(sc.values.care_model): sc}
    if quick:
        strategies = {n: sc.with_overrides(quick_overrides(sc)) for n, sc in strategies.items()}
    return strategies


# --------------------------------------------------------------------------- one row per cell

#: Statistics of :func:`spread`, as column suffixes of :func:`wide_summary`.
SPREAD_STATS: tuple[str, ...] = ("mean", "sd", "p10", "p50", "p90")


def spread(values: Iterable[float]) -> dict[str, float]:
    """Mean, SD, 10th, 50th and 90th percentiles over seeds, ignoring NaN (undefined) values.

    Returns:
        The statistics plus ``n_defined``; NaN when no value is defined (``sd``: fewer than 2).
    """
    arr = np.asarray(list(values), dtype=float)
    ok = arr[~np.isnan(arr)]
    nan = math.nan
    out = {
        "mean": float(ok.mean()) if ok.size else nan,
        "sd": float(ok.std(ddof=1)) if ok.size > 1 else nan,
    }
    for q in (10, 50, 90):
        out[f"p{q}"] = float(np.percentile(ok, q)) if ok.size else nan
    out["n_defined"] = int(ok.size)
    return out


def wide_summary(
    runs: pd.DataFrame,
    by: list[str],
    metrics: Sequence[str],
    *,
    shares: dict[str, str] | None = None,
    count_defined: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per group of ``by``: ``n_seeds`` and ``<metric>_<stat>`` for every metric.

    Args:
        runs: One row per run, with the ``by`` columns and the metric columns.
        by: Grouping columns (groups kept in their order of appearance).
        metrics: Metric columns, each summarised by :func:`spread` (``_mean``, ``_sd``,
            ``_p10``, ``_p50``, ``_p90``).
        shares: 0/1 indicator columns -> output name: only their mean (a share) is written.
        count_defined: Metrics that may be undefined (e.g. a month never reached): also
            ``<metric>_n`` = the number of seeds where it is defined.
    """
    shares = shares or {}
    rows: list[dict[str, Any]] = []
    for key, group in runs.groupby(by, sort=False):
        row: dict[str, Any] = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        row["n_seeds"] = len(group)
        for metric, name in shares.items():
            row[name] = spread(group[metric])["mean"]
        for metric in metrics:
            stats = spread(group[metric])
            row.update({f"{metric}_{s}": stats[s] for s in SPREAD_STATS})
            if metric in count_defined:
                row[f"{metric}_n"] = stats["n_defined"]
        rows.append(row)
    return pd.DataFrame(rows)


def quantile_band(
    frames: Sequence[pd.DataFrame], column: str, low: float = 10.0, high: float = 90.0
) -> tuple[np.ndarray, ...]:
    """Month, mean and the ``low``/``high`` percentiles of a monthly column across runs."""
    stack = np.stack([f[column].to_numpy(float) for f in frames])
    return (
        frames[0]["month"].to_numpy(),
        stack.mean(axis=0),
        np.percentile(stack, low, axis=0),
        np.percentile(stack, high, axis=0),
    )
