"""Declaration of the clinic-model parameters (population, clinical course, care models).

Each default cites a section of docs/evidence.md or docs/targets.md, or states an
assumption; calibrated values name the fit that produced them.
"""

from __future__ import annotations

from intsim.params.spec import (
    CALIB,
    CARE_MODELS,
    ENGINES,
    EVIDENCE,
    FIT,
    NONNEG,
    PROB,
    Param,
)

CLINIC_PARAMETERS: tuple[Param, ...] = (
    # ------------------------------------------------------------------ simulation
    Param(
        "care_model",
        "hybrid",
        "-",
        "Care model: usual care, CoCM, PCBH or a hybrid of both.",
        "docs/architecture.md",
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
        "docs/architecture.md decision 3",
        kind="int",
        bounds=(1, 2**63 - 1),
    ),
    Param(
        "simulation.engine",
        "arrays",
        "-",
        "Patient engine: vectorised arrays or one Mesa agent per patient (identical results).",
        "docs/architecture.md decision 2",
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
        "assumption: adult primary-care panels (comorbidity context in docs/evidence.md A4)",
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
        f"{EVIDENCE} A1: PRIME-MD 1000 13% subthreshold; dist: beta, mean 0.13 and the binomial "
        "95% interval 0.11-0.15 of 13% of n=1,000 (A1: beta from counts)",
        bounds=PROB,
        plausible=(0.08, 0.18),
        dist=("beta_mean_ci", 0.13, 0.11, 0.15),
    ),
    Param(
        "population.remitted_prevalence",
        0.11,
        "proportion",
        "Share in remission from an episode at month 1 (still at risk of relapse; months since "
        "remission drawn uniformly below population.initial_remission_months_max).",
        "measured: the default clinic's usual-care steady state (experiments/steady_state.py, "
        "decisions 52 and 54); consistent with A1 prevalence and B3 relapse",
        bounds=PROB,
        plausible=(0.0, 0.14),
    ),
    Param(
        "population.initial_episode_months_max",
        14,
        "months",
        "Episode months of prevalent acute (non-chronic) threshold episodes at month 1 are drawn "
        "uniformly from 0 to this value - 1.",
        "measured: acute episodes under way in the usual-care steady state are 6.6 months old "
        "on average, so 2 x 6.6 + 1 (experiments/steady_state.py, decision 54)",
        kind="int",
        bounds=(1, 240),
    ),
    Param(
        "population.initial_chronic_episode_months_max",
        83,
        "months",
        "Episode months of prevalent chronic threshold episodes at month 1 are drawn uniformly "
        "from 0 to this value - 1.",
        "measured: chronic episodes under way in the usual-care steady state are about 41 "
        "months old on average, so 2 x 41 + 1 (experiments/steady_state.py, decision 54)",
        kind="int",
        bounds=(1, 600),
    ),
    Param(
        "population.initial_remission_months_max",
        20,
        "months",
        "Months since remission of the patients in remission at month 1 are drawn uniformly "
        "from 0 to this value - 1 (1: every remission has just begun).",
        "measured: remissions under way in the usual-care steady state are about 9.7 months "
        "old on average, so 2 x 9.7 + 1 (experiments/steady_state.py, decision 54)",
        kind="int",
        bounds=(1, 600),
    ),
    Param(
        "population.initial_chronic_episode_share",
        0.53,
        "proportion",
        "Share of chronic episodes (dysthymia or double depression) among the threshold "
        "episodes under way at month 1. Higher than the share among new episodes "
        "(population.chronic_episode_share) because chronic episodes last longer.",
        "measured: the usual-care steady state (experiments/steady_state.py, decision 54); "
        "chronic episodes accumulate because they last years (B2)",
        bounds=PROB,
        plausible=(0.15, 0.55),
    ),
    Param(
        "population.initial_known_share",
        0.88,
        "proportion",
        "Share of the threshold episodes under way at month 1 that the practice already knows "
        "of (recognised at an earlier visit).",
        "measured: the usual-care steady state (experiments/steady_state.py, decision 54)",
        bounds=PROB,
        plausible=(0.0, 0.95),
    ),
    Param(
        "population.initial_pcp_treatment_share",
        0.18,
        "proportion",
        "Share of the threshold episodes under way at month 1 in usual-care PCP treatment "
        "(treatment months drawn uniformly over detection.treatment_months).",
        "measured: the usual-care steady state (experiments/steady_state.py, decision 54)",
        bounds=PROB,
        plausible=(0.0, 0.3),
    ),
    Param(
        "population.initial_specialty_treatment_share",
        0.05,
        "proportion",
        "Share of the threshold episodes under way at month 1 in specialty mental-health "
        "treatment.",
        "measured: the usual-care steady state (experiments/steady_state.py, decision 54)",
        bounds=PROB,
        plausible=(0.0, 0.1),
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
        0.00276,
        "probability per month",
        "First onset of a threshold episode among patients without one (relapses and "
        "progression from subthreshold distress come on top).",
        f"{EVIDENCE} A3 recommendation: solved by bisection (experiments/calibration.py --fit) "
        "so that the default clinic's usual-care steady state (months 145-240 of a 240-month "
        "run, started from it: experiments/steady_state.py, decision 54) holds A1's 13% "
        "prevalence. 3.3%/yr; below the A3 identity estimate 0.0049 because relapses and "
        "chronic episodes carry much of the "
        "prevalence",
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
        bounds=(0.0, 100.0),
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
        0.022,
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
        "clinical.partial_response_probability",
        0.17,
        "probability per month",
        "Monthly probability that a treated patient in a threshold episode who has not responded "
        "responds partially: the score falls by 25-50% and the episode stays active (once per "
        "active spell).",
        f"{EVIDENCE} B4: STAR*D level 1, 12 weeks of citalopram: 30% reduced their score by less "
        "than 25%, and about 23% by 25-50% (37% partial responders less the 14% who responded "
        "without remitting), i.e. 43% of those without a response; 1 - 0.57^(1/3) = 0.17 a "
        "month; FINDER (48% of SSRI-treated non-remitters partial responders at 3 months) gives "
        "0.20; dist: beta 95% interval 0.10-0.25",
        bounds=PROB,
        plausible=(0.10, 0.25),
        dist=("beta_mean_ci", 0.17, 0.10, 0.25),
    ),
    Param(
        "clinical.partial_response_residual_low",
        0.5,
        "share of score",
        "Lowest share of the score left after a partial response (drawn uniformly between low "
        "and high).",
        f"{EVIDENCE} B4: a partial response is a 25-50% reduction of the score",
        bounds=PROB,
        plausible=(0.5, 0.6),
    ),
    Param(
        "clinical.partial_response_residual_high",
        0.75,
        "share of score",
        "Highest share of the score left after a partial response.",
        f"{EVIDENCE} B4: a partial response is a reduction of at least 25%",
        bounds=PROB,
        plausible=(0.65, 0.75),
    ),
    Param(
        "clinical.relapse_hazard",
        0.0387,
        "hazard per month",
        "Relapse hazard after remission (usual care).",
        f"{CALIB} T2 calibrated: Lin 1998, 37.1% within 12 months; bisection, {FIT}; dist: "
        "lognormal centred on the fitted value, 95% interval 0.0311-0.0470 = the constant-hazard "
        "equivalents of the binomial 95% interval 31.1-43.1% of 37.1% of n=251 (Lin 1998; B3 "
        "beta from counts), which the fit reproduces (identity 0.0386 vs fitted 0.0387)",
        bounds=NONNEG,
        plausible=(0.02, 0.05),
        dist=("lognormal_median_ci", 0.0387, 0.0311, 0.0470),
    ),
    Param(
        "clinical.residual_relapse_or",
        3.3,
        "odds ratio",
        "Odds ratio of 12-month relapse for responders with residual symptoms (not yet remitted), "
        "applied to the 12-month relapse probability after remission.",
        f"{EVIDENCE} B3: Lin 1998 OR 3.3 (2.74-3.93) for residual subthreshold symptoms; dist: "
        "PERT (2.52, 3.3, 4.21), whose 2.5%/97.5% quantiles are the 95% CI 2.74-3.93 (a bounded "
        "stand-in for the B3 lognormal, which would put mass below the hard bound 1)",
        bounds=(1.0, None),
        plausible=(2.74, 3.93),
        dist=("pert", 2.52, 3.3, 4.21),
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
        3.81,
        "hazard ratio",
        "Improvement-hazard ratio of CoCM at full fidelity (follow-up within 4 weeks, psychiatric "
        "review of non-improvers) and a mature programme.",
        f"{CALIB} T3 calibrated: IMPACT CoCM arm 45% response at 12 months (trial fidelity); "
        f"bisection, {FIT}. Real-world effects come out lower through missed follow-up and "
        f"review ({EVIDENCE} B4) and the learning curve (E2), toward the B1 prior median 1.8",
        bounds=(0.0, None),
        plausible=(2.5, 4.6),
        dist=("lognormal_median_ci", 3.81, 2.5, 4.6),
    ),
    Param(
        "clinical.anxiety_cocm_effect_ratio",
        1.14,
        "ratio of hazard ratios",
        "Multiplier of the CoCM hazard ratio for anxiety-primary episodes.",
        f"{EVIDENCE} B1: Archer 2012 response RR 1.50 for anxiety vs 1.32 for depression "
        "(0-6 months); the RR ratio used as a hazard-ratio multiplier (assumption); dist: "
        "lognormal, median 1.14, 95% interval 0.90-1.44 from the two Archer 2012 CIs (1.21-1.87, "
        "1.22-1.43) combined on the log scale (assumption: independent estimates)",
        bounds=(0.0, None),
        positive=True,
        plausible=(1.0, 1.3),
        dist=("lognormal_median_ci", 1.14, 0.90, 1.44),
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
        f"{EVIDENCE} B4: Bao 2016 HR 2.06 (1.67-2.54); dist: PERT (1.53, 2.06, 2.76), whose "
        "2.5%/97.5% quantiles are the 95% CI (a bounded stand-in for the B4 lognormal, which "
        "would put mass below the hard bound 1)",
        bounds=(1.0, None),
        plausible=(1.67, 2.54),
        dist=("pert", 1.53, 2.06, 2.76),
    ),
    Param(
        "clinical.psychiatric_review_hr",
        1.44,
        "hazard ratio",
        "Improvement-hazard ratio of a psychiatric consultation for non-improvers at 8-12 weeks.",
        f"{EVIDENCE} B4: Bao 2016 OR 1.44 (1.13-1.84), used as a hazard ratio; dist: PERT "
        "(1.02, 1.44, 2.03), whose 2.5%/97.5% quantiles are the 95% CI (a bounded stand-in for "
        "the B4 lognormal, which would put mass below the hard bound 1)",
        bounds=(1.0, None),
        plausible=(1.13, 1.84),
        dist=("pert", 1.02, 1.44, 2.03),
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
        f"{EVIDENCE} C2: Reiss-Brennan 2016 TPM arm; dist: PERT (15, 23.5, 35) over the "
        "plausible range (assumption: between-panel variation; C2 suggests a gamma rate but "
        "gives no interval)",
        bounds=NONNEG,
        plausible=(15.0, 35.0),
        dist=("pert", 15.0, 23.5, 35.0),
    ),
    Param(
        "utilization.admissions_per_100py",
        10.6,
        "admissions per 100 person-years",
        "Hospital admission rate, panel average under usual care (split by state as for ED).",
        f"{EVIDENCE} C2: Reiss-Brennan 2016 TPM arm; dist: PERT (6, 10.6, 15) over the "
        "plausible range (assumption: between-panel variation; C2 suggests a gamma rate but "
        "gives no interval)",
        bounds=NONNEG,
        plausible=(6.0, 15.0),
        dist=("pert", 6.0, 10.6, 15.0),
    ),
    Param(
        "utilization.depression_ed_irr",
        1.61,
        "incidence-rate ratio",
        "ED visit multiplier of an active threshold depression episode, without a chronic "
        "condition (other BH states carry a share of it: utilization.*_excess_share).",
        f"{EVIDENCE} C2: Beiser 2019 IRR 1.61 (1.27-2.03)",
        bounds=NONNEG,
        plausible=(1.27, 2.03),
        dist=("lognormal_median_ci", 1.61, 1.27, 2.03),
    ),
    Param(
        "utilization.depression_admission_irr",
        1.49,
        "incidence-rate ratio",
        "Admission multiplier of an active threshold depression episode, without a chronic "
        "condition.",
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
    Param(
        "utilization.anxiety_excess_share",
        0.8,
        "share (log scale)",
        "Share of an active depression episode's excess cost and ED/admission risk (on the log "
        "scale: multiplier ratio ** share) carried by an active anxiety episode.",
        f"assumption: {EVIDENCE} A1 (Kroenke 2007) anxiety disorders are common, impairing and "
        "mostly comorbid with depression, and C1 (Milliman 2020) counts every BH condition in "
        "its 2-3.5x; no anxiety-specific cost or IRR in the evidence; dist: triangular "
        "(0.4, 0.8, 1.2), wide",
        bounds=(0.0, 2.0),
        plausible=(0.4, 1.2),
        dist=("triangular", 0.4, 0.8, 1.2),
    ),
    Param(
        "utilization.subthreshold_excess_share",
        0.4,
        "share (log scale)",
        "Share of an active depression episode's excess cost and ED/admission risk carried by "
        "subthreshold distress (score 5-9).",
        f"assumption: distress below the threshold lies between none and a threshold episode "
        f"({EVIDENCE} A1 carries it as its own state; no cost figure); dist: triangular "
        "(0.1, 0.4, 0.7), wide",
        bounds=PROB,
        plausible=(0.1, 0.7),
        dist=("triangular", 0.1, 0.4, 0.7),
    ),
    Param(
        "utilization.improved_excess_share",
        0.5,
        "share (log scale)",
        "Share of the episode's excess cost and ED/admission risk kept after a response, while "
        "residual symptoms last (improved, not yet remitted).",
        f"assumption: responders keep 10-50% of their score and residual symptoms predict relapse "
        f"({EVIDENCE} B3: Lin 1998 OR 3.3); C1: Simon 1995's 2x excess persisted >= 12 months; "
        "dist: triangular (0.2, 0.5, 0.9), wide",
        bounds=PROB,
        plausible=(0.2, 0.9),
        dist=("triangular", 0.2, 0.5, 0.9),
    ),
    Param(
        "utilization.remitted_excess_share",
        0.2,
        "share (log scale)",
        "Share of the episode's excess cost and ED/admission risk kept in remission, until the "
        "patient counts as recovered (clinical.sustained_remission_months).",
        f"assumption: {EVIDENCE} C1: Simon 1995's excess persisted >= 12 months; B3: remitted "
        "patients stay at risk of relapse; dist: triangular (0, 0.2, 0.5), wide",
        bounds=PROB,
        plausible=(0.0, 0.5),
        dist=("triangular", 0.0, 0.2, 0.5),
    ),
    Param(
        "utilization.bh_chronic_acute_interaction",
        1.3,
        "ratio",
        "Extra factor on the BH ED and admission multipliers of a patient with a chronic "
        "physical condition (BH x chronic interaction; 1 = none).",
        f"assumption: {EVIDENCE} A4: Rutledge 2006, depression in heart failure, death or "
        "secondary events RR 2.1 (1.7-2.6), against the general depression ED IRR 1.61 of C2 "
        "(Beiser 2019): 2.1 / 1.61 = 1.3; dist: lognormal, median 1.3, 95% interval 1.0-1.69 "
        "(no interaction at the lower end)",
        bounds=NONNEG,
        positive=True,
        plausible=(1.0, 1.69),
        dist=("lognormal_median_ci", 1.3, 1.0, 1.69),
    ),
    Param(
        "utilization.age65_ed_irr",
        1.1,
        "incidence-rate ratio",
        "ED visit multiplier for patients aged 65 or over (within a payer, beyond the chronic "
        "condition's multiplier).",
        "assumption: ED use rises only modestly after 65 once chronic conditions are accounted "
        "for (chronic_acute_irr carries most of the older adults' excess); dist: triangular "
        "(0.9, 1.1, 1.5), wide",
        bounds=NONNEG,
        positive=True,
        plausible=(0.9, 1.5),
        dist=("triangular", 0.9, 1.1, 1.5),
    ),
    Param(
        "utilization.age65_admission_irr",
        1.6,
        "incidence-rate ratio",
        "Admission multiplier for patients aged 65 or over (within a payer, beyond the chronic "
        "condition's multiplier).",
        "assumption: admission rates rise steeply with age, partly through chronic conditions "
        "(chronic_acute_irr); dist: triangular (1.2, 1.6, 2.5), wide",
        bounds=NONNEG,
        positive=True,
        plausible=(1.2, 2.5),
        dist=("triangular", 1.2, 1.6, 2.5),
    ),
    Param(
        "utilization.cost_frailty_shape",
        0.25,
        "gamma shape",
        "Shape of each person's cost frailty (gamma, mean 1, drawn once per person): it "
        "multiplies the person's non-acute cost and ED and admission rates. Smaller is more "
        "skewed (coefficient of variation 1/sqrt(shape)).",
        "assumption: chosen so that the annual cost of care per insured person under usual care "
        "has a coefficient of variation of about 2.5, inside the 2-3 typical of claims (issue "
        "14; heavy right skew; C1: costs gamma or lognormal); shapes 0.2-0.35 give 2.9-2.2",
        bounds=NONNEG,
        positive=True,
        plausible=(0.2, 0.35),
    ),
    # ------------------------------------------------------------------ detection & usual care
    Param(
        "detection.pcp_sensitivity",
        0.501,
        "probability",
        "Probability an unassisted PCP recognises a threshold episode at a visit.",
        f"{EVIDENCE} A2: Mitchell 2009 sensitivity 50.1% (41.3-59.0); dist: beta from the 95% "
        "interval (A2)",
        bounds=PROB,
        plausible=(0.413, 0.59),
        dist=("beta_mean_ci", 0.501, 0.413, 0.59),
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
        f"{EVIDENCE} A2: Kessler 2003 51.6% treated; dist: beta, mean 0.52 with the plausible "
        "range 0.40-0.65 as 95% interval (A2 suggests a beta but gives no interval; the spread "
        "is an assumption for transfer from a community survey to primary care)",
        bounds=PROB,
        plausible=(0.4, 0.65),
        dist=("beta_mean_ci", 0.52, 0.40, 0.65),
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
        f"{EVIDENCE} B6: 60-70% (Psychiatr Serv 2021); dist: PERT (0.44, 0.65, 0.70), a beta "
        "over the B6 range of reported values 44-70%",
        bounds=PROB,
        plausible=(0.44, 0.7),
        dist=("pert", 0.44, 0.65, 0.70),
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
        off_value=0.0,
    ),
    Param(
        "staffing.bhc_fte",
        2.5,
        "FTE",
        "Behavioral health consultants (PCBH).",
        f"{EVIDENCE} D2: 1 BHC per 7,500 patients (Hunter & Goodie 2010)",
        bounds=NONNEG,
        plausible=(1.0, 4.0),
        off_value=0.0,
    ),
    Param(
        "staffing.psychiatric_consultant_hours_per_week",
        6.0,
        "hours per week",
        "Psychiatric consultant time for systematic caseload review.",
        f"{EVIDENCE} D1: 3 h/week per 1.0 FTE care manager (AIMS)",
        bounds=NONNEG,
        plausible=(2.0, 12.0),
        off_value=0.0,
    ),
    Param(
        "staffing.hours_per_fte_month",
        160.0,
        "hours per month",
        "Paid hours per 1.0 FTE per month.",
        "assumption: 40 h x 4 weeks (weekly hours use 52 / 12 weeks a month instead: "
        "staffing.weeks_per_year, docs/decisions/0064-bare-numbers-become-parameters.md)",
        bounds=NONNEG,
        positive=True,
    ),
    Param(
        "staffing.hours_per_fte_week",
        40.0,
        "hours per week",
        "Paid hours per week of 1.0 FTE: a psychiatric consultant's weekly hours divided by this "
        "are its FTE (salary share, capacity share).",
        "assumption: a 40-hour full-time week, as in staffing.hours_per_fte_month (40 h x 4 weeks)",
        bounds=(1.0, 168.0),
        plausible=(35.0, 40.0),
    ),
    Param(
        "staffing.weeks_per_year",
        52.0,
        "weeks per year",
        "Weeks per year that turn weekly hours into monthly ones (x weeks per year / 12): "
        "psychiatric consultant review minutes and hours paid, trainee supervision, and waits "
        "reported in weeks. Differs from the 4 weeks a month of staffing.hours_per_fte_month by "
        "8%; unifying them would change results "
        "(docs/decisions/0064-bare-numbers-become-parameters.md).",
        "assumption: 52 calendar weeks a year",
        bounds=(48.0, 53.0),
        plausible=(52.0, 52.18),
    ),
    Param(
        "staffing.cm_patient_time_share",
        0.75,
        "proportion",
        "Share of care-manager paid hours available for patient work (contacts, outreach "
        "attempts, documentation, PCP and consultant communication).",
        "assumption: paid hours include about 10% leave and holidays and about 15% meetings, "
        "training and registry upkeep; outreach attempts and documentation are counted in the "
        "patient minutes (Liu 2007 time study: ancillary time exceeds direct contact)",
        bounds=PROB,
        positive=True,
        plausible=(0.6, 0.85),
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
        0.796,
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
        0.226,
        "probability",
        "Probability an enrolled patient disengages after the initial assessment, before any "
        "follow-up contact.",
        f"{CALIB} T4 calibrated: Blackmore 2022 25% of engaged without follow-up; bisection, "
        f"{FIT}; dist: beta centred on the fitted value with the {EVIDENCE} B6 range 15-35% as "
        "95% interval (the fit reproduces the 25% target almost exactly)",
        bounds=PROB,
        plausible=(0.15, 0.35),
        dist=("beta_mean_ci", 0.226, 0.15, 0.35),
    ),
    Param(
        "cocm.monthly_dropout",
        0.06,
        "probability per month",
        "Disengagement from CoCM per month after the first follow-up.",
        f"{EVIDENCE} B6: EST 4-8%/month; dist: beta with the EST range 4-8% as 95% interval (B6)",
        bounds=PROB,
        plausible=(0.04, 0.08),
        dist=("beta_mean_ci", 0.06, 0.04, 0.08),
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
        "cocm.max_waitlist_per_fte",
        10,
        "patients per care-manager FTE",
        "Waitlist policy: while the CoCM queue holds this many patients per effective "
        "care-manager FTE, newly eligible patients are not offered CoCM and stay with the "
        "PCP's usual-care decision (0: no limit).",
        "assumption: programmes refer by capacity and keep patients in primary-care or "
        "specialty treatment when the caseload is full (AIMS Center implementation guidance); "
        "about one month of a care manager's new enrolments (15-20 a month, Little's law on "
        "80-120 patients and 4-6 month episodes)",
        kind="int",
        bounds=(0, 10_000),
        plausible=(5, 30),
        off_value=0,
    ),
    Param(
        "cocm.max_wait_months",
        2,
        "months",
        "Waitlist policy: a patient still waiting for CoCM after this many months is handed "
        "back to usual care (0: no limit).",
        "assumption: a maximum wait of about 8 weeks before the PCP steps care up elsewhere; "
        "attendance falls about 5% (odds) per week of wait (evidence on waiting and attendance)",
        kind="int",
        bounds=(0, 600),
        plausible=(1, 6),
        off_value=0,
    ),
    Param(
        "cocm.caseload_per_fte",
        150,
        "patients per FTE",
        "Ceiling on the active caseload per 1.0 FTE care manager (a programme policy). Below it "
        "the caseload a care manager carries emerges from its minutes "
        "(cocm.panel_fill_target).",
        "University of Washington AIMS Center: a full-time care manager typically carries "
        "100-150 patients (IMPACT 100-120); Liu 2007 VA time study maximum panel 143-165 per "
        "quarter. Ceiling at the top of the typical range; dist: PERT over the AIMS caseload "
        "guidance range (50 Medicaid multi-condition to 165 VA maximum)",
        kind="int",
        bounds=(1, 1000),
        plausible=(50, 165),
        dist=("pert", 50, 150, 165),
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
        "cocm.minutes_intake",
        80.0,
        "minutes per patient-month",
        "Mean care-manager minutes in the enrolment month (intake and assessment: outreach, "
        "assessment call, care plan, registry entry, documentation, PCP communication).",
        "Liu CF, Fortney J et al. Am J Manag Care 2007;13:652-60 (VA telephone care management "
        "time study): 75-95 min per successful initial assessment including ancillary work; "
        "CPT 99492 describes 70 min. Central value between the two; dist: triangular (70, 80, 95)",
        bounds=(0.0, 600.0),
        plausible=(70, 95),
        dist=("triangular", 70.0, 80.0, 95.0),
    ),
    Param(
        "cocm.minutes_active",
        55.0,
        "minutes per patient-month",
        "Mean care-manager minutes in a month of active treatment (reached patient not yet "
        "improved: follow-up contact with a PHQ-9/GAD-7, medication and behavioural activation "
        "follow-up, caseload review preparation, PCP communication).",
        "Liu 2007 (Am J Manag Care 13:652): 51-60 min per successful follow-up call including "
        "pre-call preparation, documentation and provider communication; CPT 99493 describes "
        "60 min; dist: triangular (40, 55, 70) (assumption: the lower end a month with one "
        "short contact)",
        bounds=(0.0, 600.0),
        plausible=(40, 70),
        dist=("triangular", 40.0, 55.0, 70.0),
    ),
    Param(
        "cocm.minutes_maintenance",
        25.0,
        "minutes per patient-month",
        "Mean care-manager minutes in a month after response or remission (maintenance and "
        "relapse-prevention check-in before discharge).",
        "assumption: one brief monitoring call with a PHQ-9 and its documentation (about 10 min "
        "of contact, Liu 2007 reports ancillary time exceeding direct contact), the taper after "
        "months 1-2 that measurement-based care vendors describe; billable as G2214 "
        "(16-30 min) or 99493 (31+); dist: triangular (15, 25, 40)",
        bounds=(0.0, 600.0),
        plausible=(15, 40),
        dist=("triangular", 15.0, 25.0, 40.0),
    ),
    Param(
        "cocm.safety_net_minutes_ratio",
        1.5,
        "ratio",
        "Care-manager minutes of a Medicaid, dual-eligible or uninsured CoCM patient relative to "
        "a Medicare or commercial one, in every work phase (social needs, coordination, "
        "outreach).",
        "AIMS Center caseload guidance (2020): active patients per FTE 90-120 commercial "
        "BH-only against 60-80 Medicaid or uninsured BH-only, 1.5x the time per patient at the "
        "midpoints (the CoCM care manager here manages behavioral-health conditions only); "
        "multi-condition caseloads (80-100 against 50-75) give 1.44x; dist: triangular "
        "(1.2, 1.5, 1.8)",
        bounds=(0.0, 10.0),
        positive=True,
        plausible=(1.2, 1.8),
        dist=("triangular", 1.2, 1.5, 1.8),
    ),
    Param(
        "cocm.unreached_probability",
        0.15,
        "probability per month",
        "Probability that an enrolled patient (after the enrolment month) cannot be reached in a "
        "month: the care manager then spends only failed outreach attempts on it and no "
        "follow-up contact happens.",
        "assumption: Liu 2007 found a significant share of care-manager time in unsuccessful "
        "call attempts; a month without contact for about 1 in 7 engaged patients, separate "
        "from disengagement (cocm.monthly_dropout); dist: beta 95% interval 0.08-0.25",
        bounds=PROB,
        plausible=(0.08, 0.25),
        dist=("beta_mean_ci", 0.15, 0.08, 0.25),
    ),
    Param(
        "cocm.outreach_minutes",
        30.0,
        "minutes per unreached patient-month",
        "Care-manager minutes spent on failed outreach attempts in a month the patient is not "
        "reached (counted toward the month's CoCM time, like other care-manager activities).",
        "Liu 2007 (Am J Manag Care 13:652): 9-11 min per unsuccessful call attempt; assumption: "
        "3 attempts a month (a common outreach protocol before a letter); CMS lists outreach "
        "and engagement among CoCM care-manager activities",
        bounds=(0.0, 600.0),
        plausible=(15, 45),
    ),
    Param(
        "cocm.panel_fill_target",
        0.95,
        "proportion",
        "A care manager takes new patients while its caseload's expected minutes this month "
        "(by work phase) stay within this share of its patient minutes; the sustainable "
        "caseload per FTE emerges from the minutes (the caseload cap is a ceiling above it).",
        "assumption: a small buffer for month-to-month variation in need",
        bounds=(0.0, 2.0),
        positive=True,
        plausible=(0.85, 1.05),
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
        10.0,
        "minutes per reviewed patient",
        "Psychiatric consultant time per patient discussed at the weekly registry review "
        "(a new patient's first review or a non-improver's re-review).",
        "AIMS Center guidance: about 3 h/week of consultant time per 1.0 FTE care manager "
        "(2-4 h), MetroHealth 4 h/week for two care managers of about 100 patients each; with "
        "the new and not-improving patients of such a caseload (about 60 a month) this is "
        "about 10 min per patient (assumption)",
        bounds=(0.0, 240.0),
        positive=True,
        plausible=(5, 15),
    ),
    Param(
        "cocm.review_month",
        2,
        "episode month",
        "Episode month (1 = enrolment month) from which patients not improving are reviewed "
        "for a treatment change (8-12 weeks).",
        "Bao Y et al. Psychiatr Serv 2016;67:418-24 (MHIP registry): psychiatric consultation "
        "at weeks 8-12 for non-responders, OR of improvement 1.44",
        kind="int",
        bounds=(1, 12),
    ),
    Param(
        "cocm.rereview_months",
        1,
        "months",
        "A patient still not improving is re-reviewed this many months after its last review "
        "(the review after a treatment change).",
        "assumption: the registry review re-discusses non-improvers about 4 weeks after each "
        "treatment change (measurement-based treatment to target, AIMS Center)",
        kind="int",
        bounds=(1, 12),
        plausible=(1, 3),
    ),
    Param(
        "cocm.review_new_patients",
        True,
        "-",
        "Whether the weekly registry review also discusses each new patient once (in the "
        "enrolment month).",
        "AIMS Center: the psychiatric consultant reviews new patients and patients not "
        "improving at the weekly caseload review",
        kind="bool",
    ),
    Param(
        "cocm.enrol_prevalent_at_start",
        False,
        "-",
        "Deprecated alias of ``cohort.enabled: true``: at month 1 every patient with a "
        "threshold episode forms a cohort, diagnosed and offered CoCM at once (no visit or "
        "screen needed).",
        f"{CALIB} T3 (IMPACT: 100% diagnosed and enrolled at t=0)",
        kind="bool",
    ),
    # ------------------------------------------------------------------ cohort studies
    Param(
        "cohort.enabled",
        False,
        "-",
        "Cohort design: at month 1 the patients with a threshold episode (and the criteria "
        "below) form a cohort that is followed to the horizon (``cohort_*`` monthly columns). "
        "The cohort depends on the seed only, so every care model follows the same people.",
        f"{CALIB} T3 (IMPACT: a prevalent cohort identified at t=0); docs/targets.md W1-W2",
        kind="bool",
    ),
    Param(
        "cohort.offer_programme",
        True,
        "-",
        "Whether cohort members on live PCP teams are diagnosed and offered CoCM at month 1, "
        "without waiting for a visit or a screen (care models with CoCM; under usual care and "
        "PCBH the cohort is only followed).",
        f"{CALIB} T3 (IMPACT: 100% diagnosed and enrolled at t=0)",
        kind="bool",
    ),
    Param(
        "cohort.age65_only",
        False,
        "-",
        "Restrict the cohort to patients aged 65 or more (IMPACT-like late-life trials).",
        f"{EVIDENCE} B1: IMPACT enrolled adults aged >= 60",
        kind="bool",
    ),
    Param(
        "cohort.min_score",
        10,
        "PHQ-9 points",
        "Lowest true symptom score at month 1 for cohort eligibility (10: every threshold "
        "episode).",
        "assumption: PHQ-9 >= 10, the threshold of a positive screen (detection.positive_score)",
        kind="int",
        bounds=(10, 27),
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
        f"{EVIDENCE} D2: zero-truncated negative binomial, mean 2.5; dist: PERT (2, 2.5, 3) over "
        "the D2 mean of 2-3 visits (expert range)",
        bounds=(1.0, 4.0),
        plausible=(1.5, 3.5),
        dist=("pert", 2.0, 2.5, 3.0),
    ),
    Param(
        "pcbh.scheduled_no_show",
        0.20,
        "probability",
        "No-show probability of a scheduled (not same-day) BHC visit.",
        f"{EVIDENCE} B6: 2-31% BH outpatient no-shows; dist: PERT (0.02, 0.20, 0.31) over the "
        "B6 range (mode = the default, assumption)",
        bounds=PROB,
        plausible=(0.05, 0.31),
        dist=("pert", 0.02, 0.20, 0.31),
    ),
    Param(
        "pcbh.handoff_acceptance",
        0.84,
        "probability",
        "Probability a patient offered a warm handoff or BHC visit engages.",
        f"{EVIDENCE} B6: 81-86% attendance after warm handoff (Auxier 2012); dist: PERT (0.71, "
        "0.84, 0.88), a beta over the B6 range of reported values 71-88%",
        bounds=PROB,
        plausible=(0.71, 0.88),
        dist=("pert", 0.71, 0.84, 0.88),
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
        "pcbh.max_waitlist_per_fte",
        40,
        "patients per BHC FTE",
        "Waitlist policy: while this many patients per BHC FTE wait for a scheduled visit, "
        "patients who cannot be seen the same day are not scheduled (the PCP handles the need; "
        "0: no limit).",
        "assumption: about one week of a BHC's scheduled visits (8 visits a day, half of them "
        "scheduled); PCBH aims at same-day or next-days access rather than long queues",
        kind="int",
        bounds=(0, 10_000),
        plausible=(20, 80),
        off_value=0,
    ),
    Param(
        "pcbh.max_wait_months",
        1,
        "months",
        "Waitlist policy: a patient still waiting for a scheduled BHC visit after this many "
        "months is referred back to the PCP (0: no limit).",
        "assumption: PCBH is a brief, accessible service; a need unmet within about four weeks "
        "goes back to the PCP or to specialty care",
        kind="int",
        bounds=(0, 600),
        plausible=(1, 3),
        off_value=0,
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
    Param(
        "pcbh.followup_cm_share",
        0.4,
        "probability per episode-month",
        "Share of the months of an open PCBH episode for a threshold condition in which the BHC "
        "also gives between-visit care management (phone follow-up with a validated scale, "
        "coordination with the PCP); such months are billed as general BHI (99484/G0323) when "
        "they reach 20 minutes.",
        f"assumption: PCBH is a consultation model and not every BHC follows patients up "
        f"between visits ({EVIDENCE} D2: 1-4 visits an episode, mode 1); dist: PERT (0.1, 0.4, "
        "0.7)",
        bounds=PROB,
        plausible=(0.1, 0.7),
        dist=("pert", 0.1, 0.4, 0.7),
    ),
    Param(
        "pcbh.followup_cm_minutes",
        25.0,
        "minutes per month",
        "Mean BHC care-management minutes of a follow-up month; each month's minutes are "
        "uniform over 50-150% of the mean (a short call falls below the 20-minute threshold).",
        f"assumption: one call with a scale plus coordination and documentation; {EVIDENCE} D1: "
        "a full VA telephone care-management follow-up takes 51-60 min in total and a failed "
        "contact 9-11 min (Liu 2007), a PCBH follow-up is lighter",
        bounds=(1.0, 200.0),
        plausible=(15.0, 40.0),
        dist=("pert", 15.0, 25.0, 40.0),
    ),
    Param(
        "pcbh.followup_cm_time_share",
        0.25,
        "proportion",
        "Share of a BHC's paid time outside visit slots (after supervision) available for "
        "between-visit care management; the rest goes to documentation, huddles and curbside "
        "consultation.",
        f"assumption: with 8 visits of 30 minutes a day ({EVIDENCE} D2) about half of a BHC's "
        "day is outside visit slots",
        bounds=PROB,
        plausible=(0.1, 0.5),
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
