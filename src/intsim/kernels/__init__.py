"""Compiled per-slot kernels (numba; docs/decisions.md 44), one module per concept.

Written as chains of numpy expressions, one month costs hundreds of small array operations, each
paying Python and numpy call overhead; here the hottest rules are single loops over the slots,
compiled once (``cache=True`` keeps the machine code between processes). Two kinds:

* **patient rules** (:mod:`~intsim.kernels.rules`): each rule written once as a scalar
  function, called by the arrays engine's kernels (:mod:`~intsim.kernels.clinical`: onset, visit
  requests, clinical course, disengagement; :mod:`~intsim.kernels.costs`: acute care) in their
  slot loops and by :mod:`intsim.patient` for one agent, so the engines dock exactly;
* **organisation-side steps both engines share** (:mod:`~intsim.kernels.pathways`: visit
  classification, PCBH episodes, care-manager time, end-of-month bookkeeping;
  :mod:`~intsim.kernels.queues`: PCP rationing, waitlists; :mod:`~intsim.kernels.counts`:
  monthly counts; :mod:`~intsim.kernels.costs`: total cost of care): called by
  :mod:`intsim.care`, :mod:`intsim.model` and :mod:`intsim.tcoc`.

Randomness comes from :mod:`~intsim.kernels.rng` (counter-based, bit-identical to
:mod:`intsim.streams`); state codes mirrored from the enums live in
:mod:`~intsim.kernels.codes`. Loops run over contiguous slots with branch-free common paths: on
random data a branch mispredicts often, and such loops vectorise.

Import from the concept's module (``from intsim.kernels.rng import unit_uniform``); this package
re-exports nothing. The claim-line kernels stay in :mod:`intsim.claims_kernels`.
"""
