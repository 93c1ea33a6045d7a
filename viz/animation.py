"""A run as a film: the concession graph and the positions, day by day (GIF or MP4).

GIFs need only Pillow, which comes with matplotlib; MP4s need the ffmpeg program. The file is
written under a temporary name and renamed when complete, so a failed or interrupted run never
leaves half a film behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import math
import os
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib import animation
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec

from model.errors import ArgumentError
from viz.graph import FULL_WIDTH_AT, frame_graph, graph_artists, graph_key
from viz.history import RunHistory
from viz.live_figure import LiveFigure
from viz.timelines import (
    calendar_markers,
    daily_table,
    draw_markers,
    frame_issue,
    party_handles,
    position_lines,
)

WRITERS = {".gif": "pillow", ".mp4": "ffmpeg"}
HOLD_SECONDS = 2  # the last frame stays up this long, so the ending can be read


def check_animation_path(path: Path) -> None:
    """Check, before any work is done, that a film can be written to ``path``.

    Raises:
        ArgumentError: For a suffix other than .gif or .mp4, an MP4 without ffmpeg, or a
            folder that is not there.
    """
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise ArgumentError("--animate", "", f"{path} must end in .gif or .mp4")
    if suffix == ".mp4" and not animation.writers.is_available("ffmpeg"):
        raise ArgumentError(
            "--animate", "", f"{path}: MP4 needs ffmpeg, which is not installed; write a .gif"
        )
    if not path.parent.is_dir():
        raise ArgumentError("--animate", "", f"{path}: the folder {path.parent} does not exist")


def frame_days(history: RunHistory, every: int = 1) -> list[int]:
    """The days shown, one per frame: every ``every``-th day and always the last."""
    days = list(range(0, history.last_day + 1, max(every, 1)))
    if days[-1] != history.last_day:
        days.append(history.last_day)
    return days


def caption(history: RunHistory, day: int) -> str:
    """The date and what happened that day, in at most two short lines."""
    date = history.model.scenario.calendar.start + dt.timedelta(days=day)
    head = f"{date:%a %d %b %Y} (day {day})"
    stamp = date.isoformat()
    lines = [ln.removeprefix(stamp).strip() for ln in history.narrative.get(day, [])]
    lines = [ln for ln in lines if ln]
    if not lines:
        return head
    ending = [ln for ln in lines if ln.startswith(("DEAL", "BREAKDOWN"))]
    text = textwrap.shorten(" · ".join(ending or lines[:2]), 150)
    return f"{head}: {text}"


def animate_run(
    history: RunHistory, path: Path, fps: int = 6, every: int = 1, dpi: int = 72
) -> int:
    """Write a film of a recorded run: the concession graph and every position, day by day.

    Args:
        history: A recorded run (``viz.history.record_run``).
        path: A .gif or .mp4 file.
        fps: Frames (days) per second.
        every: Show every ``every``-th day (the last day is always shown).
        dpi: Resolution of the frames.

    Returns:
        The number of frames written.

    Raises:
        ArgumentError: When the file cannot be written (see ``check_animation_path``).
    """
    check_animation_path(path)
    model = history.model
    sc = model.scenario
    data = daily_table(model)
    days = frame_days(history, every)
    final = history.graph_on(history.last_day)
    scale = max([FULL_WIDTH_AT * 0.2, *[d["weight"] for _, _, d in final.edges(data=True)]])

    n = len(sc.issues)
    cols = 2 if n > 3 else 1
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(13.0, 7.0), dpi=dpi)
    grid = GridSpec(
        rows,
        1 + cols,
        figure=fig,
        width_ratios=[1.5] + [1.0] * cols,
        left=0.02,
        right=0.98,
        top=0.9,
        bottom=0.12,
        wspace=0.25,
        hspace=0.7,
    )
    graph_ax = fig.add_subplot(grid[:, 0])
    frame_graph(graph_ax, sc)
    markers = calendar_markers(model, outcome=False)  # the film should not give the end away
    issue_axes = []
    for k, issue in enumerate(sc.issue_keys):
        ax = fig.add_subplot(grid[k // cols, 1 + k % cols])
        draw_markers(ax, markers, numbers=False)
        frame_issue(ax, model, issue)
        ax.title.set_fontsize(7)
        issue_axes.append((ax, issue))
    fig.legend(
        handles=[*party_handles(model), *graph_key(sc)],
        loc="lower center",
        ncol=len(sc.party_keys) + len(sc.sides),
        fontsize=8,
        frameon=False,
    )
    shown = {"day": 0, "heading": f"{sc.title} — seed {model.state.seeds[0]}"}

    def moving() -> list[Artist]:
        day = shown["day"]
        out: list[Artist] = [
            line
            for ax, issue in issue_axes
            for line in position_lines(ax, model, issue, data, upto=day)
        ]
        out += graph_artists(graph_ax, history.graph_on(day), sc, scale=scale)
        out.append(fig.text(0.5, 0.955, str(shown["heading"]), ha="center", fontsize=11))
        out.append(
            fig.text(0.5, 0.055, caption(history, day), ha="center", fontsize=8, color="#333333")
        )
        return out

    live = LiveFigure(fig, moving)

    def frames() -> Iterator[npt.NDArray[np.uint8]]:
        for day in days:
            shown["day"] = day
            yield live.rgba()
        o = model.outcome
        if o is not None:
            shown["heading"] = f"{shown['heading']}: {o.status.upper()} on {o.date:%d %b %Y}"
            last = live.rgba()
            for _ in range(HOLD_SECONDS * fps):
                yield last

    return _write_frames(frames(), path, fps, dpi)


def _write_frames(frames: Iterator[npt.NDArray[np.uint8]], path: Path, fps: int, dpi: int) -> int:
    """Encode RGBA frames, one at a time, with matplotlib's writer for the suffix, atomically.

    Returns:
        The number of frames written.
    """
    first = next(frames)
    height, width = first.shape[:2]
    # A figure exactly one frame in size, holding one image: the writers redraw it cheaply.
    film = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    image = film.figimage(first, resize=False)
    writer = animation.writers[WRITERS[path.suffix.lower()]](fps=fps)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    count = 0
    try:
        with writer.saving(film, str(tmp), dpi):
            for frame in itertools.chain([first], frames):
                image.set_data(frame)
                writer.grab_frame()
                count += 1
        os.chmod(tmp, 0o644)  # mkstemp makes files private; films are for sharing
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return count
