"""Utilities, positions and packages, for whole ensembles at once.

Issue values are normalised to [0, 1]. A party values an issue linearly by its distance from its
ideal, scaled so the farthest point of the range is worth 0; its utility is the
priority-weighted sum, so every utility lies in [0, 1].

Shapes: R runs (or 1 for a parameter shared by all runs), P parties, S sides, I issues,
K packages.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
EPS = 1e-12
RUNS_LAST = 256  # from this many runs, some kernels lay runs last (long rows, fewer broadcasts)
TOLERANCE = 1e-9  # a package worth this little less than an aspiration still meets it


def total(x: npt.NDArray, axis: int = -1) -> npt.NDArray:
    """Sum over one (small) axis in a fixed order.

    numpy's reductions may add in a different order depending on the array's shape, which
    would make run i of an ensemble differ in the last bit from the same run alone. Adding
    slice by slice keeps every run's arithmetic identical whatever the ensemble's size.
    """
    n = x.shape[axis]
    if axis == -1:  # the usual case, indexed the cheapest way
        acc = x[..., 0] + x[..., 1] if n > 1 else x[..., 0].copy()
        for k in range(2, n):
            acc += x[..., k]
        return acc
    lead = (slice(None),) * (axis % x.ndim)
    acc = x[(*lead, 0)] + x[(*lead, 1)] if n > 1 else x[(*lead, 0)].copy()
    for k in range(2, n):
        acc += x[(*lead, k)]
    return acc


def all_last(x: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``x.all(axis=-1)``, column by column: numpy reduces a short last axis row by row."""
    if x.shape[-1] == 0:
        return np.ones(x.shape[:-1], bool)
    out = x[..., 0].copy()
    for k in range(1, x.shape[-1]):
        out &= x[..., k]
    return out


def max_last(x: Array) -> Array:
    """``x.max(axis=-1, keepdims=True)``, column by column (see ``all_last``)."""
    out = x[..., :1].copy()
    for k in range(1, x.shape[-1]):
        np.maximum(out, x[..., k : k + 1], out=out)
    return out


