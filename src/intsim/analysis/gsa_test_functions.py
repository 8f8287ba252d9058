"""Analytic test functions of global sensitivity analysis, with their known indices.

Used to check the estimators of :mod:`intsim.analysis.sensitivity` (as SALib keeps its test
functions in ``SALib.test_functions``, apart from the methods): :func:`ishigami` (Ishigami & Homma
1990) and :func:`sobol_g` (Saltelli & Sobol' 1995). No model run uses them.

References:
    Ishigami, T. & Homma, T. (1990). An importance quantification technique in uncertainty
    analysis for computer models. Proceedings of ISUMA '90, 398-403.
    doi:10.1109/ISUMA.1990.151285.

    Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S. (2010).
    Variance based sensitivity analysis of model output. Design and estimator for the total
    sensitivity index. Computer Physics Communications 181(2), 259-270.
    doi:10.1016/j.cpc.2009.09.018.

    Saltelli, A. & Sobol', I. M. (1995). About the use of rank transformation in sensitivity
    analysis of model output. Reliability Engineering & System Safety 50(3), 225-239.
    doi:10.1016/0951-8320(95)00099-2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ishigami",
    "ishigami_indices",
    "ishigami_second_order",
    "sobol_g",
    "sobol_g_indices",
]


def _columns(rows: ArrayLike, d: int, name: str) -> NDArray[np.float64]:
    x = np.asarray(rows, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != d:
        raise ValueError(f"{name}: X has shape {x.shape}; expected (n, {d})")
    return x


def ishigami(X: ArrayLike, a: float = 7.0, b: float = 0.1) -> NDArray[np.float64]:  # noqa: N803
    """Ishigami function (Ishigami & Homma 1990): ``sin x1 + a sin² x2 + b x3⁴ sin x1``.

    The factors are independent and uniform on ``[-pi, pi]``; :func:`ishigami_indices` gives
    the indices.

    Args:
        X: Factor values, shape ``(n, 3)``.
        a: Weight of ``x2`` (the classical value is 7).
        b: Weight of the ``x1``-``x3`` interaction (0.1).

    Returns:
        The outputs, shape ``(n,)``.
    """
    x = _columns(X, 3, "ishigami")
    s1 = np.sin(x[:, 0])
    return s1 + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * s1


def _ishigami_variances(a: float, b: float) -> tuple[float, float, float, float]:
    """``V1``, ``V2``, ``V13`` and ``V`` of :func:`ishigami` (all other terms are 0)."""
    pi4 = math.pi**4
    v1 = 0.5 * (1.0 + b * pi4 / 5.0) ** 2
    v2 = a * a / 8.0
    v13 = b * b * pi4 * pi4 * (1.0 / 18.0 - 1.0 / 50.0)  # = 8 b² pi⁸ / 225
    return v1, v2, v13, v1 + v2 + v13


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, tuple[float, float]]:
    """Analytic first-order and total indices of :func:`ishigami` on ``[-pi, pi]³``.

    With ``V1 = (1 + b pi⁴/5)² / 2``, ``V2 = a²/8``, ``V13 = 8 b² pi⁸ / 225`` and
    ``V = V1 + V2 + V13``: ``S1 = (V1, V2, 0) / V`` and ``ST = (V1 + V13, V2, V13) / V``
    (Ishigami & Homma 1990; e.g. Saltelli et al. 2010).

    Args:
        a: As in :func:`ishigami`.
        b: As in :func:`ishigami`.

    Returns:
        ``{"x1": (S1, ST), "x2": (S1, ST), "x3": (S1, ST)}``.
    """
    v1, v2, v13, v = _ishigami_variances(a, b)
    return {"x1": (v1 / v, (v1 + v13) / v), "x2": (v2 / v, v2 / v), "x3": (0.0, v13 / v)}


def ishigami_second_order(a: float = 7.0, b: float = 0.1) -> dict[tuple[str, str], float]:
    """Analytic second-order indices of :func:`ishigami`: only ``(x1, x3)`` is non-zero.

    Args:
        a: As in :func:`ishigami`.
        b: As in :func:`ishigami`.

    Returns:
        ``{("x1", "x2"): 0, ("x1", "x3"): V13 / V, ("x2", "x3"): 0}``.
    """
    _, _, v13, v = _ishigami_variances(a, b)
    return {("x1", "x2"): 0.0, ("x1", "x3"): v13 / v, ("x2", "x3"): 0.0}


def _g_weights(a: Sequence[float]) -> NDArray[np.float64]:
    w = np.asarray(a, dtype=np.float64)
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"sobol_g: a = {a!r}; expected a non-empty sequence of finite a_i >= 0")
    return w


def sobol_g(X: ArrayLike, a: Sequence[float]) -> NDArray[np.float64]:  # noqa: N803
    """Sobol' G function (Saltelli & Sobol' 1995): ``prod_i (|4 x_i - 2| + a_i) / (1 + a_i)``.

    The factors are independent and uniform on ``[0, 1]``; the smaller ``a_i``, the more
    important ``x_i`` (``a_i = 0``: very important, ``a_i = 99``: negligible).
    :func:`sobol_g_indices` gives the indices.

    Args:
        X: Factor values in ``[0, 1]``, shape ``(n, len(a))``.
        a: The weights ``a_i >= 0``.

    Returns:
        The outputs, shape ``(n,)``.
    """
    w = _g_weights(a)
    x = _columns(X, w.size, "sobol_g")
    return np.prod((np.abs(4.0 * x - 2.0) + w) / (1.0 + w), axis=1)


def sobol_g_indices(a: Sequence[float]) -> dict[str, tuple[float, float]]:
    """Analytic first-order and total indices of :func:`sobol_g` on ``[0, 1]^d``.

    With ``V_i = 1 / (3 (1 + a_i)²)`` and ``V = prod_i (1 + V_i) - 1``:
    ``S1_i = V_i / V`` and ``ST_i = V_i prod_{j != i} (1 + V_j) / V``
    (Saltelli & Sobol' 1995).

    Args:
        a: The weights, as in :func:`sobol_g`.

    Returns:
        ``{"x1": (S1, ST), …, "xd": (S1, ST)}``.
    """
    w = _g_weights(a)
    vi = 1.0 / (3.0 * (1.0 + w) ** 2)
    total = float(np.prod(1.0 + vi))
    v = total - 1.0
    return {
        f"x{i + 1}": (float(vi[i] / v), float(vi[i] * total / (1.0 + vi[i]) / v))
        for i in range(w.size)
    }
