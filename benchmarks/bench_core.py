"""Speed and memory benchmark of the negotiation model core.

Measures, for one scenario (default ``june2025``):

1. one full single run with daily data collection (``collect=True``): median ms per run;
2. the same run bare (``collect=False, narrate=False``);
3. ensembles (one ``run_ensemble`` call each) of 1,000, 10,000 and 100,000 runs: wall time,
   runs/s and runs/s per core;
4. peak resident memory of each ensemble size, each in a fresh subprocess (this script with the
   hidden ``--child`` flag), and of a process that only imports the model;
5. the machine it ran on.

Usage::

    python benchmarks/bench_core.py                  # full (takes a few minutes)
    python benchmarks/bench_core.py --quick          # fast check: fewer repeats, no 100,000
    python benchmarks/bench_core.py --sizes 1000,10000 --json bench.json

A single run is timed from construction to the end, including ``remove_all_agents()``; each
timed run uses its own seed and the same seeds are used with and without data collection.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

import model as model_package
from model import NegotiationModel, run_ensemble

REPO_ROOT = Path(__file__).resolve().parents[1]

# The project's performance goals.
GOAL_SINGLE_MS = 20.0  # one run with daily data collection, at most this many ms
GOAL_ENSEMBLE_SIZE = 10_000  # ensemble size at which the throughput goal applies
GOAL_ENSEMBLE_PER_CORE = 20_000.0  # at least this many runs/s per core

# run_ensemble runs in one Python thread (vectorised numpy over the runs, no multiprocessing),
# so the per-core rate is the rate itself. The measured CPU/wall ratio checks this claim: a
# ratio well above 1 means numpy's BLAS threads used more than one core.
CORES_USED = 1

SINGLE_SEED_START = 0  # timed single runs use seeds 0, 1, 2, ...
WARMUP_SEED_START = 1_000_000  # warm-up runs use other seeds
ENSEMBLE_SEED_START = 0  # an ensemble of n runs uses seeds 0 .. n-1
DEFAULT_SIZES = (1_000, 10_000, 100_000)
QUICK_SKIPS_FROM = 100_000  # --quick drops sizes from this one up
BEST_OF_UP_TO = 10_000  # sizes up to this one are repeated and the best kept


# --- results -------------------------------------------------------------------------------------


@dataclass
class SingleResult:
    """Timings of single runs of one variant."""

    variant: str
    collect: bool
    narrate: bool
    warmup: int
    runs: int
    median_ms: float
    min_ms: float
    p90_ms: float
    runs_per_s: float
    median_cpu_ms: float
    all_ms: list[float]


@dataclass
class EnsembleResult:
    """Timing of one ensemble size (best of ``repeats`` calls)."""

    runs: int
    repeats: int
    wall_s: float
    runs_per_s: float
    runs_per_s_per_core: float
    cores_used: int
    cpu_over_wall: float
    runs_per_cpu_s: float
    all_wall_s: list[float]


@dataclass
class MemoryResult:
    """Peak memory of one fresh subprocess."""

    label: str
    runs: int
    peak_rss_mib: float
    over_baseline_mib: float | None
    ru_maxrss_mib: float
    source: str
    child_wall_s: float | None


# --- measuring -----------------------------------------------------------------------------------


def one_run(scenario: str, seed: int, collect: bool, narrate: bool) -> tuple[float, float]:
    """Run one model to the end and return its (wall, CPU) time in seconds."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    m = NegotiationModel(scenario, rng=seed, collect=collect, narrate=narrate)
    while m.running:
        m.step()
    m.remove_all_agents()  # Mesa 3.3 keeps every model alive otherwise
    return time.perf_counter() - wall0, time.process_time() - cpu0


