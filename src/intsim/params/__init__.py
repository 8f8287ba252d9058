"""The parameter declaration: every model parameter is declared exactly once.

The declarations live in :mod:`intsim.params.clinic`, :mod:`intsim.params.money` and
:mod:`intsim.params.workforce`; :mod:`intsim.params.components` assembles them into
:data:`PARAMETERS`, the one table everything else reads, and adds the parameters of registered
components (care models, payment contracts) to it.

Each :class:`Param` carries its dotted key path in the scenario file, unit, default, hard validity
bounds (what the YAML validator enforces), a plausible range (what sensitivity analyses sweep), an
optional uncertainty distribution (what Monte Carlo samples) and the source of the default
(a section of docs/evidence.md, docs/billing.md or docs/targets.md, or an explicit
``assumption: ...``).

From this one table come the scenario schema and its error messages (:mod:`intsim.params.scenario`),
the parameter table of the paper (``intsim params``) and, later, Monte Carlo distributions and Sobol
bounds. Rates are stated per month; annual figures are converted with ``1 - exp(-h)``.
"""

from __future__ import annotations

from typing import Any

from intsim.params.components import PARAMETERS, PARAMS_BY_PATH
from intsim.params.spec import (
    CALIB,
    CARE_MODELS,
    ENGINES,
    EVIDENCE,
    FIT,
    NONNEG,
    PAYERS,
    PROB,
    Kind,
    Param,
    _fmt,
    annual_to_monthly_probability,
)

__all__ = [
    "CALIB",
    "CARE_MODELS",
    "ENGINES",
    "EVIDENCE",
    "FIT",
    "NONNEG",
    "PARAMETERS",
    "PARAMS_BY_PATH",
    "PAYERS",
    "PROB",
    "Kind",
    "Param",
    "annual_to_monthly_probability",
    "defaults",
    "markdown_table",
]


#: Payer parameters that only price claims (coverage, rates, cost sharing, payment lag).
_PAYER_MONEY_FIELDS = frozenset(
    {
        "relativity_cocm",
        "relativity_bh",
        "coinsurance",
        "collection_rate",
        "denial_rate",
        "days_to_payment",
        "covers_cocm",
        "covers_hbai",
        "covers_general_bhi",
        "same_day_restriction",
    }
)

#: Billing parameters that only price claims (capture, who bills general BHI, payment lag).
_BILLING_MONEY_FIELDS = frozenset(
    {
        "billing.cm_capture_rate",
        "billing.visit_capture_rate",
        "billing.general_bhi_billed_by",
        "billing.payment_lag_days_per_month",
    }
)


def is_money_only(path: str) -> bool:
    """Whether the simulated clinic never reads this parameter (only the money layer does).

    Payment rates and coverage, billing capture and who bills general BHI, contracts, costs,
    grants, partners and discounting enter only claims pricing and the ledger, so runs that
    differ only in them can share one simulated clinic (:func:`intsim.sim.runner.cost_clinic`); a
    test perturbs every such parameter and checks that the clinic's monthly record and services
    do not move. Exceptions: the psychiatry model (vendor or employed) changes staffing
    dynamics, and ``finance.counterfactual`` decides whether a usual-care run is simulated.
    With ``rollout.gate: net_positive`` money feeds back into the rollout and nothing is
    money-only (the caller checks the gate).
    """
    section, _, rest = path.partition(".")
    if section == "costs":
        return path != "costs.psychiatry_model"
    if section in ("contracts", "grants", "partners"):
        return True
    if section == "finance":
        return path != "finance.counterfactual"
    if section == "payers":
        return rest.partition(".")[2] in _PAYER_MONEY_FIELDS
    return path in _BILLING_MONEY_FIELDS


def defaults() -> dict[str, Any]:
    """Return the nested dictionary of all default values."""
    tree: dict[str, Any] = {}
    for p in PARAMETERS:
        node = tree
        *parents, leaf = p.path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = p.default
    return tree


def hard_bounds_text(p: Param) -> str:
    """The hard bounds as an interval, e.g. ``[0, 1e+07]`` or ``(0, 100]`` (empty if none)."""
    low, high = p.hard_bounds
    if low is None and high is None:
        return ""
    left = "(" if p.positive or low is None else "["
    right = "]" if high is not None else ")"
    lo = "-inf" if low is None else _fmt(low)
    hi = "inf" if high is None else _fmt(high)
    return f"{left}{lo}, {hi}{right}"


def markdown_table() -> str:
    """Return the parameter table as GitHub-flavoured markdown (the paper's parameter table).

    Hard bounds are refused outside (exit status 2); the plausible range is what sensitivity
    analyses sweep, and a value outside it is accepted with a warning.
    """
    lines = [
        "| Parameter | Default | Unit | Hard bounds | Plausible range | Description | Source |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        rng = "" if p.plausible is None else f"{_fmt(p.plausible[0])}–{_fmt(p.plausible[1])}"
        if p.kind == "choice":
            rng = " / ".join(p.choices)
        if p.off_value is not None and rng:
            rng += f" (or {_fmt(p.off_value)}: off)"
        default = str(p.default).lower() if p.kind == "bool" else p.default
        desc = p.description.replace("|", "/")
        src = p.source.replace("|", "/")
        hard = hard_bounds_text(p)
        lines.append(f"| `{p.path}` | {default} | {p.unit} | {hard} | {rng} | {desc} | {src} |")
    return "\n".join(lines) + "\n"
