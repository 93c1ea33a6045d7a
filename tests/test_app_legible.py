"""The Watch page's figures on a projector: text size, alt text, captions, keys, the plane.

Rendered on the server; ``test_app_legible_browser.py`` measures the same images in Chromium
(and checks the ensemble panel's caption, which needs its 1,000 runs).
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import solara
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from PIL import Image
from test_app import session, texts  # noqa: F401  (session is a fixture)

from model.bargaining import solutions_of
from viz.app import AppModel
from viz.app_ensemble import run_app_ensemble
from viz.app_panels import (
    FONT_PT,
    GRAPH_CAPTION,
    PLANE_CAPTION,
    POSITIONS_CAPTION,
    UTILITIES_CAPTION,
    GraphPanel,
    Panel,
    PlanePanel,
    PositionsPanel,
    UtilitiesPanel,
    live_graph,
    live_plane,
    live_positions,
    live_utilities,
)
from viz.figure_html import smallest_font_px
from viz.graph import MAX_WIDTH
from viz.style import short_name
from viz.utility_plane import side_shares

PANEL_PX = 440  # a panel's width in a 1366 px window, as the browser test measures it
MIN_PX = 12.0
DAYS = 12


@dataclasses.dataclass(frozen=True)
class Shown:
    """An ``<img>`` as the page gets it."""

    png: bytes
    alt: str
    min_font_px: float

    @property
    def width(self) -> int:
        return Image.open(io.BytesIO(self.png)).width


def shown(markup: str) -> Shown:
    found = re.search(
        r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)" data-min-font-px="([0-9.]+)"',
        markup,
    )
    assert found, markup[:200]
    data, alt, font = found.groups()
    return Shown(base64.b64decode(data), html.unescape(alt), float(font))


@pytest.fixture(scope="module")
def model() -> AppModel:
    m = AppModel("june2025")
    for _ in range(DAYS):
        m.step()
    return m


def plane(model: AppModel) -> Panel:
    built = live_plane(model)
    assert built is not None
    return built


BUILDS: list[Callable[[AppModel], Panel | None]] = [
    live_graph,
    live_positions,
    live_utilities,
    live_plane,
]


@pytest.mark.parametrize("build", BUILDS, ids=lambda b: b.__name__)
def test_panel_text_is_12_px_in_a_1366_px_window(model: AppModel, build: Any) -> None:
    image = shown(build(model).html())
    assert image.min_font_px * PANEL_PX / image.width >= MIN_PX


def test_ensemble_text_is_12_px_in_a_1366_px_window(model: AppModel) -> None:
    result = run_app_ensemble(model, runs=50)
    width = Image.open(io.BytesIO(result.image)).width
    assert result.min_font_px * PANEL_PX / width >= MIN_PX


def test_the_old_panels_would_fail_the_size_check() -> None:
    # The check can fail: the panels used to be 5.6 in wide with 7 pt text.
    fig = Figure(figsize=(5.6, 3.6), dpi=80)
    fig.subplots().set_title("old", fontsize=7)
    fig.canvas.draw()  # a figure's image is 448 px wide at 80 DPI
    assert smallest_font_px(fig) * PANEL_PX / 448 < MIN_PX


def test_the_smallest_font_is_measured_not_assumed() -> None:
    fig = Figure(figsize=(4.6, 2.0))
    ax = fig.subplots()
    ax.set_axis_off()
    ax.text(0.5, 0.5, "only text", fontsize=17)
    panel = Panel(fig, lambda: [], lambda: "a text")
    assert shown(panel.html()).min_font_px == pytest.approx(17 * fig.dpi / 72, abs=0.01)
    assert 17 > FONT_PT  # the floor raised nothing: 17 pt was read from the figure
    # Text the day adds counts too.
    fig2 = Figure(figsize=(4.6, 2.0))
    ax2 = fig2.subplots()
    ax2.set_axis_off()
    ax2.text(0.5, 0.8, "still", fontsize=30)
    panel2 = Panel(fig2, lambda: [ax2.text(0.5, 0.2, "today", fontsize=20)], lambda: "")
    assert shown(panel2.html()).min_font_px == pytest.approx(20 * fig2.dpi / 72, abs=0.01)


def test_alt_texts_say_the_day_and_its_numbers(model: AppModel) -> None:
    day = f"on {model.date.day} {model.date:%B %Y} (day {model.day})"
    graph = shown(live_graph(model).html()).alt
    assert graph.startswith(f"Concession graph {day}:")
    u, v, w = max(model.concession_graph.edges(data="weight"), key=lambda e: e[2])
    sc = model.scenario
    assert f"from {short_name(sc, u)} to {short_name(sc, v)} ({w:.2f})" in graph
    utilities = shown(live_utilities(model).html()).alt
    for key in model.scenario.party_keys:
        assert f"reservation {model.negotiators[key].reservation[0]:.2f}" in utilities
    positions = shown(live_positions(model).html()).alt
    assert day in positions and all(i.label in positions for i in model.scenario.issues)
    plane_alt = shown(plane(model).html()).alt
    x, y = side_shares(model) @ model.state.reservation[0]
    assert f"United States {x:.2f}, Japan {y:.2f}" in plane_alt


@pytest.mark.parametrize(
    ("component", "caption"),
    [
        (GraphPanel, GRAPH_CAPTION),
        (PositionsPanel, POSITIONS_CAPTION),
        (UtilitiesPanel, UTILITIES_CAPTION),
        (PlanePanel, PLANE_CAPTION),
    ],
)
def test_every_figure_panel_has_its_caption(
    session: Any,  # noqa: F811
    model: AppModel,
    component: Any,
    caption: str,
) -> None:
    _, rc = solara.render(component(model), handle_error=False)
    assert caption in texts(rc)


def test_graph_key_says_what_a_width_means(model: AppModel) -> None:
    scale = 0.5
    panel = live_graph(model, scale)
    panel.html()
    (key,) = [g for g in panel.live.fig.legends if g.get_title().get_text()]
    assert "utility given up" in key.get_title().get_text()
    widths = {
        float(t.get_text()): h.get_linewidth()
        for t, h in zip(key.texts, key.legend_handles, strict=True)
    }
    assert widths == pytest.approx(
        {0.1: 0.6 + MAX_WIDTH * 0.2, 0.25: 0.6 + MAX_WIDTH * 0.5, 0.5: 0.6 + MAX_WIDTH}
    )
    # The arrows are drawn on the same scale as the key.
    arrows = [a for a in panel.live.fig.axes[0].patches if isinstance(a, FancyArrowPatch)]
    weights = sorted(w for _, _, w in model.concession_graph.edges(data="weight"))
    drawn = sorted(a.get_linewidth() for a in arrows)
    assert drawn == pytest.approx([0.6 + MAX_WIDTH * w / scale for w in weights])


def test_app_plane_puts_no_deal_at_the_runs_reservations_today() -> None:
    m = AppModel("june2025")
    panel = plane(m)
    shares = side_shares(m)
    for days in (3, 40):
        for _ in range(days):
            m.step()
        panel.html()
        ax = panel.live.fig.axes[0]
        cross = next(line for line in ax.lines if line.get_marker() == "X")
        here = np.array([cross.get_xdata()[0], cross.get_ydata()[0]])
        np.testing.assert_allclose(here, shares @ m.state.reservation[0])
        # Not the scenario's means, which the plane used to show.
        assert np.abs(here - shares @ m.compiled.reservation[0]).max() > 0.01
        exact = solutions_of(
            dataclasses.replace(m.compiled, reservation=m.state.reservation[:1].copy())
        )
        star = next(line for line in ax.lines if line.get_marker() == "*")
        nash = np.array([star.get_xdata()[0], star.get_ydata()[0]])
        # Solved for reservations within 0.005 of today's: the same point to the eye.
        np.testing.assert_allclose(nash, shares @ exact.nash.utility, atol=0.01)
