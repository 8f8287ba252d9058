"""Registered components: care models, payment contracts and the model's modules.

As Starsim registers modules, intsim registers *components*. A component is a class with a
``name``, a ``kind`` (:data:`KINDS`), the staff ``roles`` it needs, the parameters it owns
(:meth:`Component.define_pars`) and the output columns it adds (:meth:`Component.define_results`).
Registering one (:func:`register`, also a class decorator) makes its parameters part of the one
parameter declaration: :data:`PARAMETERS` and :data:`PARAMS_BY_PATH` are live (updated in
place), ``care_model`` accepts every registered care model, and the scenario schema, defaults,
parameter table and Monte Carlo specification see the new parameters. :func:`unregister`
restores the declaration exactly (for tests).

The built-in components register themselves where they are defined: the four care models in
:mod:`intsim.sim.care`, the four payment contracts in :mod:`intsim.money.contracts`, and the
modules (kind ``module``: the claims book, the total-cost-of-care meter, the workforce and the
month-1 cohort) in their own modules (all imported by ``import intsim``). Their parameters stay
declared in :mod:`intsim.params.clinic`, :mod:`intsim.params.money` and
:mod:`intsim.params.workforce`; their ``define_pars`` selects them from there
(:func:`declared_section`), so no built-in default moved.

A scenario sent to another process (a process pool, Dask workers) carries the import path of
every registered component (:func:`import_paths`); the receiving process imports the ones it
lacks before it rebuilds the scenario (:func:`ensure_registered`), or says which component
cannot be imported there.

Modules that derive tables from the declaration at import time subscribe with
:func:`on_change` and rebuild them when a component is registered or unregistered.

Recorded in docs/decisions/0074-registered-components-live-declaration.md.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, overload

from intsim.params.clinic import CLINIC_PARAMETERS
from intsim.params.money import MONEY_PARAMETERS
from intsim.params.spec import CARE_MODELS, PAYERS, Param
from intsim.params.workforce import WORKFORCE_PARAMETERS

#: The kinds of component: care models (:mod:`intsim.sim.care`), payment contracts
#: (:mod:`intsim.money.contracts`), billing codes (:mod:`intsim.money.coding`) and the model's
#: modules (:data:`MODULE`).
KINDS: tuple[str, ...] = ("care_model", "contract", "billing_code", "module")

#: The kind of the clinic model's own parts, each built once per run and called in a fixed phase
#: of the month: the claims book (:class:`intsim.money.claims.ClaimsBook`), the
#: total-cost-of-care meter (:class:`intsim.sim.tcoc.TcocMeter`), the workforce
#: (:class:`intsim.sim.workforce.Workforce`) and the month-1 cohort
#: (:class:`intsim.sim.care.cohort.Cohort`). They declare their parameter
#: sections and output columns like the other components; the model's phase order
#: (:mod:`intsim.sim.model`) says when each runs, so a new module also needs a place there.
MODULE = "module"


class Component:
    """Base class of a registered component.

    Attributes:
        name: Registry name, unique within its kind (a care model's name is the value of
            ``care_model`` that selects it; a contract's names its ledger line
            ``revenue_<name>``).
        kind: One of :data:`KINDS`.
        roles: Staff roles the component needs (``care_manager``, ``bhc``,
            ``psychiatric_consultant``); the model creates positions only for these.
    """

    name: ClassVar[str] = ""
    kind: ClassVar[str] = ""
    roles: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The parameters the component owns (declared once, here or in the declaration)."""
        return ()

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """Names of the output columns the component adds (monthly table or ledger)."""
        return ()


def _grouped_by_section(params: Sequence[Param]) -> tuple[Param, ...]:
    """The declarations with each top-level section together, in order of first appearance."""
    first: dict[str, int] = {}
    for i, p in enumerate(params):
        first.setdefault(p.path.split(".")[0], i)
    return tuple(sorted(params, key=lambda p: first[p.path.split(".")[0]]))


_BASE: tuple[Param, ...] = _grouped_by_section(
    CLINIC_PARAMETERS + MONEY_PARAMETERS + WORKFORCE_PARAMETERS
)


