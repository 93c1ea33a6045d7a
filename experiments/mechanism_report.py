"""The mechanisms measured, in words: the text of ``mechanisms.md`` and the terminal summary.

``mechanisms_markdown`` writes the document (``viz.mechanism_figures.write_mechanisms`` adds
the figures and writes the file); ``verdict_lines`` is what ``negotiate mechanisms`` prints.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from experiments.markdown import markdown_table
from experiments.mechanism_runs import MechanismResult
from experiments.mechanism_stats import (
    BOOTSTRAP_SEED,
    CHANGES_NOTHING,
    CHANGES_RUNS,
    RESAMPLES,
    Estimate,
)
from experiments.mechanisms import (
    CONTEXT,
    DEAL_PROBABILITY,
    DEALS_BEFORE_ELECTION,
    MEAN_DAY_BOTH,
    MEAN_OUTCOME,
    MEAN_UTILITY,
    MECHANISMS,
    MEDIAN_DAY,
    MEDIAN_TERM,
    RUNS_CHANGED,
    SHARE_AFTER_DEADLINE,
    Setting,
    family,
)
from model.schema import Scenario

MINUS = "\N{MINUS SIGN}"
DASH = "\N{EN DASH}"


def _num(x: float, decimals: int, signed: bool = False) -> str:
    """A number to ``decimals`` places; with ``signed``, a + before what rounds above 0."""
    if not math.isfinite(x):
        return DASH
    text = f"{x:,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text.lstrip("-")  # what rounds to 0 is shown as 0, without a sign
    return ("+" + text if signed and x > 0 else text).replace("-", MINUS)


def _places(base: int, *values: float, most: int = 8) -> int:
    """Decimals enough for every nonzero value to show a nonzero digit (at least ``base``).

    With common random numbers a change can be tiny and still clear of 0: it must not print
    as 0.0 beside a verdict that says it is not 0.
    """
    d = base
    while d < most and any(math.isfinite(v) and v != 0 and round(v, d) == 0 for v in values):
        d += 1
    return d


def _day_number(x: float, signed: bool = False) -> str:
    """A day (or a change in days): whole, or with the half a median of an even count has."""
    return _num(x, 0 if x == round(x) else 1, signed)


def _interval(e: Estimate, decimals: int | None, signed: bool = False, scale: float = 1.0) -> str:
    """An interval in brackets, "low–high" (a change: "low to high"); days for None decimals."""
    if not (math.isfinite(e.low) and math.isfinite(e.high)):
        return ""
    if decimals is None:
        low, high = _day_number(e.low, signed), _day_number(e.high, signed)
    else:
        low, high = _num(scale * e.low, decimals, signed), _num(scale * e.high, decimals, signed)
    return f" ({low} to {high})" if signed else f" ({low}{DASH}{high})"


def _decimals(metric: str, scenario: Scenario) -> int:
    kind = family(metric)
    if kind == MEDIAN_TERM:
        unit = scenario.issue(metric.removeprefix(MEDIAN_TERM)).unit
        return 2 if unit == "%" else 0 if unit.startswith("$") else 3
    return 3


def date_of_day(scenario: Scenario, day: float) -> str:
    """The calendar date of a (median) day: two dates when it falls between two days."""
    start = scenario.calendar.start
    first = start + dt.timedelta(days=math.floor(day))
    if day == math.floor(day):
        return f"{first.day} {first:%B}"
    second = first + dt.timedelta(days=1)
    return f"{first.day}{DASH}{second.day} {second:%B}"


def level_text(metric: str, e: Estimate | None, scenario: Scenario) -> str:
    """A setting's value of an outcome with its 95% interval, as a table cell."""
    if e is None or not math.isfinite(e.value):
        return f"{DASH} (no deal)" if e is not None else ""
    if metric in (DEAL_PROBABILITY, SHARE_AFTER_DEADLINE, DEALS_BEFORE_ELECTION):
        d = _places(1, 100 * e.value, 100 * e.low, 100 * e.high)
        return f"{_num(100 * e.value, d)}%{_interval(e, d, scale=100)[:-1]}%)"
    if metric == MEDIAN_DAY:
        span = _interval(e, None)[2:-1]
        return f"{date_of_day(scenario, e.value)} (day {_day_number(e.value)}; {span})"
    if metric == MEAN_DAY_BOTH:
        return f"day {_num(e.value, 1)}{_interval(e, 1)}"
    d = _decimals(metric, scenario)
    return f"{_num(e.value, d)}{_interval(e, d)}"


