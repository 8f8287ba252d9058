"""One-way and two-way deterministic sensitivity: `intsim tornado` and `intsim twoway`."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from intsim.analysis.deterministic import (
    axis_values,
    bar_extent,
    factor_ends,
    net_changes_sign,
    tornado_rows,
)
from intsim.analysis.gsa import parse_factors, seeds_for
from intsim.analysis.montecarlo import load_experiment
from intsim.cli import main
from intsim.params import PARAMS_BY_PATH
from intsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parents[1]
TINY = {
    "population.n_patients": 400,
    "staffing.n_pcps": 1,
    "staffing.care_manager_fte": 0.4,
    "staffing.bhc_fte": 0.3,
    "staffing.psychiatric_consultant_hours_per_week": 1.2,
    "simulation.months": 12,
    "finance.counterfactual": False,
}
TORNADO = """
strategies:
  cocm: {care_model: cocm}
sensitivity:
  reps: 2
  seed: 3
  outputs: [net, npv]
  factors:
    pcbh.visits_per_day: {range: [5, 12]}
    costs.care_manager_salary: {range: [55000, 95000]}
    clinical.cocm_response_hr: {dist: lognormal, median: 3.4, ci: [2.5, 4.6]}
"""
TWOWAY = """
strategies:
  cocm: {care_model: cocm}
sensitivity:
  seed: 2
