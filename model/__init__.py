"""The simulation core: scenarios, the negotiation model, outcomes and the ensemble engine."""

from model.ensemble import run_ensemble
from model.errors import ScenarioError
from model.loading import DEFAULT_SCENARIO, list_scenarios, load_scenario
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
