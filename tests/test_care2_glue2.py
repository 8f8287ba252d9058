"""Care-model glue rewrites (session 13, round 2) against readable copies of the former code.

* ``care.hybrid.triage_split`` (one compiled pass, ``pathways.triage_split``) against the
  former boolean mask of :func:`intsim.sim.care.hybrid.triage_to_cocm` and ``thr[mask]`` /
  ``thr[~mask]``, every flag combination, empty and single-patient lists;
* ``care.base.queue_limit`` (plain loop) against the former ``sum`` of a generator;
* ``care.cocm.cocm_rules`` (built once a run) against the former per-call ``EnrolmentRule``,
  ``CareManagerWork`` and review rule;
* ``care.cocm.care_manager_staff`` (one pass) against the former three list comprehensions.

Random small inputs with fixed seeds.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from intsim.params import PAYERS
from intsim.sim.care import hybrid
from intsim.sim.care.base import queue_limit
from intsim.sim.care.cocm import (
    SAFETY_NET_PAYERS,
    care_manager_staff,
    cocm_rules,
)
from intsim.sim.kernels.state import CareManagerStaff, CareManagerWork, EnrolmentRule

# --------------------------------------------------------------------------- references


def reference_triage(model: SimpleNamespace, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The former ``Hybrid.route`` split: a numpy mask, then ``thr[mask]`` and ``thr[~mask]``."""
    pop, h = model.pop, model.values.hybrid
    to_cocm = pop.score[slots] >= h.cocm_severity_score
    if h.chronic_to_cocm:
        to_cocm |= pop.chronic[slots]
    if h.chronic_episode_to_cocm:
        to_cocm |= pop.chronic_episode[slots]
    return slots[to_cocm], slots[~to_cocm]


def reference_queue_limit(per_fte: int, staff: list) -> int | None:
    """The former ``queue_limit``."""
    if per_fte <= 0:
        return None
    return int(per_fte * sum(p.fte * p.capacity_share for p in staff))


def reference_phase_minutes(v: SimpleNamespace) -> np.ndarray:
    """The former per-call ``phase_minutes``."""
    return np.array(
        [v.minutes_intake, v.minutes_active, v.outreach_minutes, v.minutes_maintenance],
        np.float64,
    )


def reference_staff(cms: list) -> CareManagerStaff:
    """The former staff arrays of ``enrol_from_queue``."""
    return CareManagerStaff(
        np.array([cm.caseload_cap for cm in cms], np.int64),
        np.array([cm.patient_minutes for cm in cms], np.float64),
        np.array([cm.index for cm in cms], np.int64),
    )


# --------------------------------------------------------------------------- fakes


def triage_model(seed: int, n: int, chronic: bool, episode: bool) -> SimpleNamespace:
    """A population of ``n`` slots with random scores and chronic flags, and a triage rule."""
    rng = np.random.default_rng(seed)
    pop = SimpleNamespace(
        score=rng.integers(0, 28, n).astype(np.int8),
        chronic=rng.random(n) < 0.3,
        chronic_episode=rng.random(n) < 0.2,
    )
    h = SimpleNamespace(
        cocm_severity_score=int(rng.integers(0, 28)),
        chronic_to_cocm=chronic,
        chronic_episode_to_cocm=episode,
    )
    return SimpleNamespace(pop=pop, values=SimpleNamespace(hybrid=h))


