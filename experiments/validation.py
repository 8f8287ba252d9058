"""Out-of-sample validation W1-W7: replicated simulated studies against published results.

Usage:
    python experiments/validation.py                 # 80 replications per target (~2 min)
    python experiments/validation.py --quick         # 3 replications (a smoke test, ~15 s)
    python experiments/validation.py --reps 200 --seed 7 --jobs 2 --out DIR

Every target of ``docs/targets.md`` (W1-W7) is a study *setting* — population, comparator,
horizon, staffing and capacity, fidelity, trial protocol, sample size — described by the files
in ``configs/validation/`` (docs/validation.md lists every key they set and why); the behavioural
parameters are the shipped defaults and none of them was fitted to these targets. Each target
is simulated ``--reps`` times as a study of the published size, each replication on its own
seeds (arms of a trial on independent seeds, so the spread is that of a real trial; the VA
comparison, one clinic with and without integration, on common seeds). For each quantity:

* ``simulated``: mean of the replications' estimates;
* ``spread_low``, ``spread_high``: their 2.5th and 97.5th percentiles;
* ``band_low``, ``band_high``: the published 95% CI or acceptance band (``inf`` for a sign);
* ``met_mean``: (a) the mean lies inside the band;
* ``met_spread``: (b) the spread's width is within +-50% of the published CI width, or ``n/a``
  where the published band is not the sampling interval of a study of that size (a sign, a
  tolerance band, a pooled meta-analytic interval); see :data:`QUANTITIES` for each reason.

Outputs (in --out, default results/validation/): ``targets.csv`` (columns above, one row per
quantity) and ``targets.png`` (each quantity's mean and spread against its band). The script
prints the table and exits 0 whatever is met: validation reports, it does not gate. Bad
arguments exit 2 with a one-line message and nothing written.
"""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from intsim import argcheck
from intsim.argcheck import run_main
from intsim.money.ledger import operating_costs
from intsim.params import PAYERS
from intsim.params.scenario import Scenario, ScenarioError, load_scenario
from intsim.sim.model import ClinicModel
from intsim.sim.population import BH, Condition, Tx

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "configs" / "validation"
OUT = Path("results/validation")

#: Replications per target by default, and with ``--quick``.
DEFAULT_REPS = 80
QUICK_REPS = 3

#: Columns of ``targets.csv``, in order.
COLUMNS: tuple[str, ...] = (
    "target",
    "quantity",
    "simulated",
    "spread_low",
    "spread_high",
    "band_low",
    "band_high",
    "met_mean",
    "met_spread",
)

#: Seed offset between the arms of a trial (arms are simulated on independent seeds).
ARM_SEED_OFFSET = 1_000_000

#: Weeks per month (52 weeks a year).
WEEKS_PER_MONTH = 52.0 / 12.0

#: Days per month (365.25 days a year), as the model's cohort summary.
DAYS_PER_MONTH = 365.25 / 12.0

#: z of a two-sided 5% test.
Z_95 = 1.96


# --------------------------------------------------------------------------- published results


@dataclass(frozen=True)
class Quantity:
    """One validated quantity: what is measured, its published band and how part (b) reads.

    Attributes:
        target: W1-W7.
        quantity: Identifier (the ``quantity`` column).
        label: Readable name for the figure.
        unit: Unit of the estimate (the figure's axis).
        band_low: Lower end of the published 95% CI or band (``-inf``: none).
        band_high: Upper end (``inf``: none).
        published: Published point estimate, if any (drawn in the figure).
        ci_width: Width of the published sampling interval that part (b) compares the simulated
            spread with; None when part (b) does not apply.
        spread_note: What part (b) compares with, or why it does not apply.
    """

    target: str
    quantity: str
    label: str
    unit: str
    band_low: float
    band_high: float
    published: float | None
    ci_width: float | None
    spread_note: str


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson 95% interval of a binomial proportion."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


#: Pyne 2015: 364 of 2,863 eligible patients enrolled.
PYNE_ENROLLED, PYNE_ELIGIBLE = 364, 2863
_PYNE_CI = wilson_interval(PYNE_ENROLLED, PYNE_ELIGIBLE)

_NA_POOLED = (
    "n/a: a pooled random-effects interval over ~90 trial comparisons (24,308 patients), not "
    "the sampling interval of one trial of 250 per arm"
)
_NA_SIGN = "n/a: the published result is a sign, not an interval"
_NA_TOLERANCE = "n/a: the band is a tolerance around a registry mean (no published CI)"
_NA_ORDER = "n/a: the band is a sign or an order of magnitude (no published CI)"

INF = math.inf

