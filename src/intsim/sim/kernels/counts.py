"""The monthly record of the population: counts by state, treatment and quality measure."""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from intsim.sim.kernels.codes import (
    BH_ACTIVE,
    BH_IMPROVED,
    BH_REMITTED,
    BH_SUB,
    JIT,
    TX_COCM,
    TX_PCBH,
    TX_PCP,
    TX_SPECIALTY,
)
from intsim.sim.kernels.state import (
    AcuteEvents,
    EpisodeState,
    Fields,
    PersonState,
    ReachFlags,
    ReachServices,
    TreatmentState,
)

#: Layout of the integer counts returned by :func:`month_record`.
COUNT_FIELDS: tuple[str, ...] = (
    "panel_size",
    "bh_prevalent",
    "subthreshold",
    "active_cocm",
    "active_pcbh",
    "in_usual_care_treatment",
    "in_specialty_care",
    "waitlist",
    "waitlist_cocm",
    "ed_visits",
    "admissions",
    "quality_measured_6m",
    "quality_met_6m",
    "quality_measured_12m",
    "quality_met_12m",
)


def quality_due_starts(month: int, response_months: int, remission_months: int) -> tuple[int, int]:
    """Programme start months whose response and remission measures fall due in ``month``.

    -2 matches nobody (a start month is >= 0, or -1 for patients never in a programme). The
    months come in as arguments (:data:`intsim.measures.RESPONSE_MONTHS`,
    :data:`intsim.measures.REMISSION_MONTHS`), not as compiled-in globals, so the cached machine
    code never holds a stale value.
    """
    due6 = month - response_months if month >= response_months else -2
    due12 = month - remission_months if month >= remission_months else -2
    return due6, due12


@njit(**JIT)
def update_reach(
    n: int,
    in_panel: NDArray[np.bool_],
    bh: NDArray[np.int8],
    services: ReachServices,
    reach: ReachFlags,
) -> None:
    """Flag who was served this month (ever and this programme year) and who had an episode.

    Branch-free boolean passes over contiguous slots (the compiler vectorises them).
    """
    cm_minutes, bhc_visit = services.cm_minutes, services.bhc_visit
    served_cocm, served_pcbh, flags = reach.served_cocm, reach.served_pcbh, reach.year_flags
    for s in range(n):
        cm = cm_minutes[s] > 0
        served_cocm[s] |= cm
        flags[0, s] |= cm
    for s in range(n):
        visit = bhc_visit[s]
        served_pcbh[s] |= visit
        flags[1, s] |= visit
    for s in range(n):
        flags[2, s] |= in_panel[s] & (bh[s] == BH_ACTIVE)


@njit(**JIT)
def month_record(
    n: int,
    due_starts: tuple[int, int],
    person: Fields,
    ep: Fields,
    ts: Fields,
    events: Fields,
    program_start: NDArray[np.int16],
    services: Fields,
    reach: Fields,
) -> NDArray[np.int64]:
    """The month's record of the population: reach flags updated, head counts returned.

    Updates ``reach`` with this month's ``services`` and active episodes (:func:`update_reach`),
    then counts, in the order of :data:`COUNT_FIELDS`. The quality measures count patients whose
    programme started in the months ``due_starts`` (:func:`quality_due_starts`): the response
    measure's (met: improved or remitted), then the remission measure's (met: remitted).

    Departed patients have cleared states (:meth:`intsim.sim.population.Population.remove`), so
    counting over all slots counts panel members only. Branch-free sums over contiguous slots
    (the compiler vectorises them).
    """
    person = PersonState(*person)  # rebuilt from its fields (see Fields)
    ep = EpisodeState(*ep)  # rebuilt from its fields (see Fields)
    ts = TreatmentState(*ts)  # rebuilt from its fields (see Fields)
    events = AcuteEvents(*events)  # rebuilt from its fields (see Fields)
    services = ReachServices(*services)  # rebuilt from its fields (see Fields)
    reach = ReachFlags(*reach)  # rebuilt from its fields (see Fields)
    in_panel, bh, treatment = person.in_panel, ep.bh, ts.treatment
    waitlist_since, bhc_wait_since = ts.waitlist_since, ts.bhc_wait_since
    ed_visit, admission = events.ed_visit, events.admission
    update_reach(n, in_panel, bh, services, reach)
    due6, due12 = due_starts
    panel = active = sub = cocm = pcbh = pcp = specialty = waiting = waiting_cocm = 0
    ed = admitted = m6 = met6 = m12 = met12 = 0
    for s in range(n):
        state = bh[s]
        tx = treatment[s]
        panel += in_panel[s]
        active += state == BH_ACTIVE
        sub += state == BH_SUB
        cocm += tx == TX_COCM
        pcbh += tx == TX_PCBH
        pcp += tx == TX_PCP
        specialty += tx == TX_SPECIALTY
        for_cocm = waitlist_since[s] >= 0
        waiting_cocm += for_cocm
        waiting += for_cocm + (bhc_wait_since[s] >= 0)
        ed += ed_visit[s]
        admitted += admission[s]
        start = program_start[s]
        is6 = start == due6
        is12 = start == due12
        m6 += is6
        met6 += is6 & ((state == BH_IMPROVED) | (state == BH_REMITTED))
        m12 += is12
        met12 += is12 & (state == BH_REMITTED)
    c = np.zeros(len(COUNT_FIELDS), np.int64)
    c[0] = panel
    c[1] = active
    c[2] = sub
    c[3] = cocm
    c[4] = pcbh
    c[5] = pcp + specialty
    c[6] = specialty
    c[7] = waiting
    c[8] = waiting_cocm
    c[9] = ed
    c[10] = admitted
    c[11] = m6
    c[12] = met6
    c[13] = m12
    c[14] = met12
    return c
