"""A scenario compiled to numpy arrays, with per-run overrides along a leading run axis.

Every per-run parameter has shape (1, ...) when it is the same for all runs and (R, ...) when a
sweep sets it run by run; numpy broadcasting lets the engine use both alike. Issue values are
held normalised to [0, 1] over each issue's range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

import model.limits as lim
from model.errors import ScenarioError
from model.schema import Scenario, pies
from model.strategy_specs import param_range, strategy_params
from model.utility import total, utilities

Array = npt.NDArray[np.float64]
RULES = ("unanimity", "majority", "veto")
FAR_FUTURE = 10**6


@dataclass
class DayTable:
    """What the calendar and the events do on each day, for days 0..last."""

    scheduled: npt.NDArray[np.bool_]  # (D,) a scheduled round (or an event round) is held
    attendees: npt.NDArray[np.bool_]  # (D, P) who attends that day's scheduled round
    absent: npt.NDArray[np.bool_]  # (D, P) away from the table (events)
    urgency: Array  # (D, P) urgency added that day (persists)
    stress_shock: Array  # (D,)
    fx_shock: Array  # (D,)
    off_table: npt.NDArray[np.bool_]  # (D, I) issues off the table that day (dated agenda)
    labels: list[list[str]]  # narrated lines per day
    round_notes: list[str]  # note of the scheduled round starting that day ("" if none)
    last_scheduled: int  # last day of the last scheduled round, -1 if none


class LimitSchedule(NamedTuple):
    """Win-set limits laid out for the daily schedule, (R|1, S, I) each.

    Each end's values at the start and the move from them to the election values: the day's
    limits are the start plus a share of the move, and what never changes is worked out once.
    """

    lo_start: Array
    lo_move: Array
    hi_start: Array
    hi_move: Array


@dataclass
class Compiled:
    """Everything the engine needs, as arrays."""

    scenario: Scenario
    issue_keys: list[str]
    party_keys: list[str]
    side_keys: list[str]
    lo: Array  # (I,) issue minimum, real units
    span: Array  # (I,) issue range, real units
    no_deal: Array  # (I,) normalised: the threat, what applies if the deadline passes
    in_force: Array  # (I,) normalised: what applies while the talks go on
    escalated: Array  # (I,) normalised: the threat after an escalation
    reservation_mode: str  # "drawn" or "no_deal" (Dynamics.reservation)
    deadline_mode: str  # "fixed" or "threat" (Dynamics.deadline)
    offers_mode: str  # "ideal", "answer" or "uniform" (Dynamics.offers)
    hydra_mode: str  # "majority" or "portfolios" (Dynamics.hydra)
    election_mode: str  # "tighten" or "outcomes" (Dynamics.election)
    preferences_mode: str  # "stated" or "uncertain" (Dynamics.preferences)
    information_mode: str  # "complete" or "beliefs" (Dynamics.information)
    bottom_lines_mode: str  # "known" or "private" (Dynamics.bottom_lines)
    engage_mode: str  # "side" or "pivotal" (Dynamics.engage)
    belief_sd: float
    belief_learning: float
    priorities_sd: Array  # (P,)
    ideal_sd: Array  # (P,)
    bound_sd: Array  # (S, I) spread of each win-set limit across runs, normalised
    after_lo: Array  # (S, K, I) win-set lower bounds after each election outcome
    after_hi: Array  # (S, K, I) upper bounds
    after_cumulative: Array  # (S, K) cumulative probabilities of the outcomes (1 past the last)
    has_outcomes: npt.NDArray[np.bool_]  # (S,) the side's election has outcomes to draw
    portfolio: npt.NDArray[np.bool_]  # (P, I) the issues each party answers for
    horizon: int  # days over which no-deal terms are weighed
    holder: int  # the side holding the deadline, -1 for none
    max_extensions: int
    side_of: npt.NDArray[np.intp]  # (P,)
    member: npt.NDArray[np.bool_]  # (S, P)
    lead: npt.NDArray[np.intp]  # (S,)
    principal: npt.NDArray[np.intp]  # (S,), -1 when none
    deadline_day: int
    last_day: int  # deadline plus the longest possible extension
    election_day: npt.NDArray[np.intp]  # (S,), FAR_FUTURE when none
    has_bounds: npt.NDArray[np.bool_]  # (S,)
    pie_of: npt.NDArray[np.intp]  # (I,) index of the issue's pie, -1 for none
    pie_groups: list[npt.NDArray[np.intp]]  # issue indices of each pie
    units: list[npt.NDArray[np.intp]] | None  # issues conceded together; None: one by one
    fx_issue: int  # -1 when none
    opening_side: int
    cadence: tuple[int, int, int, int]
    days: DayTable
    strategy_kinds: list[str]
    # Per-run parameters: shape (1, ...) when shared by all runs, (R, ...) when overridden run
    # by run (see ``apply_overrides``).
    weights: Array  # (R|1, P, I) priorities
    ideal: Array  # (R|1, P, I) ideal points, normalised
    clout: Array  # (R|1, P)
    reservation: Array  # (R|1, P) mean reservation utility
    reservation_sd: Array  # (R|1, P)
    curvature: Array  # (R|1, P) exponent of issue values
    bound_lo: Array  # (R|1, 2, S, I) win-set lower bounds: at the start and at the election
    bound_hi: Array  # (R|1, 2, S, I) upper bounds
    stress_sensitivity: Array  # (R|1, P)
    fx_sensitivity: Array  # (R|1, P)
    rule: npt.NDArray[np.intp]  # (R|1, S) decision rule codes (index into RULES)
    threshold: Array  # (R|1, S) majority thresholds
    cohesion: Array  # (R|1, S)
    election_pressure: Array  # (R|1, S)
    extension_probability: Array  # (R|1,)
    extension_gap_weight: Array  # (R|1,)
    extension_gap_reference: Array  # (R|1,)
    extension_stress_weight: Array  # (R|1,)
    escalate_probability: Array  # (R|1,)
    reciprocity_weight: Array  # (R|1,)
    audience_cost: Array  # (R|1, P)
    fx_initial: Array  # (R|1,)
    fx_reference: Array  # (R|1,)
    fx_volatility: Array  # (R|1,)
    stress_initial: Array  # (R|1,)
    stress_mean: Array  # (R|1,)
    stress_reversion: Array  # (R|1,)
    stress_volatility: Array  # (R|1,)
    strategy_params: list[dict[str, Array]] = field(default_factory=list)  # per party, (R|1,)
    # With uncertain preferences: the scenario as stated, before each run's draw (the problem
    # whose bargaining solutions the outcomes are measured against).
    nominal: Compiled | None = None
    # ``bound_lo`` and ``bound_hi`` laid out for ``model.state.scheduled_limits``, with the
    # arrays they were worked out from (see ``model.state.limit_schedule``).
    schedule: tuple[Array, Array, LimitSchedule] | None = field(default=None, repr=False)

    @property
    def fx_salient(self) -> bool:
        """Whether the yen moves some party's priorities (else priorities never change)."""
        return self.fx_issue >= 0 and bool(np.any(self.fx_sensitivity))

    @property
    def by_unit(self) -> bool:
        """Whether positions need the general rule (pies or curved values) of ``positions``."""
        return self.units is not None or not bool(np.all(self.curvature == 1.0))

    def to_real(self, z: Array) -> Array:
        """Convert normalised issue values (..., I) to real units."""
        return self.lo + z * self.span

    def to_unit(self, x: Array) -> Array:
        """Convert real issue values (..., I) to normalised units."""
        return (np.asarray(x, dtype=float) - self.lo) / self.span


