"""Monte Carlo batch benchmarks for intsim: throughput, parallel efficiency, Dask overhead, memory.

Called by ``benchmarks/run.py`` (``make bench``) at the end of its run, or alone with
``benchmarks/run.py --mc-only``. One batch of tasks, a probabilistic sensitivity analysis of the
default scenario (usual-care counterfactual off, every distribution of the parameter declaration,
Latin hypercube draws, one replication per draw), is run through
:func:`intsim.analysis.batch.run_batch` with three executors:

* ``mc_serial``: the serial executor (in this process);
* ``mc_process_2_workers``: a spawn-context process pool with 2 workers; its record carries
  ``parallel_efficiency = (rate_2 / rate_serial) / 2`` against the target 0.9;
* ``mc_dask_2_workers``: a Dask ``LocalCluster`` with 2 worker processes (spawned, one thread
  each) on the same batch; its record carries ``overhead_pct = (t_dask / t_process - 1) * 100``
  against the target 10.

``mc_memory_per_worker`` reports the peak RSS of a worker process (a fresh one-worker spawn pool
that runs one chunk), the peak RSS of each Dask worker after its timed batches, and the parent's
current and peak RSS. Peaks are read inside the process from ``VmHWM`` in ``/proc/self/status``
on Linux, not from ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries ``ru_maxrss`` over
``fork`` + ``exec``, so a spawned worker's ``ru_maxrss`` starts at its parent's peak (``run.py``
has run the agents engine by then). Elsewhere ``ru_maxrss`` is the fallback; the record says which
was used.

Each executor is started, warmed up with one chunk per worker (so every worker has spawned and
imported intsim), and only then timed; start-up and warm-up times are reported separately.
Nothing is pinned: the process's CPU affinity is widened to every CPU for these benchmarks
(``run.py`` pins itself to one core for the single-run benchmarks, and spawned workers would
inherit that) and restored afterwards. Every batch writes its chunks to a fresh folder under one
temporary directory, deleted at the end. With psutil installed, each record also carries the CPU
seconds used during the timed batches by this process, by its worker processes and by the whole
machine, so that load from other programs shows up (``other_cpu_s``).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd

from intsim.analysis.batch import Task, make_executor, run_batch, run_chunk
from intsim.analysis.montecarlo import build_tasks, draws_table, load_experiment

try:  # POSIX only
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is optional
    psutil = None  # type: ignore[assignment]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = REPO_ROOT / "configs" / "default.yaml"

#: Targets from the project issue.
TARGET_MIN_PARALLEL_EFFICIENCY = 0.9
TARGET_MAX_DASK_OVERHEAD_PCT = 10.0

#: Worker processes of the parallel executors.
WORKERS = 2
#: Batch size (tasks), tasks per chunk and timed batches per executor, full and ``quick``.
#: A task (one default-size run, no counterfactual) takes about 0.1 s, so the full batch is about
#: 14 s of work per timed batch, in chunks of about 1.2 s of work.
FULL = {"tasks": 144, "chunk_size": 12, "repeats": 3}
QUICK = {"tasks": 24, "chunk_size": 4, "repeats": 1}
#: Root seed of the parameter draws and task seeds.
SEED = 2026

Emit = Callable[[dict[str, Any]], None]


# --------------------------------------------------------------------------- memory


def peak_rss_mib() -> tuple[float | None, str]:
    """Peak RSS of this process so far, in MiB, and how it was read.

    ``VmHWM`` from ``/proc/self/status`` where it exists (Linux); otherwise
    ``getrusage(RUSAGE_SELF).ru_maxrss`` (KiB on Linux, bytes on macOS); None off POSIX.
    """
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0, "VmHWM (/proc/self/status)"
    if resource is None:
        return None, "unavailable"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0
    return peak / scale, "getrusage(RUSAGE_SELF).ru_maxrss"


def rss_mib() -> float | None:
    """Current RSS of this process in MiB (psutil), or None without psutil."""
    return psutil.Process().memory_info().rss / 2**20 if psutil is not None else None


def worker_peak_rss() -> dict[str, Any]:
    """This process's pid, peak RSS and method; module-level so workers can run it."""
    peak, method = peak_rss_mib()
    return {"pid": os.getpid(), "peak_mib": peak, "method": method}


