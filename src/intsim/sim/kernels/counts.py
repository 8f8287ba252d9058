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

#: Layout of the integer counts returned by :func:`month_counts`.
COUNT_FIELDS: tuple[str, ...] = (
    "panel_size",
    "bh_prevalent",
    "subthreshold",
    "active_cocm",
    "active_pcbh",
    "in_usual_care_treatment",
    "in_specialty_care",
    "waitlist",
    "ed_visits",
    "admissions",
    "quality_measured_6m",
    "quality_met_6m",
    "quality_measured_12m",
    "quality_met_12m",
)


@njit(**JIT)
def month_counts(
    n: int,
    month: int,
    in_panel: NDArray[np.bool_],
    bh: NDArray[np.int8],
    treatment: NDArray[np.int8],
    waitlist_since: NDArray[np.int16],
    bhc_wait_since: NDArray[np.int16],
    ed_visit: NDArray[np.bool_],
    admission: NDArray[np.bool_],
    program_start: NDArray[np.int16],
    response_months: int,
    remission_months: int,
) -> NDArray[np.int64]:
    """Head counts of the monthly record, in the order of :data:`COUNT_FIELDS`.

    The quality measures count patients whose programme started ``response_months`` (met:
    improved or remitted) and ``remission_months`` (met: remitted) months before ``month``
    (:data:`intsim.measures.RESPONSE_MONTHS`, :data:`intsim.measures.REMISSION_MONTHS`).

    Departed patients have cleared states (:meth:`intsim.sim.population.Population.remove`), so
    counting over all slots counts panel members only. Branch-free sums over contiguous slots
    (the compiler vectorises them).
    """
    # programme start months due for the response and remission measures (-2 matches nobody:
    # a start month is >= 0, or -1 for patients never in a programme)
    due6 = month - response_months if month >= response_months else -2
    due12 = month - remission_months if month >= remission_months else -2
    panel = active = sub = cocm = pcbh = pcp = specialty = waiting = ed = admitted = 0
    m6 = met6 = m12 = met12 = 0
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
        waiting += (waitlist_since[s] >= 0) + (bhc_wait_since[s] >= 0)
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
    c[8] = ed
    c[9] = admitted
    c[10] = m6
    c[11] = met6
    c[12] = m12
    c[13] = met12
    return c
