"""The app's Class board page: every finished game of the class on one plane, a table and a CSV.

The board exists when the app was started with ``negotiate app --class`` (``viz.board``). The
page shows the games of one scenario: each game's end on the utility plane of the two sides,
with the frontier, the no-deal point and the Nash and Kalai–Smorodinsky points of the seed
most of them played (a class usually plays one seed, so that every student faces the same
problem), and a table of every game with a CSV download.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure

from model.loading import load_scenario
from model.negotiation import NegotiationModel
from viz.app_play import figure_html
from viz.board import board_csv, board_games, board_path
from viz.prose import Prose
from viz.style import BREAKDOWN_COLOUR, DEAL_COLOUR
from viz.utility_plane import frame_plane

FONT = 12


def board_figure(scenario: str, games: pd.DataFrame) -> tuple[Figure, str]:
    """The plane of a scenario's games (two sides) and its alt text."""
    seed = int(games["seed"].mode().iloc[0])
    model = NegotiationModel(load_scenario(scenario), rng=seed, collect=False, narrate=False)
    fig = Figure(figsize=(6.4, 5.6), layout="constrained")
    ax = fig.subplots()
    shares = frame_plane(ax, model)
    keys = model.scenario.party_keys
    util = np.array([[json.loads(u)[k] for k in keys] for u in games["utilities"]])
    ends = util @ shares.T
    deal = (games["status"] == "deal").to_numpy()
    for mask, colour, label in (
        (deal, DEAL_COLOUR, "deal"),
        (~deal, BREAKDOWN_COLOUR, "breakdown"),
    ):
        if mask.any():
            ax.scatter(
                *ends[mask].T,
                s=70,
                color=colour,
                edgecolors="black",
                zorder=6,
                label=f"a student's game: {label} ({int(mask.sum())})",
            )
    ax.legend(loc="lower left", fontsize=FONT - 2, framealpha=0.9)
    ax.tick_params(labelsize=FONT - 1)
    ax.xaxis.label.set_fontsize(FONT)
    ax.yaxis.label.set_fontsize(FONT)
    others = int((games["seed"] != seed).sum())
    note = f" ({others} games of other seeds drawn on it)" if others else ""
    ax.set_title(f"The class's games, on the plane of seed {seed}{note}", fontsize=FONT)
    alt = (
        f"{len(games)} games of {scenario}: {int(deal.sum())} deals and {int((~deal).sum())} "
        f"breakdowns, on the utility plane of seed {seed} with its Nash and "
        "Kalai–Smorodinsky points."
    )
    return fig, alt


@solara.component
def BoardPage() -> None:
    """The Class board page (see the module's description)."""
    refresh, set_refresh = solara.use_state(0)
    chosen, set_chosen = solara.use_state("")
    games = solara.use_memo(board_games, [refresh])
    path = board_path()
    with solara.Column(style={"max-width": "1100px", "padding": "8px"}):
        Prose("## Class board")
        if path is None:
            solara.Info(
                "The class board is off. Start the app with `negotiate app --class` and every "
                "game played on the Play page is posted here when it ends."
            )
            return
        with solara.Row():
            solara.Button("Refresh", on_click=lambda: set_refresh(refresh + 1), color="primary")
            solara.FileDownload(
                board_csv(games), filename="class_board.csv", label="Download the board (CSV)"
            )
        if games.empty:
            solara.Text("No game has ended yet.")
            return
        scenarios = sorted(games["scenario"].unique())
        if chosen not in scenarios:
            chosen = scenarios[0]
        solara.Select(label="Scenario", value=chosen, values=scenarios, on_value=set_chosen)
        mine = games[games["scenario"] == chosen]
        if len(load_scenario(chosen).side_keys) == 2:
            fig, alt = board_figure(chosen, mine)
            solara.HTML(tag="div", unsafe_innerHTML=figure_html(fig, alt))
        shown = mine[
            ["id", "player", "seat", "seed", "status", "date", "payoff", "agent_payoff"]
        ].rename(columns={"payoff": "worth to the seat", "agent_payoff": "the agent, same seed"})
        solara.DataFrame(shown.round(3), items_per_page=50)
