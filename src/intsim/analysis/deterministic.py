"""Deterministic sensitivity analysis: ``intsim tornado`` (one-way) and ``intsim twoway``.

Both read an experiment file (see :mod:`intsim.analysis.montecarlo`; its optional ``sensitivity``
block, see :mod:`intsim.analysis.gsa`, supplies factors, outputs, replications and the seed) and run
every point through :func:`intsim.analysis.sensitivity.evaluate_rows` with a
:class:`intsim.analysis.gsa.ModelResponse` on any executor (serial, process pool, Dask). Every point
runs on the **same seed set** (:func:`intsim.analysis.gsa.seeds_for`), averaged over the
replications, so the differences between points come from the parameters alone (common random
numbers), and the results are identical whatever the executor, worker count or chunk size.
Break-even and payback months that never happen count as horizon + 1, as in the global analyses.

**Tornado** (one-way). The factors are those of ``sensitivity.factors``. Each factor's *low* and
*high* value is its ``range`` or, for a distribution, its 5th and 95th percentiles
(``ppf(0.05)``, ``ppf(0.95)``; :data:`TORNADO_QUANTILES`); an empty entry takes the declared
plausible range. The **base case** sets every factor to the strategy's own scenario value (what
the strategy runs with, after ``set`` and ``--set``), not to the middle of its range, so the
base output is that of the strategy as specified, and the base may lie anywhere relative to the
range (even outside it). Then each factor in turn is set to its low and to its high value, the
others staying at base: ``2 d + 1`` points for ``d`` factors. Integer parameters are rounded.
``tornado.csv`` has one row per strategy × output × factor (``strategy, output, factor,
low_value, high_value, base_value, output_low, output_high, base_output, swing, reach``), with
``swing`` the length of the bar drawn from the base output to both ends and ``reach`` the larger
distance of an end from the base (:func:`bar_extent`), sorted by decreasing reach within each
strategy and output; ``tornado_<output>.png`` draws, per strategy, one horizontal bar per factor
from the base output to the output at the low and at the high value, the farthest-reaching on
top.

**Two-way**. A grid of ``NX × NY`` values over two declared numeric parameters ``--x`` and
``--y`` (evenly spaced over the range, both ends included; integer parameters rounded, repeated
values dropped). The range is ``--x-range``/``--y-range``, else the factor's range in
``sensitivity.factors`` if the parameter is listed there (the 5th-95th percentiles for a
distribution), else the parameter's declared plausible range. Without ``--x``/``--y``, the two
factors of a ``sensitivity.factors`` block that lists exactly two are used (first x, then y).
``twoway.csv`` has one row per strategy and cell: ``strategy``, the x and y parameter values
(columns named by their parameter paths), the chosen outputs (default ``net_margin_pct``) and
always ``net`` and ``net_margin_pct``. ``twoway_<output>.png`` is a heat map per strategy with
the break-even contour, ``net = 0`` (the same line as ``net_margin_pct = 0`` wherever there is
revenue), drawn when net changes sign over the grid.
"""

from __future__ import annotations

import argparse
import difflib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim.analysis.gsa import ModelFactor, ModelResponse, parse_factors, seeds_for
from intsim.analysis.gsa_commands import _block, _int_option, _outputs, _strategies, select_factors
from intsim.analysis.montecarlo import Experiment, load_experiment
from intsim.params import PARAMS_BY_PATH, Param
from intsim.params.scenario import Scenario, ScenarioError

#: Percentiles of a distribution used as a tornado factor's low and high values.
TORNADO_QUANTILES = (0.05, 0.95)
#: Output of ``intsim twoway`` when ``--output`` is not given.
DEFAULT_TWOWAY_OUTPUT = "net_margin_pct"
#: Outputs ``twoway.csv`` always carries (they locate the break-even line).
BREAK_EVEN_OUTPUTS = ("net", "net_margin_pct")
#: Grid of ``intsim twoway`` when ``--grid`` is not given.
DEFAULT_GRID = (9, 9)
#: Rows per task when ``--chunk-size`` is not given (one row is ``reps`` model runs).
DEFAULT_CHUNK = 1
#: Largest grid whose cells are annotated with their values in the heat map.
ANNOTATE_CELLS = 144

TORNADO_COLUMNS = [
    "strategy",
    "output",
    "factor",
    "low_value",
    "high_value",
    "base_value",
    "output_low",
    "output_high",
    "base_output",
    "swing",
    "reach",
]


# --------------------------------------------------------------------------- shared


