"""The app's error boundary: a failed action is one line on the page and a trace in the log.

The page may be on a classroom's screen, and anyone in the class may type into it: a failure
must leave the session alive, tell the user in one line what is wrong, and show neither a
traceback nor the server's folders. The trace goes to the server's log (Python ``logging``,
logger ``viz.app``), for whoever runs the server. A ``UserError`` is the user's to fix: its own
line is shown. Anything else is a fault on the server: the user reads that it failed, and the
log says why.
"""

from __future__ import annotations

import logging

from model.errors import UserError

LOG = logging.getLogger("viz.app")
SHOWN_CHARS = 60


def failure_line(exc: BaseException, unexpected: str) -> str:
    """Log a failed action and return the one line the page shows.

    Args:
        exc: What the action raised.
        unexpected: What failed, in plain words, for an error that is not a ``UserError``.

    Returns:
        The user error's own line, or ``unexpected`` with a pointer to the server's log.
    """
    if isinstance(exc, UserError):
        LOG.info("refused: %s", exc.line())
        return exc.line()
    LOG.error("%s", unexpected, exc_info=exc)
    return f"{unexpected} (the server's log has the details)."


def shown(typed: object) -> str:
    """What the user typed, on one line and cut short, to be quoted back to them."""
    text = " ".join(str(typed).split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
