"""Make the screenshots of the lesson plan (docs/teaching.md) from the running app.

The script starts ``negotiate app --class --data DIR`` (``DIR`` a temporary folder, so the
class board starts empty) on a free port of 127.0.0.1, drives Debian's Chromium
(``/usr/bin/chromium``) with Playwright at 1366×768, and saves these PNG files:

- ``watch_start.png``: the Watch page as it opens, before the first day;
- ``watch_stepped.png``: the Watch page after sixteen presses of Step (day 15, round 2);
- ``watch_narrative.png``: the narrative panel on that day;
- ``play_seat.png``: the Play page's "Take a seat" card, in Akazawa's seat;
- ``play_package.png``: a round day on which the student's side tables a package;
- ``play_verdict.png``: a round day on which the student answers the packages on the table;
- ``play_debrief.png``: the debrief of a game played as the agent in the seat would;
- ``board.png``: the class board with that game and one of a student who held out;
- ``share_link.png``: the "Share this view" card of a link with a US cabinet of cohesion 1;
- ``compare.png``: the Compare page that card's link opens, A the baseline and B cohesion 1,
  after Compare;
- ``info.png``: the Info page.

Run it from the repository, with the project's virtualenv (it takes a few minutes)::

    .venv/bin/python docs/teaching/make_screenshots.py              # into docs/teaching
    .venv/bin/python docs/teaching/make_screenshots.py --out /tmp/shots --port 8899

It prints one line per file written. It stops the server when it ends, also on a failure or
an interrupt; a failure is one line on standard error and the exit status 1 (2 for bad
arguments, such as a port already in use).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from viz.serving import (
    CHROMIUM,
    HOST,
    AppServerError,
    ServedApp,
    launch_chromium,
    served_app,
    stop_all,
)

HERE = Path(__file__).resolve().parent
VIEWPORT = {"width": 1366, "height": 768}
START_TIMEOUT = 120.0  # s for the server to answer
UI_TIMEOUT = 90_000  # ms for one thing to show on a page
GAME_TIMEOUT = 400.0  # s for a whole game
WATCH_DAYS = 16  # Step presses before the second Watch screenshot: day 15, round 2
SEED = 0
# Solara's "This website runs on Solara" banner floats over the panels: hidden in the shots.
SHOT_CSS = 'div:has(> b > a[href="https://solara.dev"]) { display: none !important; }'
LINK_SETTING = "set.sides.us.cohesion=1.0"


class ShotError(Exception):
    """An expected failure, told in one line."""


def check_port(port: int) -> None:
    """Fail in one line when ``port`` cannot be listened on.

    Raises:
        ShotError: When the port is taken.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            raise ShotError(f"cannot use port {port} on {HOST}: {exc.strerror or exc}") from None


@contextmanager
def app_server(port: int, work: Path) -> Iterator[ServedApp]:
    """``negotiate app --class`` on ``port``, with its data under ``work``.

    The server is stopped when the block ends, however it ends.

    Raises:
        ShotError: When the server exits or does not answer in time.
    """
    try:
        with served_app(
            ["--class", "--data", str(work / "data")],
            work,
            work / "server.log",
            START_TIMEOUT,
            port=port,
        ) as app:
            yield app
    except AppServerError as exc:
        raise ShotError(str(exc)) from None


class Shots:
    """Writes screenshots into a folder and says so, one line each."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.written: list[Path] = []

    def page(self, page: Any, name: str) -> None:
        """The page's viewport, as ``name``."""
        path = self.out / name
        page.screenshot(path=str(path), style=SHOT_CSS)
        self._done(path)

    def element(self, locator: Any, name: str) -> None:
        """One element of a page (scrolled into view), as ``name``."""
        path = self.out / name
        page = locator.page
        size = page.viewport_size or VIEWPORT
        box = locator.bounding_box(timeout=UI_TIMEOUT)
        taller = box is not None and box["height"] + 160 > size["height"]
        if taller:  # an element taller than the window would be cut by the page's scrolling
            page.set_viewport_size({"width": size["width"], "height": int(box["height"]) + 200})
            time.sleep(0.5)
        try:
            locator.scroll_into_view_if_needed(timeout=UI_TIMEOUT)
            locator.screenshot(path=str(path), timeout=UI_TIMEOUT, style=SHOT_CSS)
        finally:
            if taller:
                page.set_viewport_size(size)
        self._done(path)

    def _done(self, path: Path) -> None:
        self.written.append(path)
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)", flush=True)


def scroll_to_top(locator: Any) -> None:
    """Scroll the page (and whatever scrolls inside it) so that the element is at the top."""
    locator.evaluate("el => el.scrollIntoView({block: 'start'})")
    time.sleep(0.3)