def _day_table(s: Scenario, party_keys: list[str], last_day: int) -> DayTable:
    n, p_index = last_day + 1, {k: i for i, k in enumerate(party_keys)}
    start = s.calendar.start
    t = DayTable(
        scheduled=np.zeros(n, bool),
        attendees=np.ones((n, len(party_keys)), bool),
        absent=np.zeros((n, len(party_keys)), bool),
        urgency=np.zeros((n, len(party_keys))),
        stress_shock=np.zeros(n),
        fx_shock=np.zeros(n),
        off_table=np.zeros((n, len(s.issues)), bool),
        labels=[[] for _ in range(n)],
        round_notes=[""] * n,
        last_scheduled=-1,
    )
    for r in s.calendar.rounds:
        d0 = (r.date - start).days
        t.round_notes[d0] = r.note
        for d in range(d0, min(d0 + r.days, n)):
            t.scheduled[d] = True
            if r.attendees is not None:
                t.attendees[d] = [k in r.attendees for k in party_keys]
            t.last_scheduled = max(t.last_scheduled, d)
    for e in s.events:
        d0 = (e.date - start).days
        d1 = min((e.end - start).days if e.end else d0, n - 1)
        if d0 >= n or d1 < 0:
            continue  # wholly outside the days the talks can run
        # An event that began before the start and is still going is clipped to the calendar:
        # it acts from day 0 (see schema.Event).
        d0 = max(d0, 0)
        label = e.label
        if s.dynamics.agenda == "dated":
            moved = [
                ("off the table", e.effects.off_table),
                ("back on the table", e.effects.on_table),
            ]
            label += "".join(
                f" ({what}: {', '.join(s.issue(k).short for k in keys)})"
                for what, keys in moved
                if keys
            )
        t.labels[d0].append(label)
        for k, v in e.effects.urgency.items():
            idx = [p_index[k]] if k in p_index else [p_index[q.key] for q in s.members(k)]
            t.urgency[d0, idx] += v
        t.stress_shock[d0] += e.effects.stress
        t.fx_shock[d0] += e.effects.fx
        for k in e.effects.absent:
            t.absent[d0 : d1 + 1, p_index[k]] = True
        if e.effects.round:
            t.scheduled[d0] = True
    if s.dynamics.agenda == "dated":
        issue_index = {i.key: n for n, i in enumerate(s.issues)}
        for e in sorted(s.events, key=lambda e: e.date):  # later events override earlier ones
            d0 = max((e.date - start).days, 0)
            if d0 >= n:
                continue
            for k in e.effects.off_table:
                t.off_table[d0:, issue_index[k]] = True
            for k in e.effects.on_table:
                t.off_table[d0:, issue_index[k]] = False
    return t


