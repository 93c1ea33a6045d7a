"""Japan's two-level game over time (``dynamics.election = "outcomes"``)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_ensemble_matches_single_runs

from model import NegotiationModel
from model.errors import ScenarioError
from model.loading import parse_scenario
from model.schema import Scenario

HOLDS = {
    "label": "the coalition holds",
    "probability": 0.3,
    "win_set": [
        {"issue": "auto_tariff", "max": 17.5},
        {"issue": "agriculture", "max": 0.5},
    ],
}
LOSES = {
    "label": "the coalition loses",
    "probability": 0.7,
    "win_set": [
        {"issue": "auto_tariff", "max": 10.0},
        {"issue": "agriculture", "max": 0.1},
    ],
}


def outcomes(election: str = "outcomes", **extra: object) -> Scenario:
    return parse_scenario(
        {
            "extends": "june2025",
            "dynamics": {"election": election},
            "sides": {"japan": {"after_election": [HOLDS, LOSES], **extra}},
            "calendar": {"extension": {"probability": 1.0, "days": 30}},
        },
        "outcomes",
    )


def test_each_run_draws_an_outcome_with_its_probability() -> None:
    model = NegotiationModel(outcomes(), seeds=range(4000), collect=False, narrate=False)
    japan = model.compiled.side_keys.index("japan")
    drawn = model.state.election_outcome[:, japan]
    assert set(np.unique(drawn)) == {0, 1}
    share = (drawn == 1).mean()
    assert abs(share - 0.7) < 4 * np.sqrt(0.7 * 0.3 / 4000)
    assert np.all(model.state.election_outcome[:, 1 - japan] == 0)


def test_the_drawn_outcome_sets_the_win_set_from_election_day() -> None:
    sc = outcomes()
    model = NegotiationModel(sc, seeds=range(50), collect=False, narrate=False)
    c = model.compiled
    japan = c.side_keys.index("japan")
    auto = c.issue_keys.index("auto_tariff")
    election = int(c.election_day[japan])
    drawn = model.state.election_outcome[:, japan]
    _, before = model.win_sets(slice(None), election - 1)
    _, after = model.win_sets(slice(None), election)
    cap = {0: 17.5, 1: 10.0}
    expected = np.array([(cap[int(k)] - 2.5) / 25.0 for k in drawn])
    np.testing.assert_allclose(after[:, japan, auto], expected, rtol=0, atol=1e-12)
    # Before the election the caps tighten toward their election values, as without outcomes
    # (run by run: with uncertain preferences each run draws its own limits).
    tightening = NegotiationModel(
        outcomes("tighten"), seeds=range(50), collect=False, narrate=False
    )
    _, unaffected = tightening.win_sets(slice(None), election - 1)
    np.testing.assert_array_equal(before[:, japan], unaffected[:, japan])
    # An issue the outcome does not name has no bound after the election.
    currency = c.issue_keys.index("currency")
    assert np.all(after[:, japan, currency] == 1.0)


def test_runs_that_reach_the_election_differ_by_its_outcome() -> None:
    model = NegotiationModel(outcomes(), seeds=range(2000), collect=False, narrate=False)
    model.run_model()
    table = model.results()
    c = model.compiled
    japan = c.side_keys.index("japan")
    late = table["day"] >= int(c.election_day[japan])
    drawn = model.state.election_outcome[:, japan]
    deals = table["status"] == "deal"
    late_deal_share = {k: (deals & late)[drawn == k].mean() for k in (0, 1)}
    assert late.any()
    assert late_deal_share[0] > late_deal_share[1]  # a weakened Tokyo ratifies less


def test_ensemble_rows_equal_single_runs_with_election_outcomes() -> None:
    assert_ensemble_matches_single_runs(outcomes(), [0, 1, 5, 13])


def test_outcome_probabilities_must_sum_to_one() -> None:
    bad = {**LOSES, "probability": 0.5}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(
            {"extends": "june2025", "sides": {"japan": {"after_election": [HOLDS, bad]}}}, "b"
        )
    assert info.value.field == "sides.japan.after_election" and "sum to 1" in info.value.problem