class ParameterTable(Sequence[Param]):
    """The live parameter declaration: the built-in parameters plus registered components'.

    Behaves as a read-only tuple of :class:`~intsim.params.spec.Param` (iterate, index, ``len``,
    compare with a tuple); its content changes only through :func:`register` and
    :func:`unregister`.
    """

    def __init__(self, params: tuple[Param, ...]) -> None:
        self._params = params

    @overload
    def __getitem__(self, index: int) -> Param: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Param, ...]: ...
    def __getitem__(self, index: int | slice) -> Param | tuple[Param, ...]:
        """The declaration(s) at ``index``."""
        return self._params[index]

    def __len__(self) -> int:
        """Number of declared parameters."""
        return len(self._params)

    def __iter__(self) -> Iterator[Param]:
        """The declarations in table order."""
        return iter(self._params)

    def __eq__(self, other: object) -> bool:
        """Equal to a table or tuple with the same declarations in the same order."""
        if isinstance(other, ParameterTable):
            return self._params == other._params
        if isinstance(other, tuple):
            return self._params == other
        return NotImplemented

    def __hash__(self) -> int:
        """Hash of the declarations (changes when a component is registered)."""
        return hash(self._params)

    def __add__(self, other: Sequence[Param]) -> tuple[Param, ...]:
        """A plain tuple of these declarations followed by ``other``."""
        return self._params + tuple(other)

    def __repr__(self) -> str:
        """``ParameterTable(<n> parameters)``."""
        return f"ParameterTable({len(self._params)} parameters)"

    def as_tuple(self) -> tuple[Param, ...]:
        """The current declarations as a plain tuple (a snapshot)."""
        return self._params


PARAMETERS = ParameterTable(_BASE)
"""Every declared parameter, each top-level section (``clinic``, ``finance``, ...) together."""

PARAMS_BY_PATH: dict[str, Param] = {p.path: p for p in _BASE}
"""The declarations by dotted key path in the scenario file (e.g. ``staffing.care_manager_fte``)."""

_REGISTRY: dict[str, dict[str, type[Component]]] = {kind: {} for kind in KINDS}
_OWNER: dict[str, str] = {}  # parameter path -> "kind:name" of the component that owns it
_ADDED: dict[str, tuple[Param, ...]] = {}  # "kind:name" -> parameters its registration added
_LISTENERS: list[Callable[[], None]] = []
_BASE_PATHS = frozenset(PARAMS_BY_PATH)


def declared_section(prefix: str, names: Sequence[str] | None = None) -> tuple[Param, ...]:
    """Built-in declarations under a section, for a built-in component's ``define_pars``.

    Args:
        prefix: Section path, e.g. ``"cocm"``; ``"contracts.*"`` matches every payer's contract.
        names: If given, only the parameters with these last path components.

    Returns:
        The matching built-in declarations, in table order.
    """
    head, _, tail = prefix.partition(".*")

    def match(p: Param) -> bool:
        if tail or prefix.endswith(".*"):
            parts = p.path.split(".")
            inside = parts[0] == head and len(parts) == 3
        else:
            inside = p.path.startswith(prefix + ".")
        return inside and (names is None or p.name in names)

    return tuple(p for p in _BASE if match(p))


def per_payer(
    name: str, default: Any, unit: str, description: str, source: str, **extra: Any
) -> tuple[Param, ...]:
    """One contract parameter ``contracts.<payer>.<name>`` for every payer.

    Args:
        name: Last path component, e.g. ``quality_bonus_usd``.
        default: Default value (the same for every payer).
        unit: Unit, e.g. ``USD per patient-month``.
        description: What it means.
        source: Citation or ``assumption: ...``.
        **extra: Further :class:`~intsim.params.spec.Param` fields (``bounds``, ``plausible``, ...).

    Returns:
        One :class:`~intsim.params.spec.Param` per payer, in :data:`~intsim.params.spec.PAYERS`
        order.
    """
    return tuple(
        Param(f"contracts.{payer}.{name}", default, unit, description, source, **extra)
        for payer in PAYERS
    )


def on_change(callback: Callable[[], None]) -> None:
    """Call ``callback()`` after every change of the declaration (register, unregister)."""
    _LISTENERS.append(callback)


def extended() -> bool:
    """Whether registered components added parameters or care models to the built-in ones."""
    return PARAMETERS.as_tuple() != _BASE


def _rebuild() -> None:
    """Recompute the live declaration from the base and the registered components."""
    added = [p for params in _ADDED.values() for p in params]
    extra_models = tuple(n for n in _REGISTRY["care_model"] if n not in CARE_MODELS)
    params = list(_BASE)
    if extra_models:
        i = next(i for i, p in enumerate(params) if p.path == "care_model")
        params[i] = dataclasses.replace(params[i], choices=CARE_MODELS + extra_models)
    PARAMETERS._params = _grouped_by_section(params + added)
    PARAMS_BY_PATH.clear()
    PARAMS_BY_PATH.update((p.path, p) for p in PARAMETERS)
    for callback in _LISTENERS:
        callback()


