"""The app's panels: the concession graph, positions, utilities, the plane, the day, the outcome.

Each panel is a Solara component of the model, redrawn when the Watch page steps or resets
it (``update_counter``). Figures are built with ``matplotlib.figure.Figure``, never pyplot, so
the sessions of many browsers never share a figure.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import textwrap
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np
import solara
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from mesa.visualization.utils import update_counter

from model.bargaining import Solutions
from model.narration import fmt_value
from model.schema import Dynamics
from viz.app_watch import settings_text
from viz.figure_html import png_html, raise_fonts, smallest_font_px
from viz.graph import FULL_WIDTH_AT, frame_graph, graph_artists, graph_key, width_key
from viz.live_figure import LiveFigure
from viz.panel_alt import graph_alt, plane_alt, positions_alt, utilities_alt
from viz.timelines import (
    calendar_markers,
    daily_table,
    draw_markers,
    frame_issue,
    frame_party,
    party_handles,
    position_lines,
    table_now,
    utility_lines,
    verdict,
)
from viz.utility_plane import frame_axes, plane_path, plane_points, run_solutions

if TYPE_CHECKING:
    import pandas as pd

    from viz.app import AppModel

DPI = 100  # 4.6 in is 460 px: no blur in a 1366 px window's 440 px panel, and quick to encode
PANEL_WIDTH = 4.6  # inches; every panel figure is this wide, so one font size fits them all
# The smallest text of any panel figure. A figure is scaled to its panel: a panel 440 CSS px
# wide (a 1366 px window) shows 10 pt on 4.6 in at 10 * 440 / (72 * 4.6) = 13.3 px, above the
# 12 px a projected page needs; a 1920 px window's 717 px panel shows 21.6 px.
FONT_PT = 10.0
FIT = {"overflow-y": "auto", "height": "100%", "padding": "4px 8px"}
CAPTION = {"font-size": "0.9em", "color": "#444444", "margin-bottom": "4px"}


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def legible(fig: Figure) -> None:
    """Raise every text of a panel figure, tick labels drawn later included, to ``FONT_PT``."""
    for ax in fig.axes:
        ax.tick_params(labelsize=FONT_PT)
    raise_fonts([fig], FONT_PT)


class Panel:
    """A panel's ``LiveFigure``, its text at ``FONT_PT`` or more, drawn as an ``<img>``.

    Attributes:
        live: The figure, still parts drawn.
        alt: Says what the figure shows today, for its alt text.
        still_font_px: The still parts' smallest text, in image pixels: measured once, since
            scanning every tick label each day would cost more than drawing the day's lines.
    """

    def __init__(
        self, fig: Figure, moving: Callable[[], Iterable[Artist]], alt: Callable[[], str]
    ) -> None:
        """Raise the figure's fonts and draw its still parts (see ``LiveFigure``).

        Args:
            fig: The figure with its still parts drawn in.
            moving: Adds the day's moving artists and returns them (see ``LiveFigure``).
            alt: Says what the figure shows today.
        """
        legible(fig)
        self.alt = alt
        self._moving: list[Artist] = []

        def drawn() -> list[Artist]:
            self._moving = list(moving())
            raise_fonts(self._moving, FONT_PT)
            return self._moving

        self.live = LiveFigure(fig, drawn)
        self.still_font_px = smallest_font_px(fig)

    def html(self) -> str:
        """The day's frame as an image with alt text and the size of its smallest text."""
        image = self.live.png()
        moving = smallest_font_px(self.live.fig, self._moving)
        return png_html(image, self.alt(), min(self.still_font_px, moving))


def calendar_key(model: AppModel) -> tuple[bool, str]:
    """What changes a panel's still parts mid-run: an extension, and the end."""
    o = model.outcome
    return bool(model.state.extended[0]), o.status if o is not None else ""


def use_panel_image(model: AppModel, build: Callable[[], Panel], still: object) -> str:
    """A panel's ``<img>`` for the day just played (a hook: call it from a component).

    Args:
        model: The model.
        build: Builds the panel's figure anew.
        still: What changes the figure's still parts: the figure is built again when it (or the
            model) changes, and only its moving parts are redrawn day by day.
    """
    live = solara.use_memo(build, [model, still])
    return solara.use_memo(live.html, [live, model.day])


