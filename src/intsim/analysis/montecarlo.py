"""Probabilistic sensitivity analysis: parameter draws × replications × strategies.

An experiment file names a base scenario, the strategies to compare, the parameter
distributions and the sampling design::

    name: cocm_vs_pcbh
    scenario: ../configs/default.yaml      # base scenario (relative to this file)
    set: {simulation.months: 36}           # optional overrides of the base
    strategies:                            # optional; default: the base alone
      cocm: ../configs/cocm.yaml           # a scenario file (its own extends chain), or
      pcbh: {care_model: pcbh}             # overrides applied to the base
    uncertainty:
      defaults: true                       # the declaration's distributions (docs/evidence.md)
      clinical.cocm_response_hr: {dist: lognormal, median: 3.4, ci: [2.5, 4.6]}
    sampling: {method: lhs, seed: 7}       # random | lhs | sobol
    monte_carlo: {runs: 100, reps: 2, break_even_by: [12, 24, 36]}

Every strategy is evaluated on the same parameter draws and, for each (draw, replication), on the
same seed: common random numbers, so incremental results have low variance. Seeds derive from one
root seed through ``numpy.random.SeedSequence`` (:func:`intsim.analysis.batch.task_seed`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim.analysis.batch import BUDGET_PREFIX, Task, task_seed
from intsim.analysis.sampling import overrides_for_draw, sample
from intsim.analysis.uncertainty import UncertaintySpec
from intsim.params.scenario import (
    Scenario,
    ScenarioError,
    build_scenario,
    load_scenario,
    parse_overrides,
    read_yaml_mapping,
)

EXPERIMENT_KEYS = (
    "name",
    "description",
    "scenario",
    "set",
    "strategies",
    "uncertainty",
    "sampling",
    "monte_carlo",
    "sensitivity",
)
SAMPLING_METHODS = ("random", "lhs", "sobol")
#: Keys only an experiment file has: a file with none of them and no ``scenario:`` key is read
#: as a plain scenario file (:func:`file_kind`).
EXPERIMENT_ONLY_KEYS = (
    "set",
    "strategies",
    "uncertainty",
    "sampling",
    "monte_carlo",
    "sensitivity",
)

#: Summary outputs reported per strategy (columns of runs.parquet).
METRICS: tuple[str, ...] = (
    "net",
    "npv",
    "net_margin_pct",
    "total_revenue",
    "total_cost",
    "break_even_month",
    "break_even_month_without_grant",
    "funding_gap_after_grant_per_year",
    "payback_month",
    "cash_trough",
    "patients_served",
    "responders",
    "incremental_responders",
    "cost_per_responder",
    "payer.payer_net_savings",
    "payer.tcoc_pmpm_change",
)


@dataclass
class Experiment:
    """A resolved Monte Carlo experiment."""

    name: str
    strategies: dict[str, Scenario]
    uncertainty: UncertaintySpec
    method: str = "lhs"
    seed: int = 1
    runs: int = 100
    reps: int = 1
    break_even_by: tuple[int, ...] = (12, 24, 36)
    raw: dict[str, Any] = field(default_factory=dict)
    plain: bool = False

    @property
    def months(self) -> int:
        """Horizon of the first strategy (all strategies share it)."""
        return int(next(iter(self.strategies.values())).values.simulation.months)


def _err(path: str, value: Any, expected: str) -> ScenarioError:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return ScenarioError(f"{path}: got {text}; expected {expected}")


def whole_number(value: Any) -> Any:
    """``1e3`` (read as the float 1000.0) is the whole number 1000; anything else unchanged."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _positive_int(data: Mapping[str, Any], key: str, path: str, default: int) -> int:
    value = whole_number(data.get(key, default))
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _err(path, value, "a whole number >= 1")
    return value


#: Months at which P(break-even by month) is reported when the file names none (those within
#: the horizon).
DEFAULT_BREAK_EVEN_BY = (12, 24, 36)


