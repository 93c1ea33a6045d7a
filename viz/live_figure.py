"""A figure whose still parts are drawn once, so each new day repaints only what moved.

Axes, ticks, titles and calendar lines take most of matplotlib's drawing time and do not change
from one day to the next. ``LiveFigure`` draws them once, keeps the pixels, and on each update
paints the artists a callback creates (the lines so far, the graph of the day) over a copy. The
app's panels and the animation use it; a panel redraws in a few hundredths of a second instead
of half a second.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image


class LiveFigure:
    """A figure with a cached background and artists redrawn on every update.

    The still parts must fix every axes' limits before the figure is built: the background is
    drawn once, so autoscaling to later data would no longer match it.
    """

    def __init__(self, fig: Figure, moving: Callable[[], Iterable[Artist]]) -> None:
        """Draw the still parts of ``fig`` and keep them.

        Args:
            fig: The figure with its still parts drawn in.
            moving: Called on every update; adds the moving artists to the figure and returns
                them. The previous update's artists are removed first.
        """
        self.fig = fig
        self._moving = moving
        self._drawn: list[Artist] = []
        for ax in fig.axes:
            ax.set_autoscale_on(False)
        self.canvas = FigureCanvasAgg(fig)
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(fig.bbox)

    def rgba(self) -> npt.NDArray[np.uint8]:
        """Redraw the moving artists and return the frame as an (H, W, 4) array."""
        for artist in self._drawn:
            artist.remove()
        self._drawn = list(self._moving())
        self.canvas.restore_region(self._background)
        for artist in sorted(self._drawn, key=lambda a: a.get_zorder()):
            self.fig.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba()).copy()

    def png(self) -> bytes:
        """Redraw the moving artists and return the frame as PNG bytes."""
        frame = self.rgba()
        buf = io.BytesIO()
        # Low compression: these images live for one day of one session.
        Image.fromarray(frame).save(buf, format="PNG", compress_level=1)
        return buf.getvalue()
