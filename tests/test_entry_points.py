"""One error contract for every entry point (issue 11, item 4; decision 59).

Recorded in docs/decisions/0059-output-directories-owned-and-locked.md.

Every ``intsim`` command, every experiment script and every benchmark script with a
``__main__`` block is discovered here (a new script is covered without editing this file), and
every option that takes a value is given a bad one. Each must exit with status 2, print one
line on standard error naming the option, no traceback, and write nothing.

The options are found by capturing each entry point's ``argparse`` parser; the bad value of an
option follows from its value type (:mod:`intsim.argcheck`), its ``choices``, or the table
:data:`LATE_CHECKED` for free-text options checked after parsing. An option parsed with a bare
``int``, ``float`` or ``str`` and not in that table fails the test: use an argcheck type.

The fast suite runs each option in-process (through the same code as the command line:
``intsim.cli.main`` or ``argcheck.run_main``) and every entry point once as a subprocess; the
slow suite runs every option as a subprocess.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from intsim import argcheck
from intsim.cli import build_parser
from intsim.cli import main as intsim_main

ROOT = Path(__file__).resolve().parents[1]
SCRIPT_DIRS = ("experiments", "benchmarks")
MISSING = "/nonexistent/intsim-entry-point-test"
DEFAULT_YAML = ROOT / "configs" / "default.yaml"
EXPERIMENTS = ROOT / "configs" / "experiments"

#: Valid positional arguments of each intsim command (so the bad option is the only error).
CLI_POSITIONALS: dict[str, list[str]] = {
    "run": [str(DEFAULT_YAML)],
    "validate": [str(DEFAULT_YAML)],
    "compare": [str(DEFAULT_YAML), str(ROOT / "configs" / "cocm.yaml")],
    "mc": [str(EXPERIMENTS / "psa_care_models.yaml")],
    "sobol": [str(EXPERIMENTS / "sobol_sustainability.yaml")],
    "morris": [str(EXPERIMENTS / "sobol_sustainability.yaml")],
    "tornado": [str(EXPERIMENTS / "sobol_sustainability.yaml")],
    "twoway": [str(EXPERIMENTS / "twoway_caseload_relativity.yaml")],
    "threshold": [str(EXPERIMENTS / "threshold_caseload.yaml")],
    "params": [],
    "report payer": [str(DEFAULT_YAML)],
    "report grant": [str(ROOT / "configs" / "examples" / "rural_fqhc_grant.yaml")],
}
#: Required options of a command, with valid values.
CLI_REQUIRED: dict[str, list[str]] = {
    "threshold": ["--param", "cocm.caseload_per_fte", "--output", "net_margin_pct"],
    "report payer": ["--payer", "medicaid"],
}

#: A bad value for each argcheck value type (by the type function's name).
BAD_BY_TYPE: dict[str, list[str]] = {
    "int_at_least_1": ["0", "-1", "two"],
    "int_at_least_2": ["1"],
    "int_at_least_10": ["9"],
    "power_of_two": ["3"],
    "finite_float": ["nan", "x"],
    "non_negative_float": ["-1"],
    "unit_interval": ["1.5"],
    "open_unit_interval": ["1"],
    "existing_file": ["{missing}"],
    "existing_dir": ["{missing}"],
    "out_dir": ["{file}"],
    "new_file": ["{dir}"],
    "scheduler_address": ["tcp://no-port"],
    "name_list": ["a,,b"],
}

#: Free-text options, checked after parsing: a bad value and what the message must contain.
LATE_CHECKED: dict[str, tuple[str, str]] = {
    "--set": ("nosuch.key=1", "--set nosuch.key"),
    "--strategy": ("nosuch", "--strategy nosuch"),
    "--outputs": ("cumulative_net_m0", "cumulative_net_m0"),
    "--param": ("nosuch.param", "--param nosuch.param"),
    "--output": ("nosuch_output", "nosuch_output"),
    "--x": ("nosuch.param", "--x"),
    "--y": ("nosuch.param", "--y"),
    "--out": ("{file}", "--out"),  # intsim's --out (a Path): checked before any work
    "--strategies": ("{missing}", MISSING),
}
# --------------------------------------------------------------------------- discovery


def script_entry_points() -> list[Path]:
    """Every ``experiments/*.py`` and ``benchmarks/*.py`` with a ``__main__`` block."""
    return [
        path
        for folder in SCRIPT_DIRS
        for path in sorted((ROOT / folder).glob("*.py"))
        if 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")
    ]


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    return dict(sub.choices) if sub is not None else {}


def cli_commands() -> dict[str, argparse.ArgumentParser]:
    """The subcommand parsers of ``intsim``; a group's commands as ``"group command"``."""
    out: dict[str, argparse.ArgumentParser] = {}
    for name, parser in _subparsers(build_parser()).items():
        nested = _subparsers(parser)
        if not nested:
            out[name] = parser
        for sub_name, sub_parser in nested.items():
            out[f"{name} {sub_name}"] = sub_parser
    return out


class _CapturedError(Exception):
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        super().__init__("captured")
        self.parser = parser


def load_script(path: Path) -> Any:
    """Import a script as a module (its folder on sys.path, as when it runs)."""
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"entry_{path.parent.name}_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def script_parser(path: Path, monkeypatch: pytest.MonkeyPatch) -> argparse.ArgumentParser:
    """The parser a script builds in ``main`` (captured when it parses)."""
    module = load_script(path)

    def capture(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        raise _CapturedError(self)

    with monkeypatch.context() as m:
        m.setattr(argparse.ArgumentParser, "parse_known_args", capture)
        with pytest.raises(_CapturedError) as info:
            module.main([])
    return info.value.parser


@dataclass(frozen=True)
class Case:
    """One bad invocation: the entry point, its argv and what the message must name."""

    entry: str  # "intsim <command>" or a script path relative to the repository
    argv: tuple[str, ...]
    names: str  # must appear in the one-line message

    @property
    def id(self) -> str:
        return f"{self.entry} {' '.join(self.argv[-2:])}".replace(str(ROOT) + "/", "")


def _type_name(action: argparse.Action) -> str | None:
    kind = action.type
    if kind is None:
        return None
    return getattr(kind, "__name__", type(kind).__name__)


def bad_values(entry: str, action: argparse.Action) -> list[tuple[str, str]]:
    """(bad value, text the message must contain) for one option; [] if it takes no value."""
    if action.nargs == 0 or isinstance(action, argparse._HelpAction | argparse._VersionAction):
        return []
    flag = max(action.option_strings, key=len)
    if action.choices is not None:
        return [("not-a-choice", flag)]
    name = _type_name(action)
    if name in BAD_BY_TYPE:
        return [(v, flag) for v in BAD_BY_TYPE[name]]
    late = LATE_CHECKED.get(flag)
    if late is not None and name in (None, "Path"):
        return [late]
    pytest.fail(
        f"{entry} {flag}: parsed with {name or 'str'}; use an intsim.argcheck type "
        "(or add the option to LATE_CHECKED with a bad value)"
    )
    return []  # pragma: no cover


def _value_count(action: argparse.Action) -> int:
    return action.nargs if isinstance(action.nargs, int) else 1


def cases_for(entry: str, parser: argparse.ArgumentParser, base: list[str]) -> Iterator[Case]:
    """Bad invocations of every option of one parser."""
    for action in parser._actions:
        if not action.option_strings:
            continue
        flag = max(action.option_strings, key=len)
        for value, names in bad_values(entry, action):
            values = [value] * _value_count(action)
            yield Case(entry, (*base, flag, *values), names)


def all_cases(monkeypatch: pytest.MonkeyPatch) -> list[Case]:
    """Every bad invocation of every entry point."""
    cases: list[Case] = []
    for command, parser in cli_commands().items():
        base = [*command.split(), *CLI_POSITIONALS[command], *CLI_REQUIRED.get(command, [])]
        cases.extend(cases_for(f"intsim {command}", parser, base))
        required = CLI_REQUIRED.get(command, [])
        for action in parser._actions:  # a positional file that does not exist
            if not action.option_strings and action.type is Path:
                argv = (*command.split(), MISSING + ".yaml", *required)
                cases.append(Case(f"intsim {command}", argv, MISSING))
                break
        cases.append(Case(f"intsim {command}", (*base, "--no-such-option"), "--no-such-option"))
    for path in script_entry_points():
        rel = str(path.relative_to(ROOT))
        parser = script_parser(path, monkeypatch)
        cases.extend(cases_for(rel, parser, []))
        cases.append(Case(rel, ("--no-such-option",), "--no-such-option"))
    return cases


# --------------------------------------------------------------------------- running a case


@dataclass
class Outcome:
    code: int | None
    out: str
    err: str


def _expand(argv: tuple[str, ...], tmp: Path) -> tuple[list[str], Path]:
    """Fill ``{file}``/``{dir}``/``{missing}``; add ``--out`` inside ``tmp`` where accepted."""
    fixtures = tmp / "fixtures"
    fixtures.mkdir(exist_ok=True)
    a_file = fixtures / "a_file.txt"
    a_file.write_text("keep me", encoding="utf-8")
    a_dir = fixtures / "a_dir"
    a_dir.mkdir(exist_ok=True)
    filled = [
        v.replace("{file}", str(a_file)).replace("{dir}", str(a_dir)).replace("{missing}", MISSING)
        for v in argv
    ]
    return filled, a_file


def _workdir(tmp: Path) -> Path:
    work = tmp / "cwd"
    work.mkdir(exist_ok=True)
    return work


def _with_out(entry: str, argv: list[str], work: Path, accepts_out: bool) -> list[str]:
    if accepts_out and "--out" not in argv and "--no-such-option" not in argv:
        return [*argv, "--out", str(work / "out")]
    return argv


def run_in_process(
    case: Case, tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Outcome, Path]:
    argv, _ = _expand(case.argv, tmp)
    work = _workdir(tmp)
    monkeypatch.chdir(work)
    capsys.readouterr()
    if case.entry.startswith("intsim "):
        accepts = _cli_accepts_out(case.entry.removeprefix("intsim "))
        argv = _with_out(case.entry, argv, work, accepts)
        code: int | None = intsim_main(argv)
    else:
        path = ROOT / case.entry
        argv = _with_out(case.entry, argv, work, _script_accepts_out(path))
        module = load_script(path)
        monkeypatch.setattr(sys, "argv", [path.name, *argv])
        with pytest.raises(SystemExit) as info:
            argcheck.run_main(module.main, path.name)
        code = info.value.code if isinstance(info.value.code, int) else None
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err), work


def run_subprocess(case: Case, tmp: Path) -> tuple[Outcome, Path]:
    argv, _ = _expand(case.argv, tmp)
    work = _workdir(tmp)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "MPLBACKEND": "Agg",
    }
    if case.entry.startswith("intsim "):
        accepts = _cli_accepts_out(case.entry.removeprefix("intsim "))
        argv = _with_out(case.entry, argv, work, accepts)
        cmd = [sys.executable, "-m", "intsim", *argv]
    else:
        path = ROOT / case.entry
        argv = _with_out(case.entry, argv, work, _script_accepts_out(path))
        cmd = [sys.executable, str(path), *argv]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, cwd=work, env=env, timeout=300, check=False
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr), work


_OUT_CACHE: dict[str, bool] = {}


def _cli_accepts_out(command: str) -> bool:
    parser = cli_commands()[command]
    return any("--out" in a.option_strings for a in parser._actions)


def _script_accepts_out(path: Path) -> bool:
    key = str(path)
    if key not in _OUT_CACHE:
        _OUT_CACHE[key] = '"--out"' in path.read_text(encoding="utf-8")
    return _OUT_CACHE[key]


def assert_contract(case: Case, outcome: Outcome, work: Path, tmp: Path) -> None:
    """Exit 2, one line naming the option, no traceback, nothing written."""
    assert outcome.code == 2, (case.argv, outcome.code, outcome.err[-2000:])
    assert "Traceback" not in outcome.err, outcome.err
    lines = outcome.err.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{outcome.err}"
    assert "error" in lines[0], lines[0]
    assert case.names in lines[0], f"{case.names!r} not named in {lines[0]!r}"
    assert list(work.iterdir()) == [], f"written: {sorted(p.name for p in work.iterdir())}"
    assert (tmp / "fixtures" / "a_file.txt").read_text(encoding="utf-8") == "keep me"
    assert list((tmp / "fixtures" / "a_dir").iterdir()) == []


# --------------------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    with pytest.MonkeyPatch.context() as mp:
        return all_cases(mp)


def test_every_entry_point_is_discovered(cases: list[Case]) -> None:
    entries = {c.entry for c in cases}
    for path in script_entry_points():
        assert str(path.relative_to(ROOT)) in entries
    assert {f"intsim {c}" for c in cli_commands()} <= entries
    # the scripts named in issue 11 and the shared options of experiments/_common.py
    names = {Path(e).name for e in entries}
    assert {"care_model_comparison.py", "payment_models.py", "run.py", "validation.py"} <= names
    seeds = [c for c in cases if "--seeds" in c.argv]
    assert {Path(c.entry).stem for c in seeds} >= {
        "care_model_comparison",
        "payment_models",
        "workforce_shortage",
        "startup_phasing",
    }


def test_every_option_of_every_entry_point_in_process(
    cases: list[Case],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    failures = []
    for case in cases:
        tmp = tmp_path_factory.mktemp("case")
        outcome, work = run_in_process(case, tmp, monkeypatch, capsys)
        try:
            assert_contract(case, outcome, work, tmp)
        except AssertionError as exc:
            failures.append(f"{case.id}: {exc}")
    assert not failures, "\n".join(failures)


def _one_case_per_entry(cases: list[Case]) -> list[Case]:
    """The first option case of each entry point (``--seeds -1`` for the experiment scripts)."""
    chosen: dict[str, Case] = {}
    for case in cases:
        first = case.entry not in chosen and "--no-such-option" not in case.argv
        if first or case.argv[-2:] == ("--seeds", "-1"):
            chosen[case.entry] = case
    for case in cases:  # entry points without options (intsim params)
        chosen.setdefault(case.entry, case)
    return list(chosen.values())


def _entry_ids() -> list[str]:
    scripts = [str(p.relative_to(ROOT)) for p in script_entry_points()]
    return [f"intsim {c}" for c in cli_commands()] + scripts


@pytest.mark.parametrize("entry", _entry_ids())
def test_every_entry_point_as_a_subprocess(entry: str, cases: list[Case], tmp_path: Path) -> None:
    (case,) = [c for c in _one_case_per_entry(cases) if c.entry == entry]
    outcome, work = run_subprocess(case, tmp_path)
    assert_contract(case, outcome, work, tmp_path)


SEEDS_SCRIPTS = sorted(  # the scripts taking experiments/_common.py's --seeds and --months
    str(p.relative_to(ROOT))
    for p in script_entry_points()
    if "parse_options(" in p.read_text(encoding="utf-8")
    or "parse_experiment_options(" in p.read_text(encoding="utf-8")
)


@pytest.mark.parametrize("script", SEEDS_SCRIPTS)
@pytest.mark.parametrize(
    "argv",
    [("--seeds", "-1"), ("--seeds", "0"), ("--months", "0")],
    ids=["seeds-1", "seeds0", "months0"],
)
def test_issue_11_seeds_and_months_are_refused_not_replaced(
    script: str,
    argv: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # at 31d767c: --seeds -1 gave a traceback (exit 1); --seeds 0 / --months 0 ran the defaults
    case = Case(script, argv, argv[0])
    outcome, work = run_in_process(case, tmp_path, monkeypatch, capsys)
    assert_contract(case, outcome, work, tmp_path)
    assert f"got {argv[1]}" in outcome.err


def test_issue_11_seeds_minus_one_subprocess_has_no_traceback(tmp_path: Path) -> None:
    case = Case("experiments/care_model_comparison.py", ("--seeds", "-1"), "--seeds")
    outcome, work = run_subprocess(case, tmp_path)
    assert_contract(case, outcome, work, tmp_path)


def _first_value_per_option(cases: list[Case]) -> list[Case]:
    seen: set[tuple[str, str]] = set()
    chosen = []
    for case in cases:
        flags = [a for a in case.argv if a.startswith("--")]
        key = (case.entry, flags[-1] if flags else case.argv[-1])
        if key not in seen:
            seen.add(key)
            chosen.append(case)
    return chosen


@pytest.mark.slow
def test_every_option_of_every_entry_point_as_a_subprocess(
    cases: list[Case], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # one bad value per option (the in-process test tries them all), two processes at a time
    chosen = _first_value_per_option(cases)
    dirs = [tmp_path_factory.mktemp("case") for _ in chosen]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(run_subprocess, chosen, dirs))
    failures = []
    for case, tmp, (outcome, work) in zip(chosen, dirs, outcomes, strict=True):
        try:
            assert_contract(case, outcome, work, tmp)
        except AssertionError as exc:
            failures.append(f"{case.id}: {exc}")
    assert not failures, "\n".join(failures)


def test_a_bug_is_exit_1_with_a_traceback(tmp_path: Path) -> None:
    # the other half of the contract: an unexpected exception is not dressed up as a user error
    script = tmp_path / "buggy.py"
    script.write_text(
        "from intsim.argcheck import run_main\n"
        "def main(argv=None):\n"
        "    raise ZeroDivisionError('a bug')\n"
        "run_main(main)\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr
    assert "ZeroDivisionError: a bug" in proc.stderr


def test_readme_former_traceback_cases_are_user_errors(tmp_path, capsys):
    # the README said these two ended in a traceback (exit 1); both are one-line exit-2 errors
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "keep.txt").write_text("precious")
    capsys.readouterr()
    code = intsim_main(
        ["compare", str(DEFAULT_YAML), str(ROOT / "configs" / "cocm.yaml"), "--out", str(mine)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "keep.txt" in err
    assert (mine / "keep.txt").read_text() == "precious"

    exp = tmp_path / "exp.yaml"
    exp.write_text(
        f"name: x\nscenario: {DEFAULT_YAML}\nset: [1, 2]\nstrategies: {{a: {{care_model: cocm}}}}\n"
    )
    code = intsim_main(["mc", str(exp), "--serial", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert "set: got [1, 2]; expected a mapping" in err
    assert not (tmp_path / "o").exists()
