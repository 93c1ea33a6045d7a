"""The errors a user sees: a problem in something they gave us, described in one line.

Every kind of input has its own class under ``UserError``, and the line names the kind, so a
user knows at once whether to fix the scenario, the sweep file, the results folder or a flag.
Interfaces catch ``UserError``, print ``line()`` and exit with status 2.

A failure of the machine rather than of the input (a Dask scheduler that cannot be reached
or dies, a full disk) is an ``EnvironmentFailure``: also one line, with exit status 1.
"""

from __future__ import annotations

from typing import ClassVar


class UserError(ValueError):
    """A bad input, described in one line.

    Attributes:
        source: The file (or argument) the problem is in.
        field: The dotted path of the offending field, or "" for the whole input.
        problem: What is wrong, in plain words.
    """

    kind: ClassVar[str] = "input"

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        super().__init__(self.line())

    def line(self) -> str:
        """Return the single line shown to the user: kind, source, field and problem."""
        where = f"{self.source}: {self.field}" if self.field else self.source
        return " ".join(f"{self.kind} {where}: {self.problem}".split())  # always one line


class ScenarioError(UserError):
    """A bad scenario file, scenario name or parameter override."""

    kind = "scenario"


class SweepError(UserError):
    """A bad sweep file or sweep design."""

    kind = "sweep file"


class StoreError(UserError):
    """A results folder that cannot be used: missing, foreign, corrupt or unwritable."""

    kind = "results folder"


class ArgumentError(UserError):
    """A bad command-line flag or function argument."""

    kind = "argument"


class EnvironmentFailure(RuntimeError):
    """A failure of the environment, not of the input: described in one line, exit status 1.

    Attributes:
        what: What failed (a scheduler address, a folder, ...).
        problem: What went wrong, and what to do, in plain words.
    """

    def __init__(self, what: str, problem: str) -> None:
        self.what = what
        self.problem = problem
        super().__init__(self.line())

    def line(self) -> str:
        """Return the single line shown to the user."""
        return " ".join(f"{self.what}: {self.problem}".split())
