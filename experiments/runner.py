"""Running a sweep: chunks of runs, each one ensemble of the core engine, on processes or Dask.

A chunk is a contiguous block of run ids. Its worker builds the per-run overrides from the
design, runs them as one ensemble, and sends the rows (and any sampled daily series) back to
the client, which alone writes the store: a worker needs no path and no shared filesystem.
A chunk in which some run fails is split in halves until the failing runs stand alone; they
are recorded with status ``error`` and their message, and the others run as usual.

Local workers die with the process that started them (Linux), so a killed sweep leaves none.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from experiments.allocator import keep_freed_memory
from experiments.design import PARAM_PREFIX
from model.errors import ArgumentError, EnvironmentFailure
from model.schema import Scenario

ERROR = "error"


@dataclass(frozen=True)
class ChunkTask:
    """What a worker needs to run one chunk.

    Attributes:
        chunk: Chunk number.
        start: First run id.
        seeds: Seeds of the chunk's runs.
        replicates: Runs per design point.
        points: The design rows the chunk's runs use (``point`` and ``param.*`` columns).
        constants: Parameters held fixed, by path.
        series: Run ids of the chunk whose daily series is kept.
        scenario: The scenario (as a JSON-ready dict, cheap to send to workers).
    """

    chunk: int
    start: int
    seeds: npt.NDArray[np.uint64]
    replicates: int
    points: pd.DataFrame
    constants: dict[str, Any]
    series: tuple[int, ...]
    scenario: dict[str, Any]


@dataclass(frozen=True)
class ChunkDone:
    """A chunk's report: its number, runs, failed runs and seconds."""

    chunk: int
    runs: int
    failed: int
    seconds: float


@dataclass(frozen=True)
class ChunkRows:
    """What a worker sends back: a chunk's rows and its sampled runs' daily series.

    Attributes:
        task: The chunk it ran.
        rows: One row per run, in run order.
        series: The daily series of the chunk's sampled runs, by run id.
        seconds: Time the worker spent on it.
    """

    task: ChunkTask
    rows: pd.DataFrame
    series: dict[int, pd.DataFrame]
    seconds: float

    def report(self) -> ChunkDone:
        """The chunk's report."""
        failed = int((self.rows["status"] == ERROR).sum())
        return ChunkDone(self.task.chunk, len(self.rows), failed, self.seconds)


_SCENARIOS: dict[str, Scenario] = {}


def _scenario(doc: dict[str, Any]) -> Scenario:
    """The scenario of a task, validated once per worker process."""
    key = doc["name"] + str(hash(repr(doc)))
    if key not in _SCENARIOS:
        _SCENARIOS.clear()
        _SCENARIOS[key] = Scenario.model_validate(doc)
    return _SCENARIOS[key]


def _overrides(task: ChunkTask, lo: int, hi: int) -> dict[str, Any]:
    """Per-run values of runs ``task.start + lo`` to ``task.start + hi - 1``."""
    out: dict[str, Any] = dict(task.constants)
    if len(task.points.columns) > 1:
        point = (np.arange(task.start + lo, task.start + hi) // task.replicates).astype(np.int64)
        rows = task.points.set_index("point").loc[point]
        for col in rows.columns:
            values = rows[col].to_numpy()
            out[col[len(PARAM_PREFIX) :]] = values.tolist() if values.dtype == object else values
    return out


def _run_block(task: ChunkTask, lo: int, hi: int) -> list[pd.DataFrame]:
    """Rows of the chunk's runs lo..hi-1, splitting the block around any failing run."""
    from model.ensemble import run_ensemble

    try:
        table = run_ensemble(_scenario(task.scenario), task.seeds[lo:hi], _overrides(task, lo, hi))
        table.insert(0, "error", pd.Series([None] * (hi - lo), dtype=object))
        return [table]
    except Exception as exc:  # any failure of a run is data about that run
        if hi - lo == 1:
            row = {"seed": task.seeds[lo], "status": ERROR, "error": f"{type(exc).__name__}: {exc}"}
            return [pd.DataFrame([row])]
        mid = (lo + hi) // 2
        return _run_block(task, lo, mid) + _run_block(task, mid, hi)


def _series_frame(task: ChunkTask, run: int) -> pd.DataFrame:
    from model.negotiation import NegotiationModel

    i = run - task.start
    model = NegotiationModel(
        _scenario(task.scenario),
        rng=int(task.seeds[i]),
        overrides=_overrides(task, i, i + 1),
        collect=True,
        narrate=False,
    )
    model.run_model()
    frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    model.release()
    frame.insert(0, "run", run)
    return frame


def _series(task: ChunkTask) -> dict[int, pd.DataFrame]:
    frames = {}
    for run in task.series:
        try:
            frames[run] = _series_frame(task, run)
        except Exception:  # a failing run has no series; its row says why
            continue
    return frames


def run_chunk(task: ChunkTask) -> ChunkRows:
    """Run one chunk: its rows and its sampled runs' series, for the client to store.

    Args:
        task: The chunk.

    Returns:
        Its rows.
    """
    began = time.perf_counter()
    n = len(task.seeds)
    table = pd.concat(_run_block(task, 0, n), ignore_index=True)
    run = np.arange(task.start, task.start + n, dtype=np.int64)
    point = run // task.replicates
    head = pd.DataFrame({"run": run, "point": point, "replicate": run % task.replicates})
    params = task.points.set_index("point").loc[point].reset_index(drop=True)
    for path, value in task.constants.items():
        params[PARAM_PREFIX + path] = value
    rest = table.drop(columns=["seed", "status", "error"])
    core = pd.DataFrame(
        {
            "seed": table["seed"].astype(np.uint64),
            "status": table["status"].astype(str),
            "error": table["error"].astype("string"),
        }
    )
    rows = pd.concat([head, params, core, rest], axis=1)
    return ChunkRows(task, rows, _series(task), time.perf_counter() - began)


Store = Callable[[ChunkRows], None]


def start_method() -> str:
    """How local workers start: forked where the platform can, else spawned.

    Forked workers begin with this process's imports instead of paying for them again. Tasks
    are plain picklable data and the worker a module-level function, so both give the same
    rows.
    """
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def run_local(
    tasks: list[ChunkTask], workers: int, store: Store, method: str | None = None
) -> None:
    """Run chunks on local processes.

    One worker runs them in this process. With more, at most twice as many chunks as workers
    are in flight, so memory stays bounded whatever the sweep's size.

    Args:
        tasks: The chunks.
        workers: Processes.
        store: Called in this process with each finished chunk's rows.
        method: Start method of the processes (default: ``start_method()``).
    """
    if workers == 1:
        for task in tasks:
            store(run_chunk(task))
        return
    method = method or start_method()
    if method == "fork":
        warm(tasks[0])
        # Objects inherited from the parent stay out of the children's collections, so the
        # children do not copy the pages that hold them (see gc.freeze).
        gc.freeze()
    ctx = multiprocessing.get_context(method)
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_start_worker, initargs=(os.getpid(),)
        ) as pool:
            for done in _bounded(pool.submit, tasks, 2 * workers):
                store(done)
    finally:
        gc.unfreeze()


