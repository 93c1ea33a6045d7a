"""A chunk's file: its rows, with the sweep's digest and its run ids in the file's own metadata.

Every chunk file says which sweep it belongs to and which runs it holds (Parquet key-value
metadata), so a store can prove what it holds: a file that cannot be read, belongs to another
sweep, or holds other runs or another number of rows than it says is not trusted
(``chunk_problem``), and a file whose name is not a chunk's is a stray.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.io import write_atomic

KEY = b"negotiate.chunk"
NAME = re.compile(r"chunk-(\d{6})\.parquet")


@dataclass(frozen=True)
class ChunkId:
    """What a chunk file must hold.

    Attributes:
        digest: The sweep's digest (its file and scenario, ``Sweep.digest``).
        chunk: The chunk's number.
        start: Its first run id.
        stop: One past its last run id.
    """

    digest: str
    chunk: int
    start: int
    stop: int

    def label(self) -> str:
        """The metadata stored in the file, as JSON."""
        return json.dumps(
            {"digest": self.digest, "chunk": self.chunk, "start": self.start, "stop": self.stop},
            sort_keys=True,
        )


def chunk_number(path: Path) -> int | None:
    """The number in a chunk file's name, or None when the name is not a chunk's."""
    match = NAME.fullmatch(path.name)
    return int(match.group(1)) if match else None


def write_chunk(path: Path, rows: pd.DataFrame, ident: ChunkId) -> None:
    """Write a chunk's rows with its identity in the file's metadata, atomically and durably."""
    table = pa.Table.from_pandas(rows, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[KEY] = ident.label().encode()
    table = table.replace_schema_metadata(meta)
    write_atomic(path, lambda p: pq.write_table(table, p))


def chunk_problem(path: Path, ident: ChunkId) -> str | None:
    """Why a chunk file cannot be trusted to hold ``ident``'s runs, or None when it can.

    The file must be readable Parquet whose metadata names the sweep's digest and the
    chunk's run ids, with exactly those runs, in order, one row each.
    """
    try:
        parquet = pq.ParquetFile(path)
        meta = parquet.schema_arrow.metadata or {}
        rows = parquet.metadata.num_rows
        raw = meta.get(KEY)
        if raw is None:
            return "carries no sweep digest (written by another tool or an older version)"
        said = json.loads(raw)
        if not isinstance(said, dict):
            return "its metadata is not a chunk's"
        if said.get("digest") != ident.digest:
            return "belongs to another sweep (its digest differs)"
        if (said.get("start"), said.get("stop")) != (ident.start, ident.stop):
            return (
                f"says it holds runs {said.get('start')} to {said.get('stop')}, "
                f"not {ident.start} to {ident.stop}"
            )
        expected = ident.stop - ident.start
        if rows != expected:
            return f"holds {rows} rows, not {expected}"
        runs = parquet.read(columns=["run"]).column("run").to_numpy()
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        return f"is unreadable ({_short(exc)})"
    if not np.array_equal(runs, np.arange(ident.start, ident.stop)):
        return f"does not hold runs {ident.start} to {ident.stop - 1} once each, in order"
    return None


def _short(exc: BaseException) -> str:
    """An exception as a short phrase on one line."""
    text = " ".join(str(exc).split())
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
