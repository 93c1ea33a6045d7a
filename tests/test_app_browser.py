"""The app in a real browser: ``negotiate app`` served on loopback, driven by Chromium.

Chromium comes from Debian's packages (``make test`` installs it); Playwright only drives it.
The page must load with no internet (every request goes to the app's own address), step,
take a slider and a reset, run the ensemble panel, keep two browsers apart, and answer a bad
sweep folder with one line, no traceback, and a page that still works.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from browsing import ARTIFACTS, UI_TIMEOUT, graph_title, open_app, step


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
    foreign = watch.foreign(app_url)
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
