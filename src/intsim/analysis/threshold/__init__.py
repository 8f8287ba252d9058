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

**Modules**, one concept each (every public name is re-exported here):
:mod:`~intsim.analysis.threshold.statistics` (the curve at one value, Wilson intervals),
:mod:`~intsim.analysis.threshold.search` (grid, bracket, bisection),
:mod:`~intsim.analysis.threshold.settings` (validated settings),
:mod:`~intsim.analysis.threshold.evaluation` (runs through an executor),
:mod:`~intsim.analysis.threshold.result` (the finished search and its summary),
:mod:`~intsim.analysis.threshold.plots` (the figure) and
:mod:`~intsim.analysis.threshold.command` (``intsim threshold``).

Python API: :func:`prepare_search` (validate), :func:`find_threshold` (search through an
executor), :func:`evaluate_values` (P at given values, e.g. to check a result),
:func:`locate` (the search algorithm on any evaluator), :func:`plot_acceptability`.
"""

from __future__ import annotations

from intsim.analysis.threshold.command import MANIFEST_SEARCH_KEYS, cmd_threshold
from intsim.analysis.threshold.evaluation import MAX_CHUNK, evaluate_values, find_threshold
from intsim.analysis.threshold.plots import plot_acceptability
from intsim.analysis.threshold.result import ThresholdResult, format_value, summary_line
from intsim.analysis.threshold.search import (
    BISECT_MAX_STEPS,
    BISECT_TOLERANCE,
    DEFAULT_GRID,
    Location,
    grid_values,
    locate,
    means_move_toward_event,
    threshold_interval,
)
from intsim.analysis.threshold.settings import (
    DEFAULT_CONFIDENCE,
    DIRECTIONS,
    ThresholdError,
    ThresholdSearch,
    prepare_search,
)
from intsim.analysis.threshold.statistics import Z95, Point, point_from_outputs, wilson_interval

__all__ = [
    "BISECT_MAX_STEPS",
    "BISECT_TOLERANCE",
    "DEFAULT_CONFIDENCE",
    "DEFAULT_GRID",
    "DIRECTIONS",
    "MANIFEST_SEARCH_KEYS",
    "MAX_CHUNK",
    "Z95",
    "Location",
    "Point",
    "ThresholdError",
    "ThresholdResult",
    "ThresholdSearch",
    "cmd_threshold",
    "evaluate_values",
    "find_threshold",
    "format_value",
    "grid_values",
    "locate",
    "means_move_toward_event",
    "plot_acceptability",
    "point_from_outputs",
    "prepare_search",
    "summary_line",
    "threshold_interval",
    "wilson_interval",
]
