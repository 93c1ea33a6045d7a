"""A run source for the app: one stored run of a sweep, opened by its folder and run id.

The run's scenario is the one stored with the sweep, its seed goes in the seed box, and the
parameters the sweep gave it are held fixed (their sliders are left out), so that pressing
Step replays exactly the stored run; the remaining sliders still work from there.

The folder is typed relative to the folder the server was given (``negotiate app --sweeps``)
and must stay under it: the page may be open to a whole class, and no one should read the
server's other folders through it. Whatever the folder holds, opening it either works or says
in one line what is wrong (``viz.app_errors``); the session goes on.
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
from model.errors import StoreError
from model.negotiation import NegotiationModel
from model.schema import Scenario
from viz.app_controls import controls_for
from viz.app_errors import failure_line, shown
from viz.server import sweeps_root


@dataclass(frozen=True)
class SweepRun:
    """A stored run: where it is, its scenario, seed and fixed parameters, and its row."""

    folder: str
    run: int
    scenario: Scenario
    seed: int
    fixed: dict[str, Any]
    status: str


def sweep_folder(typed: str, root: Path) -> Path:
    """The folder a user typed, resolved, when it lies under ``root``.

    Args:
        typed: The folder as typed: relative to ``root``, or absolute.
        root: The folder sweeps open from.

    Returns:
        The folder, with ``..`` and symbolic links resolved.

    Raises:
        StoreError: When nothing is typed, or the folder is not under ``root``.
    """
    text = typed.strip()
    if not text:
        raise StoreError("(none given)", "", "type the folder of a sweep (its --out)")
    base = root.resolve()
    try:
        folder = (base / text).resolve()
    except (OSError, RuntimeError, ValueError):  # a NUL byte, a loop of symbolic links
        raise StoreError(shown(text), "", "not a usable folder name") from None
    if not folder.is_relative_to(base):
        raise StoreError(
            shown(text),
            "",
            "outside the folder this app opens sweeps from (negotiate app --sweeps); "
            "type a folder under it",
        )
    return folder


def open_sweep_run(folder: str, run: int | str, root: Path | None = None) -> SweepRun:
    """Read a stored run, and check that the app can replay it.

    Args:
        folder: The sweep's folder, as typed (see ``sweep_folder``).
        run: The run id, as a number or as typed.
        root: The folder sweeps open from (default: the server's, ``sweeps_root``).

    Raises:
        ArgumentError: When the run id is not a whole number.
        StoreError: When the folder is outside ``root``, no sweep, or cannot be read, or the
            run is not stored. Its line names the folder as typed, never as the server has it.
    """
    run_id = parse_int(run, "run id")
    text = str(folder).strip()
    path = sweep_folder(text, sweeps_root() if root is None else root)
    try:
        stored = open_store(path)
        row = stored.row(run_id)
    except StoreError as exc:
        problem = exc.problem.replace(str(path), shown(text))
        raise StoreError(shown(text), exc.field, problem) from exc
    except OSError as exc:  # a name too long, a folder it may not read
        why = exc.strerror or "the system refused"
        raise StoreError(shown(text), "", f"cannot be read ({why})") from exc
    source = SweepRun(
        folder=text,
        run=run_id,
        scenario=stored.scenario,
        seed=int(row["seed"]),
        fixed=run_overrides(row),
        status=str(row["status"]),
    )
    # Build it once here, so that a run the app cannot replay fails on "Open run", in the
    # card, rather than when the page draws it.
    NegotiationModel(source.scenario, rng=source.seed, overrides=source.fixed or None).release()
    sweep_run_params(source)
    return source


def sweep_run_params(source: SweepRun) -> dict[str, Any]:
    """The Watch page's inputs for a stored run: its scenario, seed and fixed parameters."""
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
        # The card's boundary: whatever the folder holds, one line here and the page goes on.
        try:
            source = open_sweep_run(folder, run)
        except Exception as exc:
            set_error(
                failure_line(exc, f"results folder {shown(folder)}: cannot be read as a sweep")
            )
            return
        on_open(source)
        set_error("")

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
