"""Claims from delivered services: money follows services (docs/architecture.md decision 5).

In FQHC mode (``billing.setting: fqhc``) Medicare and dual-eligible mental-health visits are PPS
encounters (G0470) and Medicaid ones are paid the state's visit rate; CoCM is billed as G0512
before 2026 and with the standard codes from 2026.

Each month, after providers have spent their time, :class:`ClaimsBook` turns the services the
population arrays record — care-manager minutes, BHC visits and what they addressed, BHC
general-BHI care-management minutes — into claim lines under the coding rules of
:mod:`intsim.money.billing`, priced from the fee schedule of the calendar year and adjusted for
billing capture, per payer (relativity, coverage, same-day restriction, cost-sharing, collection,
denials) and per contract (capitation or a case rate replaces fee-for-service).
Psychiatric-consultant time is bundled in the CoCM codes and never billed on its own.

General BHI (docs/billing.md 1.2): a patient-month with at least 20 BHC care-management minutes
bills G0323 when the BHC bills in its own name (at the BHC credential's share) or 99484 when the PCP
bills it incident-to (at the PCP's share), ``billing.general_bhi_billed_by``; never in a month
that bills CoCM for the same patient (``billing.SAME_MONTH_EXCLUSIONS``: CoCM wins). An FQHC
bills 99484 (the CY2025 rule replaced G0511 by the individual care-management codes, paid at the
non-facility fee schedule; the 2025 G0511 transition is not modelled). With APCM add-ons (from
2026) Medicare and dual months bill G0570 instead, which has no time threshold.

The coding rules and fees of a calendar year are tabulated once (:class:`YearPlan`); the monthly
work over slots and claim lines runs in the compiled kernels of :mod:`intsim.money.claims_kernels`.

Amounts are expected values (no random draws): a denial rate of 15% removes 15% of the allowed
amount, so ledgers are exact and identical on both engines. Billing capture — the share of
billable lines whose documentation, consent and submission are in order
(``billing.cm_capture_rate`` for care-management families, ``billing.visit_capture_rate`` for
BHC visits) — is an expected value too: 85% capture keeps 85% of the allowed amount, and the
rest is the line's ``uncaptured`` amount.

Claim line amounts, for a line with status ``paid``::

    allowed      = fee x units x payer relativity x practitioner share
    captured     = allowed x capture rate of the line's family
    uncaptured   = allowed - captured                           # never submitted
    denied       = captured x denial rate
    paid         = (captured - denied) x (1 - coinsurance)      # by the payer, months later
    patient_share= (captured - denied) x coinsurance
    collected    = patient_share x collection rate              # at the visit

Lines with another status (``not_covered``, ``same_day``, ``capitated``, ``case_rate``,
``no_ffs``) keep their ``allowed`` shadow price but pay nothing (and lose nothing to capture).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim.money import claims_kernels as kernels
from intsim.money.billing import APCM_BHI_FIRST_YEAR, load_fee_schedule, practitioner_share
from intsim.money.coding import SERVICES, BillingCode, CodingContext, Prices, billing_codes
from intsim.money.services import BhcVisitKind, DeliveredServices, ServiceArrays
from intsim.params import PAYERS, Param
from intsim.params.components import MODULE, Component, declared_section, register

#: Claim statuses, in the order of their integer codes.
STATUSES: tuple[str, ...] = ("paid", "not_covered", "same_day", "capitated", "case_rate", "no_ffs")
PAID, NOT_COVERED, SAME_DAY, CAPITATED, CASE_RATE, NO_FFS = range(len(STATUSES))

#: Revenue families of the ledger (codes in :data:`intsim.money.claims_kernels.FAMILY_CODES`).
FAMILIES: tuple[str, ...] = (
    "cocm",
    "bhc_psychotherapy",
    "bhc_hbai",
    "fqhc_mental_health",
    "general_bhi",
)
#: Families billed for monthly care management (``billing.cm_capture_rate``); the others are
#: visits (``billing.visit_capture_rate``).
CARE_MANAGEMENT_FAMILIES: frozenset[str] = frozenset({"cocm", "general_bhi"})

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
    "uncaptured",
    "denied",
    "status",
)


#: (place in the month totals, name) pairs of one dictionary of :class:`MonthBilling`.
Places = tuple[tuple[int, str], ...]


def month_total_places(
    n_money: int, lags: list[int]
) -> tuple[Places, Places, Places, Places, tuple[tuple[int, int], ...]]:
    """Where ``ClaimsBook._month_billing`` finds each named total in its list of totals.

    The totals are :func:`intsim.money.claims_kernels.bill_population`'s: revenue by family,
    revenue by payer, paid by payer, two more money sums (``n_money`` money sums in all), billed
    care-manager and BHI minutes, then CoCM episodes started by payer.

    Args:
        n_money: Number of money sums.
        lags: Payment lag of each payer (months, :data:`PAYERS` order).

    Returns:
        (place, name) pairs of revenue by family, revenue by payer, paid by payer and episodes
        started by payer, then the (lag, place) pairs of paid by payer.
    """
    n_fam, n_pay = len(FAMILIES), len(PAYERS)

    def named(first: int, names: tuple[str, ...]) -> Places:
        return tuple((first + k, name) for k, name in enumerate(names))

    paid = named(n_fam + n_pay, PAYERS)
    cash = tuple((lag, k) for lag, (k, _) in zip(lags, paid, strict=True))
    return named(0, FAMILIES), named(n_fam, PAYERS), paid, named(n_money + 2, PAYERS), cash


@dataclass
class MonthBilling:
    """Billing of one month, summed for the ledger (USD).

    ``billed_cm_minutes`` and ``billed_bhi_minutes`` are the care-manager and BHC general-BHI
    minutes of patient-months with a paid claim line, times the care-management capture rate:
    the expected minutes that were billable and actually billed.
    """

    revenue_by_family: dict[str, float] = field(default_factory=dict)
    revenue_by_payer: dict[str, float] = field(default_factory=dict)
    payer_paid_by_payer: dict[str, float] = field(default_factory=dict)
    cash_by_lag: dict[int, float] = field(default_factory=dict)
    collections: float = 0.0
    billed_cm_minutes: float = 0.0
    billed_bhi_minutes: float = 0.0
    episodes_started_by_payer: dict[str, int] = field(default_factory=dict)


_CODE_NAMES: list[str] = []
_CODE_IDS: dict[str, int] = {}


def code_id(code: str) -> int:
    """A small integer standing for a billing code in the claim arrays."""
    k = _CODE_IDS.get(code)
    if k is None:
        k = _CODE_IDS[code] = len(_CODE_NAMES)
        _CODE_NAMES.append(code)
    return k


def payment_lag_months(days_to_payment: float, days_per_month: float) -> int:
    """Whole months between service and payment: ``ceil(days / days per month)``.

    Args:
        days_to_payment: Days from service to payment (``payers.<payer>.days_to_payment``).
        days_per_month: Days counted as a month (``billing.payment_lag_days_per_month``, 30).
    """
    return int(np.ceil(max(days_to_payment, 0.0) / days_per_month))


# ---------------------------------------------------------------------- coding rules as tables

_MENTAL_HEALTH = int(BhcVisitKind.MENTAL_HEALTH)
_HEALTH_BEHAVIOR = int(BhcVisitKind.HEALTH_BEHAVIOR)


def table_minutes(max_minutes: int) -> int:
    """Rows of a minutes lookup table covering ``max_minutes`` (a power of two, >= 256)."""
    return max(256, 1 << int(max_minutes).bit_length())


def _units_table(
    codes: tuple[type[BillingCode], ...],
    ctx: CodingContext,
    minutes: NDArray[np.int64],
    initial: bool,
) -> NDArray[np.int64]:
    """Units of each code (columns) for each of ``minutes`` (rows)."""
    flags = np.full(len(minutes), initial, np.bool_)
    columns = [np.asarray(c.units(minutes, flags, ctx), np.int64) for c in codes]
    if not columns:
        return np.zeros((len(minutes), 0), np.int64)
    return np.stack(columns, axis=-1)


@cache
def _timed_table(
    codes: tuple[type[BillingCode], ...], ctx: CodingContext, n_minutes: int
) -> NDArray[np.int64]:
    """Units of each timed CoCM code by ``[initial, minutes, code]`` (cached: read-only)."""
    minutes = np.arange(n_minutes, dtype=np.int64)
    return np.stack([_units_table(codes, ctx, minutes, i) for i in (False, True)])


@cache
def _bhi_table(
    codes: tuple[type[BillingCode], ...], ctx: CodingContext, n_minutes: int
) -> NDArray[np.int64]:
    """Units of each general-BHI code by ``[minutes, code]`` (cached: read-only)."""
    return _units_table(codes, ctx, np.arange(n_minutes, dtype=np.int64), False)


def _by_payer_units(
    codes: tuple[type[BillingCode], ...], ctx: CodingContext, minutes: int
) -> NDArray[np.int64]:
    """Units of a visit of ``minutes`` by ``[payer, group]`` (a code bills its payers only)."""
    out = np.zeros((len(PAYERS), len(codes)), np.int64)
    for g, c in enumerate(codes):
        units = np.asarray(c.units(np.array([minutes]), np.zeros(1, np.bool_), ctx), np.int64)
        out[:, g] = np.where(c.payers(ctx), units[0], 0)
    return out


@dataclass(frozen=True)
class YearPlan:
    """How one calendar year's services become claim lines (:mod:`intsim.money.claims_kernels`).

    Built from the registered billing codes (:mod:`intsim.money.coding`) billed that year. Lines
    come in groups, one per code, in the order of :data:`intsim.money.coding.SERVICES` and,
    within a service, of registration: the CoCM groups (APCM add-ons, then timed codes), the
    groups billing mental-health BHC visits, the health-behavior ones, then the general-BHI ones.

    Attributes:
        ctx: The year and setting the plan was built for.
        codes: Billing code of each group.
        group_code: Code id (:func:`code_id`) of each group.
        group_family: Revenue family code (:data:`FAMILIES`) of each group.
        group_fee: USD per unit of each group: Medicare amount x practitioner share, or the
            FQHC encounter rate.
        apcm_payer: By payer code, whether CoCM months bill the APCM add-ons (any APCM group's
            payers) instead of the timed codes.
        apcm_units: APCM add-on units by ``[initial, APCM group]``.
        timed_codes: The timed CoCM code classes (see :meth:`timed_units`).
        mh_units: Units of a mental-health BHC visit by ``[payer, mental-health group]``.
        hb_units: Units of a health-behavior BHC visit by ``[payer, health-behavior group]``.
        bhi_codes: The general-BHI code classes (see :meth:`bhi_units`).
        bhi_payer: By ``[payer, general-BHI group]``, whether the group bills the payer's
            patients.
        bhi_dropped_with_cocm: By general-BHI group, whether a CoCM month of the same patient
            excludes it.
    """

    ctx: CodingContext
    codes: tuple[str, ...]
    group_code: NDArray[np.int64]
    group_family: NDArray[np.int64]
    group_fee: NDArray[np.float64]
    apcm_payer: NDArray[np.bool_]
    apcm_units: NDArray[np.int64]
    timed_codes: tuple[type[BillingCode], ...]
    mh_units: NDArray[np.int64]
    hb_units: NDArray[np.int64]
    bhi_codes: tuple[type[BillingCode], ...]
    bhi_payer: NDArray[np.bool_]
    bhi_dropped_with_cocm: NDArray[np.bool_]
    _kernel_tables: dict[int, kernels.ArrayTuple] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def fqhc_g0512(self) -> bool:
        """Whether timed CoCM months bill G0512 (an FQHC before 2026)."""
        return self.ctx.fqhc_g0512

    def timed_units(self, max_minutes: int) -> NDArray[np.int64]:
        """Timed CoCM units by ``[initial, minutes, timed group]`` up to ``max_minutes``.

        Built once per table size from the codes' unit rules (cached: treat as read-only).
        """
        return _timed_table(self.timed_codes, self.ctx, table_minutes(max_minutes))

    def bhi_units(self, max_minutes: int) -> NDArray[np.int64]:
        """General-BHI units by ``[minutes, general-BHI group]`` up to ``max_minutes``.

        Built once per table size from the codes' unit rules (cached: treat as read-only).
        """
        return _bhi_table(self.bhi_codes, self.ctx, table_minutes(max_minutes))

    def tables(self, max_minutes: int) -> kernels.ArrayTuple:
        """The plan as the claim kernels read it, with minute tables up to ``max_minutes``.

        Returns:
            The fields of :class:`intsim.money.claims_kernels.PlanTables` as a plain tuple
            (kept per table size: treat as read-only).
        """
        n = table_minutes(max_minutes)
        tables = self._kernel_tables.get(n)
        if tables is None:
            tables = self._kernel_tables[n] = tuple(
                kernels.PlanTables(
                    apcm_payer=self.apcm_payer,
                    apcm_units=self.apcm_units,
                    timed_units=self.timed_units(max_minutes),
                    mh_units=self.mh_units,
                    hb_units=self.hb_units,
                    bhi_units=self.bhi_units(max_minutes),
                    bhi_payer=self.bhi_payer,
                    bhi_dropped_with_cocm=self.bhi_dropped_with_cocm,
                    group_code=self.group_code,
                    group_family=self.group_family,
                    group_fee=self.group_fee,
                )
            )
        return tables


def year_plan(
    year: int,
    setting: str,
    apcm_bhi_addons: bool,
    pcp_share: float,
    bhc_share: float,
    visit_minutes: int,
    fqhc_medicaid_visit_rate: float,
    general_bhi_billed_by: str = "bhc",
    codes: tuple[type[BillingCode], ...] | None = None,
) -> YearPlan:
    """How the services of one calendar year become claim lines (cached: treat as read-only).

    Args:
        year: Calendar year of service (fee schedule, APCM add-ons, FQHC CoCM codes).
        setting: ``billing.setting``: ``"office"``, ``"facility"`` or ``"fqhc"``.
        apcm_bhi_addons: ``billing.apcm_bhi_addons``.
        pcp_share: Practitioner share of the billing PCP's credential (incident-to codes).
        bhc_share: Practitioner share of the BHC's credential (the BHC's own codes).
        visit_minutes: Length of a BHC visit (minutes).
        fqhc_medicaid_visit_rate: FQHC Medicaid payment per mental-health visit (USD).
        general_bhi_billed_by: ``billing.general_bhi_billed_by`` (see
            :func:`intsim.money.coding.general_bhi_code`).
        codes: The billing code classes to plan with; ``None``: the registered ones
            (:func:`intsim.money.coding.billing_codes`).

    Returns:
        The plan.

    Raises:
        MissingRateError: If a code billed that year has no amount.
    """
    ctx = CodingContext(
        year=year,
        setting=setting,
        apcm=bool(apcm_bhi_addons) and year >= APCM_BHI_FIRST_YEAR,
        visit_minutes=int(visit_minutes),
        general_bhi_billed_by=general_bhi_billed_by,
    )
    return _year_plan(
        ctx,
        float(pcp_share),
        float(bhc_share),
        float(fqhc_medicaid_visit_rate),
        billing_codes() if codes is None else codes,
    )


@dataclass(frozen=True)
class _Units:
    """The price-free part of a plan: which codes are billed and their units (see YearPlan)."""

    groups: tuple[type[BillingCode], ...]
    apcm_payer: NDArray[np.bool_]
    apcm_units: NDArray[np.int64]
    timed_codes: tuple[type[BillingCode], ...]
    mh_units: NDArray[np.int64]
    hb_units: NDArray[np.int64]
    bhi_codes: tuple[type[BillingCode], ...]
    bhi_payer: NDArray[np.bool_]
    bhi_dropped_with_cocm: NDArray[np.bool_]


@cache
def _plan_units(ctx: CodingContext, codes: tuple[type[BillingCode], ...]) -> _Units:
    """The codes billed in a year and setting, and their unit tables (cached: read-only)."""
    billed = {
        service: tuple(c for c in codes if c.service == service and c.billed(ctx))
        for service in SERVICES
    }
    apcm = billed["cocm_apcm_month"]
    apcm_payer = np.zeros(len(PAYERS), np.bool_)
    for c in apcm:
        apcm_payer |= c.payers(ctx)
    initial = np.array([False, True])
    apcm_units = np.zeros((2, len(apcm)), np.int64)
    for g, c in enumerate(apcm):
        apcm_units[:, g] = c.units(np.zeros(2, np.int64), initial, ctx)
    bhi = billed["general_bhi_month"]
    bhi_payer = np.ones((len(PAYERS), len(bhi)), np.bool_)
    for g, c in enumerate(bhi):
        bhi_payer[:, g] = c.payers(ctx)
    return _Units(
        groups=tuple(c for service in SERVICES for c in billed[service]),
        apcm_payer=apcm_payer,
        apcm_units=apcm_units,
        timed_codes=billed["cocm_month"],
        mh_units=_by_payer_units(billed["mh_visit"], ctx, ctx.visit_minutes),
        hb_units=_by_payer_units(billed["hb_visit"], ctx, ctx.visit_minutes),
        bhi_codes=bhi,
        bhi_payer=bhi_payer,
        bhi_dropped_with_cocm=np.array([c.dropped_in_cocm_month for c in bhi], np.bool_),
    )


@cache
def _year_plan(
    ctx: CodingContext,
    pcp_share: float,
    bhc_share: float,
    fqhc_medicaid_visit_rate: float,
    codes: tuple[type[BillingCode], ...],
) -> YearPlan:
    """:func:`year_plan` for a context, prices and a tuple of code classes."""
    units = _plan_units(ctx, codes)
    prices = Prices(load_fee_schedule(ctx.year), pcp_share, bhc_share, fqhc_medicaid_visit_rate)
    groups = units.groups
    return YearPlan(
        ctx=ctx,
        codes=tuple(c.code for c in groups),
        group_code=np.array([code_id(c.code) for c in groups], np.int64),
        group_family=np.array([kernels.FAMILY_CODES[c.family] for c in groups], np.int64),
        group_fee=np.array([c.fee(ctx, prices) for c in groups], np.float64),
        apcm_payer=units.apcm_payer,
        apcm_units=units.apcm_units,
        timed_codes=units.timed_codes,
        mh_units=units.mh_units,
        hb_units=units.hb_units,
        bhi_codes=units.bhi_codes,
        bhi_payer=units.bhi_payer,
        bhi_dropped_with_cocm=units.bhi_dropped_with_cocm,
    )


#: Payer attribute behind each row of :data:`intsim.money.claims_kernels.RATE_ROWS`.
_RATE_ATTRIBUTES: dict[str, str] = {
    "relativity_cocm": "relativity_cocm",
    "relativity_bh": "relativity_bh",
    "denial": "denial_rate",
    "coinsurance": "coinsurance",
    "collection": "collection_rate",
}


def payer_rates(payers: dict[str, Any]) -> NDArray[np.float64]:
    """Per-payer amounts by ``[row of RATE_ROWS, payer code]`` (:mod:`intsim.money.claims_kernels`).

    Args:
        payers: Payer parameters by payer name.

    Returns:
        float64 relativities and rates (fractions).
    """
    return np.array(
        [
            [float(getattr(payers[p], _RATE_ATTRIBUTES[row])) for p in PAYERS]
            for row in kernels.RATE_ROWS
        ]
    )


def payer_rules(payers: dict[str, Any], contracts: dict[str, Any]) -> NDArray[np.bool_]:
    """Per-payer coverage and contract flags by ``[row of RULE_ROWS, payer code]``.

    Args:
        payers: Payer parameters by payer name.
        contracts: Contract parameters by payer name.

    Returns:
        Booleans: covers CoCM, covers HBAI, same-day restriction, CoCM case rate, capitation
        (PMPM), fee-for-service and covers general BHI.
    """
    rules = {
        "covers_cocm": [bool(payers[p].covers_cocm) for p in PAYERS],
        "covers_hbai": [bool(payers[p].covers_hbai) for p in PAYERS],
        "same_day": [bool(payers[p].same_day_restriction) for p in PAYERS],
        "case_rate": [bool(contracts[p].case_rate) for p in PAYERS],
        "pmpm": [contracts[p].pmpm_usd > 0 for p in PAYERS],
        "ffs": [bool(contracts[p].fee_for_service) for p in PAYERS],
        "covers_general_bhi": [bool(payers[p].covers_general_bhi) for p in PAYERS],
    }
    return np.array([rules[row] for row in kernels.RULE_ROWS], dtype=np.bool_)


def family_capture(billing: Any) -> NDArray[np.float64]:
    """Billing capture rate of each revenue family (:data:`FAMILIES` order; fractions).

    Args:
        billing: The scenario's ``billing`` values.
    """
    return np.array(
        [
            float(billing.cm_capture_rate)
            if family in CARE_MANAGEMENT_FAMILIES
            else float(billing.visit_capture_rate)
            for family in FAMILIES
        ]
    )


@dataclass(frozen=True)
class MonthServices:
    """The services of one month that claims are generated from, in compact form.

    Slot lists index the compact per-patient arrays (``slots`` gives the real slot of each);
    everything a claim depends on besides the scenario's money parameters is here, so the month
    can be billed again under other payment rates (:meth:`ClaimsBook.rebill`).

    Attributes:
        month: Simulation month.
        bhc_share: Practitioner share of BHC claims that month (staff mix).
        max_minutes: Most CoCM or general-BHI minutes any patient received.
        cm, mh, hb, new_episodes, bhi: CoCM patients with minutes, mental-health and
            health-behaviour BHC visits, CoCM episodes started, general-BHI care-management
            months (indices into the arrays below).
        slots: Real slot of each compact index (ascending).
        payer, cm_minutes, cm_initial, bhc_same_day, bhi_minutes: Per-patient values at those
            slots.
    """

    month: int
    bhc_share: float
    max_minutes: int
    cm: NDArray[np.int64]
    mh: NDArray[np.int64]
    hb: NDArray[np.int64]
    new_episodes: NDArray[np.int64]
    bhi: NDArray[np.int64]
    slots: NDArray[np.int64]
    payer: NDArray[np.int8]
    cm_minutes: NDArray[np.int16]
    cm_initial: NDArray[np.bool_]
    bhc_same_day: NDArray[np.bool_]
    bhi_minutes: NDArray[np.int16]


def compact_services(
    month: int,
    bhc_share: float,
    max_minutes: int,
    lists: tuple[NDArray[np.int64], ...],
    pop: ServiceArrays,
) -> MonthServices:
    """Keep a month's services: its slot lists re-indexed onto the patients they name."""
    slots = np.unique(np.concatenate(lists)) if any(len(x) for x in lists) else np.zeros(0, int)
    slots = slots.astype(np.int64)
    cm, mh, hb, new, bhi = (np.searchsorted(slots, x).astype(np.int64) for x in lists)
    return MonthServices(
        month=month,
        bhc_share=bhc_share,
        max_minutes=max_minutes,
        cm=cm,
        mh=mh,
        hb=hb,
        new_episodes=new,
        bhi=bhi,
        slots=slots,
        payer=pop.payer[slots],
        cm_minutes=pop.cm_minutes[slots],
        cm_initial=pop.cm_initial[slots],
        bhc_same_day=pop.bhc_same_day[slots],
        bhi_minutes=pop.bhi_minutes[slots],
    )


