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
from numpy.typing import ArrayLike, NDArray

from intsim.money import claims_kernels as kernels
from intsim.money.billing import (
    APCM_BHI_FIRST_YEAR,
    APCM_GENERAL_BHI,
    GENERAL_BHI_CODE,
    INCIDENT_TO_CODES,
    SAME_MONTH_EXCLUSIONS,
    apcm_bhi_code,
    cocm_units,
    fqhc_pps_rate,
    general_bhi_units,
    hbai_units,
    load_fee_schedule,
    practitioner_share,
    psychotherapy_code,
)
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

#: First year in which FQHCs bill CoCM with the standard codes instead of G0512
#: (docs/billing.md 1.3).
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
    "uncaptured",
    "denied",
    "status",
)


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

#: Before 2026 an FQHC bills G0512 from this many CoCM minutes in an initial month
#: (docs/billing.md 1.3).
FQHC_G0512_INITIAL_MINUTES = 70
#: ... and from this many in a subsequent month; no add-on, no G2214.
FQHC_G0512_SUBSEQUENT_MINUTES = 60

_MEDICARE, _MEDICAID, _DUAL = (
    PAYERS.index("medicare"),
    PAYERS.index("medicaid"),
    PAYERS.index("dual"),
)
_MENTAL_HEALTH = int(BhcVisitKind.MENTAL_HEALTH)
_HEALTH_BEHAVIOR = int(BhcVisitKind.HEALTH_BEHAVIOR)


def fqhc_g0512_units(minutes: ArrayLike, initial: ArrayLike) -> dict[str, NDArray[np.int64]]:
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
) -> dict[str, NDArray[np.int64]]:
    """Timed CoCM units (:func:`fqhc_g0512_units` or :func:`intsim.money.billing.cocm_units`)."""
    return fqhc_g0512_units(minutes, initial) if fqhc_g0512 else cocm_units(minutes, initial)


@cache
def timed_cocm_table(fqhc_g0512: bool, n_minutes: int) -> NDArray[np.int64]:
    """Timed CoCM units of every month length below ``n_minutes``, as a lookup table.

    Args:
        fqhc_g0512: Bill G0512 (an FQHC before 2026) instead of the standard CoCM codes.
        n_minutes: Rows of minutes (0 to ``n_minutes - 1``).

    Returns:
        int64 units by ``[initial, minutes, code]``, codes in the order of
        :func:`timed_cocm_units`.
    """
    minutes = np.arange(n_minutes)
    return np.stack(
        [
            np.stack(list(timed_cocm_units(minutes, initial, fqhc_g0512).values()), axis=-1)
            for initial in (False, True)
        ]
    )


def table_minutes(max_minutes: int) -> int:
    """Rows of a :func:`timed_cocm_table` covering ``max_minutes`` (a power of two, >= 256)."""
    return max(256, 1 << int(max_minutes).bit_length())


@cache
def general_bhi_met_table(n_minutes: int) -> NDArray[np.int64]:
    """Whether (0/1) a month of each length below ``n_minutes`` meets the general-BHI threshold.

    From :func:`intsim.money.billing.general_bhi_units` (cached: treat as read-only).
    """
    return general_bhi_units(np.arange(n_minutes))


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


