"""Sobol' study benchmark: the issue's 12-factor, N=1024, second-order design (26,624 runs).

By default the study is timed at a small N (the design has N x (2d + 2) rows, so the time per
row is what scales) on a 2-worker process pool and the time is extrapolated to N=1024 against
the target of 15 minutes; ``benchmarks/run.py --sobol-n 1024`` times the full study. Each call
evaluates the 2d + 2 rows of one base sample, so rows that differ only in money-only factors
(payer rates, salaries: 6 of the 12) share one simulated clinic per seed and are only priced
again (:class:`intsim.analysis.gsa.ModelResponse`); the outputs are those of simulating every row.
Factors: the 12 workforce, payer-rate and clinical factors of
``configs/experiments/sobol_sustainability.yaml`` (CoCM; the study's later turnover,
time-to-fill and phasing factors are left out), on the default organisation over 60 months
without the usual-care counterfactual.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "configs" / "experiments" / "sobol_sustainability.yaml"
TARGET_N = 1024
TARGET_S = 15 * 60.0


def run_sobol_benchmark(
    emit: Callable[[dict[str, Any]], None], *, quick: bool, n: int | None = None
) -> None:
    """Time a second-order Sobol' study (N=16, or ``n``) and extrapolate to N=1024 (one record).

    ``n=1024`` times the issue's full study itself (about 8-13 minutes).
    """
    from intsim.analysis.batch import make_executor  # noqa: PLC0415
    from intsim.analysis.gsa import ModelResponse, parse_factors, seeds_for  # noqa: PLC0415
    from intsim.analysis.montecarlo import load_experiment  # noqa: PLC0415
    from intsim.analysis.sensitivity import sobol  # noqa: PLC0415
    from intsim.params import is_money_only  # noqa: PLC0415
    from mc import _unpinned  # noqa: PLC0415  (benchmarks/ is on the path)

    exp = load_experiment(EXPERIMENT, overrides=["simulation.months=60"])
    # the 12 factors: the study's workforce, payer-rate and clinical factors without the
    # turnover/time-to-fill and phasing factors added later (docs/decisions/index.md)
    factors = [
        f
        for f in parse_factors(exp.raw["sensitivity"]["factors"])
        if not f.path.startswith(("workforce.", "rollout."))
    ]
    assert len(factors) == 12, [f.path for f in factors]
    scenario = exp.strategies["cocm"]
    response = ModelResponse(scenario, factors, ["net_margin_pct", "npv"], seeds_for(1, 1))
    n = n or (2 if quick else 16)
    d = len(factors)
    rows = n * (2 * d + 2)
    # one call per base sample: its 2d + 2 rows share simulated clinics where they differ only
    # in money factors (ModelResponse.reuse_clinics; the default chunk of `intsim sobol`)
    block = 2 * d + 2
    money = sum(is_money_only(f.path) for f in factors)
    clinics_per_block = 2 + 2 * (d - money)
    # both cores: `benchmarks/run.py` pins itself to one core for the single-run benchmarks, and
    # spawned pool workers inherit the affinity (both would share one core)
    with _unpinned(), make_executor("process", workers=2) as executor:
        # warm the pool (spawned interpreters import intsim) before timing
        sobol(
            response,
            {f.path: f.spec for f in factors},
            2,
            second_order=True,
            seed=1,
            executor=executor,
            chunk_size=block,
        )
        start = time.perf_counter()
        sobol(
            response,
            {f.path: f.spec for f in factors},
            n,
            second_order=True,
            seed=1,
            executor=executor,
            chunk_size=block,
        )
        seconds = time.perf_counter() - start
    full_rows = TARGET_N * (2 * d + 2)
    extrapolated = seconds / rows * full_rows
    emit(
        {
            "name": "sobol_12_factors_second_order",
            "workers": 2,
            "factors": d,
            "n": n,
            "runs": rows,
            "seconds": round(seconds, 2),
            "runs_per_s": round(rows / seconds, 3),
            "money_only_factors": money,
            "clinic_simulations": n * clinics_per_block,
            "target_n": TARGET_N,
            "target_runs": full_rows,
            "extrapolated_s": round(extrapolated, 1),
            "target_max_s": TARGET_S,
            "meets_target": extrapolated <= TARGET_S,
        }
    )
