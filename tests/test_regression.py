"""Regression baselines: fixed scenarios reproduce their recorded monthly outputs.

See ``tests/regression_cases.py`` for the cases and the update command (``make baselines``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.regression_cases import BASELINE_PATH, CASES, run_case

#: Money and ratios may differ in the last bits when a sum is reordered; nothing else may.
FLOAT_RTOL = 1e-9


@pytest.fixture(scope="module")
def baseline() -> dict[str, dict[str, list[float]]]:
    return json.loads(BASELINE_PATH.read_text())


@pytest.mark.parametrize("name", sorted(CASES))
def test_monthly_outputs_match_baseline(name: str, baseline) -> None:
    expected = baseline[name]
    monthly = run_case(name)
    assert list(monthly.columns) == list(expected), "monthly columns changed"
    for col, values in expected.items():
        got = monthly[col].to_numpy()
        want = np.asarray(values)
        if np.issubdtype(want.dtype, np.integer):
            assert np.array_equal(got, want), f"{name}: column {col} differs"
        else:
            np.testing.assert_allclose(
                got.astype(float), want, rtol=FLOAT_RTOL, atol=1e-6, err_msg=f"{name}: {col}"
            )
