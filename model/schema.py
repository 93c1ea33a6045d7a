"""The scenario file format: pydantic models for every table of a scenario TOML file.

Structure (types, ranges, unknown fields) is checked field by field; relations between fields
(keys that must exist, weights that must sum to one, dates in order) are checked by
``Scenario``'s validator, which names the offending field in its message. Every number has
bounds, generous but inside what the model can mean; each is explained in ``model.limits``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

import model.limits as lim
from model.strategy_specs import validate_strategy

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
IssueValue = Annotated[float, Field(ge=-lim.ISSUE_LIMIT, le=lim.ISSUE_LIMIT)]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
WEIGHT_TOLERANCE = 1e-6
# A narrated package names every issue on one line: seven short names of this length, each with
# its value, still fit in about two lines of a terminal.
SHORT_MAX = 24


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class Issue(_Strict):
    """One issue on the table, in its real unit.

    ``min`` and ``max`` lie within plus or minus 1e12 (``limits.ISSUE_LIMIT``), and the range
    is at least a billionth of its larger end's magnitude (``limits.MIN_RELATIVE_WIDTH``).
    ``short`` names the issue in the narration: a few words, at most ``SHORT_MAX`` characters,
    different from every other issue's; a file that leaves it out gets the key with spaces for
    underscores (used whole, however long the key).
    """

    key: Key
    label: str
    short: str = Field(
        description="A few words naming the issue in narrated lines (default: the key with "
        "spaces for underscores)."
    )
    unit: str
    min: IssueValue
    max: IssueValue
    no_deal: float = Field(
        description="The value that holds if the deadline passes without a deal: the threat."
    )
    in_force: float | None = Field(
        None,
        description="The value in force while the talks go on (default: no_deal); with "
        "dynamics.reservation = 'no_deal' a party weighs it against the threat.",
    )
    escalated: float | None = Field(
        None,
        description="The no-deal value after the side holding the deadline escalates "
        "(dynamics.deadline = 'threat'; default: no_deal).",
    )
    pie: Key | None = Field(
        None,
        description="Issues naming the same pie are shares of one whole: their values sum to 1.",
    )

    @model_validator(mode="before")
    @classmethod
    def _short_from_key(cls, data: Any) -> Any:
        """Fill in ``short`` from the key when a file leaves it out."""
        if isinstance(data, dict) and "short" not in data and isinstance(data.get("key"), str):
            return {**data, "short": data["key"].replace("_", " ")}
        return data

    @field_validator("short")
    @classmethod
    def _check_short(cls, value: str, info: ValidationInfo) -> str:
        """A short name is a few printable words on one line.

        The key's own spaced form is always accepted, so that a file with a long key and no
        ``short`` still loads.
        """
        if not value.strip():
            raise ValueError("must name the issue in a few words, not be blank")
        if not value.isprintable():
            raise ValueError("must be one line of printable text")
        key = info.data.get("key")
        if len(value) > SHORT_MAX and not (isinstance(key, str) and value == key.replace("_", " ")):
            raise ValueError(
                f"{value!r} is {len(value)} characters long; at most {SHORT_MAX} (a few words)"
            )
        return value


class ScheduledRound(_Strict):
    """A round of talks fixed in the calendar."""

    date: dt.date
    days: int = Field(1, ge=1, le=7)
    attendees: list[Key] | None = Field(None, description="Parties present; all when omitted.")
    note: str = ""


class Cadence(_Strict):
    """How rounds are generated after the last scheduled one.

    Gaps are at most a year (``limits.MAX_GAP_DAYS``) and rounds at most a month long
    (``limits.MAX_ROUND_DAYS``).
    """

    min_gap_days: int = Field(ge=1, le=lim.MAX_GAP_DAYS)
    max_gap_days: int = Field(ge=1, le=lim.MAX_GAP_DAYS)
    min_length_days: int = Field(1, ge=1, le=lim.MAX_ROUND_DAYS)
    max_length_days: int = Field(1, ge=1, le=lim.MAX_ROUND_DAYS)


class Extension(_Strict):
    """What happens when the deadline arrives without a deal.

    With ``dynamics.deadline = "fixed"`` the deadline moves once with ``probability``. With
    ``"threat"`` the side holding the deadline (``holder``) decides, up to ``max_extensions``
    times: it extends with a probability whose log-odds are those of ``probability`` plus
    ``gap_weight`` times how much closer the sides' packages are than ``gap_reference`` plus
    ``stress_weight`` times market stress; otherwise it escalates (harsher no-deal terms and a
    new deadline) with ``escalate_probability``, or else it imposes the no-deal terms.
    """

    probability: Unit
    days: int = Field(ge=0, le=365)
    holder: Key | None = None
    max_extensions: int = Field(1, ge=1, le=10)
    gap_weight: float = Field(0.0, ge=-100.0, le=100.0)
    gap_reference: Unit = 0.0
    stress_weight: float = Field(0.0, ge=-100.0, le=100.0)
    escalate_probability: Unit = 0.0


class Calendar(_Strict):
    """Dates of the negotiation: start, deadline, rounds and the extension rule.

    From the start to the deadline plus its longest extension (``max_extensions`` times
    ``days`` with ``dynamics.deadline = "threat"``, ``days`` otherwise), the talks run at
    most five years of days (``limits.MAX_CALENDAR_DAYS``): every run is stepped day by day.
    """

    start: dt.date
    deadline: dt.date
    opening_side: Key | None = None
    rounds: list[ScheduledRound] = []
    cadence: Cadence
    extension: Extension


class Effects(_Strict):
    """What a dated event does.

    ``urgency`` adds to the elapsed-time share of the named parties or sides (their clocks run
    faster from then on); ``absent`` takes parties away from the table; ``stress`` and ``fx`` are
    shocks to the market-stress index and to log USD/JPY; ``round`` makes the day a round.
    Shocks lie in [-1, 1], and the fx shocks of all events together within 10 in absolute
    value (``limits.FX_SHOCK_TOTAL``).
    """

    urgency: dict[Key, Annotated[float, Field(ge=-1.0, le=1.0)]] = {}
    absent: list[Key] = []
    stress: float = Field(0.0, ge=-lim.STRESS_SHOCK_MAX, le=lim.STRESS_SHOCK_MAX)
    fx: float = Field(0.0, ge=-lim.FX_SHOCK_MAX, le=lim.FX_SHOCK_MAX)
    round: bool = False
    off_table: list[Key] = Field(
        [],
        description="Issues taken off the table from this date (dynamics.agenda = 'dated'): "
        "they stay at their no-deal value until an event puts them back.",
    )
    on_table: list[Key] = Field([], description="Issues put back on the table from this date.")


class Event(_Strict):
    """A dated event acting on the parties.

    An event that begins before the calendar's start but ends on or after it is clipped to the
    calendar: it acts as if it began on the start day (its label, shocks, urgency and round
    fall on day 0; its absences run from day 0 to its end). An event wholly before the start,
    or after the last day the talks can run, changes nothing.
    """

    date: dt.date
    end: dt.date | None = None
    kind: Literal["summit", "talks_elsewhere", "tariff_step", "market", "other"]
    label: str
    effects: Effects = Effects()
    informational: bool = Field(
        False, description="Kept for the record: the event changes nothing in the model."
    )


class WinSetBound(_Strict):
    """A limit on one issue that a side's principals will ratify, in the issue's real unit.

    A bound moves linearly from its start value to its ``*_at_election`` value as the side's
    election approaches (scaled by the side's ``election_pressure``).
    """

    issue: Key
    min: float | None = None
    max: float | None = None
    min_at_election: float | None = None
    max_at_election: float | None = None
    floor: bool = Field(
        False,
        description="A principal's floor it will not cross, applied when dynamics.floors is "
        "'on' (otherwise ignored).",
    )
    sd: Annotated[float, Field(ge=0.0)] = Field(
        0.0,
        description="How far the principals' true limit may lie from the stated one, in the "
        "issue's unit: a normal step per run, the same for both ends and both dates, applied "
        "when dynamics.preferences is 'uncertain'. At most the issue's range.",
    )


class ElectionOutcome(_Strict):
    """One way a side's election can go, and what its principals will ratify afterwards."""

    label: str
    probability: Unit
    win_set: list[WinSetBound] = Field(
        [], description="The side's bounds after the election (issues not named: no bound)."
    )


class Side(_Strict):
    """A delegation: how it decides and what its principals will ratify."""

    name: str
    rule: Literal["unanimity", "majority", "veto"]
    threshold: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.5
    principal: Key | None = None
    lead: Key
    cohesion: Unit = 1.0
    election: dt.date | None = None
    election_pressure: float = Field(
        1.0,
        ge=0.0,
        le=lim.ELECTION_PRESSURE_MAX,
        description="How fast the win-set moves to its election values: 1 reaches them on "
        "election day, 0 never moves; at most 10 (limits.ELECTION_PRESSURE_MAX).",
    )
    win_set: list[WinSetBound] = []
    after_election: list[ElectionOutcome] = Field(
        [],
        description="How the election can go (dynamics.election = 'outcomes'): one is drawn "
        "per run, and its win-set holds from election day on.",
    )


class Strategy(_Strict):
    """A concession strategy and its parameters (see agents.strategies for the kinds)."""

    kind: str
    params: dict[str, float] = {}


class Party(_Strict):
    """A negotiator: side, clout, priorities, ideal point, reservation and strategy."""

    key: Key
    name: str
    side: Key
    role: str = ""
    clout: float = Field(
        1.0,
        ge=lim.CLOUT_MIN,
        le=lim.CLOUT_MAX,
        description="Weight within the side, from 0.001 to 1000 (limits.CLOUT_MIN, CLOUT_MAX).",
    )
    priorities: dict[Key, Unit]
    ideal: dict[Key, float]
    reservation: Unit | None = Field(
        None, description="Mean reservation utility (dynamics.reservation = 'drawn')."
    )
    reservation_sd: float = Field(
        0.0,
        ge=0.0,
        le=lim.RESERVATION_SD_MAX,
        description="Spread across runs of the reservation (or of the audience cost), at most 1.",
    )
    portfolio: list[Key] = Field(
        [],
        description="Issues the party answers for in its delegation (dynamics.hydra = "
        "'portfolios'): it can block a package that shortchanges it on them.",
    )
    audience_cost: Annotated[float, Field(ge=-1.0, le=1.0)] = Field(
        0.0,
        description="Utility above the no-deal terms the party needs to sign "
        "(dynamics.reservation = 'no_deal'): what signing costs it at home.",
    )
    priorities_sd: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.0,
        description="Spread across runs of each priority, as the sd of a log-normal factor "
        "(dynamics.preferences = 'uncertain'); priorities are renormalised to sum to one.",
    )
    ideal_sd: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.0,
        description="Spread across runs of the ideal point, as a share of each issue's range "
        "(dynamics.preferences = 'uncertain'; pie shares keep their stated ideal).",
    )
    stress_sensitivity: float = Field(
        0.0,
        ge=-lim.STRESS_SENSITIVITY_MAX,
        le=lim.STRESS_SENSITIVITY_MAX,
        description="Added to the party's elapsed share of time per unit of market stress; "
        "within plus or minus 10 (limits.STRESS_SENSITIVITY_MAX).",
    )
    fx_sensitivity: float = Field(
        0.0,
        ge=-lim.FX_SENSITIVITY_MAX,
        le=lim.FX_SENSITIVITY_MAX,
        description="How the salient issue's weight follows USD/JPY against its reference; "
        "within plus or minus 100 (limits.FX_SENSITIVITY_MAX).",
    )
    curvature: float = Field(
        1.0,
        ge=lim.CURVATURE_MIN,
        le=1.0,
        description="Exponent of the value of each issue: 1 linear, below 1 concave "
        "(risk-averse), at least 0.01 (limits.CURVATURE_MIN).",
    )
    strategy: Strategy


