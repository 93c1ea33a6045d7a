"""Beliefs, not omniscience (``dynamics.information = "beliefs"``): a frequency opponent model."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_ensemble_matches_single_runs
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.stats import truncnorm

from model import NegotiationModel
from model.loading import parse_scenario
from model.schema import Scenario
from model.state import learn_from_offers, learn_limits, side_priorities, truncated_normal_mean


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


def _one_round(
    sc: Scenario, side: str, issue: str, stated: tuple[float, float], true: tuple[float, float]
) -> tuple[NegotiationModel, int, int, tuple[np.ndarray, np.ndarray], np.ndarray]:
    """A one-run model whose limits of ``side`` on ``issue`` are stated and true as given.

    Returns the model, the side and issue indices, the true bounds today and a packages array
    to fill, with every other limit wide open.
    """
    model = NegotiationModel(sc, rng=0)
    c, s = model.compiled, model.state
    k, i = c.side_keys.index(side), c.issue_keys.index(issue)
    n_s, n_i = len(c.side_keys), len(c.issue_keys)
    c.nominal.bound_lo = np.zeros((1, 2, n_s, n_i))
    c.nominal.bound_hi = np.ones((1, 2, n_s, n_i))
    c.nominal.bound_lo[..., k, i], c.nominal.bound_hi[..., k, i] = stated
    c.bound_sd = np.zeros((n_s, n_i))
    c.bound_sd[k, i] = 0.1
    s.believed_lo[:] = c.nominal.bound_lo
    s.believed_hi[:] = c.nominal.bound_hi
    t_lo, t_hi = np.zeros((1, n_s, n_i)), np.ones((1, n_s, n_i))
    t_lo[0, k, i], t_hi[0, k, i] = true
    s.offer_round[:] = 0
    return model, k, i, (t_lo, t_hi), np.full((1, n_s, n_i), 0.5)


def test_a_refused_package_caps_the_belief_below_it() -> None:
    model, japan, farm, true, packages = _one_round(
        believing(offers="answer"), "japan", "agriculture", (0.0, 0.6), (0.0, 0.4)
    )
    c, s = model.compiled, model.state
    us = 1 - japan
    packages[0, us, farm] = 0.55  # inside the published cap, beyond Tokyo's true one
    packages[0, japan, farm] = 0.3  # Japan's own package: its cap is at least this
    learn_limits(s, c, slice(0, 1), true, packages, np.array([[True, True]]), 10)
    low, high = s.shift_range[0, 0, japan, farm], s.shift_range[0, 1, japan, farm]
    assert (low, high) == pytest.approx((0.3 - 0.6, 0.55 - 0.6))
    expected = 0.6 + truncnorm.mean(low / 0.1, high / 0.1, scale=0.1)
    np.testing.assert_allclose(s.believed_hi[0, :, japan, farm], expected)
    assert 0.3 < expected < 0.55
    others = np.ones(s.believed_hi.shape, bool)
    others[0, :, japan, farm] = False
    assert np.all(s.believed_hi[others] == 1.0)  # nothing else was refused or shown


def test_a_package_taken_inside_the_limit_raises_the_belief() -> None:
    model, japan, farm, true, packages = _one_round(
        believing(offers="answer"), "japan", "agriculture", (0.0, 0.4), (0.0, 0.6)
    )
    c, s = model.compiled, model.state
    packages[0, 1 - japan, farm] = 0.45  # beyond the published cap, and Tokyo says nothing
    learn_limits(s, c, slice(0, 1), true, packages, np.array([[True, False]]), 10)
    assert s.believed_hi[0, 0, japan, farm] > 0.45


def test_a_floor_is_learned_as_a_cap_is_mirrored() -> None:
    model, us, rate, true, packages = _one_round(
        believing(offers="answer", floors="on"), "us", "reciprocal_tariff", (0.3, 1.0), (0.5, 1.0)
    )
    c, s = model.compiled, model.state
    packages[0, 1 - us, rate] = 0.35  # above the published floor, below the true one
    packages[0, us, rate] = 0.8
    learn_limits(s, c, slice(0, 1), true, packages, np.array([[True, True]]), 10)
    low, high = s.shift_range[0, 0, us, rate], s.shift_range[0, 1, us, rate]
    assert (low, high) == pytest.approx((0.35 - 0.3, 0.8 - 0.3))
    expected = 0.3 + truncnorm.mean(low / 0.1, high / 0.1, scale=0.1)
    np.testing.assert_allclose(s.believed_lo[0, :, us, rate], expected)


def _quadrature_mean(a: float, b: float) -> float:
    """The standard normal's mean on [a, b] by quadrature (an independent reference)."""
    flip = a > 0.0  # integrate on the side of 0 where the density is scaled to about 1
    lo, hi = (-b, -a) if flip else (a, b)
    lo, hi = max(lo, -50.0), min(hi, 50.0)  # no mass is left beyond 50 sd of the peak
    peak = min(hi, 0.0) ** 2  # the density's largest value on [lo, hi] is exp(-peak / 2)
    mass = quad(lambda x: np.exp(-(x * x - peak) / 2.0), lo, hi, epsabs=1e-11, epsrel=1e-10)[0]
    first = quad(lambda x: x * np.exp(-(x * x - peak) / 2.0), lo, hi, epsabs=1e-11, epsrel=1e-10)[0]
    return -first / mass if flip else first / mass


@given(
    sd=st.floats(1e-3, 2.0) | st.just(0.0),
    a=st.floats(-12.0, 12.0),
    width=st.floats(0.0, 24.0) | st.just(np.inf),
)
@settings(max_examples=300, deadline=None)
def test_truncated_normal_mean_matches_quadrature_and_stays_in_its_range(
    sd: float, a: float, width: float
) -> None:
    scale = sd if sd > 0.0 else 1.0
    low, high = a * scale, (a + width) * scale  # the range in units of sd: [a, a + width]
    mean = float(truncated_normal_mean(np.array(sd), np.array(low), np.array(high)))
    if sd == 0.0:
        assert mean == 0.0
        return
    assert low - 1e-12 <= mean <= high + 1e-12
    if width > 1e-6 and -8.0 < a < 8.0:
        assert mean == pytest.approx(sd * _quadrature_mean(a, a + width), abs=1e-6 * sd)


def test_with_nothing_seen_the_belief_is_the_published_limit() -> None:
    assert float(truncated_normal_mean(np.array(0.3), np.array(-np.inf), np.array(np.inf))) == 0.0


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


def test_limit_beliefs_with_a_cap_set_per_run_replay_as_single_runs() -> None:
    # A cap that differs run by run (as sweeps set it): the published cap is each run's own.
    caps = [17.5, 15.0, 20.0, 12.5]
    assert_ensemble_matches_single_runs(
        believing(offers="answer"),
        [0, 1, 2, 3],
        overrides={"sides.japan.win_set.auto_tariff.max": caps},
    )
