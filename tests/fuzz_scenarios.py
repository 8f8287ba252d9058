"""Hypothesis strategies for malformed and extreme scenario files (``test_fuzz.py``).

A generated case is a small set of YAML files: the main scenario and an ``extends`` chain of up
to three parents (with broken links now and then: missing files, directories, cycles, values
that are not paths). Each file is a nested mapping built from random *key paths* (declared
parameters, sections, meta keys, typos, extra levels, arbitrary text and non-string keys) and
random *values* (valid draws, boundary values, wrong types, nested structures, raw YAML text
such as ``4.5e5``, tags, aliases, unterminated flows and deep nesting), plus whole-file
mutations (empty, a list, bytes that are not UTF-8, several documents).

Values the parameter's type and hard bounds accept are drawn with bounded magnitudes
(:data:`RUN_CAPS`, ten times the plausible range's high end otherwise) and, for parameters that
must be positive, not vanishing (a tenth of the plausible low end, else 1e-3): a value that is
merely implausible (a salary of 1e300, a coefficient of variation of 1e-300, a go-live month after
the horizon) is for the hard-bound, plausible-range and horizon checks to refuse, not for this
fuzzer to report. Such extreme values are drawn
only when ``extreme=True`` (``intsim validate`` only, which simulates nothing).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from intsim.params import PARAMETERS, PARAMS_BY_PATH
from intsim.params.spec import Param

#: Highest valid value drawn for parameters whose size makes a run slow.
RUN_CAPS: dict[str, float] = {
    "population.n_patients": 1500,
    "staffing.n_pcps": 30,
    "simulation.months": 24,
    "rollout.n_phases": 12,
    "rollout.pilot_pcps": 30,
}
#: The panel every generated chain starts from (its root file), so runs stay fast.
BASE_TREE: dict[str, Any] = {"population": {"n_patients": 400}, "simulation": {"months": 12}}
SECTIONS: tuple[str, ...] = tuple(
    sorted({p.path.rsplit(".", i)[0] for p in PARAMETERS for i in range(1, p.path.count(".") + 1)})
)
PATHS: tuple[str, ...] = tuple(sorted(PARAMS_BY_PATH))

#: Raw YAML spliced in place of a value: number spellings, tags, aliases, broken flows.
RAW_YAML: tuple[str, ...] = (
    "4.5e5",
    "1e6",
    "1.0e+300",
    "-1e-320",
    ".inf",
    "-.inf",
    ".nan",
    "0x1F",
    "0o17",
    "1_000",
    "+12",
    "2026-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "yes",
    "off",
    "~",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!python/name:os.system",
    "!!python/object/apply:os.getcwd []",
    "!!float '1.5'",
    "!!int 'x'",
    "!!str 3",
    "!custom 3",
    "*undefined_alias",
    "&anchor 3",
    "[1, 2",
    "{a: 1",
    "'unterminated",
    '"bad \\q escape"',
    "- a\n- b",
    "{a: 1, a: 2}",
    "[" * 40 + "]" * 40,
    "[" * 400 + "]" * 400,
    "{a: " * 300 + "1" + "}" * 300,
    "\t3",
    "3 # a comment",
    ": :",
    "!!map {? [1, 2] : 3}",
)
#: Whole-file replacements and prefixes.
RAW_FILES: tuple[bytes, ...] = (
    b"",
    b"# only a comment\n",
    b"- a list\n- at the top\n",
    b"just a string\n",
    b"42\n",
    b"---\na: 1\n---\nb: 2\n",
    b"%YAML 1.1\n---\nname: x\n",
    b"\xef\xbb\xbfname: bom\n",
    b"name: \xff\xfe broken utf-8\n",
    b"\x00\x01\x02",
    b"a: &x [*x]\n",
    b"staffing: &s {n_pcps: 2, again: *s}\n",
    b"<<: {name: merged}\n",
    b"name: x\nname: y\n",
    b"a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    + b"".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n".encode() for i in range(1, 9)),
)


@dataclass
class Case:
    """A generated scenario case: files by name (``main.yaml`` first) and options."""

    files: dict[str, bytes] = field(default_factory=dict)
    months: int = 3

    def write(self, folder: Path) -> Path:
        """Write the files into ``folder`` (sub-folders as named); return the main file."""
        for name, data in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return folder / "main.yaml"


# --------------------------------------------------------------------------- values


def _int_or_float(p: Param, x: float) -> int | float:
    return round(x) if p.kind == "int" else x


def _valid_numbers(p: Param, *, extreme: bool) -> st.SearchStrategy[Any]:
    """Numbers the parameter's type and hard bounds accept (bounded unless ``extreme``)."""
    low, high = p.bounds
    lo = -1e6 if low is None else float(low)
    hi = 1e6 if high is None else float(high)
    if not extreme:
        if p.positive and p.kind == "float":  # no vanishing shapes, scales or spreads
            lo = max(lo, float(p.plausible[0]) / 10.0 if p.plausible else lo + 1e-3)
        cap = RUN_CAPS.get(p.path)
        if cap is None and p.plausible is not None:
            cap = max(10.0 * float(p.plausible[1]), 1.0)
        if cap is None:
            cap = max(10.0 * abs(float(p.default)), 10.0)
        hi = max(min(hi, cap), lo)
    if p.kind == "int":
        ilo = math.ceil(lo) + (1 if p.positive and low is not None and lo == math.ceil(lo) else 0)
        ihi = max(math.floor(hi), ilo)
        return st.integers(ilo, ihi)
    floats = st.floats(lo, hi, exclude_min=p.positive, allow_nan=False, allow_infinity=False)
    picks = [floats]
    if p.plausible is not None:
        a, b = (float(x) for x in p.plausible)
        start = max(a, lo)
        picks.append(st.floats(start, max(min(b, hi), start)))
    return st.one_of(*picks)


