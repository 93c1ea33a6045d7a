"""``negotiate compare`` as a figure: days to a deal and the deals' terms, A beside B."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from experiments.compare import Comparison, union_issues
from experiments.summary import survival

COLOURS = ("#1f4e9c", "#d68910")


def comparison_figure(cmp: Comparison) -> Figure:
    """Days to a deal as survival curves, and the deals' terms issue by issue, A beside B.

    Args:
        cmp: The comparison.

    Returns:
        The figure (not attached to pyplot).
    """
    issues = union_issues(cmp)
    cols = 4
    rows = 1 + math.ceil(len(issues) / cols)
    fig = Figure(figsize=(12, 3.2 * rows), layout="constrained")
    grid = fig.add_gridspec(rows, cols)
    draw_days_to_deal(fig.add_subplot(grid[0, :]), cmp)
    for n, issue in enumerate(issues):
        ax = fig.add_subplot(grid[1 + n // cols, n % cols])
        column = f"term_{issue.key}"
        terms = [
            (k, t.loc[t["status"] == "deal", column].to_numpy())
            for k, t in enumerate(cmp.tables)
            if column in t
        ]
        shown = [(k, d) for k, d in terms if len(d)]  # a scenario may have no deal at all
        if shown:
            boxes = ax.boxplot(
                [d for _, d in shown],
                positions=[k for k, _ in shown],
                widths=0.6,
                patch_artist=True,
                showfliers=False,
            )
            for patch, (k, _) in zip(boxes["boxes"], shown, strict=True):
                patch.set(facecolor=COLOURS[k], alpha=0.5)
        ax.set_xticks([0, 1], [_short(lab) for lab in cmp.labels])
        ax.set_xlim(-0.7, 1.7)
        margin = 0.04 * (issue.max - issue.min)
        ax.set_ylim(issue.min - margin, issue.max + margin)  # the issue's whole range
        ax.set_title(f"{textwrap.shorten(issue.label, 36)}\n({issue.unit}, deals only)", fontsize=9)
    fig.suptitle(f"{cmp.labels[0]} vs {cmp.labels[1]}: {cmp.runs:,} runs each, the same seeds")
    return fig


def draw_days_to_deal(ax: Axes, cmp: Comparison) -> None:
    """The share of runs still without a deal, day by day, A and B, each deadline dotted."""
    last = max(int(t["day"].max()) for t in cmp.tables)
    for k, (table, scen, label) in enumerate(
        zip(cmp.tables, cmp.scenarios, cmp.labels, strict=True)
    ):
        curve = survival(table, last)
        share = cmp.summaries[k]["deal_probability"]
        name = f"{label} (deals in {share:.1%} of runs)"
        ax.step(np.arange(last + 1), curve, where="post", color=COLOURS[k], label=name)
        deadline = (scen.calendar.deadline - scen.calendar.start).days
        ax.axvline(deadline, color=COLOURS[k], linestyle=":", linewidth=1)
    ax.set(
        xlabel="days since the start of talks (dotted: each deadline)",
        ylabel="share of runs without a deal",
        ylim=(0, 1.02),
        title="Days to a deal",
    )
    ax.legend(loc="lower left")


def _short(label: str) -> str:
    name = Path(label).stem if label.endswith(".toml") else label
    return name if len(name) <= 16 else name[:15] + "…"
