"""The mechanisms of the model, each with the two settings that isolate it and a prediction.

Every mechanism of the model comes with a measurement, on the same seeds, of what it changes,
beside the direction the literature predicts. A ``Mechanism`` names two settings of the
scenario, without the mechanism (``off``) and with it (``on``), and the predicted direction of
each outcome it should move. A setting is a patch of the scenario document (merged onto the
base as a file with ``extends`` would be) and/or per-run overrides by scenario path, as
``run_ensemble`` takes them. ``experiments.mechanism_runs.run_mechanisms`` runs both settings on
the same seeds (common random numbers: run i of both shares every random draw of the same
purpose on the same day), measures the outcomes with their 95% intervals
(``experiments.mechanism_stats``) and gives a verdict for every prediction.

The outcomes measured, with the names a prediction uses:

- ``deal_probability``: the share of runs that end in a deal ("higher" or "lower");
- ``median_day``: the median day of the deals ("later" or "earlier");
- ``mean_day_both``: the mean day of the deals over the seeds that deal in both settings
  ("later" or "earlier"): the timing of the same runs, which the median mixes with the runs
  that a mechanism turns into deals or breakdowns (``timing`` predicts both);
- ``share_after_deadline``: the share of deals struck after the original deadline;
- ``deals_before_election``: the share of runs that end in a deal before the first election of
  a side (for scenarios with one);
- ``median_term:<issue>``: the median of an issue's terms over the deals, in real units;
- ``mean_utility:<party>``: the mean of a party's utility of the deals;
- ``mean:<column>``: the mean over the deals of any numeric column of the outcome table
  (``frontier_distance``, ``reciprocity``, ``cross_side_share``, ...);
- ``runs_changed``: the share of seeds whose outcome (status, day or terms) differs between the
  settings; its prediction is "some" and its verdict "changes runs" or "changes nothing".

``MECHANISMS`` registers the mechanisms, one entry each (a new mechanism adds its entry to
``baseline_mechanisms``); it is built for the baseline scenario (``BASELINE``), whose parties,
sides and dated events some entries name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from model.errors import ArgumentError
from model.loading import load_scenario
from model.schema import Event, Scenario
from model.strategy_specs import strategy_params

BASELINE = "june2025"

DEAL_PROBABILITY = "deal_probability"
MEDIAN_DAY = "median_day"
MEAN_DAY_BOTH = "mean_day_both"
SHARE_AFTER_DEADLINE = "share_after_deadline"
DEALS_BEFORE_ELECTION = "deals_before_election"
MEDIAN_TERM = "median_term:"
MEAN_UTILITY = "mean_utility:"
MEAN_OUTCOME = "mean:"
RUNS_CHANGED = "runs_changed"
SOME = "some"
_DIRECTIONS = {
    DEAL_PROBABILITY: ("higher", "lower"),
    MEDIAN_DAY: ("later", "earlier"),
    MEAN_DAY_BOTH: ("later", "earlier"),
    SHARE_AFTER_DEADLINE: ("higher", "lower"),
    DEALS_BEFORE_ELECTION: ("higher", "lower"),
    MEDIAN_TERM: ("higher", "lower"),
    MEAN_UTILITY: ("higher", "lower"),
    MEAN_OUTCOME: ("higher", "lower"),
    RUNS_CHANGED: (SOME,),
}
_KEY = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class Setting:
    """One way of running the scenario.

    Attributes:
        label: How tables and figures name it (a few words).
        patch: Fields of the scenario document that differ, merged onto the base as a file
            with ``extends`` would be (tables field by field, arrays such as ``events`` whole).
        overrides: Per-run parameters by scenario path (``model.params.override_paths``).
    """

    label: str
    patch: Mapping[str, Any] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def identity(self) -> str:
        """A text equal for two settings exactly when they run the same scenario."""
        return json.dumps([self.patch, self.overrides], sort_keys=True, default=str)


@dataclass(frozen=True)
class Mechanism:
    """A mechanism of the model, the two settings that isolate it, and what theory predicts.

    Attributes:
        key: A short name (lower case, digits, ``_`` and ``-``), as ``--only`` takes it.
        title: A heading.
        what: One sentence: what the mechanism does in the model.
        off: The setting without the mechanism (or with less of it).
        on: The setting with it.
        prediction: The predicted change from ``off`` to ``on``, by outcome (see the module's
            list), e.g. ``{"deal_probability": "lower", "median_day": "later"}``.
        source: The literature the prediction comes from.
        informational: True when no theory predicts a direction and the entry only measures
            what a piece of the scenario changes (a dated event, say).
    """

    key: str
    title: str
    what: str
    off: Setting
    on: Setting
    prediction: Mapping[str, str]
    source: str
    informational: bool = False

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"mechanism key {self.key!r} must match {_KEY.pattern}")
        for metric, direction in self.prediction.items():
            allowed = _DIRECTIONS.get(family(metric))
            if allowed is None:
                raise ValueError(f"{self.key}: unknown outcome {metric!r}")
            if direction not in allowed:
                known = " or ".join(allowed)
                raise ValueError(f"{self.key}: {metric} is predicted {known}, not {direction!r}")


def family(metric: str) -> str:
    """The kind of an outcome name: ``median_term:`` for ``median_term:auto_tariff``, say."""
    for prefix in (MEDIAN_TERM, MEAN_UTILITY, MEAN_OUTCOME):
        if metric.startswith(prefix) and len(metric) > len(prefix):
            return prefix
    return metric


# --- the registry --------------------------------------------------------------------------


def timing(direction: str) -> dict[str, str]:
    """A prediction of "later" or "earlier" deals, for the median day and the paired mean day.

    A mechanism that turns late breakdowns into deals moves the median later even when every
    run that dealt anyway deals sooner; the mean day over the seeds that deal in both settings
    measures the second effect alone.
    """
    return {MEDIAN_DAY: direction, MEAN_DAY_BOTH: direction}


def doubled_exponents(scenario: Scenario) -> dict[str, float]:
    """Overrides that double every party's strategy exponent (a tougher, more Boulware party)."""
    out = {}
    for p in scenario.parties:
        params = strategy_params(p.strategy.kind, dict(p.strategy.params))
        if "exponent" in params:
            out[f"parties.{p.key}.strategy.exponent"] = 2 * params["exponent"]
    return out


