"""Global sensitivity analysis: Sobol' indices and Morris screening over any executor.

The model is a function of a matrix of factor values, ``func(rows) -> outputs``, where ``rows``
has one row per model run and one column per factor (in the order of ``factors``) and
``outputs`` is ``(n,)`` (one output) or ``(n, k)`` (``k`` outputs). :func:`evaluate_rows` runs
it over chunks of rows through any ``concurrent.futures.Executor`` (see
:func:`intsim.analysis.batch.make_executor`), so a design can be spread over processes or a Dask
cluster; the outputs are the same whatever the executor or chunk size.

Factors are given as a mapping from name to either ``(low, high)`` (uniform on that interval)
or a :class:`~intsim.analysis.distributions.Univariate` distribution (or its YAML form, parsed by
:func:`~intsim.analysis.uncertainty.parse_distribution`). SALib samples the unit hypercube; each
column is then mapped to the factor's scale, ``low + u (high - low)`` or ``dist.ppf(u)``, so every
index is a statement about the factors' stated distributions.

Methods:
* :func:`sobol`: first-order and total Sobol' indices (Sobol' 2001), on Saltelli's
  cross-sampled design (Saltelli 2002) built from a scrambled Sobol' sequence; first-order and
  total estimators of Saltelli et al. (2010) (the total estimator is Jansen's 1999 formula),
  second-order estimator of Saltelli (2002); bootstrap confidence intervals.
* :func:`morris`: Morris (1991) elementary effects with the ``mu_star`` measure of Campolongo
  et al. (2007).

The analytic test functions with known indices that check these estimators (Ishigami, Sobol'
G) are in :mod:`intsim.analysis.gsa_test_functions`.

References:
    Campolongo, F., Cariboni, J. & Saltelli, A. (2007). An effective screening design for
    sensitivity analysis of large models. Environmental Modelling & Software 22(10),
    1509-1518. doi:10.1016/j.envsoft.2006.10.004.

    Jansen, M. J. W. (1999). Analysis of variance designs for model output. Computer Physics
    Communications 117(1-2), 35-43. doi:10.1016/S0010-4655(98)00154-4.

    Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
    Technometrics 33(2), 161-174. doi:10.1080/00401706.1991.10484804.

    Saltelli, A. (2002). Making best use of model evaluations to compute sensitivity indices.
    Computer Physics Communications 145(2), 280-297. doi:10.1016/S0010-4655(02)00280-1.

    Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S. (2010).
    Variance based sensitivity analysis of model output. Design and estimator for the total
    sensitivity index. Computer Physics Communications 181(2), 259-270.
    doi:10.1016/j.cpc.2009.09.018.

    Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and
    their Monte Carlo estimates. Mathematics and Computers in Simulation 55(1-3), 271-280.
    doi:10.1016/S0378-4754(00)00270-6.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from intsim.analysis.distributions import Gamma, LogNormal, Univariate
from intsim.analysis.uncertainty import parse_distribution

__all__ = [
    "MORRIS_TAIL",
    "Factor",
    "SobolResult",
    "evaluate_rows",
    "morris",
    "sobol",
]

type Factor = tuple[float, float] | Univariate
"""A factor: ``(low, high)`` (uniform on that interval) or a one-dimensional distribution."""

type RowFunction = Callable[[NDArray[np.float64]], ArrayLike]
"""A model: ``func(rows)`` with ``rows`` of shape ``(n, d)``; returns ``(n,)`` or ``(n, k)``."""

MORRIS_TAIL = 0.005
"""Probability cut from each unbounded side of a distribution in :func:`morris`.

