"""The agenda and the principals' floors (``dynamics.agenda`` and ``dynamics.floors``)."""

from __future__ import annotations

import numpy as np
from helpers import assert_ensemble_matches_single_runs

from experiments.mechanisms import SWITCHES_OFF
from model import NegotiationModel
from model.loading import load_scenario, parse_scenario
from model.schema import Scenario

FLOOR = {"issue": "reciprocal_tariff", "min": 10.0, "floor": True}


def variant(
    agenda: str = "dated", floors: str = "on", others: dict[str, object] | None = None
) -> Scenario:
    """The baseline plus a currency-off event and the US floor; ``others`` sets other switches."""
    events = [
        e.model_dump(mode="json", exclude_none=True) for e in load_scenario("june2025").events
    ]
    events.append(
        {
            "date": "2025-04-24",
            "kind": "other",
            "label": "Currency goes to the finance ministers' track",
            "effects": {"off_table": ["currency"]},
        }
    )
    return parse_scenario(
        {
            "extends": "june2025",
            "dynamics": {**(others or {}), "agenda": agenda, "floors": floors},
            "events": events,
            "sides": {"us": {"win_set": [FLOOR]}},
        },
        "agenda",
    )


def finished(sc: Scenario, seeds: range) -> NegotiationModel:
    model = NegotiationModel(sc, seeds=seeds, collect=False, narrate=False)
    model.run_model()
    return model


def test_an_issue_off_the_table_stays_at_its_no_deal_value_in_every_package() -> None:
    sc = variant()
    model = NegotiationModel(sc, rng=0)
    currency = sc.issue_keys.index("currency")
    off_day = 8  # 24 April
    seen = 0
    while model.running:
        before = model.state.offer_round[0].copy()
        model.step()
        if model.day >= off_day:
            tabled = model.state.offer_round[0] > before  # packages tabled today
            assert np.all(model.state.offers[0, tabled, currency] == 0.0)
            seen += int(tabled.sum())
            for agent in model.negotiators.values():
                assert agent.propose()[0, currency] == 0.0
    assert seen > 3
    assert any("(off the table: yen)" in line for line in model.log)


def test_deals_respect_the_agenda_and_the_floor_and_not_without_them() -> None:
    # Every other switch off, as when this was written: there some deal sits on the floor. With
    # the baseline's other dynamics on, no deal of these seeds comes near 10%, so none would
    # show the floor binding.
    alone = SWITCHES_OFF["dynamics"]
    with_both = finished(variant(others=alone), range(600)).results()
    without = finished(variant("open", "off", others=alone), range(600)).results()
    deals, free = with_both[with_both.status == "deal"], without[without.status == "deal"]
    assert len(deals) > 100 and len(free) > 100
    assert (deals["term_currency"] == 0.0).all() and (free["term_currency"] > 0.0).any()
    assert (deals["term_reciprocal_tariff"] >= 10.0 - 1e-9).all()
    assert (deals["term_reciprocal_tariff"] <= 10.0 + 1e-9).any()  # the floor binds


def test_a_floor_is_ignored_while_floors_are_off() -> None:
    c = NegotiationModel(variant("open", "off"), rng=0).compiled
    us, issue = c.side_keys.index("us"), c.issue_keys.index("reciprocal_tariff")
    assert c.bound_lo[0, 0, us, issue] == 0.0
    c = NegotiationModel(variant("open", "on"), rng=0).compiled
    assert c.bound_lo[0, 0, us, issue] == 10.0 / 24.0


def test_ensemble_rows_equal_single_runs_with_agenda_and_floors() -> None:
    assert_ensemble_matches_single_runs(variant(), [0, 2, 6, 17])
