"""The Compare page's work, without a browser: two settings on the same seeds, the change
with its interval, the figure's alt text and the CSV of both ensembles."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from experiments.chunks import run_in_chunks
from viz.app_compare import (
    CompareResult,
    both_csv,
    figure_alt,
    headline,
    result_rows,
    run_comparison,
)
from viz.app_link import ComparisonInputs, parse_comparison

COHESIVE = {"sides.us.cohesion": 1.0}
RUNS = 200


@pytest.fixture(scope="module")
def result() -> CompareResult:
    return run_comparison(ComparisonInputs(("june2025", "june2025"), ({}, COHESIVE), "3", RUNS))


def test_both_sides_run_their_own_settings_on_the_same_seeds(result: CompareResult) -> None:
    cmp = result.comparison
    assert cmp.seed == 3 and cmp.runs == RUNS
    pd.testing.assert_frame_equal(cmp.tables[0], run_in_chunks("june2025", 3, RUNS))
    pd.testing.assert_frame_equal(
        cmp.tables[1], run_in_chunks("june2025", 3, RUNS, overrides=COHESIVE)
    )
    assert result.settings == (
        "june2025; changed: none",
        "june2025; changed: United States: cohesion = 1.00",
    )
    assert result.notes == ()


def test_the_table_gives_each_statistic_and_the_change_with_its_interval(
    result: CompareResult,
) -> None:
    rows = result_rows(result)
    names = [r[0] for r in rows]
    assert names[:3] == ["deal probability", "runs with the deadline extended", "median deal day"]
    deal = result.rows[0]
    a, b = result.comparison.deals()
    assert deal.change.value == pytest.approx(b.mean() - a.mean())
    assert rows[0][1] == f"{a.mean():.1%}" and rows[0][2] == f"{b.mean():.1%}"
    assert rows[0][3].endswith(" points") and " to " in rows[0][4]
    text = headline(result)
    assert f"{result.comparison.paired()['breakdown_to_deal']:,} of A's breakdowns" in text
    assert "95% interval" in text and "interval" in text.split(".")[-2]
    alt = figure_alt(result)
    assert alt.startswith("Share of runs still without a deal") and "A deals in" in alt


def test_the_csv_holds_both_ensembles_with_side_scenario_and_seed(result: CompareResult) -> None:
    frame = pd.read_csv(io.StringIO(both_csv(result)))
    assert len(frame) == 2 * RUNS
    assert frame["side"].value_counts().to_dict() == {"A": RUNS, "B": RUNS}
    assert set(frame["scenario"]) == {"june2025"}
    for side in ("A", "B"):
        assert frame.loc[frame["side"] == side, "seed"].tolist() == list(range(3, 3 + RUNS))


def test_the_same_settings_on_both_sides_say_so() -> None:
    done = run_comparison(ComparisonInputs(runs=50))
    assert headline(done).startswith("A and B are the same settings")
    assert done.rows[0].change.value == 0.0


def test_two_scenarios_compare_on_the_issues_they_share() -> None:
    done = run_comparison(ComparisonInputs(("june2025", "two_level"), runs=50))
    assert done.settings[1] == "two_level; changed: none"
    assert {d.name for d in done.rows} >= {"deal probability", "median deal day"}


def test_inputs_that_cannot_be_used_are_notes_not_failures() -> None:
    done = run_comparison(
        ComparisonInputs(("june2025", "june2025"), ({}, {"sides.us.cohesion": "lots"}), "-1", 50)
    )
    assert done.comparison.seed == 0
    assert any(n.startswith("The seed") for n in done.notes)
    assert any(n.startswith("B: The settings could not be used") for n in done.notes)
    assert done.comparison.overrides == ({}, {})  # B falls back to the scenario as filed


def test_a_result_knows_the_inputs_it_came_from(result: CompareResult) -> None:
    same = ComparisonInputs(("june2025", "june2025"), ({}, dict(COHESIVE)), "3", RUNS)
    assert result.key == same.key()
    assert ComparisonInputs(("june2025", "june2025"), ({}, {}), "3", RUNS).key() != same.key()


def test_a_comparison_link_round_trips_both_sides_the_seed_and_the_runs() -> None:
    given = ComparisonInputs(("june2025", "one_voice"), ({"sides.us.cohesion": 0.8}, {}), "5", 2000)
    inputs, notes = parse_comparison(given.query())
    assert inputs == given and notes == ()


def test_a_watch_link_sets_b_against_its_own_scenario_as_filed() -> None:
    inputs, notes = parse_comparison("scenario=two_level&seed=3&set.parties.japan.clout=0.5")
    assert inputs.scenarios == ("two_level", "two_level") and notes == ()
    assert inputs.values == ({}, {"parties.japan.clout": 0.5})
    assert (inputs.seed, inputs.runs) == ("3", 1000)


def test_what_a_comparison_link_cannot_use_is_a_note() -> None:
    inputs, notes = parse_comparison("a.scenario=nowhere&a.set.sides.us.cohesion=9&runs=7")
    assert inputs == ComparisonInputs()
    assert len(notes) == 3
    assert all(line.startswith("A: ") for line in notes[:2])
    assert "runs are not one of" in notes[2]
