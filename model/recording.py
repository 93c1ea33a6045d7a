"""Daily records of run 0: the values a Mesa DataCollector keeps for each day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import numpy.typing as npt
import pandas as pd

from model.state import DEAL, STATUS_NAMES, day_weights, take
from model.utility import bound, dispersion, pie_weights, side_packages, utilities

if TYPE_CHECKING:
    from model.negotiation import NegotiationModel

RUN0 = np.array([0])


class DailyCollector(mesa.DataCollector):
    """A DataCollector whose model reporters are the keys of ``model.daily``.

    Mesa's own ``collect`` deep-copies every reported value; the day's values are fresh
    Python floats and strings, so they are appended as they are, which makes collection
    several times cheaper without changing what ``get_model_vars_dataframe`` returns.

    ``model_vars[key][k]`` is day k's value, the one recorded after Mesa's step k + 1, and the
    record before the first day is kept apart (``initial``). ``mesa.batch_run`` reads entry
    ``model.steps - 1`` as a run's last: that is its end day (and its row's ``Step`` is the
    day). ``get_model_vars_dataframe`` puts the initial record first, one row per day after it.
    """

    def __init__(self, keys: list[str]) -> None:
        """Collect one column per key of ``model.daily``."""
        super().__init__(model_reporters={k: k for k in keys})
        self.initial: dict[str, Any] | None = None

    def collect(self, model: Any) -> None:
        """Keep the model's values for the day (before the first step: the initial record)."""
        if model.steps == 0:
            self.initial = dict(model.daily)
            return
        for key, value in model.daily.items():
            self.model_vars[key].append(value)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """The initial record, then one row per day: a column per key of ``model.daily``."""
        if self.initial is None or not self.model_reporters:
            return super().get_model_vars_dataframe()
        return pd.DataFrame({k: [self.initial[k], *v] for k, v in self.model_vars.items()})


def table_utilities(model: NegotiationModel) -> npt.NDArray[np.float64]:
    """Run 0's parties' utilities of the package on the table (NaN before any), (P,)."""
    c, s = model.compiled, model.state
    if not s.has_table[0]:
        return np.full(len(c.party_keys), np.nan)
    pkg = s.terms[:1] if not s.active[0] and s.status[0] == DEAL else s.table[:1]
    # Scored as the parties score it today (the yen moves salience), as the round did.
    weights = day_weights(s, c, RUN0) if c.fx_salient else take(c.weights, RUN0)
    return utilities(pkg[:, None, :], weights, take(c.ideal, RUN0), take(c.curvature, RUN0))[0, 0]


def daily_record(model: NegotiationModel) -> dict[str, float | str]:
    """Run 0's values for the day.

    Drivers, graph metrics, each party's aspiration, utility and position per issue, each
    side's dispersion (measured every day, not only at the table), and how the run stands:
    ``status`` and, once it has ended, its terms in real units (``term_<issue>``, as in the
    outcome; NaN while it runs).
    """
    c, s = model.compiled, model.state
    pos, spread = positions_and_dispersion(model)
    real = c.to_real(pos).tolist()
    util = table_utilities(model).tolist()
    metrics = model.metrics0()
    aspiration = s.aspiration[0].tolist()
    net = metrics["net"][0].tolist()
    d: dict[str, float | str] = {
        "day": model.day,
        "date": model.date.isoformat(),
        "usd_jpy": float(s.fx[0]),
        "stress": float(s.stress[0]),
        "reciprocity": float(metrics["reciprocity"][0]),
        "cross_side_share": float(metrics["cross_side"][0]),
        "targeting": float(metrics["targeting"][0]),
    }
    for p, key in enumerate(c.party_keys):
        d[f"{key}.aspiration"] = aspiration[p]
        d[f"{key}.utility"] = util[p]
        d[f"{key}.net_concession"] = net[p]
        for i, issue in enumerate(c.issue_keys):
            d[f"{key}.{issue}"] = real[p][i]
    for k, key in enumerate(c.side_keys):
        d[f"{key}.dispersion"] = float(spread[k])
    d["status"] = STATUS_NAMES[int(s.status[0])]
    terms = c.to_real(s.terms[:1])[0].tolist()
    for i, issue in enumerate(c.issue_keys):
        d[f"term_{issue}"] = terms[i]
    return d


def positions_and_dispersion(
    model: NegotiationModel,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Run 0's positions (P, I) and each side's dispersion (S,), read without changing state.

    Before the first day every party stands at its ideal. While run 0 runs, the positions are
    those its parties would table today, and the dispersion is measured against the package
    each whole side could table (every day, not only at the table). Once it has ended, both
    are as they were at its last round.
    """
    c, s = model.compiled, model.state
    if model.day < 0:
        return take(c.ideal, RUN0)[0], s.dispersion[0]
    day = model.day if s.active[0] else int(s.end_day[0])
    pos = np.stack([n.propose(RUN0, day) for n in model.negotiators.values()], axis=1)
    if not s.active[0]:
        return pos[0], s.dispersion[0]
    clout = take(c.clout, RUN0)
    everyone = np.ones(len(c.party_keys), bool)
    weights = day_weights(s, c, RUN0) if c.fx_salient else take(c.weights, RUN0)
    full, _ = side_packages(pos, pie_weights(weights, c.pie_groups), clout, c.member, everyone)
    lo, hi = model.win_sets(RUN0, day)
    full = bound(full, lo, hi)  # measured against the package the side could table
    return pos[0], dispersion(pos, full, clout, c.member)[0]
