"""A minimal stand-in for telethon's TelegramClient, answering with real telethon.tl.types.

It implements only what the backend calls (connect, is_user_authorized, disconnect,
iter_messages, get_messages and calling a request) and finishes messages the way the
real client does (`Message._finish_init` with the response's entities), so the mapping
under test sees exactly what it sees in production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
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
