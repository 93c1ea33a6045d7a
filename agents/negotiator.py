"""The Mesa agent: one party at the table, and how it decides.

A negotiator makes three decisions, asked of it by the protocol (the mechanism, in
``model/protocol.py``), as in NegMAS's split of mechanism and negotiator:

- ``aspire``: how much it insists on today (its aspiration, a utility), moved by its strategy;
- ``propose``: the package it would put forward at that aspiration;
- ``respond``: whether it accepts each package on the table, and why not when it does not.

Every decision works on the party's own column for every run at once: arrays carry a leading
run axis, so one agent steps a single run for a class or a hundred thousand for a sweep. To
change how a party behaves, subclass ``Negotiator``, replace one method, and pass the class to
``NegotiationModel(..., negotiators={"akazawa": MyNegotiator})``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

import mesa
import numpy as np
import numpy.typing as npt

from agents.offers import OfferView
from agents.strategies import Strategy, StrategyContext, make_strategy
from model.concessions import ConcessionLedger
from model.params import Compiled
from model.rng import Purpose, uniform, uniforms
from model.state import State, day_weights, elapsed, take
from model.utility import (
    EPS,
    TOLERANCE,
    all_last,
    at_least,
    bound,
    concession_order,
    issue_values,
    opponent_targets,
    pie_targets,
    pinned_first,
    positions,
    tightest,
    total,
    tradeoff_positions,
    uniform_positions,
    utilities,
)

Array = npt.NDArray[np.float64]
Rows = slice | npt.NDArray[np.intp]
ALL: slice = slice(None)


class Reason(IntEnum):
    """Why a party answers a package as it does."""

    ACCEPTS = 0
    BELOW_ASPIRATION = 1  # worth less to the party than it insists on today
    OUTSIDE_WIN_SET = 2  # its own principals would not ratify it
    BLOCKS = 3  # it shortchanges the party on its portfolio, and the party blocks it
    CHOOSES = 4  # a person in the seat accepts it (``agents.human``)
    DECLINES = 5  # a person in the seat turns it down


# The codes as int8 scalars: ``np.where`` on them gives int8 codes at once (IntEnum operands
# are converted, and the result cast, on every call: several times the cost for a run).
ACCEPTS, BELOW_ASPIRATION, OUTSIDE_WIN_SET, BLOCKS = (
    np.int8(r)
    for r in (Reason.ACCEPTS, Reason.BELOW_ASPIRATION, Reason.OUTSIDE_WIN_SET, Reason.BLOCKS)
)


@dataclass
class Verdict:
    """A party's answer to K packages in n runs.

    Attributes:
        accepts: (n, K) whether it accepts each package.
        reason: (n, K) a ``Reason`` code for each answer.
        utility: (n, K) what each package is worth to the party today.
    """

    accepts: npt.NDArray[np.bool_]
    reason: npt.NDArray[np.int8]
    utility: Array


class Table(Protocol):
    """What a negotiator sees of the negotiation it sits in (the Mesa model)."""

    compiled: Compiled
    state: State
    ledger: ConcessionLedger
    day: int

    def win_sets(self, rows: Rows, day: int) -> tuple[Array, Array]:
        """Each side's ratifiable bounds on ``day`` for runs ``rows``, (n|1, S, I) each."""
        ...

    def believed_win_sets(self, rows: Rows, day: int) -> tuple[Array, Array]:
        """What the other sides take each side's bounds on ``day`` to be, (n|1, S, I) each."""
        ...

    def round_memo(self, rows: Rows) -> dict[Any, Any] | None:
        """A store shared by the negotiators in the round runs ``rows`` hold, else None."""
        ...

    def aspire_memo(self) -> dict[Any, Any] | None:
        """A store shared by the negotiators while they aspire on a day, else None."""
        ...


