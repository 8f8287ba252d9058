"""What intsim refuses and what it only warns about (issue 11, items 2 and 3; decision 56).

Regression tests for the cases found at an older commit (a grant that starts after the horizon,
a go-live after it, a salary of 1e300, ``4.5e5`` read as text, a payer-mix sum that did not say
which share was inherited), then each month rule, the hard bound of every unit, warnings and
``--strict``, scientific notation, and sums that name where each value came from.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from intsim.analysis.montecarlo import load_experiment
from intsim.analysis.sampling import sample
from intsim.analysis.uncertainty import UncertaintySpec
from intsim.params import PARAMETERS, PARAMS_BY_PATH, markdown_table
from intsim.params.checks import (
    AFTER_HORIZON,
    cross_field_problems,
    month_parameters,
    scenario_warnings,
)
from intsim.params.scenario import (
    ScenarioError,
    build_scenario,
    default_scenario,
    load_scenario,
    load_yaml_text,
    parse_overrides,
)
from intsim.params.spec import MONTH, UNIT_LIMITS

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs"
DEFAULT_YAML = CONFIGS / "default.yaml"
NUMERIC = [p for p in PARAMETERS if p.kind in ("float", "int")]
#: Overrides that make a run take a fraction of a second.
TINY = ["--set", "population.n_patients=5000", "--set", "staffing.n_pcps=1", "--months", "3"]


def assert_refused(result, *fragments: str) -> None:
    """Exit status 2, one message on stderr naming every fragment, no traceback, no stdout."""
    assert result.code == 2, (result.code, result.err)
    assert "Traceback" not in result.err
    assert result.err.startswith("intsim: error: ")
    assert result.out == ""
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} not in {result.err!r}"


def nothing_written(tmp_path: Path, out: Path) -> None:
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary leftovers"


def scenario_with(**values: object):
    """The default scenario with dotted-path overrides (``a__b`` for ``a.b``)."""
    return default_scenario().with_overrides({k.replace("__", "."): v for k, v in values.items()})


def refused_message(overrides: dict[str, object]) -> str:
    with pytest.raises(ScenarioError) as info:
        default_scenario().with_overrides(overrides)
    return str(info.value)


# --------------------------------------------------------------------------- the cases


def test_grant_starting_after_the_horizon_is_refused_and_nothing_written(
    cli, write_yaml, tmp_path
) -> None:
    path = write_yaml("grant.yaml", "grants:\n  annual_amount: 450000\n  start_month: 100\n")
    out = tmp_path / "out"
    result = cli("run", path, "--out", out, "--months", "60")
    assert_refused(
        result,
        "grants.start_month: got 100",
        "simulation.months (60)",
        "a grant that starts after the horizon is never paid",
    )
    nothing_written(tmp_path, out)


def test_go_live_after_the_horizon_is_refused(cli, write_yaml, tmp_path) -> None:
    path = write_yaml("late.yaml", "rollout:\n  first_go_live_month: 80\n")
    out = tmp_path / "out"
    assert_refused(
        cli("run", path, "--out", out),
        "rollout.first_go_live_month: got 80",
        "simulation.months (60)",
        "serves no patients",
    )
    nothing_written(tmp_path, out)


def test_absurd_salary_is_refused_by_its_hard_bound(cli, write_yaml, tmp_path) -> None:
    path = write_yaml("rich.yaml", "costs:\n  care_manager_salary: 1.0e+300\n")
    out = tmp_path / "out"
    assert_refused(
        cli("run", path, "--out", out),
        "costs.care_manager_salary: got 1e+300",
        "expected a number in [0, 1e+07]",
    )
    nothing_written(tmp_path, out)


def test_scientific_notation_is_a_number_in_a_scenario_file(write_yaml) -> None:
    path = write_yaml("sci.yaml", "grants:\n  annual_amount: 4.5e5\n")
    assert load_scenario(path).values.grants.annual_amount == 450000.0


def test_payer_mix_sum_names_every_share_and_where_it_came_from(cli, write_yaml) -> None:
    # The base raises medicare to 0.27; the child, meaning to rebalance, sets only medicaid.
    base = write_yaml(
        "base.yaml", f"extends: {DEFAULT_YAML}\npopulation:\n  payer_mix:\n    medicare: 0.27\n"
    )
    child = write_yaml(
        "child.yaml", "extends: base.yaml\npopulation:\n  payer_mix:\n    medicaid: 0.25\n"
    )
    result = cli("validate", child)
    assert_refused(result, "population.payer_mix: shares sum to 1.05")
    msg = result.err
    assert f"population.payer_mix.medicare = 0.27 ({base}, inherited via extends)" in msg or (
        "population.payer_mix.medicare = 0.27 (" in msg
        and "base.yaml, inherited via extends" in msg
    )
    assert "population.payer_mix.medicaid = 0.25 (" in msg
    assert "child.yaml)" in msg
    for payer, share in (("commercial", "0.4"), ("dual", "0.05"), ("uninsured", "0.08")):
        assert f"population.payer_mix.{payer} = {share} (" in msg
    assert msg.count("default.yaml, inherited via extends") == 3


# --------------------------------------------------------------------------- months


def test_month_parameters_are_derived_from_the_unit() -> None:
    months = {p.path for p in month_parameters()}
    assert months == {"grants.start_month", "rollout.first_go_live_month", "rollout.end_month"}
    # a parameter named like a month must say which month: of the simulation (checked against
    # the horizon) or of a patient's episode
    named = [
        p
        for p in PARAMETERS
        if p.name.endswith("_month") and "per_month" not in p.name and p.kind == "int"
    ]
    assert {p.unit for p in named} == {MONTH, "episode month"}
    assert {p.path for p in named if p.unit == MONTH} == months
    assert all(p.unit == MONTH for p in month_parameters())
    assert set(AFTER_HORIZON) <= months


@pytest.mark.parametrize("p", month_parameters(), ids=lambda p: p.path)
def test_each_month_parameter_is_checked_against_the_horizon(p) -> None:
    horizon = 24
    extra = {"rollout.first_go_live_month": 1} if p.path == "rollout.end_month" else {}
    at_horizon = default_scenario().with_overrides(
        {"simulation.months": horizon, p.path: horizon, **extra}
    )
    assert at_horizon.get(p.path) == horizon  # the last simulated month is allowed
    msg = refused_message({"simulation.months": horizon, p.path: horizon + 1, **extra})
    assert f"{p.path}: got {horizon + 1}" in msg
    assert f"simulation.months ({horizon})" in msg


def test_programme_end_before_go_live_names_both_months() -> None:
    msg = refused_message({"rollout.first_go_live_month": 12, "rollout.end_month": 6})
    assert "rollout.end_month: got 6" in msg
    assert "rollout.first_go_live_month (12)" in msg


def test_grant_start_month_is_not_checked_while_the_grant_follows_a_phase() -> None:
    sc = scenario_with(
        simulation__months=24,
        grants__start_month=40,
        grants__phase=1,
        grants__annual_amount=100000.0,
    )
    assert sc.values.grants.start_month == 40  # unused: the grant starts at phase 1's go-live


def test_grant_tied_to_a_phase_after_the_horizon_is_refused() -> None:
    msg = refused_message(
        {
            "simulation.months": 24,
            "rollout.strategy": "phased",
            "rollout.n_phases": 3,
            "rollout.phase_interval_months": 12,
            "grants.phase": 3,
            "grants.annual_amount": 100000.0,
        }
    )
    assert "grants.phase: got 3" in msg
    assert "month 25" in msg
    assert "rollout.first_go_live_month 1 + 2 x rollout.phase_interval_months 12" in msg
    assert "simulation.months (24)" in msg


def test_grant_of_zero_months_and_taper_longer_than_grant_are_refused() -> None:
    msg = refused_message(
        {
            "grants.annual_amount": 100000.0,
            "grants.duration_months": 0,
            "grants.phase_out_months": 0,
        }
    )
    assert "grants.duration_months: got 0" in msg
    assert "grants.annual_amount 100000" in msg
    msg = refused_message({"grants.duration_months": 6, "grants.phase_out_months": 8})
    assert "grants.phase_out_months: got 8" in msg
    assert "grants.duration_months (6)" in msg


def test_every_problem_is_reported_at_once() -> None:
    msg = refused_message(
        {"simulation.months": 12, "grants.start_month": 13, "rollout.first_go_live_month": 14}
    )
    assert "grants.start_month: got 13" in msg
    assert "rollout.first_go_live_month: got 14" in msg


def test_phase_after_the_horizon_or_the_end_is_a_warning_not_an_error() -> None:
    phased = {
        "rollout.strategy": "phased",
        "rollout.n_phases": 3,
        "rollout.phase_interval_months": 6,
    }
    late = default_scenario().with_overrides({**phased, "simulation.months": 10})
    lines = late.warnings
    assert len(lines) == 1, lines
    assert "phase 3 of 3" in lines[0]
    assert "month 13" in lines[0]
    assert "simulation.months (10)" in lines[0]
    ended = default_scenario().with_overrides({**phased, "rollout.end_month": 10})
    assert ["rollout.end_month (10)" in line for line in ended.warnings] == [True]


def test_grant_past_the_horizon_and_late_settlement_are_warnings() -> None:
    sc = scenario_with(
        simulation__months=12,
        grants__annual_amount=100000.0,
        grants__start_month=6,
        grants__duration_months=24,
        grants__phase_out_months=0,
        contracts__medicaid__shared_savings=True,
    )
    lines = sc.warnings
    assert any(
        "funding runs to month 29" in line and "the last 17 months" in line for line in lines
    ), lines
    assert any(
        line.startswith("contracts.medicaid.shared_savings:") and "month 18" in line
        for line in lines
    ), lines


# --------------------------------------------------------------------------- hard bounds


@pytest.mark.parametrize("p", NUMERIC, ids=lambda p: p.path)
def test_every_numeric_parameter_has_finite_hard_bounds(p) -> None:
    low, high = p.hard_bounds
    assert low is not None
    assert high is not None
    assert math.isfinite(low)
    assert math.isfinite(high)
    assert low <= p.default <= high
    if p.plausible is not None:
        assert low <= p.plausible[0] <= p.plausible[1] <= high


def unit_examples() -> list:
    """One parameter per unit whose upper hard bound comes from the unit's limit."""
    seen: dict[str, object] = {}
    for p in NUMERIC:
        if p.bounds[1] is None and p.unit not in seen:
            seen[p.unit] = p
    return [pytest.param(p, id=unit) for unit, p in seen.items()]