def compile_scenario(s: Scenario) -> Compiled:
    """Compile a validated scenario into arrays (every per-run parameter with a run axis of 1).

    Args:
        s: A validated scenario.

    Returns:
        The compiled form.
    """
    issues, parties, sides = s.issue_keys, s.party_keys, s.side_keys
    lo = np.array([i.min for i in s.issues])
    span = np.array([i.max - i.min for i in s.issues])
    unit = lambda key, v: (v - s.issue(key).min) / (s.issue(key).max - s.issue(key).min)  # noqa: E731
    deadline_day = (s.calendar.deadline - s.calendar.start).days
    ext, dyn = s.calendar.extension, s.dynamics
    extensions = ext.max_extensions if dyn.deadline == "threat" else 1
    last_day = deadline_day + extensions * ext.days
    n_s, n_i = len(sides), len(issues)
    bound_lo, bound_hi = np.zeros((2, n_s, n_i)), np.ones((2, n_s, n_i))
    bound_sd = np.zeros((n_s, n_i))
    election = np.full(n_s, FAR_FUTURE, dtype=np.intp)
    for si, key in enumerate(sides):
        side = s.sides[key]
        if side.election is not None:
            election[si] = max(1, (side.election - s.calendar.start).days)
        for b in side.win_set:
            if b.floor and s.dynamics.floors == "off":
                continue
            ii = issues.index(b.issue)
            bound_sd[si, ii] = b.sd / span[ii]
            if b.min is not None:
                bound_lo[:, si, ii] = unit(b.issue, b.min)
                if b.min_at_election is not None:
                    bound_lo[1, si, ii] = unit(b.issue, b.min_at_election)
            if b.max is not None:
                bound_hi[:, si, ii] = unit(b.issue, b.max)
                if b.max_at_election is not None:
                    bound_hi[1, si, ii] = unit(b.issue, b.max_at_election)
    run_params: dict[str, Array] = {
        "weights": np.array([[p.priorities[i] for i in issues] for p in s.parties])[None],
        "ideal": np.array([[unit(i, p.ideal[i]) for i in issues] for p in s.parties])[None],
        "clout": np.array([p.clout for p in s.parties])[None],
        "reservation": np.array([p.reservation or 0.0 for p in s.parties])[None],
        "audience_cost": np.array([p.audience_cost for p in s.parties])[None],
        "reservation_sd": np.array([p.reservation_sd for p in s.parties])[None],
        "curvature": np.array([p.curvature for p in s.parties])[None],
        "bound_lo": bound_lo[None],
        "bound_hi": bound_hi[None],
        "stress_sensitivity": np.array([p.stress_sensitivity for p in s.parties])[None],
        "fx_sensitivity": np.array([p.fx_sensitivity for p in s.parties])[None],
        "rule": np.array([RULES.index(s.sides[k].rule) for k in sides])[None],
        "threshold": np.array([s.sides[k].threshold for k in sides])[None],
        "cohesion": np.array([s.sides[k].cohesion for k in sides])[None],
        "election_pressure": np.array([s.sides[k].election_pressure for k in sides])[None],
        "extension_probability": np.array([ext.probability]),
        "extension_gap_weight": np.array([ext.gap_weight]),
        "extension_gap_reference": np.array([ext.gap_reference]),
        "extension_stress_weight": np.array([ext.stress_weight]),
        "escalate_probability": np.array([ext.escalate_probability]),
        "reciprocity_weight": np.array([dyn.reciprocity_weight]),
        "fx_initial": np.array([s.drivers.fx.initial]),
        "fx_reference": np.array([s.drivers.fx.reference]),
        "fx_volatility": np.array([s.drivers.fx.volatility]),
        "stress_initial": np.array([s.drivers.stress.initial]),
        "stress_mean": np.array([s.drivers.stress.mean]),
        "stress_reversion": np.array([s.drivers.stress.reversion]),
        "stress_volatility": np.array([s.drivers.stress.volatility]),
    }
    per_party_strategy = [
        {
            name: np.array([value])
            for name, value in strategy_params(p.strategy.kind, p.strategy.params).items()
        }
        for p in s.parties
    ]
    c = s.calendar
    pie_of = np.array([list(pies(s)).index(i.pie) if i.pie else -1 for i in s.issues], np.intp)
    groups = [np.flatnonzero(pie_of == k) for k in range(int(pie_of.max()) + 1)]
    compiled = Compiled(
        scenario=s,
        issue_keys=issues,
        party_keys=parties,
        side_keys=sides,
        lo=lo,
        span=span,
        no_deal=np.array([unit(i.key, i.no_deal) for i in s.issues]),
        in_force=np.array(
            [unit(i.key, i.no_deal if i.in_force is None else i.in_force) for i in s.issues]
        ),
        escalated=np.array(
            [unit(i.key, i.no_deal if i.escalated is None else i.escalated) for i in s.issues]
        ),
        reservation_mode=dyn.reservation,
        deadline_mode=dyn.deadline,
        offers_mode=dyn.offers,
        hydra_mode=dyn.hydra,
        election_mode=dyn.election,
        preferences_mode=dyn.preferences,
        information_mode=dyn.information,
        bottom_lines_mode=dyn.bottom_lines,
        engage_mode=dyn.engage,
        belief_sd=dyn.belief_sd,
        belief_learning=dyn.belief_learning,
        priorities_sd=np.array([p.priorities_sd for p in s.parties]),
        bound_sd=bound_sd,
        ideal_sd=np.array([p.ideal_sd for p in s.parties]),
        **_election_outcomes(s),
        portfolio=np.array([[k in p.portfolio for k in issues] for p in s.parties], dtype=bool),
        horizon=dyn.no_deal_horizon_days,
        holder=sides.index(ext.holder) if ext.holder else -1,
        max_extensions=extensions,
        side_of=np.array([sides.index(p.side) for p in s.parties], dtype=np.intp),
        member=np.array([[p.side == k for p in s.parties] for k in sides]),
        lead=np.array([parties.index(s.sides[k].lead) for k in sides], dtype=np.intp),
        principal=np.array(
            [parties.index(s.sides[k].principal) if s.sides[k].principal else -1 for k in sides],
            dtype=np.intp,
        ),
        deadline_day=deadline_day,
        last_day=last_day,
        election_day=election,
        has_bounds=_has_bounds(bound_lo[None], bound_hi[None]),
        pie_of=pie_of,
        pie_groups=groups,
        units=_units(pie_of, groups) if groups else None,
        fx_issue=issues.index(s.drivers.fx.salience_issue) if s.drivers.fx.salience_issue else -1,
        opening_side=sides.index(c.opening_side) if c.opening_side else 0,
        cadence=(
            c.cadence.min_gap_days,
            c.cadence.max_gap_days,
            c.cadence.min_length_days,
            c.cadence.max_length_days,
        ),
        days=_day_table(s, parties, last_day),
        strategy_kinds=[p.strategy.kind for p in s.parties],
        strategy_params=per_party_strategy,
        **run_params,
    )
    if compiled.reservation_mode == "no_deal":
        compiled.reservation = nominal_reservation(compiled)
    compiled.has_bounds = sides_with_bounds(compiled)
    return compiled


