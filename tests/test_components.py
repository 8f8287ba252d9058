"""Registered components (intsim.params.components): care models, contracts, billing codes, modules.

The toy care model, toy contract and toy billing code are the tutorial examples under
docs/tutorials/examples/: each fixture executes the example file (registering it), and
unregisters it afterwards, so these tests also check that the tutorials work as written.
"""

from __future__ import annotations

import contextlib
import importlib
import pickle
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from intsim.analysis.batch import Task, make_executor, run_task
from intsim.analysis.uncertainty import UncertaintySpec
from intsim.money.billing import MissingRateError, practitioner_share
from intsim.money.claims import FAMILIES, ClaimsBook, year_plan
from intsim.money.coding import SERVICES, BillingCode, CodingContext, billing_codes
from intsim.money.contracts import PaymentContract, case_rate_usd, contract_classes
from intsim.money.ledger import LEDGER_COLUMNS, REVENUE_LINES, ledger_columns, operating_costs
from intsim.params import CARE_MODELS, PARAMETERS, PARAMS_BY_PATH, PAYERS, Param, defaults
from intsim.params import components as comp
from intsim.params.scenario import ScenarioError, build_scenario, default_scenario
from intsim.sim import model as model_module
from intsim.sim.care import (
    CARE_MODEL_CLASSES,
    CollaborativeCare,
    Hybrid,
    MonthCounters,
    PrimaryCareBehavioralHealth,
    UsualCare,
)
from intsim.sim.care.cohort import COHORT_COLUMNS, Cohort
from intsim.sim.context import ClinicContext, WorkforceContext
from intsim.sim.model import (
    CORE_COLUMNS,
    MONTHLY_COLUMNS,
    MONTHLY_MODULES,
    ClinicModel,
    monthly_columns,
)
from intsim.sim.runner import simulate
from intsim.sim.tcoc import TcocMeter
from intsim.sim.workforce import WORKFORCE_COLUMNS, Workforce

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "tutorials" / "examples"

SMALL = {
    "population.n_patients": 1200,
    "staffing.n_pcps": 1,
    "staffing.pcp_visits_per_day": 18,
    "staffing.care_manager_fte": 0.4,
    "simulation.months": 12,
}


def _snapshot() -> tuple[Any, ...]:
    return (PARAMETERS.as_tuple(), dict(PARAMS_BY_PATH), defaults(), comp.registered("care_model"))


def _load(name: str) -> Iterator[dict[str, Any]]:
    before = _snapshot()
    namespace = runpy.run_path(str(EXAMPLES / f"{name}.py"))
    yield namespace
    for kind in comp.KINDS:
        for cls in list(comp.registered(kind).values()):
            if cls.__module__ == "<run_path>":
                comp.unregister(kind, cls.name)
    assert _snapshot() == before  # unregistering restores the declaration exactly


@pytest.fixture
def self_help() -> Iterator[dict[str, Any]]:
    """The toy care model of the tutorial, registered for one test."""
    yield from _load("self_help")


@pytest.fixture
def quality_bonus() -> Iterator[dict[str, Any]]:
    """The toy payment contract of the tutorial, registered for one test."""
    yield from _load("quality_bonus")


# --------------------------------------------------------------------------- built-ins


def test_builtin_care_models_registry_equals_the_old_table() -> None:
    assert dict(CARE_MODEL_CLASSES) == {
        "usual_care": UsualCare,
        "cocm": CollaborativeCare,
        "pcbh": PrimaryCareBehavioralHealth,
        "hybrid": Hybrid,
    }
    assert PARAMS_BY_PATH["care_model"].choices == CARE_MODELS
    assert not comp.extended()


def test_builtin_roles_and_sections() -> None:
    assert UsualCare.roles == ()
    assert set(CollaborativeCare.roles) == {"care_manager", "psychiatric_consultant"}
    assert PrimaryCareBehavioralHealth.roles == ("bhc",)
    assert set(Hybrid.roles) == {"care_manager", "psychiatric_consultant", "bhc"}
    cocm = CollaborativeCare.define_pars()
    assert cocm
    assert all(p.path.startswith("cocm.") for p in cocm)
    assert {p.path for p in cocm} == {p.path for p in PARAMETERS if p.section == "cocm"}
    for path in (p.path for p in cocm):
        assert comp.owner(path) == "care_model:cocm"
    assert comp.owner("contracts.medicare.pmpm_usd") == "contract:pmpm"
    assert comp.owner("simulation.months") is None


