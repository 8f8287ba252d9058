"""Total cost of care (the payer's view), emerging from who is well, sick and treated.

Per member-month, the payer's cost is

* a **non-acute** part: the payer's average cost per member-month
  (``payers.<payer>.tcoc_pmpm``) less the average acute-care cost, times the member's risk-class
  multiplier — BH state and condition, chronic condition, their interaction and age 65+
  (:mod:`intsim.sim.risk`), normalised so that the month-1 panel averages 1 (docs/evidence.md C1) —
  and times the member's cost frailty (gamma, mean 1, drawn once per person);
* the **acute** part: the member's ED visits and admissions this month × unit costs (their rates
  depend on the same risk class and frailty, docs/evidence.md C2);
* **specialty** mental-health care months × their cost;
* and, added by the ledger, what the payer pays the organisation for integration services.

Nothing here is tuned to published programme results: savings emerge from who got better.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from intsim.params import PAYERS
from intsim.params.components import MODULE, Component, declared_section, register
from intsim.params.spec import Param
from intsim.sim.kernels.costs import cost_of_care
from intsim.sim.risk import nonacute_cost_multipliers

if TYPE_CHECKING:
    from intsim.sim.population import Population

#: Members by payer, columns of the monthly table.
MEMBER_COLUMNS: tuple[str, ...] = tuple(f"members_{p}" for p in PAYERS)
#: Total cost of care by payer (USD per month), columns of the monthly table.
TCOC_COLUMNS: tuple[str, ...] = tuple(f"tcoc_{p}" for p in PAYERS)
_RECORD_COLUMNS = MEMBER_COLUMNS + TCOC_COLUMNS  # the columns of a record, in order
_RECORD_PLACES = tuple(enumerate(_RECORD_COLUMNS))  # (place in a record's values, column)


def average_acute_cost_pmpm(values: Any) -> float:
    """Average acute-care cost per member-month of the usual-care panel (USD)."""
    u, t = values.utilization, values.tcoc
    return (
        u.ed_visits_per_100py / 1200.0 * t.ed_visit_cost
        + u.admissions_per_100py / 1200.0 * t.admission_cost
    )


@register
class TcocMeter(Component):
    """Measures members and total cost of care by payer each month.

    A registered component (kind ``module``): it owns the ``tcoc.*`` parameters and each payer's
    ``payers.<payer>.tcoc_pmpm``, writes :data:`MEMBER_COLUMNS` and :data:`TCOC_COLUMNS` of the
    monthly table (:meth:`record`) and sees only the population.

    Args:
        values: Scenario values.
    """

    name = "tcoc"
    kind = MODULE

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The ``tcoc.*`` section and every payer's ``tcoc_pmpm``."""
        return declared_section("tcoc") + declared_section("payers.*", ("tcoc_pmpm",))

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """Members, then total cost of care, by payer (:data:`~intsim.params.PAYERS` order)."""
        return _RECORD_COLUMNS

    def __init__(self, values: Any) -> None:
        self.values = values
        acute = average_acute_cost_pmpm(values)
        self.nonacute = np.array(
            [max(getattr(values.payers, p).tcoc_pmpm - acute, 0.0) for p in PAYERS]
        )
        self.multiplier = nonacute_cost_multipliers(values)
        self.has_payer = np.array([getattr(values.payers, p).tcoc_pmpm > 0 for p in PAYERS])
        t = values.tcoc
        self.slot_cost = np.zeros(0, np.float64)
        self.unit_costs = np.array(
            [t.ed_visit_cost, t.admission_cost, t.specialty_month_cost], dtype=np.float64
        )
        counted = self.has_payer.astype(np.float64)  # cost * has_payer, as numpy multiplies
        self._rates = (self.nonacute, self.multiplier, self.unit_costs, counted)  # cost_of_care's
        # cost_of_care's sums (members, cost by payer), written each month
        self._sums = (np.zeros(len(PAYERS), np.int64), np.zeros(len(PAYERS), np.float64))

    def record(self, pop: Population) -> dict[str, float]:
        """The month's members and total cost of care (USD) by payer, as monthly columns."""
        members, cost = self._month_sums(pop)
        values = members.tolist() + cost.tolist()
        return {name: values[k] for k, name in _RECORD_PLACES}

    def measure(self, pop: Population) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Members and total cost of care (USD) by payer this month (before programme payments).

        Each slot's cost this month is left in :attr:`slot_cost` (USD; 0 out of the panel).
        """
        members, cost = self._month_sums(pop)
        return members.copy(), cost.copy()

    def _month_sums(self, pop: Population) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """:meth:`measure` into the meter's own arrays (overwritten next month).

        Each slot's cost this month is left in :attr:`slot_cost` (USD; 0 out of the panel).
        """
        if len(self.slot_cost) != pop.capacity:
            self.slot_cost = np.zeros(pop.capacity, np.float64)
        cost_of_care(
            pop.n_used,
            pop.person_state(),
            pop.bh,
            pop.condition,
            pop.treatment,
            pop.acute_events(),
            self._rates,
            self.slot_cost,
            self._sums,
        )
        return self._sums