def no_reciprocal_concession(scenario: Scenario) -> dict[str, float]:
    """Overrides that set every party's reciprocity (what it gives back per unit received) to 0."""
    out = {}
    for p in scenario.parties:
        params = strategy_params(p.strategy.kind, dict(p.strategy.params))
        if params.get("reciprocity", 0.0) > 0:
            out[f"parties.{p.key}.strategy.reciprocity"] = 0.0
    return out


def exact_limits(scenario: Scenario, side: str) -> list[dict[str, Any]]:
    """A side's win-set as stated, every limit without its spread (``sd`` 0)."""
    return [{**b.model_dump(exclude_none=True), "sd": 0.0} for b in scenario.sides[side].win_set]


def lifted_win_set(scenario: Scenario, side: str) -> dict[str, float]:
    """Overrides that open a side's win-set to each bounded issue's whole range, at all times."""
    out = {}
    for bound in scenario.sides[side].win_set:
        issue = scenario.issue(bound.issue)
        path = f"sides.{side}.win_set.{issue.key}"
        if bound.min is not None or bound.min_at_election is not None:
            out |= {f"{path}.min": issue.min, f"{path}.min_at_election": issue.min}
        if bound.max is not None or bound.max_at_election is not None:
            out |= {f"{path}.max": issue.max, f"{path}.max_at_election": issue.max}
    return out


def lifted_outcomes(scenario: Scenario, side: str) -> dict[str, Any]:
    """A patch that keeps a side's election outcomes but lifts the bounds each would set.

    With ``lifted_win_set`` it opens the side's win-set at all times: without it, a run that
    goes past the election would meet the outcome's bounds all at once.
    """
    outcomes = [
        {"label": o.label, "probability": o.probability, "win_set": []}
        for o in scenario.sides[side].after_election
    ]
    return {"sides": {side: {"after_election": outcomes}}} if outcomes else {}


