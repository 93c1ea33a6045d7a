"""The ``sweep``, ``analyze`` and ``replay`` commands of ``negotiate``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from experiments.io import json_safe
from model.errors import ArgumentError, StoreError
from negotiate.arguments import count

# Each kept series reruns its run alone with daily records, hundreds of times the cost of an
# ensemble run: beyond this many, a sweep's time is mostly series, so it takes --force.
SERIES_CAP = 100


def add_parsers(sub: Any) -> None:
    """Add the sweep commands to the ``negotiate`` subparsers."""
    sw = sub.add_parser(
        "sweep",
        help="run a sweep file into a result folder (running it again completes what is missing)",
    )
    sw.add_argument("file", type=Path, help="the sweep file (TOML), e.g. experiments/sweeps/*.toml")
    sw.add_argument("--out", type=Path, required=True, help="the result folder")
    sw.add_argument(
        "--workers", type=count("--workers", 1), help="local processes (default: every core)"
    )
    sw.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    sw.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on the Dask cluster at this scheduler address"
    )
    sw.add_argument(
        "--chunk-size",
        type=count("--chunk-size", 1),
        default=None,
        help="runs per chunk (default 5,000; a resumed sweep keeps its own)",
    )
    sw.add_argument(
        "--series",
        type=count("--series", 0),
        default=0,
        help="keep the daily series of N runs spread over the sweep",
    )
    sw.add_argument(
        "--force",
        action="store_true",
        help=f"allow --series above {SERIES_CAP} (each series reruns its run with daily records)",
    )
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    an = sub.add_parser("analyze", help="tables, figures and a report of a sweep folder")
    an.add_argument("dir", type=Path, help="the sweep's result folder")
    rp = sub.add_parser("replay", help="re-run one stored run alone, narrated, and check it")
    rp.add_argument("dir", type=Path, help="the sweep's result folder")
    rp.add_argument("--run", type=count("--run", 0), required=True, help="the run id")
    rp.add_argument("--json", action="store_true", help="print one JSON document")
    rp.add_argument("--quiet", action="store_true", help="no narration, only the verdict")


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run (or complete) a sweep."""
    from experiments.sweep import CHUNK_SIZE, run_sweep
    from experiments.sweep_file import load_sweep

    if args.series > SERIES_CAP and not args.force:
        raise ArgumentError(
            "--series",
            "",
            f"{args.series:,} daily series, each rerun alone with daily records (about "
            f"as slow as a narrated run): at most {SERIES_CAP} without --force",
        )
    sweep = load_sweep(args.file)
    result = run_sweep(
        sweep,
        args.out,
        workers=args.workers,
        dask=args.dask,
        scheduler=args.scheduler,
        chunk_size=args.chunk_size or CHUNK_SIZE,
        series=args.series,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    rate = result.ran / result.seconds if result.seconds > 0 else 0.0
    print(
        f"{sweep.spec.name}: {result.runs:,} runs in {args.out} — ran {result.ran:,} now "
        f"in {result.seconds:.1f} s ({rate:,.0f} runs/s; {result.setup_seconds:.1f} s of it "
        f"setting up), {result.runs - result.ran:,} were stored already; "
        f"{result.failed:,} failed; each run checked stored once"
    )
    if result.quarantined:
        print(
            f"{result.quarantined:,} damaged or stray files were set aside in "
            f"{args.out / 'runs' / 'quarantine'} (why.txt says why) and their runs run again"
        )
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Analyse a sweep folder; exit 2 when sensitivity indices had to be refused."""
    from experiments.analysis import analyze
    from viz.sweep_report import write_sweep_report

    result = analyze(args.dir)
    report = write_sweep_report(result)
    p = result.points
    print(f"{len(result.runs):,} runs, {len(p):,} design points; wrote {report}")
    if result.refusal:
        raise StoreError(str(args.dir), "sensitivity", result.refusal)
    for key, table in result.sensitivity.items():
        print(f"\nsensitivity of {key}:\n{table.round(3).to_string()}")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay one stored run; exit 1 when it does not reproduce its row."""
    from experiments.replay import replay

    r = replay(args.dir, args.run)
    if args.json:
        doc = {
            "run": r.run,
            "overrides": r.overrides,
            "matches": r.matches,
            "mismatches": r.mismatches,
            "stored": {k: (v.item() if hasattr(v, "item") else v) for k, v in r.stored.items()},
            "log": r.model.log if r.model else [],
        }
        print(json.dumps(json_safe(doc), indent=2, default=str))
        return 0 if r.matches else 1
    if r.model is None:
        print(f"run {r.run} failed in the sweep: {r.stored['error']}")
        return 1
    if not args.quiet:
        print("\n".join(r.model.log))
        print()
    settings = ", ".join(f"{k}={v}" for k, v in r.overrides.items()) or "the scenario as it is"
    print(f"run {r.run}: seed {r.stored['seed']}, {settings}")
    if r.matches:
        print("the replay reproduces the stored row exactly")
        return 0
    print(f"the replay differs from the stored row in: {', '.join(r.mismatches)}")
    return 1


COMMANDS = {"sweep": cmd_sweep, "analyze": cmd_analyze, "replay": cmd_replay}