def _common(args: argparse.Namespace) -> tuple[Experiment, dict[str, Any], list[int]]:
    """The experiment, its sensitivity block and the common seed set."""
    exp = load_experiment(args.experiment, overrides=args.overrides, seed=args.seed)
    block = _block(exp)
    reps = _int_option(args.reps, block, "reps", 1)
    seed = _int_option(args.seed, block, "seed", 1)
    return exp, block, seeds_for(seed, reps)


def _fmt(value: float) -> str:
    """A compact label for a parameter or output value."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _preflight(
    scenario: Scenario,
    response: ModelResponse,
    rows: NDArray[np.float64],
    what: Callable[[int], str],
) -> None:
    """Validate every point's scenario before anything runs (clear errors, nothing computed).

    ``what(i)`` names point ``i`` in the error message.
    """
    for i, row in enumerate(rows):
        try:
            scenario.with_overrides(response.row_overrides(row))
        except ScenarioError as exc:
            raise ScenarioError(f"{what(i)}: {exc}") from None


def _evaluate(
    response: ModelResponse, rows: NDArray[np.float64], executor: Any, chunk_size: int | None
) -> NDArray[np.float64]:
    from intsim.analysis.sensitivity import evaluate_rows  # noqa: PLC0415

    y = evaluate_rows(response, rows, executor=executor, chunk_size=chunk_size or DEFAULT_CHUNK)
    return y.reshape(len(rows), -1)


def _check_outputs(y: NDArray[np.float64], names: list[str], option: str) -> None:
    """An output with no value in any run is not an output of the model (a misspelt name)."""
    for j, name in enumerate(names):
        if not np.isfinite(y[:, j]).any():
            raise ScenarioError(
                f"{option}: {name!r} has no value in any run; expected a numeric key of "
                "summary.json (net, npv, net_margin_pct, patients_served, ...), payer.<key> "
                "(payer.tcoc_pmpm, or others with finance.counterfactual: true) or "
                "cumulative_net_m<k>"
            )


# --------------------------------------------------------------------------- tornado


def factor_ends(factor: ModelFactor, *, rounded: bool = True) -> tuple[float, float]:
    """A factor's low and high value: its range, or its 5th and 95th percentiles.

    Integer parameters are rounded unless ``rounded`` is false.
    """
    if isinstance(factor.spec, tuple):
        low, high = factor.spec
    else:
        low, high = (float(factor.spec.ppf(q)) for q in TORNADO_QUANTILES)
    if rounded and factor.is_int:
        return float(round(low)), float(round(high))
    return float(low), float(high)


def tornado_rows(base: NDArray[np.float64], ends: list[tuple[float, float]]) -> NDArray[np.float64]:
    """The points of a one-way analysis: the base, then each factor at its low and high value.

    Row 0 is ``base``; rows ``2 i + 1`` and ``2 i + 2`` are the base with factor ``i`` at its low
    and at its high value.
    """
    rows = np.tile(np.asarray(base, dtype=np.float64), (2 * len(ends) + 1, 1))
    for i, (low, high) in enumerate(ends):
        rows[2 * i + 1, i] = low
        rows[2 * i + 2, i] = high
    return rows


def tornado_table(
    strategy: str,
    factors: list[ModelFactor],
    rows: NDArray[np.float64],
    y: NDArray[np.float64],
    outputs: list[str],
) -> pd.DataFrame:
    """The tornado rows of one strategy from the evaluated points (see :func:`tornado_rows`)."""
    records = []
    for j, output in enumerate(outputs):
        for i, f in enumerate(factors):
            lo, hi = y[2 * i + 1, j], y[2 * i + 2, j]
            records.append(
                {
                    "strategy": strategy,
                    "output": output,
                    "factor": f.path,
                    "low_value": rows[2 * i + 1, i],
                    "high_value": rows[2 * i + 2, i],
                    "base_value": rows[0, i],
                    "output_low": lo,
                    "output_high": hi,
                    "base_output": y[0, j],
                    **bar_extent(y[0, j], lo, hi),
                }
            )
    table = pd.DataFrame.from_records(records, columns=TORNADO_COLUMNS)
    # farthest from the base first within each output (stable: ties keep the block's order)
    order = table.groupby("output", sort=False).ngroup()
    return (
        table.assign(_o=order, _s=-table["reach"].fillna(-np.inf))
        .sort_values(["_o", "_s"], kind="stable")
        .drop(columns=["_o", "_s"])
        .reset_index(drop=True)
    )


def bar_extent(base: float, low: float, high: float) -> dict[str, float]:
    """A tornado bar's ``swing`` and ``reach`` (output units).

    The bar is drawn from the base output to the outputs at the factor's low and high values.
    ``swing`` is its length, ``max(base, low, high) - min(base, low, high)``; ``reach`` is the
    largest distance of either end from the base, ``max(|low - base|, |high - base|)``, by which
    the bars are ranked: a factor whose two ends lie on the same side of the base still moves the
    output as far as its farther end (issue 13: ranking by ``|high - low|`` put a bar spanning
    -373 to +63 around a base near 0 third). Non-finite ends give NaN.
    """
    ends = np.array([base, low, high], dtype=float)
    if not np.isfinite(ends).all():
        return {"swing": float("nan"), "reach": float("nan")}
    return {
        "swing": float(ends.max() - ends.min()),
        "reach": float(max(abs(low - base), abs(high - base))),
    }


def run_tornado(args: argparse.Namespace, executor: Any, out_dir: Path) -> dict[str, Any]:
    """One-way analysis of every strategy; writes tornado.csv (and figures); returns info."""
    exp, block, seeds = _common(args)
    factors = select_factors(args, block, exp, default_all=True)
    outputs = _outputs(args, block, exp.months)
    ends = [factor_ends(f) for f in factors]
    frames = []
    for name, scenario in _strategies(exp, args.strategy or block.get("strategy")).items():
        base = np.array([float(scenario.get(f.path)) for f in factors])
        rows = tornado_rows(base, ends)
        response = ModelResponse(scenario, factors, outputs, seeds)

        def what(i: int, name: str = name, rows: NDArray[np.float64] = rows) -> str:
            if i == 0:
                return f"strategy {name}, base case"
            f, end = factors[(i - 1) // 2], ("low", "high")[(i - 1) % 2]
            where = "--factors " if getattr(args, "factors", None) else "sensitivity.factors."
            return f"{where}{f.path} ({end} value {_fmt(rows[i, (i - 1) // 2])})"

        _preflight(scenario, response, rows, what)
        y = _evaluate(response, rows, executor, args.chunk_size)
        _check_outputs(y, outputs, "--outputs" if args.outputs else "sensitivity.outputs")
        frames.append(tornado_table(name, factors, rows, y, outputs))
    table = pd.concat(frames, ignore_index=True)
    table.to_csv(out_dir / "tornado.csv", index=False)
    if not args.no_figures:
        plot_tornado(table, out_dir)
    return {
        "table": table,
        "manifest": {
            "factors": [
                {"path": f.path, "low": lo, "high": hi}
                for f, (lo, hi) in zip(factors, ends, strict=True)
            ],
            "outputs": outputs,
            "seeds": seeds,
        },
    }


# --------------------------------------------------------------------------- two-way


def _axis_param(option: str, path: str) -> Param:
    param = PARAMS_BY_PATH.get(path)
    if param is None:
        close = difflib.get_close_matches(path, list(PARAMS_BY_PATH), n=1)
        hint = f" (did you mean {close[0]}?)" if close else " (intsim params lists them)"
        raise ScenarioError(
            f"{option} {path}: unknown parameter; expected a declared parameter path{hint}"
        )
    if param.kind not in ("float", "int"):
        raise ScenarioError(
            f"{option} {path}: a {param.kind} parameter; expected a numeric parameter (float or "
            "int)"
        )
    return param


def _axis_range(
    option: str, param: Param, given: list[float] | None, listed: ModelFactor | None
) -> tuple[float, float]:
    """The range of a two-way axis: the option, the block's factor, or the plausible range."""
    if given is None:
        if listed is not None:
            return factor_ends(listed, rounded=False)
        if param.plausible is None:
            raise ScenarioError(
                f"{option}: required for {param.path}, which has no declared plausible range"
            )
        return float(param.plausible[0]), float(param.plausible[1])
    low, high = (float(v) for v in given)
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise ScenarioError(f"{option}: got {_fmt(low)} {_fmt(high)}; expected LOW < HIGH")
    blo, bhi = param.hard_bounds
    below = blo is not None and (low < blo or (param.positive and low == blo))
    if below or (bhi is not None and high > bhi):
        raise ScenarioError(
            f"{option}: got {_fmt(low)} {_fmt(high)}; expected values within the bounds of "
            f"{param.path} ({param.expectation()})"
        )
    return low, high


