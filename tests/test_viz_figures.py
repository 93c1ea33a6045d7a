"""The figures: what they draw, that they draw the model's own numbers, and that they save."""

from __future__ import annotations

import dataclasses
import io
import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from experiments.summary import survival
from model import NegotiationModel, run_ensemble
from model.bargaining import solutions_of
from model.errors import ArgumentError
from viz import animation as anim
from viz.ensemble_figures import (
    deal_probability_curve,
    deal_probability_figure,
    survival_figure,
    term_distributions_figure,
)
from viz.graph import chosen_days, concession_graph_days
from viz.history import RunHistory, record_run
from viz.style import graph_layout
from viz.timelines import calendar_markers, positions_figure, utilities_figure
from viz.utility_plane import side_frontier, side_shares, utility_plane_figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def june() -> RunHistory:
    return record_run("june2025", 0)


@pytest.fixture(scope="module")
def ensemble() -> pd.DataFrame:
    return run_ensemble("june2025", np.arange(300, dtype=np.uint64))


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    return buf.getvalue()


# --- the recorded run ----------------------------------------------------------------------


def test_replay_is_the_same_run(june: RunHistory) -> None:
    alone = NegotiationModel("june2025", rng=0)
    while alone.running:
        alone.step()
    assert june.model.outcome == alone.outcome
    assert june.model.log == alone.log


def test_graph_history_only_grows(june: RunHistory) -> None:
    days = sorted(june.graphs)
    assert days[-1] == june.last_day
    assert set(june.round_days) <= set(days)
    for a, b in itertools.pairwise(days):
        ga, gb = june.graph_on(a), june.graph_on(b)
        for u, v, d in ga.edges(data=True):
            assert gb.has_edge(u, v)
            assert gb[u][v]["weight"] >= d["weight"] - 1e-12
            assert gb[u][v]["count"] >= d["count"]
    final = june.graph_on(june.last_day)
    assert nx.utils.graphs_equal(final, june.model.concession_graph)
    assert june.graph_on(-1).number_of_edges() == 0


# --- the concession graph ------------------------------------------------------------------


def test_layout_depends_on_the_scenario_only(june: RunHistory) -> None:
    layout = graph_layout(june.model.scenario)
    assert layout == graph_layout(NegotiationModel("june2025", rng=5).scenario)
    xs = {k: round(p[0], 6) for k, p in layout.items()}
    # Two sides: one on the left, the other on the right.
    assert max(xs[k] for k in ("bessent", "lutnick", "greer")) < 0 < xs["akazawa"]


def test_graph_small_multiples_keep_nodes_in_place(june: RunHistory) -> None:
    days = chosen_days(june)
    assert days[-1] == june.last_day and len(days) == 6
    fig = concession_graph_days(june)
    panels = [ax for ax in fig.axes if ax.collections]
    assert len(panels) == len(days)
    offsets = [ax.collections[0].get_offsets().data.tolist() for ax in panels]
    assert all(o == offsets[0] for o in offsets)  # every day, the same node positions
    assert png_bytes(fig).startswith(PNG_MAGIC)


def test_graph_edges_widen_with_concession(june: RunHistory) -> None:
    fig = concession_graph_days(june, days=[june.round_days[0], june.last_day])
    first, last = (ax for ax in fig.axes if ax.collections)

    def widest(ax) -> float:  # type: ignore[no-untyped-def]
        return max(p.get_linewidth() for p in ax.patches)

    assert widest(last) > widest(first)


# --- timelines -----------------------------------------------------------------------------


def test_positions_figure_has_a_panel_per_issue_and_marks_the_calendar(
    june: RunHistory,
) -> None:
    model = june.model
    fig = positions_figure(model)
    issues = model.scenario.issue_keys
    drawn = [ax for ax in fig.axes if ax.lines and ax.get_title()]
    assert len(drawn) == len(issues)
    deadline = model.compiled.deadline_day
    last = int(model.state.deadline[0])  # later than the deadline once the run was extended
    for ax in drawn:
        xs = [line.get_xdata()[0] for line in ax.lines if len(line.get_xdata()) == 2]
        assert deadline in xs and last in xs  # the deadline(s) are marked on every panel
        assert len(ax.lines) >= len(model.scenario.party_keys)
    labels = [m.label for m in calendar_markers(model)]
    extended = bool(model.state.extended[0])
    assert (last > deadline) == extended
    expected = ["original deadline", "extended deadline"] if extended else ["deadline"]
    assert [label for label in labels if label.endswith("deadline")] == expected
    assert any(label.startswith("election") for label in labels)
    assert model.outcome is not None
    assert any(label.startswith(f"{model.outcome.status} (") for label in labels)  # the end
    assert sum(m.number is not None for m in calendar_markers(model)) == len(model.scenario.events)
    assert png_bytes(fig).startswith(PNG_MAGIC)


def test_positions_lines_are_the_daily_records(june: RunHistory) -> None:
    model = june.model
    fig = positions_figure(model)
    data = model.datacollector.get_model_vars_dataframe()
    ax = next(ax for ax in fig.axes if ax.lines and ax.get_title())
    party_lines = [line for line in ax.lines if line.get_label() == "Bessent"]
    assert len(party_lines) == 1
    issue = model.scenario.issue_keys[0]
    np.testing.assert_allclose(party_lines[0].get_ydata(), data[f"bessent.{issue}"])


def test_utilities_figure_draws_reservations(june: RunHistory) -> None:
    model = june.model
    fig = utilities_figure(model)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == len(model.scenario.party_keys)
    for p, ax in enumerate(panels):
        flat = {round(float(line.get_ydata()[0]), 12) for line in ax.lines}
        assert round(float(model.state.reservation[0, p]), 12) in flat
    assert png_bytes(fig).startswith(PNG_MAGIC)