def _boundary(p: Param, *, extreme: bool) -> st.SearchStrategy[Any]:
    """Values at and just beyond the hard bounds, and numbers of the wrong kind.

    Unless ``extreme``, a parameter that must be positive is not given a vanishing value
    (1e-300, its bound + 1e-9): such values are valid but implausible, for the hard bounds to
    refuse (a coefficient of variation of 1e-300 divides by zero).
    """
    low, high = p.bounds
    tiny = extreme or not p.positive
    out: list[Any] = [-1, 0, 1, 0.5, -0.0, 2**63, -(2**63) - 1, 10**30]
    out += [1e-300] if tiny else []
    for b in (low, high):
        if b is None:
            continue
        if b == high and p.path in RUN_CAPS:  # valid but slow: only the invalid side
            out += [_int_or_float(p, b + 1), b + 0.5]
            continue
        out += [b, _int_or_float(p, b - 1), _int_or_float(p, b + 1), b - 1e-9]
        out += [b + 1e-9] if tiny or b == high else []
    return st.sampled_from(out)


def _wrong_types() -> st.SearchStrategy[Any]:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**25), 10**25),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.sampled_from(["", " ", "true", "1", "1.5", "NaN", "inf", "cocm ", "ARRAYS", "\x00"]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=6,
    )


def values_for(
    path: str, *, extreme: bool = False, friendly: bool = False
) -> st.SearchStrategy[Any]:
    """Values of one key path: mostly valid ones for declared parameters, often not.

    ``friendly``: only values the parameter's type and bounds accept (so that runs get through
    and their outputs can be checked; cross-field rules may still refuse them).
    """
    p = PARAMS_BY_PATH.get(path)
    raw = st.sampled_from(RAW_YAML).map(RawYaml)
    if p is None:
        return st.one_of(_wrong_types(), raw)
    if p.kind == "choice":
        valid: st.SearchStrategy[Any] = st.sampled_from(p.choices)
    elif p.kind == "bool":
        valid = st.booleans()
    else:
        valid = _valid_numbers(p, extreme=extreme)
    huge = st.sampled_from([1e300, -1e300, 1.7e308, 10**400, 2**64]) if extreme else st.nothing()
    if friendly:
        return valid
    return st.one_of(valid, valid, valid, _boundary(p, extreme=extreme), _wrong_types(), raw, huge)


@dataclass(frozen=True)
class RawYaml:
    """YAML text spliced into a file in place of a value."""

    text: str


# --------------------------------------------------------------------------- key paths


def _typo(path: str) -> st.SearchStrategy[str]:
    return st.integers(0, max(len(path) - 1, 0)).map(lambda i: path[:i] + path[i + 1 :] or "x")


