"""Shared helpers of the browser tests: the app's server for a fixture, and pages in Chromium.

The server is ``viz.serving.served_app`` (the screenshot script of ``docs/teaching`` starts it
the same way); the fixtures ``browser`` and ``app_url`` are in ``conftest.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from viz.serving import AppServerError, served_app

ARTIFACTS = Path(__file__).resolve().parent.parent / "out" / "browser"  # out/ is git-ignored
START_TIMEOUT = 90.0  # s
UI_TIMEOUT = 30_000  # ms
WATCH_VIEWPORT = {"width": 1500, "height": 1100}
# Were a front-end file missing from solara-assets, the server would fetch it from the CDN:
# point that at a closed local port, so that a test fails even online.
NO_CDN = {"SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"}


@contextmanager
def app_or_fail(args: Sequence[str], cwd: Path, log: Path) -> Iterator[str]:
    """The URL of ``negotiate app ARGS`` on a free loopback port, run in ``cwd``, with no CDN.

    A server that exits or does not answer fails the test, with its log.
    """
    try:
        with served_app(args, cwd, log, START_TIMEOUT, env=NO_CDN) as app:
            yield app.url
    except AppServerError as exc:
        pytest.fail(f"{exc}\n{exc.log}")


class Watch:
    """Console errors, page errors and every request of one page."""

    def __init__(self, page: object) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)  # type: ignore[attr-defined]
        page.on("pageerror", self._page_error)  # type: ignore[attr-defined]
        page.on("request", self._request)  # type: ignore[attr-defined]
        page.on("response", self._response)  # type: ignore[attr-defined]

    def _console(self, message: object) -> None:
        if message.type == "error":  # type: ignore[attr-defined]
            self.errors.append(message.text)  # type: ignore[attr-defined]

    def _page_error(self, error: object) -> None:
        self.errors.append(str(error))

    def _request(self, request: object) -> None:
        self.requests.append(request.url)  # type: ignore[attr-defined]

    def _response(self, response: object) -> None:
        # A front-end file missing from solara-assets would be a failed (proxied) request.
        if response.status >= 400:  # type: ignore[attr-defined]
            self.errors.append(f"{response.status} {response.url}")  # type: ignore[attr-defined]

    def foreign(self, url: str) -> list[str]:
        """The requests that went beyond the app at ``url`` (its own data: and blob: aside)."""
        return [u for u in self.requests if not u.startswith((url, "data:", "blob:"))]


def clean(watch: Watch, url: str) -> None:
    """No console or page error, and no request beyond the app at ``url``."""
    assert watch.errors == [], watch.errors
    foreign = watch.foreign(url)
    assert foreign == [], f"the page asked beyond the app: {foreign}"


def new_page(browser: object, viewport: dict[str, int]) -> tuple[Any, Any, Watch]:
    """A fresh context and page at ``viewport``, with a ``Watch`` on the page (Playwright's)."""
    context = browser.new_context(viewport=viewport)  # type: ignore[attr-defined]
    page = context.new_page()
    return context, page, Watch(page)


def open_app(
    browser: object, url: str, viewport: dict[str, int] = WATCH_VIEWPORT
) -> tuple[Any, Any, Watch]:
    """The Watch page at ``url`` in a fresh context, once it shows the run before its first day."""
    context, page, watch = new_page(browser, viewport)
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for(timeout=UI_TIMEOUT)
    graph_title(page, "before the first day")
    return context, page, watch


def graph_title(page: object, contains: str) -> None:
    """Wait until the concession graph's title contains ``contains``."""
    page.locator(".panel-graph").get_by_text(  # type: ignore[attr-defined]
        re.compile("Concession graph.*" + re.escape(contains))
    ).wait_for(timeout=UI_TIMEOUT)


def step(page: object, times: int, first_day: int) -> None:
    """Press Step ``times`` times, waiting each time for the day it plays."""
    for k in range(times):
        page.get_by_role("button", name="Step").click()  # type: ignore[attr-defined]
        graph_title(page, f"day {first_day + k} (")


# What a page's own layout must show at a window size: nothing wider than the window, and no
# box (matched by the selector) whose content is cut at its edges.
CUT_CHECK = """selector => {
  const out = [];
  const doc = document.scrollingElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    out.push(`page ${doc.scrollWidth} > ${window.innerWidth}`);
  for (const box of document.querySelectorAll(selector)) {
    const edge = box.getBoundingClientRect();
    const name = box.innerText.slice(0, 40);
    if (box.scrollWidth > box.clientWidth + 1) out.push(`scrolls sideways: ${name}`);
    for (const img of box.querySelectorAll('img')) {
      const r = img.getBoundingClientRect();
      if (r.right > edge.right + 1 || r.left < edge.left - 1) out.push(`image cut: ${name}`);
    }
  }
  return out;
}"""


def cut_boxes(page: object, selector: str) -> list[str]:
    """What the page shows cut or too wide, among the boxes ``selector`` matches."""
    return list(page.evaluate(CUT_CHECK, selector))  # type: ignore[attr-defined]
