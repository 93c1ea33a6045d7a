"""Concession strategies: how a party's aspiration (the utility it insists on) moves day by day.

Every strategy works on whole arrays of runs at once, so the same code steps a single run or an
ensemble of a hundred thousand. A strategy reads the party's effective elapsed time, reservation
utility, yesterday's aspiration and the utility it has received from the other side's
concessions, and returns today's aspiration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ParamSpec:
    """A strategy parameter: default (None when required), allowed range and meaning."""

    default: float | None
    lo: float
    hi: float
    doc: str


@dataclass
class StrategyContext:
    """What a strategy may look at for one party, each array over runs.

    Attributes:
        tau: Effective elapsed share of the time to the deadline, in [0, 1].
        reservation: The party's reservation utility.
        previous: Yesterday's aspiration.
        received: Utility the party has gained from the other sides' concessions so far.
        params: The strategy's parameters, each of shape (1,) or (R,).
    """

    tau: Array
    reservation: Array
    previous: Array
    received: Array
    params: dict[str, Array]


class Strategy:
    """Base class: a named rule with declared parameters."""

    kind: ClassVar[str]
    summary: ClassVar[str]
    params: ClassVar[dict[str, ParamSpec]]

    def aspiration(self, ctx: StrategyContext) -> Array:
        """Return today's aspiration for every run."""
        raise NotImplementedError


class TimeDependent(Strategy):
    """Aspiration falls from 1 toward the reservation as a(t) = r + (1 - r)(1 - t^e).

    e > 1 is Boulware (holds firm, concedes late), e = 1 linear, e < 1 Conceder. A reciprocal
    component lowers the aspiration further by ``reciprocity`` times the utility the party has
    received from the other side's concessions. Aspirations never rise again.
    """

    kind = "time_dependent"
    summary = "concedes toward its reservation as the deadline nears; e>1 Boulware, e<1 Conceder"
    params: ClassVar[dict[str, ParamSpec]] = {
        "exponent": ParamSpec(None, 1e-3, 100.0, "e: >1 Boulware, 1 linear, <1 Conceder"),
        "reciprocity": ParamSpec(0.0, 0.0, 10.0, "answer to concessions received"),
    }

    def aspiration(self, ctx: StrategyContext) -> Array:  # noqa: D102
        r = ctx.reservation
        target = r + (1.0 - r) * (1.0 - ctx.tau ** ctx.params["exponent"])
        target = target - ctx.params["reciprocity"] * ctx.received
        # previous <= 1 always, so only the floor needs enforcing.
        return np.maximum(np.minimum(ctx.previous, target), r)


class Hardliner(Strategy):
    """Never concedes below a fixed level (1 is the party's ideal point)."""

    kind = "hardliner"
    summary = "holds a fixed aspiration (its ideal unless a level is given)"
    params: ClassVar[dict[str, ParamSpec]] = {
        "level": ParamSpec(1.0, 0.0, 1.0, "the aspiration it holds"),
    }

    def aspiration(self, ctx: StrategyContext) -> Array:  # noqa: D102
        return np.maximum(ctx.reservation, ctx.params["level"]) + 0.0 * ctx.previous


STRATEGIES: dict[str, type[Strategy]] = {s.kind: s for s in (TimeDependent, Hardliner)}


def validate_strategy(kind: str, params: dict[str, float]) -> str | None:
    """Check a strategy's kind and parameters.

    Args:
        kind: The strategy kind named in the scenario.
        params: Its parameters.

    Returns:
        None when valid, else a one-line description of the problem.
    """
    if kind not in STRATEGIES:
        return f"unknown strategy {kind!r} (known: {', '.join(STRATEGIES)})"
    spec = STRATEGIES[kind].params
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
    spec = STRATEGIES[kind].params
    return {n: float(params.get(n, p.default)) for n, p in spec.items()}  # type: ignore[arg-type]


def param_range(kind: str, name: str) -> tuple[float, float]:
    """Return the allowed range of a strategy parameter."""
    p = STRATEGIES[kind].params[name]
    return p.lo, p.hi


def make_strategy(kind: str) -> Strategy:
    """Instantiate a strategy by kind."""
    return STRATEGIES[kind]()
