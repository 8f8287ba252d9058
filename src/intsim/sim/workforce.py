"""Workforce dynamics and the rollout plan (phase 1 of every month).

**Positions.** Every provider agent is a *position* with a state: ``planned`` (its phase has not
opened recruitment yet), ``vacant`` (recruiting; filled at ``fill_month``) or ``filled``.
Recruitment for a phase opens ``rollout.hiring_lead_months`` before its go-live; the time to fill
a vacancy is lognormal (median by role class and ``workforce.shortage_severity``, log-scale SD
``workforce.fill_sigma``; docs/evidence.md D6), rounded up to whole months, at least one. A vacancy
that opens in month ``m`` with a drawn time to fill of ``T`` months leaves the position without
capacity in months ``m .. m + T - 1``; the new hire starts in month ``m + T`` and ramps up
linearly from ``workforce.ramp_start_productivity`` to full productivity over
``workforce.ramp_months``.

**Turnover and burnout.** Filled positions leave with a monthly hazard converted from the annual
turnover of their role (behavioral-health staff 30%/yr, physicians 7%/yr), multiplied by
``1 + (workforce.burnout_turnover_hr - 1) * burnout``. Burnout (0-1) rises each month by
``workforce.burnout_rise`` per unit of load above ``workforce.burnout_threshold`` (at most one
unit a month, so a month adds at most ``burnout_rise``) and recovers
by ``workforce.burnout_recovery`` when the load is at or below it. The load is the work demanded
of a provider in the month divided by its capacity: visits sought / visit capacity (PCP), minutes
needed by its caseload / patient minutes (care manager), visits sought / slots (BHC, pooled),
reviews due x minutes / review minutes (psychiatric consultant). Overload therefore feeds back
through turnover, vacancies, capacity, waitlists and the load on those who stay.

**Departures of care managers.** The departing care manager's patients are reassigned, in
priority order, to filled care managers with room under their caseload caps; each of the rest
disengages (a patient decision, ``workforce.cm_departure_disengagement``) or returns to the head of
the CoCM waitlist.

**Substitution.** Vacant care-manager positions can be covered by tele-care management, and a
vacant employed psychiatric consultant by a telepsychiatry vendor, after
``workforce.vendor_contract_months``; academic trainees add capacity in the BHC (or CoCM) role at
reduced productivity, cost supervision time and rotate; LPC/MFT hires fill BHC vacancies faster
and bill at 75% of the fee schedule (docs/billing.md 4.1).

**Rollout.** PCP teams are grouped into phases (all at once, phased, pilot then scale). Before a
phase goes live its PCPs practise usual care; care managers and BHCs of a phase serve patients
from its go-live, and care managers' caseload caps ramp up over
``rollout.caseload_ramp_months`` (docs/evidence.md E2). The psychiatric consultant's hours grow with
the share of PCPs live. An optional gate opens the next phase's recruitment only once the live
programme has met a condition for ``rollout.gate_months`` consecutive months (an adaptive decision
taken inside the simulation).

**Programme end.** With ``rollout.end_month`` set, the programme stops accepting patients after
that month: no PCP team is live any more (everyone is routed to usual care, capitation stops),
no phase is recruited or launched, vacancies are closed. Programme positions are *released*
(unpaid, no capacity): with ``rollout.end_policy: handback`` all of them from the next month;
with ``finish`` each role's positions (care managers with the psychiatric consultant; BHCs) once
no patient of the role is left, checked at the start of each month (the month the last patient
is discharged is paid in full). The care-side wind-down is
:func:`intsim.sim.care.base.close_programme`.

All draws come from slot-indexed streams keyed by the position id (``staff_turnover``,
``staff_fill``, ``staff_initial_fill``, ``cm_departure``), so they are common random numbers
across care models, engines and scenarios with the same positions.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from intsim.money.billing import practitioner_share
from intsim.params.components import MODULE, Component, declared_section, register
from intsim.params.rollout import Phase, plan_phases
from intsim.params.spec import Param, annual_to_monthly_probability
from intsim.sim.population import Tx
from intsim.sim.providers import SHORT_ROLE, assign_to_most_room, order_by_priority

if TYPE_CHECKING:
    from intsim.sim.context import WorkforceContext
    from intsim.sim.providers import Provider

#: Short role names used in output columns.
ROLES: tuple[str, ...] = ("pcp", "cm", "bhc", "psych")

#: Workforce columns of the monthly table, in order.
WORKFORCE_COLUMNS: tuple[str, ...] = (
    *(f"vacancies_{r}" for r in ROLES),
    *(f"departures_{r}" for r in ROLES),
    *(f"hires_{r}" for r in ROLES),
    *(f"effective_fte_{r}" for r in ROLES),
    *(f"burnout_{r}" for r in ROLES),
    "mean_burnout",
    "paid_fte_cm",
    "paid_fte_bhc",
    "paid_fte_bhc_lpc",
    "trainee_fte",
    "tele_fte_cm",
    "psych_hours_paid",
    "tele_psych_hours",
    "programme_hires",
    "phase_launches",
    "phase_launch_pcp_share",
    "phases_live",
    "pcp_live_share",
    "cm_reassigned",
    "cm_returned_to_waitlist",
    "programme_open",
    "programme_wind_down",
)

_NORMAL = NormalDist()

#: Marks a missing entry of a cache whose values may be None.
_UNSET: Any = object()


_FLOAT_PREFIXES = (
    "effective_fte_",
    "burnout_",
    "mean_",
    "paid_",
    "trainee_",
    "tele_",
    "psych_",
    "pcp_live_",
)


def _is_float_column(column: str) -> bool:
    """Whether a workforce column holds FTE, hours, burnout or a share (else a count)."""
    return column.startswith(_FLOAT_PREFIXES) or column.endswith("_share")


#: Each workforce column with the type of its values: counts as int, FTE/hours/burnout/shares as
#: float, so dtypes never depend on the run.
_COLUMN_TYPES: tuple[tuple[str, type], ...] = tuple(
    (c, float if _is_float_column(c) else int) for c in WORKFORCE_COLUMNS
)

#: Events counted during a month (the ``month_events`` of a new month, before any event).
_NO_EVENTS: dict[str, float] = {
    **{f"departures_{r}": 0 for r in ROLES},
    **{f"hires_{r}": 0 for r in ROLES},
    "programme_hires": 0,
    "phase_launches": 0,
    "phase_launch_pcp_share": 0.0,
    "cm_reassigned": 0,
    "cm_returned_to_waitlist": 0,
}

#: Event keys by (long) role name, so the monthly loop formats no strings.
_DEPARTURES_KEY: dict[str, str] = {role: f"departures_{r}" for role, r in SHORT_ROLE.items()}
_HIRES_KEY: dict[str, str] = {role: f"hires_{r}" for role, r in SHORT_ROLE.items()}

#: Per-role column names of the monthly record: vacancies, effective FTE, mean burnout.
_ROLE_COLUMNS: dict[str, tuple[str, str, str]] = {
    r: (f"vacancies_{r}", f"effective_fte_{r}", f"burnout_{r}") for r in ROLES
}

#: NumPy adds up fewer float items than this one after another from 0.0 (pairwise beyond):
#: :meth:`Workforce._blend_bhc_shares` sums shorter lists in Python, in the same order.
_NUMPY_SEQUENTIAL_SUM_MAX = 8

#: The monthly record's columns in order (copied, then every value is written).
_RECORD_TEMPLATE: dict[str, float] = dict.fromkeys(WORKFORCE_COLUMNS, 0)


@functools.lru_cache(maxsize=4096, typed=True)
def _round_fte(fte: float) -> float:
    """``round(fte, 6)`` (FTE), cached: rounding is slow and the monthly sums repeat values."""
    return round(fte, 6)


def time_to_fill_months(u: float, median_months: float, sigma: float) -> int:
    """Whole months to fill a vacancy: the ``u``-quantile of a lognormal, rounded up, >= 1.

    Args:
        u: Uniform draw in [0, 1).
        median_months: Median time to fill, months.
        sigma: Log-scale standard deviation.
    """
    u = min(max(u, 1e-12), 1.0 - 1e-12)
    months = median_months * math.exp(sigma * _NORMAL.inv_cdf(u))
    return max(1, math.ceil(months - 1e-9))


def ramp_share(months_since_start: int, start: float, ramp_months: int) -> float:
    """Linear ramp from ``start`` (month 0) to 1 after ``ramp_months`` months."""
    if ramp_months <= 0 or months_since_start >= ramp_months:
        return 1.0
    return start + (1.0 - start) * max(months_since_start, 0) / ramp_months


def burnout_next(burnout: float, load: float | None, values: Any) -> float:
    """Burnout after a month with this load (unchanged when the load is undefined)."""
    if load is None:
        return burnout
    w = values.workforce
    return _burnout_after(burnout, load, w.burnout_threshold, w.burnout_rise, w.burnout_recovery)


def _burnout_after(
    burnout: float, load: float, threshold: float, rise: float, recovery: float
) -> float:
    """Burnout (0-1) after a month with a defined load (work demanded / capacity).

    Args:
        burnout: Burnout at the start of the month, 0-1.
        load: The month's load, dimensionless.
        threshold: ``workforce.burnout_threshold`` (load above which burnout rises).
        rise: ``workforce.burnout_rise``, per unit of load above the threshold and month.
        recovery: ``workforce.burnout_recovery``, per month at or below the threshold.
    """
    if load > threshold:
        excess = min(load - threshold, 1.0)  # a month adds at most burnout_rise
        return min(1.0, burnout + rise * excess)
    return max(0.0, burnout - recovery)


@register
class Workforce(Component):
    """Positions, turnover, hiring and the rollout plan of one clinic model.

    A registered component (kind ``module``): it owns the ``workforce.*`` and ``rollout.*``
    parameters and writes the :data:`WORKFORCE_COLUMNS` of the monthly table (:meth:`record`).
    It sees the clinic through :class:`~intsim.sim.context.WorkforceContext`; the practitioner
    share of BHC claims it blends from the staff mix is left in :attr:`bhc_billing_share` for
    the model to hand to the claims book.

    Args:
        model: The clinic as the workforce sees it (its provider lists must exist).
        phases: The rollout plan the positions were created for (default: planned anew).

    Attributes:
        bhc_billing_share: Practitioner share of BHC claims blended from this month's BHC
            slots, trainees and credentials (``None`` when no BHC has slots this month).
    """

    name = "workforce"
    kind = MODULE

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The ``workforce.*`` and ``rollout.*`` sections of the declaration."""
        return declared_section("workforce") + declared_section("rollout")

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """The workforce columns of the monthly table (:data:`WORKFORCE_COLUMNS`)."""
        return WORKFORCE_COLUMNS

    def __init__(self, model: WorkforceContext, phases: list[Phase] | None = None) -> None:
        self.model = model
        self.bhc_billing_share: float | None = None
        self.values = model.values
        w = self.values.workforce
        self.enabled = bool(w.enabled)
        self.phases = plan_phases(self.values) if phases is None else phases
        self.n_pcps = self.values.staffing.n_pcps
        self.pcp_live = np.zeros(self.n_pcps, bool)
        self.bhc_coverage = 0.0  # effective / planned BHC FTE of the live phases
        self.startup_hires = 0  # programme positions filled before month 1
        self.dropouts_this_month = 0
        self._departed_cms: list[Provider] = []
        self.startup_launches = 0  # later phases whose recruitment opened before month 1
        self.startup_pcp_share = 0.0  # share of PCPs in phases opened before month 1
        self.gate_run = 0  # consecutive months the gate condition held
        self.programme_end = int(self.values.rollout.end_month)  # 0: the programme never stops
        self.handback = self.values.rollout.end_policy == "handback"
        self.staffed_share = 0.0  # share of PCPs in phases gone live (ignoring the end)
        self.month_events: dict[str, float] = {}
        self._monthly_hazard = {
            "bh": annual_to_monthly_probability(min(w.bh_turnover_annual, 1.0 - 1e-9)),
            "physician": annual_to_monthly_probability(min(w.physician_turnover_annual, 1 - 1e-9)),
        }
        self._cache_constants()
        self._cache_positions()
        self._open_due_phases(0)

    def _cache_constants(self) -> None:
        """Keep the per-run constants the monthly loops read (the scenario values are frozen)."""
        v = self.values
        w, r = v.workforce, v.rollout
        self._vendor_psych = v.costs.psychiatry_model != "employed"
        physician, bh = self._monthly_hazard["physician"], self._monthly_hazard["bh"]
        #: monthly turnover hazard before burnout, by role (None: a vendor does not turn over)
        self._role_hazard: dict[str, float | None] = {
            "pcp": physician,
            "care_manager": bh,
            "bhc": bh,
            "psychiatric_consultant": None if self._vendor_psych else physician,
        }
        self._bh_hazard = bh
        self._burnout_hr_slope = w.burnout_turnover_hr - 1.0
        self._burnout_threshold = w.burnout_threshold
        self._burnout_rise = w.burnout_rise
        self._burnout_recovery = w.burnout_recovery
        self._ramp_start = w.ramp_start_productivity
        self._ramp_months = w.ramp_months
        self._trainee_productivity = w.trainee_productivity
        self._trainee_rotation = w.trainee_rotation_months
        self._tele_cm_productivity = w.tele_cm_productivity
        # supervision each trainee FTE needs, hours per week
        self._supervision_hours_week = w.trainee_supervision_hours_per_week
        self._weeks_per_year = v.staffing.weeks_per_year
        self._caseload_ramp_start = r.caseload_ramp_start
        self._caseload_ramp_months = r.caseload_ramp_months
        self._staff_bhc_share = practitioner_share(v.billing.bhc_credential)
        self._lpc_share = practitioner_share("lpc")
        #: the blended BHC billing share by BHC slots, trainee status and credential
        self._bhc_shares: dict[tuple[tuple[int, bool, bool], ...], float | None] = {}
        self._live_key: tuple[tuple[bool, ...], bool] | None = None  # see _set_live_pcps
        self._pcp_live_share = 0.0  # share of ``pcp_live`` set
        self._turnover_month: int | None = None  # month of ``_turnover_draws``
        self._turnover_draws: list[float] = []  # staff_turnover uniforms, in position order

    def _cache_positions(self) -> None:
        """Keep the positions in the orders the monthly loops need (they never change in a run).

        The model creates its provider lists before the workforce and only changes the
        positions' state afterwards, so the lists are read once here.
        """
        m = self.model
        self._by_role: tuple[tuple[str, tuple[Provider, ...]], ...] = (
            ("pcp", tuple(m.pcps)),
            ("cm", tuple(m.care_managers)),
            ("bhc", tuple(m.bhcs)),
            ("psych", tuple(m.psychiatrists)),
        )
        self._all: tuple[Provider, ...] = tuple(p for _, ps in self._by_role for p in ps)
        self._pcps: tuple[Provider, ...] = tuple(m.pcps)
        self._programme: tuple[Provider, ...] = tuple(p for p in self._all if p.role != "pcp")
        self._trainees: tuple[Provider, ...] = tuple(p for p in self._all if p.is_trainee)
        self._position_ids = np.array([p.position_id for p in self._all], dtype=np.int64)
        #: index of each position (by position id) in ``_all`` and ``_position_ids``
        self._position_index = {p.position_id: i for i, p in enumerate(self._all)}
        #: per role, in :data:`ROLES` order: its record columns and its positions
        self._record_roles: tuple[tuple[tuple[str, str, str], tuple[Provider, ...]], ...] = tuple(
            (_ROLE_COLUMNS[role], ps) for role, ps in self._by_role
        )
        #: per programme position: itself, its phase index, whether a care manager, whether the
        #: psychiatric consultant
        self._programme_roles: tuple[tuple[Provider, int, bool, bool], ...] = tuple(
            (p, p.phase - 1, p.role == "care_manager", p.role == "psychiatric_consultant")
            for p in self._programme
        )
        #: the live BHCs and their planned (non-trainee) FTE, by the phases' live flags
        self._live_bhcs: dict[tuple[bool, ...], tuple[tuple[Provider, ...], float]] = {}

    # ------------------------------------------------------------------ positions

    @property
    def positions(self) -> list[Provider]:
        """All positions, in position-id order."""
        return list(self._all)

    def _is_vendor(self, p: Provider) -> bool:
        """Whether the position is bought from a vendor (a telepsychiatry consultant)."""
        return p.role == "psychiatric_consultant" and self._vendor_psych

    def _median_fill(self, p: Provider) -> float:
        """Median months to fill this position at the scenario's shortage severity."""
        w = self.values.workforce
        prescriber = p.role in ("pcp", "psychiatric_consultant")
        median = w.fill_median_prescriber_months if prescriber else w.fill_median_licensed_months
        median *= {
            "none": w.fill_multiplier_none,
            "moderate": 1.0,
            "severe": w.fill_multiplier_severe,
        }[w.shortage_severity]
        if p.role == "bhc" and w.lpc_mft_hiring:
            median *= w.lpc_mft_fill_multiplier
        return median

    def _draw_fill(self, p: Provider, stream: str, month: int) -> int:
        """Months to fill the position: a lognormal draw, or the vendor's fixed contract time."""
        if self._is_vendor(p):
            return int(self.values.workforce.vendor_contract_months)
        median = self._median_fill(p)
        u = self.model.streams.uniform_one(stream, month, p.position_id)
        return time_to_fill_months(u, median, self.values.workforce.fill_sigma)

    def _open_recruitment(self, p: Provider, month: int) -> None:
        """Open the initial recruitment of a planned position in ``month`` (may be <= 0)."""
        if p.is_trainee or not self.enabled:
            fill = month
        else:
            fill = month + self._draw_fill(p, "staff_initial_fill", 0)
        p.state = "vacant"
        p.fill_month = fill
        p.vacant_since = month
        p.backfill_from = self._backfill_start(p, month)
        if fill <= 0:
            self._hire(p, fill)

    def _backfill_start(self, p: Provider, month: int) -> int | None:
        """First month tele-coverage serves a vacancy opened in ``month`` (None: no coverage)."""
        w = self.values.workforce
        covered = (p.role == "care_manager" and w.tele_cm_backfill and not p.is_trainee) or (
            p.role == "psychiatric_consultant" and w.telepsychiatry_backfill
        )
        return month + w.vendor_contract_months if covered else None

    def _hire(self, p: Provider, month: int) -> None:
        p.state = "filled"
        p.hired_month = month
        p.burnout = 0.0
        p.backfill_from = None
        p.lpc = p.role == "bhc" and bool(self.values.workforce.lpc_mft_hiring) and not p.is_trainee
        if p.role != "pcp" and not p.is_trainee and not self._is_vendor(p):
            if month <= 0:
                self.startup_hires += 1
            else:
                self.month_events["programme_hires"] += 1

    def _open_due_phases(self, month: int) -> None:
        """Open recruitment of every phase whose recruitment month has come."""
        for ph in self.phases:
            if ph.recruit_month is None or ph.opened:
                continue
            if ph.go_live is not None and not self.is_open(ph.go_live):
                continue  # it would go live after the programme ends: never launched
            if ph.recruit_month <= month:
                ph.opened = True
                share = len(ph.pcps) / max(self.n_pcps, 1)
                if month >= 1:
                    self.month_events["phase_launches"] += ph.index > 1
                    self.month_events["phase_launch_pcp_share"] += share
                else:
                    self.startup_launches += ph.index > 1
                    self.startup_pcp_share += share
                for p in self._programme:
                    if p.phase == ph.index and p.state == "planned":
                        self._open_recruitment(p, ph.recruit_month if month == 0 else month)
        if month == 0:
            for p in self.model.pcps:
                p.state, p.hired_month = "filled", -120  # the practice's PCPs are in post

    # ------------------------------------------------------------------ the monthly step

    def step(self, month: int) -> None:
        """Workforce events of ``month``: gates, recruitment, departures, hires, capacity."""
        self.month_events = dict(_NO_EVENTS)
        self.dropouts_this_month = 0
        self._departed_cms: list[Provider] = []
        self._check_gate(month)
        self._open_due_phases(month)
        if not self.is_open(month):
            self._release_positions()
        step_position = self.step_position
        for p in self._all:
            step_position(p, month)  # what each provider agent's step does
        self._update_capacity(month)
        for cm in self._departed_cms:
            if cm.capacity_share == 0.0:
                self._reassign_caseload(cm, month)

    def step_position(self, p: Provider, month: int) -> None:
        """One position's month: its holder may leave; a vacancy due this month is filled."""
        if p.state == "filled":
            if not (self.enabled and self._departs(p, month)):
                return  # still in post: no vacancy to fill
            self._depart(p, month)
            if p.role == "care_manager":
                self._departed_cms.append(p)
        if p.state == "vacant" and p.fill_month is not None and p.fill_month <= month:
            self._hire(p, month)
            if not p.is_trainee:
                self.month_events[_HIRES_KEY[p.role]] += 1

    def _departs(self, p: Provider, month: int) -> bool:
        """Whether the holder of a filled position leaves in ``month`` (``staff_turnover``)."""
        if p.state != "filled" or p.is_trainee or p.hired_month >= month:
            return False
        base = self._role_hazard.get(p.role, self._bh_hazard)
        if base is None:
            return False  # a vendor contract does not turn over
        hazard = min(base * (1.0 + self._burnout_hr_slope * p.burnout), 1.0)
        if month == self._turnover_month:  # this month's uniforms are drawn: read them
            i = self._position_index.get(p.position_id)
            if i is not None:
                return self._turnover_draws[i] < hazard
        return self._turnover_uniform(p, month) < hazard

    def _turnover_uniform(self, p: Provider, month: int) -> float:
        """The ``staff_turnover`` uniform of a position in ``month``.

        The first call of a month draws every position's uniform at once (the stream is
        counter-based: a draw depends on the position id alone, not on which others are drawn).
        """
        if month != self._turnover_month:
            u = self.model.streams.uniform("staff_turnover", month, self._position_ids)
            self._turnover_draws = u.tolist()
            self._turnover_month = month
        i = self._position_index.get(p.position_id)
        if i is None:  # not one of the clinic's positions
            return self.model.streams.uniform_one("staff_turnover", month, p.position_id)
        return self._turnover_draws[i]

    def _depart(self, p: Provider, month: int) -> None:
        p.state = "vacant"
        p.vacant_since = month
        p.fill_month = month + self._draw_fill(p, "staff_fill", month)
        p.burnout = 0.0
        p.backfill_from = self._backfill_start(p, month)
        self.month_events[_DEPARTURES_KEY[p.role]] += 1

    # ------------------------------------------------------------------ capacity

    def is_open(self, month: int) -> bool:
        """Whether the programme accepts new patients in ``month`` (``rollout.end_month``)."""
        return self.programme_end == 0 or month <= self.programme_end

    def _release_positions(self) -> None:
        """After the end: release the programme positions whose work is done (see module doc).

        Vacant and planned positions are released at once (nobody is recruited any more).
        """
        done = {"cocm": True, "pcbh": True}
        if not self.handback:
            pop = self.model.pop
            treatment = pop.treatment[: pop.n_used]
            done = {
                "cocm": not (treatment == Tx.COCM).any(),
                "pcbh": not (treatment == Tx.PCBH).any(),
            }
        for p in self._programme:
            if p.state == "released":
                continue
            role_done = done["pcbh" if p.role == "bhc" else "cocm"]
            if role_done or p.state != "filled":
                p.state = "released"
                p.fill_month = None
                p.backfill_from = None

    def wind_down(self, month: int) -> bool:
        """Whether ``month`` is after the end and some programme position is not released."""
        if self.is_open(month):
            return False
        return any(p.state != "released" for p in self._programme)

    def live_pcp_share(self) -> float:
        """Share of PCPs whose phase is live this month."""
        return self._pcp_live_share

    def _update_capacity(self, month: int) -> None:
        """Capacity share (0-1) and caseload-cap share of every position this month."""
        live = self._set_live_pcps(month)
        productivity = self._productivity
        ramp_months = self._ramp_months
        for p in self._pcps:
            p.backfilled = False
            p.supervision_minutes = 0.0
            if p.state == "filled" and not p.is_trainee and month - p.hired_month >= ramp_months:
                p.capacity_share = 1.0  # a ramped-up staff PCP (as ``_productivity`` gives)
            else:
                p.capacity_share = productivity(p, month)
        psych_share = self.staffed_share
        caseload_shares = self._phase_caseload_shares(live, month)
        tele_cm = self._tele_cm_productivity
        supervision: dict[str, float] = {}
        for p, k, is_cm, is_psych in self._programme_roles:
            p.backfilled = False
            p.supervision_minutes = 0.0
            on = live[k]
            share = productivity(p, month)
            backfill = p.backfill_from
            if on and p.state != "filled" and backfill is not None and month >= backfill:
                p.backfilled = True  # tele-coverage serves the vacancy
                share = tele_cm if is_cm else 1.0
            if is_psych:
                share *= psych_share
            p.capacity_share = share if on else 0.0
            p.caseload_share = caseload_shares[k]
            if on and p.is_trainee and p.state == "filled":
                supervision[p.role] = supervision.get(p.role, 0.0) + self._supervision_minutes(p)
        self.bhc_coverage = self._bhc_coverage(live)
        if supervision:
            self._share_supervision(supervision)
        self._set_bhc_billing_share()

    def _set_live_pcps(self, month: int) -> list[bool]:
        """Mark the PCPs of the live phases (``pcp_live``); return whether each phase is live.

        After the programme's end no PCP is live (``pcp_live``), but the returned flags and
        ``staffed_share`` still tell which phases went live: their staff may be finishing.
        """
        live = [ph.live(month) for ph in self.phases]
        is_open = self.is_open(month)
        key = (tuple(live), is_open)
        if key == self._live_key:  # as last month: the flags and shares are unchanged
            return live
        self._live_key = key
        self.pcp_live[:] = False
        staffed = 0
        for ph, on in zip(self.phases, live, strict=True):
            if on:
                self.pcp_live[ph.pcps] = is_open
                staffed += len(ph.pcps)
        self.staffed_share = staffed / self.n_pcps if self.n_pcps else 0.0
        self._pcp_live_share = np.count_nonzero(self.pcp_live) / self.n_pcps if self.n_pcps else 0.0
        return live

    def _phase_caseload_shares(self, live: list[bool], month: int) -> list[float]:
        """Caseload-cap share of each phase's positions this month (go-live ramp; 0 if not live).

        Args:
            live: Whether each rollout phase is live this month (index = phase - 1).
            month: The month.
        """
        start, months = self._caseload_ramp_start, self._caseload_ramp_months
        shares = []
        for ph, on in zip(self.phases, live, strict=True):
            if not on or ph.go_live is None:
                shares.append(0.0)
            elif month - ph.go_live >= months:  # past the ramp (ramp_share would give 1.0)
                shares.append(1.0)
            else:
                shares.append(ramp_share(month - ph.go_live, start, months))
        return shares

    def _supervision_minutes(self, trainee: Provider) -> float:
        """Supervision a trainee needs, minutes per month (FTE x hours a week x weeks a month)."""
        return trainee.fte * self._supervision_hours_week * self._weeks_per_year / 12.0 * 60.0

    def _share_supervision(self, supervision: dict[str, float]) -> None:
        """Split each role's trainee supervision (minutes per month) over its staff by FTE."""
        for role, minutes in supervision.items():
            supervisors = [
                p for p in self._all if p.role == role and not p.is_trainee and p.capacity_share > 0
            ]
            total = sum(p.fte for p in supervisors)
            for p in supervisors:
                p.supervision_minutes = minutes * p.fte / total

    def _bhc_coverage(self, live: list[bool]) -> float:
        """Effective BHC FTE of the live phases / their planned BHC FTE (0 with no BHC live).

        The live BHCs and their planned FTE are computed once per combination of live phases.

        Args:
            live: Whether each rollout phase is live this month (index = phase - 1).
        """
        key = tuple(live)
        found = self._live_bhcs.get(key)
        if found is None:
            bhcs = tuple(b for b in self._by_role[2][1] if live[b.phase - 1])
            planned = sum(b.fte for b in bhcs if not b.is_trainee)
            found = self._live_bhcs[key] = (bhcs, planned)
        bhcs, planned = found
        effective = sum(b.fte * b.capacity_share for b in bhcs)
        return min(effective / planned, 1.0) if planned > 0 else 0.0

    def _productivity(self, p: Provider, month: int) -> float:
        """Capacity share of a filled position (ramp-up, trainee discount); 0 when not filled."""
        if p.state != "filled":
            return 0.0
        if p.is_trainee:
            go = self.phases[p.phase - 1].go_live or month
            since = (month - go) % self._trainee_rotation
            return self._trainee_productivity * ramp_share(
                since, self._ramp_start, self._ramp_months
            )
        if not self.enabled:
            return 1.0
        since = month - p.hired_month
        if since >= self._ramp_months:  # ramped up (ramp_share would give 1.0)
            return 1.0
        return ramp_share(since, self._ramp_start, self._ramp_months)

    def _set_bhc_billing_share(self) -> None:
        """Blend the BHCs' practitioner shares by their slots this month (``bhc_billing_share``).

        The blend is computed once per distinct combination of the BHCs' slots, trainee status
        and credentials in a run (the months repeat a few combinations).
        """
        key = tuple((b.visit_slots, b.is_trainee, b.lpc) for b in self._by_role[2][1])
        share = self._bhc_shares.get(key, _UNSET)
        if share is _UNSET:
            share = self._bhc_shares[key] = self._blend_bhc_shares(key)
        self.bhc_billing_share = share

    def _blend_bhc_shares(self, bhcs: tuple[tuple[int, bool, bool], ...]) -> float | None:
        """Practitioner share of BHC claims, weighted by slots (None when no BHC has slots).

        Args:
            bhcs: Per BHC: visit slots this month, whether a trainee, whether an LPC/MFT.
        """
        staff, lpc = self._staff_bhc_share, self._lpc_share
        weighted = [
            (slots, 0.0 if trainee else lpc if is_lpc else staff)
            for slots, trainee, is_lpc in bhcs
            if slots > 0
        ]
        if not weighted:
            return None
        if len(weighted) >= _NUMPY_SEQUENTIAL_SUM_MAX:  # NumPy sums pairwise: keep its order
            weights = np.array([slots for slots, _ in weighted], float)
            shares = np.array([share for _, share in weighted])
            return float((weights * shares).sum() / weights.sum())
        # NumPy's float sum of fewer items is this left fold from 0.0; the whole-number slot
        # counts sum exactly in any order
        total = 0.0
        for slots, share in weighted:
            total += float(slots) * share
        return total / float(sum(slots for slots, _ in weighted))

    # ------------------------------------------------------------------ caseload

    def _reassign_caseload(self, leaver: Provider, month: int) -> None:
        """Reassign a departed care manager's patients within the others' caseload room."""
        model = self.model
        pop = model.pop
        mine = pop.where((pop.treatment == Tx.COCM) & (pop.care_manager == leaver.index))
        if len(mine) == 0:
            return
        mine = order_by_priority(mine, model.priority(month, mine))
        caseload = model.cocm_caseloads()
        room = [
            cm.caseload_cap - int(n) if cm is not leaver and cm.capacity_share > 0 else 0
            for cm, n in zip(model.care_managers, caseload, strict=True)
        ]
        assigned = [model.care_managers[k].index for k in assign_to_most_room(room, len(mine))]
        moved = mine[: len(assigned)]
        pop.care_manager[moved] = assigned
        rest = np.sort(mine[len(assigned) :])
        leave = model.engine.leave_after_cm_departure(month, rest)
        gone, back = rest[leave], rest[~leave]
        pop.end_treatment(rest)
        # back to the head of the queue: they keep the month they were first enrolled
        pop.waitlist_since[back] = np.maximum(pop.program_start[back], 0)
        self.month_events["cm_reassigned"] += len(moved)
        self.month_events["cm_returned_to_waitlist"] += len(back)
        self.dropouts_this_month += len(gone)

    # ------------------------------------------------------------------ gates

    def _check_gate(self, month: int) -> None:
        """Open the next gated phase once the live programme met the condition long enough."""
        r = self.values.rollout
        if r.gate == "none" or month <= 1 or not self.is_open(month):
            return
        pending = next((ph for ph in self.phases if ph.go_live is None), None)
        if pending is None:
            return
        previous = self.phases[pending.index - 2]
        if previous.go_live is None or month - 1 < previous.go_live:
            self.gate_run = 0
            return
        ok = self.gate_condition(month - 1)
        self.gate_run = self.gate_run + 1 if ok else 0
        if self.gate_run >= r.gate_months:
            recruit = max(month, pending.scheduled_go_live - r.hiring_lead_months)
            if self.is_open(recruit + r.hiring_lead_months):  # else never launched
                pending.recruit_month = recruit
                pending.go_live = recruit + r.hiring_lead_months
            self.gate_run = 0

    def gate_condition(self, month: int) -> bool:
        """Whether the live programme met the gate condition in ``month`` (its last row)."""
        row = self.model.recorded_row(month)
        r = self.values.rollout
        if r.gate == "net_positive":
            return self.model.operating_net(row, month) >= 0.0
        caps = sum(cm.caseload_cap for cm in self.model.care_managers)
        if caps > 0:
            return row["active_cocm"] / caps >= r.gate_caseload_share
        return row["bhc_utilization"] >= r.gate_caseload_share

    # ------------------------------------------------------------------ burnout and records

    def end_month(self) -> None:
        """Update every filled position's burnout from this month's load."""
        threshold, rise, recovery = (
            self._burnout_threshold,
            self._burnout_rise,
            self._burnout_recovery,
        )
        for p in self._all:
            load = p.load
            if load is not None:
                if p.state == "filled":  # as _burnout_after, inlined (called for every position)
                    if load > threshold:
                        excess = min(load - threshold, 1.0)  # a month adds at most burnout_rise
                        p.burnout = min(1.0, p.burnout + rise * excess)
                    else:
                        p.burnout = max(0.0, p.burnout - recovery)
                p.load = None

    def record(self, month: int) -> dict[str, float]:
        """The workforce columns of the month's row (:data:`WORKFORCE_COLUMNS`, in order).

        Counts are ints; FTE, hours, burnout and shares floats (:data:`_COLUMN_TYPES`): the
        events are counted as such, and every sum that may be an int (empty, or whole FTE) is
        converted.
        """
        out: dict[str, float] = _RECORD_TEMPLATE.copy()  # the columns in order
        out.update(self.month_events)
        staff: list[list[Provider]] = []
        burn_all: list[float] = []
        for (vacancy_col, effective_col, burnout_col), ps in self._record_roles:
            vacancies = 0
            effective = 0.0
            burn: list[float] = []
            filled: list[Provider] = []
            for p in ps:  # vacancies and mean burnout count staff, not trainees
                effective += p.fte * p.capacity_share
                if p.is_trainee:
                    continue
                state = p.state
                if state == "filled":
                    filled.append(p)
                    burn.append(p.burnout)
                elif state == "vacant":
                    vacancies += 1
            out[vacancy_col] = vacancies
            out[effective_col] = _round_fte(effective)
            out[burnout_col] = sum(burn) / len(burn) if burn else 0.0
            staff.append(filled)
            burn_all += burn
        out["mean_burnout"] = sum(burn_all) / len(burn_all) if burn_all else 0.0
        bhcs = staff[2]
        out["paid_fte_cm"] = float(sum([p.fte for p in staff[1]]))
        out["paid_fte_bhc"] = float(sum([p.fte for p in bhcs if not p.lpc]))
        out["paid_fte_bhc_lpc"] = float(sum([p.fte for p in bhcs if p.lpc]))
        out["trainee_fte"] = float(sum([p.fte for p in self._trainees if p.capacity_share > 0]))
        out["tele_fte_cm"] = float(sum([p.fte for p in self._by_role[1][1] if p.backfilled]))
        out["psych_hours_paid"], out["tele_psych_hours"] = self._psych_hours()
        is_open = self.is_open(month)
        out["phases_live"] = sum([ph.live(month) for ph in self.phases]) if is_open else 0
        out["pcp_live_share"] = float(self._pcp_live_share)  # may be a NumPy float
        out["programme_open"] = int(is_open)
        out["programme_wind_down"] = int(self.wind_down(month))
        return out

    def _psych_hours(self) -> tuple[float, float]:
        """The psychiatric consultant's paid and tele hours this month (hours per week).

        Both follow the share of PCP teams gone live (``staffed_share``).
        """
        share = self.staffed_share
        psychs = self._by_role[3][1]
        paid = sum([p.hours_per_week * share for p in psychs if p.state == "filled"])
        tele = sum([p.hours_per_week * share for p in psychs if p.backfilled])
        return float(paid), float(tele)