def test_every_unit_limit_is_used() -> None:
    used = {p.unit for p in NUMERIC if p.bounds[1] is None}
    assert used == set(UNIT_LIMITS)


@pytest.mark.parametrize("p", unit_examples())
def test_hard_bound_of_each_unit_is_enforced(p) -> None:
    low, high = p.hard_bounds
    assert high == UNIT_LIMITS[p.unit][1]
    companion = {p.path.replace("_usd", ""): True} if p.path.endswith(".case_rate_usd") else {}
    assert default_scenario().with_overrides({**companion, p.path: high}).get(p.path) == high
    for bad in (high * 1.5, low - 1.0):
        msg = refused_message({p.path: bad})
        assert msg.startswith(f"{p.path}: got ")
        assert p.expectation() in msg


def test_negative_salary_and_probability_above_one_are_refused() -> None:
    assert "expected a number in [0, 1e+07]" in refused_message({"costs.bhc_salary": -1.0})
    assert "expected a number in [0, 1]" in refused_message({"cocm.consent_probability": 1.2})


def test_declared_distributions_stay_within_hard_bounds() -> None:
    spec = UncertaintySpec.from_mapping({}, defaults=True)  # open tails against unit limits
    frame = sample(spec, 64, method="lhs", seed=3)
    for col in (c for c in frame.columns if c in PARAMS_BY_PATH):
        low, high = PARAMS_BY_PATH[col].hard_bounds
        assert frame[col].between(low, high).all(), col


