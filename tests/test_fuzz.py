"""Fuzzing the scenario-reading path through the real CLI (issue 11, item 5).

Hypothesis generates malformed and extreme scenario files (:mod:`tests.fuzz_scenarios`) and runs
``intsim validate`` and ``intsim run`` on them, in-process through :func:`intsim.cli.main` (and
a few as subprocesses), asserting: exit status 0 or 2 only, never a traceback, nothing written
on 2, and on 0 the accounting invariants of :mod:`tests.invariants` on the written outputs.

Runs are reproducible: every property uses ``derandomize=True`` and no example database. The
fast suite runs a bounded number of examples; the slow suite (``-m slow``) many more. Cases
that once crashed are kept in ``tests/fuzz_corpus/`` and replayed by
:func:`test_corpus_case` (each file states the exit status it must give).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests import invariants as inv
from tests.fuzz_scenarios import Case, cases

from intsim.cli import main

CORPUS = Path(__file__).parent / "fuzz_corpus"
SRC = Path(__file__).resolve().parents[1] / "src"


def fuzz_settings(examples: int) -> settings:
    """Reproducible settings: derandomized, no database, no deadline (runs vary in time)."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


FAST_EXAMPLES = {"validate": 150, "run": 40, "friendly": 40, "extreme": 100}
SLOW_EXAMPLES = {"validate": 1000, "run": 500, "friendly": 500, "extreme": 1000}


# --------------------------------------------------------------------------- running the CLI


def run_cli(*args: str | Path) -> tuple[int, str, str]:
    """``intsim ARGS`` in-process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def assert_clean_exit(code: int, err: str, what: str) -> None:
    """Exit 0 or 2, no traceback; a user error is one ``intsim: error:`` message."""
    assert "Traceback" not in err, f"{what}: traceback\n{err}"
    assert code in (0, 2), f"{what}: exit {code}\n{err}"
    if code == 2:
        assert err.startswith("intsim: error: "), f"{what}: unexpected message {err!r}"


def check_validate(main_file: Path) -> int:
    code, _, err = run_cli("validate", main_file)
    assert_clean_exit(code, err, f"validate {main_file.name}")
    return code


def check_run(main_file: Path, work: Path, months: int | None) -> int:
    """``intsim run`` into ``work/out``: exit 0/2; nothing written on 2; invariants on 0."""
    out = work / "out"
    before = sorted(p.name for p in work.iterdir())
    horizon = ["--months", str(months)] if months is not None else []
    code, _, err = run_cli("run", main_file, *horizon, "--out", out, "--no-figures", "--quiet")
    assert_clean_exit(code, err, f"run {main_file.name}")
    if code == 2:
        assert not out.exists(), "exit 2 but the output directory was written"
        assert sorted(p.name for p in work.iterdir()) == before, "exit 2 left files behind"
        return code
    check_written_run(out)
    return code


def check_written_run(out: Path) -> None:
    """The accounting invariants on a run directory's files."""
    monthly = pd.read_parquet(out / "monthly.parquet")
    claims = pd.read_parquet(out / "claims.parquet")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    scenario = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scenario"]
    assert len(monthly) == scenario["simulation"]["months"]
    inv.check_outputs(monthly, claims, summary, scenario)


def _in_temp_folder(case: Case, check: object) -> None:
    with tempfile.TemporaryDirectory(prefix="intsim-fuzz-") as tmp:
        folder = Path(tmp) / "case"
        work = Path(tmp) / "work"
        work.mkdir()
        main_file = case.write(folder)
        check(main_file, work)  # type: ignore[operator]


# --------------------------------------------------------------------------- properties


def _validate_property(case: Case) -> None:
    _in_temp_folder(case, lambda main_file, _work: check_validate(main_file))


def _run_property(case: Case) -> None:
    _in_temp_folder(case, lambda main_file, work: check_run(main_file, work, case.months))


@fuzz_settings(FAST_EXAMPLES["validate"])
@given(cases())
def test_fuzz_validate(case: Case) -> None:
    _validate_property(case)


@fuzz_settings(FAST_EXAMPLES["run"])
@given(cases())
def test_fuzz_run(case: Case) -> None:
    _run_property(case)


@fuzz_settings(FAST_EXAMPLES["friendly"])
@given(cases(friendly=True))
def test_fuzz_run_mostly_valid(case: Case) -> None:
    _run_property(case)


