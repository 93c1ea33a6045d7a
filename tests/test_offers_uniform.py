"""Concession on every issue at once (``dynamics.offers = "uniform"``): Faratin's comparator."""

from __future__ import annotations

import numpy as np
from helpers import assert_ensemble_matches_single_runs
from hypothesis import given, settings
from hypothesis import strategies as st

from model import run_ensemble
from model.loading import parse_scenario
from model.utility import uniform_positions, utilities

ISSUES = 5


def problem(seed: int, curved: bool) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(ISSUES), size=(1, 1))  # (1, 1, I)
    ideal = rng.integers(0, 2, size=(1, 1, ISSUES)).astype(float)  # each ideal at an end
    target = np.abs(ideal - rng.uniform(0.3, 1.0, size=(1, 1, ISSUES)))  # toward the other end
    curvature = np.array([[rng.uniform(0.5, 2.0)]]) if curved else None
    return weights, ideal, target, curvature


def worth(pos: np.ndarray, weights: np.ndarray, ideal: np.ndarray, curv: np.ndarray | None):
    return utilities(pos[:, None], weights, ideal, curv)[0, 0, 0]


def shares(pos: np.ndarray, ideal: np.ndarray, target: np.ndarray) -> np.ndarray:
    return ((pos - ideal) / (target - ideal))[0, 0]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), curved=st.booleans(), aspiration=st.floats(0.0, 1.0))
def test_every_issue_moves_the_same_share_and_the_package_is_worth_the_aspiration(
    seed: int, curved: bool, aspiration: float
) -> None:
    weights, ideal, target, curv = problem(seed, curved)
    pos = uniform_positions(np.array([[aspiration]]), weights, ideal, target, curv)
    share = shares(pos, ideal, target)
    np.testing.assert_allclose(share, share[0], atol=1e-12)
    assert 0.0 <= share[0] <= 1.0
    least = worth(target, weights, ideal, curv)  # conceding the whole way
    if aspiration >= least:  # reachable: the package is worth exactly the aspiration
        np.testing.assert_allclose(worth(pos, weights, ideal, curv), aspiration, atol=1e-9)
    else:  # not reachable: the party goes the whole way
        np.testing.assert_allclose(share, 1.0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), curved=st.booleans(), aspiration=st.floats(0.3, 1.0))
def test_an_issue_off_the_table_goes_the_whole_way_first(
    seed: int, curved: bool, aspiration: float
) -> None:
    weights, ideal, target, curv = problem(seed, curved)
    fixed = np.zeros(ISSUES, bool)
    fixed[1] = True
    pos = uniform_positions(np.array([[aspiration]]), weights, ideal, target, curv, fixed=fixed)
    share = shares(pos, ideal, target)
    assert share[1] == 1.0
    np.testing.assert_allclose(share[~fixed], share[~fixed][0], atol=1e-12)
    if share[0] > 1e-9 and share[0] < 1 - 1e-9:
        np.testing.assert_allclose(worth(pos, weights, ideal, curv), aspiration, atol=1e-9)


def test_linear_values_give_the_closed_form_and_the_bisection_alike() -> None:
    weights, ideal, target, _ = problem(7, curved=False)
    aspiration = np.array([[0.8]])
    closed = uniform_positions(aspiration, weights, ideal, target)
    searched = uniform_positions(aspiration, weights, ideal, target, np.ones((1, 1)))
    np.testing.assert_allclose(closed, searched, atol=1e-12)


def uniform(**dynamics: object):
    return parse_scenario(
        {"extends": "june2025", "dynamics": {"offers": "uniform", **dynamics}}, "u"
    )


def test_a_pie_split_by_uniform_concession_is_the_textbook_split() -> None:
    # Each party of the bilateral pie values one share: one issue to concede on, so conceding
    # on every issue at once is the path it already took.
    path = run_ensemble("bilateral_pie", seeds=range(3))
    doc = {"extends": "bilateral_pie", "dynamics": {"offers": "uniform"}}
    at_once = run_ensemble(parse_scenario(doc, "pie"), seeds=range(3))
    np.testing.assert_array_equal(path["day"], at_once["day"])
    np.testing.assert_allclose(path["term_share_a"], at_once["term_share_a"], atol=1e-9)


def test_answering_offers_beats_conceding_on_every_issue_at_once() -> None:
    # Faratin, Sierra & Jennings (2002): the trade-off reaches deals nearer the frontier.
    seeds = range(600)
    at_once = run_ensemble(uniform(), seeds)
    answering = run_ensemble(parse_scenario({"extends": "june2025"}, "answer"), seeds)
    both = (at_once["status"] == "deal") & (answering["status"] == "deal")
    assert answering["frontier_distance"][both].mean() < at_once["frontier_distance"][both].mean()


def test_ensemble_rows_equal_single_runs_conceding_on_every_issue_at_once() -> None:
    assert_ensemble_matches_single_runs(uniform(), list(range(5)))
