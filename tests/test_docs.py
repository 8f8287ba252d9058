"""The generated docs stay in step with the code they describe."""

from pathlib import Path

from intsim.money.ledger import LEDGER_COLUMNS
from intsim.params import markdown_table
from intsim.sim.model import MONTHLY_COLUMNS

ROOT = Path(__file__).resolve().parents[1]


def test_parameter_doc_is_current():
    text = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert markdown_table() in text, "docs/parameters.md is stale: run `make docs`"


def test_readme_names_both_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme
    assert "make test" in readme


def test_outputs_page_documents_every_monthly_column():
    outputs = (ROOT / "docs" / "reference" / "outputs.md").read_text(encoding="utf-8")
    missing = [c for c in (*MONTHLY_COLUMNS, *LEDGER_COLUMNS) if f"`{c}`" not in outputs]
    assert not missing, f"docs/reference/outputs.md lacks monthly columns: {missing}"
