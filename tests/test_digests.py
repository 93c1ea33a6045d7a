"""Every stored result digest still matches: a refactoring changes no result, bit for bit."""

from __future__ import annotations

import json

from digests import PATH, compute, differences


def test_results_match_the_stored_digests() -> None:
    stored = json.loads(PATH.read_text())
    now = compute()
    assert set(now["ensembles"]) == set(stored["ensembles"]), "the bundled scenarios changed"
    changed = differences(stored, now)
    assert not changed, f"results changed: {', '.join(changed[:12])}"


def test_a_changed_or_missing_column_is_found_and_a_new_one_passes() -> None:
    stored = {"ensembles": {"a": {"x": "1", "y": "2"}}}
    assert differences(stored, {"ensembles": {"a": {"x": "1", "y": "2", "z": "3"}}}) == []
    assert differences(stored, {"ensembles": {"a": {"x": "1", "y": "9"}}}) == ["/ensembles/a/y"]
    assert differences(stored, {"ensembles": {"a": {"x": "1"}}}) == ["/ensembles/a/y"]


def test_an_optimum_is_compared_within_its_tolerance() -> None:
    stored = {"x": {"approx": [0.125, None, 2.0]}}
    assert differences(stored, {"x": {"approx": [0.125 * (1 + 1e-9), None, 2.0]}}) == []
    assert differences(stored, {"x": {"approx": [0.126, None, 2.0]}}) == ["/x"]
    assert differences(stored, {"x": {"approx": [0.125, 0.5, 2.0]}}) == ["/x"]
    assert differences(stored, {"x": {"approx": [0.125, None]}}) == ["/x"]
    assert differences(stored, {"x": "a digest"}) == ["/x"]
