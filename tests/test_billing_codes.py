"""Billing rule base: time-to-code rules, practitioner shares and fee-schedule data.

Expected values are computed by hand from docs/billing.md 0, 1.1-1.6, 2.3 and 4.1 and
the packaged billing_codes_reference.csv, not from the code under test.
"""

from __future__ import annotations

import csv
import io
import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from intsim.money.billing import (
    APCM_GENERAL_BHI,
    GENERAL_BHI_CODE,
    INCIDENT_TO_CODES,
    PRACTITIONER_SHARE,
    SAME_MONTH_EXCLUSIONS,
    FeeSchedule,
    MissingRateError,
    apcm_bhi_code,
    available_years,
    cocm_units,
    exclude_general_bhi,
    fqhc_pps_rate,
    general_bhi_units,
    hbai_units,
    load_fee_schedule,
    practitioner_share,
    psychotherapy_code,
)

DATA = files("intsim.money.billing") / "data"
BILLING_PAGE = Path(__file__).resolve().parents[1] / "docs/billing.md"
COLUMNS = [
    "code",
    "family",
    "description",
    "min_minutes",
    "medicare_nonfacility",
    "medicare_facility",
    "conversion_factor",
    "source",
]
PPS_CODES = {"G0469", "G0470"}  # FQHC PPS encounters, priced by fqhc_pps_rate


def reference_rows() -> list[dict[str, str]]:
    text = (DATA / "billing_codes_reference.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def units(minutes: int, initial: bool, cap: int = 2) -> tuple[int, int, int, int]:
    """(99492, 99493, 99494, G2214) units for one patient-month."""
    out = cocm_units(np.array([minutes]), np.array([initial]), max_addon_units=cap)
    return tuple(int(out[c][0]) for c in ("99492", "99493", "99494", "G2214"))


# --- CoCM (docs/billing.md 1.1) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, (0, 0, 0, 0)),
        (15, (0, 0, 0, 0)),
        (16, (0, 0, 0, 1)),
        (30, (0, 0, 0, 1)),
        (31, (0, 0, 0, 1)),  # 31-35 in an initial month: G2214 (interpretation)
        (35, (0, 0, 0, 1)),
        (36, (1, 0, 0, 0)),
        (70, (1, 0, 0, 0)),
        (85, (1, 0, 0, 0)),
        (86, (1, 0, 1, 0)),
        (115, (1, 0, 1, 0)),
        (116, (1, 0, 2, 0)),
        (145, (1, 0, 2, 0)),
        (146, (1, 0, 2, 0)),  # third unit capped at 2
        (400, (1, 0, 2, 0)),
    ],
)
def test_cocm_initial_month_thresholds(minutes, expected):
    assert units(minutes, initial=True) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, (0, 0, 0, 0)),
        (15, (0, 0, 0, 0)),
        (16, (0, 0, 0, 1)),
        (30, (0, 0, 0, 1)),
        (31, (0, 1, 0, 0)),
        (35, (0, 1, 0, 0)),
        (36, (0, 1, 0, 0)),
        (75, (0, 1, 0, 0)),
        (76, (0, 1, 1, 0)),
        (85, (0, 1, 1, 0)),
        (86, (0, 1, 1, 0)),
        (105, (0, 1, 1, 0)),
        (106, (0, 1, 2, 0)),
        (135, (0, 1, 2, 0)),
        (136, (0, 1, 2, 0)),  # capped
    ],
)
def test_cocm_subsequent_month_thresholds(minutes, expected):
    assert units(minutes, initial=False) == expected


@pytest.mark.parametrize(
    ("minutes", "initial", "cap", "addon"),
    [
        (145, True, 10, 2),
        (146, True, 10, 3),
        (175, True, 10, 3),
        (176, True, 10, 4),
        (135, False, 10, 2),
        (136, False, 10, 3),
        (166, False, 10, 4),
        (166, False, 4, 4),  # NC Medicaid cap
        (196, False, 4, 4),
        (86, True, 0, 0),
        (300, False, 0, 0),
        (300, False, 1, 1),
    ],
)
def test_cocm_addon_cap(minutes, initial, cap, addon):
    assert units(minutes, initial, cap)[2] == addon


