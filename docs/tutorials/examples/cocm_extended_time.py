"""A toy billing code, ``X0494`` (docs/tutorials/add-a-billing-code.md): hypothetical.

A made-up add-on for CoCM care-manager time beyond what 99494 bills: 99494 bills one unit per
30 minutes past the base code, capped at two units a month (docs/billing.md 1.1); ``X0494``
bills each further 30 minutes past the cap (from 146 minutes in an initial month, 136 in a
subsequent one). The code and its amounts are invented for the tutorial; no payer pays them.
"""

from __future__ import annotations

from typing import override

import numpy as np

from intsim.money.billing import cocm_units
from intsim.money.coding import BillingCode, BoolArray, CodingContext, Int64Array
from intsim.params.components import register

#: Largest number of 99494 units counted before the cap (any month has fewer).
_UNCAPPED = 1_000


@register
class CocmExtendedTime(BillingCode):
    """Each further 30 CoCM minutes past the 99494 cap, billed under the treating PCP."""

    name = "cocm_extended_time"  # registry name
    code = "X0494"  # on the claim lines
    family = "cocm"  # revenue lands in revenue_cocm; CoCM coverage and capture apply
    service = "cocm_month"  # billed from the care-manager minutes of a CoCM month
    incident_to = True  # paid at the billing PCP's share, as the CoCM codes
    # Medicare amounts, USD per unit: (year, non-facility, facility), held after the last year
    amounts = ((2025, 45.00, 30.00), (2026, 47.50, 31.50))

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """Wherever the standard CoCM codes are billed (not by an FQHC billing G0512)."""
        return not ctx.fqhc_g0512

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """99494 units beyond the cap: the uncapped count minus the capped one."""
        uncapped = cocm_units(minutes, initial, max_addon_units=_UNCAPPED)["99494"]
        capped = cocm_units(minutes, initial)["99494"]
        return np.asarray(uncapped - capped, np.int64)
