"""Every source cited in the repository resolves inside it.

Code, parameter sources, configs, experiments, tests and docs cite the reference pages under
``docs/`` (``docs/evidence.md A1``, ``docs/billing.md 6.1``, ``docs/targets.md W3``,
``docs/architecture.md decision 3``). These tests fail when a tracked file points outside the
repository (the old shared reference folder, or a reference page named without its ``docs/``
path) or cites a section id that the cited page does not have.

The design decisions are one file each, ``docs/decisions/NNNN-slug.md`` (four-digit number,
heading ``# N. Title``), listed by ``docs/decisions/index.md``. Code, tests and configs cite a
decision by its path (``docs/decisions/0054-steady-state-start.md``) and docs pages by a relative
link (``../decisions/0054-steady-state-start.md``); prose may say "decision 54". These tests fail
when a cited record does not exist, when a file still cites the former single page, or when the
records' numbers, headings or index disagree.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from intsim.params import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()

#: Reference pages that used to live outside the repository; each must be cited as docs/<page>.
OLD_PAGES = ("evidence", "billing", "DESIGN", "calibration_targets", "validation_targets")
#: Paths that point outside the repository (assembled so this file does not match itself).
OUTSIDE = ("../" + "shared", "shared" + "/reference")

#: The decision records: one Markdown file per decision, named NNNN-slug.md.
DECISIONS = ROOT / "docs" / "decisions"
_DECISION_NAME = re.compile(r"(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.md")
#: A decision record named by its path (docs/decisions/...) or by a relative link (](0054-...).
_DECISION_CITATION = re.compile(r"(?:decisions/|\]\()(\d{4}-[\w.-]*?\.md)")
#: The former single page of decisions, cited by path or linked (assembled: no self-match).
_OLD_DECISIONS_PAGE = re.compile("docs/" + r"decisions\.md|\]\([^)\s]*(?<![\w-])decisions\.md[#)]")

_OLD_PAGE = re.compile(r"(?<![\w-])(" + "|".join(OLD_PAGES) + r")\.md")
_DOCS_PATH = re.compile(r"docs/[\w./-]+?\.md(?![\w-])")
_LINK_TAIL = r"(?:\]\([^)]*\))?`?"
_SEP = r"\s*(?:,|/|-|–|and|to)\s*"
#: Citation of a page followed by one or more section ids, per page.
_CITATIONS: dict[str, re.Pattern[str]] = {
    "evidence": re.compile(
        rf"docs/evidence\.md{_LINK_TAIL}\s+([A-E]\d?(?:{_SEP}[A-E]\d?)*)(?![\w.])"
    ),
    "billing": re.compile(
        rf"docs/billing\.md{_LINK_TAIL}\s+(\d+(?:\.\d+)?(?:{_SEP}\d+(?:\.\d+)?)*)(?![\w])"
    ),
    "targets": re.compile(rf"docs/targets\.md{_LINK_TAIL}\s+([TW]\d+(?:{_SEP}[TW]\d+)*)(?!\w)"),
    "architecture": re.compile(rf"docs/architecture\.md{_LINK_TAIL}\s+decisions?\s+(\d+)"),
}
_ID = {
    "evidence": re.compile(r"[A-E]\d?"),
    "billing": re.compile(r"\d+(?:\.\d+)?"),
    "targets": re.compile(r"[TW]\d+"),
    "architecture": re.compile(r"\d+"),
}


def tracked_text_files() -> Iterator[tuple[str, str]]:
    """(path, text) of every git-tracked text file except this test."""
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for path in listed:
        if path == THIS_FILE or not (ROOT / path).is_file():
            continue
        try:
            yield path, (ROOT / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


@cache
def section_ids(page: str) -> frozenset[str]:
    """Section ids of a reference page: heading numbers/letters and first cells of table rows."""
    text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    ids: set[str] = set()
    for line in text.splitlines():
        decision = re.match(r"#+\s+Decision\s+(\d+)\.", line)
        heading = re.match(r"#+\s+([A-Z]?\d+(?:\.\d+)?|[A-Z])\.?\s", line)
        row = re.match(r"\|\s*([A-Z]\d+)\s*\|", line)
        for match in (decision, heading, row):
            if match:
                ids.add(match.group(1))
    return frozenset(ids)


def cited_ids(text: str) -> Iterator[tuple[str, str, str]]:
    """(page, section id, citation text) for every section cited in ``text``."""
    for page, pattern in _CITATIONS.items():
        for match in pattern.finditer(text):
            for section in _ID[page].findall(match.group(1)):
                yield page, section, match.group(0)


def old_page_mentions(path: str, text: str) -> Iterator[str]:
    """Mentions of an old reference page that are not a path under docs/."""
    in_docs = path.startswith("docs/")
    if path == "mkdocs.yml":
        return  # the site's nav names pages relative to docs/
    for match in _OLD_PAGE.finditer(text):
        before = text[max(0, match.start() - 5) : match.start()]
        if before == "docs/":
            continue
        if in_docs and before.endswith("](") and match.group(1) in ("evidence", "billing"):
            continue  # a relative link between pages of docs/
        line = text.count("\n", 0, match.start()) + 1
        yield f"{path}:{line}: {match.group(0)}"


def test_reference_pages_exist_with_their_sections() -> None:
    assert {"A1", "A4", "B2", "C4", "D6", "E3"} <= section_ids("evidence")
    assert {"0", "1.1", "1.6", "3.2", "5.2", "6.1", "7"} <= section_ids("billing")
    assert {f"T{i}" for i in range(1, 5)} | {f"W{i}" for i in range(1, 8)} <= section_ids("targets")
    assert {str(i) for i in range(1, 8)} <= section_ids("architecture")


def test_no_tracked_file_points_outside_the_repository() -> None:
    offenders = [
        f"{path}: {needle}"
        for path, text in tracked_text_files()
        for needle in OUTSIDE
        if needle in text
    ]
    assert not offenders, "citations outside the repository:\n" + "\n".join(offenders)


def test_reference_pages_are_cited_by_their_docs_path() -> None:
    offenders = [m for path, text in tracked_text_files() for m in old_page_mentions(path, text)]
    assert not offenders, "cite these as docs/<page>.md:\n" + "\n".join(offenders)


def test_cited_docs_pages_exist() -> None:
    missing = sorted(
        {
            f"{path}: {match}"
            for path, text in tracked_text_files()
            for match in _DOCS_PATH.findall(text)
            if not (ROOT / match).is_file()
        }
    )
    assert not missing, "cited pages that do not exist:\n" + "\n".join(missing)


def test_every_cited_section_exists_in_its_page() -> None:
    unknown = [
        f"{path}: {citation!r} -> {page} has no section {section}"
        for path, text in tracked_text_files()
        for page, section, citation in cited_ids(text)
        if section not in section_ids(page)
    ]
    assert not unknown, "\n".join(unknown)


def test_the_parameter_table_cites_sections_that_exist() -> None:
    citations = [(p.path, c) for p in PARAMETERS for c in cited_ids(p.source)]
    assert len(citations) > 100
    unknown = [(path, c) for path, c in citations if c[1] not in section_ids(c[0])]
    assert not unknown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "(docs/evidence.md D6-D7 and docs/billing.md 4.1)",
            {("evidence", "D6"), ("evidence", "D7"), ("billing", "4.1")},
        ),
        (
            "docs/billing.md 1.1, 1.2, 1.5 and 4.2",
            {("billing", s) for s in ("1.1", "1.2", "1.5", "4.2")},
        ),
        ("[docs/evidence.md](evidence.md) B4 and E2", {("evidence", "B4"), ("evidence", "E2")}),
        ("docs/targets.md W1-W2", {("targets", "W1"), ("targets", "W2")}),
        ("docs/architecture.md decision 3", {("architecture", "3")}),
    ],
)
def test_citation_parser_reads_every_id(text: str, expected: set[tuple[str, str]]) -> None:
    assert {(page, section) for page, section, _ in cited_ids(text)} == expected


def test_a_missing_section_or_an_outside_path_is_reported() -> None:
    bad = [s for p, s, _ in cited_ids("docs/billing.md 9.9 and docs/targets.md W8")]
    assert bad == ["9.9", "W8"]
    assert "9.9" not in section_ids("billing")
    assert "W8" not in section_ids("targets")
    assert list(old_page_mentions("src/x.py", "see evidence.md A1 and billing.md 1.1"))
    assert not list(old_page_mentions("src/x.py", "see docs/evidence.md A1"))


def decision_records() -> dict[int, Path]:
    """The decision record files by number (files named NNNN-*.md under docs/decisions/)."""
    return {int(p.name[:4]): p for p in sorted(DECISIONS.glob("[0-9][0-9][0-9][0-9]-*.md"))}


def cited_decision_records(text: str) -> set[str]:
    """File names of the decision records that ``text`` cites by path or links to."""
    return set(_DECISION_CITATION.findall(text))


def test_decision_records_are_numbered_1_to_n_with_their_number_in_the_heading() -> None:
    records = decision_records()
    assert len(records) >= 66
    assert sorted(records) == list(range(1, len(records) + 1)), "numbers must run 1..N, no gaps"
    misnamed = [p.name for p in records.values() if not _DECISION_NAME.fullmatch(p.name)]
    assert not misnamed, f"name records NNNN-lowercase-ascii-slug.md: {misnamed}"
    wrong = [
        p.name
        for n, p in records.items()
        if not p.read_text(encoding="utf-8").startswith(f"# {n}. ")
    ]
    assert not wrong, f"the first line must be '# N. Title' with the file's number: {wrong}"


def test_the_decision_index_links_every_record() -> None:
    index = (DECISIONS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((\d{4}-[^)#\s]+\.md)\)", index))
    assert linked == {p.name for p in decision_records().values()}


def test_cited_decision_records_exist() -> None:
    missing = sorted(
        f"{path}: {name}"
        for path, text in tracked_text_files()
        for name in cited_decision_records(text)
        if not (DECISIONS / name).is_file()
    )
    assert not missing, "cited decision records that do not exist:\n" + "\n".join(missing)


def test_no_tracked_file_cites_the_former_single_decisions_page() -> None:
    offenders = [
        f"{path}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for path, text in tracked_text_files()
        for match in _OLD_DECISIONS_PAGE.finditer(text)
    ]
    assert not offenders, "cite docs/decisions/NNNN-slug.md instead:\n" + "\n".join(offenders)


def test_decision_citations_are_read_and_checked() -> None:
    text = (
        "(docs/decisions/0054-steady-state-start.md), [decision 48](../decisions/0048-x.md) and "
        "[entry 27](0027-censored-at-horizon-plus-1.md); not decisions/index.md"
    )
    assert cited_decision_records(text) == {
        "0054-steady-state-start.md",
        "0048-x.md",
        "0027-censored-at-horizon-plus-1.md",
    }
    assert not (DECISIONS / "0048-x.md").is_file()
    old = "docs/" + "decisions.md 54, [d](../decisions.md#54-x), [d](decisions.md)"
    assert len(_OLD_DECISIONS_PAGE.findall(old)) == 3
    assert not _OLD_DECISIONS_PAGE.search("[d](decisions/index.md), docs/decisions/0001-a.md")
