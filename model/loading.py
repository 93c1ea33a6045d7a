"""Load scenarios by bundled name or by path, turning every problem into one clear line.

A scenario file may name a base with ``extends`` (a bundled name, or a path relative to the
file) and hold only what differs from it: the file is merged onto its base (see
``merge_documents``) and the result validated as a whole, so a counterfactual is a few lines.

Files are read only when they are regular files of at most ``MAX_FILE_BYTES`` (UTF-8, with or
without a byte-order mark), nested at most ``MAX_NESTING`` tables or arrays deep, in chains of
at most ``MAX_EXTENDS`` bases: anything else is refused in one line before it can exhaust
memory or the stack. ``read_text`` and ``parse_toml`` do the same for sweep files.
"""

from __future__ import annotations

import copy
import os
import stat
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.errors import ScenarioError, UserError
from model.schema import RelationError, Scenario, field_path

DEFAULT_SCENARIO = "june2025"
EXTENDS = "extends"
# A scenario or a sweep file is a few kilobytes (the baseline, comments and all, is 20 kB).
MAX_FILE_BYTES = 2 * 2**20
# A scenario nests five deep (sides.japan.after_election[0].win_set[0]); deeper is no scenario.
MAX_NESTING = 32
# Bases of bases: a counterfactual of a counterfactual is two.
MAX_EXTENDS = 16
_Stamp = tuple[str, int, int]  # a file's path, modification time (ns) and size


def _bundled() -> dict[str, Path]:
    folder = resources.files("model") / "scenarios"
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir() if str(f).endswith(".toml")}


def list_scenarios() -> list[tuple[str, str]]:
    """Return (name, title) of every bundled scenario, sorted by name."""
    out = []
    for name, path in sorted(_bundled().items()):
        out.append((name, load_scenario(path).title))
    return out


def parse_scenario(data: dict[str, Any], source: str, folder: Path | None = None) -> Scenario:
    """Validate a scenario document, merged onto its base first if it names one.

    Args:
        data: The parsed TOML document.
        source: Where it came from, for messages.
        folder: Where a relative ``extends`` path is looked up (default: the current folder).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: Naming the first bad field.
    """
    if EXTENDS in data:
        base = _chain_of(data[EXTENDS], source, folder or Path("."), ())
        _check_keys(data, source)
        data = merge_documents(_merged(base), {k: v for k, v in data.items() if k != EXTENDS})
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A misspelt field shows as an unknown field and a missing one: name the misspelling.
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, RelationError):
            raise ScenarioError(source, cause.field, cause.problem) from None
        field = field_path(tuple(err["loc"]), data)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "finite_number":
            msg = "must be a finite number (not NaN or infinity)"
        raise ScenarioError(source, field, msg[:1].lower() + msg[1:]) from None


def load_scenario(source: str | Path | Scenario = DEFAULT_SCENARIO) -> Scenario:
    """Load a scenario by bundled name (``"june2025"``) or by path to a TOML file.

    Args:
        source: A bundled name, a path, or an already loaded scenario (returned as is).

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: For a missing file, bad TOML or an invalid field, in one line.
    """
    if isinstance(source, Scenario):
        return source
    text = str(source)
    bundled = _bundled()
    if isinstance(source, str) and text in bundled:
        path = bundled[text]
    else:
        path = Path(text)
        if not _exists(path, text):
            if isinstance(source, str) and not text.endswith(".toml") and "/" not in text:
                known = ", ".join(sorted(bundled))
                raise ScenarioError(text, "", f"no such scenario (bundled: {known})")
            raise ScenarioError(text, "", "no such file")
    return _load_chain(_chain(path, ()))