class FxDriver(_Strict):
    """USD/JPY: a log random walk whose level moves the salience of one issue (none by default).

    Levels lie in [1e-6, 1e6] (``limits.FX_LEVEL_MIN``, ``FX_LEVEL_MAX``).
    """

    initial: float = Field(1.0, ge=lim.FX_LEVEL_MIN, le=lim.FX_LEVEL_MAX)
    reference: float = Field(1.0, ge=lim.FX_LEVEL_MIN, le=lim.FX_LEVEL_MAX)
    volatility: float = Field(
        0.0,
        ge=0.0,
        le=lim.FX_VOLATILITY_MAX,
        description="Annualised volatility of log USD/JPY, at most 5 (limits.FX_VOLATILITY_MAX).",
    )
    salience_issue: Key | None = None


class StressDriver(_Strict):
    """Market stress in [0, 1]: mean-reverting, shocked by events, raising urgency."""

    initial: Unit = 0.0
    mean: Unit = 0.0
    reversion: Unit = 0.0
    volatility: float = Field(
        0.0,
        ge=0.0,
        le=lim.STRESS_VOLATILITY_MAX,
        description="Daily volatility of the stress index, at most 1.",
    )


class Dynamics(_Strict):
    """Switches of the model's mechanisms: each can be turned off to measure what it does.

    ``reservation``: "drawn" draws each party's reservation once per run; "no_deal" makes it
    the party's utility of what no deal means (the terms in force until the deadline, then the
    threat, over ``no_deal_horizon_days``) plus its audience cost, so it moves as the deadline
    nears, is extended or escalates. ``deadline``: "fixed" moves the deadline once with a fixed
    probability; "threat" lets the side holding it extend, escalate or impose by the state of
    the talks, and tactics then run against the new deadline. ``offers``: "ideal" builds each
    position by conceding toward the other sides' ideal points; "answer" builds it from the
    other sides' last offer (the package worth the aspiration nearest that offer, Faratin,
    Sierra and Jennings 2002), and a side's package never asks for less than the other side
    has offered; "uniform" concedes toward the other sides' ideal points the same share of the
    way on every issue at once (the rule that trade-off was compared with), trading nothing
    across issues. ``hydra``: "majority" lets a side decide by its rule alone; "portfolios" also
    lets each member block a package that gives it less than its aspiration on the issues of
    its portfolio, unless its side holds together (a draw below the side's cohesion).
    ``reciprocity_weight``: with offers that answer offers, how much more a party accommodates
    (in the weights of its trade-off) a member of another side for each unit of utility that
    member has conceded to it, read from the concession graph; 0 weighs members by clout alone.
    ``election``: "tighten" moves a side's win-set toward its election values and keeps them;
    "outcomes" also draws, per run, one of the side's ``after_election`` outcomes, whose
    win-set holds from election day on. ``agenda``: "open" keeps every issue on the table;
    "dated" applies the events' ``off_table`` and ``on_table`` effects (an issue off the table
    stays at its no-deal value). ``floors``: "on" applies the win-set bounds marked ``floor``.
    ``preferences``: "uncertain" draws each party's priorities and ideal point per run around
    the stated ones (``priorities_sd``, ``ideal_sd``). ``information``: "complete" lets a
    party weigh the other sides' issues by their true priorities and, answering offers, keep
    inside their true win-set limits; "beliefs" gives it beliefs, started from public
    information (the stated priorities, times a log-normal factor of log-sd ``belief_sd`` per
    run) and updated from the offers it sees: each issue a side keeps unchanged from one offer
    to the next gains ``belief_learning`` of weight before the belief is renormalised (a
    frequency opponent model). Its beliefs about the others' limits start from the stated ones
    (whatever each run drew around them) and are revised from their packages and refusals.
    ``bottom_lines``: "known" lets a party concede down to its reservation, as it would knowing
    the others' reservations; "private" makes each party's reservation its own secret, so it
    holds back from it: its aspiration stops a margin above its reservation, the margin of the
    linear equilibrium of Chatterjee and Samuelson (1983) for beliefs about the other sides'
    bottom lines spread as their ``reservation_sd`` (sqrt(3)/4 times that spread).
    ``engage``: "side" answers a whole side;
    "pivotal" lets a party, after each round, pick the member of another side it will court
    next (the one who still rejects its side's package and would give the most clout per unit
    of utility it lacks), meet that member alone between the dated meetings, and weigh its
    trade-offs by that member's priorities.
    """

    reservation: Literal["drawn", "no_deal"] = "drawn"
    deadline: Literal["fixed", "threat"] = "fixed"
    no_deal_horizon_days: int = Field(365, ge=1, le=3650)
    offers: Literal["ideal", "answer", "uniform"] = "ideal"
    hydra: Literal["majority", "portfolios"] = "majority"
    reciprocity_weight: Annotated[float, Field(ge=0.0, le=100.0)] = 0.0
    election: Literal["tighten", "outcomes"] = "tighten"
    agenda: Literal["open", "dated"] = "open"
    floors: Literal["off", "on"] = "off"
    preferences: Literal["stated", "uncertain"] = "stated"
    information: Literal["complete", "beliefs"] = "complete"
    bottom_lines: Literal["known", "private"] = "known"
    engage: Literal["side", "pivotal"] = "side"
    belief_sd: Annotated[float, Field(ge=0.0, le=2.0)] = 0.3
    belief_learning: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1


