"""The single run: building, stepping, ending, seeding, replaying, and nothing after the end."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import (
    STATUSES,
    assert_equal_snapshots,
    check_run,
    finished,
    run_to_end,
    snapshot,
)

from model import NegotiationModel, ScenarioError, load_scenario
from model.loading import parse_scenario
from model.params import override_paths
from model.schema import SHORT_MAX

SCENARIOS = Path(str(resources.files("model") / "scenarios"))
BASELINE, PIE = SCENARIOS / "june2025.toml", SCENARIOS / "bilateral_pie.toml"


def test_baseline_builds_and_steps_ten_days() -> None:
    model = NegotiationModel()
    assert model.scenario.name == "june2025"
    assert model.day == -1 and model.running and model.outcome is None
    assert sorted(model.negotiators) == ["akazawa", "bessent", "greer", "lutnick"]
    for _ in range(10):
        model.step()
    assert model.day == 9
    assert model.running, "the baseline cannot end within its first ten days"
    assert model.outcome is None
    assert model.date == dt.date(2025, 4, 16) + dt.timedelta(days=9)
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame["day"]) == list(range(-1, 10))
    for column in ("usd_jpy", "stress", "bessent.aspiration", "bessent.utility", "us.dispersion"):
        assert column in frame.columns
    assert frame["stress"].between(0, 1).all()
    assert (frame["usd_jpy"] > 0).all()
    # Day 0 is round 1 in Washington: it is narrated and every party has moved off its ideal.
    assert model.log and model.log[0].startswith("2025-04-16")


def test_full_run_ends_with_an_outcome(baseline_run) -> None:
    model = baseline_run(0)
    out = model.outcome
    assert not model.running
    assert out is not None and out.status in STATUSES
    assert out.seed == 0
    assert 0 <= out.day <= model.compiled.last_day
    assert out.day == model.day, "a single run stops on the day its only run ends"
    assert out.date == dt.date(2025, 4, 16) + dt.timedelta(days=out.day)
    assert set(out.terms) == set(model.scenario.issue_keys)
    assert set(out.utilities) == set(out.reservations) == set(model.scenario.party_keys)
    check_run(model, 0)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == out.day + 2  # the initial record and one per day
    assert frame["day"].iloc[-1] == out.day


def test_outcome_row_matches_results_table(baseline_run) -> None:
    model = baseline_run(3)
    row = model.outcome.to_row()
    table = model.results()
    assert list(row) == list(table.columns)
    assert table["seed"].dtype == np.uint64 and int(table["seed"].iloc[0]) == row["seed"] == 3


@pytest.mark.parametrize("seed", [0, 7, 2**62 + 7])
def test_same_seed_same_run(seed: int) -> None:
    a, b = finished(seed=seed), finished(seed=seed)
    assert a.outcome == b.outcome
    assert a.outcome.to_row() == b.outcome.to_row()
    assert a.log == b.log
    pd.testing.assert_frame_equal(
        a.datacollector.get_model_vars_dataframe(),
        b.datacollector.get_model_vars_dataframe(),
        check_exact=True,
    )
    assert sorted(a.concession_graph.edges(data=True)) == sorted(
        b.concession_graph.edges(data=True)
    )


def test_different_seeds_differ(baseline_run) -> None:
    models = [baseline_run(seed) for seed in range(10)]
    rows = [m.outcome.to_row() for m in models]
    for row in rows:
        row.pop("seed")
    assert len({repr(r) for r in rows}) > 1, "ten seeds gave the same outcome"
    assert len({tuple(m.log) for m in models}) > 1, "ten seeds gave the same log"
    frames = [m.datacollector.get_model_vars_dataframe()["usd_jpy"] for m in models]
    assert not all(f.equals(frames[0]) for f in frames[1:]), "USD/JPY does not depend on the seed"
    reservations = {tuple(m.outcome.reservations.values()) for m in models}
    assert len(reservations) == 10, "reservations are drawn per seed"


@pytest.mark.parametrize("text", ["42", " 42 ", "0042"])
def test_numeric_string_seed_equals_int(text: str) -> None:
    a, b = finished(seed=text), finished(seed=42)
    assert a.outcome == b.outcome
    assert a.outcome.seed == 42
    assert a.log == b.log


def test_rng_none_records_a_replayable_seed() -> None:
    a = run_to_end(NegotiationModel(rng=None))
    seed = a.outcome.seed
    assert isinstance(seed, int) and 0 <= seed < 2**63
    b = finished(seed=seed)
    assert a.outcome == b.outcome
    assert a.log == b.log
    # Two unseeded models draw different seeds.
    assert NegotiationModel().state.seeds[0] != NegotiationModel().state.seeds[0]


@pytest.mark.parametrize("bad", [-1, 2**63, "abc", "1.5"])
def test_bad_seeds_are_rejected(bad: object) -> None:
    with pytest.raises(ValueError):
        NegotiationModel(rng=bad)


def test_unknown_override_path_raises() -> None:
    paths = override_paths(NegotiationModel().compiled)
    for path in (
        "parties.bessent.priorities.currency",
        "calendar.extension.probability",
        "sides.us.cohesion",
        "parties.lutnick.strategy.exponent",
    ):
        assert path in paths
    for path in ("parties.nobody.clout", "sides.us.nothing", "calendar.nothing"):
        assert path not in paths
        with pytest.raises(ScenarioError):
            NegotiationModel(overrides={path: 1.0})


def test_collecting_and_narrating_do_not_change_the_run() -> None:
    for seed in (1, 4, 5):
        loud = finished(seed=seed)
        quiet = finished(seed=seed, collect=False, narrate=False)
        assert loud.outcome == quiet.outcome
        assert quiet.log == []


# --- nothing happens after the end ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 4])  # a deal and a breakdown
def test_nothing_happens_after_the_end(seed: int) -> None:
    model = finished(seed=seed)
    before = snapshot(model)
    for _ in range(5):
        model.step()
    assert_equal_snapshots(before, snapshot(model))


def test_breakdown_after_the_deadline_gives_the_no_deal_terms(baseline_run) -> None:
    model = next(m for m in map(baseline_run, range(100)) if m.outcome.status == "breakdown")
    out = model.outcome
    deadline = model.compiled.deadline_day + (21 if out.extended else 0)
    assert out.day == deadline
    for issue in model.scenario.issues:
        assert out.terms[issue.key] == pytest.approx(issue.no_deal, rel=1e-12, abs=1e-12)
    assert any("BREAKDOWN" in line for line in model.log)


def test_a_deal_is_narrated_once_at_the_end(baseline_run) -> None:
    model = next(m for m in map(baseline_run, range(20)) if m.outcome.status == "deal")
    deals = [line for line in model.log if "DEAL:" in line]
    assert len(deals) == 1
    assert model.log[-1] == deals[0]
    assert deals[0].startswith(model.outcome.date.isoformat())


def test_ensemble_run0_is_frozen_after_it_ends() -> None:
    """With an ensemble narrated and collected for run 0, nothing about run 0 moves once it
    has ended, although the other runs go on: no new log lines, the same daily values."""
    parties = ("bessent", "lutnick", "greer", "akazawa")
    # Run 0 concedes fast and settles early; run 1 holds out to the deadline.
    overrides = {f"parties.{p}.reservation": [0.0, 0.9] for p in parties}
    overrides |= {f"parties.{p}.strategy.exponent": [0.3, 5.0] for p in parties}
    model = NegotiationModel(
        "june2025", seeds=[0, 1], overrides=overrides, narrate=True, collect=True
    )
    while model.outcome is None:
        model.step()
    end, lines, outcome = model.day, len(model.log), model.outcome
    assert model.running, "this set-up needs run 1 to go on after run 0 has ended"
    run_to_end(model)
    assert model.day > end
    assert model.outcome == outcome
    frame = model.datacollector.get_model_vars_dataframe().set_index("day").drop(columns="date")
    after = frame.loc[end:]
    moved = [col for col in after.columns if after[col].nunique(dropna=False) > 1]
    assert not moved, f"run 0's daily values moved after its end: {moved}"
    assert model.log[lines:] == [], f"lines narrated after run 0 ended: {model.log[lines:]}"


def test_a_refusal_shows_the_value_and_the_limit_it_breaks_apart() -> None:
    from model.narration import fmt_beyond

    assert fmt_beyond(17.5, 17.4, "%", "above") == "17.5% above 17.4%"
    assert fmt_beyond(0.37851, 0.37842, "", "above") == "0.379 above 0.378"
    assert fmt_beyond(15.1001, 15.1004, "%", "below") == "15.1001% below 15.1004%"
    assert fmt_beyond(15.10000001, 15.1, "%", "above") == "a hair above 15.1%"
    model = NegotiationModel("june2025", rng=0)
    model.run_model()
    refusals = [line for line in model.log if "would not ratify" in line]
    assert refusals
    shorts = {issue.short for issue in model.scenario.issues}
    for line in refusals:
        for broken in line.split("would not ratify ", 1)[1].split(", "):
            found = re.fullmatch(r"(.+?) (a hair|\S+) (above|below) (\S+)", broken)
            assert found, line
            name, value, _, limit = found.groups()
            assert name in shorts, line
            assert value == "a hair" or value != limit, line


def test_a_scenario_without_short_names_narrates_its_keys_with_spaces(tmp_path: Path) -> None:
    text = BASELINE.read_text(encoding="utf-8")
    path = tmp_path / "no_shorts.toml"
    path.write_text(re.sub(r"^short = .*\n", "", text, flags=re.M), encoding="utf-8")
    sc = load_scenario(str(path))
    assert [i.short for i in sc.issues] == [k.replace("_", " ") for k in sc.issue_keys]
    model = NegotiationModel(sc, rng=0)
    for _ in range(3):
        model.step()
    assert "United States tables: auto tariff 17.5%, reciprocal tariff 19.2%" in model.log[1]


def test_a_long_key_without_a_short_name_is_named_whole() -> None:
    key = "share_of_the_whole_pie_for_a"
    doc = tomllib.loads(PIE.read_text(encoding="utf-8").replace("share_a", key))
    for issue in doc["issues"]:
        issue.pop("short")
    sc = parse_scenario(doc, "long_key.toml")
    assert sc.issue(key).short == "share of the whole pie for a"
    assert len(sc.issue(key).short) > SHORT_MAX  # a short name written so long is refused
