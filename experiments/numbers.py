"""Whole numbers a user types: seeds, run counts, ports and run ids, checked in one place.

The command line, the sweep commands and the app read numbers through these functions, so a
bad number is described in the same words wherever it is typed. Each raises ``ArgumentError``
whose source is the number's name (``seed``, ``runs``, ``--workers``, ``run id``) and whose
problem says what is wrong.
"""

from __future__ import annotations

from model.errors import ArgumentError
from model.rng import SEED_BITS

SEED_LIMIT = 2**SEED_BITS  # seeds lie in [0, SEED_LIMIT)
PORT_MAX = 65535


def parse_int(text: object, name: str, least: int | None = None, most: int | None = None) -> int:
    """Read a whole number, optionally bounded.

    Args:
        text: What was typed (a string, or a number already).
        name: The number's name, for messages.
        least: The smallest value allowed, if any.
        most: The largest value allowed, if any (with ``least``: the range in messages).

    Returns:
        The number.

    Raises:
        ArgumentError: When it is not a whole number or lies outside the bounds.
    """
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ArgumentError(name, "", f"must be an integer, got {text!r}") from None
    if most is not None and least is not None and not least <= value <= most:
        raise ArgumentError(name, "", f"must be in [{least}, {most}], got {value}")
    if least is not None and value < least:
        raise ArgumentError(name, "", f"must be at least {least}, got {value}")
    if most is not None and value > most:
        raise ArgumentError(name, "", f"must be at most {most}, got {value}")
    return value


def parse_seed(text: object) -> int:
    """Read a seed: a whole number in [0, 2**SEED_BITS).

    Raises:
        ArgumentError: When it is not one.
    """
    value = parse_int(text, "seed")
    if not 0 <= value < SEED_LIMIT:
        raise ArgumentError("seed", "", f"must be in [0, 2**{SEED_BITS}), got {value}")
    return value


def parse_port(text: object) -> int:
    """Read a TCP port: a whole number in [0, 65535] (0: any free port).

    Raises:
        ArgumentError: When it is not one.
    """
    return parse_int(text, "port", 0, PORT_MAX)


def check_seed_range(seed: int, runs: int) -> None:
    """Check that seeds ``seed`` to ``seed + runs - 1`` are all valid seeds.

    Raises:
        ArgumentError: When the last one would pass the seed range.
    """
    if seed + runs > SEED_LIMIT:
        raise ArgumentError("--runs", "", f"seed + runs must stay below 2**{SEED_BITS}")
