"""The Mesa agents: one Negotiator per party, which aspires, proposes and responds."""

from __future__ import annotations

from agents.negotiator import Negotiator, Reason, Verdict
from agents.strategies import STRATEGIES, Strategy, StrategyContext

__all__ = ["STRATEGIES", "Negotiator", "Reason", "Strategy", "StrategyContext", "Verdict"]
