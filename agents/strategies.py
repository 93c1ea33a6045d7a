"""Concession strategies: how a party's aspiration (the utility it insists on) moves day by day.

Every strategy works on whole arrays of runs at once, so the same code steps a single run or an
ensemble of a hundred thousand. A strategy reads the party's effective elapsed time, reservation
utility, yesterday's aspiration and the utility it has received from the other side's
concessions, and, through ``offers``, the packages the other sides have tabled; it returns
today's aspiration. Aspirations never rise again and never fall below the reservation.

The kinds:

- ``time_dependent``: a(t) = r + (1 - r)(1 - t^e) (Faratin, Sierra and Jennings 1998);
  e > 1 Boulware, e = 1 linear, e < 1 Conceder.
- ``relative_tit_for_tat`` and ``absolute_tit_for_tat``: answer each concession of the other
  sides with the same share of one's own room, or the same number of utility points
  (Faratin, Sierra and Jennings 1998; Axelrod 1984).
- ``zeuthen``: the party whose own offer has the smaller Nash product (the smaller "risk", in
  Zeuthen's 1930 terms, as Harsanyi 1956 showed) concedes just enough to reverse that.
- ``hardliner``: holds a fixed aspiration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt

from model.strategy_specs import STRATEGY_SPECS, ParamSpec
from model.utility import bound

GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0

if TYPE_CHECKING:
    from agents.offers import OfferView

Array = npt.NDArray[np.float64]


@dataclass
class StrategyContext:
    """What a strategy may look at for one party, each array over the runs still running.

    Every run until some have ended; from then on only those still going (a run's arithmetic
    is its own, so which other runs share the arrays changes none of its numbers).

    Attributes:
        tau: Effective elapsed share of the time to the deadline, in [0, 1].
        reservation: The party's reservation utility.
        previous: Yesterday's aspiration.
        start: The aspiration when the current phase of the talks began (1 at the start; after
            an extension of a threatened deadline, the aspiration reached by then).
        received: Utility the party has gained from the other sides' concessions so far.
        params: The strategy's parameters, each of the arrays' shape.
        offers: The other sides' tabled packages as the party sees them.
    """

    tau: Array
    reservation: Array
    previous: Array
    start: Array
    received: Array
    params: dict[str, Array]
    offers: OfferView


class Strategy:
    """Base class: a named rule with declared parameters."""

    kind: ClassVar[str]
    summary: ClassVar[str]  # from the kind's entry in model.strategy_specs
    params: ClassVar[dict[str, ParamSpec]]
    answers_offers: ClassVar[bool] = False  # it keeps track of which offers it has answered

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:  # a concrete kind: its parameters are scenario vocabulary
            spec = STRATEGY_SPECS[cls.kind]
            cls.summary, cls.params = spec.summary, spec.params

    def aspiration(self, ctx: StrategyContext) -> Array:
        """Return today's aspiration for every run."""
        raise NotImplementedError


class TimeDependent(Strategy):
    """Aspiration falls from its start toward the reservation as a(t) = r + (a0 - r)(1 - t^e).

    a0 is 1 at the start of the talks; after an extension it is the aspiration reached by
    then, and t runs over the time to the new deadline.

    e > 1 is Boulware (holds firm, concedes late), e = 1 linear, e < 1 Conceder. A reciprocal
    component lowers the aspiration further by ``reciprocity`` times the utility the party has
    received from the other side's concessions. Aspirations never rise again, unless the
    reservation itself rises above them.
    """

    kind = "time_dependent"

    def aspiration(self, ctx: StrategyContext) -> Array:  # noqa: D102
        r = ctx.reservation
        target = r + (ctx.start - r) * (1.0 - ctx.tau ** ctx.params["exponent"])
        target = target - ctx.params["reciprocity"] * ctx.received
        # previous <= 1 always, so only the floor needs enforcing.
        return np.maximum(np.minimum(ctx.previous, target), r)


class Hardliner(Strategy):
    """Never concedes below a fixed level (1 is the party's ideal point)."""

    kind = "hardliner"

    def aspiration(self, ctx: StrategyContext) -> Array:  # noqa: D102
        return np.maximum(ctx.reservation, ctx.params["level"]) + 0.0 * ctx.previous


class _TitForTat(Strategy):
    """Shared rule of the reciprocal strategies: answer each new concession, never otherwise."""

    relative: ClassVar[bool]
    answers_offers = True

    def aspiration(self, ctx: StrategyContext) -> Array:
        a, r = ctx.previous, ctx.reservation
        gain, opening = ctx.params["gain"], ctx.params["opening"]
        view = ctx.offers
        step = gain * view.concession(self.relative)
        step = np.where(view.first_reply, opening, step)  # the first move opens the exchange
        room = np.maximum(a - r, 0.0)
        new = a - step * room if self.relative else a - step
        return np.maximum(np.where(view.fresh, np.minimum(new, a), a), r)


