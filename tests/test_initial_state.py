"""The month-1 state (population.initial_*): usual care under way, episode mix, steady start."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from intsim.model import ClinicModel
from intsim.population import BH, Tx
from intsim.runner import simulate
from intsim.scenario import default_scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
STEADY = ROOT / "configs" / "steady_state_start.yaml"


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


def test_default_initial_state_is_the_former_one():
    pop = ClinicModel(default_scenario().values, seed=1).pop
    n = pop.n_used
    assert (pop.treatment[:n] == Tx.NONE).all()
    assert not pop.known[:n].any()
    assert (pop.remission_months[:n][pop.bh[:n] == BH.REMITTED] == 0).all()


def test_steady_state_start_docks_and_has_no_transient():
    sc = load_scenario(STEADY).with_overrides(
        {"care_model": "usual_care", "simulation.months": 60, "finance.counterfactual": False}
    )
    m = simulate(sc, seed=1).monthly
    prevalence = (m["bh_prevalent"] / m["panel_size"]).to_numpy()
    # within 1 point of its mean all along (the shipped start moves 2 points in 9 months)
    assert np.abs(prevalence - prevalence.mean()).max() < 0.01
    small = sc.with_overrides({"population.n_patients": 1500, "staffing.n_pcps": 1})
    a = simulate(small, seed=3, engine="arrays").monthly
    b = simulate(small, seed=3, engine="agents").monthly
    pd.testing.assert_frame_equal(a, b, check_exact=True)
