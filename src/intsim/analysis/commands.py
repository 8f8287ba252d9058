"""What every command implementation shares: exit statuses, the user error, the analysis frame.

The command-line interface (:mod:`intsim.cli`) parses arguments and dispatches; the commands it
dispatches to (:mod:`intsim.analysis.threshold`, :mod:`intsim.analysis.deterministic`,
:mod:`intsim.analysis.gsa_commands`, the reports) live in lower layers and take what they share from
here, so no analysis module imports the CLI (docs/architecture.md, import-linter contracts in
pyproject.toml).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intsim import outdir, provenance
from intsim.params.scenario import ScenarioError

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USER = 2


class UserError(Exception):
    """An error the user can fix (reported without a traceback, exit status 2)."""


@dataclass
class Analysis:
    """An analysis command's output folder (staged), executor and manifest."""

    out_dir: Path
    tmp: Path
    executor: Any
    manifest: dict[str, Any]


@contextmanager
def staged_analysis(args: argparse.Namespace, argv: list[str]) -> Iterator[Analysis]:
    """The common frame of an experiment-file analysis command.

    A checked ``--out`` (default ``results/<command>-<experiment>/``), a staged folder that
    replaces it on success, the executor of the command-line options, and ``manifest.json``
    written at the end (callers add keys to ``Analysis.manifest``). Input and executor errors
    become user errors (exit 2).
    """
    from intsim.analysis.batch import executor_from_args  # noqa: PLC0415

    stem = args.experiment.stem
    out_dir = args.out if args.out is not None else Path("results") / f"{args.command}-{stem}"
    try:
        outdir.claim(out_dir)
    except OSError as exc:
        raise UserError(f"--out {exc}") from None
    manifest = {
        **provenance.manifest_base(["intsim", *argv]),
        "experiment": str(args.experiment),
        "warnings": getattr(args, "input_warnings", []),
    }
    try:
        with outdir.staged_directory(Path(out_dir)) as tmp:
            with executor_from_args(args) as executor:
                yield Analysis(out_dir, tmp, executor, manifest)
            provenance.write_json(tmp / "manifest.json", manifest)
    except (ValueError, ConnectionError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise UserError(str(exc)) from None
    except OSError as exc:  # the outputs could not be written or put in place
        raise UserError(f"--out {out_dir}: cannot write the outputs ({exc})") from None
