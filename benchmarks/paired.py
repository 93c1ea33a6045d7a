"""How ``bench_dynamics.py`` and ``bench_versions.py`` measure two variants, in pairs.

Each measurement runs in a fresh process on one thread: the script runs itself with
``--child`` (``in_child``), and the child prints ``speed`` as one JSON line (``print_speed``).
The two variants run in turn, A B A B ... (``alternate``), so that the machine's drift hits
both alike.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SINGLE_RUNS, SINGLE_WARMUP = 40, 5
ENSEMBLE_RUNS, ENSEMBLE_REPEATS = 10_000, 3
Speed = dict[str, float]  # what ``speed`` measures: "bare_ms" and "runs_per_s"


def speed(scenario: Any) -> Speed:
    """The speed of the ``model`` package on the import path, running ``scenario``.

    Returns:
        ``bare_ms``: the median of ``SINGLE_RUNS`` bare single runs (no data collection, no
        narration), after ``SINGLE_WARMUP`` more; ``runs_per_s``: the median rate of
        ``ENSEMBLE_REPEATS`` ensembles of ``ENSEMBLE_RUNS`` runs, after one of 1,000.
    """
    from model import NegotiationModel, run_ensemble

    def single(seed: int) -> float:
        start = time.perf_counter()
        model = NegotiationModel(scenario, rng=seed, collect=False, narrate=False)
        while model.running:  # an earlier version may predate any other way to run
            model.step()
        model.release()
        return time.perf_counter() - start

    for seed in range(10**6, 10**6 + SINGLE_WARMUP):
        single(seed)
    bare_ms = 1e3 * statistics.median(single(seed) for seed in range(SINGLE_RUNS))
    run_ensemble(scenario, seeds=range(1_000))  # warm-up
    rates = []
    for k in range(ENSEMBLE_REPEATS):
        start = time.perf_counter()
        run_ensemble(scenario, seeds=range(k * ENSEMBLE_RUNS, (k + 1) * ENSEMBLE_RUNS))
        rates.append(ENSEMBLE_RUNS / (time.perf_counter() - start))
    return {"bare_ms": bare_ms, "runs_per_s": statistics.median(rates)}


def print_speed(scenario: Any) -> None:
    """Measure ``speed(scenario)`` and print it as one JSON line (a child's answer)."""
    print(json.dumps(speed(scenario)))


def in_child(args: list[str], cwd: Path | None = None, **env: str) -> Speed:
    """Run ``python ARGS`` on one thread, with ``env`` set, and read its last line as JSON."""
    env = dict(os.environ, **env, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def alternate(
    first: Callable[[], Speed], second: Callable[[], Speed], pairs: int, sep: str
) -> list[tuple[Speed, Speed]]:
    """Measure ``first`` then ``second``, ``pairs`` times in turn (A B A B ...).

    Each pair is printed on standard error as it comes, the two figures of a kind joined by
    ``sep``.
    """
    rows = []
    for pair in range(pairs):
        a, b = first(), second()
        rows.append((a, b))
        print(
            f"pair {pair + 1}: bare {a['bare_ms']:.2f} {sep} {b['bare_ms']:.2f} ms, "
            f"ensemble {a['runs_per_s']:,.0f} {sep} {b['runs_per_s']:,.0f} runs/s",
            file=sys.stderr,
        )
    return rows