#: Every validated quantity, in report order.
QUANTITIES: tuple[Quantity, ...] = (
    Quantity(
        "W1",
        "dfd_difference_24m",
        "Depression-free days over 24 months, CoCM minus usual care",
        "days per member",
        86.0,
        128.0,
        107.0,
        128.0 - 86.0,
        "published 95% CI 86-128 (width 42 days), a trial of 906/895",
    ),
    Quantity(
        "W1",
        "score_difference_m24",
        "Mean symptom score at month 24, usual care minus CoCM",
        "PHQ-9 points (> 0 favours CoCM)",
        0.0,
        INF,
        None,
        None,
        _NA_SIGN,
    ),
    *(
        Quantity(
            "W2",
            f"response_rr_{month}m",
            f"Response risk ratio at month {month} (window {window} months)",
            "risk ratio, CoCM / usual care",
            low,
            high,
            point,
            None,
            _NA_POOLED,
        )
        for month, window, point, low, high in (
            (6, "0-6", 1.32, 1.22, 1.43),
            (12, "7-12", 1.31, 1.17, 1.48),
            (24, "13-24", 1.29, 1.18, 1.41),
            (36, ">=25", 1.12, 0.98, 1.27),
        )
    ),
    Quantity(
        "W3",
        "p4p_time_to_improvement_hr",
        "Time to improvement, after vs before pay for performance (no P4P mechanism)",
        "hazard ratio",
        1.39,
        2.14,
        1.73,
        2.14 - 1.39,
        "published 95% CI 1.39-2.14 (width 0.75), 1,673 vs 6,304 patients",
    ),
    Quantity(
        "W3",
        "early_followup_hr",
        "Time to improvement, 4-week follow-up vs none (input: consistency check)",
        "hazard ratio",
        1.67,
        2.54,
        2.06,
        2.54 - 1.67,
        "published 95% CI 1.67-2.54 (width 0.87), 5,439 episodes",
    ),
    Quantity(
        "W3",
        "median_weeks_to_improvement_high_fidelity",
        "Median time to improvement, episodes with a 4-week follow-up",
        "weeks",
        0.0,
        30.0,
        None,
        None,
        "n/a: a one-sided band (< 30 weeks)",
    ),
    Quantity(
        "W4",
        "depression_remission_share",
        "Remission at the end of CoCM episodes, depression",
        "share of episodes",
        0.326 - 0.08,
        0.326 + 0.08,
        0.326,
        None,
        _NA_TOLERANCE,
    ),
    Quantity(
        "W4",
        "anxiety_remission_share",
        "Remission at the end of CoCM episodes, anxiety",
        "share of episodes",
        0.395 - 0.08,
        0.395 + 0.08,
        0.395,
        None,
        _NA_TOLERANCE,
    ),
    Quantity(
        "W4",
        "contact_months_per_episode",
        "Care-manager contacts per CoCM episode (model: months with a contact)",
        "contacts (model: contact-months)",
        5.0,
        10.0,
        7.2,
        None,
        _NA_TOLERANCE,
    ),
    Quantity(
        "W5",
        "enrolled_share_of_eligible",
        "CoCM enrolment among eligible patients",
        "share of eligible",
        0.06,
        0.25,
        PYNE_ENROLLED / PYNE_ELIGIBLE,
        _PYNE_CI[1] - _PYNE_CI[0],
        f"binomial (Wilson) 95% CI of 364/2,863: {_PYNE_CI[0]:.3f}-{_PYNE_CI[1]:.3f} "
        f"(width {_PYNE_CI[1] - _PYNE_CI[0]:.3f})",
    ),
    Quantity(
        "W6",
        "mh_contacts_change_pct_per_pp",
        "Mental-health contacts per patient-year, change per point of penetration",
        "% per percentage point",
        0.0,
        INF,
        11.0,
        None,
        _NA_ORDER,
    ),
    Quantity(
        "W6",
        "total_cost_change_pct_per_pp",
        "Total cost per patient-year, change per point of penetration",
        "% per percentage point",
        5.0,
        13.0,
        9.0,
        None,
        _NA_ORDER,
    ),
    Quantity(
        "W6",
        "payer_medical_cost_change_pct",
        "Medical cost of care, integrated vs usual care (no large savings)",
        "% change",
        -2.0,
        INF,
        None,
        None,
        "n/a: a one-sided band (savings no larger than the MSSP 2% minimum savings rate)",
    ),
    Quantity(
        "W7",
        "depression_smd_m24",
        "Depression score at month 24, PCBH minus usual care",
        "standardised mean difference (SD)",
        -0.1,
        0.1,
        0.0,
        None,
        "n/a: no published CI (a null result; the band is a tolerance around 0)",
    ),
    Quantity(
        "W7",
        "anxiety_smd_m24",
        "Anxiety score at month 24, PCBH minus usual care",
        "standardised mean difference (SD)",
        -0.1,
        0.1,
        0.0,
        None,
        "n/a: no published CI (a null result; the band is a tolerance around 0)",
    ),
    Quantity(
        "W7",
        "ed_visits_difference_z",
        "ED visits over 24 months, PCBH minus usual care",
        "z statistic (|z| < 1.96: not significant)",
        -Z_95,
        Z_95,
        None,
        None,
        "n/a: a significance check (the band is the 5% two-sided acceptance region)",
    ),
    Quantity(
        "W7",
        "admissions_difference_z",
        "Admissions over 24 months, PCBH minus usual care",
        "z statistic (|z| < 1.96: not significant)",
        -Z_95,
        Z_95,
        None,
        None,
        "n/a: a significance check (the band is the 5% two-sided acceptance region)",
    ),
)

