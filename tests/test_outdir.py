"""Output directories never lose a user's file (issue 11, item 1; decision 59).

Recorded in docs/decisions/0059-output-directories-owned-and-locked.md.

Staged writes renamed into place, replacement only of directories whose every file intsim wrote
(listed with SHA-256 in manifest.json), one writer at a time (a lock file next to the
directory), and resumable Monte Carlo through ``.<name>.partial``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from batch_helpers import InterruptingExecutor
from intsim import argcheck, outdir
from intsim.cli import main
from test_montecarlo import EXPERIMENT, write_experiment
from test_scenario import DEFAULT_YAML, SMALL

ROOT = Path(__file__).resolve().parents[1]
RUN = ["run", str(DEFAULT_YAML), *SMALL, "--no-figures", "--quiet"]
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    "MPLBACKEND": "Agg",
}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


# --------------------------------------------------------------------------- issue 11 cases


def test_issue_11_user_files_beside_an_empty_manifest_are_never_deleted(tmp_path, capsys):
    # at 31d767c: exit 0, and notes.txt and sub/data.csv were deleted with the directory
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "manifest.json").write_text("{}")
    (out / "notes.txt").write_text("my notes")
    (out / "sub" / "data.csv").write_text("a,b\n1,2\n")
    before = snapshot(out)
    code, err = run_cli(capsys, *RUN, "--out", out)
    assert code == 2
    assert "Traceback" not in err
    # one error line (the small test panel also draws plausible-range warnings)
    assert len([x for x in err.splitlines() if not x.startswith("intsim: warning:")]) == 1
    for name in ("--out", "notes.txt", "sub/data.csv", "manifest.json", "nothing was touched"):
        assert name in err, (name, err)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no lock, no staged copy


def test_a_modified_output_file_counts_as_the_users(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(capsys, *RUN, "--seed", "1", "--out", out)[0] == 0
    with open(out / "monthly.csv", "a", encoding="utf-8") as fh:
        fh.write("# my annotation\n")
    before = snapshot(out)
    code, err = run_cli(capsys, *RUN, "--seed", "2", "--out", out)
    assert code == 2
    assert "monthly.csv" in err
    assert "summary.json" not in err  # untouched outputs are still intsim's
    assert snapshot(out) == before


def test_a_partial_run_directory_is_replaced(tmp_path, capsys):
    # outputs deleted by the user (or never written) leave a directory intsim may replace
    out = tmp_path / "out"
    assert run_cli(capsys, *RUN, "--seed", "1", "--out", out)[0] == 0
    (out / "claims.parquet").unlink()
    (out / "monthly.parquet").unlink()
    assert run_cli(capsys, *RUN, "--seed", "2", "--out", out)[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2
    assert set(manifest["files"]) == {p for p in snapshot(out) if p != "manifest.json"}


def test_manifest_lists_every_file_with_its_sha256(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(capsys, "run", DEFAULT_YAML, *SMALL, "--quiet", "--out", out)[0] == 0
    files = json.loads((out / "manifest.json").read_text())["files"]
    on_disk = snapshot(out)
    assert set(files) == set(on_disk) - {"manifest.json"}
    assert "patient_flow.png" in files
    for name, digest in files.items():
        assert hashlib.sha256(on_disk[name]).hexdigest() == digest
    assert outdir.foreign_files(out) == []


def test_a_manifest_without_a_file_list_is_not_intsims(tmp_path, capsys):
    # e.g. a run directory of an intsim older than the file list: refused, not guessed at
    out = tmp_path / "out"
    assert run_cli(capsys, *RUN, "--out", out)[0] == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["files"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = snapshot(out)
    code, err = run_cli(capsys, *RUN, "--out", out)
    assert code == 2
    assert "manifest.json" in err
    assert "monthly.csv" in err
    assert snapshot(out) == before


def test_a_symbolic_link_is_foreign(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(capsys, *RUN, "--out", out)[0] == 0
    precious = tmp_path / "precious.txt"
    precious.write_text("elsewhere")
    (out / "link.txt").symlink_to(precious)
    code, err = run_cli(capsys, *RUN, "--out", out)
    assert code == 2
    assert "link.txt" in err
    assert (out / "link.txt").is_symlink()
    assert precious.read_text() == "elsewhere"


def test_many_foreign_files_are_counted_not_all_listed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for i in range(20):
        (out / f"f{i:02d}.txt").write_text("x")
    with pytest.raises(outdir.ForeignFilesError) as info:
        outdir.check_target(out)
    assert info.value.foreign == [f"f{i:02d}.txt" for i in range(20)]
    assert "and 12 more" in str(info.value)


def test_a_file_added_while_the_command_runs_stops_the_replacement(tmp_path):
    out = tmp_path / "out"
    with outdir.staged_directory(out) as tmp:
        (tmp / "a.csv").write_text("1")
    with (  # noqa: PT012
        pytest.raises(outdir.ForeignFilesError, match=r"late\.txt"),
        outdir.staged_directory(out) as tmp,
    ):
        (tmp / "a.csv").write_text("2")
        (out / "late.txt").write_text("written by the user meanwhile")
    assert (out / "late.txt").read_text() == "written by the user meanwhile"
    assert (out / "a.csv").read_text() == "1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_debris_of_a_killed_writer_is_cleared(tmp_path, capsys):
    out = tmp_path / "out"
    debris = tmp_path / ".out.tmp-0123456789ab"
    debris.mkdir()
    (debris / "monthly.csv").write_text("half")
    assert run_cli(capsys, *RUN, "--out", out)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_user_error_after_the_claim_leaves_no_lock_and_no_folder(tmp_path, capsys):
    # tornado claims --out (lock file, parent folders) before it finds the unknown strategy
    exp = ROOT / "configs" / "experiments" / "sobol_sustainability.yaml"
    out = tmp_path / "a" / "b"
    code, err = run_cli(capsys, "tornado", exp, "--strategy", "nosuch", "--serial", "--out", out)
    assert code == 2
    assert "--strategy nosuch" in err
    assert list(tmp_path.iterdir()) == []


def test_a_refused_claim_releases_its_lock(tmp_path):
    mine = tmp_path / "x"
    mine.mkdir()
    (mine / "mine.txt").write_text("x")
    with pytest.raises(outdir.ForeignFilesError):
        outdir.claim(mine)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]
    outdir.claim(tmp_path / "y")  # a fresh claim elsewhere works, and is released at the end
    assert (tmp_path / ".y.lock").exists()
    outdir.release_all_locks()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]


def test_experiment_script_output_folder_is_protected(tmp_path, monkeypatch, capsys):
    # the experiments' result folders follow the same rule (caseload_curve.py is the quickest)
    out = tmp_path / "curve"
    out.mkdir()
    (out / "draft.md").write_text("my draft")
    monkeypatch.setattr(sys, "argv", ["caseload_curve.py", "--out", str(out)])
    sys.path.insert(0, str(ROOT / "experiments"))
    import caseload_curve  # noqa: PLC0415

    with pytest.raises(SystemExit) as info:
        argcheck.run_main(caseload_curve.main)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--out" in err
    assert "draft.md" in err
    assert snapshot(out) == {"draft.md": b"my draft"}


# --------------------------------------------------------------------------- the lock


def test_the_lock_is_exclusive_across_processes_and_reentrant_within_one(tmp_path):
    out = tmp_path / "out"
    probe = (
        "import sys; from intsim import outdir\n"
        "try:\n    outdir.acquire_lock(sys.argv[1])\n"
        "except outdir.OutputLockedError as e:\n    print(e); sys.exit(3)\n"
        "outdir.release_lock(sys.argv[1])\n"
    )

    def other_process() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", probe, str(out)],
            capture_output=True,
            text=True,
            env=ENV,
            check=False,
        )

    with outdir.locked(out), outdir.locked(out):  # re-entrant
        assert (tmp_path / ".out.lock").exists()
        held = other_process()
        assert held.returncode == 3, held.stderr
        assert "another intsim command is writing" in held.stdout
    assert not (tmp_path / ".out.lock").exists()
    assert other_process().returncode == 0


@contextlib.contextmanager
def running(cmd: list[str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=60)


def _wait_for(condition: Any, proc: subprocess.Popen[str], what: str, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"{what}: the writer ended early:\n{proc.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds} s")
        time.sleep(0.05)


#: ``intsim mc`` whose third chunk never ends (until Ctrl-C): a writer caught mid-work.
STALLING_MC = """
import contextlib, sys, time
from intsim.analysis import batch
class Stalling(batch.SerialExecutor):
    calls = 0
    def submit(self, fn, *args, **kwargs):
        self.calls += 1
        while self.calls > 2:
            time.sleep(0.1)
        return super().submit(fn, *args, **kwargs)
