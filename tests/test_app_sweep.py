"""The app's stored-run source: a sweep run opened by id replays exactly, on the server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipyvuetify as v
import pytest
from helpers import assert_rows_equal, run_to_end
from test_app import click, render_page, session, text_with, texts  # noqa: F401

from experiments.store import open_store
from experiments.sweep import run_sweep
from experiments.sweep_file import load_sweep
from viz.app import AppModel
from viz.app_sweep import open_sweep_run, sweep_run_params
from viz.server import SWEEPS_ENV

SWEEP = """
name = "app_runs"
scenario = "june2025"
seed = 3
replicates = 4

[design]
kind = "grid"

[parameters]
"sides.us.cohesion" = { values = [0.2, 0.9] }
"parties.bessent.priorities.currency" = { values = [0.2, 0.5] }
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("app_sweep")
    (tmp / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    out = tmp / "out"
    run_sweep(load_sweep(tmp / "sweep.toml"), out, workers=1)
    return out


@pytest.mark.parametrize("run", [0, 6, 13])
def test_a_stored_run_opened_in_the_app_replays_its_row(store: Path, run: int) -> None:
    source = open_sweep_run("out", run, root=store.parent)
    assert source.fixed == {
        "sides.us.cohesion": pytest.approx(source.fixed["sides.us.cohesion"]),
        "parties.bessent.priorities.currency": source.fixed["parties.bessent.priorities.currency"],
    }
    params = sweep_run_params(source)
    assert "parties.bessent.priorities.currency" not in params  # its slider is left out
    assert "parties.lutnick.clout" in params
    fixed_params = {k: v for k, v in params.items() if not isinstance(v, dict) or k == "fixed"}
    model = run_to_end(AppModel(seed=str(source.seed), **fixed_params))
    assert model.outcome is not None
    row = open_store(store).row(run)
    expected = model.outcome.to_row()
    assert_rows_equal(expected, {k: row[k] for k in expected}, f"run {run}")


def test_bad_stored_runs_are_one_line(store: Path, tmp_path: Path) -> None:
    from model.errors import ArgumentError, StoreError

    for folder, run, error, needle in [
        (".", 0, StoreError, "not a sweep folder"),
        ("out", 99, StoreError, "no run 99"),
        ("out", "x", ArgumentError, "must be an integer"),
    ]:
        with pytest.raises(error) as info:
            open_sweep_run(folder, run, root=tmp_path if folder == "." else store.parent)
        line = info.value.line()
        assert line.startswith(f"{error.kind} ") and needle in line and "\n" not in line


def test_the_page_opens_a_stored_run_and_goes_back(
    session: Any,  # noqa: F811
    store: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SWEEPS_ENV, str(store.parent))  # as negotiate app --sweeps does
    rc = render_page()
    rc.find(v.TextField, label="Sweep folder").widget.v_model = "out"
    rc.find(v.TextField, label="Run id").widget.v_model = "6"
    click(rc, "Open run")
    seed = open_store(store).row(6)["seed"]
    assert any("Run 6 (" in t and f"seed {seed}" in t for t in texts(rc))
    assert not rc.find(v.Slider, label="United States: cohesion").widgets  # held fixed
    for _ in range(3):
        click(rc, "Step")
    assert "day 2" in text_with(rc, "Concession graph")
    click(rc, "Back to the picker")
    assert rc.find(v.Slider, label="United States: cohesion").widgets
    rc.find(v.TextField, label="Sweep folder").widget.v_model = "nowhere"
    click(rc, "Open run")
    assert any("not a sweep folder" in t for t in texts(rc))
