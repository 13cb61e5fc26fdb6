"""Pure mapping of a channel post's comments (Telethon messages of its discussion group)."""

from __future__ import annotations

from typing import Any

from telethon.tl import types

from collectors.records import PostRecord, comment_post_id
from collectors.telegram.mapping import PUBLIC_BASE, channel_username, map_messages, post_url

DELETED_ACCOUNT = "Deleted Account"  # the name Telegram shows for a deleted user


def comment_url(channel: Any, parent_post_id: str, comment_id: int | str) -> str:
    """The public link of a comment: the channel post's link with `?comment=<id>`."""
    if channel_username(channel):
        return f"{post_url(channel, int(parent_post_id))}?comment={comment_id}"
    return f"{PUBLIC_BASE}/c/{channel.id}/{parent_post_id}?comment={comment_id}"


def author_of(message: Any) -> tuple[str | None, str | None, str | None]:
    """(public name, `user:<id>` or `channel:<id>`, username) of a comment's sender.

    A user shows as first and last name; a channel or group writing as itself (an anonymous
    admin, the channel) by its title; a sender Telegram did not include, by the post
    signature when there is one.
    """
    sender = getattr(message, "sender", None)
    peer = getattr(message, "from_id", None)
    if isinstance(sender, types.User):
        name = " ".join(p for p in (sender.first_name, sender.last_name) if p).strip()
        if not name:
            name = DELETED_ACCOUNT if sender.deleted else (sender.username or "")
        return name or None, f"user:{sender.id}", sender.username
    if isinstance(sender, types.Channel | types.Chat):
        username = getattr(sender, "username", None)
        return sender.title or None, f"channel:{sender.id}", username
    if isinstance(peer, types.PeerUser):
        return message.post_author or None, f"user:{peer.user_id}", None
    if isinstance(peer, types.PeerChannel):
        return message.post_author or None, f"channel:{peer.channel_id}", None
    return message.post_author or None, None, None


def map_comment(message: Any, channel: Any, parent_post_id: str) -> PostRecord:
    """One message of a post's discussion → a comment record under that post.

    Its text, kind, reactions and edits map as a channel post's do; its media are noted in
    `kind` and `raw` but never queued (comments' files are not downloaded); a reply to another
    comment keeps that comment's platform id in `reply_to_id`.
    """
    record = map_messages([message], channel)
    record.platform_post_id = comment_post_id(parent_post_id, message.id)
    record.url = comment_url(channel, parent_post_id, message.id)
    record.parent_post_id = parent_post_id
    record.media = []
    record.comments = None  # a comment's own replies are not a thread polmon reads
    record.views = None
    record.reply_to_id = None
    header = message.reply_to
    if (
        isinstance(header, types.MessageReplyHeader)
        and header.reply_to_top_id is not None  # an answer to another comment of the thread
        and header.reply_to_msg_id is not None
    ):
        record.reply_to_id = comment_post_id(parent_post_id, header.reply_to_msg_id)
    raw = dict(record.raw or {})
    raw.pop("reply_to", None)
    name, author_id, username = author_of(message)
    record.author_name, record.author_id = name, author_id
    if username:
        raw["author_username"] = username
    record.raw = raw or None
    return record
