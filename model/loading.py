"""Load scenarios by bundled name or by path, turning every problem into one clear line."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.errors import ScenarioError
from model.schema import RelationError, Scenario, field_path

DEFAULT_SCENARIO = "june2025"


def _bundled() -> dict[str, Path]:
    folder = resources.files("model") / "scenarios"
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir() if str(f).endswith(".toml")}


def list_scenarios() -> list[tuple[str, str]]:
    """Return (name, title) of every bundled scenario, sorted by name."""
    out = []
    for name, path in sorted(_bundled().items()):
        out.append((name, load_scenario(path).title))
    return out


def parse_scenario(data: dict[str, Any], source: str) -> Scenario:
    """Validate a scenario document.

    Args:
        data: The parsed TOML document.
        source: Where it came from, for messages.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: Naming the first bad field.
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
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
    try:
        stat = path.stat()
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot read: {exc}") from None
    return _load_file(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _load_file(path_text: str, mtime_ns: int, size: int) -> Scenario:
    # Keyed by modification time and size, so an edited file is read again; Scenario objects
    # are frozen, so sharing one between models is safe.
    path = Path(path_text)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(str(path), "", f"invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), "", f"cannot read: {exc}") from None
    return parse_scenario(data, str(path))
