"""Cooperative bargaining solutions of a scenario, and how far an outcome lies from them.

The bargaining problem is the scenario's issue space (each pie kept whole), every party's
standing utility function, and the disagreement point d at the parties' reservation utilities.
Win-sets are left out: they are what the two-level game adds to the problem.

The issue space splits into independent blocks (an issue, or the shares of one pie). Each block
has a finite set of candidate points: for linear values the kinks of every party's value (the
range's ends and the ideals), which makes every result below exact; for curved values a fine
grid, which makes them exact to within the grid's square. Because values are concave, mixing
candidates never beats the package at their mean, so the comprehensive hull of the candidates'
utilities is the problem's utility set U, and each solution is a small convex program:

- Pareto frontier: the undominated points of U, found by maximising weighted sums;
- Nash: the point of U maximising the product of gains over d (Nash 1950);
- Kalai-Smorodinsky: the Pareto point on the line from d to the utopia point (each party's
  best in U given everyone gets at least d) (Kalai and Smorodinsky 1975);
- egalitarian: the largest equal gain for everyone (Kalai 1977);
- maximum welfare: the largest sum of utilities.

An outcome's distance to the frontier is the largest equal gain every party could still get
(0 on the frontier), computed from U's facets.

The facets come from a convex hull in one dimension per party (``model.hull``), whose size
explodes with the parties. A ``Budget`` of sizes known before each step (the parties, the
hull's vertices and facets, the candidates) bounds that work: beyond it the Nash point and the
frontier distances are computed without the hull (``model.approximate``) and the solutions are
marked "approximate", and beyond the candidates a linear program per run may take, frontier
distances are "skipped" (NaN). Every mark comes with a note saying why. The budget is counted
in sizes, never in seconds, so the same problem gives the same numbers on any machine.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property
from math import comb

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog, minimize

from model import approximate, hull
from model.params import Compiled
from model.utility import total, utilities

Array = npt.NDArray[np.float64]
GRID = 1001  # candidates on a curved issue; a curved pie's simplex gets a comparable number
MAX_CANDIDATES = 5_000  # a curved pie of three shares: a grid of 1/98
CHUNK = 512  # runs per block of the distance to the frontier: (CHUNK, facets) stays in cache
EXACT, APPROXIMATE, SKIPPED = "exact", "approximate", "skipped"  # how solutions were computed


@dataclass(frozen=True)
class Budget:
    """How large a problem the bargaining metrics take on, in sizes known before each step.

    Attributes:
        hull_parties: Most parties whose frontier is built as an exact hull. The hull has one
            dimension per party; its facets grow like its vertices to the power of half that.
        hull_vertices: Most vertices the hull may take, from five parties on (with fewer,
            refining stops at ``model.hull.MAX_VERTICES`` and the solutions stay exact
            for linear values).
        hull_facets: Most Pareto facets the hull may have after any round of refining, from
            five parties on.
        lp_candidates: Most candidate points (over all blocks) the linear program a run's
            frontier distance takes without the hull; beyond it the distances are skipped.
    """

    hull_parties: int = 5
    hull_vertices: int = 600
    hull_facets: int = 50_000
    lp_candidates: int = 10_000


BUDGET = Budget()


@dataclass(frozen=True)
class Problem:
    """A bargaining problem in normalised issue units.

    Attributes:
        weights: (P, I) priorities.
        ideal: (P, I) ideal points.
        curvature: (P,) value exponents.
        disagreement: (P,) the disagreement point d.
        pies: Issue indices of each pie.
    """

    weights: Array
    ideal: Array
    curvature: Array
    disagreement: Array
    pies: tuple[tuple[int, ...], ...] = ()

    def utilities(self, packages: Array) -> Array:
        """Every party's utility of each package, (N, P) for (N, I) packages."""
        return utilities(
            packages[None], self.weights[None], self.ideal[None], self.curvature[None]
        )[0]

    @cached_property
    def blocks(self) -> list[tuple[npt.NDArray[np.intp], Array]]:
        """Each block's issue indices and candidate points, (C, len(block))."""
        n_i = self.weights.shape[1]
        in_pie = {i for g in self.pies for i in g}
        out: list[tuple[npt.NDArray[np.intp], Array]] = []
        for g in self.pies:
            out.append((np.array(g), self._pie_candidates(np.array(g))))
        for i in range(n_i):
            if i not in in_pie:
                out.append((np.array([i]), self._issue_candidates(i)[:, None]))
        return out

    def _curved(self, issues: npt.NDArray[np.intp]) -> bool:
        valued = (self.weights[:, issues] > 0).any(axis=1)
        return bool(np.any(self.curvature[valued] != 1.0))

    def _issue_candidates(self, i: int) -> Array:
        kinks = np.concatenate([[0.0, 1.0], self.ideal[:, i]])
        if self._curved(np.array([i])):
            kinks = np.concatenate([kinks, np.linspace(0.0, 1.0, GRID)])
        return np.unique(kinks)

    def _pie_candidates(self, g: npt.NDArray[np.intp]) -> Array:
        m = len(g)
        if self._curved(g):
            res = 1
            while _simplex_size(res + 1, m) <= MAX_CANDIDATES and res < GRID - 1:
                res += 1
            pts = [c for c in itertools.product(range(res + 1), repeat=m - 1) if sum(c) <= res]
            a = np.array(pts, dtype=float) / res
            return np.column_stack([a, 1.0 - a.sum(axis=1)])
        # Linear values: every vertex of the pieces on which all values are linear has all but
        # one share at a kink (an end of its range or some party's ideal share).
        kinks = [np.unique(np.concatenate([[0.0, 1.0], self.ideal[:, i]])) for i in g]
        rows = []
        for free in range(m):
            fixed = [kinks[j] for j in range(m) if j != free]
            for combo in itertools.product(*fixed):
                rest = 1.0 - sum(combo)
                if -1e-12 <= rest <= 1.0 + 1e-12:
                    x = list(combo)
                    x.insert(free, min(max(rest, 0.0), 1.0))
                    rows.append(x)
        return np.unique(np.array(rows), axis=0)

    @cached_property
    def block_values(self) -> list[Array]:
        """Each block's contribution to each party's utility at each candidate, (C, P)."""
        out = []
        n_i = self.weights.shape[1]
        for issues, cand in self.blocks:
            pkg = np.broadcast_to(self.ideal.mean(axis=0), (len(cand), n_i)).copy()
            pkg[:, issues] = cand
            mask = np.zeros(n_i)
            mask[issues] = 1.0
            values = utilities(
                pkg[None], (self.weights * mask)[None], self.ideal[None], self.curvature[None]
            )[0]
            out.append(values)
        return out

    def best(self, directions: Array) -> tuple[Array, list[npt.NDArray[np.intp]]]:
        """Points of U maximising each weighted sum, and each block's chosen candidate.

        Args:
            directions: (N, P) non-negative weights.

        Returns:
            (N, P) utilities and, per block, (N,) candidate indices.
        """
        u = np.zeros((len(directions), self.weights.shape[0]))
        picks = []
        for values in self.block_values:
            k = np.argmax(directions @ values.T, axis=1)
            picks.append(k)
            u += values[k]
        return u, picks

    def package(self, mix: list[Array]) -> Array:
        """The package at each block's candidate mixture (the mean of its candidates)."""
        x = np.zeros(self.weights.shape[1])
        for (issues, cand), alpha in zip(self.blocks, mix, strict=True):
            x[issues] = alpha @ cand
        return x


