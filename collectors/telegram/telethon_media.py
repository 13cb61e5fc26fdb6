"""Telegram media through Telethon: one message's file, downloaded by the logged-in client.

The web preview shows a large video only as a link, and yt-dlp cannot fetch it from there;
with a Telethon session the download stage fetches such files (and every Telegram file that
has no direct URL) here. The channel is found by its id when the session knows it, so a
renamed channel's old links still lead to its files.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telethon import errors
from telethon.tl import functions, types

from collectors.errors import AccountUnavailable, ItemUnavailable
from collectors.telegram.identity import MessageLink
from collectors.telegram.session import remove_session, session_file, snapshot_session
from collectors.telegram.telethon_backend import TelethonBackend, telethon_client_factory

if TYPE_CHECKING:
    from collectors.telegram.settings import TelegramSettings

# (bytes received, bytes in all), as Telethon's progress callback gives them.
Progress = Callable[[int, int], None]


class TelethonMedia:
    """Downloads messages' media with the Telethon backend's client, one at a time (the
    client and its event loop are shared by the download stage's threads)."""

    def __init__(self, backend: TelethonBackend, *, session_copy: Path | None = None) -> None:
        self.backend = backend
        self._lock = threading.Lock()
        self._session_copy = session_copy  # removed on close

    @classmethod
    def from_settings(cls, settings: TelegramSettings) -> TelethonMedia:
        """On a copy of the session (the collector may hold the file at the same time in
        `polmon run`; two clients on one SQLite session file wait on each other's locks)."""
        original = session_file(settings.session_path)
        copy = snapshot_session(original, "downloads") if original.is_file() else None
        factory = telethon_client_factory(settings, session=copy)
        backend = TelethonBackend(
            factory, flood_wait_cap_seconds=settings.section.flood_wait_cap_seconds
        )
        return cls(backend, session_copy=copy)

    def download(
        self,
        link: MessageLink,
        target: Path,
        *,
        channel_id: str | None = None,
        on_progress: Progress | None = None,
    ) -> Path:
        """Save the media of the message `link` names to `target` (Telethon adds the file's
        extension when `target` has none) and return the file's path.

        `channel_id`: the channel's id as stored, tried before the link's username (which a
        rename may have changed). ItemUnavailable when the message or its media is gone.
        """
        with self._lock:
            return self.backend._run(self._download(link, target, channel_id, on_progress))

    def close(self) -> None:
        with self._lock:
            self.backend.close()
            if self._session_copy is not None:
                remove_session(self._session_copy)
                self._session_copy = None

    async def _download(
        self,
        link: MessageLink,
        target: Path,
        channel_id: str | None,
        on_progress: Progress | None,
    ) -> Path:
        entity = await self._entity(link, channel_id)
        client = await self.backend._connected()
        while True:
            try:
                found = await client.get_messages(entity, ids=[link.message_id])
                break
            except errors.FloodWaitError as exc:
                await self.backend._flood_wait(exc)
        message = found[0] if found else None
        where = f"telegram message {link.message_id} of channel {_label(link, channel_id)}"
        if message is None or isinstance(message, types.MessageEmpty):
            raise ItemUnavailable(f"{where} is gone (deleted)")
        if getattr(message, "media", None) is None:
            raise ItemUnavailable(f"{where} has no media any more")
        while True:
            try:
                saved = await client.download_media(
                    message, file=str(target), progress_callback=on_progress
                )
                break
            except errors.FloodWaitError as exc:
                await self.backend._flood_wait(exc)
        if not saved:
            raise ItemUnavailable(f"{where}: Telethon saved no file")
        return Path(str(saved))

    async def _entity(self, link: MessageLink, channel_id: str | None) -> Any:
        """The channel as an input peer: by the stored id or the link's, else by username."""
        for candidate in (channel_id, link.channel_id):
            channel = await self.backend._followed(candidate)
            if channel is not None:
                return types.InputPeerChannel(channel.id, channel.access_hash or 0)
        if link.username is None:
            raise AccountUnavailable(
                f"telegram: channel {_label(link, channel_id)} is not known to this session"
            )
        try:
            resolved = await self.backend._call(
                functions.contacts.ResolveUsernameRequest(username=link.username)
            )
        except (errors.UsernameNotOccupiedError, errors.UsernameInvalidError):
            raise AccountUnavailable(f"telegram: @{link.username} no longer exists") from None
        chat = next((c for c in resolved.chats if isinstance(c, types.Channel)), None)
        if chat is None:
            raise AccountUnavailable(f"telegram: @{link.username} is not a readable channel")
        if channel_id and str(chat.id) != channel_id:
            raise AccountUnavailable(
                f"telegram: @{link.username} now belongs to another channel (id {chat.id}, "
                f"the post's channel is {channel_id})"
            )
        return types.InputPeerChannel(chat.id, chat.access_hash or 0)


def _label(link: MessageLink, channel_id: str | None) -> str:
    return f"@{link.username}" if link.username else str(channel_id or link.channel_id)
