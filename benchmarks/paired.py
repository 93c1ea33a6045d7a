"""The measurement ``bench_dynamics.py`` and ``bench_versions.py`` make of each variant.

Each measurement runs in a fresh process on one thread: the script runs itself with
``--child`` (``in_child``), and the child prints ``speed`` as one JSON line (``print_speed``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SINGLE_RUNS, SINGLE_WARMUP = 40, 5
ENSEMBLE_RUNS, ENSEMBLE_REPEATS = 10_000, 3


def speed(scenario: Any) -> dict[str, float]:
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


def in_child(args: list[str], cwd: Path | None = None, **env: str) -> dict[str, float]:
    """Run ``python ARGS`` on one thread, with ``env`` set, and read its last line as JSON."""
    env = dict(os.environ, **env, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
