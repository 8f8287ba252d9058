"""Care-manager caseload -> minutes per patient-month -> billed share (issue 14 item 1).

One full-time care manager on a 12,000-patient CoCM clinic with ample demand (the default payer
mix, no turnover, 36 months). The care manager fills its panel to a share of its minutes
(``cocm.panel_fill_target``, default 0.95); filling beyond its time lowers the minutes each
patient gets (partial time by clinical priority) and, below the CPT time thresholds, the billed
share. Months 13-36 are averaged::

    python experiments/caseload_curve.py                 # results/caseload_curve/
    python experiments/caseload_curve.py --out DIR

Writes ``curve.csv`` and ``curve.png`` and prints the table (docs/economics.md shows it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from intsim import argcheck
from intsim.analysis import figures as fg
from intsim.argcheck import run_main
from intsim.params.scenario import default_scenario
from intsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parent.parent
FILL_TARGETS = (0.5, 0.7, 0.85, 0.95, 1.1, 1.25, 1.5, 1.75, 2.0)


def point(fill: float, seed: int = 3) -> dict[str, float]:
    """Steady caseload, minutes and billed share at one panel fill target."""
    sc = default_scenario().with_overrides(
        {
            "care_model": "cocm",
            "population.n_patients": 12000,
            "staffing.n_pcps": 6,
            "staffing.care_manager_fte": 1.0,
            "staffing.psychiatric_consultant_hours_per_week": 3.0,
            "simulation.months": 36,
            "workforce.enabled": False,
            "cocm.caseload_per_fte": 400,
            "cocm.max_waitlist_per_fte": 0,
            "cocm.panel_fill_target": fill,
        }
    )
    res = simulate(sc, seed=seed)
    late = res.monthly[res.monthly["month"] > 12]
    claims = res.claims
    cocm = claims[claims["family"] == "cocm"]
    cocm = cocm[cocm["month"] > 12]
    return {
        "panel_fill_target": fill,
        "caseload_per_fte": float(late["active_cocm"].mean()),
        "minutes_per_patient_month": float(late["cm_minutes"].sum() / late["active_cocm"].sum()),
        "minutes_needed_share_given": float(
            late["cm_minutes"].sum() / late["cm_minutes_needed"].sum()
        ),
        "billed_share_of_minutes": float(res.summary["billable_share_cm_time"]),
        "cocm_revenue_per_month": float(cocm["paid"].sum() + cocm["collected"].sum()) / len(late),
    }


def plot_curve(table: pd.DataFrame, path: Path) -> None:
    """Minutes per patient-month and billed share against caseload per FTE (PNG + SVG)."""
    plt = fg.pyplot()
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.6))
    ax[0].plot(table["caseload_per_fte"], table["minutes_per_patient_month"], "o-")
    ax[0].set_xlabel("Active caseload per care-manager FTE (patients)")
    ax[0].set_ylabel("Care-manager minutes per patient-month")
    ax[0].set_title("Minutes per patient fall as the panel outgrows the time", fontsize=10)
    ax[1].plot(table["caseload_per_fte"], 100 * table["billed_share_of_minutes"], "o-")
    ax[1].set_xlabel("Active caseload per care-manager FTE (patients)")
    ax[1].set_ylabel("Care-manager minutes billed (%)")
    fg.format_axis(ax[1].yaxis, "%")
    ax[1].set_title("Billed share (time thresholds × capture)", fontsize=10)
    for a in ax:
        a.axvspan(80, 120, color=fg.PALETTE["green"], alpha=0.12, label="AIMS guidance, commercial")
    fg.legend_below(ax[0], ncols=1)
    fig.suptitle("One care manager filled to 0.5–2.0× the minutes: caseload curve")
    fg.save(fig, path)


def main(argv: list[str] | None = None) -> int:
    parser = argcheck.Parser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out",
        type=argcheck.out_dir,
        default=ROOT / "results" / "caseload_curve",
        help="output folder (default results/caseload_curve)",
    )
    args = parser.parse_args(argv)
    argcheck.claim_out(args.out)
    table = pd.DataFrame([point(f) for f in FILL_TARGETS])
    with argcheck.staged_out(args.out) as out:
        table.to_csv(out / "curve.csv", index=False)
        plot_curve(table, out / "curve.png")
    print(table.round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    run_main(main)
