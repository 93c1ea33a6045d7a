"""``negotiate sweep``: run a sweep file into a store folder, resuming whatever is missing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.chunk_files import write_chunk
from experiments.chunks import chunk_bounds
from experiments.design import design_points, sweep_seeds
from experiments.io import check_out_folder, make_out_folder
from experiments.runner import (
    ChunkRows,
    ChunkTask,
    check_scheduler,
    default_workers,
    run_dask,
    run_local,
    warm,
)
from experiments.store import (
    DESIGN,
    MANIFEST,
    RUNS,
    SEED_SCHEME,
    SERIES,
    chunk_ids,
    chunk_path,
    git_commit,
    now,
    open_store,
    quarantine,
    series_path,
    survey,
    versions,
    write_manifest,
    write_parquet,
    write_scenario,
    writer_lock,
)
from experiments.sweep_file import Sweep
from model.errors import EnvironmentFailure, StoreError

# Runs per chunk: two workers' working sets of 5,000 runs fit a shared 32 MiB cache together,
# where 10,000-run chunks slow each other by about 10% (docs/performance.md).
CHUNK_SIZE = 5_000


@dataclass(frozen=True)
class SweepResult:
    """What a sweep call did.

    Attributes:
        runs: Runs in the sweep.
        ran: Runs run by this call (the rest were stored already).
        failed: Runs of this call that failed.
        quarantined: Files set aside because they failed their check (their chunks ran
            again).
        seconds: Wall time of this call.
        setup_seconds: Part of it spent before the first run: preparing the store, loading
            the engine and solving the scenario's bargaining problem.
    """

    runs: int
    ran: int
    failed: int
    seconds: float
    setup_seconds: float = 0.0
    quarantined: int = 0


def _series_runs(total: int, n: int) -> list[int]:
    """N run ids spread evenly over the sweep."""
    if n <= 0:
        return []
    return sorted({int(x) for x in np.linspace(0, total - 1, min(n, total)).round()})


def prepare_store(
    sweep: Sweep, out: Path, chunk_size: int, series: int, design: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Create the store, or check that an existing one holds this very sweep.

    Args:
        sweep: The sweep.
        out: The store folder (created if need be).
        chunk_size: Runs per chunk of a new store.
        series: Runs whose daily series a new store keeps.
        design: The sweep's design points, if already worked out.

    Raises:
        StoreError: When the folder holds another sweep, or chunks without a manifest.
    """
    check_out_folder(out)
    if (out / MANIFEST).exists():
        stored = open_store(out)
        manifest = stored.manifest
        if manifest.get("digest") != sweep.digest:
            raise StoreError(
                str(out),
                "",
                "holds another sweep (or another version of its scenario): "
                "choose a new --out folder",
            )
        return manifest
    leftovers = [p for folder in (RUNS, SERIES) for p in (out / folder).glob("*.parquet")]
    if leftovers:
        raise StoreError(
            str(out),
            "",
            "holds stored runs but no manifest.json, so nothing says which sweep they belong "
            "to: choose a new --out folder",
        )
    design = design_points(sweep.spec) if design is None else design
    total = len(design) * sweep.spec.replicates
    manifest = {
        "sweep": sweep.spec.name,
        "description": sweep.spec.description,
        "sweep_file": sweep.source,
        "sweep_text": sweep.text,
        "digest": sweep.digest,
        "scenario": sweep.scenario.name,
        "master_seed": sweep.spec.seed,
        "seed_scheme": SEED_SCHEME
        + ("; common seeds: word r % replicates" if sweep.spec.common_seeds else ""),
        "common_seeds": sweep.spec.common_seeds,
        "design": sweep.spec.design.model_dump(),
        "parameters": [p.model_dump(exclude_none=True) for p in sweep.spec.parameters],
        "points": len(design),
        "replicates": sweep.spec.replicates,
        "runs": total,
        "chunk_size": chunk_size,
        "series_runs": _series_runs(total, series),
        "versions": versions(),
        "git_commit": git_commit(),
        "created": now(),
        "finished": None,
    }
    make_out_folder(out)
    write_scenario(out, sweep.scenario)
    write_parquet(out / DESIGN, design)
    write_manifest(out, manifest)  # last: a folder with a manifest is complete to start from
    return manifest


