"""Acute care and total cost of care: risk classes, ED visits and admissions, payer costs.

Called by the arrays engine (:mod:`intsim.sim.engine_arrays`) and by :mod:`intsim.sim.tcoc`.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import JIT, TX_SPECIALTY
from intsim.sim.kernels.rng import draw_bits, unit_uniform
from intsim.sim.kernels.rules import acute_event, risk_class
from intsim.sim.kernels.scan import flagged_slots, padded_flags
from intsim.sim.kernels.state import AcuteEvents, Fields, PersonState


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


#: Slack of :func:`candidate_bound` over the largest event probability (relative; far above
#: the few roundings, ~1e-16 each, between the rates and the probability).
BOUND_SLACK = 1e-9
#: Random bits a candidate test drops: it compares the top 31 of a draw's 53 bits.
DROPPED_BITS = np.uint64(22)


@njit(**JIT)
def candidate_bound(admit_rate: NDArray[np.float64], ed_rate: NDArray[np.float64]) -> float:
    """Bound on a slot's acute-event draw, per unit of frailty, in units of ``2**-31``.

    A slot of frailty ``f`` can have an event this month only if the top 31 bits of its draw
    (``draw_bits >> 22``) are at most ``f`` times this: its event probability is at most
    ``(largest admission rate + largest ED rate) x f``, and the bound adds
    :data:`BOUND_SLACK` for rounding.
    """
    return (admit_rate.max() + ed_rate.max()) * (1.0 + BOUND_SLACK) * 2147483648.0


@njit(**JIT)
def acute_care(
    n: int,
    person: Fields,
    bh: NDArray[np.int8],
    condition: NDArray[np.int8],
    key: np.uint64,
    admit_rate: NDArray[np.float64],
    ed_rate: NDArray[np.float64],
    events: Fields,
) -> None:
    """ED visits and admissions of the month, written to ``admission`` and ``ed_visit``.

    Applies :func:`intsim.sim.kernels.rules.acute_event` (the rule ``PatientAgent.use_acute_care``
    calls too) to every panel member: its risk class's rates per month times its cost frailty,
    one ``acute`` uniform (``key``: the stream's key this month) deciding both.

    Events are rare (a few per cent of members a month), so a branch-free pass first flags the
    candidates: panel members whose draw's top bits are within :func:`candidate_bound` of an
    event. Only they get the rule, with their exact uniform; a slot not flagged cannot have an
    event, so the outcome is the same as applying the rule to every slot.

    Args:
        n: Slots in use.
        person: Panel, payer, chronic, age and frailty arrays (``Population.person_state``).
        bh, condition: BH state and condition of each slot.
        key: Key of the ``acute`` stream this month.
        admit_rate, ed_rate: Admissions and ED visits per month by risk class.
        events: Written: this month's admissions and ED visits (``Population.acute_events``).
    """
    person = PersonState(*person)  # rebuilt from its fields (see Fields)
    events = AcuteEvents(*events)  # rebuilt from its fields (see Fields)
    in_panel, frailty = person.in_panel, person.cost_frailty
    admission, ed_visit = events.admission, events.ed_visit
    bound = candidate_bound(admit_rate, ed_rate)
    flags = padded_flags(n)
    for s in range(n):
        top = np.int32(draw_bits(key, s) >> DROPPED_BITS)  # below 2**31
        flags[s] = in_panel[s] & (top <= frailty[s] * bound)
        admission[s] = False
        ed_visit[s] = False
    for s in flagged_slots(flags):
        c = risk_class(bh[s], condition[s], person.chronic[s], person.age65[s])
        admitted, ed_visited = acute_event(
            unit_uniform(key, s), admit_rate[c], ed_rate[c], frailty[s]
        )
        admission[s] = admitted
        ed_visit[s] = ed_visited


@njit(**JIT)
def payer_class_costs(
    nonacute: NDArray[np.float64], multiplier: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Non-acute cost per member-month (USD) by payer and risk class, flat ``[payer, class]``.

    Each entry is the payer's cost times the class's multiplier, the product
    :func:`cost_of_care` would form slot by slot.
    """
    n_classes = len(multiplier)
    out = np.empty(len(nonacute) * n_classes, np.float64)
    for k in range(len(nonacute)):
        for c in range(n_classes):
            out[k * n_classes + c] = nonacute[k] * multiplier[c]
    return out


@njit(**JIT)
def cost_of_care(
    n: int,
    person: Fields,
    bh: NDArray[np.int8],
    condition: NDArray[np.int8],
    treatment: NDArray[np.int8],
    events: Fields,
    rates: tuple[
        NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
    ],
    slot_cost: NDArray[np.float64],
    sums: tuple[NDArray[np.int64], NDArray[np.float64]],
) -> None:
    """Members and total cost of care (USD) by payer this month (kernel of ``TcocMeter.measure``).

    Written into arrays the caller owns (returning two arrays would cost about two
    microseconds a call to box them); only the episode arrays the cost reads are passed.

    Args:
        n: Slots in use.
        person: Panel, payer, chronic, age and frailty arrays (``Population.person_state``).
        bh, condition: BH state and condition of each slot.
        treatment: Current treatment of each slot.
        events: This month's admissions and ED visits (``Population.acute_events``).
        rates: ``nonacute, multiplier, unit_costs, counted``: non-acute cost per member-month
            by payer (USD; one entry per payer), non-acute cost multiplier by risk class
            (:func:`risk_classes`), the ED visit, admission and specialty care month costs
            (USD), and a factor by payer the payer's summed cost is multiplied by (1.0, or 0.0
            for a payer whose cost is not counted; ``slot_cost`` is not multiplied).
        slot_cost: Written: each slot's cost of care this month (USD; 0 out of the panel).
        sums: Written: ``members, cost``, members by payer and cost by payer (USD; summed in
            slot order, as ``np.bincount`` does, then times ``counted``); one entry per payer.
    """
    person = PersonState(*person)  # rebuilt from its fields (see Fields)
    events = AcuteEvents(*events)  # rebuilt from its fields (see Fields)
    nonacute, multiplier, unit_costs, counted = rates
    members, cost = sums
    in_panel, payer, frailty = person.in_panel, person.payer, person.cost_frailty
    ed_visit, admission = events.ed_visit, events.admission
    ed_cost, admit_cost, specialty_cost = unit_costs[0], unit_costs[1], unit_costs[2]
    # branch-free passes (a departed slot costs 0.0); the look-ups (gathers) get their own pass
    # (one fused pass skipping departed slots measured slower: its branch mispredicts)
    classes = risk_classes(n, bh, condition, person.chronic, person.age65)
    base = payer_class_costs(nonacute, multiplier)  # one look-up a slot instead of two
    n_classes = len(multiplier)
    for s in range(n):
        slot_cost[s] = base[np.int64(payer[s]) * n_classes + classes[s]]
    for s in range(n):
        unit = slot_cost[s] * frailty[s]
        unit += ed_cost * ed_visit[s]
        unit += admit_cost * admission[s]
        unit += specialty_cost * (treatment[s] == TX_SPECIALTY)
        slot_cost[s] = unit * in_panel[s]
    members[:] = 0
    cost[:] = 0.0
    for s in range(n):
        k = payer[s]
        members[k] += in_panel[s]
        cost[k] += slot_cost[s]
    for k in range(len(cost)):
        cost[k] *= counted[k]
