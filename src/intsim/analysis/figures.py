"""One figure style for every command and experiment: palette, fonts, formats, labels.

A low layer: it reads the parameter declaration (:mod:`intsim.params`) and nothing above it.

* :data:`PALETTE` / :data:`COLOURS`: the Okabe–Ito colour-blind-safe palette.
* :func:`pyplot`: matplotlib's pyplot on the Agg backend with :data:`RC_PARAMS` applied
  (readable fonts, a light grid, ``svg.fonttype: none`` so SVG text stays searchable text).
* :func:`save`: every figure as a 300 dpi PNG **and** an SVG with the same stem.
* Tick formatters for currency (:func:`usd_formatter`), percentages (:func:`percent_formatter`)
  and counts (:func:`count_formatter`); :func:`format_axis` picks one from a unit.
* Legends placed beside or below the axes (:func:`legend_below`, :func:`legend_right`), never
  over the data.
* Human labels: :func:`param_label` for every declared parameter path (derived from the
  declaration: payer or section context + the words of the last key with acronyms upper-cased,
  the unit from the declaration, or the declaration's own ``label``), :data:`OUTPUT_LABELS` for
  every output on an axis (:func:`output_label`), :func:`event_label` for ``P(output >= t)`` and
  :func:`display_name` for user-given names (strategies, factor groups).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from intsim.params import PARAMS_BY_PATH
from intsim.params.spec import PAYERS

#: Resolution of every PNG written (dots per inch).
FIGURE_DPI = 300

#: Okabe & Ito (2008) colour-blind-safe palette, by name.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
#: The palette in plotting order (yellow last: it is faint on white).
COLOURS: tuple[str, ...] = (
    PALETTE["blue"],
    PALETTE["orange"],
    PALETTE["green"],
    PALETTE["vermillion"],
    PALETTE["sky"],
    PALETTE["purple"],
    PALETTE["black"],
    PALETTE["yellow"],
)
#: Neutral grey for reference lines (zero, 100%).
GREY = "#7F7F7F"

#: matplotlib settings applied by :func:`pyplot`.
RC_PARAMS: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.titlesize": 12,
    "figure.titleweight": "bold",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.7,
    "figure.constrained_layout.use": True,
    "svg.fonttype": "none",
    "svg.hashsalt": "intsim",
    "savefig.dpi": FIGURE_DPI,
}


def apply_style() -> None:
    """Select the Agg backend and apply :data:`RC_PARAMS` (idempotent)."""
    import matplotlib as mpl  # noqa: PLC0415 (matplotlib is slow to import)
    from cycler import cycler  # noqa: PLC0415

    mpl.use("Agg")
    mpl.rcParams.update(RC_PARAMS)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(COLOURS))


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend with the house style applied."""
    apply_style()
    import matplotlib.pyplot as plt  # noqa: PLC0415

    return plt


