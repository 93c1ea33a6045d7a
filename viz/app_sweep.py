"""A run source for the app: one stored run of a sweep, opened by its folder and run id.

The run's scenario is the one stored with the sweep, its seed goes in the seed box, and the
parameters the sweep gave it are held fixed (their sliders are left out), so that pressing
Step replays exactly the stored run; the remaining sliders still work from there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solara

from experiments.numbers import parse_int
from experiments.replay import run_overrides
from experiments.store import open_store
from model.errors import UserError
from model.schema import Scenario
from viz.app_controls import controls_for


@dataclass(frozen=True)
class SweepRun:
    """A stored run: where it is, its scenario, seed and fixed parameters, and its row."""

    folder: str
    run: int
    scenario: Scenario
    seed: int
    fixed: dict[str, Any]
    status: str


def open_sweep_run(folder: str, run: int | str) -> SweepRun:
    """Read a stored run.

    Raises:
        ArgumentError: When the run id is not a whole number.
        StoreError: When the folder is no sweep or the run is not stored.
    """
    run_id = parse_int(run, "run id")
    stored = open_store(Path(folder.strip()))
    row = stored.row(run_id)
    return SweepRun(
        folder=str(stored.out),
        run=run_id,
        scenario=stored.scenario,
        seed=int(row["seed"]),
        fixed=run_overrides(row),
        status=str(row["status"]),
    )


def sweep_run_params(source: SweepRun) -> dict[str, Any]:
    """SolaraViz ``model_params`` for a stored run: its scenario, seed and fixed parameters."""
    params: dict[str, Any] = {
        "scenario": source.scenario,
        "seed": {
            "type": "InputText",
            "value": str(source.seed),
            "label": "Seed (press Enter, then Reset)",
        },
        "fixed": dict(source.fixed),
    }
    for control in controls_for(source.scenario):
        if control.path not in source.fixed:
            params[control.path] = control.as_mesa_param()
    return params


@solara.component
def SweepRunPicker(on_open: Callable[[SweepRun | None], None], current: SweepRun | None) -> None:
    """Open a stored sweep run by its folder and id (``negotiate sweep --out FOLDER``)."""
    folder, set_folder = solara.use_state(current.folder if current else "")
    run, set_run = solara.use_state(str(current.run) if current else "0")
    error, set_error = solara.use_state("")

    def open_run() -> None:
        try:
            on_open(open_sweep_run(folder, run))
            set_error("")
        except UserError as exc:
            set_error(exc.line())

    def close_run() -> None:
        on_open(None)
        set_error("")

    with solara.Card("Stored sweep run"):
        solara.InputText("Sweep folder", value=folder, on_value=set_folder, continuous_update=True)
        solara.InputText("Run id", value=run, on_value=set_run, continuous_update=True)
        with solara.Row():
            solara.Button("Open run", on_click=open_run)
            if current is not None:
                solara.Button("Back to the picker", on_click=close_run)
        if error:
            solara.Error(error)
        if current is not None:
            fixed = ", ".join(
                f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}"
                for k, v in current.fixed.items()
            )
            solara.Text(
                f"Run {current.run} ({current.status}), seed {current.seed}; "
                f"fixed: {fixed or 'nothing'}",
                style={"font-size": "0.85em"},
            )
