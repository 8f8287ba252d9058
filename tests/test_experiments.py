"""The money experiments (care-model comparison, payment models) run and write sound outputs."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from intsim.scenario import load_scenario

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
        for ext in ("png", "pdf"):
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
        for ext in ("png", "pdf"):
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
