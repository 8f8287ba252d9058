"""Billing codes as registered components: each code declares its family, amounts and unit rule.

A billing code is a :class:`BillingCode` (kind ``billing_code`` in
:mod:`intsim.params.components`): one class names the code, the revenue family whose ledger line
``revenue_<family>`` its revenue lands in, the kind of delivered service it bills
(:data:`SERVICES`), its unit rule (:meth:`BillingCode.units`: how many units a patient-month or
visit bills, from its minutes), the payers whose patients it bills (:meth:`BillingCode.payers`),
whether it is billed at all in a year and setting (:meth:`BillingCode.billed`), its amount per
unit (from the year's fee-schedule file, or declared on the class in :attr:`BillingCode.amounts`
without editing the data files) and, for care-management months, whether a CoCM month of the
same patient excludes it (:attr:`BillingCode.dropped_in_cocm_month`).

The yearly coding plan (:func:`intsim.money.claims.year_plan`) loops over the registered codes in
registration order, service by service, and turns them into the lookup tables the compiled claim
kernels (:mod:`intsim.money.claims_kernels`) read, built once per year in Python; the kernels
know no code. Every code the model bills is registered here, in the order its claim lines have
always had, so the built-in codes give the same claim lines, in the same order, as before they
were components. A code in a new revenue family needs more than a class (the family's coverage,
capture rate and ledger line): see docs/tutorials/add-a-billing-code.md.

The time-to-code rules stay pure functions in :mod:`intsim.money.billing.codes`; the built-in
classes below only say which rule, code and payers each code uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, override

import numpy as np
from numpy.typing import ArrayLike, NDArray

from intsim.money.billing import (
    APCM_GENERAL_BHI,
    GENERAL_BHI_CODE,
    SAME_MONTH_EXCLUSIONS,
    FeeSchedule,
    MissingRateError,
    cocm_units,
    fqhc_pps_rate,
    general_bhi_units,
    hbai_units,
    psychotherapy_code,
)
from intsim.money.claims_kernels import FAMILY_CODES
from intsim.params import PAYERS
from intsim.params.components import Component, register, registered

#: Kinds of delivered service a code bills, in the order of the claim table: CoCM months of
#: payers that bill the APCM add-ons (``cocm_apcm_month``, units by initial month only), the
#: other CoCM months (``cocm_month``, units by care-manager minutes and initial month),
#: mental-health and health-behavior BHC visits (``mh_visit``, ``hb_visit``, units by visit
#: length) and general-BHI care-management months (``general_bhi_month``, units by BHC
#: care-management minutes).
SERVICES: tuple[str, ...] = (
    "cocm_apcm_month",
    "cocm_month",
    "mh_visit",
    "hb_visit",
    "general_bhi_month",
)

#: First year in which FQHCs bill CoCM with the standard codes instead of G0512
#: (docs/billing.md 1.3).
FQHC_STANDARD_COCM_FROM = 2026
#: Before 2026 an FQHC bills G0512 from this many CoCM minutes in an initial month
#: (docs/billing.md 1.3).
FQHC_G0512_INITIAL_MINUTES = 70
#: ... and from this many in a subsequent month; no add-on, no G2214.
FQHC_G0512_SUBSEQUENT_MINUTES = 60

#: Codes that are FQHC prospective-payment encounters, not fee-schedule services.
FQHC_MH_MEDICARE = "G0470"
FQHC_MH_MEDICAID = "FQHC-MH"

_MEDICARE, _MEDICAID, _DUAL = (
    PAYERS.index("medicare"),
    PAYERS.index("medicaid"),
    PAYERS.index("dual"),
)

Int64Array = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class CodingContext:
    """What a code's rules may depend on besides the patient-month: the year and the setting.

    Attributes:
        year: Calendar year of service.
        setting: ``billing.setting``: ``"office"``, ``"facility"`` or ``"fqhc"``.
        apcm: Whether Medicare and dual CoCM and general-BHI months bill the APCM add-ons this
            year (``billing.apcm_bhi_addons`` and a year from 2026).
        visit_minutes: Length of a BHC visit (minutes).
        general_bhi_billed_by: ``billing.general_bhi_billed_by`` (see :func:`general_bhi_code`).
    """

    year: int
    setting: str
    apcm: bool
    visit_minutes: int
    general_bhi_billed_by: str

    @property
    def fqhc(self) -> bool:
        """Whether the clinic bills as an FQHC."""
        return self.setting == "fqhc"

    @property
    def facility(self) -> bool:
        """Whether the facility (F) fee-schedule amounts apply."""
        return self.setting == "facility"

    @property
    def fqhc_g0512(self) -> bool:
        """Whether CoCM months bill G0512 (an FQHC before 2026) instead of the standard codes."""
        return self.fqhc and self.year < FQHC_STANDARD_COCM_FROM


@dataclass(frozen=True)
class Prices:
    """What a code's USD per unit may depend on besides the year and setting.

    Attributes:
        fees: The year's Medicare fee schedule (from the data files).
        pcp_share: Practitioner share of the billing PCP's credential (incident-to codes).
        bhc_share: Practitioner share of the BHC's credential (the BHC's own codes).
        fqhc_medicaid_visit_rate: FQHC Medicaid payment per mental-health visit (USD).
    """

    fees: FeeSchedule
    pcp_share: float
    bhc_share: float
    fqhc_medicaid_visit_rate: float


def apcm_payers(ctx: CodingContext) -> BoolArray:
    """By payer code, whether its CoCM and general-BHI months bill the APCM add-ons."""
    out = np.zeros(len(PAYERS), np.bool_)
    out[[_MEDICARE, _DUAL]] = ctx.apcm
    return out


class BillingCode(Component):
    """Base class of a billing code (a registered component of kind ``billing_code``).

    Attributes:
        code: HCPCS/CPT code as it appears on the claim line, e.g. ``"99494"``.
        family: Revenue family (:data:`intsim.money.claims.FAMILIES`): its ledger line
            ``revenue_<family>``, coverage, same-day rule and capture rate apply to the code.
        service: The delivered service it bills, one of :data:`SERVICES`.
        incident_to: Paid at the billing PCP's practitioner share (codes billed under the
            treating practitioner, :data:`intsim.money.billing.INCIDENT_TO_CODES`); otherwise at
            the BHC credential's share.
        dropped_in_cocm_month: Not billed for a patient in a month that bills any CoCM unit (a
            same-month exclusion; ``general_bhi_month`` codes only).
        amounts: Medicare amounts in USD per unit as fee-schedule rows ``(year, non-facility,
            facility)`` (facility ``None`` if it has none). Empty: the amounts come from the
            year's fee-schedule file, ``intsim/money/billing/data/fee_schedule_<year>.csv``. A
            year after the latest row uses the latest (as the data files are held); a year
            before the first has no amount.
    """

    kind: ClassVar[str] = "billing_code"
    code: ClassVar[str] = ""
    family: ClassVar[str] = ""
    service: ClassVar[str] = ""
    incident_to: ClassVar[bool] = False
    dropped_in_cocm_month: ClassVar[bool] = False
    amounts: ClassVar[tuple[tuple[int, float, float | None], ...]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Check the family and service of a concrete code class when it is defined.

        Raises:
            ValueError: For an unknown family or service.
        """
        super().__init_subclass__(**kwargs)
        if cls.family and cls.family not in FAMILY_CODES:
            known = ", ".join(FAMILY_CODES)
            raise ValueError(f"{cls.__name__}: family {cls.family!r}; expected one of {known}")
        if cls.service and cls.service not in SERVICES:
            known = ", ".join(SERVICES)
            raise ValueError(f"{cls.__name__}: service {cls.service!r}; expected one of {known}")

    @classmethod
    def billed(cls, ctx: CodingContext) -> bool:  # noqa: ARG003
        """Whether the code is billed at all in this year and setting (default: always)."""
        return True

    @classmethod
    def payers(cls, ctx: CodingContext) -> BoolArray:  # noqa: ARG003
        """By payer code (:data:`intsim.params.PAYERS`), whose patients it bills (default all).

        For ``cocm_month`` codes the payers that bill APCM add-ons are excluded anyway.
        """
        return np.ones(len(PAYERS), np.bool_)

    @classmethod
    def units(
        cls,
        minutes: Int64Array,
        initial: BoolArray,
        ctx: CodingContext,
    ) -> Int64Array:
        """Units billed for each patient-month or visit (int64, the shape of ``minutes``).

        Args:
            minutes: Care-manager minutes of a CoCM month, BHC care-management minutes of a
                general-BHI month, or the visit length of a BHC visit (zeros for the APCM
                add-ons, which need no time).
            initial: Whether the CoCM month is the first of its episode (``False`` for other
                services).
            ctx: Year and setting.
        """
        raise NotImplementedError(f"{cls.__name__} must define units()")

    @classmethod
    def rate(cls, ctx: CodingContext, fees: FeeSchedule) -> float:
        """Medicare amount in USD per unit before the practitioner share.

        Args:
            ctx: Year and setting (facility amounts in the ``facility`` setting).
            fees: The year's fee schedule (used when :attr:`amounts` is empty).

        Raises:
            MissingRateError: If the code has no amount that year (or no facility amount).
        """
        if not cls.amounts:
            return fees.rate(cls.code, ctx.facility)
        rows = sorted(row for row in cls.amounts if row[0] <= ctx.year)
        if not rows:
            raise MissingRateError(
                f"code {cls.code!r} ({cls.__name__}) declares no amount for {ctx.year} "
                f"(first year declared: {min(row[0] for row in cls.amounts)})"
            )
        _, nonfacility, facility = rows[-1]
        if ctx.facility:
            if facility is None:
                raise MissingRateError(f"code {cls.code!r} ({cls.__name__}) has no facility amount")
            return float(facility)
        return float(nonfacility)

    @classmethod
    def fee(cls, ctx: CodingContext, prices: Prices) -> float:
        """USD per unit: :meth:`rate` x the share of the practitioner the code is billed under.

        Args:
            ctx: Year and setting.
            prices: Fee schedule, practitioner shares and encounter rates.
        """
        share = prices.pcp_share if cls.incident_to else prices.bhc_share
        return cls.rate(ctx, prices.fees) * share


