"""Statistics of a threshold search: the curve at one value and its Wilson interval.

The acceptability curve at one value of the searched parameter (:class:`Point`, from the runs'
outputs) and the Wilson score interval of its probability (:func:`wilson_interval`).

Part of :mod:`intsim.analysis.threshold` (the method is described there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Normal quantile of the 95% Wilson interval.
Z95 = 1.959963984540054


def wilson_interval(events: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``events / n`` (``(nan, nan)`` if n = 0)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = events / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if events <= 0 else max(0.0, centre - half)  # exact ends, not 1 - 1e-16
    high = 1.0 if events >= n else min(1.0, centre + half)
    return (low, high)


@dataclass(frozen=True)
class Point:
    """The acceptability curve at one value of the searched parameter.

    Attributes:
        value: The parameter value.
        n: Runs (draws × replications).
        events: Runs meeting the event.
        missing: Runs whose output is missing (they do not meet the event).
        mean: Mean of the output over the runs with a value.
        p5: 5th percentile of the output over those runs.
        p95: 95th percentile.
        source: ``grid``, ``bisection`` or ``extra`` (evaluated on request).
        order: Evaluation order (0-based).
    """

    value: float
    n: int
    events: int
    missing: int = 0
    mean: float = math.nan
    p5: float = math.nan
    p95: float = math.nan
    source: str = "extra"
    order: int = 0

    @property
    def p(self) -> float:
        """Estimated P(event)."""
        return self.events / self.n if self.n else math.nan

    @property
    def se(self) -> float:
        """Binomial standard error of :attr:`p`."""
        return math.sqrt(self.p * (1 - self.p) / self.n) if self.n else math.nan

    @property
    def wilson(self) -> tuple[float, float]:
        """95% Wilson interval of :attr:`p`."""
        return wilson_interval(self.events, self.n)

    def row(self) -> dict[str, Any]:
        """One row of ``curve.csv``."""
        lo, hi = self.wilson
        return {
            "value": self.value,
            "p": self.p,
            "se": self.se,
            "wilson_low": lo,
            "wilson_high": hi,
            "n": self.n,
            "events": self.events,
            "missing": self.missing,
            "mean": self.mean,
            "p5": self.p5,
            "p95": self.p95,
            "source": self.source,
            "order": self.order,
        }


def point_from_outputs(
    value: float,
    outputs: np.ndarray,
    target: float,
    *,
    at_most: bool = False,
    source: str = "extra",
    order: int = 0,
) -> Point:
    """Summarise the runs' outputs at one value: the event ``>= target`` (``<=``), NaN as no."""
    x = np.asarray(outputs, dtype=float)
    finite = np.isfinite(x)
    with np.errstate(invalid="ignore"):
        hit = (x <= target) if at_most else (x >= target)
    hit &= finite
    good = x[finite]
    return Point(
        value=float(value),
        n=len(x),
        events=int(hit.sum()),
        missing=int((~finite).sum()),
        mean=float(good.mean()) if len(good) else math.nan,
        p5=float(np.percentile(good, 5)) if len(good) else math.nan,
        p95=float(np.percentile(good, 95)) if len(good) else math.nan,
        source=source,
        order=order,
    )
