"""The Play page and the class board in a real browser (``negotiate app --class``).

Two students play Akazawa in two browsers at once: one follows what the agent in the seat
would table and accepts every package, and reaches a deal; the other asks for everything and
rejects every package, and the talks break down. Each reaches the debrief; neither sees the
other's game; both games appear on the class board, whose CSV opens in pandas. Every request
stays on the app's loopback address and the console stays clean.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from browsing import ARTIFACTS, Watch, app_or_fail, new_page

GAME_TIMEOUT = 240.0  # s for a whole game
UI_TIMEOUT = 60_000  # ms for one answer to come back


@pytest.fixture(scope="module")
def class_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``negotiate app --class`` on a free loopback port, with its data folder."""
    data = tmp_path_factory.mktemp("data")
    log = tmp_path_factory.mktemp("app") / "server.log"
    with app_or_fail(["--class", "--data", str(data)], tmp_path_factory.mktemp("cwd"), log) as url:
        yield url, data
    assert "Traceback" not in log.read_text(), log.read_text()


def open_play(browser: object, url: str, name: str) -> tuple[Any, Any, Watch]:
    context, page, watch = new_page(browser, {"width": 1366, "height": 900})
    page.goto(url + "play")
    page.get_by_role("button", name="Start the game").wait_for(timeout=UI_TIMEOUT)
    page.get_by_label("Your name (for the class board)").fill(name)
    return context, page, watch


def asked(page: object) -> str:
    """The class naming the question on the page ("q-package-15"), or "" for none."""
    found = page.locator(".play-heading")  # type: ignore[attr-defined]
    if not found.count():
        return ""
    classes = found.get_attribute("class") or ""
    match = re.search(r"q-\w+-\d+", classes)
    return match.group(0) if match else ""


def answer_once(page: object, tactic: str) -> None:
    """Answer the question on the page by ``tactic`` ("agent" or "hold out").

    Buttons are clicked inside the card of the question the heading names: a card being
    replaced would take the click and drop it.
    """
    question = asked(page)
    kind = "package" if question.startswith("q-package") else "verdict"
    card = page.locator(f".play-{kind}.{question}")  # type: ignore[attr-defined]
    card.wait_for(timeout=UI_TIMEOUT)
    if kind == "package":
        if tactic == "agent":
            card.get_by_role("button", name="Let the agent in my seat answer this one").click()
            return
        preset = int(re.search(r"preset-(\d+)", card.get_attribute("class")).group(1))  # type: ignore[union-attr]
        card.get_by_role("button", name="Ask for everything (my ideal)").click()
        # The sliders are built anew at the ideal before the package is tabled.
        card = page.locator(f".play-package.{question}.preset-{preset + 1}")  # type: ignore[attr-defined]
        card.wait_for(timeout=UI_TIMEOUT)
        card.get_by_role("button", name="Table this package").click()
    else:
        name = "Accept" if tactic == "agent" else "Reject"
        card.get_by_role("button", name=name, exact=True).click()


def answer(page: object, tactic: str) -> None:
    """Answer the question on the page and wait for the next one (or the debrief)."""
    before = asked(page)
    answer_once(page, tactic)
    try:
        page.wait_for_function(  # type: ignore[attr-defined]
            "([before]) => { const h = document.querySelector('.play-heading');"
            " return document.querySelector('.play-debrief') ||"
            " (h && !h.classList.contains(before)); }",
            arg=[before],
            timeout=UI_TIMEOUT,
        )
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "play_stuck.png"), full_page=True)  # type: ignore[attr-defined]
        raise


def play_to_the_end(page: object, tactic: str) -> int:
    """Answer until the debrief shows; return the number of answers."""
    deadline = time.monotonic() + GAME_TIMEOUT
    answers = 0
    while not page.locator(".play-debrief").count():  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"the game did not end in {GAME_TIMEOUT} s"
        answer(page, tactic)
        answers += 1
    return answers


def test_two_students_play_and_the_board_shows_both(
    browser: object, class_app: tuple[str, Path]
) -> None:
    url, data = class_app
    first, page_a, watch_a = open_play(browser, url, "Student A")
    second, page_b, watch_b = open_play(browser, url, "Student B")

    page_a.get_by_role("button", name="Start the game").click()  # type: ignore[attr-defined]
    page_a.locator(".play-heading").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]
    time.sleep(1.0)  # time enough for an update to reach the other browser, were it shared
    assert page_b.locator(".play-heading").count() == 0  # type: ignore[attr-defined]

    page_b.get_by_role("button", name="Start the game").click()  # type: ignore[attr-defined]
    page_b.locator(".play-heading").wait_for(timeout=UI_TIMEOUT)  # type: ignore[attr-defined]
    # The two games go on side by side, each at its own question.
    answer(page_a, "agent")
    answer(page_b, "hold out")

    assert play_to_the_end(page_a, "agent") > 5
    debrief_a = page_a.locator(".play-debrief")  # type: ignore[attr-defined]
    debrief_a.get_by_text("Posted to the class board").wait_for(timeout=UI_TIMEOUT)
    text_a = debrief_a.inner_text()
    assert "You reached a deal" in text_a, text_a
    assert "Over 1,000 seeds" in text_a
    alt = debrief_a.locator("img").get_attribute("alt")
    assert alt and "Ryosei Akazawa" in alt
    assert page_b.locator(".play-debrief").count() == 0  # type: ignore[attr-defined]

    play_to_the_end(page_b, "hold out")
    debrief_b = page_b.locator(".play-debrief")  # type: ignore[attr-defined]
    debrief_b.get_by_text("Posted to the class board").wait_for(timeout=UI_TIMEOUT)
    assert "The talks broke down" in debrief_b.inner_text()

    # The teacher's board: both games, on the plane and in the table and the CSV.
    board = first.new_page()  # type: ignore[attr-defined]
    watch_board = Watch(board)
    board.goto(url + "board")
    board.get_by_text("Student B").wait_for(timeout=UI_TIMEOUT)
    assert board.get_by_text("Student A").count() >= 1
    assert board.locator("img").count() == 1
    with board.expect_download(timeout=UI_TIMEOUT) as download:
        board.get_by_text("Download the board (CSV)").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8")
    table = pd.read_csv(io.StringIO(csv))
    assert sorted(table["player"]) == ["Student A", "Student B"]
    assert sorted(table["status"]) == ["breakdown", "deal"]
    assert {"utility_akazawa", "utility_bessent", "seed", "payoff"} <= set(table.columns)
    assert (data / "board.sqlite").exists()

    for watch in (watch_a, watch_b, watch_board):
        assert watch.errors == [], watch.errors
        foreign = watch.foreign(url)
        assert foreign == [], f"the page asked beyond the app: {foreign}"
    first.close()  # type: ignore[attr-defined]
    second.close()  # type: ignore[attr-defined]
