"""Sweeps: design, seeds, resumable storage, Dask, failures, bad files, replay and analysis."""

from __future__ import annotations

import gc
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import pytest
from helpers import assert_rows_equal, run_main, run_to_end

import model.ensemble
from experiments.allocator import keep_freed_memory
from experiments.analysis import analyze
from experiments.chunks import run_in_chunks
from experiments.design import design_points, run_seeds
from experiments.replay import replay
from experiments.runner import run_local
from experiments.store import RUNS, chunk_ids, done_chunks, open_store
from experiments.sweep import plan, prepare_store, run_sweep, store_chunk
from experiments.sweep_file import load_sweep
from model import NegotiationModel

NEGOTIATE = str(Path(sys.executable).with_name("negotiate"))
SWEEPS = Path(__file__).resolve().parents[1] / "experiments" / "sweeps"

GRID = """
name = "grid"
description = "cohesion and extension probability"
scenario = "june2025"
seed = 11
replicates = 40

[design]
kind = "grid"

[parameters]
"sides.us.cohesion" = { values = [0.2, 0.8] }
"calendar.extension.probability" = { range = [0.0, 0.8], steps = 3 }
"parties.akazawa.strategy.exponent" = 2.5
"""

SOBOL = """
name = "sobol"
scenario = "june2025"
seed = 5
replicates = 8

[design]
kind = "sobol"
points = 8

[parameters.sides.us]
cohesion = { range = [0.1, 0.9] }

[parameters.parties.lutnick.strategy]
exponent = { range = [1.0, 6.0] }
"""