def test_uniform_beyond_a_unit_limit_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"costs.care_manager_salary.*\[0, 1e\+07\]"):
        UncertaintySpec.from_mapping(
            {"costs.care_manager_salary": {"dist": "uniform", "low": 5e4, "high": 2e7}}
        )


def test_parameter_table_shows_hard_bounds() -> None:
    table = markdown_table()
    assert "| Hard bounds |" in table
    row = next(line for line in table.splitlines() if "`costs.care_manager_salary`" in line)
    assert "| [0, 1e+07] |" in row
    row = next(line for line in table.splitlines() if "`cocm.max_wait_months`" in line)
    assert "1–6 (or 0: off)" in row


# --------------------------------------------------------------------------- plausible ranges


def test_defaults_and_main_scenarios_have_no_warnings() -> None:
    assert default_scenario().warnings == []
    for name in ("default", "cocm", "pcbh", "hybrid", "usual_care", "rural_fqhc_hybrid"):
        assert load_scenario(CONFIGS / f"{name}.yaml").warnings == [], name


def test_calibration_and_validation_settings_load_with_warnings_only() -> None:
    files = sorted((CONFIGS / "calibration").glob("*.yaml")) + sorted(
        (CONFIGS / "validation").glob("*.yaml")
    )
    assert files
    warned = [f for f in files if load_scenario(f).warnings]
    assert warned, "these settings go outside plausible ranges on purpose"


