"""NegotiationModel: the Mesa model. One step is one calendar day, for one run or many.

A single run is an ensemble of one: with ``seeds`` the same model steps many runs at once (no
Python loop over runs), and run i then equals the single run whose seed is ``seeds[i]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from agents.negotiator import Negotiator
from model.concessions import ConcessionLedger
from model.errors import ArgumentError
from model.loading import DEFAULT_SCENARIO, load_scenario
from model.narration import concession_lines, date_of, deadline_lines, fmt_package, round_lines
from model.outcome import Outcome, outcome_of_row, outcome_table
from model.params import apply_overrides, compile_scenario
from model.protocol import hold_round, meeting, win_set_bounds
from model.recording import DailyCollector, daily_record, table_utilities
from model.rng import SEED_BITS, Purpose, as_seeds, uniform
from model.schema import Scenario
from model.state import (
    DEAL,
    advance_drivers,
    close_deadline,
    day_weights,
    draw_preferences,
    end_generated_rounds,
    initial_state,
    learn_from_offers,
    learn_limits,
    package_gap,
    rounds_today,
    take,
    update_reservations,
)
from model.utility import total

Array = npt.NDArray[np.float64]


def resolve_seed(rng: Any) -> int:
    """Turn what a user passes as ``rng`` into a recorded integer seed.

    Args:
        rng: None (a fresh seed from the OS), an int, a numeric string, or a numpy Generator.

    Returns:
        A seed in [0, 2**63).
    """
    if rng is None:
        return int(np.random.SeedSequence().entropy % 2**SEED_BITS)  # type: ignore[operator]
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**SEED_BITS))
    if isinstance(rng, str):
        rng = int(rng.strip())
    seed = int(rng)
    if not 0 <= seed < 2**SEED_BITS:
        raise ValueError(f"seed must be in [0, 2**{SEED_BITS}), got {seed}")
    return seed


class NegotiationModel(mesa.Model):
    """A multi-party negotiation, stepped one calendar day at a time.

    Attributes:
        scenario: The validated scenario.
        compiled: The scenario as arrays, with per-run overrides.
        state: Arrays of every run's state.
        ledger: Concession arrays of every run.
        negotiators: The Mesa agents, one per party, by party key (in column order).
        concession_graph: Run 0's concession graph, updated every day.
        day: The last day processed (-1 before the first step).
        log: Narrated lines of run 0 (when narrating).
        datacollector: Daily records of run 0 (when collecting).
    """

    def __init__(
        self,
        scenario: str | Path | Scenario = DEFAULT_SCENARIO,
        rng: int | str | np.random.Generator | None = None,
        *,
        seed: int | str | None = None,
        seeds: Sequence[int] | npt.ArrayLike | None = None,
        overrides: Mapping[str, Any] | None = None,
        collect: bool | None = None,
        narrate: bool | None = None,
        negotiators: Mapping[str, type[Negotiator]] | None = None,
        trace: bool = False,
    ) -> None:
        """Build the model.

        Args:
            scenario: A bundled scenario name, a path to a TOML file, or a Scenario.
            rng: Seed of a single run (int or numeric string); None draws one and records it.
            seed: The same as ``rng``, by the name Mesa's own models take (so that
                ``mesa.batch_run`` can vary it); give one or the other.
            seeds: Seeds of an ensemble; overrides ``rng`` and ``seed``.
            overrides: Per-run parameters by dotted scenario path (see ``override_paths``).
            collect: Record daily data of run 0 (default: only for a single run).
            narrate: Write ``log`` lines for run 0 (default: only for a single run).
            negotiators: A ``Negotiator`` subclass for some parties, by party key, to change
                how they aspire, propose or respond; the others get ``Negotiator``.
            trace: Keep, for every run and day, how far apart the sides' packages are and the
                cross-side balance of the concession graph (``trace_frame``).

        Raises:
            ScenarioError: For a bad scenario or override.
            ArgumentError: For an unknown party, a class that is not a ``Negotiator``, or both
                ``rng`` and ``seed``.
        """
        if seed is not None:
            if rng is not None:
                raise ArgumentError("seed", str(seed), "give either rng or seed, not both")
            rng = seed
        seed_array = as_seeds(seeds) if seeds is not None else as_seeds(resolve_seed(rng))
        super().__init__(rng=int(seed_array[0]))
        self.scenario = load_scenario(scenario)
        single = seed_array.shape[0] == 1
        self.collect = single if collect is None else collect
        self.narrate = single if narrate is None else narrate
        self.compiled = apply_overrides(
            compile_scenario(self.scenario), overrides, seed_array.shape[0]
        )
        c = self.compiled
        if c.preferences_mode == "uncertain":
            draw_preferences(c, seed_array)
        self.state = initial_state(c, seed_array)
        self.ledger = ConcessionLedger(self.state.runs, c.ideal, c.side_of)
        self._bounds: dict[int, tuple[Array, Array]] = {}
        self._round: tuple[Any, dict[Any, Any]] | None = None  # the round being held
        self._aspiring: dict[Any, Any] | None = None  # while the negotiators aspire
        self.round0 = -1
        classes = _negotiator_classes(c.party_keys, negotiators)
        for index, cls in enumerate(classes):
            cls(self, index)
        self.negotiators: dict[str, Negotiator] = {a.key: a for a in self.agents}
        self._seated = list(self.negotiators.values())  # in column order, for the protocol
        # Mesa 3.3 keys its agent-id counters by model in a class attribute (Agent._ids),
        # which would keep every model ever built alive. Every agent is seated above and
        # none after, so the counter is dropped here: the one place that touches it.
        mesa.Agent._ids.pop(self, None)
        self.day = -1
        self.log: list[str] = []
        self._outcome: Outcome | None = None
        self._graph = nx.DiGraph()
        self._graph_day = -2
        self._metrics: dict[str, Any] | None = None
        self.trace: dict[str, list[Array]] | None = {"gap": [], "balance": []} if trace else None
        self.daily: dict[str, float | str] = daily_record(self) if self.collect else {}
        self.datacollector = DailyCollector(list(self.daily))
        if self.collect:
            self.datacollector.collect(self)
        self.running = True

    # --- the day ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance every running run by one calendar day.

        The day's order: the day's events act and USD/JPY and market stress move; every
        negotiator aspires (in column order); in the runs that hold a round, the protocol asks
        the negotiators to propose and respond and each side decides; generated rounds count
        down; on the deadline the talks are extended or break down; run 0 is recorded.
        """
        if not self.running:
            return
        c, s = self.compiled, self.state
        self.day += 1
        day = self.day
        if self.narrate and s.active[0]:
            for label in c.days.labels[day]:
                self._say(label)
        advance_drivers(s, c, day)
        if c.reservation_mode == "no_deal":
            update_reservations(s, c, day)
        self._aspiring = {}
        try:
            # Every negotiator in turn, in column order (the order they were seated in, as
            # ``self.agents.do("aspire")`` would call them, without its cost per call).
            for negotiator in self._seated:
                negotiator.aspire()
        finally:
            self._aspiring = None
        in_round = rounds_today(s, c, day)
        if in_round.any():
            self._hold_rounds(np.flatnonzero(in_round), day)
        end_generated_rounds(s, c, day)
        decision = close_deadline(s, c, day)
        if self.narrate:
            for line in deadline_lines(c, decision, s):
                self._say(line)
        self.running = bool(s.active.any()) and day < c.last_day
        if self.collect:
            self.daily = daily_record(self)
            self.datacollector.collect(self)
        if self.trace is not None:
            self.trace["gap"].append(package_gap(s, c))
            self.trace["balance"].append(self.ledger.cross_side_balance())

    def trace_frame(self) -> pd.DataFrame:
        """The trace kept with ``trace=True``: one row per run and day, while the run went on.

        Columns: seed, day, gap (mean distance per issue between the sides' last packages, 1
        before both have tabled) and balance (concessions the first side made to the others
        less those it received, over their sum: from -1 to 1, 0 when even or none).
        """
        if self.trace is None:
            raise ArgumentError("trace", "", "build the model with trace=True to keep one")
        gap, balance = np.array(self.trace["gap"]), np.array(self.trace["balance"])  # (D, R)
        days = np.arange(gap.shape[0])[:, None]
        end = np.where(self.state.end_day >= 0, self.state.end_day, self.day)[None, :]
        keep = days <= end
        seeds = np.broadcast_to(self.state.seeds[None, :], gap.shape)
        return pd.DataFrame(
            {
                "seed": seeds[keep],
                "day": np.broadcast_to(days, gap.shape)[keep],
                "gap": gap[keep],
                "balance": balance[keep],
            }
        )

    def win_sets(self, rows: slice | npt.NDArray[np.intp], day: int) -> tuple[Array, Array]:
        """Each side's ratifiable bounds on ``day`` for runs ``rows``, (n|1, S, I) each.

        The bounds are a rule of each side's principals; when every run shares them they are
        worked out once a day, and otherwise once a round for the runs holding it.
        """
        c = self.compiled
        memo = self.round_memo(rows)
        if memo is not None and ("win_sets", day) in memo:
            return memo["win_sets", day]
        if c.election_mode == "outcomes" and c.has_outcomes.any():
            bounds = win_set_bounds(c, day, rows, self.state.election_outcome[rows])
        elif c.election_pressure.shape[0] > 1 or c.bound_lo.shape[0] > 1 or c.bound_hi.shape[0] > 1:
            bounds = win_set_bounds(c, day, rows)
        else:  # shared by every run
            if day not in self._bounds:
                self._bounds[day] = win_set_bounds(c, day, rows)
            return self._bounds[day]
        if memo is not None:
            memo["win_sets", day] = bounds
        return bounds

    def believed_win_sets(
        self, rows: slice | npt.NDArray[np.intp], day: int
    ) -> tuple[Array, Array]:
        """What the other sides take each side's ratifiable bounds on ``day`` to be, (n|1, S, I).

        The true bounds where parties know them (complete information); otherwise the
        published limits as the talks have revised them (``State.believed_lo``), and after a
        side's election the public outcome's.
        """
        s = self.state
        if s.believed_lo is None or s.believed_hi is None:
            return self.win_sets(rows, day)
        memo = self.round_memo(rows)
        if memo is not None and ("believed_win_sets", day) in memo:
            return memo["believed_win_sets", day]
        c = self.compiled
        outcome = s.election_outcome[rows] if c.election_mode == "outcomes" else None
        bounds = win_set_bounds(c, day, rows, outcome, (s.believed_lo[rows], s.believed_hi[rows]))
        if memo is not None:
            memo["believed_win_sets", day] = bounds
        return bounds

    def round_memo(self, rows: slice | npt.NDArray[np.intp]) -> dict[Any, Any] | None:
        """A store for what negotiators share in the round runs ``rows`` are holding, else None.

        It lives while the sides propose and respond: what goes in must follow from the state
        as the round found it (the offers on the table, the win-sets), which that does not
        change. Values are shared, never written to.
        """
        kept = self._round
        return kept[1] if kept is not None and kept[0] is rows else None

    def aspire_memo(self) -> dict[Any, Any] | None:
        """A store for what negotiators share while they aspire on a day, else None.

        It lives while every negotiator aspires: what goes in must follow from the state as
        the day found it (which runs are running, the drivers, the deadlines), which aspiring
        does not change. Values are shared, never written to.
        """
        return self._aspiring

    def _hold_rounds(self, idx: npt.NDArray[np.intp], day: int) -> None:
        c, s = self.compiled, self.state
        # A contiguous block of runs (every scheduled round) is addressed by a slice: views
        # and in-place updates instead of gathering and scattering copies.
        rows: slice | npt.NDArray[np.intp] = idx
        if idx[-1] - idx[0] + 1 == len(idx):
            rows = slice(int(idx[0]), int(idx[-1]) + 1)
        standing, ideal = take(c.weights, rows), take(c.ideal, rows)
        w = day_weights(s, c, rows, base=standing) if c.fx_salient else standing
        if idx[0] == 0:
            self.round0 = day
        present = (
            c.days.attendees[day] if c.days.scheduled[day] else np.ones(len(c.party_keys), bool)
        ) & ~c.days.absent[day]
        if c.engage_mode == "pivotal" and not c.days.scheduled[day]:
            # Between the dated meetings, a courting party meets the member it courts.
            present = meeting(c, s.engaged[rows], present)
        seeds = s.seeds[rows]
        draws = np.stack(
            [uniform(seeds, day, Purpose.INFIGHTING, k) for k in range(len(c.side_keys))], axis=1
        )
        # What every negotiator asks for the same runs during the round is kept for the round;
        # the runs' priorities and ideals are gathered once here, and each party reads its
        # column of them (see ``Negotiator._round_columns``).
        self._round = (rows, {"weights": standing, "day_weights": w, "ideal": ideal})
        bounds = self.win_sets(rows, day)
        believed = None
        if c.offers_mode == "answer" and c.has_bounds.any():
            believed = self.believed_win_sets(rows, day)
        proposer = s.proposer[rows]
        try:
            res = hold_round(
                c, self._seated, rows, day, bounds, w, present, proposer, draws, believed
            )
        finally:
            self._round = None
        if s.shift_range is not None:
            learn_limits(s, c, rows, bounds, res.packages, res.tabled, day)
        before = (
            self.ledger.weights(np.array([0]))[0].copy() if self.narrate and idx[0] == 0 else None
        )
        presenters = res.present & res.tabled[:, c.side_of]
        self.ledger.record(rows, presenters, res.positions, w, ideal, day, res.positions_t)
        self._metrics = None
        s.rounds[rows] += 1
        self._record_offers(rows, res, c)
        s.proposer[rows] = (s.proposer[rows] + 1) % len(c.side_keys)
        s.dispersion[rows] = res.dispersion
        s.table[rows] = np.where(res.has_table[:, None], res.table, s.table[rows])
        s.has_table[rows] |= res.has_table
        dealt = idx[res.deal]
        s.status[dealt] = DEAL
        s.end_day[dealt] = day
        s.terms[dealt] = res.table[res.deal]
        s.active[dealt] = False
        if before is not None:
            courted = c.engage_mode == "pivotal" and not c.days.scheduled[day]
            held = np.array([a.held_back(0) for a in self._seated])
            lines = round_lines(c, day, res, s.aspiration[0], int(s.rounds[0]), courted, held)
            for line in lines:
                self._say(line)
            for line in concession_lines(c, before, self.ledger.weights(np.array([0]))[0]):
                self._say(line)
            if res.deal[0]:
                self._say(f"DEAL: {fmt_package(c, s.terms[0])}")

    def _record_offers(self, rows: slice | npt.NDArray[np.intp], res: Any, c: Any) -> None:
        """Keep each side's tabled package and what it is worth to the side itself."""
        s = self.state
        cw = take(c.clout, rows)[:, None, :] * c.member[None]  # (n|1, S, P)
        own = total(res.utilities * cw) / total(cw)  # package k scored by side k
        tabled, by_issue = res.tabled, res.tabled[:, :, None]
        repeated = tabled & (s.offer_round[rows] > 0)  # a side tabling again: its move is seen
        # Each earlier value is moved before it is replaced.
        _replace(s.previous_offers, rows, s.offers[rows], by_issue)
        _replace(s.offers, rows, res.packages, by_issue)
        _replace(s.offer_value_prev, rows, s.offer_value[rows], tabled)
        _replace(s.offer_value, rows, own, tabled)
        _replace(s.offer_round, rows, s.rounds[rows][:, None], tabled)
        if c.information_mode == "beliefs" and repeated.any():
            learn_from_offers(s, c, rows, repeated)
        if c.engage_mode == "pivotal":
            for negotiator in self._seated:
                negotiator.engage(rows)

    # --- records ------------------------------------------------------------------------------

    def _say(self, line: str) -> None:
        when = date_of(self.compiled, max(self.day, 0)).isoformat()
        self.log.append(
            f"{when}  {line}" if not line.startswith("  ") else f"{' ' * len(when)}{line}"
        )

    def release(self) -> None:
        """Free the model's agents now, rather than when the garbage collector finds them.

        Loops that build many models call this to keep memory flat.
        """
        self.remove_all_agents()

    @property
    def outcome(self) -> Outcome | None:
        """Run 0's outcome once it has ended, else None.

        Worked out when first read, not on the day run 0 ends: its bargaining metrics can cost
        more than the whole run, and an ensemble that only wants ``results()`` never reads it.
        A run that has ended changes no more, so the value is the same whenever it is read.
        """
        if self._outcome is None and not self.state.active[0]:
            self._outcome = self.outcome_of(0)
        return self._outcome

    def outcome_of(self, run: int) -> Outcome:
        """The outcome of one run (status "running" while it has not ended)."""
        row = (
            outcome_table(self.compiled, self.state, self.ledger, np.array([run])).iloc[0].to_dict()
        )
        if row["day"] < 0:
            row["day"], row["date"] = self.day, date_of(self.compiled, max(self.day, 0)).isoformat()
        return outcome_of_row(row, self.compiled)

    def results(self) -> pd.DataFrame:
        """One row per run: seed, status, day, extension, rounds, terms, utilities, metrics."""
        return outcome_table(self.compiled, self.state, self.ledger)

    @property
    def date(self) -> dt.date:
        """Calendar date of the last day processed."""
        return date_of(self.compiled, max(self.day, 0))

    @property
    def concession_graph(self) -> nx.DiGraph:
        """Run 0's concession graph as of the last day processed.

        Nodes are parties (with side, aspiration, utility of the package on the table and
        whether they accept it); an edge u → v carries the concessions u made that raised v's
        utility (``weight``, per-issue ``issues``, ``count``, ``last_day``, ``cross_side``).
        The graph is brought up to date from the ledger's arrays when it is read, so runs
        that never look at it pay nothing for it.
        """
        if self._graph_day != self.day:
            self._sync_graph()
            self._graph_day = self.day
        return self._graph

    def _sync_graph(self) -> None:
        c, s, g = self.compiled, self.state, self._graph
        util = table_utilities(self)
        for p, key in enumerate(c.party_keys):
            g.add_node(
                key,
                side=c.scenario.parties[p].side,
                aspiration=float(s.aspiration[0, p]),
                utility=float(util[p]),
                accepts=bool(util[p] >= s.aspiration[0, p] - 1e-9) if s.has_table[0] else False,
            )
        self.ledger.to_networkx(c.party_keys, c.issue_keys, g)

    def metrics0(self) -> dict[str, npt.NDArray[np.float64]]:
        """Run 0's graph metrics (cached until the next round)."""
        if self._metrics is None:
            self._metrics = self.ledger.metrics(np.array([0]))
        return self._metrics


def _replace(
    arr: npt.NDArray[Any],
    rows: slice | npt.NDArray[np.intp],
    values: npt.NDArray[Any],
    where: npt.NDArray[np.bool_],
) -> None:
    """``arr[rows] = np.where(where, values, arr[rows])``: in place for a block of runs."""
    if isinstance(rows, slice):
        np.copyto(arr[rows], values, where=where)
    else:
        arr[rows] = np.where(where, values, arr[rows])


def _negotiator_classes(
    party_keys: list[str], chosen: Mapping[str, type[Negotiator]] | None
) -> list[type[Negotiator]]:
    """The negotiator class of each party, in column order (``Negotiator`` unless chosen)."""
    chosen = dict(chosen or {})
    for key, cls in chosen.items():
        if key not in party_keys:
            raise ArgumentError(
                "negotiators", key, f"no such party (the parties: {', '.join(party_keys)})"
            )
        if not (isinstance(cls, type) and issubclass(cls, Negotiator)):
            raise ArgumentError("negotiators", key, "must be a subclass of Negotiator")
    return [chosen.get(key, Negotiator) for key in party_keys]
