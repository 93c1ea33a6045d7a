"""The bargaining metrics' budget: tables of six parties or more finish, and say how they were
measured; the route taken without the hull agrees with the exact one where both can go.

``tests/data/june2025_six.toml`` (then ``_eight``, ``_twelve``) extends the baseline with more
parties, each file the one before it plus two or four, as notebook 05 invites students to do.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import finished

import model.bargaining
from model import NegotiationModel, list_scenarios, load_scenario, run_ensemble
from model.bargaining import Budget, problem_of, solutions_of, solve
from model.params import compile_scenario
from model.schema import Scenario

DATA = Path(__file__).parent / "data"
LARGER = {6: "june2025_six", 8: "june2025_eight", 12: "june2025_twelve"}
MEMORY = 4 * 2**30  # address space a child may take: the old solver passed 7 GB at eight parties
HANG = 900  # seconds before a child is taken to hang (each takes a few here)


def larger(parties: int) -> Path:
    return DATA / f"{LARGER[parties]}.toml"


def stated(scenario: str | Path | Scenario) -> Any:
    """The compiled scenario whose solutions the outcomes are measured against."""
    c = compile_scenario(load_scenario(scenario))
    return c.nominal if c.nominal is not None else c


# --- tables of six, eight and twelve parties --------------------------------------------------

CHILD = """
import json, sys
from helpers import finished, row_differences
from model import NegotiationModel, run_ensemble

path, seeds = sys.argv[1], list(range(40))
single = finished(path, 3)  # collected and narrated
table = run_ensemble(path, seeds)
quiet = NegotiationModel(path, seeds=seeds, collect=False, narrate=False)
quiet.run_model()
print(json.dumps({
    "outcome": single.outcome.to_row(),
    "bargaining": sorted(set(table["bargaining"])),
    "finite": bool(table["frontier_distance"].notna().all()),
    "differences": row_differences(single.outcome.to_row(), table.iloc[3].to_dict()),
    "quiet": row_differences(quiet.outcome.to_row(), finished(path, 0).outcome.to_row()),
}, default=str))
"""


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.mark.parametrize("parties", [6, 8, 12])
def test_runs_and_ensembles_of_many_parties_finish(parties: int) -> None:
    # In a child with bounded memory: the old solver grew without bound, or ran for hours.
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(larger(parties))],
            capture_output=True,
            text=True,
            timeout=HANG,
            preexec_fn=_limited,
            cwd=Path(__file__).parent,
            # One BLAS thread: each thread's buffers would count against the address space.
            env=dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"),
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{parties} parties: a run and an ensemble were still going after {HANG} s")
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    row = found["outcome"]
    assert row["bargaining"] == "approximate"
    assert f"{parties} parties" in row["bargaining_note"]
    assert row["frontier_distance"] >= 0.0
    assert row["nash_distance"] >= 0.0  # these tables have a zone of agreement
    assert found["bargaining"] == ["approximate"] and found["finite"]
    assert found["differences"] == []  # run 3 of the ensemble is the single run, bit for bit
    assert found["quiet"] == []  # an ensemble's run 0, measured when read


def test_an_ensemble_without_records_measures_run_0_only_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    original = model.bargaining.solutions_of

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(model.bargaining, "solutions_of", counted)
    seeds = [7, 0, 4, 17]  # run 0 ends on day 58, the last on day 84
    quiet = NegotiationModel("june2025", seeds=seeds, collect=False, narrate=False)
    ended = None
    while quiet.running:
        quiet.step()
        if ended is None and not quiet.state.active[0]:
            ended = quiet.day
    assert ended is not None and ended < quiet.day  # run 0 ended while others went on
    assert calls == []  # stepping never measured run 0's outcome
    alone = finished("june2025", seeds[0])
    assert quiet.outcome == alone.outcome  # measured when read, as it was on its last day
    assert len(calls) > 0


# --- the budget --------------------------------------------------------------------------------


def test_bundled_scenarios_are_measured_exactly() -> None:
    for name, _ in list_scenarios():
        sol = solutions_of(stated(name))
        assert (sol.accuracy, sol.note) == ("exact", ""), name
    table = run_ensemble("june2025", range(5))
    assert set(table["bargaining"]) == {"exact"} and set(table["bargaining_note"]) == {""}


def test_the_budget_is_counted_in_sizes_and_gives_the_same_numbers_every_time() -> None:
    problem = problem_of(stated(larger(6)))
    first, again = solve(problem), solve(problem)
    assert first.accuracy == "approximate"
    assert first.note.startswith("6 parties: the exact frontier is built for at most 5")
    assert first.nash is not None and again.nash is not None
    assert first.nash.utility.tobytes() == again.nash.utility.tobytes()
    probes = np.vstack([problem.disagreement, first.nash.utility, first.frontier[:50]])
    assert first.frontier_distance(probes).tobytes() == again.frontier_distance(probes).tobytes()


@pytest.mark.parametrize(
    ("budget", "accuracy", "note"),
    [
        (Budget(hull_vertices=10), "approximate", "needs more than 10 vertices"),
        (Budget(hull_facets=10), "approximate", "has more than 10 facets"),
        (Budget(hull_parties=4, lp_candidates=10), "skipped", "frontier distances skipped"),
    ],
)
def test_beyond_the_budget_the_metrics_say_so(budget: Budget, accuracy: str, note: str) -> None:
    path = DATA / "five_parties_joggled_hull.json"
    problem = problem_of(compile_scenario(Scenario.model_validate_json(path.read_text())))
    sol = solve(problem, budget)
    assert sol.accuracy == accuracy and note in sol.note
    assert sol.nash is not None  # the Nash point needs no hull
    distance = sol.frontier_distance(problem.disagreement[None])[0]
    if accuracy == "skipped":
        assert np.isnan(distance)
    else:
        exact = solve(problem)
        assert exact.accuracy == "exact"
        assert distance == pytest.approx(exact.frontier_distance(problem.disagreement[None])[0])


@pytest.mark.parametrize("name", ["june2025", "nparty_pie", "concave_pie", "two_level"])
def test_without_the_hull_the_solutions_agree_with_the_exact_ones(name: str) -> None:
    problem = problem_of(stated(name))
    exact, other = solve(problem), solve(problem, Budget(hull_parties=0))
    assert exact.accuracy == "exact" and other.accuracy == "approximate"
    assert exact.nash is not None and other.nash is not None
    assert other.nash.utility == pytest.approx(exact.nash.utility, abs=1e-7)
    for name in ("egalitarian", "kalai_smorodinsky", "max_welfare"):  # no hull in either
        a, b = getattr(other, name), getattr(exact, name)
        assert np.array_equal(a.package, b.package) and np.array_equal(a.utility, b.utility)
    # Points spread over U: mixtures of frontier vertices, shrunk towards the origin.
    rng = np.random.default_rng(1)
    mixes = rng.dirichlet(np.full(len(exact.frontier), 0.05), 200)
    probes = (mixes @ exact.frontier) * rng.uniform(0.8, 1.0, (200, 1))
    probes = np.vstack([probes, problem.disagreement, exact.frontier[:20]])
    assert other.frontier_distance(probes) == pytest.approx(
        exact.frontier_distance(probes), abs=1e-9
    )