def _break_even_by(mc: Mapping[str, Any], months: int) -> tuple[int, ...]:
    """``monte_carlo.break_even_by``: months within the horizon (default: 12, 24, 36 within it).

    Raises:
        ScenarioError: On a month that is not a whole number >= 1, or after the horizon (the
            probability of breaking even by then cannot be observed in the run).
    """
    if "break_even_by" not in mc:
        return tuple(m for m in DEFAULT_BREAK_EVEN_BY if m <= months)
    by = mc["break_even_by"]
    if isinstance(by, list):
        by = [whole_number(x) for x in by]
    if not isinstance(by, list) or not all(
        isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in by
    ):
        raise _err("monte_carlo.break_even_by", by, "a list of months >= 1")
    late = [x for x in by if x > months]
    if late:
        raise _err(
            "monte_carlo.break_even_by",
            by,
            f"months within simulation.months ({months}) of the strategies: break-even by month "
            f"{', '.join(map(str, late))} cannot be observed in a {months}-month run",
        )
    return tuple(by)


def file_kind(path: Path, data: Mapping[str, Any]) -> str:
    """Whether a YAML mapping is an ``experiment`` file or a plain ``scenario`` file.

    An experiment file names its base scenario (``scenario: PATH``); a scenario file has no
    ``scenario`` key and none of the experiment-only keys (:data:`EXPERIMENT_ONLY_KEYS`).

    Raises:
        ScenarioError: A file with experiment-only keys but no ``scenario`` key (neither kind).
    """
    if "scenario" in data:
        return "experiment"
    mixed = [k for k in EXPERIMENT_ONLY_KEYS if k in data]
    if mixed:
        raise ScenarioError(
            f"scenario: missing in {path}, which has the experiment key {mixed[0]}; expected an "
            "experiment file naming its base scenario (scenario: PATH) or a plain scenario file "
            f"(without {', '.join(EXPERIMENT_ONLY_KEYS)})"
        )
    return "scenario"


def plain_experiment(path: Path) -> dict[str, Any]:
    """The experiment a plain scenario file stands for.

    That scenario alone, under the declared uncertainty distributions (``uncertainty:
    {defaults: true}``), with default sampling and Monte Carlo settings; the command line gives
    the factors, levers and sizes.
    """
    return {
        "name": path.stem,
        "scenario": path.name,
        "uncertainty": {"defaults": True},
    }


