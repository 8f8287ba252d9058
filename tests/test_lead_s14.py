"""PCP visit capacities at once and the clinical step by state give what the former code gave.

:func:`intsim.sim.providers.visit_capacities` computes every PCP's BHC-boosted capacity with the
gain looked up once (:func:`intsim.sim.providers.bhc_capacity_gain`). The former
``PrimaryCareProvider.visit_capacity_from`` is kept below as a readable reference and compared on
live/not-live patterns, BHC coverages (vacancies) and a model without BHCs.

:func:`intsim.sim.kernels.clinical.clinical_step` visits active episodes first, then improved
and remitted ones; it is compared with the former mixed loop on random states of every BH state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from intsim.params.scenario import default_scenario
from intsim.sim.kernels.clinical import clinical_step
from intsim.sim.kernels.state import EpisodeState, TreatmentState
from intsim.sim.model import ClinicModel
from intsim.sim.providers import PrimaryCareProvider, visit_capacities
from test_engine_s14 import former_clinical_step

SMALL: dict[str, Any] = {
    "population.n_patients": 600,
    "staffing.n_pcps": 5,
    "simulation.months": 4,
    "finance.counterfactual": False,
}


def reference_visit_capacity_from(p: PrimaryCareProvider, base_visit_capacity: int) -> int:
    """The former rule (visits a month): the BHC gain on a live team, truncated to an int."""
    gain = 0.0
    wf = p.model.workforce
    if p.model.bhcs and wf.pcp_live[p.index]:
        gain = p.model.values.productivity.pcp_capacity_gain * wf.bhc_coverage
    return int(base_visit_capacity * (1.0 + gain))


@pytest.mark.parametrize("care_model", ["hybrid", "pcbh", "cocm", "usual_care"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_visit_capacities_match_the_former_rule(care_model: str, seed: int) -> None:
    scenario = default_scenario().with_overrides(
        {**SMALL, "care_model": care_model, "productivity.pcp_capacity_gain": 0.137}
    )
    model = ClinicModel(scenario.values)
    model.step()
    rng = np.random.default_rng(seed)
    wf = model.workforce
    for coverage in (0.0, 0.31, 0.5, 0.999, 1.0, float(rng.random())):
        wf.bhc_coverage = coverage
        wf.pcp_live[:] = rng.random(len(model.pcps)) < 0.6
        base = [int(b) for b in rng.integers(0, 400, len(model.pcps))]
        base[0] = 0
        expected = [
            reference_visit_capacity_from(p, b) for p, b in zip(model.pcps, base, strict=True)
        ]
        assert visit_capacities(model, base) == expected
        assert [p.visit_capacity_from(b) for p, b in zip(model.pcps, base, strict=True)] == expected
        caps = model._pcp_capacities()
        assert caps[1].tolist() == [
            reference_visit_capacity_from(p, p.base_visit_capacity) for p in model.pcps
        ]


# ------------------------------------------------------------------ clinical_step by state


def _random_clinical_state(rng: np.random.Generator, n: int) -> tuple:
    """Episode and treatment state with every BH state mixed at random (all fields valid)."""
    bh = rng.choice(5, n, p=[0.4, 0.1, 0.2, 0.1, 0.2]).astype(np.int8)
    baseline = rng.integers(10, 28, n).astype(np.int8)
    ep = EpisodeState(
        bh=bh,
        score=np.where(rng.random(n) < 0.5, baseline, rng.integers(0, 10, n)).astype(np.int8),
        baseline_score=baseline,
        condition=np.where(bh >= 2, rng.integers(1, 3, n), 0).astype(np.int8),
        chronic_episode=rng.random(n) < 0.3,
        episode_month=rng.integers(0, 700, n).astype(np.int16),
        remission_months=rng.integers(0, 6, n).astype(np.int16),
        known=rng.random(n) < 0.5,
    )
    tx = TreatmentState(
        treatment=rng.integers(0, 5, n).astype(np.int8),
        treatment_month=rng.integers(0, 14, n).astype(np.int16),
        care_manager=np.full(n, -1, np.int16),
        waitlist_since=np.full(n, -1, np.int16),
        bhc_wait_since=np.full(n, -1, np.int16),
        followup_ok=rng.random(n) < 0.5,
        reviewed=rng.random(n) < 0.5,
        improved_months=np.zeros(n, np.int16),
        bhc_visits_left=rng.integers(0, 4, n).astype(np.int8),
        pcp_cotreat=rng.random(n) < 0.3,
    )
    return tuple(ep), tuple(tx)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 64, 65, 3001])
@pytest.mark.parametrize("seed", [11, 12])
def test_clinical_step_by_state_matches_the_mixed_loop(n: int, seed: int) -> None:
    """Visiting active episodes first, then improved and remitted ones, changes nothing.

    The reference is the former kernel (one loop over the episodes in slot order, kept in
    ``tests/test_engine_s14.py``). High event probabilities make every transition happen often.
    """
    rng = np.random.default_rng(seed)
    ep, tx = _random_clinical_state(rng, n)
    n_variants, max_month = 9, 600
    improve = rng.random(2 * n_variants * max_month + 2 * n_variants)
    keys = rng.integers(1, 2**63, 6, dtype=np.uint64)
    probs = np.array([0.3, 0.2, 0.25, 0.2, 0.6, 0.3, 0.3, 0.8])
    ep_former = tuple(a.copy() for a in ep)
    former = former_clinical_step(
        n, ep_former, tx, improve, (n_variants, max_month), keys, probs, 3, 4
    )
    new = clinical_step(n, ep, tx, improve, (n_variants, max_month), keys, probs, 3, 4)
    assert list(new) == former.tolist()
    for a, b in zip(ep_former, ep, strict=True):
        assert np.array_equal(a, b)
    if n > 1000:
        assert min(new) > 0  # every kind of event happened
