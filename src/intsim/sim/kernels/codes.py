"""Codes and compile options shared by the kernels (decision 44).

Recorded in docs/decisions/0044-compiled-per-slot-kernels.md.

numba compiles module globals as constants, so the kernels cannot read the enums of
:mod:`intsim.sim.population` and :mod:`intsim.sim.clinical` directly: their codes are mirrored here
as plain integers, and ``tests/test_kernel_codes.py`` ties every one to its enum member, so a
change to either side fails the tests.
"""

from __future__ import annotations

from typing import Final

#: Options of every kernel: machine code cached between processes (``__pycache__`` beside
#: each module), numpy's error model (division by zero gives inf/nan, no exception), GIL
#: released so thread executors can run kernels in parallel.
JIT: Final = {"cache": True, "error_model": "numpy", "nogil": True}

# behavioral-health states (intsim.sim.population.BH)
BH_NONE, BH_SUB, BH_ACTIVE, BH_IMPROVED, BH_REMITTED = 0, 1, 2, 3, 4
# treatment settings (intsim.sim.population.Tx)
TX_NONE, TX_PCP, TX_SPECIALTY, TX_COCM, TX_PCBH = 0, 1, 2, 3, 4
# conditions (intsim.sim.population.Condition)
DEPRESSION, ANXIETY = 1, 2
# improvement-hazard variants (intsim.sim.clinical.Variant)
V_NONE, V_PCP, V_SPECIALTY, V_COCM, V_PCBH, V_PCBH_WITH_PCP = 0, 1, 2, 3, 7, 8
# CoCM without follow-up, without review, without either: V_COCM + 1, + 2, + 3
V_COCM_NO_FOLLOWUP, V_COCM_NO_REVIEW, V_COCM_NO_FOLLOWUP_NO_REVIEW = 4, 5, 6
# kinds of BHC visit (intsim.money.services.BhcVisitKind)
KIND_MENTAL_HEALTH, KIND_HEALTH_BEHAVIOR, KIND_UNBILLABLE = 1, 2, 3
