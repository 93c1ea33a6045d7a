"""The ``negotiate`` command line: run, scenarios, validate, theory, mechanisms, compare, app.

Every problem with a file or a flag is reported in one line on standard error, with exit
status 2; a failure of the environment (a scheduler down, a full disk) in one line with exit
status 1. Commands import the engine (Mesa, pandas) and the figures only when they run, so
``negotiate validate`` and ``negotiate scenarios`` start at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments import budget
from experiments.io import json_safe, make_out_folder, write_json
from experiments.numbers import check_seed_range
from model import DEFAULT_SCENARIO, list_scenarios, load_scenario
from model.errors import ArgumentError, EnvironmentFailure, UserError
from negotiate import arguments, sweep_commands
from negotiate.arguments import EXIT_ENVIRONMENT, EXIT_USAGE

if TYPE_CHECKING:
    import pandas as pd

    from model.negotiation import NegotiationModel


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``negotiate``."""
    parser = arguments.Parser(prog="negotiate", description="Multi-party negotiation model (Mesa).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=arguments.Parser)
    run = sub.add_parser("run", help="a narrated run, then an ensemble summary")
    run.add_argument(
        "--scenario", default=DEFAULT_SCENARIO, help="bundled name or path to a TOML file"
    )
    run.add_argument(
        "--seed",
        type=arguments.seed,
        default=0,
        help="seed of the narrated run; the ensemble uses seed, seed+1, …",
    )
    run.add_argument(
        "--runs", type=arguments.runs, default=1000, help="runs in the ensemble (default 1000)"
    )
    run.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    run.add_argument(
        "--out", type=Path, help="folder for outcome.json, run.png, figures, ensemble.parquet"
    )
    run.add_argument("--quiet", action="store_true", help="no narration and no progress bar")
    run.add_argument(
        "--animate",
        type=Path,
        metavar="FILE",
        help="also write a film of the narrated run, day by day (.gif, or .mp4 with ffmpeg)",
    )
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        type=arguments.override,
        help="set a parameter by scenario path, e.g. parties.a.strategy.exponent=3 (repeatable)",
    )
    theory = sub.add_parser(
        "theory", help="check the model against bargaining theory; write validation.md"
    )
    theory.add_argument(
        "--out", type=Path, default=Path("docs"), help="folder for validation.md (default docs)"
    )
    theory.add_argument("--runs", type=arguments.runs, default=2000, help="runs per ensemble check")
    mech = sub.add_parser(
        "mechanisms",
        help="measure what each mechanism changes (on and off, same seeds); write mechanisms.md",
    )
    mech.add_argument(
        "--runs", type=arguments.runs, default=10_000, help="runs per setting (default 10000)"
    )
    mech.add_argument(
        "--seed",
        type=arguments.seed,
        default=0,
        help="first seed; every setting uses seed, seed+1, …",
    )
    mech.add_argument(
        "--out",
        type=Path,
        default=Path("docs"),
        help="folder for mechanisms.md; its figures go to OUT/mechanisms/ (default docs)",
    )
    mech.add_argument(
        "--only", metavar="KEY[,KEY]", help="measure only these mechanisms (default: all)"
    )
    sweep_commands.add_parsers(sub)
    app = sub.add_parser("app", help="the teaching app in a web browser (watch, play, class board)")
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this PC only; any other address, such "
        "as 0.0.0.0, lets other machines open the app, and the command warns so)",
    )
    app.add_argument(
        "--port", type=arguments.port, default=8765, help="port (default 8765; 0: any free)"
    )
    app.add_argument("--open", action="store_true", help="open the app in the web browser")
    app.add_argument(
        "--sweeps",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the 'Stored sweep run' card opens sweeps only from under DIR, typed relative to "
        "it (default: the current folder); paths leading outside are refused",
    )
    app.add_argument(
        "--class",
        dest="class_board",
        action="store_true",
        help="keep a class board: every game played on the Play page is posted to it when it "
        "ends (a SQLite file, board.sqlite, under --data)",
    )
    app.add_argument(
        "--data",
        type=Path,
        default=Path("negotiate-app-data"),
        metavar="DIR",
        help="the app's data folder, for the class board (default ./negotiate-app-data)",
    )
    sub.add_parser("scenarios", help="list the bundled scenarios")
    val = sub.add_parser("validate", help="check a scenario file")
    val.add_argument("path", help="path to a scenario TOML file (or a bundled name)")
    cmp = sub.add_parser("compare", help="two scenarios' ensembles side by side (same seeds)")
    cmp.add_argument("a", help="first scenario: bundled name or path (usually the baseline)")
    cmp.add_argument("b", help="second scenario: bundled name or path")
    cmp.add_argument(
        "--runs", type=arguments.runs, default=1000, help="runs per scenario (default 1000)"
    )
    cmp.add_argument(
        "--seed", type=arguments.seed, default=0, help="first seed; both use seed, seed+1, …"
    )
    for flag, side in (("--set", "b"), ("--set-a", "a")):
        cmp.add_argument(
            flag,
            dest=f"overrides_{side}",
            action="append",
            default=[],
            metavar="PATH=VALUE",
            type=arguments.override,
            help=f"set a parameter of {side} by scenario path, e.g. sides.us.cohesion=1 "
            "(repeatable)",
        )
    cmp.add_argument("--out", type=Path, help="folder for compare.png and compare.json")
    cmp.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    """Run the scenario once, narrated, then as an ensemble, and report."""
    scenario = load_scenario(args.scenario)
    check_seed_range(args.seed, args.runs)
    budget.check_memory("--runs", args.runs, budget.table_bytes(scenario, args.runs))
    overrides = dict(args.overrides)
    if args.animate is not None:
        from viz.animation import check_animation_path

        check_animation_path(args.animate)  # an unwritable film fails before any work
        _check_writable(args.animate, "--animate")
    if args.out is not None:
        make_out_folder(args.out)
    from experiments.chunks import run_in_chunks
    from experiments.summary import summarize, summary_lines
    from model.negotiation import NegotiationModel

    model = NegotiationModel(scenario, rng=args.seed, overrides=overrides or None)
    model.run_model()
    outcome = model.outcome
    assert outcome is not None  # a run always ends by its last day
    talk = not args.json and not args.quiet
    if talk:
        print(f"{scenario.title} — narrated run, seed {args.seed}\n")
        print("\n".join(model.log))
        print()
    table = run_in_chunks(
        scenario,
        args.seed,
        args.runs,
        overrides=overrides,
        progress=talk and sys.stderr.isatty(),
    )
    summary = summarize(table, scenario)
    doc: dict[str, Any] = {
        "scenario": scenario.name,
        "seed": args.seed,
        "overrides": overrides,
        "run": outcome.to_dict(),
        "log": model.log,
        "ensemble": summary | {"seeds": [args.seed, args.seed + args.runs - 1]},
    }
    if args.out is not None:
        _write_outputs(args.out, model, table, doc)
    if args.animate is not None:
        from viz.outputs import write_animation

        write_animation(args.animate, scenario, args.seed, overrides)
    if args.json:
        print(json.dumps(json_safe(doc), indent=2, default=str))
    else:
        print("\n".join(summary_lines(summary, scenario)))
        if args.out is not None:
            print(f"\nwrote {args.out}/outcome.json, run.png, ensemble.parquet and figures")
        if args.animate is not None:
            print(f"wrote {args.animate}")
    model.release()
    return 0


