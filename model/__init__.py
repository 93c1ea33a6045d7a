"""The simulation core: scenarios, the negotiation model, outcomes and the ensemble engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.errors import ScenarioError
from model.loading import DEFAULT_SCENARIO, list_scenarios, load_scenario

if TYPE_CHECKING:
    from model.ensemble import run_ensemble
    from model.negotiation import NegotiationModel
    from model.outcome import Outcome

__all__ = [
    "DEFAULT_SCENARIO",
    "NegotiationModel",
    "Outcome",
    "ScenarioError",
    "list_scenarios",
    "load_scenario",
    "run_ensemble",
]

_LAZY = {
    "NegotiationModel": "model.negotiation",
    "Outcome": "model.outcome",
    "run_ensemble": "model.ensemble",
}


def __getattr__(name: str) -> Any:
    # Loaded on first use so that reading and validating scenarios (`negotiate validate`)
    # starts without importing Mesa, pandas and SciPy.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
