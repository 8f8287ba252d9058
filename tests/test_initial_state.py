"""The month-1 state (population.initial_*): usual care under way, episode mix, steady start."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from intsim.params.scenario import default_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.population import BH, Tx
from intsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parent.parent
STEADY_SCRIPT = ROOT / "experiments" / "steady_state.py"


def test_initial_shares_set_usual_care_under_way_and_the_episode_mix():
    sc = default_scenario().with_overrides(
        {
            "population.initial_pcp_treatment_share": 0.3,
            "population.initial_specialty_treatment_share": 0.1,
            "population.initial_known_share": 0.6,
            "population.initial_chronic_episode_share": 0.5,
        }
    )
    pop = ClinicModel(sc.values, seed=1).pop
    n = pop.n_used
    active = np.flatnonzero(pop.bh[:n] == BH.ACTIVE)
    tx = pop.treatment[active]
    assert (tx == Tx.PCP).mean() == pytest.approx(0.3, abs=0.03)
    assert (tx == Tx.SPECIALTY).mean() == pytest.approx(0.1, abs=0.02)
    assert pop.known[active].mean() == pytest.approx(0.6, abs=0.03)  # the treated are among them
    assert pop.chronic_episode[active].mean() == pytest.approx(0.5, abs=0.03)
    months = pop.treatment_month[active[tx > 0]]
    assert months.min() >= 1
    assert months.max() <= sc.values.detection.treatment_months
    assert (pop.treatment[np.flatnonzero(pop.bh[:n] != BH.ACTIVE)] == Tx.NONE).all()


def _cold_start() -> dict[str, float | int]:
    """The former month-1 state (decision 52), kept by experiments/steady_state.py."""
    spec = importlib.util.spec_from_file_location("steady_state", STEADY_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return dict(module.COLD_START)


def _prevalence(sc) -> np.ndarray:
    m = simulate(sc, seed=1).monthly
    return (m["bh_prevalent"] / m["panel_size"]).to_numpy()


def test_default_start_is_steady_under_usual_care():
    sc = default_scenario().with_overrides(
        {"care_model": "usual_care", "simulation.months": 60, "finance.counterfactual": False}
    )
    prevalence = _prevalence(sc)
    # within 1 point of its mean all along, and the mean at the evidence's 13% (A1 interval
    # 11-15%): no transient for a programme's effect to ride on
    assert np.abs(prevalence - prevalence.mean()).max() < 0.01
    assert 0.12 <= prevalence.mean() <= 0.14
    # the former cold start moves more than 2 points in the same months (the test's contrast)
    cold = _prevalence(sc.with_overrides(_cold_start()))
    assert cold.max() - cold.min() > 0.02


def test_default_start_carries_usual_care_under_way():
    pop = ClinicModel(default_scenario().values, seed=1).pop
    n = pop.n_used
    active = pop.bh[:n] == BH.ACTIVE
    assert pop.known[:n][active].mean() > 0.8
    assert (pop.treatment[:n][active] == Tx.PCP).mean() == pytest.approx(0.18, abs=0.02)
    assert (pop.remission_months[:n][pop.bh[:n] == BH.REMITTED] > 0).mean() > 0.9


def test_steady_start_docks():
    small = default_scenario().with_overrides(
        {"population.n_patients": 1500, "staffing.n_pcps": 1, "simulation.months": 36}
    )
    a = simulate(small, seed=3, engine="arrays").monthly
    b = simulate(small, seed=3, engine="agents").monthly
    pd.testing.assert_frame_equal(a, b, check_exact=True)
