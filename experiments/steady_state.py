"""Measure the default clinic's usual-care steady state and compare it with the month-1 state.

Usage:
    python experiments/steady_state.py                 # from the shipped month-1 state
    python experiments/steady_state.py --cold          # from the former cold start (decision 52)
    python experiments/steady_state.py --months 240 --seed 2

The default clinic runs under usual care for ``--months`` months (default 240); the panel's state
is read every month of the last 40% of the run (months 145-240 by default) and averaged. Each
``population.initial_*`` default is the value this measurement gives, and ``clinical.incidence``
is the one that puts the measured threshold prevalence at the evidence's 13% (decision 54). Joiners
enter with the same initial state as the month-1 panel (they come from the same community), so
the steady state is a fixed point of the month-1 state: started from it, the measured state is the
start. The table printed compares the two; ``--cold`` starts from the former defaults instead
(every remission just begun, no episode known or treated, episode ages up to 24 months) to show
the transient they caused.

Episode and remission ages are drawn uniformly from 0 to a maximum - 1 at month 1, so a maximum is
matched to a measured mean age as ``2 * mean + 1`` (the uniform has the measured mean).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from intsim import argcheck
from intsim.argcheck import run_main
from intsim.params.scenario import Scenario, default_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.population import BH, Tx

#: The former month-1 state (cold start), used by ``--cold`` (decision 52).
COLD_START: dict[str, float | int] = {
    "clinical.incidence": 0.00487,
    "population.remitted_prevalence": 0.03,
    "population.initial_episode_months_max": 24,
    "population.initial_chronic_episode_months_max": 24,
    "population.initial_remission_months_max": 1,
    "population.initial_chronic_episode_share": 0.2,
    "population.initial_known_share": 0.0,
    "population.initial_pcp_treatment_share": 0.0,
    "population.initial_specialty_treatment_share": 0.0,
}


@dataclass(frozen=True)
class PanelState:
    """The usual-care state of the panel in one month (shares of the panel or of its episodes)."""

    threshold_prevalence: float
    subthreshold_prevalence: float
    remitted_prevalence: float
    improved_prevalence: float
    chronic_share: float
    acute_age_months: float
    chronic_age_months: float
    remission_age_months: float
    known_share: float
    pcp_treatment_share: float
    specialty_treatment_share: float


def read_state(model: ClinicModel) -> PanelState:
    """Read the panel's behavioral-health state after a month of ``model``."""
    pop = model.pop
    n = pop.n_used
    in_panel = pop.in_panel[:n]
    bh = pop.bh[:n][in_panel]
    active = bh == BH.ACTIVE
    chronic = pop.chronic_episode[:n][in_panel][active]
    ages = pop.episode_month[:n][in_panel][active]
    remitted = bh == BH.REMITTED
    treatment = pop.treatment[:n][in_panel][active]
    return PanelState(
        threshold_prevalence=float(active.mean()),
        subthreshold_prevalence=float((bh == BH.SUBTHRESHOLD).mean()),
        remitted_prevalence=float(remitted.mean()),
        improved_prevalence=float((bh == BH.IMPROVED).mean()),
        chronic_share=float(chronic.mean()),
        acute_age_months=float(ages[~chronic].mean()),
        chronic_age_months=float(ages[chronic].mean()),
        remission_age_months=float(pop.remission_months[:n][in_panel][remitted].mean()),
        known_share=float(pop.known[:n][in_panel][active].mean()),
        pcp_treatment_share=float((treatment == Tx.PCP).mean()),
        specialty_treatment_share=float((treatment == Tx.SPECIALTY).mean()),
    )


def measure(scenario: Scenario, months: int = 240, seed: int = 1) -> tuple[PanelState, PanelState]:
    """Run ``scenario`` under usual care; return its month-1 state and the late-run mean state.

    The late-run state averages the months after the first 60% of the run.
    """
    sc = scenario.with_overrides(
        {"care_model": "usual_care", "simulation.months": months, "finance.counterfactual": False}
    )
    model = ClinicModel(sc.values, seed=seed, engine="arrays")
    start = months * 3 // 5
    late: list[PanelState] = []
    first: PanelState | None = None
    for month in range(1, months + 1):
        model.step()
        if month == 1:
            first = read_state(model)
        if month > start:
            late.append(read_state(model))
    assert first is not None
    mean = {
        name: float(np.mean([getattr(s, name) for s in late]))
        for name in PanelState.__dataclass_fields__
    }
    return first, PanelState(**mean)


def as_defaults(state: PanelState) -> dict[str, float | int]:
    """The ``population.initial_*`` values that reproduce ``state`` at month 1."""
    return {
        "population.remitted_prevalence": round(state.remitted_prevalence, 2),
        "population.initial_episode_months_max": round(2 * state.acute_age_months + 1),
        "population.initial_chronic_episode_months_max": round(2 * state.chronic_age_months + 1),
        "population.initial_remission_months_max": round(2 * state.remission_age_months + 1),
        "population.initial_chronic_episode_share": round(state.chronic_share, 2),
        "population.initial_known_share": round(state.known_share, 2),
        "population.initial_pcp_treatment_share": round(state.pcp_treatment_share, 2),
        "population.initial_specialty_treatment_share": round(state.specialty_treatment_share, 2),
    }


def current_defaults(scenario: Scenario) -> dict[str, float | int]:
    """The scenario's values of the keys :func:`as_defaults` returns."""
    pop = scenario.values.population
    return {key: getattr(pop, key.split(".")[1]) for key in as_defaults(_ZERO_STATE)}


_ZERO_STATE = PanelState(*([0.0] * len(PanelState.__dataclass_fields__)))


def main(argv: list[str] | None = None) -> int:
    """Measure the steady state and print it next to the month-1 state."""
    parser = argcheck.Parser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--months",
        type=argcheck.int_at_least(10, "a number of months"),
        default=240,
        help="run length, >= 10 (default 240)",
    )
    parser.add_argument("--seed", type=argcheck.seed, default=1, help="random seed, >= 1 (1)")
    parser.add_argument("--cold", action="store_true", help="start from the former cold start")
    args = parser.parse_args(argv)
    scenario = default_scenario()
    if args.cold:
        scenario = scenario.with_overrides(COLD_START)
    print(f"usual care, {args.months} months, seed {args.seed}", file=sys.stderr)
    first, late = measure(scenario, args.months, args.seed)
    print(f"{'quantity':<28}{'month 1':>10}{'steady':>10}")
    for name in PanelState.__dataclass_fields__:
        print(f"{name:<28}{getattr(first, name):>10.3f}{getattr(late, name):>10.3f}")
    print("\ninitial-state parameters: steady-state value (scenario's value)")
    shipped = current_defaults(scenario)
    for key, value in as_defaults(late).items():
        print(f"  {key}: {value}  ({shipped[key]})")
    return 0


if __name__ == "__main__":
    run_main(main)
