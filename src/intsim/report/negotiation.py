"""The numbers of a payer-negotiation brief (``intsim report payer``); no rendering here.

A **lever** is one contract term the organisation negotiates with one payer:

* ``pmpm`` — a behavioral-health integration capitation ``contracts.<payer>.pmpm_usd`` (USD per
  member per month). Capitation replaces that payer's fee-for-service for integration services
  over the whole range (``contracts.<payer>.fee_for_service: false``), so PMPM 0 means "no
  integration money from this payer" and the curve has no jump at 0 (docs/billing.md 5.2);
* ``case_rate`` — an episode case rate ``contracts.<payer>.case_rate_usd`` (USD per new CoCM
  episode) that replaces the CoCM codes (``case_rate: true``; docs/billing.md 5.5);
* ``relativity`` — the payer's fee-schedule relativity for behavioral-health and CoCM services,
  ``payers.<payer>.relativity_bh`` and ``relativity_cocm`` set to the same value (ratio to
  Medicare; docs/billing.md 3.1-3.2);
* ``shared_savings`` — the shared-savings rate ``contracts.<payer>.ss_sharing_rate`` with
  ``shared_savings: true`` (the benchmark is the usual-care counterfactual; docs/billing.md 5.1).

**Break-even with uncertainty.** The scenario is read as a plain-scenario experiment
(:func:`intsim.analysis.montecarlo.plain_experiment`): K draws of the declared uncertainty
distributions (Latin hypercube, the lever's own columns dropped), one replication each on the seeds
of :func:`intsim.analysis.batch.task_seed` — the draws and seeds ``intsim threshold`` uses. Every
lever is a money-only parameter (:func:`intsim.params.is_money_only`), so each draw's clinic (and
its usual-care counterfactual) is simulated **once** (:func:`intsim.sim.runner.run_clinic`) and
priced at every lever value the search asks for (:func:`intsim.sim.runner.cost_clinic`, exactly the
results of simulating that value). The acceptability curve P(net ≥ 0) against the lever and its
break-even value at each confidence come from :func:`intsim.analysis.threshold.locate` (grid,
bracket, bisection) and :func:`intsim.analysis.threshold.threshold_interval` (95% Wilson band), on
common random numbers.

**The deal point** is the break-even at the middle confidence level (e.g. 80% of 0.5/0.8/0.95),
or, when that is not reached within the range, the top of the range. The payer's total cost of
care, the shared-savings splits and the drivers are evaluated there.

**Drivers and the two-way grid.** A small tornado (:mod:`intsim.analysis.deterministic`) of the
organisation's own inputs (:data:`CLINIC_INPUTS`, each at the 5th and 95th percentiles of its
declared distribution) on the net at the deal point, averaged over :data:`DRIVER_REPS` seeds;
the input reaching farthest from the base is crossed with the lever in a grid of mean net.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim.analysis.batch import task_seed
from intsim.analysis.deterministic import factor_ends, tornado_rows, tornado_table
from intsim.analysis.gsa import ModelFactor, ModelResponse, seeds_for
from intsim.analysis.gsa_commands import cli_factors
from intsim.analysis.montecarlo import Experiment, load_experiment
from intsim.analysis.sampling import overrides_for_draw
from intsim.analysis.threshold import (
    Location,
    Point,
    ThresholdError,
    ThresholdResult,
    ThresholdSearch,
    locate,
    point_from_outputs,
    prepare_search,
)
from intsim.params import PARAMS_BY_PATH, PAYERS
from intsim.params.scenario import Scenario, ScenarioError
from intsim.sim.runner import ClinicRun, cost_clinic, run_clinic

LEVERS: tuple[str, ...] = ("pmpm", "case_rate", "relativity", "shared_savings")
DEFAULT_CONFIDENCES: tuple[float, ...] = (0.5, 0.8, 0.95)
#: Grid points of the acceptability curve (then bisection, :data:`BISECT_STEPS` steps).
GRID = 9
BISECT_STEPS = 4
#: Shared-savings rates of the splits table (the organisation's share of the savings).
SPLITS: tuple[float, ...] = (0.25, 0.4, 0.5, 0.6, 0.75)
#: The organisation's own inputs screened for the drivers (tornado) and the two-way grid.
CLINIC_INPUTS: tuple[str, ...] = (
    "cocm.caseload_per_fte",
    "pcbh.visits_per_day",
    "costs.care_manager_salary",
    "costs.bhc_salary",
    "costs.overhead_rate",
    "billing.cm_capture_rate",
    "billing.visit_capture_rate",
    "cocm.consent_probability",
    "workforce.bh_turnover_annual",
)
#: Seeds averaged per point of the tornado and the two-way grid.
DRIVER_REPS = 2
#: Lever values across the two-way grid, and values of the clinic input.
TWOWAY_GRID = (7, 5)
#: Runs priced per task sent to the executor.
PRICE_CHUNK = 8
#: Net at or above this (USD) is "break-even".
TARGET_NET = 0.0


@dataclass(frozen=True)
class Lever:
    """One negotiable contract term with one payer.

    Attributes:
        name: One of :data:`LEVERS`.
        payer: The payer.
        paths: Parameters set to the lever value (the first is the searched declaration).
        fixed: Contract switches the lever needs (applied to every run).
        default_range: The search range when ``--range`` is not given.
        label: What the lever is, for people.
        noun: A short name for sentences (``integration capitation (PMPM)``).
    """

    name: str
    payer: str
    paths: tuple[str, ...]
    fixed: dict[str, Any]
    default_range: tuple[float, float]
    label: str
    noun: str = ""

    @property
    def path(self) -> str:
        """The searched parameter (its declaration gives unit and bounds)."""
        return self.paths[0]

    @property
    def unit(self) -> str:
        """Unit of the lever value."""
        return PARAMS_BY_PATH[self.path].unit

    def overrides(self, x: float) -> dict[str, float]:
        """Scenario overrides setting the lever to ``x``."""
        return dict.fromkeys(self.paths, float(x))


def lever_for(name: str, payer: str) -> Lever:
    """The :class:`Lever` ``name`` with ``payer``.

    Raises:
        ScenarioError: An unknown lever or payer (naming ``--lever`` / ``--payer``).
    """
    if payer not in PAYERS:
        raise ScenarioError(f"--payer {payer}: unknown; expected one of {', '.join(PAYERS)}")
    c, p = f"contracts.{payer}", f"payers.{payer}"
    if name == "pmpm":
        return Lever(
            name,
            payer,
            (f"{c}.pmpm_usd",),
            {f"{c}.fee_for_service": False},
            (0.0, 30.0),
            f"{payer.capitalize()} integration capitation (USD per member per month), replacing "
            "fee-for-service for integration services",
            "integration capitation (PMPM)",
        )
    if name == "case_rate":
        return Lever(
            name,
            payer,
            (f"{c}.case_rate_usd",),
            {f"{c}.case_rate": True},
            (0.0, 1500.0),
            f"{payer.capitalize()} CoCM episode case rate (USD per new episode), replacing the "
            "CoCM codes",
            "CoCM episode case rate",
        )
    if name == "relativity":
        return Lever(
            name,
            payer,
            (f"{p}.relativity_bh", f"{p}.relativity_cocm"),
            {},
            (0.4, 2.0),
            f"{payer.capitalize()} fee-schedule relativity for behavioral-health and CoCM "
            "services (ratio to Medicare)",
            "fee-schedule relativity for behavioral-health and CoCM services",
        )
    if name == "shared_savings":
        return Lever(
            name,
            payer,
            (f"{c}.ss_sharing_rate",),
            {f"{c}.shared_savings": True},
            (0.0, 1.0),
            f"{payer.capitalize()} shared-savings rate (organisation's share of the savings on "
            "the payer's total cost of care)",
            "shared-savings rate",
        )
    raise ScenarioError(f"--lever {name}: unknown; expected one of {', '.join(LEVERS)}")


def scenario_payers(scenario: Scenario) -> list[str]:
    """Payers of a scenario one can negotiate with: a panel share > 0 and a cost of care > 0."""
    v = scenario.values
    mix = v.population.payer_mix
    share = mix if isinstance(mix, dict) else {p: getattr(mix, p) for p in PAYERS}
    return [p for p in PAYERS if float(share[p]) > 0 and getattr(v.payers, p).tcoc_pmpm > 0]


def _set_items(values: dict[str, Any]) -> list[str]:
    """``--set`` strings of overrides (values as YAML via JSON)."""
    return [f"{k}={json.dumps(v)}" for k, v in values.items()]


# --------------------------------------------------------------------------- the search


@dataclass
class Negotiation:
    """A validated brief: the lever, the search (draws, range) and the confidence levels."""

    lever: Lever
    search: ThresholdSearch
    confidences: tuple[float, ...]
    scenario_path: str

    @property
    def experiment(self) -> Experiment:
        """The plain-scenario experiment (draws, seed)."""
        return self.search.experiment

    @property
    def deal_confidence(self) -> float:
        """The middle confidence level (the deal point's)."""
        ordered = sorted(self.confidences)
        return ordered[len(ordered) // 2]


def prepare_negotiation(
    scenario_path: str,
    *,
    payer: str,
    lever: str,
    confidences: Sequence[float] = DEFAULT_CONFIDENCES,
    runs: int,
    seed: int = 1,
    overrides: Sequence[str] = (),
    value_range: Sequence[float] | None = None,
) -> Negotiation:
    """Validate the brief's settings; nothing is simulated but a one-month probe.

    Raises:
        ScenarioError: A bad scenario, ``--payer``, ``--lever``, ``--confidence`` or ``--range``.
    """
    lev = lever_for(lever, payer)
    bad = [c for c in confidences if not (isinstance(c, float | int) and 0.0 < c < 1.0)]
    if bad or not confidences:
        raise ScenarioError(
            f"--confidence: got {list(confidences)}; expected numbers in (0, 1), e.g. 0.5 0.8 0.95"
        )
    settings = {**lev.fixed, "finance.counterfactual": True}
    exp = load_experiment(
        scenario_path,
        runs=runs,
        reps=1,
        overrides=[*_set_items(settings), *overrides],
        seed=seed,
    )
    if not exp.plain:
        raise ScenarioError(
            f"{scenario_path}: an experiment file; expected a plain scenario file (the brief "
            "draws the declared uncertainty itself)"
        )
    scenario = next(iter(exp.strategies.values()))
    payers = scenario_payers(scenario)
    if payer not in payers:
        raise ScenarioError(
            f"--payer {payer}: not a payer of this scenario (population.payer_mix share 0 or no "
            f"total cost of care); expected one of {', '.join(payers)}"
        )
    if scenario.values.rollout.gate == "net_positive":
        raise ScenarioError(
            "rollout.gate: net_positive feeds money back into the clinic; the payer brief prices "
            "one simulated clinic per draw at many lever values; expected another gate"
        )
    rng = tuple(value_range) if value_range is not None else lev.default_range
    try:
        search = prepare_search(
            exp,
            lev.path,
            "net",
            target=TARGET_NET,
            confidence=sorted(confidences)[len(confidences) // 2],
            value_range=rng,
            grid=GRID,
        )
    except ThresholdError as exc:
        raise ScenarioError(str(exc)) from None
    drop = [p for p in lev.paths if p in search.draws.columns]
    search.draws = search.draws.drop(columns=drop)
    return Negotiation(lev, search, tuple(float(c) for c in confidences), str(scenario_path))


# --------------------------------------------------------------------------- pricing

#: Per-run quantities priced at a lever value (columns of :func:`price_run`'s row).
METRICS: tuple[str, ...] = (
    "net",
    "net_margin_pct",
    "total_revenue",
    "revenue_from_payer",
    "shared_savings_revenue",
    "payer_care_cost",
    "payer_care_cost_usual",
    "payer_member_months",
    "payer_member_months_usual",
    "ed_visits_avoided",
    "admissions_avoided",
    "panel_tcoc_pmpm_change",
)


def price_run(run: ClinicRun, scenario: Scenario, payer: str) -> NDArray[np.float64]:
    """The :data:`METRICS` of one simulated clinic priced under ``scenario`` (a money change).

    The payer's care cost is its members' cost of care in the programme and under usual care on
    the same seed (:mod:`intsim.sim.tcoc`); what it pays the organisation is ``revenue_<payer>``
    (claims, capitation, case rates, bonuses and shared savings for its members).
    """
    res = cost_clinic(run, scenario)
    s, m = res.summary, res.monthly
    cf = run.counterfactual
    pb = s.get("payer", {})
    values = {
        "net": s["net"],
        "net_margin_pct": s["net_margin_pct"],
        "total_revenue": s["total_revenue"],
        "revenue_from_payer": float(m[f"revenue_{payer}"].sum()),
        "shared_savings_revenue": float(m["revenue_shared_savings"].sum()),
        "payer_care_cost": float(m[f"tcoc_{payer}"].sum()),
        "payer_care_cost_usual": float(cf[f"tcoc_{payer}"].sum()) if cf is not None else math.nan,
        "payer_member_months": float(m[f"members_{payer}"].sum()),
        "payer_member_months_usual": float(cf[f"members_{payer}"].sum())
        if cf is not None
        else math.nan,
        "ed_visits_avoided": pb.get("ed_visits_avoided", math.nan),
        "admissions_avoided": pb.get("admissions_avoided", math.nan),
        "panel_tcoc_pmpm_change": pb.get("tcoc_pmpm_change", math.nan),
    }
    return np.array([math.nan if values[k] is None else float(values[k]) for k in METRICS])


def _simulate_chunk(items: Sequence[tuple[Scenario, int]]) -> list[ClinicRun]:
    """Simulate clinics (with their counterfactual), keeping services to reprice them."""
    return [run_clinic(sc, seed=seed, claims=False, keep_services=True) for sc, seed in items]


def _price_chunk(
    runs: Sequence[ClinicRun],
    scenarios: Sequence[Scenario],
    settings: Sequence[dict[str, Any]],
    payer: str,
) -> NDArray:
    """Price each run under each setting: shape (settings, runs, METRICS)."""
    out = np.empty((len(settings), len(runs), len(METRICS)))
    for i, values in enumerate(settings):
        for j, (run, sc) in enumerate(zip(runs, scenarios, strict=True)):
            out[i, j] = price_run(run, sc.with_overrides(values), payer)
    return out


@dataclass
class DrawSet:
    """The simulated clinic of every draw and its scenario (before the lever is set)."""

    scenarios: list[Scenario]
    seeds: list[int]
    runs: list[ClinicRun] = field(repr=False)
    seconds: float = 0.0


def simulate_draws(neg: Negotiation, executor: Executor) -> DrawSet:
    """One clinic per draw on its :func:`intsim.analysis.batch.task_seed` seed (replication 0)."""
    started = time.time()
    search, exp = neg.search, neg.experiment
    scenarios, seeds = [], []
    for i, (_, row) in enumerate(search.draws.iterrows()):
        values = overrides_for_draw(row)
        scenarios.append(search.scenario.with_overrides(values) if values else search.scenario)
        draw = int(row["draw"]) if "draw" in row else i
        seeds.append(task_seed(exp.seed, draw, 0))
    items = list(zip(scenarios, seeds, strict=True))
    size = max(1, min(4, len(items) // 8))
    futures = [
        executor.submit(_simulate_chunk, items[i : i + size]) for i in range(0, len(items), size)
    ]
    runs = [run for f in futures for run in f.result()]
    return DrawSet(scenarios, seeds, runs, time.time() - started)


class Pricer:
    """Per-draw metrics at lever values (and other money settings), cached by setting."""

    def __init__(self, neg: Negotiation, draws: DrawSet, executor: Executor) -> None:
        self.neg, self.draws, self.executor = neg, draws, executor
        self.cache: dict[str, NDArray] = {}
        self.priced = 0

    def metrics(self, settings: Sequence[dict[str, Any]]) -> list[NDArray]:
        """Per-draw :data:`METRICS` (shape (draws, METRICS)) under each money setting."""
        keys = [json.dumps(s, sort_keys=True) for s in settings]
        todo = [s for s, k in zip(settings, keys, strict=True) if k not in self.cache]
        todo_keys = list(dict.fromkeys(json.dumps(s, sort_keys=True) for s in todo))
        todo = [json.loads(k) for k in todo_keys]
        if todo:
            d = self.draws
            futures = [
                self.executor.submit(
                    _price_chunk,
                    d.runs[i : i + PRICE_CHUNK],
                    d.scenarios[i : i + PRICE_CHUNK],
                    todo,
                    self.neg.lever.payer,
                )
                for i in range(0, len(d.runs), PRICE_CHUNK)
            ]
            block = np.concatenate([f.result() for f in futures], axis=1)
            for k, key in enumerate(todo_keys):
                self.cache[key] = block[k]
            self.priced += len(todo) * len(d.runs)
        return [self.cache[k] for k in keys]

    def at_lever(self, values: Sequence[float]) -> list[NDArray]:
        """Per-draw metrics with the lever at each value."""
        return self.metrics([self.neg.lever.overrides(self.neg.search.value(x)) for x in values])


# --------------------------------------------------------------------------- break-even


@dataclass
class BreakEven:
    """The acceptability curve and the break-even value at each confidence level."""

    results: dict[float, ThresholdResult]
    points: list[Point]

    def curve(self) -> pd.DataFrame:
        """Every evaluated lever value, sorted (``acceptability.csv``)."""
        rows = [p.row() for p in self.points]
        return pd.DataFrame(rows).sort_values("value", kind="stable", ignore_index=True)

    def table(self) -> pd.DataFrame:
        """One row per confidence level (``breakeven.csv``)."""
        rows = []
        for c, res in sorted(self.results.items()):
            info = res.to_dict()
            low, high = info["threshold_interval"]
            rows.append(
                {
                    "confidence": c,
                    "break_even": info["threshold"],
                    "interval_low": low,
                    "interval_high": high,
                    "p_at_break_even": info["p_at_threshold"],
                    "se_at_break_even": info["se_at_threshold"],
                    "status": info["status"],
                    "n": info["n"],
                }
            )
        return pd.DataFrame(rows)


def find_break_even(neg: Negotiation, pricer: Pricer) -> BreakEven:
    """Locate the break-even lever value at each confidence (shared grid, own bisection)."""
    seen: dict[float, Point] = {}

    def evaluate(values: Sequence[float], source: str) -> list[Point]:
        nets = pricer.at_lever(values)
        out = []
        for given, metrics in zip(values, nets, strict=True):
            x = float(neg.search.value(given))
            if x not in seen:
                seen[x] = point_from_outputs(
                    x, metrics[:, METRICS.index("net")], TARGET_NET, source=source, order=len(seen)
                )
            out.append(seen[x])
        return out

    results = {}
    for c in sorted(neg.confidences):
        started = time.time()
        search = replace(neg.search, confidence=c)
        loc: Location = locate(
            evaluate,
            search.low,
            search.high,
            confidence=c,
            grid=GRID,
            integer=search.integer,
            max_steps=BISECT_STEPS,
        )
        results[c] = ThresholdResult(search, loc, time.time() - started)
    return BreakEven(results, sorted(seen.values(), key=lambda p: p.value))


def deal_value(neg: Negotiation, be: BreakEven) -> tuple[float, str]:
    """The lever value of the deal point and how it was chosen."""
    res = be.results[neg.deal_confidence]
    if res.location.threshold is not None:
        return float(res.location.threshold), (
            f"the break-even at {100 * neg.deal_confidence:g}% confidence"
        )
    return float(neg.search.high), "the top of the range (break-even not reached)"


# --------------------------------------------------------------------------- payer's view


def _summary(x: NDArray) -> dict[str, float]:
    x = x[np.isfinite(x)]
    if not len(x):
        return {"mean": math.nan, "p5": math.nan, "p95": math.nan}
    return {
        "mean": float(x.mean()),
        "p5": float(np.percentile(x, 5)),
        "p95": float(np.percentile(x, 95)),
    }


def payer_view(metrics: NDArray) -> dict[str, NDArray]:
    """Per-draw quantities of the payer's total-cost-of-care view (USD, over the horizon)."""
    col = {k: metrics[:, i] for i, k in enumerate(METRICS)}
    mm_usual = np.maximum(col["payer_member_months_usual"], 1.0)
    care_change = col["payer_care_cost"] - col["payer_care_cost_usual"]
    payments = col["revenue_from_payer"]
    return {
        "care_cost_change_pmpm": care_change / mm_usual,
        "payments_pmpm": payments / mm_usual,
        "tcoc_change_pmpm": (care_change + payments) / mm_usual,
        "payer_net_savings": -(care_change + payments),
        "ed_visits_avoided": col["ed_visits_avoided"],
        "admissions_avoided": col["admissions_avoided"],
        "panel_tcoc_pmpm_change": col["panel_tcoc_pmpm_change"],
    }


TCOC_LABELS: dict[str, tuple[str, str]] = {
    "care_cost_change_pmpm": (
        "Change in the payer's cost of care for its members, per member-month",
        "usd_pmpm",
    ),
    "payments_pmpm": ("Payments to the organisation, per member-month", "usd_pmpm"),
    "tcoc_change_pmpm": (
        "Total cost of care change (care + payments), per member-month",
        "usd_pmpm",
    ),
    "payer_net_savings": ("Payer's net savings over the horizon", "usd"),
    "ed_visits_avoided": ("ED visits avoided over the horizon (whole panel)", "count"),
    "admissions_avoided": ("Admissions avoided over the horizon (whole panel)", "count"),
    "panel_tcoc_pmpm_change": (
        "Total cost of care change per member-month, all insured members",
        "usd_pmpm",
    ),
}


def tcoc_table(pricer: Pricer, values: dict[str, float]) -> pd.DataFrame:
    """The payer's view at lever values: one row per quantity and column label."""
    labels = list(values)
    metrics = pricer.at_lever(list(values.values()))
    rows = []
    views = {lab: payer_view(m) for lab, m in zip(labels, metrics, strict=True)}
    for key, (text, kind) in TCOC_LABELS.items():
        for lab in labels:
            stats = _summary(views[lab][key])
            rows.append(
                {
                    "quantity": key,
                    "label": text,
                    "kind": kind,
                    "at": lab,
                    "lever_value": values[lab],
                    **stats,
                }
            )
    return pd.DataFrame(rows)


def splits_table(neg: Negotiation, pricer: Pricer, deal: float) -> pd.DataFrame:
    """What each shared-savings rate gives the organisation and the payer at the deal point.

    ``payer_care_savings`` is the payer's cost of care for its members under usual care less
    in the programme, before what it pays the organisation (USD over the horizon). The lever
    stays at ``deal``; ``contracts.<payer>.shared_savings`` is switched on with each
    rate of :data:`SPLITS` (the other shared-savings terms as in the scenario), against the
    same deal without shared savings.
    """
    c = f"contracts.{neg.lever.payer}"
    base = neg.lever.overrides(deal)
    settings = [{**base, f"{c}.shared_savings": False}] + [
        {**base, f"{c}.shared_savings": True, f"{c}.ss_sharing_rate": s} for s in SPLITS
    ]
    priced = pricer.metrics(settings)
    ref = priced[0]
    i_ss, i_net = METRICS.index("shared_savings_revenue"), METRICS.index("net")
    rows = []
    for s, m in zip(SPLITS, priced[1:], strict=True):
        to_org = m[:, i_ss] - ref[:, i_ss]
        view = payer_view(m)
        net = m[:, i_net]
        care_savings = -(
            m[:, METRICS.index("payer_care_cost")] - m[:, METRICS.index("payer_care_cost_usual")]
        )
        rows.append(
            {
                "sharing_rate": s,
                "payer_care_savings": float(np.mean(care_savings)),
                "organisation_receives": float(np.mean(to_org)),
                "payer_keeps": float(np.mean(view["payer_net_savings"])),
                "organisation_net": float(np.mean(net)),
                "p_net_nonnegative": float(np.mean(net >= TARGET_NET)),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- drivers


@dataclass
class Drivers:
    """The tornado of the organisation's inputs and the two-way grid with the top one."""

    tornado: pd.DataFrame
    twoway: pd.DataFrame
    top: str
    seeds: list[int]


def clinic_inputs(scenario: Scenario) -> list[str]:
    """The inputs screened for the drivers of a scenario (:data:`CLINIC_INPUTS`).

    A clinic hiring LPCs/MFTs as BHCs (``workforce.lpc_mft_hiring``) pays ``costs.lpc_salary``,
    not ``costs.bhc_salary``: the former is screened instead.
    """
    paths = list(CLINIC_INPUTS)
    if scenario.values.workforce.lpc_mft_hiring:
        paths[paths.index("costs.bhc_salary")] = "costs.lpc_salary"
    return paths


def _evaluate(response: ModelResponse, rows: NDArray, executor: Executor, chunk: int) -> NDArray:
    from intsim.analysis.sensitivity import evaluate_rows  # noqa: PLC0415

    y = evaluate_rows(response, rows, executor=executor, chunk_size=chunk, progress=False)
    return y.reshape(len(rows), -1)


def find_drivers(neg: Negotiation, deal: float, executor: Executor) -> Drivers:
    """Tornado of :data:`CLINIC_INPUTS` on net at the deal point; two-way with the top input."""
    lev = neg.lever
    seeds = seeds_for(neg.experiment.seed, DRIVER_REPS)
    deal_scenario = neg.search.scenario.with_overrides(lev.overrides(neg.search.value(deal)))
    factors = cli_factors(clinic_inputs(deal_scenario), option="CLINIC_INPUTS")
    base = np.array([float(deal_scenario.get(f.path)) for f in factors])
    rows = tornado_rows(base, [factor_ends(f) for f in factors])
    y = _evaluate(ModelResponse(deal_scenario, factors, ["net"], seeds), rows, executor, 1)
    name = neg.search.scenario.name
    tornado = tornado_table(name, factors, rows, y, ["net"])
    top = str(tornado["factor"].iloc[0])
    top_factor = next(f for f in factors if f.path == top)
    nx, ny = TWOWAY_GRID
    low = neg.search.low
    high = min(neg.search.high, low + 2 * (deal - low)) if deal > low else neg.search.high
    xs = np.linspace(low, high, nx)  # centred on the deal point where the range allows
    if neg.search.integer:
        xs = np.unique(np.rint(xs))
    lo, hi = factor_ends(top_factor, rounded=False)
    ys = np.linspace(lo, hi, ny)
    if top_factor.is_int:
        ys = np.unique(np.rint(ys))
    lever_factors = [ModelFactor(p, (float(xs[0]), float(xs[-1]))) for p in lev.paths]
    grid_factors = [*lever_factors, ModelFactor(top, (float(ys[0]), float(ys[-1])))]
    grid = np.array([[*([x] * len(lev.paths)), yv] for yv in ys for x in xs])
    response = ModelResponse(neg.search.scenario, grid_factors, ["net", "net_margin_pct"], seeds)
    out = _evaluate(response, grid, executor, len(xs))  # one clinic per input value and seed
    twoway = pd.DataFrame(
        {
            "strategy": name,
            lev.path: grid[:, 0],
            top: grid[:, -1],
            "net": out[:, 0],
            "net_margin_pct": out[:, 1],
        }
    )
    return Drivers(tornado, twoway, top, seeds)


# --------------------------------------------------------------------------- everything


@dataclass
class Brief:
    """Everything a payer brief reports (tables and settings), before rendering."""

    negotiation: Negotiation
    break_even: BreakEven
    deal: float
    deal_reason: str
    tcoc: pd.DataFrame
    splits: pd.DataFrame
    drivers: Drivers
    timings: dict[str, float]
    clinics_simulated: int
    runs_priced: int


def build_brief(
    neg: Negotiation, executor: Executor, progress: Callable[[str], None] | None = None
) -> Brief:
    """Simulate the draws, find the break-evens, the payer's view, the splits and the drivers."""
    say = progress or (lambda _msg: None)
    t0 = time.time()
    say(f"simulating {len(neg.search.draws)} draws (clinic and usual care on the same seeds)")
    draws = simulate_draws(neg, executor)
    pricer = Pricer(neg, draws, executor)
    t1 = time.time()
    say("acceptability curve and break-even values")
    be = find_break_even(neg, pricer)
    deal, reason = deal_value(neg, be)
    t2 = time.time()
    at: dict[str, float] = {}
    for c, res in sorted(be.results.items()):
        if res.location.threshold is not None:
            at[f"break-even at {100 * c:g}%"] = float(res.location.threshold)
    if not at:
        at["deal point"] = deal
    say("payer's total cost of care and shared-savings splits")
    tcoc = tcoc_table(pricer, at)
    splits = splits_table(neg, pricer, deal)
    t3 = time.time()
    say("drivers (tornado) and two-way grid")
    drivers = find_drivers(neg, deal, executor)
    t4 = time.time()
    return Brief(
        negotiation=neg,
        break_even=be,
        deal=deal,
        deal_reason=reason,
        tcoc=tcoc,
        splits=splits,
        drivers=drivers,
        timings={
            "simulate_draws": round(t1 - t0, 1),
            "break_even": round(t2 - t1, 1),
            "tcoc_and_splits": round(t3 - t2, 1),
            "drivers": round(t4 - t3, 1),
            "total": round(t4 - t0, 1),
        },
        clinics_simulated=len(draws.runs),
        runs_priced=pricer.priced,
    )
