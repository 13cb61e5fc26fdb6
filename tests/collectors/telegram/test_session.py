"""The Telethon session file: mode 0600 from the start, login prompts, `polmon telegram login`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telethon.sessions import SQLiteSession
from telethon.tl import types

from collectors.telegram.session import (
    login_session,
    prepare_session_file,
    remove_session,
    session_mode,
    snapshot_session,
)
from tests.conftest import invoke
from tests.support.config import write_config


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable (0666)."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_new_session_file_is_0600_even_with_an_open_umask(tmp_path: Path, open_umask: None) -> None:
    path = prepare_session_file(tmp_path / "data" / "telegram.session")
    assert path.is_file() and session_mode(path) == 0o600


def test_existing_loose_session_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "telegram.session"
    path.write_bytes(b"")
    path.chmod(0o644)
    prepare_session_file(path)
    assert session_mode(path) == 0o600


def test_telethons_real_sqlite_session_keeps_the_mode(tmp_path: Path, open_umask: None) -> None:
    path = prepare_session_file(tmp_path / "telegram.session")
    session = SQLiteSession(str(path))
    session.set_dc(2, "149.154.167.51", 443)
    session.save()
    session.close()
    assert path.stat().st_size > 0  # Telethon wrote its tables into our file
    assert session_mode(path) == 0o600


class LoginStandIn:
    """What TelegramClient.start does with the callbacks, writing a real SQLite session."""

    def __init__(self, session: str, api_id: int, api_hash: str) -> None:
        self.session = SQLiteSession(session)
        self.asked: list[str] = []
        LoginStandIn.last = self

    async def start(self, *, phone: Any, code_callback: Any, password: Any) -> None:
        self.asked += [phone(), code_callback(), password()]
        self.session.set_dc(2, "149.154.167.51", 443)
        self.session.save()

    async def get_me(self) -> types.User:
        return types.User(id=1, first_name="Sok", last_name="Dara", username="sokdara")

    async def disconnect(self) -> None:
        self.session.close()


def test_login_asks_phone_code_password_and_leaves_a_0600_session(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "data" / "telegram.session"
    who = asyncio.run(
        login_session(
            path, 12345, "hash", phone=lambda: "+85512345678", code=lambda: "12345",
            password=lambda: "two-step", client_factory=LoginStandIn,
        )
    )  # fmt: skip
    assert who == "Sok Dara (@sokdara)"
    assert LoginStandIn.last.asked == ["+85512345678", "12345", "two-step"]
    assert session_mode(path) == 0o600


def test_login_command_needs_api_id(tmp_path: Path) -> None:
    config = write_config(tmp_path, None, "")
    result = invoke(config, "telegram", "login")
    assert result.exit_code == 2
    assert "telegram.api_id" in result.output and len(result.output.strip().splitlines()) == 1


def test_login_command_needs_the_api_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLMON_TELEGRAM_API_HASH", raising=False)
    config = write_config(tmp_path, None, "[telegram]\napi_id = 12345\n")
    result = invoke(config, "telegram", "login")
    assert result.exit_code == 2
    assert "POLMON_TELEGRAM_API_HASH" in result.output
    assert not (tmp_path / "data" / "telegram.session").exists()


def test_a_session_snapshot_is_a_private_consistent_copy(tmp_path: Path) -> None:
    original = tmp_path / "telegram.session"
    session = SQLiteSession(str(original))
    session.set_dc(2, "149.154.167.51", 443)
    session.save()
    session.close()
    copy = snapshot_session(original, "downloads")
    assert copy == tmp_path / "telegram-downloads.session"
    assert session_mode(copy) == 0o600
    again = SQLiteSession(str(copy))
    assert (again.dc_id, again.server_address, again.port) == (2, "149.154.167.51", 443)
    again.close()
    remove_session(copy)
    assert not copy.exists() and original.is_file()
