"""Headline global sensitivity study: what drives the sustainability of CoCM, PCBH and hybrid.

Sobol' indices (SALib, common random numbers, averaged replications) of the net margin, the
break-even month, the NPV and patients served over 36 months, for workforce (incl. turnover and
time to fill), startup-phasing, payer-rate and clinical factors
(configs/experiments/sobol_sustainability.yaml), plus the time-resolved indices of the
cumulative net.

Usage:
    python experiments/sobol_sustainability.py                  # N=256, 2 reps, all cores
    python experiments/sobol_sustainability.py --n 64 --reps 1  # a quicker look
    python experiments/sobol_sustainability.py --quick          # smoke test (tiny panel)

Writes results/sobol_sustainability/ (indices.csv, indices_time.csv, convergence.csv,
stochastic_share.csv, figures): the same outputs as `intsim sobol`.
"""

from __future__ import annotations

from pathlib import Path

from intsim import argcheck
from intsim.argcheck import run_main
from intsim.cli import main as intsim

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "experiments" / "sobol_sustainability.yaml"
QUICK = [
    "population.n_patients=1500",
    "staffing.n_pcps=1",
    "staffing.care_manager_fte=0.4",
    "staffing.bhc_fte=0.3",
    "staffing.psychiatric_consultant_hours_per_week=1.2",
    "simulation.months=12",
]


def main(argv: list[str] | None = None) -> int:
    """Run the study through `intsim sobol`."""
    parser = argcheck.Parser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n",
        type=argcheck.positive_int,
        help="base sample size, a power of 2 (default 256; 8 with --quick)",
    )
    parser.add_argument(
        "--reps",
        type=argcheck.positive_int,
        help="replications per row, >= 1 (default 2; 1 with --quick)",
    )
    parser.add_argument(
        "--workers",
        type=argcheck.positive_int,
        help="process-pool workers, >= 1 (default: all cores; --quick runs serially unless given)",
    )
    parser.add_argument("--quick", action="store_true", help="tiny smoke run (CoCM only)")
    parser.add_argument(
        "--out", type=argcheck.out_dir, default=Path("results/sobol_sustainability")
    )
    args = parser.parse_args(argv)
    cmd = ["sobol", str(CONFIG), "--out", str(args.out)]
    if args.quick:  # smaller defaults; an option given explicitly still wins
        cmd += ["--strategy", "cocm"]
        cmd += ["--n", str(args.n or 8), "--reps", str(args.reps or 1)]
        cmd += ["--workers", str(args.workers)] if args.workers else ["--serial"]
        for item in QUICK:
            cmd += ["--set", item]
    else:
        if args.n:
            cmd += ["--n", str(args.n)]
        if args.reps:
            cmd += ["--reps", str(args.reps)]
        if args.workers:
            cmd += ["--workers", str(args.workers)]
    return intsim(cmd)


if __name__ == "__main__":
    run_main(main)
