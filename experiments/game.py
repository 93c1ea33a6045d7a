"""A game: one run in which a person takes one party's seat and the agents play the rest.

The person's seat is an ``agents.human.HumanSeat``. A run is a function of its seed and the
person's answers, so the game keeps only those: when the seat is asked something it has no
answer to, the day is played again from the start with the answers so far, and the game stops
on the day before it, with the question. ``Game.answers`` is the whole record of a game;
``Game.replay`` builds the same run again from it.

The debrief sets the person's result beside what the agent in the same seat reaches: on the
same seed (everything else equal) and over many seeds of the same stream, and beside the Nash
and Kalai–Smorodinsky points of the seed's bargaining problem.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from agents.human import ACCEPT, BLOCK, REJECT, AwaitingAnswer, Desk, HumanSeat, Question
from model.bargaining import Solutions, solutions_of
from model.ensemble import run_ensemble
from model.errors import ArgumentError
from model.loading import load_scenario
from model.negotiation import NegotiationModel
from model.schema import Scenario

Array = npt.NDArray[np.float64]
DEBRIEF_RUNS = 1_000


@dataclass(frozen=True)
class Answers:
    """Everything a person decided in a game, enough to play it again.

    Attributes:
        packages: Day → the package tabled, normalised, one value per issue.
        verdicts: Day → the person's verdict on each side's package (``agents.human``'s
            ``REJECT``, ``ACCEPT`` or ``BLOCK``).
    """

    packages: dict[int, tuple[float, ...]]
    verdicts: dict[int, tuple[int, ...]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (day keys as text)."""
        return {
            "packages": {str(d): list(v) for d, v in self.packages.items()},
            "verdicts": {str(d): list(v) for d, v in self.verdicts.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answers:
        """Read the form ``to_dict`` writes."""
        return cls(
            packages={int(d): tuple(float(x) for x in v) for d, v in data["packages"].items()},
            verdicts={int(d): tuple(int(x) for x in v) for d, v in data["verdicts"].items()},
        )


class Game:
    """One run played by a person in one party's seat.

    Attributes:
        scenario: The scenario.
        seat: The key of the party the person plays.
        seed: The run's seed.
        overrides: Scenario overrides, as for ``NegotiationModel``.
        model: The run as far as it has been played (stopped on the day before a question).
        question: What the person is asked now, or None once the run has ended.
    """

    def __init__(
        self,
        scenario: str | Scenario,
        seat: str,
        seed: int = 0,
        overrides: Mapping[str, Any] | None = None,
        answers: Answers | None = None,
        every_round: bool = False,
    ) -> None:
        """Seat the person and play up to the first question.

        Args:
            scenario: A bundled scenario name, a path, or a Scenario.
            seat: The key of the party the person plays.
            seed: The run's seed.
            overrides: Scenario overrides (the app's settings).
            answers: Answers given already (to replay a game); the game stops at the first
                question they do not answer.
            every_round: Ask for a package on every round (else only when the seat's side
                opens one; on the others the seat stands by its last package).

        Raises:
            ArgumentError: For a party the scenario does not have.
        """
        self.scenario = load_scenario(scenario)
        if seat not in self.scenario.party_keys:
            known = ", ".join(self.scenario.party_keys)
            raise ArgumentError("seat", seat, f"is not a party of {self.scenario.name} ({known})")
        self.seat, self.seed = seat, int(seed)
        self.overrides = dict(overrides or {})
        self._desk = Desk(every_round=every_round)
        if answers is not None:
            self._desk.packages = {d: np.array(v) for d, v in answers.packages.items()}
            self._desk.verdicts = {d: np.array(v, np.int8) for d, v in answers.verdicts.items()}
        self.model = self._build()
        self.question: Question | None = None
        self._play()

    # --- playing ----------------------------------------------------------------------------------

    def _build(self) -> NegotiationModel:
        return NegotiationModel(
            self.scenario,
            rng=self.seed,
            overrides=self.overrides or None,
            negotiators={self.seat: HumanSeat.at(self._desk)},
        )

    def _play(self) -> None:
        """Play on until the seat is asked something it has no answer to, or the run ends."""
        self.question = None
        while self.model.running:
            day = self.model.day + 1
            try:
                self.model.step()
            except AwaitingAnswer as asked:
                # The model stopped part-way through the day: play it again up to the day
                # before, so that what the person sees is the state the question comes from.
                self.model = self._build()
                for _ in range(day):
                    self.model.step()
                self.question = asked.question
                return

    @property
    def over(self) -> bool:
        """Whether the run has ended."""
        return not self.model.running and self.question is None

    def table(self, package: Sequence[float] | Array, *, real: bool = True) -> None:
        """Table a package, as asked, and play on to the next question.

        Args:
            package: One value per issue, in the scenario's order.
            real: Whether the values are in real units (else normalised 0–1).

        Raises:
            ArgumentError: When no package is asked for, or for a package of the wrong size.
        """
        q = self._asked("package")
        c = self.model.compiled
        values = np.asarray(package, dtype=float)
        if values.shape != (len(c.issue_keys),):
            raise ArgumentError(
                "package", str(list(values)), f"needs one value per issue ({len(c.issue_keys)})"
            )
        norm = c.to_unit(values) if real else values
        self._desk.packages[q.day] = np.clip(norm, 0.0, 1.0)
        self._play()

    def answer(
        self,
        accepts: Sequence[bool] | Mapping[str, bool],
        blocks: Sequence[bool] | Mapping[str, bool] | None = None,
    ) -> None:
        """Give a verdict on the packages on the table, as asked, and play on.

        Args:
            accepts: Whether the person accepts each side's package: one per side in the
                scenario's order, or by side key (sides left out are turned down; the seat's
                own package, when it sits alone on its side, is accepted whatever is given).
            blocks: Packages the person blocks (a veto for its side), the same way; only
                where the question allows it (``Question.can_block``).

        Raises:
            ArgumentError: When no verdict is asked for, for an unknown side, or for a block
                the question does not allow.
        """
        q = self._asked("verdict")
        take = self._per_side("accepts", accepts)
        block = self._per_side("blocks", {} if blocks is None else blocks)
        assert q.can_block is not None
        if (block & ~q.can_block).any():
            refused = np.flatnonzero(block & ~q.can_block)
            sides = [self.scenario.side_keys[k] for k in refused]
            raise ArgumentError("blocks", ", ".join(sides), "cannot be blocked today")
        self._desk.verdicts[q.day] = np.where(block, BLOCK, np.where(take, ACCEPT, REJECT)).astype(
            np.int8
        )
        self._play()

    def _per_side(
        self, name: str, values: Sequence[bool] | Mapping[str, bool]
    ) -> npt.NDArray[np.bool_]:
        keys = list(self.scenario.side_keys)
        if isinstance(values, Mapping):
            unknown = set(values) - set(keys)
            if unknown:
                raise ArgumentError(name, ", ".join(sorted(unknown)), "is not a side")
            return np.array([bool(values.get(k, False)) for k in keys])
        out = np.array([bool(a) for a in values])
        if out.shape != (len(keys),):
            raise ArgumentError(name, str(list(values)), f"needs {len(keys)} answers")
        return out

    def follow_agent(self) -> None:
        """Answer the question as the agent in the seat would, and play on."""
        q = self._asked(None)
        if q.kind == "package":
            self.table(q.suggestion, real=False)
        else:
            codes = q.agent_verdicts
            self.answer(codes == ACCEPT, codes == BLOCK)

    def _asked(self, kind: str | None) -> Question:
        if self.question is None:
            raise ArgumentError("game", "over", "the run has ended: nothing is asked")
        if kind is not None and self.question.kind != kind:
            raise ArgumentError("game", kind, f"the seat is asked for a {self.question.kind}")
        return self.question

    @property
    def answers(self) -> Answers:
        """What the person has decided so far."""
        return Answers(
            packages={d: tuple(float(x) for x in v) for d, v in self._desk.packages.items()},
            verdicts={d: tuple(int(x) for x in v) for d, v in self._desk.verdicts.items()},
        )

    def replay(self) -> Game:
        """The same game built again from its seed, settings and answers."""
        return Game(
            self.scenario,
            self.seat,
            self.seed,
            self.overrides,
            self.answers,
            every_round=self._desk.every_round,
        )

    # --- what the person sees ---------------------------------------------------------------------

    @property
    def date(self) -> dt.date:
        """The date of the question (the day after the last one played)."""
        return self.model.compiled.scenario.calendar.start + dt.timedelta(
            days=self.model.day + 1 if self.question is not None else self.model.day
        )

    def seat_utility(self, package: Sequence[float] | Array, *, real: bool = True) -> float:
        """What a package is worth to the person's party today (its own priorities)."""
        c = self.model.compiled
        values = np.asarray(package, dtype=float)
        norm = c.to_unit(values) if real else values
        agent = self.model.negotiators[self.seat]
        verdict = agent.respond(norm[None, None, :], slice(0, 1))
        return float(verdict.utility[0, 0])

    def likely_verdicts(
        self, package: Sequence[float] | Array, *, real: bool = True
    ) -> dict[str, bool]:
        """Whether each other party would accept a package now, by party key.

        Each agent answers as it would on the last day played (its aspiration of that day).
        """
        c = self.model.compiled
        values = np.asarray(package, dtype=float)
        norm = c.to_unit(values) if real else values
        out = {}
        for key, agent in self.model.negotiators.items():
            if key != self.seat:
                verdict = agent.respond(norm[None, None, :], slice(0, 1))
                out[key] = bool(verdict.accepts[0, 0])
        return out

    def win_set(self) -> tuple[Array, Array]:
        """The seat's side's ratifiable bounds for the day asked, in real units, (I,) each."""
        c, m = self.model.compiled, self.model
        day = min(m.day + 1, c.last_day)
        lo, hi = m.win_sets(slice(0, 1), day)
        k = self.model.negotiators[self.seat].side_index
        return c.to_real(lo[0, k]), c.to_real(hi[0, k])

    def result(self) -> dict[str, Any]:
        """The run's outcome as one row (see ``Outcome``); the run must have ended.

        Raises:
            ArgumentError: While the run goes on.
        """
        if not self.over:
            raise ArgumentError("game", "running", "the run has not ended yet")
        return dict(self.model.results().iloc[0])

    def solutions(self) -> Solutions:
        """The bargaining solutions of the game's run, with no deal at its reservations.

        The run's own reservations as they stood when it ended (they move with the no-deal
        terms), not the scenario's means: the point a party would walk away to.
        """
        m = self.model
        run = dataclasses.replace(m.compiled, reservation=m.state.reservation[:1].copy())
        return solutions_of(run)

    def debrief(self, runs: int = DEBRIEF_RUNS) -> Debrief:
        """The person's result beside the agent's and the bargaining solutions."""
        return debrief_of(self, runs)


@dataclass(frozen=True)
class Debrief:
    """How a person did in a seat, against the agent in it and the theory.

    Attributes:
        seat: The party's key.
        name: Its name.
        status: "deal" or "breakdown".
        date: The date the run ended.
        payoff: What the end is worth to the seat: its utility of the terms (after a breakdown,
            of the no-deal terms).
        agent_status, agent_date, agent_payoff: The same, for the agent in the seat on the
            same seed.
        agents: One row per seed of the agent's ensemble (``run_ensemble``), with a column
            ``payoff``.
        share_beaten: The share of the ensemble's runs whose payoff the person's beats.
        nash, kalai_smorodinsky: What the solutions give the seat on this seed, with no deal
            at the run's reservations (None without a zone of agreement).
        utilities: The person's end, every party's utility by key.
        agent_utilities: The agent's end on the same seed, by key.
    """

    seat: str
    name: str
    status: str
    date: str
    payoff: float
    agent_status: str
    agent_date: str
    agent_payoff: float
    agents: pd.DataFrame
    share_beaten: float
    nash: float | None
    kalai_smorodinsky: float | None
    utilities: dict[str, float]
    agent_utilities: dict[str, float]

    def summary(self) -> str:
        """How the person did, in a few sentences."""
        agents = self.agents
        deals = float((agents["status"] == "deal").mean())
        you = (
            f"You reached a deal on {self.date}, worth {self.payoff:.2f} to {self.name}."
            if self.status == "deal"
            else f"The talks broke down ({self.date}); no deal is worth {self.payoff:.2f} to "
            f"{self.name}."
        )
        same = (
            f"On the same seed the agent in your seat reached a deal on {self.agent_date}, "
            f"worth {self.agent_payoff:.2f}."
            if self.agent_status == "deal"
            else f"On the same seed the agent in your seat saw the talks break down "
            f"({self.agent_date}), worth {self.agent_payoff:.2f}."
        )
        if self.payoff > self.agent_payoff + 0.005:
            same += " You did better than it."
        elif self.payoff < self.agent_payoff - 0.005:
            same += " It did better than you."
        else:
            same += " You did as well as it."
        many = (
            f"Over {len(agents):,} seeds the agent deals in {deals:.0%} of runs; your result "
            f"beats {self.share_beaten:.0%} of its results."
        )
        theory = ""
        if self.nash is not None and self.kalai_smorodinsky is not None:
            theory = (
                f" On this seed the Nash solution would give {self.name} {self.nash:.2f} and "
                f"Kalai–Smorodinsky {self.kalai_smorodinsky:.2f}."
            )
        return f"{you} {same} {many}{theory}"


def debrief_of(game: Game, runs: int = DEBRIEF_RUNS) -> Debrief:
    """Set a finished game beside the agent in its seat (see ``Debrief``).

    The agent's ensemble runs seeds ``seed`` to ``seed + runs - 1`` with the game's settings;
    its first run is the agent on the game's own seed.

    Raises:
        ArgumentError: While the game goes on, or for fewer than one run.
    """
    if runs < 1:
        raise ArgumentError("runs", str(runs), "must be at least 1")
    row = game.result()
    seat = game.seat
    agents = run_ensemble(
        game.scenario, np.arange(game.seed, game.seed + runs), game.overrides or None
    )
    utility = f"utility_{seat}"
    agents = agents.assign(payoff=agents[utility])
    payoff = float(row[utility])
    own = agents.iloc[0]
    keys = game.scenario.party_keys
    solutions = game.solutions()
    index = keys.index(seat)
    return Debrief(
        seat=seat,
        name=game.scenario.parties[index].name,
        status=str(row["status"]),
        date=str(row["date"]),
        payoff=payoff,
        agent_status=str(own["status"]),
        agent_date=str(own["date"]),
        agent_payoff=float(own["payoff"]),
        agents=agents,
        share_beaten=float((agents["payoff"] < payoff - 1e-9).mean()),
        nash=None if solutions.nash is None else float(solutions.nash.utility[index]),
        kalai_smorodinsky=None
        if solutions.kalai_smorodinsky is None
        else float(solutions.kalai_smorodinsky.utility[index]),
        utilities={k: float(row[f"utility_{k}"]) for k in keys},
        agent_utilities={k: float(own[f"utility_{k}"]) for k in keys},
    )
