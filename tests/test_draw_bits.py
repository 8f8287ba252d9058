"""Exact shortcuts of the kernels' draws: vectorised uniforms and integer thresholds (rng)."""

import numpy as np
import pytest

from intsim.sim.kernels.rng import (
    draw_bits,
    draw_threshold,
    draw_thresholds,
    first_uniforms,
    unit_uniform,
)

TWO53 = 2.0**53


@pytest.mark.parametrize("key", [1, 12345, 2**63 + 17, 2**64 - 1])
def test_first_uniforms_are_bit_identical_to_unit_uniform(key):
    k = np.uint64(key)
    got = first_uniforms(k, 20_000)
    want = np.array([unit_uniform(k, s) for s in range(20_000)])
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    # odd and even bit patterns both occur (the lowest bit is converted separately)
    bits = np.array([draw_bits(k, s) for s in range(200)], dtype=np.uint64)
    assert 0 < int((bits & np.uint64(1)).sum()) < 200


def test_first_uniforms_of_no_slots_is_empty():
    assert first_uniforms(np.uint64(5), 0).shape == (0,)


def test_uniform_is_its_bits_times_two_to_minus_53():
    k = np.uint64(987654321)
    for s in (0, 1, 2**20, 2**40 + 3):
        assert unit_uniform(k, s) == float(draw_bits(k, s)) / TWO53
        assert int(draw_bits(k, s)) < 2**53


def _edge_probabilities() -> list[float]:
    rng = np.random.default_rng(3)
    exact = [i / TWO53 for i in (1, 2, 3, 2**30, 2**52 - 1, 2**53 - 1)]
    near = [np.nextafter(p, 0.0) for p in exact] + [np.nextafter(p, 1.0) for p in exact]
    return [0.0, -0.5, 1.0, 1.5, 5e-324, 1e-300, 0.5, *exact, *near, *rng.random(40)]


@pytest.mark.parametrize("p", _edge_probabilities())
def test_threshold_compare_equals_uniform_compare(p):
    """``bits < draw_threshold(p)`` answers exactly as ``uniform < p``, at and around the grid."""
    t = draw_threshold(p)
    grid = [0, 1, 2, 3, 2**30 - 1, 2**30, 2**52, 2**53 - 2, 2**53 - 1]
    if 0.0 < p < 1.0:  # the draws on either side of the threshold
        c = int(np.ceil(p * TWO53))
        grid += [max(c - 2, 0), max(c - 1, 0), c, min(c + 1, 2**53 - 1)]
    for x in grid:
        assert (np.uint64(x) < t) == (x / TWO53 < p), (p, x)


def test_threshold_of_nan_is_never_below():
    assert draw_threshold(float("nan")) == 0


def test_thresholds_of_an_array_match_one_by_one():
    p = np.array([0.0, 0.1, 0.5, 1.0, 2.0])
    assert draw_thresholds(p).tolist() == [int(draw_threshold(x)) for x in p]


def test_threshold_compare_on_real_draws():
    k = np.uint64(2024)
    for p in (0.003, 0.25, 0.9):
        t = draw_threshold(p)
        for s in range(5000):
            assert (draw_bits(k, s) < t) == (unit_uniform(k, s) < p)
