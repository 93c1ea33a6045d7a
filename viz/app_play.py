"""The app's Play page: a student takes a party's seat and the agents play the rest.

The page holds one ``experiments.game.Game`` per browser session. On a round day it asks what
the seat is asked: a package, when the student's side opens the round (sliders in real units,
each kept inside what the student's own principals would ratify, with what the package is
worth to the student and how each other party would answer it now), and a verdict on the
packages on the table (accept, reject, or block where the seat's portfolio allows). When the
run ends, the debrief sets the student's result beside the agent in the same seat and the
bargaining solutions, and the game goes to the class board when the app keeps one.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Callable
from typing import cast

import numpy as np
import solara
from matplotlib.figure import Figure

from agents.human import ACCEPT, BLOCK, REJECT, Question
from agents.negotiator import Reason
from experiments.game import Game
from model.errors import UserError
from model.loading import DEFAULT_SCENARIO, list_scenarios, load_scenario
from model.narration import fmt_value
from viz.app_errors import failure_line
from viz.board import post_game
from viz.game_figures import debrief_alt, debrief_figure
from viz.prose import Prose

DEBRIEF_RUNS = 1_000
STEPS = 200  # slider positions across an issue's ratifiable range
LOG_LINES = 40
WHY = {
    Reason.ACCEPTS: "it is worth what you insist on today",
    Reason.BELOW_ASPIRATION: "you want more",
    Reason.OUTSIDE_WIN_SET: "your principals would not ratify it",
    Reason.BLOCKS: "it shortchanges your portfolio",
}


def default_seat(scenario: str) -> str:
    """The seat a student takes unless they choose: the lead of the scenario's last side."""
    sc = load_scenario(scenario)
    return sc.sides[sc.side_keys[-1]].lead