def cocm_values(rng: np.random.Generator) -> SimpleNamespace:
    """Random ``cocm.*`` values (floats where the declaration allows them)."""
    return SimpleNamespace(
        minutes_intake=float(rng.uniform(30, 90)),
        minutes_active=float(rng.uniform(20, 60)),
        outreach_minutes=float(rng.uniform(5, 20)),
        minutes_maintenance=float(rng.uniform(5, 30)),
        unreached_probability=float(rng.uniform(0, 0.3)),
        panel_fill_target=float(rng.uniform(0.7, 1.0)),
        safety_net_minutes_ratio=float(rng.uniform(1.0, 1.5)),
        review_month=int(rng.integers(1, 4)),
        rereview_months=int(rng.integers(1, 4)),
        review_new_patients=bool(rng.random() < 0.5),
        psychiatric_review_minutes=int(rng.integers(5, 30)),
    )


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("chronic", [False, True])
@pytest.mark.parametrize("episode", [False, True])
@pytest.mark.parametrize(("seed", "n"), [(0, 0), (1, 1), (2, 8), (3, 65), (4, 1001)])
def test_triage_split_matches_mask(seed: int, n: int, chronic: bool, episode: bool) -> None:
    model = triage_model(seed, 2 * n + 3, chronic, episode)
    rng = np.random.default_rng(seed + 100)
    slots = np.sort(rng.choice(2 * n + 3, size=n, replace=False)).astype(np.int64)
    got_cocm, got_rest = hybrid.triage_split(model, slots)
    want_cocm, want_rest = reference_triage(model, slots)
    assert got_cocm.dtype == np.int64
    assert got_rest.dtype == np.int64
    np.testing.assert_array_equal(got_cocm, want_cocm)
    np.testing.assert_array_equal(got_rest, want_rest)
    mask = hybrid.triage_to_cocm(model, slots)  # the readable rule is kept and agrees
    np.testing.assert_array_equal(slots[mask], got_cocm)


@pytest.mark.parametrize("severity", [0, 28])
def test_triage_split_edges_of_severity(severity: int) -> None:
    model = triage_model(7, 50, False, False)
    model.values.hybrid.cocm_severity_score = severity
    slots = np.arange(50, dtype=np.int64)
    got = hybrid.triage_split(model, slots)
    want = reference_triage(model, slots)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("per_fte", [-1, 0, 1, 7, 25])
def test_queue_limit_matches_generator_sum(seed: int, per_fte: int) -> None:
    rng = np.random.default_rng(seed)
    staff = [
        SimpleNamespace(fte=float(rng.uniform(0.1, 1.0)), capacity_share=float(rng.random()))
        for _ in range(int(rng.integers(0, 6)))
    ]
    assert queue_limit(per_fte, staff) == reference_queue_limit(per_fte, staff)


@pytest.mark.parametrize("seed", range(5))
def test_cocm_rules_match_former_per_call_rules(seed: int) -> None:
    rng = np.random.default_rng(seed)
    v = cocm_values(rng)
    mult = rng.gamma(4.0, 0.25, 16)
    model = SimpleNamespace(
        values=SimpleNamespace(cocm=v), static=SimpleNamespace(cm_minutes_multiplier=mult)
    )
    rules = cocm_rules(model)
    ratio = v.safety_net_minutes_ratio
    ratios = np.array([ratio if p in SAFETY_NET_PAYERS else 1.0 for p in PAYERS], np.float64)
    want_enrol = EnrolmentRule(
        reference_phase_minutes(v),
        ratios,
        float(v.unreached_probability),
        float(v.minutes_intake),
        float(v.panel_fill_target),
    )
    want_work = CareManagerWork(mult, reference_phase_minutes(v), ratios, v.unreached_probability)
    for got, want in [(rules.enrolment, want_enrol), (rules.work, want_work)]:
        assert type(got) is tuple
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            if isinstance(w, np.ndarray):
                assert g.dtype == w.dtype
                np.testing.assert_array_equal(g, w)
            else:
                assert type(g) is type(w)
                assert g == w
    assert rules.review == (v.review_month, v.rereview_months, v.review_new_patients)
    assert rules.per_review == float(v.psychiatric_review_minutes)
    assert type(rules.per_review) is float


@pytest.mark.parametrize("n_cm", [0, 1, 3])
def test_care_manager_staff_matches_former_arrays(n_cm: int) -> None:
    rng = np.random.default_rng(n_cm)
    cms = [
        SimpleNamespace(
            caseload_cap=int(rng.integers(0, 80)),
            patient_minutes=int(rng.integers(0, 6000)),
            index=k,
        )
        for k in range(n_cm)
    ]
    got = care_manager_staff(SimpleNamespace(care_managers=cms))
    want = reference_staff(cms)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