@dataclass(frozen=True)
class YearPlan:
    """How one calendar year's services become claim lines (:mod:`intsim.money.claims_kernels`).

    Lines come in groups, one per code and kind of service: the CoCM groups (APCM add-ons, then
    timed codes), the groups billing mental-health BHC visits, then the health-behavior ones.

    Attributes:
        codes: Billing code of each group.
        group_code: Code id (:func:`code_id`) of each group.
        group_family: Revenue family code (:data:`FAMILIES`) of each group.
        group_fee: USD per unit of each group: fee-schedule amount x practitioner share, or the
            FQHC encounter rate.
        apcm_payer: By payer code, whether CoCM months bill the APCM add-ons.
        apcm_units: APCM add-on units by ``[initial, APCM group]``.
        fqhc_g0512: Whether timed CoCM months bill G0512 (see :func:`timed_cocm_table`).
        mh_units: Units of a mental-health BHC visit by ``[payer, mental-health group]``.
        hb_units: Units of a health-behavior BHC visit by ``[payer, health-behavior group]``.
        bhi_units: Units of a general-BHI care-management month by ``[payer, threshold met
            (0/1), general-BHI group]``.
        bhi_dropped_with_cocm: By general-BHI group, whether a CoCM month of the same patient
            excludes it (:func:`dropped_in_cocm_month`).
    """

    codes: tuple[str, ...]
    group_code: NDArray[np.int64]
    group_family: NDArray[np.int64]
    group_fee: NDArray[np.float64]
    apcm_payer: NDArray[np.bool_]
    apcm_units: NDArray[np.int64]
    fqhc_g0512: bool
    mh_units: NDArray[np.int64]
    hb_units: NDArray[np.int64]
    bhi_units: NDArray[np.int64]
    bhi_dropped_with_cocm: NDArray[np.bool_]

    def timed_units(self, max_minutes: int) -> NDArray[np.int64]:
        """Timed CoCM units by ``[initial, minutes, timed group]`` up to ``max_minutes``."""
        return timed_cocm_table(self.fqhc_g0512, table_minutes(max_minutes))

    def bhi_met(self, max_minutes: int) -> NDArray[np.int64]:
        """General-BHI threshold met (0/1) by minutes up to ``max_minutes``."""
        return general_bhi_met_table(table_minutes(max_minutes))


def _by_payer_units(columns: list[NDArray[Any]]) -> NDArray[np.int64]:
    """Units by ``[payer, group]`` from one column (units by payer) per group."""
    if not columns:
        return np.zeros((len(PAYERS), 0), np.int64)
    return np.stack(columns, axis=1).astype(np.int64)


#: Revenue family code by name (the kernels' integers, tied to :data:`FAMILIES` by a test).
_FAM = kernels.FAMILY_CODES


