"""Human-readable lines for a single run.

Offers, verdicts with the scores behind them, concessions, events and the end.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from agents.negotiator import Reason
from model.params import Compiled
from model.protocol import MAJORITY, UNANIMITY, RoundResult
from model.state import DeadlineDecision, State

Array = npt.NDArray[np.float64]


def fmt_value(value: float, unit: str, extra: int = 0) -> str:
    """Format one issue value in its unit, with ``extra`` more decimals than usual."""
    if unit == "%":
        return f"{value:.{1 + extra}f}%"
    if unit.startswith("$"):
        return f"${value:,.{extra}f}{unit[1:]}"
    return f"{value:.{2 + extra}f}"


def fmt_beyond(value: float, limit: float, unit: str, side: str) -> str:
    """A value and the limit it breaks (``side`` "above" or "below"), told apart.

    Up to three more decimals than usual are shown where they tell the two apart; a value
    closer than that is "a hair" beyond the limit.
    """
    for extra in range(4):
        shown, bound_at = fmt_value(value, unit, extra), fmt_value(limit, unit, extra)
        if shown != bound_at:
            return f"{shown} {side} {bound_at}"
    return f"a hair {side} {fmt_value(limit, unit)}"


def fmt_package(c: Compiled, z: Array) -> str:
    """Format a normalised package in real units, each issue named by its short name."""
    real = c.to_real(z)
    parts = [
        f"{i.short} {fmt_value(float(v), i.unit)}"
        for i, v in zip(c.scenario.issues, real, strict=True)
    ]
    return ", ".join(parts)


def and_list(words: list[str]) -> str:
    """Words as a list in prose: "a", "a and b", "a, b and c"."""
    return words[0] if len(words) < 2 else f"{', '.join(words[:-1])} and {words[-1]}"


def date_of(c: Compiled, day: int) -> dt.date:
    """Calendar date of a day number."""
    return c.scenario.calendar.start + dt.timedelta(days=int(day))


def round_lines(
    c: Compiled,
    day: int,
    res: RoundResult,
    aspiration: Array,
    number: int,
    courted: bool = False,
    held: Array | None = None,
) -> list[str]:
    """Narrate run 0 of a round result.

    Args:
        c: Compiled scenario.
        day: The day.
        res: The round (its first row is narrated).
        aspiration: (P,) aspirations of the narrated run.
        number: The round's ordinal.
        courted: Whether the parties chose whom to meet (who sat at the table is then named).
        held: (P,) what each party holds back above its bottom line, which it keeps private
            (0 where it holds back nothing), or None.

    Returns:
        Lines, without the date prefix.
    """
    s = c.scenario
    note = c.days.round_notes[day]
    lines = [note or f"Talks (round day {number})"]
    if courted and not res.present[0].all():
        names = [s.party(k).name for k, at in zip(c.party_keys, res.present[0], strict=True) if at]
        lines[0] += f": {' and '.join(names)} meet"
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
            why = verdict_reasons(c, res, k, j, aspiration, day, held)
            lines.append(f"  {s.sides[key].name} {verdict}: {why}")
        own = "backs" if res.side_accepts[0, k, k] else "is split on"
        lines.append(
            f"  {side.name} {own} its own package ({_rule_text(c, k)}): "
            f"{verdict_reasons(c, res, k, k, aspiration, day, held)}"
        )
        if res.chosen[0] == k:
            break
    return lines


def verdict_reasons(
    c: Compiled,
    res: RoundResult,
    k: int,
    j: int,
    aspiration: Array,
    day: int,
    held: Array | None = None,
) -> str:
    """Why side ``j`` answers package ``k`` as it does, in words (run 0).

    Each member's answer with its reason (its utility against its aspiration; a package its
    principals would not ratify; a block on its portfolio's issues on the table, which counts
    only from a member at the table), then the side's win-set where the package falls outside
    it, naming each issue and the bound it breaks. A member who wants more only because it
    holds back a margin above a bottom line it keeps private (``held``) says so.
    """
    names = [p.name for p in c.scenario.parties]
    shorts = [i.short for i in c.scenario.issues]
    parts = []
    for p in np.flatnonzero(c.member[j]):
        u, a, why = res.utilities[0, k, p], aspiration[p], int(res.reasons[0, k, p])
        if why == Reason.BLOCKS:
            on_table = c.portfolio[p] & ~c.days.off_table[day]
            turf = and_list([shorts[i] for i in np.flatnonzero(on_table)])
            if res.present[0, p]:
                parts.append(f"{names[p]} blocks it over {turf}")
            else:  # a block counts only at the table
                parts.append(f"{names[p]}, away, would block it over {turf}")
        elif why == Reason.BELOW_ASPIRATION:
            if held is not None and held[p] > 0 and u >= a - held[p]:
                parts.append(
                    f"{names[p]} wants more ({u:.2f} < {a:.2f}): the package clears the bottom "
                    f"line ({a - held[p]:.2f}), but not knowing how low the other side would "
                    f"go, {names[p]} holds back {held[p]:.2f}"
                )
            else:
                parts.append(f"{names[p]} wants more ({u:.2f} < {a:.2f})")
        elif why == Reason.OUTSIDE_WIN_SET:
            parts.append(f"{names[p]} cannot sign it ({u:.2f} vs {a:.2f})")
        elif why == Reason.CHOOSES:
            parts.append(f"{names[p]} (you) accepts it ({u:.2f})")
        elif why == Reason.DECLINES:
            parts.append(f"{names[p]} (you) turns it down ({u:.2f})")
        else:
            parts.append(f"{names[p]} agrees ({u:.2f} ≥ {a:.2f})")
    pkg, lo, hi = res.packages[0, k], res.lo[0, j], res.hi[0, j]
    real, real_lo, real_hi = c.to_real(pkg), c.to_real(lo), c.to_real(hi)
    broken = []
    for i, issue in enumerate(c.scenario.issues):
        if pkg[i] > hi[i] + 1e-9:
            broken.append(f"{issue.short} {fmt_beyond(real[i], real_hi[i], issue.unit, 'above')}")
        elif pkg[i] < lo[i] - 1e-9:
            broken.append(f"{issue.short} {fmt_beyond(real[i], real_lo[i], issue.unit, 'below')}")
    if broken:
        parts.append(
            f"{c.scenario.sides[c.side_keys[j]].name} would not ratify {', '.join(broken)}"
        )
    return "; ".join(parts)


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


def deadline_lines(c: Compiled, decision: DeadlineDecision, s: State) -> list[str]:
    """Narrate what run 0's deadline brought, if it was due today.

    Args:
        c: Compiled scenario.
        decision: Today's deadline decisions (row 0 is narrated).
        s: The state after them.

    Returns:
        Lines, without the date prefix (none when nothing happened at a deadline).
    """
    days = c.scenario.calendar.extension.days
    if c.deadline_mode == "fixed":
        if decision.extended[0]:
            return [f"The deadline moves by {days} days, to {date_of(c, s.deadline[0])}"]
        if decision.broke[0]:
            return ["BREAKDOWN: the deadline passes without a deal; the no-deal terms apply"]
        return []
    holder = c.scenario.sides[c.side_keys[c.holder]].name
    apart = f"the packages on the table are {decision.gap[0]:.2f} apart"
    if decision.escalated[0]:
        return [
            f"{holder} escalates ({apart}): without a deal by {date_of(c, s.deadline[0])}, "
            f"{fmt_package(c, s.threat[0])}"
        ]
    if decision.extended[0]:
        return [
            f"{holder} extends the deadline by {days} days, to {date_of(c, s.deadline[0])} "
            f"({apart})"
        ]
    if decision.broke[0]:
        return [f"BREAKDOWN: {holder} imposes the no-deal terms ({apart})"]
    return []
