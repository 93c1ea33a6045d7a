"""The ensemble's state arrays and the parts of a day that need no negotiator.

Drivers, the calendar of rounds, and the deadline.

Every array has a leading run axis. A run that has ended is frozen: its arrays are never
written again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from model.params import Compiled, LimitSchedule
from model.rng import Purpose, daily_normal_pairs, normal_pair, normal_pairs, normals, uniform
from model.utility import (
    TOLERANCE,
    at_least,
    at_most,
    bound,
    effective_weights,
    max_last,
    total,
    utilities,
)

Array = npt.NDArray[np.float64]
RUNNING, DEAL, BREAKDOWN = 0, 1, 2
STATUS_NAMES = {RUNNING: "running", DEAL: "deal", BREAKDOWN: "breakdown"}
TRADING_DAYS = 252.0
PREFERENCES = (Purpose.PRIORITIES, Purpose.IDEAL)  # the streams of the preference draws
# Up to this many runs, the drivers' random steps for every day are drawn at the start (one
# array for the whole calendar); more runs draw each day's for the runs still going.
DRAW_AHEAD_RUNS = 8


@dataclass
class State:
    """Everything that changes during a run, for R runs."""

    seeds: npt.NDArray[np.uint64]
    active: npt.NDArray[np.bool_]
    status: npt.NDArray[np.int8]
    end_day: npt.NDArray[np.int64]
    deadline: npt.NDArray[np.int64]
    extended: npt.NDArray[np.bool_]
    reservation: Array  # (R, P)
    aspiration: Array  # (R, P)
    fx: Array
    stress: Array
    urgency: Array  # (P,) accumulated event urgency (events are the same in every run)
    next_round: npt.NDArray[np.int64]
    round_left: npt.NDArray[np.int64]
    proposer: npt.NDArray[np.intp]
    rounds: npt.NDArray[np.int64]
    table: Array  # (R, I)
    has_table: npt.NDArray[np.bool_]
    terms: Array  # (R, I)
    dispersion: Array  # (R, S)
    offers: Array  # (R, S, I) each side's last tabled package
    offer_round: npt.NDArray[np.int64]  # (R, S) round count when the side last tabled, 0: never
    offer_value: Array  # (R, S) the side's own utility of its last package
    offer_value_prev: Array  # (R, S) the same for the package before it (NaN: none yet)
    replied: npt.NDArray[np.int64]  # (R, P) round count when the party last answered offers
    threat: Array  # (R, I) the no-deal terms that apply if the deadline passes (normalised)
    extensions: npt.NDArray[np.int64]  # (R,) how often the deadline has moved
    escalated: npt.NDArray[np.bool_]  # (R,) the holder has escalated the threat
    phase_start: npt.NDArray[np.int64]  # (R,) day the current phase of the talks began
    phase_aspiration: Array  # (R, P) aspirations when it began (1 at the start)
    audience: Array  # (R, P) each party's drawn audience cost of signing
    election_outcome: npt.NDArray[np.intp]  # (R, S) the outcome each side's election brings
    belief: Array  # (R, P, S, I) what each party believes each side's priorities are
    no_deal_values: Array | None  # (2, R, P) utilities of the terms in force and the threat
    engaged: npt.NDArray[np.intp]  # (R, P) the member each party courts next, -1 for none
    previous_offers: Array  # (R, S, I) each side's package before its last one
    # What the other sides believe each side's win-set limits are, at the start and at the
    # election (R, 2, S, I) each, and the range (R, 2, S, I) that what they have seen leaves for
    # each limit's shift from its stated value; None where parties know them (see
    # ``initial_limit_beliefs``).
    believed_lo: Array | None = None
    believed_hi: Array | None = None
    shift_range: Array | None = None
    # The drivers' standard normal steps of every day, (2, D, R): USD/JPY's, then market
    # stress's, when drawn at the start (up to DRAW_AHEAD_RUNS runs); None: drawn day by day.
    driver_steps: Array | None = None

    @property
    def runs(self) -> int:
        """Number of runs."""
        return int(self.seeds.shape[0])


def _draw_int(
    seeds: npt.NDArray[np.uint64], day: int, purpose: Purpose, lo: int, hi: int
) -> npt.NDArray[np.int64]:
    return lo + np.floor(uniform(seeds, day, purpose) * (hi - lo + 1)).astype(np.int64)


def initial_state(c: Compiled, seeds: npt.NDArray[np.uint64]) -> State:
    """The state before the first day: aspirations at 1, reservations drawn, drivers at start.

    Args:
        c: Compiled scenario.
        seeds: (R,) run seeds.

    Returns:
        A fresh state.
    """
    r, n_p = seeds.shape[0], len(c.party_keys)
    noise = normals(seeds, 0, Purpose.RESERVATION, Purpose.RESERVATION_PAIR, n_p)
    if c.reservation_mode == "drawn":
        reservation = bound(c.reservation + c.reservation_sd * noise, 0.0, 1.0)
        audience = np.zeros((r, n_p))
    else:  # the same draws spread the audience costs
        audience = np.broadcast_to(c.audience_cost + c.reservation_sd * noise, (r, n_p)).copy()
        reservation = np.zeros((r, n_p))
    min_gap, max_gap, _, _ = c.cadence
    last = c.days.last_scheduled
    first = (
        _draw_int(seeds, max(last, 0), Purpose.ROUND_GAP, min_gap, max_gap) + last
        if last >= 0
        else np.zeros(r, np.int64)
    )
    state = State(
        seeds=seeds,
        active=np.ones(r, bool),
        status=np.zeros(r, np.int8),
        end_day=np.full(r, -1, np.int64),
        deadline=np.full(r, c.deadline_day, np.int64),
        extended=np.zeros(r, bool),
        reservation=reservation,
        aspiration=np.ones((r, n_p)),
        fx=np.broadcast_to(c.fx_initial, (r,)).astype(float),
        stress=np.broadcast_to(c.stress_initial, (r,)).astype(float),
        urgency=np.zeros(n_p),
        next_round=first,
        round_left=np.zeros(r, np.int64),
        proposer=np.full(r, c.opening_side, np.intp),
        rounds=np.zeros(r, np.int64),
        table=np.zeros((r, len(c.issue_keys))),
        has_table=np.zeros(r, bool),
        terms=np.full((r, len(c.issue_keys)), np.nan),
        dispersion=np.zeros((r, len(c.side_keys))),
        offers=np.zeros((r, len(c.side_keys), len(c.issue_keys))),
        offer_round=np.zeros((r, len(c.side_keys)), np.int64),
        offer_value=np.full((r, len(c.side_keys)), np.nan),
        offer_value_prev=np.full((r, len(c.side_keys)), np.nan),
        replied=np.zeros((r, n_p), np.int64),
        threat=np.broadcast_to(c.no_deal, (r, len(c.issue_keys))).copy(),
        extensions=np.zeros(r, np.int64),
        escalated=np.zeros(r, bool),
        phase_start=np.zeros(r, np.int64),
        phase_aspiration=np.ones((r, n_p)),
        audience=audience,
        election_outcome=_draw_outcomes(c, seeds),
        belief=initial_beliefs(c, seeds),
        no_deal_values=None,
        engaged=np.full((r, n_p), -1, np.intp),
        previous_offers=np.zeros((r, len(c.side_keys), len(c.issue_keys))),
    )
    state.believed_lo, state.believed_hi, state.shift_range = initial_limit_beliefs(c, r)
    if r <= DRAW_AHEAD_RUNS:
        steps = daily_normal_pairs(seeds, c.last_day + 1, Purpose.FX, Purpose.FX_PAIR)
        state.driver_steps = np.stack(steps)
    if c.reservation_mode == "no_deal":
        update_reservations(state, c, 0)
    return state


def draw_preferences(c: Compiled, seeds: npt.NDArray[np.uint64]) -> None:
    """Draw each run's priorities and ideal points around the stated ones (in place).

    A priority is multiplied by a log-normal factor with median 1 and log-sd
    ``priorities_sd`` and the party's priorities renormalised; an ideal moves by a normal
    step of ``ideal_sd`` (a share of the issue's range), kept inside the range; pie shares keep
    their stated ideal. The stated scenario stays in ``c.nominal``.
    """
    r, (n_p, n_i) = seeds.shape[0], c.weights.shape[1:]
    c.nominal = copy.copy(c)
    # Pair p * I + i moves party p's priority (first) and ideal (second) on issue i.
    z_w, z_x = (z.reshape(r, n_p, n_i) for z in normal_pairs(seeds, 0, *PREFERENCES, n_p * n_i))
    w = c.weights * np.exp(c.priorities_sd[None, :, None] * z_w)
    c.weights = w / total(w)[:, :, None]
    moved = bound(c.ideal + c.ideal_sd[None, :, None] * z_x, 0.0, 1.0)
    c.ideal = np.where(c.pie_of[None, None, :] >= 0, np.broadcast_to(c.ideal, moved.shape), moved)
    if c.bound_sd.any():
        _draw_limits(c, seeds)


def _draw_limits(c: Compiled, seeds: npt.NDArray[np.uint64]) -> None:
    """Move each uncertain win-set limit by a normal step per run (both ends, both dates).

    A limit outside its issue's range stays there: a side with no bound on an issue keeps none.
    After an election, the drawn outcome's stated bounds apply.
    """
    n_s, n_i = c.bound_sd.shape
    cells = n_s * n_i
    z = normals(seeds, 0, Purpose.LIMIT, Purpose.LIMIT_PAIR, cells).reshape(-1, 1, n_s, n_i)
    c.bound_lo, c.bound_hi = shifted_limits(c.bound_lo, c.bound_hi, c.bound_sd, c.bound_sd * z)


def side_priorities(c: Compiled) -> Array:
    """Each side's priorities: its members' clout-weighted priorities, (R|1, S, I), summing to 1."""
    cw = c.clout[:, :, None] * c.weights  # (R|1, P, I)
    sums = np.stack([total(cw[:, c.member[k]], axis=1) for k in range(len(c.side_keys))], axis=1)
    return sums / np.maximum(total(sums), 1e-12)[:, :, None]


def initial_beliefs(c: Compiled, seeds: npt.NDArray[np.uint64]) -> Array:
    """What each party believes at the start about each side's priorities, (R, P, S, I).

    Public information (the stated side priorities) times a log-normal factor per run, party,
    side and issue; with complete information the beliefs are the truth and never change.
    """
    r, n_p, n_s, n_i = seeds.shape[0], len(c.party_keys), len(c.side_keys), len(c.issue_keys)
    truth = np.broadcast_to(side_priorities(c)[:, None], (r, n_p, n_s, n_i))
    if c.information_mode == "complete":
        return truth.copy()
    cells = n_p * n_s * n_i
    z = normals(seeds, 0, Purpose.BELIEF, Purpose.BELIEF_PAIR, cells).reshape(r, n_p, n_s, n_i)
    noisy = truth * np.exp(c.belief_sd * z)
    return noisy / total(noisy)[..., None]


def limits_believed(c: Compiled) -> bool:
    """Whether parties hold beliefs about the other sides' win-set limits.

    They do with ``information = "beliefs"`` when offers answer offers (the mode in which a
    party keeps its package inside what it takes the others to be able to ratify).
    """
    answering = c.information_mode == "beliefs" and c.offers_mode == "answer"
    return answering and bool(c.has_bounds.any())


def initial_limit_beliefs(
    c: Compiled, runs: int
) -> tuple[Array | None, Array | None, Array | None]:
    """What the other sides believe at the start about each side's win-set limits.

    The published limits: the stated ones, whatever each run drew around them
    (``WinSetBound.sd``), and nothing yet seen that narrows their shift. With complete
    information parties know the drawn limits, and no belief is kept (None, None, None).

    Returns:
        Believed lower and upper limits (R, 2, S, I), and the range of each limit's shift
        (R, 2, S, I): [:, 0] its lowest value, [:, 1] its highest.
    """
    if not limits_believed(c):
        return None, None, None
    stated = c.nominal if c.nominal is not None else c
    shape = (runs, *stated.bound_lo.shape[1:])
    shift_range = np.empty((runs, 2, *shape[2:]))
    shift_range[:, 0], shift_range[:, 1] = -np.inf, np.inf
    return (
        np.broadcast_to(stated.bound_lo, shape).copy(),
        np.broadcast_to(stated.bound_hi, shape).copy(),
        shift_range,
    )


def shifted_limits(lo: Array, hi: Array, sd: Array, shift: Array) -> tuple[Array, Array]:
    """Win-set limits moved by a shift, (R|1, 2, S, I) each.

    A limit outside its issue's range, or one stated without uncertainty (``sd`` 0), stays
    where it is: a side with no bound on an issue keeps none.

    Args:
        lo: (R|1, 2, S, I) stated lower limits, at the start and at the election (or any
            shape ``sd`` and ``shift`` broadcast with, such as a few cells of them).
        hi: Stated upper limits, shaped as ``lo``.
        sd: (S, I) the uncertainty of each side's limits on each issue.
        shift: (R, 1, S, I) the shift of each run's limits (the same at both dates).
    """
    return _shifted(lo, lo > 0.0, sd, shift), _shifted(hi, hi < 1.0, sd, shift)


def _shifted(limit: Array, inside: npt.NDArray[np.bool_], sd: Array, shift: Array) -> Array:
    """One end's limits moved by a shift where they lie inside the range and are uncertain."""
    return np.where(inside & (sd > 0.0), bound(limit + shift, 0.0, 1.0), limit)


def limit_schedule(lo: Array, hi: Array) -> LimitSchedule:
    """Limits at the start and at the election, (n|1, 2, S, I) each, as a schedule.

    The start values are laid out contiguously and the moves worked out, as
    ``scheduled_limits`` reads them.
    """
    return LimitSchedule(
        np.ascontiguousarray(lo[:, 0]),
        lo[:, 1] - lo[:, 0],
        np.ascontiguousarray(hi[:, 0]),
        hi[:, 1] - hi[:, 0],
    )


def compiled_schedule(c: Compiled) -> LimitSchedule:
    """The schedule of ``c``'s own limits (``bound_lo``, ``bound_hi``), kept on ``c``.

    Those limits never change once the runs' limits are drawn, so their schedule is worked
    out once rather than every round; it is worked out again if the arrays are replaced.
    """
    kept = c.schedule
    if kept is None or kept[0] is not c.bound_lo or kept[1] is not c.bound_hi:
        kept = c.bound_lo, c.bound_hi, limit_schedule(c.bound_lo, c.bound_hi)
        c.schedule = kept
    return kept[2]


def schedule_rows(schedule: LimitSchedule, idx: slice | npt.NDArray[np.intp]) -> LimitSchedule:
    """The schedule of runs ``idx``, or the schedule itself when every run shares it."""
    return LimitSchedule(*(take(a, idx) for a in schedule))


def scheduled_limits(
    c: Compiled,
    day: int,
    idx: slice | npt.NDArray[np.intp],
    limits: LimitSchedule | tuple[Array, Array],
) -> tuple[Array, Array]:
    """Each side's limits on ``day`` before its election, (n|1, S, I) lower and upper.

    They move from their start values toward their election values in proportion to the
    elapsed share of time to the side's election, times the side's election pressure.

    Args:
        c: Compiled scenario.
        day: The day.
        idx: The runs (for per-run election pressure).
        limits: The lower and upper limits at the start and at the election, (n|1, 2, S, I)
            each, or their schedule (``limit_schedule``: (n|1, S, I) each, for limits kept).

    Returns:
        New arrays.
    """
    pressure = take(c.election_pressure, idx)
    progress = bound(day / c.election_day, 0.0, 1.0)[None, :, None] * pressure[:, :, None]
    kept = isinstance(limits, LimitSchedule)
    if not kept:
        lo, hi = limits
        limits = LimitSchedule(lo[:, 0], lo[:, 1] - lo[:, 0], hi[:, 0], hi[:, 1] - hi[:, 0])

    def today(start: Array, move: Array) -> Array:
        # start + progress * move (a sum's and a product's operands commute exactly), in
        # place on the move when it is a new array of the result's shape, else on the
        # product; clipped to the range.
        fits = not kept and move.shape == np.broadcast_shapes(move.shape, progress.shape)
        limit = np.multiply(move, progress, out=move if fits else None)
        limit += start
        at_least(limit, 0.0, out=limit)
        return at_most(limit, 1.0, out=limit)

    return today(limits.lo_start, limits.lo_move), today(limits.hi_start, limits.hi_move)


def truncated_normal_mean(sd: Array, low: Array, high: Array) -> Array:
    """The mean of a normal variable with mean 0 and sd ``sd`` known to lie in [low, high].

    0 where ``sd`` is 0; where the range lies so far in a tail that its probability underflows,
    the end of the range nearer 0.
    """
    safe = np.where(sd > 0.0, sd, 1.0)
    # A range above 0 is mirrored below it, where the normal's tail probabilities are exact.
    upper = low > 0.0
    # Beyond 40 sd the normal has neither density nor mass left: clipping changes nothing.
    a = bound(np.where(upper, -high, low) / safe, -40.0, 40.0)
    b = bound(np.where(upper, -low, high) / safe, -40.0, 40.0)
    mass = ndtr(b) - ndtr(a)
    density = np.exp(-0.5 * a * a) - np.exp(-0.5 * b * b)
    mean = safe * density / np.sqrt(2.0 * np.pi) / np.where(mass > 0.0, mass, 1.0)
    mean = np.where(upper, -mean, mean)
    nearer = np.where(upper, low, np.where(high < 0.0, high, 0.0))
    mean = np.where(mass > 0.0, bound(mean, low, high), nearer)
    return np.where(sd > 0.0, mean, 0.0)


def learn_limits(
    s: State,
    c: Compiled,
    rows: slice | npt.NDArray[np.intp],
    true: tuple[Array, Array],
    packages: Array,
    tabled: npt.NDArray[np.bool_],
    day: int,
) -> None:
    """Update the beliefs about each side's limits from a round's packages and answers.

    A run's limits for a side and issue are the stated ones moved by one unknown shift, drawn
    from a normal with the stated uncertainty (``WinSetBound.sd``), the same at both dates.
    What the round shows narrows where the shift can lie: a side's own package lies inside
    its win-set, and a side answering another's package says whether it lies outside its
    win-set and on which issues (its reasons are public). The believed shift is its mean
    given all that (a truncated normal), so the belief stays between what has been shown and
    what has been refused. After a side's election its outcome's limits are public.

    Args:
        s: State (``believed_lo``, ``believed_hi`` and ``shift_range`` updated in place for
            runs ``rows``).
        c: Compiled scenario.
        rows: The n runs that held a round.
        true: Today's true bounds, (n|1, S, I) lower and upper.
        packages: (n, S, I) the round's packages.
        tabled: (n, S) which sides tabled theirs.
        day: Today's day number.
    """
    assert s.believed_lo is not None and s.believed_hi is not None and s.shift_range is not None
    stated = c.nominal if c.nominal is not None else c
    decided = (day >= c.election_day) & c.has_outcomes & (c.election_mode == "outcomes")
    learnable = c.has_bounds & ~decided & (c.bound_sd > 0.0).any(axis=1)
    if not learnable.any():
        return
    limits = (take(stated.bound_lo, rows), take(stated.bound_hi, rows))
    schedule = schedule_rows(compiled_schedule(stated), rows)
    lo_d, hi_d = scheduled_limits(c, day, rows, schedule)  # the stated limits today
    t_lo, t_hi = true
    on_table = ~c.days.off_table[day]  # an issue off the table says nothing
    r = rows if isinstance(rows, slice) else rows[:, None]  # runs by issues, (n, M) cells
    for k in np.flatnonzero(learnable):
        m = np.flatnonzero(c.bound_sd[k] > 0.0)  # the issues whose limits are uncertain
        sd, lo_k, hi_k = c.bound_sd[k, m], lo_d[:, k, m], hi_d[:, k, m]
        cap, floor = hi_k < 1.0, lo_k > 0.0
        has_cap, has_floor = bool(cap.any()), bool(floor.any())  # most sides have only caps
        own = np.where(tabled[:, k, None], packages[:, k, m], s.offers[rows, k][:, m])
        shown = (tabled[:, k] | (s.offer_round[rows, k] > 0))[:, None] & on_table[m]
        low, high = s.shift_range[r, 0, k, m], s.shift_range[r, 1, k, m]  # (n, M)
        # Its own package: at or under its cap, at or over its floor.
        if has_cap:
            low = np.where(shown & cap, np.maximum(low, own - hi_k), low)
        if has_floor:
            high = np.where(shown & floor, np.minimum(high, own - lo_k), high)
        for j in range(packages.shape[1]):
            if j == k:
                continue
            x = packages[:, j, m]
            seen = tabled[:, j, None] & on_table[m]
            if has_cap:
                over = x > t_hi[:, k, m] + TOLERANCE  # refused for its cap
                gap, seen_cap = x - hi_k, seen & cap
                low = np.where(seen_cap & ~over, np.maximum(low, gap), low)
                high = np.where(seen_cap & over, np.minimum(high, gap), high)
            if has_floor:
                under = x < t_lo[:, k, m] - TOLERANCE  # refused for its floor
                gap, seen_floor = x - lo_k, seen & floor
                high = np.where(seen_floor & ~under, np.minimum(high, gap), high)
                low = np.where(seen_floor & under, np.maximum(low, gap), low)
        high = np.maximum(high, low)  # what tolerance lets through never empties the range
        s.shift_range[r, 0, k, m], s.shift_range[r, 1, k, m] = low, high
        shift = truncated_normal_mean(sd, low, high)  # (n, M): both dates move alike
        for d in (0, 1):  # the start and the election
            b_lo, b_hi = limits[0][:, d, k, m], limits[1][:, d, k, m]
            if (b_lo > 0.0).any():  # without a limit at that date, nothing moves
                s.believed_lo[r, d, k, m] = _shifted(b_lo, b_lo > 0.0, sd, shift)
            if (b_hi < 1.0).any():
                s.believed_hi[r, d, k, m] = _shifted(b_hi, b_hi < 1.0, sd, shift)


def learn_from_offers(
    s: State, c: Compiled, rows: slice | npt.NDArray[np.intp], tabled: npt.NDArray[np.bool_]
) -> None:
    """Update every party's beliefs from the packages tabled today (frequency opponent model).

    The less a side moved on an issue from its previous package to this one, relative to its
    largest move, the more that issue is taken to matter to it: it gains up to
    ``belief_learning`` (all of it when unmoved) before the belief is renormalised.

    Args:
        s: State (``offers`` hold today's packages, ``previous_offers`` the ones before).
        c: Compiled scenario.
        rows: The runs that held a round.
        tabled: (n, S) the sides that tabled today, having tabled before.
    """
    moved = np.abs(s.offers[rows] - s.previous_offers[rows])  # (n, S, I)
    largest = max_last(moved)
    kept = 1.0 - moved / np.maximum(largest, 1e-12)  # 1 where it did not move at all
    gain = np.where(tabled[:, :, None], c.belief_learning * kept, 0.0)[:, None]  # (n, 1, S, I)
    # In place: the rows of a block of runs are a view, any other rows a gathered copy.
    belief = s.belief[rows]
    belief += gain
    belief /= total(belief)[..., None]
    if not isinstance(rows, slice):
        s.belief[rows] = belief


def _draw_outcomes(c: Compiled, seeds: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
    """Which of its election outcomes each side will see, per run (0 where it has none)."""
    n_s = len(c.side_keys)
    if c.election_mode != "outcomes":
        return np.zeros((seeds.shape[0], n_s), np.intp)
    draws = np.stack([uniform(seeds, 0, Purpose.ELECTION, k) for k in range(n_s)], axis=1)
    return (draws[:, :, None] >= c.after_cumulative[None]).sum(axis=-1).astype(np.intp)


def no_deal_utilities(
    s: State, c: Compiled, day: int, rows: slice | npt.NDArray[np.intp] = slice(None)
) -> Array:
    """Each party's utility of what no deal means from ``day`` on, (n, P) for runs ``rows``.

    No deal means the terms in force until the deadline and the threat after it, weighed by
    their share of the next ``horizon`` days (the stake: how long the terms would last), each
    package scored with the party's standing priorities.
    """
    if s.no_deal_values is None:  # the terms' values change only when the threat escalates
        packages = np.stack([np.broadcast_to(c.in_force, s.threat.shape), s.threat], axis=1)
        values = utilities(packages, c.weights, c.ideal, c.curvature)  # (R, 2, P)
        # Kept package first: each package's (R, P) values contiguous for the daily weighing.
        s.no_deal_values = np.ascontiguousarray(values.transpose(1, 0, 2))
    in_force, threat = s.no_deal_values[0][rows], s.no_deal_values[1][rows]
    w = bound((s.deadline[rows] - day) / c.horizon, 0.0, 1.0)[:, None]
    return w * in_force + (1.0 - w) * threat


def update_reservations(s: State, c: Compiled, day: int) -> None:
    """Reservations from no-deal terms: utility of no deal plus the audience cost of signing.

    Only runs still going move: an ended run keeps the reservation it ended with (and only
    theirs are worked out).
    """
    rows: slice | npt.NDArray[np.intp] = slice(None) if s.active.all() else np.flatnonzero(s.active)
    moved = bound(no_deal_utilities(s, c, day, rows) + s.audience[rows], 0.0, 1.0)
    if isinstance(rows, slice) and moved.shape == s.reservation.shape:
        s.reservation = moved  # every run moved: a new array, yesterday's stays as it was
        return
    reservation = s.reservation.copy()  # a new array: yesterday's stays as it was
    reservation[rows] = moved
    s.reservation = reservation


def advance_drivers(s: State, c: Compiled, day: int) -> None:
    """Apply the day's events and move USD/JPY and market stress one day."""
    s.urgency += c.days.urgency[day]
    if day == 0:
        return
    # Only runs still going move (an ended run keeps its drivers), so only theirs are drawn.
    rows: slice | npt.NDArray[np.intp] = slice(None) if s.active.all() else np.flatnonzero(s.active)
    if s.driver_steps is not None:
        eps_fx, eps_st = s.driver_steps[0, day, rows], s.driver_steps[1, day, rows]
    else:
        eps_fx, eps_st = normal_pair(s.seeds[rows], day, Purpose.FX, Purpose.FX_PAIR)
    step = take(c.fx_volatility, rows) / np.sqrt(TRADING_DAYS) * eps_fx + c.days.fx_shock[day]
    fx = s.fx[rows] * np.exp(step)
    stress = s.stress[rows]
    stress = stress + take(c.stress_reversion, rows) * (take(c.stress_mean, rows) - stress)
    stress = stress + take(c.stress_volatility, rows) * eps_st + c.days.stress_shock[day]
    stress = bound(stress, 0.0, 1.0)
    if isinstance(rows, slice):  # every run moves
        s.fx, s.stress = fx, stress
    else:
        s.fx, s.stress = s.fx.copy(), s.stress.copy()  # new arrays: yesterday's stay as they were
        s.fx[rows], s.stress[rows] = fx, stress


def elapsed(
    s: State,
    c: Compiled,
    day: int,
    parties: slice | npt.NDArray[np.intp],
    rows: slice | npt.NDArray[np.intp] = slice(None),
) -> Array:
    """Parties' effective elapsed share of time, (k, n): the calendar's, plus urgency and stress.

    The calendar's share runs over the current phase of the talks: from the start to the
    deadline, and after an extension of a threatened deadline, from then to the new one.
    Each party's row is contiguous (the calendar's share is worked out once for them all).

    Args:
        s: State.
        c: Compiled scenario.
        day: Today's day number.
        parties: The k parties.
        rows: The n runs (default all).
    """
    start = s.phase_start[rows]
    calendar = (day - start) / (s.deadline[rows] - start)  # (n,)
    sensitivity = take(c.stress_sensitivity, rows)[:, parties].T  # (k, n|1)
    tau = calendar + s.urgency[parties][:, None] + sensitivity * s.stress[rows]
    return bound(tau, 0.0, 1.0)


def rounds_today(s: State, c: Compiled, day: int) -> npt.NDArray[np.bool_]:
    """Which active runs hold a round today (scheduled, generated, or on the deadline)."""
    _, _, min_len, max_len = c.cadence
    starts = np.flatnonzero((s.next_round == day) & s.active)
    if starts.size:  # only the runs starting a round draw (each draw is its run's own)
        round_left = s.round_left.copy()  # a new array: yesterday's stays as it was
        round_left[starts] = _draw_int(s.seeds[starts], day, Purpose.ROUND_LENGTH, min_len, max_len)
        s.round_left = round_left
    generated = s.round_left > 0
    return s.active & (c.days.scheduled[day] | generated | (s.deadline == day))


def end_generated_rounds(s: State, c: Compiled, day: int) -> None:
    """Count down generated rounds and draw the gap to the next one when one ends."""
    min_gap, max_gap, _, _ = c.cadence
    running = (s.round_left > 0) & s.active  # an ended run's arrays are never written again
    if not running.any():
        return
    s.round_left = np.where(running, s.round_left - 1, s.round_left)
    ended = np.flatnonzero(running & (s.round_left == 0))
    if ended.size:  # only the runs whose round ended draw (each draw is its run's own)
        next_round = s.next_round.copy()  # a new array: yesterday's stays as it was
        next_round[ended] = day + _draw_int(
            s.seeds[ended], day, Purpose.ROUND_GAP, min_gap, max_gap
        )
        s.next_round = next_round


@dataclass
class DeadlineDecision:
    """What happened at the runs' deadlines today, (R,) each."""

    extended: npt.NDArray[np.bool_]  # the deadline moved (an escalation moves it too)
    escalated: npt.NDArray[np.bool_]  # it moved with harsher no-deal terms
    broke: npt.NDArray[np.bool_]  # the talks broke down: the threat's terms apply
    gap: Array  # how far apart the packages on the table were, in [0, 1]


def package_gap(s: State, c: Compiled) -> Array:
    """How far apart the sides' last packages are, (R,) in [0, 1].

    The mean distance per issue between the holder's package and each other side's (the
    largest over sides); 1 where a side has tabled nothing yet.
    """
    holder = max(c.holder, 0)
    gaps = []
    for k in range(len(c.side_keys)):
        if k == holder:
            continue
        diff = total(np.abs(s.offers[:, holder] - s.offers[:, k])) / len(c.issue_keys)
        both = (s.offer_round[:, holder] > 0) & (s.offer_round[:, k] > 0)
        gaps.append(np.where(both, diff, 1.0))
    return np.maximum.reduce(gaps) if len(gaps) > 1 else gaps[0]


def close_deadline(s: State, c: Compiled, day: int) -> DeadlineDecision:
    """At the end of the deadline day: extend, escalate or break down.

    With a fixed deadline, it moves once with the scenario's probability. With a threatened
    deadline, the side holding it extends with a probability that rises as the packages on the
    table come closer and as markets grow stressed; otherwise it may escalate (harsher no-deal
    terms and a new deadline), or else it imposes the no-deal terms. After a move, tactics run
    against the new deadline from the aspirations reached.

    Returns:
        The decisions of the runs whose deadline it was.
    """
    due = s.active & (s.deadline <= day)
    none = np.zeros_like(due)
    if not due.any():
        return DeadlineDecision(none, none, none, np.zeros(s.runs))
    days = c.scenario.calendar.extension.days
    draw = uniform(s.seeds, day, Purpose.EXTENSION)
    if c.deadline_mode == "fixed":
        extend = due & ~s.extended & (days > 0) & (draw < c.extension_probability)
        escalate, gap = none, np.zeros(s.runs)
    else:
        gap = package_gap(s, c)
        with np.errstate(divide="ignore"):
            p = c.extension_probability
            logit = np.log(p) - np.log1p(-p)
        logit = (
            logit
            + c.extension_gap_weight * (c.extension_gap_reference - gap)
            + c.extension_stress_weight * s.stress
        )
        with np.errstate(over="ignore"):  # exp overflows to inf for odds near 0: p is 0
            p_extend = 1.0 / (1.0 + np.exp(-logit))
        room = due & (s.extensions < c.max_extensions) & (days > 0)
        extend = room & (draw < p_extend)
        escalate_draw = uniform(s.seeds, day, Purpose.ESCALATION)
        escalate = room & ~extend & (escalate_draw < c.escalate_probability)
        s.threat = np.where(escalate[:, None], c.escalated, s.threat)
        if escalate.any():
            s.no_deal_values = None
        s.escalated |= escalate
        moved = extend | escalate
        s.phase_start = np.where(moved, day, s.phase_start)
        s.phase_aspiration = np.where(moved[:, None], s.aspiration, s.phase_aspiration)
        extend = moved
    broke = due & ~extend
    s.deadline = np.where(extend, s.deadline + days, s.deadline)
    s.extended |= extend
    s.extensions += extend
    s.status = np.where(broke, BREAKDOWN, s.status).astype(np.int8)
    s.end_day = np.where(broke, day, s.end_day)
    s.terms = np.where(broke[:, None], s.threat, s.terms)
    s.active &= ~broke
    return DeadlineDecision(extend, escalate, broke, gap)


def day_weights(
    s: State,
    c: Compiled,
    idx: slice | npt.NDArray[np.intp],
    parties: slice | npt.NDArray[np.intp] = slice(None),
    base: Array | None = None,
) -> Array:
    """Today's effective priorities of runs ``idx`` (the FX-salient issue scaled by the yen).

    Args:
        s: State.
        c: Compiled scenario.
        idx: Runs.
        parties: The parties whose priorities are wanted (default: all), each computed alone.
        base: The parties' standing priorities for runs ``idx`` when already gathered,
            (n|1, k, I); gathered here otherwise.

    Returns:
        (n|1, k, I) priorities.
    """
    if base is None:
        base = take(c.weights[:, parties], idx)  # the parties' columns first: gather only those
    return effective_weights(
        base,
        c.fx_issue,
        s.fx[idx],
        take(c.fx_reference, idx),
        take(c.fx_sensitivity[:, parties], idx),
    )


def take(arr: Array, idx: slice | npt.NDArray[np.intp]) -> Array:
    """Rows ``idx`` of a per-run array, or the array itself when it is shared by all runs."""
    return arr if arr.shape[0] == 1 else arr[idx]
