"""Bargaining theory's predictions on pies and frontiers, beside what the model gives.

Checks 1-4 of ``negotiate theory``: time-dependent tactics on a bilateral and an n-party pie,
and the Nash and Kalai-Smorodinsky solutions the solver finds. Each returns a ``Check``: its
table and verdict, and in ``data`` the further numbers its figure draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from experiments.chunks import run_in_chunks
from model.bargaining import problem_of, solutions_of, solve
from model.loading import load_scenario
from model.negotiation import NegotiationModel
from model.params import compile_scenario
from model.reduced import pie_scenario
from model.schema import Scenario
from model.utility import nash_product

DAYS = 100


@dataclass
class Check:
    """One prediction of theory beside the model's answer.

    Attributes:
        key: A short name (``bilateral``, ``two_level``, …); its figure's file is named by it.
        title: The prediction, as a heading.
        source: Where the prediction comes from.
        prediction: What theory says, in a sentence or two.
        table: The cases, each with what theory and the model give.
        passed: Whether every case holds.
        data: Numbers beyond the table that the check's figure draws, by name.
        notes: Lines printed after the table.
    """

    key: str
    title: str
    source: str
    prediction: str
    table: pd.DataFrame
    passed: bool
    data: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _final(scenario: Scenario | str, seed: int = 0, **kw: Any) -> NegotiationModel:
    m = NegotiationModel(scenario, rng=seed, collect=False, narrate=False, **kw)
    m.run_model()
    return m


# --- 1. bilateral pie, time-dependent tactics ---------------------------------------------


def check_bilateral(runs: int) -> Check:
    """Agreement time and shares of two time-dependent negotiators splitting a pie."""
    cases = [(1.0, 1.0), (2.0, 1.0), (0.5, 1.0), (3.0, 2.0), (1.0, 4.0), (0.3, 3.0)]
    rows = []
    for e1, e2 in cases:
        t_star = brentq(lambda t, a=e1, b=e2: t**a + t**b - 1.0, 1e-12, 1.0)
        m = _final(pie_scenario(2, exponents=[e1, e2]))
        o = m.outcome
        assert o is not None
        t = o.day / DAYS
        share = o.terms["share_p0"]
        lo, hi = sorted((1 - t**e1, t**e2))
        predicted = 1 - t_star**e1
        rows.append(
            {
                "e1": e1,
                "e2": e2,
                "t* (theory)": t_star,
                "t (model)": t,
                "share 1 (theory)": predicted,
                "share 1 (model)": share,
                "holds": o.status == "deal"
                and abs(t - t_star) <= 1 / DAYS + 1e-12
                and lo - 1e-9 <= share <= hi + 1e-9
                and min(lo, predicted) - 1e-9 <= share <= max(hi, predicted) + 1e-9,
            }
        )
    table = pd.DataFrame(rows)
    e1s = np.geomspace(0.2, 5.0, 25)
    model_share, model_t, theory_share, theory_t = [], [], [], []
    for e1 in e1s:
        ts = brentq(lambda t, a=e1: t**a + t - 1.0, 1e-12, 1.0)
        o = _final(pie_scenario(2, exponents=[e1, 1.0])).outcome
        assert o is not None
        theory_t.append(ts)
        theory_share.append(1 - ts**e1)
        model_t.append(o.day / DAYS)
        model_share.append(o.terms["share_p0"])
    return Check(
        key="bilateral",
        title="Bilateral pie: agreement time and shares of time-dependent tactics",
        source="Faratin, Sierra and Jennings (1998)",
        prediction="Aspirations a_i(t) = 1 - t^e_i meet at t* with t*^e1 + t*^e2 = 1; "
        "party 1 gets 1 - t*^e1. The model decides once a day, so both hold to 1/100.",
        table=table,
        passed=bool(table["holds"].all()),
        data={
            "e1": e1s,
            "theory_share": theory_share,
            "model_share": model_share,
            "theory_t": theory_t,
            "model_t": model_t,
        },
    )


# --- 2. n-party symmetric pie --------------------------------------------------------------


def check_nparty(runs: int) -> Check:
    """Symmetric n-party pie: agreement time and equal shares."""
    rows = []
    for n in (2, 3, 4, 5):
        for e in (0.5, 1.0, 2.0):
            t_star = (1 - 1 / n) ** (1 / e)
            o = _final(pie_scenario(n, exponents=[e] * n)).outcome
            assert o is not None
            t = o.day / DAYS
            shares = np.array(list(o.terms.values()))
            a = 1 - t**e
            spread = float(shares.max() - shares.min())
            rows.append(
                {
                    "n": n,
                    "e": e,
                    "t* (theory)": t_star,
                    "t (model)": t,
                    "share (theory)": 1 / n,
                    "shares (model, min–max)": f"{shares.min():.3f}–{shares.max():.3f}",
                    "holds": o.status == "deal"
                    and abs(t - t_star) <= 1 / DAYS + 1e-12
                    and spread <= abs(a - (1 - a) / (n - 1)) + 1e-9,
                }
            )
    table = pd.DataFrame(rows)
    return Check(
        key="nparty",
        title="Symmetric n-party pie: agreement time and equal shares",
        source="the n-party extension of Faratin et al. (1998)",
        prediction="All accept once n (1 - t^e) <= 1: at t* = (1 - 1/n)^(1/e), each with 1/n.",
        table=table,
        passed=bool(table["holds"].all()),
    )


# --- 2b. n-party asymmetric pie ------------------------------------------------------------


def asymmetric_cases() -> list[tuple[float, ...]]:
    """The exponents of each asymmetric pie: three parties with 1, 2 and 3 first."""
    return [(1.0, 2.0, 3.0), (0.5, 1.0, 2.0), (1.0, 1.0, 4.0), (1.0, 2.0, 3.0, 4.0)]


def check_asymmetric(runs: int) -> Check:
    """Asymmetric n-party pie: agreement time and shares of parties with different tactics."""
    rows = []
    for exps in asymmetric_cases():
        e = np.array(exps)
        n = len(e)
        t_star = brentq(lambda t, e=e, n=n: float(np.sum(t**e)) - (n - 1), 1e-12, 1.0)
        o = _final(pie_scenario(n, exponents=list(exps))).outcome
        assert o is not None
        t = o.day / DAYS
        shares = np.array([o.terms[f"share_p{k}"] for k in range(n)])
        theory = 1 - t_star**e
        aspiration = 1 - t**e  # what each insists on at the model's day
        surplus = max(1.0 - float(aspiration.sum()), 0.0)
        # One day moves party i's share by about e_i t^(e_i - 1) / DAYS; the day's surplus
        # goes to the parties who did not propose, so each share may sit that much higher.
        day_step = e * max(t, t_star) ** (e - 1) / DAYS
        holds = (
            o.status == "deal"
            and abs(t - t_star) <= 1 / DAYS + 1e-12
            and bool(np.all(shares >= aspiration - 1e-9))
            and bool(np.all(np.abs(shares - theory) <= day_step + surplus + 1e-9))
        )
        rows.append(
            {
                "exponents": ", ".join(f"{x:g}" for x in exps),
                "t* (theory)": t_star,
                "t (model)": t,
                "shares (theory)": ", ".join(f"{x:.3f}" for x in theory),
                "shares (model)": ", ".join(f"{x:.3f}" for x in shares),
                "holds": holds,
            }
        )
        if exps == (1.0, 2.0, 3.0):
            first = {"exponents": e, "theory": theory, "model": shares, "t_star": t_star, "t": t}
    table = pd.DataFrame(rows)
    return Check(
        key="asymmetric",
        title="Asymmetric n-party pie: agreement time and shares of different tactics",
        source="the n-party extension of Faratin et al. (1998)",
        prediction="Aspirations a_i(t) = 1 - t^e_i; all accept once they fit in the pie, at t* "
        "with t*^e1 + ... + t*^en = n - 1 (for exponents 1, 2 and 3: t* + t*^2 + t*^3 = 2), "
        "party i getting 1 - t*^e_i. The model decides once a day, so t holds to 1/100 and each "
        "share to a day's move of its aspiration plus the day's surplus.",
        table=table,
        passed=bool(table["holds"].all()),
        data=first,
    )


# --- 3. Nash solution on a pie -------------------------------------------------------------


def check_nash_pie(runs: int) -> Check:
    """The Nash solution of pies with a disagreement point and with a concave utility."""
    rows = []
    for d1, d2 in ((0.0, 0.0), (0.2, 0.0), (0.1, 0.3), (0.4, 0.2)):
        sol = solutions_of(compile_scenario(pie_scenario(2, reservations=[d1, d2])))
        x1 = float(sol.nash.package[0]) if sol.nash else math.nan
        predicted = d1 + (1 - d1 - d2) / 2
        rows.append(
            {
                "case": f"d = ({d1:g}, {d2:g}), linear",
                "x1 (theory)": predicted,
                "x1 (solver)": x1,
                "holds": abs(x1 - predicted) <= 1e-6,
            }
        )
    for a in (0.25, 0.5, 0.75):
        sol = solutions_of(compile_scenario(pie_scenario(2, curvature=[a, 1.0])))
        x1 = float(sol.nash.package[0]) if sol.nash else math.nan
        rows.append(
            {
                "case": f"u1 = x^{a:g}, d = 0",
                "x1 (theory)": a / (1 + a),
                "x1 (solver)": x1,
                "holds": abs(x1 - a / (1 + a)) <= 1e-3,
            }
        )
    # A discrete space: brute force over a 1/200 grid of divisions.
    grid = np.linspace(0.0, 1.0, 201)
    for d1, d2, a in ((0.1, 0.25, 1.0), (0.0, 0.0, 0.5)):
        prob = problem_of(
            compile_scenario(pie_scenario(2, reservations=[d1, d2], curvature=[a, 1]))
        )
        u = prob.utilities(np.column_stack([grid, 1 - grid]))
        best = grid[np.argmax(nash_product(u, prob.disagreement))]
        x1 = float(solve(prob).nash.package[0])  # type: ignore[union-attr]
        rows.append(
            {
                "case": f"grid of 201, d = ({d1:g}, {d2:g}), u1 = x^{a:g}",
                "x1 (theory)": best,
                "x1 (solver)": x1,
                "holds": abs(x1 - best) <= 0.5 / 200 + 1e-9,
            }
        )
    table = pd.DataFrame(rows)
    return Check(
        key="nash_pie",
        title="Nash bargaining solution on a pie",
        source="Nash (1950)",
        prediction="With disagreement point d, x1 = d1 + (1 - d1 - d2)/2; with u1 = x^a and "
        "u2 = 1 - x, x1 = a/(1 + a); on a discrete space the solver agrees with brute force "
        "to the grid's resolution.",
        table=table,
        passed=bool(table["holds"].all()),
    )


# --- 4. Nash and Kalai–Smorodinsky on a curved frontier ----------------------------------


def check_frontier(runs: int) -> Check:
    """Nash and Kalai–Smorodinsky points on the frontier u2 = 1 - u1^2."""
    sol = solutions_of(compile_scenario(load_scenario("concave_pie")))
    rows = []
    for name, point, predicted in (
        ("Nash", sol.nash, 1 / math.sqrt(3)),
        ("Kalai–Smorodinsky", sol.kalai_smorodinsky, (math.sqrt(5) - 1) / 2),
    ):
        u1 = float(point.utility[0]) if point is not None else math.nan
        rows.append(
            {
                "solution": name,
                "u1 (theory)": predicted,
                "u1 (solver)": u1,
                "holds": abs(u1 - predicted) <= 1e-3,
            }
        )
    f = sol.frontier
    on_curve = float(np.max(np.abs(f[:, 1] - (1 - f[:, 0] ** 2))))
    rows.append(
        {
            "solution": "frontier points",
            "u1 (theory)": "u2 = 1 - u1^2",
            "u1 (solver)": f"max error {on_curve:.1e}",
            "holds": on_curve <= 1e-3,
        }
    )
    table = pd.DataFrame(rows)
    deals = run_in_chunks(
        pie_scenario(2, curvature=[0.5, 1], reservations=[0.2, 0.2], reservation_sd=0.1),
        0,
        min(runs, 1000),
    )
    deals = deals[deals["status"] == "deal"]
    return Check(
        key="frontier",
        title="Nash and Kalai–Smorodinsky on the frontier u2 = 1 - u1²",
        source="Nash (1950); Kalai and Smorodinsky (1975)",
        prediction="With d = 0: Nash u1 = 1/sqrt(3) ≈ 0.5774; Kalai–Smorodinsky "
        "u1 = (sqrt(5) - 1)/2 ≈ 0.6180.",
        table=table,
        passed=bool(table["holds"].all()),
        data={"solutions": sol, "deals": deals},
    )