@overload
def register[C: type[Component]](cls: C) -> C: ...
@overload
def register[C: type[Component]](cls: None = None) -> Callable[[C], C]: ...
def register[C: type[Component]](cls: C | None = None) -> C | Callable[[C], C]:
    """Register a component class (also usable as a decorator, ``@register``).

    Its parameters join the declaration; a care model becomes a valid ``care_model``.

    Raises:
        ValueError: If the kind is unknown, the name is empty or already registered for the
            kind, or a parameter path is already declared (by the built-in declaration with a
            different declaration, or by another component).
    """
    if cls is None:
        return register
    kind, name = cls.kind, cls.name
    if kind not in KINDS:
        raise ValueError(f"{cls.__name__}: kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not name or not name.isidentifier():
        raise ValueError(f"{cls.__name__}: name {name!r}; expected a non-empty identifier")
    if name in _REGISTRY[kind]:
        raise ValueError(
            f"{kind} {name!r} is already registered ({_REGISTRY[kind][name].__name__})"
        )
    key = f"{kind}:{name}"
    added: list[Param] = []
    owned: list[str] = []
    for p in cls.define_pars():
        if p.path in _OWNER or p.path in owned:
            owner = _OWNER.get(p.path, key)
            raise ValueError(f"{key}: parameter {p.path!r} is already declared by {owner}")
        if p.path in _BASE_PATHS:
            if PARAMS_BY_PATH[p.path] != p:
                raise ValueError(f"{key}: parameter {p.path!r} is already declared (built-in)")
        elif p.path in PARAMS_BY_PATH or any(q.path == p.path for q in added):
            raise ValueError(f"{key}: parameter {p.path!r} is already declared")
        else:
            added.append(p)
        owned.append(p.path)
    _REGISTRY[kind][name] = cls
    _OWNER.update(dict.fromkeys(owned, key))
    _ADDED[key] = tuple(added)
    if added or (kind == "care_model" and name not in CARE_MODELS):
        _rebuild()
    return cls


def unregister(kind: str, name: str) -> None:
    """Remove a registered component and the parameters its registration added.

    Raises:
        KeyError: If no component of that kind and name is registered.
    """
    if name not in _REGISTRY.get(kind, {}):
        raise KeyError(f"no {kind} {name!r} is registered")
    key = f"{kind}:{name}"
    del _REGISTRY[kind][name]
    for path in [path for path, owner in _OWNER.items() if owner == key]:
        del _OWNER[path]
    _ADDED.pop(key, None)
    _rebuild()


def registered(kind: str) -> dict[str, type[Component]]:
    """The registered components of a kind, by name, in registration order (a copy)."""
    return dict(_REGISTRY[kind])


def get(kind: str, name: str) -> type[Component]:
    """The registered component of a kind by name.

    Raises:
        KeyError: Naming the registered components of that kind.
    """
    try:
        return _REGISTRY[kind][name]
    except KeyError:
        known = ", ".join(_REGISTRY.get(kind, {})) or "none"
        raise KeyError(f"no {kind} {name!r} is registered; registered: {known}") from None


def owner(path: str) -> str | None:
    """The ``kind:name`` of the component that owns a parameter path (``None`` if none)."""
    return _OWNER.get(path)


#: Module names a class cannot be imported from in another process (a script run as the main
#: program, ``runpy.run_path``, an interactive session).
_UNIMPORTABLE_MODULES = frozenset({"__main__", "__mp_main__", "<run_path>", "builtins"})


def import_paths() -> tuple[tuple[str, str, str], ...]:
    """Every registered component as ``(kind, name, "module:QualifiedName")``.

    In registration order, kind by kind; sent along with a pickled scenario so that a worker
    process can import the components registered in the parent (:func:`ensure_registered`).
    """
    return tuple(
        (kind, name, f"{cls.__module__}:{cls.__qualname__}")
        for kind in KINDS
        for name, cls in _REGISTRY[kind].items()
    )


def ensure_registered(paths: Sequence[tuple[str, str, str]]) -> None:
    """Import the modules of the components in ``paths`` that this process has not registered.

    Importing a component's module registers it (its ``@register`` runs), so a worker process
    that received a scenario from a parent process with extra components gets them too.

    Args:
        paths: ``(kind, name, "module:QualifiedName")`` records from :func:`import_paths`.

    Raises:
        ImportError: Naming the component, when its module cannot be imported here or importing
            it does not register it (e.g. a class defined in a script, a notebook or with
            ``runpy.run_path``: put it in an importable module on the workers' ``sys.path``).
    """
    for kind, name, path in paths:
        if name in _REGISTRY.get(kind, {}):
            continue
        module = path.partition(":")[0]
        hint = (
            f"{kind} component {name!r} ({path}) is registered in the parent process but not in "
            "this worker process; define it in an importable module (a file on the workers' "
            "Python path, imported before the scenario is built) so that workers can import it"
        )
        if module in _UNIMPORTABLE_MODULES or module.startswith("<"):
            raise ImportError(hint)
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise ImportError(f"{hint} ({type(exc).__name__}: {exc})") from exc
        if name not in _REGISTRY.get(kind, {}):
            raise ImportError(f"{hint} (importing {module!r} did not register it)")