def test_builtin_contracts_in_settlement_order() -> None:
    assert list(contract_classes()) == ["pmpm", "case_rate", "p4p", "shared_savings"]
    for name, cls in contract_classes().items():
        assert f"revenue_{name}" in REVENUE_LINES
        assert cls.define_results() == (f"revenue_{name}",)
        for p in cls.define_pars():
            assert p.path.startswith("contracts.")
            assert PARAMS_BY_PATH[p.path] is p
    assert ledger_columns() is LEDGER_COLUMNS


@pytest.mark.parametrize("care_model", ["cocm", "pcbh"])
def test_builtin_results_are_filled_only_by_their_care_model(care_model: str) -> None:
    results = CARE_MODEL_CLASSES[care_model].define_results()
    assert results
    assert set(results) <= set(MONTHLY_COLUMNS)
    sc = default_scenario().with_overrides({**SMALL, "staffing.bhc_fte": 0.3})
    own = simulate(sc.with_overrides({"care_model": care_model}), seed=3).monthly
    usual = simulate(sc.with_overrides({"care_model": "usual_care"}), seed=3).monthly
    assert own[list(results)].to_numpy().sum() > 0
    assert usual[list(results)].to_numpy().sum() == 0


# --------------------------------------------------------------------------- registry rules


def test_registering_twice_or_a_declared_path_raises(self_help: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="already registered"):
        comp.register(self_help["SelfHelp"])

    class Thief(comp.Component):
        name = "thief"
        kind = "contract"

        @classmethod
        def define_pars(cls) -> tuple[Param, ...]:
            return (Param("self_help.uptake", 0.5, "probability", "x", "assumption: test"),)

    with pytest.raises(ValueError, match=r"self_help.uptake.*already declared by care_model"):
        comp.register(Thief)

    class Clash(comp.Component):
        name = "clash"
        kind = "contract"

        @classmethod
        def define_pars(cls) -> tuple[Param, ...]:
            return (Param("simulation.months", 1, "months", "x", "assumption: test", kind="int"),)

    with pytest.raises(ValueError, match=r"simulation.months.*already declared \(built-in\)"):
        comp.register(Clash)
    assert "thief" not in comp.registered("contract")
    assert "clash" not in comp.registered("contract")


def test_bad_kind_or_name_raises() -> None:
    class NoKind(comp.Component):
        name = "x"

    class NoName(comp.Component):
        kind = "care_model"

    with pytest.raises(ValueError, match="kind ''"):
        comp.register(NoKind)
    with pytest.raises(ValueError, match="non-empty identifier"):
        comp.register(NoName)
    with pytest.raises(KeyError, match="registered: "):
        comp.get("care_model", "nonesuch")
    with pytest.raises(KeyError):
        comp.unregister("care_model", "nonesuch")


# --------------------------------------------------------------------------- toy care model


def test_toy_care_model_joins_the_declaration(self_help: dict[str, Any]) -> None:
    assert PARAMS_BY_PATH["care_model"].choices == (*CARE_MODELS, "self_help")
    assert CARE_MODEL_CLASSES["self_help"] is self_help["SelfHelp"]
    assert PARAMS_BY_PATH["self_help.uptake"].default == 0.3
    assert defaults()["self_help"] == {"uptake": 0.3}
    assert comp.extended()
    sc = build_scenario({"care_model": "self_help", "self_help": {"uptake": 0.5}})
    assert sc.values.self_help.uptake == 0.5
    assert sc.self_help.uptake == 0.5
    # its distribution is in the Monte Carlo specification of declared defaults
    spec = UncertaintySpec.from_mapping({}, defaults=True)
    assert "self_help.uptake" in [e.path for e in spec.entries]


