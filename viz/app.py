"""The teaching app (``negotiate app``): five pages, one NegotiationModel per browser session.

- **Watch** (``/``): one run, day by day, with its panels; the settings in sections; a link
  that reproduces the view; CSV downloads (``viz.app_watch``, ``viz.app_link``,
  ``viz.app_downloads``).
- **Play** (``/play``): a student takes a party's seat (``viz.app_play``).
- **Compare** (``/compare``): two settings on the same seeds, the change with its interval
  (``viz.app_compare``).
- **Class board** (``/board``): every finished game, with ``--class`` (``viz.app_board``).
- **Info** (``/info``): the model in NetLogo's headings and a glossary (``viz.app_info``).

Solara renders each page once per browser session, and the model is built inside it (with
``solara.use_memo``), so two browsers never share a model: stepping in one leaves the other
where it was. On the Watch page the scenario picker chooses the scenario, the settings card
gives the seed and the controls (``viz.app_controls``), and Reset builds a fresh ``AppModel``
from them.

Where a model comes from is the *run source*: the picker and the controls, or a stored sweep
run (``viz.app_sweep``), whose scenario, seed and swept parameters are held fixed so that the
app replays it exactly. ``AppModel`` takes (scenario, seed, fixed parameters, slider values).

Nothing a user does reaches the page as a traceback (``viz.app_errors``). Each action fails
where it is taken: a stored run in its card, an ensemble in its panel; Step, Play and Reset
enter our code only through ``AppModel``, whose construction and ``step`` turn a failure into
a note on the outcome panel. Whatever still escapes is caught by each page's boundary
(``Guarded``), which shows one line and lets the user start again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import solara

from model.loading import DEFAULT_SCENARIO, list_scenarios, load_scenario
from model.negotiation import NegotiationModel
from model.schema import Scenario
from viz.app_board import BoardPage
from viz.app_compare import ComparePage
from viz.app_controls import controls_for, parse_seed, settings_overrides
from viz.app_downloads import Downloads
from viz.app_ensemble import EnsemblePanel
from viz.app_errors import failure_line
from viz.app_info import InfoPage
from viz.app_link import View, changed_inputs, parse_view, view_query
from viz.app_panels import (
    GraphPanel,
    NarrativePanel,
    OutcomePanel,
    PlanePanel,
    PositionsPanel,
    UtilitiesPanel,
)
from viz.app_play import PlayPage
from viz.app_sweep import SweepRun, SweepRunPicker, sweep_run_params
from viz.app_watch import PanelGrid, RunCard, SettingsCard, initial_values

PLAY_INTERVAL_MS = 150
PANELS = [
    GraphPanel,
    OutcomePanel,
    PositionsPanel,
    NarrativePanel,
    UtilitiesPanel,
    EnsemblePanel,
    PlanePanel,
]


class AppModel(NegotiationModel):
    """A NegotiationModel built from what the app's inputs hold.

    Attributes:
        scenario_name: The scenario as chosen (a bundled name or a path).
        run_seed: The seed in use.
        app_overrides: The overrides the inputs stand for (only what differs from the
            scenario), as passed to the model and to the ensemble panel.
        notes: One-line notes about inputs that could not be used as typed.
        inputs: The controls' values that differ from the scenario (what a link keeps).
    """

    def __init__(
        self,
        scenario: str | Scenario = DEFAULT_SCENARIO,
        seed: int | str = 0,
        fixed: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Build the model.

        Args:
            scenario: A bundled scenario name, a path to a TOML file, or a Scenario.
            seed: The seed, as a number or as the text typed in the seed box.
            fixed: Overrides applied as they are, first (a stored sweep run's parameters).
            **kwargs: Override path → value, from the sliders.
                The settings card passes them by path, so the catch-all takes them.
        """
        loaded = load_scenario(scenario)
        self.run_seed, note = parse_seed(seed)
        self.app_overrides, refused = settings_overrides(loaded, fixed or {}, kwargs)
        super().__init__(loaded, rng=self.run_seed, overrides=self.app_overrides or None)
        self.scenario_name = scenario if isinstance(scenario, str) else loaded.name
        self.notes = [n for n in (note, refused) if n]
        self.inputs = changed_inputs(loaded, kwargs) if refused is None else {}

    def step(self) -> None:
        """Play one day; a failure ends the run with a note, and the page goes on."""
        day = self.day + 1
        try:
            super().step()
        except Exception as exc:
            self.running = False
            self.notes.append(failure_line(exc, f"The run stopped: day {day} could not be played"))


def model_params(scenario: str, view: View | None = None) -> dict[str, Any]:
    """The Watch page's inputs for a scenario: the fixed scenario, the seed and the controls.

    Entries follow the ``model_params`` format of Mesa's SolaraViz (a fixed value, or a dict
    with ``type`` and ``value``), which ``viz.app_watch.initial_values`` reads.

    A link's view (``viz.app_link``) sets the seed and the controls it names.
    """
    seed = view.seed if view is not None else "0"
    inputs = view.inputs if view is not None else {}
    params: dict[str, Any] = {
        "scenario": scenario,
        "seed": {"type": "InputText", "value": seed, "label": "Seed (press Enter, then Reset)"},
    }
    for control in controls_for(load_scenario(scenario)):
        params[control.path] = control.as_mesa_param()
        if control.path in inputs:
            params[control.path]["value"] = inputs[control.path]
    return params


