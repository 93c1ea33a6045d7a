"""The strategy library and the rules that come with it: schema checks, each strategy's
behaviour day by day on textbook pies, win-set overrides, and ensemble/single-run identity.

Expected behaviour is recomputed here from the documented rules (docs/strategies.md), not by
calling the strategies' own code.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import assert_rows_equal, run_to_end

from model import NegotiationModel, ScenarioError, run_ensemble
from model.loading import load_scenario, parse_scenario
from model.params import apply_overrides, compile_scenario, override_paths
from model.reduced import pie_scenario
from model.utility import nash_product, utilities

NEW_KINDS = ["relative_tit_for_tat", "absolute_tit_for_tat", "zeuthen", "hardliner"]
LINEAR = {"kind": "time_dependent", "params": {"exponent": 1.0}}
BOULWARE = {"kind": "time_dependent", "params": {"exponent": 1.5}}
EPS = 1e-12


def doc_of(**kwargs: Any) -> dict[str, Any]:
    """A pie scenario as a plain document, to break in one place."""
    return copy.deepcopy(pie_scenario(**kwargs).model_dump())


def error_of(doc: dict[str, Any]) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(doc, "<test>")
    err = info.value
    assert "\n" not in err.line()
    return err


def party(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return next(p for p in doc["parties"] if p["key"] == key)


def issue(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return next(i for i in doc["issues"] if i["key"] == key)


def single(scenario: Any, seed: int = 0, **kwargs: Any) -> NegotiationModel:
    return NegotiationModel(scenario, rng=seed, collect=False, narrate=False, **kwargs)


# --- schema -------------------------------------------------------------------------------------

VALID_PARAMS = {
    "relative_tit_for_tat": {"gain": 2.0, "opening": 0.2},
    "absolute_tit_for_tat": {"gain": 0.0, "opening": 1.0},
    "zeuthen": {"step": 0.05},
    "hardliner": {"level": 0.7},
}


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_new_kinds_validate_with_defaults_and_with_parameters(kind: str) -> None:
    for params in ({}, VALID_PARAMS[kind]):
        s = pie_scenario(2, strategies=[{"kind": kind, "params": params}, LINEAR])
        c = compile_scenario(s)
        assert c.strategy_kinds == [kind, "time_dependent"]
        for name, value in params.items():
            assert c.strategy_params[0][name][0] == value
            assert f"parties.p0.strategy.{name}" in override_paths(c)


UNKNOWN_OR_OUT_OF_RANGE = [
    ("relative_tit_for_tat", {"speed": 1.0}, "no parameter 'speed'"),
    ("relative_tit_for_tat", {"gain": -0.5}, "gain"),
    ("relative_tit_for_tat", {"opening": 1.5}, "opening"),
    ("absolute_tit_for_tat", {"gain": 11.0}, "gain"),
    ("absolute_tit_for_tat", {"opening": -0.01}, "opening"),
    ("absolute_tit_for_tat", {"exponent": 2.0}, "no parameter 'exponent'"),
    ("zeuthen", {"step": 0.0}, "step"),
    ("zeuthen", {"step": 1.5}, "step"),
    ("zeuthen", {"gain": 1.0}, "no parameter 'gain'"),
    ("hardliner", {"level": 1.2}, "level"),
    ("hardliner", {"level": -0.1}, "level"),
    ("time_dependent", {}, "needs exponent"),
    ("tit_for_tat", {}, "unknown strategy 'tit_for_tat'"),
]


@pytest.mark.parametrize(("kind", "params", "problem"), UNKNOWN_OR_OUT_OF_RANGE)
def test_bad_strategies_name_the_party(kind: str, params: dict, problem: str) -> None:
    doc = doc_of(n=2)
    party(doc, "p1")["strategy"] = {"kind": kind, "params": params}
    err = error_of(doc)
    assert err.field == "parties.p1.strategy"
    assert problem in err.problem


def _share_range(doc: dict[str, Any]) -> None:
    issue(doc, "share_p0")["max"] = 2.0


def _share_min(doc: dict[str, Any]) -> None:
    issue(doc, "share_p1")["min"] = -1.0


def _ideal_shares(doc: dict[str, Any]) -> None:
    party(doc, "p1")["ideal"]["share_p1"] = 0.8


def _win_set_on_share(doc: dict[str, Any]) -> None:
    doc["sides"]["p1"]["win_set"] = [{"issue": "share_p0", "max": 0.5}]


def _curved_two_shares(doc: dict[str, Any]) -> None:
    p = party(doc, "p0")
    p["curvature"] = 0.5
    p["priorities"] = {"share_p0": 0.6, "share_p1": 0.4, "share_p2": 0.0}


def _one_issue_pie(doc: dict[str, Any]) -> None:
    issue(doc, "share_p1")["pie"] = "crumb"  # "pie" keeps share_p0 and share_p2


def _lonely_pie(doc: dict[str, Any]) -> None:
    issue(doc, "share_p1")["pie"] = None  # the pie of two loses one


def _no_deal_over_one(doc: dict[str, Any]) -> None:
    for key in ("share_p0", "share_p1"):
        issue(doc, key)["no_deal"] = 0.6


PIE_RULES: list[tuple[str, int, Callable[[dict[str, Any]], None], str, str]] = [
    ("share_max_not_1", 2, _share_range, "issues.share_p0.", "range 0 to 1"),
    ("share_min_not_0", 2, _share_min, "issues.share_p1.", "range 0 to 1"),
    ("ideal_shares_sum", 2, _ideal_shares, "parties.p1.ideal.share_p0", "sum to"),
    ("win_set_on_share", 2, _win_set_on_share, "sides.p1.win_set[0].issue", "pie share"),
    ("curved_two_shares", 3, _curved_two_shares, "parties.p0.curvature", "one share"),
    ("one_issue_pie", 3, _one_issue_pie, "issues.share_p1.pie", "at least 2 issues"),
    ("pie_left_alone", 2, _lonely_pie, "issues.share_p0.pie", "at least 2 issues"),
    ("no_deal_over_one", 2, _no_deal_over_one, "issues.share_p0.no_deal", "> 1"),
]


@pytest.mark.parametrize(
    ("n", "breaks", "field", "problem"), [c[1:] for c in PIE_RULES], ids=[c[0] for c in PIE_RULES]
)
def test_pie_rules(n: int, breaks: Callable, field: str, problem: str) -> None:
    doc = doc_of(n=n)
    parse_scenario(copy.deepcopy(doc), "<test>")  # valid before the change
    breaks(doc)
    err = error_of(doc)
    assert err.field.startswith(field), err.line()
    assert problem in err.problem, err.line()


def test_a_curved_party_may_value_one_share_of_a_pie() -> None:
    s = pie_scenario(3, curvature=[0.5, 1.0, 0.25])
    assert [p.curvature for p in s.parties] == [0.5, 1.0, 0.25]


@pytest.mark.parametrize("value", [0.0, -0.2, 1.5, math.inf])
def test_curvature_outside_zero_one_is_rejected(value: float) -> None:
    doc = doc_of(n=2)
    party(doc, "p1")["curvature"] = value
    err = error_of(doc)
    assert err.field == "parties.p1.curvature", err.line()


# --- time-dependent -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exponents", "reservations"),
    [((2.0, 1.0), (0.0, 0.0)), ((0.5, 3.0), (0.0, 0.0)), ((1.0, 1.0), (0.2, 0.3))],
)
def test_time_dependent_follows_its_formula_every_day(
    exponents: tuple[float, float], reservations: tuple[float, float]
) -> None:
    m = single(pie_scenario(2, exponents=exponents, reservations=reservations))
    r = np.array(reservations)
    e = np.array(exponents)
    while m.running:
        m.step()
        t = m.day / 100.0
        expected = r + (1.0 - r) * (1.0 - t**e)
        assert m.state.aspiration[0] == pytest.approx(expected, abs=1e-14, rel=0), m.day
    out = m.outcome
    assert out is not None and out.status == "deal"
    if reservations == (0.0, 0.0):
        # The first day on which one offer gives the other its aspiration: t^e0 + t^e1 >= 1
        # (Faratin, Sierra and Jennings 1998).
        day = next(d for d in range(101) if (d / 100) ** e[0] + (d / 100) ** e[1] >= 1.0)
        assert out.day == day


# --- tit for tat ----------------------------------------------------------------------------------


def history(
    m: NegotiationModel, check: Callable[[dict[str, np.ndarray], NegotiationModel], None]
) -> list[dict[str, np.ndarray]]:
    """Step to the end, calling ``check(before, model)`` after each day."""
    s = m.state
    days = []
    while m.running:
        before = {
            k: np.array(getattr(s, k)[0])
            for k in ("aspiration", "offer_value", "offer_value_prev", "offer_round", "replied")
        }
        m.step()
        check(before, m)
        days.append(before)
    return days


def tft_expected(
    before: dict[str, np.ndarray], m: NegotiationModel, k: int, relative: bool
) -> float:
    """Party k's aspiration after a day, by the documented tit-for-tat rule (two single sides)."""
    other = 1 - k
    s, c = m.state, m.compiled
    a, r = before["aspiration"][k], s.reservation[0, k]
    gain = c.strategy_params[k]["gain"][0]
    opening = c.strategy_params[k]["opening"][0]
    tabled = before["offer_round"][other]
    if not (tabled > 0 and tabled > before["replied"][k]):
        return a  # nothing new on the table: no move
    if before["replied"][k] == 0:
        step = opening
    else:
        prev, cur = before["offer_value_prev"][other], before["offer_value"][other]
        step = 0.0 if math.isnan(prev) else max(prev - cur, 0.0)
        if relative and not math.isnan(prev):
            step = min(max(step / max(prev - s.reservation[0, other], EPS), 0.0), 1.0)
        step *= gain
    new = a - step * (a - r) if relative else a - step
    return max(min(new, a), r)


