"""Claims from delivered services: money follows services (DESIGN.md decision 5).

In FQHC mode (``billing.setting: fqhc``) Medicare and dual-eligible mental-health visits are PPS
encounters (G0470) and Medicaid ones are paid the state's visit rate; CoCM is billed as G0512
before 2026 and with the standard codes from 2026.

Each month, after providers have spent their time, :class:`ClaimsBook` turns the services the
population arrays record — care-manager minutes, BHC visits and what they addressed — into claim
lines under the coding rules of :mod:`intsim.billing`, priced from the fee schedule of the
calendar year and adjusted per payer (relativity, coverage, same-day restriction, cost-sharing,
collection, denials) and per contract (capitation or a case rate replaces fee-for-service).
Psychiatric-consultant time is bundled in the CoCM codes and never billed on its own.

Amounts are expected values (no random draws): a denial rate of 15% removes 15% of the allowed
amount, so ledgers are exact and identical on both engines.

Claim line amounts, for a line with status ``paid``::

    allowed      = fee x units x payer relativity x practitioner share
    denied       = allowed x denial rate
    paid         = (allowed - denied) x (1 - coinsurance)       # by the payer, months later
    patient_share= (allowed - denied) x coinsurance
    collected    = patient_share x collection rate              # at the visit

Lines with another status (``not_covered``, ``same_day``, ``capitated``, ``case_rate``,
``no_ffs``) keep their ``allowed`` shadow price but pay nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim.billing import (
    APCM_BHI_FIRST_YEAR,
    apcm_bhi_code,
    cocm_units,
    fqhc_pps_rate,
    hbai_units,
    load_fee_schedule,
    practitioner_share,
    psychotherapy_code,
)
from intsim.params import PAYERS
from intsim.population import BhcVisitKind

if TYPE_CHECKING:
    from intsim.model import ClinicModel

#: Claim statuses, in the order of their integer codes.
STATUSES: tuple[str, ...] = ("paid", "not_covered", "same_day", "capitated", "case_rate", "no_ffs")
PAID, NOT_COVERED, SAME_DAY, CAPITATED, CASE_RATE, NO_FFS = range(len(STATUSES))

#: Revenue families of the ledger.
FAMILIES: tuple[str, ...] = ("cocm", "bhc_psychotherapy", "bhc_hbai", "fqhc_mental_health")

#: First year in which FQHCs bill CoCM with the standard codes instead of G0512 (billing.md 1.3).
FQHC_STANDARD_COCM_FROM = 2026

#: Codes that are FQHC prospective-payment encounters, not fee-schedule services.
FQHC_MH_MEDICARE = "G0470"
FQHC_MH_MEDICAID = "FQHC-MH"

CLAIM_COLUMNS: tuple[str, ...] = (
    "month",
    "slot",
    "code",
    "family",
    "payer",
    "units",
    "allowed",
    "paid",
    "patient_share",
    "collected",
    "denied",
    "status",
)


@dataclass
class MonthBilling:
    """Billing of one month, summed for the ledger (USD)."""

    revenue_by_family: dict[str, float] = field(default_factory=dict)
    revenue_by_payer: dict[str, float] = field(default_factory=dict)
    payer_paid_by_payer: dict[str, float] = field(default_factory=dict)
    cash_by_lag: dict[int, float] = field(default_factory=dict)
    collections: float = 0.0
    billed_cm_minutes: int = 0
    episodes_started_by_payer: dict[str, int] = field(default_factory=dict)


@dataclass
class _Lines:
    """Claim lines of one month as parallel arrays."""

    slot: list[NDArray[np.int64]] = field(default_factory=list)
    code: list[NDArray[np.int64]] = field(default_factory=list)
    family: list[NDArray[np.int64]] = field(default_factory=list)
    units: list[NDArray[np.int64]] = field(default_factory=list)
    fee: list[NDArray[np.float64]] = field(default_factory=list)

    def add(
        self,
        slots: NDArray[np.int64],
        code: str,
        family: int,
        units: NDArray[np.int64] | int,
        fee: NDArray[np.float64] | float,
    ) -> None:
        n = len(slots)
        if n == 0:
            return
        self.slot.append(slots)
        self.code.append(np.full(n, code_id(code), np.int64))
        self.family.append(np.full(n, family, np.int64))
        self.units.append(np.broadcast_to(np.asarray(units, dtype=np.int64), (n,)))
        self.fee.append(np.broadcast_to(np.asarray(fee, dtype=np.float64), (n,)))

    def arrays(self) -> tuple[NDArray[Any], ...]:
        if not self.slot:
            empty_i = np.zeros(0, np.int64)
            return empty_i, empty_i, empty_i, empty_i, np.zeros(0)
        return (
            np.concatenate(self.slot),
            np.concatenate(self.code),
            np.concatenate(self.family),
            np.concatenate(self.units),
            np.concatenate(self.fee),
        )


_CODE_NAMES: list[str] = []
_CODE_IDS: dict[str, int] = {}


def code_id(code: str) -> int:
    """A small integer standing for a billing code in the claim arrays."""
    k = _CODE_IDS.get(code)
    if k is None:
        k = _CODE_IDS[code] = len(_CODE_NAMES)
        _CODE_NAMES.append(code)
    return k


def payment_lag_months(days_to_payment: float) -> int:
    """Whole months between service and payment: ``ceil(days / 30)``."""
    return int(np.ceil(max(days_to_payment, 0.0) / 30.0))


class ClaimsBook:
    """Generates and keeps the claim lines of a run.

    Args:
        values: Scenario values.
    """

    def __init__(self, values: Any) -> None:
        self.values = values
        self.payer = {name: getattr(values.payers, name) for name in PAYERS}
        self.contract = {name: getattr(values.contracts, name) for name in PAYERS}
        b = values.billing
        self.setting = b.setting
        self.pcp_share = practitioner_share(b.pcp_credential)
        self.bhc_share = practitioner_share(b.bhc_credential)
        self.lag = np.array([payment_lag_months(self.payer[p].days_to_payment) for p in PAYERS])

        # per-payer arrays, indexed by the payer code of a patient
        def per_payer(get: Any) -> NDArray[Any]:
            return np.array([get(p) for p in PAYERS])

        self._rel_cocm = per_payer(lambda p: self.payer[p].relativity_cocm)
        self._rel_bh = per_payer(lambda p: self.payer[p].relativity_bh)
        self._coins = per_payer(lambda p: self.payer[p].coinsurance)
        self._collect = per_payer(lambda p: self.payer[p].collection_rate)
        self._deny = per_payer(lambda p: self.payer[p].denial_rate)
        self._covers_cocm = per_payer(lambda p: self.payer[p].covers_cocm)
        self._covers_hbai = per_payer(lambda p: self.payer[p].covers_hbai)
        self._same_day = per_payer(lambda p: self.payer[p].same_day_restriction)
        self._ffs = per_payer(lambda p: self.contract[p].fee_for_service)
        self._pmpm = per_payer(lambda p: self.contract[p].pmpm_usd > 0)
        self._case_rate = per_payer(lambda p: self.contract[p].case_rate_usd > 0)
        self._rows: list[dict[str, NDArray[Any]]] = []

    def year(self, month: int) -> int:
        """Calendar year of a simulation month."""
        return self.values.simulation.start_year + (month - 1) // 12

    # ------------------------------------------------------------------ lines

    def _cocm_lines(self, model: ClinicModel, month: int, lines: _Lines) -> NDArray[np.int64]:
        pop = model.pop
        year = self.year(month)
        fees = load_fee_schedule(year)
        facility = self.setting == "facility"
        slots = pop.where(pop.cm_minutes > 0)
        minutes = pop.cm_minutes[slots]
        initial = pop.cm_initial[slots]
        use_apcm = self.values.billing.apcm_bhi_addons and year >= APCM_BHI_FIRST_YEAR
        apcm = np.zeros(len(slots), bool)
        if use_apcm:
            payer = pop.payer[slots]
            apcm = (payer == PAYERS.index("medicare")) | (payer == PAYERS.index("dual"))
            codes = apcm_bhi_code(initial[apcm])
            for code in ("G0568", "G0569"):
                sel = slots[apcm][codes == code]
                lines.add(sel, code, 0, 1, fees.rate(code, facility) * self.pcp_share)
        timed = ~apcm
        if self.setting == "fqhc" and year < FQHC_STANDARD_COCM_FROM:
            # before 2026 an FQHC bills CoCM as G0512: >= 70 min (initial) or >= 60 min
            # (subsequent), no add-on, no G2214 (billing.md 1.3)
            enough = minutes >= np.where(initial, 70, 60)
            sel = timed & enough
            lines.add(slots[sel], "G0512", 0, 1, fees.rate("G0512") * self.pcp_share)
            return slots[sel]
        units = cocm_units(minutes[timed], initial[timed])
        for code, u in units.items():
            sel = u > 0
            lines.add(
                slots[timed][sel], code, 0, u[sel], fees.rate(code, facility) * self.pcp_share
            )
        billed = np.zeros(len(slots), bool)
        billed[apcm] = True
        billed[timed] = sum(u > 0 for u in units.values()).astype(bool)
        return slots[billed]

    def _bhc_lines(self, model: ClinicModel, month: int, lines: _Lines) -> None:
        pop = model.pop
        year = self.year(month)
        fees = load_fee_schedule(year)
        facility = self.setting == "facility"
        minutes = model.values.pcbh.visit_minutes
        mh = pop.where(pop.bhc_visit & (pop.bhc_kind == BhcVisitKind.MENTAL_HEALTH))
        hb = pop.where(pop.bhc_visit & (pop.bhc_kind == BhcVisitKind.HEALTH_BEHAVIOR))
        code = str(psychotherapy_code(np.array([minutes]))[0])
        if self.setting == "fqhc":
            payer = pop.payer[mh]
            medicare = (payer == PAYERS.index("medicare")) | (payer == PAYERS.index("dual"))
            medicaid = payer == PAYERS.index("medicaid")
            lines.add(mh[medicare], FQHC_MH_MEDICARE, 3, 1, fqhc_pps_rate(year))
            lines.add(
                mh[medicaid],
                FQHC_MH_MEDICAID,
                3,
                1,
                self.values.billing.fqhc_medicaid_visit_rate,
            )
            mh = mh[~medicare & ~medicaid]
        if code:
            lines.add(mh, code, 1, 1, fees.rate(code, facility) * self.bhc_share)
        if self.setting != "fqhc":  # HBAI is not a qualifying FQHC visit (assumption)
            for code_hb, u in hbai_units(np.full(len(hb), minutes)).items():
                sel = u > 0
                lines.add(
                    hb[sel], code_hb, 2, u[sel], fees.rate(code_hb, facility) * self.bhc_share
                )

    # ------------------------------------------------------------------ month

    def bill_month(
        self, model: ClinicModel, month: int, new_episodes: NDArray[np.int64]
    ) -> MonthBilling:
        """Generate this month's claims and return the month's billing totals.

        Args:
            model: The clinic model, after the month's services were delivered.
            month: Current month.
            new_episodes: Slots whose CoCM episode started this month (case rates).
        """
        pop = model.pop
        lines = _Lines()
        billed_cocm = self._cocm_lines(model, month, lines)
        self._bhc_lines(model, month, lines)
        slot, code, family, units, fee = lines.arrays()
        payer = pop.payer[slot].astype(np.int64)

        relativity = np.where(family == 0, self._rel_cocm[payer], self._rel_bh[payer])
        relativity = np.where(family == 3, 1.0, relativity)  # PPS rates are payer-specific
        allowed = fee * units * relativity
        status = np.full(len(slot), PAID, np.int64)
        status[(family == 0) & ~self._covers_cocm[payer]] = NOT_COVERED
        status[(family == 2) & ~self._covers_hbai[payer]] = NOT_COVERED
        # same-day restriction: a BHC visit on the day of the PCP visit (warm handoff) is not
        # paid when only one of a medical and a behavioral visit is payable
        bhc_family = family > 0
        same_day = bhc_family & self._same_day[payer] & pop.bhc_same_day[slot]
        status[(status == PAID) & same_day] = SAME_DAY
        status[(status == PAID) & (family == 0) & self._case_rate[payer]] = CASE_RATE
        status[(status == PAID) & self._pmpm[payer]] = CAPITATED
        status[(status == PAID) & ~self._ffs[payer]] = NO_FFS

        ok = status == PAID
        denied = np.where(ok, allowed * self._deny[payer], 0.0)
        net_allowed = np.where(ok, allowed - denied, 0.0)
        paid = net_allowed * (1.0 - self._coins[payer])
        patient_share = net_allowed * self._coins[payer]
        collected = patient_share * self._collect[payer]
        self._rows.append(
            {
                "month": np.full(len(slot), month, np.int64),
                "slot": slot,
                "code": code,
                "family": family,
                "payer": payer,
                "units": units,
                "allowed": allowed,
                "paid": paid,
                "patient_share": patient_share,
                "collected": collected,
                "denied": denied,
                "status": status,
            }
        )
        out = MonthBilling()
        revenue = paid + collected
        for k, name in enumerate(FAMILIES):
            out.revenue_by_family[name] = float(revenue[family == k].sum())
        for k, name in enumerate(PAYERS):
            mine = payer == k
            out.revenue_by_payer[name] = float(revenue[mine].sum())
            out.payer_paid_by_payer[name] = float(paid[mine].sum())
            lag = int(self.lag[k])
            out.cash_by_lag[lag] = out.cash_by_lag.get(lag, 0.0) + float(paid[mine].sum())
        out.cash_by_lag[0] = out.cash_by_lag.get(0, 0.0) + float(collected.sum())
        out.collections = float(revenue.sum())
        paid_cocm = np.unique(slot[(family == 0) & ok])
        out.billed_cm_minutes = int(pop.cm_minutes[np.intersect1d(billed_cocm, paid_cocm)].sum())
        episode_payers = pop.payer[new_episodes]
        out.episodes_started_by_payer = {
            name: int((episode_payers == k).sum()) for k, name in enumerate(PAYERS)
        }
        return out

    def table(self, last_month_only: bool = False) -> pd.DataFrame:
        """Claim lines of the run (columns :data:`CLAIM_COLUMNS`).

        Args:
            last_month_only: Only the lines of the most recent month billed.
        """
        rows = self._rows[-1:] if last_month_only else self._rows
        if not rows:
            return pd.DataFrame(columns=list(CLAIM_COLUMNS))
        cols = {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}
        df = pd.DataFrame(cols)
        df["code"] = np.array(_CODE_NAMES, dtype=object)[df["code"].to_numpy()].astype(str)
        df["family"] = pd.Categorical.from_codes(df["family"], categories=list(FAMILIES))
        df["payer"] = pd.Categorical.from_codes(df["payer"], categories=list(PAYERS))
        df["status"] = pd.Categorical.from_codes(df["status"], categories=list(STATUSES))
        return df[list(CLAIM_COLUMNS)]
