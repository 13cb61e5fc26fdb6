"""Pure mapping of Telethon's `telethon.tl.types` objects to polmon's records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from telethon.extensions import html as telethon_html
from telethon.tl import types

from collectors.records import AccountProfile, MediaItem, PostRecord

PUBLIC_BASE = "https://t.me"
_SERVICE_TEXT: dict[type, str] = {
    types.MessageActionPinMessage: "pinned a message",
    types.MessageActionChannelCreate: "created the channel",
    types.MessageActionChatEditPhoto: "changed the channel photo",
    types.MessageActionChatDeletePhoto: "removed the channel photo",
    types.MessageActionGroupCall: "video chat",
    types.MessageActionGroupCallScheduled: "video chat scheduled",
}


def post_url(channel: Any, message_id: int) -> str:
    """The public link of a message: t.me/<username>/<id>, else t.me/c/<id>/<id>."""
    username = channel_username(channel)
    if username:
        return f"{PUBLIC_BASE}/{username}/{message_id}"
    return f"{PUBLIC_BASE}/c/{channel.id}/{message_id}"


def channel_username(channel: Any) -> str | None:
    """The channel's public username (its first active one when it has several)."""
    if getattr(channel, "username", None):
        return str(channel.username)
    for item in getattr(channel, "usernames", None) or []:
        if getattr(item, "active", False):
            return str(item.username)
    return None


def map_channel(channel: types.Channel, full: types.ChannelFull | None) -> AccountProfile:
    """A channel and its full info (GetFullChannelRequest) → profile with the exact count."""
    username = channel_username(channel)
    count = getattr(full, "participants_count", None) or channel.participants_count
    has_photo = isinstance(channel.photo, types.ChatPhoto)
    return AccountProfile(
        platform_id=str(channel.id),
        handle=username,
        url=f"{PUBLIC_BASE}/{username}" if username else None,
        display_name=channel.title,
        description=(full.about or None) if full is not None else None,
        avatar_url=f"{PUBLIC_BASE}/i/userpic/320/{username}.jpg"
        if username and has_photo
        else None,
        followers=count,
        is_approximate=False,
        raw={
            "source": "telethon",
            "verified": bool(channel.verified),
            "scam": bool(channel.scam),
            "fake": bool(channel.fake),
            "megagroup": bool(channel.megagroup),
            "linked_chat_id": getattr(full, "linked_chat_id", None),
        },
    )


def reaction_key(reaction: Any) -> str | None:
    """`👍` for an emoji, `custom:<id>` for a custom emoji, `paid` for star reactions."""
    if isinstance(reaction, types.ReactionEmoji):
        return str(reaction.emoticon)
    if isinstance(reaction, types.ReactionCustomEmoji):
        return f"custom:{reaction.document_id}"
    if isinstance(reaction, types.ReactionPaid):
        return "paid"
    return None


def map_reactions(reactions: types.MessageReactions | None) -> dict[str, int] | None:
    if reactions is None:
        return None
    counts: dict[str, int] = {}
    for result in reactions.results or []:
        key = reaction_key(result.reaction)
        if key is not None:
            counts[key] = counts.get(key, 0) + int(result.count)
    return counts or None


def media_item(
    message: Any, position: int, url: str
) -> tuple[str, MediaItem | None, dict[str, Any]]:
    """(post kind, the media reference or None, raw details) of one message's media.

    Media are not downloaded here: `source_url` is the post's t.me link, which the
    download stage resolves.
    """
    media = message.media
    if isinstance(media, types.MessageMediaPhoto):
        return "photo", MediaItem(kind="photo", source_url=url, position=position), {}
    if isinstance(media, types.MessageMediaDocument) and isinstance(media.document, types.Document):
        return _document_item(media, media.document, position, url)
    if isinstance(media, types.MessageMediaPoll):
        return "poll", None, {"poll": _poll(media)}
    if isinstance(media, types.MessageMediaWebPage) and isinstance(media.webpage, types.WebPage):
        page = media.webpage
        preview = {"url": page.url, "site_name": page.site_name, "title": page.title,
                   "description": page.description}  # fmt: skip
        return "text", None, {"link_preview": {k: v for k, v in preview.items() if v}}
    if media is None:
        return "text", None, {}
    return "other", None, {"media": type(media).__name__}


def _document_item(
    media: types.MessageMediaDocument, document: types.Document, position: int, url: str
) -> tuple[str, MediaItem | None, dict[str, Any]]:
    attributes = {type(a): a for a in document.attributes}
    item = MediaItem(
        kind="document",
        source_url=url,
        position=position,
        mime_type=document.mime_type or None,
        size_bytes=document.size,
    )
    raw: dict[str, Any] = {}
    if types.DocumentAttributeSticker in attributes:
        return "sticker", None, {"sticker": attributes[types.DocumentAttributeSticker].alt}
    video = attributes.get(types.DocumentAttributeVideo)
    audio = attributes.get(types.DocumentAttributeAudio)
    if types.DocumentAttributeAnimated in attributes:
        item.kind = "other"
        raw["animation"] = True
    elif video is not None:
        item.kind = "round_video" if video.round_message or media.round else "video"
        item.duration_seconds = float(video.duration)
    elif audio is not None:
        item.kind = "voice" if audio.voice or media.voice else "audio"
        item.duration_seconds = float(audio.duration)
        if audio.title or audio.performer:
            raw["audio"] = {"title": audio.title, "performer": audio.performer}
    name = attributes.get(types.DocumentAttributeFilename)
    if name is not None:
        raw["file_name"] = name.file_name
    kind = "video" if item.kind == "other" else item.kind
    return kind, item, raw


