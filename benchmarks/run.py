"""Speed benchmarks for intsim: one JSON line per benchmark on stdout.

Run from the repository root (``make bench`` runs exactly this)::

    .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --quick
    .venv/bin/python benchmarks/run.py --agents-patients 2000 --json-out bench.jsonl

Benchmarks:

* ``scenario_load``: load and validate ``configs/default.yaml``.
* ``arrays_default_run``: the vectorised engine on the default scenario (one warm-up run, then
  the median of several timed runs).
* ``agents_default_run``: the one-Mesa-agent-per-patient engine on the default scenario. With
  ``--agents-patients N`` it runs on an N-patient panel instead (``agents_small_run``) and the
  arrays engine is also timed on that panel (``arrays_small_run``), so the ratio compares like
  with like.
* ``arrays_vs_agents_speed_ratio``: ratio of the two engines' medians on the same scenario.
* ``mc_*``: Monte Carlo batches through the serial, process-pool and Dask executors, and memory per
  worker (``benchmarks/mc.py``); on by default, ``--no-mc`` skips them, ``--mc-only`` runs only
  them.

Everything above the ``mc_*`` benchmarks runs in this single process, pinned to one core where the
OS allows it, with the BLAS/OpenMP thread pools limited to one thread (the ``mc_*`` benchmarks run
unpinned, on worker processes). A human-readable table goes to stderr at the end.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Limit native thread pools to one thread before numpy (also imported by intsim) is loaded.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"
os.environ["NUMEXPR_NUM_THREADS"] = "1"
os.environ["VECLIB_MAXIMUM_THREADS"] = "1"

import numpy as np

from intsim import argcheck
from intsim.argcheck import run_main
from intsim.params.scenario import Scenario, load_scenario
from intsim.sim.runner import Results, simulate

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = REPO_ROOT / "configs" / "default.yaml"

#: Targets from the project issue.
TARGET_ARRAYS_MAX_S = 0.100
TARGET_MIN_SPEED_RATIO = 50.0


@dataclass
class Timing:
    """Wall-clock timings of repeated calls of one benchmark.

    Attributes:
        times: Seconds taken by each timed call (warm-up calls excluded).
        last: The value returned by the last timed call.
    """

    times: list[float]
    last: Any

    @property
    def median(self) -> float:
        """Median of the timed calls, in seconds."""
        return statistics.median(self.times)

    @property
    def minimum(self) -> float:
        """Fastest timed call, in seconds."""
        return min(self.times)


def pin_to_one_core() -> int | None:
    """Pin this process to a single CPU core where the OS supports it.

    Returns:
        The core pinned to, or ``None`` if pinning is unavailable or was refused.
    """
    if not (hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity")):
        return None
    allowed = os.sched_getaffinity(0)
    core = 0 if 0 in allowed else min(allowed)
    try:
        os.sched_setaffinity(0, {core})
    except OSError:
        return None
    return core


def time_calls(fn: Callable[[], Any], runs: int, warmup: int = 0) -> Timing:
    """Time repeated calls of ``fn`` with :func:`time.perf_counter`.

    A garbage collection runs before every call so that garbage left by one call is not
    charged to the next.

    Args:
        fn: The zero-argument callable to time.
        runs: Number of timed calls (at least one).
        warmup: Number of untimed calls made first.

    Returns:
        The timings and the value returned by the last timed call.
    """
    for _ in range(warmup):
        fn()
    times: list[float] = []
    last: Any = None
    for _ in range(max(runs, 1)):
        gc.collect()
        start = time.perf_counter()
        last = fn()
        times.append(time.perf_counter() - start)
    return Timing(times=times, last=last)


def patient_months(results: Results) -> int:
    """Patient-months simulated in a run (sum of the monthly panel sizes)."""
    return int(results.monthly["panel_size"].sum())


def run_record(name: str, timing: Timing, scenario: Scenario, engine: str) -> dict[str, Any]:
    """Build the JSON record of one engine benchmark.

    Args:
        name: Benchmark name.
        timing: Timings of the runs; ``timing.last`` must be a :class:`Results`.
        scenario: The scenario that was run.
        engine: The engine that was run.

    Returns:
        The record, ready to be serialised.
    """
    pm = patient_months(timing.last)
    return {
        "name": name,
        "engine": engine,
        "median_s": round(timing.median, 6),
        "min_s": round(timing.minimum, 6),
        "runs": len(timing.times),
        "patients": int(scenario.get("population.n_patients")),
        "months": int(scenario.get("simulation.months")),
        "patient_months": pm,
        "patient_months_per_s": round(pm / timing.median, 1),
    }


def bench_engine(
    name: str, scenario: Scenario, engine: str, runs: int, warmup: int
) -> tuple[dict[str, Any], Results]:
    """Benchmark one engine on one scenario.

    Args:
        name: Benchmark name.
        scenario: The scenario to run.
        engine: ``"arrays"`` or ``"agents"``.
        runs: Number of timed runs.
        warmup: Number of untimed warm-up runs.

    Returns:
        The JSON record and the results of the last timed run.
    """
    n = scenario.get("population.n_patients")
    print(
        f"[bench] {name}: {engine} engine, {n} patients, {warmup} warm-up + {runs} timed run(s)",
        file=sys.stderr,
        flush=True,
    )
    timing = time_calls(lambda: simulate(scenario, engine=engine), runs=runs, warmup=warmup)
    return run_record(name, timing, scenario, engine), timing.last


def ratio_record(
    arrays: dict[str, Any],
    agents: dict[str, Any],
    arrays_results: Results,
    agents_results: Results,
) -> dict[str, Any]:
    """Build the JSON record comparing the two engines on the same scenario.

    Args:
        arrays: Record of the arrays-engine benchmark.
        agents: Record of the agents-engine benchmark (same scenario).
        arrays_results: Last results of the arrays engine.
        agents_results: Last results of the agents engine.

    Returns:
        The ratio record; ``outputs_identical`` checks the engines' docking on the way.
    """
    ratio = agents["median_s"] / arrays["median_s"]
    return {
        "name": "arrays_vs_agents_speed_ratio",
        "ratio": round(ratio, 2),
        "patients": arrays["patients"],
        "months": arrays["months"],
        "arrays_benchmark": arrays["name"],
        "agents_benchmark": agents["name"],
        "arrays_median_s": arrays["median_s"],
        "agents_median_s": agents["median_s"],
        "arrays_patient_months_per_s": arrays["patient_months_per_s"],
        "agents_patient_months_per_s": agents["patient_months_per_s"],
        "outputs_identical": bool(arrays_results.monthly.equals(agents_results.monthly)),
        "target_min_ratio": TARGET_MIN_SPEED_RATIO,
        "meets_target": ratio >= TARGET_MIN_SPEED_RATIO,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argcheck.Parser(
        description="intsim speed benchmarks (one JSON line per benchmark on stdout)."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer runs: 3 timed arrays runs and 1 agents run",
    )
    parser.add_argument(
        "--agents-patients",
        type=argcheck.positive_int,
        default=None,
        metavar="N",
        help="run the agents engine on an N-patient panel (arrays is also timed on it "
        "and the ratio uses that panel)",
    )
    parser.add_argument(
        "--arrays-runs",
        type=argcheck.positive_int,
        default=None,
        help="timed arrays runs, >= 1 (default 7; 3 with --quick)",
    )
    parser.add_argument(
        "--agents-runs",
        type=argcheck.positive_int,
        default=None,
        help="timed agents runs, >= 1 (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--scenario",
        type=argcheck.existing_file,
        default=DEFAULT_SCENARIO,
        help="scenario file (default: configs/default.yaml)",
    )
    parser.add_argument(
        "--json-out",
        type=argcheck.new_file,
        default=None,
        metavar="FILE",
        help="also write the lines here",
    )
    parser.add_argument(
        "--mc",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the Monte Carlo batch benchmarks (benchmarks/mc.py) at the end "
        "(default: on; --no-mc skips them)",
    )
    parser.add_argument(
        "--sobol-n",
        type=argcheck.power_of_two,
        default=None,
        metavar="N",
        help="base sample size of the Sobol' benchmark (default 16; 1024 runs the issue's full "
        "26,624-run study, about 8-13 minutes)",
    )
    parser.add_argument(
        "--mc-only",
        action="store_true",
        help="run only the Monte Carlo batch benchmarks (no pinning, no single-run benchmarks)",
    )
    args = parser.parse_args(argv)
    if args.mc_only and not args.mc:
        parser.error("--mc-only and --no-mc contradict each other")
    return args


def environment(core: int | None) -> dict[str, str]:
    """Describe the machine and software the benchmarks ran on."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
        "pinned core": "none" if core is None else str(core),
    }


