"""Columnar patient state shared by both engines, and patient initialisation.

All patient state lives in :class:`Population` arrays indexed by *slot* — a patient's permanent
index. The ``arrays`` engine updates the arrays with vectorised rules; in the ``agents`` engine each
patient is a :class:`mesa.Agent` whose attributes are views of its own slot, so organisation-level
code (providers, care models, billing) is shared by both engines.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray
from scipy import special

from intsim.money.services import BhcVisitKind
from intsim.params import PAYERS
from intsim.sim.kernels.pathways import end_treatments, leave_panel
from intsim.sim.kernels.rng import quantile_by_logit
from intsim.sim.kernels.rules import partial_response_scores, subthreshold_scores, threshold_scores
from intsim.sim.kernels.state import (
    AcuteEvents,
    BhcRecord,
    CareManagerRecord,
    EnrolmentRecord,
    EpisodeState,
    Fields,
    PersonState,
    TreatmentState,
)
from intsim.sim.streams import RandomStreams


class BH(IntEnum):
    """Behavioral-health state of a patient."""

    NONE = 0
    SUBTHRESHOLD = 1  # distress below diagnostic threshold (score 5-9)
    ACTIVE = 2  # threshold episode, symptomatic (score >= 10)
    IMPROVED = 3  # significant improvement (response), residual symptoms
    REMITTED = 4  # full remission (score < 5)


class Tx(IntEnum):
    """Current treatment of a patient."""

    NONE = 0
    PCP = 1  # usual-care PCP treatment
    SPECIALTY = 2  # attended specialty mental-health care
    COCM = 3  # collaborative care caseload
    PCBH = 4  # PCBH episode with a behavioral health consultant


class Condition(IntEnum):
    """Primary behavioral-health condition of a threshold episode."""

    NONE = 0
    DEPRESSION = 1
    ANXIETY = 2


#: Attributes a patient brings when joining the panel (drawn per slot at initialisation).
ADMITTED_FIELDS: tuple[str, ...] = (
    "payer",
    "age65",
    "chronic",
    "pcp",
    "bh",
    "condition",
    "chronic_episode",
    "score",
    "baseline_score",
    "episode_month",
    "remission_months",
    "known",
    "cost_frailty",
    "treatment",
    "treatment_month",
)

#: The attributes of :data:`ADMITTED_FIELDS` grouped by dtype, with each group's initial value:
#: each group is stored as the rows of one 2-d array, so :meth:`Population.admit` copies a
#: newcomer's attributes with one block write per dtype.
_ADMITTED_BLOCKS: tuple[tuple[type, float, tuple[str, ...]], ...] = (
    (np.int8, 0, ("payer", "bh", "condition", "score", "baseline_score", "treatment")),
    (np.bool_, 0, ("age65", "chronic", "chronic_episode", "known")),
    (np.int16, 0, ("pcp", "episode_month", "remission_months", "treatment_month")),
    (np.float64, 1.0, ("cost_frailty",)),
)

#: The per-month service arrays (reset each month; billing reads them) and their dtypes; they
#: share one buffer, each starting on a 64-byte boundary (:func:`_allocate_month_services`).
MONTH_SERVICE_FIELDS: tuple[tuple[str, type], ...] = (
    ("cm_minutes", np.int16),
    ("psych_minutes", np.int16),
    ("bhi_minutes", np.int16),
    ("pcp_visit", np.bool_),
    ("bhc_visit", np.bool_),
    ("bhc_kind", np.int8),
    ("bhc_same_day", np.bool_),
    ("cm_initial", np.bool_),
    ("ed_visit", np.bool_),
    ("admission", np.bool_),
)

#: Slots between the starts of arrays that share a buffer (:func:`aligned_length`).
ALIGNMENT = 64

#: A month that never comes (patients who never leave the panel).
NEVER = 2**31 - 1

#: Highest PHQ-9 score.
MAX_SCORE = 27

#: Nodes of the cost-frailty quantile table, evenly spaced in logit(u) over +-this value.
_FRAILTY_NODES = 4097
_FRAILTY_LOGIT_MAX = 36.0


@dataclass
class AdmittedAttributes:
    """What each slot's patient brings when joining the panel: :data:`ADMITTED_FIELDS` and tenure.

    The admitted attributes are rows of one block per dtype (:data:`_ADMITTED_BLOCKS`), so
    :meth:`Population.admit` copies a newcomer's with one block write per dtype. Extended by
    :class:`NewcomerTemplate` (the run's draws for every slot) and :class:`Population` (which
    adds the state a run changes).

    Attributes:
        capacity: Number of slots.
    """

    capacity: int
    tenure: NDArray[np.int32] = field(init=False)
    payer: NDArray[np.int8] = field(init=False)
    age65: NDArray[np.bool_] = field(init=False)
    chronic: NDArray[np.bool_] = field(init=False)
    pcp: NDArray[np.int16] = field(init=False)
    bh: NDArray[np.int8] = field(init=False)
    condition: NDArray[np.int8] = field(init=False)
    chronic_episode: NDArray[np.bool_] = field(init=False)
    score: NDArray[np.int8] = field(init=False)
    baseline_score: NDArray[np.int8] = field(init=False)
    episode_month: NDArray[np.int16] = field(init=False)
    remission_months: NDArray[np.int16] = field(init=False)
    known: NDArray[np.bool_] = field(init=False)
    cost_frailty: NDArray[np.float64] = field(init=False)
    treatment: NDArray[np.int8] = field(init=False)
    treatment_month: NDArray[np.int16] = field(init=False)

    def __post_init__(self) -> None:
        self.tenure = np.zeros(self.capacity, np.int32)
        self._admitted_blocks = _allocate_admitted(self, self.capacity)


@dataclass
class NewcomerTemplate(AdmittedAttributes):
    """The attributes drawn for every slot of a run, read when a slot's patient joins.

    Written by :func:`initialise_patients` and copied by :meth:`Population.admit`. Only what a
    newcomer brings is allocated: a whole :class:`Population` would also allocate, and fill,
    treatment, queue and service arrays a template never uses.
    """


@dataclass
class Population(AdmittedAttributes):
    """Patient state arrays (length ``capacity``; slots ``>= n_used`` are not yet assigned).

    The attributes a patient brings (:class:`AdmittedAttributes`), then the state a run changes.

    Attributes:
        capacity: Number of allocated slots.
        n_used: Slots assigned so far (patients ever created).
    """

    n_used: int = 0
    in_panel: NDArray[np.bool_] = field(init=False)
    leave_month: NDArray[np.int32] = field(init=False)
    care_manager: NDArray[np.int16] = field(init=False)
    waitlist_since: NDArray[np.int16] = field(init=False)
    bhc_wait_since: NDArray[np.int16] = field(init=False)
    followup_ok: NDArray[np.bool_] = field(init=False)
    reviewed: NDArray[np.bool_] = field(init=False)
    last_review: NDArray[np.int16] = field(init=False)  # treatment month of the last review
    followed_up: NDArray[np.bool_] = field(init=False)  # a CoCM follow-up contact this episode
    improved_months: NDArray[np.int16] = field(init=False)
    enrol_score: NDArray[np.int8] = field(init=False)
    screen_score: NDArray[np.int8] = field(init=False)
    bhc_visits_left: NDArray[np.int8] = field(init=False)
    pcp_cotreat: NDArray[np.bool_] = field(init=False)
    # member of the month-1 study cohort (kept after leaving the panel: slots are never reused)
    cohort: NDArray[np.bool_] = field(init=False)
    # services delivered this month (reset monthly; billing reads them)
    pcp_visit: NDArray[np.bool_] = field(init=False)
    cm_minutes: NDArray[np.int16] = field(init=False)
    psych_minutes: NDArray[np.int16] = field(init=False)
    bhc_visit: NDArray[np.bool_] = field(init=False)
    bhc_kind: NDArray[np.int8] = field(init=False)
    bhc_same_day: NDArray[np.bool_] = field(init=False)
    program_start: NDArray[np.int16] = field(init=False)
    cm_initial: NDArray[np.bool_] = field(init=False)
    bhi_minutes: NDArray[np.int16] = field(init=False)  # BHC general-BHI care management
    ed_visit: NDArray[np.bool_] = field(init=False)
    admission: NDArray[np.bool_] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()  # tenure and the admitted attributes
        n = self.capacity
        self._panel: NDArray[np.int64] | None = None
        self.in_panel = np.zeros(n, bool)
        self.leave_month = np.full(n, NEVER, np.int32)
        self.care_manager = np.full(n, -1, np.int16)
        self.waitlist_since = np.full(n, -1, np.int16)
        self.bhc_wait_since = np.full(n, -1, np.int16)
        self.followup_ok = np.zeros(n, bool)
        self.reviewed = np.zeros(n, bool)
        self.last_review = np.zeros(n, np.int16)
        self.followed_up = np.zeros(n, bool)
        self.improved_months = np.zeros(n, np.int16)
        self.enrol_score = np.zeros(n, np.int8)
        self.screen_score = np.full(n, -1, np.int8)
        self.bhc_visits_left = np.zeros(n, np.int8)
        self.pcp_cotreat = np.zeros(n, bool)
        self.cohort = np.zeros(n, bool)
        self.program_start = np.full(n, -1, np.int16)
        self._month_services = _allocate_month_services(self, n)
        self._group_arrays()

    def reset_month_services(self) -> None:
        """Zero the per-month service arrays (:data:`MONTH_SERVICE_FIELDS`).

        The arrays are views of one buffer (:func:`_allocate_month_services`), zeroed in one
        call; zero is every array's "nothing delivered" value (``BhcVisitKind.NONE`` is 0).
        """
        self._month_services.fill(0)

    def panel_slots(self) -> NDArray[np.int64]:
        """Return the slots of patients currently in the panel (ascending; cached)."""
        if self._panel is None:
            self._panel = np.flatnonzero(self.in_panel[: self.n_used])
            self._panel.flags.writeable = False
        return self._panel

    def set_in_panel(self, slots: NDArray[np.integer], value: bool) -> None:
        """Add patients to, or remove them from, the panel."""
        self.in_panel[slots] = value
        self._panel = None

    def remove(self, slots: NDArray[np.integer]) -> None:
        """Patients leave the panel: end their care and clear their state.

        Cleared state (no condition, no treatment, no queue) means that counting a state or a
        treatment over all slots counts panel members only.
        """
        leave_panel(
            np.asarray(slots, dtype=np.int64),
            self._treatment_state,
            self._episode_state,
            self.in_panel,
            self.chronic,
            self.leave_month,
            self.screen_score,
            self.program_start,
            NEVER,
        )
        self._panel = None

    def admit(self, slots: NDArray[np.int64], newcomers: AdmittedAttributes, month: int) -> None:
        """New patients join the panel with the attributes drawn for their slots in ``newcomers``.

        Args:
            slots: Fresh slots (ascending, ``>= n_used``).
            newcomers: The newcomer template (:class:`NewcomerTemplate`, or any
                :class:`AdmittedAttributes`) initialised for every slot.
            month: Month of joining (0 for the month-1 panel); the patient leaves after its
                drawn tenure.
        """
        if len(slots) == 0:
            return
        last = int(slots[-1])
        index = _slots_index(slots)
        for mine, theirs in zip(self._admitted_blocks, newcomers._admitted_blocks, strict=True):
            mine[:, index] = theirs[:, index]  # every attribute of one dtype at once
        self.leave_month[index] = leave_months(newcomers.tenure[index], month)
        self.n_used = max(self.n_used, last + 1)
        self.in_panel[index] = True
        self._panel = None

    def where(self, mask: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Slots (ascending) where a full-length boolean mask is true."""
        return np.flatnonzero(mask[: self.n_used])

    def in_treatment(self, tx: int) -> NDArray[np.int64]:
        """Slots (ascending) of patients whose current treatment is ``tx`` (a :class:`Tx`).

        ``tx`` is compared as a plain ``int``: numpy compares an int8 array with an ``IntEnum``
        member (an int subclass) by first converting the array to int64, ten times slower.
        """
        return np.flatnonzero(self.treatment[: self.n_used] == int(tx))

    def waiting_for_cocm(self) -> NDArray[np.int64]:
        """Slots (ascending) of patients on the CoCM waitlist."""
        return np.flatnonzero(self.waitlist_since[: self.n_used] >= 0)

    def waiting_for_bhc(self) -> NDArray[np.int64]:
        """Slots (ascending) of patients waiting for a scheduled BHC visit."""
        return np.flatnonzero(self.bhc_wait_since[: self.n_used] >= 0)

    def _group_arrays(self) -> None:
        """Build the grouped views the kernels take (arrays are allocated once, never rebound).

        Each group is kept as the plain tuple of its named tuple's fields, the form the kernels
        dispatch fastest (:mod:`intsim.sim.kernels.state`).
        """
        self._treatment_state = tuple(
            TreatmentState(
                self.treatment,
                self.treatment_month,
                self.care_manager,
                self.waitlist_since,
                self.bhc_wait_since,
                self.followup_ok,
                self.reviewed,
                self.improved_months,
                self.bhc_visits_left,
                self.pcp_cotreat,
            )
        )

        self._episode_state = tuple(
            EpisodeState(
                self.bh,
                self.score,
                self.baseline_score,
                self.condition,
                self.chronic_episode,
                self.episode_month,
                self.remission_months,
                self.known,
            )
        )

        self._person_state = tuple(
            PersonState(self.in_panel, self.payer, self.chronic, self.age65, self.cost_frailty)
        )

        self._acute_events = tuple(AcuteEvents(self.admission, self.ed_visit))

        self._care_manager_record = tuple(
            CareManagerRecord(self.cm_minutes, self.cm_initial, self.followed_up)
        )

        self._bhc_record = tuple(BhcRecord(self.bhc_visit, self.bhc_kind))

        self._enrolment_record = tuple(
            EnrolmentRecord(
                self.program_start,
                self.last_review,
                self.enrol_score,
                self.screen_score,
                self.followed_up,
            )
        )

    def treatment_state(self) -> Fields:
        """The treatment and programme bookkeeping arrays, grouped for the kernels (views)."""
        return self._treatment_state

    def episode_state(self) -> Fields:
        """The condition and episode-course arrays, grouped for the kernels (views)."""
        return self._episode_state

    def person_state(self) -> Fields:
        """The panel, payer, chronic, age and frailty arrays, grouped for the kernels (views)."""
        return self._person_state

    def acute_events(self) -> Fields:
        """This month's admission and ED-visit arrays, grouped for the kernels (views)."""
        return self._acute_events

    def care_manager_record(self) -> Fields:
        """This month's care-manager minutes and the follow-up flags, grouped for the kernels."""
        return self._care_manager_record

    def bhc_record(self) -> Fields:
        """This month's BHC visits and their kinds, grouped for the kernels (views)."""
        return self._bhc_record

    def enrolment_record(self) -> Fields:
        """The bookkeeping a CoCM enrolment resets besides the treatment state (views)."""
        return self._enrolment_record

    def end_treatment(self, slots: NDArray[np.integer]) -> None:
        """End the current treatment (and any CoCM/PCBH bookkeeping) of these patients."""
        end_treatments(np.asarray(slots, dtype=np.int64), self.treatment_state())


