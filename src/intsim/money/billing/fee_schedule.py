"""Medicare fee schedules and FQHC PPS rates, loaded from the package's data files.

Each calendar year with published national amounts has one file,
``intsim/money/billing/data/fee_schedule_<year>.csv``, with the columns
``code,family,description,min_minutes,medicare_nonfacility,medicare_facility,conversion_factor,
source``. Amounts are national (GPCI = 1.0), unadjusted, computed as total RVU × conversion factor
(docs/billing.md 0 and 1.6; 2026 uses the non-QP factor). ``fqhc_pps.csv`` holds the Medicare FQHC
prospective-payment base rate per visit and its new-patient adjustment (docs/billing.md 1.3).

Year rule (both tables): a year later than the latest file is priced with the latest file, i.e.
amounts are *held at the latest published year* (no CF projection, no inflation); a year between
two files uses the most recent file at or before it; a year before the earliest file is an error.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

__all__ = [
    "FeeSchedule",
    "MissingRateError",
    "available_years",
    "fqhc_pps_rate",
    "fqhc_pps_years",
    "load_fee_schedule",
]

_PACKAGE = "intsim.money.billing"
_FEE_FILE = re.compile(r"^fee_schedule_(\d{4})\.csv$")
_FEE_COLUMNS = (
    "code",
    "family",
    "description",
    "min_minutes",
    "medicare_nonfacility",
    "medicare_facility",
    "conversion_factor",
    "source",
)
_PPS_COLUMNS = ("year", "base_rate", "new_patient_adjustment", "source")


class MissingRateError(KeyError):
    """A code has no amount in a year's fee schedule (absent that year, or no facility amount)."""

    def __str__(self) -> str:
        """Return the plain message (``KeyError`` would show it quoted)."""
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class FeeSchedule:
    """One year's Medicare national physician fee schedule amounts for the modelled codes.

    The schedule returned by :func:`load_fee_schedule` is cached and shared: treat its
    dictionaries as read-only.

    Attributes:
        year: Year of the data file the amounts come from (for a year beyond the latest file,
            the latest file's year; see :func:`load_fee_schedule`).
        conversion_factor: Dollars per RVU for that year (2025: 32.3465; 2026: 33.4009 non-QP).
        nonfacility: Code → non-facility (office, freestanding clinic) amount in dollars.
        facility: Code → facility (e.g. hospital outpatient department) amount in dollars; codes
            without a facility amount (G0511, G0512) are absent.
        family: Code → code family (e.g. ``"CoCM"``, ``"Psychotherapy"``).
        source: Code → citation of the amount.
        description: Code → short descriptor.
        min_minutes: Code → minimum minutes for one unit (``None`` if untimed).
    """

    year: int
    conversion_factor: float
    nonfacility: dict[str, float]
    facility: dict[str, float]
    family: dict[str, str]
    source: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    min_minutes: dict[str, int | None] = field(default_factory=dict)

    def rate(self, code: str, facility: bool = False) -> float:
        """National Medicare amount for one unit of ``code``.

        Args:
            code: HCPCS/CPT code, e.g. ``"99492"``.
            facility: Use the facility (F) amount instead of the non-facility (NF) amount
                (docs/billing.md 0: F when the billing practitioner works in a facility).

        Returns:
            Dollars per unit.

        Raises:
            MissingRateError: (a ``KeyError``) if the code has no such amount this year.
        """
        table = self.facility if facility else self.nonfacility
        try:
            return table[code]
        except KeyError:
            setting = "facility" if facility else "non-facility"
            if code in self.nonfacility:
                reason = f"has no {setting} amount"
            else:
                reason = "has no amount (absent that year, or not a modelled code)"
            raise MissingRateError(
                f"code {code!r} {reason} in the {self.year} Medicare fee schedule data"
            ) from None

    def __contains__(self, code: object) -> bool:
        """Whether ``code`` has a (non-facility) amount in this schedule."""
        return code in self.nonfacility


def _data_text(name: str) -> str:
    return (files(_PACKAGE) / "data" / name).read_text(encoding="utf-8")


def _rows(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(_data_text(name)))
    if tuple(reader.fieldnames or ()) != columns:
        raise ValueError(f"{name}: columns {reader.fieldnames} != expected {list(columns)}")
    return list(reader)


