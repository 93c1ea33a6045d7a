"""Links that reproduce a view of the Watch page: scenario, seed and changed settings.

A link's query holds the scenario (``scenario=two_level``), the seed (``seed=5``) and each
setting that differs from the scenario, as the app's control shows it
(``set.parties.lutnick.clout=0.5``). Opening the link builds the page with those inputs, so the
run, its panels and its ensemble are the ones the link was made from. Only bundled scenarios
and the app's own controls are read from a link; anything else is left out with a note.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from model.loading import DEFAULT_SCENARIO, list_scenarios, load_scenario
from model.schema import Scenario
from viz.app_controls import EPS, controls_for

SET = "set."
MAX_QUERY = 4_000  # characters read from a link's query


@dataclass(frozen=True)
class View:
    """What a link asks the Watch page to show.

    Attributes:
        scenario: A bundled scenario name.
        seed: The seed as typed (the seed box parses it).
        inputs: Control path → value, for the controls that differ from the scenario.
        notes: One line for each part of the link that could not be used.
    """

    scenario: str = DEFAULT_SCENARIO
    seed: str = "0"
    inputs: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def changed_inputs(scenario: Scenario, values: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs among ``values`` (control path → value) that differ from the scenario."""
    out: dict[str, Any] = {}
    for ctl in controls_for(scenario):
        if ctl.path not in values:
            continue
        value = values[ctl.path]
        if ctl.choices:
            if str(value) != ctl.default:
                out[ctl.path] = str(value)
        elif abs(float(value) - float(ctl.default)) > EPS:
            out[ctl.path] = float(value)
    return out


def view_query(scenario: str, seed: int | str, inputs: Mapping[str, Any]) -> str:
    """The query string (with its "?") of a link to this view."""
    pairs = [("scenario", scenario), ("seed", str(seed))]
    pairs += [
        (SET + path, repr(value) if isinstance(value, float) else str(value))
        for path, value in sorted(inputs.items())
    ]
    return "?" + urllib.parse.urlencode(pairs)


def parse_view(search: str | None) -> View:
    """What a link's query asks for, keeping only what the app can show."""
    if not search:
        return View()
    notes: list[str] = []
    pairs = urllib.parse.parse_qsl(search[:MAX_QUERY], keep_blank_values=True)
    given = dict(pairs)
    names = [name for name, _ in list_scenarios()]
    scenario = given.get("scenario", DEFAULT_SCENARIO)
    if scenario not in names:
        notes.append(f"The link's scenario is not a bundled one: {DEFAULT_SCENARIO} is shown.")
        scenario = DEFAULT_SCENARIO
    loaded = load_scenario(scenario)
    controls = {ctl.path: ctl for ctl in controls_for(loaded)}
    inputs: dict[str, Any] = {}
    for key, text in pairs:
        if not key.startswith(SET):
            continue
        path = key[len(SET) :]
        ctl = controls.get(path)
        if ctl is None:
            notes.append(f"The link's setting {path[:60]} is not one of the app's controls.")
            continue
        if ctl.choices:
            if text in ctl.choices:
                inputs[path] = text
            else:
                notes.append(f"The link's {ctl.label} is not one of {', '.join(ctl.choices)}.")
            continue
        try:
            value = float(text)
        except ValueError:
            notes.append(f"The link's {ctl.label} is not a number.")
            continue
        if not ctl.low - EPS <= value <= ctl.high + EPS:
            notes.append(f"The link's {ctl.label} lies outside {ctl.low:g}–{ctl.high:g}.")
            continue
        inputs[path] = value
    seed = given.get("seed", "0")[:40]
    return View(scenario, seed, changed_inputs(loaded, inputs), tuple(notes))
