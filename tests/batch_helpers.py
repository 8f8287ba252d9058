"""Helpers of ``test_batch.py``: the small test batch, and a batch run that can be killed.

Run as a script (``python tests/batch_helpers.py OUT_DIR CHUNK_SIZE STALL_AFTER``) it runs the
test batch serially into ``OUT_DIR`` and, after ``STALL_AFTER`` chunks are written, blocks before
computing the next one, so a test can kill it at a known point.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from intsim.analysis.batch import SerialExecutor, Task, run_batch, task_seed
from intsim.params.scenario import Scenario, default_scenario

SMALL = {
    "population.n_patients": 300,
    "staffing.n_pcps": 1,
    "simulation.months": 6,
    "finance.counterfactual": False,
}
STRATEGIES = {"cocm": {"care_model": "cocm"}, "pcbh": {"care_model": "pcbh"}}
#: Per-draw overrides (3 draws).
DRAWS: tuple[dict[str, Any], ...] = (
    {"population.n_patients": 300},
    {"population.n_patients": 320},
    {"population.n_patients": 340},
)
REPS = 2
ROOT_SEED = 7


def small_scenario() -> Scenario:
    """The default scenario shrunk to a run of a few hundredths of a second."""
    return default_scenario().with_overrides(SMALL)


def build_tasks(root_seed: int = ROOT_SEED) -> list[Task]:
    """3 draws × 2 replications × 2 strategies = 12 tasks, ids in (draw, rep, strategy) order."""
    base = small_scenario()
    strategies = {name: base.with_overrides(o) for name, o in STRATEGIES.items()}
    tasks = []
    for draw, overrides in enumerate(DRAWS):
        scenarios = {name: sc.with_overrides(overrides) for name, sc in strategies.items()}
        for rep in range(REPS):
            seed = task_seed(root_seed, draw, rep)
            for name, scenario in scenarios.items():
                tasks.append(Task(len(tasks), draw, rep, name, scenario, seed))
    return tasks


class StallingExecutor(SerialExecutor):
    """A serial executor that blocks (up to ``limit`` s) on the call after the first ``after``."""

    def __init__(self, after: int, limit: float = 120.0) -> None:
        super().__init__()
        self.after = after
        self.limit = limit
        self.calls = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        if self.calls > self.after:
            print("stalled", flush=True)
            time.sleep(self.limit)  # the test kills us here
            raise SystemExit(3)
        return super().submit(fn, *args, **kwargs)


class InterruptingExecutor(SerialExecutor):
    """A serial executor whose call number ``at`` raises ``exc`` (as Ctrl-C would)."""

    def __init__(self, at: int, exc: BaseException) -> None:
        super().__init__()
        self.at = at
        self.exc = exc
        self.calls = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.calls += 1
        if self.calls == self.at:
            if isinstance(self.exc, Exception):
                future: Future[Any] = Future()
                future.set_exception(self.exc)
                return future
            raise self.exc
        return super().submit(fn, *args, **kwargs)


def main(argv: list[str]) -> None:
    """Run the test batch serially into ``argv[0]`` and stall after ``argv[2]`` chunks."""
    out_dir, chunk_size, stall_after = Path(argv[0]), int(argv[1]), int(argv[2])
    run_batch(
        build_tasks(),
        out_dir,
        executor=StallingExecutor(stall_after),
        chunk_size=chunk_size,
        progress=False,
        manifest={"purpose": "resume test"},
    )


if __name__ == "__main__":
    main(sys.argv[1:])


# --------------------------------------------------------------------------- Dask subprocesses


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at the time of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Terminate ``proc`` (kill it if it does not end within 20 s)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def dask_subprocesses(
    folder: Path, *, scheme: str = "tcp", extra: Sequence[str] = (), timeout: float = 60.0
) -> Iterator[str]:
    """A Dask scheduler and one single-threaded worker as subprocesses on 127.0.0.1.

    Yields the scheduler address (``scheme://127.0.0.1:port``); logs go to ``folder``. ``extra``
    options (e.g. TLS files) are given to both. Both processes are stopped on exit.
    """
    port = free_port()
    host = "127.0.0.1" if scheme == "tcp" else f"{scheme}://127.0.0.1"
    address = f"{scheme}://127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []
    scheduler = [
        *("-m", "distributed.cli.dask_scheduler", "--host", host, "--port", str(port)),
        "--no-dashboard",
    ]
    worker = [
        *("-m", "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1"),
        "--no-dashboard",
    ]
    try:
        with open(folder / "scheduler.log", "wb") as log:
            procs.append(_spawn([*scheduler, *extra], log, folder))
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if procs[0].poll() is not None or time.monotonic() > deadline:
                    log_text = (folder / "scheduler.log").read_text()
                    raise RuntimeError(f"scheduler did not start:\n{log_text}") from None
                time.sleep(0.1)
        with open(folder / "worker.log", "wb") as log:
            procs.append(_spawn([*worker, *extra], log, folder))
        yield address
    finally:
        for proc in reversed(procs):
            stop_process(proc)


def _spawn(args: list[str], log: Any, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args], stdout=log, stderr=subprocess.STDOUT, cwd=folder
    )
