"""Workforce dynamics and rollout phasing (intsim.sim.workforce), one mechanism at a time.

Positions that can be vacant, time to fill, ramp-up, turnover raised by burnout, care-manager
caseload reassignment, tele backfill, trainees, LPC/MFT hires, rollout phases and phase gates,
and the money that follows the positions actually filled.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from statistics import NormalDist
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from intsim.money.ledger import planned_positions, startup_cost
from intsim.params import PAYERS
from intsim.params.scenario import Scenario, default_scenario
from intsim.params.spec import annual_to_monthly_probability
from intsim.sim.model import ClinicModel
from intsim.sim.population import Tx
from intsim.sim.providers import Provider, order_by_priority
from intsim.sim.runner import simulate
from intsim.sim.workforce import (
    WORKFORCE_COLUMNS,
    burnout_next,
    plan_phases,
    ramp_share,
    time_to_fill_months,
)

BASE: dict[str, Any] = {
    "population.n_patients": 800,
    "staffing.n_pcps": 1,
    "staffing.pcp_visits_per_day": 30,
    "staffing.care_manager_fte": 1.0,
    "staffing.bhc_fte": 1.0,
    "staffing.psychiatric_consultant_hours_per_week": 2.0,
    "simulation.months": 24,
    "finance.counterfactual": False,
}
#: No turnover at all: the only departures are the ones a test forces.
QUIET: dict[str, Any] = {
    "workforce.bh_turnover_annual": 0.0,
    "workforce.physician_turnover_annual": 0.0,
}


def scenario(care_model: str, overrides: dict[str, Any] | None = None) -> Scenario:
    return default_scenario().with_overrides(
        {**BASE, "care_model": care_model, **(overrides or {})}
    )


def run_model(
    sc: Scenario, seed: int, months: int | None = None
) -> tuple[ClinicModel, pd.DataFrame]:
    model = ClinicModel(sc.values, seed=seed)
    model.run(months)
    return model, pd.DataFrame(model.rows)


def force_departure(model: ClinicModel, position: Provider, month: int) -> None:
    """Make ``position``'s holder leave in ``month`` (other positions keep their own hazard)."""
    wf = model.workforce
    original = wf._departs

    def departs(p: Provider, m: int) -> bool:
        if p is position and m == month:
            assert p.state == "filled", "the forced leaver must be in post"
            return True
        return original(p, m)

    wf._departs = departs  # type: ignore[method-assign]


def row(df: pd.DataFrame, month: int) -> pd.Series:
    """The monthly row of ``month`` (1-based)."""
    out = df.iloc[month - 1]
    assert out["month"] == month
    return out


# =========================================================================== 1. pure helpers


def test_time_to_fill_is_at_least_one_month_and_monotone_in_u():
    us = np.linspace(0.0, 1.0, 2001)
    for median, sigma in ((3.3, 0.775), (0.2, 0.775), (6.6, 0.0), (8.25, 1.5)):
        months = [time_to_fill_months(float(u), median, sigma) for u in us]
        assert min(months) >= 1
        assert all(isinstance(m, int) for m in months)
        assert all(a <= b for a, b in itertools.pairwise(months))
    # the u-quantile of the lognormal, rounded up
    assert time_to_fill_months(0.5, 3.3, 0.775) == 4  # median 3.3 -> 4 whole months
    assert time_to_fill_months(0.5, 3.0, 0.775) == 3  # an exact whole median is not bumped up
    assert time_to_fill_months(0.9, 3.3, 0.775) == math.ceil(3.3 * math.exp(0.775 * 1.2815516))
    assert time_to_fill_months(0.3, 6.6, 0.0) == 7  # no spread: always the median, rounded up
    assert time_to_fill_months(0.01, 0.2, 0.775) == 1  # never less than one month


def test_time_to_fill_median_of_many_draws_and_larger_median_takes_longer():
    rng = np.random.default_rng(11)
    us = rng.random(20_001)
    for median in (1.65, 3.3, 6.6, 8.25):
        draws = np.array([time_to_fill_months(float(u), median, 0.775) for u in us])
        assert np.median(draws) == math.ceil(median)
        # whole months, rounded up: P(draw > k) = P(lognormal > k) for whole k
        for k in (2, 5, 9):
            tail = 1.0 - NormalDist().cdf(math.log(k / median) / 0.775)
            assert np.mean(draws > k) == pytest.approx(tail, abs=0.01)
    short = [time_to_fill_months(float(u), 3.3, 0.775) for u in us[:500]]
    long = [time_to_fill_months(float(u), 3.3 * 2.5, 0.775) for u in us[:500]]
    assert all(a <= b for a, b in zip(short, long, strict=True))
    assert np.mean(long) > 2.0 * np.mean(short)


def test_median_fill_scales_with_shortage_role_and_lpc_hiring():
    def medians(extra: dict[str, Any]) -> dict[str, float]:
        model = ClinicModel(scenario("hybrid", extra).values, seed=1)
        wf = model.workforce
        return {
            "pcp": wf._median_fill(model.pcps[0]),
            "cm": wf._median_fill(model.care_managers[0]),
            "bhc": wf._median_fill(model.bhcs[0]),
            "psych": wf._median_fill(model.psychiatrists[0]),
        }

    moderate = medians({})
    assert moderate == pytest.approx({"pcp": 6.6, "cm": 3.3, "bhc": 3.3, "psych": 6.6})
    none = medians({"workforce.shortage_severity": "none"})
    severe = medians({"workforce.shortage_severity": "severe"})
    for role, value in moderate.items():
        assert none[role] == pytest.approx(0.5 * value)
        assert severe[role] == pytest.approx(2.5 * value)
    lpc = medians({"workforce.lpc_mft_hiring": True})
    assert lpc["bhc"] == pytest.approx(0.7 * 3.3)
    assert lpc["cm"] == pytest.approx(3.3)  # only BHC vacancies are filled with LPC/MFTs
    # a vendor consultant starts after exactly the contract time, without a random draw
    sc = scenario(
        "hybrid", {"costs.psychiatry_model": "vendor", "workforce.vendor_contract_months": 2}
    )
    model = ClinicModel(sc.values, seed=1)
    psych = model.psychiatrists[0]
    for stream in ("staff_fill", "staff_initial_fill"):
        assert model.workforce._draw_fill(psych, stream, 5) == 2


def test_ramp_share_is_linear_from_start_to_full():
    assert ramp_share(0, 0.5, 3) == pytest.approx(0.5)
    assert ramp_share(1, 0.5, 3) == pytest.approx(0.5 + 0.5 / 3)
    assert ramp_share(2, 0.5, 3) == pytest.approx(0.5 + 1.0 / 3)
    assert ramp_share(3, 0.5, 3) == 1.0
    assert ramp_share(40, 0.5, 3) == 1.0
    assert ramp_share(-2, 0.64, 3) == pytest.approx(0.64)  # before the start: the start share
    assert ramp_share(0, 0.2, 0) == 1.0  # no ramp
    shares = [ramp_share(k, 0.3, 6) for k in range(8)]
    assert all(a < b for a, b in itertools.pairwise(shares[:7]))


def _burnout_values(threshold: float = 1.0, rise: float = 0.5, recovery: float = 0.1) -> Any:
    return SimpleNamespace(
        workforce=SimpleNamespace(
            burnout_threshold=threshold, burnout_rise=rise, burnout_recovery=recovery
        )
    )