def chunk_peak_rss(tasks: Sequence[Task]) -> dict[str, Any]:
    """Run one chunk as a batch worker does; report the worker's memory before and after.

    Module-level, so a process pool can pickle it.

    Args:
        tasks: The chunk's tasks.

    Returns:
        ``pid``, ``method``, ``start_peak_mib`` (peak RSS after the worker's start-up and
        imports), ``peak_mib`` (peak RSS once the chunk has run) and ``rss_after_mib`` (current
        RSS after the chunk, psutil; None without it).
    """
    start_peak, method = peak_rss_mib()
    run_chunk(tasks)
    peak, _ = peak_rss_mib()
    return {
        "pid": os.getpid(),
        "method": method,
        "start_peak_mib": start_peak,
        "peak_mib": peak,
        "rss_after_mib": rss_mib(),
    }


# --------------------------------------------------------------------------- CPU accounting


def _cpu_sample() -> dict[str, float] | None:
    """CPU seconds so far: this process, its live child processes, and the whole machine."""
    if psutil is None:
        return None
    me = psutil.Process()
    children = 0.0
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            t = child.cpu_times()
            children += t.user + t.system
    total = psutil.cpu_times()
    idle = total.idle + getattr(total, "iowait", 0.0)
    return {
        "self": time.process_time(),
        "children": children,
        "machine": sum(total)
        - idle
        - getattr(total, "guest", 0.0)
        - getattr(total, "guest_nice", 0.0),
    }


def _cpu_delta(before: dict[str, float] | None, after: dict[str, float] | None) -> dict[str, float]:
    if before is None or after is None:
        return {}
    return {k: after[k] - before[k] for k in before}


# --------------------------------------------------------------------------- running batches


@dataclass
class ExecutorTiming:
    """Timings of one executor on the benchmark batch.

    Attributes:
        startup_s: Seconds to create the executor (process pool: lazy, near zero; Dask: the
            scheduler, the workers and the client).
        warmup_s: Seconds of the warm-up batch (one chunk per worker; for a process pool this
            includes spawning the workers and their imports).
        warmup_tasks: Tasks in the warm-up batch.
        times: Seconds of each timed batch.
        shutdown_s: Seconds to shut the executor down.
        frame: The rows returned by the last timed batch.
        load_1m: The 1-minute load average just before the timed batches (None if unknown).
        cpu: CPU seconds over all timed batches (``self``, ``children``, ``machine``; empty
            without psutil).
        dask_worker_peak_mib: Peak RSS of each Dask worker after the timed batches (Dask only).
    """

    startup_s: float
    warmup_s: float
    warmup_tasks: int
    times: list[float]
    shutdown_s: float
    frame: pd.DataFrame
    load_1m: float | None
    cpu: dict[str, float] = field(default_factory=dict)
    dask_worker_peak_mib: list[float] | None = None

    @property
    def median(self) -> float:
        """Median of the timed batches, in seconds."""
        return statistics.median(self.times)


def _load_1m() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


@contextlib.contextmanager
def _unpinned() -> Iterator[list[int] | None]:
    """Allow this process (and the workers it spawns) on every CPU; restore afterwards."""
    if not (hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity")):
        yield None
        return
    before = os.sched_getaffinity(0)
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    try:
        yield sorted(os.sched_getaffinity(0))
    finally:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, before)


def benchmark_tasks(n_tasks: int, scenario_path: Path, work_dir: Path) -> list[Task]:
    """The benchmark batch: ``n_tasks`` parameter draws of the scenario, one replication each.

    The experiment (written to ``work_dir``) sets ``finance.counterfactual: false`` on the
    scenario, takes every distribution of the parameter declaration (``uncertainty.defaults``)
    and samples them by Latin hypercube with seed :data:`SEED`; the tasks come from
    :func:`intsim.analysis.montecarlo.build_tasks`, as in ``intsim mc``.
    """
    experiment = {
        "name": "bench_mc",
        "scenario": str(Path(scenario_path).resolve()),
        "set": {"finance.counterfactual": False},
        "uncertainty": {"defaults": True},
        "sampling": {"method": "lhs", "seed": SEED},
        "monte_carlo": {"runs": int(n_tasks), "reps": 1},
    }
    path = work_dir / "bench_mc.yaml"
    path.write_text(json.dumps(experiment, indent=2) + "\n", encoding="utf-8")  # JSON is YAML
    exp = load_experiment(path)
    return build_tasks(exp, draws_table(exp))


