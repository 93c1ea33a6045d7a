"""Properties of the ``[dynamics]`` mechanisms over random seeds and random valid scenarios.

Random scenario documents (``scenario_data`` of ``test_invariants``) are given a random
``[dynamics]`` table, every switch drawn with what it needs (audience costs, a deadline holder,
portfolios, dated off-table events, floors, election outcomes, preference spreads), and the
model must keep these properties:

- offers do not cross: a side's package never asks for less than the offer it answers, on any
  issue where its members' wish and that offer clearly differ, unless the issue is off the
  table or the side's own win-set puts the package past the offer;
- deals respect every floor while floors are on;
- a deal lies inside every side's win-set on the day it is struck, the win-set being
  recomputed from the scenario in real units (after the election, the drawn outcome's);
- every answer to a package on the table carries a reason, ``ACCEPTS`` exactly when the party
  accepts, and each reason agrees with what the party sees;
- run i of an ensemble equals the single run of its seed, bit for bit;
- with a dated agenda, an issue off the table holds its no-deal value in every package tabled
  and every deal struck from the day it leaves the table.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import math
from typing import Any

import numpy as np
from helpers import (
    TOL,
    assert_ensemble_matches_single_runs,
    effective_priorities,
    param,
    run_to_end,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_invariants import SEEDS, scenario_data

from agents import Reason
from model import NegotiationModel
from model.errors import ScenarioError
from model.loading import parse_scenario
from model.schema import Scenario

CLEAR = 0.05  # a side's wish and the offer it answers differ clearly (normalised units)
FEW_SEEDS = st.lists(SEEDS, min_size=1, max_size=4, unique=True)
MANY_SEEDS = st.lists(SEEDS, min_size=4, max_size=16, unique=True)


def properties(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _unit() -> st.SearchStrategy[float]:
    return st.floats(0.0, 1.0, allow_nan=False)


def _inside(draw: st.DrawFn, issue: dict[str, Any]) -> float:
    span = issue["max"] - issue["min"]
    return min(issue["max"], issue["min"] + draw(_unit()) * span)


def _switch(draw: st.DrawFn, forced: str | None, options: list[str]) -> str:
    return forced if forced is not None else draw(st.sampled_from(options))


def _bounds(draw: st.DrawFn, issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    chosen = st.lists(st.sampled_from(issues), min_size=1, max_size=2, unique_by=lambda i: i["key"])
    for issue in draw(chosen):
        a, b = sorted(_inside(draw, issue) for _ in range(2))
        which = draw(st.sampled_from(["min", "max", "both"]))
        bound: dict[str, Any] = {"issue": issue["key"]}
        if which in ("min", "both"):
            bound["min"] = a
        if which in ("max", "both"):
            bound["max"] = b
        out.append(bound)
    return out


def _probabilities(draw: st.DrawFn, n: int) -> list[float]:
    cuts = sorted(draw(_unit()) for _ in range(n - 1))
    edges = [0.0, *cuts, 1.0]
    return [b - a for a, b in itertools.pairwise(edges)]


@st.composite
def dynamic_data(
    draw: st.DrawFn,
    offers: str | None = None,
    floors: str | None = None,
    agenda: str | None = None,
) -> dict[str, Any]:
    """A random scenario document with a random ``[dynamics]`` table (some switches forced)."""
    doc = copy.deepcopy(draw(scenario_data()))
    issues, parties, sides = doc["issues"], doc["parties"], doc["sides"]
    issue_keys, side_keys = [i["key"] for i in issues], list(sides)
    calendar = doc["calendar"]
    length = (calendar["deadline"] - calendar["start"]).days
    dynamics: dict[str, Any] = {
        "reservation": _switch(draw, None, ["drawn", "no_deal"]),
        "deadline": _switch(draw, None, ["fixed", "threat"]),
        "offers": _switch(draw, offers, ["ideal", "answer"]),
        "hydra": _switch(draw, None, ["majority", "portfolios"]),
        "election": _switch(draw, None, ["tighten", "outcomes"]),
        "agenda": _switch(draw, agenda, ["open", "dated"]),
        "floors": _switch(draw, floors, ["off", "on"]),
        "information": _switch(draw, None, ["complete", "beliefs"]),
        "preferences": _switch(draw, None, ["stated", "uncertain"]),
        "engage": _switch(draw, None, ["side", "pivotal"]),
        "reciprocity_weight": draw(st.floats(0.0, 10.0)),
    }

    if dynamics["reservation"] == "no_deal":
        dynamics["no_deal_horizon_days"] = draw(st.integers(1, 400))
        for party in parties:
            party["audience_cost"] = draw(st.floats(-0.2, 0.3))
            if draw(st.booleans()):
                party.pop("reservation")
        for issue in issues:
            if draw(st.booleans()):
                issue["in_force"] = _inside(draw, issue)

    if dynamics["deadline"] == "threat":
        calendar["extension"] |= {
            "holder": draw(st.sampled_from(side_keys)),
            "max_extensions": draw(st.integers(1, 3)),
            "gap_weight": draw(st.floats(-10.0, 10.0)),
            "gap_reference": draw(_unit()),
            "stress_weight": draw(st.floats(-5.0, 5.0)),
            "escalate_probability": draw(_unit()),
        }
        for issue in issues:
            if draw(st.booleans()):
                issue["escalated"] = _inside(draw, issue)

    if dynamics["hydra"] == "portfolios":
        for party in parties:
            if draw(st.booleans()):
                party["portfolio"] = draw(
                    st.lists(st.sampled_from(issue_keys), min_size=1, unique=True)
                )

    if dynamics["election"] == "outcomes":
        for side in sides.values():
            if "election" not in side and draw(st.booleans()):
                day = draw(st.integers(-10, length + 5))
                side["election"] = calendar["start"] + dt.timedelta(days=day)
            if "election" in side:
                if draw(st.booleans()):
                    side.pop("win_set", None)  # the principals bind only after the election
                n = draw(st.integers(1, 3))
                side["after_election"] = [
                    {"label": f"outcome {k}", "probability": p, "win_set": _bounds(draw, issues)}
                    for k, p in enumerate(_probabilities(draw, n))
                ]

    if dynamics["agenda"] == "dated" or draw(st.booleans()):
        for n in range(draw(st.integers(1 if dynamics["agenda"] == "dated" else 0, 2))):
            day = draw(st.integers(0, length))
            doc["events"].append(
                {
                    "date": calendar["start"] + dt.timedelta(days=day),
                    "kind": "other",
                    "label": f"Off the table {n}",
                    "effects": {"off_table": [draw(st.sampled_from(issue_keys))]},
                }
            )

    if dynamics["floors"] == "on" or draw(st.booleans()):
        plain = [i for i in issues if i.get("pie") is None]
        for key in draw(st.lists(st.sampled_from(side_keys), min_size=1, unique=True)):
            issue = draw(st.sampled_from(plain))
            side = sides[key]
            kept = [b for b in side.get("win_set", []) if b["issue"] != issue["key"]]
            which = draw(st.sampled_from(["min", "max"]))
            side["win_set"] = [
                *kept,
                {"issue": issue["key"], which: _inside(draw, issue), "floor": True},
            ]

    if dynamics["information"] == "beliefs":
        dynamics["belief_sd"] = draw(st.floats(0.0, 2.0))
        dynamics["belief_learning"] = draw(_unit())

    if dynamics["preferences"] == "uncertain":
        for party in parties:
            party["priorities_sd"] = draw(st.floats(0.0, 2.0))
            party["ideal_sd"] = draw(_unit())

    doc["dynamics"] = dynamics
    return doc


def parsed(doc: dict[str, Any]) -> Scenario:
    """The scenario of a document, rejecting (as an invalid example) one the schema refuses."""
    try:
        return parse_scenario(doc, "<hypothesis>")
    except ScenarioError:
        assume(False)
        raise


def ensemble(sc: Scenario, seeds: list[int]) -> NegotiationModel:
    return NegotiationModel(sc, seeds=seeds, collect=False, narrate=False)


# --- recomputation from the scenario ---------------------------------------------------------


def election_day(sc: Scenario, side: str) -> int | None:
    election = sc.sides[side].election
    return None if election is None else max(1, (election - sc.calendar.start).days)


def after_election(sc: Scenario, side: str, day: int) -> bool:
    """Whether the side ratifies by its drawn election outcome on ``day``."""
    when = election_day(sc, side)
    return (
        sc.dynamics.election == "outcomes"
        and bool(sc.sides[side].after_election)
        and when is not None
        and day >= when
    )


def ratifiable(sc: Scenario, side: str, day: int, outcome: int) -> dict[str, tuple[float, float]]:
    """A side's ratifiable range of every issue on ``day``, in real units.

    Before its election a bound moves from its start value toward its election value with the
    elapsed share of time to the election, times the side's election pressure (floors count
    only with floors on); with election outcomes, from election day on the side ratifies by
    the win-set of the outcome its run drew.
    """
    spec = sc.sides[side]
    out = {i.key: (i.min, i.max) for i in sc.issues}
    if after_election(sc, side, day):
        for b in spec.after_election[outcome].win_set:
            lo, hi = out[b.issue]
            out[b.issue] = (lo if b.min is None else b.min, hi if b.max is None else b.max)
        return out
    when = election_day(sc, side)
    progress = 0.0 if when is None else min(max(day / when, 0.0), 1.0) * spec.election_pressure
    for b in spec.win_set:
        if b.floor and sc.dynamics.floors == "off":
            continue
        issue = sc.issue(b.issue)
        lo, hi = out[b.issue]
        if b.min is not None:
            end = b.min if b.min_at_election is None else b.min_at_election
            lo = min(max(b.min + progress * (end - b.min), issue.min), issue.max)
        if b.max is not None:
            end = b.max if b.max_at_election is None else b.max_at_election
            hi = min(max(b.max + progress * (end - b.max), issue.min), issue.max)
        out[b.issue] = (lo, hi)
    return out


def side_wish(model: NegotiationModel, run: int, side: int) -> np.ndarray:
    """What a side's members want, normalised: their ideals weighted by clout × priority today.

    An issue none of them cares about takes their plain clout-weighted mean.
    """
    c = model.compiled
    members = np.flatnonzero(c.member[side])
    weights = effective_priorities(model, run)[members]
    ideal = param(model, "ideal", run)[members]
    clout = param(model, "clout", run)[members][:, None]
    weighted = (clout * weights).sum(axis=0)
    plain = (clout * ideal).sum(axis=0) / clout.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (clout * weights * ideal).sum(axis=0) / weighted
    return np.where(weighted > 1e-12, mean, plain)


def off_days(sc: Scenario) -> dict[str, int]:
    """The first day each issue is off the table (with a dated agenda; none comes back)."""
    out: dict[str, int] = {}
    if sc.dynamics.agenda != "dated":
        return out
    for e in sc.events:
        for key in e.effects.off_table:
            day = max((e.date - sc.calendar.start).days, 0)
            out[key] = min(out.get(key, day), day)
    return out


def deals(model: NegotiationModel) -> list[tuple[int, dict[str, Any]]]:
    """Each run that ended in a deal, with its row of the results."""
    rows = model.results().to_dict("records")
    return [(run, row) for run, row in enumerate(rows) if row["status"] == "deal"]


def real_slack(sc: Scenario, key: str) -> float:
    issue = sc.issue(key)
    return TOL * (issue.max - issue.min) + 1e-12 * max(abs(issue.min), abs(issue.max))


# --- the properties --------------------------------------------------------------------------


@properties(150)
@given(doc=dynamic_data(offers="answer"), seeds=FEW_SEEDS)
def test_side_packages_never_cross_the_offer_they_answer(
    doc: dict[str, Any], seeds: list[int]
) -> None:
    sc = parsed(doc)
    model = ensemble(sc, seeds)
    c, s = model.compiled, model.state
    runs, n_sides = s.runs, len(c.side_keys)
    off = off_days(sc)
    while model.running:
        offers, offer_round = s.offers.copy(), s.offer_round.copy()
        # An offer counts as far as the answering side takes its sides to be able to ratify
        # it today (their win-sets may have tightened since it was made).
        b_lo, b_hi = model.believed_win_sets(np.arange(runs), model.day + 1)
        model.step()
        day = model.day
        lo, hi = model.win_sets(np.arange(runs), day)
        pinned = np.array([key in off and day >= off[key] for key in c.issue_keys])
        for run in range(runs):
            for k in range(n_sides):
                others = (offer_round[run] > 0) & (np.arange(n_sides) != k)
                if not (s.offer_round[run, k] > offer_round[run, k] and others.any()):
                    continue
                offer = offers[run, others].mean(axis=0)
                r = min(run, b_lo.shape[0] - 1)
                rest = np.arange(n_sides) != k  # every other side's limits, tabled or not
                known_lo, known_hi = b_lo[r, rest].max(axis=0), b_hi[r, rest].min(axis=0)
                offer = np.where(known_lo <= known_hi, np.clip(offer, known_lo, known_hi), offer)
                package = s.offers[run, k]
                want = side_wish(model, run, k)
                above = want > offer
                cap, base = hi[min(run, hi.shape[0] - 1), k], lo[min(run, lo.shape[0] - 1), k]
                pulled = np.where(above, cap < offer - TOL, base > offer + TOL)
                checked = (np.abs(want - offer) > CLEAR) & ~pinned & ~pulled
                crossed = checked & np.where(above, package < offer - TOL, package > offer + TOL)
                assert not crossed.any(), (
                    f"seed {seeds[run]}, day {day}: side {c.side_keys[k]} tabled {package} "
                    f"past the offer {offer} it answers (its wish {want}) on issues "
                    f"{[c.issue_keys[i] for i in np.flatnonzero(crossed)]}"
                )


@properties(150)
@given(doc=dynamic_data(floors="on"), seeds=MANY_SEEDS)
def test_deals_respect_every_floor(doc: dict[str, Any], seeds: list[int]) -> None:
    sc = parsed(doc)
    model = run_to_end(ensemble(sc, seeds))
    for run, row in deals(model):
        for side, spec in sc.sides.items():
            if after_election(sc, side, int(row["day"])):
                continue  # the drawn outcome's win-set has replaced the side's own
            for b in spec.win_set:
                if not b.floor:
                    continue
                term, slack = row[f"term_{b.issue}"], real_slack(sc, b.issue)
                assert b.min is None or term >= b.min - slack, (seeds[run], side, b, term)
                assert b.max is None or term <= b.max + slack, (seeds[run], side, b, term)


@properties(300)
@given(doc=dynamic_data(), seeds=MANY_SEEDS)
def test_deals_lie_inside_every_sides_win_set(doc: dict[str, Any], seeds: list[int]) -> None:
    sc = parsed(doc)
    model = run_to_end(ensemble(sc, seeds))
    for run, row in deals(model):
        day = int(row["day"])
        for k, side in enumerate(sc.side_keys):
            outcome = int(model.state.election_outcome[run, k])
            for key, (lo, hi) in ratifiable(sc, side, day, outcome).items():
                term, slack = row[f"term_{key}"], real_slack(sc, key)
                assert lo - slack <= term <= hi + slack, (
                    f"seed {seeds[run]}: {key} = {term} outside {side}'s win-set [{lo}, {hi}] "
                    f"on day {day}"
                )


@properties(100)
@given(doc=dynamic_data(), seeds=FEW_SEEDS)
def test_every_answer_carries_its_reason(doc: dict[str, Any], seeds: list[int]) -> None:
    sc = parsed(doc)
    model = ensemble(sc, seeds)
    s = model.state
    valid = {int(r) for r in Reason}
    while model.running:
        model.step()
        for run in range(s.runs):
            tabled = s.offer_round[run] > 0
            if not tabled.any():
                continue
            rows = np.array([run])
            packages = s.offers[rows][:, tabled]
            lo, hi = model.win_sets(rows, model.day)
            for agent in model.negotiators.values():
                v = agent.respond(packages, rows)
                reason, accepts = v.reason[0], v.accepts[0]
                label = f"seed {seeds[run]}, day {model.day}, {agent.key}: {reason}, {accepts}"
                assert reason.shape == accepts.shape == (int(tabled.sum()),), label
                assert set(reason.tolist()) <= valid, label
                assert np.array_equal(reason == Reason.ACCEPTS, accepts), label
                aspiration = s.aspiration[run, agent.index]
                worth = v.utility[0] >= aspiration - TOL
                assert not (accepts & ~worth).any(), label
                below = reason == Reason.BELOW_ASPIRATION
                assert not (below & worth).any(), label
                k = agent.side_index
                own_lo, own_hi = lo[min(run, lo.shape[0] - 1), k], hi[min(run, hi.shape[0] - 1), k]
                inside = ((packages[0] >= own_lo - TOL) & (packages[0] <= own_hi + TOL)).all(-1)
                assert not (accepts & ~inside).any(), label
                assert not ((reason == Reason.OUTSIDE_WIN_SET) & inside).any(), label
                if (reason == Reason.BLOCKS).any():
                    assert sc.dynamics.hydra == "portfolios", label
                    assert sc.party(agent.key).portfolio, label


@properties(60)
@given(doc=dynamic_data(), seeds=FEW_SEEDS)
def test_ensemble_rows_equal_single_runs(doc: dict[str, Any], seeds: list[int]) -> None:
    assert_ensemble_matches_single_runs(parsed(doc), seeds)


@properties(100)
@given(doc=dynamic_data(agenda="dated"), seeds=FEW_SEEDS)
def test_issues_off_the_table_hold_their_no_deal_value(
    doc: dict[str, Any], seeds: list[int]
) -> None:
    sc = parsed(doc)
    model = ensemble(sc, seeds)
    c, s = model.compiled, model.state
    off = {c.issue_keys.index(key): day for key, day in off_days(sc).items()}
    assert off
    while model.running:
        offer_round = s.offer_round.copy()
        model.step()
        tabled = s.offer_round > offer_round  # (R, S) packages tabled today
        for i, first in off.items():
            if model.day < first:
                continue
            issue = sc.issues[i]
            values = c.to_real(s.offers)[..., i][tabled]
            assert np.all(np.abs(values - issue.no_deal) <= real_slack(sc, issue.key)), (
                f"day {model.day}: {issue.key} off the table since day {first}, tabled at "
                f"{values} (no deal: {issue.no_deal})"
            )
    for run, row in deals(model):
        for i, first in off.items():
            issue = sc.issues[i]
            if row["day"] >= first:
                assert math.isclose(
                    row[f"term_{issue.key}"], issue.no_deal, abs_tol=real_slack(sc, issue.key)
                ), (seeds[run], issue.key, row[f"term_{issue.key}"], issue.no_deal)
