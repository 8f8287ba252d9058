"""Parameter uncertainty for probabilistic sensitivity analysis (Monte Carlo, LHS, Sobol').

This module turns distribution specifications (from the parameter declaration or from a YAML
``uncertainty:`` section) into a table of parameter draws. It reads no files and holds no state.

Distribution families follow the conventions of ``docs/evidence.md``:

* **Proportions:** Beta, fitted to the point estimate and the 95% interval
  (:meth:`Beta.from_mean_ci`) or given by its shape parameters.
* **Ratios** (OR/RR/HR/IRR, cost multipliers): lognormal on the log scale with
  ``mu = ln(point)`` and ``sigma = (ln UCL - ln LCL) / 3.92`` (:meth:`LogNormal.from_ci`).
* **Costs:** gamma or lognormal (:meth:`Gamma.from_mean_sd`, :meth:`LogNormal.from_mean_sd`).
* **Standardised mean differences:** normal (optionally truncated).
* **Expert ranges with no CI:** PERT or triangular (min, mode, max).
* **Shares that must sum to 1** (e.g. the payer mix): Dirichlet over the group.

Every distribution is sampled through its inverse CDF (:meth:`ppf`), so the same matrix of
uniforms gives plain Monte Carlo, Latin hypercube or scrambled Sobol' designs.

YAML forms accepted by :func:`parse_distribution` (``ci`` is a two-element list ``[lo, hi]``,
the 95% interval)::

    0.42                                            # a bare number: fixed
    {dist: fixed, value: 0.42}
    {dist: uniform, low: 0.3, high: 0.6}
    {dist: triangular, low: 0.3, mode: 0.42, high: 0.61}
    {dist: pert, low: 4, mode: 8, high: 12}         # optional lamb (default 4)
    {dist: normal, mean: 0.3, sd: 0.05}             # optional low / high: truncated normal
    {dist: lognormal, median: 1.8, ci: [1.3, 2.9]}
    {dist: lognormal, median: 1.8, sigma: 0.2}
    {dist: lognormal, mean: 150, sd: 40}
    {dist: beta, a: 3, b: 7}                        # optional low / high: scaled beta
    {dist: beta, mean: 0.3, sd: 0.05}
    {dist: beta, mean: 0.3, ci: [0.18, 0.5]}
    {dist: gamma, mean: 1000, sd: 300}
    {dist: gamma, shape: 11.1, scale: 90}
    {dist: dirichlet, alphas: {medicare: 22, medicaid: 25, ...}}        # on a group
    {dist: dirichlet, means: {medicare: 0.22, ...}, concentration: 100}  # on a group

In an uncertainty section (:meth:`UncertaintySpec.from_mapping`) a univariate entry may also carry
``clip: true`` (see there), and ``null`` removes a parameter from sampling.
"""

from __future__ import annotations

import difflib
import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats
from scipy.stats import qmc

from intsim.params import PARAMETERS, PARAMS_BY_PATH, Param
from intsim.scenario import ScenarioError

__all__ = [
    "CI_WIDTH",
    "METHODS",
    "Beta",
    "Dirichlet",
    "Distribution",
    "Fixed",
    "Gamma",
    "LogNormal",
    "Normal",
    "Pert",
    "Triangular",
    "UncertainParameter",
    "UncertaintySpec",
    "Uniform",
    "Univariate",
    "default_distribution",
    "design",
    "overrides_for_draw",
    "parse_distribution",
    "plausible_uniform",
    "sample",
]

CI_WIDTH = 3.92
"""Width of a 95% interval in standard deviations (``2 x 1.96``), as in ``docs/evidence.md``."""

METHODS: tuple[str, ...] = ("random", "lhs", "sobol")
"""Sampling designs understood by :func:`sample`."""

# Uniforms are kept strictly inside (0, 1) so that no inverse CDF returns +-inf.
_U_MIN = 2.0**-53
_U_MAX = 1.0 - 2.0**-53
_SUM_TOLERANCE = 1e-6  # same tolerance as the scenario's payer-mix check


class _InvalidError(ValueError):
    """Invalid distribution parameters; ``expectation`` is the bare 'expected ...' text."""

    def __init__(self, where: str, expectation: str) -> None:
        super().__init__(f"{where}: expected {expectation}")
        self.expectation = expectation


def _require(ok: bool, where: str, expectation: str) -> None:
    if not ok:
        raise _InvalidError(where, expectation)


def _finite(value: Any, name: str, where: str) -> float:
    """Return ``value`` as a finite float, or raise :class:`_InvalidError`."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )
    _require(ok, where, f"{name} to be a number")
    out = float(value)
    _require(math.isfinite(out), where, f"{name} to be finite")
    return out


def _g(x: float) -> str:
    return f"{x:g}"


def _beta_ppf(a: float, b: float, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse regularised incomplete beta on ``[0, 1]``, robust in the far lower tail.

    ``scipy.special.betaincinv`` returns NaN for some shapes when ``u`` is below ~1e-100; there
    ``I_x(a, b) ~ x**a / (a B(a, b))``, so ``x = (u a B(a, b))**(1/a)`` to double precision.
    """
    x = np.asarray(special.betaincinv(a, b, u), dtype=np.float64)
    bad = np.isnan(x) & (u > 0) & (u < 1e-50)
    if bad.any():
        ub = np.where(bad, u, 1.0)
        x = np.where(bad, np.exp((np.log(ub) + math.log(a) + special.betaln(a, b)) / a), x)
    return x


# --------------------------------------------------------------------------- distributions


class Univariate(ABC):
    """Base class of the one-dimensional distributions.

    Subclasses are frozen dataclasses; their constructors validate the parameters and raise
    :class:`ValueError` on invalid ones (``parse_distribution`` turns that into a
    :class:`~intsim.scenario.ScenarioError` naming the key path).
    """

    dim: ClassVar[int] = 1
    """Number of uniforms one draw consumes."""

    @abstractmethod
    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return the inverse CDF (quantile function) at ``u``.

        Args:
            u: Probabilities in ``[0, 1]``, any shape.

        Returns:
            Quantiles, same shape as ``u``.
        """

    @abstractmethod
    def mean(self) -> float:
        """Return the mean of the distribution."""

    @abstractmethod
    def var(self) -> float:
        """Return the variance of the distribution."""

    @abstractmethod
    def support(self) -> tuple[float, float]:
        """Return the closed interval ``(low, high)`` that contains every draw."""


@dataclass(frozen=True)
class Fixed(Univariate):
    """A point mass: every draw equals ``value``.

    Attributes:
        value: The fixed value.
    """

    value: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite(self.value, "value", "Fixed"))

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return ``value`` for every ``u`` (see :meth:`Univariate.ppf`)."""
        return np.full(np.shape(u), self.value, dtype=np.float64)

    def mean(self) -> float:
        """Return ``value``."""
        return self.value

    def var(self) -> float:
        """Return 0."""
        return 0.0

    def support(self) -> tuple[float, float]:
        """Return ``(value, value)``."""
        return (self.value, self.value)


