"""ClinicModel: reproducibility, engine docking, common random numbers and output invariants."""

import mesa
import numpy as np
import pandas as pd
import pytest

from intsim.money.ledger import LEDGER_COLUMNS
from intsim.params import CARE_MODELS
from intsim.params.scenario import default_scenario
from intsim.sim.model import MONTHLY_COLUMNS, ClinicModel
from intsim.sim.patient import PatientAgent
from intsim.sim.population import BH, Tx
from intsim.sim.providers import CareManager, PrimaryCareProvider
from intsim.sim.runner import simulate

SMALL = {
    "population.n_patients": 1500,
    "staffing.n_pcps": 1,
    "staffing.pcp_visits_per_day": 18,
    "staffing.care_manager_fte": 0.4,
    "staffing.bhc_fte": 0.3,
    "staffing.psychiatric_consultant_hours_per_week": 1.0,
    "simulation.months": 18,
}


def small(care_model: str, **extra: object):
    return default_scenario().with_overrides({**SMALL, "care_model": care_model, **extra})


@pytest.mark.parametrize("care_model", CARE_MODELS)
def test_engines_dock(care_model):
    """The agents and arrays engines give identical monthly outputs for the same seed."""
    sc = small(care_model)
    arrays = simulate(sc, seed=5, engine="arrays").monthly
    agents = simulate(sc, seed=5, engine="agents").monthly
    pd.testing.assert_frame_equal(arrays, agents, check_exact=True)
    assert arrays["responders"].sum() > 0


@pytest.mark.slow
@pytest.mark.parametrize("care_model", CARE_MODELS)
def test_engines_dock_default_size(care_model):
    sc = default_scenario().with_overrides({"care_model": care_model, "simulation.months": 36})
    a = simulate(sc, engine="arrays").monthly
    b = simulate(sc, engine="agents").monthly
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("engine", ["arrays", "agents"])
def test_same_seed_same_results(engine):
    sc = small("hybrid")
    a = simulate(sc, seed=9, engine=engine)
    b = simulate(sc, seed=9, engine=engine)
    pd.testing.assert_frame_equal(a.monthly, b.monthly, check_exact=True)
    assert a.summary == b.summary


def test_different_seed_different_results():
    sc = small("hybrid")
    a = simulate(sc, seed=1).monthly
    b = simulate(sc, seed=2).monthly
    assert not a.equals(b)


def _state(model: ClinicModel) -> dict[str, np.ndarray]:
    pop = model.pop
    n = pop.n_used
    return {
        k: getattr(pop, k)[:n].copy()
        for k in ("payer", "age65", "chronic", "pcp", "bh", "score", "condition", "chronic_episode")
    }


def test_care_models_share_patients_and_draws():
    """Usual care and CoCM on one seed start from the same people and the same first-month luck."""
    uc = ClinicModel(small("usual_care").values, seed=4)
    cocm = ClinicModel(small("cocm").values, seed=4)
    for key, value in _state(uc).items():
        np.testing.assert_array_equal(value, _state(cocm)[key], err_msg=key)
    uc.step()
    cocm.step()
    # onsets and panel changes happen before any care: identical in month 1
    new_uc = uc.pop.bh[: uc.pop.n_used]
    new_cocm = cocm.pop.bh[: cocm.pop.n_used]
    untreated = (uc.pop.treatment[: uc.pop.n_used] == Tx.NONE) & (
        cocm.pop.treatment[: cocm.pop.n_used] == Tx.NONE
    )
    np.testing.assert_array_equal(new_uc[untreated], new_cocm[untreated])
    assert untreated.sum() > 1000


def _run_with_one_change(engine: str, target: int | None):
    """Run usual care with roomy capacity; at month 3 put one patient into CoCM-level care.

    Returns the per-month states and the patients in an untreated episode at month 2.
    """
    sc = small(
        "usual_care",
        **{
            "population.n_patients": 800,
            "staffing.pcp_visits_per_day": 60,
            "simulation.months": 24,
        },
    )
    model = ClinicModel(sc.values, seed=3, engine=engine)
    for _ in range(2):
        model.step()
    untreated = np.flatnonzero((model.pop.bh == BH.ACTIVE) & (model.pop.treatment == Tx.NONE))
    if target is not None:
        model.pop.treatment[target] = Tx.COCM
        model.pop.treatment_month[target] = 1
        model.pop.followup_ok[target] = True
        model.pop.reviewed[target] = True
    history = []
    for _ in range(22):
        model.step()
        history.append(_state(model))
    return history, untreated


@pytest.mark.parametrize("engine", ["arrays", "agents"])
def test_changing_one_patients_care_changes_only_that_patient(engine):
    """With capacity not binding, better care for one patient alters no other trajectory."""
    hist_base, candidates = _run_with_one_change(engine, None)
    changed_any = False
    for target in candidates[:6]:
        hist_alt, _ = _run_with_one_change(engine, int(target))
        for hb, ha in zip(hist_base, hist_alt, strict=True):
            for key in hb:
                assert len(hb[key]) == len(ha[key])  # same departures and replacements
                others = np.arange(len(hb[key])) != target
                np.testing.assert_array_equal(hb[key][others], ha[key][others], err_msg=key)
        changed_any = any(
            hb["bh"][target] != ha["bh"][target] for hb, ha in zip(hist_base, hist_alt, strict=True)
        )
        if changed_any:
            break
    assert changed_any, "the intervention never changed the treated patient's course"