def _poll(media: types.MessageMediaPoll) -> dict[str, Any]:
    voters = {r.option: r.voters for r in (media.results.results or [])}
    return {
        "question": _text(media.poll.question),
        "options": [
            {"text": _text(answer.text), "voters": voters.get(answer.option)}
            for answer in media.poll.answers
        ],
        "voters": media.results.total_voters,
        "closed": bool(media.poll.closed),
    }


def _text(value: Any) -> str:
    return str(getattr(value, "text", value))


def map_messages(
    messages: Sequence[Any], channel: Any, chats: Mapping[int, Any] | None = None
) -> PostRecord:
    """One message, or the messages of one album (same grouped_id), → one PostRecord.

    An album becomes one post under its lowest id, as t.me shows it, with one MediaItem
    per message. `chats` maps channel ids to Channel objects for forwards' names.
    """
    ordered = sorted(messages, key=lambda m: m.id)
    first = ordered[0]
    captioned = next((m for m in ordered if getattr(m, "message", None)), first)
    url = post_url(channel, first.id)
    raw: dict[str, Any] = {}
    record = PostRecord(platform_post_id=str(first.id), published_at=first.date, url=url)
    if isinstance(first, types.MessageService):
        record.kind = "service"
        record.text = _service_text(first.action)
        raw["action"] = type(first.action).__name__
        record.raw = raw
        return record
    if captioned.message:
        record.text = captioned.message
        record.text_html = telethon_html.unparse(captioned.message, captioned.entities or [])
    kinds = []
    for message in ordered:
        kind, item, details = media_item(message, len(record.media), post_url(channel, message.id))
        kinds.append(kind)
        raw.update(details)
        if item is not None:
            record.media.append(item)
    record.kind = "album" if len(ordered) > 1 else kinds[0]
    views = [m.views for m in ordered if m.views is not None]
    record.views = max(views) if views else None
    record.shares = captioned.forwards if captioned.forwards is not None else first.forwards
    replies = captioned.replies or first.replies
    record.comments = replies.replies if replies is not None else None
    record.reactions = map_reactions(captioned.reactions or first.reactions)
    edits = [m.edit_date for m in ordered if m.edit_date and not m.edit_hide]
    record.is_edited = bool(edits)
    record.edited_at = max(edits) if edits else None
    if first.grouped_id is not None:
        record.grouped_id = str(first.grouped_id)
    if len(ordered) > 1:
        raw["album_ids"] = [str(m.id) for m in ordered]
    _reply(captioned, record, raw)
    _forward(captioned, record, chats or {})
    if captioned.post_author:
        raw["author"] = captioned.post_author
    if captioned.pinned:
        raw["pinned"] = True
    record.raw = raw or None
    return record


def _service_text(action: Any) -> str:
    if isinstance(action, types.MessageActionChatEditTitle):
        return f"changed the title to «{action.title}»"
    return _SERVICE_TEXT.get(type(action), type(action).__name__.removeprefix("MessageAction"))


def _reply(message: Any, record: PostRecord, raw: dict[str, Any]) -> None:
    header = message.reply_to
    if not isinstance(header, types.MessageReplyHeader) or header.reply_to_msg_id is None:
        return
    if header.reply_to_peer_id is None:
        record.reply_to_id = str(header.reply_to_msg_id)
    else:
        peer = header.reply_to_peer_id
        raw["reply_to"] = {"peer": type(peer).__name__, "id": header.reply_to_msg_id}


def _forward(message: Any, record: PostRecord, chats: Mapping[int, Any]) -> None:
    header = message.fwd_from
    if not isinstance(header, types.MessageFwdHeader):
        return
    source = header.from_id
    channel_id = source.channel_id if isinstance(source, types.PeerChannel) else None
    chat = chats.get(channel_id) if channel_id is not None else None
    if chat is None:  # Telethon's client resolves it from the response's entities
        chat = getattr(getattr(message, "forward", None), "chat", None)
    record.forwarded_from = header.from_name or getattr(chat, "title", None) or header.post_author
    if channel_id is None:
        return
    username = channel_username(chat) if chat is not None else None
    base = f"{PUBLIC_BASE}/{username}" if username else f"{PUBLIC_BASE}/c/{channel_id}"
    if header.channel_post:
        record.forwarded_from_url = f"{base}/{header.channel_post}"
    elif username:
        record.forwarded_from_url = base
    record.forwarded_from = record.forwarded_from or f"channel {channel_id}"
