"""The web app in tests: a real uvicorn server on 127.0.0.1, and Debian's Chromium (Playwright)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, sync_playwright
from sqlalchemy.engine import Engine

from monitor.config import PolmonConfig
from monitor.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")


@dataclass
class LiveServer:
    base_url: str
    engine: Engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(config: PolmonConfig, engine: Engine) -> Iterator[LiveServer]:
    """The app served by uvicorn in a thread on a free loopback port, until the block ends."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(config, engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", engine)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium_page(base_url: str) -> Iterator[Page]:
    """A fresh headless Chromium page (Debian's `chromium`, no browser download) on base_url.

    Requests to anything but 127.0.0.1 fail the test: the app must not reach elsewhere.
    """
    from tests.conftest import require

    require(CHROMIUM.exists(), "Debian's chromium", "apt-get install chromium")
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            context = browser.new_context(base_url=base_url)
            context.on(
                "request",
                lambda request: (
                    None
                    if request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                    else outside.append(request.url)
                ),
            )
            yield context.new_page()
        finally:
            browser.close()
    assert not outside, f"the browser was sent outside polmon: {outside}"


def sign_in(server: LiveServer, client: object, role: str = "viewer") -> None:
    """Create a user with `role` in the server's database and log `client` in.

    `client` is an `httpx.Client` on `server.base_url` or a Playwright `Page`: after this,
    its cookies carry a session. The web-auth work fills this in; until then the app has no
    login and this does nothing.
    """
