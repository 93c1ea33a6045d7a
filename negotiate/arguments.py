"""How ``negotiate`` reads its flags: one parser class, and the types of its numbers.

The numbers are checked by ``experiments.numbers``, so a bad one reads the same here as in the
app; argparse reports it as ``negotiate CMD: error: argument --FLAG: …`` with exit status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from experiments import numbers
from model.errors import ArgumentError

EXIT_USAGE = 2
EXIT_ENVIRONMENT = 1  # the machine failed (scheduler down, disk full), not the input


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit with status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``negotiate: error: MESSAGE`` on one line and exit with status 2."""
        self.exit(EXIT_USAGE, f"negotiate: error: {' '.join(message.split())}\n")


def _flag_type(parse: Callable[[str], int]) -> Callable[[str], int]:
    """An argparse type from a number parser: its problem becomes argparse's message."""

    def read(text: str) -> int:
        try:
            return parse(text)
        except ArgumentError as exc:
            raise argparse.ArgumentTypeError(f"{exc.source} {exc.problem}") from None

    return read


seed = _flag_type(numbers.parse_seed)
port = _flag_type(numbers.parse_port)
runs = _flag_type(lambda text: numbers.parse_int(text, "runs", 1))


def count(name: str, least: int) -> Callable[[str], int]:
    """An argparse type for a whole number of at least ``least``, named ``name`` in messages."""
    return _flag_type(lambda text: numbers.parse_int(text, name, least))


def override(text: str) -> tuple[str, float | str]:
    """Read ``--set PATH=VALUE``: a number where VALUE is one, else the text."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"--set expects PATH=VALUE, got {text!r}")
    try:
        return path.strip(), float(value)
    except ValueError:
        return path.strip(), value.strip()  # a rule name, for instance
