"""Clinical course: transition probability tables shared by both engines (docs/evidence.md A-C).

Patient rules compare a uniform from a slot-indexed stream with a probability looked up in these
tables. All transcendental arithmetic (``exp``, Weibull powers, quantile functions) happens here,
once per scenario or month, so the scalar (agents) and vectorised (arrays) rules read the very
same floating-point numbers and make identical decisions.

Improvement of a threshold episode ("significant improvement": score < 10 or >= 50% reduction):

* acute episodes follow a Weibull natural course in episode time
  (``H(t) = (t / scale) ** shape``; Whiteford 2013, calibration target T1);
* chronic episodes have a constant hazard (IMPACT usual-care arm, target T3);
* treatment multiplies the hazard: PCP or specialty treatment, CoCM (full fidelity, reduced by a
  missed 4-week follow-up or a missed psychiatric review; Bao 2016) or PCBH, with the CoCM and PCBH
  effects ramping up over the programme's learning curve (Carlo 2019).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from intsim.sim.risk import acute_rates

MAX_EPISODE_MONTH = 600
NOISE_QUANTILES = 1000
MINUTES_QUANTILES = 200


class Variant(IntEnum):
    """Treatment variants of the improvement hazard."""

    NONE = 0
    PCP = 1
    SPECIALTY = 2
    COCM = 3
    COCM_NO_FOLLOWUP = 4
    COCM_NO_REVIEW = 5
    COCM_NO_FOLLOWUP_NO_REVIEW = 6
    PCBH = 7
    PCBH_WITH_PCP = 8  # a BHC episode alongside the PCP's own treatment


N_VARIANTS = len(Variant)


def hazard_to_probability(h: NDArray[np.float64] | float) -> NDArray[np.float64] | float:
    """Monthly probability of an event with hazard ``h`` per month: ``1 - exp(-h)``."""
    return -np.expm1(-np.asarray(h, dtype=float))


def learning_factor(month: int, start: float, ramp_months: int) -> float:
    """Share of a programme's treatment effect achieved ``month`` months after go-live.

    Args:
        month: Months since go-live (1 = go-live month).
        start: Share at go-live.
        ramp_months: Months of linear ramp to the full effect (0 = none).

    Returns:
        Factor in [start, 1].
    """
    if ramp_months <= 0:
        return 1.0
    return start + (1.0 - start) * min(1.0, max(0, month - 1) / ramp_months)


@dataclass(frozen=True)
class StaticTables:
    """Tables that do not change during a run."""

    weibull_increment: NDArray[np.float64]  # H(t) - H(t-1), index t-1 = episode_month
    chronic_hazard: float
    visit_prob: NDArray[np.float64]  # [chronic, threshold_bh]
    admit_rate: NDArray[np.float64]  # admissions per person-month by risk class (intsim.sim.risk)
    ed_rate: NDArray[np.float64]  # ED visits per person-month by risk class
    incidence_prob: float
    sub_incidence_prob: float
    sub_resolve_prob: NDArray[np.float64]  # [in_pcbh]
    sub_progress_prob: float
    chronic_onset_prob: float
    recover_prob: float
    relapse_prob: float
    residual_relapse_prob: float
    score_noise: NDArray[np.int64]  # observed-score offsets, NOISE_QUANTILES quantiles
    cm_minutes_multiplier: NDArray[np.float64]  # gamma(mean 1, cv) quantiles
    pcbh_visits_cum: NDArray[np.float64]  # cumulative P(visits <= k), k = 1..4


@dataclass(frozen=True)
class MonthTables:
    """Improvement probabilities for one month (they depend on the learning curve)."""

    improve_acute: NDArray[np.float64]  # [anxiety, variant, episode_month]
    improve_chronic: NDArray[np.float64]  # [anxiety, variant]


def build_static_tables(values: object) -> StaticTables:
    """Compute the run-constant probability tables from scenario values."""
    c = values.clinical  # type: ignore[attr-defined]
    u = values.utilization  # type: ignore[attr-defined]
    t = np.arange(1, MAX_EPISODE_MONTH + 1, dtype=float)
    cum = (t / c.remission_weibull_scale) ** c.remission_weibull_shape
    cum_prev = ((t - 1) / c.remission_weibull_scale) ** c.remission_weibull_shape
    visit_rate = np.empty((2, 2))
    for chronic in (0, 1):
        for bh in (0, 1):
            visit_rate[chronic, bh] = (
                u.pcp_visits_per_year
                / 12.0
                * (u.chronic_visit_rr if chronic else 1.0)
                * (u.bh_visit_rr if bh else 1.0)
            )
    # published ED and admission rates are panel averages under usual care: intsim.sim.risk splits
    # them over the risk classes so that the month-1 panel reproduces them
    admit_rate, ed_rate = acute_rates(values)
    sub_resolve_h = -np.log1p(-min(c.subthreshold_resolution, 1 - 1e-12))
    noise = _normal_quantiles(NOISE_QUANTILES) * c.score_measurement_sd
    noise = np.rint(noise).astype(np.int64)
    cv = values.cocm.minutes_cv  # type: ignore[attr-defined]
    if cv > 0:
        shape = 1.0 / cv**2
        minutes_mult = _gamma_quantiles(MINUTES_QUANTILES, float(shape))
    else:
        minutes_mult = np.ones(MINUTES_QUANTILES)
    return StaticTables(
        weibull_increment=cum - cum_prev,
        chronic_hazard=c.chronic_improvement_hazard,
        visit_prob=hazard_to_probability(visit_rate),
        admit_rate=admit_rate,
        ed_rate=ed_rate,
        incidence_prob=c.incidence,
        sub_incidence_prob=c.subthreshold_incidence,
        sub_resolve_prob=np.array(
            [
                c.subthreshold_resolution,
                float(hazard_to_probability(sub_resolve_h * c.pcbh_subthreshold_resolution_hr)),
            ]
        ),
        sub_progress_prob=c.subthreshold_progression,
        chronic_onset_prob=values.population.chronic_condition_incidence,  # type: ignore[attr-defined]
        recover_prob=c.recovery_hazard,
        relapse_prob=float(hazard_to_probability(c.relapse_hazard)),
        residual_relapse_prob=residual_relapse_probability(c.relapse_hazard, c.residual_relapse_or),
        score_noise=noise,
        cm_minutes_multiplier=minutes_mult,
        pcbh_visits_cum=pcbh_visit_distribution(values.pcbh.episode_visits_mean),  # type: ignore[attr-defined]
    )


@functools.lru_cache(maxsize=8)
def _normal_quantiles(n: int) -> NDArray[np.float64]:
    """Standard normal quantiles at the midpoints ``(i + 0.5) / n`` (cached, read-only)."""
    out = stats.norm.ppf((np.arange(n) + 0.5) / n)
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=256)
def _gamma_quantiles(n: int, shape: float) -> NDArray[np.float64]:
    """Quantiles of a gamma(shape, mean 1) distribution at ``(i + 0.5) / n`` (cached)."""
    out = stats.gamma.ppf((np.arange(n) + 0.5) / n, a=shape, scale=1.0 / shape)
    out.flags.writeable = False
    return out


def residual_relapse_probability(relapse_hazard: float, odds_ratio: float) -> float:
    """Monthly relapse probability of responders with residual symptoms.

    Lin 1998 reports the odds ratio of relapse *within 12 months* for residual symptoms; apply it
    to the 12-month relapse probability of remitted patients and convert back to a constant
    monthly probability.

    Args:
        relapse_hazard: Relapse hazard per month after full remission.
        odds_ratio: Odds ratio of 12-month relapse with residual symptoms.
    """
    p12 = 1.0 - np.exp(-12.0 * relapse_hazard)
    odds = odds_ratio * p12 / (1.0 - p12)
    p12_residual = odds / (1.0 + odds)
    return float(1.0 - (1.0 - p12_residual) ** (1.0 / 12.0))


@functools.lru_cache(maxsize=256)
def pcbh_visit_distribution(mean_visits: float, max_visits: int = 4) -> NDArray[np.float64]:
    """Cumulative distribution of visits per PCBH episode on 1..max_visits with the given mean.

    A truncated geometric ``P(k) ∝ r**(k-1)`` (mode 1, as Blount 2014 describes), with ``r``
    solved by bisection so the mean matches; a mean above the midpoint tilts toward more visits
    (``r > 1``).
    """
    k = np.arange(1, max_visits + 1, dtype=float)

    def mean_for(r: float) -> float:
        w = r ** (k - 1)
        return float((w * k).sum() / w.sum())

    lo, hi = 1e-9, 1e3
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        if mean_for(mid) < mean_visits:
            lo = mid
        else:
            hi = mid
    w = lo ** (k - 1)
    cum = np.cumsum(w / w.sum())
    cum[-1] = 1.0
    cum.flags.writeable = False  # cached: shared by every model with this mean
    return cum


COCM_VARIANTS = (
    Variant.COCM,
    Variant.COCM_NO_FOLLOWUP,
    Variant.COCM_NO_REVIEW,
    Variant.COCM_NO_FOLLOWUP_NO_REVIEW,
)


def condition_hazard_ratios(values: object, month: int) -> NDArray[np.float64]:
    """Hazard ratios by condition (row 0 depression, row 1 anxiety) and :class:`Variant`.

    Collaborative care works somewhat better for anxiety than for depression (Archer 2012:
    response RR 1.50 vs 1.32); the anxiety row scales the CoCM ratios by
    ``clinical.anxiety_cocm_effect_ratio``.
    """
    depression = variant_hazard_ratios(values, month)
    anxiety = depression.copy()
    anxiety[list(COCM_VARIANTS)] *= values.clinical.anxiety_cocm_effect_ratio  # type: ignore[attr-defined]
    return np.stack([depression, anxiety])


def variant_hazard_ratios(values: object, month: int) -> NDArray[np.float64]:
    """Hazard ratio of each :class:`Variant` in a month (learning curve applied)."""
    c = values.clinical  # type: ignore[attr-defined]
    lf = learning_factor(month, c.learning_start, c.learning_months)

    def ramp(hr: float) -> float:
        """The learning curve scales the effect above no treatment."""
        return 1.0 + (hr - 1.0) * lf

    full = c.cocm_response_hr
    pcbh = ramp(c.pcbh_response_hr)
    hr = np.empty(N_VARIANTS)
    hr[Variant.NONE] = 1.0
    hr[Variant.PCP] = c.pcp_treatment_hr
    hr[Variant.SPECIALTY] = c.specialty_treatment_hr
    # fidelity penalties first (Bao 2016 ratios between patients with and without each element),
    # then the programme's learning curve
    hr[Variant.COCM] = ramp(full)
    hr[Variant.COCM_NO_FOLLOWUP] = ramp(full / c.followup_4wk_hr)
    hr[Variant.COCM_NO_REVIEW] = ramp(full / c.psychiatric_review_hr)
    hr[Variant.COCM_NO_FOLLOWUP_NO_REVIEW] = ramp(
        full / (c.followup_4wk_hr * c.psychiatric_review_hr)
    )
    hr[Variant.PCBH] = pcbh
    hr[Variant.PCBH_WITH_PCP] = pcbh * c.pcp_treatment_hr
    return np.maximum(hr, 0.0)


def build_month_tables(values: object, static: StaticTables, month: int) -> MonthTables:
    """Compute the improvement probabilities of one month."""
    hr = condition_hazard_ratios(values, month)
    acute = hazard_to_probability(hr[:, :, None] * static.weibull_increment[None, None, :])
    chronic = hazard_to_probability(hr * static.chronic_hazard)
    return MonthTables(improve_acute=np.asarray(acute), improve_chronic=np.asarray(chronic))
