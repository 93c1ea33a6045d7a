"""No-deal terms over time and the deadline as a threat (``[dynamics]`` switches).

Expected values are recomputed here from the scenario in real units, not with the engine's
own functions.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import numpy as np
import pytest
from helpers import assert_ensemble_matches_single_runs

from model import NegotiationModel
from model.errors import ScenarioError
from model.loading import load_scenario, parse_scenario
from model.schema import Scenario

SEEDS = [0, 1, 2, 3, 7, 11]
# High enough that many runs reach the deadline, so that what happens there is seen.
AUDIENCE = {"bessent": 0.2, "lutnick": 0.2, "greer": 0.2, "akazawa": 0.3}


def variant(**changes: Any) -> Scenario:
    """The baseline with reservations from no-deal terms and a threatened deadline."""
    data = load_scenario("june2025").model_dump(mode="json", exclude_none=True)
    data = copy.deepcopy(data)
    data["dynamics"] = {"reservation": "no_deal", "deadline": "threat"}
    data["calendar"]["extension"] |= {
        "holder": "us",
        "max_extensions": 2,
        "gap_weight": 8.0,
        "gap_reference": 0.15,
        "stress_weight": 2.0,
        "escalate_probability": 0.3,
    }
    for issue in data["issues"]:
        if issue["key"] == "reciprocal_tariff":
            issue["in_force"] = 10.0
        if issue["key"] == "auto_tariff":
            issue["escalated"] = 27.5
    for party in data["parties"]:
        party["audience_cost"] = AUDIENCE[party["key"]]
        party.pop("reservation", None)
    for path, value in changes.items():
        node = data
        *head, last = path.split(".")
        for part in head:
            node = node[part]
        node[last] = value
    return parse_scenario(data, "variant")


def utility(sc: Scenario, party: str, terms: dict[str, float]) -> float:
    """A party's linear utility of terms in real units, from the scenario's own numbers."""
    p = sc.party(party)
    total = 0.0
    for issue in sc.issues:
        span = issue.max - issue.min
        ideal = (p.ideal[issue.key] - issue.min) / span
        value = (terms[issue.key] - issue.min) / span
        total += p.priorities[issue.key] * (1 - abs(value - ideal) / max(ideal, 1 - ideal))
    return total


def test_reservation_weighs_the_terms_in_force_against_the_threat_plus_the_audience_cost() -> None:
    sc = variant()
    model = NegotiationModel(sc, rng=5)
    in_force = {i.key: i.no_deal if i.in_force is None else i.in_force for i in sc.issues}
    threat = {i.key: i.no_deal for i in sc.issues}
    deadline = (sc.calendar.deadline - sc.calendar.start).days
    w = deadline / sc.dynamics.no_deal_horizon_days
    noise = model.state.audience[0] - np.array([AUDIENCE[k] for k in sc.party_keys])
    for p, key in enumerate(sc.party_keys):
        expected = (
            w * utility(sc, key, in_force)
            + (1 - w) * utility(sc, key, threat)
            + AUDIENCE[key]
            + noise[p]
        )
        assert model.negotiators[key].reservation[0] == pytest.approx(
            min(max(expected, 0.0), 1.0), abs=1e-12
        )
    # The audience costs are spread by reservation_sd, run by run.
    assert np.all(np.abs(noise) > 0) and np.all(np.abs(noise) < 0.5)


def test_japans_reservation_falls_as_the_deadline_nears_and_freezes_when_the_run_ends() -> None:
    model = NegotiationModel(variant(), rng=6)  # a run that reaches the deadline
    akazawa = model.negotiators["akazawa"]
    seen = [float(akazawa.reservation[0])]
    checked = False
    while model.running:
        model.step()
        seen.append(float(akazawa.reservation[0]))
        if model.day == model.compiled.deadline_day - 1:
            assert all(b <= a + 1e-15 for a, b in itertools.pairwise(seen))
            assert seen[0] > seen[-1]  # the pause is worth more to Japan than the threat
            checked = True
    assert checked, "the run ended before the deadline: pick a seed that reaches it"
    end = int(model.state.end_day[0])
    assert seen[-1] == seen[end + 1]  # nothing moves after the end


def test_a_holder_that_always_extends_moves_the_deadline_up_to_its_limit() -> None:
    sc = variant(**{"calendar.extension.probability": 1.0})
    model = NegotiationModel(sc, seeds=range(200), collect=False, narrate=False)
    model.run_model()
    s = model.state
    assert s.extensions.max() == 2 and np.all(s.extensions <= 2)
    assert not s.escalated.any()
    broke = s.status == 2
    assert np.all(s.extensions[broke] == 2)  # no run broke down while an extension was left
    table = model.results()
    assert (table.loc[table.status == "deal", "day"] > model.compiled.deadline_day).any()


def test_an_escalation_sets_the_harsher_terms_and_a_breakdown_applies_them() -> None:
    sc = variant(
        **{
            "calendar.extension.probability": 0.0,
            "calendar.extension.escalate_probability": 1.0,
            "calendar.extension.max_extensions": 1,
        }
    )
    model = NegotiationModel(sc, seeds=range(300), collect=False, narrate=False)
    model.run_model()
    s, c = model.state, model.compiled
    moved = s.extensions > 0
    assert np.array_equal(moved, s.escalated)
    np.testing.assert_array_equal(
        s.threat[moved], np.broadcast_to(c.escalated, s.threat[moved].shape)
    )
    broke = s.status == 2
    assert broke.any()
    np.testing.assert_array_equal(s.terms[broke], s.threat[broke])


def test_after_an_extension_tactics_start_again_from_where_they_stood() -> None:
    sc = variant(**{"calendar.extension.probability": 1.0})
    model = NegotiationModel(sc, rng=0)
    deadline = model.compiled.deadline_day
    before = None
    while model.running and model.day < deadline + 3:
        model.step()
        if model.day == deadline:
            before = model.state.aspiration[0].copy()
    s = model.state
    if s.active[0]:
        assert s.phase_start[0] == deadline
        np.testing.assert_array_equal(s.phase_aspiration[0], before)
        assert np.all(s.aspiration[0] >= s.reservation[0] - 1e-12)


def test_ensemble_rows_equal_single_runs_with_both_mechanisms_on() -> None:
    assert_ensemble_matches_single_runs(variant(), SEEDS)


def test_the_holder_is_named_when_it_extends_or_imposes() -> None:
    lines = []
    for seed in range(40):
        model = NegotiationModel(variant(), rng=seed)
        model.run_model()
        lines += model.log
    text = "\n".join(lines)
    assert "United States extends the deadline" in text or "United States escalates" in text
    assert "BREAKDOWN: United States imposes the no-deal terms" in text
    assert "apart" in text


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"calendar": {"extension": {"holder": "nobody"}}}, "calendar.extension.holder", "unknown"),
        (
            {"issues": [{"key": "auto_tariff", "in_force": 40.0}]},
            "issues.auto_tariff.in_force",
            "outside",
        ),
    ],
)
def test_bad_dynamics_are_named_in_one_line(change: dict, field: str, problem: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"extends": "june2025", **change}, "bad.toml")
    assert info.value.field == field and problem in info.value.problem


def test_a_threatened_deadline_needs_a_holder() -> None:
    data = load_scenario("june2025").model_dump(mode="json", exclude_none=True)
    del data["calendar"]["extension"]["holder"]
    data["dynamics"]["deadline"] = "threat"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, "bad.toml")
    assert info.value.field == "calendar.extension.holder" and "required" in info.value.problem


def test_a_drawn_reservation_is_required_when_reservations_are_drawn() -> None:
    data = load_scenario("june2025").model_dump(mode="json", exclude_none=True)
    data["parties"][0].pop("reservation")
    data["dynamics"]["reservation"] = "no_deal"
    parse_scenario(data, "fine.toml")  # from no-deal terms, a stated reservation is not used
    data["dynamics"]["reservation"] = "drawn"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, "bad.toml")
    assert info.value.field == "parties.bessent.reservation"
