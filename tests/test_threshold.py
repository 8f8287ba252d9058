"""`intsim threshold`: the search algorithm, Wilson intervals, the command and its bad input."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from intsim.analysis.batch import make_executor
from intsim.analysis.montecarlo import draws_table, load_experiment
from intsim.analysis.threshold import (
    Point,
    evaluate_values,
    locate,
    prepare_search,
    wilson_interval,
)
from intsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
# A Medicaid-only CoCM practice of 400 patients paid by capitation alone (no Medicaid FFS):
# at PMPM 0 it has no revenue at all, at a large PMPM every draw makes money, and each run's
# net rises linearly with the PMPM (common random numbers: the same draws and seeds at every
# value), so P(net >= 0) is a non-decreasing step function of the PMPM.
EXPERIMENT = f"""
name: tiny_pmpm
scenario: {ROOT / "configs" / "default.yaml"}
set:
  care_model: cocm
  population.n_patients: 400
  population.payer_mix: {{medicare: 0, medicaid: 1, commercial: 0, dual: 0, uninsured: 0}}
  staffing.n_pcps: 1
  staffing.care_manager_fte: 0.4
  staffing.bhc_fte: 0.0
  staffing.psychiatric_consultant_hours_per_week: 1.2
  simulation.months: 12
  finance.counterfactual: false
  contracts.medicaid.fee_for_service: false
uncertainty:
  costs.care_manager_salary: {{dist: uniform, low: 50000, high: 95000}}
  costs.startup_leadership: {{dist: uniform, low: 30000, high: 200000}}
