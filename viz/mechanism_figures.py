"""The figures of ``negotiate mechanisms``, and ``mechanisms.md`` written with them.

One figure per mechanism (the deal probability in both settings with its interval, and the
share of runs still without a deal, day by day, in both), one overview of every mechanism's
change in deal probability, and ``write_mechanisms``, which runs the mechanisms, draws the
figures into ``mechanisms/`` and writes the document that links them.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.io import write_atomic
from experiments.mechanism_report import change_text, mechanisms_markdown
from experiments.mechanism_runs import MechanismResult, run_mechanisms, setting_scenario, trace_runs
from experiments.mechanism_stats import AS_PREDICTED, OPPOSITE
from experiments.mechanisms import CONTEXT, DEAL_PROBABILITY, MECHANISMS, Mechanism, Setting
from experiments.summary import survival
from model.schema import Scenario
from viz.files import save_png
from viz.style import DEADLINE_COLOUR, date_axis

FIGURES = "mechanisms"  # folder of figures, next to mechanisms.md
TALKS = """
## How the talks move

The same {runs:,} seeds with all dynamics on, day by day: how far apart the sides' last
packages are (the mean distance per issue, normalised; 1 before both sides have tabled), and
the cross-side balance of the concession graph (what the first side conceded to the others
less what it received, over their sum), in runs that end in a deal and in a breakdown. Lines
are medians over the runs still going that day; bands run between the quartiles. The dashed
line is the original deadline.

