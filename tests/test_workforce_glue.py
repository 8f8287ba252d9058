"""The workforce's faster monthly loops give exactly what the former code gave.

:class:`intsim.sim.workforce.Workforce` reads per-run position tables in its capacity, record and
burnout loops, skips ``ramp_share`` once a hire has ramped up, keeps the live BHCs and their
planned FTE per combination of live phases, reads the month's turnover uniforms directly and
returns early from ``step_position`` for a holder who stays; a BHC's :attr:`visit_slots` and a
PCP's :attr:`base_visit_capacity` are recomputed only when their inputs change. Each is compared
here with the former code (kept below as a readable reference) on whole runs of scenarios that
exercise turnover, phases, trainees, LPC hires, tele-coverage and the programme end, and on random
position states with fixed seeds (ties at the burnout threshold, undefined loads, no BHCs).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from intsim.sim.model import ClinicModel
from intsim.sim.providers import BehavioralHealthConsultant, Provider
from intsim.sim.workforce import (
    _COLUMN_TYPES,
    _NO_EVENTS,
    _ROLE_COLUMNS,
    Workforce,
    _burnout_after,
    _round_fte,
)
from intsim.sim.workforce import ramp_share as _ramp_share
from workforce_scenarios import VARIANTS as SHARED_VARIANTS
from workforce_scenarios import scenario

VARIANTS: dict[str, dict[str, Any]] = {
    **SHARED_VARIANTS,
    "no_ramps": {"workforce.ramp_months": 0, "rollout.caseload_ramp_months": 0},
    "cocm_only": {"care_model": "cocm", "workforce.trainee_fte": 0.5},
    "disabled": {"workforce.enabled": False},
}


# ----------------------------------------------------------------- reference (former) code


def reference_productivity(wf: Workforce, p: Provider, month: int) -> float:
    """The former ``_productivity``: ``ramp_share`` called for every filled staff position."""
    if p.state != "filled":
        return 0.0
    if p.is_trainee:
        go = wf.phases[p.phase - 1].go_live or month
        since = (month - go) % wf._trainee_rotation
        return wf._trainee_productivity * _ramp_share(since, wf._ramp_start, wf._ramp_months)
    if not wf.enabled:
        return 1.0
    return _ramp_share(month - p.hired_month, wf._ramp_start, wf._ramp_months)


def reference_caseload_shares(wf: Workforce, live: list[bool], month: int) -> list[float]:
    """The former ``_phase_caseload_shares``: ``ramp_share`` for every live phase."""
    start, months = wf._caseload_ramp_start, wf._caseload_ramp_months
    return [
        _ramp_share(month - ph.go_live, start, months) if on and ph.go_live is not None else 0.0
        for ph, on in zip(wf.phases, live, strict=True)
    ]


def reference_bhc_coverage(wf: Workforce, live: list[bool]) -> float:
    """The former ``_bhc_coverage``: the live BHCs and their planned FTE found every month."""
    bhcs = [b for b in wf.model.bhcs if live[b.phase - 1]]
    planned = sum(b.fte for b in bhcs if not b.is_trainee)
    effective = sum(b.fte * b.capacity_share for b in bhcs)
    return min(effective / planned, 1.0) if planned > 0 else 0.0


def reference_update_capacity(wf: Workforce, month: int) -> None:
    """The former ``_update_capacity`` (reading the reference helpers above)."""
    live = wf._set_live_pcps(month)
    for p in wf.model.pcps:
        p.backfilled = False
        p.supervision_minutes = 0.0
        p.capacity_share = reference_productivity(wf, p, month)
    psych_share = wf.staffed_share
    caseload_shares = reference_caseload_shares(wf, live, month)
    supervision: dict[str, float] = {}
    for p in wf.positions:
        if p.role == "pcp":
            continue
        p.backfilled = False
        p.supervision_minutes = 0.0
        on = live[p.phase - 1]
        share = reference_productivity(wf, p, month)
        covered = p.backfill_from is not None and month >= p.backfill_from
        if p.state != "filled" and covered and on:
            p.backfilled = True
            share = wf._tele_cm_productivity if p.role == "care_manager" else 1.0
        if p.role == "psychiatric_consultant":
            share *= psych_share
        p.capacity_share = share if on else 0.0
        p.caseload_share = caseload_shares[p.phase - 1]
        if p.is_trainee and on and p.state == "filled":
            supervision[p.role] = supervision.get(p.role, 0.0) + wf._supervision_minutes(p)
    wf.bhc_coverage = reference_bhc_coverage(wf, live)
    if supervision:
        wf._share_supervision(supervision)
    wf._set_bhc_billing_share()


def reference_record_role(
    out: dict[str, float], role: str, ps: list[Provider]
) -> tuple[list[Provider], list[float]]:
    """The former ``_record_role``: one role's vacancies, effective FTE and mean burnout."""
    vacancies = 0
    effective = 0.0
    staff: list[Provider] = []
    for p in ps:
        effective += p.fte * p.capacity_share
        if p.is_trainee:
            continue
        if p.state == "filled":
            staff.append(p)
        elif p.state == "vacant":
            vacancies += 1
    vacancy_col, effective_col, burnout_col = _ROLE_COLUMNS[role]
    out[vacancy_col] = vacancies
    out[effective_col] = _round_fte(effective)
    burn = [p.burnout for p in staff]
    out[burnout_col] = sum(burn) / len(burn) if burn else 0.0
    return staff, burn