def test_value_outside_plausible_range_is_one_warning_line() -> None:
    sc = scenario_with(costs__care_manager_salary=150000.0)
    assert sc.warnings == [
        "costs.care_manager_salary: 150000 is outside its plausible range 55000-95000 "
        "(USD per FTE-year)"
    ]
    assert scenario_warnings(sc.values) == sc.warnings


def test_off_values_are_not_warned_about() -> None:
    sc = scenario_with(cocm__max_wait_months=0, pcbh__max_waitlist_per_fte=0, staffing__bhc_fte=0.0)
    assert sc.warnings == []


def test_run_warns_on_stderr_and_records_the_warning_in_the_manifest(cli, tmp_path) -> None:
    out = tmp_path / "run"
    result = cli(
        "run",
        DEFAULT_YAML,
        *TINY,
        "--set",
        "costs.care_manager_salary=150000",
        "--out",
        out,
        "--no-figures",
        "--quiet",
    )
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert lines == [
        "intsim: warning: costs.care_manager_salary: 150000 is outside its plausible range "
        "55000-95000 (USD per FTE-year)"
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["warnings"] == [lines[0].removeprefix("intsim: warning: ")]


def test_strict_refuses_what_is_otherwise_a_warning(cli, tmp_path) -> None:
    out = tmp_path / "run"
    args = ["--set", "costs.care_manager_salary=150000"]
    result = cli("run", DEFAULT_YAML, *TINY, *args, "--out", out, "--strict")
    assert_refused(result, "costs.care_manager_salary: 150000", "refused under --strict")
    nothing_written(tmp_path, out)
    assert_refused(cli("validate", DEFAULT_YAML, *args, "--strict"), "refused under --strict")
    ok = cli("validate", DEFAULT_YAML, *args)
    assert ok.code == 0
    assert "valid" in ok.out
    assert ok.err.startswith("intsim: warning: ")
    assert cli("validate", DEFAULT_YAML, "--strict").code == 0


def write_experiment(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"name: tiny\nscenario: {DEFAULT_YAML}\n"
        "set: {population.n_patients: 5000, staffing.n_pcps: 1, simulation.months: 3}\n" + body,
        encoding="utf-8",
    )
    return path


def test_experiment_strategies_are_checked_once_and_draws_never(cli, tmp_path) -> None:
    exp = write_experiment(
        tmp_path,
        "strategies:\n  a: {costs.bhc_salary: 150000}\n  b: {costs.bhc_salary: 150000}\n"
        # draws far outside the plausible range (55k-95k): chosen on purpose, never warned about
        "uncertainty:\n  costs.care_manager_salary: {dist: uniform, low: 200000, high: 300000}\n"
        "sampling: {method: lhs, seed: 3}\nmonte_carlo: {runs: 2, reps: 1, break_even_by: [3]}\n",
    )
    out = tmp_path / "mc"
    refused = cli("mc", exp, "--serial", "--out", out, "--strict", "--no-figures", "--quiet")
    assert_refused(refused, "costs.bhc_salary: 150000", "refused under --strict")
    nothing_written(tmp_path, out)
    result = cli("mc", exp, "--serial", "--out", out, "--no-figures", "--quiet")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if "warning" in line]
    expected = "costs.bhc_salary: 150000 is outside its plausible range 55000-105000"
    assert len(warnings) == 1, result.err  # common to strategies a and b: reported once
    assert expected in warnings[0]
    assert "care_manager_salary" not in result.err
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["warnings"]) == 1
    assert expected in manifest["warnings"][0]


