"""The pure run function: ``simulate(scenario, seed) -> Results`` (docs/architecture.md decision 6).

:func:`simulate` does no I/O and is picklable, so batches can run through any
``concurrent.futures.Executor``. Same scenario + seed gives identical results on either engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim.money.claims import ClaimsBook, MonthServices
from intsim.money.ledger import Table, build_ledger, monthly_arrays, programme_running, startup_cost
from intsim.params import is_money_only
from intsim.params.scenario import Scenario
from intsim.sim.care.cohort import DAYS_PER_MONTH
from intsim.sim.model import ClinicModel


@dataclass
class Results:
    """Outputs of one simulation run.

    Attributes:
        monthly: One row per month: :data:`intsim.sim.model.MONTHLY_COLUMNS` then the ledger
            (:data:`intsim.money.ledger.LEDGER_COLUMNS`).
        summary: Headline clinical and money outcomes over the horizon.
        seed: Root seed used.
        engine: Patient engine used.
        claims: Every claim line of the run (:data:`intsim.money.claims.CLAIM_COLUMNS`).
        counterfactual: Monthly table of usual care on the same seed, if it was simulated.
    """

    monthly: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    seed: int = 1
    engine: str = "arrays"
    claims: pd.DataFrame = field(default_factory=pd.DataFrame)
    counterfactual: pd.DataFrame | None = None


@dataclass
class ClinicRun:
    """A simulated clinic before its money is counted (see :func:`run_clinic`).

    Attributes:
        scenario: The scenario the clinic was simulated under.
        monthly: One row per month: :data:`intsim.sim.model.MONTHLY_COLUMNS`.
        billing: Claims totals of each month under ``scenario``'s payment rates.
        services: Each month's services (kept with ``keep_services``), to bill them again.
        counterfactual: Usual care on the same seed, if simulated.
        summary: Clinical and workforce outcomes (no money).
        served: Patients who received any programme service.
        startup: Workforce facts the startup cost depends on (hires, PCP share, launches).
        claims: Every claim line under ``scenario`` (empty unless asked for).
        seed: Root seed.
        engine: Patient engine.
    """

    scenario: Scenario
    monthly: pd.DataFrame
    billing: list[Any]
    services: list[MonthServices]
    counterfactual: pd.DataFrame | None
    summary: dict[str, Any]
    served: int
    startup: tuple[Any, float, int]
    claims: pd.DataFrame
    seed: int
    engine: str


def run_clinic(
    scenario: Scenario,
    seed: int | None = None,
    engine: str | None = None,
    months: int | None = None,
    *,
    claims: bool = True,
    keep_services: bool = False,
) -> ClinicRun:
    """Simulate the clinic (and its usual-care counterfactual), without the money layer.

    Args:
        scenario: A validated scenario.
        seed: Root seed (default: ``simulation.seed``); must be >= 1.
        engine: ``"arrays"`` or ``"agents"`` (default: ``simulation.engine``).
        months: Horizon in months (default: ``simulation.months``).
        claims: Keep every claim line (``ClinicRun.claims``).
        keep_services: Keep each month's services so that :func:`cost_clinic` can price the
            run under other payment and cost parameters.
    """
    if months is not None and months != scenario.values.simulation.months:
        # the horizon sizes the slot arrays: resolve it in the scenario itself
        scenario = scenario.with_overrides({"simulation.months": months})
    values = scenario.values
    model = ClinicModel(values, seed=seed, engine=engine)
    model.claims.keep_lines = claims
    model.claims.keep_services = keep_services
    model.run(months)
    monthly = model.monthly_frame()
    counterfactual = None
    if values.care_model == "usual_care":
        counterfactual = monthly  # usual care is its own counterfactual
    elif values.finance.counterfactual:
        counterfactual = _usual_care_monthly(scenario, model.root_seed, model.engine_name, months)
    w = model.workforce
    return ClinicRun(
        scenario=scenario,
        monthly=monthly,
        billing=model.billing,
        services=model.claims.services,
        counterfactual=counterfactual,
        summary=summarise(monthly, model),
        served=int(np.count_nonzero(model.served)),
        startup=(w.startup_hires, w.startup_pcp_share, w.startup_launches),
        claims=model.claims.table() if claims else pd.DataFrame(),
        seed=model.root_seed,
        engine=model.engine_name,
    )


def cost_clinic(run: ClinicRun, scenario: Scenario | None = None) -> Results:
    """Count the money of a simulated clinic: claims, payments, costs, ledger, summary.

    Args:
        run: The simulated clinic (:func:`run_clinic`).
        scenario: Price the run under this scenario instead of its own; it may differ only in
            money-only parameters (:func:`intsim.params.is_money_only`) and the run must have
            been made with ``keep_services``. The claims are billed again from the recorded
            services, so the results are exactly those of simulating ``scenario`` itself.

    Raises:
        ValueError: If ``scenario`` differs in a parameter the clinic reads, the rollout gate
            feeds money back into the simulation, or the services were not kept.
    """
    billing, claims = run.billing, run.claims
    if scenario is None or scenario is run.scenario:
        scenario = run.scenario
    else:
        check_money_only_change(run.scenario, scenario)
        if run.monthly.shape[0] and not run.services:
            raise ValueError("cost_clinic: run the clinic with keep_services=True to reprice it")
        billing = ClaimsBook(scenario.values, keep_lines=False).rebill(run.services)
        claims = pd.DataFrame()
    values = scenario.values
    ledger, money = build_ledger(
        values,
        run.monthly,
        billing,
        run.counterfactual,
        served=run.served,
        startup=startup_cost(values, *run.startup),
        month_column=False,
    )
    summary = dict(run.summary)
    summary.update(money)
    monthly = pd.concat([run.monthly, ledger], axis=1)
    return Results(
        monthly=monthly,
        summary=summary,
        seed=run.seed,
        engine=run.engine,
        claims=claims,
        counterfactual=run.counterfactual if values.care_model != "usual_care" else None,
    )


def check_money_only_change(base: Scenario, other: Scenario) -> None:
    """Raise unless ``other`` differs from ``base`` only in money-only parameters."""
    if base.values.rollout.gate == "net_positive":
        raise ValueError(
            "cost_clinic: with rollout.gate net_positive money feeds back into the rollout; "
            "simulate each scenario"
        )
    a, b = _flat(base.to_dict()), _flat(other.to_dict())
    changed = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    clinic = [k for k in changed if not is_money_only(k)]
    if clinic:
        raise ValueError(
            f"cost_clinic: the scenarios differ in {', '.join(clinic[:5])}, which the clinic "
            "reads; simulate the scenario instead"
        )


def _flat(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{path}."))
        else:
            out[path] = value
    return out


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    engine: str | None = None,
    months: int | None = None,
    *,
    claims: bool = True,
) -> Results:
    """Run one simulation: the clinic (:func:`run_clinic`), then its money (:func:`cost_clinic`).

    Args:
        scenario: A validated scenario.
        seed: Root seed (default: ``simulation.seed``); must be >= 1.
        engine: ``"arrays"`` or ``"agents"`` (default: ``simulation.engine``).
        months: Horizon in months (default: ``simulation.months``).
        claims: Build the table of every claim line (``Results.claims``; about 1 ms for the
            default scenario). Batches that keep only summaries pass ``False`` and get an empty
            table; every other output is the same.

    Returns:
        The run's :class:`Results`.
    """
    return cost_clinic(run_clinic(scenario, seed, engine, months, claims=claims))


def counterfactual_scenario(scenario: Scenario) -> Scenario:
    """The usual-care counterfactual of a scenario: same organisation and people, no programme."""
    return scenario.with_overrides({"care_model": "usual_care", "finance.counterfactual": False})


def _usual_care_monthly(
    scenario: Scenario, seed: int, engine: str, months: int | None
) -> pd.DataFrame:
    model = ClinicModel(counterfactual_scenario(scenario).values, seed=seed, engine=engine)
    model.run(months)
    return model.monthly_frame()


def summarise(monthly: pd.DataFrame, model: ClinicModel) -> dict[str, Any]:
    """Headline outcomes of a run (totals over the horizon, means of monthly levels).

    Args:
        monthly: The run's monthly table (:data:`intsim.sim.model.MONTHLY_COLUMNS`).
        model: The clinic model after the run (patients served, slots used).
    """
    cols = monthly_arrays(monthly)  # read the table once: column access costs ~10 us each
    n = len(monthly)

    def total(col: str) -> int:
        return int(cols[col].sum())

    def mean(col: str) -> float:
        return float(cols[col].mean()) if n else 0.0

    running = programme_running(cols)
    ran = int(running.sum())

    def programme_mean(col: str) -> float:
        """Mean over the months the programme ran (every month if it never ends)."""
        if running.all():
            return mean(col)
        return float(cols[col][running].mean()) if ran else 0.0

    pop = model.pop
    years = max(n, 1) / 12.0
    person_years = float(cols["panel_size"].sum()) / 12.0 if n else 0.0
    return {
        "care_model": model.values.care_model,
        "months": n,
        "panel_size_end": int(cols["panel_size"][-1]) if n else 0,
        "patients_ever": int(pop.n_used),
        # count_nonzero counts a boolean array far faster than its sum
        "patients_served": int(np.count_nonzero(model.served)),
        "patients_served_cocm": int(np.count_nonzero(model.served_cocm)),
        "patients_served_pcbh": int(np.count_nonzero(model.served_pcbh)),
        # unduplicated per programme year: reached by CoCM / PCBH, and with a threshold episode
        "patients_reached_by_year": model.reach_years(),
        "screened": total("screened"),
        "detected": total("detected"),
        "cocm_enrolments": total("cocm_enrolled_new"),
        "pcbh_episodes": total("pcbh_started_new"),
        "responders": total("responders"),
        "remissions": total("remissions"),
        "relapses": total("relapses"),
        "dropouts": total("dropouts"),
        "pcp_visits": total("pcp_visits"),
        "bhc_visits": total("bhc_visits"),
        "cm_minutes": total("cm_minutes"),
        "psych_minutes": total("psych_minutes"),
        "ed_visits": total("ed_visits"),
        "admissions": total("admissions"),
        "ed_visits_per_100py": 100.0 * total("ed_visits") / person_years if person_years else 0.0,
        "admissions_per_100py": (
            100.0 * total("admissions") / person_years if person_years else 0.0
        ),
        "mean_bh_prevalence": _mean_ratio(cols["bh_prevalent"], cols["panel_size"]) if n else 0.0,
        "mean_active_cocm": programme_mean("active_cocm"),
        "mean_waitlist": programme_mean("waitlist"),
        "mean_cm_utilization": programme_mean("cm_utilization"),
        **_care_management_summary(
            cols if running.all() else {k: v[running] for k, v in cols.items()},
            float(model.values.staffing.working_days_per_month),
            float(model.values.staffing.weeks_per_year),
        ),
        "mean_bhc_utilization": programme_mean("bhc_utilization"),
        "mean_pcp_utilization": mean("pcp_utilization"),
        "responders_per_year": total("responders") / years,
        **_workforce_summary(cols),
        "programme_end_month": int(model.values.rollout.end_month) or None,
        "programme_wind_down_months": int(cols["programme_wind_down"].sum()),
        **(_cohort_summary(cols, len(model.cohort_members)) if model.cohort else {}),
    }


def _cohort_summary(cols: Table, size: int) -> dict[str, Any]:
    """Outcomes of the month-1 cohort over the horizon (:mod:`intsim.sim.care.cohort`).

    Args:
        cols: The run's monthly columns (:func:`monthly_arrays`).
        size: Members of the cohort at month 1.
    """
    member_months = int(np.asarray(cols["cohort_in_panel"]).sum())
    free = int(np.asarray(cols["cohort_depression_free"]).sum())
    last = {k: int(np.asarray(cols[f"cohort_{k}"])[-1]) for k in ("in_panel", "responders")}
    return {
        "cohort_size": size,
        "cohort_member_months": member_months,
        "cohort_depression_free_months": free,
        "cohort_depression_free_days_per_member": free * DAYS_PER_MONTH / size if size else 0.0,
        "cohort_in_panel_end": last["in_panel"],
        "cohort_responders_end": last["responders"],
    }


def _mean_ratio(numerator: NDArray[np.float64], denominator: NDArray[np.float64]) -> float:
    """Mean over months of a monthly ratio, skipping undefined months (0 / 0), as pandas does."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
    if np.isnan(ratio).all():
        return float("nan")
    return float(np.nanmean(ratio))


