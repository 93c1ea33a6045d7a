"""Shared helpers of the model tests: running models, comparing rows, checking invariants.

The checks recompute what they verify from the scenario itself (priorities, ideals, rules,
win-sets in real units) rather than calling the engine's own functions, so a bug in the engine
cannot hide behind the same bug in the test.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from model import NegotiationModel

STATUSES = ("deal", "breakdown")
BASELINE_SEEDS = [*range(60), 2**62 + 7, 2**63 - 1, 12_345_678_901_234]
TOL = 1e-9  # the protocol's acceptance tolerance
UNIT_TOL = 1e-12  # slack for sums of priorities that are 1 up to rounding


def run_to_end(model: NegotiationModel, limit: int = 2_000) -> NegotiationModel:
    """Step a model until it stops (failing if it never does)."""
    for _ in range(limit):
        if not model.running:
            return model
        model.step()
    raise AssertionError(f"the model was still running after {limit} steps")


def finished(scenario: Any = "june2025", seed: int = 0, **kwargs: Any) -> NegotiationModel:
    """A single run of ``scenario`` with ``seed``, run to the end."""
    return run_to_end(NegotiationModel(scenario, rng=seed, **kwargs))


def row_of(model: NegotiationModel, run: int) -> dict[str, Any]:
    """Run ``run``'s row of the model's results table, as a dict."""
    return model.results().iloc[run].to_dict()


def _same_float(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return np.float64(a).tobytes() == np.float64(b).tobytes()


def row_differences(single: dict[str, Any], ensemble: dict[str, Any]) -> list[str]:
    """Every field in which an ensemble row differs from a single run's ``Outcome.to_row()``.

    Floats must be bit-identical (NaN equals NaN); the seed is an int in the row and a uint64
    in the frame; every other field must compare equal.
    """
    diffs = []
    if set(single) != set(ensemble):
        diffs.append(f"columns differ: {sorted(set(single) ^ set(ensemble))}")
    for key in single.keys() & ensemble.keys():
        a, b = single[key], ensemble[key]
        if key == "seed":
            same = isinstance(a, int) and int(b) == a
        elif isinstance(a, float) or isinstance(b, float | np.floating):
            same = _same_float(float(a), float(b))
        else:
            same = bool(a == b)
        if not same:
            diffs.append(f"{key}: single {a!r} != ensemble {b!r}")
    return sorted(diffs)


def assert_rows_equal(single: dict[str, Any], ensemble: dict[str, Any], label: str = "") -> None:
    """Fail with the list of differing fields unless the rows are identical."""
    diffs = row_differences(single, ensemble)
    assert not diffs, f"{label}: " + "; ".join(diffs[:8])


def snapshot(model: NegotiationModel) -> dict[str, Any]:
    """A deep copy of everything a finished single run exposes."""
    state = {k: copy.deepcopy(v) for k, v in vars(model.state).items()}
    ledger = {
        k: np.array(getattr(model.ledger, k))
        for k in ("given", "given0", "seen", "count", "last_day", "received")
    }
    graph = model.concession_graph
    return {
        "state": state,
        "ledger": ledger,
        "log": list(model.log),
        "outcome": model.outcome,
        "day": model.day,
        "running": model.running,
        "results": model.results().copy(),
        "frame": model.datacollector.get_model_vars_dataframe().copy() if model.collect else None,
        "nodes": dict(copy.deepcopy(dict(graph.nodes(data=True)))),
        "edges": sorted((u, v, repr(sorted(d.items()))) for u, v, d in graph.edges(data=True)),
    }


def assert_equal_snapshots(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Fail naming the first part of two snapshots that differs."""
    for part in ("state", "ledger"):
        for key in a[part]:
            x, y = a[part][key], b[part][key]
            if isinstance(x, np.ndarray):
                assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f"{part}.{key} changed"
            else:
                assert x == y, f"{part}.{key} changed"
    for key in ("log", "outcome", "day", "running", "nodes", "edges"):
        assert repr(a[key]) == repr(b[key]), f"{key} changed"
    pd.testing.assert_frame_equal(a["results"], b["results"], check_exact=True)
    if a["frame"] is not None:
        pd.testing.assert_frame_equal(a["frame"], b["frame"], check_exact=True)


# --- recomputation from the scenario -------------------------------------------------------------


def param(model: NegotiationModel, name: str, run: int) -> np.ndarray:
    """Run ``run``'s value of a per-run parameter (shared parameters have one row)."""
    arr = getattr(model.compiled, name)
    return np.asarray(arr[0] if arr.shape[0] == 1 else arr[run])


