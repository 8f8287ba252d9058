"""Calibration targets T1-T4 (shared/reference/calibration_targets.md): every band is met."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from intsim import calibration as cal

ROOT = Path(__file__).resolve().parents[1]


def _experiment():
    spec = importlib.util.spec_from_file_location(
        "calibration_exp", ROOT / "experiments" / "calibration.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_calibration_experiment_writes_targets_and_meets_every_band(tmp_path, capsys):
    status = _experiment().main(["--out", str(tmp_path)])
    table = pd.read_csv(tmp_path / "targets.csv")
    assert list(table.columns) == ["target", "quantity", "simulated", "low", "high", "met"]
    assert set(table["target"]) == {"T1", "T2", "T3", "T4"}
    assert len(table) == 12
    failing = table[~table["met"]]
    assert failing.empty, f"calibration bands not met:\n{failing.to_string()}"
    assert status == 0
    assert "12 of 12" in capsys.readouterr().out


def test_target_rows_judge_bands_inclusively():
    assert cal.TargetRow("T", "q", 0.5, 0.5, 0.6).met
    assert not cal.TargetRow("T", "q", 0.61, 0.5, 0.6).met


def test_bisect_finds_root_of_increasing_function():
    assert cal.bisect(lambda x: x**3, 0.0, 2.0, 1.0, tol=1e-9) == pytest.approx(1.0, abs=1e-6)


def test_odds_ratio_of_impact_published_rates():
    # 45% vs 19% -> OR 3.49, inside the published CI 2.71-4.38
    assert cal.odds_ratio(45, 100, 19, 100) == pytest.approx((45 / 55) / (19 / 81))
