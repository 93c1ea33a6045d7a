"""Load scenarios by bundled name or by path, turning every problem into one clear line.

A scenario file may name a base with ``extends`` (a bundled name, or a path relative to the
file) and hold only what differs from it: the file is merged onto its base (see
``merge_documents``) and the result validated as a whole, so a counterfactual is a few lines.
"""

from __future__ import annotations

import copy
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.errors import ScenarioError
from model.schema import RelationError, Scenario, field_path

DEFAULT_SCENARIO = "june2025"
EXTENDS = "extends"
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
        if not path.exists():
            if isinstance(source, str) and not text.endswith(".toml") and "/" not in text:
                known = ", ".join(sorted(bundled))
                raise ScenarioError(text, "", f"no such scenario (bundled: {known})")
            raise ScenarioError(text, "", "no such file")
    return _load_chain(_chain(path, ()))


def merge_documents(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Merge a document of changes onto a base document (neither is modified).

    Tables merge field by field, recursively. Arrays of tables whose items all carry a ``key``
    (issues, parties) merge item by item: an item whose key is in the base is merged onto that
    item, any other is appended. Every other value, including every other array (rounds,
    events, win-set bounds), replaces the base's value whole.

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
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and "key" in v for v in value)
    )


def _stamp(path: Path) -> _Stamp:
    try:
        stat = path.stat()
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot read: {exc}") from None
    return str(path), stat.st_mtime_ns, stat.st_size


def _chain(path: Path, seen: tuple[str, ...]) -> tuple[_Stamp, ...]:
    """Stamps of a file and of the files it extends, the first base first."""
    stamp = _stamp(path)
    data = _read(*stamp)
    if EXTENDS not in data:
        return (stamp,)
    bases = _chain_of(data[EXTENDS], str(path), path.parent, (*seen, str(path.resolve())))
    return (*bases, stamp)


def _chain_of(base: Any, source: str, folder: Path, seen: tuple[str, ...]) -> tuple[_Stamp, ...]:
    """The chain of the base named by ``extends`` in ``source``."""
    if not isinstance(base, str) or not base.strip():
        raise ScenarioError(source, EXTENDS, "must be a scenario name or a path to a TOML file")
    bundled = _bundled()
    path = bundled[base] if base in bundled else folder / base
    if not path.is_file():
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
        doc = merge_documents(doc, {k: v for k, v in _read(*stamp).items() if k != EXTENDS})
    return doc


@lru_cache(maxsize=64)
def _read(path_text: str, mtime_ns: int, size: int) -> dict[str, Any]:
    # Cached documents are shared: merge_documents copies, never changes them.
    path = Path(path_text)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "", f"invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", f"cannot read: {exc}") from None
