"""Sweep throughput and memory: Monte Carlo sweeps of the baseline through `negotiate sweep`.

Measures, end to end (process start, design, runs, Parquet writes):
- a Monte Carlo of 1,000,000 baseline runs on two workers (goal: within 60 s on 2 cores);
- the speed-up from one worker to two at 100,000 runs (goal: 1.8 or more);
- the peak memory of the command and its workers together, sampled every 0.1 s, at 100,000
  and 1,000,000 runs (goal: under 1 GB at a million, and not growing with the runs).

Usage: python benchmarks/bench_sweep.py [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
    argv = [NEGOTIATE, "sweep", str(sweep_file(folder, runs)), "--out", str(out),
            "--workers", str(workers), "--quiet"]
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
    # The command's own time: from the sweep file read to the last chunk stored, without the
    # interpreter's start and imports, which both worker counts pay alike.
    found = re.search(r"now in ([0-9.]+) s", stdout)
    inner = float(found.group(1)) if found else float("nan")
    return {"runs": runs, "workers": workers, "seconds": seconds, "sweep_seconds": inner,
            "runs_per_s": runs / seconds, "peak_mib": peak / 2**20}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--chunk-size", type=int, help="runs per chunk (default: the command's)")
    args = parser.parse_args()
    small, large = (10_000, 40_000) if args.quick else (100_000, 1_000_000)
    results = {"machine": machine(), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for runs, workers in ((small, 1), (small, 2), (large, 2)):
            r = measure(runs, workers, folder, args.chunk_size)
            results["runs"].append(r)
            print(f"{runs:>9,} runs, {workers} worker(s): {r['seconds']:6.1f} s end to end "
                  f"({r['sweep_seconds']:5.1f} s in the sweep), {r['runs_per_s']:8,.0f} runs/s, "
                  f"peak {r['peak_mib']:6.0f} MiB", flush=True)
    one, two = results["runs"][0], results["runs"][1]
    results["speedup"] = one["seconds"] / two["seconds"]
    results["sweep_speedup"] = one["sweep_seconds"] / two["sweep_seconds"]
    print(f"speed-up from 1 to 2 workers at {small:,} runs: {results['speedup']:.2f} end to end, "
          f"{results['sweep_speedup']:.2f} in the sweep")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
