"""The model's and the population's faster glue gives exactly what the former code gave.

Each rewritten function (:meth:`Population.admit`, :meth:`Population.reset_month_services`,
:func:`panel_tenure`, :meth:`ClinicModel.reach_counts`, :meth:`ClinicModel.run`,
:func:`intsim.params.scenario.plain_values`) is checked against a readable reference copy of the
former code, on random small inputs with fixed seeds and on edge cases (no slots, slots with
gaps, tenures that never end).
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from pydantic import BaseModel

from intsim.money.services import BhcVisitKind
from intsim.params.scenario import default_scenario, load_scenario, plain_values
from intsim.sim.model import REACH_FLAGS, ClinicModel
from intsim.sim.population import (
    _ADMITTED_BLOCKS,
    ADMITTED_FIELDS,
    ALIGNMENT,
    MONTH_SERVICE_FIELDS,
    NEVER,
    Population,
    _slots_index,
    aligned_length,
    panel_tenure,
)

# ------------------------------------------------------------------ reference copies


def reference_admit(
    pop: Population, slots: NDArray[np.int64], newcomers: Population, month: int
) -> None:
    """The former :meth:`Population.admit`: one copy per attribute, then the leave month."""
    if len(slots) == 0:
        return
    first, last = int(slots[0]), int(slots[-1])
    index = slice(first, last + 1) if last - first + 1 == len(slots) else slots
    for name in ADMITTED_FIELDS:
        getattr(pop, name)[index] = getattr(newcomers, name)[index]
    tenure = newcomers.tenure[index].astype(np.int64)
    pop.leave_month[index] = np.where(tenure >= NEVER - month, NEVER, month + tenure)
    pop.n_used = max(pop.n_used, last + 1)
    pop.set_in_panel(slots, True)


def reference_reset_month_services(pop: Population) -> None:
    """The former :meth:`Population.reset_month_services`: one write per array."""
    n = pop.n_used
    pop.pcp_visit[:n] = False
    pop.cm_minutes[:n] = 0
    pop.psych_minutes[:n] = 0
    pop.bhc_visit[:n] = False
    pop.bhc_kind[:n] = BhcVisitKind.NONE
    pop.bhc_same_day[:n] = False
    pop.cm_initial[:n] = False
    pop.bhi_minutes[:n] = 0
    pop.ed_visit[:n] = False
    pop.admission[:n] = False


def reference_panel_tenure(u: NDArray[np.float64], monthly_attrition: float) -> NDArray[np.int32]:
    """The former :func:`panel_tenure`: the formula with temporary arrays."""
    if monthly_attrition <= 0.0:
        return np.full(u.shape, NEVER, np.int32)
    if monthly_attrition >= 1.0:
        return np.ones(u.shape, np.int32)
    months = np.ceil(np.log1p(-u) / np.log1p(-monthly_attrition))
    return np.clip(months, 1, NEVER - 1).astype(np.int32)


def reference_reach_counts(flags: NDArray[np.bool_], year: int) -> dict[str, int]:
    """The former :meth:`ClinicModel.reach_counts`: sums of boolean arrays."""
    cocm, pcbh, need = flags
    reached = cocm | pcbh
    return {
        "year": year,
        "reached": int(reached.sum()),
        "reached_cocm": int(cocm.sum()),
        "reached_pcbh": int(pcbh.sum()),
        "with_threshold_episode": int(need.sum()),
        "reached_with_threshold_episode": int((reached & need).sum()),
    }


@functools.cache
def _reference_plain_class(model: type[BaseModel]) -> type:
    return dataclasses.make_dataclass(
        f"Plain{model.__name__}", list(model.model_fields), frozen=True, slots=True
    )


def reference_plain_values(values: Any) -> Any:
    """The former :func:`plain_values`: iterate the model, test each value with isinstance."""
    if not isinstance(values, BaseModel):
        return values
    fields = {
        name: reference_plain_values(value) if isinstance(value, BaseModel) else value
        for name, value in values
    }
    return _reference_plain_class(type(values))(**fields)


# ------------------------------------------------------------------ helpers

_SERVICE_NAMES = tuple(name for name, _ in MONTH_SERVICE_FIELDS)


def _state(pop: Population) -> dict[str, Any]:
    """Every array of a population (copies), with ``n_used``."""
    arrays = {k: v.copy() for k, v in vars(pop).items() if isinstance(v, np.ndarray)}
    for name in ADMITTED_FIELDS + _SERVICE_NAMES:  # rows and views of blocks
        arrays[name] = getattr(pop, name).copy()
    return {"n_used": pop.n_used, **arrays}


def _assert_same_state(got: Population, expected: Population) -> None:
    a, b = _state(got), _state(expected)
    assert a.keys() == b.keys()
    for key, value in b.items():
        if isinstance(value, np.ndarray):
            assert a[key].dtype == value.dtype, key
            np.testing.assert_array_equal(a[key], value, err_msg=key)
        else:
            assert a[key] == value, key


def _random_newcomers(rng: np.random.Generator, capacity: int) -> Population:
    """A newcomer template with random attributes, tenures up to NEVER included."""
    pop = Population(capacity)
    for name in ADMITTED_FIELDS:
        array = getattr(pop, name)
        if array.dtype == np.bool_:
            array[:] = rng.random(capacity) < 0.5
        elif array.dtype == np.float64:
            array[:] = rng.gamma(2.0, 0.5, capacity)
        else:
            array[:] = rng.integers(0, 20, capacity)
    pop.tenure[:] = rng.choice(np.array([1, 2, 7, 40, NEVER - 3, NEVER - 1, NEVER]), capacity)
    return pop


def _tiny_values(**extra: Any) -> Any:
    return (
        default_scenario()
        .with_overrides({"population.n_patients": 60, "staffing.n_pcps": 2, **extra})
        .values
    )


# ------------------------------------------------------------------ population


def test_admitted_blocks_hold_exactly_the_admitted_fields() -> None:
    names = [name for _, _, group in _ADMITTED_BLOCKS for name in group]
    assert sorted(names) == sorted(ADMITTED_FIELDS)
    pop = Population(7)
    for dtype, initial, group in _ADMITTED_BLOCKS:
        for name in group:
            array = getattr(pop, name)
            assert array.dtype == dtype
            assert array.shape == (7,)
            assert array.flags.c_contiguous
            assert (array == initial).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_admit_matches_the_former_copy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    capacity = 50
    newcomers = _random_newcomers(rng, capacity)
    got, expected = Population(capacity), Population(capacity)
    batches = [
        np.zeros(0, np.int64),  # nobody joins
        np.arange(0, 12, dtype=np.int64),  # consecutive fresh slots (a slice)
        np.array([12, 14, 15, 19], np.int64),  # slots with gaps (fancy indexing)
        np.arange(20, 21, dtype=np.int64),  # one slot
        np.arange(21, 50, dtype=np.int64),  # up to the capacity
    ]
    months = [0, 0, 5, NEVER - 2, 60]  # a month near NEVER: tenures that reach it
    for month, slots in zip(months, batches, strict=True):
        got.admit(slots, newcomers, month)
        reference_admit(expected, slots, newcomers, month)
        _assert_same_state(got, expected)
        assert got.panel_slots().tolist() == expected.panel_slots().tolist()


def test_reset_month_services_matches_the_former_writes() -> None:
    rng = np.random.default_rng(4)
    got, expected = Population(40), Population(40)
    for pop in (got, expected):
        pop.n_used = 33
    for _ in range(3):
        for name in _SERVICE_NAMES:
            values = rng.integers(0, 4, 33)
            getattr(got, name)[:33] = values
            getattr(expected, name)[:33] = values
        got.reset_month_services()
        reference_reset_month_services(expected)
        _assert_same_state(got, expected)


def test_month_service_arrays_are_separate_aligned_views() -> None:
    pop = Population(9)
    for name, dtype in MONTH_SERVICE_FIELDS:
        array = getattr(pop, name)
        assert array.dtype == dtype
        assert array.shape == (9,)
        assert array.flags.aligned
        assert array.flags.c_contiguous
        assert array.flags.writeable
        assert not array.any()
    for name, _ in MONTH_SERVICE_FIELDS:  # a write reaches its own array only
        getattr(pop, name)[8] = 1
        assert [n for n, _ in MONTH_SERVICE_FIELDS if getattr(pop, n).any()] == [name]
        getattr(pop, name)[8] = 0


@pytest.mark.parametrize("capacity", [1, 9, 64, 30203])
def test_arrays_sharing_a_buffer_start_on_word_boundaries(capacity: int) -> None:
    # kernels read byte and int16 arrays as 64-bit words (kernels.scan, kernels.counts)
    pop = Population(capacity)
    names = [*ADMITTED_FIELDS, *(name for name, _ in MONTH_SERVICE_FIELDS)]
    for name in names:
        array = getattr(pop, name)
        assert array.shape == (capacity,)
        assert array.ctypes.data % 8 == 0, name
    assert aligned_length(capacity) % ALIGNMENT == 0
    assert 0 <= aligned_length(capacity) - capacity < ALIGNMENT


@pytest.mark.parametrize("attrition", [0.0, 1e-9, 0.012, 0.3, 0.999999, 1.0])
def test_panel_tenure_matches_the_former_formula(attrition: float) -> None:
    u = np.random.default_rng(5).random(1000)
    u[:4] = [0.0, 1e-300, 0.5, np.nextafter(1.0, 0.0)]
    before = u.copy()
    got = panel_tenure(u, attrition)
    expected = reference_panel_tenure(u, attrition)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(u, before)  # the uniforms are not changed
    assert panel_tenure(np.zeros(0), attrition).shape == (0,)


def test_slots_index() -> None:
    empty = np.zeros(0, np.int64)
    assert _slots_index(empty) is empty
    assert _slots_index(np.arange(3, 9)) == slice(3, 9)
    gaps = np.array([1, 2, 4])
    assert _slots_index(gaps) is gaps


# ------------------------------------------------------------------ model


@pytest.mark.parametrize("seed", [6, 7])
def test_reach_counts_match_the_former_sums(seed: int) -> None:
    model = ClinicModel(_tiny_values(), seed=1)
    rng = np.random.default_rng(seed)
    flags = rng.random(model._year_flags.shape) < 0.3
    flags[:, :3] = True  # ties: patients in every set
    model._year_flags[:] = flags
    assert model.reach_counts(2) == reference_reach_counts(flags, 2)
    model._year_flags[:] = False
    assert model.reach_counts(3) == reference_reach_counts(model._year_flags, 3)
    assert len(REACH_FLAGS) == len(model._year_flags)


@pytest.mark.parametrize("care_model", ["cocm", "pcbh"])
def test_run_matches_stepping_month_by_month(care_model: str) -> None:
    values = _tiny_values(care_model=care_model, **{"simulation.months": 14})
    run, stepped = ClinicModel(values, seed=3), ClinicModel(values, seed=3)
    run.run(5)
    run.run(9)
    for _ in range(14):
        stepped.step()
    assert run.month == stepped.month == 14
    assert run.rows == stepped.rows
    assert [list(row) for row in run.rows] == [list(row) for row in stepped.rows]
    assert run.reach_years() == stepped.reach_years()


def test_run_for_no_months_does_nothing_and_does_not_warn() -> None:
    model = ClinicModel(_tiny_values(), seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.run(0)
    assert model.month == 0
    assert model.rows == []


# ------------------------------------------------------------------ params


def _leaves(plain: Any, path: str = "") -> dict[str, Any]:
    """Each section's class name and each value of a plain copy, by dotted path."""
    if not dataclasses.is_dataclass(plain):
        return {path: plain}
    out: dict[str, Any] = {f"{path}<class>": type(plain).__name__}
    for f in dataclasses.fields(plain):
        out.update(_leaves(getattr(plain, f.name), f"{path}{f.name}."))
    return out


@pytest.mark.parametrize(
    "values",
    [
        default_scenario().values,
        load_scenario(Path(__file__).parents[1] / "configs" / "default.yaml").values,
        default_scenario().with_overrides({"care_model": "pcbh"}).values,
    ],
    ids=["defaults", "default.yaml", "pcbh"],
)
def test_plain_values_match_the_former_copy(values: Any) -> None:
    got, expected = plain_values(values), reference_plain_values(values)
    a, b = _leaves(got), _leaves(expected)
    assert list(a) == list(b)
    for key, value in b.items():
        assert a[key] is value or (key.endswith("<class>") and a[key] == value), key
    section = values.cocm
    assert _leaves(plain_values(section)) == _leaves(reference_plain_values(section))
    assert plain_values(got) is got  # already plain
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.care_model = "x"
