"""The runs behind the grant report: one deterministic run, a Monte Carlo, a tornado on the gap.

* **Deterministic run**: the scenario as written, on the root seed, with its claim lines (for
  claims by payer) and its usual-care counterfactual on the same seed.
* **Monte Carlo**: ``K`` Latin-hypercube draws of the declared uncertainty distributions
  (``Param.dist``, docs/evidence.md), each run once on its own seed
  (:func:`intsim.analysis.batch.task_seed`). Parameters the scenario sets away from their declared
  default are held at the scenario's value: they are the organisation's own facts (its staff,
  caseload, salaries), not uncertain inputs. Each draw gives one row of
  :func:`intsim.report.grant_tables.run_metrics`.
* **Tornado on the funding gap** (total funding gap without grant money over the horizon): the
  declared-uncertain parameters are screened by the absolute Spearman rank correlation of their
  Monte Carlo draws with the gap; the :data:`SCREENED` strongest go through the one-way
  machinery of :mod:`intsim.analysis.deterministic` (each at the 5th and 95th percentiles of its
  declared distribution, the others at the scenario's values, all on the root seed), ranked by the
  larger distance of an end from the base.

:class:`GrantReport` holds what they give, the tables computed and nothing rendered (rendered
by :mod:`intsim.report.grant`, written to Excel by :mod:`intsim.report.grant_workbook`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from intsim.analysis.batch import task_seed
from intsim.analysis.deterministic import factor_ends, tornado_rows, tornado_table
from intsim.analysis.gsa import ModelFactor, ModelResponse
from intsim.analysis.sampling import overrides_for_draw, sample
from intsim.analysis.uncertainty import UncertaintySpec, default_distribution
from intsim.params import PARAMETERS, PARAMS_BY_PATH
from intsim.params.scenario import Scenario
from intsim.report.grant_tables import changed_parameters, run_metrics, year_label
from intsim.sim.runner import Results, simulate

#: Output of the tornado: the funding gap without grant money summed over the programme years.
GAP_OUTPUT = "funding_gap_without_grant"
#: Parameters screened into the one-way analysis (by rank correlation with the gap).
SCREENED = 10
#: Bars shown in the report.
TOP_DRIVERS = 5


def uncertainty_for(scenario: Scenario) -> UncertaintySpec:
    """The declared distributions, less the parameters the scenario sets away from default."""
    changed = set(changed_parameters(scenario))
    held = {p.path: None for p in PARAMETERS if p.dist is not None and p.path in changed}
    return UncertaintySpec.from_mapping(held, defaults=True, prefix="")


def deterministic_run(scenario: Scenario, seed: int) -> Results:
    """The scenario as written, on ``seed``, with claim lines and its counterfactual."""
    return simulate(scenario, seed=seed, claims=True)


def _mc_chunk(
    scenario: Scenario, items: Sequence[tuple[int, dict[str, Any], int]]
) -> list[dict[str, float]]:
    """Run draws ``(draw, overrides, seed)`` one after the other (picklable, no I/O)."""
    rows = []
    for draw, overrides, seed in items:
        res = simulate(scenario.with_overrides(overrides), seed=seed, claims=True)
        rows.append({"draw": float(draw), "seed": float(seed), **run_metrics(res)})
    return rows


@dataclass
class MonteCarlo:
    """The draws (parameter values) and the metrics of each draw, in draw order."""

    draws: pd.DataFrame
    runs: pd.DataFrame


def monte_carlo(scenario: Scenario, runs: int, seed: int, executor: Executor) -> MonteCarlo:
    """``runs`` draws of the declared uncertainty, one run each, through ``executor``."""
    spec = uncertainty_for(scenario)
    draws = sample(spec, runs, method="lhs", seed=seed)
    items = [
        (int(row["draw"]), overrides_for_draw(row), task_seed(seed, int(row["draw"]), 0))
        for _, row in draws.iterrows()
    ]
    for _, overrides, _ in items[:1]:
        scenario.with_overrides(overrides)  # a bad declaration fails here, not in a worker
    size = max(1, math.ceil(len(items) / 16))
    futures = [
        executor.submit(_mc_chunk, scenario, items[i : i + size])
        for i in range(0, len(items), size)
    ]
    rows = [row for f in futures for row in f.result()]
    frame = pd.DataFrame(rows)
    frame["draw"] = frame["draw"].astype(np.int64)
    frame["seed"] = frame["seed"].astype(np.int64)
    return MonteCarlo(draws=draws, runs=frame)


# --------------------------------------------------------------------------- tornado on the gap


@dataclass
class GapResponse(ModelResponse):
    """:class:`intsim.analysis.gsa.ModelResponse` whose one output is the funding gap (USD)."""

    def pick_outputs(self, res: Results) -> np.ndarray:
        """The funding gap without grant money, summed over the programme years."""
        gap = sum(float(b["gap_without_grant"]) for b in res.summary["budget_by_year"])
        return np.array([gap])


def screen_factors(mc: MonteCarlo, n: int = SCREENED) -> list[str]:
    """The ``n`` sampled parameters most rank-correlated (absolute Spearman) with the gap."""
    gap = mc.runs.set_index("draw")[GAP_OUTPUT]
    draws = mc.draws.set_index("draw").loc[gap.index]
    scores = {}
    for path in draws.columns:
        x = draws[path]
        if path not in PARAMS_BY_PATH or x.nunique() < 2 or gap.nunique() < 2:
            continue
        rho = x.rank().corr(gap.rank())
        if np.isfinite(rho):
            scores[path] = abs(float(rho))
    return sorted(scores, key=lambda p: (-scores[p], p))[:n]


def gap_tornado(
    scenario: Scenario, paths: Sequence[str], seed: int, executor: Executor
) -> pd.DataFrame:
    """One-way analysis of the funding gap over ``paths`` (``analysis.deterministic`` columns)."""
    factors = []
    for path in paths:
        dist = default_distribution(PARAMS_BY_PATH[path])
        if dist is not None:
            factors.append(ModelFactor(path, dist))
    if not factors:
        return pd.DataFrame()
    base = np.array([float(scenario.get(f.path)) for f in factors])
    rows = tornado_rows(base, [factor_ends(f) for f in factors])
    response = GapResponse(scenario, factors, [GAP_OUTPUT], [seed])
    from intsim.analysis.sensitivity import evaluate_rows  # noqa: PLC0415

    y = evaluate_rows(response, rows, executor=executor, chunk_size=4, progress=False)
    return tornado_table(scenario.name, factors, rows, y.reshape(len(rows), -1), [GAP_OUTPUT])


@dataclass
class GrantReport:
    """Everything the grant report shows (tables computed, nothing rendered)."""

    scenario: Scenario
    seed: int
    runs: int
    deterministic: Results
    reach: pd.DataFrame
    outcomes: pd.DataFrame
    budget: pd.DataFrame
    mc: MonteCarlo
    bands: pd.DataFrame
    sustainability: pd.DataFrame
    tornado: pd.DataFrame
    assumptions: pd.DataFrame
    #: Flat metrics of the single run of the scenario as written (the root seed).
    metrics: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        """The programme years of the horizon (the last may be partial)."""
        return [int(y) for y in self.reach["year"]]

    @property
    def horizon(self) -> int:
        """Months simulated."""
        return int(self.scenario.values.simulation.months)

    def year_label(self, year: int) -> str:
        """``Year 2``, or ``Year 3 (months 25-30)`` for a partial last year."""
        return year_label(year, self.horizon)

    def band(self, metric: str) -> pd.Series:
        """The Monte Carlo statistics of one metric (mean, p2_5, p10, p50, p90, p97_5)."""
        return self.bands.set_index("metric").loc[metric]

    def central(self, metric: str) -> float:
        """The expected value of one metric: its mean over the Monte Carlo draws."""
        return float(self.band(metric)["mean"])

    def budget_value(self, line: str, column: str = "total") -> float:
        """A cell of the expected budget (``column``: ``year_<k>`` or ``total``)."""
        return float(self.budget.set_index("line").loc[line, column])
