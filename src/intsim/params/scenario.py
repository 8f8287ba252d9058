"""Scenario files: YAML -> validated, typed :class:`Scenario`.

A scenario file is a YAML mapping whose keys are the dotted paths of the parameter declaration
(:mod:`intsim.params`), nested by section, plus three optional meta keys:

* ``name`` — a short label (default: the file's stem);
* ``description`` — free text;
* ``extends`` — path of another scenario file (relative to this one) whose values this file
  overrides; chains are allowed, cycles are errors.

Unknown keys are errors. Command-line overrides ``key.path=value`` are applied last; the value is
parsed as YAML (``0.5`` is a number, ``true`` a boolean, ``cocm`` a string).

Every problem raises :class:`ScenarioError` with one message naming the key path, the value found
and what was expected.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    create_model,
    model_validator,
)

from intsim.argcheck import InvalidInputError
from intsim.params import PARAMETERS, PARAMS_BY_PATH, Param, components, defaults
from intsim.params.checks import Origins, cross_field_problems, scenario_warnings

META_KEYS = ("name", "description", "extends")


def _sections() -> frozenset[str]:
    """Every section path of the declaration (``cocm``, ``contracts.medicare``, ...)."""
    return frozenset(
        p.path.rsplit(".", i)[0] for p in PARAMETERS for i in range(1, p.path.count(".") + 1)
    )


_SECTIONS: set[str] = set(_sections())  # updated in place when components register
#: Deepest nesting of mappings and lists a scenario or experiment file may have.
MAX_NESTING = 50
#: Most values (counting each use of an alias) a scenario or experiment file may hold.
MAX_VALUES = 1_000_000


class ScenarioError(InvalidInputError):
    """A user error in a scenario file or override (reported with exit status 2)."""


# --------------------------------------------------------------------------- pydantic schema


def _field_for(p: Param) -> tuple[Any, Any]:
    """Return the (type, Field) pair pydantic needs for one declared parameter."""
    kwargs: dict[str, Any] = {"strict": True, "description": p.description}
    low, high = p.hard_bounds
    if p.kind == "float":
        kwargs["allow_inf_nan"] = False  # .inf / .nan are never valid parameter values
    if p.kind in ("float", "int"):
        if low is not None:
            kwargs["gt" if p.positive else "ge"] = low
        if high is not None:
            kwargs["le"] = high
    py_type: Any = {"float": float, "int": int, "bool": bool, "choice": str}[p.kind]
    if p.kind == "int":
        py_type = Annotated[int, BeforeValidator(_whole_number_as_int)]
    if p.kind == "choice":
        py_type = Literal[p.choices]
        del kwargs["strict"]
    return py_type, Field(default=p.default, **kwargs)


def _whole_number_as_int(value: Any) -> Any:
    """``2e4`` (read as the float 20000.0) is a valid integer; ``80.5`` stays a float (refused)."""
    if type(value) is float and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def _build_models() -> type[BaseModel]:
    """Build the nested pydantic model of a resolved scenario from the declaration."""
    tree: dict[str, Any] = {}
    for p in PARAMETERS:
        node = tree
        *parents, leaf = p.path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = p

    def make(name: str, node: dict[str, Any]) -> type[BaseModel]:
        fields: dict[str, Any] = {}
        for key, value in node.items():
            if isinstance(value, Param):
                fields[key] = _field_for(value)
            else:
                sub = make(f"{name}_{key}", value)
                fields[key] = (sub, Field(default_factory=sub))
        return create_model(name, __config__=ConfigDict(extra="forbid", frozen=True), **fields)

    return make("ScenarioValues", tree)


_Values = _build_models()


class Scenario(BaseModel):
    """A fully resolved, validated scenario.

    Attributes:
        name: Short label of the scenario.
        description: Free-text description.
        values: The validated parameter values, accessed as ``values.cocm.caseload_per_fte``.
    """

    model_config = ConfigDict(frozen=True)

    name: str = "scenario"
    description: str = ""
    values: _Values  # type: ignore[valid-type]

    _origins: dict[str, str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_cross_field(self, info: ValidationInfo) -> Scenario:
        origins = (info.context or {}).get("origins")
        problems = cross_field_problems(self.values, origins)
        if problems:
            raise ValueError("\n".join(problems))
        self._origins = None if origins is None else dict(origins)
        return self

    def __eq__(self, other: object) -> bool:
        """Equal name, description and values (where the values came from does not count)."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return (self.name, self.description, self.values) == (
            other.name,
            other.description,
            other.values,
        )

    def __hash__(self) -> int:
        """Hash of name, description and values (consistent with ``==``)."""
        return hash((self.name, self.description, self.values))

    @property
    def warnings(self) -> list[str]:
        """Why the scenario is implausible (one line each; empty when it is not).

        Values outside their plausible range, phases and grant months after the horizon: see
        :func:`intsim.params.checks.scenario_warnings`. Impossible scenarios never get this far.
        """
        return scenario_warnings(self.values)

    @property
    def origins(self) -> dict[str, str]:
        """Where each value not left at its default came from (file, extends, override)."""
        return dict(self._origins or {})

    def __getattr__(self, item: str) -> Any:
        """Give direct access to parameter sections: ``scenario.cocm.caseload_per_fte``."""
        if item.startswith("_"):
            return super().__getattr__(item)  # type: ignore[misc]  # private attributes
        values = self.__dict__.get("values")
        if values is not None and item in type(values).model_fields:
            return getattr(values, item)
        raise AttributeError(item)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as (values, name, description, components): the schema is rebuilt on load.

        ``components`` are the import paths of the registered components
        (:func:`intsim.params.components.import_paths`): a process that unpickles the scenario
        imports those it lacks first, so a care model or contract registered in the parent
        process is registered in a worker too (or the worker names the one it cannot import).
        """
        return (
            _rebuild_scenario,
            (self.to_dict(), self.name, self.description, components.import_paths()),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the resolved parameter values as a nested dictionary (JSON-serialisable)."""
        return self.values.model_dump()

    def get(self, path: str) -> Any:
        """Return the value at a dotted key path, e.g. ``"cocm.caseload_per_fte"``."""
        node: Any = self.values
        for key in path.split("."):
            node = getattr(node, key)
        return node

    def scenario_hash(self) -> str:
        """Return a SHA-256 hex digest of the resolved parameter values."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def with_overrides(self, overrides: Mapping[str, Any], *, origin: str = "override") -> Scenario:
        """Return a new scenario with dotted-path overrides applied and validated.

        ``origin`` says where the overrides came from in messages about sums.
        """
        tree = self.to_dict()
        origins = dict(self._origins or {})
        for path, value in overrides.items():
            _set_path(tree, path, value)
            origins[path] = origin
        return build_scenario(tree, name=self.name, description=self.description, origins=origins)


#: The pydantic model a scenario is validated with (key ``"scenario"``): :class:`Scenario` itself,
#: or, once registered components have extended the declaration, a subclass whose ``values``
#: follow the declaration.
_SCHEMA: dict[str, type[Scenario]] = {"scenario": Scenario}


def _on_declaration_change() -> None:
    """Rebuild the schema after a component is registered or unregistered."""
    _SECTIONS.clear()
    _SECTIONS.update(_sections())
    if components.extended():
        values = _build_models()
        _SCHEMA["scenario"] = create_model("Scenario", __base__=Scenario, values=(values, ...))
    else:
        _SCHEMA["scenario"] = Scenario


components.on_change(_on_declaration_change)


# --------------------------------------------------------------------------- loading


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _format_validation_error(err: ValidationError) -> str:
    """Turn a pydantic error into lines naming key path, value and expectation."""
    lines = []
    for e in err.errors():
        loc = [str(x) for x in e["loc"] if x != "values"]
        path = ".".join(loc)
        if e["type"] == "extra_forbidden":
            lines.append(f"{path}: unknown key; {_suggest(path)}")
            continue
        if e["type"] == "value_error":
            lines.append(str(e["ctx"]["error"]) if "ctx" in e else e["msg"])
            continue
        param = PARAMS_BY_PATH.get(path)
        if param is None:
            lines.append(f"{path}: {e['msg']} (got {_describe(e.get('input'))})")
            continue
        lines.append(f"{path}: got {_describe(e.get('input'))}; expected {param.expectation()}")
    return "\n".join(lines)


def _suggest(path: str) -> str:
    """Suggest the valid keys at the level of an unknown key.

    The level is the deepest known section along ``path``: for ``bogus.key`` that is the top
    level (``bogus`` is the unknown key), not the non-existent section ``bogus``.
    """
    parent = path.rsplit(".", 1)[0] if "." in path else ""
    while parent and parent not in _SECTIONS:
        parent = parent.rsplit(".", 1)[0] if "." in parent else ""
    siblings = sorted(
        {
            p.path[len(parent) + 1 :].split(".")[0] if parent else p.path.split(".")[0]
            for p in PARAMETERS
            if (p.path.startswith(parent + ".") if parent else True)
        }
    )
    if not parent:
        siblings = sorted(set(siblings) | set(META_KEYS))
    where = f"under '{parent}'" if parent else "at the top level"
    return f"expected one of {', '.join(siblings)} {where}"


def _set_path(tree: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a nested dictionary, creating sections as needed."""
    *parents, leaf = path.split(".")
    node = tree
    for i, key in enumerate(parents):
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        if not isinstance(child, dict):
            raise ScenarioError(
                f"{'.'.join(parents[: i + 1])}: is a value, not a section; cannot set {path}"
            )
        node = child
    node[leaf] = value


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys in a mapping (the spec forbids them).

    PyYAML silently keeps the last of two equal keys, so a second ``staffing:`` section would
    quietly discard the first.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # ``<<: *anchor`` merges may be overridden by explicit keys
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                continue  # unhashable key: the base class reports it
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


