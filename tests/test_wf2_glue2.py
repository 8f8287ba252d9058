"""The workforce's faster record and BHC billing blend give exactly what the former code gave.

:meth:`intsim.sim.workforce.Workforce.record` fills a copy of the ordered column template
instead of casting every column at the end, and
:meth:`~intsim.sim.workforce.Workforce._blend_bhc_shares` sums short lists in Python in NumPy's
order. Each is compared here with the former code (kept below as a readable reference) on whole
runs with fixed seeds and on random inputs (no BHC with slots, many BHCs, whole and odd shares).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from intsim.sim.model import ClinicModel
from intsim.sim.providers import Provider
from intsim.sim.workforce import (
    _COLUMN_TYPES,
    _ROLE_COLUMNS,
    WORKFORCE_COLUMNS,
    Workforce,
    _round_fte,
)
from workforce_scenarios import VARIANTS as SHARED_VARIANTS
from workforce_scenarios import scenario

VARIANTS: dict[str, dict[str, Any]] = {
    **SHARED_VARIANTS,
    "handback": {"rollout.end_month": 10, "rollout.end_policy": "handback"},
    "cocm_only": {"care_model": "cocm", "workforce.trainee_fte": 0.5},
    "pcbh_only": {"care_model": "pcbh", "staffing.bhc_fte": 3.0},
    "disabled": {"workforce.enabled": False},
}


# ----------------------------------------------------------------- reference (former) code


def reference_record(wf: Workforce, month: int) -> dict[str, float]:
    """The former ``record`` (with its ``_record_substitution``), casting every column."""
    out: dict[str, float] = dict(wf.month_events)
    staff: list[list[Provider]] = []
    burn_all: list[float] = []
    by_role = (
        ("pcp", wf.model.pcps),
        ("cm", wf.model.care_managers),
        ("bhc", wf.model.bhcs),
        ("psych", wf.model.psychiatrists),
    )
    for role, ps in by_role:
        vacancy_col, effective_col, burnout_col = _ROLE_COLUMNS[role]
        vacancies = 0
        effective = 0.0
        burn: list[float] = []
        filled: list[Provider] = []
        for p in ps:
            effective += p.fte * p.capacity_share
            if p.is_trainee:
                continue
            if p.state == "filled":
                filled.append(p)
                burn.append(p.burnout)
            elif p.state == "vacant":
                vacancies += 1
        out[vacancy_col] = vacancies
        out[effective_col] = _round_fte(effective)
        out[burnout_col] = sum(burn) / len(burn) if burn else 0.0
        staff.append(filled)
        burn_all += burn
    out["mean_burnout"] = sum(burn_all) / len(burn_all) if burn_all else 0.0
    bhcs = staff[2]
    out["paid_fte_cm"] = sum(p.fte for p in staff[1])
    out["paid_fte_bhc"] = sum(p.fte for p in bhcs if not p.lpc)
    out["paid_fte_bhc_lpc"] = sum(p.fte for p in bhcs if p.lpc)
    out["trainee_fte"] = sum(p.fte for p in wf.positions if p.is_trainee and p.capacity_share > 0)
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


def reference_blend(wf: Workforce, bhcs: tuple[tuple[int, bool, bool], ...]) -> float | None:
    """The former ``_blend_bhc_shares``: NumPy arrays for every blend."""
    staff, lpc = wf._staff_bhc_share, wf._lpc_share
    weighted = [
        (slots, 0.0 if trainee else lpc if is_lpc else staff)
        for slots, trainee, is_lpc in bhcs
        if slots > 0
    ]
    if not weighted:
        return None
    weights = np.array([slots for slots, _ in weighted], float)
    shares = np.array([share for _, share in weighted])
    return float((weights * shares).sum() / weights.sum())


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    """Equal keys in the same order, values and value types."""
    return list(a.items()) == list(b.items()) and [type(v) for v in a.values()] == [
        type(v) for v in b.values()
    ]


# ----------------------------------------------------------------- tests


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_record_equals_the_former_code_over_a_run(variant: str) -> None:
    sc = scenario(VARIANTS[variant])
    model = ClinicModel(sc.values, seed=6)
    wf = model.workforce
    for month in range(1, sc.values.simulation.months + 1):
        model.step()
        got = wf.record(month)
        assert list(got) == list(WORKFORCE_COLUMNS)
        assert same(got, reference_record(wf, month))
        row = model.rows[-1]
        assert same({c: row[c] for c in WORKFORCE_COLUMNS}, got)


def test_record_equals_the_former_code_on_random_states() -> None:
    sc = scenario({**VARIANTS["phased_trainees_lpc"], **VARIANTS["vendor_tele"]})
    model = ClinicModel(sc.values, seed=3)
    wf = model.workforce
    for _ in range(3):
        model.step()
    rng = np.random.default_rng(23)
    states = ("planned", "vacant", "filled", "released")
    for month in range(1, 200):
        for p in wf.positions:
            p.state = states[int(rng.integers(0, 4))]
            p.burnout = float(rng.choice([0.0, 1.0, rng.random()]))
            p.capacity_share = float(rng.choice([0.0, 1.0, 0.1 + 0.2, rng.random()]))
            p.backfilled = bool(rng.integers(0, 2))
            p.lpc = bool(rng.integers(0, 2))
        wf.staffed_share = float(rng.choice([0.0, 1.0, rng.random()]))
        wf._pcp_live_share = rng.choice([0.0, np.float64(0.5), rng.random()])
        for key in wf.month_events:
            wf.month_events[key] = int(rng.integers(0, 3))
        wf.month_events["phase_launch_pcp_share"] = float(rng.choice([0.0, rng.random()]))
        assert same(wf.record(month), reference_record(wf, month))


def test_blend_equals_the_former_numpy_blend() -> None:
    sc = scenario(VARIANTS["phased_trainees_lpc"])
    wf = ClinicModel(sc.values, seed=1).workforce
    rng = np.random.default_rng(29)
    checked = 0
    for n in range(0, 13):  # past NumPy's sequential sums (fewer than 8 items)
        for _ in range(400):
            for shares in ((0.85, 0.75), (1.0, 0.75), (float(rng.random()), float(rng.random()))):
                wf._staff_bhc_share, wf._lpc_share = shares
                key = tuple(
                    (
                        int(rng.choice([0, 1, int(rng.integers(0, 400))])),
                        bool(rng.integers(0, 2)),
                        bool(rng.integers(0, 2)),
                    )
                    for _ in range(n)
                )
                got, expected = wf._blend_bhc_shares(key), reference_blend(wf, key)
                assert got == expected
                assert type(got) is type(expected)
                checked += expected is not None
    assert checked > 10_000


def reference_pcp_capacity_shares(wf: Workforce, month: int) -> list[float]:
    """The former PCP loop of ``_update_capacity``: ``_productivity`` for every PCP."""
    return [wf._productivity(p, month) for p in wf.model.pcps]


@pytest.mark.parametrize("variant", ["plain", "disabled", "phased_trainees_lpc"])
def test_pcp_capacity_shares_equal_the_former_loop(variant: str) -> None:
    sc = scenario({**VARIANTS[variant], "workforce.ramp_months": 4})
    model = ClinicModel(sc.values, seed=8)
    wf = model.workforce
    rng = np.random.default_rng(31)
    states = ("planned", "vacant", "filled", "released")
    for month in range(1, 120):
        for p in wf.model.pcps:
            p.state = states[int(rng.integers(0, 4))]
            p.hired_month = month - int(rng.integers(-2, 7))  # before, at and past the ramp
            p.is_trainee = bool(rng.random() < 0.2)
        expected = reference_pcp_capacity_shares(wf, month)
        wf._update_capacity(month)
        got = [p.capacity_share for p in wf.model.pcps]
        assert got == expected
        assert [type(x) for x in got] == [type(x) for x in expected]