TFT_GAMES = [
    ("relative_vs_linear", [{"kind": "relative_tit_for_tat"}, LINEAR]),
    ("linear_vs_relative", [LINEAR, {"kind": "relative_tit_for_tat", "params": {"gain": 1.5}}]),
    ("relative_vs_relative", [{"kind": "relative_tit_for_tat"}] * 2),
    ("absolute_vs_linear", [{"kind": "absolute_tit_for_tat"}, LINEAR]),
    ("absolute_vs_absolute", [{"kind": "absolute_tit_for_tat"}] * 2),
    (
        "relative_vs_boulware",
        [
            {"kind": "relative_tit_for_tat", "params": {"opening": 0.1}},
            {"kind": "time_dependent", "params": {"exponent": 3.0}},
        ],
    ),
]


@pytest.mark.parametrize("strategies", [g[1] for g in TFT_GAMES], ids=[g[0] for g in TFT_GAMES])
def test_tit_for_tat_mirrors_the_other_sides_concessions(strategies: list[dict]) -> None:
    m = single(pie_scenario(2, strategies=strategies, reservations=[0.1, 0.2]))
    tft = [k for k, st in enumerate(strategies) if "tit_for_tat" in st["kind"]]
    moved_days: list[int] = []

    def check(before: dict[str, np.ndarray], model: NegotiationModel) -> None:
        s = model.state
        after = s.aspiration[0]
        assert np.all(after <= before["aspiration"]), f"an aspiration rose on day {model.day}"
        assert np.all(after >= s.reservation[0]), f"below reservation on day {model.day}"
        for k in tft:
            relative = strategies[k]["kind"] == "relative_tit_for_tat"
            expected = tft_expected(before, model, k, relative)
            assert after[k] == pytest.approx(expected, abs=1e-12), (model.day, k)
            if after[k] < before["aspiration"][k]:
                other = 1 - k
                assert before["offer_round"][other] > before["replied"][k], "moved unprompted"
                moved_days.append(model.day)

    history(m, check)
    assert moved_days, "tit for tat never answered"
    assert m.outcome is not None and m.outcome.status == "deal"


