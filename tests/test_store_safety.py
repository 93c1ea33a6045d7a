"""The sweep store under hostile and unlucky conditions: nothing lost, doubled or mixed.

Each test reproduces a way a store used to lose, mix or trust the wrong rows: workers writing
where the client never looks, two sweeps in one folder, damaged or stray chunk files,
interrupted writes, a killed sweep's workers, a scheduler that is not there, a full disk.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import run_main

import experiments.store
import experiments.sweep
from experiments.store import MANIFEST, QUARANTINE, RUNS, chunk_path, done_chunks, open_store
from experiments.sweep import run_sweep
from experiments.sweep_file import load_sweep

BIN = Path(sys.executable).parent
NEGOTIATE = str(BIN / "negotiate")

SWEEP = """
name = "grid"
scenario = "june2025"
seed = 11
replicates = 40

[design]
kind = "grid"

[parameters]
"sides.us.cohesion" = { values = [0.2, 0.8] }
"calendar.extension.probability" = { range = [0.0, 0.8], steps = 3 }
"""


def write(folder: Path, text: str = SWEEP, name: str = "sweep.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The sweep's rows, stored by one worker into a fresh folder (240 runs, 4 chunks)."""
    tmp = tmp_path_factory.mktemp("reference")
    out = tmp / "out"
    run_sweep(load_sweep(write(tmp)), out, workers=1, chunk_size=70)
    return open_store(out).runs()


def fresh_store(tmp: Path) -> Path:
    out = tmp / "store"
    run_sweep(load_sweep(write(tmp)), out, workers=1, chunk_size=70)
    return out


def one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


