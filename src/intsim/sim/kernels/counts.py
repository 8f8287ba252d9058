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
from intsim.sim.kernels.scan import byte_pattern
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


# ------------------------------------------------------------ counting eight slots at a time
# Byte arrays (BH state, treatment, flags) are read as 64-bit words of eight slots, int16 arrays
# (months) as words of four; a few integer operations count the slots of a word that match.

_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_LOW15 = np.uint64(0x7FFF7FFF7FFF7FFF)
_EACH_BYTE = np.uint64(0x0101010101010101)
_EACH_LANE = np.uint64(0x0001000100010001)
_S7 = np.uint64(7)
_S15 = np.uint64(15)
_S48 = np.uint64(48)
_S56 = np.uint64(56)


def lane_word(value: int) -> np.uint64:
    """A word with the int16 ``value`` in each of its four lanes (see :func:`lanes_equal`)."""
    return np.uint64((0x0001000100010001 * (value & 0xFFFF)) & 0xFFFFFFFFFFFFFFFF)


@njit(**JIT)
def bytes_equal(word: np.uint64, pattern: np.uint64) -> np.uint64:
    """How many of the eight bytes of ``word`` equal those of ``pattern`` (``scan.byte_pattern``).

    The equal bytes are the zero bytes of ``v = word ^ pattern``. A byte's top bit in
    ``((v & 0x7F) + 0x7F) | v`` is set exactly when the byte is not zero (the sum cannot carry
    out of its byte), so the complement marks the zero bytes with ``0x80``; multiplying the
    marks (moved to bit 0) by ``0x0101...01`` adds them into the top byte.
    """
    v = word ^ pattern
    zero = ~(((v & _LOW7) + _LOW7) | v | _LOW7)
    return ((zero >> _S7) * _EACH_BYTE) >> _S56


@njit(**JIT)
def bytes_sum(word: np.uint64) -> np.uint64:
    """The sum of the eight bytes of a word of 0/1 flags."""
    return (word * _EACH_BYTE) >> _S56


@njit(**JIT)
def lanes_equal(word: np.uint64, pattern: np.uint64) -> np.uint64:
    """:func:`bytes_equal` for the four int16 lanes of ``word`` (``pattern``: :func:`lane_word`)."""
    v = word ^ pattern
    zero = ~(((v & _LOW15) + _LOW15) | v | _LOW15)
    return ((zero >> _S15) * _EACH_LANE) >> _S48


@njit(**JIT)
def lanes_negative(word: np.uint64) -> np.uint64:
    """How many of the four int16 lanes of ``word`` are negative (sign bit set)."""
    return (((word >> _S15) & _EACH_LANE) * _EACH_LANE) >> _S48


