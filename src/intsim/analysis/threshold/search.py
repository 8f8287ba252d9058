"""The search algorithm of a threshold: grid, bracket and bisection.

:func:`locate` runs it on any evaluator of the acceptability curve; :func:`threshold_interval`
gives the interval of the threshold.

Part of :mod:`intsim.analysis.threshold` (the method is described there).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from intsim.analysis.threshold.statistics import Point

DEFAULT_GRID = 9
#: Bisection stops when the bracket is narrower than this share of the range …
BISECT_TOLERANCE = 0.01
#: … or after this many steps.
BISECT_MAX_STEPS = 6


@dataclass
class Location:
    """What :func:`locate` found.

    Attributes:
        points: Every evaluated point, in evaluation order.
        threshold: The threshold value, or None if P never reaches the confidence.
        status: ``reached``, ``at_range_end`` (reached at the first value in the search
            direction) or ``not_reached``.
        bracket: ``(fails, meets)``: the final bisection bracket (an evaluated value with
            P < C, then the threshold), or None.
        interval: ``(low, high)`` from the Wilson bounds' crossings; None marks an end beyond
            the range.
        monotone: Whether P never drops along the evaluated values in the search direction.
    """

    points: list[Point]
    threshold: float | None
    status: str
    bracket: tuple[float, float] | None
    interval: tuple[float | None, float | None]
    monotone: bool

    def at(self, value: float) -> Point:
        """The evaluated point at ``value``."""
        for p in self.points:
            if p.value == value:
                return p
        raise KeyError(value)


def grid_values(low: float, high: float, k: int, *, integer: bool = False) -> list[float]:
    """K evenly spaced values over ``[low, high]`` (distinct integers for an integer parameter)."""
    values = np.linspace(low, high, k)
    if integer:
        values = np.unique(np.rint(values))
    return [float(v) for v in values]


def means_move_toward_event(
    points: Sequence[Point], direction: str, *, at_most: bool = False
) -> bool:
    """Whether the output's mean never moves away from the event along the search direction.

    P(event) can be flat (0 everywhere) while the output itself moves the wrong way, e.g. a
    case rate that replaces the CoCM codes lowers the margin as it rises from a small value (issue
    13): the curve of P alone would call that monotone. Points without a finite mean are skipped.
    """
    means = [p.mean for p in _scan(points, direction) if math.isfinite(p.mean)]
    steps = [b - a for a, b in itertools.pairwise(means)]
    return all(step <= 0 for step in steps) if at_most else all(step >= 0 for step in steps)


def _scan(points: Sequence[Point], direction: str) -> list[Point]:
    """Points in the search direction: ascending for ``increasing``, descending otherwise."""
    return sorted(points, key=lambda p: p.value, reverse=direction == "decreasing")


def _crossing(scan: Sequence[Point], ys: Sequence[float], level: float) -> float | None:
    """Value where ``ys`` first reaches ``level`` along ``scan`` (linear interpolation).

    None if it never does, or already at the first point (the crossing is beyond the range).
    """
    for i, y in enumerate(ys):
        if y >= level:
            if i == 0:
                return None
            x0, x1, y0 = scan[i - 1].value, scan[i].value, ys[i - 1]
            return x0 + (level - y0) / (y - y0) * (x1 - x0)
    return None


def threshold_interval(
    points: Sequence[Point], confidence: float, direction: str, *, integer: bool = False
) -> tuple[float | None, float | None]:
    """Where the Wilson bounds of P cross the confidence: ``(low, high)``, None beyond the range.

    Along the search direction the upper bound crosses first (the optimistic end), the lower
    bound last (the pessimistic end). Integer parameters round outwards.
    """
    scan = _scan(points, direction)
    optimistic = _crossing(scan, [p.wilson[1] for p in scan], confidence)
    pessimistic = _crossing(scan, [p.wilson[0] for p in scan], confidence)
    low, high = (
        (optimistic, pessimistic) if direction == "increasing" else (pessimistic, optimistic)
    )
    if integer:
        low = None if low is None else float(math.floor(low + 1e-9))
        high = None if high is None else float(math.ceil(high - 1e-9))
    return (low, high)


def locate(
    evaluate: Callable[[Sequence[float], str], list[Point]],
    low: float,
    high: float,
    *,
    confidence: float,
    direction: str = "increasing",
    grid: int = DEFAULT_GRID,
    integer: bool = False,
    max_steps: int = BISECT_MAX_STEPS,
    tolerance: float = BISECT_TOLERANCE,
) -> Location:
    """Grid, bracket and bisection: the first value (in the search direction) with P ≥ C.

    Args:
        evaluate: ``evaluate(values, source) -> points`` (one :class:`Point` per value, in
            order). It is called once for the grid and once per bisection step.
        low: Lower end of the range.
        high: Upper end (> low).
        confidence: The level C in (0, 1).
        direction: ``increasing`` (smallest value reaching C) or ``decreasing`` (largest).
        grid: Grid points (>= 2).
        integer: Search integers only.
        max_steps: Most bisection steps.
        tolerance: Stop when the bracket is narrower than this share of ``high - low``.

    Returns:
        The :class:`Location`.
    """
    points = list(evaluate(grid_values(low, high, grid, integer=integer), "grid"))
    scan = _scan(points, direction)
    first = next((i for i, p in enumerate(scan) if p.p >= confidence), None)
    bracket: tuple[float, float] | None = None
    if first is None:
        threshold, status = None, "not_reached"
    elif first == 0:
        threshold, status = scan[0].value, "at_range_end"
    else:
        fails, meets = scan[first - 1].value, scan[first].value
        width = tolerance * (high - low)
        for _ in range(max_steps):
            gap = abs(meets - fails)
            if gap < width or (integer and gap <= 1):
                break
            mid = (fails + meets) / 2
            if integer:
                mid = float(math.floor(mid)) if meets > fails else float(math.ceil(mid))
            point = evaluate([mid], "bisection")[0]
            points.append(point)
            if point.p >= confidence:
                meets = mid
            else:
                fails = mid
        threshold, status, bracket = meets, "reached", (fails, meets)
    scan = _scan(points, direction)
    ps = [p.p for p in scan]
    monotone = all(b >= a for a, b in itertools.pairwise(ps))
    return Location(
        points=points,
        threshold=threshold,
        status=status,
        bracket=bracket,
        interval=threshold_interval(points, confidence, direction, integer=integer),
        monotone=monotone,
    )