Morris levels include 0 and 1, whose quantiles are infinite for, e.g., a normal; on such a side
the levels are mapped to the ``[0.5%, 99.5%]`` quantile range instead. The lower side of a
lognormal or gamma (density approaching 0) is cut too; other bounded sides keep their end point.
"""

# Uniforms are kept strictly inside (0, 1) so that no inverse CDF returns +-inf.
_U_MIN = 2.0**-53
_U_MAX = 1.0 - 2.0**-53
_SHOWN_ROWS = 3  # offending rows named in a non-finite-output error


# --------------------------------------------------------------------------- checks


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _check_int(name: str, value: Any, minimum: int) -> int:
    if not _is_int(value) or value < minimum:
        raise ValueError(f"{name}: got {value!r}; expected an integer >= {minimum}")
    return int(value)


def _check_common(seed: Any, conf_level: Any, num_resamples: Any) -> None:
    _check_int("seed", seed, 1)  # SALib's analyze ignores a seed of 0 (unseeded bootstrap)
    if not isinstance(conf_level, int | float | np.floating) or not 0 < conf_level < 1:
        raise ValueError(f"conf_level: got {conf_level!r}; expected a number in (0, 1)")
    _check_int("num_resamples", num_resamples, 2)


# --------------------------------------------------------------------------- factors


@dataclass(frozen=True)
class _Space:
    """Validated factors (and groups), and the map from the unit hypercube to their scales."""

    names: tuple[str, ...]
    laws: tuple[tuple[float, float] | Univariate, ...]
    groups: tuple[str, ...] | None  # group of each factor, or None

    @property
    def labels(self) -> list[str]:
        """Names of the rows of an analysis: groups in order of first appearance, or factors."""
        return list(dict.fromkeys(self.groups)) if self.groups else list(self.names)

    def problem(self) -> dict[str, Any]:
        """SALib problem on the unit hypercube (the columns are mapped to scale afterwards)."""
        problem: dict[str, Any] = {
            "num_vars": len(self.names),
            "names": list(self.names),
            "bounds": [[0.0, 1.0]] * len(self.names),
        }
        if self.groups:
            problem["groups"] = list(self.groups)
        return problem

    def to_values(self, u: NDArray[np.float64], *, tail: float = 0.0) -> NDArray[np.float64]:
        """Map unit-hypercube rows to factor values.

        Args:
            u: Uniforms, shape ``(n, d)``.
            tail: Probability cut from each unbounded side of a distribution (0: none; the
                uniforms are still kept inside ``(0, 1)``).

        Returns:
            Factor values, shape ``(n, d)``.
        """
        out = np.empty_like(u, dtype=np.float64)
        for j, law in enumerate(self.laws):
            col = u[:, j]
            if isinstance(law, Univariate):
                low, high = law.support()
                # a side is cut when it is unbounded, or when the density only approaches it
                # (lognormal and gamma at 0), so grid levels 0 and 1 stay representative
                open_low = isinstance(law, LogNormal | Gamma)
                lo = tail if (math.isinf(low) or open_low) else 0.0
                hi = 1.0 - tail if math.isinf(high) else 1.0
                col = np.clip(lo + (hi - lo) * col, _U_MIN, _U_MAX)
                out[:, j] = law.ppf(col)
            else:
                out[:, j] = law[0] + col * (law[1] - law[0])
        return out


def _space(factors: Mapping[str, Any], groups: Mapping[str, str] | None) -> _Space:
    if not isinstance(factors, Mapping) or not factors:
        raise ValueError("factors: expected a non-empty mapping of name -> (low, high) or dist")
    names: list[str] = []
    laws: list[tuple[float, float] | Univariate] = []
    for name, law in factors.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"factors: names must be non-empty strings (got {name!r})")
        names.append(name)
        laws.append(_law(name, law))
    return _Space(tuple(names), tuple(laws), _groups(names, groups))


def _law(name: str, law: Any) -> tuple[float, float] | Univariate:
    where = f"factors[{name!r}]"
    if isinstance(law, Mapping):  # YAML form of a distribution
        law = parse_distribution(law, f"factors.{name}")
    if isinstance(law, Univariate):
        return law
    if isinstance(law, tuple | list) and len(law) == 2:
        try:
            low, high = float(law[0]), float(law[1])
        except (TypeError, ValueError):
            low = high = math.nan
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"{where}: got {law!r}; expected finite bounds with low < high")
        return (low, high)
    raise ValueError(
        f"{where}: got {law!r}; expected (low, high), a one-dimensional distribution "
        "(intsim.analysis.distributions.Univariate) or its YAML mapping"
    )


def _groups(names: Sequence[str], groups: Mapping[str, str] | None) -> tuple[str, ...] | None:
    if groups is None:
        return None
    if not isinstance(groups, Mapping):
        raise ValueError("groups: expected a mapping of factor name -> group name")
    unknown = [k for k in groups if k not in names]
    if unknown:
        raise ValueError(f"groups: {unknown[0]!r} is not a factor (factors: {list(names)})")
    missing = [n for n in names if n not in groups]
    if missing:
        raise ValueError(f"groups: no group for factor(s) {missing}; give every factor a group")
    out = tuple(groups[n] for n in names)
    bad = [g for g in out if not isinstance(g, str) or not g]
    if bad:
        raise ValueError(f"groups: group names must be non-empty strings (got {bad[0]!r})")
    if len(set(out)) < 2:
        raise ValueError("groups: expected at least two groups")
    return out


# --------------------------------------------------------------------------- evaluation


def _call_rows(func: RowFunction, rows: NDArray[np.float64]) -> Any:
    return func(rows)


def _as_output(value: Any, start: int, rows: int) -> NDArray[np.float64]:
    out = np.asarray(value, dtype=np.float64)
    if out.ndim not in (1, 2) or out.shape[0] != rows:
        raise ValueError(
            f"evaluate_rows: func returned shape {out.shape} for rows {start}-{start + rows - 1}; "
            f"expected ({rows},) or ({rows}, k)"
        )
    return out


def evaluate_rows(
    func: RowFunction,
    X: ArrayLike,  # noqa: N803  (X: the conventional name of a design matrix)
    *,
    executor: Executor | None = None,
    chunk_size: int = 256,
    progress: bool = True,
) -> NDArray[np.float64]:
    """Evaluate a row-wise model over chunks of rows, in order, optionally through an executor.

    ``X`` is split into consecutive chunks of ``chunk_size`` rows; each chunk is one call
    ``func(chunk)`` (submitted to ``executor`` if given, else run in this process), and the
    results are concatenated in row order. For a row-wise ``func`` (each output row depends only
    on its input row) the result is the same whatever the executor and chunk size.

    Args:
        func: The model; it must be picklable when an executor runs it in other processes (a
            module-level function or a :func:`functools.partial` of one).
        X: Factor values, shape ``(n, d)`` with ``n >= 1``.
        executor: Where chunks run (see :func:`intsim.analysis.batch.make_executor`); None: here.
        chunk_size: Rows per call (>= 1).
        progress: Show a progress bar with ETA on standard error (only on a terminal).

    Returns:
        The outputs as float64, shape ``(n,)`` or ``(n, k)`` as ``func`` returns them.

    Raises:
        ValueError: If ``X`` is not a non-empty 2-D array, ``chunk_size`` is invalid, or
            ``func`` returns arrays of the wrong or of inconsistent shapes.
    """
    rows = np.asarray(X, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] == 0:
        raise ValueError(f"evaluate_rows: X has shape {rows.shape}; expected (n >= 1, d)")
    size = _check_int("chunk_size", chunk_size, 1)
    starts = range(0, rows.shape[0], size)
    parts: list[NDArray[np.float64]] = []
    bar = tqdm(
        total=rows.shape[0],
        unit="run",
        desc="model runs",
        disable=None if progress else True,
        leave=False,
    )
    if executor is None:
        for start in starts:
            chunk = rows[start : start + size]
            parts.append(_as_output(_call_rows(func, chunk), start, len(chunk)))
            bar.update(len(chunk))
    else:
        futures: list[Future[Any]] = []
        try:
            futures = [executor.submit(func, rows[s : s + size]) for s in starts]
            for start, future in zip(starts, futures, strict=True):
                n = min(size, rows.shape[0] - start)
                try:
                    value = future.result()
                except Exception as exc:
                    exc.add_note(f"in evaluate_rows, rows {start}-{start + n - 1}")
                    raise
                parts.append(_as_output(value, start, n))
                bar.update(n)
        except BaseException:
            for future in futures:  # stop what has not run yet
                future.cancel()
            raise
        finally:
            bar.close()
    bar.close()
    shapes = {p.shape[1:] for p in parts}
    if len(shapes) > 1:
        raise ValueError(f"evaluate_rows: func returned outputs of different shapes {shapes}")
    return np.concatenate(parts, axis=0)


def _output_names(y: NDArray[np.float64], outputs: Sequence[str] | None) -> list[str]:
    k = 1 if y.ndim == 1 else y.shape[1]
    if outputs is None:
        return ["y"] if y.ndim == 1 else [f"y{i}" for i in range(k)]
    names = [outputs] if isinstance(outputs, str) else list(outputs)
    if len(names) != k or len(set(names)) != k or not all(isinstance(s, str) for s in names):
        raise ValueError(f"outputs: got {outputs!r}; expected {k} distinct names (func's outputs)")
    return names


def _show_row(names: Sequence[str], row: NDArray[np.float64]) -> str:
    return ", ".join(f"{n}={x:.6g}" for n, x in zip(names, row, strict=True))


def _check_finite(
    where: str,
    y: NDArray[np.float64],
    values: NDArray[np.float64],
    names: Sequence[str],
    out: list[str],
) -> None:
    """Raise if any output is NaN or infinite, naming the output and the first such rows.

    SALib would silently return zero (or NaN) indices for such an output.
    """
    y2 = y.reshape(len(y), -1)
    for j, output in enumerate(out):
        bad = np.flatnonzero(~np.isfinite(y2[:, j]))
        if bad.size:
            shown = "; ".join(
                f"row {i} ({_show_row(names, values[i])}) -> {y2[i, j]}" for i in bad[:_SHOWN_ROWS]
            )
            raise ValueError(
                f"{where}: output {output!r} is not finite in {bad.size} of {len(y2)} rows; "
                f"first: {shown}"
            )


# --------------------------------------------------------------------------- Sobol'


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Result of :func:`sobol`.

    Attributes:
        indices: One row per factor (or group) and output: columns ``factor, S1, S1_conf, ST,
            ST_conf``, led by ``output`` when ``func`` returns a 2-D array. ``*_conf`` is the
            half-width of the bootstrap confidence interval at ``conf_level``.
        s2: With ``second_order``: one row per pair ``i < j`` (and output): columns
            ``factor_i, factor_j, S2, S2_conf`` (led by ``output`` as above); else None.
        convergence: With ``convergence``: a long table with columns ``n, output, factor, S1,
            S1_conf, ST, ST_conf`` at ``n/4``, ``n/2`` and ``n`` base samples; else None.
        problem: The SALib problem (on the unit hypercube; ``groups`` when grouped).
        X: The factor values of every model run (the design on the factors' scales).
        Y: The model outputs, as ``func`` returned them (``(rows,)`` or ``(rows, k)``).
    """

    indices: pd.DataFrame
    s2: pd.DataFrame | None
    convergence: pd.DataFrame | None
    problem: dict[str, Any]
    X: NDArray[np.float64]
    Y: NDArray[np.float64]