def plan(
    sweep: Sweep, manifest: dict[str, Any], design: pd.DataFrame, done: set[int]
) -> list[ChunkTask]:
    """The tasks of the chunks not in ``done``."""
    total, size, reps = manifest["runs"], manifest["chunk_size"], manifest["replicates"]
    todo = [(k, b) for k, b in enumerate(chunk_bounds(total, size)) if k not in done]
    if not todo:
        return []
    seeds = sweep_seeds(sweep.spec, total)
    series = manifest["series_runs"]
    scenario = sweep.scenario.model_dump(mode="json")
    tasks = []
    for k, (start, stop) in todo:
        first, last = start // reps, (stop - 1) // reps
        tasks.append(
            ChunkTask(
                chunk=k,
                start=start,
                seeds=seeds[start:stop].copy(),
                replicates=reps,
                points=design.iloc[first : last + 1].reset_index(drop=True),
                constants=sweep.spec.constants,
                series=tuple(r for r in series if start <= r < stop),
                scenario=scenario,
            )
        )
    return tasks


def run_sweep(
    sweep: Sweep,
    out: Path,
    *,
    workers: int | None = None,
    dask: bool = False,
    scheduler: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    series: int = 0,
    progress: bool = False,
) -> SweepResult:
    """Run (or complete) a sweep into a store folder.

    Args:
        sweep: The loaded sweep file.
        out: The store folder; if it holds this sweep already, only missing chunks run.
        workers: Local processes (or local Dask workers); default: every available core.
        dask: Run on Dask (a local cluster unless ``scheduler`` is given).
        scheduler: Address of a Dask scheduler (implies ``dask``).
        chunk_size: Runs per chunk (a new store only; an existing one keeps its own).
        series: Keep the daily series of this many runs, spread over the sweep.
        progress: Show a progress bar (runs done, rate, time left).

    Returns:
        What the call did.
    """
    from tqdm.auto import tqdm

    began = time.perf_counter()
    out = out.resolve()  # the client alone writes, at one place whatever its workers' folders
    n_workers = workers or default_workers()
    if scheduler:
        check_scheduler(scheduler)
    check_out_folder(out)
    design = None if (out / MANIFEST).exists() else design_points(sweep.spec)  # before writing
    make_out_folder(out)
    with writer_lock(out):
        manifest = prepare_store(sweep, out, chunk_size, series, design)
        stored = open_store(out)
        found = survey(out, manifest)
        for path, why in found.bad:
            quarantine(out, path, why)
        tasks = plan(sweep, manifest, stored.design, found.good)
        ran = sum(len(t.seeds) for t in tasks)
        local = bool(tasks) and not (dask or scheduler)
        if local:
            warm(tasks[0])
        setup = time.perf_counter() - began
        failed = 0
        total = manifest["runs"]
        ids = chunk_ids(manifest)
        tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked from this one
        with tqdm(
            total=total,
            initial=total - ran,
            unit="run",
            disable=not progress,
            desc=sweep.spec.name,
            mininterval=0.5,
        ) as bar:

            def store(done: ChunkRows) -> None:
                nonlocal failed
                store_chunk(out, done, ids)
                report = done.report()
                failed += report.failed
                bar.update(report.runs)

            if local:
                run_local(tasks, n_workers, store)
            elif tasks:
                run_dask(tasks, n_workers, scheduler, store)
        _check_complete(out, manifest)
        if tasks or found.bad or manifest.get("finished") is None:
            manifest = open_store(out).manifest | {"finished": now()}
            write_manifest(out, manifest)
    return SweepResult(
        runs=total,
        ran=ran,
        failed=failed,
        seconds=time.perf_counter() - began,
        setup_seconds=setup,
        quarantined=len(found.bad),
    )


def store_chunk(out: Path, done: ChunkRows, ids: list[Any]) -> None:
    """Write a chunk's series, then its rows (last: a chunk whose file exists is complete).

    Raises:
        EnvironmentFailure: When the disk refuses the write (full, gone read-only).
    """
    try:
        for run, frame in done.series.items():
            write_parquet(series_path(out, run), frame)
        write_chunk(chunk_path(out, done.task.chunk), done.rows, ids[done.task.chunk])
    except OSError as exc:
        problem = (
            f"cannot write chunk {done.task.chunk} ({exc.strerror or type(exc).__name__}); "
            "what was stored stays stored: free the disk and run the same command again"
        )
        raise EnvironmentFailure(str(out), problem) from None


def _check_complete(out: Path, manifest: dict[str, Any]) -> None:
    """Check that every run of the sweep is stored exactly once before calling it finished.

    Raises:
        EnvironmentFailure: When a chunk is missing or fails its check after the run.
    """
    found = survey(out, manifest)
    missing = len(chunk_ids(manifest)) - len(found.good)
    if missing or found.bad:
        problem = (
            f"{missing} of {len(chunk_ids(manifest))} chunks are missing or fail their check "
            "after the run: the sweep is not finished; run the same command again"
        )
        raise EnvironmentFailure(str(out), problem)