def reference_record(wf: Workforce, month: int) -> dict[str, float]:
    """The former ``record``."""
    m = wf.model
    out: dict[str, float] = dict(wf.month_events)
    staff: dict[str, list[Provider]] = {}
    burn_all: list[float] = []
    by_role = (
        ("pcp", m.pcps),
        ("cm", m.care_managers),
        ("bhc", m.bhcs),
        ("psych", m.psychiatrists),
    )
    for role, ps in by_role:
        staff[role], burn = reference_record_role(out, role, ps)
        burn_all += burn
    out["mean_burnout"] = sum(burn_all) / len(burn_all) if burn_all else 0.0
    out["paid_fte_cm"] = sum(p.fte for p in staff["cm"])
    out["paid_fte_bhc"] = sum(p.fte for p in staff["bhc"] if not p.lpc)
    out["paid_fte_bhc_lpc"] = sum(p.fte for p in staff["bhc"] if p.lpc)
    out["trainee_fte"] = sum(p.fte for p in wf.positions if p.is_trainee and p.capacity_share > 0)
    # the former ``_record_substitution``
    cms, psychs = wf.model.care_managers, wf.model.psychiatrists
    out["tele_fte_cm"] = sum(p.fte for p in cms if p.backfilled)
    share = wf.staffed_share
    out["psych_hours_paid"] = sum(p.hours_per_week * share for p in psychs if p.state == "filled")
    out["tele_psych_hours"] = sum(p.hours_per_week * share for p in psychs if p.backfilled)
    is_open = wf.is_open(month)
    out["phases_live"] = sum(1 for ph in wf.phases if ph.live(month)) if is_open else 0
    out["pcp_live_share"] = wf.live_pcp_share()
    out["programme_open"] = int(is_open)
    out["programme_wind_down"] = int(wf.wind_down(month))
    return {c: cast(out[c]) for c, cast in _COLUMN_TYPES}


def reference_end_month(wf: Workforce) -> None:
    """The former ``end_month``: ``_burnout_after`` for every filled position with a load."""
    w = wf.values.workforce
    for p in wf.positions:
        if p.state == "filled" and p.load is not None:
            p.burnout = _burnout_after(
                p.burnout, p.load, w.burnout_threshold, w.burnout_rise, w.burnout_recovery
            )
        p.load = None


def reference_step_position(wf: Workforce, p: Provider, month: int) -> None:
    """The former ``step_position``."""
    if p.state == "filled" and wf.enabled and wf._departs(p, month):
        wf._depart(p, month)
        if p.role == "care_manager":
            wf._departed_cms.append(p)
    if p.state == "vacant" and p.fill_month is not None and p.fill_month <= month:
        wf._hire(p, month)
        if not p.is_trainee:
            wf.month_events[f"hires_{p.short_role}"] += 1