def merge_documents(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Merge a document of changes onto a base document (neither is modified).

    Tables merge field by field, recursively. Arrays of tables whose items all carry a text
    ``key`` (issues, parties) merge item by item: an item whose key is in the base is merged
    onto that item, any other is appended. Every other value, including every other array
    (rounds, events, win-set bounds), replaces the base's value whole. Files are checked for
    a key given twice before they are merged (a merge would keep the last silently).

    Args:
        base: The base document.
        changes: The fields that differ.

    Returns:
        The merged document.
    """
    out = copy.deepcopy(base)
    for name, value in changes.items():
        old = out.get(name)
        if isinstance(old, dict) and isinstance(value, dict):
            out[name] = merge_documents(old, value)
        elif _keyed(old) and _keyed(value):
            items = {item["key"]: n for n, item in enumerate(old)}
            for item in value:
                if item["key"] in items:
                    old[items[item["key"]]] = merge_documents(old[items[item["key"]]], item)
                else:
                    old.append(copy.deepcopy(item))
        else:
            out[name] = copy.deepcopy(value)
    return out


def _keyed(value: Any) -> bool:
    # A key that is not text (a list, a table) cannot name an item: such an array is replaced
    # whole, and the schema then names the bad key.
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and isinstance(v.get("key"), str) for v in value)
    )


def _check_keys(doc: dict[str, Any], source: str) -> None:
    """Refuse an array of keyed tables that gives a key twice, naming the array and the key."""
    todo: list[tuple[str, Any]] = [("", doc)]
    while todo:  # a loop, not recursion: nesting is bounded, but the stack need not be
        path, node = todo.pop()
        if isinstance(node, dict):
            todo += [(f"{path}.{k}" if path else str(k), v) for k, v in node.items()]
        elif _keyed(node):
            seen: set[str] = set()
            for item in node:
                if item["key"] in seen:
                    raise ScenarioError(source, path, f"duplicate key {item['key']!r}")
                seen.add(item["key"])


def read_text(path: Path, source: str, error: type[UserError]) -> str:
    """Read a small text file: a regular file of at most ``MAX_FILE_BYTES``, in UTF-8.

    A byte-order mark, as some Windows editors write, is read past. Nothing else is read:
    a device such as /dev/zero or a pipe would never end, so it is refused before opening.

    Args:
        path: The file.
        source: Its name in messages.
        error: The ``UserError`` class to raise (ScenarioError, SweepError, ...).

    Returns:
        The text.

    Raises:
        UserError: Of class ``error``, for a missing, special, oversized or undecodable file.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(source, "", "no such file") from None
    except OSError as exc:
        raise error(source, "", f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(source, "", "cannot read: a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise error(source, "", "cannot read: not a regular file (a device, pipe or socket)")
    limit = MAX_FILE_BYTES
    if info.st_size > limit:
        raise error(source, "", f"{info.st_size:,} bytes is too large (at most {limit:,})")
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)  # the file may have grown since it was measured
        if len(data) > limit:
            raise error(source, "", f"too large (at most {limit:,} bytes)")
        return data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise error(source, "", f"cannot read: {exc}") from None


def parse_toml(text: str) -> dict[str, Any]:
    """Parse TOML, refusing tables or arrays nested deeper than ``MAX_NESTING``.

    Raises:
        tomllib.TOMLDecodeError: For invalid TOML, or nesting too deep to be a scenario or a
            sweep (which would otherwise exhaust the stack of the parser or of the merge).
    """
    deep = f"tables or arrays nested more than {MAX_NESTING} deep"
    try:
        doc = tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError(deep) from None
    level: list[tuple[int, Any]] = [(1, doc)]
    while level:
        depth, node = level.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                if depth >= MAX_NESTING:
                    raise tomllib.TOMLDecodeError(deep)
                level.append((depth + 1, child))
    return doc


def _exists(path: Path, source: str, field: str = "") -> bool:
    """Whether ``path`` names something; a name the system cannot even look up is refused."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError) as exc:  # a name too long, a NUL character, ...
        problem = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError(source, field, f"cannot read {_short(str(path))}: {problem}") from None
    return True


def _short(text: str, keep: int = 60) -> str:
    """A path cut to a readable length for a message."""
    return repr(text if len(text) <= keep else f"{text[: keep // 2]}…{text[-keep // 2 :]}")


def _stamp(path: Path) -> _Stamp:
    try:
        info = path.stat()
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot read: {exc}") from None
    return str(path), info.st_mtime_ns, info.st_size


def _chain(path: Path, seen: tuple[str, ...]) -> tuple[_Stamp, ...]:
    """Stamps of a file and of the files it extends, the first base first."""
    stamp = _stamp(path)
    data = _read(*stamp)
    if EXTENDS not in data:
        return (stamp,)
    if len(seen) >= MAX_EXTENDS:  # the files above this one, each extending the next
        raise ScenarioError(
            str(path), EXTENDS, f"a chain of more than {MAX_EXTENDS} bases extending bases"
        )
    bases = _chain_of(data[EXTENDS], str(path), path.parent, (*seen, str(path.resolve())))
    return (*bases, stamp)


def _chain_of(base: Any, source: str, folder: Path, seen: tuple[str, ...]) -> tuple[_Stamp, ...]:
    """The chain of the base named by ``extends`` in ``source``."""
    if not isinstance(base, str) or not base.strip():
        raise ScenarioError(source, EXTENDS, "must be a scenario name or a path to a TOML file")
    bundled = _bundled()
    path = bundled[base] if base in bundled else folder / base
    if not _exists(path, source, EXTENDS):
        if not base.endswith(".toml") and "/" not in base:
            known = ", ".join(sorted(bundled))
            raise ScenarioError(source, EXTENDS, f"no such scenario {base!r} (bundled: {known})")
        raise ScenarioError(source, EXTENDS, f"no such file {str(path)!r}")
    if str(path.resolve()) in seen:
        raise ScenarioError(source, EXTENDS, f"{base!r} extends this file again (a cycle)")
    return _chain(path, seen)


@lru_cache(maxsize=64)
def _load_chain(stamps: tuple[_Stamp, ...]) -> Scenario:
    # Keyed by every file's modification time and size, so editing a file or any of its bases
    # reads it again; Scenario objects are frozen, so sharing one between models is safe.
    return parse_scenario(_merged(stamps), stamps[-1][0])


def _merged(stamps: tuple[_Stamp, ...]) -> dict[str, Any]:
    """The documents of a chain merged in order, without their ``extends``."""
    doc: dict[str, Any] = {}
    for stamp in stamps:
        changes = _read(*stamp)
        _check_keys(changes, stamp[0])
        doc = merge_documents(doc, {k: v for k, v in changes.items() if k != EXTENDS})
    return doc


@lru_cache(maxsize=64)
def _read(path_text: str, mtime_ns: int, size: int) -> dict[str, Any]:
    # Cached documents are shared: merge_documents copies, never changes them.
    text = read_text(Path(path_text), path_text, ScenarioError)
    try:
        return parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(path_text, "", f"invalid TOML: {exc}") from None
