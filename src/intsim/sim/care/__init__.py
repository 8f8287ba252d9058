"""Care models: usual care, CoCM, PCBH and hybrid — one module each, same interface.

Each is a registered component (:mod:`intsim.params.components`, kind ``care_model``): importing
this package registers the four built-in ones, and a new care model registers itself with the
:func:`~intsim.params.components.register` decorator (docs/tutorials/add-a-care-model.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from intsim.params import components
from intsim.sim.care.base import CareModel, MonthCounters
from intsim.sim.care.cocm import CollaborativeCare
from intsim.sim.care.hybrid import Hybrid
from intsim.sim.care.pcbh import PrimaryCareBehavioralHealth
from intsim.sim.care.usual_care import UsualCare


class _CareModelClasses(Mapping[str, type[CareModel]]):
    """A live, read-only view of the registered care models by name."""

    def __getitem__(self, name: str) -> type[CareModel]:
        cls = components.registered("care_model")[name]
        assert issubclass(cls, CareModel)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(components.registered("care_model"))

    def __len__(self) -> int:
        return len(components.registered("care_model"))


CARE_MODEL_CLASSES: Mapping[str, type[CareModel]] = _CareModelClasses()
"""The registered care models by name (a live view of the registry; built-ins first)."""


def care_model_class(name: str) -> type[CareModel]:
    """The registered care model called ``name``.

    Raises:
        KeyError: Naming the registered care models.
    """
    cls = components.get("care_model", name)
    if not issubclass(cls, CareModel):
        raise TypeError(f"care_model {name!r} is registered but is not a CareModel")
    return cls


__all__ = [
    "CARE_MODEL_CLASSES",
    "CareModel",
    "CollaborativeCare",
    "Hybrid",
    "MonthCounters",
    "PrimaryCareBehavioralHealth",
    "UsualCare",
    "care_model_class",
]
