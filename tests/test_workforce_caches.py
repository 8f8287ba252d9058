"""The workforce's per-run caches give exactly what the direct computations give.

:class:`intsim.sim.workforce.Workforce` keeps its positions in fixed orders, draws all positions'
turnover uniforms of a month at once, rewrites the live flags only when they change, computes the
caseload ramp once per phase, memoises the BHC billing blend and the rounded effective FTE. Each
is compared here with the computation it replaces (the former code, kept as a reference) over
whole runs of scenarios that exercise turnover, phases, trainees, LPC hires and the programme end.
"""

from __future__ import annotations

import numpy as np
import pytest

from intsim.sim.model import ClinicModel
from intsim.sim.providers import Provider
from intsim.sim.workforce import Workforce, _round_fte, ramp_share
from workforce_scenarios import VARIANTS, scenario

# ----------------------------------------------------------------- reference (former) code


def reference_positions(model: ClinicModel) -> list[Provider]:
    """The positions as the former property listed them (read from the model each time)."""
    return [*model.pcps, *model.care_managers, *model.bhcs, *model.psychiatrists]


def reference_live(wf: Workforce, month: int) -> tuple[list[bool], float, float]:
    """The former ``_set_live_pcps``, uncached: the PCP live flags, staffed and live shares."""
    live = np.zeros(wf.n_pcps, bool)
    staffed = 0
    for ph in wf.phases:
        if ph.live(month):
            live[ph.pcps] = wf.is_open(month)
            staffed += len(ph.pcps)
    staffed_share = staffed / wf.n_pcps if wf.n_pcps else 0.0
    live_share = np.count_nonzero(live) / wf.n_pcps if wf.n_pcps else 0.0
    return live.tolist(), staffed_share, live_share


def reference_caseload_share(wf: Workforce, p: Provider, month: int) -> float:
    """The former per-position caseload-cap share (go-live ramp; 0 before go-live)."""
    r = wf.values.rollout
    on = wf.phases[p.phase - 1].live(month)
    go = wf.phases[p.phase - 1].go_live
    if on and go is not None:
        return ramp_share(month - go, r.caseload_ramp_start, r.caseload_ramp_months)
    return 0.0


def reference_bhc_share(wf: Workforce, bhcs: list[Provider]) -> float | None:
    """The former blend, computed afresh from the BHCs' slots, trainee status and credential."""
    return wf._blend_bhc_shares(tuple((b.visit_slots, b.is_trainee, b.lpc) for b in bhcs))


def reference_effective_fte(ps: list[Provider]) -> float:
    """The former effective FTE of a role: FTE x capacity share added in order, rounded."""
    effective = 0.0
    for p in ps:
        effective += p.fte * p.capacity_share
    return round(effective, 6)


# ----------------------------------------------------------------- tests


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_monthly_caches_match_the_direct_computations(variant: str) -> None:
    sc = scenario(VARIANTS[variant])
    model = ClinicModel(sc.values, seed=4)
    wf = model.workforce
    assert wf.positions == reference_positions(model)
    assert [p for p in wf.positions if p.role != "pcp"] == list(wf._programme)
    assert [p for p in wf.positions if p.is_trainee] == list(wf._trainees)
    for month in range(1, sc.values.simulation.months + 1):
        model.step()
        live, staffed, live_share = reference_live(wf, month)
        assert wf.pcp_live.tolist() == live
        assert wf.staffed_share == staffed
        assert wf.live_pcp_share() == live_share
        for p in wf.positions:
            if p.role != "pcp":
                assert p.caseload_share == reference_caseload_share(wf, p, month)
        assert wf.bhc_billing_share == reference_bhc_share(wf, model.bhcs)
        row = model.rows[-1]
        assert row["pcp_live_share"] == live_share
        for r, ps in (("pcp", model.pcps), ("cm", model.care_managers), ("bhc", model.bhcs)):
            assert row[f"effective_fte_{r}"] == reference_effective_fte(ps)


def test_turnover_uniforms_drawn_at_once_equal_the_scalar_draws() -> None:
    sc = scenario(VARIANTS["phased_trainees_lpc"])
    model = ClinicModel(sc.values, seed=9)
    wf, streams = model.workforce, model.streams
    # months inside and beyond the horizon (keys computed on demand), in any order, repeated
    for month in (1, 2, 2, 30, 7, 31, 240, 1):
        for p in wf.positions:
            expected = streams.uniform_one("staff_turnover", month, p.position_id)
            assert wf._turnover_uniform(p, month) == expected
    # a provider that is not one of the clinic's positions gets its scalar draw
    stranger = model.care_managers[0]
    saved = stranger.position_id
    stranger.position_id = 123_456
    try:
        expected = streams.uniform_one("staff_turnover", 5, 123_456)
        assert wf._turnover_uniform(stranger, 5) == expected
    finally:
        stranger.position_id = saved


def test_departure_decisions_equal_the_former_scalar_rule() -> None:
    """``_departs`` decides exactly as the former rule with one scalar draw per position."""
    sc = scenario({"workforce.burnout_turnover_hr": 4.0})
    model = ClinicModel(sc.values, seed=3)
    wf = model.workforce
    rng = np.random.default_rng(5)
    hazard = wf._role_hazard
    checked = 0
    for month in range(1, 120):
        for p in wf.positions:
            p.burnout = float(rng.random())
            p.hired_month = int(rng.integers(-5, 3)) + month
            base = hazard.get(p.role, wf._bh_hazard)
            u = model.streams.uniform_one("staff_turnover", month, p.position_id)
            expected = (
                p.state == "filled"
                and not p.is_trainee
                and p.hired_month < month
                and base is not None
                and u < min(base * (1.0 + wf._burnout_hr_slope * p.burnout), 1.0)
            )
            assert wf._departs(p, month) == expected
            checked += expected
    assert checked > 0


def test_rounded_fte_equals_round() -> None:
    rng = np.random.default_rng(2)
    values = [0.0, 1.0, 2.5, 0.1 + 0.2, 1e-7, 5e-7, 4.9999995, 2.0000005, 1e9 + 0.1234565]
    values += (rng.random(2000) * 12.0).tolist() + (rng.integers(0, 40, 200) / 8.0).tolist()
    for x in values + values:  # the second pass reads the cache
        assert _round_fte(x) == round(x, 6)
        assert type(_round_fte(x)) is float


def test_bhc_billing_share_memo_matches_a_fresh_blend_for_every_combination() -> None:
    sc = scenario(VARIANTS["phased_trainees_lpc"])
    model = ClinicModel(sc.values, seed=6)
    model.run()
    wf = model.workforce
    assert wf._bhc_shares  # some combinations were seen
    for key, share in wf._bhc_shares.items():
        assert share == wf._blend_bhc_shares(key)
    # no BHC with slots: no blend
    assert wf._blend_bhc_shares(((0, False, False), (0, True, False))) is None
