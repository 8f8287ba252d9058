"""Cohort studies: a cohort identified at month 1, offered the programme, and followed.

With ``cohort.enabled`` (or its deprecated alias ``cocm.enrol_prevalent_at_start``), the
patients in a threshold episode at month 1 — after the month's panel changes and onsets — whose
true score is at least ``cohort.min_score`` (and who are 65 or older with ``cohort.age65_only``)
become cohort members (``Population.cohort``). Membership depends only on the seed (slot-indexed
draws before any care), so usual care and any programme on one seed follow the same people.
With ``cohort.offer_programme`` and a care model that has CoCM, members on PCP teams live at
month 1 are diagnosed and offered CoCM at once, without a visit or a screen; those who consent
join the CoCM queue (a trial's enrolment). Otherwise the cohort is only followed: its members
meet the programme, if at all, like anyone else.

Each month the cohort's members are counted (:data:`COHORT_COLUMNS`). States are those of the
clinical model at the end of the month:

* ``cohort_in_panel`` — members still in the panel (members who left are not followed);
* ``cohort_active`` — members in a threshold episode (the month-1 episode, a relapse or a new
  episode);
* ``cohort_responders`` — members in response or remission (``IMPROVED`` or ``REMITTED``);
* ``cohort_remitted`` — members in remission (``REMITTED``);
* ``cohort_depression_free`` — members in the panel not in a threshold episode: the
  depression-free member-months of the month (one per member; a cohort with anxiety episodes
  counts threshold-episode-free months). Summed over months this is member-months minus active
  member-months; times 365.25 / 12 it gives depression-free days;
* ``cohort_mean_score`` — mean true symptom score of the members in the panel (0 if none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from intsim.params.components import MODULE, Component, declared_section, register
from intsim.sim.care.cocm import offer_cocm
from intsim.sim.population import BH

if TYPE_CHECKING:
    from intsim.params.spec import Param
    from intsim.sim.care.base import Slots
    from intsim.sim.context import ClinicContext
    from intsim.sim.population import Population

#: Cohort columns of the monthly table, in order.
COHORT_COLUMNS: tuple[str, ...] = (
    "cohort_in_panel",
    "cohort_active",
    "cohort_responders",
    "cohort_remitted",
    "cohort_depression_free",
    "cohort_mean_score",
)

#: The cohort columns of a run without a cohort.
NO_COHORT: dict[str, float] = {
    **dict.fromkeys(COHORT_COLUMNS[:-1], 0),
    "cohort_mean_score": 0.0,
}

#: Days per month, to turn depression-free months into depression-free days.
DAYS_PER_MONTH = 365.25 / 12.0


def cohort_enabled(values: Any) -> bool:
    """Whether the scenario follows a month-1 cohort (``cohort.enabled`` or its alias)."""
    return bool(values.cohort.enabled or values.cocm.enrol_prevalent_at_start)


def eligible(model: ClinicContext) -> Slots:
    """Patients meeting the cohort criteria now (ascending slots)."""
    pop, c = model.pop, model.values.cohort
    n = pop.n_used
    mask = (pop.bh[:n] == BH.ACTIVE) & (pop.score[:n] >= c.min_score)  # BH.ACTIVE: in panel
    if c.age65_only:
        mask &= pop.age65[:n]
    return np.flatnonzero(mask)


def start_cohort(model: ClinicContext, month: int) -> Slots:
    """Identify the cohort and, if the design says so, offer it CoCM (month 1).

    Returns:
        The cohort's members (ascending slots).
    """
    pop = model.pop
    members = eligible(model)
    pop.cohort[members] = True
    if model.values.cohort.offer_programme and model.care.offers_cocm:
        offered = members[model.workforce.pcp_live[pop.pcp[members]]]  # teams live at month 1
        pop.known[offered] = True
        offer_cocm(model, month, offered)
    return members


def cohort_record(pop: Population, members: Slots) -> dict[str, float]:
    """The cohort columns of the month (see the module docstring)."""
    if len(members) == 0:
        return dict(NO_COHORT)
    here = pop.in_panel[members]
    bh = pop.bh[members]  # departed members have a cleared state (BH.NONE)
    active = int(np.count_nonzero(bh == BH.ACTIVE))
    remitted = int(np.count_nonzero(bh == BH.REMITTED))
    in_panel = int(np.count_nonzero(here))
    score_sum = int(pop.score[members].sum(dtype=np.int64))  # departed members score 0
    return {
        "cohort_in_panel": in_panel,
        "cohort_active": active,
        "cohort_responders": int(np.count_nonzero(bh == BH.IMPROVED)) + remitted,
        "cohort_remitted": remitted,
        "cohort_depression_free": in_panel - active,
        "cohort_mean_score": score_sum / in_panel if in_panel else 0.0,
    }


@register
class Cohort(Component):
    """The month-1 cohort of one run: identified at month 1 if enabled, then counted monthly.

    A registered component (kind ``module``): it owns the ``cohort.*`` parameters and writes the
    :data:`COHORT_COLUMNS` of the monthly table (:meth:`record`; zeros without a cohort).

    Args:
        values: Scenario values.

    Attributes:
        enabled: Whether the scenario follows a cohort (:func:`cohort_enabled`).
        members: The cohort's members (ascending slots; empty before month 1 or without one).
    """

    name = "cohort"
    kind = MODULE

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The ``cohort.*`` section (it also reads ``cocm.enrol_prevalent_at_start``)."""
        return declared_section("cohort")

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """The cohort columns of the monthly table (:data:`COHORT_COLUMNS`)."""
        return COHORT_COLUMNS

    def __init__(self, values: Any) -> None:
        self.enabled = cohort_enabled(values)
        self.members: Slots = np.zeros(0, np.int64)

    def start(self, model: ClinicContext, month: int) -> None:
        """Identify the cohort (and offer it CoCM if the design says so) in month 1."""
        if month == 1 and self.enabled:
            self.members = start_cohort(model, month)

    def record(self, pop: Population) -> dict[str, float]:
        """The cohort columns of the month (:func:`cohort_record`; zeros without a cohort)."""
        return cohort_record(pop, self.members) if self.enabled else NO_COHORT
