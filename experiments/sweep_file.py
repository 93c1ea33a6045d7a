"""Sweep files: a scenario, the parameters to vary, a design, replicates and a master seed.

A sweep file is TOML::

    name = "cohesion_grid"
    scenario = "june2025"        # a bundled name, or a path relative to the sweep file
    seed = 20250709              # the master seed every run's seed derives from
    replicates = 500             # runs per design point
    common_seeds = true          # the same 500 seeds at every point (common random numbers)

    [design]
    kind = "grid"                # grid, monte_carlo, latin, sobol or morris

    [parameters]                 # scenario paths (see ``negotiate run --set``)
    "sides.us.cohesion" = { values = [0.2, 0.5, 0.8] }
    "calendar.extension.probability" = { range = [0.1, 0.7], steps = 4 }
    "parties.akazawa.strategy.exponent" = 2.0    # a constant

Parameters may also be written as nested tables (``[parameters.sides.us] cohesion = ...``).
Every problem is reported in one line naming the file and the field.

A sweep's size is checked before anything is allocated or written: at most
``MAX_DESIGN_POINTS`` design points and ``MAX_SWEEP_RUNS`` runs (points times replicates).
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.errors import ScenarioError, SweepError
from model.loading import load_scenario, parse_toml, read_text
from model.params import apply_overrides, compile_scenario
from model.schema import Scenario

DESIGNS = ("grid", "monte_carlo", "latin", "sobol", "morris")
SAMPLED = ("latin", "sobol", "morris")  # designs that need a range for every varied parameter
# The design table, and its samplers' work arrays, stay in memory: a million points is a
# grid of six parameters at ten values each, or a Sobol design of 2^16 samples of 14.
MAX_DESIGN_POINTS = 1_000_000
# Ten times the bundled million-run Monte Carlo. Every run's seed is drawn before the first
# chunk, and the analysis holds a row per run (about 300 bytes): 3 GB at the cap.
MAX_SWEEP_RUNS = 10_000_000
# Morris's method is used with 4 to 10 levels; a finer grid than this is no longer a grid the
# trajectories can visit (and SALib allocates one entry per level pair).
MAX_MORRIS_LEVELS = 100


class Parameter(BaseModel):
    """One swept parameter: a constant, a list of values, or a range.

    Attributes:
        path: Dotted scenario path.
        value: The constant, when neither values nor range is given.
        values: Values to take (grid: each; Monte Carlo: drawn uniformly).
        range: [low, high] for sampled designs (grid: with ``steps`` evenly spaced values).
        steps: Number of grid values over ``range``.
    """

    model_config = ConfigDict(extra="forbid")

    path: str
    value: float | str | None = None
    values: list[float] | list[str] | None = Field(default=None, min_length=1)
    range: tuple[float, float] | None = None
    steps: int | None = Field(default=None, ge=2, le=MAX_DESIGN_POINTS)

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        given = [k for k in ("value", "values", "range") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of a constant, values = [...] or range = [lo, hi]")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [low, high] with low < high, got {list(self.range)}")
        if self.steps is not None and self.range is None:
            raise ValueError("steps goes with range")
        return self

    @property
    def varied(self) -> bool:
        """Whether the parameter takes more than one value."""
        return self.value is None

    def grid_values(self) -> list[float] | list[str]:
        """The values a full grid takes."""
        if self.values is not None:
            return self.values
        if self.range is not None and self.steps is not None:
            lo, hi = self.range
            return [lo + (hi - lo) * k / (self.steps - 1) for k in range(self.steps)]
        return [self.value]  # type: ignore[list-item]

    def grid_size(self) -> int:
        """How many values a full grid takes, without listing them."""
        if self.values is not None:
            return len(self.values)
        return self.steps if self.range is not None and self.steps is not None else 1


class Design(BaseModel):
    """How design points are chosen.

    Attributes:
        kind: grid (every combination), monte_carlo (values and ranges drawn uniformly),
            latin (Latin hypercube), sobol (Saltelli's scheme for Sobol indices) or morris
            (elementary-effect trajectories).
        points: Monte Carlo and Latin: number of points; Sobol: base samples N (a power of
            two; the design has N(2D+2) points, N(D+2) without second order); Morris:
            trajectories (N(D+1) points). At most ``MAX_DESIGN_POINTS`` points in all.
        second_order: Sobol: also estimate second-order indices.
        levels: Morris: grid levels, 2 to ``MAX_MORRIS_LEVELS``.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["grid", "monte_carlo", "latin", "sobol", "morris"]
    points: int = Field(default=1, ge=1, le=MAX_DESIGN_POINTS)
    second_order: bool = False
    levels: int = Field(default=4, ge=2, le=MAX_MORRIS_LEVELS)

    @model_validator(mode="after")
    def _power_of_two(self) -> Design:
        if self.kind == "sobol" and self.points & (self.points - 1):
            raise ValueError(f"points must be a power of two for a Sobol design, got {self.points}")
        return self


class SweepSpec(BaseModel):
    """A validated sweep file.

    Attributes:
        name: Short name.
        description: One line for people.
        scenario: Bundled scenario name or path (relative to the sweep file).
        seed: Master seed.
        replicates: Runs per design point (points times replicates: at most
            ``MAX_SWEEP_RUNS``).
        common_seeds: Give every design point the same replicate seeds (common random
            numbers), so that differences between points come from the parameters, not from
            luck; otherwise every run has its own seed.
        design: The design.
        parameters: The parameters, in file order.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field(min_length=1)
    seed: int = Field(ge=0, lt=2**63)
    replicates: int = Field(default=1, ge=1, le=MAX_SWEEP_RUNS)
    common_seeds: bool = False
    design: Design
    parameters: list[Parameter] = Field(default_factory=list)

    @property
    def varied(self) -> list[Parameter]:
        """The parameters that take more than one value."""
        return [p for p in self.parameters if p.varied]

    @property
    def constants(self) -> dict[str, float | str]:
        """The parameters held fixed, by path."""
        return {p.path: p.value for p in self.parameters if not p.varied}  # type: ignore[misc]

    @property
    def points(self) -> int:
        """How many design points the design has (worked out, not sampled)."""
        varied, d = self.varied, self.design
        if not varied:
            return 1
        if d.kind == "grid":
            return math.prod(p.grid_size() for p in varied)
        if d.kind == "sobol":
            return d.points * (2 * len(varied) + 2 if d.second_order else len(varied) + 2)
        if d.kind == "morris":
            return d.points * (len(varied) + 1)
        return d.points


class Sweep(BaseModel):
    """A sweep file with its scenario loaded.

    Attributes:
        spec: The validated file.
        scenario: The scenario it runs.
        source: The sweep file's path (for messages).
        text: The file as written.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    spec: SweepSpec
    scenario: Scenario
    source: str
    text: str

    @property
    def digest(self) -> str:
        """A hash of what the sweep computes: its settings and its scenario's content."""
        doc = {
            "spec": self.spec.model_dump(mode="json", exclude={"name", "description"}),
            "scenario": self.scenario.model_dump(mode="json"),
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _flatten(table: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Parameters from a table whose keys are dotted paths or nested tables."""
    out: list[dict[str, Any]] = []
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and not {"values", "range", "steps", "value"} & set(value):
            out += _flatten(value, f"{path}.")
        elif isinstance(value, dict):
            out.append({"path": path, **value})
        else:
            out.append({"path": path, "value": value})
    return out


def parse_sweep(data: dict[str, Any], source: str) -> SweepSpec:
    """Validate a parsed sweep document.

    Args:
        data: The TOML document.
        source: Where it came from, for messages.

    Returns:
        The validated spec.

    Raises:
        SweepError: Naming the first bad field.
    """
    doc = dict(data)
    params = doc.get("parameters", {})
    if not isinstance(params, dict):
        raise SweepError(source, "parameters", "must be a table of scenario paths")
    flat = _flatten(params)
    doc["parameters"] = flat
    try:
        spec = SweepSpec.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] == "parameters" and isinstance(loc[1], int):
            # Name the parameter by its path, not its position.
            loc = ["parameters", flat[loc[1]]["path"], *loc[2:]]
            loc = [x for x in loc if not (isinstance(x, str) and x.startswith("function-"))]
        raise SweepError(source, ".".join(str(x) for x in loc), err["msg"]) from None
    seen: set[str] = set()
    for p in spec.parameters:
        if p.path in seen:
            raise SweepError(source, f"parameters.{p.path}", "given twice")
        seen.add(p.path)
    _check_design(spec, source)
    return spec


def _check_design(spec: SweepSpec, source: str) -> None:
    kind = spec.design.kind
    for p in spec.varied:
        where = f"parameters.{p.path}"
        if kind in SAMPLED and p.range is None:
            raise SweepError(source, where, f"a {kind} design needs range = [low, high]")
        if kind == "grid" and p.range is not None and p.steps is None:
            raise SweepError(source, where, "a grid needs steps with a range")
    if kind in SAMPLED and not spec.varied:
        raise SweepError(source, "design.kind", f"a {kind} design needs a parameter to vary")
    if kind in ("sobol", "morris") and len(spec.varied) < 2:
        raise SweepError(source, "design.kind", f"a {kind} design needs two or more ranges")
    if kind == "monte_carlo" and not spec.varied and spec.design.points != 1:
        raise SweepError(
            source, "design.points", "with nothing to vary, use replicates, not points"
        )
    _check_size(spec, source)


def _check_size(spec: SweepSpec, source: str) -> None:
    """Refuse a design too large to hold, before a point is sampled or a file written."""
    points = spec.points
    if points > MAX_DESIGN_POINTS:
        field = "parameters" if spec.design.kind == "grid" else "design.points"
        raise SweepError(
            source,
            field,
            f"the {spec.design.kind} design has {points:,} points; at most {MAX_DESIGN_POINTS:,}",
        )
    runs = points * spec.replicates
    if runs > MAX_SWEEP_RUNS:
        raise SweepError(
            source,
            "replicates",
            f"{points:,} points x {spec.replicates:,} replicates is {runs:,} runs; at most "
            f"{MAX_SWEEP_RUNS:,}",
        )


def _check_paths(spec: SweepSpec, scenario: Scenario, source: str) -> None:
    """Try each parameter's extreme values on the scenario: bad paths and values fail here."""
    for p in spec.parameters:
        if p.value is not None:
            trial: Any = p.value
        elif p.values is not None:
            trial = p.values
        else:
            trial = list(p.range)  # type: ignore[arg-type]
        n = len(trial) if isinstance(trial, list) else 1
        try:
            apply_overrides(compile_scenario(scenario), {p.path: trial}, n)
        except ScenarioError as exc:
            raise SweepError(source, f"parameters.{p.path}", exc.problem) from None


def load_sweep(path: str | Path) -> Sweep:
    """Read, validate and check a sweep file against its scenario.

    Args:
        path: The sweep file.

    Returns:
        The sweep.

    Raises:
        SweepError: For a missing or malformed file, a bad field, an unknown scenario path
            or a value outside what the scenario allows.
    """
    path = Path(path)
    source = str(path)
    text = read_text(path, source, SweepError)
    try:
        data = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise SweepError(source, "", f"not valid TOML ({exc})") from None
    spec = parse_sweep(data, source)
    scenario_path = path.parent / spec.scenario
    where = scenario_path if scenario_path.suffix == ".toml" else spec.scenario
    try:
        scenario = load_scenario(where)
    except ScenarioError as exc:
        problem = f"{exc.line()}"
        raise SweepError(source, "scenario", problem) from None
    _check_paths(spec, scenario, source)
    return Sweep(spec=spec, scenario=scenario, source=source, text=text)
