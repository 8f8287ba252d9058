"""Regression baselines: the monthly outputs of a few fixed scenarios, recorded once.

Speed work must not change what the model computes. These cases run the arrays engine on
small-to-medium versions of the shipped scenarios and compare every monthly column with the
recorded baseline (``tests/baselines/regression.json``): integer columns exactly, money and
ratios to a relative 1e-9 (summation order may change in the last bits).

Update the baseline only when a change of results is intended, and say why in the commit::

    make baselines          # = .venv/bin/python tests/regression_cases.py --update
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from intsim.params.scenario import load_scenario
from intsim.sim.runner import simulate

BASELINE_PATH = Path(__file__).resolve().parent / "baselines" / "regression.json"
CONFIGS = Path(__file__).resolve().parent.parent / "configs"

#: name -> (scenario file, overrides, seed)
CASES: dict[str, tuple[str, dict[str, Any], int]] = {
    "default_hybrid": (
        "default.yaml",
        {
            "population.n_patients": 6000,
            "staffing.n_pcps": 3,
            "staffing.care_manager_fte": 1.0,
            "staffing.bhc_fte": 1.0,
            "simulation.months": 36,
        },
        1,
    ),
    "cocm": (
        "cocm.yaml",
        {"population.n_patients": 6000, "staffing.n_pcps": 3, "simulation.months": 36},
        3,
    ),
    "pcbh": (
        "pcbh.yaml",
        {"population.n_patients": 6000, "staffing.n_pcps": 3, "simulation.months": 36},
        5,
    ),
    "usual_care": (
        "usual_care.yaml",
        {"population.n_patients": 4000, "staffing.n_pcps": 2, "simulation.months": 24},
        7,
    ),
    "rural_fqhc_hybrid": ("rural_fqhc_hybrid.yaml", {"simulation.months": 36}, 11),
    "cocm_phased_gate": (
        "cocm.yaml",
        {
            "population.n_patients": 6000,
            "staffing.n_pcps": 4,
            "rollout.strategy": "pilot_then_scale",
            "rollout.gate": "caseload",
            "workforce.bh_turnover_annual": 0.5,
            "workforce.trainee_fte": 0.5,
            "simulation.months": 36,
        },
        13,
    ),
    "impact_trial": ("calibration/impact_trial.yaml", {}, 17),
    # the BHC billing share changes with LPC/MFT hires and trainees (claims plan per share)
    "pcbh_lpc_trainees": (
        "pcbh.yaml",
        {
            "population.n_patients": 8000,
            "staffing.n_pcps": 4,
            "staffing.bhc_fte": 4.0,
            "billing.bhc_credential": "psychologist",
            "workforce.lpc_mft_hiring": True,
            "workforce.trainee_fte": 1.0,
            "workforce.bh_turnover_annual": 0.6,
            "simulation.months": 48,
        },
        3,
    ),
}


def run_case(name: str) -> pd.DataFrame:
    """Monthly outputs (model and ledger columns) of one regression case."""
    path, overrides, seed = CASES[name]
    scenario = load_scenario(CONFIGS / path).with_overrides(overrides)
    return simulate(scenario, seed=seed, engine="arrays", claims=False).monthly


def to_record(monthly: pd.DataFrame) -> dict[str, list[Any]]:
    """Column -> values, JSON-ready (floats kept to full precision by ``repr``)."""
    out: dict[str, list[Any]] = {}
    for col in monthly.columns:
        values = monthly[col].to_numpy()
        if np.issubdtype(values.dtype, np.integer) or values.dtype == bool:
            out[col] = [int(v) for v in values]
        else:
            out[col] = [float(v) for v in values]
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the baseline file from the current code (``--update``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the baseline file")
    args = parser.parse_args(argv)
    if not args.update:
        parser.print_help()
        return 2
    data = {name: to_record(run_case(name)) for name in CASES}
    BASELINE_PATH.parent.mkdir(parents=True, exist_ok=True)
    BASELINE_PATH.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {BASELINE_PATH} ({len(data)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
