"""Bargaining theory: reduced to textbook cases, the model gives the textbook answers.

Every test computes its own oracle — a closed form, a root found by ``brentq``, or a brute-force
search over a grid or over the days — and compares it with what the model (or its bargaining
solver) produces. Nothing here reuses ``experiments/theory.py``.

Sources: Faratin, Sierra and Jennings (1998) for time-dependent tactics; Nash (1950); Kalai and
Smorodinsky (1975); Zeuthen (1930) and Harsanyi (1956) for monotonic concession; Schelling (1960)
and Putnam (1988) for two-level games.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from agents.offers import nash_product
from model.bargaining import problem_of, solutions_of, solve
from model.ensemble import run_ensemble
from model.loading import load_scenario
from model.negotiation import NegotiationModel
from model.params import compile_scenario
from model.reduced import pie_scenario
from model.schema import Scenario

D = 100  # days to the deadline in every pie scenario: the day resolution of t is 1/D
TOL = 1e-9  # the protocol's acceptance tolerance
RUNS = 2000  # runs per ensemble
SEEDS = np.arange(RUNS)
Z = 4.0  # standard errors an ensemble difference must clear

BILATERAL = [(1.0, 1.0), (2.0, 1.0), (0.5, 1.0), (3.0, 2.0), (1.0, 4.0), (0.3, 3.0)]


# --- oracles and helpers ------------------------------------------------------------------


def finish(scenario: str | Scenario, seed: int = 0) -> NegotiationModel:
    """A single run, stepped to its end."""
    m = NegotiationModel(scenario, rng=seed, collect=False, narrate=False)
    for _ in range(10 * D):
        if not m.running:
            return m
        m.step()
    raise AssertionError("the model was still running long after its deadline")


def aspiration(t: Any, e: float, r: Any = 0.0) -> Any:
    """Faratin et al.'s time-dependent aspiration a(t) = r + (1 - r)(1 - t^e)."""
    return r + (1.0 - r) * (1.0 - np.asarray(t, dtype=float) ** e)


def first_compatible_day(
    exponents: Sequence[float], reservations: np.ndarray, days: int = D
) -> tuple[np.ndarray, np.ndarray]:
    """Brute force over days 0..D: the first day two time-dependent aspirations fit in the pie.

    Args:
        exponents: (e1, e2).
        reservations: (R, 2) each run's reservation utilities.
        days: Days to the deadline.

    Returns:
        (R,) the first day with a1 + a2 <= 1 (-1 when there is none, a breakdown) and (R, 2)
        both aspirations on that day.
    """
    t = np.arange(days + 1) / days
    a = np.stack(
        [aspiration(t[None, :], e, reservations[:, [k]]) for k, e in enumerate(exponents)], -1
    )  # (R, D+1, 2)
    fits = a.sum(axis=-1) <= 1.0 + TOL
    day = np.where(fits.any(axis=1), np.argmax(fits, axis=1), -1)
    return day, a[np.arange(len(day)), np.maximum(day, 0)]


def mean_se(x: pd.Series) -> tuple[float, float]:
    """Sample mean and its standard error."""
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x)))


def deal_rate(df: pd.DataFrame) -> tuple[float, float]:
    """Share of runs ending in a deal and its binomial standard error."""
    p = float((df["status"] == "deal").mean())
    return p, math.sqrt(max(p * (1.0 - p), 0.25 / len(df)) / len(df))


def noisy_pie(e1: float, e2: float) -> Scenario:
    """A bilateral pie with reservations 0.2 ± 0.1: time-dependent tactics with uncertainty."""
    return pie_scenario(2, exponents=[e1, e2], reservations=[0.2, 0.2], reservation_sd=0.1)


@pytest.fixture(scope="module")
def noisy_ensemble() -> Callable[[float, float], pd.DataFrame]:
    """Ensembles of ``noisy_pie`` by exponents, computed once per module."""
    cache: dict[tuple[float, float], pd.DataFrame] = {}

    def get(e1: float, e2: float) -> pd.DataFrame:
        if (e1, e2) not in cache:
            cache[(e1, e2)] = run_ensemble(noisy_pie(e1, e2), SEEDS)
        return cache[(e1, e2)]

    return get


