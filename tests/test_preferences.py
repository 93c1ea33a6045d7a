"""Uncertain preferences (``dynamics.preferences = "uncertain"``): per-run priorities and ideals."""

from __future__ import annotations

import numpy as np
from helpers import assert_ensemble_matches_single_runs

from model import NegotiationModel
from model.bargaining import _SOLVED
from model.loading import parse_scenario
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