batch.executor_from_args = lambda args: contextlib.nullcontext(Stalling())
from intsim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_two_commands_writing_one_directory(tmp_path, capsys):
    # an `intsim mc` process holds the lock mid-batch; `intsim run` and `intsim mc --resume`
    # processes aimed at the same folder stop at once (exit 2, the lock named); after the
    # first is interrupted (Ctrl-C), --resume completes the experiment from its partial folder
    exp = write_experiment(tmp_path, EXPERIMENT)
    out = tmp_path / "mc"
    partial = tmp_path / ".mc.partial"
    mc = ["mc", str(exp), "--serial", "--chunk-size", "2", "--no-figures", "--quiet"]
    cmd = [sys.executable, "-c", STALLING_MC, *mc, "--out", str(out)]
    with running(cmd, tmp_path) as first:
        _wait_for(
            lambda: len(list((partial / "chunks").glob("chunk-*.parquet"))) >= 2,
            first,
            "the first writer's chunks",
        )
        for second in (
            [*RUN, "--out", str(out)],
            [*mc, "--out", str(out), "--resume"],
        ):
            proc = subprocess.run(
                [sys.executable, "-m", "intsim", *second],
                cwd=tmp_path,
                env=ENV,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert proc.returncode == 2, proc.stderr
            assert "another intsim command is writing" in proc.stderr
            assert ".mc.lock" in proc.stderr
            assert "Traceback" not in proc.stderr
            assert first.poll() is None  # the first writer is unaffected
        first.send_signal(signal.SIGINT)  # Ctrl-C
        assert first.wait(timeout=120) == 130
    assert not out.exists()
    assert partial.is_dir()
    assert not (tmp_path / ".mc.lock").exists()
    done = len(list((partial / "chunks").glob("chunk-*.parquet")))
    assert done == 2
    # without --resume, the waiting partial folder is named; with it, the rest is computed
    code, err = run_cli(capsys, *mc, "--out", out)
    assert code == 2
    assert ".mc.partial" in err
    assert run_cli(capsys, *mc, "--out", out, "--resume")[0] == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 16
    assert not partial.exists()
    log = [json.loads(x) for x in (out / "batch_log.jsonl").read_text().splitlines()]
    assert log[-1]["reused_tasks"] == 2 * done
    assert outdir.foreign_files(out) == []


# --------------------------------------------------------------------------- Monte Carlo


@pytest.fixture
def tiny_mc(tmp_path: Path) -> list[str]:
    exp = write_experiment(tmp_path, EXPERIMENT)
    return ["mc", str(exp), "--serial", "--chunk-size", "3", "--no-figures", "--quiet"]


def test_interrupted_mc_leaves_its_output_alone_and_resumes(tiny_mc, tmp_path, capsys, monkeypatch):
    reference = tmp_path / "reference"
    assert run_cli(capsys, *tiny_mc, "--out", reference)[0] == 0
    out = tmp_path / "mc"
    interrupting = InterruptingExecutor(3, KeyboardInterrupt())
    monkeypatch.setattr(
        "intsim.analysis.batch.executor_from_args",
        lambda args: contextlib.nullcontext(interrupting),
    )
    assert run_cli(capsys, *tiny_mc, "--out", out)[0] == 130
    monkeypatch.undo()
    assert not out.exists()
    partial = tmp_path / ".mc.partial"
    assert sorted(p.name for p in (partial / "chunks").iterdir()) == [
        "chunk-00000000-00000002.parquet",
        "chunk-00000003-00000005.parquet",
    ]
    assert run_cli(capsys, *tiny_mc, "--out", out, "--resume")[0] == 0
    assert (out / "runs.parquet").read_bytes() == (reference / "runs.parquet").read_bytes()
    assert not partial.exists()
    assert outdir.foreign_files(out) == []


def test_mc_resume_refuses_user_files(tiny_mc, tmp_path, capsys):
    out = tmp_path / "mc"
    assert run_cli(capsys, *tiny_mc, "--out", out)[0] == 0
    (out / "notes.txt").write_text("mine")
    before = snapshot(out)
    code, err = run_cli(capsys, *tiny_mc, "--out", out, "--resume")
    assert code == 2
    assert "notes.txt" in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.yaml", "mc"]


def test_mc_resume_of_a_folder_written_in_place_by_an_older_intsim(tiny_mc, tmp_path, capsys):
    # an interrupted batch folder without a file list (written in place before this scheme):
    # every file is one a batch writes, so it is adopted and resumed
    out = tmp_path / "mc"
    assert run_cli(capsys, *tiny_mc, "--out", out)[0] == 0
    reference = (out / "runs.parquet").read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["files"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    for name in ("runs.parquet", "summary.csv", "draws.parquet"):
        (out / name).unlink()
    (out / "chunks" / "chunk-00000003-00000005.parquet").unlink()
    assert run_cli(capsys, *tiny_mc, "--out", out, "--resume")[0] == 0
    assert (out / "runs.parquet").read_bytes() == reference


def test_a_failed_resume_keeps_the_finished_folder_as_it_was(tiny_mc, tmp_path, capsys):
    out = tmp_path / "mc"
    assert run_cli(capsys, *tiny_mc, "--out", out)[0] == 0
    before = snapshot(out)
    code, err = run_cli(capsys, *tiny_mc, "--seed", "99", "--out", out, "--resume")
    assert code == 2
    assert "cannot resume" in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.yaml", "mc"]


def test_resume_refuses_foreign_files_in_the_partial_folder(tiny_mc, tmp_path, capsys):
    out = tmp_path / "mc"
    partial = tmp_path / ".mc.partial"
    (partial / "chunks").mkdir(parents=True)
    (partial / "chunks" / "mine.csv").write_text("x")
    code, err = run_cli(capsys, *tiny_mc, "--out", out, "--resume")
    assert code == 2
    assert "chunks/mine.csv" in err
    assert (partial / "chunks" / "mine.csv").read_text() == "x"
