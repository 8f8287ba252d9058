"""The settings of a threshold search, validated (:func:`prepare_search`).

An experiment, a strategy, a parameter, an event and a range become a :class:`ThresholdSearch`;
invalid settings raise :class:`ThresholdError`.

Part of :mod:`intsim.analysis.threshold` (the method is described there).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from intsim.analysis.batch import ID_COLUMNS, Task, run_task
from intsim.analysis.distributions import Dirichlet
from intsim.analysis.montecarlo import Experiment, draws_table
from intsim.analysis.threshold.search import DEFAULT_GRID
from intsim.params import PARAMS_BY_PATH, Param
from intsim.params.scenario import Scenario, ScenarioError

DIRECTIONS: tuple[str, ...] = ("increasing", "decreasing")
DEFAULT_CONFIDENCE = 0.8
_CUMULATIVE = "cumulative_net_m"


class ThresholdError(ValueError):
    """Invalid search settings (a user error: exit status 2 on the command line)."""


@dataclass
class ThresholdSearch:
    """A validated search: the experiment, the strategy, the parameter, the event and the range.

    Attributes:
        experiment: The loaded experiment.
        strategy: Name of the strategy searched.
        scenario: Its scenario.
        param: The searched parameter's declaration.
        output: The output column.
        target: The event's target.
        at_most: Event ``output <= target`` instead of ``>=``.
        confidence: The level C.
        direction: ``increasing`` or ``decreasing``.
        low: Lower end of the range.
        high: Upper end.
        grid: Grid points.
        draws: The experiment's draws, without the searched parameter's column.
        dropped: Whether that column was dropped.
    """

    experiment: Experiment
    strategy: str
    scenario: Scenario
    param: Param
    output: str
    target: float
    at_most: bool
    confidence: float
    direction: str
    low: float
    high: float
    grid: int
    draws: pd.DataFrame = field(repr=False)
    dropped: bool = False

    @property
    def integer(self) -> bool:
        """Whether the parameter is an integer."""
        return self.param.kind == "int"

    @property
    def n(self) -> int:
        """Runs per evaluated value."""
        return len(self.draws) * self.experiment.reps

    @property
    def event(self) -> str:
        """The event, e.g. ``net_margin_pct >= 0``."""
        return f"{self.output} {'<=' if self.at_most else '>='} {self.target:g}"

    def value(self, x: float) -> float | int:
        """``x`` as a value of the parameter (an ``int`` for an integer parameter)."""
        return round(x) if self.integer else float(x)


def _probe_columns(scenario: Scenario, strategy: str) -> dict[str, Any]:
    """The row of a one-month run: which outputs exist and whether they are numbers."""
    return run_task(Task(0, 0, 0, strategy, scenario, 1), months=1)


def _check_output(output: str, scenario: Scenario, strategy: str) -> None:
    months = int(scenario.values.simulation.months)
    if output.startswith(_CUMULATIVE):
        k = output.removeprefix(_CUMULATIVE)
        if not k.isdigit() or not 1 <= int(k) <= months:
            raise ThresholdError(
                f"--output {output}: expected {_CUMULATIVE}<k> with 1 <= k <= {months}"
            )
        return
    row = _probe_columns(scenario, strategy)
    names = [c for c in row if c not in ID_COLUMNS and not c.startswith(_CUMULATIVE)]
    if output not in names:
        close = difflib.get_close_matches(output, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        extra = ""
        if output.startswith("payer.") and not scenario.values.finance.counterfactual:
            extra = "; payer.* outputs other than payer.tcoc_pmpm need finance.counterfactual: true"
        raise ThresholdError(
            f"--output {output}: unknown output{hint}; expected a numeric summary key such as "
            f"net, net_margin_pct, npv, break_even_month, payback_month or payer.<key>{extra}"
        )
    if isinstance(row[output], str):
        raise ThresholdError(f"--output {output}: got a text output; expected a numeric one")


def prepare_search(
    exp: Experiment,
    param: str,
    output: str,
    *,
    target: float = 0.0,
    confidence: float = DEFAULT_CONFIDENCE,
    direction: str = "increasing",
    at_most: bool = False,
    value_range: Sequence[float] | None = None,
    grid: int = DEFAULT_GRID,
    strategy: str | None = None,
) -> ThresholdSearch:
    """Validate the settings against the experiment and the parameter declaration.

    Nothing is written; the output is checked on a one-month probe run.

    Raises:
        ThresholdError: A bad setting, with a message naming the option.
    """
    if strategy is None:
        strategy = next(iter(exp.strategies))
    if strategy not in exp.strategies:
        raise ThresholdError(
            f"--strategy {strategy}: unknown; expected one of {', '.join(exp.strategies)}"
        )
    scenario = exp.strategies[strategy]
    p = PARAMS_BY_PATH.get(param)
    if p is None:
        close = difflib.get_close_matches(param, list(PARAMS_BY_PATH), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ThresholdError(f"--param {param}: unknown parameter{hint}; see `intsim params`")
    if p.kind not in ("float", "int"):
        raise ThresholdError(
            f"--param {param}: a {p.kind} parameter; expected a numeric (float or int) parameter"
        )
    if not (isinstance(confidence, int | float) and 0.0 < confidence < 1.0):
        raise ThresholdError(f"--confidence: got {confidence}; expected a number in (0, 1)")
    if direction not in DIRECTIONS:
        raise ThresholdError(
            f"--direction: got {direction!r}; expected one of {', '.join(DIRECTIONS)}"
        )
    if not math.isfinite(float(target)):
        raise ThresholdError(f"--target: got {target}; expected a finite number")
    if isinstance(grid, bool) or not isinstance(grid, int) or grid < 2:
        raise ThresholdError(f"--grid: got {grid}; expected a whole number >= 2")
    low, high = _range(p, value_range)
    for x in (low, high):  # cross-field rules (e.g. a share of a mix that must sum to 1)
        try:
            scenario.with_overrides({param: round(x) if p.kind == "int" else x})
        except ScenarioError as exc:
            raise ThresholdError(f"--param {param} at {x:g}: {exc}") from None
    _check_output(output, scenario, strategy)
    draws = draws_table(exp)
    dropped = False
    for entry in exp.uncertainty:
        if isinstance(entry.dist, Dirichlet) and param in entry.columns:
            raise ThresholdError(
                f"--param {param}: sampled as part of the dirichlet group uncertainty."
                f"{entry.path}; expected a parameter that is not a share of a sampled group"
            )
    if param in draws.columns:
        draws = draws.drop(columns=[param])
        dropped = True
    return ThresholdSearch(
        experiment=exp,
        strategy=strategy,
        scenario=scenario,
        param=p,
        output=output,
        target=float(target),
        at_most=bool(at_most),
        confidence=float(confidence),
        direction=direction,
        low=low,
        high=high,
        grid=grid,
        draws=draws,
        dropped=dropped,
    )


def _range(p: Param, given: Sequence[float] | None) -> tuple[float, float]:
    if given is None:
        if p.plausible is None:
            raise ThresholdError(
                f"--range: {p.path} has no declared plausible range; expected --range LOW HIGH"
            )
        low, high = float(p.plausible[0]), float(p.plausible[1])
    else:
        if len(given) != 2:
            raise ThresholdError(f"--range: got {list(given)}; expected LOW HIGH")
        low, high = float(given[0]), float(given[1])
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ThresholdError(f"--range: got [{low:g}, {high:g}]; expected finite numbers")
    if p.kind == "int":
        low, high = float(math.ceil(low)), float(math.floor(high))
    if not low < high:
        raise ThresholdError(
            f"--range: got [{low:g}, {high:g}] for {p.path}; expected LOW < HIGH"
            + (" (integers)" if p.kind == "int" else "")
        )
    blo, bhi = p.hard_bounds
    below = blo is not None and (low < blo or (p.positive and low <= blo))
    above = bhi is not None and high > bhi
    if below or above:
        raise ThresholdError(
            f"--range: got [{low:g}, {high:g}] for {p.path}; expected values within its bounds "
            f"({p.expectation()})"
        )
    return low, high
