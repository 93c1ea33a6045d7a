"""The model card (docs/model.md): its headings, its links, its example, and a calibration table
that agrees with the baseline file parameter for parameter, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from model import list_scenarios, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "docs" / "model.md"
SCENARIOS = Path(str(resources.files("model") / "scenarios"))
BASELINE = SCENARIOS / "june2025.toml"
HEADINGS = [
    "what is it?",
    "how it works",
    "how to use it",
    "things to notice",
    "things to try",
    "extending the model",
    "credits and references",
]
# Text that names or describes rather than parametrises: not in the table.
DESCRIPTIVE = {"name", "title", "description", "label", "short", "note", "role", "unit"}
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|\s*$")


def card() -> str:
    return CARD.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under a level-2 heading, up to the next level-2 heading."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S | re.I)
    assert match, f"docs/model.md has no '## {heading}' section"
    return match.group(1)


def leaves(node: Any, path: str = "") -> dict[str, Any]:
    """The file's values by the paths the validator names: parties and issues by key, other
    arrays by position."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for k, v in node.items():
            out |= leaves(v, f"{path}.{k}" if path else k)
        return out
    if isinstance(node, list) and node and all(isinstance(v, dict) for v in node):
        out = {}
        for n, item in enumerate(node):
            if path in ("parties", "issues"):
                out |= leaves(
                    {k: v for k, v in item.items() if k != "key"}, f"{path}.{item['key']}"
                )
            else:
                out |= leaves(item, f"{path}[{n}]")
        return out
    return {path: node}


def parameters() -> dict[str, Any]:
    """Every parameter of the baseline file: its values, less names, labels and notes."""
    data = tomllib.loads(BASELINE.read_text(encoding="utf-8"))
    return {
        path: value
        for path, value in leaves(data).items()
        if path.rsplit(".", 1)[-1] not in DESCRIPTIVE
        and not re.fullmatch(r"events\[\d+\]\.kind", path)  # a category for readers only
    }


def table() -> dict[str, tuple[str, str]]:
    """The calibration table's rows: path -> (value, source)."""
    rows: dict[str, tuple[str, str]] = {}
    for line in section(card(), "Calibration").splitlines():
        match = ROW.match(line)
        if match:
            path, value, source = (g.strip() for g in match.groups())
            assert path not in rows, f"{path} is in the calibration table twice"
            rows[path] = (value, source)
    return rows


def same(value: Any, text: str) -> bool:
    """Whether a table cell shows a file's value."""
    if isinstance(value, bool):
        return text == str(value).lower()
    if isinstance(value, int | float):
        try:
            return float(text.replace("−", "-")) == float(value)
        except ValueError:
            return False
    if isinstance(value, dt.date):
        return text == value.isoformat()
    if isinstance(value, list):
        return text == ", ".join(map(str, value))
    return text == str(value)


def test_the_baseline_has_numbers_dates_and_choices_to_check() -> None:
    values = parameters().values()
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    assert len(numbers) > 100 and any(isinstance(v, dt.date) for v in values)


def test_every_number_of_the_baseline_is_in_the_calibration_table_with_its_value() -> None:
    rows = table()
    missing, wrong = [], []
    for path, value in parameters().items():
        if path not in rows:
            missing.append(f"{path} = {value!r}")
        elif not same(value, rows[path][0]):
            wrong.append(f"{path}: file {value!r}, table {rows[path][0]!r}")
    assert not missing, f"not in docs/model.md's calibration table: {missing}"
    assert not wrong, f"docs/model.md's calibration table disagrees with june2025.toml: {wrong}"


def test_every_row_of_the_calibration_table_is_a_parameter_of_the_baseline() -> None:
    unknown = sorted(set(table()) - set(parameters()))
    assert not unknown, f"rows for paths june2025.toml does not have: {unknown}"


def test_every_row_of_the_calibration_table_gives_a_source() -> None:
    empty = [path for path, (_, source) in table().items() if not source]
    assert not empty, f"rows without a source or assumption: {empty}"


def test_the_card_has_the_netlogo_info_tab_headings_in_order() -> None:
    found = [h.strip().lower() for h in re.findall(r"^## (.+)$", card(), re.M)]
    positions = [found.index(h) for h in HEADINGS if h in found]
    assert [h for h in HEADINGS if h not in found] == []
    assert positions == sorted(positions)


@pytest.mark.parametrize("doc", ["strategies.md", "validation.md", "performance.md"])
def test_the_card_points_to_the_other_documents(doc: str) -> None:
    assert f"]({doc})" in card()


def test_the_cards_example_of_extends_loads(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", card(), re.S)
    assert blocks, "the card has no TOML example"
    for n, block in enumerate(blocks):
        path = tmp_path / f"example{n}.toml"
        path.write_text(block, encoding="utf-8")
        assert load_scenario(path).name


def test_things_to_try_lists_every_bundled_counterfactual() -> None:
    text = section(card(), "Things to try")
    extending = [
        name
        for name, _ in list_scenarios()
        if "extends" in tomllib.loads((SCENARIOS / f"{name}.toml").read_text(encoding="utf-8"))
    ]
    assert extending
    assert [name for name in extending if f"| `{name}` |" not in text] == []


def _cells(line: str) -> int:
    """Cells of a Markdown table row; an escaped bar (\\|) is text, not a border."""
    return len(re.split(r"(?<!\\)\|", line.strip())) - 2


@pytest.mark.parametrize(
    "path", [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"], ids=lambda p: p.name
)
def test_every_markdown_table_row_has_its_headers_cells(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = []
    for n, line in enumerate(lines):
        if line.startswith("|") and n + 1 < len(lines) and re.match(r"^\|[-:| ]+\|$", lines[n + 1]):
            width = _cells(line)
            k = n + 2
            while k < len(lines) and lines[k].startswith("|"):
                if _cells(lines[k]) != width:
                    bad.append(f"line {k + 1}: {_cells(lines[k])} cells, header {width}")
                k += 1
    assert not bad, bad
