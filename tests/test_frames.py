"""Fast table builders give exactly the tables of the plain pandas and numpy code they replace.

The monthly table (:meth:`ClinicModel.monthly_frame`, :func:`intsim.money.ledger.numeric_frame`),
the claim table (:func:`intsim.money.claims.claim_lines_frame`), the payer draw
(:func:`intsim.sim.population.payer_of`) are checked against readable reference copies of the
former code, on random inputs with fixed seeds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from intsim.money import claims_kernels as kernels
from intsim.money.claims import (
    _CODE_NAMES,
    CLAIM_COLUMNS,
    FAMILIES,
    FROM_BLOCKS,
    STATUSES,
    claim_lines_frame,
    code_id,
)
from intsim.money.ledger import numeric_frame
from intsim.params import PAYERS
from intsim.params.scenario import default_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.population import payer_of

# ------------------------------------------------------------------ reference copies


def reference_payer(u: NDArray[np.float64], mix: NDArray[np.float64]) -> NDArray[np.intp]:
    """The former payer draw: a binary search of the cumulative mix."""
    cum = np.cumsum(mix)
    cum[-1] = 1.0
    return np.searchsorted(cum, u, side="right").clip(0, len(mix) - 1)


def reference_monthly_frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The former monthly table: one array per column, then a dict of them."""
    return pd.DataFrame({col: np.array([r[col] for r in rows]) for col in columns}, copy=False)


def reference_claim_table(ints: NDArray[np.int64], floats: NDArray[np.float64]) -> pd.DataFrame:
    """The former claim table: a dict of every column."""
    by_row = dict(zip(kernels.INT_ROWS, ints, strict=True))
    names = pd.Series(np.array(_CODE_NAMES, dtype=str)).array
    cols = {
        **by_row,
        **dict(zip(kernels.FLOAT_ROWS, floats, strict=True)),
        "code": names.take(by_row["code"]),
        "family": pd.Categorical.from_codes(by_row["family"], categories=list(FAMILIES)),
        "payer": pd.Categorical.from_codes(by_row["payer"], categories=list(PAYERS)),
        "status": pd.Categorical.from_codes(by_row["status"], categories=list(STATUSES)),
    }
    return pd.DataFrame({name: cols[name] for name in CLAIM_COLUMNS})


