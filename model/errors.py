"""The one error type a user sees: a problem in a scenario, sweep file or argument."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A bad scenario file, override or argument, described in one line.

    Attributes:
        source: The file (or argument) the problem is in.
        field: The dotted path of the offending field, or "" for the whole file.
        problem: What is wrong, in plain words.
    """

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        super().__init__(self.line())

    def line(self) -> str:
        """Return the single line shown to the user."""
        where = f"{self.source}: {self.field}" if self.field else self.source
        return " ".join(f"{where}: {self.problem}".split())  # always exactly one line
