"""The parameter declaration: every model parameter is declared exactly once, here.

Each :class:`Param` carries its dotted key path in the scenario file, unit, default, hard validity
bounds (what the YAML validator enforces), a plausible range (what sensitivity analyses sweep), an
optional uncertainty distribution (what Monte Carlo samples) and the source of the default
(a citation from ``shared/reference`` or an explicit ``assumption: ...``).

From this one table come the scenario schema and its error messages (:mod:`intsim.scenario`), the
parameter table of the paper (``intsim params``) and, later, Monte Carlo distributions and Sobol
bounds. Rates are stated per month; annual figures are converted with ``1 - exp(-h)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["float", "int", "bool", "choice"]

CARE_MODELS: tuple[str, ...] = ("usual_care", "cocm", "pcbh", "hybrid")
ENGINES: tuple[str, ...] = ("arrays", "agents")
PAYERS: tuple[str, ...] = ("medicare", "medicaid", "commercial", "dual", "uninsured")

EVIDENCE = "evidence.md"
CALIB = "calibration_targets.md"
FIT = "fitted by experiments/calibration.py --fit"


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    Attributes:
        path: Dotted key path in the scenario file, e.g. ``cocm.caseload_per_fte``.
        default: Default value (before any scenario file or override).
        unit: Unit, e.g. ``probability per month``, ``minutes``, ``USD per year``.
        description: What the parameter means in the model.
        source: Citation for the default, or ``assumption: ...`` with its basis.
        kind: Value type: ``float``, ``int``, ``bool`` or ``choice``.
        bounds: Hard validity bounds ``(low, high)``, inclusive; ``None`` for unbounded sides.
        plausible: Plausible range ``(low, high)`` for sensitivity analysis.
        dist: Optional uncertainty distribution, e.g. ``("beta_mean_ci", 0.3, 0.18, 0.5)``.
        choices: Allowed values for ``kind="choice"``.
        positive: If true, the value must be strictly greater than the lower bound.
    """

    path: str
    default: Any
    unit: str
    description: str
    source: str
    kind: Kind = "float"
    bounds: tuple[float | None, float | None] = (None, None)
    plausible: tuple[float, float] | None = None
    dist: tuple[Any, ...] | None = None
    choices: tuple[str, ...] = ()
    positive: bool = False

    @property
    def section(self) -> str:
        """The top-level section of the key path (``""`` for top-level keys)."""
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""

    @property
    def name(self) -> str:
        """The last component of the key path."""
        return self.path.rsplit(".", 1)[-1]

    def expectation(self) -> str:
        """Human-readable statement of the valid values, used in error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        low, high = self.bounds
        noun = "an integer" if self.kind == "int" else "a number"
        if low is not None and high is not None:
            return f"{noun} in {'(' if self.positive else '['}{_fmt(low)}, {_fmt(high)}]"
        if low is not None:
            return f"{noun} {'>' if self.positive else '>='} {_fmt(low)}"
        if high is not None:
            return f"{noun} <= {_fmt(high)}"
        return noun


def _fmt(x: float) -> str:
    # Integers exactly (``2**63 - 1`` must not read ``9.22337e+18``), other numbers compactly.
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return f"{x:g}"


def annual_to_monthly_probability(p_year: float) -> float:
    """Convert an annual probability to a monthly probability with a constant hazard.

    Args:
        p_year: Probability of the event within one year.

    Returns:
        Probability per month, ``1 - (1 - p_year) ** (1 / 12)``.
    """
    return 1.0 - math.exp(math.log1p(-p_year) / 12.0)


PROB = (0.0, 1.0)
NONNEG = (0.0, None)

PARAMETERS: tuple[Param, ...] = (
    # ------------------------------------------------------------------ simulation
    Param(
        "care_model",
        "hybrid",
        "-",
        "Care model: usual care, CoCM, PCBH or a hybrid of both.",
        "DESIGN.md",
        kind="choice",
        choices=CARE_MODELS,
    ),
    Param(
        "simulation.months",
        60,
        "months",
        "Simulation horizon.",
        "assumption: 5-year horizon typical of budget-impact and sustainability analyses",
        kind="int",
        bounds=(1, 600),
    ),
    Param(
        "simulation.seed",
        1,
        "-",
        "Root seed of all random streams (must be >= 1).",
        "DESIGN.md decision 3",
        kind="int",
        bounds=(1, 2**63 - 1),
    ),
    Param(
        "simulation.engine",
        "arrays",
        "-",
        "Patient engine: vectorised arrays or one Mesa agent per patient (identical results).",
        "DESIGN.md decision 2",
        kind="choice",
        choices=ENGINES,
    ),
    Param(
        "simulation.start_year",
        2026,
        "calendar year",
        "Calendar year of month 1 (selects the fee schedule and price year).",
        "assumption: current year",
        kind="int",
        bounds=(2025, 2035),
    ),
    # ------------------------------------------------------------------ population
    Param(
        "population.n_patients",
        20000,
        "patients",
        "Adult primary-care panel size at month 1.",
        "assumption: 10 PCPs x 2,000 patients (typical adult panel)",
        kind="int",
        bounds=(1, 2_000_000),
        plausible=(5000, 40000),
    ),
    Param(
        "population.monthly_attrition",
        0.008,
        "probability per month",
        "Probability a patient leaves the panel each month (replaced by a new patient).",
        "assumption: ~9%/yr panel churn",
        bounds=PROB,
        plausible=(0.004, 0.015),
    ),
    Param(
        "population.share_age_65plus",
        0.25,
        "proportion",
        "Share of adults aged 65 or over.",
        "assumption: adult primary-care panel age mix",
        bounds=PROB,
        plausible=(0.15, 0.5),
    ),
    Param(
        "population.chronic_condition_prevalence",
        0.40,
        "proportion",
        "Share of patients with a chronic physical condition (diabetes, heart failure, COPD...).",
        "assumption: adult primary-care panels (comorbidity context in evidence.md A4)",
        bounds=PROB,
        plausible=(0.3, 0.6),
    ),
    Param(
        "population.chronic_condition_incidence",
        0.002,
        "probability per month",
        "Monthly onset of a chronic physical condition.",
        "assumption: ~2.4%/yr",
        bounds=PROB,
        plausible=(0.001, 0.004),
    ),
    Param(
        "population.payer_mix.medicare",
        0.22,
        "proportion",
        "Share of patients with Medicare.",
        "assumption: mixed-payer adult practice",
        bounds=PROB,
    ),
    Param(
        "population.payer_mix.medicaid",
        0.25,
        "proportion",
        "Share with Medicaid.",
        "assumption: mixed-payer adult practice",
        bounds=PROB,
    ),
    Param(
        "population.payer_mix.commercial",
        0.40,
        "proportion",
        "Share with commercial insurance.",
        "assumption: mixed-payer adult practice",
        bounds=PROB,
    ),
    Param(
        "population.payer_mix.dual",
        0.05,
        "proportion",
        "Share dually eligible.",
        "assumption: mixed-payer adult practice",
        bounds=PROB,
    ),
    Param(
        "population.payer_mix.uninsured",
        0.08,
        "proportion",
        "Share uninsured / self-pay.",
        "assumption: mixed-payer adult practice",
        bounds=PROB,
    ),
    Param(
        "population.threshold_prevalence",
        0.13,
        "proportion",
        "Share with a threshold depression/anxiety episode (PHQ-9/GAD-7 >= 10) at month 1.",
        f"{EVIDENCE} A1: Blackmore 2022 13% positive screens; Pyne 2015 14.8%",
        bounds=PROB,
        plausible=(0.10, 0.16),
        dist=("beta_mean_ci", 0.13, 0.11, 0.15),
    ),
    Param(
        "population.subthreshold_prevalence",
        0.13,
        "proportion",
        "Share with subthreshold distress (score 5-9) at month 1.",
        f"{EVIDENCE} A1: PRIME-MD 1000 13% subthreshold",
        bounds=PROB,
        plausible=(0.08, 0.18),
    ),
    Param(
        "population.remitted_prevalence",
        0.03,
        "proportion",
        "Share in remission from a recent episode at month 1 (at risk of relapse).",
        "assumption: recent-episode share consistent with A1 prevalence and B3 relapse",
        bounds=PROB,
        plausible=(0.0, 0.06),
    ),
    Param(
        "population.initial_episode_months_max",
        24,
        "months",
        "Episode months of prevalent threshold episodes at month 1 are drawn uniformly from "
        "0 to this value - 1.",
        "assumption: prevalent episodes have lasted up to two years",
        kind="int",
        bounds=(1, 240),
    ),
    Param(
        "population.anxiety_share",
        0.40,
        "proportion",
        "Share of threshold episodes whose primary condition is anxiety (rest: depression).",
        f"assumption: from {EVIDENCE} A1 anxiety 19.5% vs MDD 7.3% with large overlap",
        bounds=PROB,
        plausible=(0.3, 0.5),
    ),
    Param(
        "population.chronic_episode_share",
        0.20,
        "proportion",
        "Share of new threshold episodes that are chronic (constant low improvement hazard).",
        f"{EVIDENCE} B2: NEMESIS ~20% not recovered at 24 months",
        bounds=PROB,
        plausible=(0.1, 0.3),
    ),
    Param(
        "population.severe_share",
        0.20,
        "proportion",
        "Share of threshold episodes that start severe (score 20-27).",
        "assumption: PHQ-9 severity mix of screen-positive primary-care patients",
        bounds=PROB,
        plausible=(0.1, 0.3),
    ),
    Param(
        "population.moderately_severe_share",
        0.30,
        "proportion",
        "Share of threshold episodes that start moderately severe (score 15-19).",
        "assumption: PHQ-9 severity mix of screen-positive primary-care patients",
        bounds=PROB,
        plausible=(0.2, 0.4),
    ),
    # ------------------------------------------------------------------ clinical course
    Param(
        "clinical.incidence",
        0.00487,
        "probability per month",
        "First onset of a threshold episode among patients without one (relapses and "
        "progression from subthreshold distress come on top).",
        f"{EVIDENCE} A3 recommendation: solved so that simulated usual-care prevalence "
        "(months 61-120) matches A1 (13%); fitted by bisection in experiments/calibration.py "
        "--fit (A3 identity estimate 0.0049)",
        bounds=PROB,
        plausible=(0.0024, 0.0083),
    ),
    Param(
        "clinical.subthreshold_incidence",
        0.012,
        "probability per month",
        "Onset of subthreshold distress among patients without a condition.",
        "assumption: keeps subthreshold prevalence near PRIME-MD 13% at steady state",
        bounds=PROB,
        plausible=(0.006, 0.02),
    ),
    Param(
        "clinical.subthreshold_resolution",
        0.06,
        "probability per month",
        "Resolution of subthreshold distress without care.",
        "assumption",
        bounds=PROB,
        plausible=(0.03, 0.12),
    ),
    Param(
        "clinical.subthreshold_progression",
        0.01,
        "probability per month",
        "Progression of subthreshold distress to a threshold episode.",
        "assumption",
        bounds=PROB,
        plausible=(0.005, 0.02),
    ),
    Param(
        "clinical.remission_weibull_shape",
        1.125,
        "-",
        "Weibull shape of natural improvement of acute threshold episodes (by episode month).",
        f"{CALIB} T1 calibrated: least squares to Whiteford 2013 (23/32/53% at 3/6/12 months), "
        f"{FIT} (grid search). The single-Weibull fit in {EVIDENCE} B2 (0.77, 17.3) ignores "
        "chronic episodes and relapse; with the 20% chronic episodes and relapses of this model "
        "the decreasing cohort hazard comes from the chronic mixture, and acute episodes fit a "
        "shape slightly above 1",
        bounds=(0.0, None),
        positive=True,
        plausible=(0.9, 1.4),
    ),
    Param(
        "clinical.remission_weibull_scale",
        8.5,
        "months",
        "Weibull scale of natural improvement of acute threshold episodes.",
        f"{CALIB} T1 calibrated jointly with the shape ({FIT})",
        bounds=(0.0, None),
        positive=True,
        plausible=(6.0, 12.0),
    ),
    Param(
        "clinical.chronic_improvement_hazard",
        0.0225,
        "hazard per month",
        "Improvement hazard of chronic episodes without treatment.",
        f"{CALIB} T3 calibrated: IMPACT usual-care arm 19% response at 12 months with relapse "
        f"counting against; bisection, {FIT} (constant-hazard prior 0.0176)",
        bounds=NONNEG,
        plausible=(0.012, 0.03),
    ),
    Param(
        "clinical.recovery_hazard",
        0.25,
        "probability per month",
        "Monthly probability that a responder reaches full remission (score < 5).",
        f"assumption: real-world CoCM remission 32.6% vs improvement 58% ({EVIDENCE} B1)",
        bounds=PROB,
        plausible=(0.15, 0.4),
    ),
    Param(
        "clinical.response_residual_low",
        0.1,
        "share of score",
        "Lowest share of the score left after a response (drawn uniformly between low and high).",
        "assumption: a response is a >= 50% reduction; responders keep 10-50% of their score",
        bounds=PROB,
        plausible=(0.0, 0.3),
    ),
    Param(
        "clinical.response_residual_high",
        0.5,
        "share of score",
        "Highest share of the score left after a response.",
        "assumption: response means a reduction of at least 50%",
        bounds=PROB,
        plausible=(0.4, 0.5),
    ),
    Param(
        "clinical.relapse_hazard",
        0.0387,
        "hazard per month",
        "Relapse hazard after remission (usual care).",
        f"{CALIB} T2 calibrated: Lin 1998, 37.1% within 12 months; bisection, {FIT}",
        bounds=NONNEG,
        plausible=(0.02, 0.05),
    ),
    Param(
        "clinical.residual_relapse_or",
        3.3,
        "odds ratio",
        "Odds ratio of 12-month relapse for responders with residual symptoms (not yet remitted), "
        "applied to the 12-month relapse probability after remission.",
        f"{EVIDENCE} B3: Lin 1998 OR 3.3 (2.74-3.93) for residual subthreshold symptoms",
        bounds=(1.0, None),
        plausible=(2.74, 3.93),
    ),
    Param(
        "clinical.sustained_remission_months",
        24,
        "months",
        "Months in remission after which a patient counts as recovered (back to baseline risk).",
        "assumption",
        kind="int",
        bounds=(1, 120),
    ),
    Param(
        "clinical.score_measurement_sd",
        2.0,
        "score points",
        "SD of the difference between an observed PHQ-9/GAD-7 score and the true score.",
        "assumption: PHQ-9 test-retest reliability ~0.84 with a score SD ~5 points",
        bounds=NONNEG,
        plausible=(0.0, 3.0),
    ),
    Param(
        "clinical.pcp_treatment_hr",
        1.2,
        "hazard ratio",
        "Improvement-hazard ratio of usual-care PCP treatment (e.g. antidepressant) vs none.",
        "assumption: modest effect of usual-care treatment",
        bounds=(0.0, None),
        plausible=(1.0, 1.5),
    ),
    Param(
        "clinical.specialty_treatment_hr",
        1.5,
        "hazard ratio",
        "Improvement-hazard ratio of attended specialty mental-health care vs none.",
        "assumption",
        bounds=(0.0, None),
        plausible=(1.2, 2.0),
    ),
    Param(
        "clinical.cocm_response_hr",
        3.40,
        "hazard ratio",
        "Improvement-hazard ratio of CoCM at full fidelity (follow-up within 4 weeks, psychiatric "
        "review of non-improvers) and a mature programme.",
        f"{CALIB} T3 calibrated: IMPACT CoCM arm 45% response at 12 months (trial fidelity); "
        f"bisection, {FIT}. Real-world effects come out lower through missed follow-up and "
        f"review ({EVIDENCE} B4) and the learning curve (E2), toward the B1 prior median 1.8",
        bounds=(0.0, None),
        plausible=(2.5, 4.6),
        dist=("lognormal_median_ci", 3.40, 2.5, 4.6),
    ),
    Param(
        "clinical.anxiety_cocm_effect_ratio",
        1.14,
        "ratio of hazard ratios",
        "Multiplier of the CoCM hazard ratio for anxiety-primary episodes.",
        f"{EVIDENCE} B1: Archer 2012 response RR 1.50 for anxiety vs 1.32 for depression "
        "(0-6 months); the RR ratio used as a hazard-ratio multiplier (assumption)",
        bounds=(0.0, None),
        positive=True,
        plausible=(1.0, 1.3),
    ),
    Param(
        "clinical.pcbh_response_hr",
        1.1,
        "hazard ratio",
        "Improvement-hazard ratio of a PCBH episode vs none.",
        f"{EVIDENCE} B5 modelling recommendation: 1.1 (95% 0.9-1.4); Littenberg 2023 null RCT",
        bounds=(0.0, None),
        plausible=(0.9, 1.4),
        dist=("lognormal_median_ci", 1.1, 0.9, 1.4),
    ),
    Param(
        "clinical.pcbh_subthreshold_resolution_hr",
        1.5,
        "hazard ratio",
        "Resolution-hazard ratio of subthreshold distress after a PCBH episode.",
        f"assumption: Bryan 2009 improvement within 2-3 visits ({EVIDENCE} B5)",
        bounds=(0.0, None),
        plausible=(1.0, 2.0),
    ),
    Param(
        "clinical.followup_4wk_hr",
        2.06,
        "hazard ratio",
        "Improvement-hazard ratio of care-manager follow-up within 4 weeks of enrolment.",
        f"{EVIDENCE} B4: Bao 2016 HR 2.06 (1.67-2.54)",
        bounds=(1.0, None),
        plausible=(1.67, 2.54),
    ),
    Param(
        "clinical.psychiatric_review_hr",
        1.44,
        "hazard ratio",
        "Improvement-hazard ratio of a psychiatric consultation for non-improvers at 8-12 weeks.",
        f"{EVIDENCE} B4: Bao 2016 OR 1.44 (1.13-1.84), used as a hazard ratio",
        bounds=(1.0, None),
        plausible=(1.13, 1.84),
    ),
    Param(
        "clinical.learning_start",
        0.6,
        "fraction",
        "Share of the CoCM/PCBH treatment effect (HR - 1) achieved at go-live.",
        f"{EVIDENCE} E2: Carlo 2019 learning curve; ramp factor 0.6 -> 1.0 (EST)",
        bounds=PROB,
        plausible=(0.4, 1.0),
    ),
    Param(
        "clinical.learning_months",
        24,
        "months",
        "Months after go-live until the full treatment effect is reached (linear ramp).",
        f"{EVIDENCE} E2: Carlo 2019, outcomes improve for ~2 years",
        kind="int",
        bounds=(0, 240),
        plausible=(12, 36),
    ),
    # ------------------------------------------------------------------ utilisation
    Param(
        "utilization.pcp_visits_per_year",
        2.6,
        "visits per patient per year",
        "Baseline PCP visit rate of a patient without chronic or BH conditions.",
        "assumption: adult primary-care visit frequency",
        bounds=NONNEG,
        plausible=(1.5, 4.0),
    ),
    Param(
        "utilization.chronic_visit_rr",
        1.6,
        "rate ratio",
        "PCP visit-rate multiplier for a chronic physical condition.",
        "assumption",
        bounds=NONNEG,
        plausible=(1.2, 2.0),
    ),
    Param(
        "utilization.bh_visit_rr",
        1.5,
        "rate ratio",
        "PCP visit-rate multiplier during a threshold BH episode.",
        f"assumption: Simon 1995 cost ratio 1.5-1.8 ({EVIDENCE} C1)",
        bounds=NONNEG,
        plausible=(1.2, 1.8),
    ),
    Param(
        "utilization.ed_visits_per_100py",
        23.5,
        "ED visits per 100 person-years",
        "ED visit rate, panel average under usual care (split by chronic and BH state with "
        "the IRRs so the month-1 panel reproduces it).",
        f"{EVIDENCE} C2: Reiss-Brennan 2016 TPM arm",
        bounds=NONNEG,
        plausible=(15.0, 35.0),
    ),
    Param(
        "utilization.admissions_per_100py",
        10.6,
        "admissions per 100 person-years",
        "Hospital admission rate, panel average under usual care (split by state as for ED).",
        f"{EVIDENCE} C2: Reiss-Brennan 2016 TPM arm",
        bounds=NONNEG,
        plausible=(6.0, 15.0),
    ),
    Param(
        "utilization.depression_ed_irr",
        1.61,
        "incidence-rate ratio",
        "ED visit multiplier during a threshold BH episode (active or responding).",
        f"{EVIDENCE} C2: Beiser 2019 IRR 1.61 (1.27-2.03)",
        bounds=NONNEG,
        plausible=(1.27, 2.03),
        dist=("lognormal_median_ci", 1.61, 1.27, 2.03),
    ),
    Param(
        "utilization.depression_admission_irr",
        1.49,
        "incidence-rate ratio",
        "Admission multiplier during a threshold BH episode.",
        f"{EVIDENCE} C2: Beiser 2019 IRR 1.49 (1.06-2.09)",
        bounds=NONNEG,
        plausible=(1.06, 2.09),
        dist=("lognormal_median_ci", 1.49, 1.06, 2.09),
    ),
    Param(
        "utilization.chronic_acute_irr",
        2.0,
        "incidence-rate ratio",
        "ED and admission multiplier for a chronic physical condition.",
        "assumption: multimorbidity raises acute-care use",
        bounds=NONNEG,
        plausible=(1.5, 3.0),
    ),
    # ------------------------------------------------------------------ detection & usual care
    Param(
        "detection.pcp_sensitivity",
        0.501,
        "probability",
        "Probability an unassisted PCP recognises a threshold episode at a visit.",
        f"{EVIDENCE} A2: Mitchell 2009 sensitivity 50.1% (41.3-59.0)",
        bounds=PROB,
        plausible=(0.413, 0.59),
    ),
    Param(
        "detection.screening_rate",
        0.87,
        "probability",
        "Probability a PCP visit includes PHQ-9/GAD-7 screening when a screening programme runs.",
        f"{CALIB} T4: Blackmore 2022 87% screened",
        bounds=PROB,
        plausible=(0.5, 0.95),
    ),
    Param(
        "detection.positive_score",
        10,
        "PHQ-9/GAD-7 points",
        "Screening score at or above which a screen is positive (eligible for CoCM; threshold "
        "need for PCBH triage).",
        f"{EVIDENCE} A1: PHQ-9/GAD-7 >= 10",
        kind="int",
        bounds=(0, 27),
    ),
    Param(
        "detection.pcp_treats",
        0.52,
        "probability",
        "Probability a recognised threshold patient in usual care is treated by the PCP or "
        "referred (rest: watchful waiting).",
        f"{EVIDENCE} A2: Kessler 2003 51.6% treated",
        bounds=PROB,
        plausible=(0.4, 0.65),
    ),
    Param(
        "detection.specialty_referral_share",
        0.30,
        "proportion",
        "Share of treated usual-care patients referred to specialty mental-health care.",
        f"assumption: Wolk 2021 70% of referrals to specialty ({EVIDENCE} B6) in integrated "
        "practices; lower in usual care",
        bounds=PROB,
        plausible=(0.2, 0.5),
    ),
    Param(
        "detection.specialty_attendance",
        0.65,
        "probability",
        "Probability a referred patient attends the first specialty visit.",
        f"{EVIDENCE} B6: 60-70% (Psychiatr Serv 2021)",
        bounds=PROB,
        plausible=(0.44, 0.7),
    ),
    Param(
        "detection.treatment_months",
        6,
        "months",
        "Length of a usual-care PCP or specialty treatment course.",
        "assumption",
        kind="int",
        bounds=(1, 60),
        plausible=(3, 12),
    ),
    # ------------------------------------------------------------------ staffing
    Param(
        "staffing.n_pcps",
        10,
        "providers",
        "Number of primary care providers (1.0 FTE each).",
        "assumption: 10-PCP organisation",
        kind="int",
        bounds=(1, 10000),
    ),
    Param(
        "staffing.pcp_visits_per_day",
        24,
        "visits per day",
        "PCP visit capacity per working day.",
        "assumption: typical adult PCP schedule",
        kind="int",
        bounds=(1, 60),
        plausible=(16, 26),
    ),
    Param(
        "staffing.working_days_per_month",
        21,
        "days per month",
        "Clinic days per month.",
        "assumption: 252 working days per year",
        kind="int",
        bounds=(1, 31),
    ),
    Param(
        "staffing.care_manager_fte",
        2.0,
        "FTE",
        "Behavioral health care managers (CoCM).",
        "assumption: hybrid default; AIMS caseload 80 per FTE",
        bounds=NONNEG,
        plausible=(0.5, 4.0),
    ),
    Param(
        "staffing.bhc_fte",
        2.5,
        "FTE",
        "Behavioral health consultants (PCBH).",
        f"{EVIDENCE} D2: 1 BHC per 7,500 patients (Hunter & Goodie 2010)",
        bounds=NONNEG,
        plausible=(1.0, 4.0),
    ),
    Param(
        "staffing.psychiatric_consultant_hours_per_week",
        6.0,
        "hours per week",
        "Psychiatric consultant time for systematic caseload review.",
        f"{EVIDENCE} D1: 3 h/week per 1.0 FTE care manager (AIMS)",
        bounds=NONNEG,
        plausible=(2.0, 12.0),
    ),
    Param(
        "staffing.hours_per_fte_month",
        160.0,
        "hours per month",
        "Paid hours per 1.0 FTE per month.",
        "assumption: 40 h x 4 weeks",
        bounds=NONNEG,
        positive=True,
    ),
    Param(
        "staffing.cm_patient_time_share",
        0.65,
        "proportion",
        "Share of care-manager hours available for patient-related (billable-type) work.",
        f"assumption: the rest goes to caseload review, outreach attempts, registry upkeep, "
        f"meetings and training ({EVIDENCE} D1: failed contacts 9-11 min each, Liu 2007)",
        bounds=PROB,
        positive=True,
        plausible=(0.55, 0.85),
    ),
    Param(
        "staffing.shared_bhc_cm_share",
        0.0,
        "proportion",
        "Hybrid only: share of BHC minutes usable for care-management work when BHCs have "
        "slack (staff shared between roles).",
        "assumption",
        bounds=PROB,
    ),
    # ------------------------------------------------------------------ CoCM
    Param(
        "cocm.offer_probability",
        0.808,
        "probability",
        "Probability an eligible screen-positive patient is reached and offered CoCM.",
        f"{CALIB} T4 calibrated: 56% of eligible engaged (Blackmore 2022) with consent held at "
        f"0.70 ({EVIDENCE} E3); bisection, {FIT}",
        bounds=PROB,
        plausible=(0.5, 0.95),
    ),
    Param(
        "cocm.consent_probability",
        0.70,
        "probability",
        "Probability an offered patient consents to CoCM.",
        f"{EVIDENCE} E3: EST 70-90% of offered; {CALIB} T4 calibrated jointly with offer",
        bounds=PROB,
        plausible=(0.5, 0.9),
        dist=("beta_mean_ci", 0.7, 0.55, 0.85),
    ),
    Param(
        "cocm.early_disengagement",
        0.248,
        "probability",
        "Probability an enrolled patient disengages after the initial assessment, before any "
        "follow-up contact.",
        f"{CALIB} T4 calibrated: Blackmore 2022 25% of engaged without follow-up; bisection, {FIT}",
        bounds=PROB,
        plausible=(0.15, 0.35),
    ),
    Param(
        "cocm.monthly_dropout",
        0.06,
        "probability per month",
        "Disengagement from CoCM per month after the first follow-up.",
        f"{EVIDENCE} B6: EST 4-8%/month",
        bounds=PROB,
        plausible=(0.04, 0.08),
    ),
    Param(
        "cocm.waitlist_dropout",
        0.15,
        "probability per month",
        "Probability a patient waiting for a CoCM slot gives up each month.",
        f"assumption: attendance falls ~5% (odds) per week of wait ({EVIDENCE} B6)",
        bounds=PROB,
        plausible=(0.05, 0.3),
    ),
    Param(
        "cocm.caseload_per_fte",
        80,
        "patients per FTE",
        "Active caseload cap per 1.0 FTE care manager.",
        f"{EVIDENCE} D1: AIMS Center caseload guidance 80 (50-120)",
        kind="int",
        bounds=(1, 1000),
        plausible=(50, 120),
    ),
    Param(
        "cocm.max_episode_months",
        12,
        "months",
        "Discharge from CoCM after this many months at the latest.",
        "assumption: 12-month CoCM episodes (IMPACT)",
        kind="int",
        bounds=(1, 60),
    ),
    Param(
        "cocm.discharge_after_response_months",
        3,
        "months",
        "Discharge after this many consecutive months of response or remission.",
        "assumption: sustained response before relapse-prevention plan",
        kind="int",
        bounds=(1, 24),
    ),
    Param(
        "cocm.minutes_initial_month",
        75.0,
        "minutes per patient-month",
        "Mean care-manager minutes in the enrolment month (front-loaded).",
        f"{EVIDENCE} D1: gamma mean 60-75 in month 1 (EST); 99492 typical 70 min; VA initial "
        "assessment 75-95 min (Liu 2007)",
        bounds=NONNEG,
        plausible=(60, 95),
    ),
    Param(
        "cocm.minutes_followup_month",
        60.0,
        "minutes per patient-month",
        "Mean care-manager minutes in later months.",
        f"{EVIDENCE} D1: gamma mean 35-60 later (EST); 99493 typical 60 min; VA follow-up "
        "51-60 min per contact (Liu 2007)",
        bounds=NONNEG,
        plausible=(35, 75),
    ),
    Param(
        "cocm.minutes_cv",
        0.35,
        "coefficient of variation",
        "Between-patient variation of monthly care-manager minutes (gamma).",
        "assumption",
        bounds=NONNEG,
        plausible=(0.2, 0.5),
    ),
    Param(
        "cocm.psychiatric_review_minutes",
        15.0,
        "minutes per patient",
        "Psychiatric consultant time per systematic case review.",
        "assumption: 2-4 h/week reviews ~10-15 patients",
        bounds=NONNEG,
        positive=True,
        plausible=(10, 30),
    ),
    Param(
        "cocm.review_month",
        2,
        "episode month",
        "Episode month (1 = enrolment month) from which non-improvers are reviewed (8-12 weeks).",
        f"{EVIDENCE} B4: Bao 2016 psychiatric consultation at weeks 8-12",
        kind="int",
        bounds=(1, 12),
    ),
    Param(
        "cocm.enrol_prevalent_at_start",
        False,
        "-",
        "Trial mode: at month 1 every patient with a threshold episode is diagnosed and offered "
        "CoCM at once (no visit or screen needed).",
        f"{CALIB} T3 (IMPACT: 100% diagnosed and enrolled at t=0)",
        kind="bool",
    ),
    # ------------------------------------------------------------------ PCBH
    Param(
        "pcbh.visit_minutes",
        30,
        "minutes",
        "Length of a BHC visit.",
        f"{EVIDENCE} D2: 15-30 min (Davis 2015)",
        kind="int",
        bounds=(5, 120),
        plausible=(15, 30),
    ),
    Param(
        "pcbh.visits_per_day",
        8,
        "visits per day per FTE",
        "BHC encounters per day.",
        f"{EVIDENCE} D2: EST 8 (PERT 4, 8, 12)",
        kind="int",
        bounds=(1, 30),
        plausible=(4, 12),
        dist=("pert", 4, 8, 12),
    ),
    Param(
        "pcbh.same_day_slot_share",
        0.5,
        "proportion",
        "Share of BHC slots held open for same-day warm handoffs.",
        f"{EVIDENCE} D2: EST 40-70%; one FQHC template ~50%",
        bounds=PROB,
        plausible=(0.4, 0.7),
    ),
    Param(
        "pcbh.episode_visits_mean",
        2.5,
        "visits",
        "Mean visits per PCBH episode (1-4, mode 1).",
        f"{EVIDENCE} D2: zero-truncated negative binomial, mean 2.5",
        bounds=(1.0, 4.0),
        plausible=(1.5, 3.5),
    ),
    Param(
        "pcbh.scheduled_no_show",
        0.20,
        "probability",
        "No-show probability of a scheduled (not same-day) BHC visit.",
        f"{EVIDENCE} B6: 2-31% BH outpatient no-shows",
        bounds=PROB,
        plausible=(0.05, 0.31),
    ),
    Param(
        "pcbh.handoff_acceptance",
        0.84,
        "probability",
        "Probability a patient offered a warm handoff or BHC visit engages.",
        f"{EVIDENCE} B6: 81-86% attendance after warm handoff (Auxier 2012)",
        bounds=PROB,
        plausible=(0.71, 0.88),
    ),
    Param(
        "pcbh.wait_abandonment",
        0.25,
        "probability per month",
        "Probability a patient waiting for a scheduled BHC visit gives up each month.",
        f"assumption: attendance falls ~5% (odds) per week of wait ({EVIDENCE} B6)",
        bounds=PROB,
        plausible=(0.1, 0.4),
    ),
    Param(
        "pcbh.subthreshold_referral",
        0.30,
        "probability",
        "Probability a PCP refers a recognised subthreshold patient to the BHC at a visit.",
        "assumption: PCBH serves subthreshold distress",
        bounds=PROB,
        plausible=(0.15, 0.5),
    ),
    Param(
        "pcbh.health_behavior_referral",
        0.03,
        "probability",
        "Probability a visit of a chronic-condition patient without BH needs leads to a BHC "
        "health-behaviour visit.",
        "assumption: PCBH serves health-behaviour needs",
        bounds=PROB,
        plausible=(0.01, 0.08),
    ),
    # ------------------------------------------------------------------ hybrid triage
    Param(
        "hybrid.cocm_severity_score",
        15,
        "PHQ-9/GAD-7 points",
        "Hybrid triage: threshold patients at or above this score go to CoCM.",
        "assumption: moderately severe or worse -> CoCM",
        kind="int",
        bounds=(0, 28),
    ),
    Param(
        "hybrid.chronic_to_cocm",
        True,
        "-",
        "Hybrid triage: threshold patients with a chronic physical condition go to CoCM.",
        "assumption: complexity routes to CoCM (TEAMcare, Katon 2010)",
        kind="bool",
    ),
    Param(
        "hybrid.chronic_episode_to_cocm",
        True,
        "-",
        "Hybrid triage: chronic (long-duration) episodes go to CoCM.",
        "assumption: complexity routes to CoCM",
        kind="bool",
    ),
)

PARAMS_BY_PATH: dict[str, Param] = {p.path: p for p in PARAMETERS}


def defaults() -> dict[str, Any]:
    """Return the nested dictionary of all default values."""
    tree: dict[str, Any] = {}
    for p in PARAMETERS:
        node = tree
        *parents, leaf = p.path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = p.default
    return tree


def markdown_table() -> str:
    """Return the parameter table as GitHub-flavoured markdown (the paper's parameter table)."""
    lines = [
        "| Parameter | Default | Unit | Plausible range | Description | Source |",
        "|---|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        rng = "" if p.plausible is None else f"{_fmt(p.plausible[0])}–{_fmt(p.plausible[1])}"
        if p.kind == "choice":
            rng = " / ".join(p.choices)
        default = str(p.default).lower() if p.kind == "bool" else p.default
        desc = p.description.replace("|", "/")
        src = p.source.replace("|", "/")
        lines.append(f"| `{p.path}` | {default} | {p.unit} | {rng} | {desc} | {src} |")
    return "\n".join(lines) + "\n"