def axis_values(param: Param, low: float, high: float, n: int) -> NDArray[np.float64]:
    """``n`` evenly spaced values from low to high; integers rounded, repeats dropped."""
    values = np.linspace(low, high, n)
    if param.kind == "int":
        values = np.unique(np.round(values))
    return values.astype(np.float64)


def _twoway_axes(
    args: argparse.Namespace, block: dict[str, Any]
) -> tuple[tuple[Param, NDArray[np.float64]], tuple[Param, NDArray[np.float64]]]:
    listed = {f.path: f for f in parse_factors(block["factors"])} if "factors" in block else {}
    paths = [args.x, args.y]
    if None in paths:
        if len(listed) != 2:
            missing = "--x" if args.x is None else "--y"
            raise ScenarioError(
                f"{missing}: required (a parameter path), unless sensitivity.factors lists "
                "exactly two factors"
            )
        paths = [p or q for p, q in zip(paths, listed, strict=True)]
    grid = args.grid or DEFAULT_GRID
    axes = []
    for axis, path, n in zip("xy", paths, grid, strict=True):
        param = _axis_param(f"--{axis}", path)
        low, high = _axis_range(
            f"--{axis}-range", param, getattr(args, f"{axis}_range"), listed.get(path)
        )
        if n < 2:
            raise ScenarioError(f"--grid: got {n} for {axis}; expected at least 2 values per axis")
        values = axis_values(param, low, high, n)
        if len(values) < 2:
            raise ScenarioError(
                f"--{axis}-range: got {_fmt(low)} {_fmt(high)}; expected a range holding at least "
                f"two integers for the integer parameter {param.path}"
            )
        axes.append((param, values))
    if axes[0][0].path == axes[1][0].path:
        raise ScenarioError(f"--y {paths[1]}: the same parameter as --x; expected two parameters")
    return axes[0], axes[1]