def _start_worker(parent: int) -> None:
    """Set up a local worker: reuse freed memory, and die with the sweep's process."""
    keep_freed_memory()
    die_with_parent(parent)


PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere, nothing).

    A sweep killed with SIGKILL has no chance to stop its workers itself; without this they
    would run on, computing rows no one will store.

    Args:
        parent: The parent's process id, to catch a parent that died before the request.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: the worker ends when its queue closes
        return
    if os.getppid() != parent:
        os._exit(1)


def warm(task: ChunkTask) -> None:
    """Import the engine and solve the scenario's bargaining problem in this process.

    Both are done once per sweep: chunks run here reuse them, and forked workers start with
    them instead of each paying for them. A second call costs next to nothing. The allocator
    is set to keep freed memory for reuse (``keep_freed_memory``), here and in forked workers.
    """
    keep_freed_memory()
    from model.bargaining import solutions_of
    from model.ensemble import run_ensemble  # noqa: F401
    from model.params import compile_scenario

    solutions_of(compile_scenario(_scenario(task.scenario)))


def _bounded(
    submit: Callable[..., Future[ChunkRows]], tasks: list[ChunkTask], limit: int
) -> Iterator[ChunkRows]:
    pending: set[Future[ChunkRows]] = set()
    queue = iter(tasks)
    for task in queue:
        pending.add(submit(run_chunk, task))
        if len(pending) >= limit:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                yield f.result()
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for f in finished:
            yield f.result()


def run_dask(tasks: list[ChunkTask], workers: int, scheduler: str | None, store: Store) -> None:
    """Run chunks on a Dask cluster: the one at ``scheduler``, or a local one of ``workers``.

    Workers send their rows back; ``store`` is called with them in this process.

    Raises:
        ArgumentError: When ``scheduler`` is not an address.
        EnvironmentFailure: When the scheduler cannot be reached or goes away mid-sweep
            (what was stored stays stored: the same command completes the rest).
    """
    with _dask_quiet():
        _run_dask(tasks, workers, scheduler, store)


@contextlib.contextmanager
def _dask_quiet() -> Iterator[None]:
    """Keep Dask's own log records (tracebacks among them) off the terminal while it runs.

    A failure reaches the user as one line of ours (``EnvironmentFailure``) instead.
    """
    import distributed  # noqa: F401  (its loggers exist once it is imported)

    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]
    loggers = [logging.getLogger(n) for n in ["distributed", *names]]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _run_dask(tasks: list[ChunkTask], workers: int, scheduler: str | None, store: Store) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (ValueError, TypeError) as exc:
            problem = f"{scheduler!r} is not a scheduler address ({exc})"
            raise ArgumentError("--scheduler", "", problem) from None
        except (OSError, TimeoutError) as exc:
            problem = f"cannot reach the Dask scheduler ({type(exc).__name__}); is it running?"
            raise EnvironmentFailure(f"--scheduler {scheduler}", problem) from None
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
        client = Client(cluster)
    stored = 0
    try:
        limit = 2 * max(1, len(client.scheduler_info()["workers"]))
        queue = iter(tasks)
        futures = as_completed()
        for task in queue:
            futures.add(client.submit(run_chunk, task, pure=False))
            if futures.count() >= limit:
                store(next(futures).result())
                stored += 1
        for future in futures:
            store(future.result())
            stored += 1
    except (OSError, TimeoutError, asyncio.CancelledError, concurrent.futures.CancelledError):
        where = f"--scheduler {scheduler}" if scheduler else "the local Dask cluster"
        problem = (
            f"the Dask cluster went away after {stored} of {len(tasks)} chunks; what was "
            "stored stays stored: run the same command again to complete the rest"
        )
        raise EnvironmentFailure(where, problem) from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def check_scheduler(address: str) -> None:
    """Check that a scheduler address is one (``tcp://host:port``), before anything is written.

    Raises:
        ArgumentError: When it is not.
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        _, location = parse_address(address)
        parse_host_port(location)
    except (ValueError, TypeError) as exc:
        problem = f"{address!r} is not a scheduler address ({' '.join(str(exc).split())})"
        raise ArgumentError("--scheduler", "", problem) from None


CONNECT_TIMEOUT = "10s"  # a scheduler that has not answered by then is reported as down


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
