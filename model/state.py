"""The ensemble's state arrays and the parts of a day that need no negotiator.

Drivers, the calendar of rounds, and the deadline.

Every array has a leading run axis. A run that has ended is frozen: its arrays are never
written again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from model.params import Compiled
from model.rng import Purpose, normal_pair, uniform
from model.utility import bound, effective_weights

Array = npt.NDArray[np.float64]
RUNNING, DEAL, BREAKDOWN = 0, 1, 2
STATUS_NAMES = {RUNNING: "running", DEAL: "deal", BREAKDOWN: "breakdown"}
TRADING_DAYS = 252.0


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
    pairs = [
        normal_pair(seeds, 0, Purpose.RESERVATION, Purpose.RESERVATION_PAIR, k)
        for k in range((n_p + 1) // 2)
    ]
    noise = np.stack([z for pair in pairs for z in pair][:n_p], axis=1)
    reservation = bound(c.reservation + c.reservation_sd * noise, 0.0, 1.0)
    min_gap, max_gap, _, _ = c.cadence
    last = c.days.last_scheduled
    first = (
        _draw_int(seeds, max(last, 0), Purpose.ROUND_GAP, min_gap, max_gap) + last
        if last >= 0
        else np.zeros(r, np.int64)
    )
    return State(
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
    )


def advance_drivers(s: State, c: Compiled, day: int) -> None:
    """Apply the day's events and move USD/JPY and market stress one day."""
    s.urgency += c.days.urgency[day]
    if day == 0:
        return
    eps_fx, eps_st = normal_pair(s.seeds, day, Purpose.FX, Purpose.FX_PAIR)
    step = c.fx_volatility / np.sqrt(TRADING_DAYS) * eps_fx + c.days.fx_shock[day]
    fx = s.fx * np.exp(step)
    stress = s.stress + c.stress_reversion * (c.stress_mean - s.stress)
    stress = bound(stress + c.stress_volatility * eps_st + c.days.stress_shock[day], 0.0, 1.0)
    s.fx = np.where(s.active, fx, s.fx)
    s.stress = np.where(s.active, stress, s.stress)


def elapsed(s: State, c: Compiled, day: int, parties: npt.NDArray[np.intp]) -> Array:
    """Parties' effective elapsed share of time, (R, k): the calendar's, plus urgency and stress."""
    tau = (
        day / s.deadline[:, None]
        + s.urgency[parties]
        + c.stress_sensitivity[:, parties] * s.stress[:, None]
    )
    return bound(tau, 0.0, 1.0)


def rounds_today(s: State, c: Compiled, day: int) -> npt.NDArray[np.bool_]:
    """Which active runs hold a round today (scheduled, generated, or on the deadline)."""
    _, _, min_len, max_len = c.cadence
    starts = (s.next_round == day) & s.active
    if starts.any():
        length = _draw_int(s.seeds, day, Purpose.ROUND_LENGTH, min_len, max_len)
        s.round_left = np.where(starts, length, s.round_left)
    generated = s.round_left > 0
    return s.active & (c.days.scheduled[day] | generated | (s.deadline == day))


def end_generated_rounds(s: State, c: Compiled, day: int) -> None:
    """Count down generated rounds and draw the gap to the next one when one ends."""
    min_gap, max_gap, _, _ = c.cadence
    running = (s.round_left > 0) & s.active  # an ended run's arrays are never written again
    if not running.any():
        return
    s.round_left = np.where(running, s.round_left - 1, s.round_left)
    ended = running & (s.round_left == 0)
    if ended.any():
        gap = _draw_int(s.seeds, day, Purpose.ROUND_GAP, min_gap, max_gap)
        s.next_round = np.where(ended, day + gap, s.next_round)


def close_deadline(
    s: State, c: Compiled, day: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """At the end of the deadline day: extend once with the scenario's probability, else break down.

    Returns:
        The runs extended today and the runs that broke down today, (R,) each.
    """
    due = s.active & (s.deadline <= day)
    if not due.any():
        return due, due
    days = c.scenario.calendar.extension.days
    draw = uniform(s.seeds, day, Purpose.EXTENSION)
    extend = due & ~s.extended & (days > 0) & (draw < c.extension_probability)
    broke = due & ~extend
    s.deadline = np.where(extend, s.deadline + days, s.deadline)
    s.extended |= extend
    s.status = np.where(broke, BREAKDOWN, s.status).astype(np.int8)
    s.end_day = np.where(broke, day, s.end_day)
    s.terms = np.where(broke[:, None], c.no_deal, s.terms)
    s.active &= ~broke
    return extend, broke


def day_weights(
    s: State,
    c: Compiled,
    idx: slice | npt.NDArray[np.intp],
    parties: slice | npt.NDArray[np.intp] = slice(None),
) -> Array:
    """Today's effective priorities of runs ``idx`` (the FX-salient issue scaled by the yen).

    Args:
        s: State.
        c: Compiled scenario.
        idx: Runs.
        parties: The parties whose priorities are wanted (default: all), each computed alone.

    Returns:
        (n|1, k, I) priorities.
    """
    return effective_weights(
        take(c.weights, idx)[:, parties],
        c.fx_issue,
        s.fx[idx],
        take(c.fx_reference, idx),
        take(c.fx_sensitivity, idx)[:, parties],
    )


def take(arr: Array, idx: slice | npt.NDArray[np.intp]) -> Array:
    """Rows ``idx`` of a per-run array, or the array itself when it is shared by all runs."""
    return arr if arr.shape[0] == 1 else arr[idx]
