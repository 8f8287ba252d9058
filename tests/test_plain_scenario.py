"""The analysis commands accept a plain scenario file (issue 13, item 2).

``intsim mc | threshold | tornado | twoway | sobol | morris`` read an experiment file or a plain
scenario file, told apart by their keys (:func:`intsim.analysis.montecarlo.file_kind`); with a plain
scenario the factors come from the command line and the uncertainty from the declarations.
Each command runs once here on a 600-patient, 12-month clinic, serially.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from intsim.analysis.montecarlo import file_kind, load_experiment
from intsim.cli import build_parser, main
from intsim.params.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
TINY = f"""name: tiny_rural
extends: {ROOT / "configs" / "rural_fqhc_hybrid.yaml"}
population: {{n_patients: 600}}
staffing: {{n_pcps: 1, care_manager_fte: 0.5, bhc_fte: 0.5}}
simulation: {{months: 12}}
finance: {{counterfactual: false}}
"""
SALARY, CASELOAD = "costs.care_manager_salary", "cocm.caseload_per_fte"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plain") / "tiny_rural.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def run(argv: list[str], out: Path) -> int:
    return main([*argv, "--serial", "--no-figures", "--out", str(out)])


def test_file_kind_reads_the_keys(tiny: Path) -> None:
    assert file_kind(tiny, {"extends": "x.yaml", "care_model": "cocm"}) == "scenario"
    assert file_kind(tiny, {"scenario": "x.yaml"}) == "experiment"
    with pytest.raises(ScenarioError, match=r"scenario: missing .* experiment key uncertainty"):
        file_kind(tiny, {"care_model": "cocm", "uncertainty": {"defaults": True}})
    exp = load_experiment(tiny, runs=3)
    assert exp.plain
    assert list(exp.strategies) == ["tiny_rural"]
    assert exp.uncertainty.columns  # the declared distributions


def test_mc_on_a_plain_scenario(tiny: Path, tmp_path: Path) -> None:
    assert main(["mc", str(tiny), "--runs", "3", "--serial", "--no-figures", "--quiet",
                 "--out", str(tmp_path / "mc")]) == 0  # fmt: skip
    runs = pd.read_parquet(tmp_path / "mc" / "runs.parquet")
    assert len(runs) == 3
    assert set(runs["strategy"]) == {"tiny_rural"}
    draws = pd.read_parquet(tmp_path / "mc" / "draws.parquet")
    assert SALARY in draws.columns  # drawn from its declared distribution


def test_threshold_on_a_plain_scenario(tiny: Path, tmp_path: Path) -> None:
    argv = ["threshold", str(tiny), "--param", "contracts.medicaid.pmpm_usd", "--range", "0"]
    argv += ["40", "--output", "net", "--runs", "3", "--grid", "3"]
    assert run(argv, tmp_path / "th") == 0
    info = json.loads((tmp_path / "th" / "threshold.json").read_text(encoding="utf-8"))
    assert info["range"] == [0.0, 40.0]
    assert info["runs"] == 3
    assert info["strategy"] == "tiny_rural"


def test_tornado_on_a_plain_scenario_with_factors(tiny: Path, tmp_path: Path) -> None:
    argv = ["tornado", str(tiny), "--output", "net", "--factors", f"{SALARY},{CASELOAD}"]
    assert run(argv, tmp_path / "to") == 0
    table = pd.read_csv(tmp_path / "to" / "tornado.csv")
    assert set(table["factor"]) == {SALARY, CASELOAD}
    salary = table[table["factor"] == SALARY].iloc[0]
    # the declared PERT of the salary (docs/evidence.md D4): 5th and 95th percentiles
    assert 40040 < salary["low_value"] < 71790 < salary["high_value"] < 103540
    assert salary["output_high"] < salary["base_output"] < salary["output_low"]


def test_twoway_on_a_plain_scenario(tiny: Path, tmp_path: Path) -> None:
    argv = ["twoway", str(tiny), "--x", "contracts.medicaid.pmpm_usd", "--y", SALARY]
    argv += ["--grid", "2", "2"]
    assert run(argv, tmp_path / "tw") == 0
    table = pd.read_csv(tmp_path / "tw" / "twoway.csv")
    assert len(table) == 4
    assert sorted(table["contracts.medicaid.pmpm_usd"].unique()) == [0.0, 15.0]  # plausible


def test_sobol_on_a_plain_scenario_with_a_cumulative_output(tiny: Path, tmp_path: Path) -> None:
    # issue 13: cumulative_net_m12 among the outputs crashed (it is also a time-resolved month)
    argv = ["sobol", str(tiny), "--factors", f"{SALARY},{CASELOAD}", "--n", "4"]
    argv += ["--outputs", "net,cumulative_net_m12"]
    assert run(argv, tmp_path / "so") == 0
    indices = pd.read_csv(tmp_path / "so" / "indices.csv")
    assert set(indices["output"]) == {"net", "cumulative_net_m12"}
    timed = pd.read_csv(tmp_path / "so" / "indices_time.csv")
    assert set(timed["output"]) == {"cumulative_net_m6", "cumulative_net_m12"}


def test_morris_on_a_plain_scenario_with_factors(tiny: Path, tmp_path: Path) -> None:
    argv = ["morris", str(tiny), "--factors", f"{SALARY},{CASELOAD}", "--trajectories", "2"]
    argv += ["--outputs", "net"]
    assert run(argv, tmp_path / "mo") == 0
    table = pd.read_csv(tmp_path / "mo" / "morris.csv")
    assert set(table["factor"]) == {SALARY, CASELOAD}


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["sobol", "{tiny}", "--n", "4"], "--factors: required with a plain scenario"),
        (["tornado", "{tiny}", "--factors", "nosuch.param"], "--factors nosuch.param"),
        (["tornado", "{tiny}", "--factors", f"{SALARY},{SALARY}"], "listed twice"),
        (["tornado", "{tiny}", "--factors", "care_model"], "--factors care_model"),
        (["tornado", "{tiny}", "--factors", "a,,b"], "--factors"),
        (["mc", "{mixed}"], "scenario: missing"),
    ],
)
def test_plain_scenario_errors_exit_2_and_write_nothing(
    tiny: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    named: str,
) -> None:
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(TINY + "uncertainty: {defaults: true}\n", encoding="utf-8")
    filled = [a.replace("{tiny}", str(tiny)).replace("{mixed}", str(mixed)) for a in argv]
    out = tmp_path / "out"
    assert run(filled, out) == 2
    err = capsys.readouterr().err
    assert named in err
    assert "Traceback" not in err
    assert not out.exists()


def test_help_documents_the_plain_forms_and_both_figure_formats() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for command in ("mc", "threshold", "tornado", "twoway", "sobol", "morris"):
        text = sub.choices[command].format_help()
        assert "plain scenario file" in text, command
        assert f"intsim {command} configs/rural_fqhc_hybrid.yaml" in text, command
        assert "(PNG and SVG)" in text, command
    assert "(PNG and SVG)" in sub.choices["run"].format_help()