"""


def write(tmp_path: Path, body: str, name: str = "exp.yaml") -> Path:
    lines = "\n".join(f"  {k}: {v}" for k, v in TINY.items())
    path = tmp_path / name
    path.write_text(
        f"name: tiny\nscenario: {ROOT / 'configs' / 'default.yaml'}\nset:\n{lines}\n" + body
    )
    return path


def test_points_and_ends():
    rows = tornado_rows(np.array([1.0, 10.0]), [(0.0, 2.0), (5.0, 20.0)])
    assert rows.tolist() == [[1, 10], [0, 10], [2, 10], [1, 5], [1, 20]]
    f = parse_factors(
        {
            "clinical.cocm_response_hr": {"dist": "lognormal", "median": 3.4, "ci": [2.5, 4.6]},
            "cocm.caseload_per_fte": {"range": [50.4, 119.6]},
        }
    )
    lo, hi = factor_ends(f[0])
    assert (lo, hi) == pytest.approx((f[0].spec.ppf(0.05), f[0].spec.ppf(0.95)))
    assert 2.5 < lo < 3.4 < hi < 4.6
    assert factor_ends(f[1]) == (50.0, 120.0)  # integers rounded
    caseload = PARAMS_BY_PATH["cocm.caseload_per_fte"]
    assert axis_values(caseload, 50, 52, 5).tolist() == [50, 51, 52]  # repeats dropped
    assert len(axis_values(PARAMS_BY_PATH["costs.bhc_salary"], 1, 2, 5)) == 5
    assert net_changes_sign(np.array([-1.0, np.nan, 2.0]))
    assert not net_changes_sign(np.array([-1.0, -2.0]))


def test_tornado_directions_ordering_and_base(tmp_path, capsys):
    exp_path = write(tmp_path, TORNADO)
    out = tmp_path / "tornado"
    assert main(["tornado", str(exp_path), "--serial", "--out", str(out)]) == 0
    table = pd.read_csv(out / "tornado.csv")
    assert list(table.columns) == [
        "strategy",
        "output",
        "factor",
        "low_value",
        "high_value",
        "base_value",
        "output_low",
        "output_high",
        "base_output",
        "swing",
        "reach",
    ]
    assert len(table) == 2 * 3  # outputs x factors
    net = table[table["output"] == "net"].set_index("factor")
    salary = net.loc["costs.care_manager_salary"]
    assert salary["output_high"] < salary["output_low"]  # a dearer care manager costs more
    assert salary["base_value"] == PARAMS_BY_PATH["costs.care_manager_salary"].default
    assert (salary["low_value"], salary["high_value"]) == (55000, 95000)
    visits = net.loc["pcbh.visits_per_day"]  # CoCM has no BHC: cannot matter, on common seeds
    assert visits["swing"] == 0
    assert visits["output_low"] == visits["output_high"] == visits["base_output"]
    order = list(net.index)
    assert order.index("costs.care_manager_salary") < order.index("pcbh.visits_per_day")
    for _, d in table.groupby("output"):
        assert d["reach"].is_monotonic_decreasing
    assert net.loc["clinical.cocm_response_hr", "low_value"] == pytest.approx(2.63, abs=0.01)
    # the base case is the strategy as specified, on the same seeds, averaged
    exp = load_experiment(exp_path)
    seeds = seeds_for(3, 2)
    direct = np.mean([simulate(exp.strategies["cocm"], seed=s).summary["net"] for s in seeds])
    assert (net["base_output"] == direct).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["analysis"] == "tornado"
    assert manifest["seeds"] == seeds
    assert {p.name for p in out.glob("*.png")} == {"tornado_net.png", "tornado_npv.png"}
    assert "costs.care_manager_salary" in capsys.readouterr().out

    one = tmp_path / "one"
    assert main(["tornado", str(exp_path), "--serial", "--output", "npv", "--out", str(one)]) == 0
    assert set(pd.read_csv(one / "tornado.csv")["output"]) == {"npv"}
    assert {p.name for p in one.glob("*.png")} == {"tornado_npv.png"}


def test_twoway_grid_identical_on_a_pool_and_break_even(tmp_path):
    exp_path = write(tmp_path, TWOWAY)
    args = [
        "twoway",
        str(exp_path),
        "--x",
        "contracts.medicare.pmpm_usd",
        "--x-range",
        "0",
        "300",
        "--y",
        "cocm.caseload_per_fte",
        "--grid",
        "3",
        "2",
    ]
    serial, pool = tmp_path / "serial", tmp_path / "pool"
    assert main([*args, "--serial", "--out", str(serial)]) == 0
    assert (
        main([*args, "--workers", "2", "--chunk-size", "2", "--no-figures", "--out", str(pool)])
        == 0
    )
    table = pd.read_csv(serial / "twoway.csv")
    assert list(table.columns) == [
        "strategy",
        "contracts.medicare.pmpm_usd",
        "cocm.caseload_per_fte",
        "net_margin_pct",
        "net",
    ]
    assert len(table) == 3 * 2
    assert sorted(set(table["contracts.medicare.pmpm_usd"])) == [0, 150, 300]
    declared = PARAMS_BY_PATH["cocm.caseload_per_fte"].plausible
    assert sorted(set(table["cocm.caseload_per_fte"])) == list(declared)  # its plausible range
    pd.testing.assert_frame_equal(table, pd.read_csv(pool / "twoway.csv"))
    # a Medicare PMPM of $300 pays for the tiny programme, none does not: net changes sign
    assert (table["net"] < 0).any()
    assert (table["net"] > 0).any()
    assert ((table["net"] > 0) == (table["net_margin_pct"] > 0)).all()
    assert (serial / "twoway_net_margin_pct.png").stat().st_size > 0
    assert json.loads((serial / "manifest.json").read_text())["break_even_in_grid"] == {
        "cocm": True
    }
    assert not list(pool.glob("*.png"))

    flat = tmp_path / "flat"
    npv = ["--output", "npv", "--x", "costs.care_manager_salary", "--grid", "2", "2"]
    assert (
        main([*args[:2], *npv, "--y", "cocm.caseload_per_fte", "--serial", "--out", str(flat)]) == 0
    )
    assert list(pd.read_csv(flat / "twoway.csv").columns)[3:] == ["npv", "net", "net_margin_pct"]
    assert (flat / "twoway_npv.png").exists()
    assert json.loads((flat / "manifest.json").read_text())["break_even_in_grid"] == {"cocm": False}


def test_twoway_axes_default_to_a_two_factor_block(tmp_path):
    body = TWOWAY + (
        "  factors:\n"
        "    costs.care_manager_salary: {range: [60000, 80000]}\n"
        "    payers.medicaid.relativity_cocm: {}\n"
    )
    out = tmp_path / "block"
    assert (
        main(
            [
                "twoway",
                str(write(tmp_path, body)),
                "--grid",
                "2",
                "2",
                "--serial",
                "--no-figures",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out / "twoway.csv")
    assert sorted(set(table["costs.care_manager_salary"])) == [60000, 80000]
    assert sorted(set(table["payers.medicaid.relativity_cocm"])) == [0.4, 1.3]  # plausible


BAD_INPUTS = [
    (
        "twoway",
        TWOWAY,
        ["--x", "no.such.param", "--y", "cocm.caseload_per_fte"],
        ["--x", "no.such.param"],
    ),
    (
        "twoway",
        TWOWAY,
        ["--x", "cocm.caseload_pr_fte", "--y", "costs.bhc_salary"],
        ["did you mean cocm.caseload_per_fte"],
    ),
    ("twoway", TWOWAY, ["--x", "care_model", "--y", "costs.bhc_salary"], ["--x", "numeric"]),
    ("twoway", TWOWAY, ["--x", "costs.bhc_salary", "--y", "costs.bhc_salary"], ["--y", "same"]),
    ("twoway", TWOWAY, ["--y", "costs.bhc_salary"], ["--x", "required"]),
    (
        "twoway",
        TWOWAY,
        ["--x", "costs.bhc_salary", "--x-range", "9", "1", "--y", "cocm.caseload_per_fte"],
        ["--x-range", "LOW < HIGH"],
    ),
    (
        "twoway",
        TWOWAY,
        [
            "--x",
            "costs.bhc_salary",
            "--y",
            "cocm.consent_probability",
            "--y-range",
            "0.5",
            "1.5",
        ],
        ["--y-range", "bounds", "[0, 1]"],
    ),
    (
        "twoway",
        TWOWAY,
        ["--x", "costs.bhc_salary", "--y", "simulation.seed"],
        ["--y-range", "plausible"],
    ),
    (
        "twoway",
        TWOWAY,
        ["--x", "costs.bhc_salary", "--y", "cocm.caseload_per_fte", "--grid", "1", "3"],
        ["--grid"],
    ),
    (
        "twoway",
        TWOWAY,
        ["--x", "costs.bhc_salary", "--y", "cocm.caseload_per_fte", "--grid", "2", "x"],
        ["--grid"],
    ),
    (
        "twoway",
        TWOWAY,
        ["--x", "costs.bhc_salary", "--y", "cocm.caseload_per_fte", "--x-range", "1", "abc"],
        ["--x-range"],
    ),
    (
        "twoway",
        TWOWAY,
        [
            "--x",
            "costs.bhc_salary",
            "--y",
            "population.payer_mix.medicare",
            "--y-range",
            "0.1",
            "0.3",
            "--grid",
            "2",
            "2",
        ],
        ["population.payer_mix", "sum to 1"],
    ),
    (
        "twoway",
        TWOWAY,
        [
            "--x",
            "costs.bhc_salary",
            "--y",
            "cocm.caseload_per_fte",
            "--grid",
            "2",
            "2",
            "--output",
            "nett",
        ],
        ["--output", "nett"],
    ),
    (
        "twoway",
        TWOWAY,
        ["--x", "costs.bhc_salary", "--y", "cocm.caseload_per_fte", "--strategy", "pcbh"],
        ["--strategy pcbh"],
    ),
    ("tornado", TWOWAY, [], ["sensitivity.factors"]),
    (
        "tornado",
        TORNADO.replace("pcbh.visits_per_day", "pcbh.visits_per_dy"),
        [],
        ["sensitivity.factors.pcbh.visits_per_dy"],
    ),
    (
        "tornado",
        TORNADO + "    population.payer_mix.medicare: {range: [0.1, 0.3]}\n",
        [],
        ["sensitivity.factors.population.payer_mix.medicare", "sum to 1"],
    ),
    ("tornado", TORNADO, ["--outputs", "net,nett"], ["--outputs", "nett"]),
    ("tornado", TORNADO, ["--set", "cocm.caseload_per_fte=-3"], ["cocm.caseload_per_fte"]),
]


@pytest.mark.parametrize(
    ("command", "body", "extra", "needles"),
    BAD_INPUTS,
    ids=[f"{c[0]}-{i}-{c[3][-1]}" for i, c in enumerate(BAD_INPUTS)],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, command, body, extra, needles):
    out = tmp_path / "out"
    code = main(
        [command, str(write(tmp_path, body)), "--serial", "--reps", "1", *extra, "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    for needle in needles:
        assert needle in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.yaml"]  # no output, no temp dir


def test_example_experiment_loads():
    path = ROOT / "configs" / "experiments" / "twoway_caseload_relativity.yaml"
    exp = load_experiment(path)
    assert list(exp.strategies) == ["cocm"]
    factors = parse_factors(exp.raw["sensitivity"]["factors"])
    assert [f.path for f in factors] == ["cocm.caseload_per_fte", "payers.medicaid.relativity_cocm"]
    assert [f.spec for f in factors] == [(50.0, 120.0), (0.46, 2.34)]


def test_tornado_bars_rank_by_their_farthest_end_from_the_base():
    # issue 13: a bar from -373 to +63 around a base of -10 spans 436 and reaches 363 from the
    # base; ranking by |high - low| alone ignored where the base lies
    assert bar_extent(-10.0, -373.0, 63.0) == {"swing": 436.0, "reach": 363.0}
    # both ends on one side of the base: the bar still runs from the base to the farther end
    one_sided = bar_extent(0.0, 40.0, 90.0)
    assert one_sided == {"swing": 90.0, "reach": 90.0}
    # a shorter bar straddling the base can reach farther than a longer one-sided bar
    assert bar_extent(0.0, -60.0, 10.0)["reach"] == 60.0
    assert bar_extent(0.0, 40.0, 45.0)["reach"] == 45.0
    nan = bar_extent(0.0, float("nan"), 1.0)
    assert np.isnan(nan["swing"])
    assert np.isnan(nan["reach"])
