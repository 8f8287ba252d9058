"""Command-line interface: ``intsim run | validate | params``.

Exit statuses: 0 success, 2 user error (bad scenario, bad arguments, missing files), 1 a bug
(an unexpected exception, printed with its traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from intsim import __version__, argcheck
from intsim.analysis.commands import (  # the frame shared by commands; re-exported here
    EXIT_BUG,
    EXIT_OK,
    EXIT_USER,
    Analysis,  # noqa: F401  (re-exported: intsim.cli.Analysis is the same class)
    UserError,
    staged_analysis,
)
from intsim.params import ENGINES, markdown_table
from intsim.params.scenario import Scenario, ScenarioError, load_scenario, parse_overrides

#: Commands that read an experiment file (its strategies are checked once, before any run).
EXPERIMENT_COMMANDS = ("mc", "sobol", "morris", "tornado", "twoway", "threshold")


class _Parser(argcheck.Parser):
    """ArgumentParser whose errors exit with status 2 and one clear line (intsim.argcheck)."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        """Print one line ``intsim: error: <message>`` and exit 2."""
        line = " ".join(message.split())
        self.exit(EXIT_USER, f"intsim: error: {line} (see {self.prog} --help)\n")


_positive_int = argcheck.positive_int  # counts, seeds and months: whole numbers >= 1


def _add_set(parser: argparse.ArgumentParser, help_text: str) -> None:
    """The repeatable ``--set KEY.PATH=VALUE`` option."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help=help_text,
    )


def _add_strict(parser: argparse.ArgumentParser) -> None:
    """The ``--strict`` option of the commands that read scenarios."""
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse (exit 2) what is otherwise only warned about: values outside their "
        "plausible range, phases or grant months after the horizon",
    )


def report_warnings(lines: list[str], strict: bool) -> list[str]:
    """Print each warning on standard error, or refuse them all under ``--strict``.

    Returns:
        The warnings (recorded in the output's ``manifest.json``).

    Raises:
        UserError: Under ``--strict`` when there is any warning (nothing is written).
    """
    if strict and lines:
        raise UserError("\n".join(f"{line}; refused under --strict" for line in lines))
    for line in lines:
        print(f"intsim: warning: {line}", file=sys.stderr)
    return lines


def _labelled_warnings(scenarios: Sequence[tuple[str, Scenario]]) -> list[str]:
    """The warnings of several scenarios: a line common to all once, others with their name."""
    per = [(name, sc.warnings) for name, sc in scenarios]
    common = [line for line in per[0][1] if all(line in w for _, w in per)] if per else []
    out = list(common)
    for name, lines in per:
        out.extend(f"{name}: {line}" for line in lines if line not in common)
    return out


def _experiment_warnings(args: argparse.Namespace) -> list[str]:
    """Warnings about an experiment's strategies as written (base, ``set:``, ``--set``).

    The values an analysis generates (draws, design points, sweep ends, search points) are not
    checked against plausible ranges: the experiment's distributions and ranges choose them on
    purpose. They are still checked against hard bounds and the cross-field rules.
    """
    from intsim.analysis.montecarlo import load_experiment  # noqa: PLC0415

    exp = load_experiment(
        args.experiment,
        overrides=args.overrides,
        strategy_files=getattr(args, "strategies", None) or (),
    )
    return report_warnings(_labelled_warnings(list(exp.strategies.items())), args.strict)


def _add_executor(parser: argparse.ArgumentParser) -> None:
    """Where batches run: process pool (default), in process, or Dask."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=_positive_int, help="process-pool workers (default: all cores)"
    )
    where.add_argument("--serial", action="store_true", help="run in this process")
    where.add_argument(
        "--scheduler",
        type=argcheck.scheduler_address,
        metavar="tcp://HOST:PORT",
        help="an existing Dask scheduler (tls://HOST:PORT with the TLS options below)",
    )
    where.add_argument(
        "--dask-local",
        type=_positive_int,
        metavar="N",
        help="start a Dask LocalCluster with N workers",
    )
    _add_dask_tls(parser)


def _add_dask_tls(parser: argparse.ArgumentParser) -> None:
    """TLS of the connection to a ``--scheduler tls://HOST:PORT`` (distributed's Security)."""
    tls = parser.add_argument_group("Dask TLS (with --scheduler tls://HOST:PORT)")
    for flag, help_text in (
        ("--tls-ca", "CA certificate (PEM) that signed the scheduler's certificate"),
        ("--tls-cert", "this client's certificate (PEM; may also hold the key)"),
        ("--tls-key", "this client's private key (PEM)"),
        ("--dask-config", "Dask YAML config file with distributed.comm.tls settings"),
    ):
        tls.add_argument(flag, type=argcheck.existing_file, metavar="FILE", help=help_text)


