"""Writing results so that nothing half-written is ever left behind."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.errors import ArgumentError

TMP_SUFFIX = ".tmp"


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through a temporary sibling and rename it into place, durably.

    The file's bytes reach the disk before the rename, and the rename before this returns
    (fsync of the file, then of its folder): after a power loss a file is whole or absent,
    never a name with nothing behind it.

    Args:
        path: The final path.
        write: Called with the temporary path; must write the whole file there.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes files private; results are for sharing
        _fsync(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync(path.parent)


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_temporaries(folder: Path) -> int:
    """Remove what interrupted writes left in a folder (``.NAME.XXXX.tmp``); return how many.

    Only for a folder no one else is writing to (a store under its writer's lock).
    """
    if not folder.is_dir():
        return 0
    stale = [p for p in folder.glob(f".*{TMP_SUFFIX}") if p.is_file()]
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (NaN written as null)."""
    text = json.dumps(json_safe(data), indent=2, ensure_ascii=False)
    write_atomic(path, lambda p: p.write_text(text + "\n", encoding="utf-8"))


def json_safe(x: Any) -> Any:
    """Replace NaN and infinities (not valid JSON) by None, recursively."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_safe(v) for v in x]
    return x


def check_out_folder(out: Path) -> None:
    """Check that ``--out`` names a folder (or nothing yet), before any work is done.

    Raises:
        ArgumentError: When it names a file.
    """
    if out.exists() and not out.is_dir():
        raise ArgumentError(str(out), "", "--out must be a folder, not a file")


def make_out_folder(out: Path) -> None:
    """Create the ``--out`` folder, with its parents, unless it exists.

    Raises:
        ArgumentError: When it names a file or cannot be created.
    """
    check_out_folder(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = f"cannot create the --out folder: {exc.strerror}"
        raise ArgumentError(str(out), "", problem) from None
