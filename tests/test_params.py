"""The parameter declaration: complete metadata, consistent defaults, bounds and ranges."""

from __future__ import annotations

import pytest

from intsim.params import (
    CARE_MODELS,
    ENGINES,
    PARAMETERS,
    PARAMS_BY_PATH,
    PAYERS,
    Param,
    annual_to_monthly_probability,
    defaults,
    markdown_table,
)
from intsim.params.scenario import ScenarioError, build_scenario, default_scenario

NUMERIC = [p for p in PARAMETERS if p.kind in ("float", "int")]
WITH_PLAUSIBLE = [p for p in NUMERIC if p.plausible is not None]


def ids(p: Param) -> str:
    return p.path


def plausible_cases() -> list:
    return [pytest.param(p, id=p.path) for p in WITH_PLAUSIBLE]


def within(value: float, bounds: tuple[float | None, float | None], positive: bool) -> bool:
    low, high = bounds
    if low is not None and (value <= low if positive else value < low):
        return False
    return high is None or value <= high


# --------------------------------------------------------------------------- metadata


def test_paths_are_unique() -> None:
    paths = [p.path for p in PARAMETERS]
    duplicates = sorted({x for x in paths if paths.count(x) > 1})
    assert not duplicates
    assert len(PARAMS_BY_PATH) == len(PARAMETERS)


def test_no_path_is_both_a_parameter_and_a_section() -> None:
    paths = {p.path for p in PARAMETERS}
    for p in PARAMETERS:
        assert not any(other.startswith(p.path + ".") for other in paths), p.path


@pytest.mark.parametrize("p", PARAMETERS, ids=ids)
def test_metadata_is_complete(p: Param) -> None:
    assert p.path.strip() == p.path
    assert all(part.isidentifier() for part in p.path.split(".")), p.path
    assert p.unit.strip(), "empty unit"
    assert p.description.strip(), "empty description"
    assert p.source.strip(), "empty source"
    assert p.kind in ("float", "int", "bool", "choice")


@pytest.mark.parametrize("p", PARAMETERS, ids=ids)
def test_default_has_the_declared_kind(p: Param) -> None:
    if p.kind == "bool":
        assert type(p.default) is bool
    elif p.kind == "int":
        assert type(p.default) is int
    elif p.kind == "float":
        assert isinstance(p.default, int | float)
        assert not isinstance(p.default, bool)
    else:
        assert p.choices, "choice parameter without choices"
        assert len(set(p.choices)) == len(p.choices)
        assert p.default in p.choices


@pytest.mark.parametrize("p", NUMERIC, ids=ids)
def test_default_lies_within_bounds(p: Param) -> None:
    low, high = p.bounds
    if low is not None and high is not None:
        assert low <= high
    if p.positive:
        assert low is not None, "positive=True needs a lower bound"
    assert within(p.default, p.bounds, p.positive), (p.default, p.bounds)


@pytest.mark.parametrize("p", WITH_PLAUSIBLE, ids=ids)
def test_plausible_range_lies_within_bounds(p: Param) -> None:
    lo, hi = p.plausible
    assert lo <= hi
    assert within(lo, p.bounds, positive=False), (p.plausible, p.bounds)
    assert within(hi, p.bounds, positive=False), (p.plausible, p.bounds)


@pytest.mark.parametrize("p", plausible_cases())
def test_plausible_range_contains_the_default(p: Param) -> None:
    lo, hi = p.plausible
    assert lo <= p.default <= hi, f"default {p.default} outside plausible {p.plausible}"


@pytest.mark.parametrize("p", [p for p in PARAMETERS if p.dist is not None], ids=ids)
def test_distribution_is_centred_on_the_default(p: Param) -> None:
    kind, *args = p.dist
    if kind in ("beta_mean_ci", "lognormal_median_ci"):
        centre, lo, hi = args
        assert lo < centre < hi
    elif kind in ("pert", "triangular"):
        lo, centre, hi = args
        assert lo <= centre <= hi
    else:
        pytest.fail(f"unknown distribution {kind!r}")
    assert centre == p.default
    assert within(lo, p.bounds, p.positive)
    assert within(hi, p.bounds, p.positive)


