"""Beliefs, not omniscience (``dynamics.information = "beliefs"``): a frequency opponent model."""

from __future__ import annotations

import numpy as np
from helpers import assert_ensemble_matches_single_runs

from model import NegotiationModel
from model.loading import parse_scenario
from model.schema import Scenario
from model.state import learn_from_offers, learn_limits, side_priorities


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


# --- bottom lines: what the others believe a side's principals would ratify ------------------


def test_the_others_start_from_the_published_limits_not_the_drawn_ones() -> None:
    model = NegotiationModel(believing(offers="answer"), seeds=range(200), collect=False)
    c, s = model.compiled, model.state
    assert c.nominal is not None and s.believed_hi is not None and s.believed_lo is not None
    japan = c.side_keys.index("japan")
    np.testing.assert_array_equal(
        s.believed_hi, np.broadcast_to(c.nominal.bound_hi, s.believed_hi.shape)
    )
    # The drawn limits differ from the published ones run by run: there is something to learn.
    assert np.abs(s.believed_hi[:, :, japan] - c.bound_hi[:, :, japan]).max() > 0.01


def test_with_complete_information_no_limit_is_believed() -> None:
    complete = believing(offers="answer", information="complete")
    model = NegotiationModel(complete, rng=0)
    assert model.state.believed_lo is None and model.state.believed_hi is None
    lo, hi = model.win_sets(slice(0, 1), 10)
    b_lo, b_hi = model.believed_win_sets(slice(0, 1), 10)
    np.testing.assert_array_equal(lo, b_lo)
    np.testing.assert_array_equal(hi, b_hi)


def _one_run_believing() -> tuple[NegotiationModel, int, int]:
    model = NegotiationModel(believing(offers="answer"), rng=0)
    c = model.compiled
    return model, c.side_keys.index("japan"), c.issue_keys.index("agriculture")


def test_a_refusal_outside_the_limit_moves_the_belief_halfway_to_the_sides_own_offer() -> None:
    model, japan, farm = _one_run_believing()
    c, s = model.compiled, model.state
    us = 1 - japan
    n_s, n_i = len(c.side_keys), len(c.issue_keys)
    believed = (np.zeros((1, n_s, n_i)), np.ones((1, n_s, n_i)))
    believed[1][0, japan, farm] = 0.6
    true = (np.zeros((1, n_s, n_i)), np.ones((1, n_s, n_i)))
    true[1][0, japan, farm] = 0.4
    packages = np.full((1, n_s, n_i), 0.2)
    packages[0, us, farm] = 0.55  # inside what the US believed, beyond what Tokyo ratifies
    packages[0, japan, farm] = 0.3  # Japan's own package this round
    before = s.believed_hi.copy()
    learn_limits(s, c, slice(0, 1), believed, true, packages, np.array([[True, True]]), 10)
    moved = s.believed_hi - before
    np.testing.assert_allclose(moved[0, :, japan, farm], 0.5 * (0.55 + 0.3) - 0.6)
    moved[0, :, japan, farm] = 0.0
    assert not moved.any()  # nothing else was refused or shown


def test_an_offer_beyond_a_believed_limit_widens_it() -> None:
    model, japan, farm = _one_run_believing()
    c, s = model.compiled, model.state
    n_s, n_i = len(c.side_keys), len(c.issue_keys)
    believed = (np.zeros((1, n_s, n_i)), np.ones((1, n_s, n_i)))
    believed[1][0, japan, farm] = 0.4
    true = (np.zeros((1, n_s, n_i)), np.ones((1, n_s, n_i)))
    packages = np.full((1, n_s, n_i), 0.2)
    packages[0, japan, farm] = 0.45  # Japan itself offers more than it was believed to ratify
    before = s.believed_hi[0, :, japan, farm].copy()
    learn_limits(s, c, slice(0, 1), believed, true, packages, np.array([[False, True]]), 10)
    np.testing.assert_allclose(s.believed_hi[0, :, japan, farm] - before, 0.05)


def test_answering_parties_keep_to_the_limits_they_believe() -> None:
    model = NegotiationModel(believing(offers="answer"), seeds=range(40), collect=False)
    c, s = model.compiled, model.state
    us, japan = c.side_keys.index("us"), c.side_keys.index("japan")
    rows = np.arange(40)
    checked = 0
    while model.running:
        _, b_hi = model.believed_win_sets(rows, model.day + 1)
        before = s.offer_round[:, us].copy()
        model.step()
        fresh = s.offer_round[:, us] > before
        pinned = c.days.off_table[model.day]
        for r in np.flatnonzero(fresh):
            package, hi = s.offers[r, us], b_hi[min(r, b_hi.shape[0] - 1), japan]
            assert np.all(package[~pinned] <= hi[~pinned] + 1e-9), (r, model.day)
            checked += 1
    assert checked > 100


def test_limit_beliefs_are_learned_in_some_runs() -> None:
    model = NegotiationModel(believing(offers="answer"), seeds=range(300), collect=False)
    start = model.state.believed_hi.copy()
    model.run_model()
    assert np.abs(model.state.believed_hi - start).max() > 0.0


def test_a_floor_is_learned_as_a_cap_is_mirrored() -> None:
    model = NegotiationModel(believing(offers="answer", floors="on"), rng=0)
    c, s = model.compiled, model.state
    us, rate = c.side_keys.index("us"), c.issue_keys.index("reciprocal_tariff")
    japan = 1 - us
    n_s, n_i = len(c.side_keys), len(c.issue_keys)
    believed = (np.zeros((1, n_s, n_i)), np.ones((1, n_s, n_i)))
    believed[0][0, us, rate] = 0.3
    true = (np.zeros((1, n_s, n_i)), np.ones((1, n_s, n_i)))
    true[0][0, us, rate] = 0.5
    packages = np.full((1, n_s, n_i), 0.6)
    packages[0, japan, rate] = 0.35  # above the believed floor, below the true one
    packages[0, us, rate] = 0.8
    before = s.believed_lo[0, :, us, rate].copy()
    learn_limits(s, c, slice(0, 1), believed, true, packages, np.array([[True, True]]), 10)
    np.testing.assert_allclose(s.believed_lo[0, :, us, rate] - before, 0.5 * (0.35 + 0.8) - 0.3)
