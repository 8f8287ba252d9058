"""Checks of a scenario beyond each value's own type and hard bounds.

Two kinds (README, "What intsim refuses and what it only warns about"; decision 56):

* **Impossible** scenarios — :func:`cross_field_problems`: shares that must sum to 1 (or at most
  1) and do not; a month of the simulation (every parameter whose unit is ``month``, see
  :data:`intsim.params.spec.MONTH`) after the horizon; months out of order (a programme that ends
  before it starts, a grant tied to a phase that goes live after the horizon). The scenario is
  refused (exit status 2) with one line per problem naming every key involved and its value;
  a line about a sum names where each contributing value came from (the file, a file it
  ``extends``, an override, or the default).
* **Implausible** scenarios — :func:`scenario_warnings`: a value outside its declared plausible
  range, a rollout phase or grant month that falls after the horizon or after the programme's
  end, a shared-savings contract whose first settlement is paid after the horizon. Accepted with
  one warning line each (refused under ``--strict``).

Hard bounds of single values (``Param.hard_bounds``) are enforced by the scenario schema
(:mod:`intsim.params.scenario`). This module reads only the declaration and the rollout plan; it
never imports the scenario layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from intsim.params import PARAMETERS, PARAMS_BY_PATH, PAYERS
from intsim.params.rollout import Phase, plan_phases
from intsim.params.spec import MONTH, Param, _fmt

#: Where each value of a scenario came from, by dotted key path: a file, a file it extends,
#: an override or (a path not listed) the default.
Origins = Mapping[str, str]

#: Tolerance of the sums checked here.
SUM_TOLERANCE = 1e-6

#: What a month after the horizon means, by month parameter (others get a generic sentence).
AFTER_HORIZON: dict[str, str] = {
    "grants.start_month": "a grant that starts after the horizon is never paid",
    "rollout.first_go_live_month": "a programme that goes live after the horizon serves no "
    "patients",
    "rollout.end_month": "an end after the horizon never comes in the run",
}

#: What the off value of a month parameter means (default: ``off``).
OFF_MEANING: dict[str, str] = {"rollout.end_month": "never stops"}

#: Month parameters that are only read in some configurations: ``path -> in effect?``.
IN_EFFECT: dict[str, Callable[[Any], bool]] = {
    "grants.start_month": lambda values: values.grants.phase == 0,
}


def month_parameters() -> tuple[Param, ...]:
    """The parameters whose value is a month of the simulation (unit ``month``)."""
    return tuple(p for p in PARAMETERS if p.unit == MONTH)


def value_at(values: Any, path: str) -> Any:
    """The value at a dotted key path of a scenario's values."""
    node = values
    for key in path.split("."):
        node = getattr(node, key)
    return node


def origin_of(path: str, value: Any, origins: Origins | None) -> str:
    """Where the value at ``path`` came from: a file, ``--set``, an override, or the default.

    A value not in ``origins`` is the default if it equals the declared default, and ``given``
    otherwise (a scenario built from a mapping in Python, with no file behind it).
    """
    if origins is not None and path in origins:
        return origins[path]
    return "default" if value == PARAMS_BY_PATH[path].default else "given"


def _term(path: str, values: Any, origins: Origins | None) -> str:
    value = value_at(values, path)
    return f"{path} = {_fmt(value)} ({origin_of(path, value, origins)})"


def _sum_problem(
    paths: list[str], values: Any, origins: Origins | None, *, exactly: bool
) -> str | None:
    """One line when the values at ``paths`` do not sum to 1 (``exactly``) or to at most 1.

    The line names every contributing value and where it came from.
    """
    total = sum(float(value_at(values, p)) for p in paths)
    bad = abs(total - 1.0) > SUM_TOLERANCE if exactly else total > 1.0 + SUM_TOLERANCE
    if not bad:
        return None
    terms = ", ".join(_term(p, values, origins) for p in paths)
    if exactly:
        group = paths[0].rsplit(".", 1)[0]
        return f"{group}: shares sum to {total:g}; expected them to sum to 1. Values: {terms}"
    return f"{' + '.join(paths)}: sum is {total:g}; expected <= 1. Values: {terms}"


