"""The rollout plan: which PCP teams go live when (``rollout.*``; see :mod:`intsim.sim.workforce`).

Kept apart from the workforce dynamics so the scenario validator can count a plan's phases with
the same rule the model uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Phase:
    """One rollout phase: a group of PCP teams going live together.

    Attributes:
        index: 1-based phase number.
        pcps: Indices of the phase's PCPs.
        scheduled_go_live: Planned go-live month.
        recruit_month: Month recruitment opens (may be <= 0: before the simulation), or None
            while a gate holds it.
        go_live: Go-live month, or None while a gate holds it.
        opened: Whether its recruitment has opened.
    """

    index: int
    pcps: list[int]
    scheduled_go_live: int
    recruit_month: int | None = None
    go_live: int | None = None
    opened: bool = False

    def live(self, month: int) -> bool:
        """Whether the phase is live in ``month``."""
        return self.go_live is not None and month >= self.go_live


def plan_phases(values: Any) -> list[Phase]:
    """The rollout phases of a scenario, with scheduled go-lives (before any gate)."""
    r, n = values.rollout, values.staffing.n_pcps
    first = r.first_go_live_month
    teams: list[list[int]]
    gaps: list[int]
    if r.strategy == "phased" and min(r.n_phases, n) > 1:
        teams = [list(map(int, t)) for t in np.array_split(np.arange(n), min(r.n_phases, n))]
        gaps = [k * r.phase_interval_months for k in range(len(teams))]
    elif r.strategy == "pilot_then_scale" and r.pilot_pcps < n:
        teams = [list(range(r.pilot_pcps)), list(range(r.pilot_pcps, n))]
        gaps = [0, r.pilot_months]
    else:
        teams, gaps = [list(range(n))], [0]
    phases = [Phase(k + 1, t, first + g) for k, (t, g) in enumerate(zip(teams, gaps, strict=True))]
    gated = r.gate != "none"
    for ph in phases:
        if ph.index == 1 or not gated:
            ph.go_live = ph.scheduled_go_live
            ph.recruit_month = ph.scheduled_go_live - r.hiring_lead_months
    return phases