def test_toy_care_model_keys_are_validated(self_help: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError, match=r"self_help.uptake: got 1.5; expected a number in"):
        build_scenario({"care_model": "self_help", "self_help": {"uptake": 1.5}})
    with pytest.raises(
        ScenarioError, match=r"self_help.bogus: unknown key; expected one of uptake"
    ):
        build_scenario({"self_help": {"bogus": 1}})
    with pytest.raises(ScenarioError, match=r"care_model: got 'self_hlp'; expected one of"):
        build_scenario({"care_model": "self_hlp"})


def test_toy_care_model_unknown_once_unregistered() -> None:
    with pytest.raises(ScenarioError, match="care_model: got 'self_help'"):
        build_scenario({"care_model": "self_help"})
    with pytest.raises(ScenarioError, match="self_help: unknown key"):
        build_scenario({"self_help": {"uptake": 0.5}})


def test_toy_care_model_runs_on_both_engines(self_help: dict[str, Any]) -> None:
    sc = default_scenario().with_overrides({**SMALL, "care_model": "self_help"})
    arrays = simulate(sc, seed=4, engine="arrays").monthly
    agents = simulate(sc, seed=4, engine="agents").monthly
    assert list(arrays.columns[: len(MONTHLY_COLUMNS) + 1]) == [
        *MONTHLY_COLUMNS,
        "self_help_started",
    ]
    assert arrays["self_help_started"].sum() > 0
    assert arrays.equals(agents)
    # no programme staff: no care-manager minutes, no BHC visits, no staffing cost
    assert arrays["cm_minutes"].sum() == 0
    assert arrays["bhc_visits"].sum() == 0
    assert arrays["cost_care_managers"].sum() == 0
    assert arrays["cost_bhcs"].sum() == 0
    # more uptake, more starts (same seed: the same draws against a higher bar)
    more = simulate(sc.with_overrides({"self_help.uptake": 0.9}), seed=4).monthly
    assert more["self_help_started"].sum() > arrays["self_help_started"].sum()
    assert (more["self_help_started"] >= arrays["self_help_started"]).all()


# --------------------------------------------------------------------------- toy contract


def test_toy_contract_pays_into_the_ledger(quality_bonus: dict[str, Any]) -> None:
    cls = quality_bonus["QualityBonus"]
    assert issubclass(cls, PaymentContract)
    assert list(contract_classes())[-1] == "quality_bonus"
    assert [f"contracts.{p}.quality_bonus_usd" for p in PAYERS] == [
        p.path for p in PARAMETERS if p.name == "quality_bonus_usd"
    ]
    assert "revenue_quality_bonus" in ledger_columns()
    sc = default_scenario().with_overrides({**SMALL, "care_model": "cocm"})
    base = simulate(sc, seed=6)
    paid = simulate(sc.with_overrides({"contracts.medicare.quality_bonus_usd": 20.0}), seed=6)
    m = paid.monthly
    share = m["members_medicare"] / sum(m[f"members_{p}"] for p in PAYERS)
    expected = (m["active_cocm"] * share * 20.0).to_numpy()
    assert expected.sum() > 0
    np.testing.assert_allclose(m["revenue_quality_bonus"].to_numpy(), expected)
    assert base.monthly["revenue_quality_bonus"].sum() == 0
    # the clinic is the same; the bonus adds to revenue, the Medicare line and the summary
    np.testing.assert_array_equal(m["active_cocm"], base.monthly["active_cocm"])
    np.testing.assert_allclose(
        m["revenue_total"] - base.monthly["revenue_total"], expected, atol=1e-6
    )
    np.testing.assert_allclose(
        m["revenue_medicare"] - base.monthly["revenue_medicare"], expected, atol=1e-6
    )
    by_line = paid.summary["revenue_by_line"]
    assert by_line["revenue_quality_bonus"] == pytest.approx(expected.sum())
    assert base.summary["revenue_by_line"]["revenue_quality_bonus"] == 0


def test_toy_contract_key_validated(quality_bonus: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError, match=r"contracts.dual.quality_bonus_usd: got -1"):
        build_scenario({"contracts": {"dual": {"quality_bonus_usd": -1}}})


