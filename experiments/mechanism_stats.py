"""The statistics of ``negotiate mechanisms``: estimates with 95% intervals, paired by seed.

Both settings of a mechanism run on the same seeds, so run i of one and run i of the other share
every random number drawn for the same purpose on the same day. The intervals use that pairing:

- a setting's deal probability, and its share of deals struck after the original deadline, have
  Wilson score intervals;
- the change in deal probability has Newcombe's hybrid score interval for paired proportions
  (Newcombe 1998, method 10), built from the two Wilson intervals and the correlation of the
  pairs, so that runs whose outcome is the same in both settings narrow it;
- medians (deal day, each issue's terms), means (a party's utility of the deals) and the share
  after the deadline have percentile bootstrap intervals, and so have their changes: one
  bootstrap resample draws seeds with replacement and recomputes the statistic over the deals
  of each setting among those seeds (a paired bootstrap). The resamples come from a numpy
  Generator of fixed seed, so every interval is reproduced exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from experiments.summary import wilson_interval

Array = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

RESAMPLES = 2000  # bootstrap resamples per interval
BOOTSTRAP_SEED = 20250709  # any fixed seed makes the intervals reproducible
BLOCK_COUNTS = 2_500_000  # resamples x runs drawn at once: bounds memory whatever the runs
LEVEL = 0.95

# Verdicts of a predicted direction, from the interval of the change (on minus off).
AS_PREDICTED = "as predicted"
OPPOSITE = "opposite"
NO_CLEAR_CHANGE = "no clear change"
NOT_MEASURABLE = "not measurable"  # no deals in a setting: no median to compare
# Verdicts of a prediction that a setting changes some runs (dated events, say).
CHANGES_RUNS = "changes runs"
CHANGES_NOTHING = "changes nothing"

UP = ("higher", "later")
DOWN = ("lower", "earlier")


@dataclass(frozen=True)
class Estimate:
    """A number with its 95% interval (NaN when there is nothing to estimate it from)."""

    value: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies in the interval (ends included)."""
        return self.low <= x <= self.high


NAN = Estimate(math.nan, math.nan, math.nan)


def proportion(successes: int, n: int) -> Estimate:
    """A proportion with its 95% Wilson interval (NaN when ``n`` is 0)."""
    if n == 0:
        return NAN
    low, high = wilson_interval(successes, n)
    return Estimate(successes / n, low, high)


