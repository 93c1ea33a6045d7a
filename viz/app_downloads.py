"""The Watch page's downloads: the run's daily records and an ensemble of its settings, as CSV.

Both carry what reproduces them: the daily records name the scenario and seed on every row;
the ensemble's rows are runs with seeds seed, seed+1, … of the settings on screen (the same
runs as the ensemble panel), each with its seed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import solara

from experiments.chunks import run_in_chunks
from experiments.numbers import SEED_LIMIT
from viz.timelines import daily_table

if TYPE_CHECKING:
    from viz.app import AppModel

ENSEMBLE_RUNS = 1000


def daily_csv(model: AppModel) -> str:
    """The run's daily records so far, one row per day, as CSV."""
    data = daily_table(model)
    data.insert(0, "seed", model.run_seed)
    data.insert(0, "scenario", model.scenario_name)
    return str(data.to_csv(index=False))


def ensemble_csv(model: AppModel, runs: int = ENSEMBLE_RUNS) -> str:
    """``runs`` runs of the model's settings (seeds from the run's own), one row each, as CSV."""
    first = min(model.run_seed, SEED_LIMIT - runs)
    table = run_in_chunks(model.scenario, first, runs, overrides=model.app_overrides)
    table.insert(0, "scenario", model.scenario_name)
    return str(table.to_csv(index=False))


@solara.component
def Downloads(model: solara.Reactive[AppModel]) -> None:
    """Two buttons: the run's daily records, and 1,000 runs of its settings (made on click)."""
    with solara.Card("Download (CSV)"):
        m = model.value
        stem = f"{m.scenario_name}_seed{m.run_seed}"
        solara.FileDownload(
            lambda: daily_csv(model.value),
            filename=f"{stem}_daily.csv",
            label="This run's daily records",
            mime_type="text/csv",
        )
        solara.FileDownload(
            lambda: ensemble_csv(model.value),
            filename=f"{stem}_{ENSEMBLE_RUNS}_runs.csv",
            label=f"{ENSEMBLE_RUNS:,} runs of these settings",
            mime_type="text/csv",
        )