@register
class ClaimsBook(Component):
    """Generates and keeps the claim lines of a run.

    A registered component (kind ``module``): it owns the ``billing.*`` parameters and the
    payers' billing terms (``payers.<payer>.*`` but ``tcoc_pmpm``), and its output columns are the
    ledger's claim revenue lines, one per family (:data:`FAMILIES`), filled from the months'
    :class:`MonthBilling`. It reads the delivered services only (:class:`DeliveredServices`);
    the practitioner share of BHC claims (:attr:`bhc_share`) is set by its owner as the staff mix
    changes.

    Args:
        values: Scenario values.
        keep_lines: Keep every claim line (for :meth:`table`).
        keep_services: Keep each month's services (:class:`MonthServices`) so the run can be
            billed again under other payment rates (:meth:`rebill`).
    """

    name = "claims"
    kind = MODULE

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The ``billing.*`` section and the payers' billing terms (all but ``tcoc_pmpm``)."""
        payers = tuple(p for p in declared_section("payers.*") if p.name != "tcoc_pmpm")
        return declared_section("billing") + payers

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """The ledger's claim revenue lines ``revenue_<family>``, in :data:`FAMILIES` order."""
        return tuple(f"revenue_{f}" for f in FAMILIES)

    def __init__(
        self, values: Any, *, keep_lines: bool = True, keep_services: bool = False
    ) -> None:
        self.values = values
        self.keep_lines = keep_lines
        self.keep_services = keep_services
        self.services: list[MonthServices] = []
        self.payer = {name: getattr(values.payers, name) for name in PAYERS}
        self.contract = {name: getattr(values.contracts, name) for name in PAYERS}
        b = values.billing
        self.setting = b.setting
        self.pcp_share = practitioner_share(b.pcp_credential)
        self.bhc_share = practitioner_share(b.bhc_credential)
        self.lag = [
            payment_lag_months(self.payer[p].days_to_payment, b.payment_lag_days_per_month)
            for p in PAYERS
        ]
        self._rates = payer_rates(self.payer)
        self._rules = payer_rules(self.payer, self.contract)
        self._capture = family_capture(b)
        self._pricing = tuple(kernels.PayerTables(self._rates, self._rules, self._capture))
        self._plans: dict[tuple[int, float], YearPlan] = {}
        self._rows: list[tuple[NDArray[np.int64], NDArray[np.float64]]] = []
        # per-run constants of the monthly billing
        self._start_year = int(values.simulation.start_year)
        self._cm_capture = float(b.cm_capture_rate)
        self._n_money = len(FAMILIES) + 2 * len(PAYERS) + 2  # kernels.month_totals
        self._places = month_total_places(self._n_money, self.lag)
        self._table_minutes = 0  # minutes the plan tables passed to the kernel cover (grows)

    def year(self, month: int) -> int:
        """Calendar year of a simulation month."""
        return self._start_year + (month - 1) // 12

    # ------------------------------------------------------------------ plan

    def plan(self, year: int) -> YearPlan:
        """The coding plan of a calendar year at today's BHC share (:func:`year_plan`; cached).

        Raises:
            MissingRateError: If a code billed that year has no fee-schedule amount.
        """
        # the BHC share changes with the staff mix (LPC/MFT hires, trainees): part of the key
        key = (year, self.bhc_share)
        plan = self._plans.get(key)
        if plan is None:
            b = self.values.billing
            plan = self._plans[key] = year_plan(
                year,
                self.setting,
                bool(b.apcm_bhi_addons),
                self.pcp_share,
                self.bhc_share,
                self.values.pcbh.visit_minutes,
                float(b.fqhc_medicaid_visit_rate),
                str(b.general_bhi_billed_by),
            )
        return plan

    # ------------------------------------------------------------------ month

    def bill_month(
        self, model: DeliveredServices, month: int, new_episodes: NDArray[np.int64]
    ) -> MonthBilling:
        """Generate this month's claims and return the month's billing totals.

        Args:
            model: The clinic model (or any :class:`DeliveredServices`), after the month's
                services were delivered.
            month: Current month.
            new_episodes: Slots whose CoCM episode started this month (case rates).
        """
        if self.keep_services:
            return self._bill_recorded(model, month, new_episodes)
        pop = model.pop
        population = (  # kernels.ServicePopulation fields
            pop.payer,
            pop.cm_minutes,
            pop.cm_initial,
            pop.bhi_minutes,
            pop.bhc_same_day,
            pop.bhc_visit,
            pop.bhc_kind,
        )
        new_episodes = np.asarray(new_episodes, dtype=np.int64)
        plan = self.plan(self.year(month))
        while True:  # again with larger minute tables if the month needs them (rare)
            ints, floats, totals = kernels.bill_population(
                month,
                population,
                pop.n_used,
                new_episodes,
                plan.tables(self._table_minutes),
                self._pricing,
                len(FAMILIES),
                _MENTAL_HEALTH,
                _HEALTH_BEHAVIOR,
            )
            max_minutes = int(totals[-1])
            if max_minutes < table_minutes(self._table_minutes):
                break
            self._table_minutes = max_minutes
        if self.keep_lines:
            self._rows.append((ints, floats))
        return self._month_billing(totals.tolist())

    def _bill_recorded(
        self, model: DeliveredServices, month: int, new_episodes: NDArray[np.int64]
    ) -> MonthBilling:
        """:meth:`bill_month` keeping the month's services (:class:`MonthServices`) as well."""
        pop = model.pop
        cm, mh, hb, bhi, max_minutes = kernels.service_slots(
            pop.cm_minutes,
            pop.bhi_minutes,
            pop.bhc_visit,
            pop.bhc_kind,
            pop.n_used,
            _MENTAL_HEALTH,
            _HEALTH_BEHAVIOR,
        )
        new_episodes = np.asarray(new_episodes, dtype=np.int64)
        lists = (cm, mh, hb, new_episodes, bhi)
        self.services.append(compact_services(month, self.bhc_share, int(max_minutes), lists, pop))
        return self._bill(
            month,
            lists,
            (pop.payer, pop.cm_minutes, pop.cm_initial, pop.bhc_same_day, pop.bhi_minutes),
            int(max_minutes),
            None,
        )

    def rebill(self, services: list[MonthServices]) -> list[MonthBilling]:
        """Bill recorded months again under this book's scenario (its payment rates).

        Gives exactly what :meth:`bill_month` gives for the same services and scenario: the
        claim lines are the same, in the same order, priced by the same kernels.
        """
        out = []
        for rec in services:
            self.bhc_share = rec.bhc_share
            out.append(
                self._bill(
                    rec.month,
                    (rec.cm, rec.mh, rec.hb, rec.new_episodes, rec.bhi),
                    (rec.payer, rec.cm_minutes, rec.cm_initial, rec.bhc_same_day, rec.bhi_minutes),
                    rec.max_minutes,
                    rec.slots,
                )
            )
        return out

    def _bill(
        self,
        month: int,
        lists: tuple[NDArray[np.int64], ...],
        patients: tuple[NDArray[Any], ...],
        max_minutes: int,
        slot_of: NDArray[np.int64] | None,
    ) -> MonthBilling:
        """Price one month's services (``lists`` index the ``patients`` arrays)."""
        plan = self.plan(self.year(month))
        cm, mh, hb, new_episodes, bhi = lists
        payer, cm_minutes, cm_initial, same_day, bhi_minutes = patients
        ints, floats, money, counts = kernels.bill_lines(
            month,
            (cm, mh, hb, bhi, new_episodes),  # kernels.MonthSlots fields
            (payer, cm_minutes, cm_initial, bhi_minutes, same_day),  # kernels.ServedPatients
            plan.tables(max_minutes),
            self._pricing,
            len(FAMILIES),
        )
        if slot_of is not None:  # compact indices back to slots
            ints[kernels.INT_ROWS.index("slot")] = slot_of[ints[kernels.INT_ROWS.index("slot")]]
        if self.keep_lines:
            self._rows.append((ints, floats))
        return self._month_billing(money.tolist() + counts.tolist())

    def _month_billing(self, totals: list[float]) -> MonthBilling:
        """Month totals from the sums of :func:`intsim.money.claims_kernels.bill_lines` (USD).

        The dictionaries are built from the (place in ``totals``, name) pairs of
        :attr:`_places` (a comprehension over them costs about a third of ``dict(zip(...))``
        of slices, 61 times a run).

        Args:
            totals: Its ``money`` then its ``counts`` (ints or exact floats), in one list.
        """
        families, revenue, paid, episodes, cash = self._places
        n_money = self._n_money
        cash_by_lag: dict[int, float] = {}
        for lag, k in cash:  # payers in order, added by lag
            cash_by_lag[lag] = cash_by_lag.get(lag, 0.0) + totals[k]
        cash_by_lag[0] = cash_by_lag.get(0, 0.0) + totals[n_money - 2]
        return MonthBilling(
            revenue_by_family={name: totals[k] for k, name in families},
            revenue_by_payer={name: totals[k] for k, name in revenue},
            payer_paid_by_payer={name: totals[k] for k, name in paid},
            cash_by_lag=cash_by_lag,
            collections=totals[n_money - 1],
            billed_cm_minutes=totals[n_money] * self._cm_capture,
            billed_bhi_minutes=totals[n_money + 1] * self._cm_capture,
            episodes_started_by_payer={name: int(totals[k]) for k, name in episodes},
        )

    def table(self, last_month_only: bool = False) -> pd.DataFrame:
        """Claim lines of the run (columns :data:`CLAIM_COLUMNS`).

        Args:
            last_month_only: Only the lines of the most recent month billed.
        """
        rows = self._rows[-1:] if last_month_only else self._rows
        if not rows:
            return pd.DataFrame(columns=list(CLAIM_COLUMNS))
        ints = np.concatenate([r[0] for r in rows], axis=1)
        floats = np.concatenate([r[1] for r in rows], axis=1)
        return claim_lines_frame(ints, floats)


