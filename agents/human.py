"""A seat for a person: a Negotiator whose proposals and verdicts come from someone at the app.

The person plays one run (a single row). The protocol asks every negotiator the same two things
in a round, ``propose`` and ``respond``; this seat answers them from a ``Desk`` holding what the
person has decided, day by day. When the desk holds no answer for today, the seat raises
``AwaitingAnswer`` with the question (and what the agent in the seat would have answered): the
day cannot go on without the person. Runs are deterministic given the seed and the answers, so
whoever drives the seat (``experiments.game``) rebuilds the run from day 0 with the answers
given so far, puts the question to the person, and plays the day again with the answer.

What stays the agent's own: the seat's aspiration (which the narration compares with), whom it
courts, and what it believes about the others. The person decides only what is tabled and what
is accepted; the seat's side still decides by its rule, and its principals still ratify only
what lies inside their win-set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from agents.negotiator import ALL, Negotiator, Reason, Rows, Verdict

Array = npt.NDArray[np.float64]
REJECT, ACCEPT, BLOCK = 0, 1, 2  # a person's verdict on a package


@dataclass(frozen=True)
class Question:
    """What the seat is asked in a round, with what the agent in the seat would answer.

    Attributes:
        kind: ``"package"`` (what to table) or ``"verdict"`` (what to accept).
        day: The round's day.
        suggestion: For a package, the agent's package, normalised, (I,); for a verdict,
            whether the agent would accept each side's package, (K,).
        packages: For a verdict, each side's package, normalised, (K, I); else None.
        utility: For a verdict, what each package is worth to the party today, (K,); else
            None.
        reasons: For a verdict, the agent's ``Reason`` for each answer, (K,); else None.
        asked: For a verdict, which packages the person answers, (K,) (the packages of the
            other sides, and its own side's when it shares the side with others); else None.
        can_block: For a verdict, which packages the person may block, (K,): those the
            agent in the seat blocks, as they shortchange its portfolio on a day its
            delegation does not hold together (``dynamics.hydra = "portfolios"``); else None.
    """

    kind: Literal["package", "verdict"]
    day: int
    suggestion: npt.NDArray[Any]
    packages: Array | None = None
    utility: Array | None = None
    reasons: npt.NDArray[np.int8] | None = None
    asked: npt.NDArray[np.bool_] | None = None
    can_block: npt.NDArray[np.bool_] | None = None

    @property
    def agent_verdicts(self) -> npt.NDArray[np.int8]:
        """For a verdict, the agent's answer to each package, (K,).

        Each is ``REJECT``, ``ACCEPT`` or ``BLOCK``.
        """
        if self.kind != "verdict" or self.can_block is None:
            raise ValueError("only a verdict has verdicts")
        codes = np.where(self.suggestion, ACCEPT, REJECT)
        return np.where(self.can_block, BLOCK, codes).astype(np.int8)


class AwaitingAnswer(Exception):
    """Raised by a seat asked something its desk holds no answer to.

    Attributes:
        question: What the person is asked.
    """

    def __init__(self, question: Question) -> None:
        super().__init__(f"the seat is asked for a {question.kind} on day {question.day}")
        self.question = question


@dataclass
class Desk:
    """What a person in a seat has decided so far.

    Attributes:
        packages: Day → the package the person tables that day, normalised, (I,).
        verdicts: Day → the person's verdict on each side's package that day, (K,):
            ``REJECT``, ``ACCEPT`` or ``BLOCK``.
        every_round: Ask for a package on every round, not only when the seat's side opens
            it (as the agent in the seat would table one).
    """

    packages: dict[int, Array] = field(default_factory=dict)
    verdicts: dict[int, npt.NDArray[np.int8]] = field(default_factory=dict)
    every_round: bool = False

    def last_package(self, before: int) -> Array | None:
        """The last package the person tabled on a day before ``before``, or None."""
        days = [d for d in self.packages if d < before]
        return self.packages[max(days)] if days else None


class HumanSeat(Negotiator):
    """A party whose packages and verdicts a person decides (see the module's description).

    Use ``HumanSeat.at(desk)`` for the class to pass to ``NegotiationModel(negotiators=...)``.
    The person is asked for a package on the first round and whenever the seat's side opens
    a round (its turn); on other rounds the seat stands by its last package (unless the desk
    says ``every_round``). It is asked for a verdict on every round.
    """

    desk: Desk

    def __init__(self, model: Any, index: int) -> None:
        """Seat the person for party ``index``; the class must come from ``HumanSeat.at``."""
        if not isinstance(getattr(type(self), "desk", None), Desk):
            raise TypeError("seat a person with HumanSeat.at(desk), which says where answers are")
        super().__init__(model, index)

    @classmethod
    def at(cls, desk: Desk) -> type[HumanSeat]:
        """A seat class answering from ``desk``."""
        return type(cls.__name__, (cls,), {"desk": desk})

    def _in_round(self, rows: Rows) -> bool:
        return self.model.round_memo(rows) is not None

    def _check_single(self, rows: Rows) -> None:
        n = self.model.state.aspiration[rows].shape[0]
        if n != 1:
            raise ValueError(f"a person plays one run at a time, not {n}")

    def propose(self, rows: Rows = ALL, day: int | None = None) -> Array:
        """The person's package today; outside a round, the one the seat stands by.

        Raises:
            AwaitingAnswer: In a round where the person must table a package and has not.
        """
        # The agent's own proposal is always worked out first, so that whatever the agent
        # keeps as it proposes stays as it would be, and to offer it as a suggestion.
        agent = super().propose(rows, day)
        today = self.model.day if day is None else day
        if not self._in_round(rows):
            kept = self.desk.packages.get(today, self.desk.last_package(today))
            return agent if kept is None else kept[None, :].copy()
        self._check_single(rows)
        if today in self.desk.packages:
            return self.desk.packages[today][None, :].copy()
        last = self.desk.last_package(today)
        opens = int(self.model.state.proposer[rows][0]) == self.side_index
        if last is not None and not opens and not self.desk.every_round:
            return last[None, :].copy()
        raise AwaitingAnswer(Question("package", today, agent[0].copy()))

    def respond(self, packages: Array, rows: Rows = ALL) -> Verdict:
        """The person's verdict on each side's package today.

        Its own side's package, when the seat is alone on its side, is its own offer and is
        accepted without asking. A package the person turns down carries the reason
        ``Reason.DECLINES``; one accepted, ``Reason.CHOOSES``; one blocked (where the agent
        in the seat would block it: ``Question.can_block``), ``Reason.BLOCKS``, a veto for
        its side.

        Raises:
            AwaitingAnswer: In a round where the person has not yet answered.
        """
        agent = super().respond(packages, rows)
        if not self._in_round(rows) or packages.ndim != 3:
            return agent
        self._check_single(rows)
        c, today = self.model.compiled, self.model.day
        k = packages.shape[1]
        asked = np.ones(k, bool)
        if int(c.member[self.side_index].sum()) == 1:
            asked[self.side_index] = False
        if today not in self.desk.verdicts:
            raise AwaitingAnswer(
                Question(
                    "verdict",
                    today,
                    agent.accepts[0].copy(),
                    packages=packages[0].copy(),
                    utility=agent.utility[0].copy(),
                    reasons=agent.reason[0].copy(),
                    asked=asked,
                    can_block=agent.reason[0] == Reason.BLOCKS,
                )
            )
        given = self.desk.verdicts[today]
        blocks = (given == BLOCK) & (agent.reason[0] == Reason.BLOCKS)
        answer = np.where(asked, given == ACCEPT, True)
        reason = np.where(answer, Reason.CHOOSES, Reason.DECLINES)
        reason = np.where(blocks, Reason.BLOCKS, reason).astype(np.int8)
        return Verdict(accepts=answer[None, :], reason=reason[None, :], utility=agent.utility)
