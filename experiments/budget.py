"""Whether the machine can hold an ensemble: its memory, estimated before any run.

An ensemble runs in chunks (``experiments.chunks``), so the engine's working set is bounded,
but its result table grows by a row per run, and the commands keep whole tables (``compare``
two, ``mechanisms`` one per setting). A run count the machine cannot hold is refused at once,
in one line giving the estimate and the memory available, instead of running for an hour and
dying out of memory. The estimates are deliberately generous (measured peaks, rounded up).
"""

from __future__ import annotations

from pathlib import Path

import psutil

from model.errors import ArgumentError
from model.schema import Scenario

# The engine and its libraries, with one chunk's working set (about 350 MB measured).
ENGINE_BYTES = 512 * 2**20
# Per run and result column: the table's cell, the copy ``pd.concat`` makes of the chunks, and
# those of the summary and the Parquet writer (about 24 bytes measured).
CELL_BYTES = 32
# Per run of an ensemble stepped in one engine call with a daily trace, as the talks figure of
# ``negotiate mechanisms`` is (about 15 kB measured on the baseline).
TRACED_RUN_BYTES = 24 * 2**10
# cgroup v2 files giving a container's limit and use, when the process runs in one.
CGROUP = Path("/sys/fs/cgroup")


def result_columns(scenario: Scenario) -> int:
    """The number of columns of an ensemble table of ``scenario`` (``outcome_table``'s).

    Eleven for the run (seed, status, day, ...) and its metrics, one per issue (terms), four
    per party (utility, reservation, net concession, gain) and one per side (dispersion).
    """
    return 11 + len(scenario.issues) + 4 * len(scenario.parties) + len(scenario.sides)


def table_bytes(scenario: Scenario, runs: int) -> int:
    """The memory one ensemble table of ``runs`` runs of ``scenario`` takes at its peak."""
    return runs * result_columns(scenario) * CELL_BYTES


def available_bytes() -> int:
    """Memory this process may still use: the machine's free memory, within any limit set.

    The limits are the process's address-space and data limits (``ulimit -v``, ``-d``) and
    a container's memory limit (cgroup v2), less what is already used against each.
    """
    avail = int(psutil.virtual_memory().available)
    try:
        import resource
    except ImportError:  # Windows: no such limits
        return avail
    used = psutil.Process().memory_info()
    for which, in_use in ((resource.RLIMIT_AS, used.vms), (resource.RLIMIT_DATA, used.rss)):
        soft, _ = resource.getrlimit(which)
        if soft != resource.RLIM_INFINITY:
            avail = min(avail, max(soft - in_use, 0))
    try:
        limit = (CGROUP / "memory.max").read_text().strip()
        if limit.isdigit():
            current = int((CGROUP / "memory.current").read_text().strip())
            avail = min(avail, max(int(limit) - current, 0))
    except (OSError, ValueError):
        pass  # not in a cgroup v2 container: the machine's memory is the limit
    return avail


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if n < 1000:
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} TB"


def check_memory(flag: str, runs: int, need: int, available: int | None = None) -> None:
    """Refuse a run count whose estimated memory the machine does not have.

    Args:
        flag: The flag that set the run count, for the message (``--runs``).
        runs: The run count.
        need: The estimated peak, in bytes, over the engine's own ``ENGINE_BYTES``.
        available: The memory available (default: ``available_bytes()``).

    Raises:
        ArgumentError: Giving the estimate and the memory available.
    """
    total = ENGINE_BYTES + need
    free = available_bytes() if available is None else available
    if total > free:
        raise ArgumentError(
            flag,
            "",
            f"{runs:,} runs need about {_size(total)} of memory, more than the "
            f"{_size(free)} available: use fewer runs, or a sweep file (negotiate sweep), "
            "which keeps its runs on disk",
        )