def new_page(browser: Any) -> Any:
    """A fresh browser context and page at the lesson's viewport."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(UI_TIMEOUT)
    return context.new_page()


# --- Watch -------------------------------------------------------------------------------------


def wait_for_day(page: Any, day: int) -> None:
    """Wait until the Watch page shows ``day`` (the graph's title or the narrative's)."""
    page.wait_for_function(
        "([day]) => {"
        " const g = document.querySelector('.panel-graph');"
        " const n = document.querySelector('.panel-narrative');"
        " return (g && g.innerText.includes('day ' + day + ' (')) ||"
        " (n && n.innerText.includes('(day ' + day + ')')); }",
        arg=[day],
        timeout=UI_TIMEOUT,
    )


def open_watch(browser: Any, url: str) -> Any:
    """The Watch page at ``url``, once its Step button and panels are there."""
    page = new_page(browser)
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for()
    page.locator(".panel-narrative").wait_for()
    time.sleep(1.0)  # the figures arrive just after the buttons
    return page


def watch(browser: Any, url: str, shots: Shots) -> None:
    """The Watch page before and after some days of Step, and the narrative panel."""
    page = open_watch(browser, f"{url}?scenario=june2025&seed={SEED}")
    shots.page(page, "watch_start.png")
    for day in range(WATCH_DAYS):
        page.get_by_role("button", name="Step").click()
        wait_for_day(page, day)
    time.sleep(1.0)
    page.evaluate("window.scrollTo(0, 0)")
    shots.page(page, "watch_stepped.png")
    shots.element(page.locator(".panel-narrative"), "watch_narrative.png")
    page.context.close()


def counterfactual(browser: Any, url: str, shots: Shots) -> None:
    """The share card of a link with cohesion 1, and the Compare page it leads to."""
    page = open_watch(browser, url + f"?scenario=june2025&seed={SEED}&{LINK_SETTING}")
    card = page.locator(".v-card", has=page.locator("a.share-link")).last
    shots.element(card, "share_link.png")
    page.locator("a.compare-link").click()
    page.get_by_role("button", name="Compare").click()
    results = page.locator(".compare-results")
    results.locator(".compare-figure img").wait_for()
    time.sleep(0.5)
    shots.element(results, "compare.png")
    page.context.close()


# --- Play and the class board ------------------------------------------------------------------


def asked(page: Any) -> str:
    """The class naming the question on the Play page ("q-package-15"), or "" for none."""
    found = page.locator(".play-heading")
    if not found.count():
        return ""
    match = re.search(r"q-\w+-\d+", found.get_attribute("class") or "")
    return match.group(0) if match else ""


def answer(page: Any, tactic: str) -> None:
    """Answer the question on the page by ``tactic`` and wait for the next one (or the end).

    "agent" lets the agent in the seat table its package and accepts every package; "hold out"
    tables the seat's ideal and rejects every package. Buttons are clicked inside the card of
    the question the heading names: a card being replaced would take the click and drop it.
    """
    question = asked(page)
    kind = "package" if question.startswith("q-package") else "verdict"
    card = page.locator(f".play-{kind}.{question}")
    card.wait_for()
    if kind == "package" and tactic == "agent":
        card.get_by_role("button", name="Let the agent in my seat answer this one").click()
    elif kind == "package":
        found = re.search(r"preset-(\d+)", card.get_attribute("class") or "")
        preset = int(found.group(1)) if found else 0
        card.get_by_role("button", name="Ask for everything (my ideal)").click()
        # The sliders are built anew at the ideal before the package is tabled.
        card = page.locator(f".play-package.{question}.preset-{preset + 1}")
        card.wait_for()
        card.get_by_role("button", name="Table this package").click()
    else:
        name = "Accept" if tactic == "agent" else "Reject"
        card.get_by_role("button", name=name, exact=True).click()
    page.wait_for_function(
        "([before]) => { const h = document.querySelector('.play-heading');"
        " return document.querySelector('.play-debrief') ||"
        " (h && !h.classList.contains(before)); }",
        arg=[question],
        timeout=UI_TIMEOUT,
    )


def start_game(browser: Any, url: str, player: str) -> Any:
    """The Play page with a game of Akazawa (the default seat) started; return the page."""
    page = new_page(browser)
    page.goto(url + "play")
    page.get_by_role("button", name="Start the game").wait_for()
    page.get_by_label("Your name (for the class board)").fill(player)
    page.get_by_label("Seed").fill(str(SEED))
    time.sleep(0.5)
    page.get_by_role("button", name="Start the game").click()
    page.locator(".play-heading").wait_for()
    return page


def play(page: Any, tactic: str, shots: Shots | None) -> None:
    """Play a game to its debrief; with ``shots``, save a package and a verdict question."""
    deadline = time.monotonic() + GAME_TIMEOUT
    wanted = {"package": "play_package.png", "verdict": "play_verdict.png"}
    while not page.locator(".play-debrief").count():
        if time.monotonic() > deadline:
            raise ShotError(f"a game did not end in {GAME_TIMEOUT:.0f} s")
        question = asked(page)
        kind = question.split("-")[1] if question else ""
        if shots is not None and kind in wanted:
            page.locator(f".play-{kind}.{question}").wait_for()
            time.sleep(0.5)
            scroll_to_top(page.locator(".play-heading"))
            shots.page(page, wanted.pop(kind))
        answer(page, tactic)


def play_and_board(browser: Any, url: str, shots: Shots) -> None:
    """Two games of Akazawa (as the agent would, holding out), the debrief and the board."""
    page = new_page(browser)
    page.goto(url + "play")
    page.get_by_role("button", name="Start the game").wait_for()
    page.get_by_label("Your name (for the class board)").fill("Student A")
    time.sleep(0.5)
    shots.element(page.locator(".v-card", has_text="Take a seat").first, "play_seat.png")
    page.context.close()

    first = start_game(browser, url, "Student A")
    play(first, "agent", shots)
    debrief = first.locator(".play-debrief")
    debrief.get_by_text("Posted to the class board").wait_for()
    debrief.locator("img").wait_for()
    shots.element(debrief, "play_debrief.png")
    first.context.close()

    second = start_game(browser, url, "Student B")
    play(second, "hold out", None)
    second.locator(".play-debrief").get_by_text("Posted to the class board").wait_for()
    second.context.close()

    board = new_page(browser)
    board.set_viewport_size({"width": VIEWPORT["width"], "height": 1000})
    board.goto(url + "board")
    board.get_by_text("Student B").first.wait_for()
    board.locator("img").first.wait_for()
    time.sleep(0.5)
    shots.page(board, "board.png")
    board.context.close()


def info(browser: Any, url: str, shots: Shots) -> None:
    """The Info page."""
    page = new_page(browser)
    page.goto(url + "info")
    page.get_by_text("What is it?").first.wait_for()
    time.sleep(0.5)
    shots.page(page, "info.png")
    page.context.close()


# --- The whole run -----------------------------------------------------------------------------


@contextmanager
def stage(name: str, app: ServedApp) -> Iterator[None]:
    """Name the stage under way in a failure of the browser or the page, or of the server."""
    try:
        yield
    except Exception as exc:
        gone = app.gone()
        if gone is not None:  # a page that waits on a server gone fails for that reason
            raise ShotError(f"{name}: {gone}") from None
        if isinstance(exc, ShotError):
            raise ShotError(f"{name}: {exc}") from None
        if type(exc).__module__.startswith("playwright"):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ShotError(f"{name}: {first}") from None
        raise


def make(out: Path, port: int) -> list[Path]:
    """Start the app, take every screenshot into ``out`` and stop the app.

    Returns:
        The files written.

    Raises:
        ShotError: For any expected failure.
    """
    if not CHROMIUM.exists():
        raise ShotError(f"{CHROMIUM} is missing: install the Debian package chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise ShotError(
            "Playwright is missing: pip install playwright (no browser download)"
        ) from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ShotError(f"cannot write to {out}: {exc.strerror or exc}") from None
    if port:
        check_port(port)
    shots = Shots(out)
    work = Path(tempfile.mkdtemp(prefix="teaching-shots-"))
    try:
        with app_server(port, work) as app, sync_playwright() as pw:
            url = app.url
            with stage("starting Chromium", app):
                browser = launch_chromium(pw)
            try:
                with stage("the Watch page", app):
                    watch(browser, url, shots)
                with stage("the Info page", app):
                    info(browser, url, shots)
                with stage("the share link and the Compare page", app):
                    counterfactual(browser, url, shots)
                with stage("the Play page and the class board", app):
                    play_and_board(browser, url, shots)
            finally:
                browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return shots.written


def interrupted(signum: int, frame: FrameType | None) -> None:
    """On SIGINT or SIGTERM: stop the server and exit at once.

    An exception raised here could land inside Playwright's event loop, which would swallow
    it; so the server is stopped here, and the process ends without unwinding. Playwright's
    driver, and the browser with it, end when their pipe to this process closes.
    """
    stop_all()
    print("make_screenshots.py: interrupted; the app was stopped", file=sys.stderr, flush=True)
    os._exit(128 + signum)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="make_screenshots.py",
        description="Start the teaching app with a class board, drive Chromium through it and "
        "save the screenshots of the lesson plan (docs/teaching.md).",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE,
        metavar="DIR",
        help="folder for the PNG files (default: docs/teaching, this script's folder)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port of 127.0.0.1 for the app (default 0: any free port)",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: must be from 0 to 65535")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the script; return its exit status."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    try:
        make(args.out, args.port)
    except ShotError as exc:
        print(f"make_screenshots.py: error: {exc}", file=sys.stderr)
        return 2 if str(exc).startswith("cannot use port") else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