#: Byte words of the codes :func:`month_record` counts.
_ACTIVE = byte_pattern(BH_ACTIVE)
_SUB = byte_pattern(BH_SUB)
_COCM = byte_pattern(TX_COCM)
_PCBH = byte_pattern(TX_PCBH)
_PCP = byte_pattern(TX_PCP)
_SPECIALTY = byte_pattern(TX_SPECIALTY)
#: Slots of a byte word.
WORD = 8


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
    counting over all slots counts panel members only. Whole words of eight slots are counted
    by :func:`count_words`, the last few slots one by one (:func:`count_slot`): the same counts.
    """
    person = PersonState(*person)  # rebuilt from its fields (see Fields)
    ep = EpisodeState(*ep)  # rebuilt from its fields (see Fields)
    ts = TreatmentState(*ts)  # rebuilt from its fields (see Fields)
    events = AcuteEvents(*events)  # rebuilt from its fields (see Fields)
    services = ReachServices(*services)  # rebuilt from its fields (see Fields)
    reach = ReachFlags(*reach)  # rebuilt from its fields (see Fields)
    update_reach(n, person.in_panel, ep.bh, services, reach)
    c = np.zeros(len(COUNT_FIELDS), np.int64)
    whole = n // WORD * WORD
    count_words(whole, due_starts, person.in_panel, ep.bh, ts, events, program_start, c)
    for s in range(whole, n):
        count_slot(s, due_starts, person.in_panel, ep.bh, ts, events, program_start, c)
    return c


@njit(**JIT)
def count_slot(
    s: int,
    due_starts: tuple[int, int],
    in_panel: NDArray[np.bool_],
    bh: NDArray[np.int8],
    ts: TreatmentState,
    events: AcuteEvents,
    program_start: NDArray[np.int16],
    c: NDArray[np.int64],
) -> None:
    """Add slot ``s`` to the counts ``c`` (:data:`COUNT_FIELDS` order) — the reference rule."""
    state, tx = bh[s], ts.treatment[s]
    c[0] += in_panel[s]
    c[1] += state == BH_ACTIVE
    c[2] += state == BH_SUB
    c[3] += tx == TX_COCM
    c[4] += tx == TX_PCBH
    c[5] += (tx == TX_PCP) + (tx == TX_SPECIALTY)
    c[6] += tx == TX_SPECIALTY
    for_cocm = ts.waitlist_since[s] >= 0
    c[7] += for_cocm + (ts.bhc_wait_since[s] >= 0)
    c[8] += for_cocm
    c[9] += events.ed_visit[s]
    c[10] += events.admission[s]
    count_quality(s, due_starts, bh, program_start, c)


@njit(**JIT)
def count_quality(
    s: int,
    due_starts: tuple[int, int],
    bh: NDArray[np.int8],
    program_start: NDArray[np.int16],
    c: NDArray[np.int64],
) -> None:
    """Add slot ``s`` to the quality measures of ``c`` if one of them falls due for it."""
    state, start = bh[s], program_start[s]
    is6, is12 = start == due_starts[0], start == due_starts[1]
    c[11] += is6
    c[12] += is6 & ((state == BH_IMPROVED) | (state == BH_REMITTED))
    c[13] += is12
    c[14] += is12 & (state == BH_REMITTED)


@njit(**JIT)
def count_words(
    n: int,
    due_starts: tuple[int, int],
    in_panel: NDArray[np.bool_],
    bh: NDArray[np.int8],
    ts: TreatmentState,
    events: AcuteEvents,
    program_start: NDArray[np.int16],
    c: NDArray[np.int64],
) -> None:
    """Add slots ``0 .. n-1`` (``n`` a multiple of :data:`WORD`) to the counts ``c``.

    Eight slots at a time, in three passes (each on its own vectorises; one loop doing all
    three measured twice as slow): states and flags (:func:`count_states`), waitlists
    (:func:`count_waiting`), quality measures (:func:`count_quality_words`).
    """
    states = count_states(n, in_panel, bh, ts.treatment, events.ed_visit, events.admission)
    c[0] += states[0]
    c[1] += states[1]
    c[2] += states[2]
    c[3] += states[3]
    c[4] += states[4]
    c[5] += states[5] + states[6]
    c[6] += states[6]
    c[9] += states[7]
    c[10] += states[8]
    cocm, bhc = count_waiting(n, ts.waitlist_since, ts.bhc_wait_since)
    c[7] += cocm + bhc
    c[8] += cocm
    count_quality_words(n, due_starts, bh, program_start, c)


@njit(**JIT)
def count_states(
    n: int,
    in_panel: NDArray[np.bool_],
    bh: NDArray[np.int8],
    treatment: NDArray[np.int8],
    ed_visit: NDArray[np.bool_],
    admission: NDArray[np.bool_],
) -> tuple[int, int, int, int, int, int, int, int, int]:
    """State and event counts of slots ``0 .. n-1`` (a multiple of :data:`WORD`).

    Panel members, active and subthreshold episodes, CoCM, PCBH, PCP and specialty treatment,
    ED visits and admissions, in that order.
    """
    words = n // WORD
    panel_w, bh_w, tx_w = (
        in_panel[:n].view(np.uint64),
        bh[:n].view(np.uint64),
        treatment[:n].view(np.uint64),
    )
    ed_w, admit_w = ed_visit[:n].view(np.uint64), admission[:n].view(np.uint64)
    zero = np.uint64(0)
    panel = active = sub = cocm = pcbh = pcp = specialty = ed = admitted = zero
    for w in range(words):
        b, t = bh_w[w], tx_w[w]
        panel += bytes_sum(panel_w[w])
        active += bytes_equal(b, _ACTIVE)
        sub += bytes_equal(b, _SUB)
        cocm += bytes_equal(t, _COCM)
        pcbh += bytes_equal(t, _PCBH)
        pcp += bytes_equal(t, _PCP)
        specialty += bytes_equal(t, _SPECIALTY)
        ed += bytes_sum(ed_w[w])
        admitted += bytes_sum(admit_w[w])
    return (
        np.int64(panel),
        np.int64(active),
        np.int64(sub),
        np.int64(cocm),
        np.int64(pcbh),
        np.int64(pcp),
        np.int64(specialty),
        np.int64(ed),
        np.int64(admitted),
    )


@njit(**JIT)
def count_waiting(
    n: int, waitlist_since: NDArray[np.int16], bhc_wait_since: NDArray[np.int16]
) -> tuple[int, int]:
    """Slots ``0 .. n-1`` (a multiple of :data:`WORD`) waiting for CoCM and for a BHC.

    A slot waits when its join month is not negative (``-1``: not waiting).
    """
    cocm_w, bhc_w = waitlist_since[:n].view(np.uint64), bhc_wait_since[:n].view(np.uint64)
    not_cocm = not_bhc = np.uint64(0)
    for w in range(len(cocm_w)):
        not_cocm += lanes_negative(cocm_w[w])
        not_bhc += lanes_negative(bhc_w[w])
    return np.int64(n) - np.int64(not_cocm), np.int64(n) - np.int64(not_bhc)


@njit(**JIT)
def count_quality_words(
    n: int,
    due_starts: tuple[int, int],
    bh: NDArray[np.int8],
    program_start: NDArray[np.int16],
    c: NDArray[np.int64],
) -> None:
    """Add the quality measures of slots ``0 .. n-1`` (a multiple of four) to ``c``.

    Four start months a word; the rare words where one falls due are counted slot by slot
    (:func:`count_quality`).
    """
    start_w = program_start[:n].view(np.uint64)
    due6 = np.uint64(due_starts[0] & 0xFFFF) * _EACH_LANE  # the due month in each int16 lane
    due12 = np.uint64(due_starts[1] & 0xFFFF) * _EACH_LANE
    for w in range(len(start_w)):
        if lanes_equal(start_w[w], due6) + lanes_equal(start_w[w], due12):
            for s in range(4 * w, 4 * w + 4):
                count_quality(s, due_starts, bh, program_start, c)
