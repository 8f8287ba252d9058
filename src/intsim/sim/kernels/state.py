"""Grouped patient-state arrays passed to the kernels as one argument each.

Issue 12 item 4: a kernel takes a few small structures rather than a long positional list of
population arrays. Each structure is a :class:`typing.NamedTuple` of arrays;
:class:`intsim.sim.population.Population` builds them over its own arrays, so writes through a
field change the population in place.

Python hands a kernel each structure as a plain tuple of its fields (:data:`Fields`:
``tuple(TreatmentState(...))``) and the kernel rebuilds the named tuple in its first lines
(``tx = TreatmentState(*tx)``), then reads fields by name. Numba types a plain tuple of arrays
in compiled code at a few hundredths of a microsecond per array, a named tuple through Python at
about a quarter of a microsecond per array: for the ten arrays of a :class:`TreatmentState` about
2 us a call, some 50 us a simulated month over the kernels. Rebuilding the named tuple costs
nothing in compiled code. A named tuple itself is accepted too (dispatched the slow way).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

#: The fields of one of the named tuples below, in order, as a plain tuple (see the module doc).
Fields = tuple[Any, ...]


class TreatmentState(NamedTuple):
    """A patient's treatment and programme bookkeeping (cleared together when treatment ends).

    Attributes:
        treatment: Current treatment (``Tx`` code).
        treatment_month: Months in the current treatment (months).
        care_manager: Index of the CoCM care manager, -1 without one.
        waitlist_since: Month the patient joined the CoCM waitlist, -1 when not waiting.
        bhc_wait_since: Month the patient started waiting for a BHC visit, -1 when not waiting.
        followup_ok: Whether the CoCM 4-week follow-up happened.
        reviewed: Whether a psychiatric case review happened this episode.
        improved_months: Consecutive months improved or remitted in CoCM (months).
        bhc_visits_left: Planned BHC visits left in the PCBH episode.
        pcp_cotreat: Whether the PCP co-treats during the PCBH episode.
    """

    treatment: NDArray[np.int8]
    treatment_month: NDArray[np.int16]
    care_manager: NDArray[np.int16]
    waitlist_since: NDArray[np.int16]
    bhc_wait_since: NDArray[np.int16]
    followup_ok: NDArray[np.bool_]
    reviewed: NDArray[np.bool_]
    improved_months: NDArray[np.int16]
    bhc_visits_left: NDArray[np.int8]
    pcp_cotreat: NDArray[np.bool_]


class EpisodeState(NamedTuple):
    """A patient's behavioural-health condition and the course of its episode.

    Attributes:
        bh: BH state (``BH`` code).
        score: True PHQ-9/GAD-7 score.
        baseline_score: Onset score of the episode (restored on relapse).
        condition: Condition of the episode (``Condition`` code).
        chronic_episode: Whether the episode is chronic.
        episode_month: Months into the active episode (months).
        remission_months: Months in remission (months).
        known: Whether the practice knows of the episode.
    """

    bh: NDArray[np.int8]
    score: NDArray[np.int8]
    baseline_score: NDArray[np.int8]
    condition: NDArray[np.int8]
    chronic_episode: NDArray[np.bool_]
    episode_month: NDArray[np.int16]
    remission_months: NDArray[np.int16]
    known: NDArray[np.bool_]


class PersonState(NamedTuple):
    """Who a patient is for its costs and acute-care risk.

    Attributes:
        in_panel: Whether the slot is in the panel.
        payer: Payer index (order of ``PAYERS``).
        chronic: Whether the patient has a chronic physical condition.
        age65: Whether the patient is 65 or older.
        cost_frailty: Persistent cost frailty (gamma, mean 1).
    """

    in_panel: NDArray[np.bool_]
    payer: NDArray[np.int8]
    chronic: NDArray[np.bool_]
    age65: NDArray[np.bool_]
    cost_frailty: NDArray[np.float64]


class AcuteEvents(NamedTuple):
    """Acute care used this month.

    Attributes:
        admission: Whether the patient was admitted to hospital.
        ed_visit: Whether the patient visited an emergency department.
    """

    admission: NDArray[np.bool_]
    ed_visit: NDArray[np.bool_]


class ReachFlags(NamedTuple):
    """Who the programme has reached, kept by the model (``ClinicModel``) across months.

    Attributes:
        served_cocm: Whether the patient has had care-manager minutes in any month so far.
        served_pcbh: Whether the patient has had a BHC visit in any month so far.
        year_flags: Rows of :data:`intsim.sim.model.REACH_FLAGS` (CoCM, PCBH, threshold
            episode) for the current programme year, one column per slot.
    """

    served_cocm: NDArray[np.bool_]
    served_pcbh: NDArray[np.bool_]
    year_flags: NDArray[np.bool_]


class ReachServices(NamedTuple):
    """The services a patient received this month that count as programme reach.

    Attributes:
        cm_minutes: Care-manager minutes of the month.
        bhc_visit: Whether the patient saw a BHC this month.
    """

    cm_minutes: NDArray[np.int16]
    bhc_visit: NDArray[np.bool_]


class CareManagerRecord(NamedTuple):
    """What the care managers did for each patient this month (and the episode's first contact).

    Attributes:
        cm_minutes: Care-manager minutes given this month.
        cm_initial: Whether this month's minutes were the enrolment month's (intake).
        followed_up: Whether the patient has had a follow-up contact this CoCM episode.
    """

    cm_minutes: NDArray[np.int16]
    cm_initial: NDArray[np.bool_]
    followed_up: NDArray[np.bool_]


class CareManagerWork(NamedTuple):
    """The care-manager work model of a month (from the ``cocm`` parameters).

    Attributes:
        minutes_multiplier: Quantiles of the between-patient minutes multiplier (mean 1).
        phase_minutes: Mean minutes per patient-month by work phase (intake, active treatment,
            outreach, maintenance).
        payer_minutes_ratio: Multiplier of the minutes by payer (``PAYERS`` order).
        unreached_probability: Probability a patient past intake is not reached in a month.
    """

    minutes_multiplier: NDArray[np.float64]
    phase_minutes: NDArray[np.float64]
    payer_minutes_ratio: NDArray[np.float64]
    unreached_probability: float


class BhcRecord(NamedTuple):
    """This month's BHC visits.

    Attributes:
        bhc_visit: Whether the patient saw a BHC this month.
        bhc_kind: Kind of the visit (``intsim.money.services.BhcVisitKind``).
    """

    bhc_visit: NDArray[np.bool_]
    bhc_kind: NDArray[np.int8]


class CareManagerStaff(NamedTuple):
    """The care managers of a month, one entry each (in ``model.care_managers`` order).

    Attributes:
        caseload_cap: Maximum active caseload (patients).
        patient_minutes: Minutes a month for patient-related work (minutes).
        index: Index of the care manager (the patients' ``care_manager`` value).
    """

    caseload_cap: NDArray[np.int64]
    patient_minutes: NDArray[np.float64]
    index: NDArray[np.int64]


class EnrolmentRule(NamedTuple):
    """The CoCM enrolment rule of a month (from the ``cocm`` parameters).

    Attributes:
        phase_minutes: Mean minutes per patient-month by work phase (intake, active treatment,
            outreach, maintenance).
        payer_minutes_ratio: Multiplier of the minutes by payer (``PAYERS`` order).
        unreached_probability: Probability a patient past intake is not reached in a month.
        minutes_intake: Intake minutes of a new patient (minutes, before the payer ratio).
        panel_fill_target: Share of its patient minutes a care manager's caseload may fill.
    """

    phase_minutes: NDArray[np.float64]
    payer_minutes_ratio: NDArray[np.float64]
    unreached_probability: float
    minutes_intake: float
    panel_fill_target: float


class EnrolmentRecord(NamedTuple):
    """The programme bookkeeping a CoCM enrolment resets, besides :class:`TreatmentState`.

    Attributes:
        program_start: Month the patient entered the programme.
        last_review: Treatment month of the last psychiatric review (months).
        enrol_score: Score at enrolment (baseline of measurement-based care).
        screen_score: Last observed screening score, -1 if none.
        followed_up: Whether the patient has had a follow-up contact this CoCM episode.
    """

    program_start: NDArray[np.int16]
    last_review: NDArray[np.int16]
    enrol_score: NDArray[np.int8]
    screen_score: NDArray[np.int8]
    followed_up: NDArray[np.bool_]