def leave_months(tenure: NDArray[np.int32], month: int) -> NDArray[np.int32]:
    """Month each newcomer leaves: ``month + tenure``, or :data:`NEVER` when that would reach it.

    Computed in int32 without overflow: ``tenure`` (months, at most :data:`NEVER`) is first
    capped at ``NEVER - month``, so adding ``month`` gives at most :data:`NEVER` (two int32
    operations, no int64 temporary).

    Args:
        tenure: Months each newcomer stays in the panel (int32, ``0 <= tenure <= NEVER``).
        month: Month of joining (``>= 0``).

    Returns:
        The leave months (a new int32 array).
    """
    leave = np.minimum(tenure, NEVER - month)
    leave += month
    return leave


def _slots_index(slots: NDArray[np.integer]) -> slice | NDArray[np.integer]:
    """An index of ``slots`` (ascending, distinct): a slice when they are consecutive.

    A slice reads and writes without fancy indexing, several times faster; fresh slots and
    the slots of a whole population are consecutive.
    """
    if len(slots) == 0:
        return slots
    first, last = int(slots[0]), int(slots[-1])
    return slice(first, last + 1) if last - first + 1 == len(slots) else slots


def _allocate_admitted(pop: AdmittedAttributes, n: int) -> tuple[NDArray[np.generic], ...]:
    """Allocate the attributes a patient brings (:data:`_ADMITTED_BLOCKS`) on ``pop``.

    Each attribute is a row (a contiguous view) of its dtype's 2-d block.

    Returns:
        The blocks, in :data:`_ADMITTED_BLOCKS` order.
    """
    blocks = []
    stride = aligned_length(n)
    for dtype, initial, names in _ADMITTED_BLOCKS:
        block = np.full((len(names), stride), initial, dtype)
        for name, row in zip(names, block, strict=True):
            setattr(pop, name, row[:n])
        blocks.append(block)
    return tuple(blocks)


