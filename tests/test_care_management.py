"""Care-manager work and the psychiatric consultant: emergent caseloads, reviews, outreach.

The caseload ranges are the AIMS Center caseload guidance (2020) for active patients per
full-time care manager: 80-120 for commercial caseloads (80-100 multi-condition, 90-120
behavioral-health only) and 50-80 for Medicaid or uninsured ones (50-75 multi-condition, 60-80
behavioral-health only). A mixed payer mix must lie between the two. The CoCM care manager
manages behavioral-health conditions only, so the behavioral-health-only ranges apply
(decision 79).
"""

import numpy as np
import pytest

from intsim.params.scenario import default_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.runner import simulate

MIXED = {"medicare": 0.22, "medicaid": 0.25, "commercial": 0.40, "dual": 0.05, "uninsured": 0.08}
MEDICAID = {"medicare": 0.0, "medicaid": 0.9, "commercial": 0.0, "dual": 0.0, "uninsured": 0.1}
COMMERCIAL = {"medicare": 0.0, "medicaid": 0.0, "commercial": 1.0, "dual": 0.0, "uninsured": 0.0}


def one_care_manager(mix: dict[str, float], **extra: object):
    """A CoCM clinic whose single care manager always has patients waiting (demand ample)."""
    return default_scenario().with_overrides(
        {
            "care_model": "cocm",
            "population.n_patients": 12000,
            "staffing.n_pcps": 6,
            "staffing.care_manager_fte": 1.0,
            "staffing.psychiatric_consultant_hours_per_week": 3.0,
            "simulation.months": 36,
            "workforce.enabled": False,
            **{f"population.payer_mix.{k}": v for k, v in mix.items()},
            **extra,
        }
    )


@pytest.fixture(scope="module")
def caseloads() -> dict[str, float]:
    """Mean active caseload of the care manager over months 13-36, by payer mix."""
    out = {}
    for name, mix in (("mixed", MIXED), ("medicaid", MEDICAID), ("commercial", COMMERCIAL)):
        monthly = simulate(one_care_manager(mix), seed=3).monthly
        late = monthly[monthly["month"] > 12]
        # the caseload is limited by time, not demand: the full queue turns patients away
        assert (late["cocm_turned_away"] > 0).mean() > 0.9
        out[name] = float(late["active_cocm"].mean())
    return out


def test_sustainable_caseload_per_fte_emerges_inside_published_range(caseloads):
    assert 90 <= caseloads["commercial"] <= 120
    assert caseloads["medicaid"] < caseloads["mixed"] < caseloads["commercial"]


def test_medicaid_caseload_per_fte_emerges_inside_published_range(caseloads):
    assert 60 <= caseloads["medicaid"] <= 80


def test_caseload_ceiling_binds_only_below_the_time_limit():
    capped = simulate(one_care_manager(MIXED, **{"cocm.caseload_per_fte": 40}), seed=3).monthly
    assert capped["active_cocm"].max() <= 40
    assert capped["cm_utilization"].iloc[12:].mean() < 0.6  # time left over under a low cap


def test_minutes_per_patient_month_taper_after_response():
    res = simulate(one_care_manager(MIXED), seed=3)
    s = res.summary
    v = default_scenario().values.cocm
    # between the maintenance and intake means (payer ratio >= 1 lifts them)
    assert v.minutes_maintenance < s["cm_minutes_per_patient_month"] < v.minutes_intake * 1.2
    m = res.monthly
    assert m["cm_maintenance"].iloc[12:].mean() > 0  # responders in relapse prevention
    share_unreached = m["cm_unreached"].sum() / m["active_cocm"].sum()
    assert share_unreached == pytest.approx(v.unreached_probability, abs=0.05)


def test_more_minutes_per_phase_lower_the_caseload(caseloads):
    heavy = one_care_manager(MIXED, **{"cocm.minutes_active": 70.0})
    late = simulate(heavy, seed=3).monthly.iloc[12:]
    assert late["active_cocm"].mean() < 0.95 * caseloads["mixed"]