class Drivers(_Strict):
    """Exogenous drivers evolving every day (still, when a scenario leaves them out)."""

    fx: FxDriver = FxDriver()
    stress: StressDriver = StressDriver()


class Scenario(_Strict):
    """A whole negotiation: calendar, issues, sides, parties, events and drivers."""

    name: Key
    title: str
    description: str = ""
    calendar: Calendar
    issues: list[Issue]
    sides: dict[Key, Side]
    parties: list[Party]
    events: list[Event] = []
    drivers: Drivers = Drivers()
    dynamics: Dynamics = Dynamics()

    @model_validator(mode="after")
    def _check_relations(self) -> Scenario:
        check_relations(self)
        return self

    @property
    def issue_keys(self) -> list[str]:
        """Issue keys in file order."""
        return [i.key for i in self.issues]

    @property
    def party_keys(self) -> list[str]:
        """Party keys in file order."""
        return [p.key for p in self.parties]

    @property
    def side_keys(self) -> list[str]:
        """Side keys in file order."""
        return list(self.sides)

    def issue(self, key: str) -> Issue:
        """Return the issue with this key."""
        return next(i for i in self.issues if i.key == key)

    def party(self, key: str) -> Party:
        """Return the party with this key."""
        return next(p for p in self.parties if p.key == key)

    def members(self, side: str) -> list[Party]:
        """Return the parties on a side, in file order."""
        return [p for p in self.parties if p.side == side]