def test_ledger_back_to_builtin_lines_after_unregister() -> None:
    assert ledger_columns() is LEDGER_COLUMNS
    assert "quality_bonus" not in contract_classes()


def test_operating_net_counts_capitation_and_case_rates_of_the_month() -> None:
    """The net_positive gate's monthly net: claims + PMPM + case rates - operating costs."""
    sc = default_scenario().with_overrides(
        {
            **SMALL,
            "care_model": "cocm",
            "contracts.medicare.pmpm_usd": 7.5,
            "contracts.commercial.case_rate": True,
            "contracts.commercial.case_rate_usd": 300.0,
        }
    )
    model = ClinicModel(sc.values, seed=2)
    model.run(12)
    seen = 0.0
    for month, row in enumerate(model.rows, start=1):
        bill = model.billing[month - 1]
        revenue = float(sum(bill.revenue_by_family.values()))
        for payer in PAYERS:
            terms = getattr(sc.values.contracts, payer)
            revenue += row[f"members_{payer}"] * row["pcp_live_share"] * terms.pmpm_usd
            revenue += bill.episodes_started_by_payer.get(payer, 0) * case_rate_usd(terms)
            seen += bill.episodes_started_by_payer.get(payer, 0) * case_rate_usd(terms)
        costs = operating_costs(sc.values, {k: np.array([v]) for k, v in row.items()})
        cost = float(sum(float(v[0]) for v in costs.values()))
        expected = revenue - cost if cost > 0 else float("-inf")
        assert model.operating_net(row, month) == expected
    assert seen > 0


# --------------------------------------------------------------------------- modules


MODULES = {"claims": ClaimsBook, "tcoc": TcocMeter, "workforce": Workforce, "cohort": Cohort}


def test_builtin_modules_are_registered_with_their_sections() -> None:
    assert comp.registered("module") == {n: MODULES[n] for n in comp.registered("module")}
    assert set(comp.registered("module")) == set(MODULES)
    sections = {
        "claims": lambda p: (
            p.section == "billing" or (p.path.startswith("payers.") and p.name != "tcoc_pmpm")
        ),
        "tcoc": lambda p: p.section == "tcoc" or p.path.endswith(".tcoc_pmpm"),
        "workforce": lambda p: p.section in ("workforce", "rollout"),
        "cohort": lambda p: p.section == "cohort",
    }
    for name, cls in MODULES.items():
        assert cls.kind == "module"
        assert cls.roles == ()
        owned = {p.path for p in cls.define_pars()}
        assert owned == {p.path for p in PARAMETERS if sections[name](p)}
        for path in owned:
            assert comp.owner(path) == f"module:{name}"
            assert PARAMS_BY_PATH[path] in cls.define_pars()  # selected, not redeclared
    assert comp.owner("payers.medicare.tcoc_pmpm") == "module:tcoc"
    assert comp.owner("payers.medicare.coinsurance") == "module:claims"
    assert not comp.extended()


def test_monthly_columns_are_the_core_then_the_modules_then_the_care_model(
    self_help: dict[str, Any],
) -> None:
    assert (TcocMeter, Workforce, Cohort) == MONTHLY_MODULES
    assert (
        *CORE_COLUMNS,
        *(f"members_{p}" for p in PAYERS),
        *(f"tcoc_{p}" for p in PAYERS),
        *WORKFORCE_COLUMNS,
        *COHORT_COLUMNS,
    ) == MONTHLY_COLUMNS
    assert len(set(MONTHLY_COLUMNS)) == len(MONTHLY_COLUMNS)
    assert monthly_columns() == MONTHLY_COLUMNS
    # the built-in care models fill columns of the table already; a new one adds its own
    for name in CARE_MODELS:
        assert monthly_columns(name) == MONTHLY_COLUMNS
    assert monthly_columns("self_help") == (*MONTHLY_COLUMNS, "self_help_started")
    # the claims book's columns are the ledger's first revenue lines
    lines = ClaimsBook.define_results()
    assert lines == tuple(f"revenue_{f}" for f in FAMILIES)
    assert LEDGER_COLUMNS[: len(lines)] == lines


