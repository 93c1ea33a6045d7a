"""The Compare page and the Watch page's keys, in a real browser.

A teacher opens the Compare page from the Watch page's link (B: the US with one voice),
compares, reads the change with its interval, and downloads both ensembles; the page fits
the three classroom window sizes. On the Watch page the keys step, play, pause and reset, and
a key typed into the seed box stays in the box.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from pathlib import Path

import pandas as pd
from browsing import UI_TIMEOUT, clean, cut_boxes, graph_title, new_page, open_app

COMPARE_TIMEOUT = 120_000  # ms: two ensembles of 1,000 runs and their bootstrap
DAY = re.compile(r"^Day (\d+):")


def day_shown(page: object) -> int:
    """The day in the run card's day line (-1 before the first day)."""
    text = page.locator(".day-line").inner_text()  # type: ignore[attr-defined]
    found = DAY.match(text)
    return int(found.group(1)) if found else -1


def wait_day(page: object, day: int) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        "d => { const t = document.querySelector('.day-line').innerText;"
        " return d < 0 ? t.startsWith('Before') : t.startsWith(`Day ${d}:`); }",
        arg=day,
        timeout=UI_TIMEOUT,
    )


def test_keys_step_play_pause_and_reset(browser: object, app_url: str) -> None:
    context, page, watch = open_app(browser, app_url)
    page.get_by_text("Space or P play/pause").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]
    page.keyboard.press("s")  # type: ignore[attr-defined]
    wait_day(page, 0)
    page.keyboard.press("ArrowRight")  # type: ignore[attr-defined]
    wait_day(page, 1)
    graph_title(page, "day 1 (")

    # A key typed into the seed box is text, not a step.
    seed = page.get_by_label("Seed (press Enter, then Reset)")  # type: ignore[attr-defined]
    seed.click()
    seed.press("s")
    page.wait_for_timeout(1000)  # type: ignore[attr-defined]
    assert day_shown(page) == 1
    assert seed.input_value().endswith("s")
    seed.fill("0")

    # Space on the page, even with the Step button focused, plays; Space again pauses.
    page.get_by_role("button", name="Step").click()  # type: ignore[attr-defined]
    wait_day(page, 2)
    page.keyboard.press(" ")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => /^Day ([5-9]|\\d\\d+):/.test(document.querySelector('.day-line').innerText)",
        timeout=UI_TIMEOUT,
    )
    page.keyboard.press(" ")  # type: ignore[attr-defined]
    page.wait_for_timeout(1000)  # type: ignore[attr-defined]
    paused = day_shown(page)
    page.wait_for_timeout(1500)  # type: ignore[attr-defined]
    assert day_shown(page) == paused, "Space did not pause"
    page.get_by_role("button", name="▶").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]

    page.keyboard.press("r")  # type: ignore[attr-defined]
    wait_day(page, -1)
    graph_title(page, "before the first day")
    clean(watch, app_url)
    context.close()  # type: ignore[attr-defined]


def test_compare_from_the_watch_page_link(browser: object, app_url: str) -> None:
    context, page, watch = open_app(browser, app_url + "?seed=0&set.sides.us.cohesion=1.0")
    href = str(page.locator("a.compare-link").evaluate("a => a.href"))  # type: ignore[attr-defined]
    assert "/compare?" in href and "set.sides.us.cohesion=1.0" in href
    page.locator("a.compare-link").click()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Compare").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]
    page.locator(".compare-changed-a").get_by_text("none").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]
    page.locator(".compare-changed-b").get_by_text("United States: cohesion = 1.00").wait_for(  # type: ignore[attr-defined]
        timeout=UI_TIMEOUT
    )
    page.get_by_role("button", name="Compare").click()  # type: ignore[attr-defined]
    result = page.locator(".compare-result")  # type: ignore[attr-defined]
    result.wait_for(timeout=COMPARE_TIMEOUT)
    text = result.inner_text()
    assert re.search(r"B reaches a deal in [\d.]+% of runs, A in [\d.]+%: [+-][\d.]+ points", text)
    assert re.search(r"95% interval [+-][\d.]+ to [+-][\d.]+", text)
    table = result.locator(".compare-table tr")
    assert table.count() >= 1 + 3 + 7  # the head, three outcomes and seven issues
    assert page.locator(".compare-figure img").get_attribute("alt").startswith("Share of runs")  # type: ignore[attr-defined]

    with page.expect_download(timeout=UI_TIMEOUT) as both:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Both ensembles (CSV)").click()  # type: ignore[attr-defined]
    frame = pd.read_csv(io.StringIO(Path(both.value.path()).read_text(encoding="utf-8")))
    assert frame["side"].value_counts().to_dict() == {"A": 1000, "B": 1000}
    assert list(frame.loc[frame["side"] == "B", "seed"]) == list(range(1000))

    for width, height in ((1024, 768), (1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})  # type: ignore[attr-defined]
        page.wait_for_timeout(1500)  # type: ignore[attr-defined]
        assert cut_boxes(page, ".v-card") == [], width
    clean(watch, app_url)
    context.close()  # type: ignore[attr-defined]


def test_a_comparison_link_opens_both_sides(browser: object, app_url: str) -> None:
    link = (
        app_url + "compare?scenario=one_voice&seed=4&runs=500"
        "&a.scenario=june2025&a.set.sides.us.cohesion=0.8"
    )
    context, page, watch = new_page(browser, {"width": 1366, "height": 768})
    page.goto(link)
    page.locator(".compare-changed-a").get_by_text("United States: cohesion = 0.80").wait_for(  # type: ignore[attr-defined]
        timeout=UI_TIMEOUT
    )
    page.locator(".compare-changed-b").get_by_text("none").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]
    href = str(page.locator("a.comparison-link").evaluate("a => a.href"))  # type: ignore[attr-defined]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(href).query)
    assert query == {
        "scenario": ["one_voice"],
        "seed": ["4"],
        "runs": ["500"],
        "a.scenario": ["june2025"],
        "a.set.sides.us.cohesion": ["0.8"],
    }
    clean(watch, app_url)
    context.close()  # type: ignore[attr-defined]