def test_burnout_rises_only_above_threshold_and_stays_in_unit_interval():
    v = _burnout_values()
    assert burnout_next(0.0, 1.4, v) == pytest.approx(0.2)  # 0.5 x (1.4 - 1)
    assert burnout_next(0.3, 1.2, v) == pytest.approx(0.4)
    assert burnout_next(0.9, 3.0, v) == 1.0  # capped at 1
    assert burnout_next(1.0, 1.0001, v) == 1.0
    assert burnout_next(0.5, 1.0, v) == pytest.approx(0.4)  # at the threshold: recovery
    assert burnout_next(0.5, 0.2, v) == pytest.approx(0.4)  # recovery does not depend on load
    assert burnout_next(0.05, 0.9, v) == 0.0  # floored at 0
    assert burnout_next(0.0, 0.0, v) == 0.0
    for b in (0.0, 0.37, 1.0):
        assert burnout_next(b, None, v) == b  # undefined load: unchanged
    high = _burnout_values(threshold=5.0)
    assert burnout_next(0.0, 4.9, high) == 0.0
    assert burnout_next(0.0, 5.5, high) == pytest.approx(0.25)
    for load in np.linspace(0.0, 3.0, 31):
        for b in (0.0, 0.25, 0.95):
            nxt = burnout_next(b, float(load), v)
            assert 0.0 <= nxt <= 1.0
            assert (nxt > b) == (load > 1.0 and b < 1.0)


def _plan(**rollout: Any) -> list:
    over = {"staffing.n_pcps": rollout.pop("n_pcps", 5)}
    over.update({f"rollout.{k}": v for k, v in rollout.items()})
    return plan_phases(default_scenario().with_overrides(over).values)


def test_plan_phases_all_at_once():
    (ph,) = _plan(strategy="all_at_once", first_go_live_month=4, hiring_lead_months=6)
    assert (ph.index, ph.pcps) == (1, [0, 1, 2, 3, 4])
    assert (ph.scheduled_go_live, ph.go_live, ph.recruit_month) == (4, 4, -2)
    assert not ph.live(3)
    assert ph.live(4)
    assert ph.live(40)


def test_plan_phases_phased_splits_pcps_and_staggers_go_lives():
    phases = _plan(
        strategy="phased",
        n_phases=3,
        phase_interval_months=5,
        first_go_live_month=2,
        hiring_lead_months=3,
    )
    assert [ph.pcps for ph in phases] == [[0, 1], [2, 3], [4]]
    assert [ph.scheduled_go_live for ph in phases] == [2, 7, 12]
    assert [ph.go_live for ph in phases] == [2, 7, 12]
    assert [ph.recruit_month for ph in phases] == [-1, 4, 9]
    # more phases than PCPs: one PCP per phase; a single phase is all at once
    assert [ph.pcps for ph in _plan(strategy="phased", n_phases=9, n_pcps=2)] == [[0], [1]]
    assert len(_plan(strategy="phased", n_phases=1)) == 1
    assert len(_plan(strategy="phased", n_phases=4, n_pcps=1)) == 1


def test_plan_phases_pilot_then_scale():
    pilot, scale = _plan(
        strategy="pilot_then_scale",
        pilot_pcps=2,
        pilot_months=9,
        first_go_live_month=1,
        hiring_lead_months=4,
    )
    assert (pilot.pcps, scale.pcps) == ([0, 1], [2, 3, 4])
    assert (pilot.go_live, scale.go_live) == (1, 10)
    assert (pilot.recruit_month, scale.recruit_month) == (-3, 6)
    # a pilot as large as the practice is all at once
    (only,) = _plan(strategy="pilot_then_scale", pilot_pcps=5)
    assert only.pcps == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("gate", ["caseload", "net_positive"])
def test_plan_phases_gated_later_phases_have_no_go_live(gate):
    phases = _plan(strategy="phased", n_phases=3, gate=gate, hiring_lead_months=2)
    assert phases[0].go_live == 1
    assert phases[0].recruit_month == -1
    assert [ph.scheduled_go_live for ph in phases] == [1, 7, 13]
    for ph in phases[1:]:
        assert ph.go_live is None
        assert ph.recruit_month is None
        assert not ph.live(10_000)
    pilot = _plan(strategy="pilot_then_scale", gate=gate)
    assert pilot[1].go_live is None


# =========================================================================== 2. vacancies


@pytest.mark.parametrize(
    ("care_model", "role", "attr", "paid"),
    [("cocm", "cm", "care_managers", "paid_fte_cm"), ("pcbh", "bhc", "bhcs", "paid_fte_bhc")],
)
def test_vacancy_removes_capacity_for_exactly_the_drawn_months(care_model, role, attr, paid):
    months, m = 30, 6
    sc = scenario(care_model, {**QUIET, "simulation.months": months})
    w = sc.values.workforce
    model = ClinicModel(sc.values, seed=3)
    leaver = getattr(model, attr)[0]
    force_departure(model, leaver, m)
    model.run(m)
    assert leaver.state == "vacant"
    assert leaver.vacant_since == m
    # the drawn time to fill: slot-indexed by the position, from the staff_fill stream
    u = model.streams.uniform_one("staff_fill", m, leaver.position_id)
    fill = m + time_to_fill_months(u, w.fill_median_licensed_months, w.fill_sigma)
    assert leaver.fill_month == fill
    assert fill + 1 <= months, "choose a seed whose vacancy is filled within the horizon"
    model.run(months - m)
    df = pd.DataFrame(model.rows)

    before = row(df, m - 1)
    assert before[f"vacancies_{role}"] == 0
    assert before[f"effective_fte_{role}"] == 1.0
    assert before[paid] == 1.0
    assert df[f"departures_{role}"].tolist() == [int(k == m) for k in range(1, months + 1)]
    for k in range(m, fill):
        r = row(df, k)
        assert r[f"vacancies_{role}"] == 1
        assert r[f"effective_fte_{role}"] == 0.0
        assert r[paid] == 0.0
        assert r[f"hires_{role}"] == 0
        if role == "cm":
            assert r["active_cocm"] == 0
            assert r["cm_minutes"] == 0
            assert r["cocm_enrolled_new"] == 0
        else:
            assert r["bhc_visits"] == 0
            assert r["pcbh_started_new"] == 0
    hired = row(df, fill)
    assert hired[f"hires_{role}"] == 1
    assert hired["programme_hires"] == 1
    assert hired[f"vacancies_{role}"] == 0
    assert hired[paid] == 1.0
    # the new hire ramps up from ramp_start_productivity over ramp_months
    assert hired[f"effective_fte_{role}"] == pytest.approx(w.ramp_start_productivity)
    assert row(df, fill + 1)[f"effective_fte_{role}"] == pytest.approx(
        ramp_share(1, w.ramp_start_productivity, w.ramp_months)
    )
    assert df.loc[df["month"] > m, f"hires_{role}"].sum() == 1
    assert leaver.state == "filled"
    assert leaver.hired_month == fill
    # capacity came back with the hire
    if role == "cm":
        assert df.loc[df["month"] >= fill, "active_cocm"].sum() > 0
    else:
        assert df.loc[df["month"] >= fill, "bhc_visits"].sum() > 0


