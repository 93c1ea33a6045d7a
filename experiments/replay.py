"""Replaying one stored run of a sweep alone, narrated, and checking it against its row."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from experiments.design import PARAM_PREFIX
from experiments.runner import ERROR
from experiments.store import Stored, open_store
from model.negotiation import NegotiationModel


@dataclass
class Replay:
    """A replayed run.

    Attributes:
        run: The run id.
        stored: The run's stored row.
        overrides: The parameters the run was given.
        model: The replayed model (None when the run failed in the sweep).
        mismatches: Columns whose replayed value differs from the stored one.
    """

    run: int
    stored: dict[str, Any]
    overrides: dict[str, Any]
    model: NegotiationModel | None
    mismatches: list[str]

    @property
    def matches(self) -> bool:
        """Whether the replay reproduced the stored row exactly."""
        return self.model is not None and not self.mismatches


def run_overrides(row: dict[str, Any]) -> dict[str, Any]:
    """The parameter values of a stored run, by scenario path."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key.startswith(PARAM_PREFIX):
            out[key[len(PARAM_PREFIX) :]] = value if isinstance(value, str) else float(value)
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def model_of(stored: Stored, run: int, narrate: bool = True) -> NegotiationModel:
    """A fresh single-run model of a stored run, not yet stepped (for the app or notebooks)."""
    row = stored.row(run)
    return NegotiationModel(
        stored.scenario,
        rng=int(row["seed"]),
        overrides=run_overrides(row) or None,
        collect=True,
        narrate=narrate,
    )


def replay(out: Path, run: int) -> Replay:
    """Re-run a stored run as a single narrated run and compare it with its row.

    Args:
        out: The sweep folder.
        run: The run id.

    Returns:
        The replay; ``matches`` tells whether every stored value was reproduced.
    """
    stored = open_store(out)
    row = stored.row(run)
    overrides = run_overrides(row)
    if row["status"] == ERROR:
        return Replay(run, row, overrides, None, ["status"])
    model = model_of(stored, run)
    model.run_model()
    assert model.outcome is not None
    fresh = model.outcome.to_row()
    mismatches = [k for k, v in fresh.items() if k in row and not _same(v, _plain(row[k]))]
    return Replay(run, row, overrides, model, mismatches)


def _plain(value: Any) -> Any:
    """A stored value as a Python scalar (numpy scalars compare and print as such)."""
    return value.item() if hasattr(value, "item") else value
