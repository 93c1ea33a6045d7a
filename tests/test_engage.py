"""A party chooses whom to court (``dynamics.engage = "pivotal"``)."""

from __future__ import annotations

import numpy as np
from helpers import assert_ensemble_matches_single_runs

from model import NegotiationModel
from model.loading import parse_scenario
from model.schema import Scenario


def courting() -> Scenario:
    return parse_scenario(
        {"extends": "june2025", "dynamics": {"offers": "answer", "engage": "pivotal"}}, "engage"
    )


def test_a_party_courts_the_cheapest_vote_it_lacks_and_weighs_trade_offs_by_it() -> None:
    model = NegotiationModel(courting(), rng=0)
    c, s = model.compiled, model.state
    akazawa = model.negotiators["akazawa"]
    seen = 0
    while model.running:
        before = s.offer_round[0].copy()
        model.step()
        japan = c.side_keys.index("japan")
        if s.offer_round[0, japan] == before[japan] or not s.active[0]:
            continue
        package = s.offers[0, japan]
        lacking = {}
        for p, key in enumerate(c.party_keys):
            if c.side_of[p] == japan:
                continue
            party = model.scenario.party(key)
            value = 0.0
            for i in range(len(model.scenario.issues)):
                ideal = c.ideal[0, p, i]
                value += c.weights[0, p, i] * (1 - abs(package[i] - ideal) / max(ideal, 1 - ideal))
            gap = s.aspiration[0, p] - value
            if gap > 1e-9:
                lacking[p] = party.clout / gap
        engaged = int(s.engaged[0, akazawa.index])
        if lacking:
            assert engaged == max(lacking, key=lacking.get)
            np.testing.assert_array_equal(
                akazawa.accommodation(slice(0, 1))[0, 0], c.weights[0, engaged]
            )
            seen += 1
        else:
            assert engaged == -1
    assert seen > 3


def test_ensemble_rows_equal_single_runs_when_parties_court() -> None:
    assert_ensemble_matches_single_runs(courting(), [0, 2, 5, 8])