NO_FIGURES_HELP = "skip the figures (PNG and SVG)"
FILE_HELP = (
    "experiment YAML file (names its base `scenario:`), or a plain scenario file (see above)"
)
_PLAIN = (
    "FILE is an experiment file (it names its base `scenario:`; see README) or a plain "
    "scenario file: the file kind is detected from its keys. A plain scenario is analysed "
    "alone, under the declared uncertainty distributions of `intsim params`."
)


def _described(text: str, example: str) -> str:
    """A command description: the plain-scenario paragraph (wrapped) and an example."""
    import textwrap  # noqa: PLC0415

    return textwrap.fill(_PLAIN + " " + text, 78) + "\n\nexample:\n  " + example


#: The description of each analysis command: its plain-scenario form, with an example.
PLAIN_SCENARIO_HELP: dict[str, str] = {
    "mc": _described(
        "--runs sets the number of draws (default 100).",
        "intsim mc configs/rural_fqhc_hybrid.yaml --runs 40",
    ),
    "threshold": _described(
        "--param and --output say what is searched; --range defaults to the parameter's "
        "plausible range.",
        "intsim threshold configs/rural_fqhc_hybrid.yaml --param contracts.medicaid.pmpm_usd "
        "--range 0 40 --output net_margin_pct --runs 40",
    ),
    "tornado": _described(
        "Factors: --factors PATH,PATH, each at the 5th and 95th percentiles of its declared "
        "distribution, else the ends of its plausible range; default: every declared uncertain "
        "parameter.",
        "intsim tornado configs/rural_fqhc_hybrid.yaml --output net "
        "--factors cocm.caseload_per_fte,costs.care_manager_salary",
    ),
    "twoway": _described(
        "--x and --y name the two parameters (ranges default to their plausible ranges).",
        "intsim twoway configs/rural_fqhc_hybrid.yaml --x contracts.medicaid.pmpm_usd "
        "--y cocm.caseload_per_fte --grid 5 5",
    ),
    "sobol": _described(
        "With a plain scenario --factors PATH,PATH is required (each with its declared "
        "distribution, else its plausible range).",
        "intsim sobol configs/rural_fqhc_hybrid.yaml --factors "
        "cocm.caseload_per_fte,costs.care_manager_salary --n 64 --outputs net",
    ),
    "morris": _described(
        "Factors: --factors PATH,PATH, default every declared uncertain parameter.",
        "intsim morris configs/rural_fqhc_hybrid.yaml --outputs net",
    ),
}


