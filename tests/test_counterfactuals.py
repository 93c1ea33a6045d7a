"""Bundled scenarios and counterfactuals: each loads and runs; each counterfactual changes what it
says it changes and nothing else; ``extends`` merges, resolves and fails as documented.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from model import NegotiationModel, ScenarioError, list_scenarios, load_scenario
from model.loading import EXTENDS, merge_documents, parse_scenario
from negotiate.cli import main

SCENARIOS = Path(str(resources.files("model") / "scenarios"))
BASELINE = SCENARIOS / "june2025.toml"
NEGOTIATE = str(Path(sys.executable).with_name("negotiate"))
NAMES = [name for name, _ in list_scenarios()]
DESCRIPTIVE = {"name", "title", "description"}

# Arrays a counterfactual replaces whole: (items not in the base, base items dropped). Restated
# items must equal the base's, so a change to the baseline shows up here until it is restated.
ARRAY_CHANGES = {
    ("no_pause", "calendar.rounds"): (0, 5),
    ("election_squeeze", "sides.japan.win_set"): (2, 2),
    ("yen_shock", "events"): (1, 0),
    ("china_detente", "events"): (1, 1),
}


def raw(name: str) -> dict[str, Any]:
    return tomllib.loads((SCENARIOS / f"{name}.toml").read_text(encoding="utf-8"))


COUNTERFACTUALS = [name for name in NAMES if EXTENDS in raw(name)]


def flat(node: Any, path: str = "") -> dict[str, Any]:
    """Leaves by dotted path: tables by field, keyed arrays by key, other arrays whole."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for k, v in node.items():
            out |= flat(v, f"{path}.{k}" if path else k)
        return out
    if isinstance(node, list) and node and all(isinstance(v, dict) and "key" in v for v in node):
        out = {}
        for item in node:
            out |= flat({k: v for k, v in item.items() if k != "key"}, f"{path}.{item['key']}")
        return out
    return {path: node}


def claimed(name: str) -> dict[str, Any]:
    """What a counterfactual file sets: its leaves, without ``extends`` and its own naming."""
    doc = {k: v for k, v in raw(name).items() if k != EXTENDS and k not in DESCRIPTIVE}
    return flat(doc)


def dumped(name: str) -> dict[str, Any]:
    return flat(load_scenario(name).model_dump())


# --- every bundled scenario -------------------------------------------------------------------


def test_the_seven_counterfactuals_are_bundled() -> None:
    assert set(COUNTERFACTUALS) == {
        "one_voice",
        "hawkish_cabinet",
        "no_pause",
        "election_squeeze",
        "yen_shock",
        "china_detente",
        "defense_linkage",
    }


