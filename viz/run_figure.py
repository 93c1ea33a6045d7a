"""One run in one figure (``run.png``): each party's position on every issue, and the graph.

The separate, larger figures of the same run are in ``viz.timelines``, ``viz.graph`` and
``viz.utility_plane``; this one keeps everything on one page.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from viz.graph import draw_concession_graph
from viz.timelines import (
    calendar_markers,
    daily_table,
    draw_markers,
    draw_positions,
    party_handles,
    verdict,
)

if TYPE_CHECKING:
    from model.negotiation import NegotiationModel


def run_figure(model: NegotiationModel) -> Figure:
    """Positions over time (one panel per issue) and the final concession graph.

    Args:
        model: A single-run model that collected daily data.

    Returns:
        The figure.
    """
    sc = model.scenario
    data = daily_table(model)
    n = len(sc.issues)
    cols = 4
    rows = math.ceil((n + 1) / cols)
    fig = Figure(figsize=(4.0 * cols, 2.8 * rows), layout="constrained")
    flat = fig.subplots(rows, cols, squeeze=False).ravel()
    markers = calendar_markers(model)
    for ax, issue in zip(flat, sc.issue_keys, strict=False):
        draw_markers(ax, markers, numbers=False)
        draw_positions(ax, model, issue, data)
    flat[0].legend(handles=party_handles(model), fontsize=6, loc="best")
    draw_concession_graph(
        flat[n], model.concession_graph, sc, title="Concession graph (width: utility conceded)"
    )
    for ax in flat[n + 1 :]:
        ax.set_axis_off()
    fig.suptitle(f"{sc.title} — seed {model.state.seeds[0]}: {verdict(model)}", fontsize=10)
    return fig
