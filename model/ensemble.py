"""Many runs at once: the batch engine behind the CLI, the sweeps and the app's ensemble panel."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy.typing as npt
import pandas as pd

from model.negotiation import NegotiationModel
from model.schema import Scenario


def run_ensemble(
    scenario: str | Path | Scenario,
    seeds: npt.ArrayLike,
    overrides: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Run one run per seed, all at once, and return one row per run.

    Row i equals the outcome of ``NegotiationModel(scenario, rng=seeds[i])`` exactly.

    Args:
        scenario: A bundled name, a path, or a Scenario.
        seeds: One seed per run.
        overrides: Per-run parameters by dotted scenario path: a scalar for all runs or one
            value per run.

    Returns:
        A DataFrame with the columns of ``Outcome.to_row``.
    """
    model = NegotiationModel(
        scenario, seeds=seeds, overrides=overrides, collect=False, narrate=False
    )
    model.run_model()
    table = model.results()
    model.release()
    return table