def test_choice_sets() -> None:
    assert PARAMS_BY_PATH["care_model"].choices == CARE_MODELS
    assert PARAMS_BY_PATH["simulation.engine"].choices == ENGINES
    assert {p.name for p in PARAMETERS if p.section == "population.payer_mix"} == set(PAYERS)


def test_default_payer_mix_sums_to_one() -> None:
    total = sum(PARAMS_BY_PATH[f"population.payer_mix.{x}"].default for x in PAYERS)
    assert total == pytest.approx(1.0)


# --------------------------------------------------------------------------- validation


def test_defaults_build_a_valid_scenario() -> None:
    sc = default_scenario()
    for p in PARAMETERS:
        assert sc.get(p.path) == p.default, p.path


def test_defaults_tree_matches_paths() -> None:
    tree = defaults()
    for p in PARAMETERS:
        node = tree
        for key in p.path.split("."):
            node = node[key]
        assert node == p.default


def tree_for(path: str, value: object) -> dict:
    tree: dict = {}
    node = tree
    *parents, leaf = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return tree


def out_of_bounds_values(p: Param) -> list[float]:
    low, high = p.bounds
    step = 1 if p.kind == "int" else 1e-3
    values = []
    if low is not None:
        values.append(low if p.positive else low - step)
    if high is not None:
        values.append(high + step)
    return values


@pytest.mark.parametrize("p", [p for p in NUMERIC if out_of_bounds_values(p)], ids=ids)
def test_validator_enforces_the_declared_bounds(p: Param) -> None:
    for raw in out_of_bounds_values(p):
        value = int(raw) if p.kind == "int" else raw
        with pytest.raises(ScenarioError) as info:
            build_scenario(tree_for(p.path, value))
        assert str(info.value) == f"{p.path}: got {value!r}; expected {p.expectation()}"


@pytest.mark.parametrize("p", PARAMETERS, ids=ids)
def test_validator_rejects_the_wrong_type(p: Param) -> None:
    wrong = {"float": "many", "int": 1.5, "bool": "maybe", "choice": "no_such_choice"}[p.kind]
    with pytest.raises(ScenarioError) as info:
        build_scenario(tree_for(p.path, wrong))
    assert str(info.value) == f"{p.path}: got {wrong!r}; expected {p.expectation()}"


def make(**kwargs: object) -> Param:
    return Param("x.y", kwargs.pop("default", 1.0), "-", "d", "s", **kwargs)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (make(bounds=(0.0, 1.0)), "a number in [0, 1]"),
        (make(bounds=(0.0, 1.0), positive=True), "a number in (0, 1]"),
        (make(bounds=(0.0, None)), "a number >= 0"),
        (make(bounds=(0.0, None), positive=True), "a number > 0"),
        (make(bounds=(1.0, None)), "a number >= 1"),
        (make(bounds=(None, 5.5)), "a number <= 5.5"),
        (make(), "a number"),
        (make(kind="int", default=80, bounds=(1, 1000)), "an integer in [1, 1000]"),
        (make(kind="int", default=1, bounds=(1, 2**63 - 1)), f"an integer in [1, {2**63 - 1}]"),
        (make(kind="int", default=10, bounds=(1, 2_000_000)), "an integer in [1, 2000000]"),
        (make(kind="bool", default=True), "true or false"),
        (make(kind="choice", default="a", choices=("a", "b")), "one of 'a', 'b'"),
    ],
)
def test_expectation_text(p: Param, expected: str) -> None:
    assert p.expectation() == expected


def test_param_section_and_name() -> None:
    p = PARAMS_BY_PATH["population.payer_mix.medicare"]
    assert (p.section, p.name) == ("population.payer_mix", "medicare")
    top = PARAMS_BY_PATH["care_model"]
    assert (top.section, top.name) == ("", "care_model")


def test_annual_to_monthly_probability() -> None:
    assert annual_to_monthly_probability(0.0) == 0.0
    monthly = annual_to_monthly_probability(0.3)
    assert 1 - (1 - monthly) ** 12 == pytest.approx(0.3)


def test_markdown_table_lists_every_parameter() -> None:
    table = markdown_table()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(PARAMETERS)
    for row, p in zip(rows, PARAMETERS, strict=True):
        assert row.startswith(f"| `{p.path}` |")
        assert row.count("|") == 8  # seven cells: no stray pipes from descriptions or sources