class Negotiator(mesa.Agent):
    """A party at the table: its priorities, ideal point, reservation, strategy and decisions.

    The public arrays (``priorities``, ``ideal``, ``clout``, ``reservation``, ``aspiration``,
    ``position``) hold one row per run; a single run is row 0.

    Attributes:
        key: The party's key in the scenario.
        name: Display name.
        side: Key of the party's side.
        role: What the party does.
        index: The party's column in the model's arrays.
        strategy: Its concession strategy (see ``agents.strategies``).
        strategy_params: The strategy's parameters, (R|1,) each.
    """

    model: Any  # a Table; typed loosely because mesa.Agent declares it a mesa.Model

    def __init__(self, model: Table, index: int) -> None:
        """Seat the negotiator for party ``index`` of the model's scenario."""
        super().__init__(model)  # type: ignore[arg-type]
        c = model.compiled
        spec = c.scenario.parties[index]
        self.key, self.name, self.side, self.role = spec.key, spec.name, spec.side, spec.role
        self.index = index
        self.side_index = int(c.side_of[index])
        self.strategy: Strategy = make_strategy(spec.strategy.kind)
        self.strategy_params: dict[str, Array] = c.strategy_params[index]
        self._col = slice(index, index + 1)  # its column, keeping the party axis: a view
        self._opponents = self._shared_opponents(c)
        self._path, self._similarity = self._concession_path(c)
        self._ideal = np.ascontiguousarray(c.ideal[:, self._col])  # (R|1, 1, I)
        self._givers = np.flatnonzero(c.side_of != self.side_index)  # members of other sides
        self._other_sides = np.flatnonzero(np.arange(len(c.side_keys)) != self.side_index)
        self._giver_weights = np.ascontiguousarray(c.weights[:, self._givers])  # (R|1, G, I)
        # Every party's priorities, target and concession order (R|1, P, I), for pie claims.
        target, _, order = self._opponents
        self._pie_paths = (c.weights, target, order) if c.pie_groups else None
        self._full_params: dict[str, Array] = {}
        self._margin = self._bottom_line_margin(c)

    # --- what the party holds, one row per run ------------------------------------------------

    @property
    def priorities(self) -> Array:
        """Priority weight of each issue, (R|1, I)."""
        return self.model.compiled.weights[:, self.index]

    @property
    def ideal(self) -> Array:
        """Ideal point, normalised to [0, 1] per issue, (R|1, I)."""
        return self.model.compiled.ideal[:, self.index]

    @property
    def clout(self) -> Array:
        """Clout within its side, (R|1,)."""
        return self.model.compiled.clout[:, self.index]

    @property
    def reservation(self) -> Array:
        """Reservation utility drawn for each run: no deal is worth this much to it, (R,)."""
        return self.model.state.reservation[:, self.index]

    @property
    def aspiration(self) -> Array:
        """Today's aspiration in each run: the utility it insists on, (R,)."""
        return self.model.state.aspiration[:, self.index]

    @property
    def position(self) -> Array:
        """The package it would table today in each run, normalised, (R, I)."""
        return self.propose()

    # --- its decisions ------------------------------------------------------------------------

    def aspire(self) -> None:
        """Move today's aspiration by the party's strategy, in every run still running.

        The party looks at the time left to the deadline (sped up by event urgency and market
        stress), its reservation, yesterday's aspiration, what it has received from the other
        sides' concessions and, for reciprocal and Zeuthen strategies, the offers on the table.
        It decides how much utility it insists on today: never more than yesterday, never less
        than its reservation. Runs that have ended keep theirs.
        """
        m = self.model
        s, col = m.state, self._col
        rows, tau = self._elapsed_today()
        tau = tau[self.index][:, None]  # its row: contiguous, as numpy kernels may read layouts
        view = OfferView(self, rows)
        previous = s.aspiration[rows, col]
        ctx = StrategyContext(
            tau=tau,
            reservation=self._least(s.reservation[rows, col], rows),
            previous=previous.copy() if rows is ALL else previous,  # its own copy either way
            start=s.phase_aspiration[rows, col],
            received=m.ledger.received[rows, col],
            params=self._params_of(rows, tau.shape),
            offers=view,
        )
        s.aspiration[rows, col] = self.strategy.aspiration(ctx)
        if self.strategy.answers_offers:
            s.replied[rows, col] = np.where(
                view.fresh, s.rounds[rows][:, None], s.replied[rows, col]
            )

    def _least(self, reservation: Array, rows: Rows) -> Array:
        """The least the party will insist on, (n, 1): its reservation, plus its margin.

        With private bottom lines the party stops a margin above its reservation (see
        ``_bottom_line_margin``), never above a utility of 1.
        """
        if self._margin is None:
            return reservation
        return np.minimum(reservation + take(self._margin, rows), 1.0)

    def held_back(self, run: int = 0) -> float:
        """The margin the party holds back in run ``run`` while its aspiration rests on it.

        0 when it knows the others' bottom lines or is still above its floor: only a party
        that has conceded all it will is holding anything back that a known bottom line
        would have released.
        """
        if self._margin is None:
            return 0.0
        s = self.model.state
        reservation = s.reservation[run : run + 1, self._col]
        least = self._least(reservation, np.array([run]))
        resting = s.aspiration[run, self.index] <= least[0, 0] + TOLERANCE
        return float(least[0, 0] - reservation[0, 0]) if resting else 0.0

    def _bottom_line_margin(self, c: Compiled) -> Array | None:
        """How far above its reservation the party stops conceding, (R|1, 1); None for 0.

        With ``bottom_lines = "private"`` no party knows how low the others would go, so each
        holds back from its own bottom line, as traders do in the linear equilibrium of
        Chatterjee and Samuelson's (1983) double auction: with values spread uniformly over a
        width W, a trade happens only when the buyer's value beats the seller's by W/4, W/8
        held back by each side. Here W is the width of a uniform spread as wide (the same
        standard deviation) as the other sides' bottom lines: their members'
        ``reservation_sd``, weighted by clout, so the margin is sqrt(3)/4 times that spread.
        Known bottom lines give no margin: the party concedes down to its reservation.
        """
        if c.bottom_lines_mode != "private":
            return None
        others = np.flatnonzero(c.side_of != self.side_index)
        clout = c.clout[:, others]
        spread = total(clout * c.reservation_sd[:, others]) / np.maximum(total(clout), EPS)
        return (np.sqrt(3.0) / 4.0 * spread)[:, None]

    def _elapsed_today(self) -> tuple[Rows, Array]:
        """The runs still running and every party's effective elapsed time in them, (P, n).

        Only the runs still running are asked (each run's arithmetic is its own): once many
        have ended, the strategy works on their rows alone. Both are the same for every
        party, so while the negotiators aspire they are worked out once (the aspire memo).
        """
        m = self.model
        memo = m.aspire_memo()
        if memo is not None and "elapsed" in memo:
            return memo["elapsed"]
        s = m.state
        rows: Rows = ALL if s.active.all() else np.flatnonzero(s.active)
        found = rows, elapsed(s, m.compiled, m.day, ALL, rows)
        if memo is not None:
            memo["elapsed"] = found
        return found

    def propose(self, rows: Rows = ALL, day: int | None = None) -> Array:
        """The package this party would put forward today, in runs ``rows``.

        Starting from its ideal point, the party gives way issue by issue toward what the other
        sides want (their ideals, weighted by clout and priority), first where they care most
        relative to itself, until the package is worth exactly its aspiration to it. It never
        offers what its own principals would not ratify: the package lies inside its side's
        win-set for the day.

        Args:
            rows: The runs (a slice or indices); default all.
            day: The day whose win-set applies; default the model's current day.

        Returns:
            (n, I) normalised packages, one per run of ``rows``.
        """
        aspiration = self.model.state.aspiration[rows, self._col]
        return self.package_at(aspiration, rows, day)

    def respond(self, packages: Array, rows: Rows = ALL) -> Verdict:
        """Whether this party accepts each package on the table, and why not when it does not.

        The party scores each package with today's priorities (the yen can move them) and
        accepts it when it is worth at least today's aspiration and lies inside what its own
        principals would ratify (its side's win-set today). Where members answer for
        portfolios (``dynamics.hydra = "portfolios"``), a member also blocks a package worth
        less than its aspiration on the issues of its portfolio that are on the table, unless
        its delegation holds together that day (a draw below the side's cohesion); a block is
        a veto for its side.

        Args:
            packages: (n, K) ... (n, K, I) normalised packages for the n runs of ``rows``.
            rows: The runs.

        Returns:
            The verdict on each package in each run.
        """
        m = self.model
        c, s, col = m.compiled, m.state, self._col
        shared = self._round_columns(rows)
        if shared is not None:
            _, weights, ideal = shared
        elif c.fx_salient:
            weights, ideal = day_weights(s, c, rows, col), take(self._ideal, rows)
        else:
            weights, ideal = take(c.weights[:, col], rows), take(self._ideal, rows)
        util = utilities(packages, weights, ideal, take(c.curvature[:, col], rows))[..., 0]
        worth = util >= s.aspiration[rows, col] - TOLERANCE
        reason = np.where(worth, ACCEPTS, BELOW_ASPIRATION)
        if c.has_bounds[self.side_index]:
            inside = self._inside_win_set(packages, rows)
            reason = np.where(inside, reason, OUTSIDE_WIN_SET)
            worth &= inside
        turf = c.portfolio[self.index] & ~c.days.off_table[m.day]
        if c.hydra_mode == "portfolios" and turf.any():
            blocks = self._blocks(packages, rows, weights, ideal, np.flatnonzero(turf))
            reason = np.where(blocks, BLOCKS, reason)
            worth &= ~blocks
        return Verdict(accepts=worth, reason=reason, utility=util)

    def _inside_win_set(self, packages: Array, rows: Rows) -> npt.NDArray[np.bool_]:
        """(n, K) whether each package lies inside the party's side's win-set today.

        The same for every member of a side, so in a round it is worked out once per side
        (kept in the round memo, with the packages it answers).
        """
        m = self.model
        memo, key = m.round_memo(rows), ("inside_win_set", self.side_index, m.day)
        if memo is not None and key in memo and memo[key][0] is packages:
            return memo[key][1]
        lo, hi = m.win_sets(rows, m.day)
        lo, hi = lo[:, None, self.side_index], hi[:, None, self.side_index]
        inside = all_last((packages >= lo - TOLERANCE) & (packages <= hi + TOLERANCE))
        if memo is not None:
            memo[key] = packages, inside
        return inside

    def _blocks(
        self, packages: Array, rows: Rows, weights: Array, ideal: Array, mine: npt.NDArray[np.intp]
    ) -> Array:
        """(n, K) whether the party blocks each package over ``mine``, its portfolio's issues.

        Only the issues on the table today count: one taken off the table is dealt with
        elsewhere (the yen on the finance ministers' track), so no package here can give the
        member more on it, and blocking over it would stop every package for nothing.
        """
        m = self.model
        c, s = m.compiled, m.state
        values = issue_values(packages[..., mine], ideal[..., mine])[:, :, 0]  # (n, K, |mine|)
        w = weights[:, 0][..., mine][:, None, :]  # (n|1, 1, |mine|)
        turf = total(values * w) / np.maximum(total(w), EPS)
        short = turf < s.aspiration[rows, self._col] - TOLERANCE
        holds = self._block_draw(rows) < take(c.cohesion, rows)[:, self.side_index]
        return short & ~holds[:, None]

    def _block_draw(self, rows: Rows) -> Array:
        """(n,) today's draw deciding whether the party's delegation holds it back from a block.

        In a round every party's draws are made at once (kept in the round memo); each party
        reads its own column, the same numbers as its own draw.
        """
        m = self.model
        s, memo, key = m.state, m.round_memo(rows), ("block_draws", m.day)
        if memo is None:
            return uniform(s.seeds[rows], m.day, Purpose.BLOCK, self.index)
        if key not in memo:
            memo[key] = uniforms(s.seeds[rows], m.day, Purpose.BLOCK, len(m.compiled.party_keys))
        return memo[key][:, self.index]

    def _round_columns(self, rows: Rows) -> tuple[Array, Array, Array] | None:
        """This party's standing priorities, today's priorities and ideal, (n|1, 1, I) each.

        Views of the arrays the round being held for runs ``rows`` gathered for every party
        (the same numbers as gathering the party's own columns, without a copy per party and
        decision); None outside such a round.
        """
        memo = self.model.round_memo(rows)
        if memo is None or "ideal" not in memo:
            return None
        col = self._col
        return memo["weights"][:, col], memo["day_weights"][:, col], memo["ideal"][:, col]

    def _params_of_shape(self, shape: tuple[int, ...]) -> dict[str, Array]:
        """The strategy's parameters spelled out to ``shape``, kept: they never change.

        Full-shape, contiguous parameters: numpy takes shortcuts (x**2 as x*x) for broadcast
        operands, which would make a run's last bits depend on the size of its ensemble.
        """
        if not self._full_params or next(iter(self._full_params.values())).shape != shape:
            self._full_params = {
                n: np.ascontiguousarray(np.broadcast_to(v[:, None], shape))
                for n, v in self.strategy_params.items()
            }
        return self._full_params

    def _params_of(self, rows: Rows, shape: tuple[int, ...]) -> dict[str, Array]:
        """The strategy's parameters for runs ``rows``, spelled out to ``shape`` (n, 1).

        For every run they are kept (see ``_params_of_shape``); for some, gathered each time.
        """
        if rows is ALL:
            return self._params_of_shape(shape)
        return {
            n: np.ascontiguousarray(np.broadcast_to(take(v, rows)[:, None], shape))
            for n, v in self.strategy_params.items()
        }

    # --- how it builds a package ----------------------------------------------------------------

    def package_at(self, aspiration: Array, rows: Rows, day: int | None = None) -> Array:
        """The package the party would table at the given aspirations.

        Args:
            aspiration: (n, 1) utility levels, one per run of ``rows``.
            rows: The runs whose parameters apply.
            day: The day whose win-set applies; default the model's current day.

        Returns:
            (n, I) normalised packages.
        """
        m = self.model
        c = m.compiled
        day = max(m.day, 0) if day is None else day
        lo = hi = None
        if c.has_bounds.any():  # bounds of a side without a win-set are [0, 1]
            lo, hi = self._side_bounds(rows, day)
        pinned = c.days.off_table[min(day, c.last_day)]  # issues off the table today
        n = len(aspiration)
        answered, near = np.zeros(n, bool), None
        if c.offers_mode == "answer" and not c.by_unit:
            offer, answered = self.offer_to_answer(rows)
            if answered.any():
                near = self._trade_off(aspiration, rows, offer, lo, hi, pinned)
        if near is not None and answered.all():
            pos = near
        else:
            # Where it has no offer to answer, the party tables the package on its concession
            # path, worked out for those runs alone (each run's arithmetic is its own).
            path = ~answered
            if path.all():
                pos = self._path_package(aspiration, rows, day, lo, hi, pinned)
            else:
                sub = np.arange(m.state.runs)[rows][path]
                lo_p, hi_p = (b if b is None or len(b) == 1 else b[path] for b in (lo, hi))
                pos = np.zeros((n, 1, len(c.issue_keys)))
                pos[path] = self._path_package(aspiration[path], sub, day, lo_p, hi_p, pinned)
            if near is not None:
                pos = np.where(answered[:, None, None], near, pos)
        if lo is not None:
            pos = bound(pos, lo, hi)
        if pinned.any():  # off the table, an issue stays at its no-deal value, ratifiable or not
            pos = np.where(pinned, c.no_deal, pos)
        return pos[:, 0]

    def _side_bounds(self, rows: Rows, day: int) -> tuple[Array, Array]:
        """The bounds the party's packages keep to on ``day``, (n|1, 1, I) lower and upper.

        Its side's win-set, narrowed to what the other sides can ratify where it answers
        offers. They are the same for every member of a side, so in a round they are worked
        out once per side (kept in the round memo).
        """
        m = self.model
        memo, key = m.round_memo(rows), ("side_bounds", self.side_index, day)
        if memo is not None and key in memo:
            return memo[key]
        c = m.compiled
        lo, hi = m.win_sets(rows, day)
        # Contiguous copies of the side's bounds: each of their several uses is faster.
        lo, hi = (np.ascontiguousarray(b[:, None, self.side_index]) for b in (lo, hi))
        if c.offers_mode == "answer" and c.has_bounds[self._other_sides].any():
            lo, hi = self._ratifiable(rows, day, lo, hi)
        if memo is not None:
            memo[key] = lo, hi
        return lo, hi

    def _ratifiable(self, rows: Rows, day: int, lo: Array, hi: Array) -> tuple[Array, Array]:
        """Its own side's bounds narrowed to what the other sides can ratify, (n|1, 1, I) each.

        A party answering offers does not table what it knows (complete information) or
        believes (``information = "beliefs"``) another side's principals would refuse; where
        that cannot be squared with its own side's bounds on an issue, its own side's hold.
        """
        others_lo, others_hi = tightest(*self.model.believed_win_sets(rows, day), self._other_sides)
        lo_x, hi_x = np.maximum(lo, others_lo[:, None]), np.minimum(hi, others_hi[:, None])
        fits = lo_x <= hi_x
        return np.where(fits, lo_x, lo), np.where(fits, hi_x, hi)

    def _path_package(
        self,
        aspiration: Array,
        rows: Rows,
        day: int,
        lo: Array | None,
        hi: Array | None,
        pinned: npt.NDArray[np.bool_],
    ) -> Array:
        """The package on the party's concession path at the aspirations, (n, 1, I).

        Args:
            aspiration: (n, 1) utility levels, one per run of ``rows``.
            rows: The runs.
            day: The day whose win-set applies.
            lo: (n|1, 1, I) the side's lower bounds today, or None without win-sets.
            hi: (n|1, 1, I) upper bounds.
            pinned: (I,) issues off the table today.
        """
        c = self.model.compiled
        weights, target = take(self._path[0], rows), take(self._path[1], rows)
        ideal = take(self._ideal, rows)
        extra: dict[str, Any] = {}
        if c.by_unit:
            extra = {"curvature": take(c.curvature, rows)[:, self._col], "units": c.units}
        if lo is not None:
            target = bound(target, lo, hi)
        believed = self.believed_priorities(rows)
        if believed is not None and not c.by_unit:
            # Give way first where the party believes the others care most relative to itself.
            ratio = believed / np.maximum(weights, 1e-12)
            order = np.argsort(-ratio, axis=-1, kind="stable")
        else:
            order = take(self._path[2], rows)
        if pinned.any():
            # An issue off the table stays at its no-deal value: its loss is spent first.
            target = np.where(pinned, c.no_deal, target)
            if not c.by_unit:  # (the order runs over units of issues otherwise)
                order = pinned_first(order, pinned)
        if self._pie_paths is not None and c.information_mode == "complete":
            target = self._pie_claims(rows, target)
            if lo is not None:
                target = bound(target, lo, hi)
        if c.offers_mode == "uniform":  # every issue at one rate; no order, nothing traded
            fixed = pinned if pinned.any() else None
            return uniform_positions(aspiration, weights, ideal, target, fixed=fixed, **extra)
        return positions(aspiration, weights, ideal, target, order, **extra)

    def _trade_off(
        self,
        aspiration: Array,
        rows: Rows,
        offer: Array,
        lo: Array | None,
        hi: Array | None,
        pinned: npt.NDArray[np.bool_],
    ) -> Array:
        """The package worth the aspirations nearest the offer answered, (n, 1, I).

        Args:
            aspiration: (n, 1) utility levels, one per run of ``rows``.
            rows: The runs.
            offer: (n, I) the other sides' offer the party answers.
            lo: (n|1, 1, I) the side's lower bounds today, or None without win-sets.
            hi: (n|1, 1, I) upper bounds.
            pinned: (I,) issues off the table today.
        """
        shared = self._round_columns(rows)
        if shared is not None:
            weights, _, ideal = shared
        else:
            weights, ideal = take(self._path[0], rows), take(self._ideal, rows)
        offer = self._offer_in_bounds(rows, offer, lo, hi, pinned)
        similarity = self.accommodation(rows)
        if pinned.any():
            similarity = np.where(pinned, 1e12, similarity)
        # An ideal outside the bounds (below a floor the other side holds, say) forces a move
        # toward the offer, which lies inside them: spent first, so the package keeps to the
        # aspiration instead of being clipped below it afterwards.
        least = None
        if lo is not None:
            least = at_least(lo - ideal, 0.0) + at_least(ideal - hi, 0.0)
            least = np.where(pinned, 0.0, least) if pinned.any() else least
        return tradeoff_positions(aspiration, weights, ideal, offer[:, None], similarity, least)

    def _offer_in_bounds(
        self,
        rows: Rows,
        offer: Array,
        lo: Array | None,
        hi: Array | None,
        pinned: npt.NDArray[np.bool_],
    ) -> Array:
        """The offer answered, inside the side's bounds and with pinned issues at no deal, (n, I).

        Every member of a side answers the same offer within the same bounds, so in a round it
        is worked out once per side (kept in the round memo).
        """
        memo = self.model.round_memo(rows)
        key = ("offer_in_bounds", self.side_index, pinned.tobytes())
        if memo is not None and key in memo:
            kept_offer, kept_lo, answer = memo[key]
            if kept_offer is offer and kept_lo is lo:  # the same offer within the same bounds
                return answer
        answer = offer
        if lo is not None:
            answer = bound(answer, lo[:, 0], hi[:, 0])
        if pinned.any():
            answer = np.where(pinned, self.model.compiled.no_deal, answer)
        if memo is not None:
            memo[key] = offer, lo, answer
        return answer

    def _pie_claims(self, rows: Rows, target: Array) -> Array:
        """Targets on pie issues that give each other party what it asks for today, (n, 1, I).

        With complete information a party knows the others' aspirations, so it hands out what
        it concedes of a pie in proportion to the shares they claim (each one's own share in
        the package it would table today) rather than in proportion to fixed stakes. With one
        other party, or with equal claims, this is the same division.
        """
        c, s = self.model.compiled, self.model.state
        weights, ideal_target, order = (take(a, rows) for a in self._pie_paths)  # type: ignore[union-attr]
        ideal, curvature = take(c.ideal, rows), take(c.curvature, rows)
        everyone = positions(
            s.aspiration[rows], weights, ideal, ideal_target, order, curvature, c.units
        )
        others = c.side_of != self.side_index
        target = np.array(np.broadcast_to(target, (len(everyone), *target.shape[1:])))
        for g in c.pie_groups:
            own = (weights[..., g] > 0) & others[None, :, None]  # (n|1, P, |g|)
            claims = total(np.where(own, everyone[..., g], 0.0), axis=1)  # (n, |g|)
            whole = total(claims)
            split = claims / np.maximum(whole, EPS)[:, None]
            target[:, 0, g] = np.where(whole[:, None] > EPS, split, target[:, 0, g])
        return target

    def accommodation(self, rows: Rows) -> Array:
        """How much the party accommodates each issue when it answers an offer, (n|1, 1, I).

        What the other sides care about: their members' priorities weighted by clout (with
        complete information), or the party's beliefs about them (``information =
        "beliefs"``). With a reciprocity weight g, each member of another side also counts
        1 + g times the utility it has conceded to this party so far (its edge in the
        concession graph): a party gives most where those who gave to it care most.
        """
        c = self.model.compiled
        weight = take(c.reciprocity_weight, rows)
        stated, giver_weights = self._side_concern(rows)
        believed = self.believed_priorities(rows)
        plain = stated if believed is None else believed
        if not np.any(weight):
            return self._courted(rows, plain)
        # The members of other sides, in order: its own side's would add 0 x a weight, which
        # changes no sum of such (non-negative) terms.
        others = self._givers
        given = self.model.ledger.given[rows, :, self.index][:, others]  # (n, G): each, to me
        pull = take(c.clout, rows)[:, others] * (1.0 + weight[:, None] * given)  # (n, G)
        by_giver = total(pull[:, :, None] * giver_weights, axis=1)[:, None, :]
        if believed is not None:  # members' priorities as public, reweighted by the beliefs
            by_giver = by_giver * believed / np.maximum(stated, EPS)
        # A run without the weight computes exactly as it would alone (replay bit for bit).
        weighted = weight > 0
        out = by_giver if weighted.all() else np.where(weighted[:, None, None], by_giver, plain)
        return self._courted(rows, out)

    def _side_concern(self, rows: Rows) -> tuple[Array, Array]:
        """The other sides' concern (n|1, 1, I) and their members' priorities (n|1, G, I).

        Both are the same for every member of a side, so in a round they are gathered once
        per side and shared (kept in the round memo).
        """
        memo, key = self.model.round_memo(rows), ("side_concern", self.side_index)
        if memo is not None and key in memo:
            return memo[key]
        concern = take(self._similarity, rows), take(self._giver_weights, rows)
        if memo is not None:
            memo[key] = concern
        return concern

    def _courted(self, rows: Rows, weights: Array) -> Array:
        """The trade-off's weights: the courted member's priorities where there is one."""
        c, s = self.model.compiled, self.model.state
        if c.engage_mode != "pivotal":
            return weights
        engaged = s.engaged[rows][:, self.index]  # (n,)
        w = take(c.weights, rows)
        w = np.broadcast_to(w, (engaged.shape[0], *w.shape[1:]))
        member = np.take_along_axis(w, np.maximum(engaged, 0)[:, None, None], axis=1)  # (n, 1, I)
        return np.where((engaged >= 0)[:, None, None], member, weights)

    def engage(self, rows: Rows) -> None:
        """Pick the member of another side to court next, from how the last round went.

        The party looks at its side's last package and, among the members of the other sides
        who still find it worth less than they insist on, courts the one who would bring the
        most clout per unit of utility it lacks: the cheapest vote to win. None when all accept.
        """
        c, s = self.model.compiled, self.model.state
        n = s.aspiration[rows].shape[0]
        mine = s.offers[rows][:, self.side_index]  # (n, I)
        tabled = s.offer_round[rows][:, self.side_index] > 0
        u = utilities(
            mine[:, None, :], take(c.weights, rows), take(c.ideal, rows), take(c.curvature, rows)
        )[:, 0, :]  # (n, P)
        lacking = s.aspiration[rows] - u
        others = c.side_of != self.side_index
        score = np.where(
            others & (lacking > TOLERANCE),
            np.broadcast_to(take(c.clout, rows), (n, len(c.party_keys))) / np.maximum(lacking, EPS),
            -np.inf,
        )
        best = np.argmax(score, axis=1)
        some = np.isfinite(score.max(axis=1))
        s.engaged[rows, self.index] = np.where(tabled & some, best, -1)

    def believed_priorities(self, rows: Rows) -> Array | None:
        """What the party believes the other sides care about, (n, 1, I); None if it knows."""
        c, s = self.model.compiled, self.model.state
        if c.information_mode != "beliefs":
            return None
        mine = s.belief[rows, self.index]  # (n, S, I)
        # The other sides' beliefs added in order, its own side as zeros (what ``total`` of
        # the masked array adds, without masking and reducing across strides).
        zero = np.zeros((mine.shape[0], mine.shape[2]))
        sides = [zero if k == self.side_index else mine[:, k] for k in range(mine.shape[1])]
        believed = sides[0] + sides[1] if len(sides) > 1 else sides[0].copy()
        for side in sides[2:]:
            believed += side
        return believed[:, None, :]

    def offer_to_answer(self, rows: Rows) -> tuple[Array, npt.NDArray[np.bool_]]:
        """The other sides' last offer in runs ``rows`` (their mean when several have tabled).

        Returns:
            (n, I) the offer and (n,) whether any other side has tabled one.
        """
        # Every party of a side answers the same offer: it is worked out once a round.
        memo, key = self.model.round_memo(rows), ("offer_to_answer", self.side_index)
        if memo is not None and key in memo:
            return memo[key]
        s = self.model.state
        tabled = s.offer_round[rows] > 0  # (n, S)
        n, n_s, n_i = tabled.shape[0], tabled.shape[1], s.offers.shape[2]
        # Side by side, its own side as zeros, added in order as ``total`` adds: the sum of the
        # masked (n, S, I) array without masking and reducing it across strides.
        count = np.zeros(n, np.int64)
        offers = []
        for k in range(n_s):
            if k == self.side_index:
                offers.append(np.zeros((n, n_i)))
            else:
                count += tabled[:, k]
                offers.append(np.where(tabled[:, k, None], s.offers[rows, k], 0.0))
        mean = offers[0] + offers[1] if n_s > 1 else offers[0].copy()
        for offer in offers[2:]:
            mean += offer
        answer = mean / np.maximum(count, 1)[:, None], count > 0
        if memo is not None:
            memo[key] = answer
        return answer

    def _shared_opponents(self, c: Compiled) -> tuple[Array, Array, npt.NDArray[np.intp]]:
        """Every party's target, the other sides' concern and concession order, (R|1, P, I).

        They follow from the scenario alone, so the first negotiator seated works them out for
        every party and the others take its arrays (the same numbers, computed once).
        """
        for other in self.model.agents:
            shared = getattr(other, "_opponents", None)
            if other is not self and shared is not None:
                return shared
        target, salience = opponent_targets(c.weights, c.ideal, c.clout, c.side_of)
        target = pie_targets(target, c.weights, c.ideal, c.clout, c.side_of, c.pie_groups)
        if c.by_unit:
            units = c.units or [np.array([i]) for i in range(len(c.issue_keys))]
            order = concession_order(c.weights, salience, units)
        else:
            ratio = salience / np.maximum(c.weights, 1e-12)
            order = np.argsort(-ratio, axis=-1, kind="stable")
        return target, salience, order

    def _concession_path(
        self, c: Compiled
    ) -> tuple[tuple[Array, Array, npt.NDArray[np.intp]], Array]:
        """Priorities, target and concession order of this party, and the other sides' concern.

        Each is (R|1, 1, I).

        The target on each issue is the other sides' ideal, weighted by their clout and
        priority; the order puts first the issues the other sides care most about relative to
        the party itself, so it gives most on what it cares least about. Both follow standing
        priorities: the yen moves how packages are scored and weighed, not this path.
        """
        col = self._col
        target, salience, order = self._opponents
        # Contiguous copies of the party's columns: gathering runs from them is cheaper.
        path = (np.ascontiguousarray(a[:, col]) for a in (c.weights, target, order, salience))
        weights, target, order, salience = path
        return (weights, target, order), salience
