"""Comment threads in real telethon.tl.types objects, and a stand-in client that serves them
(`iter_messages(channel, reply_to=<post id>)`, as Telethon's GetRepliesRequest iterator)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from telethon import errors, utils
from telethon.tl import types

from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.telethon_history import DUROV, FULL, at, history, message
from tests.support.telethon_standin import START, StandInClient

# The channel's linked discussion group: comments live there, under their own message ids.
DISCUSSION = types.Channel(
    id=1400000001, title="Durov chat", photo=types.ChatPhotoEmpty(), date=START,
    access_hash=9, username="durovchat", megagroup=True,
)  # fmt: skip
HOSTILE_NAME = HOSTILE_TEXTS[101][:64]  # `<script>…` as a user's first name
ANN = types.User(id=9001, first_name="Ann", last_name="Lee", username="annlee")
HOSTILE = types.User(id=9002, first_name=HOSTILE_NAME, last_name="\u202eevil")
GONE = types.User(id=9003, deleted=True)
USERS = [ANN, HOSTILE, GONE]
# The channel post with a thread, and the copy of it that heads the thread in the group.
THREAD_POST = 600
TOP_COPY = 70000


def reply(comment_id: int, hours: float, text: str, sender: Any, **fields: Any) -> types.Message:
    """One comment of THREAD_POST's thread, sent by a user (or, as itself, a channel)."""
    peer = (
        types.PeerUser(sender.id)
        if isinstance(sender, types.User)
        else types.PeerChannel(sender.id)
    )
    fields.setdefault(
        "reply_to", types.MessageReplyHeader(reply_to_msg_id=TOP_COPY, reply_to_top_id=None)
    )
    return types.Message(
        id=comment_id, peer_id=types.PeerChannel(DISCUSSION.id), date=at(hours), message=text,
        from_id=peer, **fields,
    )  # fmt: skip


def thread() -> list[types.Message]:
    """Five comments, newest last: a plain one, a hostile author, an answer to a comment, one
    by a deleted account, one by the channel itself."""
    answer = types.MessageReplyHeader(reply_to_msg_id=70001, reply_to_top_id=TOP_COPY)
    return [
        reply(70001, 41, "first! ставка на войну", ANN),
        reply(70002, 42, HOSTILE_TEXTS[102], HOSTILE),
        reply(70003, 43, "answering Ann", HOSTILE, reply_to=answer),
        reply(70004, 44, "gone now", GONE),
        reply(70005, 45, "thanks all", DUROV),
    ]


def commented_history() -> list[Any]:
    """The channel history with THREAD_POST added: a post whose replies say 5 comments."""
    replies = types.MessageReplies(
        replies=5, replies_pts=1, comments=True, channel_id=DISCUSSION.id, max_id=70005
    )
    return [*history(), message(THREAD_POST, 40, "a post people answer", replies=replies)]


class CommentingClient(StandInClient):
    """The stand-in client, also serving each post's replies from its discussion group."""

    def __init__(self, threads: dict[int, list[types.Message]] | None = None, **kw: Any) -> None:
        super().__init__(DUROV, FULL, commented_history(), chats=[DISCUSSION], **kw)
        self.threads = {THREAD_POST: thread()} if threads is None else threads
        self.reply_reads: list[dict[str, Any]] = []
        self.flood_in_thread: dict[int, int] = {}  # comment id -> seconds, raised once
        self.thread_errors: dict[int, Exception] = {}  # post id -> what reading it raises

    def _entities(self) -> dict[int, Any]:
        return {**super()._entities(), **{utils.get_peer_id(u): u for u in USERS}}

    def iter_messages(self, entity: Any, **kwargs: Any) -> AsyncIterator[Any]:
        reply_to = kwargs.pop("reply_to", None)
        if reply_to is None:
            return super().iter_messages(entity, **kwargs)
        return self._replies(entity, reply_to, **kwargs)

    async def _replies(
        self, entity: Any, reply_to: int, *, limit: int | None = None, offset_id: int = 0
    ) -> AsyncIterator[Any]:
        assert isinstance(entity, types.InputPeerChannel) and entity.channel_id == DUROV.id
        self.reply_reads.append({"post": reply_to, "limit": limit, "offset_id": offset_id})
        if reply_to in self.thread_errors:
            raise self.thread_errors[reply_to]
        if reply_to not in self.threads:
            raise errors.MsgIdInvalidError(request=None)
        served = 0
        for comment in sorted(self.threads[reply_to], key=lambda m: m.id, reverse=True):
            if offset_id and comment.id >= offset_id:
                continue
            if limit is not None and served >= limit:
                return
            if comment.id in self.flood_in_thread:
                raise errors.FloodWaitError(
                    request=None, capture=self.flood_in_thread.pop(comment.id)
                )
            comment._finish_init(self, self._entities(), None)
            served += 1
            yield comment