def effective_priorities(model: NegotiationModel, run: int) -> np.ndarray:
    """Run ``run``'s priorities as of its current USD/JPY, (P, I), recomputed from scratch."""
    c, s = model.compiled, model.state
    w = param(model, "weights", run).astype(float).copy()
    if c.fx_issue < 0:
        return w
    ratio = float(s.fx[run]) / float(param(model, "fx_reference", run))
    for p in range(w.shape[0]):
        sens = float(param(model, "fx_sensitivity", run)[p])
        w[p, c.fx_issue] *= max(0.0, 1.0 + sens * (ratio - 1.0))
        w[p] /= max(sum(w[p]), 1e-12)
    return w


def utility_of(terms_z: np.ndarray, weights: np.ndarray, ideal: np.ndarray) -> np.ndarray:
    """Each party's utility of a normalised package: sum_i w_i (1 - |x_i - ideal_i| / reach_i)."""
    out = np.zeros(weights.shape[0])
    for p in range(weights.shape[0]):
        for i, x in enumerate(terms_z):
            reach = max(ideal[p, i], 1.0 - ideal[p, i])
            out[p] += weights[p, i] * (1.0 - abs(x - ideal[p, i]) / reach)
    return out


def win_set_real(
    model: NegotiationModel, run: int, side: str, day: int
) -> dict[str, tuple[float, float]]:
    """A side's ratifiable range per issue on ``day``, in real units (only bounded issues).

    Before the side's election the limits move from their start to their election values; the
    run's limits are the stated ones, or where they are uncertain the run's draws (read from
    the compiled arrays). After the election, with drawn outcomes, the run's outcome's stated
    bounds apply.
    """
    sc, c = model.scenario, model.compiled
    spec = sc.sides[side]
    k = sc.side_keys.index(side)
    pressure = float(param(model, "election_pressure", run)[k])
    election_day = None
    if spec.election is not None:
        election_day = max(1, (spec.election - sc.calendar.start).days)
        progress = min(max(day / election_day, 0.0), 1.0) * pressure
    else:
        progress = 0.0
    bounds, after = spec.win_set, False
    if election_day is not None and spec.after_election and sc.dynamics.election == "outcomes":
        if day >= election_day:
            bounds = spec.after_election[int(model.state.election_outcome[run, k])].win_set
            after = True
    out = {}
    for b in bounds:
        if b.floor and sc.dynamics.floors == "off":
            continue
        issue = sc.issue(b.issue)
        i = sc.issue_keys.index(b.issue)
        row = run if c.bound_lo.shape[0] > 1 else 0
        drawn = not after and sc.dynamics.preferences == "uncertain" and b.sd > 0
        lo, hi = issue.min, issue.max
        if b.min is not None:
            start, end = b.min, b.min if b.min_at_election is None else b.min_at_election
            if drawn:
                start, end = (issue.min + c.bound_lo[row, d, k, i] * c.span[i] for d in (0, 1))
            lo = start + (0.0 if after else progress) * (end - start)
        if b.max is not None:
            start, end = b.max, b.max if b.max_at_election is None else b.max_at_election
            if drawn:
                start, end = (issue.min + c.bound_hi[row, d, k, i] * c.span[i] for d in (0, 1))
            hi = start + (0.0 if after else progress) * (end - start)
        out[b.issue] = (min(max(lo, issue.min), issue.max), min(max(hi, issue.min), issue.max))
    return out


def side_accepts(model: NegotiationModel, run: int, side: str, accepts: np.ndarray) -> bool:
    """Whether ``side`` accepts, by its rule, given which parties accept (one bool per party)."""
    sc = model.scenario
    k = sc.side_keys.index(side)
    rule = ("unanimity", "majority", "veto")[int(param(model, "rule", run)[k])]
    members = [p for p, party in enumerate(sc.parties) if party.side == side]
    if rule == "unanimity":
        return all(accepts[p] for p in members)
    if rule == "veto":
        return bool(accepts[sc.party_keys.index(sc.sides[side].principal)])
    clout = param(model, "clout", run)
    share = sum(clout[p] for p in members if accepts[p]) / sum(clout[p] for p in members)
    return bool(share > float(param(model, "threshold", run)[k]))


