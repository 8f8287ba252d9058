"""Small hybrid clinics with busy workforces, shared by the workforce speed tests.

``SMALL`` is a 1,200-patient clinic with high turnover (so positions fall vacant and are filled
within 30 months); ``VARIANTS`` are the workforce features each test file runs it with, and each
file adds its own (``{**VARIANTS, ...}``).
"""

from __future__ import annotations

from typing import Any

from intsim.params.scenario import Scenario, default_scenario

SMALL: dict[str, Any] = {
    "population.n_patients": 1200,
    "staffing.n_pcps": 4,
    "staffing.care_manager_fte": 2.0,
    "staffing.bhc_fte": 1.5,
    "staffing.psychiatric_consultant_hours_per_week": 4.0,
    "simulation.months": 30,
    "finance.counterfactual": False,
    "workforce.bh_turnover_annual": 0.8,
    "workforce.physician_turnover_annual": 0.3,
}

VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "phased_trainees_lpc": {
        "rollout.strategy": "phased",
        "rollout.n_phases": 2,
        "rollout.phase_interval_months": 4,
        "workforce.trainee_fte": 0.5,
        "workforce.lpc_mft_hiring": True,
    },
    "programme_end": {"rollout.end_month": 14, "rollout.end_policy": "finish"},
    "vendor_tele": {
        "costs.psychiatry_model": "vendor",
        "workforce.tele_cm_backfill": True,
        "workforce.telepsychiatry_backfill": True,
    },
}


def scenario(overrides: dict[str, Any]) -> Scenario:
    """The small clinic under hybrid care with ``overrides`` (a variant) on top."""
    return default_scenario().with_overrides({**SMALL, "care_model": "hybrid", **overrides})