def bench_single(
    scenario: str, variant: str, collect: bool, narrate: bool, warmup: int, runs: int
) -> SingleResult:
    """Time ``runs`` single runs after ``warmup`` untimed ones."""
    for i in range(warmup):
        one_run(scenario, WARMUP_SEED_START + i, collect, narrate)
    times_ms: list[float] = []
    cpu_ms: list[float] = []
    for i in range(runs):
        gc.collect()  # outside the timer: do not bill one run for the garbage of earlier ones
        wall, cpu = one_run(scenario, SINGLE_SEED_START + i, collect, narrate)
        times_ms.append(1000.0 * wall)
        cpu_ms.append(1000.0 * cpu)
    median = statistics.median(times_ms)
    p90 = statistics.quantiles(times_ms, n=10)[-1] if len(times_ms) >= 2 else times_ms[0]
    return SingleResult(
        variant=variant,
        collect=collect,
        narrate=narrate,
        warmup=warmup,
        runs=runs,
        median_ms=median,
        min_ms=min(times_ms),
        p90_ms=p90,
        runs_per_s=1000.0 / median,
        median_cpu_ms=statistics.median(cpu_ms),
        all_ms=times_ms,
    )


def bench_ensemble(scenario: str, n: int, repeats: int) -> EnsembleResult:
    """Time ``repeats`` calls of ``run_ensemble`` with ``n`` runs and keep the fastest."""
    seeds = np.arange(ENSEMBLE_SEED_START, ENSEMBLE_SEED_START + n)
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeats):
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        table = run_ensemble(scenario, seeds)
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        if len(table) != n:
            raise RuntimeError(f"run_ensemble returned {len(table)} rows for {n} runs")
        del table
        walls.append(wall)
        cpus.append(cpu)
    best = int(np.argmin(walls))
    rate = n / walls[best]
    return EnsembleResult(
        runs=n,
        repeats=repeats,
        wall_s=walls[best],
        runs_per_s=rate,
        runs_per_s_per_core=rate / CORES_USED,
        cores_used=CORES_USED,
        cpu_over_wall=cpus[best] / walls[best],
        runs_per_cpu_s=n / cpus[best],
        all_wall_s=walls,
    )


# --- peak memory in fresh subprocesses -----------------------------------------------------------


def peak_rss_kib() -> tuple[float, float, str]:
    """Return (peak RSS, ru_maxrss, source of the first) of this process, in KiB.

    On Linux the peak is ``VmHWM`` from /proc/self/status. ``ru_maxrss`` alone is not enough:
    Linux carries the parent's peak RSS over ``exec`` into it, so a child started by a big
    parent reports at least the parent's peak. Elsewhere ``ru_maxrss`` is all there is (bytes
    on macOS, KiB on Linux and the BSDs).
    """
    maxrss = float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    if sys.platform == "darwin":
        maxrss /= 1024.0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]), maxrss, "VmHWM"
    except OSError:
        pass
    return maxrss, maxrss, "ru_maxrss"


def child_main(kind: str, n: int, scenario: str) -> None:
    """Body of a ``--child`` subprocess: do one thing, then print peak memory as JSON."""
    wall = None
    if kind == "ensemble":
        start = time.perf_counter()
        table = run_ensemble(scenario, np.arange(ENSEMBLE_SEED_START, ENSEMBLE_SEED_START + n))
        wall = time.perf_counter() - start
        if len(table) != n:
            raise RuntimeError(f"run_ensemble returned {len(table)} rows for {n} runs")
    elif kind != "baseline":
        raise SystemExit(f"unknown --child kind {kind!r}")
    peak, maxrss, source = peak_rss_kib()
    print(json.dumps({"peak_kib": peak, "ru_maxrss_kib": maxrss, "source": source, "wall_s": wall}))