def load_experiment(
    path: str | Path,
    *,
    runs: int | None = None,
    reps: int | None = None,
    strategy_files: Sequence[str | Path] = (),
    overrides: Sequence[str] = (),
    seed: int | None = None,
) -> Experiment:
    """Load and validate an experiment file, or a plain scenario file (CLI options override).

    A plain scenario file (:func:`file_kind`) is read as the experiment of
    :func:`plain_experiment`: its one strategy is the scenario, its uncertainty the declared
    distributions; ``Experiment.plain`` is then true.

    Raises:
        ScenarioError: With one message naming the key path and the expectation.
    """
    path = Path(path)
    data = read_yaml_mapping(path)
    plain = file_kind(path, data) == "scenario"
    if plain:
        data = plain_experiment(path)
    unknown = sorted(set(data) - set(EXPERIMENT_KEYS))
    if unknown:
        raise ScenarioError(
            f"{unknown[0]}: unknown key in experiment file {path}; expected one of "
            + ", ".join(EXPERIMENT_KEYS)
        )
    if "scenario" not in data or not isinstance(data["scenario"], str):
        raise _err("scenario", data.get("scenario"), "the path of a base scenario file")
    given = data.get("set") or {}
    if not isinstance(given, dict):
        raise _err("set", given, "a mapping of KEY.PATH: value")
    base_overrides = dict(given)
    from_cli = parse_overrides(overrides)
    base_overrides.update(from_cli)
    set_origins = {
        **{str(k): f"set: in {path.name}" for k in given},
        **dict.fromkeys(from_cli, "--set"),
    }
    base = load_scenario(
        path.parent / data["scenario"], base_overrides or None, override_origins=set_origins
    )

    strategies: dict[str, Scenario] = {}
    if strategy_files:
        for f in strategy_files:
            sc = load_scenario(f, base_overrides or None, override_origins=set_origins)
            if sc.name in strategies:
                raise ScenarioError(
                    f"--strategies {f}: scenario name '{sc.name}' is used twice; expected a "
                    "distinct `name:` in each strategy file"
                )
            strategies[sc.name] = sc
    else:
        spec = data.get("strategies") or {}
        if not isinstance(spec, dict):
            raise _err("strategies", spec, "a mapping of name: scenario file or overrides")
        for name, item in spec.items():
            label = f"strategies.{name}"
            if isinstance(item, str):
                sc = load_scenario(
                    path.parent / item, base_overrides or None, override_origins=set_origins
                )
            elif isinstance(item, dict):
                try:
                    sc = base.with_overrides(item, origin=f"{label} in {path.name}")
                except ScenarioError as exc:
                    raise ScenarioError(f"{label}: {exc}") from None
            else:
                raise _err(label, item, "a scenario file path or a mapping of overrides")
            strategies[str(name)] = build_scenario(sc.to_dict(), name=str(name))
    if not strategies:
        strategies[base.name] = base
    months = {sc.values.simulation.months for sc in strategies.values()}
    if len(months) > 1:
        raise _err("strategies", sorted(months), "the same simulation.months in every strategy")

    sampling = data.get("sampling") or {}
    if not isinstance(sampling, dict):
        raise _err("sampling", sampling, "a mapping with method and seed")
    method = sampling.get("method", "lhs")
    if method not in SAMPLING_METHODS:
        raise _err("sampling.method", method, "one of " + ", ".join(SAMPLING_METHODS))
    root = seed if seed is not None else _positive_int(sampling, "seed", "sampling.seed", 1)
    mc = data.get("monte_carlo") or {}
    if not isinstance(mc, dict):
        raise _err("monte_carlo", mc, "a mapping with runs, reps and break_even_by")
    k = runs if runs is not None else _positive_int(mc, "runs", "monte_carlo.runs", 100)
    r = reps if reps is not None else _positive_int(mc, "reps", "monte_carlo.reps", 1)
    by = _break_even_by(mc, next(iter(months)))
    unc = dict(data.get("uncertainty") or {})
    defaults = bool(unc.pop("defaults", False))
    spec = UncertaintySpec.from_mapping(unc, defaults=defaults)
    return Experiment(
        name=str(data.get("name", path.stem)),
        strategies=strategies,
        uncertainty=spec,
        method=method,
        seed=root,
        runs=k,
        reps=r,
        break_even_by=by,
        raw=dict(data),
        plain=plain,
    )


def draws_table(exp: Experiment) -> pd.DataFrame:
    """The sampled parameter values, one row per draw."""
    return sample(exp.uncertainty, exp.runs, method=exp.method, seed=exp.seed)


def build_tasks(exp: Experiment, draws: pd.DataFrame) -> list[Task]:
    """One task per draw × replication × strategy, in a fixed order (the task id)."""
    tasks = []
    task_id = 0
    for draw in range(len(draws)):
        values = overrides_for_draw(draws.iloc[draw])
        drawn = {
            name: scenario.with_overrides(values) if values else scenario
            for name, scenario in exp.strategies.items()
        }
        for rep in range(exp.reps):
            seed = task_seed(exp.seed, draw, rep)
            for name, sc in drawn.items():
                tasks.append(Task(task_id, draw, rep, name, sc, seed))
                task_id += 1
    return tasks


# --------------------------------------------------------------------------- summaries


def _stats(x: np.ndarray) -> dict[str, float]:
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return {
            "n": 0,
            "mean": np.nan,
            "sd": np.nan,
            "mcse": np.nan,
            "p5": np.nan,
            "p50": np.nan,
            "p95": np.nan,
        }
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    return {
        "n": n,
        "mean": float(np.mean(x)),
        "sd": sd,
        "mcse": sd / np.sqrt(n),
        "p5": float(np.percentile(x, 5)),
        "p50": float(np.percentile(x, 50)),
        "p95": float(np.percentile(x, 95)),
    }


#: Budget lines summarised per programme year (``budget_y<year>.<line>`` columns of runs).
SUMMARISED_BUDGET_LINES: tuple[str, ...] = ("net", "gap_without_grant")