def test_break_even_window_after_the_horizon_is_refused(tmp_path) -> None:
    exp = write_experiment(tmp_path, "monte_carlo: {runs: 2, break_even_by: [3, 12]}\n")
    with pytest.raises(ScenarioError) as info:
        load_experiment(exp)
    msg = str(info.value)
    assert "monte_carlo.break_even_by" in msg
    assert "simulation.months (3)" in msg
    assert "month 12" in msg
    # without an explicit list, the default windows are those within the horizon
    default = write_experiment(tmp_path, "monte_carlo: {runs: 2}\n")
    assert load_experiment(default).break_even_by == ()


# --------------------------------------------------------------------------- scientific notation


@pytest.mark.parametrize(
    ("text", "value"),
    [("4.5e5", 450000.0), ("1e6", 1e6), ("1E-3", 1e-3), ("-2.5E+2", -250.0), (".5e1", 5.0)],
)
def test_scientific_notation_reads_as_a_number(text: str, value: float) -> None:
    parsed = load_yaml_text(f"x: {text}\n")["x"]
    assert type(parsed) is float
    assert parsed == value
    assert parse_overrides([f"grants.annual_amount={text}"])["grants.annual_amount"] == value


def test_text_that_only_looks_numeric_stays_text() -> None:
    assert load_yaml_text("x: 1e\ny: e5\nz: 1e5x\n") == {"x": "1e", "y": "e5", "z": "1e5x"}


def test_whole_number_in_scientific_notation_fits_an_integer_parameter(write_yaml) -> None:
    path = write_yaml("int.yaml", "population:\n  n_patients: 2e4\n")
    n = load_scenario(path).values.population.n_patients
    assert n == 20000
    assert type(n) is int
    with pytest.raises(
        ScenarioError, match=r"cocm.caseload_per_fte: got 80.5; expected an integer"
    ):
        default_scenario().with_overrides({"cocm.caseload_per_fte": 8.05e1})


def test_scientific_notation_in_an_experiment_file(tmp_path) -> None:
    exp = write_experiment(tmp_path, "monte_carlo: {runs: 1e1, reps: 2E0}\n")
    loaded = load_experiment(exp)
    assert (loaded.runs, loaded.reps) == (10, 2)


def test_scientific_notation_from_the_command_line(cli) -> None:
    result = cli("validate", DEFAULT_YAML, "--set", "grants.annual_amount=4.5e5")
    assert result.code == 0, result.err


# --------------------------------------------------------------------------- sums


