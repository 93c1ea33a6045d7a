"""Human-readable lines for a single run.

Offers, verdicts with the scores behind them, concessions, events and the end.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from model.params import Compiled
from model.protocol import MAJORITY, UNANIMITY, RoundResult

Array = npt.NDArray[np.float64]


def fmt_value(value: float, unit: str) -> str:
    """Format one issue value in its unit."""
    if unit == "%":
        return f"{value:.1f}%"
    if unit.startswith("$"):
        return f"${value:,.0f}{unit[1:]}"
    return f"{value:.2f}"


def fmt_package(c: Compiled, z: Array) -> str:
    """Format a normalised package in real units."""
    real = c.to_real(z)
    parts = [
        f"{i.key} {fmt_value(float(v), i.unit)}"
        for i, v in zip(c.scenario.issues, real, strict=True)
    ]
    return ", ".join(parts)


def date_of(c: Compiled, day: int) -> dt.date:
    """Calendar date of a day number."""
    return c.scenario.calendar.start + dt.timedelta(days=int(day))


def round_lines(
    c: Compiled, day: int, res: RoundResult, aspiration: Array, number: int
) -> list[str]:
    """Narrate run 0 of a round result.

    Args:
        c: Compiled scenario.
        day: The day.
        res: The round (its first row is narrated).
        aspiration: (P,) aspirations of the narrated run.
        number: The round's ordinal.

    Returns:
        Lines, without the date prefix.
    """
    s, names = c.scenario, [p.name for p in c.scenario.parties]
    note = c.days.round_notes[day]
    lines = [note or f"Talks (round day {number})"]
    for k in res.turn[0]:
        side = s.sides[c.side_keys[k]]
        if res.argued[0, k]:
            lines.append(
                f"  {side.name}: the delegation pauses to argue among itself "
                f"(dispersion {res.dispersion[0, k]:.2f})"
            )
            continue
        if not res.tabled[0, k]:
            continue
        lines.append(f"  {side.name} tables: {fmt_package(c, res.packages[0, k])}")
        for j, key in enumerate(c.side_keys):
            if j == k:
                continue
            verdict = "accepts" if res.side_accepts[0, k, j] else "rejects"
            scores = ", ".join(
                f"{names[p]} {res.utilities[0, k, p]:.2f} vs {aspiration[p]:.2f}"
                for p in np.flatnonzero(c.member[j])
            )
            lines.append(f"  {s.sides[key].name} {verdict} ({scores})")
        own = "backs" if res.side_accepts[0, k, k] else "is split on"
        lines.append(f"  {side.name} {own} its own package ({_rule_text(c, k)})")
        if res.chosen[0] == k:
            break
    return lines


def _rule_text(c: Compiled, side: int) -> str:
    rule = int(c.rule[0, side])
    if rule == UNANIMITY:
        return "unanimity"
    if rule == MAJORITY:
        return f"clout-weighted majority over {c.threshold[0, side]:.2f}"
    return f"{c.party_keys[c.principal[side]]} decides"


def concession_lines(c: Compiled, before: Array, after: Array) -> list[str]:
    """Narrate the largest new concession of each party, from (P, P) edge totals."""
    names = [p.name for p in c.scenario.parties]
    delta = after - before
    lines = []
    for u in range(delta.shape[0]):
        if delta[u].max() < 0.0005:  # below what the line can show
            continue
        v = int(np.argmax(delta[u]))
        lines.append(f"  {names[u]} concedes most to {names[v]} (+{delta[u, v]:.3f} utility)")
    return lines
