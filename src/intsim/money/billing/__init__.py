"""Billing rule base: "money follows services".

Claims are generated from the minutes and visits providers actually delivered. This package holds
the rules as **data files** plus small pure, vectorised functions; it does not simulate anything.

* ``data/fee_schedule_<year>.csv`` — one row per code with a national Medicare amount that year
  (columns ``code,family,description,min_minutes,medicare_nonfacility,medicare_facility,
  conversion_factor,source``); amounts are total RVU × conversion factor, national, unadjusted
  (docs/billing.md 0, 1.6; 2026 uses the non-QP factor). Codes absent a year (G0568-G0570 in 2025,
  G0511/G0512 in 2026) are not in that file; contractor-priced codes (G0552) and the FQHC PPS
  encounter codes G0469/G0470 (not PFS rates) are omitted. 96170/96171 are kept as reference
  values although Medicare does not cover them.
* ``data/fqhc_pps.csv`` — Medicare FQHC PPS base rate and new-patient adjustment per year
  (docs/billing.md 1.3; the 2026 row is an ESTIMATE).
* ``data/billing_codes_reference.csv`` — the per-code reference data (the same numbers
  as docs/billing.md 1.6) the fee schedules were built from (the tests check them against it).
* :mod:`intsim.money.billing.fee_schedule` — :func:`load_fee_schedule`, :func:`fqhc_pps_rate`.
* :mod:`intsim.money.billing.codes` — time-to-code rules (CoCM, general BHI, psychotherapy, HBAI,
  APCM add-ons), practitioner payment shares and same-month exclusions.

Which codes the model bills, and which rule and amounts each uses, is said by the registered
billing codes of :mod:`intsim.money.coding` (one class per code).

**Adding a year:** drop ``data/fee_schedule_<year>.csv`` with the same columns (and add a row to
``fqhc_pps.csv``); :func:`available_years` discovers it. A year after the latest file is priced
with the latest file (amounts held at the latest published year); a year before the earliest
raises ``ValueError``. Code rules that change in a new year (e.g. a new threshold) belong in
:mod:`intsim.money.billing.codes`.
"""

from __future__ import annotations

from intsim.money.billing.codes import (
    APCM_BHI_FIRST_YEAR,
    APCM_GENERAL_BHI,
    COCM_CODES,
    GENERAL_BHI_CODE,
    GENERAL_BHI_CODES,
    HBAI_CODE_PAIRS,
    INCIDENT_TO_CODES,
    PRACTITIONER_SHARE,
    SAME_MONTH_EXCLUSIONS,
    SameMonthExclusion,
    apcm_bhi_code,
    cocm_units,
    exclude_general_bhi,
    general_bhi_units,
    hbai_units,
    practitioner_share,
    psychotherapy_code,
)
from intsim.money.billing.fee_schedule import (
    FeeSchedule,
    MissingRateError,
    available_years,
    fqhc_pps_rate,
    fqhc_pps_years,
    load_fee_schedule,
)

__all__ = [
    "APCM_BHI_FIRST_YEAR",
    "APCM_GENERAL_BHI",
    "COCM_CODES",
    "GENERAL_BHI_CODE",
    "GENERAL_BHI_CODES",
    "HBAI_CODE_PAIRS",
    "INCIDENT_TO_CODES",
    "PRACTITIONER_SHARE",
    "SAME_MONTH_EXCLUSIONS",
    "FeeSchedule",
    "MissingRateError",
    "SameMonthExclusion",
    "apcm_bhi_code",
    "available_years",
    "cocm_units",
    "exclude_general_bhi",
    "fqhc_pps_rate",
    "fqhc_pps_years",
    "general_bhi_units",
    "hbai_units",
    "load_fee_schedule",
    "practitioner_share",
    "psychotherapy_code",
]