def billing_codes() -> tuple[type[BillingCode], ...]:
    """The registered billing codes, in registration order (built-in codes first)."""
    return tuple(registered("billing_code").values())  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- rule helpers


def fqhc_g0512_units(minutes: ArrayLike, initial: ArrayLike) -> dict[str, Int64Array]:
    """G0512 units (0/1) an FQHC bills per CoCM patient-month before 2026 (docs/billing.md 1.3).

    Args:
        minutes: Care-manager minutes in the month, one per patient-month.
        initial: True for the first month of a CoCM episode.

    Returns:
        int64 units for the key ``"G0512"``.
    """
    threshold = np.where(initial, FQHC_G0512_INITIAL_MINUTES, FQHC_G0512_SUBSEQUENT_MINUTES)
    return {"G0512": (np.asarray(minutes) >= threshold).astype(np.int64)}


def timed_cocm_units(
    minutes: ArrayLike, initial: ArrayLike, fqhc_g0512: bool
) -> dict[str, Int64Array]:
    """Timed CoCM units (:func:`fqhc_g0512_units` or :func:`intsim.money.billing.cocm_units`)."""
    return fqhc_g0512_units(minutes, initial) if fqhc_g0512 else cocm_units(minutes, initial)


def general_bhi_code(setting: str, billed_by: str) -> str:
    """The time-based general-BHI code a BHC care-management month bills (docs/billing.md 1.2, 1.3).

    Args:
        setting: ``billing.setting``; an FQHC bills 99484 whoever delivers the minutes.
        billed_by: ``billing.general_bhi_billed_by``: ``"bhc"`` (G0323 in the BH practitioner's
            name) or ``"pcp"`` (99484, incident-to the treating practitioner).
    """
    if setting == "fqhc" or billed_by == "pcp":
        return GENERAL_BHI_CODE["incident_to"]
    return GENERAL_BHI_CODE["bh_practitioner"]


