"""Counter-based randomness: every random number is a pure function of (seed, day, purpose, index).

A stateful generator would make run i of an ensemble depend on how many numbers the other runs
drew. Hashing the counter instead makes every run replayable on its own, bit for bit, whatever
ensemble it was computed in.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import numpy.typing as npt

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_DAY = np.uint64(0xD1B54A32D192ED03)
_PURPOSE = np.uint64(0x8CB92BA72F3D8DD7)
_INDEX = np.uint64(0xABC98388FB8FAC03)
_SHIFT30, _SHIFT27, _SHIFT31, _SHIFT11 = (np.uint64(k) for k in (30, 27, 31, 11))
_TO_UNIT = 2.0**-53
_MASK = 2**64 - 1
_SMALL = 8  # below this many numbers, plain Python integers are faster than numpy calls

SEED_BITS = 63
"""Seeds are non-negative integers below 2**63."""


class Purpose(IntEnum):
    """What a random number is for; each purpose draws from its own stream."""

    RESERVATION = 1
    FX = 2
    ROUND_GAP = 4
    ROUND_LENGTH = 5
    INFIGHTING = 6
    EXTENSION = 7
    FX_PAIR = 8
    RESERVATION_PAIR = 10
    ESCALATION = 11
    BLOCK = 12
    ELECTION = 13
    PRIORITIES = 14
    IDEAL = 15
    BELIEF = 16
    BELIEF_PAIR = 17
    LIMIT = 18
    LIMIT_PAIR = 19


def _splitmix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    # The splitmix64 finaliser: a bijection with full avalanche on 64-bit words. It works in
    # place on ``x`` (a fresh array of the caller's) and returns it.
    shifted = x >> _SHIFT30
    x ^= shifted
    x *= _MIX1
    np.right_shift(x, _SHIFT27, out=shifted)
    x ^= shifted
    x *= _MIX2
    np.right_shift(x, _SHIFT31, out=shifted)
    x ^= shifted
    return x


def _splitmix_int(x: int) -> int:
    x = ((x ^ (x >> 30)) * int(_MIX1)) & _MASK
    x = ((x ^ (x >> 27)) * int(_MIX2)) & _MASK
    return x ^ (x >> 31)


def _key(day: int, purpose: int, index: int) -> int:
    return (
        ((day + 1) * int(_DAY) & _MASK)
        ^ (purpose * int(_PURPOSE) & _MASK)
        ^ ((index + 1) * int(_INDEX) & _MASK)
    )


def as_seeds(seeds: int | npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """Return seeds as a one-dimensional uint64 array, checking their range.

    Args:
        seeds: One seed or a sequence of seeds, each in [0, 2**63).

    Returns:
        A 1-d uint64 array.

    Raises:
        ValueError: If a seed is negative or too large.
    """
    arr = np.atleast_1d(np.asarray(seeds, dtype=object if np.ndim(seeds) == 0 else None))
    if arr.dtype.kind in "iu" and arr.size:  # integers already: checked and cast at once
        if arr.min() < 0 or arr.max() >= 2**SEED_BITS:
            raise ValueError(f"seeds must be integers in [0, 2**{SEED_BITS})")
        return arr.astype(np.uint64).reshape(-1)
    as_int = np.array([int(s) for s in arr.ravel()], dtype=object)
    if any(s < 0 or s >= 2**SEED_BITS for s in as_int):
        raise ValueError(f"seeds must be integers in [0, 2**{SEED_BITS})")
    return np.array(list(as_int), dtype=np.uint64).reshape(-1)


def uniform(
    seeds: npt.NDArray[np.uint64], day: int, purpose: Purpose, index: int = 0
) -> npt.NDArray[np.float64]:
    """Uniform numbers in [0, 1), one per seed, for a given day, purpose and index.

    Args:
        seeds: 1-d uint64 array of run seeds.
        day: Day number (0 is the first day of the calendar).
        purpose: The stream the number belongs to.
        index: A further counter (a party or side index, say).

    Returns:
        float64 array with the shape of ``seeds``.
    """
    key = _key(day, int(purpose), index)
    if seeds.shape[0] < _SMALL:
        # The same integer arithmetic as below, exact, without numpy's per-call overhead.
        out = [
            (_splitmix_int(_splitmix_int((int(s) * int(_GOLDEN) + key) & _MASK) ^ key) >> 11)
            * _TO_UNIT
            for s in seeds.tolist()
        ]
        return np.array(out, dtype=np.float64)
    k = np.uint64(key)
    x = seeds * _GOLDEN
    x += k
    return _to_unit(x, k)


def _to_unit(
    x: npt.NDArray[np.uint64], key: np.uint64 | npt.NDArray[np.uint64]
) -> npt.NDArray[np.float64]:
    """Uniforms in [0, 1) from ``x = seed * golden + key``: splitmix(splitmix(x) ^ key), in place.

    The top 53 bits of the hash, scaled: the same integer arithmetic as ``_splitmix_int``.
    """
    x = _splitmix(x)
    x ^= key
    x = _splitmix(x)
    x >>= _SHIFT11
    out = x.astype(np.float64)
    out *= _TO_UNIT
    return out


def _uniforms(
    seeds: npt.NDArray[np.uint64], day: int, purpose: Purpose, count: int
) -> npt.NDArray[np.float64]:
    """``uniform`` for indices 0 .. count-1 at once, (n, count): column k is index k's.

    The same integer arithmetic, element by element, over one array (for 8 seeds or more).
    """
    keys = np.array([_key(day, int(purpose), k) for k in range(count)], dtype=np.uint64)
    return _to_unit((seeds * _GOLDEN)[:, None] + keys, keys)


def uniforms(
    seeds: npt.NDArray[np.uint64], day: int, purpose: Purpose, count: int
) -> npt.NDArray[np.float64]:
    """``uniform`` for indices 0 .. count-1 at once, (n, count): column k is index k's."""
    if seeds.shape[0] * count < _SMALL:  # a few numbers: index by index, on plain integers
        if count == 0:
            return np.empty((seeds.shape[0], 0))
        return np.stack([uniform(seeds, day, purpose, k) for k in range(count)], axis=1)
    return _uniforms(seeds, day, purpose, count)