def test_departure_draws_its_time_to_fill_and_is_not_refilled_the_same_month():
    sc = scenario("hybrid", {**QUIET, "workforce.shortage_severity": "severe"})
    model = ClinicModel(sc.values, seed=7)
    model.run(6)
    wf = model.workforce
    w = sc.values.workforce
    assert [p.short_role for p in wf.positions] == ["pcp", "cm", "bhc", "psych"]
    for p in wf.positions:
        assert p.state == "filled"
        wf.month_events = {f"departures_{p.short_role}": 0}
        wf._depart(p, 7)
        median = (
            w.fill_median_prescriber_months
            if p.role in ("pcp", "psychiatric_consultant")
            else w.fill_median_licensed_months
        ) * w.fill_multiplier_severe
        u = model.streams.uniform_one("staff_fill", 7, p.position_id)
        assert p.fill_month == 7 + time_to_fill_months(u, median, w.fill_sigma)
        assert p.fill_month > 7
        assert (p.state, p.vacant_since, p.burnout, p.backfill_from) == ("vacant", 7, 0.0, None)
        assert wf.month_events[f"departures_{p.short_role}"] == 1


def test_workforce_disabled_no_departures_and_every_position_filled():
    sc = scenario(
        "hybrid",
        {
            "workforce.enabled": False,
            "workforce.bh_turnover_annual": 0.9,
            "workforce.physician_turnover_annual": 0.5,
            "workforce.shortage_severity": "severe",
            "staffing.n_pcps": 2,
            "staffing.care_manager_fte": 1.5,
            "population.n_patients": 1200,
            "simulation.months": 18,
        },
    )
    model, df = run_model(sc, seed=2)
    for r in ("pcp", "cm", "bhc", "psych"):
        assert (df[f"departures_{r}"] == 0).all()
        assert (df[f"vacancies_{r}"] == 0).all()
        assert (df[f"hires_{r}"] == 0).all()
    assert (df["programme_hires"] == 0).all()
    assert (df["effective_fte_pcp"] == 2.0).all()
    assert (df["effective_fte_cm"] == 1.5).all()  # full productivity from month 1: no ramp-up
    assert (df["effective_fte_bhc"] == 1.0).all()
    np.testing.assert_allclose(df["effective_fte_psych"], 2.0 / 40.0)
    assert (df["paid_fte_cm"] == 1.5).all()
    assert (df["paid_fte_bhc"] == 1.0).all()
    assert all(p.state == "filled" for p in model.workforce.positions)
    # every programme position was filled before month 1 and recruited there
    assert model.workforce.startup_hires == planned_positions(sc.values) == 4
    assert model.startup_cost() == pytest.approx(startup_cost(sc.values))


# =========================================================================== 3. caseload


def spy_reassignment(model: ClinicModel) -> dict[str, Any]:
    """Record the state around each caseload reassignment (filled in when it happens)."""
    wf, pop = model.workforce, model.pop
    seen: dict[str, Any] = {}
    original = wf._reassign_caseload

    def spy(cm: Provider, month: int) -> None:
        mine = pop.where((pop.treatment == Tx.COCM) & (pop.care_manager == cm.index))
        seen.update(mine=mine, before=model.cocm_caseloads().copy(), gone0=wf.dropouts_this_month)
        seen["priority"] = model.priority(month, mine)
        original(cm, month)
        seen.update(
            after=model.cocm_caseloads().copy(),
            caps=[c.caseload_cap for c in model.care_managers],
            capacity=[c.capacity_share for c in model.care_managers],
            cm=pop.care_manager[mine].copy(),
            treatment=pop.treatment[mine].copy(),
            waitlist=pop.waitlist_since[mine].copy(),
            program_start=pop.program_start[mine].copy(),
            events=dict(wf.month_events),
            gone=wf.dropouts_this_month - seen["gone0"],
        )

    wf._reassign_caseload = spy  # type: ignore[method-assign]
    return seen


CASELOAD: dict[str, Any] = {
    **QUIET,
    "population.n_patients": 1500,
    "staffing.care_manager_fte": 3.0,
    "cocm.caseload_per_fte": 15,
    "simulation.months": 12,
}


def test_departing_care_manager_caseload_is_reassigned_within_caps():
    model = ClinicModel(scenario("cocm", CASELOAD).values, seed=1)
    leaver = model.care_managers[0]
    m = 9
    force_departure(model, leaver, m)
    seen = spy_reassignment(model)
    model.run(m)
    assert seen, "the departure did not trigger a reassignment"
    mine = seen["mine"]
    moved = seen["events"]["cm_reassigned"]
    back = seen["events"]["cm_returned_to_waitlist"]
    gone = seen["gone"]
    # the leaver's whole caseload is handled, and the scenario exercises all three outcomes
    assert len(mine) == seen["before"][leaver.index] >= 10
    assert moved > 0
    assert back > 0
    assert moved + back + gone == len(mine)
    assert seen["capacity"][0] == 0.0
    assert seen["after"][leaver.index] == 0  # the leaver has no patients left
    others = [k for k in range(len(model.care_managers)) if k != leaver.index]
    for k in others:
        assert seen["before"][k] <= seen["caps"][k]
        assert seen["after"][k] <= seen["caps"][k]  # reassignment stays within the caps
    assert (seen["after"] - seen["before"])[others].sum() == moved
    # the highest-priority patients are the ones reassigned
    first = order_by_priority(mine, seen["priority"])[:moved]
    kept = mine[seen["cm"] >= 0]
    np.testing.assert_array_equal(np.sort(first), kept)
    assert set(seen["cm"][seen["cm"] >= 0]) <= set(others)
    assert (seen["treatment"][seen["cm"] >= 0] == Tx.COCM).all()
    # the rest left CoCM: back on the waitlist (at their enrolment month) or disengaged
    rest = seen["cm"] < 0
    assert (seen["treatment"][rest] == Tx.NONE).all()
    on_list = rest & (seen["waitlist"] >= 0)
    assert on_list.sum() == back
    np.testing.assert_array_equal(
        seen["waitlist"][on_list], np.maximum(seen["program_start"][on_list], 0)
    )
    assert (seen["waitlist"][rest & ~on_list] == -1).sum() == gone
    # and the month's row reports them
    r = model.rows[m - 1]
    assert r["cm_reassigned"] == moved
    assert r["cm_returned_to_waitlist"] == back
    assert r["departures_cm"] == 1
    assert r["dropouts"] >= gone
    assert all(model.rows[k - 1]["cm_reassigned"] == 0 for k in range(1, m))


@pytest.mark.parametrize("disengagement", [0.0, 1.0])
def test_unplaced_patients_disengage_with_the_departure_probability(disengagement):
    sc = scenario("cocm", {**CASELOAD, "workforce.cm_departure_disengagement": disengagement})
    model = ClinicModel(sc.values, seed=1)
    force_departure(model, model.care_managers[0], 9)
    seen = spy_reassignment(model)
    model.run(9)
    unplaced = len(seen["mine"]) - seen["events"]["cm_reassigned"]
    assert unplaced > 0
    if disengagement == 0.0:
        assert (seen["gone"], seen["events"]["cm_returned_to_waitlist"]) == (0, unplaced)
    else:
        assert (seen["gone"], seen["events"]["cm_returned_to_waitlist"]) == (unplaced, 0)


def test_no_reassignment_when_tele_cover_starts_at_once():
    """With a vendor that starts the same month, the caseload stays with the tele-covered post."""
    sc = scenario(
        "cocm",
        {**CASELOAD, "workforce.tele_cm_backfill": True, "workforce.vendor_contract_months": 0},
    )
    model = ClinicModel(sc.values, seed=1)
    leaver = model.care_managers[0]
    force_departure(model, leaver, 9)
    seen = spy_reassignment(model)
    model.run(9)
    assert not seen
    r = model.rows[8]
    assert (r["departures_cm"], r["cm_reassigned"], r["cm_returned_to_waitlist"]) == (1, 0, 0)
    assert r["tele_fte_cm"] == 1.0
    assert leaver.backfilled
    assert leaver.capacity_share == sc.values.workforce.tele_cm_productivity
    assert model.cocm_caseloads()[leaver.index] > 0