def _simplex_size(res: int, m: int) -> int:
    return comb(res + m - 1, m - 1)


@dataclass
class Point:
    """A solution: the package (normalised) and every party's utility of it."""

    package: Array
    utility: Array


@dataclass
class Solutions:
    """The bargaining solutions of one problem.

    Attributes:
        problem: The problem.
        zopa: Whether some package gives every party more than its disagreement value.
        frontier: (F, P) Pareto-optimal vertices of U, for plotting (sorted by the first party
            when there are two).
        utopia: (P,) each party's best utility given every party gets at least d.
        nash, kalai_smorodinsky, egalitarian, max_welfare: The solution points (None without
            a zone of possible agreement, except the maximum-welfare point).
        facets: (n, P+1) the Pareto facets of U as [normal, offset], normal . u <= offset
            (when approximate, hyperplanes supporting U at ``frontier``: U lies below them).
        accuracy: "exact"; "approximate" beyond the budget's hull (the frontier is a sample
            of its vertices, the Nash point and the frontier distances come from solvers);
            "skipped" when frontier distances are not computed either (they are NaN).
        note: Why the solutions are not exact, in one line ("" when they are).
    """

    problem: Problem
    zopa: bool
    frontier: Array
    utopia: Array
    nash: Point | None
    kalai_smorodinsky: Point | None
    egalitarian: Point | None
    max_welfare: Point
    facets: Array = field(repr=False)
    accuracy: str = EXACT
    note: str = ""
    by_hull: bool = field(default=True, repr=False)  # distances from the facets

    def frontier_distance(self, util: Array) -> Array:
        """The largest equal gain every party could still get from each point, (R,).

        Zero on the frontier; computed from U's facets in chunks, elementwise (or, without an
        exact hull, by one linear program per point), so a run's value does not depend on
        which other runs are computed with it. NaN when skipped.
        """
        util = np.atleast_2d(util)
        if self.accuracy == SKIPPED:
            return np.full(len(util), np.nan)
        if not self.by_hull:
            values = self.problem.block_values
            return approximate.frontier_distances(np.vstack(values), [len(v) for v in values], util)
        n, off = self.facets[:, :-1], self.facets[:, -1]
        scale = total(n)  # (F,) normal . 1
        normal = np.ascontiguousarray(n.T)  # (P, F): each party's row contiguous
        out = np.empty(len(util))
        dot, term = np.empty((CHUNK, len(off))), np.empty((CHUNK, len(off)))
        for s in range(0, len(util), CHUNK):
            u = util[s : s + CHUNK]
            d, t = dot[: len(u)], term[: len(u)]
            # n . u party by party, in the order ``total`` adds, without an (r, F, P) temporary;
            # in place, in chunks whose arrays stay in cache.
            np.multiply(normal[0], u[:, 0, None], out=d)  # (r, F)
            for p in range(1, n.shape[1]):
                d += np.multiply(normal[p], u[:, p, None], out=t)
            np.subtract(off, d, out=d)
            out[s : s + CHUNK] = np.min(np.divide(d, scale, out=d), axis=1)
        return np.maximum(out, 0.0)

    def rows(self) -> list[dict[str, object]]:
        """One row per solution point: name, package and utilities (for tables and docs)."""
        out = []
        for name in ("nash", "kalai_smorodinsky", "egalitarian", "max_welfare"):
            p = getattr(self, name)
            if p is not None:
                out.append({"solution": name, "package": p.package, "utility": p.utility})
        return out


