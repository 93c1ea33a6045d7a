"""The debrief's figure: a person's result beside the agent in the same seat and the theory.

With two sides, the utility plane of the seed's bargaining problem (frontier, no-deal point,
Nash and Kalai–Smorodinsky points; ``viz.utility_plane``) with the agent's ends over the
debrief's seeds as a cloud, the agent's end on the same seed, and the person's. With more
sides, where no plane can show every side, the distribution of what the end is worth to the
seat, the person's value marked on it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from experiments.game import Debrief, Game
from viz.style import BREAKDOWN_COLOUR, DEAL_COLOUR
from viz.utility_plane import frame_plane

FONT = 12  # legible from the back of a room at 100% zoom


def debrief_figure(game: Game, debrief: Debrief) -> Figure:
    """The debrief's figure for a finished game (see the module's description)."""
    sc = game.scenario
    fig = Figure(figsize=(6.4, 5.6), layout="constrained")
    ax = fig.subplots()
    keys = sc.party_keys
    if len(sc.side_keys) == 2:
        shares = frame_plane(ax, game.model, game.solutions())
        agents = debrief.agents
        util = agents[[f"utility_{k}" for k in keys]].to_numpy(float) @ shares.T
        deal = (agents["status"] == "deal").to_numpy()
        ax.scatter(
            *util[deal].T,
            s=9,
            color="#7f8c8d",
            alpha=0.35,
            linewidths=0,
            zorder=2,
            label=f"the agent's deals over {len(agents):,} seeds",
        )
        agent_end = shares @ np.array([debrief.agent_utilities[k] for k in keys])
        ax.plot(
            *agent_end,
            marker="s",
            markersize=11,
            linestyle="",
            markerfacecolor="none",
            markeredgecolor="#2c3e50",
            markeredgewidth=2,
            zorder=6,
            label=f"the agent in your seat, this seed ({debrief.agent_status})",
        )
        you = shares @ np.array([debrief.utilities[k] for k in keys])
        colour = DEAL_COLOUR if debrief.status == "deal" else BREAKDOWN_COLOUR
        ax.plot(
            *you,
            marker="o",
            markersize=13,
            linestyle="",
            color=colour,
            markeredgecolor="black",
            zorder=7,
            label=f"you ({debrief.status}, {debrief.date})",
        )
        ax.legend(loc="lower left", fontsize=FONT - 2, framealpha=0.9)
        ax.xaxis.label.set_fontsize(FONT)
        ax.yaxis.label.set_fontsize(FONT)
    else:
        payoff = debrief.agents["payoff"].to_numpy(float)
        ax.hist(payoff, bins=30, color="#95a5a6", label=f"the agent over {len(payoff):,} seeds")
        ax.axvline(debrief.payoff, color="black", linewidth=2.5, label="you")
        ax.axvline(
            debrief.agent_payoff,
            color="#2c3e50",
            linestyle="--",
            linewidth=2,
            label="the agent, this seed",
        )
        ax.set_xlabel(f"what the end is worth to {debrief.name}", fontsize=FONT)
        ax.set_ylabel("runs", fontsize=FONT)
        ax.legend(fontsize=FONT - 2)
    ax.tick_params(labelsize=FONT - 1)
    ax.set_title(f"{debrief.name}: you against the agent in your seat", fontsize=FONT)
    return fig


def debrief_alt(debrief: Debrief) -> str:
    """The figure's alt text: what it shows, in words."""
    return (
        f"Your result as {debrief.name} ({debrief.status}, worth {debrief.payoff:.2f}) beside "
        f"the agent in your seat on the same seed ({debrief.agent_status}, worth "
        f"{debrief.agent_payoff:.2f}) and its results over {len(debrief.agents):,} seeds."
    )