@dataclass(frozen=True)
class Uniform(Univariate):
    """Continuous uniform distribution on ``[low, high]``.

    Attributes:
        low: Lower end.
        high: Upper end (greater than ``low``).
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        where = "Uniform"
        object.__setattr__(self, "low", _finite(self.low, "low", where))
        object.__setattr__(self, "high", _finite(self.high, "high", where))
        _require(self.low < self.high, where, "low < high")

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return ``low + u (high - low)`` (see :meth:`Univariate.ppf`)."""
        return self.low + np.asarray(u, dtype=np.float64) * (self.high - self.low)

    def mean(self) -> float:
        """Return ``(low + high) / 2``."""
        return 0.5 * (self.low + self.high)

    def var(self) -> float:
        """Return ``(high - low)**2 / 12``."""
        return (self.high - self.low) ** 2 / 12.0

    def support(self) -> tuple[float, float]:
        """Return ``(low, high)``."""
        return (self.low, self.high)


@dataclass(frozen=True)
class Triangular(Univariate):
    """Triangular distribution (an expert range with no CI, ``docs/evidence.md``).

    Attributes:
        low: Minimum.
        mode: Most likely value, in ``[low, high]``.
        high: Maximum (greater than ``low``).
    """

    low: float
    mode: float
    high: float

    def __post_init__(self) -> None:
        where = "Triangular"
        for name in ("low", "mode", "high"):
            object.__setattr__(self, name, _finite(getattr(self, name), name, where))
        _require(self.low < self.high, where, "low < high")
        _require(self.low <= self.mode <= self.high, where, "low <= mode <= high")

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return the closed-form triangular quantile (see :meth:`Univariate.ppf`)."""
        u = np.asarray(u, dtype=np.float64)
        a, c, b = self.low, self.mode, self.high
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < (c - a) / (b - a), left, right)

    def mean(self) -> float:
        """Return ``(low + mode + high) / 3``."""
        return (self.low + self.mode + self.high) / 3.0

    def var(self) -> float:
        """Return ``(a² + b² + c² - ab - ac - bc) / 18``."""
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    def support(self) -> tuple[float, float]:
        """Return ``(low, high)``."""
        return (self.low, self.high)


@dataclass(frozen=True)
class Pert(Univariate):
    """Beta-PERT distribution (an expert range with no CI, ``docs/evidence.md``).

    A beta on ``[low, high]`` with shapes ``1 + lamb (mode - low) / (high - low)`` and
    ``1 + lamb (high - mode) / (high - low)``; with ``lamb = 4`` its mean is
    ``(low + 4 mode + high) / 6``.

    Attributes:
        low: Minimum.
        mode: Most likely value, in ``[low, high]``.
        high: Maximum (greater than ``low``).
        lamb: Weight of the mode (``> 0``; 4 is the classical PERT).
    """

    low: float
    mode: float
    high: float
    lamb: float = 4.0

    def __post_init__(self) -> None:
        where = "Pert"
        for name in ("low", "mode", "high", "lamb"):
            object.__setattr__(self, name, _finite(getattr(self, name), name, where))
        _require(self.low < self.high, where, "low < high")
        _require(self.low <= self.mode <= self.high, where, "low <= mode <= high")
        _require(self.lamb > 0, where, "lamb > 0")

    @property
    def alpha(self) -> float:
        """First shape parameter of the underlying beta."""
        return 1.0 + self.lamb * (self.mode - self.low) / (self.high - self.low)

    @property
    def beta(self) -> float:
        """Second shape parameter of the underlying beta."""
        return 1.0 + self.lamb * (self.high - self.mode) / (self.high - self.low)

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return the scaled beta quantile (see :meth:`Univariate.ppf`)."""
        x = _beta_ppf(self.alpha, self.beta, np.asarray(u, dtype=np.float64))
        return self.low + x * (self.high - self.low)

    def mean(self) -> float:
        """Return ``(low + lamb mode + high) / (lamb + 2)``."""
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2.0)

    def var(self) -> float:
        """Return the variance of the scaled beta."""
        a, b = self.alpha, self.beta
        return a * b / ((a + b) ** 2 * (a + b + 1.0)) * (self.high - self.low) ** 2

    def support(self) -> tuple[float, float]:
        """Return ``(low, high)``."""
        return (self.low, self.high)


