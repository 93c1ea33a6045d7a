"""Two scenarios side by side: the same seeds through both, their outcome distributions compared.

Both ensembles use seeds ``seed, seed+1, …``, so run i of one and run i of the other share
every random number drawn for the same purpose on the same day: the difference between them is
the scenarios' difference, and the paired counts (deals lost, deals won) measure it more
sharply than two separate intervals.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.summary import summarize
from model import load_scenario
from model.ensemble import run_ensemble
from model.narration import fmt_value
from model.schema import Issue, Scenario

CHUNK = 10_000  # runs per ensemble call: bounds memory and paces the progress bar
Z95 = 1.959963984540054
COLOURS = ("#1f4e9c", "#d68910")


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
    ta, tb = _ensemble(sa, seed, runs, progress, la), _ensemble(sb, seed, runs, progress, lb)
    return Comparison(
        (sa, sb), (la, lb), (ta, tb), (summarize(ta, sa), summarize(tb, sb)), seed, runs
    )


def _label(given: str | Path | Scenario, scenario: Scenario) -> str:
    return scenario.name if isinstance(given, Scenario) else str(given)


def _ensemble(scenario: Scenario, seed: int, runs: int, progress: bool, label: str) -> pd.DataFrame:
    from tqdm.auto import tqdm

    parts = []
    with tqdm(total=runs, unit="run", disable=not progress, desc=label, leave=False) as bar:
        for start in range(0, runs, CHUNK):
            n = min(CHUNK, runs - start)
            seeds = np.arange(seed + start, seed + start + n, dtype=np.uint64)
            parts.append(run_ensemble(scenario, seeds))
            bar.update(n)
    return pd.concat(parts, ignore_index=True)


def _issues(cmp: Comparison) -> list[Issue]:
    """Issues of A, then those only B has."""
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
    issues = _issues(cmp)
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


def survival(table: pd.DataFrame, last_day: int) -> np.ndarray:
    """Share of runs without a deal at the end of each day 0..last_day.

    Args:
        table: An ensemble table.
        last_day: The last day to report.

    Returns:
        An array of last_day + 1 shares; it levels off at the share of breakdowns.
    """
    days = table.loc[table["status"] == "deal", "day"].to_numpy()
    dealt = np.bincount(days, minlength=last_day + 1)[: last_day + 1]
    return 1.0 - np.cumsum(dealt) / max(len(table), 1)


def comparison_figure(cmp: Comparison) -> Figure:
    """Days to a deal as survival curves, and the deals' terms issue by issue, A beside B.

    Args:
        cmp: The comparison.

    Returns:
        The figure (not attached to pyplot).
    """
    issues = _issues(cmp)
    cols = 4
    rows = 1 + math.ceil(len(issues) / cols)
    fig = Figure(figsize=(12, 3.2 * rows), layout="constrained")
    grid = fig.add_gridspec(rows, cols)
    ax = fig.add_subplot(grid[0, :])
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


def _short(label: str) -> str:
    name = Path(label).stem if label.endswith(".toml") else label
    return name if len(name) <= 16 else name[:15] + "…"


def save_comparison_figure(cmp: Comparison, path: Path) -> None:
    """Write the comparison figure as a PNG.

    Args:
        cmp: The comparison.
        path: Where to write (any suffix; the format is always PNG).
    """
    comparison_figure(cmp).savefig(path, format="png", dpi=110)