@solara.component
def ShareLink(model: AppModel) -> None:
    """A link that opens the Watch page on this scenario, seed and settings."""
    query = view_query(model.scenario_name, model.run_seed, model.inputs)
    with solara.Card("Share this view"):
        solara.HTML(
            tag="a",
            unsafe_innerHTML="Link to this scenario, seed and settings",
            attributes={"href": query, "class": "share-link"},
        )
        solara.Text("Right-click the link to copy it; Reset first to include new settings.")
        solara.HTML(
            tag="a",
            unsafe_innerHTML="Compare these settings with the scenario as filed",
            attributes={"href": f"compare{query}", "class": "compare-link"},
        )


@solara.component
def ScenarioPicker(scenario: str, on_scenario: Any) -> None:
    """The scenario picker: changing it builds a new model with that scenario's controls."""
    names = [name for name, _ in list_scenarios()]

    def pick(name: str) -> None:
        # The browser can send any value, and load_scenario would read any path it names.
        if name in names:
            on_scenario(name)

    with solara.Card("Scenario"):
        solara.Select(label="Scenario", value=scenario, values=names, on_value=pick)
        solara.Text(load_scenario(scenario).title, style={"font-size": "0.85em"})


@solara.component
def Page() -> None:
    """One session of the app, inside its last error boundary.

    A failure no action caught (in a panel's drawing, say) would otherwise replace the page
    with a traceback and end the session: here it is one line, and the user starts again.
    """
    Guarded(AppPage)


@solara.component
def Guarded(page: Any) -> None:
    """A page inside the app's last error boundary (see ``Page``)."""
    exception, clear = solara.use_exception()
    line = solara.use_memo(
        lambda: failure_line(exception, "The app failed") if exception is not None else "",
        [exception],
    )
    if exception is not None:
        with solara.Card("Something went wrong"):
            solara.Error(line)
            solara.Button("Start again", on_click=clear, color="primary")
        return
    page()


@solara.component
def Play() -> None:
    """The Play page, guarded."""
    Guarded(PlayPage)


@solara.component
def Compare() -> None:
    """The Compare page, guarded."""
    Guarded(ComparePage)


@solara.component
def Board() -> None:
    """The Class board page, guarded."""
    Guarded(BoardPage)


@solara.component
def Info() -> None:
    """The Info page, guarded."""
    Guarded(InfoPage)


@solara.component
def Layout(children: list[Any] | None = None) -> None:
    """Solara's app layout, with a tab per page named by its label (Solara's own show paths)."""
    route, all_routes = solara.use_route()
    router = solara.use_router()
    index = all_routes.index(route) if route in all_routes else 0

    def go(i: int) -> None:
        router.push(solara.resolve_path(all_routes[i], level=0))

    with solara.AppLayout():
        with solara.AppBar(), solara.lab.Tabs(value=index, on_value=go, align="center"):
            for r in all_routes:
                solara.lab.Tab(r.label or r.path)
        solara.Column(children=children or [], style={"width": "100%"})


# The root route's layout wraps every page (Solara's routing).
routes = [
    solara.Route(path="/", component=Page, label="Watch", layout=Layout),
    solara.Route(path="play", component=Play, label="Play"),
    solara.Route(path="compare", component=Compare, label="Compare"),
    solara.Route(path="board", component=Board, label="Class board"),
    solara.Route(path="info", component=Info, label="Info"),
]


@solara.component
def AppPage() -> None:
    """One session of the app: its own scenario (or stored run), model and controls."""
    router = solara.use_router()
    # A link's scenario, seed and settings apply when the page opens, not after.
    view = solara.use_memo(lambda: parse_view(router.search), [])
    scenario, set_scenario = solara.use_state(view.scenario)
    source, set_source = solara.use_state(cast(SweepRun | None, None))
    from_link = source is None and scenario == view.scenario

    def build() -> AppModel:
        if source is not None:
            return AppModel(source.scenario, seed=source.seed, fixed=source.fixed)
        if from_link:
            return AppModel(scenario=scenario, seed=view.seed, **view.inputs)
        return AppModel(scenario=scenario)

    def choose(name: str) -> None:
        set_source(None)
        set_scenario(name)

    # Built per session and per source; Reset replaces it (see ``WatchBody``).
    model = solara.use_memo(build, [scenario, source])
    params = solara.use_memo(
        lambda: (
            sweep_run_params(source)
            if source is not None
            else model_params(scenario, view if from_link else None)
        ),
        [scenario, source],
    )
    # A new key builds the page's inputs afresh from the new source, instead of keeping the
    # old one's sliders.
    key = f"viz-{scenario}" if source is None else f"viz-{source.folder}-{source.run}"
    solara.Title(f"Negotiation — {model.scenario.title}")
    WatchBody(
        model, params, view.notes if from_link else (), scenario, choose, source, set_source
    ).key(key)


@solara.component
def WatchBody(
    model: AppModel,
    params: dict[str, Any],
    notes: Sequence[str],
    scenario: str,
    choose: Callable[[str], None],
    source: SweepRun | None,
    set_source: Callable[[SweepRun | None], None],
) -> None:
    """The Watch page for one source: its sidebar of inputs and its grid of panels."""
    # Reset (``viz.app_watch.RunCard``) puts its new model in this reactive; the panels,
    # the link and the downloads follow it.
    current = solara.use_reactive(model)
    values = solara.use_reactive(initial_values(params))
    with solara.Sidebar():
        for line in notes:
            solara.Warning(line)
        ScenarioPicker(scenario, choose)
        RunCard(cast(solara.Reactive[AppModel], current), values)
        SettingsCard(current.value.scenario, params, values, cast(AppModel, current.value))
        if source is None:
            ShareLink(cast(AppModel, current.value))
        Downloads(cast(solara.Reactive[AppModel], current))
        SweepRunPicker(set_source, source)
    PanelGrid(cast(AppModel, current.value), PANELS)
