"""The result store of a sweep: one folder, written so that a crash never loses or repeats work.

::

    DIR/manifest.json          the sweep file, scenario hash, seed scheme, versions, commit, times
    DIR/scenario.json          the scenario exactly as run (replays read it, not the library)
    DIR/design.parquet         one row per design point
    DIR/runs/chunk-000000.parquet   one row per run, a file per chunk
    DIR/runs/quarantine/       chunk files that failed their check, with why.txt
    DIR/series/run-42.parquet  the daily series of a sample of runs (``--series``)
    DIR/.lock                  held by the one process writing the store

One process writes a store: the sweep's client, holding ``.lock`` (workers only compute and
send their rows back). Every file is written to a temporary sibling, flushed to the disk and
renamed into place, and a chunk's file is written last, after its series: a chunk whose file
exists and passes its check (``experiments.chunk_files``) is complete, one without it is run
again. Re-running the same sweep into the same folder therefore completes what is missing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import platform
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from experiments.chunk_files import ChunkId, chunk_number, chunk_problem
from experiments.io import remove_temporaries, write_atomic, write_json
from model.errors import StoreError
from model.schema import Scenario

MANIFEST, SCENARIO, DESIGN, RUNS, SERIES, QUARANTINE, LOCK = (
    "manifest.json",
    "scenario.json",
    "design.parquet",
    "runs",
    "series",
    "quarantine",
    ".lock",
)
SEED_SCHEME = (
    "seed of run r = word r of numpy SeedSequence([master, 0]).generate_state(runs, uint64), "
    "top bit cleared; run r belongs to design point r // replicates"
)
PACKAGES = ("numpy", "pandas", "pyarrow", "mesa", "networkx", "scipy", "SALib", "distributed")


def chunk_path(out: Path, chunk: int) -> Path:
    """The file of one chunk's rows."""
    return out / RUNS / f"chunk-{chunk:06d}.parquet"


def series_path(out: Path, run: int) -> Path:
    """The file of one run's daily series."""
    return out / SERIES / f"run-{run}.parquet"


def write_parquet(path: Path, table: pd.DataFrame) -> None:
    """Write a table to Parquet atomically."""
    write_atomic(path, lambda p: table.to_parquet(p, index=False))


def done_chunks(out: Path) -> set[int]:
    """The chunks whose files are in place (named as chunks; not yet checked)."""
    folder = out / RUNS
    if not folder.is_dir():
        return set()
    return {k for p in folder.glob("*.parquet") if (k := chunk_number(p)) is not None}


def chunk_ids(manifest: dict[str, Any]) -> list[ChunkId]:
    """What each chunk of a store must hold, from its manifest."""
    total, size, digest = int(manifest["runs"]), int(manifest["chunk_size"]), manifest["digest"]
    return [
        ChunkId(digest, k, start, min(start + size, total))
        for k, start in enumerate(range(0, total, size))
    ]


@dataclass
class Survey:
    """What a store's runs folder holds.

    Attributes:
        good: Chunks whose files passed their check.
        bad: Files that did not, each with why (strays included).
    """

    good: set[int] = field(default_factory=set)
    bad: list[tuple[Path, str]] = field(default_factory=list)


def survey(out: Path, manifest: dict[str, Any]) -> Survey:
    """Check every Parquet file in a store's runs folder against the manifest."""
    found = Survey()
    folder = out / RUNS
    if not folder.is_dir():
        return found
    ids = chunk_ids(manifest)
    for path in sorted(folder.glob("*.parquet")):
        k = chunk_number(path)
        if k is None or k >= len(ids):
            found.bad.append((path, "is not a chunk of this sweep (a stray file)"))
            continue
        problem = chunk_problem(path, ids[k])
        if problem is None:
            found.good.add(k)
        else:
            found.bad.append((path, problem))
    return found


def quarantine(out: Path, path: Path, why: str) -> Path:
    """Move a file that failed its check to ``runs/quarantine``, with a line in ``why.txt``.

    Returns:
        Where it went.
    """
    folder = out / RUNS / QUARANTINE
    folder.mkdir(parents=True, exist_ok=True)
    target, n = folder / path.name, 1
    while target.exists():  # keep every earlier casualty
        target, n = folder / f"{path.name}.{n}", n + 1
    os.replace(path, target)
    with (folder / "why.txt").open("a", encoding="utf-8") as notes:
        notes.write(f"{now()} {target.name}: {why}\n")
    return target


