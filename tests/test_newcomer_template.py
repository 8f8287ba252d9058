"""The newcomer template holds exactly what a newcomer brings, and admits as a population would.

:class:`intsim.sim.population.NewcomerTemplate` replaced a whole :class:`Population` as the
model's template of newcomers (it allocates only the attributes of ``ADMITTED_FIELDS`` and the
tenure). Drawn from the same streams, both templates must hold the same values, and admitting
from either must give the same population, field by field.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from intsim.params.scenario import default_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.population import (
    ADMITTED_FIELDS,
    NewcomerTemplate,
    Population,
    initialise_patients,
)
from intsim.sim.streams import RandomStreams


def test_template_declares_the_admitted_fields_and_tenure() -> None:
    declared = {f.name for f in fields(NewcomerTemplate)} - {"capacity"}
    assert declared == set(ADMITTED_FIELDS) | {"tenure"}


@pytest.mark.parametrize("n", [1, 63, 64, 65, 700])
def test_template_draws_what_a_population_template_draws(n: int) -> None:
    values = default_scenario().values
    slots = np.arange(n, dtype=np.int64)
    old, new = Population(n), NewcomerTemplate(n)
    initialise_patients(old, slots, RandomStreams(5, n, 24), values)
    initialise_patients(new, slots, RandomStreams(5, n, 24), values)
    for name in (*ADMITTED_FIELDS, "tenure"):
        a, b = getattr(old, name), getattr(new, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name


def test_admitting_from_either_template_gives_the_same_population() -> None:
    n = 300
    values = default_scenario().values
    slots = np.arange(n, dtype=np.int64)
    old, new = Population(n), NewcomerTemplate(n)
    initialise_patients(old, slots, RandomStreams(9, n, 24), values)
    initialise_patients(new, slots, RandomStreams(9, n, 24), values)
    a, b = Population(n), Population(n)
    for month, chunk in ((0, slots[:200]), (3, slots[200:201]), (7, slots[201:260])):
        a.admit(chunk, old, month)
        b.admit(chunk, new, month)
    assert a.n_used == b.n_used == 260
    for f in fields(Population):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


def test_the_model_uses_the_light_template() -> None:
    scenario = default_scenario().with_overrides(
        {"population.n_patients": 400, "staffing.n_pcps": 2, "simulation.months": 3}
    )
    model = ClinicModel(scenario.values, engine="arrays")
    assert isinstance(model.newcomers, NewcomerTemplate)
    n0 = 400
    assert np.array_equal(model.pop.cost_frailty[:n0], model.newcomers.cost_frailty[:n0])