@cache
def _fee_years() -> tuple[int, ...]:
    found = (_FEE_FILE.match(entry.name) for entry in (files(_PACKAGE) / "data").iterdir())
    return tuple(sorted(int(m.group(1)) for m in found if m))


def available_years() -> list[int]:
    """Years that have a fee-schedule data file, ascending.

    Returns:
        E.g. ``[2025, 2026]``.
    """
    return list(_fee_years())


def _file_year(year: int, years: tuple[int, ...], what: str) -> int:
    """Most recent data year at or before ``year`` (held at the latest for later years)."""
    if not years:
        raise ValueError(f"no {what} data files found in {_PACKAGE}/data")
    if year < years[0]:
        raise ValueError(
            f"no {what} for {year}: the earliest year with data is {years[0]} "
            f"(available: {list(years)})"
        )
    return max(y for y in years if y <= year)


def load_fee_schedule(year: int) -> FeeSchedule:
    """Load the Medicare fee schedule for a calendar year.

    Years after the latest data file use the latest file: amounts are held at the latest
    published year (the returned schedule's ``year`` is that file's year). A year between two
    files uses the most recent earlier file. Results are cached, so repeated calls are free.

    Args:
        year: Calendar year of service.

    Returns:
        The fee schedule.

    Raises:
        ValueError: If ``year`` precedes the earliest data file, or a file is malformed.
    """
    return _load_fee_schedule(_file_year(year, _fee_years(), "Medicare fee schedule"))


@cache
def _load_fee_schedule(year: int) -> FeeSchedule:
    name = f"fee_schedule_{year}.csv"
    nonfacility: dict[str, float] = {}
    facility: dict[str, float] = {}
    family: dict[str, str] = {}
    source: dict[str, str] = {}
    description: dict[str, str] = {}
    min_minutes: dict[str, int | None] = {}
    factors: set[float] = set()
    for row in _rows(name, _FEE_COLUMNS):
        code = row["code"]
        if code in nonfacility:
            raise ValueError(f"{name}: duplicate code {code!r}")
        nonfacility[code] = float(row["medicare_nonfacility"])
        if row["medicare_facility"]:
            facility[code] = float(row["medicare_facility"])
        family[code] = row["family"]
        source[code] = row["source"]
        description[code] = row["description"]
        min_minutes[code] = int(row["min_minutes"]) if row["min_minutes"] else None
        factors.add(float(row["conversion_factor"]))
    if len(factors) != 1:
        raise ValueError(f"{name}: expected one conversion factor, found {sorted(factors)}")
    return FeeSchedule(
        year=year,
        conversion_factor=factors.pop(),
        nonfacility=nonfacility,
        facility=facility,
        family=family,
        source=source,
        description=description,
        min_minutes=min_minutes,
    )


@cache
def _pps_table() -> dict[int, tuple[float, float, str]]:
    return {
        int(r["year"]): (float(r["base_rate"]), float(r["new_patient_adjustment"]), r["source"])
        for r in _rows("fqhc_pps.csv", _PPS_COLUMNS)
    }


def fqhc_pps_years() -> list[int]:
    """Years that have an FQHC PPS row, ascending.

    Returns:
        E.g. ``[2025, 2026]`` (2026 is an ESTIMATE; see ``fqhc_pps.csv``).
    """
    return sorted(_pps_table())


def fqhc_pps_rate(year: int, new_patient: bool = False) -> float:
    """Medicare FQHC PPS payment per qualifying visit, national (before the GAF).

    Per docs/billing.md 1.3 the base rate is multiplied by 1.3416 for a new patient, IPPE or AWV,
    and a same-day medical and mental health visit are two encounters. The 2026 row is an ESTIMATE
    (the CY2026 base was not found). Later years are held at the latest row; see
    :func:`load_fee_schedule` for the year rule.

    Args:
        year: Calendar year of service.
        new_patient: Apply the new-patient (IPPE/AWV) adjustment.

    Returns:
        Dollars per encounter, rounded to the cent.

    Raises:
        ValueError: If ``year`` precedes the earliest row.
    """
    table = _pps_table()
    base, adjustment, _ = table[_file_year(year, tuple(sorted(table)), "FQHC PPS rate")]
    return round(base * adjustment, 2) if new_patient else base
