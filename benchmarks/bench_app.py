"""How quickly the teaching app answers: a day of the Watch page's panels, and a comparison.

Measures, without a browser (what the server does before it sends a page):

1. the Watch page's four figure panels (concession graph, positions, utilities, utility
   plane): milliseconds to play a day and redraw each, median over the days of one baseline
   run after a few days' warm-up;
2. the Compare page's work for two settings of the baseline (the US cabinet as filed and at
   cohesion 1): both ensembles, their statistics with bootstrap intervals and the figure, at
   each run count the page offers;
3. the machine it ran on.

Usage::

    python benchmarks/bench_app.py            # a minute or two
    python benchmarks/bench_app.py --days 40 --runs 1000,5000
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings


def panel_times(days: int, warmup: int = 5) -> tuple[float, dict[str, float]]:
    """Median ms per day to step the model and to redraw each figure panel."""
    from viz.app import AppModel
    from viz.app_panels import live_graph, live_plane, live_positions, live_utilities

    model = AppModel("june2025", seed=0)
    panels = {
        "concession graph": live_graph(model),
        "positions": live_positions(model),
        "utilities": live_utilities(model),
        "utility plane": live_plane(model),
    }
    steps: list[float] = []
    drawn: dict[str, list[float]] = {name: [] for name in panels}
    for day in range(warmup + days):
        if not model.running:
            break
        start = time.perf_counter()
        model.step()
        took = time.perf_counter() - start
        if day >= warmup:
            steps.append(took)
        for name, panel in panels.items():
            if panel is None:
                continue
            start = time.perf_counter()
            panel.html()
            if day >= warmup:
                drawn[name].append(time.perf_counter() - start)
    return 1000 * statistics.median(steps), {
        name: 1000 * statistics.median(times) for name, times in drawn.items() if times
    }


def compare_seconds(runs: int, repeats: int = 2) -> float:
    """Best wall time of the Compare page's work for ``runs`` runs a side."""
    from viz.app_compare import run_comparison
    from viz.app_link import ComparisonInputs

    inputs = ComparisonInputs(values=({}, {"sides.us.cohesion": 1.0}), runs=runs)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run_comparison(inputs)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30, help="days of panels to time")
    parser.add_argument("--runs", default="500,1000,2000,5000", help="runs a side, comma-separated")
    args = parser.parse_args()
    # Importing Mesa's visualisation package warns about its own page; nothing to act on here.
    warnings.filterwarnings("ignore", message=".*use_state. found despite")
    step, panels = panel_times(args.days)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs")
    print(f"Watch page, median per day over {args.days} days of june2025 seed 0:")
    print(f"  play the day: {step:.1f} ms")
    for name, ms in panels.items():
        print(f"  redraw {name}: {ms:.1f} ms")
    print(f"  all four panels: {sum(panels.values()):.0f} ms")
    print("Compare page, baseline against US cohesion 1 (best of 2):")
    for runs in (int(r) for r in args.runs.split(",")):
        print(f"  {runs:,} runs a side: {compare_seconds(runs):.2f} s")


if __name__ == "__main__":
    main()