def change_text(metric: str, e: Estimate, scenario: Scenario) -> str:
    """The change of an outcome, on minus off, with its 95% interval, as a table cell."""
    if not math.isfinite(e.value):
        return f"{DASH} (no deal in a setting)"
    if metric == MEDIAN_DAY:
        return f"{_day_number(e.value, True)} days{_interval(e, None, True)}"
    if metric == MEAN_DAY_BOTH:
        d = _places(1, e.value, e.low, e.high)
        return f"{_num(e.value, d, True)} days{_interval(e, d, True)}"
    if metric in (DEAL_PROBABILITY, SHARE_AFTER_DEADLINE, DEALS_BEFORE_ELECTION, RUNS_CHANGED):
        d = _places(1, 100 * e.value, 100 * e.low, 100 * e.high)
        if metric == RUNS_CHANGED:
            return f"{_num(100 * e.value, d)}% of seeds{_interval(e, d, scale=100)[:-1]}%)"
        return f"{_num(100 * e.value, d, True)} points{_interval(e, d, True, 100)}"
    d = _places(_decimals(metric, scenario), e.value, e.low, e.high)
    return f"{_num(e.value, d, True)}{_interval(e, d, True)}"


def outcome_label(metric: str, scenario: Scenario) -> str:
    """An outcome's name in words, its unit included."""
    kind = family(metric)
    if kind == MEDIAN_TERM:
        issue = scenario.issue(metric.removeprefix(MEDIAN_TERM))
        return f"{issue.label} ({issue.unit}), median of the deals"
    if kind == MEAN_UTILITY:
        return (
            f"{scenario.party(metric.removeprefix(MEAN_UTILITY)).name}: mean utility of the deals"
        )
    if kind == MEAN_OUTCOME:
        return f"{metric.removeprefix(MEAN_OUTCOME).replace('_', ' ')}, mean of the deals"
    return {
        DEAL_PROBABILITY: "deal probability",
        MEDIAN_DAY: "median deal day",
        MEAN_DAY_BOTH: "mean deal day of the seeds that deal in both settings",
        SHARE_AFTER_DEADLINE: "deals struck after the original deadline",
        DEALS_BEFORE_ELECTION: "runs that end in a deal before the election",
        RUNS_CHANGED: "seeds whose outcome changes",
    }[metric]


def prediction_text(metric: str, direction: str, scenario: Scenario) -> str:
    """A prediction in words: "fewer deals", "later deals", "a lower US tariff on …"."""
    if metric == DEAL_PROBABILITY:
        return "more deals" if direction == "higher" else "fewer deals"
    if metric == MEDIAN_DAY:
        return f"{direction} deals"
    if metric == MEAN_DAY_BOTH:
        return f"{direction} deals in the seeds that deal either way"
    if metric == SHARE_AFTER_DEADLINE:
        return f"{'more' if direction == 'higher' else 'fewer'} deals after the original deadline"
    if metric == DEALS_BEFORE_ELECTION:
        return f"{'more' if direction == 'higher' else 'fewer'} deals before the election"
    if metric == RUNS_CHANGED:
        return "changes some runs"
    kind = family(metric)
    if kind == MEDIAN_TERM:
        label = scenario.issue(metric.removeprefix(MEDIAN_TERM)).label
        if label[1:2].islower():  # "Opening of …" reads "opening of …"; "US …" stays
            label = label[:1].lower() + label[1:]
        return f"{direction} median {label}"
    if kind == MEAN_OUTCOME:
        return f"{direction} mean {metric.removeprefix(MEAN_OUTCOME).replace('_', ' ')}"
    name = scenario.party(metric.removeprefix(MEAN_UTILITY)).name
    return f"{direction} mean utility of the deals to {name}"


