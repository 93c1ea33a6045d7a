"""The Watch page's frame: run buttons, settings in sections, and the panels in a grid.

The page's own buttons step, play and reset the model, and it reads in plain words: the day
and date in place of a step count, the settings grouped by side and party in sections that
open and close, each slider showing its value and its range, the changes waiting for Reset
listed by label, and the panels in a grid that puts two side by side on a wide screen and one
under another on a narrow one.

What Reset builds is ``AppModel(**values)``: the scenario, the seed box's text, every
control's value and, for a stored sweep run, its fixed parameters.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import solara
from mesa.visualization.utils import update_counter

from model.schema import Scenario
from viz.app_controls import EPS, Control, controls_for
from viz.app_keys import Shortcuts

if TYPE_CHECKING:
    from viz.app import AppModel

PLAY_INTERVAL_MS = 150
PANEL_MIN_WIDTH = 460  # px: two panels side by side from about 1,340 px of window up
# A slider's own label would sit beside its track and squeeze it: the label is shown above,
# with the value, and the slider's label is kept for screen readers only.
SETTINGS_CSS = """
.setting .v-slider + .v-label, .setting .v-input__slot > .v-label {
    position: absolute !important; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap;
}
.setting { margin-bottom: 14px; }
.setting-label { font-size: 14px; }
"""
GRID = (
    "display: grid; gap: 12px; align-items: start; width: 100%; "
    f"grid-template-columns: repeat(auto-fill, minmax(min({PANEL_MIN_WIDTH}px, 100%), 1fr));"
)


def initial_values(spec: dict[str, Any]) -> dict[str, Any]:
    """What a page's inputs start at: each input's value, and the fixed entries as they are."""
    return {
        name: entry["value"] if isinstance(entry, dict) and "type" in entry else entry
        for name, entry in spec.items()
    }


def shown_value(ctl: Control, value: Any) -> str:
    """A control's value as the page shows it: to the slider's step, without float noise."""
    if ctl.choices:
        return str(value)
    decimals = 0
    while decimals < 6 and abs(ctl.step * 10**decimals - round(ctl.step * 10**decimals)) > 1e-9:
        decimals += 1
    return f"{float(value):.{decimals}f}"


def settings_text(scenario: Scenario, overrides: dict[str, Any]) -> str:
    """The settings a run changed from its scenario, by the controls' labels ("none" for none).

    Each value is shown to its slider's step; a path without a control (a stored sweep's
    parameter) is shown by its path.
    """
    controls = {c.path: c for c in controls_for(scenario)}
    parts = []
    for path, value in overrides.items():
        ctl = controls.get(path)
        if ctl is not None:
            parts.append(f"{ctl.label} = {shown_value(ctl, value)}")
        elif isinstance(value, float):
            parts.append(f"{path} = {value:.4g}")
        else:
            parts.append(f"{path} = {value}")
    return ", ".join(parts) or "none"


def pending_changes(
    controls: Sequence[Control], values: dict[str, Any], model: AppModel
) -> list[str]:
    """The settings that differ from the run on screen, by label: what Reset would change."""
    lines = []
    for ctl in controls:
        if ctl.path not in values:
            continue
        now = values[ctl.path]
        running = model.inputs.get(ctl.path, ctl.default)
        differs = (
            str(now) != str(running) if ctl.choices else abs(float(now) - float(running)) > EPS
        )
        if differs:
            lines.append(f"{ctl.label}: {shown_value(ctl, running)} → {shown_value(ctl, now)}")
    return lines


@solara.component
def ControlInput(ctl: Control, values: solara.Reactive[dict[str, Any]]) -> None:
    """One setting: a choice, or a slider that shows its value and its range."""

    def set_value(value: Any) -> None:
        values.value = {**values.value, ctl.path: value}  # from the latest values

    value = values.value.get(ctl.path, ctl.default)
    if ctl.choices:
        solara.Select(label=ctl.label, value=value, values=list(ctl.choices), on_value=set_value)
        return
    with solara.Column(gap="0px", classes=["setting"]):
        solara.Text(f"{ctl.label}: {shown_value(ctl, value)}", classes=["setting-label"])
        solara.SliderFloat(
            ctl.label,
            value=float(value),
            min=ctl.low,
            max=ctl.high,
            step=ctl.step,
            on_value=set_value,
            tick_labels="end_points",
        )


@solara.component
def SettingsSections(
    scenario: Scenario,
    controls: Sequence[Control],
    values: solara.Reactive[dict[str, Any]],
    open_sides: bool = True,
) -> None:
    """The controls by section (the talks, each side, each party); the sides' open or not."""
    groups: dict[str, list[Control]] = {}
    for ctl in controls:
        groups.setdefault(ctl.group, []).append(ctl)
    sides = {s.name for s in scenario.sides.values()}
    solara.Style(SETTINGS_CSS)
    for group, members in groups.items():
        with solara.Details(group, expand=open_sides and group in sides):
            if any(".priorities." in c.path for c in members):
                solara.Text(
                    "Priorities are relative weights: the model rescales them to sum to 1.",
                    style={"font-size": "0.85em"},
                )
            for ctl in members:
                ControlInput(ctl, values)


