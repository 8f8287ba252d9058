"""Accounting invariants on random valid scenarios (issue 11, item 6).

Scenarios come from :mod:`tests.scenario_gen` (the parameter declaration's distributions and
plausible ranges, random care model, payer mix, rollout, grant and contract settings, short
horizons). Each is simulated once and its outputs checked by :mod:`tests.invariants`; the
per-patient checks (claims against each patient's services, joins and leaves of the panel) use
the services the run kept and the model's population. A few seeds run in the fast suite, 200 in
the slow one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests import invariants as inv
from tests.scenario_gen import MAX_ATTEMPTS, random_valid_scenario

from intsim.analysis.batch import Task, make_executor, run_batch, task_seed
from intsim.params.scenario import Scenario, default_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.runner import ClinicRun, Results, cost_clinic, run_clinic

FAST_SEEDS = (0, 1, 2, 3, 4)
SLOW_SEEDS = tuple(range(100, 300))  # 200 scenarios

#: Claim family -> the services' index array (:class:`intsim.money.claims.MonthServices`) it bills.
SERVICE_INDEX = {
    "cocm": "cm",
    "bhc_psychotherapy": "mh",
    "fqhc_mental_health": "mh",
    "bhc_hbai": "hb",
    "general_bhi": "bhi",
}


def _simulate(scenario: Scenario) -> tuple[ClinicRun, Results]:
    run = run_clinic(scenario, keep_services=True)
    return run, cost_clinic(run)


def check_claims_per_patient(run: ClinicRun, claims: pd.DataFrame) -> None:
    """Every claim line bills a service its patient received that month."""
    for services in run.services:
        lines = claims[claims["month"] == services.month]
        for fam, index in SERVICE_INDEX.items():
            billed = lines.loc[lines["family"].astype(str) == fam, "slot"].to_numpy()
            served = services.slots[getattr(services, index)]
            if fam == "cocm":
                served = served[services.cm_minutes[services.cm] > 0]
            if fam == "general_bhi":
                served = served[services.bhi_minutes[services.bhi] > 0]
            missing = np.setdiff1d(billed, served)
            assert not len(missing), (
                f"month {services.month}: {fam} claims for patients {missing[:5]} without "
                "the service"
            )


def check_patients_conserved(scenario: Scenario) -> None:
    """Joins - leaves = panel change each month, counted on the model's population."""
    model = ClinicModel(scenario.values)
    pop = model.pop
    previous = int(pop.in_panel[: pop.n_used].sum())
    assert previous == scenario.values.population.n_patients
    for month in range(1, scenario.values.simulation.months + 1):
        before_used = pop.n_used
        before = np.flatnonzero(pop.in_panel[: pop.n_used])
        model.step()
        after = np.flatnonzero(pop.in_panel[: pop.n_used])
        joined = np.arange(before_used, pop.n_used)
        left = np.setdiff1d(before, after)
        assert np.isin(joined, after).all(), f"month {month}: a newcomer is not in the panel"
        assert np.isin(after, np.concatenate([before, joined])).all(), (
            f"month {month}: a panel member neither stayed nor joined"
        )
        panel = int(model.rows[-1]["panel_size"])
        assert len(joined) - len(left) == panel - previous, (
            f"month {month}: joins {len(joined)} - leaves {len(left)} != panel change "
            f"{panel - previous}"
        )
        previous = panel


def check_scenario(seed: int) -> None:
    scenario, attempts = random_valid_scenario(seed)
    assert attempts <= MAX_ATTEMPTS
    run, results = _simulate(scenario)
    values = scenario.to_dict()
    inv.check_outputs(results.monthly, results.claims, results.summary, values)
    check_claims_per_patient(run, results.claims)
    check_patients_conserved(scenario)


@pytest.mark.parametrize("seed", FAST_SEEDS)
def test_invariants_hold_on_random_scenarios(seed: int) -> None:
    check_scenario(seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SEEDS)
def test_invariants_hold_on_many_random_scenarios(seed: int) -> None:
    check_scenario(seed)


def test_generator_is_reproducible_and_varied() -> None:
    """Same seed, same scenario; the draws cover every care model and both grant cases."""
    assert random_valid_scenario(7)[0].to_dict() == random_valid_scenario(7)[0].to_dict()
    scenarios = [random_valid_scenario(s)[0].values for s in range(40)]
    assert {v.care_model for v in scenarios} == {"usual_care", "cocm", "pcbh", "hybrid"}
    assert {v.grants.annual_amount > 0 for v in scenarios} == {True, False}
    assert len({v.population.payer_mix.medicare for v in scenarios}) == 40


