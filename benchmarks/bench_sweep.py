"""Sweep throughput and memory: Monte Carlo sweeps of the baseline through `negotiate sweep`.

Measures, end to end (process start, design, runs, Parquet writes):
- a Monte Carlo of 1,000,000 baseline runs on two workers (goal: within 60 s on 2 cores);
- the speed-up from one worker to two at 100,000 runs (goal: 1.8 or more), over several
  interleaved pairs of sweeps because a shared machine's speed drifts between runs;
- the peak memory of the command and its workers together, sampled every 0.1 s, at 100,000
  and 1,000,000 runs (goal: under 1 GB at a million, and not growing with the runs).

Each sweep is timed three ways: end to end (interpreter start to exit), by the command (from
the sweep file loaded to the last chunk stored) and in its run phase (the command's time less
its set-up: store, engine import, bargaining solution). The fixed part, paid alike by one
worker and by two, bounds the end-to-end speed-up (Amdahl's law); the benchmark prints that
bound from the measured times.

Usage: python benchmarks/bench_sweep.py [--quick] [--pairs N] [--large-one-worker]
       [--chunk-size N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "experiments" / "sweeps" / "baseline_monte_carlo.toml"
NEGOTIATE = str(Path(sys.executable).with_name("negotiate"))


def sweep_file(folder: Path, runs: int) -> Path:
    text = BASELINE.read_text(encoding="utf-8").replace(
        "replicates = 1_000_000", f"replicates = {runs}"
    )
    path = folder / f"mc_{runs}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(runs: int, workers: int, folder: Path, chunk_size: int | None) -> dict[str, float]:
    out = folder / f"out_{runs}_{workers}"
    shutil.rmtree(out, ignore_errors=True)
    argv = [
        NEGOTIATE,
        "sweep",
        str(sweep_file(folder, runs)),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--quiet",
    ]
    if chunk_size:
        argv += ["--chunk-size", str(chunk_size)]
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(ps))
        time.sleep(0.1)
    seconds = time.perf_counter() - began
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"sweep failed: {stderr.strip()}")
    shutil.rmtree(out, ignore_errors=True)
    # The command's own time (from the sweep file read to the last chunk stored) and the part
    # of it spent setting up, as the command reports them.
    found = re.search(r"now in ([0-9.]+) s .*?; ([0-9.]+) s of it setting up", stdout)
    if not found:
        raise SystemExit(f"unexpected output of negotiate sweep: {stdout.strip()}")
    inner, setup = float(found.group(1)), float(found.group(2))
    return {
        "runs": runs,
        "workers": workers,
        "seconds": seconds,
        "sweep_seconds": inner,
        "run_seconds": inner - setup,
        "fixed_seconds": seconds - (inner - setup),
        "runs_per_s": runs / seconds,
        "peak_mib": peak / 2**20,
    }


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(len(os.sched_getaffinity(0))),
        "memory_gib": f"{psutil.virtual_memory().total / 2**30:.1f}",
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d"),
    }


def report(r: dict[str, float]) -> None:
    print(
        f"{r['runs']:>9,} runs, {r['workers']} worker(s): {r['seconds']:6.1f} s end to end, "
        f"{r['sweep_seconds']:5.1f} s in the command, {r['run_seconds']:5.1f} s running; "
        f"{r['runs_per_s']:8,.0f} runs/s, peak {r['peak_mib']:5.0f} MiB",
        flush=True,
    )


def speedups(ones: list[dict[str, float]], twos: list[dict[str, float]]) -> dict[str, Any]:
    """Speed-ups of each interleaved pair, three ways, with their medians."""
    out: dict[str, Any] = {}
    for key, name in (
        ("seconds", "end_to_end"),
        ("sweep_seconds", "command"),
        ("run_seconds", "run_phase"),
    ):
        pairs = [a[key] / b[key] for a, b in zip(ones, twos, strict=True)]
        out[name] = {"pairs": pairs, "median": statistics.median(pairs)}
    # Amdahl: with the fixed part f of a one-worker sweep t1, two workers give at most
    # t1 / (f + (t1 - f) / 2).
    bounds = [
        a["seconds"] / (a["fixed_seconds"] + (a["seconds"] - a["fixed_seconds"]) / 2) for a in ones
    ]
    out["end_to_end_bound"] = {"pairs": bounds, "median": statistics.median(bounds)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    parser.add_argument(
        "--pairs",
        type=int,
        default=5,
        help="interleaved one- and two-worker sweeps for the speed-up (default 5)",
    )
    parser.add_argument(
        "--large-one-worker",
        action="store_true",
        help="also time the large sweep on one worker (about 100 s)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--chunk-size", type=int, help="runs per chunk (default: the command's)")
    args = parser.parse_args()
    small, large = (10_000, 40_000) if args.quick else (100_000, 1_000_000)
    results: dict[str, Any] = {"machine": machine(), "runs": []}
    ones, twos = [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for _ in range(max(1, args.pairs)):
            for workers, into in ((1, ones), (2, twos)):
                r = measure(small, workers, folder, args.chunk_size)
                results["runs"].append(r)
                into.append(r)
                report(r)
        big = [measure(large, 2, folder, args.chunk_size)]
        if args.large_one_worker:
            big.insert(0, measure(large, 1, folder, args.chunk_size))
        for r in big:
            results["runs"].append(r)
            report(r)
    results["speedup"] = speedups(ones, twos)
    if args.large_one_worker:
        results["speedup_large"] = big[0]["seconds"] / big[1]["seconds"]
    fixed = statistics.median(r["fixed_seconds"] for r in ones)
    print(
        f"speed-up from 1 to 2 workers at {small:,} runs, median of {len(ones)} pairs "
        "(each pair's):"
    )
    for name, label in (
        ("end_to_end", "end to end"),
        ("command", "in the command"),
        ("run_phase", "run phase"),
        ("end_to_end_bound", "end-to-end bound (Amdahl)"),
    ):
        v = results["speedup"][name]
        each = ", ".join(f"{x:.2f}" for x in v["pairs"])
        print(f"  {label:<26} {v['median']:.2f}  ({each})")
    print(f"  fixed part of a sweep (start, imports, set-up): {fixed:.2f} s")
    if args.large_one_worker:
        print(f"speed-up at {large:,} runs, end to end: {results['speedup_large']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
