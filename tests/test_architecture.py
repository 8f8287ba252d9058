"""The import layers of pyproject.toml's ``[tool.importlinter]`` contracts hold.

``lint-imports`` (import-linter, in the ``dev`` extra that ``make venv`` installs) is run as a
subprocess from the interpreter's own environment, on this checkout's ``src/`` (first on
``PYTHONPATH``, so a worktree is checked rather than whichever copy is installed editable).
A second test plants a forbidden import in a copy of the package and expects the contracts to
fail, so the first cannot pass by checking nothing. A third builds the import graph (grimp, as
import-linter does; type-only and function-level imports included) and finds no cycle: no two
modules import each other, directly or through others. docs/architecture.md describes the layers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` with the repository's configuration on the package under ``src``."""
    assert LINT_IMPORTS.exists(), (
        f"{LINT_IMPORTS} is missing: install the dev extra (pip install -e '.[dev]')"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)])}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_import_contracts_hold() -> None:
    result = _lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_analysis_module_importing_the_cli_breaks_the_contracts(tmp_path: Path) -> None:
    shutil.copytree(
        ROOT / "src" / "intsim",
        tmp_path / "intsim",
        ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"),
    )
    threshold = tmp_path / "intsim" / "analysis" / "threshold" / "__init__.py"
    threshold.write_text(threshold.read_text(encoding="utf-8") + "\nimport intsim.cli\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "intsim.analysis is not allowed to import intsim.cli" in result.stdout
    assert "intsim.analysis.threshold -> intsim.cli" in result.stdout
    assert "Only the entry point imports the CLI (cli is the top layer) BROKEN" in result.stdout


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("intsim", include_external_packages=False, cache_dir=None)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert len(edges) > 70  # the whole package was seen
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c"]]
