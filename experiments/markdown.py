"""Tables as Markdown, for the reports the commands write (validation.md, a sweep's report.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd


def fixed_cell(value: Any, floats: str = "{:.3f}") -> str:
    """A cell as text: floats with ``floats``, anything else as ``str`` gives it."""
    return floats.format(value) if isinstance(value, float) else str(value)


def markdown_table(table: pd.DataFrame, cell: Callable[[Any], str] = fixed_cell) -> str:
    """A table in Markdown: a header row, a rule, and one row per row of ``table``.

    Every cell, the header's too, is escaped so that a bar in it stays in its cell.

    Args:
        table: The table (its index is left out).
        cell: Turns one value into text (default: floats to three decimals).

    Returns:
        The table's lines, joined by newlines.
    """

    def text(value: Any) -> str:
        return cell(value).replace("|", "\\|")  # a bare bar would end the cell

    cols = list(table.columns)
    lines = ["| " + " | ".join(text(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(text(v) for v in row) + " |")
    return "\n".join(lines)