def nominal_reservation(c: Compiled) -> Array:
    """Reservations at the deadline when they come from no-deal terms, (R|1, P).

    The utility of the threat's terms plus the mean audience cost: the disagreement point of
    the bargaining solutions, and what each party's drawn reservation tends to at the deadline.
    """
    u = utilities(c.no_deal[None, None, :], c.weights, c.ideal, c.curvature)[:, 0, :]
    return np.minimum(np.maximum(u + c.audience_cost, 0.0), 1.0)


def _election_outcomes(s: Scenario) -> dict[str, Array]:
    """Each side's post-election win-sets and the cumulative probabilities of drawing them."""
    sides, issues = s.side_keys, s.issue_keys
    k = max([len(s.sides[key].after_election) for key in sides] + [1])
    lo, hi = np.zeros((len(sides), k, len(issues))), np.ones((len(sides), k, len(issues)))
    cumulative = np.ones((len(sides), k))
    for si, key in enumerate(sides):
        running = 0.0
        for n, outcome in enumerate(s.sides[key].after_election):
            running += outcome.probability
            cumulative[si, n] = running
            for b in outcome.win_set:
                issue = s.issue(b.issue)
                ii, span = issues.index(b.issue), issue.max - issue.min
                if b.min is not None:
                    lo[si, n, ii] = (b.min - issue.min) / span
                if b.max is not None:
                    hi[si, n, ii] = (b.max - issue.min) / span
        if s.sides[key].after_election:
            cumulative[si, len(s.sides[key].after_election) - 1 :] = 1.0
    has = np.array([bool(s.sides[key].after_election) for key in sides])
    return {"after_lo": lo, "after_hi": hi, "after_cumulative": cumulative, "has_outcomes": has}


