"""The Negotiator's decisions are seams: a subclass that replaces one of them changes outcomes.

Each test replaces one decision (respond or propose) of one party, runs the same seeds with and
without it, and checks the change theory demands. Ensemble rows still equal single runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import assert_rows_equal, row_of

from agents import Negotiator, Reason, Verdict
from experiments.mechanisms import SWITCHES_OFF
from model import NegotiationModel
from model.errors import ArgumentError, UserError
from model.loading import parse_scenario
from model.schema import Scenario

SEEDS = range(600)


def same_answer(verdict: Verdict, accept: bool) -> Verdict:
    """The verdict with one answer to every package (keeping what each is worth)."""
    reason = Reason.ACCEPTS if accept else Reason.BELOW_ASPIRATION
    return Verdict(
        accepts=np.full_like(verdict.accepts, accept),
        reason=np.full_like(verdict.reason, reason),
        utility=verdict.utility,
    )


class AlwaysRejects(Negotiator):
    """Turns down every package."""

    def respond(self, packages: np.ndarray, rows: Any = slice(None)) -> Verdict:
        return same_answer(super().respond(packages, rows), accept=False)


class AcceptsEverything(Negotiator):
    """Says yes to any package (its side's rule and principals still apply)."""

    def respond(self, packages: np.ndarray, rows: Any = slice(None)) -> Verdict:
        return same_answer(super().respond(packages, rows), accept=True)


class TablesItsIdeal(Negotiator):
    """Puts forward its ideal point (inside its win-set) every round, whatever its aspiration."""

    def propose(self, rows: Any = slice(None), day: int | None = None) -> np.ndarray:
        top = np.ones_like(self.model.state.aspiration[rows][:, :1])
        return self.package_at(top, rows, day)


def ensemble(
    negotiators: dict[str, type[Negotiator]] | None, scenario: str | Scenario = "june2025"
) -> pd.DataFrame:
    model = NegotiationModel(
        scenario, seeds=SEEDS, collect=False, narrate=False, negotiators=negotiators
    )
    model.run_model()
    table = model.results()
    model.release()
    return table


@pytest.fixture(scope="module")
def baseline() -> pd.DataFrame:
    return ensemble(None)


def deal_share(table: pd.DataFrame) -> float:
    return float((table["status"] == "deal").mean())


def test_a_party_that_always_rejects_makes_every_run_break_down(baseline: pd.DataFrame) -> None:
    assert deal_share(baseline) > 0.5
    table = ensemble({"akazawa": AlwaysRejects})
    assert (table["status"] == "breakdown").all()
    single = NegotiationModel("june2025", rng=3, negotiators={"akazawa": AlwaysRejects})
    single.run_model()
    assert single.outcome is not None and single.outcome.status == "breakdown"


def test_a_party_that_accepts_everything_gets_more_deals_farther_from_its_ideal() -> None:
    # Every switch off, as when this was written: there the deals it adds (runs that broke down
    # without it) lie farther from its ideal. It is one voice in a clout-weighted majority, and
    # in runs that deal either way its deal tends to come earlier and nearer its ideal; with
    # the baseline's dynamics on, even the deals it adds are no farther, and the mean rises.
    alone = parse_scenario({"extends": "june2025", **SWITCHES_OFF}, "switches off")
    baseline = ensemble(None, alone)
    table = ensemble({"bessent": AcceptsEverything}, alone)
    assert deal_share(table) > deal_share(baseline) + 0.05
    mine = table.loc[table["status"] == "deal", "utility_bessent"].mean()
    before = baseline.loc[baseline["status"] == "deal", "utility_bessent"].mean()
    assert mine < before  # its deals lie farther from its ideal point


def test_a_lead_that_tables_its_ideal_forever_changes_the_deals_its_side_strikes(
    baseline: pd.DataFrame,
) -> None:
    table = ensemble({"akazawa": TablesItsIdeal})
    assert deal_share(table) < deal_share(baseline) - 0.2
    model = NegotiationModel("june2025", rng=0, negotiators={"akazawa": TablesItsIdeal})
    model.run_model()
    ideal = model.negotiators["akazawa"].package_at(np.ones((1, 1)), slice(0, 1))[0]
    japan = model.compiled.side_keys.index("japan")
    np.testing.assert_allclose(model.state.offers[0, japan], ideal, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "negotiators",
    [{"akazawa": AlwaysRejects}, {"bessent": AcceptsEverything}, {"akazawa": TablesItsIdeal}],
)
def test_ensemble_rows_equal_single_runs_with_replaced_decisions(
    negotiators: dict[str, type[Negotiator]],
) -> None:
    seeds = [0, 5, 11]
    model = NegotiationModel(
        "june2025", seeds=seeds, collect=False, narrate=False, negotiators=negotiators
    )
    model.run_model()
    for i, seed in enumerate(seeds):
        single = NegotiationModel("june2025", rng=seed, negotiators=negotiators)
        single.run_model()
        assert single.outcome is not None
        assert_rows_equal(single.outcome.to_row(), row_of(model, i), f"seed {seed}")


def test_the_chosen_class_sits_in_the_chosen_seat_only() -> None:
    model = NegotiationModel("june2025", rng=0, negotiators={"greer": AcceptsEverything})
    kinds = {key: type(agent) for key, agent in model.negotiators.items()}
    assert kinds == {
        "bessent": Negotiator,
        "lutnick": Negotiator,
        "greer": AcceptsEverything,
        "akazawa": Negotiator,
    }


@pytest.mark.parametrize(
    ("negotiators", "problem"),
    [({"nobody": Negotiator}, "no such party"), ({"greer": object}, "subclass of Negotiator")],
)
def test_a_bad_seat_or_class_is_one_clear_error(negotiators: Any, problem: str) -> None:
    with pytest.raises(ArgumentError) as info:
        NegotiationModel("june2025", rng=0, negotiators=negotiators)
    assert isinstance(info.value, UserError)
    assert problem in info.value.line() and info.value.line().startswith("argument negotiators")


def test_every_rejection_carries_a_reason() -> None:
    model = NegotiationModel("june2025", rng=1)
    reasons_seen: set[int] = set()
    while model.running:
        model.step()
        for agent in model.negotiators.values():
            table = model.state.offers[:1]
            verdict = agent.respond(table)
            assert np.all((verdict.reason == Reason.ACCEPTS) == verdict.accepts)
            reasons_seen |= set(verdict.reason.ravel().tolist())
    assert Reason.OUTSIDE_WIN_SET in reasons_seen and Reason.BELOW_ASPIRATION in reasons_seen
