"""Who costs the payer what: risk classes, state multipliers and a personal cost frailty.

A patient's non-acute cost of care and ED and admission rates are a base amount times

* a **state multiplier**, looked up by *risk class* — BH state × primary condition × chronic
  physical condition × age band (65+) — from a log-linear model
  (docs/decisions/0050-cost-risk-classes-and-frailty.md)::

      ln m = share(state, condition) × (ln R + chronic × ln I) + chronic × ln C + age65 × ln A

  with ``R`` the ratio of an active threshold **depression** episode without a chronic condition
  (Simon 1995 cost 1.50; Beiser 2019 ED 1.61, admissions 1.49; docs/evidence.md C1-C2), ``I`` the
  BH × chronic interaction, ``C`` the chronic-condition ratio and ``A`` the 65+ ratio. The share
  is 1 for active depression, ``anxiety_excess_share`` for active anxiety, and is scaled by
  ``improved_excess_share`` (response with residual symptoms) or ``remitted_excess_share``;
  subthreshold distress has ``subthreshold_excess_share``, no BH condition 0;
* a **cost frailty** drawn once per person (gamma, mean 1), which carries the rest of the
  person-to-person variation of claims (their heavy right skew).

The multipliers are normalised so that the month-1 panel at the declared prevalences averages 1
(non-acute cost) or the published rates (ED, admissions): they redistribute the panel's cost and
risk, they do not inflate it. All transcendental arithmetic happens here, once per run; the patient
rules (:func:`intsim.sim.kernels.rules.risk_class`,
:func:`intsim.sim.kernels.rules.acute_event`) only
look numbers up and multiply.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from intsim.sim.population import BH, Condition

N_BH_STATES = len(BH)
N_CONDITIONS = len(Condition)
#: Number of risk classes (BH state × condition × chronic × age 65+).
N_CLASSES = N_BH_STATES * N_CONDITIONS * 2 * 2


def excess_shares(values: Any) -> NDArray[np.float64]:
    """Share of an active depression episode's excess (log scale) by [BH state, condition].

    A condition of NONE in a threshold state (remitted at month 1, relapses of those) counts as
    depression.
    """
    u = values.utilization
    condition = np.ones(N_CONDITIONS)
    condition[Condition.ANXIETY] = u.anxiety_excess_share
    out = np.zeros((N_BH_STATES, N_CONDITIONS))
    out[BH.SUBTHRESHOLD, :] = u.subthreshold_excess_share
    out[BH.ACTIVE, :] = condition
    out[BH.IMPROVED, :] = u.improved_excess_share * condition
    out[BH.REMITTED, :] = u.remitted_excess_share * condition
    return out


def class_multipliers(
    values: Any, ratio: float, interaction: float, chronic_ratio: float, age_ratio: float
) -> NDArray[np.float64]:
    """Unnormalised multiplier of each risk class (log-linear, see the module docstring).

    Args:
        values: Scenario values.
        ratio: Ratio of an active depression episode (no chronic condition) to no BH condition.
        interaction: Extra factor on the BH ratio with a chronic condition (1 = none).
        chronic_ratio: Ratio of a chronic physical condition.
        age_ratio: Ratio of age 65+ to younger adults.

    Returns:
        Multipliers indexed by :func:`intsim.sim.kernels.rules.risk_class`.
    """
    share = excess_shares(values)[:, :, None, None]
    chronic = np.arange(2, dtype=float)[None, None, :, None]
    age = np.arange(2, dtype=float)[None, None, None, :]
    log_m = (
        share * (np.log(ratio) + chronic * np.log(interaction))
        + chronic * np.log(chronic_ratio)
        + age * np.log(age_ratio)
    )
    return np.exp(log_m).ravel()


def reference_weights(values: Any) -> NDArray[np.float64]:
    """Share of the month-1 panel in each risk class, from the declared prevalences.

    Threshold, subthreshold and remitted states, the anxiety share of threshold episodes, the
    chronic condition and the 65+ band are taken as independent, as the initialisation draws
    them (remitted patients start with no recorded condition; nobody starts improved).
    """
    p = values.population
    bh = np.zeros((N_BH_STATES, N_CONDITIONS))
    b, s, r = p.threshold_prevalence, p.subthreshold_prevalence, p.remitted_prevalence
    bh[BH.NONE, Condition.NONE] = max(1.0 - b - s - r, 0.0)
    bh[BH.SUBTHRESHOLD, Condition.NONE] = s
    bh[BH.ACTIVE, Condition.DEPRESSION] = b * (1.0 - p.anxiety_share)
    bh[BH.ACTIVE, Condition.ANXIETY] = b * p.anxiety_share
    bh[BH.REMITTED, Condition.NONE] = r
    c, a = p.chronic_condition_prevalence, p.share_age_65plus
    chronic = np.array([1.0 - c, c])
    age = np.array([1.0 - a, a])
    w = bh[:, :, None, None] * chronic[None, None, :, None] * age[None, None, None, :]
    return (w / w.sum()).ravel()


def normalised(values: Any, multipliers: NDArray[np.float64]) -> NDArray[np.float64]:
    """Multipliers scaled so that their month-1 panel average is 1."""
    return multipliers / float(reference_weights(values) @ multipliers)


def nonacute_cost_multipliers(values: Any) -> NDArray[np.float64]:
    """Non-acute cost multiplier of each risk class (month-1 panel average 1)."""
    t = values.tcoc
    raw = class_multipliers(
        values,
        t.bh_cost_ratio,
        t.bh_chronic_cost_interaction,
        t.chronic_cost_ratio,
        t.age65_cost_ratio,
    )
    return normalised(values, raw)


def acute_rates(values: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Admissions and ED visits per person-month of each risk class (before the frailty).

    The month-1 panel averages the published usual-care rates (``utilization.*_per_100py``).
    """
    u = values.utilization
    common = (u.bh_chronic_acute_interaction, u.chronic_acute_irr)
    admit = class_multipliers(values, u.depression_admission_irr, *common, u.age65_admission_irr)
    ed = class_multipliers(values, u.depression_ed_irr, *common, u.age65_ed_irr)
    return (
        normalised(values, admit) * (u.admissions_per_100py / 1200.0),
        normalised(values, ed) * (u.ed_visits_per_100py / 1200.0),
    )
