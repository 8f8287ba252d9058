"""Batches through executors: identical results whatever the executor or chunking; resume."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from batch_helpers import (
    DRAWS,
    REPS,
    STRATEGIES,
    InterruptingExecutor,
    build_tasks,
    dask_subprocesses,
    free_port,
    small_scenario,
)
from intsim.analysis.batch import (
    CUMULATIVE_NET_PREFIX,
    ID_COLUMNS,
    MAX_SEED,
    WORKER_MALLOC_MMAP,
    WORKER_MALLOC_TRIM,
    Task,
    make_executor,
    read_batch_log,
    run_batch,
    run_chunk,
    run_task,
    task_seed,
)
from intsim.sim.runner import simulate

HELPER = Path(__file__).with_name("batch_helpers.py")
N_TASKS = len(DRAWS) * REPS * len(STRATEGIES)
DASK_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def tasks() -> list[Task]:
    return build_tasks()


@pytest.fixture(scope="module")
def reference(tasks: list[Task], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """An uninterrupted serial run, chunk size 5: (runs.parquet path, its bytes)."""
    out = tmp_path_factory.mktemp("reference") / "batch"
    with make_executor("serial") as ex:
        run_batch(tasks, out, executor=ex, chunk_size=5, progress=False)
    path = out / "runs.parquet"
    return path, path.read_bytes()


def assert_same_as_reference(out: Path, runs: pd.DataFrame, reference: tuple[Path, bytes]) -> None:
    path, data = reference
    expected = pd.read_parquet(path)
    pd.testing.assert_frame_equal(runs, expected, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), expected, check_exact=True)
    assert (out / "runs.parquet").read_bytes() == data


def chunk_names(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "chunks").glob("chunk-*.parquet"))


# --------------------------------------------------------------------------- seeds and rows


def test_task_seeds_common_across_strategies_distinct_across_draw_rep(tasks: list[Task]) -> None:
    by_pair: dict[tuple[int, int], set[int]] = {}
    for t in tasks:
        by_pair.setdefault((t.draw, t.rep), set()).add(t.seed)
    assert len(by_pair) == len(DRAWS) * REPS
    assert all(len(seeds) == 1 for seeds in by_pair.values())  # common random numbers
    firsts = [next(iter(s)) for s in by_pair.values()]
    assert len(set(firsts)) == len(firsts)
    assert all(1 <= s <= MAX_SEED for s in firsts)
    words = np.random.SeedSequence(7, spawn_key=(1, 0)).generate_state(2, dtype=np.uint32)
    assert task_seed(7, 1, 0) == ((int(words[0]) << 32) | int(words[1])) % MAX_SEED + 1
    assert task_seed(7, 0, 0) == 1692084351722348248  # pinned: seeds must never drift
    assert task_seed(7, 0, 0) != task_seed(8, 0, 0)
    with pytest.raises(ValueError, match="draw"):
        task_seed(7, -1, 0)
    with pytest.raises(ValueError, match="seed"):
        Task(0, 0, 0, "x", tasks[0].scenario, 0)


def test_run_task_flattens_the_summary(tasks: list[Task]) -> None:
    task = tasks[0]
    row = run_task(task)
    res = simulate(task.scenario, seed=task.seed)
    assert list(row)[:5] == list(ID_COLUMNS)
    assert (row["task_id"], row["strategy"], row["seed"]) == (0, "cocm", task.seed)
    assert row["net"] == res.summary["net"]
    assert row["care_model"] == "cocm"
    assert res.summary["break_even_month"] is None
    assert math.isnan(row["break_even_month"])
    assert row["payer.tcoc_pmpm"] == res.summary["payer"]["tcoc_pmpm"]
    assert row["revenue_by_line.revenue_cocm"] == res.summary["revenue_by_line"]["revenue_cocm"]
    assert "budget_by_year" not in row
    assert not any(isinstance(v, list | dict) for v in row.values())
    months = [c for c in row if c.startswith(CUMULATIVE_NET_PREFIX)]
    assert months == [f"cumulative_net_m{k}" for k in range(1, 7)]
    assert [row[c] for c in months] == res.monthly["cumulative_net"].tolist()
    short = run_task(task, months=3)
    assert [c for c in short if c.startswith(CUMULATIVE_NET_PREFIX)][-1] == "cumulative_net_m3"
    frame = run_chunk(tasks[:3])
    assert frame["task_id"].tolist() == [0, 1, 2]
    assert frame["net"].dtype == np.float64
    assert frame["seed"].dtype == np.int64


# --------------------------------------------------------------------------- identical results


@pytest.mark.parametrize("chunk_size", [1, 12])
def test_serial_chunk_sizes_identical(
    tasks: list[Task], reference: tuple[Path, bytes], tmp_path: Path, chunk_size: int
) -> None:
    with make_executor("serial") as ex:
        runs = run_batch(tasks, tmp_path / "b", executor=ex, chunk_size=chunk_size, progress=False)
    assert len(chunk_names(tmp_path / "b")) == math.ceil(N_TASKS / chunk_size)
    assert_same_as_reference(tmp_path / "b", runs, reference)


def test_columns_that_only_some_strategies_have(tmp_path: Path) -> None:
    """Union of columns, NaN where a run lacks one; bytes still independent of chunking."""
    base = small_scenario()
    strategies = {
        "pcbh": base.with_overrides({"care_model": "pcbh"}),
        "cocm": base.with_overrides({"care_model": "cocm", "finance.counterfactual": True}),
        "usual": base.with_overrides({"care_model": "usual_care"}),
    }
    mixed = [
        Task(3 * draw + i, draw, 0, name, sc, task_seed(3, draw, 0))
        for draw in range(2)
        for i, (name, sc) in enumerate(strategies.items())
    ]
    blobs = []
    for chunk_size in (1, 2, 6):
        with make_executor("serial") as ex:
            runs = run_batch(
                mixed,
                tmp_path / str(chunk_size),
                executor=ex,
                chunk_size=chunk_size,
                progress=False,
            )
        blobs.append((tmp_path / str(chunk_size) / "runs.parquet").read_bytes())
    assert blobs[0] == blobs[1] == blobs[2]
    savings = runs["payer.payer_net_savings"]
    assert savings[runs["strategy"] == "pcbh"].isna().all()
    assert savings[runs["strategy"] == "cocm"].notna().all()
    assert runs["incremental_responders"].dtype == np.float64
    assert runs["care_model"].tolist() == ["pcbh", "cocm", "usual_care"] * 2


def test_process_pool_identical(
    tasks: list[Task], reference: tuple[Path, bytes], tmp_path: Path
) -> None:
    with make_executor("process", workers=2) as ex:
        runs = run_batch(tasks, tmp_path / "b", executor=ex, chunk_size=1, progress=False)
    assert_same_as_reference(tmp_path / "b", runs, reference)


def test_dask_local_cluster_identical(
    tasks: list[Task], reference: tuple[Path, bytes], tmp_path: Path
) -> None:
    with make_executor("dask", dask_local=2) as ex:
        runs = run_batch(tasks, tmp_path / "b", executor=ex, chunk_size=2, progress=False)
    assert_same_as_reference(tmp_path / "b", runs, reference)


def _malloc_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("MALLOC_")}


def test_local_dask_workers_keep_freed_memory() -> None:
    """Local Dask workers run without Dask's trim threshold (which slows runs by 25-40%)."""
    with make_executor("dask", dask_local=1) as ex:
        env = ex.submit(_malloc_environment).result()
    assert env == {
        "MALLOC_TRIM_THRESHOLD_": str(WORKER_MALLOC_TRIM),
        "MALLOC_MMAP_THRESHOLD_": str(WORKER_MALLOC_MMAP),
    }


