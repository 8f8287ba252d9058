"""Definitions of the quality measures the model records (named constants, not parameters).

These numbers define published measures, so a scenario does not change them; changing one
would measure something else under the same name (the output columns ``quality_*_6m`` and
``cocm_*_3mo`` and the P4P choices ``response_6m`` / ``remission_12m`` carry them).

* Depression response at six months (NQF 1884) and remission at twelve months (CMS159 /
  NQF 0710), docs/billing.md 5.4: counted among patients whose programme started that many
  months earlier (the monthly record, :mod:`intsim.sim.kernels.counts`), and the indicators of a
  P4P contract (``contracts.<payer>.p4p_measure``).
* The measurement-based-care assessment of CoCM at treatment month 3 (10-14 weeks), the
  timing of calibration target docs/targets.md T4 (Blackmore 2022), with
  "significant improvement" read as the AIMS Center defines it: a score below 10, or at most
  half the enrolment score (docs/decisions/0005-significant-improvement-t1-weibull-shape.md).
"""

from __future__ import annotations

from typing import Final

#: Months from programme start to the depression-response measure (NQF 1884).
RESPONSE_MONTHS: Final = 6
#: Months from programme start to the depression-remission measure (CMS159 / NQF 0710).
REMISSION_MONTHS: Final = 12
#: Measurement window of each P4P indicator (``contracts.<payer>.p4p_measure``), months.
P4P_MEASURE_MONTHS: Final = {"response_6m": RESPONSE_MONTHS, "remission_12m": REMISSION_MONTHS}

#: CoCM treatment month of the measurement-based-care assessment (10-14 weeks).
COCM_MEASUREMENT_MONTH: Final = 3
#: An observed score below this is "significantly improved" (score points; PHQ-9/GAD-7 < 10).
IMPROVED_BELOW_SCORE: Final = 10
#: An observed score at most this share of the enrolment score is "significantly improved".
IMPROVED_SHARE_OF_ENROLMENT_SCORE: Final = 0.5
