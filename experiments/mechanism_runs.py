"""Running the mechanisms of ``experiments.mechanisms`` and measuring what each one changes.

``run_mechanisms`` runs both settings of each mechanism on the same seeds (a setting shared by
several mechanisms runs once), ``measure`` turns two ensembles into estimates, changes and
verdicts (the statistics are ``experiments.mechanism_stats``'s), and ``results_frame`` lays
every measured outcome out as one table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from experiments.chunks import run_in_chunks
from experiments.mechanism_stats import (
    RESAMPLES,
    Estimate,
    Statistic,
    changed_verdict,
    paired_bootstrap,
    paired_difference,
    proportion,
    verdict,
)
from experiments.mechanisms import (
    BASELINE,
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
    Mechanism,
    Setting,
    family,
)
from model.loading import EXTENDS, load_scenario, parse_scenario
from model.negotiation import NegotiationModel
from model.params import apply_overrides, compile_scenario
from model.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

CHUNK = 2_500  # runs per engine call: as fast as larger calls, and the progress bar moves


@dataclass(frozen=True)
class SettingResult:
    """One setting's ensemble and what was measured of it.

    Attributes:
        setting: The setting.
        scenario: The scenario it ran (the base, patched).
        table: One row per run (``run_ensemble``'s columns), in seed order.
        estimates: By outcome name (listed in ``experiments.mechanisms``): the value and its 95%
            interval.
    """

    setting: Setting
    scenario: Scenario
    table: pd.DataFrame
    estimates: dict[str, Estimate]


@dataclass(frozen=True)
class MechanismResult:
    """A mechanism measured: both settings, the changes, and a verdict per prediction.

    Attributes:
        mechanism: The mechanism.
        off: Without it.
        on: With it.
        changes: By outcome name: the change from off to on, with its 95% interval (paired by
            seed); ``runs_changed`` is the share of seeds whose outcome differs.
        verdicts: By predicted outcome: "as predicted", "opposite", "no clear change" or "not
            measurable"; for ``runs_changed``, "changes runs" or "changes nothing".
        deal_to_breakdown: Seeds with a deal off and a breakdown on.
        breakdown_to_deal: Seeds with a breakdown off and a deal on.
        seed: The first seed.
        runs: Runs per setting.
    """

    mechanism: Mechanism
    off: SettingResult
    on: SettingResult
    changes: dict[str, Estimate]
    verdicts: dict[str, str]
    deal_to_breakdown: int
    breakdown_to_deal: int
    seed: int
    runs: int


def setting_scenario(setting: Setting, base: str | Path = BASELINE) -> Scenario:
    """The scenario a setting runs: the base, with the setting's patch merged onto it.

    Raises:
        ScenarioError: When the patched document is not a valid scenario.
    """
    if not setting.patch:
        return load_scenario(base)
    name = str(base)
    if Path(name).suffix == ".toml":  # a path: resolved so that it holds from any folder
        name = str(Path(name).resolve())
    return parse_scenario({EXTENDS: name, **setting.patch}, f"{name} ({setting.label})")


def trace_runs(setting: Setting, runs: int, seed: int = 0) -> pd.DataFrame:
    """Day-by-day gap between the sides and cross-side balance of every run of a setting.

    Returns:
        One row per run and day while the run went on (``NegotiationModel.trace_frame``),
        with the run's final ``status``.
    """
    model = NegotiationModel(
        setting_scenario(setting),
        seeds=np.arange(seed, seed + runs),
        collect=False,
        narrate=False,
        overrides=dict(setting.overrides) or None,
        trace=True,
    )
    model.run_model()
    frame = model.trace_frame()
    status = model.results()[["seed", "status"]]
    model.release()
    return frame.merge(status, on="seed")


def run_mechanisms(
    mechanisms: Sequence[Mechanism] = MECHANISMS,
    runs: int = 10_000,
    seed: int = 0,
    *,
    base: str | Path = BASELINE,
    resamples: int = RESAMPLES,
    progress: bool = False,
) -> list[MechanismResult]:
    """Run both settings of each mechanism on seeds ``seed .. seed + runs - 1`` and measure them.

    A setting shared by several mechanisms (the baseline, say) runs once. Every setting is
    checked before any run, so a bad patch or override fails at once.

    Args:
        mechanisms: The mechanisms, in report order.
        runs: Runs per setting.
        seed: The first seed.
        base: The scenario the settings patch (a bundled name or a path).
        resamples: Bootstrap resamples per interval.
        progress: Show progress bars on standard error (one per ensemble, then one while
            measuring).

    Returns:
        One result per mechanism, in the given order.

    Raises:
        ScenarioError: For a setting that does not make a valid scenario.
        ValueError: For a prediction that names an issue or a party a scenario lacks.
    """
    settings: dict[str, tuple[Setting, Scenario]] = {}
    for m in mechanisms:
        for s in (m.off, m.on):
            if s.identity() not in settings:
                scenario = setting_scenario(s, base)
                apply_overrides(compile_scenario(scenario), s.overrides, 1)  # fails early
                settings[s.identity()] = (s, scenario)
        check_prediction(m, settings[m.off.identity()][1], settings[m.on.identity()][1])
    tables = {}
    for n, (key, (s, scenario)) in enumerate(settings.items(), 1):
        label = f"{n}/{len(settings)} {s.label}"
        tables[key] = run_in_chunks(
            scenario,
            seed,
            runs,
            overrides=dict(s.overrides),
            progress=progress,
            label=label,
            chunk=CHUNK,
        )
    out = []
    for m in tqdm(
        mechanisms, disable=not progress, desc="measuring", unit="mechanism", leave=False
    ):
        off, on = m.off.identity(), m.on.identity()
        out.append(
            measure(
                m,
                (settings[off][1], tables[off]),
                (settings[on][1], tables[on]),
                seed=seed,
                resamples=resamples,
            )
        )
    return out


def check_prediction(mechanism: Mechanism, off: Scenario, on: Scenario) -> None:
    """Check that every issue and party a prediction names is in both settings' scenarios.

    A prediction about the deals before the election needs an election on the same day in both.

    Raises:
        ValueError: Naming the first that is not.
    """
    if DEALS_BEFORE_ELECTION in mechanism.prediction and _first_election(off, on) is None:
        raise ValueError(
            f"{mechanism.key}: {DEALS_BEFORE_ELECTION} needs an election on the same day in "
            f"both settings ({off.name}, {on.name})"
        )
    for metric in mechanism.prediction:
        name, kind = metric.split(":", 1)[-1], family(metric)
        for scenario in (off, on):
            keys = {MEDIAN_TERM: scenario.issue_keys, MEAN_UTILITY: scenario.party_keys}
            if kind in keys and name not in keys[kind]:
                raise ValueError(
                    f"{mechanism.key}: {metric} names no issue or party of {scenario.name}"
                )


def measure(
    mechanism: Mechanism,
    off: tuple[Scenario, pd.DataFrame],
    on: tuple[Scenario, pd.DataFrame],
    *,
    seed: int = 0,
    resamples: int = RESAMPLES,
) -> MechanismResult:
    """Measure a mechanism from its two ensembles, run on the same seeds.

    Args:
        mechanism: The mechanism.
        off: The scenario and ensemble table without it.
        on: The same with it (row i has the seed of ``off``'s row i).
        seed: The first seed (for the record).
        resamples: Bootstrap resamples per interval.

    Returns:
        The result.

    Raises:
        ValueError: When the tables' seeds differ, or a prediction names an issue or a party
            a scenario lacks.
    """
    (sc_off, t_off), (sc_on, t_on) = off, on
    if not np.array_equal(t_off["seed"].to_numpy(), t_on["seed"].to_numpy()):
        raise ValueError(f"{mechanism.key}: the two settings did not run the same seeds")
    check_prediction(mechanism, sc_off, sc_on)
    issues = [k for k in sc_off.issue_keys if k in sc_on.issue_keys]
    utilities = [
        m.removeprefix(MEAN_UTILITY) for m in mechanism.prediction if m.startswith(MEAN_UTILITY)
    ]
    columns = [
        m.removeprefix(MEAN_OUTCOME) for m in mechanism.prediction if m.startswith(MEAN_OUTCOME)
    ]
    for column in columns:
        for table in (t_off, t_on):
            if column not in table.columns:
                raise ValueError(f"{mechanism.key}: the outcome table has no column {column!r}")
    deal_off, deal_on = _deals(t_off), _deals(t_on)
    both = deal_off & deal_on

    def stats(scenario: Scenario, table: pd.DataFrame, deals: np.ndarray) -> dict[str, Statistic]:
        deadline = (scenario.calendar.deadline - scenario.calendar.start).days
        day = table["day"].to_numpy(dtype=float)
        out = {
            MEDIAN_DAY: Statistic("median", day, deals),
            MEAN_DAY_BOTH: Statistic("mean", day, both),
            SHARE_AFTER_DEADLINE: Statistic("mean", (day > deadline).astype(float), deals),
        }
        for k in issues:
            out[f"{MEDIAN_TERM}{k}"] = Statistic(
                "median", table[f"term_{k}"].to_numpy(dtype=float), deals
            )
        for k in utilities:
            out[f"{MEAN_UTILITY}{k}"] = Statistic(
                "mean", table[f"utility_{k}"].to_numpy(dtype=float), deals
            )
        for k in columns:
            values = table[k].to_numpy(dtype=float)
            out[f"{MEAN_OUTCOME}{k}"] = Statistic("mean", values, deals & np.isfinite(values))
        return out

    s_off, s_on = stats(sc_off, t_off, deal_off), stats(sc_on, t_on, deal_on)
    boot = paired_bootstrap({k: (s_off[k], s_on[k]) for k in s_off}, resamples=resamples)
    est_off = {DEAL_PROBABILITY: proportion(int(deal_off.sum()), deal_off.size)}
    est_on = {DEAL_PROBABILITY: proportion(int(deal_on.sum()), deal_on.size)}
    changes = {DEAL_PROBABILITY: paired_difference(deal_off, deal_on)}
    election = _first_election(sc_off, sc_on)
    if election is not None:
        early_off = deal_off & (t_off["day"].to_numpy() < election)
        early_on = deal_on & (t_on["day"].to_numpy() < election)
        est_off[DEALS_BEFORE_ELECTION] = proportion(int(early_off.sum()), early_off.size)
        est_on[DEALS_BEFORE_ELECTION] = proportion(int(early_on.sum()), early_on.size)
        changes[DEALS_BEFORE_ELECTION] = paired_difference(early_off, early_on)
    for k, paired in boot.items():
        est_off[k], est_on[k], changes[k] = paired.off, paired.on, paired.change
    # A share among the deals gets the Wilson interval of its own setting, as the deal
    # probability does; its change keeps the paired bootstrap interval.
    for est, stat in ((est_off, s_off), (est_on, s_on)):
        late = stat[SHARE_AFTER_DEADLINE]
        est[SHARE_AFTER_DEADLINE] = proportion(
            int(late.values[late.deals].sum()), int(late.deals.sum())
        )
    changed = _changed(t_off, t_on, issues)
    changes[RUNS_CHANGED] = proportion(int(changed.sum()), changed.size)
    verdicts = {
        metric: changed_verdict(int(changed.sum()))
        if metric == RUNS_CHANGED
        else verdict(direction, changes[metric])
        for metric, direction in mechanism.prediction.items()
    }
    return MechanismResult(
        mechanism=mechanism,
        off=SettingResult(mechanism.off, sc_off, t_off, est_off),
        on=SettingResult(mechanism.on, sc_on, t_on, est_on),
        changes=changes,
        verdicts=verdicts,
        deal_to_breakdown=int(np.sum(deal_off & ~deal_on)),
        breakdown_to_deal=int(np.sum(~deal_off & deal_on)),
        seed=seed,
        runs=len(t_off),
    )


def _first_election(*scenarios: Scenario) -> int | None:
    """The day of the first election of a side, if both scenarios hold it on the same day."""
    days = set()
    for scenario in scenarios:
        dates = [side.election for side in scenario.sides.values() if side.election is not None]
        days.add((min(dates) - scenario.calendar.start).days if dates else None)
    return days.pop() if len(days) == 1 else None


def _deals(table: pd.DataFrame) -> np.ndarray:
    return (table["status"] == "deal").to_numpy()


def _changed(off: pd.DataFrame, on: pd.DataFrame, issues: Sequence[str]) -> np.ndarray:
    """Which seeds end differently: in status, in day, or in any term (beyond rounding)."""
    differs = (off["status"].to_numpy() != on["status"].to_numpy()) | (
        off["day"].to_numpy() != on["day"].to_numpy()
    )
    for k in issues:
        a, b = off[f"term_{k}"].to_numpy(dtype=float), on[f"term_{k}"].to_numpy(dtype=float)
        differs |= ~np.isclose(a, b, rtol=1e-9, atol=1e-12)
    return differs


def results_frame(results: Sequence[MechanismResult]) -> pd.DataFrame:
    """Every measured outcome of every mechanism, one row each, with its prediction and verdict.

    Returns:
        Columns: mechanism, outcome, off, off_low, off_high, on, on_low, on_high, change,
        change_low, change_high, prediction ("" when none) and verdict ("" when none).
    """
    import pandas as pd

    rows = []
    for r in results:
        for metric, change in r.changes.items():
            off = r.off.estimates.get(metric)
            on = r.on.estimates.get(metric)
            rows.append(
                {
                    "mechanism": r.mechanism.key,
                    "outcome": metric,
                    **_columns("off", off),
                    **_columns("on", on),
                    **_columns("change", change),
                    "prediction": r.mechanism.prediction.get(metric, ""),
                    "verdict": r.verdicts.get(metric, ""),
                }
            )
    return pd.DataFrame(rows)


def _columns(name: str, e: Estimate | None) -> dict[str, float]:
    nan = float("nan")
    if e is None:
        return {name: nan, f"{name}_low": nan, f"{name}_high": nan}
    return {name: e.value, f"{name}_low": e.low, f"{name}_high": e.high}
