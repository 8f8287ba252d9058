"""The simulation: the clinic model, its patients, providers, care models and kernels.

- :mod:`intsim.sim.model`: the Mesa model (:class:`~intsim.sim.model.ClinicModel`);
- :mod:`intsim.sim.population`, :mod:`intsim.sim.patient`, :mod:`intsim.sim.engine_arrays`,
  :mod:`intsim.sim.clinical`, :mod:`intsim.sim.risk`: patients and their clinical course;
- :mod:`intsim.sim.providers`, :mod:`intsim.sim.workforce`, :mod:`intsim.sim.care`:
  the organisation;
- :mod:`intsim.sim.tcoc`: total cost of care, a meter on patient states;
- :mod:`intsim.sim.context`: what those components see of the model (a protocol), so none
  imports it;
- :mod:`intsim.sim.streams`, :mod:`intsim.sim.kernels`: randomness and compiled kernels;
- :mod:`intsim.sim.runner`: the pure run function ``simulate(scenario, seed)`` (simulation
  plus money).

The simulation sits above :mod:`intsim.money` and below :mod:`intsim.analysis`
(docs/architecture.md).
"""
