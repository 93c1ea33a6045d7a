"""Two scenarios side by side: the same seeds through both, their outcome distributions compared.

Both ensembles use seeds ``seed, seed+1, …``, so run i of one and run i of the other share
every random number drawn for the same purpose on the same day: the difference between them is
the scenarios' difference, and the paired counts (deals lost, deals won) measure it more
sharply than two separate intervals. The two sides may be two scenarios, or one scenario with
two sets of settings (the app's Compare page): each ensemble takes its own overrides.

The changes B minus A carry 95% intervals that use the pairing, with the statistics of
``negotiate mechanisms`` (``experiments.mechanism_stats``): Newcombe's paired score interval for
the deal probability and the share of runs extended, and a paired bootstrap (seeds drawn with
replacement, the same draws for both sides) for the median deal day and each issue's median
terms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from experiments.chunks import run_in_chunks
from experiments.mechanism_stats import (
    RESAMPLES,
    Estimate,
    Statistic,
    paired_bootstrap,
    paired_difference,
    proportion,
)
from experiments.summary import summarize
from model import load_scenario
from model.narration import fmt_value
from model.schema import Issue, Scenario


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
        overrides: The settings each ensemble ran with, by scenario path (empty: none).
    """

    scenarios: tuple[Scenario, Scenario]
    labels: tuple[str, str]
    tables: tuple[pd.DataFrame, pd.DataFrame]
    summaries: tuple[dict[str, Any], dict[str, Any]]
    seed: int
    runs: int
    overrides: tuple[dict[str, Any], dict[str, Any]] = field(default=({}, {}))

    def paired(self) -> dict[str, Any]:
        """Run-by-run change of status from A to B, and the change in deal probability.

        Returns:
            ``deal_to_breakdown`` and ``breakdown_to_deal`` (counts of runs whose outcome
            flipped), ``difference`` (B's deal probability minus A's) and its 95% interval
            for paired proportions (Newcombe's hybrid score interval).
        """
        a, b = self.deals()
        change = paired_difference(a, b)
        return {
            "deal_to_breakdown": int(np.sum(a & ~b)),
            "breakdown_to_deal": int(np.sum(~a & b)),
            "difference": change.value,
            "difference_95ci": [change.low, change.high],
        }

    def deals(self) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Which runs ended in a deal, in A and in B (run i: seed ``seed + i`` in both)."""
        a, b = (t["status"].to_numpy() == "deal" for t in self.tables)
        return a, b


@dataclass(frozen=True)
class Difference:
    """One statistic in A and in B, and B minus A, each with its 95% interval.

    Attributes:
        name: What it is, in words ("deal probability", an issue's label).
        unit: "share" for a proportion, "day" for a deal day, or the issue's unit.
        a: The statistic in A.
        b: The statistic in B.
        change: B minus A, paired by seed.
    """

    name: str
    unit: str
    a: Estimate
    b: Estimate
    change: Estimate


def differences(cmp: Comparison, resamples: int = RESAMPLES) -> list[Difference]:
    """Every statistic the comparison shows, with the change from A to B and its interval.

    Deal probability and the share of runs extended are proportions over all runs (Wilson
    intervals, Newcombe's paired interval for the change); the median deal day and each
    shared issue's median terms are over each side's deals (a paired percentile bootstrap
    of fixed seed, so the intervals are reproduced exactly).

    Args:
        cmp: The comparison.
        resamples: Bootstrap resamples.

    Returns:
        Deal probability, share extended, median deal day, then the issues both sides have,
        in A's order.
    """
    ta, tb = cmp.tables
    n = len(ta)
    deal_a, deal_b = cmp.deals()
    extended = tuple(t["extended"].to_numpy(dtype=bool) for t in cmp.tables)
    rows = [
        Difference(
            name,
            "share",
            proportion(int(a.sum()), n),
            proportion(int(b.sum()), n),
            paired_difference(a, b),
        )
        for name, (a, b) in (
            ("deal probability", (deal_a, deal_b)),
            ("runs with the deadline extended", extended),
        )
    ]
    shared = [i for i in cmp.scenarios[0].issues if i.key in cmp.scenarios[1].issue_keys]
    columns = {
        "median deal day": ("day", "day"),
        **{i.label: (f"term_{i.key}", i.unit) for i in shared},
    }
    stats = {
        name: (
            Statistic("median", ta[col].to_numpy(dtype=float), deal_a),
            Statistic("median", tb[col].to_numpy(dtype=float), deal_b),
        )
        for name, (col, _) in columns.items()
    }
    for name, paired in paired_bootstrap(stats, resamples).items():
        rows.append(Difference(name, columns[name][1], paired.off, paired.on, paired.change))
    return rows


def fmt_change(d: Difference, value: float, unit: bool = True) -> str:
    """A change of ``d``'s statistic, signed, in its unit (points for a share or a rate)."""
    if math.isnan(value):
        return "–"
    if d.unit in ("share", "%"):  # a change of a share or a rate is in percentage points
        text = f"{100 * value if d.unit == 'share' else value:+.{1 if d.unit == 'share' else 2}f}"
        text = _no_negative_zero(text)
        return f"{text} points" if unit else text
    if d.unit == "day":
        text = _no_negative_zero(f"{value:+.1f}")
        return f"{text} days" if unit else text
    return _no_negative_zero(f"{'+' if value >= 0 else '-'}{fmt_value(abs(value), d.unit, 1)}")


def _no_negative_zero(text: str) -> str:
    """A change that rounds to zero reads "+0", whichever side of zero it lay."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        return "+" + text[1:]
    return text


def fmt_level(d: Difference, value: float) -> str:
    """A level of ``d``'s statistic in its unit (a share as a percentage)."""
    if math.isnan(value):
        return "–"
    if d.unit == "share":
        return f"{value:.1%}"
    if d.unit == "day":
        return f"day {value:g}"
    return fmt_value(value, d.unit)


def interval_text(d: Difference) -> str:
    """The 95% interval of B minus A, its ends signed ("+1.2 to +5.0"; "–" without one)."""
    if math.isnan(d.change.low) or math.isnan(d.change.high):
        return "–"
    low, high = (fmt_change(d, x, unit=False) for x in (d.change.low, d.change.high))
    return f"{low} to {high}"


def change_text(d: Difference) -> str:
    """B minus A with its 95% interval, in words ("+3.1 points (95% interval +1.2 to +5.0)")."""
    if math.isnan(d.change.value):
        return "– (no deal on one side)"
    if math.isnan(d.change.low):
        return fmt_change(d, d.change.value)
    return f"{fmt_change(d, d.change.value)} (95% interval {interval_text(d)})"


def compare(
    a: str | Path | Scenario,
    b: str | Path | Scenario,
    runs: int = 1000,
    seed: int = 0,
    progress: bool = False,
    overrides: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None,
    labels: tuple[str, str] | None = None,
) -> Comparison:
    """Run two scenarios on the same seeds and summarise both.

    Args:
        a: The first scenario (bundled name, path or Scenario), usually the baseline.
        b: The second scenario.
        runs: Runs per ensemble.
        seed: First seed; run i uses ``seed + i`` in both ensembles.
        progress: Show a progress bar on standard error.
        overrides: Settings by scenario path for A and for B (None: the scenarios as they are).
        labels: Names for A and B (None: the names given, or the scenarios' names).

    Returns:
        The comparison.

    Raises:
        ScenarioError: For a bad name, path or file (both are loaded before any run).
    """
    sa, sb = load_scenario(a), load_scenario(b)
    la, lb = labels if labels is not None else (_label(a, sa), _label(b, sb))
    oa, ob = (dict(o) for o in overrides) if overrides is not None else ({}, {})
    ta = run_in_chunks(sa, seed, runs, overrides=oa or None, progress=progress, label=la)
    tb = run_in_chunks(sb, seed, runs, overrides=ob or None, progress=progress, label=lb)
    return Comparison(
        (sa, sb), (la, lb), (ta, tb), (summarize(ta, sa), summarize(tb, sb)), seed, runs, (oa, ob)
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
        *(
            f"  {label}: {scenario.name}, {_settings(given)}"
            for label, scenario, given in zip(cmp.labels, cmp.scenarios, cmp.overrides, strict=True)
            if any(cmp.overrides)
        ),
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
    lines += [
        "",
        f"Run by run: {p['deal_to_breakdown']:,} deals of {la} are breakdowns in {lb}, "
        f"{p['breakdown_to_deal']:,} breakdowns of {la} are deals in {lb}.",
        f"{lb} minus {la}, paired by seed:",
    ]
    for d in differences(cmp):
        lines.append(row(f"  {d.name}", change_text(d), "").rstrip())
    return lines


def _settings(overrides: Mapping[str, Any]) -> str:
    if not overrides:
        return "as filed"
    return "with " + ", ".join(f"{path}={value}" for path, value in overrides.items())


def comparison_doc(cmp: Comparison) -> dict[str, Any]:
    """The comparison as one JSON-ready document (NaN still to be replaced by the writer)."""
    return {
        "scenarios": list(cmp.labels),
        "settings": [
            {"scenario": scenario.name, "overrides": dict(given)}
            for scenario, given in zip(cmp.scenarios, cmp.overrides, strict=True)
        ],
        "runs": cmp.runs,
        "seeds": [cmp.seed, cmp.seed + cmp.runs - 1],
        "summaries": list(cmp.summaries),  # in the order of "scenarios"
        "paired": cmp.paired(),
        "differences": [
            {
                "name": d.name,
                "unit": d.unit,
                **{
                    k: {"value": e.value, "95ci": [e.low, e.high]}
                    for k, e in (("a", d.a), ("b", d.b), ("change", d.change))
                },
            }
            for d in differences(cmp)
        ],
    }