def run_child(kind: str, n: int, scenario: str) -> dict[str, Any]:
    """Run this script as a fresh subprocess in ``--child`` mode and return its report."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--scenario", scenario]
    cmd += ["--child", kind, str(n)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child {kind} {n} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_memory(scenario: str, sizes: list[int]) -> list[MemoryResult]:
    """Measure the peak RSS of a do-nothing process and of each ensemble size."""
    results = []
    base = run_child("baseline", 0, scenario)
    base_mib = base["peak_kib"] / 1024.0
    results.append(
        MemoryResult(
            label="import model, do nothing",
            runs=0,
            peak_rss_mib=base_mib,
            over_baseline_mib=None,
            ru_maxrss_mib=base["ru_maxrss_kib"] / 1024.0,
            source=base["source"],
            child_wall_s=None,
        )
    )
    for n in sizes:
        progress(f"  peak memory, ensemble of {n:,} runs (fresh process) ...")
        rep = run_child("ensemble", n, scenario)
        peak_mib = rep["peak_kib"] / 1024.0
        results.append(
            MemoryResult(
                label=f"ensemble of {n:,}",
                runs=n,
                peak_rss_mib=peak_mib,
                over_baseline_mib=peak_mib - base_mib,
                ru_maxrss_mib=rep["ru_maxrss_kib"] / 1024.0,
                source=rep["source"],
                child_wall_s=rep["wall_s"],
            )
        )
    return results


# --- the machine ---------------------------------------------------------------------------------


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def total_memory_gib() -> float | None:
    """Return the total memory from /proc/meminfo in GiB, or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024.0**2
    except OSError:
        pass
    return None


def git_revision() -> str:
    """Return the short commit of the repository, marked when the work tree has changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (uncommitted changes)" if dirty else head


def machine_info() -> dict[str, Any]:
    """Describe the machine and the software versions."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "memory_gib": total_memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "pandas": pd.__version__,
        "model_path": str(Path(model_package.__file__).resolve().parent),
        "git": git_revision(),
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average_start": load_average(),
    }


def load_average() -> list[float] | None:
    """Return the 1, 5 and 15 minute load averages, or None where unknown."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


# --- output --------------------------------------------------------------------------------------


def progress(message: str) -> None:
    """Report progress on stderr, so stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)


def status(ok: bool | None) -> str:
    """Return the word for a goal that is met, missed, or not measured."""
    return {True: "met", False: "NOT met", None: "not measured"}[ok]


def table(headers: list[str], rows: list[list[str]], indent: str = "  ") -> str:
    """Format rows as a fixed-width table; the first column is left-aligned, others right."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        cells = [
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        return (indent + "  ".join(cells)).rstrip()

    rule = indent + "  ".join("-" * w for w in widths)
    return "\n".join([fmt(headers), rule, *(fmt(r) for r in rows)])


def goals(singles: list[SingleResult], ensembles: list[EnsembleResult]) -> list[dict[str, Any]]:
    """Compare the measurements with the project's goals."""
    collect = next((s for s in singles if s.collect), None)
    at_size = next((e for e in ensembles if e.runs == GOAL_ENSEMBLE_SIZE), None)
    return [
        {
            "goal": "single run with data collection",
            "target": f"<= {GOAL_SINGLE_MS:g} ms",
            "measured": None if collect is None else collect.median_ms,
            "unit": "ms (median)",
            "met": None if collect is None else collect.median_ms <= GOAL_SINGLE_MS,
        },
        {
            "goal": f"ensemble of {GOAL_ENSEMBLE_SIZE:,} runs",
            "target": f">= {GOAL_ENSEMBLE_PER_CORE:,.0f} runs/s per core",
            "measured": None if at_size is None else at_size.runs_per_s_per_core,
            "unit": "runs/s per core",
            "met": None
            if at_size is None
            else at_size.runs_per_s_per_core >= GOAL_ENSEMBLE_PER_CORE,
        },
    ]


def fmt_load(load: list[float] | None) -> str:
    """Format load averages."""
    return "unknown" if load is None else "/".join(f"{x:.2f}" for x in load)


