"""A finished threshold search and its summary for people.

:class:`ThresholdResult` gives ``curve.csv`` and ``threshold.json``; :func:`summary_line` and
:func:`format_value` say it in words.

Part of :mod:`intsim.analysis.threshold` (the method is described there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from intsim.analysis.threshold.search import Location, means_move_toward_event
from intsim.analysis.threshold.settings import ThresholdSearch
from intsim.params import Param


@dataclass
class ThresholdResult:
    """A finished search: the settings, the location and the time it took."""

    search: ThresholdSearch
    location: Location
    seconds: float = 0.0

    def curve(self) -> pd.DataFrame:
        """The evaluated curve, sorted by value (``curve.csv``)."""
        rows = [p.row() for p in self.location.points]
        return pd.DataFrame(rows).sort_values("value", kind="stable", ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """The content of ``threshold.json``."""
        s, loc = self.search, self.location
        at = loc.at(loc.threshold) if loc.threshold is not None else None
        mean_monotone = means_move_toward_event(loc.points, s.direction, at_most=s.at_most)
        best = max(loc.points, key=lambda p: (p.p, -p.order))
        return {
            "param": s.param.path,
            "unit": s.param.unit,
            "output": s.output,
            "target": s.target,
            "event": s.event,
            "confidence": s.confidence,
            "direction": s.direction,
            "range": [s.low, s.high],
            "threshold": loc.threshold,
            "threshold_interval": list(loc.interval),
            "bracket": list(loc.bracket) if loc.bracket else None,
            "p_at_threshold": at.p if at else None,
            "se_at_threshold": at.se if at else None,
            "wilson_at_threshold": list(at.wilson) if at else None,
            "n": s.n,
            "reached": loc.threshold is not None,
            "status": loc.status,
            "max_p": best.p,
            "max_p_at": best.value,
            "monotone": loc.monotone and mean_monotone,
            "p_monotone": loc.monotone,
            "mean_monotone": mean_monotone,
            "evaluations": len(loc.points),
            "strategy": s.strategy,
            "runs": len(s.draws),
            "reps": s.experiment.reps,
            "seed": s.experiment.seed,
            "method": s.experiment.method,
            "dropped_from_uncertainty": s.dropped,
            "seconds": round(self.seconds, 1),
        }


def format_value(param: Param, x: float | None) -> str:
    """A parameter value for people: ``$9.40`` for USD, ``97`` for integers, else 4 digits."""
    if x is None:
        return "-"
    if "USD" in param.unit:
        return f"${x:,.2f}" if abs(x) < 1000 else f"${x:,.0f}"
    if param.kind == "int":
        return f"{round(x)}"
    return f"{x:.4g}"


def summary_line(result: ThresholdResult) -> str:
    """The headline sentence of a search."""
    s, loc = result.search, result.location
    info = result.to_dict()
    pct = f"{100 * s.confidence:g}%"
    fmt = lambda x: format_value(s.param, x)  # noqa: E731
    name, event = s.param.path, f"P({s.event})"
    if loc.threshold is None:
        return (
            f"{event} does not reach {pct} for {name} within [{fmt(s.low)}, {fmt(s.high)}]: "
            f"max P = {info['max_p']:.2f} at {fmt(info['max_p_at'])} (n = {s.n})"
        )
    if s.direction == "increasing":
        head = f"{name} at which {event} reaches {pct}"
    else:
        head = f"largest {name} at which {event} is at least {pct}"
    lo, hi = loc.interval
    edge_lo, edge_hi = (s.low, s.high)
    lo_text = fmt(lo) if lo is not None else f"< {fmt(edge_lo)}"
    hi_text = fmt(hi) if hi is not None else f"> {fmt(edge_hi)}"
    end = ""
    if loc.status == "at_range_end":
        side = "lower" if s.direction == "increasing" else "upper"
        end = f" [already at the {side} end of the range: widen --range]"
    return (
        f"{head}: {fmt(loc.threshold)} (95% interval {lo_text} to {hi_text}; "
        f"P at threshold {info['p_at_threshold']:.2f} ± {info['se_at_threshold']:.2f} SE, "
        f"n = {s.n}){end}"
    )
