"""Provenance of an output folder: package versions, git commit, manifest fields, JSON.

Every command that writes an output folder records the same reproducibility fields
(:func:`manifest_base`) and writes its JSON the same way (:func:`write_json`). Standard library
only, so every layer's writer can use it (docs/architecture.md).
"""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("intsim", "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "matplotlib")


def package_versions() -> dict[str, str | None]:
    """Versions of Python and the packages that shape results."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit() -> str | None:
    """The git commit of the intsim source tree, if it is a git checkout (else ``None``)."""
    src = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=src,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    commit = out.stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return commit + ("-dirty" if dirty.stdout.strip() else "")


def manifest_base(argv: list[str] | None) -> dict[str, Any]:
    """The reproducibility fields every output folder records."""
    return {
        "versions": package_versions(),
        "git_commit": git_commit(),
        "command": argv,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": f"{platform.system()} {platform.machine()}",
    }


def _json_default(obj: object) -> object:
    if hasattr(obj, "item"):
        return obj.item()  # numpy scalars
    raise TypeError(f"not JSON-serialisable: {type(obj).__name__}")


def write_json(path: Path, data: Any) -> None:
    """Write JSON with a stable key order."""
    path.write_text(json.dumps(data, indent=2, default=_json_default) + "\n", encoding="utf-8")
