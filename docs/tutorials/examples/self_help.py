"""A toy care model, ``self_help`` (docs/tutorials/add-a-care-model.md).

Patients screened positive or recognised at PCP visits get the usual-care decision by their PCP;
on top, a share of them (``self_help.uptake``) starts a digital self-help programme. It needs no
staff, so it declares no roles, and it adds one monthly output column, ``self_help_started``.
The programme changes no symptom course here: the example shows the mechanics only.
"""

from __future__ import annotations

from typing import override

import numpy as np

from intsim.params import PROB, Param
from intsim.params.components import register
from intsim.sim.care.base import CareModel, MonthCounters, VisitOutcome, usual_care_treatment


@register
class SelfHelp(CareModel):
    """Screening at PCP visits; identified patients are offered a self-help programme."""

    name = "self_help"  # the value of care_model that selects it
    roles = ()  # no care managers, BHCs or psychiatric consultant
    screening = True  # universal screening at PCP visits

    @classmethod
    def define_pars(cls) -> tuple[Param, ...]:
        """The one parameter this care model owns, ``self_help.uptake``."""
        return (
            Param(
                "self_help.uptake",
                0.3,
                "probability",
                "Probability that an identified patient starts the self-help programme.",
                "assumption: tutorial example",
                bounds=PROB,
                plausible=(0.1, 0.5),
                dist=("triangular", 0.1, 0.3, 0.5),
            ),
        )

    @classmethod
    def define_results(cls) -> tuple[str, ...]:
        """The monthly output column this care model adds."""
        return ("self_help_started",)

    @override
    def start_month(self, month: int, c: MonthCounters) -> None:
        """Reset the month's count."""
        self.started = 0

    @override
    def route(self, month: int, outcome: VisitOutcome, c: MonthCounters) -> None:
        """Usual-care decision by the PCP, then the self-help offer."""
        usual_care_treatment(self.model, month, outcome.threshold, c)
        draws = self.model.streams.uniform("offer", month, outcome.threshold)
        self.started += int(np.count_nonzero(draws < self.model.values.self_help.uptake))

    @override
    def record(self, month: int, c: MonthCounters) -> dict[str, float]:
        """The month's value of ``self_help_started``."""
        return {"self_help_started": self.started}
