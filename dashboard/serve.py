"""``tenant-trust dashboard``: serve the workshop dashboard (:mod:`dashboard.app`) with Solara's server.

The server runs in the foreground until Ctrl+C. It listens on 127.0.0.1 (this
computer only) unless ``--host`` says otherwise, e.g. ``--host 0.0.0.0`` on a
shared server for a room of laptops. Everything the pages need is served
from the installed packages (``solara-assets``), so no internet connection is
needed, and Solara's usage statistics and version check are switched off.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "add_parser", "cmd_dashboard", "server_command"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: How long a participant's estate is kept after their browser disconnects (a laptop asleep over lunch).
KEEP_SESSION = "3h"


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; allowed: a whole number 1-65535") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed: a whole number 1-65535")
    return value


def server_command(host: str, port: int, open_browser: bool = False) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the dashboard.

    Args:
        host: Address to listen on.
        port: Port to listen on.
        open_browser: Open the page in the default browser once the server is up.

    Returns:
        ``(argv, env)`` for :func:`os.execve` or :mod:`subprocess`.
    """
    argv = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "dashboard.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--open" if open_browser else "--no-open",
    ]
    env = dict(os.environ)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", KEEP_SESSION)
    return argv, env


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def cmd_dashboard(args: argparse.Namespace) -> None:
    """Replace this process with Solara's server running the dashboard."""
    argv, env = server_command(args.host, args.port, args.open)
    print(f"Tenant Trust dashboard: http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    if not _is_loopback(args.host):
        print(f"Listening on {args.host}: other computers that can reach this one can open the dashboard.", flush=True)
    # the folder holding this package (the repository, or site-packages), so `dashboard` is this package
    os.chdir(Path(__file__).resolve().parents[1])
    os.execve(argv[0], argv, env)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``dashboard`` on the ``tenant-trust`` command line."""
    parser = sub.add_parser("dashboard", help="serve the workshop dashboard in the browser")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}, this computer only; 0.0.0.0 for a room)",
    )
    parser.add_argument("--open", action="store_true", help="open the dashboard in the default browser")
    parser.set_defaults(func=cmd_dashboard)
