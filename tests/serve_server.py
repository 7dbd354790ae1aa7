"""A `tushuo serve` app running in a background thread on a free loopback port, for tests."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

#: Debian's chromium (apt-get install chromium); Playwright never downloads a browser here.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def launch(playwright: Any) -> Any:
    """The system chromium, headless and offline-quiet."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_spec(browser: Any, url: str, name: str, width: int = 1400) -> Any:
    """A page of the app with ``name`` open and its first preview shown."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{url}/#{name}")
    page.wait_for_function("() => window.tushuo.state.shown > 0", timeout=60_000)
    return page


class Running:
    """The app over ``folder``; ``get``/``post`` speak its JSON API. Stops with ``close()``."""

    def __init__(self, folder: Path) -> None:
        import uvicorn

        from tushuo.serve import free_port
        from tushuo.serve.app import create_app

        self.folder = folder
        self.app = create_app(folder)
        self.port = free_port(0)
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        started = threading.Event()
        for _ in range(400):  # up to 20 s on a busy machine; returns as soon as it listens
            if self.server.started:
                started.set()
                break
            self.thread.join(0.05)
        assert started.is_set(), "server did not start"

    def request(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        hdrs.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, headers=hdrs, method="POST" if body is not None else "GET")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw, status, kind = r.read(), r.status, r.headers.get("content-type", "")
        except urllib.error.HTTPError as e:
            raw, status, kind = e.read(), e.code, e.headers.get("content-type", "")
        return status, (json.loads(raw) if "json" in kind else raw)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
