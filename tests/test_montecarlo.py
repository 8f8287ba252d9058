"""Monte Carlo PSA: experiment files, common random numbers, summaries and the `intsim mc` CLI."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from intsim.analysis.batch import Task, run_task, task_seed
from intsim.analysis.montecarlo import (
    budget_columns,
    build_tasks,
    draws_table,
    load_experiment,
    summarise_runs,
)
from intsim.cli import main
from intsim.params.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
SMALL = {
    "population.n_patients": 800,
    "staffing.n_pcps": 1,
    "staffing.care_manager_fte": 0.5,
    "staffing.bhc_fte": 0.3,
    "staffing.psychiatric_consultant_hours_per_week": 1.5,
    "simulation.months": 12,
    "finance.counterfactual": False,
}


def write_experiment(tmp_path: Path, body: str) -> Path:
    lines = "\n".join(f"  {k}: {v}" for k, v in SMALL.items())
    text = f"name: tiny\nscenario: {ROOT / 'configs' / 'default.yaml'}\nset:\n{lines}\n" + body
    path = tmp_path / "exp.yaml"
    path.write_text(text)
    return path


EXPERIMENT = """
strategies:
  usual_care: {care_model: usual_care}
  cocm: {care_model: cocm}
uncertainty:
  clinical.cocm_response_hr: {dist: lognormal, median: 3.4, ci: [2.5, 4.6]}
  costs.care_manager_salary: {dist: uniform, low: 60000, high: 85000}
