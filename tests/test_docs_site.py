"""The documentation site builds strictly, and every link of the README and docs/ resolves.

The site (mkdocs.yml, docs/) is built with ``mkdocs build --strict`` into a temporary
directory; MkDocs is installed by ``make venv`` (the ``docs`` extra), so this only skips where
it is missing. The link check needs no MkDocs: it reads README.md, experiments/README.md and
every page under docs/ and resolves each relative link to a file and, for a Markdown page,
to a heading anchor (GitHub's anchors, which the site uses too).
"""

from __future__ import annotations

import html
import importlib.util
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tools import gen_cli_reference, mkdocs_hooks

from intsim.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README_LIMIT_BYTES = 15 * 1024
LINKED_FILES = [
    ROOT / "README.md",
    ROOT / "experiments" / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]

_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(text: str) -> Iterator[str]:
    """Lines of a Markdown text outside fenced code blocks, without inline code spans."""
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            yield re.sub(r"`[^`]*`", "", line)


def github_anchor(heading: str) -> str:
    """GitHub's (and the site's) anchor of a heading's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Anchors of the headings of a Markdown page."""
    found: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found.add(github_anchor(match.group(2)))
    return found


def broken_links(source: Path, root: Path = ROOT) -> Iterator[str]:
    """``source: target (why)`` for each relative link of ``source`` that does not resolve."""
    for line in prose_lines(source.read_text(encoding="utf-8")):
        for _label, target in _LINK.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):
                continue  # http(s), mailto
            path, _, fragment = target.partition("#")
            resolved = (source.parent / path).resolve() if path else source
            where = f"{source.relative_to(root)}: {target}"
            if not resolved.exists():
                yield f"{where} (no such file)"
            elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
                yield f"{where} (no heading with that anchor)"


def test_the_anchor_of_a_heading_is_githubs() -> None:
    assert github_anchor("`intsim tornado`: one-way analysis") == "intsim-tornado-one-way-analysis"
    assert github_anchor("27. Months never happen at horizon + 1") == (
        "27-months-never-happen-at-horizon--1"
    )
    assert github_anchor("Global sensitivity analysis (Sobol', Morris)") == (
        "global-sensitivity-analysis-sobol-morris"
    )


def test_every_readme_and_docs_link_resolves() -> None:
    assert len(LINKED_FILES) > 20
    broken = [b for source in LINKED_FILES for b in broken_links(source)]
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_a_broken_link_or_anchor_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## Some section\n\n[ok](#some-section) [bad](#nope) [gone](missing.md)\n"
        "```\n[not a link](inside-code.md)\n```\n",
        encoding="utf-8",
    )
    assert list(broken_links(page, root=tmp_path)) == [
        "page.md: #nope (no heading with that anchor)",
        "page.md: missing.md (no such file)",
    ]


def test_readme_is_short_and_names_every_command() -> None:
    readme = ROOT / "README.md"
    assert readme.stat().st_size <= README_LIMIT_BYTES
    text = readme.read_text(encoding="utf-8")
    commands = gen_cli_reference.subcommands(build_parser())
    assert len(commands) >= 10
    missing = [name for name in commands if f"intsim {name}" not in text]
    assert not missing, f"README lacks commands: {missing}"


def test_cli_reference_is_current() -> None:
    page = ROOT / gen_cli_reference.PAGE
    assert page.read_text(encoding="utf-8") == gen_cli_reference.render(), (
        "docs/reference/cli.md is stale: run `make docs`"
    )


def test_cli_reference_has_every_option_of_every_command() -> None:
    text = (ROOT / gen_cli_reference.PAGE).read_text(encoding="utf-8")
    commands = gen_cli_reference.subcommands(build_parser())
    nested = {
        f"{name} {child}": parser
        for name, sub in commands.items()
        for child, parser in gen_cli_reference.subcommands(sub).items()
    }
    assert "report payer" in nested
    for name, sub in {**commands, **nested}.items():
        assert f"## `intsim {name}`" in text
        section = text.split(f"## `intsim {name}`", 1)[1]
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in section, f"intsim {name} {flag} missing from the CLI reference"


def test_optional_nav_pages_are_kept_only_when_present(tmp_path: Path) -> None:
    (tmp_path / "walkthrough-grant.md").write_text("# Grant\n", encoding="utf-8")
    nav = [
        {"Home": "index.md"},
        {
            "Tutorials": [
                {"A": "a.md"},
                {"G": "walkthrough-grant.md"},
                {"P": "walkthrough-payer.md"},
            ]
        },
        {"Only": [{"P": "walkthrough-payer.md"}]},
    ]
    config = mkdocs_hooks.on_config({"nav": nav, "docs_dir": str(tmp_path)})
    assert config["nav"] == [
        {"Home": "index.md"},
        {"Tutorials": [{"A": "a.md"}, {"G": "walkthrough-grant.md"}]},
    ]


