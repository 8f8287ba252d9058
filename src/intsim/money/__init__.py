"""Money: billing rules, claims, payment models, the ledger and financial measures.

Money reads a record of delivered services (:mod:`intsim.money.services`), never the
simulation model; it sits above :mod:`intsim.params` and below :mod:`intsim.sim`
(docs/architecture.md).

- :mod:`intsim.money.billing`: billing codes and fee schedules;
- :mod:`intsim.money.services`: what money reads of the delivered services;
- :mod:`intsim.money.claims` (with :mod:`~intsim.money.claims_kernels`): claim lines;
- :mod:`intsim.money.payment_models`, :mod:`intsim.money.finance`: contracts and measures;
- :mod:`intsim.money.ledger`: the monthly ledger of revenue and cost.
"""