def _units(pie_of: npt.NDArray[np.intp], groups: list[npt.NDArray[np.intp]]) -> list:
    """Concession units in issue order: each pie once (at its first issue), other issues alone."""
    units: list[npt.NDArray[np.intp]] = []
    for i, k in enumerate(pie_of):
        if k < 0:
            units.append(np.array([i]))
        elif groups[k][0] == i:
            units.append(groups[k])
    return units


def sides_with_bounds(c: Compiled) -> npt.NDArray[np.bool_]:
    """Which sides have a binding win-set bound in any run, now or after their election."""
    bounded = _has_bounds(c.bound_lo, c.bound_hi)
    if c.election_mode == "outcomes":
        after = ((c.after_lo > 0.0) | (c.after_hi < 1.0)).any(axis=(1, 2)) & c.has_outcomes
        bounded = bounded | after
    return bounded


def _has_bounds(lo: Array, hi: Array) -> npt.NDArray[np.bool_]:
    """Which sides have a binding win-set bound in any run, (S,)."""
    return ((lo > 0.0) | (hi < 1.0)).any(axis=(0, 1, 3))


# --- overrides -----------------------------------------------------------------------------

# The same bounds as the schema's (model.limits), so an override cannot set what a file cannot.
_PARTY_FIELDS = {
    "clout": ("clout", lim.CLOUT_MIN, lim.CLOUT_MAX),
    "reservation": ("reservation", 0.0, 1.0),
    "reservation_sd": ("reservation_sd", 0.0, lim.RESERVATION_SD_MAX),
    "audience_cost": ("audience_cost", -1.0, 1.0),
    "curvature": ("curvature", lim.CURVATURE_MIN, 1.0),
    "stress_sensitivity": (
        "stress_sensitivity",
        -lim.STRESS_SENSITIVITY_MAX,
        lim.STRESS_SENSITIVITY_MAX,
    ),
    "fx_sensitivity": ("fx_sensitivity", -lim.FX_SENSITIVITY_MAX, lim.FX_SENSITIVITY_MAX),
}
_SIDE_FIELDS = {
    "threshold": ("threshold", 0.0, 1.0),
    "cohesion": ("cohesion", 0.0, 1.0),
    "election_pressure": ("election_pressure", 0.0, lim.ELECTION_PRESSURE_MAX),
}
_GLOBAL_FIELDS = {
    "calendar.extension.probability": ("extension_probability", 0.0, 1.0),
    "calendar.extension.gap_weight": ("extension_gap_weight", -100.0, 100.0),
    "calendar.extension.gap_reference": ("extension_gap_reference", 0.0, 1.0),
    "calendar.extension.stress_weight": ("extension_stress_weight", -100.0, 100.0),
    "calendar.extension.escalate_probability": ("escalate_probability", 0.0, 1.0),
    "dynamics.reciprocity_weight": ("reciprocity_weight", 0.0, 100.0),
    "drivers.fx.initial": ("fx_initial", lim.FX_LEVEL_MIN, lim.FX_LEVEL_MAX),
    "drivers.fx.reference": ("fx_reference", lim.FX_LEVEL_MIN, lim.FX_LEVEL_MAX),
    "drivers.fx.volatility": ("fx_volatility", 0.0, lim.FX_VOLATILITY_MAX),
    "drivers.stress.initial": ("stress_initial", 0.0, 1.0),
    "drivers.stress.mean": ("stress_mean", 0.0, 1.0),
    "drivers.stress.reversion": ("stress_reversion", 0.0, 1.0),
    "drivers.stress.volatility": ("stress_volatility", 0.0, lim.STRESS_VOLATILITY_MAX),
}