# --- 1. bilateral pie, time-dependent tactics ---------------------------------------------


def check_bilateral(m: NegotiationModel, e1: float, e2: float, keys: Sequence[str]) -> None:
    """The Faratin et al. prediction for one finished noise-free bilateral run."""
    o = m.outcome
    assert o is not None and o.status == "deal", o
    t_star = brentq(lambda t: t**e1 + t**e2 - 1.0, 0.0, 1.0, xtol=1e-14)
    t_d = o.day / D
    # The deal comes when the aspirations first fit in the pie: never before t*, within a day.
    assert t_star - TOL <= t_d <= t_star + 1.0 / D, (t_star, t_d)
    oracle_day, _ = first_compatible_day((e1, e2), np.zeros((1, 2)))
    assert o.day == oracle_day[0]
    # Aspirations on the deal day are a(t_d) = 1 - t_d^e exactly.
    np.testing.assert_allclose(
        m.state.aspiration[0], [1 - t_d**e1, 1 - t_d**e2], rtol=0, atol=1e-12
    )
    # Party 0's share is 1 - t*^e1 to the day resolution: between its own aspiration and what
    # the other's aspiration leaves it, an interval that contains the prediction.
    share = o.terms[f"share_{keys[0]}"]
    lo, hi = 1.0 - t_d**e1, t_d**e2
    assert lo - TOL <= 1.0 - t_star**e1 <= hi + TOL  # the oracle's own consistency
    assert lo - TOL <= share <= hi + TOL, (share, lo, hi, 1 - t_star**e1)
    assert math.isclose(share + o.terms[f"share_{keys[1]}"], 1.0, abs_tol=1e-12)


@pytest.mark.parametrize(("e1", "e2"), BILATERAL)
def test_time_dependent_pair_agrees_at_t_star_with_share_one_minus_t_star_to_the_e1(
    e1: float, e2: float
) -> None:
    """Faratin et al. (1998): a_i(t) = 1 - t^e_i meet at t*^e1 + t*^e2 = 1; p0 gets 1 - t*^e1."""
    check_bilateral(finish(pie_scenario(2, exponents=[e1, e2])), e1, e2, ("p0", "p1"))


def test_bundled_bilateral_pie_gives_the_boulware_against_linear_answer() -> None:
    """Faratin et al. (1998): bilateral_pie is the (e1, e2) = (2, 1) case, t* = (sqrt(5) - 1)/2."""
    m = finish("bilateral_pie")
    check_bilateral(m, 2.0, 1.0, ("a", "b"))
    built = finish(pie_scenario(2, exponents=[2.0, 1.0])).outcome
    assert built is not None and m.outcome is not None
    assert m.outcome.day == built.day
    assert m.outcome.terms["share_a"] == pytest.approx(built.terms["share_p0"], abs=1e-12)


# --- 2. symmetric n-party pie -------------------------------------------------------------


def check_symmetric(m: NegotiationModel, n: int, e: float) -> None:
    """All accept once n a(t) <= 1, at t* = (1 - 1/n)^(1/e), with (nearly) equal shares."""
    o = m.outcome
    assert o is not None and o.status == "deal", o
    t_star = (1.0 - 1.0 / n) ** (1.0 / e)
    t_d = o.day / D
    assert t_star - TOL <= t_d <= t_star + 1.0 / D, (t_star, t_d)
    a_days = aspiration(np.arange(D + 1) / D, e)
    assert o.day == int(np.argmax(a_days <= 1.0 / n + TOL))  # brute force over the days
    shares = np.array(list(o.terms.values()))
    a = float(aspiration(t_d, e))
    # The proposer keeps a(t_d) and gives (1 - a)/(n - 1) to each other party.
    assert shares.max() - shares.min() <= abs(a - (1 - a) / (n - 1)) + TOL, (shares, a)
    assert math.isclose(shares.sum(), 1.0, abs_tol=1e-12)
    assert np.all(np.abs(shares - 1.0 / n) <= abs(a - 1.0 / n) + TOL)