def _twoway_outputs(args: argparse.Namespace, horizon: int) -> list[str]:
    names = [DEFAULT_TWOWAY_OUTPUT]
    if args.outputs:
        names = [x.strip() for x in args.outputs.split(",") if x.strip()]
        if not names:
            raise ScenarioError(f"--output: got {args.outputs!r}; expected an output name")
    for name in names:
        if name.startswith("cumulative_net_m"):
            month = name.removeprefix("cumulative_net_m")
            if not month.isdigit() or not 1 <= int(month) <= horizon:
                raise ScenarioError(
                    f"--output: got {name!r}; expected cumulative_net_m<k> with 1 <= k <= {horizon}"
                )
    return names


def run_twoway(args: argparse.Namespace, executor: Any, out_dir: Path) -> dict[str, Any]:
    """Two-way grid of every strategy; writes twoway.csv (and figures); returns info."""
    exp, block, seeds = _common(args)
    (px, xs), (py, ys) = _twoway_axes(args, block)
    chosen = _twoway_outputs(args, exp.months)
    outputs = list(dict.fromkeys([*chosen, *BREAK_EVEN_OUTPUTS]))
    factors = [
        ModelFactor(px.path, (float(xs[0]), float(xs[-1]))),
        ModelFactor(py.path, (float(ys[0]), float(ys[-1]))),
    ]
    gx, gy = np.meshgrid(xs, ys)  # (ny, nx): y varies down the rows, x along them
    rows = np.column_stack([gx.ravel(), gy.ravel()])
    frames = []
    for name, scenario in _strategies(exp, args.strategy or block.get("strategy")).items():
        response = ModelResponse(scenario, factors, outputs, seeds)

        def what(i: int, name: str = name) -> str:
            return (
                f"strategy {name}, cell {px.path}={_fmt(rows[i, 0])}, {py.path}={_fmt(rows[i, 1])}"
            )

        _preflight(scenario, response, rows, what)
        y = _evaluate(response, rows, executor, args.chunk_size)
        _check_outputs(y, outputs, "--output")
        frame = pd.DataFrame(y, columns=outputs)
        frame.insert(0, py.path, rows[:, 1])
        frame.insert(0, px.path, rows[:, 0])
        frame.insert(0, "strategy", name)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    for p in (px, py):
        if p.kind == "int":
            table[p.path] = table[p.path].astype(np.int64)
    table.to_csv(out_dir / "twoway.csv", index=False)
    if not args.no_figures:
        plot_twoway(table, px, py, chosen, out_dir)
    return {
        "table": table,
        "x": px.path,
        "y": py.path,
        "outputs": chosen,
        "manifest": {
            "x": {"path": px.path, "values": xs.tolist()},
            "y": {"path": py.path, "values": ys.tolist()},
            "outputs": outputs,
            "seeds": seeds,
            "break_even_in_grid": {
                name: net_changes_sign(d["net"].to_numpy(float))
                for name, d in table.groupby("strategy", sort=False)
            },
        },
    }


