"""The ``negotiate`` command line: listing, JSON and text runs, output folders, bad flags."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from helpers import run_main

from experiments import budget
from model import load_scenario
from model.errors import ArgumentError
from negotiate.cli import main

NEGOTIATE = str(Path(sys.executable).with_name("negotiate"))
BASELINE = Path(str(resources.files("model") / "scenarios" / "june2025.toml"))
ISSUES = load_scenario("june2025").issue_keys
RUNS, SEED = 50, 3
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def strict_json(text: str) -> Any:
    """Parse JSON as RFC 8259 does: NaN and Infinity are not JSON."""

    def reject(name: str) -> None:
        raise ValueError(f"not valid JSON: {name}")

    return json.loads(text, parse_constant=reject)


@pytest.fixture(scope="module")
def json_doc() -> dict[str, Any]:
    status, out, err = run_main(["run", "--runs", str(RUNS), "--seed", str(SEED), "--json"])
    assert status == 0, err
    return strict_json(out)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("results") / "out"  # not there yet: the CLI makes it
    argv = ["run", "--runs", str(RUNS), "--seed", str(SEED), "--quiet", "--out", str(folder)]
    status, _, err = run_main(argv)
    assert status == 0, err
    return folder


# --- scenarios ----------------------------------------------------------------------------------


def test_scenarios_lists_june2025(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert "june2025" in names
    title = load_scenario("june2025").title
    assert any(line.startswith("june2025") and title in line for line in out.splitlines())


# --- run --json -----------------------------------------------------------------------------------


def test_json_run_has_the_documented_keys(json_doc: dict[str, Any]) -> None:
    assert {"scenario", "seed", "run", "log", "ensemble"} <= set(json_doc)
    assert json_doc["scenario"] == "june2025"
    assert json_doc["seed"] == SEED
    assert json_doc["run"]["status"] in {"deal", "breakdown"}
    assert json_doc["run"]["seed"] == SEED
    log = json_doc["log"]
    assert isinstance(log, list) and log
    assert all(isinstance(line, str) for line in log)


def test_json_ensemble_summary(json_doc: dict[str, Any]) -> None:
    ens = json_doc["ensemble"]
    assert ens["runs"] == RUNS
    assert ens["seeds"] == [SEED, SEED + RUNS - 1]
    assert 0 <= ens["deals"] <= RUNS
    p = ens["deal_probability"]
    assert p == pytest.approx(ens["deals"] / RUNS)
    low, high = ens["deal_probability_95ci"]
    assert 0.0 <= low <= p <= high <= 1.0
    assert low < high
    quantiles = ens["deal_day_quantiles"]
    assert isinstance(quantiles, dict)
    if ens["deals"]:
        assert quantiles
        days = [q["day"] for q in quantiles.values()]
        assert days == sorted(days)
        for q in quantiles.values():
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", q["date"])
    terms = ens["median_deal_terms"]
    assert set(terms) == set(ISSUES)
    assert len(terms) == 7


def test_json_run_is_reproducible(json_doc: dict[str, Any]) -> None:
    status, out, err = run_main(["run", "--runs", "5", "--seed", str(SEED), "--json"])
    assert status == 0, err
    again = strict_json(out)
    assert again["run"] == json_doc["run"]
    assert again["log"] == json_doc["log"]


def test_json_stays_valid_when_no_run_makes_a_deal(tmp_path: Path) -> None:
    text = BASELINE.read_text(encoding="utf-8")
    # Every party holds out for its own ideal point: no deal is possible.
    text, n = re.subn(r"(?m)^reservation = [0-9.]+", "reservation = 1.0", text)
    assert n == 4
    text, n = re.subn(r"(?m)^reservation_sd = [0-9.]+", "reservation_sd = 0.0", text)
    assert n == 4
    # ... and those stated reservations are what counts: drawn, not from the no-deal terms.
    text, n = re.subn(r'(?m)^reservation = "[a-z_]+"', 'reservation = "drawn"', text)
    assert n == 1
    path = tmp_path / "nodeal.toml"
    path.write_text(text, encoding="utf-8")
    status, out, err = run_main(["run", "--scenario", str(path), "--runs", "3", "--json"])
    assert status == 0, err
    assert json.loads(out)["ensemble"]["deals"] == 0  # lenient parse: the scenario works
    strict_json(out)


# --- run, text ------------------------------------------------------------------------------------


def test_text_run_narrates_and_summarises(json_doc: dict[str, Any]) -> None:
    status, out, err = run_main(["run", "--runs", "5", "--seed", str(SEED)])
    assert status == 0, err
    lines = out.splitlines()
    assert any(f"seed {SEED}" in line for line in lines[:2])
    for entry in json_doc["log"]:  # the same narrated run as the JSON one
        assert entry in out
    assert any("deal probability" in line for line in lines)
    assert any("Ensemble of 5 runs" in line for line in lines)


def test_the_narration_names_issues_in_words_not_by_key() -> None:
    status, out, err = run_main(["run", "--runs", "5", "--seed", "0"])
    assert status == 0, err
    narration = out.split("Ensemble of", 1)[0]
    sc = load_scenario("june2025")
    for issue in sc.issues:
        if issue.short != issue.key:  # "investment" and "defense" are words already
            assert issue.key not in narration
    tabled = [
        line.split(" tables: ", 1)[1] for line in narration.splitlines() if " tables: " in line
    ]
    assert tabled
    for package in tabled:
        assert [part.rsplit(" ", 1)[0] for part in package.split(", ")] == [
            i.short for i in sc.issues
        ]
    for reason in (
        "Japan would not ratify cars 17.5% above 17.4%, yen 0.25 above 0.21",
        "Scott Bessent blocks it over yen;",
        "Howard Lutnick blocks it over cars and investment;",
        "(off the table: yen)",
        "DEAL: cars ",
    ):
        assert reason in narration


def test_quiet_run_prints_only_the_summary() -> None:
    status, out, err = run_main(["run", "--runs", "3", "--seed", str(SEED), "--quiet"])
    assert status == 0, err
    assert err == ""
    assert out.splitlines()[0].startswith("Ensemble of 3 runs")
    assert "deal probability" in out


# --- run --out ------------------------------------------------------------------------------------


OUT_FILES = [
    "concession_graph.png",
    "ensemble.parquet",
    "outcome.json",
    "positions.png",
    "run.png",
    "survival.png",
    "terms.png",
    "utilities.png",
    "utility_plane.png",
]


def test_out_writes_the_outcome_the_table_and_the_figures(out_dir: Path) -> None:
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == OUT_FILES
    assert not [n for n in names if n.startswith(".")]


def test_out_outcome_json(out_dir: Path, json_doc: dict[str, Any]) -> None:
    doc = strict_json((out_dir / "outcome.json").read_text(encoding="utf-8"))
    assert doc["seed"] == SEED
    assert doc["run"]["seed"] == SEED
    assert doc["ensemble"]["runs"] == RUNS
    assert doc == json_doc  # same seed and runs: the same document as --json prints


def test_out_run_png(out_dir: Path) -> None:
    data = (out_dir / "run.png").read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 10_000


def test_out_ensemble_parquet(out_dir: Path) -> None:
    table = pd.read_parquet(out_dir / "ensemble.parquet")
    assert len(table) == RUNS
    assert [int(s) for s in table["seed"]] == list(range(SEED, SEED + RUNS))
    assert set(table["status"]) <= {"deal", "breakdown"}
    assert {f"term_{k}" for k in ISSUES} <= set(table.columns)


def test_out_into_an_existing_folder_overwrites_cleanly(tmp_path: Path) -> None:
    (tmp_path / "outcome.json").write_text("stale", encoding="utf-8")
    status, _, err = run_main(
        ["run", "--runs", "2", "--seed", "1", "--quiet", "--out", str(tmp_path)]
    )
    assert status == 0, err
    assert strict_json((tmp_path / "outcome.json").read_text(encoding="utf-8"))["seed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == OUT_FILES


# --- bad flags ------------------------------------------------------------------------------------

BAD_FLAGS = {
    "runs_zero": (["run", "--runs", "0"], "--runs"),
    "runs_not_a_number": (["run", "--runs", "abc"], "--runs"),
    "negative_seed": (["run", "--seed", "-1"], "--seed"),
    "unknown_flag": (["run", "--bogus"], "--bogus"),
    "unknown_scenario": (["run", "--scenario", "nosuch", "--runs", "2"], "nosuch"),
    "no_command": ([], "command"),
    "unknown_command": (["bogus"], "bogus"),
}


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].strip()
    assert re.match(r"negotiate( \w+)?: error: ", lines[0]), lines[0]
    return lines[0]


@pytest.mark.parametrize("case", list(BAD_FLAGS))
def test_bad_flag_in_process(case: str) -> None:
    argv, mention = BAD_FLAGS[case]
    status, out, err = run_main(argv)
    assert status == 2
    assert out == ""
    assert mention in one_error_line(err)


def test_seed_plus_runs_past_the_seed_range() -> None:
    status, out, err = run_main(["run", "--seed", str(2**63 - 1), "--runs", "2", "--quiet"])
    assert status == 2
    assert out == ""
    assert "--runs" in one_error_line(err)


@pytest.mark.parametrize("case", ["runs_zero", "runs_not_a_number", "negative_seed"])
def test_flag_errors_start_with_negotiate_error(case: str) -> None:
    status, _, err = run_main(BAD_FLAGS[case][0])
    assert status == 2
    assert err.startswith("negotiate: error: ")


# --- exit statuses, as a real process -------------------------------------------------------------

Results = dict[str, subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    """Run every bad command line as a subprocess, in parallel (each start costs ~2 s)."""
    folder = tmp_path_factory.mktemp("cli")
    a_file = folder / "a_file"
    a_file.write_text("keep me\n", encoding="utf-8")
    jobs = {case: argv for case, (argv, _) in BAD_FLAGS.items()}
    jobs["out_is_a_file"] = ["run", "--runs", "2", "--quiet", "--out", str(a_file)]
    jobs["out_under_a_file"] = ["run", "--runs", "2", "--quiet", "--out", str(a_file / "sub")]
    jobs["scenarios"] = ["scenarios"]

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [NEGOTIATE, *argv], capture_output=True, text=True, timeout=120, check=False, cwd=folder
        )

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {key: pool.submit(run, argv) for key, argv in jobs.items()}
        return folder, {key: f.result() for key, f in futures.items()}


def test_cli_scenarios_exits_0(cli_results: tuple[Path, Results]) -> None:
    r = cli_results[1]["scenarios"]
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert any(line.split()[0] == "june2025" for line in r.stdout.splitlines() if line.strip())


@pytest.mark.parametrize("case", list(BAD_FLAGS))
def test_cli_bad_flag_exits_2(case: str, cli_results: tuple[Path, Results]) -> None:
    r = cli_results[1][case]
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert BAD_FLAGS[case][1] in one_error_line(r.stderr)


def test_cli_out_is_an_existing_file(cli_results: tuple[Path, Results]) -> None:
    folder, results = cli_results
    r = results["out_is_a_file"]
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert str(folder / "a_file") in one_error_line(r.stderr)
    assert (folder / "a_file").read_text(encoding="utf-8") == "keep me\n"
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_cli_out_below_an_existing_file(cli_results: tuple[Path, Results]) -> None:
    r = cli_results[1]["out_under_a_file"]
    assert r.returncode == 2, r.stderr
    one_error_line(r.stderr)


def test_set_overrides_reach_the_run_and_the_ensemble() -> None:
    argv = ["run", "--scenario", "two_level", "--runs", "200", "--json", "--quiet"]
    status, out, err = run_main(argv)
    assert status == 0, err
    base = strict_json(out)
    status, out, err = run_main([*argv, "--set", "sides.japan.win_set.tariff.max=5"])
    assert status == 0, err
    narrow = strict_json(out)
    assert narrow["overrides"] == {"sides.japan.win_set.tariff.max": 5.0}
    assert narrow["ensemble"]["deal_probability"] < base["ensemble"]["deal_probability"]
    if narrow["run"]["status"] == "deal":
        assert narrow["run"]["terms"]["tariff"] <= 5.0 + 1e-9


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("nonsense", "--set expects PATH=VALUE"),
        ("parties.us.strategy.exponent=-1", "parties.us.strategy.exponent"),
        ("sides.japan.win_set.nowhere.max=3", "sides.japan.win_set.nowhere.max"),
        # The schema's bounds hold for overrides too (model.limits).
        ("parties.us.clout=1e300", "values must lie in [0.001, 1000.0]"),
        ("parties.us.fx_sensitivity=1e308", "parties.us.fx_sensitivity"),
        ("drivers.fx.volatility=1e300", "drivers.fx.volatility"),
    ],
)
def test_bad_set_is_one_line_and_exit_2(flag: str, message: str) -> None:
    status, _, err = run_main(["run", "--scenario", "two_level", "--quiet", "--set", flag])
    assert status == 2
    assert message in err
    assert err.count("\n") == 1


def test_theory_writes_validation_from_scratch(tmp_path: Path) -> None:
    stale = tmp_path / "validation" / "old.png"
    stale.parent.mkdir()
    stale.write_bytes(b"stale")
    status, out, err = run_main(["theory", "--out", str(tmp_path), "--runs", "400"])
    assert status == 0, out + err
    doc = (tmp_path / "validation.md").read_text()
    assert "9 of 9 predictions hold" in doc
    assert out.count("ok  ") == 9
    assert not stale.exists()
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", doc)
    assert len(figures) == 8
    for fig in figures:
        assert (tmp_path / fig).read_bytes()[:8] == PNG_MAGIC


# --- counts and paths beyond what the machine can do -------------------------------------------


def _small_memory() -> None:
    # The old code ran these until the machine ran out of memory: keep it to a few GB.
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


@pytest.fixture(scope="module")
def absurd_counts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Results]:
    """Each command with a run count no machine holds, as subprocesses in parallel."""
    folder = tmp_path_factory.mktemp("counts")
    huge = "10000000000"
    jobs = {
        "run": ["run", "--runs", huge, "--quiet", "--out", str(folder / "run")],
        "compare": ["compare", "june2025", "two_level", "--runs", huge, "--out", str(folder / "c")],
        "mechanisms": ["mechanisms", "--runs", huge, "--out", str(folder / "mechanisms")],
        "theory": ["theory", "--runs", huge, "--out", str(folder / "theory")],
    }

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [NEGOTIATE, *argv],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=folder,
            preexec_fn=_small_memory,
        )

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {key: pool.submit(run, argv) for key, argv in jobs.items()}
        return folder, {key: f.result() for key, f in futures.items()}


@pytest.mark.parametrize("command", ["run", "compare", "mechanisms", "theory"])
def test_a_run_count_beyond_memory_is_refused_at_once(
    command: str, absurd_counts: tuple[Path, Results]
) -> None:
    folder, results = absurd_counts
    r = results[command]
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    line = one_error_line(r.stderr)
    assert "argument --runs: 10,000,000,000 runs need about" in line
    assert "TB of memory, more than the" in line and "available" in line
    assert not [p for p in folder.iterdir()], "nothing is written"


def test_the_memory_check_gives_the_estimate_and_the_limit() -> None:
    june = load_scenario("june2025")
    assert budget.table_bytes(june, 1000) == 1000 * 36 * budget.CELL_BYTES
    with pytest.raises(ArgumentError) as info:
        budget.check_memory("--runs", 10**6, 10**9, available=10**9)
    line = info.value.line()
    assert "1,000,000 runs need about 1.5 GB of memory, more than the 1.0 GB available" in line
    budget.check_memory("--runs", 1000, budget.table_bytes(june, 1000), available=10**9)


@pytest.mark.parametrize("film", ["/proc/film.gif", "a_folder.gif"])
def test_a_film_that_cannot_be_written_fails_before_any_work(film: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = Path(film) if film.startswith("/") else tmp_path / film
    if not film.startswith("/"):
        path.mkdir()
    argv = ["run", "--runs", "3", "--quiet", "--out", str(out), "--animate", str(path)]
    status, stdout, err = run_main(argv)
    assert status == 2 and stdout == ""
    assert f"argument --animate: {path}" in one_error_line(err)
    assert not out.exists(), "nothing is written before the film's path is known good"