# --- the utility plane ---------------------------------------------------------------------


def test_plane_points_come_from_bargaining(june: RunHistory) -> None:
    model = june.model
    fig = utility_plane_figure(model)
    ax = fig.axes[0]
    # The run's own reservations, as its outcome table reports them, not the scenario's means.
    reservations = np.array([[model.outcome.reservations[k] for k in model.scenario.party_keys]])
    sol = solutions_of(dataclasses.replace(model.compiled, reservation=reservations))
    shares = side_shares(model)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    by_label = {line.get_label(): line for line in ax.lines}
    no_deal = next(line for line in ax.lines if line.get_marker() == "X")
    np.testing.assert_allclose(
        [no_deal.get_xdata()[0], no_deal.get_ydata()[0]], shares @ reservations[0]
    )
    # The scenario's means would put it elsewhere: the check can tell the two apart.
    assert np.abs(shares @ (reservations[0] - model.compiled.reservation[0])).max() > 0.01
    nash = by_label["Nash solution"]
    np.testing.assert_allclose(
        [nash.get_xdata()[0], nash.get_ydata()[0]], shares @ sol.nash.utility
    )
    ks = by_label["Kalai–Smorodinsky"]
    np.testing.assert_allclose(
        [ks.get_xdata()[0], ks.get_ydata()[0]], shares @ sol.kalai_smorodinsky.utility
    )
    # Nothing the parties can reach lies beyond the frontier of the sides.
    frontier = side_frontier(model, sol)
    assert np.all(np.diff(frontier[:, 0]) > 0) and np.all(np.diff(frontier[:, 1]) < 0)
    assert png_bytes(fig).startswith(PNG_MAGIC)


def test_plane_of_two_parties_is_the_bargaining_frontier() -> None:
    model = record_run("bilateral_pie", 0).model
    sol = solutions_of(model.compiled)
    ours = side_frontier(model, sol)
    theirs = sol.frontier[np.argsort(sol.frontier[:, 0])]
    # The pie's frontier is a segment: both trace it from end to end.
    np.testing.assert_allclose(ours[[0, -1]], theirs[[0, -1]], atol=1e-12)
    assert utility_plane_figure(model).axes


def test_plane_needs_two_sides() -> None:
    model = record_run("nparty_pie", 0).model
    with pytest.raises(ValueError, match="two sides"):
        utility_plane_figure(model)


# --- ensembles -----------------------------------------------------------------------------


def test_survival_curve(ensemble: pd.DataFrame) -> None:
    values = survival(ensemble, 105)
    assert len(values) == 106
    assert np.all(np.diff(values) <= 0)
    deals = ensemble["status"] == "deal"
    assert values[-1] == pytest.approx(1.0 - deals.mean())
    day = int(ensemble.loc[deals, "day"].median())
    assert values[day] == pytest.approx(1.0 - (ensemble.loc[deals, "day"] <= day).sum() / 300)
    fig = survival_figure(ensemble, "june2025")
    assert "of 300 runs" in fig.axes[0].get_title()
    assert png_bytes(fig).startswith(PNG_MAGIC)


def test_term_distributions(ensemble: pd.DataFrame) -> None:
    fig = term_distributions_figure(ensemble, "june2025")
    panels = [ax for ax in fig.axes if ax.patches]
    assert len(panels) == 7
    deals = int((ensemble["status"] == "deal").sum())
    assert sum(p.get_height() for p in panels[0].patches) == deals
    assert png_bytes(fig).startswith(PNG_MAGIC)


def test_deal_probability_curve_is_one_batch_of_separate_ensembles() -> None:
    path = "calendar.extension.probability"
    curve = deal_probability_curve("june2025", path, [0.0, 1.0], runs=60, seed=3)
    for value, row in zip([0.0, 1.0], curve.itertuples(), strict=True):
        alone = run_ensemble("june2025", np.arange(3, 63, dtype=np.uint64), {path: value})
        assert row.deals == int((alone["status"] == "deal").sum())
        assert row.low <= row.probability <= row.high
    fig = deal_probability_figure(curve, "extension probability")
    assert png_bytes(fig).startswith(PNG_MAGIC)


# --- animation -----------------------------------------------------------------------------


def test_animation_writes_a_gif_frame_per_day(tmp_path: Path) -> None:
    history = record_run("concave_pie", 0)
    path = tmp_path / "run.gif"
    frames = anim.animate_run(history, path, fps=5, every=4)
    days = anim.frame_days(history, every=4)
    assert days[0] == 0 and days[-1] == history.last_day
    assert frames == len(days) + anim.HOLD_SECONDS * 5
    with Image.open(path) as im:
        assert im.format == "GIF"
        assert im.size == (936, 504)
        assert im.n_frames >= len(days) // 2  # Pillow merges identical frames
    assert [p.name for p in tmp_path.iterdir()] == ["run.gif"]  # no temporary left behind


@pytest.mark.parametrize(
    ("name", "problem"),
    [("film.avi", "must end in .gif or .mp4"), ("missing/film.gif", "does not exist")],
)
def test_animation_path_errors(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(ArgumentError, match=problem) as err:
        anim.check_animation_path(tmp_path / name)
    assert "\n" not in err.value.line()


def test_mp4_without_ffmpeg_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anim.animation.writers, "is_available", lambda name: False)
    with pytest.raises(ArgumentError, match="MP4 needs ffmpeg"):
        anim.check_animation_path(tmp_path / "film.mp4")