def win_set_terms(scenario: Scenario, side: str) -> dict[str, str]:
    """Predicted terms under a tighter win-set: each bounded issue moves toward its bound."""
    out = {}
    for bound in scenario.sides[side].win_set:
        if bound.max is not None:
            out[f"{MEDIAN_TERM}{bound.issue}"] = "lower"
        elif bound.min is not None:
            out[f"{MEDIAN_TERM}{bound.issue}"] = "higher"
    return out


def most_tradeable_issue(scenario: Scenario) -> str:
    """The issue whose weight differs most between the sides: the most room to trade on it.

    Each side's concern for an issue is its members' priorities weighted by clout; the issue
    with the largest ratio between the most and the least concerned side (a pie excepted) is
    where one side gives cheaply what another values (Raiffa 1982), whatever the events do.
    """
    issues = [i.key for i in scenario.issues if i.pie is None]
    concern = {
        side: {
            i: sum(p.clout * p.priorities.get(i, 0.0) for p in scenario.members(side))
            / max(sum(p.clout for p in scenario.members(side)), 1e-12)
            for i in issues
        }
        for side in scenario.sides
    }

    def spread(issue: str) -> float:
        values = [concern[side][issue] for side in concern]
        return max(values) / max(min(values), 1e-12)

    return max(issues, key=spread)


def also_off_table(scenario: Scenario, issue: str) -> list[dict[str, Any]] | None:
    """The scenario's events, the first that takes issues off the table taking ``issue`` too.

    None when no event takes an issue off the table.
    """
    events = [e.model_dump(exclude_unset=True) for e in scenario.events]
    for event in events:
        effects = event.get("effects", {})
        if effects.get("off_table"):
            effects["off_table"] = [*effects["off_table"], issue]
            return events
    return None


def event_mechanisms(scenario: Scenario) -> list[Mechanism]:
    """One entry per dated event of a scenario: the scenario with it against without it."""
    out: list[Mechanism] = []
    dumped = [e.model_dump(exclude_unset=True) for e in scenario.events]
    for n, event in enumerate(scenario.events):
        key = f"event_{event.date.isoformat()}"
        taken = {m.key for m in out}
        key = key if key not in taken else f"{key}_{n}"
        others = dumped[:n] + dumped[n + 1 :]
        out.append(
            Mechanism(
                key=key,
                title=f"Event of {_day(event.date)}: {event.label}",
                what=_event_effects(scenario, event),
                off=Setting("without the event", patch={"events": others}),
                on=Setting("with the event (baseline)"),
                prediction={RUNS_CHANGED: SOME},
                source="the scenario's dated events; no theory predicts their direction",
                informational=True,
            )
        )
    return out


def _day(date: Any) -> str:
    return f"{date.day} {date:%B %Y}"


def signed(value: float, decimals: int) -> str:
    """A number with its sign, a true minus sign for negatives: "+0.05", "−0.03"."""
    return f"{value:+.{decimals}f}".replace("-", "\N{MINUS SIGN}")


def _event_effects(scenario: Scenario, event: Event) -> str:
    """What a dated event does in the model, in a sentence or two."""

    def who(key: str) -> str:
        if key in scenario.sides:
            return f"the {scenario.sides[key].name} side"
        return scenario.party(key).name

    def issues(keys: Sequence[str]) -> str:
        labels = [scenario.issue(k).label if k in scenario.issue_keys else k for k in keys]
        return "; ".join(label[:1].lower() + label[1:] for label in labels)

    set_fields = event.effects.model_dump(exclude_defaults=True)
    e, parts = event.effects, []
    for key, value in e.urgency.items():
        parts.append(f"adds {signed(value, 2)} to the urgency (elapsed time) of {who(key)}")
    if e.absent:
        until = f" until {_day(event.end)}" if event.end else ""
        parts.append(f"takes {', '.join(who(k) for k in e.absent)} away from the table{until}")
    if e.stress:
        parts.append(f"shocks market stress by {signed(e.stress, 2)}")
    if e.fx:
        parts.append(f"moves log USD/JPY by {signed(e.fx, 3)}")
    if e.round:
        parts.append("makes the day a round of talks")
    # The agenda acts only under a switch of the scenario: say whether it is on. Any other
    # effect is named by its field, so that no effect goes unmentioned.
    agenda = getattr(scenario.dynamics, "agenda", None)
    when = (
        "" if agenda == "dated" else f' (only when `dynamics.agenda` is "dated"; here "{agenda}")'
    )
    for name, value in set_fields.items():
        if name in ("urgency", "absent", "stress", "fx", "round"):
            continue
        if name == "off_table":
            parts.append(f"takes {issues(value)} off the table{when}")
        elif name == "on_table":
            parts.append(f"puts {issues(value)} back on the table{when}")
        else:
            parts.append(f"sets `{name}` to {value}")
    if not parts:
        text = "It has no effect in the model beyond its line in a narrated run."
    else:
        text = "It " + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + "."
    if getattr(event, "informational", False):
        text += " The scenario marks it informational: kept for the record."
    return text


