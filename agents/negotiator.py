"""The Mesa agent: one negotiator, holding its priorities, ideal point, reservation and strategy.

A negotiator's numbers live in the model's arrays (one row per run) so that one agent steps a
single run or a whole ensemble with the same code; its attributes read run 0 for display.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents.strategies import StrategyContext, make_strategy
from model.state import elapsed

if TYPE_CHECKING:
    from model.negotiation import NegotiationModel


class Negotiator(mesa.Agent):
    """A party at the table.

    Attributes:
        key: The party's key in the scenario.
        name: Display name.
        side: Key of the party's side.
        role: What the party does.
        index: The party's column in the model's arrays.
        strategy: Its concession strategy.
    """

    model: NegotiationModel

    def __init__(self, model: NegotiationModel, index: int) -> None:
        """Create the negotiator for party ``index`` of the model's scenario."""
        super().__init__(model)
        spec = model.scenario.parties[index]
        self.key = spec.key
        self.name = spec.name
        self.side = spec.side
        self.role = spec.role
        self.index = index
        self.strategy = make_strategy(spec.strategy.kind)
        prefix = f"strategy.{index}."
        self._params = {
            k[len(prefix) :]: v for k, v in model.compiled.run_params.items() if k.startswith(prefix)
        }

    @property
    def priorities(self) -> dict[str, float]:
        """Priority weight per issue (run 0)."""
        w = self.model.compiled.weights[0, self.index]
        return dict(zip(self.model.compiled.issue_keys, map(float, w), strict=True))

    @property
    def ideal(self) -> dict[str, float]:
        """Ideal point per issue in real units (run 0)."""
        c = self.model.compiled
        real = c.to_real(c.ideal[0, self.index])
        return dict(zip(c.issue_keys, map(float, real), strict=True))

    @property
    def clout(self) -> float:
        """Clout within the side (run 0)."""
        return float(self.model.compiled.clout[0, self.index])

    @property
    def reservation(self) -> float:
        """Reservation utility drawn for run 0."""
        return float(self.model.state.reservation[0, self.index])

    @property
    def aspiration(self) -> float:
        """Current aspiration of run 0."""
        return float(self.model.state.aspiration[0, self.index])

    def update_aspiration(self) -> None:
        """Move today's aspiration by the strategy, in every run still running."""
        m, s, c = self.model, self.model.state, self.model.compiled
        ctx = StrategyContext(
            tau=elapsed(s, c, m.day, self.index),
            reservation=s.reservation[:, self.index],
            previous=s.aspiration[:, self.index],
            received=m.ledger.received[:, self.index],
            params=self._params,
        )
        new = self.strategy.aspiration(ctx)
        s.aspiration[:, self.index] = np.where(s.active, new, s.aspiration[:, self.index])