# =========================================================================== 4. burnout


def _run_with_loads(sc: Scenario, seed: int) -> tuple[pd.DataFrame, list[tuple]]:
    """Run, logging (month, position, state, load, burnout before, burnout after) each month."""
    model = ClinicModel(sc.values, seed=seed)
    wf = model.workforce
    original = wf.end_month
    log: list[tuple] = []

    def spy() -> None:
        before = [(p, p.state, p.load, p.burnout) for p in wf.positions]
        original()
        log.extend((model.month, p, s, load, b, p.burnout) for p, s, load, b in before)

    wf.end_month = spy  # type: ignore[method-assign]
    model.run()
    return pd.DataFrame(model.rows), log


OVERLOADED = {
    **QUIET,
    "population.n_patients": 3000,
    "staffing.care_manager_fte": 0.5,
    "cocm.caseload_per_fte": 300,
    "cocm.panel_fill_target": 2.0,  # the care manager takes patients beyond its minutes
    "cocm.max_waitlist_per_fte": 0,
    "simulation.months": 18,
}


def test_burnout_rises_when_care_managers_are_overloaded():
    sc = scenario("cocm", OVERLOADED)
    df, log = _run_with_loads(sc, seed=4)
    w = sc.values.workforce
    cms = [e for e in log if e[1].role == "care_manager" and e[2] == "filled"]
    above = [e for e in cms if e[3] is not None and e[3] > w.burnout_threshold]
    assert len(above) >= 6
    for _, _, _, load, b, after in cms:
        assert after == burnout_next(b, load, sc.values)
        if load is not None and load > w.burnout_threshold:
            assert after == pytest.approx(
                min(1.0, b + w.burnout_rise * (load - w.burnout_threshold))
            )
        elif load is not None:
            assert after == pytest.approx(max(0.0, b - w.burnout_recovery))
        else:
            assert after == b
    assert cms[0][4] == 0.0  # every care manager starts without burnout
    assert df["burnout_cm"].max() > 0.5
    assert df["mean_burnout"].max() > 0.0
    # burnout only ever rose in a month whose load was above the threshold
    for _, _, _, load, b, after in cms:
        if after > b:
            assert load > w.burnout_threshold


def test_burnout_stays_zero_when_underloaded_or_threshold_is_high():
    under = scenario(
        "cocm",
        {**OVERLOADED, "staffing.care_manager_fte": 2.0, "cocm.caseload_per_fte": 20},
    )
    df, log = _run_with_loads(under, seed=4)
    loads = [e[3] for e in log if e[1].role == "care_manager" and e[3] is not None]
    assert loads
    assert max(loads) <= 1.0
    assert (df["burnout_cm"] == 0.0).all()

    high = scenario("cocm", {**OVERLOADED, "workforce.burnout_threshold": 5.0})
    df_high, log_high = _run_with_loads(high, seed=4)
    loads = [e[3] for e in log_high if e[1].role == "care_manager" and e[3] is not None]
    assert max(loads) > 1.0  # overloaded (default threshold 1.0), but below the high threshold
    assert max(loads) <= 5.0
    assert (df_high["burnout_cm"] == 0.0).all()
    assert (df_high["mean_burnout"] == 0.0).all()
    # the same overload at the default threshold does burn out
    assert simulate(scenario("cocm", OVERLOADED), seed=4).monthly["burnout_cm"].max() > 0.5


# =========================================================================== 5. turnover


def test_turnover_hazard_scales_with_burnout_and_hazard_ratio():
    hazard = annual_to_monthly_probability(0.3)
    months = range(2, 240)
    departs: dict[tuple[float, float], set[int]] = {}
    u = None
    for hr in (1.0, 1.94, 5.0, 20.0):
        sc = scenario("cocm", {"workforce.burnout_turnover_hr": hr})
        model = ClinicModel(sc.values, seed=6)
        cm = model.care_managers[0]
        assert cm.state == "filled"
        cm.hired_month = 0
        u = [model.streams.uniform_one("staff_turnover", m, cm.position_id) for m in months]
        for b in (0.0, 0.5, 1.0):
            cm.burnout = b
            got = {m for m in months if model.workforce._departs(cm, m)}
            expected = {
                m for m, x in zip(months, u, strict=True) if x < hazard * (1 + (hr - 1) * b)
            }
            assert got == expected
            departs[hr, b] = got
    for b in (0.0, 0.5, 1.0):
        assert departs[1.0, b] <= departs[1.94, b] <= departs[5.0, b] <= departs[20.0, b]
    for hr in (1.94, 5.0, 20.0):
        assert departs[hr, 0.0] == departs[1.0, 0.0]  # no burnout: the hazard ratio is moot
    assert len(departs[20.0, 1.0]) > 3 * len(departs[1.0, 1.0])
    assert len(departs[1.0, 0.0]) > 0


def test_positions_that_cannot_leave():
    sc = scenario(
        "hybrid",
        {
            "workforce.bh_turnover_annual": 1.0,
            "workforce.trainee_fte": 0.5,
            "costs.psychiatry_model": "vendor",
        },
    )
    model = ClinicModel(sc.values, seed=6)
    wf = model.workforce
    trainee = next(b for b in model.bhcs if b.is_trainee)
    psych = model.psychiatrists[0]
    cm = model.care_managers[0]
    cm.burnout = 1.0
    for m in range(1, 60):
        assert not wf._departs(trainee, m)
        assert not wf._departs(psych, m)  # a vendor contract does not turn over
    cm.hired_month = 5
    assert not wf._departs(cm, 5)  # not in the month of hire
    cm.state = "vacant"
    assert not any(wf._departs(cm, m) for m in range(6, 60))


def test_more_burnout_turnover_never_fewer_departures_when_overloaded():
    over = {**OVERLOADED, "workforce.bh_turnover_annual": 0.3, "simulation.months": 24}
    totals = []
    firsts = []
    for hr in (1.0, 4.0, 20.0):
        total = 0
        first = []
        for seed in (1, 2, 3, 4):
            df = simulate(
                scenario("cocm", {**over, "workforce.burnout_turnover_hr": hr}), seed=seed
            )
            dep = df.monthly["departures_cm"].to_numpy()
            total += int(dep.sum())
            first.append(int(np.argmax(dep > 0)) + 1 if dep.any() else 99)
        totals.append(total)
        firsts.append(first)
    assert totals[0] <= totals[1] <= totals[2]
    assert totals[2] > totals[0]
    # until the first departure runs are identical, so a higher hazard ratio leaves no later
    for low, high in itertools.pairwise(firsts):
        assert all(h <= lo for lo, h in zip(low, high, strict=True))


# =========================================================================== 6. phase gates

GATED: dict[str, Any] = {
    **QUIET,
    "population.n_patients": 1000,
    "staffing.n_pcps": 2,
    "staffing.care_manager_fte": 2.0,
    "cocm.caseload_per_fte": 20,
    "workforce.shortage_severity": "none",
    "workforce.ramp_start_productivity": 1.0,
    "rollout.caseload_ramp_start": 1.0,
    "rollout.strategy": "phased",
    "rollout.n_phases": 2,
    "rollout.phase_interval_months": 3,
    "rollout.hiring_lead_months": 2,
    "rollout.gate": "caseload",
    "rollout.gate_months": 3,
}