@cache
def year_plan(
    year: int,
    setting: str,
    apcm_bhi_addons: bool,
    pcp_share: float,
    bhc_share: float,
    visit_minutes: int,
    fqhc_medicaid_visit_rate: float,
    general_bhi_billed_by: str = "bhc",
) -> YearPlan:
    """How the services of one calendar year become claim lines (cached: treat as read-only).

    Args:
        year: Calendar year of service (fee schedule, APCM add-ons, FQHC CoCM codes).
        setting: ``billing.setting``: ``"office"``, ``"facility"`` or ``"fqhc"``.
        apcm_bhi_addons: ``billing.apcm_bhi_addons``.
        pcp_share: Practitioner share of the billing PCP's credential (CoCM codes).
        bhc_share: Practitioner share of the BHC's credential (psychotherapy and HBAI codes).
        visit_minutes: Length of a BHC visit (minutes).
        fqhc_medicaid_visit_rate: FQHC Medicaid payment per mental-health visit (USD).
        general_bhi_billed_by: ``billing.general_bhi_billed_by`` (see :func:`general_bhi_code`).

    Returns:
        The plan.

    Raises:
        MissingRateError: If a code billed that year has no fee-schedule amount.
    """
    fees = load_fee_schedule(year)
    facility = setting == "facility"
    fqhc = setting == "fqhc"
    groups: list[tuple[str, int, float]] = []  # (code, family, USD per unit)

    # CoCM: APCM add-ons for Medicare and dual patients, timed codes for the others
    use_apcm = apcm_bhi_addons and year >= APCM_BHI_FIRST_YEAR
    apcm_codes = ("G0568", "G0569") if use_apcm else ()
    groups += [(c, _FAM["cocm"], fees.rate(c, facility) * pcp_share) for c in apcm_codes]
    apcm_code = {init: str(apcm_bhi_code(init)) for init in (False, True)}
    apcm_units = np.array(
        [[int(apcm_code[init] == c) for c in apcm_codes] for init in (False, True)], np.int64
    ).reshape(2, len(apcm_codes))
    apcm_payer = np.zeros(len(PAYERS), np.bool_)
    apcm_payer[[_MEDICARE, _DUAL]] = use_apcm
    g0512 = fqhc and year < FQHC_STANDARD_COCM_FROM
    timed = timed_cocm_units(np.zeros(0, np.int64), np.zeros(0, bool), g0512)
    if g0512:
        groups += [(c, _FAM["cocm"], fees.rate(c) * pcp_share) for c in timed]
    else:
        groups += [(c, _FAM["cocm"], fees.rate(c, facility) * pcp_share) for c in timed]

    # mental-health BHC visits: FQHC encounters for Medicare, dual and Medicaid patients
    payer = np.arange(len(PAYERS))
    medicare = (payer == _MEDICARE) | (payer == _DUAL)
    medicaid = payer == _MEDICAID
    code = str(psychotherapy_code(np.array([visit_minutes]))[0])
    mh_columns: list[NDArray[np.bool_]] = []
    psychotherapy = np.ones(len(PAYERS), bool)
    if fqhc:
        groups.append((FQHC_MH_MEDICARE, _FAM["fqhc_mental_health"], fqhc_pps_rate(year)))
        groups.append((FQHC_MH_MEDICAID, _FAM["fqhc_mental_health"], fqhc_medicaid_visit_rate))
        mh_columns += [medicare, medicaid]
        psychotherapy = ~medicare & ~medicaid
    if code:
        groups.append((code, _FAM["bhc_psychotherapy"], fees.rate(code, facility) * bhc_share))
        mh_columns.append(psychotherapy)

    # health-behavior BHC visits: HBAI is not a qualifying FQHC visit (assumption)
    hb_columns: list[NDArray[np.int64]] = []
    if not fqhc:
        for code_hb, u in hbai_units(np.array([visit_minutes])).items():
            groups.append((code_hb, _FAM["bhc_hbai"], fees.rate(code_hb, facility) * bhc_share))
            hb_columns.append(np.full(len(PAYERS), u[0]))

    # general BHI care management: the time-based code, and G0570 for APCM payers
    bhi_code = general_bhi_code(setting, general_bhi_billed_by)
    bhi_codes = (bhi_code, APCM_GENERAL_BHI) if use_apcm else (bhi_code,)
    for c in bhi_codes:
        share = pcp_share if c in INCIDENT_TO_CODES else bhc_share
        groups.append((c, _FAM["general_bhi"], fees.rate(c, facility) * share))
    bhi_units = np.zeros((len(PAYERS), 2, len(bhi_codes)), np.int64)
    bhi_units[:, 1, 0] = 1  # the time-based code from the threshold on
    if use_apcm:  # APCM payers bill G0570 whatever the minutes, and not the time-based code
        bhi_units[apcm_payer, :, 0] = 0
        bhi_units[apcm_payer, :, 1] = 1

    return YearPlan(
        codes=tuple(g[0] for g in groups),
        group_code=np.array([code_id(g[0]) for g in groups], np.int64),
        group_family=np.array([g[1] for g in groups], np.int64),
        group_fee=np.array([g[2] for g in groups], np.float64),
        apcm_payer=apcm_payer,
        apcm_units=apcm_units,
        fqhc_g0512=g0512,
        mh_units=_by_payer_units(mh_columns),
        hb_units=_by_payer_units(hb_columns),
        bhi_units=bhi_units,
        bhi_dropped_with_cocm=np.array([dropped_in_cocm_month(c) for c in bhi_codes], np.bool_),
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
        self._plans: dict[tuple[int, float], YearPlan] = {}
        self._rows: list[tuple[NDArray[np.int64], NDArray[np.float64]]] = []

    def year(self, month: int) -> int:
        """Calendar year of a simulation month."""
        return self.values.simulation.start_year + (month - 1) // 12

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
        if self.keep_services:
            self.services.append(
                compact_services(month, self.bhc_share, int(max_minutes), lists, pop)
            )
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
            cm,
            mh,
            hb,
            bhi,
            new_episodes,
            payer,
            cm_minutes,
            cm_initial,
            bhi_minutes,
            same_day,
            plan.apcm_payer,
            plan.apcm_units,
            plan.timed_units(max_minutes),
            plan.mh_units,
            plan.hb_units,
            plan.bhi_units,
            plan.bhi_met(max_minutes),
            plan.bhi_dropped_with_cocm,
            plan.group_code,
            plan.group_family,
            plan.group_fee,
            self._rates,
            self._rules,
            self._capture,
            len(FAMILIES),
        )
        if slot_of is not None:  # compact indices back to slots
            ints[kernels.INT_ROWS.index("slot")] = slot_of[ints[kernels.INT_ROWS.index("slot")]]
        if self.keep_lines:
            self._rows.append((ints, floats))
        return self._month_billing(money.tolist(), counts.tolist())

    def _month_billing(self, money: list[float], counts: list[int]) -> MonthBilling:
        """Month totals from the sums of :func:`intsim.money.claims_kernels.bill_lines` (USD)."""
        n_fam, n_pay = len(FAMILIES), len(PAYERS)
        paid_by_payer = money[n_fam + n_pay : n_fam + 2 * n_pay]
        cash_by_lag: dict[int, float] = {}
        for lag, paid in zip(self.lag, paid_by_payer, strict=True):
            cash_by_lag[lag] = cash_by_lag.get(lag, 0.0) + paid
        cash_by_lag[0] = cash_by_lag.get(0, 0.0) + money[-2]
        return MonthBilling(
            revenue_by_family=dict(zip(FAMILIES, money[:n_fam], strict=True)),
            revenue_by_payer=dict(zip(PAYERS, money[n_fam : n_fam + n_pay], strict=True)),
            payer_paid_by_payer=dict(zip(PAYERS, paid_by_payer, strict=True)),
            cash_by_lag=cash_by_lag,
            collections=money[-1],
            billed_cm_minutes=counts[0] * float(self.values.billing.cm_capture_rate),
            billed_bhi_minutes=counts[1] * float(self.values.billing.cm_capture_rate),
            episodes_started_by_payer=dict(zip(PAYERS, counts[2:], strict=True)),
        )

    def table(self, last_month_only: bool = False) -> pd.DataFrame:
        """Claim lines of the run (columns :data:`CLAIM_COLUMNS`).

        Args:
            last_month_only: Only the lines of the most recent month billed.
        """
        rows = self._rows[-1:] if last_month_only else self._rows
        if not rows:
            return pd.DataFrame(columns=list(CLAIM_COLUMNS))
        ints = dict(
            zip(kernels.INT_ROWS, np.concatenate([r[0] for r in rows], axis=1), strict=True)
        )
        floats = dict(
            zip(kernels.FLOAT_ROWS, np.concatenate([r[1] for r in rows], axis=1), strict=True)
        )
        # the code names as a column of pandas' default string dtype, then one take
        names = pd.Series(np.array(_CODE_NAMES, dtype=str)).array
        cols = {
            **ints,
            **floats,
            "code": names.take(ints["code"]),
            "family": pd.Categorical.from_codes(ints["family"], categories=list(FAMILIES)),
            "payer": pd.Categorical.from_codes(ints["payer"], categories=list(PAYERS)),
            "status": pd.Categorical.from_codes(ints["status"], categories=list(STATUSES)),
        }
        return pd.DataFrame({name: cols[name] for name in CLAIM_COLUMNS})
