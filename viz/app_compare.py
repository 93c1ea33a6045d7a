"""The Compare page: two settings side by side, on the same seeds, with the change and its interval.

A teacher asks "what if the US spoke with one voice?": A is the scenario as filed, B the same
with one setting moved (or another scenario), and both run on seeds seed … seed+runs-1. Run i
of A and run i of B share every random draw made for the same purpose, so the change B minus A
is the settings' doing; its 95% intervals use that pairing (``experiments.compare``).

A link to ``/compare?scenario=…&seed=…&set.PATH=…`` (the Watch page's own link format,
``viz.app_link``) opens with A the scenario as filed and B that view's settings.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import solara
from matplotlib.figure import Figure

from experiments.compare import (
    Comparison,
    Difference,
    change_text,
    compare,
    differences,
    fmt_change,
    fmt_level,
    interval_text,
)
from experiments.mechanism_stats import Estimate
from experiments.numbers import SEED_LIMIT
from model.loading import list_scenarios, load_scenario
from model.schema import Scenario
from viz.app_controls import controls_for, parse_seed, settings_overrides
from viz.app_errors import failure_line
from viz.app_link import RUN_CHOICES, ComparisonInputs, parse_comparison
from viz.app_panels import CAPTION, DPI, PANEL_WIDTH, Note, html_table, legible, png
from viz.app_watch import GRID, SettingsSections, settings_text
from viz.compare_figures import draw_days_to_deal
from viz.figure_html import png_html, smallest_font_px

SIDES = ("A", "B")
# Numbers and intervals stay on one line; the statistic's name wraps.
TABLE_CSS = ".compare-table td + td, .compare-table th + th { white-space: nowrap; }"
CURVE_CAPTION = (
    "Each curve is the share of runs still without a deal on each day; a curve lower and "
    "further left reaches more deals, sooner."
)


@dataclass(frozen=True)
class CompareResult:
    """Two ensembles compared, ready to show.

    Attributes:
        comparison: Both ensembles and their summaries.
        rows: Each statistic in A and B and the change, with intervals.
        settings: Each side in words ("june2025; changed: none").
        notes: One line for each input that could not be used as given.
        seconds: Wall time to run and compare both.
        image: The days-to-a-deal figure as PNG bytes.
        min_font_px: Its smallest text, in the image's pixels.
        key: The inputs it was run from (``ComparisonInputs.key``).
    """

    comparison: Comparison
    rows: list[Difference]
    settings: tuple[str, str]
    notes: tuple[str, ...]
    seconds: float
    image: bytes
    min_font_px: float
    key: str


def side_overrides(
    scenario: Scenario, values: Mapping[str, Any]
) -> tuple[dict[str, Any], str | None]:
    """One side's overrides from its control values; values of no control of it are left out.

    Returns:
        The overrides, and None or a one-line note saying why the values were not used.
    """
    paths = {c.path for c in controls_for(scenario)}
    return settings_overrides(scenario, {}, {p: values[p] for p in paths & set(values)})


def run_comparison(inputs: ComparisonInputs) -> CompareResult:
    """Run both settings on the same seeds and compare them.

    Args:
        inputs: Each side's scenario and control values (only controls of that scenario
            count), the first seed as typed, and the runs a side.

    Returns:
        The comparison with its statistics, figure and notes.
    """
    start = time.perf_counter()
    scenarios, runs = inputs.scenarios, inputs.runs
    seed, note = parse_seed(inputs.seed)
    first = min(seed, SEED_LIMIT - runs)
    notes = [note] if note else []
    loaded = [load_scenario(name) for name in scenarios]
    overrides = []
    for side, scenario, given in zip(SIDES, loaded, inputs.values, strict=True):
        chosen, refused = side_overrides(scenario, given)
        if refused:
            notes.append(f"{side}: {refused}")
        overrides.append(chosen)
    cmp = compare(
        scenarios[0],
        scenarios[1],
        runs=runs,
        seed=first,
        overrides=(overrides[0], overrides[1]),
        labels=SIDES,
    )
    settings = tuple(
        f"{name}; changed: {settings_text(scenario, chosen)}"
        for name, scenario, chosen in zip(scenarios, loaded, overrides, strict=True)
    )
    fig = Figure(figsize=(PANEL_WIDTH, 3.4), dpi=DPI, layout="constrained")
    draw_days_to_deal(fig.subplots(), cmp)
    legible(fig)
    image = png(fig)  # drawn: the tick labels now exist to be measured
    return CompareResult(
        cmp,
        differences(cmp),
        (settings[0], settings[1]),
        tuple(notes),
        time.perf_counter() - start,
        image,
        smallest_font_px(fig),
        inputs.key(),
    )


def headline(result: CompareResult) -> str:
    """The change in deal probability in one sentence, with its interval and the flips."""
    cmp = result.comparison
    if cmp.scenarios[0].name == cmp.scenarios[1].name and cmp.overrides[0] == cmp.overrides[1]:
        return (
            "A and B are the same settings, so every run is the same in both: move a setting "
            "in B (or pick another scenario), then compare."
        )
    deal = result.rows[0]
    p = cmp.paired()
    verdict = (
        "The interval holds 0: on these seeds the change could be chance."
        if deal.change.low <= 0 <= deal.change.high
        else "The interval leaves out 0: the change is more than chance on these seeds."
    )
    return (
        f"B reaches a deal in {fmt_level(deal, deal.b.value)} of runs, A in "
        f"{fmt_level(deal, deal.a.value)}: {change_text(deal)}. Run by run, "
        f"{p['breakdown_to_deal']:,} of A's breakdowns are deals in B and "
        f"{p['deal_to_breakdown']:,} of A's deals break down in B. {verdict}"
    )


def result_rows(result: CompareResult) -> list[list[str]]:
    """The table's rows: statistic, A, B, B minus A, and its 95% interval."""
    return [
        [
            d.name,
            fmt_level(d, d.a.value),
            fmt_level(d, d.b.value),
            fmt_change(d, d.change.value),
            interval_text(d),
        ]
        for d in result.rows
    ]


