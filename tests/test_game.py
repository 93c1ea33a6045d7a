"""A person in a seat (``agents.human``, ``experiments.game``): faithful, replayable, decisive.

A person who answers every question as the agent in the seat would gets the agent's run, field
for field; a game replays from its answers alone; what the person tables and accepts decides
the run (a person who asks for everything and accepts nothing never reaches a deal).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from agents.human import AwaitingAnswer, Desk, HumanSeat
from experiments.game import Answers, Game
from model import NegotiationModel
from model.errors import ArgumentError


def agent_row(scenario: str, seed: int) -> dict[str, object]:
    model = NegotiationModel(scenario, rng=seed)
    model.run_model()
    return dict(model.results().iloc[0])


def same(a: object, b: object) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b))


def play_as_agent(game: Game) -> int:
    asked = 0
    while not game.over:
        asked += 1
        game.follow_agent()
    return asked


@pytest.mark.parametrize(
    ("scenario", "seat", "seed"),
    [("june2025", "akazawa", 0), ("june2025", "akazawa", 3), ("june2025", "lutnick", 1)],
)
def test_answering_as_the_agent_gives_the_agents_run(scenario: str, seat: str, seed: int) -> None:
    game = Game(scenario, seat, seed, every_round=True)
    asked = play_as_agent(game)
    assert asked >= 2  # at least one package and one verdict
    row, expected = game.result(), agent_row(scenario, seed)
    assert [k for k in expected if not same(row[k], expected[k])] == []


def test_a_game_replays_from_its_answers() -> None:
    game = Game("june2025", "akazawa", 2)
    rng = np.random.default_rng(7)
    while not game.over:
        q = game.question
        assert q is not None
        if q.kind == "package":
            # Somewhere between the agent's package and the seat's own ideal.
            ideal = game.model.compiled.ideal[0, game.scenario.party_keys.index("akazawa")]
            mix = rng.uniform(0.0, 1.0)
            game.table(mix * ideal + (1 - mix) * q.suggestion, real=False)
        else:
            game.answer(list(rng.uniform(size=len(q.suggestion)) < 0.3))
    stored = Answers.from_dict(json.loads(json.dumps(game.answers.to_dict())))
    again = Game("june2025", "akazawa", 2, answers=stored)
    assert again.over
    assert again.model.log == game.model.log
    first, second = game.result(), again.result()
    assert all(same(first[k], second[k]) for k in first)


def test_asking_everything_and_accepting_nothing_never_deals() -> None:
    for seed in range(3):
        game = Game("june2025", "akazawa", seed)
        ideal = game.model.compiled.ideal[0, game.scenario.party_keys.index("akazawa")]
        while not game.over:
            q = game.question
            assert q is not None
            if q.kind == "package":
                game.table(ideal, real=False)
            else:
                assert q.asked is not None and not q.asked[1]  # its own offer is not asked
                game.answer({"us": False})
        assert game.result()["status"] == "breakdown"
        assert "Ryosei Akazawa (you) turns it down" in "\n".join(game.model.log)


def test_the_persons_package_is_the_one_tabled() -> None:
    game = Game("june2025", "akazawa", 0)
    q = game.question
    assert q is not None and q.kind == "package"
    lo, hi = game.win_set()
    package = (lo + hi) / 2  # inside Tokyo's win-set: tabled as it is
    game.table(package)
    assert game.question is not None and game.question.kind == "verdict"
    tabled = game.question.packages
    assert tabled is not None
    japan = game.scenario.side_keys.index("japan")
    real = game.model.compiled.to_real(tabled[japan])
    np.testing.assert_allclose(real, package, rtol=0, atol=1e-9)


def test_the_seat_stands_by_its_package_when_not_its_turn() -> None:
    game = Game("june2025", "akazawa", 0)
    kinds = []
    while not game.over and len(kinds) < 12:
        assert game.question is not None
        kinds.append(game.question.kind)
        game.follow_agent()
    # Two sides take turns to open: a package on every other round only, a verdict on each.
    assert kinds.count("verdict") > kinds.count("package") >= 2


def test_wrong_answers_are_refused_in_one_line() -> None:
    with pytest.raises(ArgumentError, match="seat"):
        Game("june2025", "kishida", 0)
    game = Game("june2025", "akazawa", 0)
    with pytest.raises(ArgumentError, match="asked for a package"):
        game.answer([True, True])
    with pytest.raises(ArgumentError, match="one value per issue"):
        game.table([1.0, 2.0])
    game.follow_agent()
    with pytest.raises(ArgumentError, match="not a side"):
        game.answer({"china": True})


def test_a_seat_without_a_desk_is_refused() -> None:
    with pytest.raises(TypeError, match=r"HumanSeat\.at"):
        NegotiationModel("june2025", rng=0, negotiators={"akazawa": HumanSeat})


def test_a_seat_stops_the_day_it_cannot_answer() -> None:
    model = NegotiationModel("june2025", rng=0, negotiators={"akazawa": HumanSeat.at(Desk())})
    with pytest.raises(AwaitingAnswer) as asked:
        model.step()
    assert asked.value.question.kind == "package" and asked.value.question.day == 0


def test_the_debrief_sets_the_person_beside_the_agent() -> None:
    game = Game("june2025", "akazawa", 0, every_round=True)
    play_as_agent(game)
    debrief = game.debrief(runs=50)
    assert len(debrief.agents) == 50
    assert debrief.payoff == pytest.approx(debrief.agent_payoff, abs=0)
    assert debrief.agents["seed"].tolist() == list(range(50))
    assert 0.0 <= debrief.share_beaten <= 1.0
    assert debrief.nash is not None and 0.0 < debrief.nash <= 1.0
    text = debrief.summary()
    assert "You did as well as it" in text and "Over 50 seeds" in text
