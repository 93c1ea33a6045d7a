"""The Mesa agents: negotiators and their concession strategies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agents.strategies import STRATEGIES, Strategy, StrategyContext

if TYPE_CHECKING:
    from agents.negotiator import Negotiator

__all__ = ["STRATEGIES", "Negotiator", "Strategy", "StrategyContext"]


def __getattr__(name: str) -> Any:
    # Validating a scenario needs the strategy registry, not Mesa: the Negotiator (a
    # mesa.Agent) is imported on first use.
    if name == "Negotiator":
        from agents.negotiator import Negotiator

        return Negotiator
    raise AttributeError(f"module 'agents' has no attribute {name!r}")