def test_absolute_tit_for_tat_pair_reaches_a_deal() -> None:
    m = run_to_end(single(pie_scenario(2, strategies=[{"kind": "absolute_tit_for_tat"}] * 2)))
    out = m.outcome
    assert out is not None and out.status == "deal"
    assert sum(out.terms.values()) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("tft_first", [True, False])
def test_absolute_tit_for_tat_against_a_hardliner_concedes_its_opening_only(
    tft_first: bool,
) -> None:
    opening = 0.07
    tft = {"kind": "absolute_tit_for_tat", "params": {"opening": opening}}
    strategies = [tft, {"kind": "hardliner"}] if tft_first else [{"kind": "hardliner"}, tft]
    k = 0 if tft_first else 1
    m = single(pie_scenario(2, strategies=strategies))
    seen = []
    while m.running:
        m.step()
        seen.append(float(m.state.aspiration[0, k]))
        assert m.state.aspiration[0, 1 - k] == 1.0  # the hardliner holds its ideal
    assert seen[0] == 1.0  # nothing on the table yet on the first morning
    assert seen[1:] == [pytest.approx(1.0 - opening, abs=1e-15)] * (len(seen) - 1)
    out = m.outcome
    assert out is not None and out.status == "breakdown" and out.day == 100


@pytest.mark.parametrize("kind", ["relative_tit_for_tat", "absolute_tit_for_tat"])
def test_gain_zero_concedes_only_the_opening(kind: str) -> None:
    strategies = [{"kind": kind, "params": {"gain": 0.0, "opening": 0.1}}, LINEAR]
    m = single(pie_scenario(2, strategies=strategies, reservations=[0.2, 0.2]))
    seen = []
    while m.running:
        m.step()
        seen.append(float(m.state.aspiration[0, 0]))
    first = 1.0 - 0.1 * (1.0 - 0.2) if kind == "relative_tit_for_tat" else 0.9
    assert seen[0] == 1.0
    assert seen[1:] == [pytest.approx(first, abs=1e-15)] * (len(seen) - 1)
    # The linear party concedes to 0.2 by the deadline; 1 - 0.2 = 0.8 < first: no deal.
    assert m.outcome is not None and m.outcome.status == "breakdown"


