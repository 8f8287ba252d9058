"""Publication-quality figures: the style module, and every figure of every command.

Each command runs once in-process through the CLI on a tiny scenario (module fixture); the tests
check that every PNG has an SVG twin with the same stem, that PNGs carry 300 dpi, and that no
text in any SVG is a dotted parameter path or a snake_case token.
"""

from __future__ import annotations

import contextlib
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from intsim.analysis import figures as fg
from intsim.analysis.gsa import DEFAULT_OUTPUTS
from intsim.analysis.montecarlo import METRICS
from intsim.cli import main
from intsim.params import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
#: A 300-patient, 12-month hybrid clinic with a grant and a phased rollout (go-live markers).
TINY = {
    "population.n_patients": 300,
    "staffing.n_pcps": 2,
    "staffing.care_manager_fte": 0.4,
    "staffing.bhc_fte": 0.3,
    "staffing.psychiatric_consultant_hours_per_week": 1.2,
    "simulation.months": 12,
    "finance.counterfactual": "false",
    "grants.annual_amount": 60000,
    "grants.duration_months": 8,
    "rollout.strategy": "phased",
    "rollout.n_phases": 2,
    "rollout.phase_interval_months": 4,
}
#: Money-only factors (the clinic is simulated once per seed), snake_case strategy names.
EXPERIMENT = """
strategies:
  usual_care: {care_model: usual_care}
  hybrid_phased: {care_model: hybrid}
uncertainty:
  costs.care_manager_salary: {dist: uniform, low: 60000, high: 85000}
  contracts.medicaid.pmpm_usd: {dist: uniform, low: 0, high: 20}
sampling: {method: lhs, seed: 11}
monte_carlo: {runs: 4, reps: 1}
sensitivity:
  n: 8
  reps: 1
  seed: 3
  outputs: [net_margin_pct, npv]
  factors:
    costs.care_manager_salary: {range: [55000, 95000], group: staff_costs}
    contracts.medicaid.pmpm_usd: {range: [0, 30], group: payer_rates}
"""
DOTTED_PATH = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.[a-z][a-z0-9_]*\b")
SNAKE_CASE = re.compile(r"\b[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+\b")
SVG_NS = "{http://www.w3.org/2000/svg}"


def human_text_problems(text: str) -> list[str]:
    """Dotted parameter paths and snake_case tokens in a piece of figure text."""
    return DOTTED_PATH.findall(text) + SNAKE_CASE.findall(text)


def svg_texts(path: Path) -> list[str]:
    """Every text string of an SVG (``svg.fonttype: none`` keeps text as ``<text>``)."""
    root = ET.parse(path).getroot()
    return ["".join(el.itertext()) for el in root.iter(f"{SVG_NS}text")]


def _experiment(tmp: Path) -> Path:
    lines = "\n".join(f"  {k}: {v}" for k, v in TINY.items())
    path = tmp / "figures_tiny.yaml"
    path.write_text(
        f"name: figures_tiny\nscenario: {ROOT / 'configs' / 'default.yaml'}\n"
        f"set:\n{lines}\n{EXPERIMENT}"
    )
    return path


