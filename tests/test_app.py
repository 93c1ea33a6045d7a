"""The app, rendered on the server (no browser): every panel, the controls, sessions apart."""

from __future__ import annotations

import base64
import datetime as dt
import gc
import html
import re
import time
from collections.abc import Iterator
from typing import Any

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import solara
from solara.server import kernel, kernel_context

from experiments.mechanisms import SWITCHES_OFF
from model import NegotiationModel, list_scenarios, load_scenario, run_ensemble
from model.loading import parse_scenario
from model.params import apply_overrides, compile_scenario, override_paths
from viz.app import AppModel, Page, model_params
from viz.app_controls import controls_for, overrides_from, parse_seed, priority_sequence
from viz.app_ensemble import ENSEMBLE_RUNS, EnsemblePanel, run_app_ensemble
from viz.app_panels import (
    GraphPanel,
    NarrativePanel,
    OutcomePanel,
    PlanePanel,
    PositionsPanel,
    UtilitiesPanel,
    deadline_note,
    dynamics_in_force,
    live_graph,
    live_plane,
    live_positions,
    live_utilities,
)

PANELS = [GraphPanel, OutcomePanel, PositionsPanel, NarrativePanel, UtilitiesPanel, PlanePanel]


@pytest.fixture
def session() -> Iterator[kernel_context.VirtualKernelContext]:
    """A fresh Solara session (kernel context), as one browser tab gets."""
    context = kernel_context.VirtualKernelContext(
        id=f"test-{time.monotonic_ns()}", kernel=kernel.Kernel(), session_id="test"
    )
    with context:
        yield context
    # Not closed: closing tears down widget comms that only a real server registers.


def walk(widget: Any) -> Iterator[Any]:
    """Every widget below ``widget`` (rc.find stops at the first match of a class)."""
    yield widget
    for name in widget.keys:
        value = getattr(widget, name, None)
        for child in value if isinstance(value, list | tuple) else [value]:
            if isinstance(child, widgets.Widget):
                yield from walk(child)


def texts(rc: Any) -> list[str]:
    """Every piece of text on the page."""
    out: list[str] = []
    for w in walk(rc.container):
        if isinstance(w, v.Html | v.Alert):
            out += [c for c in w.children if isinstance(c, str)]
        elif isinstance(w, solara.widgets.HTML):
            out.append(str(w.unsafe_innerHTML))
    return out


def panel_images(rc: Any) -> list[tuple[bytes, str]]:
    """Every figure on the page: its PNG and its alt text (figures are inline ``<img>``)."""
    found = []
    for shown in texts(rc):
        for data, alt in re.findall(
            r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)"', shown
        ):
            found.append((base64.b64decode(data), html.unescape(alt)))
    return found


def text_with(rc: Any, part: str) -> str:
    found = [t for t in texts(rc) if part in t]
    assert found, f"no text contains {part!r}"
    return found[0]


def render_page() -> Any:
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    return rc


