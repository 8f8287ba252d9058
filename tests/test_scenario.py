"""Scenario files: defaults, ``extends`` chains, ``--set`` overrides, validation messages, hash."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from intsim.params import PARAMETERS, defaults
from intsim.params.scenario import (
    ScenarioError,
    build_scenario,
    default_scenario,
    load_scenario,
    parse_overrides,
    plain_values,
)

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs"
DEFAULT_YAML = CONFIGS / "default.yaml"
SHIPPED = sorted(CONFIGS.glob("*.yaml"))

#: Overrides that make a model run take a fraction of a second.
SMALL = ["--set", "population.n_patients=500", "--set", "staffing.n_pcps=1", "--months", "3"]

#: Bad scenario files (written as ``bad.yaml``) and fragments their error message must contain:
#: the full dotted key path, the offending value and what was expected.
BAD_FILES = [
    pytest.param(
        "colour: blue\n",
        ["colour", "unknown key", "care_model", "staffing", "at the top level"],
        id="unknown-top-level-key",
    ),
    pytest.param(
        "cocm:\n  caseload: 3\n",
        ["cocm.caseload", "unknown key", "caseload_per_fte", "consent_probability", "'cocm'"],
        id="unknown-nested-key",
    ),
    pytest.param(
        "population:\n  payer_mix:\n    medicare: 0.22\n    veterans: 0.1\n",
        ["population.payer_mix.veterans", "unknown key", "medicaid", "uninsured"],
        id="unknown-deep-key",
    ),
    pytest.param(
        "cocm:\n  consent_probability: high\n",
        ["cocm.consent_probability", "'high'", "a number in [0, 1]"],
        id="string-for-number",
    ),
    pytest.param(
        "cocm:\n  caseload_per_fte: 80.5\n",
        ["cocm.caseload_per_fte", "80.5", "an integer in [1, 1000]"],
        id="float-for-int",
    ),
    pytest.param(
        "cocm:\n  caseload_per_fte: '80'\n",
        ["cocm.caseload_per_fte", "'80'", "an integer"],
        id="quoted-string-for-int",
    ),
    pytest.param(
        "staffing:\n  care_manager_fte: true\n",
        ["staffing.care_manager_fte", "True", "a number in [0, 10000]"],
        id="bool-for-number",
    ),
    pytest.param(
        "cocm:\n  consent_probability: 1.5\n",
        ["cocm.consent_probability", "1.5", "[0, 1]"],
        id="probability-above-1",
    ),
    pytest.param(
        "detection:\n  pcp_sensitivity: -0.1\n",
        ["detection.pcp_sensitivity", "-0.1", "[0, 1]"],
        id="probability-below-0",
    ),
    pytest.param(
        "staffing:\n  care_manager_fte: -1\n",
        ["staffing.care_manager_fte", "got -1", "a number in [0, 10000]"],
        id="negative-fte",
    ),
    pytest.param(
        "staffing:\n  pcp_visits_per_day: 0\n",
        ["staffing.pcp_visits_per_day", "got 0", "an integer in [1, 60]"],
        id="zero-pcp-capacity",
    ),
    pytest.param(
        "cocm:\n  caseload_per_fte: 0\n",
        ["cocm.caseload_per_fte", "got 0", "an integer in [1, 1000]"],
        id="zero-caseload",
    ),
    pytest.param(
        "staffing:\n  cm_patient_time_share: 0\n",
        ["staffing.cm_patient_time_share", "got 0", "a number in (0, 1]"],
        id="zero-for-strictly-positive",
    ),
    pytest.param(
        "staffing:\n  care_manager_fte: .inf\n",
        ["staffing.care_manager_fte", "inf"],
        id="infinite-fte",
    ),
    pytest.param(
        "cocm:\n  consent_probability: .nan\n",
        ["cocm.consent_probability", "nan"],
        id="nan-probability",
    ),
    pytest.param(
        "cocm:\n  caseload_per_fte:\n",
        ["cocm.caseload_per_fte", "got None", "an integer"],
        id="missing-value",
    ),
    pytest.param(
        "care_model: magic\n",
        ["care_model", "'magic'", "one of 'usual_care', 'cocm', 'pcbh', 'hybrid'"],
        id="unknown-care-model",
    ),
    pytest.param(
        "simulation:\n  engine: gpu\n",
        ["simulation.engine", "'gpu'", "'arrays'", "'agents'"],
        id="unknown-engine",
    ),
    pytest.param(
        "population:\n  payer_mix:\n    medicare: 0.5\n",
        ["population.payer_mix", "sum to 1.28", "expected them to sum to 1"],
        id="payer-mix-not-summing-to-1",
    ),
    pytest.param(
        "grants:\n  phase: 2\nrollout:\n  strategy: pilot_then_scale\n  pilot_pcps: 10\n",
        ["grants.phase", "got 2", "'pilot_then_scale' has 1"],
        id="grant-phase-beyond-the-rollout-plan",
    ),
    pytest.param(
        "rollout:\n  strategy: big_bang\n",
        ["rollout.strategy", "'big_bang'", "'all_at_once'", "'pilot_then_scale'"],
        id="unknown-rollout-strategy",
    ),
    pytest.param(
        "workforce:\n  shortage_severity: extreme\n",
        ["workforce.shortage_severity", "'extreme'", "'none'", "'severe'"],
        id="unknown-shortage-severity",
    ),
    pytest.param(
        "workforce:\n  bh_turnover_annual: 1.5\n",
        ["workforce.bh_turnover_annual", "1.5", "[0, 1]"],
        id="turnover-above-1",
    ),
    pytest.param(
        "population:\n  threshold_prevalence: 0.6\n  subthreshold_prevalence: 0.5\n"
        "  remitted_prevalence: 0.0\n",
        ["population.threshold_prevalence", "population.subthreshold_prevalence", "1.1"],
        id="prevalences-above-1",
    ),
    pytest.param(
        "contracts:\n  medicare:\n    case_rate_usd: 300\n",
        ["contracts.medicare.case_rate_usd", "300", "contracts.medicare.case_rate is false"],
        id="case-rate-amount-without-case-rate",
    ),
    pytest.param(
        "population:\n  threshold_prevalence: 0.5\n  subthreshold_prevalence: 0.4\n"
        "  remitted_prevalence: 0.2\n",
        ["population.remitted_prevalence", "sum is 1.1", "expected <= 1"],
        id="prevalences-with-remitted-above-1",
    ),
    pytest.param(
        "population:\n  severe_share: 0.7\n  moderately_severe_share: 0.4\n",
        ["population.severe_share", "population.moderately_severe_share", "1.1"],
        id="severity-shares-above-1",
    ),
    pytest.param(
        "staffing: 3\n",
        ["staffing", "got 3", "expected a section"],
        id="scalar-for-section",
    ),
    pytest.param(
        "cocm:\n",
        ["cocm", "got None", "expected a section"],
        id="empty-section",
    ),
    pytest.param(
        "care_model:\n  kind: cocm\n",
        ["care_model", "got a section", "one of 'usual_care'"],
        id="section-for-scalar",
    ),
    pytest.param(
        "cocm:\n  caseload_per_fte:\n    max: 80\n",
        ["cocm.caseload_per_fte", "got a section", "an integer in [1, 1000]"],
        id="section-for-nested-scalar",
    ),
    pytest.param(
        "care_model: cocm\ncocm:\n  caseload_per_fte: 80\n  offer_probability: 0.5: 0.7\n",
        ["bad.yaml", "YAML syntax error", "line 4"],
        id="yaml-syntax-error",
    ),
    pytest.param(
        "staffing:\n  bhc_fte: 1.0\ncare_model: cocm\nstaffing:\n  care_manager_fte: 3.0\n",
        ["bad.yaml", "line 4", "duplicate key 'staffing'"],
        id="yaml-duplicate-key",
    ),
    pytest.param("", ["bad.yaml", "empty", "mapping"], id="empty-file"),
    pytest.param("# only a comment\n", ["bad.yaml", "empty"], id="comment-only-file"),
    pytest.param(
        "- care_model: cocm\n- care_model: pcbh\n",
        ["bad.yaml", "top level is a list", "expected a mapping"],
        id="top-level-list",
    ),
    pytest.param("cocm\n", ["bad.yaml", "top level is a string"], id="top-level-scalar"),
    pytest.param(
        "name: [a, b]\n", ["name", "['a', 'b']", "expected a short label"], id="name-list"
    ),
    pytest.param(
        "name: ../../etc\n", ["name", "'../../etc'", "path separators"], id="name-with-path"
    ),
    pytest.param("extends:\n", ["bad.yaml", "extends", "got None"], id="extends-null"),
    pytest.param(
        "extends: [default.yaml]\n",
        ["bad.yaml", "extends", "expected a file path"],
        id="extends-list",
    ),
    pytest.param(
        "extends: no_such_parent.yaml\n",
        ["bad.yaml", "extends", "not found", "no_such_parent.yaml"],
        id="extends-missing-target",
    ),
    pytest.param("extends: .\n", ["bad.yaml", "extends", "is a directory"], id="extends-directory"),
    pytest.param(
        "extends: bad.yaml\n", ["extends", "cycle", "bad.yaml -> "], id="extends-self-cycle"
    ),
]


def load_text(tmp_path: Path, text: str, overrides=None):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path, overrides)


# --------------------------------------------------------------------------- defaults


def test_omitted_keys_take_declared_defaults(write_yaml) -> None:
    sc = load_scenario(write_yaml("trial.yaml", "care_model: cocm\n"))
    expected = defaults()
    expected["care_model"] = "cocm"
    assert sc.to_dict() == expected
    assert sc.name == "trial"  # the file's stem
    assert sc.description == ""
    for p in PARAMETERS:
        if p.path != "care_model":
            assert sc.get(p.path) == p.default, p.path


def test_default_scenario_is_the_declared_defaults() -> None:
    sc = default_scenario()
    assert sc.name == "defaults"
    assert sc.to_dict() == defaults()


def test_name_and_description_come_from_the_file(write_yaml) -> None:
    sc = load_scenario(write_yaml("x.yaml", "name: pilot\ndescription: A pilot.\n"))
    assert (sc.name, sc.description) == ("pilot", "A pilot.")


def test_float_parameter_accepts_a_whole_number(write_yaml) -> None:
    sc = load_scenario(write_yaml("x.yaml", "staffing:\n  care_manager_fte: 3\n"))
    value = sc.values.staffing.care_manager_fte
    assert value == 3.0
    assert isinstance(value, float)


def test_section_attribute_access() -> None:
    sc = default_scenario()
    assert sc.cocm.caseload_per_fte == sc.values.cocm.caseload_per_fte == 150
    with pytest.raises(AttributeError):
        _ = sc.no_such_section


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_configs_validate(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.name == path.stem
    if path.stem in ("usual_care", "cocm", "pcbh", "hybrid"):
        # the four care-model configs compare strategies on the default organisation
        assert sc.values.population.n_patients == load_scenario(DEFAULT_YAML).population.n_patients


# --------------------------------------------------------------------------- extends


def test_extends_chain_child_wins_and_sections_merge(write_yaml, tmp_path, monkeypatch) -> None:
    write_yaml(
        "base/grand.yaml",
        "name: grand\ndescription: grandparent\ncare_model: pcbh\n"
        "staffing:\n  bhc_fte: 1.0\n  care_manager_fte: 1.0\n"
        "cocm:\n  caseload_per_fte: 60\n",
    )
    write_yaml(
        "mid/parent.yaml",
        "name: parent\nextends: ../base/grand.yaml\ncare_model: cocm\n"
        "staffing:\n  care_manager_fte: 2.0\n",
    )
    child = write_yaml(
        "leaf/deeper/child.yaml",
        "extends: ../../mid/parent.yaml\nstaffing:\n  care_manager_fte: 3.5\n",
    )
    # Relative `extends` paths are resolved from each file's own folder, not the cwd.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    sc = load_scenario(child)
    assert sc.values.care_model == "cocm"  # parent overrides grandparent
    assert sc.values.staffing.care_manager_fte == 3.5  # child overrides parent
    assert sc.values.staffing.bhc_fte == 1.0  # sibling key inherited from grandparent
    assert sc.values.cocm.caseload_per_fte == 60  # untouched section inherited
    assert sc.values.cocm.consent_probability == 0.70  # never set: declared default
    # Meta keys are not inherited: the child is named after its own file.
    assert sc.name == "child"
    assert sc.description == ""


def test_extends_absolute_path(write_yaml) -> None:
    sc = load_scenario(write_yaml("x.yaml", f"extends: {CONFIGS / 'cocm.yaml'}\n"))
    assert sc.values.care_model == "cocm"
    assert sc.values.staffing.care_manager_fte == 3.0


def test_shipped_config_inherits_default_yaml() -> None:
    sc = load_scenario(CONFIGS / "usual_care.yaml")
    assert sc.values.care_model == "usual_care"
    assert sc.values.staffing.bhc_fte == 0.0
    assert sc.values.staffing.n_pcps == 10


def test_extends_cycle_is_an_error(write_yaml) -> None:
    a = write_yaml("a.yaml", "extends: b.yaml\ncare_model: cocm\n")
    write_yaml("b.yaml", "extends: sub/c.yaml\n")
    write_yaml("sub/c.yaml", "extends: ../a.yaml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(a)
    msg = str(info.value)
    assert "extends" in msg
    assert "cycle" in msg
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        assert name in msg


def test_missing_extends_target_is_named(write_yaml) -> None:
    child = write_yaml("child.yaml", "extends: parents/missing.yaml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    msg = str(info.value)
    assert "child.yaml" in msg
    assert "extends" in msg
    assert str(child.parent / "parents" / "missing.yaml") in msg


def test_error_in_parent_file_names_the_parent(write_yaml) -> None:
    write_yaml("parent.yaml", "cocm:\n  caseload_per_fte: [\n")
    child = write_yaml("child.yaml", "extends: parent.yaml\n")
    with pytest.raises(ScenarioError, match=r"parent\.yaml: YAML syntax error at line \d+"):
        load_scenario(child)


def test_extends_is_not_an_override() -> None:
    with pytest.raises(ScenarioError, match="extends"):
        parse_overrides(["extends=default.yaml"])
    with pytest.raises(ScenarioError, match="extends: only allowed in scenario files"):
        build_scenario({"extends": "default.yaml"})


# --------------------------------------------------------------------------- overrides


def test_override_beats_file_and_parent(write_yaml) -> None:
    write_yaml("parent.yaml", "cocm:\n  caseload_per_fte: 60\n  consent_probability: 0.6\n")
    child = write_yaml("child.yaml", "extends: parent.yaml\ncocm:\n  caseload_per_fte: 70\n")
    sc = load_scenario(
        child, ["cocm.caseload_per_fte=90", "cocm.consent_probability=0.9", "name=over"]
    )
    assert sc.values.cocm.caseload_per_fte == 90
    assert sc.values.cocm.consent_probability == 0.9
    assert sc.name == "over"
    # Mapping overrides behave the same.
    sc2 = load_scenario(child, {"cocm.caseload_per_fte": 90, "cocm.consent_probability": 0.9})
    assert sc2.scenario_hash() == sc.scenario_hash()


def test_override_values_are_parsed_as_yaml() -> None:
    parsed = parse_overrides(
        [
            "cocm.consent_probability=0.5",
            "hybrid.chronic_to_cocm=true",
            "care_model=cocm",
            "population.n_patients=500",
            "description=two words",
            " staffing.bhc_fte = 1.5",
        ]
    )
    assert parsed == {
        "cocm.consent_probability": 0.5,
        "hybrid.chronic_to_cocm": True,
        "care_model": "cocm",
        "population.n_patients": 500,
        "description": "two words",
        "staffing.bhc_fte": 1.5,
    }
    assert type(parsed["population.n_patients"]) is int
    assert type(parsed["hybrid.chronic_to_cocm"]) is bool


def test_typed_overrides_validate(write_yaml) -> None:
    base = write_yaml("x.yaml", "care_model: pcbh\nhybrid:\n  chronic_to_cocm: true\n")
    sc = load_scenario(
        base, ["cocm.consent_probability=0.5", "hybrid.chronic_to_cocm=false", "care_model=cocm"]
    )
    assert sc.values.cocm.consent_probability == 0.5
    assert sc.values.hybrid.chronic_to_cocm is False
    assert sc.values.care_model == "cocm"


def test_override_value_with_equals_sign_keeps_the_rest() -> None:
    assert parse_overrides(["description=a=b"]) == {"description": "a=b"}


@pytest.mark.parametrize(
    ("item", "fragments"),
    [
        pytest.param("nokey", ["'nokey'", "KEY.PATH=VALUE"], id="no-equals"),
        pytest.param("bogus.key=1", ["bogus.key", "unknown key", "care_model"], id="unknown"),
        pytest.param(
            "cocm.caseload=1", ["cocm.caseload", "unknown key", "caseload_per_fte"], id="nested"
        ),
        pytest.param("cocm=3", ["cocm", "is a section", "caseload_per_fte"], id="section"),
    ],
)
def test_bad_override_items(item: str, fragments: list[str]) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_overrides([item])
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("item", "fragments"),
    [
        pytest.param(
            "cocm.caseload_per_fte=abc", ["cocm.caseload_per_fte", "'abc'", "an integer"], id="str"
        ),
        pytest.param(
            "cocm.consent_probability=2", ["cocm.consent_probability", "got 2", "[0, 1]"], id="hi"
        ),
        pytest.param("care_model=magic", ["care_model", "'magic'", "'hybrid'"], id="choice"),
        pytest.param(
            "hybrid.chronic_to_cocm=maybe",
            ["hybrid.chronic_to_cocm", "'maybe'", "true or false"],
            id="bool",
        ),
        pytest.param("simulation.seed=0", ["simulation.seed", "got 0", ">= 1"], id="seed"),
    ],
)
def test_bad_override_values(tmp_path, item: str, fragments: list[str]) -> None:
    with pytest.raises(ScenarioError) as info:
        load_text(tmp_path, "care_model: cocm\n", [item])
    msg = str(info.value)
    for fragment in fragments:
        if fragment == ">= 1":
            assert re.search(r"an integer in \[1, \d+\]", msg), msg
        else:
            assert fragment in msg, msg


def test_override_into_a_scalar_where_a_section_is_expected(tmp_path) -> None:
    with pytest.raises(ScenarioError, match=r"cocm: is a value, not a section"):
        load_text(tmp_path, "cocm: 3\n", ["cocm.caseload_per_fte=70"])


def test_with_overrides_validates_and_changes_hash() -> None:
    base = default_scenario()
    changed = base.with_overrides({"cocm.caseload_per_fte": 70})
    assert changed.values.cocm.caseload_per_fte == 70
    assert changed.name == base.name
    assert changed.scenario_hash() != base.scenario_hash()
    with pytest.raises(ScenarioError, match=r"cocm\.caseload_per_fte: got -5"):
        base.with_overrides({"cocm.caseload_per_fte": -5})


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("text", "fragments"), BAD_FILES)
def test_bad_scenario_file_message(tmp_path, text: str, fragments: list[str]) -> None:
    with pytest.raises(ScenarioError) as info:
        load_text(tmp_path, text)
    msg = str(info.value)
    assert msg.strip(), "empty error message"
    for fragment in fragments:
        assert fragment in msg, f"{fragment!r} not in {msg!r}"


def test_every_problem_is_reported_on_its_own_line(tmp_path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_text(
            tmp_path,
            "cocm:\n  caseload_per_fte: 0\n  consent_probability: 2\nstaffing:\n  bhc_fte: -1\n",
        )
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert any(line.startswith("cocm.caseload_per_fte: got 0") for line in lines)
    assert any(line.startswith("cocm.consent_probability: got 2") for line in lines)
    assert any(line.startswith("staffing.bhc_fte: got -1") for line in lines)


def test_missing_file(tmp_path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert str(missing) in str(info.value)
    assert "not found" in str(info.value)


def test_directory_instead_of_file(tmp_path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert str(tmp_path) in str(info.value)
    assert "is a directory" in str(info.value)


def test_undecodable_file(tmp_path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01care_model")
    with pytest.raises(ScenarioError, match=r"binary\.yaml: cannot be read"):
        load_scenario(path)


def test_yaml_merge_keys_may_be_overridden(write_yaml) -> None:
    # A key given next to a ``<<`` merge overrides the merged one; that is not a duplicate key.
    text = "staffing:\n  <<: {bhc_fte: 1.0, n_pcps: 3}\n  n_pcps: 2\n"
    sc = load_scenario(write_yaml("m.yaml", text))
    assert sc.values.staffing.bhc_fte == 1.0
    assert sc.values.staffing.n_pcps == 2


# --------------------------------------------------------------------------- hash


def test_hash_identical_for_identical_resolved_values(write_yaml) -> None:
    explicit = write_yaml("explicit.yaml", "name: one\ncocm:\n  caseload_per_fte: 150\n")
    implicit = write_yaml("implicit.yaml", "name: two\ndescription: other words\n")
    as_int = write_yaml("as_int.yaml", "staffing:\n  care_manager_fte: 2\n")
    h = load_scenario(explicit).scenario_hash()
    assert re.fullmatch(r"[0-9a-f]{64}", h)
    assert load_scenario(implicit).scenario_hash() == h  # name/description do not count
    assert load_scenario(as_int).scenario_hash() == h  # 2 and 2.0 are the same value
    assert default_scenario().scenario_hash() == h
    assert load_scenario(explicit).scenario_hash() == h  # stable across loads


def test_hash_changes_when_a_value_changes(write_yaml) -> None:
    path = write_yaml("x.yaml", "care_model: cocm\n")
    base = load_scenario(path).scenario_hash()
    hashes = {
        base,
        load_scenario(path, ["cocm.caseload_per_fte=81"]).scenario_hash(),
        load_scenario(path, ["care_model=pcbh"]).scenario_hash(),
        load_scenario(path, ["hybrid.chronic_to_cocm=false"]).scenario_hash(),
        load_scenario(path, ["cocm.consent_probability=0.7000001"]).scenario_hash(),
    }
    assert len(hashes) == 5


def test_plain_values_are_a_frozen_copy_with_every_parameter() -> None:
    values = default_scenario().with_overrides({"cocm.minutes_intake": 77.0}).values
    plain = plain_values(values)
    for p in PARAMETERS:
        node_v, node_p = values, plain
        for key in p.path.split("."):
            node_v, node_p = getattr(node_v, key), getattr(node_p, key)
        assert node_p == node_v, p.path
    assert plain.cocm.minutes_intake == 77.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.cocm.minutes_intake = 1.0  # type: ignore[misc]
    assert plain_values(plain) is plain  # already plain
