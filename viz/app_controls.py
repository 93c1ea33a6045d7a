"""The app's controls: which parameters a teacher can move, and the overrides they make.

Every control is a scenario override path (``model.params.override_paths``), so the app runs
exactly what ``NegotiationModel(scenario, rng=seed, overrides=...)`` and ``run_ensemble`` run.
Controls come from the scenario, never from names in code: each side's decision rule and
cohesion (when it has several members), its election pressure (when it faces an election), the
chance of a deadline extension, and each party's clout, tactic exponent and priorities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from experiments import numbers
from model.errors import ArgumentError, UserError
from model.params import RULES, Compiled, apply_overrides, compile_scenario
from model.schema import Scenario
from viz.app_errors import failure_line
from viz.style import short_name

EPS = 1e-9


def grid_step(default: float, low: float, step: float) -> float:
    """The largest of ``step``, ``step``/2, /5, /10, /20, ... that puts ``default`` on the grid.

    A slider snaps what it shows to ``low + k * step``: a scenario value off that grid would
    be moved by the slider itself, and Reset would then run settings nobody chose.
    """
    for divisor in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        fine = step / divisor
        k = (default - low) / fine
        if abs(k - round(k)) < 1e-6:
            return fine
    return step / 1000


@dataclass(frozen=True)
class Control:
    """One input of the app, bound to one override path.

    Attributes:
        path: The override path (also the keyword the app's model takes).
        label: What the teacher reads.
        default: The scenario's value.
        low, high, step: Slider range (numbers only).
        choices: The options of a choice (decision rules); empty for a slider.
        group: The section the app shows it in (the talks, a side, a party).
    """

    path: str
    label: str
    default: float | str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    choices: tuple[str, ...] = ()
    group: str = ""

    def __post_init__(self) -> None:
        if not self.choices:
            step = grid_step(float(self.default), self.low, self.step)
            object.__setattr__(self, "step", step)

    def as_mesa_param(self) -> dict[str, Any]:
        """The control as an input entry (the ``model_params`` format of Mesa's SolaraViz)."""
        if self.choices:
            return {
                "type": "Select",
                "value": self.default,
                "values": list(self.choices),
                "label": self.label,
            }
        return {
            "type": "SliderFloat",
            "value": self.default,
            "min": self.low,
            "max": self.high,
            "step": self.step,
            "label": self.label,
        }


def controls_for(scenario: Scenario) -> list[Control]:
    """The controls a scenario offers, in the order the app shows them, each in its group.

    Groups: the talks (the deadline's extension), then each side (its rule and cohesion when
    it has several members, its election pressure, its principals' caps and floors), then
    each party (clout, toughness, what no deal is worth to it, priorities).
    """
    c = compile_scenario(scenario)
    out: list[Control] = []
    talks = "The talks"
    ext = scenario.calendar.extension
    if ext.days > 0:
        out.append(
            Control(
                "calendar.extension.probability",
                f"Chance the deadline moves (+{ext.days} days)",
                ext.probability,
                0.0,
                1.0,
                0.05,
                group=talks,
            )
        )
    for key, side in scenario.sides.items():
        si = scenario.side_keys.index(key)
        if len(scenario.members(key)) > 1:
            rules = tuple(r for r in RULES if r != "veto" or c.principal[si] >= 0)
            out.append(
                Control(
                    f"sides.{key}.rule",
                    f"{side.name}: decision rule",
                    side.rule,
                    choices=rules,
                    group=side.name,
                )
            )
            out.append(
                Control(
                    f"sides.{key}.cohesion",
                    f"{side.name}: cohesion",
                    side.cohesion,
                    0.0,
                    1.0,
                    0.05,
                    group=side.name,
                )
            )
        if side.election is not None:
            out.append(
                Control(
                    f"sides.{key}.election_pressure",
                    f"{side.name}: election pressure",
                    side.election_pressure,
                    0.0,
                    max(3.0, side.election_pressure),
                    0.1,
                    group=side.name,
                )
            )
        out += _win_set_controls(scenario, key)
    for p in scenario.parties:
        name = short_name(scenario, p.key)
        group = f"{p.name} ({scenario.sides[p.side].name})"
        out.append(
            Control(
                f"parties.{p.key}.clout",
                f"{name}: clout",
                p.clout,
                0.1,
                max(3.0, 2.0 * p.clout),
                0.1,
                group=group,
            )
        )
        exponent = c.strategy_params[scenario.party_keys.index(p.key)].get("exponent")
        if exponent is not None:
            value = float(exponent[0])
            out.append(
                Control(
                    f"parties.{p.key}.strategy.exponent",
                    f"{name}: toughness (exponent)",
                    value,
                    0.1,
                    max(8.0, value),
                    0.1,
                    group=group,
                )
            )
        if scenario.dynamics.reservation == "no_deal":
            out.append(
                Control(
                    f"parties.{p.key}.audience_cost",
                    f"{name}: cost of signing at home (utility)",
                    p.audience_cost,
                    -1.0,
                    1.0,
                    0.01,
                    group=group,
                )
            )
        elif p.reservation is not None:
            out.append(
                Control(
                    f"parties.{p.key}.reservation",
                    f"{name}: what no deal is worth (reservation)",
                    p.reservation,
                    0.0,
                    1.0,
                    0.01,
                    group=group,
                )
            )
        for issue in scenario.issues:
            if issue.pie is None:  # a pie's shares are what is divided, not a priority to set
                out.append(
                    Control(
                        f"parties.{p.key}.priorities.{issue.key}",
                        f"{name}: priority of {issue.key.replace('_', ' ')}",
                        float(p.priorities.get(issue.key, 0.0)),
                        0.0,
                        1.0,
                        0.01,
                        group=group,
                    )
                )
    return out


def _win_set_controls(scenario: Scenario, key: str) -> list[Control]:
    """A side's principals' caps and floors, in the issue's real unit (floors excepted)."""
    side = scenario.sides[key]
    out = []
    for bound in side.win_set:
        if getattr(bound, "floor", False):
            continue  # a principal's floor is a switch of the dynamics, not a number to move
        issue = scenario.issue(bound.issue)
        for end, word in (("max", "cap"), ("min", "floor")):
            for when, suffix in (("", ""), ("_at_election", " at the election")):
                value = getattr(bound, f"{end}{when}", None)
                if value is None:
                    continue
                out.append(
                    Control(
                        f"sides.{key}.win_set.{issue.key}.{end}{when}",
                        f"{side.name}: {word} on {issue.label}{suffix} ({issue.unit})",
                        float(value),
                        float(issue.min),
                        float(issue.max),
                        (issue.max - issue.min) / 100,
                        group=side.name,
                    )
                )
    return out


def parse_seed(text: Any) -> tuple[int, str | None]:
    """Turn what was typed in the seed box (a string) into a seed.

    Returns:
        The seed and None, or 0 and a one-line note saying why the input was not used.
    """
    try:
        return numbers.parse_seed(text), None
    except ArgumentError as exc:
        return 0, f"The seed {exc.problem}: seed 0 is used."


def overrides_from(scenario: Scenario, values: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides that the app's inputs stand for.

    A control left at the scenario's value adds nothing. A party's priorities are read as
    relative weights, normalised to sum to one over the issues they cover; since the model
    rescales the other priorities after each priority override, they are written as a sequence
    that lands on exactly those weights. Any other path is passed on as it is (a stored run
    can bring paths that have no control).

    Args:
        scenario: The scenario.
        values: Override path → the input's value.

    Returns:
        Overrides for ``NegotiationModel`` and ``run_ensemble``.
    """
    defaults = {ctl.path: ctl.default for ctl in controls_for(scenario)}
    out: dict[str, Any] = {}
    priorities: dict[str, dict[str, float]] = {}
    for path, value in values.items():
        parts = path.split(".")
        if path in defaults and len(parts) == 4 and parts[2] == "priorities":
            priorities.setdefault(parts[1], {})[parts[3]] = float(value)
        elif path not in defaults:
            out[path] = value
        elif isinstance(defaults[path], str):
            if str(value) != defaults[path]:
                out[path] = str(value)
        elif abs(float(value) - float(defaults[path])) > EPS:
            out[path] = float(value)
    if priorities:
        c = compile_scenario(scenario)
        for party, set_to in priorities.items():
            out |= _priority_overrides(c, party, set_to)
    return out


def settings_overrides(
    scenario: Scenario, fixed: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """The overrides the inputs stand for, checked against the scenario.

    Reset builds the model from whatever the inputs hold, and a page's inputs can be
    sent anything: settings the model refuses give way to the fixed ones alone, with a note.

    Args:
        scenario: The scenario.
        fixed: Overrides applied as they are (a stored run's parameters).
        values: Override path → the input's value, from the sliders.

    Returns:
        The overrides, and None or a one-line note saying why the sliders were not used.
    """
    try:
        overrides = {**fixed, **overrides_from(scenario, values)}
        apply_overrides(compile_scenario(scenario), overrides, 1)
    except Exception as exc:
        line = failure_line(exc, "The settings could not be used")
        if isinstance(exc, UserError):
            line = f"The settings could not be used: {line}."
        return dict(fixed), f"{line} The scenario's own settings are used instead."
    return overrides, None


def _priority_overrides(c: Compiled, party: str, set_to: dict[str, float]) -> dict[str, float]:
    p = c.party_keys.index(party)
    current = c.weights[0, p].copy()
    target = current.copy()
    idx = np.array([c.issue_keys.index(k) for k in set_to])
    raw = np.array(list(set_to.values()), dtype=float)
    if raw.sum() <= EPS:
        return {}  # every slider at zero: nothing to normalise, keep the scenario's
    fixed = current[np.setdiff1d(np.arange(len(current)), idx)].sum()  # issues with no slider
    target[idx] = (1.0 - fixed) * raw / raw.sum()
    if np.allclose(target, current, atol=EPS):
        return {}
    return {
        f"parties.{party}.priorities.{c.issue_keys[i]}": v
        for i, v in priority_sequence(current, target)
    }


def priority_sequence(
    current: npt.NDArray[np.float64], target: npt.NDArray[np.float64]
) -> list[tuple[int, float]]:
    """Priority overrides, in order, that turn ``current`` weights into ``target`` weights.

    Each override sets one issue and rescales the others in proportion (as
    ``model.params.apply_overrides`` does). Setting issue j so that the issues already set keep
    the target's ratios to it, and doing so for every issue, ends exactly at the target.

    Args:
        current: (I,) weights summing to one.
        target: (I,) weights summing to one.

    Returns:
        (issue index, value) pairs, to be applied in this order.
    """
    w = current.astype(float).copy()
    positive = [int(i) for i in np.flatnonzero(target > 0)]
    # The first override needs some other weight to rescale: start where w is below one.
    positive.sort(key=lambda i: w[i] >= 1.0 - EPS)
    order = positive + [int(i) for i in np.flatnonzero(target <= 0)]
    seq: list[tuple[int, float]] = []
    done: list[int] = []
    for j in order:
        if not done:
            v = float(target[j])
        else:
            have = float(w[done].sum())
            ratio = float(target[j] / target[done].sum())
            v = ratio * have / (1.0 - w[j] + ratio * have)
        others = 1.0 - w[j]
        w *= (1.0 - v) / others if others > 0 else 0.0
        w[j] = v
        seq.append((j, float(v)))
        done.append(j)
    return seq
