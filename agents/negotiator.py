"""The Mesa agent: one negotiator, holding its priorities, ideal point, reservation and strategy.

A negotiator's numbers live in the model's arrays (one row per run) so that one agent steps a
single run or a whole ensemble with the same code; its attributes read run 0 for display.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents.offers import OfferView
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
            k[len(prefix) :]: v
            for k, v in model.compiled.run_params.items()
            if k.startswith(prefix)
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

    @property
    def strategy_kind(self) -> str:
        """The kind of the negotiator's strategy (agents are grouped by it each day)."""
        return self.strategy.kind

    def update_aspiration(self) -> None:
        """Move today's aspiration by the strategy, in every run still running."""
        update_aspirations([self])


def update_aspirations(group: Sequence[Negotiator]) -> None:
    """Move the aspirations of negotiators sharing one strategy kind, in one vectorised call.

    Args:
        group: Negotiators of one model whose strategies are of the same kind.
    """
    first = group[0]
    m, s, c = first.model, first.model.state, first.model.compiled
    cols = np.array([a.index for a in group], dtype=np.intp)
    params = m.group_params.get(tuple(cols))
    if params is None:  # stacked once: parameters never change during a run
        names = first._params.keys()
        params = {
            n: np.stack(np.broadcast_arrays(*(a._params[n] for a in group)), axis=1) for n in names
        }
        m.group_params[tuple(cols)] = params
    tau = elapsed(s, c, m.day, cols)
    # Full-shape, contiguous parameters: numpy takes shortcuts (x**2 as x*x) for broadcast
    # operands, which would make a run's last bits depend on the size of its ensemble.
    params = {n: np.ascontiguousarray(np.broadcast_to(v, tau.shape)) for n, v in params.items()}
    view = OfferView(m, cols)
    ctx = StrategyContext(
        tau=tau,
        reservation=s.reservation[:, cols],
        previous=s.aspiration[:, cols],
        received=m.ledger.received[:, cols],
        params=params,
        offers=view,
    )
    new = first.strategy.aspiration(ctx)
    s.aspiration[:, cols] = np.where(s.active[:, None], new, ctx.previous)
    if first.strategy.answers_offers:
        replied = s.active[:, None] & view.fresh
        s.replied[:, cols] = np.where(replied, s.rounds[:, None], s.replied[:, cols])