def test_model_is_mesa_with_provider_and_patient_agents():
    sc = small("hybrid")
    model = ClinicModel(sc.values, engine="agents")
    assert isinstance(model, mesa.Model)
    pcps = model.agents_by_type[PrimaryCareProvider]
    assert len(pcps) == 1
    assert len(model.agents_by_type[CareManager]) == 1
    assert len(model.agents_by_type[PatientAgent]) == 1500
    model.step()
    # departed patients' agents are removed and replaced: the count stays the panel size
    assert len(model.agents_by_type[PatientAgent]) == 1500


@pytest.mark.parametrize("care_model", CARE_MODELS)
def test_monthly_output_invariants(care_model):
    sc = small(care_model)
    res = simulate(sc, seed=2)
    m = res.monthly
    assert list(m.columns) == [*MONTHLY_COLUMNS, *LEDGER_COLUMNS]
    assert len(m) == 18
    assert (m["panel_size"] == 1500).all()  # departures are replaced
    counts = m[list(MONTHLY_COLUMNS)].drop(columns=["month"])
    assert (counts >= 0).all().all()
    for col in ("cm_utilization", "bhc_utilization", "pcp_utilization"):
        assert m[col].between(0, 1).all(), col
    assert (m["enrolled_new"] == m["cocm_enrolled_new"] + m["pcbh_started_new"]).all()
    gain = sc.values.productivity.pcp_capacity_gain if care_model in ("pcbh", "hybrid") else 0.0
    assert (m["pcp_visits"] <= int(18 * 21 * (1 + gain))).all()
    # one PCP: the visits above its base capacity are the ones the BHCs made room for
    assert (m["pcp_visits_extra"] == (m["pcp_visits"] - 18 * 21).clip(lower=0)).all()
    if care_model in ("usual_care", "cocm"):
        assert (m["pcp_visits_extra"] == 0).all()
    assert (m["active_cocm"] <= int(0.4 * sc.values.cocm.caseload_per_fte)).all()
    if care_model == "usual_care":
        assert (
            m[["screened", "active_cocm", "active_pcbh", "bhc_visits", "cm_minutes"]]
            .eq(0)
            .all()
            .all()
        )
    if care_model == "cocm":
        assert m["cm_minutes"].sum() > 0
        assert m["bhc_visits"].sum() == 0
    if care_model == "pcbh":
        assert m["bhc_visits"].sum() > 0
        assert m["cm_minutes"].sum() == 0


def test_cocm_improves_outcomes_over_usual_care():
    """Same people, same luck: CoCM yields more responders than usual care on every seed."""
    for seed in (1, 2, 3):
        kw = {
            "staffing.care_manager_fte": 2.0,
            "staffing.psychiatric_consultant_hours_per_week": 6.0,
            "simulation.months": 24,
        }
        uc = simulate(small("usual_care", **kw), seed=seed).summary["responders"]
        cocm = simulate(small("cocm", **kw), seed=seed).summary["responders"]
        assert cocm > uc


def test_caseload_cap_creates_waitlist_and_turns_patients_away():
    tight = simulate(small("cocm", **{"cocm.caseload_per_fte": 20}), seed=1).monthly
    loose = simulate(small("cocm", **{"cocm.caseload_per_fte": 400}), seed=1).monthly
    assert tight["waitlist"].mean() >= loose["waitlist"].mean()
    assert tight["cocm_turned_away"].sum() > loose["cocm_turned_away"].sum()
    assert (tight["active_cocm"] <= int(0.4 * 20)).all()


def test_shorter_run_reproduces_the_start_of_a_longer_run():
    sc = small("hybrid")
    short = simulate(sc, seed=6, months=7).monthly
    long = simulate(sc, seed=6, months=18).monthly
    pd.testing.assert_frame_equal(short, long.iloc[:7], check_exact=True)


def test_scenario_and_results_pickle_for_process_executors():
    import pickle  # noqa: PLC0415

    sc = small("cocm")
    clone = pickle.loads(pickle.dumps(sc))
    assert clone.scenario_hash() == sc.scenario_hash()
    assert clone.name == sc.name
    a = simulate(clone, seed=2)
    b = pickle.loads(pickle.dumps(simulate(sc, seed=2)))
    pd.testing.assert_frame_equal(a.monthly, b.monthly, check_exact=True)


def test_process_pool_gives_identical_results():
    import multiprocessing  # noqa: PLC0415
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

    sc = small("pcbh", **{"simulation.months": 6})
    serial = [simulate(sc, seed=s).monthly for s in (1, 2)]
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters, as a cluster worker has
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        parallel = [r.monthly for r in pool.map(simulate, [sc, sc], [1, 2])]
    for a, b in zip(serial, parallel, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
