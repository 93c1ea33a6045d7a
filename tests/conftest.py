"""Shared fixtures: finished baseline runs, computed once per session."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import finished

from model import NegotiationModel


@pytest.fixture(scope="session")
def baseline_run() -> Callable[[int], NegotiationModel]:
    """A function returning the finished single baseline run of a seed (cached per session)."""
    cache: dict[int, NegotiationModel] = {}

    def get(seed: int) -> NegotiationModel:
        if seed not in cache:
            cache[seed] = finished("june2025", seed)
        return cache[seed]

    return get