def _setting_text(s: Setting) -> str:
    parts = [f"`{path}` = {value:g}" for path, value in s.overrides.items()]
    parts += [f"the scenario's `{key}` replaced" for key in s.patch]
    return s.label + (f": {', '.join(parts)}" if parts else "")


def summary_table(results: Sequence[MechanismResult]) -> pd.DataFrame:
    """One row per prediction: mechanism, predicted change, measured change, verdict."""
    rows = []
    for r in results:
        for metric, direction in r.mechanism.prediction.items():
            rows.append(
                {
                    "mechanism": f"`{r.mechanism.key}`",
                    "predicted (on vs off)": (
                        "no prediction: does it change any run?"
                        if r.mechanism.informational
                        else prediction_text(metric, direction, r.on.scenario)
                    ),
                    "change, on − off (95%)": change_text(metric, r.changes[metric], r.on.scenario),
                    "verdict": r.verdicts[metric],
                }
            )
    return pd.DataFrame(rows)


def _settings_table(r: MechanismResult) -> pd.DataFrame:
    rows = []
    for name, s in (("off", r.off), ("on", r.on)):
        rows.append(
            {
                "setting": f"{name}: {s.setting.label}",
                "deal probability (95%)": level_text(
                    DEAL_PROBABILITY, s.estimates[DEAL_PROBABILITY], s.scenario
                ),
                "median deal day (95%)": level_text(
                    MEDIAN_DAY, s.estimates[MEDIAN_DAY], s.scenario
                ),
                "deals after the original deadline (95%)": level_text(
                    SHARE_AFTER_DEADLINE, s.estimates[SHARE_AFTER_DEADLINE], s.scenario
                ),
            }
        )
    return pd.DataFrame(rows)


def _changes_table(r: MechanismResult, metrics: Sequence[str]) -> pd.DataFrame:
    rows = []
    for metric in metrics:
        scenario = r.on.scenario
        direction = r.mechanism.prediction.get(metric)
        rows.append(
            {
                "outcome": outcome_label(metric, scenario),
                "off": level_text(metric, r.off.estimates.get(metric), r.off.scenario),
                "on": level_text(metric, r.on.estimates.get(metric), scenario),
                "change, on − off (95%)": change_text(metric, r.changes[metric], scenario),
                "predicted": direction or "",
                "verdict": r.verdicts.get(metric, ""),
            }
        )
    return pd.DataFrame(rows)


def _count(n: int, thing: str) -> str:
    return f"{n:,} {thing}" + ("" if n == 1 else "s")


def run_by_run(r: MechanismResult) -> str:
    """How many seeds end differently in the two settings, and how many flip status."""
    changed = round(r.changes[RUNS_CHANGED].value * r.runs)
    how = "in status, in the day of the deal or of the breakdown, or in terms"
    if changed == 0:
        return f"Run by run, none of the {r.runs:,} seeds ends differently ({how})."
    lost = "becomes a breakdown" if r.deal_to_breakdown == 1 else "become breakdowns"
    won = "becomes a deal" if r.breakdown_to_deal == 1 else "become deals"
    return (
        f"Run by run, {changed:,} of the {r.runs:,} seeds end differently ({how}): "
        f"{_count(r.deal_to_breakdown, 'deal')} of the off setting {lost} and "
        f"{_count(r.breakdown_to_deal, 'breakdown')} {won}."
    )


def _tally(results: Sequence[MechanismResult]) -> str:
    """The verdicts counted: of the predictions, then of the measurements without one."""
    predicted = [v for r in results if not r.mechanism.informational for v in r.verdicts.values()]
    measured = [v for r in results if r.mechanism.informational for v in r.verdicts.values()]
    parts = []
    plural = {CHANGES_RUNS: "change runs", CHANGES_NOTHING: "change nothing"}
    for verdicts, what in (
        (predicted, "predictions"),
        (measured, "measurements without a prediction"),
    ):
        if verdicts:
            counts = pd.Series(verdicts).value_counts()
            text = ", ".join(
                f"{n} {plural.get(name, name) if n > 1 else name}" for name, n in counts.items()
            )
            parts.append(f"Of the {len(verdicts)} {what}: {text}.")
    return " ".join(parts)