SUM_CASES = [
    pytest.param(
        {"population.payer_mix.medicare": 0.5},
        "population.payer_mix: shares sum to {total:g}; expected them to sum to 1",
        [
            f"population.payer_mix.{p}"
            for p in ("medicare", "medicaid", "commercial", "dual", "uninsured")
        ],
        id="payer-mix",
    ),
    pytest.param(
        {"population.threshold_prevalence": 0.5, "population.subthreshold_prevalence": 0.48},
        "sum is {total:g}; expected <= 1",
        [
            "population.threshold_prevalence",
            "population.subthreshold_prevalence",
            "population.remitted_prevalence",
        ],
        id="states",
    ),
    pytest.param(
        {"population.severe_share": 0.8},
        "sum is {total:g}; expected <= 1",
        ["population.severe_share", "population.moderately_severe_share"],
        id="severity",
    ),
    pytest.param(
        {
            "population.initial_pcp_treatment_share": 0.7,
            "population.initial_specialty_treatment_share": 0.4,
        },
        "sum is {total:g}; expected <= 1",
        ["population.initial_pcp_treatment_share", "population.initial_specialty_treatment_share"],
        id="initial-treatment",
    ),
]


@pytest.mark.parametrize(("overrides", "head", "paths"), SUM_CASES)
def test_every_sum_message_names_each_value_and_its_origin(
    overrides, head, paths, write_yaml
) -> None:
    first, *rest = overrides.items()
    section, _, key = first[0].rpartition(".")
    nested = (
        "\n".join(f"{'  ' * i}{part}:" for i, part in enumerate(section.split(".")))
        + f"\n{'  ' * len(section.split('.'))}{key}: {first[1]}\n"
    )
    path = write_yaml("sums.yaml", nested)
    sets = [f"{k}={v}" for k, v in rest]
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, sets)
    msg = str(info.value)
    total = sum(overrides.get(p, PARAMS_BY_PATH[p].default) for p in paths)
    assert head.format(total=total) in msg
    for p in paths:
        value = overrides.get(p, PARAMS_BY_PATH[p].default)
        origin = "sums.yaml" if p == first[0] else ("--set" if p in overrides else "default")
        assert f"{p} = {value:g} (" in msg, (p, msg)
        term = msg[msg.index(f"{p} = ") :]
        assert term[: term.index(")")].endswith(origin), (p, origin, msg)


def test_sum_message_from_the_python_api_says_given_values() -> None:
    with pytest.raises(ScenarioError, match=r"population.severe_share = 0.8 \(given\)"):
        build_scenario({"population": {"severe_share": 0.8}})


def test_origins_follow_overrides_but_not_equality() -> None:
    base = load_scenario(DEFAULT_YAML)
    changed = base.with_overrides({"population.payer_mix.medicare": 0.22})
    assert changed.origins["population.payer_mix.medicare"] == "override"
    assert changed == base
    assert hash(changed) == hash(base)
    with pytest.raises(ScenarioError, match=r"medicare = 0.3 \(override\)"):
        base.with_overrides({"population.payer_mix.medicare": 0.3})


def test_cross_field_problems_is_empty_for_the_defaults() -> None:
    assert cross_field_problems(default_scenario().values) == []
    assert np.isfinite(default_scenario().values.costs.care_manager_salary)


