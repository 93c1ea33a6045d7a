"""Invariants over random seeds and over random valid scenarios (hypothesis), and the
concession graph."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest
from helpers import (
    BASELINE_SEEDS,
    assert_rows_equal,
    check_all_runs,
    check_run,
    effective_priorities,
    finished,
    row_of,
    run_to_end,
    side_accepts,
    utility_of,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model import NegotiationModel, run_ensemble
from model.concessions import ConcessionLedger
from model.loading import parse_scenario
from model.schema import Scenario

SEEDS = st.integers(min_value=0, max_value=2**63 - 1)
FEW_EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- the baseline over random seeds --------------------------------------------------------------


@FEW_EXAMPLES
@given(seed=SEEDS)
def test_single_run_invariants(seed: int) -> None:
    model = finished(seed=seed, collect=False, narrate=False)
    check_run(model, 0)
    out = model.outcome
    assert out.seed == seed
    assert_rows_equal(out.to_row(), row_of(model, 0), f"seed {seed}")


@FEW_EXAMPLES
@given(seeds=st.lists(SEEDS, min_size=1, max_size=12), probability=st.floats(0.0, 1.0))
def test_ensemble_invariants(seeds: list[int], probability: float) -> None:
    model = NegotiationModel(
        "june2025", seeds=seeds, overrides={"calendar.extension.probability": probability}
    )
    run_to_end(model)
    check_all_runs(model)
    if probability == 0.0:
        assert not model.state.extended.any()


def test_no_extension_when_the_scenario_forbids_it() -> None:
    seeds = list(range(200))  # enough for some breakdowns when the deadline always moves
    never = run_to_end(
        NegotiationModel("june2025", seeds=seeds, overrides={"calendar.extension.probability": 0.0})
    )
    always = run_to_end(
        NegotiationModel("june2025", seeds=seeds, overrides={"calendar.extension.probability": 1.0})
    )
    assert not never.state.extended.any()
    assert (never.state.end_day <= never.compiled.deadline_day).all()
    broke = always.state.status == 2
    assert broke.any()
    assert always.state.extended[broke].all(), (
        "with probability 1 every breakdown was extended first"
    )
    assert (always.state.end_day[broke] == always.compiled.last_day).all()


def test_baseline_invariants_over_many_seeds(baseline_run) -> None:
    for seed in BASELINE_SEEDS[:30]:
        check_run(baseline_run(seed), 0)


# --- random valid scenarios ----------------------------------------------------------------------


def _unit() -> st.SearchStrategy[float]:
    return st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def scenario_data(draw: st.DrawFn) -> dict[str, Any]:
    """A random scenario document that the schema must accept."""
    n_sides = draw(st.integers(2, 3))
    n_parties = draw(st.integers(max(2, n_sides), 5))
    n_issues = draw(st.integers(1, 4))
    side_keys = [f"side{k}" for k in range(n_sides)]
    party_keys = [f"p{k}" for k in range(n_parties)]
    issue_keys = [f"issue{k}" for k in range(n_issues)]

    start = dt.date(2025, 1, 1) + dt.timedelta(days=draw(st.integers(0, 365)))
    length = draw(st.integers(10, 60))
    deadline = start + dt.timedelta(days=length)

    issues = []
    for key in issue_keys:
        lo = float(draw(st.integers(-100, 100)))
        span = draw(st.sampled_from([1.0, 24.0, 1000.0]) | st.floats(0.5, 500.0))
        hi = lo + span
        issues.append(
            {
                "key": key,
                "label": f"Issue {key}",
                "unit": draw(st.sampled_from(["%", "$bn", "0–1"])),
                "min": lo,
                "max": hi,
                "no_deal": min(hi, lo + draw(_unit()) * span),
            }
        )

    # Every side gets at least one party; the rest are spread at random.
    sides_of = side_keys + [draw(st.sampled_from(side_keys)) for _ in range(n_parties - n_sides)]
    sides_of = draw(st.permutations(sides_of))
    parties = []
    for key, side in zip(party_keys, sides_of, strict=True):
        raw = [draw(st.floats(0.0, 1.0)) for _ in issue_keys]
        raw[draw(st.integers(0, n_issues - 1))] += 0.05  # some priority is positive
        priorities = {k: w / sum(raw) for k, w in zip(issue_keys, raw, strict=True)}
        ideal = {
            i["key"]: min(i["max"], i["min"] + draw(_unit()) * (i["max"] - i["min"]))
            for i in issues
        }
        if draw(st.booleans()):
            strategy = {
                "kind": "time_dependent",
                "params": {
                    "exponent": draw(st.sampled_from([0.5, 1.0, 2.0, 3.0]) | st.floats(0.1, 6.0)),
                    "reciprocity": draw(st.floats(0.0, 1.0)),
                },
            }
        else:
            strategy = {
                "kind": "hardliner",
                "params": draw(st.just({}) | st.builds(dict, level=_unit())),
            }
        parties.append(
            {
                "key": key,
                "name": f"Party {key}",
                "side": side,
                "clout": draw(st.floats(0.05, 5.0)),
                "priorities": priorities,
                "ideal": ideal,
                "reservation": draw(st.floats(0.0, 0.95)),
                "reservation_sd": draw(st.just(0.0) | st.floats(0.0, 0.2)),
                "stress_sensitivity": draw(st.just(0.0) | st.floats(-0.5, 0.5)),
                "fx_sensitivity": draw(st.just(0.0) | st.floats(-3.0, 3.0)),
                "strategy": strategy,
            }
        )

    sides = {}
    for key in side_keys:
        members = [p["key"] for p in parties if p["side"] == key]
        rule = draw(st.sampled_from(["unanimity", "majority", "veto"]))
        side: dict[str, Any] = {
            "name": f"Side {key}",
            "rule": rule,
            "threshold": draw(st.floats(0.0, 0.95)),
            "lead": draw(st.sampled_from(members)),
            "cohesion": draw(_unit()),
            "election_pressure": draw(st.floats(0.0, 2.0)),
        }
        if rule == "veto" or draw(st.booleans()):
            side["principal"] = draw(st.sampled_from(members))
        election = draw(st.none() | st.integers(-10, length + 30))
        if election is not None:
            side["election"] = start + dt.timedelta(days=election)
        bounds = []
        for issue in draw(
            st.lists(st.sampled_from(issues), max_size=2, unique_by=lambda i: i["key"])
        ):
            span = issue["max"] - issue["min"]
            a, b = sorted(min(issue["max"], issue["min"] + draw(_unit()) * span) for _ in range(2))
            bound: dict[str, Any] = {"issue": issue["key"]}
            which = draw(st.sampled_from(["min", "max", "both"]))
            if which in ("min", "both"):
                bound["min"] = a
            if which in ("max", "both"):
                bound["max"] = b
            if election is not None:
                for name in ("min", "max"):
                    if name in bound and draw(st.booleans()):
                        bound[f"{name}_at_election"] = min(
                            issue["max"], issue["min"] + draw(_unit()) * span
                        )
            bounds.append(bound)
        if bounds:
            side["win_set"] = bounds
        sides[key] = side

    rounds = []
    for _ in range(draw(st.integers(0, 3))):
        r: dict[str, Any] = {
            "date": start + dt.timedelta(days=draw(st.integers(0, length))),
            "days": draw(st.integers(1, 3)),
        }
        if draw(st.booleans()):
            r["attendees"] = draw(st.lists(st.sampled_from(party_keys), unique=True))
        rounds.append(r)
    min_gap = draw(st.integers(1, 10))
    min_len = draw(st.integers(1, 3))
    calendar: dict[str, Any] = {
        "start": start,
        "deadline": deadline,
        "rounds": rounds,
        "cadence": {
            "min_gap_days": min_gap,
            "max_gap_days": min_gap + draw(st.integers(0, 10)),
            "min_length_days": min_len,
            "max_length_days": min_len + draw(st.integers(0, 2)),
        },
        "extension": {
            "probability": draw(st.sampled_from([0.0, 1.0]) | _unit()),
            "days": draw(st.sampled_from([0, 7]) | st.integers(0, 20)),
        },
    }
    if draw(st.booleans()):
        calendar["opening_side"] = draw(st.sampled_from(side_keys))

    events = []
    for n in range(draw(st.integers(0, 3))):
        day = draw(st.integers(-5, length + 5))
        effects = {
            "urgency": draw(
                st.dictionaries(
                    st.sampled_from(party_keys + side_keys), st.floats(-0.3, 0.3), max_size=2
                )
            ),
            "absent": draw(st.lists(st.sampled_from(party_keys), unique=True, max_size=2)),
            "stress": draw(st.floats(-0.2, 0.2)),
            "fx": draw(st.floats(-0.05, 0.05)),
            "round": draw(st.booleans()),
        }
        event: dict[str, Any] = {
            "date": start + dt.timedelta(days=day),
            "kind": draw(
                st.sampled_from(["summit", "talks_elsewhere", "tariff_step", "market", "other"])
            ),
            "label": f"Event {n}",
            "effects": effects,
        }
        if draw(st.booleans()):
            event["end"] = event["date"] + dt.timedelta(days=draw(st.integers(0, 5)))
        events.append(event)

    fx: dict[str, Any] = {
        "initial": draw(st.floats(50.0, 200.0)),
        "reference": draw(st.floats(50.0, 200.0)),
        "volatility": draw(st.floats(0.0, 0.5)),
    }
    if draw(st.booleans()):
        fx["salience_issue"] = draw(st.sampled_from(issue_keys))
    return {
        "name": "hypothesis",
        "title": "A random scenario",
        "calendar": calendar,
        "issues": issues,
        "sides": sides,
        "parties": parties,
        "events": events,
        "drivers": {
            "fx": fx,
            "stress": {
                "initial": draw(_unit()),
                "mean": draw(_unit()),
                "reversion": draw(_unit()),
                "volatility": draw(st.floats(0.0, 0.1)),
            },
        },
    }


def scenarios() -> st.SearchStrategy[Scenario]:
    return scenario_data().map(lambda data: parse_scenario(data, "<hypothesis>"))


ENSEMBLE_SEEDS = st.lists(SEEDS, min_size=1, max_size=10, unique=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios(), seeds=ENSEMBLE_SEEDS)
def test_random_scenarios_keep_the_invariants(scenario: Scenario, seeds: list[int]) -> None:
    model = run_to_end(NegotiationModel(scenario, seeds=seeds))
    assert model.day <= model.compiled.last_day
    check_all_runs(model)
    for run in range(model.state.runs):
        ext = scenario.calendar.extension
        if ext.days == 0 or ext.probability == 0.0:
            assert not model.state.extended[run]
    assert model.outcome is not None and model.outcome.seed == seeds[0]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios(), seeds=ENSEMBLE_SEEDS, data=st.data())
def test_random_scenarios_ensemble_row_equals_single_run(
    scenario: Scenario, seeds: list[int], data: st.DataObject
) -> None:
    table = run_ensemble(scenario, seeds)
    i = data.draw(st.integers(0, len(seeds) - 1), label="run")
    single = run_to_end(NegotiationModel(scenario, rng=seeds[i]))  # narrated and collected
    assert_rows_equal(single.outcome.to_row(), table.iloc[i].to_dict(), f"seed {seeds[i]}")


# --- the concession graph ------------------------------------------------------------------------


def _check_graph(model: NegotiationModel) -> None:
    c, s = model.compiled, model.state
    g = model.concession_graph
    assert sorted(g.nodes) == sorted(c.party_keys)
    for p, key in enumerate(c.party_keys):
        node = g.nodes[key]
        assert set(node) >= {"side", "aspiration", "utility", "accepts"}
        assert node["side"] == model.scenario.parties[p].side
        assert node["aspiration"] == float(s.aspiration[0, p])
        if s.has_table[0]:
            assert 0.0 <= node["utility"] <= 1.0 + 1e-12
            assert node["accepts"] == (node["utility"] >= node["aspiration"] - 1e-9)
        else:
            assert math.isnan(node["utility"]) and node["accepts"] is False
    weights = model.ledger.given[0]
    count = model.ledger.count[0]
    expected_edges = {
        (c.party_keys[u], c.party_keys[v]) for u, v in zip(*np.nonzero(count), strict=True)
    }
    assert set(g.edges) == expected_edges
    for u, v, d in g.edges(data=True):
        pu, pv = c.party_keys.index(u), c.party_keys.index(v)
        assert u != v
        assert d["weight"] == weights[pu, pv]
        assert d["weight"] >= 0.0
        assert set(d["issues"]) == set(c.issue_keys)
        assert all(x >= 0.0 for x in d["issues"].values())
        assert sum(d["issues"].values()) == pytest.approx(d["weight"], rel=1e-12, abs=1e-15)
        assert d["count"] == count[pu, pv] >= 1
        assert 0 <= d["last_day"] <= model.day
        assert d["cross_side"] == (c.side_of[pu] != c.side_of[pv])


def test_concession_graph_matches_the_ledger_every_day() -> None:
    model = NegotiationModel("june2025", rng=11)
    _check_graph(model)
    while model.running:
        model.step()
        _check_graph(model)
    assert model.concession_graph.number_of_edges() > 0


@pytest.mark.parametrize("column", ["cross_side_share", "reciprocity", "targeting"])
def test_daily_metrics_are_shares(column: str, baseline_run) -> None:
    bad = []
    for seed in range(6):
        frame = baseline_run(seed).datacollector.get_model_vars_dataframe()
        # Before any round there is no concession: the share is undefined.
        assert np.isnan(frame[column].iloc[0])
        values = frame[column].to_numpy()
        outside = ~np.isnan(values) & ((values < 0.0) | (values > 1.0))
        bad += [
            f"seed {seed}, day {d}: {v}"
            for d, v in zip(frame["day"][outside], values[outside], strict=True)
        ]
    assert not bad, f"{column} outside [0, 1] on {len(bad)} days, e.g. {bad[:3]}"


def test_graph_acceptance_agrees_with_the_deal(baseline_run) -> None:
    """At a deal the graph's ``accepts`` flags must describe a package every side accepts."""
    failures = []
    for seed in range(30):
        model = baseline_run(seed)
        if model.outcome.status != "deal":
            continue
        g = model.concession_graph
        accepts = np.array([g.nodes[k]["accepts"] for k in model.compiled.party_keys])
        # What each party actually decided, with the day's (FX-dependent) priorities:
        terms, ideal = model.state.terms[0], model.compiled.ideal[0]
        decided = (
            utility_of(terms, effective_priorities(model, 0), ideal)
            >= model.state.aspiration[0] - 1e-9
        )
        for side in model.scenario.side_keys:
            assert side_accepts(model, 0, side, decided)
            if not side_accepts(model, 0, side, accepts):
                failures.append(f"seed {seed}: graph accepts {accepts}, parties decided {decided}")
    assert not failures, "the graph shows a side rejecting the deal it struck:\n" + "\n".join(
        failures
    )


def test_targeting_reads_whom_a_party_favours_not_how_much_it_gives() -> None:
    # Parties 0 and 1 on one side, 2 alone on the other: only party 2 faces two members.
    ledger = ConcessionLedger(3, np.zeros((1, 3, 1)), np.array([0, 0, 1]))
    ledger.given[0, 0, 2], ledger.given[0, 1, 2] = 0.3, 0.1  # they gave 3 : 1 ...
    ledger.given[0, 2, 0], ledger.given[0, 2, 1] = 0.6, 0.2  # ... and get back 3 : 1
    ledger.given[1, 0, 2], ledger.given[1, 1, 2] = 0.3, 0.1
    ledger.given[1, 2, 1] = 0.2  # all of it to the one who gave least
    ledger.given[2, 0, 2] = 0.3  # nothing given back: undefined
    targeting = ledger.metrics()["targeting"]
    np.testing.assert_allclose(targeting[:2], [1.0, 0.25])
    assert np.isnan(targeting[2])
    # Amounts do not enter: giving back twice as much in the same shares is as well aimed.
    assert ledger.metrics()["reciprocity"][0] < 1.0