def figure_alt(result: CompareResult) -> str:
    """The figure's alt text: what each curve shows."""
    rows = {d.name: d for d in result.rows}
    deal, day = rows["deal probability"], rows["median deal day"]

    def side(name: str, share: Estimate, median: Estimate) -> str:
        when = "no deal" if math.isnan(median.value) else f"median deal day {median.value:g}"
        return f"{name} deals in {share.value:.1%} of runs, {when}"

    return (
        "Share of runs still without a deal, day by day: "
        f"{side('A', deal.a, day.a)}; {side('B', deal.b, day.b)}."
    )


def both_csv(result: CompareResult) -> str:
    """Both ensembles, one row per run, with the side, scenario and seed on every row."""
    frames = []
    for side, table, scenario in zip(
        SIDES, result.comparison.tables, result.comparison.scenarios, strict=True
    ):
        frame = table.copy()
        frame.insert(0, "scenario", scenario.name)
        frame.insert(0, "side", side)
        frames.append(frame)
    return str(pd.concat(frames, ignore_index=True).to_csv(index=False))


@solara.component
def SideCard(
    side: str, scenario: solara.Reactive[str], values: solara.Reactive[dict[str, Any]]
) -> None:
    """One side's scenario and settings, with what differs from the scenario as filed."""
    names = [name for name, _ in list_scenarios()]
    loaded = load_scenario(scenario.value)
    controls = solara.use_memo(lambda: controls_for(loaded), [scenario.value])

    def pick(name: str) -> None:
        if name in names:  # the browser can send anything
            scenario.set(name)
            values.set({})

    with solara.Card(f"Setting {side}", classes=[f"compare-side-{side.lower()}"]):
        solara.Select(label="Scenario", value=scenario.value, values=names, on_value=pick)
        chosen, refused = side_overrides(loaded, values.value)
        if refused:
            solara.Warning(refused)
        solara.Text(
            f"Changed from the scenario: {settings_text(loaded, chosen)}",
            classes=[f"compare-changed-{side.lower()}"],
        )
        SettingsSections(loaded, controls, values, open_sides=False)


@solara.component
def ResultCards(result: CompareResult) -> None:
    """The comparison: a sentence, the table of changes with intervals, and the curves."""
    solara.Style(TABLE_CSS)
    # One grid for both cards: a component's several cards would be wrapped in one column.
    with solara.v.Html(tag="div", style_=GRID, class_="compare-results"):
        ResultTable(result)
        with solara.Card("Days to a deal", classes=["compare-figure"]):
            solara.Text(CURVE_CAPTION, style=CAPTION, classes=["panel-caption"])
            solara.HTML(
                tag="div",
                unsafe_innerHTML=png_html(result.image, figure_alt(result), result.min_font_px),
            )