def print_table(records: list[dict[str, Any]], env: dict[str, str]) -> None:
    """Print a human-readable summary of the records to stderr."""
    out = sys.stderr
    print("", file=out)
    print("  ".join(f"{k}: {v}" for k, v in env.items()), file=out)
    header = f"{'benchmark':<30} {'patients':>9} {'months':>6} {'runs':>4} "
    header += f"{'median':>11} {'min':>11} {'patient-months/s':>17}"
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in records:
        if "median_s" not in r:
            continue
        pmps = f"{r['patient_months_per_s']:,.0f}" if "patient_months_per_s" in r else ""
        print(
            f"{r['name']:<30} {r.get('patients', ''):>9} {r.get('months', ''):>6} "
            f"{r['runs']:>4} {_fmt_s(r['median_s']):>11} {_fmt_s(r['min_s']):>11} {pmps:>17}",
            file=out,
        )
    by_name = {r["name"]: r for r in records}
    print("", file=out)
    if (r := by_name.get("arrays_default_run")) is not None:
        print(
            f"arrays engine, default scenario: median {_fmt_s(r['median_s'])} "
            f"(target <= {_fmt_s(r['target_max_s'])}: "
            f"{'met' if r['meets_target'] else 'NOT met'})",
            file=out,
        )
    if (r := by_name.get("arrays_vs_agents_speed_ratio")) is not None:
        print(
            f"arrays vs agents ({r['patients']} patients x {r['months']} months): "
            f"{r['ratio']:.1f}x faster (target >= {r['target_min_ratio']:.0f}x: "
            f"{'met' if r['meets_target'] else 'NOT met'}); "
            f"outputs identical: {r['outputs_identical']}",
            file=out,
        )


