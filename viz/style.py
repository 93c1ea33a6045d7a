"""What every figure shares: side colours, short party names, a fixed graph layout, date axes.

Everything here depends on the scenario alone, never on a run, so a party keeps its colour and
its place in every figure, frame and app panel.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap

from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from model.schema import Scenario

# Blue, red, green, pink, orange: every pair stays at least 19 CIEDE2000 apart in normal vision
# and under simulated deuteranopia and protanopia, and each stands 3:1 against white
# (tests/test_palette.py). Tuned from the Okabe–Ito hues, whose first five come to 12 apart.
SIDE_COLOURS = ("#2233aa", "#aa2222", "#119977", "#cc77bb", "#ee5500")
LINE_STYLES = ("-", "--", ":", "-.")
DEADLINE_COLOUR = "#222222"
ELECTION_COLOUR = "#7d3c98"
EVENT_COLOUR = "#8c8c8c"
DEAL_COLOUR = "#17becf"  # cyan: apart from every side colour
BREAKDOWN_COLOUR = "#a93226"


def side_colour(scenario: Scenario, party: str) -> str:
    """Colour of a party's side."""
    return side_colour_of(scenario, scenario.party(party).side)


def side_colour_of(scenario: Scenario, side: str) -> str:
    """Colour of a side."""
    return SIDE_COLOURS[scenario.side_keys.index(side) % len(SIDE_COLOURS)]


def party_style(scenario: Scenario, party: str) -> str:
    """Line style of a party: the side's lead solid, the other members dashed or dotted."""
    p = scenario.party(party)
    members = [m.key for m in scenario.members(p.side)]
    lead = scenario.sides[p.side].lead
    order = [lead, *[m for m in members if m != lead]]
    return LINE_STYLES[order.index(party) % len(LINE_STYLES)]


def short_name(scenario: Scenario, party: str) -> str:
    """A party's surname (the last word of its name), for labels that must stay small."""
    return scenario.party(party).name.split()[-1]


def issue_title(scenario: Scenario, issue: str) -> str:
    """An issue's label with its unit, wrapped for a small panel."""
    i = scenario.issue(issue)
    return textwrap.fill(f"{i.label} ({i.unit})", 38)


def graph_layout(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Node positions that depend only on the scenario, so nodes never jump between days.

    Each side sits at its own point of a circle (with two sides: left and right, so the
    concessions that cross sides cross the middle); its members are spread on a short line
    across that point.
    """
    sides = scenario.side_keys
    pos: dict[str, tuple[float, float]] = {}
    for s, side in enumerate(sides):
        angle = math.pi + 2.0 * math.pi * s / len(sides)
        ax, ay = math.cos(angle), math.sin(angle)
        tx, ty = -ay, ax  # the tangent: members line up across the side's anchor
        members = [m.key for m in scenario.members(side)]
        spread = 0.55 if len(sides) > 2 else 0.8
        half = max((len(members) - 1) / 2.0, 1.0)
        for k, key in enumerate(members):
            t = (k - (len(members) - 1) / 2.0) / half
            # Members bow outward on an arc, so an edge between the two ends of a side
            # passes beside the middle member instead of through it.
            out = 1.0 + 0.45 * (1.0 - t * t) if len(members) > 2 else 1.0
            pos[key] = (ax * out + tx * t * half * spread, ay * out + ty * t * half * spread)
    return pos


def date_axis(ax: Axes, scenario: Scenario, last_day: int) -> None:
    """Label a day-number x axis with calendar dates ("16 Apr") over days 0..last_day."""
    start = scenario.calendar.start

    def label(day: float, _: int) -> str:
        d = start + dt.timedelta(days=round(day))
        return f"{d.day} {d:%b}"

    ax.set_xlim(0, max(last_day, 1))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    ax.tick_params(labelsize=7)


def day_of(scenario: Scenario, date: dt.date) -> int:
    """Day number of a calendar date (0 is the scenario's start)."""
    return (date - scenario.calendar.start).days