TARGETS: tuple[str, ...] = ("W1", "W2", "W3", "W4", "W5", "W6", "W7")

#: Published study sizes (the protocol: a simulated study of the published n). The IMPACT arms
#: (906 / 895) and the IBHPC arms (about 1,213) are sized by ``n_patients`` in their files.
MHIP_PRE, MHIP_POST, MHIP_EPISODES = 1673, 6304, 5439  # Unutzer 2012; Bao 2016
PENN_EPISODES = 1592  # 26% of 6,124 referrals (Wolk 2021)


# --------------------------------------------------------------------------- scenarios and seeds


@cache
def scenario(name: str) -> Scenario:
    """A validation scenario file (``configs/validation/<name>.yaml``), loaded once."""
    return load_scenario(CONFIG_DIR / f"{name}.yaml")


def arm_seed(base: int, rep: int, arm: int) -> int:
    """Root seed of one arm of one replication: arms of a trial never share a seed."""
    return base + rep + arm * ARM_SEED_OFFSET


def new_model(name: str, seed: int) -> ClinicModel:
    """A clinic model of a validation scenario on a seed (arrays engine)."""
    return ClinicModel(scenario(name).values, seed=seed, engine="arrays")


def run_monthly(name: str, seed: int) -> pd.DataFrame:
    """The monthly table of a validation scenario over its horizon."""
    model = new_model(name, seed)
    model.run()
    return model.monthly_frame()


def contact_slots(model: ClinicModel) -> NDArray[np.int64]:
    """CoCM patients with a care-manager contact this month (after :meth:`ClinicModel.step`).

    A contact month is one with care-manager minutes that were not only failed outreach: the
    enrolment month (intake) or a month the patient was reached. Whether a patient was reached
    is the model's own draw (stream ``cm_contact``; counter-based, so drawing it again gives
    the same value).
    """
    pop, month = model.pop, model.month
    served = np.flatnonzero(pop.cm_minutes[: pop.n_used] > 0)
    if len(served) == 0:
        return served
    reached = (
        model.streams.uniform("cm_contact", month, served)
        >= model.values.cocm.unreached_probability
    )
    return served[pop.cm_initial[served] | reached]


# --------------------------------------------------------------------------- W1 IMPACT 24 months


def measure_w1(rep: int, seed: int) -> dict[str, float]:
    """W1: depression-free days over 24 months and the month-24 score difference.

    Depression-free days = (sum over months of ``cohort_depression_free``) / cohort size x
    365.25 / 12 in each arm, CoCM minus usual care; arms on independent seeds.
    """
    arms = []
    for arm, name in enumerate(("impact_24m_cocm", "impact_24m_usual_care")):
        m = run_monthly(name, arm_seed(seed, rep, arm))
        members = float(m["cohort_in_panel"].iloc[0])
        dfd = float(m["cohort_depression_free"].sum()) / members * DAYS_PER_MONTH
        arms.append((dfd, float(m["cohort_mean_score"].iloc[-1])))
    (dfd_cocm, score_cocm), (dfd_uc, score_uc) = arms
    return {
        "dfd_difference_24m": dfd_cocm - dfd_uc,
        "score_difference_m24": score_uc - score_cocm,
    }


# --------------------------------------------------------------------------- W2 Cochrane


#: Months at which the W2 windows (0-6, 7-12, 13-24, >= 25 months) are read.
W2_MONTHS: tuple[int, ...] = (6, 12, 24, 36)


def response_share(monthly: pd.DataFrame, month: int) -> float:
    """Share of the cohort in the panel not in a threshold episode at the end of ``month``.

    The T3 definition of response (calibration): a cohort member in response, remission or
    recovered counts; one in a threshold episode (never improved, or relapsed) does not.
    """
    row = monthly.iloc[month - 1]
    return float(row["cohort_depression_free"]) / float(row["cohort_in_panel"])


def measure_w2(rep: int, seed: int) -> dict[str, float]:
    """W2: response risk ratio CoCM / usual care at months 6, 12, 24 and 36 (n = 250 per arm)."""
    cocm = run_monthly("cochrane_cocm", arm_seed(seed, rep, 0))
    uc = run_monthly("cochrane_usual_care", arm_seed(seed, rep, 1))
    return {f"response_rr_{t}m": response_share(cocm, t) / response_share(uc, t) for t in W2_MONTHS}


# --------------------------------------------------------------------------- CoCM registry


class _Grow:
    """A growable 1-D array (episode attributes)."""

    def __init__(self, dtype: Any, fill: Any) -> None:
        self.data = np.full(1024, fill, dtype)
        self.fill = fill

    def ensure(self, n: int) -> None:
        if n > len(self.data):
            extra = np.full(max(n, 2 * len(self.data)) - len(self.data), self.fill, self.data.dtype)
            self.data = np.concatenate([self.data, extra])


