"""Utilities, positions and packages, for whole ensembles at once.

Issue values are normalised to [0, 1]. A party values an issue linearly by its distance from its
ideal, scaled so the farthest point of the range is worth 0; its utility is the
priority-weighted sum, so every utility lies in [0, 1].

Shapes: R runs (or 1 for a parameter shared by all runs), P parties, S sides, I issues,
K packages.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
EPS = 1e-12


def total(x: npt.NDArray, axis: int = -1) -> npt.NDArray:
    """Sum over one (small) axis in a fixed order.

    numpy's reductions may add in a different order depending on the array's shape, which
    would make run i of an ensemble differ in the last bit from the same run alone. Adding
    slice by slice keeps every run's arithmetic identical whatever the ensemble's size.
    """
    n = x.shape[axis]
    lead = (slice(None),) * (axis % x.ndim)
    acc = x[(*lead, 0)] + x[(*lead, 1)] if n > 1 else x[(*lead, 0)].copy()
    for k in range(2, n):
        acc += x[(*lead, k)]
    return acc


def bound(x: Array, lo: Array | float, hi: Array | float) -> Array:
    """Clip ``x`` to [lo, hi] elementwise (np.clip carries a large fixed cost per call)."""
    return np.minimum(np.maximum(x, lo), hi)


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
    dist = np.abs(packages[:, :, None, :] - ideal[:, None, :, :])
    return 1.0 - dist / reach(ideal)[:, None, :, :]


def utilities(packages: Array, weights: Array, ideal: Array) -> Array:
    """Every party's utility for every package, (R, K, P)."""
    return total(issue_values(packages, ideal) * weights[:, None, :, :])


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
    w = base.copy()
    w[:, :, fx_issue] *= scale
    w = w / np.maximum(total(w), EPS)[:, :, None]
    # A party the yen does not move keeps its priorities exactly (renormalising could change
    # the last bit, and then a run would depend on the other runs of its ensemble).
    return np.where((scale == 1.0)[:, :, None], base, w)


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


def concession_order(weights: Array, salience: Array) -> npt.NDArray[np.intp]:
    """Order in which each party gives way: first where the others care most relative to itself.

    Returns:
        (R|1, P, I) issue indices, first conceded first.
    """
    ratio = salience / np.maximum(weights, EPS)
    return np.argsort(-ratio, axis=-1, kind="stable")


def positions(
    aspiration: Array, weights: Array, ideal: Array, target: Array, order: npt.NDArray[np.intp]
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
        order: (R|1, P, I) concession order.

    Returns:
        (R, P, I) positions.
    """
    loss = weights * np.abs(target - ideal) / reach(ideal)  # utility lost by conceding fully
    sorted_loss = np.take_along_axis(loss, order, axis=-1)
    before = np.cumsum(sorted_loss, axis=-1) - sorted_loss
    budget = (1.0 - aspiration)[:, :, None]
    share_sorted = bound((budget - before) / np.maximum(sorted_loss, EPS), 0.0, 1.0)
    share = np.empty_like(share_sorted)
    np.put_along_axis(share, np.broadcast_to(order, share.shape), share_sorted, axis=-1)
    return ideal + share * (target - ideal)


def side_packages(
    pos: Array, weights: Array, clout: Array, member: npt.NDArray[np.bool_], present: Array
) -> tuple[Array, Array]:
    """Each side's package: its present members' positions, weighted by clout and salience.

    Args:
        pos: (R, P, I) positions.
        weights: (R|1, P, I) priorities.
        clout: (R|1, P) clout.
        member: (S, P) side membership.
        present: (P,) or (R, P) who is at the table.

    Returns:
        packages (R, S, I) and whether each side had anyone present (R|1, S).
    """
    at_table = member * np.atleast_2d(present)[:, None, :]  # (R|1, S, P)
    w = at_table[:, :, :, None] * (clout[:, :, None] * weights)[:, None, :, :]  # (R|1,S,P,I)
    den = total(w, axis=2)
    num = total(w * pos[:, None, :, :], axis=2)
    # When nobody present cares about an issue, fall back to the members' plain clout average.
    cw = at_table * clout[:, None, :]
    plain = total(cw[:, :, :, None] * pos[:, None, :, :], axis=2)
    plain = plain / np.maximum(total(cw), EPS)[:, :, None]
    pkg = np.where(den > EPS, num / np.maximum(den, EPS), plain)
    return pkg, at_table.any(axis=2)


def dispersion(pos: Array, packages: Array, clout: Array, member: npt.NDArray[np.bool_]) -> Array:
    """Clout-weighted mean distance of each side's members from its package, (R, S) in [0, 1]."""
    dist = total(np.abs(pos[:, None, :, :] - packages[:, :, None, :])) / pos.shape[-1]  # (R,S,P)
    cw = member * clout[:, None, :]
    return total(dist * cw) / np.maximum(total(cw), EPS)