def budget_columns(runs: pd.DataFrame) -> list[str]:
    """The ``budget_y<year>.net`` and ``.gap_without_grant`` columns of ``runs``, by year."""
    found = []
    for column in runs.columns:
        match = re.fullmatch(rf"{BUDGET_PREFIX}(\d+)\.(\w+)", str(column))
        if match and match.group(2) in SUMMARISED_BUDGET_LINES:
            found.append((int(match.group(1)), column))
    return [column for _, column in sorted(found)]


def summarise_runs(runs: pd.DataFrame, break_even_by: Sequence[int], months: int) -> pd.DataFrame:
    """Summaries per strategy and metric, probabilities, and incremental results.

    Per strategy and metric: mean, SD, Monte Carlo standard error, p5/p50/p95; P(break-even by
    month X) with and without grant money, P(NPV > 0), P(payback within the horizon) and the
    5th-percentile cash trough (bridge funding in a bad case); and every strategy against the
    first, paired on draw and replication (common random numbers).

    Returns:
        A long table with columns ``strategy, metric, statistic, value``.
    """
    rows: list[dict[str, Any]] = []

    def add(strategy: str, metric: str, statistic: str, value: float) -> None:
        rows.append(
            {"strategy": strategy, "metric": metric, "statistic": statistic, "value": value}
        )

    strategies = list(dict.fromkeys(runs["strategy"]))
    for name in strategies:
        sub = runs[runs["strategy"] == name]
        for metric in METRICS:
            if metric in sub:
                for stat, value in _stats(sub[metric].to_numpy(float)).items():
                    add(name, metric, stat, value)
        for column in budget_columns(sub):
            for stat, value in _stats(sub[column].to_numpy(float)).items():
                add(name, column, stat, value)
        # with and without grant money: a grant can carry break-even that the clinic cannot
        for metric in ("break_even_month", "break_even_month_without_grant"):
            if metric in sub:
                be = sub[metric].to_numpy(float)
                for x in break_even_by:
                    add(name, metric, f"P(<= {x})", float(np.mean(be <= x)))
        add(name, "npv", "P(> 0)", float(np.mean(sub["npv"].to_numpy(float) > 0)))
        pb = sub["payback_month"].to_numpy(float)
        add(name, "payback_month", f"P(<= {months})", float(np.mean(pb <= months)))
        trough = sub["cash_trough"].to_numpy(float)
        add(name, "cash_trough", "bridge_p5", float(np.percentile(trough, 5)))
    if len(strategies) > 1:
        ref = runs[runs["strategy"] == strategies[0]].set_index(["draw", "rep"])
        for name in strategies[1:]:
            other = runs[runs["strategy"] == name].set_index(["draw", "rep"])
            for metric in (
                "net",
                "npv",
                "responders",
                "patients_served",
                "payer.payer_net_savings",
            ):
                if metric not in other:
                    continue
                diff = (other[metric] - ref[metric]).to_numpy(float)
                label = f"delta_vs_{strategies[0]}:{metric}"
                for stat, value in _stats(diff).items():
                    add(name, label, stat, value)
                add(name, label, "P(> 0)", float(np.mean(diff > 0)))
    return pd.DataFrame(rows, columns=["strategy", "metric", "statistic", "value"])


def cumulative_net_columns(runs: pd.DataFrame) -> list[str]:
    """The ``cumulative_net_m<k>`` columns in month order."""
    cols = [c for c in runs.columns if c.startswith("cumulative_net_m")]
    return sorted(cols, key=lambda c: int(c.removeprefix("cumulative_net_m")))


