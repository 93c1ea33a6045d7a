"""``negotiate mechanisms``: each mechanism on and off on the same seeds, with its verdicts.

Small ensembles (a few hundred seeds) check the statistics' properties: intervals hold their
point estimates, a mechanism whose two settings are the same scenario changes nothing, the
bootstrap's medians from counts equal numpy's medians of the resampled runs, and the verdicts
follow the intervals. The command writes one section and one figure per mechanism.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import run_main

from experiments.mechanism_runs import (
    MechanismResult,
    check_prediction,
    measure,
    results_frame,
    run_mechanisms,
)
from experiments.mechanism_stats import (
    AS_PREDICTED,
    CHANGES_NOTHING,
    CHANGES_RUNS,
    NO_CLEAR_CHANGE,
    NOT_MEASURABLE,
    OPPOSITE,
    Estimate,
    Statistic,
    _evaluate,
    changed_verdict,
    paired_bootstrap,
    paired_difference,
    proportion,
    verdict,
)
from experiments.mechanisms import (
    DEAL_PROBABILITY,
    DEALS_BEFORE_ELECTION,
    MEAN_DAY_BOTH,
    MECHANISMS,
    MEDIAN_DAY,
    RUNS_CHANGED,
    Mechanism,
    Setting,
    pick,
)
from model import load_scenario
from model.errors import ArgumentError

RUNS, SEED, RESAMPLES = 400, 11, 400
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Two settings that run the same scenario: the baseline's own extension probability set again,
# so that the setting is run a second time rather than shared.
SAME = Mechanism(
    key="same",
    title="Nothing changes",
    what="Both settings are the baseline.",
    off=Setting("baseline"),
    on=Setting("baseline again", overrides={"calendar.extension.probability": 0.4}),
    prediction={
        DEAL_PROBABILITY: "higher",
        MEDIAN_DAY: "later",
        MEAN_DAY_BOTH: "later",
        RUNS_CHANGED: "some",
    },
    source="none",
)


@pytest.fixture(scope="module")
def results() -> list[MechanismResult]:
    chosen = [*pick("tactics,extension"), SAME]
    return run_mechanisms(chosen, RUNS, SEED, resamples=RESAMPLES)


# --- the measurements ------------------------------------------------------------------------


def test_every_interval_holds_its_point_estimate(results: list[MechanismResult]) -> None:
    table = results_frame(results)
    assert len(table) > 0
    for name in ("off", "on", "change"):
        rows = table[table[name].notna()]
        assert rows[f"{name}_low"].notna().all(), name
        inside = (rows[f"{name}_low"] <= rows[name]) & (rows[name] <= rows[f"{name}_high"])
        assert inside.all(), rows.loc[~inside, ["mechanism", "outcome"]].to_dict("records")


def test_settings_run_on_the_same_seeds(results: list[MechanismResult]) -> None:
    for r in results:
        seeds = np.arange(SEED, SEED + RUNS)
        assert np.array_equal(r.off.table["seed"].to_numpy(dtype=np.int64), seeds)
        assert np.array_equal(r.on.table["seed"].to_numpy(dtype=np.int64), seeds)


def test_identical_settings_change_nothing(results: list[MechanismResult]) -> None:
    r = next(r for r in results if r.mechanism.key == "same")
    assert r.off.table is not r.on.table  # run twice, not shared
    for metric, change in r.changes.items():
        assert change.value == 0.0, metric
        if metric in (DEAL_PROBABILITY, DEALS_BEFORE_ELECTION):  # Newcombe: symmetric about 0
            assert change.low == pytest.approx(-change.high, abs=1e-12)
        elif metric == RUNS_CHANGED:  # a share of seeds, 0 of them, with its Wilson interval
            assert change.low == 0.0 < change.high
        else:  # the paired bootstrap: every resample gives the same value in both settings
            assert (change.low, change.high) == (0.0, 0.0), metric
    assert r.verdicts == {
        DEAL_PROBABILITY: NO_CLEAR_CHANGE,
        MEDIAN_DAY: NO_CLEAR_CHANGE,
        MEAN_DAY_BOTH: NO_CLEAR_CHANGE,
        RUNS_CHANGED: CHANGES_NOTHING,
    }
    assert r.deal_to_breakdown == r.breakdown_to_deal == 0
    assert r.off.estimates == r.on.estimates


def test_the_pairing_narrows_the_change_in_deal_probability(
    results: list[MechanismResult],
) -> None:
    r = next(r for r in results if r.mechanism.key == "tactics")
    p_off, p_on = r.off.estimates[DEAL_PROBABILITY], r.on.estimates[DEAL_PROBABILITY]
    change = r.changes[DEAL_PROBABILITY]
    unpaired = math.hypot(p_off.high - p_off.low, p_on.high - p_on.low)
    assert change.value == pytest.approx(p_on.value - p_off.value)
    assert change.high - change.low < unpaired
    # Away from 0 and 1, where Wilson's intervals are widest, pairs that mostly agree narrow
    # the interval by far more.
    rng = np.random.default_rng(5)
    off = rng.random(RUNS) < 0.5
    on = off ^ (rng.random(RUNS) < 0.05)
    p_off, p_on = proportion(int(off.sum()), RUNS), proportion(int(on.sum()), RUNS)
    change = paired_difference(off, on)
    unpaired = math.hypot(p_off.high - p_off.low, p_on.high - p_on.low)
    assert change.high - change.low < 0.5 * unpaired


def test_tactics_measure_later_deals(results: list[MechanismResult]) -> None:
    r = next(r for r in results if r.mechanism.key == "tactics")
    assert r.verdicts[MEDIAN_DAY] == AS_PREDICTED
    assert r.changes[MEDIAN_DAY].low > 0


def bare_mechanism(prediction: dict[str, str]) -> Mechanism:
    """A mechanism whose settings are never run: measured from hand-built tables."""
    return Mechanism(
        key="bare",
        title="t",
        what="t",
        off=Setting("a"),
        on=Setting("b"),
        prediction=prediction,
        source="none",
    )


def test_the_paired_mean_day_separates_timing_from_which_runs_deal() -> None:
    # Off: seeds 0-79 deal on day 50, seeds 80-199 break down. On: the same seeds deal three
    # days sooner, and seeds 80-199 now deal late, on day 90. The median moves later; the
    # runs that deal either way deal sooner.
    import pandas as pd

    scenario = load_scenario("june2025")
    seeds = np.arange(200)

    def table(days: np.ndarray, deal: np.ndarray) -> pd.DataFrame:
        frame = {"seed": seeds, "status": np.where(deal, "deal", "breakdown"), "day": days}
        for k in scenario.issue_keys:
            frame[f"term_{k}"] = np.zeros(seeds.size)
        return pd.DataFrame(frame)

    first = seeds < 80
    off = table(np.where(first, 50, 84), first)
    on = table(np.where(first, 47, 90), np.ones(seeds.size, bool))
    m = bare_mechanism({MEDIAN_DAY: "earlier", MEAN_DAY_BOTH: "earlier"})
    r = measure(m, (scenario, off), (scenario, on), resamples=200)
    assert r.changes[MEDIAN_DAY].value > 0
    assert r.verdicts[MEDIAN_DAY] == OPPOSITE
    assert r.changes[MEAN_DAY_BOTH].value == pytest.approx(-3.0)
    assert r.verdicts[MEAN_DAY_BOTH] == AS_PREDICTED
    # Japan's election (20 July) is day 95: every deal here comes before it.
    assert r.off.estimates[DEALS_BEFORE_ELECTION].value == pytest.approx(0.4)
    assert r.on.estimates[DEALS_BEFORE_ELECTION].value == pytest.approx(1.0)
    late = table(np.where(first, 47, 96), np.ones(seeds.size, bool))  # 80 before, 120 after
    r = measure(m, (scenario, off), (scenario, late), resamples=200)
    assert r.on.estimates[DEALS_BEFORE_ELECTION].value == pytest.approx(0.4)
    assert r.changes[DEALS_BEFORE_ELECTION].value == 0.0


def test_a_prediction_about_the_election_needs_one() -> None:
    m = bare_mechanism({DEALS_BEFORE_ELECTION: "lower"})
    pie = load_scenario("bilateral_pie")
    with pytest.raises(ValueError, match="needs an election"):
        check_prediction(m, pie, pie)


def test_extension_moves_deals_past_the_deadline(results: list[MechanismResult]) -> None:
    r = next(r for r in results if r.mechanism.key == "extension")
    assert r.off.estimates["share_after_deadline"].value == 0.0  # never extended
    assert r.off.estimates["share_after_deadline"].low == 0.0
    assert r.on.table["extended"].any()


# --- the statistics on synthetic inputs ------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "change", "expected"),
    [
        ("higher", Estimate(0.10, 0.05, 0.15), AS_PREDICTED),
        ("lower", Estimate(0.10, 0.05, 0.15), OPPOSITE),
        ("later", Estimate(3.0, 1.0, 5.0), AS_PREDICTED),
        ("earlier", Estimate(3.0, 1.0, 5.0), OPPOSITE),
        ("lower", Estimate(-0.2, -0.3, -0.1), AS_PREDICTED),
        ("higher", Estimate(-0.2, -0.3, -0.1), OPPOSITE),
        ("higher", Estimate(0.01, -0.02, 0.04), NO_CLEAR_CHANGE),
        ("lower", Estimate(0.0, 0.0, 0.0), NO_CLEAR_CHANGE),  # touching 0 is not clear
        ("higher", Estimate(0.0, 0.0, 0.3), NO_CLEAR_CHANGE),
        ("later", Estimate(math.nan, math.nan, math.nan), NOT_MEASURABLE),
    ],
)
def test_verdict_follows_the_interval(direction: str, change: Estimate, expected: str) -> None:
    assert verdict(direction, change) == expected


def test_verdict_rejects_an_unknown_direction() -> None:
    with pytest.raises(ValueError, match="unknown direction"):
        verdict("sideways", Estimate(1.0, 0.5, 1.5))


def test_changed_verdict() -> None:
    assert changed_verdict(0) == CHANGES_NOTHING
    assert changed_verdict(3) == CHANGES_RUNS


def _synthetic(shift: float, noise: bool) -> dict[str, tuple[Statistic, Statistic]]:
    rng = np.random.default_rng(5)
    n = 500
    off = rng.normal(10.0, 2.0, n)
    on = rng.normal(10.0, 2.0, n) if noise else off + shift
    deals = np.ones(n, bool)
    return {
        "median": (Statistic("median", off, deals), Statistic("median", on, deals)),
        "mean": (Statistic("mean", off, deals), Statistic("mean", on, deals)),
    }


@pytest.mark.parametrize(
    ("shift", "noise", "direction", "expected"),
    [
        (1.5, False, "higher", AS_PREDICTED),
        (-1.5, False, "higher", OPPOSITE),
        (-1.5, False, "lower", AS_PREDICTED),
        (0.0, True, "higher", NO_CLEAR_CHANGE),
    ],
)
def test_bootstrap_verdicts_on_synthetic_data(
    shift: float, noise: bool, direction: str, expected: str
) -> None:
    out = paired_bootstrap(_synthetic(shift, noise), resamples=500)
    for name, paired in out.items():
        assert paired.change.contains(paired.change.value), name
        assert verdict(direction, paired.change) == expected, name
        if not noise:  # every resample shifts both settings' values alike
            assert paired.change.low == pytest.approx(shift)
            assert paired.change.high == pytest.approx(shift)


def test_bootstrap_is_reproducible() -> None:
    a = paired_bootstrap(_synthetic(0.0, True), resamples=300)
    b = paired_bootstrap(_synthetic(0.0, True), resamples=300)
    assert a == b


def test_medians_from_counts_equal_numpy_medians() -> None:
    rng = np.random.default_rng(3)
    n = 301
    values = rng.integers(0, 40, n).astype(float)  # ties, as deal days have
    deals = rng.random(n) < 0.7
    stat = Statistic("median", values, deals)
    picks = rng.integers(0, n, size=(60, n))
    counts = np.stack([np.bincount(p, minlength=n) for p in picks])
    got = _evaluate(stat, counts)
    for k, p in enumerate(picks):
        expected = np.median(values[p][deals[p]])
        assert got[k] == expected
    assert stat.point() == np.median(values[deals])
    mean = Statistic("mean", values, deals)
    assert _evaluate(mean, counts)[0] == pytest.approx(np.mean(values[picks[0]][deals[picks[0]]]))


def test_no_deals_give_no_median() -> None:
    stat = Statistic("median", np.arange(5.0), np.zeros(5, bool))
    assert math.isnan(stat.point())
    out = paired_bootstrap({"m": (stat, stat)}, resamples=50)
    assert math.isnan(out["m"].change.value)
    assert verdict("later", out["m"].change) == NOT_MEASURABLE


@pytest.mark.parametrize(
    ("off", "on", "sign"),
    [
        ([True] * 40 + [False] * 60, [True] * 70 + [False] * 30, 1),  # a clear increase
        ([True] * 70 + [False] * 30, [True] * 40 + [False] * 60, -1),  # a clear decrease
    ],
)
def test_paired_difference_finds_a_clear_change(off: list[bool], on: list[bool], sign: int) -> None:
    change = paired_difference(np.array(off), np.array(on))
    assert change.value == pytest.approx(sign * 0.3)
    assert change.contains(change.value)
    assert -1 <= change.low and change.high <= 1
    assert verdict("higher", change) == (AS_PREDICTED if sign > 0 else OPPOSITE)


def test_paired_difference_of_noise_holds_zero() -> None:
    rng = np.random.default_rng(8)
    off, on = rng.random(300) < 0.5, rng.random(300) < 0.5
    change = paired_difference(off, on)
    assert change.contains(change.value)
    assert verdict("higher", change) == NO_CLEAR_CHANGE


def test_proportion_at_the_ends_reaches_zero_and_one() -> None:
    assert proportion(0, 50).low == 0.0
    assert proportion(50, 50).high == 1.0
    assert math.isnan(proportion(0, 0).value)


# --- the registry ----------------------------------------------------------------------------


def test_registry_has_one_entry_per_event_and_unique_keys() -> None:
    keys = [m.key for m in MECHANISMS]
    assert len(keys) == len(set(keys))
    assert {"tactics", "us_cohesion", "extension", "japan_win_set"} <= set(keys)
    events = load_scenario("june2025").events
    assert sum(m.key.startswith("event_") for m in MECHANISMS) == len(events)
    assert {"offers", "beliefs", "threat", "deadline", "hydra", "reciprocity"} <= set(keys)


def test_event_setting_leaves_its_event_out() -> None:
    from experiments.mechanism_runs import setting_scenario

    base = load_scenario("june2025")
    for m in (m for m in MECHANISMS if m.key.startswith("event_")):
        without = setting_scenario(m.off)
        assert len(without.events) == len(base.events) - 1
        missing = [e for e in base.events if e not in without.events]
        assert len(missing) == 1 and missing[0].date.isoformat() in m.key


@pytest.mark.parametrize(
    ("prediction", "problem"),
    [
        ({"deal_chance": "higher"}, "unknown outcome"),
        ({DEAL_PROBABILITY: "later"}, "higher or lower"),
        ({MEDIAN_DAY: "higher"}, "later or earlier"),
        ({RUNS_CHANGED: "higher"}, "some"),
    ],
)
def test_a_bad_prediction_is_refused(prediction: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Mechanism("bad", "t", "w", Setting("a"), Setting("b"), prediction, "s")


def test_pick_reads_only() -> None:
    assert [m.key for m in pick("extension, tactics")] == ["tactics", "extension"]
    assert pick(None) == MECHANISMS
    for text in ("nope", ",", "tactics,nope"):
        with pytest.raises(ArgumentError, match="--only"):
            pick(text)


# --- the command -----------------------------------------------------------------------------


def test_command_writes_a_section_and_a_figure_per_mechanism(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    keys = ["tactics", "event_2025-04-24"]
    argv = ["mechanisms", "--runs", "200", "--seed", "3", "--only", ",".join(keys)]
    status, text, err = run_main([*argv, "--out", str(out)])
    assert status == 0, err
    doc = (out / "mechanisms.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## \d+\. .*\(`([^`]+)`\)$", doc, flags=re.MULTILINE)
    assert sections == keys
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", doc)
    assert sorted(links) == sorted(
        ["mechanisms/overview.png", "mechanisms/talks.png", *(f"mechanisms/{k}.png" for k in keys)]
    )
    for link in links:
        data = (out / link).read_bytes()
        assert data.startswith(PNG_MAGIC), link
    names = sorted(p.name for p in (out / "mechanisms").iterdir())
    assert names == sorted(Path(link).name for link in links)  # nothing else, no temp file
    assert "negotiate mechanisms --runs 200 --seed 3" in doc
    for key in keys:
        assert key in text
    assert "wrote" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "nope"], "argument --only: no mechanism 'nope'"),
        (["--only", ""], "argument --only: names no mechanism"),
        (["--runs", "0"], "argument --runs"),
        (["--seed", "-1"], "argument --seed"),
    ],
)
def test_command_refuses_a_bad_flag_in_one_line(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    out = tmp_path / "docs"
    status, text, err = run_main(["mechanisms", *argv, "--out", str(out)])
    assert status == 2
    assert text == ""
    assert err.count("\n") == 1 and err.startswith("negotiate: error: ")
    assert message in err
    assert not out.exists()  # refused before any work


def test_a_prediction_naming_an_unknown_issue_fails_before_any_run() -> None:
    bad = Mechanism("bad", "t", "w", Setting("a"), Setting("b"), {"median_term:rice": "lower"}, "s")
    with pytest.raises(ValueError, match="median_term:rice names no issue or party"):
        run_mechanisms([bad], runs=10**9)  # refused long before a billion runs


def test_a_lifted_win_set_is_lifted_after_the_election_too() -> None:
    from experiments.mechanism_runs import setting_scenario

    (m,) = pick("japan_win_set")
    lifted = setting_scenario(m.off).sides["japan"]
    base = load_scenario("june2025").sides["japan"]
    assert [o.probability for o in lifted.after_election] == [
        o.probability for o in base.after_election
    ]
    assert all(o.win_set == [] for o in lifted.after_election)
    assert all(o.win_set for o in base.after_election)


def test_the_tradeable_issue_is_the_one_whose_weight_differs_most_between_the_sides() -> None:
    from experiments.mechanisms import most_tradeable_issue
    from model.loading import load_scenario

    scenario = load_scenario("june2025")

    def concern(side: str, issue: str) -> float:
        members = scenario.members(side)
        weighted = sum(p.clout * p.priorities.get(issue, 0.0) for p in members)
        return weighted / sum(p.clout for p in members)

    ratios = {
        i.key: max(concern("us", i.key), concern("japan", i.key))
        / min(concern("us", i.key), concern("japan", i.key))
        for i in scenario.issues
    }
    chosen = most_tradeable_issue(scenario)
    assert ratios[chosen] == max(ratios.values())
    assert chosen == "nontariff"  # the US values standards three times as much as Japan


def test_the_tradeable_issue_leaves_the_table_with_the_first_issue_taken_off() -> None:
    from experiments.mechanisms import also_off_table
    from model.loading import load_scenario

    scenario = load_scenario("june2025")
    events = also_off_table(scenario, "nontariff")
    assert events is not None
    changed = [e for e in events if "nontariff" in e.get("effects", {}).get("off_table", [])]
    assert len(changed) == 1
    assert changed[0]["effects"]["off_table"] == ["currency", "nontariff"]
    assert scenario.events[0].effects.off_table == ["currency"]  # the scenario is untouched
    assert also_off_table(load_scenario("bilateral_pie"), "share_a") is None