def any_last(x: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``x.any(axis=-1)``, column by column (see ``all_last``)."""
    return ~all_last(~x)


def power(x: Array, exponent: Array) -> Array:
    """X ** exponent elementwise, with the exponent spelled out to x's full shape.

    numpy computes x**a by shortcuts (a square, a square root) when the exponent is broadcast,
    which would make a run's last bits depend on the shape of its ensemble.
    """
    shape = np.broadcast_shapes(np.shape(x), np.shape(exponent))
    x = np.ascontiguousarray(np.broadcast_to(x, shape))
    return x ** np.ascontiguousarray(np.broadcast_to(exponent, shape))


# From this many elements a max or min against a constant reads a kept array of it (see
# ``at_least``), up to the size of the kept arrays (a few MiB each at most).
FILLED_FROM, FILLED_UP_TO = 2048, 2**18
_FILLED: dict[str, Array] = {}


def _filled(value: float, shape: tuple[int, ...]) -> Array:
    """A read-only contiguous array of ``value`` shaped ``shape`` (up to FILLED_UP_TO elements)."""
    key = float(value).hex()  # -0.0 and 0.0 apart
    kept = _FILLED.get(key)
    if kept is None:
        kept = np.full(FILLED_UP_TO, float(value))
        kept.flags.writeable = False
        _FILLED[key] = kept
    return kept[: math.prod(shape)].reshape(shape)


def at_least(x: Array, value: float, out: Array | None = None) -> Array:
    """``np.maximum(x, value)`` for a constant ``value``: the same numbers, faster on large x.

    numpy's maximum and minimum run two to three times slower with a scalar operand than with
    two contiguous arrays, and return the same numbers either way (ties of signed zeros and
    NaNs alike): on a large float array the constant is read from a kept array of it.
    """
    if type(x) is np.ndarray and FILLED_FROM <= x.size <= FILLED_UP_TO and x.dtype == np.float64:
        return np.maximum(x, _filled(value, x.shape), out=out)
    return np.maximum(x, value, out=out)


def at_most(x: Array, value: float, out: Array | None = None) -> Array:
    """``np.minimum(x, value)`` for a constant ``value``: the same numbers, faster on large x.

    See ``at_least``.
    """
    if type(x) is np.ndarray and FILLED_FROM <= x.size <= FILLED_UP_TO and x.dtype == np.float64:
        return np.minimum(x, _filled(value, x.shape), out=out)
    return np.minimum(x, value, out=out)


def bound(x: Array, lo: Array | float, hi: Array | float) -> Array:
    """Clip ``x`` to [lo, hi] elementwise (np.clip carries a large fixed cost per call)."""
    big = type(x) is np.ndarray and FILLED_FROM <= x.size <= FILLED_UP_TO
    out = at_least(x, lo) if big and isinstance(lo, float) else np.maximum(x, lo)
    # The upper clip reuses the new array where it fits (one temporary fewer), else makes one.
    if type(out) is np.ndarray and out.dtype == np.float64:
        if isinstance(hi, float):
            return at_most(out, hi, out=out) if big else np.minimum(out, hi, out=out)
        if isinstance(hi, int) or np.shape(hi) == out.shape:
            return np.minimum(out, hi, out=out)
    return np.minimum(out, hi)


def tightest(lo: Array, hi: Array, sides: npt.NDArray[np.intp | np.bool_]) -> tuple[Array, Array]:
    """The bounds every one of ``sides`` could ratify, (n|1, I) each.

    The highest of their lower bounds and the lowest of their upper bounds; where the two
    cross, no package suits them all (callers keep their own bounds there).

    Args:
        lo: (n|1, S, I) each side's lower bounds.
        hi: (n|1, S, I) upper bounds.
        sides: The sides, as indices or a mask over S.
    """
    return lo[:, sides].max(axis=1), hi[:, sides].min(axis=1)


def _flat_index(order: npt.NDArray[np.intp], shape: tuple[int, ...]) -> npt.NDArray[np.intp]:
    """Flat positions, in a C-ordered array of ``shape``, of the entries ``order`` names."""
    rows = np.arange(0, math.prod(shape), shape[-1]).reshape(*shape[:-1], 1)
    return order + rows  # (broadcasts ``order`` to ``shape``)


def take_last(x: npt.NDArray, order: npt.NDArray[np.intp]) -> npt.NDArray:
    """``np.take_along_axis(x, order, axis=-1)``, through one flat index.

    take_along_axis indexes every axis with its own broadcast index; on many short rows one
    flat gather is several times faster, and it picks the same elements.
    """
    shape = np.broadcast_shapes(x.shape, order.shape)
    if x.shape != shape:
        x = np.broadcast_to(x, shape)
    return np.ascontiguousarray(x).take(_flat_index(order, shape))


def put_last(order: npt.NDArray[np.intp], values: npt.NDArray) -> npt.NDArray:
    """A new array whose rows hold ``values`` at the places ``order`` names: put_along_axis's."""
    out = np.empty_like(values)
    np.put(out, _flat_index(order, values.shape), values)
    return out


def pinned_first(order: npt.NDArray[np.intp], pinned: npt.NDArray[np.bool_]) -> npt.NDArray:
    """``order`` (..., I) with the issues ``pinned`` (I,) first, each group in its own order.

    The stable sort of ``~pinned[order]`` (the same permutation), placing each issue by a
    running count instead of sorting every short row.
    """
    ahead = pinned[order]
    seen = cumsum_last(ahead.astype(np.intp))  # pinned issues up to and including each place
    place = np.where(ahead, seen - 1, int(pinned.sum()) + np.arange(order.shape[-1]) - seen)
    return put_last(place, order)


def cumsum_last(x: Array) -> Array:
    """``np.cumsum(x, axis=-1)``: the same additions in the same order, column by column.

    numpy's cumsum costs per row on many short rows; each column's addition is one call.
    """
    out = np.array(x, order="C")
    for k in range(1, out.shape[-1]):
        out[..., k] += out[..., k - 1]
    return out


def reach(ideal: Array) -> Array:
    """Distance from each ideal to the farthest end of the range, (..., P, I)."""
    return np.maximum(ideal, 1.0 - ideal)


def issue_values(packages: Array, ideal: Array) -> Array:
    """Each party's value of each issue of each package.

    Args:
        packages: (R, K, I) normalised packages.
        ideal: (R|1, P, I) ideal points.

    Returns:
        (R, K, P, I) values in [0, 1].
    """
    values = packages[:, :, None, :] - ideal[:, None, :, :]
    np.abs(values, out=values)  # the distance, then its share of the reach, in place
    values /= reach(ideal)[:, None, :, :]
    return np.subtract(1.0, values, out=values)


def utilities(
    packages: Array, weights: Array, ideal: Array, curvature: Array | None = None
) -> Array:
    """Every party's utility for every package, (R, K, P).

    Args:
        packages: (R, K, I) normalised packages.
        weights: (R|1, P, I) priorities.
        ideal: (R|1, P, I) ideal points.
        curvature: (R|1, P) exponent of each party's issue values; None or all ones for linear.
    """
    values = issue_values(packages, ideal)
    if curvature is not None and not np.all(curvature == 1.0):
        values = power(np.maximum(values, 0.0), curvature[:, None, :, None])
    return total(values * weights[:, None, :, :])


def pie_weights(weights: Array, groups: list[npt.NDArray[np.intp]]) -> Array:
    """Priorities with each pie's issues weighted alike, by the party's whole stake in the pie.

    Averaging members' positions with one weight per member keeps a pie's shares summing to 1.
    """
    if not groups:
        return weights
    w = weights.copy()
    for g in groups:
        w[..., g] = total(weights[..., g])[..., None]
    return w


def effective_weights(
    weights: Array, fx_issue: int, fx: Array, reference: Array, sensitivity: Array
) -> Array:
    """Priorities with the FX-salient issue scaled by the yen's weakness, renormalised.

    A party with ``fx_sensitivity`` s weights the salient issue by max(0, 1 + s (fx/ref - 1)).

    Args:
        weights: (R|1, P, I) base priorities.
        fx_issue: Index of the salient issue, or -1 for none.
        fx: (R,) USD/JPY.
        reference: (R|1,) the neutral level.
        sensitivity: (R|1, P) each party's sensitivity.

    Returns:
        (R, P, I) effective priorities, or ``weights`` itself when nothing changes.
    """
    if fx_issue < 0 or not np.any(sensitivity):
        return weights
    scale = np.maximum(0.0, 1.0 + sensitivity * (fx / reference - 1.0)[:, None])  # (R, P)
    base = np.broadcast_to(weights, (fx.shape[0], *weights.shape[1:]))
    out = base.copy()
    # A party the yen does not move keeps its priorities exactly (renormalising could change
    # the last bit, and then a run would depend on the other runs of its ensemble); only the
    # parties it moves in some run are renormalised, each on its own.
    for p in np.flatnonzero((scale != 1.0).any(axis=0)):
        w = base[:, p].copy()  # (R, I)
        w[:, fx_issue] *= scale[:, p]
        w = w / np.maximum(total(w), EPS)[:, None]
        out[:, p] = np.where((scale[:, p] == 1.0)[:, None], base[:, p], w)
    return out


def opponent_targets(
    weights: Array, ideal: Array, clout: Array, side_of: npt.NDArray[np.intp]
) -> tuple[Array, Array]:
    """Where each party concedes toward, and how much the other sides care about each issue.

    The target on an issue is the other sides' ideal, averaged with weights clout × priority.

    Args:
        weights: (R|1, P, I) priorities.
        ideal: (R|1, P, I) ideal points.
        clout: (R|1, P) clout.
        side_of: (P,) side index of each party.

    Returns:
        target (R|1, P, I) and opponents' salience (R|1, P, I).
    """
    cw = clout[:, :, None] * weights
    cwi = cw * ideal
    ideal = np.broadcast_to(ideal, cw.shape)
    n_sides = int(side_of.max()) + 1
    # Sums per side first (members added in file order), then over the other sides: the same
    # arithmetic as a sum over all opponents, at a fraction of the cost.
    sums = []
    for s in range(n_sides):
        members = np.flatnonzero(side_of == s)
        den_s, num_s, plain_s = (
            cw[:, members[0]].copy(),
            cwi[:, members[0]].copy(),
            ideal[:, members[0]].copy(),
        )
        for q in members[1:]:
            den_s += cw[:, q]
            num_s += cwi[:, q]
            plain_s += ideal[:, q]
        sums.append((den_s, num_s, plain_s, len(members)))
    target, salience = np.empty(cw.shape), np.empty(cw.shape)
    for s in range(n_sides):
        others = [sums[o] for o in range(n_sides) if o != s]
        den, num, plain = others[0][0].copy(), others[0][1].copy(), others[0][2].copy()
        count = others[0][3]
        for d, n, pl, c in others[1:]:
            den += d
            num += n
            plain += pl
            count += c
        tgt = np.where(den > EPS, num / np.maximum(den, EPS), plain / count)
        sal = den / np.maximum(total(den), EPS)[:, None]
        members = side_of == s
        target[:, members] = tgt[:, None]
        salience[:, members] = sal[:, None]
    return target, salience


def pie_targets(
    target: Array,
    weights: Array,
    ideal: Array,
    clout: Array,
    side_of: npt.NDArray[np.intp],
    groups: list[npt.NDArray[np.intp]],
) -> Array:
    """Targets on pie issues: the other sides' division of each pie, weighted by their stakes.

    A mix of whole divisions (each summing to 1) is itself a division, so conceding toward it
    keeps the pie whole; an issue-by-issue target would not.

    Args:
        target: (R|1, P, I) targets from ``opponent_targets`` (changed on pie issues only).
        weights: (R|1, P, I) priorities.
        ideal: (R|1, P, I) ideal points.
        clout: (R|1, P) clout.
        side_of: (P,) side index of each party.
        groups: Issue indices of each pie.

    Returns:
        The targets.
    """
    if not groups:
        return target
    target = np.array(np.broadcast_to(target, np.broadcast_shapes(target.shape, ideal.shape)))
    ideal = np.broadcast_to(ideal, target.shape)
    for g in groups:
        stake = clout * total(weights[..., g])  # (R|1, P)
        for s in range(int(side_of.max()) + 1):
            others = np.flatnonzero(side_of != s)
            den = total(stake[:, others])
            num = total(stake[:, others, None] * ideal[:, others][..., g], axis=1)
            plain = total(ideal[:, others][..., g], axis=1) / len(others)
            tgt = np.where(den[:, None] > EPS, num / np.maximum(den, EPS)[:, None], plain)
            for p in np.flatnonzero(side_of == s):
                target[:, p, g] = np.broadcast_to(tgt, target[:, p, g].shape)
    return target


def concession_order(
    weights: Array, salience: Array, units: list[npt.NDArray[np.intp]] | None = None
) -> npt.NDArray[np.intp]:
    """Order in which each party gives way: first where the others care most relative to itself.

    Args:
        weights: (R|1, P, I) priorities.
        salience: (R|1, P, I) the other sides' share of concern for each issue.
        units: Issues conceded together (each pie is one unit); None for one unit per issue.

    Returns:
        (R|1, P, I) issue indices, or (R|1, P, U) unit indices, first conceded first.
    """
    if units is not None:
        salience = np.stack([total(salience[..., u]) for u in units], axis=-1)
        weights = np.stack([total(weights[..., u]) for u in units], axis=-1)
    ratio = salience / np.maximum(weights, EPS)
    return np.argsort(-ratio, axis=-1, kind="stable")


def positions(
    aspiration: Array,
    weights: Array,
    ideal: Array,
    target: Array,
    order: npt.NDArray[np.intp],
    curvature: Array | None = None,
    units: list[npt.NDArray[np.intp]] | None = None,
) -> Array:
    """The package each party would table at its aspiration.

    Starting from its ideal, a party gives way issue by issue toward its target, in concession
    order, until its own utility falls to its aspiration: it concedes most on what it cares
    least about relative to the other side, which is how packages come to trade across issues.

    Args:
        aspiration: (R, P) utility levels.
        weights: (R|1, P, I) priorities.
        ideal: (R|1, P, I) ideal points.
        target: (R|1, P, I) where each party concedes toward.
        order: (R|1, P, I) concession order; over units when ``units`` or ``curvature`` is given.
        curvature: (R|1, P) value exponents (None when every value is linear).
        units: Issues conceded together, each pie moving as one (None: each issue alone).

    Returns:
        (R, P, I) positions.
    """
    if units is not None or curvature is not None:
        return _positions_by_unit(aspiration, weights, ideal, target, order, curvature, units)
    loss = weights * np.abs(target - ideal) / reach(ideal)  # utility lost by conceding fully
    sorted_loss = take_last(loss, order)
    before = cumsum_last(sorted_loss) - sorted_loss
    budget = (1.0 - aspiration)[:, :, None]
    share_sorted = bound((budget - before) / np.maximum(sorted_loss, EPS), 0.0, 1.0)
    return ideal + put_last(order, share_sorted) * (target - ideal)


def _positions_by_unit(
    aspiration: Array,
    weights: Array,
    ideal: Array,
    target: Array,
    order: npt.NDArray[np.intp],
    curvature: Array | None,
    units: list[npt.NDArray[np.intp]] | None,
) -> Array:
    """``positions`` with curved values or pies: the same greedy rule over units of issues.

    A unit moves a share s of the way to its target on all its issues at once. Its priority w
    is the sum of its issues' priorities and its gap g their priority-weighted mean gap, so
    conceding s costs w (1 - (1 - s g)^a): exact for a single issue, for linear values, and
    for a pie in which the party values only its own share (the schema allows no other).
    """
    n_i = ideal.shape[-1]
    units = units if units is not None else [np.array([i]) for i in range(n_i)]
    a = np.ones(weights.shape[:-1]) if curvature is None else curvature
    a = np.broadcast_to(a, np.broadcast_shapes(a.shape, weights.shape[:-1]))
    gap_i = weights * np.abs(target - ideal) / reach(ideal)
    w = np.stack([total(weights[..., u]) for u in units], axis=-1)
    gap = np.stack([total(gap_i[..., u]) for u in units], axis=-1) / np.maximum(w, EPS)
    a_u = a[..., None]
    loss = w * (1.0 - power(1.0 - gap, a_u))
    sorted_loss = take_last(loss, order)
    before = cumsum_last(sorted_loss) - sorted_loss
    budget = (1.0 - aspiration)[:, :, None]
    spent = put_last(order, bound(budget - before, 0.0, sorted_loss))
    # Solve w (1 - (1 - s g)^a) = spent for the share s of the way conceded.
    kept = power(bound(1.0 - spent / np.maximum(w, EPS), 0.0, 1.0), 1.0 / a_u)
    unit_share = np.where(gap > EPS, bound((1.0 - kept) / np.maximum(gap, EPS), 0.0, 1.0), 0.0)
    share = np.empty((*unit_share.shape[:-1], n_i))
    for k, u in enumerate(units):
        share[..., u] = unit_share[..., k : k + 1]
    return ideal + share * (target - ideal)


def uniform_positions(
    aspiration: Array,
    weights: Array,
    ideal: Array,
    target: Array,
    curvature: Array | None = None,
    units: list[npt.NDArray[np.intp]] | None = None,
    fixed: npt.NDArray[np.bool_] | None = None,
) -> Array:
    """The package each party would table at its aspiration, conceding on every issue at once.

    Every issue moves the same share s of the way from the party's ideal toward its target, s
    set so that the package is worth the aspiration: the time-dependent tactics of Faratin,
    Sierra and Jennings (1998) applied to each issue at one rate, the rule their similarity
    trade-off (2002) was compared with. No issue goes first, so nothing is traded across issues,
    except that ``fixed`` issues (off the table) go the whole way first and their loss is spent
    before the rest is shared out.

    Args:
        aspiration: (R, P) utility levels.
        weights: (R|1, P, I) priorities.
        ideal: (R|1, P, I) ideal points.
        target: (R|1, P, I) where each party concedes toward.
        curvature: (R|1, P) value exponents (None when every value is linear).
        units: Issues valued together, each pie as one (None: each issue alone).
        fixed: (I,) issues that go the whole way to their target first, or None.

    Returns:
        (R, P, I) positions.
    """
    n_i = ideal.shape[-1]
    fixed = np.zeros(n_i, bool) if fixed is None else fixed
    budget = (1.0 - aspiration)[:, :, None]
    gap_i = weights * np.abs(target - ideal) / reach(ideal)  # utility lost by conceding fully
    if units is None and curvature is None:
        budget = budget - total(np.where(fixed, gap_i, 0.0))[..., None]
        free = total(np.where(fixed, 0.0, gap_i))[..., None]
        share = bound(budget / np.maximum(free, EPS), 0.0, 1.0)
        return ideal + np.where(fixed, 1.0, share) * (target - ideal)
    # Curved values or pies: a unit moving s of the way costs w (1 - (1 - s g)^a), rising in s;
    # the common share is found by bisection (50 halvings leave it within 1e-15).
    units = units if units is not None else [np.array([i]) for i in range(n_i)]
    a = np.ones(weights.shape[:-1]) if curvature is None else curvature
    a_u = np.broadcast_to(a, np.broadcast_shapes(a.shape, weights.shape[:-1]))[..., None]
    w = np.stack([total(weights[..., u]) for u in units], axis=-1)
    gap = np.stack([total(gap_i[..., u]) for u in units], axis=-1) / np.maximum(w, EPS)
    whole = np.array([bool(fixed[u].all()) for u in units])  # units whose issues are all fixed
    shape = np.broadcast_shapes(budget.shape, (*w.shape[:-1], 1))
    low, high = np.zeros(shape), np.ones(shape)
    for _ in range(50):
        mid = 0.5 * (low + high)
        moved = np.where(whole, 1.0, mid)
        cost = total(w * (1.0 - power(1.0 - moved * gap, a_u)))[..., None]
        over = cost > budget
        high = np.where(over, mid, high)
        low = np.where(over, low, mid)
    return ideal + np.where(fixed, 1.0, low) * (target - ideal)


def run_last_stakes(weights: Array, clout: Array) -> Array:
    """Clout times priority, run last, (P, I, R|1): what ``side_packages`` weighs members by."""
    return _runs_last(clout)[:, None, :] * _runs_last(weights)


def side_packages(
    pos: Array,
    weights: Array,
    clout: Array,
    member: npt.NDArray[np.bool_],
    present: Array,
    stake: Array | None = None,
) -> tuple[Array, Array]:
    """Each side's package: its present members' positions, weighted by clout and salience.

    Args:
        pos: (R, P, I) positions.
        weights: (R|1, P, I) priorities.
        clout: (R|1, P) clout.
        member: (S, P) side membership.
        present: (P,) or (R, P) who is at the table.
        stake: ``run_last_stakes(weights, clout)`` when already worked out (several packages
            weighed alike), else None.

    Returns:
        packages (R, S, I) and whether each side had anyone present (R|1, S).
    """
    at_table = member * np.atleast_2d(present)[:, None, :]  # (R|1, S, P)
    cw = at_table * clout[:, None, :]  # (R|1, S, P)
    if pos.shape[0] < RUNS_LAST:  # few runs: the fewest calls, the same arithmetic
        w = at_table[:, :, :, None] * (clout[:, :, None] * weights)[:, None, :, :]  # (R|1,S,P,I)
        den = total(w, axis=2)
        num = total(w * pos[:, None, :, :], axis=2)
        plain = total(cw[:, :, :, None] * pos[:, None, :, :], axis=2)
        plain = plain / np.maximum(total(cw), EPS)[:, :, None]
        return np.where(den > EPS, num / np.maximum(den, EPS), plain), at_table.any(axis=2)
    # Run last, member by member, (S, I, n): numpy is fast over long rows of runs and slow
    # over short rows of issues. The members are added in order, as ``total`` adds them.
    pos_t, clout_t = _runs_last(pos), _runs_last(clout)
    stake_t = run_last_stakes(weights, clout) if stake is None else stake  # (P, I, R|1)
    if at_table.shape[0] == 1:
        return _seated_packages(pos_t, stake_t, clout_t, at_table[0], cw), at_table.any(axis=2)
    at_t, cw_t = _runs_last(at_table), _runs_last(cw)
    den = num = plain = np.empty(0)
    for p in range(pos.shape[1]):
        w = at_t[:, p, None, :] * stake_t[p]  # (S, I, R|1)
        weighted, plain_p = w * pos_t[p], cw_t[:, p, None, :] * pos_t[p]
        if p == 0:
            den, num, plain = w, weighted, plain_p
        else:
            den, num, plain = den + w, num + weighted, plain + plain_p
    # When nobody present cares about an issue, fall back to the members' plain clout average.
    plain = plain / np.maximum(total(cw), EPS).T[:, None, :]
    pkg = np.where(den > EPS, num / at_least(den, EPS), plain)
    return np.ascontiguousarray(pkg.transpose(2, 0, 1)), at_table.any(axis=2)


def _seated_packages(
    pos: Array, stake: Array, clout: Array, at_table: npt.NDArray[np.bool_], cw: Array
) -> Array:
    """``side_packages`` where the same members are at the table in every run, (R, S, I).

    Each side adds its present members alone. The others' terms are 0 times a stake or a
    position, both never negative and never -0, so they add +0 to sums of such terms, which
    changes none of them: the packages are those of adding every party in order.

    Args:
        pos: (P, I, n) positions, run last.
        stake: (P, I, R|1) clout times priority, run last.
        clout: (P, R|1) clout, run last.
        at_table: (S, P) who sits at each side's table.
        cw: (R|1, S, P) clout at the table.
    """
    scale = np.maximum(total(cw), EPS)  # (R|1, S)
    # Each side's package goes straight into its place (no list of them to stack and lay
    # out again), and each member's terms into one scratch array: fewer large temporaries.
    out = np.empty((pos.shape[-1], len(at_table), pos.shape[1]))  # (n, S, I)
    term = np.empty(pos.shape[1:])
    for k, seated in enumerate(at_table):
        members = np.flatnonzero(seated)
        if len(members) == 0:  # nobody weighs in: the package is 0 (what the sums give)
            out[:, k] = 0.0
            continue
        p = members[0]
        den, num, plain = stake[p].copy(), stake[p] * pos[p], clout[p] * pos[p]
        for p in members[1:]:
            den += stake[p]
            num += np.multiply(stake[p], pos[p], out=term)
            plain += np.multiply(clout[p], pos[p], out=term)
        # When nobody present cares about an issue, fall back to the members' plain average.
        out[:, k] = np.where(den > EPS, num / at_least(den, EPS), plain / scale[:, k]).T
    return out


def _runs_last(x: npt.NDArray) -> npt.NDArray:
    """``x`` with its leading (run) axis moved last, contiguous."""
    return np.ascontiguousarray(x.transpose(*range(1, x.ndim), 0))


def dispersion(
    pos: Array,
    packages: Array,
    clout: Array,
    member: npt.NDArray[np.bool_],
    pos_t: Array | None = None,
) -> Array:
    """Clout-weighted mean distance of each side's members from its package, (R, S) in [0, 1].

    ``pos_t`` is ``pos`` laid out issue first and run last, (I, P, R), when the caller has it.
    """
    cw = member * clout[:, None, :]  # (R|1, S, P)
    if pos.shape[0] < RUNS_LAST:  # few runs: the fewest calls, the same arithmetic
        dist = total(np.abs(pos[:, None, :, :] - packages[:, :, None, :])) / pos.shape[-1]
        return total(dist * cw) / np.maximum(total(cw), EPS)
    # Issue-major and run last, (S, P, n) per issue: the same sums over long rows of runs.
    if pos_t is None:
        pos_t = np.ascontiguousarray(pos.transpose(2, 1, 0))
    pkg_t = np.ascontiguousarray(packages.transpose(2, 1, 0))
    dist = np.abs(pos_t[0, None] - pkg_t[0, :, None])
    for i in range(1, pos_t.shape[0]):
        dist += np.abs(pos_t[i, None] - pkg_t[i, :, None])
    dist /= pos.shape[-1]
    weighted = dist * _runs_last(cw)
    spread = weighted[:, 0] + weighted[:, 1] if weighted.shape[1] > 1 else weighted[:, 0].copy()
    for p in range(2, weighted.shape[1]):
        spread += weighted[:, p]
    return spread.T / np.maximum(total(cw), EPS)


def nash_product(util: Array, reservation: Array) -> Array:
    """Product over parties of the gains over reservation, zero when anyone would lose.

    Args:
        util: (..., P) utilities.
        reservation: (..., P) reservation utilities (broadcast against ``util``).

    Returns:
        (...) Nash products.
    """
    gain = np.maximum(util - reservation, 0.0)
    out = gain[..., 0].copy()
    for p in range(1, gain.shape[-1]):
        out *= gain[..., p]
    return out


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
    k = weights / reach(ideal)
    toward = offer - ideal  # the way to the offer: its length, and (at the end) its sign
    far = np.abs(toward)  # D: the whole way to the offer
    budget = 1.0 - aspiration  # (n, P)
    if least is not None:  # the forced part of the way is spent first; the rest is free
        budget = budget - total(k * least)
        far = far - least
    # rho = k / (2 s): how fast an issue stops moving as lambda grows (an issue the other side
    # does not care about stops at once; one the party does not care about never stops).
    rho = k / at_least(2.0 * similarity, EPS)
    # The search runs issue-major, (I, n, P): numpy is slow on the short last axis (a
    # reduction or a broadcast over 7 issues costs per row), fast over a leading one.
    shape = np.broadcast_shapes(far.shape, rho.shape)
    k_t, far_t, rho_t = (_issue_major(x, shape) for x in (k, far, rho))
    stop_t = np.where(rho_t > 0, far_t / at_least(rho_t, EPS), 0.0)  # lambda where d_i hits 0
    candidates = np.concatenate([np.zeros((1, *shape[:-1])), stop_t])  # (I+1, n, P)
    cost = _spent(candidates, far_t, rho_t, k_t)
    enough = cost >= budget  # the budget is reached at lambda or beyond it
    # The cost never rises with lambda (in floating point too: every step is monotone), so the
    # bracket's ends are the largest candidate still reaching the budget and the smallest one
    # not reaching it, and their costs are the least and the most of those candidates' costs.
    # Lambda = 0 (the first candidate) closes the bracket from below when nothing reaches it.
    below = enough.copy()
    below[0] = True
    lo = np.where(below, candidates, -np.inf).max(axis=0)
    cost_lo = np.where(below, cost, np.inf).min(axis=0)
    hi = np.where(enough, np.inf, candidates).min(axis=0)
    finite = np.isfinite(hi)
    cost_hi = np.where(finite, np.where(enough, -np.inf, cost).max(axis=0), cost_lo)
    # Between two breakpoints the cost falls linearly in lambda.
    slope = np.where(finite, (cost_lo - cost_hi) / at_least(hi - lo, EPS), 0.0)
    lam = np.where(slope > 0, lo + (cost_lo - budget) / at_least(slope, EPS), lo)
    lam = np.where(cost[0] <= budget, 0.0, lam)[..., None]  # the offer itself is good enough
    # ideal + sign(offer - ideal) * bound(far - lam * rho, 0, far), in place on new arrays
    # (a sum's and a product's operands commute exactly).
    moved = lam * rho
    np.subtract(far, moved, out=moved)
    at_least(moved, 0.0, out=moved)
    np.minimum(moved, far, out=moved)
    if least is not None:
        moved += least
    np.sign(toward, out=toward)
    toward *= moved
    toward += ideal
    return toward


def _issue_major(x: Array, shape: tuple[int, ...]) -> Array:
    """``x`` spelled out to ``shape`` (..., I) and laid out issue first, (I, ...), contiguous."""
    if x.shape != shape:
        x = np.broadcast_to(x, shape)
    return np.ascontiguousarray(x.transpose(x.ndim - 1, *range(x.ndim - 1)))


def _spent(lam: Array, far: Array, rho: Array, k: Array) -> Array:
    """Utility given up at each lambda of the trade-off: sum_i k_i max(D_i - lambda rho_i, 0).

    Args:
        lam: (J, n, P) values of lambda.
        far: (I, n, P) the whole way to the offer on each issue.
        rho: (I, n, P) how fast each issue stops moving.
        k: (I, n, P) cost of moving on each issue.

    Returns:
        (J, n, P), the issues added in order, as ``total`` adds them.
    """
    if lam.shape[1] < RUNS_LAST:  # few runs: every issue's term at once, in fewer calls
        terms = lam[:, None] * rho[None]  # (J, I, n, P)
        np.subtract(far[None], terms, out=terms)
        at_least(terms, 0.0, out=terms)
        np.multiply(k[None], terms, out=terms)
        return total(terms, axis=1)
    # Many runs: issue by issue, so that the temporaries stay in cache.
    cost = lam * rho[0]
    np.subtract(far[0], cost, out=cost)
    at_least(cost, 0.0, out=cost)
    np.multiply(k[0], cost, out=cost)
    moved = np.empty_like(cost)
    for i in range(1, far.shape[0]):
        np.multiply(lam, rho[i], out=moved)
        np.subtract(far[i], moved, out=moved)
        at_least(moved, 0.0, out=moved)
        np.multiply(k[i], moved, out=moved)
        cost += moved
    return cost
