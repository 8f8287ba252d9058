"""Pricing a simulated clinic again under other money parameters gives exactly a fresh run.

A run is the clinic (:func:`intsim.sim.runner.run_clinic`) then its money
(:func:`intsim.sim.runner.cost_clinic`); sensitivity studies reuse one simulated clinic for rows
that differ only in money-only parameters (:func:`intsim.params.is_money_only`). These tests check
that the shortcut changes nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from intsim.analysis.gsa import ModelFactor, ModelResponse
from intsim.params import PARAMETERS, is_money_only
from intsim.params.scenario import ScenarioError, default_scenario
from intsim.sim.model import MONTHLY_COLUMNS
from intsim.sim.runner import cost_clinic, run_clinic, simulate

SMALL: dict[str, Any] = {
    "population.n_patients": 1500,
    "staffing.n_pcps": 2,
    "staffing.care_manager_fte": 0.6,
    "staffing.bhc_fte": 0.5,
    "simulation.months": 18,
}

MONEY_CHANGES: list[dict[str, Any]] = [
    {"payers.medicaid.relativity_bh": 0.5, "payers.medicare.denial_rate": 0.3},
    {"costs.care_manager_salary": 90_000.0, "costs.bhc_salary": 60_000.0},
    {
        "contracts.medicaid.pmpm_usd": 6.0,
        "contracts.commercial.case_rate_usd": 400.0,
        "contracts.commercial.case_rate": True,
    },
    {"grants.annual_amount": 150_000.0, "finance.discount_rate": 0.07},
    {"payers.commercial.coinsurance": 0.4, "payers.medicare.days_to_payment": 95.0},
    {
        "billing.cm_capture_rate": 0.7,
        "billing.visit_capture_rate": 0.9,
        "billing.general_bhi_billed_by": "pcp",
        "payers.medicaid.covers_general_bhi": False,
    },
]


def scenario(care_model: str = "hybrid", **extra: Any):
    return default_scenario().with_overrides({**SMALL, "care_model": care_model, **extra})


def assert_same_results(a, b) -> None:
    pd.testing.assert_frame_equal(a.monthly, b.monthly, check_exact=True)
    assert a.summary == b.summary


@pytest.mark.parametrize("care_model", ["cocm", "pcbh", "hybrid"])
@pytest.mark.parametrize("change", range(len(MONEY_CHANGES)))
def test_repricing_equals_simulating_the_changed_scenario(care_model, change):
    base = scenario(care_model)
    other = base.with_overrides(MONEY_CHANGES[change])
    run = run_clinic(base, seed=4, claims=False, keep_services=True)
    assert_same_results(cost_clinic(run, other), simulate(other, seed=4, claims=False))
    # and the base scenario priced from its services equals its own run
    same = base.with_overrides({})
    assert_same_results(cost_clinic(run, same), simulate(base, seed=4, claims=False))


def test_repricing_refuses_clinic_changes_gates_and_missing_services():
    base = scenario()
    run = run_clinic(base, seed=2, claims=False, keep_services=True)
    with pytest.raises(ValueError, match=r"cocm\.caseload_per_fte"):
        cost_clinic(run, base.with_overrides({"cocm.caseload_per_fte": 40}))
    with pytest.raises(ValueError, match="keep_services"):
        cost_clinic(
            run_clinic(base, seed=2, claims=False), base.with_overrides({"grants.annual_amount": 1})
        )
    gated = scenario(**{"rollout.strategy": "phased", "rollout.gate": "net_positive"})
    gated_run = run_clinic(gated, seed=2, claims=False, keep_services=True)
    with pytest.raises(ValueError, match="net_positive"):
        cost_clinic(gated_run, gated.with_overrides({"costs.bhc_salary": 50_000.0}))


def _candidates(param) -> list[Any]:
    """Valid-looking values different from the default, most informative first."""
    if param.kind == "bool":
        return [not param.default]
    if param.kind == "choice":
        return [c for c in param.choices if c != param.default]
    low, high = param.plausible or param.bounds
    d = param.default
    raw = [(d + high) / 2 if high is not None else d * 1.5 + 1, low, high, d + 1, d - 1, d / 2]
    values = [round(v) if param.kind == "int" else float(v) for v in raw if v is not None]
    return [v for v in values if v != d]


def _perturbed_scenario(base, param):
    """``base`` with the parameter moved to the first candidate the scenario accepts."""
    for value in _candidates(param):
        try:
            return base.with_overrides({param.path: value})
        except ScenarioError:
            continue
    raise AssertionError(f"no valid perturbation of {param.path}")


MONEY_ONLY = [p for p in PARAMETERS if is_money_only(p.path)]


def test_money_only_parameters_exist_in_every_money_section():
    sections = {p.path.split(".")[0] for p in MONEY_ONLY}
    assert sections == {"costs", "contracts", "grants", "partners", "finance", "payers", "billing"}
    assert is_money_only("billing.cm_capture_rate")
    assert not is_money_only("pcbh.followup_cm_share")  # BHC time: the clinic
    assert not is_money_only("costs.psychiatry_model")
    assert not is_money_only("finance.counterfactual")
    assert not is_money_only("payers.medicaid.tcoc_pmpm")  # the payer's cost of care: clinic
    assert not is_money_only("cocm.caseload_per_fte")


@pytest.mark.parametrize("param", MONEY_ONLY, ids=lambda p: p.path)
def test_money_only_parameter_does_not_move_the_clinic(param):
    base = scenario(**{"workforce.bh_turnover_annual": 0.6, "workforce.lpc_mft_hiring": True})
    if param.path.endswith(".case_rate_usd"):  # an amount needs its contract's case rate on
        base = base.with_overrides({param.path.replace("_usd", ""): True})
    other = _perturbed_scenario(base, param)
    a = run_clinic(base, seed=6, claims=False, keep_services=True)
    b = run_clinic(other, seed=6, claims=False, keep_services=True)
    pd.testing.assert_frame_equal(a.monthly, b.monthly, check_exact=True)
    assert len(a.services) == len(b.services)
    for x, y in zip(a.services, b.services, strict=True):
        assert x.bhc_share == y.bhc_share
        for field in (
            "cm",
            "mh",
            "hb",
            "new_episodes",
            "bhi",
            "slots",
            "payer",
            "cm_minutes",
            "bhi_minutes",
        ):
            assert np.array_equal(getattr(x, field), getattr(y, field)), (param.path, field)


def test_model_response_reuses_clinics_without_changing_outputs():
    sc = scenario("cocm")
    factors = [
        ModelFactor("cocm.consent_probability", (0.5, 0.9)),
        ModelFactor("payers.medicaid.relativity_cocm", (0.5, 1.2)),
        ModelFactor("costs.care_manager_salary", (55_000.0, 95_000.0)),
    ]
    rows = np.array(
        [
            [0.7, 0.6, 60_000.0],
            [0.7, 1.1, 60_000.0],  # same clinic as the row above
            [0.7, 0.6, 90_000.0],  # same clinic again
            [0.8, 0.6, 60_000.0],  # another clinic
        ]
    )
    outputs = ["net_margin_pct", "npv", "patients_served", "cumulative_net_m12"]
    reuse = ModelResponse(sc, factors, outputs, seeds=[3, 5])
    fresh = ModelResponse(sc, factors, outputs, seeds=[3, 5], reuse_clinics=False)
    got = reuse.runs(rows)
    np.testing.assert_array_equal(got, fresh.runs(rows))
    assert reuse.clinics_simulated == 2 * 2  # two distinct clinics x two seeds
    assert fresh.clinics_simulated == 4 * 2
    assert got[0, 0, 0] != got[1, 0, 0]  # the payment factor does change the margin


def test_monthly_columns_are_the_clinic_part_of_a_run():
    run = run_clinic(scenario(), seed=1, claims=False)
    assert list(run.monthly.columns) == list(MONTHLY_COLUMNS)
