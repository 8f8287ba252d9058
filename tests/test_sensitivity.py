"""Sobol' and Morris sensitivity analysis against analytic test functions; executors; guards."""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as salib_sobol_sample
from scipy import stats

from intsim.analysis import gsa_test_functions, sensitivity
from intsim.analysis.batch import make_executor
from intsim.analysis.distributions import Normal, Uniform
from intsim.analysis.gsa_test_functions import (
    ishigami,
    ishigami_indices,
    ishigami_second_order,
    sobol_g,
    sobol_g_indices,
)
from intsim.analysis.sensitivity import (
    MORRIS_TAIL,
    evaluate_rows,
    morris,
    sobol,
    stability_warnings,
)

N = 1024
# Seed of every Sobol' run here. At N = 1024 the largest error of the 18 S1/ST estimates is
# ~0.004-0.027 depending on the seed (seeds 1-12: 22 of 24 (seed, function) pairs are within
# 0.02; seed 1 misses on the G function's ST_x2 by 0.027, seed 2 on Ishigami's S1_x2 by 0.022).
# The 0.02 tolerance is a regression bar at this fixed seed, not a guarantee for every seed.
SEED = 3
TOL = 0.02
A_G = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0)
ISHIGAMI = functools.partial(ishigami, a=7.0, b=0.1)
ISHIGAMI_FACTORS = dict.fromkeys(("x1", "x2", "x3"), (-math.pi, math.pi))
G = functools.partial(sobol_g, a=A_G)
G_FACTORS = {f"x{i + 1}": (0.0, 1.0) for i in range(len(A_G))}
COLUMNS = ["factor", "S1", "S1_conf", "ST", "ST_conf"]


def ishigami_dummy(rows: np.ndarray) -> np.ndarray:
    """Ishigami of the first three columns; the fourth factor is ignored."""
    return ishigami(rows[:, :3])