class RelationError(ValueError):
    """A failed cross-field check, carrying the dotted field path."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


def _unique(keys: list[str], where: str) -> None:
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise RelationError(where, f"duplicate key {k!r}")
        seen.add(k)


def _known(key: str, known: list[str], field: str, what: str) -> None:
    if key not in known:
        raise RelationError(field, f"unknown {what} {key!r} (known: {', '.join(known)})")


def _check_issues(s: Scenario) -> None:
    if not s.issues:
        raise RelationError("issues", "at least one issue is required")
    _unique(s.issue_keys, "issues")
    named: dict[str, str] = {}
    for issue in s.issues:
        # Told apart by a reader, so case and spacing do not make two names different.
        said = " ".join(issue.short.casefold().split())
        if said in named:
            raise RelationError(
                f"issues.{issue.key}.short",
                f"{issue.short!r} is already the short name of issue {named[said]!r}",
            )
        named[said] = issue.key
    for issue in s.issues:
        f = f"issues.{issue.key}"
        if not issue.max > issue.min:
            raise RelationError(f"{f}.max", f"max ({issue.max}) must exceed min ({issue.min})")
        if issue.max - issue.min < lim.MIN_RELATIVE_WIDTH * max(abs(issue.min), abs(issue.max)):
            raise RelationError(
                f"{f}.max",
                f"the range [{issue.min}, {issue.max}] is too narrow for its magnitude "
                f"(at least {lim.MIN_RELATIVE_WIDTH:g} of it)",
            )
        for name in ("no_deal", "in_force", "escalated"):
            value = getattr(issue, name)
            if value is not None and not issue.min <= value <= issue.max:
                raise RelationError(f"{f}.{name}", f"{value} is outside [{issue.min}, {issue.max}]")
    for pie, members in pies(s).items():
        if len(members) < 2:
            raise RelationError(f"issues.{members[0]}.pie", f"pie {pie!r} needs at least 2 issues")
        for k in members:
            issue = s.issue(k)
            if (issue.min, issue.max) != (0.0, 1.0):
                raise RelationError(f"issues.{k}.min", f"a share of pie {pie!r} must range 0 to 1")
        no_deal = sum(s.issue(k).no_deal for k in members)
        if no_deal > 1.0 + WEIGHT_TOLERANCE:
            raise RelationError(
                f"issues.{members[0]}.no_deal", f"pie {pie!r} shares sum to {no_deal:g} > 1"
            )


def pies(s: Scenario) -> dict[str, list[str]]:
    """The scenario's pies: each name with its issue keys in file order."""
    out: dict[str, list[str]] = {}
    for issue in s.issues:
        if issue.pie is not None:
            out.setdefault(issue.pie, []).append(issue.key)
    return out


