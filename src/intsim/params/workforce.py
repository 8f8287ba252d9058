"""Declaration of the workforce and startup-phasing parameters (issue 4).

Workforce dynamics (turnover, burnout, vacancies, time to fill, ramp-up, substitution) follow
docs/evidence.md D6-D7 and docs/billing.md 4.1; the rollout plan (phases, hiring lead, caseload
ramp, phase gates) follows docs/evidence.md E1-E2 and docs/billing.md 6. Figures without a
published source are marked ``assumption: ...`` with their basis.
"""

from __future__ import annotations

from intsim.params.spec import EVIDENCE, NONNEG, PROB, Param

BILLING = "docs/billing.md"
SHORTAGE_SEVERITIES: tuple[str, ...] = ("none", "moderate", "severe")
ROLLOUT_STRATEGIES: tuple[str, ...] = ("all_at_once", "phased", "pilot_then_scale")
PHASE_GATES: tuple[str, ...] = ("none", "net_positive", "caseload")
END_POLICIES: tuple[str, ...] = ("finish", "handback")

WORKFORCE_PARAMETERS: tuple[Param, ...] = (
    # ------------------------------------------------------------------ turnover and burnout
    Param(
        "workforce.enabled",
        True,
        "-",
        "Workforce dynamics: turnover, burnout, vacancies, time to fill and ramp-up of new hires "
        "(false: every position is filled at full productivity from month 1, as in the trials).",
        "docs/architecture.md (workforce layer); docs/evidence.md D6",
        kind="bool",
    ),
    Param(
        "workforce.bh_turnover_annual",
        0.30,
        "probability per year",
        "Annual turnover of behavioral-health staff (care managers, BHCs) at no burnout.",
        f"{EVIDENCE} D6: Brabson 2020 (industry average ~30%/yr), Woltmann 2008 (25-50%)",
        bounds=PROB,
        plausible=(0.18, 0.50),
        dist=("beta_mean_ci", 0.30, 0.18, 0.50),
        label="BH staff turnover",
    ),
    Param(
        "workforce.physician_turnover_annual",
        0.07,
        "probability per year",
        "Annual turnover of physicians (PCPs, employed psychiatric consultant) at no burnout.",
        f"{EVIDENCE} D6: Brabson 2020 (~7%/yr)",
        bounds=PROB,
        plausible=(0.04, 0.12),
        label="Physician turnover",
    ),
    Param(
        "workforce.burnout_threshold",
        1.0,
        "demand / capacity",
        "Load (work sought from a provider in the month / its capacity) above which burnout "
        "rises; at or below it burnout recovers. 1 = demand fills the schedule exactly.",
        "assumption: schedules are built to be full (e.g. BHC templates, D2), so burnout "
        "builds when demand exceeds them; no published threshold in docs/evidence.md",
        bounds=(0.0, 5.0),
        positive=True,
        plausible=(0.85, 1.2),
    ),
    Param(
        "workforce.burnout_rise",
        0.5,
        "burnout per month per unit of load above the threshold",
        "Monthly rise of burnout (0-1 scale) per unit of load above the threshold (the excess "
        "counts up to 1): at load 1.4 and threshold 1 burnout rises by 0.2 a month.",
        "assumption: full burnout after about 5 months at 40% overload",
        bounds=NONNEG,
        plausible=(0.2, 1.0),
    ),
    Param(
        "workforce.burnout_recovery",
        0.1,
        "burnout per month",
        "Monthly recovery of burnout (0-1 scale) while the load is at or below the threshold.",
        "assumption: recovery from full burnout takes about 10 months of normal load",
        bounds=PROB,
        plausible=(0.05, 0.25),
    ),
    Param(
        "workforce.burnout_turnover_hr",
        1.94,
        "hazard ratio",
        "Turnover hazard ratio at full burnout (linear in burnout: 1 at no burnout). The default "
        "turns 30%/yr into 50%/yr at full burnout.",
        f"assumption: full burnout takes turnover to the top of the reported 25-50%/yr range "
        f"(Woltmann 2008; {EVIDENCE} D6): ln(0.5) / ln(0.7) = 1.94",
        bounds=(1.0, 20.0),
        plausible=(1.5, 4.0),
    ),
    # ------------------------------------------------------------------ vacancies
    Param(
        "workforce.shortage_severity",
        "moderate",
        "-",
        "Workforce shortage of the area (as in a mental-health professional shortage area): "
        "scales the median time to fill a vacancy.",
        f"{EVIDENCE} D6: HRSA mental-health HPSA statistics",
        kind="choice",
        choices=SHORTAGE_SEVERITIES,
    ),
    Param(
        "workforce.fill_median_licensed_months",
        3.3,
        "months",
        "Median time to fill a licensed-clinician vacancy (care manager, BHC) at moderate "
        "shortage.",
        f"{EVIDENCE} D6: EST median 100 days (3-4 months); ABH Massachusetts 2022 survey",
        bounds=(0.0, 60.0),
        positive=True,
        plausible=(2.0, 5.0),
        label="Median time to fill a licensed post",
    ),
    Param(
        "workforce.fill_median_prescriber_months",
        6.6,
        "months",
        "Median time to fill a physician vacancy (PCP, employed psychiatric consultant) at "
        "moderate shortage.",
        f"{EVIDENCE} D6: EST median 200 days (6-9 months); ABH Massachusetts 2022 survey",
        bounds=(0.0, 60.0),
        positive=True,
        plausible=(4.0, 9.0),
        label="Median time to fill a prescriber post",
    ),
    Param(
        "workforce.fill_sigma",
        0.775,
        "log months",
        "Log-scale standard deviation of the lognormal time to fill (the long right tail).",
        f"{EVIDENCE} D6: lognormal with median 100 days and 90th percentile 270 days "
        "(ln(2.7) / 1.2816)",
        bounds=(0.0, 3.0),
        plausible=(0.5, 1.0),
    ),
    Param(
        "workforce.fill_multiplier_none",
        0.5,
        "x median",
        "Multiplier of the median time to fill where there is no shortage.",
        f"assumption: recruiters fill licensed-therapist roles in 30-75 days ({EVIDENCE} D6, "
        "grey literature), about half the moderate median",
        bounds=(0.0, 10.0),
        positive=True,
        label="Time-to-fill multiplier, no shortage",
    ),
    Param(
        "workforce.fill_multiplier_severe",
        2.5,
        "x median",
        "Multiplier of the median time to fill in a severe shortage area.",
        f"{EVIDENCE} D6: chosen so that 46% of licensed-clinician vacancies take >= 9 months, "
        "as reported by 46% of Massachusetts clinics (ABH 2022)",
        bounds=(0.0, 10.0),
        positive=True,
        label="Time-to-fill multiplier, severe shortage",
    ),
    Param(
        "workforce.vendor_contract_months",
        1,
        "months",
        "Months to start (or replace) a telepsychiatry or tele-care-management vendor contract.",
        "assumption: vendors staff a contract within weeks",
        kind="int",
        bounds=(0, 24),
    ),
    Param(
        "workforce.ramp_months",
        3,
        "months",
        "Months for a new hire to reach full productivity (linear ramp).",
        "assumption: onboarding of BH staff in primary care takes one quarter",
        kind="int",
        bounds=(0, 36),
        plausible=(1, 6),
    ),
    Param(
        "workforce.ramp_start_productivity",
        0.5,
        "proportion",
        "Productivity of a new hire in the first month (capacity share).",
        "assumption: half productive in the first month",
        bounds=PROB,
        plausible=(0.3, 0.8),
    ),
    Param(
        "workforce.cm_departure_disengagement",
        0.25,
        "probability",
        "Probability that a CoCM patient whose care manager leaves, and who cannot be reassigned "
        "within the other care managers' caseload caps, disengages instead of returning to the "
        "waitlist.",
        f"assumption: 24% of clients experience clinician turnover in a year ({EVIDENCE} D6); "
        "turnover disrupts engagement, no disengagement rate retrieved",
        bounds=PROB,
        plausible=(0.1, 0.5),
    ),
    # ------------------------------------------------------------------ substitution
    Param(
        "workforce.telepsychiatry_backfill",
        False,
        "-",
        "A vacant employed psychiatric-consultant position is covered by a telepsychiatry "
        "vendor (``costs.telepsychiatry_hourly``) until it is filled.",
        f"{EVIDENCE} D7: tele-CoCM at least as effective (Fortney 2013, SPIRIT 2021)",
        kind="bool",
    ),
    Param(
        "workforce.tele_cm_backfill",
        False,
        "-",
        "A vacant care-manager position is covered by a tele-care-management vendor until it "
        "is filled.",
        f"{EVIDENCE} D7: telephone/tele care management (Fortney 2013; Liu 2007, D1)",
        kind="bool",
    ),
    Param(
        "workforce.tele_cm_cost_ratio",
        1.25,
        "x loaded salary",
        "Cost of tele-care management per FTE relative to an employed care manager's loaded cost.",
        "assumption: vendor margin of ~25% over the loaded salary (as for telepsychiatry, D7)",
        bounds=(0.0, 5.0),
        plausible=(1.0, 1.6),
    ),
    Param(
        "workforce.tele_cm_productivity",
        0.9,
        "proportion",
        "Capacity share of a tele-care-management FTE (remote coordination with the team).",
        "assumption: slightly less capacity than on-site care management",
        bounds=PROB,
        plausible=(0.7, 1.0),
    ),
    Param(
        "workforce.trainee_fte",
        0.0,
        "FTE",
        "Trainees from an academic partnership (psychology interns, social-work students) in "
        "the BHC role (or the care-manager role in CoCM), rotating every "
        "``workforce.trainee_rotation_months``; BHC trainees' visits are not billed.",
        f"{BILLING} 6 (academic training partnerships); assumption: trainees cannot bill in "
        "their own name",
        bounds=(0.0, 50.0),
    ),
    Param(
        "workforce.trainee_productivity",
        0.6,
        "proportion",
        "Capacity share of a trainee FTE once ramped up.",
        "assumption: trainees carry a reduced schedule",
        bounds=PROB,
        plausible=(0.4, 0.8),
    ),
    Param(
        "workforce.trainee_supervision_hours_per_week",
        2.0,
        "hours per week per trainee FTE",
        "Licensed supervisors' time per trainee FTE, taken from the licensed staff of the "
        "trainee's role.",
        "assumption: 1-2 hours of individual supervision per week plus group supervision",
        bounds=(0.0, 40.0),
    ),
    Param(
        "workforce.trainee_rotation_months",
        12,
        "months",
        "Length of a trainee placement; a new cohort starts (and ramps up) at each rotation.",
        "assumption: academic-year placements",
        kind="int",
        bounds=(1, 120),
    ),
    Param(
        "workforce.lpc_mft_hiring",
        False,
        "-",
        "BHC vacancies are filled with licensed professional counselors or marriage and family "
        "therapists, who bill Medicare since 2024 at 75% of the fee schedule, cost "
        "``costs.lpc_salary`` and are found faster (``workforce.lpc_mft_fill_multiplier``).",
        f"{BILLING} 4.1 (CAA 2023 section 4121); {EVIDENCE} D4",
        kind="bool",
    ),
    Param(
        "workforce.lpc_mft_fill_multiplier",
        0.7,
        "x median",
        "Multiplier of the median time to fill a BHC vacancy when LPC/MFT hires are accepted.",
        f"assumption: a wider pool (~400,000 potential Medicare providers, {BILLING} 4.1, not "
        "verified)",
        bounds=(0.0, 10.0),
        positive=True,
        plausible=(0.5, 1.0),
    ),
    # ------------------------------------------------------------------ rollout
    Param(
        "rollout.strategy",
        "all_at_once",
        "-",
        "Rollout plan: every PCP team goes live together; in ``rollout.n_phases`` equal phases "
        "``rollout.phase_interval_months`` apart; or a pilot team of ``rollout.pilot_pcps`` "
        "PCPs, then everyone else ``rollout.pilot_months`` later.",
        f"{EVIDENCE} E2; {BILLING} 6.2",
        kind="choice",
        choices=ROLLOUT_STRATEGIES,
    ),
    Param(
        "rollout.first_go_live_month",
        1,
        "month",
        "Go-live month of the first phase.",
        "assumption: the simulation starts at the first go-live",
        kind="int",
        bounds=(1, 600),
        label="First go-live month",
    ),
    Param(
        "rollout.n_phases",
        3,
        "phases",
        "Number of phases of the phased strategy (PCP teams split as evenly as possible).",
        "assumption: a three-wave rollout",
        kind="int",
        bounds=(1, 50),
    ),
    Param(
        "rollout.phase_interval_months",
        6,
        "months",
        "Months between the scheduled go-lives of successive phases (phased strategy).",
        "assumption: one wave every six months",
        kind="int",
        bounds=(0, 120),
        plausible=(3, 12),
    ),
    Param(
        "rollout.pilot_pcps",
        2,
        "PCPs",
        "PCPs in the pilot team (pilot-then-scale strategy).",
        "assumption: a two-PCP pilot team",
        kind="int",
        bounds=(1, 1000),
    ),
    Param(
        "rollout.pilot_months",
        12,
        "months",
        "Months from the pilot's go-live to the scale-up's scheduled go-live.",
        "assumption: a one-year pilot",
        kind="int",
        bounds=(0, 120),
        plausible=(6, 24),
    ),
    Param(
        "rollout.hiring_lead_months",
        6,
        "months",
        "Recruitment for a phase opens this many months before its go-live; positions still "
        "unfilled at go-live stay vacant until filled (tele-coverage, if on, serves them from "
        "go-live).",
        f"assumption: about six months of preparation; fill times as in {EVIDENCE} D6",
        kind="int",
        bounds=(0, 36),
        plausible=(2, 9),
    ),
    Param(
        "rollout.caseload_ramp_start",
        0.64,
        "proportion of the caseload cap",
        "Care managers' caseload cap in a phase's first month after go-live, as a share of the "
        "full cap; it rises linearly to the full cap over ``rollout.caseload_ramp_months``.",
        f"{EVIDENCE} E2: caseload 51 (day 30) -> 65 -> 75 (day 90) -> 80 (Primary Care IPA)",
        bounds=PROB,
        plausible=(0.25, 1.0),
    ),
    Param(
        "rollout.caseload_ramp_months",
        3,
        "months",
        "Months after go-live until care managers may carry the full caseload cap.",
        f"{EVIDENCE} E2: 90% of target by ~4-6 months",
        kind="int",
        bounds=(0, 36),
        plausible=(1, 6),
    ),
    Param(
        "rollout.phase_launch_cost",
        10000.0,
        "USD per phase",
        "One-off cost of launching each phase after the first (workflow redesign, EHR build, "
        "team training beyond ``costs.startup_training``'s share), paid when its recruitment "
        "opens.",
        f"assumption: within the $5,000-25,000 training range of {BILLING} 6.2",
        bounds=NONNEG,
        plausible=(0.0, 30000.0),
    ),
    Param(
        "rollout.gate",
        "none",
        "-",
        "Phase gate: a later phase opens recruitment only when the live phases reach a "
        "condition — operating net >= 0 for ``rollout.gate_months`` months (``net_positive``) "
        "or care-manager/BHC load >= ``rollout.gate_caseload_share`` for as long "
        "(``caseload``); its go-live then follows ``rollout.hiring_lead_months`` later.",
        "assumption: adaptive rollout as recommended in implementation guides",
        kind="choice",
        choices=PHASE_GATES,
    ),
    Param(
        "rollout.gate_months",
        3,
        "months",
        "Consecutive months the gate condition must hold.",
        "assumption: one quarter",
        kind="int",
        bounds=(1, 36),
    ),
    Param(
        "rollout.gate_caseload_share",
        0.8,
        "proportion",
        "Caseload gate: active CoCM caseload / caseload cap (or BHC slots used / slots in PCBH) "
        "of the live phases.",
        f"assumption: ~80% of target caseload, the financial break-even zone ({BILLING} 6.2)",
        bounds=PROB,
        positive=True,
    ),
    Param(
        "rollout.end_month",
        0,
        "month",
        "Last month the programme accepts new patients (0: it never stops). From the next month "
        "no CoCM offers or enrolments, no BHC warm handoffs or new episodes; waitlists are "
        "cleared (back to usual care) and active patients follow ``rollout.end_policy``. Must "
        "lie between ``rollout.first_go_live_month`` and ``simulation.months``.",
        f"assumption: programmes funded for a fixed term, e.g. 1-5-year grants ({BILLING} 6.1), "
        "or trials that deliver care for 12 months and follow patients longer (IMPACT: "
        "docs/targets.md W1)",
        kind="int",
        bounds=(0, 600),
        off_value=0,
    ),
    Param(
        "rollout.end_policy",
        "finish",
        "-",
        "What happens to active patients when the programme ends: ``finish`` (CoCM patients "
        "finish their episode under the discharge rules, PCBH episodes their planned visits; "
        "each role's staff are released once its last patient has left) or ``handback`` (every "
        "programme patient returns to usual care at the end, the PCP deciding on treatment; "
        "all programme staff are released).",
        "assumption: a wind-down that lets enrolled patients complete their episode; IMPACT "
        "returned patients to their PCP after 12 months (docs/targets.md W1)",
        kind="choice",
        choices=END_POLICIES,
    ),
    # ------------------------------------------------------------------ partners
    Param(
        "partners.cmhc_salary_share",
        0.0,
        "proportion",
        "Share of care-manager and BHC salary cost paid by a community mental health center "
        "partner that seconds staff (booked as partner revenue).",
        f"{BILLING} 6 (CMHC staffing partnerships)",
        bounds=PROB,
    ),
    Param(
        "partners.cmhc_months",
        24,
        "months",
        "The CMHC partner pays its share from month 1 (staff onboarding before go-live "
        "included) until this many months after the first go-live.",
        "assumption: a two-year partnership agreement",
        kind="int",
        bounds=(0, 600),
    ),
    Param(
        "grants.phase",
        0,
        "phase",
        "Attach the grant to a rollout phase: 0 starts it at ``grants.start_month``; k >= 1 "
        "starts it at phase k's go-live (after any gate).",
        f"{BILLING} 6.1 (grants fund a defined expansion)",
        kind="int",
        bounds=(0, 50),
    ),
    Param(
        "costs.lpc_salary",
        59190.0,
        "USD per FTE-year",
        "Salary of an LPC/MFT hired as a BHC (``workforce.lpc_mft_hiring``).",
        f"{EVIDENCE} D4: BLS OOH 2024 median, counselors (21-1018)",
        bounds=NONNEG,
        plausible=(50000.0, 75000.0),
    ),
    Param(
        "costs.trainee_stipend",
        30000.0,
        "USD per FTE-year",
        "Stipend and program fee per trainee FTE (no benefits or space load beyond space).",
        "assumption: psychology internship stipends are ~$30,000 a year",
        bounds=NONNEG,
        plausible=(0.0, 45000.0),
    ),
)


def split_fte(total_fte: float) -> list[float]:
    """Split a total FTE into positions of 1.0 FTE and one remainder (e.g. 2.5 -> 1, 1, 0.5)."""
    whole = int(total_fte)
    out = [1.0] * whole
    rest = round(total_fte - whole, 6)
    if rest > 0:
        out.append(rest)
    return out
