"""Billing capture and general BHI care management (issue 14 item 2).

Capture is an expected value applied to billable claim lines; general BHI (99484/G0323) bills
the BHCs' between-visit care-management minutes of open PCBH episodes under the 20-minute
threshold and the same-month exclusion with CoCM (docs/billing.md 1.2).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from intsim.money import claims_kernels
from intsim.money.claims import FAMILIES
from intsim.params import PAYERS
from intsim.params.scenario import default_scenario
from intsim.sim.model import MONTHLY_COLUMNS, ClinicModel
from intsim.sim.population import BH, Tx
from intsim.sim.runner import cost_clinic, run_clinic

SMALL: dict[str, Any] = {
    "population.n_patients": 3000,
    "staffing.n_pcps": 2,
    "staffing.care_manager_fte": 0.6,
    "staffing.bhc_fte": 0.8,
    "simulation.months": 18,
    "finance.counterfactual": False,
}
CARE_MANAGEMENT = ("revenue_cocm", "revenue_general_bhi")
VISITS = ("revenue_bhc_psychotherapy", "revenue_bhc_hbai", "revenue_fqhc_mental_health")


def test_revenue_families_of_claims_and_kernels_agree():
    assert list(claims_kernels.FAMILY_CODES) == list(FAMILIES)
    assert list(claims_kernels.FAMILY_CODES.values()) == list(range(len(FAMILIES)))
    assert FAMILIES.index("general_bhi") == claims_kernels._GENERAL_BHI
    assert FAMILIES.index("cocm") == claims_kernels._COCM


# --------------------------------------------------------------------------- capture


@pytest.mark.parametrize("care_model", ["hybrid", "pcbh"])
def test_capture_scales_care_management_revenue_exactly_and_leaves_the_clinic(care_model):
    base = default_scenario().with_overrides(
        {**SMALL, "care_model": care_model, "billing.cm_capture_rate": 1.0}
    )
    run = run_clinic(base, seed=3, keep_services=True)
    full = cost_clinic(run)
    low = base.with_overrides({"billing.cm_capture_rate": 0.6})
    part = cost_clinic(run, low)
    # the clinic is the same run: priced again, nothing simulated
    fresh = run_clinic(low, seed=3)
    pd.testing.assert_frame_equal(fresh.monthly, run.monthly, check_exact=True)
    assert full.monthly["revenue_general_bhi"].sum() > 0
    for line in CARE_MANAGEMENT:
        np.testing.assert_allclose(
            part.monthly[line], 0.6 * full.monthly[line], rtol=1e-12, atol=1e-9
        )
    for line in VISITS:  # visits have their own capture rate
        np.testing.assert_array_equal(part.monthly[line], full.monthly[line])
    if care_model == "hybrid":
        assert full.summary["billable_share_cm_time"] > 0.6
        assert part.summary["billable_share_cm_time"] == pytest.approx(
            0.6 * full.summary["billable_share_cm_time"]
        )
    assert part.summary["billable_share_bhi_time"] == pytest.approx(
        0.6 * full.summary["billable_share_bhi_time"]
    )


def test_capture_is_visible_on_claim_lines():
    sc = default_scenario().with_overrides(
        {
            **SMALL,
            "care_model": "hybrid",
            "billing.cm_capture_rate": 0.8,
            "billing.visit_capture_rate": 0.9,
        }
    )
    claims = run_clinic(sc, seed=5).claims
    paid = claims[claims["status"] == "paid"]
    capture = np.where(paid["family"].isin(["cocm", "general_bhi"]), 0.8, 0.9)
    np.testing.assert_allclose(paid["uncaptured"], paid["allowed"] * (1 - capture), rtol=1e-12)
    np.testing.assert_allclose(
        paid["denied"] + paid["paid"] + paid["patient_share"],
        paid["allowed"] * capture,
        rtol=1e-9,
    )
    assert (claims.loc[claims["status"] != "paid", "uncaptured"] == 0).all()


# --------------------------------------------------------------------------- coding rules


def _model(care_model: str = "hybrid", payer: str = "medicare", **extra: Any) -> ClinicModel:
    mix = {f"population.payer_mix.{p}": (1.0 if p == payer else 0.0) for p in PAYERS}
    sc = default_scenario().with_overrides(
        {
            **mix,
            "care_model": care_model,
            "population.n_patients": 20,
            "staffing.n_pcps": 1,
            "simulation.start_year": 2026,
            **extra,
        }
    )
    return ClinicModel(sc.values, seed=1)


def _bill(model: ClinicModel, bhi: dict[int, int], cm: dict[int, int] | None = None):
    """Bill one month of hand-set general-BHI (and CoCM) minutes; its claim lines."""
    pop = model.pop
    pop.reset_month_services()
    for slot, minutes in bhi.items():
        pop.bhi_minutes[slot] = minutes
    for slot, minutes in (cm or {}).items():
        pop.cm_minutes[slot] = minutes
    bill = model.claims.bill_month(model, 1, np.zeros(0, np.int64))
    return model.claims.table(), bill


def test_general_bhi_needs_twenty_minutes_and_yields_to_cocm():
    lines, bill = _bill(_model(), {1: 19, 2: 20, 3: 45, 4: 30}, cm={4: 40})
    bhi = lines[lines["family"] == "general_bhi"]
    assert bhi["slot"].tolist() == [2, 3]  # 19 minutes: below threshold; slot 4: a CoCM month
    assert bhi["code"].tolist() == ["G0323", "G0323"]
    assert bhi["units"].tolist() == [1, 1]
    assert lines.loc[lines["slot"] == 4, "family"].tolist() == ["cocm"]
    # a CoCM month too short for any CoCM code bills no CoCM, so general BHI is not excluded
    lines, _ = _bill(_model(), {4: 30}, cm={4: 10})
    assert lines["code"].tolist() == ["G0323"]
    # billed minutes: those of the billed months, times capture (default 0.85)
    assert bill.billed_bhi_minutes == pytest.approx((20 + 45) * 0.85)
    assert bill.billed_cm_minutes == pytest.approx(40 * 0.85)


@pytest.mark.parametrize(
    ("billed_by", "pcp_credential", "bhc_credential", "code", "share"),
    [
        ("bhc", "physician", "csw", "G0323", 0.75),  # the BHC bills in its own name
        ("bhc", "physician", "psychologist", "G0323", 1.0),
        ("bhc", "physician", "lpc", "G0323", 0.75),
        ("pcp", "physician", "csw", "99484", 1.0),  # incident-to the PCP
        ("pcp", "np", "csw", "99484", 0.85),
    ],
)
def test_general_bhi_code_and_share_follow_who_bills(
    billed_by, pcp_credential, bhc_credential, code, share
):
    model = _model(
        **{
            "billing.general_bhi_billed_by": billed_by,
            "billing.pcp_credential": pcp_credential,
            "billing.bhc_credential": bhc_credential,
            "workforce.enabled": False,
        }
    )
    lines, _ = _bill(model, {2: 25})
    assert lines["code"].tolist() == [code]
    fee = {"G0323": 57.78, "99484": 57.45}[code]  # 2026 non-facility (docs/billing.md 1.6)
    assert lines["allowed"].iloc[0] == pytest.approx(fee * share)
    net = fee * share * 0.85 * (1 - 0.15)  # capture 85%, Medicare denials 15%
    assert lines["paid"].iloc[0] == pytest.approx(net * 0.80)


def test_fqhc_bills_99484_and_apcm_bills_g0570():
    fqhc, _ = _bill(_model(**{"billing.setting": "fqhc"}), {2: 25})
    assert fqhc["code"].tolist() == ["99484"]
    apcm = {"billing.apcm_bhi_addons": True}
    medicare, _ = _bill(_model(**apcm), {2: 25, 3: 10})
    assert medicare["code"].tolist() == ["G0570", "G0570"]  # no time threshold
    commercial, _ = _bill(_model(payer="commercial", **apcm), {2: 25, 3: 10})
    assert commercial["code"].tolist() == ["G0323"]


def test_payer_without_general_bhi_coverage_pays_nothing():
    lines, _ = _bill(
        _model(payer="medicaid", **{"payers.medicaid.covers_general_bhi": False}), {2: 25}
    )
    assert lines["status"].tolist() == ["not_covered"]
    assert lines["paid"].sum() == 0.0


# --------------------------------------------------------------------------- the clinic


def test_bhc_care_management_follows_open_threshold_episodes_within_bhc_time():
    sc = default_scenario().with_overrides(
        {**SMALL, "care_model": "pcbh", "pcbh.followup_cm_time_share": 0.02}
    )
    model = ClinicModel(sc.values, seed=2)
    deliver = model.care.deliver
    seen: dict[str, Any] = {}

    def deliver_and_look(month, c):  # the state right after the BHCs spent their time
        deliver(month, c)
        pop = model.pop
        seen["treatment"] = pop.treatment.copy()
        seen["bh"] = pop.bh.copy()
        seen["capacity"] = sum(b.care_management_minutes for b in model.bhcs)

    model.care.deliver = deliver_and_look
    tight = 0
    for _ in range(12):
        model.step()
        pop, n = model.pop, model.pop.n_used
        minutes = pop.bhi_minutes[:n]
        followed = np.flatnonzero(minutes > 0)
        assert (seen["treatment"][followed] == Tx.PCBH).all()
        assert np.isin(seen["bh"][followed], [BH.ACTIVE, BH.IMPROVED]).all()
        capacity = seen["capacity"]
        assert minutes.sum() <= capacity
        tight += minutes.sum() > 0.8 * capacity
        mean = sc.values.pcbh.followup_cm_minutes
        assert ((minutes[followed] >= 0.5 * mean - 1) & (minutes[followed] <= 1.5 * mean + 1)).all()
        assert model.rows[-1]["bhi_minutes"] == int(minutes.sum())
    assert tight > 0  # the small time share did bind


def test_no_followup_share_no_general_bhi_and_visits_unchanged():
    sc = default_scenario().with_overrides({**SMALL, "care_model": "hybrid"})
    off = sc.with_overrides({"pcbh.followup_cm_share": 0.0})
    a, b = run_clinic(sc, seed=7), run_clinic(off, seed=7)
    assert a.monthly["bhi_minutes"].sum() > 0
    assert b.monthly["bhi_minutes"].sum() == 0
    # care management uses time outside visit slots: every other clinic column is unchanged
    others = [c for c in MONTHLY_COLUMNS if c != "bhi_minutes"]
    pd.testing.assert_frame_equal(a.monthly[others], b.monthly[others], check_exact=True)


def test_revenue_per_pcbh_episode_month_is_reported():
    sc = default_scenario().with_overrides({**SMALL, "care_model": "pcbh"})
    res = cost_clinic(run_clinic(sc, seed=4))
    m = res.monthly
    lines = [
        "revenue_bhc_psychotherapy",
        "revenue_bhc_hbai",
        "revenue_fqhc_mental_health",
        "revenue_general_bhi",
    ]
    expected = m[lines].to_numpy().sum() / m["active_pcbh"].sum()
    assert res.summary["revenue_per_pcbh_episode_month"] == pytest.approx(expected)
    assert res.summary["revenue_per_cocm_patient_month"] is None  # no CoCM in PCBH
    assert res.summary["billable_share_cm_time"] is None