def _fmt_s(seconds: float) -> str:
    """Format a duration in seconds with a sensible unit."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks and emit their JSON lines.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        Process exit status.
    """
    args = parse_args(argv)
    core = None if args.mc_only else pin_to_one_core()
    arrays_runs = args.arrays_runs if args.arrays_runs is not None else (3 if args.quick else 7)
    agents_runs = args.agents_runs if args.agents_runs is not None else (1 if args.quick else 3)
    records: list[dict[str, Any]] = []
    json_out = args.json_out.open("w", encoding="utf-8") if args.json_out else None

    def emit(record: dict[str, Any]) -> None:
        line = json.dumps(record)
        print(line, flush=True)
        if json_out is not None:
            json_out.write(line + "\n")
            json_out.flush()
        records.append(record)

    try:
        if not args.mc_only:
            # (d) scenario loading + validation.
            timing = time_calls(lambda: load_scenario(args.scenario), runs=50, warmup=1)
            emit(
                {
                    "name": "scenario_load",
                    "median_s": round(timing.median, 6),
                    "min_s": round(timing.minimum, 6),
                    "runs": len(timing.times),
                    "scenario": str(args.scenario),
                }
            )
            full: Scenario = timing.last
            default_n = int(full.get("population.n_patients"))
            # One run of the clinic model with its claims and ledger; the usual-care counterfactual
            # (a second model run on the same seed) is benchmarked separately below.
            scenario = full.with_overrides({"finance.counterfactual": False})

            # (a) arrays engine on the default scenario.
            arrays, arrays_res = bench_engine(
                "arrays_default_run", scenario, "arrays", runs=arrays_runs, warmup=1
            )
            arrays["target_max_s"] = TARGET_ARRAYS_MAX_S
            arrays["meets_target"] = arrays["median_s"] <= TARGET_ARRAYS_MAX_S
            emit(arrays)

            # (b) agents engine, on the default panel or a smaller one.
            if args.agents_patients is None or args.agents_patients == default_n:
                agents, agents_res = bench_engine(
                    "agents_default_run", scenario, "agents", runs=agents_runs, warmup=0
                )
                emit(agents)
            else:
                small = load_scenario(
                    args.scenario,
                    overrides={
                        "population.n_patients": args.agents_patients,
                        "finance.counterfactual": False,
                    },
                )
                arrays, arrays_res = bench_engine(
                    "arrays_small_run", small, "arrays", runs=arrays_runs, warmup=1
                )
                emit(arrays)
                agents, agents_res = bench_engine(
                    "agents_small_run", small, "agents", runs=agents_runs, warmup=0
                )
                emit(agents)

            # (c) ratio of medians on the same scenario.
            emit(ratio_record(arrays, agents, arrays_res, agents_res))

            # (e) what `intsim run` simulates by default: the programme plus its usual-care
            # counterfactual on the same seed (payer savings, shared-savings benchmarks).
            with_cf, _ = bench_engine(
                "arrays_default_run_with_counterfactual", full, "arrays", runs=arrays_runs, warmup=0
            )
            emit(with_cf)
        if args.mc:
            # (f) Monte Carlo batches: serial, process pool, Dask; unpinned (see mc.py).
            from mc import run_mc_benchmarks  # noqa: PLC0415  (dask etc. only when wanted)

            run_mc_benchmarks(emit, quick=args.quick, scenario_path=args.scenario)
            # (g) the Sobol' study of the sensitivity issue, extrapolated from a small N
            from sobol import run_sobol_benchmark  # noqa: PLC0415

            run_sobol_benchmark(emit, quick=args.quick, n=args.sobol_n)
    finally:
        if json_out is not None:
            json_out.close()

    print_table(records, environment(core))
    return 0


if __name__ == "__main__":
    run_main(main)
