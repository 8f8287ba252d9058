"""Usual care: no screening programme; the PCP recognises about half of threshold episodes.

Recognised patients are treated by the PCP or referred to specialty care (first-visit attendance
60-70%), or watched (see :func:`intsim.sim.care.base.usual_care_treatment`).
"""

from __future__ import annotations

from intsim.params.components import register
from intsim.sim.care.base import CareModel


@register
class UsualCare(CareModel):
    """Usual primary care without integrated behavioral health."""

    name = "usual_care"
    screening = False
