"""The form of a parameter declaration: :class:`Param`, shared constants and helpers.

The declarations themselves live in :mod:`intsim.params_clinic` (the clinic model) and
:mod:`intsim.params_money` (billing, payers, payment models, costs); :mod:`intsim.params`
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

EVIDENCE = "evidence.md"
CALIB = "calibration_targets.md"
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
        label: Human name on figure axes when the one derived from the path reads badly
            (:func:`intsim.figures.param_name`); ``""`` to derive it.
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
    label: str = ""

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
        low, high = self.bounds
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