@pytest.mark.parametrize("care_model", ["hybrid", "self_help"])
def test_each_component_writes_exactly_the_columns_it_declares(
    care_model: str, self_help: dict[str, Any]
) -> None:
    """A column written without being declared (or declared and not written) fails here."""
    sc = default_scenario().with_overrides(
        {**SMALL, "care_model": care_model, "staffing.bhc_fte": 0.3, "cohort.enabled": True}
    )
    model = ClinicModel(sc.values, seed=5)
    model.run(3)
    pop = model.pop
    assert list(model.tcoc.record(pop)) == list(TcocMeter.define_results())
    assert list(model.workforce.record(3)) == list(Workforce.define_results())
    assert list(model.cohort_study.record(pop)) == list(Cohort.define_results())
    assert len(model.cohort_members) > 0
    assert list(Cohort(default_scenario().values).record(pop)) == list(Cohort.define_results())
    own = model.care.record(3, MonthCounters())
    assert set(own) == set(model.care.define_results()) - set(MONTHLY_COLUMNS)
    for row in model.rows:
        assert set(row) == set(model.columns)
    assert model.columns == monthly_columns(care_model)
    assert list(model.monthly_frame().columns) == list(model.columns)
    billed = {f"revenue_{f}" for f in model.billing[-1].revenue_by_family}
    assert billed == set(ClaimsBook.define_results())


# --------------------------------------------------------------------------- narrow context


class _Only:
    """A view of ``target`` with only the attributes ``names`` (anything else: AttributeError)."""

    def __init__(self, target: Any, names: frozenset[str]) -> None:
        self._target = target
        self._names = names

    def __getattr__(self, name: str) -> Any:
        if name not in self._names:
            raise AttributeError(f"{name!r} is not part of the context")
        return getattr(self._target, name)


def _protocol_members(protocol: type) -> frozenset[str]:
    names: set[str] = set()
    for klass in protocol.__mro__:
        if klass is object or klass.__name__ in ("Protocol", "Generic"):
            continue
        names |= set(getattr(klass, "__annotations__", {}))
        names |= {n for n, v in vars(klass).items() if callable(v) and not n.startswith("_")}
    return frozenset(names)


def test_context_protocols_do_not_expose_the_claims_book_or_rows() -> None:
    narrow = _protocol_members(WorkforceContext)
    assert {"recorded_row", "operating_net", "pop", "priority"} <= narrow
    assert not {"claims", "rows", "billing", "care", "workforce"} & narrow
    assert not {"claims", "rows", "billing"} & _protocol_members(ClinicContext)