def mechanism_section(r: MechanismResult, number: int, figure: str | None) -> list[str]:
    """The lines of one mechanism's section of ``mechanisms.md``."""
    m = r.mechanism
    words = "; ".join(prediction_text(k, v, r.on.scenario) for k, v in m.prediction.items())
    if m.informational:
        predicted = f"**Measured, not predicted:** does it change any run? *Source:* {m.source}."
    else:
        predicted = f"**Predicted:** {words}. *Source:* {m.source}."
    parts = [
        f"## {number}. {m.title} (`{m.key}`)",
        "",
        m.what,
        "",
        f"- **off**: {_setting_text(m.off)}",
        f"- **on**: {_setting_text(m.on)}",
        "",
        predicted,
        "",
        markdown_table(_settings_table(r), str),
        "",
    ]
    main = [k for k in r.changes if family(k) != MEAN_UTILITY]
    parts += [markdown_table(_changes_table(r, main), str), ""]
    utilities = [k for k in r.changes if family(k) == MEAN_UTILITY]
    if utilities:
        parts += [
            "The members' mean utility of the deals, in each setting:",
            "",
            markdown_table(_changes_table(r, utilities), str),
            "",
        ]
    parts.append(run_by_run(r))
    if figure:
        parts += ["", f"![{m.title}]({figure})"]
    return parts


def _context_lines() -> list[str]:
    """A paragraph on the dynamics every setting runs with, when some are switched on."""
    if not CONTEXT.get("dynamics"):
        return []
    switches = ", ".join(f"`{k} = {v!r}`" for k, v in CONTEXT["dynamics"].items())
    return [
        "Both settings of every mechanism run with these switches of the scenario's "
        f"`[dynamics]` table on ({switches}), as the baseline file sets them. Each "
        "of these is measured against the same dynamics with its own switch off; the others "
        "(tactics, cohesion, extension, win-set, events) within all of them, and `engage` "
        "(courting a pivotal member: meeting it, and weighing trade-offs by its priorities in "
        "place of the reciprocity weights) on top of them.",
        "",
    ]


