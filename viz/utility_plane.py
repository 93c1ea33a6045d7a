"""The utility plane of two sides: what each side gets, the frontier, Nash, Kalai–Smorodinsky.

A side's utility is the clout-weighted mean of its members' utilities, as the model scores a
package for a side. Every number comes from ``model.bargaining``: the frontier of the two
sides is traced by the same weighted-sum maximisation that finds the parties' frontier
(``Problem.best``), with each party weighted by its clout within its side; the Nash and
Kalai–Smorodinsky points are the parties' solutions, placed at their sides' utilities. With
one party per side this is exactly the textbook picture; with several, a solution of all the
parties may sit inside the frontier of the sides, which is itself a lesson about the hydra.

A run's plane puts no deal at the run's own reservations (``run_solutions``), the ones its
outcome table reports: drawn around the scenario's means, and with ``reservation = "no_deal"``
moving day by day. The Nash and Kalai–Smorodinsky points are solved from that no-deal point.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from model.bargaining import Problem, Solutions, problem_of, solutions_of
from viz.style import side_colour_of
from viz.timelines import daily_table, verdict

if TYPE_CHECKING:
    from model.negotiation import NegotiationModel

Array = npt.NDArray[np.float64]
SWEEP = 401  # weightings of the two sides traced along the frontier


def side_shares(model: NegotiationModel) -> Array:
    """(2, P) each party's clout share within its side (zero outside it), for run 0."""
    c = model.compiled
    clout = c.clout[0]
    member = c.member.astype(float)
    return member * clout[None, :] / (member @ clout)[:, None]


def run_solutions(model: NegotiationModel) -> Solutions:
    """The bargaining solutions of run 0 with no deal at the run's reservations as they stand.

    ``solutions_of(model.compiled)`` puts no deal at the scenario's mean reservations; a run
    draws its own, and may move them day by day.
    """
    run = dataclasses.replace(model.compiled, reservation=model.state.reservation[:1].copy())
    return solutions_of(run)


def side_frontier(model: NegotiationModel, solutions: Solutions | Problem) -> Array:
    """(F, 2) the Pareto frontier of the two sides' utilities, sorted along the first side.

    Args:
        model: The model.
        solutions: The solutions, or only the problem: the frontier does not depend on where
            no deal lies, so it needs no solving.
    """
    problem = solutions.problem if isinstance(solutions, Solutions) else solutions
    shares = side_shares(model)
    lam = np.linspace(0.0, 1.0, SWEEP)[:, None]
    directions = lam * shares[0][None, :] + (1.0 - lam) * shares[1][None, :]
    util, _ = problem.best(directions)
    points = np.unique(util @ shares.T, axis=0)
    keep = [
        i
        for i, p in enumerate(points)
        if not np.any(np.all(points >= p - 1e-12, axis=1) & np.any(points > p + 1e-12, axis=1))
    ]
    frontier = points[keep]
    return frontier[np.argsort(frontier[:, 0])]


def frame_axes(ax: Axes, model: NegotiationModel) -> Array:
    """The parts of the plane no reservation moves: the frontier, the axes and their labels.

    Args:
        ax: The axes.
        model: A model with exactly two sides.

    Returns:
        The (2, P) side shares, to place the points with ``plane_points`` and ``plane_path``.

    Raises:
        ValueError: When the scenario does not have exactly two sides.
    """
    sc = model.scenario
    if len(sc.side_keys) != 2:
        raise ValueError(f"the utility plane needs two sides; {sc.name} has {len(sc.side_keys)}")
    shares = side_shares(model)
    frontier = side_frontier(model, problem_of(model.compiled))
    ax.plot(frontier[:, 0], frontier[:, 1], color="#555555", linewidth=1.6, label="Pareto frontier")
    a, b = (sc.sides[k] for k in sc.side_keys)
    ax.set_xlabel(f"{a.name}: utility", color=side_colour_of(sc, sc.side_keys[0]))
    ax.set_ylabel(f"{b.name}: utility", color=side_colour_of(sc, sc.side_keys[1]))
    ax.set_xlim(0.0, 1.02)
    ax.set_ylim(0.0, 1.02)
    ax.set_aspect("equal")
    ax.grid(alpha=0.25)
    return shares


def plane_points(
    ax: Axes, shares: Array, solutions: Solutions, no_deal: str = "no deal (reservations)"
) -> list[Artist]:
    """The no-deal point (with its guide lines), Kalai–Smorodinsky and Nash; what was drawn.

    Args:
        ax: The axes.
        shares: The (2, P) side shares (``side_shares``).
        solutions: The solutions whose disagreement point is no deal.
        no_deal: The no-deal point's legend label.
    """
    d = shares @ solutions.problem.disagreement
    out: list[Artist] = [
        ax.axvline(d[0], color="#bbbbbb", linewidth=0.8, linestyle="--"),
        ax.axhline(d[1], color="#bbbbbb", linewidth=0.8, linestyle="--"),
        *ax.plot(*d, marker="X", color="black", markersize=8, linestyle="", label=no_deal),
    ]
    ks, nash = solutions.kalai_smorodinsky, solutions.nash
    if ks is not None:
        out += ax.plot(
            *(shares @ ks.utility),
            marker="D",
            markersize=10,
            linestyle="",
            zorder=4,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=1.4,
            label="Kalai–Smorodinsky",
        )
    if nash is not None:
        out += ax.plot(
            *(shares @ nash.utility),
            marker="*",
            markersize=13,
            linestyle="",
            zorder=5,
            color="#d4ac0d",
            markeredgecolor="black",
            label="Nash solution",
        )
    return out


