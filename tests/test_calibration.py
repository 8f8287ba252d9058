"""Calibration targets T1-T4 (docs/calibration.md): each band is met, or is a documented miss."""

import contextlib
import importlib.util
import io
from pathlib import Path

import pandas as pd
import pytest

from intsim.analysis import calibration as cal

ROOT = Path(__file__).resolve().parents[1]


def _experiment():
    spec = importlib.util.spec_from_file_location(
        "calibration_exp", ROOT / "experiments" / "calibration.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: Quantities the shipped defaults miss, with the decision that explains the miss. A strict xfail:
#: the test fails as soon as the quantity is met again, so the list cannot go stale.
KNOWN_MISSES: dict[tuple[str, str], str] = {}

QUANTITIES: list[tuple[str, str]] = [
    ("T1", "remission_3m"),
    ("T1", "remission_6m"),
    ("T1", "remission_12m"),
    ("T2", "relapse_12m"),
    ("T3", "response_12m_cocm"),
    ("T3", "response_12m_usual_care"),
    ("T3", "odds_ratio"),
    ("T4", "screened_share_of_visits"),
    ("T4", "positive_share_of_screened"),
    ("T4", "engaged_share_of_eligible"),
    ("T4", "no_followup_share_of_engaged"),
    ("T4", "improved_share_at_10_14_weeks"),
]


@pytest.fixture(scope="module")
def experiment_run(tmp_path_factory) -> tuple[int, pd.DataFrame, str]:
    """Run experiments/calibration.py once: (exit status, targets.csv, printed output)."""
    out = tmp_path_factory.mktemp("calibration")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = _experiment().main(["--out", str(out)])
    return status, pd.read_csv(out / "targets.csv"), printed.getvalue()


def test_calibration_experiment_writes_every_target(experiment_run):
    status, table, printed = experiment_run
    assert list(table.columns) == ["target", "quantity", "simulated", "low", "high", "met"]
    assert list(zip(table["target"], table["quantity"], strict=True)) == QUANTITIES
    met = int(table["met"].sum())
    assert f"{met} of 12" in printed
    # the experiment reports a miss through its exit status
    assert status == (0 if met == 12 else 1)


@pytest.mark.parametrize(
    ("target", "quantity"),
    [
        pytest.param(t, q, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[(t, q)]))
        if (t, q) in KNOWN_MISSES
        else (t, q)
        for t, q in QUANTITIES
    ],
)
def test_calibration_band_is_met(experiment_run, target, quantity):
    table = experiment_run[1]
    row = table[(table["target"] == target) & (table["quantity"] == quantity)].iloc[0]
    assert row["low"] <= row["simulated"] <= row["high"], row.to_dict()


def test_target_rows_judge_bands_inclusively():
    assert cal.TargetRow("T", "q", 0.5, 0.5, 0.6).met
    assert not cal.TargetRow("T", "q", 0.61, 0.5, 0.6).met


def test_bisect_finds_root_of_increasing_function():
    assert cal.bisect(lambda x: x**3, 0.0, 2.0, 1.0, tol=1e-9) == pytest.approx(1.0, abs=1e-6)


def test_odds_ratio_of_impact_published_rates():
    # 45% vs 19% -> OR 3.49, inside the published CI 2.71-4.38
    assert cal.odds_ratio(45, 100, 19, 100) == pytest.approx((45 / 55) / (19 / 81))