@solara.component
def ResultTable(result: CompareResult) -> None:
    """The change in words, the table of statistics, and the download of both ensembles."""
    cmp = result.comparison
    with solara.Card("What changed, B minus A", classes=["compare-result"]):
        Note(headline(result))
        Note(f"A: {result.settings[0]}. B: {result.settings[1]}.", italic=True)
        seeds = f"seeds {cmp.seed}–{cmp.seed + cmp.runs - 1}"
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html_table(
                ["", "A", "B", "B − A", "95% interval"], result_rows(result)
            ),
            classes=["compare-table"],
        )
        solara.Text(
            f"{cmp.runs:,} runs each on the same {seeds}. Deal day and terms are medians over "
            "each side's deals; intervals are paired by seed (Newcombe's score interval for "
            "shares, a bootstrap for medians). Ran in "
            f"{result.seconds:.1f} s.",
            style=CAPTION,
        )
        solara.FileDownload(
            lambda: both_csv(result),
            filename=f"compare_{cmp.runs}_runs_seed{cmp.seed}.csv",
            label="Both ensembles (CSV)",
            mime_type="text/csv",
        )


@solara.component
def ComparisonLink(inputs: ComparisonInputs) -> None:
    """A link that opens this page with both sides, the seed and the runs as they are now."""
    solara.HTML(
        tag="a",
        unsafe_innerHTML="Link to this comparison (both settings, the seed and the runs)",
        attributes={"href": f"compare{inputs.query()}", "class": "comparison-link"},
    )


@solara.component
def ComparePage() -> None:
    """Two settings, the same seeds, the change with its interval."""
    router = solara.use_router()
    # A link's sides, seed and runs apply when the page opens, not after.
    linked, notes = solara.use_memo(lambda: parse_comparison(router.search), [])
    scenario_a = solara.use_reactive(linked.scenarios[0])
    scenario_b = solara.use_reactive(linked.scenarios[1])
    values_a = solara.use_reactive(dict(linked.values[0]))
    values_b = solara.use_reactive(dict(linked.values[1]))
    seed_text = solara.use_reactive(linked.seed)
    runs = solara.use_reactive(str(linked.runs))

    def now() -> ComparisonInputs:
        return ComparisonInputs(
            (scenario_a.value, scenario_b.value),
            (values_a.value, values_b.value),
            seed_text.value,
            int(runs.value),
        )

    def work() -> tuple[CompareResult | None, str]:
        # The page's boundary: a failed comparison is one line, and the page goes on.
        try:
            done = run_comparison(now())
        except Exception as exc:
            return None, failure_line(exc, "The comparison could not be run")
        return done, ""

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)  # type: ignore[arg-type]
    solara.Title("Negotiation — compare two settings")
    with solara.Column(style={"padding": "8px 16px", "max-width": "1400px"}):
        with solara.Card("Compare two settings", classes=["compare-controls"]):
            Note(
                "Set A and B below (one scenario with a setting moved, or two scenarios), then "
                "compare: both run on the same seeds, so the change is the settings' doing."
            )
            for line in notes:
                solara.Warning(line)
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.InputText("First seed", value=seed_text, style={"max-width": "140px"})
                solara.Select(
                    label="Runs per setting",
                    value=runs,
                    values=list(RUN_CHOICES),
                    style={"max-width": "180px"},
                )
                solara.Button(
                    "Compare",
                    color="primary",
                    on_click=task,
                    disabled=task.pending,
                    classes=["run-compare"],
                )
            solara.ProgressLinear(task.pending)
            ComparisonLink(now())
            if task.finished and task.value is not None:
                done, error = task.value
                if error:
                    solara.Error(error)
                for line in done.notes if done is not None else ():
                    solara.Warning(line)
        if task.finished and task.value is not None and task.value[0] is not None:
            done = task.value[0]
            if done.key != now().key():
                solara.Info("The settings have changed since this comparison: compare again.")
            ResultCards(done)
        with solara.v.Html(tag="div", style_=GRID, class_="compare-grid"):
            SideCard("A", scenario_a, values_a)
            SideCard("B", scenario_b, values_b)
