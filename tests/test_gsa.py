"""Global sensitivity analysis of the model: factor parsing, the response, `intsim sobol|morris`."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from intsim.analysis.gsa import ModelResponse, parse_factors, seeds_for
from intsim.cli import main
from intsim.params.scenario import ScenarioError, default_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = {
    "population.n_patients": 500,
    "staffing.n_pcps": 1,
    "staffing.care_manager_fte": 0.4,
    "staffing.bhc_fte": 0.3,
    "staffing.psychiatric_consultant_hours_per_week": 1.2,
    "simulation.months": 12,
    "finance.counterfactual": False,
}
EXPERIMENT = """
strategies:
  cocm: {care_model: cocm}
sensitivity:
  n: 8
  reps: 2
  seed: 3
  outputs: [net, npv, break_even_month]
  factors:
    cocm.caseload_per_fte: {range: [50, 120], group: workforce}
    costs.care_manager_salary: {range: [55000, 95000], group: workforce}
    payers.medicaid.relativity_cocm: {range: [0.5, 1.2], group: payer_rates}
"""


def write(tmp_path: Path, body: str = EXPERIMENT) -> Path:
    lines = "\n".join(f"  {k}: {v}" for k, v in SMALL.items())
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"name: tiny\nscenario: {ROOT / 'configs' / 'default.yaml'}\nset:\n{lines}\n" + body
    )
    return path


def test_factors_validate_against_the_declaration():
    f = parse_factors(
        {"cocm.caseload_per_fte": {"range": [50, 120], "group": "w"}, "costs.startup_it": {}}
    )
    assert f[0].spec == (50.0, 120.0)
    assert f[0].is_int
    assert f[1].spec == (5000.0, 50000.0)  # the declared plausible range
    for bad, needle in (
        ({"no.such": {}}, "no.such"),
        ({"care_model": {}}, "numeric"),
        ({"cocm.consent_probability": {"range": [0.5, 1.5]}}, "bounds"),
        ({"cocm.consent_probability": {"range": [0.9, 0.1]}}, "low < high"),
        ({"simulation.seed": {}}, "plausible"),
        ({"cocm.consent_probability": {"range": [0.1, 0.9], "oops": 1}}, "only range"),
    ):
        with pytest.raises(ScenarioError, match=needle):
            parse_factors(bad)


def test_response_rounds_integers_censors_never_and_reports_time_points():
    sc = default_scenario().with_overrides({**SMALL, "care_model": "cocm"})
    factors = parse_factors({"cocm.caseload_per_fte": {"range": [50, 120]}})
    r = ModelResponse(
        sc, factors, ["break_even_month", "cumulative_net_m6", "payer.tcoc_pmpm"], seeds_for(1, 2)
    )
    assert r.row_overrides(np.array([79.6])) == {"cocm.caseload_per_fte": 80}
    out = r(np.array([[80.0], [60.0]]))
    assert out.shape == (2, 3)
    assert np.isfinite(out).all()
    assert (out[:, 0] == 13).all()  # never breaks even within 12 months: censored at 13
    assert seeds_for(1, 2)[0] != seeds_for(1, 2)[1]


def test_intsim_sobol_writes_indices_and_figures(tmp_path, capsys):
    out = tmp_path / "sobol"
    assert main(["sobol", str(write(tmp_path)), "--serial", "--out", str(out), "--n", "16"]) == 0
    idx = pd.read_csv(out / "indices.csv")
    assert list(idx.columns[:7]) == [
        "strategy",
        "output",
        "factor",
        "S1",
        "S1_conf",
        "ST",
        "ST_conf",
    ]
    assert set(idx["output"]) == {"net", "npv", "break_even_month"}
    assert len(idx) == 3 * 3
    # salaries move cost one for one: the care-manager salary dominates the net
    net = idx[idx["output"] == "net"].set_index("factor")
    assert net["ST"].idxmax() == "costs.care_manager_salary"
    timed = pd.read_csv(out / "indices_time.csv")
    assert set(timed["output"]) == {"cumulative_net_m6", "cumulative_net_m12"}
    assert (out / "convergence.csv").exists()
    assert (out / "stochastic_share.csv").exists()
    for png in ("sobol_cocm.png", "sobol_time_cocm.png", "sobol_convergence.png"):
        assert (out / png).exists()
    grouped = tmp_path / "grouped"
    assert (
        main(
            [
                "sobol",
                str(write(tmp_path)),
                "--serial",
                "--out",
                str(grouped),
                "--groups",
                "--no-figures",
            ]
        )
        == 0
    )
    g = pd.read_csv(grouped / "indices.csv")
    assert set(g["factor"]) == {"workforce", "payer_rates"}


def test_intsim_morris_and_bad_input(tmp_path, capsys):
    out = tmp_path / "morris"
    assert (
        main(
            [
                "morris",
                str(write(tmp_path)),
                "--serial",
                "--trajectories",
                "3",
                "--out",
                str(out),
                "--reps",
                "1",
            ]
        )
        == 0
    )
    m = pd.read_csv(out / "morris.csv")
    assert {"strategy", "output", "factor", "mu", "mu_star", "sigma", "mu_star_conf"} <= set(m)
    assert (
        main(["sobol", str(write(tmp_path)), "--serial", "--n", "12", "--out", str(tmp_path / "x")])
        == 2
    )
    assert "power of 2" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    bad = write(tmp_path, EXPERIMENT.replace("cocm.caseload_per_fte", "no.such.param"))
    assert main(["sobol", str(bad), "--serial", "--out", str(tmp_path / "y")]) == 2
    assert "no.such.param" in capsys.readouterr().err


def test_sobol_experiment_script_quick(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "sobol_sustainability", ROOT / "experiments" / "sobol_sustainability.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "study"
    assert module.main(["--quick", "--out", str(out)]) == 0
    idx = pd.read_csv(out / "indices.csv")
    assert set(idx["strategy"]) == {"cocm"}
    assert set(idx["output"]) == {"net_margin_pct", "break_even_month", "npv", "patients_served"}
