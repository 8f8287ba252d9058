"""Writing a run's outputs: tables, summary, manifest and figures (written atomically).

A run directory holds ``monthly.csv`` and ``monthly.parquet`` (one row per month),
``summary.json`` (headline outcomes), ``manifest.json`` (resolved scenario, its hash, seed,
engine, package versions, git commit) and PNG figures. Everything is written into a temporary
sibling directory first and renamed into place at the end, so an error leaves nothing
half-written.
"""

from __future__ import annotations

import contextlib
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from intsim import outdir
from intsim.money.ledger import BUDGET_LINES
from intsim.params.scenario import Scenario
from intsim.provenance import git_commit, package_versions, write_json
from intsim.sim.runner import Results


def default_run_dir(scenario: Scenario, root: Path = Path("results")) -> Path:
    """``results/<scenario name>-<first 8 hex digits of the scenario hash>``."""
    return root / f"{scenario.name}-{scenario.scenario_hash()[:8]}"


def claim_out_dir(out_dir: Path) -> None:
    """Lock ``out_dir`` for this command and check it (:func:`intsim.outdir.claim`).

    The lock is held until the outputs are renamed into place by :func:`staged_directory` or
    :func:`write_run`, or until :func:`intsim.outdir.release_all_locks`.

    Raises:
        intsim.outdir.OutputLockedError: Another command is writing ``out_dir``.
        OSError: As :func:`intsim.outdir.check_target`.
    """
    outdir.claim(out_dir)


def manifest(scenario: Scenario, results: Results, argv: list[str] | None) -> dict[str, Any]:
    """The run's manifest: everything needed to reproduce it."""
    return {
        "scenario_name": scenario.name,
        "scenario_description": scenario.description,
        "scenario_hash": scenario.scenario_hash(),
        "seed": results.seed,
        "engine": results.engine,
        "months": len(results.monthly),
        "scenario": scenario.to_dict(),
        "warnings": scenario.warnings,
        "versions": package_versions(),
        "git_commit": git_commit(),
        "command": argv,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": f"{platform.system()} {platform.machine()}",
    }


def write_run(
    scenario: Scenario,
    results: Results,
    out_dir: Path,
    *,
    argv: list[str] | None = None,
    figures: bool = True,
) -> Path:
    """Write all outputs of one run into ``out_dir`` atomically (replacing an old run there).

    ``out_dir`` must not exist, be empty or hold an earlier run (see
    :func:`intsim.outdir.check_target`).

    Args:
        scenario: The resolved scenario that was run.
        results: The run's results.
        out_dir: Target directory.
        argv: Command line, recorded in the manifest.
        figures: Whether to draw the PNG figures.

    Returns:
        The output directory.

    Raises:
        OSError: If ``out_dir`` cannot receive the run or writing fails (nothing is left behind).
    """
    out_dir = Path(out_dir)
    with staged_directory(out_dir) as tmp:
        results.monthly.to_csv(tmp / "monthly.csv", index=False)
        results.monthly.to_parquet(tmp / "monthly.parquet", index=False)
        results.claims.to_parquet(tmp / "claims.parquet", index=False)
        write_json(tmp / "summary.json", results.summary)
        budget = budget_frame(results.summary)
        if not budget.empty:
            budget.to_csv(tmp / "budget_by_year.csv", index=False)
        write_json(tmp / "manifest.json", manifest(scenario, results, argv))
        if figures:
            from intsim.report.run import save_run_figures  # noqa: PLC0415 (matplotlib is slow)

            save_run_figures(results.monthly, tmp, title=scenario.name)
    return out_dir


#: Columns of ``budget_by_year.csv`` (USD per 12-month programme year; startup in year 1).
BUDGET_COLUMNS: tuple[str, ...] = ("year", *BUDGET_LINES)


def budget_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """The run's budget by year (``summary["budget_by_year"]``) as a table; empty if absent."""
    rows = summary.get("budget_by_year") or []
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame[[c for c in BUDGET_COLUMNS if c in frame.columns]]


def staged_directory(out_dir: Path) -> contextlib.AbstractContextManager[Path]:
    """A temporary sibling of ``out_dir`` that replaces it when the block succeeds.

    See :func:`intsim.outdir.staged_directory`: the directory is locked and checked first, the
    files written are listed with their hashes in ``manifest.json``, and on any error the
    temporary directory is removed and ``out_dir`` is left as it was.
    """
    return outdir.staged_directory(Path(out_dir))


def stderr(msg: str) -> None:
    """Print a message to standard error."""
    print(msg, file=sys.stderr)
