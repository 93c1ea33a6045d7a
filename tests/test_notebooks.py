"""The teaching notebooks: stored without outputs, and each one runs top to bottom.

Every notebook is executed with nbclient in a fresh kernel that runs *this* interpreter (the
project's virtualenv: a kernelspec written for the test, never whatever ``python3`` kernel the
machine has), from a temporary working folder, with ``NOTEBOOK_RUNS`` small and ``MPLBACKEND=Agg``.
A cell that raises, or prints a warning, fails the test.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(p for p in FOLDER.glob("*.ipynb"))
EXPECTED = {
    "01_first_run",
    "02_concession_graph",
    "03_batch_experiments",
    "04_deadlines_two_level",
    "05_build_your_own",
}
KERNEL = "python3"
RUNS = 40  # NOTEBOOK_RUNS: every ensemble and sweep in the notebooks scales with it
CELL_TIMEOUT = 120  # seconds; at RUNS = 40 no cell takes more than a few


def test_every_notebook_is_there() -> None:
    assert {p.stem for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_stripped(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL
    for n, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [], f"{path.name}: cell {n} has outputs (strip them)"
        assert cell.execution_count is None, f"{path.name}: cell {n} has an execution count"
        assert cell.source.strip(), f"{path.name}: cell {n} is empty"


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """A kernelspec store holding one ``python3`` kernel: this interpreter."""
    folder = tmp_path_factory.mktemp("kernels")
    spec = folder / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (this virtualenv)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    return KernelSpecManager(kernel_dirs=[str(folder)])


def kernel_env(workdir: Path) -> dict[str, str]:
    """The kernel's environment: small notebooks, no display, this checkout's code first.

    Temporary files go under ``workdir/tmp``, so the test sees whether a notebook cleans up.
    """
    env = dict(os.environ)
    env["NOTEBOOK_RUNS"] = str(RUNS)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    (workdir / "tmp").mkdir(exist_ok=True)
    env["TMPDIR"] = str(workdir / "tmp")
    return env


def execute(nb: Any, specs: KernelSpecManager, workdir: Path) -> float:
    """Run a notebook in place in a fresh kernel; return the seconds it took."""

    class Manager(AsyncKernelManager):
        """Finds kernels in ``specs`` only; nbclient creates it, so shuts the kernel down."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(kernel_spec_manager=specs, **kwargs)

    client = NotebookClient(
        nb,
        kernel_manager_class=Manager,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    began = time.perf_counter()
    client.execute(env=kernel_env(workdir))
    return time.perf_counter() - began


def test_kernel_is_this_virtualenv(kernel_specs: KernelSpecManager, tmp_path: Path) -> None:
    probe = nbformat.v4.new_notebook()
    probe.cells = [
        nbformat.v4.new_code_cell(
            "import json, os, sys, tempfile, model\n"
            "print(json.dumps({'executable': sys.executable, 'prefix': sys.prefix,\n"
            "    'base_prefix': sys.base_prefix, 'model': model.__file__,\n"
            "    'runs': os.environ['NOTEBOOK_RUNS'], 'cwd': os.getcwd(),\n"
            "    'tmp': tempfile.gettempdir()}))"
        )
    ]
    execute(probe, kernel_specs, tmp_path)
    seen = json.loads(probe.cells[0].outputs[0]["text"])
    assert Path(seen["prefix"]).resolve() == Path(sys.prefix).resolve()
    assert seen["prefix"] != seen["base_prefix"], "the kernel does not run in a virtualenv"
    assert Path(seen["executable"]).resolve() == Path(sys.executable).resolve()
    assert Path(seen["model"]).resolve() == (ROOT / "model" / "__init__.py").resolve()
    assert seen["runs"] == str(RUNS)
    assert Path(seen["cwd"]).resolve() == tmp_path.resolve()
    assert Path(seen["tmp"]).resolve() == (tmp_path / "tmp").resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, kernel_specs: KernelSpecManager, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    before = sorted(FOLDER.rglob("*"))
    seconds = execute(nb, kernel_specs, tmp_path)
    print(f"{path.name}: {seconds:.1f} s")
    for n, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            assert out.output_type != "error", f"{path.name}: cell {n} raised"
            if out.output_type == "stream" and out.name == "stderr":
                assert "Warning" not in out.text, f"{path.name}: cell {n} warned:\n{out.text}"
    left = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert not left, f"{path.name} left files behind: {left}"
    assert sorted(FOLDER.rglob("*")) == before, f"{path.name} wrote into notebooks/"