def override_paths(c: Compiled) -> list[str]:
    """List every path that ``apply_overrides`` accepts for this scenario."""
    paths = list(_GLOBAL_FIELDS)
    for p in c.party_keys:
        paths += [f"parties.{p}.{f}" for f in _PARTY_FIELDS]
        paths += [f"parties.{p}.{t}.{i}" for t in ("priorities", "ideal") for i in c.issue_keys]
        pi = c.party_keys.index(p)
        paths += [f"parties.{p}.strategy.{k}" for k in c.strategy_params[pi]]
    for s in c.side_keys:
        paths += [f"sides.{s}.{f}" for f in (*_SIDE_FIELDS, "rule")]
        paths += [
            f"sides.{s}.win_set.{i}.{b}"
            for i, issue in zip(c.issue_keys, c.scenario.issues, strict=True)
            if issue.pie is None
            for b in _BOUND_FIELDS
        ]
    return paths


def _values(path: str, value: Any, runs: int, lo: float, hi: float) -> Array:
    arr = np.asarray(value)
    if arr.dtype.kind not in "fiu":
        got = repr(value)[:40] if arr.ndim == 0 else f"values of type {arr.dtype.name}"
        raise ScenarioError("overrides", path, f"expected numbers, got {got}")
    arr = arr.astype(float).reshape(-1)
    if arr.size not in (1, runs):
        raise ScenarioError("overrides", path, f"has {arr.size} values for {runs} runs")
    if not np.all(np.isfinite(arr)):
        raise ScenarioError("overrides", path, "values must be finite")
    if np.any(arr < lo) or np.any(arr > hi):
        raise ScenarioError("overrides", path, f"values must lie in [{lo}, {hi}]")
    return arr


def _set_column(c: Compiled, name: str, index: tuple[int, ...], values: Array, runs: int) -> None:
    base = getattr(c, name)
    if base.shape[0] != runs:
        base = np.repeat(base, runs, axis=0) if base.shape[0] == 1 else base.copy()
    else:
        base = base.copy()
    base[(slice(None), *index)] = values
    setattr(c, name, base)


def apply_overrides(c: Compiled, overrides: Mapping[str, Any] | None, runs: int) -> Compiled:
    """Set per-run parameters from dotted scenario paths.

    A priority override rescales the party's other priorities so that they still sum to one.

    Args:
        c: The compiled scenario (changed in place and returned).
        overrides: Mapping of path to a scalar or a sequence of one value per run.
        runs: Number of runs R.

    Returns:
        The compiled scenario with (R, ...) arrays where overridden.

    Raises:
        ScenarioError: For an unknown path, a wrong count or a value out of range.
    """
    if not overrides:
        return c
    _apply(c, overrides, runs)
    if c.reservation_mode == "no_deal":
        c.reservation = nominal_reservation(c)
    return c


