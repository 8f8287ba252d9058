"""Random *valid* scenarios for invariant tests, drawn from intsim's own parameter declaration.

:func:`random_scenario_tree` draws a nested scenario mapping from one integer seed:

* a random care model, engine (mostly ``arrays``), payer mix (flat Dirichlet) and a short
  horizon with a small panel, so a run takes a few hundredths of a second;
* about :data:`DRAW_SHARE` of the other declared parameters, each from its declared
  uncertainty distribution (``Param.dist``) if it has one, else uniformly over its plausible
  range (integers rounded); choices and booleans uniformly; parameters with neither keep their
  defaults (their hard bounds alone say nothing about what a real scenario would hold);
* the month-valued settings (go-live, grant start/duration/phase, programme end) explicitly
  within the horizon, and the sums the scenario checks (prevalences, severity shares) kept
  feasible.

:func:`random_valid_scenario` validates the tree with :func:`intsim.params.scenario.build_scenario`
and, should the draw still break a cross-field rule, draws again from the next sub-seed (the
number of attempts is returned so a test can see the generator stays mostly valid).
Everything is a pure function of the seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from intsim.analysis.uncertainty import default_distribution
from intsim.params import PARAMETERS
from intsim.params.scenario import Scenario, ScenarioError, build_scenario
from intsim.params.spec import CARE_MODELS, PAYERS, Param

#: Share of the other declared parameters drawn in each scenario (the rest keep defaults).
DRAW_SHARE = 0.3
#: Horizon range in months (short: runs stay fast, yet a first performance year can settle).
MONTHS = (6, 30)
#: Panel size range (patients at month 1).
PANEL = (200, 2500)
#: Attempts before giving up on a seed (a draw breaking a cross-field rule is redrawn).
MAX_ATTEMPTS = 20

#: Parameters this generator sets itself (never drawn from the declaration).
_EXPLICIT = frozenset(
    {
        "care_model",
        "simulation.months",
        "simulation.seed",
        "simulation.engine",
        "population.n_patients",
        *(f"population.payer_mix.{p}" for p in PAYERS),
        "rollout.first_go_live_month",
        "rollout.end_month",
        "grants.start_month",
        "grants.duration_months",
        "grants.phase_out_months",
        "grants.phase",
        "grants.annual_amount",
        "grants.undrawn",
    }
)


def _set_path(tree: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted key path in a nested mapping, creating sections as needed."""
    *parents, leaf = path.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
    tree[leaf] = value


def _draw_param(p: Param, rng: np.random.Generator) -> Any:
    """One value of a declared parameter, or ``None`` to keep its default."""
    if p.kind == "choice":
        return str(rng.choice(p.choices))
    if p.kind == "bool":
        return bool(rng.integers(2))
    dist = default_distribution(p)
    if dist is not None:
        value = float(dist.ppf(rng.random()))
    elif p.plausible is not None:
        low, high = p.plausible
        value = float(rng.uniform(low, high))
    else:
        return None
    low, high = p.bounds
    if low is not None:
        value = max(value, float(low))
    if high is not None:
        value = min(value, float(high))
    if p.kind == "int":
        value = round(value)
        if p.positive and low is not None and value <= low:
            value = int(low) + 1
        return int(value)
    if p.positive and low is not None and value <= low:
        return None
    return value


def _months_settings(tree: dict[str, Any], months: int, rng: np.random.Generator) -> None:
    """Go-live, programme end and grant timing within the horizon."""
    go_live = int(rng.integers(1, max(2, months // 2) + 1))
    _set_path(tree, "rollout.first_go_live_month", go_live)
    if rng.random() < 0.25:
        _set_path(tree, "rollout.end_month", int(rng.integers(go_live, months + 1)))
    if rng.random() < 0.5:
        duration = int(rng.integers(1, months + 1))
        _set_path(tree, "grants.annual_amount", float(rng.uniform(1e4, 6e5)))
        _set_path(tree, "grants.start_month", int(rng.integers(1, months + 1)))
        _set_path(tree, "grants.duration_months", duration)
        _set_path(tree, "grants.phase_out_months", int(rng.integers(0, duration + 1)))
        if rng.random() < 0.3:
            _set_path(tree, "grants.phase", 1)
        if rng.random() < 0.5:
            _set_path(tree, "grants.undrawn", "lapse")


def _keep_sums_feasible(tree: dict[str, Any]) -> None:
    """Scale drawn shares down where the scenario requires their sums to stay <= 1."""
    pop = tree.get("population", {})
    for keys in (
        ("threshold_prevalence", "subthreshold_prevalence", "remitted_prevalence"),
        ("severe_share", "moderately_severe_share"),
    ):
        present = [k for k in keys if k in pop]
        total = sum(pop[k] for k in present)
        if present and total > 0.95:
            for k in present:
                pop[k] = pop[k] * 0.95 / total


def random_scenario_tree(seed: int) -> dict[str, Any]:
    """A nested scenario mapping drawn from ``seed`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    months = int(rng.integers(MONTHS[0], MONTHS[1] + 1))
    engine = "agents" if rng.random() < 0.1 else "arrays"
    panel_high = PANEL[1] if engine == "arrays" else 800  # the agents engine is slower
    tree: dict[str, Any] = {
        "name": f"random-{seed}",
        "care_model": str(rng.choice(CARE_MODELS)),
        "simulation": {
            "months": months,
            "seed": int(rng.integers(1, 2**31)),
            "engine": engine,
        },
        "population": {
            "n_patients": int(rng.integers(PANEL[0], panel_high + 1)),
            "payer_mix": dict(zip(PAYERS, _payer_mix(rng), strict=True)),
        },
    }
    for p in PARAMETERS:
        if p.path in _EXPLICIT or rng.random() >= DRAW_SHARE:
            continue
        value = _draw_param(p, rng)
        if value is not None:
            _set_path(tree, p.path, value)
    _months_settings(tree, months, rng)
    _keep_sums_feasible(tree)
    _switch_on_drawn_case_rates(tree)
    return tree


def _switch_on_drawn_case_rates(tree: dict[str, Any]) -> None:
    """A drawn case-rate amount needs its contract's case rate switched on (checks.py)."""
    for contract in tree.get("contracts", {}).values():
        if contract.get("case_rate_usd", 0.0) > 0:
            contract["case_rate"] = True


def _payer_mix(rng: np.random.Generator) -> list[float]:
    """Payer shares from a flat Dirichlet, rounded to 4 decimals and summing to exactly 1."""
    shares = [round(float(x), 4) for x in rng.dirichlet(np.ones(len(PAYERS)))]
    shares[-1] = round(1.0 - sum(shares[:-1]), 10)
    if shares[-1] < 0:  # rounding pushed the last share below 0: give it to the largest
        k = int(np.argmax(shares))
        shares[k] = round(shares[k] + shares[-1], 10)
        shares[-1] = 0.0
    return shares


def random_valid_scenario(seed: int) -> tuple[Scenario, int]:
    """A validated random scenario and the number of draws it took.

    Raises:
        RuntimeError: If :data:`MAX_ATTEMPTS` draws all break a cross-field rule (a sign the
            generator no longer matches the scenario's rules).
    """
    errors = []
    for attempt in range(MAX_ATTEMPTS):
        tree = random_scenario_tree(seed * MAX_ATTEMPTS + attempt)
        try:
            return build_scenario(tree), attempt + 1
        except ScenarioError as exc:
            errors.append(str(exc))
    raise RuntimeError(f"seed {seed}: no valid scenario in {MAX_ATTEMPTS} draws: {errors[-3:]}")
