"""The viz side of the command line: figures of ``run --out``, ``--animate``, ``app`` flags."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from helpers import run_main
from PIL import Image

from viz import animation as anim
from viz import server

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RUN_FIGURES = ["concession_graph.png", "positions.png", "utilities.png", "utility_plane.png"]
ENSEMBLE_FIGURES = ["survival.png", "terms.png"]


def test_out_writes_the_figures_next_to_run_png(tmp_path: Path) -> None:
    out = tmp_path / "out"
    status, text, err = run_main(
        ["run", "--runs", "40", "--seed", "2", "--quiet", "--out", str(out)]
    )
    assert status == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert "run.png" in names
    for name in RUN_FIGURES + ENSEMBLE_FIGURES:
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > 10_000, name
    assert not [n for n in names if n.startswith(".")]  # no temporary file left behind
    assert "figures" in text


def test_three_sides_get_no_utility_plane(tmp_path: Path) -> None:
    status, _, err = run_main(
        ["run", "--scenario", "nparty_pie", "--runs", "10", "--quiet", "--out", str(tmp_path)]
    )
    assert status == 0, err
    names = {p.name for p in tmp_path.iterdir()}
    assert "utility_plane.png" not in names
    assert {"concession_graph.png", "positions.png", "survival.png", "terms.png"} <= names


def test_animate_writes_a_gif(tmp_path: Path) -> None:
    film = tmp_path / "run.gif"
    status, text, err = run_main(
        ["run", "--scenario", "concave_pie", "--runs", "5", "--quiet", "--animate", str(film)]
    )
    assert status == 0, err
    with Image.open(film) as im:
        assert im.format == "GIF"
        assert im.n_frames > 10
    assert f"wrote {film}" in text


@pytest.mark.parametrize(
    ("name", "problem"),
    [("film.avi", "must end in .gif or .mp4"), ("nowhere/film.gif", "does not exist")],
)
def test_animate_bad_target_fails_before_any_work(tmp_path: Path, name: str, problem: str) -> None:
    out = tmp_path / "out"
    status, text, err = run_main(
        ["run", "--runs", "5", "--out", str(out), "--animate", str(tmp_path / name)]
    )
    assert status == 2
    assert text == ""  # no narration: nothing was run
    assert err.count("\n") == 1 and problem in err and "--animate" in err
    assert not out.exists()  # nothing is made, not even the --out folder


def test_mp4_without_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anim.animation.writers, "is_available", lambda name: False)
    status, text, err = run_main(["run", "--runs", "5", "--animate", str(tmp_path / "a.mp4")])
    assert status == 2
    assert text == ""
    assert err.count("\n") == 1 and "MP4 needs ffmpeg" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_app_bad_port(port: str) -> None:
    status, _, err = run_main(["app", "--port", port])
    assert status == 2
    assert err.count("\n") == 1 and "port" in err


def test_app_port_in_use_is_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, _, err = run_main(["app", "--port", str(port)])
    assert status == 2
    assert err.count("\n") == 1 and f"127.0.0.1:{port}" in err


def test_app_help_names_host_and_port() -> None:
    status, text, _ = run_main(["app", "--help"])
    assert status == 0
    assert "--host" in text and "--port" in text and "127.0.0.1" in text


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """``negotiate app`` up to the point where Solara would take over; its arguments."""
    import logging

    from solara.__main__ import run

    calls: list[list[str]] = []

    def start(args: list[str], **kwargs: object) -> None:
        calls.append(args)

    monkeypatch.setattr(run, "main", start)
    # What serve sets for the process it is about to become: put back after the test.
    monkeypatch.delenv(server.SWEEPS_ENV, raising=False)
    for name in ("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "SOLARA_ASSETS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    logger = logging.getLogger("viz")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "level", logger.level)
    return calls


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_app_on_loopback_says_nothing(served: list[list[str]], host: str) -> None:
    status, _, err = run_main(["app", "--host", host, "--port", "0"])
    assert status == 0 and err == ""
    assert served and served[0][served[0].index("--host") + 1] == host


def test_app_on_every_interface_warns_and_goes_on(served: list[list[str]]) -> None:
    status, _, err = run_main(["app", "--host", "0.0.0.0", "--port", "0"])
    assert status == 0 and len(served) == 1  # the server started all the same
    port = served[0][served[0].index("--port") + 1]
    assert err == (
        f"negotiate: warning: --host 0.0.0.0 lets anyone who can reach this machine's "
        f"port {port} open the app\n"
    )


@pytest.mark.parametrize(
    ("host", "warning"),
    [
        ("::1", None),
        ("127.0.0.2", None),
        ("LOCALHOST", None),
        ("::", "--host :: lets anyone who can reach this machine's port 80 open the app"),
        ("192.168.1.5", "--host 192.168.1.5 lets anyone who can reach 192.168.1.5 on port 80"),
        ("class.example.org", "--host class.example.org lets anyone who can reach"),
    ],
)
def test_host_warning_names_who_can_connect(host: str, warning: str | None) -> None:
    said = server.host_warning(host, 80)
    if warning is None:
        assert said is None
    else:
        assert said is not None and said.startswith(f"negotiate: warning: {warning}")


def test_app_sweeps_is_the_folder_given(served: list[list[str]], tmp_path: Path) -> None:
    status, _, err = run_main(["app", "--port", "0", "--sweeps", str(tmp_path / ".")])
    assert status == 0, err
    assert os.environ[server.SWEEPS_ENV] == str(tmp_path.resolve())


def test_app_sweeps_default_to_the_current_folder(
    served: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_main(["app", "--port", "0"])[0] == 0
    assert os.environ[server.SWEEPS_ENV] == str(tmp_path.resolve())


@pytest.mark.parametrize("name", ["missing", "file.txt"])
def test_app_sweeps_must_be_a_folder(served: list[list[str]], tmp_path: Path, name: str) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    status, _, err = run_main(["app", "--sweeps", str(tmp_path / name)])
    assert status == 2 and not served
    assert err == f"negotiate: error: argument --sweeps: {tmp_path / name} is not a folder\n"


def test_app_help_names_sweeps() -> None:
    status, text, _ = run_main(["app", "--help"])
    assert status == 0
    assert "--sweeps DIR" in text and "current folder" in text
