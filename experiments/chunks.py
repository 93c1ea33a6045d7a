"""Large ensembles in chunks: each chunk is one call of the engine, so memory stays bounded.

``chunk_bounds`` splits a run count into contiguous blocks; the sweep runner numbers its chunk
files by them, and ``run_in_chunks`` runs an ensemble of consecutive seeds block by block,
with a progress bar that advances a block at a time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the engine (Mesa, pandas) is imported when an ensemble runs
    import pandas as pd

    from model.schema import Scenario

CHUNK = 10_000  # runs per ensemble call: bounds memory and paces the progress bar


def chunk_bounds(total: int, size: int) -> Iterator[tuple[int, int]]:
    """Split runs ``0..total-1`` into blocks of ``size`` (the last may be shorter).

    Args:
        total: Runs in all.
        size: Runs per block.

    Yields:
        ``(start, stop)`` of each block, in order; block k starts at ``k * size``.
    """
    for start in range(0, total, size):
        yield start, min(start + size, total)


def run_in_chunks(
    scenario: str | Path | Scenario,
    seed: int,
    runs: int,
    *,
    overrides: Mapping[str, Any] | None = None,
    progress: bool = False,
    label: str = "ensemble",
    chunk: int = CHUNK,
) -> pd.DataFrame:
    """Run seeds ``seed, seed+1, …, seed+runs-1`` as one ensemble table, a chunk at a time.

    The table equals ``run_ensemble`` of all the seeds at once: every run depends only on its
    own seed.

    Args:
        scenario: A bundled name, a path, or a Scenario.
        seed: The first seed.
        runs: Number of runs.
        overrides: Parameters by scenario path, the same for every run (None: none).
        progress: Show a progress bar on standard error.
        label: The progress bar's description.
        chunk: Runs per engine call.

    Returns:
        One row per run, in seed order.
    """
    import numpy as np
    import pandas as pd
    from tqdm.auto import tqdm

    from model.ensemble import run_ensemble

    parts = []
    with tqdm(total=runs, unit="run", disable=not progress, desc=label, leave=False) as bar:
        for start, stop in chunk_bounds(runs, chunk):
            if start:
                # The last chunk's model lingers in reference cycles that the collector,
                # seeing few new Python objects, seldom visits: without this the process grows
                # by a chunk's working set (30 MB a chunk) instead of reusing it.
                gc.collect()
            seeds = np.arange(seed + start, seed + stop, dtype=np.uint64)
            parts.append(run_ensemble(scenario, seeds, overrides=overrides or None))
            bar.update(stop - start)
    return pd.concat(parts, ignore_index=True)
