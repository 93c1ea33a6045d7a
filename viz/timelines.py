"""A run over time: each party's position on each issue, and its utility against its reservation.

Both figures read run 0's daily records (``model.datacollector``), so they draw a finished run
for ``negotiate run --out`` and a run in progress for the app alike. The x axis always spans the
whole calendar (to the latest possible extended deadline), so a growing run never rescales.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from viz.style import (
    BREAKDOWN_COLOUR,
    DEADLINE_COLOUR,
    DEAL_COLOUR,
    ELECTION_COLOUR,
    EVENT_COLOUR,
    date_axis,
    day_of,
    issue_title,
    party_style,
    short_name,
    side_colour,
)

if TYPE_CHECKING:
    from model.negotiation import NegotiationModel


@dataclass(frozen=True)
class Marker:
    """A day worth a vertical line: the deadline, an election, a numbered event."""

    day: int
    label: str
    colour: str
    style: str
    number: int | None = None  # events are numbered; the number is drawn on the line


def daily_table(model: NegotiationModel) -> pd.DataFrame:
    """Run 0's daily records, with the opening positions (recorded before day 0) at day 0."""
    data = model.datacollector.get_model_vars_dataframe()
    if data.empty:
        return data
    data = data.copy()
    data["day"] = data["day"].clip(lower=0)
    return data


def calendar_markers(model: NegotiationModel, outcome: bool = True) -> list[Marker]:
    """The deadline (and its extension, once granted), elections, events and the end of run 0.

    Args:
        model: The model.
        outcome: Mark the day the run ended (when it has).
    """
    c, s, sc = model.compiled, model.state, model.scenario
    out: list[Marker] = []
    if s.extended[0]:
        out.append(Marker(c.deadline_day, "original deadline", DEADLINE_COLOUR, ":"))
        out.append(Marker(int(s.deadline[0]), "extended deadline", DEADLINE_COLOUR, "-"))
    else:
        out.append(Marker(c.deadline_day, "deadline", DEADLINE_COLOUR, "-"))
    for side in sc.sides.values():
        if side.election is not None and 0 <= day_of(sc, side.election) <= c.last_day:
            out.append(
                Marker(day_of(sc, side.election), f"election ({side.name})", ELECTION_COLOUR, "-.")
            )
    o = model.outcome
    if o is not None and outcome:
        colour = DEAL_COLOUR if o.status == "deal" else BREAKDOWN_COLOUR
        out.append(Marker(o.day, f"{o.status} ({o.date:%d %b})", colour, "-"))
    number = 0
    for e in sc.events:
        d = day_of(sc, e.date)
        if 0 <= d <= c.last_day:
            number += 1
            out.append(Marker(d, e.label, EVENT_COLOUR, (0, (1, 3)), number))  # type: ignore[arg-type]
    return out


def draw_markers(ax: Axes, markers: list[Marker], numbers: bool = True) -> None:
    """Draw each marker as a vertical line; events carry their number at the top."""
    for m in markers:
        ax.axvline(m.day, color=m.colour, linestyle=m.style, linewidth=0.9, zorder=0)
        if numbers and m.number is not None:
            ax.text(
                m.day,
                1.0,
                str(m.number),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=6,
                color=EVENT_COLOUR,
            )


def draw_key(ax: Axes, markers: list[Marker], parties: list[Line2D]) -> None:
    """Fill an empty panel with the key: parties, calendar lines and the numbered events."""
    ax.set_axis_off()
    calendar = [
        Line2D([], [], color=m.colour, linestyle=m.style, linewidth=1.2, label=m.label)
        for m in markers
        if m.number is None
    ]
    # A second ax.legend() replaces the first: keep the calendar key as a separate artist.
    ax.add_artist(ax.legend(handles=calendar, loc="upper left", fontsize=7, frameon=False))
    ax.legend(handles=parties, loc="upper right", fontsize=7, frameon=False)
    events = [m for m in markers if m.number is not None]
    if events:
        lines = [
            textwrap.fill(f"{m.number}. {m.label}", 62, subsequent_indent="    ") for m in events
        ]
        ax.text(0.0, 0.55, "Events\n" + "\n".join(lines), fontsize=6.5, va="top")


def frame_issue(ax: Axes, model: NegotiationModel, issue: str) -> None:
    """The still parts of an issue's panel: title, value range and the date axis."""
    sc = model.scenario
    i = sc.issue(issue)
    pad = 0.04 * (i.max - i.min)
    ax.set_ylim(i.min - pad, i.max + pad)
    ax.set_title(issue_title(sc, issue), fontsize=8)
    date_axis(ax, sc, model.compiled.last_day)
    ax.grid(alpha=0.25)


def position_lines(
    ax: Axes, model: NegotiationModel, issue: str, data: pd.DataFrame, upto: int | None = None
) -> list[Line2D]:
    """Each party's position on one issue over time (to ``upto``), coloured by side."""
    sc = model.scenario
    rows = data if upto is None else data[data["day"] <= upto]
    return [
        ax.plot(
            rows["day"],
            rows[f"{party}.{issue}"],
            color=side_colour(sc, party),
            linestyle=party_style(sc, party),
            linewidth=1.3,
            alpha=0.9,
            label=short_name(sc, party),
        )[0]
        for party in sc.party_keys
    ]


def party_handles(model: NegotiationModel) -> list[Line2D]:
    """Legend entries of the parties' lines."""
    sc = model.scenario
    return [
        Line2D(
            [],
            [],
            color=side_colour(sc, p),
            linestyle=party_style(sc, p),
            linewidth=1.3,
            label=short_name(sc, p),
        )
        for p in sc.party_keys
    ]