def panel_grid(
    plots: int,
    cols: int,
    row_inches: float,
    pad_inches: float,
    spare: int = 0,
    sharey: bool = False,
) -> tuple[Figure, np.ndarray]:
    """A panel-wide figure with a grid of ``plots`` axes and ``spare`` more, ``cols`` to a row.

    Each row is ``row_inches`` tall, plus ``pad_inches`` for the whole; every axes after the
    first ``plots`` is left blank (a key may go in one).

    Returns:
        The figure and its axes, row by row.
    """
    rows = -(-(plots + spare) // cols)
    fig = Figure(
        figsize=(PANEL_WIDTH, row_inches * rows + pad_inches), dpi=DPI, layout="constrained"
    )
    axes = fig.subplots(rows, cols, squeeze=False, sharey=sharey).ravel()
    for ax in axes[plots:]:
        ax.set_axis_off()
    return fig, axes


def daily_lines(
    model: AppModel,
    axes: Iterable[Axes],
    keys: Iterable[str],
    lines: Callable[[Axes, AppModel, str, pd.DataFrame], Iterable[Artist]],
) -> Callable[[], list[Artist]]:
    """What moves in a grid of panels: the lines ``lines`` draws on each axes for its key."""

    def moving() -> list[Artist]:
        data = daily_table(model)
        return [
            line
            for ax, key in zip(axes, keys, strict=False)
            for line in lines(ax, model, key, data)
        ]

    return moving


@solara.component
def FigurePanel(title: str, caption: str, image: str, classes: list[str] | None = None) -> None:
    """A titled figure that fills its panel's width, with a line on how to read it.

    Args:
        title: The panel's title.
        caption: How to read the figure, in one line.
        image: The figure as an ``<img>`` (``Panel.html``).
        classes: CSS classes of the panel.
    """
    with solara.Column(style=FIT, classes=classes or []):
        solara.Text(title, style={"font-weight": "bold"})
        solara.Text(caption, style=CAPTION, classes=["panel-caption"])
        solara.HTML(tag="div", unsafe_innerHTML=image)


GRAPH_CAPTION = (
    "An arrow runs from the party who conceded to the one it conceded to; wider arrows, more "
    "utility given up. Colours are sides."
)


def graph_scale(model: AppModel) -> float:
    """The concession drawn at full width: 0.5, or the largest so far rounded up to a quarter.

    The width key is drawn once with the still parts, so the scale moves in steps, each a new
    figure, rather than every day.
    """
    weights = [float(d["weight"]) for _, _, d in model.concession_graph.edges(data=True)]
    return max(FULL_WIDTH_AT, math.ceil(max(weights, default=0.0) * 4.0) / 4.0)


def live_graph(model: AppModel, scale: float | None = None) -> Panel:
    """The concession graph panel; the graph itself is what moves.

    Args:
        model: The model.
        scale: The concession drawn at full width (default: ``graph_scale``).
    """
    sc = model.scenario
    scale = graph_scale(model) if scale is None else scale
    fig = Figure(figsize=(PANEL_WIDTH, 4.2), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    frame_graph(ax, sc)
    fig.legend(
        handles=graph_key(sc), loc="outside upper center", ncol=min(len(sc.sides), 2), frameon=False
    )
    fig.legend(
        handles=width_key(scale),
        loc="outside lower center",
        ncol=3,
        frameon=False,
        title="arrow width: utility given up",
    )

    def moving() -> list[Artist]:
        return graph_artists(
            ax, model.concession_graph, sc, scale, node_size=GRAPH_NODE_SIZE, font_size=FONT_PT
        )

    return Panel(fig, moving, lambda: graph_alt(model))


GRAPH_NODE_SIZE = 2400  # points²: a name at FONT_PT mostly fits inside its node


@solara.component
def GraphPanel(model: AppModel) -> None:
    """The concession graph as of the day just played."""
    update_counter.get()
    scale = graph_scale(model)
    image = use_panel_image(model, lambda: live_graph(model, scale), scale)
    FigurePanel(f"Concession graph — {verdict(model)}", GRAPH_CAPTION, image, ["panel-graph"])


POSITIONS_CAPTION = (
    "Each line is a party's offer on one issue, day by day, in its side's colour (solid: the "
    "side's lead); lines that meet have agreed."
)


def live_positions(model: AppModel) -> Panel:
    """Every party's position on every issue; the lines so far are what moves."""
    sc = model.scenario
    n = len(sc.issues)
    fig, axes = panel_grid(n, 2, 1.9, 0.1, spare=1)  # the spare panel holds the key
    markers = calendar_markers(model)
    for ax, issue in zip(axes, sc.issue_keys, strict=False):
        draw_markers(ax, markers, numbers=False)
        frame_issue(ax, model, issue)
        few_dates(ax)
        i = sc.issue(issue)
        ax.set_title(textwrap.fill(f"{i.label} ({i.unit})", 22))
    calendar = [
        Line2D([], [], color=m.colour, linestyle=m.style, label=m.label)
        for m in markers
        if m.number is None
    ]
    axes[n].legend(handles=[*party_handles(model), *calendar], loc="center", frameon=False)
    moving = daily_lines(model, axes, sc.issue_keys, position_lines)
    return Panel(fig, moving, lambda: positions_alt(model))


def few_dates(ax: Axes) -> None:
    """Three dates on a narrow panel's axis, so that they stay apart at ``FONT_PT``."""
    ax.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))


