"""``intsim threshold``: validate, search through an executor, write the outputs.

:func:`cmd_threshold` and the search settings it records in the manifest.

Part of :mod:`intsim.analysis.threshold` (the method is described there).
"""

from __future__ import annotations

import argparse
import sys

from intsim.analysis.montecarlo import load_experiment
from intsim.analysis.threshold.evaluation import find_threshold
from intsim.analysis.threshold.plots import plot_acceptability
from intsim.analysis.threshold.result import summary_line
from intsim.analysis.threshold.search import means_move_toward_event
from intsim.analysis.threshold.settings import ThresholdError, prepare_search

#: Search settings recorded in the manifest.
MANIFEST_SEARCH_KEYS: tuple[str, ...] = (
    "param",
    "output",
    "target",
    "event",
    "confidence",
    "direction",
    "range",
    "runs",
    "reps",
    "seed",
    "method",
    "dropped_from_uncertainty",
)


def cmd_threshold(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim threshold``: validate, search through an executor, write the outputs."""
    from intsim.analysis.commands import EXIT_OK, UserError, staged_analysis  # noqa: PLC0415
    from intsim.provenance import write_json  # noqa: PLC0415

    exp = load_experiment(
        args.experiment, runs=args.runs, reps=args.reps, overrides=args.overrides, seed=args.seed
    )
    try:
        search = prepare_search(
            exp,
            args.param,
            args.output,
            target=args.target,
            confidence=args.confidence,
            direction=args.direction,
            at_most=args.at_most,
            value_range=args.range,
            grid=args.grid,
            strategy=args.strategy,
        )
    except ThresholdError as exc:
        raise UserError(str(exc)) from None

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    with staged_analysis(args, argv) as run:
        if search.dropped:
            print(
                f"note: {search.param.path} is in the experiment's uncertainty section; its "
                "draws are dropped (it is the searched parameter)"
            )
        result = find_threshold(search, run.executor, progress=progress)
        result.curve().to_csv(run.tmp / "curve.csv", index=False)
        write_json(run.tmp / "threshold.json", result.to_dict())
        summary = result.to_dict()
        run.manifest.update(
            {
                "experiment_raw": exp.raw,
                "strategy": search.strategy,
                "scenario": search.scenario.to_dict(),
                "search": {k: summary[k] for k in MANIFEST_SEARCH_KEYS if k in summary}
                | {"grid": search.grid},
            }
        )
        if not args.no_figures:
            plot_acceptability(result, run.tmp / "acceptability.png")
    loc = result.location
    print(
        f"intsim threshold {exp.name}: strategy {search.strategy}, {len(search.draws)} draws x "
        f"{exp.reps} reps (n = {search.n} per value), {len(loc.points)} values evaluated, "
        f"seed {exp.seed}, {result.seconds:.0f} s"
    )
    if not loc.monotone:
        print(
            f"note: P({search.event}) is not monotone along the evaluated values; the threshold "
            "is the first crossing in the search direction"
        )
    if not means_move_toward_event(loc.points, search.direction, at_most=search.at_most):
        print(
            f"note: the mean of {search.output} moves away from the target somewhere along the "
            f"evaluated values of {search.param.path}; see acceptability.csv"
        )
    print(summary_line(result))
    print(f"outputs written to {run.out_dir}/")
    return EXIT_OK
