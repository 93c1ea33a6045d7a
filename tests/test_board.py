"""The class board's store (``viz.board``): games in, the same games out, and a clean CSV."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.game import Answers, Game
from viz.board import board_csv, board_games, post_game


@pytest.fixture(scope="module")
def finished_game() -> Game:
    game = Game("june2025", "akazawa", 1)
    while not game.over:
        game.follow_agent()
    return game


def test_posted_games_come_back_and_replay(finished_game: Game, tmp_path: Path) -> None:
    path = tmp_path / "board.sqlite"
    assert board_games(path).empty
    debrief = finished_game.debrief(runs=20)
    assert post_game(finished_game, debrief, "  Ada   Lovelace ", path) == (
        "Posted to the class board as game 1 (Ada Lovelace)."
    )
    assert "game 2 (anonymous)" in post_game(finished_game, debrief, "", path)
    games = board_games(path)
    assert list(games["player"]) == ["Ada Lovelace", "anonymous"]
    assert games.loc[0, "status"] == debrief.status
    assert games.loc[0, "payoff"] == debrief.payoff
    # The stored answers replay the game exactly.
    answers = Answers.from_dict(json.loads(games.loc[0, "answers"]))
    again = Game("june2025", "akazawa", int(games.loc[0, "seed"]), answers=answers)
    assert again.over and again.model.log == finished_game.model.log

    table = pd.read_csv(io.StringIO(board_csv(games)))
    assert len(table) == 2
    assert "answers" not in table.columns and "utilities" not in table.columns
    assert table.loc[0, "utility_akazawa"] == pytest.approx(debrief.utilities["akazawa"])


def test_no_board_stores_nothing(finished_game: Game, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEGOTIATE_APP_BOARD", raising=False)
    assert post_game(finished_game, finished_game.debrief(runs=5), "x") == ""
    assert board_games().empty
    assert list(pd.read_csv(io.StringIO(board_csv(board_games()))).columns)


def test_a_data_folder_that_cannot_hold_the_board_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = subprocess.run(
        [sys.executable, "-m", "negotiate", "app", "--class", "--data", str(blocker / "x")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--data" in lines[0] and "class board" in lines[0]