def mechanisms_markdown(
    results: Sequence[MechanismResult],
    figures: Mapping[str, str],
    overview: str | None = None,
) -> str:
    """The text of ``mechanisms.md``: how it is measured, a summary, a section per mechanism.

    Args:
        results: The measured mechanisms, in document order (at least one).
        figures: Link of each mechanism's figure, by key (mechanisms without one are left out).
        overview: Link of the figure of every change in deal probability, if any.

    Returns:
        The Markdown document.
    """
    first = results[0]
    scenario, runs, seed = first.on.scenario, first.runs, first.seed
    parts = [
        "# Mechanisms: what each one changes",
        "",
        "Every mechanism of the model comes with a measurement of what it changes. For each one "
        f"below, the scenario `{scenario.name}` runs in two settings, without the mechanism "
        f"(*off*) and with it (*on*), on the same {runs:,} seeds ({seed:,} to "
        f"{seed + runs - 1:,}). Run i of both settings draws the same random numbers for the "
        "same purpose on the same day (common random numbers), so what differs between them "
        "is the mechanism's doing, run by run. Beside each measured change stands the "
        "direction the literature predicts, and a verdict.",
        "",
        *_context_lines(),
        "What is measured, in each setting: the deal probability; the median day of the deals "
        f"(day 0 is {scenario.calendar.start:%d %B %Y}; the date is given too); the share of "
        "deals struck after the original deadline (the calendar's, before any extension); the "
        "share of runs that end in a deal before the first election of a side; the "
        "mean day of the deals over the seeds that deal in both settings (the timing of the "
        "same runs: the median also moves when a mechanism turns late breakdowns into deals or "
        "deals into breakdowns, so a timing prediction is checked on both); the "
        "median of each issue's terms over the deals, in real units; and, where a prediction "
        "names a party, its mean utility of the deals. All intervals are 95%:",
        "",
        "- a deal probability, a share of deals after the deadline and a share of runs that "
        "deal before the election: Wilson score interval;",
        "- the change in deal probability, and in the share that deal before the election: "
        "Newcombe's hybrid score interval for paired "
        "proportions (method 10 of Newcombe 1998), which draws on the pairing by seed;",
        "- medians, means, and every other change: percentile bootstrap over seeds, paired: "
        f"each of {RESAMPLES:,} resamples draws seeds with replacement, the same for both "
        "settings, and recomputes each statistic over the deals among them (a numpy Generator "
        f"seeded with {BOOTSTRAP_SEED} draws them, so every interval is reproduced exactly).",
        "",
        "A prediction's verdict is **as predicted** when the interval of the change (on minus "
        "off) lies wholly on the predicted side of 0, **opposite** when it lies wholly on the "
        "other side, **no clear change** when it holds 0, and **not measurable** when a "
        "setting has no deal to measure. A dated event comes with no "
        "predicted direction: its verdict says whether it changes the outcome (status, day or "
        "terms) of any seed at all (**changes runs**) or of none (**changes nothing**). "
        "Paired by seed, a change far too small to matter can still lie clear of 0: read its "
        "size beside its verdict.",
        "",
        "The numbers are reported as measured; nothing was tuned to agree with a prediction. "
        "This file and its figures are written by `negotiate mechanisms`.",
        "",
        "## Summary",
        "",
        _tally(results),
        "",
        markdown_table(summary_table(results), str),
    ]
    if overview:
        parts += ["", f"![The change in deal probability of each mechanism]({overview})"]
    for k, r in enumerate(results, 1):
        parts += ["", *mechanism_section(r, k, figures.get(r.mechanism.key))]
    keys = [r.mechanism.key for r in results]
    only = "" if keys == [m.key for m in MECHANISMS] else f" --only {','.join(keys)}"
    parts += [
        "",
        "## How to reproduce",
        "",
        "```",
        f"negotiate mechanisms --runs {runs} --seed {seed}{only}",
        "```",
        "",
    ]
    return "\n".join(parts)


def verdict_lines(results: Sequence[MechanismResult]) -> list[str]:
    """The measured mechanisms for the terminal: deal probability, median day and verdicts."""
    if not results:
        return []
    first = results[0]
    last = first.seed + first.runs - 1
    lines = [
        f"{first.on.scenario.name}: {len(results)} mechanisms, {first.runs:,} runs per setting "
        f"on the same seeds ({first.seed:,}–{last:,}); off → on",
    ]
    for r in results:
        s_off, s_on = r.off, r.on
        p = (
            f"{level_text(DEAL_PROBABILITY, s_off.estimates[DEAL_PROBABILITY], s_off.scenario)} → "
            f"{level_text(DEAL_PROBABILITY, s_on.estimates[DEAL_PROBABILITY], s_on.scenario)}, "
            f"change {change_text(DEAL_PROBABILITY, r.changes[DEAL_PROBABILITY], s_on.scenario)}"
        )
        day = (
            f"{level_text(MEDIAN_DAY, s_off.estimates[MEDIAN_DAY], s_off.scenario)} → "
            f"{level_text(MEDIAN_DAY, s_on.estimates[MEDIAN_DAY], s_on.scenario)}"
        )
        lines += [
            "",
            f"{r.mechanism.key}: {r.mechanism.title}",
            f"  deal probability  {p}",
            f"  median deal day   {day}",
        ]
        for k, v in r.mechanism.prediction.items():
            change = change_text(k, r.changes[k], s_on.scenario)
            lines.append(f"  {r.verdicts[k]:<16}  {prediction_text(k, v, s_on.scenario)}: {change}")
    return [line.replace(MINUS, "-") for line in lines]
