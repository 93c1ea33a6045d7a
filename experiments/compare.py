"""Two scenarios side by side: the same seeds through both, their outcome distributions compared.

Both ensembles use seeds ``seed, seed+1, …``, so run i of one and run i of the other share
every random number drawn for the same purpose on the same day: the difference between them is
the scenarios' difference, and the paired counts (deals lost, deals won) measure it more
sharply than two separate intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.chunks import run_in_chunks
from experiments.summary import summarize
from model import load_scenario
from model.narration import fmt_value
from model.schema import Issue, Scenario

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Comparison:
    """Two ensembles run on the same seeds.

    Attributes:
        scenarios: The two scenarios, A then B.
        labels: How each is named in text and figures (the name given on the command line).
        tables: One row per run for each (row i of both has the same seed).
        summaries: ``experiments.summary.summarize`` of each table.
        seed: The first seed.
        runs: Runs per ensemble.
    """

    scenarios: tuple[Scenario, Scenario]
    labels: tuple[str, str]
    tables: tuple[pd.DataFrame, pd.DataFrame]
    summaries: tuple[dict[str, Any], dict[str, Any]]
    seed: int
    runs: int

    def paired(self) -> dict[str, Any]:
        """Run-by-run change of status from A to B, and the change in deal probability.

        Returns:
            ``deal_to_breakdown`` and ``breakdown_to_deal`` (counts of runs whose outcome
            flipped), ``difference`` (B's deal probability minus A's) and its 95% interval
            for paired proportions (Wald).
        """
        a = self.tables[0]["status"].to_numpy() == "deal"
        b = self.tables[1]["status"].to_numpy() == "deal"
        lost, won, n = int(np.sum(a & ~b)), int(np.sum(~a & b)), len(a)
        diff = (won - lost) / n
        half = Z95 * math.sqrt(max(won + lost - (won - lost) ** 2 / n, 0.0)) / n
        return {
            "deal_to_breakdown": lost,
            "breakdown_to_deal": won,
            "difference": diff,
            "difference_95ci": [diff - half, diff + half],
        }


def compare(
    a: str | Path | Scenario,
    b: str | Path | Scenario,
    runs: int = 1000,
    seed: int = 0,
    progress: bool = False,
) -> Comparison:
    """Run two scenarios on the same seeds and summarise both.

    Args:
        a: The first scenario (bundled name, path or Scenario), usually the baseline.
        b: The second scenario.
        runs: Runs per ensemble.
        seed: First seed; run i uses ``seed + i`` in both ensembles.
        progress: Show a progress bar on standard error.

    Returns:
        The comparison.

    Raises:
        ScenarioError: For a bad name, path or file (both are loaded before any run).
    """
    sa, sb = load_scenario(a), load_scenario(b)
    la, lb = _label(a, sa), _label(b, sb)
    ta = run_in_chunks(sa, seed, runs, progress=progress, label=la)
    tb = run_in_chunks(sb, seed, runs, progress=progress, label=lb)
    return Comparison(
        (sa, sb), (la, lb), (ta, tb), (summarize(ta, sa), summarize(tb, sb)), seed, runs
    )


def _label(given: str | Path | Scenario, scenario: Scenario) -> str:
    return scenario.name if isinstance(given, Scenario) else str(given)


def union_issues(cmp: Comparison) -> list[Issue]:
    """The issues of A, then those only B has: what the comparison shows, in order."""
    a, b = cmp.scenarios
    return [*a.issues, *(i for i in b.issues if i.key not in a.issue_keys)]


def _cell_terms(summary: dict[str, Any], issue: Issue) -> str:
    value = summary["median_deal_terms"].get(issue.key)
    if value is None:
        return "(no such issue)"
    return "–" if math.isnan(value) else fmt_value(value, issue.unit)


def _cell_day(summary: dict[str, Any], q: str) -> str:
    entry = summary["deal_day_quantiles"].get(q)
    return f"{entry['date']} (day {entry['day']})" if entry else "– (no deal)"


def comparison_lines(cmp: Comparison) -> list[str]:
    """The comparison as text: one row per statistic, one column per scenario.

    Args:
        cmp: The comparison.

    Returns:
        Lines for the terminal.
    """
    sa, sb = cmp.summaries
    la, lb = cmp.labels
    issues = union_issues(cmp)
    width = max(24, len(la) + 2)
    name_width = max(24, *(len(i.label) + 2 for i in issues))

    def row(name: str, x: str, y: str) -> str:
        return f"  {name:<{name_width}} {x:<{width}} {y}"

    def pct(v: float) -> str:
        return f"{v:.1%}"

    last = cmp.seed + cmp.runs - 1
    lines = [
        f"{la} vs {lb}: {cmp.runs:,} runs each on the same seeds ({cmp.seed}–{last})",
        "",
        row("", la, lb),
        row("deal probability", pct(sa["deal_probability"]), pct(sb["deal_probability"])),
        row(
            "  95% Wilson interval",
            "{} – {}".format(*map(pct, sa["deal_probability_95ci"])),
            "{} – {}".format(*map(pct, sb["deal_probability_95ci"])),
        ),
        row("deadline extended", pct(sa["extended_share"]), pct(sb["extended_share"])),
    ]
    for q in ("0.10", "0.50", "0.90"):
        lines.append(row(f"deal day, q{q[2:]}", _cell_day(sa, q), _cell_day(sb, q)))
    lines.append("  median terms of the deals:")
    for issue in issues:
        lines.append(row(f"  {issue.label}", _cell_terms(sa, issue), _cell_terms(sb, issue)))
    p = cmp.paired()
    low, high = p["difference_95ci"]
    lines += [
        "",
        f"Run by run: {p['deal_to_breakdown']:,} deals of {la} are breakdowns in {lb}, "
        f"{p['breakdown_to_deal']:,} breakdowns of {la} are deals in {lb}.",
        f"Deal probability {lb} minus {la}: {100 * p['difference']:+.1f} points "
        f"(95% interval {100 * low:+.1f} to {100 * high:+.1f}, paired by seed).",
    ]
    return lines


def comparison_doc(cmp: Comparison) -> dict[str, Any]:
    """The comparison as one JSON-ready document (NaN still to be replaced by the writer)."""
    return {
        "scenarios": list(cmp.labels),
        "runs": cmp.runs,
        "seeds": [cmp.seed, cmp.seed + cmp.runs - 1],
        "summaries": list(cmp.summaries),  # in the order of "scenarios"
        "paired": cmp.paired(),
    }