#: APCM add-ons that stand in for a time-based code (docs/billing.md 1.5: G0570 = 99484 elements),
#: so the same-month exclusions of the code apply to its add-on.
_APCM_MIRRORS: dict[str, str] = {APCM_GENERAL_BHI: GENERAL_BHI_CODE["incident_to"]}


def dropped_in_cocm_month(code: str) -> bool:
    """Whether a code is not billed for a patient in a month that bills CoCM.

    From :data:`intsim.money.billing.SAME_MONTH_EXCLUSIONS` (CoCM wins over 99484 and G0323); an
    APCM add-on follows the code it mirrors (G0570 as 99484).
    """
    code = _APCM_MIRRORS.get(code, code)
    return any(code in rule.dropped for rule in SAME_MONTH_EXCLUSIONS)


# ---------------------------------------------------------------------------- built-in codes
# Registered in the order of their claim lines within each service.


class _ApcmCocm(BillingCode):
    """APCM CoCM add-on (docs/billing.md 1.5): Medicare and dual CoCM months from 2026."""

    family = "cocm"
    service = "cocm_apcm_month"
    incident_to = True
    initial: ClassVar[bool] = True

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """Only when APCM add-ons are billed that year."""
        return ctx.apcm

    @classmethod
    @override
    def payers(cls, ctx: CodingContext) -> BoolArray:
        """Medicare and dual patients."""
        return apcm_payers(ctx)

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """One unit in an initial (G0568) or a subsequent (G0569) month, whatever the minutes."""
        return (np.asarray(initial, bool) == cls.initial).astype(np.int64)