@solara.component
def SettingsCard(
    scenario: Scenario,
    spec: dict[str, Any],
    values: solara.Reactive[dict[str, Any]],
    model: AppModel,
) -> None:
    """The seed and every setting, by section; what Reset would change."""
    controls = solara.use_memo(
        lambda: [c for c in controls_for(scenario) if c.path in spec], [scenario, tuple(spec)]
    )
    with solara.Card("Settings", classes=["settings"]):
        seed = spec.get("seed")
        if isinstance(seed, dict):
            solara.InputText(
                label="Seed (press Enter, then Reset)",
                value=str(values.value.get("seed", seed["value"])),
                on_value=lambda text: values.set({**values.value, "seed": text}),
            )
        SettingsSections(scenario, controls, values)
        waiting = pending_changes(controls, values.value, model)
        if waiting:
            with solara.Column(classes=["pending"]):
                solara.Text("Press Reset to run with:", style={"font-weight": "bold"})
                for line in waiting:
                    solara.Text(line)


@solara.component
def DayLine(model: AppModel) -> None:
    """The day the run is on, in words."""
    update_counter.get()
    start = model.scenario.calendar.start
    if model.day < 0:
        text = f"Before the first day ({start:%d %B %Y})"
    else:
        text = f"Day {model.day}: {start + dt.timedelta(days=model.day):%A %d %B %Y}"
    if model.outcome is not None:
        text += f" — {model.outcome.status}"
    solara.Text(text, classes=["day-line"])


@solara.component
def RunCard(current: solara.Reactive[AppModel], values: solara.Reactive[dict[str, Any]]) -> None:
    """Reset, play or pause, and step, with the day on screen, and keys for each.

    Play steps a day every ``PLAY_INTERVAL_MS`` on the server's event loop, each day drawn
    before the next is played; Reset builds ``AppModel(**values)``.
    """
    update_counter.get()  # a day played (or failed) may end the run: the buttons follow
    playing = solara.use_reactive(False)
    running = current.value.running

    def step() -> None:
        current.value.step()
        update_counter.value += 1  # the panels redraw

    def reset() -> None:
        playing.set(False)
        cls = type(current.value)
        current.set(cls(**values.value))
        update_counter.value += 1

    def toggle() -> None:
        if current.value.running or playing.value:
            playing.set(not playing.value)

    def step_key() -> None:
        # The Step button is disabled while playing or after the end; its key is too.
        if current.value.running and not playing.value:
            step()

    with solara.Card("Run"):
        if playing.value:
            Player(step, playing, current)
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=reset)
            solara.Button(
                "❚❚" if playing.value else "▶",
                color="primary",
                on_click=toggle,
                disabled=not running,
            )
            solara.Button(
                "Step", color="primary", on_click=step, disabled=playing.value or not running
            )
        DayLine(current.value)
        Shortcuts({"play": toggle, "step": step_key, "reset": reset})


@solara.component
def Player(
    step: Callable[[], None], playing: solara.Reactive[bool], current: solara.Reactive[AppModel]
) -> None:
    """While shown, plays a day every ``PLAY_INTERVAL_MS``; hidden again, it stops.

    The loop runs on the server's event loop, so each day is drawn and sent before the next
    is played.
    """

    async def play() -> None:
        while playing.value and current.value.running:
            await asyncio.sleep(PLAY_INTERVAL_MS / 1000)
            if not playing.value:
                return
            step()
        playing.set(False)

    solara.lab.use_task(play, dependencies=[], prefer_threaded=False)


@solara.component
def PanelGrid(model: AppModel, panels: Sequence[Callable[[Any], Any]]) -> None:
    """The panels, two abreast on a wide screen and one under another on a narrow one."""
    with solara.v.Html(tag="div", style_=GRID, class_="watch-panels"):
        for panel in panels:
            with solara.Card(classes=["watch-panel"], style={"min-width": "0"}):
                panel(model)