def _check_sobol_n(n: Any, convergence: bool) -> int:
    if not _is_int(n) or n < 2 or (n & (n - 1)) != 0:
        raise ValueError(
            f"n: got {n!r}; expected a power of 2 >= 2 (the Sobol' sequence's balance "
            "properties hold for powers of 2)"
        )
    if convergence and n < 16:
        raise ValueError(f"n: got {n}; convergence needs n >= 16 (n/4 >= 4 base samples)")
    return int(n)


def _sobol_analyze(
    problem: dict[str, Any],
    y: NDArray[np.float64],
    *,
    second_order: bool,
    num_resamples: int,
    conf_level: float,
    seed: int,
    output: str,
) -> dict[str, Any] | None:
    """SALib's Sobol' analysis of one output; None (and a warning) if the output is constant."""
    from SALib.analyze import sobol as salib_sobol  # noqa: PLC0415  (heavy import)

    if np.ptp(y) == 0:
        warnings.warn(
            f"sobol: output {output!r} is constant over the design; its indices are undefined "
            "(reported as NaN)",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    return dict(
        salib_sobol.analyze(
            problem,
            np.ascontiguousarray(y),
            calc_second_order=second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
    )


def _first_total_rows(
    labels: Sequence[str], result: dict[str, Any] | None, lead: dict[str, Any]
) -> list[dict[str, Any]]:
    keys = ("S1", "S1_conf", "ST", "ST_conf")
    return [
        {
            **lead,
            "factor": label,
            **{k: math.nan if result is None else float(result[k][i]) for k in keys},
        }
        for i, label in enumerate(labels)
    ]


def _second_order_rows(
    labels: Sequence[str], result: dict[str, Any] | None, lead: dict[str, Any]
) -> list[dict[str, Any]]:
    return [
        {
            **lead,
            "factor_i": labels[i],
            "factor_j": labels[j],
            "S2": math.nan if result is None else float(result["S2"][i, j]),
            "S2_conf": math.nan if result is None else float(result["S2_conf"][i, j]),
        }
        for i in range(len(labels))
        for j in range(i + 1, len(labels))
    ]


def sobol(
    func: RowFunction,
    factors: Mapping[str, Factor | Mapping[str, Any]],
    n: int,
    *,
    second_order: bool = False,
    seed: int = 1,
    groups: Mapping[str, str] | None = None,
    executor: Executor | None = None,
    chunk_size: int = 256,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    outputs: Sequence[str] | None = None,
    convergence: bool = False,
) -> SobolResult:
    """Estimate first-order, total (and optionally second-order) Sobol' indices.

    Variance-based indices (Sobol' 2001): ``S1_i = V[E(Y|X_i)] / V(Y)`` is the share of the
    output variance due to factor ``i`` alone, ``ST_i = E[V(Y|X_~i)] / V(Y)`` the share due to
    ``i`` including all its interactions. The design is Saltelli's cross-sampling scheme
    (Saltelli 2002) built by ``SALib.sample.sobol.sample`` from a scrambled Sobol' sequence
    (``scramble=True``, ``seed=seed``) in ``2d`` dimensions: for each of the ``n`` base
    samples, a row ``A``, ``d`` rows ``AB_j`` (``A`` with column ``j`` from ``B``), with
    ``second_order`` ``d`` rows ``BA_j``, and a row ``B`` — ``n (d + 2)`` model runs, or
    ``n (2d + 2)`` with ``second_order`` (``d``: the number of groups when grouped; a group's
    columns are swapped together). ``SALib.analyze.sobol.analyze`` then applies the estimators
    of Saltelli et al. (2010) for ``S1`` and ``ST`` (the latter is Jansen's 1999 formula) and of
    Saltelli (2002) for ``S2``, with bootstrap confidence intervals (``num_resamples``
    resamples of the base samples, seeded with ``seed``).

    The same arguments give the same design, the same outputs (whatever the executor and chunk
    size, for a row-wise ``func``) and hence the same indices.

    Convergence: the first ``m`` points of a scrambled Sobol' sequence are the ``m``-point
    sequence with the same scrambling, and SALib writes the design base sample by base sample,
    in blocks of ``d + 2`` rows (``2d + 2`` with ``second_order``). So the first ``m`` blocks of
    the design (``m (d + 2)`` rows) are exactly the design SALib builds for ``m`` base samples
    with the same seed, and the indices at ``m = n/4`` and ``n/2`` come from the first rows of
    the same outputs, with no extra model run. The ``n`` level equals ``indices``.

    Args:
        func: The model (see :func:`evaluate_rows`); called with factor values on their scales,
            columns in the order of ``factors``.
        factors: Name -> ``(low, high)`` (uniform), a
            :class:`~intsim.analysis.distributions.Univariate` distribution (applied through its
            ``ppf`` to the uniform design), or a YAML distribution mapping
            (:func:`~intsim.analysis.uncertainty.parse_distribution`).
        n: Base samples; a power of 2 (>= 2; >= 16 with ``convergence``).
        second_order: Also estimate second-order indices (``s2``); doubles the cross-sampled
            rows.
        seed: Seed (>= 1) of the scrambling and of the bootstrap.
        groups: Factor name -> group name, for every factor (at least two groups): indices are
            then per group (SALib groups).
        executor: Where the model runs (see :func:`evaluate_rows`); None: in this process.
        chunk_size: Model rows per call of ``func``.
        conf_level: Level of the bootstrap confidence intervals, in (0, 1).
        num_resamples: Bootstrap resamples (>= 2).
        outputs: Names of the outputs (default ``y`` for a 1-D result, ``y0`` … for 2-D).
        convergence: Also report the indices at ``n/4``, ``n/2`` and ``n`` (nested designs).

    Returns:
        A :class:`SobolResult`; ``indices`` has one row per factor or group (per output).
        An output that is constant over the design gets NaN indices and a ``RuntimeWarning``.

    Raises:
        ValueError: Invalid arguments (``n`` not a power of 2, ``seed`` < 1, bad factors or
            groups), or an output that is NaN or infinite for some run (the error names the
            output and the first such rows with their factor values).
    """
    from SALib.sample import sobol as salib_sample  # noqa: PLC0415  (heavy import)

    n = _check_sobol_n(n, convergence)
    _check_common(seed, conf_level, num_resamples)
    space = _space(factors, groups)
    problem = space.problem()
    labels = space.labels
    u = salib_sample.sample(problem, n, calc_second_order=second_order, scramble=True, seed=seed)
    values = space.to_values(u)
    y = evaluate_rows(func, values, executor=executor, chunk_size=chunk_size)
    out_names = _output_names(y, outputs)
    _check_finite("sobol", y, values, space.names, out_names)
    y2 = y.reshape(len(y), -1)
    block = len(y2) // n
    levels = (n // 4, n // 2, n) if convergence else (n,)
    rows: list[dict[str, Any]] = []
    s2_rows: list[dict[str, Any]] = []
    conv_rows: list[dict[str, Any]] = []
    for j, output in enumerate(out_names):
        lead = {"output": output} if y.ndim == 2 else {}
        for m in levels:
            result = _sobol_analyze(
                problem,
                y2[: m * block, j],
                second_order=second_order,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=seed,
                output=output,
            )
            if convergence:
                conv_rows += _first_total_rows(labels, result, {"n": m, "output": output})
            if m == n:
                rows += _first_total_rows(labels, result, lead)
                if second_order:
                    s2_rows += _second_order_rows(labels, result, lead)
    conv = None
    if convergence:
        conv = pd.DataFrame(conv_rows).sort_values(["output", "n"], kind="stable")
        conv = conv.reset_index(drop=True)
    return SobolResult(
        indices=pd.DataFrame(rows),
        s2=pd.DataFrame(s2_rows) if second_order else None,
        convergence=conv,
        problem=problem,
        X=values,
        Y=y,
    )


#: Base samples below which Sobol' indices are flagged as unstable. Saltelli et al. (2010)
#: report estimator errors of several hundredths still at N in the hundreds; N >= 512 is a
#: common floor for indices one intends to rank (the package's Ishigami check meets 0.02 at
#: N = 1024).
STABLE_SOBOL_N = 512
#: Largest bootstrap half-width (index units, on [0, 1]) accepted without a warning.
STABLE_SOBOL_CONF = 0.1


def stability_warnings(
    indices: pd.DataFrame,
    n: int,
    *,
    min_n: int = STABLE_SOBOL_N,
    max_conf: float = STABLE_SOBOL_CONF,
) -> list[str]:
    """Warnings about Sobol' indices too uncertain to read (one line each, no prefix).

    Three checks, on the rows of :attr:`SobolResult.indices`:

    * ``n`` below ``min_n`` base samples;
    * a bootstrap half-width (``S1_conf`` or ``ST_conf``) above ``max_conf``, per output;
    * a total index below the first-order index beyond their intervals,
      ``ST + ST_conf < S1 - S1_conf``: impossible for the true indices (``ST >= S1``), so a sign
      of estimation error rather than of the model.
    """
    out: list[str] = []
    if n < min_n:
        out.append(
            f"sobol: N = {n} base samples is below {min_n}; indices at this size are unstable "
            "(read them as a rough screening, and check convergence.csv)"
        )
    by_output = indices.groupby("output", sort=False) if "output" in indices else [("", indices)]
    for output, d in by_output:
        name = f" of {output!r}" if output else ""
        conf = d[["S1_conf", "ST_conf"]].to_numpy(dtype=float)
        widest = float(np.nanmax(conf)) if np.isfinite(conf).any() else math.nan
        if widest > max_conf:
            out.append(
                f"sobol: indices{name} have confidence half-widths up to {widest:.2f} "
                f"(above {max_conf}); increase N"
            )
        below = d[d["ST"] + d["ST_conf"] < d["S1"] - d["S1_conf"]]
        if len(below):
            names = ", ".join(str(f) for f in below["factor"])
            out.append(
                f"sobol: total index below the first-order index beyond their intervals{name} "
                f"for {names} (impossible for the true indices: estimation error; increase N)"
            )
    return out


# --------------------------------------------------------------------------- Morris


def morris(
    func: RowFunction,
    factors: Mapping[str, Factor | Mapping[str, Any]],
    *,
    trajectories: int = 20,
    levels: int = 4,
    seed: int = 1,
    groups: Mapping[str, str] | None = None,
    executor: Executor | None = None,
    chunk_size: int = 256,
    conf_level: float = 0.95,
    num_resamples: int = 1000,
    outputs: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Screen factors by Morris elementary effects (Morris 1991; Campolongo et al. 2007).

    ``SALib.sample.morris.sample`` draws ``trajectories`` one-at-a-time trajectories on a grid
    of ``levels`` levels of the unit hypercube, each of ``d + 1`` points (``d``: factors, or
    groups, which move together), so ``trajectories (d + 1)`` model runs. Each step changes
    one factor (or group) by ``Delta = levels / (2 (levels - 1))`` of its range, and its
    elementary effect is the change in output divided by ``Delta`` — in output units per unit
    of the factor's quantile range, so effects are comparable across factors of different
    units and distributions. ``SALib.analyze.morris.analyze`` reports, per factor: ``mu`` (mean
    effect; effects of opposite signs cancel), ``mu_star`` (mean absolute effect, Campolongo et
    al. 2007: the measure for ranking), ``sigma`` (standard deviation: non-linearity or
    interactions) and ``mu_star_conf`` (bootstrap half-width at ``conf_level``).

    Levels map to factor values as in :func:`sobol`, except that a distribution's unbounded
    side is cut at the :data:`MORRIS_TAIL` quantile (the grid includes 0 and 1). With groups,
    ``sigma`` is NaN for groups of more than one factor (SALib), and ``mu`` mixes the signs of
    the group's factors: rank by ``mu_star``.

    Args:
        func: The model (see :func:`evaluate_rows`).
        factors: As in :func:`sobol`.
        trajectories: Number of trajectories (>= 2).
        levels: Number of grid levels; even, >= 2 (Morris 1991).
        seed: Seed (>= 1) of the trajectories and of the bootstrap.
        groups: Factor name -> group name, for every factor (at least two groups).
        executor: Where the model runs; None: in this process.
        chunk_size: Model rows per call of ``func``.
        conf_level: Level of the bootstrap confidence intervals, in (0, 1).
        num_resamples: Bootstrap resamples (>= 2).
        outputs: Names of the outputs (as in :func:`sobol`).

    Returns:
        One row per factor or group (per output): columns ``factor, mu, mu_star, sigma,
        mu_star_conf``, led by ``output`` when ``func`` returns a 2-D array.

    Raises:
        ValueError: Invalid arguments, or an output that is NaN or infinite for some run (the
            error names the output and the first such rows).
    """
    from SALib.analyze import morris as salib_analyze  # noqa: PLC0415  (heavy imports)
    from SALib.sample import morris as salib_sample  # noqa: PLC0415

    trajectories = _check_int("trajectories", trajectories, 2)
    levels = _check_int("levels", levels, 2)
    if levels % 2:
        raise ValueError(f"levels: got {levels}; expected an even number (Morris 1991)")
    _check_common(seed, conf_level, num_resamples)
    space = _space(factors, groups)
    problem = space.problem()
    u = salib_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    values = space.to_values(u, tail=MORRIS_TAIL)
    y = evaluate_rows(func, values, executor=executor, chunk_size=chunk_size)
    out_names = _output_names(y, outputs)
    _check_finite("morris", y, values, space.names, out_names)
    y2 = y.reshape(len(y), -1)
    rows: list[dict[str, Any]] = []
    for j, output in enumerate(out_names):
        # the unit design: effects per unit of quantile range; X only gives each step's sign
        result = salib_analyze.analyze(
            problem,
            u,
            np.ascontiguousarray(y2[:, j]),
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=levels,
            seed=seed,
        )
        values = {
            k: np.ma.filled(np.ma.asarray(result[k], dtype=np.float64), np.nan)
            for k in ("mu", "mu_star", "sigma", "mu_star_conf")
        }
        lead = {"output": output} if y.ndim == 2 else {}
        rows += [
            {**lead, "factor": label, **{k: float(v[i]) for k, v in values.items()}}
            for i, label in enumerate(space.labels)
        ]
    return pd.DataFrame(rows)


#: Names that moved to :mod:`intsim.analysis.gsa_test_functions` (still importable from here, with a
#: ``DeprecationWarning``).
_MOVED_TO_TEST_FUNCTIONS = frozenset(
    {"ishigami", "ishigami_indices", "ishigami_second_order", "sobol_g", "sobol_g_indices"}
)


def __getattr__(name: str) -> Any:
    """Deprecation shim: the test functions moved to :mod:`intsim.analysis.gsa_test_functions`."""
    if name in _MOVED_TO_TEST_FUNCTIONS:
        from intsim.analysis import gsa_test_functions  # noqa: PLC0415

        warnings.warn(
            f"intsim.analysis.sensitivity.{name} moved to "
            f"intsim.analysis.gsa_test_functions.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(gsa_test_functions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
