"""The concession graph: who gave way to whom, on which issues, how often and when.

An edge u → v accumulates the utility v gained from the moves of u's tabled position (per issue,
only the moves that helped v), with a count of such moves and the day of the last. The ledger
holds edge totals for every run and, for run 0 (the run that is narrated, drawn and shown in
the app), the breakdown by issue; any run of an ensemble can be replayed alone as a run 0.
``to_networkx`` gives run 0's graph as a ``networkx.DiGraph``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import numpy.typing as npt

from model.utility import RUNS_LAST, at_least, reach, total

Array = npt.NDArray[np.float64]
MIN_GAIN = 1e-12


Rows = slice | npt.NDArray[np.intp]


class ConcessionLedger:
    """Concessions of every run, indexed [run, from, to] (and [from, to, issue] for run 0)."""

    def __init__(self, runs: int, ideal: Array, side_of: npt.NDArray[np.intp]) -> None:
        """Start with no concession: each party's last tabled position is its ideal.

        Args:
            runs: Number of runs R.
            ideal: (R|1, P, I) ideal points.
            side_of: (P,) side index of each party.
        """
        n_p, n_i = ideal.shape[1], ideal.shape[2]
        self.side_of = side_of
        self.cross = side_of[:, None] != side_of[None, :]  # (P, P)
        self.given = np.zeros((runs, n_p, n_p))
        self.given0 = np.zeros((n_p, n_p, n_i))
        # Each party's last tabled position: starts at its ideal. Held run last, (I, P, R), so
        # that a round's arithmetic runs over long rows of runs (numpy costs per row on short
        # ones). What it was worth to each party (``seen``) is worked out from it when needed:
        # the same arithmetic on the same numbers, over a quarter of the array to keep.
        ideal_t = np.ascontiguousarray(ideal.transpose(2, 1, 0))  # (I, P, R|1)
        # Kept run last for ``record``, which reads a block of runs' rows as views.
        self._ideal_t, self._reach_t = ideal_t, reach(ideal_t)
        self._last = np.broadcast_to(ideal_t, (n_i, n_p, runs)).copy()
        self.count = np.zeros((runs, n_p, n_p), dtype=np.int64)
        self.last_day = np.full((runs, n_p, n_p), -1, dtype=np.int64)
        self.received = np.zeros((runs, n_p))  # from other sides only

    @property
    def seen(self) -> Array:
        """Value, to each party v, of u's last tabled position, (R, P_from, P_to, I)."""
        return _values(self._last, self._ideal_t, self._reach_t).transpose(3, 1, 2, 0)

    def record(
        self,
        rows: Rows,
        presenters: npt.NDArray[np.bool_],
        pos: Array,
        weights: Array,
        ideal: Array,
        day: int,
        pos_t: Array | None = None,
    ) -> None:
        """Register the positions tabled today by the presenting parties of runs ``rows``.

        Args:
            rows: The n runs holding a round today: a slice (updated in place) or indices.
            presenters: (n, P) who tabled a position.
            pos: (n, P, I) positions.
            weights: (n|1, P, I) priorities of the receiving parties.
            ideal: (n|1, P, I) ideal points (the ledger's own, kept run last from the start,
                serve a block of runs and ideals shared by all runs).
            day: Today's day number.
            pos_t: ``pos`` issue first and run last, (I, P, n), when the caller has it.
        """
        # Run last, (I, P_from, P_to, n) values: each step is the arithmetic of
        # ``issue_values`` and of the gain, element by element, and the issues' gains are added
        # in order, as ``total`` adds them.
        if pos_t is None:
            pos_t = np.ascontiguousarray(pos.transpose(2, 1, 0))
        weights_t = np.ascontiguousarray(weights.transpose(2, 1, 0))
        sliced = isinstance(rows, slice)
        if sliced or self._ideal_t.shape[-1] == 1:
            # The ideals and their reach as kept, run last: a block of runs' are views.
            ideal_t, reach_t = self._ideal_t, self._reach_t
            if ideal_t.shape[-1] > 1:
                ideal_t, reach_t = ideal_t[..., rows], reach_t[..., rows]
        else:
            ideal_t = np.ascontiguousarray(ideal.transpose(2, 1, 0))
            reach_t = reach(ideal_t)
        shown = presenters.T  # (P, n)
        mask = shown[:, None, :] & ~np.eye(len(shown), dtype=bool)[:, :, None]  # not to itself
        first = rows.start if sliced else rows[0]
        # A view when rows is a slice; otherwise gathered once here and put back at the end.
        last = self._last[..., rows] if sliced else np.take(self._last, rows, axis=-1)
        # Issue by issue over long rows of runs (its temporaries then stay in cache), all
        # issues at once over short ones (fewer calls).
        n_i = pos_t.shape[0]
        step = 1 if pos_t.shape[-1] >= RUNS_LAST else n_i
        edge = np.empty(0)
        for start in range(0, n_i, step):
            block = slice(start, start + step)
            ideal_b, reach_b = ideal_t[block], reach_t[block]
            vals = _values(pos_t[block], ideal_b, reach_b)  # (B, P_from, P_to, n)
            # The gain over what the last position was worth, in place on the latter's values.
            gain = _values(last[block], ideal_b, reach_b)
            np.subtract(vals, gain, out=gain)
            gain *= weights_t[block, None, :, :]  # the receiving party's priorities
            at_least(gain, 0.0, out=gain)
            gain *= mask
            if first == 0:
                self.given0[:, :, block] += gain[..., 0].transpose(1, 2, 0)
            for issue_gain in gain:
                if edge.size == 0:
                    edge = issue_gain
                else:
                    edge += issue_gain
        np.copyto(last, pos_t, where=shown)  # the positions shown are the last ones now
        if not sliced:
            _put_runs(self._last, rows, last)
        edge = edge.transpose(2, 0, 1)  # (n, P_from, P_to)
        moved = edge > MIN_GAIN
        self.given[rows] += edge
        self.count[rows] += moved
        self.last_day[rows] = np.where(moved, day, self.last_day[rows])
        self.received[rows] += total(edge * self.cross, axis=1)

    def cross_side_balance(self) -> Array:
        """(R,) what the first side conceded to the others less what it received, over the sum.

        From -1 (it only received) to 1 (it only gave); 0 when even or when nothing crossed.
        """
        first = self.side_of == 0
        gave = total(total(self.given[:, first][:, :, ~first]))
        got = total(total(self.given[:, ~first][:, :, first]))
        both = gave + got
        return np.where(both > 0, (gave - got) / np.maximum(both, MIN_GAIN), 0.0)

    def weights(self, runs: npt.NDArray[np.intp] | None = None) -> Array:
        """Total concession on each edge, (R, P, P), or (n, P, P) for the given runs."""
        return self.given if runs is None else self.given[runs]

    def metrics(self, runs: npt.NDArray[np.intp] | None = None) -> dict[str, Array]:
        """Graph metrics of every run (or of the given runs).

        Returns:
            ``net`` (R, P): concession given minus received; ``reciprocity`` (R,): 1 minus the
            share of concession not matched in the opposite direction (NaN with no concession);
            ``cross_side`` (R,): share of concession that crosses sides (NaN with none);
            ``targeting`` (R,): how closely the shares in which parties give to the members of
            other sides follow the shares those members gave them (see ``targeting``).
        """
        w = self.weights(runs)
        given, received = total(w, axis=2), total(w, axis=1)
        all_ = total(given)
        # Over ordered pairs every unmatched unit is counted twice (u→v and v→u): halve it.
        mismatch = 0.5 * total(total(np.abs(w - np.swapaxes(w, 1, 2)), axis=2))
        crossing = total(total(w * self.cross, axis=2))
        some = all_ > 0
        safe = np.where(some, all_, 1.0)
        reciprocity = np.where(some, 1.0 - mismatch / safe, np.nan)
        cross = np.where(some, crossing / safe, np.nan)
        return {
            "net": given - received,
            "reciprocity": reciprocity,
            "cross_side": cross,
            "targeting": self.targeting(w),
        }

    def targeting(self, w: Array) -> Array:
        """(n,) how closely what each party gives follows, member by member, what it received.

        For a party facing two or more members of other sides: 1 minus the total variation
        distance between the shares of its concession that went to each of them and the
        shares of what it received that came from each (1: it gives back in the very
        proportions it got; 0: to none of those who gave). The mean over such parties that
        gave and received, weighted by what they gave; NaN where there is none. Unlike
        ``reciprocity``, which weighs amounts, this reads only whom a party favours.
        """
        n = w.shape[0]
        score, weight = np.zeros(n), np.zeros(n)
        for p in range(w.shape[1]):
            others = np.flatnonzero(self.cross[p])
            if len(others) < 2:
                continue
            gave, got = w[:, p, others], w[:, others, p]  # (n, G) each
            g_sum, r_sum = total(gave), total(got)
            both = (g_sum > MIN_GAIN) & (r_sum > MIN_GAIN)
            tv = 0.5 * total(
                np.abs(
                    gave / np.maximum(g_sum, MIN_GAIN)[:, None]
                    - got / np.maximum(r_sum, MIN_GAIN)[:, None]
                )
            )
            score += np.where(both, (1.0 - tv) * g_sum, 0.0)
            weight += np.where(both, g_sum, 0.0)
        return np.where(weight > 0, score / np.maximum(weight, MIN_GAIN), np.nan)

    def to_networkx(
        self, party_keys: list[str], issue_keys: list[str], graph: nx.DiGraph | None = None
    ) -> nx.DiGraph:
        """Write run 0's edges into a DiGraph (created when not given).

        Edges carry ``weight``, ``issues`` (issue → concession), ``count``, ``last_day`` and
        ``cross_side``.
        """
        g = nx.DiGraph() if graph is None else graph
        g.add_nodes_from(party_keys)
        total_, given, count, last = self.given[0], self.given0, self.count[0], self.last_day[0]
        for u in range(len(party_keys)):
            for v in range(len(party_keys)):
                if count[u, v] == 0:
                    continue
                g.add_edge(
                    party_keys[u],
                    party_keys[v],
                    weight=float(total_[u, v]),
                    issues={k: float(x) for k, x in zip(issue_keys, given[u, v], strict=True)},
                    count=int(count[u, v]),
                    last_day=int(last[u, v]),
                    cross_side=bool(self.cross[u, v]),
                )
        return g


def _values(pos: Array, ideal: Array, reach_: Array) -> Array:
    """``issue_values`` run last: what each position is worth to each party, per issue.

    Args:
        pos: (B, P_from, n) positions.
        ideal: (B, P_to, n|1) ideal points.
        reach_: (B, P_to, n|1) their reach.

    Returns:
        (B, P_from, P_to, n) values, a new array.
    """
    vals = pos[:, :, None, :] - ideal[:, None, :, :]
    np.abs(vals, out=vals)
    np.divide(vals, reach_[:, None, :, :], out=vals)
    return np.subtract(1.0, vals, out=vals)


def _put_runs(arr: Array, rows: npt.NDArray[np.intp], values: Array) -> None:
    """``arr[..., rows] = values`` for a run-last ``arr``, in place.

    Over many runs, row by row of the array seen as 2-d: numpy scatters into a strided
    subspace of several axes several times slower than into one row at a time.
    """
    if len(rows) < RUNS_LAST:
        arr[..., rows] = values
        return
    flat = arr.view()
    flat.shape = (-1, arr.shape[-1])  # a view, or an error: never a copy written in vain
    for row, value in zip(flat, values.reshape(-1, values.shape[-1]), strict=True):
        row[rows] = value
