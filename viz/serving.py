"""``negotiate app`` in a child process, for whatever drives the app in a browser.

The browser tests (``tests/``) and the lesson plan's screenshot script (``docs/teaching/``) both
start the app's server on a port of 127.0.0.1, wait until its page answers, drive Debian's
Chromium through it with Playwright, and stop the server however they end: ``served_app`` is
that server, and ``launch_chromium`` that browser.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
START_TIMEOUT = 90.0  # s for the server to answer
STOP_TIMEOUT = 15.0  # s for the server to end once asked to, and again once killed
POLL = 0.3  # s between two knocks on a server that is starting
# Debian's Chromium (the package chromium), never a browser build of Playwright's own.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# The servers ``served_app`` started and has not stopped yet (see ``stop_all``).
_RUNNING: list[subprocess.Popen[bytes]] = []


class AppServerError(RuntimeError):
    """The app's server exited, or did not answer in time: one line, and the server's log.

    Attributes:
        log: Everything the server wrote.
    """

    def __init__(self, line: str, log: str) -> None:
        super().__init__(line)
        self.log = log


def negotiate_command() -> list[str]:
    """How to run ``negotiate`` with this Python: its script beside it, else ``-m``."""
    script = Path(sys.executable).with_name("negotiate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "negotiate"]


def read_log(log: Path) -> str:
    """The server's log as text, or "" where it cannot be read."""
    try:
        return log.read_text(errors="replace")
    except OSError:
        return ""


def last_line(log: Path) -> str:
    """The last non-empty line of the server's log, or a note that it is empty."""
    lines = [line for line in read_log(log).splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(nothing in its log)"


@dataclass(frozen=True)
class ServedApp:
    """The app's server, as started.

    Attributes:
        url: Its address, ending in "/".
        process: The server's process.
        log: The file its output goes to.
    """

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def gone(self) -> str | None:
        """Why the server is no longer running, in a few words, or None while it runs."""
        status = self.process.poll()
        if status is None:
            return None
        how = f"was stopped by signal {-status}" if status < 0 else f"exited with status {status}"
        return f"negotiate app {how} ({last_line(self.log)})"

    def wait_until_answers(self, timeout: float) -> None:
        """Return once the page answers.

        Raises:
            AppServerError: When the server exits, or does not answer within ``timeout`` s.
        """
        deadline = time.monotonic() + timeout
        while True:
            gone = self.gone()
            if gone is not None:
                raise AppServerError(gone, read_log(self.log))
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AppServerError(
                    f"negotiate app did not answer at {self.url} in {timeout:.0f} s",
                    read_log(self.log),
                )
            time.sleep(POLL)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server: terminate it, and kill it if it has not ended ``STOP_TIMEOUT`` s later."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def stop_all() -> None:
    """Stop every server ``served_app`` started and has not stopped yet.

    For a signal handler that ends the process at once, with no ``with`` block left to do it.
    """
    for process in list(_RUNNING):
        stop(process)


@contextmanager
def served_app(
    args: Sequence[str],
    cwd: Path,
    log: Path,
    timeout: float = START_TIMEOUT,
    *,
    port: int = 0,
    env: Mapping[str, str] | None = None,
) -> Iterator[ServedApp]:
    """``negotiate app --host 127.0.0.1 --port PORT ARGS``, from its start to the block's end.

    The server is stopped when the block ends, however it ends.

    Args:
        args: More flags of ``negotiate app`` (such as ``--class --data DIR``).
        cwd: The folder the server runs in (without ``--sweeps``, it opens sweeps from there).
        log: The file the server's output goes to (written anew).
        timeout: Seconds the server has to answer.
        port: The port of 127.0.0.1 to listen on (0: one free now).
        env: Environment variables for the server, over this process's own.

    Yields:
        The server, once its page answers.

    Raises:
        AppServerError: When the server exits, or does not answer within ``timeout`` s.
    """
    # Imported here: viz.server imports the model, which a script's --help need not wait for.
    from viz.server import free_port

    port = port or free_port(HOST)
    command = [*negotiate_command(), "app", "--host", HOST, "--port", str(port), *args]
    with log.open("w") as sink:
        process = subprocess.Popen(
            command,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
    _RUNNING.append(process)
    app = ServedApp(f"http://{HOST}:{port}/", process, log)
    try:
        app.wait_until_answers(timeout)
        yield app
    finally:
        stop(process)
        _RUNNING.remove(process)


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, from Playwright (what ``sync_playwright()`` gives)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS), headless=True
    )
