"""``negotiate analyze``: what a stored sweep says, as tables and a Markdown report.

Deal probability with its 95% Wilson interval per design point and, for Sobol and Morris
designs, sensitivity indices (SALib) of the deal probability and the mean day the talks end.
Runs that failed are counted and listed but never treated as numbers: sensitivity indices need
every run, so a sweep with failed runs gets its report without them, and the command says why.
``write_report`` writes the tables and the report, which links the figures the caller drew
into the same folder (the survival curve of days to a deal, the deals' terms, the indices).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.design import PARAM_PREFIX, salib_problem
from experiments.io import write_atomic
from experiments.markdown import markdown_table
from experiments.runner import ERROR
from experiments.store import Stored, open_store
from experiments.summary import wilson_interval
from experiments.sweep_file import Parameter
from model.errors import StoreError

OUTPUTS = {"deal_probability": "deal probability", "mean_day": "mean day the talks end"}
FOLDER = "analysis"


@dataclass
class Analysis:
    """The results of analysing a sweep folder.

    Attributes:
        stored: The sweep folder.
        runs: Every stored run.
        points: One row per design point: parameters, runs, failed, deals, probability, low,
            high, mean_day.
        sensitivity: Index tables by output name (Sobol: S1, ST; Morris: mu_star, sigma).
        refusal: Why sensitivity indices were not computed, if they were not.
        missing: Runs of the sweep not yet stored.
    """

    stored: Stored
    runs: pd.DataFrame
    points: pd.DataFrame
    sensitivity: dict[str, pd.DataFrame] = field(default_factory=dict)
    refusal: str | None = None
    missing: int = 0


def point_table(runs: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """Per design point: runs, failed runs, deals, deal probability (Wilson 95%), mean end day.

    Failed runs are left out of the probability and the mean day.
    """
    ok = runs[runs["status"] != ERROR]
    grouped = ok.groupby("point")
    table = pd.DataFrame(
        {
            "runs": runs.groupby("point").size(),
            "failed": runs.assign(f=runs["status"] == ERROR).groupby("point")["f"].sum(),
            "deals": grouped["status"].apply(lambda s: int((s == "deal").sum())),
            "mean_day": grouped["day"].mean(),
        }
    )
    table = design.set_index("point").join(table, how="left").reset_index()
    table[["runs", "failed", "deals"]] = table[["runs", "failed", "deals"]].fillna(0).astype(int)
    valid = table["runs"] - table["failed"]
    table["probability"] = np.where(valid > 0, table["deals"] / valid.clip(lower=1), np.nan)
    bounds = [wilson_interval(int(d), int(n)) for d, n in zip(table["deals"], valid, strict=True)]
    table["low"] = [b[0] for b in bounds]
    table["high"] = [b[1] for b in bounds]
    return table


def sensitivity(stored: Stored, points: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Sobol or Morris indices of each output over the varied parameters (SALib).

    Args:
        stored: The sweep folder (its design must be Sobol or Morris).
        points: The point table, complete and without failed runs.

    Returns:
        One index table per output, a row per parameter.
    """
    from SALib.analyze import morris, sobol

    design = stored.manifest["design"]
    params = [Parameter.model_validate(p) for p in stored.manifest["parameters"]]
    varied = [p for p in params if p.varied]
    problem = salib_problem(varied)
    names = [p.path for p in varied]
    x = points[[PARAM_PREFIX + n for n in names]].to_numpy(dtype=float)
    out = {}
    for key in OUTPUTS:
        y = points["probability" if key == "deal_probability" else key].to_numpy(dtype=float)
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # a constant output has no variance
            if design["kind"] == "sobol":
                res = sobol.analyze(problem, y, calc_second_order=design["second_order"], seed=0)
                cols = ["S1", "S1_conf", "ST", "ST_conf"]
            else:
                res = morris.analyze(problem, x, y, num_levels=design["levels"], seed=0)
                cols = ["mu_star", "mu_star_conf", "sigma"]
        out[key] = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in cols}, index=names)
    return out