#: pandas' constructor of a table from its blocks (pandas >= 3), else None (the dict constructor)
FROM_BLOCKS = getattr(getattr(pd.api, "internals", None), "create_dataframe_from_blocks", None)
#: The claim table's categorical columns and their dtypes (codes: the integer line row of the name).
_CATEGORICAL_COLUMNS: dict[str, pd.CategoricalDtype] = {
    "family": pd.CategoricalDtype(list(FAMILIES)),
    "payer": pd.CategoricalDtype(list(PAYERS)),
    "status": pd.CategoricalDtype(list(STATUSES)),
}
#: The integer line rows that are integer columns of the claim table, and where they go.
_INT_COLUMNS = [k for k, name in enumerate(kernels.INT_ROWS) if name in ("month", "slot", "units")]
_INT_PLACES = np.array([CLAIM_COLUMNS.index(kernels.INT_ROWS[k]) for k in _INT_COLUMNS], np.intp)
_FLOAT_PLACES = np.array([CLAIM_COLUMNS.index(name) for name in kernels.FLOAT_ROWS], np.intp)
_CLAIM_INDEX = pd.Index(list(CLAIM_COLUMNS))
_CODE_NAME_ARRAYS: dict[int, Any] = {}  # number of codes -> their names in pandas' string dtype