# --- a store that proves its contents -------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    ["truncated to half", "emptied", "stray copy", "another sweep's chunk", "renumbered"],
)
def test_damaged_or_stray_chunks_are_refused_then_set_aside_and_run_again(
    tmp_path: Path, reference: pd.DataFrame, damage: str
) -> None:
    out = fresh_store(tmp_path)
    target = chunk_path(out, 1)
    if damage == "truncated to half":
        data = target.read_bytes()
        target.write_bytes(data[: len(data) // 2])
    elif damage == "emptied":
        target.write_bytes(b"")
    elif damage == "stray copy":
        shutil.copy(target, target.with_name("chunk-000001 (copy).parquet"))
    elif damage == "another sweep's chunk":
        other = tmp_path / "other"
        run_sweep(
            load_sweep(write(other, SWEEP.replace("seed = 11", "seed = 12"))),
            other / "out",
            workers=1,
            chunk_size=70,
        )
        shutil.copy(chunk_path(other / "out", 1), target)
    else:  # chunk 2's file under chunk 1's name: the right sweep, the wrong runs
        shutil.copy(chunk_path(out, 2), target)
    for command in (["analyze", str(out)], ["replay", str(out), "--run", "100", "--quiet"]):
        status, _, err = run_main(command)
        assert status == 2 and one_line(err), (damage, command, err)
        assert "runs/chunk-000001" in err, err
    again = run_sweep(load_sweep(write(tmp_path)), out, workers=1)
    assert again.quarantined == 1
    assert again.ran == (0 if damage == "stray copy" else 70)
    pd.testing.assert_frame_equal(open_store(out).runs(), reference)
    kept = out / RUNS / QUARANTINE
    assert len([p for p in kept.iterdir() if p.name != "why.txt"]) == 1
    assert (kept / "why.txt").read_text(encoding="utf-8").count("\n") == 1


def test_an_interrupted_write_leaves_nothing_behind_once_resumed(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = fresh_store(tmp_path)
    chunk_path(out, 3).unlink()
    half = out / RUNS / ".chunk-000003.parquet.ab12cd.tmp"  # as a killed write leaves it
    half.write_bytes(b"PAR1 half a file")
    assert run_sweep(load_sweep(write(tmp_path)), out, workers=1).ran == 30
    assert not half.exists()
    assert not list(out.rglob("*.tmp"))
    pd.testing.assert_frame_equal(open_store(out).runs(), reference)


def test_a_folder_with_chunks_but_no_manifest_is_refused(tmp_path: Path) -> None:
    out = fresh_store(tmp_path)
    (out / MANIFEST).unlink()
    other = write(tmp_path / "b", SWEEP.replace("seed = 11", "seed = 12"))
    status, _, err = run_main(["sweep", str(other), "--out", str(out), "--quiet"])
    assert status == 2 and one_line(err) and "no manifest.json" in err, err
    assert not (out / MANIFEST).exists()


@pytest.mark.parametrize(
    ("text", "needle"),
    [("[1, 2, 3]", "not a JSON object"), ('{"digest": "x"}', "'runs'"), ("{", "unreadable")],
)
def test_a_broken_manifest_is_one_line(tmp_path: Path, text: str, needle: str) -> None:
    out = fresh_store(tmp_path)
    (out / MANIFEST).write_text(text, encoding="utf-8")
    for command in (["analyze", str(out)], ["sweep", str(write(tmp_path)), "--out", str(out)]):
        status, _, err = run_main(command)
        assert status == 2 and one_line(err) and needle in err, (command, err)


def test_a_full_disk_is_one_line_exit_1_and_the_sweep_is_not_called_finished(
    tmp_path: Path, reference: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = 0

    def full(path: Path, rows: pd.DataFrame, ident: object) -> None:
        nonlocal written
        if written == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written += 1
        real(path, rows, ident)

    real = experiments.sweep.write_chunk
    monkeypatch.setattr(experiments.sweep, "write_chunk", full)
    path, out = write(tmp_path), tmp_path / "store"
    status, _, err = run_main(["sweep", str(path), "--out", str(out), "--chunk-size", "70"])
    assert status == 1 and one_line(err) and "No space left on device" in err, err
    assert open_store(out).manifest["finished"] is None
    assert len(done_chunks(out)) == 2
    monkeypatch.setattr(experiments.sweep, "write_chunk", real)
    status, _, err = run_main(["sweep", str(path), "--out", str(out), "--quiet"])
    assert status == 0, err
    assert open_store(out).manifest["finished"] is not None
    pd.testing.assert_frame_equal(open_store(out).runs(), reference)


# --- one writer -----------------------------------------------------------------------------------


def slow_sweep(folder: Path, seed: int) -> Path:
    """A sweep long enough (2,400 runs in chunks of 50) to be caught while it runs."""
    return write(
        folder,
        SWEEP.replace("replicates = 40", "replicates = 400").replace("seed = 11", f"seed = {seed}"),
        name=f"sweep-{seed}.toml",
    )


def start(argv: list[str], cwd: Path | None = None, pipes: bool = True) -> subprocess.Popen[str]:
    out = subprocess.PIPE if pipes else subprocess.DEVNULL
    return subprocess.Popen(
        argv, cwd=cwd, start_new_session=True, stdout=out, stderr=out, text=True
    )


def wait_for(check: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_two_sweeps_on_one_new_folder_never_mix(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    a, b = slow_sweep(tmp_path, 11), slow_sweep(tmp_path, 12)
    flags = ["--out", str(out), "--workers", "1", "--chunk-size", "50", "--quiet"]
    first = start([NEGOTIATE, "sweep", str(a), *flags])
    wait_for(lambda: (out / MANIFEST).exists())
    second = subprocess.run(
        [NEGOTIATE, "sweep", str(b), *flags], capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 2 and one_line(second.stderr), second.stderr
    assert "another sweep" in second.stderr and "writing to this folder" in second.stderr
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    stored = open_store(out)
    assert stored.manifest["digest"] == load_sweep(a).digest
    runs = stored.runs()
    assert runs["run"].tolist() == list(range(2400))
    again = subprocess.run(
        [NEGOTIATE, "sweep", str(b), *flags], capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 2 and "holds another sweep" in again.stderr


def children(pid: int) -> set[int]:
    """Every live descendant of a process (from /proc)."""
    found, frontier = set(), {pid}
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            kids = task / "children"
            if kids.exists():
                for kid in kids.read_text().split():
                    if int(kid) not in found:
                        found.add(int(kid))
                        frontier.add(int(kid))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("runner", [[], ["--dask"]], ids=["processes", "local dask"])
def test_killing_the_sweep_leaves_no_worker_behind(tmp_path: Path, runner: list[str]) -> None:
    out = tmp_path / "killed"
    argv = [NEGOTIATE, "sweep", str(slow_sweep(tmp_path, 11)), "--out", str(out)]
    flags = [*runner, "--workers", "2", "--chunk-size", "50", "--quiet"]
    proc = start([*argv, *flags], pipes=False)
    wait_for(lambda: len(done_chunks(out)) >= 2 and len(children(proc.pid)) >= 2)
    workers = children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # the main process only: its workers are left orphaned
    proc.wait(timeout=30)
    wait_for(lambda: not any(alive(w) for w in workers), timeout=10)
    done = subprocess.run(
        [*argv, "--workers", "2", "--quiet"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert open_store(out).runs()["run"].tolist() == list(range(2400))


# --- Dask -----------------------------------------------------------------------------------------


@pytest.fixture()
def dask_cluster(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real Dask scheduler and two workers, each started in a folder of its own."""
    info = tmp_path / "scheduler.json"
    procs = [
        start(
            [
                str(BIN / "dask"),
                "scheduler",
                "--scheduler-file",
                str(info),
                "--port",
                "0",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ],
            cwd=write(tmp_path / "scheduler-home", "").parent,
            pipes=False,
        )
    ]
    wait_for(lambda: info.exists() and info.stat().st_size > 0, timeout=60)
    for k in range(2):
        home = tmp_path / f"worker-{k}"
        home.mkdir()
        procs.append(
            start(
                [
                    str(BIN / "dask"),
                    "worker",
                    "--scheduler-file",
                    str(info),
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                cwd=home,
                pipes=False,
            )
        )
    address = json.loads(info.read_text())["address"]
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=60)
    yield address, procs[0]
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):  # a test may have killed it
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_dask_workers_in_other_folders_store_every_run_where_the_client_says(
    tmp_path: Path, dask_cluster: tuple[str, subprocess.Popen[str]], reference: pd.DataFrame
) -> None:
    client_home = tmp_path / "client"
    path = write(client_home)
    argv = [NEGOTIATE, "sweep", path.name, "--out", "rel_out", "--chunk-size", "70", "--quiet"]
    done = subprocess.run(
        [*argv, "--scheduler", dask_cluster[0]],
        cwd=client_home,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(open_store(client_home / "rel_out").runs(), reference)
    for k in range(2):
        assert not list((tmp_path / f"worker-{k}").rglob("*.parquet"))


def test_a_scheduler_dying_mid_sweep_is_one_line_and_the_sweep_completes_later(
    tmp_path: Path, dask_cluster: tuple[str, subprocess.Popen[str]]
) -> None:
    address, scheduler = dask_cluster
    path, out = slow_sweep(tmp_path, 11), tmp_path / "o"
    argv = [NEGOTIATE, "sweep", str(path), "--out", str(out), "--chunk-size", "50", "--quiet"]
    proc = start([*argv, "--scheduler", address])
    wait_for(lambda: len(done_chunks(out)) >= 2)
    os.killpg(scheduler.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and one_line(err) and "went away" in err, err
    assert open_store(out).manifest["finished"] is None
    done = subprocess.run([*argv, "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert open_store(out).runs()["run"].tolist() == list(range(2400))


@pytest.mark.parametrize(
    ("address", "status", "needle"),
    [("tcp://127.0.0.1:9", 1, "cannot reach the Dask scheduler"), ("tcp://[::1", 2, "--scheduler")],
)
def test_a_scheduler_that_is_not_there_is_one_line(
    tmp_path: Path, address: str, status: int, needle: str
) -> None:
    path = write(tmp_path)
    out = tmp_path / "o"
    got, _, err = run_main(["sweep", str(path), "--out", str(out), "--scheduler", address])
    assert got == status and one_line(err) and needle in err, err
    if status == 2:  # a bad flag: nothing written
        assert not out.exists()
    else:  # the machine failed: a store to complete later, not called finished
        assert open_store(out).manifest["finished"] is None


def test_many_series_take_force(tmp_path: Path) -> None:
    path, out = write(tmp_path), tmp_path / "o"
    status, _, err = run_main(["sweep", str(path), "--out", str(out), "--series", "2000"])
    assert status == 2 and one_line(err) and "--force" in err, err
    assert not out.exists()


def test_a_full_disk_while_the_store_is_set_up_is_one_line_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, data: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(experiments.store, "write_json", full)
    status, _, err = run_main(["sweep", str(write(tmp_path)), "--out", str(tmp_path / "o")])
    assert status == 1 and one_line(err) and "No space left on device" in err, err
    assert not (tmp_path / "o" / MANIFEST).exists()