@pytest.mark.parametrize("name", NAMES)
def test_every_bundled_scenario_loads_and_completes_a_run(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name  # the file's stem is the name it is listed and loaded by
    model = NegotiationModel(name, rng=0)
    for _ in range(2_000):
        if not model.running:
            break
        model.step()
    assert not model.running
    assert model.outcome is not None
    assert model.outcome.status in ("deal", "breakdown")
    model.remove_all_agents()


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_a_counterfactual_has_a_one_line_description_and_its_own_title(name: str) -> None:
    s, base = load_scenario(name), load_scenario(raw(name)[EXTENDS])
    assert s.description and "\n" not in s.description
    assert s.title != base.title and s.description != base.description


# --- counterfactuals change what they claim, and only that ------------------------------------


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_a_counterfactual_differs_from_its_base_in_every_field_it_sets(name: str) -> None:
    claims = claimed(name)
    assert claims, f"{name} changes nothing"
    cf, base = dumped(name), dumped(raw(name)[EXTENDS])
    for path, value in claims.items():
        assert path in cf, f"{name}: {path} is not a field of the merged scenario"
        assert cf[path] != base.get(path), f"{name}: {path} is set to the base's own value"
        if not isinstance(value, list):
            assert cf[path] == value, f"{name}: {path} is {cf[path]!r}, the file says {value!r}"


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_a_counterfactual_changes_nothing_it_does_not_set(name: str) -> None:
    claims = claimed(name)
    cf, base = dumped(name), dumped(raw(name)[EXTENDS])
    changed = {p for p in cf.keys() | base.keys() if cf.get(p) != base.get(p)} - DESCRIPTIVE
    assert changed == set(claims), f"{name}: unclaimed {sorted(changed - set(claims))}"


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_a_replaced_array_restates_the_base_items_it_keeps(name: str) -> None:
    cf, base = dumped(name), dumped(raw(name)[EXTENDS])
    arrays = [p for p, v in claimed(name).items() if isinstance(v, list) and v and p in base]
    for path in arrays:
        assert (name, path) in ARRAY_CHANGES, f"{name}: {path} replaced; declare it in the test"
        new = [item for item in cf[path] if item not in base[path]]
        dropped = [item for item in base[path] if item not in cf[path]]
        assert (len(new), len(dropped)) == ARRAY_CHANGES[(name, path)], (name, path, new)
    assert {p for n, p in ARRAY_CHANGES if n == name} == set(arrays)


SOURCE = re.compile(r"seed|assumption|report", re.IGNORECASE)


@pytest.mark.parametrize("name", COUNTERFACTUALS)
def test_every_number_in_a_counterfactual_carries_its_source(name: str) -> None:
    missing = []
    for n, line in enumerate((SCENARIOS / f"{name}.toml").read_text().splitlines(), 1):
        code, _, comment = line.partition("#")
        value = code.partition("=")[2]
        value = re.sub(r'"[^"]*"', "", value)  # text in quotes is no number
        value = re.sub(r"\d{4}-\d\d-\d\d", "", value)  # dates are sourced on their labels
        if re.search(r"\d", value) and not SOURCE.search(comment):
            missing.append(f"line {n}: {line.strip()}")
    assert not missing, f"{name}.toml: numbers without a source: {missing}"


# --- extends ----------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


CHILD = """
extends = "june2025"
name = "child"
title = "A child"

[sides.us]
cohesion = 0.9

[[parties]]
key = "greer"
clout = 0.3
[parties.strategy]
params = { exponent = 5.0 }

[[events]]
date = 2025-06-20
kind = "other"
label = "the only event"
"""


def test_extends_merges_tables_and_keyed_arrays_and_replaces_other_arrays(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path / "child.toml", CHILD))
    base = load_scenario("june2025")
    assert s.name == "child" and s.description == base.description
    assert s.sides["us"].cohesion == 0.9 and s.sides["us"].rule == base.sides["us"].rule
    greer = s.party("greer")
    assert greer.clout == 0.3 and greer.strategy.kind == "time_dependent"
    assert greer.strategy.params == {"exponent": 5.0, "reciprocity": 0.2}  # merged, not replaced
    assert greer.priorities == base.party("greer").priorities
    assert s.party_keys == base.party_keys
    for key in ("bessent", "lutnick", "akazawa"):
        assert s.party(key) == base.party(key)
    assert [e.label for e in s.events] == ["the only event"]  # an array replaces the base's
    assert s.calendar == base.calendar and s.issues == base.issues


def test_merge_documents_appends_new_keys_and_leaves_its_inputs_alone() -> None:
    base = {"parties": [{"key": "a", "x": 1, "t": {"u": 1, "v": 2}}], "rounds": [{"d": 1}]}
    changes = {"parties": [{"key": "b", "x": 3}, {"key": "a", "t": {"v": 5}}], "rounds": []}
    before = copy.deepcopy((base, changes))
    merged = merge_documents(base, changes)
    assert merged == {
        "parties": [{"key": "a", "x": 1, "t": {"u": 1, "v": 5}}, {"key": "b", "x": 3}],
        "rounds": [],
    }
    assert (base, changes) == before
    merged["parties"][0]["t"]["u"] = 99
    assert base["parties"][0]["t"]["u"] == 1  # no structure is shared


def test_a_relative_base_is_found_beside_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "cases" / "base.toml", BASELINE.read_text())
    child = write(
        tmp_path / "cases" / "child.toml",
        'extends = "base.toml"\nname = "child"\ntitle = "t"\n[sides.us]\ncohesion = 0.7\n',
    )
    monkeypatch.chdir(tmp_path)  # not the file's folder
    assert load_scenario(str(child)).sides["us"].cohesion == 0.7


