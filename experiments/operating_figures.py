"""Default operating figures of each care model next to their published ranges.

Runs the default scenario under CoCM, PCBH and hybrid care (seed 1, 60 months) and writes the
table between the markers of ``docs/economics.md``::

    python experiments/operating_figures.py            # rewrite the table in docs/economics.md
    python experiments/operating_figures.py --check    # exit 1 if a figure leaves its range

``tests/test_economics_doc.py`` fails when a default figure leaves its documented range or the
table in the docs is stale.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from intsim import argcheck
from intsim.argcheck import run_main
from intsim.params.scenario import load_scenario
from intsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "economics.md"
BEGIN, END = "<!-- operating-figures:begin -->", "<!-- operating-figures:end -->"
CARE_MODELS = ("cocm", "pcbh", "hybrid")


@dataclass(frozen=True)
class Figure:
    """One operating figure: a summary key, its published range and where the range is from."""

    key: str
    label: str
    fmt: str
    low: float
    high: float
    source: str
    models: tuple[str, ...]


FIGURES: tuple[Figure, ...] = (
    Figure(
        "cm_caseload_per_fte",
        "Active CoCM caseload per care-manager FTE",
        ".0f",
        50,
        150,
        "AIMS Center guidance 50-120 by payer mix; UW 100-150 full time; VA maximum 143-165",
        ("cocm", "hybrid"),
    ),
    Figure(
        "cm_minutes_per_patient_month",
        "Care-manager minutes per patient-month",
        ".0f",
        35,
        85,
        "CPT 99492/99493 describe 70/60 min; gamma means 60-75 then 35-60 (D1); Liu 2007",
        ("cocm", "hybrid"),
    ),
    Figure(
        "billable_share_cm_time",
        "Care-manager minutes billed (time thresholds x capture)",
        ".0%",
        0.6,
        0.95,
        "about 76% of CoCM episodes billable in one programme (Primary Care IPA)",
        ("cocm", "hybrid"),
    ),
    Figure(
        "revenue_per_cocm_patient_month",
        "Revenue per CoCM patient-month (USD)",
        ".0f",
        70,
        160,
        "99493 $145 (Medicare 2026) x payer relativities 0.4-1.1 x capture x (1 - denial)",
        ("cocm", "hybrid"),
    ),
    Figure(
        "psych_hours_used_share",
        "Psychiatric consultant hours used / paid",
        ".0%",
        0.6,
        1.0,
        "hours sized to need: AIMS 2-4 h/week per care-manager FTE",
        ("cocm", "hybrid"),
    ),
    Figure(
        "cocm_mean_wait_weeks",
        "Mean wait for CoCM (weeks)",
        ".1f",
        0.0,
        8.7,
        "waitlist policy: at most 2 months (cocm.max_wait_months)",
        ("cocm", "hybrid"),
    ),
    Figure(
        "mean_waitlist_cocm",
        "Mean CoCM waitlist (patients)",
        ".0f",
        0,
        20,
        "waitlist policy: 10 per care-manager FTE (2 FTE)",
        ("cocm", "hybrid"),
    ),
    Figure(
        "cocm_enrolled_share_of_eligible",
        "CoCM enrolments per eligible patient",
        ".0%",
        0.06,
        0.77,
        "12-77% of eligible engage (Pyne 2015 rural 12.7%, Blackmore 56%, MA 75-77%); "
        "Cliff 2024 12% billed",
        ("cocm",),
    ),
    Figure(
        "bhc_visits_per_fte_day",
        "BHC visits per FTE-day",
        ".1f",
        5,
        12,
        "EST 8 (5-12) BHC encounters a day (D2; one FQHC target 3-7 a day)",
        ("pcbh", "hybrid"),
    ),
    Figure(
        "bhc_mean_wait_weeks",
        "Mean wait for a BHC episode (weeks)",
        ".1f",
        0.0,
        4.4,
        "PCBH same-day access; waitlist policy at most 1 month (pcbh.max_wait_months)",
        ("pcbh", "hybrid"),
    ),
)


def measure() -> dict[str, dict[str, float]]:
    """The default scenario's summary under each care model (seed 1)."""
    out = {}
    for care in CARE_MODELS:
        sc = load_scenario(ROOT / "configs" / "default.yaml", [f"care_model={care}"])
        out[care] = simulate(sc, seed=1).summary
    return out


def rows(summaries: dict[str, dict[str, float]]) -> list[tuple[Figure, str, float]]:
    """(figure, care model, value) for every figure and care model it applies to."""
    return [(f, m, float(summaries[m][f.key])) for f in FIGURES for m in f.models]


def table(summaries: dict[str, dict[str, float]]) -> str:
    """The markdown table of figures, values, ranges and sources."""
    lines = [
        "| Figure | Care model | Default | Range (published or policy) | Source of the range |",
        "|---|---|---:|---|---|",
    ]
    for f, m, v in rows(summaries):
        rng = f"{format(f.low, f.fmt)} – {format(f.high, f.fmt)}"
        lines.append(f"| {f.label} | {m} | {format(v, f.fmt)} | {rng} | {f.source} |")
    return "\n".join(lines) + "\n"


def outside(summaries: dict[str, dict[str, float]]) -> list[str]:
    """Figures outside their documented range."""
    return [
        f"{f.label} ({m}): {v:.3g} not in [{f.low}, {f.high}]"
        for f, m, v in rows(summaries)
        if not f.low <= v <= f.high
    ]


def write_doc(text: str) -> None:
    """Replace the table between the markers of docs/economics.md."""
    doc = DOC.read_text(encoding="utf-8")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argcheck.Parser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the ranges")
    args = parser.parse_args(argv)
    summaries = measure()
    text = table(summaries)
    print(text)
    bad = outside(summaries)
    for line in bad:
        print("outside its range:", line, file=sys.stderr)
    if not args.check:
        write_doc(text)
    return 1 if bad else 0


if __name__ == "__main__":
    run_main(main)
