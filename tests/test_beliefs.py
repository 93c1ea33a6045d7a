"""Beliefs, not omniscience (``dynamics.information = "beliefs"``): a frequency opponent model."""

from __future__ import annotations

import numpy as np
from helpers import assert_ensemble_matches_single_runs

from model import NegotiationModel
from model.loading import parse_scenario
from model.schema import Scenario
from model.state import learn_from_offers, side_priorities


def believing(**dynamics: object) -> Scenario:
    return parse_scenario(
        {"extends": "june2025", "dynamics": {"information": "beliefs", **dynamics}}, "beliefs"
    )


def test_with_complete_information_beliefs_are_the_truth_and_never_move() -> None:
    # Offers that answer offers: with beliefs, they would teach the parties something.
    dynamics = {"information": "complete", "offers": "answer"}
    complete = parse_scenario({"extends": "june2025", "dynamics": dynamics}, "complete")
    model = NegotiationModel(complete, rng=3)
    truth = side_priorities(model.compiled)[0]
    model.run_model()
    for p in range(4):
        np.testing.assert_array_equal(model.state.belief[0, p], truth)


def test_beliefs_start_from_public_information_with_noise() -> None:
    # Stated preferences: the public information is then every run's truth.
    sc = believing(belief_sd=0.4, preferences="stated")
    model = NegotiationModel(sc, seeds=range(3000), collect=False)
    c, b = model.compiled, model.state.belief
    truth = side_priorities(c)[0]
    us = c.side_keys.index("us")
    np.testing.assert_allclose(b.sum(axis=-1), 1.0, atol=1e-12)
    ratio = np.log(b[:, 3, us, 0] / b[:, 3, us, 1]) - np.log(truth[us, 0] / truth[us, 1])
    assert abs(ratio.mean()) < 0.03 and abs(ratio.std() - 0.4 * np.sqrt(2)) < 0.03


def test_an_issue_a_side_hardly_moves_on_is_believed_to_matter_more() -> None:
    model = NegotiationModel(believing(belief_learning=0.2), rng=0)
    s, c = model.state, model.compiled
    s.belief[:] = 1.0 / len(c.issue_keys)
    s.previous_offers[0, 0] = 0.5
    s.offers[0, 0] = 0.5 + np.linspace(0.0, 0.3, len(c.issue_keys))  # issue 0 unmoved
    learn_from_offers(s, c, slice(0, 1), np.array([[True, False]]))
    mine = s.belief[0, 3, 0]  # Akazawa's belief about the US
    assert np.all(np.diff(mine) < 0)  # the less it moved, the more it matters
    np.testing.assert_allclose(s.belief[0, 3, 1], 1.0 / len(c.issue_keys))  # Japan: no news


def test_beliefs_learn_during_the_talks() -> None:
    model = NegotiationModel(believing(offers="answer"), rng=0)
    start = model.state.belief.copy()
    model.run_model()
    assert not np.allclose(model.state.belief[0, 3, 0], start[0, 3, 0])


def test_ensemble_rows_equal_single_runs_with_beliefs() -> None:
    assert_ensemble_matches_single_runs(believing(offers="answer"), [0, 1, 7, 9])