def sum_problems(values: Any, origins: Origins | None = None) -> list[str]:
    """Shares that must sum to 1 (the payer mix) or to at most 1 (states, severity, treatment)."""
    groups = [
        ([f"population.payer_mix.{payer}" for payer in PAYERS], True),
        (
            [
                "population.threshold_prevalence",
                "population.subthreshold_prevalence",
                "population.remitted_prevalence",
            ],
            False,
        ),
        (["population.severe_share", "population.moderately_severe_share"], False),
        (
            [
                "population.initial_pcp_treatment_share",
                "population.initial_specialty_treatment_share",
            ],
            False,
        ),
    ]
    out = [_sum_problem(paths, values, origins, exactly=exactly) for paths, exactly in groups]
    return [line for line in out if line is not None]


def month_problems(values: Any) -> list[str]:
    """Months of the simulation after the horizon, and months out of order."""
    months = values.simulation.months
    out = []
    for p in month_parameters():
        month = value_at(values, p.path)
        in_effect = IN_EFFECT.get(p.path, lambda _v: True)(values)
        if month == p.off_value or not in_effect or month <= months:
            continue
        off = (
            ""
            if p.off_value is None
            else f"{_fmt(p.off_value)} ({OFF_MEANING.get(p.path, 'off')}) or "
        )
        why = AFTER_HORIZON.get(p.path, "that month never comes in the run")
        out.append(
            f"{p.path}: got {month}; expected {off}a month within simulation.months ({months}): "
            f"{why}"
        )
    r = values.rollout
    if r.end_month != 0 and r.end_month < r.first_go_live_month:
        out.append(
            f"rollout.end_month: got {r.end_month}; expected 0 (never stops) or a month at or "
            f"after rollout.first_go_live_month ({r.first_go_live_month})"
        )
    return out


def grant_problems(values: Any, phases: list[Phase]) -> list[str]:
    """A grant whose taper, phase or length cannot be."""
    g, months = values.grants, values.simulation.months
    out = []
    if g.phase_out_months > g.duration_months:
        out.append(
            f"grants.phase_out_months: got {g.phase_out_months}; expected at most "
            f"grants.duration_months ({g.duration_months})"
        )
    if g.annual_amount > 0 and g.duration_months == 0:
        out.append(
            f"grants.duration_months: got 0 with grants.annual_amount {_fmt(g.annual_amount)}; "
            "expected at least 1 month (a grant of 0 months is never paid) or an annual_amount "
            "of 0"
        )
    if g.phase > len(phases):
        out.append(
            f"grants.phase: got {g.phase}; expected 0 (no phase) or a phase of the rollout plan "
            f"(rollout.strategy {values.rollout.strategy!r} has {len(phases)})"
        )
    elif g.phase > 0 and earliest_go_lives(values, phases)[g.phase - 1][0] > months:
        go_live, how = earliest_go_lives(values, phases)[g.phase - 1]
        out.append(
            f"grants.phase: got {g.phase}; phase {g.phase} goes live in month {go_live} at the "
            f"earliest ({how}), after simulation.months ({months}); "
            "expected a phase that goes live within the horizon: a grant that starts after the "
            "horizon is never paid"
        )
    return out


def cross_field_problems(values: Any, origins: Origins | None = None) -> list[str]:
    """Every reason the scenario is impossible (empty when it is not), one line each.

    Args:
        values: A scenario's validated values (``Scenario.values``).
        origins: Where each value came from, for the lines about sums (``None``: unknown).
    """
    phases = plan_phases(values)
    return [
        *sum_problems(values, origins),
        *month_problems(values),
        *grant_problems(values, phases),
        *case_rate_problems(values),
    ]


def case_rate_problems(values: Any) -> list[str]:
    """A case rate is paid only when the contract says so: an amount alone is a mistake."""
    out = []
    for payer in PAYERS:
        contract = getattr(values.contracts, payer)
        if contract.case_rate_usd > 0 and not contract.case_rate:
            out.append(
                f"contracts.{payer}.case_rate_usd: got {contract.case_rate_usd:g} but "
                f"contracts.{payer}.case_rate is false; set case_rate: true to pay CoCM episodes "
                "by the case rate (otherwise the CoCM codes are billed and the amount is unused)"
            )
    return out


# --------------------------------------------------------------------------- warnings


def _fmt_value(p: Param, value: Any) -> str:
    return str(value) if p.kind == "int" else _fmt(float(value))


