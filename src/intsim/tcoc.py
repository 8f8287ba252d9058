"""Total cost of care (the payer's view), emerging from who is well, sick and treated.

Per member-month, the payer's cost is

* a **non-acute** part: the payer's average cost per member-month
  (``payers.<payer>.tcoc_pmpm``) less the average acute-care cost, scaled by the member's state —
  ``tcoc.bh_cost_ratio`` during a threshold episode and ``tcoc.chronic_cost_ratio`` with a chronic
  condition, normalised so that the month-1 panel averages 1 (evidence.md C1);
* the **acute** part: the member's ED visits and admissions this month × unit costs (their rates
  depend on BH state, evidence.md C2);
* **specialty** mental-health care months × their cost;
* and, added by the ledger, what the payer pays the organisation for integration services.

Nothing here is tuned to published programme results: savings emerge from who got better.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from intsim.kernels import cost_of_care
from intsim.params import PAYERS

if TYPE_CHECKING:
    from intsim.model import ClinicModel


def state_cost_multipliers(values: Any) -> NDArray[np.float64]:
    """Non-acute cost multiplier by [chronic, in episode], normalised to a month-1 mean of 1."""
    t, pop = values.tcoc, values.population
    c, b = pop.chronic_condition_prevalence, pop.threshold_prevalence
    raw = np.array(
        [[1.0, t.bh_cost_ratio], [t.chronic_cost_ratio, t.chronic_cost_ratio * t.bh_cost_ratio]]
    )
    weights = np.array([[(1 - c) * (1 - b), (1 - c) * b], [c * (1 - b), c * b]])
    return raw / float((weights * raw).sum())


def average_acute_cost_pmpm(values: Any) -> float:
    """Average acute-care cost per member-month of the usual-care panel (USD)."""
    u, t = values.utilization, values.tcoc
    return (
        u.ed_visits_per_100py / 1200.0 * t.ed_visit_cost
        + u.admissions_per_100py / 1200.0 * t.admission_cost
    )


class TcocMeter:
    """Measures members and total cost of care by payer each month.

    Args:
        values: Scenario values.
    """

    def __init__(self, values: Any) -> None:
        self.values = values
        acute = average_acute_cost_pmpm(values)
        self.nonacute = np.array(
            [max(getattr(values.payers, p).tcoc_pmpm - acute, 0.0) for p in PAYERS]
        )
        self.multiplier = state_cost_multipliers(values).ravel()
        self.has_payer = np.array([getattr(values.payers, p).tcoc_pmpm > 0 for p in PAYERS])
        t = values.tcoc
        self.unit_costs = np.array(
            [t.ed_visit_cost, t.admission_cost, t.specialty_month_cost], dtype=np.float64
        )

    def measure(self, model: ClinicModel) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Members and total cost of care (USD) by payer this month (before programme payments)."""
        pop = model.pop
        members, cost = cost_of_care(
            pop.n_used,
            pop.in_panel,
            pop.payer,
            pop.chronic,
            pop.bh,
            pop.treatment,
            pop.ed_visit,
            pop.admission,
            self.nonacute,
            self.multiplier,
            self.unit_costs,
            len(PAYERS),
        )
        return members, cost * self.has_payer
