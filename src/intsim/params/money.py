"""Declaration of the money parameters: billing, payers, payment contracts, grants, costs, TCOC.

Money follows services (docs/architecture.md decision 5): revenue comes from claims generated from
the minutes and visits providers actually delivered, priced from the versioned fee-schedule files in
:mod:`intsim.money.billing`, adjusted per payer. Defaults cite ``docs/billing.md`` or
``docs/evidence.md``, or state an assumption.
"""

from __future__ import annotations

from typing import Any

from intsim.measures import P4P_MEASURE_MONTHS
from intsim.params.spec import EVIDENCE, NONNEG, PAYERS, PROB, Param

BILLING = "docs/billing.md"

SETTINGS: tuple[str, ...] = ("office", "facility", "fqhc")
CREDENTIALS_BHC: tuple[str, ...] = ("psychologist", "csw", "lpc", "mhc", "mft")
CREDENTIALS_PCP: tuple[str, ...] = ("physician", "np", "pa")
P4P_MEASURES: tuple[str, ...] = tuple(P4P_MEASURE_MONTHS)
GRANT_COVERS: tuple[str, ...] = ("startup", "operating_deficit", "any")
#: What happens to grant money not drawn in its month (``grants.undrawn``).
GRANT_UNDRAWN: tuple[str, ...] = ("carry_over", "lapse")
PSYCHIATRY_MODELS: tuple[str, ...] = ("employed", "vendor")

# --------------------------------------------------------------------------- payers

#: Per-payer defaults: (value, source) for each payer parameter, in PAYERS order.
_PAYER_TABLE: dict[
    str, tuple[str, str, tuple[float | bool, ...], str, tuple[float, float] | None]
] = {
    # name: (unit, description, values by payer, source, plausible range)
    "relativity_em": (
        "ratio to Medicare",
        "Payment for E/M (PCP) visits relative to the Medicare fee schedule.",
        (1.0, 0.70, 1.22, 1.0, 0.40),
        f"{BILLING} 3.1 (Medicaid 0.70 E/M, Zuckerman 2021), 3.2 (commercial 1.22, HCCI); dual = "
        "Medicare; uninsured: assumption, sliding-fee self-pay at 40% of Medicare",
        (0.4, 1.5),
    ),
    "relativity_bh": (
        "ratio to Medicare",
        "Payment for behavioral-health services (psychotherapy, HBAI, BHI) relative to Medicare.",
        (1.0, 0.80, 0.95, 1.0, 0.40),
        f"{BILLING} 3.1 (Medicaid BH 0.80, Zhu 2023), 3.2 (commercial BH 0.85-1.05, Pelech & "
        "Hayford 2019); uninsured: assumption, sliding fee",
        (0.4, 1.3),
    ),
    "relativity_cocm": (
        "ratio to Medicare",
        "Payment for CoCM codes relative to Medicare.",
        (1.0, 0.80, 1.10, 1.0, 0.40),
        f"{BILLING} 3.1 (Medicaid BH 0.80), 3.2 (commercial CoCM 1.0-1.2, no direct study: "
        "ESTIMATE); uninsured: assumption",
        (0.4, 1.3),
    ),
    "covers_cocm": (
        "-",
        "Whether the payer pays the CoCM codes (99492-99494, G2214).",
        (True, True, True, True, True),
        f"{BILLING} 4.4: 22 state Medicaid programs in 2023 (ESTIMATE 25-30 in 2025-26); set "
        "false for a state without coverage",
        None,
    ),
    "covers_hbai": (
        "-",
        "Whether the payer pays health-behavior assessment/intervention codes (96156-96159).",
        (True, True, True, True, True),
        f"{BILLING} 1.4, 4.1 (Medicare covers HBAI by CP, CSW, MFT, MHC since 2024); other payers: "
        "assumption",
        None,
    ),
    "covers_general_bhi": (
        "-",
        "Whether the payer pays general BHI care management (99484, G0323; G0570 under APCM).",
        (True, True, True, True, True),
        f"{BILLING} 1.2: Medicare pays 99484 and G0323 (>= 20 min a month); MICMT notes some "
        "commercial payers accept 99484; Medicaid and others: assumption, state-specific (set "
        "false for a payer that does not pay it)",
        None,
    ),
    "same_day_restriction": (
        "-",
        "Whether only one of a medical and a behavioral visit on the same day is payable.",
        (False, False, False, False, False),
        f"{BILLING} 4.3: no Medicare prohibition; ~15-20% of state Medicaid programs restrict "
        "same-day billing (set true for such a state)",
        None,
    ),
    "coinsurance": (
        "share of allowed",
        "Patient cost-sharing as a share of the allowed amount.",
        (0.20, 0.0, 0.20, 0.0, 1.0),
        f"{BILLING} 0: Medicare Part B 20%; Medicaid none; commercial: assumption 20%; dual: "
        "Medicaid covers Medicare cost-sharing (assumption); uninsured pay the whole (self-pay)",
        (0.0, 1.0),
    ),
    "collection_rate": (
        "probability",
        "Share of patient cost-sharing actually collected.",
        (0.60, 1.0, 0.60, 1.0, 0.30),
        f"{EVIDENCE} E3: EST 60% (40-85%); uninsured self-pay: assumption 30% (collection-agency "
        "recovery 13.8%)",
        (0.3, 0.85),
    ),
    "denial_rate": (
        "probability",
        "Share of claims denied and never paid.",
        (0.15, 0.15, 0.10, 0.15, 0.0),
        f"{EVIDENCE} E3: Medicare CoCM denials 5-32%, EST mean 0.15 assuming billing maturity; "
        "commercial: assumption; self-pay claims are not denied",
        (0.05, 0.32),
    ),
    "days_to_payment": (
        "days",
        "Days from service to payment (cash arrives whole months later).",
        (30.0, 60.0, 45.0, 45.0, 30.0),
        "assumption: typical clean-claim turnaround (Medicare ~30 days)",
        (14.0, 120.0),
    ),
    "tcoc_pmpm": (
        "USD per member per month",
        "Average total cost of care per member-month for this payer's members (payer view).",
        (1000.0, 550.0, 575.0, 2000.0, 0.0),
        f"{EVIDENCE} C1: commercial EST $500-650 PMPM; Medicare: assumption ~$12k/yr ({BILLING} "
        "5.1 benchmark); Medicaid adult and dual: assumption; uninsured: no payer",
        None,
    ),
}