def _code_names() -> Any:
    """The billing codes' names, in id order, as an array of pandas' default string dtype."""
    names = _CODE_NAME_ARRAYS.get(len(_CODE_NAMES))
    if names is None:  # codes are added as they are first billed
        names = pd.Series(np.array(_CODE_NAMES, dtype=str)).array
        _CODE_NAME_ARRAYS[len(_CODE_NAMES)] = names
    return names


def claim_lines_frame(ints: NDArray[np.int64], floats: NDArray[np.float64]) -> pd.DataFrame:
    """The claim table (:data:`CLAIM_COLUMNS`) of line blocks (:func:`kernels.bill_lines`).

    The code names as a column of pandas' default string dtype (one take), the family, payer
    and status as categoricals of their codes, the other integer and the float rows as two
    2-D blocks: the table ``pd.DataFrame`` gives from a dict of the columns, built in about a
    third of the time.

    Args:
        ints: Integer line rows (:data:`kernels.INT_ROWS`), one column per claim line.
        floats: Float line rows (:data:`kernels.FLOAT_ROWS`, USD), one column per claim line.
    """
    row = kernels.INT_ROWS.index
    extension = {
        "code": _code_names().take(ints[row("code")]),
        **{
            name: pd.Categorical.from_codes(ints[row(name)], dtype=dtype, validate=False)
            for name, dtype in _CATEGORICAL_COLUMNS.items()
        },
    }
    if FROM_BLOCKS is None:
        cols = {
            **dict(zip(kernels.INT_ROWS, ints, strict=True)),
            **dict(zip(kernels.FLOAT_ROWS, floats, strict=True)),
            **extension,
        }
        return pd.DataFrame({name: cols[name] for name in CLAIM_COLUMNS})
    blocks = [
        (ints[_INT_COLUMNS], _INT_PLACES),
        (np.ascontiguousarray(floats), _FLOAT_PLACES),
        *(
            (array, np.array([CLAIM_COLUMNS.index(name)], np.intp))
            for name, array in extension.items()
        ),
    ]
    return FROM_BLOCKS(blocks, pd.RangeIndex(ints.shape[1]), _CLAIM_INDEX)