@solara.component
def PositionsPanel(model: AppModel) -> None:
    """Positions over time, with the deadline, the election and the events."""
    update_counter.get()
    image = use_panel_image(model, lambda: live_positions(model), calendar_key(model))
    FigurePanel("Positions on each issue", POSITIONS_CAPTION, image, ["panel-positions"])


UTILITIES_CAPTION = (
    "Thick: what the package on the table is worth to the party; thin: what it still asks "
    "for; below the dashed reservation it would rather have no deal."
)


def live_utilities(model: AppModel) -> Panel:
    """Each party's utility of the table against its reservation; the lines move."""
    sc = model.scenario
    n = len(sc.party_keys)
    fig, axes = panel_grid(n, 2 if n > 1 else 1, 2.0, 0.3, sharey=True)
    markers = [m for m in calendar_markers(model) if m.number is None]
    for ax, party in zip(axes, sc.party_keys, strict=False):
        draw_markers(ax, markers)
        frame_party(ax, model, party)
        few_dates(ax)
        ax.set_title(f"{sc.party(party).name}\n({sc.sides[sc.party(party).side].name})")
    moving = daily_lines(model, axes, sc.party_keys, utility_lines)
    return Panel(fig, moving, lambda: utilities_alt(model))


@solara.component
def UtilitiesPanel(model: AppModel) -> None:
    """Utilities of the package on the table against the reservation lines."""
    update_counter.get()
    image = use_panel_image(model, lambda: live_utilities(model), calendar_key(model))
    FigurePanel(
        "Utility of the table (thick), aspiration (thin), reservation (dashed)",
        UTILITIES_CAPTION,
        image,
        ["panel-utilities"],
    )


PLANE_CAPTION = (
    "Each dot is a package, placed by what it gives each side; the grey curve is the most they "
    "can get together. ✕ marks no deal at this run's reservations."
)


class PlanePoints:
    """The plane's solutions for run 0's reservations, solved again only when they move.

    With ``reservation = "no_deal"`` the reservations move a little every day, and a solve
    takes about a second: the solutions are kept for reservations rounded to 0.01, a step no
    reader can see on the plane, so a run solves a handful of times instead of every day.
    """

    def __init__(self, model: AppModel) -> None:
        self.model = model
        self._solved: dict[tuple[float, ...], Solutions] = {}

    def now(self) -> Solutions:
        """The solutions for the run's reservations as they stand today."""
        key = tuple(np.round(self.model.state.reservation[0], 2).tolist())
        if key not in self._solved:
            self._solved[key] = run_solutions(self.model)
        return self._solved[key]


