"""The model beside bargaining theory: each textbook prediction, what the model gives, a figure.

``write_validation`` runs every check and writes ``validation.md`` with its figures; the
``negotiate theory`` command calls it. The test suite (tests/test_theory.py) checks the same
claims with its own oracles.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.theory_checks import (
    FIGURES,
    Check,
    check_bilateral,
    check_frontier,
    check_nash_pie,
    check_nparty,
)
from experiments.theory_dynamics import (
    check_boulware,
    check_deadline,
    check_two_level,
    check_zeuthen,
)

CHECKS: tuple[Callable[[Path, int], Check], ...] = (
    check_bilateral,
    check_nparty,
    check_nash_pie,
    check_frontier,
    check_zeuthen,
    check_boulware,
    check_deadline,
    check_two_level,
)


def _markdown_table(df: pd.DataFrame) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, bool | np.bool_):
            return "yes" if v else "**no**"
        if isinstance(v, float | np.floating):
            return f"{v:.4f}" if abs(v) < 1000 else f"{v:,.0f}"
        return str(v).replace("|", "\\|")  # a bare bar would end the cell

    cols = list(df.columns)
    lines = ["| " + " | ".join(fmt(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(fmt(row[c]) for c in cols) + " |")
    return "\n".join(lines)


def write_validation(out: Path, runs: int = 2000, progress: bool = False) -> list[Check]:
    """Run every check and write ``out/validation.md`` and its figures, from scratch.

    Args:
        out: Folder of the document (its figures go to ``out/validation/``).
        runs: Runs per ensemble check.
        progress: Show a progress bar.

    Returns:
        The checks, in document order.
    """
    from tqdm.auto import tqdm

    folder = out / FIGURES
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    checks = [f(folder, runs) for f in tqdm(CHECKS, disable=not progress, desc="checks")]
    held = sum(c.passed for c in checks)
    parts = [
        "# Validation against bargaining theory",
        "",
        "Reduced to textbook cases, the model should give the textbook answers. Each section "
        "states a prediction, the case it is tested on, and what the model (or its bargaining "
        "solver) gives. This file and its figures are written by `negotiate theory`; the same "
        "claims are checked by `tests/test_theory.py`, with their own oracles, in `make test`.",
        "",
        f"**{held} of {len(checks)} predictions hold.**",
        "",
        "| # | prediction | source | holds |",
        "|---|---|---|---|",
    ]
    for k, c in enumerate(checks, 1):
        parts.append(f"| {k} | {c.title} | {c.source} | {'yes' if c.passed else '**no**'} |")
    for k, c in enumerate(checks, 1):
        parts += ["", f"## {k}. {c.title}", "", f"*{c.source}.* {c.prediction}", ""]
        parts.append(_markdown_table(c.table))
        parts += [""] + [f"{n}" for n in c.notes]
        if c.figure:
            parts += ["", f"![{c.title}]({c.figure})"]
    parts += [
        "",
        "## How to reproduce",
        "",
        "```",
        f"negotiate theory --out docs --runs {runs}",
        "```",
        "",
        "Every run is seeded (seeds 0 to runs - 1), so the numbers above are reproduced exactly.",
        "",
    ]
    (out / "validation.md").write_text("\n".join(parts), encoding="utf-8")
    return checks
