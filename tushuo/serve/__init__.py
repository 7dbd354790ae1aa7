"""``tushuo serve``: a local editor for a folder of specs, with live preview, inline errors
and click-to-source, for the people who write the specs.

The server (starlette + uvicorn, the ``tushuo[serve]`` extra) is imported only here, so
the library stays light. It listens on 127.0.0.1 only and stops with the process.
"""

from __future__ import annotations

import socket
import sys
import threading
import webbrowser
from pathlib import Path

from ..errors import SpecError

HOST = "127.0.0.1"
DEFAULT_PORT = 8790


def _missing_extra() -> SpecError:
    return SpecError('tushuo serve needs its extra: python3 -m pip install "tushuo[serve]" (starlette, uvicorn)')


def free_port(preferred: int) -> int:
    """``preferred`` if nothing listens there, else a free port the system picks."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise SpecError("no free port on 127.0.0.1")


def run(folder: str | Path = ".", *, port: int | None = None, open_browser: bool = True,
        ready: threading.Event | None = None, say=print) -> int:
    """Serve ``folder`` until Ctrl-C. ``port`` None takes 8790 or, when it is busy, any free port."""
    try:
        import uvicorn

        from .app import create_app
    except ImportError:
        raise _missing_extra() from None
    root = Path(folder)
    if not root.is_dir():
        raise SpecError(f"not a folder: {folder}")
    app = create_app(root)
    if port is None:
        chosen = free_port(DEFAULT_PORT)
    elif free_port(port) != port:
        raise SpecError(f"port {port} is in use on {HOST}: give another --port, or none to take a free one")
    else:
        chosen = port
    url = f"http://{HOST}:{chosen}/"
    config = uvicorn.Config(app, host=HOST, port=chosen, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)

    def announce() -> None:
        say(f"图说编辑器 tushuo serve: {url}  (folder {root.resolve()}; Ctrl-C stops)")
        sys.stdout.flush()
        if open_browser:
            webbrowser.open(url)
        if ready is not None:
            ready.set()

    # print the URL once the socket listens (uvicorn binds in startup)
    orig_startup = server.startup

    async def startup(sockets=None) -> None:
        await orig_startup(sockets=sockets)
        if server.started:
            announce()

    server.startup = startup  # type: ignore[method-assign]
    server.run()
    return 0 if server.started else 2
