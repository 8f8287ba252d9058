"""The experiment scripts (care models, payments, workforce, startup phasing) run soundly."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from intsim.params.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
STATS = ["mean", "sd", "p5", "p95", "n_seeds"]


def _experiment(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"{name}_exp", ROOT / "experiments" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("experiments") / "care_model_comparison"
    assert _experiment("care_model_comparison").main(["--quick", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def payments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("experiments") / "payment_models"
    assert _experiment("payment_models").main(["--quick", "--out", str(out)]) == 0
    return out


def _mean(summary: pd.DataFrame, **where: str) -> float:
    rows = summary
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return float(rows["mean"].iloc[0])


# --------------------------------------------------------------------------- care models


def test_comparison_writes_every_output(comparison):
    for name in ("summary.csv", "runs.csv"):
        assert (comparison / name).is_file()
    for stem in ("monthly_net", "direct_vs_indirect"):
        for ext in ("png", "svg", "pdf"):
            assert (comparison / f"{stem}.{ext}").stat().st_size > 1000


def test_comparison_tables_have_one_row_per_model_and_seed(comparison):
    exp = _experiment("care_model_comparison")
    runs = pd.read_csv(comparison / "runs.csv")
    summary = pd.read_csv(comparison / "summary.csv")
    assert list(runs.columns[:2]) == ["care_model", "seed"]
    assert len(runs) == 4 * 2
    assert all(sorted(seeds) == [1, 2] for seeds in runs.groupby("care_model")["seed"].apply(list))
    assert set(runs["care_model"]) == {"usual_care", "cocm", "pcbh", "hybrid"}
    assert {"care_model", "metric", *STATS} <= set(summary.columns)
    metrics = {exp.SHARES.get(m, m) for m in exp.METRICS}
    assert len(summary) == 4 * len(metrics)
    assert set(summary["metric"]) == metrics
    assert (summary["n_seeds"] == 2).all()
    for metric in ("net", "npv", "patients_served", "payer_net_savings", "ed_visits_avoided"):
        assert np.isfinite(runs[metric]).all(), metric
    # every statistic of an integrated model is defined, except months never reached and the
    # cost per incremental responder (undefined without incremental responders)
    maybe_undefined = {"break_even_month", "payback_month", "cost_per_responder"}
    defined = summary[
        (summary["care_model"] != "usual_care") & ~summary["metric"].isin(maybe_undefined)
    ]
    assert np.isfinite(defined[["mean", "sd", "p5", "p95"]].to_numpy()).all()


def test_comparison_values_are_consistent(comparison):
    runs = pd.read_csv(comparison / "runs.csv").set_index(["care_model", "seed"])
    summary = pd.read_csv(comparison / "summary.csv")
    usual = runs.loc["usual_care"]
    # usual care is its own counterfactual: no programme, nothing saved or avoided
    for metric in ("payer_net_savings", "incremental_responders", "ed_visits_avoided", "net"):
        assert (usual[metric] == 0).all(), metric
    assert (usual["patients_served"] == 0).all()
    assert usual["broke_even"].isna().all()  # break-even is undefined without a programme
    assert math.isnan(_mean(summary, care_model="usual_care", metric="break_even_share"))
    for model in ("cocm", "pcbh", "hybrid"):
        served = runs.loc[model]
        assert (served["patients_served"] > 0).all()
        assert (served["total_cost"] > served["startup_cost"]).all()
        assert served["broke_even"].isin([0.0, 1.0]).all()
        # incremental responders are measured against usual care on the same seed
        assert (
            served["responders"] - usual["responders"] == served["incremental_responders"]
        ).all()
    assert _mean(summary, care_model="cocm", metric="responders") > _mean(
        summary, care_model="usual_care", metric="responders"
    )


# --------------------------------------------------------------------------- payment models


def test_payment_models_write_every_output(payments):
    for name in ("summary.csv", "runs.csv", "contracts.json"):
        assert (payments / name).is_file()
    for stem in ("npv_margin_heatmap", "cumulative_net_by_contract"):
        for ext in ("png", "svg", "pdf"):
            assert (payments / f"{stem}.{ext}").stat().st_size > 1000


def test_payment_models_tables_cover_every_combination(payments):
    exp = _experiment("payment_models")
    runs = pd.read_csv(payments / "runs.csv")
    summary = pd.read_csv(payments / "summary.csv")
    contracts = json.loads((payments / "contracts.json").read_text(encoding="utf-8"))
    assert contracts == exp.CONTRACTS
    assert set(contracts) == {"ffs", "p4p", "pmpm", "shared_savings", "blended"}
    assert len(runs) == 3 * 5 * 2
    combos = runs[["care_model", "contract"]].drop_duplicates()
    assert len(combos) == 15
    assert {"care_model", "contract", "metric", "contract_overrides", *STATS} <= set(
        summary.columns
    )
    assert len(summary) == 15 * len(exp.METRICS)
    for contract, overrides in contracts.items():
        recorded = runs.loc[runs["contract"] == contract, "contract_overrides"].unique()
        assert [json.loads(r) for r in recorded] == [overrides]
    for metric in ("net", "npv", "net_margin_pct", "total_revenue", "payer_net_savings"):
        assert np.isfinite(runs[metric]).all(), metric
    # every contract override is a valid scenario parameter
    base = load_scenario(ROOT / "configs" / "cocm.yaml")
    for overrides in contracts.values():
        base.with_overrides(overrides)


def test_contracts_change_money_not_care(payments):
    runs = pd.read_csv(payments / "runs.csv")
    # common random numbers: the same patients get the same care under every contract (costs
    # differ only through billing costs, a share of collections)
    for column in ("responders", "patients_served", "ed_visits_avoided", "startup_cost"):
        assert (runs.groupby(["care_model", "seed"])[column].nunique() == 1).all(), column
    by = runs.set_index(["care_model", "contract", "seed"]).sort_index()
    for model in ("cocm", "pcbh", "hybrid"):
        ffs, pmpm = by.loc[(model, "ffs")], by.loc[(model, "pmpm")]
        assert (ffs["revenue_pmpm"] == 0).all()
        assert (pmpm["revenue_pmpm"] > 0).all()
        # capitation replaces fee-for-service claims from the capitated payers
        assert (pmpm["direct_claims_revenue"] < ffs["direct_claims_revenue"]).all()
        # the payer pays the capitation: its net savings fall
        assert (pmpm["payer_net_savings"] < ffs["payer_net_savings"]).all()


# --------------------------------------------------------------------------- workforce shortage


@pytest.fixture(scope="module")
def shortage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("experiments") / "workforce_shortage"
    assert _experiment("workforce_shortage").main(["--quick", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def phasing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("experiments") / "startup_phasing"
    assert _experiment("startup_phasing").main(["--quick", "--out", str(out)]) == 0
    return out


def test_spread_and_wide_summary_ignore_undefined_values():
    common = _experiment("workforce_shortage").common  # experiments/_common.py
    stats = common.spread([1.0, 2.0, 3.0, math.nan])
    assert stats["mean"] == 2.0
    assert stats["p50"] == 2.0
    assert stats["n_defined"] == 3
    assert math.isnan(common.spread([math.nan])["mean"])
    runs = pd.DataFrame(
        {"cell": ["a", "a", "b", "b"], "x": [1.0, 3.0, math.nan, 5.0], "hit": [1, 0, 1, 1]}
    )
    wide = common.wide_summary(runs, ["cell"], ["x"], shares={"hit": "p_hit"}, count_defined=["x"])
    assert list(wide["cell"]) == ["a", "b"]
    assert list(wide["n_seeds"]) == [2, 2]
    assert list(wide["p_hit"]) == [0.5, 1.0]
    assert list(wide["x_mean"]) == [2.0, 5.0]
    assert list(wide["x_n"]) == [2, 1]
    assert {f"x_{s}" for s in common.SPREAD_STATS} <= set(wide.columns)


def test_workforce_shortage_writes_every_output(shortage):
    for name in ("summary.csv", "runs.csv"):
        assert (shortage / name).is_file()
    for stem in ("net_margin_heatmap", "by_severity", "workforce_timeline"):
        for ext in ("png", "svg", "pdf"):
            assert (shortage / f"{stem}.{ext}").stat().st_size > 1000


def test_workforce_shortage_tables_cover_the_grid_on_common_seeds(shortage):
    exp = _experiment("workforce_shortage")
    runs = pd.read_csv(shortage / "runs.csv")
    summary = pd.read_csv(shortage / "summary.csv")
    cell = ["strategy", "severity", "bh_turnover", "telehealth"]
    assert list(runs.columns[:6]) == ["strategy", "care_model", *cell[1:], "seed"]
    assert len(runs) == 3 * 3 * 3 * 2 * 2
    assert set(runs["strategy"]) == {"cocm", "pcbh", "hybrid"}
    assert (runs["strategy"] == runs["care_model"]).all()
    assert set(runs["severity"]) == {"none", "moderate", "severe"}
    assert set(runs["bh_turnover"]) == {0.15, 0.30, 0.50}
    assert set(runs["telehealth"]) == {"off", "on"}
    # common random numbers: every cell runs on the same seeds
    assert all(sorted(seeds) == [1, 2] for seeds in runs.groupby(cell)["seed"].apply(list))
    assert len(summary) == 54
    assert not summary.duplicated(cell).any()
    assert (summary["n_seeds"] == 2).all()
    expected = {"break_even_share", "payback_share", "break_even_month_n", "payback_month_n"}
    expected |= {f"{m}_{s}" for m in exp.METRICS for s in ("mean", "sd", "p10", "p50", "p90")}
    assert expected <= set(summary.columns)
    for metric in ("net", "net_margin_pct", "cash_trough", "patients_served", "mean_waitlist"):
        assert np.isfinite(runs[metric]).all(), metric
        assert np.isfinite(summary[f"{metric}_mean"]).all(), metric
        assert (summary[f"{metric}_p10"] <= summary[f"{metric}_p90"]).all(), metric
    for share in ("break_even_share", "payback_share"):
        assert summary[share].between(0, 1).all(), share
    # every cell's overrides are valid parameters of every strategy
    base = load_scenario(ROOT / "configs" / "cocm.yaml")
    for arm in exp.TELEHEALTH:
        base.with_overrides(exp.cell_overrides("severe", 0.5, arm))


def test_workforce_shortage_values_are_consistent(shortage):
    runs = pd.read_csv(shortage / "runs.csv")
    assert (runs["patients_served"] > 0).all()
    assert (runs["cash_trough"] <= -runs["startup_cost"] + 1e-6).all()
    assert (runs["vacancy_months"] >= 0).all()
    assert runs["effective_bh_fte_share"].between(0, 1 + 1e-9).all()
    assert runs["mean_burnout"].between(0, 1).all()
    # a severe shortage leaves positions vacant at least as long as none, on average
    vac = runs.groupby(["strategy", "severity"])["vacancy_months"].mean()
    for model in ("cocm", "pcbh", "hybrid"):
        assert vac[(model, "severe")] >= vac[(model, "none")], model
        assert vac[(model, "severe")] > 0, model
    # no substitution without telehealth; PCBH (no care managers, no consultant) cannot use it,
    # so on common seeds its two telehealth arms are the same runs
    off = runs[runs["telehealth"] == "off"]
    assert (off["cost_substitution"] == 0).all()
    assert (off["tele_cm_fte_months"] == 0).all()
    pcbh = runs[runs["strategy"] == "pcbh"]
    keys = ["severity", "bh_turnover", "seed"]
    a, b = (
        pcbh[pcbh["telehealth"] == arm].drop(columns="telehealth").sort_values(keys)
        for arm in ("off", "on")
    )
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


# --------------------------------------------------------------------------- startup phasing


def test_startup_phasing_writes_every_output(phasing):
    for name in ("summary.csv", "runs.csv"):
        assert (phasing / name).is_file()
    for stem in ("cumulative_cash", "trough_payback"):
        for ext in ("png", "svg", "pdf"):
            assert (phasing / f"{stem}.{ext}").stat().st_size > 1000


def test_startup_phasing_tables_cover_every_plan_and_arm(phasing):
    exp = _experiment("startup_phasing")
    runs = pd.read_csv(phasing / "runs.csv")
    summary = pd.read_csv(phasing / "summary.csv")
    plans = ["all_at_once", "phased", "pilot_then_scale", "phased_caseload_gate", "pilot_net_gate"]
    assert list(runs.columns[:3]) == ["strategy", "grant", "seed"]
    assert len(runs) == len(plans) * 2 * 2
    assert list(runs["strategy"].drop_duplicates()) == plans
    assert set(runs["grant"]) == {"no_grant", "grant"}
    arms = runs.groupby(["strategy", "grant"])["seed"].apply(list)
    assert all(sorted(seeds) == [1, 2] for seeds in arms)
    by_plan = runs.drop_duplicates("strategy").set_index("strategy")
    assert list(by_plan["rollout"]) == [
        "all_at_once",
        "phased",
        "pilot_then_scale",
        "phased",
        "pilot_then_scale",
    ]
    assert list(by_plan["gate"]) == ["none", "none", "none", "caseload", "net_positive"]
    assert len(summary) == len(plans) * 2
    assert (summary["n_seeds"] == 2).all()
    shares = set(exp.SHARES.values())
    assert shares | {f"{m}_{s}" for m in exp.METRICS for s in ("mean", "p10", "p90")} <= set(
        summary.columns
    )
    for share in shares:
        assert summary[share].between(0, 1).all(), share
    assert (runs["grant_end_month"] == 24).all()
    for metric in ("cash_trough", "bridge_funding", "patients_served", "net"):
        assert np.isfinite(runs[metric]).all(), metric
    assert (runs["bridge_funding"] == -runs["cash_trough"].clip(upper=0)).all()


def test_a_grant_changes_money_only_and_never_worsens_the_trough(phasing):
    runs = pd.read_csv(phasing / "runs.csv").set_index(["strategy", "seed"]).sort_index()
    none, grant = (runs[runs["grant"] == arm] for arm in ("no_grant", "grant"))
    # the same clinic month by month: same patients, staff and phases, same costs
    for column in ("patients_served", "phases_live_end", "total_cost", "startup_cost"):
        assert (none[column] == grant[column]).all(), column
    assert (none["grant_received"] == 0).all()
    assert (grant["grant_received"] > 0).all()
    assert (grant["cash_trough"] >= none["cash_trough"]).all()
    assert (grant["bridge_funding"] <= none["bridge_funding"]).all()
    assert (grant["net"] >= none["net"]).all()
    # without grant money the two break-even definitions coincide; counting grant money can only
    # bring break-even earlier
    same = none["break_even_month"].fillna(-1) == none["break_even_month_excl_grant"].fillna(-1)
    assert same.all()
    for frame in (none, grant):
        assert (
            frame["break_even_in_grant_period"] >= frame["break_even_in_grant_period_excl_grant"]
        ).all()
    # the operating break-even does not depend on the grant
    assert (
        none["break_even_month_excl_grant"].fillna(-1)
        == grant["break_even_month_excl_grant"].fillna(-1)
    ).all()