#: Per-payer uncertainty distributions, (payer, parameter) -> (dist, what it is based on). The
#: Medicare and dual relativities are 1 by definition, Medicaid and dual members owe no
#: cost-sharing, and the uninsured values are assumptions without a range: none of these varies.
_PAYER_DISTS: dict[tuple[str, str], tuple[tuple[Any, ...], str]] = {
    ("medicaid", "relativity_em"): (
        ("triangular", 0.45, 0.70, 1.10),
        f"triangular over the {BILLING} 3.1 ESTIMATE range 0.45-1.10 across states",
    ),
    ("commercial", "relativity_em"): (
        ("triangular", 1.20, 1.22, 1.30),
        f"triangular over the {BILLING} 3.2 ESTIMATE range 1.20-1.30 (HCCI 1.22 central)",
    ),
    ("medicaid", "relativity_bh"): (
        ("triangular", 0.46, 0.80, 1.30),
        f"triangular over the {BILLING} 3.1 ESTIMATE range 0.46-1.3 across states",
    ),
    ("commercial", "relativity_bh"): (
        ("triangular", 0.85, 0.95, 1.05),
        f"triangular over the {BILLING} 3.2 ESTIMATE range 0.85-1.05",
    ),
    ("medicaid", "relativity_cocm"): (
        ("triangular", 0.46, 0.80, 1.30),
        f"triangular over the {BILLING} 3.1 BH ESTIMATE range 0.46-1.3 across states",
    ),
    ("commercial", "relativity_cocm"): (
        ("triangular", 1.0, 1.10, 1.20),
        f"triangular over the {BILLING} 3.2 ESTIMATE range 1.0-1.2",
    ),
    ("medicare", "collection_rate"): (
        ("beta_mean_ci", 0.60, 0.2993, 0.8630),
        f"Beta(6, 4) of {EVIDENCE} E3, given as its mean and 95% interval",
    ),
    ("commercial", "collection_rate"): (
        ("beta_mean_ci", 0.60, 0.2993, 0.8630),
        f"Beta(6, 4) of {EVIDENCE} E3, given as its mean and 95% interval",
    ),
    ("medicare", "denial_rate"): (
        ("beta_mean_ci", 0.15, 0.05, 0.32),
        f"beta, mean 0.15 with the {EVIDENCE} E3 range 5-32% as 95% interval",
    ),
    ("dual", "denial_rate"): (
        ("beta_mean_ci", 0.15, 0.05, 0.32),
        f"beta, mean 0.15 with the {EVIDENCE} E3 Medicare range 5-32% as 95% interval",
    ),
    ("medicaid", "denial_rate"): (
        ("beta_mean_ci", 0.15, 0.05, 0.32),
        f"beta, mean 0.15 with the {EVIDENCE} E3 Medicare range 5-32% as 95% interval "
        "(assumption: as Medicare)",
    ),
    ("commercial", "denial_rate"): (
        ("beta_mean_ci", 0.10, 0.033, 0.213),
        f"beta, mean 0.10, 95% interval 0.033-0.213 (assumption: the {EVIDENCE} E3 Medicare "
        "interval scaled by 0.10/0.15)",
    ),
    ("commercial", "tcoc_pmpm"): (
        ("lognormal_median_ci", 575.0, 500.0, 650.0),
        f"lognormal, median 575, sigma from the width of the {EVIDENCE} C1 EST range $500-650 "
        "read as a 95% interval (C1 suggests a gamma; lognormal is the other cost form)",
    ),
}


