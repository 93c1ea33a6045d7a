"""Speed of a single run and of an ensemble as the table grows: 4, 6, 8 and 12 parties.

The four-party table is the baseline (``june2025``); the larger ones extend it with more
parties (``tests/data/june2025_six.toml``, ``_eight``, ``_twelve``). Each size is measured in
a fresh process (this script with the hidden ``--child`` flag), so its first run also solves
its bargaining problem, as a first run in a notebook does. For each size:

- first run: one single run, collected and narrated, from construction to ``model.outcome``,
  the bargaining problem solved in it;
- single run: the median of further single runs (the problem already solved);
- ensemble: one ``run_ensemble`` of 1,000 runs (200 with ``--quick``), and its runs/s;
- how the bargaining metrics were computed (exact or approximate) and the peak memory.

Usage::

    python benchmarks/bench_parties.py           # 1,000-run ensembles, 5 single runs
    python benchmarks/bench_parties.py --quick   # 200-run ensembles, 2 single runs
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {
    4: "june2025",
    6: str(ROOT / "tests" / "data" / "june2025_six.toml"),
    8: str(ROOT / "tests" / "data" / "june2025_eight.toml"),
    12: str(ROOT / "tests" / "data" / "june2025_twelve.toml"),
}
FULL, QUICK = (1_000, 5), (200, 2)  # (ensemble runs, single runs)


def child(parties: int, runs: int, singles: int) -> None:
    """Measure one size and print one JSON line."""
    from model import NegotiationModel, run_ensemble

    scenario = SIZES[parties]

    def single(seed: int) -> tuple[float, str]:
        start = time.perf_counter()
        model = NegotiationModel(scenario, rng=seed)
        model.run_model()
        outcome = model.outcome
        model.release()
        assert outcome is not None
        return time.perf_counter() - start, outcome.bargaining

    first, accuracy = single(0)
    rest = [single(seed)[0] for seed in range(1, 1 + singles)]
    start = time.perf_counter()
    table = run_ensemble(scenario, seeds=range(10_000, 10_000 + runs))
    ensemble = time.perf_counter() - start
    print(
        json.dumps(
            {
                "parties": parties,
                "first_s": first,
                "single_s": statistics.median(rest),
                "ensemble_s": ensemble,
                "runs": runs,
                "deals": float((table["status"] == "deal").mean()),
                "bargaining": accuracy,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def measure(parties: int, runs: int, singles: int) -> dict[str, float]:
    """Run the child measurement in a fresh process."""
    args = [sys.executable, __file__, "--child", str(parties), str(runs), str(singles)]
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Measure every size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200-run ensembles, 2 single runs")
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    runs, singles = QUICK if args.quick else FULL
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, ", end="")
    print(f"Python {platform.python_version()}; ensembles of {runs:,} runs")
    header = (
        f"{'parties':>7}  {'first run':>9}  {'single run':>10}  {'ensemble':>9}  {'runs/s':>7}"
        f"  {'deals':>6}  {'bargaining':<11}  {'peak MB':>7}"
    )
    print(header)
    for parties in SIZES:
        r = measure(parties, runs, singles)
        print(
            f"{parties:>7}  {r['first_s']:>8.2f}s  {r['single_s']:>9.2f}s  {r['ensemble_s']:>8.2f}s"
            f"  {r['runs'] / r['ensemble_s']:>7,.0f}  {r['deals']:>6.1%}  {r['bargaining']:<11}"
            f"  {r['peak_mb']:>7.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