@pytest.mark.parametrize("e", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_symmetric_n_party_pie_agrees_at_t_star_with_equal_shares(n: int, e: float) -> None:
    """Faratin et al. (1998), n parties: n (1 - t^e) <= 1 from t* = (1 - 1/n)^(1/e); 1/n each."""
    check_symmetric(finish(pie_scenario(n, exponents=[e] * n)), n, e)


def test_bundled_nparty_pie_is_the_three_party_boulware_case() -> None:
    """Faratin et al. (1998): nparty_pie, three parties with e = 2, agree at t* = sqrt(2/3)."""
    check_symmetric(finish("nparty_pie"), 3, 2.0)


@pytest.mark.parametrize(
    "exponents", [(1.0, 2.0, 3.0), (0.5, 1.0, 2.0), (1.0, 1.0, 4.0), (3.0, 2.0, 1.0), (1.0, 3.0)]
)
def test_asymmetric_pie_agrees_at_t_star_with_shares_one_minus_t_star_to_each_exponent(
    exponents: tuple[float, ...],
) -> None:
    """Faratin et al. (1998), n parties with exponents e_i: sum t*^e_i = n - 1; 1 - t*^e_i each.

    Brute force over the days finds the first day on which the aspirations fit in the pie; the
    model must agree that day, give each party at least its aspiration, and share out exactly
    the pie.
    """
    e = np.array(exponents)
    n = len(e)
    o = finish(pie_scenario(n, exponents=list(exponents))).outcome
    assert o is not None and o.status == "deal", o
    t_star = brentq(lambda t: float(np.sum(t**e)) - (n - 1), 1e-12, 1.0)
    days = np.arange(D + 1) / D
    fits = (1.0 - days[:, None] ** e).sum(axis=1) <= 1.0 + TOL
    assert o.day == int(np.argmax(fits)), (o.day, t_star)
    t_d = o.day / D
    assert t_star - TOL <= t_d <= t_star + 1.0 / D
    shares = np.array([o.terms[f"share_p{k}"] for k in range(n)])
    a = 1.0 - t_d**e
    assert np.all(shares >= a - TOL), (shares, a)
    assert math.isclose(shares.sum(), 1.0, abs_tol=1e-12)
    # What is left over on the day goes to the parties in proportion to what they ask.
    surplus = 1.0 - a.sum()
    assert np.all(shares <= a + surplus + TOL)
    assert np.all(np.abs(shares - (1.0 - t_star**e)) <= e / D + surplus + TOL)


# --- 3. the Nash solution on a pie --------------------------------------------------------


@pytest.mark.parametrize(
    ("d1", "d2"), [(0.0, 0.0), (0.2, 0.0), (0.1, 0.3), (0.4, 0.2), (0.05, 0.6)]
)
def test_nash_split_gives_each_its_disagreement_value_plus_half_the_surplus(
    d1: float, d2: float
) -> None:
    """Nash (1950): on a linear pie with disagreement point d, x1 = d1 + (1 - d1 - d2)/2."""
    sol = solutions_of(compile_scenario(pie_scenario(2, reservations=[d1, d2])))
    assert sol.zopa and sol.nash is not None
    x = sol.nash.package
    assert x[0] == pytest.approx(d1 + (1 - d1 - d2) / 2, abs=1e-6)
    assert x.sum() == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_allclose(sol.nash.utility, x, atol=1e-9)  # linear: utility = share


@pytest.mark.parametrize("d", [(0.0, 0.0, 0.0), (0.1, 0.2, 0.3), (0.3, 0.0, 0.5)])
def test_nash_split_of_a_three_party_pie_shares_the_surplus_equally(
    d: tuple[float, float, float],
) -> None:
    """Nash (1950), n parties: x_i = d_i + (1 - sum d)/n on a linear pie."""
    sol = solutions_of(compile_scenario(pie_scenario(3, reservations=list(d))))
    assert sol.nash is not None
    np.testing.assert_allclose(sol.nash.package, np.array(d) + (1 - sum(d)) / 3, atol=1e-6)


@pytest.mark.parametrize("a", [0.25, 0.5, 0.75])
def test_nash_split_with_concave_utility_gives_a_over_one_plus_a(a: float) -> None:
    """Nash (1950): u1 = x^a, u2 = 1 - x, d = 0; max x^a (1 - x) at x1 = a/(1 + a)."""
    sol = solutions_of(compile_scenario(pie_scenario(2, curvature=[a, 1.0])))
    assert sol.nash is not None
    x1 = float(sol.nash.package[0])
    assert x1 == pytest.approx(a / (1 + a), abs=1e-3)
    assert sol.nash.utility[0] == pytest.approx(x1**a, abs=1e-9)
    assert sol.nash.utility[1] == pytest.approx(1 - x1, abs=1e-9)


@pytest.mark.parametrize(
    ("d1", "d2", "a"), [(0.1, 0.25, 1.0), (0.0, 0.0, 0.5), (0.2, 0.1, 0.4), (0.3, 0.0, 0.7)]
)
def test_nash_solver_matches_brute_force_over_a_grid_of_divisions(
    d1: float, d2: float, a: float
) -> None:
    """Nash (1950): the solver's package is the grid argmax of (u1 - d1)(u2 - d2), to the grid."""
    step = 1.0 / 400
    x = np.linspace(0.0, 1.0, 401)
    product = np.maximum(x**a - d1, 0.0) * np.maximum(1.0 - x - d2, 0.0)
    best = x[np.argmax(product)]
    sol = solve(
        problem_of(compile_scenario(pie_scenario(2, reservations=[d1, d2], curvature=[a, 1])))
    )
    assert sol.nash is not None
    x1 = float(sol.nash.package[0])
    assert abs(x1 - best) <= step, (x1, best)
    # The continuous optimum does at least as well as every division on the grid.
    assert (x1**a - d1) * (1.0 - x1 - d2) >= product.max() - 1e-7


def test_nash_solver_matches_brute_force_over_a_grid_of_two_issue_packages() -> None:
    """Nash (1950) on two_level's two issues (win-sets left out): grid argmax = solver's package."""
    sc = load_scenario("two_level")
    n = 401
    g = np.linspace(0.0, 1.0, n)
    grid = np.stack(np.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)  # normalised packages
    lo = np.array([i.min for i in sc.issues])
    span = np.array([i.max - i.min for i in sc.issues])
    u = []
    for p in sc.parties:  # linear value: 1 at the ideal, 0 at the far end of the range
        ideal = (np.array([p.ideal[i.key] for i in sc.issues]) - lo) / span
        w = np.array([p.priorities[i.key] for i in sc.issues])
        value = 1.0 - np.abs(grid - ideal) / np.maximum(ideal, 1.0 - ideal)
        u.append(value @ w)
    util = np.column_stack(u)
    d = np.array([p.reservation for p in sc.parties])
    product = np.prod(np.maximum(util - d, 0.0), axis=1)
    best = grid[np.argmax(product)]
    sol = solve(problem_of(compile_scenario(sc)))
    assert sol.nash is not None
    assert np.all(np.abs(sol.nash.package - best) <= 1.0 / (n - 1)), (sol.nash.package, best)
    assert np.prod(sol.nash.utility - d) >= product.max() - 1e-7


# --- 4. Nash and Kalai–Smorodinsky on a curved frontier ----------------------------------


@pytest.fixture(scope="module")
def concave_solutions() -> Any:
    return solutions_of(compile_scenario(load_scenario("concave_pie")))


def test_nash_point_on_frontier_one_minus_u1_squared_is_one_over_sqrt3(concave_solutions) -> None:
    """Nash (1950): max u1 (1 - u1^2) at u1 = 1/sqrt(3), u2 = 2/3 (share x1 = 1/3)."""
    nash = concave_solutions.nash
    assert nash is not None
    assert nash.utility[0] == pytest.approx(1 / math.sqrt(3), abs=1e-3)
    assert nash.utility[1] == pytest.approx(2 / 3, abs=1e-3)
    assert nash.package[0] == pytest.approx(1 / 3, abs=1e-3)


def test_kalai_smorodinsky_point_on_frontier_one_minus_u1_squared_is_the_golden_ratio(
    concave_solutions,
) -> None:
    """Kalai and Smorodinsky (1975): utopia (1, 1), so u1 = u2 = 1 - u1^2: u1 = (sqrt(5) - 1)/2."""
    ks = concave_solutions.kalai_smorodinsky
    assert ks is not None
    np.testing.assert_allclose(concave_solutions.utopia, [1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(ks.utility, [(math.sqrt(5) - 1) / 2] * 2, atol=1e-3)


def test_solver_frontier_lies_on_u2_equals_one_minus_u1_squared(concave_solutions) -> None:
    """The concave pie's Pareto frontier: u1 = sqrt(x), u2 = 1 - x, i.e. u2 = 1 - u1^2."""
    f = concave_solutions.frontier
    assert len(f) >= 50
    assert f[:, 0].min() <= 1e-3 and f[:, 0].max() >= 1 - 1e-3  # it spans the whole frontier
    np.testing.assert_allclose(f[:, 1], 1.0 - f[:, 0] ** 2, atol=1e-3)


# --- 5. Zeuthen's monotonic concession ----------------------------------------------------


def zeuthen_case(d: tuple[float, float] | None) -> tuple[str | Scenario, tuple[float, float]]:
    if d is None:
        return "zeuthen_pie", (0.2, 0.0)
    zeuthen = {"kind": "zeuthen", "params": {"step": 0.01}}
    return pie_scenario(2, strategies=[zeuthen, zeuthen], reservations=list(d)), d


@pytest.mark.parametrize("d", [None, (0.0, 0.0), (0.1, 0.3), (0.35, 0.15)])
def test_zeuthen_concessions_raise_the_nash_product_and_end_at_the_nash_split(
    d: tuple[float, float] | None,
) -> None:
    """Zeuthen (1930), Harsanyi (1956): the side with the smaller Nash product (risk) concedes,
    just enough to reverse that; each concession raises its offer's Nash product, and the talks
    end at the Nash split x1 = d1 + (1 - d1 - d2)/2 (None: the bundled zeuthen_pie)."""
    scenario, (d1, d2) = zeuthen_case(d)
    m = NegotiationModel(scenario, rng=0, collect=False, narrate=False)
    c, s = m.compiled, m.state
    # Party k values only share k, linearly, so its utility of a package is its k-th share.
    np.testing.assert_array_equal(c.weights[0], np.eye(2))
    np.testing.assert_array_equal(s.reservation[0], [d1, d2])
    step = 0.01
    assert all(c.strategy_params[k]["step"][0] == step for k in range(2))
    offers = []
    while m.running:
        m.step()
        offers.append(s.offers[0].copy())  # (side, issue): each side's tabled package
        assert len(offers) <= D + 1
    o = m.outcome
    tabled = np.array(offers)  # (days, S, I)
    nash = nash_product(tabled, s.reservation[0])  # (days, S)
    np.testing.assert_array_equal(tabled[0], np.eye(2))  # both open at their ideals
    concessions = 0
    for day in range(1, len(tabled)):
        for k in range(2):
            old, new = tabled[day - 1, k], tabled[day, k]
            if np.array_equal(old, new):
                continue
            concessions += 1
            other = 1 - k
            where = f"day {day}, side {k}"
            assert new[k] < old[k], where  # a concession, never a retraction
            assert nash[day, k] > nash[day - 1, k], where  # it raises the Nash product
            assert nash[day - 1, k] <= nash[day - 1, other] + 1e-12, where  # the smaller risk
            # Enough to reverse the comparison, unless it takes the other side's offer ...
            took = np.allclose(new, tabled[day - 1, other], atol=1e-6)
            assert nash[day, k] > nash[day - 1, other] or took, where
            # ... by at least a step, and no more than that: one step, or else keeping 1e-5
            # more of the pie would not have reversed it (the product (x - d_k)(1 - x - d_j)).
            given = old[k] - new[k]
            assert given >= step - TOL or took, where
            kept = new[k] + 1e-5
            less = (kept - s.reservation[0, k]) * (1.0 - kept - s.reservation[0, other])
            assert given <= step + TOL or less <= nash[day - 1, other] or took, where
    assert concessions >= 20  # the path is gradual, not a single jump
    best = nash.max(axis=1)
    assert np.all(np.diff(best) >= 0.0), "the best Nash product on the table fell"
    assert o is not None and o.status == "deal", o
    share = o.terms[c.issue_keys[0]]
    assert share == pytest.approx(d1 + (1 - d1 - d2) / 2, abs=0.02)


# --- 6 and 7. Boulware advantage and the deadline effect ---------------------------------


@pytest.mark.parametrize(("e1", "e2"), [(1.0, 1.0), (3.0, 1.0), (4.0, 4.0), (0.3, 0.3)])
def test_noisy_time_dependent_runs_end_on_their_own_oracle_day_and_share(
    noisy_ensemble, e1: float, e2: float
) -> None:
    """Faratin et al. (1998) run by run: with reservations r, a_i = r_i + (1 - r_i)(1 - t^e_i);
    each run agrees on the first day a1 + a2 <= 1 (never, a breakdown), p0 getting between a1
    and 1 - a2 of that day."""
    df = noisy_ensemble(e1, e2)
    res = df[["reservation_p0", "reservation_p1"]].to_numpy()
    day, a = first_compatible_day((e1, e2), res)
    deal = df["status"].to_numpy() == "deal"
    np.testing.assert_array_equal(deal, day >= 0)
    np.testing.assert_array_equal(df["day"].to_numpy()[deal], day[deal])
    share = df["term_share_p0"].to_numpy()[deal]
    assert np.all(share >= a[deal, 0] - TOL)
    assert np.all(share <= 1.0 - a[deal, 1] + TOL)


def test_more_boulware_party_gets_a_larger_share_later(noisy_ensemble) -> None:
    """Faratin et al. (1998): against a linear opponent, a Boulware e1 = 3 holds out longer and
    gets more than a linear e1 = 1, conditional on a deal (beyond Z standard errors)."""
    linear, boulware = noisy_ensemble(1.0, 1.0), noisy_ensemble(3.0, 1.0)
    lin, bou = linear[linear["status"] == "deal"], boulware[boulware["status"] == "deal"]
    assert len(lin) > RUNS / 2 and len(bou) > RUNS / 2
    (m1, s1), (m3, s3) = mean_se(lin["term_share_p0"]), mean_se(bou["term_share_p0"])
    assert m3 - m1 > Z * math.hypot(s1, s3), (m1, m3, s1, s3)
    (d1, t1), (d3, t3) = mean_se(lin["day"]), mean_se(bou["day"])
    assert d3 - d1 > Z * math.hypot(t1, t3), (d1, d3, t1, t3)


@pytest.mark.parametrize("e", [4.0, 5.0])
def test_boulware_pairs_settle_against_the_deadline(noisy_ensemble, e: float) -> None:
    """Faratin et al. (1998): with e > 1 on both sides the deal comes at
    t* = (1/(2 - r1 - r2))^(1/e), near 1: far more than a tenth of the deals fall in the last
    tenth of the time."""
    df = noisy_ensemble(e, e)
    deals = df[df["status"] == "deal"]
    assert len(deals) > RUNS / 2
    late = float((deals["day"] >= 0.9 * D).mean())
    assert late > 0.3, late


def test_conceder_pairs_settle_early(noisy_ensemble) -> None:
    """Faratin et al. (1998): Conceders (e = 0.3) settle early: under a tenth of the deals fall
    in the last tenth of the time, so the deadline test above can tell the tactics apart."""
    df = noisy_ensemble(0.3, 0.3)
    deals = df[df["status"] == "deal"]
    assert len(deals) > RUNS / 2
    late = float((deals["day"] >= 0.9 * D).mean())
    assert late < 0.1, late


# --- 8. two-level games -------------------------------------------------------------------


def japan_caps() -> dict[str, float]:
    """Japan's win-set in the bundled two_level scenario, issue -> max."""
    bounds = load_scenario("two_level").sides["japan"].win_set
    return {b.issue: float(b.max) for b in bounds if b.max is not None}


TIGHTER = (8.0, 5.0)
WIDE = {"sides.japan.win_set.tariff.max": 25.0, "sides.japan.win_set.access.max": 1.0}


@pytest.fixture(scope="module")
def two_level_runs() -> dict[Any, pd.DataFrame]:
    """Ensembles of two_level: the baseline (None), tighter tariff caps, and no win-set."""
    out: dict[Any, pd.DataFrame] = {None: run_ensemble("two_level", SEEDS)}
    for cap in TIGHTER:
        out[cap] = run_ensemble(
            "two_level", SEEDS, overrides={"sides.japan.win_set.tariff.max": cap}
        )
    out["wide"] = run_ensemble("two_level", SEEDS, overrides=WIDE)
    return out


def test_two_level_baseline_win_set_is_wider_than_the_tightened_ones() -> None:
    """The comparisons below tighten Japan's win-set relative to the bundled one."""
    caps = japan_caps()
    assert caps["tariff"] > max(TIGHTER)
    assert caps["access"] < 1.0


def test_deals_lie_inside_japans_win_set(two_level_runs) -> None:
    """Putnam (1988): a deal must be ratifiable at home, so it lies inside the win-set."""
    caps = japan_caps()
    for key, df in two_level_runs.items():
        deals = df[df["status"] == "deal"]
        tariff_cap = caps["tariff"] if key is None else 25.0 if key == "wide" else key
        access_cap = 1.0 if key == "wide" else caps["access"]
        assert deals["term_tariff"].max() <= tariff_cap + 25 * TOL, key
        assert deals["term_access"].max() <= access_cap + TOL, key


def test_smaller_win_set_moves_deals_toward_japans_ideal(two_level_runs) -> None:
    """Schelling (1960), Putnam (1988): a negotiator with a smaller win-set gets a better deal —
    a lower mean tariff and a higher mean utility for Japan among deals (beyond Z SEs)."""
    previous = None
    for key in (None, *TIGHTER):
        deals = two_level_runs[key][two_level_runs[key]["status"] == "deal"]
        assert len(deals) > 100, key
        now = mean_se(deals["term_tariff"]), mean_se(deals["utility_japan"])
        if previous is not None:
            (tariff0, st0), (util0, su0) = previous
            (tariff1, st1), (util1, su1) = now
            assert tariff0 - tariff1 > Z * math.hypot(st0, st1), (key, tariff0, tariff1)
            assert util1 - util0 > Z * math.hypot(su0, su1), (key, util0, util1)
        previous = now


def test_smaller_win_set_makes_breakdowns_more_frequent(two_level_runs) -> None:
    """Putnam (1988): the smaller the win-set, the likelier no deal is ratifiable in time."""
    previous = None
    for key in (None, *TIGHTER):
        now = deal_rate(two_level_runs[key])
        if previous is not None:
            assert previous[0] - now[0] > Z * math.hypot(previous[1], now[1]), (key, previous, now)
        previous = now


def test_wider_win_set_raises_the_deal_probability(two_level_runs) -> None:
    """Putnam (1988): a larger win-set makes agreement more likely."""
    base, wide = deal_rate(two_level_runs[None]), deal_rate(two_level_runs["wide"])
    assert wide[0] - base[0] > Z * math.hypot(base[1], wide[1]), (base, wide)
