"""The trade-off's loop over runs and parties, compiled by numba when this module is imported.

``model.tradeoff`` imports it at its first call. See there for what it computes; the comments
here say how it keeps numpy's arithmetic exactly.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

from model.utility import EPS

Array = npt.NDArray[np.float64]
_GRID = numba.types.Array(numba.float64, 3, "A", readonly=True)  # (rows, P, I), any strides
_ROWS = numba.types.Array(numba.float64, 2, "A", readonly=True)  # (rows, P)
_OUT = numba.types.Array(numba.float64, 3, "C")
# One signature, compiled once: broadcast views of any layout read as it.
_SIGNATURE = numba.void(_ROWS, _GRID, _GRID, _GRID, _GRID, _GRID, numba.boolean, _OUT)


@numba.njit(inline="always")
def _maximum(a: float, b: float) -> float:
    """The larger, as numpy gives it: ``b`` on ties (of signed zeros too), NaN if either is."""
    return a if (a > b or a != a) else b


@numba.njit(inline="always")
def _minimum(a: float, b: float) -> float:
    """The smaller, as numpy gives it: ``b`` on ties (of signed zeros too), NaN if either is."""
    return a if (a < b or a != a) else b


@numba.njit(inline="always")
def _sign(x: float) -> float:
    """The sign as numpy takes it: 0 for either zero, NaN for NaN."""
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return 0.0 if x == 0 else x


@numba.njit(_SIGNATURE, cache=True, nogil=True, error_model="numpy")
def tradeoff_loop(
    aspiration: Array,
    weights: Array,
    ideal: Array,
    offer: Array,
    similarity: Array,
    least: Array,
    bounded: bool,
    out: Array,
) -> None:
    """``tradeoff_positions`` for each run and party, written into ``out`` (rows, P, I)."""
    rows, parties, issues = out.shape
    # An argument with one row is shared by all runs: its row 0 is read for every run.
    a_, w_, x_ = aspiration.shape[0] > 1, weights.shape[0] > 1, ideal.shape[0] > 1
    o_, s_, l_ = offer.shape[0] > 1, similarity.shape[0] > 1, least.shape[0] > 1
    k, far, toward, rho = np.empty(issues), np.empty(issues), np.empty(issues), np.empty(issues)
    # lambda at each breakpoint (0 first, then where each issue stops), and what it spends
    stops, spent = np.empty(issues + 1), np.empty(issues + 1)
    for r in range(rows):
        for p in range(parties):
            budget = 1.0 - aspiration[r * a_, p]
            for i in range(issues):
                x = ideal[r * x_, p, i]
                k[i] = weights[r * w_, p, i] / _maximum(x, 1.0 - x)  # w_i / reach_i
                toward[i] = offer[r * o_, p, i] - x
                far[i] = abs(toward[i])
            if bounded:  # the forced part of the way is spent first; the rest is free
                forced = k[0] * least[r * l_, p, 0]
                for i in range(1, issues):
                    forced += k[i] * least[r * l_, p, i]
                budget = budget - forced
                for i in range(issues):
                    far[i] = far[i] - least[r * l_, p, i]
            # rho = k / (2 s): an issue the other side does not care about stops at once
            stops[0] = 0.0
            for i in range(issues):
                rho[i] = k[i] / _maximum(2.0 * similarity[r * s_, p, i], EPS)
                stops[i + 1] = far[i] / _maximum(rho[i], EPS) if rho[i] > 0 else 0.0
            for j in range(issues + 1):
                cost = k[0] * _maximum(far[0] - stops[j] * rho[0], 0.0)
                for i in range(1, issues):
                    cost += k[i] * _maximum(far[i] - stops[j] * rho[i], 0.0)
                spent[j] = cost
            # What is spent never rises with lambda, so the bracket's ends are the largest
            # breakpoint still spending the budget and the smallest one not spending it
            # (lambda = 0 closes it from below when none spends it); between them the
            # spending falls linearly.
            lo, spent_lo, hi, spent_hi = -np.inf, np.inf, np.inf, -np.inf
            for j in range(issues + 1):
                enough = spent[j] >= budget
                if enough or j == 0:
                    lo, spent_lo = _maximum(lo, stops[j]), _minimum(spent_lo, spent[j])
                if not enough:
                    hi, spent_hi = _minimum(hi, stops[j]), _maximum(spent_hi, spent[j])
            finite = math.isfinite(hi)
            if not finite:
                spent_hi = spent_lo
            slope = (spent_lo - spent_hi) / _maximum(hi - lo, EPS) if finite else 0.0
            lam = lo + (spent_lo - budget) / _maximum(slope, EPS) if slope > 0 else lo
            if spent[0] <= budget:  # the offer itself is good enough
                lam = 0.0
            for i in range(issues):
                moved = _minimum(_maximum(far[i] - lam * rho[i], 0.0), far[i])
                if bounded:
                    moved += least[r * l_, p, i]
                out[r, p, i] = _sign(toward[i]) * moved + ideal[r * x_, p, i]