def reference_visit_slots(b: BehavioralHealthConsultant) -> int:
    """The former ``visit_slots``, computed afresh."""
    s, p = b.model.values.staffing, b.model.values.pcbh
    full = b.fte * p.visits_per_day * s.working_days_per_month * b.capacity_share
    return max(int(full - b.supervision_minutes / p.visit_minutes), 0)


# ----------------------------------------------------------------- helpers

_STATE = (
    "state",
    "fill_month",
    "vacant_since",
    "hired_month",
    "burnout",
    "load",
    "capacity_share",
    "caseload_share",
    "supervision_minutes",
    "backfill_from",
    "backfilled",
    "lpc",
)


def snapshot(wf: Workforce) -> list[tuple[Any, ...]]:
    """Every position's state, and the workforce's own monthly outputs."""
    rows: list[tuple[Any, ...]] = [tuple(getattr(p, a) for a in _STATE) for p in wf.positions]
    rows.append((wf.bhc_coverage, wf.bhc_billing_share, wf.staffed_share))
    rows.append(tuple(sorted(wf.month_events.items())))
    return rows


# ----------------------------------------------------------------- tests


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_capacity_record_and_burnout_equal_the_former_code_over_a_run(variant: str) -> None:
    sc = scenario(VARIANTS[variant])
    model = ClinicModel(sc.values, seed=4)
    wf = model.workforce
    for month in range(1, sc.values.simulation.months + 1):
        model.step()
        row = model.rows[-1]
        got = {c: row[c] for c, _ in _COLUMN_TYPES}
        expected = reference_record(wf, month)
        assert wf.record(month) == expected
        assert list(wf.record(month)) == list(expected)
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
        assert got == expected
        # the month's capacities, recomputed by the former code from the month's positions
        now = snapshot(wf)
        reference_update_capacity(wf, month)
        assert snapshot(wf) == now


@pytest.mark.parametrize("variant", ["plain", "phased_trainees_lpc", "no_ramps", "disabled"])
def test_productivity_and_caseload_shares_equal_the_former_ramp(variant: str) -> None:
    sc = scenario(VARIANTS[variant])
    model = ClinicModel(sc.values, seed=2)
    wf = model.workforce
    rng = np.random.default_rng(7)
    states = ("planned", "vacant", "filled", "released")
    for month in range(1, 40):
        for p in wf.positions:
            p.state = states[int(rng.integers(0, 4))]
            p.hired_month = month - int(rng.integers(-2, 6))  # before, at and past the ramp
            assert wf._productivity(p, month) == reference_productivity(wf, p, month)
        for live in ([True] * len(wf.phases), [False] * len(wf.phases)):
            got = wf._phase_caseload_shares(live, month)
            assert got == reference_caseload_shares(wf, live, month)


@pytest.mark.parametrize("variant", ["phased_trainees_lpc", "cocm_only"])
def test_bhc_coverage_equals_the_former_code(variant: str) -> None:
    sc = scenario(VARIANTS[variant])
    model = ClinicModel(sc.values, seed=2)
    wf = model.workforce
    rng = np.random.default_rng(3)
    n = len(wf.phases)
    for _ in range(200):
        live = [bool(x) for x in rng.integers(0, 2, n)]
        for b in model.bhcs:
            b.capacity_share = float(rng.choice([0.0, 0.5, 1.0, rng.random()]))
        assert wf._bhc_coverage(live) == reference_bhc_coverage(wf, live)
    if not model.bhcs:  # no BHC at all: no coverage
        assert wf._bhc_coverage([True] * n) == 0.0