# --- Zeuthen -------------------------------------------------------------------------------------


def test_zeuthen_concessions_raise_the_nash_product_and_end_at_nash() -> None:
    m = single("zeuthen_pie")
    c, s = m.compiled, m.state
    tabled: list[list[tuple[int, np.ndarray]]] = [[], []]
    drops: list[tuple[int, int]] = []
    last_round = np.zeros(2, np.int64)
    previous = s.aspiration[0].copy()
    while m.running:
        m.step()
        for k in (0, 1):
            if s.offer_round[0, k] != last_round[k]:
                tabled[k].append((m.day, s.offers[0, k].copy()))
            if s.aspiration[0, k] < previous[k]:
                drops.append((m.day, k))
        last_round = s.offer_round[0].copy()
        previous = s.aspiration[0].copy()

    def nash(pkg: np.ndarray) -> float:
        u = utilities(pkg[None, None], c.weights, c.ideal, c.curvature)[0, 0]
        return float(nash_product(u, s.reservation[0]))

    assert len(drops) >= 10, "Zeuthen negotiators concede step by step"
    compared = 0
    for day, k in drops:
        before = [p for d, p in tabled[k] if d < day]
        after = [p for d, p in tabled[k] if d >= day]
        if before and after:
            assert nash(after[0]) > nash(before[-1]), f"party {k}'s concession on day {day}"
            compared += 1
    assert compared >= len(drops) - 1  # only the last concession may go untabled (a deal)
    out = m.outcome
    assert out is not None and out.status == "deal"
    assert out.terms["share_a"] == pytest.approx(0.6, abs=0.02)


def test_zeuthen_pairs_reach_the_nash_division() -> None:
    # Complete information and a zone of agreement: Zeuthen's process ends at the Nash
    # division d0 + (1 - d0 - d1) / 2 (Zeuthen 1930, Harsanyi 1956), for any disagreement point.
    d0 = [0.0, 0.0, 0.1, 0.2, 0.3]
    d1 = [0.0, 0.05, 0.05, 0.05, 0.1]
    # Zeuthen's process knows no deadline: leave it the time its minimum steps need.
    table = run_ensemble(
        pie_scenario(2, strategies=[{"kind": "zeuthen"}] * 2, days=300),
        range(len(d0)),
        overrides={"parties.p0.reservation": d0, "parties.p1.reservation": d1},
    )
    for i in range(len(d0)):
        nash_share = d0[i] + (1.0 - d0[i] - d1[i]) / 2.0
        row = table.iloc[i]
        assert row["status"] == "deal", f"d = ({d0[i]}, {d1[i]}): {row['status']} on {row['day']}"
        assert row["term_share_p0"] == pytest.approx(nash_share, abs=0.02)