def net_changes_sign(net: NDArray[np.float64]) -> bool:
    """Whether net is negative in some cells and positive in others (a break-even line)."""
    finite = net[np.isfinite(net)]
    return bool(finite.size) and bool(finite.min() < 0 < finite.max())


# --------------------------------------------------------------------------- figures


def _safe(name: str) -> str:
    return name.replace(".", "_").replace("/", "_")


def _value_text(value: float, unit: str) -> str:
    """A factor setting or cell value for an annotation (dollars for USD units)."""
    from intsim.analysis import figures as fg  # noqa: PLC0415

    return fg.value_text(value, unit) if math.isfinite(value) else str(value)


def plot_tornado(table: pd.DataFrame, out_dir: Path) -> list[Path]:
    """One ``tornado_<output>`` PNG and SVG per output: a panel per strategy, widest on top."""
    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    plt = fg.pyplot()
    written: list[Path] = []
    colours = {"low": fg.PALETTE["blue"], "high": fg.PALETTE["orange"]}
    for output, sub in table.groupby("output", sort=False):
        out_name, out_unit = fg.output_name_unit(str(output))
        strategies = list(dict.fromkeys(sub["strategy"]))
        n = sub.groupby("strategy").size().max()
        fig, axes = plt.subplots(
            len(strategies), 1, figsize=(10, (0.55 * n + 1.8) * len(strategies)), squeeze=False
        )
        for ax, strategy in zip(axes[:, 0], strategies, strict=True):
            d = sub[sub["strategy"] == strategy].reset_index(drop=True)
            base = float(d["base_output"].iloc[0])
            ypos = np.arange(len(d))[::-1]  # first row (largest reach) on top
            span = np.nanmax(np.abs(np.r_[d["output_low"] - base, d["output_high"] - base, 0.0]))
            pad = 0.02 * span if span > 0 else 1.0
            for k, row in d.iterrows():
                unit = fg.param_unit(str(row["factor"]))
                ends = [("low", row["output_low"], row["low_value"])]
                ends.append(("high", row["output_high"], row["high_value"]))
                # the longer bar first, so a shorter one on the same side stays visible
                ends.sort(key=lambda e: -abs(e[1] - base) if math.isfinite(e[1]) else 0)
                for which, value, setting in ends:
                    if not math.isfinite(value):
                        continue
                    ax.barh(ypos[k], value - base, left=base, height=0.6, color=colours[which])
                    # right of the base if higher; an unchanged output: low left, high right
                    side = 1 if value > base or (value == base and which == "high") else -1
                    ax.text(
                        value + side * pad,
                        ypos[k],
                        _value_text(setting, unit),
                        va="center",
                        ha="left" if side > 0 else "right",
                        fontsize=8,
                    )
            ax.axvline(base, color="black", linewidth=1)
            ax.set_yticks(ypos, [fg.factor_label(str(f)) for f in d["factor"]])
            ax.set_ylim(-0.7, len(d) - 0.3)
            lo, hi = ax.get_xlim()
            ax.set_xlim(lo - 0.12 * (hi - lo), hi + 0.12 * (hi - lo))  # room for the labels
            fg.format_axis(ax.xaxis, out_unit)
            ax.set_xlabel(f"{fg.with_unit(out_name, out_unit)}; base {_value_text(base, out_unit)}")
            ax.set_title(f"{fg.display_name(strategy)}", loc="left", fontsize=10)
            ax.grid(False, axis="y")
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
        fg.legend_below(
            axes[-1, 0],
            ncols=2,
            handles=handles,
            labels=["Factor at its low value", "Factor at its high value"],
        )
        fig.suptitle(f"One-way sensitivity of {fg.lower_first(out_name)}")
        written += fg.save(fig, out_dir / f"tornado_{_safe(str(output))}.png")
    return written


