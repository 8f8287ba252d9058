"""ClinicModel: the primary-care organisation simulated month by month (ODD overview).

Each :meth:`ClinicModel.step` is one month. The phases run in this fixed order:

1. **workforce** — rollout gates and recruitment, then each provider steps (its holder may
   leave; a vacancy due this month is filled), capacities are set (vacancies, ramp-up, go-live
   ramp, tele-coverage, trainee supervision) and a departed care manager's caseload is
   reassigned (:mod:`intsim.sim.workforce`); after ``rollout.end_month`` the programme winds down
   (positions released, waitlists cleared, patients handed back:
   :func:`intsim.sim.care.base.close_programme`);
2. **panel** — patients leave the panel and are replaced by new patients in fresh slots;
3. **conditions** — new threshold and subthreshold episodes, subthreshold course, chronic onset;
4. **start of month** — CoCM disengagement; BHC slot book opens; in month 1 a study cohort is
   identified and offered CoCM (:mod:`intsim.sim.care.cohort`);
5. **PCP visits** — patients seek visits; each PCP sees them up to capacity in priority order;
6. **screening and routing** — screening/detection at visits, then the care model routes
   (usual-care treatment or referral, CoCM offer/consent/queue, BHC warm handoff);
7. **provider time** — CoCM enrolment from the queue, care-manager minutes, psychiatric reviews,
   scheduled BHC visits, BHC between-visit care management;
8. **clinical transitions** — improvement, remission, relapse (hazards modified by treatment,
   fidelity and the learning curve);
9. **acute care** — ED visits and admissions, whose rates depend on the risk class (BH state,
   condition, chronic condition, age band) and the patient's cost frailty (:mod:`intsim.sim.risk`);
10. **bookkeeping** — discharges, course ends, treatment clocks;
11. **claims** — claim lines from the services delivered this month (:mod:`intsim.money.claims`),
    read from the population's service arrays (``cm_minutes``, ``cm_initial``, ``bhc_visit``,
    ``bhc_kind``, ``bhc_same_day``, ``bhi_minutes``);
12. **record** — burnout is updated from the month's load on each provider; one row of monthly
    outputs, including members and total cost of care by payer, the workforce columns and the
    cohort's counts.

PCP teams whose rollout phase is not live yet practise usual care in phase 6.

Payment-model settlements (capitation, case rates, P4P, shared savings, grants), costs and the
ledger are computed from these records by :mod:`intsim.money.ledger` after the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any

import mesa
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim.measures import REMISSION_MONTHS, RESPONSE_MONTHS
from intsim.money.claims import ClaimsBook, MonthBilling
from intsim.money.contracts import contract_classes
from intsim.money.ledger import numeric_frame, operating_costs, startup_cost
from intsim.params import PAYERS
from intsim.params.components import Component
from intsim.params.rollout import Phase, plan_phases
from intsim.params.scenario import plain_values
from intsim.params.workforce import split_fte
from intsim.sim.care import MonthCounters, care_model_class
from intsim.sim.care.base import close_programme
from intsim.sim.care.cohort import Cohort
from intsim.sim.clinical import MonthTables, build_month_tables, build_static_tables
from intsim.sim.engine_arrays import ArrayEngine
from intsim.sim.kernels.counts import COUNT_FIELDS, month_record, quality_due_starts
from intsim.sim.kernels.pathways import allocate_pcp_visits
from intsim.sim.kernels.state import ReachFlags, ReachServices
from intsim.sim.patient import AgentEngine
from intsim.sim.population import NewcomerTemplate, Population, Tx, initialise_patients
from intsim.sim.providers import (
    BehavioralHealthConsultant,
    CareManager,
    PrimaryCareProvider,
    PsychiatricConsultant,
    visit_capacities,
)
from intsim.sim.streams import RandomStreams
from intsim.sim.tcoc import TcocMeter
from intsim.sim.workforce import Workforce

#: The monthly columns the model itself writes (counts of the month's phases), in order; the
#: modules' columns follow (:data:`MONTHLY_MODULES`), then the care model's own.
CORE_COLUMNS: tuple[str, ...] = (
    "month",
    "panel_size",
    "bh_prevalent",
    "subthreshold",
    "screened",
    "positive_screens",
    "eligible",
    "detected",
    "enrolled_new",
    "cocm_enrolled_new",
    "pcbh_started_new",
    "active_cocm",
    "active_pcbh",
    "in_usual_care_treatment",
    "waitlist",
    "waitlist_cocm",
    "cocm_turned_away",
    "cocm_wait_expired",
    "cocm_wait_months",
    "bhc_turned_away",
    "bhc_wait_expired",
    "bhc_wait_months",
    "bhc_same_day_starts",
    "responders",
    "remissions",
    "relapses",
    "partial_responses",
    "dropouts",
    "early_followups",
    "cocm_first_followups",
    "cocm_assessed_3mo",
    "cocm_improved_3mo",
    "specialty_referrals",
    "pcp_visits",
    "pcp_visits_unmet",
    "pcp_visits_extra",
    "bhc_visits",
    "bhc_no_shows",
    "cm_minutes",
    "cm_minutes_needed",
    "cm_capacity_minutes",
    "cm_unreached",
    "cm_maintenance",
    "bhi_minutes",
    "psych_minutes",
    "psych_paid_minutes",
    "psych_reviews",
    "psych_reviews_due",
    "ed_visits",
    "admissions",
    "cm_utilization",
    "bhc_utilization",
    "pcp_utilization",
    "in_specialty_care",
    "quality_measured_6m",
    "quality_met_6m",
    "quality_measured_12m",
    "quality_met_12m",
)

#: The registered modules (kind ``module``) that write monthly columns, in the order of their
#: columns after :data:`CORE_COLUMNS`: the total-cost-of-care meter (members and cost by payer),
#: the workforce, the month-1 cohort. (The claims book's columns are ledger lines.)
MONTHLY_MODULES: tuple[type[Component], ...] = (TcocMeter, Workforce, Cohort)


def monthly_columns(care_model: str | None = None) -> tuple[str, ...]:
    """Columns of the monthly output table, in order, assembled from the components.

    :data:`CORE_COLUMNS`, then each module's ``define_results`` (:data:`MONTHLY_MODULES`), then
    the columns of the care model's ``define_results`` that are not there yet.

    Args:
        care_model: Name of a registered care model (``None``: the columns of every run).
    """
    columns = CORE_COLUMNS + tuple(c for m in MONTHLY_MODULES for c in m.define_results())
    if care_model is None:
        return columns
    own = care_model_class(care_model).define_results()
    return columns + tuple(dict.fromkeys(c for c in own if c not in columns))


#: Columns of every monthly output table, in order (:func:`monthly_columns`); a care model may
#: add its own after them.
MONTHLY_COLUMNS: tuple[str, ...] = monthly_columns()


#: Per-year patient flags behind ``patients_reached_by_year`` (:meth:`ClinicModel.reach_counts`):
#: any CoCM care-manager minutes, any BHC visit, and a threshold episode while in the panel.
REACH_FLAGS: tuple[str, ...] = ("cocm", "pcbh", "threshold_episode")


class ClinicModel(mesa.Model):
    """A primary-care organisation integrating behavioral health, one step per month.

    Args:
        values: Validated scenario values (``Scenario.values``).
        seed: Root seed of the random streams (overrides ``simulation.seed`` when given).
        engine: ``"arrays"`` or ``"agents"`` (overrides ``simulation.engine`` when given).
    """

    def __init__(self, values: Any, seed: int | None = None, engine: str | None = None) -> None:
        #: the scenario values, read-only with plain attribute access (:func:`plain_values`)
        self.values = plain_values(values)
        values = self.values
        self.root_seed = int(seed if seed is not None else values.simulation.seed)
        super().__init__(rng=self.root_seed)
        self.engine_name = engine or values.simulation.engine
        self.month = 0
        n0 = values.population.n_patients
        months = values.simulation.months
        self.capacity = self._slot_capacity(n0, values.population.monthly_attrition, months)
        self.pop = Population(self.capacity)
        self.streams = RandomStreams(self.root_seed, self.capacity, months)
        self.static = build_static_tables(values)
        self._tables: dict[int, MonthTables] = {}
        self._pcp_capacity = np.zeros(0, np.int64)

        phases = plan_phases(values)
        self._create_positions(phases)
        self.workforce = Workforce(self, phases)
        care = values.care_model
        self.care = care_model_class(care)(self)
        # PCP teams whose rollout phase is not live yet practise usual care
        self.usual_care = care_model_class("usual_care")(self)
        #: this run's monthly columns: MONTHLY_COLUMNS, then the care model's own
        self.columns = monthly_columns(care)
        self.care_columns = self.columns[len(MONTHLY_COLUMNS) :]
        self.first_go_live = values.rollout.first_go_live_month

        if self.engine_name == "arrays":
            self.engine: ArrayEngine | AgentEngine = ArrayEngine(
                self.pop, self.streams, values, self.static
            )
        elif self.engine_name == "agents":
            self.engine = AgentEngine(self)
        else:
            raise ValueError(f"unknown engine {self.engine_name!r}")

        self.newcomers = NewcomerTemplate(self.capacity)
        initialise_patients(
            self.newcomers, np.arange(self.capacity, dtype=np.int64), self.streams, values
        )
        first = np.arange(n0, dtype=np.int64)
        self.pop.admit(first, self.newcomers, 0)
        self.engine.add_patients(first)
        self.rows: list[dict[str, float]] = []
        self.claims = ClaimsBook(values)
        self.billing: list[MonthBilling] = []
        self.tcoc = TcocMeter(values)
        self.served_cocm = np.zeros(self.capacity, bool)
        self.served_pcbh = np.zeros(self.capacity, bool)
        # who was reached (CoCM, PCBH) or had a threshold episode in the current programme year
        self._year_flags = np.zeros((len(REACH_FLAGS), self.capacity), bool)
        # plain tuples of the named tuples' fields, as the kernels take them (kernels.state)
        self._reach = tuple(ReachFlags(self.served_cocm, self.served_pcbh, self._year_flags))
        self._month_services = tuple(ReachServices(self.pop.cm_minutes, self.pop.bhc_visit))
        self.reach_by_year: list[dict[str, int]] = []
        self.cohort_study = Cohort(values)  # a month-1 cohort (care.cohort), if enabled

    def _create_positions(self, phases: list[Phase]) -> None:
        """Provider positions: PCPs, and each rollout phase's share of the programme staff."""
        values = self.values
        s, w = values.staffing, values.workforce
        roles = care_model_class(values.care_model).roles
        self.pcps = [PrimaryCareProvider(self, i, 1.0) for i in range(s.n_pcps)]
        self.care_managers: list[CareManager] = []
        self.psychiatrists: list[PsychiatricConsultant] = []
        self.bhcs: list[BehavioralHealthConsultant] = []
        for ph in phases:
            share = len(ph.pcps) / s.n_pcps
            if "care_manager" in roles:
                for f in split_fte(s.care_manager_fte * share):
                    self.care_managers.append(
                        CareManager(self, len(self.care_managers), f, ph.index)
                    )
            if "bhc" in roles:
                for f in split_fte(s.bhc_fte * share):
                    self.bhcs.append(BehavioralHealthConsultant(self, len(self.bhcs), f, ph.index))
        if "psychiatric_consultant" in roles and s.psychiatric_consultant_hours_per_week > 0:
            self.psychiatrists = [
                PsychiatricConsultant(self, 0, s.psychiatric_consultant_hours_per_week)
            ]
        if w.trainee_fte > 0 and roles:  # trainees join a programme's BHCs, else its care managers
            role = BehavioralHealthConsultant if "bhc" in roles else CareManager
            target = self.bhcs if role is BehavioralHealthConsultant else self.care_managers
            for f in split_fte(w.trainee_fte):
                target.append(role(self, len(target), f, 1, trainee=True))  # type: ignore[arg-type]

    @staticmethod
    def _slot_capacity(n0: int, attrition: float, months: int) -> int:
        """Slots to allocate: initial panel plus a generous bound on replacements."""
        expected = n0 * attrition * months
        return int(n0 + expected + 6.0 * np.sqrt(expected + 1.0) + 16)

    # ------------------------------------------------------------------ helpers

    @property
    def cohort(self) -> bool:
        """Whether the run follows a month-1 cohort (``cohort.enabled``)."""
        return self.cohort_study.enabled

    @property
    def cohort_members(self) -> NDArray[np.int64]:
        """The month-1 cohort's members (ascending slots; empty without a cohort)."""
        return self.cohort_study.members

    @property
    def served(self) -> NDArray[np.bool_]:
        """Patients who received any CoCM or PCBH service so far."""
        return self.served_cocm | self.served_pcbh

    def priority(self, month: int, slots: NDArray[np.int64]) -> NDArray[np.float64]:
        """Per-slot random priority of this month (lower is served first)."""
        return self.streams.uniform("priority", month, slots)

    def _month_tables(self, since_go_live: int) -> MonthTables:
        """Improvement tables of a month of the learning curve (cached: the curve flattens)."""
        c = self.values.clinical
        ramp_end = max(int(c.learning_months), 0) + 1  # the factor is 1 from here on
        key = min(since_go_live, ramp_end)
        tables = self._tables.get(key)
        if tables is None:
            tables = self._tables[key] = build_month_tables(self.values, self.static, key)
        return tables

    def cocm_caseloads(self) -> NDArray[np.int64]:
        """Active CoCM caseload of each care manager."""
        pop = self.pop
        mine = pop.care_manager[pop.in_treatment(Tx.COCM)]
        return np.bincount(mine, minlength=len(self.care_managers))[: len(self.care_managers)]

    # ------------------------------------------------------------------ phases

    def _replace_departures(self, month: int) -> int:
        gone = self.engine.leave_panel(month)
        pop = self.pop
        pop.remove(gone)
        self.engine.remove_patients(gone)
        if len(gone):
            new = np.arange(pop.n_used, pop.n_used + len(gone), dtype=np.int64)
            if new[-1] >= self.capacity:
                raise RuntimeError("slot capacity exceeded; increase the capacity bound")
            pop.admit(new, self.newcomers, month)
            self.engine.add_patients(new)
        return len(gone)

    def _pcp_visits(self, month: int) -> tuple[NDArray[np.int64], int, int]:
        """Allocate PCP visits within each PCP's capacity, in priority order.

        Returns:
            The patients seen (ascending slots), the visits sought but not given, and the
            visits given only thanks to the capacity freed by BHCs.
        """
        pop = self.pop
        req = self.engine.visit_requests(month)
        base, capacity = self._pcp_capacities()
        self._pcp_capacity = capacity  # the month's capacities, read again by the record
        granted, demand, extra = allocate_pcp_visits(
            np.asarray(req, dtype=np.int64),
            pop.pcp,
            capacity,
            base,
            self.streams.uint64_key("priority", month),  # the stream of :meth:`priority`
            pop.pcp_visit,
        )
        caps = capacity.tolist()
        for provider, wanted, cap in zip(self.pcps, demand.tolist(), caps, strict=True):
            provider.load = wanted / cap if cap > 0 else None
        return granted, len(req) - len(granted), int(extra)

    def _pcp_capacities(self) -> NDArray[np.int64]:
        """Each PCP's visits this month without BHCs on the team, and with them (visits).

        Returns:
            A ``(2, n_pcps)`` int64 array (C order, so each row is contiguous): the visits
            without BHCs (:attr:`PrimaryCareProvider.base_visit_capacity`), then with them
            (:func:`intsim.sim.providers.visit_capacities`: every PCP's
            :meth:`PrimaryCareProvider.visit_capacity_from` at once).
        """
        base = [p.base_visit_capacity for p in self.pcps]
        return np.array(base + visit_capacities(self, base), np.int64).reshape(2, len(base))

    def step(self) -> None:
        """Advance the organisation by one month (phases in the documented order)."""
        self.month += 1
        m = self.month
        pop = self.pop
        pop.reset_month_services()
        c = MonthCounters()
        # 1 workforce: rollout gates, turnover, hiring, capacity (providers step here)
        self.workforce.step(m)
        c.dropouts += self.workforce.dropouts_this_month
        if not self.workforce.is_open(m):  # the programme has ended: wind down
            handback = self.workforce.handback and m == self.workforce.programme_end + 1
            close_programme(self, m, c, handback=handback)
        # 2-3 panel and conditions
        self._replace_departures(m)
        self.engine.onset(m)
        # 4 start of month
        self.care.start_month(m, c)
        self.cohort_study.start(self, m)
        # 5-6 visits, screening, routing
        visitors, unmet, extra = self._pcp_visits(m)
        if self.workforce.pcp_live.all():  # every team live: no split needed
            self.care.at_visits(m, visitors, c)
        else:
            live = self.workforce.pcp_live[pop.pcp[visitors]]
            self.care.at_visits(m, visitors[live], c)
            if not live.all():
                self.usual_care.at_visits(m, visitors[~live], c)
        # 7 provider time
        self.care.deliver(m, c)
        # 8 clinical
        since_go_live = max(m - self.first_go_live + 1, 1)  # organisational learning curve
        tables = self._month_tables(since_go_live)
        counts = self.engine.clinical_step(m, tables)
        # 9 acute care
        self.engine.acute_care(m)
        # 10 bookkeeping
        self.care.end_month(m, c)
        # 11 claims from the services delivered this month, at the staff mix's BHC share
        if self.workforce.bhc_billing_share is not None:
            self.claims.bhc_share = self.workforce.bhc_billing_share
        self.billing.append(self.claims.bill_month(self, m, c.new_cocm_slots))
        # 12 record
        heads = self._count_and_track_reach(m)
        self.workforce.end_month()
        row = self._record(m, visitors, unmet, extra, counts, c, heads)
        if self.care_columns:
            own = self.care.record(m, c)
            row.update({col: own[col] for col in self.care_columns})
        self.rows.append(row)

    def _count_and_track_reach(self, m: int) -> dict[str, int]:
        """The month's head counts (:data:`intsim.sim.kernels.counts.COUNT_FIELDS`).

        Also flags this month's CoCM and PCBH patients and threshold episodes, and closes a
        programme year.
        """
        pop = self.pop
        counts = month_record(
            pop.n_used,
            quality_due_starts(m, RESPONSE_MONTHS, REMISSION_MONTHS),
            pop.person_state(),
            pop.episode_state(),
            pop.treatment_state(),
            pop.acute_events(),
            pop.program_start,
            self._month_services,
            self._reach,
        )
        if m % 12 == 0:
            self.reach_by_year.append(self.reach_counts(m // 12))
            self._year_flags[:] = False
        return dict(zip(COUNT_FIELDS, counts.tolist(), strict=True))

    def reach_counts(self, year: int) -> dict[str, int]:
        """Unduplicated patients of the programme year so far (see :data:`REACH_FLAGS`)."""
        cocm, pcbh, need = self._year_flags
        reached = cocm | pcbh
        count = np.count_nonzero  # counts a boolean array far faster than its sum
        return {
            "year": year,
            "reached": int(count(reached)),
            "reached_cocm": int(count(cocm)),
            "reached_pcbh": int(count(pcbh)),
            "with_threshold_episode": int(count(need)),
            "reached_with_threshold_episode": int(count(reached & need)),
        }

    def reach_years(self) -> list[dict[str, int]]:
        """Unduplicated reach of each programme year, the last one possibly partial."""
        if self.month % 12 == 0:
            return list(self.reach_by_year)
        return [*self.reach_by_year, self.reach_counts(self.month // 12 + 1)]

    def _record(
        self,
        m: int,
        visitors: NDArray[np.int64],
        unmet: int,
        extra: int,
        counts: Any,
        c: MonthCounters,
        heads: dict[str, int],
    ) -> dict[str, float]:
        pop = self.pop
        pcp_cap = int(self._pcp_capacity.sum())
        return {
            "month": m,
            "screened": c.screened,
            "positive_screens": c.positive_screens,
            "eligible": c.eligible,
            "detected": c.detected,
            "enrolled_new": c.cocm_enrolled_new + c.pcbh_started_new,
            "cocm_enrolled_new": c.cocm_enrolled_new,
            "pcbh_started_new": c.pcbh_started_new,
            "responders": counts.improvements,
            "remissions": counts.remissions,
            "relapses": counts.relapses,
            "partial_responses": counts.partial_responses,
            "dropouts": c.dropouts,
            "early_followups": c.early_followup,
            "cocm_turned_away": c.cocm_turned_away,
            "cocm_wait_expired": c.cocm_wait_expired,
            "cocm_wait_months": c.cocm_wait_months,
            "bhc_turned_away": c.bhc_turned_away,
            "bhc_wait_expired": c.bhc_wait_expired,
            "bhc_wait_months": c.bhc_wait_months,
            "bhc_same_day_starts": c.bhc_same_day_starts,
            "cocm_first_followups": c.first_followups,
            "cocm_assessed_3mo": c.assessed_3mo,
            "cocm_improved_3mo": c.improved_3mo,
            "specialty_referrals": c.specialty_referrals,
            "pcp_visits": len(visitors),
            "pcp_visits_unmet": unmet,
            "pcp_visits_extra": extra,
            "bhc_visits": c.bhc_visits,
            "bhc_no_shows": c.bhc_no_shows,
            "cm_minutes": c.cm_minutes,
            "cm_minutes_needed": c.cm_minutes_needed,
            "cm_capacity_minutes": c.cm_capacity_minutes,
            "cm_unreached": c.cm_unreached,
            "cm_maintenance": c.cm_maintenance,
            "bhi_minutes": c.bhi_minutes,
            "psych_minutes": c.psych_minutes,
            "psych_paid_minutes": c.psych_paid_minutes,
            "psych_reviews": c.psych_reviews,
            "psych_reviews_due": c.psych_reviews_due,
            "cm_utilization": c.cm_minutes / c.cm_capacity_minutes
            if c.cm_capacity_minutes
            else 0.0,
            "bhc_utilization": (c.bhc_visits + c.bhc_no_shows) / c.bhc_slots
            if c.bhc_slots
            else 0.0,
            "pcp_utilization": len(visitors) / pcp_cap if pcp_cap else 0.0,
            **heads,
            **self.tcoc.record(pop),
            **self.workforce.record(m),
            **self.cohort_study.record(pop),
        }

    def recorded_row(self, month: int) -> Mapping[str, float]:
        """The monthly row recorded for ``month`` (a month already simulated)."""
        return self.rows[month - 1]

    def startup_cost(self) -> float:
        """Startup cost at month 0 (USD) given the positions filled before month 1."""
        w = self.workforce
        return startup_cost(self.values, w.startup_hires, w.startup_pcp_share, w.startup_launches)

    def operating_net(self, row: Mapping[str, float], month: int) -> float:
        """Operating net of a month as a manager sees it (USD).

        Claims accrued plus the payment contracts' payments of the month (capitation, case
        rates: :meth:`intsim.money.contracts.PaymentContract.month_payment`), minus staffing and
        operating costs (no annual settlements, no billing cost); the ``net_positive`` phase gate
        reads it. A month with no operating cost (every position vacant) gives ``-inf``: it
        cannot open a gate.
        """
        bill = self.billing[month - 1]
        revenue = float(sum(bill.revenue_by_family.values()))
        contracts = contract_classes().values()
        for payer in PAYERS:
            terms = getattr(self.values.contracts, payer)
            members, live = row[f"members_{payer}"], row["pcp_live_share"]
            episodes = bill.episodes_started_by_payer.get(payer, 0)
            for contract in contracts:
                revenue += contract.month_payment(terms, members, live, episodes)
        costs = operating_costs(self.values, {k: np.array([v]) for k, v in row.items()})
        cost = float(sum(float(v[0]) for v in costs.values()))
        return revenue - cost if cost > 0 else float("-inf")  # nothing running: no gate

    def monthly_frame(self) -> pd.DataFrame:
        """The monthly records so far as a table (columns :func:`monthly_columns` of the run)."""
        rows = self.rows
        if not rows:
            return pd.DataFrame({col: np.array([]) for col in self.columns}, copy=False)
        # the rows' values in column order, then one array per column (numpy infers int64 or
        # float64 as pandas would, but faster), stacked into one block per dtype
        values = map(itemgetter(*self.columns), rows)
        columns = [np.array(column) for column in zip(*values, strict=True)]
        return numeric_frame(self.columns, columns)

    def run(self, months: int | None = None) -> None:
        """Run the model for ``months`` months (default: the scenario horizon).

        Mesa's ``run_for`` advances its clock by that many steps in one call (one
        :meth:`step` per time unit), as calling :meth:`step` that many times would, with less
        of Mesa's per-call bookkeeping.
        """
        months = months if months is not None else self.values.simulation.months
        if months > 0:  # Mesa warns when asked to advance by nothing
            self.run_for(months)