# The model's dynamics: every switch of the scenario's ``[dynamics]`` table on but ``engage``
# (courting a pivotal member meets it and overrides the reciprocity weights; it is measured on
# top). These are the baseline file's settings; each mechanism is measured inside them, against
# the same with its own switch off. Restating them keeps the measurements what they say if the
# file changes.
FULL_DYNAMICS: dict[str, Any] = {
    "reservation": "no_deal",
    "deadline": "threat",
    "offers": "answer",
    "hydra": "portfolios",
    "reciprocity_weight": 5.0,
    "election": "outcomes",
    "agenda": "dated",
    "floors": "on",
    "preferences": "uncertain",
    "information": "beliefs",
    "bottom_lines": "private",
}
# Every switch off: the model before its dynamics, for comparisons and textbook reductions.
SWITCHES_OFF: dict[str, Any] = {
    "dynamics": {
        "reservation": "drawn",
        "deadline": "fixed",
        "offers": "ideal",
        "hydra": "majority",
        "reciprocity_weight": 0.0,
        "election": "tighten",
        "agenda": "open",
        "floors": "off",
        "preferences": "stated",
        "information": "complete",
        "bottom_lines": "known",
        "engage": "side",
    }
}
CONTEXT: dict[str, Any] = {"dynamics": FULL_DYNAMICS}


def in_context(mechanism: Mechanism, context: Mapping[str, Any] = CONTEXT) -> Mechanism:
    """The mechanism with both settings measured inside ``context`` (a scenario patch).

    A setting's own patch wins; its ``dynamics`` table is merged into the context's.
    """

    def merged(setting: Setting) -> Setting:
        patch = {**context, **setting.patch}
        if "dynamics" in context and "dynamics" in setting.patch:
            patch["dynamics"] = {**context["dynamics"], **setting.patch["dynamics"]}
        return Setting(setting.label, patch=patch, overrides=setting.overrides)

    return Mechanism(
        key=mechanism.key,
        title=mechanism.title,
        what=mechanism.what,
        off=merged(mechanism.off),
        on=merged(mechanism.on),
        prediction=mechanism.prediction,
        source=mechanism.source,
        informational=mechanism.informational,
    )


def switch(key: str, value: Any, label: str) -> Setting:
    """The setting with one switch of ``[dynamics]`` set (the rest as in the context)."""
    return Setting(label, patch={"dynamics": {key: value}})


