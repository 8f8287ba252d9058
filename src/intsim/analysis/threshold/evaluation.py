"""The runs of a threshold search, through an executor.

P(event) at given values, on the same draws and seeds (:func:`evaluate_values`), and the whole
search (:func:`find_threshold`).

Part of :mod:`intsim.analysis.threshold` (the method is described there).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from typing import Any

import numpy as np

from intsim.analysis.batch import Task, run_chunk, task_seed
from intsim.analysis.sampling import overrides_for_draw
from intsim.analysis.threshold.result import ThresholdResult, format_value
from intsim.analysis.threshold.search import locate
from intsim.analysis.threshold.settings import ThresholdSearch
from intsim.analysis.threshold.statistics import Point, point_from_outputs

#: Most tasks per chunk sent to the executor.
MAX_CHUNK = 4


def _chunk_outputs(tasks: Sequence[Task], output: str) -> np.ndarray:
    """Run a chunk (:func:`intsim.analysis.batch.run_chunk`); the output column (NaN if absent).

    Module-level, so executors can pickle it.
    """
    rows = run_chunk(tasks)
    if output not in rows.columns:
        return np.full(len(rows), np.nan)
    return rows[output].to_numpy(dtype=float)


def _tasks_at(search: ThresholdSearch, x: float, first_id: int) -> list[Task]:
    exp = search.experiment
    tasks = []
    task_id = first_id
    for i, (_, row) in enumerate(search.draws.iterrows()):
        values: dict[str, Any] = overrides_for_draw(row)
        values[search.param.path] = search.value(x)  # after the draw's values
        scenario = search.scenario.with_overrides(values)
        draw = int(row["draw"]) if "draw" in row else i
        for rep in range(exp.reps):
            tasks.append(
                Task(task_id, draw, rep, search.strategy, scenario, task_seed(exp.seed, draw, rep))
            )
            task_id += 1
    return tasks


def evaluate_values(
    search: ThresholdSearch,
    values: Sequence[float],
    executor: Executor,
    *,
    source: str = "extra",
    first_order: int = 0,
    chunk_size: int | None = None,
) -> list[Point]:
    """P(event) at each value, on the same draws and seeds, all values submitted at once.

    Args:
        search: The validated search.
        values: Parameter values (rounded for an integer parameter).
        executor: Where the chunks run.
        source: Recorded in each point.
        first_order: Evaluation order of the first value.
        chunk_size: Tasks per chunk (default: up to 4, smaller when there are few tasks).

    Returns:
        One :class:`Point` per value, in order.
    """
    values = [float(search.value(x)) for x in values]
    per_value = [_tasks_at(search, x, 0) for x in values]
    total = sum(len(t) for t in per_value)
    size = chunk_size or max(1, min(MAX_CHUNK, total // 16))
    futures: list[list[Future[np.ndarray]]] = []
    try:
        futures.extend(
            [
                executor.submit(_chunk_outputs, tasks[i : i + size], search.output)
                for i in range(0, len(tasks), size)
            ]
            for tasks in per_value
        )
        points = []
        for k, (x, chunk_futures) in enumerate(zip(values, futures, strict=True)):
            outputs = np.concatenate([f.result() for f in chunk_futures])
            points.append(
                point_from_outputs(
                    x,
                    outputs,
                    search.target,
                    at_most=search.at_most,
                    source=source,
                    order=first_order + k,
                )
            )
    finally:
        for chunk_futures in futures:
            for f in chunk_futures:
                f.cancel()
    return points


def find_threshold(
    search: ThresholdSearch,
    executor: Executor,
    *,
    progress: Callable[[str], None] | None = None,
    chunk_size: int | None = None,
) -> ThresholdResult:
    """Evaluate the grid, bracket the crossing and bisect it (see the module docstring)."""
    started = time.time()
    count = [0]
    name = search.param.path

    def evaluate(values: Sequence[float], source: str) -> list[Point]:
        if progress is not None and source == "grid":
            progress(
                f"grid: {len(values)} values of {name} x {search.n} runs "
                f"({len(values) * search.n} runs)"
            )
        points = evaluate_values(
            search, values, executor, source=source, first_order=count[0], chunk_size=chunk_size
        )
        count[0] += len(points)
        if progress is not None:
            for p in points:
                progress(
                    f"  {source} {name} = {format_value(search.param, p.value)}: "
                    f"P = {p.p:.3f} ({p.events}/{p.n})"
                )
        return points

    location = locate(
        evaluate,
        search.low,
        search.high,
        confidence=search.confidence,
        direction=search.direction,
        grid=search.grid,
        integer=search.integer,
    )
    return ThresholdResult(search, location, time.time() - started)