def plot_mc_figures(runs: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Fan chart of cumulative net, histograms of break-even month and NPV, convergence.

    Every figure is written as PNG (300 dpi) and SVG (:func:`intsim.analysis.figures.save`).
    """
    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    plt = fg.pyplot()
    strategies = list(dict.fromkeys(runs["strategy"]))
    colour = {name: fg.COLOURS[k % len(fg.COLOURS)] for k, name in enumerate(strategies)}
    paths: list[Path] = []
    cols = cumulative_net_columns(runs)
    if cols:
        fig, ax = plt.subplots(figsize=(9, 5))
        months = np.arange(1, len(cols) + 1)
        for name in strategies:
            values = runs.loc[runs["strategy"] == name, cols].to_numpy(float)
            c = colour[name]
            lo, q1, med, q3, hi = np.percentile(values, [5, 25, 50, 75, 95], axis=0)
            ax.fill_between(months, lo, hi, color=c, alpha=0.15)
            ax.fill_between(months, q1, q3, color=c, alpha=0.3)
            ax.plot(months, med, color=c, lw=1.9, label=f"{fg.display_name(name)}: median")
        ax.plot([], [], color=fg.GREY, lw=8, alpha=0.45, label="50% of runs (dark band)")
        ax.plot([], [], color=fg.GREY, lw=8, alpha=0.2, label="90% of runs (light band)")
        ax.axhline(0, color=fg.GREY, lw=0.8)
        ax.set_xlabel("Month")
        fg.format_axis(ax.xaxis, "month")
        ax.set_ylabel("Cumulative net incl. startup (USD)")
        fg.format_axis(ax.yaxis, "USD")
        ax.set_title("Cumulative net by month: Monte Carlo fan chart")
        fg.legend_right(ax)
        paths += fg.save(fig, out_dir / "fan_cumulative_net.png")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.6))
    for name in strategies:
        sub = runs[runs["strategy"] == name]
        be = sub["break_even_month"].to_numpy(float)
        never = np.isnan(be).mean()
        shown = fg.display_name(name)
        no_programme = bool((sub["total_cost"].to_numpy(float) == 0).all())
        label = f"{shown} (no programme)" if no_programme else f"{shown} (never: {never:.0%})"
        if np.isfinite(be).any():
            a1.hist(be[np.isfinite(be)], bins=20, alpha=0.55, color=colour[name], label=label)
        else:
            a1.plot([], [], color=colour[name], label=label)
        a2.hist(sub["npv"].to_numpy(float), bins=30, alpha=0.55, color=colour[name], label=shown)
    if not np.isfinite(runs["break_even_month"].to_numpy(float)).any():
        a1.text(
            0.5,
            0.5,
            "No run breaks even within the horizon",
            ha="center",
            va="center",
            transform=a1.transAxes,
        )
    a1.set_title("Break-even month", loc="left", fontsize=10)
    a1.set_xlabel("Break-even month (net ≥ 0 for 3 months)")
    fg.format_axis(a1.xaxis, "month")
    a1.set_ylabel("Runs")
    fg.format_axis(a1.yaxis, "runs")
    fg.legend_below(a1, ncols=1)
    a2.axvline(0, color=fg.GREY, lw=0.8)
    a2.set_title("Net present value", loc="left", fontsize=10)
    a2.set_xlabel("Net present value (USD)")
    fg.format_axis(a2.xaxis, "USD")
    a2.set_ylabel("Runs")
    fg.format_axis(a2.yaxis, "runs")
    fg.legend_below(a2, ncols=2)
    fig.suptitle("Distribution over Monte Carlo runs")
    paths += fg.save(fig, out_dir / "histograms.png")
    fig, ax = plt.subplots(figsize=(9, 4.4))
    for name in strategies:
        x = runs.loc[runs["strategy"] == name, "npv"].to_numpy(float)
        n = np.arange(1, len(x) + 1)
        mean = np.cumsum(x) / n
        sq = np.cumsum(x**2) / n
        se = np.sqrt(np.maximum(sq - mean**2, 0) / np.maximum(n - 1, 1))
        ax.plot(n, mean, color=colour[name], label=fg.display_name(name))
        ax.fill_between(n, mean - 2 * se, mean + 2 * se, color=colour[name], alpha=0.2)
    ax.set_xlabel("Runs")
    fg.format_axis(ax.xaxis, "runs")
    ax.set_ylabel("Running mean NPV ± 2 SE (USD)")
    fg.format_axis(ax.yaxis, "USD")
    ax.set_title("Convergence of the Monte Carlo mean")
    fg.legend_right(ax)
    paths += fg.save(fig, out_dir / "convergence.png")
    return paths
