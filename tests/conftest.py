"""Shared fixtures: finished baseline runs, computed once per session."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from helpers import finished

from model import NegotiationModel

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