def test_every_decision_record_is_listed_after_the_decisions_index(tmp_path: Path) -> None:
    (tmp_path / "decisions").mkdir()
    for name in ("index.md", "0002-b.md", "0001-a.md", "notes.md"):
        (tmp_path / "decisions" / name).write_text("# x\n", encoding="utf-8")
    nav = [
        {"Home": "index.md"},
        {"Explanation": [{"A": "a.md"}, {"Decisions": [{"Overview": "decisions/index.md"}]}]},
    ]
    config = mkdocs_hooks.on_config({"nav": nav, "docs_dir": str(tmp_path)})
    assert config["nav"] == [
        {"Home": "index.md"},
        {
            "Explanation": [
                {"A": "a.md"},
                {
                    "Decisions": [
                        {"Overview": "decisions/index.md"},
                        *(f"decisions/{name}" for name in ("0001-a.md", "0002-b.md")),
                    ]
                },
            ]
        },
    ]


def test_sphinx_roles_are_dropped_from_api_pages_only() -> None:
    rendered = (
        "the clinic (:func:<code>run_clinic</code>) and "
        ":class:<code>~intsim.analysis.uncertainty.Univariate</code>, not :foo:<code>x</code>"
    )
    assert mkdocs_hooks.without_sphinx_roles(rendered) == (
        "the clinic (<code>run_clinic</code>) and <code>Univariate</code>, not :foo:<code>x</code>"
    )

    class Page:
        def __init__(self, src_uri: str) -> None:
            self.file = type("File", (), {"src_uri": src_uri})()

    assert mkdocs_hooks.on_page_content(rendered, page=Page("reference/api/simulation.md")) == (
        mkdocs_hooks.without_sphinx_roles(rendered)
    )
    assert mkdocs_hooks.on_page_content(rendered, page=Page("decisions/index.md")) == rendered


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built with ``mkdocs build --strict`` (once for this module)."""
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        pytest.skip("mkdocs / mkdocs-material not installed: `make venv` installs the docs extra")
    if importlib.util.find_spec("mkdocstrings_handlers") is None:
        pytest.skip("mkdocstrings[python] not installed: `make venv` installs the docs extra")
    site = tmp_path_factory.mktemp("docs") / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert "WARNING" not in done.stderr
    return site


def test_the_site_builds_strictly(built_site: Path) -> None:
    built = {p.relative_to(built_site).as_posix() for p in built_site.rglob("index.html")}
    assert {"index.html", "reference/cli/index.html", "parameters/index.html"} <= built
    assert "tutorials/monte-carlo/index.html" in built
    assert {"decisions/index.html", "decisions/0054-steady-state-start/index.html"} <= built
    decision_54 = page_text(built_site / "decisions" / "0054-steady-state-start" / "index.html")
    assert "54. The clinic starts from its usual-care steady state" in decision_54


def page_text(page: Path) -> str:
    """The visible text of a built HTML page (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


#: API reference page -> signatures (``name(``) its built HTML must show.
API_PAGES: dict[str, tuple[str, ...]] = {
    "simulation": ("load_scenario(", "default_scenario(", "simulate(", "with_overrides("),
    "params": ("annual_to_monthly_probability(", "markdown_table(", "defaults("),
    "montecarlo": ("load_experiment(", "draws_table(", "build_tasks(", "summarise_runs("),
    "sensitivity": ("sobol(", "morris(", "evaluate_rows(", "parse_factors("),
    "threshold": ("find_threshold(", "locate(", "wilson_interval("),
    "reports": ("new_workbook(", "table_sheet(", "usd(", "render("),
}


@pytest.mark.parametrize("name", sorted(API_PAGES))
def test_api_reference_pages_render_the_documented_functions(built_site: Path, name: str) -> None:
    text = page_text(built_site / "reference" / "api" / name / "index.html")
    missing = [sig for sig in API_PAGES[name] if sig not in text]
    assert not missing, f"reference/api/{name}: no rendered signature for {missing}"


def test_api_reference_shows_type_hints_and_docstrings_not_private_names(built_site: Path) -> None:
    text = page_text(built_site / "reference" / "api" / "simulation" / "index.html")
    assert "scenario: Scenario" in text  # a type hint of simulate's signature
    assert "Outputs of one simulation run." in text  # Results' docstring
    assert "counterfactual" in text  # an attribute of Results (from its Attributes section)
    assert "intsim.ScenarioError" in text  # a heading with the full path
    assert "(run_clinic)" in text  # simulate's docstring, its Sphinx role dropped
    assert not re.search(r":(func|class|data|mod|attr):", text)
    threshold = page_text(built_site / "reference" / "api" / "threshold" / "index.html")
    assert "cmd_threshold" not in threshold  # command entry points are the CLI reference's
    assert not re.search(r"\b_scan\(|\b_crossing\(", threshold)  # no private members
