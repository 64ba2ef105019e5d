"""``tenant-trust dashboard``: serve the workshop dashboard (:mod:`dashboard.app`) with Solara's server.

The server runs in the foreground until Ctrl+C. It listens on 127.0.0.1 (this
computer only) unless ``--host`` says otherwise, e.g. ``--host 0.0.0.0`` on a
shared server for a room of laptops. Everything the pages need is served
from the installed packages (``solara-assets``), so no internet connection is
needed, and Solara's usage statistics and version check are switched off.

At start it prints the **room code**, which opens the facilitator's page
(``/facilitator``). Solara's diagnostic endpoints (``/resourcez``, which shows
session counts and the host's processor and memory, and the test-only
eviction route) answer only with ``?code=ROOM-CODE``; to everyone else they
do not exist.

**Stopping.** The first Ctrl+C (or SIGTERM) stops taking new connections and
closes the open ones; if that has not finished within :data:`SHUTDOWN_GRACE`
seconds the process ends anyway, and a second Ctrl+C ends it at once.

**Sessions.** A browser that disconnects keeps its session (and its estate in
memory) for :data:`KEEP_SESSION`; after that the session is released. The
participant loses nothing: their run is kept by the room as its settings,
estate number and history, and rebuilt, with the same numbers, when they come
back or reload the page.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import threading
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DIAGNOSTICS",
    "KEEP_SESSION",
    "SHUTDOWN_GRACE",
    "add_parser",
    "cmd_dashboard",
    "guard_diagnostics",
    "server_environment",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: How long a disconnected browser's session (and its estate in memory) is kept before it is released.
KEEP_SESSION = "2m"
#: Seconds the first Ctrl+C waits for open connections to close before the process ends anyway.
SHUTDOWN_GRACE = 5.0
#: Paths of Solara's diagnostic and test-only endpoints, reachable only with the room code.
DIAGNOSTICS = ("/resourcez", "/_solara/api/evict")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number; allowed: a whole number 1-65535") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is out of range; allowed: a whole number 1-65535")
    return value


def _room_code(text: str) -> str:
    from dashboard.room import CODE_ALPHABET

    code = text.strip().upper()
    if len(code) < 4 or any(c not in CODE_ALPHABET for c in code):
        raise argparse.ArgumentTypeError(
            f"room code {text!r}: allowed: 4 or more of the characters {CODE_ALPHABET} (no 0, O, 1, I or L)"
        )
    return code


def server_environment(code: str) -> dict[str, str]:
    """The environment variables the dashboard's server runs with.

    Args:
        code: The room code.
    """
    return {
        "SOLARA_APP": "dashboard.app",
        "SOLARA_MODE": "production",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_TITLE": "Tenant Trust workshop",
        "SOLARA_KERNEL_CULL_TIMEOUT": os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", KEEP_SESSION),
        "TENANT_TRUST_ROOM_CODE": code,
    }


def guard_diagnostics(app: Any, code: str) -> Any:
    """Wrap an ASGI app so that :data:`DIAGNOSTICS` answer 404 unless the query carries ``code=`` the room code."""

    async def guarded(scope: dict, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] in ("http", "websocket") and path.startswith(DIAGNOSTICS):
            given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("code", [""])[0]
            if given.strip().upper() != code:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await send(
                    {"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]}
                )
                await send({"type": "http.response.body", "body": b"Not Found"})
                return
        await app(scope, receive, send)

    return guarded


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """Uvicorn's server whose shutdown always ends: a deadline after one signal, at once after two."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if self.should_exit:
                os._exit(128 + sig)
            super().handle_exit(sig, frame)
            print("Stopping the dashboard (Ctrl+C again to stop at once).", flush=True)
            timer = threading.Timer(SHUTDOWN_GRACE, os._exit, args=(128 + sig,))
            timer.daemon = True
            timer.start()

    return Server


def cmd_dashboard(args: argparse.Namespace) -> None:
    """Run Solara's server with the dashboard in this process until Ctrl+C."""
    from dashboard.room import new_code

    code = args.room_code or new_code()
    os.environ.update(server_environment(code))
    # the folder holding this package (the repository, or site-packages), so `dashboard` is this package
    os.chdir(Path(__file__).resolve().parents[1])
    import uvicorn
    from solara.server import settings

    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.kernel.cull_timeout = os.environ["SOLARA_KERNEL_CULL_TIMEOUT"]
    from solara.server.starlette import app

    from dashboard import room

    room.ROOM.code = code
    url = f"http://{args.host}:{args.port}/"
    print(f"Tenant Trust dashboard: {url}  (Ctrl+C stops it)", flush=True)
    print(f"Facilitator's page: {url}facilitator  room code: {code}", flush=True)
    if not _is_loopback(args.host):
        print(f"Listening on {args.host}: other computers that can reach this one can open the dashboard.", flush=True)
    if args.open:
        import webbrowser

        threading.Timer(2.0, webbrowser.open, args=(url,)).start()
    config = uvicorn.Config(
        guard_diagnostics(app, code),
        host=args.host,
        port=args.port,
        log_level="warning",
        timeout_graceful_shutdown=int(SHUTDOWN_GRACE),
        ws_max_size=16 * 1024 * 1024,
    )
    _server_class()(config).run()
    os._exit(0)  # session threads of a closed room must not keep the process alive


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
    parser.add_argument(
        "--room-code", type=_room_code, default=None, help="the facilitator's room code (default: a new random one)"
    )
    parser.set_defaults(func=cmd_dashboard)