def dynamics_mechanisms(scenario: Scenario) -> list[Mechanism]:
    """The mechanisms behind the scenario's ``[dynamics]`` switches, each on against off."""
    us = [p.key for p in scenario.members("us")]
    threat = next(i for i in scenario.issues if i.in_force is not None and i.in_force != i.no_deal)
    on = Setting("all dynamics on")
    open_room = lifted_win_set(scenario, "japan")
    no_caps_after = lifted_outcomes(scenario, "japan")
    return [
        Mechanism(
            key="offers",
            title="Offers answer offers",
            what="A party's position is the package worth its aspiration nearest the other "
            "side's last offer, weighted by what that side cares about, never past it; a "
            "side never asks for less than it has been offered.",
            off=switch("offers", "ideal", "positions concede toward the others' ideals"),
            on=on,
            prediction={f"{MEAN_OUTCOME}frontier_distance": "lower"},
            source="Faratin, Sierra & Jennings (2002): similarity-based trade-offs reach "
            "outcomes of higher joint utility, nearer the Pareto frontier",
        ),
        Mechanism(
            key="offers_uniform",
            title="Offers answer offers, against concession on every issue at once",
            what="The same trade-off against the rule Faratin, Sierra & Jennings (2002) "
            "compared it with: each position concedes toward the others' ideals the same share "
            "of the way on every issue, trading nothing across issues.",
            off=switch("offers", "uniform", "positions concede on every issue at once"),
            on=on,
            prediction={f"{MEAN_OUTCOME}frontier_distance": "lower"},
            source="Faratin, Sierra & Jennings (2002): similarity-based trade-offs reach "
            "outcomes of higher joint utility than concession on every issue at once",
        ),
        Mechanism(
            key="beliefs",
            title="Beliefs, not omniscience",
            what="Each party believes, and learns from the offers and refusals it sees, what "
            "the other sides care about and how far their principals would go (Tokyo's limits "
            "start at the published ones; each run's true limits are drawn around them), "
            "instead of knowing both; and no party knows the others' bottom lines (below).",
            off=Setting(
                "complete information",
                patch={"dynamics": {"information": "complete", "bottom_lines": "known"}},
            ),
            on=on,
            prediction={
                DEAL_PROBABILITY: "lower",
                **timing("later"),
                f"{MEAN_OUTCOME}frontier_distance": "higher",
            },
            source="bargaining under incomplete information brings delay and failed deals "
            "(Chatterjee & Samuelson 1983; Kennan & Wilson 1993); a party that misreads what "
            "the others care about trades on the wrong issues and leaves joint gains on the "
            "table (Raiffa 1982; Thompson & Hastie 1990)",
        ),
        Mechanism(
            key="bottom_lines",
            title="Private bottom lines",
            what="No party knows how low the others would go, so each stops conceding a "
            "margin above its own reservation: sqrt(3)/4 times the spread of the other sides' "
            "bottom lines (their reservation_sd), the margin each trader keeps in the linear "
            "equilibrium of a double auction.",
            off=switch("bottom_lines", "known", "bottom lines known: concede down to them"),
            on=on,
            prediction={DEAL_PROBABILITY: "lower", **timing("later")},
            source="Chatterjee & Samuelson (1983): with private reservation values each side "
            "holds back from its own, so deals with gains to share fail; Kennan & Wilson "
            "(1993): private information brings delay",
        ),
        Mechanism(
            key="threat",
            title="A harsher threat",
            what=f"Reservations come from the no-deal terms: {threat.label.lower()} at "
            f"{threat.no_deal:g}{threat.unit} if the deadline passes (the threat) against "
            f"{threat.in_force:g}{threat.unit}, the rate in force during the talks.",
            off=Setting(
                "mild threat: the rate in force continues",
                patch={"issues": [{"key": threat.key, "no_deal": threat.in_force}]},
            ),
            on=on,
            prediction={
                DEAL_PROBABILITY: "higher",
                **timing("earlier"),
                f"{MEDIAN_TERM}{threat.key}": "higher",
            },
            source="Schelling (1960) and Fearon (1994): a harsher, credible threat lowers the "
            "threatened side's reservation, so it settles sooner and on terms nearer the "
            "threatening side",
        ),
        Mechanism(
            key="deadline",
            title="The deadline as a threat",
            what="At the deadline the holder extends (more likely when the packages are close "
            "and markets stressed), escalates or imposes, and tactics run again against a new "
            "deadline; against a deadline that moves once with a fixed probability.",
            off=switch("deadline", "fixed", "fixed extension probability"),
            on=on,
            prediction={SHARE_AFTER_DEADLINE: "higher"},
            source="the deadline effect (Roth, Murnighan & Schoumaker 1988): agreements "
            "gather at the deadline in force, so extending talks that are close draws deals "
            "past the first deadline",
        ),
        Mechanism(
            key="hydra",
            title="The hydra has teeth",
            what="Each US member blocks, at the table, packages that shortchange its portfolio "
            "unless the delegation holds together (a draw below its cohesion).",
            off=switch("hydra", "majority", "the side's rule alone"),
            on=on,
            prediction={
                DEAL_PROBABILITY: "lower",
                **timing("later"),
                **{f"{MEAN_UTILITY}{k}": "higher" for k in us},
            },
            source="Tsebelis (2002): more veto players, fewer and later agreements; Schelling "
            "(1960) and Putnam (1988): a divided side's deals lie closer to its members' ideals",
        ),
        Mechanism(
            key="engage",
            title="Courting the pivotal member",
            what="After each round a party courts the member of the other side whose vote is "
            "cheapest to win: between the dated meetings it meets that member, and weighs its "
            "trade-offs by that member's priorities.",
            off=Setting("answering the side as a whole (all dynamics on)"),
            on=switch("engage", "pivotal", "courting the pivotal member"),
            prediction={DEAL_PROBABILITY: "higher", **timing("earlier")},
            source="Sebenius (1983) and Lax & Sebenius (1986): targeting the members whose "
            "agreement is pivotal builds a winning coalition sooner",
        ),
        Mechanism(
            key="reciprocity",
            title="The concession graph drives reciprocity",
            what="A party answering an offer accommodates most the members of the other side "
            "who have conceded to it (weight 5 on their edges in the concession graph). It "
            "changes whom a party favours, not how much it gives: targeting measures the first, "
            "reciprocity the balance of amounts.",
            off=switch("reciprocity_weight", 0.0, "members weighed by clout alone"),
            on=on,
            prediction={
                f"{MEAN_OUTCOME}targeting": "higher",
                f"{MEAN_OUTCOME}reciprocity": "higher",
            },
            source="Axelrod (1984); the reciprocal tactics of Faratin, Sierra & Jennings (1998)",
        ),
        Mechanism(
            key="reciprocity_room",
            title="Reciprocity where there is room to redirect",
            what="The same weight (5 against 0) where Japan can choose whom it rewards: "
            "Tokyo's win-set lifted and every issue kept on the table. In the baseline the "
            "yen is off the table and Tokyo's caps hold cars, farms and defense, which leaves "
            "little to redirect.",
            off=Setting(
                "weight 0, no win-set for Japan, every issue on the table",
                patch={
                    "dynamics": {"reciprocity_weight": 0.0, "agenda": "open"},
                    **no_caps_after,
                },
                overrides=open_room,
            ),
            on=Setting(
                "weight 5, no win-set for Japan, every issue on the table",
                patch={"dynamics": {"agenda": "open"}, **no_caps_after},
                overrides=open_room,
            ),
            prediction={f"{MEAN_OUTCOME}targeting": "higher", DEAL_PROBABILITY: "higher"},
            source="Axelrod (1984): answering those who cooperated sustains cooperation; "
            "Faratin, Sierra & Jennings (1998) on reciprocal tactics",
        ),
        Mechanism(
            key="agenda",
            title="Issues off the table",
            what="Dated events take issues off the table (the yen goes to the finance "
            "ministers' track on 24 April); an issue off the table stays at its no-deal value.",
            off=switch("agenda", "open", "every issue on the table"),
            on=on,
            prediction={DEAL_PROBABILITY: "higher", **timing("earlier")},
            source="Sebenius (1983) and Fisher (1964): taking an issue the sides cannot settle "
            "off the table (here the yen: Tokyo will sign no currency commitment, and Bessent "
            "blocks over it) opens room on the rest; the opposite holds for an issue with "
            "gains to trade (next entry)",
        ),
        *_tradeable_off_table(scenario),
        Mechanism(
            key="floors",
            title="The principals' floors",
            what="The US President's floor holds: the country rate does not fall below 10%. "
            "The deals land well above it, so it binds in few runs; its theory is tested with "
            "the floor doubled (next entry).",
            off=switch("floors", "off", "no floor"),
            on=on,
            prediction={RUNS_CHANGED: SOME},
            source="a floor below where the deals land is predicted to change little "
            "(Putnam's smaller win-set must bind to matter)",
            informational=True,
        ),
        Mechanism(
            key="floors_doubled",
            title="A floor that binds",
            what="The US President's floor on the country rate doubled, from 10% to 20%, "
            "against no floor: a counterfactual, as doubled exponents are for tactics.",
            off=switch("floors", "off", "no floor"),
            on=Setting(
                "the floor at 20%",
                overrides={"sides.us.win_set.reciprocal_tariff.min": 20.0},
            ),
            prediction={
                DEAL_PROBABILITY: "lower",
                **timing("later"),
                f"{MEDIAN_TERM}reciprocal_tariff": "higher",
            },
            source="Putnam (1988): a smaller win-set makes agreement less likely and moves its "
            "terms toward the constrained side",
        ),
        Mechanism(
            key="election_outcomes",
            title="Japan's election outcomes",
            what="Each run draws how Japan's 20 July election goes; its win-set holds from "
            "then on, for talks extended past it.",
            off=switch("election", "tighten", "win-set held at its election values"),
            on=on,
            prediction={RUNS_CHANGED: SOME},
            source="Putnam (1988) on ratification; the outcome's direction is the scenario's "
            "assumption",
            informational=True,
        ),
        Mechanism(
            key="preferences",
            title="Uncertain preferences",
            what="Each run draws every party's priorities and ideal point, and the win-set "
            "limits that carry an sd, around the stated ones.",
            off=switch("preferences", "stated", "stated preferences"),
            on=on,
            prediction={RUNS_CHANGED: SOME},
            source="no direction is predicted: the terms become distributions",
            informational=True,
        ),
        Mechanism(
            key="japan_limits",
            title="Tokyo's limits are not known exactly",
            what="Each of Japan's win-set limits moves by a normal step of its `sd` per run "
            "(the same at the start and at the election); here against the stated limits.",
            off=Setting(
                "stated limits",
                patch={"sides": {"japan": {"win_set": exact_limits(scenario, "japan")}}},
            ),
            on=Setting("uncertain limits"),
            prediction={RUNS_CHANGED: SOME},
            source="no direction is predicted: a limit is as likely to lie above its stated "
            "value as below it; the terms it binds become distributions (Iida 1993 on "
            "uncertain win-sets)",
            informational=True,
        ),
        Mechanism(
            key="election_squeeze",
            title="Japan's win-set tightens before the election",
            what="Japan's caps move toward their election values as the 20 July vote nears "
            "(election pressure 1) against caps held at their start values (pressure 0).",
            off=Setting("no squeeze", overrides={"sides.japan.election_pressure": 0.0}),
            on=on,
            prediction={DEAL_PROBABILITY: "lower", DEALS_BEFORE_ELECTION: "lower"},
            source="Putnam (1988): a tighter win-set before the vote gives fewer deals",
        ),
    ]


