"""A channel history in real telethon.tl.types objects: every kind of post the backend maps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telethon.tl import types

from collectors.records import AccountRef
from tests.support.hostile_texts import HOSTILE_TEXTS
from tests.support.telethon_standin import START

DUROV = types.Channel(
    id=1006503122, title="Pavel Durov", photo=types.ChatPhoto(photo_id=1, dc_id=2), date=START,
    access_hash=42, username="durov", broadcast=True, verified=True,
)  # fmt: skip
MEDUZA = types.Channel(
    id=1036240821, title="Медуза — LIVE", photo=types.ChatPhotoEmpty(), date=START,
    access_hash=7, username="meduzalive", broadcast=True,
)  # fmt: skip
FULL = types.ChannelFull(
    id=DUROV.id, about="Founder of Telegram.", read_inbox_max_id=0, read_outbox_max_id=0,
    unread_count=0, chat_photo=types.PhotoEmpty(id=0), notify_settings=types.PeerNotifySettings(),
    bot_info=[], pts=1, participants_count=10_612_280,
)  # fmt: skip
ACCOUNT = AccountRef(platform="telegram", handle="durov")


def at(hours: float) -> Any:
    return START + timedelta(hours=hours)


def message(message_id: int, hours: float, text: str = "", **fields: Any) -> types.Message:
    fields.setdefault("views", 1000)
    return types.Message(
        id=message_id, peer_id=types.PeerChannel(DUROV.id), date=at(hours), message=text,
        post=True, **fields,
    )  # fmt: skip


def document(mime: str, *attributes: Any, size: int = 1_000_000) -> types.Document:
    return types.Document(
        id=1, access_hash=1, file_reference=b"", date=START, mime_type=mime, size=size, dc_id=2,
        attributes=list(attributes),
    )  # fmt: skip


def photo() -> types.MessageMediaPhoto:
    size = types.PhotoSize(type="x", w=800, h=600, size=50_000)
    return types.MessageMediaPhoto(
        photo=types.Photo(
            id=5, access_hash=5, file_reference=b"", date=START, sizes=[size], dc_id=2
        )
    )


def text_with(text: str) -> types.TextWithEntities:
    return types.TextWithEntities(text=text, entities=[])


def history() -> list[Any]:
    album = 13579
    return [
        message(
            510,
            30,
            "Bold news and a link",
            views=1_234_567,
            forwards=321,
            entities=[
                types.MessageEntityBold(0, 4),
                types.MessageEntityTextUrl(14, 6, "https://example.org/?a=1&b=2"),
            ],
            replies=types.MessageReplies(replies=45, replies_pts=1, comments=True),
            reactions=types.MessageReactions(
                results=[
                    types.ReactionCount(types.ReactionEmoji("👍"), 1000),
                    types.ReactionCount(types.ReactionCustomEmoji(5265077361648368841), 50),
                    types.ReactionCount(types.ReactionPaid(), 7),
                ]
            ),
            edit_date=at(31),
            post_author="Pavel Durov",
        ),
        message(
            509,
            29,
            "a clip",
            media=types.MessageMediaDocument(
                video=True,
                document=document(
                    "video/mp4",
                    types.DocumentAttributeVideo(duration=12.5, w=1280, h=720),
                    types.DocumentAttributeFilename("clip.mp4"),
                    size=10_000_000,
                ),
            ),
        ),
        message(
            508,
            28,
            media=types.MessageMediaDocument(
                round=True,
                document=document(
                    "video/mp4",
                    types.DocumentAttributeVideo(duration=15, w=384, h=384, round_message=True),
                ),
            ),
        ),
        message(
            507,
            27,
            media=types.MessageMediaDocument(
                voice=True,
                document=document(
                    "audio/ogg", types.DocumentAttributeAudio(duration=7, voice=True)
                ),
            ),
        ),
        message(506, 26, grouped_id=album, views=900, media=photo()),
        message(
            505,
            26,
            grouped_id=album,
            views=905,
            media=types.MessageMediaDocument(
                video=True,
                document=document("video/mp4", types.DocumentAttributeVideo(duration=3, w=1, h=1)),
            ),
        ),
        message(504, 26, "album caption", grouped_id=album, views=910, media=photo(), forwards=4),
        message(
            503,
            25,
            "forwarded",
            fwd_from=types.MessageFwdHeader(
                date=at(1), from_id=types.PeerChannel(MEDUZA.id), channel_post=141878
            ),
        ),
        message(502, 24, "a reply", reply_to=types.MessageReplyHeader(reply_to_msg_id=500)),
        types.MessageService(
            id=501,
            peer_id=types.PeerChannel(DUROV.id),
            date=at(23),
            post=True,
            action=types.MessageActionPinMessage(),
        ),
        message(
            500,
            22,
            media=types.MessageMediaPoll(
                poll=types.Poll(
                    id=1,
                    question=text_with("Who should lead?"),
                    hash=0,
                    answers=[
                        types.PollAnswer(text_with("Yes"), b"0"),
                        types.PollAnswer(text_with("No <never>"), b"1"),
                    ],
                ),
                results=types.PollResults(
                    total_voters=15,
                    results=[
                        types.PollAnswerVoters(b"0", voters=10),
                        types.PollAnswerVoters(b"1", voters=5),
                    ],
                ),
            ),
        ),
        message(499, 21, HOSTILE_TEXTS[101] + "\n" + HOSTILE_TEXTS[104]),
        message(
            498,
            20,
            media=types.MessageMediaDocument(
                document=document(
                    "image/webp",
                    types.DocumentAttributeSticker(
                        alt="😀", stickerset=types.InputStickerSetEmpty()
                    ),
                )
            ),
        ),
        message(
            497,
            19,
            "podcast",
            media=types.MessageMediaDocument(
                document=document(
                    "audio/mpeg",
                    types.DocumentAttributeAudio(
                        duration=1800, title="Episode 1", performer="Radio"
                    ),
                )
            ),
        ),
        message(
            496,
            18,
            media=types.MessageMediaDocument(
                document=document(
                    "video/mp4",
                    types.DocumentAttributeAnimated(),
                    types.DocumentAttributeVideo(duration=2, w=1, h=1),
                )
            ),
        ),
        message(
            495,
            17,
            "see https://example.org",
            media=types.MessageMediaWebPage(
                webpage=types.WebPage(
                    id=1,
                    url="https://example.org",
                    display_url="example.org",
                    hash=0,
                    site_name="Example",
                    title="Example page",
                    description="About <it>",
                )
            ),
            edit_date=at(17.5),
            edit_hide=True,
        ),
        message(
            494,
            16,
            "the decree",
            media=types.MessageMediaDocument(
                document=document("application/pdf", types.DocumentAttributeFilename("decree.pdf"))
            ),
        ),
        message(400, -200, "old"),
    ]
