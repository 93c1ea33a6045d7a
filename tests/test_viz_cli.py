"""The viz side of the command line: figures of ``run --out``, ``--animate``, ``app`` flags."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from helpers import run_main
from PIL import Image

from viz import animation as anim

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
