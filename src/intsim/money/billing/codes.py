"""Time-to-code rules: which codes (and how many units) a patient-month's delivered minutes bill.

Every function is pure and vectorised: array arguments hold one element per patient-month (or per
session, for psychotherapy and HBAI) and broadcast against each other. Minutes must be
non-negative and finite; thresholds are inclusive ("≥ 16 min"). Sections cited are those of the
project's billing rule base, ``docs/billing.md``.

Which minutes count is the caller's job: e.g. BHCM time spent on separately billed psychotherapy
does not count toward CoCM minutes (docs/billing.md 1.1), and CoCM and general-BHI minutes must
not be double counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "APCM_BHI_FIRST_YEAR",
    "APCM_GENERAL_BHI",
    "COCM_CODES",
    "GENERAL_BHI_CODE",
    "GENERAL_BHI_CODES",
    "HBAI_CODE_PAIRS",
    "INCIDENT_TO_CODES",
    "PRACTITIONER_SHARE",
    "SAME_MONTH_EXCLUSIONS",
    "SameMonthExclusion",
    "apcm_bhi_code",
    "cocm_units",
    "exclude_general_bhi",
    "general_bhi_units",
    "hbai_units",
    "practitioner_share",
    "psychotherapy_code",
]

# --- thresholds (minutes, inclusive) -------------------------------------------------------------

#: Below this many BHCM minutes in a month nothing is billed (docs/billing.md 1.1).
COCM_MIN_MINUTES: Final = 16
#: 99492 (initial month) from this many minutes; 16-35 bill G2214 (docs/billing.md 1.1).
COCM_INITIAL_BASE_MINUTES: Final = 36
#: 99493 (subsequent month) from this many minutes; 16-30 bill G2214 (docs/billing.md 1.1).
COCM_SUBSEQUENT_BASE_MINUTES: Final = 31
#: First 99494 unit in an initial month (docs/billing.md 1.1).
COCM_INITIAL_ADDON_MINUTES: Final = 86
#: First 99494 unit in a subsequent month (docs/billing.md 1.1).
COCM_SUBSEQUENT_ADDON_MINUTES: Final = 76
#: Each further 99494 unit needs this many more minutes (docs/billing.md 1.1).
COCM_ADDON_STEP_MINUTES: Final = 30
#: 99484 / G0323 need at least this many minutes in the month (docs/billing.md 1.2; Medicare).
GENERAL_BHI_MIN_MINUTES: Final = 20
#: Psychotherapy bands: 90832 from 16, 90834 from 38, 90837 from 53 minutes (docs/billing.md 1.4).
PSYCHOTHERAPY_MIN_MINUTES: Final = (16, 38, 53)
#: 96158 (and the other HBAI initial-30-min codes) need at least 16 minutes (docs/billing.md 1.4).
HBAI_BASE_MIN_MINUTES: Final = 16
#: First 15-min HBAI add-on unit at 38 total minutes (30 + midpoint 8) (docs/billing.md 1.4, 1.6).
HBAI_ADDON_FIRST_MINUTES: Final = 38
#: Each further HBAI add-on unit needs 15 more minutes (53, 68, ...).
HBAI_ADDON_STEP_MINUTES: Final = 15

# --- code sets ----------------------------------------------------------------------------------

#: Psychiatric Collaborative Care codes (docs/billing.md 1.1).
COCM_CODES: Final = frozenset({"99492", "99493", "99494", "G2214"})
#: General BHI care-management codes (docs/billing.md 1.2).
GENERAL_BHI_CODES: Final = frozenset({"99484", "G0323"})
#: General BHI code by who bills it (docs/billing.md 1.2): 99484 for clinical-staff time billed
#: incident-to by a physician/NPP; G0323 when a CP, CSW, MFT or MHC is the billing practitioner.
GENERAL_BHI_CODE: Final = {"incident_to": "99484", "bh_practitioner": "G0323"}
#: APCM behavioral-health add-on for general BHI (docs/billing.md 1.5); billable from 2026.
APCM_GENERAL_BHI: Final = "G0570"
#: First year the APCM BHI add-ons G0568-G0570 exist (docs/billing.md 1.5).
APCM_BHI_FIRST_YEAR: Final = 2026
#: Codes billed under the treating (billing) practitioner whoever delivered the minutes: the CoCM
#: codes, 99484 and the APCM BHI add-ons (docs/billing.md 1.1, 1.2, 1.5, 4.2). They are paid at
#: the billing practitioner's share (physician 100%, NP/PA 85%).
INCIDENT_TO_CODES: Final = COCM_CODES | {"99484", "G0568", "G0569", "G0570"}
#: HBAI (initial 30 min, each additional 15 min) code pairs; :func:`hbai_units` counts units for
#: any pair since they share the time structure (docs/billing.md 1.4). 96170/96171 (family without
#: the patient) are omitted: Medicare status N (not covered).
HBAI_CODE_PAIRS: Final = {
    "individual": ("96158", "96159"),
    "group": ("96164", "96165"),
    "family": ("96167", "96168"),
}

#: Share of the fee-schedule amount paid by the billing practitioner's credential
#: (docs/billing.md 0, 4.1): physician and clinical psychologist 100%; NP, PA and CNS 85%;
#: clinical social worker 75%; MFT and mental health counselor (LPC/MHC) 80% of the lesser of the
#: charge or 75% of the psychologist amount, modelled as 75%.
PRACTITIONER_SHARE: Final[dict[str, float]] = {
    "physician": 1.0,
    "psychologist": 1.0,
    "np": 0.85,
    "pa": 0.85,
    "cns": 0.85,
    "csw": 0.75,
    "lpc": 0.75,
    "mhc": 0.75,
    "mft": 0.75,
}


@dataclass(frozen=True)
class SameMonthExclusion:
    """Codes that cannot be billed for the same patient in the same month.

    Attributes:
        kept: Codes that are billed when both apply.
        dropped: Codes that are not billed in a month in which any ``kept`` code is billed.
        note: Rule and source.
    """

    kept: frozenset[str]
    dropped: frozenset[str]
    note: str


#: Same-month exclusions applied by :func:`exclude_general_bhi`.
SAME_MONTH_EXCLUSIONS: Final = (
    SameMonthExclusion(
        kept=COCM_CODES,
        dropped=GENERAL_BHI_CODES,
        note=(
            "CoCM (99492/99493/99494/G2214) and general BHI (99484; G0323 treated the same) "
            "cannot be billed for the same patient in the same month (docs/billing.md 1.1, 1.2). "
            "Modelling rule: CoCM wins, since the patient is enrolled in CoCM and CoCM pays at "
            "least as much. CoCM may be billed with CCM, TCM and psychotherapy if no minutes are "
            "double counted."
        ),
    ),
)


def _minutes(minutes: ArrayLike) -> NDArray[np.number]:
    """Validate a minutes array: real, finite and non-negative."""
    arr = np.asarray(minutes)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"minutes must be an integer or float array, got dtype {arr.dtype}")
    if arr.size and (not np.all(np.isfinite(arr)) or np.any(arr < 0)):
        raise ValueError("minutes must be finite and non-negative")
    return arr


def _addon_units(minutes: NDArray[np.number], first: ArrayLike, step: int) -> NDArray[np.int64]:
    """Add-on units: 1 at ``first`` minutes, one more every further ``step`` minutes."""
    units = np.floor_divide(minutes - first, step) + 1
    return np.where(minutes >= first, units, 0).astype(np.int64)


def cocm_units(
    minutes: ArrayLike, initial: ArrayLike, max_addon_units: int = 2
) -> dict[str, NDArray[np.int64]]:
    """CoCM units billed for each patient-month from the BHCM minutes delivered.

    Rules (docs/billing.md 1.1, CMS MLN909432 and the CY2021 G2214 table):

    * fewer than 16 minutes: nothing;
    * initial month: 16-35 minutes → G2214 (31-35 is the documented interpretation, docs/billing.md
      §1.1 and §7); 36+ → 99492; one 99494 unit at ≥ 86 minutes and another every further 30
      (≥ 116 → 2, ≥ 146 → 3, ...);
    * subsequent month: 16-30 → G2214; 31+ → 99493; 99494 at ≥ 76, ≥ 106, ≥ 136, ...;
    * 99494 units are capped at ``max_addon_units`` (Medicare cap NOT FOUND; docs/billing.md 1.1
      ESTIMATE of 2; NC Medicaid allows 4).

    Args:
        minutes: BHCM minutes in the calendar month, one per patient-month.
        initial: True for the first month of a CoCM episode (99492), False for later months.
            Broadcast against ``minutes``.
        max_addon_units: Maximum 99494 units per patient-month (non-negative).

    Returns:
        Units per patient-month for keys ``"99492"``, ``"99493"``, ``"99494"`` and ``"G2214"``
        (int64 arrays of the broadcast shape; at most one of 99492/99493/G2214 is 1).

    Raises:
        ValueError: If minutes are negative or not finite, or ``max_addon_units`` is negative.
        TypeError: If minutes are not numeric.
    """
    if max_addon_units < 0:
        raise ValueError(f"max_addon_units must be >= 0, got {max_addon_units}")
    m, init = np.broadcast_arrays(_minutes(minutes), np.asarray(initial, dtype=bool))
    billable = m >= COCM_MIN_MINUTES
    base_threshold = np.where(init, COCM_INITIAL_BASE_MINUTES, COCM_SUBSEQUENT_BASE_MINUTES)
    base = billable & (m >= base_threshold)
    addon_threshold = np.where(init, COCM_INITIAL_ADDON_MINUTES, COCM_SUBSEQUENT_ADDON_MINUTES)
    addon = _addon_units(m, addon_threshold, COCM_ADDON_STEP_MINUTES)
    return {
        "99492": (base & init).astype(np.int64),
        "99493": (base & ~init).astype(np.int64),
        "99494": np.minimum(addon, max_addon_units),
        "G2214": (billable & ~base).astype(np.int64),
    }


def general_bhi_units(minutes: ArrayLike) -> NDArray[np.int64]:
    """General BHI units (0 or 1) for each patient-month.

    One unit per month at ≥ 20 minutes (Medicare; docs/billing.md 1.2). The code is the caller's
    choice: :data:`GENERAL_BHI_CODE` ``["incident_to"]`` (99484, clinical staff directed by a
    physician/NPP) or ``["bh_practitioner"]`` (G0323, billed by a CP/CSW/MFT/MHC). Not billable in
    a CoCM month; see :func:`exclude_general_bhi`.

    Args:
        minutes: Care-management minutes in the calendar month, one per patient-month.

    Returns:
        int64 array of 0/1 units.
    """
    return (_minutes(minutes) >= GENERAL_BHI_MIN_MINUTES).astype(np.int64)


def exclude_general_bhi(
    general_units: ArrayLike, cocm: dict[str, NDArray[np.int64]]
) -> NDArray[np.int64]:
    """Drop general BHI units in patient-months that bill any CoCM code.

    Applies :data:`SAME_MONTH_EXCLUSIONS` (docs/billing.md 1.1, 1.2: CoCM and 99484/G0323 are
    mutually exclusive for a patient in a month; CoCM wins).

    Args:
        general_units: Output of :func:`general_bhi_units`.
        cocm: Output of :func:`cocm_units` for the same patient-months.

    Returns:
        ``general_units`` with zeros where any CoCM unit is billed.
    """
    any_cocm = np.zeros(np.shape(general_units), dtype=bool)
    for code in COCM_CODES:
        any_cocm = any_cocm | (cocm[code] > 0)
    return np.where(any_cocm, 0, general_units).astype(np.int64)


def psychotherapy_code(minutes: ArrayLike, addon_to_em: bool = False) -> NDArray[np.str_]:
    """Psychotherapy code for each session from its minutes with the patient.

    CPT bands (docs/billing.md 1.4): below 16 → ``""`` (not billable); 16-37 → 90832; 38-52 → 90834;
    53+ → 90837. Only one code per session; codes are not summed.

    Args:
        minutes: Face-to-face (or telehealth) minutes per session.
        addon_to_em: Return the add-on-to-E/M codes instead (90833/90836/90838, same bands;
            physician/NPP only).

    Returns:
        Array of code strings (``""`` where nothing is billable).
    """
    m = _minutes(minutes)
    codes = ("90833", "90836", "90838") if addon_to_em else ("90832", "90834", "90837")
    low, mid, high = PSYCHOTHERAPY_MIN_MINUTES
    return np.select(
        [m >= high, m >= mid, m >= low], [codes[2], codes[1], codes[0]], default=""
    ).astype("<U5")


def hbai_units(minutes: ArrayLike) -> dict[str, NDArray[np.int64]]:
    """Health behavior intervention units for each session from its minutes.

    96158 (initial 30 min) needs ≥ 16 minutes; 96159 (each additional 15 min) follows the CPT
    midpoint rule: first unit at ≥ 38 total minutes, then one more every 15 (≥ 53 → 2, ≥ 68 → 3,
    ...), with no unit cap (docs/billing.md 1.4, 1.6; ``billing_codes_reference.csv``). The same
    counts apply to the group and family pairs in :data:`HBAI_CODE_PAIRS`.

    Args:
        minutes: Face-to-face minutes per session.

    Returns:
        int64 units for keys ``"96158"`` (0/1) and ``"96159"`` (0, 1, 2, ...).
    """
    m = _minutes(minutes)
    return {
        "96158": (m >= HBAI_BASE_MIN_MINUTES).astype(np.int64),
        "96159": _addon_units(m, HBAI_ADDON_FIRST_MINUTES, HBAI_ADDON_STEP_MINUTES),
    }


def practitioner_share(credential: str) -> float:
    """Share of the fee-schedule amount paid to a billing practitioner with this credential.

    Per docs/billing.md 0 and 4.1 (SSA §1833(a)(1) as amended by CAA 2023 §4121); see
    :data:`PRACTITIONER_SHARE`. Matching is case-insensitive.

    Args:
        credential: One of the keys of :data:`PRACTITIONER_SHARE`, e.g. ``"np"``.

    Returns:
        Fraction of the PFS amount (1.0, 0.85 or 0.75).

    Raises:
        ValueError: For an unknown credential (the message lists the valid ones).
    """
    key = credential.strip().lower()
    if key not in PRACTITIONER_SHARE:
        raise ValueError(
            f"unknown credential {credential!r}; valid: {', '.join(sorted(PRACTITIONER_SHARE))}"
        )
    return PRACTITIONER_SHARE[key]


def apcm_bhi_code(initial: ArrayLike) -> NDArray[np.str_]:
    """APCM CoCM add-on code for each patient-month (docs/billing.md 1.5).

    G0568 for an initial CoCM month (mirrors 99492), G0569 for a subsequent month (mirrors
    99493). These need no time documentation but exist only from
    :data:`APCM_BHI_FIRST_YEAR` (2026) and only with an APCM base code (G0556-G0558) by the same
    practitioner in the same month; the caller checks both. General BHI under APCM is
    :data:`APCM_GENERAL_BHI` (G0570).

    Args:
        initial: True for the first month of a CoCM episode.

    Returns:
        Array of ``"G0568"`` / ``"G0569"``.
    """
    return np.where(np.asarray(initial, dtype=bool), "G0568", "G0569").astype("<U5")
