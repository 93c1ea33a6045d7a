"""The mechanism: one round of talks, in which the sides table packages and decide on them.

The protocol asks every negotiator what it would propose, forms each side's package from its
present members' proposals (weighted by clout and salience), lets a divided side argue instead
of tabling (the cost of a divided delegation), asks every negotiator to respond to every
package, and applies each side's decision rule (unanimity, clout-weighted majority or a
principal's veto) and its principals' win-set. The side whose turn it is tables first; if some
side rejects its package, the next side answers with its own, and so on around the table. The
first package every side accepts is the deal.

How a party proposes and responds is the party's own (``agents.negotiator``); this module only
asks and counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agents.negotiator import Negotiator, Reason
from model.params import Compiled
from model.state import compiled_schedule, schedule_rows, scheduled_limits, take
from model.utility import (
    RUNS_LAST,
    TOLERANCE,
    all_last,
    any_last,
    bound,
    dispersion,
    pie_weights,
    run_last_stakes,
    side_packages,
    tightest,
    total,
)

Array = npt.NDArray[np.float64]
UNANIMITY, MAJORITY, VETO = 0, 1, 2


def win_set_bounds(
    c: Compiled,
    day: int,
    idx: slice | npt.NDArray[np.intp],
    outcome: npt.NDArray[np.intp] | None = None,
    limits: tuple[Array, Array] | None = None,
) -> tuple[Array, Array]:
    """Each side's ratification bounds on a day for runs ``idx``, normalised, (n|1, S, I) each.

    Bounds move from their start values toward their election values in proportion to the
    elapsed share of time to the side's election, times the side's election pressure. With
    election outcomes (``outcome``, (n, S), the state's draws for runs ``idx``), a side whose
    election has passed has the win-set of the outcome its run drew. ``limits`` replaces the
    scenario's start and election bounds (``c.bound_lo``, ``c.bound_hi``) with others,
    (n, 2, S, I) each, such as what the other sides believe them to be.
    """
    if limits is None:  # the scenario's own limits: their schedule is kept
        limits = schedule_rows(compiled_schedule(c), idx)
    lo, hi = scheduled_limits(c, day, idx, limits)  # new arrays
    if outcome is not None:
        decided = np.flatnonzero((day >= c.election_day) & c.has_outcomes)
        if decided.size:
            n = outcome.shape[0]
            if lo.shape[0] != n:  # shared by every run so far: one row per run from here
                lo = np.broadcast_to(lo, (n, *lo.shape[1:])).copy()
            if hi.shape[0] != n:
                hi = np.broadcast_to(hi, (n, *hi.shape[1:])).copy()
            for k in decided:
                lo[:, k] = c.after_lo[k, outcome[:, k]]
                hi[:, k] = c.after_hi[k, outcome[:, k]]
    return lo, hi


def meeting(
    c: Compiled, engaged: npt.NDArray[np.intp], present: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Who sits at a generated round when parties court members of the other sides, (n, P).

    A side is represented by those of its members present that day whom a party of another
    side courts (``State.engaged``); a side none of whose present members is courted comes
    whole.

    Args:
        c: Compiled scenario.
        engaged: (n, P) the member each party courts, -1 for none.
        present: (P,) who could attend today.
    """
    n, n_p = engaged.shape
    courted = np.zeros((n, n_p), bool)
    for p in range(n_p):
        runs = np.flatnonzero(engaged[:, p] >= 0)
        courted[runs, engaged[runs, p]] = True
    courted &= present[None, :]
    sought = any_last(courted[:, None, :] & c.member[None])  # (n, S) a side with a courted member
    return present[None, :] & np.where(sought[:, c.side_of], courted, True)


def side_decisions(
    c: Compiled,
    accepts: npt.NDArray[np.bool_],
    packages: Array,
    rule: npt.NDArray[np.intp],
    clout: Array,
    threshold: Array,
    lo: Array,
    hi: Array,
) -> npt.NDArray[np.bool_]:
    """Whether each side accepts each package under its rule and its win-set.

    Args:
        c: Compiled scenario.
        accepts: (n, K, P) whether each party accepts each package.
        packages: (n, K, I) the packages.
        rule: (n|1, S) rule codes.
        clout: (n|1, P) clout.
        threshold: (n|1, S) majority thresholds.
        lo: (n|1, S, I) lower ratification bounds.
        hi: (n|1, S, I) upper ratification bounds.

    Returns:
        (n, K, S) side acceptance.
    """
    member = c.member  # (S, P)
    cw = clout[:, None, :] * member[None]  # (n|1, S, P)
    principal = np.maximum(c.principal, 0)
    if rule.shape[0] == 1:  # every run has the same rules: each side counts by its own alone
        decided = np.stack(
            [
                _side_decision(accepts, int(rule[0, k]), member[k], cw[:, k], threshold[:, k])
                if rule[0, k] in (UNANIMITY, MAJORITY)
                else accepts[:, :, principal[k]]
                for k in range(len(member))
            ],
            axis=-1,
        )
    else:
        unanimous = all_last(accepts[:, :, None, :] | ~member[None, None])
        share = total(accepts[:, :, None, :] * cw[:, None, :, :]) / total(cw)[:, None, :]
        majority = share > threshold[:, None, :]
        veto = accepts[:, :, principal]  # (n, K, S); unused where the rule is not veto
        decided = np.where(
            rule[:, None, :] == UNANIMITY,
            unanimous,
            np.where(rule[:, None, :] == MAJORITY, majority, veto),
        )
    if c.has_bounds.any():
        inside = (packages[:, :, None, :] >= lo[:, None] - TOLERANCE) & (
            packages[:, :, None, :] <= hi[:, None] + TOLERANCE
        )
        decided &= all_last(inside)
    return decided


def _side_decision(
    accepts: npt.NDArray[np.bool_],
    rule: int,
    member: npt.NDArray[np.bool_],
    cw: Array,
    threshold: Array,
) -> npt.NDArray[np.bool_]:
    """(n, K) one side's decision on each package by unanimity or clout-weighted majority.

    The arithmetic of ``side_decisions``'s every-rule path for this side: its members' answers
    (every party's, non-members as agreeing) and its clout-weighted share over every party.

    Args:
        accepts: (n, K, P) whether each party accepts each package.
        rule: UNANIMITY or MAJORITY.
        member: (P,) the side's members.
        cw: (n|1, P) the side's clout by party (0 for non-members).
        threshold: (n|1,) its majority threshold.
    """
    if rule == UNANIMITY:
        return all_last(accepts | ~member)
    share = total(accepts * cw[:, None, :]) / total(cw)[:, None]
    return share > threshold[:, None]


def no_crossing(
    c: Compiled,
    negotiators: Sequence[Negotiator],
    idx: slice | npt.NDArray[np.intp],
    packages: Array,
    mix: Array,
    clout: Array,
    believed: tuple[Array, Array] | None = None,
    stake: Array | None = None,
) -> Array:
    """Keep each side from asking for less than the other sides have already offered it.

    On every issue a side's package stays between what its members want (their ideals,
    weighted as the package is) and the offer it answers, so offers never cross. An earlier
    offer that the other sides could no longer ratify (their win-sets have tightened since)
    counts only as far as they can, by what the side knows or believes of their limits.

    Args:
        c: Compiled scenario.
        negotiators: Every party's negotiator, in column order.
        idx: The n runs.
        packages: (n, S, I) the sides' packages.
        mix: (n|1, P, I) the weights by which a side weighs its members.
        clout: (n|1, P) clout.
        believed: Each side's win-set today as the others take it to be, (n|1, S, I) lower
            and upper bounds; None to take offers as they were made.
        stake: ``run_last_stakes(mix, clout)`` when already worked out, else None.

    Returns:
        (n, S, I) the packages, clipped where they would cross.
    """
    ideal = np.broadcast_to(take(c.ideal, idx), (packages.shape[0], *c.ideal.shape[1:]))
    everyone = np.ones(len(c.party_keys), bool)
    wanted, _ = side_packages(ideal, mix, clout, c.member, everyone, stake)
    out = packages.copy()
    for k in range(len(c.side_keys)):
        offer, answered = negotiators[c.lead[k]].offer_to_answer(idx)
        if believed is not None:
            lo_o, hi_o = tightest(*believed, np.arange(len(c.side_keys)) != k)
            offer = np.where(lo_o <= hi_o, bound(offer, lo_o, hi_o), offer)
        lo, hi = np.minimum(wanted[:, k], offer), np.maximum(wanted[:, k], offer)
        out[:, k] = np.where(answered[:, None], bound(packages[:, k], lo, hi), packages[:, k])
    return out


def _bound_by_side(pos: Array, lo: Array, hi: Array, side_of: npt.NDArray[np.intp]) -> None:
    """Clip each party's positions to its side's bounds, in place.

    ``bound(pos, lo[:, side_of], hi[:, side_of])`` on the caller's new array; ``np.take``
    lays the gathered bounds out contiguously (indexing a middle axis does not, and the
    clipping then runs several times slower).

    Args:
        pos: (n, P, I) positions (a new array of the caller's).
        lo: (n|1, S, I) lower bounds.
        hi: (n|1, S, I) upper bounds.
        side_of: (P,) each party's side.
    """
    np.maximum(pos, np.take(lo, side_of, axis=1), out=pos)
    np.minimum(pos, np.take(hi, side_of, axis=1), out=pos)


@dataclass
class RoundResult:
    """What happened in one round, for the runs that held it (n of them)."""

    idx: slice | npt.NDArray[np.intp]
    positions: Array  # (n, P, I) tabled positions, inside own win-sets
    packages: Array  # (n, S, I) each side's package
    tabled: npt.NDArray[np.bool_]  # (n, S) a side tabled its package
    argued: npt.NDArray[np.bool_]  # (n, S) a side argued among itself instead
    utilities: Array  # (n, S, P) each party's utility of each package
    accepts: npt.NDArray[np.bool_]  # (n, S, P) each party's verdict on each package
    reasons: npt.NDArray[np.int8]  # (n, S, P) why (agents.negotiator.Reason)
    side_accepts: npt.NDArray[np.bool_]  # (n, S_package, S_deciding)
    turn: npt.NDArray[np.intp]  # (n, S) packages in the order they were tabled
    deal: npt.NDArray[np.bool_]  # (n,)
    chosen: npt.NDArray[np.intp]  # (n,) package agreed, -1 for none
    table: Array  # (n, I) the package left on the table
    has_table: npt.NDArray[np.bool_]  # (n,)
    dispersion: Array  # (n, S)
    lo: Array  # (n|1, S, I) each side's win-set today: lower bounds
    hi: Array  # (n|1, S, I) upper bounds
    present: npt.NDArray[np.bool_]  # (n|1, P) who was at the table
    positions_t: Array | None = None  # (I, P, n) the positions issue first, run last (many runs)


def hold_round(
    c: Compiled,
    negotiators: Sequence[Negotiator],
    idx: slice | npt.NDArray[np.intp],
    day: int,
    bounds: tuple[Array, Array],
    weights: Array,
    present: npt.NDArray[np.bool_],
    proposer: npt.NDArray[np.intp],
    argue_draw: Array,
    believed: tuple[Array, Array] | None = None,
) -> RoundResult:
    """Hold a round for runs ``idx``.

    Args:
        c: Compiled scenario (per-run parameters with R rows or one).
        negotiators: Every party's negotiator, in column order.
        idx: The n runs holding a round (a slice or indices).
        day: Today's day number.
        bounds: Each side's win-set today, (n|1, S, I) lower and upper bounds.
        weights: (n|1, P, I) effective priorities, by which a side weighs its members.
        present: (P,) who is at the table, or (n, P) run by run.
        proposer: (n,) the side whose turn it is.
        argue_draw: (n, S) uniform numbers deciding whether a divided side argues.
        believed: Each side's win-set today as the other sides take it to be (with complete
            information, ``bounds``); None where parties pay no heed to the others' limits.

    Returns:
        The round's result.
    """
    clout = take(c.clout, idx)
    lo, hi = bounds
    # Every party forms its position (absent ones too: they still pull their side apart);
    # only the present members' positions make their side's package.
    pos = np.stack([n.propose(idx, day) for n in negotiators], axis=1)
    _bound_by_side(pos, lo, hi, c.side_of)  # a side's package stays ratifiable
    mix = pie_weights(weights, c.pie_groups)
    # Many runs: the stakes every package is weighed by, and the positions issue first and run
    # last, are laid out once for the round.
    many = pos.shape[0] >= RUNS_LAST
    stake = run_last_stakes(mix, clout) if many else None
    packages, anyone = side_packages(pos, mix, clout, c.member, present, stake)
    if c.offers_mode == "answer":
        packages = no_crossing(c, negotiators, idx, packages, mix, clout, believed, stake)
    packages = bound(packages, lo, hi)
    pinned = c.days.off_table[day]
    if pinned.any():  # off the table, an issue stays at its no-deal value, ratifiable or not
        packages = np.where(pinned, c.no_deal, packages)
    if present.all():  # the usual case: the whole delegations are at the table
        full = packages
    else:
        everyone = np.ones(present.shape[-1], dtype=bool)
        full = bound(side_packages(pos, mix, clout, c.member, everyone, stake)[0], lo, hi)
        if present.ndim == 2:  # run by run: where the whole delegations met, their package
            whole = present.all(axis=1)
            full = np.where(whole[:, None, None], packages, full)
    pos_t = np.ascontiguousarray(pos.transpose(2, 1, 0)) if many else None
    spread = dispersion(pos, full, clout, c.member, pos_t)
    argued = argue_draw < (1.0 - take(c.cohesion, idx)) * spread
    tabled = anyone & ~argued
    verdicts = [n.respond(packages, idx) for n in negotiators]
    util = np.stack([v.utility for v in verdicts], axis=-1)
    accepts = np.stack([v.accepts for v in verdicts], axis=-1)
    reasons = np.stack([v.reason for v in verdicts], axis=-1)
    decided = side_decisions(
        c, accepts, packages, take(c.rule, idx), clout, take(c.threshold, idx), lo, hi
    )
    if c.hydra_mode == "portfolios":
        # A present member's block on its portfolio is a veto for its side, whatever the
        # side's rule; a member away from the table blocks nothing.
        blocking = (reasons == Reason.BLOCKS) & np.atleast_2d(present)[:, None, :]
        blocked = blocking[:, :, None, :] & c.member[None, None]
        decided &= ~any_last(blocked)
    n_s, n = len(c.side_keys), pos.shape[0]
    turn = (proposer[:, None] + np.arange(n_s)[None, :]) % n_s  # (n, S)
    agreed = tabled & all_last(decided)  # (n, K)
    agreed_in_turn = np.take_along_axis(agreed, turn, axis=1)
    deal = agreed_in_turn.any(axis=1)
    first = np.argmax(agreed_in_turn, axis=1)
    chosen = np.where(deal, turn[np.arange(n), first], -1)
    tabled_in_turn = np.take_along_axis(tabled, turn, axis=1)
    last_tabled = n_s - 1 - np.argmax(tabled_in_turn[:, ::-1], axis=1)
    on_table = np.where(deal, chosen, turn[np.arange(n), last_tabled])
    table = packages[np.arange(n), on_table]
    return RoundResult(
        idx=idx,
        positions=pos,
        packages=packages,
        tabled=tabled,
        argued=argued,
        utilities=util,
        accepts=accepts,
        reasons=reasons,
        side_accepts=decided,
        turn=turn,
        deal=deal,
        chosen=chosen,
        table=table,
        has_table=tabled.any(axis=1),
        dispersion=spread,
        lo=lo,
        hi=hi,
        present=np.atleast_2d(present),
        positions_t=pos_t,
    )
