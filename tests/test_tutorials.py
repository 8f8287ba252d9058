"""The extension tutorials (docs/tutorials/add-a-*.md) point to code that exists.

The tutorials' examples (a care model, a payment contract, a billing code) are executed by
tests/test_components.py; this module checks that every dotted name the pages give exists, that
each page shows its tested example file, and that every built-in code the coding plan bills has
a fee-schedule amount that year, in every setting.
"""

from __future__ import annotations

import importlib
import itertools
import re
from pathlib import Path

import pytest

from intsim.money import claims_kernels
from intsim.money.billing import available_years, load_fee_schedule
from intsim.money.claims import FAMILIES, year_plan
from intsim.money.coding import FQHC_MH_MEDICAID, FQHC_MH_MEDICARE

TUTORIALS = Path(__file__).resolve().parents[1] / "docs" / "tutorials"
PAGES = ("add-a-care-model.md", "add-a-payment-contract.md", "add-a-billing-code.md")
DOTTED = re.compile(r"`(intsim(?:\.\w+)+)`")


def _resolve(dotted: str) -> object:
    """The module, or attribute of the longest importable module prefix, named by ``dotted``."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for name in parts[i:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


@pytest.mark.parametrize("page", PAGES)
def test_every_dotted_name_in_the_tutorial_exists(page: str) -> None:
    names = sorted(set(DOTTED.findall((TUTORIALS / page).read_text(encoding="utf-8"))))
    assert names  # the page names the code it walks through
    for name in names:
        try:
            _resolve(name)
        except (ModuleNotFoundError, AttributeError) as err:
            pytest.fail(f"{page}: `{name}` does not exist ({err})")


@pytest.mark.parametrize("year", available_years())
def test_every_planned_code_has_a_fee_schedule_amount(year: int) -> None:
    fees = load_fee_schedule(year)
    planned: set[str] = set()
    for setting, apcm, minutes, billed_by in itertools.product(
        ("office", "facility", "fqhc"), (False, True), (20, 30, 45, 60), ("bhc", "pcp")
    ):
        plan = year_plan(year, setting, apcm, 1.0, 0.75, minutes, 150.0, billed_by)
        assert set(plan.group_family.tolist()) <= set(claims_kernels.FAMILY_CODES.values())
        planned.update(plan.codes)
    fee_free = {FQHC_MH_MEDICARE, FQHC_MH_MEDICAID}  # FQHC encounters: PPS, not fee schedule
    assert planned - fee_free
    for code in planned - fee_free:
        assert code in fees, f"{code} is billed in {year} but has no fee-schedule row"


def test_family_codes_name_every_family() -> None:
    assert list(claims_kernels.FAMILY_CODES) == list(FAMILIES)


@pytest.mark.parametrize(
    ("page", "example"),
    [
        ("add-a-care-model.md", "self_help.py"),
        ("add-a-payment-contract.md", "quality_bonus.py"),
        ("add-a-billing-code.md", "cocm_extended_time.py"),
    ],
)
def test_the_tutorial_shows_the_tested_example_file(page: str, example: str) -> None:
    text = (TUTORIALS / page).read_text(encoding="utf-8")
    assert f"--8<--\ndocs/tutorials/examples/{example}\n--8<--" in text
    assert (TUTORIALS / "examples" / example).is_file()
