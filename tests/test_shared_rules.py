"""Each patient rule has one source (issue 12 item 3): :mod:`intsim.sim.kernels.rules`.

Both engines call the same scalar functions (the arrays engine's kernels in their slot loops,
:class:`intsim.sim.patient.PatientAgent` for its own slot); here that is checked on the modules'
code, and each rule is unit-tested on hand-made cases whose answer follows from the rule.
"""

import inspect

import numpy as np
import pytest

from intsim.params.scenario import default_scenario
from intsim.sim import patient, population, risk
from intsim.sim.clinical import Variant
from intsim.sim.kernels import clinical as clinical_kernels
from intsim.sim.kernels import costs as cost_kernels
from intsim.sim.kernels import rules
from intsim.sim.kernels.rng import unit_uniform
from intsim.sim.model import ClinicModel
from intsim.sim.population import BH, Condition, Tx
from intsim.sim.risk import N_CLASSES, N_CONDITIONS

KEYS6 = tuple(np.uint64(k) for k in (11, 22, 33, 44, 55, 66))

#: Rule -> the kernel module that applies it over the panel.
SHARED = {
    "bh_onset": clinical_kernels,
    "episode_onset": clinical_kernels,
    "gains_chronic_condition": clinical_kernels,
    "wants_visit": clinical_kernels,
    "improvement_cell": clinical_kernels,
    "clinical_course": clinical_kernels,
    "partial_response_possible": clinical_kernels,
    "disengagements": clinical_kernels,
    "risk_class": cost_kernels,
    "acute_event": cost_kernels,
}


@pytest.mark.parametrize("name", sorted(SHARED))
def test_both_engines_call_the_shared_rule(name):
    rule = getattr(rules, name)
    kernel_module = SHARED[name]
    assert getattr(kernel_module, name) is rule  # the kernels import the rule itself ...
    assert getattr(patient, name) is rule  # ... and so does the agents engine
    assert f"{name}(" in inspect.getsource(kernel_module)
    assert f"{name}(" in inspect.getsource(patient.PatientAgent)


def test_no_scalar_twins_are_left():
    assert not hasattr(patient, "treatment_variant_one")
    assert not hasattr(population, "threshold_score_one")
    assert not hasattr(risk, "risk_class_one")
    assert not hasattr(risk, "acute_probabilities_one")


def _onset(bh, u, treatment=Tx.NONE, score=0):
    """bh_onset with incidence 0.1, subthreshold incidence 0.2, resolution (0.3, 0.6)."""
    return rules.bh_onset(0, u, bh, treatment, score, KEYS6, 0.1, 0.2, (0.3, 0.6), 0.1)


def test_bh_onset_incidence_intervals():
    assert _onset(BH.NONE, 0.05) == (BH.NONE, 0, True)  # below incidence: episode starts
    new_bh, score, start = _onset(BH.NONE, 0.15)  # next interval: subthreshold distress
    assert (new_bh, start) == (BH.SUBTHRESHOLD, False)
    assert 5 <= score <= 9
    assert score == rules.subthreshold_score_of(unit_uniform(KEYS6[5], 0))
    assert _onset(BH.NONE, 0.35) == (BH.NONE, 0, False)  # above both: nothing
    assert _onset(BH.ACTIVE, 0.0, score=15) == (BH.ACTIVE, 15, False)  # other states: nothing


def test_bh_onset_subthreshold_course_uses_the_sub_resolve_uniform():
    u = unit_uniform(KEYS6[2], 0)
    resolved = u < 0.3
    new_bh, score, start = _onset(BH.SUBTHRESHOLD, 0.99, score=7)
    if resolved:
        assert (new_bh, score, start) == (BH.NONE, 0, False)
    elif u < 0.4:
        assert start
    else:
        assert (new_bh, score, start) == (BH.SUBTHRESHOLD, 7, False)
    # in a PCBH episode the resolution probability is the second one
    pcbh = _onset(BH.SUBTHRESHOLD, 0.99, treatment=Tx.PCBH, score=7)
    assert (pcbh[0] == BH.NONE) == (u < 0.6)


def test_episode_onset_draws_condition_chronicity_and_score():
    bh, score, baseline, condition, chronic_ep, month, known = rules.episode_onset(
        3, KEYS6, (1.0, 0.0, 1.0, 0.0)
    )
    assert (bh, month, known) == (BH.ACTIVE, 0, False)
    assert condition == Condition.ANXIETY  # anxiety share 1
    assert not chronic_ep  # chronic-episode share 0
    assert 20 <= score <= 27  # all severe
    assert baseline == score
    assert rules.episode_onset(3, KEYS6, (0.0, 1.0, 0.0, 0.0))[3:5] == (Condition.DEPRESSION, True)


def test_gains_chronic_condition():
    assert rules.gains_chronic_condition(0.01, 0.02)
    assert not rules.gains_chronic_condition(0.02, 0.02)