def frame_plane(ax: Axes, model: NegotiationModel, solutions: Solutions | None = None) -> Array:
    """The still parts of the plane: frontier, no-deal point, Nash and KS, axes.

    Args:
        ax: The axes.
        model: A model with exactly two sides.
        solutions: Where no deal lies and the solutions from it; the scenario's (its mean
            reservations) when None, as for a plane shared by many runs.

    Returns:
        The (2, P) side shares, to place the moving parts with ``plane_path``.

    Raises:
        ValueError: When the scenario does not have exactly two sides.
    """
    shares = frame_axes(ax, model)
    if solutions is None:
        plane_points(
            ax, shares, solutions_of(model.compiled), "no deal (the scenario's reservations)"
        )
    else:
        plane_points(ax, shares, solutions, "no deal (this run's reservations)")
    return shares


def plane_path(
    ax: Axes, model: NegotiationModel, shares: Array, upto: int | None = None
) -> list[Artist]:
    """The moving parts of the plane: the path of the table and, once over, the outcome."""
    sc = model.scenario
    data = daily_table(model)
    if upto is not None:
        data = data[data["day"] <= upto]
    columns = [f"{p}.utility" for p in sc.party_keys]
    util = data[columns].to_numpy(dtype=float) @ shares.T
    tabled = ~np.isnan(util).any(axis=1)
    util = util[tabled]
    out: list[Artist] = []
    if len(util):
        changed = np.r_[True, np.any(np.abs(np.diff(util, axis=0)) > 1e-12, axis=1)]
        path = util[changed]
        out += ax.plot(path[:, 0], path[:, 1], color="#95a5a6", linewidth=0.9, alpha=0.8, zorder=2)
        # Dots darken with time, so the order of the packages reads without arrows.
        out.append(
            ax.scatter(
                path[:, 0],
                path[:, 1],
                c=np.linspace(0.15, 1.0, len(path)),
                cmap="Greys",
                vmin=0.0,
                vmax=1.0,
                s=22,
                edgecolors="#555555",
                linewidths=0.5,
                zorder=3,
                label="package on the table (light: early, dark: late)",
            )
        )
        start = sc.calendar.start + dt.timedelta(days=int(data.loc[tabled, "day"].iloc[0]))
        out.append(
            ax.annotate(
                f"first package, {start:%d %b}",
                path[0],
                xytext=(7, -9),  # below and right: the first package is often a corner
                textcoords="offset points",
                fontsize=7,
                color="#555555",
            )
        )
    o = model.outcome
    if o is not None and (upto is None or upto >= o.day):
        colour, label = ("#27ae60", "deal") if o.status == "deal" else ("#c0392b", "breakdown")
        end = shares @ np.array([o.utilities[p] for p in sc.party_keys])
        out += ax.plot(
            *end,
            marker="o",
            markersize=11,
            linestyle="",
            color=colour,
            zorder=6,
            markeredgecolor="black",
            label=f"{label} ({o.date:%d %b})",
        )
    return out


def draw_utility_plane(ax: Axes, model: NegotiationModel, upto: int | None = None) -> None:
    """Draw the plane of run 0: frontier, its no deal, Nash, KS and the path of the table.

    Args:
        ax: The axes.
        model: A single-run model with daily records and exactly two sides.
        upto: Last day of the path to draw (all when None).

    Raises:
        ValueError: When the scenario does not have exactly two sides.
    """
    plane_path(ax, model, frame_plane(ax, model, run_solutions(model)), upto)


def utility_plane_figure(model: NegotiationModel) -> Figure:
    """The utility plane of the two sides for run 0, with the bargaining solutions.

    Args:
        model: A single-run model with daily records and exactly two sides.

    Returns:
        The figure.

    Raises:
        ValueError: When the scenario does not have exactly two sides.
    """
    fig = Figure(figsize=(6.4, 6.0), layout="constrained")
    ax = fig.subplots()
    draw_utility_plane(ax, model)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    members = any(len(model.scenario.members(k)) > 1 for k in model.scenario.side_keys)
    note = " (a side: its members' clout-weighted utility)" if members else ""
    ax.set_title(f"Utility plane{note}", fontsize=9)
    fig.suptitle(
        f"{model.scenario.title} — seed {model.state.seeds[0]}, {verdict(model)}", fontsize=10
    )
    return fig
