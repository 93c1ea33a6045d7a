"""``negotiate analyze`` on paper: a sweep's figures, and the report that shows them.

The numbers and the report's text come from ``experiments.analysis``; this module draws the
figures into the report's folder and has the report link them.
"""

from __future__ import annotations

from pathlib import Path

from experiments.analysis import (
    OUTPUTS,
    Analysis,
    report_folder,
    single_parameter,
    write_report,
)
from experiments.design import PARAM_PREFIX
from experiments.runner import ERROR
from viz.ensemble_figures import (
    deal_probability_figure,
    survival_figure,
    term_distributions_figure,
)
from viz.files import save_png
from viz.sensitivity import sensitivity_figure


def write_sweep_figures(result: Analysis) -> list[tuple[str, str]]:
    """Draw the sweep's figures into its report folder.

    Args:
        result: The analysis.

    Returns:
        (title, file name) of each figure written, in the order the report shows them: days
        to a deal, the deals' terms, the deal probability against the parameter (when one
        numeric parameter varies), and the sensitivity of each output (Sobol and Morris).
    """
    st = result.stored
    folder = report_folder(result)
    ok = result.runs[result.runs["status"] != ERROR]
    figures = [
        ("Days to a deal", save_png(survival_figure(ok, st.scenario), folder / "survival.png")),
        (
            "Terms of the deals",
            save_png(term_distributions_figure(ok, st.scenario), folder / "terms.png"),
        ),
    ]
    column = single_parameter(result)
    if column is not None:
        curve = result.points.rename(columns={column: "value"}).sort_values("value")
        fig = deal_probability_figure(curve, column[len(PARAM_PREFIX) :])
        figures.append(
            (
                "Deal probability against the parameter",
                save_png(fig, folder / "deal_probability.png"),
            )
        )
    for key, table in result.sensitivity.items():
        fig = sensitivity_figure(table, OUTPUTS[key])
        figures.append(
            (f"Sensitivity of the {OUTPUTS[key]}", save_png(fig, folder / f"sensitivity_{key}.png"))
        )
    return figures


def write_sweep_report(result: Analysis, max_rows: int = 40) -> Path:
    """Write the figures, ``points.csv`` and ``report.md`` into the sweep's ``analysis/``.

    Args:
        result: The analysis.
        max_rows: Design points listed in the report (all are in ``points.csv``).

    Returns:
        The report's path.
    """
    return write_report(result, write_sweep_figures(result), max_rows)
