"""``negotiate app``: serve the teaching app with Solara, offline and on this computer only.

The front end comes from the ``solara-assets`` package, so the page loads with no internet;
Solara's usage reporting and its version check are switched off, so the server never calls
out either. By default the server listens on 127.0.0.1, reachable from this computer alone;
any other address is the user's choice, and the command says who can then open the app.

Stored sweeps open only from under one folder, given at start (``--sweeps``): whoever can open
the page can read no other folder of the server through it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sqlite3
import sys
import warnings
from pathlib import Path

from model.errors import ArgumentError
from viz.board import BOARD_ENV, BOARD_FILE

APP_MODULE = "viz.app"
DEFAULT_PORT = 8765
# How ``serve`` tells the app's sessions, which Solara runs in this process, where sweeps are.
SWEEPS_ENV = "NEGOTIATE_APP_SWEEPS"
LOCAL_NAMES = {"localhost"}
WILDCARDS = {"", "0.0.0.0", "::"}


def sweeps_root() -> Path:
    """The folder stored sweeps open from: as given to ``serve``, else the current folder."""
    return Path(os.environ.get(SWEEPS_ENV) or Path.cwd())


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this computer alone."""
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may well resolve to a public address


def host_warning(host: str, port: int) -> str | None:
    """The warning for listening on ``host``, or None for loopback."""
    if is_loopback(host):
        return None
    who = f"this machine's port {port}" if host in WILDCARDS else f"{host} on port {port}"
    return f"negotiate: warning: --host {host} lets anyone who can reach {who} open the app"


def check_port_free(host: str, port: int) -> None:
    """Fail with one clear line when ``host:port`` cannot be listened on.

    Raises:
        ArgumentError: When the address is taken or not this computer's.
    """
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As the server will: a port left in TIME_WAIT by a server just stopped is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ArgumentError(
                "--port", "", f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free on ``host`` right now.

    Raises:
        ArgumentError: When nothing can be listened on at ``host``.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, 0))
        except OSError as exc:
            raise ArgumentError(
                "--host", "", f"cannot listen on {host}: {exc.strerror or exc}"
            ) from None
        return int(sock.getsockname()[1])


def check_sweeps(sweeps: Path) -> Path:
    """The folder stored sweeps open from, resolved.

    Raises:
        ArgumentError: When it is not a folder.
    """
    try:
        folder = sweeps.resolve()
        ok = folder.is_dir()
    except (OSError, RuntimeError, ValueError):
        ok = False
    if not ok:
        raise ArgumentError("--sweeps", "", f"{sweeps} is not a folder")
    return folder


def check_board(folder: Path) -> Path:
    """The class board's file under ``folder``, which is made if need be.

    Raises:
        ArgumentError: When the folder cannot be made or the board cannot be written there.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / BOARD_FILE).resolve()
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE IF NOT EXISTS probe (x INTEGER)")
            con.execute("DROP TABLE probe")
        con.close()
    except (OSError, sqlite3.Error) as exc:
        raise ArgumentError(
            "--data", str(folder), f"cannot keep the class board there: {exc}"
        ) from None
    return path


def log_to_terminal() -> None:
    """Send the app's log (failed actions and their traces) to standard error."""
    logger = logging.getLogger("viz")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def serve(
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    sweeps: Path = Path("."),
    board: Path | None = None,
) -> int:
    """Run the app's server until it is interrupted.

    Args:
        host: Address to listen on.
        port: Port to listen on (0: a free one).
        open_browser: Open the page in the default web browser once the server is up.
        sweeps: The folder under which the app opens stored sweeps.
        board: The data folder of a class board (``negotiate app --class``), made if need
            be; None for no board.

    Returns:
        The exit status.

    Raises:
        ArgumentError: When the port cannot be listened on, ``sweeps`` is not a folder, or
            the board's folder cannot be made or written.
    """
    root = check_sweeps(sweeps)
    board_file = check_board(board) if board is not None else None
    # Before Solara reads its settings: no usage reporting from a classroom computer.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # Serve the front end from this server (solara-assets), even where Solara would otherwise
    # point the browser at its CDN (it does inside some editors' terminals).
    os.environ.setdefault("SOLARA_ASSETS_PROXY", "true")
    # Solara's "This website runs on Solara" banner floats over the panels' bottom right
    # corner; the Info page's credits name Solara instead.
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    # Mesa 3.3's own SolaraViz trips Solara's hook check; nothing a teacher can act on.
    warnings.filterwarnings("ignore", message=".*ComponentsView. `use_state` found despite")
    # Solara warns, once per browser session, that a cookie for embedding in other sites'
    # pages needs https; the app is not embedded, and Solara falls back to a same-site one.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    if port == 0:
        port = free_port(host)
    check_port_free(host, port)
    warning = host_warning(host, port)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    os.environ[SWEEPS_ENV] = str(root)
    if board_file is not None:
        os.environ[BOARD_ENV] = str(board_file)
        print(f"negotiate: the class board is kept in {board_file}", file=sys.stderr, flush=True)
    log_to_terminal()
    from solara.__main__ import run

    args = [
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--open" if open_browser else "--no-open",
    ]
    run.main(args=args, prog_name="negotiate app", standalone_mode=False)
    return 0
