"""PCP visit capacities at once give exactly what the former per-PCP rule gave.

:func:`intsim.sim.providers.visit_capacities` computes every PCP's BHC-boosted capacity with the
gain looked up once (:func:`intsim.sim.providers.bhc_capacity_gain`). The former
``PrimaryCareProvider.visit_capacity_from`` is kept below as a readable reference and compared on
live/not-live patterns, BHC coverages (vacancies) and a model without BHCs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from intsim.params.scenario import default_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.providers import PrimaryCareProvider, visit_capacities

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