def test_checks_catch_a_broken_ledger() -> None:
    """The invariant checks fail on outputs that break them (they are not vacuous)."""
    scenario, _ = random_valid_scenario(1)
    scenario = scenario.with_overrides({"care_model": "cocm"})
    _, results = _simulate(scenario)
    values = scenario.to_dict()
    inv.check_outputs(results.monthly, results.claims, results.summary, values)
    broken = results.monthly.copy()
    broken.loc[0, "revenue_cocm"] += 1.0
    with pytest.raises(AssertionError, match="revenue_cocm vs claims"):
        inv.check_revenue_identity(broken, results.claims)
    with pytest.raises(AssertionError, match="total_cost"):
        inv.check_net_totals(results.monthly, {**results.summary, "startup_cost": 0.0})
    broken = results.monthly.copy()
    broken.loc[0, "cm_minutes"] = broken.loc[0, "cm_capacity_minutes"] + 1
    with pytest.raises(AssertionError, match="above capacity"):
        inv.check_capacity(broken)
    claims = results.claims.copy()
    assert len(claims)
    claims.loc[claims.index[0], "family"] = "cocm"
    claims.loc[claims.index[0], "slot"] = 10**9  # nobody
    with pytest.raises(AssertionError, match="without"):
        check_claims_per_patient(_simulate(scenario)[0], claims)


def _programme_scenario(care_model: str) -> Scenario:
    return default_scenario().with_overrides(
        {
            "care_model": care_model,
            "population.n_patients": 800,
            "simulation.months": 24,
            "grants.annual_amount": 200000.0,
        }
    )


def test_budget_revenue_and_grant_by_year_add_up() -> None:
    _, results = _simulate(_programme_scenario("hybrid"))
    years = results.summary["budget_by_year"]
    inv._close(sum(y["revenue"] for y in years), results.summary["total_revenue"], "budget revenue")
    inv._close(
        sum(y["grant"] for y in years), results.monthly["revenue_grant"].sum(), "budget grant"
    )
    assert results.summary["startup_cost"] > 0  # so the test below tests something


@pytest.mark.parametrize("care_model", ["cocm", "hybrid"])
def test_budget_by_year_adds_up_to_totals(care_model: str) -> None:
    _, results = _simulate(_programme_scenario(care_model))
    inv.check_budget_years(results.monthly, results.summary)


# --------------------------------------------------------------------------- executors


def _random_tasks(seeds: tuple[int, ...], reps: int) -> list[Task]:
    tasks = []
    for draw, seed in enumerate(seeds):
        scenario, _ = random_valid_scenario(seed)
        for rep in range(reps):
            tasks.append(
                Task(len(tasks), draw, rep, scenario.name, scenario, task_seed(5, draw, rep))
            )
    return tasks


def _batch(tasks: list[Task], out: Path, kind: str, chunk: int) -> pd.DataFrame:
    workers = {"workers": 2} if kind == "process" else {}
    with make_executor(kind, **workers) as executor:
        return run_batch(tasks, out, executor=executor, chunk_size=chunk, progress=False)


def _assert_same_results(tasks: list[Task], tmp_path: Path, runs: list[tuple[str, int]]) -> None:
    reference = _batch(tasks, tmp_path / "ref", "serial", 1)
    assert len(reference) == len(tasks)
    for kind, chunk in runs:
        other = _batch(tasks, tmp_path / f"{kind}-{chunk}", kind, chunk)
        pd.testing.assert_frame_equal(other, reference, check_exact=True)


def test_monte_carlo_identical_across_executors_and_chunks(tmp_path: Path) -> None:
    tasks = _random_tasks((10, 11, 12), reps=2)
    _assert_same_results(tasks, tmp_path, [("serial", 4), ("process", 2)])


@pytest.mark.slow
def test_monte_carlo_identical_across_executors_and_chunks_many(tmp_path: Path) -> None:
    tasks = _random_tasks(tuple(range(20, 32)), reps=2)
    _assert_same_results(
        tasks, tmp_path, [("serial", 5), ("serial", 24), ("process", 1), ("process", 7)]
    )
