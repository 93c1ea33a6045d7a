"""The app in a real browser: ``negotiate app`` served on loopback, driven by Chromium.

Chromium comes from Debian's packages (``make test`` installs it); Playwright only drives it.
The page must load with no internet (every request goes to the app's own address), step,
take a slider and a reset, run the ensemble panel, keep two browsers apart, and answer a bad
sweep folder with one line, no traceback, and a page that still works.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from viz.server import free_port

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "out" / "browser"  # out/ is git-ignored
START_TIMEOUT = 90.0
UI_TIMEOUT = 30_000  # ms


def negotiate_command() -> list[str]:
    script = Path(sys.executable).with_name("negotiate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "negotiate"]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``negotiate app`` on a free loopback port; stop it afterwards."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (Debian package chromium; `make test` installs it)")
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [*negotiate_command(), "app", "--host", "127.0.0.1", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            # Started in a folder of its own, the app opens sweeps from there (no --sweeps).
            cwd=tmp_path_factory.mktemp("sweeps"),
            # Were a front-end file missing from solara-assets, the server would fetch it from
            # the CDN: point that at a closed local port, so the test fails even online.
            env={**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"},
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"negotiate app exited with {server.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"negotiate app did not answer in {START_TIMEOUT} s:\n{log.read_text()}"
                )
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield chromium
        chromium.close()


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


def open_app(browser: object, url: str) -> tuple[object, object, Watch]:
    context = browser.new_context(viewport={"width": 1500, "height": 1100})  # type: ignore[attr-defined]
    page = context.new_page()
    watch = Watch(page)
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
    for k in range(times):
        page.get_by_role("button", name="Step").click()  # type: ignore[attr-defined]
        graph_title(page, f"day {first_day + k} (")


def current_day(page: object) -> int:
    title = page.locator(".panel-graph").get_by_text("Concession graph").inner_text()  # type: ignore[attr-defined]
    found = re.search(r"day (\d+) \(", title)
    return int(found.group(1)) if found else -1  # -1: before the first day


def graph_image(page: object) -> str:
    return page.locator(".panel-graph img").first.get_attribute("src") or ""  # type: ignore[attr-defined]


def test_teacher_session(browser: object, app_url: str, tmp_path: Path) -> None:
    started = time.perf_counter()
    context, page, watch = open_app(browser, app_url)
    before = graph_image(page)
    step(page, 5, first_day=0)
    outcome = page.locator(".panel-outcome")  # type: ignore[attr-defined]
    outcome.get_by_text(re.compile(r"Outcome: not yet — day 4 \(2025-04-20\)")).wait_for()
    assert graph_image(page) != before  # the graph was redrawn
    page.locator(".panel-narrative").get_by_text("Sunday 20 April 2025").wait_for()  # type: ignore[attr-defined]

    # A slider: United States cohesion, moved to its maximum with the keyboard.
    slider = page.locator(".setting", has_text="United States: cohesion").get_by_role("slider")  # type: ignore[attr-defined]
    slider.focus()
    slider.press("End")
    assert slider.get_attribute("aria-valuenow") == "1"
    page.get_by_role("button", name="Reset").click()  # type: ignore[attr-defined]
    graph_title(page, "before the first day")
    outcome.get_by_text(re.compile(r"United States: cohesion = 1\.00")).wait_for()
    step(page, 1, first_day=0)
    page.locator(".panel-narrative").get_by_text(re.compile("Round 1")).first.wait_for()  # type: ignore[attr-defined]

    # The ensemble panel: 1,000 runs of these settings.
    clicked = time.perf_counter()
    page.get_by_role("button", name="Run 1,000 runs").click()  # type: ignore[attr-defined]
    result = page.locator(".panel-ensemble .ensemble-result")  # type: ignore[attr-defined]
    result.wait_for(timeout=UI_TIMEOUT)
    wall = time.perf_counter() - clicked
    assert re.search(r"Deal in \d+\.\d% of 1,000 runs", result.inner_text())
    took = page.locator(".panel-ensemble").get_by_text(re.compile(r"Ran and drawn in")).inner_text()  # type: ignore[attr-defined]
    seconds = float(re.search(r"in (\d+\.\d+) s", took).group(1))  # type: ignore[union-attr]
    assert seconds > 0.0, took  # its speed is measured in benchmarks/, not asserted here
    assert page.locator(".panel-ensemble img").count() == 1  # type: ignore[attr-defined]

    # Play, then pause: the days move on their own.
    page.get_by_role("button", name="▶").click()  # type: ignore[attr-defined]
    deadline = time.monotonic() + UI_TIMEOUT / 1000
    while current_day(page) < 3:  # updates may arrive in batches: some days are never shown
        assert time.monotonic() < deadline, "Play did not move the days on"
        time.sleep(0.2)
    page.get_by_role("button", name="❚❚").click()  # type: ignore[attr-defined]
    page.get_by_role("button", name="▶").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]
    time.sleep(0.5)  # a step under way when paused still lands

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = tmp_path / "app.png"
    # The panels scroll inside the page: a tall window shows them all in one picture.
    page.set_viewport_size({"width": 1500, "height": 2000})  # type: ignore[attr-defined]
    step(page, 1, first_day=current_day(page) + 1)
    page.screenshot(path=str(shot), full_page=True)  # type: ignore[attr-defined]
    shutil.copy(shot, ARTIFACTS / "app.png")

    assert watch.errors == [], watch.errors
    foreign = [u for u in watch.requests if not u.startswith((app_url, "data:", "blob:"))]
    assert foreign == [], f"the page asked beyond the app (it must work offline): {foreign}"
    (ARTIFACTS / "timings.txt").write_text(
        f"ensemble panel: {seconds:.2f} s on the server, {wall:.2f} s click to result\n"
        f"whole session: {time.perf_counter() - started:.1f} s\n",
        encoding="utf-8",
    )
    context.close()  # type: ignore[attr-defined]


def test_two_browsers_stay_apart(browser: object, app_url: str) -> None:
    first, page_a, watch_a = open_app(browser, app_url)
    second, page_b, watch_b = open_app(browser, app_url)
    step(page_a, 3, first_day=0)
    time.sleep(1.0)  # time enough for any update to reach the other browser, were it shared
    title_b = page_b.locator(".panel-graph").get_by_text("Concession graph")  # type: ignore[attr-defined]
    assert "before the first day" in title_b.inner_text()
    page_b.locator(".panel-narrative").get_by_text("Press Step").wait_for()  # type: ignore[attr-defined]
    step(page_b, 1, first_day=0)
    time.sleep(1.0)
    title_a = page_a.locator(".panel-graph").get_by_text("Concession graph")  # type: ignore[attr-defined]
    assert "day 2 (" in title_a.inner_text()  # B's step did not move A
    assert watch_a.errors == [] and watch_b.errors == []
    first.close()  # type: ignore[attr-defined]
    second.close()  # type: ignore[attr-defined]


def test_a_bad_sweep_folder_is_one_line_and_the_page_goes_on(browser: object, app_url: str) -> None:
    context, page, watch = open_app(browser, app_url)
    card = page.locator(".v-card", has_text="Stored sweep run").last  # type: ignore[attr-defined]
    errors = card.locator(".v-alert")
    for typed, line in [
        ("a" * 256, f"results folder {'a' * 59}…: cannot be read (File name too long)"),
        ("../..", "results folder ../..: outside the folder this app opens sweeps from"),
    ]:
        card.get_by_label("Sweep folder").fill(typed)
        card.get_by_role("button", name="Open run").click()
        errors.filter(has_text=line).wait_for(timeout=UI_TIMEOUT)
        assert errors.count() == 1
        assert "\n" not in errors.inner_text().strip()
        shown = page.locator("body").inner_text()  # type: ignore[attr-defined]
        assert "Traceback" not in shown and 'File "' not in shown
    step(page, 2, first_day=0)  # the session is alive
    assert watch.errors == [], watch.errors
    context.close()  # type: ignore[attr-defined]
