"""Old module paths of intsim, kept importable with a :class:`DeprecationWarning`.

The flat modules of ``intsim`` moved into packages by layer (``intsim.params``,
``intsim.money``, ``intsim.sim``, ``intsim.analysis``, ``intsim.report``, ``intsim.cli``;
docs/architecture.md). :data:`MOVED` is the one table of old and new module names. A finder on
:data:`sys.meta_path` (installed by ``intsim/__init__.py``) answers an old name, or a module
under an old package name (``intsim.kernels.rng``), with the very module object of the new
name, and warns once per name (a module is imported once per process). :data:`MOVED_ATTRIBUTES`
covers the one old module whose name is now a package's (``intsim.report``): the package's
``__getattr__`` forwards the old module's names with the same warning.

Nothing in the repository uses the old names; they are for users' scripts and notebooks.
This module imports nothing of intsim, so it sits below every layer.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from types import ModuleType

#: Old module name -> new module name (a package's entry also covers its submodules).
MOVED: dict[str, str] = {
    # parameters and scenarios
    "intsim.params_clinic": "intsim.params.clinic",
    "intsim.params_money": "intsim.params.money",
    "intsim.params_workforce": "intsim.params.workforce",
    "intsim.param_spec": "intsim.params.spec",
    "intsim.scenario": "intsim.params.scenario",
    "intsim.checks": "intsim.params.checks",
    "intsim.rollout": "intsim.params.rollout",
    # money
    "intsim.billing": "intsim.money.billing",
    "intsim.claims": "intsim.money.claims",
    "intsim.claims_kernels": "intsim.money.claims_kernels",
    "intsim.payment_models": "intsim.money.payment_models",
    "intsim.ledger": "intsim.money.ledger",
    "intsim.finance": "intsim.money.finance",
    # simulation
    "intsim.model": "intsim.sim.model",
    "intsim.providers": "intsim.sim.providers",
    "intsim.population": "intsim.sim.population",
    "intsim.patient": "intsim.sim.patient",
    "intsim.engine_arrays": "intsim.sim.engine_arrays",
    "intsim.care": "intsim.sim.care",
    "intsim.clinical": "intsim.sim.clinical",
    "intsim.workforce": "intsim.sim.workforce",
    "intsim.streams": "intsim.sim.streams",
    "intsim.kernels": "intsim.sim.kernels",
    "intsim.risk": "intsim.sim.risk",
    "intsim.tcoc": "intsim.sim.tcoc",
    "intsim.runner": "intsim.sim.runner",
    # analysis
    "intsim.batch": "intsim.analysis.batch",
    "intsim.uncertainty": "intsim.analysis.uncertainty",
    "intsim.distributions": "intsim.analysis.distributions",
    "intsim.sampling": "intsim.analysis.sampling",
    "intsim.montecarlo": "intsim.analysis.montecarlo",
    "intsim.sensitivity": "intsim.analysis.sensitivity",
    "intsim.gsa": "intsim.analysis.gsa",
    "intsim.deterministic": "intsim.analysis.deterministic",
    "intsim.threshold": "intsim.analysis.threshold",
    "intsim.calibration": "intsim.analysis.calibration",
    "intsim.compare": "intsim.analysis.compare",
    "intsim.gsa_commands": "intsim.analysis.gsa_commands",
    "intsim.commands": "intsim.analysis.commands",
    "intsim.gsa_test_functions": "intsim.analysis.gsa_test_functions",
    "intsim.figures": "intsim.analysis.figures",
    # reports
    "intsim.reports": "intsim.report",
    "intsim.outputs": "intsim.report.outputs",
}

#: Old module whose name is now a package -> the module that holds its names.
MOVED_ATTRIBUTES: dict[str, str] = {"intsim.report": "intsim.report.run"}

#: Code files whose frames a warning skips to name the line that used an old name.
_SKIPPED_FILES = ("<frozen importlib", importlib.__file__, __file__)


def new_name(old: str) -> str | None:
    """The new name of module ``old`` (or of a module under an old package), else ``None``."""
    for prefix, target in MOVED.items():
        if old == prefix or old.startswith(prefix + "."):
            return target + old[len(prefix) :]
    return None


def _internal(filename: str) -> bool:
    """Whether :func:`warnings.warn` skips a frame of this file when counting levels."""
    return "importlib" in filename and "_bootstrap" in filename


def _caller_stacklevel(skipped: tuple[str, ...]) -> int:
    """The ``stacklevel`` of the first frame outside ``skipped`` files and the import system."""
    frame = sys._getframe(2)  # the caller of _warn
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(skipped):
        frame = frame.f_back
        if frame is not None and not _internal(frame.f_code.co_filename):
            level += 1
    return level


def _warn(old: str, new: str, skipped: tuple[str, ...] = ()) -> None:
    """Warn that ``old`` is deprecated in favour of ``new`` (at the line that used ``old``)."""
    warnings.warn(
        f"{old} moved to {new}; import {new} instead (docs/architecture.md)",
        DeprecationWarning,
        stacklevel=_caller_stacklevel((*_SKIPPED_FILES, *skipped)),
    )


class _AliasLoader(importlib.abc.Loader):
    """Loads an old name as the already-importable module of its new name."""

    def __init__(self, old: str, new: str) -> None:
        self.old = old
        self.new = new
        self._spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:  # noqa: ARG002
        """Import the new module and return it (the import system then files it as ``old``)."""
        _warn(self.old, self.new)
        module = importlib.import_module(self.new)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run; restore the spec the import system replaced with the alias's."""
        module.__spec__ = self._spec


class _MovedFinder(importlib.abc.MetaPathFinder):
    """Finds old module names of :data:`MOVED`."""

    def find_spec(
        self,
        fullname: str,
        path: object = None,  # noqa: ARG002
        target: ModuleType | None = None,  # noqa: ARG002
    ) -> importlib.machinery.ModuleSpec | None:
        """A spec loading the new module for an old name; ``None`` for any other name."""
        new = new_name(fullname)
        if new is None:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(fullname, new))


def install() -> None:
    """Put the finder of old names on :data:`sys.meta_path` (once)."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _MovedFinder())


def moved_attribute(package: str, name: str) -> object:
    """An old module's attribute ``name`` from its new home (a package's ``__getattr__``).

    Raises:
        AttributeError: ``name`` is not one of the old module's names.
    """
    target = MOVED_ATTRIBUTES.get(package)
    if target is None or name.startswith("__"):
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    module = importlib.import_module(target)
    if not hasattr(module, name):
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    _warn(f"{package}.{name}", f"{target}.{name}", (sys.modules[package].__file__ or "",))
    value = getattr(module, name)
    setattr(sys.modules[package], name, value)  # warn once: later lookups find it directly
    return value