@dataclass(frozen=True, init=False)
class Normal(Univariate):
    """Normal distribution, truncated to ``[low, high]`` when either bound is finite.

    Constructed as ``Normal(mean, sd, low=-inf, high=inf)``; the mean is stored as ``mu``
    because :meth:`mean` is the (truncated) mean of the distribution.

    Attributes:
        mu: Mean of the untruncated normal.
        sd: Standard deviation of the untruncated normal (``> 0``).
        low: Lower truncation point (``-inf``: none).
        high: Upper truncation point (``inf``: none).
    """

    mu: float
    sd: float
    low: float
    high: float

    def __init__(
        self, mean: float, sd: float, low: float = -math.inf, high: float = math.inf
    ) -> None:
        where = "Normal"
        object.__setattr__(self, "mu", _finite(mean, "mean", where))
        object.__setattr__(self, "sd", _finite(sd, "sd", where))
        for name, value in (("low", low), ("high", high)):
            ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
                value, bool | np.bool_
            )
            _require(ok and not math.isnan(value), where, f"{name} to be a number")
            object.__setattr__(self, name, float(value))
        _require(self.sd > 0, where, "sd > 0")
        _require(self.low < self.high, where, "low < high")

    @property
    def truncated(self) -> bool:
        """Whether either truncation point is finite."""
        return math.isfinite(self.low) or math.isfinite(self.high)

    def _frozen(self) -> Any:
        a = (self.low - self.mu) / self.sd
        b = (self.high - self.mu) / self.sd
        return stats.truncnorm(a, b, loc=self.mu, scale=self.sd)

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return the (truncated) normal quantile (see :meth:`Univariate.ppf`)."""
        u = np.asarray(u, dtype=np.float64)
        if not self.truncated:
            return self.mu + self.sd * special.ndtri(u)
        return np.clip(np.asarray(self._frozen().ppf(u), dtype=np.float64), self.low, self.high)

    def mean(self) -> float:
        """Return the mean (of the truncated distribution when truncated)."""
        return self.mu if not self.truncated else float(self._frozen().mean())

    def var(self) -> float:
        """Return the variance (of the truncated distribution when truncated)."""
        return self.sd**2 if not self.truncated else float(self._frozen().var())

    def support(self) -> tuple[float, float]:
        """Return ``(low, high)``."""
        return (self.low, self.high)


@dataclass(frozen=True)
class LogNormal(Univariate):
    """Lognormal distribution: ``ln X ~ Normal(ln median, sigma)`` (ratios, ``docs/evidence.md``).

    Attributes:
        median: Median, ``exp(mu)`` (``> 0``).
        sigma: Standard deviation of ``ln X`` (``> 0``).
    """

    median: float
    sigma: float

    def __post_init__(self) -> None:
        where = "LogNormal"
        object.__setattr__(self, "median", _finite(self.median, "median", where))
        object.__setattr__(self, "sigma", _finite(self.sigma, "sigma", where))
        _require(self.median > 0, where, "median > 0")
        _require(self.sigma > 0, where, "sigma > 0")

    @classmethod
    def from_ci(cls, median: float, lo: float, hi: float) -> LogNormal:
        """Build the lognormal of a ratio reported as point estimate and 95% CI.

        Following ``docs/evidence.md``: ``mu = ln(median)``, ``sigma = (ln hi - ln lo) / 3.92``.
        The interval need not be symmetric on the log scale; only its width is used.

        Args:
            median: Point estimate (``> 0``).
            lo: Lower 95% limit, ``0 < lo < median``.
            hi: Upper 95% limit, ``hi > median``.

        Returns:
            The lognormal distribution.

        Raises:
            ValueError: If the values are not finite or not ``0 < lo < median < hi``.
        """
        where = "LogNormal.from_ci"
        median = _finite(median, "median", where)
        lo, hi = _finite(lo, "ci[0]", where), _finite(hi, "ci[1]", where)
        _require(median > 0, where, "median > 0")
        _require(
            0 < lo < median < hi, where, f"ci [lo, hi] with 0 < lo < median ({_g(median)}) < hi"
        )
        return cls(median, (math.log(hi) - math.log(lo)) / CI_WIDTH)

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> LogNormal:
        """Build the lognormal with a given mean and standard deviation (e.g. a cost).

        Args:
            mean: Mean (``> 0``).
            sd: Standard deviation (``> 0``).

        Returns:
            The lognormal with ``sigma² = ln(1 + (sd/mean)²)`` and
            ``median = mean / sqrt(1 + (sd/mean)²)``.

        Raises:
            ValueError: If ``mean <= 0`` or ``sd <= 0``.
        """
        where = "LogNormal.from_mean_sd"
        mean, sd = _finite(mean, "mean", where), _finite(sd, "sd", where)
        _require(mean > 0, where, "mean > 0")
        _require(sd > 0, where, "sd > 0")
        s2 = math.log1p((sd / mean) ** 2)
        return cls(mean / math.exp(0.5 * s2), math.sqrt(s2))

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return ``median exp(sigma z_u)`` (see :meth:`Univariate.ppf`)."""
        return self.median * np.exp(self.sigma * special.ndtri(np.asarray(u, dtype=np.float64)))

    def mean(self) -> float:
        """Return ``median exp(sigma² / 2)``."""
        return self.median * math.exp(0.5 * self.sigma**2)

    def var(self) -> float:
        """Return ``(exp(sigma²) - 1) median² exp(sigma²)``."""
        s2 = self.sigma**2
        return math.expm1(s2) * self.median**2 * math.exp(s2)

    def support(self) -> tuple[float, float]:
        """Return ``(0, inf)``."""
        return (0.0, math.inf)


@dataclass(frozen=True)
class Beta(Univariate):
    """Beta distribution, optionally scaled to ``[low, high]`` (proportions, ``docs/evidence.md``).

    Attributes:
        a: First shape parameter (``> 0``).
        b: Second shape parameter (``> 0``).
        low: Lower end of the support (default 0).
        high: Upper end of the support (default 1).
    """

    a: float
    b: float
    low: float = 0.0
    high: float = 1.0

    def __post_init__(self) -> None:
        where = "Beta"
        for name in ("a", "b", "low", "high"):
            object.__setattr__(self, name, _finite(getattr(self, name), name, where))
        _require(self.a > 0, where, "a > 0")
        _require(self.b > 0, where, "b > 0")
        _require(self.low < self.high, where, "low < high")

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> Beta:
        """Build a beta on ``[0, 1]`` by the method of moments.

        Args:
            mean: Mean, in ``(0, 1)``.
            sd: Standard deviation, ``0 < sd < sqrt(mean (1 - mean))``.

        Returns:
            ``Beta(mean k, (1 - mean) k)`` with ``k = mean (1 - mean) / sd² - 1``.

        Raises:
            ValueError: If no beta has this mean and standard deviation.
        """
        where = "Beta.from_mean_sd"
        mean, sd = _finite(mean, "mean", where), _finite(sd, "sd", where)
        _require(0 < mean < 1, where, "a beta mean in (0, 1)")
        _require(sd > 0, where, "sd > 0")
        bound = math.sqrt(mean * (1 - mean))
        _require(sd < bound, where, f"sd < sqrt(mean (1 - mean)) = {bound:.4g} for a beta")
        k = mean * (1 - mean) / sd**2 - 1.0
        return cls(mean * k, (1 - mean) * k)

    @classmethod
    def from_mean_ci(cls, mean: float, lo: float, hi: float) -> Beta:
        """Fit a beta on ``[0, 1]`` to a mean and a 95% interval (``docs/evidence.md``).

        The mean is matched exactly: ``a = mean k``, ``b = (1 - mean) k``. The concentration
        ``k`` starts from the method of moments with ``sd = (hi - lo) / 3.92`` and is then refined
        (bounded 1-D search on ``ln k``) to minimise the squared distance between the beta's
        2.5%/97.5% quantiles and ``(lo, hi)``; an asymmetric interval is matched as closely as a
        beta with that mean allows.

        Args:
            mean: Mean, in ``(0, 1)``.
            lo: Lower 95% limit, ``0 <= lo < mean``.
            hi: Upper 95% limit, ``mean < hi <= 1``.

        Returns:
            The fitted beta (``a, b > 0``).

        Raises:
            ValueError: If the interval does not contain the mean, leaves ``[0, 1]``, or is too
                wide for a beta with this mean.
        """
        where = "Beta.from_mean_ci"
        mean = _finite(mean, "mean", where)
        lo, hi = _finite(lo, "ci[0]", where), _finite(hi, "ci[1]", where)
        _require(0 < mean < 1, where, "a beta mean in (0, 1)")
        _require(
            0 <= lo < mean < hi <= 1,
            where,
            f"ci [lo, hi] with 0 <= lo < mean ({_g(mean)}) < hi <= 1",
        )
        sd = (hi - lo) / CI_WIDTH
        bound = math.sqrt(mean * (1 - mean))
        _require(
            sd < bound,
            where,
            f"a ci narrower than {CI_WIDTH * bound:.4g} (sd = (hi - lo)/3.92 < "
            f"sqrt(mean (1 - mean))) for a beta with mean {_g(mean)}",
        )
        k0 = mean * (1 - mean) / sd**2 - 1.0
        target = np.array([lo, hi])
        probs = np.array([0.025, 0.975])

        def loss(log_k: float) -> float:
            k = math.exp(log_k)
            q = special.betaincinv(mean * k, (1 - mean) * k, probs)
            return float(np.sum((q - target) ** 2))

        start = math.log(k0)
        res = optimize.minimize_scalar(
            loss, bounds=(start - 3.0, start + 3.0), method="bounded", options={"xatol": 1e-9}
        )
        log_k = float(res.x) if res.success and loss(float(res.x)) < loss(start) else start
        k = math.exp(log_k)
        return cls(mean * k, (1 - mean) * k)

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return the (scaled) beta quantile (see :meth:`Univariate.ppf`)."""
        x = _beta_ppf(self.a, self.b, np.asarray(u, dtype=np.float64))
        return self.low + x * (self.high - self.low)

    def mean(self) -> float:
        """Return ``low + (high - low) a / (a + b)``."""
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)

    def var(self) -> float:
        """Return ``(high - low)² ab / ((a + b)² (a + b + 1))``."""
        a, b = self.a, self.b
        return (self.high - self.low) ** 2 * a * b / ((a + b) ** 2 * (a + b + 1.0))

    def support(self) -> tuple[float, float]:
        """Return ``(low, high)``."""
        return (self.low, self.high)


@dataclass(frozen=True)
class Gamma(Univariate):
    """Gamma distribution (costs, ``docs/evidence.md``).

    Attributes:
        shape: Shape parameter ``k`` (``> 0``).
        scale: Scale parameter ``theta`` (``> 0``).
    """

    shape: float
    scale: float

    def __post_init__(self) -> None:
        where = "Gamma"
        object.__setattr__(self, "shape", _finite(self.shape, "shape", where))
        object.__setattr__(self, "scale", _finite(self.scale, "scale", where))
        _require(self.shape > 0, where, "shape > 0")
        _require(self.scale > 0, where, "scale > 0")

    @classmethod
    def from_mean_sd(cls, mean: float, sd: float) -> Gamma:
        """Build the gamma with a given mean and standard deviation.

        Args:
            mean: Mean (``> 0``).
            sd: Standard deviation (``> 0``).

        Returns:
            ``Gamma(shape=(mean/sd)², scale=sd²/mean)``.

        Raises:
            ValueError: If ``mean <= 0`` or ``sd <= 0``.
        """
        where = "Gamma.from_mean_sd"
        mean, sd = _finite(mean, "mean", where), _finite(sd, "sd", where)
        _require(mean > 0, where, "mean > 0")
        _require(sd > 0, where, "sd > 0")
        return cls((mean / sd) ** 2, sd**2 / mean)

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Return the gamma quantile (see :meth:`Univariate.ppf`)."""
        return self.scale * special.gammaincinv(self.shape, np.asarray(u, dtype=np.float64))

    def mean(self) -> float:
        """Return ``shape scale``."""
        return self.shape * self.scale

    def var(self) -> float:
        """Return ``shape scale²``."""
        return self.shape * self.scale**2

    def support(self) -> tuple[float, float]:
        """Return ``(0, inf)``."""
        return (0.0, math.inf)


