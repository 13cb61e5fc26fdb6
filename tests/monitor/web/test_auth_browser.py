"""Logging in, managing users and logging out in real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.conftest import TestDatabase
from tests.support.config import make_config
from tests.support.web import add_test_user, chromium_page, live_server, log_in, sign_in

# One worker runs this module: its Chromium (the module-scoped `browser`) is launched once.
pytestmark = pytest.mark.xdist_group("web-auth-browser")


def test_login_admin_page_and_logout_in_chromium(
    sqlite_db: TestDatabase, tmp_path: Path, browser: Browser
) -> None:
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        chromium_page(server.base_url, browser) as page,
    ):
        page.goto("/admin/users")
        assert page.url == f"{server.base_url}/login?next=%2Fadmin%2Fusers"
        page.fill("input[name=name]", "nobody")
        page.fill("input[name=password]", "not the password")
        page.click("form[action='/login'] button[type=submit]")
        assert page.text_content("[role=alert]") == "Wrong user name or password."
        page.screenshot(path=tmp_path / "login-failed.png", full_page=True)

        admin = add_test_user(server, "admin")
        log_in(server, page, admin.name, admin.password)
        page.goto("/admin/users")
        assert page.text_content("header .account span") == admin.name
        page.fill("form.add-user input[name=name]", "ivy")
        page.select_option("form.add-user select[name=role]", "viewer")
        page.fill("form.add-user input[name=password]", "ivy-password")
        page.fill("form.add-user input[name=password_again]", "ivy-password")
        page.click("form.add-user button[type=submit]")
        assert page.text_content("[role=status]") == "User added."
        assert page.locator("tr[data-user=ivy]").count() == 1
        page.screenshot(path=tmp_path / "admin-users.png", full_page=True)

        page.click("header .account button[type=submit]")  # log out
        assert page.url == f"{server.base_url}/login"
        assert page.locator("header .account").count() == 0
        page.goto("/admin/users")
        assert page.url.startswith(f"{server.base_url}/login?next=")


def test_sign_in_logs_a_browser_in_as_a_viewer(
    sqlite_db: TestDatabase, tmp_path: Path, browser: Browser
) -> None:
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        chromium_page(server.base_url, browser) as page,
    ):
        viewer = sign_in(server, page, "viewer")
        answer = page.goto("/api/openapi.json")
        assert answer is not None and answer.status == 200
        refused = page.goto("/admin/users")
        assert refused is not None and refused.status == 403
        assert viewer.role == "viewer"


def test_sign_in_again_switches_user(
    sqlite_db: TestDatabase, tmp_path: Path, browser: Browser
) -> None:
    config = make_config(tmp_path, sqlite_db)
    with (
        live_server(config, sqlite_db.engine) as server,
        chromium_page(server.base_url, browser) as page,
    ):
        sign_in(server, page, "viewer")
        admin = sign_in(server, page, "admin")
        answer = page.goto("/admin/users")
        assert answer is not None and answer.status == 200
        assert page.text_content("header .account span") == admin.name
