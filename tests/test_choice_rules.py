"""The yes/no patient rules and the observed score, written once (issue 12 item 3).

The arrays engine's kernels (:func:`intsim.sim.kernels.clinical.choices`,
:func:`intsim.sim.kernels.clinical.observed_scores`) and the agents
(:class:`intsim.sim.patient.PatientAgent`) call the same rules of
:mod:`intsim.sim.kernels.rules`.
"""

from __future__ import annotations

import numpy as np
import pytest

from intsim.sim.kernels import clinical as ck
from intsim.sim.kernels.rules import (
    consents,
    engages_with_bhc,
    leaves_after_cm_departure,
    misses_bhc_visit,
    observed_score,
)
from intsim.sim.streams import RandomStreams

RULES = {
    ck.CONSENT: ("consent", consents),
    ck.BHC_ENGAGE: ("bhc_engage", engages_with_bhc),
    ck.BHC_NO_SHOW: ("bhc_no_show", misses_bhc_visit),
    ck.CM_DEPARTURE_LEAVE: ("cm_departure", leaves_after_cm_departure),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_choice_kernel_applies_the_scalar_rule_to_each_slot(rule):
    stream, scalar = RULES[rule]
    streams = RandomStreams(11, 400)
    slots = np.array([3, 7, 8, 50, 120, 399, 200, 1], np.int64)  # any order
    p = 0.45
    got = ck.choices(np.uint64(streams.key(stream, 6)), slots, rule, p)
    for i, s in enumerate(slots):
        u = streams.uniform_one(stream, 6, int(s))
        assert got[i] == scalar(u, p) == (u < p)
    assert 0 < got.sum() < len(slots)  # both answers occur with this seed
    assert scalar(0.3, 0.3) is False  # strict u < p
    assert scalar(0.0, 1e-9) is True


def test_observed_score_adds_the_noise_quantile_and_clips():
    noise = np.array([-6, -1, 0, 2, 9], np.int64)
    assert observed_score(10, 0.0, noise, 27) == 4
    assert observed_score(10, 0.61, noise, 27) == 12
    assert observed_score(3, 0.1, noise, 27) == 0  # clipped below
    assert observed_score(25, 0.99, noise, 27) == 27  # clipped above
    streams = RandomStreams(2, 300)
    score = np.random.default_rng(4).integers(0, 28, 300).astype(np.int8)
    slots = np.arange(0, 300, 7, dtype=np.int64)
    got = ck.observed_scores(np.uint64(streams.key("screen", 9)), slots, score, noise, 27)
    u = streams.uniform("screen", 9, slots)
    expected = np.clip(score[slots].astype(np.int64) + noise[(u * len(noise)).astype(int)], 0, 27)
    assert got.tolist() == expected.tolist()