def figure_html(fig: Figure, alt: str) -> str:
    """A figure as an <img> with alt text, its pixels inline (no request leaves the page)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96)
    data = base64.b64encode(buf.getvalue()).decode()
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
        'style="max-width: 100%; height: auto;">'
    )


def package_rows(game: Game, package: np.ndarray) -> str:
    """A package as Markdown table rows, in real units, with where it breaks the win-set."""
    c = game.model.compiled
    lo, hi = game.win_set()
    real = c.to_real(package)
    off = c.days.off_table[min(game.model.day + 1, c.last_day)]
    lines = ["| issue | value | your principals ratify |", "|---|---:|---|"]
    for i, issue in enumerate(game.scenario.issues):
        value = fmt_value(real[i], issue.unit)
        if off[i]:
            note = "off the table"
        elif real[i] > hi[i] + 1e-9:
            note = f"no: above {fmt_value(hi[i], issue.unit)}"
        elif real[i] < lo[i] - 1e-9:
            note = f"no: below {fmt_value(lo[i], issue.unit)}"
        else:
            note = "yes"
        lines.append(f"| {issue.label} | {value} | {note} |")
    return "\n".join(lines)


@solara.component
def PackageEditor(
    game: Game,
    question: Question,
    on_table: Callable[[list[float]], None],
    on_follow: Callable[[], None],
) -> None:
    """Sliders in real units for the package the student tables, with its worth and echo."""
    c = game.model.compiled
    lo, hi = game.win_set()
    lo_real, hi_real = np.minimum(lo, hi), np.maximum(lo, hi)
    seat = game.scenario.party_keys.index(game.seat)
    start = game.answers.packages
    last = start[max(start)] if start else None
    first = c.to_real(np.array(last) if last is not None else question.suggestion)
    draft, set_draft = solara.use_state(cast(list[float], list(np.clip(first, lo_real, hi_real))))
    off = c.days.off_table[question.day]

    def set_issue(i: int) -> Callable[[float], None]:
        def set_value(value: float) -> None:
            # From the latest draft, not this render's: sliders may report together.
            def changed(latest: list[float]) -> list[float]:
                if latest[i] == float(value):
                    return latest
                return [*latest[:i], float(value), *latest[i + 1 :]]

            set_draft(changed)

        return set_value

    # A preset builds the sliders anew at its values: sliders still on the page would report
    # their old positions back as they are moved, undoing it.
    preset, set_preset = solara.use_state(0)

    def ideal() -> None:
        set_draft(list(np.clip(c.to_real(c.ideal[0, seat]), lo_real, hi_real)))
        set_preset(preset + 1)

    def agent() -> None:
        set_draft(list(np.clip(c.to_real(question.suggestion), lo_real, hi_real)))
        set_preset(preset + 1)

    worth = game.seat_utility(draft)
    answers = game.likely_verdicts(draft)
    names = {p.key: p.name for p in game.scenario.parties}
    # Classes name the question and the preset, so that a page (or a test) can tell this card
    # from the one it replaces.
    asked = f"q-{question.kind}-{question.day}"
    with solara.Card("Your package", classes=["play-package", asked, f"preset-{preset}"]):
        Prose(
            "Your side opens this round: choose the package you table. Each slider stays "
            "inside what your own principals would ratify today."
        )
        with solara.Column().key(f"sliders-{preset}"):
            for i, issue in enumerate(game.scenario.issues):
                if off[i]:
                    solara.Text(
                        f"{issue.label}: off the table, stays at "
                        f"{fmt_value(c.to_real(c.no_deal)[i], issue.unit)}"
                    )
                    continue
                span = max(hi_real[i] - lo_real[i], 1e-12)
                with solara.Row(style={"align-items": "center"}):
                    solara.SliderFloat(
                        f"{issue.label}",
                        value=draft[i],
                        min=float(lo_real[i]),
                        max=float(hi_real[i]),
                        step=float(span / STEPS),
                        on_value=set_issue(i),
                        thumb_label=False,
                    )
                    solara.Text(
                        f"{fmt_value(draft[i], issue.unit)} (range "
                        f"{fmt_value(lo_real[i], issue.unit)}–{fmt_value(hi_real[i], issue.unit)})",
                        classes=["play-value"],
                    )
        Prose(f"**Worth to you:** {worth:.2f}")
        echo = ", ".join(
            f"{names[k]} {'would accept' if a else 'would refuse'}" for k, a in answers.items()
        )
        solara.Text(f"How the others would answer it now: {echo}.")
        with solara.Row():
            solara.Button(
                "Table this package", on_click=lambda: on_table(list(draft)), color="primary"
            )
            solara.Button("Ask for everything (my ideal)", on_click=ideal, text=True)
            solara.Button("What the agent in my seat would table", on_click=agent, text=True)
            solara.Button("Let the agent in my seat answer this one", on_click=on_follow, text=True)


@solara.component
def VerdictPanel(
    game: Game,
    question: Question,
    on_answer: Callable[[list[bool], list[bool]], None],
    on_follow: Callable[[], None],
) -> None:
    """The packages on the table, what each is worth, and the student's verdict on them."""
    sc = game.scenario
    assert question.packages is not None and question.asked is not None
    assert question.utility is not None and question.reasons is not None
    assert question.can_block is not None
    asked = [int(k) for k in np.flatnonzero(question.asked)]
    choice, set_choice = solara.use_state(cast(dict[int, str], {k: "reject" for k in asked}))
    hint, set_hint = solara.use_state(False)

    def send(verdicts: dict[int, str]) -> None:
        accepts = [verdicts.get(k) == "accept" for k in range(len(sc.side_keys))]
        blocks = [verdicts.get(k) == "block" for k in range(len(sc.side_keys))]
        on_answer(accepts, blocks)

    asked_now = f"q-{question.kind}-{question.day}"
    with solara.Card("Packages on the table", classes=["play-verdict", asked_now]):
        for k in asked:
            side = sc.sides[sc.side_keys[k]].name
            Prose(f"**{side}'s package**, worth **{question.utility[k]:.2f}** to you")
            Prose(package_rows(game, question.packages[k]))
            options = ["accept", "reject", *(["block"] if question.can_block[k] else [])]
            if len(asked) == 1:
                with solara.Row():
                    solara.Button(
                        "Accept", on_click=lambda k=k: send({k: "accept"}), color="success"
                    )
                    solara.Button("Reject", on_click=lambda k=k: send({k: "reject"}), color="error")
                    if question.can_block[k]:
                        solara.Button(
                            "Block (a veto on your portfolio)",
                            on_click=lambda k=k: send({k: "block"}),
                        )
            else:
                solara.ToggleButtonsSingle(
                    value=choice[k],
                    values=options,
                    on_value=lambda v, k=k: set_choice({**choice, k: v}),
                )
        if len(asked) > 1:
            solara.Button("Send my verdicts", on_click=lambda: send(choice), color="primary")
        with solara.Row(style={"align-items": "center"}):
            solara.Checkbox(
                label="Show what the agent in my seat would do", value=hint, on_value=set_hint
            )
            solara.Button("Let the agent in my seat answer this one", on_click=on_follow, text=True)
        if hint:
            codes = question.agent_verdicts
            for k in asked:
                word = {ACCEPT: "accept", REJECT: "reject", BLOCK: "block"}[int(codes[k])]
                why = WHY.get(Reason(int(question.reasons[k])), "")
                side = sc.sides[sc.side_keys[k]].name
                solara.Text(f"{side}'s package: the agent would {word} ({why}).")


