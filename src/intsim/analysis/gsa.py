"""Global sensitivity analysis of the clinic model: Sobol' indices and Morris screening.

The model-side half of :mod:`intsim.analysis.sensitivity`: a picklable response function that maps
rows of factor values to model outputs, and the experiment-file block that declares the factors::

    sensitivity:
      strategy: cocm                       # only this strategy (default: every strategy)
      n: 256                               # Sobol' base sample size (a power of 2)
      reps: 2                              # replications averaged per row (common seeds)
      seed: 3
      second_order: false
      outputs: [net_margin_pct, break_even_month, npv, patients_served]
      factors:
        cocm.caseload_per_fte: {range: [50, 120], group: workforce}
        payers.medicaid.relativity_cocm: {range: [0.5, 1.2], group: payer_rates}
        clinical.cocm_response_hr: {dist: lognormal, median: 3.4, ci: [2.5, 4.6]}
        costs.startup_leadership: {}      # empty: the declared plausible range

Every row of the design runs on the same seed set (common random numbers), averaged over the
replications, so seed noise does not leak into the indices; the stochastic share of variance is
reported separately. Break-even and payback months that never happen are censored at
``horizon + 1`` (Sobol' analysis needs finite outputs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim.analysis.batch import task_seed
from intsim.analysis.distributions import Univariate
from intsim.analysis.uncertainty import parse_distribution, support_against_limits
from intsim.params import PARAMS_BY_PATH, is_money_only
from intsim.params.scenario import Scenario, ScenarioError
from intsim.sim.runner import ClinicRun, Results, cost_clinic, run_clinic, simulate

#: Simulated clinics kept while evaluating one call's rows (each holds a few hundred kB).
MAX_CACHED_CLINICS = 64
DEFAULT_OUTPUTS: tuple[str, ...] = ("net_margin_pct", "break_even_month", "npv", "patients_served")
CENSORED_MONTHS = ("break_even_month", "payback_month")


def _err(path: str, value: Any, expected: str) -> ScenarioError:
    text = repr(value)
    return ScenarioError(f"{path}: got {text[:60]}; expected {expected}")


@dataclass(frozen=True)
class ModelFactor:
    """One factor of a sensitivity analysis: a declared parameter, its range or distribution."""

    path: str
    spec: tuple[float, float] | Univariate
    group: str | None = None

    @property
    def is_int(self) -> bool:
        """Whether the parameter is an integer (sampled values are rounded)."""
        return PARAMS_BY_PATH[self.path].kind == "int"


def parse_factors(
    mapping: Mapping[str, Any], where: str = "sensitivity.factors"
) -> list[ModelFactor]:
    """Validate the factors block (paths, ranges within bounds, distributions, groups)."""
    if not isinstance(mapping, Mapping) or not mapping:
        raise _err(where, mapping, "a non-empty mapping of parameter paths to ranges")
    out = []
    for path, given in mapping.items():
        at = f"{where}.{path}"
        param = PARAMS_BY_PATH.get(path)
        if param is None:
            raise ScenarioError(f"{at}: unknown parameter")
        if param.kind not in ("float", "int"):
            raise _err(at, param.kind, "a numeric parameter (float or int)")
        item = dict(given or {})
        group = item.pop("group", None)
        if group is not None and not isinstance(group, str):
            raise _err(f"{at}.group", group, "a group name")
        if "range" in item:
            rng = item.pop("range")
            if (
                not isinstance(rng, list | tuple)
                or len(rng) != 2
                or not all(isinstance(x, int | float) for x in rng)
                or rng[0] >= rng[1]
            ):
                raise _err(f"{at}.range", rng, "[low, high] with low < high")
            spec: tuple[float, float] | Univariate = (float(rng[0]), float(rng[1]))
        elif "dist" in item:
            spec = parse_distribution(item, at)  # type: ignore[assignment]
            item.clear()
        elif param.plausible is not None:
            spec = (float(param.plausible[0]), float(param.plausible[1]))
        else:
            raise _err(at, item, "a range, a distribution, or a parameter with a plausible range")
        if item:
            raise _err(at, sorted(item), "only range, dist (with its keys) and group")
        low, high = spec if isinstance(spec, tuple) else support_against_limits(spec, param)
        blo, bhi = param.hard_bounds
        if (blo is not None and low < blo) or (bhi is not None and high > bhi):
            raise _err(at, [low, high], f"values within the bounds {param.expectation()}")
        out.append(ModelFactor(path, spec, group))
    return out


@dataclass
class ModelResponse:
    """Picklable ``func(rows) -> outputs`` running the model for rows of factor values.

    Attributes:
        scenario: The strategy's scenario.
        factors: The factors, in column order.
        outputs: Summary keys to return (``payer.<key>`` for the payer block, and
            ``cumulative_net_m<k>`` for the cumulative net at month k).
        seeds: The seeds every row runs on (common random numbers), averaged.
        reuse_clinics: Rows of one call that differ only in money-only factors (payment rates,
            costs, contracts, grants: :func:`intsim.params.is_money_only`) share one simulated
            clinic per seed, priced again for each row (:func:`intsim.sim.runner.cost_clinic`);
            the outputs are exactly those of simulating every row. Off when the rollout gate
            reads the operating net (money then feeds back into the simulation).
        clinics_simulated: Clinic simulations run so far by this object (in this process).
    """

    scenario: Scenario
    factors: list[ModelFactor]
    outputs: list[str]
    seeds: list[int] = field(default_factory=lambda: [1])
    reuse_clinics: bool = True
    clinics_simulated: int = 0

    def row_overrides(self, row: NDArray[np.float64]) -> dict[str, float | int]:
        """Scenario overrides for one row of factor values."""
        return {
            f.path: round(v) if f.is_int else float(v)
            for f, v in zip(self.factors, row, strict=True)
        }

    def one(self, row: NDArray[np.float64], seed: int) -> NDArray[np.float64]:
        """Outputs of one run."""
        self.clinics_simulated += 1
        res = simulate(
            self.scenario.with_overrides(self.row_overrides(row)), seed=seed, claims=False
        )
        return self.pick_outputs(res)

    def pick_outputs(self, res: Results) -> NDArray[np.float64]:
        """The requested outputs of one run (censored months at ``horizon + 1``)."""
        s = res.summary
        horizon = int(self.scenario.values.simulation.months)
        cum = res.monthly["cumulative_net"].to_numpy(float)
        values = []
        for name in self.outputs:
            if name.startswith("cumulative_net_m"):
                value: Any = cum[int(name.removeprefix("cumulative_net_m")) - 1]
            elif name.startswith("payer."):
                value = s.get("payer", {}).get(name.removeprefix("payer."))
            else:
                value = s.get(name)
            if value is None and name in CENSORED_MONTHS:
                value = horizon + 1
            values.append(np.nan if value is None else float(value))
        return np.array(values)

    def runs(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """Outputs per row and seed, shape (rows, seeds, outputs)."""
        if not self._can_reuse():
            return np.array([[self.one(row, seed) for seed in self.seeds] for row in rows])
        clinic = [i for i, f in enumerate(self.factors) if not is_money_only(f.path)]
        out = np.empty((len(rows), len(self.seeds), len(self.outputs)))
        cache: dict[tuple[Any, ...], ClinicRun] = {}
        for r, row in enumerate(rows):
            overrides = self.row_overrides(row)
            scenario = self.scenario.with_overrides(overrides)
            key = tuple(overrides[self.factors[i].path] for i in clinic)
            for j, seed in enumerate(self.seeds):
                run = cache.get((*key, seed))
                if run is None:
                    self.clinics_simulated += 1
                    run = cache[(*key, seed)] = run_clinic(
                        scenario, seed=seed, claims=False, keep_services=True
                    )
                out[r, j] = self.pick_outputs(cost_clinic(run, scenario))
            if len(cache) > MAX_CACHED_CLINICS:  # keep memory bounded on long calls
                cache.clear()
        return out

    def _can_reuse(self) -> bool:
        """Whether rows may share simulated clinics (some factor is money-only, no money gate)."""
        return (
            self.reuse_clinics
            and self.scenario.values.rollout.gate != "net_positive"
            and any(is_money_only(f.path) for f in self.factors)
        )

    def __call__(self, rows: NDArray[np.float64]) -> NDArray[np.float64]:
        """Outputs per row averaged over the seeds, shape (rows, outputs)."""
        return self.runs(np.atleast_2d(rows)).mean(axis=1)


def seeds_for(root: int, reps: int) -> list[int]:
    """The common seed set of a sensitivity analysis."""
    return [task_seed(root, 0, r) for r in range(reps)]


def stochastic_share(response: ModelResponse, rows: NDArray[np.float64]) -> pd.DataFrame:
    """Share of output variance due to seeds rather than factors, from a few rows.

    Within-row variance across seeds (the noise of one replication), divided by the total
    variance of single replications; the averaged output used for the indices has this noise
    divided by the number of replications.
    """
    runs = response.runs(rows)  # (rows, seeds, outputs)
    within = runs.var(axis=1, ddof=1).mean(axis=0) if runs.shape[1] > 1 else np.zeros(runs.shape[2])
    total = runs.reshape(-1, runs.shape[2]).var(axis=0, ddof=1)
    share = np.where(total > 0, within / np.where(total > 0, total, 1), 0.0)
    return pd.DataFrame(
        {
            "output": response.outputs,
            "stochastic_share_single_rep": share,
            "stochastic_share_of_mean": share / max(len(response.seeds), 1),
        }
    )
