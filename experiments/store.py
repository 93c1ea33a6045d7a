"""The result store of a sweep: one folder, written so that a crash never loses or repeats work.

::

    DIR/manifest.json          the sweep file, scenario hash, seed scheme, versions, commit, times
    DIR/scenario.json          the scenario exactly as run (replays read it, not the library)
    DIR/design.parquet         one row per design point
    DIR/runs/chunk-000000.parquet   one row per run, a file per chunk
    DIR/series/run-42.parquet  the daily series of a sample of runs (``--series``)

Every file is written to a temporary sibling and renamed into place, and a chunk's file is
written last, after its series: a chunk whose file exists is complete, one without it is run
again. Re-running the same sweep into the same folder therefore completes what is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.io import write_atomic, write_json
from model.errors import StoreError
from model.schema import Scenario

MANIFEST, SCENARIO, DESIGN, RUNS, SERIES = (
    "manifest.json",
    "scenario.json",
    "design.parquet",
    "runs",
    "series",
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
    """The chunks whose rows are stored."""
    folder = out / RUNS
    if not folder.is_dir():
        return set()
    return {int(p.stem.split("-")[1]) for p in folder.glob("chunk-*.parquet")}


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
        """Every stored run, ordered by run id."""
        files = sorted((self.out / RUNS).glob("chunk-*.parquet"))
        if not files:
            return pd.DataFrame()
        table = pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)
        return table.sort_values("run", kind="stable").reset_index(drop=True)

    def row(self, run: int) -> dict[str, Any]:
        """The stored row of one run."""
        total = int(self.manifest["runs"])
        if not 0 <= run < total:
            raise StoreError(str(self.out), "--run", f"no run {run} (runs are 0 to {total - 1})")
        path = chunk_path(self.out, run // self.chunk_size)
        if not path.exists():
            raise StoreError(str(self.out), "--run", f"run {run} has not been run yet")
        table = pd.read_parquet(path)
        return table[table["run"] == run].iloc[0].to_dict()

    def series(self, run: int) -> pd.DataFrame | None:
        """The daily series of a sampled run, or None."""
        path = series_path(self.out, run)
        return pd.read_parquet(path) if path.exists() else None


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
    except (OSError, ValueError) as exc:
        raise StoreError(
            source, "", f"unreadable sweep folder ({exc.__class__.__name__})"
        ) from None
    return Stored(out=out, manifest=manifest, scenario=scenario, design=design)


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically."""
    write_json(out / MANIFEST, manifest)


def write_scenario(out: Path, scenario: Scenario) -> None:
    """Store the scenario as it is run."""
    write_json(out / SCENARIO, scenario.model_dump(mode="json"))