def check_deal_acceptable(model: NegotiationModel, run: int) -> None:
    """A deal must be accepted by every side, by its rule and its win-set, on the day it was struck.

    A finished run is frozen, so its aspirations and USD/JPY are still those of that day.
    """
    c, s, sc = model.compiled, model.state, model.scenario
    day = int(s.end_day[run])
    terms_z = s.terms[run]
    util = utility_of(terms_z, effective_priorities(model, run), param(model, "ideal", run))
    accepts = util >= s.aspiration[run] - TOL
    real = c.to_real(terms_z)
    for side in sc.side_keys:
        assert side_accepts(model, run, side, accepts), (
            f"run {run}: side {side} does not accept the deal of day {day} "
            f"(utilities {util}, aspirations {s.aspiration[run]})"
        )
        for key, (lo, hi) in win_set_real(model, run, side, day).items():
            i = sc.issue_keys.index(key)
            slack = TOL * (sc.issue(key).max - sc.issue(key).min)
            assert lo - slack <= real[i] <= hi + slack, (
                f"run {run}: {key} = {real[i]} outside {side}'s win-set [{lo}, {hi}] on day {day}"
            )


def check_run(model: NegotiationModel, run: int) -> None:
    """Invariants of one finished run of a model (single run or ensemble)."""
    c, s, sc = model.compiled, model.state, model.scenario
    row = row_of(model, run)
    assert not s.active[run]
    assert row["status"] in STATUSES, row["status"]
    ext = sc.calendar.extension
    day = int(row["day"])
    assert 0 <= day <= c.last_day
    if row["extended"]:
        assert ext.days > 0 and float(param(model, "extension_probability", run)) > 0
    deadline = c.deadline_day + (ext.days if row["extended"] else 0)
    if c.deadline_mode == "threat":  # the holder may extend more than once
        deadline = int(s.deadline[run])
        assert deadline == c.deadline_day + int(s.extensions[run]) * ext.days
    assert day <= deadline
    assert row["date"] == (sc.calendar.start + dt.timedelta(days=day)).isoformat()
    # Terms within their issues' ranges; a breakdown ends on its deadline on the no-deal terms.
    for issue in sc.issues:
        value = row[f"term_{issue.key}"]
        slack = TOL * (issue.max - issue.min)
        assert issue.min - slack <= value <= issue.max + slack, (issue.key, value)
        if row["status"] == "breakdown":
            assert math.isclose(value, issue.no_deal, rel_tol=1e-12, abs_tol=slack), (
                issue.key,
                value,
            )
    if row["status"] == "breakdown":
        assert day == deadline
    else:
        assert row["rounds"] >= 1
        check_deal_acceptable(model, run)
    # Utilities and reservations in [0, 1]; aspirations between the reservation and 1.
    for key in sc.party_keys:
        assert -UNIT_TOL <= row[f"utility_{key}"] <= 1 + UNIT_TOL, (key, row[f"utility_{key}"])
        assert 0.0 <= row[f"reservation_{key}"] <= 1.0, (key, row[f"reservation_{key}"])
    assert np.all(s.aspiration[run] >= s.reservation[run])
    assert np.all(s.aspiration[run] <= 1.0)
    # Concessions are never negative; what is given is received, so net concessions sum to 0.
    assert np.all(model.ledger.given[run] >= 0.0)
    assert np.all(model.ledger.count[run] >= 0)
    net = [row[f"net_concession_{key}"] for key in sc.party_keys]
    assert abs(sum(net)) <= 1e-9 * max(1.0, sum(abs(x) for x in net))
    share = row["cross_side_share"]
    assert math.isnan(share) or 0.0 <= share <= 1.0, share


def check_all_runs(model: NegotiationModel) -> None:
    """Invariants of every run of a finished model."""
    assert not model.running
    for run in range(model.state.runs):
        check_run(model, run)


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """Call ``negotiate``'s ``main`` in-process, returning (status, stdout, stderr)."""
    import contextlib
    import io

    from negotiate.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
    return status, out.getvalue(), err.getvalue()


def assert_ensemble_matches_single_runs(scenario: Any, seeds: list[int], **kwargs: Any) -> None:
    """Every row of an ensemble equals the single run of its seed, field by field, bit for bit.

    ``kwargs`` go to both (``overrides`` as one value per run are given to each single run as
    its own value).
    """
    model = NegotiationModel(scenario, seeds=seeds, collect=False, narrate=False, **kwargs)
    model.run_model()
    overrides = kwargs.pop("overrides", None) or {}
    for i, seed in enumerate(seeds):
        mine = {
            path: value[i] if isinstance(value, list | tuple) else value
            for path, value in overrides.items()
        }
        single = NegotiationModel(scenario, rng=seed, overrides=mine or None, **kwargs)
        single.run_model()
        assert single.outcome is not None
        assert_rows_equal(single.outcome.to_row(), row_of(model, i), f"seed {seed}")
