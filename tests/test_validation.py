"""Out-of-sample validation (experiments/validation.py): runs, reports, sets only settings."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from intsim.params import is_money_only
from intsim.params.scenario import default_scenario, load_scenario, read_yaml_mapping

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs" / "validation"
COLUMNS = [
    "target",
    "quantity",
    "simulated",
    "spread_low",
    "spread_high",
    "band_low",
    "band_high",
    "met_mean",
    "met_spread",
]


def _read(path: Path) -> pd.DataFrame:
    """targets.csv with the met columns as written (True, False, n/a)."""
    return pd.read_csv(path, dtype={"met_mean": str, "met_spread": str}, keep_default_na=False)


def _load() -> ModuleType:
    name = "validation_experiment"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / "validation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # registered first: its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def validation() -> ModuleType:
    return _load()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory, validation: ModuleType) -> Path:
    out = tmp_path_factory.mktemp("validation") / "out"
    assert validation.main(["--quick", "--jobs", "1", "--out", str(out)]) == 0
    return out


# --------------------------------------------------------------------------- the run


def test_quick_run_writes_the_table_and_the_figure(quick_run, validation):
    table = _read(quick_run / "targets.csv")
    assert list(table.columns) == COLUMNS
    assert sorted(set(table["target"])) == [f"W{i}" for i in range(1, 8)]
    assert list(table["quantity"]) == [q.quantity for q in validation.QUANTITIES]
    # W2 has its four windows, W3 its three quantities
    assert (table["target"] == "W2").sum() == 4
    assert (table["target"] == "W3").sum() == 3
    assert set(table["met_mean"]) <= {"True", "False"}
    assert set(table["met_spread"]) <= {"True", "False", "n/a"}
    for q, (_, row) in zip(validation.QUANTITIES, table.iterrows(), strict=True):
        sim, lo, hi = (float(row[c]) for c in ("simulated", "spread_low", "spread_high"))
        assert math.isfinite(sim), q.quantity
        assert lo <= sim <= hi, q.quantity
        assert float(row["band_low"]) == pytest.approx(q.band_low, rel=1e-5)
        assert float(row["band_high"]) == pytest.approx(q.band_high, rel=1e-5)
        assert row["met_mean"] == str(q.band_low <= sim <= q.band_high)
        assert (row["met_spread"] == "n/a") == (q.ci_width is None)
    assert (quick_run / "targets.png").stat().st_size > 50_000
    assert (quick_run / "targets.svg").stat().st_size > 10_000
    assert not list(quick_run.glob(".targets-*"))  # no temporary file left behind


def test_quick_run_reproduces_on_the_same_seed(quick_run, validation, tmp_path):
    assert validation.main(["--quick", "--jobs", "1", "--out", str(tmp_path)]) == 0
    first = _read(quick_run / "targets.csv")
    again = _read(tmp_path / "targets.csv")
    pd.testing.assert_frame_equal(first, again)


def test_w1_arms_are_independent_trials(validation):
    # the two arms of a trial never share a seed (the spread is that of a real trial)
    seeds = {validation.arm_seed(1, r, arm) for r in range(500) for arm in (0, 1)}
    assert len(seeds) == 1000


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--reps", "0"], "--reps"),
        (["--reps", "many"], "--reps"),
        (["--reps", "1"], "--reps"),
        (["--seed", "0"], "--seed"),
        (["--seed", "1.5"], "--seed"),
        (["--jobs", "0"], "--jobs"),
        (["--out"], "--out"),
        (["--colour"], "--colour"),
    ],
)
def test_bad_argument_exits_2_naming_the_option(validation, tmp_path, capsys, argv, option):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        validation.main([*argv, "--out", str(out)] if argv != ["--out"] else argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert option in err
    assert not out.exists()  # nothing written


def test_out_that_is_a_file_exits_2_and_is_left_alone(validation, tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("keep me")
    with pytest.raises(SystemExit) as exc:
        validation.main(["--quick", "--out", str(target)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--out" in err
    assert "not a folder" in err
    assert target.read_text() == "keep me"


def test_bad_argument_from_the_command_line_has_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "validation.py"), "--reps", "abc"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert "--reps" in proc.stderr
    assert not (tmp_path / "results").exists()


# --------------------------------------------------------------------------- only the setting

#: Every key a validation file may change from the declared defaults, with its kind. A study
#: *setting* only: population, horizon, sample size, comparator, staffing/capacity, fidelity and
#: trial protocol. Behavioural parameters (hazards, effects, utilisation, costs) are not here.
#: Keys inherited from the calibration files (W1 extends the T3 files) keep the kinds of
#: docs/calibration.md.
ALLOWED: dict[str, str] = {
    "care_model": "comparator",
    "simulation.months": "horizon",
    "population.n_patients": "sample size",
    "population.monthly_attrition": "population",
    "population.threshold_prevalence": "population",
    "population.subthreshold_prevalence": "population",
    "population.remitted_prevalence": "population",
    "population.anxiety_share": "population",
    "population.share_age_65plus": "population",
    "population.chronic_episode_share": "population",
    "population.initial_chronic_episode_share": "population",  # T3: a chronic cohort
    "population.initial_chronic_episode_months_max": "population",
    "population.initial_pcp_treatment_share": "protocol",  # trial arms start care at randomisation
    "population.initial_specialty_treatment_share": "protocol",
    "population.payer_mix.medicare": "population",
    "population.payer_mix.medicaid": "population",
    "population.payer_mix.commercial": "population",
    "population.payer_mix.dual": "population",
    "population.payer_mix.uninsured": "population",
    "clinical.incidence": "population",  # T3 cohort: no new onsets (docs/calibration.md)
    "clinical.subthreshold_incidence": "population",  # idem
    "clinical.learning_start": "fidelity",  # T3: trial teams trained before enrolment
    "cohort.enabled": "protocol",
    "cohort.age65_only": "protocol",
    "cocm.offer_probability": "protocol",
    "cocm.consent_probability": "protocol",
    "cocm.early_disengagement": "fidelity",  # T3 trial retention
    "cocm.monthly_dropout": "fidelity",  # T3 trial retention
    "cocm.max_episode_months": "protocol",  # T3: 12 months of care for everyone
    "cocm.discharge_after_response_months": "protocol",  # idem
    "cocm.caseload_per_fte": "capacity",
    "detection.pcp_sensitivity": "protocol",
    "rollout.end_month": "protocol",
    "rollout.end_policy": "protocol",
    "rollout.caseload_ramp_start": "staffing",
    "staffing.n_pcps": "staffing",
    "staffing.care_manager_fte": "staffing",
    "staffing.bhc_fte": "staffing",
    "staffing.psychiatric_consultant_hours_per_week": "staffing",
    "staffing.shared_bhc_cm_share": "staffing",
    "workforce.enabled": "staffing",
    "workforce.shortage_severity": "staffing",
    "workforce.tele_cm_backfill": "staffing",
    "costs.psychiatry_model": "staffing",  # telepsychiatry vendor (W5)
    "contracts.medicaid.p4p_bonus_share": "comparator",  # W3: the payment change studied
    "contracts.uninsured.p4p_bonus_share": "comparator",
}

SETTING_KINDS = {
    "population",
    "horizon",
    "sample size",
    "comparator",
    "staffing",
    "capacity",
    "fidelity",
    "protocol",
}


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{path}."))
        else:
            out[path] = value
    return out


def _changed(path: Path) -> set[str]:
    """Keys whose resolved value (extends included) differs from the declared default."""
    defaults = _flat(default_scenario().to_dict())
    resolved = _flat(load_scenario(path).to_dict())
    return {k for k in resolved if resolved[k] != defaults.get(k)}


VALIDATION_FILES = sorted(CONFIGS.glob("*.yaml"))


def test_every_target_has_its_files(validation):
    names = {p.stem for p in VALIDATION_FILES}
    assert len(names) == 12
    # every file the experiment reads exists (loading it validates it)
    for name in names:
        validation.scenario(name)


def test_allow_list_holds_setting_kinds_only():
    assert set(ALLOWED.values()) <= SETTING_KINDS
    behavioural = ("_hr", "hazard", "weibull", "irr", "relapse", "residual", "recovery")
    for key in ALLOWED:
        assert not key.startswith(("utilization.", "tcoc.", "pcbh.", "hybrid.")), key
        assert not any(word in key for word in behavioural), key


@pytest.mark.parametrize("path", VALIDATION_FILES, ids=lambda p: p.stem)
def test_validation_file_sets_only_setting_keys(path):
    outside = sorted(_changed(path) - set(ALLOWED))
    assert not outside, f"{path.name} changes keys that are not a study setting: {outside}"


def test_the_allow_list_rejects_a_behavioural_key(tmp_path):
    # the check above would catch a file that tunes an effect
    tuned = tmp_path / "tuned.yaml"
    tuned.write_text(
        f"extends: {CONFIGS / 'cochrane_cocm.yaml'}\nclinical: {{cocm_response_hr: 2.0}}\n"
    )
    assert "clinical.cocm_response_hr" in _changed(tuned) - set(ALLOWED)


def test_w3_pay_for_performance_is_money_only():
    # the only difference between the W3 arms is a payment contract the clinic never reads: the
    # model has no mechanism from P4P to process fidelity (docs/validation.md, W3)
    pre = _flat(load_scenario(CONFIGS / "mhip_pre.yaml").to_dict())
    post = _flat(load_scenario(CONFIGS / "mhip_post.yaml").to_dict())
    diff = {k for k in pre if pre[k] != post[k]} - {"name", "description"}
    assert diff == {"contracts.medicaid.p4p_bonus_share", "contracts.uninsured.p4p_bonus_share"}
    assert all(is_money_only(k) for k in diff)


def test_docs_list_every_key_each_validation_file_sets():
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    for path in VALIDATION_FILES:
        assert f"`{path.stem}`" in doc or path.name in doc, path.name
        own = _flat(read_yaml_mapping(path))
        for key in sorted(set(own) - {"name", "description", "extends"}):
            assert f"`{key}`" in doc, f"docs/validation.md does not document {path.name}: {key}"


def test_docs_show_the_current_table_rows(validation):
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    for q in validation.QUANTITIES:
        assert f"| {q.target} | `{q.quantity}` |" in doc, q.quantity


# --------------------------------------------------------------------------- measurements


def test_kaplan_meier_median_and_exponential_hazard_ratio(validation):
    s = validation.Survival(np.array([1, 2, 3, 4]), np.array([True, True, True, True]))
    assert validation.km_median_months(s) == 2.0
    censored = validation.Survival(np.array([1, 2, 3, 4]), np.array([False, True, False, False]))
    assert math.isnan(validation.km_median_months(censored))  # 1 - 1/3 never reaches one half
    # hazards -ln(1 - 1/2) and -ln(1 - 1/4): ratio ln 2 / ln(4/3)
    a = validation.Survival(np.array([1, 1]), np.array([True, False]))
    b = validation.Survival(np.array([2, 2]), np.array([True, False]))
    assert validation.exponential_hr(a, b) == pytest.approx(math.log(2) / math.log(4 / 3))


def test_wilson_interval_of_the_pyne_count(validation):
    lo, hi = validation.wilson_interval(364, 2863)
    assert lo == pytest.approx(0.1155, abs=5e-4)
    assert hi == pytest.approx(0.1396, abs=5e-4)


def test_evaluate_reads_parts_a_and_b(validation):
    q = validation.QUANTITIES[0]  # W1 DFD: band 86-128, CI width 42
    narrow = np.full(100, 107.0)
    right = np.linspace(86.0, 128.0, 100)
    outside = np.linspace(140.0, 180.0, 100)
    rows = {
        name: validation.evaluate({q.quantity: values}).iloc[0]
        for name, values in (("narrow", narrow), ("right", right), ("outside", outside))
    }
    assert (rows["narrow"]["met_mean"], rows["narrow"]["met_spread"]) == ("True", "False")
    assert (rows["right"]["met_mean"], rows["right"]["met_spread"]) == ("True", "True")
    assert (rows["outside"]["met_mean"], rows["outside"]["met_spread"]) == ("False", "True")
    sign = validation.QUANTITIES[1]  # a sign: part (b) does not apply
    assert validation.evaluate({sign.quantity: right}).iloc[0]["met_spread"] == "n/a"


def test_registry_counts_the_models_enrolments_and_followups(validation):
    model, reg = validation.run_registry("penn_cocm", 3, lambda r: r.model.month >= 12)
    m = model.monthly_frame()
    assert reg.n == int(m["cocm_enrolled_new"].sum()) > 500
    # every 4-week follow-up the model counts belongs to an episode the registry started a
    # month earlier (episodes started in month 12 have not reached their second month)
    started_before_12 = reg["start"] < 12
    assert int(reg["followup"][started_before_12].sum()) == int(m["early_followups"].sum())
    # a contact month is a month in CoCM: no episode has more contacts than months
    open_months = np.where(reg["end"] >= 0, reg["end"], model.month) - reg["start"] + 1
    assert (reg["contacts"] <= open_months).all()
    assert (reg["contacts"] >= 1).mean() > 0.9  # nearly everyone had the intake contact
