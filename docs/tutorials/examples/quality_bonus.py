"""A toy payment contract, ``quality_bonus`` (docs/tutorials/add-a-payment-contract.md).

Each payer may pay a bonus per enrolled CoCM patient-month of its members. The run's monthly
table counts the CoCM caseload (``active_cocm``), not its payers, so the payer's share of the
caseload is taken as its share of the panel's members.
"""

from __future__ import annotations

import numpy as np

from intsim.money.contracts import FloatArray, PayerRecord, PaymentContract
from intsim.params import NONNEG, PAYERS, Param
from intsim.params.components import per_payer, register


@register
class QualityBonus(PaymentContract):
    """A bonus in USD per enrolled CoCM patient-month, paid monthly with the claims."""

    name = "quality_bonus"  # its ledger line is revenue_quality_bonus
    collected = True  # paid with the month's claims (the billing cost applies)

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """``contracts.<payer>.quality_bonus_usd`` for every payer (off by default)."""
        return per_payer(
            "quality_bonus_usd",
            0.0,
            "USD per patient-month",
            "Bonus per enrolled CoCM patient-month of the payer's members (0 = none).",
            "assumption: tutorial example",
            bounds=NONNEG,
            plausible=(0.0, 50.0),
        )

    @classmethod
    def payments(cls, record: PayerRecord) -> FloatArray:
        """CoCM caseload x the payer's share of members x the bonus."""
        monthly = record.monthly
        members = sum(np.asarray(monthly[f"members_{p}"], float) for p in PAYERS)
        share = record.members / np.maximum(members, 1.0)
        caseload = np.asarray(monthly["active_cocm"], float)
        return caseload * share * record.terms.quality_bonus_usd