def save(fig: Any, path: Path, extra: tuple[str, ...] = ()) -> tuple[Path, ...]:
    """Write ``fig`` as ``<stem>.png`` (300 dpi) and ``<stem>.svg`` and close it.

    Args:
        fig: The matplotlib figure.
        path: Target path; its suffix is replaced (``x.png`` and ``x`` both give ``x.png``).
        extra: Further formats written next to them, e.g. ``("pdf",)``.

    Returns:
        The paths written, PNG first, then SVG, then ``extra`` in order.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415

    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".png", ".svg", ".pdf") else path
    paths = tuple(stem.with_name(f"{stem.name}.{ext}") for ext in ("png", "svg", *extra))
    try:
        for p in paths:
            # No creation date in SVG/PDF metadata: the same figure gives the same bytes.
            meta = {"Date": None} if p.suffix in (".svg", ".pdf") else None
            fig.savefig(p, dpi=FIGURE_DPI, bbox_inches="tight", metadata=meta)
    finally:
        plt.close(fig)
    return paths


# --------------------------------------------------------------------------- tick formats


def usd_text(value: float) -> str:
    """A compact dollar amount: ``$950``, ``$12.5k``, ``−$1.2M`` (three significant digits)."""
    sign = "\u2212" if value < 0 else ""
    a = abs(value)
    if a >= 999.5e3:
        scaled, suffix = a / 1e6, "M"
    elif a >= 999.5:
        scaled, suffix = a / 1e3, "k"
    else:
        scaled, suffix = a, ""
    body = f"{scaled:,.0f}" if scaled >= 999.5 else f"{scaled:.3g}"
    return f"{sign}${body}{suffix}"


def usd_formatter() -> Any:
    """Ticks as compact dollar amounts (values in USD)."""
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    return FuncFormatter(lambda v, _pos: usd_text(v))


def _minus(text: str) -> str:
    """A typographic minus sign instead of a hyphen."""
    return text.replace("-", "\u2212")


def percent_formatter(scale: float = 1.0) -> Any:
    """Ticks as percentages; ``scale=100`` for shares stored as 0–1."""
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    def fmt(v: float, _pos: int) -> str:
        x = v * scale
        whole = abs(x - round(x)) < 1e-9 or abs(x) >= 10
        return _minus(f"{x:.0f}%" if whole else f"{x:.1f}%")

    return FuncFormatter(fmt)


def count_formatter() -> Any:
    """Ticks as whole numbers with thousands separators."""
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    return FuncFormatter(lambda v, _pos: _minus(f"{v:,.0f}") if float(v).is_integer() else "")


def _formatter_for(unit: str) -> tuple[Any, bool] | None:
    """(formatter, integer ticks) for a unit, or ``None`` for the default."""
    if unit.startswith("USD"):
        return usd_formatter(), False
    if unit == "%":
        return percent_formatter(), False
    if unit in ("share",):
        return percent_formatter(100.0), False
    if unit in ("patients", "month", "runs", "visits", "positions", "staff", "events"):
        return count_formatter(), True
    return None


def format_axis(axis: Any, unit: str) -> None:
    """Format an x or y axis (``ax.xaxis``) for values in ``unit`` (USD, %, counts)."""
    chosen = _formatter_for(unit)
    if chosen is None:
        return
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    formatter, integer = chosen
    axis.set_major_formatter(formatter)
    if integer:
        axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def value_text(value: float, unit: str) -> str:
    """A value for an annotation: dollars for USD units, ``%`` for percentages, else compact."""
    if unit.startswith("USD"):
        return usd_text(value)
    if unit == "%":
        return _minus(f"{value:.3g}%")
    if float(value).is_integer() or abs(value) >= 1000:
        return _minus(f"{value:,.0f}")
    return _minus(f"{value:.3g}")


# --------------------------------------------------------------------------- legends


def legend_below(ax: Any, ncols: int = 3, **kwargs: Any) -> Any:
    """A legend centred under the axes (outside the data area)."""
    if not ax.get_legend_handles_labels()[0] and "handles" not in kwargs:
        return None
    # Anchored at the bottom of the axes with a pad in font sizes (clears the tick labels and
    # the axis label whatever the axes' height).
    return ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        borderaxespad=4.2,
        ncols=ncols,
        frameon=False,
        **kwargs,
    )


def legend_right(ax: Any, **kwargs: Any) -> Any:
    """A legend to the right of the axes (outside the data area)."""
    if not ax.get_legend_handles_labels()[0] and "handles" not in kwargs:
        return None
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, **kwargs)


# --------------------------------------------------------------------------- labels

#: How key words read in labels: acronyms upper-cased, abbreviations spelt out.
WORDS: dict[str, str] = {
    "pmpm": "PMPM",
    "cocm": "CoCM",
    "pcbh": "PCBH",
    "bhc": "BHC",
    "bhcs": "BHCs",
    "pcp": "PCP",
    "pcps": "PCPs",
    "fte": "FTE",
    "ed": "ED",
    "hr": "HR",
    "p4p": "P4P",
    "bh": "BH",
    "bhi": "BHI",
    "hbai": "HBAI",
    "em": "E/M",
    "tcoc": "TCOC",
    "npv": "NPV",
    "roi": "ROI",
    "irr": "IRR",
    "rr": "RR",
    "or": "OR",
    "cv": "CV",
    "sd": "SD",
    "fqhc": "FQHC",
    "it": "IT",
    "apcm": "APCM",
    "lpc": "LPC",
    "mft": "MFT",
    "cmhc": "CMHC",
    "phq": "PHQ",
    "cm": "care-manager",
    "ss": "shared-savings",
    "psych": "psychiatry",
    "tele": "tele",
    "max": "maximum",
    "min": "minimum",
    "pct": "",
    "usd": "",
    "100py": "100 person-years",
    "4wk": "4-week",
    "6m": "6-month",
    "12m": "12-month",
    "65plus": "65+",
    "age65": "age 65+",
    "medicare": "Medicare",
    "medicaid": "Medicaid",
    "commercial": "commercial",
    "dual": "dual-eligible",
    "uninsured": "uninsured",
    "weibull": "Weibull",
    "followup": "follow-up",
}
#: Context words for parameters of a section (``""``: the key alone reads well).
SECTION_CONTEXT: dict[str, str] = {
    "cocm": "CoCM",
    "pcbh": "PCBH",
    "hybrid": "hybrid",
    "grants": "grant",
    "rollout": "rollout",
    "cohort": "cohort",
    "partners": "partner",
    "tcoc": "TCOC",
    "billing": "billing",
    "simulation": "simulation",
    "workforce": "workforce",
}
_PAYER_NAMES = {p: p.capitalize() if p != "dual" else "Dual-eligible" for p in PAYERS}


def words(key: str) -> str:
    """The words of a snake_case key with acronyms upper-cased (``pmpm_usd`` → ``PMPM``)."""
    parts = [WORDS.get(w, w) for w in re.split(r"[_.\s]+", key) if w]
    if parts and parts[0] == "n" and len(parts) > 1:
        parts[0] = "number of"
    return " ".join(p for p in parts if p)


def sentence_case(text: str) -> str:
    """Upper-case the first letter unless the first word is an acronym or mixed case."""
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if any(c.isupper() for c in first[1:]):
        return text
    return text[0].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (``NPV`` stays)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and any(c.isupper() for c in first[1:]):
        return text
    return text[:1].lower() + text[1:]


def display_name(name: str) -> str:
    """A user-given name (strategy, factor group) in words: ``usual_care`` → ``Usual care``."""
    return sentence_case(words(name.replace("-", "_")))


def with_unit(label: str, unit: str) -> str:
    """``label (unit)``, or the label alone for a unitless quantity."""
    return label if unit in ("", "-") else f"{label} ({unit})"


def param_name(path: str) -> str:
    """A parameter's name without unit: ``contracts.medicaid.pmpm_usd`` → ``Medicaid PMPM``."""
    param = PARAMS_BY_PATH.get(path)
    if param is not None and getattr(param, "label", ""):
        return str(param.label)
    parts = path.split(".")
    if len(parts) == 3 and parts[0] in ("payers", "contracts") and parts[1] in _PAYER_NAMES:
        return sentence_case(f"{_PAYER_NAMES[parts[1]]} {words(parts[2])}")
    if len(parts) == 3:
        return sentence_case(f"{words(parts[1])}: {words(parts[2])}")
    if len(parts) == 2:
        context = SECTION_CONTEXT.get(parts[0], "")
        return sentence_case(f"{context} {words(parts[1])}".strip())
    return sentence_case(words(path))


