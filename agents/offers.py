"""What a negotiator can see of the offers on the table, for strategies that answer them.

Reciprocal and Zeuthen strategies look at the packages the other sides have tabled; the
time-dependent and hardliner strategies do not, so everything here is computed only when asked.
Information is complete, as in the textbook models: a party knows every party's utilities and
reservation.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from model.state import day_weights, take
from model.utility import EPS, bound, nash_product, total, utilities

if TYPE_CHECKING:
    from agents.negotiator import Negotiator

Array = npt.NDArray[np.float64]
ALL: slice = slice(None)


class OfferView:
    """The other sides' offers as one negotiator sees them, in many runs at once.

    Arrays have a run axis over the runs viewed (n below: every run, or those still running)
    and a party axis of length 1 (k below), the negotiator's own column.

    Args:
        negotiator: The party looking at the table.
        rows: The runs viewed (default all).
    """

    def __init__(self, negotiator: Negotiator, rows: slice | npt.NDArray[np.intp] = ALL) -> None:
        """Look at the offers on the table for ``negotiator`` in runs ``rows``."""
        self.negotiator = negotiator
        self.model = negotiator.model
        self.cols = slice(negotiator.index, negotiator.index + 1)
        self.rows = rows

    @cached_property
    def other(self) -> npt.NDArray[np.bool_]:
        """(k, S) the sides that are not the party's own."""
        c = self.model.compiled
        return c.side_of[self.cols][:, None] != np.arange(len(c.side_keys))[None, :]

    @cached_property
    def _weights(self) -> Array:
        m, c = self.model, self.model.compiled
        return day_weights(m.state, c, np.arange(m.state.runs)) if c.fx_salient else c.weights

    def _utilities(self, packages: Array, rows: npt.NDArray[np.intp] | slice) -> Array:
        c = self.model.compiled
        w = take(self._weights, rows)
        return utilities(packages, w, take(c.ideal, rows), take(c.curvature, rows))

    @cached_property
    def _run_ids(self) -> npt.NDArray[np.intp]:
        """(n,) the runs viewed, as indices."""
        return np.arange(self.model.state.runs)[self.rows]

    @cached_property
    def tabled(self) -> npt.NDArray[np.bool_]:
        """(n, k, S) the other sides that have tabled a package."""
        return (self.model.state.offer_round[self.rows][:, None, :] > 0) & self.other[None]

    @cached_property
    def has_offer(self) -> npt.NDArray[np.bool_]:
        """(n, k) some other side has tabled a package."""
        return self.tabled.any(axis=-1)

    @cached_property
    def new(self) -> npt.NDArray[np.bool_]:
        """(n, k, S) the other sides that tabled since the party last answered."""
        s, rows = self.model.state, self.rows
        return self.tabled & (
            s.offer_round[rows][:, None, :] > s.replied[rows, self.cols][:, :, None]
        )

    @cached_property
    def fresh(self) -> npt.NDArray[np.bool_]:
        """(n, k) some other side tabled since the party last answered."""
        return self.new.any(axis=-1)

    @cached_property
    def first_reply(self) -> npt.NDArray[np.bool_]:
        """(n, k) offers are new and the party has never answered before."""
        return self.fresh & (self.model.state.replied[self.rows, self.cols] == 0)

    def concession(self, relative: bool) -> Array:
        """The other sides' latest concession, in their own utility, averaged over sides.

        Args:
            relative: As a share of the room each side had above its reservation, else in
                utility points.

        Returns:
            (n, k) concessions, 0 where no side has conceded since the party last answered.
        """
        m = self.model
        s, c, rows = m.state, m.compiled, self.rows
        value_prev = s.offer_value_prev[rows]
        step = np.nan_to_num(value_prev - s.offer_value[rows], nan=0.0)  # (n, S)
        step = np.maximum(step, 0.0)
        if relative:
            cw = take(c.clout, rows)[:, None, :] * c.member[None]
            side_res = total(s.reservation[rows][:, None, :] * cw) / total(cw)
            room = np.nan_to_num(value_prev - side_res, nan=0.0)
            step = bound(step / np.maximum(room, EPS), 0.0, 1.0)
        counted = self.new & ~np.isnan(value_prev)[:, None, :]
        n = counted.sum(axis=-1)
        summed = total(np.where(counted, step[:, None, :], 0.0))
        return np.where(n > 0, summed / np.maximum(n, 1), 0.0)

    @cached_property
    def offer_utilities(self) -> Array:
        """(n, S, P) every party's utility of every side's last package."""
        return self._utilities(self.model.state.offers[self.rows], self.rows)

    @cached_property
    def best_offer_utility(self) -> Array:
        """(n, k) the party's best utility among the other sides' packages (-inf: none)."""
        u = np.swapaxes(self.offer_utilities[:, :, self.cols], 1, 2)  # (n, k, S)
        return np.where(self.tabled, u, -np.inf).max(axis=-1)

    @cached_property
    def best_offer_nash(self) -> Array:
        """(n, k) the highest Nash product among the other sides' packages (-inf: none)."""
        reservation = self.model.state.reservation[self.rows]
        n = nash_product(self.offer_utilities, reservation[:, None, :])  # (n, S)
        return np.where(self.tabled, n[:, None, :], -np.inf).max(axis=-1)

    def own_nash(self, aspirations: Array) -> Array:
        """The Nash product of each party's own offer at candidate aspirations.

        Args:
            aspirations: (n, k, G) candidate aspirations for parties ``cols``.

        Returns:
            (n, k, G) Nash products of the positions they would table.
        """
        s = self.model.state
        runs, k, g = aspirations.shape
        rows = np.repeat(self._run_ids, g)
        pos = self.negotiator.package_at(aspirations.reshape(-1, 1), rows)  # (R*G, I)
        util = self._utilities(pos[:, None, :], rows)[:, 0]  # (R*G, P)
        return nash_product(util, s.reservation[rows]).reshape(runs, k, g)
