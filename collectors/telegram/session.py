"""The Telethon session file: created mode 0600 and filled by an interactive login."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

SESSION_MODE = 0o600
Prompt = Callable[[], str]


def session_file(session_path: Path) -> Path:
    """The file Telethon keeps a session in: `<path>.session` unless the path ends so."""
    if session_path.name.endswith(".session"):
        return session_path
    return session_path.with_name(session_path.name + ".session")


def prepare_session_file(path: Path) -> Path:
    """Create `path` (and its folder) readable by the owner only, or tighten an existing one.

    Creating the file before Telethon opens it means SQLite never writes the session into a
    file other users can read.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, SESSION_MODE)
    os.close(descriptor)
    secure_session_file(path)
    return path


def secure_session_file(path: Path) -> None:
    """Mode 0600 on the session and on any SQLite side file next to it."""
    for candidate in (path, *path.parent.glob(path.name + "-*")):
        if candidate.is_file() and stat.S_IMODE(candidate.stat().st_mode) != SESSION_MODE:
            candidate.chmod(SESSION_MODE)


def snapshot_session(path: Path, suffix: str) -> Path:
    """A consistent copy of the session `path` beside it (`<name>-<suffix>.session`, mode 0600):
    the same login and cached entities for a second client in the same process, which then
    never waits on the first one's SQLite locks. Remove it with `remove_session`."""
    copy = path.with_name(f"{path.name.removesuffix('.session')}-{suffix}.session")
    remove_session(copy)
    prepare_session_file(copy)
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    secure_session_file(copy)
    return copy


def remove_session(path: Path) -> None:
    """Delete a session file and its SQLite side files (`-journal`, `-wal`…)."""
    for candidate in (path, *path.parent.glob(path.name + "-*")):
        candidate.unlink(missing_ok=True)


def session_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def login_session(
    path: Path,
    api_id: int,
    api_hash: str,
    *,
    phone: Prompt,
    code: Prompt,
    password: Prompt,
    client_factory: Callable[[str, int, str], Any] | None = None,
) -> str:
    """Log in interactively (phone, code, 2FA password when set); returns who logged in."""
    if client_factory is None:
        from telethon import TelegramClient

        client_factory = TelegramClient
    prepare_session_file(path)
    client = client_factory(str(path), api_id, api_hash)
    try:
        await client.start(phone=phone, code_callback=code, password=password)
        me = await client.get_me()
    finally:
        await client.disconnect()
        secure_session_file(path)
    name = " ".join(
        p for p in (getattr(me, "first_name", None), getattr(me, "last_name", None)) if p
    )
    username = getattr(me, "username", None)
    return f"{name} (@{username})" if username else name or "this account"