def _payer_params() -> tuple[Param, ...]:
    out = []
    for payer_index, payer in enumerate(PAYERS):
        for name, (unit, desc, values, source, plausible) in _PAYER_TABLE.items():
            value = values[payer_index]
            dist, basis = _PAYER_DISTS.get((payer, name), (None, ""))
            kind = "bool" if isinstance(value, bool) else "float"
            bounds = NONNEG
            if unit in ("probability", "share of allowed"):
                bounds = PROB
            payer_range = plausible
            if plausible is not None and not plausible[0] <= value <= plausible[1]:
                # structural for this payer (e.g. no cost-sharing to collect): not varied
                payer_range = None
            out.append(
                Param(
                    f"payers.{payer}.{name}",
                    value,
                    unit,
                    desc,
                    source if dist is None else f"{source}; dist ({payer}): {basis}",
                    kind=kind,
                    bounds=bounds if kind == "float" else (None, None),
                    plausible=payer_range if kind == "float" else None,
                    dist=dist,
                )
            )
    return tuple(out)


# --------------------------------------------------------------------------- contracts

_CONTRACT_TABLE: tuple[tuple[str, object, str, str, str, dict[str, object]], ...] = (
    (
        "fee_for_service",
        True,
        "-",
        "Whether the payer pays claims fee-for-service (false: no claims paid except under a "
        "case rate or PMPM).",
        "assumption: fee-for-service is the default contract",
        {"kind": "bool"},
    ),
    (
        "p4p_bonus_share",
        0.0,
        "share of BH revenue",
        "Pay-for-performance bonus: share of the year's BH-integration revenue from this payer "
        "paid if the quality indicator reaches the target (0 = no P4P).",
        f"{BILLING} 5.4: ESTIMATE 1-5% of BH revenue; MHIP withheld 25% (Unutzer 2012)",
        {"bounds": PROB, "plausible": (0.0, 0.25)},
    ),
    (
        "p4p_measure",
        "response_6m",
        "-",
        "Quality indicator of the P4P bonus: response at 6 months (NQF 1884) or remission at 12 "
        "months (CMS159) among patients with a threshold episode enrolled in CoCM or PCBH.",
        f"{BILLING} 5.4",
        {"kind": "choice", "choices": P4P_MEASURES},
    ),
    (
        "p4p_target",
        0.5,
        "share of measured patients",
        "Target value of the P4P indicator (bonus paid when reached).",
        "assumption: response in half of measured patients",
        {"bounds": PROB, "plausible": (0.3, 0.6)},
    ),
    (
        "pmpm_usd",
        0.0,
        "USD per member per month",
        "Capitation for behavioral-health integration per attributed member (this payer's panel "
        "members); replaces fee-for-service for integration services (0 = none).",
        f"{BILLING} 5.2: ESTIMATE $5-15 per enrollee per month across a panel",
        {"bounds": NONNEG, "plausible": (0.0, 15.0)},
    ),
    (
        "case_rate",
        False,
        "-",
        "Whether this payer pays CoCM by an episode case rate (case_rate_usd per new episode) "
        "instead of the CoCM codes.",
        f"{BILLING} 5.5; assumption: the codes are the default contract",
        {"kind": "bool"},
    ),
    (
        "case_rate_usd",
        0.0,
        "USD per episode",
        "Episode case rate paid per new CoCM episode when the contract's case_rate is true "
        "(then it replaces the CoCM codes; 0 pays nothing for the episode).",
        f"{BILLING} 5.5 and 2.3: a 6-month CoCM episode earns ~$885 from Medicare in 2026",
        {"bounds": NONNEG, "plausible": (0.0, 1500.0)},
    ),
    (
        "shared_savings",
        False,
        "-",
        "Whether the organisation shares in savings on this payer's total cost of care.",
        f"{BILLING} 5.1 (MSSP)",
        {"kind": "bool"},
    ),
    (
        "ss_sharing_rate",
        0.5,
        "share of savings",
        "Shared-savings rate once the minimum savings rate is met (first-dollar sharing).",
        f"{BILLING} 5.1: MSSP BASIC 40-50%, ENHANCED 75%",
        {"bounds": PROB, "plausible": (0.4, 0.75)},
    ),
    (
        "ss_minimum_savings_rate",
        0.02,
        "share of benchmark",
        "Minimum savings rate: savings below this share of the benchmark earn nothing.",
        f"{BILLING} 5.1: MSSP MSR 2.0-3.9% by size (one-sided)",
        {"bounds": PROB, "plausible": (0.0, 0.039)},
    ),
    (
        "ss_cap_rate",
        0.10,
        "share of benchmark",
        "Cap on the shared-savings payment as a share of the benchmark.",
        f"{BILLING} 5.1: BASIC 10%, ENHANCED 20%",
        {"bounds": PROB},
    ),
    (
        "ss_two_sided",
        False,
        "-",
        "Downside risk: the organisation shares losses above the minimum loss rate.",
        f"{BILLING} 5.1: BASIC levels C-E and ENHANCED are two-sided",
        {"kind": "bool"},
    ),
    (
        "ss_loss_sharing_rate",
        0.30,
        "share of losses",
        "Share of losses owed when two-sided.",
        f"{BILLING} 5.1: BASIC C-E 30%",
        {"bounds": PROB},
    ),
    (
        "ss_loss_cap_rate",
        0.04,
        "share of benchmark",
        "Cap on losses owed as a share of the benchmark.",
        f"{BILLING} 5.1: BASIC E ~4% of benchmark",
        {"bounds": PROB},
    ),
    (
        "ss_practice_share",
        0.5,
        "share",
        "Share of the ACO's shared savings distributed to the practice.",
        f"{BILLING} 5.1: ESTIMATE 40-60% internal ACO distribution",
        {"bounds": PROB, "plausible": (0.4, 0.6)},
    ),
    (
        "ss_quality_score",
        0.9,
        "share",
        "Quality score scaling the shared-savings rate.",
        f"{BILLING} 5.1: ESTIMATE quality factor 0.8-1.0",
        {"bounds": PROB, "plausible": (0.8, 1.0)},
    ),
    (
        "ss_benchmark_trend",
        0.0,
        "share per year",
        "Benchmark = the usual-care counterfactual total cost of care grown by this annual trend "
        "(0 = the counterfactual itself).",
        "assumption: the benchmark is what usual care would have cost",
        {"bounds": (-0.2, 0.2)},
    ),
    (
        "p4p_payment_lag_months",
        3,
        "months",
        "Months after a performance year ends before its P4P bonus is paid.",
        "assumption: a bonus is paid about a quarter after its year ends (claims run-out and "
        "quality-data validation); shorter than the shared-savings reconciliation, which needs "
        "a full cost-of-care run-out (docs/billing.md 5.4)",
        {"kind": "int", "bounds": (0, 36), "plausible": (1, 9)},
    ),
    (
        "ss_settlement_lag_months",
        6,
        "months",
        "Months after a performance year ends before its reconciliation is paid.",
        "assumption: MSSP pays about 6-9 months after the performance year",
        {"kind": "int", "bounds": (0, 36)},
    ),
)


