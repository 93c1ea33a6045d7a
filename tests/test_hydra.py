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
    assert share[0.2] < share[0.9] - 0.1
    assert day[0.2] >= day[0.9]


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