@dataclass(frozen=True)
class Dirichlet:
    """Dirichlet distribution over a group of shares that must sum to 1 (e.g. the payer mix).

    A draw normalises independent ``Gamma(alpha_i, 1)`` variables, each obtained by the gamma
    inverse CDF of its own uniform, so the group consumes ``k`` uniforms of the design.

    Attributes:
        alphas: Concentration of each member, by member name (``> 0``, at least two members).
            The order of the mapping is the order of the output columns.
    """

    alphas: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = "Dirichlet"
        _require(isinstance(self.alphas, Mapping), where, "alphas to be a mapping name: alpha")
        _require(len(self.alphas) >= 2, where, "alphas for at least two members")
        clean: dict[str, float] = {}
        for name, alpha in self.alphas.items():
            _require(isinstance(name, str) and bool(name), where, "member names to be text")
            value = _finite(alpha, f"alphas.{name}", where)
            _require(value > 0, where, f"alphas.{name} > 0")
            clean[name] = value
        object.__setattr__(self, "alphas", clean)

    def __hash__(self) -> int:
        return hash(tuple(self.alphas.items()))

    @classmethod
    def from_means(cls, means: Mapping[str, float], concentration: float) -> Dirichlet:
        """Build a Dirichlet from mean shares and a total concentration.

        Args:
            means: Mean share of each member (``> 0``, summing to 1 within 1e-6; renormalised).
            concentration: ``sum(alphas)`` (``> 0``); larger means less spread.

        Returns:
            ``Dirichlet({name: mean * concentration})``.

        Raises:
            ValueError: On non-positive shares, shares not summing to 1, or concentration <= 0.
        """
        where = "Dirichlet.from_means"
        _require(isinstance(means, Mapping), where, "means to be a mapping name: share")
        conc = _finite(concentration, "concentration", where)
        _require(conc > 0, where, "concentration > 0")
        values = {name: _finite(m, f"means.{name}", where) for name, m in means.items()}
        for name, m in values.items():
            _require(m > 0, where, f"means.{name} > 0")
        total = sum(values.values())
        listed = ", ".join(f"{name} {m:g}" for name, m in values.items())
        _require(
            abs(total - 1.0) <= _SUM_TOLERANCE,
            where,
            f"means summing to 1 (sum is {total:g}: {listed})",
        )
        return cls({name: m / total * conc for name, m in values.items()})

    @property
    def dim(self) -> int:
        """Number of uniforms one draw consumes (the number of members)."""
        return len(self.alphas)

    @property
    def names(self) -> tuple[str, ...]:
        """Member names, in column order."""
        return tuple(self.alphas)

    def ppf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Map uniforms to shares.

        Args:
            u: Uniforms of shape ``(..., k)``; column ``i`` drives member ``i``.

        Returns:
            Shares of shape ``(..., k)``; each row sums to 1.
        """
        u = np.asarray(u, dtype=np.float64)
        if u.shape[-1] != self.dim:
            raise ValueError(f"Dirichlet.ppf: expected last axis of length {self.dim}")
        g = special.gammaincinv(np.array(list(self.alphas.values())), u)
        return g / g.sum(axis=-1, keepdims=True)

    def mean(self) -> dict[str, float]:
        """Return the mean share of each member, ``alpha_i / sum(alpha)``."""
        total = sum(self.alphas.values())
        return {name: a / total for name, a in self.alphas.items()}

    def var(self) -> dict[str, float]:
        """Return the marginal variance of each share, ``alpha_i (a0 - alpha_i) / (a0² (a0+1))``."""
        a0 = sum(self.alphas.values())
        return {name: a * (a0 - a) / (a0**2 * (a0 + 1.0)) for name, a in self.alphas.items()}

    def support(self) -> tuple[float, float]:
        """Return ``(0, 1)``, the support of every share."""
        return (0.0, 1.0)


Distribution = Univariate | Dirichlet
"""Any distribution of this module."""


# --------------------------------------------------------------------------- YAML parsing


def _show(value: Any) -> str:
    text = repr(dict(value)) if isinstance(value, Mapping) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _fail(path: str, value: Any, expectation: str) -> ScenarioError:
    return ScenarioError(f"{path}: got {_show(value)}; expected {expectation}")


@dataclass(frozen=True)
class _Form:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    build: Callable[..., Distribution]

    def describe(self) -> str:
        keys = ", ".join(self.required)
        if self.optional:
            keys += "".join(f"[, {k}]" for k in self.optional)
        return "{" + keys + "}"


_FORMS: dict[str, tuple[_Form, ...]] = {
    "fixed": (_Form(("value",), (), Fixed),),
    "uniform": (_Form(("low", "high"), (), Uniform),),
    "triangular": (_Form(("low", "mode", "high"), (), Triangular),),
    "pert": (_Form(("low", "mode", "high"), ("lamb",), Pert),),
    "normal": (_Form(("mean", "sd"), ("low", "high"), Normal),),
    "lognormal": (
        _Form(("median", "ci"), (), lambda median, ci: LogNormal.from_ci(median, *ci)),
        _Form(("median", "sigma"), (), LogNormal),
        _Form(("mean", "sd"), (), LogNormal.from_mean_sd),
    ),
    "beta": (
        _Form(("a", "b"), ("low", "high"), Beta),
        _Form(("mean", "sd"), (), Beta.from_mean_sd),
        _Form(("mean", "ci"), (), lambda mean, ci: Beta.from_mean_ci(mean, *ci)),
    ),
    "gamma": (
        _Form(("mean", "sd"), (), Gamma.from_mean_sd),
        _Form(("shape", "scale"), (), Gamma),
    ),
    "dirichlet": (
        _Form(("alphas",), (), Dirichlet),
        _Form(("means", "concentration"), (), Dirichlet.from_means),
    ),
}


def _convert(key: str, value: Any, path: str, spec: Any) -> Any:
    """Type-check one key of a distribution spec (numbers, ``ci`` pairs, member mappings)."""
    if key == "ci":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise _fail(path, spec, "ci to be a list [lo, hi] of two numbers")
        return tuple(_number(f"ci[{i}]", v, path, spec) for i, v in enumerate(value))
    if key in ("alphas", "means"):
        if not isinstance(value, Mapping) or not value:
            raise _fail(path, spec, f"{key} to be a mapping of member names to numbers")
        return {str(k): _number(f"{key}.{k}", v, path, spec) for k, v in value.items()}
    return _number(key, value, path, spec)


def _number(key: str, value: Any, path: str, spec: Any) -> float:
    try:
        return _finite(value, key, path)
    except _InvalidError as exc:
        raise _fail(path, spec, exc.expectation) from None


def parse_distribution(spec: Mapping[str, Any] | float, path: str) -> Distribution:
    """Parse one distribution given in YAML form (see the module docstring for the forms).

    Args:
        spec: A mapping with a ``dist`` key and the keys of one form of that family, or a bare
            number (a :class:`Fixed` value).
        path: Key path used in error messages, e.g. ``uncertainty.clinical.cocm_response_hr``.

    Returns:
        The distribution.

    Raises:
        ScenarioError: With one message naming ``path``, the value and what was expected.
    """
    if isinstance(spec, bool | np.bool_) or not isinstance(
        spec, Mapping | int | float | np.integer | np.floating
    ):
        raise _fail(path, spec, "a number or a mapping with a 'dist' key")
    if not isinstance(spec, Mapping):
        return Fixed(_number("the value", spec, path, spec))
    if "dist" not in spec:
        raise _fail(path, spec, f"a 'dist' key (one of {', '.join(sorted(_FORMS))})")
    name = spec["dist"]
    if not isinstance(name, str) or name not in _FORMS:
        raise _fail(path, spec, f"dist to be one of {', '.join(sorted(_FORMS))}")
    forms = _FORMS[name]
    ordered = [k for k in spec if k != "dist"]  # spec order: deterministic messages
    keys = set(ordered)
    known = {k for f in forms for k in (*f.required, *f.optional)}
    alternatives = " or ".join(f.describe() for f in forms)
    unknown = [str(k) for k in ordered if k not in known]
    if unknown:
        raise _fail(path, spec, f"no key {unknown[0]!r} for dist: {name} (keys: {alternatives})")
    kwargs = {str(k): _convert(str(k), spec[k], path, spec) for k in ordered}
    for key, value in kwargs.items():
        _check_key(name, key, value, path, spec)
    matches = [f for f in forms if set(f.required) <= keys <= {*f.required, *f.optional}]
    if len(matches) != 1:
        allowing = [f for f in forms if keys <= {*f.required, *f.optional}]
        missing = [", ".join(k for k in f.required if k not in keys) for f in allowing]
        hint = f" (missing {' or '.join(missing)})" if missing else " (keys of several forms)"
        raise _fail(path, spec, f"dist: {name} with keys {alternatives}{hint}")
    try:
        return matches[0].build(**kwargs)
    except _InvalidError as exc:
        raise _fail(path, spec, exc.expectation) from None


_POSITIVE_KEYS = frozenset({"median", "sd", "sigma", "shape", "scale", "a", "b", "lamb"})


def _check_key(family: str, key: str, value: Any, path: str, spec: Any) -> None:
    """Report an out-of-range value before the form is matched (``median: -1`` -> median > 0)."""
    if key in _POSITIVE_KEYS or (key in ("mean", "concentration") and family != "normal"):
        if family == "beta" and key == "mean":
            if not 0 < value < 1:
                raise _fail(path, spec, "a beta mean in (0, 1)")
        elif value <= 0:
            raise _fail(path, spec, f"{key} > 0")
    if key in ("alphas", "means"):
        for member, x in value.items():
            if x <= 0:
                raise _fail(path, spec, f"{key}.{member} > 0")


# --------------------------------------------------------------------------- declaration

_DECLARED: dict[str, Callable[..., Univariate]] = {
    "beta_mean_ci": Beta.from_mean_ci,  # (mean, lo, hi)
    "lognormal_median_ci": LogNormal.from_ci,  # (median, lo, hi)
    "pert": Pert,  # (low, mode, high)
    "triangular": Triangular,  # (low, mode, high)
    "uniform": Uniform,  # (low, high)
    "beta_mean_sd": Beta.from_mean_sd,  # (mean, sd)
    "gamma_mean_sd": Gamma.from_mean_sd,  # (mean, sd)
    "lognormal_median_sigma": LogNormal,  # (median, sigma)
}


def default_distribution(param: Param) -> Univariate | None:
    """Return the distribution declared for a parameter (``Param.dist``), if any.

    Tags understood: ``("beta_mean_ci", mean, lo, hi)`` -> :meth:`Beta.from_mean_ci`;
    ``("lognormal_median_ci", median, lo, hi)`` -> :meth:`LogNormal.from_ci`;
    ``("pert", low, mode, high)`` -> :class:`Pert`; ``("triangular", low, mode, high)`` ->
    :class:`Triangular`; and ``("uniform", low, high)``, ``("beta_mean_sd", mean, sd)``,
    ``("gamma_mean_sd", mean, sd)``, ``("lognormal_median_sigma", median, sigma)``.

    Args:
        param: A declared parameter.

    Returns:
        The distribution, or ``None`` when the declaration carries none (or the parameter is a
        choice or boolean).

    Raises:
        ValueError: If the declaration's ``dist`` tuple is malformed (a bug in the declaration).
    """
    if param.dist is None or param.kind not in ("float", "int"):
        return None
    tag, *args = param.dist
    build = _DECLARED.get(tag)
    if build is None:
        raise ValueError(
            f"{param.path}: unknown declared dist {tag!r}; expected one of {list(_DECLARED)}"
        )
    try:
        return build(*args)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{param.path}: invalid declared dist {param.dist!r}: {exc}") from None


def plausible_uniform(param: Param) -> Uniform | None:
    """Return ``Uniform(plausible low, plausible high)`` for one-at-a-time or Sobol sweeps.

    For an integer parameter the draws are rounded (see :func:`sample`), so the two end values get
    half the weight of the inner integers.

    Args:
        param: A declared parameter.

    Returns:
        The uniform over the plausible range, or ``None`` when the parameter has no plausible
        range, is not numeric, or the range is a single point.
    """
    if param.plausible is None or param.kind not in ("float", "int"):
        return None
    low, high = param.plausible
    if not low < high:
        return None
    return Uniform(low, high)


def _sections() -> dict[str, tuple[Param, ...]]:
    """Map every section path to the parameters directly under it."""
    out: dict[str, list[Param]] = {}
    for p in PARAMETERS:
        parts = p.path.split(".")
        for i in range(1, len(parts)):
            out.setdefault(".".join(parts[:i]), [])
        if len(parts) > 1:
            out[p.section].append(p)
    return {k: tuple(v) for k, v in out.items()}


_GROUPS = _sections()
_ALL_PATHS = sorted({*PARAMS_BY_PATH, *_GROUPS})


#: Tail probability of a distribution with an open upper tail allowed beyond a unit's limit.
UNIT_LIMIT_TAIL = 1e-12


def support_against_limits(dist: Univariate, param: Param) -> tuple[float, float]:
    """The support of ``dist`` as checked against the hard bounds of ``param``.

    An open upper tail (lognormal, gamma) against a limit that comes from the unit (a $10M
    salary, a hazard ratio of 100) is taken at its ``1 - UNIT_LIMIT_TAIL`` quantile, which no
    draw reaches in practice (a draw beyond the limit would still be refused); against a
    declared bound it stays infinite.
    """
    low, high = dist.support()
    if math.isinf(high) and param.bounds[1] is None:
        high = float(dist.ppf(np.array([1.0 - UNIT_LIMIT_TAIL]))[0])
    return low, high


def _bounds(param: Param) -> tuple[float, float]:
    """Inclusive bounds that every draw must satisfy (strict lower bounds made inclusive).

    The parameter's hard bounds: the declared ones, closed by the limits of its unit.
    """
    low, high = param.hard_bounds
    lo = -math.inf if low is None else float(low)
    hi = math.inf if high is None else float(high)
    if param.positive and low is not None:
        lo = lo + 1.0 if param.kind == "int" else math.nextafter(lo, math.inf)
    return lo, hi


def _range(lo: float, hi: float) -> str:
    return f"[{_g(lo)}, {_g(hi)}]"


@dataclass(frozen=True)
class UncertainParameter:
    """One entry of an :class:`UncertaintySpec`.

    Attributes:
        path: Dotted parameter path, or a group path (e.g. ``population.payer_mix``) for a
            :class:`Dirichlet`.
        dist: The distribution of the parameter (or of the group's shares).
        clip: Clip draws to the parameter's declared bounds instead of rejecting a distribution
            whose support exceeds them. Clipping puts the out-of-bounds probability mass on the
            bound itself (it does not truncate and renormalise). Not allowed for a Dirichlet.
    """

    path: str
    dist: Distribution
    clip: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        """Output columns: ``(path,)``, or ``path.member`` for each member of a Dirichlet."""
        if isinstance(self.dist, Dirichlet):
            return tuple(f"{self.path}.{name}" for name in self.dist.names)
        return (self.path,)

    @property
    def dim(self) -> int:
        """Number of uniforms one draw of this entry consumes."""
        return self.dist.dim


def _unknown(where: str, path: str, shown: Any) -> ScenarioError:
    close = difflib.get_close_matches(path, _ALL_PATHS, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return _fail(where, shown, f"a declared parameter path{hint}")


def _check_entry(entry: UncertainParameter, where: str, shown: Any) -> None:
    """Validate one entry against the parameter declaration (see :class:`UncertaintySpec`)."""
    path, dist = entry.path, entry.dist
    if not isinstance(entry.clip, bool):
        raise _fail(where, shown, "clip to be true or false")
    if isinstance(dist, Dirichlet):
        _check_group(entry, where, shown)
        return
    if not isinstance(dist, Univariate):
        raise _fail(where, shown, "a distribution")
    param = PARAMS_BY_PATH.get(path)
    if param is None:
        if path in _GROUPS:
            raise _fail(
                where, shown, f"a parameter: {path} is a group, which only takes a dirichlet"
            )
        raise _unknown(where, path, shown)
    if param.kind not in ("float", "int"):
        raise _fail(
            where,
            shown,
            f"no distribution: {path} is a {param.kind} parameter "
            "(set its value in the scenario instead)",
        )
    if entry.clip:
        return
    if param.kind == "int" and isinstance(dist, Fixed) and not dist.value.is_integer():
        raise _fail(where, shown, f"an integer value ({path} is an integer parameter)")
    s_lo, s_hi = support_against_limits(dist, param)
    if param.kind == "int":
        s_lo, s_hi = float(np.rint(s_lo)), float(np.rint(s_hi))
    lo, hi = _bounds(param)
    if not isinstance(dist, Fixed) and param.kind == "float" and param.bounds[0] is not None:
        lo = float(param.bounds[0])  # a continuous draw equals a strict bound with probability 0
    if s_lo < lo or s_hi > hi:
        if isinstance(dist, Fixed):
            raise _fail(where, shown, f"{param.expectation()} (or set clip: true)")
        raise _fail(
            where,
            shown,
            f"draws within the declared bounds of {path} ({param.expectation()}), but the "
            f"support is {_range(s_lo, s_hi)}; narrow or truncate the distribution, "
            "or set clip: true",
        )


def _check_group(entry: UncertainParameter, where: str, shown: Any) -> None:
    path, dist = entry.path, entry.dist
    assert isinstance(dist, Dirichlet)
    if path in PARAMS_BY_PATH:
        raise _fail(
            where,
            shown,
            f"a univariate distribution: {path} is one parameter, and a dirichlet is given on a "
            "group of parameters (e.g. population.payer_mix)",
        )
    if path not in _GROUPS:
        raise _unknown(where, path, shown)
    members = _GROUPS[path]
    names = [p.name for p in members]
    if set(dist.names) != set(names):
        raise _fail(where, shown, f"alphas for exactly the members of {path}: {', '.join(names)}")
    for p in members:
        if p.kind != "float" or _bounds(p)[0] > 0.0 or _bounds(p)[1] < 1.0:
            raise _fail(
                where,
                shown,
                f"a group of shares in [0, 1] for a dirichlet ({p.path}: {p.expectation()})",
            )
    if entry.clip:
        raise _fail(where, shown, "no clip on a dirichlet (clipping would break the sum to 1)")


def _check_columns(entries: tuple[UncertainParameter, ...], prefix: str) -> None:
    seen: dict[str, str] = {}
    for entry in entries:
        for col in entry.columns:
            if col in seen:
                where = f"{prefix}.{entry.path}" if prefix else entry.path
                raise ScenarioError(
                    f"{where}: {col} is also given by {seen[col]}; expected each parameter "
                    "to carry one distribution"
                )
            seen[col] = entry.path


@dataclass(frozen=True)
class UncertaintySpec:
    """An ordered, validated set of uncertain parameters.

    Validation against the parameter declaration (:mod:`intsim.params`):

    * every path must be a declared parameter, or a group (a section such as
      ``population.payer_mix``) for a :class:`Dirichlet`, whose ``alphas`` must name exactly the
      parameters directly under it;
    * choice and boolean parameters cannot carry a distribution;
    * integer parameters are sampled from the continuous distribution and rounded to the nearest
      integer (``numpy.rint``: halves go to the even neighbour); a fixed value must be an integer;
    * the support of each distribution (after rounding, for integers) must lie within the
      declared hard bounds, unless the entry sets ``clip: true``, in which case draws are clipped
      to the bounds (a strict lower bound ``> low`` clips to the next representable float, or
      ``low + 1`` for integers);
    * no parameter may be given twice (e.g. both by a group and on its own).

    Attributes:
        entries: The uncertain parameters, in column order.
    """

    entries: tuple[UncertainParameter, ...] = ()

    def __post_init__(self) -> None:
        entries = tuple(self.entries)
        object.__setattr__(self, "entries", entries)
        for entry in entries:
            if not isinstance(entry, UncertainParameter):
                raise TypeError(f"UncertaintySpec: expected UncertainParameter, got {entry!r}")
            _check_entry(entry, entry.path, entry.dist)
        _check_columns(entries, "")

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[str, Any],
        *,
        defaults: bool = False,
        prefix: str = "uncertainty",
    ) -> UncertaintySpec:
        """Build a spec from a YAML-style mapping of parameter paths to distributions.

        Keys are dotted paths (``clinical.cocm_response_hr``) or nested sections
        (``clinical: {cocm_response_hr: ...}``); a mapping without a ``dist`` key under a section
        path is read as a nested section. Values are the forms of :func:`parse_distribution`,
        optionally with ``clip: true``; ``null`` means "not sampled" (useful to drop a declared
        default). Example::

            clinical.cocm_response_hr: {dist: lognormal, median: 3.4, ci: [2.5, 4.6]}
            cocm.consent_probability: {dist: beta, mean: 0.7, ci: [0.55, 0.85]}
            population.payer_mix: {dist: dirichlet, means: {...}, concentration: 200}
            costs.bhc_salary: {dist: normal, mean: 80000, sd: 20000, clip: true}
            pcbh.visits_per_day: null

        Args:
            mapping: Parameter paths to distribution specs.
            defaults: Also include every declared parameter with a ``dist`` in the declaration
                (:func:`default_distribution`) that the mapping does not mention (an entry in the
                mapping, a fixed value or ``null`` all take precedence).
            prefix: Prepended to key paths in error messages (the YAML section's name).

        Returns:
            The spec: mapping entries in mapping order, then declared defaults in declaration
            order.

        Raises:
            ScenarioError: On any invalid entry, with one message naming the key path, the value
                and what was expected.
        """
        given: dict[str, UncertainParameter | None] = {}

        def name(path: str) -> str:
            return f"{prefix}.{path}" if prefix else path

        def walk(node: Mapping[Any, Any], section: str) -> None:
            for key, value in node.items():
                if not isinstance(key, str) or not key.strip():
                    where = name(f"{section}.{key}" if section else str(key))
                    raise ScenarioError(f"{where}: got key {key!r}; expected a parameter path")
                path = f"{section}.{key}" if section else key
                if isinstance(value, Mapping) and "dist" not in value and path in _GROUPS and value:
                    walk(value, path)
                    continue
                if path in given:
                    raise _fail(name(path), value, "each parameter to be given once")
                if path not in PARAMS_BY_PATH and path not in _GROUPS:
                    raise _unknown(name(path), path, value)
                if value is None:
                    given[path] = None
                    continue
                clip = False
                spec = value
                if isinstance(value, Mapping) and "clip" in value:
                    clip = value["clip"]
                    if not isinstance(clip, bool):
                        raise _fail(name(path), value, "clip to be true or false")
                    spec = {k: v for k, v in value.items() if k != "clip"}
                entry = UncertainParameter(path, parse_distribution(spec, name(path)), clip)
                _check_entry(entry, name(path), value)
                given[path] = entry

        if not isinstance(mapping, Mapping):
            raise _fail(prefix or "uncertainty", mapping, "a mapping of parameter paths")
        walk(mapping, "")
        entries = [e for e in given.values() if e is not None]
        if defaults:
            for p in PARAMETERS:
                covered = any(p.path == g or p.path.startswith(g + ".") for g in given)
                dist = default_distribution(p)
                if dist is not None and not covered:
                    entries.append(UncertainParameter(p.path, dist))
        _check_columns(tuple(entries), prefix)
        return cls(tuple(entries))

    @property
    def columns(self) -> tuple[str, ...]:
        """Parameter columns of :func:`sample`'s output, in order (Dirichlets expanded)."""
        return tuple(col for entry in self.entries for col in entry.columns)

    @property
    def dim(self) -> int:
        """Number of uniforms one draw consumes (the dimension of the design)."""
        return sum(entry.dim for entry in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[UncertainParameter]:
        return iter(self.entries)


# --------------------------------------------------------------------------- sampling


def _engine(cls: Any, d: int, seed: int) -> Any:
    """Build a scipy QMC engine seeded from ``SeedSequence(seed)`` (``rng=`` or older ``seed=``)."""
    gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    try:
        return cls(d, scramble=True, rng=gen)
    except TypeError:  # scipy < 1.15 names the keyword ``seed``
        return cls(d, scramble=True, seed=gen)


def _check_design_args(n: Any, method: Any, seed: Any) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ScenarioError(f"n: got {n!r}; expected a positive integer number of draws")
    if method not in METHODS:
        raise ScenarioError(f"method: got {method!r}; expected one of {', '.join(METHODS)}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ScenarioError(f"seed: got {seed!r}; expected a non-negative integer")


def _design(n: int, d: int, method: str, seed: int, stacklevel: int) -> NDArray[np.float64]:
    if d == 0:
        return np.empty((n, 0))
    if method == "random":
        gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
        u = gen.random((n, d))
    elif method == "lhs":
        u = _engine(qmc.LatinHypercube, d, seed).random(n)
    else:
        if n & (n - 1):
            warnings.warn(
                f"sobol: n={n} is not a power of 2; Sobol' points keep their balance "
                "properties only for n = 2**m",
                UserWarning,
                stacklevel=stacklevel,
            )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*balance properties", category=UserWarning)
            u = _engine(qmc.Sobol, d, seed).random(n)
    return np.clip(np.asarray(u, dtype=np.float64), _U_MIN, _U_MAX)


def design(n: int, d: int, *, method: str = "random", seed: int) -> NDArray[np.float64]:
    """Return an ``(n, d)`` matrix of uniforms in ``(0, 1)`` for one sampling design.

    * ``random``: ``numpy.random.Generator(PCG64(SeedSequence(seed))).random((n, d))``;
    * ``lhs``: ``scipy.stats.qmc.LatinHypercube(d)`` (scrambled within strata): each column
      has exactly one point in each of the ``n`` strata ``[i/n, (i+1)/n)``;
    * ``sobol``: scrambled ``scipy.stats.qmc.Sobol(d)``; ``n`` should be a power of 2 (a
      :class:`UserWarning` is issued otherwise).

    The QMC engines are seeded with a generator built from ``SeedSequence(seed)``. Values are
    kept within ``[2**-53, 1 - 2**-53]`` so no inverse CDF returns an infinity.

    Args:
        n: Number of points (``>= 1``).
        d: Dimension (``>= 0``).
        method: ``"random"``, ``"lhs"`` or ``"sobol"``.
        seed: Non-negative integer seed.

    Returns:
        The uniforms; the same arguments always give the same matrix.

    Raises:
        ScenarioError: On an invalid ``n``, ``method`` or ``seed``.
    """
    _check_design_args(n, method, seed)
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 0:
        raise ScenarioError(f"d: got {d!r}; expected a non-negative integer dimension")
    return _design(int(n), int(d), method, int(seed), stacklevel=3)


def sample(spec: UncertaintySpec, n: int, *, method: str = "random", seed: int) -> pd.DataFrame:
    """Draw ``n`` parameter sets from an uncertainty spec.

    The design (:func:`design`) has one column per uniform the spec consumes, in spec order (a
    :class:`Fixed` entry consumes one, a Dirichlet group one per member); each entry maps its
    uniforms through its inverse CDF. Integer parameters are rounded (``numpy.rint``) and stored
    as ``int64``; entries with ``clip: true`` are clipped to the declared bounds.

    Args:
        spec: The uncertain parameters.
        n: Number of draws (``>= 1``).
        method: ``"random"`` (Monte Carlo), ``"lhs"`` (Latin hypercube) or ``"sobol"``
            (scrambled Sobol'; ``n`` should be a power of 2).
        seed: Non-negative integer seed; the same spec, ``n``, method and seed always give the
            same frame.

    Returns:
        A frame with column ``draw`` (``0 .. n-1``) and one column per parameter path in
        :attr:`UncertaintySpec.columns` order (Dirichlet groups as ``group.member``).

    Raises:
        ScenarioError: On invalid arguments, or if a draw falls outside the declared bounds
            numerically (e.g. a lognormal underflowing to exactly 0 for a parameter that must
            be positive): set ``clip: true`` on that entry.
    """
    _check_design_args(n, method, seed)
    u = _design(int(n), spec.dim, method, int(seed), stacklevel=3)
    data: dict[str, NDArray[Any]] = {"draw": np.arange(n, dtype=np.int64)}
    j = 0
    for entry in spec.entries:
        block = u[:, j : j + entry.dim]
        j += entry.dim
        if isinstance(entry.dist, Dirichlet):
            shares = entry.dist.ppf(block)
            for k, col in enumerate(entry.columns):
                data[col] = shares[:, k]
            _check_draws(entry.path, shares)
            continue
        param = PARAMS_BY_PATH[entry.path]
        x = entry.dist.ppf(block[:, 0])
        if param.kind == "int":
            x = np.rint(x)
        lo, hi = _bounds(param)
        if entry.clip:
            x = np.clip(x, lo, hi)
        bad = ~((x >= lo) & (x <= hi))
        if bad.any():
            i = int(np.argmax(bad))
            raise ScenarioError(
                f"{entry.path}: draw {i} is {x[i]:g}, outside the declared bounds "
                f"({param.expectation()}); expected the distribution to stay within them "
                "(set clip: true on this entry)"
            )
        data[entry.path] = x.astype(np.int64) if param.kind == "int" else x
    return pd.DataFrame(data, columns=["draw", *spec.columns])


def _check_draws(path: str, shares: NDArray[np.float64]) -> None:
    if not np.isfinite(shares).all():
        raise ScenarioError(
            f"{path}: the dirichlet produced non-finite shares (gamma draws underflowed); "
            "expected larger alphas"
        )


def overrides_for_draw(frame_row: pd.Series | Mapping[str, Any]) -> dict[str, float | int]:
    """Convert one sampled row into overrides for :meth:`Scenario.with_overrides`.

    The ``draw`` column is dropped. Values become plain Python numbers (the scenario schema is
    strict: ``numpy.int64`` is not an ``int``): integer parameters are rounded to the nearest
    integer (a row taken with ``frame.iloc[i]`` holds them as floats), the rest become ``float``.

    Args:
        frame_row: A row of :func:`sample`'s frame (a ``Series``, or a mapping such as one
            record of ``frame.to_dict("records")``).

    Returns:
        Dotted parameter path -> value.

    Raises:
        ScenarioError: On a column that is not a declared parameter, or a non-finite value.
    """
    out: dict[str, float | int] = {}
    for key, value in frame_row.items():
        if key == "draw":
            continue
        param = PARAMS_BY_PATH.get(str(key))
        if param is None or param.kind not in ("float", "int"):
            raise ScenarioError(f"{key}: got column {key!r}; expected a numeric parameter path")
        x = float(value)
        if not math.isfinite(x):
            raise ScenarioError(f"{key}: got {value!r}; expected a finite number")
        out[str(key)] = round(x) if param.kind == "int" else x
    return out