def _apply(c: Compiled, overrides: Mapping[str, Any], runs: int) -> None:
    # A starting bound carries its election value along, so explicit election values go last.
    ordered = sorted(overrides.items(), key=lambda kv: kv[0].endswith("_at_election"))
    for path, value in ordered:
        parts = path.split(".")
        if path in _GLOBAL_FIELDS:
            name, lo, hi = _GLOBAL_FIELDS[path]
            vals = _values(path, value, runs, lo, hi)
            setattr(c, name, np.broadcast_to(vals, (runs,)).copy())
        elif parts[0] == "parties" and len(parts) >= 3 and parts[1] in c.party_keys:
            _override_party(c, path, parts, value, runs)
        elif parts[0] == "sides" and len(parts) == 5 and parts[2] == "win_set":
            _override_bound(c, path, parts, value, runs)
        elif parts[0] == "sides" and len(parts) == 3 and parts[1] in c.side_keys:
            si = c.side_keys.index(parts[1])
            if parts[2] == "rule":
                codes = [RULES.index(v) if v in RULES else -1 for v in np.atleast_1d(value)]
                if -1 in codes:
                    raise ScenarioError(
                        "overrides", path, f"rule must be one of {', '.join(RULES)}"
                    )
                if "veto" in np.atleast_1d(value) and c.principal[si] < 0:
                    raise ScenarioError("overrides", path, "the veto rule needs a principal")
                _set_column(c, "rule", (si,), np.array(codes, dtype=float), runs)
                c.rule = c.rule.astype(np.intp)
            elif parts[2] in _SIDE_FIELDS:
                name, lo, hi = _SIDE_FIELDS[parts[2]]
                _set_column(c, name, (si,), _values(path, value, runs, lo, hi), runs)
            else:
                raise ScenarioError("overrides", path, "unknown path")
        else:
            raise ScenarioError("overrides", path, "unknown path")


_BOUND_FIELDS = {
    "min": ("bound_lo", 0),
    "max": ("bound_hi", 0),
    "min_at_election": ("bound_lo", 1),
    "max_at_election": ("bound_hi", 1),
}


def _override_bound(c: Compiled, path: str, parts: list[str], value: Any, runs: int) -> None:
    """Set a win-set bound; a starting bound carries its election value along by the same shift."""
    _, side, _, issue_key, which = parts
    if side not in c.side_keys or issue_key not in c.issue_keys or which not in _BOUND_FIELDS:
        raise ScenarioError("overrides", path, "unknown path")
    issue = c.scenario.issue(issue_key)
    if issue.pie is not None:
        raise ScenarioError("overrides", path, "a pie share cannot be bounded")
    vals = (_values(path, value, runs, issue.min, issue.max) - issue.min) / (issue.max - issue.min)
    name, stage = _BOUND_FIELDS[which]
    si, ii = c.side_keys.index(side), c.issue_keys.index(issue_key)
    old = getattr(c, name)[:, stage, si, ii]
    _set_column(c, name, (stage, si, ii), vals, runs)
    if stage == 0:
        moved = getattr(c, name)[:, 1, si, ii] + (vals - old)
        getattr(c, name)[:, 1, si, ii] = np.clip(moved, 0.0, 1.0)
    c.has_bounds = sides_with_bounds(c)


def _override_party(c: Compiled, path: str, parts: list[str], value: Any, runs: int) -> None:
    pi = c.party_keys.index(parts[1])
    if len(parts) == 3 and parts[2] in _PARTY_FIELDS:
        name, lo, hi = _PARTY_FIELDS[parts[2]]
        _set_column(c, name, (pi,), _values(path, value, runs, lo, hi), runs)
    elif len(parts) == 4 and parts[2] in ("priorities", "ideal") and parts[3] in c.issue_keys:
        ii = c.issue_keys.index(parts[3])
        if parts[2] == "ideal":
            issue = c.scenario.issue(parts[3])
            vals = _values(path, value, runs, issue.min, issue.max)
            _set_column(c, "ideal", (pi, ii), (vals - issue.min) / (issue.max - issue.min), runs)
            return
        vals = _values(path, value, runs, 0.0, 1.0)
        _set_column(c, "weights", (pi,), c.weights[:, pi], runs)
        w = c.weights
        others = total(w[:, pi]) - w[:, pi, ii]
        scale = np.divide(1.0 - vals, others, out=np.zeros_like(others), where=others > 0)
        w[:, pi] *= scale[:, None]
        w[:, pi, ii] = vals
        if np.any(others <= 0) and np.any(vals < 1):
            raise ScenarioError("overrides", path, "the party has no other priority to rescale")
    elif len(parts) == 4 and parts[2] == "strategy" and parts[3] in c.strategy_params[pi]:
        lo, hi = param_range(c.strategy_kinds[pi], parts[3])
        c.strategy_params[pi][parts[3]] = _values(path, value, runs, lo, hi)
    else:
        raise ScenarioError("overrides", path, "unknown path")