def param_unit(path: str) -> str:
    """The declared unit of a parameter (``""`` when it has none or is not declared)."""
    param = PARAMS_BY_PATH.get(path)
    return "" if param is None or param.unit == "-" else param.unit


def param_label(path: str) -> str:
    """Label and unit of a declared parameter: ``Medicaid PMPM (USD per member per month)``."""
    return with_unit(param_name(path), param_unit(path))


#: Label and unit of every output that appears on an axis (summary keys and run columns).
OUTPUT_LABELS: dict[str, tuple[str, str]] = {
    "net": ("Net over the horizon", "USD"),
    "npv": ("Net present value", "USD"),
    "net_margin_pct": ("Net margin", "%"),
    "total_revenue": ("Revenue over the horizon", "USD"),
    "total_cost": ("Cost incl. startup", "USD"),
    "startup_cost": ("Startup cost", "USD"),
    "break_even_month": ("Break-even month", "month"),
    "break_even_month_without_grant": ("Break-even month without grant money", "month"),
    "payback_month": ("Payback month", "month"),
    "cash_trough": ("Cash trough", "USD"),
    "cash_trough_month": ("Cash trough month", "month"),
    "roi": ("Return on investment", "ratio"),
    "patients_served": ("Patients served", "patients"),
    "responders": ("Responders, whole panel", "patients"),
    "remissions": ("Remissions, whole panel", "patients"),
    "relapses": ("Relapses, whole panel", "patients"),
    "incremental_responders": ("Responders beyond usual care", "patients"),
    "cost_per_responder": ("Cost per additional responder", "USD"),
    "cost_per_patient_served": ("Cost per patient served", "USD"),
    "grant_awarded": ("Grant awarded", "USD"),
    "grant_drawn": ("Grant drawn", "USD"),
    "funding_gap_after_grant_per_year": ("Funding gap after the grant", "USD per year"),
    "funding_gap_without_grant": ("Funding gap without grant money, all years", "USD"),
    "cocm_enrolments": ("CoCM enrolments", "patients"),
    "pcbh_episodes": ("PCBH episodes", "episodes"),
    "screened": ("Screenings", "patients"),
    "detected": ("Newly detected episodes", "patients"),
    "mean_waitlist": ("Mean waiting list", "patients"),
    "mean_active_cocm": ("Mean CoCM caseload", "patients"),
    "cocm_mean_wait_weeks": ("Mean wait for CoCM", "weeks"),
    "bhc_mean_wait_weeks": ("Mean wait for a BHC episode", "weeks"),
    "mean_cm_utilization": ("Care-manager time used", "share"),
    "mean_bhc_utilization": ("BHC slots used", "share"),
    "mean_pcp_utilization": ("PCP visit slots used", "share"),
    "cm_caseload_per_fte": ("CoCM caseload per care-manager FTE", "patients"),
    "staff_departures": ("Programme staff departures", "staff"),
    "staff_vacancy_months": ("Vacancy-months, programme staff", "months"),
    "mean_burnout": ("Mean burnout", "0-1"),
    "ed_visits_per_100py": ("ED visits", "per 100 person-years"),
    "admissions_per_100py": ("Admissions", "per 100 person-years"),
    "mean_bh_prevalence": ("Mean threshold prevalence", "share"),
    "payer.payer_net_savings": ("Payer net savings vs usual care", "USD"),
    "payer.tcoc_pmpm_change": ("Payer PMPM change vs usual care", "USD per member per month"),
    "payer.tcoc_pmpm": ("Payer total cost of care", "USD per member per month"),
    "payer.ed_visits_avoided": ("ED visits avoided", "events"),
    "payer.admissions_avoided": ("Admissions avoided", "events"),
}
_CUMULATIVE = re.compile(r"^cumulative_net_m(\d+)$")


