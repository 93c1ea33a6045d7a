"""Speed of this checkout beside an earlier commit, measured in alternating pairs.

Times, for each version in a fresh process: the median of 40 bare single runs of the baseline
(no data collection, no narration) and the median rate of three 10,000-run ensembles (runs/s;
one core). The two versions run in turn, A B A B ..., so that the machine's drift hits both
alike, and each pair gives a difference (single run, ms) and a ratio (ensemble rate).

Usage::

    python benchmarks/bench_versions.py --before bca9cb1          # 5 pairs
    python benchmarks/bench_versions.py --before main~3 --pairs 9

The earlier commit is checked out into a temporary git worktree and imported from there with
this checkout's virtualenv, so both versions run on the same Python and libraries.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from paired import ENSEMBLE_RUNS, alternate, in_child, print_speed

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "june2025"


def child() -> None:
    """Measure the version on ``sys.path`` and print one JSON line."""
    print_speed(SCENARIO)


def measure(tree: Path) -> dict[str, float]:
    """Run the child measurement with ``tree`` first on the import path."""
    return in_child([str(Path(__file__).resolve()), "--child"], cwd=tree, PYTHONPATH=str(tree))


def main(argv: list[str] | None = None) -> int:
    """Measure both versions in alternating pairs and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="the earlier commit (any git revision)")
    parser.add_argument("--pairs", type=int, default=5, help="alternating pairs (5)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child()
        return 0
    if not args.before or args.pairs < 1:
        parser.error("--before REVISION is required and --pairs must be at least 1")
    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(before), args.before],
            cwd=REPO_ROOT,
            check=True,
        )
        try:
            rows = alternate(lambda: measure(before), lambda: measure(REPO_ROOT), args.pairs, "->")
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(before)], cwd=REPO_ROOT, check=True
            )
    diffs = [n["bare_ms"] - o["bare_ms"] for o, n in rows]
    ratios = [n["runs_per_s"] / o["runs_per_s"] for o, n in rows]
    med = statistics.median
    print(f"versions: {args.before} (before) and this checkout (after); {args.pairs} pairs")
    print(
        f"single bare run: {med(o['bare_ms'] for o, _ in rows):.2f} ms before, "
        f"{med(n['bare_ms'] for _, n in rows):.2f} ms after; "
        f"difference median {med(diffs):+.2f} ms (pairs: {', '.join(f'{d:+.2f}' for d in diffs)})"
    )
    print(
        f"ensemble of {ENSEMBLE_RUNS:,}: {med(o['runs_per_s'] for o, _ in rows):,.0f} runs/s "
        f"before, {med(n['runs_per_s'] for _, n in rows):,.0f} after; ratio median "
        f"{med(ratios):.3f} (pairs: {', '.join(f'{r:.3f}' for r in ratios)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
