"""The figures of ``negotiate theory``, and ``validation.md`` written with them.

Each check of ``experiments.theory`` computes its numbers; the function here of the same key
draws them. ``write_validation`` runs the checks, draws every figure into ``validation/`` and
writes the document that links them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from experiments.theory import run_checks, validation_markdown
from experiments.theory_checks import DAYS, Check
from viz.files import save_png

FIGURES = "validation"  # folder of figures, next to validation.md


def bilateral_figure(check: Check) -> Figure:
    """Party 1's share and the agreement time against its exponent: theory and model."""
    d = check.data
    fig = Figure(figsize=(9, 3.6))
    ax = fig.subplots(1, 2)
    ax[0].plot(d["e1"], d["theory_share"], "-", color="0.3", label="theory: 1 - t*^e1")
    ax[0].plot(d["e1"], d["model_share"], "o", ms=4, color="C0", label="model")
    ax[0].set(xscale="log", xlabel="exponent e1 (opponent e2 = 1)", ylabel="party 1's share")
    ax[1].plot(d["e1"], d["theory_t"], "-", color="0.3", label="theory: t*^e1 + t* = 1")
    ax[1].plot(d["e1"], d["model_t"], "o", ms=4, color="C1", label="model")
    ax[1].set(xscale="log", xlabel="exponent e1 (opponent e2 = 1)", ylabel="agreement time t")
    for a in ax:
        a.legend(frameon=False)
    fig.tight_layout()
    return fig


def nparty_figure(check: Check) -> Figure:
    """Agreement time against the number of parties, for each exponent: theory and model."""
    table = check.table
    fig = Figure(figsize=(5, 3.6))
    ax = fig.subplots()
    for k, e in enumerate((0.5, 1.0, 2.0)):
        sub = table[table["e"] == e]
        ns = np.linspace(2, 5, 50)
        ax.plot(ns, (1 - 1 / ns) ** (1 / e), "-", color=f"C{k}", alpha=0.6)
        ax.plot(sub["n"], sub["t (model)"], "o", color=f"C{k}", label=f"e = {e:g}")
    ax.set(xlabel="parties n", ylabel="agreement time t", title="lines: (1 - 1/n)^(1/e)")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def asymmetric_figure(check: Check) -> Figure:
    """Each party's aspiration over time in the three-party pie with exponents 1, 2 and 3."""
    d = check.data
    fig = Figure(figsize=(5, 3.6))
    ax = fig.subplots()
    t = np.linspace(0, 1, 200)
    for k, (e, th, mo) in enumerate(zip(d["exponents"], d["theory"], d["model"], strict=True)):
        ax.plot(t, 1 - t**e, "-", color=f"C{k}", alpha=0.6, label=f"party {k + 1}: 1 - t^{e:g}")
        ax.plot([d["t_star"]], [th], "x", color=f"C{k}", ms=8)
        ax.plot([d["t"]], [mo], "o", color=f"C{k}", ms=5)
    ax.axvline(d["t_star"], color="0.5", lw=0.8, ls=":")
    ax.set(
        xlabel="time t",
        ylabel="aspiration (share of the pie)",
        title="x: theory's shares at t*; o: the model's deal",
    )
    ax.legend(frameon=False, fontsize="small")
    fig.tight_layout()
    return fig