def _linprog(c: Array, a_ub: Array, b_ub: Array, mixes: list[int]) -> Array | None:
    """Solve an LP over block mixtures plus extra variables (the first ``len(c) - sum`` )."""
    n_mix = sum(mixes)
    extra = len(c) - n_mix
    a_eq = np.zeros((len(mixes), len(c)))
    start = extra
    for b, m in enumerate(mixes):
        a_eq[b, start : start + m] = 1.0
        start += m
    bounds = [(None, None)] * extra + [(0.0, 1.0)] * n_mix
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.ones(len(mixes)), bounds=bounds)
    return res.x if res.status == 0 else None


def solve(problem: Problem, budget: Budget = BUDGET) -> Solutions:
    """Compute the frontier and the solution points of a problem, within a budget.

    Args:
        problem: The bargaining problem.
        budget: How large a hull and how many candidates to take on (see ``Budget``).

    Returns:
        Its solutions, marked exact, approximate or skipped (with a note).
    """
    values = problem.block_values
    mixes = [len(v) for v in values]
    stacked = np.vstack(values)  # (sum C, P): u = stacked.T @ alpha
    n_p = problem.weights.shape[0]
    d = problem.disagreement

    def point(alpha: Array) -> Point:
        parts, start = [], 0
        for m in mixes:
            parts.append(alpha[start : start + m])
            start += m
        x = problem.package(parts)
        return Point(package=x, utility=problem.utilities(x[None])[0])

    # Maximum welfare: each block at its best candidate for the sum of utilities.
    _, picks = problem.best(np.ones((1, n_p)))
    alpha_w = np.concatenate([np.eye(m)[k[0]] for m, k in zip(mixes, picks, strict=True)])
    max_welfare = point(alpha_w)

    # Egalitarian: max t subject to stacked.T @ alpha - d >= t.
    c = np.concatenate([[-1.0], np.zeros(len(stacked))])
    a_ub = np.hstack([np.ones((n_p, 1)), -stacked.T])
    egal = _linprog(c, a_ub, -d, mixes)
    equal_gain = -np.inf if egal is None else egal[0]
    zopa = equal_gain > 1e-12
    egalitarian = point(egal[1:]) if zopa and egal is not None else None

    utopia = np.full(n_p, np.nan)
    ks = nash = None
    if zopa:
        # Utopia: each party's best over the individually rational part of U.
        ir = np.hstack([np.zeros((n_p, 1)), -stacked.T])
        for p in range(n_p):
            c = np.concatenate([[0.0], -stacked[:, p]])
            sol = _linprog(c, ir, -d, mixes)
            utopia[p] = -float(c @ sol) if sol is not None else np.nan
        # Kalai-Smorodinsky: max t with u - d >= t (utopia - d).
        c = np.concatenate([[-1.0], np.zeros(len(stacked))])
        a_ub = np.hstack([(utopia - d)[:, None], -stacked.T])
        sol = _linprog(c, a_ub, -d, mixes)
        ks = point(sol[1:]) if sol is not None else None

    accuracy, note = EXACT, ""
    try:
        if n_p > budget.hull_parties:
            raise hull.OverBudget(
                f"{n_p} parties: the exact frontier is built for at most {budget.hull_parties}"
            )
        # Up to four parties the hull's facets grow about as its vertices, which
        # ``hull.MAX_VERTICES`` bounds; from five on they explode, and the budget bounds both.
        big = n_p >= hull.JOGGLE_FROM
        frontier, facets, complete = hull.frontier(
            problem, budget.hull_vertices if big else None, budget.hull_facets if big else None
        )
        by_hull = True
        if not complete:
            accuracy = APPROXIMATE
            note = f"the curved frontier's refinement stopped at {hull.MAX_VERTICES:,} vertices"
    except hull.OverBudget as over:
        # Beyond the hull: the vertices the sampled weights find, and the hyperplanes that
        # support U there; the Nash point and the distances come from the oracle instead.
        normals = hull.directions(n_p)
        found, _ = problem.best(normals)
        frontier, first = np.unique(found, axis=0, return_index=True)
        facets = approximate.supporting_facets(normals[first], frontier)
        by_hull, accuracy = False, APPROXIMATE
        distances = "frontier distances by linear programs"
        if len(stacked) > budget.lp_candidates:
            accuracy = SKIPPED
            distances = (
                f"frontier distances skipped: {len(stacked):,} candidate points, more than "
                f"the {budget.lp_candidates:,} a linear program per run may take"
            )
        note = f"{over}; Nash point by Frank-Wolfe, {distances}"
    if zopa and egalitarian is not None and egal is not None:
        if by_hull:
            target = _nash(facets, d, d + 0.5 * (egalitarian.utility - d))
        else:
            # From the egalitarian mixture's utilities: a point of U giving everyone more than d
            # (each block's weights made a mixture exactly, as the solver's are within 1e-7).
            start = np.zeros(n_p)
            offset = 1
            for block in values:
                weight = np.maximum(egal[offset : offset + len(block)], 0.0)
                start += np.sum(block * (weight / weight.sum())[:, None], axis=0)
                offset += len(block)
            target, _ = approximate.nash_point(lambda w: problem.best(w)[0], d, start)
        # The package: block mixtures giving every party at least the Nash utilities.
        c = np.concatenate([[0.0], np.zeros(len(stacked))])
        a_ub = np.hstack([np.zeros((n_p, 1)), -stacked.T])
        sol = _linprog(c, a_ub, -(target - 1e-9), mixes)
        nash = point(sol[1:]) if sol is not None else None
    return Solutions(
        problem=problem,
        zopa=bool(zopa),
        frontier=frontier,
        utopia=utopia,
        nash=nash,
        kalai_smorodinsky=ks,
        egalitarian=egalitarian,
        max_welfare=max_welfare,
        facets=facets,
        accuracy=accuracy,
        note=note,
        by_hull=by_hull,
    )