@pytest.mark.parametrize("strategy", ["phased", "pilot_then_scale"])
def test_unreachable_caseload_gate_holds_later_phases(strategy):
    sc = scenario(
        "cocm",
        {
            **GATED,
            "rollout.strategy": strategy,
            "rollout.pilot_pcps": 1,
            "rollout.pilot_months": 3,
            "cocm.caseload_per_fte": 1000,
            "rollout.gate_caseload_share": 1.0,
        },
    )
    model, df = run_model(sc, seed=1)
    wf, pop = model.workforce, model.pop
    assert (df["phases_live"] == 1).all()
    assert (df["phase_launches"] == 0).all()
    assert (df["phase_launch_pcp_share"] == 0).all()
    later = wf.phases[1]
    assert later.go_live is None
    assert later.recruit_month is None
    assert wf.pcp_live.tolist() == [True, False]
    # the held phase's care manager was never recruited nor paid
    held = [cm for cm in model.care_managers if cm.phase == 2]
    assert held
    assert all(cm.state == "planned" for cm in held)
    assert (df["paid_fte_cm"] <= 1.0).all()
    assert (df["vacancies_cm"] == 0).all()
    # the held PCP's patients are never screened, queued or enrolled
    n = pop.n_used
    theirs = pop.pcp[:n] == 1
    assert theirs.sum() > 300
    assert (pop.screen_score[:n][theirs] == -1).all()
    assert not model.served_cocm[:n][theirs].any()
    assert (pop.program_start[:n][theirs] == -1).all()
    # ... while the live phase's are
    assert model.served_cocm[:n][~theirs].sum() > 10


def _expected_gate_opening(df: pd.DataFrame, share: float, per_fte: int, months: int) -> int:
    """First month whose check finds `months` consecutive months meeting the caseload gate."""
    run = 0
    for month in range(2, len(df) + 1):
        prev = row(df, month - 1)
        caps = per_fte * prev["effective_fte_cm"]
        ok = caps > 0 and prev["active_cocm"] / caps >= share
        run = run + 1 if ok else 0
        if run >= months:
            return month
    raise AssertionError("the gate never opened")


@pytest.mark.parametrize("seed", [1, 3])
def test_reachable_caseload_gate_opens_after_consecutive_months(seed):
    sc = scenario("cocm", {**GATED, "rollout.gate_caseload_share": 0.85})
    r = sc.values.rollout
    model, df = run_model(sc, seed=seed)
    wf = model.workforce
    # before phase 2 opens, the only care manager is phase 1's, at full productivity
    opened = _expected_gate_opening(df, 0.85, 20, r.gate_months)
    assert opened > r.gate_months  # the gate really held for a while
    later = wf.phases[1]
    assert later.recruit_month == max(opened, later.scheduled_go_live - r.hiring_lead_months)
    assert later.go_live == later.recruit_month + r.hiring_lead_months
    assert later.go_live > later.scheduled_go_live
    live = df["phases_live"].tolist()
    assert live == [1 + int(k >= later.go_live) for k in range(1, len(df) + 1)]
    launches = df["phase_launches"].tolist()
    assert launches == [int(k == later.recruit_month) for k in range(1, len(df) + 1)]
    assert row(df, later.recruit_month)["phase_launch_pcp_share"] == pytest.approx(0.5)
    # phase 2's care manager is recruited from the recruit month, not before
    assert (df.loc[df["month"] < later.recruit_month, "paid_fte_cm"] <= 1.0).all()
    assert (df.loc[df["month"] < later.recruit_month, "vacancies_cm"] == 0).all()
    assert wf.pcp_live.tolist() == [True, True]


def test_gate_schedule_is_a_floor_for_an_early_gate():
    """A gate met early cannot bring a phase forward of its scheduled go-live."""
    sc = scenario(
        "cocm",
        {
            **GATED,
            "rollout.gate_caseload_share": 0.05,
            "rollout.gate_months": 1,
            "rollout.phase_interval_months": 10,
            "rollout.hiring_lead_months": 2,
        },
    )
    model, df = run_model(sc, seed=1)
    later = model.workforce.phases[1]
    assert later.scheduled_go_live == 11
    assert (later.recruit_month, later.go_live) == (9, 11)
    assert df["phases_live"].tolist() == [1 + int(k >= 11) for k in range(1, 25)]


def test_net_positive_gate_holds_while_operating_net_is_negative():
    sc = scenario("cocm", {**GATED, "rollout.gate": "net_positive"})
    model, df = run_model(sc, seed=1)
    nets = [model.operating_net(r, k) for k, r in enumerate(model.rows, start=1)]
    assert max(nets) < 0
    assert (df["phases_live"] == 1).all()
    assert model.workforce.phases[1].go_live is None


def test_net_positive_gate_opens_once_net_is_positive_long_enough():
    pmpm = {f"contracts.{p}.pmpm_usd": 30.0 for p in PAYERS}
    sc = scenario("cocm", {**GATED, "rollout.gate": "net_positive", **pmpm})
    r = sc.values.rollout
    model, _ = run_model(sc, seed=1)
    nets = [model.operating_net(row_, k) for k, row_ in enumerate(model.rows, start=1)]
    run, opened = 0, None
    for month in range(2, len(nets) + 1):
        run = run + 1 if nets[month - 2] >= 0 else 0
        if run >= r.gate_months:
            opened = month
            break
    assert opened is not None
    later = model.workforce.phases[1]
    assert later.recruit_month == max(opened, later.scheduled_go_live - r.hiring_lead_months)
    assert later.go_live == later.recruit_month + r.hiring_lead_months


# =========================================================================== 7. usual care first


@pytest.mark.parametrize("care_model", ["cocm", "pcbh", "hybrid"])
def test_pcps_practise_usual_care_before_their_phase_goes_live(care_model):
    sc = scenario(
        care_model,
        {
            **QUIET,
            "population.n_patients": 1200,
            "staffing.n_pcps": 2,
            "staffing.care_manager_fte": 2.0,
            "rollout.strategy": "phased",
            "rollout.n_phases": 2,
            "rollout.phase_interval_months": 6,
            "simulation.months": 14,
        },
    )
    model = ClinicModel(sc.values, seed=1)
    wf, pop = model.workforce, model.pop
    assert [ph.go_live for ph in wf.phases] == [1, 7]
    routed: dict[str, list[np.ndarray]] = {"care": [], "usual": []}

    def spy(name: str, original: Callable) -> Callable:
        def at_visits(month: int, visitors: np.ndarray, c: Any) -> None:
            routed[name].append(pop.pcp[visitors].copy())
            original(month, visitors, c)

        return at_visits

    model.care.at_visits = spy("care", model.care.at_visits)  # type: ignore[method-assign]
    model.usual_care.at_visits = spy("usual", model.usual_care.at_visits)  # type: ignore[method-assign]
    new_served_by_month = []
    psych_checked: set[float] = set()
    for month in range(1, 15):
        served_before = model.served.copy()
        model.step()
        assert wf.pcp_live.tolist() == [True, month >= 7]
        new = np.flatnonzero(model.served & ~served_before)
        # nobody from a PCP whose phase is not live starts CoCM or PCBH services
        assert wf.pcp_live[pop.pcp[new]].all()
        new_served_by_month.append(np.bincount(pop.pcp[new], minlength=2))
        care = routed["care"][-1]
        if month < 7:
            assert (care == 0).all()  # only the live team's visitors reach the care model
            assert len(routed["usual"]) == month
            assert (routed["usual"][-1] == 1).all()
            assert len(routed["usual"][-1]) > 0
        else:
            assert set(care.tolist()) == {0, 1}
        if care_model != "pcbh" and model.psychiatrists[0].state == "filled":
            # the consultant's hours grow with the share of PCPs live
            share = 0.5 if month < 7 else 1.0
            assert model.rows[-1]["psych_hours_paid"] == pytest.approx(2.0 * share)
            psych_checked.add(share)
    assert len(routed["usual"]) == 6  # from go-live on, nobody is routed to usual care
    assert psych_checked == (set() if care_model == "pcbh" else {0.5, 1.0})
    served = np.array(new_served_by_month)
    assert served[:6, 1].sum() == 0
    assert served[6:, 1].sum() > 0  # the second team's patients are served after its go-live
    assert served[:6, 0].sum() > 0