def test_experiment_sum_message_names_set_and_strategy_origins(tmp_path) -> None:
    exp = write_experiment(
        tmp_path,
        "strategies:\n  rich: {population.payer_mix.medicare: 0.3}\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_experiment(exp)
    msg = str(info.value)
    assert msg.startswith("strategies.rich: population.payer_mix: shares sum to 1.08")
    assert "population.payer_mix.medicare = 0.3 (strategies.rich in exp.yaml)" in msg
    exp.write_text(
        exp.read_text()
        .replace("strategies:\n  rich: {population.payer_mix.medicare: 0.3}\n", "")
        .replace("simulation.months: 3}", "simulation.months: 3, population.payer_mix.dual: 0.1}")
    )
    with pytest.raises(ScenarioError, match=r"dual = 0.1 \(set: in exp.yaml\)"):
        load_experiment(exp)
    with pytest.raises(ScenarioError, match=r"medicaid = 0.3 \(--set\)"):
        load_experiment(exp, overrides=["population.payer_mix.medicaid=0.3"])


def test_dirichlet_means_message_lists_every_mean() -> None:
    means = {"medicare": 0.3, "medicaid": 0.25, "commercial": 0.4, "dual": 0.05, "uninsured": 0.08}
    with pytest.raises(ScenarioError) as info:
        UncertaintySpec.from_mapping(
            {"population.payer_mix": {"dist": "dirichlet", "means": means, "concentration": 100}}
        )
    assert (
        "sum is 1.08: medicare 0.3, medicaid 0.25, commercial 0.4, dual 0.05, uninsured 0.08"
        in str(info.value)
    )


def test_earliest_gated_go_live_matches_the_model() -> None:
    from intsim.params.checks import earliest_go_lives  # noqa: PLC0415
    from intsim.params.rollout import plan_phases  # noqa: PLC0415
    from intsim.sim.runner import simulate  # noqa: PLC0415

    sc = default_scenario().with_overrides(
        {
            "rollout.strategy": "phased",
            "rollout.n_phases": 3,
            "rollout.phase_interval_months": 1,
            "rollout.gate": "caseload",
            "rollout.gate_months": 3,
            "rollout.hiring_lead_months": 6,
            "rollout.gate_caseload_share": 0.01,  # met as soon as a phase is live
            "simulation.months": 21,
            "population.n_patients": 1500,
            "staffing.n_pcps": 3,
        }
    )
    earliest = [month for month, _ in earliest_go_lives(sc.values, plan_phases(sc.values))]
    assert earliest == [1, 10, 19]
    live = simulate(sc).monthly["phases_live"].tolist()
    assert [live.index(k) + 1 for k in (1, 2, 3)] == earliest
    short = sc.with_overrides({"simulation.months": 18})
    lines = [line for line in short.warnings if line.startswith("rollout: phase 3")]
    assert len(lines) == 1
    assert "month 19 at the earliest (phase 2 live in month 10 + rollout.gate_months 3" in lines[0]


@pytest.mark.parametrize("command", ["mc", "sobol", "morris", "tornado", "twoway", "threshold"])
def test_every_experiment_command_refuses_warnings_under_strict(cli, tmp_path, command) -> None:
    exp = write_experiment(tmp_path, "strategies:\n  a: {costs.bhc_salary: 150000}\n")
    out = tmp_path / "out"
    extra = ["--param", "costs.bhc_salary", "--output", "net"] if command == "threshold" else []
    result = cli(command, exp, *extra, "--strict", "--serial", "--out", out)
    assert_refused(result, "costs.bhc_salary: 150000", "refused under --strict")
    nothing_written(tmp_path, out)


def test_compare_warns_with_scenario_names_and_records_them(cli, write_yaml, tmp_path) -> None:
    a = write_yaml("a.yaml", f"extends: {DEFAULT_YAML}\nname: a\ncosts:\n  bhc_salary: 150000\n")
    b = write_yaml("b.yaml", f"extends: {DEFAULT_YAML}\nname: b\n")
    out = tmp_path / "cmp"
    assert_refused(cli("compare", a, b, *TINY, "--out", out, "--strict"), "a: costs.bhc_salary")
    nothing_written(tmp_path, out)
    result = cli("compare", a, b, *TINY, "--out", out)
    assert result.code == 0, result.err
    line = (
        "a: costs.bhc_salary: 150000 is outside its plausible range 55000-105000 (USD per FTE-year)"
    )
    assert result.err.splitlines() == [f"intsim: warning: {line}"]
    assert json.loads((out / "manifest.json").read_text())["warnings"] == [line]


def test_sensitivity_block_counts_accept_scientific_notation() -> None:
    from intsim.analysis.gsa_commands import _int_option  # noqa: PLC0415

    block = load_yaml_text("n: 1.024e3\nreps: 2.5e0\n")
    assert _int_option(None, block, "n", 256) == 1024
    with pytest.raises(ScenarioError, match=r"sensitivity.reps: got 2.5; expected a whole number"):
        _int_option(None, block, "reps", 1)