def _batch(
    tasks: Sequence[Task], executor: Executor, chunk_size: int, work_dir: Path, label: str
) -> tuple[float, pd.DataFrame]:
    """Run one batch into a fresh folder (deleted afterwards); return its seconds and rows."""
    out_dir = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=work_dir))
    try:
        gc.collect()
        start = time.perf_counter()
        frame = run_batch(tasks, out_dir, executor=executor, chunk_size=chunk_size, progress=False)
        return time.perf_counter() - start, frame
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def _dask_worker_peaks(executor: Executor) -> list[float] | None:
    """Peak RSS (MiB) of every worker of a Dask executor, or None if it cannot be read."""
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if client is None:
        return None
    try:
        peaks = client.run(worker_peak_rss)
    except Exception:  # a memory reading is not worth failing the benchmark for
        return None
    values = [p["peak_mib"] for p in peaks.values() if p.get("peak_mib") is not None]
    return sorted(round(v, 1) for v in values) or None


def time_executor(
    kind: str,
    tasks: Sequence[Task],
    chunk_size: int,
    repeats: int,
    work_dir: Path,
    workers: int | None = None,
) -> ExecutorTiming:
    """Start an executor, warm it up with one chunk per worker, then time ``repeats`` batches.

    Args:
        kind: ``"serial"``, ``"process"`` or ``"dask"`` (a local cluster).
        tasks: The batch.
        chunk_size: Tasks per chunk.
        repeats: Timed batches.
        work_dir: Folder for the batches' (temporary) output folders.
        workers: Worker processes (process pool and Dask).

    Returns:
        The timings.
    """
    n_warm = 1 if kind == "serial" else int(workers or 1)
    warm_tasks = list(tasks[: n_warm * chunk_size])
    options: dict[str, Any] = {}
    if kind == "process":
        options["workers"] = workers
    elif kind == "dask":
        options["dask_local"] = workers
    times: list[float] = []
    dask_peaks = None
    start = time.perf_counter()
    with make_executor(kind, **options) as executor:
        startup_s = time.perf_counter() - start
        warmup_s, _ = _batch(warm_tasks, executor, chunk_size, work_dir, f"{kind}-warmup")
        load_1m = _load_1m()
        cpu_before = _cpu_sample()
        for i in range(repeats):
            seconds, frame = _batch(tasks, executor, chunk_size, work_dir, f"{kind}-{i}")
            times.append(seconds)
        cpu = _cpu_delta(cpu_before, _cpu_sample())
        if kind == "dask":
            dask_peaks = _dask_worker_peaks(executor)
        stop = time.perf_counter()
    shutdown_s = time.perf_counter() - stop
    return ExecutorTiming(
        startup_s=startup_s,
        warmup_s=warmup_s,
        warmup_tasks=len(warm_tasks),
        times=times,
        shutdown_s=shutdown_s,
        frame=frame,
        load_1m=load_1m,
        cpu=cpu,
        dask_worker_peak_mib=dask_peaks,
    )


def worker_memory(tasks: Sequence[Task]) -> dict[str, Any]:
    """Memory of a fresh spawned worker process that runs one chunk (:func:`chunk_peak_rss`)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(chunk_peak_rss, list(tasks)).result()


def _timing_record(
    name: str,
    kind: str,
    workers: int,
    timing: ExecutorTiming,
    n_tasks: int,
    chunk_size: int,
    cpus: list[int] | None,
    patients: int,
    months: int,
) -> dict[str, Any]:
    rate = n_tasks / timing.median
    record: dict[str, Any] = {
        "name": name,
        "executor": kind,
        "workers": workers,
        "tasks": n_tasks,
        "chunk_size": chunk_size,
        "median_s": round(timing.median, 4),
        "min_s": round(min(timing.times), 4),
        "runs": len(timing.times),  # timed batches, like run.py's "timed calls"
        "times_s": [round(t, 4) for t in timing.times],
        "runs_per_s": round(rate, 3),
        "s_per_run": round(1.0 / rate, 4),
        "startup_s": round(timing.startup_s, 4),
        "warmup_s": round(timing.warmup_s, 4),
        "warmup_tasks": timing.warmup_tasks,
        "shutdown_s": round(timing.shutdown_s, 4),
        "patients": patients,
        "months": months,
        "cpus_allowed": cpus,
        "load_avg_1m": timing.load_1m,
    }
    if timing.cpu:
        own = timing.cpu["self"] + timing.cpu["children"]
        record |= {
            "parent_cpu_s": round(timing.cpu["self"], 2),
            "workers_cpu_s": round(timing.cpu["children"], 2),
            "machine_cpu_s": round(timing.cpu["machine"], 2),
            "other_cpu_s": round(max(timing.cpu["machine"] - own, 0.0), 2),
            "wall_s_total": round(sum(timing.times), 2),
        }
    return record


def _startup_overhead(timing: ExecutorTiming, rate: float, workers: int) -> float:
    """Start-up plus warm-up seconds beyond the warm-up chunks' steady-state work."""
    per_worker_tasks = timing.warmup_tasks / workers
    return timing.startup_s + timing.warmup_s - per_worker_tasks / (rate / workers)


