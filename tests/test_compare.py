"""``negotiate compare``: two scenarios on the same seeds, side by side, with a figure."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import run_main

from experiments.chunks import run_in_chunks
from experiments.compare import (
    Difference,
    compare,
    comparison_doc,
    comparison_lines,
    differences,
    fmt_change,
)
from experiments.mechanism_stats import Estimate
from experiments.summary import summarize, survival
from model import load_scenario, run_ensemble
from viz.compare_figures import comparison_figure

NEGOTIATE = str(Path(sys.executable).with_name("negotiate"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
A, B = "june2025", "hawkish_cabinet"
RUNS, SEED = 60, 5


def strict_json(text: str) -> Any:
    def reject(name: str) -> None:
        raise ValueError(f"not valid JSON: {name}")

    return json.loads(text, parse_constant=reject)


@pytest.fixture(scope="module")
def text_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, str, Path]:
    folder = tmp_path_factory.mktemp("compare") / "out"  # not there yet: the command makes it
    argv = ["compare", A, B, "--runs", str(RUNS), "--seed", str(SEED), "--out", str(folder)]
    return (*run_main(argv), folder)


@pytest.fixture(scope="module")
def json_doc() -> dict[str, Any]:
    status, out, err = run_main(
        ["compare", A, B, "--runs", str(RUNS), "--seed", str(SEED), "--json"]
    )
    assert status == 0, err
    return strict_json(out)


# --- a comparison of the baseline and a counterfactual -------------------------------------------


def test_compare_returns_0_and_prints_both_scenarios_side_by_side(
    text_run: tuple[int, str, str, Path],
) -> None:
    status, out, err, _ = text_run
    assert status == 0, err
    assert err == ""  # no progress bar when standard error is not a terminal
    header = next(line for line in out.splitlines() if line.strip().startswith(A))
    assert B in header  # the two column heads on one line
    for label in ("deal probability", "95% Wilson interval", "deadline extended", "deal day, q50"):
        assert label in out
    for issue in load_scenario(A).issues:
        assert issue.label in out
    assert f"{RUNS} runs each on the same seeds ({SEED}–{SEED + RUNS - 1})" in out


def test_compare_writes_a_png_and_a_json_document(text_run: tuple[int, str, str, Path]) -> None:
    status, out, _, folder = text_run
    assert status == 0
    assert sorted(p.name for p in folder.iterdir()) == ["compare.json", "compare.png"]
    assert (folder / "compare.png").read_bytes()[:8] == PNG_MAGIC
    assert (folder / "compare.png").stat().st_size > 10_000
    doc = strict_json((folder / "compare.json").read_text())
    assert doc["scenarios"] == [A, B]
    assert f"wrote {folder}/compare.png" in out


def test_both_ensembles_use_the_same_seeds_and_match_run_ensemble(json_doc: dict[str, Any]) -> None:
    assert json_doc["runs"] == RUNS and json_doc["seeds"] == [SEED, SEED + RUNS - 1]
    seeds = np.arange(SEED, SEED + RUNS, dtype=np.uint64)
    for name, got in zip((A, B), json_doc["summaries"], strict=True):
        expected = summarize(run_ensemble(name, seeds), load_scenario(name))
        assert got["deals"] == expected["deals"]
        assert got["deal_probability_95ci"] == pytest.approx(expected["deal_probability_95ci"])
        assert got["deal_day_quantiles"] == expected["deal_day_quantiles"]
        assert got["extended_share"] == pytest.approx(expected["extended_share"])


def test_the_paired_counts_add_up(json_doc: dict[str, Any]) -> None:
    p = json_doc["paired"]
    deals = [summary["deals"] for summary in json_doc["summaries"]]
    assert deals[1] - deals[0] == p["breakdown_to_deal"] - p["deal_to_breakdown"]
    assert p["difference"] == pytest.approx((deals[1] - deals[0]) / RUNS)
    low, high = p["difference_95ci"]
    assert low <= p["difference"] <= high


def test_a_scenario_compared_with_itself_differs_in_nothing() -> None:
    cmp = compare(A, A, runs=30, seed=11)
    pd.testing.assert_frame_equal(cmp.tables[0], cmp.tables[1])
    paired = cmp.paired()
    assert paired["deal_to_breakdown"] == paired["breakdown_to_deal"] == 0
    assert paired["difference"] == 0.0
    low, high = paired["difference_95ci"]
    assert low == pytest.approx(-high) and low <= 0.0 <= high  # Newcombe's: symmetric about 0
    assert any("+0.0 points" in line for line in comparison_lines(cmp))
    for d in differences(cmp, resamples=200):
        assert d.change.value == 0.0 or math.isnan(d.change.value), d
        if d.unit != "share":  # the same draws on both sides: every resample's change is 0
            assert d.change.low == d.change.high == 0.0, d


def test_settings_of_one_scenario_are_compared_on_the_same_seeds() -> None:
    cohesive = {"sides.us.cohesion": 1.0}
    cmp = compare(A, A, runs=RUNS, seed=SEED, overrides=({}, cohesive), labels=("as filed", "one"))
    pd.testing.assert_frame_equal(cmp.tables[0], run_in_chunks(A, SEED, RUNS))
    pd.testing.assert_frame_equal(cmp.tables[1], run_in_chunks(A, SEED, RUNS, overrides=cohesive))
    assert cmp.labels == ("as filed", "one") and cmp.overrides == ({}, cohesive)
    rows = {d.name: d for d in differences(cmp, resamples=300)}
    deal = rows["deal probability"]
    a, b = cmp.deals()
    assert deal.change.value == pytest.approx(b.mean() - a.mean())
    assert deal.change.low <= deal.change.value <= deal.change.high
    day = rows["median deal day"]
    assert day.change.value == pytest.approx(day.b.value - day.a.value)
    assert day.change.low <= day.change.value <= day.change.high
    assert set(rows) >= {i.label for i in load_scenario(A).issues}
    doc = comparison_doc(cmp)
    assert [d["name"] for d in doc["differences"]] == [d.name for d in differences(cmp)]
    assert "one minus as filed, paired by seed:" in comparison_lines(cmp)


def test_scenarios_with_different_issues_are_compared_on_the_union() -> None:
    cmp = compare(A, "two_level", runs=20, seed=0)
    text = "\n".join(comparison_lines(cmp))
    assert "(no such issue)" in text
    for issue in (*load_scenario(A).issues, *load_scenario("two_level").issues):
        assert issue.label in text
    fig = comparison_figure(cmp)
    issues = {i.key for i in load_scenario(A).issues} | {
        i.key for i in load_scenario("two_level").issues
    }
    assert len(fig.axes) == 1 + len(issues)


def test_survival_is_the_share_of_runs_without_a_deal_by_the_end_of_each_day() -> None:
    table = pd.DataFrame({"status": ["deal", "breakdown", "deal", "deal"], "day": [2, 5, 2, 4]})
    assert survival(table, 5).tolist() == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


# --- errors: one line, exit status 2, nothing written ---------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["compare", A, "junee2025"], "junee2025: no such scenario (bundled: "),
        (["compare", "nowhere/case.toml", B], "nowhere/case.toml: no such file"),
        (["compare", A, B, "--runs", "0"], "runs must be at least 1"),
        (["compare", A], "the following arguments are required: b"),
    ],
)
def test_a_bad_argument_is_one_line_with_exit_status_2(
    argv: list[str], expected: str, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    status, out, err = run_main([*argv, "--out", str(folder)])
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("negotiate: error: ")
    assert expected in err
    assert not folder.exists()  # nothing half-written


def test_a_counterfactual_with_a_bad_base_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "junee2025"\nname = "bad"\n', encoding="utf-8")
    status, out, err = run_main(["compare", A, str(bad)])
    assert status == 2 and out == ""
    assert err.count("\n") == 1
    assert f"{bad}: extends: no such scenario 'junee2025'" in err


def test_the_installed_command_exits_2_with_one_line() -> None:
    done = subprocess.run(
        [NEGOTIATE, "compare", A, "no_such_case"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "no_such_case: no such scenario" in done.stderr


@pytest.mark.parametrize(
    ("unit", "value", "shown"),
    [
        ("share", 0.0163, "+1.6 points"),
        ("share", -0.00004, "+0.0 points"),
        ("%", -0.25, "-0.25 points"),
        ("%", -0.001, "+0.00 points"),
        ("day", -8.0, "-8.0 days"),
        ("$bn", -0.04, "+$0.0bn"),
        ("$bn", -1.34, "-$1.3bn"),
        ("0–1", 0.0081, "+0.008"),
    ],
)
def test_a_change_is_signed_in_its_unit_and_never_minus_zero(
    unit: str, value: float, shown: str
) -> None:
    nothing = Estimate(math.nan, math.nan, math.nan)
    assert fmt_change(Difference("x", unit, nothing, nothing, nothing), value) == shown


def test_settings_of_each_side_come_from_set_and_set_a(tmp_path: Path) -> None:
    status, out, err = run_main(
        ["compare", A, A, "--runs", "40", "--set", "sides.us.cohesion=1", "--json"]
    )
    assert status == 0, err
    doc = strict_json(out)
    assert doc["scenarios"] == ["A", "B"]
    assert doc["settings"] == [
        {"scenario": A, "overrides": {}},
        {"scenario": A, "overrides": {"sides.us.cohesion": 1.0}},
    ]
    status, out, err = run_main(
        ["compare", A, A, "--runs", "40", "--set-a", "parties.lutnick.clout=0.5"]
    )
    assert status == 0, err
    assert out.splitlines()[1:3] == [
        f"  A: {A}, with parties.lutnick.clout=0.5",
        f"  B: {A}, as filed",
    ]


def test_a_bad_setting_is_one_line_before_any_run(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    status, out, err = run_main(
        ["compare", A, A, "--set-a", "sides.us.cohesion=7", "--out", str(folder)]
    )
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "sides.us.cohesion" in err
    assert not folder.exists()


def test_a_setting_that_is_not_a_number_is_named_in_words() -> None:
    status, out, err = run_main(["compare", A, A, "--set", "sides.us.cohesion=lots"])
    assert status == 2 and out == ""
    assert (
        err
        == "negotiate: error: scenario overrides: sides.us.cohesion: expected numbers, got 'lots'\n"
    )