def test_end_month_equals_the_former_burnout_update() -> None:
    sc = scenario(VARIANTS["phased_trainees_lpc"])
    model = ClinicModel(sc.values, seed=1)
    wf = model.workforce
    threshold = sc.values.workforce.burnout_threshold
    rng = np.random.default_rng(11)
    states = ("planned", "vacant", "filled", "released")
    loads = [None, 0.0, threshold, threshold + 1e-12, threshold + 1.0, threshold + 3.0, 0.2]
    for _ in range(300):
        for p in wf.positions:
            p.state = states[int(rng.integers(0, 4))]
            p.burnout = float(rng.choice([0.0, 1.0, rng.random()]))
            k = int(rng.integers(0, len(loads) + 1))
            p.load = loads[k] if k < len(loads) else float(rng.random() * 3.0)
        before = [(p.state, p.burnout, p.load) for p in wf.positions]
        wf.end_month()
        got = [(p.burnout, p.load) for p in wf.positions]
        for p, (state, burnout, load) in zip(wf.positions, before, strict=True):
            p.state, p.burnout, p.load = state, burnout, load
        reference_end_month(wf)
        assert got == [(p.burnout, p.load) for p in wf.positions]


def test_step_position_equals_the_former_code_on_random_states() -> None:
    sc = scenario({**VARIANTS["vendor_tele"], "workforce.burnout_turnover_hr": 6.0})
    new, old = ClinicModel(sc.values, seed=5), ClinicModel(sc.values, seed=5)
    rng = np.random.default_rng(13)
    states = ("planned", "vacant", "filled", "released")
    events = 0
    for month in range(1, 80):
        for wf in (new.workforce, old.workforce):
            wf.month_events = dict(_NO_EVENTS)
            wf._departed_cms = []
        draws = [
            (int(rng.integers(0, 4)), float(rng.random()), month - int(rng.integers(-1, 4)))
            for _ in new.workforce.positions
        ]
        for wf in (new.workforce, old.workforce):
            for p, (s, b, fill) in zip(wf.positions, draws, strict=True):
                p.state, p.burnout, p.fill_month, p.hired_month = states[s], b, fill, fill - 3
        for p in new.workforce.positions:
            new.workforce.step_position(p, month)
        for p in old.workforce.positions:
            reference_step_position(old.workforce, p, month)
        assert snapshot(new.workforce) == snapshot(old.workforce)
        assert [p.position_id for p in new.workforce._departed_cms] == [
            p.position_id for p in old.workforce._departed_cms
        ]
        events += sum(new.workforce.month_events.values())
    assert events > 0


def test_visit_slots_are_recomputed_whenever_their_inputs_change() -> None:
    sc = scenario(VARIANTS["phased_trainees_lpc"])
    model = ClinicModel(sc.values, seed=1)
    rng = np.random.default_rng(17)
    assert model.bhcs
    shares = [0.0, 1.0, 0.5, 0.64]
    minutes = [0.0, 30.0, 1e6]
    for _ in range(500):
        b = model.bhcs[int(rng.integers(0, len(model.bhcs)))]
        if rng.random() < 0.5:
            b.capacity_share = float(rng.choice(shares)) if rng.random() < 0.5 else rng.random()
        if rng.random() < 0.5:
            b.supervision_minutes = float(rng.choice(minutes))
        for _ in range(int(rng.integers(1, 3))):  # read again: the cached value
            assert b.visit_slots == reference_visit_slots(b)
            assert type(b.visit_slots) is int


def reference_base_visit_capacity(p: Provider) -> int:
    """The former ``base_visit_capacity``, computed afresh."""
    s = p.model.values.staffing
    return int(p.fte * s.pcp_visits_per_day * s.working_days_per_month * p.capacity_share)


def test_base_visit_capacity_is_recomputed_whenever_the_capacity_share_changes() -> None:
    sc = scenario(VARIANTS["plain"])
    model = ClinicModel(sc.values, seed=1)
    rng = np.random.default_rng(19)
    shares = [0.0, 1.0, 0.5, 0.64, 0.1 + 0.2]
    for _ in range(500):
        p = model.pcps[int(rng.integers(0, len(model.pcps)))]
        if rng.random() < 0.6:
            p.capacity_share = float(rng.choice(shares)) if rng.random() < 0.5 else rng.random()
        for _ in range(int(rng.integers(1, 3))):  # read again: the cached value
            assert p.base_visit_capacity == reference_base_visit_capacity(p)
            assert type(p.base_visit_capacity) is int