@register
class G0568(_ApcmCocm):
    """APCM CoCM add-on, initial month (mirrors 99492)."""

    name = "cocm_g0568"
    code = "G0568"
    initial = True


@register
class G0569(_ApcmCocm):
    """APCM CoCM add-on, subsequent month (mirrors 99493)."""

    name = "cocm_g0569"
    code = "G0569"
    initial = False


class _TimedCocm(BillingCode):
    """Standard CoCM code, units from the care-manager minutes (docs/billing.md 1.1)."""

    family = "cocm"
    service = "cocm_month"
    incident_to = True

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """Except in an FQHC before 2026 (G0512)."""
        return not ctx.fqhc_g0512

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """:func:`intsim.money.billing.cocm_units` for this code."""
        return cocm_units(minutes, initial)[cls.code]


@register
class Cocm99492(_TimedCocm):
    """CoCM initial month."""

    name = "cocm_99492"
    code = "99492"


@register
class Cocm99493(_TimedCocm):
    """CoCM subsequent month."""

    name = "cocm_99493"
    code = "99493"


@register
class Cocm99494(_TimedCocm):
    """CoCM each additional 30 minutes."""

    name = "cocm_99494"
    code = "99494"


@register
class CocmG2214(_TimedCocm):
    """CoCM first 30 minutes (below the 99492/99493 thresholds)."""

    name = "cocm_g2214"
    code = "G2214"


@register
class G0512(BillingCode):
    """FQHC CoCM before 2026 (docs/billing.md 1.3)."""

    name = "cocm_g0512"
    code = "G0512"
    family = "cocm"
    service = "cocm_month"
    incident_to = True

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """Only in an FQHC before 2026."""
        return ctx.fqhc_g0512

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """:func:`fqhc_g0512_units`."""
        return fqhc_g0512_units(minutes, initial)["G0512"]


class _FqhcEncounter(BillingCode):
    """An FQHC mental-health encounter: one unit per visit, paid an encounter rate."""

    family = "fqhc_mental_health"
    service = "mh_visit"

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """Only in an FQHC."""
        return ctx.fqhc

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """One encounter per visit."""
        return np.ones(np.shape(minutes), np.int64)


@register
class FqhcMedicareEncounter(_FqhcEncounter):
    """G0470: Medicare and dual mental-health visits paid the FQHC PPS rate."""

    name = "fqhc_g0470"
    code = FQHC_MH_MEDICARE

    @classmethod
    @override
    def payers(cls, ctx: CodingContext) -> BoolArray:
        """Medicare and dual patients."""
        payer = np.arange(len(PAYERS))
        return (payer == _MEDICARE) | (payer == _DUAL)

    @classmethod
    @override
    def fee(cls, ctx: CodingContext, prices: Prices) -> float:
        """The year's FQHC PPS base rate (USD per encounter)."""
        return fqhc_pps_rate(ctx.year)


@register
class FqhcMedicaidEncounter(_FqhcEncounter):
    """Medicaid mental-health visits paid the state's FQHC visit rate."""

    name = "fqhc_medicaid_visit"
    code = FQHC_MH_MEDICAID

    @classmethod
    @override
    def payers(cls, ctx: CodingContext) -> BoolArray:
        """Medicaid patients."""
        return np.arange(len(PAYERS)) == _MEDICAID

    @classmethod
    @override
    def fee(cls, ctx: CodingContext, prices: Prices) -> float:
        """``billing.fqhc_medicaid_visit_rate`` (USD per visit)."""
        return prices.fqhc_medicaid_visit_rate