def test_workforce_runs_on_its_declared_context_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workforce reads nothing of the model beyond WorkforceContext: same run either way."""
    pmpm = {f"contracts.{p}.pmpm_usd": 300.0 for p in PAYERS}
    sc = default_scenario().with_overrides(
        {
            **SMALL,
            "care_model": "hybrid",
            "population.n_patients": 1000,
            "staffing.n_pcps": 2,
            "staffing.care_manager_fte": 2.0,
            "staffing.bhc_fte": 1.0,
            "simulation.months": 18,
            "rollout.strategy": "phased",
            "rollout.n_phases": 2,
            "rollout.phase_interval_months": 3,
            "rollout.gate": "net_positive",
            "rollout.gate_months": 1,
            "workforce.lpc_mft_hiring": True,
            "workforce.trainee_fte": 0.5,
            **pmpm,
        }
    )
    plain = ClinicModel(sc.values, seed=8)
    plain.run()
    names = _protocol_members(WorkforceContext)

    class Narrow(Workforce):
        def __init__(self, model: Any, phases: Any = None) -> None:
            super().__init__(_Only(model, names), phases)

    monkeypatch.setattr(model_module, "Workforce", Narrow)
    narrow = ClinicModel(sc.values, seed=8)
    narrow.run()
    assert isinstance(narrow.workforce, Narrow)
    pd.testing.assert_frame_equal(narrow.monthly_frame(), plain.monthly_frame())
    assert narrow.billing == plain.billing
    # the run exercised the gate (rows, operating net) and the staff mix's BHC billing share
    assert narrow.workforce.phases[1].go_live is not None
    assert narrow.claims.bhc_share == narrow.workforce.bhc_billing_share
    assert narrow.claims.bhc_share != ClaimsBook(sc.values).bhc_share


# --------------------------------------------------------------------------- worker processes


@contextlib.contextmanager
def _fresh_process_view(kind: str, name: str) -> Iterator[None]:
    """Unregister a component for the block, as a worker that never imported it would see."""
    cls = comp.get(kind, name)
    comp.unregister(kind, name)
    try:
        yield
    finally:
        if name not in comp.registered(kind):
            comp.register(cls)


def test_pickled_scenario_names_a_component_defined_where_workers_cannot_import_it(
    quality_bonus: dict[str, Any],
) -> None:
    sc = default_scenario().with_overrides({"contracts.medicare.quality_bonus_usd": 5.0})
    blob = pickle.dumps(sc)
    assert pickle.loads(blob) == sc  # the parent process has it
    missing = pytest.raises(ImportError, match=r"contract component 'quality_bonus'.*importable")
    with _fresh_process_view("contract", "quality_bonus"), missing:
        pickle.loads(blob)
    # without the component in the pickle (an old pickle), the scenario itself is refused
    values = sc.to_dict()
    unknown = pytest.raises(ScenarioError, match="quality_bonus_usd: unknown key")
    with _fresh_process_view("contract", "quality_bonus"), unknown:
        build_scenario(values)


@pytest.fixture
def importable_bonus(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Any]]:
    """The tutorial's toy contract imported as a module ``quality_bonus`` from its folder."""
    before = _snapshot()
    monkeypatch.syspath_prepend(str(EXAMPLES))
    module = importlib.import_module("quality_bonus")
    yield module.QualityBonus
    comp.unregister("contract", "quality_bonus")
    sys.modules.pop("quality_bonus", None)
    assert _snapshot() == before


def test_pickled_scenario_imports_the_component_in_a_fresh_process_view(
    importable_bonus: type[Any],
) -> None:
    sc = default_scenario().with_overrides({"contracts.medicare.quality_bonus_usd": 5.0})
    blob = pickle.dumps(sc)
    assert ("contract", "quality_bonus", "quality_bonus:QualityBonus") in comp.import_paths()
    comp.unregister("contract", "quality_bonus")
    sys.modules.pop("quality_bonus")
    again = pickle.loads(blob)  # imported again, so registered again (a new schema class)
    assert (again.name, again.to_dict()) == (sc.name, sc.to_dict())
    assert comp.get("contract", "quality_bonus") is not importable_bonus  # a fresh import


def test_dask_workers_import_a_component_registered_in_the_parent(
    importable_bonus: type[Any],
) -> None:
    """A LocalCluster's spawned workers never imported the toy contract: the scenario brings it."""
    base = default_scenario().with_overrides(
        {**SMALL, "care_model": "cocm", "simulation.months": 6}
    )
    paid = base.with_overrides({"contracts.medicare.quality_bonus_usd": 20.0})
    tasks = [Task(0, 0, 0, "paid", paid, 11), Task(1, 0, 0, "base", base, 11)]
    with make_executor("dask", dask_local=1) as ex:
        rows = [ex.submit(run_task, t).result() for t in tasks]
        registered_there = ex.submit(_registered_contracts).result()
    assert "quality_bonus" in registered_there
    serial = [run_task(t) for t in tasks]
    pd.testing.assert_frame_equal(pd.DataFrame(rows), pd.DataFrame(serial), check_exact=True)
    line = "revenue_by_line.revenue_quality_bonus"
    assert rows[0][line] > 0
    assert rows[1][line] == 0


def _registered_contracts() -> list[str]:
    return list(comp.registered("contract"))


# --------------------------------------------------------------------------- billing codes


def test_builtin_billing_codes_in_claim_line_order() -> None:
    codes = billing_codes()
    assert [c.code for c in codes] == [
        "G0568",
        "G0569",
        "99492",
        "99493",
        "99494",
        "G2214",
        "G0512",
        "G0470",
        "FQHC-MH",
        "90832",
        "90834",
        "90837",
        "96158",
        "96159",
        "99484",
        "G0323",
        "G0570",
    ]
    for cls in codes:
        assert issubclass(cls, BillingCode)
        assert cls.family in FAMILIES
        assert cls.service in SERVICES
        assert cls.define_pars() == ()
    # services in the kernels' order: the registry order within a service is the line order
    order = [SERVICES.index(c.service) for c in codes]
    assert order == sorted(order)


