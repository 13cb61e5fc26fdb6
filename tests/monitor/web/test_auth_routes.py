"""Every route of the app, the other areas' too: without a session a redirect to /login or a
401; only /healthz, /login and /static/* are public; viewers get 403 on every admin route."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine
from starlette.routing import BaseRoute, Mount

from monitor.web.app import create_app
from monitor.web.auth import require_admin
from storage.engine import make_engine
from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.databases import copy_sqlite
from tests.support.web import LiveServer, csrf_from, live_server, session_data, sign_in, web_client

# One worker runs this module: its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("web-auth-routes")

PUBLIC = {("GET", "/healthz"), ("GET", "/login"), ("POST", "/login"), ("GET", "/static/app.css")}


def _flatten(routes: Iterable[Any]) -> Iterator[tuple[str, set[str], Any]]:
    """(path, methods, route) of every route, looking into included routers (FastAPI keeps
    them as branches) and mounts."""
    for route in routes:
        if hasattr(route, "effective_candidates"):  # an included router
            yield from _flatten(route.effective_candidates())
        elif hasattr(route, "original_route"):  # one route of an included router
            yield route.path, set(route.original_route.methods or ()), route.original_route
        elif isinstance(route, Mount):
            yield route.path + "/app.css", {"GET"}, route
        else:
            yield route.path, set(getattr(route, "methods", None) or ()), route


def _every_route() -> list[tuple[str, str, Any]]:
    with tempfile.TemporaryDirectory() as folder:  # for the generated session key
        app = create_app(make_config(paths={"data_dir": folder}), create_engine("sqlite://"))
    found: dict[tuple[str, str], Any] = {}
    for path, methods, route in _flatten(app.routes):
        concrete = re.sub(r"\{[^}:]+(:path)?\}", "1", path)
        found.update(((method, concrete), route) for method in methods - {"HEAD"})
    return [(method, path, found[method, path]) for method, path in sorted(found, key=_by_path)]


def _by_path(key: tuple[str, str]) -> tuple[str, str]:
    return key[1], key[0]


def _needs_admin(route: BaseRoute) -> bool:
    def calls(dependant: Any) -> Iterator[Any]:
        for sub in dependant.dependencies:
            yield sub.call
            yield from calls(sub)

    dependant = getattr(route, "dependant", None)
    return dependant is not None and require_admin in set(calls(dependant))


ROUTES = _every_route()
ADMIN_ROUTES = [(method, path) for method, path, route in ROUTES if _needs_admin(route)]


def test_the_walk_finds_the_routes() -> None:
    found = {(method, path) for method, path, _ in ROUTES}
    assert PUBLIC | {("POST", "/logout"), ("GET", "/api/openapi.json")} <= found
    assert {("GET", "/admin/users"), ("POST", "/admin/users/1/remove")} <= set(ADMIN_ROUTES)
    assert ("GET", "/api/admin/users") in ADMIN_ROUTES


@pytest.fixture(scope="module")
def server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("auth-routes")
    copy_sqlite(sqlite_template, folder / "db.sqlite3")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    engine = make_engine(url)
    config = make_config(folder, TestDatabase("sqlite", url, None, engine))
    try:
        with live_server(config, engine) as running:
            yield running
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("method", "path"), [(method, path) for method, path, _ in ROUTES], ids=lambda v: str(v)
)
def test_without_a_session_only_public_routes_answer(
    server: LiveServer, method: str, path: str
) -> None:
    with web_client(server.base_url) as client:
        answer = client.request(method, path, follow_redirects=False)
    if (method, path) in PUBLIC:
        assert answer.status_code not in (303, 401), answer.status_code
        return
    if path.startswith("/api/"):
        assert answer.status_code == 401 and answer.json() == {"detail": "login required"}
    else:
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=" + httpx.URL(path).raw_path.decode(
        ).replace("/", "%2F")  # fmt: skip


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES, ids=lambda v: str(v))
def test_a_viewer_gets_403_on_admin_routes(server: LiveServer, method: str, path: str) -> None:
    with web_client(server.base_url) as client:
        sign_in(server, client, "viewer")
        token = session_data(client)["csrf"]
        data = {"csrf_token": token} if method != "GET" else None
        answer = client.request(method, path, data=data, follow_redirects=False)
    assert answer.status_code == 403, answer.text


def test_an_admin_manages_users_on_the_admin_page(server: LiveServer) -> None:
    with web_client(server.base_url) as admin:
        me = sign_in(server, admin, "admin")
        page = admin.get("/admin/users")
        assert page.status_code == 200 and me.name in page.text
        token = csrf_from(page.text)
        hostile = "<b>x</b>"
        form = {
            "csrf_token": token,
            "role": "viewer",
            "password": "pw-123456",
            "password_again": "pw-123456",
        }
        added = admin.post("/admin/users", data={**form, "name": "gail"}, follow_redirects=True)
        assert added.status_code == 200 and "User added." in added.text and "gail" in added.text
        refused = admin.post("/admin/users", data={**form, "name": hostile})
        assert refused.status_code == 400 and "<b>x</b>" not in refused.text
        differ = admin.post(
            "/admin/users", data={**form, "name": "hal", "password_again": "other-pw"}
        )
        assert differ.status_code == 400 and "The two passwords differ." in differ.text
        taken = admin.post("/admin/users", data={**form, "name": "gail"})
        assert taken.status_code == 400 and "exists already" in taken.text
        itself = admin.post(f"/admin/users/{me.name}/remove", data={"csrf_token": token})
        assert itself.status_code == 400 and "cannot remove yourself" in itself.text

        with web_client(server.base_url) as gail:
            log_in_answer = gail.get("/login")
            login = {
                "csrf_token": csrf_from(log_in_answer.text),
                "name": "gail",
                "password": "pw-123456",
            }
            assert gail.post("/login", data=login).status_code == 303
            assert gail.get("/api/openapi.json").status_code == 200
            reset = {"csrf_token": token, "password": "pw-654321", "password_again": "pw-654321"}
            assert admin.post("/admin/users/gail/password", data=reset).status_code == 303
            assert gail.get("/api/openapi.json").status_code == 401
        removed = admin.post("/admin/users/gail/remove", data={"csrf_token": token})
        assert removed.status_code == 303
        names = [row["name"] for row in admin.get("/api/admin/users").json()]
        assert "gail" not in names and me.name in names
        gone = admin.post("/admin/users/gail/remove", data={"csrf_token": token})
        assert gone.status_code == 404
