"""Word-at-a-time scans of the panel (``kernels.scan``) against plain numpy."""

import numpy as np
import pytest

from intsim.sim.kernels.scan import (
    append,
    byte_pattern,
    flagged_slots,
    holds_byte,
    padded_flags,
)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 64, 1001])
@pytest.mark.parametrize("density", [0.0, 0.01, 0.3, 1.0])
def test_flagged_slots_are_the_set_flags_in_order(n, density):
    rng = np.random.default_rng(n)
    flags = padded_flags(n)
    assert len(flags) % 8 == 0
    assert len(flags) - n < 8
    assert not flags[n:].any()  # the padding is never flagged
    want = rng.random(n) < density
    flags[:n] = want
    assert flagged_slots(flags).tolist() == np.flatnonzero(want).tolist()


@pytest.mark.parametrize("code", [0, 1, 3, 4, 127])
def test_holds_byte_finds_a_code_in_any_of_eight_bytes(code):
    rng = np.random.default_rng(code)
    pattern = byte_pattern(code)
    for _ in range(2000):
        block = rng.integers(0, 6, 8).astype(np.int8)
        if rng.random() < 0.3:
            block[:] = (code + 1) % 128  # often no byte holds the code
        word = block.view(np.uint64)[0]
        assert holds_byte(word, pattern) == bool((block == code).any())


def test_append_grows_the_buffer_and_keeps_its_contents():
    buffer = np.empty(2, np.int64)
    for i in range(9):
        buffer = append(buffer, i, 10 * i)
    assert len(buffer) == 16
    assert buffer[:9].tolist() == [10 * i for i in range(9)]