def _tiny_scenario(tmp: Path) -> Path:
    """The tiny clinic as a scenario file (the report commands take no ``--set``)."""
    lines = [f"extends: {ROOT / 'configs' / 'rural_fqhc_hybrid.yaml'}", "name: figures_tiny"]
    values = {**TINY, "finance.counterfactual": "true"}  # reports compare with usual care
    nested: dict[str, dict[str, object]] = {}
    for key, value in values.items():
        section, name = key.split(".", 1)
        nested.setdefault(section, {})[name] = value
    for section, items in nested.items():
        body = ", ".join(f"{k}: {v}" for k, v in items.items())
        lines.append(f"{section}: {{{body}}}")
    path = tmp / "figures_tiny_scenario.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _commands(exp: Path, tmp: Path) -> dict[str, list[str]]:
    scenario = str(ROOT / "configs" / "rural_fqhc_hybrid.yaml")
    tiny = str(_tiny_scenario(tmp))
    small = [f"{k}={v}" for k, v in TINY.items()]
    sets = [x for kv in small for x in ("--set", kv)]
    serial = ["--serial"]
    return {
        "run": ["run", scenario, *sets, "--seed", "3"],
        "compare": ["compare", scenario, str(ROOT / "configs" / "cocm.yaml"), *sets],
        "mc": ["mc", str(exp), *serial, "--quiet"],
        "sobol": ["sobol", str(exp), *serial, "--strategy", "hybrid_phased"],
        "morris": [
            "morris",
            str(exp),
            *serial,
            "--strategy",
            "hybrid_phased",
            "--trajectories",
            "3",
        ],
        "tornado": ["tornado", str(exp), *serial, "--strategy", "hybrid_phased"],
        "twoway": [
            "twoway",
            str(exp),
            *serial,
            "--strategy",
            "hybrid_phased",
            "--x",
            "contracts.medicaid.pmpm_usd",
            "--y",
            "costs.care_manager_salary",
            "--grid",
            "2",
            "2",
            "--output",
            "net_margin_pct",
        ],
        "threshold": [
            "threshold",
            str(exp),
            *serial,
            "--strategy",
            "hybrid_phased",
            "--param",
            "contracts.medicaid.pmpm_usd",
            "--range",
            "0",
            "60",
            "--output",
            "net_margin_pct",
            "--grid",
            "3",
        ],
        "report grant": ["report", "grant", tiny, "--runs", "10", "--jobs", "1"],
        "report payer": ["report", "payer", tiny, "--payer", "medicaid", "--runs", "6", *serial],
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every command run once with figures; its output directory by command."""
    tmp = tmp_path_factory.mktemp("figures")
    exp = _experiment(tmp)
    outs = {}
    for name, args in _commands(exp, tmp).items():
        out = tmp / name
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main([*args, "--out", str(out)])
        assert code == 0, f"intsim {name} failed: {err.getvalue()}"
        outs[name] = out / "figures" if name == "report grant" else out
    return outs


#: The figures each command must draw (stems).
EXPECTED = {
    "run": {"patient_flow", "capacity", "workforce", "cash_flow", "revenue_mix"},
    "compare": {"cumulative_net"},
    "mc": {"fan_cumulative_net", "histograms", "convergence"},
    "sobol": {"sobol_hybrid_phased", "sobol_time_hybrid_phased"},
    "morris": {
        "morris_hybrid_phased_net_margin_pct",
        "morris_hybrid_phased_npv",
    },
    "tornado": {"tornado_net_margin_pct", "tornado_npv"},
    "twoway": {"twoway_net_margin_pct"},
    "threshold": {"acceptability"},
    "report grant": {"reach_by_year", "budget_by_year", "self_sustaining"},
    "report payer": {"acceptability", "tornado_net", "twoway_net"},
}


@pytest.mark.parametrize("command", sorted(EXPECTED))
def test_every_figure_in_png_at_300_dpi_and_svg(rendered, command):
    out = rendered[command]
    pngs = {p.stem for p in out.glob("*.png")}
    svgs = {p.stem for p in out.glob("*.svg")}
    assert EXPECTED[command] <= pngs
    assert pngs == svgs, f"PNG without SVG twin or the reverse: {pngs ^ svgs}"
    for stem in pngs:
        with Image.open(out / f"{stem}.png") as img:
            dpi = img.info.get("dpi")
        assert dpi is not None, stem
        assert (round(dpi[0]), round(dpi[1])) == (300, 300), stem


@pytest.mark.parametrize("command", sorted(EXPECTED))
def test_figure_text_is_human(rendered, command):
    for svg in sorted(rendered[command].glob("*.svg")):
        texts = svg_texts(svg)
        assert len(texts) >= 5, f"{svg.name}: text was not kept as text"
        bad = {t: human_text_problems(t) for t in texts if human_text_problems(t)}
        assert not bad, f"{svg.name}: {bad}"


def test_cash_flow_shows_grant_money_apart_and_marks_go_live(rendered):
    texts = svg_texts(rendered["run"] / "cash_flow.svg")
    for needle in (
        "Grant money",
        "Revenue excl. grant",
        "Net without grant money",
        "Rollout phase goes live",
        "First month of grant money",
        "Last month of grant money",
    ):
        assert needle in texts, needle


def test_histograms_have_titles_and_y_labels(rendered):
    texts = svg_texts(rendered["mc"] / "histograms.svg")
    assert {"Break-even month", "Net present value", "Runs"} <= set(texts)
    assert "Distribution over Monte Carlo runs" in texts


def test_threshold_axis_reads_as_a_probability(rendered):
    texts = svg_texts(rendered["threshold"] / "acceptability.svg")
    assert "Probability net margin ≥ 0%" in texts
    assert "Medicaid PMPM (USD per member per month)" in texts


# --------------------------------------------------------------------------- the module


def test_every_declared_parameter_has_a_human_label_with_its_unit():
    for p in PARAMETERS:
        label = fg.param_label(p.path)
        assert not human_text_problems(label), (p.path, label)
        if p.unit not in ("", "-"):
            assert label.endswith(f"({p.unit})"), (p.path, label)
    labels = [fg.param_label(p.path) for p in PARAMETERS if p.kind in ("float", "int")]
    assert len(set(labels)) == len(labels), "two numeric parameters share a label"


def test_derived_labels_read_as_words():
    assert fg.param_label("contracts.medicaid.pmpm_usd") == (
        "Medicaid PMPM (USD per member per month)"
    )
    assert fg.param_label("cocm.caseload_per_fte") == "CoCM caseload per FTE (patients per FTE)"
    assert fg.param_label("staffing.n_pcps") == "Number of PCPs (providers)"
    assert fg.param_label("rollout.first_go_live_month") == "First go-live month (month)"
    assert fg.output_label("net_margin_pct") == "Net margin (%)"
    assert fg.output_label("break_even_month") == "Break-even month (month)"
    assert fg.output_label("cumulative_net_m24") == "Cumulative net at month 24 (USD)"
    assert fg.event_label("net_margin_pct", 0) == "Probability net margin ≥ 0%"
    assert fg.event_label("break_even_month", 24, at_most=True) == (
        "Probability break-even month ≤ 24"
    )
    assert fg.display_name("usual_care") == "Usual care"
    assert fg.display_name("cocm") == "CoCM"


def test_every_metric_and_default_output_has_an_explicit_label():
    for name in (*METRICS, *DEFAULT_OUTPUTS):
        assert name in fg.OUTPUT_LABELS, name
        assert not human_text_problems(fg.output_label(name)), name


def test_tick_formats():
    assert fg.usd_text(-123456) == "\u2212$123k"
    assert fg.usd_text(1_500_000) == "$1.5M"
    assert fg.usd_text(950) == "$950"
    assert fg.usd_text(999_700) == "$1M"  # rounds up into the next unit, not "$1e+03k"
    assert fg.usd_text(999.7) == "$1k"
    assert fg.usd_text(2.5e9) == "$2,500M"
    assert fg.percent_formatter()(12, 0) == "12%"
    assert fg.percent_formatter(100.0)(0.055, 0) == "5.5%"
    assert fg.count_formatter()(12345.0, 0) == "12,345"


def test_save_writes_png_at_300_dpi_and_svg_with_text(tmp_path):
    plt = fg.pyplot()
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4], label="A line")
    ax.set_title("A title")
    paths = fg.save(fig, tmp_path / "demo.png")
    assert [p.name for p in paths] == ["demo.png", "demo.svg"]
    with Image.open(paths[0]) as img:
        assert round(img.info["dpi"][0]) == 300
    assert "A title" in svg_texts(paths[1])
    again = fg.save(_same_figure(plt), tmp_path / "again")
    assert again[1].read_bytes() == _same_svg(plt, tmp_path)  # no date: same bytes each time


def _same_figure(plt):
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    return fig


def _same_svg(plt, tmp_path: Path) -> bytes:
    return fg.save(_same_figure(plt), tmp_path / "twin")[1].read_bytes()


def test_go_live_and_grant_months_come_from_the_monthly_record():
    import pandas as pd  # noqa: PLC0415

    from intsim.report.run import go_live_months, grant_months  # noqa: PLC0415

    monthly = pd.DataFrame(
        {
            "month": [1, 2, 3, 4, 5, 6],
            "phases_live": [0, 1, 1, 2, 2, 3],
            "revenue_grant": [0.0, 500.0, 500.0, 250.0, 0.0, 0.0],
        }
    )
    assert go_live_months(monthly) == [2, 4, 6]
    assert grant_months(monthly) == (2, 4)
    assert grant_months(monthly.assign(revenue_grant=0.0)) is None
    assert go_live_months(monthly.drop(columns="phases_live")) == []


def test_caseload_curve_figure_is_human(tmp_path):
    """An experiment script's figure: PNG at 300 dpi, SVG twin, human text."""
    import importlib.util  # noqa: PLC0415

    spec = importlib.util.spec_from_file_location(
        "caseload_curve", ROOT / "experiments" / "caseload_curve.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.FILL_TARGETS = module.FILL_TARGETS[:2]
    with contextlib.redirect_stdout(io.StringIO()):
        assert module.main(["--out", str(tmp_path)]) == 0
    with Image.open(tmp_path / "curve.png") as img:
        assert round(img.info["dpi"][0]) == 300
    texts = svg_texts(tmp_path / "curve.svg")
    assert "Care-manager minutes billed (%)" in texts
    assert not [t for t in texts if human_text_problems(t)]