sampling: {{method: lhs, seed: 5}}
monte_carlo: {{runs: 10, reps: 1}}
"""
PMPM = ["--param", "contracts.medicaid.pmpm_usd", "--range", "0", "150"]


@pytest.fixture
def experiment(tmp_path: Path) -> Path:
    path = tmp_path / "tiny_pmpm.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


def run(capsys, *args):
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def read(out: Path) -> tuple[pd.DataFrame, dict]:
    return pd.read_csv(out / "curve.csv"), json.loads((out / "threshold.json").read_text())


# --------------------------------------------------------------------------- statistics, search


def test_wilson_interval_known_values():
    assert wilson_interval(8, 10) == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))
    p = Point(value=1.0, n=200, events=162)
    assert p.p == pytest.approx(0.81)
    assert p.se == pytest.approx(math.sqrt(0.81 * 0.19 / 200))


def _step_evaluator(cuts: np.ndarray, rising: bool = True):
    """P(x) = share of runs whose own break-even value is passed: a known step function."""
    calls: list[float] = []

    def evaluate(values, source):
        calls.extend(values)
        out = []
        for x in values:
            hits = (x >= cuts) if rising else (x <= cuts)
            out.append(Point(float(x), len(cuts), int(hits.sum()), source=source))
        return out

    return evaluate, calls


def test_locate_finds_the_order_statistic_in_both_directions():
    cuts = np.linspace(10, 90, 20)
    true = np.sort(cuts)[15]  # 16 of 20 runs needed for P >= 0.8
    ev, calls = _step_evaluator(cuts)
    loc = locate(ev, 0, 100, confidence=0.8, grid=9)
    assert loc.status == "reached"
    fails, meets = loc.bracket
    assert fails < true <= meets == loc.threshold
    assert meets - fails < 1.0  # 1% of the range
    assert len(calls) <= 9 + 6
    assert loc.at(loc.threshold).p >= 0.8
    assert loc.monotone
    lo, hi = loc.interval
    assert lo is not None
    assert hi is not None
    assert lo <= loc.threshold <= hi

    ev, _ = _step_evaluator(cuts, rising=False)  # P(x) = share with x <= cut: falls with x
    loc = locate(ev, 0, 100, confidence=0.8, direction="decreasing", grid=9)
    true = np.sort(cuts)[4]  # the largest x with 16 of 20 cuts >= x
    fails, meets = loc.bracket
    assert meets == loc.threshold <= true < fails
    assert loc.at(loc.threshold).p >= 0.8


def test_locate_integer_range_end_and_not_reached():
    cuts = np.array([55.3, 71.9, 88.2, 97.5, 101.1, 104.6, 111.0, 118.4, 126.7, 133.2])
    ev, _ = _step_evaluator(cuts)
    loc = locate(ev, 40, 160, confidence=0.8, grid=9, integer=True)
    assert loc.threshold == 119.0  # ceil of the 8th smallest cut
    assert loc.bracket == (118.0, 119.0)
    assert all(float(p.value).is_integer() for p in loc.points)

    ev, _ = _step_evaluator(np.full(10, 500.0))
    loc = locate(ev, 0, 100, confidence=0.8)
    assert loc.status == "not_reached"
    assert loc.threshold is None
    assert loc.interval == (None, None)

    ev, _ = _step_evaluator(np.full(10, -5.0))
    loc = locate(ev, 0, 100, confidence=0.8)
    assert loc.status == "at_range_end"
    assert loc.threshold == 0.0
    assert loc.interval[0] is None  # the crossing lies below the range


# --------------------------------------------------------------------------- the command


def test_pmpm_threshold_serial_and_process_pool(experiment, tmp_path, capsys):
    out = tmp_path / "serial"
    code, stdout, _ = run(
        capsys,
        "threshold",
        experiment,
        *PMPM,
        "--output",
        "net_margin_pct",
        "--serial",
        "--out",
        out,
    )
    assert code == 0
    assert "contracts.medicaid.pmpm_usd at which P(net_margin_pct >= 0) reaches 80%: $" in stdout
    assert {p.name for p in out.iterdir()} == {
        "curve.csv",
        "threshold.json",
        "manifest.json",
        "acceptability.png",
        "acceptability.svg",
    }
    curve, info = read(out)
    assert info["reached"]
    assert info["status"] == "reached"
    assert 0 < info["threshold"] < 150
    assert info["p_at_threshold"] >= 0.8
    assert info["n"] == 10
    assert info["evaluations"] == len(curve)
    assert curve["p"].iloc[0] == 0
    assert curve["p"].iloc[-1] == 1
    assert (np.diff(curve["p"]) >= 0).all()  # non-decreasing in the PMPM
    assert (curve["wilson_low"] <= curve["p"]).all()
    assert (curve["p"] <= curve["wilson_high"]).all()
    lo, hi = info["threshold_interval"]
    assert lo is not None
    assert lo <= info["threshold"]
    assert hi is None or hi >= info["threshold"]
    fails, meets = info["bracket"]
    assert meets == info["threshold"]
    assert meets - fails < 1.5

    # re-evaluated on the same draws and seeds: P at the threshold reaches the confidence, and
    # one bracket width below it (threshold - small step) it does not
    exp = load_experiment(experiment)
    search = prepare_search(
        exp, "contracts.medicaid.pmpm_usd", "net_margin_pct", value_range=(0, 150)
    )
    with make_executor("serial") as ex:
        at, below = evaluate_values(search, [meets, meets - (meets - fails)], ex)
    assert at.p == info["p_at_threshold"] >= 0.8
    assert below.p < 0.8

    pool = tmp_path / "pool"
    code, _, _ = run(
        capsys,
        "threshold",
        experiment,
        *PMPM,
        "--output",
        "net_margin_pct",
        "--workers",
        "2",
        "--no-figures",
        "--out",
        pool,
    )
    assert code == 0
    curve2, info2 = read(pool)
    pd.testing.assert_frame_equal(curve, curve2)
    assert info2["threshold"] == info["threshold"]
    assert not (pool / "acceptability.png").exists()


def test_at_most_decreasing_and_a_searched_parameter_dropped_from_the_draws(
    experiment, tmp_path, capsys
):
    # P(net <= 0) falls as the PMPM rises: the largest PMPM at which a loss is still 80% likely
    out = tmp_path / "atmost"
    code, stdout, _ = run(
        capsys,
        "threshold",
        experiment,
        *PMPM,
        "--output",
        "net",
        "--at-most",
        "--direction",
        "decreasing",
        "--grid",
        "5",
        "--serial",
        "--no-figures",
        "--out",
        out,
    )
    assert code == 0, stdout
    curve, info = read(out)
    assert info["event"] == "net <= 0"
    assert info["direction"] == "decreasing"
    assert info["reached"]
    assert 0 < info["threshold"] < 150
    assert info["p_at_threshold"] >= 0.8
    assert (np.diff(curve["p"]) <= 0).all()
    fails, meets = info["bracket"]
    assert fails > meets == info["threshold"]  # the "fails" end lies above
    assert "largest contracts.medicaid.pmpm_usd at which P(net <= 0) is at least 80%" in stdout

    # the salary is in the uncertainty section: its column is dropped, the others stay as drawn
    out = tmp_path / "salary"
    code, stdout, _ = run(
        capsys,
        "threshold",
        experiment,
        "--param",
        "costs.care_manager_salary",
        "--range",
        "30000",
        "200000",
        "--output",
        "net_margin_pct",
        "--direction",
        "decreasing",
        "--grid",
        "5",
        "--serial",
        "--no-figures",
        "--set",
        "contracts.medicaid.pmpm_usd=70",
        "--out",
        out,
    )
    assert code == 0
    assert "costs.care_manager_salary is in the experiment's uncertainty section" in stdout
    curve, info = read(out)
    assert info["dropped_from_uncertainty"] is True
    assert (np.diff(curve["p"]) <= 0).all()
    exp = load_experiment(experiment)
    search = prepare_search(exp, "costs.care_manager_salary", "net", value_range=(30000, 200000))
    full = draws_table(exp)
    assert list(search.draws.columns) == ["draw", "costs.startup_leadership"]
    pd.testing.assert_frame_equal(search.draws, full.drop(columns=["costs.care_manager_salary"]))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--param", "contracts.medicaid.pmpm_usdd", "--output", "net"], "pmpm_usdd"),
        (["--param", "care_model", "--output", "net"], "care_model"),
        (
            ["--param", "cocm.consent_probability", "--range", "0.5", "1.5", "--output", "net"],
            "--range",
        ),
        (
            ["--param", "contracts.medicaid.pmpm_usd", "--confidence", "1.5", "--output", "net"],
            "--confidence",
        ),
        (
            ["--param", "contracts.medicaid.pmpm_usd", "--output", "net_marginn_pct"],
            "net_marginn_pct",
        ),
        (
            ["--param", "contracts.medicaid.pmpm_usd", "--output", "payer.payer_net_savings"],
            "payer.payer_net_savings",
        ),
        (["--param", "contracts.medicaid.pmpm_usd", "--output", "net", "--grid", "1"], "--grid"),
        (
            ["--param", "contracts.medicaid.pmpm_usd", "--output", "net", "--strategy", "x"],
            "--strategy",
        ),
        (["--param", "simulation.seed", "--output", "net"], "--range"),  # no plausible range
        (
            ["--param", "population.payer_mix.medicare", "--range", "0", "1", "--output", "net"],
            "payer_mix",
        ),
    ],
)
def test_bad_input_exits_2_names_the_key_and_writes_nothing(
    experiment, tmp_path, capsys, args, needle
):
    out = tmp_path / "never"
    code, _, err = run(capsys, "threshold", experiment, *args, "--serial", "--out", out)
    assert code == 2
    assert needle in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".never")]
