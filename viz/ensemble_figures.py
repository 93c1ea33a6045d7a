"""Ensembles: how long until a deal, what the deals say, and how a parameter moves the odds.

Every figure reads an ensemble table (one row per run, as ``run_ensemble`` returns it); the
parameter curve is computed in one batch, with the parameter set run by run along the run axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from experiments.summary import survival, wilson_interval
from model.ensemble import run_ensemble
from model.loading import load_scenario
from model.params import compile_scenario
from model.schema import Scenario
from viz.style import DEADLINE_COLOUR, date_axis, issue_title

DEAL_COLOUR = "#1f4e9c"


def deal_probability_text(table: pd.DataFrame) -> str:
    """The deal share with its 95% interval, e.g. "deal in 43.2% of 1,000 runs (…)"."""
    n, deals = len(table), int((table["status"] == "deal").sum())
    low, high = wilson_interval(deals, n)
    share = deals / n if n else math.nan
    return f"deal in {share:.1%} of {n:,} runs (95% CI {low:.1%}–{high:.1%})"


def draw_survival(ax: Axes, table: pd.DataFrame, scenario: Scenario) -> None:
    """Draw the survival curve of days to a deal, with the deadline and its extension."""
    c = compile_scenario(scenario)
    curve = survival(table, c.last_day)
    ax.step(np.arange(c.last_day + 1), curve, where="post", color=DEAL_COLOUR, linewidth=2.0)
    ax.axvline(c.deadline_day, color=DEADLINE_COLOUR, linewidth=1.0, label="deadline")
    ext = scenario.calendar.extension
    if ext.days > 0 and ext.probability > 0:
        ax.axvline(
            c.deadline_day + ext.days,
            color=DEADLINE_COLOUR,
            linestyle=":",
            linewidth=1.0,
            label=f"deadline if extended (+{ext.days} days)",
        )
    ax.set_ylim(0.0, 1.02)
    ax.set_ylabel("share of runs with no deal yet", fontsize=8)
    date_axis(ax, scenario, c.last_day)
    ax.set_xlim(0, c.last_day + max(2, c.last_day // 40))  # a deadline line on the edge shows
    ax.grid(alpha=0.25)
    ax.legend(fontsize=7, loc="lower left", frameon=False)
    ax.set_title(deal_probability_text(table), fontsize=8)


def survival_figure(table: pd.DataFrame, scenario: str | Scenario) -> Figure:
    """The survival curve of days to a deal: how many runs are still without one, day by day.

    Runs that break down never reach a deal, so the curve ends at the breakdown share.

    Args:
        table: An ensemble table.
        scenario: The scenario the runs came from.

    Returns:
        The figure.
    """
    sc = load_scenario(scenario)
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    draw_survival(fig.subplots(), table, sc)
    fig.suptitle(f"{sc.title}: days to a deal", fontsize=10)
    return fig


def term_distributions_figure(table: pd.DataFrame, scenario: str | Scenario) -> Figure:
    """The distribution of each issue's terms across the runs that reached a deal.

    Args:
        table: An ensemble table.
        scenario: The scenario the runs came from.

    Returns:
        The figure: one histogram per issue, with the no-deal value and the median marked.
    """
    sc = load_scenario(scenario)
    deals = table[table["status"] == "deal"]
    n = len(sc.issues)
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(3.6 * cols, 2.5 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, issue in zip(axes, sc.issues, strict=False):
        values = deals[f"term_{issue.key}"].to_numpy(dtype=float)
        bins = np.linspace(issue.min, issue.max, 26)
        if len(values):
            ax.hist(values, bins=bins, color=DEAL_COLOUR, alpha=0.8)
            ax.axvline(float(np.median(values)), color="black", linewidth=1.2, label="median")
        ax.axvline(
            issue.no_deal, color="#c0392b", linestyle="--", linewidth=1.2, label="no-deal value"
        )
        pad = 0.03 * (issue.max - issue.min)  # keeps a no-deal value at an end visible
        ax.set_xlim(issue.min - pad, issue.max + pad)
        ax.set_title(issue_title(sc, issue.key), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25)
    axes[0].legend(fontsize=7, frameon=False)
    axes[0].set_ylabel("runs", fontsize=8)
    for ax in axes[n:]:
        ax.set_axis_off()
    fig.suptitle(
        f"{sc.title}: terms of the {len(deals):,} deals in {len(table):,} runs", fontsize=10
    )
    return fig


def deal_probability_curve(
    scenario: str | Scenario,
    path: str,
    values: Sequence[float],
    runs: int = 1000,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Deal probability at each value of one parameter, all values in one batch.

    Every value gets the same seeds (seed..seed+runs-1), so differences between values come
    from the parameter, not from luck.

    Args:
        scenario: A bundled name, a path, or a Scenario.
        path: The parameter's scenario path (see ``model.params.override_paths``).
        values: The values to try.
        runs: Runs per value.
        seed: First seed.
        overrides: Other parameters, fixed for every run.

    Returns:
        Columns ``value``, ``runs``, ``deals``, ``probability``, ``low``, ``high`` (95% Wilson).
    """
    vals = np.asarray(values, dtype=float)
    seeds = np.tile(np.arange(seed, seed + runs, dtype=np.uint64), len(vals))
    column = np.repeat(vals, runs)
    table = run_ensemble(scenario, seeds, {**(overrides or {}), path: column})
    deal = (table["status"] == "deal").to_numpy().reshape(len(vals), runs)
    rows = []
    for v, d in zip(vals, deal, strict=True):
        low, high = wilson_interval(int(d.sum()), runs)
        rows.append(
            {
                "value": float(v),
                "runs": runs,
                "deals": int(d.sum()),
                "probability": float(d.mean()),
                "low": low,
                "high": high,
            }
        )
    return pd.DataFrame(rows)


def deal_probability_figure(curve: pd.DataFrame, label: str, title: str = "") -> Figure:
    """Deal probability against one parameter, with its 95% interval.

    Args:
        curve: A table from ``deal_probability_curve``.
        label: The parameter's name for the x axis.
        title: Figure title.

    Returns:
        The figure.
    """
    fig = Figure(figsize=(6.0, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.fill_between(
        curve["value"],
        curve["low"],
        curve["high"],
        color=DEAL_COLOUR,
        alpha=0.2,
        label="95% interval",
    )
    ax.plot(
        curve["value"],
        curve["probability"],
        color=DEAL_COLOUR,
        marker="o",
        linewidth=2.0,
        label="deal probability",
    )
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel(label, fontsize=9)
    ax.set_ylabel("deal probability", fontsize=9)
    ax.grid(alpha=0.25)
    ax.legend(fontsize=8, frameon=False)
    per_value = ""
    if "runs" in curve and len(curve):
        per_value = f" ({int(curve['runs'].iloc[0]):,} runs per value)"
    fig.suptitle(title or f"Deal probability against {label}{per_value}", fontsize=10)
    return fig