def analyze(out: Path) -> Analysis:
    """Read a sweep folder and compute its tables and indices.

    Args:
        out: The sweep folder.

    Returns:
        The analysis (``refusal`` says why indices are missing, if they are).
    """
    stored = open_store(out)
    runs = stored.runs()
    if runs.empty:
        raise StoreError(str(out), "runs", "no runs are stored yet: run the sweep first")
    points = point_table(runs, stored.design)
    result = Analysis(stored, runs, points, missing=int(stored.manifest["runs"]) - len(runs))
    if stored.manifest["design"]["kind"] in ("sobol", "morris"):
        failed = int((runs["status"] == ERROR).sum())
        if failed:
            result.refusal = (
                f"{failed} runs failed (status 'error'): sensitivity indices need every run, "
                "and a failed run is not a number; see the failed runs in the report"
            )
        elif result.missing:
            result.refusal = (
                f"{result.missing} runs are not stored yet: run the same sweep command again "
                "to complete it"
            )
        else:
            result.sensitivity = sensitivity(stored, points)
    return result


def report_folder(result: Analysis) -> Path:
    """The folder of the report, its tables and its figures (made if missing)."""
    folder = result.stored.out / FOLDER
    folder.mkdir(exist_ok=True)
    return folder


def single_parameter(result: Analysis) -> str | None:
    """The design's ``param.*`` column when exactly one numeric parameter varies, else None."""
    design = result.stored.design
    varied = [c for c in design.columns if c.startswith(PARAM_PREFIX)]
    numeric = [c for c in varied if pd.api.types.is_numeric_dtype(design[c])]
    return varied[0] if len(varied) == 1 and numeric else None


def write_report(
    result: Analysis, figures: Sequence[tuple[str, str]] = (), max_rows: int = 40
) -> Path:
    """Write ``points.csv`` and ``report.md`` into the report folder.

    Args:
        result: The analysis.
        figures: (title, file name) of each figure already in the report folder, in the
            order the report shows them.
        max_rows: Design points listed in the report (all are in ``points.csv``).

    Returns:
        The report's path.
    """
    st, runs = result.stored, result.runs
    folder = report_folder(result)
    ok = runs[runs["status"] != ERROR]
    write_atomic(folder / "points.csv", lambda p: result.points.to_csv(p, index=False))

    m = st.manifest
    n, failed = len(runs), int((runs["status"] == ERROR).sum())
    deals = int((ok["status"] == "deal").sum())
    low, high = wilson_interval(deals, len(ok))
    lines = [
        f"# Sweep {m['sweep']}: analysis",
        "",
        m.get("description") or "",
        "",
        f"- scenario: `{m['scenario']}`; design: {m['design']['kind']}, {m['points']:,} points "
        f"x {m['replicates']:,} replicates = {m['runs']:,} runs; master seed {m['master_seed']}",
        f"- stored runs: {n:,} ({result.missing:,} missing); failed runs: {failed:,}",
        f"- deal probability over all runs: {deals / max(len(ok), 1):.1%} "
        f"(95% CI {low:.1%}–{high:.1%})",
        "",
        "## Design points",
        "",
        markdown_table(result.points.head(max_rows)),
        "",
    ]
    if len(result.points) > max_rows:
        lines += [f"({len(result.points) - max_rows:,} more points in points.csv)", ""]
    if result.sensitivity:
        lines += ["## Sensitivity", ""]
        for key, table in result.sensitivity.items():
            lines += [
                f"### {OUTPUTS[key]}",
                "",
                markdown_table(table.reset_index(names="parameter")),
                "",
            ]
    elif result.refusal:
        lines += ["## Sensitivity", "", f"Not computed: {result.refusal}.", ""]
    if failed:
        errors = runs.loc[runs["status"] == ERROR, ["run", "point", "seed", "error"]]
        lines += ["## Failed runs", "", markdown_table(errors.head(max_rows).astype(str)), ""]
    lines += ["## Figures", ""]
    lines += [f"![{title}]({name})\n" for title, name in figures]
    report = folder / "report.md"
    text = "\n".join(lines)
    write_atomic(report, lambda p: p.write_text(text, encoding="utf-8"))
    return report