def click(rc: Any, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


# --- controls --------------------------------------------------------------------------------


def test_controls_are_valid_override_paths_for_every_scenario() -> None:
    for name, _ in list_scenarios():
        scenario = load_scenario(name)
        paths = set(override_paths(compile_scenario(scenario)))
        for control in controls_for(scenario):
            assert control.path in paths, (name, control.path)
            if not control.choices:
                assert control.low <= control.default <= control.high, control


def test_controls_of_the_baseline() -> None:
    paths = [c.path for c in controls_for(load_scenario("june2025"))]
    assert paths[:4] == [
        "calendar.extension.probability",
        "sides.us.rule",
        "sides.us.cohesion",
        "sides.japan.election_pressure",
    ]
    for party in ("bessent", "lutnick", "greer", "akazawa"):
        assert f"parties.{party}.clout" in paths
        assert f"parties.{party}.strategy.exponent" in paths
        assert f"parties.{party}.priorities.currency" in paths
    # One-member sides have no rule or cohesion to set; pies no priorities.
    assert "sides.japan.rule" not in paths
    pie = [c.path for c in controls_for(load_scenario("bilateral_pie"))]
    assert not [p for p in pie if ".priorities." in p or ".rule" in p]


def test_defaults_make_no_overrides() -> None:
    scenario = load_scenario("june2025")
    values = {c.path: c.default for c in controls_for(scenario)}
    assert overrides_from(scenario, values) == {}


def test_moved_controls_become_overrides() -> None:
    scenario = load_scenario("june2025")
    values: dict[str, Any] = {c.path: c.default for c in controls_for(scenario)}
    values |= {"sides.us.rule": "unanimity", "sides.us.cohesion": 0.9, "drivers.fx.initial": 150}
    assert overrides_from(scenario, values) == {
        "sides.us.rule": "unanimity",
        "sides.us.cohesion": 0.9,
        "drivers.fx.initial": 150,  # a path with no control is passed on as it is
    }


def test_priorities_are_normalised_exactly() -> None:
    scenario = load_scenario("june2025")
    values: dict[str, Any] = {c.path: c.default for c in controls_for(scenario)}
    values["parties.bessent.priorities.currency"] = 0.9
    values["parties.bessent.priorities.defense"] = 0.0
    overrides = overrides_from(scenario, values)
    assert all(k.startswith("parties.bessent.priorities.") for k in overrides)
    c = apply_overrides(compile_scenario(scenario), overrides, 1)
    raw = np.array([values[f"parties.bessent.priorities.{k}"] for k in c.issue_keys])
    np.testing.assert_allclose(c.weights[0, 0], raw / raw.sum(), atol=1e-12)
    np.testing.assert_allclose(c.weights[0, 1:], compile_scenario(scenario).weights[0, 1:])


def test_priority_sequence_lands_on_any_target() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        n = int(rng.integers(2, 8))
        current = rng.dirichlet(np.ones(n)) if rng.random() < 0.7 else np.eye(n)[rng.integers(n)]
        target = rng.dirichlet(np.ones(n))
        if rng.random() < 0.3:
            target[rng.integers(n)] = 0.0
            target /= target.sum()
        w = current.copy()
        for j, value in priority_sequence(current, target):
            others = w.sum() - w[j]  # as model.params.apply_overrides rescales
            assert others > 0 or value >= 1.0
            w *= (1.0 - value) / others if others > 0 else 0.0
            w[j] = value
        np.testing.assert_allclose(w, target, atol=1e-12)


@pytest.mark.parametrize(
    ("typed", "seed", "noted"),
    [("7", 7, False), (" 42 ", 42, False), (13, 13, False), ("abc", 0, True), ("-1", 0, True)],
)
def test_typed_seed_is_converted(typed: Any, seed: int, noted: bool) -> None:
    value, note = parse_seed(typed)
    assert value == seed
    assert (note is not None) == noted


def test_app_model_is_the_model_with_those_overrides() -> None:
    ours = AppModel(scenario="june2025", seed="5", **{"sides.us.cohesion": 0.9})
    theirs = NegotiationModel("june2025", rng=5, overrides={"sides.us.cohesion": 0.9})
    for m in (ours, theirs):
        while m.running:
            m.step()
    assert ours.outcome == theirs.outcome
    assert ours.run_seed == 5 and ours.app_overrides == {"sides.us.cohesion": 0.9}


def test_model_params_fit_mesa() -> None:
    from mesa.visualization.solara_viz import _check_model_params

    params = model_params("june2025")
    assert params["scenario"] == "june2025"
    assert params["seed"]["type"] == "InputText"
    _check_model_params(AppModel.__init__, params)


# --- panels ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", ["june2025", "two_level", "nparty_pie"])
def test_every_panel_renders_at_start_midway_and_end(session: Any, scenario: str) -> None:
    model = AppModel(scenario=scenario)
    for stage in ("start", "midway", "end"):
        if stage == "midway":
            for _ in range(20):
                model.step()
        if stage == "end":
            while model.running:
                model.step()
        for panel in PANELS:
            _, rc = solara.render(panel(model), handle_error=False)
            shown = " ".join(texts(rc))
            assert shown, (panel, stage)
            images = panel_images(rc)
            if panel is PlanePanel and scenario == "nparty_pie":
                assert "needs two sides" in shown
            elif panel in (GraphPanel, PositionsPanel, UtilitiesPanel, PlanePanel):
                assert len(images) == 1 and images[0][0].startswith(b"\x89PNG")
                assert images[0][1], (panel, stage)  # alt text
        _, rc = solara.render(OutcomePanel(model), handle_error=False)
        title = text_with(rc, "Outcome:")
        if stage == "end":
            assert model.outcome is not None and model.outcome.status.upper() in title
        else:
            assert "not yet" in title


@pytest.mark.parametrize("scenario", [name for name, _ in list_scenarios()])
def test_every_bundled_scenario_plays_with_every_control_moved(scenario: str) -> None:
    controls = controls_for(load_scenario(scenario))
    moved = {c.path: c.choices[0] if c.choices else c.high for c in controls}
    model = AppModel(scenario=scenario, seed="4", **moved)
    for _ in range(3):
        model.step()
    for build in (live_graph, live_positions, live_utilities, live_plane):
        live = build(model)
        if live is not None:
            assert 'src="data:image/png;base64,' in live.html()
    while model.running:
        model.step()
    assert model.outcome is not None


def test_ensemble_panel_reports_the_models_own_ensemble(session: Any) -> None:
    # How fast it runs is measured in benchmarks/, never asserted by a test.
    model = AppModel(seed="11", **{"sides.us.rule": "unanimity"})
    _, rc = solara.render(EnsemblePanel(model), handle_error=False)
    click(rc, f"Run {ENSEMBLE_RUNS:,} runs")
    result = text_with(rc, "of 1,000 runs")
    table = run_ensemble(
        "june2025",
        np.arange(11, 11 + ENSEMBLE_RUNS, dtype=np.uint64),
        {"sides.us.rule": "unanimity"},
    )
    share = (table["status"] == "deal").mean()
    assert f"{share:.1%}" in result  # the panel reports the model's own ensemble
    assert panel_images(rc)


def test_ensemble_result_is_dropped_when_settings_change(session: Any) -> None:
    first = AppModel(seed="1")
    result = run_app_ensemble(first, runs=50)
    assert len(result.table) == 50 and result.seconds > 0
    assert result.key != run_app_ensemble(AppModel(seed="2"), runs=50).key
    assert result.key == run_app_ensemble(AppModel(seed="1"), runs=50).key


# --- the page --------------------------------------------------------------------------------


def test_page_steps_resets_and_moves_a_slider(session: Any) -> None:
    rc = render_page()
    assert "2025-04-16, before the first day" in text_with(rc, "Concession graph")
    for _ in range(5):
        click(rc, "Step")
    assert "day 4 (2025-04-20)" in text_with(rc, "Concession graph")
    assert "day 4" in text_with(rc, "Outcome: not yet")
    assert "Sunday 20 April 2025" in text_with(rc, "The day:")
    slider = rc.find(v.Slider, label="United States: cohesion").widget
    slider.v_model = 0.9
    seed = rc.find(v.TextField, label="Seed (press Enter, then Reset)").widget
    seed.v_model = "3"
    seed.fire_event("keyup.enter", {})
    click(rc, "Reset")
    assert "before the first day" in text_with(rc, "Concession graph")
    note = text_with(rc, "changed from the scenario")
    assert "Seed 3;" in note and "United States: cohesion = 0.90" in note
    click(rc, "Step")
    assert "Round 1" in " ".join(texts(rc))


def app_models_alive() -> int:
    gc.collect()
    return sum(isinstance(o, AppModel) for o in gc.get_objects())


def test_reset_lets_the_replaced_models_go(session: Any) -> None:
    rc = render_page()

    def resets(n: int) -> int:
        for _ in range(n):
            click(rc, "Step")
            click(rc, "Reset")
        return app_models_alive()

    # The page's first model, the one on show and the one last replaced (still named by the
    # previous render) stay; the rest are freed, however often Reset is pressed.
    after_two = resets(2)
    assert resets(6) == after_two


def test_scenario_picker_changes_model_and_controls(session: Any) -> None:
    rc = render_page()
    assert rc.find(v.Slider, label="Bessent: clout").widgets
    picker = rc.find(v.Select, label="Scenario").widget
    picker.v_model = "two_level"
    assert not rc.find(v.Slider, label="Bessent: clout").widgets
    assert load_scenario("two_level").title in texts(rc)
    labels = {w.label for w in rc.find(v.Slider).widgets}
    assert {c.label for c in controls_for(load_scenario("two_level")) if not c.choices} <= labels
    click(rc, "Step")
    assert "day 0 (2025-01-01)" in text_with(rc, "Concession graph")


def test_two_sessions_do_not_share_a_model() -> None:
    contexts = [
        kernel_context.VirtualKernelContext(id=f"s{i}", kernel=kernel.Kernel(), session_id=f"s{i}")
        for i in range(2)
    ]
    pages = []
    for context in contexts:
        with context:
            pages.append(render_page())
    with contexts[0]:
        for _ in range(3):
            click(pages[0], "Step")
        assert "day 2" in text_with(pages[0], "Concession graph")
    with contexts[1]:
        assert "before the first day" in text_with(pages[1], "Concession graph")
        assert "Press Step" in " ".join(texts(pages[1]))


def test_outcome_panel_names_the_mechanisms_on_and_where_the_deadline_went() -> None:
    """The baseline's switches are named in words; a moved deadline gives its count and date."""
    base = load_scenario("june2025")
    words = dynamics_in_force(base.dynamics)
    assert "offers answer offers" in words
    assert any("threat" in w for w in words)
    assert not any("courts" in w for w in words)  # engage stays off in the baseline
    off = parse_scenario({"extends": "june2025", "dynamics": {**SWITCHES_OFF["dynamics"]}}, "off")
    assert dynamics_in_force(off.dynamics) == []
    notes = []
    for seed in range(40):
        model = AppModel(scenario="june2025", seed=seed)
        model.run_model()
        notes.append((int(model.state.extensions[0]), deadline_note(model), model))
    assert {"Deadline 09 July 2025."} == {t for n, t, _ in notes if n == 0}
    moves, text, model = next(x for x in notes if x[0] > 0)
    start = model.scenario.calendar.start
    new = start + dt.timedelta(days=int(model.state.deadline[0]))
    assert (
        text
        == f"Deadline 09 July 2025, moved {'once' if moves == 1 else f'{moves} times'}, "
        + (f"to {new:%d %B %Y}.")
    )


def snapped(value: float, low: float, step: float) -> float:
    """Where a slider puts ``value``: on its grid ``low + k * step`` (as Vuetify rounds)."""
    return low + round((value - low) / step) * step


@pytest.mark.parametrize("name", [name for name, _ in list_scenarios()])
def test_sliders_show_the_scenarios_own_values(name: str) -> None:
    """Reset with nothing touched runs the scenario as it is: every default is on its grid."""
    scenario = load_scenario(name)
    values: dict[str, Any] = {}
    for ctl in controls_for(scenario):
        if ctl.choices:
            values[ctl.path] = ctl.default
            continue
        shown = snapped(float(ctl.default), ctl.low, ctl.step)
        assert shown == pytest.approx(float(ctl.default), abs=1e-9), ctl
        values[ctl.path] = shown
    assert overrides_from(scenario, values) == {}


def test_a_link_keeps_only_what_the_app_can_show() -> None:
    from viz.app_link import parse_view, view_query

    view = parse_view(
        "scenario=june2025&seed=7&set.sides.us.cohesion=0.8&set.sides.us.rule=veto"
        "&set.parties.lutnick.clout=99&set.os.system=1&set.parties.greer.clout=abc"
        "&set.parties.bessent.clout=0.4"
    )
    assert view.scenario == "june2025" and view.seed == "7"
    # 0.4 is Bessent's own clout: nothing changed there.
    assert view.inputs == {"sides.us.cohesion": 0.8}
    assert len(view.notes) == 4  # the rule, the clout out of range, the unknown path, the text
    assert parse_view("scenario=../../etc/passwd").scenario == "june2025"
    assert parse_view("scenario=../../etc/passwd").notes
    again = parse_view(view_query("two_level", 3, {})[1:])
    assert (again.scenario, again.seed, again.inputs, again.notes) == ("two_level", "3", {}, ())
    assert parse_view(None).scenario == "june2025"