@solara.component
def DebriefPanel(game: Game, player: str) -> None:
    """The end of the game: what happened, how the student did, and the figure."""
    debrief = solara.use_memo(lambda: game.debrief(DEBRIEF_RUNS), [game])
    posted = solara.use_memo(lambda: post_game(game, debrief, player), [game])
    with solara.Card("Debrief", classes=["play-debrief"]):
        Prose(debrief.summary())
        if posted:
            solara.Text(posted)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=figure_html(debrief_figure(game, debrief), debrief_alt(debrief)),
        )


@solara.component
def PlayPage() -> None:
    """The Play page (see the module's description)."""
    names = [name for name, _ in list_scenarios()]
    scenario, set_scenario = solara.use_state(DEFAULT_SCENARIO)
    seat, set_seat = solara.use_state(default_seat(DEFAULT_SCENARIO))
    seed_text, set_seed_text = solara.use_state("0")
    every, set_every = solara.use_state(False)
    player, set_player = solara.use_state("")
    game, set_game = solara.use_state(cast(Game | None, None))
    version, set_version = solara.use_state(0)
    note, set_note = solara.use_state("")

    def pick(name: str) -> None:
        if name in names:  # the browser can send anything
            set_scenario(name)
            set_seat(default_seat(name))

    def start() -> None:
        try:
            seed = int(seed_text.strip())
            set_game(Game(scenario, seat, seed, every_round=every))
            set_note("")
        except ValueError:
            set_note(f"The seed must be a whole number, not {seed_text!r}.")
        except UserError as exc:
            set_note(exc.line())
        except Exception as exc:  # the page stays; the log says why
            set_note(failure_line(exc, "The game could not start"))

    def act(action: Callable[[], None]) -> None:
        try:
            action()
        except UserError as exc:
            set_note(exc.line())
        except Exception as exc:
            set_note(failure_line(exc, "The game could not go on"))
        set_version(lambda v: v + 1)

    sc = load_scenario(scenario)
    with solara.Column(style={"max-width": "1100px", "padding": "8px"}):
        with solara.Card("Take a seat"):
            with solara.Row(style={"flex-wrap": "wrap", "gap": "12px"}):
                solara.Select(label="Scenario", value=scenario, values=names, on_value=pick)
                solara.Select(
                    label="Your party",
                    value=seat,
                    values=list(sc.party_keys),
                    on_value=lambda k: set_seat(k) if k in sc.party_keys else None,
                )
                solara.InputText(
                    "Seed", value=seed_text, on_value=set_seed_text, continuous_update=True
                )
                solara.InputText(
                    "Your name (for the class board)",
                    value=player,
                    on_value=set_player,
                    continuous_update=True,
                )
                solara.Checkbox(
                    label="Ask me for a package every round", value=every, on_value=set_every
                )
                solara.Button("Start the game", on_click=start, color="primary")
            party = sc.party(seat)
            solara.Text(f"You play {party.name} ({party.role}), for {sc.sides[party.side].name}.")
        if note:
            solara.Warning(note)
        if game is None:
            return
        # The game changes in place: the version tells the view that it has moved on.
        GameView(game, act, player, version).key(f"game-{id(game)}")


@solara.component
def GameView(
    game: Game, act: Callable[[Callable[[], None]], None], player: str, version: int
) -> None:
    """The game under way: the question, or the debrief, and the narrative so far.

    ``version`` counts the answers given: the game object stays the same as it moves on.
    """
    q = game.question
    sc = game.scenario
    date = game.date
    party = sc.party(game.seat)
    if q is not None:
        opens = "your side opens" if q.kind == "package" else "the packages are on the table"
        Prose(
            f"### {date:%A %d %B %Y}: round day, {opens}",
            classes=["play-heading", f"q-{q.kind}-{q.day}"],
        )
        solara.Text(
            f"You are {party.name}. Day {q.day} of talks; deadline {deadline_of(game):%d %B}."
        )
        key = f"{q.kind}-{q.day}"
        follow = lambda: act(game.follow_agent)  # noqa: E731
        if q.kind == "package":
            PackageEditor(game, q, lambda p: act(lambda: game.table(p)), follow).key(key)
        else:
            VerdictPanel(game, q, lambda a, b: act(lambda: game.answer(a, b)), follow).key(key)
    else:
        DebriefPanel(game, player)
    with solara.Details("What has happened so far", expand=q is not None):
        lines = game.model.log[-LOG_LINES:]
        solara.HTML(
            tag="pre",
            unsafe_innerHTML=html.escape("\n".join(lines)),
            style="white-space: pre-wrap; font-size: 13px;",
        )


def deadline_of(game: Game) -> dt.date:
    """The deadline in force for the game's run."""
    c = game.model.compiled
    return c.scenario.calendar.start + dt.timedelta(days=int(game.model.state.deadline[0]))
