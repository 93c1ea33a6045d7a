"""Uncertain preferences (``dynamics.preferences = "uncertain"``): per-run priorities and ideals."""

from __future__ import annotations

import numpy as np
from helpers import assert_ensemble_matches_single_runs

from model import NegotiationModel
from model.bargaining import _SOLVED
from model.loading import load_scenario, parse_scenario
from model.schema import Scenario

SD = {"bessent": (0.3, 0.05), "lutnick": (0.3, 0.05), "greer": (0.3, 0.05), "akazawa": (0.2, 0.1)}


def uncertain() -> Scenario:
    return parse_scenario(
        {
            "extends": "june2025",
            "dynamics": {"preferences": "uncertain"},
            "parties": [{"key": k, "priorities_sd": w, "ideal_sd": x} for k, (w, x) in SD.items()],
        },
        "uncertain",
    )


def test_each_run_draws_priorities_and_ideals_around_the_stated_ones() -> None:
    sc = uncertain()
    model = NegotiationModel(sc, seeds=range(3000), collect=False, narrate=False)
    c = model.compiled
    stated = c.nominal
    assert stated is not None and stated.weights.shape[0] == 1
    np.testing.assert_allclose(c.weights.sum(axis=-1), 1.0, atol=1e-12)
    akazawa = sc.party_keys.index("akazawa")
    # Relative to each other, two priorities move by the difference of two log-normal factors.
    ratio = np.log(c.weights[:, akazawa, 0] / c.weights[:, akazawa, 1])
    stated_ratio = np.log(stated.weights[0, akazawa, 0] / stated.weights[0, akazawa, 1])
    assert abs(ratio.mean() - stated_ratio) < 0.03
    assert abs(ratio.std() - 0.2 * np.sqrt(2)) < 0.02
    step = c.ideal[:, akazawa, 5] - stated.ideal[0, akazawa, 5]  # investment, far from the ends
    assert abs(step.std() - 0.1) < 0.01


def test_deal_terms_and_utilities_spread_and_theory_is_solved_once() -> None:
    before = len(_SOLVED)
    model = NegotiationModel(uncertain(), seeds=range(500), collect=False, narrate=False)
    model.run_model()
    table = model.results()
    assert len(_SOLVED) <= before + 1  # measured against the stated problem, not one per run
    deals = table[table["status"] == "deal"]
    assert len(deals) > 100
    assert deals["utility_akazawa"].std() > 0.01
    assert deals["nash_distance"].notna().all()


def test_ensemble_rows_equal_single_runs_with_uncertain_preferences() -> None:
    assert_ensemble_matches_single_runs(uncertain(), [0, 3, 4, 2**40 + 1])


def test_uncertain_limits_move_both_dates_alike_around_the_stated_limit() -> None:
    """Japan's uncertain limits: one normal step per run and limit, the same at both dates."""
    sc = load_scenario("june2025")
    model = NegotiationModel(sc, seeds=range(4000), collect=False, narrate=False)
    c = model.compiled
    k = sc.side_keys.index("japan")
    for b in sc.sides["japan"].win_set:
        i = sc.issue_keys.index(b.issue)
        span = sc.issue(b.issue).max - sc.issue(b.issue).min
        start = c.bound_hi[:, 0, k, i] * span + sc.issue(b.issue).min
        at_election = c.bound_hi[:, 1, k, i] * span + sc.issue(b.issue).min
        step = start - b.max
        stated_end = b.max if b.max_at_election is None else b.max_at_election
        inside = (start > sc.issue(b.issue).min) & (at_election > sc.issue(b.issue).min)
        np.testing.assert_allclose((at_election - stated_end)[inside], step[inside], atol=1e-9)
        assert abs(step.mean()) < 4 * b.sd / np.sqrt(len(step)) + 1e-12, b.issue
        assert abs(step.std() / b.sd - 1.0) < 0.05, b.issue


def test_baseline_deal_terms_spread_on_every_issue_on_the_table() -> None:
    """Every issue on the table when a deal is struck takes different values across the deals."""
    sc = load_scenario("june2025")
    model = NegotiationModel(sc, seeds=range(1000), collect=False, narrate=False)
    model.run_model()
    table = model.results()
    deals = table[table["status"] == "deal"]
    assert len(deals) > 500
    off = model.compiled.days.off_table[deals["day"].to_numpy()]  # (deals, I)
    spread = []
    for i, key in enumerate(sc.issue_keys):
        on = deals.loc[~off[:, i], f"term_{key}"]
        if len(on) < 50:
            continue  # off the table in (nearly) every deal: it stays at its no-deal value
        q1, q3 = on.quantile([0.25, 0.75])
        assert q3 > q1, key
        spread.append(key)
    assert len(spread) >= len(sc.issue_keys) - 1