def _progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the benchmarks


def run_mc_benchmarks(emit: Emit, quick: bool, scenario_path: Path | None = None) -> None:
    """Run the Monte Carlo batch benchmarks and emit one JSON record per benchmark.

    Args:
        emit: Called with each record (``run.py`` prints it as a JSON line and collects it).
        quick: A smaller batch (12 tasks in chunks of 2) and one timed batch per executor,
            instead of 48 tasks in chunks of 4 and the median of 3 timed batches.
        scenario_path: Base scenario (default: ``configs/default.yaml``).
    """
    plan = QUICK if quick else FULL
    n_tasks, chunk_size, repeats = plan["tasks"], plan["chunk_size"], plan["repeats"]
    scenario_path = Path(scenario_path or DEFAULT_SCENARIO)
    with (
        tempfile.TemporaryDirectory(prefix="intsim-bench-mc-") as tmp,
        _unpinned() as cpus,
    ):
        work_dir = Path(tmp)
        tasks = benchmark_tasks(n_tasks, scenario_path, work_dir)
        values = tasks[0].scenario.values
        common = {
            "n_tasks": n_tasks,
            "chunk_size": chunk_size,
            "cpus": cpus,
            "patients": int(values.population.n_patients),
            "months": int(values.simulation.months),
        }
        if cpus is not None and len(cpus) < WORKERS:
            _progress(f"warning: only {len(cpus)} CPU(s) allowed; no parallel speed-up possible")
        plan_text = f"{repeats} timed batch(es) of {n_tasks} tasks in chunks of {chunk_size}"

        # (1) serial executor, in this process.
        _progress(f"mc_serial: 1 warm-up chunk + {plan_text}, unpinned (CPUs {cpus})")
        serial = time_executor("serial", tasks, chunk_size, repeats, work_dir)
        rate_1 = n_tasks / serial.median
        emit(_timing_record("mc_serial", "serial", 1, serial, **common))

        # (2) spawn process pool.
        name = f"mc_process_{WORKERS}_workers"
        _progress(f"{name}: spawn process pool, {WORKERS} warm-up chunks + {plan_text}")
        process = time_executor("process", tasks, chunk_size, repeats, work_dir, WORKERS)
        rate_p = n_tasks / process.median
        efficiency = (rate_p / rate_1) / WORKERS
        rec = _timing_record(name, "process", WORKERS, process, **common)
        rec |= {
            "startup_overhead_s": round(_startup_overhead(process, rate_p, WORKERS), 4),
            "serial_runs_per_s": round(rate_1, 3),
            "speedup": round(rate_p / rate_1, 3),
            "parallel_efficiency": round(efficiency, 3),
            "target_min_efficiency": TARGET_MIN_PARALLEL_EFFICIENCY,
            "meets_target": efficiency >= TARGET_MIN_PARALLEL_EFFICIENCY,
            "outputs_identical_to_serial": bool(process.frame.equals(serial.frame)),
        }
        emit(rec)

        # (3) Dask LocalCluster: spawned worker processes, 1 thread each.
        name = f"mc_dask_{WORKERS}_workers"
        _progress(
            f"{name}: Dask LocalCluster ({WORKERS} processes x 1 thread), {WORKERS} warm-up "
            f"chunks + {plan_text}"
        )
        dask = time_executor("dask", tasks, chunk_size, repeats, work_dir, WORKERS)
        rate_d = n_tasks / dask.median
        overhead = (dask.median / process.median - 1.0) * 100.0
        rec = _timing_record(name, "dask", WORKERS, dask, **common)
        rec |= {
            "startup_overhead_s": round(_startup_overhead(dask, rate_d, WORKERS), 4),
            "process_median_s": round(process.median, 4),
            "overhead_pct": round(overhead, 2),
            "target_max_overhead_pct": TARGET_MAX_DASK_OVERHEAD_PCT,
            "meets_target": overhead <= TARGET_MAX_DASK_OVERHEAD_PCT,
            "parallel_efficiency": round((rate_d / rate_1) / WORKERS, 3),
            "outputs_identical_to_serial": bool(dask.frame.equals(serial.frame)),
        }
        emit(rec)

        # (4) memory per worker.
        _progress(f"mc_memory_per_worker: one chunk of {chunk_size} tasks in a fresh worker")
        worker = worker_memory(tasks[:chunk_size])
        parent_peak, _ = peak_rss_mib()
        memory = {
            "name": "mc_memory_per_worker",
            "method": worker["method"],
            "chunk_size": chunk_size,
            "worker_start_peak_mib": _r1(worker["start_peak_mib"]),
            "worker_peak_mib": _r1(worker["peak_mib"]),
            "worker_rss_after_chunk_mib": _r1(worker["rss_after_mib"]),
            "dask_worker_peak_mib": dask.dask_worker_peak_mib,
            "parent_rss_mib": _r1(rss_mib()),
            "parent_peak_mib": _r1(parent_peak),
            "rss_method": "psutil Process().memory_info().rss" if psutil is not None else None,
            "patients": common["patients"],
            "months": common["months"],
        }
        emit(memory)

    print_summary(memory, serial, process, dask, n_tasks)


