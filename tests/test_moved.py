"""Old module paths still import, as the very module of the new path, with a DeprecationWarning.

``intsim._moved.MOVED`` is the one table of old and new names (the flat modules moved into
packages by layer, docs/architecture.md); every entry is imported here by its old name.
"""

from __future__ import annotations

import importlib
import sys
import warnings

import pytest

import intsim
from intsim import _moved


@pytest.fixture
def forget_old_name():
    """Drop an old name from ``sys.modules`` (and the parent's attribute) after the test."""
    names: list[str] = []
    yield names.append
    for old in names:
        sys.modules.pop(old, None)
        parent, _, leaf = old.rpartition(".")
        if parent in sys.modules and getattr(sys.modules[parent], leaf, None) is not None:
            delattr(sys.modules[parent], leaf)


@pytest.mark.parametrize(("old", "new"), sorted(_moved.MOVED.items()))
def test_old_name_imports_the_new_module_with_a_warning(old, new, forget_old_name):
    module = importlib.import_module(new)
    sys.modules.pop(old, None)
    forget_old_name(old)
    with pytest.warns(DeprecationWarning, match=rf"{old} moved to {new}"):
        aliased = importlib.import_module(old)
    assert aliased is module
    assert module.__name__ == new
    assert module.__spec__.name == new  # the alias leaves the real module's spec alone
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert importlib.import_module(old) is module  # once imported, no second warning


def test_a_submodule_under_an_old_package_name_is_the_new_submodule(forget_old_name):
    new = importlib.import_module("intsim.sim.kernels.rng")
    for old in ("intsim.kernels", "intsim.kernels.rng"):
        sys.modules.pop(old, None)
        forget_old_name(old)
    with pytest.warns(DeprecationWarning, match="moved to intsim.sim.kernels"):
        old = importlib.import_module("intsim.kernels.rng")
    assert old is new


def test_from_intsim_import_an_old_module_name(forget_old_name):
    sys.modules.pop("intsim.threshold", None)
    forget_old_name("intsim.threshold")
    with pytest.warns(DeprecationWarning, match="intsim.threshold moved"):
        from intsim import threshold  # noqa: PLC0415
    assert threshold is importlib.import_module("intsim.analysis.threshold")


@pytest.mark.parametrize(("package", "target"), sorted(_moved.MOVED_ATTRIBUTES.items()))
def test_names_of_an_old_module_now_a_package_resolve_with_a_warning(package, target):
    module = importlib.import_module(target)
    public = [n for n in vars(module) if not n.startswith("_") and callable(vars(module)[n])]
    name = next(n for n in public if getattr(module, n).__module__ == target)
    pkg = importlib.import_module(package)
    vars(pkg).pop(name, None)
    with pytest.warns(DeprecationWarning, match=rf"{package}.{name} moved to {target}.{name}"):
        value = getattr(pkg, name)
    assert value is getattr(module, name)
    vars(pkg).pop(name, None)


def test_an_unknown_name_is_still_an_import_error():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("intsim.no_such_module")
    with pytest.raises(AttributeError):
        _ = intsim.report.no_such_name  # type: ignore[attr-defined]


def test_every_new_name_exists_and_no_old_name_does():
    for old, new in _moved.MOVED.items():
        assert importlib.util.find_spec(new) is not None, new
        parent = old.rpartition(".")[0]
        spec = importlib.machinery.PathFinder.find_spec(old, sys.modules[parent].__path__)
        assert spec is None, f"{old} exists again as a file; drop it from intsim._moved.MOVED"
