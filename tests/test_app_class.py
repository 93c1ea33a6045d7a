"""The Watch page as a class uses it, in a real browser: Reset, links and downloads.

Reset with nothing touched runs the scenario's own settings; a link with a scenario, seed and
settings opens that view, and the page's own link reproduces what is on screen; the run's
daily records and an ensemble of its settings download as CSV files that pandas reads.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from pathlib import Path

import pandas as pd
from browsing import UI_TIMEOUT, clean, cut_boxes, graph_title, open_app, step

SETTINGS = re.compile(r"Seed (\d+); changed from the scenario: (.*?)\. Deadline")


def settings_line(page: object) -> tuple[str, str]:
    """The seed and the changed settings the outcome panel reports."""
    text = page.locator(".panel-outcome").inner_text()  # type: ignore[attr-defined]
    found = SETTINGS.search(text)
    assert found, text
    return found.group(1), found.group(2)


def share_href(page: object) -> str:
    return str(page.locator("a.share-link").evaluate("a => a.href"))  # type: ignore[attr-defined]


def test_reset_with_nothing_touched_changes_nothing(browser: object, app_url: str) -> None:
    context, page, watch = open_app(browser, app_url)
    assert settings_line(page) == ("0", "none")
    page.get_by_role("button", name="Reset").click()  # type: ignore[attr-defined]
    graph_title(page, "before the first day")
    step(page, 1, first_day=0)
    assert settings_line(page) == ("0", "none")
    clean(watch, app_url)
    context.close()  # type: ignore[attr-defined]


def test_a_link_reproduces_the_view(browser: object, app_url: str) -> None:
    link = app_url + "?scenario=june2025&seed=5&set.sides.us.cohesion=0.8&set.nothing=1"
    context, page, watch = open_app(browser, link)
    assert settings_line(page) == ("5", "United States: cohesion = 0.80")
    page.get_by_text("not one of the app's controls").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(share_href(page)).query)
    assert query == {"scenario": ["june2025"], "seed": ["5"], "set.sides.us.cohesion": ["0.8"]}

    # A setting moved on the page, then Reset: the page's link carries it.
    slider = page.locator(".setting", has_text="United States: cohesion").get_by_role("slider")  # type: ignore[attr-defined]
    slider.focus()
    slider.press("End")
    page.get_by_role("button", name="Reset").click()  # type: ignore[attr-defined]
    outcome = page.locator(".panel-outcome")  # type: ignore[attr-defined]
    outcome.get_by_text("United States: cohesion = 1.00").wait_for(timeout=UI_TIMEOUT)
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => document.querySelector('a.share-link').href.includes('cohesion=1.0')",
        timeout=UI_TIMEOUT,
    )
    href = share_href(page)
    shown = settings_line(page)

    other, again, watch_again = open_app(browser, href)
    assert settings_line(again) == shown
    clean(watch, app_url)
    clean(watch_again, app_url)
    context.close()  # type: ignore[attr-defined]
    other.close()  # type: ignore[attr-defined]


def test_daily_records_and_the_ensemble_download_as_csv(browser: object, app_url: str) -> None:
    context, page, watch = open_app(browser, app_url + "?seed=3")
    step(page, 3, first_day=0)
    with page.expect_download(timeout=UI_TIMEOUT) as daily:  # type: ignore[attr-defined]
        page.get_by_role("button", name="This run's daily records").click()  # type: ignore[attr-defined]
    days = pd.read_csv(io.StringIO(Path(daily.value.path()).read_text(encoding="utf-8")))
    assert daily.value.suggested_filename == "june2025_seed3_daily.csv"
    assert len(days) >= 3 and set(days["seed"]) == {3} and set(days["scenario"]) == {"june2025"}
    assert days["day"].max() == 2

    with page.expect_download(timeout=UI_TIMEOUT) as runs:  # type: ignore[attr-defined]
        page.get_by_role("button", name="1,000 runs of these settings").click()  # type: ignore[attr-defined]
    table = pd.read_csv(io.StringIO(Path(runs.value.path()).read_text(encoding="utf-8")))
    assert list(table["seed"]) == list(range(3, 1003))
    assert set(table["status"]) <= {"deal", "breakdown"}
    clean(watch, app_url)
    context.close()  # type: ignore[attr-defined]


GRID_COLUMNS = """() =>
  getComputedStyle(document.querySelector('.watch-panels')).gridTemplateColumns.split(' ').length"""


def test_no_panel_is_cut_at_classroom_window_sizes(browser: object, app_url: str) -> None:
    context, page, watch = open_app(browser, app_url)
    step(page, 2, first_day=0)
    columns = {}
    for width, height in ((1024, 768), (1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})  # type: ignore[attr-defined]
        page.wait_for_timeout(1500)  # type: ignore[attr-defined]
        assert cut_boxes(page, ".watch-panel") == [], width
        columns[width] = page.evaluate(GRID_COLUMNS)  # type: ignore[attr-defined]
    # The grid reflows: one column on a small screen, two from a classroom projector's width.
    assert columns[1024] == 1 and columns[1920] >= 2, columns
    clean(watch, app_url)
    context.close()  # type: ignore[attr-defined]
