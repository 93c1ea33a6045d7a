"""One run in one figure.

Each party's position on every issue over time, and the final concession graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from model.negotiation import NegotiationModel

SIDE_COLOURS = ("#1f4e9c", "#c0392b", "#2e8b57", "#8e44ad", "#d68910")


def side_colour(model: NegotiationModel, party: str) -> str:
    """Colour of a party's side."""
    side = model.scenario.party(party).side
    return SIDE_COLOURS[model.scenario.side_keys.index(side) % len(SIDE_COLOURS)]


def graph_layout(model: NegotiationModel) -> dict[str, tuple[float, float]]:
    """A fixed layout: sides on a circle, so nodes never move between days."""
    return nx.circular_layout(model.scenario.party_keys)


def draw_graph(model: NegotiationModel, ax: plt.Axes) -> None:
    """Draw run 0's concession graph: edge width by concession, node colour by side."""
    g = model.concession_graph
    pos = graph_layout(model)
    colours = [side_colour(model, n) for n in g.nodes]
    widths = [0.5 + 12.0 * d["weight"] for _, _, d in g.edges(data=True)]
    nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colours, node_size=900, alpha=0.9)
    labels = {k: model.scenario.party(k).name.split()[-1] for k in g.nodes}
    nx.draw_networkx_labels(g, pos, labels=labels, ax=ax, font_size=8, font_color="white")
    nx.draw_networkx_edges(
        g,
        pos,
        ax=ax,
        width=widths,
        edge_color="#555555",
        arrows=True,
        connectionstyle="arc3,rad=0.15",
        node_size=900,
        arrowsize=12,
    )
    ax.set_title("Concession graph (edge width: utility conceded)", fontsize=9)
    ax.set_axis_off()


def run_figure(model: NegotiationModel) -> Figure:
    """Positions over time (one panel per issue) and the final concession graph.

    Args:
        model: A single-run model that collected daily data.

    Returns:
        The figure.
    """
    data = model.datacollector.get_model_vars_dataframe()
    s = model.scenario
    n = len(s.issues)
    cols = 4
    rows = (n + 1 + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.0 * cols, 2.8 * rows), squeeze=False)
    flat = axes.ravel()
    deadline = model.compiled.deadline_day
    for ax, issue in zip(flat, s.issues, strict=False):
        for party in s.party_keys:
            ax.plot(
                data["day"],
                data[f"{party}.{issue.key}"],
                label=s.party(party).name,
                color=side_colour(model, party),
                alpha=0.85,
                linestyle="-" if s.party(party).key == s.sides[s.party(party).side].lead else "--",
            )
        ax.axvline(deadline, color="black", linewidth=0.8, linestyle=":")
        for day, labels in enumerate(model.compiled.days.labels):
            if labels and day <= data["day"].max():
                ax.axvline(day, color="#999999", linewidth=0.5)
        ax.set_title(f"{issue.label} ({issue.unit})", fontsize=8)
        ax.set_ylim(issue.min, issue.max)
        ax.tick_params(labelsize=7)
    flat[0].legend(fontsize=6, loc="best")
    draw_graph(model, flat[n])
    for ax in flat[n + 1 :]:
        ax.set_axis_off()
    o = model.outcome
    verdict = f"{o.status} on {o.date}" if o else "running"
    fig.suptitle(f"{s.title} — seed {model.state.seeds[0]}: {verdict}", fontsize=10)
    fig.tight_layout()
    return fig


def save_run_figure(model: NegotiationModel, path: Path) -> None:
    """Write ``run_figure`` to a PNG."""
    fig = run_figure(model)
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