def test_a_chain_of_bases_merges_in_order(tmp_path: Path) -> None:
    write(
        tmp_path / "a.toml",
        'extends = "june2025"\nname = "a"\ntitle = "a"\n[sides.us]\n'
        "cohesion = 0.7\nthreshold = 0.6\n",
    )
    b = write(tmp_path / "b.toml", 'extends = "a.toml"\nname = "b"\n[sides.us]\ncohesion = 0.8\n')
    s = load_scenario(b)
    assert (s.name, s.title, s.sides["us"].cohesion, s.sides["us"].threshold) == (
        "b",
        "a",
        0.8,
        0.6,
    )


def test_editing_a_base_is_seen_by_the_files_that_extend_it(tmp_path: Path) -> None:
    base = write(tmp_path / "base.toml", BASELINE.read_text())
    child = write(tmp_path / "child.toml", 'extends = "base.toml"\nname = "child"\n')
    assert load_scenario(child).sides["us"].cohesion == 0.5
    base.write_text(BASELINE.read_text().replace("cohesion = 0.5", "cohesion = 0.250"))
    assert load_scenario(child).sides["us"].cohesion == 0.25


def test_parse_scenario_merges_an_in_memory_document_onto_a_bundled_base() -> None:
    s = parse_scenario(
        {EXTENDS: "june2025", "name": "x", "sides": {"us": {"cohesion": 1.0}}}, "<m>"
    )
    assert s.name == "x" and s.sides["us"].cohesion == 1.0


def one_line(exc: ScenarioError) -> str:
    line = str(exc)
    assert "\n" not in line and line == exc.line()
    return line


@pytest.mark.parametrize(
    ("extends", "problem"),
    [
        ('"junee2025"', "no such scenario 'junee2025' (bundled: "),
        ('"cases/missing.toml"', "no such file"),
        ("3", "must be a scenario name or a path"),
        ('""', "must be a scenario name or a path"),
    ],
)
def test_a_bad_base_is_one_line_naming_the_file_and_field(
    tmp_path: Path, extends: str, problem: str
) -> None:
    child = write(tmp_path / "child.toml", f'extends = {extends}\nname = "child"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    line = one_line(info.value)
    assert info.value.source == str(child) and info.value.field == EXTENDS
    assert problem in info.value.problem
    assert line.startswith(f"scenario {child}: extends: ")


def test_a_cycle_of_bases_is_one_line(tmp_path: Path) -> None:
    a = write(tmp_path / "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\nname = "b"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(a)
    one_line(info.value)
    assert info.value.field == EXTENDS and "cycle" in info.value.problem


def test_a_bad_merged_field_names_the_extending_file_and_the_field(tmp_path: Path) -> None:
    child = write(
        tmp_path / "child.toml",
        'extends = "june2025"\nname = "c"\n[[parties]]\nkey = "bessent"\n'
        "[parties.priorities]\ncurrency = 0.45\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    one_line(info.value)
    assert info.value.source == str(child)
    assert info.value.field == "parties.bessent.priorities"
    assert "must sum to 1" in info.value.problem


def test_a_misspelt_party_key_adds_a_party_and_is_reported(tmp_path: Path) -> None:
    child = write(
        tmp_path / "child.toml",
        'extends = "june2025"\nname = "c"\n[[parties]]\nkey = "lutnik"\nclout = 0.5\n',
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    one_line(info.value)
    assert info.value.field.startswith("parties.lutnik.")


def test_validate_reports_a_bad_base_in_one_line_with_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    child = write(tmp_path / "child.toml", 'extends = "junee2025"\nname = "child"\n')
    assert main(["validate", str(child)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    expected = f"negotiate: error: scenario {child}: extends: no such scenario 'junee2025'"
    assert err.startswith(expected)


def test_the_installed_command_reports_a_bad_base_in_one_line(tmp_path: Path) -> None:
    child = write(tmp_path / "child.toml", 'extends = "nowhere/base.toml"\nname = "child"\n')
    done = subprocess.run(
        [NEGOTIATE, "validate", str(child)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert f"{child}: extends: no such file" in done.stderr
