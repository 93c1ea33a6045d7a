"""The model beside bargaining theory: each textbook prediction and what the model gives.

``run_checks`` runs every check and ``validation_markdown`` writes them up as the text of
``validation.md``; ``negotiate theory`` adds a figure to each check and writes the file. The
test suite (tests/test_theory.py) checks the same claims with its own oracles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from experiments.markdown import markdown_table
from experiments.theory_checks import (
    Check,
    check_asymmetric,
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

CHECKS: tuple[Callable[[int], Check], ...] = (
    check_bilateral,
    check_nparty,
    check_asymmetric,
    check_nash_pie,
    check_frontier,
    check_zeuthen,
    check_boulware,
    check_deadline,
    check_two_level,
)


def run_checks(runs: int = 2000, progress: bool = False) -> list[Check]:
    """Run every check, in document order.

    Args:
        runs: Runs per ensemble check.
        progress: Show a progress bar.

    Returns:
        The checks.
    """
    from tqdm.auto import tqdm

    return [check(runs) for check in tqdm(CHECKS, disable=not progress, desc="checks")]


def _cell(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "**no**"
    if isinstance(v, float | np.floating):
        return f"{v:.4f}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def validation_markdown(checks: Sequence[Check], runs: int, figures: Mapping[str, str]) -> str:
    """The text of ``validation.md``: a summary table, then a section per check.

    Args:
        checks: The checks, in document order.
        runs: Runs per ensemble check (for the line that reproduces the document).
        figures: Link of each check's figure, by check key (checks without one are left out).

    Returns:
        The Markdown document.
    """
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
    ]
    summary = pd.DataFrame(
        {
            "#": range(1, len(checks) + 1),
            "prediction": [c.title for c in checks],
            "source": [c.source for c in checks],
            "holds": [c.passed for c in checks],
        }
    )
    parts.append(markdown_table(summary, _cell))
    for k, c in enumerate(checks, 1):
        parts += ["", f"## {k}. {c.title}", "", f"*{c.source}.* {c.prediction}", ""]
        parts.append(markdown_table(c.table, _cell))
        parts += [""] + [f"{n}" for n in c.notes]
        if c.key in figures:
            parts += ["", f"![{c.title}]({figures[c.key]})"]
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
    return "\n".join(parts)