def plot_twoway(
    table: pd.DataFrame, px: Param, py: Param, outputs: list[str], out_dir: Path
) -> list[Path]:
    """One ``twoway_<output>`` PNG and SVG per output: a heat map per strategy, break-even line."""
    from matplotlib.colors import TwoSlopeNorm  # noqa: PLC0415

    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    plt = fg.pyplot()
    written: list[Path] = []
    strategies = list(dict.fromkeys(table["strategy"]))
    x_unit, y_unit = fg.param_unit(px.path), fg.param_unit(py.path)
    for output in outputs:
        out_name, out_unit = fg.output_name_unit(output)
        fig, axes = plt.subplots(
            1, len(strategies), figsize=(7.6 * len(strategies), 6.0), squeeze=False
        )
        for ax, strategy in zip(axes[0], strategies, strict=True):
            d = table[table["strategy"] == strategy]
            z = d.pivot_table(index=py.path, columns=px.path, values=output, dropna=False)
            net = d.pivot_table(index=py.path, columns=px.path, values="net", dropna=False)
            xs, ys = z.columns.to_numpy(float), z.index.to_numpy(float)
            values = z.to_numpy(float)
            finite = values[np.isfinite(values)]
            lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
            if lo < 0 < hi:
                norm, cmap = TwoSlopeNorm(vmin=lo, vcenter=0.0, vmax=hi), "RdBu"
            else:
                norm, cmap = None, "viridis"
            mesh = ax.pcolormesh(xs, ys, values, shading="nearest", cmap=cmap, norm=norm)
            bar = fig.colorbar(mesh, ax=ax, label=fg.with_unit(out_name, out_unit))
            fg.format_axis(bar.ax.yaxis, out_unit)
            if values.size <= ANNOTATE_CELLS:
                for (i, j), v in np.ndenumerate(values):
                    r, g, b, _ = mesh.cmap(mesh.norm(v)) if np.isfinite(v) else (1, 1, 1, 1)
                    dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                    colour = "white" if dark else "black"
                    ax.text(
                        xs[j],
                        ys[i],
                        _value_text(v, out_unit),
                        ha="center",
                        va="center",
                        fontsize=6,
                        color=colour,
                    )
            n = net.to_numpy(float)
            if net_changes_sign(n):
                cs = ax.contour(xs, ys, n, levels=[0.0], colors="black", linewidths=2)
                ax.clabel(cs, fmt={0.0: "break-even"}, fontsize=8)
                note = "black line: break-even, net = 0"
            elif (n[np.isfinite(n)] >= 0).all():
                note = "net ≥ 0 in every cell: no break-even line in this grid"
            else:
                note = "net ≤ 0 in every cell: no break-even in this grid"
            ax.set_xlabel(fg.param_label(px.path))
            ax.set_ylabel(fg.param_label(py.path))
            ax.grid(False)
            if len(xs) <= 12:
                ax.set_xticks(xs, [_value_text(v, x_unit) for v in xs], fontsize=8)
            if len(ys) <= 12:
                ax.set_yticks(ys, [_value_text(v, y_unit) for v in ys], fontsize=8)
            ax.set_title(f"{fg.display_name(strategy)}\n({note})", loc="left", fontsize=10)
        fig.suptitle(f"Two-way sensitivity of {fg.lower_first(out_name)}")
        written += fg.save(fig, out_dir / f"twoway_{_safe(output)}.png")
    return written


# --------------------------------------------------------------------------- command


def _print_tornado(table: pd.DataFrame) -> None:
    cols = ["strategy", "output", "factor", "low_value", "high_value", "output_low"]
    cols += ["output_high", "base_output", "swing", "reach"]
    print(table[cols].to_string(index=False, float_format=_fmt))


def _print_twoway(info: dict[str, Any]) -> None:
    table, x, y = info["table"], info["x"], info["y"]
    for strategy, d in table.groupby("strategy", sort=False):
        for output in info["outputs"]:
            grid = d.pivot_table(index=y, columns=x, values=output, dropna=False)
            grid = grid.rename(index=_fmt, columns=_fmt)
            print(f"{strategy}: {output} (rows {y}, columns {x})")
            print(grid.to_string(float_format=_fmt))
        positive = int((d["net"] >= 0).sum())
        print(f"{strategy}: net >= 0 in {positive} of {len(d)} cells")


def cmd_deterministic(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim tornado`` / ``intsim twoway``: evaluate through an executor, write outputs."""
    from intsim.analysis.commands import staged_analysis  # noqa: PLC0415

    with staged_analysis(args, argv) as run:
        analyse = run_tornado if args.command == "tornado" else run_twoway
        info = analyse(args, run.executor, run.tmp)
        run.manifest.update({"analysis": args.command, **info["manifest"]})
    if args.command == "tornado":
        _print_tornado(info["table"])
    else:
        _print_twoway(info)
    print(f"outputs written to {run.out_dir}/")
    return 0