def plausibility_warnings(values: Any) -> list[str]:
    """One line per numeric value outside its declared plausible range (off values excepted)."""
    out = []
    for p in PARAMETERS:
        if p.plausible is None or p.kind not in ("float", "int"):
            continue
        value = value_at(values, p.path)
        low, high = p.plausible
        if value == p.off_value or low <= value <= high:
            continue
        out.append(
            f"{p.path}: {_fmt_value(p, value)} is outside its plausible range "
            f"{_fmt(low)}-{_fmt(high)} ({p.unit})"
        )
    return out


def earliest_go_lives(values: Any, phases: list[Phase]) -> list[tuple[int, str]]:
    """Each phase's earliest go-live month and how it is made up (naming the keys).

    Without a gate a phase goes live as scheduled. With ``rollout.gate`` a later phase opens
    recruitment once the gate condition held for ``rollout.gate_months`` months after the previous
    phase's go-live, and goes live ``rollout.hiring_lead_months`` later, never before its
    schedule (:class:`intsim.sim.workforce.Workforce`).
    """
    r = values.rollout
    first = f"rollout.first_go_live_month {r.first_go_live_month}"
    out: list[tuple[int, str]] = []
    for ph in phases:
        k = ph.index
        if k == 1:
            how = first
        elif r.strategy == "pilot_then_scale":
            how = f"{first} + rollout.pilot_months {r.pilot_months}"
        else:
            how = f"{first} + {k - 1} x rollout.phase_interval_months {r.phase_interval_months}"
        month = ph.scheduled_go_live
        if k > 1 and r.gate != "none":
            previous = out[-1][0]
            gated = previous + r.gate_months + r.hiring_lead_months
            if gated > month:
                month = gated
                how = (
                    f"phase {k - 1} live in month {previous} + rollout.gate_months "
                    f"{r.gate_months} + rollout.hiring_lead_months {r.hiring_lead_months}, "
                    f"rollout.gate {r.gate!r}"
                )
        out.append((month, how))
    return out


def horizon_warnings(values: Any) -> list[str]:
    """Phases, grant months and settlements that fall after the horizon or the programme's end."""
    months, r = values.simulation.months, values.rollout
    out = []
    phases = plan_phases(values)
    for ph, (month, how) in list(zip(phases, earliest_go_lives(values, phases), strict=True))[1:]:
        when = f"phase {ph.index} of {len(phases)} ({len(ph.pcps)} PCPs) goes live"
        if month > months:
            out.append(
                f"rollout: {when} in month {month} at the earliest ({how}), after "
                f"simulation.months ({months}): it never goes live in this run"
            )
        elif r.end_month and month > r.end_month:
            out.append(
                f"rollout: {when} in month {month} at the earliest ({how}), after "
                f"rollout.end_month ({r.end_month}): it never takes patients"
            )
    out.extend(_grant_horizon_warnings(values, phases))
    for payer in PAYERS:
        c = getattr(values.contracts, payer)
        first = 12 + c.ss_settlement_lag_months
        if c.shared_savings and first > months:
            out.append(
                f"contracts.{payer}.shared_savings: the first settlement is paid in month {first} "
                f"(a 12-month performance year + contracts.{payer}.ss_settlement_lag_months "
                f"{c.ss_settlement_lag_months}), after simulation.months ({months}): no shared "
                "savings are paid in this run"
            )
    return out


def _grant_horizon_warnings(values: Any, phases: list[Phase]) -> list[str]:
    g, months = values.grants, values.simulation.months
    if g.annual_amount <= 0 or g.duration_months == 0 or g.phase > len(phases):
        return []
    if g.phase == 0:
        start, key = g.start_month, f"grants.start_month {g.start_month}"
    else:
        start = earliest_go_lives(values, phases)[g.phase - 1][0]
        key = f"grants.phase {g.phase} (goes live in month {start} at the earliest)"
    last = start + g.duration_months - 1
    if start > months or last <= months:
        return []  # a start after the horizon is an error (cross_field_problems)
    return [
        f"grants: funding runs to month {last} ({key} + grants.duration_months "
        f"{g.duration_months} - 1), after simulation.months ({months}): the last "
        f"{last - months} months of the award fall outside the run"
    ]


def scenario_warnings(values: Any) -> list[str]:
    """Every reason the scenario is accepted but implausible, one line each."""
    return [*plausibility_warnings(values), *horizon_warnings(values)]