def output_name_unit(name: str) -> tuple[str, str]:
    """(label, unit) of an output; cumulative net at month k and unknown keys are derived."""
    if name in OUTPUT_LABELS:
        return OUTPUT_LABELS[name]
    match = _CUMULATIVE.match(name)
    if match:
        return f"Cumulative net at month {match.group(1)}", "USD"
    if name in PARAMS_BY_PATH:
        return param_name(name), param_unit(name)
    return display_name(name.rsplit(".", 1)[-1]), ""


def output_label(name: str) -> str:
    """Axis label of an output: ``net_margin_pct`` → ``Net margin (%)``."""
    return with_unit(*output_name_unit(name))


def event_label(output: str, target: float, at_most: bool = False) -> str:
    """``P(net_margin_pct >= 0)`` in words: ``Probability net margin ≥ 0%``."""
    label, unit = output_name_unit(output)
    sign = "\u2264" if at_most else "\u2265"
    return f"Probability {lower_first(label)} {sign} {value_text(target, unit)}"


def factor_name(name: str) -> str:
    """A sensitivity factor without its unit: a parameter's name, or a group name in words."""
    return param_name(name) if name in PARAMS_BY_PATH else display_name(name)


def factor_label(name: str) -> str:
    """A sensitivity factor: a parameter path's label with unit, or a group name in words."""
    if name in PARAMS_BY_PATH:
        return param_label(name)
    return display_name(name)
