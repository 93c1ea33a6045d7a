"""How a run ended, as a record for people (``Outcome``) and as table rows for ensembles."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from model.bargaining import outcome_metrics
from model.concessions import ConcessionLedger
from model.params import Compiled
from model.state import STATUS_NAMES, State, take
from model.utility import utilities


@dataclass(frozen=True)
class Outcome:
    """The end of one run.

    Attributes:
        status: "deal" or "breakdown".
        seed: The run's seed.
        day: Day number on which it ended (0 is the start date).
        date: Calendar date on which it ended.
        extended: Whether the deadline was extended.
        rounds: Round days held.
        terms: Value of each issue in real units (the no-deal values after a breakdown).
        utilities: Each party's utility of the terms.
        reservations: Each party's reservation utility in this run.
        net_concession: Concession each party gave minus what it received.
        reciprocity: 1 minus the share of unreciprocated concession (NaN with none).
        cross_side_share: Share of concession that crossed sides (NaN with none).
        targeting: How closely the shares in which parties gave to the members of other sides
            followed the shares those members gave them (NaN where no party faced two).
        dispersion: Each side's internal dispersion at its last round.
        gains: Each party's utility of the terms minus its reservation.
        nash_distance: Distance, in utility space, from the Nash bargaining solution (NaN when
            no package gives every party more than its reservation).
        frontier_distance: The largest equal gain every party could still have had (0 on the
            Pareto frontier).
        bargaining: How the two distances were computed: "exact"; "approximate" when the
            problem is beyond the exact frontier's budget (from six parties on, or a large
            five-party one); "skipped" when the frontier distance was not computed (NaN).
        bargaining_note: Why they are not exact, in one line ("" when they are).
    """

    status: str
    seed: int
    day: int
    date: dt.date
    extended: bool
    rounds: int
    terms: dict[str, float]
    utilities: dict[str, float]
    reservations: dict[str, float]
    net_concession: dict[str, float]
    reciprocity: float
    cross_side_share: float
    targeting: float
    dispersion: dict[str, float]
    gains: dict[str, float]
    nash_distance: float
    frontier_distance: float
    bargaining: str
    bargaining_note: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        d = asdict(self)
        d["date"] = self.date.isoformat()
        return d

    def to_row(self) -> dict[str, Any]:
        """The flat row this run has in an ensemble table."""
        row: dict[str, Any] = {
            "seed": self.seed,
            "status": self.status,
            "day": self.day,
            "date": self.date.isoformat(),
            "extended": self.extended,
            "rounds": self.rounds,
        }
        row |= {f"term_{k}": v for k, v in self.terms.items()}
        row |= {f"utility_{k}": v for k, v in self.utilities.items()}
        row |= {f"reservation_{k}": v for k, v in self.reservations.items()}
        row |= {f"net_concession_{k}": v for k, v in self.net_concession.items()}
        row |= {"reciprocity": self.reciprocity, "cross_side_share": self.cross_side_share}
        row |= {"targeting": self.targeting}
        row |= {f"dispersion_{k}": v for k, v in self.dispersion.items()}
        row |= {f"gain_{k}": v for k, v in self.gains.items()}
        row |= {"nash_distance": self.nash_distance, "frontier_distance": self.frontier_distance}
        row |= {"bargaining": self.bargaining, "bargaining_note": self.bargaining_note}
        return row


def outcome_table(
    c: Compiled, s: State, ledger: ConcessionLedger, runs: npt.NDArray[np.intp] | None = None
) -> pd.DataFrame:
    """One row per run: seed, status, day, date, extension, rounds, terms, utilities, metrics.

    Args:
        c: Compiled scenario.
        s: Final state (runs still going are reported with status "running").
        ledger: Concession ledger.
        runs: Only these runs (all when None).

    Returns:
        A DataFrame with the columns of ``Outcome.to_row``.
    """
    idx = np.arange(s.runs) if runs is None else runs
    terms_z = np.where(np.isnan(s.terms[idx]), s.table[idx], s.terms[idx])
    util = utilities(
        terms_z[:, None, :], take(c.weights, idx), take(c.ideal, idx), take(c.curvature, idx)
    )[:, 0, :]
    real = c.to_real(terms_z)
    metrics = ledger.metrics(idx)
    status, end_day, reservation, dispersion = (
        s.status[idx],
        s.end_day[idx],
        s.reservation[idx],
        s.dispersion[idx],
    )
    start = np.datetime64(c.scenario.calendar.start.isoformat(), "D")
    cols: dict[str, Any] = {
        "seed": s.seeds[idx].astype(np.uint64),
        "status": pd.Categorical.from_codes(status, categories=list(STATUS_NAMES.values())).astype(
            str
        ),
        "day": end_day,
        "date": np.datetime_as_string(start + end_day.astype("timedelta64[D]"), unit="D"),
        "extended": s.extended[idx],
        "rounds": s.rounds[idx],
    }
    cols |= {f"term_{k}": real[:, i] for i, k in enumerate(c.issue_keys)}
    cols |= {f"utility_{k}": util[:, p] for p, k in enumerate(c.party_keys)}
    cols |= {f"reservation_{k}": reservation[:, p] for p, k in enumerate(c.party_keys)}
    cols |= {f"net_concession_{k}": metrics["net"][:, p] for p, k in enumerate(c.party_keys)}
    cols |= {"reciprocity": metrics["reciprocity"], "cross_side_share": metrics["cross_side"]}
    cols |= {"targeting": metrics["targeting"]}
    cols |= {f"dispersion_{k}": dispersion[:, i] for i, k in enumerate(c.side_keys)}
    nominal = None
    if c.nominal is not None:
        n = c.nominal
        nominal = utilities(
            terms_z[:, None, :], take(n.weights, idx), take(n.ideal, idx), take(n.curvature, idx)
        )[:, 0, :]
    theory = outcome_metrics(c, idx, util, reservation, nominal)
    cols |= {f"gain_{k}": theory["gain"][:, p] for p, k in enumerate(c.party_keys)}
    cols |= {k: theory[k] for k in ("nash_distance", "frontier_distance")}
    cols |= {k: theory[k] for k in ("bargaining", "bargaining_note")}
    return pd.DataFrame(cols)


def outcome_of_row(row: dict[str, Any], c: Compiled) -> Outcome:
    """Turn one ensemble row back into an ``Outcome``."""
    return Outcome(
        status=str(row["status"]),
        seed=int(row["seed"]),
        day=int(row["day"]),
        date=dt.date.fromisoformat(str(row["date"])),
        extended=bool(row["extended"]),
        rounds=int(row["rounds"]),
        terms={k: float(row[f"term_{k}"]) for k in c.issue_keys},
        utilities={k: float(row[f"utility_{k}"]) for k in c.party_keys},
        reservations={k: float(row[f"reservation_{k}"]) for k in c.party_keys},
        net_concession={k: float(row[f"net_concession_{k}"]) for k in c.party_keys},
        reciprocity=float(row["reciprocity"]),
        cross_side_share=float(row["cross_side_share"]),
        targeting=float(row["targeting"]),
        dispersion={k: float(row[f"dispersion_{k}"]) for k in c.side_keys},
        gains={k: float(row[f"gain_{k}"]) for k in c.party_keys},
        nash_distance=float(row["nash_distance"]),
        frontier_distance=float(row["frontier_distance"]),
        bargaining=str(row["bargaining"]),
        bargaining_note=str(row["bargaining_note"]),
    )
