"""The Watch page's figures in Chromium at a laptop's and a projector's window size.

A panel's PNG is scaled to the panel's width, and its text with it: the text a reader sees is
the figure's smallest font (in the image's own pixels, which the page carries as
``data-min-font-px``, measured from the figure's text) times the displayed width over the
image's natural width, both read from the browser's layout.
"""

from __future__ import annotations

import re
import time

import pytest
from browsing import ARTIFACTS, UI_TIMEOUT, graph_title, open_app

MIN_PX = 12.0
PANELS = ["graph", "positions", "utilities", "plane", "ensemble"]
CAPTIONS = {
    "graph": "An arrow runs from the party who conceded",
    "positions": "Each line is a party's offer",
    "utilities": "below the dashed reservation",
    "plane": "no deal at this run's reservations",
    "ensemble": "share of runs still without a deal",
}

MEASURE = """() => [...document.querySelectorAll('[class*="panel-"] img')].map(img => {
    const panel = img.closest('[class*="panel-"]');
    return {
        panel: [...panel.classList].find(c => c.startsWith('panel-')).slice(6),
        natural: img.naturalWidth,
        shown: img.getBoundingClientRect().width,
        font: parseFloat(img.dataset.minFontPx),
        alt: img.alt,
    };
})"""

LOADED = """() => {
    const imgs = [...document.querySelectorAll('[class*="panel-"] img')];
    return imgs.length >= %d && imgs.every(i => i.complete && i.naturalWidth > 0);
}"""


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_figure_text_is_at_least_12_px(
    browser: object, app_url: str, width: int, height: int
) -> None:
    context, page, watch = open_app(browser, app_url, {"width": width, "height": height})
    page.get_by_role("button", name="Step").click()
    graph_title(page, "day 0 (")
    page.get_by_role("button", name="Run 1,000 runs").click()
    page.locator(".panel-ensemble .ensemble-result").wait_for(timeout=UI_TIMEOUT)
    page.wait_for_function(LOADED % len(PANELS), timeout=UI_TIMEOUT)
    time.sleep(0.5)  # the day's last redraw lands
    shown = {m["panel"]: m for m in page.evaluate(MEASURE)}
    assert sorted(shown) == sorted(PANELS)
    lines = []
    for name, m in shown.items():
        assert m["natural"] > 0 and m["shown"] > 0, m
        seen = m["font"] * m["shown"] / m["natural"]
        lines.append(f"{name}: {m['font']:.1f} px × {m['shown']:.0f}/{m['natural']} = {seen:.1f}")
        assert seen >= MIN_PX, f"{width}×{height}: " + "; ".join(lines)
        assert m["alt"], name
        if name != "ensemble":
            assert re.search(r"16 April 2025 \(day 0\)", m["alt"]), m["alt"]
        caption = page.locator(f".panel-{name} .panel-caption")
        assert CAPTIONS[name] in caption.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"figure_text_{width}x{height}.txt").write_text("\n".join(lines) + "\n")
    assert watch.errors == [], watch.errors
    context.close()  # type: ignore[attr-defined]