def paired_difference(off: Mask, on: Mask) -> Estimate:
    """The change in a proportion between two settings run on the same seeds.

    Newcombe's hybrid score ("square-and-add") interval for paired proportions (method 10 of
    Newcombe 1998, "Improved confidence intervals for the difference between binomial
    proportions based on paired data", Statistics in Medicine 17): the Wilson intervals of the
    two proportions, combined with the phi coefficient of the pairs, its positive numerator
    ad - bc reduced by n/2 as Newcombe does. When no run changes, the change is exactly 0 and
    the interval is symmetric about it.

    Args:
        off: Whether each run succeeded in the setting without the mechanism.
        on: The same runs (the same seeds, in the same order) with it.

    Returns:
        ``on`` share minus ``off`` share, with its 95% interval.
    """
    off, on = np.asarray(off, bool), np.asarray(on, bool)
    n = off.size
    if n == 0:
        return NAN
    a = int(np.sum(off & on))
    b = int(np.sum(off & ~on))
    c = int(np.sum(~off & on))
    d = n - a - b - c
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n)
    l2, u2 = wilson_interval(a + c, n)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    # Newcombe's correlation of the pairs, moderated: a positive ad - bc is reduced by n/2
    # (to no less than 0), which keeps the interval from growing too narrow.
    excess = a * d - b * c
    excess = max(excess - n / 2, 0.0) if excess >= 0 else excess
    phi = excess / math.sqrt(denom) if denom > 0 else 0.0
    theta = p2 - p1
    below = (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2
    above = (u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2
    return Estimate(theta, theta - math.sqrt(max(below, 0.0)), theta + math.sqrt(max(above, 0.0)))


@dataclass(frozen=True)
class Statistic:
    """A statistic over the deals of one setting: a median or a mean of per-run values.

    Attributes:
        kind: "median" or "mean" (a share is the mean of a 0/1 value).
        values: One value per run (any value where ``deals`` is False).
        deals: Which runs count (the runs that ended in a deal).
    """

    kind: Literal["median", "mean"]
    values: Array
    deals: Mask

    def point(self) -> float:
        """The statistic over every run (NaN without deals)."""
        ones = np.ones((1, self.values.size), dtype=np.int64)
        return float(_evaluate(self, ones)[0])


@dataclass(frozen=True)
class Paired:
    """A statistic in both settings and its change, each with a bootstrap interval."""

    off: Estimate
    on: Estimate
    change: Estimate


def paired_bootstrap(
    statistics: Mapping[str, tuple[Statistic, Statistic]],
    resamples: int = RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Paired]:
    """Percentile bootstrap intervals of statistics of two settings and of their changes.

    Each resample draws the runs (seeds) with replacement, the same runs for both settings and
    for every statistic, and recomputes each statistic over the deals among them; a resample
    is held as how many times it drew each run, so the medians come from cumulative counts
    over the sorted values, without sorting again. Resamples whose statistic is undefined (no
    deal drawn) are left out of its interval.

    Args:
        statistics: By name, the statistic without the mechanism and with it; every array has
            one entry per run, run i being the same seed in both.
        resamples: Bootstrap resamples.
        seed: Seed of the numpy Generator that draws them.

    Returns:
        By name: each setting's value and the change (on minus off), with 95% intervals.
    """
    if not statistics:
        return {}
    runs = next(iter(statistics.values()))[0].values.size
    rng = np.random.default_rng(seed)
    draws = {name: (np.empty(resamples), np.empty(resamples)) for name in statistics}
    block = max(1, BLOCK_COUNTS // max(runs, 1))
    for start in range(0, resamples, block):
        size = min(block, resamples - start)
        picks = rng.integers(0, runs, size=(size, runs))
        rows = np.repeat(np.arange(size) * runs, runs)
        counts = np.bincount(rows + picks.ravel(), minlength=size * runs).reshape(size, runs)
        for name, pair in statistics.items():
            for k, stat in enumerate(pair):
                draws[name][k][start : start + size] = _evaluate(stat, counts)
    out = {}
    for name, (off, on) in statistics.items():
        d_off, d_on = draws[name]
        off_value, on_value = off.point(), on.point()
        out[name] = Paired(
            off=_percentile(off_value, d_off),
            on=_percentile(on_value, d_on),
            change=_percentile(on_value - off_value, d_on - d_off),
        )
    return out


def _percentile(value: float, draws: Array) -> Estimate:
    tail = 100 * (1 - LEVEL) / 2
    kept = draws[np.isfinite(draws)]
    if not math.isfinite(value) or kept.size == 0:
        return Estimate(value, math.nan, math.nan)
    low, high = np.percentile(kept, [tail, 100 - tail])
    return Estimate(value, float(low), float(high))


def _evaluate(stat: Statistic, counts: npt.NDArray[np.int64]) -> Array:
    """The statistic in each resample, given how often each resample drew each run."""
    idx = np.flatnonzero(stat.deals)
    if idx.size == 0:
        return np.full(counts.shape[0], math.nan)
    if stat.kind == "mean":
        weight = counts[:, idx].sum(axis=1)
        total = counts[:, idx] @ stat.values[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(weight > 0, total / np.maximum(weight, 1), math.nan)
    order = idx[np.argsort(stat.values[idx], kind="stable")]
    values = stat.values[order]
    cum = np.cumsum(counts[:, order], axis=1)
    total = cum[:, -1]
    if values[0] == values[-1]:  # one value among the deals: it is every resample's median
        return np.where(total > 0, values[0], math.nan)
    # The median is the mean of the order statistics of ranks (m-1)//2 and m//2 (0-based); the
    # value of rank r is the first whose cumulative count exceeds r.
    last = values.size - 1
    lower = np.minimum((cum <= ((total - 1) // 2)[:, None]).sum(axis=1), last)
    upper = np.minimum((cum <= (total // 2)[:, None]).sum(axis=1), last)
    return np.where(total > 0, (values[lower] + values[upper]) / 2, math.nan)


def verdict(direction: str, change: Estimate) -> str:
    """Compare the interval of a change (on minus off) with the direction theory predicts.

    Args:
        direction: "higher" or "later" (the change should be above 0), "lower" or "earlier"
            (below 0).
        change: The change with its 95% interval.

    Returns:
        "as predicted" when the interval lies wholly on the predicted side of 0, "opposite"
        when wholly on the other side, "no clear change" when it holds 0, "not measurable"
        when it could not be computed (a setting without deals).

    Raises:
        ValueError: For an unknown direction.
    """
    if direction in UP:
        sign = 1.0
    elif direction in DOWN:
        sign = -1.0
    else:
        raise ValueError(f"unknown direction {direction!r} (known: {', '.join(UP + DOWN)})")
    if not (math.isfinite(change.low) and math.isfinite(change.high)):
        return NOT_MEASURABLE
    low, high = sorted((sign * change.low, sign * change.high))
    if low > 0:
        return AS_PREDICTED
    if high < 0:
        return OPPOSITE
    return NO_CLEAR_CHANGE


def changed_verdict(changed: int) -> str:
    """The verdict of a prediction that a setting changes some runs: any run at all."""
    return CHANGES_RUNS if changed > 0 else CHANGES_NOTHING
