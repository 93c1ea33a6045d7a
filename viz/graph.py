"""The concession graph: who gave way to whom, drawn on one day or as small multiples.

Nodes keep the scenario's fixed layout (``viz.style.graph_layout``) on every day; an edge
u → v is as wide as the utility v has gained from u's concessions so far and takes the colour
of u's side, so a teacher can see which side has been giving ground.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import networkx as nx
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patheffects import withStroke

from model.schema import Scenario
from viz.history import RunHistory
from viz.style import graph_layout, short_name, side_colour, side_colour_of

NODE_SIZE = 1500
MAX_WIDTH = 9.0  # points, for the largest concession drawn
FULL_WIDTH_AT = 0.5  # utility conceded that gets the full width when nothing is larger


def edge_widths(graph: nx.DiGraph, scale: float | None = None) -> list[float]:
    """Line widths of the edges, proportional to the utility conceded.

    Args:
        graph: A concession graph.
        scale: The concession drawn at full width; pass one value for every panel of a
            figure so widths compare across days (default: the largest edge or 0.5).
    """
    weights = [float(d["weight"]) for _, _, d in graph.edges(data=True)]
    top = scale if scale is not None else max([FULL_WIDTH_AT, *weights])
    return [0.6 + MAX_WIDTH * w / top for w in weights]


def frame_graph(ax: Axes, scenario: Scenario) -> None:
    """The still parts of a graph panel: limits around the fixed layout, no axes."""
    pos = graph_layout(scenario)
    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    ax.set_xlim(xs.min() - 0.45, xs.max() + 0.45)
    ax.set_ylim(min(ys.min(), -0.5) - 0.45, max(ys.max(), 0.5) + 0.45)
    ax.set_aspect("equal")
    ax.set_axis_off()


def graph_artists(
    ax: Axes,
    graph: nx.DiGraph,
    scenario: Scenario,
    scale: float | None = None,
    node_size: float = NODE_SIZE,
    font_size: float = 8.0,
) -> list[Artist]:
    """Draw a concession graph's nodes, labels and edges; return what was drawn.

    Args:
        ax: The axes.
        graph: The concession graph.
        scenario: The scenario, for layout, names and colours.
        scale: The concession drawn at full width (see ``edge_widths``).
        node_size: Node area in points squared.
        font_size: The names' size in points.
    """
    pos = graph_layout(scenario)
    nodes = scenario.party_keys
    out: list[Artist] = [
        nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=nodes,
            ax=ax,
            node_color=[side_colour(scenario, n) for n in nodes],
            node_size=node_size,
            alpha=0.95,
            linewidths=1.0,
            edgecolors="white",
        )
    ]
    labels = {k: short_name(scenario, k) for k in nodes}
    names = nx.draw_networkx_labels(
        graph, pos, labels=labels, ax=ax, font_size=font_size, font_color="white"
    )
    for key, name in names.items():
        # A name wider than its node stays white on its side's colour, not white on white.
        name.set_path_effects([withStroke(linewidth=3, foreground=side_colour(scenario, key))])
    out += names.values()
    edges = list(graph.edges())
    if edges:
        out += nx.draw_networkx_edges(
            graph,
            pos,
            edgelist=edges,
            ax=ax,
            width=edge_widths(graph, scale),
            edge_color=[side_colour(scenario, u) for u, _ in edges],
            alpha=0.75,
            arrows=True,
            arrowstyle="-|>",
            arrowsize=14,
            connectionstyle="arc3,rad=0.18",  # u → v and v → u bend apart instead of overlapping
            node_size=node_size,
        )
    return out


def draw_concession_graph(
    ax: Axes,
    graph: nx.DiGraph,
    scenario: Scenario,
    scale: float | None = None,
    title: str | None = None,
) -> None:
    """Draw a concession graph on the scenario's fixed layout.

    Args:
        ax: The axes.
        graph: Run 0's concession graph (``model.concession_graph``, or a copy of a past day).
        scenario: The scenario, for layout, names and colours.
        scale: The concession drawn at full width (see ``edge_widths``).
        title: Axes title (none when None).
    """
    frame_graph(ax, scenario)
    graph_artists(ax, graph, scenario, scale)
    if title:
        ax.set_title(title, fontsize=9)


def graph_key(scenario: Scenario) -> list[Line2D]:
    """Legend handles: an edge's colour is the side that conceded."""
    return [
        Line2D([], [], color=side_colour_of(scenario, k), linewidth=3, label=f"{s.name} conceded")
        for k, s in scenario.sides.items()
    ]


def width_key(scale: float, conceded: Sequence[float] | None = None) -> list[Line2D]:
    """Legend handles: how wide an edge is for a given utility conceded.

    Args:
        scale: The concession drawn at full width, as passed to ``graph_artists``.
        conceded: The utilities to show (default: a fifth, half and all of ``scale``).
    """
    values = list(conceded) if conceded is not None else [scale / 5, scale / 2, scale]
    return [
        Line2D([], [], color="#555555", linewidth=0.6 + MAX_WIDTH * v / scale, label=f"{v:.2g}")
        for v in values
    ]


def chosen_days(history: RunHistory, count: int = 6) -> list[int]:
    """Days worth a panel: round days spread evenly over the run, always including the last."""
    days = sorted(set(history.round_days) | {history.last_day})
    if len(days) <= count:
        return days
    picks = np.linspace(0, len(days) - 1, count).round().astype(int)
    return [days[i] for i in sorted(set(picks.tolist()))]


def concession_graph_days(history: RunHistory, days: Sequence[int] | None = None) -> Figure:
    """Small multiples of the concession graph on chosen days, on one fixed layout and scale.

    Args:
        history: A recorded run (``viz.history.record_run``).
        days: The days to draw (default: ``chosen_days``).

    Returns:
        The figure.
    """
    model = history.model
    sc = model.scenario
    days = list(days) if days is not None else chosen_days(history)
    graphs = [history.graph_on(d) for d in days]
    scale = max(
        [FULL_WIDTH_AT * 0.2, *[d["weight"] for g in graphs for _, _, d in g.edges(data=True)]]
    )
    cols = min(3, len(days))
    rows = math.ceil(len(days) / cols)
    fig = Figure(figsize=(3.6 * cols, 3.1 * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, day, g in zip(axes, days, graphs, strict=False):
        date = sc.calendar.start + dt.timedelta(days=day)
        moves = sum(int(d["count"]) for _, _, d in g.edges(data=True))
        title = f"{date:%d %b %Y} (day {day})\n{moves} concession moves so far"
        draw_concession_graph(ax, g, sc, scale=scale, title=title)
    for ax in axes[len(days) :]:
        ax.set_axis_off()
    fig.legend(
        handles=graph_key(sc),
        loc="outside lower center",
        ncol=len(sc.sides),
        fontsize=8,
        frameon=False,
        title=f"edge u → v: utility v gained from u's concessions (widest = {scale:.2f})",
        title_fontsize=8,
    )
    o = model.outcome
    verdict = f"{o.status} on {o.date.isoformat()}" if o else "running"
    fig.suptitle(f"{sc.title}: concession graph, seed {model.state.seeds[0]} — {verdict}")
    return fig