def test_consultant_reviews_every_due_patient_when_hours_suffice():
    sc = one_care_manager(MIXED, **{"staffing.psychiatric_consultant_hours_per_week": 20.0})
    m = simulate(sc, seed=3).monthly
    assert (m["psych_reviews"] == m["psych_reviews_due"]).all()
    assert m["psych_reviews"].sum() > 0
    per = default_scenario().values.cocm.psychiatric_review_minutes
    assert (m["psych_minutes"] == m["psych_reviews"] * per).all()
    assert (m["psych_minutes"] <= m["psych_paid_minutes"]).all()


def test_non_improvers_are_re_reviewed_and_short_hours_leave_reviews_undone():
    ample = simulate(
        one_care_manager(MIXED, **{"staffing.psychiatric_consultant_hours_per_week": 20.0}),
        seed=3,
    ).monthly
    # re-reviews: more reviews than patients ever enrolled (each is reviewed at most once when
    # new, so the rest are re-reviews of patients not improving)
    assert ample["psych_reviews"].sum() > 1.3 * ample["cocm_enrolled_new"].sum()
    scarce = simulate(
        one_care_manager(MIXED, **{"staffing.psychiatric_consultant_hours_per_week": 0.5}),
        seed=3,
    ).monthly
    assert (scarce["psych_reviews"] < scarce["psych_reviews_due"]).iloc[6:].all()
    paid = scarce["psych_paid_minutes"].to_numpy()
    used = scarce["psych_minutes"].to_numpy()
    assert np.all(paid - used < default_scenario().values.cocm.psychiatric_review_minutes)


def test_scarce_consultant_hours_lower_response():
    def responders(hours: float) -> int:
        sc = one_care_manager(MIXED, **{"staffing.psychiatric_consultant_hours_per_week": hours})
        return int(simulate(sc, seed=3).monthly["responders"].sum())

    assert responders(0.5) < responders(6.0)


# ---------------------------------------------------------------------- waitlist policies


def test_waitlist_policy_caps_the_queue_and_the_wait():
    sc = one_care_manager(MIXED, **{"cocm.max_waitlist_per_fte": 12, "cocm.max_wait_months": 2})
    model = ClinicModel(sc.values, seed=3)
    for _ in range(24):
        model.step()
        pop, month = model.pop, model.month
        queue = pop.waiting_for_cocm()
        assert len(queue) <= 12
        assert (month - pop.waitlist_since[queue] < 2).all()
    m = model.monthly_frame()
    assert m["cocm_turned_away"].sum() > 0  # demand exceeds the policy: some are turned away
    assert m["cocm_wait_expired"].sum() >= 0


def test_no_waitlist_limit_lets_the_queue_grow():
    limited = simulate(one_care_manager(MIXED), seed=3)
    unlimited = simulate(
        one_care_manager(MIXED, **{"cocm.max_waitlist_per_fte": 0, "cocm.max_wait_months": 0}),
        seed=3,
    )
    assert unlimited.monthly["waitlist_cocm"].iloc[-1] > 5 * limited.monthly["waitlist_cocm"].max()
    assert unlimited.summary["cocm_turned_away"] == 0
    # the policy changes who waits, not how many a care manager can carry
    assert unlimited.summary["cocm_mean_wait_weeks"] > limited.summary["cocm_mean_wait_weeks"]
    late_l = limited.monthly["active_cocm"].iloc[12:].mean()
    late_u = unlimited.monthly["active_cocm"].iloc[12:].mean()
    assert late_l == pytest.approx(late_u, rel=0.1)


def test_bhc_waitlist_policy_caps_the_scheduled_queue():
    sc = default_scenario().with_overrides(
        {
            "care_model": "pcbh",
            "population.n_patients": 6000,
            "staffing.n_pcps": 3,
            "staffing.bhc_fte": 0.5,
            "simulation.months": 12,
            "workforce.enabled": False,
            "pcbh.max_waitlist_per_fte": 20,
        }
    )
    model = ClinicModel(sc.values, seed=2)
    for _ in range(12):
        model.step()
        assert len(model.pop.waiting_for_bhc()) <= 10
    assert model.monthly_frame()["bhc_turned_away"].sum() > 0
