"""Parameter uncertainty: distributions, YAML parsing, validation, designs and sampling."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import special

from intsim.analysis.distributions import (
    CI_WIDTH,
    Beta,
    Dirichlet,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
    Univariate,
)
from intsim.analysis.sampling import METHODS, design, overrides_for_draw, sample
from intsim.analysis.uncertainty import (
    UncertainParameter,
    UncertaintySpec,
    default_distribution,
    parse_distribution,
    plausible_uniform,
)
from intsim.params import PARAMETERS, PARAMS_BY_PATH
from intsim.params.scenario import ScenarioError, default_scenario

N_MC = 20_000  # Monte Carlo draws for moment checks
Z = 4.0  # |error| < 4 standard errors: a two-sided false-alarm rate of 6e-5 per check

PAYER_MIX = {
    "medicare": 0.22,
    "medicaid": 0.25,
    "commercial": 0.40,
    "dual": 0.05,
    "uninsured": 0.08,
}

DISTRIBUTIONS: dict[str, Univariate] = {
    "fixed": Fixed(2.5),
    "uniform": Uniform(1.0, 3.0),
    "triangular": Triangular(0.0, 0.2, 1.0),
    "triangular-mode-at-low": Triangular(0.0, 0.0, 0.08),
    "pert": Pert(4, 8, 12),
    "pert-skewed-lamb2": Pert(0.0, 1.0, 10.0, lamb=2.0),
    "normal": Normal(5.0, 2.0),
    "normal-truncated": Normal(0.3, 0.2, low=0.0, high=1.0),
    "normal-one-sided": Normal(0.0, 1.0, low=0.5),
    "lognormal": LogNormal(1.8, 0.2),
    "lognormal-from-ci": LogNormal.from_ci(3.4, 2.5, 4.6),
    "lognormal-from-mean-sd": LogNormal.from_mean_sd(150.0, 60.0),
    "beta": Beta(3.0, 7.0),
    "beta-scaled": Beta(2.0, 5.0, low=10.0, high=20.0),
    "beta-from-mean-ci": Beta.from_mean_ci(0.3, 0.18, 0.5),
    "gamma": Gamma(2.0, 3.0),
    "gamma-from-mean-sd": Gamma.from_mean_sd(1000.0, 300.0),
}


def uniforms(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random(n)


# --------------------------------------------------------------------------- distributions


@pytest.mark.parametrize(("name", "dist"), DISTRIBUTIONS.items(), ids=DISTRIBUTIONS)
def test_sample_moments_match_stated_moments(name: str, dist: Univariate) -> None:
    x = dist.ppf(uniforms(N_MC, seed=20240601))
    mu, var = dist.mean(), dist.var()
    if var == 0.0:
        assert np.all(x == mu)
        return
    # Mean: standard error sqrt(var / n).
    assert abs(x.mean() - mu) < Z * math.sqrt(var / N_MC), name
    # Variance: the standard error of the sample variance is sqrt((m4 - s^4) / n), with the
    # fourth central moment m4 estimated from the same draws (valid for all finite-m4 laws here).
    s2 = x.var(ddof=1)
    m4 = np.mean((x - x.mean()) ** 4)
    assert abs(s2 - var) < Z * math.sqrt((m4 - s2**2) / N_MC), name


@pytest.mark.parametrize(("name", "dist"), DISTRIBUTIONS.items(), ids=DISTRIBUTIONS)
def test_stated_moments_match_quadrature_of_ppf(name: str, dist: Univariate) -> None:
    # E[X] = integral of ppf(u) over (0, 1): midpoint rule on 2**18 cells. The only sizeable
    # error is in the two tail cells of unbounded laws, ~1e-5 sd here; 1e-3 sd is ample.
    m = 2**18
    x = dist.ppf((np.arange(m) + 0.5) / m)
    sd = math.sqrt(dist.var())
    assert x.mean() == pytest.approx(dist.mean(), abs=1e-3 * sd + 1e-12), name
    assert np.mean((x - dist.mean()) ** 2) == pytest.approx(dist.var(), rel=2e-3, abs=1e-12), name


@pytest.mark.parametrize(("name", "dist"), DISTRIBUTIONS.items(), ids=DISTRIBUTIONS)
def test_ppf_is_monotone_and_within_support(name: str, dist: Univariate) -> None:
    u = np.concatenate([[0.0, 1e-300, 2.0**-53], np.linspace(1e-9, 1 - 1e-9, 2001), [1 - 2.0**-53]])
    x = dist.ppf(u)
    low, high = dist.support()
    assert np.all(np.diff(x) >= 0), name
    assert np.all((x >= low) & (x <= high)), name
    assert dist.ppf(u.reshape(-1, 1)).shape == (u.size, 1)  # shape preserved


def test_beta_ppf_is_accurate_in_the_far_lower_tail() -> None:
    # scipy's betaincinv returns NaN for some shapes below u ~ 1e-100; the asymptotic fallback
    # x = (u a B(a, b))**(1/a) must invert the CDF to double precision there.
    for dist in (Beta(2.0, 5.0), Pert(4, 8, 12)):
        a, b = (dist.a, dist.b) if isinstance(dist, Beta) else (dist.alpha, dist.beta)
        x = (dist.ppf(np.array([1e-300, 1e-200])) - dist.low) / (dist.high - dist.low)
        assert np.all(np.isfinite(x))
        assert special.betainc(a, b, x) == pytest.approx([1e-300, 1e-200], rel=1e-10)


def test_truncated_normal_stays_within_bounds() -> None:
    dist = Normal(0.9, 0.5, low=0.0, high=1.0)  # most of the untruncated mass is cut off
    x = dist.ppf(np.array([0.0, 1e-300, 1e-12, 0.5, 1 - 1e-12, 1.0]))
    assert np.all((x >= 0.0) & (x <= 1.0))
    draws = dist.ppf(uniforms(N_MC, seed=5))
    assert draws.min() >= 0.0
    assert draws.max() <= 1.0
    assert dist.support() == (0.0, 1.0)
    assert Normal(0.0, 1.0).support() == (-math.inf, math.inf)


def test_lognormal_from_ci_reproduces_the_interval() -> None:
    # A CI symmetric on the log scale is reproduced; the only error is 3.92 vs 2 x 1.959964
    # (relative 1.8e-5 on sigma, ~1e-5 on the quantiles), hence rel=1e-4.
    median, sigma = 2.0, 0.3
    lo, hi = median * math.exp(-1.96 * sigma), median * math.exp(1.96 * sigma)
    dist = LogNormal.from_ci(median, lo, hi)
    assert dist.sigma == pytest.approx((math.log(hi) - math.log(lo)) / CI_WIDTH, rel=1e-15)
    q = dist.ppf(np.array([0.025, 0.5, 0.975]))
    assert q == pytest.approx([lo, median, hi], rel=1e-4)
    # A reported, slightly asymmetric CI (CoCM response HR 3.4, 2.5-4.6) is matched in width:
    # its limits sit within 1% of the fitted quantiles.
    q = LogNormal.from_ci(3.4, 2.5, 4.6).ppf(np.array([0.025, 0.975]))
    assert q == pytest.approx([2.5, 4.6], rel=1e-2)


@pytest.mark.parametrize(
    ("mean", "lo", "hi", "tol"),
    [
        (0.13, 0.11, 0.15, 0.002),  # narrow: nearly normal, matched to 0.002
        (0.7, 0.55, 0.85, 0.015),  # symmetric CI around a left-skewed beta: within 5% of width
        (0.3, 0.18, 0.5, 0.035),  # more skew than a beta with mean 0.3 has: within 11% of width
    ],
)
def test_beta_from_mean_ci(mean: float, lo: float, hi: float, tol: float) -> None:
    dist = Beta.from_mean_ci(mean, lo, hi)
    assert dist.a > 0
    assert dist.b > 0
    assert dist.mean() == pytest.approx(mean, rel=1e-12)  # exact by construction
    q = dist.ppf(np.array([0.025, 0.975]))
    assert q == pytest.approx([lo, hi], abs=tol)

    # The refinement is at least as close as the method-of-moments start, and locally optimal.
    def loss(b: Beta) -> float:
        return float(np.sum((b.ppf(np.array([0.025, 0.975])) - [lo, hi]) ** 2))

    mom = Beta.from_mean_sd(mean, (hi - lo) / CI_WIDTH)
    assert loss(dist) <= loss(mom) + 1e-15
    for f in (0.99, 1.01):
        assert loss(dist) <= loss(Beta(dist.a * f, dist.b * f)) + 1e-15


def test_moment_constructors_are_exact() -> None:
    b = Beta.from_mean_sd(0.3, 0.05)
    assert (b.mean(), math.sqrt(b.var())) == pytest.approx((0.3, 0.05), rel=1e-12)
    g = Gamma.from_mean_sd(1000.0, 300.0)
    assert (g.mean(), math.sqrt(g.var())) == pytest.approx((1000.0, 300.0), rel=1e-12)
    ln = LogNormal.from_mean_sd(150.0, 60.0)
    assert (ln.mean(), math.sqrt(ln.var())) == pytest.approx((150.0, 60.0), rel=1e-12)


def test_pert_mean_is_the_classical_formula() -> None:
    for low, mode, high in [(4, 8, 12), (0.0, 0.02, 0.08), (10.0, 11.0, 30.0)]:
        assert Pert(low, mode, high).mean() == pytest.approx((low + 4 * mode + high) / 6)
    assert Triangular(0.3, 0.42, 0.61).mean() == pytest.approx((0.3 + 0.42 + 0.61) / 3)


def test_dirichlet_rows_sum_to_one_and_means_match() -> None:
    alphas = {k: 100.0 * v for k, v in PAYER_MIX.items()}
    dist = Dirichlet(alphas)
    u = np.random.default_rng(7).random((N_MC, dist.dim))
    shares = dist.ppf(u)
    assert shares.shape == (N_MC, 5)
    assert np.abs(shares.sum(axis=1) - 1.0).max() < 1e-12
    assert np.all((shares > 0) & (shares < 1))
    mean, var = dist.mean(), dist.var()
    assert mean == pytest.approx(PAYER_MIX, rel=1e-12)
    for k, name in enumerate(dist.names):
        # Marginal means within 4 standard errors sqrt(var_i / n).
        assert abs(shares[:, k].mean() - mean[name]) < Z * math.sqrt(var[name] / N_MC), name
    assert Dirichlet.from_means(PAYER_MIX, 100.0) == dist
    assert hash(dist) == hash(Dirichlet(dict(alphas)))


def test_constructors_reject_invalid_parameters_with_value_error() -> None:
    with pytest.raises(ValueError, match="low < high"):
        Uniform(1.0, 1.0)
    with pytest.raises(ValueError, match="sigma > 0"):
        LogNormal(1.0, 0.0)
    with pytest.raises(ValueError, match="a > 0"):
        Beta(0.0, 1.0)
    with pytest.raises(ValueError, match=r"alphas\.b > 0"):
        Dirichlet({"a": 1.0, "b": 0.0})


# --------------------------------------------------------------------------- YAML forms

PATH = "uncertainty.clinical.cocm_response_hr"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (0.42, Fixed(0.42)),
        ({"dist": "fixed", "value": 3}, Fixed(3.0)),
        ({"dist": "uniform", "low": 0.3, "high": 0.6}, Uniform(0.3, 0.6)),
        ({"dist": "triangular", "low": 0, "mode": 1, "high": 3}, Triangular(0, 1, 3)),
        ({"dist": "pert", "low": 4, "mode": 8, "high": 12}, Pert(4, 8, 12)),
        ({"dist": "pert", "low": 4, "mode": 8, "high": 12, "lamb": 6}, Pert(4, 8, 12, 6)),
        ({"dist": "normal", "mean": 0.3, "sd": 0.05}, Normal(0.3, 0.05)),
        ({"dist": "normal", "mean": 0.3, "sd": 0.2, "low": 0}, Normal(0.3, 0.2, low=0.0)),
        ({"dist": "lognormal", "median": 1.8, "sigma": 0.2}, LogNormal(1.8, 0.2)),
        ({"dist": "lognormal", "median": 1.8, "ci": [1.3, 2.9]}, LogNormal.from_ci(1.8, 1.3, 2.9)),
        ({"dist": "lognormal", "mean": 150, "sd": 40}, LogNormal.from_mean_sd(150, 40)),
        ({"dist": "beta", "a": 3, "b": 7}, Beta(3, 7)),
        ({"dist": "beta", "a": 3, "b": 7, "low": 1, "high": 2}, Beta(3, 7, 1, 2)),
        ({"dist": "beta", "mean": 0.3, "sd": 0.05}, Beta.from_mean_sd(0.3, 0.05)),
        ({"dist": "beta", "mean": 0.3, "ci": [0.18, 0.5]}, Beta.from_mean_ci(0.3, 0.18, 0.5)),
        ({"dist": "gamma", "mean": 1000, "sd": 300}, Gamma.from_mean_sd(1000, 300)),
        ({"dist": "gamma", "shape": 2, "scale": 3}, Gamma(2, 3)),
        ({"dist": "dirichlet", "alphas": {"x": 1, "y": 2}}, Dirichlet({"x": 1.0, "y": 2.0})),
        (
            {"dist": "dirichlet", "means": {"x": 0.25, "y": 0.75}, "concentration": 8},
            Dirichlet({"x": 2.0, "y": 6.0}),
        ),
    ],
)
def test_parse_distribution_accepts_every_form(spec: Any, expected: Any) -> None:
    assert parse_distribution(spec, PATH) == expected


BAD_SPECS = [
    ({"dist": "lognormal", "median": -1}, "median > 0"),
    ({"dist": "weibull", "shape": 2}, "dist to be one of"),
    ({"mean": 0.3, "sd": 0.1}, "'dist' key"),
    ("high", "a number or a mapping"),
    (True, "a number or a mapping"),
    (None, "a number or a mapping"),
    (float("nan"), "finite"),
    ({"dist": "beta", "mean": 0.3}, "missing sd or ci"),
    ({"dist": "beta", "mean": 0.3, "sd": 0.05, "ci": [0.2, 0.4]}, "keys of several forms"),
    ({"dist": "beta", "mean": 0.3, "sd": 0.05, "extra": 1}, "no key 'extra'"),
    ({"dist": "beta", "mean": 1.2, "sd": 0.05}, "beta mean in (0, 1)"),
    ({"dist": "beta", "mean": 0.5, "sd": 0.6}, "sd < sqrt(mean (1 - mean))"),
    ({"dist": "beta", "mean": 0.3, "ci": [0.35, 0.5]}, "lo < mean (0.3) < hi"),
    ({"dist": "beta", "a": 0, "b": 2}, "a > 0"),
    ({"dist": "uniform", "low": 2, "high": 1}, "low < high"),
    ({"dist": "uniform", "low": 1, "high": 1}, "low < high"),
    ({"dist": "triangular", "low": 0, "mode": 2, "high": 1}, "low <= mode <= high"),
    ({"dist": "pert", "low": 0, "mode": -1, "high": 1}, "low <= mode <= high"),
    ({"dist": "pert", "low": 0, "mode": 0.5, "high": 1, "lamb": 0}, "lamb > 0"),
    ({"dist": "normal", "mean": 0.3, "sd": 0}, "sd > 0"),
    ({"dist": "normal", "mean": 0.3, "sd": 0.1, "low": 1, "high": 0}, "low < high"),
    ({"dist": "lognormal", "median": 1.8, "ci": [2.0, 2.9]}, "lo < median (1.8) < hi"),
    ({"dist": "lognormal", "median": 1.8, "ci": [1.3]}, "list [lo, hi] of two numbers"),
    ({"dist": "lognormal", "median": 1.8, "ci": [1.3, "x"]}, "ci[1] to be a number"),
    ({"dist": "gamma", "mean": 100, "sd": -5}, "sd > 0"),
    ({"dist": "gamma", "shape": 2}, "missing scale"),
    ({"dist": "fixed", "value": "3"}, "value to be a number"),
    ({"dist": "dirichlet", "alphas": {"x": 1, "y": -2}}, "alphas.y > 0"),
    ({"dist": "dirichlet", "alphas": {"x": 1}}, "at least two members"),
    ({"dist": "dirichlet", "alphas": [1, 2]}, "alphas to be a mapping"),
    ({"dist": "dirichlet", "means": {"x": 0.5, "y": 0.6}, "concentration": 10}, "summing to 1"),
    ({"dist": "dirichlet", "means": {"x": 0.5, "y": 0.5}, "concentration": 0}, "concentration > 0"),
]


@pytest.mark.parametrize(("spec", "fragment"), BAD_SPECS, ids=[f for _, f in BAD_SPECS])
def test_invalid_spec_raises_scenario_error_naming_path_value_and_expectation(
    spec: Any, fragment: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_distribution(spec, PATH)
    message = str(info.value)
    assert message.startswith(f"{PATH}: got ")
    assert "; expected " in message
    assert fragment in message
    assert "\n" not in message  # one message


def test_error_message_format_is_exact() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_distribution({"dist": "lognormal", "median": -1}, PATH)
    assert str(info.value) == (
        "uncertainty.clinical.cocm_response_hr: got {'dist': 'lognormal', 'median': -1}; "
        "expected median > 0"
    )


# --------------------------------------------------------------------------- declaration


@pytest.mark.parametrize("param", [p for p in PARAMETERS if p.dist], ids=lambda p: p.path)
def test_default_distribution_follows_the_declaration(param: Any) -> None:
    dist = default_distribution(param)
    tag, *args = param.dist
    expected_type = {
        "beta_mean_ci": Beta,
        "lognormal_median_ci": LogNormal,
        "pert": Pert,
        "triangular": Triangular,
    }[tag]
    assert isinstance(dist, expected_type)
    centre = dist.median if isinstance(dist, LogNormal) else dist.mean()
    if tag in ("beta_mean_ci", "lognormal_median_ci"):
        assert centre == pytest.approx(args[0], rel=1e-12)


def test_default_and_plausible_distributions() -> None:
    hr = default_distribution(PARAMS_BY_PATH["clinical.cocm_response_hr"])
    assert hr == LogNormal(3.81, (math.log(4.6) - math.log(2.5)) / 3.92)
    assert default_distribution(PARAMS_BY_PATH["care_model"]) is None
    assert default_distribution(PARAMS_BY_PATH["population.n_patients"]) is None
    assert plausible_uniform(PARAMS_BY_PATH["cocm.consent_probability"]) == Uniform(0.5, 0.9)
    assert plausible_uniform(PARAMS_BY_PATH["care_model"]) is None
    assert plausible_uniform(PARAMS_BY_PATH["simulation.seed"]) is None


def test_defaults_true_picks_up_declared_distributions() -> None:
    declared = [p.path for p in PARAMETERS if p.dist]
    spec = UncertaintySpec.from_mapping({}, defaults=True)
    assert spec.columns == tuple(declared)  # declaration order
    entry = next(e for e in spec if e.path == "clinical.cocm_response_hr")
    assert entry.dist == default_distribution(PARAMS_BY_PATH["clinical.cocm_response_hr"])
    assert UncertaintySpec.from_mapping({}).columns == ()


def test_mapping_overrides_fixes_and_drops_defaults() -> None:
    mapping = {
        "population.payer_mix": {"dist": "dirichlet", "means": PAYER_MIX, "concentration": 200},
        "clinical": {"cocm_response_hr": {"dist": "lognormal", "median": 3.0, "sigma": 0.1}},
        "cocm.consent_probability": 0.65,
        "pcbh.visits_per_day": None,
    }
    spec = UncertaintySpec.from_mapping(mapping, defaults=True)
    by_path = {e.path: e for e in spec}
    assert by_path["clinical.cocm_response_hr"].dist == LogNormal(3.0, 0.1)
    assert by_path["cocm.consent_probability"].dist == Fixed(0.65)
    assert "pcbh.visits_per_day" not in spec.columns
    # Mapping entries first (mapping order, Dirichlet expanded), then remaining defaults.
    assert spec.columns[:7] == (
        *(f"population.payer_mix.{k}" for k in PAYER_MIX),
        "clinical.cocm_response_hr",
        "cocm.consent_probability",
    )
    assert spec.columns[7] == "population.threshold_prevalence"
    assert spec.dim == len(spec.columns)
    frame = sample(spec, 8, seed=1)
    assert (frame["cocm.consent_probability"] == 0.65).all()


BOOL_PARAM = next(p.path for p in PARAMETERS if p.kind == "bool")
GOOD_MIX = {"dist": "dirichlet", "alphas": {k: 100 * v for k, v in PAYER_MIX.items()}}

BAD_MAPPINGS = [
    ({"clinical.cocm_respons_hr": 3.0}, "clinical.cocm_respons_hr", "did you mean"),
    ({"bogus": {"x": 1.0}}, "bogus", "a declared parameter path"),
    ({"care_model": {"dist": "uniform", "low": 0, "high": 1}}, "care_model", "choice parameter"),
    (
        {"simulation.engine": {"dist": "fixed", "value": 1}},
        "simulation.engine",
        "choice parameter",
    ),
    ({BOOL_PARAM: 1.0}, BOOL_PARAM, "bool parameter"),
    (
        {"population.payer_mix": {"dist": "uniform", "low": 0, "high": 1}},
        "population.payer_mix",
        "only takes a dirichlet",
    ),
    (
        {"clinical.cocm_response_hr": {"dist": "dirichlet", "alphas": {"a": 1, "b": 1}}},
        "clinical.cocm_response_hr",
        "is one parameter",
    ),
    (
        {"population.payer_mix": {"dist": "dirichlet", "alphas": {"medicare": 1, "dual": 1}}},
        "population.payer_mix",
        "exactly the members",
    ),
    (
        {"population.payer_mix": {**GOOD_MIX, "clip": True}},
        "population.payer_mix",
        "no clip on a dirichlet",
    ),
    (
        {"population.payer_mix": GOOD_MIX, "population.payer_mix.dual": 0.05},
        "population.payer_mix.dual",
        "also given by population.payer_mix",
    ),
    (
        {"clinical.cocm_response_hr": {"dist": "normal", "mean": 3.4, "sd": 1}},
        "clinical.cocm_response_hr",
        "or set clip: true",
    ),
    (
        {"cocm.consent_probability": {"dist": "uniform", "low": 0.5, "high": 1.2}},
        "cocm.consent_probability",
        "declared bounds",
    ),
    ({"pcbh.visits_per_day": 8.5}, "pcbh.visits_per_day", "an integer value"),
    (
        {"pcbh.visits_per_day": {"dist": "uniform", "low": 0, "high": 10}},
        "pcbh.visits_per_day",
        "support is [0, 10]",
    ),
    ({"clinical.remission_weibull_shape": 0}, "clinical.remission_weibull_shape", "(0, 100]"),
    (
        {"cocm.consent_probability": {"dist": "beta", "a": 2, "b": 2, "clip": "yes"}},
        "cocm.consent_probability",
        "clip to be true or false",
    ),
    (
        {"clinical": {"cocm_response_hr": {"dist": "lognormal", "median": -1}}},
        "clinical.cocm_response_hr",
        "median > 0",
    ),
]


@pytest.mark.parametrize(
    ("mapping", "path", "fragment"), BAD_MAPPINGS, ids=[f"{p}: {f}" for _, p, f in BAD_MAPPINGS]
)
def test_invalid_uncertainty_mapping_names_the_path(
    mapping: dict[str, Any], path: str, fragment: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        UncertaintySpec.from_mapping(mapping)
    message = str(info.value)
    assert message.startswith(f"uncertainty.{path}: ")
    assert "expected" in message
    assert fragment in message


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(ScenarioError, match=r"^care_model: .*choice parameter"):
        UncertaintySpec((UncertainParameter("care_model", Fixed(1.0)),))
    spec = UncertaintySpec((UncertainParameter("cocm.consent_probability", Beta(7, 3)),))
    assert spec.columns == ("cocm.consent_probability",)
    assert len(spec) == 1


# --------------------------------------------------------------------------- designs


@pytest.mark.parametrize("n", [1, 7, 64])
def test_lhs_has_one_point_per_stratum_in_each_dimension(n: int) -> None:
    u = design(n, 5, method="lhs", seed=11)
    assert u.shape == (n, 5)
    for j in range(5):
        assert np.array_equal(np.sort(np.floor(u[:, j] * n)), np.arange(n))
    # The same holds after the inverse CDF of a uniform parameter in a sampled frame.
    spec = UncertaintySpec.from_mapping(
        {"cocm.consent_probability": {"dist": "uniform", "low": 0, "high": 1}}
    )
    x = sample(spec, n, method="lhs", seed=3)["cocm.consent_probability"].to_numpy()
    assert np.array_equal(np.sort(np.floor(x * n)), np.arange(n))


def _spec_with_everything() -> UncertaintySpec:
    return UncertaintySpec.from_mapping(
        {
            "population.payer_mix": GOOD_MIX,
            "cocm.consent_probability": {"dist": "normal", "mean": 0.7, "sd": 0.2, "clip": True},
            "clinical.pcbh_response_hr": 1.2,
        },
        defaults=True,
    )


@pytest.mark.parametrize("method", METHODS)
def test_sampling_is_reproducible(method: str) -> None:
    spec = _spec_with_everything()
    a = sample(spec, 64, method=method, seed=2024)
    b = sample(spec, 64, method=method, seed=2024)
    pd.testing.assert_frame_equal(a, b)
    c = sample(spec, 64, method=method, seed=2025)
    assert not a.drop(columns="draw").equals(c.drop(columns="draw"))
    assert list(a.columns) == ["draw", *spec.columns]
    assert a["draw"].tolist() == list(range(64))


def test_methods_give_different_designs() -> None:
    spec = _spec_with_everything()
    frames = {m: sample(spec, 64, method=m, seed=9) for m in METHODS}
    assert not frames["sobol"].equals(frames["random"])
    assert not frames["sobol"].equals(frames["lhs"])
    assert not frames["lhs"].equals(frames["random"])
    # A scrambled Sobol' design of 2**m points is balanced: each column's mean is far closer to
    # 1/2 than the Monte Carlo standard error 0.29/sqrt(n) = 0.036 of random points.
    u = design(256, 6, method="sobol", seed=4)
    assert np.abs(u.mean(axis=0) - 0.5).max() < 0.005


def test_sobol_warns_when_n_is_not_a_power_of_two() -> None:
    spec = _spec_with_everything()
    with pytest.warns(UserWarning, match="not a power of 2") as record:
        sample(spec, 100, method="sobol", seed=1)
    assert len(record) == 1  # scipy's own duplicate warning is suppressed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sample(spec, 128, method="sobol", seed=1)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"n": 0, "seed": 1}, "n: got 0"),
        ({"n": 10, "seed": -1}, "seed: got -1"),
        ({"n": 10, "seed": 1, "method": "halton"}, "method: got 'halton'"),
    ],
)
def test_invalid_sampling_arguments(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ScenarioError, match=fragment):
        sample(_spec_with_everything(), **kwargs)


def test_sampled_values_respect_kinds_bounds_and_groups() -> None:
    spec = _spec_with_everything()
    frame = sample(spec, 2048, method="random", seed=8)
    mix = frame[[f"population.payer_mix.{k}" for k in PAYER_MIX]]
    assert np.abs(mix.sum(axis=1) - 1.0).max() < 1e-12
    visits = frame["pcbh.visits_per_day"]
    assert visits.dtype == np.int64  # integer parameter: rounded PERT(4, 8, 12)
    assert visits.between(4, 12).all()
    consent = frame["cocm.consent_probability"]
    assert consent.between(0.0, 1.0).all()
    assert (consent == 1.0).any()  # clip puts the mass beyond the bound on the bound
    assert (frame["clinical.pcbh_response_hr"] == 1.2).all()


def test_numerical_bound_violation_asks_for_clip() -> None:
    # Gamma(shape 0.01) underflows to exactly 0 for u below ~1e-3; the parameter must be > 0.
    mapping: dict[str, Any] = {
        "clinical.remission_weibull_shape": {"dist": "gamma", "shape": 0.01, "scale": 1.0}
    }
    with pytest.raises(ScenarioError, match="clip: true"):
        sample(UncertaintySpec.from_mapping(mapping), 5000, seed=1)
    mapping["clinical.remission_weibull_shape"]["clip"] = True
    frame = sample(UncertaintySpec.from_mapping(mapping), 5000, seed=1)
    assert (frame["clinical.remission_weibull_shape"] > 0).all()


# --------------------------------------------------------------------------- overrides


def test_overrides_for_draw_build_valid_scenarios() -> None:
    spec = _spec_with_everything()
    frame = sample(spec, 16, method="lhs", seed=12)
    base = default_scenario()
    for _, row in frame.iterrows():
        overrides = overrides_for_draw(row)
        assert "draw" not in overrides
        assert set(overrides) == set(spec.columns)
        ints = {p.path for p in PARAMETERS if p.kind == "int"}
        assert type(overrides["pcbh.visits_per_day"]) is int
        assert all(type(v) is int for k, v in overrides.items() if k in ints)
        assert all(type(v) is float for k, v in overrides.items() if k not in ints)
        scenario = base.with_overrides(overrides)
        for path, value in overrides.items():
            assert scenario.get(path) == value


def test_overrides_for_draw_accepts_records_and_rounds_integers() -> None:
    record = {"draw": 3, "pcbh.visits_per_day": 7.0000001, "cocm.consent_probability": 0.5}
    assert overrides_for_draw(record) == {
        "pcbh.visits_per_day": 7,
        "cocm.consent_probability": 0.5,
    }
    with pytest.raises(ScenarioError, match="care_model"):
        overrides_for_draw({"care_model": 1.0})