def test_billing_code_checks_family_service_and_amounts() -> None:
    with pytest.raises(ValueError, match="family 'dental'"):

        class Dental(BillingCode):
            family = "dental"

    with pytest.raises(ValueError, match="service 'cocm_week'"):

        class Weekly(BillingCode):
            family = "cocm"
            service = "cocm_week"

    class Late(BillingCode):
        name = "late"
        code = "X0001"
        family = "bhc_hbai"
        service = "hb_visit"
        amounts = ((2027, 10.0, None),)

    ctx = CodingContext(2026, "office", False, 30, "bhc")
    with pytest.raises(MissingRateError, match="declares no amount for 2026"):
        Late.rate(ctx, None)  # type: ignore[arg-type]
    later = CodingContext(2030, "office", False, 30, "bhc")
    assert Late.rate(later, None) == 10.0  # type: ignore[arg-type]  # held at the latest year
    with pytest.raises(MissingRateError, match="no facility amount"):
        Late.rate(CodingContext(2030, "facility", False, 30, "bhc"), None)  # type: ignore[arg-type]


def test_toy_billing_code_bills_into_its_family_line_and_unregisters() -> None:
    sc = default_scenario().with_overrides({**SMALL, "care_model": "cocm"})
    base = simulate(sc, seed=6)
    loader = _load("cocm_extended_time")
    namespace = next(loader)
    try:
        cls = namespace["CocmExtendedTime"]
        assert billing_codes()[-1] is cls
        assert comp.get("billing_code", "cocm_extended_time") is cls
        plan = year_plan(2026, "office", False, 1.0, 0.75, 30, 150.0)
        assert plan.codes[:5] == ("99492", "99493", "99494", "G2214", "X0494")
        billed = simulate(sc, seed=6)
        agents = simulate(sc, seed=6, engine="agents")
    finally:
        next(loader, None)  # unregisters the code and checks the declaration is restored
    after = simulate(sc, seed=6)
    assert "cocm_extended_time" not in comp.registered("billing_code")

    claims = billed.claims
    lines = claims[claims["code"] == "X0494"]
    assert len(lines) > 0
    assert (lines["family"] == "cocm").all()
    # 2026 non-facility amount x the PCP's share x the payer's CoCM relativity
    share = practitioner_share(sc.values.billing.pcp_credential)
    relativity = (
        lines["payer"].map(lambda p: getattr(sc.values.payers, p).relativity_cocm).astype(float)
    )
    np.testing.assert_allclose(
        lines["allowed"], 47.50 * share * lines["units"] * relativity, rtol=1e-12
    )
    # the other claim lines are those of the run without the code
    others = claims[claims["code"] != "X0494"].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, base.claims.reset_index(drop=True))
    # its revenue lands on revenue_cocm, month by month, and nowhere else
    revenue = (lines["paid"] + lines["collected"]).groupby(lines["month"]).sum()
    gain = (billed.monthly["revenue_cocm"] - base.monthly["revenue_cocm"]).to_numpy()
    expected = np.zeros(len(gain))
    expected[revenue.index.to_numpy() - 1] = revenue.to_numpy()
    assert expected.sum() > 0
    np.testing.assert_allclose(gain, expected, atol=1e-6)
    for family in FAMILIES:
        if family != "cocm":
            col = f"revenue_{family}"
            np.testing.assert_array_equal(billed.monthly[col], base.monthly[col])
    np.testing.assert_array_equal(billed.monthly["active_cocm"], base.monthly["active_cocm"])
    np.testing.assert_array_equal(agents.monthly["revenue_cocm"], billed.monthly["revenue_cocm"])
    # unregistered, the run is back to the built-in codes exactly
    pd.testing.assert_frame_equal(after.monthly, base.monthly)
    pd.testing.assert_frame_equal(after.claims, base.claims)
