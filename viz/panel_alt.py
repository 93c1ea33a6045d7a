"""Alt text of the app's figures: what each one shows for this run on the day just played.

A reader who cannot see a figure hears the same facts a sighted reader takes from it: who gave
way to whom and how much, where each side stands on each issue, what the table is worth to
each party against its reservation, where the table, no deal and the solutions lie on the
plane, how often an ensemble reaches a deal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from model.bargaining import Solutions
from model.narration import fmt_value
from viz.style import short_name
from viz.timelines import daily_table

if TYPE_CHECKING:
    from model.negotiation import NegotiationModel


def when(model: NegotiationModel) -> str:
    """The day shown, in words: "on 20 April 2025 (day 4)", or before the first day."""
    d = model.date
    date = f"{d.day} {d:%B %Y}"
    if model.day < 0:
        return f"before the first day ({date})"
    return f"on {date} (day {model.day})"


def graph_alt(model: NegotiationModel) -> str:
    """The concession graph: how much each side has conceded, and the largest concession."""
    sc = model.scenario
    edges = list(model.concession_graph.edges(data=True))
    head = f"Concession graph {when(model)}"
    if not edges:
        return f"{head}: no concessions yet."
    given = {side: 0.0 for side in sc.side_keys}
    for u, _, data in edges:
        given[sc.party(u).side] += float(data["weight"])
    sides = ", ".join(f"{sc.sides[k].name} {v:.2f}" for k, v in given.items())
    u, v, data = max(edges, key=lambda e: float(e[2]["weight"]))
    return (
        f"{head}: utility conceded so far, by side: {sides}. The widest arrow runs from "
        f"{short_name(sc, u)} to {short_name(sc, v)} ({float(data['weight']):.2f})."
    )


def positions_alt(model: NegotiationModel) -> str:
    """Where each side's lead stands on each issue today."""
    sc = model.scenario
    head = f"Positions on {len(sc.issues)} issues {when(model)}"
    data = daily_table(model)
    if data.empty:
        return f"{head}: no positions yet."
    last = data.iloc[-1]
    leads = [(side.name, side.lead) for side in sc.sides.values()]
    parts = [
        f"{issue.label}: "
        + ", ".join(
            f"{name} {fmt_value(float(last[f'{lead}.{issue.key}']), issue.unit)}"
            for name, lead in leads
        )
        for issue in sc.issues
    ]
    return f"{head}, each side's lead: " + "; ".join(parts) + "."


def utilities_alt(model: NegotiationModel) -> str:
    """What the package on the table is worth to each party against its reservation."""
    sc = model.scenario
    head = f"Utility of the package on the table {when(model)}"
    data = daily_table(model)
    last = None if data.empty else data.iloc[-1]
    parts = []
    for key in sc.party_keys:
        reservation = float(model.negotiators[key].reservation[0])
        value = float("nan") if last is None else float(last[f"{key}.utility"])
        worth = "nothing tabled" if np.isnan(value) else f"{value:.2f}"
        parts.append(f"{short_name(sc, key)} {worth} (reservation {reservation:.2f})")
    return f"{head}, against each party's reservation: " + "; ".join(parts) + "."


def plane_alt(
    model: NegotiationModel, shares: npt.NDArray[np.float64], solutions: Solutions
) -> str:
    """Where the table, no deal and the solutions lie in the two sides' utilities."""
    sc = model.scenario
    a, b = (sc.sides[k].name for k in sc.side_keys)

    def point(u: npt.NDArray[np.float64]) -> str:
        x, y = shares @ u
        return f"{a} {x:.2f}, {b} {y:.2f}"

    parts = [f"no deal at this run's reservations: {point(solutions.problem.disagreement)}"]
    if solutions.nash is not None:
        parts.append(f"Nash solution: {point(solutions.nash.utility)}")
    if solutions.kalai_smorodinsky is not None:
        parts.append(f"Kalai–Smorodinsky: {point(solutions.kalai_smorodinsky.utility)}")
    o = model.outcome
    data = daily_table(model)
    if o is not None:
        end = np.array([o.utilities[p] for p in sc.party_keys])
        parts.append(f"{o.status}: {point(end)}")
    elif not data.empty:
        now = data.iloc[-1][[f"{p}.utility" for p in sc.party_keys]].to_numpy(dtype=float)
        parts.append("nothing tabled yet" if np.isnan(now).any() else f"on the table: {point(now)}")
    return f"Utility plane of {a} and {b} {when(model)}: " + "; ".join(parts) + "."


def ensemble_alt(runs: int, share_text: str, when_deal: str) -> str:
    """The survival curve of an ensemble, in words."""
    return f"Share of {runs:,} runs still without a deal, day by day: {share_text}{when_deal}."


def median_deal(table: pd.DataFrame, model: NegotiationModel) -> str:
    """The median deal day, as "; median deal day 69 (24 Jun)" ("" when no run has a deal)."""
    deals = table[table["status"] == "deal"]
    if not len(deals):
        return ""
    median = int(deals["day"].median())
    date = pd.Timestamp(model.scenario.calendar.start) + pd.Timedelta(days=median)
    return f"; median deal day {median} ({date:%d %b})"
