"""NegotiationModel: the Mesa model. One step is one calendar day, for one run or many.

A single run is an ensemble of one: with ``seeds`` the same model steps many runs at once (no
Python loop over runs), and run i then equals the single run whose seed is ``seeds[i]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from agents.negotiator import Negotiator
from model.concessions import ConcessionLedger
from model.loading import DEFAULT_SCENARIO, load_scenario
from model.narration import concession_lines, date_of, fmt_package, round_lines
from model.outcome import Outcome, outcome_of_row, outcome_table
from model.params import apply_overrides, compile_scenario
from model.protocol import hold_round, own_bounds, take
from model.rng import SEED_BITS, Purpose, as_seeds, uniform
from model.schema import Scenario
from model.state import (
    DEAL,
    advance_drivers,
    close_deadline,
    day_weights,
    end_generated_rounds,
    initial_state,
    rounds_today,
)
from model.utility import opponent_targets, positions, utilities


def _read(model: NegotiationModel, key: str) -> float | str:
    return model.daily[key]


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
        concession_graph: Run 0's concession graph, updated every day.
        day: The last day processed (-1 before the first step).
        log: Narrated lines of run 0 (when narrating).
        outcome: Run 0's outcome once it has ended, else None.
        datacollector: Daily records of run 0 (when collecting).
    """

    def __init__(
        self,
        scenario: str | Path | Scenario = DEFAULT_SCENARIO,
        rng: int | str | np.random.Generator | None = None,
        *,
        seeds: Sequence[int] | npt.ArrayLike | None = None,
        overrides: Mapping[str, Any] | None = None,
        collect: bool | None = None,
        narrate: bool | None = None,
    ) -> None:
        """Build the model.

        Args:
            scenario: A bundled scenario name, a path to a TOML file, or a Scenario.
            rng: Seed of a single run (int or numeric string); None draws one and records it.
            seeds: Seeds of an ensemble; overrides ``rng``.
            overrides: Per-run parameters by dotted scenario path (see ``override_paths``).
            collect: Record daily data of run 0 (default: only for a single run).
            narrate: Write ``log`` lines for run 0 (default: only for a single run).
        """
        seed_array = as_seeds(seeds) if seeds is not None else as_seeds(resolve_seed(rng))
        super().__init__(rng=int(seed_array[0]))
        self.scenario = load_scenario(scenario)
        single = seed_array.shape[0] == 1
        self.collect = single if collect is None else collect
        self.narrate = single if narrate is None else narrate
        self.compiled = apply_overrides(compile_scenario(self.scenario), overrides, seed_array.shape[0])
        c = self.compiled
        self.state = initial_state(c, seed_array)
        self.ledger = ConcessionLedger(self.state.runs, c.ideal, c.side_of)
        self._static = None if c.fx_issue >= 0 and np.any(c.fx_sensitivity) else self._geometry(c.weights)
        for index in range(len(c.party_keys)):
            Negotiator(self, index)
        self.negotiators: dict[str, Negotiator] = {a.key: a for a in self.agents}
        self.day = -1
        self.log: list[str] = []
        self.outcome: Outcome | None = None
        self._graph = nx.DiGraph()
        self._graph_day = -2
        self._metrics = self.ledger.metrics()
        self._positions = np.repeat(c.ideal, self.state.runs, axis=0) if c.ideal.shape[0] == 1 else c.ideal.copy()
        self.daily: dict[str, float | str] = {}
        self.datacollector = mesa.DataCollector(model_reporters=self._reporters() if self.collect else {})
        if self.collect:
            self._record_day()
            self.datacollector.collect(self)
        self.running = True

    # --- the day ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance every running run by one calendar day."""
        if not self.running:
            return
        c, s = self.compiled, self.state
        self.day += 1
        day = self.day
        if self.narrate:
            for label in c.days.labels[day]:
                self._say(label)
        advance_drivers(s, c, day)
        self.agents.do("update_aspiration")
        in_round = rounds_today(s, c, day)
        if in_round.any():
            self._hold_rounds(np.flatnonzero(in_round), day)
        end_generated_rounds(s, c, day)
        extended, broke = close_deadline(s, c, day)
        if self.narrate and extended[0]:
            self._say(f"The deadline moves by {c.scenario.calendar.extension.days} days, to {date_of(c, s.deadline[0])}")
        if self.narrate and broke[0]:
            self._say("BREAKDOWN: the deadline passes without a deal; the no-deal terms apply")
        self.running = bool(s.active.any()) and day < c.last_day
        if not s.active[0] and self.outcome is None:
            self.outcome = self.outcome_of(0)
        if self.collect:
            self._record_day()
            self.datacollector.collect(self)

    def _geometry(self, weights: npt.NDArray[np.float64]) -> tuple[Any, Any, Any]:
        c = self.compiled
        target, salience = opponent_targets(weights, c.ideal, c.clout, c.side_of)
        ratio_order = np.argsort(-(salience / np.maximum(weights, 1e-12)), axis=-1, kind="stable")
        return weights, target, ratio_order

    def _positions_of(self, idx: npt.NDArray[np.intp], weights: Any, day: int) -> npt.NDArray[np.float64]:
        """Positions of runs ``idx``: conceding toward the other sides, but never past what
        the party's own principals would ratify, so its concessions go where they can count."""
        c = self.compiled
        if self._static is not None:
            w, target, order = self._static
            w, target, order = take(w, idx), take(target, idx), take(order, idx)
        else:
            w, target, order = self._geometry(take(weights, idx))
        if c.has_bounds.any():
            lo, hi = own_bounds(c, idx, day)
            target = np.clip(target, lo, hi)
            return np.clip(positions(self.state.aspiration[idx], w, take(c.ideal, idx), target, order), lo, hi)
        return positions(self.state.aspiration[idx], w, take(c.ideal, idx), target, order)

    def _hold_rounds(self, idx: npt.NDArray[np.intp], day: int) -> None:
        c, s = self.compiled, self.state
        weights = c.weights if self._static is not None else day_weights(s, c)
        w = take(weights, idx)
        pos = self._positions_of(idx, weights, day)
        present = (c.days.attendees[day] if c.days.scheduled[day] else np.ones(len(c.party_keys), bool)) & ~c.days.absent[day]
        draws = np.stack([uniform(s.seeds[idx], day, Purpose.INFIGHTING, k) for k in range(len(c.side_keys))], axis=1)
        res = hold_round(c, idx, day, pos, s.aspiration[idx], w, present, s.proposer[idx], draws)
        before = self.ledger.weights(np.array([0]))[0].copy() if self.narrate and idx[0] == 0 else None
        presenters = present[None, :] & res.tabled[:, c.side_of]
        self.ledger.record(idx, presenters, res.positions, w, take(c.ideal, idx), day)
        self._metrics = None
        self._positions[idx] = res.positions
        s.rounds[idx] += 1
        s.proposer[idx] = (s.proposer[idx] + 1) % len(c.side_keys)
        s.dispersion[idx] = res.dispersion
        s.table[idx] = np.where(res.has_table[:, None], res.table, s.table[idx])
        s.has_table[idx] |= res.has_table
        dealt = idx[res.deal]
        s.status[dealt] = DEAL
        s.end_day[dealt] = day
        s.terms[dealt] = res.table[res.deal]
        s.active[dealt] = False
        if before is not None:
            for line in round_lines(c, day, res, s.aspiration[0], int(s.rounds[0])):
                self._say(line)
            for line in concession_lines(c, before, self.ledger.weights(np.array([0]))[0]):
                self._say(line)
            if res.deal[0]:
                self._say(f"DEAL: {fmt_package(c, s.terms[0])}")

    # --- records ------------------------------------------------------------------------------

    def _say(self, line: str) -> None:
        when = date_of(self.compiled, max(self.day, 0)).isoformat()
        self.log.append(f"{when}  {line}" if not line.startswith("  ") else f"{' ' * len(when)}{line}")

    def outcome_of(self, run: int) -> Outcome:
        """The outcome of one run (status "running" while it has not ended)."""
        row = outcome_table(self.compiled, self.state, self.ledger).iloc[run].to_dict()
        if row["day"] < 0:
            row["day"], row["date"] = self.day, date_of(self.compiled, max(self.day, 0)).isoformat()
        return outcome_of_row(row, self.compiled)

    def results(self) -> pd.DataFrame:
        """One row per run: seed, status, day, date, extension, rounds, terms, utilities, metrics."""
        return outcome_table(self.compiled, self.state, self.ledger)

    @property
    def date(self) -> dt.date:
        """Calendar date of the last day processed."""
        return date_of(self.compiled, max(self.day, 0))

    def _table_utilities(self) -> npt.NDArray[np.float64]:
        c, s = self.compiled, self.state
        if not s.has_table[0]:
            return np.full(len(c.party_keys), np.nan)
        pkg = s.terms[:1] if not s.active[0] and s.status[0] == DEAL else s.table[:1]
        return utilities(pkg[:, None, :], take(c.weights, np.array([0])), take(c.ideal, np.array([0])))[0, 0]

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
        util = self._table_utilities()
        for p, key in enumerate(c.party_keys):
            g.add_node(
                key,
                side=c.scenario.parties[p].side,
                aspiration=float(s.aspiration[0, p]),
                utility=float(util[p]),
                accepts=bool(util[p] >= s.aspiration[0, p] - 1e-9) if s.has_table[0] else False,
            )
        self.ledger.to_networkx(0, c.party_keys, c.issue_keys, g)

    def _reporters(self) -> dict[str, Any]:
        self._record_day()
        return {k: partial(_read, key=k) for k in self.daily}

    def _record_day(self) -> None:
        c, s = self.compiled, self.state
        if s.active[0] and self.day >= 0:
            weights = c.weights if self._static is not None else day_weights(s, c)
            self._positions[:1] = self._positions_of(np.array([0]), weights, self.day)
        real = c.to_real(self._positions[0])
        util = self._table_utilities()
        if self._metrics is None:
            self._metrics = self.ledger.metrics(np.array([0]))
        metrics = self._metrics
        d: dict[str, float | str] = {
            "day": self.day,
            "date": self.date.isoformat(),
            "usd_jpy": float(s.fx[0]),
            "stress": float(s.stress[0]),
            "reciprocity": float(metrics["reciprocity"][0]),
            "cross_side_share": float(metrics["cross_side"][0]),
        }
        for p, key in enumerate(c.party_keys):
            d[f"{key}.aspiration"] = float(s.aspiration[0, p])
            d[f"{key}.utility"] = float(util[p])
            d[f"{key}.net_concession"] = float(metrics["net"][0, p])
            for i, issue in enumerate(c.issue_keys):
                d[f"{key}.{issue}"] = float(real[p, i])
        for k, key in enumerate(c.side_keys):
            d[f"{key}.dispersion"] = float(s.dispersion[0, k])
        self.daily = d
