"""Mesa's own batch runner on NegotiationModel: rows that say how each run ended, and ``seed``.

``mesa.batch_run`` reads a run's last row from the DataCollector's entry ``model.steps - 1``
and passes parameters as keyword arguments, Mesa's ``seed`` among them.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from helpers import run_to_end

from model import NegotiationModel
from model.errors import ArgumentError


@pytest.fixture
def batch_run() -> Iterator[Any]:
    """``mesa.batch_run``, with the start method its import forces put back afterwards."""
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        from mesa.batchrunner import batch_run

        yield batch_run
    finally:
        multiprocessing.set_start_method(method, force=True)


def test_batch_run_rows_end_on_the_end_day_with_status_and_terms(batch_run: Any) -> None:
    rows = batch_run(
        NegotiationModel,
        parameters={"scenario": "two_level", "seed": [1, 2, 3]},
        max_steps=500,
        number_processes=1,
        display_progress=False,
    )
    assert sorted(r["seed"] for r in rows) == [1, 2, 3]
    for row in rows:
        out = run_to_end(NegotiationModel("two_level", rng=row["seed"])).outcome
        assert out is not None
        assert row["status"] == out.status
        assert row["day"] == out.day == row["Step"]
        for issue, value in out.terms.items():
            assert row[f"term_{issue}"] == value


def test_batch_run_collecting_every_step_gives_every_day(batch_run: Any) -> None:
    rows = batch_run(
        NegotiationModel,
        parameters={"scenario": "two_level", "seed": 7},
        max_steps=500,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    model = run_to_end(NegotiationModel("two_level", seed=7))
    assert [r["day"] for r in rows] == [r["Step"] for r in rows] == list(range(model.day + 1))
    *during, last = rows
    assert all(r["status"] == "running" for r in during)
    assert all(math.isnan(r["term_tariff"]) for r in during)
    assert last["status"] == model.outcome.status
    assert last["term_tariff"] == model.outcome.terms["tariff"]


def test_seed_is_the_same_as_rng() -> None:
    by_seed = run_to_end(NegotiationModel("june2025", seed=5))
    by_rng = run_to_end(NegotiationModel("june2025", rng=5))
    assert by_seed.outcome == by_rng.outcome
    assert by_seed.log == by_rng.log
    a = by_seed.datacollector.get_model_vars_dataframe()
    b = by_rng.datacollector.get_model_vars_dataframe()
    assert a.equals(b)
    assert np.array_equal(by_seed.state.seeds, [5])
    with pytest.raises(ArgumentError, match="either rng or seed"):
        NegotiationModel("june2025", rng=5, seed=5)


def test_the_daily_frame_starts_before_the_first_day_and_ends_on_the_end_day() -> None:
    model = run_to_end(NegotiationModel("june2025", seed=3))
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["day"].tolist() == list(range(-1, model.day + 1))
    assert frame["status"].iloc[0] == "running"
    assert frame["status"].iloc[-1] == model.outcome.status
    assert len(model.datacollector.model_vars["day"]) == model.steps
