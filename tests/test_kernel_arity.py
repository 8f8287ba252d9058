"""Kernels take small structured arguments (issue 12 item 4), counted by tools/kernel_arity.py."""

from __future__ import annotations

import numpy as np
from tools.kernel_arity import njit_arities

from intsim.sim.kernels.pathways import end_treatments
from intsim.sim.population import Population

#: ``@njit`` functions still taking >= 10 parameters: only scalar patient rules (scalars in and
#: out by design, see intsim.sim.kernels.rules); every array kernel takes grouped arguments.
ALLOWED_LONG = {
    "clinical_course",
    "improvement_cell",
    "bh_onset",
}


def test_njit_functions_with_ten_or_more_parameters_do_not_grow():
    arities = njit_arities()
    assert len(arities) > 30  # the scan finds the kernels
    long = {name for _, name, count in arities if count >= 10}
    assert long <= ALLOWED_LONG, f"new long kernels: {sorted(long - ALLOWED_LONG)}"
    regrouped = {
        "_end_treatment",
        "end_treatments",
        "end_of_month_treatment",
        "clinical_step",
        "bill_lines",
        "claim_lines",
        "price_lines",
        "care_manager_time",
        "start_pcbh_episodes",
        "classify_visitors",
        "month_record",
    }
    assert all(count <= 9 for _, name, count in arities if name in regrouped | {"onset"})


def test_treatment_state_writes_through_to_the_population():
    pop = Population(capacity=6)
    pop.n_used = 6
    pop.treatment[:] = 3
    pop.care_manager[:] = 2
    pop.waitlist_since[:] = 4
    pop.pcp_cotreat[:] = True
    end_treatments(np.array([1, 4], np.int64), pop.treatment_state())
    assert pop.treatment.tolist() == [3, 0, 3, 3, 0, 3]
    assert pop.care_manager.tolist() == [2, -1, 2, 2, -1, 2]
    assert pop.waitlist_since.tolist() == [4, -1, 4, 4, -1, 4]
    assert pop.pcp_cotreat.tolist() == [True, False, True, True, False, True]


def test_remove_clears_the_state_of_departing_patients_only():
    pop = Population(capacity=5)
    pop.n_used = 5
    pop.in_panel[:] = True
    pop.bh[:] = 2
    pop.score[:] = 15
    pop.condition[:] = 1
    pop.chronic[:] = True
    pop.known[:] = True
    pop.treatment[:] = 3
    pop.screen_score[:] = 12
    pop.program_start[:] = 4
    pop.leave_month[:] = 9
    assert len(pop.panel_slots()) == 5
    pop.remove(np.array([0, 3]))
    assert pop.panel_slots().tolist() == [1, 2, 4]  # the cached panel was invalidated
    for name, kept, cleared in [
        ("bh", 2, 0),
        ("score", 15, 0),
        ("condition", 1, 0),
        ("chronic", True, False),
        ("known", True, False),
        ("treatment", 3, 0),
        ("screen_score", 12, -1),
        ("program_start", 4, -1),
        ("leave_month", 9, 2**31 - 1),
    ]:
        assert getattr(pop, name).tolist() == [cleared, kept, kept, cleared, kept], name