class _Psychotherapy(BillingCode):
    """Psychotherapy band of a mental-health BHC visit (docs/billing.md 1.4)."""

    family = "bhc_psychotherapy"
    service = "mh_visit"

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """When the visit length falls in this code's band."""
        return str(psychotherapy_code(np.array([ctx.visit_minutes]))[0]) == cls.code

    @classmethod
    @override
    def payers(cls, ctx: CodingContext) -> BoolArray:
        """Every payer; in an FQHC, those without an encounter rate (commercial, self-pay)."""
        if not ctx.fqhc:
            return np.ones(len(PAYERS), np.bool_)
        return ~(FqhcMedicareEncounter.payers(ctx) | FqhcMedicaidEncounter.payers(ctx))

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """One unit for a visit in the band."""
        return (psychotherapy_code(minutes) == cls.code).astype(np.int64)


@register
class Psychotherapy90832(_Psychotherapy):
    """Psychotherapy, 16-37 minutes."""

    name = "psychotherapy_90832"
    code = "90832"


@register
class Psychotherapy90834(_Psychotherapy):
    """Psychotherapy, 38-52 minutes."""

    name = "psychotherapy_90834"
    code = "90834"


@register
class Psychotherapy90837(_Psychotherapy):
    """Psychotherapy, 53 minutes or more."""

    name = "psychotherapy_90837"
    code = "90837"


class _Hbai(BillingCode):
    """Health behavior assessment and intervention (docs/billing.md 1.4)."""

    family = "bhc_hbai"
    service = "hb_visit"

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """Not in an FQHC: HBAI is not a qualifying FQHC visit (assumption)."""
        return not ctx.fqhc

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """:func:`intsim.money.billing.hbai_units` for this code."""
        return hbai_units(minutes)[cls.code]


@register
class Hbai96158(_Hbai):
    """HBAI, initial 30 minutes."""

    name = "hbai_96158"
    code = "96158"


@register
class Hbai96159(_Hbai):
    """HBAI, each additional 15 minutes."""

    name = "hbai_96159"
    code = "96159"


class _TimedGeneralBhi(BillingCode):
    """Time-based general-BHI code (docs/billing.md 1.2): one unit from the time threshold."""

    family = "general_bhi"
    service = "general_bhi_month"

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """When :func:`general_bhi_code` names this code."""
        return general_bhi_code(ctx.setting, ctx.general_bhi_billed_by) == cls.code

    @classmethod
    @override
    def payers(cls, ctx: CodingContext) -> BoolArray:
        """Payers that do not bill G0570 instead."""
        return ~apcm_payers(ctx)

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """:func:`intsim.money.billing.general_bhi_units`."""
        return general_bhi_units(minutes)


@register
class GeneralBhi99484(_TimedGeneralBhi):
    """General BHI billed incident-to the PCP (and by an FQHC)."""

    name = "general_bhi_99484"
    code = GENERAL_BHI_CODE["incident_to"]
    incident_to = True
    dropped_in_cocm_month = dropped_in_cocm_month(code)


@register
class GeneralBhiG0323(_TimedGeneralBhi):
    """General BHI billed by the BHC in its own name."""

    name = "general_bhi_g0323"
    code = GENERAL_BHI_CODE["bh_practitioner"]
    dropped_in_cocm_month = dropped_in_cocm_month(code)


@register
class ApcmGeneralBhi(BillingCode):
    """G0570, the APCM general-BHI add-on (docs/billing.md 1.5): no time threshold."""

    name = "general_bhi_g0570"
    code = APCM_GENERAL_BHI
    family = "general_bhi"
    service = "general_bhi_month"
    incident_to = True
    dropped_in_cocm_month = dropped_in_cocm_month(APCM_GENERAL_BHI)

    @classmethod
    @override
    def billed(cls, ctx: CodingContext) -> bool:
        """Only when APCM add-ons are billed that year."""
        return ctx.apcm

    @classmethod
    @override
    def payers(cls, ctx: CodingContext) -> BoolArray:
        """Medicare and dual patients."""
        return apcm_payers(ctx)

    @classmethod
    @override
    def units(cls, minutes: Int64Array, initial: BoolArray, ctx: CodingContext) -> Int64Array:
        """One unit for any care-management month, whatever the minutes."""
        return np.ones(np.shape(minutes), np.int64)