#: Numbers in scientific notation without a decimal point or exponent sign (``4.5e5``, ``1e6``,
#: ``1E-3``): YAML 1.1, which PyYAML follows, reads them as strings; YAML 1.2 and every user read
#: them as numbers. ``1.0e+300`` already is a float in YAML 1.1.
_SCIENTIFIC = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", _SCIENTIFIC, list("-+.0123456789")
)


def load_yaml_text(text: str) -> Any:
    """Parse YAML as intsim reads every scenario and experiment file (and ``--set`` value).

    A safe load that rejects duplicate keys and reads scientific notation as numbers.

    Raises:
        yaml.YAMLError: On a syntax error or a duplicate key.
    """
    return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass


def _a(value: Any) -> str:
    """``'a list'``, ``'an integer'``...: the kind of a YAML value, with its article."""
    names = {
        list: "a list",
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
    }
    return names.get(type(value), f"a {type(value).__name__}")


def _os_reason(exc: Exception) -> str:
    """The reason of a path error without the (possibly very long) path itself."""
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _check_nesting(data: Any, path: Path) -> None:
    """Refuse YAML nested deeper than :data:`MAX_NESTING` or expanding past :data:`MAX_VALUES`.

    Scenario sections are a few levels deep; far deeper data (or a recursive alias such as
    ``&a [*a]``) would only exhaust Python's recursion limit further on, and aliases of aliases
    (``b: [*a, *a, ...]``) can stand for billions of values that error messages would print.
    """
    level = {id(data): (data, 1)} if isinstance(data, dict | list) else {}
    total = 0
    for _ in range(MAX_NESTING):
        children: dict[int, tuple[Any, int]] = {}
        for node, count in level.values():  # each shared (aliased) node once, with its count
            for child in node.values() if isinstance(node, dict) else node:
                total += count
                if isinstance(child, dict | list):
                    seen = children.get(id(child), (child, 0))[1]
                    children[id(child)] = (child, seen + count)
        if total > MAX_VALUES:
            raise ScenarioError(
                f"{path}: YAML aliases expand to more than {MAX_VALUES:,} values; expected a "
                "scenario file"
            )
        level = children
        if not level:
            return
    raise ScenarioError(
        f"{path}: YAML nested too deeply (or inside itself through an alias); expected "
        f"sections at most {MAX_NESTING} levels deep"
    )


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must contain a mapping.

    Raises:
        ScenarioError: If the file is missing, unreadable, malformed, empty or not a mapping.
    """
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except (OSError, ValueError) as exc:  # a name too long, a NUL character
        raise ScenarioError(f"{_describe(str(path))}: cannot be read ({_os_reason(exc)})") from None
    if not exists:
        raise ScenarioError(f"{path}: file not found")
    if is_dir:
        raise ScenarioError(f"{path}: is a directory; expected a YAML scenario file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc})") from None
    try:
        data = load_yaml_text(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{path}: YAML syntax error{where}: {problem}") from None
    except RecursionError:
        raise ScenarioError(
            f"{path}: YAML nested too deeply; expected sections at most {MAX_NESTING} levels deep"
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        # PyYAML's constructors let these escape for an explicit tag on text it cannot convert
        # (``!!int x``, ``!!timestamp 2001-02-30``, ``!!bool x``, ``!!set [1]``)
        raise ScenarioError(
            f"{path}: YAML value that its tag cannot convert ({type(exc).__name__}: {exc}); "
            "write the value without a '!!' tag"
        ) from None
    _check_nesting(data, path)
    if data is None:
        raise ScenarioError(f"{path}: file is empty; expected a mapping of scenario keys")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: top level is {_a(data)}; expected a mapping of scenario keys")
    return data


def _resolve_chain(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[Path, dict[str, Any]]]:
    """A scenario file and the chain of files it extends: ``(path, own keys)``, base first."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ScenarioError(f"extends: cycle in scenario files: {chain}")
    data = read_yaml_mapping(path)
    if "extends" not in data:
        return [(path, data)]
    parent = data.pop("extends")
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(f"{path}: extends: got {_describe(parent)}; expected a file path")
    try:
        parent_path = (path.parent / parent).resolve()
        exists, is_dir = parent_path.exists(), parent_path.is_dir()
    except (OSError, ValueError) as exc:  # a name too long, a NUL character
        raise ScenarioError(
            f"{path}: extends: got {_describe(parent)}; expected a file path ({_os_reason(exc)})"
        ) from None
    if not exists:
        raise ScenarioError(f"{path}: extends: file not found: {parent_path}")
    if is_dir:
        raise ScenarioError(
            f"{path}: extends: {parent_path} is a directory; expected a YAML scenario file"
        )
    return [*_resolve_chain(parent_path, (*seen, path)), (path, data)]


