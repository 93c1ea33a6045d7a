"""Every stored result digest still matches: a refactoring changes no result, bit for bit."""

from __future__ import annotations

import json

from digests import PATH, compute


def test_results_match_the_stored_digests() -> None:
    stored = json.loads(PATH.read_text())
    now = compute()
    changed = [
        f"{group}/{key}"
        for group in stored
        for key in stored[group]
        if stored[group][key] != now[group].get(key)
    ]
    assert set(now["ensembles"]) == set(stored["ensembles"]), "the bundled scenarios changed"
    assert not changed, f"results changed: {', '.join(changed)}"