def test_shipped_dask_worker_config_matches_the_local_cluster() -> None:
    path = Path(__file__).resolve().parents[1] / "configs" / "dask" / "intsim-workers.yaml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))["distributed"]
    assert cfg["nanny"]["pre-spawn-environ"] == {
        "MALLOC_TRIM_THRESHOLD_": WORKER_MALLOC_TRIM,
        "MALLOC_MMAP_THRESHOLD_": WORKER_MALLOC_MMAP,
    }
    assert cfg["worker"]["profile"]["enabled"] is False


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A Dask scheduler and one worker started as subprocesses on 127.0.0.1; yields the address."""
    logs = tmp_path / "dask-logs"
    logs.mkdir()
    with dask_subprocesses(logs, timeout=DASK_TIMEOUT) as address:
        yield address


def test_dask_scheduler_subprocess_identical(
    tasks: list[Task], reference: tuple[Path, bytes], tmp_path: Path, dask_cluster: str
) -> None:
    with make_executor("dask", scheduler=dask_cluster, connect_timeout=DASK_TIMEOUT) as ex:
        runs = run_batch(tasks, tmp_path / "b", executor=ex, chunk_size=3, progress=False)
    assert_same_as_reference(tmp_path / "b", runs, reference)


# --------------------------------------------------------------------------- resume


def test_resume_after_sigkill_recomputes_only_missing_chunks(
    reference: tuple[Path, bytes], tmp_path: Path, tasks: list[Task]
) -> None:
    out = tmp_path / "b"
    proc = subprocess.Popen(
        [sys.executable, str(HELPER), str(out), "2", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while len(chunk_names(out)) < 2:
            assert proc.poll() is None, proc.communicate()[0].decode()
            assert time.monotonic() < deadline, "the batch subprocess wrote no chunks in 60 s"
            time.sleep(0.02)
        before = {
            name: (
                (out / "chunks" / name).stat().st_ino,
                (out / "chunks" / name).stat().st_mtime_ns,
            )
            for name in chunk_names(out)
        }
        assert proc.poll() is None  # stalled, not finished
        proc.kill()  # SIGKILL: no cleanup of any kind
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    assert sorted(before) == ["chunk-00000000-00000001.parquet", "chunk-00000002-00000003.parquet"]
    assert not (out / "runs.parquet").exists()
    debris = out / "chunks" / ".chunk-00000004-00000005.parquet.tmp-0123456789ab"
    debris.write_bytes(b"half a parquet file")  # as if killed in the middle of a write

    with make_executor("serial") as ex:
        runs = run_batch(tasks, out, executor=ex, chunk_size=2, resume=True, progress=False)

    assert_same_as_reference(out, runs, reference)
    for name, stat in before.items():
        now = (out / "chunks" / name).stat()
        assert (now.st_ino, now.st_mtime_ns) == stat, f"{name} was rewritten"
    assert not debris.exists()
    assert runs.attrs == {"computed_tasks": N_TASKS - 4, "reused_tasks": 4}
    (record,) = read_batch_log(out)  # the killed run could not log
    assert record["resumed"] is True
    assert record["status"] == "complete"
    assert (record["computed_tasks"], record["reused_chunks"]) == (N_TASKS - 4, 2)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["purpose"] == "resume test"  # kept from the first run
    assert (manifest["n_tasks"], manifest["chunk_size"]) == (N_TASKS, 2)


def test_keyboard_interrupt_keeps_finished_chunks(
    tasks: list[Task], reference: tuple[Path, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "b"
    with pytest.raises(KeyboardInterrupt):
        run_batch(
            tasks,
            out,
            executor=InterruptingExecutor(3, KeyboardInterrupt()),
            chunk_size=5,
            progress=False,
        )
    assert chunk_names(out) == [
        "chunk-00000000-00000004.parquet",
        "chunk-00000005-00000009.parquet",
    ]
    assert not (out / "runs.parquet").exists()
    assert read_batch_log(out)[-1]["status"] == "interrupted"
    with make_executor("serial") as ex:
        runs = run_batch(tasks, out, executor=ex, chunk_size=5, resume=True, progress=False)
    assert runs.attrs["computed_tasks"] == 2
    assert_same_as_reference(out, runs, reference)


def test_failing_chunk_names_itself_and_keeps_others(tasks: list[Task], tmp_path: Path) -> None:
    out = tmp_path / "b"
    with pytest.raises(RuntimeError, match="boom") as info:
        run_batch(
            tasks,
            out,
            executor=InterruptingExecutor(2, RuntimeError("boom")),
            chunk_size=5,
            progress=False,
        )
    assert "in batch chunk chunk-00000005-00000009.parquet" in info.value.__notes__
    assert chunk_names(out) == ["chunk-00000000-00000004.parquet"]
    assert read_batch_log(out)[-1]["status"] == "failed"


def test_refuses_non_empty_out_dir_without_resume(tasks: list[Task], tmp_path: Path) -> None:
    out = tmp_path / "b"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with make_executor("serial") as ex, pytest.raises(FileExistsError, match="not empty"):
        run_batch(tasks, out, executor=ex, chunk_size=5, progress=False)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]  # nothing written


def test_refuses_to_resume_a_different_batch(
    reference: tuple[Path, bytes], tmp_path: Path, tasks: list[Task]
) -> None:
    out = tmp_path / "b"
    shutil.copytree(reference[0].parent, out)
    snapshot = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with make_executor("serial") as ex:
        with pytest.raises(FileExistsError, match="not empty"):
            run_batch(tasks, out, executor=ex, chunk_size=5, progress=False)
        with pytest.raises(ValueError, match=r"tasks .* differ"):
            run_batch(
                build_tasks(root_seed=8),
                out,
                executor=ex,
                chunk_size=5,
                resume=True,
                progress=False,
            )
        with pytest.raises(ValueError, match=r"tasks .* differ"):
            run_batch(tasks[:-1], out, executor=ex, chunk_size=5, resume=True, progress=False)
        with pytest.raises(ValueError, match="chunk_size: 5 on disk, 4 now"):
            run_batch(tasks, out, executor=ex, chunk_size=4, resume=True, progress=False)
        with pytest.raises(ValueError, match="months"):
            run_batch(tasks, out, executor=ex, chunk_size=5, months=3, resume=True, progress=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot


def test_refuses_to_resume_with_stale_chunks(
    reference: tuple[Path, bytes], tmp_path: Path, tasks: list[Task]
) -> None:
    out = tmp_path / "b"
    shutil.copytree(reference[0].parent, out)
    chunks = out / "chunks"
    stray = chunks / "chunk-00000100-00000101.parquet"
    stray.write_bytes((chunks / "chunk-00000000-00000004.parquet").read_bytes())
    with make_executor("serial") as ex:
        with pytest.raises(ValueError, match="not a chunk of the batch"):
            run_batch(tasks, out, executor=ex, chunk_size=5, resume=True, progress=False)
        stray.unlink()
        os.replace(
            chunks / "chunk-00000005-00000009.parquet", chunks / "chunk-00000000-00000004.parquet"
        )
        with pytest.raises(ValueError, match="task ids or seeds differ"):
            run_batch(tasks, out, executor=ex, chunk_size=5, resume=True, progress=False)


def test_resume_of_a_finished_batch_computes_nothing(
    reference: tuple[Path, bytes], tmp_path: Path, tasks: list[Task]
) -> None:
    out = tmp_path / "b"
    shutil.copytree(reference[0].parent, out)
    with make_executor("serial") as ex:
        runs = run_batch(tasks, out, executor=ex, chunk_size=5, resume=True, progress=False)
    assert runs.attrs == {"computed_tasks": 0, "reused_tasks": N_TASKS}
    assert_same_as_reference(out, runs, reference)


# --------------------------------------------------------------------------- executors and UI


def test_progress_bar_on_stderr(
    tasks: list[Task], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with make_executor("serial") as ex:
        run_batch(tasks[:4], tmp_path / "b", executor=ex, chunk_size=2, progress=True)
    captured = capsys.readouterr()
    assert "4/4" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "threads"}, "executor kind"),
        ({"kind": "process", "workers": 0}, "workers"),
        ({"kind": "dask", "dask_local": 0}, "dask_local"),
        ({"kind": "serial", "workers": 4}, "one task at a time"),
        ({"kind": "process", "scheduler": "tcp://127.0.0.1:1"}, "'dask' executor only"),
        ({"kind": "dask", "scheduler": "tcp://127.0.0.1:1", "dask_local": 2}, "one or the other"),
        ({"kind": "dask", "workers": 2, "dask_local": 3}, "disagree"),
    ],
)
def test_make_executor_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_executor(**kwargs)  # type: ignore[arg-type]


def test_make_executor_unreachable_scheduler() -> None:
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    with (
        pytest.raises(ConnectionError, match="cannot connect to the Dask scheduler"),
        make_executor("dask", scheduler=address, connect_timeout=2),
    ):
        pass
    assert time.monotonic() - started < 30


def test_run_batch_rejects_bad_arguments(tasks: list[Task], tmp_path: Path) -> None:
    with make_executor("serial") as ex:
        with pytest.raises(ValueError, match="chunk_size"):
            run_batch(tasks, tmp_path / "a", executor=ex, chunk_size=0, progress=False)
        with pytest.raises(ValueError, match="not unique"):
            run_batch([*tasks, tasks[0]], tmp_path / "a", executor=ex, chunk_size=2, progress=False)
        with pytest.raises(ValueError, match="reserved"):
            run_batch(tasks, tmp_path / "a", executor=ex, chunk_size=2, manifest={"n_tasks": 3})
    assert not (tmp_path / "a").exists()
