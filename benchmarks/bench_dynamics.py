"""Speed of the baseline with its `[dynamics]` switches off and on, in alternating pairs.

Times, in one process per measurement: the median of 40 bare single runs (no data collection,
no narration) and the median rate of three 10,000-run ensembles (runs/s; one core), for the
baseline with every switch of ``[dynamics]`` off (``SWITCHES_OFF``) and with them on, as the
baseline file sets them (the context in which ``negotiate mechanisms`` measures them). The two
alternate, A B A B ..., so that the machine's drift hits both alike.

Usage::

    python benchmarks/bench_dynamics.py            # 5 pairs
    python benchmarks/bench_dynamics.py --pairs 9
"""

from __future__ import annotations

import argparse
import statistics
import sys

from paired import ENSEMBLE_RUNS, alternate, in_child, print_speed

GOAL_SINGLE_MS, GOAL_RATE = 30.0, 10_000.0


def child(full: bool) -> None:
    """Measure one variant and print one JSON line."""
    from experiments.mechanisms import CONTEXT, SWITCHES_OFF
    from model.loading import parse_scenario

    patch = CONTEXT if full else SWITCHES_OFF
    print_speed(parse_scenario({"extends": "june2025", **patch}, "bench"))


def measure(full: bool) -> dict[str, float]:
    """Run the child measurement in a fresh process."""
    return in_child([__file__, "--child", "full" if full else "off"])


def main(argv: list[str] | None = None) -> int:
    """Measure both variants in alternating pairs and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="alternating pairs (5)")
    parser.add_argument("--child", choices=["off", "full"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child == "full")
        return 0
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    rows = alternate(lambda: measure(False), lambda: measure(True), args.pairs, "/")
    med = statistics.median
    single_full = med(f["bare_ms"] for _, f in rows)
    rate_full = med(f["runs_per_s"] for _, f in rows)
    print(f"{args.pairs} pairs, switches off / all on:")
    print(
        f"single bare run: {med(o['bare_ms'] for o, _ in rows):.2f} / {single_full:.2f} ms "
        f"(goal with the dynamics on: under {GOAL_SINGLE_MS:g} ms: "
        f"{'met' if single_full < GOAL_SINGLE_MS else 'not met'})"
    )
    print(
        f"ensemble of {ENSEMBLE_RUNS:,}: {med(o['runs_per_s'] for o, _ in rows):,.0f} / "
        f"{rate_full:,.0f} runs/s per core (goal with the dynamics on: at least "
        f"{GOAL_RATE:,.0f}: {'met' if rate_full >= GOAL_RATE else 'not met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