def _add_factors(parser: argparse.ArgumentParser) -> None:
    """``--factors PATH,PATH``: the factors of an analysis given on the command line."""
    parser.add_argument(
        "--factors",
        type=argcheck.name_list,
        metavar="PATH[,PATH...]",
        help="factors (replace the file's sensitivity.factors); each takes its declared "
        "distribution, else its plausible range",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``intsim`` command."""
    parser = _Parser(
        prog="intsim",
        description="Simulate behavioral health integration in primary care (CoCM, PCBH, hybrid, "
        "usual care) and its sustainability.",
    )
    parser.add_argument("--version", action="version", version=f"intsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    run = sub.add_parser("run", help="run one scenario and write its outputs")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--seed", type=_positive_int, help="root seed (>= 1; default: scenario's)")
    run.add_argument("--engine", choices=ENGINES, help="patient engine (default: scenario's)")
    run.add_argument("--months", type=_positive_int, help="horizon in months")
    _add_set(run, "override a parameter (repeatable), e.g. --set cocm.caseload_per_fte=70")
    run.add_argument(
        "--out", type=Path, help="output directory (default: results/<scenario>-<hash>/)"
    )
    run.add_argument("--no-figures", action="store_true", help="skip the figures (PNG and SVG)")
    run.add_argument("--quiet", action="store_true", help="print only the output directory")
    _add_strict(run)

    val = sub.add_parser("validate", help="check a scenario file and print its resolved hash")
    val.add_argument("scenario", type=Path, help="scenario YAML file")
    _add_set(val, "override a parameter (repeatable)")
    _add_strict(val)

    cmp = sub.add_parser(
        "compare", help="run scenarios on common random numbers; print the incremental table"
    )
    cmp.add_argument(
        "scenarios",
        type=Path,
        nargs="+",
        metavar="SCENARIO",
        help="scenario YAML files (the first is the reference)",
    )
    cmp.add_argument("--seed", type=_positive_int, help="root seed shared by all scenarios")
    cmp.add_argument("--months", type=_positive_int, help="horizon in months")
    cmp.add_argument("--engine", choices=ENGINES, help="patient engine")
    _add_set(cmp, "override a parameter in every scenario")
    cmp.add_argument("--out", type=Path, help="output directory (default: results/compare-<hash>/)")
    _add_strict(cmp)

    mc = sub.add_parser(
        "mc",
        help="Monte Carlo probabilistic sensitivity analysis of an experiment or scenario file",
        description=PLAIN_SCENARIO_HELP["mc"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mc.add_argument("experiment", type=Path, metavar="FILE", help=FILE_HELP)
    mc.add_argument("--runs", type=_positive_int, help="parameter draws K (default: file's)")
    mc.add_argument("--reps", type=_positive_int, help="replications R per draw")
    mc.add_argument(
        "--strategies",
        type=Path,
        nargs="+",
        metavar="SCENARIO",
        help="strategy scenario files (replace the file's strategies)",
    )
    mc.add_argument("--seed", type=_positive_int, help="root seed (default: sampling.seed)")
    _add_set(mc, "override a parameter in every strategy")
    _add_executor(mc)
    mc.add_argument(
        "--chunk-size", type=_positive_int, help="runs per chunk (default: about 1 s of work)"
    )
    mc.add_argument("--out", type=Path, help="output directory (default: results/mc-<name>/)")
    mc.add_argument("--resume", action="store_true", help="continue an interrupted experiment")
    mc.add_argument("--no-figures", action="store_true", help=NO_FIGURES_HELP)
    mc.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_strict(mc)

    for name, help_text in (
        ("sobol", "Sobol' global sensitivity indices of model outputs (SALib)"),
        ("morris", "Morris screening of the declared uncertain parameters (SALib)"),
    ):
        g = sub.add_parser(
            name,
            help=help_text,
            description=PLAIN_SCENARIO_HELP[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        g.add_argument("experiment", type=Path, metavar="FILE", help=FILE_HELP)
        _add_factors(g)
        g.add_argument("--strategy", help="only this strategy of the experiment")
        g.add_argument("--outputs", help="comma-separated outputs (default: the file's)")
        g.add_argument("--reps", type=_positive_int, help="replications averaged per row")
        g.add_argument("--seed", type=_positive_int, help="seed of the design and the runs")
        g.add_argument(
            "--groups", action="store_true", help="indices per factor group instead of per factor"
        )
        _add_set(g, "override a parameter in every strategy")
        _add_executor(g)
        g.add_argument(
            "--chunk-size",
            type=_positive_int,
            help="design rows per task (default: the rows of one base point)",
        )
        g.add_argument(
            "--out", type=Path, help=f"output directory (default: results/{name}-<name>/)"
        )
        g.add_argument("--no-figures", action="store_true", help=NO_FIGURES_HELP)
        _add_strict(g)
        if name == "sobol":
            g.add_argument("--n", type=_positive_int, help="base sample size N (a power of 2)")
            g.add_argument("--second-order", action="store_true", help="also S2 indices")
        else:
            g.add_argument(
                "--trajectories",
                type=_positive_int,
                default=10,
                help="Morris trajectories (default 10)",
            )
            g.add_argument("--levels", type=_positive_int, default=4, help="grid levels (even)")
            g.add_argument(
                "--all",
                action="store_true",
                help="all declared uncertain parameters, not the file's factors",
            )

    for name, help_text in (
        ("tornado", "one-way sensitivity: each factor at its low and high value (tornado)"),
        ("twoway", "two-way sensitivity: a grid over two parameters with the break-even line"),
    ):
        d = sub.add_parser(
            name,
            help=help_text,
            description=PLAIN_SCENARIO_HELP[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        d.add_argument("experiment", type=Path, metavar="FILE", help=FILE_HELP)
        if name == "tornado":
            _add_factors(d)
        d.add_argument("--strategy", help="only this strategy of the experiment")
        d.add_argument(
            "--outputs",
            "--output",
            dest="outputs",
            metavar="NAME[,NAME...]",
            help="comma-separated outputs (default: "
            + ("the file's)" if name == "tornado" else "net_margin_pct)"),
        )
        d.add_argument("--reps", type=_positive_int, help="replications averaged per point")
        d.add_argument("--seed", type=_positive_int, help="root seed of the common seed set")
        _add_set(d, "override a parameter in every strategy")
        _add_executor(d)
        d.add_argument("--chunk-size", type=_positive_int, help="points per task (default 1)")
        d.add_argument(
            "--out", type=Path, help=f"output directory (default: results/{name}-<name>/)"
        )
        d.add_argument("--no-figures", action="store_true", help=NO_FIGURES_HELP)
        _add_strict(d)
        if name == "twoway":
            for axis in ("x", "y"):
                d.add_argument(f"--{axis}", metavar="PATH", help=f"parameter on the {axis} axis")
                d.add_argument(
                    f"--{axis}-range",
                    nargs=2,
                    type=argcheck.finite_float,
                    metavar=("LOW", "HIGH"),
                    help=f"{axis} range (default: the file's factor range or the plausible range)",
                )
            d.add_argument(
                "--grid",
                nargs=2,
                type=_positive_int,
                metavar=("NX", "NY"),
                help="grid points on x and y (default 9 9)",
            )

    th = sub.add_parser(
        "threshold",
        help="parameter value at which P(output >= target) reaches a confidence",
        description=PLAIN_SCENARIO_HELP["threshold"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    th.add_argument("experiment", type=Path, metavar="FILE", help=FILE_HELP)
    th.add_argument("--param", required=True, metavar="PATH", help="numeric parameter searched")
    th.add_argument("--output", required=True, metavar="NAME", help="output, e.g. net_margin_pct")
    th.add_argument(
        "--target", type=argcheck.finite_float, default=0.0, help="target of the output (default 0)"
    )
    th.add_argument("--at-most", action="store_true", help="event output <= target (not >=)")
    th.add_argument(
        "--confidence",
        type=argcheck.open_unit_interval,
        default=0.8,
        help="in (0, 1) (default 0.8)",
    )
    th.add_argument(
        "--direction",
        choices=("increasing", "decreasing"),
        default="increasing",
        help="does P rise with the parameter (smallest value) or fall (largest value)?",
    )
    th.add_argument(
        "--range", type=argcheck.finite_float, nargs=2, metavar=("LOW", "HIGH"), help="search range"
    )
    th.add_argument(
        "--grid", type=argcheck.int_at_least(2), default=9, help="curve points, >= 2 (default 9)"
    )
    th.add_argument("--runs", type=_positive_int, help="parameter draws K (default: file's)")
    th.add_argument("--reps", type=_positive_int, help="replications R per draw")
    th.add_argument("--strategy", help="the strategy searched (default: the first)")
    th.add_argument("--seed", type=_positive_int, help="root seed (default: sampling.seed)")
    _add_set(th, "override a parameter in every strategy")
    _add_executor(th)
    th.add_argument("--out", type=Path, help="output folder (default: results/threshold-<stem>/)")
    th.add_argument("--no-figures", action="store_true", help=NO_FIGURES_HELP)
    _add_strict(th)

    sub.add_parser("params", help="print the parameter table (markdown)")
    _add_report_commands(sub)
    return parser


def _add_report_commands(sub: Any) -> None:
    """``intsim report grant|payer``: the decision reports of issue 13 (HTML, CSV and Excel)."""
    from intsim.report.payer import add_payer_arguments  # noqa: PLC0415

    report = sub.add_parser("report", help="decision reports: HTML, CSV and Excel")
    kinds = report.add_subparsers(dest="report", metavar="REPORT", parser_class=_Parser)
    kinds.required = True
    grant = kinds.add_parser(
        "grant", help="grant impact and budget report: reach, outcomes, budget, funding gap"
    )
    grant.add_argument("scenario", type=argcheck.existing_file, help="scenario YAML file")
    grant.add_argument(
        "--runs", type=argcheck.int_at_least(10), help="Monte Carlo draws K, >= 10 (default 60)"
    )
    grant.add_argument("--seed", type=_positive_int, help="root seed (default: scenario's)")
    grant.add_argument(
        "--out", type=argcheck.out_dir, help="output folder (default: results/grant-<name>/)"
    )
    grant.add_argument(
        "--jobs", type=_positive_int, help="worker processes (default: all cores; 1: serial)"
    )
    payer = kinds.add_parser(
        "payer",
        help="payer-negotiation brief: break-even value of a contract lever, payer's total "
        "cost of care, shared-savings splits, drivers",
    )
    add_payer_arguments(payer)


def _resolve(args: argparse.Namespace) -> Scenario:
    overrides = parse_overrides(args.overrides)
    for attr, key in (
        ("seed", "simulation.seed"),
        ("engine", "simulation.engine"),
        ("months", "simulation.months"),
    ):
        value = getattr(args, attr, None)
        if value is not None:
            overrides[key] = value
    return load_scenario(args.scenario, overrides)


def cmd_run(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim run``: simulate and write outputs."""
    from intsim.report.outputs import claim_out_dir, default_run_dir, write_run  # noqa: PLC0415
    from intsim.report.run import budget_table, summary_table  # noqa: PLC0415
    from intsim.sim.runner import simulate  # noqa: PLC0415

    scenario = _resolve(args)
    report_warnings(scenario.warnings, args.strict)
    out_dir = args.out if args.out is not None else default_run_dir(scenario)
    try:
        claim_out_dir(out_dir)  # lock and check before simulating, not after
    except OSError as exc:
        raise UserError(f"--out {exc}") from None
    results = simulate(scenario)
    try:
        write_run(scenario, results, out_dir, argv=["intsim", *argv], figures=not args.no_figures)
    except OSError as exc:
        raise UserError(f"--out {out_dir}: cannot write the outputs ({exc})") from None
    if args.quiet:
        print(out_dir)
        return EXIT_OK
    sim = scenario.values.simulation
    print(
        f"intsim {scenario.name}: {scenario.values.care_model}, {sim.months} months, "
        f"seed {results.seed}, engine {results.engine}"
    )
    print(summary_table(results.summary))
    budget = budget_table(results.summary)
    if budget:
        print(budget)
    print(f"outputs written to {out_dir}/")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim compare``: scenarios on common random numbers, incremental table and figure."""
    import hashlib  # noqa: PLC0415

    from intsim.analysis.compare import compare_scenarios, format_table  # noqa: PLC0415
    from intsim.report.outputs import claim_out_dir  # noqa: PLC0415

    scenarios = []
    for path in args.scenarios:
        args.scenario = path
        scenarios.append(_resolve(args))
    warnings = report_warnings(_labelled_warnings([(sc.name, sc) for sc in scenarios]), args.strict)
    digest = hashlib.sha256("".join(s.scenario_hash() for s in scenarios).encode()).hexdigest()
    out_dir = args.out if args.out is not None else Path("results") / f"compare-{digest[:8]}"
    try:
        claim_out_dir(out_dir)  # lock and check before simulating, not after
    except OSError as exc:
        raise UserError(f"--out {exc}") from None
    table, results = compare_scenarios(scenarios, seed=args.seed)
    try:
        _write_comparison(out_dir, table, results, scenarios, argv, warnings)
    except OSError as exc:
        raise UserError(f"--out {out_dir}: cannot write the outputs ({exc})") from None
    seed = next(iter(results.values())).seed
    print(
        f"intsim compare: {len(scenarios)} scenarios, seed {seed} (common random numbers); "
        f"deltas are against '{table['scenario'].iloc[0]}'"
    )
    print(format_table(table))
    print(f"outputs written to {out_dir}/")
    return EXIT_OK


def _write_comparison(
    out_dir: Path,
    table: Any,
    results: dict[str, Any],
    scenarios: list[Scenario],
    argv: list[str],
    warnings: list[str],
) -> None:
    """Write compare.csv, manifest.json and cumulative_net.png atomically into ``out_dir``."""
    from intsim.analysis.compare import plot_cumulative_net  # noqa: PLC0415
    from intsim.provenance import write_json  # noqa: PLC0415
    from intsim.report.outputs import staged_directory  # noqa: PLC0415

    with staged_directory(out_dir) as tmp:
        table.to_csv(tmp / "compare.csv", index=False)
        write_json(
            tmp / "manifest.json",
            {
                "command": ["intsim", *argv],
                "seed": next(iter(results.values())).seed,
                "scenarios": {
                    name: sc.to_dict() for name, sc in zip(results, scenarios, strict=True)
                },
                "warnings": warnings,
            },
        )
        plot_cumulative_net(results, tmp / "cumulative_net.png")


#: Runs per chunk: about 1-2 s of work for a default-size scenario (with its counterfactual).
DEFAULT_MC_CHUNK = 12  # about 1-2 s of work per chunk at the default size


def _check_resume_versions(out_dir: Path, resume: bool) -> None:
    """Refuse to resume an experiment begun with other package versions (mixed results)."""
    import json  # noqa: PLC0415

    from intsim.provenance import package_versions  # noqa: PLC0415

    path = out_dir / "manifest.json"
    if not resume or not path.exists():
        return
    try:
        before = json.loads(path.read_text(encoding="utf-8")).get("versions")
    except (ValueError, OSError):
        return
    now = package_versions()
    if before and before != now:
        changed = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
        raise UserError(
            f"--resume {out_dir}: begun with other package versions ({', '.join(changed)}); "
            "resuming would mix results. Start a new --out folder"
        )


def _resumed_chunk_size(out_dir: Path, resume: bool) -> int | None:
    """The chunk size recorded by the interrupted run (resuming must not change it)."""
    import json  # noqa: PLC0415

    path = out_dir / "manifest.json"
    if not resume or not path.exists():
        return None
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["chunk_size"])
    except (KeyError, ValueError, OSError):
        return None


def cmd_mc(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim mc``: draws × replications × strategies through an executor; summaries."""
    from intsim.analysis.batch import executor_from_args, run_batch  # noqa: PLC0415
    from intsim.analysis.montecarlo import (  # noqa: PLC0415
        build_tasks,
        draws_table,
        load_experiment,
        plot_mc_figures,
        summarise_runs,
    )
    from intsim.outdir import (  # noqa: PLC0415
        abandon_resumable,
        claim_resumable,
        commit_resumable,
    )
    from intsim.provenance import manifest_base  # noqa: PLC0415

    exp = load_experiment(
        args.experiment,
        runs=args.runs,
        reps=args.reps,
        strategy_files=args.strategies or (),
        overrides=args.overrides,
        seed=args.seed,
    )
    out_dir = args.out if args.out is not None else Path("results") / f"mc-{exp.name}"
    try:  # the batch runs in a partial folder next to out_dir, renamed into place at the end
        work = claim_resumable(out_dir, resume=args.resume)
    except OSError as exc:
        raise UserError(f"--out {exc}") from None
    _check_resume_versions(work, args.resume)
    draws = draws_table(exp)
    tasks = build_tasks(exp, draws)
    chunk = args.chunk_size or _resumed_chunk_size(work, args.resume) or DEFAULT_MC_CHUNK
    manifest = {
        **manifest_base(["intsim", *argv]),
        "experiment": exp.raw,
        "strategies": {name: sc.to_dict() for name, sc in exp.strategies.items()},
        "runs": exp.runs,
        "reps": exp.reps,
        "seed": exp.seed,
        "method": exp.method,
        "warnings": getattr(args, "input_warnings", []),
    }
    try:
        with executor_from_args(args) as executor:
            runs = run_batch(
                tasks,
                work,
                executor=executor,
                chunk_size=chunk,
                resume=args.resume,
                progress=not args.quiet,
                manifest=manifest,
            )
    except (ValueError, ConnectionError, OSError) as exc:
        abandon_resumable(work)
        raise UserError(str(exc)) from None
    draws.to_parquet(work / "draws.parquet", index=False)
    summary = summarise_runs(runs, exp.break_even_by, exp.months)
    summary.to_csv(work / "summary.csv", index=False)
    if not args.no_figures:
        plot_mc_figures(runs, work)
    try:
        commit_resumable(work, out_dir)
    except OSError as exc:
        raise UserError(f"--out {exc}") from None
    _print_mc(summary, exp, out_dir)
    return EXIT_OK


def _print_mc(summary: Any, exp: Any, out_dir: Path) -> None:
    """Print the headline Monte Carlo results."""
    print(
        f"intsim mc {exp.name}: {exp.runs} draws x {exp.reps} reps x {len(exp.strategies)} "
        f"strategies ({exp.method}, seed {exp.seed})"
    )
    pick = summary[
        summary["statistic"].isin(["mean", "p5", "p95", "P(> 0)"])
        | summary["statistic"].str.startswith("P(<=")
    ]
    pick = pick[
        pick["metric"].isin(
            [
                "net",
                "npv",
                "break_even_month",
                "payback_month",
                "responders",
                "payer.payer_net_savings",
            ]
        )
        | pick["metric"].str.startswith("delta_vs_")
    ]
    table = pick.pivot_table(
        index=["metric", "statistic"], columns="strategy", values="value", sort=False
    )
    print(table.to_string(float_format=lambda v: f"{v:,.2f}" if abs(v) < 10 else f"{v:,.0f}"))
    print(f"outputs written to {out_dir}/")


def cmd_gsa(args: argparse.Namespace, argv: list[str]) -> int:
    """``intsim sobol`` / ``intsim morris``: run the design through an executor, write tables."""
    from intsim.analysis.gsa_commands import run_morris, run_sobol  # noqa: PLC0415

    with staged_analysis(args, argv) as run:
        if args.command == "sobol":
            table = run_sobol(args, run.executor, run.tmp)["indices"]
        else:
            table = run_morris(args, run.executor, run.tmp)
    cols = [
        c
        for c in (
            "strategy",
            "output",
            "factor",
            "S1",
            "S1_conf",
            "ST",
            "ST_conf",
            "mu_star",
            "mu_star_conf",
            "sigma",
        )
        if c in table.columns
    ]
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"outputs written to {run.out_dir}/")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """``intsim validate``: check a scenario file."""
    scenario = _resolve(args)
    report_warnings(scenario.warnings, args.strict)
    print(
        f"{args.scenario}: valid (scenario '{scenario.name}', care model "
        f"{scenario.values.care_model}, hash {scenario.scenario_hash()[:12]})"
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``intsim`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # bad arguments (status 2), --help or --version (status 0)
        if exc.code is None:
            return EXIT_OK
        return exc.code if isinstance(exc.code, int) else EXIT_USER
    try:
        if args.command in EXPERIMENT_COMMANDS:
            args.input_warnings = _experiment_warnings(args)
        if args.command == "run":
            return cmd_run(args, argv)
        if args.command == "validate":
            return cmd_validate(args)
        if args.command == "compare":
            return cmd_compare(args, argv)
        if args.command == "mc":
            return cmd_mc(args, argv)
        if args.command in ("sobol", "morris"):
            return cmd_gsa(args, argv)
        if args.command == "threshold":
            from intsim.analysis.threshold import cmd_threshold  # noqa: PLC0415

            return cmd_threshold(args, argv)
        if args.command in ("tornado", "twoway"):
            from intsim.analysis.deterministic import cmd_deterministic  # noqa: PLC0415

            return cmd_deterministic(args, argv)
        if args.command == "report" and args.report == "payer":
            from intsim.report.payer import cmd_report_payer  # noqa: PLC0415

            return cmd_report_payer(args, argv)
        if args.command == "params":
            sys.stdout.write(markdown_table())
            return EXIT_OK
        if args.command == "report" and args.report == "grant":
            from intsim.report.grant import cmd_report_grant  # noqa: PLC0415

            return cmd_report_grant(args, argv)
    except (ScenarioError, UserError, argcheck.UsageError) as exc:
        print(f"intsim: error: {exc}", file=sys.stderr)
        return EXIT_USER
    except BrokenPipeError:
        # the reader went away (e.g. `intsim params | head`): not an error of intsim's
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("intsim: interrupted", file=sys.stderr)
        return 130
    except Exception:  # last-resort report of a bug
        traceback.print_exc()
        print(
            "intsim: internal error (a bug); please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_BUG
    finally:
        from intsim.outdir import release_all_locks  # noqa: PLC0415

        release_all_locks()  # output directories claimed by a command that stopped early
    return EXIT_USER


if __name__ == "__main__":
    sys.exit(main())
