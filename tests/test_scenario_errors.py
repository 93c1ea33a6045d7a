"""Broken scenario files: each gives one clear line naming the field, in Python and on the CLI.

Every broken file is the bundled baseline with a small text substitution, so each case differs
from a valid scenario in exactly one way.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest

from model import ScenarioError, load_scenario
from model.loading import parse_scenario
from model.params import compile_scenario
from negotiate.cli import main

NEGOTIATE = str(Path(sys.executable).with_name("negotiate"))
BASELINE = Path(str(resources.files("model") / "scenarios" / "june2025.toml"))


@dataclass(frozen=True)
class Case:
    """One way to break the baseline.

    ``subs`` are (old, new) text substitutions, each of which must match exactly once;
    ``field`` is a substring of the expected ``ScenarioError.field`` ("" means the whole file);
    ``problem`` is a substring of the expected ``ScenarioError.problem``.
    """

    id: str
    subs: tuple[tuple[str, str], ...]
    field: str
    problem: str
    make: str = "text"  # how to build the file: see ``build``


CASES = [
    Case(
        "missing_required_field",
        (("deadline = 2025-07-09", ""),),
        "calendar.deadline",
        "required field is missing",
    ),
    Case(
        "wrong_type",
        (("clout = 0.40", 'clout = "high"'),),
        "parties.bessent.clout",
        "valid number",
    ),
    Case(
        "priorities_do_not_sum_to_one",
        (("currency = 0.35", "currency = 0.45"),),
        "parties.bessent.priorities",
        "must sum to 1",
    ),
    Case(
        "unknown_issue_in_priorities",
        (("defense = 0.15                # he raised", "tariffs = 0.15  # he raised"),),
        "parties.bessent.priorities.tariffs",
        "unknown issue 'tariffs'",
    ),
    Case(
        "deadline_before_start",
        (("deadline = 2025-07-09", "deadline = 2025-04-01"),),
        "calendar.deadline",
        "is not after start",
    ),
    Case(
        "nan_reservation",
        (("reservation = 0.45", "reservation = nan"),),
        "parties.bessent.reservation",
        "finite number",
    ),
    Case(
        "ideal_outside_issue_range",
        (("investment = 500.0", "investment = 5000.0"),),
        "parties.bessent.ideal.investment",
        "outside [0.0, 1000.0]",
    ),
    Case(
        "duplicate_party_key",
        (('key = "greer"', 'key = "lutnick"'),),
        "parties",
        "duplicate key 'lutnick'",
    ),
    Case(
        "unknown_strategy_kind",
        (
            (
                'kind = "time_dependent"\nparams = { exponent = 1.5,',
                'kind = "tit_for_tat"\nparams = { exponent = 1.5,',
            ),
        ),
        "parties.bessent.strategy",
        "unknown strategy 'tit_for_tat'",
    ),
    Case(
        "party_on_unknown_side",
        (('name = "Jamieson Greer"\nside = "us"', 'name = "Jamieson Greer"\nside = "eu"'),),
        "parties.greer.side",
        "unknown side 'eu'",
    ),
    Case(
        "invalid_toml_syntax",
        (("clout = 0.40", "clout = = 0.40"),),
        "",
        "invalid TOML",
    ),
    Case(
        "unknown_field_typo",
        (("reservation_sd = 0.08         # assumption: uncertainty", "reservaton_sd = 0.08  #"),),
        "parties.bessent.reservaton_sd",
        "unknown field",
    ),
    Case("missing_file", (), "", "no such file", make="absent"),
]

# Further kinds, checked in-process only (each CLI subprocess costs about two seconds).
MORE_CASES = [
    Case(
        "win_set_bound_outside_issue_range",
        (("max = 17.5                    # assumption: at least", "max = 30.0  # at least"),),
        "sides.japan.win_set[0].max",
        "outside",
    ),
    Case(
        "event_absent_unknown_party",
        (('absent = ["bessent"]', 'absent = ["yellen"]'),),
        "events[3].effects.absent",
        "unknown party 'yellen'",
    ),
    Case(
        "unknown_opening_side",
        (('opening_side = "us"', 'opening_side = "eu"'),),
        "calendar.opening_side",
        "unknown side 'eu'",
    ),
    Case(
        "infinite_issue_bound",
        (("max = 1000.0", "max = inf"),),
        "issues.investment.max",
        "finite number",
    ),
    Case(
        "event_ends_before_it_starts",
        (("end = 2025-06-10", "end = 2025-06-01"),),
        "events[3].end",
        "before",
    ),
    Case(
        "strategy_parameter_out_of_range",
        (("params = { exponent = 1.5,", "params = { exponent = -1.5,"),),
        "parties.bessent.strategy",
        "exponent",
    ),
    Case(
        "duplicate_short_name",
        (('short = "country rate"', 'short = "Cars"'),),
        "issues.reciprocal_tariff.short",
        "'Cars' is already the short name of issue 'auto_tariff'",
    ),
    Case(
        "short_name_too_long",
        (('short = "yen"', 'short = "strength of a yen commitment"'),),
        "issues.currency.short",
        "is 28 characters long; at most 24",
    ),
    Case(
        "blank_short_name",
        (('short = "standards"', 'short = " "'),),
        "issues.nontariff.short",
        "not be blank",
    ),
    Case("not_utf8", (), "", "cannot read", make="binary"),
    Case("a_directory", (), "", "cannot read", make="directory"),
    Case("empty_file", (), "name", "required field is missing", make="empty"),
    # Numbers far beyond what the model can mean (model.limits): each used to validate, then
    # printed $nanbn, ran with RuntimeWarnings only, or settled every run on day 0.
    Case(
        "issue_range_of_1e308",
        (("max = 1000.0 ", "max = 1e308 "),),
        "issues.investment.max",
        "less than or equal to",
    ),
    Case(
        "issue_range_too_narrow_for_its_magnitude",
        (
            (
                'unit = "$bn"\nmin = 0.0\nmax = 1000.0 ',
                'unit = "$bn"\nmin = 999999999999\nmax = 1e12 ',
            ),
        ),
        "issues.investment.max",
        "too narrow for its magnitude",
    ),
    Case("clout_of_1e300", (("clout = 0.40", "clout = 1e300"),), "parties.bessent.clout", "1000"),
    Case(
        "fx_volatility_of_1e300",
        (("volatility = 0.115", "volatility = 1e300"),),
        "drivers.fx.volatility",
        "less than or equal to 5",
    ),
    Case(
        "fx_sensitivity_of_1e308",
        (("fx_sensitivity = 3.0", "fx_sensitivity = 1e308"),),
        "parties.bessent.fx_sensitivity",
        "less than or equal to 100",
    ),
    Case(
        "stress_sensitivity_of_1e308",
        (("stress_sensitivity = 0.10", "stress_sensitivity = -1e308"),),
        "parties.bessent.stress_sensitivity",
        "greater than or equal to -10",
    ),
    Case(
        "fx_level_of_1e300",
        (("initial = 140.615", "initial = 1e300"),),
        "drivers.fx.initial",
        "less than or equal to",
    ),
    Case(
        "election_pressure_of_1e300",
        (("election_pressure = 1.0 ", "election_pressure = 1e300 "),),
        "sides.japan.election_pressure",
        "less than or equal to 10",
    ),
    Case(
        "event_stress_shock_of_1e308",
        (("stress = -0.10", "stress = -1e308"),),
        "events[1].effects.stress",
        "greater than or equal to -1",
    ),
    Case(
        "win_set_sd_wider_than_the_issue",
        (("sd = 1.0 ", "sd = 100.0 "),),
        "sides.japan.win_set[0].sd",
        "wider than the issue's range",
    ),
    Case(
        "calendar_from_year_1_to_9999",
        (
            ("start = 2025-04-16 ", "start = 0001-01-01 "),
            ("deadline = 2025-07-09 ", "deadline = 9999-12-31 "),
        ),
        "calendar.deadline",
        "at most 1,827",
    ),
    Case(
        "extensions_past_five_years",
        (("max_extensions = 2 ", "max_extensions = 10 "), ("days = 21 ", "days = 365 ")),
        "calendar.extension.days",
        "at most 1,827",
    ),
]


def substitute(text: str, subs: tuple[tuple[str, str], ...]) -> str:
    for old, new in subs:
        assert text.count(old) == 1, f"substitution target {old!r} is not unique in the baseline"
        text = text.replace(old, new)
    return text


def build(case: Case, folder: Path) -> Path:
    """Write the broken file for ``case`` into ``folder`` and return its path."""
    path = folder / f"{case.id}.toml"
    if case.make == "text":
        text = substitute(BASELINE.read_text(encoding="utf-8"), case.subs)
        path.write_text(text, encoding="utf-8")
    elif case.make == "binary":
        path.write_bytes(b'name = "\xff\xfe"\n')
    elif case.make == "directory":
        path.mkdir()
    elif case.make == "empty":
        path.write_text("", encoding="utf-8")
    else:
        assert case.make == "absent"
    return path


def check_error(err: ScenarioError, case: Case, path: Path) -> None:
    assert err.source == str(path)
    if case.field:
        assert case.field in err.field
    else:
        assert err.field == ""
    assert case.problem in err.problem
    line = err.line()
    assert line.strip() and "\n" not in line and "\r" not in line
    assert line.startswith(f"scenario {path}: ")
    assert line.endswith(err.problem)
    assert str(err) == line


# --- in-process ---------------------------------------------------------------------------------


def test_baseline_loads() -> None:
    s = load_scenario(BASELINE)
    assert s.name == "june2025"
    assert load_scenario(str(BASELINE)) == s == load_scenario("june2025")


@pytest.mark.parametrize("case", CASES + MORE_CASES, ids=lambda c: c.id)
def test_load_scenario_names_the_field(case: Case, tmp_path: Path) -> None:
    path = build(case, tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    check_error(info.value, case, path)


def test_scenario_error_is_a_value_error_with_one_line() -> None:
    err = ScenarioError("a.toml", "parties.x.clout", "must be positive")
    assert isinstance(err, ValueError)
    assert err.line() == "scenario a.toml: parties.x.clout: must be positive"
    assert ScenarioError("a.toml", "", "no such file").line() == "scenario a.toml: no such file"


@pytest.mark.parametrize("case", MORE_CASES, ids=lambda c: c.id)
def test_validate_in_process_prints_one_line(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = build(case, tmp_path)
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("negotiate: error: ")
    assert str(path) in lines[0]


def test_error_stays_one_line_for_a_key_with_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "newline_key.toml"
    sub = ("currency = 0.35", '"a\\nb" = 0.35')  # a quoted key with an escaped newline
    text = substitute(BASELINE.read_text(encoding="utf-8"), (sub,))
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert "\n" not in info.value.line()


# --- the command line, as a subprocess ------------------------------------------------------------

COMMANDS = {
    "validate": lambda p: ["validate", p],
    "run": lambda p: ["run", "--scenario", p, "--runs", "5", "--quiet"],
}


Results = dict[str, tuple[Path, subprocess.CompletedProcess[str]]]


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """Run every (case, command) pair, and the baseline, as subprocesses in parallel.

    Each CLI start costs about two seconds of imports, so the runs share the machine's cores.
    """
    folder = tmp_path_factory.mktemp("broken")
    jobs: dict[str, tuple[Path, list[str]]] = {
        "baseline/validate": (BASELINE, ["validate", str(BASELINE)])
    }
    for case in CASES:
        path = build(case, folder)
        for command, make_args in COMMANDS.items():
            jobs[f"{case.id}/{command}"] = (path, make_args(str(path)))

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [NEGOTIATE, *args], capture_output=True, text=True, timeout=120, check=False, cwd=folder
        )

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {key: (path, pool.submit(run, args)) for key, (path, args) in jobs.items()}
        return {key: (path, f.result()) for key, (path, f) in futures.items()}


def test_cli_validates_the_baseline(cli_results: Results) -> None:
    _, r = cli_results["baseline/validate"]
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout.startswith(f"{BASELINE}: ok")


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cli_reports_one_line_and_exits_2(case: Case, command: str, cli_results: Results) -> None:
    path, r = cli_results[f"{case.id}/{command}"]
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    line = lines[0]
    assert line.startswith("negotiate: error: ")
    assert str(path) in line
    assert case.problem in line
    if case.field:
        assert f": {case.field}" in line


# --- files and documents no scenario can be ------------------------------------------------------


def test_a_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASELINE.read_bytes())  # as some Windows editors save
    assert load_scenario(path) == load_scenario("june2025")


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ("{a = ", "}")])
def test_deep_nesting_is_one_line(opening: str, closing: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(f"name = {opening * 10_000}1{closing * 10_000}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field == "" and "nested more than 32 deep" in info.value.problem


def test_an_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    padding = ("# " + "x" * 98 + "\n") * 30_000  # 3 MB of comments after a valid scenario
    path.write_text(BASELINE.read_text(encoding="utf-8") + padding, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field == "" and "too large (at most 2,097,152)" in info.value.problem


def test_a_long_chain_of_bases_is_one_line(tmp_path: Path) -> None:
    for n in range(3000):
        base = f"c{n + 1}.toml" if n < 2999 else str(BASELINE)
        (tmp_path / f"c{n}.toml").write_text(f'extends = "{base}"\nname = "c{n}"\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "c0.toml")
    assert info.value.field == "extends" and "more than 16 bases" in info.value.problem


def test_a_chain_of_sixteen_bases_loads(tmp_path: Path) -> None:
    for n in range(16):
        base = f"c{n + 1}.toml" if n < 15 else str(BASELINE)
        (tmp_path / f"c{n}.toml").write_text(f'extends = "{base}"\nname = "c{n}"\n')
    assert load_scenario(tmp_path / "c0.toml").name == "c0"  # c0 has 16 bases


def test_a_key_given_twice_in_an_extending_file_is_refused(tmp_path: Path) -> None:
    issue = '[[issues]]\nkey = "currency"\nlabel = "{}"\nunit = "x"\nmin = 0.0\nmax = 1.0\n'
    path = tmp_path / "twice.toml"
    text = f'extends = "june2025"\nname = "twice"\n{issue.format("a")}{issue.format("b")}'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert (info.value.source, info.value.field) == (str(path), "issues")
    assert info.value.problem == "duplicate key 'currency'"


@pytest.mark.parametrize("key", ["[1, 2]", "{ a = 1 }"])
def test_a_key_that_is_not_text_in_an_extending_file_is_one_line(key: str, tmp_path: Path) -> None:
    path = tmp_path / "listkey.toml"
    path.write_text(f'extends = "june2025"\nname = "x"\n[[parties]]\nkey = {key}\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.field == "parties[0].key" and "valid string" in info.value.problem


def test_fx_shocks_of_events_are_bounded_in_all() -> None:
    events = [
        {"date": dt.date(2025, 5, 1), "kind": "market", "label": f"e{n}", "effects": {"fx": 1.0}}
        for n in range(11)
    ]
    with pytest.raises(ScenarioError) as info:
        parse_scenario({"extends": "june2025", "events": events}, "<shocks>")
    assert info.value.field == "events" and "add up to 11" in info.value.problem


def test_an_event_begun_before_the_start_is_clipped_to_the_calendar() -> None:
    text = BASELINE.read_text(encoding="utf-8")
    away = "date = 2025-06-09\nend = 2025-06-10"
    s = parse_scenario(tomllib.loads(text.replace(away, "date = 2025-04-01\nend = 2025-04-20")), "")
    bessent = s.party_keys.index("bessent")
    days = compile_scenario(s).days
    assert days.absent[:5, bessent].all() and not days.absent[5:, bessent].any()
    assert "US–China talks in London: Bessent away" in days.labels[0]
    before = text.replace(away, "date = 2025-04-01\nend = 2025-04-15")  # wholly before: nothing
    days = compile_scenario(parse_scenario(tomllib.loads(before), "")).days
    assert not days.absent[:, bessent].any()
    assert not any("Bessent away" in label for labels in days.labels for label in labels)


def _small_memory() -> None:
    # Old code read /dev/zero until it ran out of memory: fail fast instead of swapping.
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs /dev/zero and named pipes")
def test_devices_and_pipes_are_refused_unread(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)  # opening it to read would wait for a writer for ever
    for path in ("/dev/zero", str(fifo)):
        r = subprocess.run(
            [NEGOTIATE, "validate", path],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            preexec_fn=_small_memory,
        )
        assert r.returncode == 2, r.stderr
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
        assert f"scenario {path}: cannot read: not a regular file" in r.stderr


def test_a_name_too_long_to_look_up_is_one_line(tmp_path: Path) -> None:
    name = "a" * 5000 + ".toml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(name)
    assert info.value.source == name and "File name too long" in info.value.problem
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{name}"\nname = "child"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.field == "extends" and "File name too long" in info.value.problem
