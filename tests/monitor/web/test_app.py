"""The app's frame: /healthz answers, every response carries the security headers, no CDN."""

from __future__ import annotations

from pathlib import Path

import httpx

from monitor.web.security import HEADERS
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.web import chromium_page, live_server, sign_in, web_client


def test_healthz_and_security_headers_on_a_real_server(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, sqlite_db)
    with live_server(config, sqlite_db.engine) as server:
        ok = httpx.get(f"{server.base_url}/healthz", timeout=30)
        missing = httpx.get(f"{server.base_url}/static/no-such-file.js", timeout=30)
        with web_client(server.base_url) as client:
            sign_in(server, client)  # everything but /healthz, /login and /static needs a login
            spec = client.get("/api/openapi.json")
    assert ok.status_code == 200 and ok.json() == {"status": "ok"}
    assert missing.status_code == 404
    for response in (ok, missing):
        for name, value in HEADERS.items():
            assert response.headers[name] == value
    assert "frame-ancestors 'none'" in ok.headers["content-security-policy"]
    assert spec.json()["info"]["title"] == "polmon"


def test_the_app_references_nothing_outside_itself() -> None:
    web = Path(__file__).resolve().parents[3] / "monitor" / "web"
    for path in web.rglob("*"):
        if path.suffix in {".html", ".js", ".css"} and "vendor" not in path.parts:
            text = path.read_text(encoding="utf-8")
            assert "http://" not in text and "https://" not in text and "//cdn" not in text, path


def test_a_page_in_real_chromium_loads_only_polmons_own_files(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, sqlite_db)
    with live_server(config, sqlite_db.engine) as server, chromium_page(server.base_url) as page:
        response = page.goto("/healthz")
        assert response is not None and response.status == 200
        assert '"ok"' in page.content()
