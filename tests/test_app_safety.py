"""The app in a classroom: sweeps open from one folder only, and no failure reaches the page.

Every page here is rendered as the server renders it (``handle_error=True``): a failure that no
boundary caught would replace the page with its traceback, which is what these tests look for.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipyvuetify as v
import ipywidgets as widgets
import pytest
import solara
from test_app import click, session, texts, walk  # noqa: F401
from test_app_sweep import SWEEP

from experiments.sweep import run_sweep
from experiments.sweep_file import load_sweep
from model import loading, negotiation
from model.errors import StoreError
from viz import app, app_ensemble, app_panels
from viz.app import AppModel, Page
from viz.app_errors import LOG, failure_line
from viz.app_sweep import open_sweep_run, sweep_folder
from viz.server import SWEEPS_ENV

LONG_NAME = "a" * 256
SCENARIOS = Path(loading.__file__).with_name("scenarios")


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A server's disk: ``root`` (the sweeps folder) with good and damaged sweeps, and a sweep
    outside it, reached from inside by a symbolic link."""
    top = tmp_path_factory.mktemp("classroom")
    root = top / "root"
    root.mkdir()
    (top / "sweep.toml").write_text(SWEEP, encoding="utf-8")
    good = root / "good"
    run_sweep(load_sweep(top / "sweep.toml"), good, workers=1)

    def damaged(name: str) -> Path:
        folder = root / name
        shutil.copytree(good, folder)
        return folder

    chunk = damaged("chunk") / "runs" / "chunk-000000.parquet"
    chunk.write_bytes(chunk.read_bytes()[:100])  # a copy cut short
    (damaged("manifest_list") / "manifest.json").write_text("[1, 2]", encoding="utf-8")
    (damaged("scenario_text") / "scenario.json").write_text("not json {", encoding="utf-8")
    shutil.copytree(good, top / "outside")
    (root / "link_out").symlink_to(top / "outside")
    (root / "link_in").symlink_to(good)
    return top


