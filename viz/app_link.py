"""Links that reproduce a view of the Watch page: scenario, seed and changed settings.

A link's query holds the scenario (``scenario=two_level``), the seed (``seed=5``) and each
setting that differs from the scenario, as the app's control shows it
(``set.parties.lutnick.clout=0.5``). Opening the link builds the page with those inputs, so the
run, its panels and its ensemble are the ones the link was made from. Only bundled scenarios
and the app's own controls are read from a link; anything else is left out with a note.

The Compare page reads the same link as its side B, and side A from the same names behind a
prefix (``a.scenario=…&a.set.PATH=…``), so one link holds both sides of a comparison.
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


def view_pairs(scenario: str, inputs: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A view's scenario and changed settings as a link's (name, value) pairs.

    Args:
        scenario: The scenario's name.
        inputs: Control path → value, for the controls that differ from the scenario.
        prefix: Put before every name ("a." for the Compare page's side A).
    """
    pairs = [(prefix + "scenario", scenario)]
    pairs += [
        (prefix + SET + path, repr(value) if isinstance(value, float) else str(value))
        for path, value in sorted(inputs.items())
    ]
    return pairs


def view_query(scenario: str, seed: int | str, inputs: Mapping[str, Any]) -> str:
    """The query string (with its "?") of a link to this view."""
    pairs = view_pairs(scenario, inputs)
    pairs.insert(1, ("seed", str(seed)))
    return "?" + urllib.parse.urlencode(pairs)


def parse_view(search: str | None, prefix: str = "", default: str = DEFAULT_SCENARIO) -> View:
    """What a link's query asks for, keeping only what the app can show.

    Args:
        search: The link's query (with or without its "?"), or None.
        prefix: Read the scenario and settings from names behind this prefix ("a.").
        default: The scenario when the link names none.
    """
    if not search:
        return View(scenario=default)
    notes: list[str] = []
    pairs = urllib.parse.parse_qsl(search.lstrip("?")[:MAX_QUERY], keep_blank_values=True)
    given = dict(pairs)
    names = [name for name, _ in list_scenarios()]
    scenario = given.get(prefix + "scenario", default)
    if scenario not in names:
        notes.append(f"The link's scenario is not a bundled one: {default} is shown.")
        scenario = default
    loaded = load_scenario(scenario)
    controls = {ctl.path: ctl for ctl in controls_for(loaded)}
    inputs: dict[str, Any] = {}
    for key, text in pairs:
        if not key.startswith(prefix + SET):
            continue
        path = key[len(prefix + SET) :]
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


A_PREFIX = "a."
RUN_CHOICES = ("500", "1000", "2000", "5000")  # the Compare page's runs a side
DEFAULT_RUNS = "1000"


@dataclass(frozen=True)
class ComparisonInputs:
    """What the Compare page runs: each side's scenario and control values, the seed, the runs.

    Attributes:
        scenarios: A's and B's bundled scenario names.
        values: Control path → value for A and for B.
        seed: The first seed, as typed.
        runs: Runs a side.
    """

    scenarios: tuple[str, str] = (DEFAULT_SCENARIO, DEFAULT_SCENARIO)
    values: tuple[Mapping[str, Any], Mapping[str, Any]] = ({}, {})
    seed: str = "0"
    runs: int = int(DEFAULT_RUNS)

    def key(self) -> str:
        """The inputs as one string, to tell a result from inputs changed since."""
        values = [sorted(v.items()) for v in self.values]
        return repr((self.scenarios, values, self.seed, self.runs))

    def query(self) -> str:
        """The query string (with its "?") of a link to this comparison (B as a Watch link)."""
        a, b = (
            changed_inputs(load_scenario(name), given)
            for name, given in zip(self.scenarios, self.values, strict=True)
        )
        pairs = view_pairs(self.scenarios[1], b)
        pairs += [("seed", self.seed), ("runs", str(self.runs))]
        pairs += view_pairs(self.scenarios[0], a, prefix=A_PREFIX)
        return "?" + urllib.parse.urlencode(pairs)


def parse_comparison(search: str | None) -> tuple[ComparisonInputs, tuple[str, ...]]:
    """The Compare page's inputs from a link: B as a Watch link, A behind ``a.``, the runs.

    A link without ``a.scenario`` compares B with its own scenario as filed, so the Watch
    page's link, opened on the Compare page, sets B against the baseline it came from.

    Returns:
        The inputs, and one line for each part of the link that could not be used.
    """
    b = parse_view(search)
    a = parse_view(search, prefix=A_PREFIX, default=b.scenario)
    given = dict(urllib.parse.parse_qsl((search or "").lstrip("?")[:MAX_QUERY]))
    runs = given.get("runs", DEFAULT_RUNS)
    notes = [*(f"A: {line}" for line in a.notes), *b.notes]
    if runs not in RUN_CHOICES:
        notes.append(f"The link's runs are not one of {', '.join(RUN_CHOICES)}: 1000 are run.")
        runs = DEFAULT_RUNS
    inputs = ComparisonInputs((a.scenario, b.scenario), (a.inputs, b.inputs), b.seed, int(runs))
    return inputs, tuple(notes)
