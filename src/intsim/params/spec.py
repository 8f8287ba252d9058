"""The form of a parameter declaration: :class:`Param`, shared constants and helpers.

The declarations themselves live in :mod:`intsim.params.clinic` (the clinic model) and
:mod:`intsim.params.money` (billing, payers, payment models, costs); :mod:`intsim.params`
assembles them into the one table everything else reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["float", "int", "bool", "choice"]

CARE_MODELS: tuple[str, ...] = ("usual_care", "cocm", "pcbh", "hybrid")
ENGINES: tuple[str, ...] = ("arrays", "agents")
PAYERS: tuple[str, ...] = ("medicare", "medicaid", "commercial", "dual", "uninsured")

EVIDENCE = "docs/evidence.md"
CALIB = "docs/targets.md"
FIT = "fitted by experiments/calibration.py --fit"


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    Attributes:
        path: Dotted key path in the scenario file, e.g. ``cocm.caseload_per_fte``.
        default: Default value (before any scenario file or override).
        unit: Unit, e.g. ``probability per month``, ``minutes``, ``USD per year``.
        description: What the parameter means in the model.
        source: Citation for the default, or ``assumption: ...`` with its basis.
        kind: Value type: ``float``, ``int``, ``bool`` or ``choice``.
        bounds: Hard validity bounds ``(low, high)``, inclusive; ``None`` for unbounded sides.
        plausible: Plausible range ``(low, high)`` for sensitivity analysis.
        dist: Optional uncertainty distribution, e.g. ``("beta_mean_ci", 0.3, 0.18, 0.5)``.
        choices: Allowed values for ``kind="choice"``.
        positive: If true, the value must be strictly greater than the lower bound.
        off_value: A value that switches the feature off (e.g. ``0: no limit``); it lies outside
            the plausible range on purpose and is never warned about.
        label: Human name on figure axes when the one derived from the path reads badly
            (:func:`intsim.analysis.figures.param_name`); ``""`` to derive it.

    Hard bounds (:attr:`hard_bounds`) are ``bounds`` with each open side closed by the limit of
    the unit (:data:`UNIT_LIMITS`): a value outside them is refused. A value inside them but
    outside ``plausible`` is accepted with a warning (:mod:`intsim.params.checks`).
    """

    path: str
    default: Any
    unit: str
    description: str
    source: str
    kind: Kind = "float"
    bounds: tuple[float | None, float | None] = (None, None)
    plausible: tuple[float, float] | None = None
    dist: tuple[Any, ...] | None = None
    choices: tuple[str, ...] = ()
    positive: bool = False
    off_value: float | None = None
    label: str = ""

    @property
    def hard_bounds(self) -> tuple[float | None, float | None]:
        """Values outside these (inclusive) bounds are impossible: refused with exit status 2.

        The declared ``bounds``, with a side the declaration leaves open taken from the unit
        (:data:`UNIT_LIMITS`); ``(None, None)`` for booleans and choices.
        """
        if self.kind not in ("float", "int"):
            return (None, None)
        low, high = self.bounds
        unit_low, unit_high = UNIT_LIMITS.get(self.unit, (None, None))
        return (unit_low if low is None else low, unit_high if high is None else high)

    @property
    def section(self) -> str:
        """The top-level section of the key path (``""`` for top-level keys)."""
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""

    @property
    def name(self) -> str:
        """The last component of the key path."""
        return self.path.rsplit(".", 1)[-1]

    def expectation(self) -> str:
        """Human-readable statement of the valid values, used in error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        low, high = self.hard_bounds
        noun = "an integer" if self.kind == "int" else "a number"
        if low is not None and high is not None:
            return f"{noun} in {'(' if self.positive else '['}{_fmt(low)}, {_fmt(high)}]"
        if low is not None:
            return f"{noun} {'>' if self.positive else '>='} {_fmt(low)}"
        if high is not None:
            return f"{noun} <= {_fmt(high)}"
        return noun


def _fmt(x: float) -> str:
    # Integers exactly (``2**63 - 1`` must not read ``9.22337e+18``), other numbers compactly.
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return f"{x:g}"


def annual_to_monthly_probability(p_year: float) -> float:
    """Convert an annual probability to a monthly probability with a constant hazard.

    Args:
        p_year: Probability of the event within one year.

    Returns:
        Probability per month, ``1 - (1 - p_year) ** (1 / 12)``.
    """
    return 1.0 - math.exp(math.log1p(-p_year) / 12.0)


PROB = (0.0, 1.0)
NONNEG = (0.0, None)

#: The unit of a month of the simulation (1 = its first month), as opposed to ``months``, a
#: duration. Every parameter with this unit is checked against the horizon
#: (``simulation.months``) by :mod:`intsim.params.checks`.
MONTH = "month"

#: The longest horizon (``simulation.months``), months.
MAX_MONTHS = 600

#: Hard limits by unit, for the sides of ``Param.bounds`` a declaration leaves open: a value
#: beyond them is a typing or unit error, never a scenario (a salary above $10M a year, a hazard
#: ratio above 100, a payment 10 years late). They are far outside every plausible range, so no
#: published value or sensitivity range reaches them. ``tests/test_checks.py`` requires every
#: numeric parameter to have finite hard bounds.
UNIT_LIMITS: dict[str, tuple[float | None, float | None]] = {
    # money
    "USD": (0.0, 1e9),
    "USD per year": (0.0, 1e9),
    "USD per FTE-year": (0.0, 1e7),
    "USD per FTE per month": (0.0, 1e5),
    "USD per hour": (0.0, 1e4),
    "USD per hire": (0.0, 1e6),
    "USD per visit": (0.0, 1e5),
    "USD per admission": (0.0, 1e7),
    "USD per episode": (0.0, 1e6),
    "USD per patient-month": (0.0, 1e6),
    "USD per member per month": (0.0, 1e5),
    "USD per phase": (0.0, 1e9),
    "ratio to Medicare": (0.0, 100.0),
    # time
    "months": (0.0, float(MAX_MONTHS)),
    "days": (0.0, 3650.0),
    "hours per month": (0.0, 744.0),  # 31 days x 24 hours
    "hours per week": (0.0, 10_000.0),  # a team of consultants, not one person
    # rates and effect sizes
    "hazard per month": (0.0, 100.0),  # monthly probability 1 - exp(-100) = 1
    "hazard ratio": (0.0, 100.0),
    "odds ratio": (0.0, 100.0),
    "rate ratio": (0.0, 100.0),
    "incidence-rate ratio": (0.0, 100.0),
    "ratio": (0.0, 100.0),
    "ratio of hazard ratios": (0.0, 100.0),
    "visits per patient per year": (0.0, 365.0),  # one visit a day
    "ED visits per 100 person-years": (0.0, 36_500.0),  # one a day per person
    "admissions per 100 person-years": (0.0, 36_500.0),
    "burnout per month per unit of load above the threshold": (0.0, 10.0),
    # dispersion and scores
    "score points": (0.0, 27.0),  # the whole PHQ-9 scale
    "coefficient of variation": (0.0, 10.0),
    "gamma shape": (0.0, 1000.0),
    # staff
    "FTE": (0.0, 10_000.0),
}