@pytest.fixture
def in_root(place: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server started in ``root`` with no ``--sweeps``: sweeps open from there."""
    monkeypatch.delenv(SWEEPS_ENV, raising=False)
    monkeypatch.chdir(place / "root")
    return place / "root"


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger=LOG.name):
        yield caplog


def served_page() -> Any:
    """The page as the server renders it: an uncaught failure becomes its traceback."""
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=True)
    return rc


def page_text(rc: Any) -> str:
    """Everything the page shows, including a traceback rendered in place of the page."""
    shown = list(texts(rc))
    shown += [str(w.value) for w in walk(rc.container) if isinstance(w, widgets.HTML)]
    return "\n".join(shown)


def errors(rc: Any) -> list[str]:
    """The text of every error shown on the page."""
    return [
        c
        for w in walk(rc.container)
        if isinstance(w, v.Alert) and w.type == "error"
        for c in w.children
        if isinstance(c, str)
    ]


def graph_title(rc: Any) -> str:
    return next(t for t in texts(rc) if "Concession graph" in t)


def assert_one_line_and_alive(rc: Any, needle: str, place: Path) -> None:
    """One error line containing ``needle``, no traceback, no server path; Step still works."""
    shown = page_text(rc)
    assert "Traceback" not in shown and str(place) not in shown, shown[:2000]
    found = errors(rc)
    assert len(found) == 1 and "\n" not in found[0], found
    assert needle in found[0], found
    before = graph_title(rc)
    click(rc, "Step")
    assert graph_title(rc) != before and "day " in graph_title(rc)


def open_in_card(rc: Any, folder: str, run: str = "0") -> None:
    rc.find(v.TextField, label="Sweep folder").widget.v_model = folder
    rc.find(v.TextField, label="Run id").widget.v_model = run
    click(rc, "Open run")


# --- where sweeps open from --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["../outside", "good/../../outside", "link_out", "/etc", "{top}/outside"]
)
def test_a_folder_outside_the_sweeps_folder_is_refused(in_root: Path, typed: str) -> None:
    typed = typed.format(top=in_root.parent)
    with pytest.raises(StoreError) as info:
        open_sweep_run(typed, 0)
    line = info.value.line()
    assert line == (
        f"results folder {typed}: outside the folder this app opens sweeps from "
        "(negotiate app --sweeps); type a folder under it"
    )


@pytest.mark.parametrize("typed", ["good", " ./good/ ", "link_in", "{root}/good"])
def test_a_folder_under_the_sweeps_folder_opens(in_root: Path, typed: str) -> None:
    source = open_sweep_run(typed.format(root=in_root), 1)
    assert source.run == 1 and source.folder == typed.format(root=in_root).strip()


def test_the_sweeps_folder_is_the_one_given_else_the_current_one(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(place)
    monkeypatch.setenv(SWEEPS_ENV, str(place / "root"))
    assert open_sweep_run("good", 0).seed == open_sweep_run("root/good", 0, root=place).seed
    with pytest.raises(StoreError, match="outside the folder"):
        open_sweep_run("../outside", 0)
    monkeypatch.delenv(SWEEPS_ENV)
    assert open_sweep_run("outside", 0).run == 0  # under the current folder


def test_sweep_folder_resolves_under_the_root(place: Path) -> None:
    root = place / "root"
    assert sweep_folder("good/", root) == (root / "good").resolve()
    assert sweep_folder("link_in", root) == (root / "good").resolve()
    assert sweep_folder(str(root), root) == root.resolve()
    for typed, problem in [
        ("", "type the folder of a sweep"),
        ("   ", "type the folder of a sweep"),
        ("bad\x00name", "not a usable folder name"),
        ("..", "outside the folder"),
        ("link_out/../good", "outside the folder"),  # the link is followed before the ..
    ]:
        with pytest.raises(StoreError, match=problem):
            sweep_folder(typed, root)


# --- a bad folder in the card is one line ----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "needle"),
    [
        (LONG_NAME, f"results folder {'a' * 59}…: cannot be read (File name too long)"),
        ("chunk", "results folder chunk:"),
        ("manifest_list", "results folder manifest_list:"),
        ("scenario_text", "results folder scenario_text:"),
        ("../outside", "results folder ../outside: outside the folder"),
        ("nowhere", "results folder nowhere: not a sweep folder"),
    ],
)
def test_a_bad_folder_is_one_line_in_the_card_and_the_page_goes_on(
    session: Any,  # noqa: F811
    in_root: Path,
    logged: pytest.LogCaptureFixture,
    typed: str,
    needle: str,
) -> None:
    rc = served_page()
    open_in_card(rc, typed)
    assert_one_line_and_alive(rc, needle, in_root.parent)
    assert logged.records, "a failed action leaves a record in the server's log"
    open_in_card(rc, "good", "6")  # corrected, the card opens the run
    assert any("Run 6 (" in t for t in texts(rc)) and not errors(rc)


def test_failure_line_logs_the_trace_and_shows_no_message(
    logged: pytest.LogCaptureFixture,
) -> None:
    try:
        raise KeyError("/srv/secret/path")
    except KeyError as exc:
        line = failure_line(exc, "Opening failed")
    assert line == "Opening failed (the server's log has the details)."
    (record,) = logged.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert failure_line(StoreError("x", "", "bad"), "unused") == "results folder x: bad"


# --- Step, Reset, the ensemble, the picker: no action reaches the page as a traceback --------


def test_a_step_that_fails_stops_the_run_with_a_note(
    session: Any,  # noqa: F811
    in_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
) -> None:
    rc = served_page()
    with monkeypatch.context() as patch:

        def broken(*args: Any) -> None:
            raise RuntimeError(f"failed in {in_root}")

        patch.setattr(negotiation, "advance_drivers", broken)  # the first thing a day does
        click(rc, "Step")
    shown = page_text(rc)
    assert "Traceback" not in shown and str(in_root) not in shown
    assert any("The run stopped: day 0 could not be played" in t for t in texts(rc))
    assert rc.find(v.Btn, children=["Step"]).widget.disabled
    assert any(r.exc_info for r in logged.records)
    click(rc, "Reset")
    click(rc, "Step")
    assert "day 0 (" in graph_title(rc)


def test_reset_with_a_value_the_model_refuses_keeps_the_scenarios_settings(
    session: Any,  # noqa: F811
) -> None:
    rc = served_page()
    # The browser can send any value, whatever the choices offered.
    rc.find(v.Select, label="United States: decision rule").widget.v_model = "coin toss"
    click(rc, "Reset")
    assert "Traceback" not in page_text(rc)
    notes = [t for t in texts(rc) if "The scenario's own settings are used instead." in t]
    assert notes == [
        "The settings could not be used: scenario overrides: sides.us.rule: rule must be one of "
        "unanimity, majority, veto. The scenario's own settings are used instead."
    ]
    assert "changed from the scenario: none" in page_text(rc)
    click(rc, "Step")
    assert "day 0 (" in graph_title(rc)


def test_a_failed_ensemble_is_one_line_in_its_panel(
    session: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rc = served_page()
    with monkeypatch.context() as patch:

        def broken(*args: Any, **kwargs: Any) -> None:
            raise MemoryError

        patch.setattr(app_ensemble, "run_in_chunks", broken)
        click(rc, "Run 1,000 runs")
        assert errors(rc) == ["The ensemble could not be run (the server's log has the details)."]
        assert "Traceback" not in page_text(rc)
    click(rc, "Run 1,000 runs")
    assert not errors(rc) and any("of 1,000 runs" in t for t in texts(rc))


def test_the_scenario_picker_opens_bundled_scenarios_only(
    session: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere.toml"
    text = (SCENARIOS / "june2025.toml").read_text(encoding="utf-8")
    elsewhere.write_text(text.replace('title = "', 'title = "Read from elsewhere: ', 1), "utf-8")
    rc = served_page()
    rc.find(v.Select, label="Scenario").widget.v_model = str(elsewhere)
    assert "Read from elsewhere" not in page_text(rc)
    click(rc, "Step")
    assert "day 0 (2025-04-16)" in graph_title(rc)  # still the baseline


def test_a_failure_nothing_caught_is_one_line_and_the_user_starts_again(
    session: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    logged: pytest.LogCaptureFixture,
) -> None:
    # Outside the server, Mesa's update counter is one for every page the tests left alive:
    # only this page's models fail, so that the others, redrawn by this Step, do not.
    class Marked(AppModel):
        pass

    monkeypatch.setattr(app, "AppModel", Marked)
    rc = served_page()
    with monkeypatch.context() as patch:
        works = app_panels.verdict

        def broken(model: AppModel) -> str:
            if isinstance(model, Marked):
                raise ValueError("/srv/secret/path")
            return works(model)

        patch.setattr(app_panels, "verdict", broken)
        click(rc, "Step")
        shown = page_text(rc)
        assert "Traceback" not in shown and "/srv/secret" not in shown
        assert errors(rc) == ["The app failed (the server's log has the details)."]
    assert any(r.exc_info for r in logged.records)
    click(rc, "Start again")
    assert not errors(rc) and "before the first day" in graph_title(rc)
    click(rc, "Step")
    assert "day 0 (" in graph_title(rc)