def aligned_length(n: int) -> int:
    """``n`` rounded up to a multiple of 64 (slots).

    Arrays laid side by side in one buffer start a multiple of :data:`ALIGNMENT` slots apart,
    so each starts on a 64-byte boundary of the buffer: the kernels read byte and int16 arrays
    as 64-bit words (:mod:`intsim.sim.kernels.scan`, :mod:`intsim.sim.kernels.counts`), which
    should not straddle odd offsets.
    """
    return -(-n // ALIGNMENT) * ALIGNMENT


def _allocate_month_services(pop: Population, n: int) -> NDArray[np.uint8]:
    """Allocate the per-month service arrays (:data:`MONTH_SERVICE_FIELDS`) on ``pop``.

    Each array is a view of consecutive bytes of one zeroed buffer, so that
    :meth:`Population.reset_month_services` zeroes them all in one call.

    Returns:
        The buffer (bytes).
    """
    if BhcVisitKind.NONE != 0:  # cannot happen: a zeroed buffer means no BHC visit
        raise RuntimeError("BhcVisitKind.NONE must be 0")
    stride = aligned_length(n)
    sizes = [stride * np.dtype(dtype).itemsize for _, dtype in MONTH_SERVICE_FIELDS]
    buffer = np.zeros(sum(sizes), np.uint8)
    start = 0
    for (name, dtype), size in zip(MONTH_SERVICE_FIELDS, sizes, strict=True):
        view = buffer[start : start + size].view(dtype)[:n]
        setattr(pop, name, view)
        start += size
    return buffer


def start_episode(
    pop: AdmittedAttributes,
    slots: NDArray[np.integer],
    u_condition: NDArray[np.float64],
    u_chronic: NDArray[np.float64],
    u_severity: NDArray[np.float64],
    anxiety_share: float,
    chronic_episode_share: float,
    severe_share: float,
    modsevere_share: float,
) -> None:
    """Start threshold episodes at initialisation (scores: :func:`threshold_score`)."""
    pop.bh[slots] = BH.ACTIVE
    pop.condition[slots] = np.where(
        u_condition < anxiety_share, Condition.ANXIETY, Condition.DEPRESSION
    )
    pop.chronic_episode[slots] = u_chronic < chronic_episode_share
    score = threshold_score(u_severity, severe_share, modsevere_share)
    pop.score[slots] = score
    pop.baseline_score[slots] = score
    pop.episode_month[slots] = 0
    pop.known[slots] = False


def threshold_score(
    u: NDArray[np.float64], severe_share: float, modsevere_share: float
) -> NDArray[np.int8]:
    """Map uniforms to a PHQ-9-like onset score: severe 20-27, moderately severe 15-19, else 10-14.

    The rule of the running engines (:func:`intsim.sim.kernels.rules.threshold_score_of`) applied to
    each uniform.
    """
    return threshold_scores(np.ascontiguousarray(u, np.float64), severe_share, modsevere_share)


def subthreshold_score(u: NDArray[np.float64]) -> NDArray[np.int8]:
    """Map uniforms to a subthreshold score 5-9.

    The rule of the running engines (:func:`intsim.sim.kernels.rules.subthreshold_score_of`).
    """
    return subthreshold_scores(np.ascontiguousarray(u, np.float64))


@functools.lru_cache(maxsize=64)
def _frailty_table(shape: float) -> NDArray[np.float64]:
    """Log gamma(shape, mean 1) quantiles at nodes evenly spaced in logit(u) (cached per shape)."""
    x = np.linspace(-_FRAILTY_LOGIT_MAX, _FRAILTY_LOGIT_MAX, _FRAILTY_NODES)
    u = special.expit(x)
    q = special.gammaincinv(shape, u) / shape
    log_q = np.log(np.maximum(q, np.finfo(float).tiny))
    log_q.flags.writeable = False
    return log_q


def gamma_frailty(key: int, slots: NDArray[np.int64], shape: float) -> NDArray[np.float64]:
    """Gamma(shape, mean 1) frailties of ``slots`` from the stream key ``key``, by inversion.

    The log-quantile is interpolated linearly in logit(u) between 4,097 exact nodes (relative
    error below 1e-4 over the body and tails; :func:`intsim.sim.kernels.rng.quantile_by_logit`), far
    faster than evaluating the inverse incomplete gamma function for every slot.

    Args:
        key: Key of the ``init_cost_frailty`` stream at month 0.
        slots: Slots to draw (ascending, distinct).
        shape: Gamma shape (> 0); the coefficient of variation is ``1 / sqrt(shape)``.

    Returns:
        Frailties aligned with ``slots``, mean 1.
    """
    return quantile_by_logit(
        np.uint64(key),
        np.asarray(slots, np.int64),
        _frailty_table(float(shape)),
        _FRAILTY_LOGIT_MAX,
    )


def payer_of(u: NDArray[np.float64], mix: NDArray[np.float64]) -> NDArray[np.int8]:
    """Payer index (:data:`~intsim.params.PAYERS` order) of each uniform, by the payer mix.

    ``u`` falls in the payer whose cumulative share first exceeds it (the last share is taken
    as exactly 1). That is ``np.searchsorted(cum, u, side="right")`` clipped to the last payer;
    counting the cumulative shares at or below ``u`` gives the same (they are ascending, the
    shares being >= 0) in a sixth of the time.

    Args:
        u: Uniforms in [0, 1).
        mix: Share of each payer (>= 0, summing to 1; at most 127 payers).
    """
    cum = np.cumsum(mix)
    cum[-1] = 1.0
    index = np.zeros(u.shape, np.int8)
    for edge in cum.tolist():
        index += (u >= edge).view(np.int8)
    return np.minimum(index, len(mix) - 1, out=index)


def panel_tenure(u: NDArray[np.float64], monthly_attrition: float) -> NDArray[np.int32]:
    """Months a patient stays in the panel: geometric with the monthly attrition probability.

    Drawing the tenure once by inversion, ``ceil(log(u) / log(1 - p))``, is equivalent to a
    monthly Bernoulli(p) departure draw, and costs nothing per month.
    """
    if monthly_attrition <= 0.0:
        return np.full(u.shape, NEVER, np.int32)
    if monthly_attrition >= 1.0:
        return np.ones(u.shape, np.int32)
    # the formula ceil(log1p(-u) / log1p(-p)) clipped to [1, NEVER - 1], in one work array
    months = np.negative(u, dtype=np.float64)
    np.log1p(months, out=months)
    months /= np.log1p(-monthly_attrition)
    np.ceil(months, out=months)
    np.clip(months, 1, NEVER - 1, out=months)
    return months.astype(np.int32)


def start_usual_care_under_way(
    pop: AdmittedAttributes,
    active: NDArray[np.int64],
    streams: RandomStreams,
    values: object,
) -> None:
    """Usual care under way at month 1 for prevalent episodes (the usual-care steady state).

    A share of prevalent episodes is known to the practice, and shares of them are in PCP or
    specialty treatment, with treatment months drawn uniformly over the course length. A
    programme's launch backlog is the remaining unknown and untreated episodes.
    """
    p, d = values.population, values.detection  # type: ignore[attr-defined]
    u = streams.uniform("init_treatment", 0, active)
    pop.known[active] = u < p.initial_known_share
    pcp = active[u < p.initial_pcp_treatment_share]
    cut = p.initial_pcp_treatment_share + p.initial_specialty_treatment_share
    specialty = active[(u >= p.initial_pcp_treatment_share) & (u < cut)]
    months = int(d.treatment_months)
    for slots, tx in ((pcp, Tx.PCP), (specialty, Tx.SPECIALTY)):
        pop.treatment[slots] = tx
        pop.known[slots] = True
        pop.treatment_month[slots] = 1 + (
            streams.uniform("init_treatment_month", 0, slots) * months
        ).astype(np.int64)
        start_partial_responses_under_way(pop, slots, streams, values)


def start_partial_responses_under_way(
    pop: AdmittedAttributes,
    treated: NDArray[np.int64],
    streams: RandomStreams,
    values: object,
) -> None:
    """Partial responses under way at month 1 among episodes already in treatment.

    A patient treated for ``treatment_month - 1`` months before month 1 has responded partially
    with probability ``1 - (1 - p) ** (treatment_month - 1)``, ``p`` the monthly probability
    :func:`~intsim.sim.kernels.rules.clinical_course` applies from month 1 on, so the month-1
    state continues the usual-care steady state. Draws: month 0 of ``partial_response`` and
    ``partial_depth``; the score share is the rule's
    (:func:`~intsim.sim.kernels.rules.partial_response_score`).
    """
    c = values.clinical  # type: ignore[attr-defined]
    p = float(c.partial_response_probability)
    elapsed = pop.treatment_month[treated].astype(np.float64) - 1.0
    done = streams.uniform("partial_response", 0, treated) < 1.0 - (1.0 - p) ** elapsed
    slots = treated[done]
    depth = streams.uniform("partial_depth", 0, slots)
    low, high = float(c.partial_response_residual_low), float(c.partial_response_residual_high)
    pop.score[slots] = partial_response_scores(pop.score[slots], depth, low, high)


def initialise_patients(
    pop: AdmittedAttributes,
    slots: NDArray[np.int64],
    streams: RandomStreams,
    values: object,
) -> None:
    """Draw the attributes of patients in ``slots`` (shared by both engines).

    Init draws use month 0 of the ``init_*`` streams: a slot's attributes depend only on the
    seed and the slot, so every slot can be drawn once when the model is built. Patients present
    at month 1 and patients joining later start from the same prevalences of threshold,
    subthreshold and remitted states (new panel members come from the same community). The
    month-1 state is set by the ``population.initial_*`` parameters: the chronic share of
    prevalent episodes, the ages of episodes and remissions under way, and the usual care
    already known and under way (decision 52 gives their usual-care steady-state values).

    Args:
        pop: The newcomer template to write into (see :meth:`Population.admit`).
        slots: Slots to draw (ascending, distinct).
        streams: Random streams.
        values: Scenario values (``scenario.values``).
    """
    p = values.population  # type: ignore[attr-defined]
    n_pcps = values.staffing.n_pcps  # type: ignore[attr-defined]
    every = _slots_index(slots)  # every one of the slots, as a slice when they are consecutive
    pop.tenure[every] = panel_tenure(streams.uniform("init_tenure", 0, slots), p.monthly_attrition)
    mix = np.array([getattr(p.payer_mix, name) for name in PAYERS])
    pop.payer[every] = payer_of(streams.uniform("init_payer", 0, slots), mix)
    pop.age65[every] = streams.uniform("init_age", 0, slots) < p.share_age_65plus
    pop.chronic[every] = streams.uniform("init_chronic", 0, slots) < p.chronic_condition_prevalence
    pop.cost_frailty[every] = gamma_frailty(
        streams.key("init_cost_frailty", 0),
        slots,
        values.utilization.cost_frailty_shape,  # type: ignore[attr-defined]
    )
    pop.pcp[every] = (
        (streams.uniform("init_pcp", 0, slots) * n_pcps).astype(np.int64).clip(0, n_pcps - 1)
    )
    u_bh = streams.uniform("init_bh", 0, slots)
    active = slots[u_bh < p.threshold_prevalence]
    sub_cut = p.threshold_prevalence + p.subthreshold_prevalence
    sub = slots[(u_bh >= p.threshold_prevalence) & (u_bh < sub_cut)]
    rem = slots[(u_bh >= sub_cut) & (u_bh < sub_cut + p.remitted_prevalence)]
    start_episode(
        pop,
        active,
        streams.uniform("onset_condition", 0, active),
        streams.uniform("onset_chronic_episode", 0, active),
        streams.uniform("onset_severity", 0, active),
        p.anxiety_share,
        p.initial_chronic_episode_share,
        p.severe_share,
        p.moderately_severe_share,
    )
    # episodes under way: ages drawn uniformly up to the maximum of their kind (chronic
    # episodes last years, acute ones months), so remissions balance onsets from month 1
    longest = np.where(
        pop.chronic_episode[active],
        p.initial_chronic_episode_months_max,
        p.initial_episode_months_max,
    )
    pop.episode_month[active] = (streams.uniform("init_episode_month", 0, active) * longest).astype(
        np.int64
    )
    start_usual_care_under_way(pop, active, streams, values)
    pop.bh[sub] = BH.SUBTHRESHOLD
    pop.score[sub] = subthreshold_score(streams.uniform("onset_severity", 0, sub))
    pop.bh[rem] = BH.REMITTED
    pop.score[rem] = 2
    # remissions under way: months since remission uniform up to the maximum
    pop.remission_months[rem] = (
        streams.uniform("init_episode_month", 0, rem) * p.initial_remission_months_max
    ).astype(np.int64)