def write(tmp: Path, text: str, name: str = "sweep.toml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def stored_runs(out: Path) -> pd.DataFrame:
    return open_store(out).runs()


# --- design and seeds ---------------------------------------------------------------------------


def test_grid_design_is_every_combination_with_constants_apart(tmp_path: Path) -> None:
    sweep = load_sweep(write(tmp_path, GRID))
    design = design_points(sweep.spec)
    assert len(design) == 2 * 3
    assert sorted(design["param.calendar.extension.probability"].unique()) == [0.0, 0.4, 0.8]
    assert "param.parties.akazawa.strategy.exponent" not in design
    assert sweep.spec.constants == {"parties.akazawa.strategy.exponent": 2.5}


@pytest.mark.parametrize(
    ("kind", "extra", "points"),
    [
        ("sobol", "", 8 * (2 + 2)),
        ("sobol", "second_order = true", 8 * (2 * 2 + 2)),
        ("morris", "levels = 4", 8 * (2 + 1)),
        ("latin", "", 8),
    ],
)
def test_sampled_designs_have_salib_sizes_inside_their_ranges(
    tmp_path: Path, kind: str, extra: str, points: int
) -> None:
    text = SOBOL.replace('kind = "sobol"', f'kind = "{kind}"\n{extra}')
    design = design_points(load_sweep(write(tmp_path, text)).spec)
    assert len(design) == points
    assert design["param.sides.us.cohesion"].between(0.1, 0.9).all()
    assert design["param.parties.lutnick.strategy.exponent"].between(1.0, 6.0).all()
    again = design_points(load_sweep(write(tmp_path, text)).spec)
    pd.testing.assert_frame_equal(design, again)


def test_monte_carlo_points_follow_the_master_seed(tmp_path: Path) -> None:
    text = GRID.replace('kind = "grid"', 'kind = "monte_carlo"\npoints = 50')
    a = design_points(load_sweep(write(tmp_path, text)).spec)
    b = design_points(load_sweep(write(tmp_path, text.replace("seed = 11", "seed = 12"))).spec)
    assert len(a) == 50
    assert set(a["param.sides.us.cohesion"]) <= {0.2, 0.8}
    assert a["param.calendar.extension.probability"].between(0.0, 0.8).all()
    assert not a.equals(b)


def test_run_seeds_derive_from_the_master_seed_alone() -> None:
    all_seeds = run_seeds(7, 0, 1000)
    assert len(np.unique(all_seeds)) == 1000
    assert np.all(all_seeds < np.uint64(2**63))
    np.testing.assert_array_equal(run_seeds(7, 300, 310), all_seeds[300:310])
    words = np.random.SeedSequence([7, 0]).generate_state(1000, np.uint64)
    np.testing.assert_array_equal(all_seeds, words & np.uint64(2**63 - 1))


def test_common_seeds_repeat_the_replicate_seeds_at_every_point(tmp_path: Path) -> None:
    text = GRID.replace("replicates = 40", "replicates = 5\ncommon_seeds = true")
    out = tmp_path / "crn"
    run_sweep(load_sweep(write(tmp_path, text)), out, workers=1)
    runs = stored_runs(out)
    seeds = runs["seed"].to_numpy(np.uint64).reshape(6, 5)
    assert (seeds == run_seeds(11, 0, 5)[None, :]).all()
    assert open_store(out).manifest["common_seeds"] is True
    assert replay(out, 17).matches


# --- the store ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("grid")
    out = tmp / "out"
    run_sweep(load_sweep(write(tmp, GRID)), out, workers=1, chunk_size=70, series=3)
    return out


def test_store_holds_every_run_once_with_its_seed_and_parameters(grid_store: Path) -> None:
    st = open_store(grid_store)
    runs = st.runs()
    m = st.manifest
    assert m["runs"] == len(runs) == 240
    assert runs["run"].tolist() == list(range(240))
    assert (runs["point"] == runs["run"] // 40).all()
    np.testing.assert_array_equal(runs["seed"].to_numpy(np.uint64), run_seeds(11, 0, 240))
    assert (runs["param.parties.akazawa.strategy.exponent"] == 2.5).all()
    merged = runs.merge(st.design, on="point", suffixes=("", "_design"))
    assert (merged["param.sides.us.cohesion"] == merged["param.sides.us.cohesion_design"]).all()
    assert set(runs["status"]) <= {"deal", "breakdown"}
    for key in ("sweep_text", "digest", "seed_scheme", "versions", "git_commit", "created"):
        assert key in m
    assert m["finished"] is not None
    assert m["versions"]["numpy"] == np.__version__
    assert len(done_chunks(grid_store)) == 4  # 240 runs in chunks of 70
    assert {"nash_distance", "frontier_distance", "gain_akazawa"} <= set(runs.columns)


def test_every_stored_row_is_the_single_run_of_its_seed_and_parameters(grid_store: Path) -> None:
    st = open_store(grid_store)
    runs = st.runs()
    for i in (0, 39, 41, 130, 239):
        row = runs.iloc[i].to_dict()
        overrides = {
            "sides.us.cohesion": float(row["param.sides.us.cohesion"]),
            "calendar.extension.probability": float(row["param.calendar.extension.probability"]),
            "parties.akazawa.strategy.exponent": 2.5,
        }
        model = run_to_end(NegotiationModel("june2025", rng=int(row["seed"]), overrides=overrides))
        assert model.outcome is not None
        expected = model.outcome.to_row()
        assert_rows_equal(expected, {k: row[k] for k in expected}, f"run {i}")


def test_series_are_kept_for_a_sample_of_runs(grid_store: Path) -> None:
    st = open_store(grid_store)
    assert st.manifest["series_runs"] == [0, 120, 239]
    for run in st.manifest["series_runs"]:
        series = st.series(run)
        assert series is not None
        row = st.row(run)
        assert (series["run"] == run).all()
        assert int(series["day"].iloc[-1]) == int(row["day"])
    assert st.series(1) is None


def test_the_same_sweep_gives_identical_parquet_twice(tmp_path: Path, grid_store: Path) -> None:
    out = tmp_path / "again"
    run_sweep(load_sweep(write(tmp_path, GRID)), out, workers=1, chunk_size=70, series=3)
    for a in sorted((grid_store / RUNS).glob("*.parquet")):
        b = out / RUNS / a.name
        assert a.read_bytes() == b.read_bytes(), a.name
    pd.testing.assert_frame_equal(stored_runs(grid_store), stored_runs(out))


def test_a_second_call_runs_nothing_and_a_lost_chunk_is_run_again(
    tmp_path: Path, grid_store: Path
) -> None:
    out = tmp_path / "resume"
    sweep = load_sweep(write(tmp_path, GRID))
    run_sweep(sweep, out, workers=1, chunk_size=70)
    assert run_sweep(sweep, out, workers=1).ran == 0
    (out / RUNS / "chunk-000002.parquet").unlink()
    again = run_sweep(sweep, out, workers=1, chunk_size=999)  # the store keeps its chunk size
    assert again.ran == 70
    pd.testing.assert_frame_equal(stored_runs(out), stored_runs(grid_store))


def test_local_processes_and_a_local_dask_cluster_write_the_same_rows(
    tmp_path: Path, grid_store: Path
) -> None:
    sweep = load_sweep(write(tmp_path, GRID))
    run_sweep(sweep, tmp_path / "procs", workers=2, chunk_size=70)
    run_sweep(sweep, tmp_path / "dask", workers=2, chunk_size=70, dask=True)
    expected = stored_runs(grid_store)
    pd.testing.assert_frame_equal(stored_runs(tmp_path / "procs"), expected)
    pd.testing.assert_frame_equal(stored_runs(tmp_path / "dask"), expected)


def test_spawned_and_forked_workers_write_the_same_rows(tmp_path: Path, grid_store: Path) -> None:
    sweep = load_sweep(write(tmp_path, GRID))
    out = tmp_path / "spawned"
    manifest = prepare_store(sweep, out, 70, 3)
    ids = chunk_ids(manifest)
    tasks = plan(sweep, manifest, open_store(out).design, set())
    run_local(tasks, 2, lambda done: store_chunk(out, done, ids), "spawn")
    pd.testing.assert_frame_equal(stored_runs(out), stored_runs(grid_store))
    spawned, forked = open_store(out), open_store(grid_store)
    for run in (0, 120, 239):
        pd.testing.assert_frame_equal(spawned.series(run), forked.series(run))


def test_forked_workers_leave_the_collector_unfrozen(tmp_path: Path) -> None:
    sweep = load_sweep(write(tmp_path, GRID))
    result = run_sweep(sweep, tmp_path / "procs", workers=2, chunk_size=120)
    assert result.ran == 240
    assert 0 < result.setup_seconds < result.seconds
    assert gc.get_freeze_count() == 0


FAULTS = """
import resource, sys
import numpy as np
from experiments.allocator import keep_freed_memory
from model.ensemble import run_ensemble
if sys.argv[1] == "keep":
    assert keep_freed_memory()
run_ensemble("june2025", np.arange(2000, dtype=np.uint64))
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for start in (2000, 4000, 6000):
    run_ensemble("june2025", np.arange(start, start + 2000, dtype=np.uint64))
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_chunks_reuse_freed_memory_instead_of_faulting_it_in_again() -> None:
    assert keep_freed_memory() and keep_freed_memory()
    faults = {}
    for mode in ("keep", "default"):
        done = subprocess.run(
            [sys.executable, "-c", FAULTS, mode], capture_output=True, text=True, check=True
        )
        faults[mode] = int(done.stdout.strip())
    # Measured: about 1,000 page faults a chunk with freed memory kept, 5,000 without.
    assert faults["keep"] * 2 < faults["default"], faults


def test_chunks_leave_no_model_alive() -> None:
    before = len(mesa.Agent._ids)
    for start in (0, 500, 1000):
        model.ensemble.run_ensemble("june2025", np.arange(start, start + 500, dtype=np.uint64))
    assert len(mesa.Agent._ids) == before


def test_an_ensemble_in_chunks_frees_each_chunk_before_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def models() -> int:
        return sum(isinstance(o, NegotiationModel) for o in gc.get_objects())

    alive, real = [], model.ensemble.run_ensemble

    def counting(scenario, seeds, overrides=None):  # type: ignore[no-untyped-def]
        alive.append(models() - before)
        return real(scenario, seeds, overrides)

    monkeypatch.setattr(model.ensemble, "run_ensemble", counting)
    gc.collect()
    before = models()
    run_in_chunks("june2025", 0, 2_000, chunk=500)
    # Chunks used to linger in reference cycles, 30 MB each, until the collector came by.
    assert alive == [0, 0, 0, 0]


def test_a_sweep_killed_with_sigkill_and_restarted_has_every_run_once(tmp_path: Path) -> None:
    text = GRID.replace("replicates = 40", "replicates = 400")  # 2,400 runs in 48 chunks
    path = write(tmp_path, text)
    out = tmp_path / "killed"
    argv = [
        NEGOTIATE,
        "sweep",
        str(path),
        "--out",
        str(out),
        "--workers",
        "2",
        "--chunk-size",
        "50",
        "--quiet",
    ]
    proc = subprocess.Popen(argv, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(done_chunks(out)) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes, mid-chunk
    proc.wait()
    partial = len(done_chunks(out))
    assert 5 <= partial < 48
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    runs = stored_runs(out)
    assert runs["run"].tolist() == list(range(2400))
    leftovers = [p for p in (out / RUNS).iterdir() if not p.name.startswith("chunk-")]
    assert not leftovers or all(p.name.startswith(".") for p in leftovers)
    whole = tmp_path / "whole"
    run_sweep(load_sweep(path), whole, workers=2, chunk_size=50)
    pd.testing.assert_frame_equal(runs, stored_runs(whole))


# --- failures -------------------------------------------------------------------------------------


def test_a_failing_run_is_recorded_and_the_rest_run(
    tmp_path: Path, grid_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_seed = int(run_seeds(11, 0, 240)[75])
    real = model.ensemble.run_ensemble

    def flaky(scenario, seeds, overrides=None):
        if bad_seed in np.asarray(seeds).tolist():
            raise FloatingPointError("overflow in a concession")
        return real(scenario, seeds, overrides)

    monkeypatch.setattr(model.ensemble, "run_ensemble", flaky)
    result = run_sweep(load_sweep(write(tmp_path, GRID)), tmp_path / "f", workers=1, chunk_size=70)
    assert result.failed == 1
    runs = stored_runs(tmp_path / "f")
    failed = runs[runs["status"] == "error"]
    assert failed["run"].tolist() == [75]
    assert failed["error"].iloc[0] == "FloatingPointError: overflow in a concession"
    assert int(failed["seed"].iloc[0]) == bad_seed
    assert failed["param.sides.us.cohesion"].notna().all()
    good = runs[runs["status"] != "error"].reset_index(drop=True)
    expected = stored_runs(grid_store).drop(index=75).reset_index(drop=True)
    pd.testing.assert_frame_equal(good[expected.columns], expected, check_dtype=False)
    assert runs["error"].isna().sum() == 239


def test_analysis_refuses_sensitivity_indices_with_failed_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep = load_sweep(write(tmp_path, SOBOL))
    out = tmp_path / "sobol"
    run_sweep(sweep, out, workers=1)
    clean = analyze(out)
    assert clean.refusal is None
    assert set(clean.sensitivity) == {"deal_probability", "mean_day"}
    assert list(clean.sensitivity["deal_probability"].index) == [
        "sides.us.cohesion",
        "parties.lutnick.strategy.exponent",
    ]
    real = model.ensemble.run_ensemble
    bad = int(run_seeds(5, 0, 256)[3])

    def flaky(scenario, seeds, overrides=None):
        if bad in np.asarray(seeds).tolist():
            raise ValueError("broken run")
        return real(scenario, seeds, overrides)

    monkeypatch.setattr(model.ensemble, "run_ensemble", flaky)
    broken = tmp_path / "broken"
    run_sweep(sweep, broken, workers=1)
    status, _, err = run_main(["analyze", str(broken)])
    assert status == 2
    assert err.count("\n") == 1 and "1 runs failed" in err and "sensitivity" in err
    report = (broken / "analysis" / "report.md").read_text()
    assert "Not computed: 1 runs failed" in report
    assert "ValueError: broken run" in report


# --- analysis and replay --------------------------------------------------------------------------


def test_analyze_writes_a_report_with_figures_and_per_point_intervals(grid_store: Path) -> None:
    status, _, err = run_main(["analyze", str(grid_store)])
    assert status == 0, err
    folder = grid_store / "analysis"
    report = (folder / "report.md").read_text()
    for name in ("survival.png", "terms.png"):
        assert (folder / name).read_bytes()[:4] == b"\x89PNG"
        assert f"({name})" in report
    points = pd.read_csv(folder / "points.csv")
    runs = stored_runs(grid_store)
    for _, p in points.iterrows():
        mine = runs[runs["point"] == p["point"]]
        assert p["runs"] == 40
        assert p["probability"] == pytest.approx((mine["status"] == "deal").mean())
        assert p["low"] <= p["probability"] <= p["high"]


def test_replay_reproduces_stored_rows(grid_store: Path) -> None:
    for run in (0, 77, 239):
        r = replay(grid_store, run)
        assert r.matches, r.mismatches
        assert r.model is not None and r.model.log
    status, out, err = run_main(["replay", str(grid_store), "--run", "77"])
    assert status == 0, err
    assert "reproduces the stored row exactly" in out
    assert "sides.us.cohesion=" in out


def test_replay_of_an_unknown_run_is_one_line_and_exit_2(grid_store: Path) -> None:
    status, _, err = run_main(["replay", str(grid_store), "--run", "240"])
    assert status == 2
    assert "no run 240" in err and err.count("\n") == 1


def test_the_bundled_sweeps_load() -> None:
    mc = load_sweep(SWEEPS / "baseline_monte_carlo.toml")
    assert mc.spec.replicates == 1_000_000 and not mc.spec.varied
    sobol = load_sweep(SWEEPS / "teacher_sobol.toml")
    assert sobol.spec.design.kind == "sobol"
    assert len(sobol.spec.varied) >= 8


# --- bad files and flags --------------------------------------------------------------------------

BAD = [
    ("no_file", None, "no such file"),
    ("toml", "name = ", "not valid TOML"),
    ("unknown_key", GRID + "\ncolour = 1\n", "colour"),
    ("unknown_path", GRID.replace("sides.us.cohesion", "sides.us.courage"), "unknown path"),
    ("out_of_range", GRID.replace("[0.2, 0.8]", "[0.2, 1.8]"), "parameters.sides.us.cohesion"),
    ("range_order", GRID.replace("[0.0, 0.8]", "[0.8, 0.0]"), "low < high"),
    ("grid_range_without_steps", GRID.replace(", steps = 3", ""), "needs steps"),
    (
        "sobol_values",
        SOBOL.replace("{ range = [0.1, 0.9] }", "{ values = [0.1, 0.9] }"),
        "needs range",
    ),
    ("sobol_points", SOBOL.replace("points = 8", "points = 10"), "power of two"),
    ("design_kind", GRID.replace('kind = "grid"', 'kind = "factorial"'), "design.kind"),
    ("no_scenario", GRID.replace('"june2025"', '"atlantis"'), "scenario"),
    ("seed", GRID.replace("seed = 11", "seed = -1"), "seed"),
    (
        "two_kinds",
        GRID.replace("{ values = [0.2, 0.8] }", "{ values = [0.2], range = [0, 1] }"),
        "exactly one",
    ),
    (
        "absurd_value",  # the scenario's bounds (model.limits) hold for swept values too
        GRID.replace('strategy.exponent" = 2.5', 'fx_sensitivity" = 1e308'),
        "parameters.parties.akazawa.fx_sensitivity",
    ),
]


@pytest.mark.parametrize(("case", "text", "needle"), BAD, ids=[b[0] for b in BAD])
def test_bad_sweep_files_are_one_line_and_exit_2(
    tmp_path: Path, case: str, text: str | None, needle: str
) -> None:
    path = tmp_path / "missing.toml" if text is None else write(tmp_path, text)
    status, out, err = run_main(["sweep", str(path), "--out", str(tmp_path / "out")])
    assert status == 2, (case, out, err)
    assert err.count("\n") == 1, err
    assert str(path) in err and needle in err, err
    assert not (tmp_path / "out").exists(), "nothing is written for a bad file"


def test_a_folder_holding_another_sweep_is_refused(tmp_path: Path, grid_store: Path) -> None:
    other = write(tmp_path, GRID.replace("seed = 11", "seed = 12"))
    status, _, err = run_main(["sweep", str(other), "--out", str(grid_store)])
    assert status == 2 and "holds another sweep" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("flags", "needle"),
    [
        (["--workers", "0"], "--workers"),
        (["--series", "x"], "--series"),
        (["--chunk-size", "-3"], "--chunk-size"),
    ],
)
def test_bad_sweep_flags_are_one_line_and_exit_2(
    tmp_path: Path, flags: list[str], needle: str
) -> None:
    status, _, err = run_main(["sweep", str(write(tmp_path, GRID)), "--out", "x", *flags])
    assert status == 2 and needle in err and err.count("\n") == 1


def test_analyze_of_a_folder_that_is_no_sweep_is_one_line(tmp_path: Path) -> None:
    status, _, err = run_main(["analyze", str(tmp_path)])
    assert status == 2 and "not a sweep folder" in err and err.count("\n") == 1


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GRID.encode())  # as some Windows editors save
    assert load_sweep(path).spec == load_sweep(write(tmp_path, GRID)).spec


# --- sweeps too large to hold, refused before anything is allocated or written -------------------

MILLION_STEPS = "{ range = [0.1, 0.9], steps = 1_000_000 }"
HUGE = {
    "replicates": (SOBOL.replace("replicates = 8", "replicates = 1e15"), "replicates"),
    "grid": (
        GRID.replace("{ values = [0.2, 0.8] }", MILLION_STEPS).replace(
            "steps = 3", "steps = 1_000_000"
        )
        + f'"sides.japan.cohesion" = {MILLION_STEPS}\n',
        "parameters: the grid design has 1,000,000,000,000,000,000 points; at most 1,000,000",
    ),
    "monte_carlo_points": (
        GRID.replace('kind = "grid"', 'kind = "monte_carlo"\npoints = 1e12'),
        "design.points",
    ),
    "morris_levels": (SOBOL.replace('kind = "sobol"', 'kind = "morris"\nlevels = 1e9'), "levels"),
    "sobol_points": (
        SOBOL.replace("points = 8", "points = 262_144"),
        "design.points: the sobol design has 1,048,576 points; at most 1,000,000",
    ),
    "runs": (
        SOBOL.replace("replicates = 8", "replicates = 400_000"),
        "replicates: 32 points x 400,000 replicates is 12,800,000 runs; at most 10,000,000",
    ),
    "device": (None, "cannot read: not a regular file"),
}


def _small_memory() -> None:
    # The old code allocated these designs until it ran out: keep it to a few GB.
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


@pytest.fixture(scope="module")
def huge_sweeps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    """Each oversized sweep, run by the command in a subprocess (in parallel)."""
    folder = tmp_path_factory.mktemp("huge")

    def run(case: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
        text = HUGE[case][0]
        path = Path("/dev/zero") if text is None else write(folder, text, f"{case}.toml")
        argv = [NEGOTIATE, "sweep", str(path), "--out", str(folder / f"{case}_out")]
        return path, subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            preexec_fn=_small_memory,
        )

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(zip(HUGE, pool.map(run, HUGE), strict=True))


@pytest.mark.parametrize("case", list(HUGE))
def test_a_sweep_too_large_to_hold_is_one_line_before_anything_is_written(
    case: str, huge_sweeps: dict[str, tuple[Path, Any]]
) -> None:
    path, r = huge_sweeps[case]
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert f"sweep file {path}: " in r.stderr and HUGE[case][1] in r.stderr, r.stderr
    assert not Path(r.args[-1]).exists(), "nothing is written for a bad file"