def _contract_params() -> tuple[Param, ...]:
    out = []
    for payer in PAYERS:
        for name, default, unit, desc, source, extra in _CONTRACT_TABLE:
            out.append(Param(f"contracts.{payer}.{name}", default, unit, desc, source, **extra))
    return tuple(out)


# --------------------------------------------------------------------------- everything else

OTHER_MONEY_PARAMETERS: tuple[Param, ...] = (
    # billing
    Param(
        "billing.setting",
        "office",
        "-",
        "Where the billing practitioners work: office (non-facility fee schedule), facility "
        "(hospital outpatient rates) or fqhc (Medicare PPS per qualifying visit; CoCM at the "
        "non-facility rate from 2026).",
        f"{BILLING} 0 and 1.3",
        kind="choice",
        choices=SETTINGS,
    ),
    Param(
        "billing.pcp_credential",
        "physician",
        "-",
        "Credential of the treating (billing) practitioner for E/M and incident-to codes.",
        f"{BILLING} 0: NP/PA paid 85% of the fee schedule",
        kind="choice",
        choices=CREDENTIALS_PCP,
    ),
    Param(
        "billing.bhc_credential",
        "csw",
        "-",
        "Credential of the behavioral health consultants, who bill psychotherapy and HBAI codes "
        "in their own name.",
        f"{BILLING} 0 and 4.1: psychologist 100%, CSW/LPC/MHC/MFT 75% of the fee schedule",
        kind="choice",
        choices=CREDENTIALS_BHC,
    ),
    Param(
        "billing.payment_lag_days_per_month",
        30.0,
        "days per month",
        "Days counted as one month when a payer's days to payment (payers.<payer>.days_to_payment) "
        "become a whole number of months of payment lag: ceil(days / this).",
        "assumption: a 30-day month, as in 30-day clean-claim payment deadlines (Medicare about "
        "30 days, payers.medicare.days_to_payment)",
        bounds=(28.0, 31.0),
        plausible=(30.0, 30.44),
    ),
    Param(
        "billing.em_99214_share",
        0.5,
        "proportion",
        "Share of PCP visits billed as 99214 (the rest as 99213).",
        "assumption: moderate-complexity visits are about half of adult primary care visits",
        bounds=PROB,
        plausible=(0.3, 0.7),
    ),
    Param(
        "billing.apcm_bhi_addons",
        False,
        "-",
        "From 2026, bill Medicare CoCM months as APCM add-ons G0568/G0569 (no minute threshold) "
        "instead of the time-based codes; the practice is assumed to bill the APCM base codes "
        "already.",
        f"{BILLING} 1.5",
        kind="bool",
    ),
    Param(
        "billing.fqhc_medicaid_visit_rate",
        200.0,
        "USD per visit",
        "FQHC mode: Medicaid PPS/APM payment per qualifying medical or mental-health visit.",
        f"assumption: state-specific; close to the Medicare PPS base ({BILLING} 1.3)",
        bounds=NONNEG,
        plausible=(120.0, 300.0),
    ),
    Param(
        "billing.cm_capture_rate",
        0.85,
        "share of billable months",
        "Care-management billing capture: share of care-management months that meet a code's "
        "time threshold (CoCM; general BHI) whose claim is actually documented, backed by "
        "consent on file and submitted. Distinct from payer denials (after submission) and "
        "from coinsurance collection; an expected value, like denials.",
        f"{EVIDENCE} E2: Primary Care IPA (Western NY, grey literature) found about 76% of CoCM "
        "episodes billable, a figure that mixes unmet time thresholds (applied separately here "
        "from delivered minutes) with documentation, consent and workflow losses; assumption: "
        "the documentation/consent/submission part is about 15 points for an established "
        f"programme ({EVIDENCE} E3 names consent as a barrier, Carlo 2019); dist: beta, mean "
        "0.85, 95% interval 0.70-0.95 (low end: below the IPA's all-causes 76%, a young "
        "programme; high end: a mature revenue cycle)",
        bounds=PROB,
        plausible=(0.70, 0.95),
        dist=("beta_mean_ci", 0.85, 0.70, 0.95),
    ),
    Param(
        "billing.visit_capture_rate",
        0.97,
        "share of billable visits",
        "Visit billing capture: share of billable BHC visits (psychotherapy, HBAI, FQHC "
        "encounters) whose claim is documented and submitted.",
        "assumption: a face-to-face visit is charged from the encounter note in the EHR's "
        "visit workflow, so far less is lost than for monthly care management, whose minutes "
        "must be added up across calls and documented after the month; a few percent of "
        "missed charges; dist: PERT (0.90, 0.97, 1.0)",
        bounds=PROB,
        plausible=(0.90, 1.0),
        dist=("pert", 0.90, 0.97, 1.0),
    ),
    Param(
        "billing.general_bhi_billed_by",
        "bhc",
        "-",
        "Who bills the BHCs' general BHI care-management months: the BHC in its own name "
        "(G0323, at the BHC credential's share) or the PCP incident-to (99484, clinical-staff "
        "time under general supervision, at the PCP credential's share). An FQHC always bills "
        "99484; with APCM add-ons (from 2026) Medicare and dual months bill G0570.",
        f"{BILLING} 1.2 (G0323: CP/CSW from 2023, MFT/MHC from 2024; 99484: clinical staff "
        "directed by a physician/NPP), 4.2; assumption: BHCs bill in their own name, as they "
        "do their psychotherapy and HBAI visits",
        kind="choice",
        choices=("bhc", "pcp"),
    ),
    Param(
        "billing.cost_share_of_collections",
        0.05,
        "share of collections",
        "Billing and collection cost as a share of money collected.",
        "assumption: revenue-cycle fees of 4-8% of collections",
        bounds=PROB,
        plausible=(0.03, 0.08),
    ),
    # grants
    Param(
        "grants.annual_amount",
        0.0,
        "USD per year",
        "Integration grant awarded per year (0 = none).",
        f"{BILLING} 6.1: HRSA BHSE $600k per award (FY2024); HRSA BHI $250k; SAMHSA "
        "PIPBHC-States $200k/yr",
        bounds=NONNEG,
        plausible=(0.0, 600000.0),
    ),
    Param(
        "grants.start_month",
        1,
        "month",
        "First month of grant funding.",
        "assumption",
        kind="int",
        bounds=(1, 600),
    ),
    Param(
        "grants.duration_months",
        24,
        "months",
        "Months of grant funding.",
        f"{BILLING} 6.1: awards of 1-5 years",
        kind="int",
        bounds=(0, 600),
    ),
    Param(
        "grants.phase_out_months",
        0,
        "months",
        "Final months of the grant during which the monthly award tapers linearly to zero "
        "(0: no taper, the award is paid as entered). A taper lowers the total award.",
        "assumption: awards are paid as entered unless the funder steps them down (issue 13: a "
        "default taper silently cut a $450k award to about $400k)",
        kind="int",
        bounds=(0, 600),
    ),
    Param(
        "grants.covers",
        "any",
        "-",
        "What the grant may pay for: startup costs, operating deficits, or both.",
        f"{BILLING} 6.1",
        kind="choice",
        choices=GRANT_COVERS,
    ),
    Param(
        "grants.undrawn",
        "carry_over",
        "-",
        "Money of a month's award not drawn that month (costs it may pay were lower): "
        "carry_over keeps it available in later months of the grant, lapse loses it.",
        f"{BILLING} 6.1; assumption: federal awards are budgeted per period and draws follow "
        "allowable costs, so unspent money of a month is normally still available within the "
        "budget period (carry_over); lapse is the strict case",
        kind="choice",
        choices=GRANT_UNDRAWN,
    ),
    # costs
    Param(
        "costs.care_manager_salary",
        71790.0,
        "USD per FTE-year",
        "Care-manager base salary (healthcare social worker).",
        f"{EVIDENCE} D4: BLS OEWS 21-1022 mean $71,790; dist: symmetric PERT (40,040, 71,790, "
        "103,540) with mean $71,790 and SD $12,000 (D4: normal, mean $72k, SD $12k; the PERT is "
        "a bounded, bell-shaped stand-in for the normal)",
        bounds=NONNEG,
        plausible=(55000.0, 95000.0),
        dist=("pert", 40040.0, 71790.0, 103540.0),
    ),
    Param(
        "costs.bhc_salary",
        71790.0,
        "USD per FTE-year",
        "Behavioral health consultant base salary (default: clinical social worker).",
        f"{EVIDENCE} D4: BLS 21-1022 mean $71,790 (LPC median $59,190; psychologist EST $90-105k); "
        "dist: symmetric PERT (40,040, 71,790, 103,540) with mean $71,790 and SD $12,000 (D4: "
        "normal, SD $12k for social workers and LPCs; bounded stand-in for the normal)",
        bounds=NONNEG,
        plausible=(55000.0, 105000.0),
        dist=("pert", 40040.0, 71790.0, 103540.0),
    ),
    Param(
        "costs.benefit_load",
        0.42,
        "share of salary",
        "Benefits as a share of base salary.",
        f"{EVIDENCE} D5: BLS ECEC Dec 2023, +42% on wages (30-61%)",
        bounds=(0.0, 2.0),
        plausible=(0.30, 0.61),
        dist=("triangular", 0.30, 0.42, 0.61),
    ),
    Param(
        "costs.overhead_rate",
        0.25,
        "share of loaded salary",
        "Administrative overhead on loaded salary (administration, human resources, IT support, "
        "supervision; space, the registry and the revenue-cycle fee are separate cost lines).",
        "Hoeft TJ, Wilcox H, Hinton L, Unutzer J. Implement Sci 2019;14:37 costed CoCM with +30% "
        "administrative overhead; intsim charges space (costs.space_per_fte_month) and the "
        "registry as separate lines, so the central estimate is 25%, the mode of the 15-35% "
        "range (assumption: a generic overhead rate partly pays for space); dist: triangular "
        "(0.15, 0.25, 0.35)",
        bounds=(0.0, 2.0),
        plausible=(0.15, 0.35),
        dist=("triangular", 0.15, 0.25, 0.35),
    ),
    Param(
        "costs.psychiatry_model",
        "employed",
        "-",
        "How psychiatric consultant time is bought: an employed psychiatrist or a "
        "telepsychiatry vendor.",
        f"{EVIDENCE} D5, D7",
        kind="choice",
        choices=PSYCHIATRY_MODELS,
    ),
    Param(
        "costs.psychiatrist_hourly",
        184.0,
        "USD per hour",
        "Loaded hourly cost of an employed psychiatric consultant.",
        f"{EVIDENCE} D5: BLS mean $269,940 / 2,080 h x 1.42 = $184/h ($130-350); dist: lognormal, "
        "median 184, 95% interval 130-260 (D5 lognormal; lower end D5's $130/h, upper end its "
        "mirror on the log scale, assumption: D5's $350 is the contracted rate, see "
        "costs.telepsychiatry_hourly)",
        bounds=NONNEG,
        plausible=(130.0, 350.0),
        dist=("lognormal_median_ci", 184.0, 130.0, 260.0),
    ),
    Param(
        "costs.telepsychiatry_hourly",
        275.0,
        "USD per hour",
        "Telepsychiatry vendor rate per consultant hour.",
        f"{EVIDENCE} D7: EST $200-350/h; dist: lognormal (D7), median 275, sigma from the width of "
        "the EST range read as a 95% interval (realised 95% interval $208-364)",
        bounds=NONNEG,
        plausible=(200.0, 350.0),
        dist=("lognormal_median_ci", 275.0, 200.0, 350.0),
    ),
    Param(
        "costs.space_per_fte_month",
        500.0,
        "USD per FTE per month",
        "Office space and equipment per integration FTE.",
        "assumption: ~150 sq ft at ~$30/sq ft/yr plus equipment",
        bounds=NONNEG,
        plausible=(200.0, 1000.0),
    ),
    Param(
        "costs.registry_per_year",
        12000.0,
        "USD per year",
        "Registry / measurement-based-care platform subscription.",
        f"{BILLING} 6.2: ESTIMATE $3,000-30,000 per clinic per year; dist: PERT (3,000, 12,000, "
        "30,000) over the ESTIMATE range (expert range)",
        bounds=NONNEG,
        plausible=(3000.0, 30000.0),
        dist=("pert", 3000.0, 12000.0, 30000.0),
    ),
    Param(
        "costs.startup_leadership",
        112000.0,
        "USD",
        "Startup leadership and personnel time (planning, workflow redesign).",
        f"{EVIDENCE} E1 / {BILLING} 6.2: leadership ~70% of the $160k median implementation cost "
        "(Meadows 2023); dist: E1 lognormal (median $160k, 95% interval $50k-650k, sigma = its "
        "log width / 3.92 = 0.65) scaled by the 70% leadership share: median $112k, same sigma "
        "(given as $35k-455k; realised 95% interval $31k-404k); the whole E1 spread sits here, "
        "training and IT keep their own docs/billing.md 6.2 ranges",
        bounds=NONNEG,
        plausible=(30000.0, 450000.0),
        dist=("lognormal_median_ci", 112000.0, 35000.0, 455000.0),
    ),
    Param(
        "costs.startup_training",
        15000.0,
        "USD",
        "Initial team training.",
        f"{BILLING} 6.2: ESTIMATE $5,000-25,000 per clinic; dist: PERT (5,000, 15,000, 25,000) "
        "over the ESTIMATE range (expert range)",
        bounds=NONNEG,
        plausible=(5000.0, 25000.0),
        dist=("pert", 5000.0, 15000.0, 25000.0),
    ),
    Param(
        "costs.startup_it",
        20000.0,
        "USD",
        "One-time registry/EHR build.",
        f"{BILLING} 6.2: ESTIMATE $5,000-50,000; dist: PERT (5,000, 20,000, 50,000) over the "
        "ESTIMATE range (expert range)",
        bounds=NONNEG,
        plausible=(5000.0, 50000.0),
        dist=("pert", 5000.0, 20000.0, 50000.0),
    ),
    Param(
        "costs.recruitment_per_hire",
        4000.0,
        "USD per hire",
        "Recruitment cost per integration position filled at startup.",
        "assumption: advertising, agency and interviewing time",
        bounds=NONNEG,
        plausible=(1000.0, 20000.0),
    ),
    Param(
        "finance.discount_rate",
        0.03,
        "per year",
        "Annual discount rate for the NPV.",
        "assumption: 3% (US health-economic convention)",
        bounds=(0.0, 1.0),
        plausible=(0.0, 0.07),
    ),
    Param(
        "finance.counterfactual",
        True,
        "-",
        "Also simulate usual care on the same seed (common random numbers), for the payer's "
        "savings, shared-savings benchmarks and extra PCP visits.",
        "docs/architecture.md decision 3",
        kind="bool",
    ),
    # total cost of care and productivity
    Param(
        "tcoc.bh_cost_ratio",
        1.5,
        "ratio",
        "Non-acute cost of care of a patient in an active threshold depression episode, without "
        "a chronic condition, relative to one with no BH condition (other BH states carry a "
        "share of it: utilization.*_excess_share).",
        f"{EVIDENCE} C1: Simon 1995 adjusted 1.50 (1.5-1.8); dist: lognormal (C1), median 1.5, "
        "95% interval 1.25-1.8: upper end the unadjusted 1.79, lower end its mirror on the log "
        "scale (assumption)",
        bounds=NONNEG,
        plausible=(1.5, 1.8),
        dist=("lognormal_median_ci", 1.5, 1.25, 1.8),
    ),
    Param(
        "tcoc.chronic_cost_ratio",
        2.0,
        "ratio",
        "Non-acute cost of care of a patient with a chronic physical condition relative to one "
        "without.",
        "assumption: multimorbidity roughly doubles non-acute spending",
        bounds=NONNEG,
        plausible=(1.5, 3.0),
    ),
    Param(
        "tcoc.bh_chronic_cost_interaction",
        1.3,
        "ratio",
        "Extra factor on the BH non-acute cost ratio of a patient with a chronic physical "
        "condition (BH x chronic interaction; 1 = none).",
        f"assumption: {EVIDENCE} C1: Milliman 2014/2018 comorbid MH/SUD cost 2-3x, against "
        "Simon 1995's adjusted 1.50 overall: 2.0 / 1.5 = 1.33 at the low end; dist: lognormal, "
        "median 1.3, 95% interval 1.0-1.69 (no interaction at the lower end)",
        bounds=NONNEG,
        positive=True,
        plausible=(1.0, 1.69),
        dist=("lognormal_median_ci", 1.3, 1.0, 1.69),
    ),
    Param(
        "tcoc.age65_cost_ratio",
        1.3,
        "ratio",
        "Non-acute cost of care of a patient aged 65 or over relative to a younger one with the "
        "same payer, BH state and chronic condition.",
        "assumption: older members cost more within a payer; the gradient between payers is "
        "already in payers.*.tcoc_pmpm (Medicare $1,000 vs commercial $575) and much of the "
        "rest in tcoc.chronic_cost_ratio; dist: triangular (1.0, 1.3, 1.8), wide",
        bounds=NONNEG,
        positive=True,
        plausible=(1.0, 1.8),
        dist=("triangular", 1.0, 1.3, 1.8),
    ),
    Param(
        "tcoc.ed_visit_cost",
        1400.0,
        "USD per visit",
        "Payer cost of an ED visit that does not lead to admission.",
        "assumption: docs/evidence.md C4 unit costs missing; "
        "MEPS-scale ED expenditure $1,200-2,000",
        bounds=NONNEG,
        plausible=(1000.0, 2500.0),
    ),
    Param(
        "tcoc.admission_cost",
        14000.0,
        "USD per admission",
        "Payer cost of a hospital admission.",
        "assumption: docs/evidence.md C4 missing; HCUP mean cost per stay ~$13-15k (to verify)",
        bounds=NONNEG,
        plausible=(10000.0, 20000.0),
    ),
    Param(
        "tcoc.specialty_month_cost",
        250.0,
        "USD per patient-month",
        "Payer cost of a month of specialty mental-health treatment.",
        "assumption: ~2 outpatient psychotherapy visits at commercial rates",
        bounds=NONNEG,
        plausible=(150.0, 400.0),
    ),
    Param(
        "productivity.pcp_capacity_gain",
        0.02,
        "share of visit capacity",
        "Extra PCP visit capacity when BHCs take on behavioral needs (PCBH and hybrid).",
        f"{EVIDENCE} D3: EST 0-5% for adults, triangular(0, 2, 8)% (Gouge 2016 +42% is a "
        "pediatric upper bound)",
        bounds=(0.0, 1.0),
        plausible=(0.0, 0.08),
        dist=("triangular", 0.0, 0.02, 0.08),
    ),
)

MONEY_PARAMETERS: tuple[Param, ...] = OTHER_MONEY_PARAMETERS + _payer_params() + _contract_params()
