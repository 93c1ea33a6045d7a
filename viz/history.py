"""A run replayed day by day, keeping what the model itself does not: yesterday's graph.

The model keeps only the current concession graph; small multiples and animations need it on
every day. Because a run is a pure function of (scenario, seed, overrides), replaying it gives
the very run that was narrated, so nothing has to be recorded while it first runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from model.negotiation import NegotiationModel
from model.schema import Scenario


@dataclass
class RunHistory:
    """A finished single run with its concession graph as of every day.

    Attributes:
        model: The finished model (daily records in ``model.datacollector``).
        graphs: Day → a copy of run 0's concession graph at the end of that day.
        round_days: Days on which run 0 held a round.
        narrative: Day → the narrated lines of that day.
    """

    model: NegotiationModel
    graphs: dict[int, nx.DiGraph] = field(default_factory=dict)
    round_days: list[int] = field(default_factory=list)
    narrative: dict[int, list[str]] = field(default_factory=dict)

    @property
    def last_day(self) -> int:
        """The day run 0 ended."""
        return self.model.day

    def graph_on(self, day: int) -> nx.DiGraph:
        """The concession graph at the end of ``day`` (the opening graph before day 0)."""
        known = [d for d in self.graphs if d <= day]
        if not known:
            g = nx.DiGraph()
            g.add_nodes_from(self.model.scenario.party_keys)
            return g
        return self.graphs[max(known)]


def record_run(
    scenario: str | Path | Scenario,
    seed: int,
    overrides: Mapping[str, Any] | None = None,
) -> RunHistory:
    """Run one seed to its end, keeping the graph after every round.

    Args:
        scenario: A bundled name, a path, or a Scenario.
        seed: The run's seed.
        overrides: Parameters by scenario path, as for ``NegotiationModel``.

    Returns:
        The run's history.
    """
    model = NegotiationModel(scenario, rng=seed, overrides=dict(overrides) if overrides else None)
    history = RunHistory(model)
    logged = 0
    while model.running:
        model.step()
        day = model.day
        if model.round0 == day:
            history.round_days.append(day)
            # Only rounds change the graph; copies on other days would be identical.
            history.graphs[day] = model.concession_graph.copy()
        if len(model.log) > logged:
            history.narrative[day] = model.log[logged:]
            logged = len(model.log)
    if model.day not in history.graphs:
        history.graphs[model.day] = model.concession_graph.copy()
    return history
