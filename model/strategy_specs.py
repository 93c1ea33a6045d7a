"""The concession strategies a scenario may name, with their parameters.

This is part of the scenario's vocabulary, like its issues and sides: a scenario file names a
strategy kind and sets its parameters, and the schema checks them here. How each kind moves a
party's aspiration is the party's behaviour and lives with the agents
(``agents/strategies.py``, one class per kind named here).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    """A strategy parameter: default (None when required), allowed range and meaning."""

    default: float | None
    lo: float
    hi: float
    doc: str


@dataclass(frozen=True)
class StrategySpec:
    """A strategy kind: one line saying what it does, and its parameters."""

    summary: str
    params: dict[str, ParamSpec]


_GAIN = ParamSpec(1.0, 0.0, 10.0, "multiple of the other sides' concession returned")

STRATEGY_SPECS: dict[str, StrategySpec] = {
    "time_dependent": StrategySpec(
        "concedes toward its reservation as the deadline nears; e>1 Boulware, e<1 Conceder",
        {
            "exponent": ParamSpec(None, 1e-3, 100.0, "e: >1 Boulware, 1 linear, <1 Conceder"),
            "reciprocity": ParamSpec(0.0, 0.0, 10.0, "answer to concessions received"),
        },
    ),
    "relative_tit_for_tat": StrategySpec(
        "mirrors the other sides' last concession as a share of its own room",
        {
            "gain": _GAIN,
            "opening": ParamSpec(0.05, 0.0, 1.0, "share of its room conceded in its first answer"),
        },
    ),
    "absolute_tit_for_tat": StrategySpec(
        "mirrors the other sides' last concession point for point",
        {
            "gain": _GAIN,
            "opening": ParamSpec(0.05, 0.0, 1.0, "utility conceded in its first answer"),
        },
    ),
    "zeuthen": StrategySpec(
        "concedes just enough when its offer has the smaller Nash product (risk)",
        {"step": ParamSpec(0.01, 1e-6, 1.0, "smallest concession, in its own utility")},
    ),
    "hardliner": StrategySpec(
        "holds a fixed aspiration (its ideal unless a level is given)",
        {"level": ParamSpec(1.0, 0.0, 1.0, "the aspiration it holds")},
    ),
}


def validate_strategy(kind: str, params: dict[str, float]) -> str | None:
    """Check a strategy's kind and parameters.

    Args:
        kind: The strategy kind named in the scenario.
        params: Its parameters.

    Returns:
        None when valid, else a one-line description of the problem.
    """
    if kind not in STRATEGY_SPECS:
        return f"unknown strategy {kind!r} (known: {', '.join(STRATEGY_SPECS)})"
    spec = STRATEGY_SPECS[kind].params
    for name, value in params.items():
        if name not in spec:
            return f"{kind} has no parameter {name!r} (known: {', '.join(spec)})"
        p = spec[name]
        if not p.lo <= value <= p.hi:
            return f"{name} = {value} is outside [{p.lo}, {p.hi}]"
    missing = [n for n, p in spec.items() if p.default is None and n not in params]
    if missing:
        return f"{kind} needs {', '.join(missing)}"
    return None


def strategy_params(kind: str, params: dict[str, float]) -> dict[str, float]:
    """Return all parameters of a strategy, with defaults filled in."""
    spec = STRATEGY_SPECS[kind].params
    return {n: float(params.get(n, p.default)) for n, p in spec.items()}  # type: ignore[arg-type]


def param_range(kind: str, name: str) -> tuple[float, float]:
    """Return the allowed range of a strategy parameter."""
    p = STRATEGY_SPECS[kind].params[name]
    return p.lo, p.hi