# =========================================================================== 8. docking

STRESSED: dict[str, Any] = {
    "population.n_patients": 500,
    "staffing.n_pcps": 2,
    "staffing.pcp_visits_per_day": 20,
    "staffing.care_manager_fte": 1.5,
    "staffing.bhc_fte": 1.0,
    "staffing.psychiatric_consultant_hours_per_week": 2.0,
    "simulation.months": 24,
    "cocm.caseload_per_fte": 30,
    "workforce.bh_turnover_annual": 0.9,
    "workforce.physician_turnover_annual": 0.3,
    "workforce.shortage_severity": "severe",
    "workforce.tele_cm_backfill": True,
    "workforce.telepsychiatry_backfill": True,
    "workforce.lpc_mft_hiring": True,
    "workforce.trainee_fte": 0.5,
    "rollout.strategy": "phased",
    "rollout.n_phases": 2,
    "rollout.phase_interval_months": 3,
    "rollout.hiring_lead_months": 2,
    "rollout.gate": "caseload",
    "rollout.gate_caseload_share": 0.3,
    "rollout.gate_months": 2,
}


@pytest.mark.parametrize("care_model", ["cocm", "pcbh", "hybrid"])
def test_engines_dock_with_stressed_workforce(care_model):
    sc = default_scenario().with_overrides({**STRESSED, "care_model": care_model})
    arrays = simulate(sc, seed=7, engine="arrays")
    agents = simulate(sc, seed=7, engine="agents")
    pd.testing.assert_frame_equal(arrays.monthly, agents.monthly, check_exact=True)
    assert arrays.summary == agents.summary
    m = arrays.monthly
    # the workforce machinery really ran
    assert m[[f"departures_{r}" for r in ("cm", "bhc", "psych")]].to_numpy().sum() > 0
    assert m["programme_hires"].sum() > 0
    assert m["trainee_fte"].max() > 0
    assert m["phases_live"].max() == 2
    assert m["phases_live"].iloc[0] == 1
    if care_model != "pcbh":
        assert m["tele_fte_cm"].max() > 0
        assert (m["cm_reassigned"] + m["cm_returned_to_waitlist"]).sum() > 0
    if care_model != "cocm":
        assert m["paid_fte_bhc_lpc"].max() > 0


# =========================================================================== 9. money


def _loaded(values: Any) -> float:
    c = values.costs
    return (1 + c.benefit_load) * (1 + c.overhead_rate) / 12.0


def test_salary_and_recruitment_costs_follow_positions():
    sc = scenario(
        "hybrid",
        {
            "workforce.bh_turnover_annual": 0.8,
            "staffing.care_manager_fte": 2.0,
            "staffing.bhc_fte": 1.5,
            "simulation.months": 36,
        },
    )
    res = simulate(sc, seed=2)
    m, c = res.monthly, sc.values.costs
    assert m["paid_fte_cm"].nunique() > 1  # vacancies change the paid FTE
    assert m["programme_hires"].sum() > 0
    np.testing.assert_allclose(
        m["cost_care_managers"], m["paid_fte_cm"] * c.care_manager_salary * _loaded(sc.values)
    )
    np.testing.assert_allclose(
        m["cost_bhcs"],
        (m["paid_fte_bhc"] * c.bhc_salary + m["paid_fte_bhc_lpc"] * c.lpc_salary)
        * _loaded(sc.values),
    )
    np.testing.assert_allclose(m["cost_recruitment"], m["programme_hires"] * c.recruitment_per_hire)
    assert (m["programme_hires"] == m["hires_cm"] + m["hires_bhc"] + m["hires_psych"]).all()
    np.testing.assert_allclose(
        m["cost_space"], (m["paid_fte_cm"] + m["paid_fte_bhc"]) * c.space_per_fte_month
    )
    assert (m["tele_fte_cm"] == 0).all()
    assert (m["cost_substitution"] == 0).all()
    np.testing.assert_allclose(
        m["cost_psychiatry"], m["psych_hours_paid"] * c.psychiatrist_hourly * 52 / 12
    )


def test_tele_backfill_costs_only_in_covered_months():
    over = {
        "workforce.bh_turnover_annual": 0.9,
        "workforce.shortage_severity": "severe",
        "staffing.care_manager_fte": 2.0,
        "simulation.months": 30,
    }
    sc = scenario("cocm", {**over, "workforce.tele_cm_backfill": True})
    res = simulate(sc, seed=3)
    m, c, w = res.monthly, sc.values.costs, sc.values.workforce
    tele = m["tele_fte_cm"] > 0
    assert tele.any()
    assert (~tele).any()
    assert ((m["cost_substitution"] > 0) == tele).all()
    np.testing.assert_allclose(
        m["cost_substitution"],
        m["tele_fte_cm"] * c.care_manager_salary * _loaded(sc.values) * w.tele_cm_cost_ratio,
    )
    # a tele-covered position is vacant: no salary for it, but capacity at tele productivity
    assert (m.loc[tele, "vacancies_cm"] > 0).all()
    assert (m.loc[tele, "paid_fte_cm"] + m.loc[tele, "tele_fte_cm"] <= 2.0).all()
    assert (m.loc[tele, "tele_fte_cm"] <= m.loc[tele, "vacancies_cm"]).all()
    assert (
        m.loc[tele, "effective_fte_cm"] >= w.tele_cm_productivity * m.loc[tele, "tele_fte_cm"]
    ).all()
    # coverage starts vendor_contract_months after a departure, never in the departure month
    first_departure = int(np.argmax(m["departures_cm"].to_numpy() > 0)) + 1
    assert not tele.iloc[first_departure - 1]
    assert tele.iloc[first_departure - 1 + w.vendor_contract_months]
    # without backfill, the same seed and positions: no substitution at all
    plain = simulate(scenario("cocm", over), seed=3).monthly
    assert (plain["tele_fte_cm"] == 0).all()
    assert (plain["cost_substitution"] == 0).all()
    assert plain["departures_cm"].iloc[first_departure - 1] > 0


def test_telepsychiatry_backfill_pays_vendor_hours_while_vacant():
    sc = scenario(
        "cocm",
        {**QUIET, "workforce.telepsychiatry_backfill": True, "simulation.months": 30},
    )
    model = ClinicModel(sc.values, seed=4)
    psych = model.psychiatrists[0]
    force_departure(model, psych, 5)
    model.run(30)
    m = pd.DataFrame(model.rows)
    fill = psych.hired_month
    assert fill > 6
    covered = (m["month"] >= 6) & (m["month"] < fill)
    assert (m.loc[covered, "tele_psych_hours"] == 2.0).all()
    assert (m.loc[covered, "psych_hours_paid"] == 0.0).all()
    np.testing.assert_allclose(m.loc[covered, "effective_fte_psych"], 2.0 / 40)
    assert row(m, 5)["effective_fte_psych"] == 0.0  # the vendor needs a month to start
    assert (m.loc[~covered, "tele_psych_hours"] == 0.0).all()


