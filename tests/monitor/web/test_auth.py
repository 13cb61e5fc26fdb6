"""Logging in and out on a real server: sessions, wrong passwords, rate limits, CSRF, cookies,
expiry, `next=` staying on this site."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner

from monitor.web.auth import safe_next
from monitor.web.secret import GENERATED_NAME
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.web import (
    add_test_user,
    csrf_from,
    live_server,
    log_in,
    session_data,
    sign_in,
    web_client,
)

OPENAPI = "/api/openapi.json"  # a protected API route every build has


def _login(client: httpx.Client, name: str, password: str, **extra: str) -> httpx.Response:
    token = csrf_from(client.get("/login").text)
    data = {"csrf_token": token, "name": name, "password": password, **extra}
    return client.post("/login", data=data, follow_redirects=False)


def test_login_then_logout(db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, db)
    with live_server(config, db.engine) as server, web_client(server.base_url) as client:
        assert client.get(OPENAPI).status_code == 401
        sign_in(server, client, "admin")
        assert client.get("/admin/users").status_code == 200
        sign_in(server, client, "viewer")  # the same client, now as a viewer
        assert client.get(OPENAPI).status_code == 200
        again = client.get("/login?next=/api/openapi.json", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == OPENAPI

        refused = client.post("/logout", follow_redirects=False)
        assert refused.status_code == 403  # no CSRF token
        assert client.get(OPENAPI).status_code == 200
        html = client.get("/admin/users")  # a viewer: 403, but the wall let them through
        assert html.status_code == 403
        menu_token = session_data(client)["csrf"]
        out = client.post("/logout", data={"csrf_token": menu_token}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert client.get(OPENAPI).status_code == 401
        page = client.get("/admin/users", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fadmin%2Fusers"


def test_wrong_password_and_unknown_user_get_the_same_answer(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        web_client(server.base_url) as client,
    ):
        user = add_test_user(server)
        wrong = _login(client, user.name, user.password + "x")
        unknown = _login(client, "nobody-here", user.password)
        assert wrong.status_code == unknown.status_code == 401

        def shown(response: httpx.Response) -> str:
            return response.text.replace(csrf_from(response.text), "TOKEN")

        assert shown(wrong) == shown(unknown)
        assert "Wrong user name or password." in wrong.text
        assert user.password not in wrong.text
        assert client.get(OPENAPI).status_code == 401
        right = _login(client, user.name, user.password)
        assert right.status_code == 303 and right.headers["location"] == "/"


def test_failed_logins_are_limited_per_address_and_per_name(
    sqlite_db: TestDatabase, tmp_path: Path
) -> None:
    config = make_config(tmp_path, sqlite_db, web={"login_attempts_per_minute": 3})
    with (
        live_server(config, sqlite_db.engine) as server,
        web_client(server.base_url) as client,
    ):
        user = add_test_user(server)

        def attempt(address: str, name: str, password: str = "wrong-password") -> httpx.Response:
            # uvicorn trusts X-Forwarded-For from 127.0.0.1, as behind a local reverse proxy.
            client.headers["X-Forwarded-For"] = address
            return _login(client, name, password)

        for _ in range(3):
            assert attempt("10.0.0.1", user.name).status_code == 401
        blocked = attempt("10.0.0.1", user.name, user.password)  # even the right password
        assert blocked.status_code == 429
        assert 1 <= int(blocked.headers["Retry-After"]) <= 60
        assert "Too many failed logins" in blocked.text
        # The name is limited from every address ...
        assert attempt("10.0.0.2", user.name, user.password).status_code == 429
        # ... and the address for every name; another address and name are not.
        assert attempt("10.0.0.1", "someone-else").status_code == 429
        assert attempt("10.0.0.3", "someone-else").status_code == 401
        assert client.get(OPENAPI).status_code == 401


def test_a_post_without_the_csrf_token_is_refused(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        web_client(server.base_url) as client,
    ):
        user = add_test_user(server, "admin")
        client.get("/login")
        credentials = {"name": user.name, "password": user.password}
        assert client.post("/login", data=credentials).status_code == 403
        forged = {**credentials, "csrf_token": "x" * 43}
        assert client.post("/login", data=forged).status_code == 403
        assert client.get(OPENAPI).status_code == 401

        log_in(server, client, user.name, user.password)
        new_user = {
            "name": "eve",
            "role": "admin",
            "password": "p" * 12,
            "password_again": "p" * 12,
        }
        assert client.post("/admin/users", data=new_user).status_code == 403
        assert client.post("/admin/users", json=new_user).status_code == 403
        listed = client.get("/api/admin/users").json()
        assert [row["name"] for row in listed] == [user.name]
        # A token from another session is worthless here.
        with web_client(server.base_url) as other:
            foreign = csrf_from(other.get("/login").text)
        assert (
            client.post("/admin/users", data={**new_user, "csrf_token": foreign}).status_code == 403
        )
        token = csrf_from(client.get("/admin/users").text)
        by_header = client.post("/logout", headers={"X-CSRF-Token": token})
        assert by_header.status_code == 303
        assert client.get(OPENAPI).status_code == 401


def _set_cookie(response: httpx.Response) -> list[str]:
    return [part.strip().lower() for part in response.headers["set-cookie"].split(";")]


def test_cookie_flags_plain_and_behind_https(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "secure").mkdir()
    plain = make_config(tmp_path / "plain", sqlite_db, web={"session_hours": 2})
    with live_server(plain, sqlite_db.engine) as server:
        flags = _set_cookie(httpx.get(f"{server.base_url}/login", timeout=30))
    assert flags[0].startswith("polmon_session=")
    assert {"httponly", "samesite=lax", "path=/", "max-age=7200"} <= set(flags)
    assert "secure" not in flags

    secure = make_config(tmp_path / "secure", sqlite_db, web={"secure_cookies": True})
    with live_server(secure, sqlite_db.engine) as server:
        flags = _set_cookie(httpx.get(f"{server.base_url}/login", timeout=30))
    assert flags[0].startswith("__host-polmon_session=")
    assert {"httponly", "samesite=lax", "secure", "path=/"} <= set(flags)


def _signed(secret: str, data: dict[str, Any], at: float) -> str:
    class SignerAt(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(at)

    return SignerAt(secret).sign(base64.b64encode(json.dumps(data).encode())).decode()


def test_sessions_expire_and_cannot_be_forged(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, sqlite_db, web={"session_hours": 1})
    with live_server(config, sqlite_db.engine) as server:
        secret = (config.data_dir / GENERATED_NAME).read_text(encoding="utf-8").strip()
        with web_client(server.base_url) as client:
            sign_in(server, client)
            real = client.cookies["polmon_session"]
        data = session_data(real)
        now = time.time()

        def status(cookie: str) -> int:
            with web_client(server.base_url) as client:
                client.cookies.set("polmon_session", cookie)
                return client.get(OPENAPI).status_code

        assert status(real) == 200
        assert status(_signed(secret, data, now)) == 200  # the forging itself is right
        assert status(_signed(secret, data, now - 3700)) == 401  # signed over an hour ago
        assert status(_signed(secret, {**data, "at": int(now) - 3700}, now)) == 401
        assert status(_signed("not the key" * 4, data, now)) == 401
        tampered = {**data, "uid": data["uid"] + 1}
        assert (
            status(real.replace(real.split(".")[0], _signed(secret, tampered, now).split(".")[0]))
            == 401
        )


def test_next_only_leads_to_a_path_on_this_site(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        web_client(server.base_url) as client,
    ):
        user = add_test_user(server)
        form = client.get("/login", params={"next": "//evil.example/"})
        assert "evil" not in form.text and 'name="next" value="/"' in form.text
        for target in (
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:x",
        ):
            answer = _login(client, user.name, user.password, next=target)
            assert answer.status_code == 303 and answer.headers["location"] == "/", target
            client.cookies.clear()
        answer = _login(client, user.name, user.password, next="/admin/users?tab=a")
        assert answer.headers["location"] == "/admin/users?tab=a"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/posts/1?x=2", "/posts/1?x=2"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("evil.example", "/"),
        ("/\tevil", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_password_change_and_removal_end_sessions(sqlite_db: TestDatabase, tmp_path: Path) -> None:
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        web_client(server.base_url) as admin,
        web_client(server.base_url) as viewer,
        web_client(server.base_url) as other,
    ):
        sign_in(server, admin, "admin")
        user = sign_in(server, viewer)
        log_in(server, other, user.name, user.password)
        token = csrf_from(admin.get("/admin/users").text)
        new = {"csrf_token": token, "password": "n" * 10, "password_again": "n" * 10}
        changed = admin.post(f"/admin/users/{user.name}/password", data=new)
        assert changed.status_code == 303
        assert viewer.get(OPENAPI).status_code == 401
        assert other.get(OPENAPI).status_code == 401
        log_in(server, viewer, user.name, "n" * 10)
        assert viewer.get(OPENAPI).status_code == 200
        removed = admin.post(f"/admin/users/{user.name}/remove", data={"csrf_token": token})
        assert removed.status_code == 303
        assert viewer.get(OPENAPI).status_code == 401


def test_the_key_is_made_once_with_mode_0600_and_reused(
    sqlite_db: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLMON_WEB_SECRET", raising=False)
    config = make_config(tmp_path, sqlite_db)
    with live_server(config, sqlite_db.engine) as server, web_client() as client:
        sign_in(server, client)
        cookie = client.cookies["polmon_session"]
    key = config.data_dir / GENERATED_NAME
    assert key.stat().st_mode & 0o777 == 0o600
    with live_server(config, sqlite_db.engine) as restarted:  # sessions outlive a restart
        answer = httpx.get(
            f"{restarted.base_url}{OPENAPI}", cookies={"polmon_session": cookie}, timeout=30
        )
        assert answer.status_code == 200
    monkeypatch.setenv("POLMON_WEB_SECRET", "a key from the environment, long enough")
    with live_server(config, sqlite_db.engine) as other_key:
        answer = httpx.get(
            f"{other_key.base_url}{OPENAPI}", cookies={"polmon_session": cookie}, timeout=30
        )
        assert answer.status_code == 401
