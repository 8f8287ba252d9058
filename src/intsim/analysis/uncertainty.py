"""The uncertainty specification: which parameters are uncertain and with what distribution.

A YAML ``uncertainty:`` section or the parameter declaration's defaults become an
:class:`UncertaintySpec` of :class:`UncertainParameter` entries, each a distribution of
:mod:`intsim.analysis.distributions`, checked against the parameter's limits.
:mod:`intsim.analysis.sampling` turns a specification into a table of draws. It reads no files and
holds no state.

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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from intsim.analysis.distributions import (
    Beta,
    Dirichlet,
    Distribution,
    Fixed,
    Gamma,
    InvalidDistributionError,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
    Univariate,
    finite_number,
    short_number,
)
from intsim.params import PARAMETERS, PARAMS_BY_PATH, Param, components
from intsim.params.scenario import ScenarioError

__all__ = [
    "UncertainParameter",
    "UncertaintySpec",
    "default_distribution",
    "draw_bounds",
    "parse_distribution",
    "plausible_uniform",
    "support_against_limits",
]


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
        return finite_number(value, key, path)
    except InvalidDistributionError as exc:
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
    except InvalidDistributionError as exc:
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

    For an integer parameter the draws are rounded (see :func:`intsim.analysis.sampling.sample`), so
    the two end values get half the weight of the inner integers.

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


def _on_declaration_change() -> None:
    """Follow the declaration when a component is registered or unregistered."""
    _GROUPS.clear()
    _GROUPS.update(_sections())
    _ALL_PATHS[:] = sorted({*PARAMS_BY_PATH, *_GROUPS})


components.on_change(_on_declaration_change)


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


def draw_bounds(param: Param) -> tuple[float, float]:
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
    return f"[{short_number(lo)}, {short_number(hi)}]"


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
    lo, hi = draw_bounds(param)
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
        if p.kind != "float" or draw_bounds(p)[0] > 0.0 or draw_bounds(p)[1] < 1.0:
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
        """Columns of the draws (:func:`intsim.analysis.sampling.sample`), Dirichlets expanded."""
        return tuple(col for entry in self.entries for col in entry.columns)

    @property
    def dim(self) -> int:
        """Number of uniforms one draw consumes (the dimension of the design)."""
        return sum(entry.dim for entry in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[UncertainParameter]:
        return iter(self.entries)
