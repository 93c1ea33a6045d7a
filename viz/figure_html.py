"""Figures as HTML images with alt text, and how small their text is.

``solara.Image`` gives an image no alt text, so a screen reader says nothing of a figure. A
figure goes to the page instead as an ``<img>`` whose pixels are inline (a data URL: no request
leaves the page) and whose ``alt`` says what it shows. The image also carries the size of its
smallest text in its own pixels (``data-min-font-px``), so a browser can check that text at the
width the image is shown: a PNG scaled to its panel shows its text scaled by the same factor.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.text import Text

MIN_FONT_ATTRIBUTE = "data-min-font-px"


def shown_texts(artists: Iterable[Artist]) -> list[Text]:
    """The texts a reader sees among ``artists`` and inside them: visible and not empty."""
    return [
        t
        for artist in artists
        for t in artist.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip()
    ]


def smallest_font_px(fig: Figure, artists: Iterable[Artist] | None = None) -> float:
    """The size of the smallest shown text, in the pixels of the figure's image at its DPI.

    Args:
        fig: The figure.
        artists: Where to look (default: the whole figure).

    Returns:
        The size in pixels; infinite when no text is shown.
    """
    sizes = [t.get_fontsize() for t in shown_texts([fig] if artists is None else artists)]
    return min(sizes, default=math.inf) * fig.dpi / 72.0


def raise_fonts(artists: Iterable[Artist], points: float) -> None:
    """Raise the font of every text among ``artists`` (and inside them) to at least ``points``.

    Figure code shared with the saved figures sets its own small sizes; a panel on a projector
    needs larger ones, whatever the code that drew the text chose.
    """
    for artist in artists:
        for t in artist.findobj(Text):
            if isinstance(t, Text) and t.get_fontsize() < points:
                t.set_fontsize(points)


def png_html(image: bytes, alt: str, min_font_px: float | None = None) -> str:
    """PNG bytes as an ``<img>`` that fills its container's width, with alt text.

    Args:
        image: The PNG.
        alt: What the figure shows, for readers who cannot see it.
        min_font_px: The smallest text's size in the image's own pixels (see
            ``smallest_font_px``), kept on the image for the browser tests.
    """
    data = base64.b64encode(image).decode()
    size = "" if min_font_px is None else f' {MIN_FONT_ATTRIBUTE}="{min_font_px:.2f}"'
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"{size} '
        'style="width: 100%; height: auto; display: block">'
    )
