"""The exact Pareto frontier of a bargaining problem: a convex hull refined by cutting planes.

The hull lives in one dimension per party, and its facets grow like its vertices to the power
of half the dimension: a few hundred facets for four parties, tens of thousands for five,
millions from six on. So the hull is built only within a budget of vertices and facets, each
checked before the next step that would exceed it; beyond it ``frontier`` raises
``OverBudget`` and the caller computes the metrics another way (``model.approximate``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.spatial import ConvexHull, QhullError

from model.utility import total

if TYPE_CHECKING:
    from model.bargaining import Problem

Array = npt.NDArray[np.float64]
DIRECTIONS = 4096  # weight vectors sampled to find the frontier's first vertices
REFINE_TOL = 1e-10  # a facet is final when nothing in U lies further than this beyond it
MAX_VERTICES = 20_000  # caps the refinement of a curved frontier of three or more parties
# From five parties on, hulls are joggled from the start. Merging facets of a nearly degenerate
# hull in five or more dimensions can fail inside qhull's triangulation, which SciPy does not
# guard, and qhull then ends the whole process; joggled hulls have no facets to merge.
JOGGLE_FROM = 5


class OverBudget(Exception):
    """The hull would exceed its budget; the message says which part and by how much."""


def frontier(
    problem: Problem, max_vertices: int | None, max_facets: int | None
) -> tuple[Array, Array, bool]:
    """The Pareto vertices of U and its Pareto facets, refined by cutting planes.

    Sampled weight vectors give a first inner hull. Each facet's normal is then handed to the
    exact oracle (``Problem.best``): a point of U beyond the facet is a missed vertex, added
    to the hull (incrementally), until no facet is beaten. With linear values U has finitely
    many vertices and the result is exact; a curved frontier of three or more parties stops at
    ``MAX_VERTICES``. Nearly degenerate problems (common with five parties or more) get a
    joggled hull, whose facets are exact only to its joggle: refining stops once only known
    vertices beat them.

    Args:
        problem: The bargaining problem.
        max_vertices: Most vertices the hull may take (None: only ``MAX_VERTICES`` stops it).
        max_facets: Most Pareto facets the hull may have after any round (None: any).

    Returns:
        The vertices, the facets as [normal, offset] rows, and whether refining ran to the end
        (False when ``MAX_VERTICES`` stopped it).

    Raises:
        OverBudget: Before a hull would take more vertices, or once it has more facets, than
            allowed.
    """
    n_p = problem.weights.shape[0]
    # Below every point of U: the floor the vertices are pushed down to.
    low = sum(v.min(axis=0) for v in problem.block_values) - 1.0
    vertices, _ = problem.best(directions(n_p))
    frontier = np.unique(vertices, axis=0)
    _check_vertices(len(frontier), max_vertices, n_p)
    try:
        hull = ConvexHull(
            np.unique(_pushed(frontier, low), axis=0),
            incremental=True,
            qhull_options="QJ" if n_p >= JOGGLE_FROM else None,
        )
    except QhullError:  # degenerate input: rebuild with joggled points every round instead
        hull = None
    try:
        facets = _checked(_pareto_facets(hull, frontier, low), max_facets, n_p)
        complete = False
        while len(frontier) < MAX_VERTICES:
            normal, offset = facets[:, :-1], facets[:, -1]
            found, _ = problem.best(normal)
            beyond = (total(normal * found) - offset) / total(normal) > REFINE_TOL
            if not beyond.any():
                complete = True
                break
            new = np.unique(found[beyond], axis=0)
            grown = np.unique(np.vstack([frontier, new]), axis=0)
            if len(grown) == len(frontier):
                # Only known vertices beat a facet (one clipped to a non-negative normal, or of
                # a joggled hull): there is no vertex left for the hull to take in.
                complete = True
                break
            _check_vertices(len(grown), max_vertices, n_p)
            frontier = grown
            if hull is not None:
                try:
                    hull.add_points(_pushed(new, low, floor=False))
                except QhullError:  # nearly degenerate: joggled hulls from here on
                    hull = None
            facets = _checked(_pareto_facets(hull, frontier, low), max_facets, n_p)
    finally:
        if hull is not None:
            hull.close()
    if n_p == 2:
        frontier = frontier[np.argsort(frontier[:, 0])]
    return frontier, facets, complete


def _check_vertices(count: int, most: int | None, n_p: int) -> None:
    if most is not None and count > most:
        raise OverBudget(
            f"the exact frontier of {n_p} parties needs more than {most:,} vertices ({count:,})"
        )


def _checked(facets: Array, most: int | None, n_p: int) -> Array:
    if most is not None and len(facets) > most:
        raise OverBudget(
            f"the exact frontier of {n_p} parties has more than {most:,} facets ({len(facets):,})"
        )
    return facets


def _pushed(vertices: Array, low: Array, floor: bool = True) -> Array:
    """The vertices, each also pushed down to the floor along every axis (and the floor itself).

    These span the comprehensive hull of the vertices (everything they dominate, down to the
    floor), whose facets with non-negative normals are the Pareto facets of U.
    """
    points = [vertices]
    for p in range(vertices.shape[1]):
        down = vertices.copy()
        down[:, p] = low[p]
        points.append(down)
    if floor:
        points.append(low[None, :])
    return np.vstack(points)


def directions(n_p: int) -> Array:
    """Weight vectors covering the simplex: a fine grid for two parties, else a fixed sample."""
    if n_p == 2:
        w = np.linspace(0.0, 1.0, DIRECTIONS + 1)
        return np.column_stack([w, 1.0 - w])
    rng = np.random.default_rng(20250709)  # fixed: the frontier is part of the problem
    sample = rng.dirichlet(np.full(n_p, 0.5), DIRECTIONS)
    return np.vstack([np.eye(n_p), np.full((1, n_p), 1.0 / n_p), sample])


def _pareto_facets(hull: ConvexHull | None, frontier: Array, low: Array) -> Array:
    """Facets with all-non-negative normals, as [normal, offset] rows (normal . u <= offset).

    Without an incremental hull (degenerate input), the hull is built anew with joggled points.
    """
    if hull is None:
        hull = ConvexHull(np.unique(_pushed(frontier, low), axis=0), qhull_options="QJ")
    eq = hull.equations  # normal . x + offset <= 0 inside
    normal, offset = eq[:, :-1], -eq[:, -1]
    keep = np.all(normal >= -1e-9, axis=1) & (normal.sum(axis=1) > 1e-9)
    normal = np.maximum(normal[keep], 0.0)
    return np.unique(np.column_stack([normal, offset[keep]]), axis=0)