def _check_pie_party(s: Scenario, p: Party, f: str) -> None:
    for pie, members in pies(s).items():
        share = sum(p.ideal[k] for k in members)
        if not math.isclose(share, 1.0, abs_tol=WEIGHT_TOLERANCE):
            raise RelationError(
                f"{f}.ideal.{members[0]}", f"ideal shares of pie {pie!r} sum to {share:g}, not 1"
            )
        if p.curvature != 1.0 and sum(p.priorities[k] > 0 for k in members) > 1:
            raise RelationError(
                f"{f}.curvature",
                f"a curved value needs a priority on one share of pie {pie!r} at most",
            )


def _check_party(s: Scenario, p: Party) -> None:
    f = f"parties.{p.key}"
    issues = s.issue_keys
    _known(p.side, s.side_keys, f"{f}.side", "side")
    for n, k in enumerate(p.portfolio):
        _known(k, issues, f"{f}.portfolio[{n}]", "issue")
    for table in ("priorities", "ideal"):
        values: dict[str, float] = getattr(p, table)
        for k in values:
            _known(k, issues, f"{f}.{table}.{k}", "issue")
        missing = [k for k in issues if k not in values]
        if missing:
            raise RelationError(f"{f}.{table}", f"missing issues: {', '.join(missing)}")
    total = sum(p.priorities.values())
    if not math.isclose(total, 1.0, abs_tol=WEIGHT_TOLERANCE):
        raise RelationError(f"{f}.priorities", f"weights sum to {total:g}, must sum to 1")
    for k, v in p.ideal.items():
        issue = s.issue(k)
        if not issue.min <= v <= issue.max:
            raise RelationError(f"{f}.ideal.{k}", f"{v} is outside [{issue.min}, {issue.max}]")
    _check_pie_party(s, p, f)
    problem = validate_strategy(p.strategy.kind, p.strategy.params)
    if problem:
        raise RelationError(f"{f}.strategy", problem)


