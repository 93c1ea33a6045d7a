"""The class board's store: every finished game of a class, in one SQLite file.

``negotiate app --class`` keeps the board in ``board.sqlite`` under the app's data folder and
tells the app's sessions where through an environment variable; without ``--class`` there is
no board and nothing is stored. Each game is one row: who played which seat of which scenario
and seed, how it ended, what it was worth to every party, the agent's result on the same seed,
and the answers, from which the game replays exactly (``experiments.game.Answers``).

Sessions share the board and nothing else: a session writes its own finished game and reads
the rows; no session's game or state is reachable from another.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pandas as pd

from experiments.game import Debrief, Game

BOARD_ENV = "NEGOTIATE_APP_BOARD"
BOARD_FILE = "board.sqlite"
COLUMNS = (
    "id",
    "posted",
    "player",
    "scenario",
    "seat",
    "seed",
    "status",
    "date",
    "payoff",
    "agent_status",
    "agent_payoff",
    "share_beaten",
    "utilities",
    "answers",
)
MAX_PLAYER = 40  # characters kept of a player's name


def board_path() -> Path | None:
    """The board's file when the app keeps a board (``--class``), else None."""
    where = os.environ.get(BOARD_ENV)
    return Path(where) if where else None


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=10.0)
    con.execute(
        "CREATE TABLE IF NOT EXISTS games (id INTEGER PRIMARY KEY AUTOINCREMENT, posted REAL, "
        "player TEXT, scenario TEXT, seat TEXT, seed INTEGER, status TEXT, date TEXT, "
        "payoff REAL, agent_status TEXT, agent_payoff REAL, share_beaten REAL, "
        "utilities TEXT, answers TEXT)"
    )
    return con


def post_game(game: Game, debrief: Debrief, player: str = "", path: Path | None = None) -> str:
    """Put a finished game on the board; return a line saying so ("" without a board).

    Args:
        game: The finished game.
        debrief: Its debrief.
        player: The name the student gave (cut to 40 characters; "anonymous" when empty).
        path: The board's file (default: the app's, ``board_path()``).
    """
    path = path or board_path()
    if path is None:
        return ""
    name = " ".join(player.split())[:MAX_PLAYER] or "anonymous"
    with _connect(path) as con:
        cur = con.execute(
            "INSERT INTO games (posted, player, scenario, seat, seed, status, date, payoff, "
            "agent_status, agent_payoff, share_beaten, utilities, answers) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                time.time(),
                name,
                game.scenario.name,
                game.seat,
                game.seed,
                debrief.status,
                debrief.date,
                debrief.payoff,
                debrief.agent_status,
                debrief.agent_payoff,
                debrief.share_beaten,
                json.dumps(debrief.utilities),
                json.dumps(game.answers.to_dict()),
            ),
        )
        number = cur.lastrowid
    con.close()
    return f"Posted to the class board as game {number} ({name})."


def board_games(path: Path | None = None) -> pd.DataFrame:
    """Every game on the board, oldest first (an empty table without a board or games)."""
    path = path or board_path()
    if path is None or not path.exists():
        return pd.DataFrame(columns=list(COLUMNS))
    con = _connect(path)
    try:
        frame = pd.read_sql_query(f"SELECT {', '.join(COLUMNS)} FROM games ORDER BY id", con)
    finally:
        con.close()
    return frame


def board_csv(frame: pd.DataFrame) -> str:
    """The board as CSV: one row per game, each party's utility in its own column."""
    if frame.empty:
        return frame.drop(columns=["answers"], errors="ignore").to_csv(index=False)
    utilities = pd.DataFrame([json.loads(u) for u in frame["utilities"]]).add_prefix("utility_")
    out = pd.concat(
        [frame.drop(columns=["utilities", "answers"]).reset_index(drop=True), utilities], axis=1
    )
    out["posted"] = pd.to_datetime(out["posted"], unit="s").dt.strftime("%Y-%m-%d %H:%M:%S")
    return out.to_csv(index=False)
