"""MkDocs hooks of the intsim site (``hooks:`` in mkdocs.yml).

Walkthrough pages are written in parallel with the site; ``mkdocs.yml`` lists them, and this
hook drops a nav entry whose page does not exist yet, so ``mkdocs build --strict`` passes
before and after the page lands (a missing page is never replaced by a placeholder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Nav pages that may not exist yet (relative to docs/).
OPTIONAL_PAGES = frozenset({"walkthrough-grant.md", "walkthrough-payer.md"})


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


def on_config(config: Any) -> Any:
    """Drop the nav entries of optional pages whose file is missing."""
    config["nav"] = present(config["nav"], Path(config["docs_dir"]))
    return config
