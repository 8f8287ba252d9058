"""Sampling designs (plain Monte Carlo, Latin hypercube, scrambled Sobol') and parameter draws.

One matrix of uniforms (:func:`design`) feeds every entry's inverse CDF, so the same
:class:`~intsim.analysis.uncertainty.UncertaintySpec` gives plain Monte Carlo, LHS or Sobol' draws
(:func:`sample`); :func:`overrides_for_draw` turns one draw into scenario overrides.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import qmc

from intsim.analysis.distributions import Dirichlet
from intsim.analysis.uncertainty import UncertaintySpec, draw_bounds
from intsim.params import PARAMS_BY_PATH
from intsim.params.scenario import ScenarioError

__all__ = ["METHODS", "design", "overrides_for_draw", "sample"]

METHODS: tuple[str, ...] = ("random", "lhs", "sobol")
"""Sampling designs understood by :func:`sample`."""

# Uniforms are kept strictly inside (0, 1) so that no inverse CDF returns +-inf.
_U_MIN = 2.0**-53
_U_MAX = 1.0 - 2.0**-53


def _engine(cls: Any, d: int, seed: int) -> Any:
    """Build a scipy QMC engine seeded from ``SeedSequence(seed)`` (``rng=`` or older ``seed=``)."""
    gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    try:
        return cls(d, scramble=True, rng=gen)
    except TypeError:  # scipy < 1.15 names the keyword ``seed``
        return cls(d, scramble=True, seed=gen)


def _check_design_args(n: Any, method: Any, seed: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ScenarioError(f"n: got {n!r}; expected a positive integer number of draws")
    if method not in METHODS:
        raise ScenarioError(f"method: got {method!r}; expected one of {', '.join(METHODS)}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(f"seed: got {seed!r}; expected a non-negative integer")


def _design(n: int, d: int, method: str, seed: int, stacklevel: int) -> NDArray[np.float64]:
    if d == 0:
        return np.empty((n, 0))
    if method == "random":
        gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
        u = gen.random((n, d))
    elif method == "lhs":
        u = _engine(qmc.LatinHypercube, d, seed).random(n)
    else:
        if n & (n - 1):
            warnings.warn(
                f"sobol: n={n} is not a power of 2; Sobol' points keep their balance "
                "properties only for n = 2**m",
                UserWarning,
                stacklevel=stacklevel,
            )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*balance properties", category=UserWarning)
            u = _engine(qmc.Sobol, d, seed).random(n)
    return np.clip(np.asarray(u, dtype=np.float64), _U_MIN, _U_MAX)


def design(n: int, d: int, *, method: str = "random", seed: int) -> NDArray[np.float64]:
    """Return an ``(n, d)`` matrix of uniforms in ``(0, 1)`` for one sampling design.

    * ``random``: ``numpy.random.Generator(PCG64(SeedSequence(seed))).random((n, d))``;
    * ``lhs``: ``scipy.stats.qmc.LatinHypercube(d)`` (scrambled within strata): each column
      has exactly one point in each of the ``n`` strata ``[i/n, (i+1)/n)``;
    * ``sobol``: scrambled ``scipy.stats.qmc.Sobol(d)``; ``n`` should be a power of 2 (a
      :class:`UserWarning` is issued otherwise).

    The QMC engines are seeded with a generator built from ``SeedSequence(seed)``. Values are
    kept within ``[2**-53, 1 - 2**-53]`` so no inverse CDF returns an infinity.

    Args:
        n: Number of points (``>= 1``).
        d: Dimension (``>= 0``).
        method: ``"random"``, ``"lhs"`` or ``"sobol"``.
        seed: Non-negative integer seed.

    Returns:
        The uniforms; the same arguments always give the same matrix.

    Raises:
        ScenarioError: On an invalid ``n``, ``method`` or ``seed``.
    """
    _check_design_args(n, method, seed)
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 0:
        raise ScenarioError(f"d: got {d!r}; expected a non-negative integer dimension")
    return _design(int(n), int(d), method, int(seed), stacklevel=3)


def sample(spec: UncertaintySpec, n: int, *, method: str = "random", seed: int) -> pd.DataFrame:
    """Draw ``n`` parameter sets from an uncertainty spec.

    The design (:func:`design`) has one column per uniform the spec consumes, in spec order (a
    :class:`Fixed` entry consumes one, a Dirichlet group one per member); each entry maps its
    uniforms through its inverse CDF. Integer parameters are rounded (``numpy.rint``) and stored
    as ``int64``; entries with ``clip: true`` are clipped to the declared bounds.

    Args:
        spec: The uncertain parameters.
        n: Number of draws (``>= 1``).
        method: ``"random"`` (Monte Carlo), ``"lhs"`` (Latin hypercube) or ``"sobol"``
            (scrambled Sobol'; ``n`` should be a power of 2).
        seed: Non-negative integer seed; the same spec, ``n``, method and seed always give the
            same frame.

    Returns:
        A frame with column ``draw`` (``0 .. n-1``) and one column per parameter path in
        :attr:`UncertaintySpec.columns` order (Dirichlet groups as ``group.member``).

    Raises:
        ScenarioError: On invalid arguments, or if a draw falls outside the declared bounds
            numerically (e.g. a lognormal underflowing to exactly 0 for a parameter that must
            be positive): set ``clip: true`` on that entry.
    """
    _check_design_args(n, method, seed)
    u = _design(int(n), spec.dim, method, int(seed), stacklevel=3)
    data: dict[str, NDArray[Any]] = {"draw": np.arange(n, dtype=np.int64)}
    j = 0
    for entry in spec.entries:
        block = u[:, j : j + entry.dim]
        j += entry.dim
        if isinstance(entry.dist, Dirichlet):
            shares = entry.dist.ppf(block)
            for k, col in enumerate(entry.columns):
                data[col] = shares[:, k]
            _check_draws(entry.path, shares)
            continue
        param = PARAMS_BY_PATH[entry.path]
        x = entry.dist.ppf(block[:, 0])
        if param.kind == "int":
            x = np.rint(x)
        lo, hi = draw_bounds(param)
        if entry.clip:
            x = np.clip(x, lo, hi)
        bad = ~((x >= lo) & (x <= hi))
        if bad.any():
            i = int(np.argmax(bad))
            raise ScenarioError(
                f"{entry.path}: draw {i} is {x[i]:g}, outside the declared bounds "
                f"({param.expectation()}); expected the distribution to stay within them "
                "(set clip: true on this entry)"
            )
        data[entry.path] = x.astype(np.int64) if param.kind == "int" else x
    return pd.DataFrame(data, columns=["draw", *spec.columns])


def _check_draws(path: str, shares: NDArray[np.float64]) -> None:
    if not np.isfinite(shares).all():
        raise ScenarioError(
            f"{path}: the dirichlet produced non-finite shares (gamma draws underflowed); "
            "expected larger alphas"
        )


def overrides_for_draw(frame_row: pd.Series | Mapping[str, Any]) -> dict[str, float | int]:
    """Convert one sampled row into overrides for :meth:`Scenario.with_overrides`.

    The ``draw`` column is dropped. Values become plain Python numbers (the scenario schema is
    strict: ``numpy.int64`` is not an ``int``): integer parameters are rounded to the nearest
    integer (a row taken with ``frame.iloc[i]`` holds them as floats), the rest become ``float``.

    Args:
        frame_row: A row of :func:`sample`'s frame (a ``Series``, or a mapping such as one
            record of ``frame.to_dict("records")``).

    Returns:
        Dotted parameter path -> value.

    Raises:
        ScenarioError: On a column that is not a declared parameter, or a non-finite value.
    """
    out: dict[str, float | int] = {}
    for key, value in frame_row.items():
        if key == "draw":
            continue
        param = PARAMS_BY_PATH.get(str(key))
        if param is None or param.kind not in ("float", "int"):
            raise ScenarioError(f"{key}: got column {key!r}; expected a numeric parameter path")
        x = float(value)
        if not math.isfinite(x):
            raise ScenarioError(f"{key}: got {value!r}; expected a finite number")
        out[str(key)] = round(x) if param.kind == "int" else x
    return out
