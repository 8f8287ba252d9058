"""Acute care and total cost of care: risk classes, ED visits and admissions, payer costs.

Called by the arrays engine (:mod:`intsim.sim.engine_arrays`) and by :mod:`intsim.sim.tcoc`.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import JIT, TX_SPECIALTY
from intsim.sim.kernels.rng import first_uniforms
from intsim.sim.kernels.rules import acute_event, risk_class


@njit(**JIT)
def risk_classes(
    n: int,
    bh: NDArray[np.int8],
    condition: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    age65: NDArray[np.bool_],
) -> NDArray[np.int32]:
    """Risk class of slots ``0 .. n-1``: BH state x condition x chronic x 65+.

    :func:`intsim.sim.kernels.rules.risk_class` of each slot (narrow integer arithmetic, which
    vectorises).
    """
    out = np.empty(n, np.int32)
    for s in range(n):
        out[s] = risk_class(bh[s], condition[s], chronic[s], age65[s])
    return out


@njit(**JIT)
def acute_care(
    n: int,
    in_panel: NDArray[np.bool_],
    chronic: NDArray[np.bool_],
    bh: NDArray[np.int8],
    condition: NDArray[np.int8],
    age65: NDArray[np.bool_],
    frailty: NDArray[np.float64],
    key: np.uint64,
    admit_rate: NDArray[np.float64],
    ed_rate: NDArray[np.float64],
    admission: NDArray[np.bool_],
    ed_visit: NDArray[np.bool_],
) -> None:
    """ED visits and admissions of the month, written to ``admission`` and ``ed_visit``.

    Applies :func:`intsim.sim.kernels.rules.acute_event` (the rule ``PatientAgent.use_acute_care``
    calls too) to every panel member: its risk class's rates per month times its cost frailty,
    one ``acute`` uniform (``key``: the stream's key this month) deciding both. Classes,
    table look-ups and the arithmetic run as separate
    passes: the first and last vectorise, the look-ups (gathers) do not.
    """
    uniforms = first_uniforms(key, n)
    classes = risk_classes(n, bh, condition, chronic, age65)
    admit = np.empty(n, np.float64)
    ed = np.empty(n, np.float64)
    for s in range(n):
        admit[s] = admit_rate[classes[s]]
        ed[s] = ed_rate[classes[s]]
    for s in range(n):
        admitted, ed_visited = acute_event(uniforms[s], admit[s], ed[s], frailty[s])
        admission[s] = in_panel[s] & admitted
        ed_visit[s] = in_panel[s] & ed_visited


@njit(**JIT)
def cost_of_care(
    n: int,
    in_panel: NDArray[np.bool_],
    payer: NDArray[np.int8],
    chronic: NDArray[np.bool_],
    bh: NDArray[np.int8],
    condition: NDArray[np.int8],
    age65: NDArray[np.bool_],
    frailty: NDArray[np.float64],
    treatment: NDArray[np.int8],
    ed_visit: NDArray[np.bool_],
    admission: NDArray[np.bool_],
    nonacute: NDArray[np.float64],
    multiplier: NDArray[np.float64],
    unit_costs: NDArray[np.float64],
    n_payers: int,
    slot_cost: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Members and total cost of care (USD) by payer this month (kernel of ``TcocMeter.measure``).

    Args:
        n: Slots in use.
        in_panel, payer, chronic, bh, condition, age65, frailty, treatment, ed_visit, admission:
            Population arrays.
        nonacute: Non-acute cost per member-month by payer (USD).
        multiplier: Non-acute cost multiplier by risk class (:func:`risk_classes`).
        unit_costs: ED visit, admission and specialty care month costs (USD).
        n_payers: Number of payers.
        slot_cost: Written: each slot's cost of care this month (USD; 0 out of the panel).

    Returns:
        Members by payer and cost by payer (summed in slot order, as ``np.bincount`` does).
    """
    ed_cost, admit_cost, specialty_cost = unit_costs[0], unit_costs[1], unit_costs[2]
    # branch-free passes (a departed slot costs 0.0); the look-ups (gathers) get their own pass
    classes = risk_classes(n, bh, condition, chronic, age65)
    for s in range(n):
        slot_cost[s] = nonacute[payer[s]] * multiplier[classes[s]]
    for s in range(n):
        unit = slot_cost[s] * frailty[s]
        unit += ed_cost * ed_visit[s]
        unit += admit_cost * admission[s]
        unit += specialty_cost * (treatment[s] == TX_SPECIALTY)
        slot_cost[s] = unit * in_panel[s]
    members = np.zeros(n_payers, np.int64)
    cost = np.zeros(n_payers, np.float64)
    for s in range(n):
        k = payer[s]
        members[k] += in_panel[s]
        cost[k] += slot_cost[s]
    return members, cost