def _tradeable_off_table(scenario: Scenario) -> list[Mechanism]:
    """Raiffa's side of the agenda: an issue with gains to trade taken off the table too."""
    issue = most_tradeable_issue(scenario)
    events = also_off_table(scenario, issue)
    if events is None:
        return []
    label = scenario.issue(issue).label
    return [
        Mechanism(
            key="agenda_tradeable",
            title="An issue with gains to trade off the table",
            what=f"The event that takes the yen off the table takes {label.lower()} "
            f"(`{issue}`) off too: the issue whose weight differs most between the sides, "
            "so that one side gives cheaply what the other values. A counterfactual.",
            off=Setting("the baseline agenda"),
            on=Setting(f"{issue} off the table too", patch={"events": events}),
            prediction={DEAL_PROBABILITY: "lower", **timing("later")},
            source="Raiffa (1982) and Sebenius (1983): fewer issues with gains to trade leave "
            "less room to logroll",
        )
    ]


def baseline_mechanisms(scenario: Scenario) -> list[Mechanism]:
    """The mechanisms of the model as it stands, measured on ``scenario`` (the baseline)."""
    us = [p.key for p in scenario.members("us")]
    return [
        Mechanism(
            key="tactics",
            title="Tougher concession tactics",
            what="Every negotiator's aspiration falls from its ideal to its reservation as "
            "(elapsed time) ** (1 / exponent); doubling every exponent makes each party hold "
            "out longer before conceding (more Boulware).",
            off=Setting("baseline exponents"),
            on=Setting("exponents doubled", overrides=doubled_exponents(scenario)),
            prediction={DEAL_PROBABILITY: "lower", **timing("later")},
            source="Faratin, Sierra & Jennings (1998); the deadline effect of Roth, Murnighan "
            "& Schoumaker (1988)",
        ),
        Mechanism(
            key="reciprocal_concessions",
            title="Concessions answer concessions",
            what="A time-dependent party lowers its aspiration by its reciprocity times the "
            "utility it has received from the other sides' concessions (its incoming edges in "
            "the concession graph); here every party's reciprocity against none.",
            off=Setting("no reciprocity", overrides=no_reciprocal_concession(scenario)),
            on=Setting("baseline reciprocity"),
            prediction={
                DEAL_PROBABILITY: "higher",
                **timing("earlier"),
                f"{MEAN_OUTCOME}reciprocity": "higher",
            },
            source="Axelrod (1984); the behaviour-dependent tactics of Faratin, Sierra & "
            "Jennings (1998): concessions returned for concessions received bring agreement "
            "sooner, and match what each side gives with what it gets",
        ),
        Mechanism(
            key="us_cohesion",
            title="A divided US delegation (the hydra)",
            what="A side pauses to argue instead of tabling a package when a uniform draw falls "
            "below (1 - cohesion) x its members' dispersion; a US cohesion of 0 lets the "
            "cabinet's disagreements stop it as often as they can, 1 gives it one voice.",
            off=Setting("one voice (cohesion 1)", overrides={"sides.us.cohesion": 1.0}),
            on=Setting("divided (cohesion 0)", overrides={"sides.us.cohesion": 0.0}),
            prediction={
                DEAL_PROBABILITY: "lower",
                **timing("later"),
                **{f"{MEAN_UTILITY}{k}": "higher" for k in us},
            },
            source="Putnam (1988) for fewer and later deals; Schelling (1960) for the "
            "conjecture that a divided side's deals lie closer to its ideal (its members' "
            "mean utility of the deals)",
        ),
        Mechanism(
            key="extension",
            title="The deadline may move",
            what="At the end of the deadline day a run without a deal is extended once, with "
            f"the scenario's probability, by {scenario.calendar.extension.days} days; here "
            "that probability is 0 against 1.",
            off=Setting("never extended", overrides={"calendar.extension.probability": 0.0}),
            on=Setting("always extended", overrides={"calendar.extension.probability": 1.0}),
            prediction={SHARE_AFTER_DEADLINE: "higher", DEAL_PROBABILITY: "higher"},
            source="the deadline effect (Roth, Murnighan & Schoumaker 1988): agreements "
            "gather at the deadline in force, so a later one draws deals past the first",
        ),
        Mechanism(
            key="japan_win_set",
            title="Japan's win-set (the two-level game)",
            what="Japan's negotiator never offers, and Japan never accepts, terms beyond what "
            "Tokyo would ratify, and these bounds tighten as the election nears; here the "
            "baseline bounds against none (each bounded issue open over its whole range).",
            off=Setting(
                "win-set lifted, before and after the election",
                patch=lifted_outcomes(scenario, "japan"),
                overrides=lifted_win_set(scenario, "japan"),
            ),
            on=Setting("baseline win-set"),
            prediction={
                DEAL_PROBABILITY: "lower",
                DEALS_BEFORE_ELECTION: "lower",
                **win_set_terms(scenario, "japan"),
            },
            source="Putnam (1988): a smaller win-set makes agreement less likely and moves "
            "its terms toward the constrained side; bounds that tighten before the election "
            "give fewer deals before it",
        ),
        *dynamics_mechanisms(scenario),
        *event_mechanisms(scenario),
    ]


MECHANISMS: list[Mechanism] = [in_context(m) for m in baseline_mechanisms(load_scenario(BASELINE))]


def pick(only: str | None, mechanisms: Sequence[Mechanism] = MECHANISMS) -> list[Mechanism]:
    """The mechanisms named in ``--only KEY[,KEY]`` (all of them for None), in registry order.

    Raises:
        ArgumentError: For an empty list or an unknown key.
    """
    if only is None:
        return list(mechanisms)
    keys = [k.strip() for k in only.split(",") if k.strip()]
    known = [m.key for m in mechanisms]
    if not keys:
        raise ArgumentError("--only", "", f"names no mechanism (known: {', '.join(known)})")
    for k in keys:
        if k not in known:
            raise ArgumentError("--only", "", f"no mechanism {k!r} (known: {', '.join(known)})")
    return [m for m in mechanisms if m.key in keys]
