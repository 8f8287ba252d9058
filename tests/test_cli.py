"""The ``intsim`` command: run, validate, params; exit statuses; outputs written atomically."""

from __future__ import annotations

import contextlib
import io
import json
import re
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from intsim import __version__
from intsim.cli import main
from intsim.params import PARAMETERS
from intsim.params.scenario import default_scenario, load_scenario
from test_scenario import BAD_FILES, CONFIGS, DEFAULT_YAML, SHIPPED, SMALL

SMALL_OVERRIDES = ["population.n_patients=500", "staffing.n_pcps=1", "simulation.months=3"]
FIGURES = {
    f"{stem}.{ext}"
    for stem in ("patient_flow", "capacity", "workforce", "cash_flow", "revenue_mix")
    for ext in ("png", "svg")
}
RUN_FILES = {
    "monthly.csv",
    "monthly.parquet",
    "claims.parquet",
    "summary.json",
    "budget_by_year.csv",
    "manifest.json",
    *FIGURES,
}
MONTHLY_COLUMNS = [
    "month",
    "panel_size",
    "bh_prevalent",
    "screened",
    "detected",
    "enrolled_new",
    "active_cocm",
    "active_pcbh",
    "waitlist",
    "responders",
    "remissions",
    "relapses",
    "dropouts",
    "pcp_visits",
    "bhc_visits",
    "cm_minutes",
    "psych_minutes",
    "ed_visits",
    "admissions",
    "cm_utilization",
    "bhc_utilization",
]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_user_error(result, *fragments: str) -> None:
    """Exit status 2, one clear message on stderr, no traceback, nothing on stdout."""
    assert result.code == 2, (result.code, result.err)
    assert "Traceback" not in result.err
    assert "intsim: error:" in result.err
    assert result.out == ""
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} not in {result.err!r}"