def _r1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_summary(
    memory: dict[str, Any],
    serial: ExecutorTiming,
    process: ExecutorTiming,
    dask: ExecutorTiming,
    n_tasks: int,
) -> None:
    """Print the Monte Carlo results and their targets to stderr."""
    out = sys.stderr
    r1, rp, rd = (n_tasks / t.median for t in (serial, process, dask))
    eff = rp / r1 / WORKERS
    over = (dask.median / process.median - 1) * 100
    print("", file=out)
    print(f"Monte Carlo batch of {n_tasks} runs (median of {len(serial.times)}):", file=out)
    print(f"  serial:             {r1:6.2f} runs/s", file=out)
    print(
        f"  process, {WORKERS} workers: {rp:6.2f} runs/s, parallel efficiency {eff:.2f} "
        f"(target >= {TARGET_MIN_PARALLEL_EFFICIENCY}: "
        f"{_met(eff >= TARGET_MIN_PARALLEL_EFFICIENCY)}); "
        f"start-up + warm-up {process.startup_s + process.warmup_s:.2f} s",
        file=out,
    )
    print(
        f"  Dask, {WORKERS} workers:    {rd:6.2f} runs/s, overhead vs process {over:+.1f}% "
        f"(target <= {TARGET_MAX_DASK_OVERHEAD_PCT:.0f}%: "
        f"{_met(over <= TARGET_MAX_DASK_OVERHEAD_PCT)}); "
        f"start-up + warm-up {dask.startup_s + dask.warmup_s:.2f} s",
        file=out,
    )
    print(
        f"  memory ({memory['method']}): worker peak {memory['worker_peak_mib']} MiB "
        f"({memory['worker_start_peak_mib']} MiB after start-up), Dask workers "
        f"{memory['dask_worker_peak_mib']} MiB, parent RSS {memory['parent_rss_mib']} MiB",
        file=out,
    )
    others = [t.cpu for t in (serial, process, dask) if t.cpu]
    if others:
        other = sum(c["machine"] - c["self"] - c["children"] for c in others)
        wall = sum(sum(t.times) for t in (serial, process, dask))
        print(
            f"  CPU used by other programs during the timed batches: {max(other, 0.0):.1f} s "
            f"over {wall:.1f} s of wall time (should be near 0 on a quiet machine)",
            file=out,
        )
