"""The ensemble engine: row i of an ensemble is the single run of seed i, bit for bit, whatever
the other runs of the ensemble are; Mesa's batch runner drives the model too."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pandas as pd
import pytest
from helpers import BASELINE_SEEDS, assert_rows_equal, finished, row_differences, row_of, run_to_end

from model import NegotiationModel, load_scenario, run_ensemble
from model.loading import parse_scenario

SCALAR_OVERRIDES = [
    {"calendar.extension.probability": 0.9, "sides.us.cohesion": 0.2},
    {"parties.lutnick.strategy.exponent": 2.0, "parties.bessent.priorities.currency": 0.5},
]


@pytest.fixture(scope="module")
def baseline_table() -> pd.DataFrame:
    return run_ensemble("june2025", BASELINE_SEEDS)


def test_table_has_one_row_per_seed(baseline_table: pd.DataFrame) -> None:
    assert len(baseline_table) == len(BASELINE_SEEDS)
    assert baseline_table["seed"].dtype == np.uint64
    assert [int(s) for s in baseline_table["seed"]] == BASELINE_SEEDS
    assert set(baseline_table["status"]) <= {"deal", "breakdown"}
    # The baseline is calibrated near a coin flip: both endings occur among 63 seeds.
    assert set(baseline_table["status"]) == {"deal", "breakdown"}


def test_ensemble_rows_equal_single_runs(baseline_table: pd.DataFrame, baseline_run) -> None:
    failures = []
    for i, seed in enumerate(BASELINE_SEEDS):
        diffs = row_differences(
            baseline_run(seed).outcome.to_row(), baseline_table.iloc[i].to_dict()
        )
        if diffs:
            failures.append(f"seed {seed}: {'; '.join(diffs[:4])}")
    assert not failures, f"{len(failures)} rows differ from their single runs:\n" + "\n".join(
        failures
    )


@pytest.mark.parametrize("overrides", SCALAR_OVERRIDES, ids=lambda o: ",".join(o))
def test_ensemble_rows_equal_single_runs_with_scalar_overrides(overrides: dict) -> None:
    seeds = [*range(60), 2**62 + 7]
    table = run_ensemble("june2025", seeds, overrides=overrides)
    plain = run_ensemble("june2025", seeds)
    assert not table.equals(plain), "the overrides changed nothing"
    failures = []
    for i, seed in enumerate(seeds):
        single = finished(seed=seed, overrides=overrides, collect=False, narrate=False)
        diffs = row_differences(single.outcome.to_row(), table.iloc[i].to_dict())
        if diffs:
            failures.append(f"seed {seed}: {'; '.join(diffs[:4])}")
    assert not failures, f"{len(failures)} rows differ from their single runs:\n" + "\n".join(
        failures
    )


@pytest.mark.parametrize(
    "path, values",
    [
        ("sides.us.cohesion", [0.0, 0.3, 1.0, 0.6, 0.9, 0.1, 0.5, 0.8, 0.2, 0.7]),
        ("calendar.extension.probability", [1.0, 0.0, 0.5, 1.0, 0.0, 0.2, 0.9, 1.0, 0.0, 0.4]),
        ("parties.bessent.fx_sensitivity", [3.0, 0.0, 1.0, 0.0, 5.0, 0.0, 2.0, 0.0, 3.0, 0.0]),
    ],
)
def test_per_run_overrides_equal_single_runs_with_that_value(
    path: str, values: list[float]
) -> None:
    """A per-run override gives run i what a single run with the scalar values[i] gets."""
    seeds = list(range(100, 100 + len(values)))
    table = run_ensemble("june2025", seeds, overrides={path: values})
    failures = []
    for i, (seed, value) in enumerate(zip(seeds, values, strict=True)):
        single = finished(seed=seed, overrides={path: value}, collect=False, narrate=False)
        diffs = row_differences(single.outcome.to_row(), table.iloc[i].to_dict())
        if diffs:
            failures.append(f"seed {seed} ({path}={value}): {'; '.join(diffs[:3])}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("exponent", [2.0, 0.5, 1.5])
def test_lone_time_dependent_negotiator(exponent: float) -> None:
    """The baseline with Greer the only time-dependent negotiator (the others hold firm):
    still row i of the ensemble equals the single run of seed i."""
    data = load_scenario("june2025").model_dump()
    for party in data["parties"]:
        if party["key"] == "greer":
            party["strategy"]["params"]["exponent"] = exponent
        else:
            party["strategy"] = {"kind": "hardliner", "params": {"level": 0.6}}
    scenario = parse_scenario(data, "<greer alone>")
    seeds = list(range(40))
    table = run_ensemble(scenario, seeds)
    failures = []
    for i, seed in enumerate(seeds):
        single = finished(scenario, seed, collect=False, narrate=False)
        diffs = row_differences(single.outcome.to_row(), table.iloc[i].to_dict())
        if diffs:
            failures.append(f"seed {seed}: {'; '.join(diffs[:3])}")
    assert not failures, "\n".join(failures)


def test_rows_do_not_depend_on_the_other_seeds(baseline_table: pd.DataFrame) -> None:
    by_seed = {
        int(s): baseline_table.iloc[i].to_dict() for i, s in enumerate(baseline_table["seed"])
    }
    rng = np.random.default_rng(20250709)
    shuffled = [BASELINE_SEEDS[i] for i in rng.permutation(len(BASELINE_SEEDS))]
    variants = {
        "shuffled": shuffled,
        "reversed": BASELINE_SEEDS[::-1],
        # Sizes on both sides of the engine's small-ensemble path (8 seeds).
        "one": [17],
        "three": [59, 2**63 - 1, 0],
        "seven": shuffled[:7],
        "eight": shuffled[7:15],
        "nine": shuffled[15:24],
        "with_duplicates": [5, 5, 11, 5, 11, 2**62 + 7, 2**62 + 7, 3, 3],
    }
    failures = []
    for name, seeds in variants.items():
        table = run_ensemble("june2025", seeds)
        assert [int(s) for s in table["seed"]] == seeds
        for i, seed in enumerate(seeds):
            expected = {**by_seed[seed], "seed": seed}
            diffs = row_differences(expected, table.iloc[i].to_dict())
            if diffs:
                failures.append(f"{name}, seed {seed}: {'; '.join(diffs[:3])}")
    assert not failures, "\n".join(failures)


def test_rows_with_overrides_do_not_depend_on_the_other_runs() -> None:
    """Per-run override values travel with their seeds: shuffling both together shuffles rows."""
    seeds = list(range(200, 220))
    values = np.linspace(0.0, 1.0, len(seeds))
    table = run_ensemble("june2025", seeds, overrides={"sides.us.cohesion": values})
    order = np.random.default_rng(1).permutation(len(seeds))
    other = run_ensemble(
        "june2025", [seeds[i] for i in order], overrides={"sides.us.cohesion": values[order]}
    )
    for j, i in enumerate(order):
        assert_rows_equal(table.iloc[i].to_dict(), other.iloc[j].to_dict(), f"seed {seeds[i]}")


def test_a_run_that_ended_early_keeps_its_row() -> None:
    """A run's row is final the day it ends: the ensemble running on does not change it, and
    neither do its state arrays or its concession ledger."""
    seeds = list(range(300, 324))
    model = NegotiationModel("june2025", seeds=seeds, collect=False, narrate=False)
    frozen_fields = (
        "status",
        "end_day",
        "deadline",
        "extended",
        "reservation",
        "aspiration",
        "fx",
        "stress",
        "rounds",
        "table",
        "has_table",
        "terms",
        "proposer",
        "dispersion",
    )
    ledger_fields = ("given", "seen", "count", "last_day", "received")
    at_end: dict[int, tuple] = {}
    while model.running:
        model.step()
        for run in np.flatnonzero(~model.state.active):
            if run not in at_end:
                at_end[run] = (
                    model.day,
                    row_of(model, run),
                    {f: np.copy(getattr(model.state, f)[run]) for f in frozen_fields},
                    {f: np.copy(getattr(model.ledger, f)[run]) for f in ledger_fields},
                )
    assert len(at_end) == len(seeds)
    days = [v[0] for v in at_end.values()]
    assert min(days) < max(days), "this test needs runs that end on different days"
    final = model.results()
    for run, (day, row, state, ledger) in at_end.items():
        assert row["day"] == day
        assert_rows_equal(row, final.iloc[run].to_dict(), f"run {run} (ended day {day})")
        for f, v in state.items():
            assert np.array_equal(v, getattr(model.state, f)[run], equal_nan=True), (
                f"run {run}: {f}"
            )
        for f, v in ledger.items():
            assert np.array_equal(v, getattr(model.ledger, f)[run]), f"run {run}: ledger.{f}"


def test_early_run_row_same_alone_and_in_a_longer_ensemble() -> None:
    """The ensemble of only the early runs stops sooner; their rows are the same either way."""
    seeds = list(range(300, 324))
    table = run_ensemble("june2025", seeds)
    early = table["day"] < table["day"].max()
    assert early.any()
    short = run_ensemble("june2025", [s for s, e in zip(seeds, early, strict=True) if e])
    for j, i in enumerate(np.flatnonzero(early)):
        assert_rows_equal(table.iloc[i].to_dict(), short.iloc[j].to_dict(), f"seed {seeds[i]}")


def test_run_ensemble_accepts_a_scenario_object_and_a_range(baseline_table: pd.DataFrame) -> None:
    scenario = NegotiationModel().scenario
    table = run_ensemble(scenario, range(5))
    pd.testing.assert_frame_equal(table, baseline_table.iloc[:5], check_exact=True)


def test_run_ensemble_rejects_bad_seeds() -> None:
    for seeds in ([-1], [2**63], [0, -5]):
        with pytest.raises(ValueError):
            run_ensemble("june2025", seeds)


# --- Mesa's batch runner ----------------------------------------------------------------------


def test_mesa_batch_run() -> None:
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        from mesa.batchrunner import batch_run  # forces the "spawn" start method on import

        results = batch_run(
            NegotiationModel,
            parameters={"scenario": "june2025", "rng": [1, 2, 3]},
            max_steps=200,
            number_processes=1,
            display_progress=False,
        )
    finally:
        multiprocessing.set_start_method(method, force=True)
    assert len(results) == 3
    assert sorted(r["rng"] for r in results) == [1, 2, 3]
    for result in results:
        model = run_to_end(NegotiationModel("june2025", rng=result["rng"]))
        frame = model.datacollector.get_model_vars_dataframe()
        assert set(frame.columns) <= set(result), set(frame.columns) - set(result)
        assert result["scenario"] == "june2025"
        # batch_run reports the collector's entry Step, day Step: the frame's row Step + 1
        # (its first row is the record before the first day). The last is the end day.
        assert 0 <= result["Step"] < len(frame) - 1
        expected = frame.iloc[result["Step"] + 1].to_dict()
        got = {k: result[k] for k in expected}
        assert repr(got) == repr(expected)
        assert model.steps == result["Step"] + 1
        assert result["day"] == result["Step"] == model.day == model.outcome.day


def test_the_trace_of_an_ensemble_equals_each_run_traced_alone() -> None:
    seeds = [0, 5, 9]
    model = NegotiationModel("june2025", seeds=seeds, collect=False, narrate=False, trace=True)
    model.run_model()
    frame = model.trace_frame()
    assert frame["gap"].between(0, 1).all() and frame["balance"].between(-1, 1).all()
    for seed in seeds:
        alone = NegotiationModel("june2025", rng=seed, trace=True)
        alone.run_model()
        mine = frame[frame["seed"] == seed].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.trace_frame())
    assert NegotiationModel("june2025", rng=0).trace is None
