"""The figures ``negotiate run --out`` writes beside run.png, and its ``--animate`` film.

The narrated run is replayed (same scenario, seed and overrides give the same run) to keep its
graph on every day; the ensemble figures read the ensemble table.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.schema import Scenario
from viz.animation import animate_run
from viz.ensemble_figures import survival_figure, term_distributions_figure
from viz.files import save_png
from viz.graph import concession_graph_days
from viz.history import record_run
from viz.timelines import positions_figure, utilities_figure
from viz.utility_plane import utility_plane_figure


def write_run_figures(
    out: Path,
    scenario: Scenario,
    seed: int,
    overrides: Mapping[str, Any] | None,
    table: pd.DataFrame,
) -> list[str]:
    """Write the run's and the ensemble's figures into ``out``.

    Args:
        out: An existing folder.
        scenario: The scenario.
        seed: The narrated run's seed.
        overrides: The run's overrides.
        table: The ensemble table.

    Returns:
        The names of the files written: concession_graph.png, positions.png, utilities.png,
        utility_plane.png (only with two sides), survival.png and terms.png.
    """
    history = record_run(scenario, seed, overrides)
    model = history.model
    written = [
        save_png(concession_graph_days(history), out / "concession_graph.png"),
        save_png(positions_figure(model), out / "positions.png"),
        save_png(utilities_figure(model), out / "utilities.png"),
    ]
    if len(scenario.side_keys) == 2:
        written.append(save_png(utility_plane_figure(model), out / "utility_plane.png"))
    written.append(save_png(survival_figure(table, scenario), out / "survival.png"))
    written.append(save_png(term_distributions_figure(table, scenario), out / "terms.png"))
    model.release()
    return written


def write_animation(
    path: Path, scenario: Scenario, seed: int, overrides: Mapping[str, Any] | None
) -> int:
    """Write the film of one run (GIF or MP4); returns the number of frames."""
    history = record_run(scenario, seed, overrides)
    frames = animate_run(history, path)
    history.model.release()
    return frames