def draw_positions(
    ax: Axes, model: NegotiationModel, issue: str, data: pd.DataFrame, upto: int | None = None
) -> None:
    """Each party's position on one issue over time, coloured by side.

    Args:
        ax: The axes.
        model: The model whose run 0 is drawn.
        issue: Issue key.
        data: ``daily_table(model)``.
        upto: Last day to draw (all days when None).
    """
    frame_issue(ax, model, issue)
    position_lines(ax, model, issue, data, upto)


def positions_figure(model: NegotiationModel) -> Figure:
    """Each party's position on each issue over time, with the deadline and events marked.

    Args:
        model: A single-run model that collected daily data (finished or not).

    Returns:
        The figure: one panel per issue, and a key of parties, calendar lines and events.
    """
    sc = model.scenario
    data = daily_table(model)
    n = len(sc.issues) + 1
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(3.6 * cols, 2.7 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    markers = calendar_markers(model)
    for ax, issue in zip(axes, sc.issue_keys, strict=False):
        draw_markers(ax, markers)
        draw_positions(ax, model, issue, data)
    draw_key(axes[len(sc.issues)], markers, party_handles(model))
    for ax in axes[n:]:
        ax.set_axis_off()
    fig.suptitle(f"{sc.title}: positions, seed {model.state.seeds[0]} — {verdict(model)}")
    return fig


def frame_party(ax: Axes, model: NegotiationModel, party: str) -> None:
    """The still parts of a party's utility panel: its reservation, title and axes."""
    sc = model.scenario
    reservation = float(model.negotiators[party].reservation[0])
    ax.axhspan(0.0, reservation, color="#f2d7d5", alpha=0.45, zorder=0)
    ax.axhline(reservation, color="#a93226", linestyle="--", linewidth=1.0)
    ax.set_ylim(0.0, 1.05)
    ax.set_title(f"{sc.party(party).name} ({sc.sides[sc.party(party).side].name})", fontsize=8)
    date_axis(ax, sc, model.compiled.last_day)
    ax.grid(alpha=0.25)


def utility_lines(
    ax: Axes, model: NegotiationModel, party: str, data: pd.DataFrame, upto: int | None = None
) -> list[Line2D]:
    """A party's aspiration (thin) and utility of the package on the table (thick)."""
    colour = side_colour(model.scenario, party)
    rows = data if upto is None else data[data["day"] <= upto]
    return [
        *ax.plot(rows["day"], rows[f"{party}.aspiration"], color=colour, linewidth=1.0, alpha=0.55),
        *ax.plot(rows["day"], rows[f"{party}.utility"], color=colour, linewidth=2.0),
    ]


def draw_utilities(
    ax: Axes, model: NegotiationModel, party: str, data: pd.DataFrame, upto: int | None = None
) -> None:
    """One party's utility of the package on the table, its aspiration, and its reservation."""
    frame_party(ax, model, party)
    utility_lines(ax, model, party, data, upto)


def utilities_figure(model: NegotiationModel) -> Figure:
    """Each party's utility of the package on the table over time, against its reservation.

    Below its reservation line (shaded) a party prefers no deal; the thin line is its
    aspiration, the utility it still insists on.

    Args:
        model: A single-run model that collected daily data (finished or not).

    Returns:
        The figure, one panel per party.
    """
    sc = model.scenario
    data = daily_table(model)
    n = len(sc.party_keys)
    cols = min(4, n) if n != 4 else 2
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(3.8 * cols, 2.6 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    markers = [m for m in calendar_markers(model) if m.number is None]
    for ax, party in zip(axes, sc.party_keys, strict=False):
        draw_markers(ax, markers)
        draw_utilities(ax, model, party, data)
    for ax in axes[n:]:
        ax.set_axis_off()
    for ax in axes[::cols]:
        ax.set_ylabel("utility", fontsize=8)
    key = [
        Line2D([], [], color="#444444", linewidth=2.0, label="utility of the package on the table"),
        Line2D([], [], color="#444444", linewidth=1.0, alpha=0.55, label="aspiration"),
        Line2D([], [], color="#a93226", linestyle="--", label="reservation (no deal is better)"),
        *[
            Line2D([], [], color=m.colour, linestyle=m.style, label=m.label)
            for m in markers
            if m.number is None
        ],
    ]
    fig.legend(handles=key, loc="outside lower center", ncol=3, fontsize=7, frameon=False)
    fig.suptitle(f"{sc.title}: utilities, seed {model.state.seeds[0]} — {verdict(model)}")
    return fig


def verdict(model: NegotiationModel) -> str:
    """The state of run 0 in words: "deal on 2025-07-08", "day 12 (…), running"."""
    o = model.outcome
    if o is not None:
        return f"{o.status} on {o.date.isoformat()}"
    if model.day < 0:
        return f"{model.date.isoformat()}, before the first day"
    return f"day {model.day} ({model.date.isoformat()}), running"


def table_now(model: NegotiationModel) -> dict[str, float]:
    """The package on run 0's table now, in real units (empty before any is tabled)."""
    c, s = model.compiled, model.state
    if not s.has_table[0]:
        return {}
    terms = s.terms[0] if not np.isnan(s.terms[0]).any() else s.table[0]
    return dict(zip(c.issue_keys, c.to_real(terms).tolist(), strict=True))
