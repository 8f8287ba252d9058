"""Shared helpers for the scenario, CLI and parameter tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from intsim.cli import main


@dataclass
class CliResult:
    """Exit status and captured output of one ``intsim`` invocation."""

    code: int
    out: str
    err: str


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a scenario file under ``tmp_path`` (sub-folders allowed) and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Call ``intsim.cli.main`` in-process and capture its exit status, stdout and stderr."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()  # drop anything printed before
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
