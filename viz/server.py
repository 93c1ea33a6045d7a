"""``negotiate app``: serve the teaching app with Solara, offline and on this computer only.

The front end comes from the ``solara-assets`` package, so the page loads with no internet;
Solara's usage reporting and its version check are switched off, so the server never calls
out either. By default the server listens on 127.0.0.1, reachable from this computer alone.
"""

from __future__ import annotations

import os
import socket
import warnings

from model.errors import ArgumentError

APP_MODULE = "viz.app"
DEFAULT_PORT = 8765


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
    """A port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT, open_browser: bool = False) -> int:
    """Run the app's server until it is interrupted.

    Args:
        host: Address to listen on.
        port: Port to listen on (0: a free one).
        open_browser: Open the page in the default web browser once the server is up.

    Returns:
        The exit status.
    """
    # Before Solara reads its settings: no usage reporting from a classroom computer.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # Serve the front end from this server (solara-assets), even where Solara would otherwise
    # point the browser at its CDN (it does inside some editors' terminals).
    os.environ.setdefault("SOLARA_ASSETS_PROXY", "true")
    # Mesa 3.3's own SolaraViz trips Solara's hook check; nothing a teacher can act on.
    warnings.filterwarnings("ignore", message=".*ComponentsView. `use_state` found despite")
    if port == 0:
        port = free_port(host)
    check_port_free(host, port)
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