def nan_at(rows: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Ishigami, but NaN for the row equal to ``target``."""
    y = ishigami(rows)
    y[np.all(rows == target, axis=1)] = np.nan
    return y


def two_outputs(rows: np.ndarray) -> np.ndarray:
    return np.column_stack([ishigami(rows), rows[:, 0]])


def constant(rows: np.ndarray) -> np.ndarray:
    return np.full(len(rows), 2.0)


@pytest.fixture(scope="module")
def ishigami_run() -> pd.DataFrame:
    return sobol(ISHIGAMI, ISHIGAMI_FACTORS, N, seed=SEED).indices


# --------------------------------------------------------------------------- analytic values


def test_ishigami_analytic_indices() -> None:
    # published values for a = 7, b = 0.1 (e.g. Saltelli et al. 2010, Marrel et al. 2009)
    ref = ishigami_indices(7.0, 0.1)
    assert ref["x1"] == pytest.approx((0.3139, 0.5576), abs=1e-4)
    assert ref["x2"] == pytest.approx((0.4424, 0.4424), abs=1e-4)
    assert ref["x3"] == pytest.approx((0.0, 0.2437), abs=1e-4)
    s2 = ishigami_second_order(7.0, 0.1)
    assert s2[("x1", "x3")] == pytest.approx(ref["x1"][1] - ref["x1"][0])
    # the variance behind the indices, by plain Monte Carlo
    x = np.random.default_rng(5).uniform(-math.pi, math.pi, size=(400_000, 3))
    v = 49 / 8 + 0.1 * math.pi**4 / 5 + 0.01 * math.pi**8 / 18 + 0.5
    assert ishigami(x).var() == pytest.approx(v, rel=0.01)


def test_sobol_g_analytic_indices() -> None:
    ref = sobol_g_indices(A_G)
    vi = 1 / (3 * (1 + np.array(A_G)) ** 2)
    v = np.prod(1 + vi) - 1
    assert [s for s, _ in ref.values()] == pytest.approx(list(vi / v))
    assert all(st >= s1 > 0 for s1, st in ref.values())
    assert ref["x5"] == ref["x6"]
    x = np.random.default_rng(6).random((400_000, len(A_G)))
    assert G(x).var() == pytest.approx(v, rel=0.01)
    assert G(x).mean() == pytest.approx(1.0, abs=0.005)


# --------------------------------------------------------------------------- Sobol' accuracy


def _errors_and_coverage(indices: pd.DataFrame, ref: dict[str, tuple[float, float]]) -> tuple:
    s1 = np.array([ref[f][0] for f in indices["factor"]])
    st = np.array([ref[f][1] for f in indices["factor"]])
    errors = np.r_[np.abs(indices["S1"] - s1), np.abs(indices["ST"] - st)]
    half_widths = np.r_[indices["S1_conf"], indices["ST_conf"]]
    return errors, float(np.mean(errors <= half_widths))


@pytest.mark.parametrize(
    ("func", "factors", "ref"),
    [
        (ISHIGAMI, ISHIGAMI_FACTORS, ishigami_indices(7.0, 0.1)),
        (G, G_FACTORS, sobol_g_indices(A_G)),
    ],
    ids=["ishigami", "sobol_g"],
)
def test_sobol_recovers_analytic_indices(func, factors, ref) -> None:
    result = sobol(func, factors, N, seed=SEED)
    indices = result.indices
    assert list(indices.columns) == COLUMNS
    assert indices["factor"].tolist() == list(factors)
    assert result.X.shape == (N * (len(factors) + 2), len(factors))
    errors, coverage = _errors_and_coverage(indices, ref)
    assert errors.max() <= TOL, indices
    # The bootstrap intervals resample the base samples as if they were iid: on a scrambled
    # Sobol' design that is usually conservative, but they are normal-approximation intervals
    # of biased ratio estimators at a nominal 95%, so an occasional miss is expected (here all
    # cover; across seeds 1-12, so did all 216 intervals). Require most, not all.
    assert coverage >= 0.8


def test_distributions_go_through_ppf(ishigami_run: pd.DataFrame) -> None:
    # a Uniform distribution is the same factor as its bounds: the same indices
    as_dists = {k: Uniform(lo, hi) for k, (lo, hi) in ISHIGAMI_FACTORS.items()}
    pd.testing.assert_frame_equal(
        sobol(ISHIGAMI, as_dists, N, seed=SEED).indices, ishigami_run, atol=1e-12
    )
    # a normal factor: the design column is that normal; YAML forms are parsed
    factors = {"z": Normal(10.0, 2.0), "w": {"dist": "uniform", "low": 0, "high": 1}}
    result = sobol(_first_column, factors, 256, seed=SEED)
    z = result.X[:, 0]
    assert z.mean() == pytest.approx(10.0, abs=0.05)
    assert z.std() == pytest.approx(2.0, rel=0.03)
    assert np.all((result.X[:, 1] > 0) & (result.X[:, 1] < 1))
    s = result.indices.set_index("factor")
    assert s.loc["z", "S1"] == pytest.approx(1.0, abs=0.02)
    assert s.loc["w", "ST"] == pytest.approx(0.0, abs=1e-12)


def _first_column(rows: np.ndarray) -> np.ndarray:
    return rows[:, 0]


# --------------------------------------------------------------------------- executors


def test_evaluate_rows_chunking_does_not_matter() -> None:
    x = np.random.default_rng(1).uniform(-3, 3, size=(1000, 3))
    whole = ISHIGAMI(x)
    for size in (1, 7, 256, 5000):
        np.testing.assert_array_equal(evaluate_rows(ISHIGAMI, x, chunk_size=size), whole)
    two = evaluate_rows(two_outputs, x, chunk_size=99)
    assert two.shape == (1000, 2)
    with pytest.raises(ValueError, match="shape"):
        evaluate_rows(lambda r: r[:-1, 0], x)
    with pytest.raises(ValueError, match="chunk_size"):
        evaluate_rows(ISHIGAMI, x, chunk_size=0)


def test_process_pool_gives_identical_indices(ishigami_run: pd.DataFrame) -> None:
    with make_executor("process", workers=2) as ex:
        result = sobol(ISHIGAMI, ISHIGAMI_FACTORS, N, seed=SEED, executor=ex, chunk_size=700)
    pd.testing.assert_frame_equal(result.indices, ishigami_run, check_exact=True)


def test_dask_local_cluster_gives_identical_indices(ishigami_run: pd.DataFrame) -> None:
    with make_executor("dask", dask_local=2) as ex:
        result = sobol(ISHIGAMI, ISHIGAMI_FACTORS, N, seed=SEED, executor=ex, chunk_size=1000)
    pd.testing.assert_frame_equal(result.indices, ishigami_run, check_exact=True)


# --------------------------------------------------------------------------- guards


def test_non_finite_output_names_the_row() -> None:
    design = sobol(ISHIGAMI, ISHIGAMI_FACTORS, 64, seed=SEED).X
    row = 77
    func = functools.partial(nan_at, target=design[row])
    with pytest.raises(ValueError, match=r"output 'y' is not finite in 1 of \d+ rows") as info:
        sobol(func, ISHIGAMI_FACTORS, 64, seed=SEED)
    message = str(info.value)
    assert f"row {row} (x1={design[row, 0]:.6g}, x2={design[row, 1]:.6g}" in message
    with pytest.raises(ValueError, match="not finite"):
        morris(lambda r: np.where(r[:, 0] < 0, np.inf, r[:, 1]), {"a": (-1.0, 1.0), "b": (0, 1)})


@pytest.mark.parametrize("n", [1000, 0, 1, 3, 2.0, True])
def test_n_must_be_a_power_of_two(n) -> None:
    with pytest.raises(ValueError, match="power of 2"):
        sobol(ISHIGAMI, ISHIGAMI_FACTORS, n)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": 0}, "seed"),
        ({"conf_level": 1.0}, "conf_level"),
        ({"num_resamples": 1}, "num_resamples"),
        ({"groups": {"x1": "a", "x2": "b"}}, "no group for"),
        ({"groups": {"x1": "a", "x2": "a", "x3": "a"}}, "two groups"),
        ({"groups": {"x1": "a", "x2": "b", "x3": "b", "x9": "b"}}, "'x9' is not a factor"),
        ({"outputs": ["a", "b"]}, "outputs"),
        ({"n": 8, "convergence": True}, "convergence needs"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    kwargs = {"n": 64, **kwargs}
    with pytest.raises(ValueError, match=message):
        sobol(ISHIGAMI, ISHIGAMI_FACTORS, **kwargs)


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        ((1.0, 1.0), "low < high"),
        ((0.0, math.inf), "finite"),
        ("wide", "expected"),
        (3.0, "expected"),
    ],
)
def test_bad_factors(factor, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sobol(ISHIGAMI, {"x1": factor, "x2": (0, 1), "x3": (0, 1)}, 64)


def test_constant_output_gives_nan_and_a_warning() -> None:
    with pytest.warns(RuntimeWarning, match="constant"):
        indices = sobol(constant, ISHIGAMI_FACTORS, 64, seed=SEED).indices
    assert indices[["S1", "ST"]].isna().all().all()


# --------------------------------------------------------------------------- groups, S2, outputs


def test_groups_give_one_row_per_group() -> None:
    groups = {"x1": "x1+x3", "x2": "x2", "x3": "x1+x3"}
    result = sobol(ISHIGAMI, ISHIGAMI_FACTORS, N, seed=SEED, groups=groups)
    indices = result.indices.set_index("factor")
    assert indices.index.tolist() == ["x1+x3", "x2"]
    assert result.X.shape == (N * 4, 3)  # d + 2 blocks with d = 2 groups
    ref = ishigami_indices()
    s_13 = ref["x1"][1]  # V1 + V13 (V3 = 0): the closed index of {x1, x3}, also its total
    assert indices.loc["x1+x3", ["S1", "ST"]].tolist() == pytest.approx([s_13, s_13], abs=TOL)
    assert indices.loc["x2", ["S1", "ST"]].tolist() == pytest.approx([ref["x2"][0]] * 2, abs=TOL)


def test_second_order_ishigami() -> None:
    result = sobol(ISHIGAMI, ISHIGAMI_FACTORS, N, seed=SEED, second_order=True)
    assert result.X.shape == (N * 8, 3)  # 2d + 2 blocks
    s2 = result.s2
    assert list(s2.columns) == ["factor_i", "factor_j", "S2", "S2_conf"]
    ref = ishigami_second_order()
    for row in s2.itertuples():
        assert abs(row.S2 - ref[(row.factor_i, row.factor_j)]) <= 0.05, s2
    errors, _ = _errors_and_coverage(result.indices, ishigami_indices())
    assert errors.max() <= TOL


def test_several_outputs() -> None:
    result = sobol(two_outputs, ISHIGAMI_FACTORS, 256, seed=SEED, outputs=["ish", "x1"])
    indices = result.indices
    assert list(indices.columns) == ["output", *COLUMNS]
    assert indices["output"].tolist() == ["ish"] * 3 + ["x1"] * 3
    # the first output alone: the same design and seed, so the same numbers
    alone = sobol(ISHIGAMI, ISHIGAMI_FACTORS, 256, seed=SEED).indices
    pd.testing.assert_frame_equal(
        indices[indices["output"] == "ish"].drop(columns="output").reset_index(drop=True), alone
    )
    x1 = indices[indices["output"] == "x1"].set_index("factor")
    assert x1.loc["x1", "S1"] == pytest.approx(1.0, abs=0.02)


def test_convergence_nested_designs() -> None:
    result = sobol(ISHIGAMI, ISHIGAMI_FACTORS, N, seed=SEED, convergence=True)
    conv = result.convergence
    assert list(conv.columns) == ["n", "output", *COLUMNS]
    assert sorted(conv["n"].unique()) == [N // 4, N // 2, N]
    full = conv[conv["n"] == N].drop(columns=["n", "output"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(full, result.indices)
    widths = conv.groupby("n")[["S1_conf", "ST_conf"]].mean().mean(axis=1)
    assert widths.is_monotonic_decreasing, widths
    assert widths[N] < widths[N // 4]
    # the property the nested designs rest on: SALib's design for N/4 base samples is the
    # first N/4 blocks of its design for N (same seed)
    problem = result.problem
    big = salib_sobol_sample.sample(problem, N, calc_second_order=False, seed=SEED)
    small = salib_sobol_sample.sample(problem, N // 4, calc_second_order=False, seed=SEED)
    np.testing.assert_array_equal(small, big[: len(small)])


# --------------------------------------------------------------------------- Morris


def morris_ishigami_mu_star() -> dict[str, float]:
    """Analytic mu* of Ishigami (a = 7, b = 0.1) on 4 levels, Delta = 2/3 of the range.

    Levels are -pi, -pi/3, pi/3, pi and each step jumps two levels. x2: sin² goes 0 <-> 3/4,
    so every effect is ±7 (3/4) / (2/3) = ±7.875. x1: |Δ sin x1| = √3/2 and the effect scales
    by 1 + 0.1 x3⁴ with E[x3⁴] = pi⁴ (1 + 1/81) / 2 over the levels. x3: |Δ x3⁴| =
    pi⁴ (1 - 1/81) and E|sin x1| = √3/4.
    """
    delta = 2.0 / 3.0
    pi4 = math.pi**4
    return {
        "x1": math.sqrt(3) / 2 * (1 + 0.1 * pi4 * (82 / 81) / 2) / delta,
        "x2": 7.0 * 0.75 / delta,
        "x3": 0.1 * math.sqrt(3) / 4 * pi4 * (80 / 81) / delta,
    }


def test_morris_ishigami() -> None:
    factors = {**ISHIGAMI_FACTORS, "dummy": (0.0, 1.0)}
    result = morris(ishigami_dummy, factors, trajectories=20, seed=1)
    assert list(result.columns) == ["factor", "mu", "mu_star", "sigma", "mu_star_conf"]
    mu_star = result.set_index("factor")["mu_star"]
    # Analytic mu*: x2 7.875 > x1 7.70 > x3 6.25. x1 and x2 are too close for 20 trajectories
    # to order reliably (seed 2 puts x1 first), so assert the robust part: x3 is the smallest
    # of the three, x2's effects are exactly ±7.875, and the ignored factor has mu* = 0.
    assert mu_star["x3"] < min(mu_star["x1"], mu_star["x2"])
    assert mu_star["x2"] == pytest.approx(7.875, rel=1e-12)
    assert mu_star["dummy"] == 0.0
    assert result.set_index("factor").loc["dummy", "sigma"] == 0.0
    # more trajectories: every mu* within its 95% interval of the analytic value
    big = morris(ishigami_dummy, factors, trajectories=200, seed=1).set_index("factor")
    for name, value in morris_ishigami_mu_star().items():
        assert abs(big.loc[name, "mu_star"] - value) <= max(big.loc[name, "mu_star_conf"], 1e-9)


def test_morris_groups_and_unbounded_distributions() -> None:
    factors = {"x1": Normal(0.0, 1.0), "x2": (-math.pi, math.pi), "x3": (-math.pi, math.pi)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no infinite quantile, no NaN
        result = morris(ISHIGAMI, factors, trajectories=10, seed=2)
    assert np.isfinite(result["mu_star"]).all()
    grouped = morris(
        ISHIGAMI, ISHIGAMI_FACTORS, groups={"x1": "g", "x2": "h", "x3": "g"}, trajectories=10
    )
    assert grouped["factor"].tolist() == ["g", "h"]
    assert grouped.set_index("factor").loc["h", "mu_star"] == pytest.approx(7.875)
    # the normal's levels are quantiles MORRIS_TAIL + (1 - 2 MORRIS_TAIL) (0, 1/3, 2/3, 1);
    # each step jumps two levels: |Δz| = ppf(q(2/3)) - ppf(q(0)) (= ppf(q(1)) - ppf(q(1/3)))
    q = MORRIS_TAIL + (1 - 2 * MORRIS_TAIL) * np.array([0.0, 2 / 3])
    step = float(np.diff(stats.norm.ppf(q))[0])
    screen = morris(_first_column, {"z": Normal(0.0, 1.0), "w": (0.0, 1.0)}, trajectories=10)
    assert screen.set_index("factor").loc["z", "mu_star"] == pytest.approx(step / (2 / 3))
    with pytest.raises(ValueError, match="even"):
        morris(ISHIGAMI, ISHIGAMI_FACTORS, levels=5)


def test_stability_warnings_flag_small_n_wide_intervals_and_total_below_first_order():
    steady = pd.DataFrame(
        {
            "output": ["y", "y"],
            "factor": ["a", "b"],
            "S1": [0.6, 0.2],
            "S1_conf": [0.03, 0.02],
            "ST": [0.7, 0.3],
            "ST_conf": [0.04, 0.03],
        }
    )
    assert stability_warnings(steady, 1024) == []
    small = stability_warnings(steady, 8)
    assert len(small) == 1
    assert "N = 8" in small[0]
    wide = steady.assign(ST_conf=[0.04, 0.35])
    (line,) = stability_warnings(wide, 1024)
    assert "'y'" in line
    assert "0.35" in line
    # ST below S1 within their intervals: noise, no warning; beyond them: a warning naming b
    overlap = steady.assign(ST=[0.7, 0.17])
    assert stability_warnings(overlap, 1024) == []
    beyond = steady.assign(ST=[0.7, 0.1])
    (line,) = stability_warnings(beyond, 1024)
    assert "for b" in line


def test_sobol_at_small_n_on_ishigami_is_flagged():
    factors = {f"x{i}": (-np.pi, np.pi) for i in (1, 2, 3)}
    res = sobol(ISHIGAMI, factors, 8, seed=1)
    lines = stability_warnings(res.indices, 8)
    assert any("N = 8" in line for line in lines)
    assert any("half-widths" in line for line in lines)
    big = sobol(ISHIGAMI, factors, 1024, seed=3)
    assert stability_warnings(big.indices, 1024) == []


@pytest.mark.parametrize("name", gsa_test_functions.__all__)
def test_test_functions_still_importable_from_sensitivity_with_a_warning(name: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"intsim.analysis.gsa_test_functions.{name}"):
        moved = getattr(sensitivity, name)
    assert moved is getattr(gsa_test_functions, name)


def test_sensitivity_has_no_other_attributes() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = sensitivity.no_such_name  # type: ignore[attr-defined]
