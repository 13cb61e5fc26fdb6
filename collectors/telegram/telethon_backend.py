"""Telethon backend: channels through the Telegram API with a user session, behind a sync face."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from telethon import errors
from telethon.tl import functions, types

from collectors.errors import (
    AccountUnavailable,
    CollectorError,
    HandleReassigned,
    LoginRequired,
    RateLimited,
)
from collectors.records import (
    AccountProfile,
    AccountRef,
    CommentThread,
    PostRecord,
    RawCapture,
    SkippedItem,
    now_utc,
    utc,
)
from collectors.telegram.comments import map_comment
from collectors.telegram.identity import current_channel_name
from collectors.telegram.mapping import map_channel, map_messages
from collectors.telegram.session import session_file

if TYPE_CHECKING:
    from collectors.telegram.settings import TelegramSettings

log = logging.getLogger(__name__)
T = TypeVar("T")


def captured(record: PostRecord, messages: list[Any]) -> PostRecord:
    """`record` with its capture: the messages as Telethon's JSON (a list, an album's all)."""
    body = "[" + ",".join(message.to_json(ensure_ascii=False) for message in messages) + "]"
    record.capture = RawCapture(
        url=record.url or f"telegram:message:{record.platform_post_id}",
        fetched_at=now_utc(),
        content=body.encode(),
        kind="telethon",
        content_type="application/json",
    )
    return record


class TelegramClientLike(Protocol):
    """The few methods of `telethon.TelegramClient` this backend uses."""

    async def connect(self) -> None: ...
    async def disconnect(self) -> None: ...
    async def is_user_authorized(self) -> bool: ...
    def iter_messages(self, entity: Any, **kwargs: Any) -> AsyncIterator[Any]: ...
    async def get_messages(self, entity: Any, **kwargs: Any) -> Any: ...
    async def __call__(self, request: Any) -> Any: ...
    async def get_input_entity(self, peer: Any) -> Any: ...
    async def download_media(self, message: Any, file: Any = None, **kwargs: Any) -> Any: ...


ClientFactory = Callable[[], TelegramClientLike]


def telethon_client_factory(
    settings: TelegramSettings, *, session: Path | None = None
) -> ClientFactory:
    """A factory of real clients on the configured session (which must exist), or on
    `session`, a copy of it (`session.snapshot_session`)."""
    api_id = settings.section.api_id
    api_hash = settings.api_hash
    path = session or session_file(settings.session_path)
    if api_id is None:
        raise LoginRequired("telegram.api_id is not set: the telethon backend needs it")
    if api_hash is None:
        raise LoginRequired("no Telegram api hash: set POLMON_TELEGRAM_API_HASH")
    if not path.is_file():
        raise LoginRequired(f"no Telegram session at {path}: run `polmon telegram login` first")

    def factory() -> TelegramClientLike:
        from telethon import TelegramClient

        client = TelegramClient(str(path), api_id, api_hash)
        client.flood_sleep_threshold = 0  # flood waits come to us, capped by config
        return client

    return factory


class TelethonBackend:
    """Profiles via GetFullChannelRequest (exact count), posts via iter_messages.

    The client is async; every public method runs it to completion on this backend's own
    event loop, so the collector interface stays synchronous. Flood waits are slept out up
    to `flood_wait_cap_seconds` per call, then the account is deferred with RateLimited.
    """

    def __init__(
        self,
        client_factory: ClientFactory,
        *,
        flood_wait_cap_seconds: float = 300.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._factory = client_factory
        self.skipped: list[SkippedItem] = []  # typed messages: nothing to skip so far
        self.flood_wait_cap_seconds = flood_wait_cap_seconds
        self._sleep = sleep
        self._loop = asyncio.new_event_loop()
        self._client: TelegramClientLike | None = None
        self._channels: dict[str, types.Channel] = {}
        self._waited = 0.0

    @classmethod
    def from_settings(cls, settings: TelegramSettings) -> TelethonBackend:
        return cls(
            telethon_client_factory(settings),
            flood_wait_cap_seconds=settings.section.flood_wait_cap_seconds,
        )

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        self._waited = 0.0
        return self._loop.run_until_complete(coroutine)

    # -- the collector's calls ---------------------------------------------------------
    def fetch_profile(self, account: AccountRef) -> AccountProfile:
        return self._run(self._profile(account))

    def list_posts(self, account: AccountRef, since: datetime, limit: int) -> Iterator[PostRecord]:
        records = self._list(account, utc(since), limit)
        self._waited = 0.0  # the flood-wait budget covers the whole listing
        try:
            while True:
                try:
                    record = self._loop.run_until_complete(records.__anext__())
                except StopAsyncIteration:
                    return
                yield record
        finally:
            self._loop.run_until_complete(records.aclose())

    def fetch_posts(self, account: AccountRef, ids: list[str]) -> dict[str, PostRecord | None]:
        """Re-read posts by id; None for deleted ones (get_messages returns None for them)."""
        return self._run(self._fetch(account, ids))

    # -- comments (a post's replies in the channel's discussion group) ---------------------
    counts_comments = True  # every listed post says how many comments it has

    def fetch_comments(self, account: AccountRef, post_id: str, limit: int) -> CommentThread:
        """The newest `limit` comments of one post (none when it has no discussion)."""
        return self._run(self._comments(account, post_id, limit))

    async def _comments(self, account: AccountRef, post_id: str, limit: int) -> CommentThread:
        channel = await self._resolve(account)
        entity = types.InputPeerChannel(channel.id, channel.access_hash or 0)
        client = await self._connected()
        thread = CommentThread(post_id)
        offset_id, read = 0, 0
        while read < limit:
            try:
                replies = client.iter_messages(
                    entity, reply_to=int(post_id), limit=limit - read, offset_id=offset_id
                )
                async for message in replies:
                    offset_id, read = message.id, read + 1
                    if not isinstance(message, types.MessageService | types.MessageEmpty):
                        thread.comments.append(map_comment(message, channel, post_id))
                total = getattr(replies, "total", None)
                break
            except errors.FloodWaitError as exc:  # resumes after the last comment read
                await self._flood_wait(exc)
            except errors.MsgIdInvalidError:  # no discussion (or the post is gone)
                return CommentThread(post_id, total=0)
            except errors.RPCError as exc:  # e.g. a discussion group that became private
                raise CollectorError(
                    f"telegram: the comments of post {post_id} cannot be read ({exc})",
                    expected=True,
                ) from None
        else:
            total = None
        thread.total = total if isinstance(total, int) else None
        thread.complete = read < limit or (thread.total is not None and thread.total <= read)
        return thread

    def close(self) -> None:
        if self._loop.is_closed():
            return
        if self._client is not None:
            self._loop.run_until_complete(self._client.disconnect())
            self._client = None
        self._loop.close()

    # -- async implementation ----------------------------------------------------------
    async def _connected(self) -> TelegramClientLike:
        if self._client is None:
            client = self._factory()
            await client.connect()
            if not await client.is_user_authorized():
                await client.disconnect()
                raise LoginRequired(
                    "the Telegram session is not logged in: run `polmon telegram login`"
                )
            self._client = client
        return self._client

    async def _flood_wait(self, exc: errors.FloodWaitError) -> None:
        seconds = float(exc.seconds)
        if self._waited + seconds > self.flood_wait_cap_seconds:
            raise RateLimited(
                f"telegram asks to wait {seconds:.0f}s (flood wait), beyond "
                f"flood_wait_cap_seconds={self.flood_wait_cap_seconds:g}; account deferred to "
                "the next pass",
                retry_after=seconds,
            ) from None
        self._waited += seconds
        log.info("telegram flood wait: sleeping %.0fs", seconds)
        await self._sleep(seconds)

    async def _call(self, request: Any) -> Any:
        client = await self._connected()
        while True:
            try:
                return await client(request)
            except errors.FloodWaitError as exc:
                await self._flood_wait(exc)

    async def _resolve(self, account: AccountRef) -> types.Channel:
        name = current_channel_name(account)
        if name.lower() in self._channels:
            return self._channels[name.lower()]
        followed = await self._followed(account.platform_id)
        if followed is not None:  # by id: a renamed channel is still this account's
            self._channels[name.lower()] = followed
            return followed
        try:
            resolved = await self._call(functions.contacts.ResolveUsernameRequest(username=name))
        except (errors.UsernameNotOccupiedError, errors.UsernameInvalidError):
            raise AccountUnavailable(
                f"telegram: @{name} no longer exists (deleted, renamed or made private)",
                status="unavailable",
            ) from None
        except errors.ChannelPrivateError:
            raise AccountUnavailable(f"telegram: @{name} is private", status="private") from None
        peer = resolved.peer
        chat = next(
            (
                c
                for c in resolved.chats
                if isinstance(peer, types.PeerChannel) and c.id == peer.channel_id
            ),
            None,
        )
        if isinstance(chat, types.ChannelForbidden):
            raise AccountUnavailable(f"telegram: @{name} is private or banned", status="private")
        if not isinstance(chat, types.Channel):
            raise AccountUnavailable(
                f"telegram: @{name} is a user or bot, not a channel", status="unavailable"
            )
        if account.platform_id and str(chat.id) != account.platform_id:
            raise HandleReassigned("telegram", name, account.platform_id, str(chat.id))
        self._channels[name.lower()] = chat
        return chat

    async def _followed(self, channel_id: str | None) -> types.Channel | None:
        """The channel with this id, whatever its username is now, when the session knows its
        access hash (Telethon keeps those of the entities it has seen); None when it does not."""
        if not channel_id or not channel_id.isdigit():
            return None
        client = await self._connected()
        try:
            peer = await client.get_input_entity(types.PeerChannel(int(channel_id)))
        except (ValueError, TypeError):  # not in the session's entity cache
            return None
        if not isinstance(peer, types.InputPeerChannel):
            return None
        request = functions.channels.GetChannelsRequest(
            id=[types.InputChannel(peer.channel_id, peer.access_hash)]
        )
        try:
            result = await self._call(request)
        except errors.ChannelPrivateError:
            raise AccountUnavailable(
                f"telegram: channel {channel_id} is private", status="private"
            ) from None
        chat = next((c for c in result.chats if c.id == peer.channel_id), None)
        if isinstance(chat, types.ChannelForbidden):
            raise AccountUnavailable(
                f"telegram: channel {channel_id} is private or banned", status="private"
            )
        return chat if isinstance(chat, types.Channel) else None

    async def _profile(self, account: AccountRef) -> AccountProfile:
        channel = await self._resolve(account)
        request = functions.channels.GetFullChannelRequest(
            channel=types.InputChannel(channel.id, channel.access_hash or 0)
        )
        try:
            full = await self._call(request)
        except errors.ChannelPrivateError:
            raise AccountUnavailable(
                f"telegram: @{current_channel_name(account)} is private", status="private"
            ) from None
        return map_channel(channel, full.full_chat)

    async def _list(
        self, account: AccountRef, since: datetime, limit: int
    ) -> AsyncGenerator[PostRecord, None]:
        channel = await self._resolve(account)
        entity = types.InputPeerChannel(channel.id, channel.access_hash or 0)
        min_id = int(account.cursor.get("min_id", 0) or 0)
        count = 0
        if limit <= 0:
            return
        async for group in self._groups(entity, min_id):
            if max(m.date for m in group) < since:
                return
            yield captured(map_messages(group, channel), group)
            count += 1
            if count >= limit:
                return

    async def _groups(self, entity: Any, min_id: int) -> AsyncIterator[list[Any]]:
        """Messages newest first, an album's messages together; resumes after a flood wait."""
        client = await self._connected()
        offset_id = 0
        pending: list[Any] = []
        while True:
            try:
                async for message in client.iter_messages(
                    entity, offset_id=offset_id, min_id=min_id
                ):
                    offset_id = message.id
                    grouped_id = getattr(message, "grouped_id", None)
                    if pending and grouped_id != pending[0].grouped_id:
                        yield pending
                        pending = []
                    if grouped_id is None:
                        yield [message]
                    else:
                        pending.append(message)
                break
            except errors.FloodWaitError as exc:
                await self._flood_wait(exc)
        if pending:
            yield pending

    async def _fetch(self, account: AccountRef, ids: list[str]) -> dict[str, PostRecord | None]:
        channel = await self._resolve(account)
        entity = types.InputPeerChannel(channel.id, channel.access_hash or 0)
        client = await self._connected()
        wanted = [int(i) for i in ids]
        while True:
            try:
                messages = await client.get_messages(entity, ids=wanted)
                break
            except errors.FloodWaitError as exc:
                await self._flood_wait(exc)
        found: dict[str, PostRecord | None] = {}
        for post_id, message in zip(wanted, messages, strict=True):
            gone = message is None or isinstance(message, types.MessageEmpty)
            if gone:
                found[str(post_id)] = None
            else:
                found[str(post_id)] = captured(map_messages([message], channel), [message])
        return found