def test_cocm_vectorised_mixed_months():
    minutes = np.array([10, 20, 33, 33, 50, 50, 90, 90, 120, 120])
    initial = np.array([True, False, True, False, True, False, True, False, True, False])
    out = cocm_units(minutes, initial)
    np.testing.assert_array_equal(out["99492"], [0, 0, 0, 0, 1, 0, 1, 0, 1, 0])
    np.testing.assert_array_equal(out["99493"], [0, 0, 0, 1, 0, 1, 0, 1, 0, 1])
    np.testing.assert_array_equal(out["99494"], [0, 0, 0, 0, 0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(out["G2214"], [0, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    assert set(out) == {"99492", "99493", "99494", "G2214"}
    assert all(a.dtype == np.int64 for a in out.values())
    # at most one base code per patient-month
    base = out["99492"] + out["99493"] + out["G2214"]
    np.testing.assert_array_equal(base, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1])


def test_cocm_broadcasts_scalar_initial_and_keeps_shape():
    minutes = np.array([[16, 31], [76, 106]])
    out = cocm_units(minutes, False)
    assert out["99493"].shape == (2, 2)
    np.testing.assert_array_equal(out["99493"], [[0, 1], [1, 1]])
    np.testing.assert_array_equal(out["99494"], [[0, 0], [1, 2]])
    empty = cocm_units(np.array([], dtype=np.int64), np.array([], dtype=bool))
    assert all(a.shape == (0,) for a in empty.values())


def test_cocm_float_minutes_use_inclusive_thresholds():
    out = cocm_units(np.array([15.9, 35.5, 85.99, 86.0]), np.array([True] * 4))
    np.testing.assert_array_equal(out["G2214"], [0, 1, 0, 0])
    np.testing.assert_array_equal(out["99494"], [0, 0, 0, 1])


@pytest.mark.parametrize("bad", [np.array([-1]), np.array([np.nan]), np.array([np.inf])])
def test_cocm_rejects_invalid_minutes(bad):
    with pytest.raises(ValueError, match="non-negative"):
        cocm_units(bad, np.array([True]))


def test_cocm_rejects_negative_cap_and_text_minutes():
    with pytest.raises(ValueError, match="max_addon_units"):
        cocm_units(np.array([90]), np.array([True]), max_addon_units=-1)
    with pytest.raises(TypeError, match="dtype"):
        cocm_units(np.array(["90"]), np.array([True]))


def test_cocm_six_month_episode_revenue_matches_worked_example():
    # docs/billing.md 2.3: 1 x 99492 + 5 x 99493 = $813.19 (2025), $885.12 (2026); with two short
    # months billed as G2214: $654.69 (2025).
    initial = np.array([True, False, False, False, False, False])
    for year, minutes, expected in [
        (2025, [70, 60, 60, 60, 60, 60], 813.19),
        (2026, [70, 60, 60, 60, 60, 60], 885.12),
        (2025, [70, 60, 20, 60, 25, 60], 654.69),
    ]:
        fee = load_fee_schedule(year)
        out = cocm_units(np.array(minutes), initial)
        total = sum(fee.rate(code) * int(out[code].sum()) for code in out)
        assert total == pytest.approx(expected, abs=0.005)


# --- general BHI and same-month exclusion (docs/billing.md 1.1, 1.2) ------------------------------


def test_general_bhi_threshold_and_codes():
    np.testing.assert_array_equal(general_bhi_units(np.array([0, 19, 20, 60])), [0, 0, 1, 1])
    assert GENERAL_BHI_CODE == {"incident_to": "99484", "bh_practitioner": "G0323"}


def test_cocm_month_excludes_general_bhi():
    minutes_cocm = np.array([0, 10, 16, 40, 0])
    minutes_bhi = np.array([25, 25, 25, 25, 10])
    cocm = cocm_units(minutes_cocm, np.array([False, False, False, False, True]))
    kept = exclude_general_bhi(general_bhi_units(minutes_bhi), cocm)
    np.testing.assert_array_equal(kept, [1, 1, 0, 0, 0])
    (rule,) = SAME_MONTH_EXCLUSIONS
    assert rule.kept == {"99492", "99493", "99494", "G2214"}
    assert rule.dropped == {"99484", "G0323"}


# --- psychotherapy and HBAI (docs/billing.md 1.4) -------------------------------------------------


def test_psychotherapy_bands():
    minutes = np.array([0, 15, 16, 37, 38, 52, 53, 90])
    expected = ["", "", "90832", "90832", "90834", "90834", "90837", "90837"]
    assert psychotherapy_code(minutes).tolist() == expected
    addon = ["", "", "90833", "90833", "90836", "90836", "90838", "90838"]
    assert psychotherapy_code(minutes, addon_to_em=True).tolist() == addon


def test_hbai_units_midpoint_rule():
    minutes = np.array([0, 15, 16, 30, 37, 38, 52, 53, 67, 68, 82, 83])
    out = hbai_units(minutes)
    np.testing.assert_array_equal(out["96158"], [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
    np.testing.assert_array_equal(out["96159"], [0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4])
    assert set(out) == {"96158", "96159"}


# --- practitioner shares (docs/billing.md 0, 4.1) -------------------------------------------------


@pytest.mark.parametrize(
    ("credential", "share"),
    [
        ("physician", 1.0),
        ("psychologist", 1.0),
        ("np", 0.85),
        ("pa", 0.85),
        ("csw", 0.75),
        ("lpc", 0.75),
        ("mhc", 0.75),
        ("mft", 0.75),
        ("NP", 0.85),
    ],
)
def test_practitioner_share(credential, share):
    assert practitioner_share(credential) == share


def test_unknown_credential_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown credential 'rn'") as err:
        practitioner_share("rn")
    for valid in PRACTITIONER_SHARE:
        assert valid in str(err.value)


def test_incident_to_codes():
    assert {"99492", "99493", "99494", "G2214", "99484", "G0568", "G0569", "G0570"} == set(
        INCIDENT_TO_CODES
    )
    assert "G0323" not in INCIDENT_TO_CODES


def test_apcm_bhi_codes():
    assert apcm_bhi_code(np.array([True, False, True])).tolist() == ["G0568", "G0569", "G0568"]
    assert APCM_GENERAL_BHI == "G0570"


# --- fee schedules (docs/billing.md 0, 1.6; billing_codes_reference.csv) --------------------------


def test_data_files_have_exact_columns():
    for year in available_years():
        text = (DATA / f"fee_schedule_{year}.csv").read_text(encoding="utf-8")
        assert text.splitlines()[0].split(",") == COLUMNS
    pps = (DATA / "fqhc_pps.csv").read_text(encoding="utf-8").splitlines()[0]
    assert pps == "year,base_rate,new_patient_adjustment,source"


def test_both_years_load_with_known_amounts():
    assert {2025, 2026} <= set(available_years())
    f25, f26 = load_fee_schedule(2025), load_fee_schedule(2026)
    assert isinstance(f25, FeeSchedule)
    assert (f25.year, f26.year) == (2025, 2026)
    assert f25.conversion_factor == 32.3465
    assert f26.conversion_factor == 33.4009
    assert f25.rate("99492") == 145.24
    assert f25.rate("99492", facility=True) == 90.89
    assert f26.rate("99492") == 160.32
    assert f26.rate("99493", facility=True) == 89.51
    assert f26.rate("G0568") == 161.66
    assert f26.rate("G0570", facility=True) == 38.75
    assert f25.family["G2214"] == "CoCM"
    assert f26.min_minutes["99492"] == 36
    assert f26.min_minutes["90791"] is None
    assert "MLN909432" in f25.source["99493"]


def test_codes_absent_in_a_year_raise_keyerror_naming_code_and_year():
    f25, f26 = load_fee_schedule(2025), load_fee_schedule(2026)
    for code in ("G0568", "G0569", "G0570"):
        assert code not in f25
        assert code in f26
    for code in ("G0511", "G0512"):
        assert code in f25
        assert code not in f26
    with pytest.raises(KeyError, match=r"G0568.*2025"):
        f25.rate("G0568")
    with pytest.raises(MissingRateError, match=r"G0511.*2026"):
        f26.rate("G0511")
    with pytest.raises(MissingRateError, match="no facility amount"):
        f25.rate("G0511", facility=True)
    assert "G0552" not in f25  # contractor-priced
    assert PPS_CODES.isdisjoint(f25.nonfacility)


def test_loaded_amounts_equal_reference_csv():
    f25, f26 = load_fee_schedule(2025), load_fee_schedule(2026)
    checked = 0
    for row in reference_rows():
        code = row["code"]
        for fee, column in [
            (f25, "medicare_nonfacility_2025"),
            (f26, "medicare_nonfacility_2026"),
        ]:
            if not row[column]:
                assert code not in fee
            elif code in PPS_CODES:  # FQHC PPS encounter, not a PFS amount
                expected = fqhc_pps_rate(2025, new_patient=code == "G0469")
                assert expected == pytest.approx(float(row[column]), abs=0.005)
            else:
                assert fee.rate(code) == float(row[column]), (code, column)
                assert fee.family[code] == row["family"]
                checked += 1
        if row["medicare_facility_2025"]:
            assert f25.rate(code, facility=True) == float(row["medicare_facility_2025"])
    assert checked == 39 + 40
    assert len(f25.nonfacility) == 39
    assert len(f26.nonfacility) == 40


def test_amounts_are_two_decimal_rvus_times_conversion_factor():
    # docs/billing.md 0: $ = total RVU x CF, with total RVUs published to 2 decimals.
    for year in available_years():
        fee = load_fee_schedule(year)
        cf = fee.conversion_factor
        for table in (fee.nonfacility, fee.facility):
            for code, amount in table.items():
                rvu = round(amount / cf, 2)
                assert round(rvu * cf, 2) == pytest.approx(amount, abs=0.001), (year, code)


def billing_page_table() -> dict[str, list[str]]:
    """Rows of the master code table in docs/billing.md 1.6, by code (8 cells each)."""
    md = BILLING_PAGE.read_text(encoding="utf-8")
    section = md.split("### 1.6")[1].split("## 2.")[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0] != "Code" and not cells[0].startswith("-"):
            rows[cells[0]] = cells
    return rows


def test_billing_page_table_matches_packaged_reference_and_fee_schedules():
    rows = billing_page_table()
    reference = {r["code"]: r for r in reference_rows()}
    # every code of the page's table is in the packaged per-code data, with the same amounts
    columns = {
        4: "medicare_nonfacility_2025",
        5: "medicare_facility_2025",
        6: "medicare_nonfacility_2026",
    }
    compared = 0
    for code, cells in rows.items():
        assert code in reference, code
        for index, column in columns.items():
            if re.fullmatch(r"\$[0-9.]+", cells[index]):
                assert float(reference[code][column]) == float(cells[index][1:]), (code, column)
                compared += 1
    assert compared >= 100
    # 2026 facility amounts come from the docs/billing.md 1.6 table
    f26 = load_fee_schedule(2026)
    seen = 0
    for code, cells in rows.items():
        if re.fullmatch(r"\$[0-9.]+", cells[7]):
            assert f26.rate(code, facility=True) == float(cells[7][1:]), code
            seen += 1
    assert seen == len(f26.facility) == 40


def test_year_after_latest_uses_latest_and_too_early_raises():
    latest = max(available_years())
    assert load_fee_schedule(latest + 5) is load_fee_schedule(latest)
    assert load_fee_schedule(2030).rate("99492") == load_fee_schedule(latest).rate("99492")
    with pytest.raises(ValueError, match=r"2024.*earliest year with data is 2025"):
        load_fee_schedule(2024)


def test_fqhc_pps_rates():
    assert fqhc_pps_rate(2025) == 202.65
    assert fqhc_pps_rate(2025, new_patient=True) == pytest.approx(
        round(202.65 * 1.3416, 2), abs=0.01
    )
    assert fqhc_pps_rate(2025, new_patient=True) == 271.88
    assert fqhc_pps_rate(2026) == pytest.approx(202.65 * 1.035, abs=0.005)
    assert fqhc_pps_rate(2035) == fqhc_pps_rate(2026)
    with pytest.raises(ValueError, match="earliest year"):
        fqhc_pps_rate(2024)
    rows = list(csv.DictReader(io.StringIO((DATA / "fqhc_pps.csv").read_text(encoding="utf-8"))))
    sources = {int(r["year"]): r["source"] for r in rows}
    assert sources[2026].startswith("ESTIMATE:")
    assert not sources[2025].startswith("ESTIMATE")
