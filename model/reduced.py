"""Textbook reduced cases built in code: a pie split among n parties, each with its own tactic.

The bundled files ``bilateral_pie``, ``nparty_pie``, ``concave_pie`` and ``zeuthen_pie`` are
instances; this builder makes the variants a theory check or a classroom needs (any n, any
exponents, disagreement points or curvature) without writing files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from model.schema import Scenario

START = dt.date(2025, 1, 1)


def pie_scenario(
    n: int = 2,
    *,
    strategies: Sequence[dict[str, Any]] | None = None,
    exponents: Sequence[float] | None = None,
    reservations: Sequence[float] | None = None,
    reservation_sd: float = 0.0,
    curvature: Sequence[float] | None = None,
    days: int = 100,
    name: str = "pie",
) -> Scenario:
    """N parties, each its own side, divide a pie of 1, meeting every day until a hard deadline.

    Party k (keys ``p0``, ``p1``, …) values only its own share ``share_k``, as share^curvature.

    Args:
        n: Number of parties (at least 2).
        strategies: Each party's strategy table ({"kind": ..., "params": {...}}); overrides
            ``exponents``.
        exponents: Time-dependent exponents (default 1 for everyone).
        reservations: Reservation utilities, the disagreement point (default 0).
        reservation_sd: Spread of the reservations across runs.
        curvature: Value exponents (default 1, linear).
        days: Days from the start to the deadline (the day resolution of t is 1/days).
        name: Scenario name.

    Returns:
        A validated scenario.
    """
    if n < 2:
        raise ValueError("a pie needs at least two parties")
    keys = [f"p{k}" for k in range(n)]
    shares = [f"share_{k}" for k in keys]
    exps = list(exponents) if exponents is not None else [1.0] * n
    strats = (
        list(strategies)
        if strategies is not None
        else [{"kind": "time_dependent", "params": {"exponent": float(e)}} for e in exps]
    )
    res = list(reservations) if reservations is not None else [0.0] * n
    curv = list(curvature) if curvature is not None else [1.0] * n
    doc: dict[str, Any] = {
        "name": name,
        "title": f"{n}-party pie",
        "calendar": {
            "start": START,
            "deadline": START + dt.timedelta(days=days),
            "opening_side": keys[0],
            "cadence": {"min_gap_days": 1, "max_gap_days": 1},
            "extension": {"probability": 0.0, "days": 0},
        },
        "issues": [
            {
                "key": s,
                "label": f"{k}'s share",
                "unit": "share",
                "min": 0.0,
                "max": 1.0,
                "no_deal": 0.0,
                "pie": "pie",
            }
            for k, s in zip(keys, shares, strict=True)
        ],
        "sides": {k: {"name": k.upper(), "rule": "unanimity", "lead": k} for k in keys},
        "parties": [
            {
                "key": k,
                "name": k.upper(),
                "side": k,
                "reservation": float(res[j]),
                "reservation_sd": reservation_sd,
                "curvature": float(curv[j]),
                "priorities": {s: float(s == shares[j]) for s in shares},
                "ideal": {s: float(s == shares[j]) for s in shares},
                "strategy": strats[j],
            }
            for j, k in enumerate(keys)
        ],
    }
    return Scenario.model_validate(doc)