@dataclass
class CocmRegistry:
    """Every CoCM episode of a run, as a registry records it.

    Call :meth:`observe` after each :meth:`ClinicModel.step`. An episode starts in its
    enrolment month and ends in the month the patient is no longer in CoCM (discharge, dropout,
    programme end or leaving the panel). The registry sees the patient's state only in contact
    months (:func:`contact_slots`): the state at the end of a contact month is that month's
    measurement (the PHQ-9/GAD-7 of the contact). Per episode:

    * ``start``: enrolment month; ``at_risk``: in a threshold episode at enrolment (at the end
      of the month before, or a new onset in the month), so an improvement can be timed;
    * ``condition``: primary condition (depression or anxiety);
    * ``followup``: a care-manager contact in the month after enrolment (the model's 4-week
      follow-up, ``Population.followup_ok``);
    * ``contacts``: contact months; ``last_state`` and ``last_score``: state and true symptom
      score at the last contact; ``last_contact``: its month;
    * ``improved``: first contact month whose measured state is not a threshold episode
      (response, remission), -1 if none;
    * ``end``: month the episode ended (-1 while open); ``left``: it ended by leaving the panel.
    """

    model: ClinicModel
    n: int = 0
    cols: dict[str, _Grow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cap = self.model.capacity
        self.in_cocm = np.zeros(cap, bool)
        self.prev_bh = np.zeros(cap, np.int8)
        self.current = np.full(cap, -1, np.int64)
        for name, dtype, fill in (
            ("start", np.int64, -1),
            ("at_risk", bool, False),
            ("condition", np.int8, 0),
            ("followup", bool, False),
            ("contacts", np.int64, 0),
            ("last_state", np.int8, -1),
            ("last_score", np.int8, -1),
            ("last_contact", np.int64, -1),
            ("improved", np.int64, -1),
            ("end", np.int64, -1),
            ("left", bool, False),
        ):
            self.cols[name] = _Grow(dtype, fill)

    def __getitem__(self, name: str) -> NDArray[Any]:
        """An episode attribute over the episodes recorded so far."""
        return self.cols[name].data[: self.n]

    def _close(self, slots: NDArray[np.int64], month: int) -> None:
        ep = self.current[slots]
        self.cols["end"].data[ep] = month
        self.cols["left"].data[ep] = ~self.model.pop.in_panel[slots]
        self.current[slots] = -1

    def _open(self, slots: NDArray[np.int64], month: int) -> None:
        pop = self.model.pop
        k = len(slots)
        for g in self.cols.values():
            g.ensure(self.n + k)
        ep = np.arange(self.n, self.n + k)
        self.n += k
        c = self.cols
        c["start"].data[ep] = month
        # in a threshold episode at enrolment: already at the end of last month, or a new onset
        # this month (onsets come before enrolment in the month, docs of ClinicModel.step)
        before = self.prev_bh[slots]
        onset = (before <= BH.SUBTHRESHOLD) & (pop.bh[slots] >= BH.ACTIVE)
        c["at_risk"].data[ep] = (before == BH.ACTIVE) | onset
        c["condition"].data[ep] = pop.condition[slots]
        self.current[slots] = ep

    def observe(self) -> None:
        """Record the month just simulated."""
        model, pop = self.model, self.model.pop
        month, n = model.month, pop.n_used
        now = pop.treatment[:n] == Tx.COCM
        before = self.in_cocm[:n]
        started = now & (pop.program_start[:n] == month)
        # a patient who left CoCM at the start of the month and re-enrolled within it
        restarted = np.flatnonzero(started & before)
        self._close(restarted, month)
        self._open(np.flatnonzero(started), month)
        c = self.cols
        # the 4-week follow-up is decided in the month after enrolment
        second = np.flatnonzero(now & (self.current[:n] >= 0))
        second = second[c["start"].data[self.current[second]] == month - 1]
        c["followup"].data[self.current[second]] = pop.followup_ok[second]
        contacted = contact_slots(model)
        contacted = contacted[self.current[contacted] >= 0]
        ep = self.current[contacted]
        state = pop.bh[contacted]
        c["contacts"].data[ep] += 1
        c["last_state"].data[ep] = state
        c["last_score"].data[ep] = pop.score[contacted]
        c["last_contact"].data[ep] = month
        first = (c["improved"].data[ep] < 0) & (state != BH.ACTIVE)
        c["improved"].data[ep[first]] = month
        ended = np.flatnonzero(before & ~now & (self.current[:n] >= 0))
        self._close(ended, month)
        self.in_cocm[:n] = now
        self.prev_bh[:n] = pop.bh[:n]


def run_registry(
    name: str, seed: int, done: Callable[[CocmRegistry], bool]
) -> tuple[ClinicModel, CocmRegistry]:
    """Step a scenario, recording its CoCM episodes, until ``done`` or the horizon."""
    model = new_model(name, seed)
    registry = CocmRegistry(model)
    for _ in range(model.values.simulation.months):
        model.step()
        registry.observe()
        if done(registry):
            break
    return model, registry


def first_episodes_closed(count: int, at_risk_only: bool) -> Callable[[CocmRegistry], bool]:
    """Stop rule: the first ``count`` episodes (at risk only, if asked) have all ended."""

    def done(reg: CocmRegistry) -> bool:
        idx = np.flatnonzero(reg["at_risk"]) if at_risk_only else np.arange(reg.n)
        return len(idx) >= count and bool((reg["end"][idx[:count]] >= 0).all())

    return done


@dataclass(frozen=True)
class Survival:
    """Times (months, 1 = the month the clock starts) and event flags of a set of episodes."""

    time: NDArray[np.int64]
    event: NDArray[np.bool_]


def time_to_improvement(reg: CocmRegistry, idx: NDArray[np.int64], origin: int = 1) -> Survival:
    """Months from enrolment to the first measured improvement (censored at the last contact).

    Args:
        reg: The registry.
        idx: Episodes (at risk).
        origin: Episode month the clock starts in (1: the enrolment month; 2: the month after,
            for a comparison by the 4-week follow-up, which is known only then). Episodes
            improved or censored before the origin are dropped.
    """
    start, improved = reg["start"][idx], reg["improved"][idx]
    last = reg["last_contact"][idx]
    event = improved >= 0
    end = np.where(event, improved, last)
    time = end - start + 1 - (origin - 1)
    keep = time >= 1
    return Survival(time[keep], event[keep])


def exponential_hr(exposed: Survival, reference: Survival) -> float:
    """Hazard ratio of two groups from constant monthly hazards.

    Each group's monthly hazard is ``-ln(1 - events / person-months at risk)`` (the discrete
    monthly probability turned into a hazard, as the model turns hazards into probabilities).
    """

    def hazard(s: Survival) -> float:
        q = float(s.event.sum()) / float(s.time.sum())
        return -math.log(1.0 - q)

    return hazard(exposed) / hazard(reference)


def km_median_months(s: Survival) -> float:
    """Kaplan-Meier median time (months), NaN if survival never falls to one half."""
    surv = 1.0
    for t in range(1, int(s.time.max(initial=0)) + 1):
        at_risk = int((s.time >= t).sum())
        if at_risk == 0:
            break
        surv *= 1.0 - int(((s.time == t) & s.event).sum()) / at_risk
        if surv <= 0.5:
            return float(t)
    return math.nan


# --------------------------------------------------------------------------- W3 MHIP


def measure_w3(rep: int, seed: int) -> dict[str, float]:
    """W3: P4P hazard ratio (post vs pre), 4-week follow-up HR and median time to improvement.

    Pre: the first 1,673 at-risk episodes of the registry without pay for performance; post:
    the first 6,304 of the registry with it (its own seed); the follow-up comparison uses the
    first 5,439 post episodes (Bao 2016's registry) and the median the post episodes with a
    4-week follow-up (high fidelity).
    """
    _, pre = run_registry(
        "mhip_pre", arm_seed(seed, rep, 0), first_episodes_closed(MHIP_PRE, at_risk_only=True)
    )
    _, post = run_registry(
        "mhip_post", arm_seed(seed, rep, 1), first_episodes_closed(MHIP_POST, at_risk_only=True)
    )
    pre_idx = np.flatnonzero(pre["at_risk"])[:MHIP_PRE]
    post_idx = np.flatnonzero(post["at_risk"])[:MHIP_POST]
    bao = post_idx[:MHIP_EPISODES]
    followed = bao[post["followup"][bao]]
    not_followed = bao[~post["followup"][bao]]
    high = post_idx[post["followup"][post_idx]]
    return {
        "p4p_time_to_improvement_hr": exponential_hr(
            time_to_improvement(post, post_idx), time_to_improvement(pre, pre_idx)
        ),
        "early_followup_hr": exponential_hr(
            time_to_improvement(post, followed, origin=2),
            time_to_improvement(post, not_followed, origin=2),
        ),
        "median_weeks_to_improvement_high_fidelity": km_median_months(
            time_to_improvement(post, high)
        )
        * WEEKS_PER_MONTH,
    }


# --------------------------------------------------------------------------- W4 Penn


def measure_w4(rep: int, seed: int) -> dict[str, float]:
    """W4: remission at the end of CoCM episodes by condition, and contacts per episode.

    The first 1,592 episodes (by enrolment) are followed to their end; episodes that end by
    leaving the panel are not measured. Remission: the symptom score at the episode's last
    contact is below 5 (PHQ-9/GAD-7 < 5, the registry definition).
    """
    _, reg = run_registry(
        "penn_cocm", arm_seed(seed, rep, 0), first_episodes_closed(PENN_EPISODES, False)
    )
    idx = np.arange(min(reg.n, PENN_EPISODES))
    idx = idx[(reg["end"][idx] >= 0) & ~reg["left"][idx] & (reg["contacts"][idx] > 0)]
    remitted = reg["last_score"][idx] < 5
    condition = reg["condition"][idx]
    return {
        "depression_remission_share": float(remitted[condition == Condition.DEPRESSION].mean()),
        "anxiety_remission_share": float(remitted[condition == Condition.ANXIETY].mean()),
        "contact_months_per_episode": float(reg["contacts"][idx].mean()),
    }


# --------------------------------------------------------------------------- W5 Arkansas


def measure_w5(rep: int, seed: int) -> dict[str, float]:
    """W5: CoCM enrolments per eligible patient until 2,863 eligible have been counted.

    Eligible and enrolled are counted as in T4 (``eligible`` and ``cocm_enrolled_new``).
    """
    model = new_model("arkansas_fqhc_cocm", arm_seed(seed, rep, 0))
    eligible = enrolled = 0
    for _ in range(model.values.simulation.months):
        model.step()
        row = model.rows[-1]
        eligible += int(row["eligible"])
        enrolled += int(row["cocm_enrolled_new"])
        if eligible >= PYNE_ELIGIBLE:
            break
    return {"enrolled_share_of_eligible": enrolled / eligible}


# --------------------------------------------------------------------------- W6 VA PC-MHI


def _va_arm(name: str, seed: int) -> tuple[pd.DataFrame, float, float, ClinicModel]:
    """One W6 arm: monthly table, programme contact-months and penetration (percentage points).

    Penetration: patients seen by the integrated programme (a care-manager minute or a BHC
    visit) in a year over the year's mean panel size, averaged over the years.
    """
    model = new_model(name, seed)
    months = model.values.simulation.months
    seen = np.zeros(model.capacity, bool)
    contacts = 0
    yearly: list[float] = []
    for _ in range(months):
        model.step()
        pop = model.pop
        n = pop.n_used
        seen[:n] |= (pop.cm_minutes[:n] > 0) | pop.bhc_visit[:n]
        contacts += len(contact_slots(model))
        if model.month % 12 == 0 or model.month == months:
            panel = np.mean([r["panel_size"] for r in model.rows[-12:]])
            yearly.append(100.0 * float(seen.sum()) / float(panel))
            seen[:] = False
    return model.monthly_frame(), float(contacts), float(np.mean(yearly)), model


def measure_w6(rep: int, seed: int) -> dict[str, float]:
    """W6: access and cost of a hybrid clinic against the same clinic without integration.

    Both arms on one seed (one clinic with and without the programme). Mental-health contacts:
    BHC visits + CoCM contact-months + specialty-care patient-months. Total cost (the VA's view,
    salaried staff): medical cost of care (the payer-view ``tcoc_*`` columns, before any claim
    payment) + the programme's staff and operating cost. Changes per patient-year, divided by
    the hybrid clinic's penetration in percentage points.
    """
    s = arm_seed(seed, rep, 0)
    hyb, cm_contacts, penetration, model = _va_arm("va_pcmhi_hybrid", s)
    uc, _, _, _ = _va_arm("va_usual_care", s)
    tcoc = [f"tcoc_{p}" for p in PAYERS]

    def per_py(m: pd.DataFrame, total: float) -> float:
        return total / (float(m["panel_size"].sum()) / 12.0)

    mh_h = per_py(
        hyb, float(hyb["bhc_visits"].sum() + hyb["in_specialty_care"].sum()) + cm_contacts
    )
    mh_u = per_py(uc, float(uc["in_specialty_care"].sum()))
    programme = float(sum(v.sum() for v in operating_costs(model.values, hyb).values()))
    medical_h = float(hyb[tcoc].to_numpy().sum())
    medical_u = float(uc[tcoc].to_numpy().sum())
    total_h = per_py(hyb, medical_h + programme)
    total_u = per_py(uc, medical_u)
    return {
        "mh_contacts_change_pct_per_pp": 100.0 * (mh_h / mh_u - 1.0) / penetration,
        "total_cost_change_pct_per_pp": 100.0 * (total_h / total_u - 1.0) / penetration,
        "payer_medical_cost_change_pct": 100.0
        * (per_py(hyb, medical_h) / per_py(uc, medical_u) - 1.0),
    }


# --------------------------------------------------------------------------- W7 IBHPC


@dataclass(frozen=True)
class Ibhpc:
    """One W7 arm: the multimorbid cohort's condition, month-24 scores and acute-care counts."""

    condition: NDArray[np.int8]
    in_panel: NDArray[np.bool_]
    score: NDArray[np.float64]
    ed: NDArray[np.float64]
    admissions: NDArray[np.float64]


def _ibhpc_arm(name: str, seed: int) -> Ibhpc:
    """Step one arm; the cohort is restricted to members with a chronic condition at month 1."""
    model = new_model(name, seed)
    model.step()
    pop = model.pop
    members = model.cohort_members[pop.chronic[model.cohort_members]]
    condition = pop.condition[members].copy()
    ed = pop.ed_visit[members].astype(float)
    adm = pop.admission[members].astype(float)
    for _ in range(model.values.simulation.months - 1):
        model.step()
        ed += pop.ed_visit[members]
        adm += pop.admission[members]
    return Ibhpc(condition, pop.in_panel[members].copy(), pop.score[members].astype(float), ed, adm)


def standardised_difference(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """(mean a - mean b) / pooled SD."""
    pooled = math.sqrt(
        ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)
    )
    return float(a.mean() - b.mean()) / pooled


def difference_z(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """z statistic of a difference in means (unequal variances)."""
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return float(a.mean() - b.mean()) / se if se > 0 else 0.0


def measure_w7(rep: int, seed: int) -> dict[str, float]:
    """W7: PCBH vs usual care, intention to treat over 24 months (arms on independent seeds).

    Scores: members still in the panel at month 24, by the condition of their month-1 episode
    (depression or anxiety). Utilisation: every member's ED visits and admissions over the 24
    months (members who left count the months they were in the panel).
    """
    p = _ibhpc_arm("ibhpc_pcbh", arm_seed(seed, rep, 0))
    u = _ibhpc_arm("ibhpc_usual_care", arm_seed(seed, rep, 1))
    out: dict[str, float] = {}
    for cond, key in ((Condition.DEPRESSION, "depression"), (Condition.ANXIETY, "anxiety")):
        a = p.score[(p.condition == cond) & p.in_panel]
        b = u.score[(u.condition == cond) & u.in_panel]
        out[f"{key}_smd_m24"] = standardised_difference(a, b)
    out["ed_visits_difference_z"] = difference_z(p.ed, u.ed)
    out["admissions_difference_z"] = difference_z(p.admissions, u.admissions)
    return out


MEASURES: dict[str, Callable[[int, int], dict[str, float]]] = {
    "W1": measure_w1,
    "W2": measure_w2,
    "W3": measure_w3,
    "W4": measure_w4,
    "W5": measure_w5,
    "W6": measure_w6,
    "W7": measure_w7,
}


# --------------------------------------------------------------------------- running


def _measure(task: tuple[str, int, int]) -> tuple[str, int, dict[str, float]]:
    """Run one replication of one target (module level, for a process pool)."""
    target, rep, seed = task
    return target, rep, MEASURES[target](rep, seed)


def run_replications(
    reps: int, seed: int, jobs: int = 1, targets: Sequence[str] = TARGETS
) -> dict[str, NDArray[np.float64]]:
    """Every replication of every target: quantity -> estimates (one per replication).

    The expensive targets are queued first so that a pool stays busy to the end.
    """
    order = sorted(targets, key=("W3", "W4", "W6", "W7", "W1", "W2", "W5").index)
    tasks = [(t, r, seed) for t in order for r in range(reps)]
    results: dict[str, dict[int, dict[str, float]]] = {t: {} for t in targets}
    start = time.perf_counter()

    def record(target: str, rep: int, values: dict[str, float]) -> None:
        results[target][rep] = values
        if len(results[target]) == reps:
            print(
                f"  {target}: {reps} replications ({time.perf_counter() - start:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    if jobs <= 1:
        for task in tasks:
            record(*_measure(task))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for out in pool.map(_measure, tasks, chunksize=max(1, reps // 10)):
                record(*out)
    estimates: dict[str, NDArray[np.float64]] = {}
    for q in QUANTITIES:
        if q.target in results:
            by_rep = results[q.target]
            estimates[q.quantity] = np.array([by_rep[r][q.quantity] for r in range(reps)], float)
    return estimates


def _met(flag: bool | None) -> str:
    return "n/a" if flag is None else str(bool(flag))


def evaluate(estimates: dict[str, NDArray[np.float64]]) -> pd.DataFrame:
    """The targets table (columns :data:`COLUMNS`) from the replications' estimates."""
    rows = []
    for q in QUANTITIES:
        if q.quantity not in estimates:
            continue
        values = estimates[q.quantity]
        finite = values[np.isfinite(values)]
        mean = float(finite.mean()) if finite.size else math.nan
        low, high = (
            (float(np.percentile(finite, 2.5)), float(np.percentile(finite, 97.5)))
            if finite.size
            else (math.nan, math.nan)
        )
        met_mean = bool(q.band_low <= mean <= q.band_high) if math.isfinite(mean) else False
        met_spread = None
        if q.ci_width is not None:
            met_spread = math.isfinite(low) and abs((high - low) - q.ci_width) <= 0.5 * q.ci_width
        rows.append(
            {
                "target": q.target,
                "quantity": q.quantity,
                "simulated": mean,
                "spread_low": low,
                "spread_high": high,
                "band_low": q.band_low,
                "band_high": q.band_high,
                "met_mean": _met(met_mean),
                "met_spread": _met(met_spread),
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


# --------------------------------------------------------------------------- figure


def _bounds(values: Sequence[float]) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    lo, hi = min(finite), max(finite)
    pad = 0.15 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.2
    return lo - pad, hi + pad


def plot_targets(table: pd.DataFrame, path: Path, reps: int) -> None:
    """One small panel per quantity: published band, simulated mean and 2.5-97.5% spread.

    Written as ``targets.png`` (300 dpi) and ``targets.svg`` (:func:`intsim.analysis.figures.save`).
    """
    from intsim.analysis import figures as fg  # noqa: PLC0415 (matplotlib is slow to import)

    plt = fg.pyplot()

    by_id = {q.quantity: q for q in QUANTITIES}
    n = len(table)
    ncols = 4
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(17, 2.45 * nrows + 1.2), squeeze=False)
    for ax, (_, row) in zip(axes.flat, table.iterrows(), strict=False):
        q = by_id[row["quantity"]]
        mean, low, high = row["simulated"], row["spread_low"], row["spread_high"]
        published = [] if q.published is None else [q.published]
        lo, hi = _bounds([q.band_low, q.band_high, mean, low, high, *published])
        band_lo = q.band_low if math.isfinite(q.band_low) else lo
        band_hi = q.band_high if math.isfinite(q.band_high) else hi
        ax.axvspan(
            band_lo, band_hi, color=fg.PALETTE["sky"], alpha=0.4, lw=0, label="Published band"
        )
        if q.published is not None:
            ax.axvline(
                q.published, color=fg.PALETTE["blue"], lw=1.2, ls="--", label="Published estimate"
            )
        met = row["met_mean"] == "True"
        color = fg.PALETTE["green"] if met else fg.PALETTE["vermillion"]
        if math.isfinite(mean):
            # the spread as a capped segment and the mean as a point: with a skewed replication
            # distribution the mean can lie outside the 2.5-97.5% spread (an error bar cannot)
            ax.plot([low, high], [0, 0], color=color, lw=2, marker="|", ms=12, mew=2)
            ax.plot(
                [mean],
                [0],
                "o",
                color=color,
                ms=7,
                label="Simulated mean, 2.5–97.5% spread (green: mean met; red: not met)",
            )
        ax.set_xlim(lo, hi)
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        verdict = "met" if met else "not met"
        spread = {"True": "met", "False": "not met"}.get(row["met_spread"], "n/a")
        title = f"{q.target}: {q.label}"
        ax.set_title(
            "\n".join(textwrap.wrap(title, 46)) + f"\n(mean {verdict}; spread {spread})",
            fontsize=8.5,
        )
        ax.set_xlabel(q.unit, fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(False, axis="y")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False)
    fig.suptitle(
        f"Out-of-sample validation W1-W7: simulated studies ({reps} replications each) against "
        "published results (not fitted)",
        fontsize=12,
    )
    fg.save(fig, path)


# --------------------------------------------------------------------------- command line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse and check the options (exit 2 with a one-line message on a bad one)."""
    parser = argcheck.Parser(
        prog="validation.py",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--reps",
        type=argcheck.int_at_least(2),
        default=None,
        help=f"replications per target ({DEFAULT_REPS}; {QUICK_REPS} with --quick)",
    )
    parser.add_argument("--seed", type=argcheck.seed, default=1, help="base seed, >= 1 (1)")
    parser.add_argument(
        "--jobs", type=argcheck.positive_int, default=2, help="worker processes, >= 1 (2)"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_REPS} replications")
    parser.add_argument("--out", type=argcheck.out_dir, default=OUT, help=f"output folder ({OUT})")
    args = parser.parse_args(argv)
    if args.reps is None:
        args.reps = QUICK_REPS if args.quick else DEFAULT_REPS
    return args


def format_table(table: pd.DataFrame) -> str:
    """The printed table (numbers to 4 significant digits)."""
    shown = table.copy()
    for col in ("simulated", "spread_low", "spread_high", "band_low", "band_high"):
        shown[col] = [f"{v:.4g}" for v in shown[col]]
    return shown.to_string(index=False)


def write_outputs(table: pd.DataFrame, out: Path, reps: int) -> None:
    """Write ``targets.csv``, ``targets.png`` and ``targets.svg`` into a staged folder, renamed."""
    with argcheck.staged_out(out) as tmp:
        table.to_csv(tmp / "targets.csv", index=False, float_format="%.6g")
        plot_targets(table, tmp / "targets.png", reps)


def main(argv: list[str] | None = None) -> int:
    """Run every validation target, write the table and the figure, print the table."""
    args = parse_args(argv)
    argcheck.claim_out(args.out)
    try:
        for name in sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")):
            scenario(name)
    except ScenarioError as err:
        print(f"validation.py: error: {err}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    print(
        f"validation: {len(TARGETS)} targets x {args.reps} replications, seed {args.seed}, "
        f"{args.jobs} job(s)",
        file=sys.stderr,
    )
    estimates = run_replications(args.reps, args.seed, args.jobs)
    table = evaluate(estimates)
    write_outputs(table, args.out, args.reps)
    print(format_table(table))
    met_a = int((table["met_mean"] == "True").sum())
    applicable = table["met_spread"] != "n/a"
    met_b = int((table.loc[applicable, "met_spread"] == "True").sum())
    print(
        f"(a) mean inside the band: {met_a} of {len(table)} quantities; (b) spread width within "
        f"+-50% of the published CI: {met_b} of {int(applicable.sum())} where it applies. "
        f"Written to {args.out / 'targets.csv'} and targets.png "
        f"({time.perf_counter() - start:.0f} s)"
    )
    for q in QUANTITIES:
        if q.ci_width is not None:
            print(f"  (b) {q.target} {q.quantity}: {q.spread_note}")
    return 0


if __name__ == "__main__":
    run_main(main)
