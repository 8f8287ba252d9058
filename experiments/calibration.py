"""Calibration targets T1-T4: run them, and optionally re-fit the calibrated parameters.

Usage:
    python experiments/calibration.py            # evaluate T1-T4 -> results/calibration/targets.csv
    python experiments/calibration.py --fit      # re-fit the named parameters (about a minute),
                                                 # print them, then evaluate with the fitted values

Each target is configured by a file in configs/calibration/ (see docs/targets.md for the
published values and bands). Fitting changes only the parameters each target names:
T2 relapse hazard; T3 chronic usual-care improvement hazard and CoCM hazard ratio; T1 Weibull
shape and scale of acute-episode improvement; T4 outreach (offer) probability and early
disengagement; plus the incidence that keeps usual-care prevalence at its A1 value
(docs/evidence.md A3). Fitted values must then be written into src/intsim/params/__init__.py as
defaults.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from intsim import argcheck
from intsim.analysis import calibration as cal
from intsim.argcheck import run_main
from intsim.params.scenario import default_scenario

OUT = Path("results/calibration")


def fit_all() -> dict[str, object]:
    """Fit the calibrated parameters in dependency order; return them as overrides."""
    fitted: dict[str, object] = {}
    steps = [
        ("clinical.relapse_hazard", cal.fit_relapse_hazard),
        ("clinical.chronic_improvement_hazard", cal.fit_chronic_hazard),
        ("clinical.cocm_response_hr", cal.fit_cocm_hr),
    ]
    for key, fit in steps:
        t = time.perf_counter()
        fitted[key] = round(fit(fitted), 4)
        print(f"  {key} = {fitted[key]}  ({time.perf_counter() - t:.0f} s)", file=sys.stderr)
    shape, scale = cal.fit_weibull(fitted)
    fitted["clinical.remission_weibull_shape"] = shape
    fitted["clinical.remission_weibull_scale"] = scale
    print(f"  Weibull shape = {shape}, scale = {scale}", file=sys.stderr)
    base = default_scenario().with_overrides(fitted)
    fitted["clinical.incidence"] = round(cal.fit_incidence(base), 5)
    print(f"  clinical.incidence = {fitted['clinical.incidence']}", file=sys.stderr)
    fitted["cocm.offer_probability"] = round(cal.fit_offer_probability(fitted), 3)
    fitted["cocm.early_disengagement"] = round(cal.fit_early_disengagement(fitted), 3)
    print(
        f"  offer = {fitted['cocm.offer_probability']}, early disengagement = "
        f"{fitted['cocm.early_disengagement']}",
        file=sys.stderr,
    )
    return fitted


def main(argv: list[str] | None = None) -> int:
    """Evaluate (and optionally fit) the calibration targets."""
    parser = argcheck.Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="re-fit the calibrated parameters")
    parser.add_argument("--out", type=argcheck.out_dir, default=OUT, help="output folder")
    args = parser.parse_args(argv)
    argcheck.claim_out(args.out)
    if args.fit:
        print("fitting (about a minute)...", file=sys.stderr)
        fitted = fit_all()
        print("fitted values (write them into src/intsim/params/__init__.py):")
        for key, value in fitted.items():
            print(f"  {key}: {value}")
    table = cal.evaluate_targets(overrides=fitted if args.fit else None)
    with argcheck.staged_out(args.out) as out:
        table.to_csv(out / "targets.csv", index=False)
    print(table.to_string(index=False))
    print(
        f"{int(table['met'].sum())} of {len(table)} calibration quantities within their bands; "
        f"written to {args.out / 'targets.csv'}"
    )
    return 0 if table["met"].all() else 1


if __name__ == "__main__":
    run_main(main)