def test_wants_visit_uses_the_state_probability():
    visit_prob = np.array([0.1, 0.2, 0.3, 0.4])  # [chronic, in episode] flattened
    assert rules.wants_visit(0.15, False, BH.ACTIVE, visit_prob)
    assert not rules.wants_visit(0.15, False, BH.NONE, visit_prob)
    assert not rules.wants_visit(0.15, False, BH.REMITTED, visit_prob)  # not in episode
    assert rules.wants_visit(0.35, True, BH.IMPROVED, visit_prob)
    assert not rules.wants_visit(0.35, True, BH.SUBTHRESHOLD, visit_prob)


def test_treatment_variant_codes():
    assert rules.treatment_variant(Tx.NONE, 0, False, False, False, 2) == Variant.NONE
    assert rules.treatment_variant(Tx.PCP, 3, False, False, False, 2) == Variant.PCP
    assert rules.treatment_variant(Tx.SPECIALTY, 3, False, False, False, 2) == Variant.SPECIALTY
    assert rules.treatment_variant(Tx.PCBH, 3, False, False, True, 2) == Variant.PCBH_WITH_PCP
    assert rules.treatment_variant(Tx.PCBH, 3, False, False, False, 2) == Variant.PCBH
    assert rules.treatment_variant(Tx.COCM, 3, True, True, False, 2) == Variant.COCM


def test_improvement_cell_indexes_the_flat_table():
    acute = np.arange(2 * 9 * 4, dtype=float).reshape(2, 9, 4)
    chronic = 1000 + np.arange(2 * 9, dtype=float).reshape(2, 9)
    flat = rules.improvement_table(acute, chronic)

    def cell(condition, chronic_episode, month, treatment=Tx.PCP):
        return rules.improvement_cell(
            treatment, 1, False, False, False, 2, condition, chronic_episode, month, 9, 4
        )

    assert flat[cell(Condition.DEPRESSION, False, 2)] == acute[0, Variant.PCP, 2]
    assert flat[cell(Condition.ANXIETY, False, 99)] == acute[1, Variant.PCP, 3]  # capped
    assert flat[cell(Condition.ANXIETY, True, 5)] == chronic[1, Variant.PCP]
    assert flat[cell(Condition.DEPRESSION, True, 0, Tx.NONE)] == chronic[0, Variant.NONE]


NO_PARTIAL = (0.0, 0.5, 0.75)


def _course(
    bh, p_improve=0.0, probs=(0.0, 0.0, 0.0, 0.5, 0.5), remission_months=0, score=20,
    treated=True, partial=NO_PARTIAL,
):  # fmt: skip
    return rules.clinical_course(
        0, bh, score, 20, Condition.DEPRESSION, 4, remission_months, True, p_improve, treated,
        KEYS6, (*probs, *partial), 6,
    )  # fmt: skip


def test_clinical_course_improvement_and_episode_clock():
    # improvement certain: residual share 0.5 of the score
    assert _course(BH.ACTIVE, p_improve=1.0) == (
        rules.IMPROVEMENT, BH.IMPROVED, 10, Condition.DEPRESSION, 4, 0, True,
    )  # fmt: skip
    # no improvement: the episode month advances
    assert _course(BH.ACTIVE, p_improve=0.0) == (
        rules.NO_EVENT, BH.ACTIVE, 20, Condition.DEPRESSION, 5, 0, True,
    )  # fmt: skip


def test_clinical_course_remission_relapse_recovery():
    remit = _course(BH.IMPROVED, probs=(1.0, 0.0, 0.0, 0.5, 0.5))
    assert remit[:3] == (rules.REMISSION, BH.REMITTED, 4)
    assert remit[5] == 0
    relapse = _course(BH.IMPROVED, probs=(0.0, 1.0, 0.0, 0.5, 0.5))
    assert relapse[:3] == (rules.RELAPSE, BH.ACTIVE, 20)  # back to the baseline score
    assert relapse[4] == 0
    relapse = _course(BH.REMITTED, probs=(0.0, 0.0, 1.0, 0.5, 0.5))
    assert relapse[:3] == (rules.RELAPSE, BH.ACTIVE, 20)
    stay = _course(BH.REMITTED, remission_months=2)
    assert stay[:2] == (rules.NO_EVENT, BH.REMITTED)
    assert stay[5] == 3
    over = _course(BH.REMITTED, remission_months=5)  # sixth month: sustained remission
    assert over == (rules.RECOVERY, BH.NONE, 0, 0, 4, 6, False)
    assert _course(BH.NONE)[:2] == (rules.NO_EVENT, BH.NONE)