sampling: {method: lhs, seed: 11}
monte_carlo: {runs: 4, reps: 2, break_even_by: [6, 12]}
"""


def test_experiment_tasks_share_draws_and_seeds_across_strategies(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, EXPERIMENT))
    draws = draws_table(exp)
    assert len(draws) == 4
    tasks = build_tasks(exp, draws)
    assert len(tasks) == 4 * 2 * 2
    by_key: dict[tuple[int, int], set[int]] = {}
    for t in tasks:
        by_key.setdefault((t.draw, t.rep), set()).add(t.seed)
        hr = t.scenario.values.clinical.cocm_response_hr
        assert hr == pytest.approx(draws["clinical.cocm_response_hr"].iloc[t.draw])
    assert all(len(seeds) == 1 for seeds in by_key.values())  # common random numbers
    assert len({next(iter(s)) for s in by_key.values()}) == len(by_key)
    assert [t.task_id for t in tasks] == list(range(len(tasks)))


def test_bad_experiment_files_name_the_key(tmp_path):
    for body, needle in (
        ("sampling: {method: grid}", "sampling.method"),
        ("monte_carlo: {runs: 0}", "monte_carlo.runs"),
        ("strategies: {a: 3}", "strategies.a"),
        ("strategies: {a: {care_model: magic}}", "care_model"),
        ("uncertainty: {no.such.param: 1}", "no.such.param"),
        ("bogus: 1", "bogus"),
        ("set: [1, 2]", "set"),
    ):
        with pytest.raises(ScenarioError, match=needle.replace(".", r"\.")):
            load_experiment(write_experiment(tmp_path, body))


def test_common_random_numbers_lower_the_variance_of_increments():
    """Same seeds for both strategies vs independent seeds: the increment is far less noisy."""
    from intsim.params.scenario import default_scenario  # noqa: PLC0415

    base = default_scenario().with_overrides({**SMALL, "simulation.months": 18})
    uc = base.with_overrides({"care_model": "usual_care"})
    cocm = base.with_overrides({"care_model": "cocm"})
    crn, independent = [], []
    for rep in range(12):
        s = task_seed(5, 0, rep)
        other = task_seed(999, 0, rep)
        a = run_task(Task(0, 0, rep, "uc", uc, s))["responders"]
        b = run_task(Task(1, 0, rep, "cocm", cocm, s))["responders"]
        c = run_task(Task(2, 0, rep, "cocm", cocm, other))["responders"]
        crn.append(b - a)
        independent.append(c - a)
    ratio = np.var(crn, ddof=1) / np.var(independent, ddof=1)
    # fixed seeds; CRN removes the shared patient-level noise (observed ratio ~0.1-0.2)
    assert ratio < 0.5


def test_summaries_probabilities_and_increments():
    runs = pd.DataFrame(
        {
            "task_id": range(8),
            "draw": [0, 0, 1, 1, 2, 2, 3, 3],
            "rep": [0] * 8,
            "strategy": ["a", "b"] * 4,
            "net": [0.0, 10.0, 5.0, 20.0, -5.0, -2.0, 1.0, 4.0],
            "npv": [-1.0, 1.0, 2.0, 3.0, -4.0, 5.0, 6.0, -7.0],
            "break_even_month": [np.nan, 3.0, 10.0, 12.0, np.nan, np.nan, 24.0, 1.0],
            # the grant carries break-even: without it only one run of b breaks even by 12
            "break_even_month_without_grant": [np.nan, np.nan, 20.0, 12.0] + [np.nan] * 4,
            "payback_month": [np.nan] * 8,
            "cash_trough": [-10.0, -20.0, -30.0, -40.0, -50.0, -60.0, -70.0, -80.0],
            "responders": [1.0] * 8,
            "patients_served": [0.0, 1.0] * 4,
            "budget_y2.net": [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -8.0],
            "budget_y1.net": [1.0] * 8,
            "budget_y1.revenue": [9.0] * 8,
        }
    )
    assert budget_columns(runs) == ["budget_y1.net", "budget_y2.net"]
    s = summarise_runs(runs, [12], months=24).set_index(["strategy", "metric", "statistic"])
    assert s.loc[("b", "net", "mean"), "value"] == pytest.approx(8.0)
    assert s.loc[("b", "net", "n"), "value"] == 4
    assert s.loc[("b", "break_even_month", "P(<= 12)"), "value"] == pytest.approx(0.75)
    assert s.loc[("b", "break_even_month_without_grant", "P(<= 12)"), "value"] == 0.25
    assert s.loc[("b", "budget_y2.net", "mean"), "value"] == pytest.approx(-5.0)
    assert s.loc[("a", "break_even_month_without_grant", "P(<= 12)"), "value"] == 0.0
    assert s.loc[("a", "npv", "P(> 0)"), "value"] == pytest.approx(0.5)
    assert s.loc[("b", "delta_vs_a:net", "mean"), "value"] == pytest.approx((10 + 15 + 3 + 3) / 4)
    assert s.loc[("b", "delta_vs_a:net", "P(> 0)"), "value"] == 1.0
    assert s.loc[("a", "net", "mcse"), "value"] == pytest.approx(np.std([0, 5, -5, 1], ddof=1) / 2)


def test_intsim_mc_end_to_end_and_resume(tmp_path, capsys):
    exp = write_experiment(tmp_path, EXPERIMENT)
    out = tmp_path / "mc"
    args = ["mc", str(exp), "--serial", "--out", str(out), "--quiet", "--chunk-size", "3"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "intsim mc tiny: 4 draws x 2 reps x 2 strategies" in printed
    for name in (
        "runs.parquet",
        "summary.csv",
        "draws.parquet",
        "manifest.json",
        "fan_cumulative_net.png",
        "histograms.png",
        "convergence.png",
    ):
        assert (out / name).exists(), name
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 16
    assert set(runs["strategy"]) == {"usual_care", "cocm"}
    summary = pd.read_csv(out / "summary.csv")
    assert {"strategy", "metric", "statistic", "value"} <= set(summary.columns)
    assert (summary["statistic"] == "P(<= 12)").any()
    # the budget by year survives the batch: year nets add up to each run's net
    nets = runs[[c for c in runs.columns if c.startswith("budget_y") and c.endswith(".net")]]
    assert nets.shape[1] >= 1
    np.testing.assert_allclose(nets.sum(axis=1), runs["net"], rtol=1e-9, atol=1e-6)
    assert "budget_y1.gap_without_grant" in set(summary["metric"])
    first = (out / "runs.parquet").read_bytes()
    # the same command again without --resume refuses; with --resume it computes nothing
    assert main(args) == 2
    assert main([*args, "--resume"]) == 0
    assert (out / "runs.parquet").read_bytes() == first
    log = [json.loads(x) for x in (out / "batch_log.jsonl").read_text().splitlines()]
    assert log[-1]["status"] == "complete"
    assert log[-1]["computed_tasks"] == 0
    assert log[0]["computed_tasks"] == 16


def test_intsim_mc_bad_input_exits_2(tmp_path, capsys):
    bad = write_experiment(tmp_path, "sampling: {method: grid}")
    assert main(["mc", str(bad), "--serial", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "sampling.method" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()
    assert main(["mc", str(tmp_path / "missing.yaml")]) == 2


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "configs" / "experiments").glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_shipped_experiment_files_load(path):
    exp = load_experiment(path)
    assert exp.strategies
    for scenario in exp.strategies.values():
        assert scenario.values.simulation.months >= 1
