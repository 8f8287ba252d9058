"""Batches of simulation runs through any ``concurrent.futures.Executor``.

See docs/architecture.md decision 6.

A batch is a list of :class:`Task` (one draw × replication × strategy each). :func:`run_batch`
splits it, in task-id order, into chunks of ``chunk_size`` tasks, submits each chunk
(:func:`run_chunk`) to an executor, and writes every finished chunk atomically under
``<out_dir>/chunks/``; an interrupted batch resumes from the chunks on disk. The executor comes
from :func:`make_executor`: ``"serial"`` (in-process), ``"process"`` (a spawn-context
``ProcessPoolExecutor``) or ``"dask"`` (a ``distributed`` local cluster or a scheduler address).

The result, ``<out_dir>/runs.parquet``, has one row per task sorted by ``task_id`` with a fixed
schema, and is bit-identical whatever the executor, worker count or chunk size, and after a
resume: every task carries its own seed, chunks are assembled from the files on disk in task-id
order, and column order and types follow fixed rules (see :func:`run_task`).

Output folder layout::

    <out_dir>/manifest.json           caller's manifest + n_tasks, chunk_size, months, fingerprint
    <out_dir>/chunks/chunk-<first>-<last>.parquet   one per finished chunk (task ids, 8 digits)
    <out_dir>/runs.parquet            all rows, written once every chunk is done
    <out_dir>/batch_log.jsonl         one line per run_batch call (tasks computed / reused)
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import math
import multiprocessing
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from intsim.money.ledger import BUDGET_LINES
from intsim.params.scenario import Scenario
from intsim.sim.runner import simulate

#: Identity columns, first in every row, in this order.
ID_COLUMNS: tuple[str, ...] = ("task_id", "draw", "rep", "strategy", "seed")
#: Identity columns stored as int64 (``strategy`` is a string).
INT_COLUMNS: frozenset[str] = frozenset({"task_id", "draw", "rep", "seed"})
#: Prefix of the per-month cumulative net columns: ``cumulative_net_m1`` … ``cumulative_net_m<H>``.
CUMULATIVE_NET_PREFIX = "cumulative_net_m"
#: Executor kinds accepted by :func:`make_executor`.
EXECUTOR_KINDS: tuple[str, ...] = ("serial", "process", "dask")
#: Largest task seed (seeds are in ``[1, MAX_SEED]``, so they fit a signed 64-bit integer).
MAX_SEED = 2**63 - 1
#: Keys :func:`run_batch` adds to the caller's manifest (a caller's key of the same name is an
#: error).
MANIFEST_KEYS: tuple[str, ...] = ("n_tasks", "chunk_size", "months", "task_fingerprint")

MANIFEST_NAME = "manifest.json"
RUNS_NAME = "runs.parquet"
CHUNKS_DIR = "chunks"
LOG_NAME = "batch_log.jsonl"
_CHUNK_PREFIX = "chunk-"
_CHUNK_SUFFIX = ".parquet"
_TMP_MARK = ".tmp-"
_PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "write_statistics": True}
_CAPACITY_REFRESH_S = 5.0


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class Task:
    """One simulation run of a batch.

    Attributes:
        task_id: Unique id; fixes the row order of the batch's output.
        draw: Index of the parameter draw (0-based).
        rep: Index of the replication within the draw (0-based).
        strategy: Name of the strategy (care model or scenario variant).
        scenario: The strategy's scenario with the draw's overrides already applied. Tasks of
            the same draw and strategy may (and, for speed, should) share one object.
        seed: Root seed of the run (>= 1); by convention :func:`task_seed` of (draw, rep).
    """

    task_id: int
    draw: int
    rep: int
    strategy: str
    scenario: Scenario
    seed: int

    def __post_init__(self) -> None:
        """Reject negative ids and seeds outside ``[1, MAX_SEED]``."""
        for name in ("task_id", "draw", "rep"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"Task.{name}: got {getattr(self, name)}; expected >= 0")
        if not 1 <= int(self.seed) <= MAX_SEED:
            raise ValueError(f"Task.seed: got {self.seed}; expected 1 <= seed <= 2**63 - 1")


def task_seed(root_seed: int, draw: int, rep: int) -> int:
    """Seed of replication ``rep`` of draw ``draw``: the same for every strategy.

    All strategies of one (draw, replication) share this seed (common random numbers), so their
    differences are not blurred by sampling noise. The seed is
    ``SeedSequence(root_seed, spawn_key=(draw, rep)).generate_state(2, uint32)`` read as one
    64-bit integer (first word high), reduced modulo ``2**63 - 1`` and plus 1.

    Args:
        root_seed: The experiment's root seed (>= 0).
        draw: Draw index (>= 0).
        rep: Replication index (>= 0).

    Returns:
        An integer in ``[1, 2**63 - 1]``.

    Raises:
        ValueError: If an argument is negative.
    """
    for name, value in (("root_seed", root_seed), ("draw", draw), ("rep", rep)):
        if int(value) < 0:
            raise ValueError(f"task_seed: {name} is {value}; expected >= 0")
    words = np.random.SeedSequence(int(root_seed), spawn_key=(int(draw), int(rep))).generate_state(
        2, dtype=np.uint32
    )
    value = (int(words[0]) << 32) | int(words[1])
    return value % MAX_SEED + 1


# --------------------------------------------------------------------------- one task, one chunk


def run_task(task: Task, months: int | None = None) -> dict[str, Any]:
    """Run one task and flatten its summary into one row.

    Columns, in order:

    * ``task_id``, ``draw``, ``rep``, ``strategy``, ``seed`` (the task's identity);
    * every scalar value of ``Results.summary`` under its own name (e.g. ``net``,
      ``break_even_month``); numbers, booleans and ``None`` become ``float`` (``None`` is NaN),
      so a column's type never depends on which runs hit ``None``; strings stay strings;
    * one level of nested mappings as ``<key>.<sub-key>`` for their scalar values, e.g.
      ``payer.tcoc_pmpm``, ``payer.payer_net_savings``, ``revenue_by_line.revenue_cocm``;
    * ``cumulative_net_m<k>`` for months ``k = 1 … horizon``: the ``cumulative_net`` column of
      the monthly table, for fan charts.

    * ``budget_y<year>.<line>`` for each programme year of ``budget_by_year`` and each line of
      :data:`intsim.money.ledger.BUDGET_LINES` (net, gap without grant, ...): the budget by year.

    Other lists (``payer.budget_impact_by_year``) are left out. A summary key
    equal to an identity column name is dropped (the identity wins).

    Args:
        task: The task.
        months: Horizon in months (default: the scenario's ``simulation.months``).

    Returns:
        The row, as an ordered dict.
    """
    results = simulate(task.scenario, seed=task.seed, months=months, claims=False)
    row: dict[str, Any] = {
        "task_id": int(task.task_id),
        "draw": int(task.draw),
        "rep": int(task.rep),
        "strategy": str(task.strategy),
        "seed": int(task.seed),
    }
    for key, value in results.summary.items():
        if isinstance(value, Mapping):
            for sub, sub_value in value.items():
                _put(row, f"{key}.{sub}", sub_value)
        else:
            _put(row, str(key), value)
    for year in results.summary.get("budget_by_year") or []:
        for sub in BUDGET_LINES:
            if sub in year:
                _put(row, f"{BUDGET_PREFIX}{int(year['year'])}.{sub}", year[sub])
    cumulative = results.monthly["cumulative_net"].to_numpy(dtype=np.float64)
    for k, value in enumerate(cumulative, start=1):
        row[f"{CUMULATIVE_NET_PREFIX}{k}"] = float(value)
    return row


#: Column prefix of the budget-by-year lines in batch rows: ``budget_y2.net``.
BUDGET_PREFIX = "budget_y"


def _put(row: dict[str, Any], key: str, value: Any) -> None:
    """Store a scalar summary value in ``row`` (floats for numbers and None; strings as is)."""
    if key in row:
        return
    if value is None:
        row[key] = math.nan
    elif isinstance(value, str):
        row[key] = value
    elif isinstance(value, bool | int | float | np.bool_ | np.integer | np.floating):
        row[key] = float(value)
    # lists, arrays and other objects are not columns


def run_chunk(tasks: Sequence[Task], months: int | None = None) -> pd.DataFrame:
    """Run tasks one after the other; one row per task (:func:`run_task`), in the given order.

    Module-level and free of I/O, so executors can pickle it.

    Args:
        tasks: The chunk's tasks.
        months: Horizon in months (default: each scenario's ``simulation.months``).

    Returns:
        The rows, with the column order and types of the batch's ``runs.parquet``.
    """
    rows = [run_task(task, months) for task in tasks]
    return _to_table(pd.DataFrame(rows)).to_pandas()


# --------------------------------------------------------------------------- fixed schema


def _month_of(name: str) -> int | None:
    """``k`` of a ``cumulative_net_m<k>`` column, else None."""
    if name.startswith(CUMULATIVE_NET_PREFIX):
        digits = name.removeprefix(CUMULATIVE_NET_PREFIX)
        if digits.isdigit():
            return int(digits)
    return None


def _column_order(names: Sequence[str]) -> list[str]:
    """Identity columns, summary scalars, nested ``a.b`` values, then ``cumulative_net_m<k>``.

    Within each group, columns keep their order of first appearance (rows in task-id order),
    which does not depend on how the rows were split into chunks.
    """
    seen = [c for c in dict.fromkeys(names) if c not in ID_COLUMNS]
    months = sorted((c for c in seen if _month_of(c) is not None), key=_month_of)
    month_set = set(months)
    scalars = [c for c in seen if "." not in c and c not in month_set]
    nested = [c for c in seen if "." in c and c not in month_set]
    return [*ID_COLUMNS, *scalars, *nested, *months]


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_text(column: pd.Series) -> bool:
    if column.dtype.kind in "biuf":
        return False
    return any(isinstance(v, str) for v in column.tolist())


def _to_table(frame: pd.DataFrame) -> pa.Table:
    """Convert rows to an Arrow table with the batch's fixed schema.

    ``task_id``, ``draw``, ``rep`` and ``seed`` are int64, ``strategy`` and any column holding
    strings are strings (missing values null), everything else is float64 (missing values NaN).
    """
    fields: list[pa.Field] = []
    arrays: list[pa.Array] = []
    for name in _column_order(list(frame.columns)):
        # an identity column may be missing from an empty frame
        column = frame[name] if name in frame.columns else pd.Series([], dtype=object)
        if name in INT_COLUMNS:
            array = pa.array(column.to_numpy(dtype=np.int64), type=pa.int64())
        elif name == "strategy" or _is_text(column):
            array = pa.array(
                [None if _is_missing(v) else str(v) for v in column.tolist()], type=pa.string()
            )
        else:
            array = pa.array(column.to_numpy(dtype=np.float64, na_value=np.nan), type=pa.float64())
        fields.append(pa.field(name, array.type))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


# --------------------------------------------------------------------------- executors


class SerialExecutor(Executor):
    """An executor that runs each call in the calling thread, inside :meth:`submit`.

    ``submit`` returns an already completed future (an exception raised by the call is stored
    in it; ``KeyboardInterrupt`` and ``SystemExit`` propagate from ``submit``).
    """

    def __init__(self) -> None:
        self._shutdown = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` now and return its completed future."""
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[Any] = Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:  # noqa: ARG002
        """Refuse further submissions (nothing runs in the background)."""
        with self._lock:
            self._shutdown = True


def make_executor(
    kind: str = "process",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    connect_timeout: float = 30.0,
    security: Any | None = None,
) -> contextlib.AbstractContextManager[Executor]:
    """Context manager yielding the executor of a batch.

    On exit the executor is shut down, and any Dask client and local cluster closed.

    Args:
        kind: ``"serial"`` (in-process, one call at a time), ``"process"``
            (``ProcessPoolExecutor`` with the ``spawn`` start method) or ``"dask"``
            (``distributed``; submissions are ``pure=False``).
        workers: Worker processes of ``"process"`` (default ``os.cpu_count()``); for a local
            Dask cluster, the same as ``dask_local``; must be 1 or None for ``"serial"`` and
            None with a scheduler address.
        scheduler: Address of a running Dask scheduler (e.g. ``"tcp://10.0.0.5:8786"``);
            ``kind`` must be ``"dask"``.
        dask_local: Worker processes (one thread each) of a Dask ``LocalCluster`` started for
            the batch, when no scheduler is given (default: Dask's choice from the CPU count).
        connect_timeout: Seconds to wait for the scheduler to accept the connection.
        security: A ``distributed.Security`` for a ``tls://`` scheduler address (see
            :func:`scheduler_security`); with a scheduler address only.

    Returns:
        A context manager; ``with make_executor(...) as executor: run_batch(...)``.

    Raises:
        ValueError: Unknown kind, worker counts below 1, or arguments that do not apply to
            the kind (checked at call time).
        ConnectionError: The scheduler cannot be reached within ``connect_timeout`` (raised on
            entering the ``with`` block).
    """
    if kind not in EXECUTOR_KINDS:
        raise ValueError(
            f"executor kind: got {kind!r}; expected one of {', '.join(map(repr, EXECUTOR_KINDS))}"
        )
    for name, value in (("workers", workers), ("dask_local", dask_local)):
        if value is not None and not _is_count(value):
            raise ValueError(f"{name}: got {value!r}; expected an integer >= 1")
    if connect_timeout <= 0:
        raise ValueError(f"connect_timeout: got {connect_timeout!r}; expected > 0 seconds")
    if kind != "dask" and (scheduler is not None or dask_local is not None):
        raise ValueError(
            f"scheduler and dask_local apply to the 'dask' executor only (kind is {kind!r})"
        )
    if kind == "serial" and workers not in (None, 1):
        raise ValueError(f"workers: got {workers}; the serial executor runs one task at a time")
    if kind == "dask":
        if scheduler is not None and (dask_local is not None or workers is not None):
            raise ValueError(
                "dask_local/workers start a local Dask cluster; with a scheduler address the "
                "cluster's own workers run the batch: give one or the other"
            )
        if scheduler is not None and not str(scheduler).strip():
            raise ValueError("scheduler: got an empty address")
        if security is not None and scheduler is None:
            raise ValueError("security applies to a scheduler address only")
        if workers is not None and dask_local is not None and workers != dask_local:
            raise ValueError(
                f"workers ({workers}) and dask_local ({dask_local}) disagree: give one of them"
            )
        n_local = dask_local if dask_local is not None else workers
        return _dask_executor(scheduler, n_local, connect_timeout, security)
    if kind == "serial":
        return _serial_executor()
    return _process_executor(workers or os.cpu_count() or 1)


@contextlib.contextmanager
def _serial_executor() -> Iterator[Executor]:
    executor = SerialExecutor()
    try:
        yield executor
    finally:
        executor.shutdown()


@contextlib.contextmanager
def _process_executor(workers: int) -> Iterator[Executor]:
    executor = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn")
    )
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


#: glibc malloc settings of local Dask workers (bytes): keep up to 256 MiB of freed memory and
#: serve allocations below 32 MiB from the heap (see :func:`_dask_executor`).
WORKER_MALLOC_TRIM = 256 * 2**20
WORKER_MALLOC_MMAP = 32 * 2**20


@contextlib.contextmanager
def _dask_executor(
    scheduler: str | None, n_local: int | None, connect_timeout: float, security: Any | None
) -> Iterator[Executor]:
    import dask  # noqa: PLC0415  (heavy imports only when Dask is used)
    from distributed import Client, LocalCluster  # noqa: PLC0415

    cluster = None
    if scheduler is not None:
        try:
            client = Client(
                scheduler, timeout=connect_timeout, set_as_default=False, security=security
            )
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(
                f"cannot connect to the Dask scheduler at {scheduler!r} within "
                f"{connect_timeout:g} s ({type(exc).__name__}: {exc}); is it running and "
                "reachable from this machine?"
            ) from exc
    else:
        # spawned workers (no forked state), no statistical profiler (no dashboard to show it),
        # and glibc's malloc left to keep freed memory for the next month's arrays: Dask's
        # default MALLOC_TRIM_THRESHOLD_=65536 also freezes the mmap threshold at 128 KiB, so
        # every array of a 20,000-patient panel is mmapped and unmapped again, which made a run
        # ~25-40% slower in a Dask worker than in a process pool (benchmarks/RESULTS.md)
        local_config = {
            "distributed.worker.multiprocessing-method": "spawn",
            "distributed.worker.profile.enabled": False,
            "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": WORKER_MALLOC_TRIM,
            "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": WORKER_MALLOC_MMAP,
        }
        with dask.config.set(local_config):
            cluster = LocalCluster(
                n_workers=n_local,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        client = Client(cluster, set_as_default=False)
    executor = client.get_executor(pure=False)
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False)  # cancels what is still queued or running
        raise
    else:
        executor.shutdown(wait=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _capacity(executor: Executor) -> Callable[[], int | None]:
    """A function returning how many chunks the executor runs at once (None if unknown)."""
    if isinstance(executor, SerialExecutor):
        return lambda: 1
    max_workers = getattr(executor, "_max_workers", None)  # Process/ThreadPoolExecutor
    if isinstance(max_workers, int) and max_workers > 0:
        return lambda: max_workers
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is None or not hasattr(client, "nthreads"):
        return lambda: None
    cache: dict[str, Any] = {"at": -math.inf, "n": None}

    def threads() -> int | None:
        now = time.monotonic()
        if now - cache["at"] >= _CAPACITY_REFRESH_S:  # workers may join or leave
            cache["at"] = now
            try:
                cache["n"] = max(1, sum(client.nthreads().values()))
            except Exception:  # a capacity estimate is not worth failing for
                cache["n"] = None
        return cache["n"]

    return threads


# --------------------------------------------------------------------------- the batch


@dataclass(frozen=True)
class _Chunk:
    tasks: tuple[Task, ...]

    @property
    def name(self) -> str:
        return chunk_file_name(self.tasks[0].task_id, self.tasks[-1].task_id)


def chunk_file_name(first: int, last: int) -> str:
    """File name of the chunk holding task ids ``first`` … ``last``."""
    return f"{_CHUNK_PREFIX}{first:08d}-{last:08d}{_CHUNK_SUFFIX}"


def task_fingerprint(tasks: Sequence[Task], months: int | None = None) -> str:
    """SHA-256 over the tasks' ids, draws, replications, strategies, seeds and scenario hashes.

    Two batches with the same fingerprint (and ``months``) produce the same rows.

    Args:
        tasks: The tasks, in any order (they are sorted by task id).
        months: The batch's horizon override.

    Returns:
        A hex digest.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps({"months": months}).encode())
    hashes: dict[int, str] = {}  # scenario objects are often shared: hash each once
    for task in sorted(tasks, key=lambda t: t.task_id):
        key = id(task.scenario)
        if key not in hashes:
            hashes[key] = task.scenario.scenario_hash()
        line = [task.task_id, task.draw, task.rep, task.strategy, task.seed, hashes[key]]
        digest.update(json.dumps(line).encode() + b"\n")
    return digest.hexdigest()


def run_batch(
    tasks: Sequence[Task],
    out_dir: Path,
    *,
    executor: Executor,
    chunk_size: int,
    months: int | None = None,
    resume: bool = False,
    progress: bool = True,
    manifest: Mapping[str, Any] | None = None,
    max_in_flight: int | None = None,
) -> pd.DataFrame:
    """Run tasks in chunks through an executor, writing each finished chunk atomically.

    Steps: check ``out_dir`` (it must be missing or empty unless ``resume``); write
    ``manifest.json`` (the caller's ``manifest`` plus ``n_tasks``, ``chunk_size``, ``months``
    and ``task_fingerprint``); split the tasks, in task-id order, into chunks of
    ``chunk_size``; submit the chunks that are not on disk yet, keeping a bounded number in
    flight; write each chunk as it completes (in whatever order) to
    ``chunks/chunk-<first id>-<last id>.parquet`` (temporary file + ``os.replace``); finally
    concatenate all chunks sorted by task id into ``runs.parquet`` (atomic) and return it.

    With ``resume``, the manifest on disk must have the same ``n_tasks``, ``chunk_size``,
    ``months`` and fingerprint (the caller's own manifest keys are kept from the first run and
    not compared); chunk files must all belong to this chunking and hold the expected task ids
    and seeds; those chunks are not recomputed. A missing or empty ``out_dir`` with ``resume``
    simply starts the batch.

    On an exception or ``KeyboardInterrupt`` the pending chunks are cancelled, finished chunks
    stay on disk, and the exception is re-raised (a failing chunk's exception gets a note
    naming the chunk).

    Every call appends one JSON line to ``batch_log.jsonl`` (``status``, ``computed_tasks``,
    ``reused_tasks``, ``computed_chunks``, ``reused_chunks``, ``executor``, times), and the
    returned frame's ``attrs`` carry ``computed_tasks`` and ``reused_tasks``.

    Args:
        tasks: The tasks (unique task ids).
        out_dir: Output folder.
        executor: Where chunks run (see :func:`make_executor`).
        chunk_size: Tasks per chunk (>= 1); aim for about a second of work or more per chunk.
        months: Horizon in months for every task (default: each scenario's own).
        resume: Continue the batch already in ``out_dir``.
        progress: Show a progress bar with ETA on stderr.
        manifest: Extra JSON-serialisable fields recorded in ``manifest.json``.
        max_in_flight: Most chunks submitted but not finished (default: twice the executor's
            worker count plus 2, re-read every few seconds on Dask; 64 if unknown).

    Returns:
        The rows of all tasks (columns described in :func:`run_task`), sorted by task id:
        the content of ``runs.parquet``.

    Raises:
        FileExistsError: ``out_dir`` is not empty and ``resume`` is false (nothing written).
        ValueError: Bad arguments, duplicate task ids, or (on resume) a manifest or chunk
            files that do not match these tasks.
    """
    from tqdm import tqdm  # noqa: PLC0415

    out_dir = Path(out_dir)
    tasks = sorted(tasks, key=lambda t: t.task_id)
    _check_arguments(tasks, chunk_size, months, max_in_flight, manifest)
    chunk_size = int(chunk_size)
    months = None if months is None else int(months)
    chunks = [_Chunk(tuple(tasks[i : i + chunk_size])) for i in range(0, len(tasks), chunk_size)]
    batch_fields = {
        "n_tasks": len(tasks),
        "chunk_size": chunk_size,
        "months": months,
        "task_fingerprint": task_fingerprint(tasks, months),
    }
    chunk_dir = out_dir / CHUNKS_DIR
    started = time.time()
    resuming = resume and out_dir.is_dir() and any(out_dir.iterdir())
    if resuming:
        done = _check_resume(out_dir, chunks, batch_fields)
    else:
        if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
            raise FileExistsError(
                f"{out_dir}: not empty; resume the batch it holds, or choose another folder"
            )
        chunk_dir.mkdir(parents=True, exist_ok=True)
        _write_json_atomic(out_dir / MANIFEST_NAME, {**(manifest or {}), **batch_fields})
        done = set()
    todo = [c for c in chunks if c.name not in done]
    reused = len(tasks) - sum(len(c.tasks) for c in todo)
    log: dict[str, Any] = {
        "started_utc": _utc(started),
        "resumed": bool(resuming),
        "executor": type(executor).__name__,
        "chunk_size": chunk_size,
        "reused_chunks": len(chunks) - len(todo),
        "reused_tasks": reused,
        "computed_chunks": 0,
        "computed_tasks": 0,
        "status": "running",
    }
    bar = tqdm(
        total=len(tasks),
        initial=reused,
        unit="run",
        desc="intsim batch",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
    )
    try:
        with contextlib.closing(_run_chunks(todo, executor, months, max_in_flight)) as finished:
            for chunk in finished:
                _write_table_atomic(chunk_dir / chunk.name, chunk.table)
                log["computed_chunks"] += 1
                log["computed_tasks"] += chunk.n_tasks
                bar.update(chunk.n_tasks)
        runs = _assemble(out_dir, chunks)
    except BaseException as exc:
        log["status"] = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        log["error"] = f"{type(exc).__name__}: {exc}"
        raise
    else:
        log["status"] = "complete"
    finally:
        bar.close()
        log["seconds"] = round(time.time() - started, 3)
        with contextlib.suppress(OSError):  # a log is not worth masking the real error for
            _append_log(out_dir / LOG_NAME, log)
    runs.attrs["computed_tasks"] = log["computed_tasks"]
    runs.attrs["reused_tasks"] = reused
    return runs


@dataclass(frozen=True)
class _Finished:
    name: str
    n_tasks: int
    table: pa.Table


def _run_chunks(
    todo: Sequence[_Chunk], executor: Executor, months: int | None, max_in_flight: int | None
) -> Iterator[_Finished]:
    """Submit chunks (a bounded number at a time) and yield them as they finish."""
    capacity = _capacity(executor)

    def window() -> int:
        if max_in_flight is not None:
            return max_in_flight
        if isinstance(executor, SerialExecutor):
            return 1
        n = capacity()
        return 64 if n is None else 2 * n + 2

    queue = iter(todo)
    pending: dict[Future[pd.DataFrame], _Chunk] = {}
    try:
        while True:
            limit = window()
            while len(pending) < limit and (chunk := next(queue, None)) is not None:
                pending[executor.submit(run_chunk, chunk.tasks, months)] = chunk
            if not pending:
                return
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: pending[f].tasks[0].task_id):
                chunk = pending.pop(future)
                try:
                    frame = future.result()
                except Exception as exc:
                    exc.add_note(f"in batch chunk {chunk.name}")
                    raise
                table = _to_table(frame)
                ids = table.column("task_id").to_pylist()
                if ids != [t.task_id for t in chunk.tasks]:
                    raise RuntimeError(f"chunk {chunk.name}: the executor returned other rows")
                yield _Finished(chunk.name, len(chunk.tasks), table)
    finally:
        for future in pending:  # on error, interrupt or early close
            future.cancel()


def _check_arguments(
    tasks: Sequence[Task],
    chunk_size: int,
    months: int | None,
    max_in_flight: int | None,
    manifest: Mapping[str, Any] | None,
) -> None:
    if not _is_count(chunk_size):
        raise ValueError(f"chunk_size: got {chunk_size!r}; expected an integer >= 1")
    if months is not None and not _is_count(months):
        raise ValueError(f"months: got {months!r}; expected an integer >= 1 or None")
    if max_in_flight is not None and not _is_count(max_in_flight):
        raise ValueError(f"max_in_flight: got {max_in_flight!r}; expected an integer >= 1")
    ids = [t.task_id for t in tasks]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5] if len(ids) < 10_000 else []
        raise ValueError(f"tasks: task ids are not unique{f' (e.g. {dup})' if dup else ''}")
    clash = sorted(set(manifest or {}) & set(MANIFEST_KEYS))
    if clash:
        raise ValueError(f"manifest: keys {clash} are reserved for run_batch")


def _is_count(value: Any) -> bool:
    """Whether ``value`` is an integer (not a bool) >= 1."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= 1


def _check_resume(out_dir: Path, chunks: Sequence[_Chunk], batch: Mapping[str, Any]) -> set[str]:
    """Validate a batch folder against these tasks; return the names of finished chunks."""
    path = out_dir / MANIFEST_NAME
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(
            f"{out_dir}: cannot resume: no {MANIFEST_NAME} (not a batch folder?)"
        ) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot resume: unreadable manifest ({exc})") from exc
    if not isinstance(stored, dict):
        raise ValueError(f"{path}: cannot resume: the manifest is not a JSON object")
    differ = [k for k in MANIFEST_KEYS if stored.get(k) != batch[k]]
    if differ:
        details = "; ".join(
            f"{k}: {stored.get(k)!r} on disk, {batch[k]!r} now"
            for k in differ
            if k != "task_fingerprint"
        )
        hint = (
            "the tasks (ids, strategies, seeds or scenarios) differ from the batch on disk"
            if "task_fingerprint" in differ
            else "the batch settings differ from the batch on disk"
        )
        raise ValueError(
            f"{out_dir}: cannot resume: {hint}"
            f"{f' ({details})' if details else ''}; rerun with the original settings, "
            "or use another folder"
        )
    chunk_dir = out_dir / CHUNKS_DIR
    chunk_dir.mkdir(exist_ok=True)
    expected = {c.name: c for c in chunks}
    done: set[str] = set()
    for entry in sorted(chunk_dir.iterdir()):
        if _TMP_MARK in entry.name:  # debris of a write interrupted before os.replace
            entry.unlink(missing_ok=True)
            continue
        chunk = expected.get(entry.name)
        if chunk is None:
            raise ValueError(
                f"{entry}: cannot resume: this file is not a chunk of the batch "
                f"(chunk_size {batch['chunk_size']}, {batch['n_tasks']} tasks); remove it or "
                "use another folder"
            )
        try:
            stored_ids = pq.read_table(entry, columns=["task_id", "seed"]).to_pydict()
        except (OSError, pa.ArrowException) as exc:
            raise ValueError(f"{entry}: cannot resume: unreadable chunk ({exc})") from exc
        if stored_ids["task_id"] != [t.task_id for t in chunk.tasks] or stored_ids["seed"] != [
            t.seed for t in chunk.tasks
        ]:
            raise ValueError(
                f"{entry}: cannot resume: its task ids or seeds differ from the tasks'; "
                "remove it or use another folder"
            )
        done.add(entry.name)
    return done


def _assemble(out_dir: Path, chunks: Sequence[_Chunk]) -> pd.DataFrame:
    """Concatenate the chunk files in task-id order into ``runs.parquet``; return its rows."""
    frames = [pd.read_parquet(out_dir / CHUNKS_DIR / c.name) for c in chunks]
    if frames:
        names = [c for f in frames for c in f.columns]
        runs = pd.concat(frames, ignore_index=True, sort=False)
        runs = runs.reindex(columns=_column_order(names))
    else:
        runs = pd.DataFrame({c: [] for c in ID_COLUMNS})
    runs = runs.sort_values("task_id", kind="stable", ignore_index=True)
    path = out_dir / RUNS_NAME
    _write_table_atomic(path, _to_table(runs))
    return pd.read_parquet(path)


# --------------------------------------------------------------------------- files


def _write_atomic(path: Path, mode: str, write: Callable[[Any], None]) -> None:
    """Write ``path`` through ``write(file)`` under a temporary name, fsync, then rename it."""
    tmp = path.with_name(f".{path.name}{_TMP_MARK}{uuid.uuid4().hex[:12]}")
    encoding = None if "b" in mode else "utf-8"
    try:
        with open(tmp, mode, encoding=encoding) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_table_atomic(path: Path, table: pa.Table) -> None:
    """Write a Parquet file under a temporary name in the same folder, then rename it."""
    _write_atomic(path, "wb", lambda fh: pq.write_table(table, fh, **_PARQUET_OPTIONS))


def _write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    text = json.dumps(data, indent=2, default=_json_default) + "\n"
    _write_atomic(path, "w", lambda fh: fh.write(text))


def _append_log(path: Path, record: Mapping[str, Any]) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def read_batch_log(out_dir: Path) -> list[dict[str, Any]]:
    """The records of ``batch_log.jsonl``: one per :func:`run_batch` call, oldest first."""
    path = Path(out_dir) / LOG_NAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@dataclass(frozen=True)
class SchedulerTls:
    """TLS settings of the connection to a Dask scheduler (``--tls-*``, ``--dask-config``).

    Attributes:
        ca_file: PEM file of the certificate authority that signed the scheduler's certificate.
        cert: PEM certificate of this client (may also hold its key).
        key: PEM private key of ``cert`` (when not inside it).
        config: A Dask YAML config file with ``distributed.comm.tls`` settings (``ca-file``,
            ``client.cert``, ``client.key``); explicit files above take precedence over it.
    """

    ca_file: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    config: Path | None = None

    @property
    def given(self) -> bool:
        """Whether any TLS setting was given."""
        return any(v is not None for v in (self.ca_file, self.cert, self.key, self.config))


#: Options that set :class:`SchedulerTls`, for messages.
TLS_OPTIONS = "--tls-ca/--tls-cert/--tls-key/--dask-config"


def scheduler_security(tls: SchedulerTls) -> Any:
    """A ``distributed.Security`` requiring encryption, from files and/or a Dask config file.

    Raises:
        ValueError: The config file is not a YAML mapping, or no certificate is given at all.
    """
    import dask  # noqa: PLC0415
    import yaml  # noqa: PLC0415
    from distributed import Security  # noqa: PLC0415

    if tls.key is not None and tls.cert is None:
        raise ValueError("--tls-key: needs --tls-cert (the certificate of that key)")
    settings: dict[str, Any] = {}
    if tls.config is not None:
        try:
            settings = yaml.safe_load(Path(tls.config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"--dask-config {tls.config}: cannot read it ({exc})") from None
        if not isinstance(settings, dict):
            raise ValueError(f"--dask-config {tls.config}: expected a YAML mapping of settings")
    files = {
        "tls_ca_file": tls.ca_file,
        "tls_client_cert": tls.cert,
        "tls_client_key": tls.key,
    }
    with dask.config.set(_dotted(settings)):  # leaf by leaf: the rest of Dask's defaults stay
        security = Security(
            require_encryption=True,
            **{k: str(v) for k, v in files.items() if v is not None},
        )
    if not (security.tls_ca_file or security.tls_client_cert):
        raise ValueError(
            f"{TLS_OPTIONS}: no CA file or client certificate given (a --dask-config file must "
            "set distributed.comm.tls.ca-file and distributed.comm.tls.client.cert)"
        )
    return security


def _dotted(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (Dask config keys, leaf values)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):  # an empty mapping sets nothing
            out.update(_dotted(value, f"{name}."))
        else:
            out[name] = value
    return out


def _scheduler_host(address: str) -> tuple[str, str]:
    """``(scheme, host)`` of ``scheme://host:port`` (brackets of an IPv6 host removed)."""
    scheme, _, rest = address.partition("://")
    host = rest.rpartition(":")[0] if ":" in rest else rest
    return scheme, host.strip("[]")


def is_local_host(host: str) -> bool:
    """Whether ``host`` is this machine's loopback (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_scheduler_warning(address: str) -> str | None:
    """The warning for an unencrypted connection to a scheduler on another machine, if any."""
    scheme, host = _scheduler_host(address)
    if scheme == "tls" or is_local_host(host):
        return None
    return (
        f"intsim: warning: --scheduler {address}: the connection to a scheduler on another "
        "machine is not encrypted or authenticated; whoever can reach that address, or sits on "
        "the network between, can run arbitrary code on the workers and on this machine (Dask "
        "exchanges pickled code and data). Use tls:// with --tls-ca, --tls-cert and --tls-key "
        "(or --dask-config) on a network you do not control; see README, Running on Dask"
    )


def dask_security_from_args(args: Any) -> Any | None:
    """The ``distributed.Security`` of the ``--scheduler`` and TLS options (None for plain tcp).

    Prints :func:`insecure_scheduler_warning` for a plain ``tcp://`` address on another host.

    Raises:
        ValueError: TLS options without ``--scheduler``, with a ``tcp://`` address, or a
            ``tls://`` address without TLS options (the message names the options).
    """
    tls = SchedulerTls(
        ca_file=getattr(args, "tls_ca", None),
        cert=getattr(args, "tls_cert", None),
        key=getattr(args, "tls_key", None),
        config=getattr(args, "dask_config", None),
    )
    scheduler = getattr(args, "scheduler", None)
    if scheduler is None:
        if tls.given:
            raise ValueError(f"{TLS_OPTIONS}: apply to a --scheduler tls://HOST:PORT only")
        return None
    scheme, _ = _scheduler_host(scheduler)
    if scheme == "tls":
        if not tls.given:
            raise ValueError(
                f"--scheduler {scheduler}: a tls:// scheduler needs --tls-ca with --tls-cert "
                "and --tls-key (or --dask-config FILE with distributed.comm.tls settings)"
            )
        return scheduler_security(tls)
    if tls.given:
        raise ValueError(
            f"--scheduler {scheduler}: TLS options given ({TLS_OPTIONS}); use the scheduler's "
            "tls:// address"
        )
    warning = insecure_scheduler_warning(scheduler)
    if warning:
        print(warning, file=sys.stderr)
    return None


def executor_from_args(args: Any) -> contextlib.AbstractContextManager[Executor]:
    """The executor the command-line options ask for.

    ``--serial``, ``--workers N``, ``--scheduler tcp://...`` (or ``tls://...`` with the TLS
    options, :func:`dask_security_from_args`) or ``--dask-local N``; by default a process pool
    on all cores.
    """
    kind = "serial" if args.serial else "dask" if (args.scheduler or args.dask_local) else "process"
    security = dask_security_from_args(args)
    return make_executor(
        kind,
        workers=args.workers,
        scheduler=args.scheduler,
        dask_local=args.dask_local,
        security=security,
    )