@fuzz_settings(FAST_EXAMPLES["extreme"])
@given(cases(extreme=True))
def test_fuzz_validate_extreme_magnitudes(case: Case) -> None:
    _validate_property(case)


@pytest.mark.slow
@fuzz_settings(SLOW_EXAMPLES["validate"])
@given(cases())
def test_fuzz_validate_many(case: Case) -> None:
    _validate_property(case)


@pytest.mark.slow
@fuzz_settings(SLOW_EXAMPLES["run"])
@given(cases())
def test_fuzz_run_many(case: Case) -> None:
    _run_property(case)


@pytest.mark.slow
@fuzz_settings(SLOW_EXAMPLES["friendly"])
@given(cases(friendly=True))
def test_fuzz_run_mostly_valid_many(case: Case) -> None:
    _run_property(case)


@pytest.mark.slow
@fuzz_settings(SLOW_EXAMPLES["extreme"])
@given(cases(extreme=True))
def test_fuzz_validate_extreme_magnitudes_many(case: Case) -> None:
    _validate_property(case)


def test_fuzzer_reaches_both_outcomes() -> None:
    """The generator is not all-invalid nor all-valid: runs succeed and runs are refused."""
    codes: list[int] = []

    @fuzz_settings(40)
    @given(st.one_of(cases(), cases(friendly=True)))
    def collect(case: Case) -> None:
        _in_temp_folder(case, lambda main_file, _work: codes.append(check_validate(main_file)))

    collect()
    assert 0 in codes
    assert 2 in codes


# --------------------------------------------------------------------------- corpus


def corpus_cases() -> list[Path]:
    """Main files of the corpus (``*.parent*.yaml`` are the files they extend)."""
    return sorted(p for p in CORPUS.glob("*.yaml") if ".parent" not in p.name)


def _header(path: Path, key: str) -> str | None:
    """The value of a ``# key: value`` header line of a corpus file."""
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    return None


def expected_code(path: Path) -> int:
    """The ``# expect: N`` header of a corpus file."""
    code = _header(path, "expect")
    assert code is not None, f"{path.name}: no '# expect: N' header"
    return int(code)


@pytest.mark.parametrize("path", corpus_cases(), ids=lambda p: p.stem)
def test_corpus_case(path: Path, tmp_path: Path) -> None:
    """Each past failure now gives its stated exit status, cleanly, through validate and run.

    A ``# message:`` header is a phrase the error message must contain.
    """
    expected = expected_code(path)
    code, _, err = run_cli("validate", path)
    assert_clean_exit(code, err, f"validate {path.name}")
    assert code == expected
    message = _header(path, "message")
    if message is not None:
        assert message in err
    assert check_run(path, tmp_path, 3) == expected


def test_corpus_is_not_empty() -> None:
    assert len(corpus_cases()) >= 5


def test_scenario_path_too_long(tmp_path: Path) -> None:
    """A scenario path longer than the file system allows is a user error, not a crash."""
    path = tmp_path / ("s" * 5000 + ".yaml")
    code, _, err = run_cli("validate", path)
    assert_clean_exit(code, err, "validate")
    assert code == 2
    assert "cannot be read" in err or "too long" in err


# --------------------------------------------------------------------------- subprocesses


@pytest.mark.parametrize(
    "name",
    [
        "extends_nul_byte",
        "valid_small_run",
        pytest.param("deep_nesting", marks=pytest.mark.slow),
        pytest.param("name_nul_byte", marks=pytest.mark.slow),
        pytest.param("tag_timestamp_text", marks=pytest.mark.slow),
    ],
)
def test_corpus_case_as_subprocess(name: str, tmp_path: Path) -> None:
    """The real ``python -m intsim`` process: exit status and stderr as in-process."""
    path = CORPUS / f"{name}.yaml"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    for args in (
        ["validate", str(path)],
        ["run", str(path), "--months", "3", "--out", str(tmp_path / "out"), "--no-figures"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "intsim", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert_clean_exit(proc.returncode, proc.stderr, " ".join(args[:1]))
        assert proc.returncode == expected_code(path)
    if expected_code(path) == 0:
        check_written_run(tmp_path / "out")
    else:
        assert not (tmp_path / "out").exists()
