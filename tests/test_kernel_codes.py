"""The integer codes the compiled kernels mirror by hand are tied to the enums they mirror.

numba freezes module globals at compile time and cannot read an ``IntEnum``, so
:mod:`intsim.sim.kernels.codes` and :mod:`intsim.money.claims_kernels` repeat the codes as plain
integers. A change to either side (a renumbered enum member, a new member, a retyped constant) fails
here.
"""

from __future__ import annotations

from enum import IntEnum

import pytest

from intsim.money import claims, claims_kernels
from intsim.sim.clinical import Variant
from intsim.sim.kernels import codes
from intsim.sim.population import BH, BhcVisitKind, Condition, Tx

#: Each mirrored constant of :mod:`intsim.sim.kernels.codes` and the enum member it stands for.
MIRRORED: dict[str, IntEnum] = {
    "BH_NONE": BH.NONE,
    "BH_SUB": BH.SUBTHRESHOLD,
    "BH_ACTIVE": BH.ACTIVE,
    "BH_IMPROVED": BH.IMPROVED,
    "BH_REMITTED": BH.REMITTED,
    "TX_NONE": Tx.NONE,
    "TX_PCP": Tx.PCP,
    "TX_SPECIALTY": Tx.SPECIALTY,
    "TX_COCM": Tx.COCM,
    "TX_PCBH": Tx.PCBH,
    "DEPRESSION": Condition.DEPRESSION,
    "ANXIETY": Condition.ANXIETY,
    "V_NONE": Variant.NONE,
    "V_PCP": Variant.PCP,
    "V_SPECIALTY": Variant.SPECIALTY,
    "V_COCM": Variant.COCM,
    "V_COCM_NO_FOLLOWUP": Variant.COCM_NO_FOLLOWUP,
    "V_COCM_NO_REVIEW": Variant.COCM_NO_REVIEW,
    "V_COCM_NO_FOLLOWUP_NO_REVIEW": Variant.COCM_NO_FOLLOWUP_NO_REVIEW,
    "V_PCBH": Variant.PCBH,
    "V_PCBH_WITH_PCP": Variant.PCBH_WITH_PCP,
    "KIND_MENTAL_HEALTH": BhcVisitKind.MENTAL_HEALTH,
    "KIND_HEALTH_BEHAVIOR": BhcVisitKind.HEALTH_BEHAVIOR,
    "KIND_UNBILLABLE": BhcVisitKind.UNBILLABLE,
}


def _integer_constants(module: object) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if name.isupper() and type(value) is int  # a bool or an enum member is no mirror
    }


@pytest.mark.parametrize(("name", "member"), MIRRORED.items(), ids=list(MIRRORED))
def test_kernel_code_equals_its_enum_member(name: str, member: IntEnum) -> None:
    value = getattr(codes, name)
    assert type(value) is int
    assert value == member.value


def test_every_kernel_code_is_tied_to_an_enum_member() -> None:
    assert _integer_constants(codes) == set(MIRRORED)


@pytest.mark.parametrize("enum", [BH, Tx, Condition, Variant, BhcVisitKind])
def test_every_enum_member_the_kernels_use_has_a_mirror(enum: type[IntEnum]) -> None:
    mirrored = {m for m in MIRRORED.values() if type(m) is enum}
    unmirrored = set(enum) - mirrored
    # the NONE codes of Condition and BhcVisitKind are never tested for by a kernel
    assert unmirrored <= {Condition.NONE, BhcVisitKind.NONE}


def test_cocm_variant_arithmetic_of_the_kernel() -> None:
    # kernels.clinical.treatment_variant returns V_COCM + no_follow + 2 * no_review
    assert Variant.COCM_NO_FOLLOWUP == Variant.COCM + 1
    assert Variant.COCM_NO_REVIEW == Variant.COCM + 2
    assert Variant.COCM_NO_FOLLOWUP_NO_REVIEW == Variant.COCM + 3


def test_claim_statuses_of_the_claim_kernels() -> None:
    statuses = {
        "paid": claims_kernels._PAID,
        "not_covered": claims_kernels._NOT_COVERED,
        "same_day": claims_kernels._SAME_DAY,
        "capitated": claims_kernels._CAPITATED,
        "case_rate": claims_kernels._CASE_RATE,
        "no_ffs": claims_kernels._NO_FFS,
    }
    assert tuple(statuses) == claims.STATUSES
    assert list(statuses.values()) == list(range(len(claims.STATUSES)))
    assert claims.PAID == claims_kernels._PAID
    assert claims.NO_FFS == claims_kernels._NO_FFS


def test_revenue_families_of_the_claim_kernels() -> None:
    families = {
        "cocm": claims_kernels._COCM,
        "bhc_psychotherapy": claims_kernels._PSYCHOTHERAPY,
        "bhc_hbai": claims_kernels._HBAI,
        "fqhc_mental_health": claims_kernels._FQHC_MH,
        "general_bhi": claims_kernels._GENERAL_BHI,
    }
    assert tuple(families) == claims.FAMILIES
    assert list(families.values()) == list(range(len(claims.FAMILIES)))