def _care_management_summary(
    cols: Table, working_days: float, weeks_per_year: float
) -> dict[str, Any]:
    """Operating figures: queues and waits, caseload per FTE, minutes, consultant time.

    Waits are in weeks: whole months waited plus half a month for a start later in the month of
    referral (monthly steps; a same-day BHC visit waits 0).

    Caseload per FTE is the mean over months with care-manager capacity of the active caseload
    divided by the effective care-manager FTE; minutes per patient-month divide all minutes
    delivered by the CoCM patient-months; the consultant's used share divides review minutes
    by the minutes its paid hours gave.
    """
    active = np.asarray(cols["active_cocm"], dtype=np.float64)
    fte = np.asarray(cols["effective_fte_cm"], dtype=np.float64)
    staffed = fte > 0
    patient_months = float(active.sum())
    paid_psych = float(np.asarray(cols["psych_paid_minutes"]).sum())

    def per_patient_month(name: str) -> float:
        return float(np.asarray(cols[name]).sum()) / patient_months if patient_months else 0.0

    weeks_per_month = weeks_per_year / 12.0

    def total(name: str) -> float:
        return float(np.asarray(cols[name]).sum())

    def mean_wait_weeks(months: str, starts: float, scheduled: float) -> float:
        # whole months waited, plus half a month for a start later in the month of referral
        return weeks_per_month * (total(months) + 0.5 * scheduled) / starts if starts else 0.0

    n_cocm, n_bhc = total("cocm_enrolled_new"), total("pcbh_started_new")
    n_bhc_scheduled = n_bhc - total("bhc_same_day_starts")
    bhc_fte_days = float(
        (np.asarray(cols["effective_fte_bhc"], dtype=np.float64) * working_days).sum()
    )

    return {
        "mean_waitlist_cocm": float(np.asarray(cols["waitlist_cocm"]).mean()),
        "mean_waitlist_bhc": float(
            (np.asarray(cols["waitlist"]) - np.asarray(cols["waitlist_cocm"])).mean()
        ),
        "cocm_mean_wait_weeks": mean_wait_weeks("cocm_wait_months", n_cocm, n_cocm),
        "bhc_mean_wait_weeks": mean_wait_weeks("bhc_wait_months", n_bhc, n_bhc_scheduled),
        "bhc_visits_per_fte_day": total("bhc_visits") / bhc_fte_days if bhc_fte_days else 0.0,
        "cocm_enrolled_share_of_eligible": n_cocm / total("eligible") if total("eligible") else 0.0,
        "cocm_turned_away": int(np.asarray(cols["cocm_turned_away"]).sum()),
        "bhc_turned_away": int(np.asarray(cols["bhc_turned_away"]).sum()),
        "cm_caseload_per_fte": float((active[staffed] / fte[staffed]).mean())
        if staffed.any()
        else 0.0,
        "cm_minutes_per_patient_month": per_patient_month("cm_minutes"),
        "cm_unreached_share": per_patient_month("cm_unreached"),
        "psych_hours_used_share": float(np.asarray(cols["psych_minutes"]).sum()) / paid_psych
        if paid_psych
        else 0.0,
    }


def _workforce_summary(monthly: Table) -> dict[str, Any]:
    """Workforce and rollout outcomes: programme staff (care managers, BHCs, consultant).

    Args:
        monthly: The run's monthly table, or its columns as arrays (:func:`monthly_arrays`).
    """
    staff = ("cm", "bhc", "psych")

    def column(name: str) -> NDArray[Any]:
        return np.asarray(monthly[name])

    def total(prefix: str) -> int:
        return int(sum(column(f"{prefix}_{r}").sum() for r in staff))

    live = column("phases_live")
    n_live_end = int(live[-1]) if len(live) else 0
    last = np.flatnonzero(live >= max(int(live.max()) if len(live) else 0, 1))
    return {
        "staff_departures": total("departures"),
        "staff_hires": total("hires"),
        "staff_vacancy_months": total("vacancies"),
        "mean_effective_fte_cm": float(column("effective_fte_cm").mean()) if len(live) else 0.0,
        "mean_effective_fte_bhc": float(column("effective_fte_bhc").mean()) if len(live) else 0.0,
        "mean_burnout": float(column("mean_burnout").mean()) if len(live) else 0.0,
        "phases_live_end": n_live_end,
        "last_go_live_month": int(last[0]) + 1 if len(last) else None,
    }
