"""Care models: usual care, CoCM, PCBH and hybrid — one module each, same interface."""

from __future__ import annotations

from intsim.sim.care.base import CareModel, MonthCounters
from intsim.sim.care.cocm import CollaborativeCare
from intsim.sim.care.hybrid import Hybrid
from intsim.sim.care.pcbh import PrimaryCareBehavioralHealth
from intsim.sim.care.usual_care import UsualCare

CARE_MODEL_CLASSES: dict[str, type[CareModel]] = {
    "usual_care": UsualCare,
    "cocm": CollaborativeCare,
    "pcbh": PrimaryCareBehavioralHealth,
    "hybrid": Hybrid,
}

__all__ = [
    "CARE_MODEL_CLASSES",
    "CareModel",
    "CollaborativeCare",
    "Hybrid",
    "MonthCounters",
    "PrimaryCareBehavioralHealth",
    "UsualCare",
]
