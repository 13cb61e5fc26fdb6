"""The web app in tests: a real uvicorn server on 127.0.0.1, and Debian's Chromium (Playwright)."""

from __future__ import annotations

import base64
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy.engine import Engine

from collectors.http import tls_context
from monitor.config import PolmonConfig
from monitor.web.app import create_app
from storage.engine import transaction
from storage.users import add_user

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


def web_client(base_url: str = "") -> httpx.Client:
    """An httpx client (for the app under test: `web_client(server.base_url)`) with the TLS
    settings built once per process (`collectors.http.tls_context`), not once per client.
    Its timeout (30 s, not httpx's 5 s) leaves room for a loaded machine: it is a safety net,
    not a measurement."""
    return httpx.Client(base_url=base_url, verify=tls_context(), timeout=30)


@contextmanager
def live_server(config: PolmonConfig, engine: Engine) -> Iterator[LiveServer]:
    """The app served by uvicorn in a thread on a free loopback port, until the block ends.
    The socket is bound here and handed to uvicorn: a port looked up and bound later can be
    taken in between by another test's connection."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(config, engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
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
        sock.close()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's headless `chromium` through Playwright (no browser download), until the block
    ends. While it runs, `asyncio.run` cannot be called in this thread (Playwright's sync API
    marks its loop as running), so hold one for a module at most (the `browser` fixture)."""
    from tests.conftest import require

    require(CHROMIUM.exists(), "Debian's chromium", "apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page(base_url: str, browser: Browser | None = None) -> Iterator[Page]:
    """A fresh page on base_url in a new browser context (no cookies or storage of any other
    test): in `browser` (a module's, from the `browser` fixture) or in a Chromium of its own.

    Requests to anything but 127.0.0.1 fail the test: the app must not reach elsewhere.
    """
    if browser is None:
        with chromium() as own, chromium_page(base_url, own) as page:
            yield page
        return
    outside: list[str] = []
    context = browser.new_context(base_url=base_url)
    try:
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
        context.close()
    assert not outside, f"the browser was sent outside polmon: {outside}"


def page_errors(page: Page) -> list[str]:
    """A list that fills with the page's script errors, CSP refusals and failed requests
    (the favicon aside) from now on: a test asserts it stays empty."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


@dataclass(frozen=True)
class TestUser:
    """A user `sign_in` made: its name, the random password it was given, its role."""

    __test__ = False
    name: str
    password: str
    role: str


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_test_user(server: LiveServer, role: str = "viewer") -> TestUser:
    """A new user with a random name and password in the server's database (storage/users.py)."""
    user = TestUser(f"{role}-{secrets.token_hex(4)}", secrets.token_urlsafe(16), role)
    with transaction(server.engine) as session:
        add_user(session, user.name, user.password, role)
    return user


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    found = CSRF_FIELD.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def session_data(client_or_cookie: httpx.Client | str) -> dict[str, Any]:
    """What a session cookie holds (signed, not encrypted: readable, never changeable)."""
    cookie = (
        client_or_cookie
        if isinstance(client_or_cookie, str)
        else client_or_cookie.cookies["polmon_session"]
    )
    data: dict[str, Any] = json.loads(base64.b64decode(cookie.rsplit(".", 2)[0]))
    return data


def sign_in(server: LiveServer, client: object, role: str = "viewer") -> TestUser:
    """Create a user with `role` in the server's database and log `client` in.

    `client` is an `httpx.Client` or a Playwright `Page` (its base_url on `server.base_url`):
    after this, its cookies carry a session made by the real `/login` form (calling it again
    switches the client to a new user).
    """
    user = add_test_user(server, role)
    log_in(server, client, user.name, user.password)
    return user


def log_in(server: LiveServer, client: object, name: str, password: str) -> None:
    """Log `client` (httpx.Client or Playwright Page) in through the real login form, as a
    new session (any earlier one of this client is dropped first)."""
    if isinstance(client, httpx.Client):
        client.cookies.clear()
        form = client.get(f"{server.base_url}/login")
        assert form.status_code == 200, form.status_code
        answer = client.post(
            f"{server.base_url}/login",
            data={"csrf_token": csrf_from(form.text), "name": name, "password": password},
            follow_redirects=False,
        )
        assert answer.status_code == 303, f"login refused: {answer.status_code}"
        return
    assert isinstance(client, Page), f"sign_in: not an httpx.Client or Page: {client!r}"
    # Leave the current page first: a request it still has in flight (a chart's data) must not
    # bring the old session's cookie back after the cookies are cleared.
    client.goto("about:blank")
    client.context.clear_cookies()
    client.goto(f"{server.base_url}/login")
    client.fill("input[name=name]", name)
    client.fill("input[name=password]", password)
    client.click("form[action='/login'] button[type=submit]")
    # Wait for the page the login leads to (not for "a navigation": under load the first one
    # seen can be the login page's own); a refusal stays on /login and says why.
    try:
        client.wait_for_url(lambda url: urlsplit(url).path != "/login", timeout=30_000)
    except PlaywrightTimeoutError:
        alert = client.locator("[role=alert]")
        said = alert.first.text_content() if alert.count() else "no message"
        raise AssertionError(f"login refused in the browser: {said}") from None