def _nash(facets: Array, d: Array, start: Array) -> Array:
    """The point of U maximising the sum of log gains over d, in utility space.

    U is {u : n . u <= b for every Pareto facet}. On a facet's hyperplane the product of gains
    peaks at u_p = d_p + (b - n . d) / (P n_p). U lies below every such hyperplane, so no peak
    is lower than the Nash product, and a peak that lies in U is the Nash point: the lowest
    peaks are tried first. When the Nash point sits on a lower-dimensional face no peak lies
    in U, and a small smooth program over U finds it.
    """
    normal, offset = facets[:, :-1], facets[:, -1]
    n_p = len(d)
    slack = offset - total(normal * d[None, :])
    full = np.all(normal > 1e-12, axis=1) & (slack > 0)
    if full.any():
        peaks = d[None, :] + slack[full, None] / (n_p * normal[full])  # (F', P)
        logs = total(np.log(peaks - d[None, :]))
        tol = 1e-12 * (1.0 + np.abs(offset))
        for k in np.argsort(logs, kind="stable")[:8]:
            if np.all(total(normal * peaks[k][None, :]) - offset <= tol):
                return peaks[k]

    def objective(u: Array) -> float:
        return -float(np.sum(np.log(np.maximum(u - d, 1e-300))))

    def gradient(u: Array) -> Array:
        return -1.0 / np.maximum(u - d, 1e-300)

    res = minimize(
        objective,
        start,
        jac=gradient,
        constraints=[
            {"type": "ineq", "fun": lambda u: offset - normal @ u, "jac": lambda u: -normal},
            {"type": "ineq", "fun": lambda u: u - d - 1e-12, "jac": lambda u: np.eye(len(u))},
        ],
        method="SLSQP",
        options={"ftol": 1e-15, "maxiter": 500},
    )
    return res.x


