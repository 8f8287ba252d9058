"""``intsim threshold``: the parameter value at which a financial outcome becomes likely enough.

The question a contract negotiation asks: *what is the smallest Medicaid PMPM (case rate, share
of the Medicare fee schedule, shared-savings rate, caseload…) at which the programme is
sustainable with, say, 80% probability?* Given an experiment file (see
:mod:`intsim.analysis.montecarlo`) and one numeric parameter, this module estimates the **financial
acceptability curve** — P(output ≥ target) against the parameter — by Monte Carlo, and finds
where it crosses a confidence level with a root search::

    intsim threshold EXPERIMENT.yaml --param PATH --output net_margin_pct --target 0
                     [--confidence 0.8] [--direction increasing|decreasing] [--at-most]
                     [--range LOW HIGH] [--grid K] [--runs K] [--reps R] [--strategy NAME]
                     [--seed S] [--set KEY.PATH=VALUE]...
                     [--workers N | --serial | --scheduler tcp://HOST:PORT | --dask-local N]
                     [--out DIR] [--no-figures]

Options:

* ``--param PATH`` — a numeric (float or int) declared parameter (``intsim params``).
* ``--output NAME`` — a numeric summary key of a run (``net``, ``net_margin_pct``, ``npv``,
  ``break_even_month``, ``payback_month``, …), ``payer.<key>`` for the payer block (needs the
  counterfactual), ``revenue_by_line.<key>``, or ``cumulative_net_m<k>`` (cumulative net at
  month k) — any numeric column of :func:`intsim.analysis.batch.run_task`'s row. It is checked
  before anything runs, on a one-month probe run of the strategy.
* ``--target T`` (default 0) and ``--at-most``: the event is ``output >= T``, or with
  ``--at-most`` ``output <= T``. A run whose output is missing (``null``: a break-even or
  payback month that never happens, a margin without revenue) does **not** meet the event
  either way, so ``--output break_even_month --at-most --target 24`` reads "breaks even by
  month 24" and a never-breaking-even run counts against it.
* ``--confidence C`` in (0, 1), default 0.8.
* ``--direction``: is P(event) expected to **rise** with the parameter (``increasing``, the
  default: a higher PMPM makes a positive margin more likely; the answer is the *smallest*
  value reaching C) or to **fall** (``decreasing``: a higher salary makes it less likely; the
  answer is the *largest* value at which P is still ≥ C)?
* ``--range LOW HIGH`` — the search interval (default: the parameter's declared plausible
  range; it must lie within the declared bounds). Integer parameters are searched on integers.
* ``--grid K`` — points of the acceptability curve evaluated first (default 9, at least 2).
* ``--runs``, ``--reps``, ``--seed``, ``--set`` — as in ``intsim mc`` (the Monte Carlo size
  per evaluated value is n = runs × reps); ``--strategy NAME`` picks one strategy of the
  experiment (default: the first).
* ``--workers`` / ``--serial`` / ``--scheduler`` / ``--dask-local`` — where the runs go
  (:func:`intsim.analysis.batch.make_executor`); ``--out DIR`` (default
  ``results/threshold-<experiment file stem>/``); ``--no-figures``.

**Estimating P at a value x.** The experiment's parameter draws (``runs`` of them, its sampling
method and seed) × ``reps`` replications give n runs; P(x) is the share of them meeting the event
with the searched parameter set to x. The **same draws and the same seeds**
(:func:`intsim.analysis.batch.task_seed` of (draw, rep)) are used at every x — common random numbers
—
so the curve moves only because x moves: each run has its own break-even value of x, P(x) is
(for outputs monotone in x run by run) the empirical distribution of those values, a
non-decreasing step function, and the root search is well posed. The searched parameter is
applied *after* the draw's values; if it is also in the experiment's ``uncertainty`` section,
its column is dropped from the draws (the other columns keep exactly the values ``intsim mc``
would draw) and the command says so. (A member of a sampled Dirichlet group cannot be searched.)

**Monte Carlo uncertainty.** Each P is a binomial proportion over n runs: SE = √(P(1−P)/n)
and a 95% Wilson score interval. (Draws from a Latin hypercube or Sobol' design vary less than
independent ones, so these intervals are slightly conservative; replications of one draw are
not independent of each other, which works the other way when ``reps`` > 1.)

**Root search.** The curve is first evaluated at K evenly spaced values across the range (all
of them submitted to the executor at once). Walking the grid in the search direction (upwards
for ``increasing``, downwards for ``decreasing``), the first value with P ≥ C and the one before
it bracket the crossing; the bracket is then bisected — P at the midpoint ≥ C moves the "meets"
end, otherwise the "fails" end — until it is narrower than 1% of the range, at most 6 steps, or
(integer parameters) the two ends are adjacent integers. The **threshold** is the "meets" end:
an evaluated value whose P is ≥ C, with the "fails" end (P < C) within the final bracket
width of it. If P reaches C already at the first grid value, the threshold is that end of the
range (``status: at_range_end``: widen ``--range``); if no grid value reaches C, there is no
threshold (``status: not_reached``) and the largest P seen is reported. The grid can miss a
crossing between two grid values on a curve that is not monotone; a note is printed when P
drops anywhere along the evaluated curve in the search direction.

**Uncertainty of the threshold.** The values where the Wilson interval's upper bound and lower
bound of P cross C (first crossing in the search direction, linear interpolation between
evaluated values) bound the threshold: a 95% interval from Monte Carlo noise (given the draws'
parameter uncertainty, which P already integrates). An end that does not cross within the range
is reported as ``null`` (beyond the range). More ``--runs`` narrow it.

**Outputs** (written into a temporary folder and renamed into ``--out`` at the end):

* ``curve.csv`` — one row per evaluated value, sorted by value: ``value``, ``p``, ``se``,
  ``wilson_low``, ``wilson_high``, ``n``, ``events``, ``missing`` (runs with a missing
  output), ``mean``, ``p5``, ``p95`` (of the output over the runs with a value), ``source``
  (``grid`` or ``bisection``) and ``order`` (evaluation order);
* ``threshold.json`` — ``param``, ``output``, ``target``, ``event``, ``confidence``,
  ``direction``, ``range``, ``threshold`` (``null`` if not reached), ``threshold_interval``,
  ``bracket``, ``p_at_threshold``, ``se_at_threshold``, ``wilson_at_threshold``, ``n``,
  ``reached``, ``status``, ``max_p`` (and its value), ``monotone`` (``p_monotone``: P never
  drops along the search direction, and ``mean_monotone``: the output's mean never moves away
  from the target), ``evaluations``,
  ``strategy``, ``runs``, ``reps``, ``seed``, ``dropped_from_uncertainty``, ``seconds``;
* ``manifest.json`` — :func:`intsim.provenance.manifest_base`, the experiment file, its resolved
  strategy scenario and the search settings;
* ``acceptability.png`` — P against the parameter with its Wilson band, the confidence line
  and the threshold with its interval, above the output's mean and 5–95% band.

A readable line is printed at the end, e.g. ``contracts.medicaid.pmpm_usd at which
P(net_margin_pct >= 0) reaches 80%: $9.40 (95% interval $8.90 to $10.10; P at threshold 0.81
± 0.04 SE, n = 200)``.

**Examples** (``configs/experiments/``; 50 draws × 1 rep, 60 months, timed on a 2-core machine
with the default process pool, at commit 9667072 plus this module):

* ``threshold_medicaid_pmpm.yaml`` — the break-even Medicaid PMPM of the default hybrid
  programme when capitation replaces Medicaid fee-for-service (docs/billing.md 5.2)::

      intsim threshold configs/experiments/threshold_medicaid_pmpm.yaml \
          --param contracts.medicaid.pmpm_usd --range 0 30 --output net_margin_pct --target 0

  13 values (9 grid + 4 bisection), 650 runs, 2 min 34 s: ``contracts.medicaid.pmpm_usd at
  which P(net_margin_pct >= 0) reaches 80%: $8.67 (95% interval $8.18 to $9.91; P at
  threshold 0.80 ± 0.06 SE, n = 50)``.
* ``threshold_caseload.yaml`` — the break-even active caseload per care manager of a
  Medicare-only CoCM programme (docs/evidence.md D1)::

      intsim threshold configs/experiments/threshold_caseload.yaml \
          --param cocm.caseload_per_fte --range 40 160 --output net_margin_pct --target 0

  9 values, 450 runs, 64 s: not reached — P is at most 0.06 (at 115): above about 100 patients
  per FTE the care managers' time, not the caseload cap, binds and the margin plateaus near
  −30% (the file's header explains it).

Python API: :func:`prepare_search` (validate), :func:`find_threshold` (search through an
executor), :func:`evaluate_values` (P at given values, e.g. to check a result),
:func:`locate` (the search algorithm on any evaluator), :func:`plot_acceptability`.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import math
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim.analysis.batch import ID_COLUMNS, Task, run_chunk, run_task, task_seed
from intsim.analysis.distributions import Dirichlet
from intsim.analysis.montecarlo import Experiment, draws_table, load_experiment
from intsim.analysis.sampling import overrides_for_draw
from intsim.params import PARAMS_BY_PATH, Param
from intsim.params.scenario import Scenario, ScenarioError

DIRECTIONS: tuple[str, ...] = ("increasing", "decreasing")
DEFAULT_CONFIDENCE = 0.8
DEFAULT_GRID = 9
#: Bisection stops when the bracket is narrower than this share of the range …
BISECT_TOLERANCE = 0.01
#: … or after this many steps.
BISECT_MAX_STEPS = 6
#: Normal quantile of the 95% Wilson interval.
Z95 = 1.959963984540054
#: Most tasks per chunk sent to the executor.
MAX_CHUNK = 4
_CUMULATIVE = "cumulative_net_m"


class ThresholdError(ValueError):
    """Invalid search settings (a user error: exit status 2 on the command line)."""


# --------------------------------------------------------------------------- statistics


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


# --------------------------------------------------------------------------- the search


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


# --------------------------------------------------------------------------- settings


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


# --------------------------------------------------------------------------- evaluation


def _chunk_outputs(tasks: Sequence[Task], output: str) -> np.ndarray:
    """Run a chunk (:func:`intsim.analysis.batch.run_chunk`); the output column (NaN if absent).

    Module-level, so executors can pickle it.
    """
    rows = run_chunk(tasks)
    if output not in rows.columns:
        return np.full(len(rows), np.nan)
    return rows[output].to_numpy(dtype=float)


def _tasks_at(search: ThresholdSearch, x: float, first_id: int) -> list[Task]:
    exp = search.experiment
    tasks = []
    task_id = first_id
    for i, (_, row) in enumerate(search.draws.iterrows()):
        values: dict[str, Any] = overrides_for_draw(row)
        values[search.param.path] = search.value(x)  # after the draw's values
        scenario = search.scenario.with_overrides(values)
        draw = int(row["draw"]) if "draw" in row else i
        for rep in range(exp.reps):
            tasks.append(
                Task(task_id, draw, rep, search.strategy, scenario, task_seed(exp.seed, draw, rep))
            )
            task_id += 1
    return tasks


def evaluate_values(
    search: ThresholdSearch,
    values: Sequence[float],
    executor: Executor,
    *,
    source: str = "extra",
    first_order: int = 0,
    chunk_size: int | None = None,
) -> list[Point]:
    """P(event) at each value, on the same draws and seeds, all values submitted at once.

    Args:
        search: The validated search.
        values: Parameter values (rounded for an integer parameter).
        executor: Where the chunks run.
        source: Recorded in each point.
        first_order: Evaluation order of the first value.
        chunk_size: Tasks per chunk (default: up to 4, smaller when there are few tasks).

    Returns:
        One :class:`Point` per value, in order.
    """
    values = [float(search.value(x)) for x in values]
    per_value = [_tasks_at(search, x, 0) for x in values]
    total = sum(len(t) for t in per_value)
    size = chunk_size or max(1, min(MAX_CHUNK, total // 16))
    futures: list[list[Future[np.ndarray]]] = []
    try:
        futures.extend(
            [
                executor.submit(_chunk_outputs, tasks[i : i + size], search.output)
                for i in range(0, len(tasks), size)
            ]
            for tasks in per_value
        )
        points = []
        for k, (x, chunk_futures) in enumerate(zip(values, futures, strict=True)):
            outputs = np.concatenate([f.result() for f in chunk_futures])
            points.append(
                point_from_outputs(
                    x,
                    outputs,
                    search.target,
                    at_most=search.at_most,
                    source=source,
                    order=first_order + k,
                )
            )
    finally:
        for chunk_futures in futures:
            for f in chunk_futures:
                f.cancel()
    return points


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


def find_threshold(
    search: ThresholdSearch,
    executor: Executor,
    *,
    progress: Callable[[str], None] | None = None,
    chunk_size: int | None = None,
) -> ThresholdResult:
    """Evaluate the grid, bracket the crossing and bisect it (see the module docstring)."""
    started = time.time()
    count = [0]
    name = search.param.path

    def evaluate(values: Sequence[float], source: str) -> list[Point]:
        if progress is not None and source == "grid":
            progress(
                f"grid: {len(values)} values of {name} x {search.n} runs "
                f"({len(values) * search.n} runs)"
            )
        points = evaluate_values(
            search, values, executor, source=source, first_order=count[0], chunk_size=chunk_size
        )
        count[0] += len(points)
        if progress is not None:
            for p in points:
                progress(
                    f"  {source} {name} = {format_value(search.param, p.value)}: "
                    f"P = {p.p:.3f} ({p.events}/{p.n})"
                )
        return points

    location = locate(
        evaluate,
        search.low,
        search.high,
        confidence=search.confidence,
        direction=search.direction,
        grid=search.grid,
        integer=search.integer,
    )
    return ThresholdResult(search, location, time.time() - started)


# --------------------------------------------------------------------------- reporting


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


def plot_acceptability(result: ThresholdResult, path: Path) -> tuple[Path, ...]:
    """The acceptability curve with its Wilson band, and the output's mean and 5-95% band.

    Written as PNG (300 dpi) and SVG with human labels (:mod:`intsim.analysis.figures`).
    """
    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    plt = fg.pyplot()
    s, loc = result.search, result.location
    curve = result.curve()
    x = curve["value"].to_numpy(float)
    blue, red, orange = fg.PALETTE["blue"], fg.PALETTE["vermillion"], fg.PALETTE["orange"]
    name, unit = fg.param_name(s.param.path), fg.param_unit(s.param.path)
    out_name, out_unit = fg.output_name_unit(s.output)
    fig, (a1, a2) = plt.subplots(
        2, 1, figsize=(9, 7), sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    a1.fill_between(
        x,
        curve["wilson_low"],
        curve["wilson_high"],
        color=blue,
        alpha=0.2,
        label="95% Wilson interval",
    )
    a1.plot(x, curve["p"], color=blue, lw=1.6)
    for source, marker, label in (("grid", "o", "Grid value"), ("bisection", "x", "Bisection")):
        sub = curve[curve["source"] == source]
        if len(sub):
            a1.plot(sub["value"], sub["p"], marker, color=blue, ms=5, label=label)
    a1.axhline(s.confidence, color=red, lw=1, ls="--", label=f"Confidence {100 * s.confidence:g}%")
    lo, hi = loc.interval

    def value(v: float) -> str:
        return fg.value_text(v, unit) if unit.startswith("USD") else format_value(s.param, v)

    if loc.threshold is not None:
        a1.axvline(loc.threshold, color=red, lw=1.2)
        a1.axvspan(
            s.low if lo is None else lo,
            s.high if hi is None else hi,
            color=red,
            alpha=0.08,
            label="Threshold, 95% interval",
        )
        head = f"{name}: threshold {value(loc.threshold)}"
    else:
        head = f"{name}: probability never reaches {100 * s.confidence:g}% in the range"
    a1.set_title(head, loc="left", fontsize=10)
    a1.set_ylim(-0.03, 1.03)
    a1.set_ylabel(fg.event_label(s.output, s.target, s.at_most))
    fg.format_axis(a1.yaxis, "share")
    fg.legend_right(a1)
    a2.fill_between(x, curve["p5"], curve["p95"], color=orange, alpha=0.25, label="5–95% of runs")
    a2.plot(x, curve["mean"], color=orange, lw=1.6, label="Mean")
    a2.axhline(
        s.target,
        color=fg.GREY,
        lw=0.8,
        ls="--",
        label=f"Target {fg.value_text(s.target, out_unit)}",
    )
    if loc.threshold is not None:
        a2.axvline(loc.threshold, color=red, lw=1.2)
    a2.set_ylabel(fg.with_unit(out_name, out_unit))
    fg.format_axis(a2.yaxis, out_unit)
    a2.set_xlabel(fg.param_label(s.param.path))
    fg.format_axis(a2.xaxis, "USD" if unit.startswith("USD") else "")
    fg.legend_right(a2)
    fig.suptitle(f"Financial acceptability: {fg.display_name(s.strategy)}, {s.n} runs per value")
    return fg.save(fig, path)


# --------------------------------------------------------------------------- command


#: Search settings recorded in the manifest.
MANIFEST_SEARCH_KEYS: tuple[str, ...] = (
    "param",
    "output",
    "target",
    "event",
    "confidence",
    "direction",
    "range",
    "runs",
    "reps",
    "seed",
    "method",
    "dropped_from_uncertainty",
)


def cmd_threshold(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim threshold``: validate, search through an executor, write the outputs."""
    from intsim.analysis.commands import EXIT_OK, UserError, staged_analysis  # noqa: PLC0415
    from intsim.provenance import write_json  # noqa: PLC0415

    exp = load_experiment(
        args.experiment, runs=args.runs, reps=args.reps, overrides=args.overrides, seed=args.seed
    )
    try:
        search = prepare_search(
            exp,
            args.param,
            args.output,
            target=args.target,
            confidence=args.confidence,
            direction=args.direction,
            at_most=args.at_most,
            value_range=args.range,
            grid=args.grid,
            strategy=args.strategy,
        )
    except ThresholdError as exc:
        raise UserError(str(exc)) from None

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    with staged_analysis(args, argv) as run:
        if search.dropped:
            print(
                f"note: {search.param.path} is in the experiment's uncertainty section; its "
                "draws are dropped (it is the searched parameter)"
            )
        result = find_threshold(search, run.executor, progress=progress)
        result.curve().to_csv(run.tmp / "curve.csv", index=False)
        write_json(run.tmp / "threshold.json", result.to_dict())
        summary = result.to_dict()
        run.manifest.update(
            {
                "experiment_raw": exp.raw,
                "strategy": search.strategy,
                "scenario": search.scenario.to_dict(),
                "search": {k: summary[k] for k in MANIFEST_SEARCH_KEYS if k in summary}
                | {"grid": search.grid},
            }
        )
        if not args.no_figures:
            plot_acceptability(result, run.tmp / "acceptability.png")
    loc = result.location
    print(
        f"intsim threshold {exp.name}: strategy {search.strategy}, {len(search.draws)} draws x "
        f"{exp.reps} reps (n = {search.n} per value), {len(loc.points)} values evaluated, "
        f"seed {exp.seed}, {result.seconds:.0f} s"
    )
    if not loc.monotone:
        print(
            f"note: P({search.event}) is not monotone along the evaluated values; the threshold "
            "is the first crossing in the search direction"
        )
    if not means_move_toward_event(loc.points, search.direction, at_most=search.at_most):
        print(
            f"note: the mean of {search.output} moves away from the target somewhere along the "
            f"evaluated values of {search.param.path}; see acceptability.csv"
        )
    print(summary_line(result))
    print(f"outputs written to {run.out_dir}/")
    return EXIT_OK
