"""Helpers of ``test_batch.py``: the small test batch, and a batch run that can be killed.

Run as a script (``python tests/batch_helpers.py OUT_DIR CHUNK_SIZE STALL_AFTER``) it runs the
test batch serially into ``OUT_DIR`` and, after ``STALL_AFTER`` chunks are written, blocks before
computing the next one, so a test can kill it at a known point.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from intsim.batch import SerialExecutor, Task, run_batch, task_seed
from intsim.scenario import Scenario, default_scenario

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
