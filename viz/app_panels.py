"""The app's panels: the concession graph, positions, utilities, the plane, the day, the outcome.

Each panel is a Solara component of the model, redrawn when Mesa's SolaraViz steps or resets
it (``update_counter``). Figures are built with ``matplotlib.figure.Figure``, never pyplot, so
the sessions of many browsers, and Mesa's play thread, never share a figure.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from typing import TYPE_CHECKING

import solara
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from mesa.visualization.utils import update_counter

from model.narration import fmt_value
from model.schema import Dynamics
from viz.graph import frame_graph, graph_artists, graph_key
from viz.live_figure import LiveFigure
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
from viz.utility_plane import frame_plane, plane_path

if TYPE_CHECKING:
    from viz.app import AppModel

DPI = 80
FIT = {"overflow-y": "auto", "height": "100%", "padding": "4px 8px"}


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def calendar_key(model: AppModel) -> tuple[bool, str]:
    """What changes a panel's still parts mid-run: an extension, and the end."""
    o = model.outcome
    return bool(model.state.extended[0]), o.status if o is not None else ""


@solara.component
def FigurePanel(title: str, image: bytes, classes: list[str] | None = None) -> None:
    """A titled image that fills its panel's width."""
    with solara.Column(style=FIT, classes=classes or []):
        solara.Text(title, style={"font-weight": "bold"})
        solara.Image(image, width="100%")


def live_graph(model: AppModel) -> LiveFigure:
    """The concession graph panel; the graph itself is what moves."""
    fig = Figure(figsize=(5.6, 3.6), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    frame_graph(ax, model.scenario)
    fig.legend(
        handles=graph_key(model.scenario),
        loc="outside lower center",
        ncol=len(model.scenario.sides),
        fontsize=8,
        frameon=False,
    )

    def moving() -> list[Artist]:
        return graph_artists(ax, model.concession_graph, model.scenario)

    return LiveFigure(fig, moving)


@solara.component
def GraphPanel(model: AppModel) -> None:
    """The concession graph as of the day just played."""
    update_counter.get()
    live = solara.use_memo(lambda: live_graph(model), [model])
    image = solara.use_memo(live.png, [live, model.day])
    FigurePanel(f"Concession graph — {verdict(model)}", image, ["panel-graph"])


def live_positions(model: AppModel) -> LiveFigure:
    """Every party's position on every issue; the lines so far are what moves."""
    sc = model.scenario
    n = len(sc.issues)
    cols = 3 if n > 7 else 2
    rows = -(-(n + 1) // cols)  # one spare panel holds the key
    fig = Figure(figsize=(3.2 * cols, 1.3 * rows + 0.1), dpi=DPI, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    markers = calendar_markers(model)
    for ax, issue in zip(axes, sc.issue_keys, strict=False):
        draw_markers(ax, markers, numbers=False)
        frame_issue(ax, model, issue)
        ax.title.set_fontsize(6.5)
        ax.tick_params(labelsize=6)
    for ax in axes[n:]:
        ax.set_axis_off()
    calendar = [
        Line2D([], [], color=m.colour, linestyle=m.style, label=m.label)
        for m in markers
        if m.number is None
    ]
    axes[n].legend(
        handles=[*party_handles(model), *calendar], loc="center", fontsize=6.5, frameon=False
    )

    def moving() -> list[Artist]:
        data = daily_table(model)
        return [
            line
            for ax, issue in zip(axes, sc.issue_keys, strict=False)
            for line in position_lines(ax, model, issue, data)
        ]

    return LiveFigure(fig, moving)


@solara.component
def PositionsPanel(model: AppModel) -> None:
    """Positions over time, with the deadline, the election and the events."""
    update_counter.get()
    live = solara.use_memo(lambda: live_positions(model), [model, calendar_key(model)])
    image = solara.use_memo(live.png, [live, model.day])
    FigurePanel("Positions on each issue", image, ["panel-positions"])


def live_utilities(model: AppModel) -> LiveFigure:
    """Each party's utility of the table against its reservation; the lines move."""
    sc = model.scenario
    n = len(sc.party_keys)
    cols = 2 if n > 1 else 1
    rows = -(-n // cols)
    fig = Figure(figsize=(6.4, 1.7 * rows + 0.3), dpi=DPI, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    markers = [m for m in calendar_markers(model) if m.number is None]
    for ax, party in zip(axes, sc.party_keys, strict=False):
        draw_markers(ax, markers)
        frame_party(ax, model, party)
        ax.title.set_fontsize(7)
    for ax in axes[n:]:
        ax.set_axis_off()

    def moving() -> list[Artist]:
        data = daily_table(model)
        return [
            line
            for ax, party in zip(axes, sc.party_keys, strict=False)
            for line in utility_lines(ax, model, party, data)
        ]

    return LiveFigure(fig, moving)


@solara.component
def UtilitiesPanel(model: AppModel) -> None:
    """Utilities of the package on the table against the reservation lines."""
    update_counter.get()
    live = solara.use_memo(lambda: live_utilities(model), [model, calendar_key(model)])
    image = solara.use_memo(live.png, [live, model.day])
    FigurePanel(
        "Utility of the table (thick), aspiration (thin), reservation (dashed)",
        image,
        ["panel-utilities"],
    )


def live_plane(model: AppModel) -> LiveFigure | None:
    """The utility plane (None without exactly two sides); the path of the table moves."""
    if len(model.scenario.side_keys) != 2:
        return None
    fig = Figure(figsize=(6.4, 3.9), dpi=DPI, layout="constrained")
    ax = fig.subplots()
    shares = frame_plane(ax, model)
    handles, _ = ax.get_legend_handles_labels()
    # The path and the outcome are redrawn every day: their key entries stand in for them.
    handles += [
        Line2D(
            [],
            [],
            color="#95a5a6",
            marker="o",
            markerfacecolor="#555555",
            markersize=4,
            label="package on the table\n(light: early, dark: late)",
        ),
        Line2D(
            [],
            [],
            color="none",
            marker="o",
            markerfacecolor="#27ae60",
            markersize=8,
            markeredgecolor="black",
            label="deal (red: breakdown)",
        ),
    ]
    ax.legend(
        handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7, frameon=False
    )

    def moving() -> list[Artist]:
        return plane_path(ax, model, shares)

    return LiveFigure(fig, moving)


@solara.component
def PlanePanel(model: AppModel) -> None:
    """The two sides' utilities: frontier, Nash, Kalai–Smorodinsky and the path of the table."""
    update_counter.get()
    live = solara.use_memo(lambda: live_plane(model), [model])
    image = solara.use_memo(lambda: live.png() if live else None, [live, model.day])
    if image is None:
        with solara.Column(style=FIT):
            solara.Text("Utility plane", style={"font-weight": "bold"})
            solara.Info(
                f"The plane needs two sides; this scenario has {len(model.scenario.side_keys)}."
            )
        return
    FigurePanel("Utility plane of the two sides", image, ["panel-plane"])


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
        settings = ", ".join(f"{k} = {v}" for k, v in model.app_overrides.items()) or "none"
        Note(
            f"Seed {model.run_seed}; changed from the scenario: {settings}. {deadline_note(model)}"
        )
        mechanisms = dynamics_in_force(sc.dynamics)
        if mechanisms:
            Note("Mechanisms on: " + "; ".join(mechanisms) + ".", italic=True)
        for note in model.notes:
            solara.Warning(note)
