"""Private bottom lines (``dynamics.bottom_lines = "private"``): each party holds back a margin."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_ensemble_matches_single_runs

from model import NegotiationModel, run_ensemble
from model.loading import parse_scenario
from model.schema import Scenario

SPREAD = 0.15  # the reservation_sd of both parties of the pie below
MARGIN = np.sqrt(3.0) / 4.0 * SPREAD  # what each holds back: W/8 for a uniform W as spread


def pie(bottom_lines: str) -> Scenario:
    """The bilateral pie with uncertain reservations around 0.3."""
    parties = [{"key": k, "reservation": 0.3, "reservation_sd": SPREAD} for k in ("a", "b")]
    return parse_scenario(
        {
            "extends": "bilateral_pie",
            "dynamics": {"bottom_lines": bottom_lines},
            "parties": parties,
        },
        f"pie ({bottom_lines})",
    )


def baseline(bottom_lines: str) -> Scenario:
    return parse_scenario(
        {"extends": "june2025", "dynamics": {"bottom_lines": bottom_lines}}, bottom_lines
    )


@pytest.mark.parametrize(("bottom_lines", "held_back"), [("known", 0.0), ("private", MARGIN)])
def test_a_pie_is_split_only_when_it_covers_both_reservations_and_what_each_holds_back(
    bottom_lines: str, held_back: float
) -> None:
    # Chatterjee and Samuelson's linear equilibrium: a trade needs a surplus of W/4, W/8 held
    # back by each side. Known bottom lines need only a surplus.
    table = run_ensemble(pie(bottom_lines), seeds=range(600))
    need = table["reservation_a"] + table["reservation_b"] + 2 * held_back
    clear = (need - 1.0).abs() > 1e-9  # runs on the boundary are decided by rounding
    dealt = table["status"] == "deal"
    assert clear.sum() > 550
    np.testing.assert_array_equal(dealt[clear], (need <= 1.0)[clear])
    assert 0 < (~dealt).sum() < len(table)  # the case is not trivial either way


def test_private_bottom_lines_lose_the_deals_whose_surplus_is_smaller_than_the_margins() -> None:
    known = run_ensemble(pie("known"), seeds=range(600))
    private = run_ensemble(pie("private"), seeds=range(600))
    np.testing.assert_array_equal(known["reservation_a"], private["reservation_a"])
    lost = (known["status"] == "deal") & (private["status"] != "deal")
    assert lost.sum() > 0
    assert not ((known["status"] != "deal") & (private["status"] == "deal")).any()
    # The deals both settings strike come later when each party stops short of its bottom line.
    both = (known["status"] == "deal") & (private["status"] == "deal")
    assert (private["day"][both] >= known["day"][both]).all()
    assert (private["day"][both] > known["day"][both]).any()


def test_the_margin_is_root_three_quarters_of_the_other_sides_clout_weighted_spread() -> None:
    model = NegotiationModel(baseline("private"), rng=1)
    c = model.compiled
    for agent in model.negotiators.values():
        others = c.side_of != agent.side_index
        clout, spread = c.clout[0, others], c.reservation_sd[0, others]
        expected = np.sqrt(3.0) / 4.0 * (clout * spread).sum() / clout.sum()
        assert agent._margin is not None
        assert agent._margin[0, 0] == pytest.approx(expected, rel=1e-12)


def test_known_bottom_lines_hold_back_nothing() -> None:
    model = NegotiationModel(baseline("known"), rng=1)
    assert all(a._margin is None for a in model.negotiators.values())


def test_no_aspiration_falls_below_the_reservation_and_margin() -> None:
    model = NegotiationModel(baseline("private"), seeds=range(300), collect=False)
    margin = np.concatenate([a._margin for a in model.negotiators.values()], axis=1)  # (1, P)
    while model.running:
        model.step()
        s = model.state
        least = np.minimum(s.reservation + margin, 1.0)
        # Aspirations are set on a day's reservation; a later rise of the reservation (an
        # escalation) may lift the floor above a run that has ended.
        assert (s.aspiration[s.active] >= least[s.active] - 1e-12).all()


def test_private_bottom_lines_change_deals_in_the_baseline() -> None:
    known = run_ensemble(baseline("known"), seeds=range(800))
    private = run_ensemble(baseline("private"), seeds=range(800))
    lost = ((known["status"] == "deal") & (private["status"] != "deal")).sum()
    won = ((known["status"] != "deal") & (private["status"] == "deal")).sum()
    assert lost > won
    both = (known["status"] == "deal") & (private["status"] == "deal")
    assert private["day"][both].mean() > known["day"][both].mean()


def test_ensemble_rows_equal_single_runs_with_a_spread_set_per_run() -> None:
    # Akazawa's spread sets the US members' margins; Lutnick's goes into Akazawa's.
    overrides = {
        "parties.akazawa.reservation_sd": [0.0, 0.04, 0.08, 0.12, 0.16, 0.2],
        "parties.lutnick.reservation_sd": [0.2, 0.0, 0.1, 0.05, 0.15, 0.08],
    }
    assert_ensemble_matches_single_runs(baseline("private"), list(range(6)), overrides=overrides)


def test_the_narration_says_when_a_package_clears_the_bottom_line_but_not_the_margin() -> None:
    found = []
    for seed in range(12):
        model = NegotiationModel(baseline("private"), rng=seed)
        model.run_model()
        found += [line for line in model.log if "holds back" in line]
    assert found
    for line in found:
        offered, asked = (
            float(x) for x in line.split("wants more (")[1].split(")")[0].split(" < ")
        )
        bottom = float(line.split("bottom line (")[1].split(")")[0])
        assert bottom <= offered <= asked  # as printed, to two decimals
    known = NegotiationModel(baseline("known"), rng=0)
    known.run_model()
    assert not any("holds back" in line for line in known.log)