@contextlib.contextmanager
def writer_lock(out: Path) -> Iterator[None]:
    """Hold the store's lock while writing it; refuse when another process holds it.

    The lock is the kernel's (``flock``): it goes with the process that holds it, so a
    sweep killed with SIGKILL leaves no lock behind. What interrupted writes left is removed
    once the lock is held.

    Raises:
        StoreError: When another process is writing the folder.
    """
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise StoreError(
                str(out),
                "",
                f"another sweep (process {holder}) is writing to this folder: "
                "wait for it to end, or choose another --out folder",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        for folder in (out, out / RUNS, out / SERIES):
            remove_temporaries(folder)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def git_commit() -> str | None:
    """The commit of the code that runs, when it runs from a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        res = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout.strip() or None if res.returncode == 0 else None


def versions() -> dict[str, str | None]:
    """Python's and the main packages' versions."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        out["tariff-negotiation-abm"] = metadata.version("tariff-negotiation-abm")
    except metadata.PackageNotFoundError:
        out["tariff-negotiation-abm"] = None
    return out


def now() -> str:
    """The current UTC time, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Stored:
    """A sweep folder opened for reading.

    Attributes:
        out: The folder.
        manifest: Its manifest.
        scenario: The scenario as run.
        design: The design points.
    """

    out: Path
    manifest: dict[str, Any]
    scenario: Scenario
    design: pd.DataFrame

    @property
    def replicates(self) -> int:
        """Runs per design point."""
        return int(self.manifest["replicates"])

    @property
    def chunk_size(self) -> int:
        """Runs per chunk."""
        return int(self.manifest["chunk_size"])

    def runs(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every stored run, ordered by run id.

        Raises:
            StoreError: When a file in the runs folder fails its check (unreadable, a stray,
                another sweep's, or other runs than its name says): nothing doubled or
                foreign is ever read.
        """
        found = survey(self.out, self.manifest)
        if found.bad:
            path, why = found.bad[0]
            raise StoreError(str(self.out), f"{RUNS}/{path.name}", _refusal(why, len(found.bad)))
        files = [chunk_path(self.out, k) for k in sorted(found.good)]
        if not files:
            return pd.DataFrame()
        parts = [self._read(f, columns) for f in files]
        return pd.concat(parts, ignore_index=True)

    def row(self, run: int) -> dict[str, Any]:
        """The stored row of one run.

        Raises:
            StoreError: When there is no such run, it has not been run, or its chunk fails
                its check.
        """
        total = int(self.manifest["runs"])
        if not 0 <= run < total:
            raise StoreError(str(self.out), "--run", f"no run {run} (runs are 0 to {total - 1})")
        found = survey(self.out, self.manifest)  # a stray beside it makes the store doubtful
        if found.bad:
            path, why = found.bad[0]
            raise StoreError(str(self.out), f"{RUNS}/{path.name}", _refusal(why, len(found.bad)))
        ident = chunk_ids(self.manifest)[run // self.chunk_size]
        if ident.chunk not in found.good:
            raise StoreError(str(self.out), "--run", f"run {run} has not been run yet")
        table = self._read(chunk_path(self.out, ident.chunk), None)
        return table.iloc[run - ident.start].to_dict()

    def _read(self, path: Path, columns: list[str] | None) -> pd.DataFrame:
        try:
            return pd.read_parquet(path, columns=columns)
        except (OSError, ValueError, pa.ArrowException) as exc:
            problem = f"is unreadable ({type(exc).__name__})"
            raise StoreError(str(self.out), f"{RUNS}/{path.name}", _refusal(problem, 1)) from None

    def series(self, run: int) -> pd.DataFrame | None:
        """The daily series of a sampled run, or None."""
        path = series_path(self.out, run)
        return pd.read_parquet(path) if path.exists() else None


def _refusal(why: str, count: int) -> str:
    more = f" (and {count - 1} more files)" if count > 1 else ""
    return (
        f"{why}{more}: this store cannot be read as it is; run the same sweep command again "
        "to set such files aside and run their chunks anew"
    )


def open_store(out: Path) -> Stored:
    """Open a sweep folder.

    Raises:
        StoreError: When the folder is not a sweep's.
    """
    source = str(out)
    if not (out / MANIFEST).is_file():
        raise StoreError(source, "", "not a sweep folder (no manifest.json)")
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        scenario = Scenario.model_validate(json.loads((out / SCENARIO).read_text(encoding="utf-8")))
        design = pd.read_parquet(out / DESIGN)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise StoreError(
            source, "", f"unreadable sweep folder ({exc.__class__.__name__})"
        ) from None
    problem = _manifest_problem(manifest)
    if problem:
        raise StoreError(source, MANIFEST, problem)
    return Stored(out=out, manifest=manifest, scenario=scenario, design=design)


# The manifest's fields that reading and resuming a store rely on, with their types.
_REQUIRED = {"digest": str, "runs": int, "chunk_size": int, "replicates": int, "design": dict}


def _manifest_problem(manifest: Any) -> str | None:
    """Why a parsed manifest is not a store's, or None."""
    if not isinstance(manifest, dict):
        return "is not a sweep's manifest (not a JSON object)"
    for key, kind in _REQUIRED.items():
        value = manifest.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"is not a sweep's manifest ({key!r} is missing or not a {kind.__name__})"
    if manifest["runs"] < 0 or manifest["chunk_size"] < 1 or manifest["replicates"] < 1:
        return "is not a sweep's manifest (runs, chunk_size or replicates out of range)"
    return None


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    write_json(out / MANIFEST, manifest)


def write_scenario(out: Path, scenario: Scenario) -> None:
    """Store the scenario as it is run."""
    write_json(out / SCENARIO, scenario.model_dump(mode="json"))