# --- win-set overrides ----------------------------------------------------------------------------


def test_win_set_paths_are_listed_for_every_side_and_plain_issue() -> None:
    paths = override_paths(compile_scenario(load_scenario("two_level")))
    for side in ("us", "japan"):
        for key in ("tariff", "access"):
            for b in ("min", "max", "min_at_election", "max_at_election"):
                assert f"sides.{side}.win_set.{key}.{b}" in paths
    pie_paths = override_paths(compile_scenario(load_scenario("bilateral_pie")))
    assert not [p for p in pie_paths if ".win_set." in p], "pie shares cannot be bounded"


def _bound_hi(c: Any, side: str, key: str) -> np.ndarray:
    """(R, 2) the upper bound at the start and at the election, real units."""
    si, ii = c.side_keys.index(side), c.issue_keys.index(key)
    return c.lo[ii] + c.bound_hi[:, :, si, ii] * c.span[ii]


def test_win_set_override_moves_the_start_and_the_election_bound() -> None:
    base = compile_scenario(load_scenario("two_level"))
    np.testing.assert_allclose(_bound_hi(base, "japan", "tariff"), [[12.0, 12.0]], atol=1e-12)
    c = apply_overrides(
        compile_scenario(load_scenario("two_level")), {"sides.japan.win_set.tariff.max": 8.0}, 1
    )
    assert c.bound_hi[0, 0, 1, 0] == pytest.approx(8.0 / 25.0, abs=1e-15)
    np.testing.assert_allclose(_bound_hi(c, "japan", "tariff"), [[8.0, 8.0]], atol=1e-12)
    # With an election, the election value moves by the same shift as the start.
    june = compile_scenario(load_scenario("june2025"))
    np.testing.assert_allclose(_bound_hi(june, "japan", "auto_tariff"), [[17.5, 15.0]], atol=1e-12)
    c = apply_overrides(june, {"sides.japan.win_set.auto_tariff.max": [20.0, 10.0, 2.5]}, 3)
    np.testing.assert_allclose(
        _bound_hi(c, "japan", "auto_tariff"),
        [[20.0, 17.5], [10.0, 7.5], [2.5, 2.5]],  # the last election value clipped to the range
        atol=1e-12,
    )
    # An issue without a bound gets one; the side now has bounds.
    c = apply_overrides(
        compile_scenario(load_scenario("two_level")), {"sides.us.win_set.access.min": 0.25}, 1
    )
    assert c.has_bounds[0]
    assert c.bound_lo[0, :, 0, 1] == pytest.approx([0.25, 0.25])


