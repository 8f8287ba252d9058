"""MkDocs hooks of the intsim site (``hooks:`` in mkdocs.yml).

Walkthrough pages are written in parallel with the site; ``mkdocs.yml`` lists them, and this
hook drops a nav entry whose page does not exist yet, so ``mkdocs build --strict`` passes
before and after the page lands (a missing page is never replaced by a placeholder).

The API reference pages (``docs/reference/api/``) are rendered from docstrings, some of which
still use Sphinx roles (``:func:`name```); mkdocstrings shows the role as text, so this hook
drops it and keeps the code span, as Sphinx would (``~a.b.c`` shows ``c``).

The decision records (one file each, ``NNNN-slug.md`` under ``docs/decisions/``) are listed in
the nav by this hook, in number order after the section's index page, so a new record needs no
nav entry.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: A Sphinx role left in front of a code span by mkdocstrings: ``:func:<code>~a.b</code>``.
_ROLE = re.compile(r":(?:func|meth|class|data|attr|mod|exc|obj):<code>(~?)([^<]*)</code>")
#: Pages rendered from docstrings (relative to docs/).
API_PAGES_DIR = "reference/api/"

#: Nav pages that may not exist yet (relative to docs/).
OPTIONAL_PAGES = frozenset({"walkthrough-grant.md", "walkthrough-payer.md"})

#: The decision records' folder (relative to docs/) and its index page, listed in the nav.
DECISIONS_DIR = "decisions"
DECISIONS_INDEX = f"{DECISIONS_DIR}/index.md"


def present(entry: Any, docs_dir: Path) -> Any:
    """``entry`` (a nav item) without the optional pages that are missing; None if emptied."""
    if isinstance(entry, str):
        return entry if entry not in OPTIONAL_PAGES or (docs_dir / entry).is_file() else None
    if isinstance(entry, list):
        kept = [e for e in (present(item, docs_dir) for item in entry) if e is not None]
        return kept or None
    if isinstance(entry, dict):
        pruned = {key: present(value, docs_dir) for key, value in entry.items()}
        kept_items = {key: value for key, value in pruned.items() if value is not None}
        return kept_items or None
    return entry


def decision_pages(docs_dir: Path) -> list[str]:
    """The decision records under ``docs_dir`` (``decisions/NNNN-slug.md``), in number order."""
    folder = docs_dir / DECISIONS_DIR
    return [f"{DECISIONS_DIR}/{p.name}" for p in sorted(folder.glob("[0-9][0-9][0-9][0-9]-*.md"))]


def is_entry_of(item: Any, page: str) -> bool:
    """Whether the nav item ``item`` is ``page`` (bare or titled)."""
    return item == page or (isinstance(item, dict) and page in item.values())


def with_decisions(entry: Any, pages: list[str]) -> Any:
    """``entry`` (a nav item) with ``pages`` added to the list holding the decisions' index."""
    if isinstance(entry, list):
        items = [with_decisions(item, pages) for item in entry]
        if any(is_entry_of(item, DECISIONS_INDEX) for item in items):
            items += [page for page in pages if page not in items]
        return items
    if isinstance(entry, dict):
        return {key: with_decisions(value, pages) for key, value in entry.items()}
    return entry


def on_config(config: Any) -> Any:
    """Drop the nav entries of missing optional pages; list every decision record."""
    docs_dir = Path(config["docs_dir"])
    config["nav"] = with_decisions(present(config["nav"], docs_dir), decision_pages(docs_dir))
    return config


def without_sphinx_roles(html: str) -> str:
    """``html`` with the Sphinx roles in front of code spans dropped (``~`` keeps the last name)."""

    def code(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"<code>{name.rsplit('.', 1)[-1] if match.group(1) else name}</code>"

    return _ROLE.sub(code, html)


def on_page_content(html: str, page: Any, **_: Any) -> str:
    """Drop the Sphinx roles shown as text on the API reference pages."""
    if page.file.src_uri.startswith(API_PAGES_DIR):
        return without_sphinx_roles(html)
    return html