def problem_of(c: Compiled, run: int = 0) -> Problem:
    """The bargaining problem of one run's parameters (the scenario's when nothing is swept).

    Args:
        c: Compiled scenario.
        run: Run whose per-run parameters to use.

    Returns:
        The problem, with d at the scenario's reservation utilities.
    """

    def row(a: Array) -> Array:
        return a[0] if a.shape[0] == 1 else a[run]

    return Problem(
        weights=row(c.weights),
        ideal=row(c.ideal),
        curvature=row(c.curvature),
        disagreement=row(c.reservation),
        pies=tuple(tuple(int(i) for i in g) for g in c.pie_groups),
    )


_SOLVED: dict[bytes, Solutions] = {}
SOLVED_MAX = 256  # distinct problems kept per process (a sweep's chunks share them)


def solutions_of(c: Compiled, run: int = 0) -> Solutions:
    """The solutions of one run's problem, computed once per distinct problem in a process."""
    problem = problem_of(c, run)
    key = (
        b"".join(
            a.tobytes()
            for a in (problem.weights, problem.ideal, problem.curvature, problem.disagreement)
        )
        + repr(problem.pies).encode()
    )
    if key not in _SOLVED:
        if len(_SOLVED) >= SOLVED_MAX:
            _SOLVED.pop(next(iter(_SOLVED)))
        _SOLVED[key] = solve(problem)
    return _SOLVED[key]


def outcome_metrics(
    c: Compiled,
    runs: npt.NDArray[np.intp],
    util: Array,
    reservation: Array,
    nominal_utilities: Array | None = None,
) -> dict[str, Array]:
    """Each run's gains over its reservation and its distances to the Nash point and frontier.

    Args:
        c: Compiled scenario.
        runs: (n,) the runs.
        util: (n, P) each party's utility of the run's terms.
        reservation: (n, P) each party's reservation utility in the run.
        nominal_utilities: (n, P) the terms' utilities under the stated preferences, when runs
            drew their own (``c.nominal`` is set).

    Returns:
        ``gain`` (n, P), ``nash_distance`` (n,) (Euclidean, in utility space; NaN without a
        zone of possible agreement), ``frontier_distance`` (n,), and how the two distances
        were computed: ``bargaining`` (n,) "exact", "approximate" or "skipped", with
        ``bargaining_note`` (n,) saying why ("" when exact; see ``Solutions``).
    """
    gain = util - reservation
    if c.nominal is not None:
        # Runs drew their own preferences: measure each outcome against the solutions of the
        # negotiation as the scenario states it, scoring the terms with the stated utilities.
        c, util = c.nominal, nominal_utilities
    varying = [a for a in (c.weights, c.ideal, c.curvature, c.reservation) if a.shape[0] > 1]
    if varying:
        flat = np.column_stack([a[runs].reshape(len(runs), -1) for a in varying])
        _, first, group = np.unique(flat, axis=0, return_index=True, return_inverse=True)
        group = group.reshape(-1)
        reps = runs[first]
    else:
        group, reps = np.zeros(len(runs), np.intp), runs[:1]
    nash_distance = np.full(len(runs), np.nan)
    frontier_distance = np.full(len(runs), np.nan)
    accuracy = np.full(len(runs), EXACT, dtype=object)
    note = np.full(len(runs), "", dtype=object)
    for g, run in enumerate(reps):
        sol = solutions_of(c, int(run))
        rows = np.flatnonzero(group == g)
        accuracy[rows], note[rows] = sol.accuracy, sol.note
        if sol.nash is not None:
            diff = util[rows] - sol.nash.utility[None, :]
            nash_distance[rows] = np.sqrt(total(diff * diff))
        frontier_distance[rows] = sol.frontier_distance(util[rows])
    return {
        "gain": gain,
        "nash_distance": nash_distance,
        "frontier_distance": frontier_distance,
        "bargaining": accuracy,
        "bargaining_note": note,
    }
