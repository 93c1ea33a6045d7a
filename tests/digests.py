"""Digests of the model's results, to show that a change of code leaves every result unchanged.

``tests/data/digests.json`` holds, for every bundled scenario, the SHA-256 of ``run_ensemble``
on seeds 0–999, and, for the baseline's seeds 0–4, of the narrated log and the daily records.
Digests are kept column by column, so a new column of results leaves the old ones to be
checked. A refactoring must leave every digest as it is; a change of behaviour rewrites the
file on purpose with ``python tests/digests.py --write`` and says so in its commit.

One column is kept by value instead: ``nash_distance`` measures a run's terms against the Nash
point, which numerical optimisers find (SLSQP, and HiGHS for the package), and those agree
across machines only to their tolerance: their linear-algebra and vector kernels, chosen for
the processor, differ in the last digits. Its values are kept to 12 significant digits and
compared to a relative 1e-6. On one machine it is bit-identical alone and in any ensemble, as
every column is (``tests/test_ensemble.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import NegotiationModel, list_scenarios, run_ensemble

PATH = Path(__file__).parent / "data" / "digests.json"
ENSEMBLE_SEEDS = range(1_000)
NARRATED_SEEDS = range(5)
NARRATED_SCENARIO = "june2025"


APPROXIMATE = frozenset({"nash_distance"})
RTOL, ATOL = 1e-6, 1e-12


def approximate(values: Any) -> dict[str, list[float | None]]:
    """Values kept to 12 significant digits, for comparison within a tolerance (NaN as None)."""
    array = np.atleast_1d(np.asarray(values, dtype=float))
    return {"approx": [float(f"{v:.12g}") if np.isfinite(v) else None for v in array]}


def frame_digest(frame: pd.DataFrame) -> dict[str, Any]:
    """SHA-256 of each column's dtype and values (floats bit for bit), by column name."""
    out: dict[str, Any] = {}
    for name in frame.columns:
        if name in APPROXIMATE:
            out[str(name)] = approximate(frame[name].to_numpy())
            continue
        col = frame[name]
        h = hashlib.sha256(f"{col.dtype}\0".encode())
        values = col.to_numpy()
        if values.dtype.kind in "biuf":
            h.update(np.ascontiguousarray(values).tobytes())
        else:
            h.update(repr(values.tolist()).encode())
        out[str(name)] = h.hexdigest()
    return out


def text_digest(lines: list[str]) -> str:
    """SHA-256 of lines joined by newlines."""
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def compute() -> dict[str, Any]:
    """Every digest, computed afresh."""
    ensembles = {
        name: frame_digest(run_ensemble(name, seeds=ENSEMBLE_SEEDS)) for name, _ in list_scenarios()
    }
    narrated = {}
    for seed in NARRATED_SEEDS:
        model = NegotiationModel(NARRATED_SCENARIO, rng=seed)
        model.run_model()
        narrated[str(seed)] = {
            "log": text_digest(model.log),
            "daily": frame_digest(model.datacollector.get_model_vars_dataframe()),
            "outcome": {
                k: approximate(v) if k in APPROXIMATE else text_digest([json.dumps(v, default=str)])
                for k, v in model.outcome.to_row().items()
            },
        }
        model.release()
    return {"ensembles": ensembles, "narrated": narrated}


def main(argv: list[str] | None = None) -> int:
    """Write the digests (``--write``) or compare them with the stored ones."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="store the digests of this code")
    args = parser.parse_args(argv)
    now = compute()
    if args.write:
        PATH.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"wrote {PATH}")
        return 0
    changed = differences(json.loads(PATH.read_text()), now)
    print("every digest matches" if not changed else "changed: " + ", ".join(changed))
    return 0 if not changed else 1


def differences(stored: Any, now: Any, path: str = "") -> list[str]:
    """The paths of every stored digest that is missing or different now (new ones pass)."""
    if isinstance(stored, dict) and "approx" in stored:
        kept = np.array([np.nan if v is None else v for v in stored["approx"]], dtype=float)
        got = now.get("approx") if isinstance(now, dict) else None
        fresh = np.array([np.nan if v is None else v for v in got or []], dtype=float)
        same = kept.shape == fresh.shape and np.allclose(
            fresh, kept, rtol=RTOL, atol=ATOL, equal_nan=True
        )
        return [] if same else [path]
    if isinstance(stored, dict):
        if not isinstance(now, dict):
            return [path or "/"]
        return [
            d
            for key, value in stored.items()
            for d in differences(value, now.get(key), f"{path}/{key}")
        ]
    return [] if stored == now else [path]


if __name__ == "__main__":
    sys.exit(main())
