"""Design points and run seeds of a sweep.

Run ``r`` belongs to design point ``r // replicates``; its seed is word ``r`` of
``SeedSequence([master, 0]).generate_state(runs, uint64)`` (top bit cleared), or word
``r % replicates`` with common seeds, so every run's seed follows from the master seed alone
and any run can be re-created without the others.
Random designs (Monte Carlo, Latin hypercube, Sobol, Morris) draw from streams derived from the
same master seed.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pandas as pd

from experiments.sweep_file import Parameter, SweepSpec
from model.rng import SEED_BITS

SEED_STREAM, DESIGN_STREAM = 0, 1
PARAM_PREFIX = "param."


def salib_problem(params: list[Parameter]) -> dict[str, object]:
    """The SALib problem dictionary of the varied parameters (all with ranges)."""
    return {
        "num_vars": len(params),
        "names": [p.path for p in params],
        "bounds": [list(p.range) for p in params],  # type: ignore[arg-type]
    }


def _salib_seed(master: int) -> int:
    words = np.random.SeedSequence([master, DESIGN_STREAM]).generate_state(1, np.uint32)
    return int(words[0])


def design_points(spec: SweepSpec) -> pd.DataFrame:
    """One row per design point: ``point`` and a ``param.<path>`` column per varied parameter.

    Args:
        spec: The sweep.

    Returns:
        The design (a single row with no parameter columns when nothing varies).
    """
    varied = spec.varied
    kind = spec.design.kind
    cols = [PARAM_PREFIX + p.path for p in varied]
    if not varied:
        return pd.DataFrame({"point": np.zeros(1, np.int64)})
    if kind == "grid":
        rows = list(itertools.product(*(p.grid_values() for p in varied)))
        table = pd.DataFrame(rows, columns=cols)
    elif kind == "monte_carlo":
        rng = np.random.default_rng(np.random.SeedSequence([spec.seed, DESIGN_STREAM]))
        n = spec.design.points
        data = {}
        for p, col in zip(varied, cols, strict=True):
            if p.range is not None:
                data[col] = rng.uniform(p.range[0], p.range[1], n)
            else:
                choices = np.asarray(p.values, dtype=object)
                data[col] = choices[rng.integers(0, len(choices), n)]
        table = pd.DataFrame(data)
    else:
        table = pd.DataFrame(_salib_sample(spec, varied), columns=cols)
    for p, col in zip(varied, cols, strict=True):
        if p.values is not None and isinstance(p.values[0], str):
            table[col] = table[col].astype(str)
        else:
            table[col] = table[col].astype(np.float64)
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table


def _salib_sample(spec: SweepSpec, varied: list[Parameter]) -> npt.NDArray[np.float64]:
    from SALib.sample import latin, morris, sobol

    problem = salib_problem(varied)
    seed = _salib_seed(spec.seed)
    d = spec.design
    if d.kind == "latin":
        return latin.sample(problem, d.points, seed=seed)
    if d.kind == "sobol":
        return sobol.sample(problem, d.points, calc_second_order=d.second_order, seed=seed)
    return morris.sample(problem, d.points, num_levels=d.levels, seed=seed)


def run_seeds(master: int, start: int, stop: int) -> npt.NDArray[np.uint64]:
    """Seeds of runs ``start`` to ``stop - 1``.

    Args:
        master: The sweep's master seed.
        start: First run.
        stop: One past the last run.

    Returns:
        (stop - start,) seeds below 2**63.
    """
    words = np.random.SeedSequence([master, SEED_STREAM]).generate_state(stop, np.uint64)
    return words[start:stop] & np.uint64(2**SEED_BITS - 1)


def sweep_seeds(spec: SweepSpec, runs: int) -> npt.NDArray[np.uint64]:
    """The seed of every run of a sweep (see the module's description).

    Args:
        spec: The sweep.
        runs: Runs in the sweep (design points times replicates).

    Returns:
        (runs,) seeds.
    """
    if spec.common_seeds:
        return np.tile(run_seeds(spec.seed, 0, spec.replicates), runs // spec.replicates)
    return run_seeds(spec.seed, 0, runs)