def test_clinical_course_partial_response_of_treated_active_episodes():
    certain = (1.0, 0.5, 0.5)  # partial response certain, residual share exactly 0.5
    partial = _course(BH.ACTIVE, partial=certain)
    assert partial == (rules.PARTIAL_RESPONSE, BH.ACTIVE, 10, Condition.DEPRESSION, 5, 0, True)
    # untreated episodes, and episodes already partially improved (score below the baseline
    # score), keep their score; a response comes first when both would happen
    assert _course(BH.ACTIVE, partial=certain, treated=False)[:3] == (
        rules.NO_EVENT, BH.ACTIVE, 20,
    )  # fmt: skip
    assert _course(BH.ACTIVE, partial=certain, score=12)[:3] == (rules.NO_EVENT, BH.ACTIVE, 12)
    assert _course(BH.ACTIVE, p_improve=1.0, partial=certain)[0] == rules.IMPROVEMENT
    assert _course(BH.IMPROVED, partial=certain)[:3] == (rules.NO_EVENT, BH.IMPROVED, 20)


def test_clinical_course_response_keeps_a_share_of_the_baseline_score():
    # a partially improved episode (12 of baseline 20) that responds keeps half of 20, not of 12
    improved = _course(BH.ACTIVE, p_improve=1.0, score=12)
    assert improved[:3] == (rules.IMPROVEMENT, BH.IMPROVED, 10)


def test_partial_response_follows_antidepressant_type_treatment_only():
    possible = rules.partial_response_possible
    for treatment in (Tx.PCP, Tx.SPECIALTY, Tx.COCM):
        assert possible(treatment, False)
    assert possible(Tx.PCBH, True)  # BHC visits with PCP co-treatment
    assert not possible(Tx.PCBH, False)  # brief BHC visits alone (docs/evidence.md B5)
    assert not possible(Tx.NONE, False)


def test_partial_response_score_rounds_to_the_nearest_point():
    # a 25% fall from 13 is 9.75: it reads 10 (truncation would read 9, below the threshold)
    assert rules.partial_response_score(13, 1.0, 0.5, 0.75) == 10
    assert rules.partial_response_score(13, 0.0, 0.5, 0.75) == 7  # 6.5 rounds up
    assert rules.partial_response_score(20, 0.5, 0.5, 0.75) == 13  # 12.5: halves round up


def test_disengagements_counts_each_list_left():
    key = np.uint64(5)
    u = unit_uniform(key, 0)
    probs = (1.0, 0.0, 1.0, 0.0)
    assert rules.disengagements(key, 0, Tx.NONE, 0, -1, -1, probs) == 0  # on no list
    assert rules.disengagements(key, 0, Tx.COCM, 2, -1, -1, probs) == 1  # early: certain
    assert rules.disengagements(key, 0, Tx.COCM, 3, -1, -1, probs) == 0  # later: never
    assert rules.disengagements(key, 0, Tx.COCM, 2, 1, 1, probs) == 2  # CoCM + waitlist
    assert rules.disengagements(key, 0, Tx.NONE, 0, -1, 0, (0, 0, 0, u + 1e-12)) == 1


def test_risk_class_covers_every_class_once():
    assert N_CONDITIONS == 3  # risk_class hard-codes three conditions
    classes = {
        int(rules.risk_class(b, c, ch, a))
        for b in range(5)
        for c in range(3)
        for ch in (False, True)
        for a in (False, True)
    }
    assert classes == set(range(N_CLASSES))


def test_acute_event_intervals():
    # admission probability 0.1 x 2 = 0.2, ED 0.15 x 2 = 0.3
    assert rules.acute_event(0.1, 0.1, 0.15, 2.0) == (True, False)
    assert rules.acute_event(0.3, 0.1, 0.15, 2.0) == (False, True)
    assert rules.acute_event(0.6, 0.1, 0.15, 2.0) == (False, False)
    assert rules.acute_probabilities(0.5, 0.9, 3.0) == (1.0, 0.0)  # capped at one event


def test_scores_map_uniforms_to_bands():
    assert rules.threshold_score_of(0.0, 0.2, 0.3) == 20
    assert rules.threshold_score_of(0.25, 0.2, 0.3) == 15
    assert rules.threshold_score_of(0.99, 0.2, 0.3) == 14
    assert rules.subthreshold_score_of(0.0) == 5
    assert rules.subthreshold_score_of(0.999) == 9
    u = np.array([0.0, 0.25, 0.99])
    assert rules.threshold_scores(u, 0.2, 0.3).tolist() == [20, 15, 14]


def test_agent_set_is_the_panel_in_slot_order():
    sc = default_scenario().with_overrides(
        {"population.n_patients": 300, "staffing.n_pcps": 1, "simulation.months": 12}
    )
    model = ClinicModel(sc.values, seed=3, engine="agents")
    for _ in range(12):
        model.step()
        slots = [a.slot for a in model.agents_by_type[patient.PatientAgent]]
        assert slots == model.pop.panel_slots().tolist()
