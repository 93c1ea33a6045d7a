"""The similarity-based trade-off (Faratin, Sierra & Jennings 2002), compiled run by run.

The round's largest piece of arithmetic: every party that answers an offer finds, in every
run, the package worth its aspiration that lies nearest the offer. numpy worked through it in
a few dozen passes over arrays of all runs, each with its temporaries; numba compiles one loop
over runs and parties that keeps each run's few numbers in registers (docs/performance.md,
"A compiled trade-off").

Each run's arithmetic is the same whatever the number of runs (so ensemble row i equals the
single run of seed i): the issues are added first to last, as ``model.utility.total`` adds
them, and the maximum, minimum and sign are numpy's (the second operand on ties, NaN from
either), so the positions are bit for bit those of the numpy form this replaced.

numba is imported, and the loop compiled (or read from numba's cache beside this file), at
the first call, so commands that hold no round do not pay for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
_NO_BOUNDS = np.zeros((1, 1, 1))  # read by the loop only when there are bounds


def tradeoff_positions(
    aspiration: Array,
    weights: Array,
    ideal: Array,
    offer: Array,
    similarity: Array,
    least: Array | None = None,
) -> Array:
    """The package worth the aspiration that lies closest to the offer being answered.

    Faratin, Sierra and Jennings's (2002) similarity-based trade-off, for linear values: among
    the packages on the way from the party's ideal to the offer (issue by issue, never past
    it) that are worth ``aspiration`` to the party, the one nearest the offer in the distance
    weighted by ``similarity`` (how much the other side cares about each issue). Moving d
    toward the offer on issue i costs k_i d with k_i = w_i / reach_i; minimising
    sum_i s_i (D_i - d_i)^2 subject to sum_i k_i d_i = 1 - aspiration gives
    d_i = max(D_i - lambda k_i / (2 s_i), 0): the party gives most where giving is cheap to it
    and dear to the other side (logrolling). lambda is found exactly, between the breakpoints
    where an issue stops moving. An offer already worth the aspiration is taken whole.

    Bounds the package must keep to (a floor above the party's ideal, say) force part of the
    way: with at least m_i on issue i, d_i = m_i + max(D_i - m_i - lambda k_i / (2 s_i), 0),
    and the forced moves come out of the budget first, so the package is still worth the
    aspiration where the bounds allow it, and is the party's best inside them where not.

    Args:
        aspiration: (n, P) utility levels.
        weights: (n|1, P, I) priorities.
        ideal: (n|1, P, I) ideal points.
        offer: (n, P, I) the package each party answers (inside the bounds, if any).
        similarity: (n|1, P, I) non-negative weight of each issue in the distance to the offer.
        least: (n|1, P, I) the least move toward the offer the bounds force on each issue
            (no more than the whole way), or None for none.

    Returns:
        (n, P, I) positions.
    """
    bounded = least is not None
    given = [weights, ideal, offer, similarity, least if bounded else _NO_BOUNDS]
    if _as_read(aspiration, given):  # as the negotiators call it: (n|1, P, I) arrays
        n = max(aspiration.shape[0], *(x.shape[0] for x in given))
        out = np.empty((n, *offer.shape[1:]))
        _loop()(aspiration, *given, bounded, out)
        return out
    # Anything else is spelled out to (rows, P, I) first.
    shape = np.broadcast_shapes(*(np.shape(x) for x in given[:4]))
    grid = (math.prod(shape[:-2]), *shape[-2:]) if len(shape) >= 2 else (1, 1, *shape)
    spread = [_spread(x, shape, grid) for x in given[:4]]
    forced = _spread(least, shape, grid) if bounded else _NO_BOUNDS
    out = np.empty(grid)
    _loop()(_spread(aspiration, shape[:-1], grid[:-1]), *spread, forced, bounded, out)
    return out.reshape(shape)


def _as_read(aspiration: Any, given: list[Any]) -> bool:
    """Whether the loop can read the arguments as they are: float64, (n|1, P) and (n|1, P, I)."""
    arrays = [aspiration, *given]
    if not all(type(x) is np.ndarray and x.dtype == np.float64 for x in arrays):
        return False
    trailing = given[2].shape[1:]
    if aspiration.ndim != 2 or len(trailing) != 2 or aspiration.shape[1] != trailing[0]:
        return False
    n = max(x.shape[0] for x in arrays)
    bounds = given[4:] if given[4] is not _NO_BOUNDS else []
    return all(x.ndim == 3 and x.shape[1:] == trailing for x in given[:4] + bounds) and all(
        x.shape[0] in (1, n) for x in arrays
    )


def _spread(x: Any, shape: tuple[int, ...], grid: tuple[int, ...]) -> Array:
    """``x`` as float64 broadcast to ``shape``, read as ``grid`` (a view where it can be)."""
    return np.broadcast_to(np.asarray(x, dtype=np.float64), shape).reshape(grid)


def _loop() -> Callable[..., None]:
    """The compiled loop: numba imported, and the loop compiled or read from its cache, once."""
    from model.tradeoff_loop import tradeoff_loop

    return tradeoff_loop
