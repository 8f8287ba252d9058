"""intsim: agent-based simulation of behavioral health integration in primary care.

Public API:

* :func:`load_scenario` / :func:`default_scenario` — validated scenarios from YAML;
* :func:`simulate` — the pure run function ``simulate(scenario, seed) -> Results``;
* :class:`ClinicModel` — the Mesa model, for step-by-step use;
* :data:`PARAMETERS` — the parameter declaration.
"""

from __future__ import annotations

__version__ = "0.1.0"

from intsim import _moved
from intsim.params import PARAMETERS
from intsim.params.scenario import Scenario, ScenarioError, default_scenario, load_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.runner import Results, simulate

__all__ = [
    "PARAMETERS",
    "ClinicModel",
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "default_scenario",
    "load_scenario",
    "simulate",
]

_moved.install()  # old module names keep working, with a DeprecationWarning
