"""Bargaining metrics of problems beyond the exact hull's budget (``model.hull``).

Without the frontier's facets, the two metrics that need them are computed from the exact
oracle (``Problem.best``, each party's utility of the best package for a weighted sum) and the
candidates' utilities, at a cost that grows with the parties and candidates, never with the
frontier's facets:

- the Nash point, by fully corrective Frank-Wolfe: the best product of gains over the points
  found so far, then the oracle at that product's gradient, until the gradient finds nothing
  better (to ``GAP`` in the log of the product) or ``ITERATIONS`` points have been tried;
- the distance to the frontier, by one small linear program per distinct point (the largest
  equal gain over mixtures of each block's candidates), each point on its own, so a run's
  value does not depend on the other runs computed with it.

Both are deterministic. The linear programs are exact up to the solver's tolerances (about
1e-7), which is why these results are reported as approximate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp, minimize
from scipy.sparse import csc_array

Array = npt.NDArray[np.float64]
ITERATIONS = 100  # points Frank-Wolfe may add before it stops
GAP = 1e-10  # Frank-Wolfe stops once the log of the Nash product can rise by less than this


def nash_point(best: Callable[[Array], Array], d: Array, start: Array) -> tuple[Array, float]:
    """The point of U maximising the sum of log gains over d, by fully corrective Frank-Wolfe.

    Args:
        best: The oracle: for (N, P) weights, the (N, P) utilities of U's best points.
        d: (P,) the disagreement point.
        start: (P,) a point of U giving every party more than d (the egalitarian point).

    Returns:
        The point, and the gap: how much the log of the Nash product could still rise at
        most (by concavity, the gradient's gain towards the oracle's point).
    """
    points = start[None, :].copy()
    mix = np.ones(1)
    gap = np.inf
    for _ in range(ITERATIONS):
        u = _mixed(points, mix)
        w = 1.0 / (u - d)
        found = best(w[None, :])[0]
        gap = float(np.sum(w * (found - u)))
        if gap <= GAP or np.any(np.all(points == found[None, :], axis=1)):
            # Converged, or the oracle gives back a point already mixed: the inner program has
            # reached its solver's accuracy, and adding it again would change nothing.
            break
        points = np.vstack([points, found])
        mix = _best_mixture(points, d, np.append(mix, 0.0))
    return _mixed(points, mix), gap


def _mixed(points: Array, mix: Array) -> Array:
    return np.sum(points * mix[:, None], axis=0)


def _best_mixture(points: Array, d: Array, start: Array) -> Array:
    """The mixture of ``points`` with the largest sum of log gains, from a feasible start."""

    def objective(mix: Array) -> float:
        return -float(np.sum(np.log(np.maximum(_mixed(points, mix) - d, 1e-300))))

    def gradient(mix: Array) -> Array:
        gain = np.maximum(_mixed(points, mix) - d, 1e-300)
        return -np.sum(points / gain[None, :], axis=1)

    res = minimize(
        objective,
        start,
        jac=gradient,
        bounds=[(0.0, 1.0)] * len(start),
        constraints=[
            {"type": "eq", "fun": lambda m: np.sum(m) - 1.0, "jac": lambda m: np.ones_like(m)}
        ],
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 500},
    )
    mix = np.maximum(res.x, 0.0)
    mix /= mix.sum()
    # A step that left U's interior over d, or made things worse, is not taken.
    return mix if objective(mix) <= objective(start) else start


def frontier_distances(stacked: Array, mixes: list[int], util: Array) -> Array:
    """The largest equal gain every party could still get from each point, (R,).

    Zero on the frontier (and for a point beyond it). One linear program per distinct point:
    max t such that some mixture of each block's candidates gives every party u_p + t.

    Args:
        stacked: (C, P) every block's candidates' utilities, block after block.
        mixes: Candidates per block.
        util: (R, P) the points.

    Returns:
        The distances (NaN for a point with a NaN utility).
    """
    util = np.atleast_2d(util)
    n_c, n_p = stacked.shape
    # Variables [t, alpha]: t + u_p <= stacked[:, p] . alpha for each party p, and each
    # block's alpha sums to 1. (SciPy's milp without integers is HiGHS's LP with the least
    # overhead; the program is solved once per point.)
    block = np.zeros((len(mixes), n_c + 1))
    start = 1
    for b, m in enumerate(mixes):
        block[b, start : start + m] = 1.0
        start += m
    matrix = csc_array(np.vstack([np.hstack([np.ones((n_p, 1)), -stacked.T]), block]))
    lower = np.concatenate([np.full(n_p, -np.inf), np.ones(len(mixes))])
    c = np.zeros(n_c + 1)
    c[0] = -1.0
    bounds = Bounds(np.r_[-np.inf, np.zeros(n_c)], np.r_[np.inf, np.ones(n_c)])
    out = np.full(len(util), np.nan)
    finite = np.isfinite(util).all(axis=1)
    if not finite.any():
        return out
    rows, inverse = np.unique(util[finite], axis=0, return_inverse=True)
    gains = np.empty(len(rows))
    for k, u in enumerate(rows):
        upper = np.concatenate([-u, np.ones(len(mixes))])
        res = milp(c, constraints=LinearConstraint(matrix, lower, upper), bounds=bounds)
        gains[k] = -res.fun if res.status == 0 else np.nan
    out[finite] = np.maximum(gains[inverse.reshape(-1)], 0.0)
    return out


def supporting_facets(normals: Array, points: Array) -> Array:
    """[normal, offset] rows of the hyperplanes supporting U at the oracle's points, (N, P+1).

    U lies below every one of them: together they bound it from outside.
    """
    scale = np.sum(normals, axis=1, keepdims=True)
    normals = normals / scale
    return np.column_stack([normals, np.sum(normals * points, axis=1)])