def frontier_figure(check: Check) -> Figure:
    """The frontier u2 = 1 - u1², the model's deals and the bargaining solutions on it."""
    sol, deals = check.data["solutions"], check.data["deals"]
    fig = Figure(figsize=(4.6, 4.2))
    ax = fig.subplots()
    u = np.linspace(0, 1, 200)
    ax.plot(u, 1 - u**2, "-", color="0.3", label="frontier u2 = 1 - u1²")
    ax.plot(
        deals["utility_p0"],
        deals["utility_p1"],
        ".",
        ms=2,
        alpha=0.3,
        color="C7",
        label="model deals (noisy reservations)",
    )
    marks = {
        "Nash": sol.nash,
        "Kalai–Smorodinsky": sol.kalai_smorodinsky,
        "egalitarian": sol.egalitarian,
        "max welfare": sol.max_welfare,
    }
    styles = {"Nash": "o", "Kalai–Smorodinsky": "D", "egalitarian": "s", "max welfare": "^"}
    for k, (name, p) in enumerate(marks.items()):
        if p is not None:  # hollow markers: Kalai–Smorodinsky and egalitarian coincide here
            ax.plot(
                *p.utility,
                styles[name],
                ms=10 - 2 * (k % 2),
                mfc="none",
                mew=2,
                color=f"C{k}",
                label=name,
            )
    ax.set(xlabel="u1 = sqrt(x)", ylabel="u2 = 1 - x", xlim=(0, 1.02), ylim=(0, 1.02))
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def zeuthen_figure(check: Check) -> Figure:
    """Each side's offers and their Nash products, day by day, in a Zeuthen negotiation."""
    trace = check.data["trace"]
    fig = Figure(figsize=(9, 3.6))
    ax = fig.subplots(1, 2)
    for k, side in enumerate(("p0", "p1")):
        seq = [t for t in trace if t["side"] == side]
        days = [t["day"] for t in seq]
        offers, nash = [t["offer"][0] for t in seq], [t["nash"] for t in seq]
        for a, values in zip(ax, (offers, nash), strict=True):
            a.plot(days, values, ".-", ms=3, color=f"C{k}", label=f"{side.upper()}'s offer")
    ax[0].axhline(0.6, color="0.3", ls="--", label="Nash share 0.6")
    ax[1].axhline(0.4 * 0.4, color="0.3", ls="--", label="Nash product 0.16")
    ax[0].set(
        xlabel="day", ylabel="share of party 1 in the offer", title="zeuthen_pie, d = (0.2, 0)"
    )
    ax[1].set(xlabel="day", ylabel="Nash product of the offer")
    for a in ax:
        a.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def boulware_figure(check: Check) -> Figure:
    """Party 1's share and the agreement time of the deals, for each of its exponents."""
    fig = Figure(figsize=(9, 3.4))
    ax = fig.subplots(1, 2)
    for k, (e1, deals) in enumerate(check.data["deals"].items()):
        ax[0].hist(
            deals["term_share_p0"],
            bins=40,
            range=(0, 1),
            histtype="step",
            color=f"C{k}",
            label=f"e1 = {e1:g}",
        )
        ax[1].hist(deals["day"] / DAYS, bins=40, range=(0, 1), histtype="step", color=f"C{k}")
    ax[0].set(xlabel="party 1's share, deals only", ylabel="runs")
    ax[1].set(xlabel="agreement time t", ylabel="runs")
    ax[0].legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def deadline_figure(check: Check) -> Figure:
    """When the deals fall, for each exponent, with the last tenth of the time shaded."""
    fig = Figure(figsize=(5.2, 3.6))
    ax = fig.subplots()
    for k, (e, t) in enumerate(check.data["times"].items()):
        ax.hist(t, bins=50, range=(0, 1), histtype="step", color=f"C{k}", label=f"e = {e:g}")
    ax.axvspan(0.9, 1.0, color="0.9", zorder=-1, label="last tenth")
    ax.set(xlabel="agreement time t", ylabel="deals")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def two_level_figure(check: Check) -> Figure:
    """Deal probability and the deals' mean tariff against Japan's cap on the tariff."""
    d = check.data
    caps, p, se, tariff = d["caps"], d["probability"], d["se"], d["tariff"]
    n = len(caps)
    fig = Figure(figsize=(9, 3.4))
    ax = fig.subplots(1, 2)
    ax[0].errorbar(caps, p[:n], yerr=2 * se[:n], fmt="o-", color="C0", label="farm access capped")
    ax[0].errorbar(
        [25.0], p[n:], yerr=2 * se[n:], fmt="s", mfc="none", color="C1", label="no win-set at all"
    )
    ax[0].set(xlabel="Japan's cap on the auto tariff (%) — 25: uncapped", ylabel="deal probability")
    ax[0].legend(fontsize="small")
    ax[1].plot(caps, tariff[:n], "o-", color="C3", label="farm access capped")
    ax[1].plot([25.0], tariff[n:], "s", mfc="none", color="C1", label="no win-set at all")
    ax[1].set(xlabel="Japan's cap on the auto tariff (%)", ylabel="mean tariff of the deals (%)")
    ax[1].legend(fontsize="small")
    fig.tight_layout()
    return fig


# The checks with a figure, by key; the Nash solution on a pie has none.
DRAW: dict[str, Callable[[Check], Figure]] = {
    "bilateral": bilateral_figure,
    "nparty": nparty_figure,
    "asymmetric": asymmetric_figure,
    "frontier": frontier_figure,
    "zeuthen": zeuthen_figure,
    "boulware": boulware_figure,
    "deadline": deadline_figure,
    "two_level": two_level_figure,
}


def write_validation(out: Path, runs: int = 2000, progress: bool = False) -> list[Check]:
    """Run every check and write ``out/validation.md`` and its figures, from scratch.

    Args:
        out: Folder of the document (its figures go to ``out/validation/``).
        runs: Runs per ensemble check.
        progress: Show a progress bar.

    Returns:
        The checks, in document order.
    """
    folder = out / FIGURES
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    checks = run_checks(runs, progress)
    figures = {}
    for check in checks:
        if check.key in DRAW:
            name = save_png(DRAW[check.key](check), folder / f"{check.key}.png")
            figures[check.key] = f"{FIGURES}/{name}"
    text = validation_markdown(checks, runs, figures)
    (out / "validation.md").write_text(text, encoding="utf-8")
    return checks
