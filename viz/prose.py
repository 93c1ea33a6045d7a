"""Markdown text on the app's pages, rendered on the server.

Solara's own ``Markdown`` component fetches a maths renderer (KaTeX) from a CDN in the
browser, which a classroom offline cannot reach and which the app promises never to call; the
app's prose has no maths, so it is turned into HTML here, with Python-Markdown.
"""

from __future__ import annotations

import markdown
import solara

STYLE = "font-size: 15px; line-height: 1.45;"
TABLE_CSS = (
    "<style>.prose table{border-collapse:collapse;margin:4px 0 8px}"
    ".prose th,.prose td{border-bottom:1px solid #ddd;padding:2px 10px;font-size:14px}</style>"
)


def markdown_html(text: str) -> str:
    """Markdown (with tables) as HTML."""
    return str(markdown.markdown(text, extensions=["tables"]))


@solara.component
def Prose(text: str, classes: list[str] | None = None) -> None:
    """Markdown text, rendered to HTML on the server."""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=TABLE_CSS + markdown_html(text),
        style=STYLE,
        classes=["prose", *(classes or [])],
    )