def _leaf_paths(tree: Mapping[Any, Any], prefix: str = "") -> Iterator[str]:
    """The dotted paths of the values (not sections) in a nested mapping."""
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _leaf_paths(value, path + ".")
        else:
            yield path


def _show_path(path: Path) -> str:
    """A file path as short as it can be shown: relative to the working directory if inside."""
    cwd = Path.cwd().resolve()
    return str(path.relative_to(cwd)) if path.is_relative_to(cwd) else str(path)


def _resolve_file_with_origins(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Load a scenario file and the chain it extends, merged (child wins), with origins.

    The origin of a value is ``FILE`` for the file itself and ``FILE, inherited via extends``
    for a file it extends (directly or through others).
    """
    chain = _resolve_chain(path)
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for i, (file, own) in enumerate(chain):
        keys = own
        if i < len(chain) - 1:
            keys = {k: v for k, v in own.items() if k not in ("name", "description")}
            where = f"{_show_path(file)}, inherited via extends"
        else:
            where = _show_path(file)
        merged = _deep_merge(merged, keys)
        origins.update(dict.fromkeys(_leaf_paths(keys), where))
    return merged, origins


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """Parse ``key.path=value`` strings (values parsed as YAML scalars).

    Raises:
        ScenarioError: On a malformed item or an unknown key path.
    """
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ScenarioError(f"--set {item!r}: expected KEY.PATH=VALUE")
        key, raw = item.split("=", 1)
        key = key.strip()
        if key not in PARAMS_BY_PATH and key not in ("name", "description"):
            if key in _SECTIONS:
                raise ScenarioError(
                    f"--set {key}: is a section, not a parameter; {_suggest(key + '.?')}"
                )
            raise ScenarioError(f"--set {key}: unknown key; {_suggest(key)}")
        try:
            value = load_yaml_text(raw) if raw.strip() else raw
        except yaml.YAMLError:
            value = raw
        out[key] = value
    return out


def build_scenario(
    data: Mapping[str, Any],
    *,
    name: str = "scenario",
    description: str = "",
    origins: Origins | None = None,
) -> Scenario:
    """Validate a nested mapping of parameter values into a :class:`Scenario`.

    Missing keys take their declared defaults. ``origins`` (dotted path -> where the value came
    from) lets messages about sums name the source of each value.

    Raises:
        ScenarioError: With one line per problem (key path, value, expectation).
    """
    tree = dict(data)
    name = _check_name(tree.pop("name", name))
    description = tree.pop("description", description)
    if isinstance(description, Mapping | list):
        raise ScenarioError(f"description: got {_describe(description)}; expected text")
    description = "" if description is None else str(description)
    if "extends" in tree:
        raise ScenarioError("extends: only allowed in scenario files")
    merged = _deep_merge(defaults(), {})
    try:
        values = _merge_checked(merged, tree, "")
        return _SCHEMA["scenario"].model_validate(
            {"name": name, "description": description, "values": values},
            context={"origins": origins},
        )
    except ValidationError as err:
        raise ScenarioError(_format_validation_error(err)) from None


def _check_name(value: Any) -> str:
    """Validate the scenario name (it becomes part of the default output directory)."""
    if value is None or isinstance(value, Mapping | list):
        raise ScenarioError(f"name: got {_describe(value)}; expected a short label (text)")
    name = str(value)
    if (
        not name.strip()
        or name.strip() in (".", "..")
        or "/" in name
        or "\\" in name
        or "\x00" in name
    ):
        raise ScenarioError(
            f"name: got {_describe(value)}; expected a short label without path separators "
            "or NUL characters"
        )
    return name


def _merge_checked(base: dict[str, Any], over: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Merge user values into defaults, rejecting a section given a scalar (and vice versa)."""
    out = dict(base)
    for raw_key, value in over.items():
        key = str(raw_key)
        path = f"{prefix}{key}"
        if isinstance(base.get(key), dict):
            if not isinstance(value, Mapping):
                raise ScenarioError(
                    f"{path}: got {_describe(value)}; expected a section (mapping of keys)"
                )
            out[key] = _merge_checked(base[key], value, path + ".")
        else:
            if isinstance(value, Mapping) and key in base:
                raise ScenarioError(
                    f"{path}: got a section; expected {PARAMS_BY_PATH[path].expectation()}"
                )
            out[key] = value
    return out


def load_scenario(
    path: str | Path,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
    *,
    override_origins: Mapping[str, str] | None = None,
) -> Scenario:
    """Load, resolve (``extends``), override and validate a scenario file.

    Args:
        path: Path of the YAML scenario file.
        overrides: Either a mapping of dotted paths to values, or ``key.path=value`` strings.
        override_origins: Where each override came from, for messages about sums (default:
            ``--set`` for strings, ``override`` for a mapping).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: On any user error, with a message naming the key path.
    """
    path = Path(path)
    data, origins = _resolve_file_with_origins(path)
    if overrides:
        if isinstance(overrides, Mapping):
            parsed, where = dict(overrides), "override"
        else:
            parsed, where = parse_overrides(overrides), "--set"
        for key, value in parsed.items():
            _set_path(data, key, value)
            origins[key] = (override_origins or {}).get(key, where)
    data.setdefault("name", path.stem)
    return build_scenario(data, origins=origins)


def load_scenario_over_defaults(path: str | Path, defaults: Mapping[str, Any]) -> Scenario:
    """Load a scenario file on top of replacement defaults (dotted paths): the file still wins.

    Used to apply re-fitted parameter values to scenarios that deliberately set some of the same
    keys (e.g. a trial configuration that fixes consent at 1).
    """
    path = Path(path)
    base: dict[str, Any] = {}
    for key, value in defaults.items():
        _set_path(base, key, value)
    own, origins = _resolve_file_with_origins(path)
    data = _deep_merge(base, own)
    data.setdefault("name", path.stem)
    return build_scenario(
        data, origins={**dict.fromkeys(defaults, "replacement default"), **origins}
    )


def default_scenario() -> Scenario:
    """Return the scenario made of declared defaults only."""
    return build_scenario({}, name="defaults")


def _rebuild_scenario(
    values: dict[str, Any],
    name: str,
    description: str,
    component_paths: tuple[tuple[str, str, str], ...] = (),
) -> Scenario:
    """Unpickle a :class:`Scenario` (see :meth:`Scenario.__reduce__`).

    Raises:
        ImportError: A component registered where the scenario was pickled cannot be imported
            here (:func:`intsim.params.components.ensure_registered`).
    """
    components.ensure_registered(component_paths)
    return build_scenario(values, name=name, description=description)


#: The metaclass of every values model: ``isinstance(type(x), _MODEL_META)`` tells a model
#: from a plain value several times faster than ``isinstance(x, BaseModel)``.
_MODEL_META = type(BaseModel)


@functools.cache
def _plain_class(model: type[BaseModel]) -> tuple[type, tuple[str, ...]]:
    """A frozen, slotted dataclass with the fields of a values model (one per model class).

    Returns:
        The dataclass and its fields in order (the model's fields).
    """
    names = tuple(model.model_fields)
    plain = dataclasses.make_dataclass(f"Plain{model.__name__}", names, frozen=True, slots=True)
    return plain, names


def plain_values(values: BaseModel) -> Any:
    """A read-only copy of scenario values with plain (slotted) attribute access.

    The simulation reads its parameters about 17,000 times a run (``values.cocm.minutes_intake``
    and so on); a slot reads in a fraction of the time a pydantic model's field does. The copy
    has the same sections and values (the same objects) and cannot be changed, but none of the
    pydantic methods: use ``Scenario.values`` for those.

    Args:
        values: Validated scenario values (``Scenario.values``) or one of their sections; a
            plain copy is returned as it is.
    """
    if not isinstance(values, BaseModel):
        return values  # already plain
    return _plain_copy(values)


def _plain_copy(model: BaseModel) -> Any:
    """The plain copy of a values model (:func:`plain_values`), its sections copied too.

    The fields are read from the model's ``__dict__`` (what iterating the model yields, the
    values models having no extra fields), by the plain class's field order.
    """
    plain, names = _plain_class(type(model))
    state = model.__dict__
    meta = _MODEL_META
    return plain(
        *[
            _plain_copy(value) if isinstance(type(value), meta) else value
            for value in map(state.__getitem__, names)
        ]
    )