def _check_side(s: Scenario, key: str, side: Side) -> None:
    f = f"sides.{key}"
    members = [p.key for p in s.members(key)]
    if not members:
        raise RelationError(f, "no party is on this side")
    _known(side.lead, members, f"{f}.lead", "member")
    if side.rule == "veto":
        if side.principal is None:
            raise RelationError(f"{f}.principal", "the veto rule needs a principal")
        _known(side.principal, members, f"{f}.principal", "member")
    for n, bound in enumerate(side.win_set):
        bf = f"{f}.win_set[{n}]"
        _known(bound.issue, s.issue_keys, f"{bf}.issue", "issue")
        issue = s.issue(bound.issue)
        if issue.pie is not None:
            raise RelationError(f"{bf}.issue", f"{issue.key} is a pie share and cannot be bounded")
        for name in ("min", "max", "min_at_election", "max_at_election"):
            v = getattr(bound, name)
            if v is not None and not issue.min <= v <= issue.max:
                raise RelationError(f"{bf}.{name}", f"{v} is outside [{issue.min}, {issue.max}]")
        if bound.min is None and bound.max is None:
            raise RelationError(bf, "a bound needs min or max")
        if bound.sd > issue.max - issue.min:
            raise RelationError(
                f"{bf}.sd", f"{bound.sd} is wider than the issue's range {issue.max - issue.min}"
            )
        if (bound.min_at_election is not None and bound.min is None) or (
            bound.max_at_election is not None and bound.max is None
        ):
            raise RelationError(bf, "an *_at_election value needs its starting bound")
    if (
        side.win_set
        and side.election is None
        and any(
            b.min_at_election is not None or b.max_at_election is not None for b in side.win_set
        )
    ):
        raise RelationError(f"{f}.election", "bounds that move by election need an election date")
    if side.after_election:
        if side.election is None:
            raise RelationError(f"{f}.election", "election outcomes need an election date")
        total = sum(o.probability for o in side.after_election)
        if not math.isclose(total, 1.0, abs_tol=WEIGHT_TOLERANCE):
            raise RelationError(
                f"{f}.after_election", f"probabilities sum to {total:g}, must sum to 1"
            )
        for n, outcome in enumerate(side.after_election):
            for m, bound in enumerate(outcome.win_set):
                bf = f"{f}.after_election[{n}].win_set[{m}]"
                _known(bound.issue, s.issue_keys, f"{bf}.issue", "issue")
                issue = s.issue(bound.issue)
                for name in ("min", "max"):
                    v = getattr(bound, name)
                    if v is not None and not issue.min <= v <= issue.max:
                        raise RelationError(
                            f"{bf}.{name}", f"{v} is outside [{issue.min}, {issue.max}]"
                        )
                if bound.sd > issue.max - issue.min:
                    raise RelationError(f"{bf}.sd", f"{bound.sd} is wider than the issue's range")


