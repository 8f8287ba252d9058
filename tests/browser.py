"""A real browser for the HTML reports: headless Chromium prints a page to PDF.

``.ci/run`` installs Chromium (``make browser``); elsewhere the tests that need it are skipped
with a message unless ``INTSIM_REQUIRE_BROWSER=1`` (set by CI), which turns a missing browser into
a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Executable names of Chromium builds, in order of preference.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Seconds a headless print may take (a page of a few MB of embedded figures prints in ~2 s).
PRINT_TIMEOUT_S = 120


def chromium() -> str:
    """Path of a Chromium executable, or skip (fail under ``INTSIM_REQUIRE_BROWSER=1``)."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    message = "no Chromium on PATH (install it with `make browser`)"
    if os.environ.get("INTSIM_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class PrintedPdf:
    """What a printed page came out as."""

    pages: int
    images: int
    size_bytes: int


def print_to_pdf(html: Path, pdf: Path) -> PrintedPdf:
    """Print ``html`` to ``pdf`` with headless Chromium (no network) and count pages and images."""
    profile = pdf.parent / f"{pdf.stem}-profile"
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-pdf-header-footer",
        f"--user-data-dir={profile}",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF"), "not a PDF"
    return PrintedPdf(
        pages=len(re.findall(rb"/Type\s*/Page(?![s\w])", data)),
        images=len(re.findall(rb"/Subtype\s*/Image", data)),
        size_bytes=len(data),
    )
