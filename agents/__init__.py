"""The Mesa agents: negotiators and their concession strategies."""

from agents.negotiator import Negotiator
from agents.strategies import STRATEGIES, Strategy, StrategyContext

__all__ = ["STRATEGIES", "Negotiator", "Strategy", "StrategyContext"]