def test_trainees_cost_stipends_and_take_supervision_time():
    over = {**QUIET, "workforce.trainee_fte": 1.0, "simulation.months": 14}
    sc = scenario("pcbh", over)
    res = simulate(sc, seed=2)
    m, c, w = res.monthly, sc.values.costs, sc.values.workforce
    assert (m["trainee_fte"] == 1.0).all()
    np.testing.assert_allclose(m["cost_trainees"], m["trainee_fte"] * c.trainee_stipend / 12.0)
    assert (m["paid_fte_bhc"] == 1.0).all()  # trainees are not salaried staff
    assert (m["vacancies_bhc"] == 0).all()
    np.testing.assert_allclose(m["cost_space"], 2.0 * c.space_per_fte_month)
    # trainee capacity: productivity x the rotation ramp (a new cohort ramps up at each rotation)
    rot = w.trainee_rotation_months
    expected_trainee = [
        w.trainee_productivity * ramp_share((k - 1) % rot, w.ramp_start_productivity, w.ramp_months)
        for k in range(1, 15)
    ]
    staff_share = m["effective_fte_bhc"].to_numpy() - np.array(expected_trainee)
    assert staff_share[4:12] == pytest.approx(1.0)
    assert row(m, 13)["effective_fte_bhc"] == pytest.approx(1.0 + 0.6 * 0.5)
    # supervision comes out of the licensed BHC's slots
    model = ClinicModel(sc.values, seed=2)
    model.run(6)
    staff = next(b for b in model.bhcs if not b.is_trainee)
    minutes = 1.0 * w.trainee_supervision_hours_per_week * 52 / 12 * 60
    assert staff.supervision_minutes == pytest.approx(minutes)
    p, s = sc.values.pcbh, sc.values.staffing
    full = p.visits_per_day * s.working_days_per_month
    assert staff.visit_slots == int(full - minutes / p.visit_minutes)
    # no trainees: no stipends
    plain = simulate(scenario("pcbh", {**QUIET, "simulation.months": 6}), seed=2).monthly
    assert (plain["cost_trainees"] == 0).all()


def test_lpc_mft_hires_are_paid_the_lpc_salary():
    sc = scenario("pcbh", {**QUIET, "workforce.lpc_mft_hiring": True, "simulation.months": 6})
    model, m = run_model(sc, seed=1)
    assert (m["paid_fte_bhc_lpc"] == 1.0).all()
    assert (m["paid_fte_bhc"] == 0.0).all()
    assert all(b.lpc for b in model.bhcs)
    res = simulate(sc, seed=1).monthly
    np.testing.assert_allclose(
        res["cost_bhcs"], sc.values.costs.lpc_salary * _loaded(sc.values) * np.ones(6)
    )


def test_grant_attached_to_phase_two_starts_at_its_go_live():
    over = {
        **QUIET,
        "population.n_patients": 1000,
        "staffing.n_pcps": 2,
        "staffing.care_manager_fte": 2.0,
        "rollout.strategy": "phased",
        "rollout.n_phases": 2,
        "rollout.phase_interval_months": 6,
        "grants.annual_amount": 120_000.0,
        "grants.phase": 2,
        "grants.duration_months": 12,
        "grants.phase_out_months": 0,
        "simulation.months": 24,
    }
    res = simulate(scenario("cocm", over), seed=1)
    m = res.monthly
    go_live = int(np.argmax(m["phases_live"].to_numpy() >= 2)) + 1
    assert go_live == 7
    assert (m.loc[m["month"] < go_live, "revenue_grant"] == 0).all()
    assert row(m, go_live)["revenue_grant"] > 0
    assert (m.loc[m["month"] >= go_live + 12, "revenue_grant"] == 0).all()
    assert (m["revenue_grant"] <= 120_000.0 / 12 + 1e-6).all()
    # the same grant on a gate that never opens is never paid
    held = {
        **over,
        "rollout.gate": "caseload",
        "rollout.gate_caseload_share": 1.0,
        "cocm.caseload_per_fte": 1000,
    }
    m_held = simulate(scenario("cocm", held), seed=1).monthly
    assert (m_held["phases_live"] == 1).all()
    assert (m_held["revenue_grant"] == 0).all()
    # a gated phase 2: the grant waits for the gate
    gated = {**over, "rollout.gate": "caseload", "rollout.gate_caseload_share": 0.2}
    m_gated = simulate(scenario("cocm", gated), seed=1).monthly
    gl = int(np.argmax(m_gated["phases_live"].to_numpy() >= 2)) + 1
    assert m_gated["phases_live"].max() == 2
    assert gl >= 7
    assert (m_gated.loc[m_gated["month"] < gl, "revenue_grant"] == 0).all()
    assert row(m_gated, gl)["revenue_grant"] > 0


def test_cmhc_partner_pays_its_salary_share_within_the_window():
    over = {"partners.cmhc_salary_share": 0.4, "partners.cmhc_months": 10, "simulation.months": 16}
    res = simulate(scenario("hybrid", over), seed=1)
    m = res.monthly
    staff = m["cost_care_managers"] + m["cost_bhcs"]
    inside = m["month"] <= 10
    assert staff[inside].min() > 0
    np.testing.assert_allclose(m.loc[inside, "revenue_partner"], 0.4 * staff[inside])
    assert (m.loc[~inside, "revenue_partner"] == 0).all()
    none = simulate(scenario("hybrid", {"simulation.months": 16}), seed=1).monthly
    assert (none["revenue_partner"] == 0).all()


def test_phase_launch_cost_is_paid_when_recruitment_opens():
    over = {
        **QUIET,
        "staffing.n_pcps": 2,
        "rollout.strategy": "phased",
        "rollout.n_phases": 2,
        "rollout.phase_interval_months": 8,
        "rollout.hiring_lead_months": 3,
        "simulation.months": 12,
    }
    sc = scenario("cocm", over)
    res = simulate(sc, seed=1)
    m, r, c = res.monthly, sc.values.rollout, sc.values.costs
    recruit = 1 + 8 - 3
    assert m["phase_launches"].tolist() == [int(k == recruit) for k in range(1, 13)]
    expected = np.where(m["month"] == recruit, r.phase_launch_cost + 0.5 * c.startup_training, 0)
    np.testing.assert_allclose(m["cost_phase_launch"], expected)
    # phase 1 opened before month 1: half the training in the startup cost, no launch cost
    assert res.summary["startup_cost"] == pytest.approx(
        c.startup_leadership
        + c.startup_it
        + 0.5 * c.startup_training
        + c.recruitment_per_hire * ClinicModel(sc.values, seed=1).workforce.startup_hires
    )


# =========================================================================== 10. reproducibility


def test_same_seed_same_monthly_with_workforce_dynamics():
    sc = default_scenario().with_overrides({**STRESSED, "care_model": "hybrid"})
    a = simulate(sc, seed=12)
    b = simulate(sc, seed=12)
    pd.testing.assert_frame_equal(a.monthly, b.monthly, check_exact=True)
    c = simulate(sc, seed=13)
    assert not a.monthly[list(WORKFORCE_COLUMNS)].equals(c.monthly[list(WORKFORCE_COLUMNS)])