def _check_calendar(s: Scenario) -> None:
    c = s.calendar
    if c.deadline <= c.start:
        raise RelationError("calendar.deadline", f"{c.deadline} is not after start {c.start}")
    _check_length(s)
    if c.opening_side is not None:
        _known(c.opening_side, s.side_keys, "calendar.opening_side", "side")
    if c.cadence.max_gap_days < c.cadence.min_gap_days:
        raise RelationError("calendar.cadence.max_gap_days", "must be at least min_gap_days")
    if c.cadence.max_length_days < c.cadence.min_length_days:
        raise RelationError("calendar.cadence.max_length_days", "must be at least min_length_days")
    for n, r in enumerate(c.rounds):
        f = f"calendar.rounds[{n}]"
        if not c.start <= r.date <= c.deadline:
            raise RelationError(f"{f}.date", f"{r.date} is outside {c.start} .. {c.deadline}")
        for a in r.attendees or []:
            _known(a, s.party_keys, f"{f}.attendees", "party")
    for n, e in enumerate(s.events):
        f = f"events[{n}]"
        if e.end is not None and e.end < e.date:
            raise RelationError(f"{f}.end", f"{e.end} is before the event's date {e.date}")
        for k in e.effects.urgency:
            _known(k, s.party_keys + s.side_keys, f"{f}.effects.urgency.{k}", "party or side")
        for k in e.effects.absent:
            _known(k, s.party_keys, f"{f}.effects.absent", "party")
        for table in ("off_table", "on_table"):
            for k in getattr(e.effects, table):
                _known(k, s.issue_keys, f"{f}.effects.{table}", "issue")
    shocks = sum(abs(e.effects.fx) for e in s.events)
    if shocks > lim.FX_SHOCK_TOTAL:
        raise RelationError(
            "events", f"the fx shocks add up to {shocks:g}; at most {lim.FX_SHOCK_TOTAL:g} in all"
        )


