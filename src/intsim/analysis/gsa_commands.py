"""``intsim sobol`` and ``intsim morris``: global sensitivity analysis of the clinic model.

Both read an experiment file (see :mod:`intsim.analysis.montecarlo`) with a ``sensitivity`` block
(see :mod:`intsim.analysis.gsa`), run every design row through an executor (serial, process pool or
Dask) and write tables and figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim.analysis.gsa import (
    DEFAULT_OUTPUTS,
    ModelFactor,
    ModelResponse,
    parse_factors,
    seeds_for,
    stochastic_share,
)
from intsim.analysis.montecarlo import Experiment, load_experiment, whole_number
from intsim.analysis.uncertainty import default_distribution
from intsim.params import PARAMETERS, PARAMS_BY_PATH
from intsim.params.scenario import ScenarioError

#: Months between time-resolved indices of the cumulative net.
TIME_STEP_MONTHS = 6


SENSITIVITY_KEYS = ("strategy", "n", "reps", "seed", "second_order", "outputs", "factors")


def _block(exp: Experiment) -> dict[str, Any]:
    block = exp.raw.get("sensitivity") or {}
    if not isinstance(block, dict):
        raise ScenarioError(f"sensitivity: got {block!r}; expected a mapping")
    unknown = sorted(set(block) - set(SENSITIVITY_KEYS))
    if unknown:
        raise ScenarioError(
            f"sensitivity.{unknown[0]}: unknown key; expected one of {', '.join(SENSITIVITY_KEYS)}"
        )
    return block


def _int_option(value: Any, block: dict[str, Any], key: str, default: int) -> int:
    if value is not None:
        return int(value)
    v = whole_number(block.get(key, default))  # 1.024e3 is the whole number 1024
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ScenarioError(f"sensitivity.{key}: got {v!r}; expected a whole number >= 1")
    return v


def _outputs(args: argparse.Namespace, block: dict[str, Any], horizon: int) -> list[str]:
    if args.outputs:
        names = [x.strip() for x in args.outputs.split(",") if x.strip()]
    else:
        given = block.get("outputs", list(DEFAULT_OUTPUTS))
        if not isinstance(given, list) or not all(isinstance(x, str) for x in given):
            raise ScenarioError(
                f"sensitivity.outputs: got {given!r}; expected a list of output names"
            )
        names = given
    if not names:
        raise ScenarioError("sensitivity.outputs: got []; expected at least one output")
    for name in names:
        if name.startswith("cumulative_net_m"):
            month = name.removeprefix("cumulative_net_m")
            if not month.isdigit() or not 1 <= int(month) <= horizon:
                raise ScenarioError(
                    f"sensitivity.outputs: got {name!r}; expected cumulative_net_m<k> with "
                    f"1 <= k <= {horizon}"
                )
    return names


def cli_factors(paths: list[str], option: str = "--factors") -> list[ModelFactor]:
    """Factors named on the command line, with the declaration's distribution or range.

    Each path takes its declared uncertainty distribution (``intsim params``), else its
    declared plausible range.

    Raises:
        ScenarioError: An unknown or non-numeric parameter, a repeat, or one with neither.
    """
    import difflib  # noqa: PLC0415

    out: list[ModelFactor] = []
    for path in paths:
        param = PARAMS_BY_PATH.get(path)
        if param is None:
            close = difflib.get_close_matches(path, list(PARAMS_BY_PATH), n=1)
            hint = f" (did you mean {close[0]}?)" if close else " (intsim params lists them)"
            raise ScenarioError(f"{option} {path}: unknown parameter{hint}")
        if param.kind not in ("float", "int"):
            raise ScenarioError(
                f"{option} {path}: a {param.kind} parameter; expected a numeric parameter"
            )
        if any(f.path == path for f in out):
            raise ScenarioError(f"{option} {path}: listed twice; expected distinct parameters")
        dist = default_distribution(param)
        if dist is not None:
            out.append(ModelFactor(path, dist))
        elif param.plausible is not None:
            out.append(ModelFactor(path, (float(param.plausible[0]), float(param.plausible[1]))))
        else:
            raise ScenarioError(
                f"{option} {path}: has no declared distribution or plausible range; expected a "
                "parameter with one, or an experiment file whose sensitivity.factors gives a range"
            )
    return out


def select_factors(
    args: argparse.Namespace, block: dict[str, Any], exp: Experiment, *, default_all: bool
) -> list[ModelFactor]:
    """The factors of an analysis: ``--factors``, else the file's ``sensitivity.factors``.

    A plain scenario file has no ``sensitivity`` block: without ``--factors`` it takes every
    declared uncertain parameter when ``default_all`` (tornado, Morris), else ``--factors`` is
    required (Sobol', whose cost grows with the number of factors).
    """
    given = getattr(args, "factors", None)
    if given:
        return cli_factors(list(given))
    if "factors" in block or not exp.plain:
        return parse_factors(block.get("factors"))
    if default_all:
        return declared_uncertain_factors()
    raise ScenarioError(
        "--factors: required with a plain scenario file; expected comma-separated parameter "
        "paths, e.g. --factors cocm.caseload_per_fte,costs.care_manager_salary"
    )


def _strategies(exp: Experiment, name: str | None) -> dict[str, Any]:
    if name is None:
        return exp.strategies
    if name not in exp.strategies:
        raise ScenarioError(
            f"--strategy {name}: unknown; expected one of {', '.join(exp.strategies)}"
        )
    return {name: exp.strategies[name]}


def _factor_map(factors: list[ModelFactor]) -> dict[str, Any]:
    return {f.path: f.spec for f in factors}


def _groups(factors: list[ModelFactor], use: bool) -> dict[str, str] | None:
    if not use:
        return None
    groups = {f.path: f.group or f.path for f in factors}
    if len(set(groups.values())) < 2:
        raise ScenarioError("sensitivity.factors: --groups needs at least two groups")
    return groups


def rows_per_base_point(
    groups: dict[str, str] | None, n_factors: int, per_dimension: int, extra: int
) -> int:
    """Design rows that vary one base point: ``per_dimension`` x dimensions + ``extra``.

    Used as the default chunk, so the rows of one Sobol' base sample (or Morris trajectory)
    run in one call and rows differing only in money factors share a simulated clinic
    (:class:`intsim.analysis.gsa.ModelResponse`).
    """
    dims = len(set(groups.values())) if groups else n_factors
    return per_dimension * dims + extra


def run_sobol(args: argparse.Namespace, executor: Any, out_dir: Path) -> dict[str, Any]:
    """Sobol' indices for every strategy; writes the tables and returns headline info."""
    from intsim.analysis.sensitivity import sobol, stability_warnings  # noqa: PLC0415

    exp = load_experiment(args.experiment, overrides=args.overrides, seed=args.seed)
    block = _block(exp)
    factors = select_factors(args, block, exp, default_all=False)
    n = _int_option(args.n, block, "n", 256)
    reps = _int_option(args.reps, block, "reps", 1)
    seed = _int_option(args.seed, block, "seed", 1)
    second = bool(args.second_order or block.get("second_order", False))
    outputs = _outputs(args, block, exp.months)
    horizon = exp.months
    timed = [f"cumulative_net_m{m}" for m in range(TIME_STEP_MONTHS, horizon + 1, TIME_STEP_MONTHS)]
    # a month already among the outputs is computed once (issue 13: cumulative_net_m12 crashed)
    evaluated = outputs + [t for t in timed if t not in outputs]
    tables: dict[str, list[pd.DataFrame]] = {
        "indices": [],
        "s2": [],
        "conv": [],
        "time": [],
        "noise": [],
    }
    for name, scenario in _strategies(exp, args.strategy or block.get("strategy")).items():
        response = ModelResponse(scenario, factors, evaluated, seeds_for(seed, reps))
        groups = _groups(factors, args.groups)
        res = sobol(
            response,
            _factor_map(factors),
            n,
            second_order=second,
            seed=seed,
            groups=groups,
            executor=executor,
            chunk_size=args.chunk_size
            or rows_per_base_point(groups, len(factors), 2 if second else 1, 2),
            outputs=evaluated,
            convergence=n >= 16,
        )
        idx = res.indices.assign(strategy=name)
        tables["indices"].append(idx[idx["output"].isin(outputs)])
        for line in stability_warnings(idx[idx["output"].isin(outputs)], n):
            print(f"intsim: warning: {name}: {line}", file=sys.stderr)
        tables["time"].append(idx[idx["output"].isin(timed)])
        if res.convergence is not None:
            tables["conv"].append(res.convergence.assign(strategy=name))
        if res.s2 is not None:
            tables["s2"].append(res.s2.assign(strategy=name))
        if reps > 1:
            # independent base samples: the first row of each SALib block
            groups = res.problem.get("groups")
            d = len(set(groups)) if groups else int(res.problem["num_vars"])
            block_rows = d * (2 if second else 1) + 2
            rows = res.X[::block_rows][:8]
            tables["noise"].append(
                stochastic_share(
                    ModelResponse(scenario, factors, outputs, seeds_for(seed, reps)), rows
                ).assign(strategy=name)
            )
    order = ["strategy", "output"]
    indices = pd.concat(tables["indices"])
    indices = indices[order + [c for c in indices.columns if c not in order]]
    indices.to_csv(out_dir / "indices.csv", index=False)
    pd.concat(tables["time"]).to_csv(out_dir / "indices_time.csv", index=False)
    conv = pd.concat(tables["conv"]) if tables["conv"] else None
    if conv is not None:
        conv.to_csv(out_dir / "convergence.csv", index=False)
    if tables["s2"]:
        pd.concat(tables["s2"]).to_csv(out_dir / "indices_s2.csv", index=False)
    if tables["noise"]:
        pd.concat(tables["noise"]).to_csv(out_dir / "stochastic_share.csv", index=False)
    if not args.no_figures:
        plot_sobol(indices, conv, pd.concat(tables["time"]), out_dir)
    return {
        "indices": indices,
        "n": n,
        "reps": reps,
        "strategies": list(indices["strategy"].unique()),
    }


def declared_uncertain_factors() -> list[ModelFactor]:
    """Every numeric parameter with a declared distribution (for Morris screening)."""
    out = []
    for p in PARAMETERS:
        dist = default_distribution(p) if p.kind in ("float", "int") else None
        if dist is not None:
            out.append(ModelFactor(p.path, dist))
    return out


def run_morris(args: argparse.Namespace, executor: Any, out_dir: Path) -> pd.DataFrame:
    """Morris elementary effects for every strategy; writes morris.csv."""
    from intsim.analysis.sensitivity import morris  # noqa: PLC0415

    exp = load_experiment(args.experiment, overrides=args.overrides, seed=args.seed)
    block = _block(exp)
    factors = (
        declared_uncertain_factors()
        if args.all or ("factors" not in block and not getattr(args, "factors", None))
        else select_factors(args, block, exp, default_all=True)
    )
    reps = _int_option(args.reps, block, "reps", 1)
    seed = _int_option(args.seed, block, "seed", 1)
    outputs = _outputs(args, block, exp.months)
    frames = []
    for name, scenario in _strategies(exp, args.strategy or block.get("strategy")).items():
        response = ModelResponse(scenario, factors, outputs, seeds_for(seed, reps))
        groups = _groups(factors, args.groups)
        table = morris(
            response,
            _factor_map(factors),
            trajectories=args.trajectories,
            levels=args.levels,
            seed=seed,
            groups=groups,
            executor=executor,
            chunk_size=args.chunk_size or rows_per_base_point(groups, len(factors), 1, 1),
            outputs=outputs,
        )
        frames.append(table.assign(strategy=name))
    result = pd.concat(frames)
    cols = ["strategy", "output"]
    result = result[cols + [c for c in result.columns if c not in cols]]
    result.to_csv(out_dir / "morris.csv", index=False)
    if not args.no_figures:
        plot_morris(result, out_dir)
    return result


# --------------------------------------------------------------------------- figures


def plot_sobol(
    indices: pd.DataFrame, conv: pd.DataFrame | None, timed: pd.DataFrame, out: Path
) -> None:
    """Bar charts of S1/ST with CIs per output, convergence of CI widths, time-resolved ST.

    Every figure is written as PNG (300 dpi) and SVG with human labels
    (:mod:`intsim.analysis.figures`).
    """
    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    plt = fg.pyplot()
    for strategy, sub in indices.groupby("strategy", sort=False):
        outputs = list(dict.fromkeys(sub["output"]))
        n_factors = sub.groupby("output").size().max()
        fig, axes = plt.subplots(
            len(outputs),
            1,
            figsize=(max(9.0, 0.9 * n_factors + 4), 3.6 * len(outputs)),
            squeeze=False,
        )
        for ax, name in zip(axes[:, 0], outputs, strict=True):
            d = sub[sub["output"] == name]
            x = np.arange(len(d))
            ax.bar(
                x - 0.2,
                d["S1"],
                0.4,
                yerr=d["S1_conf"],
                capsize=2,
                color=fg.PALETTE["blue"],
                label="First-order index S1",
            )
            ax.bar(
                x + 0.2,
                d["ST"],
                0.4,
                yerr=d["ST_conf"],
                capsize=2,
                color=fg.PALETTE["orange"],
                label="Total-order index ST",
            )
            ax.set_xticks(x, [fg.factor_label(f) for f in d["factor"]], rotation=25, ha="right")
            ax.set_title(fg.output_name_unit(name)[0], loc="left", fontsize=10)
            ax.set_ylabel("Sobol' index (share of variance)")
            ax.set_ylim(-0.05, 1.05)
            ax.grid(False, axis="x")
        fg.legend_right(axes[0, 0])
        fig.suptitle(f"Sobol' sensitivity indices: {fg.display_name(strategy)}")
        fg.save(fig, out / f"sobol_{strategy}.png")
    _plot_time(timed, out)
    if conv is None:
        return
    fig, ax = plt.subplots(figsize=(8, 4.2))
    width = conv.assign(width=conv["ST_conf"] * 2).groupby(["strategy", "n"])["width"].mean()
    for strategy, series in width.groupby(level=0, sort=False):
        ax.plot(
            series.index.get_level_values(1),
            series.to_numpy(),
            marker="o",
            label=fg.display_name(str(strategy)),
        )
    ax.set_xscale("log", base=2)
    ax.set_xlabel("Base sample size N (runs per column of the Saltelli design)")
    ax.set_ylabel("Mean width of the ST 95% interval")
    ax.set_title("Convergence of the Sobol' indices")
    fg.legend_right(ax)
    fg.save(fig, out / "sobol_convergence.png")


def _plot_time(timed: pd.DataFrame, out: Path) -> None:
    """Time-resolved total-order indices of the cumulative net, one figure per strategy."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    plt = fg.pyplot()
    if len(timed):
        for strategy, part in timed.groupby("strategy", sort=False):
            fig, ax = plt.subplots(figsize=(9, 4.4))
            month = part["output"].str.removeprefix("cumulative_net_m").astype(int)
            sub = part.assign(month=month).sort_values("month", kind="stable")
            styles = ("-", "--", ":", "-.")
            for k, (factor, d) in enumerate(sub.groupby("factor", sort=False)):
                ax.plot(
                    d["month"],
                    d["ST"],
                    marker=".",
                    label=fg.factor_label(str(factor)),
                    color=fg.COLOURS[k % len(fg.COLOURS)],
                    ls=styles[(k // len(fg.COLOURS)) % len(styles)],
                )
            ax.set_xlabel("Month")
            fg.format_axis(ax.xaxis, "month")
            ax.set_ylabel("Total-order index ST of the cumulative net")
            ax.set_title(f"What drives the cumulative net over time: {fg.display_name(strategy)}")
            fg.legend_right(ax)
            fg.save(fig, out / f"sobol_time_{strategy}.png")


def plot_morris(result: pd.DataFrame, out: Path) -> None:
    """μ* against σ per strategy and output (labels on the five most influential factors)."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    plt = fg.pyplot()
    for (strategy, output), d in result.groupby(["strategy", "output"], sort=False):
        name, unit = fg.output_name_unit(str(output))
        shown = "" if unit in ("", "-") else f" ({unit})"
        fig, ax = plt.subplots(figsize=(8, 5.5))
        ax.errorbar(
            d["mu_star"],
            d["sigma"],
            xerr=d["mu_star_conf"],
            fmt="o",
            ms=4,
            alpha=0.8,
            color=fg.PALETTE["blue"],
        )
        for _, row in d.nlargest(5, "mu_star").iterrows():
            ax.annotate(
                fg.factor_name(str(row["factor"])),
                (row["mu_star"], row["sigma"]),
                fontsize=8,
                xytext=(4, 4),
                textcoords="offset points",
            )
        ax.set_xlabel(f"μ*, mean absolute elementary effect{shown}")
        ax.set_ylabel(f"σ, spread of the effects (interactions, non-linearity){shown}")
        fg.format_axis(ax.xaxis, unit)
        fg.format_axis(ax.yaxis, unit)
        ax.set_title(f"Morris screening of {fg.lower_first(name)}: {fg.display_name(strategy)}")
        safe = str(output).replace(".", "_")
        fg.save(fig, out / f"morris_{strategy}_{safe}.png")
