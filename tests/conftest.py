"""Shared fixtures: finished baseline runs, computed once per session; the browser tests'
Chromium and app."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from browsing import app_or_fail
from helpers import finished

from model import NegotiationModel
from viz.serving import CHROMIUM, launch_chromium

# The commands the tests start draw their figures with no screen, on any machine (as .ci/run
# sets for the whole suite); nothing in-process uses pyplot, so no backend is needed here.
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def baseline_run() -> Callable[[int], NegotiationModel]:
    """A function returning the finished single baseline run of a seed (cached per session)."""
    cache: dict[int, NegotiationModel] = {}

    def get(seed: int) -> NegotiationModel:
        if seed not in cache:
            cache[seed] = finished("june2025", seed)
        return cache[seed]

    return get


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, driven by Playwright (the browser tests)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (Debian package chromium; `make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``negotiate app`` on a free loopback port; stopped afterwards.

    Started in a folder of its own, the app opens sweeps from there (no ``--sweeps``).
    """
    cwd = tmp_path_factory.mktemp("sweeps")
    with app_or_fail([], cwd, tmp_path_factory.mktemp("app") / "server.log") as url:
        yield url