def _check_length(s: Scenario) -> None:
    """The talks' longest run, from the start to the deadline and every extension, is capped."""
    c = s.calendar
    to_deadline = (c.deadline - c.start).days
    cap = lim.MAX_CALENDAR_DAYS
    if to_deadline > cap:
        raise RelationError(
            "calendar.deadline",
            f"the talks would run {to_deadline:,} days from {c.start}; at most {cap:,} "
            "(five years), as every run is stepped day by day",
        )
    extensions = c.extension.max_extensions if s.dynamics.deadline == "threat" else 1
    longest = to_deadline + extensions * c.extension.days
    if longest > cap:
        raise RelationError(
            "calendar.extension.days",
            f"with every extension the talks would run {longest:,} days; at most {cap:,} "
            "(five years), as every run is stepped day by day",
        )


def _check_dynamics(s: Scenario) -> None:
    if s.dynamics.reservation == "drawn":
        for p in s.parties:
            if p.reservation is None:
                raise RelationError(
                    f"parties.{p.key}.reservation",
                    "required when dynamics.reservation is 'drawn'",
                )
    holder = s.calendar.extension.holder
    if holder is not None:
        _known(holder, s.side_keys, "calendar.extension.holder", "side")
    elif s.dynamics.deadline == "threat":
        raise RelationError(
            "calendar.extension.holder", "required when dynamics.deadline is 'threat'"
        )


def check_relations(s: Scenario) -> None:
    """Check every relation between fields of a scenario.

    Args:
        s: A structurally valid scenario.

    Raises:
        RelationError: At the first failed check, naming the field.
    """
    _check_issues(s)
    _unique(s.party_keys, "parties")
    if len(s.sides) < 2:
        raise RelationError("sides", "a negotiation needs at least two sides")
    for p in s.parties:
        _check_party(s, p)
    for key, side in s.sides.items():
        _check_side(s, key, side)
    _check_calendar(s)
    _check_dynamics(s)
    fx_issue = s.drivers.fx.salience_issue
    if fx_issue is not None:
        _known(fx_issue, s.issue_keys, "drivers.fx.salience_issue", "issue")


def field_path(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Turn a pydantic error location into a dotted path, naming list items by their key.

    Args:
        loc: The error's location tuple.
        data: The raw document, to look up the ``key`` of list items.

    Returns:
        A path such as ``parties.bessent.priorities.currency``.
    """
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if item == "[key]":  # pydantic's marker for a bad dictionary key: the key itself says it
            continue
        if isinstance(item, str) and not item.replace("_", "a").replace("-", "a").isalnum():
            item = repr(item)  # keys with dots, spaces or newlines stay on one readable line
        if isinstance(item, int) and isinstance(node, list):
            entry = node[item] if item < len(node) else None
            key = entry.get("key") if isinstance(entry, dict) else None
            if isinstance(key, str) and key and parts and parts[-1] in ("parties", "issues"):
                parts.append(str(key))
            else:
                parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
            node = entry
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)