# --------------------------------------------------------------------------- intsim run: success


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One small run with figures, shared by the tests that inspect its outputs."""
    out = tmp_path_factory.mktemp("run") / "out"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["run", str(DEFAULT_YAML), *SMALL, "--seed", "7", "--out", str(out)])
    return SimpleNamespace(code=code, out_dir=out, stdout=buf.getvalue())


def test_run_writes_all_outputs(small_run) -> None:
    assert small_run.code == 0
    assert {p.name for p in small_run.out_dir.iterdir()} == RUN_FILES
    for png in (f for f in FIGURES if f.endswith(".png")):
        assert (small_run.out_dir / png).read_bytes()[:8] == PNG_MAGIC
    # Nothing but the run directory is left next to it (no temporary or old copies).
    assert [p.name for p in small_run.out_dir.parent.iterdir()] == ["out"]


def test_run_prints_the_summary(small_run) -> None:
    out = small_run.stdout
    assert out.startswith("intsim default: hybrid, 3 months, seed 7, engine arrays")
    assert re.search(r"Months simulated\s+3", out)
    assert "Care-manager time used" in out
    assert f"outputs written to {small_run.out_dir}/" in out


def test_monthly_csv_has_one_row_per_month(small_run) -> None:
    monthly = pd.read_csv(small_run.out_dir / "monthly.csv")
    missing = [c for c in MONTHLY_COLUMNS if c not in monthly.columns]
    assert not missing
    assert monthly["month"].tolist() == [1, 2, 3]
    assert (monthly["panel_size"] == 500).all()
    assert monthly[["cm_utilization", "bhc_utilization"]].ge(0).all().all()


def test_csv_and_parquet_agree(small_run) -> None:
    csv = pd.read_csv(small_run.out_dir / "monthly.csv")
    parquet = pd.read_parquet(small_run.out_dir / "monthly.parquet")
    assert list(csv.columns) == list(parquet.columns)
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False, rtol=1e-12)


def test_manifest_records_the_resolved_scenario(small_run) -> None:
    manifest = json.loads((small_run.out_dir / "manifest.json").read_text())
    for key in ("scenario", "scenario_hash", "seed", "engine", "versions", "git_commit"):
        assert key in manifest
    expected = load_scenario(DEFAULT_YAML, [*SMALL_OVERRIDES, "simulation.seed=7"])
    assert manifest["scenario"] == expected.to_dict()
    assert manifest["scenario_hash"] == expected.scenario_hash()
    assert manifest["seed"] == 7
    assert manifest["engine"] == "arrays"
    assert manifest["months"] == 3
    assert manifest["versions"]["intsim"] == __version__
    assert manifest["versions"]["python"]
    assert manifest["git_commit"] is None or re.fullmatch(
        r"[0-9a-f]{40}(-dirty)?", manifest["git_commit"]
    )
    assert manifest["command"][:2] == ["intsim", "run"]


def test_summary_json(small_run) -> None:
    summary = json.loads((small_run.out_dir / "summary.json").read_text())
    monthly = pd.read_csv(small_run.out_dir / "monthly.csv")
    assert summary["months"] == 3
    assert summary["care_model"] == "hybrid"
    assert summary["screened"] == monthly["screened"].sum()
    assert summary["ed_visits"] == monthly["ed_visits"].sum()


def test_budget_by_year_is_a_table_that_adds_up_to_the_net(small_run) -> None:
    summary = json.loads((small_run.out_dir / "summary.json").read_text())
    budget = pd.read_csv(small_run.out_dir / "budget_by_year.csv")
    assert list(budget["year"]) == [1]  # a 3-month run is one (short) programme year
    assert budget["net"].sum() == pytest.approx(summary["net"], rel=1e-9, abs=1e-6)
    assert budget["startup"].iloc[0] == pytest.approx(summary["startup_cost"], abs=1e-6)
    assert "Budget by year (USD" in small_run.stdout
    row = small_run.stdout.split("Budget by year", 1)[1].splitlines()[2].split()
    assert row[0] == "1"
    assert row[-2] == f"{round(summary['net']):,}"


def test_run_directory_gets_ordinary_permissions(small_run, tmp_path) -> None:
    reference = tmp_path / "reference"
    reference.mkdir()
    mode = stat.S_IMODE(small_run.out_dir.stat().st_mode)
    assert mode == stat.S_IMODE(reference.stat().st_mode)


def test_default_output_directory(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("run", DEFAULT_YAML.resolve(), *SMALL, "--no-figures", "--quiet")
    assert result.code == 0, result.err
    digest = load_scenario(DEFAULT_YAML, SMALL_OVERRIDES).scenario_hash()[:8]
    assert re.fullmatch(r"[0-9a-f]{8}", digest)
    run_dir = tmp_path / "results" / f"default-{digest}"
    assert result.out.strip() == str(Path("results") / f"default-{digest}")
    assert {p.name for p in run_dir.iterdir()} == RUN_FILES - FIGURES
    assert [p.name for p in (tmp_path / "results").iterdir()] == [run_dir.name]


def test_rerun_replaces_the_output_directory(cli, tmp_path) -> None:
    out = tmp_path / "out"
    assert cli("run", DEFAULT_YAML, *SMALL, "--no-figures", "--seed", "1", "--out", out).code == 0
    first = (out / "monthly.csv").read_text()
    result = cli("run", DEFAULT_YAML, *SMALL, "--no-figures", "--seed", "2", "--out", out)
    assert result.code == 0, result.err
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert (out / "monthly.csv").read_text() != first
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_rerun_keeps_a_file_added_to_the_run_directory(cli, tmp_path) -> None:
    # a file the user put into an earlier run's directory is never deleted (issue 11)
    out = tmp_path / "out"
    assert cli("run", DEFAULT_YAML, *SMALL, "--no-figures", "--seed", "1", "--out", out).code == 0
    (out / "notes.txt").write_text("mine")
    result = cli("run", DEFAULT_YAML, *SMALL, "--no-figures", "--seed", "2", "--out", out)
    assert_user_error(result, "--out", str(out), "notes.txt", "nothing was touched")
    assert (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1


def test_run_into_an_existing_empty_directory(cli, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert cli("run", DEFAULT_YAML, *SMALL, "--no-figures", "--quiet", "--out", out).code == 0
    assert (out / "manifest.json").is_file()


def test_run_refuses_to_replace_an_unrelated_directory(cli, tmp_path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    result = cli("run", DEFAULT_YAML, *SMALL, "--no-figures", "--out", out)
    assert_user_error(result, "--out", str(out), "not an intsim run directory", "manifest.json")
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["documents"]


def test_run_refuses_the_current_directory(cli, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert_user_error(cli("run", DEFAULT_YAML, *SMALL, "--out", "."), "current directory")
    assert list(tmp_path.iterdir()) == []


def test_out_is_a_file(cli, tmp_path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert_user_error(cli("run", DEFAULT_YAML, *SMALL, "--out", target), "not a directory")
    assert_user_error(
        cli("run", DEFAULT_YAML, *SMALL, "--out", target / "sub"), str(target), "not a directory"
    )
    assert target.read_text() == "x"


def test_write_failure_leaves_nothing_behind(cli, tmp_path, monkeypatch) -> None:
    out = tmp_path / "out"

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("intsim.report.run.save_run_figures", disk_full)
    result = cli("run", DEFAULT_YAML, *SMALL, "--out", out)
    assert_user_error(result, "--out", "cannot write the outputs", "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_the_previous_run(cli, tmp_path, monkeypatch) -> None:
    out = tmp_path / "out"
    assert cli("run", DEFAULT_YAML, *SMALL, "--no-figures", "--seed", "3", "--out", out).code == 0

    def broken(*args, **kwargs):
        raise RuntimeError("figure bug")

    monkeypatch.setattr("intsim.report.run.save_run_figures", broken)
    result = cli("run", DEFAULT_YAML, *SMALL, "--seed", "4", "--out", out)
    assert result.code == 1
    assert "Traceback" in result.err
    assert "internal error" in result.err
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_unexpected_exception_is_a_bug(cli, tmp_path, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr("intsim.sim.runner.simulate", broken)
    out = tmp_path / "out"
    result = cli("run", DEFAULT_YAML, *SMALL, "--out", out)
    assert result.code == 1
    assert "ZeroDivisionError: oops" in result.err
    assert "please report it" in result.err
    assert not out.exists()


# --------------------------------------------------------------------------- intsim run: bad input


@pytest.mark.parametrize(("text", "fragments"), BAD_FILES)
def test_run_bad_scenario_file(cli, tmp_path, text: str, fragments: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert_user_error(cli("run", path, "--out", out), *fragments)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]


@pytest.mark.parametrize(
    ("item", "fragments"),
    [
        ("cocm.consent_probability=1.5", ["cocm.consent_probability", "1.5", "[0, 1]"]),
        ("cocm.consent_probability=high", ["cocm.consent_probability", "'high'", "a number"]),
        ("cocm.caseload_per_fte=80.5", ["cocm.caseload_per_fte", "80.5", "an integer"]),
        ("cocm.caseload_per_fte=0", ["cocm.caseload_per_fte", "got 0", "[1, 1000]"]),
        ("staffing.care_manager_fte=-1", ["staffing.care_manager_fte", "got -1", "[0, 10000]"]),
        ("staffing.pcp_visits_per_day=0", ["staffing.pcp_visits_per_day", "got 0", "[1, 60]"]),
        ("care_model=magic", ["care_model", "'magic'", "'usual_care'"]),
        ("population.payer_mix.medicare=0.5", ["population.payer_mix", "1.28"]),
        ("simulation.engine=gpu", ["simulation.engine", "'gpu'", "'arrays'"]),
    ],
)
def test_run_bad_override_value(cli, tmp_path, item: str, fragments: list[str]) -> None:
    out = tmp_path / "out"
    assert_user_error(cli("run", DEFAULT_YAML, "--set", item, "--out", out), *fragments)
    assert not out.exists()


def test_run_missing_file(cli, tmp_path) -> None:
    missing = tmp_path / "nope.yaml"
    out = tmp_path / "out"
    assert_user_error(cli("run", missing, "--out", out), str(missing), "not found")
    assert not out.exists()


def test_run_directory_instead_of_file(cli, tmp_path) -> None:
    out = tmp_path / "out"
    assert_user_error(cli("run", tmp_path, "--out", out), str(tmp_path), "is a directory")
    assert not out.exists()


def test_run_extends_cycle(cli, write_yaml, tmp_path) -> None:
    a = write_yaml("a.yaml", "extends: b.yaml\n")
    write_yaml("b.yaml", "extends: a.yaml\n")
    out = tmp_path / "out"
    assert_user_error(cli("run", a, "--out", out), "extends", "cycle", "a.yaml", "b.yaml")
    assert not out.exists()


def test_run_missing_extends_target(cli, write_yaml, tmp_path) -> None:
    child = write_yaml("child.yaml", "extends: gone/parent.yaml\ncare_model: cocm\n")
    out = tmp_path / "out"
    assert_user_error(cli("run", child, "--out", out), "extends", "gone/parent.yaml", "not found")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        pytest.param(["frobnicate"], ["invalid choice", "'frobnicate'"], id="unknown-subcommand"),
        pytest.param([], ["required", "COMMAND"], id="no-subcommand"),
        pytest.param(["run"], ["required", "scenario"], id="no-scenario"),
        pytest.param(["run", "{cfg}", "--seed", "0"], ["--seed", ">= 1", "0"], id="seed-0"),
        pytest.param(["run", "{cfg}", "--seed", "-1"], ["--seed", ">= 1"], id="seed-negative"),
        pytest.param(["run", "{cfg}", "--seed", "abc"], ["--seed", "'abc'"], id="seed-abc"),
        pytest.param(["run", "{cfg}", "--seed", "1.5"], ["--seed", "'1.5'"], id="seed-float"),
        pytest.param(
            ["run", "{cfg}", "--engine", "gpu"], ["--engine", "'gpu'", "arrays"], id="engine-gpu"
        ),
        pytest.param(["run", "{cfg}", "--months", "-3"], ["--months", "-3"], id="months-neg"),
        pytest.param(["run", "{cfg}", "--months", "0"], ["--months", ">= 1"], id="months-0"),
        pytest.param(["run", "{cfg}", "--set", "nokey"], ["'nokey'", "KEY.PATH=VALUE"], id="set"),
        pytest.param(
            ["run", "{cfg}", "--set", "bogus.key=1"],
            ["bogus.key", "unknown key", "care_model"],
            id="set-unknown-key",
        ),
        pytest.param(
            ["run", "{cfg}", "--set", "cocm=3"], ["cocm", "is a section"], id="set-section"
        ),
        pytest.param(["run", "{cfg}", "--colour", "red"], ["unrecognized", "--colour"], id="flag"),
        pytest.param(["validate", "{cfg}", "--set", "nokey"], ["'nokey'"], id="validate-set"),
        pytest.param(["params", "extra"], ["unrecognized", "extra"], id="params-extra"),
    ],
)
def test_bad_arguments(cli, tmp_path, args: list[str], fragments: list[str]) -> None:
    out = tmp_path / "out"
    argv = [str(DEFAULT_YAML) if a == "{cfg}" else a for a in args]
    if argv and argv[0] == "run" and len(argv) > 1:
        argv += ["--out", str(out)]
    result = cli(*argv)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "intsim: error:" in result.err
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} not in {result.err!r}"
    assert not out.exists()


def test_help_and_version(cli) -> None:
    result = cli("--help")
    assert result.code == 0
    assert "run" in result.out
    assert "validate" in result.out
    result = cli("--version")
    assert result.code == 0
    assert result.out.strip() == f"intsim {__version__}"


# --------------------------------------------------------------------------- subprocess


def run_intsim(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "intsim", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_subprocess_bad_scenario_exits_2_without_traceback(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("staffing:\n  care_manager_fte: -1\n")
    out = tmp_path / "out"
    proc = run_intsim("run", bad, "--out", out, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "staffing.care_manager_fte: got -1; expected a number in [0, 10000]" in proc.stderr
    assert proc.stdout == ""
    assert not out.exists()


def test_subprocess_bad_argument_exits_2_without_traceback(tmp_path) -> None:
    out = tmp_path / "out"
    proc = run_intsim("run", DEFAULT_YAML, "--engine", "gpu", "--out", out, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--engine" in proc.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- validate / params


def test_validate_ok(cli) -> None:
    result = cli("validate", CONFIGS / "cocm.yaml")
    assert result.code == 0
    digest = load_scenario(CONFIGS / "cocm.yaml").scenario_hash()[:12]
    assert "valid" in result.out
    assert "'cocm'" in result.out
    assert digest in result.out
    assert result.err == ""


def test_validate_with_overrides(cli) -> None:
    result = cli("validate", DEFAULT_YAML, "--set", "cocm.caseload_per_fte=70")
    assert result.code == 0
    digest = load_scenario(DEFAULT_YAML, ["cocm.caseload_per_fte=70"]).scenario_hash()[:12]
    assert digest in result.out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_validate_shipped_configs(cli, path: Path) -> None:
    assert cli("validate", path).code == 0


def test_validate_bad(cli, write_yaml) -> None:
    bad = write_yaml("bad.yaml", "cocm:\n  caseload_per_fte: 0\n")
    assert_user_error(cli("validate", bad), "cocm.caseload_per_fte", "got 0")


def parse_table(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in rows]


def test_params_prints_one_row_per_parameter(cli) -> None:
    result = cli("params")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("| Parameter | Default | Unit")
    assert lines[1].startswith("|---")
    rows = parse_table(result.out)
    assert len(rows) == len(PARAMETERS)
    assert [row[0] for row in rows] == [f"`{p.path}`" for p in PARAMETERS]
    header_cells = lines[0].strip().strip("|").split("|")
    for row, p in zip(rows, PARAMETERS, strict=True):
        assert len(row) == len(header_cells), row
        assert row[-1], f"{p.path}: empty source"
        assert row[2] == p.unit


def test_every_declared_default_validates() -> None:
    sc = default_scenario()
    for p in PARAMETERS:
        assert sc.get(p.path) == p.default