def report(results: dict[str, Any]) -> str:
    """Render all results as readable text."""
    m = results["machine"]
    cfg = results["config"]
    mem = "unknown" if m["memory_gib"] is None else f"{m['memory_gib']:.1f} GiB"
    lines = [
        f"Benchmark of the negotiation model core - scenario {cfg['scenario']!r}"
        + (" (--quick)" if cfg["quick"] else ""),
        "",
        "Machine",
        f"  CPU              {m['cpu_model']}",
        f"  logical CPUs     {m['cpu_count']} (os.cpu_count()), {m['cpus_usable']} usable",
        f"  memory           {mem}",
        f"  Python           {m['python']} ({m['python_implementation']}), {m['platform']}",
        f"  numpy, mesa      {m['numpy']}, {m['mesa']} (pandas {m['pandas']})",
        f"  model code       {m['model_path']} @ {m['git']}",
        f"  date             {m['date']}",
        f"  load average     {fmt_load(m['load_average_start'])} at start,"
        f" {fmt_load(results['load_average_end'])} at end (1/5/15 min)",
        "",
    ]

    g_single, g_ens = results["goals"]
    s = results["single_runs"]
    if s:
        lines += [
            f"Single runs - median of {s[0]['runs']} runs after {s[0]['warmup']} warm-up run(s)",
            "  (timed: construction + steps to the end + remove_all_agents; one seed per run,",
            "  the same seeds for every variant; 'with data collection' is collect=True,",
            "  narrate=False; the CLI's narrated run is 'collection + narration')",
            table(
                [
                    "variant",
                    "median ms",
                    "min ms",
                    "p90 ms",
                    "CPU ms",
                    "runs/s",
                    "goal",
                    "status",
                ],
                [
                    [
                        r["variant"],
                        f"{r['median_ms']:.2f}",
                        f"{r['min_ms']:.2f}",
                        f"{r['p90_ms']:.2f}",
                        f"{r['median_cpu_ms']:.2f}",
                        f"{r['runs_per_s']:.1f}",
                        g_single["target"] if r["collect"] else "-",
                        status(g_single["met"]) if r["collect"] else "",
                    ]
                    for r in s
                ],
            ),
            "",
        ]

    e = results["ensembles"]
    if e:
        lines += [
            "Ensembles - one run_ensemble call per size, best of the repeats",
            f"  (run_ensemble is single-threaded: it uses {CORES_USED} core, so runs/s/core ="
            " runs/s.",
            "  CPU/wall well above 1 would mean extra BLAS threads; below 1, that other processes",
            "  took the CPU - then runs/CPU-s is the fairer figure.)",
            table(
                [
                    "runs",
                    "repeats",
                    "wall s",
                    "runs/s",
                    "runs/s/core",
                    "CPU/wall",
                    "runs/CPU-s",
                    "goal /core",
                    "status",
                ],
                [
                    [
                        f"{r['runs']:,}",
                        str(r["repeats"]),
                        f"{r['wall_s']:.3f}",
                        f"{r['runs_per_s']:,.0f}",
                        f"{r['runs_per_s_per_core']:,.0f}",
                        f"{r['cpu_over_wall']:.2f}",
                        f"{r['runs_per_cpu_s']:,.0f}",
                        f">= {GOAL_ENSEMBLE_PER_CORE:,.0f}"
                        if r["runs"] == GOAL_ENSEMBLE_SIZE
                        else "-",
                        status(g_ens["met"]) if r["runs"] == GOAL_ENSEMBLE_SIZE else "",
                    ]
                    for r in e
                ],
            ),
            "",
        ]

    mm = results["memory"]
    if mm:
        lines += [
            f"Peak memory - each in a fresh subprocess (peak RSS from {mm[0]['source']})",
            table(
                ["process", "peak RSS MiB", "over baseline MiB", "ru_maxrss MiB"],
                [
                    [
                        r["label"],
                        f"{r['peak_rss_mib']:,.1f}",
                        "-" if r["over_baseline_mib"] is None else f"{r['over_baseline_mib']:,.1f}",
                        f"{r['ru_maxrss_mib']:,.1f}",
                    ]
                    for r in mm
                ],
            ),
            "  (ru_maxrss of a child includes its parent's peak on Linux, hence VmHWM.)",
            "",
        ]

    lines += [
        "Goals",
        table(
            ["goal", "target", "measured", "status"],
            [
                [
                    g["goal"],
                    g["target"],
                    "-" if g["measured"] is None else f"{g['measured']:,.2f} {g['unit']}",
                    status(g["met"]),
                ]
                for g in results["goals"]
            ],
        ),
    ]
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    """Parse a comma-separated list of ensemble sizes such as ``1000,10_000``."""
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"bad --sizes {text!r}: {err}") from err
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--sizes needs positive integers")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default="june2025", help="scenario name or path (june2025)")
    p.add_argument(
        "--quick", action="store_true", help="fewer repeats; skip 100,000 unless --sizes"
    )
    p.add_argument(
        "--sizes",
        type=parse_sizes,
        default=None,
        help="comma-separated ensemble sizes (default 1000,10000,100000)",
    )
    p.add_argument("--runs", type=int, default=None, help="timed single runs (30; quick 5)")
    p.add_argument("--warmup", type=int, default=None, help="warm-up single runs (3; quick 1)")
    p.add_argument(
        "--repeats",
        type=int,
        default=None,
        help=f"calls per ensemble size up to {BEST_OF_UP_TO:,} (3; quick 1); larger: 1",
    )
    p.add_argument("--no-memory", action="store_true", help="skip the subprocess memory runs")
    p.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write JSON")
    p.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    args = parse_args(argv)
    if args.child:
        child_main(args.child[0], int(args.child[1]), args.scenario)
        return 0

    sizes = args.sizes if args.sizes is not None else list(DEFAULT_SIZES)
    if args.quick and args.sizes is None:
        sizes = [n for n in sizes if n < QUICK_SKIPS_FROM]
    runs = args.runs if args.runs is not None else (5 if args.quick else 30)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 3)
    if runs < 1 or warmup < 0 or repeats < 1:
        raise SystemExit("--runs and --repeats must be >= 1, --warmup >= 0")

    results: dict[str, Any] = {
        "machine": machine_info(),
        "config": {
            "scenario": args.scenario,
            "quick": args.quick,
            "sizes": sizes,
            "single_runs": runs,
            "single_warmup": warmup,
            "ensemble_repeats": repeats,
            "best_of_up_to": BEST_OF_UP_TO,
            "cores_used": CORES_USED,
        },
    }

    # Memory first, while this parent process is still small (see peak_rss_kib).
    memory: list[MemoryResult] = []
    if not args.no_memory:
        progress("peak memory, baseline (fresh process) ...")
        memory = bench_memory(args.scenario, sizes)

    singles = []
    for variant, collect, narrate in [
        ("with data collection", True, False),
        ("collection + narration", True, True),
        ("bare (no collect/narrate)", False, False),
    ]:
        progress(f"single runs, {variant}: {warmup} warm-up + {runs} timed ...")
        singles.append(bench_single(args.scenario, variant, collect, narrate, warmup, runs))

    ensembles = []
    if sizes:
        run_ensemble(args.scenario, np.arange(100))  # warm-up, untimed
    for n in sizes:
        reps = repeats if n <= BEST_OF_UP_TO else 1
        progress(f"ensemble of {n:,} runs x {reps} ...")
        ensembles.append(bench_ensemble(args.scenario, n, reps))

    results["single_runs"] = [asdict(s) for s in singles]
    results["ensembles"] = [asdict(e) for e in ensembles]
    results["memory"] = [asdict(x) for x in memory]
    results["goals"] = goals(singles, ensembles)
    results["load_average_end"] = load_average()

    print(report(results))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