#: Declared parameter paths only (friendly cases).
param_paths = st.sampled_from(PATHS)
key_paths = st.one_of(
    st.sampled_from(PATHS),
    st.sampled_from(PATHS),
    st.sampled_from(PATHS),
    st.sampled_from(SECTIONS),  # a section given a value
    st.sampled_from(PATHS).map(lambda p: p + ".deeper"),  # a value given a section
    st.sampled_from(PATHS).flatmap(_typo),
    st.sampled_from(["name", "description", "care_model", "simulation.months"]),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=10),
    st.sampled_from(["1", "null", "true", "<<", "extends", "a.b.c.d.e.f"]),
)


@st.composite
def trees(
    draw: st.DrawFn, *, extreme: bool = False, friendly: bool = False, max_keys: int = 6
) -> dict[str, Any]:
    """A nested mapping of random key paths and values."""
    tree: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, max_keys))):
        path = draw(param_paths if friendly else key_paths)
        _put(tree, path, draw(values_for(path, extreme=extreme, friendly=friendly)))
    return tree


def _put(tree: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = tree
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[leaf] = value


# --------------------------------------------------------------------------- files


def _dump(tree: dict[str, Any]) -> bytes:
    """YAML of a tree, with :class:`RawYaml` values spliced in as raw text."""
    raws: list[str] = []

    def swap(node: Any) -> Any:
        if isinstance(node, RawYaml):
            raws.append(node.text)
            return f"@@RAW{len(raws) - 1}@@"
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    text = yaml.safe_dump(swap(tree), sort_keys=False, allow_unicode=True, width=10**6)

    def splice(match: re.Match[str]) -> str:
        raw = raws[int(match.group(1))]
        return raw if "\n" not in raw else raw.replace("\n", " ")

    text = re.sub(r"['\"]?@@RAW(\d+)@@['\"]?", splice, text)
    return text.encode("utf-8", "surrogatepass")


EXTENDS_BREAKS = (
    "missing.yaml",
    ".",
    "sub",
    "main.yaml",  # a cycle through the main file
    "",
    "/",
    "a\x00b.yaml",
    "p" * 300 + ".yaml",
    "../../../../../../../../etc/hostname",
)


@st.composite
def cases(draw: st.DrawFn, *, extreme: bool = False, friendly: bool = False) -> Case:
    """A main scenario file and its ``extends`` chain (see the module docstring).

    ``friendly``: declared key paths with valid values, sound links and no whole-file
    mutations, so that most runs succeed and the outputs' invariants get checked.
    """
    odds = 10  # 1 in odds: a broken link; 1 in 2 * odds, a mutated file (never when friendly)
    n_parents = draw(st.integers(0, 3))
    names = ["main.yaml", *(f"parent{i}.yaml" for i in range(1, n_parents + 1))]
    if n_parents and draw(st.booleans()):
        names[-1] = "sub/" + names[-1]  # a parent in a sub-folder, linked relative to its child
    files: dict[str, bytes] = {}
    for i, name in enumerate(names):
        tree = draw(trees(extreme=extreme, friendly=friendly))
        if i == len(names) - 1:
            tree = {**BASE_TREE, **tree}  # the root of the chain sets a small panel
        if i + 1 < len(names):
            link = Path(names[i + 1]).relative_to(Path(name).parent).as_posix()
            choice = 9 if friendly else draw(st.integers(0, odds - 1))
            if choice == 0:
                tree["extends"] = draw(st.sampled_from(EXTENDS_BREAKS))
            elif choice == 1:
                tree["extends"] = draw(_wrong_types())
            else:
                tree["extends"] = link
        elif not friendly and draw(st.integers(0, odds - 1)) == 0:
            tree["extends"] = draw(st.sampled_from(EXTENDS_BREAKS))
        data = _dump(tree)
        mutation = 3 if friendly else draw(st.integers(0, 2 * odds - 1))
        if mutation == 0:
            data = draw(st.sampled_from(RAW_FILES))
        elif mutation == 1:
            data = draw(st.sampled_from(RAW_FILES)) + data
        elif mutation == 2:
            cut = draw(st.integers(0, len(data)))
            data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
        files[name] = data
    if "sub/" in names[-1]:
        files["sub/.keep"] = b""
    return Case(files=files, months=draw(st.integers(1, 14)))
