"""The app's ensemble panel: 1,000 runs of the settings on screen, in a fraction of a second.

The runs use seeds seed, seed+1, … (as ``negotiate run`` does), so run 0 of the ensemble is the
run being played, and the same settings always give the same answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from experiments.chunks import run_in_chunks
from experiments.numbers import SEED_LIMIT
from viz.app_errors import failure_line
from viz.app_panels import CAPTION, DPI, FIT, PANEL_WIDTH, Note, legible, png
from viz.ensemble_figures import deal_probability_text, draw_survival
from viz.figure_html import png_html, smallest_font_px
from viz.panel_alt import ensemble_alt, median_deal

if TYPE_CHECKING:
    from viz.app import AppModel

ENSEMBLE_RUNS = 1000
ENSEMBLE_CAPTION = (
    "The curve is the share of runs still without a deal on each day; where it falls steeply, "
    "most runs settle."
)


@dataclass(frozen=True)
class EnsembleResult:
    """One ensemble of the app's settings.

    Attributes:
        key: The settings it was run with (see ``settings_key``).
        table: One row per run.
        seconds: Wall time to run it and draw its figure.
        image: The survival curve as PNG bytes.
        min_font_px: Its smallest text, in the image's pixels.
    """

    key: tuple[object, ...]
    table: pd.DataFrame
    seconds: float
    image: bytes
    min_font_px: float


def settings_key(model: AppModel) -> tuple[object, ...]:
    """What an ensemble depends on: scenario, seed and overrides."""
    return (
        model.scenario_name,
        model.run_seed,
        tuple(sorted((k, repr(v)) for k, v in model.app_overrides.items())),
    )


def run_app_ensemble(model: AppModel, runs: int = ENSEMBLE_RUNS) -> EnsembleResult:
    """Run the model's settings ``runs`` times and draw the survival curve.

    Args:
        model: The app's model (its scenario, seed and overrides are used; it is not stepped).
        runs: Number of runs.

    Returns:
        The result, timed.
    """
    start = time.perf_counter()
    first = min(model.run_seed, SEED_LIMIT - runs)
    table = run_in_chunks(model.scenario, first, runs, overrides=model.app_overrides)
    fig = Figure(figsize=(PANEL_WIDTH, 3.4), dpi=DPI, layout="constrained")
    draw_survival(fig.subplots(), table, model.scenario)
    legible(fig)
    image = png(fig)  # drawn: the tick labels now exist to be measured
    return EnsembleResult(
        settings_key(model), table, time.perf_counter() - start, image, smallest_font_px(fig)
    )


@solara.component
def EnsemblePanel(model: AppModel) -> None:
    """A button that runs 1,000 runs of the current settings; deal probability and survival."""
    update_counter.get()
    result, set_result = solara.use_state(None)
    error, set_error = solara.use_state("")

    def run() -> None:
        # The panel's boundary: a failed ensemble is one line here, and the run goes on.
        try:
            done = run_app_ensemble(model)
        except Exception as exc:
            set_error(failure_line(exc, "The ensemble could not be run"))
            return
        set_result(done)
        set_error("")

    with solara.Column(style=FIT, classes=["panel-ensemble"]):
        solara.Text(
            f"Ensemble: {ENSEMBLE_RUNS:,} runs of these settings", style={"font-weight": "bold"}
        )
        solara.Button(
            f"Run {ENSEMBLE_RUNS:,} runs", on_click=run, color="primary", classes=["run-ensemble"]
        )
        if error:
            solara.Error(error)
        elif result is None:
            Note(
                f"Seeds {model.run_seed} to {model.run_seed + ENSEMBLE_RUNS - 1}: "
                "how often do these settings reach a deal, and when?"
            )
        elif result.key != settings_key(model):
            solara.Info("The settings have changed since the last ensemble: run it again.")
        else:
            share_text = deal_probability_text(result.table)
            when = median_deal(result.table, model)
            solara.Text(
                f"{share_text[:1].upper()}{share_text[1:]}{when}.",
                style={"font-weight": "bold"},
                classes=["ensemble-result"],
            )
            Note(f"Ran and drawn in {result.seconds:.2f} s.")
            solara.Text(ENSEMBLE_CAPTION, style=CAPTION, classes=["panel-caption"])
            alt = ensemble_alt(ENSEMBLE_RUNS, share_text, when)
            solara.HTML(tag="div", unsafe_innerHTML=png_html(result.image, alt, result.min_font_px))