def test_position_draws_are_common_random_numbers_across_care_models():
    """With burnout switched off, who leaves and when depends only on the position's draws."""
    over = {
        "population.n_patients": 1200,
        "staffing.n_pcps": 3,
        "staffing.care_manager_fte": 2.0,
        "staffing.bhc_fte": 2.0,
        "workforce.bh_turnover_annual": 0.6,
        "workforce.physician_turnover_annual": 0.5,
        "workforce.burnout_threshold": 5.0,
        "simulation.months": 36,
    }
    runs = {cm: simulate(scenario(cm, over), seed=22).monthly for cm in ("cocm", "pcbh", "hybrid")}
    usual = simulate(scenario("usual_care", over), seed=22).monthly
    pcp_cols = ["departures_pcp", "vacancies_pcp", "hires_pcp", "effective_fte_pcp"]
    assert runs["cocm"]["departures_pcp"].sum() > 0
    for m in (runs["pcbh"], runs["hybrid"], usual):
        pd.testing.assert_frame_equal(runs["cocm"][pcp_cols], m[pcp_cols], check_exact=True)
    cm_cols = ["departures_cm", "vacancies_cm", "hires_cm", "paid_fte_cm", "departures_psych"]
    assert runs["cocm"]["departures_cm"].sum() > 0
    pd.testing.assert_frame_equal(runs["cocm"][cm_cols], runs["hybrid"][cm_cols], check_exact=True)
    bhc_cols = ["departures_bhc", "vacancies_bhc", "hires_bhc", "paid_fte_bhc"]
    assert runs["pcbh"]["departures_bhc"].sum() > 0
    pd.testing.assert_frame_equal(
        runs["pcbh"][bhc_cols], runs["hybrid"][bhc_cols], check_exact=True
    )
    # ... while the care the patients get does differ
    assert not runs["cocm"]["active_cocm"].equals(runs["hybrid"]["active_cocm"])


def test_pcp_burnout_depends_on_the_care_model_through_pcp_load():
    """Why the CRN test switches burnout off: BHCs free PCP time, so PCPs burn out less."""
    over = {
        "population.n_patients": 1500,
        "staffing.n_pcps": 1,
        "staffing.pcp_visits_per_day": 16,
        "workforce.physician_turnover_annual": 0.0,
        "simulation.months": 18,
    }
    usual = simulate(scenario("usual_care", over), seed=3).monthly
    pcbh = simulate(scenario("pcbh", over), seed=3).monthly
    assert usual["burnout_pcp"].iloc[-1] > 0.5
    assert 0.0 < pcbh["burnout_pcp"].iloc[-1] < usual["burnout_pcp"].iloc[-1]
    assert (pcbh["burnout_pcp"] <= usual["burnout_pcp"]).all()


# ============================================================ fixed bugs (regression tests)


def test_prevalent_cohort_respects_rollout_phases():
    sc = scenario(
        "cocm",
        {
            **QUIET,
            "staffing.n_pcps": 2,
            "staffing.care_manager_fte": 2.0,
            "rollout.strategy": "phased",
            "rollout.n_phases": 2,
            "rollout.phase_interval_months": 10,
            "cohort.enabled": True,
            "simulation.months": 3,
        },
    )
    model, _ = run_model(sc, seed=2)
    pop = model.pop
    served = np.flatnonzero(model.served_cocm)
    assert len(served) > 0
    assert (pop.pcp[served] == 0).all()


def test_vendor_psychiatry_is_not_charged_recruitment():
    sc = scenario("cocm", {"costs.psychiatry_model": "vendor", "workforce.enabled": False})
    model = ClinicModel(sc.values, seed=2)
    assert model.startup_cost() == pytest.approx(startup_cost(sc.values))


def test_trainee_placements_are_not_counted_as_hires():
    over = {**QUIET, "workforce.trainee_fte": 1.0, "rollout.first_go_live_month": 10}
    m = simulate(scenario("pcbh", {**over, "simulation.months": 14}), seed=1).monthly
    assert (m["programme_hires"] == m["hires_cm"] + m["hires_bhc"] + m["hires_psych"]).all()


def test_grant_on_a_phase_that_never_goes_live_reports_no_funding_gap():
    over = {
        **QUIET,
        "staffing.n_pcps": 2,
        "staffing.care_manager_fte": 2.0,
        "rollout.strategy": "phased",
        "rollout.n_phases": 2,
        "rollout.gate": "caseload",
        "rollout.gate_caseload_share": 1.0,
        "cocm.caseload_per_fte": 1000,
        "grants.annual_amount": 120_000.0,
        "grants.phase": 2,
        "grants.duration_months": 12,
        "grants.phase_out_months": 0,
        "simulation.months": 30,
    }
    res = simulate(scenario("cocm", over), seed=1)
    assert res.monthly["revenue_grant"].sum() == 0
    assert res.summary["funding_gap_after_grant_per_year"] is None


def test_vacant_bhcs_free_no_pcp_time():
    """The PCP capacity gain follows the BHCs actually working (effective / planned FTE)."""
    # demand well above the PCP's base capacity, so freed time is used
    over = {**QUIET, "productivity.pcp_capacity_gain": 0.2, "staffing.pcp_visits_per_day": 6}
    sc = scenario("pcbh", over)
    model = ClinicModel(sc.values, seed=4)
    bhc = model.bhcs[0]
    model.run(3)
    assert model.rows[-1]["pcp_visits_extra"] > 0
    force_departure(model, bhc, 4)
    model.run(1)
    last = model.rows[-1]
    assert last["effective_fte_bhc"] == 0.0
    assert model.workforce.bhc_coverage == 0.0
    assert last["pcp_visits_extra"] == 0
    assert model.pcps[0].visit_capacity == model.pcps[0].base_visit_capacity


def test_tele_cover_also_serves_initial_vacancies_from_go_live():
    """A position still unfilled at go-live is covered like one vacated by a departure."""
    over = {
        **QUIET,
        "workforce.tele_cm_backfill": True,
        "workforce.vendor_contract_months": 0,
        "workforce.fill_median_licensed_months": 30.0,
        "rollout.hiring_lead_months": 0,
        "rollout.first_go_live_month": 3,
        "simulation.months": 6,
    }
    m = simulate(scenario("cocm", over), seed=1).monthly
    before, after = m[m["month"] < 3], m[m["month"] >= 3]
    assert (before["vacancies_cm"] == 0).all()  # recruitment opens at go-live (no lead)
    assert (after["vacancies_cm"] == 1).all()  # and never fills within the horizon
    assert (before["tele_fte_cm"] == 0).all()
    assert (before["cost_substitution"] == 0).all()
    assert (after["tele_fte_cm"] == 1.0).all()
    assert (after["cost_substitution"] > 0).all()
    assert after["cm_minutes"].sum() > 0


def test_capitation_is_paid_for_the_members_of_live_teams():
    over = {
        **QUIET,
        "staffing.n_pcps": 2,
        "rollout.strategy": "phased",
        "rollout.n_phases": 2,
        "rollout.phase_interval_months": 4,
        "contracts.medicaid.pmpm_usd": 10.0,
        "simulation.months": 8,
    }
    m = simulate(scenario("cocm", over), seed=2).monthly
    assert m["pcp_live_share"].tolist() == [0.5] * 4 + [1.0] * 4
    expected = m["members_medicaid"] * m["pcp_live_share"] * 10.0
    np.testing.assert_allclose(m["revenue_pmpm"], expected)
