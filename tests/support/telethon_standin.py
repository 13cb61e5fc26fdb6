"""A minimal stand-in for telethon's TelegramClient, answering with real telethon.tl.types.

It implements only what the backend calls (connect, is_user_authorized, disconnect,
iter_messages, get_messages, get_input_entity, download_media and calling a request) and
finishes messages the way the real client does (`Message._finish_init` with the response's
entities), so the mapping under test sees exactly what it sees in production.

`files` maps a message id to a file whose real bytes `download_media` writes (with the
extension Telethon would add); `session_ids` are the channel ids the session's entity cache
knows (by default every chat it serves), which is how the real client finds a channel by id
after it was renamed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telethon import errors, utils
from telethon._updates import EntityCache
from telethon.tl import functions, types

START = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


class StandInClient:
    """One channel's history and full info; faults are queued flood waits."""

    def __init__(
        self,
        channel: types.Channel,
        full: types.ChannelFull,
        messages: list[Any],
        *,
        chats: list[types.Channel] | None = None,
        authorized: bool = True,
    ) -> None:
        self.channel, self.full = channel, full
        self.messages = {m.id: m for m in messages}
        self.chats = [channel, *(chats or [])]
        self.authorized = authorized
        self.connected = False
        self.requests: list[Any] = []
        self.iterations: list[dict[str, Any]] = []
        self.flood_on_call: list[int] = []  # seconds, one per next __call__
        self.flood_in_listing: dict[int, int] = {}  # message id -> seconds, raised once
        self._self_id = 777
        self._mb_entity_cache = EntityCache()
        self.files: dict[int, Path] = {}
        self.session_ids: set[int] | None = None  # None: every chat served
        self.downloads: list[int] = []

    async def connect(self) -> None:
        self.connected = True

    async def disconnect(self) -> None:
        self.connected = False

    async def is_user_authorized(self) -> bool:
        return self.authorized

    def _entities(self) -> dict[int, Any]:
        return {utils.get_peer_id(chat): chat for chat in self.chats}

    async def __call__(self, request: Any) -> Any:
        self.requests.append(request)
        if self.flood_on_call:
            raise errors.FloodWaitError(request=request, capture=self.flood_on_call.pop(0))
        if isinstance(request, functions.contacts.ResolveUsernameRequest):
            if request.username.lower() != (self.channel.username or "").lower():
                raise errors.UsernameNotOccupiedError(request=request)
            return types.contacts.ResolvedPeer(
                peer=types.PeerChannel(self.channel.id), chats=self.chats, users=[]
            )
        if isinstance(request, functions.channels.GetFullChannelRequest):
            assert request.channel.channel_id == self.channel.id
            return types.messages.ChatFull(full_chat=self.full, chats=self.chats, users=[])
        if isinstance(request, functions.channels.GetChannelsRequest):
            return self._channels(request)
        raise AssertionError(f"unexpected request {type(request).__name__}")

    async def iter_messages(
        self, entity: Any, *, offset_id: int = 0, min_id: int = 0, **kwargs: Any
    ) -> AsyncIterator[Any]:
        assert isinstance(entity, types.InputPeerChannel) and entity.channel_id == self.channel.id
        self.iterations.append({"offset_id": offset_id, "min_id": min_id, **kwargs})
        for message_id in sorted(self.messages, reverse=True):
            if offset_id and message_id >= offset_id:
                continue
            if message_id <= min_id:
                return
            if message_id in self.flood_in_listing:
                raise errors.FloodWaitError(
                    request=None, capture=self.flood_in_listing.pop(message_id)
                )
            message = self.messages[message_id]
            message._finish_init(self, self._entities(), entity)
            yield message

    async def get_messages(self, entity: Any, *, ids: list[int]) -> list[Any]:
        found = []
        for message_id in ids:
            message = self.messages.get(message_id)
            if message is not None:
                message._finish_init(self, self._entities(), entity)
            found.append(message)
        return found

    # -- by id and media (renames, downloads) -----------------------------------------
    def _known(self) -> dict[int, types.Channel]:
        known = {chat.id: chat for chat in self.chats}
        if self.session_ids is not None:
            known = {i: chat for i, chat in known.items() if i in self.session_ids}
        return known

    async def get_input_entity(self, peer: Any) -> Any:
        """The session's entity cache: an input peer for a channel it has seen, else
        ValueError (as Telethon raises)."""
        channel_id = peer.channel_id if isinstance(peer, types.PeerChannel) else None
        chat = self._known().get(channel_id) if channel_id is not None else None
        if chat is None:
            raise ValueError(f"Could not find the input entity for {peer!r}")
        return types.InputPeerChannel(chat.id, chat.access_hash or 0)

    def _channels(self, request: functions.channels.GetChannelsRequest) -> Any:
        chats = []
        for wanted in request.id:
            chat = next((c for c in self.chats if c.id == wanted.channel_id), None)
            assert chat is not None and wanted.access_hash == chat.access_hash
            chats.append(chat)
        return types.messages.Chats(chats=chats)

    async def download_media(
        self,
        message: Any,
        file: Any = None,
        *,
        progress_callback: Callable[[int, int], Any] | None = None,
        **kwargs: Any,
    ) -> str | None:
        """Write the message's file (`files`) to `file` in chunks, reporting progress against
        the size the document announces (as Telethon does), else the bytes served."""
        source = self.files.get(message.id)
        if source is None or message.media is None:
            return None
        self.downloads.append(message.id)
        target = Path(str(file))
        if not target.suffix:
            target = target.with_name(target.name + utils.get_extension(message.media))
        content = source.read_bytes()
        document = getattr(message.media, "document", None)
        total = getattr(document, "size", None) or len(content)
        chunk = 4096
        with open(target, "wb") as out:
            for start in range(0, len(content), chunk):
                out.write(content[start : start + chunk])
                if progress_callback is not None:
                    progress_callback(min(start + chunk, len(content)), total)
        return str(target)