def normal_pairs(
    seeds: npt.NDArray[np.uint64], day: int, purpose: Purpose, pair: Purpose, count: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``normal_pair`` for indices 0 .. count-1 at once, (n, count) each: column k is index k's.

    Args:
        seeds: 1-d uint64 array of run seeds.
        day: Day number.
        purpose: The stream of the radius uniforms.
        pair: The stream of the angle uniforms.
        count: How many indices.

    Returns:
        Two float64 arrays, (n, count) each.
    """
    if seeds.shape[0] * count < _SMALL:  # a few numbers: pair by pair, on plain integers
        pairs = [normal_pair(seeds, day, purpose, pair, k) for k in range(count)]
        shape = (seeds.shape[0], count)
        return (
            np.stack([a for a, _ in pairs], axis=1) if pairs else np.empty(shape),
            np.stack([b for _, b in pairs], axis=1) if pairs else np.empty(shape),
        )
    return _box_muller(_uniforms(seeds, day, purpose, count), _uniforms(seeds, day, pair, count))


def normals(
    seeds: npt.NDArray[np.uint64], day: int, purpose: Purpose, pair: Purpose, cells: int
) -> npt.NDArray[np.float64]:
    """``cells`` standard normals per seed, (n, cells): both of each pair, pair after pair.

    Column 2k is the first of ``normal_pair(..., index=k)`` and column 2k + 1 its second.
    """
    first, second = normal_pairs(seeds, day, purpose, pair, (cells + 1) // 2)
    return np.stack([first, second], axis=-1).reshape(seeds.shape[0], -1)[:, :cells]


def daily_normal_pairs(
    seeds: npt.NDArray[np.uint64], days: int, purpose: Purpose, pair: Purpose, index: int = 0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``normal_pair`` for days 0 .. days-1 at once, (days, n) each: row d is day d's.

    The same integer arithmetic and transform, element by element, over one array: a run
    alone draws a whole calendar's numbers in a few calls instead of a dozen a day.

    Args:
        seeds: 1-d uint64 array of run seeds.
        days: How many days, from day 0.
        purpose: The stream of the radius uniforms.
        pair: The stream of the angle uniforms.
        index: A further counter.
    """
    x = (seeds * _GOLDEN)[None, :]

    def units(stream: Purpose) -> npt.NDArray[np.float64]:
        keys = np.array([_key(d, int(stream), index) for d in range(days)], dtype=np.uint64)
        return _to_unit(x + keys[:, None], keys[:, None])

    return _box_muller(units(purpose), units(pair))


def normal_pair(
    seeds: npt.NDArray[np.uint64], day: int, purpose: Purpose, pair: Purpose, index: int = 0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Two independent standard normals per seed, by the Box–Muller transform.

    Args:
        seeds: 1-d uint64 array of run seeds.
        day: Day number.
        purpose: The stream of the radius uniform.
        pair: The stream of the angle uniform.
        index: A further counter.

    Returns:
        Two float64 arrays with the shape of ``seeds``.
    """
    return _box_muller(uniform(seeds, day, purpose, index), uniform(seeds, day, pair, index))


def _box_muller(
    radius: npt.NDArray[np.float64], angle: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Two standard normals from two fresh arrays of uniforms (reused in place)."""
    # The same operations on the same values as sqrt(-2 log(1 - u)) and 2 pi v, each in place
    # on its fresh array (a product's operands commute exactly).
    np.subtract(1.0, radius, out=radius)  # 1-u in (0, 1]
    np.log(radius, out=radius)
    radius *= -2.0
    np.sqrt(radius, out=radius)
    angle *= 2.0 * np.pi
    first = np.cos(angle)
    first *= radius
    second = np.sin(angle, out=angle)
    second *= radius
    return first, second
