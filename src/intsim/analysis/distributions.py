"""Probability distributions of uncertain parameters, each sampled through its inverse CDF.

The specification of an experiment's uncertainty (:mod:`intsim.analysis.uncertainty`) is built from
these and sampled by :mod:`intsim.analysis.sampling`. Nothing here reads files or holds state.

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
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special, stats

__all__ = [
    "CI_WIDTH",
    "Beta",
    "Dirichlet",
    "Distribution",
    "Fixed",
    "Gamma",
    "InvalidDistributionError",
    "LogNormal",
    "Normal",
    "Pert",
    "Triangular",
    "Uniform",
    "Univariate",
]

CI_WIDTH = 3.92
"""Width of a 95% interval in standard deviations (``2 x 1.96``), as in ``docs/evidence.md``."""

_SUM_TOLERANCE = 1e-6  # same tolerance as the scenario's payer-mix check


class InvalidDistributionError(ValueError):
    """Invalid distribution parameters; ``expectation`` is the bare 'expected ...' text."""

    def __init__(self, where: str, expectation: str) -> None:
        super().__init__(f"{where}: expected {expectation}")
        self.expectation = expectation


def _require(ok: bool, where: str, expectation: str) -> None:
    if not ok:
        raise InvalidDistributionError(where, expectation)


def finite_number(value: Any, name: str, where: str) -> float:
    """Return ``value`` as a finite float, or raise :class:`InvalidDistributionError`."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )
    _require(ok, where, f"{name} to be a number")
    out = float(value)
    _require(math.isfinite(out), where, f"{name} to be finite")
    return out


def short_number(x: float) -> str:
    """``x`` in the shortest general format (``%g``), for messages."""
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


class Univariate(ABC):
    """Base class of the one-dimensional distributions.

    Subclasses are frozen dataclasses; their constructors validate the parameters and raise
    :class:`ValueError` on invalid ones (``parse_distribution`` turns that into a
    :class:`~intsim.params.scenario.ScenarioError` naming the key path).
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
        object.__setattr__(self, "value", finite_number(self.value, "value", "Fixed"))

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
        object.__setattr__(self, "low", finite_number(self.low, "low", where))
        object.__setattr__(self, "high", finite_number(self.high, "high", where))
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
            object.__setattr__(self, name, finite_number(getattr(self, name), name, where))
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
            object.__setattr__(self, name, finite_number(getattr(self, name), name, where))
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
        object.__setattr__(self, "mu", finite_number(mean, "mean", where))
        object.__setattr__(self, "sd", finite_number(sd, "sd", where))
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
        object.__setattr__(self, "median", finite_number(self.median, "median", where))
        object.__setattr__(self, "sigma", finite_number(self.sigma, "sigma", where))
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
        median = finite_number(median, "median", where)
        lo, hi = finite_number(lo, "ci[0]", where), finite_number(hi, "ci[1]", where)
        _require(median > 0, where, "median > 0")
        _require(
            0 < lo < median < hi,
            where,
            f"ci [lo, hi] with 0 < lo < median ({short_number(median)}) < hi",
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
        mean, sd = finite_number(mean, "mean", where), finite_number(sd, "sd", where)
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
            object.__setattr__(self, name, finite_number(getattr(self, name), name, where))
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
        mean, sd = finite_number(mean, "mean", where), finite_number(sd, "sd", where)
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
        mean = finite_number(mean, "mean", where)
        lo, hi = finite_number(lo, "ci[0]", where), finite_number(hi, "ci[1]", where)
        _require(0 < mean < 1, where, "a beta mean in (0, 1)")
        _require(
            0 <= lo < mean < hi <= 1,
            where,
            f"ci [lo, hi] with 0 <= lo < mean ({short_number(mean)}) < hi <= 1",
        )
        sd = (hi - lo) / CI_WIDTH
        bound = math.sqrt(mean * (1 - mean))
        _require(
            sd < bound,
            where,
            f"a ci narrower than {CI_WIDTH * bound:.4g} (sd = (hi - lo)/3.92 < "
            f"sqrt(mean (1 - mean))) for a beta with mean {short_number(mean)}",
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
        object.__setattr__(self, "shape", finite_number(self.shape, "shape", where))
        object.__setattr__(self, "scale", finite_number(self.scale, "scale", where))
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
        mean, sd = finite_number(mean, "mean", where), finite_number(sd, "sd", where)
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
            value = finite_number(alpha, f"alphas.{name}", where)
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
        conc = finite_number(concentration, "concentration", where)
        _require(conc > 0, where, "concentration > 0")
        values = {name: finite_number(m, f"means.{name}", where) for name, m in means.items()}
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
