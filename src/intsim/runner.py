"""The pure run function: ``simulate(scenario, seed) -> Results`` (DESIGN.md decision 6).

:func:`simulate` does no I/O and is picklable, so batches can run through any
``concurrent.futures.Executor``. Same scenario + seed gives identical results on either engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim.ledger import Table, build_ledger, monthly_arrays
from intsim.model import ClinicModel
from intsim.scenario import Scenario


@dataclass
class Results:
    """Outputs of one simulation run.

    Attributes:
        monthly: One row per month: :data:`intsim.model.MONTHLY_COLUMNS` then the ledger
            (:data:`intsim.ledger.LEDGER_COLUMNS`).
        summary: Headline clinical and money outcomes over the horizon.
        seed: Root seed used.
        engine: Patient engine used.
        claims: Every claim line of the run (:data:`intsim.claims.CLAIM_COLUMNS`).
        counterfactual: Monthly table of usual care on the same seed, if it was simulated.
    """

    monthly: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    seed: int = 1
    engine: str = "arrays"
    claims: pd.DataFrame = field(default_factory=pd.DataFrame)
    counterfactual: pd.DataFrame | None = None


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    engine: str | None = None,
    months: int | None = None,
    *,
    claims: bool = True,
) -> Results:
    """Run one simulation.

    Args:
        scenario: A validated scenario.
        seed: Root seed (default: ``simulation.seed``); must be >= 1.
        engine: ``"arrays"`` or ``"agents"`` (default: ``simulation.engine``).
        months: Horizon in months (default: ``simulation.months``).
        claims: Build the table of every claim line (``Results.claims``; about 20 ms for the
            default scenario). Batches that keep only summaries pass ``False`` and get an empty
            table; every other output is the same.

    Returns:
        The run's :class:`Results`.
    """
    if months is not None and months != scenario.values.simulation.months:
        # the horizon sizes the slot arrays: resolve it in the scenario itself
        scenario = scenario.with_overrides({"simulation.months": months})
    values = scenario.values
    model = ClinicModel(values, seed=seed, engine=engine)
    model.run(months)
    monthly = model.monthly_frame()
    counterfactual = None
    if values.care_model == "usual_care":
        counterfactual = monthly  # usual care is its own counterfactual
    elif values.finance.counterfactual:
        counterfactual = _usual_care_monthly(scenario, model.root_seed, model.engine_name, months)
    ledger, money = build_ledger(
        values,
        monthly,
        model.billing,
        counterfactual,
        served=int(model.served.sum()),
        startup=model.startup_cost(),
    )
    summary = summarise(monthly, model)
    summary.update(money)
    monthly = pd.concat([monthly, ledger.drop(columns=["month"])], axis=1)
    return Results(
        monthly=monthly,
        summary=summary,
        seed=model.root_seed,
        engine=model.engine_name,
        claims=model.claims.table() if claims else pd.DataFrame(),
        counterfactual=counterfactual if values.care_model != "usual_care" else None,
    )


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
        monthly: The run's monthly table (:data:`intsim.model.MONTHLY_COLUMNS`).
        model: The clinic model after the run (patients served, slots used).
    """
    cols = monthly_arrays(monthly)  # read the table once: column access costs ~10 us each
    n = len(monthly)

    def total(col: str) -> int:
        return int(cols[col].sum())

    def mean(col: str) -> float:
        return float(cols[col].mean()) if n else 0.0

    pop = model.pop
    years = max(n, 1) / 12.0
    person_years = float(cols["panel_size"].sum()) / 12.0 if n else 0.0
    return {
        "care_model": model.values.care_model,
        "months": n,
        "panel_size_end": int(cols["panel_size"][-1]) if n else 0,
        "patients_ever": int(pop.n_used),
        "patients_served": int(model.served.sum()),
        "patients_served_cocm": int(model.served_cocm.sum()),
        "patients_served_pcbh": int(model.served_pcbh.sum()),
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
        "mean_active_cocm": mean("active_cocm"),
        "mean_waitlist": mean("waitlist"),
        "mean_cm_utilization": mean("cm_utilization"),
        "mean_bhc_utilization": mean("bhc_utilization"),
        "mean_pcp_utilization": mean("pcp_utilization"),
        "responders_per_year": total("responders") / years,
        **_workforce_summary(cols),
    }


def _mean_ratio(numerator: NDArray[np.float64], denominator: NDArray[np.float64]) -> float:
    """Mean over months of a monthly ratio, skipping undefined months (0 / 0), as pandas does."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / denominator
    if np.isnan(ratio).all():
        return float("nan")
    return float(np.nanmean(ratio))


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


def run_many(scenario: Scenario, seeds: list[int], engine: str | None = None) -> pd.DataFrame:
    """Run a scenario over several seeds serially; one row of summary outputs per seed."""
    rows = []
    for s in seeds:
        res = simulate(scenario, seed=s, engine=engine)
        rows.append({"seed": s, **{k: v for k, v in res.summary.items() if _is_number(v)}})
    return pd.DataFrame(rows)


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
