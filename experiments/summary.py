"""Summaries of ensemble tables: deal probability with its interval, timing, terms, survival."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from model.schema import Scenario

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95% by default).

    Args:
        successes: Number of successes.
        n: Number of trials.
        z: Normal quantile of the interval.

    Returns:
        (low, high); (0, 1) when n is 0.
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # At 0 or n successes one end is exactly 0 or 1; rounding would leave it a hair inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def survival(table: pd.DataFrame, last_day: int) -> npt.NDArray[np.float64]:
    """Share of runs still without a deal at the end of each day 0..last_day.

    Runs that break down never reach a deal, so the curve levels off at the share of
    breakdowns. A deal after ``last_day`` counts on ``last_day``.

    Args:
        table: An ensemble table (``status`` and ``day`` columns).
        last_day: The last day to report.

    Returns:
        An array of last_day + 1 shares, indexed by day.
    """
    deal_days = table.loc[table["status"] == "deal", "day"].to_numpy(dtype=int)
    counts = np.bincount(np.clip(deal_days, 0, last_day), minlength=last_day + 1)
    return 1.0 - np.cumsum(counts) / max(len(table), 1)


def summarize(table: pd.DataFrame, scenario: Scenario) -> dict[str, Any]:
    """Summarise an ensemble table.

    Args:
        table: Rows as returned by ``run_ensemble``.
        scenario: The scenario the runs came from.

    Returns:
        Runs, deals, deal probability and its 95% Wilson interval, deal-day quantiles (days and
        dates), median terms of the deals, the share of runs whose deadline was extended, and
        the deals' median distances to the Nash point and to the Pareto frontier, and how
        those were computed (``bargaining``: "exact", "approximate" or "skipped", with a note).
    """
    n = len(table)
    deals = table[table["status"] == "deal"]
    low, high = wilson_interval(len(deals), n)
    start = pd.Timestamp(scenario.calendar.start)
    day_q = {}
    if len(deals):
        for q in QUANTILES:
            d = float(deals["day"].quantile(q, interpolation="lower"))
            day_q[f"{q:.2f}"] = {
                "day": int(d),
                "date": (start + pd.Timedelta(days=d)).date().isoformat(),
            }
    terms = {
        k: float(deals[f"term_{k}"].median()) if len(deals) else math.nan
        for k in scenario.issue_keys
    }
    return {
        "runs": n,
        "deals": len(deals),
        "deal_probability": len(deals) / n if n else math.nan,
        "deal_probability_95ci": [low, high],
        "deal_day_quantiles": day_q,
        "median_deal_terms": terms,
        "extended_share": float(table["extended"].mean()) if n else math.nan,
        "deal_nash_distance_median": _median(deals, "nash_distance"),
        "deal_frontier_distance_median": _median(deals, "frontier_distance"),
        **_bargaining(table),
    }


def _bargaining(table: pd.DataFrame) -> dict[str, str]:
    """How the distances were computed: the least exact of the runs', and its note."""
    for accuracy in ("skipped", "approximate"):
        rows = table[table["bargaining"] == accuracy] if "bargaining" in table else table[:0]
        if len(rows):
            return {"bargaining": accuracy, "bargaining_note": str(rows["bargaining_note"].iloc[0])}
    return {"bargaining": "exact", "bargaining_note": ""}


def _median(rows: pd.DataFrame, column: str) -> float:
    values = rows[column].dropna() if column in rows else pd.Series(dtype=float)
    return float(values.median()) if len(values) else math.nan


def summary_lines(summary: dict[str, Any], scenario: Scenario) -> list[str]:
    """Format a summary for the terminal."""
    from model.narration import fmt_value

    low, high = summary["deal_probability_95ci"]
    lines = [
        f"Ensemble of {summary['runs']:,} runs",
        f"  deal probability  {summary['deal_probability']:.1%}"
        f"  (95% Wilson interval {low:.1%} – {high:.1%})",
        f"  deadline extended {summary['extended_share']:.1%} of runs",
    ]
    if summary["deal_day_quantiles"]:
        q = summary["deal_day_quantiles"]
        lines.append(
            "  deal day          "
            + "  ".join(
                f"q{k[2:]}: {v['date']} (day {v['day']})"
                for k, v in q.items()
                if k in ("0.10", "0.50", "0.90")
            )
        )
        lines.append(
            f"  deals' distance   to the Nash point {summary['deal_nash_distance_median']:.3f},"
            f" to the Pareto frontier {summary['deal_frontier_distance_median']:.3f}"
            " (medians, in utility)"
        )
        if summary.get("bargaining", "exact") != "exact":
            lines.append(f"    {summary['bargaining']}: {summary['bargaining_note']}")
        lines.append("  median terms of the deals:")
        for issue in scenario.issues:
            v = summary["median_deal_terms"][issue.key]
            lines.append(f"    {issue.label:<58} {fmt_value(v, issue.unit)}")
    return lines