def assert_same_table(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal columns, dtypes, order, index and values (bit for bit)."""
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_column_type=True)
    assert list(got.dtypes) == list(expected.dtypes)
    assert got.columns.dtype == expected.columns.dtype
    for name in expected.columns:
        a, b = got[name].to_numpy(), expected[name].to_numpy()
        if a.dtype.kind == "f":
            bits = f"u{a.itemsize}"
            assert np.array_equal(a.view(bits), b.view(bits)), name


# ------------------------------------------------------------------ payer draw


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_payer_of_matches_the_binary_search(seed: int) -> None:
    rng = np.random.default_rng(seed)
    mix = rng.random(len(PAYERS))
    mix[rng.random(len(PAYERS)) < 0.3] = 0.0  # empty payers: equal cumulative shares
    mix = mix / mix.sum() if mix.sum() else np.full(len(PAYERS), 1 / len(PAYERS))
    cum = np.cumsum(mix)
    # ties: uniforms exactly at the cumulative shares, and at 0
    u = np.concatenate([rng.random(5_000), cum[:-1], [0.0, np.nextafter(1.0, 0.0)]])
    got = payer_of(u, mix)
    assert np.array_equal(got, reference_payer(u, mix))
    assert got.dtype == np.int8


def test_payer_of_edge_cases() -> None:
    empty = np.zeros(0)
    assert payer_of(empty, np.full(5, 0.2)).shape == (0,)
    one = np.array([1.0, 0.0, 0.0, 0.0, 0.0])  # every patient with the first payer
    u = np.random.default_rng(7).random(100)
    assert np.array_equal(payer_of(u, one), reference_payer(u, one))
    # shares summing a little above 1: the last cumulative share is still 1
    over = np.array([0.5, 0.5 + 1e-12, 0.0, 0.0, 0.0])
    u = np.array([0.0, 0.5, 0.999999, np.nextafter(1.0, 0.0)])
    assert np.array_equal(payer_of(u, over), reference_payer(u, over))


# ------------------------------------------------------------------ numeric_frame


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [0, 1, 60])
def test_numeric_frame_matches_the_dict_constructor(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    makers = [
        lambda: rng.integers(-5, 1_000, n),
        lambda: rng.random(n),
        lambda: rng.random(n) < 0.5,
        lambda: rng.integers(0, 9, n).astype(np.int8),
        lambda: rng.random(n).astype(np.float32),
    ]
    kinds = rng.integers(0, len(makers), 40)
    columns = [makers[k]() for k in kinds]
    names = [f"c{i}" for i in range(len(columns))]
    got = numeric_frame(names, columns)
    assert_same_table(got, pd.DataFrame(dict(zip(names, columns, strict=True)), copy=False))


def test_numeric_frame_single_and_non_numeric_columns() -> None:
    one = [np.arange(4)]
    assert_same_table(numeric_frame(["a"], one), pd.DataFrame({"a": one[0]}))
    mixed = [np.arange(3), np.array(["x", "y", "z"])]  # strings: pandas' own inference
    assert_same_table(
        numeric_frame(["a", "b"], mixed), pd.DataFrame(dict(zip("ab", mixed, strict=True)))
    )


def test_numeric_frame_is_one_block_per_dtype() -> None:
    columns = [np.arange(5), np.ones(5), np.arange(5), np.zeros(5)]
    frame = numeric_frame(["a", "b", "c", "d"], columns)
    if FROM_BLOCKS is not None:  # pandas >= 3
        assert frame._mgr.nblocks == 2
    assert_same_table(frame, pd.DataFrame(dict(zip("abcd", columns, strict=True))))


# ------------------------------------------------------------------ claim table


def random_lines(rng: np.random.Generator, n: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Random claim line blocks, with every code, family, payer and status code used."""
    n_codes = max(code_id("99492"), len(_CODE_NAMES) - 1) + 1  # at least one code registered
    high = {
        "code": n_codes,
        "family": len(FAMILIES),
        "payer": len(PAYERS),
        "status": len(STATUSES),
        "month": 61,
        "slot": 30_000,
        "units": 4,
    }
    ints = np.stack([rng.integers(0, high[name], n) for name in kernels.INT_ROWS]).astype(np.int64)
    floats = rng.random((len(kernels.FLOAT_ROWS), n)) * 100.0
    return ints, floats


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n", [0, 1, 500])
def test_claim_lines_frame_matches_the_dict_constructor(seed: int, n: int) -> None:
    ints, floats = random_lines(np.random.default_rng(seed), n)
    assert_same_table(claim_lines_frame(ints, floats), reference_claim_table(ints, floats))


# ------------------------------------------------------------------ the model's tables


@pytest.fixture(scope="module")
def small_model() -> ClinicModel:
    values = default_scenario().with_overrides(
        {"population.n_patients": 800, "simulation.months": 14, "finance.counterfactual": False}
    )
    model = ClinicModel(values.values, seed=5)
    model.run()
    return model


def test_monthly_frame_matches_the_former_table(small_model: ClinicModel) -> None:
    m = small_model
    assert_same_table(m.monthly_frame(), reference_monthly_frame(m.rows, m.columns))


def test_monthly_frame_without_months() -> None:
    m = ClinicModel(default_scenario().values, seed=3)
    frame = m.monthly_frame()
    assert_same_table(frame, reference_monthly_frame([], m.columns))
    assert frame.shape == (0, len(m.columns))


def test_claims_table_matches_the_former_table(small_model: ClinicModel) -> None:
    rows = small_model.claims._rows
    ints = np.concatenate([r[0] for r in rows], axis=1)
    floats = np.concatenate([r[1] for r in rows], axis=1)
    assert len(ints[0]) > 0
    assert_same_table(small_model.claims.table(), reference_claim_table(ints, floats))
    last = small_model.claims.table(last_month_only=True)
    assert_same_table(last, reference_claim_table(*rows[-1]))
