"""Default operating figures stay inside their documented published ranges (docs/economics.md)."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def figures():
    spec = importlib.util.spec_from_file_location(
        "operating_figures", ROOT / "experiments" / "operating_figures.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module, module.measure()


def test_every_default_operating_figure_is_inside_its_published_range(figures):
    module, summaries = figures
    assert module.outside(summaries) == []


def test_the_documented_table_is_current(figures):
    module, summaries = figures
    doc = (ROOT / "docs" / "economics.md").read_text(encoding="utf-8")
    assert module.table(summaries) in doc, "run `python experiments/operating_figures.py`"