![How the talks move]({figure})
"""
COLOURS = {"off": "#7f8c8d", "on": "#d35400"}
VERDICT_COLOURS = {AS_PREDICTED: "#1e8449", OPPOSITE: "#c0392b"}
NEUTRAL = "#34495e"


def mechanism_figure(r: MechanismResult) -> Figure:
    """Deal probability off and on with 95% intervals, and both settings' days to a deal.

    Args:
        r: A measured mechanism.

    Returns:
        The figure (not attached to pyplot).
    """
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(1, 2.6))
    settings = (("off", r.off), ("on", r.on))
    ends = []
    for x, (name, s) in enumerate(settings):
        e = s.estimates[DEAL_PROBABILITY]
        ends += [e.low, e.high]
        left.errorbar(
            [x],
            [100 * e.value],
            yerr=[[100 * (e.value - e.low)], [100 * (e.high - e.value)]],
            fmt="o",
            color=COLOURS[name],
            capsize=6,
            markersize=7,
        )
    low, high = 100 * min(ends), 100 * max(ends)
    pad = max(2.0, 0.3 * (high - low))
    left.set_ylim(max(0.0, low - pad), min(100.0, high + pad))
    left.set_xlim(-0.6, 1.6)
    left.set_xticks([0, 1], [_tick(n, s.setting.label) for n, s in settings], fontsize=8)
    left.set_ylabel("deal probability (%), 95% Wilson interval", fontsize=8)
    change = change_text(DEAL_PROBABILITY, r.changes[DEAL_PROBABILITY], r.on.scenario)
    left.set_title(f"on − off, paired by seed: {change}", fontsize=8)
    left.grid(axis="y", alpha=0.25)
    left.tick_params(axis="y", labelsize=7)

    last = max(int(s.table["day"].max()) for _, s in settings)  # the last day any run saw
    deal_days = [s.table.loc[s.table["status"] == "deal", "day"] for _, s in settings]
    first = min((int(d.min()) for d in deal_days if len(d)), default=0)
    # Off is drawn wide and pale beneath on, so that where the curves coincide both show.
    widths = {"off": 4.0, "on": 1.6}
    for name, s in settings:
        curve = survival(s.table, last)
        share = s.estimates[DEAL_PROBABILITY].value
        right.step(
            np.arange(last + 1),
            curve,
            where="post",
            color=COLOURS[name],
            alpha=0.55 if name == "off" else 1.0,
            linewidth=widths[name],
            label=f"{name}: {s.setting.label} (deals in {share:.1%})",
        )
    deadlines = sorted(
        {(s.scenario.calendar.deadline - s.scenario.calendar.start).days for _, s in settings}
    )
    for d in deadlines:
        right.axvline(d, color=DEADLINE_COLOUR, linewidth=1.0, linestyle=":")
    date_axis(right, r.on.scenario, last)
    # Days before the first deal hold no information (every curve sits at 1): start nearer.
    start = max(0, first - 10)
    right.set_xlim(start, last + max(2, last // 40))
    right.set_ylim(0.0, 1.02)
    right.set_ylabel("share of runs with no deal yet", fontsize=8)
    right.set_xlabel("date (dotted: the original deadline)", fontsize=8)
    right.grid(alpha=0.25)
    right.legend(fontsize=7, loc="upper right", frameon=False)
    right.set_title("Days to a deal, the same seeds in both settings", fontsize=9)
    fig.suptitle(
        f"{textwrap.shorten(r.mechanism.title, 90)} ({r.mechanism.key}): "
        f"{r.runs:,} runs per setting",
        fontsize=10,
    )
    return fig


def _tick(name: str, label: str) -> str:
    return f"{name}\n" + textwrap.fill(label, 22)


def overview_figure(results: Sequence[MechanismResult]) -> Figure:
    """Every mechanism's change in deal probability (on minus off) with its 95% interval.

    Args:
        results: The measured mechanisms, drawn top to bottom in this order.

    Returns:
        The figure (not attached to pyplot).
    """
    n = len(results)
    fig = Figure(figsize=(9.5, 1.2 + 0.42 * n), layout="constrained")
    ax = fig.subplots()
    for k, r in enumerate(results):
        e = r.changes[DEAL_PROBABILITY]
        colour = VERDICT_COLOURS.get(r.verdicts.get(DEAL_PROBABILITY, ""), NEUTRAL)
        ax.errorbar(
            [100 * e.value],
            [k],
            xerr=[[100 * (e.value - e.low)], [100 * (e.high - e.value)]],
            fmt="o",
            color=colour,
            capsize=4,
        )
        text = change_text(DEAL_PROBABILITY, e, r.on.scenario)
        ax.text(1.02, k, text, transform=ax.get_yaxis_transform(), va="center", fontsize=7)
    ax.axvline(0, color="0.4", linewidth=1.0)
    ax.set_yticks(range(n), [r.mechanism.key for r in results], fontsize=8)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlabel(
        "change in deal probability, on − off (percentage points; 95% paired interval)\n"
        "green: as predicted, red: opposite, dark: no clear change or no prediction",
        fontsize=8,
    )
    ax.grid(axis="x", alpha=0.25)
    ax.tick_params(axis="x", labelsize=7)
    first = results[0]
    ax.set_title(
        f"{first.on.scenario.name}: each mechanism on and off, {first.runs:,} runs each, "
        "the same seeds",
        fontsize=9,
    )
    return fig


def write_mechanisms(
    out: Path,
    mechanisms: Sequence[Mechanism] = MECHANISMS,
    runs: int = 10_000,
    seed: int = 0,
    progress: bool = False,
) -> list[MechanismResult]:
    """Measure the mechanisms and write ``out/mechanisms.md`` with its figures.

    The figures go to ``out/mechanisms/``; figures left there by an earlier run are removed,
    so the folder holds those of the document alone.

    Args:
        out: Folder of the document.
        mechanisms: The mechanisms to measure, in document order (at least one).
        runs: Runs per setting.
        seed: The first seed.
        progress: Show a progress bar per ensemble on standard error.

    Returns:
        The measured mechanisms.
    """
    results = run_mechanisms(mechanisms, runs, seed, progress=progress)
    folder = out / FIGURES
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    figures = {}
    for r in results:
        name = save_png(mechanism_figure(r), folder / f"{r.mechanism.key}.png")
        figures[r.mechanism.key] = f"{FIGURES}/{name}"
    overview = f"{FIGURES}/{save_png(overview_figure(results), folder / 'overview.png')}"
    text = mechanisms_markdown(results, figures, overview)
    context = Setting("all dynamics on", patch=CONTEXT)
    trace = trace_runs(context, runs, seed)
    talks = save_png(talks_figure(trace, setting_scenario(context)), folder / "talks.png")
    text += TALKS.format(runs=runs, figure=f"{FIGURES}/{talks}")
    write_atomic(out / "mechanisms.md", lambda p: p.write_text(text, encoding="utf-8"))
    return results


def talks_figure(frame: pd.DataFrame, scenario: Scenario) -> Figure:
    """How the talks move, in runs that end in deals and in breakdowns.

    Left: how far apart the sides' last packages are (mean distance per issue, normalised;
    1 before both have tabled); right: the cross-side balance of the concession graph (what
    the first side conceded to the others less what it received, over their sum). Each line
    is the median over the runs still going that day, with the band between the quartiles.

    Args:
        frame: ``experiments.mechanism_runs.trace_runs`` of an ensemble.
        scenario: Its scenario (for the dates and the first side's name).

    Returns:
        The figure (not attached to pyplot).
    """
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True)
    colours = {"deal": "#1e8449", "breakdown": "#c0392b"}
    first = scenario.sides[scenario.side_keys[0]].name
    titles = {
        "gap": "gap between the sides' packages",
        "balance": f"cross-side balance ({first} gave more: above 0)",
    }
    deadline = (scenario.calendar.deadline - scenario.calendar.start).days
    for ax, column in zip(axes, ("gap", "balance"), strict=True):
        for status, colour in colours.items():
            rows = frame[frame["status"] == status]
            if rows.empty:
                continue
            q = rows.groupby("day")[column].quantile([0.25, 0.5, 0.75]).unstack()
            n = rows["seed"].nunique()
            ax.plot(q.index, q[0.5], color=colour, label=f"runs ending in a {status} ({n:,})")
            ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.18, linewidth=0)
        ax.axvline(deadline, color=DEADLINE_COLOUR, linestyle="--", linewidth=1.0)
        ax.set_title(titles[column], fontsize=10)
        date_axis(ax, scenario, int(frame["day"].max()))
    axes[1].axhline(0.0, color=NEUTRAL, linewidth=0.6)
    axes[0].set_ylim(0.0, 1.0)
    axes[0].legend(fontsize=8, frameon=False, loc="upper right")
    return fig
