"""Figures written to files: one resolution, one format, never half-written."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from experiments.io import write_atomic

DPI = 110


def save_png(fig: Figure, path: Path) -> str:
    """Write a figure as a PNG, through a temporary sibling renamed into place.

    Args:
        fig: The figure.
        path: Where to write it (any suffix; the format is always PNG).

    Returns:
        The file's name.
    """
    write_atomic(path, lambda p: fig.savefig(p, dpi=DPI, format="png"))
    return path.name
