"""Compiled per-slot kernels (numba; decision 44), one module per concept.

Recorded in docs/decisions/0044-compiled-per-slot-kernels.md.

Written as chains of numpy expressions, one month costs hundreds of small array operations, each
paying Python and numpy call overhead; here the hottest rules are single loops over the slots,
compiled once (``cache=True`` keeps the machine code between processes). Two kinds:

* **patient rules** (:mod:`~intsim.sim.kernels.rules`): each rule written once as a scalar
  function, called by the arrays engine's kernels (:mod:`~intsim.sim.kernels.clinical`: onset,
  visit requests, clinical course, disengagement; :mod:`~intsim.sim.kernels.costs`: acute care)
  in their slot loops and by :mod:`intsim.sim.patient` for one agent, so the engines dock exactly;
* **organisation-side steps both engines share** (:mod:`~intsim.sim.kernels.pathways`: visit
  classification, PCBH episodes, care-manager time, end-of-month bookkeeping;
  :mod:`~intsim.sim.kernels.queues`: PCP rationing, waitlists; :mod:`~intsim.sim.kernels.counts`:
  monthly counts; :mod:`~intsim.sim.kernels.costs`: total cost of care): called by
  :mod:`intsim.sim.care`, :mod:`intsim.sim.model` and :mod:`intsim.sim.tcoc`.

Randomness comes from :mod:`~intsim.sim.kernels.rng` (counter-based, bit-identical to
:mod:`intsim.sim.streams`); state codes mirrored from the enums live in
:mod:`~intsim.sim.kernels.codes`; kernels take the population's arrays grouped by concept
(:mod:`~intsim.sim.kernels.state`: treatment, episode, person, acute events) rather than long
positional lists. Loops run over contiguous slots with branch-free common paths: on
random data a branch mispredicts often, and such loops vectorise.

Import from the concept's module (``from intsim.sim.kernels.rng import unit_uniform``); this package
re-exports nothing. The claim-line kernels stay in :mod:`intsim.money.claims_kernels`.
"""