def _check_writable(path: Path, flag: str) -> None:
    """Check that a file can be written at ``path``, before any work is done.

    Its folder must take a new file (tried with a hidden scratch file, removed at once, as
    the writers write beside the target and then rename), and the path must not be a folder.

    Raises:
        ArgumentError: Naming the flag, the path and the problem.
    """
    if path.is_dir():
        raise ArgumentError(flag, "", f"{path} is a folder, not a file")
    folder = path.parent
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".negotiate-", suffix=".probe"):
            pass
    except OSError as exc:
        raise ArgumentError(
            flag, "", f"{path}: cannot write in the folder {folder} ({exc.strerror or exc})"
        ) from None


def _write_outputs(
    out: Path, model: NegotiationModel, table: pd.DataFrame, doc: dict[str, Any]
) -> None:
    from experiments.store import write_parquet
    from viz.files import save_png
    from viz.outputs import write_run_figures
    from viz.run_figure import run_figure

    write_json(out / "outcome.json", doc)
    save_png(run_figure(model), out / "run.png")
    write_parquet(out / "ensemble.parquet", table)
    write_run_figures(out, model.scenario, int(doc["seed"]), doc["overrides"], table)


def cmd_scenarios(_: argparse.Namespace) -> int:
    """List bundled scenarios."""
    for name, title in list_scenarios():
        print(f"{name:<20} {title}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate a scenario file."""
    s = load_scenario(args.path)
    print(
        f"{args.path}: ok ({s.name}: {len(s.parties)} parties, "
        f"{len(s.issues)} issues, {len(s.sides)} sides)"
    )
    return 0


def cmd_theory(args: argparse.Namespace) -> int:
    """Run every check of the theory suite and write validation.md with its figures."""
    from viz.theory_figures import write_validation

    # Each check holds an ensemble table or two at a time; two_level has the widest rows.
    budget.check_memory(
        "--runs", args.runs, 2 * budget.table_bytes(load_scenario("two_level"), args.runs)
    )
    make_out_folder(args.out)
    checks = write_validation(args.out, runs=args.runs, progress=sys.stderr.isatty())
    failed = [c for c in checks if not c.passed]
    for c in checks:
        print(f"{'ok  ' if c.passed else 'FAIL'}  {c.title}")
    print(f"\nwrote {args.out / 'validation.md'} ({len(checks) - len(failed)}/{len(checks)} hold)")
    return 1 if failed else 0


def cmd_mechanisms(args: argparse.Namespace) -> int:
    """Measure each mechanism on and off on the same seeds; write mechanisms.md and figures."""
    from experiments.mechanisms import BASELINE, pick

    mechanisms = pick(args.only)  # an unknown key fails before any work
    check_seed_range(args.seed, args.runs)
    settings = {s.identity() for m in mechanisms for s in (m.off, m.on)}
    base = load_scenario(BASELINE)
    need = len(settings) * budget.table_bytes(base, args.runs)
    budget.check_memory("--runs", args.runs, need + args.runs * budget.TRACED_RUN_BYTES)
    make_out_folder(args.out)
    from experiments.mechanism_report import verdict_lines
    from viz.mechanism_figures import write_mechanisms

    results = write_mechanisms(
        args.out, mechanisms, args.runs, args.seed, progress=sys.stderr.isatty()
    )
    print("\n".join(verdict_lines(results)))
    print(f"\nwrote {args.out / 'mechanisms.md'} and its figures in {args.out / 'mechanisms'}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Run two scenarios on the same seeds and show their outcomes side by side."""
    from experiments import compare as cmp

    scenarios = [load_scenario(name) for name in (args.a, args.b)]  # a bad name fails at once
    from model.params import apply_overrides, compile_scenario

    overrides = (dict(args.overrides_a), dict(args.overrides_b))
    for scenario, given in zip(scenarios, overrides, strict=True):
        apply_overrides(compile_scenario(scenario), given, 1)  # a bad path fails before any run
    check_seed_range(args.seed, args.runs)
    need = sum(budget.table_bytes(s, args.runs) for s in scenarios)
    budget.check_memory("--runs", args.runs, need)
    if args.out is not None:
        make_out_folder(args.out)
    result = cmp.compare(
        args.a,
        args.b,
        args.runs,
        args.seed,
        progress=not args.json and sys.stderr.isatty(),
        overrides=overrides,
        # With settings changed, a scenario's name alone no longer says which side is which.
        labels=("A", "B") if any(overrides) else None,
    )
    doc = cmp.comparison_doc(result)
    if args.out is not None:
        from viz.compare_figures import comparison_figure
        from viz.files import save_png

        write_json(args.out / "compare.json", doc)
        save_png(comparison_figure(result), args.out / "compare.png")
    if args.json:
        print(json.dumps(json_safe(doc), indent=2, default=str))
    else:
        print("\n".join(cmp.comparison_lines(result)))
        if args.out is not None:
            print(f"\nwrote {args.out}/compare.png, compare.json")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    """Serve the teaching app until interrupted."""
    from viz.server import serve

    return serve(
        args.host,
        args.port,
        open_browser=args.open,
        sweeps=args.sweeps,
        board=args.data if args.class_board else None,
    )


COMMANDS = {
    **sweep_commands.COMMANDS,
    "run": cmd_run,
    "scenarios": cmd_scenarios,
    "validate": cmd_validate,
    "theory": cmd_theory,
    "mechanisms": cmd_mechanisms,
    "compare": cmd_compare,
    "app": cmd_app,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``negotiate``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"negotiate: error: {exc.line()}", file=sys.stderr)
        return EXIT_USAGE
    except EnvironmentFailure as exc:
        print(f"negotiate: error: {exc.line()}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        print("negotiate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (say, `| head`) has gone: stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # the machine refused (a full disk, a folder gone read-only)
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"negotiate: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except MemoryError:
        print("negotiate: error: out of memory: ask for fewer runs at once", file=sys.stderr)
        return EXIT_ENVIRONMENT