def test_win_set_overrides_do_not_depend_on_their_order() -> None:
    start, election = (
        "sides.japan.win_set.auto_tariff.max",
        "sides.japan.win_set.auto_tariff.max_at_election",
    )
    results = []
    for overrides in ({start: 20.0, election: 10.0}, {election: 10.0, start: 20.0}):
        c = apply_overrides(compile_scenario(load_scenario("june2025")), overrides, 1)
        results.append(_bound_hi(c, "japan", "auto_tariff")[0])
    # Both values are given explicitly: each must hold, whichever the mapping lists first.
    np.testing.assert_allclose(results[0], [20.0, 10.0], atol=1e-12)
    np.testing.assert_allclose(results[1], [20.0, 10.0], atol=1e-12)


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        ("sides.japan.win_set.tariff.max", 30.0, "[0.0, 25.0]"),
        ("sides.japan.win_set.tariff.min", -1.0, "[0.0, 25.0]"),
        ("sides.japan.win_set.access.max", [0.5, 1.5], "[0.0, 1.0]"),
        ("sides.japan.win_set.tariff.max", [1.0, 2.0, 3.0], "values for 2 runs"),
        ("sides.japan.win_set.tariff.max", math.nan, "finite"),
        ("sides.japan.win_set.rice.max", 0.5, "unknown path"),
        ("sides.japan.win_set.tariff.middle", 0.5, "unknown path"),
        ("sides.eu.win_set.tariff.max", 0.5, "unknown path"),
    ],
)
def test_bad_win_set_overrides_name_the_path(path: str, value: Any, problem: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_overrides(compile_scenario(load_scenario("two_level")), {path: value}, 2)
    assert info.value.field == path
    assert problem in info.value.problem


def test_a_pie_share_cannot_be_bounded_by_override() -> None:
    path = "sides.a.win_set.share_a.max"
    with pytest.raises(ScenarioError) as info:
        apply_overrides(compile_scenario(load_scenario("bilateral_pie")), {path: 0.5}, 1)
    assert info.value.field == path


def test_per_run_win_sets_equal_single_runs() -> None:
    path = "sides.japan.win_set.tariff.max"
    values = [2.0, 5.0, 8.0, 10.0, 12.0, 15.0, 20.0, 25.0]
    seeds = [3, 1, 4, 1, 5, 9, 2, 6]
    table = run_ensemble("two_level", seeds, overrides={path: values})
    assert len(set(table["status"])) == 2, "tight win-sets break talks down, loose ones do not"
    tariffs = table.loc[table["status"] == "deal", "term_tariff"]
    assert np.all(tariffs.to_numpy() <= np.array(values)[table["status"] == "deal"] + 1e-7)
    for i, (seed, value) in enumerate(zip(seeds, values, strict=True)):
        out = run_to_end(single("two_level", seed, overrides={path: value})).outcome
        assert out is not None
        assert_rows_equal(out.to_row(), table.iloc[i].to_dict(), f"run {i} ({path}={value})")


# --- determinism: ensemble rows are single runs ------------------------------------------------


DETERMINISM = [
    ("relative_tit_for_tat", [{"kind": "relative_tit_for_tat"}, LINEAR], 60, False),
    ("relative_pair", [{"kind": "relative_tit_for_tat"}] * 2, 60, False),
    ("absolute_tit_for_tat", [LINEAR, {"kind": "absolute_tit_for_tat"}], 60, False),
    (
        "absolute_pair",
        [
            {"kind": "absolute_tit_for_tat", "params": {"opening": 0.02}},
            {"kind": "absolute_tit_for_tat", "params": {"opening": 0.05, "gain": 0.5}},
        ],
        60,
        False,
    ),
    ("hardliner", [{"kind": "hardliner", "params": {"level": 0.55}}, LINEAR], 60, False),
    ("zeuthen", [{"kind": "zeuthen", "params": {"step": 0.05}}, BOULWARE], 30, False),
    # A Zeuthen pair costs most per run: three deals and three breakdowns are replayed (its
    # deals come on days 11-19, so a 15-day deadline gives both).
    ("zeuthen_pair", [{"kind": "zeuthen", "params": {"step": 0.05}}] * 2, 15, True),
]


@pytest.mark.parametrize(
    ("strategies", "days", "sample"), [d[1:] for d in DETERMINISM], ids=[d[0] for d in DETERMINISM]
)
def test_ensemble_rows_equal_single_runs(strategies: list[dict], days: int, sample: bool) -> None:
    scenario = pie_scenario(
        2, strategies=strategies, reservations=[0.15, 0.15], reservation_sd=0.08, days=days
    )
    seeds = [*range(19), 2**63 - 1]
    table = run_ensemble(scenario, seeds)
    assert table["reservation_p0"].nunique() == len(seeds), "every run draws its reservations"
    runs = list(range(len(seeds)))
    if sample:
        deals = [i for i in runs if table["status"].iloc[i] == "deal"]
        breakdowns = [i for i in runs if table["status"].iloc[i] == "breakdown"]
        assert deals and breakdowns
        runs = deals[:3] + breakdowns[:3]
    for i in runs:
        out = run_to_end(single(scenario, seeds[i])).outcome
        assert out is not None
        assert_rows_equal(out.to_row(), table.iloc[i].to_dict(), f"seed {seeds[i]}")