def live_plane(model: AppModel) -> Panel | None:
    """The utility plane (None without exactly two sides); the points and path move."""
    if len(model.scenario.side_keys) != 2:
        return None
    fig = Figure(figsize=(PANEL_WIDTH, 6.2), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    shares = frame_axes(ax, model)
    points = PlanePoints(model)
    handles, _ = ax.get_legend_handles_labels()
    # The points, the path and the outcome are redrawn every day: their key entries stand in.
    handles += [
        Line2D([], [], color="black", marker="X", markersize=8, linestyle="", label="no deal"),
        Line2D(
            [],
            [],
            marker="D",
            markersize=9,
            linestyle="",
            markerfacecolor="none",
            markeredgecolor="black",
            label="Kalai–Smorodinsky",
        ),
        Line2D(
            [],
            [],
            marker="*",
            markersize=12,
            linestyle="",
            color="#d4ac0d",
            markeredgecolor="black",
            label="Nash solution",
        ),
        Line2D(
            [],
            [],
            color="#95a5a6",
            marker="o",
            markerfacecolor="#555555",
            markersize=5,
            label="package on the table\n(light: early, dark: late)",
        ),
        Line2D(
            [],
            [],
            color="none",
            marker="o",
            markerfacecolor="#27ae60",
            markersize=9,
            markeredgecolor="black",
            label="deal (red: breakdown)",
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)

    def moving() -> list[Artist]:
        return [
            *plane_points(ax, shares, points.now(), "no deal"),
            *plane_path(ax, model, shares),
        ]

    return Panel(fig, moving, lambda: plane_alt(model, shares, points.now()))


@solara.component
def PlanePanel(model: AppModel) -> None:
    """The two sides' utilities: frontier, Nash, Kalai–Smorodinsky and the path of the table."""
    update_counter.get()
    live = solara.use_memo(lambda: live_plane(model), [model])
    image = solara.use_memo(lambda: live.html() if live else None, [live, model.day])
    if image is None:
        with solara.Column(style=FIT):
            solara.Text("Utility plane", style={"font-weight": "bold"})
            solara.Info(
                f"The plane needs two sides; this scenario has {len(model.scenario.side_keys)}."
            )
        return
    FigurePanel("Utility plane of the two sides", PLANE_CAPTION, image, ["panel-plane"])


def lines_of_day(model: AppModel, day: int) -> list[str]:
    """The narrated lines of one day, without their date stamp.

    The log stamps a day's first line with its ISO date and indents the lines that follow.
    """
    iso = (model.scenario.calendar.start + dt.timedelta(days=day)).isoformat()
    out: list[str] = []
    current = ""
    for line in model.log:
        if not line.startswith(" "):
            current = line[:10]
        if current == iso:
            out.append(line.removeprefix(iso).strip())
    return out


# Solara's Markdown pulls KaTeX from a CDN that solara-assets does not bundle: plain HTML
# keeps the app working offline.
def html_list(lines: list[str]) -> str:
    """Lines as an HTML bullet list (escaped)."""
    items = "".join(f"<li>{html.escape(ln)}</li>" for ln in lines)
    return f'<ul style="margin: 0 0 4px 0">{items}</ul>'


def html_table(header: list[str], rows: list[list[str]]) -> str:
    """A small left-aligned HTML table (escaped), numbers right-aligned."""
    cell = 'style="padding: 1px 10px 1px 0; text-align: {}"'
    head = "".join(f"<th {cell.format('left')}>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td {cell.format('left' if i == 0 else 'right')}>{html.escape(v)}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table style="border-collapse: collapse; font-size: 0.9em">{head}{body}</table>'


@solara.component
def Note(text: str, italic: bool = False) -> None:
    """A paragraph of plain text."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html.escape(text),
        style="font-style: italic" if italic else None,
    )


@solara.component
def NarrativePanel(model: AppModel) -> None:
    """What happened on the day just played, and the latest news before it."""
    update_counter.get()
    with solara.Column(style=FIT, classes=["panel-narrative"]):
        if model.day < 0:
            solara.Text("The day's narrative", style={"font-weight": "bold"})
            Note(f"Press Step to play the first day, {model.scenario.calendar.start:%d %B %Y}.")
            return
        solara.Text(
            f"The day: {model.date:%A %d %B %Y} (day {model.day})", style={"font-weight": "bold"}
        )
        today = lines_of_day(model, model.day)
        if today:
            solara.HTML(tag="div", unsafe_innerHTML=html_list(today), classes=["narrative-today"])
        else:
            Note("No round and no event today.", italic=True)
        d = next((d for d in range(model.day - 1, -1, -1) if lines_of_day(model, d)), None)
        if d is not None:
            Note(f"Before that, day {d}:", italic=True)
            solara.HTML(tag="div", unsafe_innerHTML=html_list(lines_of_day(model, d)))


# What each switch of a scenario's ``[dynamics]`` table does when it is on, in a few words.
SWITCH_LABELS: dict[tuple[str, str], str] = {
    ("reservation", "no_deal"): "bottom lines follow the no-deal terms",
    ("deadline", "threat"): "the deadline is a threat its holder may extend, escalate or impose",
    ("offers", "answer"): "offers answer offers",
    ("offers", "uniform"): "positions concede on every issue at once",
    ("hydra", "portfolios"): (
        "members block packages that shortchange their portfolios on the issues at the table"
    ),
    ("election", "outcomes"): "the election's result sets Japan's win-set afterwards",
    ("agenda", "dated"): "events take issues off the table",
    ("floors", "on"): "principals' floors hold",
    ("preferences", "uncertain"): "priorities, ideals and limits vary by run",
    ("information", "beliefs"): "parties learn the others' priorities and limits from their offers",
    ("bottom_lines", "private"): "no one knows how low the others would go, so each holds back",
    ("engage", "pivotal"): "each party courts, and meets, the member it most needs",
}


def dynamics_in_force(dynamics: Dynamics) -> list[str]:
    """The mechanisms a scenario switches on, in words, in the table's order."""
    on = [
        label
        for (field, value), label in SWITCH_LABELS.items()
        if getattr(dynamics, field) == value
    ]
    if dynamics.reciprocity_weight > 0:
        on.append("parties favour those who gave to them")
    return on


def deadline_note(model: AppModel) -> str:
    """The run's deadline, and how often and to when it moved."""
    start, first = model.scenario.calendar.start, model.scenario.calendar.deadline
    moves = int(model.state.extensions[0])
    if moves == 0:
        return f"Deadline {first:%d %B %Y}."
    now = start + dt.timedelta(days=int(model.state.deadline[0]))
    times = "once" if moves == 1 else f"{moves} times"
    return f"Deadline {first:%d %B %Y}, moved {times}, to {now:%d %B %Y}."


@solara.component
def OutcomePanel(model: AppModel) -> None:
    """The outcome (or the state of play): terms, utilities against reservations, settings."""
    update_counter.get()
    sc = model.scenario
    o = model.outcome
    settings = solara.use_memo(lambda: settings_text(sc, model.app_overrides), [model])
    with solara.Column(style=FIT, classes=["panel-outcome"]):
        if o is None:
            solara.Text(f"Outcome: not yet — {verdict(model)}", style={"font-weight": "bold"})
            terms = table_now(model)
            head = "On the table"
        else:
            solara.Text(
                f"Outcome: {o.status.upper()} on {o.date:%d %B %Y} (day {o.day})",
                style={"font-weight": "bold"},
            )
            terms, head = o.terms, "Terms" if o.status == "deal" else "No-deal terms"
        if terms:
            rows = [[i.label, fmt_value(terms[i.key], i.unit)] for i in sc.issues]
            solara.HTML(tag="div", unsafe_innerHTML=html_table(["Issue", head], rows))
        elif o is None:
            Note("No package has been tabled yet.", italic=True)
        if o is not None:
            util = o.utilities
        else:
            last = daily_table(model).iloc[-1]
            util = {p: float(last[f"{p}.utility"]) for p in sc.party_keys}
        rows = [
            [
                sc.party(key).name,
                "–" if util[key] != util[key] else f"{util[key]:.2f}",  # NaN: nothing tabled
                f"{model.negotiators[key].reservation[0]:.2f}",
            ]
            for key in sc.party_keys
        ]
        solara.HTML(
            tag="div", unsafe_innerHTML=html_table(["Party", "Utility", "Reservation"], rows)
        )
        Note(
            f"Seed {model.run_seed}; changed from the scenario: {settings}. {deadline_note(model)}"
        )
        mechanisms = dynamics_in_force(sc.dynamics)
        if mechanisms:
            Note("Mechanisms on: " + "; ".join(mechanisms) + ".", italic=True)
        for note in model.notes:
            solara.Warning(note)
