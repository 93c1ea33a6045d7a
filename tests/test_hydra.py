"""The hydra has teeth (``dynamics.hydra = "portfolios"``): members block on their portfolios."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import assert_ensemble_matches_single_runs

from agents import Negotiator, Reason, Verdict
from model import NegotiationModel
from model.errors import ScenarioError
from model.loading import parse_scenario
from model.schema import Scenario

PORTFOLIOS = {
    "bessent": ["currency"],
    "lutnick": ["auto_tariff", "investment"],
    "greer": ["agriculture", "nontariff"],
}


def hydra(mode: str = "portfolios") -> Scenario:
    return parse_scenario(
        {
            "extends": "june2025",
            "dynamics": {"hydra": mode},
            "parties": [{"key": k, "portfolio": v} for k, v in PORTFOLIOS.items()],
        },
        "hydra",
    )


def results(sc: Scenario, seeds: Any, **kwargs: Any) -> pd.DataFrame:
    model = NegotiationModel(sc, seeds=seeds, collect=False, narrate=False, **kwargs)
    model.run_model()
    table = model.results()
    model.release()
    return table


class GreerBlocksEverything(Negotiator):
    """Blocks every package (as if every one shortchanged him on his portfolio)."""

    def respond(self, packages: np.ndarray, rows: Any = slice(None)) -> Verdict:
        verdict = super().respond(packages, rows)
        return Verdict(
            accepts=np.zeros_like(verdict.accepts),
            reason=np.full_like(verdict.reason, Reason.BLOCKS),
            utility=verdict.utility,
        )


def test_a_block_is_a_veto_but_only_from_a_member_at_the_table() -> None:
    seeds = range(300)
    with_veto = results(hydra(), seeds, negotiators={"greer": GreerBlocksEverything})
    outvoted = results(hydra("majority"), seeds, negotiators={"greer": GreerBlocksEverything})
    assert (outvoted["status"] == "deal").mean() > 0.2  # a majority can carry without him
    deals = with_veto[with_veto["status"] == "deal"]
    sc = hydra()
    absent_days = {
        (r.date - sc.calendar.start).days + d
        for r in sc.calendar.rounds
        if r.attendees is not None and "greer" not in r.attendees
        for d in range(r.days)
    }
    assert len(deals) < (outvoted["status"] == "deal").sum()
    assert set(deals["day"]) <= absent_days  # deals only on days he is away


def test_a_delegation_that_always_holds_together_is_the_majority_rule_exactly() -> None:
    seeds = range(200)
    held = results(hydra(), seeds, overrides={"sides.us.cohesion": 1.0})
    plain = results(hydra("majority"), seeds, overrides={"sides.us.cohesion": 1.0})
    pd.testing.assert_frame_equal(held, plain)


def test_a_divided_delegation_strikes_fewer_and_later_deals() -> None:
    seeds = range(1000)
    share, day = {}, {}
    for cohesion in (0.2, 0.9):
        table = results(hydra(), seeds, overrides={"sides.us.cohesion": cohesion})
        deals = table[table["status"] == "deal"]
        share[cohesion], day[cohesion] = len(deals) / len(table), deals["day"].median()
    assert share[0.2] < share[0.9] - 0.05  # paired over 1,000 seeds: noise is about 1 point
    assert day[0.2] >= day[0.9]


def verdicts_on(model: NegotiationModel, key: str, package: np.ndarray) -> Verdict:
    return model.negotiators[key].respond(package[None, None, :], np.array([0]))


def test_a_member_blocks_only_over_the_issues_of_its_portfolio_on_the_table() -> None:
    # The yen leaves the table on 24 April: from then on Bessent, whose portfolio it is, has
    # nothing at this table to block over, however little the package gives him on it.
    model = NegotiationModel(hydra(), rng=0, collect=False, narrate=False)
    c = model.compiled
    yen = c.issue_keys.index("currency")
    worst = np.array(c.ideal[0, c.party_keys.index("akazawa")])  # Japan's ideal on every issue
    before, after = [], []
    while model.running and model.day < 60:
        model.step()
        off = bool(c.days.off_table[model.day, yen])
        blocks = verdicts_on(model, "bessent", worst).reason[0, 0] == Reason.BLOCKS
        (after if off else before).append(blocks)
    assert any(before) and not any(after) and after


def test_an_issue_off_the_table_leaves_the_rest_of_a_portfolio_to_block_over() -> None:
    model = NegotiationModel(hydra(), rng=0, collect=False, narrate=False)
    c = model.compiled
    lutnick = model.negotiators["lutnick"]
    weights, ideal = c.weights[:1, None, lutnick.index], c.ideal[:1, None, lutnick.index]
    auto, investment = c.issue_keys.index("auto_tariff"), c.issue_keys.index("investment")
    package = np.array(ideal[0, 0])
    package[investment] = c.ideal[0, c.party_keys.index("akazawa"), investment]  # none of it
    packages = package[None, None, :]
    model.state.aspiration[0, lutnick.index] = 0.95
    model.state.seeds[0] = 0  # any seed: cohesion 0 below makes every draw a block
    cohesion = model.compiled.cohesion
    cohesion[...] = 0.0
    both = lutnick._blocks(packages, np.array([0]), weights, ideal, np.array([auto, investment]))
    cars = lutnick._blocks(packages, np.array([0]), weights, ideal, np.array([auto]))
    assert both[0, 0] and not cars[0, 0]  # short on investment only: blocks only over both


def test_ensemble_rows_equal_single_runs_with_portfolios() -> None:
    assert_ensemble_matches_single_runs(hydra(), [0, 3, 8, 21])


def test_a_portfolio_names_known_issues() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(
            {"extends": "june2025", "parties": [{"key": "greer", "portfolio": ["rice"]}]}, "b"
        )
    assert (
        info.value.field == "parties.greer.portfolio[0]" and "unknown issue" in info.value.problem
    )


def test_narration_says_whose_block_counts() -> None:
    # Greer is away from round 6 (13 June): the narration says he would block, not that he
    # does; and nobody blocks over the yen once it is off the table (24 April).
    away = 0
    for seed in range(5):
        model = NegotiationModel(hydra(), rng=seed, narrate=True)
        model.run_model()
        log = model.log
        away += sum("Jamieson Greer, away, would block it over" in line for line in log)
        late = next(i for i, line in enumerate(log) if line.startswith("2025-04-24"))
        assert not any("blocks it over yen" in line for line in log[late:])
    assert away > 0
