"""Admission and PCP-visit glue gives exactly what the former code gave.

:meth:`intsim.sim.population.Population.admit` computes leave months in int32
(:func:`intsim.sim.population.leave_months`) instead of through an int64 temporary, and
:meth:`intsim.sim.model.ClinicModel._pcp_capacities` returns both capacity rows as one int64
array (one list-to-array conversion). Each is compared here with the former code (kept below as a
readable reference) on fixed-seed inputs, edge cases (tenure at :data:`NEVER`, month 0, the cap
exactly reached) and whole runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from intsim.params.scenario import default_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.population import NEVER, Population, initialise_patients, leave_months
from intsim.sim.streams import RandomStreams

SMALL: dict[str, Any] = {
    "population.n_patients": 600,
    "staffing.n_pcps": 3,
    "simulation.months": 14,
    "finance.counterfactual": False,
}


def reference_leave_months(tenure: np.ndarray, month: int) -> np.ndarray:
    """The former computation: ``month + tenure`` in int64, capped at NEVER (months)."""
    leave = np.add(tenure, month, dtype=np.int64)
    return np.minimum(leave, NEVER, out=leave)


@pytest.mark.parametrize("month", [0, 1, 7, 60, 1000, NEVER - 5, NEVER])
def test_leave_months_matches_reference(month: int) -> None:
    rng = np.random.default_rng(month % 97)
    tenure = np.concatenate(
        [
            rng.integers(0, 500, 200),
            [0, 1, NEVER, NEVER - 1, NEVER - month, max(NEVER - month - 1, 0)],
            rng.integers(NEVER - 10_000, NEVER, 50, endpoint=True),
        ]
    ).astype(np.int32)
    got = leave_months(tenure, month)
    expected = reference_leave_months(tenure, month)
    assert got.dtype == np.int32
    assert np.array_equal(got, expected)
    assert got.max() <= NEVER


def test_leave_months_empty() -> None:
    assert leave_months(np.zeros(0, np.int32), 5).shape == (0,)


def _template(n: int) -> tuple[Population, Any]:
    values = default_scenario().values
    streams = RandomStreams(3, n, 24)
    newcomers = Population(n)
    initialise_patients(newcomers, np.arange(n, dtype=np.int64), streams, values)
    return newcomers, values


@pytest.mark.parametrize(
    "slots",
    [np.arange(0, 40), np.arange(40, 41), np.array([41, 43, 50, 51]), np.arange(52, 52)],
)
def test_admit_leave_month_matches_reference(slots: np.ndarray) -> None:
    newcomers, _ = _template(64)
    newcomers.tenure[::5] = NEVER  # patients who never leave
    newcomers.tenure[1::7] = 0
    pop = Population(64)
    slots = slots.astype(np.int64)
    pop.admit(slots, newcomers, 9)
    expected = np.full(64, NEVER, np.int32)
    expected[slots] = reference_leave_months(newcomers.tenure[slots], 9)
    assert np.array_equal(pop.leave_month, expected)
    assert pop.leave_month.dtype == np.int32
    assert np.array_equal(np.flatnonzero(pop.in_panel), slots)


def reference_pcp_capacities(model: ClinicModel) -> tuple[list[int], list[int]]:
    """The former code: each PCP's base and BHC-boosted visit capacities, as lists."""
    base = [p.base_visit_capacity for p in model.pcps]
    return base, [p.visit_capacity_from(b) for p, b in zip(model.pcps, base, strict=True)]


@pytest.mark.parametrize("care_model", ["hybrid", "pcbh", "usual_care"])
def test_pcp_capacities_and_loads_match_reference(care_model: str) -> None:
    scenario = default_scenario().with_overrides({**SMALL, "care_model": care_model})
    model = ClinicModel(scenario.values)
    for _ in range(scenario.values.simulation.months):
        model.step()
        base, caps = reference_pcp_capacities(model)
        got = model._pcp_capacities()
        assert got.dtype == np.int64
        assert got.shape == (2, len(model.pcps))
        assert got[0].flags.c_contiguous
        assert got[1].flags.c_contiguous
        assert got[0].tolist() == base
        assert got[1].tolist() == caps
        # the month's recorded capacities are the boosted ones; loads as the former loop
        assert model._pcp_capacity.tolist() == caps
        assert model.recorded_row(model.month)["pcp_visits"] >= 0
        for p in model.pcps:
            assert p.load is None or p.load >= 0.0


def test_pcp_loads_match_former_division() -> None:
    scenario = default_scenario().with_overrides(SMALL)
    model = ClinicModel(scenario.values)
    model.step()
    month = model.month + 1
    model.pop.reset_month_services()
    req = model.engine.visit_requests(month)
    pcp = model.pop.pcp
    granted, unmet, extra = model._pcp_visits(month)
    _, caps = reference_pcp_capacities(model)
    demand = np.bincount(pcp[req], minlength=len(model.pcps)).tolist()
    for p, wanted, cap in zip(model.pcps, demand, caps, strict=True):
        assert p.load == (wanted / cap if cap > 0 else None)
    assert unmet == len(req) - len(granted)
    assert extra >= 0
