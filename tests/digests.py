"""Digests of the model's results, to show that a change of code leaves every result unchanged.

``tests/data/digests.json`` holds, for every bundled scenario, the SHA-256 of ``run_ensemble``
on seeds 0–999, and, for the baseline's seeds 0–4, of the narrated log and the daily records.
A refactoring must leave every digest as it is; a change of behaviour rewrites the file on
purpose with ``python tests/digests.py --write`` and says so in its commit.
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


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's column names, dtypes and values (floats bit for bit)."""
    h = hashlib.sha256()
    for name in frame.columns:
        col = frame[name]
        h.update(f"{name}\0{col.dtype}\0".encode())
        values = col.to_numpy()
        if values.dtype.kind in "biuf":
            h.update(np.ascontiguousarray(values).tobytes())
        else:
            h.update(repr(values.tolist()).encode())
    return h.hexdigest()


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
            "outcome": text_digest([json.dumps(model.outcome.to_row(), default=str)]),
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
    stored = json.loads(PATH.read_text())
    same = stored == now
    print("every digest matches" if same else "digests differ")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