class RelativeTitForTat(_TitForTat):
    """Gives up the same share of its room above reservation as the other sides last gave up.

    The other sides' concession is measured in their own utility, as a share of the room they
    had above their reservation. The first answer concedes ``opening`` of the room.
    """

    kind = "relative_tit_for_tat"
    relative = True


class AbsoluteTitForTat(_TitForTat):
    """Gives up as many utility points as the other sides last gave up (in their own utility).

    The first answer concedes ``opening`` utility points.
    """

    kind = "absolute_tit_for_tat"
    relative = False


class Zeuthen(Strategy):
    """Zeuthen's monotonic concession: the party with the smaller risk concedes just enough.

    A party compares the Nash product of the offer it would table with the best Nash product
    among the other sides' offers; a smaller or equal one means a smaller willingness to risk
    breakdown (Harsanyi 1956), so it concedes to the highest aspiration whose offer beats the
    other side's, and by at least ``step``. When no concession of a full step beats the other
    side's offer, it takes that offer. Each concession raises the Nash product, and the talks
    end near the Nash solution.
    """

    kind = "zeuthen"
    answers_offers = True
    GRID = 65
    SECTIONS = 16
    BISECTIONS = 16

    def aspiration(self, ctx: StrategyContext) -> Array:  # noqa: D102
        a, r, view = ctx.previous, ctx.reservation, ctx.offers
        rival = view.best_offer_nash
        mine = view.own_nash(a[..., None])[..., 0]
        concede = view.fresh & view.has_offer & (mine <= rival) & (a > r)
        if not concede.any():
            return a.copy()
        # The Nash product along the party's concession path rises to a peak and falls. A grid
        # brackets the peak (refined by golden section) and the highest aspiration above it
        # whose offer beats the rival's (refined by bisection).
        frac = np.linspace(0.0, 1.0, self.GRID)
        grid = a[..., None] - (a - r)[..., None] * frac  # descending aspirations
        values = view.own_nash(grid)
        j = np.argmax(values, axis=-1)[..., None]
        top = np.take_along_axis(grid, np.maximum(j - 1, 0), -1)[..., 0]
        bottom = np.take_along_axis(grid, np.minimum(j + 1, self.GRID - 1), -1)[..., 0]
        for _ in range(self.SECTIONS):
            m1, m2 = top - GOLDEN * (top - bottom), bottom + GOLDEN * (top - bottom)
            n12 = view.own_nash(np.stack([m1, m2], axis=-1))
            upper = n12[..., 1] >= n12[..., 0]  # the peak lies above m1
            bottom, top = np.where(upper, m1, bottom), np.where(upper, top, m2)
        peak = 0.5 * (top + bottom)
        found = view.own_nash(peak[..., None])[..., 0] > rival
        above = (values > rival[..., None]) & (np.arange(self.GRID) <= j)
        i = np.where(above.any(axis=-1), np.argmax(above, axis=-1), j[..., 0])[..., None]
        lo = np.where(
            above.any(axis=-1), np.take_along_axis(grid, i, -1)[..., 0], np.maximum(peak, r)
        )
        hi = np.take_along_axis(grid, np.maximum(i - 1, 0), -1)[..., 0]
        hi = np.maximum(hi, lo)
        for _ in range(self.BISECTIONS):
            mid = 0.5 * (hi + lo)
            better = view.own_nash(mid[..., None])[..., 0] > rival
            lo, hi = np.where(better, mid, lo), np.where(better, hi, mid)
        step_down = a - ctx.params["step"]
        # Within a step of the Nash point no full step beats the rival's offer: conceding by
        # less would stall the talks, so the party takes that offer instead.
        step_beats = view.own_nash(step_down[..., None])[..., 0] > rival
        step_ok = found & ((lo <= step_down) | step_beats)
        taken = bound(view.best_offer_utility, r, a)
        new = np.where(step_ok, np.minimum(lo, step_down), taken)
        return np.maximum(np.where(concede, new, a), r)


STRATEGIES: dict[str, type[Strategy]] = {
    s.kind: s for s in (TimeDependent, RelativeTitForTat, AbsoluteTitForTat, Zeuthen, Hardliner)
}


def make_strategy(kind: str) -> Strategy:
    """Instantiate a strategy by kind."""
    return STRATEGIES[kind]()
