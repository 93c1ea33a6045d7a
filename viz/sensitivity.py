"""Sensitivity indices of a sweep as a bar chart (Sobol) or a mu*-sigma plot (Morris)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

BAR_COLOURS = ("#1f4e9c", "#9fb8e0")


def sensitivity_figure(table: pd.DataFrame, output: str) -> Figure:
    """Draw one output's indices, a row of ``table`` per parameter.

    Args:
        table: Sobol indices (``S1``, ``ST`` with ``_conf``) or Morris (``mu_star``,
            ``sigma``), indexed by parameter path.
        output: The output's name, for the title.

    Returns:
        The figure.
    """
    fig = Figure(figsize=(7.5, 0.45 * len(table) + 1.6), layout="constrained")
    ax = fig.subplots()
    names = [str(i) for i in table.index]
    if "ST" in table:
        y = np.arange(len(table))
        for k, (col, label) in enumerate((("ST", "total (ST)"), ("S1", "first order (S1)"))):
            ax.barh(
                y + (0.2 if k else -0.2),
                table[col],
                height=0.4,
                xerr=table[f"{col}_conf"],
                color=BAR_COLOURS[k],
                label=label,
                capsize=2,
            )
        ax.set_yticks(y, names, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("Sobol index (share of the output's variance)", fontsize=9)
        ax.legend(fontsize=8, frameon=False)
    else:
        ax.scatter(table["mu_star"], table["sigma"], color=BAR_COLOURS[0])
        for name, x, s in zip(names, table["mu_star"], table["sigma"], strict=True):
            ax.annotate(
                name,
                (x, s),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
                annotation_clip=False,
            )
        ax.margins(x=0.25, y=0.15)  # room for the labels beside the points
        ax.set_xlabel("mu* (mean absolute elementary effect)", fontsize=9)
        ax.set_ylabel("sigma (interaction or non-linearity)", fontsize=9)
    ax.grid(alpha=0.25)
    fig.suptitle(f"Sensitivity of the {output}", fontsize=10)
    return fig
